// Commune administrator of Compiègne: the register brought from MADIS (issue 21). MADIS's own
// exports (the fixtures of tests/it, written the way MADIS writes them) are checked first, the
// report read line by line, then imported; a file of the wrong kind is refused next to its field.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout } from "../lib/browser.mjs";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../tests/it/fixtures/madis");
const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("a commune administrator imports the register kept in MADIS", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await page.getByRole("link", { name: "Importer depuis MADIS" }).click();
  await expectHeading(page, "Importer depuis MADIS");
  await checkAccessibility(page, "import MADIS");

  // The contractors export given as the treatments one: refused, next to its field.
  await page.getByLabel(/Export des traitements/).setInputFiles(path.join(fixtures, "madis-contractor.csv"));
  await page.getByRole("button", { name: "Vérifier les fichiers" }).click();
  await page.locator("#madis-treatments-messages").getByText("n'est pas l'export des traitements de MADIS").waitFor();

  // The right files: a check first, line by line.
  await page.getByLabel(/Export des traitements/).setInputFiles(path.join(fixtures, "madis-treatment.csv"));
  await page.getByLabel(/Export des sous-traitants/).setInputFiles(path.join(fixtures, "madis-contractor.csv"));
  await page.getByRole("button", { name: "Vérifier les fichiers" }).click();
  await page.getByText(/Vérification réussie : 4 traitements et \d sous-traitants? à importer\./).waitFor();
  const treatments = page.getByRole("table", { name: "Traitements : rapport ligne par ligne" });
  await treatments.getByRole("row", { name: /Gestion du cimetière.*Ignorée.*autre structure/ }).waitFor();
  await treatments.getByRole("row", { name: /Paie des agents.*À importer.*importé puis archivé/ }).waitFor();
  await checkAccessibility(page, "import MADIS : rapport de vérification");

  await page.getByRole("button", { name: "Importer", exact: true }).click();
  await page.getByText(/Import terminé : 4 traitements et \d sous-traitants? importés/).waitFor();
  await screenshot(page, "import-madis");

  // The register holds the imported treatments, as drafts.
  await page.getByRole("link", { name: "Retour au registre" }).click();
  await expectHeading(page, "Registre RGPD");
  await page.getByRole("link", { name: "Tenue des registres de l'état civil" }).waitFor();

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
