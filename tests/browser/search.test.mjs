// The site's search (/recherche/) in a real browser: results as one types,
// accents folded, a status region that says how many, the keyboard alone,
// the list of the site's main pages without JavaScript, axe-core on desktop
// and phone, and the index loaded by this page only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  ARTIFACTS, axe, describeViolations, getJSON, isolatedContext, launch, serious, url,
} from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(pathname, options = {}) {
  const context = await isolatedContext(browser, options);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  const response = await page.goto(url(pathname));
  return { page, context, errors, requests, response };
}

/** Types `query` in the search field and waits for the status to name it. */
async function search(page, query) {
  await page.fill("#search-q", query);
  await page.waitForFunction(
    (q) => document.getElementById("search-status").textContent.includes(q),
    query,
  );
  return page.evaluate(() => ({
    status: document.getElementById("search-status").textContent,
    titles: [...document.querySelectorAll("#search-results a")].map((a) => a.textContent),
    hrefs: [...document.querySelectorAll("#search-results a")].map((a) => a.getAttribute("href")),
  }));
}

test("the index holds the guide, the FAQ, the kit and every place, and no result page of the forms", async () => {
  const index = await getJSON("/search_index.fr.json");
  const paths = index.map((d) => new URL(d.url).pathname);
  const places = await getJSON("/carte/lieux.geojson");
  for (const expected of ["/guide/", "/guide/le-jour-j/", "/faq/", "/kit/", "/kit/ouvrir-la-rencontre/"]) {
    assert.ok(paths.includes(expected), `${expected} is in the index`);
  }
  const placePaths = paths.filter((p) => /^\/lieux\/[^/]+\/$/.test(p) && !p.startsWith("/lieux/types/"));
  assert.equal(placePaths.length, places.features.length, "one entry per place");
  for (const left of ["/inscription/confirmee/", "/annulation/confirmee/", "/bilan/envoye/", "/recherche/"]) {
    assert.ok(!paths.includes(left), `${left} is not in the index`);
  }
});

test("typing finds places and pages, accents and case folded, and the status says how many", async () => {
  const { page, context, errors } = await open("/recherche/");
  const plain = await search(page, "medi");
  assert.ok(plain.titles.includes("Médiathèque de la Vilaine · Rennes"), plain.titles.join(" | "));
  assert.match(plain.status, /^\d+ résultats pour «\u202fmedi\u202f»\.$/u);
  assert.equal(Number(plain.status.split(" ")[0]), plain.titles.length);
  const accented = await search(page, "MÉDIATHÈQUE");
  assert.ok(accented.titles.includes("Médiathèque de la Vilaine · Rennes"));
  assert.deepEqual((await search(page, "mediatheque")).titles, accented.titles);
  // Every word must begin a word of the page: a town and a type together.
  const both = await search(page, "mediatheque rennes");
  assert.deepEqual(both.titles, ["Médiathèque de la Vilaine · Rennes"]);
  assert.equal(both.status, "1 résultat pour «\u202fmediatheque rennes\u202f».");
  // The guide's text is searched, not only titles.
  const guide = await search(page, "autorisations");
  assert.ok(guide.hrefs.some((h) => h.endsWith("/guide/photos-et-autorisations/")), guide.hrefs.join(" "));
  // The FAQ's questions, each at its anchor on the FAQ page.
  const faq = await search(page, "attestation");
  const question = faq.hrefs.findIndex((h) => h.endsWith("/faq/#puis-je-obtenir-une-attestation-de-participation"));
  assert.ok(question >= 0, faq.hrefs.join(" "));
  assert.equal(faq.titles[question], "Puis-je obtenir une attestation de participation\u202f?");
  const none = await search(page, "zzzzqx");
  assert.deepEqual(none.titles, []);
  assert.equal(none.status, "Aucun résultat pour «\u202fzzzzqx\u202f».");
  assert.equal(await page.locator("#search-status").getAttribute("role"), "status");
  assert.deepEqual(errors, []);
  await context.close();
});

test("the keyboard alone: the menu leads to the search, Enter searches, Tab reaches the first result", async () => {
  const { page, context } = await open("/");
  await page.click(".site-nav a[href$='/recherche/']");
  await page.waitForURL(/\/recherche\/$/);
  await page.focus("#search-q");
  assert.equal(await page.evaluate(() => document.activeElement.labels[0].textContent), "Rechercher dans le guide, la FAQ, le kit et les lieux");
  await page.keyboard.type("bilan");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll("#search-results a").length > 0);
  assert.match(page.url(), /\?q=bilan$/);
  await page.keyboard.press("Tab"); // the button
  await page.keyboard.press("Tab"); // the first result
  const focused = await page.evaluate(() => document.activeElement.closest("#search-results") !== null);
  assert.ok(focused, "the first result takes the focus after the button");
  await context.close();
});

test("a search address shared (?q=) shows its results", async () => {
  const { page, context } = await open("/recherche/?q=m%C3%A9dia");
  await page.waitForFunction(() => document.querySelectorAll("#search-results a").length > 0);
  assert.equal(await page.inputValue("#search-q"), "média");
  await context.close();
});

test("without JavaScript the form lands on a list of the guide, the FAQ, the kit and the places", async () => {
  const { page, context } = await open("/recherche/", { javaScriptEnabled: false });
  await page.fill("#search-q", "médiathèque");
  await Promise.all([page.waitForURL(/\?q=/), page.press("#search-q", "Enter")]);
  assert.ok(await page.locator(".no-js-only").isVisible(), "the page says why there are no results");
  const links = await page.evaluate(() => [...document.querySelectorAll(".search-browse a")]
    .map((a) => [a.textContent, new URL(a.href).pathname]));
  const paths = links.map(([, p]) => p);
  for (const expected of ["/guide/", "/guide/le-jour-j/", "/kit/", "/kit/ouvrir-la-rencontre/", "/faq/", "/lieux/"]) {
    assert.ok(paths.includes(expected), `${expected} is listed: ${paths.join(" ")}`);
  }
  for (const p of new Set(paths)) {
    const response = await fetch(url(p));
    assert.equal(response.status, 200, p);
  }
  await context.close();
});

test("only the search page loads the index", async () => {
  for (const pathname of ["/", "/guide/", "/lieux/", "/faq/"]) {
    const { context, requests } = await open(pathname);
    assert.ok(!requests.some((r) => r.includes("search_index")), `${pathname} loads no index`);
    await context.close();
  }
  const { page, context, requests } = await open("/recherche/");
  await search(page, "kit");
  assert.equal(requests.filter((r) => r.includes("search_index")).length, 1);
  await context.close();
});

for (const [device, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]]) {
  test(`the search page with results passes axe-core and fits the screen (${device})`, async () => {
    const { page, context } = await open("/recherche/", { viewport });
    await search(page, "medi");
    const bad = serious(await axe(page));
    assert.deepEqual(bad, [], describeViolations(bad));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    const button = await page.locator(".search-form button").boundingBox();
    assert.ok(button.x + button.width <= viewport.width, "the button is on screen");
    await page.screenshot({ path: path.join(ARTIFACTS, `search-${device}.png`) });
    await context.close();
  });
}
