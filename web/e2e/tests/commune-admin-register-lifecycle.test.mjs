// Commune administrator of Compiègne (issue 17): a model of the intercommunality copied once
// (a second copy is refused in French, with a link to the first); its action plan kept on the
// activity's page; the copy validated then archived (it leaves the register); a draft deleted.
// « Contrôlé par le DPO » is not offered to the commune, and says why.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

const models = () => tableByCaption(page, "Modèles de traitement");

test("a commune administrator copies a model once, plans its actions, archives it", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await models().waitFor();
  const model = (await models().locator("tbody tr td:first-child").first().innerText()).trim();

  // First copy: the new activity opens.
  await models().getByRole("button", { name: `Copier dans le registre : ${model}` }).click();
  await expectHeading(page, `Traitement : ${model}`);
  await page.getByText(`Le modèle « ${model} » a été copié dans le registre.`).waitFor();
  const copyUrl = page.url();

  // Second copy: refused, in French, with the way to the first.
  await navigate(page, "Registre RGPD");
  await models().getByRole("button", { name: `Copier dans le registre : ${model}` }).click();
  const refusal = page.getByRole("alert").filter({ hasText: "contient déjà une copie de ce modèle" });
  await refusal.waitFor();
  assert.match(await refusal.innerText(), new RegExp(`« ${model} »`));
  await checkAccessibility(page, "registre : modèle déjà copié");
  await screenshot(page, "registre-modele-deja-copie");
  await refusal.getByRole("link", { name: "Ouvrir la copie existante" }).click();
  await expectHeading(page, `Traitement : ${model}`);
  assert.equal(page.url(), copyUrl);

  // The status: « Contrôlé par le DPO » is not offered to the commune, and the page says why.
  const statuses = await page.locator("#activity-status option").allInnerTexts();
  assert.ok(!statuses.includes("Contrôlé par le DPO"), `offered: ${statuses}`);
  await page.getByText("« Contrôlé par le DPO » est réservé au DPO de l'intercommunalité").waitFor();

  // The action plan: an item added, changed, done.
  await page.getByRole("heading", { name: "Plan d'action" }).waitFor();
  await page.getByText("Aucune action prévue pour ce traitement.").waitFor();
  await page.getByRole("button", { name: "Ajouter l'action" }).click();
  await page.locator("#field-title-error").filter({ hasText: "Indiquez ce qu'il faut faire." }).waitFor();
  await page.getByLabel("Action à mener").fill("Informer les familles (mentions sur le formulaire)");
  await page.getByLabel("Échéance de l'action").fill("2031-06-30");
  await page.getByRole("button", { name: "Ajouter l'action" }).click();
  await page.getByRole("status").filter({ hasText: "ajoutée au plan" }).waitFor();
  const plan = tableByCaption(page, "Plan d'action du traitement");
  await plan.getByText("30 juin 2031").waitFor();
  await plan.getByRole("button", { name: /^Modifier/ }).click();
  await plan.getByLabel("Action", { exact: true }).fill("Informer les familles (formulaire et site)");
  await plan.getByLabel("Échéance", { exact: true }).fill("2031-09-01");
  await plan.getByRole("button", { name: "Enregistrer l'action" }).click();
  await page.getByRole("status").filter({ hasText: "Action « Informer les familles (formulaire et site) » modifiée." }).waitFor();
  await plan.getByText("1er septembre 2031").waitFor();
  await checkAccessibility(page, "traitement : plan d'action");
  await plan.getByRole("button", { name: /^Marquer comme faite/ }).click();
  await page.getByRole("status").filter({ hasText: "faite." }).waitFor();
  await plan.getByText(/^Fait le /).waitFor();

  // Validated, then archived: it leaves the register and can no longer change.
  await page.locator("#activity-status").selectOption("validated");
  await page.getByRole("button", { name: "Changer le statut" }).click();
  await page.getByText("Statut : Validé.").waitFor();
  await page.getByRole("button", { name: "Archiver le traitement" }).click();
  await page.getByRole("button", { name: "Confirmer l'archivage" }).click();
  await page.getByText(/^Archivé le .* ne se modifie plus\.$/).waitFor();
  await page.getByText("Lecture seule : ce traitement est archivé.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Enregistrer les modifications" }).count(), 0);
  await checkAccessibility(page, "traitement archivé");
  await screenshot(page, "traitement-archive");
  await navigate(page, "Registre RGPD");
  await page.getByLabel("Rechercher un traitement").fill(model);
  await page.getByRole("button", { name: "Appliquer les filtres" }).click();
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();
  assert.equal(await tableByCaption(page, "Traitements du registre").locator(`a[href='${new URL(copyUrl).pathname}']`).count(), 0);

  // Archived, the copy no longer blocks a new one; that new draft is deleted.
  await models().getByRole("button", { name: `Copier dans le registre : ${model}` }).click();
  await expectHeading(page, `Traitement : ${model}`);
  assert.notEqual(page.url(), copyUrl);
  await page.getByRole("button", { name: "Supprimer le brouillon" }).click();
  await page.getByRole("button", { name: "Confirmer la suppression" }).click();
  await expectHeading(page, "Registre RGPD");
  await page.getByRole("status").filter({ hasText: `Le brouillon « ${model} » a été supprimé.` }).waitFor();

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});

