// Réversibilité (issue 21): the DSI asks for the archive of the whole intercommunality, the
// worker writes it while the page shows its progress, and the ZIP downloads; Compiègne's
// administrator exports her commune only and never sees the intercommunality's archive.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

async function readyRow(table, text) {
  const row = table.locator("tbody tr", { hasText: text }).filter({ hasText: /prête/i }).first();
  await row.waitFor({ timeout: 120_000 });
  return row;
}

test("the DSI exports the whole intercommunality, a commune's administrator her commune", async () => {
  await demoLogin(page, "DSI de l'agglomération");
  await navigate(page, "Réversibilité");
  await expectHeading(page, "Réversibilité");
  await checkAccessibility(page, "réversibilité (DSI)");
  await page.locator("#reversibility-target").selectOption({ label: "Toute l'intercommunalité (toutes les communes)" });
  await page.getByRole("button", { name: "Demander l'export" }).click();
  const table = tableByCaption(page, "Exports de réversibilité");
  const first = table.locator("tbody tr").first();
  await first.waitFor();
  // While it is written: a labelled progress bar (unless the worker was already done).
  if (await first.locator("progress").count()) {
    const id = await first.locator("progress").getAttribute("id");
    assert.match(await page.locator(`label[for="${id}"]`).innerText(), /Progression de l'export/);
    await checkAccessibility(page, "réversibilité (export en cours)");
  }
  const row = await readyRow(table, "toute l'intercommunalité");
  await page.locator("#reversibility-status", { hasText: /terminé|prête|demandé/i }).waitFor({ state: "attached" });
  const link = row.getByRole("link", { name: /Télécharger/ });
  const href = await link.getAttribute("href");
  const res = await page.request.get(href);
  assert.equal(res.status(), 200);
  assert.equal(res.headers()["content-type"], "application/zip");
  const zip = await res.body();
  assert.equal(zip.subarray(0, 2).toString(), "PK");
  assert.match(await row.innerText(), /Manifeste SHA-256/);
  await checkAccessibility(page, "réversibilité (archive prête)");
  await screenshot(page, "reversibilite");
  await logout(page);

  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Réversibilité");
  await expectHeading(page, "Réversibilité");
  const options = await page.locator("#reversibility-target option").allInnerTexts();
  assert.deepEqual(options, ["Compiègne"]);
  // The intercommunality's archive is not hers to see.
  const mine = tableByCaption(page, "Exports de réversibilité");
  assert.equal(await mine.count(), 0);
  await page.getByRole("button", { name: "Demander l'export" }).click();
  const ready = await readyRow(mine, "Compiègne");
  assert.doesNotMatch(await mine.innerText(), /toute l'intercommunalité/i);
  const own = await page.request.get(await ready.getByRole("link", { name: /Télécharger/ }).getAttribute("href"));
  assert.equal(own.status(), 200);
  await checkAccessibility(page, "réversibilité (commune)");
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
