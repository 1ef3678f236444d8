// The regional coordinator's page in a real browser, on the demo site served
// by `maillage serve` with the function and its store: the secret link opens
// the region's view in place (the key stays in the fragment and the POST
// body), a registration shows in it, another region's key or a wrong one
// reads nothing, and without JavaScript the function answers the view as a
// page. Accessible (axe-core) and usable on a phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, axe, describeViolations, isolatedContext, launch, serious, url } from "./lib.mjs";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// A meetup of the demo's Occitanie, open for registration on the pinned day.
const MEETUP = "montpellier-culture-s3-2026-12";
const REGION = "occitanie";
const KEY = `demo-coordination-${REGION}`;

/** The region's view as the function gives it to the page's script. */
async function regionView(region, key) {
  const response = await fetch(url("/api/coordination"), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ region, key }),
  });
  return { status: response.status, data: await response.json() };
}

for (const [device, viewport] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
  test(`on a ${device}, the coordinator's secret link shows the region's view with a new registration, the key never in a URL`, async () => {
    const who = { name: `Coordination Test ${device}`, email: `coordination.${device}@exemple.org` };
    const registered = await fetch(url("/api/registrations"), {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ meetup: MEETUP, ...who, role: "participant", consent: "oui", website: "" }),
    });
    assert.ok(registered.ok, `registration answered ${registered.status}`);
    const { data } = await regionView(REGION, KEY);
    const meetup = data.meetups.find((m) => m.meetup === MEETUP);
    assert.ok(meetup && meetup.stage === "upcoming", JSON.stringify(data.meetups.map((m) => m.meetup)));
    assert.ok(meetup.confirmed >= 1, "the registration counts");

    const context = await isolatedContext(browser, { viewport });
    const page = await context.newPage();
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(url(`/coordination/#region=${REGION}&cle=${KEY}`));
    await page.locator("#region-vue").waitFor({ state: "visible" });
    assert.equal(await page.textContent("#region-vue-titre"), "Occitanie");
    const row = page.locator("#region-a-venir tbody tr", { hasText: meetup.title });
    assert.equal(await row.count(), 1, "the meetup is listed among those to come");
    const cells = await row.locator("td").allTextContents();
    assert.deepEqual(cells.slice(2), [`${meetup.confirmed} / ${meetup.capacity}`, `${meetup.fill_rate} %`, String(meetup.waiting)]);
    const body = await page.textContent("body");
    assert.ok(!body.includes(who.email) && !body.includes(who.name), "no registrant's name or email");
    assert.ok(requests.every((u) => !u.includes(KEY)), `the key never reaches a URL: ${requests.join(", ")}`);
    await page.screenshot({ path: path.join(ARTIFACTS, `coordination-${device}.png`), fullPage: true });
    const violations = serious(await axe(page));
    assert.equal(violations.length, 0, describeViolations(violations));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    if (device === "desktop") {
      // The CSV button posts the form itself: the file downloads, the page stays.
      const [download] = await Promise.all([page.waitForEvent("download"), page.click("#coordination button[name=format]")]);
      assert.equal(download.suggestedFilename(), `coordination-${REGION}.csv`);
      const csv = fs.readFileSync(await download.path(), "utf8");
      assert.ok(csv.includes(`${MEETUP};`), csv);
      assert.ok(!csv.includes(who.email), "no registrant's email in the CSV");
      assert.equal(new URL(page.url()).pathname, "/coordination/");
    }
    await context.close();
  });
}

test("the region's view holds only its own meetups; a wrong key or another region's key shows nothing", async () => {
  const { data } = await regionView(REGION, KEY);
  const other = await regionView("bretagne", "demo-coordination-bretagne");
  assert.equal(other.status, 200);
  const ours = new Set(data.meetups.map((m) => m.meetup));
  assert.ok(other.data.meetups.length > 0 && other.data.meetups.every((m) => !ours.has(m.meetup)), "no meetup in both regions");

  const context = await isolatedContext(browser);
  const page = await context.newPage();
  for (const key of ["pas-la-bonne-cle", "demo-coordination-bretagne"]) {
    await page.goto(url("/"));
    await page.goto(url(`/coordination/#region=${REGION}&cle=${key}`));
    await page.locator("#coordination-erreurs li").first().waitFor();
    assert.match(await page.textContent("#coordination-erreurs"), /n'ouvre pas la page de coordination de cette région/);
    assert.equal(await page.isHidden("#region-vue"), true, "nothing of the region is shown");
  }
  const violations = serious(await axe(page));
  assert.equal(violations.length, 0, describeViolations(violations));
  await context.close();
});

test("without JavaScript the coordinator types the region and key and gets the view as a page", async () => {
  const context = await isolatedContext(browser, { javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(url(`/coordination/#region=${REGION}&cle=${KEY}`));
  assert.equal(await page.inputValue("#coordination-region"), "", "nothing reads the fragment without JavaScript");
  await page.fill("#coordination-region", REGION);
  await page.fill("#coordination-key", KEY);
  await Promise.all([page.waitForURL(/\/api\/coordination$/), page.click("#coordination button:not([name])")]);
  assert.equal(await page.textContent("h1"), "Coordination : Occitanie");
  assert.match(await page.textContent("main"), /Rencontres à venir/);
  await page.screenshot({ path: path.join(ARTIFACTS, "coordination-sans-js.png"), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the function's page is ${overflow} px wider than the screen`);
  // axe-core needs scripts: it checks the function's page, and the form
  // page as it stands before any script, in a context that runs them.
  const html = await page.content();
  const checker = await isolatedContext(browser, { viewport: { width: 390, height: 844 } });
  const view = await checker.newPage();
  await view.route(url("/coordination/"), async (route) => {
    const original = await route.fetch();
    const text = (await original.text()).replace(/<script[\s\S]*?<\/script>/g, "");
    await route.fulfill({ response: original, body: text });
  });
  for (const load of [() => view.setContent(html), () => view.goto(url("/coordination/"))]) {
    await load();
    const violations = serious(await axe(view));
    assert.equal(violations.length, 0, `${view.url()}: ${describeViolations(violations)}`);
  }
  await checker.close();
  await context.close();
});
