// A commune administrator: the contracts and the renewals to decide (notice deadlines,
// amendments), then a restore test logged (a partial test without notes refused by the API
// next to the field, nothing typed lost).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("Compiègne's contracts, renewals and a restore test", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Contrats");
  await expectHeading(page, "Contrats et renouvellements");
  const all = page.getByRole("status").filter({ hasText: /^\d+ résultats?/ });
  await all.waitFor();
  const count = Number((await all.innerText()).match(/^(\d+)/)[1]);
  assert.ok(count > 0, "the demo has contracts for Compiègne");
  const contracts = tableByCaption(page, "Contrats");
  assert.equal(await contracts.locator("tbody tr").count(), Math.min(count, 50));
  assert.ok(!(await contracts.locator("thead th").allInnerTexts()).includes("Commune"), "one commune");
  // The renewals over a year.
  await page.getByLabel("Échéance dans les").selectOption({ label: "365 jours" });
  await page.getByRole("status").filter({ hasText: /dans les 365 jours\.$/ }).waitFor();
  // Filter by status.
  await page.getByLabel("Statut").selectOption({ label: "en cours" });
  await page.getByRole("status").filter({ hasText: /^(\d+ résultats?|Aucun résultat)/ }).waitFor();
  await checkAccessibility(page, "contrats et renouvellements");
  await screenshot(page, "contrats");

  await navigate(page, "Sauvegardes");
  await expectHeading(page, "Sauvegardes");
  await page.getByRole("heading", { name: "Enregistrer un test de restauration" }).waitFor();
  const policy = page.getByLabel("Politique de sauvegarde");
  await policy.selectOption({ index: 1 });
  await page.getByLabel("Réalisé par").fill("Service informatique de la mairie");
  await page.getByLabel("Ce qui a été restauré, et où").fill("Base de l'état civil, sur le serveur de test");
  await page.getByLabel("Durée (minutes)").fill("25");
  await page.getByLabel("Résultat").selectOption({ label: "partiel" });
  await page.getByRole("button", { name: "Enregistrer le test" }).click();
  await page.locator("#field-notes-error").filter({ hasText: "un test partiel ou échoué demande des notes" }).waitFor();
  assert.equal(await page.getByLabel("Réalisé par").inputValue(), "Service informatique de la mairie");
  await checkAccessibility(page, "test de restauration (erreur de l'API)");
  await page.getByLabel("Notes").fill("Les pièces jointes des actes n'ont pas été restaurées.");
  await page.getByRole("button", { name: "Enregistrer le test" }).click();
  await page.getByText(/^Test de restauration enregistré \(partiel\)/).waitFor();
  await tableByCaption(page, "Derniers tests de restauration").locator("tbody tr", { hasText: "Service informatique de la mairie" }).waitFor();
  await checkAccessibility(page, "test de restauration enregistré");
  await screenshot(page, "sauvegardes-test-restauration");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
