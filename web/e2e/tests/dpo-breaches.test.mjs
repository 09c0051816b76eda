// The shared DPO and breaches (issue 17): each card reads title first, then its deadline and
// countdown; a breach known for 80 hours is declared for Compiègne, its notification past 72
// hours asks for the reasons of the delay (refused without them, next to the field), then is
// recorded late; another, still within its 72 hours, is documented as not notified.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

/** Ticks a DSFR checkbox or radio with the keyboard (its input is drawn by its label). */
async function choose(input) {
  await input.focus();
  await page.keyboard.press("Space");
  assert.ok(await input.isChecked());
}

/** A datetime-local value `hours` ago, in the browser's (Paris) time. */
function hoursAgo(hours) {
  const d = new Date(Date.now() - hours * 3600_000);
  const pad = (n) => String(n).padStart(2, "0");
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${pad(Number(parts.hour))}:${parts.minute}`;
}

async function declare(title, awareHoursAgo, natures) {
  const form = page.locator("section", { has: page.getByRole("heading", { name: "Déclarer une violation" }) });
  await form.locator("#field-tenantId").selectOption({ label: "Compiègne" });
  await form.getByLabel("Ce qui s'est passé").fill(title);
  await form.getByLabel("Prise de connaissance").fill(hoursAgo(awareHoursAgo));
  for (const n of natures) await choose(form.getByLabel(n, { exact: true }));
  await form.getByLabel("Gravité").selectOption({ label: "Élevée" });
  await form.getByLabel("Données concernées").fill("Identité, coordonnées");
  await form.getByLabel("Personnes concernées").fill("120");
  await form.getByRole("button", { name: "Déclarer la violation" }).click();
}

test("the DPO declares breaches and records the notification decisions", async () => {
  await demoLogin(page, "DPO mutualisé");
  await navigate(page, "Violations");
  await expectHeading(page, "Violations de données");
  await page.getByRole("status").filter({ hasText: /résultat/ }).waitFor();

  await checkAccessibility(page, "violations (DPO)");

  // Declared 80 hours after awareness: the nature is required first.
  const stamp = Date.now();
  const late = `Clé USB perdue ${stamp}`;
  await declare(late, 80, []);
  await page.locator("#field-natures-error").filter({ hasText: "au moins une nature" }).waitFor();
  await checkAccessibility(page, "violation : nature manquante");
  await choose(page.getByLabel("Confidentialité", { exact: true }));
  await page.getByRole("button", { name: "Déclarer la violation" }).click();
  await page.getByRole("status").filter({ hasText: `Violation « ${late} » déclarée` }).waitFor();
  const lateCard = page.locator("article", { has: page.getByRole("heading", { name: late }) });
  await lateCard.getByText(/Délai de 72 h dépassé : dépassé de/).waitFor();
  await screenshot(page, "violations-declaree");

  // Notified now: past 72 hours, the reasons of the delay are required (the API says so too).
  await choose(lateCard.getByLabel("Notifiée à la CNIL"));
  await lateCard.getByRole("button", { name: "Enregistrer la décision" }).click();
  await lateCard.locator("[id$='-lateReasons-error']").filter({ hasText: "motifs du retard" }).waitFor();
  await checkAccessibility(page, "violation : motifs du retard manquants");
  await lateCard.getByLabel("Motifs du retard").fill("Perte constatée un vendredi soir, service fermé le week-end.");
  await lateCard.getByRole("button", { name: "Enregistrer la décision" }).click();
  await lateCard.getByRole("status").filter({ hasText: "La notification à la CNIL est enregistrée." }).waitFor();
  await lateCard.getByText(/^Notifiée le .*\(hors délai\)$/).waitFor();
  await lateCard.getByText("Motifs du retard : Perte constatée un vendredi soir").waitFor();

  // Within its 72 hours: the countdown runs; documented as not notified.
  const minor = `Courriel mal adressé ${stamp}`;
  await declare(minor, 2, ["Confidentialité"]);
  await page.getByRole("status").filter({ hasText: `Violation « ${minor} » déclarée` }).waitFor();
  const minorCard = page.locator("article", { has: page.getByRole("heading", { name: minor }) });
  await minorCard.getByText(/^À notifier : reste (2 j|69 h|70 h)/).waitFor();
  await choose(minorCard.getByLabel("Non notifiée (risque improbable)"));
  await minorCard.getByRole("button", { name: "Enregistrer la décision" }).click();
  await minorCard.locator("[id$='-reason-error']").waitFor();
  await minorCard.getByLabel("Motifs de la décision").fill("Destinataire interne habilité, courriel supprimé sans ouverture.");
  await minorCard.getByRole("button", { name: "Enregistrer la décision" }).click();
  await minorCard.getByRole("status").filter({ hasText: "La décision de ne pas notifier est documentée." }).waitFor();
  await minorCard.getByText(/^Non notifiée : Destinataire interne habilité/).waitFor();
  // Every card: its title first, the deadline and the badge below it.
  const cards = page.locator("article.fr-card");
  assert.ok((await cards.count()) >= 2, "the breaches declared above");
  for (let i = 0; i < (await cards.count()); i += 1) {
    const card = cards.nth(i);
    const title = await card.locator("h2").boundingBox();
    const deadline = await card.getByText(/^Échéance de notification/).boundingBox();
    const badge = await card.locator(".fr-badge").first().boundingBox();
    assert.ok(title.y < deadline.y && deadline.y < badge.y, `card ${i}: title, then deadline, then badge`);
  }
  await checkAccessibility(page, "violations : décisions enregistrées");
  await screenshot(page, "violations-decisions");

  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
