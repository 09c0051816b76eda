// Issue 19: the commune's GDPR actors, the register's column choice kept across reloads and
// its bulk archive, and the DPO's yearly bilans made by the worker with a progress bar.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, setCheckbox, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

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

/** Polls until `check` is true (the API's answer arrives after the address changes). */
async function until(what, check, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`never: ${what}`);
    await page.waitForTimeout(150);
  }
}

test("a commune administrator designates its GDPR actors", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Acteurs RGPD");
  await expectHeading(page, "Acteurs RGPD");
  await page.getByRole("heading", { name: /Désigner un acteur|Modifier la fiche/ }).waitFor();
  await checkAccessibility(page, "acteurs RGPD");
  const name = `Claire Dupont ${Date.now()}`;
  await page.getByLabel("Rôle").selectOption({ label: "Membre du comité Informatique et Libertés" });
  await page.getByLabel("Rôle au comité").fill("Présidente");
  await page.getByLabel(/Nom et prénom/).fill(name);
  await page.getByLabel("Courriel").fill("pas-une-adresse");
  await page.getByRole("button", { name: "Désigner" }).click();
  // The API's French message next to the field, nothing typed lost.
  await page.locator("#field-email-error").waitFor();
  assert.equal(await page.getByLabel(/Nom et prénom/).inputValue(), name);
  await checkAccessibility(page, "acteurs RGPD : courriel refusé");
  await page.getByLabel("Courriel").fill("claire.dupont@mairie-compiegne.fr");
  await page.getByRole("button", { name: "Désigner" }).click();
  await page.getByText(`${name} est enregistré : Membre du comité Informatique et Libertés.`).waitFor();
  await tableByCaption(page, "Acteurs RGPD de").getByRole("cell", { name, exact: true }).waitFor();
  await screenshot(page, "acteurs-rgpd");
  // Withdrawn again (the demo stays as it was for the other tests).
  await page.getByRole("button", { name: `Retirer : ${name}` }).click();
  await page.getByText(`${name} a été retiré des acteurs`).waitFor();
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("the register's columns follow the person after a reload, and a bulk archive is one action", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  // Two activities of this test's own, to archive.
  const me = await gql("{ me { grants { tenantId } } }");
  const tenantId = me.me.grants.find((g) => g.tenantId).tenantId;
  const stamp = Date.now();
  const names = [`Zeta essai A ${stamp}`, `Zeta essai B ${stamp}`];
  for (const n of names) {
    await gql("mutation($t: UUID!, $n: String!) { createActivity(tenantId: $t, input: {name: $n, purposes: \"Essai\"}) { id } }", { t: tenantId, n });
  }
  // Columns: the operational owner shown, completeness hidden; saved, then a reload.
  await page.getByText("Choisir les colonnes affichées").click();
  await setCheckbox(page, "Responsable opérationnel", true);
  await setCheckbox(page, "Complétude (%)", false);
  await checkAccessibility(page, "registre : choix des colonnes");
  await page.getByRole("button", { name: "Enregistrer les colonnes" }).click();
  await page.getByText("Colonnes enregistrées").waitFor();
  const headers = () => tableByCaption(page, "Traitements du registre").locator("thead th").allInnerTexts();
  await until("the chosen columns", async () => (await headers()).some((h) => h.includes("Responsable opérationnel")));
  await page.reload();
  await expectHeading(page, "Registre RGPD");
  await until("the columns after a reload", async () => {
    const h = await headers();
    return h.some((x) => x.includes("Responsable opérationnel")) && !h.some((x) => x.includes("Complétude"));
  });
  // Put the usual columns back for the other tests.
  await gql("mutation { setListColumns(list: \"activities\", columns: [\"name\", \"commune\", \"status\", \"completeness\", \"dpia\", \"sensitive\", \"updated_at\"]) }");

  // Bulk: the two test activities, found by a search, selected, archived together.
  await page.getByLabel(/Rechercher un traitement/).fill(`Zeta essai`);
  await page.getByRole("button", { name: "Appliquer les filtres" }).click();
  const table = tableByCaption(page, "Traitements du registre");
  await until("the two test rows", async () => (await table.locator("tbody tr").count()) === 2 && (await table.innerText()).includes(names[1]));
  await setCheckbox(page, "Tout sélectionner", true);
  await page.getByText("2 traitements sélectionnés.").waitFor();
  await checkAccessibility(page, "registre : sélection");
  await page.getByRole("button", { name: "Archiver la sélection" }).click();
  await page.getByText("2 traitements ont été archivés.").waitFor();
  await until("the archived rows leave the list", async () => !(await page.locator("main").innerText()).includes(names[0]));
  await screenshot(page, "registre-actions-groupees");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("the DPO makes every commune's bilan at once and follows its progress", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Acteurs RGPD");
  await expectHeading(page, "Acteurs RGPD");
  await page.locator("#coverage-summary").filter({ hasText: /référent RGPD/ }).waitFor();
  await checkAccessibility(page, "acteurs RGPD : vue du DPO");

  await navigate(page, "Bilan annuel");
  await expectHeading(page, "Bilan annuel du DPO");
  await checkAccessibility(page, "bilans");
  const year = String(new Date().getFullYear());
  await page.getByRole("button", { name: `Générer les bilans ${year}` }).click();
  const progress = page.getByRole("progressbar", { name: "Avancement de la production des bilans" });
  await progress.waitFor();
  await page.locator("#bilan-progress-text").filter({ hasText: /^Terminé/ }).waitFor({ timeout: 120_000 });
  assert.equal(await progress.getAttribute("value"), await progress.getAttribute("max"));
  const table = tableByCaption(page, "Bilans par commune");
  const row = table.locator("tbody tr", { hasText: "Compiègne" }).first();
  await row.waitFor();
  await checkAccessibility(page, "bilans : terminés");
  await screenshot(page, "bilans");
  // The figures of the table are the register's.
  const run = await gql("query($o: UUID!) { gdprBilanRuns(organisationId: $o) { bilans { tenantId figures { commune activities } } } organisations { id } }", {
    o: (await gql("{ organisations { id } }")).organisations[0].id,
  });
  const compiegne = run.gdprBilanRuns[0].bilans.find((b) => b.figures.commune === "Compiègne");
  const live = await gql("query($t: [UUID!]) { activities(tenantIds: $t) { totalCount } }", { t: [compiegne.tenantId] });
  assert.equal(compiegne.figures.activities, live.activities.totalCount);
  assert.match(await row.innerText(), new RegExp(`^Compiègne\\s+${live.activities.totalCount} \\(`));
  // Each download answers its document.
  for (const [label, type] of [["DOCX", "wordprocessingml"], ["PDF", "application/pdf"]]) {
    const href = await row.getByRole("link", { name: new RegExp(`^${label}`) }).getAttribute("href");
    const answer = await page.request.get(href);
    assert.equal(answer.status(), 200);
    assert.match(answer.headers()["content-type"], new RegExp(type));
  }
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
