// The shared DPO's follow-up: the DPIA queue of every commune (a completed DPIA without its
// conclusion refused by the API next to the field, then recorded and gone from the queue),
// and the overdue rights requests across communes.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("the DPO works through the DPIA queue and the overdue requests", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Suivi DPO");
  await expectHeading(page, "Suivi du DPO");
  const status = page.getByRole("status").filter({ hasText: /AIPD à mener\.$/ });
  await status.waitFor();
  const waiting = Number((await status.innerText()).match(/^(\d+)/)[1]);
  assert.ok(waiting > 0, "the demo has activities whose screening requires a DPIA");
  const queue = tableByCaption(page, "File des analyses d'impact");
  assert.equal(await queue.locator("tbody tr").count(), waiting);
  assert.ok((await queue.locator("thead th").allInnerTexts()).includes("Commune"), "every commune");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  await checkAccessibility(page, "suivi du DPO");
  await screenshot(page, "suivi-dpo");

  // A completed DPIA states its conclusion: the API says so next to the field.
  const activity = page.getByLabel("Traitement");
  const first = (await activity.locator("option").allInnerTexts())[1];
  await activity.selectOption({ label: first });
  await page.getByLabel("Statut de l'AIPD").selectOption({ label: "Réalisée" });
  await page.getByRole("button", { name: "Enregistrer l'AIPD" }).click();
  await page.locator("#field-conclusion-error").filter({ hasText: "énonce sa conclusion" }).waitFor();
  assert.equal(await page.getByLabel("Statut de l'AIPD").inputValue(), "completed", "the choice is kept");
  await checkAccessibility(page, "suivi du DPO (erreur de l'API)");
  await page.getByLabel("Conclusion").fill("Risques résiduels acceptables après chiffrement des exports.");
  await page.getByRole("button", { name: "Enregistrer l'AIPD" }).click();
  await page.getByText(/: Réalisée le /).waitFor();
  await page.getByRole("status").filter({ hasText: new RegExp(`^${waiting - 1} AIPD à mener\\.$`) }).waitFor();

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
