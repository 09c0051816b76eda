// The DSI: cost pools (« enveloppes de coûts ») with a what-if and a new allocation run, a billing run and its
// invoices, procurement across communes (joint-procurement opportunities), member communes
// and users (an invitation).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, tableByCaption } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

test("the DSI allocates, simulates, bills and manages communes and users", async () => {
  await demoLogin(page, "DSI de l'agglomération");

  await navigate(page, "Répartition");
  await expectHeading(page, "Répartition des coûts");
  // A new service, its subscribers and a pool (the demo's own are already allocated and invoiced).
  await page.getByRole("heading", { name: "Ajouter un service" }).waitFor();
  await page.getByLabel("Code du service").fill("messagerie");
  await page.getByLabel("Nom du service").fill("Messagerie mutualisée");
  await page.getByLabel("Unité").fill("boîte");
  await page.getByRole("button", { name: "Ajouter le service" }).click();
  await page.getByText("Service « Messagerie mutualisée » ajouté au catalogue.").waitFor();
  await page.getByRole("button", { name: "Abonner toutes les communes à « Messagerie mutualisée »" }).click();
  await page.getByText(/communes abonnées à « Messagerie mutualisée »/).waitFor();
  // Its titres go to their own budget account: a wrong one is refused in French, then saved.
  const account = page.getByLabel("Compte budgétaire de « Messagerie mutualisée »");
  await account.fill("7O848");
  await page.getByRole("button", { name: "Enregistrer le compte de « Messagerie mutualisée »" }).click();
  await page.getByText(/Un compte budgétaire s'écrit en chiffres/).waitFor();
  await account.fill("70848");
  await page.getByRole("button", { name: "Enregistrer le compte de « Messagerie mutualisée »" }).click();
  await page.getByText("Compte 70848 enregistré.").waitFor();
  await page.locator("#field-serviceId").selectOption({ label: "Messagerie mutualisée" });
  await page.getByLabel("Libellé de l'enveloppe").fill("Messagerie — licences et hébergement");
  await page.locator("#field-pool-amount").fill("-10");
  await page.getByRole("button", { name: "Créer l'enveloppe" }).click();
  await page.locator("#field-pool-amount-error").waitFor();
  assert.equal(await page.getByLabel("Libellé de l'enveloppe").inputValue(), "Messagerie — licences et hébergement");
  await page.locator("#field-pool-amount").fill("96000");
  await page.getByRole("button", { name: "Créer l'enveloppe" }).click();
  await page.getByText("Enveloppe « Messagerie — licences et hébergement » créée.").waitFor();
  const pools = tableByCaption(page, "Enveloppes de coûts");
  await pools.locator("tbody tr").first().waitFor();
  await page.getByRole("button", { name: "Lancer la répartition de cette enveloppe" }).click();
  await page.getByText(/^Répartition enregistrée : /).waitFor();
  await tableByCaption(page, "Répartitions de « Messagerie — licences et hébergement »").locator("tbody tr").first().waitFor();
  // What-if: an amount that is not one, flagged next to the field.
  await page.getByLabel("Montant simulé (€)").fill("-5");
  await page.getByRole("button", { name: "Simuler" }).click();
  await page.locator("#field-amountCents-error").waitFor();
  await page.getByLabel("Montant simulé (€)").fill("120000");
  await page.getByLabel("Méthode simulée").selectOption({ label: "Au prorata d'une clé" });
  await page.getByLabel("Clé ou mesure simulée").fill("population");
  await page.getByRole("button", { name: "Simuler" }).click();
  const simulation = tableByCaption(page, "Simulation : quote-part de chaque commune");
  await simulation.locator("tbody tr").first().waitFor();
  assert.ok((await simulation.locator("tbody tr").count()) > 1, "several communes share the pool");
  await checkAccessibility(page, "répartition (simulation)");
  assert.match(await simulation.locator("tbody tr", { hasText: /^Compiègne/ }).innerText(), /\+/, "a larger pool raises Compiègne's share");
  await screenshot(page, "repartition");

  await navigate(page, "Facturation");
  await expectHeading(page, "Facturation");
  await page.getByRole("heading", { name: "Lancer une campagne" }).waitFor();
  await page.getByLabel("Libellé").fill("");
  await page.getByRole("button", { name: "Lancer la campagne" }).click();
  await page.locator("#field-label-error").waitFor();
  await page.getByLabel("Libellé").fill(`Facturation e2e ${Date.now()}`);
  await page.getByRole("button", { name: "Lancer la campagne" }).click();
  await page.getByText(/^Campagne lancée : |Rien à facturer sur cette période/).first().waitFor();
  await tableByCaption(page, "Campagnes de facturation").locator("tbody tr").first().waitFor();
  await checkAccessibility(page, "facturation");
  await screenshot(page, "facturation");

  await navigate(page, "Achats groupés");
  await expectHeading(page, "Achats groupés");
  await page.getByRole("status").filter({ hasText: /séparément par plusieurs communes/ }).waitFor();
  await checkAccessibility(page, "achats groupés");
  await screenshot(page, "achats-groupes");
  // Every commune's contracts, side by side.
  await page.getByRole("link", { name: "Tous les contrats des communes" }).click();
  await expectHeading(page, "Contrats et renouvellements");
  await tableByCaption(page, "Contrats").locator("tbody tr").first().waitFor();
  assert.ok((await tableByCaption(page, "Contrats").locator("thead th").allTextContents()).includes("Commune"), "a commune column");
  await checkAccessibility(page, "contrats de toutes les communes");

  await navigate(page, "Communes et utilisateurs");
  await expectHeading(page, "Communes et utilisateurs");
  const communes = tableByCaption(page, "Communes membres");
  await communes.locator("tbody tr").nth(21).waitFor();
  await tableByCaption(page, "Utilisateurs et leurs rôles").locator("tbody tr").first().waitFor();
  await page.getByLabel("Adresse électronique").fill("pas-une-adresse");
  await page.getByRole("button", { name: "Inviter" }).click();
  await page.locator("#field-email-error").waitFor();
  const email = `agent.${Date.now()}@compiegne.example.fr`;
  await page.getByLabel("Adresse électronique").fill(email);
  await page.getByLabel("Prénom").fill("Camille");
  await page.locator("#field-usualName").fill("Martin");
  await page.getByLabel("Rôle").selectOption({ label: "Agent ou agente de commune" });
  await page.locator("#field-tenantId").selectOption({ label: "Compiègne" });
  await page.getByRole("button", { name: "Inviter" }).click();
  await page.getByText(`${email} : Agent ou agente de commune — Compiègne.`, { exact: false }).waitFor();
  await tableByCaption(page, "Utilisateurs et leurs rôles").locator("tbody tr", { hasText: "Camille Martin" }).waitFor();
  await checkAccessibility(page, "communes et utilisateurs");
  await screenshot(page, "communes-utilisateurs");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
