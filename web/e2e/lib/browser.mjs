// Shared by the end-to-end tests: Debian's chromium driven by playwright-core (no browser
// download), axe-core on every page visited, screenshots, and the demo login.
import { chromium } from "playwright-core";
import AxeBuilderModule from "@axe-core/playwright";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const AxeBuilder = AxeBuilderModule.default ?? AxeBuilderModule;

export const baseUrl = process.env.MUTUALIS_URL ?? "http://127.0.0.1:8090";
const screenshotDir = process.env.MUTUALIS_SCREENSHOTS ?? new URL("../../screenshots/", import.meta.url).pathname;
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Every accessibility check made in this process: page label -> violation count. */
export const axeResults = [];

export async function launch() {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-default-apps",
      "--disable-sync",
      "--metrics-recording-only",
      "--no-first-run",
      "--disable-dev-shm-usage",
    ],
  });
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    viewport: { width: 1280, height: 900 },
    colorScheme: "light",
    acceptDownloads: true,
  });
  context.setDefaultTimeout(20_000);
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("pageerror", (e) => { consoleErrors.push(`pageerror: ${e.message}`); if (process.env.E2E_STACKS) console.log(e.stack); });
  page.on("console", (m) => {
    // Only the console's own errors: the identity provider's pages are not ours.
    const where = m.location()?.url ?? "";
    if (m.type() === "error" && (!where || where.startsWith(baseUrl)) && page.url().startsWith(baseUrl)) {
      consoleErrors.push(`console: ${m.text()} (${where})`);
    }
  });
  // Every GraphQL answer the page receives: an error message a person could read must be
  // French (the API's message is shown as written). A failure lands in consoleErrors, which
  // every test asserts empty.
  page.on("response", async (response) => {
    if (!response.url().startsWith(`${baseUrl}/graphql`)) return;
    let body;
    try {
      body = await response.json();
    } catch {
      return;
    }
    for (const e of body?.errors ?? []) {
      const english = englishWords(e?.message ?? "");
      if (english.length) consoleErrors.push(`GraphQL error not in French (${english.join(", ")}): ${e.message}`);
    }
  });
  return { browser, context, page, consoleErrors };
}

/** English function words have no place in a French sentence (quoted values aside: names and
 * codes the person typed or the API quotes). Short French homographs (a, an, on, or…) are
 * left out. The same list as the Rust harness's `assert_french` (tests/it/lib.rs). */
const ENGLISH_WORDS = new Set(
  ("the is are was were be been must cannot can not no you your this that these required invalid unknown " +
    "missing between already and of to for with from should expected only than at has have does which when " +
    "in it its please needs need may too more less after before since allowed exists by if will would there " +
    "they any every each one into yet wrong").split(" "),
);

/** The English words of `message` (empty: reads as French). An empty message is English too. */
export function englishWords(message) {
  if (!message.trim()) return ["(message vide)"];
  const plain = message.replace(/«[^»]*»|"[^"]*"|`[^`]*`/g, " ");
  return plain.split(/[^\p{L}\p{N}_'-]+/u).filter((w) => ENGLISH_WORDS.has(w.toLowerCase()));
}

/** Runs axe-core on the page as it is now; fails on any WCAG 2.1 A/AA violation. */
export async function checkAccessibility(page, label) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const violations = results.violations;
  const entry = { label, url: page.url(), violations: violations.length, passes: results.passes.length };
  axeResults.push(entry);
  if (process.env.MUTUALIS_AXE_LOG) appendFileSync(process.env.MUTUALIS_AXE_LOG, `${JSON.stringify(entry)}\n`);
  console.log(`axe: ${label} (${new URL(page.url()).pathname}): ${violations.length} violation(s), ${results.passes.length} rules passed`);
  if (violations.length) {
    const detail = violations
      .map((v) => `- ${v.id} (${v.impact}): ${v.help}\n${v.nodes.slice(0, 5).map((n) => `    ${n.target.join(" ")}: ${n.failureSummary?.split("\n").join(" ")}`).join("\n")}`)
      .join("\n");
    assert.fail(`axe-core found ${violations.length} violation(s) on ${label}:\n${detail}`);
  }
}

export async function screenshot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}

/** Waits for the screen's h1 (focused on arrival) to read `title`. */
export async function expectHeading(page, title, timeoutMs = 15_000) {
  const h1 = page.locator("main h1").first();
  await h1.waitFor();
  const matches = (t) => (title instanceof RegExp ? title.test(t) : t === title);
  const deadline = Date.now() + timeoutMs;
  let text = (await h1.innerText()).trim();
  while (!matches(text) && Date.now() < deadline) {
    await page.waitForTimeout(100);
    text = (await h1.innerText()).trim();
  }
  if (title instanceof RegExp) assert.match(text, title);
  else assert.equal(text, title);
}

/** Logs in through the demo people of the login page (embedded mode, one button each). */
export async function demoLogin(page, personLabel) {
  await page.goto("/");
  await expectHeading(page, "Connexion à Mutualis");
  await checkAccessibility(page, "connexion");
  await screenshot(page, "connexion");
  // Roles are shown in French, never as the API's codes.
  const demo = page.locator("section", { has: page.getByRole("heading", { name: "Démonstration" }) });
  assert.doesNotMatch(await demo.innerText(), /org_admin|commune_admin|commune_editor|\bdpo\b|auditor/);
  await page.getByRole("button", { name: personLabel, exact: true }).click();
  await page.waitForURL((u) => new URL(u).pathname === "/");
  await expectHeading(page, /^Bonjour /);
}

/** Follows a link of the main navigation (opening its menu first when it is in one). */
export async function navigate(page, label) {
  const nav = page.locator("#navigation");
  const link = nav.getByRole("link", { name: label, exact: true });
  // A link of a menu is hidden (out of the accessibility tree) while the menu is closed, or
  // closing after the previous navigation: find it by its text, and open its menu.
  const text = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*$`);
  const item = nav.locator(".fr-nav__item", { has: page.locator(".fr-menu a", { hasText: text }) });
  if (await item.count()) {
    const button = item.locator("button.fr-nav__btn");
    if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
    await page.waitForFunction((el) => el?.getAttribute("aria-expanded") === "true", await button.elementHandle());
  }
  await link.click();
}

export async function logout(page) {
  await page.getByRole("button", { name: "Se déconnecter" }).first().click();
  await expectHeading(page, "Connexion à Mutualis");
}

/** The table whose caption (visible or not) reads `caption`, in a page or in a part of it. */
export function tableByCaption(scope, caption) {
  // The inner locator of `has` is matched inside each table: it must start from the page.
  const page = typeof scope.page === "function" ? scope.page() : scope;
  return scope.locator("table", { has: page.locator("caption", { hasText: caption }) });
}

/** Sets a DSFR checkbox with the keyboard (its input is drawn by the label). */
export async function setCheckbox(page, label, on) {
  const box = page.getByLabel(label, { exact: true });
  if ((await box.isChecked()) !== on) {
    await box.focus();
    await page.keyboard.press("Space");
  }
  assert.equal(await box.isChecked(), on, `checkbox ${label}`);
}
