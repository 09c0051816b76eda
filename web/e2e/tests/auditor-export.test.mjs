// The auditor: read-only register, and the export screen (formats, archive with its
// manifest, then the archive checked against the audit trail).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setCheckbox, checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("an auditor exports the register of Compiègne and checks the archive", async () => {
  await demoLogin(page, "Auditeur (accès 30 jours)");
  await checkAccessibility(page, "accueil (auditeur)");
  const nav = (await page.locator("#navigation a").allTextContents()).map((t) => t.trim());
  assert.ok(nav.includes("Export"));
  assert.ok(!nav.includes("Tableau de bord"), "no consolidated dashboard for an auditor");

  // Read-only register: no creation button, the form is disabled.
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await page.locator("table tbody tr a").first().waitFor();
  assert.equal(await page.getByRole("link", { name: "Nouveau traitement" }).count(), 0);
  await page.locator("table tbody tr a").first().click();
  await expectHeading(page, /^Traitement : /);
  await page.getByText("Lecture seule : votre rôle ne permet pas de modifier le registre.").waitFor();
  assert.ok(await page.getByLabel("Nom du traitement").isDisabled());
  await checkAccessibility(page, "traitement en lecture seule");

  await navigate(page, "Export");
  await expectHeading(page, "Export du registre");
  await checkAccessibility(page, "export");

  // No format and no CNIL layout: refused by the console before any request.
  for (const f of ["PDF (document imprimable)", "ODS (tableur, format ouvert)", "CSV"]) await setCheckbox(page, f, false);
  await setCheckbox(page, "Présentation du modèle de registre de la CNIL", false);
  await page.getByRole("button", { name: "Préparer l'export" }).click();
  await page.locator("#field-formats-error").waitFor();
  await checkAccessibility(page, "export : erreur");

  await setCheckbox(page, "ODS (tableur, format ouvert)", true);
  await setCheckbox(page, "PDF (document imprimable)", true);
  await page.getByLabel("Objet de l'export").fill("Contrôle de la chambre régionale des comptes");
  await page.getByRole("button", { name: "Préparer l'export" }).click();
  const link = page.getByRole("link", { name: /^Télécharger registre-rgpd-.*\.zip/ });
  await link.waitFor();
  const sha = await page.locator("code").innerText();
  assert.match(sha, /^[0-9a-f]{64}$/);
  await checkAccessibility(page, "export prêt");
  await screenshot(page, "export");

  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = join(mkdtempSync(join(tmpdir(), "mutualis-e2e-")), download.suggestedFilename());
  await download.saveAs(file);

  // The archive is checked by the server against the manifest and the audit trail.
  await page.getByLabel(/Archive d'export \(ZIP\)/).setInputFiles(file);
  await page.getByRole("button", { name: "Vérifier" }).click();
  await page.getByText(/Archive intègre et inscrite au journal d'audit/).waitFor();
  await checkAccessibility(page, "export vérifié");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
