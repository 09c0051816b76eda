// Impact assessment by the CNIL's method (issue 19): Compiègne's administrator starts the DPIA
// of its video protection from the intercommunality's CCTV model, weighs a risk and plans a
// measure (which appears in the activity's action plan), sees the prior consultation of the
// CNIL flagged when the residual risk stays high; the DPO gives an opinion; the commune
// validates. axe-core on every screen.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

const activity = "Vidéoprotection de la voie publique";
const measure = `Registre des extractions signé par le chef de police ${Date.now()}`;

async function openDpia() {
  await navigate(page, "Analyses d'impact");
  await expectHeading(page, "Analyses d'impact (AIPD)");
  await page.getByRole("link", { name: activity }).first().click();
  await expectHeading(page, `Analyse d'impact : ${activity}`);
}

async function step(label) {
  await page.getByRole("navigation", { name: "Étapes de l'analyse" }).getByRole("button", { name: label }).click();
  await page.getByRole("heading", { level: 2, name: label.replace(/^\d\. /, "") }).waitFor();
}

test("a commune starts its CCTV DPIA from the model, the DPO gives an opinion, the commune validates", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Analyses d'impact");
  await expectHeading(page, "Analyses d'impact (AIPD)");
  await page.getByText("Aucune analyse d'impact pour l'instant.").waitFor();
  await checkAccessibility(page, "analyses d'impact");

  // « Créer à partir d'un modèle »: the CCTV model of the agglomeration.
  const select = page.getByLabel("Traitement analysé");
  await select.locator("option", { hasText: activity }).first().waitFor({ state: "attached" });
  const value = await select.locator("option", { hasText: activity }).first().getAttribute("value");
  await select.selectOption(value);
  await page.getByLabel("Modèle de l'intercommunalité").selectOption({ label: "Vidéoprotection de l'espace public" });
  await page.getByRole("button", { name: "Créer l'analyse" }).click();
  await expectHeading(page, `Analyse d'impact : ${activity}`);
  assert.match(await page.locator("main").innerText(), /brouillon/i);
  // The model's context came along.
  assert.equal(await page.getByLabel("Présentation du traitement (finalités, enjeux)").inputValue().then((v) => v.includes("vidéoprotection")), true);
  await checkAccessibility(page, "analyse d'impact : contexte");

  // Principles: why the data subjects' opinion was not sought.
  await step("2. Principes fondamentaux");
  await page.getByLabel("Pourquoi leur avis n'a pas été recueilli").fill("Projet présenté en réunion publique de quartier ; avis du conseil municipal.");
  await page.getByRole("button", { name: "Enregistrer l'analyse" }).click();
  await page.getByRole("status").filter({ hasText: "Analyse enregistrée." }).waitFor();
  await checkAccessibility(page, "analyse d'impact : principes");

  // Risks: the residual risk of illegitimate access stays at 3 × 3; a planned measure added.
  await step("3. Risques");
  const access = page.locator('section[aria-labelledby="risk-illegitimate_access-title"]');
  await access.getByRole("button", { name: "Ajouter une mesure contre ce risque" }).click();
  const n = await access.locator("fieldset").count();
  await access.getByLabel(`Mesure ${n}`, { exact: true }).fill(measure);
  await access.locator(`#risk-illegitimate_access-measure-${n - 1}-due`).fill("2027-06-30");
  await page.locator("#risk-illegitimate_access-residual-severity").selectOption("3");
  await page.locator("#risk-illegitimate_access-residual-likelihood").selectOption("3");
  await page.getByRole("button", { name: "Enregistrer l'analyse" }).click();
  await page.getByRole("status").filter({ hasText: "Analyse enregistrée." }).waitFor();
  // Prior consultation of the CNIL flagged (Art. 36).
  await page.getByText("Consultation préalable de la CNIL requise (article 36)").waitFor();
  await page.getByText("Risque résiduel élevé.").waitFor();
  await checkAccessibility(page, "analyse d'impact : risques");

  // The risk map: a table, the residual position named in its cell.
  await step("4. Cartographie des risques");
  const map = tableByCaption(page, "Cartographie des risques");
  await map.waitFor();
  const row3 = map.locator("tr", { has: page.locator("th", { hasText: "3 – Importante" }) });
  assert.match(await row3.locator("td").nth(2).innerText(), /Accès illégitime \(résiduel\)/);
  await checkAccessibility(page, "analyse d'impact : cartographie");
  await screenshot(page, "aipd-cartographie");

  // The planned measure is an item of the activity's action plan.
  await page.getByRole("link", { name: "Fiche du traitement et plan d'action" }).click();
  await expectHeading(page, `Traitement : ${activity}`);
  await tableByCaption(page, "Plan d'action du traitement").getByRole("cell", { name: `AIPD : ${measure}`, exact: true }).waitFor();
  await page.goBack();
  await expectHeading(page, `Analyse d'impact : ${activity}`);

  // Sent to validation.
  await step("5. Avis et validation");
  await page.getByRole("button", { name: "Soumettre pour validation" }).click();
  await page.getByRole("status").filter({ hasText: "Analyse soumise pour validation." }).waitFor();
  await checkAccessibility(page, "analyse d'impact : soumise");
  await logout(page);

  // The DPO: the models page, then the opinion.
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Modèles d'AIPD");
  await expectHeading(page, "Modèles d'analyse d'impact");
  for (const name of ["Vidéoprotection de l'espace public", "Cantine scolaire et accueil périscolaire", "Gestion des ressources humaines"]) {
    await page.getByRole("heading", { name }).waitFor();
  }
  await checkAccessibility(page, "modèles d'AIPD");
  await openDpia();
  await step("5. Avis et validation");
  await page.getByLabel("Avis du DPO (article 35.2)").fill("Avis favorable sous réserve : le risque résiduel d'accès illégitime impose de consulter la CNIL.");
  await page.getByLabel("Évaluation : Minimisation des données").selectOption({ label: "Améliorable" });
  await page.getByRole("button", { name: "Enregistrer l'avis du DPO" }).click();
  await page.getByRole("status").filter({ hasText: "Avis du DPO enregistré." }).waitFor();
  // The decision is not the DPO's.
  assert.equal(await page.getByRole("button", { name: "Enregistrer la décision" }).count(), 0);
  await checkAccessibility(page, "analyse d'impact : avis du DPO");
  await logout(page);

  // The commune validates.
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await openDpia();
  await step("5. Avis et validation");
  await page.getByText("Avis favorable sous réserve").waitFor();
  await page.getByLabel("Décision prise par (nom et qualité)").fill("Philippe Marini, maire");
  await page.getByRole("button", { name: "Enregistrer la décision" }).click();
  await page.getByRole("status").filter({ hasText: "Analyse validée." }).waitFor();
  await page.getByText(/Validée par Philippe Marini, maire/).waitFor();
  await page.getByText("Consultation préalable de la CNIL requise (article 36)").waitFor();
  await checkAccessibility(page, "analyse d'impact : validée");
  await screenshot(page, "aipd-validee");
  // Its PDF.
  const href = await page.getByRole("link", { name: "Télécharger le PDF" }).getAttribute("href");
  const pdf = await page.request.get(href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  // The list says where it stands.
  await navigate(page, "Analyses d'impact");
  await tableByCaption(page, "Analyses d'impact").getByText(/consultation cnil requise/i).waitFor();

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
