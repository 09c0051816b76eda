// Issue 17: one figure, one value. What the console shows for a commune is what GraphQL says
// (and GraphQL is what the PDF and ODS exports say: tests/it/figures_agree.rs). The DSI's
// dashboard ("Détail", one header per column, each activity counted once), the commune's own
// home page, the alerts' deadlines (a day, the request's own) and the last logins.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, logout, navigate, screenshot, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

// The console's French formats (web/src/format/fr.ts), rebuilt here from Intl.
const euroFormat = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
const numberFormat = new Intl.NumberFormat("fr-FR");
const percentFormat = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
const dateFormat = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "Europe/Paris" });
/** Whitespace, narrow and no-break spaces included, as one space. */
const norm = (s) => String(s).replace(/[\s\u202f\u00a0]+/g, " ").trim();
const euros = (cents) => norm(euroFormat.format(cents / 100));
const num = (n) => norm(numberFormat.format(n));
const bp = (b) => `${norm(percentFormat.format((Math.sign(b) * Math.floor((Math.abs(b) + 5) / 10)) / 10))} %`;
const share = (b) => (b === null ? "aucune activité" : bp(b));
const day = (d) => norm(dateFormat.formatToParts(new Date(`${d}T12:00:00Z`)).map((p) => (p.type === "day" && Number(p.value) === 1 ? "1er" : p.value)).join(""));
const backupLabels = { ok: "À jour", late: "En retard", failing: "En échec", never: "Jamais sauvegardé" };

/** GraphQL as the page's session (its CSRF token from /auth/session). */
async function gql(query, variables = {}) {
  const body = await page.evaluate(
    async ({ query, variables }) => {
      const session = await (await fetch("/auth/session")).json();
      const r = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken },
        body: JSON.stringify({ query, variables }),
      });
      return r.json();
    },
    { query, variables },
  );
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** Each row of a table as its cells' text (row headers included). */
async function rowsOf(table) {
  return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.innerText)));
}

/** Reads the page's figures and GraphQL's around it until both come from one computation of
 * the report (the worker recomputes it a minute after any change made by another test). */
async function settled(readGraphql, readPage, stamp) {
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = await readGraphql();
    const shown = await readPage();
    const after = await readGraphql();
    if (stamp(before) === stamp(after)) return { data: after, shown };
    await page.waitForTimeout(2000);
    await page.reload();
  }
  assert.fail("the report kept changing while it was read");
}

const FIGURES = `tenantId name inseeCode activities activitiesValidated activitiesChecked activitiesValidatedBp
  requestsOpen requestsOverdue nextRequestDueOn breachesOpen breachesLate contractsToRenew backupState backupPolicies
  costsAllocatedCents invoicedCents unpaidCents maturityBp`;

