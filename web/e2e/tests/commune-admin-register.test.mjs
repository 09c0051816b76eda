// Commune administrator: demo login, the register with filters, a new activity refused by
// the API with the error next to its field (nothing typed lost), then created.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, tableByCaption, demoLogin, expectHeading, launch, navigate, screenshot, logout } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("a commune administrator keeps the register of Compiègne", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await checkAccessibility(page, "accueil (administratrice de commune)");
  await screenshot(page, "accueil-commune");
  // One commune: no switcher, its name instead.
  assert.match(await page.locator(".console-tenant-bar").innerText(), /Commune : Compiègne/);

  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  const register = tableByCaption(page, "Traitements du registre");
  const rowsBefore = await register.locator("tbody tr").count();
  assert.ok(rowsBefore > 0, "the demo register of Compiègne has activities");
  await checkAccessibility(page, "registre");
  await screenshot(page, "registre");

  // Filters: a search that matches nothing, then cleared.
  await page.getByLabel("Rechercher un traitement").fill("zzz-aucun-traitement");
  await page.getByRole("button", { name: "Appliquer les filtres" }).click();
  await page.getByText("Aucun traitement ne correspond à ces filtres.").waitFor();
  assert.match(page.url(), /q=zzz-aucun-traitement/);
  await page.getByRole("button", { name: "Effacer les filtres" }).click();
  await register.locator("tbody tr").first().waitFor();

  // A new activity: the public-task basis without its legal text is refused by the API.
  await page.getByRole("link", { name: "Nouveau traitement" }).click();
  await expectHeading(page, "Nouveau traitement");
  const name = `Inscriptions à la cantine ${Date.now()}`;
  await page.getByLabel("Nom du traitement").fill(name);
  await page.getByLabel("Finalités").fill("Inscrire les enfants au restaurant scolaire et facturer les repas.");
  await page.getByLabel("Service").fill("Affaires scolaires");
  await page.getByRole("button", { name: "Ajouter une base légale" }).click();
  await page.locator("#legal-basis-0").selectOption("public_task");
  await page.getByRole("button", { name: "Ajouter une durée de conservation" }).click();
  await page.locator("#retention-data-0").fill("Dossiers d'inscription");
  await page.locator("#retention-months-0").fill("24");
  await page.getByRole("button", { name: "Créer le traitement" }).click();

  const fieldError = page.locator("#field-legalBases-error");
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /Base légale n° 1 : indiquez le texte/);
  await page.getByRole("alert").filter({ hasText: "Le formulaire contient une erreur" }).waitFor();
  // Nothing typed is lost.
  assert.equal(await page.getByLabel("Nom du traitement").inputValue(), name);
  assert.equal(await page.locator("#retention-months-0").inputValue(), "24");
  assert.equal(await page.locator("#legal-basis-0").inputValue(), "public_task");
  await checkAccessibility(page, "traitement : erreur de validation");
  await screenshot(page, "traitement-erreur");

  // Fixed: the legal text is given, the activity is created (in draft).
  await page.locator("#legal-justification-0").fill("Code de l'éducation, article L131-13");
  await page.getByRole("button", { name: "Créer le traitement" }).click();
  await expectHeading(page, `Traitement : ${name}`);
  await page.getByText(`Le traitement « ${name} » a été créé (brouillon).`).waitFor();
  assert.equal(await page.locator("#legal-justification-0").inputValue(), "Code de l'éducation, article L131-13");
  await checkAccessibility(page, "traitement créé");
  await screenshot(page, "traitement-cree");

  // Edit: validated by the commune.
  await page.getByLabel("Référent").fill("Directrice des affaires scolaires");
  await page.getByRole("button", { name: "Enregistrer les modifications" }).click();
  await page.getByRole("status").filter({ hasText: "a été enregistré" }).waitFor();
  await page.locator("#activity-status").selectOption("validated");
  await page.getByRole("button", { name: "Changer le statut" }).click();
  await page.getByRole("status").filter({ hasText: "Statut :" }).waitFor();

  // Back in the list, filtered by its name.
  await navigate(page, "Registre RGPD");
  await page.getByLabel("Rechercher un traitement").fill(name);
  await page.getByRole("button", { name: "Appliquer les filtres" }).click();
  await page.getByRole("status").filter({ hasText: /^1 résultat$/ }).waitFor();
  await page.getByRole("link", { name }).waitFor();
  assert.equal(await register.locator("tbody tr").count(), 1);

  for (const [label, heading] of [
    ["Demandes de droits", "Demandes d'exercice des droits"],
    ["Violations", "Violations de données"],
    ["Sauvegardes", "Sauvegardes"],
    ["Coûts et factures", "Coûts et factures"],
  ]) {
    await navigate(page, label);
    await expectHeading(page, heading);
    await page.waitForLoadState("networkidle");
    await checkAccessibility(page, heading.toLowerCase());
    await screenshot(page, label.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/\W+/g, "-"));
  }

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
