// Errors a person reads are French and said once: the API's own message next to its field, a
// success that an error follows disappears, an error code the console does not know gets a
// French sentence (never the server's raw text), and a session that ends while the page is
// open says so above the page, with a way back in, instead of failing the form.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

/** Paris's date in `days` days, as the date field takes it. */
function dayFromNow(days) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat("fr-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "Europe/Paris" }).format(d);
}

test("form errors are the API's French sentence, once, and a stale success goes", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  const form = page.locator("section", { has: page.getByRole("heading", { name: "Enregistrer une demande" }) });

  await form.getByLabel("Demandeur").fill("Mme Sans-Erreur");
  await form.getByRole("button", { name: "Enregistrer la demande" }).click();
  const success = form.locator(".fr-alert--success");
  await success.filter({ hasText: "Demande enregistrée" }).waitFor();

  // The same form refused by the API: a date in the future.
  await form.getByLabel("Demandeur").fill("Mme Du-Futur");
  await form.getByLabel("Reçue le").fill(dayFromNow(10));
  await form.getByRole("button", { name: "Enregistrer la demande" }).click();
  const fieldError = page.locator("#field-receivedOn-error");
  await fieldError.waitFor();
  assert.equal(
    (await fieldError.innerText()).trim(),
    "Une demande ne peut pas être reçue dans le futur : vérifiez la date de réception.",
  );
  assert.equal(await success.count(), 0, "the earlier success is gone once an error follows");
  // Said once: the summary links to the field with the same sentence, nothing in parentheses.
  const summary = form.locator(".fr-alert--error");
  const text = await summary.innerText();
  assert.equal(text.match(/ne peut pas être reçue dans le futur/g)?.length, 1, text);
  assert.doesNotMatch(text, /\(|cannot|future/, text);
  await checkAccessibility(page, "demande refusée (date future)");
});

test("an error code the console does not know reads as a French sentence", async () => {
  // A newer server (or a proxy) answering with a code this console has never seen.
  await page.route("**/graphql", async (route) => {
    const body = route.request().postDataJSON();
    if (!String(body?.query ?? "").includes("createRightsRequest")) return route.continue();
    await route.fulfill({
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ data: null, errors: [{ message: "Zorglub qxv", extensions: { code: "QUELQUE_CHOSE_DE_NOUVEAU" } }] }),
    });
  });
  const form = page.locator("section", { has: page.getByRole("heading", { name: "Enregistrer une demande" }) });
  await form.getByLabel("Reçue le").fill(dayFromNow(0));
  await form.getByLabel("Demandeur").fill("M. Code-Inconnu");
  await form.getByRole("button", { name: "Enregistrer la demande" }).click();
  const summary = form.locator(".fr-alert--error");
  await summary.getByText("L'action n'a pas abouti : réessayez, et si l'erreur persiste, prévenez la DSI.").waitFor();
  assert.doesNotMatch(await summary.innerText(), /Zorglub|QUELQUE_CHOSE/);
  await page.unroute("**/graphql");
});

test("a session closed while the page is open says so, with a way to log in again", async () => {
  const form = page.locator("section", { has: page.getByRole("heading", { name: "Enregistrer une demande" }) });
  // The session ends elsewhere (another tab logs out): the same cookie, closed server-side.
  const session = await (await page.request.get("/auth/session")).json();
  assert.equal(session.authenticated, true);
  const out = await page.request.post("/auth/logout", { headers: { "X-CSRF-Token": session.csrfToken }, maxRedirects: 0 });
  assert.equal(out.status(), 303);

  await form.getByLabel("Demandeur").fill("M. Après-Déconnexion");
  await form.getByRole("button", { name: "Enregistrer la demande" }).click();
  const notice = page.locator("#session-expiree");
  await notice.getByRole("heading", { name: "Votre session a expiré" }).waitFor();
  // Not a form error: the form shows none.
  assert.equal(await form.locator(".fr-alert--error").count(), 0, "no form error for a lost session");
  await checkAccessibility(page, "session expirée");
  await notice.getByRole("link", { name: "Se reconnecter" }).click();
  await expectHeading(page, "Connexion à Mutualis");
  assert.deepEqual(consoleErrors, []);
});
