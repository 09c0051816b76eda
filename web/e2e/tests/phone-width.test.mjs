// No page scrolls sideways on a phone (390 px, an iPhone 12 to 15): every screen of the
// console, reached from the navigation of each role, plus the detail and form screens, with
// the document no wider than the window. Wide tables scroll inside their own container.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { demoLogin, expectHeading, launch, logout } from "../lib/browser.mjs";

const WIDTH = 390;
const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

/** The document's width and, when it is too wide, the elements sticking out on the right. */
async function measure(page) {
  return page.evaluate((width) => {
    const scrollWidth = document.scrollingElement.scrollWidth;
    const culprits = [];
    if (scrollWidth > width) {
      // The elements reaching furthest right (a wide table's own scrolling box excepted).
      const wide = [];
      for (const el of document.querySelectorAll("body *")) {
        const r = el.getBoundingClientRect();
        if (r.right > width + 8 && r.width > 0 && !el.parentElement?.closest(".fr-table__container")) wide.push([r.right, el]);
      }
      wide.sort((a, b) => b[0] - a[0]);
      for (const [right, el] of wide.slice(0, 4)) {
        const name = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`;
        const text = (el.textContent ?? "").trim().slice(0, 40);
        culprits.push(`${name} « ${text} » (droite à ${Math.round(right)} px)`);
      }
    }
    return { scrollWidth, culprits };
  }, WIDTH);
}

/** Every path of the navigation (the menu's links are in the page, open or not). */
async function navigationPaths(page) {
  const hrefs = await page.locator("#navigation a[href], #modal-navigation a[href]").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  return [...new Set(hrefs.filter((h) => h && h.startsWith("/")))];
}

/** The first link of a list's table towards a detail screen (`/registre/<id>`...). */
async function firstDetail(page, path, prefix) {
  await page.goto(path);
  const link = page.locator(`main table a[href^="${prefix}"]`).first();
  try {
    await link.waitFor({ timeout: 10_000 });
  } catch {
    return null;
  }
  return link.getAttribute("href");
}

async function visit(page, who, path, tooWide) {
  await page.goto(path);
  await page.locator("main h1").first().waitFor();
  await page.waitForLoadState("networkidle");
  // Lists and charts arrive after the heading: measure once they are drawn.
  await page.waitForTimeout(300);
  const { scrollWidth, culprits } = await measure(page);
  console.log(`largeur ${WIDTH} px : ${path} (${who}) : ${scrollWidth} px`);
  if (scrollWidth > WIDTH) tooWide.push(`${path} (${who}) : ${scrollWidth} px ; ${culprits.join(", ")}`);
}

for (const who of ["DSI de l'agglomération", "DPO mutualisé", "Administratrice, mairie de Compiègne", "Agent, mairie de Margny-lès-Compiègne", "Auditeur (accès 30 jours)"]) {
  test(`every screen at ${WIDTH} px: ${who}`, async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await demoLogin(page, who);
    await page.setViewportSize({ width: WIDTH, height: 844 });
    const paths = await navigationPaths(page);
    assert.ok(paths.length >= 3, `navigation of ${who}: ${paths.join(", ")}`);
    const extra = ["/page-inexistante"];
    for (const [list, prefix] of [["/registre", "/registre/"], ["/contrats", "/contrats/"]]) {
      if (paths.includes(list)) {
        const detail = await firstDetail(page, list, prefix);
        if (detail) extra.push(detail);
      }
    }
    if (paths.includes("/registre") && who !== "Auditeur (accès 30 jours)") extra.push("/registre/nouvelle");
    if (paths.includes("/contrats") && who !== "Auditeur (accès 30 jours)") extra.push("/contrats/nouveau");
    if (paths.includes("/maturite")) extra.push("/maturite/evaluation");
    if (paths.includes("/maturite") && who.startsWith("DPO")) extra.push("/maturite/questionnaire");
    const tooWide = [];
    for (const path of [...paths, ...extra]) await visit(page, who, path, tooWide);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto("/");
    await expectHeading(page, /^Bonjour /);
    await logout(page);
    assert.deepEqual(tooWide, [], `pages wider than ${WIDTH} px:\n${tooWide.join("\n")}`);
    assert.deepEqual(consoleErrors, []);
  });
}
