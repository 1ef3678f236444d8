// The public figures in a real browser: readable with JavaScript off (the
// SVG charts and the numbers as text), the same numbers as the JSON file,
// accessible (axe-core), and usable on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { ARTIFACTS, axe, describeViolations, getJSON, isolatedContext, launch, serious, url } from "./lib.mjs";

const NETWORK = "/regions/chiffres/";
const REGION = "/regions/bretagne/chiffres/";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function open(pathname, options = {}) {
  const context = await isolatedContext(browser, options);
  const page = await context.newPage();
  const response = await page.goto(url(pathname));
  return { page, context, response };
}

/** The French way of writing a count: 1 234 with a narrow no-break space. */
const french = (n) => n.toLocaleString("fr-FR");

test("without JavaScript, the figures page shows its charts and the JSON file's numbers as text", async () => {
  const data = await getJSON(`${NETWORK}chiffres.json`);
  assert.ok(data.total.meetups_held > 0, "the demo has meetups held");
  const { page, context, response } = await open(NETWORK, { javaScriptEnabled: false });
  assert.equal(response.status(), 200);
  // Charts: inline SVG with a title, each bar's number in text.
  const charts = page.locator("svg.chart");
  assert.equal(await charts.count(), 4);
  for (const chart of await charts.all()) {
    assert.equal(await chart.getAttribute("role"), "img");
    assert.ok((await chart.locator("title").textContent()).length > 0);
    assert.ok(await chart.isVisible());
  }
  const people = await page.locator("svg.chart").nth(1).locator("text").allTextContents();
  // A hidden count reads « moins de 5 » (small) or « masqué » (hidden with
  // a small one); the JSON file has neither.
  const hidden = ["moins de 5", "masqué"];
  for (const row of data.by_month) {
    const shown = row.people === null ? hidden : [String(row.people)];
    assert.ok(shown.some((text) => people.includes(text)), `${row.month} in the chart`);
  }
  // Tables: one row a month, one a region, with the file's numbers.
  const months = await page.locator("#tableau-mois tbody tr").allInnerTexts();
  assert.equal(months.length, data.by_month.length);
  data.by_month.forEach((row, i) => {
    const cells = months[i].split("\t");
    assert.equal(cells[1], french(row.meetups_held));
    if (row.people === null) assert.ok(hidden.includes(cells[2]), cells[2]);
    else assert.equal(cells[2], french(row.people));
    assert.equal(cells[3], french(row.reports_published));
    assert.equal(cells[4], french(row.improvements_carried));
  });
  const regions = await page.locator("#tableau-regions tbody tr").allInnerTexts();
  assert.deepEqual(regions.map((r) => r.split("\t")[0]), data.by_region.map((r) => r.name));
  const lead = await page.locator(".lead").innerText();
  assert.ok(lead.includes(`${french(data.total.meetups_held)} rencontres tenues`), lead);
  // The files are linked and served.
  for (const href of await page.locator(".downloads a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
    const answer = await fetch(url(href));
    assert.equal(answer.status, 200, href);
  }
  await context.close();
});

test("a region's figures page links back to its region, and the region and regions pages link to the figures", async () => {
  const { page, context } = await open("/regions/bretagne/");
  await page.click(`a[href="${REGION}"]`);
  assert.equal(new URL(page.url()).pathname, REGION);
  assert.equal(await page.locator("h1").innerText(), "Bretagne en chiffres");
  assert.equal(await page.locator("svg.chart").count(), 2);
  await page.goto(url("/regions/"));
  await page.click(`main a[href$="${NETWORK}"]`);
  assert.equal(new URL(page.url()).pathname, NETWORK);
  await context.close();
});

for (const [device, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`on a ${device}, the figures pages have no serious accessibility problem and no horizontal scroll`, async () => {
    for (const pathname of [NETWORK, REGION]) {
      const { page, context } = await open(pathname, { viewport });
      const bad = serious(await axe(page));
      assert.deepEqual(bad, [], `${pathname}:\n${describeViolations(bad)}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `${pathname} is ${overflow} px wider than the screen`);
      if (pathname === NETWORK) {
        await page.screenshot({ path: path.join(ARTIFACTS, `figures-${device}.png`), fullPage: true });
      }
      await context.close();
    }
  });
}
