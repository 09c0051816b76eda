// The shared DPO: every commune of the organisation, the tenant switcher, the alerts
// (issue 7), the registers side by side, requests and breaches with their countdowns.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("the shared DPO follows the alerts of every commune", async () => {
  await demoLogin(page, "DPO mutualisé");
  await checkAccessibility(page, "accueil (DPO)");
  const switcher = page.getByLabel("Commune affichée");
  await switcher.selectOption({ label: "Toutes les communes (23)" }).catch(async () => {
    // The number of tenants is the demo's (22 communes and the intercommunality itself).
    await switcher.selectOption("");
  });

  await navigate(page, "Alertes");
  await expectHeading(page, "Alertes");
  // The worker records the demo's alerts in its first scan, right after the start.
  const summary = page.getByRole("status").filter({ hasText: /^[1-9][\d\u202f ]* résultats?/ });
  for (let attempt = 0; attempt < 20 && !(await summary.isVisible()); attempt++) {
    await page.waitForTimeout(1000);
    if (attempt % 3 === 2) await page.reload();
  }
  await summary.waitFor();
  const alertsTable = tableByCaption(page, "Alertes en cours");
  const total = await alertsTable.locator("tbody tr").count();
  assert.ok(total > 0, "the demo records alerts at start");
  // Every alert on this page, and the count says how many there are in all.
  const counted = Number((await summary.innerText()).match(/^([\d\u202f ]+) résultat/)[1].replace(/\D/g, ""));
  assert.equal(total, Math.min(counted, 50));
  await checkAccessibility(page, "alertes (toutes les communes)");
  await screenshot(page, "alertes");

  // Filter by kind: only rows of that kind remain.
  const kindSelect = page.getByLabel("Type d'alerte");
  const options = await kindSelect.locator("option").allInnerTexts();
  const withAlerts = options.find((o) => /\((\d+)\)$/.test(o) && !/\(0\)$/.test(o) && !o.startsWith("Tous"));
  assert.ok(withAlerts, `a kind with alerts among ${options.join(", ")}`);
  await kindSelect.selectOption({ label: withAlerts });
  const expected = Number(withAlerts.match(/\((\d+)\)$/)[1]);
  await page.getByRole("status").filter({ hasText: new RegExp(`^${expected} résultat`) }).waitFor();
  assert.equal(await alertsTable.locator("tbody tr").count(), Math.min(expected, 50));
  // The filter is in the address: a reload keeps it.
  assert.match(page.url(), /[?&]type=/);
  await page.reload();
  await page.getByRole("status").filter({ hasText: new RegExp(`^${expected} résultat`) }).waitFor();

  // One commune through the switcher: the commune column disappears.
  await page.getByLabel("Commune affichée").selectOption({ label: "Compiègne (60159)" });
  await kindSelect.selectOption("");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  const headers = await page.locator("thead th").allInnerTexts();
  assert.ok(!headers.includes("Commune"), "no commune column for one commune");
  await checkAccessibility(page, "alertes (Compiègne)");

  // Registers side by side, then requests and breaches with their clocks.
  await page.getByLabel("Commune affichée").selectOption("");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  const register = tableByCaption(page, "Traitements du registre");
  await register.locator("tbody tr").first().waitFor();
  assert.ok((await register.locator("thead th").allInnerTexts()).includes("Commune"));
  await checkAccessibility(page, "registres de toutes les communes");

  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  await checkAccessibility(page, "demandes (DPO)");
  await screenshot(page, "demandes-dpo");

  await navigate(page, "Violations");
  await expectHeading(page, "Violations de données");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  await checkAccessibility(page, "violations (DPO)");
  await screenshot(page, "violations-dpo");

  await navigate(page, "Tableau de bord");
  await expectHeading(page, "Tableau de bord consolidé");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
