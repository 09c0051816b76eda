// The DSI: the consolidated dashboard of the organisation (charts with their tables) and the
// PDF export of the month.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, context, consoleErrors } = await launch();
after(() => browser.close());

test("the DSI reads the consolidated dashboard and downloads its PDF", async () => {
  await demoLogin(page, "DSI de l'agglomération");
  await checkAccessibility(page, "accueil (DSI)");
  await screenshot(page, "accueil-dsi");
  await navigate(page, "Tableau de bord");
  await expectHeading(page, "Tableau de bord consolidé");

  // The worker computes the month's report at start; ask for it when it is not there yet.
  const pdf = page.getByRole("link", { name: "Télécharger le rapport (PDF)" });
  for (let attempt = 0; attempt < 40 && !(await pdf.isVisible()); attempt++) {
    if (attempt === 0 && (await page.getByText("Aucun rapport calculé").isVisible())) {
      await page.getByRole("button", { name: "Recalculer le rapport du mois" }).click();
    }
    await page.waitForTimeout(3000);
    await page.reload();
    await expectHeading(page, "Tableau de bord consolidé");
    await page.waitForLoadState("networkidle");
  }
  await pdf.waitFor();

  // Five charts (the last one maturity), each an SVG image with a name and its figures in a table.
  const charts = page.locator("figure svg[role=img]");
  assert.equal(await charts.count(), 5);
  await page.getByRole("heading", { name: "Maturité RGPD par commune" }).waitFor();
  const heads = await page.locator("thead th").allTextContents();
  assert.ok(heads.some((h) => /maturité/i.test(h)), `a maturity column among ${heads.join(", ")}`);
  const detail = page.locator("table", { has: page.locator("caption", { hasText: "Indicateurs par commune" }) });
  // The 22 member communes (the intercommunality's own tenant is not one).
  assert.equal(await detail.locator("tbody tr").count(), 22, "the demo's 22 communes");
  await screenshot(page, "tableau-de-bord");
  await checkAccessibility(page, "tableau de bord consolidé");
  // A chart's figures, opened with the keyboard.
  await page.locator("details summary", { hasText: "Données du graphique : coûts répartis par commune" }).focus();
  await page.keyboard.press("Enter");
  await tableByCaption(page, "Coûts répartis par commune").locator("tbody tr").first().waitFor();
  await checkAccessibility(page, "tableau de bord consolidé (données d'un graphique)");

  // The PDF export of the month answers a PDF to this session.
  const href = await pdf.getAttribute("href");
  assert.match(href, /^\/exports\/reports\/consolidated\?organisation=[0-9a-f-]{36}&period=\d{4}-\d{2}&format=pdf$/);
  const response = await context.request.get(href);
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"] ?? "", /application\/pdf/);
  assert.equal((await response.body()).subarray(0, 5).toString(), "%PDF-");

  await navigate(page, "Sauvegardes");
  await expectHeading(page, "Sauvegardes");
  await tableByCaption(page, "État des sauvegardes par commune").waitFor();
  await checkAccessibility(page, "sauvegardes (DSI)");
  await screenshot(page, "sauvegardes-dsi");

  await navigate(page, "Coûts et factures");
  await expectHeading(page, "Coûts et factures");
  await page.waitForLoadState("networkidle");
  await checkAccessibility(page, "coûts (DSI)");
  await screenshot(page, "couts-dsi");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
