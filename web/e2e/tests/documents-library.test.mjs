// Evidence documents and the DPO's library (issue 19). Compiègne's administrator deposits a
// document (a program renamed « .pdf » refused next to the file field first), finds it in the
// list and downloads it as an attachment, adds a « pièce justificative » on an activity's
// page; the DPO publishes a guide to every commune and sees that nobody read it; the
// administrator opens it (a read receipt), and the DPO then sees Compiègne among its readers.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

const pdf = (text) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);

test("a commune deposits evidence, the DPO publishes to the library and sees who read it", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Documents");
  await expectHeading(page, "Documents");
  await page.getByRole("status").filter({ hasText: /résultat|Aucun document/ }).first().waitFor();
  await checkAccessibility(page, "documents");

  // A Windows program renamed « .pdf »: refused by its content, next to the file field.
  const title = `Attestation de formation RGPD ${Date.now()}`;
  await page.getByLabel("Type de document").selectOption({ label: "Attestation de formation ou de présence" });
  await page.getByRole("textbox", { name: /^Titre/ }).fill(title);
  await page.locator("#doc-file").setInputFiles({ name: "attestation.pdf", mimeType: "application/pdf", buffer: Buffer.concat([Buffer.from("MZ\x90\x00"), Buffer.alloc(64)]) });
  await page.getByRole("button", { name: "Déposer le document" }).click();
  await page.locator("#doc-file-error").filter({ hasText: /programme Windows/ }).waitFor();
  assert.equal(await page.getByRole("textbox", { name: /^Titre/ }).inputValue(), title, "nothing typed is lost");
  await checkAccessibility(page, "documents : fichier refusé");

  // The real PDF.
  await page.locator("#doc-file").setInputFiles({ name: "attestation.pdf", mimeType: "application/pdf", buffer: pdf(title) });
  await page.getByRole("button", { name: "Déposer le document" }).click();
  await page.getByRole("status").filter({ hasText: `Le document « ${title} » est déposé.` }).first().waitFor();
  const table = tableByCaption(page, "Documents");
  const row = table.locator("tr", { hasText: title });
  await row.waitFor();
  assert.match(await row.innerText(), /attestation\.pdf/);
  // Its download is an attachment that is never sniffed.
  const href = await row.getByRole("link", { name: /attestation\.pdf/ }).getAttribute("href");
  const file = await page.request.get(href);
  assert.equal(file.status(), 200);
  assert.match(file.headers()["content-disposition"], /^attachment;/);
  assert.equal(file.headers()["x-content-type-options"], "nosniff");
  assert.ok((await file.body()).toString().includes(title));
  // A search without accents finds it.
  await page.getByLabel("Rechercher").fill("ATTESTATION formation");
  await page.getByRole("button", { name: "Rechercher" }).click();
  await table.locator("tr", { hasText: title }).waitFor();
  await checkAccessibility(page, "documents : document déposé");
  await screenshot(page, "documents");

  // « Pièces justificatives » on an activity's page.
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  const first = page.locator("main table tbody tr a").first();
  await first.waitFor();
  const activity = (await first.innerText()).trim();
  await first.click();
  await expectHeading(page, `Traitement : ${activity}`);
  const evidence = page.locator("section", { has: page.getByRole("heading", { name: "Pièces justificatives" }) });
  await evidence.getByText("Aucune pièce justificative liée.").waitFor();
  await evidence.getByRole("button", { name: "Ajouter une pièce justificative" }).click();
  const proof = `Procédure d'accès ${Date.now()}`;
  await evidence.getByLabel("Type de document").selectOption({ label: "Procédure" });
  await evidence.getByRole("textbox", { name: /^Titre/ }).fill(proof);
  await evidence.locator("input[type=file]").setInputFiles({ name: "procedure.pdf", mimeType: "application/pdf", buffer: pdf(proof) });
  await evidence.getByRole("button", { name: "Déposer le document" }).click();
  await evidence.getByRole("status").filter({ hasText: `Le document « ${proof} » est déposé.` }).first().waitFor();
  await tableByCaption(page, "Pièces justificatives").locator("tr", { hasText: proof }).waitFor();
  await checkAccessibility(page, "traitement : pièces justificatives");
  await logout(page);

  // The DPO publishes a guide to the library.
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Bibliothèque");
  await expectHeading(page, "Bibliothèque");
  const guide = `Guide de la vidéoprotection ${Date.now()}`;
  await page.getByRole("textbox", { name: /^Titre/ }).fill(guide);
  await page.getByLabel("Catégorie").selectOption({ label: "Guide" });
  await page.getByLabel("Description").fill("À lire avant toute installation de caméra.");
  await page.locator("#publish-file").setInputFiles({ name: "guide.pdf", mimeType: "application/pdf", buffer: pdf(guide) });
  await page.getByRole("button", { name: "Publier la ressource" }).click();
  await page.getByRole("status").filter({ hasText: `La ressource « ${guide} » est publiée pour les communes.` }).first().waitFor();
  const card = page.locator("section.fr-card", { has: page.getByRole("heading", { name: guide }) });
  await card.waitFor();
  await card.getByText(/^0 sur \d+ communes$/).waitFor();
  const readers = tableByCaption(card, `Lecture de la version 1 de « ${guide} »`);
  assert.match(await readers.locator("tr", { hasText: /^\s*Compiègne/ }).first().innerText(), /non lue/i);
  await checkAccessibility(page, "bibliothèque (DPO)");
  await logout(page);

  // Compiègne's administrator opens it: « Lue ».
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Bibliothèque");
  await expectHeading(page, "Bibliothèque");
  const mine = page.locator("section.fr-card", { has: page.getByRole("heading", { name: guide }) });
  await mine.getByText(/^non lue$/i).waitFor();
  const download = page.waitForEvent("download");
  await mine.getByRole("link", { name: /Télécharger guide\.pdf/ }).click();
  await download;
  await page.reload();
  await expectHeading(page, "Bibliothèque");
  await page.locator("section.fr-card", { has: page.getByRole("heading", { name: guide }) }).getByText(/^lue$/i).waitFor();
  await checkAccessibility(page, "bibliothèque (commune)");
  await screenshot(page, "bibliotheque-commune");
  await logout(page);

  // The DPO sees Compiègne among the readers of the current version.
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Bibliothèque");
  await expectHeading(page, "Bibliothèque");
  const after1 = page.locator("section.fr-card", { has: page.getByRole("heading", { name: guide }) });
  await after1.getByText(/^1 sur \d+ communes$/).waitFor();
  const compiegne = tableByCaption(after1, `Lecture de la version 1 de « ${guide} »`).locator("tr", { hasText: /^\s*Compiègne/ }).first();
  assert.match(await compiegne.innerText(), /\blue\b/i);
  assert.doesNotMatch(await compiegne.innerText(), /non lue/i);
  await screenshot(page, "bibliotheque-dpo");
  await logout(page);
  // The browser logs the one refusal the test asked for (the renamed program, 415); nothing else.
  const refused = consoleErrors.filter((e) => /status of 415 \(Unsupported Media Type\) \(http[^)]*\/documents\)$/.test(e));
  assert.equal(refused.length, 1, JSON.stringify(consoleErrors));
  assert.deepEqual(consoleErrors.filter((e) => !refused.includes(e)), []);
});
