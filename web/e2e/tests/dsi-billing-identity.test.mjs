// The DSI records what Chorus Pro needs of each commune (SIRET, service code, commitment) and
// of the intercommunality; a wrong SIRET is refused next to its field, in French; a missing
// service code is flagged on the commune's row until it is given. The demo's billing run went
// through Chorus Pro: its invoices are issued (to be paid), nothing waits for Stripe.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("the DSI completes the billing identities Chorus Pro needs", async () => {
  await demoLogin(page, "DSI de l'agglomération");
  await navigate(page, "Identité de facturation");
  await expectHeading(page, "Identité de facturation");
  const table = tableByCaption(page, "Identités de facturation");
  await table.locator("tbody tr").nth(5).waitFor();
  // The demo filled them all: the intercommunality as seller, every commune complete.
  assert.match(await table.locator("tbody tr", { hasText: "(vendeur)" }).innerText(), /complète/i);

  await page.locator("#identity-tenant").selectOption({ label: "Compiègne" });
  const siret = await page.locator("#field-siret").inputValue();
  assert.match(siret, /^\d{14}$/);
  // A SIRET whose key is wrong: the server's French message, next to the field; nothing saved.
  const wrong = siret.slice(0, 13) + String((Number(siret[13]) + 1) % 10);
  await page.locator("#field-siret").fill(wrong);
  await page.getByRole("button", { name: "Enregistrer l'identité" }).click();
  const err = page.locator("#field-siret-error");
  await err.waitFor();
  assert.match(await err.innerText(), /clé de contrôle/);
  await page.locator("#field-siret").fill(siret);

  // Compiègne now requires a service code it has not given: saved, and flagged.
  await page.getByText("La commune exige un code service").click();
  await page.locator("#field-serviceCode").fill("");
  await page.getByRole("button", { name: "Enregistrer l'identité" }).click();
  await page.getByText(/Identité de Compiègne enregistrée\. Pour Chorus Pro, il manque le code service\./).waitFor();
  await table.locator("tbody tr", { hasText: /^Compiègne/ }).getByText("Il manque le code service.").waitFor();
  await checkAccessibility(page, "identité de facturation (code service manquant)");
  await page.locator("#field-serviceCode").fill("SERV-NUMERIQUE");
  await page.getByRole("button", { name: "Enregistrer l'identité" }).click();
  await page.getByText("Identité de Compiègne enregistrée.", { exact: true }).waitFor();
  // The table reloads after the save: wait for the new row.
  await table.locator("tbody tr", { hasText: /^Compiègne/ }).filter({ hasText: "SERV-NUMERIQUE" }).waitFor();
  assert.match(await table.locator("tbody tr", { hasText: /^Compiègne/ }).innerText(), /SERV-NUMERIQUE[\s\S]*complète/i);
  await screenshot(page, "identite-facturation");

  // The demo's run went through Chorus Pro: issued and to be paid, not waiting for Stripe.
  await navigate(page, "Facturation");
  await expectHeading(page, "Facturation");
  const runs = tableByCaption(page, "Campagnes de facturation");
  await runs.locator("tbody tr").first().waitFor();
  assert.match(await runs.locator("tbody tr").first().innerText(), /terminée/i);
  const invoices = page.locator("table", { has: page.locator("caption", { hasText: /^Factures de « / }) });
  await invoices.locator("tbody tr").first().waitFor();
  assert.match(await invoices.innerText(), /à payer\s*par Chorus Pro/);
  assert.match(await invoices.innerText(), /par titre de recettes/);
  // The Factur-X PDF a town hall prints: a PDF carrying its XML.
  const pdfLink = invoices.locator("tbody tr").first().getByRole("link", { name: /^PDF Factur-X de la facture / });
  const [download] = await Promise.all([page.waitForEvent("download"), pdfLink.click()]);
  assert.match(download.suggestedFilename(), /^facture-.*\.pdf$/);
  const file = join(mkdtempSync(join(tmpdir(), "mutualis-e2e-")), download.suggestedFilename());
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.ok(bytes.includes("factur-x.xml"), "the CII embedded under Factur-X's name");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
