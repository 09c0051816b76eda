// Login through the real OpenID Connect provider process (tests/oidc/provider.mjs, started by
// e2e/run.sh): the console's ProConnect button, the provider's login form, the callback, the
// session, the logout at the provider too (RP-initiated); and a person nobody invited is refused.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { baseUrl, checkAccessibility, expectHeading, launch } from "../lib/browser.mjs";

const issuer = process.env.MUTUALIS_OIDC_ISSUER;
const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

async function providerLogin(login) {
  await page.goto("/registre?statut=draft");
  await expectHeading(page, "Connexion à Mutualis");
  await checkAccessibility(page, "connexion (fournisseur d'identité configuré)");
  await page.getByRole("link", { name: "S’identifier avec ProConnect" }).click();
  // The provider's own login form (development interactions: any password).
  await page.waitForURL((u) => u.toString().startsWith(issuer));
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("mot-de-passe-de-test");
  await page.locator("button[type=submit]").first().click();
}

test("login through the OpenID Connect provider returns to the page asked for", { skip: !issuer && "no MUTUALIS_OIDC_ISSUER (run through e2e/run.sh)" }, async () => {
  await providerLogin("dpo@demo.mutualis.invalid");
  await page.waitForURL((u) => u.toString().startsWith(baseUrl) && new URL(u).pathname === "/registre");
  assert.equal(new URL(page.url()).search, "?statut=draft", "the return_to kept the filters");
  await expectHeading(page, "Registre RGPD");
  assert.match(await page.locator(".console-tenant-bar").innerText(), /DPO de l'intercommunalité/);
  await checkAccessibility(page, "registre après connexion OIDC");
  const session = await page.evaluate(() => fetch("/auth/session").then((r) => r.json()));
  assert.equal(session.authenticated, true);
  assert.deepEqual(session.roles, ["dpo"]);
  // Logged out at the provider too: it asks to confirm, then the console's login page.
  await page.getByRole("button", { name: "Se déconnecter" }).first().click();
  await page.waitForURL((u) => u.toString().startsWith(issuer) && u.toString().includes("/session/end"));
  assert.match(page.url(), /id_token_hint=/);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expectHeading(page, "Connexion à Mutualis");
  const after = await page.evaluate(() => fetch("/auth/session").then((r) => r.json()));
  assert.equal(after.authenticated, false);
  assert.deepEqual(consoleErrors, []);
});

test("a person nobody invited is refused after the provider's login", { skip: !issuer && "no MUTUALIS_OIDC_ISSUER (run through e2e/run.sh)" }, async () => {
  await providerLogin("inconnu.personne@example.fr");
  await page.waitForURL((u) => u.toString().startsWith(baseUrl) && new URL(u).pathname === "/auth/callback");
  await expectHeading(page, "Compte inconnu");
  await checkAccessibility(page, "connexion refusée (page du serveur)");
  const session = await page.evaluate(() => fetch("/auth/session").then((r) => r.json()));
  assert.equal(session.authenticated, false);
});
