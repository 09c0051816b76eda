// Commune administrator of Compiègne: processors (Art. 28, issue 17). One is recorded (its
// SIRET refused by the API next to the field first), linked to an activity of the register
// (which then names it), its contract completed (a signed contract needs its date).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("a commune administrator records a processor and links it to the register", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Sous-traitants");
  await expectHeading(page, "Sous-traitants");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  await checkAccessibility(page, "sous-traitants");

  const name = `Berger-Levrault ${Date.now()}`;
  await page.getByRole("button", { name: "Enregistrer le sous-traitant" }).click();
  await page.locator("#field-name-error").filter({ hasText: "Donnez un nom" }).waitFor();
  await page.getByLabel("Nom du sous-traitant").fill(name);
  await page.getByLabel("SIRET").fill("123");
  await page.getByLabel("Référence du contrat").fill("Marché 2024-12");
  await page.getByRole("button", { name: "Enregistrer le sous-traitant" }).click();
  // The API refuses the SIRET: its French message next to the field, nothing typed lost.
  await page.locator("#field-siret-error").waitFor();
  assert.equal(await page.getByLabel("Nom du sous-traitant").inputValue(), name);
  await checkAccessibility(page, "sous-traitant : SIRET refusé");
  await page.getByLabel("SIRET").fill("");
  await page.getByRole("button", { name: "Enregistrer le sous-traitant" }).click();
  await page.getByRole("status").filter({ hasText: `Le sous-traitant « ${name} » est enregistré.` }).waitFor();
  await tableByCaption(page, "Sous-traitants").getByRole("link", { name }).waitFor();

  // Its page: linked to an activity of the register.
  await page.getByRole("link", { name: "L'associer à des traitements" }).click();
  await expectHeading(page, `Sous-traitant : ${name}`);
  await page.getByText("Aucun traitement du registre n'emploie ce sous-traitant.").waitFor();
  const choice = page.getByLabel("Associer un traitement");
  const activity = (await choice.locator("option").allInnerTexts())[1];
  assert.ok(activity, "the register of Compiègne has activities");
  await choice.selectOption({ label: activity });
  await page.getByRole("button", { name: "Associer", exact: true }).click();
  await page.getByRole("status").filter({ hasText: `« ${activity} » emploie ce sous-traitant.` }).waitFor();
  await page.locator(".console-link-list").getByRole("link", { name: activity }).waitFor();
  await checkAccessibility(page, "sous-traitant : traitement associé");
  await screenshot(page, "sous-traitant");

  // The contract: signed needs its date.
  await page.getByLabel("Clauses de sous-traitance (art. 28)").selectOption({ label: "Signé" });
  await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.locator("#field-dpaSignedOn-error").waitFor();
  await page.getByLabel("Date de signature").fill("2024-03-01");
  await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.getByRole("status").filter({ hasText: `Le sous-traitant « ${name} » est enregistré.` }).waitFor();
  await page.getByText("Signé le 1er mars 2024").first().waitFor();

  // The activity's page names it among its processors.
  await page.locator(".console-link-list").getByRole("link", { name: activity }).click();
  await expectHeading(page, `Traitement : ${activity}`);
  await page.getByText(name).first().waitFor();

  // Unlinked from the processor's page.
  await page.goBack();
  await expectHeading(page, `Sous-traitant : ${name}`);
  await page.getByRole("button", { name: `Retirer « ${activity} »` }).click();
  await page.getByRole("status").filter({ hasText: `« ${activity} » n'emploie plus ce sous-traitant.` }).waitFor();

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