test("the DSI's dashboard shows each commune's figures as GraphQL gives them", async () => {
  await demoLogin(page, "DSI de l'agglomération");
  await navigate(page, "Tableau de bord");
  await expectHeading(page, "Tableau de bord consolidé");
  const pdf = page.getByRole("link", { name: "Télécharger le rapport (PDF)" });
  for (let attempt = 0; attempt < 40 && !(await pdf.isVisible()); attempt++) {
    if (attempt === 0 && (await page.getByText("Aucun rapport calculé").isVisible())) {
      await page.getByRole("button", { name: "Recalculer le rapport du mois" }).click();
    }
    await page.waitForTimeout(3000);
    await page.reload();
    await expectHeading(page, "Tableau de bord consolidé");
  }
  const href = await pdf.getAttribute("href");
  const [, organisationId, period] = href.match(/organisation=([0-9a-f-]{36})&period=(\d{4}-\d{2})/);
  const detail = tableByCaption(page, "Indicateurs par commune");
  const { data, shown } = await settled(
    () => gql(`query($o: UUID!, $p: String) { consolidatedReports(organisationId: $o, period: $p) { computedAt total { activities activitiesValidated activitiesChecked activitiesValidatedBp } communes { ${FIGURES} } } }`, { o: organisationId, p: period }),
    async () => {
      await detail.locator("tbody tr").first().waitFor();
      return {
        headers: await detail.locator("thead th").allInnerTexts(),
        rows: await rowsOf(detail),
        coverage: await page.locator("[data-figure='Traitements au registre']").innerText(),
        bars: await tableByCaption(page, "Registres : part des traitements validés").locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("th, td")].map((c) => c.textContent))),
      };
    },
    (d) => d.consolidatedReports[0].computedAt,
  );
  const report = data.consolidatedReports[0];

  // One header per column: maturity has its own.
  assert.deepEqual(shown.headers, ["Commune", "Traitements", "Validés", "Contrôlés DPO", "Demandes en retard", "Violations ouvertes", "Sauvegardes", "Coûts", "Impayés", "Maturité"]);
  for (const row of shown.rows) assert.equal(row.length, shown.headers.length, `cells of ${row[0]}`);

  // Compiègne (DPO-checked activities: counted once), Margny, and every other commune.
  const byName = new Map(shown.rows.map((r) => [norm(r[0]), r.map(norm)]));
  assert.equal(byName.size, 22);
  for (const c of report.communes) {
    const row = byName.get(norm(c.name));
    assert.ok(row, `${c.name} in the table`);
    assert.deepEqual(row, [
      norm(c.name),
      num(c.activities),
      c.activitiesValidatedBp === null ? "aucune activité" : `${num(c.activitiesValidated)} (${share(c.activitiesValidatedBp)})`,
      num(c.activitiesChecked),
      num(c.requestsOverdue),
      num(c.breachesOpen),
      backupLabels[c.backupState],
      euros(c.costsAllocatedCents),
      euros(c.unpaidCents),
      c.maturityBp === null ? "non évaluée" : bp(c.maturityBp),
    ], `the row of ${c.name}`);
    assert.ok(c.activitiesChecked <= c.activitiesValidated && c.activitiesValidated <= c.activities, c.name);
  }
  const compiegne = report.communes.find((c) => c.inseeCode === "60159");
  assert.ok(compiegne.activitiesChecked > 0, "Compiègne has activities checked by the DPO");
  // The chart's figures say the same share, with the count of validated activities.
  const bar = shown.bars.map((r) => r.map(norm)).find((r) => r[0] === "Compiègne");
  assert.deepEqual(bar, ["Compiègne", `${share(compiegne.activitiesValidatedBp)} (${compiegne.activitiesValidated}/${compiegne.activities})`]);
  // The key figure: the whole's share, each activity once.
  const t = report.total;
  assert.match(norm(shown.coverage), new RegExp(`${num(t.activities)} ${share(t.activitiesValidatedBp).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} validés \\(${num(t.activitiesValidated)}\\), dont ${num(t.activitiesChecked)} contrôlés par le DPO`));
  await checkAccessibility(page, "tableau de bord (chiffres vérifiés)");

  // The people who logged in have a last login: the DSI, now.
  await navigate(page, "Communes et utilisateurs");
  await expectHeading(page, "Communes et utilisateurs");
  const people = tableByCaption(page, "Utilisateurs et leurs rôles");
  await people.locator("tbody tr").first().waitFor();
  const dsi = (await rowsOf(people)).find((r) => r[0].includes("dsi@demo.mutualis.invalid") || /DSI/.test(r[1]));
  assert.ok(dsi, "the DSI among the people");
  assert.match(norm(dsi[2]), /^\d{1,2}(er)? \p{L}+ \d{4} à \d{2}:\d{2}$/u, `the DSI's last login: ${dsi[2]}`);
  await checkAccessibility(page, "communes et utilisateurs (dernière connexion)");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("a commune's home page shows its own figures, as GraphQL gives them", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  const session = await page.evaluate(async () => (await fetch("/auth/session")).json());
  assert.equal(session.authenticated, true);
  const heading = page.getByRole("heading", { name: "Compiègne en chiffres" });
  await heading.waitFor();
  // The tenant of the page: the council summary's link names it.
  const link = page.getByRole("link", { name: "Synthèse de Compiègne (PDF)" });
  for (let attempt = 0; attempt < 40 && !(await page.locator("[data-figure]").first().isVisible()); attempt++) {
    await page.waitForTimeout(3000);
    await page.reload();
  }
  const tenantId = (await link.getAttribute("href")).match(/tenant=([0-9a-f-]{36})/)[1];
  const { data, shown } = await settled(
    () => gql(`query($t: UUID!) { communeSummary(tenantId: $t) { period computedAt ${FIGURES} } }`, { t: tenantId }),
    async () => {
      await page.locator("[data-figure]").first().waitFor();
      return Object.fromEntries(
        await page.locator("[data-figure]").evaluateAll((els) => els.map((e) => [e.dataset.figure, [...e.querySelectorAll("p")].map((p) => p.innerText)])),
      );
    },
    (d) => d.communeSummary.computedAt,
  );
  const s = data.communeSummary;
  const year = s.period.slice(0, 4);
  const figure = (label) => {
    assert.ok(shown[label], `« ${label} » among ${Object.keys(shown).join(", ")}`);
    return shown[label].map(norm);
  };
  assert.deepEqual(figure("Registre des traitements").slice(1, 3), [
    share(s.activitiesValidatedBp),
    `${num(s.activitiesValidated)} validés sur ${num(s.activities)} traitement${s.activities >= 2 ? "s" : ""}, dont ${num(s.activitiesChecked)} contrôlés par le DPO`,
  ]);
  assert.deepEqual(figure("Demandes de droits ouvertes").slice(1, 3), [
    num(s.requestsOpen),
    s.nextRequestDueOn ? `${num(s.requestsOverdue)} en retard ; prochaine échéance : ${day(s.nextRequestDueOn)}` : "Aucune demande en cours.",
  ]);
  assert.deepEqual(figure("Violations de données ouvertes").slice(1, 3), [num(s.breachesOpen), `${num(s.breachesLate)} hors délai de 72 heures`]);
  assert.equal(figure("Sauvegardes")[1], backupLabels[s.backupState]);
  assert.deepEqual(figure(`Coûts mutualisés ${year}`).slice(1, 3), [euros(s.costsAllocatedCents), `facturé ${euros(s.invoicedCents)}, impayé ${euros(s.unpaidCents)}`]);
  assert.equal(figure("Marchés à reconduire")[1], num(s.contractsToRenew));
  assert.equal(figure("Indice de maturité RGPD")[1], s.maturityBp === null ? "non évaluée" : bp(s.maturityBp));
  // The council summary offered beside is of the same month.
  assert.match(await link.getAttribute("href"), new RegExp(`period=${s.period}&format=pdf$`));
  await checkAccessibility(page, "accueil de la commune (ses chiffres)");
  await screenshot(page, "accueil-commune-chiffres");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("an alert's deadline is the request's day, shown as a day", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Alertes");
  await expectHeading(page, "Alertes");
  const summary = page.getByRole("status").filter({ hasText: /^[1-9][\d\s\u202f\u00a0]* résultats?/ });
  for (let attempt = 0; attempt < 20 && !(await summary.isVisible()); attempt++) {
    await page.waitForTimeout(1000);
    if (attempt % 3 === 2) await page.reload();
  }
  await summary.waitFor();
  const data = await gql(`{ alerts(first: 500) { items { title kind dueOn dueAt } } }`);
  const requests = data.alerts.items.filter((a) => a.kind.startsWith("request_"));
  assert.ok(requests.length > 0, "the demo has requests due or overdue");
  const rows = (await rowsOf(tableByCaption(page, "Alertes en cours"))).map((r) => r.map(norm));
  for (const a of requests) {
    assert.equal(a.dueAt, null, `a request's deadline is a day: ${JSON.stringify(a)}`);
    const row = rows.find((r) => r[0].startsWith(norm(a.title)));
    assert.ok(row, `${a.title} on the page`);
    const due = row.find((cell) => cell.startsWith(day(a.dueOn)));
    assert.ok(due, `the day ${day(a.dueOn)} in ${row.join(" | ")}`);
    assert.doesNotMatch(due, /\d{2}:\d{2}/, "no hour on a day");
    // The title names the same day.
    assert.ok(norm(a.title).includes(day(a.dueOn)), a.title);
  }
  await checkAccessibility(page, "alertes (échéances en jours)");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
