// Issue 21: a commune's administrator publishes its register (with the fields it chooses) and
// its DECP from « Données ouvertes »; the platform's DCAT-AP catalogue then lists them, their
// addresses serve them; withdrawn, they are gone from both.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { checkAccessibility, demoLogin, expectHeading, launch, navigate, screenshot, logout, setCheckbox } from "../lib/browser.mjs";

const { browser, page, consoleErrors } = await launch();
after(() => browser.close());

async function catalogDatasets() {
  const r = await page.request.get("/opendata/catalog.jsonld");
  assert.equal(r.status(), 200);
  assert.match(r.headers()["content-type"], /^application\/ld\+json/);
  const c = await r.json();
  return (c["dcat:dataset"] ?? []).filter((d) => JSON.stringify(d["dct:title"]).includes("Compiègne"));
}

test("a commune publishes its register and its DECP, and the catalogue lists them", async () => {
  await demoLogin(page, "Administratrice, mairie de Compiègne");
  await navigate(page, "Données ouvertes");
  await expectHeading(page, "Données ouvertes");
  const registerBox = page.getByLabel("Publier le registre public des traitements", { exact: true });
  await registerBox.waitFor();
  await checkAccessibility(page, "données ouvertes");
  const registerBefore = await registerBox.isChecked();
  const decpBox = page.getByLabel("Publier les données essentielles des marchés publics", { exact: true });
  const decpBefore = await decpBox.isChecked();
  const decpLink = page.getByRole("link", { name: "Données essentielles des marchés publics (DECP) de Compiègne (JSON)" });

  // The register, with two fields.
  await setCheckbox(page, "Publier le registre public des traitements", true);
  await setCheckbox(page, "Finalités", true);
  await setCheckbox(page, "Durées de conservation", true);
  await page.getByRole("button", { name: "Enregistrer le registre public" }).click();
  await page.getByRole("status").filter({ hasText: /Le registre public de Compiègne est publié avec \d+ rubriques?\./ }).waitFor();

  // The DECP.
  await setCheckbox(page, "Publier les données essentielles des marchés publics", true);
  await page.getByRole("button", { name: "Enregistrer la publication des DECP" }).click();
  await page.getByRole("status").filter({ hasText: "Les données essentielles des marchés de Compiègne sont publiées." }).waitFor();
  await decpLink.waitFor();
  await checkAccessibility(page, "données ouvertes : publiées");
  await screenshot(page, "donnees-ouvertes");

  // What the page links to is served, and the catalogue lists both.
  const decp = await page.request.get(await decpLink.getAttribute("href"));
  assert.equal(decp.status(), 200);
  const doc = await decp.json();
  assert.ok(JSON.stringify(doc).includes("CMP-2023-REST"), "Compiègne's school catering contract is in its DECP");
  const sets = await catalogDatasets();
  assert.equal(sets.length, 2, JSON.stringify(sets));
  for (const s of sets) assert.equal(s["dct:license"]["@id"], "https://www.etalab.gouv.fr/licence-ouverte-open-licence/");
  const register = await page.request.get(await page.getByRole("link", { name: /Registre public des traitements de Compiègne \(page web\)/ }).getAttribute("href"));
  assert.equal(register.status(), 200);
  assert.match(await register.text(), /Registre des activités de traitement — Compiègne/);

  // Withdrawn: the address answers 404 and the catalogue forgets it (then the demo is put
  // back as it was).
  await setCheckbox(page, "Publier les données essentielles des marchés publics", false);
  await page.getByRole("button", { name: "Enregistrer la publication des DECP" }).click();
  await page.getByRole("status").filter({ hasText: "ne sont plus publiées" }).waitFor();
  const gone = await page.request.get(new URL(decp.url()).pathname);
  assert.equal(gone.status(), 404);
  assert.equal((await catalogDatasets()).length, 1);
  if (decpBefore) {
    await setCheckbox(page, "Publier les données essentielles des marchés publics", true);
    await page.getByRole("button", { name: "Enregistrer la publication des DECP" }).click();
    await page.getByRole("status").filter({ hasText: "sont publiées" }).waitFor();
  }
  if (!registerBefore) {
    await setCheckbox(page, "Publier le registre public des traitements", false);
    await page.getByRole("button", { name: "Enregistrer le registre public" }).click();
    await page.getByRole("status").filter({ hasText: "n'est plus publié" }).waitFor();
  }
  await logout(page);
  assert.deepEqual(consoleErrors, []);
});
