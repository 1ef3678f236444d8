// A site as `maillage init --network` writes it (served by tests/browser/run
// at MAILLAGE_INIT_BASE_URL): it builds, its map shows its place, its pages
// pass axe-core.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { axe, describeViolations, launch, serious } from "./lib.mjs";

const INIT = (process.env.MAILLAGE_INIT_BASE_URL || "").replace(/\/$/, "");
let browser;
before(async () => {
  assert.ok(INIT, "MAILLAGE_INIT_BASE_URL is not set: start the tests with tests/browser/run");
  browser = await launch();
});
after(async () => { await browser?.close(); });

async function open(pathname) {
  const context = await browser.newContext({ locale: "fr-FR" });
  await context.route((u) => !u.href.startsWith(INIT), (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const response = await page.goto(INIT + pathname);
  return { context, page, errors, response };
}

test("the init site's map shows its place as a marker, over the regions' outlines", async () => {
  const { context, page, errors } = await open("/carte/");
  await page.waitForSelector(".leaflet-marker-icon");
  assert.equal(await page.locator(".leaflet-marker-icon").count(), 1);
  // Its own basemap, with every request to another host blocked.
  // Leaflet leaves the outlines out of view as empty paths.
  await page.waitForFunction(() => [...document.querySelectorAll("path.map-outline--region")].some((p) => p.getAttribute("d").length > 20));
  assert.equal(await page.locator("path.map-outline--region").count(), 18);
  assert.deepEqual(errors, []);
  await context.close();
});

test("axe-core finds no serious or critical violation on the init site's page types", async () => {
  const failures = [];
  for (const pathname of ["/", "/carte/", "/rencontres/", "/rencontres/rennes-premiere-rencontre/", "/lieux/mediatheque-exemple-rennes/", "/regions/", "/faq/", "/recherche/", "/inscription/confirmee/", "/coordination/", "/organisation/proposer/"]) {
    const { context, page, response } = await open(pathname);
    assert.equal(response.status(), 200, pathname);
    if (pathname === "/carte/") await page.waitForSelector(".leaflet-marker-icon");
    const bad = serious(await axe(page));
    if (bad.length) failures.push(`${pathname}:\n${describeViolations(bad)}`);
    await context.close();
  }
  assert.equal(failures.length, 0, failures.join("\n\n"));
});

test("the init site's search finds its place, accents folded", async () => {
  const { context, page, errors } = await open("/recherche/");
  await page.fill("#search-q", "mediatheque");
  await page.waitForFunction(() => document.querySelectorAll("#search-results a").length > 0);
  const hrefs = await page.evaluate(() => [...document.querySelectorAll("#search-results a")].map((a) => new URL(a.href).pathname));
  assert.ok(hrefs.includes("/lieux/mediatheque-exemple-rennes/"), hrefs.join(" "));
  assert.deepEqual(errors, []);
  await context.close();
});
