// The GraphQL explorer served by the server itself (no CDN, no inline script, so the
// Content-Security-Policy holds): a query, its variables, the answer. A browser session
// sends its CSRF token, read from /auth/session, as the console does.
const $ = (id) => document.getElementById(id);
let csrf = null;

async function session() {
  try {
    const s = await (await fetch("/auth/session", { credentials: "same-origin" })).json();
    csrf = s.csrfToken ?? null;
    $("who").textContent = s.authenticated
      ? `Connecté : ${s.displayName} (${(s.roles ?? []).join(", ")})`
      : "Non connecté : les requêtes partent sans identité (ou connectez-vous dans la console).";
  } catch (e) {
    $("who").textContent = `Session illisible : ${e}`;
  }
}

async function run(event) {
  event?.preventDefault();
  let variables;
  try {
    variables = JSON.parse($("variables").value || "{}");
  } catch (e) {
    $("result").textContent = `Variables : JSON invalide (${e.message})`;
    return;
  }
  const headers = { "Content-Type": "application/json", Accept: "application/graphql-response+json, application/json" };
  if (csrf) headers["X-CSRF-Token"] = csrf;
  $("result").textContent = "…";
  try {
    const r = await fetch("/graphql", {
      method: "POST",
      credentials: "same-origin",
      headers,
      body: JSON.stringify({ query: $("query").value, variables }),
    });
    const text = await r.text();
    try {
      $("result").textContent = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      $("result").textContent = `HTTP ${r.status}\n${text}`;
    }
  } catch (e) {
    $("result").textContent = `Le serveur ne répond pas : ${e}`;
  }
}

$("form").addEventListener("submit", run);
for (const id of ["query", "variables"]) {
  $(id).addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) run(e);
  });
}
session();
