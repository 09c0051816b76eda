// Maturity: the DPO publishes a questionnaire (an error flagged next to its question, nothing
// typed lost), then its next version; assesses Compiègne (the API refuses a future date next
// to the field); the communes side by side. Compiègne's administrator assesses again and sees
// the change, and fetches the council summary PDF.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { setCheckbox, checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, context, consoleErrors } = await launch();
after(() => browser.close());

const TITLE = "Maturité RGPD des communes";
/** Chooses a radio button (drawn by its label, as the DSFR does) with the keyboard. */
async function choose(page, question, answer) {
  const radio = page.locator(`#field-q-${question}`).getByLabel(answer);
  await radio.focus();
  await page.keyboard.press("Space");
  assert.ok(await radio.isChecked(), `${question}: ${answer}`);
}
const day = (offsetDays) => {
  const d = new Date(Date.now() + offsetDays * 86400_000);
  return new Intl.DateTimeFormat("fr-CA", { year: "numeric", month: "2-digit", day: "2-digit", timeZone: "Europe/Paris" }).format(d);
};

test("the DPO publishes a questionnaire and assesses a commune", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Maturité");
  await expectHeading(page, "Maturité RGPD");
  await page.getByText(/Aucun questionnaire publié|Versions des questionnaires/).first().waitFor();

  await page.getByRole("link", { name: "Nouveau questionnaire" }).click();
  await expectHeading(page, "Nouveau questionnaire de maturité");
  await page.getByLabel("Titre du questionnaire").fill(TITLE);
  await page.getByLabel("Clé de la question 1").fill("registre");
  await page.getByLabel("Thème de la question 1").fill("Registre");
  await page.getByLabel("Poids de la question 1").fill("3");
  await page.getByLabel("Énoncé de la question 1").fill("Le registre des traitements est-il tenu à jour ?");
  await page.getByRole("button", { name: "Ajouter une question" }).click();
  await page.getByLabel("Clé de la question 2").fill("sauvegardes");
  await page.getByLabel("Thème de la question 2").fill("Sécurité");
  await page.getByLabel("Poids de la question 2").fill("2");
  await page.getByLabel("Énoncé de la question 2").fill("Les restaurations de sauvegarde sont-elles testées ?");
  // No answer worth 100 %: refused, next to question 2, everything typed kept.
  await page.getByLabel("Score (%) de la réponse 1, question 2").fill("90");
  await page.getByRole("button", { name: "Ajouter une réponse à la question 2" }).click();
  await page.getByLabel("Réponse 4 de la question 2").fill("Pas de sauvegarde à la commune");
  await setCheckbox(page, "« Sans objet » (réponse 4, question 2)", true);
  await page.getByRole("button", { name: "Publier le questionnaire" }).click();
  const q2 = page.locator("fieldset", { has: page.getByText("Question 2", { exact: true }) });
  await q2.locator(".fr-message--error").filter({ hasText: "une réponse doit valoir 100 %" }).waitFor();
  await page.getByRole("link", { name: /^Question 2 : / }).waitFor();
  assert.equal(await page.getByLabel("Titre du questionnaire").inputValue(), TITLE);
  assert.equal(await page.getByLabel("Clé de la question 2").inputValue(), "sauvegardes");
  await checkAccessibility(page, "questionnaire de maturité (erreur)");
  await screenshot(page, "maturite-editeur");
  await page.getByLabel("Score (%) de la réponse 1, question 2").fill("100");
  await page.getByRole("button", { name: "Publier le questionnaire" }).click();
  await expectHeading(page, "Maturité RGPD");
  await page.getByText(`Questionnaire « ${TITLE} » publié (version 1).`).waitFor();

  // The next version, from the first (published ones are read-only).
  await page.getByRole("link", { name: new RegExp(`Nouvelle version de « ${TITLE} » à partir de la version 1`) }).click();
  await expectHeading(page, `Nouvelle version de « ${TITLE} »`);
  assert.equal(await page.getByLabel("Titre du questionnaire").inputValue(), TITLE);
  await page.getByLabel("Poids de la question 1").fill("4");
  await page.getByRole("button", { name: "Publier le questionnaire" }).click();
  await page.getByText(`Questionnaire « ${TITLE} » publié (version 2).`).waitFor();
  // Both versions listed, beside the demo's own questionnaire.
  const versions = tableByCaption(page, "Versions des questionnaires");
  const ours = versions.locator("tbody tr", { hasText: TITLE });
  await ours.nth(1).waitFor();
  assert.equal(await ours.count(), 2);
  await checkAccessibility(page, "maturité (questionnaires)");

  // Compiègne, through the switcher.
  await page.getByLabel("Commune affichée").selectOption({ label: "Compiègne (60159)" });
  await page.getByRole("link", { name: "Synthèse de Compiègne (PDF)" }).waitFor();
  await page.getByRole("link", { name: "Évaluer Compiègne" }).click();
  await expectHeading(page, "Évaluer la maturité d'une commune");
  await page.getByLabel("Questionnaire").selectOption({ label: `${TITLE} (version 2)` });
  await page.getByLabel("Date de l'évaluation").fill(day(1));
  await choose(page, "registre", "Partiellement");
  await page.getByRole("button", { name: "Enregistrer l'évaluation" }).click();
  // Unanswered question: flagged by the console.
  await page.locator("#q-sauvegardes-error").filter({ hasText: "Choisissez une réponse." }).waitFor();
  // Answer it with the keyboard, then the API refuses the future date next to its field.
  await choose(page, "sauvegardes", "Oui");
  await page.getByRole("button", { name: "Enregistrer l'évaluation" }).click();
  await page.locator("#field-assessedOn-error").filter({ hasText: "La date ne peut pas être dans le futur." }).waitFor();
  assert.ok(await page.locator("#field-q-registre").getByLabel("Partiellement").isChecked(), "answers kept");
  await checkAccessibility(page, "évaluation de maturité (erreur de l'API)");
  await page.getByLabel("Date de l'évaluation").fill(day(-1));
  await page.getByLabel("Notes").fill("Première évaluation avec le DPO.");
  await page.getByRole("button", { name: "Enregistrer l'évaluation" }).click();
  // (4 × 50 % + 2 × 100 %) / 6 = 66,7 %
  await page.getByRole("heading", { name: "Évaluation enregistrée : 66,7 %" }).waitFor();
  await tableByCaption(page, "Score par thème").waitFor();
  await checkAccessibility(page, "évaluation de maturité (score)");
  await screenshot(page, "maturite-evaluation");

  // Every commune side by side.
  await page.getByLabel("Commune affichée").selectOption("");
  await page.getByRole("link", { name: "Voir la progression" }).click();
  await expectHeading(page, "Maturité RGPD");
  const side = tableByCaption(page, "Maturité des communes");
  await side.locator("tbody tr", { hasText: "Compiègne" }).filter({ hasText: "66,7 %" }).waitFor();
  assert.ok((await side.locator("tbody tr").count()) >= 20, "every commune is listed");
  await checkAccessibility(page, "maturité des communes (DPO)");
  await screenshot(page, "maturite-communes");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("Compiègne's administrator assesses again, sees the change and the council summary", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  const pdf = page.getByRole("link", { name: "Synthèse de Compiègne (PDF)" });
  await pdf.waitFor();
  const href = await pdf.getAttribute("href");
  assert.match(href, /^\/exports\/reports\/commune\?tenant=[0-9a-f-]{36}&period=\d{4}-\d{2}&format=pdf$/);
  const response = await context.request.get(href);
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"] ?? "", /application\/pdf/);
  assert.equal((await response.body()).subarray(0, 5).toString(), "%PDF-");

  await navigate(page, "Maturité");
  await expectHeading(page, "Maturité RGPD");
  await page.getByRole("link", { name: "Évaluer Compiègne" }).click();
  await expectHeading(page, "Évaluer la maturité d'une commune");
  await page.getByLabel("Questionnaire").selectOption({ label: `${TITLE} (version 2)` });
  await choose(page, "registre", "Oui");
  await choose(page, "sauvegardes", "Oui");
  await page.getByRole("button", { name: "Enregistrer l'évaluation" }).click();
  await page.getByRole("heading", { name: "Évaluation enregistrée : 100 %" }).waitFor();
  await page.getByText(/\+33,3 points depuis l'évaluation précédente/).waitFor();
  await page.getByRole("link", { name: "Voir la progression" }).click();
  await expectHeading(page, "Maturité RGPD");
  // The demo's two assessments (its own questionnaire) and the DPO's and this one.
  const history = tableByCaption(page, "Évaluations de la commune");
  await history.locator("tbody tr").nth(3).waitFor();
  assert.equal(await history.locator("tbody tr").count(), 4);
  assert.match(await history.locator("tbody tr").first().innerText(), /\+33,3 points/i);
  assert.equal(await page.locator("figure svg[role=img]").count(), 2);
  await checkAccessibility(page, "maturité de la commune");
  await screenshot(page, "maturite-commune");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