test("the DPO is offered « Contrôlé par le DPO »; the auditor is told each page is read-only", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  const first = tableByCaption(page, "Traitements du registre").locator("tbody a").first();
  await first.click();
  await expectHeading(page, /^Traitement : /);
  await page.locator("#activity-status").waitFor();
  assert.ok((await page.locator("#activity-status option").allInnerTexts()).includes("Contrôlé par le DPO"));
  await logout(page);

  await demoLogin(page, "Auditeur (accès 30 jours)");
  await navigate(page, "Registre RGPD");
  await expectHeading(page, "Registre RGPD");
  await tableByCaption(page, "Traitements du registre").locator("tbody a").first().click();
  await expectHeading(page, /^Traitement : /);
  await page.getByText("Lecture seule : votre rôle ne permet pas de modifier le registre.").waitFor();
  await page.getByText("Lecture seule : votre rôle ne permet pas de modifier le plan d'action.").waitFor();
  assert.equal(await page.locator("#activity-status").count(), 0);
  assert.equal(await page.getByRole("button", { name: /Archiver|Supprimer/ }).count(), 0);
  await checkAccessibility(page, "traitement (auditeur)");

  await navigate(page, "Demandes de droits");
  await expectHeading(page, "Demandes d'exercice des droits");
  await page.getByText("Lecture seule : votre rôle ne permet pas d'enregistrer ni de traiter une demande.").waitFor();
  const request = page.locator("table a[href^='/demandes/']").first();
  if (await request.count()) {
    await request.click();
    await expectHeading(page, /^Demande de /);
    await page.getByText("Lecture seule : votre rôle ne permet pas de traiter les demandes d'exercice des droits.").waitFor();
    assert.equal(await page.getByRole("button", { name: /Prendre en charge|Prolonger|Enregistrer la réponse/ }).count(), 0);
    await checkAccessibility(page, "demande (auditeur)");
  }

  await navigate(page, "Violations");
  await expectHeading(page, "Violations de données");
  await page.getByText("Lecture seule : votre rôle ne permet pas de déclarer une violation ni de décider de sa notification.").waitFor();
  assert.equal(await page.getByRole("button", { name: "Enregistrer la décision" }).count(), 0);

  await navigate(page, "Sous-traitants");
  await expectHeading(page, "Sous-traitants");
  await page.getByText("Lecture seule : votre rôle ne permet pas d'enregistrer un sous-traitant.").waitFor();
  await checkAccessibility(page, "sous-traitants (auditeur)");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
