// Commune administrator of Compiègne: rights requests from receipt to closure on their own
// page (issue 17): taken in hand, extended with its reason (the new deadline shown before and
// after), refused with its reasons; another answered, a third closed as withdrawn; the
// history says what was done, by whom. The list's rows lead to each request's page.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

/** Ticks a DSFR checkbox or radio with the keyboard (its input is drawn by its label). */
async function choose(input) {
  await input.focus();
  await page.keyboard.press("Space");
  assert.ok(await input.isChecked());
}

/** Records a request through the list page's form and opens its page. */
async function recordRequest(requester, kind) {
  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  await page.getByLabel("Droit exercé").selectOption({ label: kind });
  await page.locator("#field-requester").fill(requester);
  await page.locator("#field-contact").fill("Courriel");
  await page.getByRole("button", { name: "Enregistrer la demande" }).click();
  await page.getByRole("link", { name: "Voir la demande" }).click();
  await expectHeading(page, `Demande de ${requester}`);
}

function history() {
  return tableByCaption(page, "Historique de la demande");
}

async function historyActions() {
  return (await history().locator("tbody tr td:nth-child(2)").allInnerTexts()).map((t) => t.trim());
}

/** The history once it reads `expected` (it is reloaded after each action). */
async function expectHistory(expected) {
  const deadline = Date.now() + 10_000;
  let actual = await historyActions();
  while (JSON.stringify(actual) !== JSON.stringify(expected) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    actual = await historyActions();
  }
  assert.deepEqual(actual, expected);
}

test("a commune administrator handles rights requests to the end", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");

  // The list's rows are links to each request's page.
  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  const firstLink = page.locator("table a[href^='/demandes/']").first();
  await firstLink.waitFor();
  const name = (await firstLink.innerText()).trim();
  await firstLink.click();
  await expectHeading(page, `Demande de ${name}`);
  await history().waitFor();

  // A new request: taken in hand, extended, refused.
  const stamp = Date.now();
  const first = `Mme Lefèvre ${stamp}`;
  await recordRequest(first, "Accès");
  await expectHistory(["Demande enregistrée"]);
  await checkAccessibility(page, "demande : reçue");
  await screenshot(page, "demande-detail");

  await page.getByRole("button", { name: "Prendre en charge" }).click();
  await page.getByRole("status").filter({ hasText: "La demande est prise en charge." }).waitFor();
  await page.getByText("En cours", { exact: true }).first().waitFor();

  // The extension: the reason is required; the new deadline is said before and after.
  const extendButton = page.getByRole("button", { name: /^Prolonger jusqu'au / });
  const newDue = (await extendButton.innerText()).replace("Prolonger jusqu'au ", "").trim();
  assert.match(await page.getByText("La nouvelle échéance sera le").innerText(), new RegExp(newDue));
  await extendButton.click();
  await page.locator("#field-reason-error").filter({ hasText: "Indiquez le motif" }).waitFor();
  await checkAccessibility(page, "demande : prolongation sans motif");
  await page.getByLabel("Motif de la prolongation").fill("Archives papier à rechercher dans trois services");
  await extendButton.click();
  await page.getByRole("status").filter({ hasText: `Délai prolongé : nouvelle échéance le ${newDue}.` }).waitFor();
  await page.getByText("Archives papier à rechercher dans trois services").first().waitFor();
  assert.match(await page.locator(".console-facts").innerText(), new RegExp(`Échéance\\s+${newDue}`));
  await page.getByText("La demande a déjà été prolongée").waitFor();

  // Refused: the reasons are required, then the request is closed.
  await choose(page.getByLabel("Refuser", { exact: true }));
  await page.getByRole("button", { name: "Refuser la demande" }).click();
  await page.locator("#field-answer-error").filter({ hasText: "Indiquez les motifs du refus." }).waitFor();
  await page.getByLabel("Motifs du refus").fill("Demande manifestement infondée : aucune donnée détenue. Recours possible auprès de la CNIL.");
  await page.getByRole("button", { name: "Refuser la demande" }).click();
  await page.getByRole("status").filter({ hasText: "Le refus et ses motifs sont enregistrés" }).waitFor();
  await page.getByText("Cette demande est close (refusée)").waitFor();
  await expectHistory([
    "Demande enregistrée",
    "Demande prise en charge",
    "Délai prolongé de deux mois (art. 12.3)",
    "Demande refusée (motifs donnés)",
  ]);
  const byWhom = await history().locator("tbody tr td:nth-child(3)").allInnerTexts();
  assert.ok(byWhom.every((w) => w.trim() && w.trim() !== "—"), `who did it: ${byWhom}`);
  await checkAccessibility(page, "demande : refusée");
  await screenshot(page, "demande-refusee");

  // Another one answered.
  const second = `M. Garnier ${stamp}`;
  await recordRequest(second, "Accès");
  await page.getByLabel("Réponse apportée").fill("Copie des données transmise par courrier recommandé.");
  await page.getByRole("button", { name: "Enregistrer la réponse" }).click();
  await page.getByRole("status").filter({ hasText: "La réponse est enregistrée" }).waitFor();
  await expectHistory(["Demande enregistrée", "Réponse envoyée"]);

  // A third closed: withdrawn by the person.
  const third = `Mme Roussel ${stamp}`;
  await recordRequest(third, "Accès");
  await choose(page.getByLabel("Clore (demande retirée)"));
  await page.getByLabel("Précisions").fill("Retirée par courriel.");
  await page.getByRole("button", { name: "Clore la demande" }).click();
  await page.getByRole("status").filter({ hasText: "La demande est close (retirée)." }).waitFor();
  await expectHistory(["Demande enregistrée", "Demande close (retirée)"]);
  await checkAccessibility(page, "demande : close");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
