// Issue 17, lists a large intercommunality can use: the DPO pages through every request of
// the intercommunality (the count always said, pages in the address, reload and back kept),
// searches them without accents and sorts them by column; the DSI sorts the invoices. Then
// Compiègne's administrator records a contract with its lots, finds it by a search typed
// without accents, edits it, notifies it, and amends it (its amount then changes by amendment
// only).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, logout, navigate, screenshot, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

/** Clicks, then waits for the GraphQL answer whose request holds `fragment`. */
async function clickAndWait(page, locator, fragment) {
  const answer = page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes(fragment));
  await locator.click();
  await answer;
  await page.waitForTimeout(100);
}

/** The list's count line: "105 résultats · page 1 sur 3" -> { total, page, pages }. */
const REF_N = "26";
const REF = `ÉCLAIRAGE-${REF_N}`;

/** The number of rows of `table` once it equals `expected()` (the count line follows the
 * address at once, the rows come with the API's answer), or after 10 s whatever it is. */
async function rowsOnce(table, expected) {
  const end = Date.now() + 10_000;
  for (;;) {
    const n = await table.locator("tbody tr").count();
    const want = await expected();
    if (n === want || Date.now() > end) return { n, want };
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function count(page, pattern = /résultat/) {
  // The count line follows the address at once; the rows come with the answer: wait for it.
  if (typeof page.waitForLoadState === "function") await page.waitForLoadState("networkidle");
  const status = page.getByRole("status").filter({ hasText: pattern }).first();
  await status.waitFor();
  const text = (await status.innerText()).replace(/[\u202f\u00a0]/g, " ");
  const m = text.match(/^(\d[\d ]*) résultats?(?: · page (\d+) sur (\d+))?/);
  assert.ok(m, `count line: ${text}`);
  return { total: Number(m[1].replace(/ /g, "")), page: Number(m[2] ?? 1), pages: Number(m[3] ?? 1) };
}

test("the DPO pages through the registers, searches and sorts the requests; the DSI sorts the invoices", async () => {
  await demoLogin(page, "DPO mutualisé");
  await page.getByLabel("Commune affichée").selectOption("");

  // Every commune's register, ten a page: the count says how many in all, pages in the address.
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await count(page);
  await page.getByLabel(/^Résultats par page/).selectOption("10");
  await page.waitForURL(/par=10/);
  const all = await count(page, /page 1 sur/);
  assert.ok(all.total > 10, `the demo registers hold more than ten activities (${all.total})`);
  const register = tableByCaption(page, "Traitements du registre");
  const first = await rowsOnce(register, async () => 10);
  assert.equal(first.n, first.want);
  await checkAccessibility(page, "registres, page 1");
  await page.getByRole("navigation", { name: "Pages du registre" }).getByRole("link", { name: "Dernière page" }).click();
  await page.waitForURL(/[?&]page=\d+/);
  await count(page, new RegExp(`page ${all.pages} sur ${all.pages}`));
  const last = await rowsOnce(register, async () => all.total - 10 * (all.pages - 1));
  assert.equal(last.n, last.want);
  await page.reload();
  await count(page, new RegExp(`page ${all.pages} sur ${all.pages}`));
  assert.equal(await page.getByLabel(/^Résultats par page/).inputValue(), "10", "the page size survives the reload");
  await checkAccessibility(page, "registres, dernière page");
  await page.goBack();
  await count(page, /page 1 sur/);
  // Sorted by the last change, newest first: the order of the dates shown.
  await register.getByRole("link", { name: /^Modifié le/ }).click();
  await page.waitForURL(/tri=modifie/);
  await register.getByRole("link", { name: /^Modifié le/ }).click();
  await page.waitForURL(/ordre=desc/);
  await page.locator("th[aria-sort='descending']", { hasText: "Modifié le" }).waitFor();
  await screenshot(page, "registre-pages");

  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  // The filter goes into the address (the box then reads it back from there).
  await page.locator('label[for="requests-open"]').click();
  await page.waitForURL(/ouvertes=0/);
  // The address changes first, then the page renders from it: wait for the box to follow
  // (read at once, it could still show the old state; it fails if it never unchecks).
  await page.waitForFunction(() => document.getElementById("requests-open")?.checked === false);
  assert.equal(await page.getByLabel("Demandes ouvertes seulement").isChecked(), false);
  // The count and the rows arrive with the same answer: wait for it (the earlier page's count
  // may still show for a moment).
  const table = tableByCaption(page, "Demandes d'exercice des droits");
  let requests = await count(page);
  const shownRequests = await rowsOnce(table, async () => {
    requests = await count(page);
    return Math.min(requests.total, 50);
  });
  assert.equal(shownRequests.n, shownRequests.want, page.url());
  await checkAccessibility(page, "demandes, toutes");

  // Sorted by requester, the French way, then the other way round.
  await clickAndWait(page, table.getByRole("link", { name: /^Demandeur/ }), '"orderBy":"REQUESTER","descending":false');
  await page.waitForURL(/tri=demandeur/);
  await page.locator("th[aria-sort='ascending']", { hasText: "Demandeur" }).waitFor();
  const names = async () => (await table.locator("tbody tr td:first-child").allInnerTexts()).map((t) => t.trim());
  let firstPage = await names();
  const collator = new Intl.Collator("fr", { sensitivity: "base", ignorePunctuation: true });
  for (let i = 1; i < firstPage.length; i++) assert.ok(collator.compare(firstPage[i - 1], firstPage[i]) <= 0, `${firstPage[i - 1]} before ${firstPage[i]}`);
  await clickAndWait(page, table.getByRole("link", { name: /^Demandeur/ }), '"orderBy":"REQUESTER","descending":true');
  await page.waitForURL(/ordre=desc/);
  await page.locator("th[aria-sort='descending']", { hasText: "Demandeur" }).waitFor();
  firstPage = await names();
  assert.ok(collator.compare(firstPage[0], firstPage[firstPage.length - 1]) >= 0);
  await checkAccessibility(page, "demandes triées par demandeur");

  // A search typed without accents or capitals finds the requester written with them.
  const someone = firstPage.find((n) => /[éèêàçôîù]/i.test(n)) ?? firstPage[0];
  const plain = someone.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  await page.getByRole("textbox", { name: /^Rechercher/ }).fill(plain);
  await clickAndWait(page, page.getByRole("button", { name: "Rechercher", exact: true }), `"search":"${plain}"`);
  await page.waitForURL(/[?&]q=/);
  const found = await count(page);
  assert.ok(found.total >= 1 && found.total < requests.total, `${plain}: ${found.total}`);
  assert.ok((await names()).includes(someone), `${someone} found by ${plain}`);
  await checkAccessibility(page, "demandes, recherche");
  await screenshot(page, "demandes-recherche");

  await logout(page);

  // The DSI: every invoice of a campaign, sorted by amount.
  await demoLogin(page, "DSI de l'agglomération");
  await navigate(page, "Facturation");
  await expectHeading(page, "Facturation");
  const invoices = page.locator("table", { has: page.locator("caption", { hasText: "Factures de" }) });
  await invoices.locator("tbody tr").first().waitFor();
  const invoiceRows = await rowsOnce(invoices, async () => {
    const counted = await count(page.locator("#run-invoices-title").locator(".."), /résultat/);
    return Math.min(counted.total, 50);
  });
  assert.equal(invoiceRows.n, invoiceRows.want, "every invoice of the campaign, or a full page");
  await clickAndWait(page, invoices.getByRole("link", { name: /^Montant/ }), '"orderBy":"AMOUNT_CENTS"');
  await page.waitForURL(/factures-tri=montant/);
  const amounts = (await invoices.locator("tbody tr td:nth-child(5)").allInnerTexts()).map((t) => Number(t.replace(/[^\d,]/g, "").replace(",", ".")));
  for (let i = 1; i < amounts.length; i++) assert.ok(amounts[i - 1] <= amounts[i], `${amounts[i - 1]} <= ${amounts[i]}`);
  await checkAccessibility(page, "facturation, factures triées par montant");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("Compiègne's administrator records, edits, notifies and amends a contract", async () => {
  await page.context().clearCookies();
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Contrats");
  await expectHeading(page, "Contrats et renouvellements");
  await page.getByRole("link", { name: "Nouveau contrat" }).click();
  await expectHeading(page, "Nouveau contrat");

  // Refused by the API next to its field (an unknown CPV code), nothing typed lost.
  await page.getByLabel(/^Référence/).fill(`${REF}`);
  await page.getByLabel(/^Objet/).fill("Maintenance de l'éclairage public");
  await page.getByLabel(/^Catégorie/).selectOption({ label: "Services" });
  await page.locator("#field-cpv").fill("50232199");
  await page.getByLabel(/^Montant estimé/).fill("48 000");
  await page.getByLabel(/^Durée ferme/).fill("24");
  await page.getByRole("button", { name: "Ajouter un lot" }).click();
  await page.getByLabel("Objet du lot").first().fill("Entretien des candélabres");
  await page.getByLabel(/^Montant estimé \(€ HT\)\s*\*?$/).nth(0).fill("30 000");
  await page.getByRole("button", { name: "Ajouter un lot" }).click();
  await page.getByLabel("Objet du lot").nth(1).fill("Dépannages");
  await page.getByLabel(/^Montant estimé \(€ HT\)\s*\*?$/).nth(1).fill("18 000");
  await page.getByRole("button", { name: "Enregistrer le contrat" }).click();
  await page.locator("#field-cpv-error").waitFor();
  assert.equal(await page.getByLabel(/^Objet/).first().inputValue(), "Maintenance de l'éclairage public");
  await checkAccessibility(page, "nouveau contrat (erreur de l'API)");
  await page.locator("#field-cpv").fill("50232100");
  await page.getByRole("button", { name: "Enregistrer le contrat" }).click();
  await expectHeading(page, `Contrat ${REF}`);
  await page.getByText(`Le contrat « ${REF} » a été enregistré.`).waitFor();
  const lots = tableByCaption(page, `Lots du contrat ${REF}`);
  assert.equal(await lots.locator("tbody tr").count(), 2);
  await checkAccessibility(page, "contrat enregistré");

  // Attributed and notified in an edit: the lots' amounts sum to the contract's.
  const edit = page.locator("section", { has: page.getByRole("heading", { name: "Modifier le contrat" }) });
  await edit.getByLabel(/^Montant attribué/).first().fill("45 000");
  await edit.getByLabel("Montant attribué (€ HT)", { exact: true }).nth(0).fill("28 000");
  await edit.getByLabel("Montant attribué (€ HT)", { exact: true }).nth(1).fill("16 000");
  await edit.getByLabel(/^Notifié le/).fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
  await edit.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.locator("#field-lots-error").waitFor();
  assert.match(await page.locator("#field-lots-error").innerText(), /44\s000,00.*45\s000,00/s);
  await checkAccessibility(page, "contrat, lots ne totalisant pas le montant");
  await edit.getByLabel("Montant attribué (€ HT)", { exact: true }).nth(1).fill("17 000");
  await edit.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.getByText(/^Contrat enregistré \(version 2\)/).waitFor();
  await page.getByText("en cours", { exact: true }).first().waitFor();

  // Notified: the amount is locked in the edit form; an amendment of lot 2 changes it.
  const edit2 = page.locator("section", { has: page.getByRole("heading", { name: "Modifier le contrat" }) });
  assert.equal(await edit2.getByLabel(/^Montant attribué/).first().isDisabled(), true);
  const amend = page.locator("section", { has: page.getByRole("heading", { name: "Enregistrer un avenant" }) });
  await amend.getByLabel(/^Objet de l'avenant/).fill("Dépannages supplémentaires");
  await amend.getByLabel(/^Lot modifié/).selectOption({ index: 2 });
  await amend.getByLabel(/^Nouveau montant attribué/).fill("19 500");
  await amend.getByRole("button", { name: "Enregistrer l'avenant" }).click();
  await page.getByText("Avenant enregistré.").waitFor();
  await tableByCaption(page, `Avenants du contrat ${REF}`).locator("tbody tr", { hasText: "Dépannages supplémentaires" }).waitFor();
  await page.getByText(/47\s500,00\s€ \(initial 45\s000,00\s€\)/).waitFor();
  await checkAccessibility(page, "contrat modifié par avenant");
  await screenshot(page, "contrat-avenant");

  // Found in the list by a search without accents or capitals, the search in the address.
  await navigate(page, "Contrats");
  await expectHeading(page, "Contrats et renouvellements");
  await page.getByRole("textbox", { name: /^Rechercher/ }).fill(`eclairage ${REF_N}`);
  await page.getByRole("button", { name: "Rechercher", exact: true }).click();
  await page.waitForURL(/q=eclairage/);
  // The suite's other journeys record contracts in the same demo: ours is among the results,
  // and every result matches both words.
  const c = await count(page);
  assert.ok(c.total >= 1, `results: ${c.total}`);
  await tableByCaption(page, "Contrats").getByRole("link", { name: `${REF}` }).waitFor();
  await page.reload();
  await tableByCaption(page, "Contrats").getByRole("link", { name: `${REF}` }).waitFor();
  assert.equal(await page.getByRole("textbox", { name: /^Rechercher/ }).inputValue(), `eclairage ${REF_N}`);
  await checkAccessibility(page, "contrats, recherche");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
