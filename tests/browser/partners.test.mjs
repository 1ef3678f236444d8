// The directory of partners in a real browser: filters by type and by offer
// as plain links (JavaScript off), reached from the places, accessible
// (axe-core), usable on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ARTIFACTS, axe, describeViolations, isolatedContext, launch, serious, url } from "./lib.mjs";

const DIRECTORY = "/lieux/partenaires/";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(pathname, options = {}) {
  const context = await isolatedContext(browser, options);
  const page = await context.newPage();
  const response = await page.goto(url(pathname));
  return { page, context, response };
}

const names = (page) => page.locator(".region-block .card__title").allInnerTexts();

test("without JavaScript, the partners are filtered by type and by offer through links", async () => {
  const { page, context } = await open("/lieux/", { javaScriptEnabled: false });
  await page.click(`a[href$="${DIRECTORY}"]`);
  assert.equal(new URL(page.url()).pathname, DIRECTORY);
  const all = await names(page);
  assert.ok(all.length >= 10, `${all.length} partners`);
  // By type: only associations, each card says so.
  await page.click(".filter-links a[href$='/types/association/']");
  assert.equal(new URL(page.url()).pathname, `${DIRECTORY}types/association/`);
  const associations = await names(page);
  assert.ok(associations.length > 0 && associations.length < all.length);
  for (const meta of await page.locator(".region-block .card__meta").allInnerTexts()) {
    assert.ok(meta.startsWith("Association"), meta);
  }
  assert.equal(await page.locator(".filter-links a[aria-current='page']").innerText(), "Association (" + associations.length + ")");
  // By offer: every card offers a room.
  await page.click(".filter-links a[href$='/offres/salle/']");
  assert.equal(new URL(page.url()).pathname, `${DIRECTORY}offres/salle/`);
  const rooms = await page.locator(".region-block .card").allInnerTexts();
  assert.ok(rooms.length > 0 && rooms.length < all.length);
  for (const card of rooms) assert.ok(card.includes("Une salle"), card);
  // And back to all of them.
  await page.click(`a[href="${DIRECTORY}"]`);
  assert.deepEqual(await names(page), all);
  await context.close();
});

for (const [device, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`on a ${device}, the directory's pages have no serious accessibility problem and no horizontal scroll`, async () => {
    for (const pathname of [DIRECTORY, `${DIRECTORY}types/association/`, `${DIRECTORY}offres/salle/`]) {
      const { page, context, response } = await open(pathname, { viewport });
      assert.equal(response.status(), 200, pathname);
      const bad = serious(await axe(page));
      assert.deepEqual(bad, [], `${pathname}:\n${describeViolations(bad)}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${pathname} is ${overflow} px wider than the screen`);
      if (pathname === DIRECTORY) await page.screenshot({ path: path.join(ARTIFACTS, `partners-${device}.png`) });
      await context.close();
    }
  });
}
