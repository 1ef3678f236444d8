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
  // The right link opened next in the same tab (only the fragment
  // changes): its region shows, the error gone.
  await page.evaluate(([region, key]) => { location.hash = `region=${region}&cle=${key}`; }, [REGION, KEY]);
  await page.locator("#region-vue").waitFor({ state: "visible" });
  assert.equal(await page.textContent("#region-vue-titre"), "Occitanie");
  assert.equal(await page.locator("#coordination-erreurs li").count(), 0, "the error is gone");
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

/** Waits until `check` holds, or fails after `timeout` ms. */
async function eventually(what, check, timeout = 20000) {
  const start = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - start > timeout) throw new Error(`${what} did not happen within ${timeout} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("an organiser proposes, the coordinator accepts, the meetup appears on the site and the map, a participant registers, the coordinator sees it", async () => {
  const title = "Tiers-lieux éducatifs : atelier proposé";
  const meetupId = "tiers-lieux-educatifs-atelier-propose-2027-02";
  // The organiser proposes, on a phone.
  const context = await isolatedContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(url("/organisation/proposer/"));
  const form = serious(await axe(page));
  assert.equal(form.length, 0, describeViolations(form));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the form is ${overflow} px wider than the screen`);
  await page.selectOption("#proposition-region", REGION);
  await page.selectOption("#proposition-belongs", "series:tiers-lieux-educatifs-occitanie");
  await page.selectOption("#proposition-place", "lycee-de-la-garonne-toulouse");
  await page.fill("#proposition-title", title);
  await page.fill("#proposition-start", "2027-02-17T18:00");
  await page.fill("#proposition-end", "2027-02-17T20:00");
  await page.fill("#proposition-capacity", "12");
  await page.fill("#proposition-intentions", "Découvrir les tiers-lieux\nPréparer un projet commun");
  await page.fill("#proposition-name", "Sacha Proposeur");
  await page.fill("#proposition-email", "sacha.proposeur@exemple.org");
  await page.check("#proposition-consent");
  await page.click("#proposition button[type=submit]");
  await page.locator("#proposition-resultat").waitFor({ state: "visible" });
  assert.match(await page.textContent("#proposition-resultat"), /transmise à la coordination de la région Occitanie/);
  await page.screenshot({ path: path.join(ARTIFACTS, "proposition-envoyee.png"), fullPage: true });
  await context.close();

  // The coordinator accepts it from the region's page.
  const coordinator = await isolatedContext(browser);
  const view = await coordinator.newPage();
  await view.goto(url(`/coordination/#region=${REGION}&cle=${KEY}`));
  const proposal = view.locator("#region-propositions article", { hasText: title });
  await proposal.waitFor();
  assert.match(await proposal.textContent(), /Sacha Proposeur \(sacha\.proposeur@exemple\.org\)/);
  const withProposals = serious(await axe(view));
  assert.equal(withProposals.length, 0, describeViolations(withProposals));
  await proposal.locator("textarea[name=message]").fill("Bienvenue dans le réseau !");
  await proposal.locator("button[value=accept]").click();
  await view.locator("#region-message").waitFor({ state: "visible" });
  assert.match(await view.textContent("#region-message"), /est acceptée/);
  assert.match(await view.textContent("#region-propositions-traitees"), new RegExp(`acceptée \\(${meetupId}\\)`));

  // After the rebuild: its page and the map.
  await eventually("the accepted meetup's page", async () => (await fetch(url(`/rencontres/${meetupId}/`))).ok);
  await eventually("the accepted meetup on the map", async () => {
    const map = await (await fetch(url("/carte/rencontres.geojson"), { cache: "no-store" })).text();
    return map.includes(meetupId);
  });

  // A participant registers on it.
  const visitor = await isolatedContext(browser);
  const meetupPage = await visitor.newPage();
  await meetupPage.goto(url(`/rencontres/${meetupId}/`));
  assert.match(await meetupPage.textContent("h1"), /atelier proposé/);
  await meetupPage.fill("#inscription-name", "Lou Participante");
  await meetupPage.fill("#inscription-email", "lou.participante@exemple.org");
  await meetupPage.check("#inscription-consent");
  await meetupPage.click("#inscription button[type=submit]");
  await meetupPage.locator("#inscription-resultat").waitFor({ state: "visible" });
  await visitor.close();

  // The coordinator sees the registration on the region's page.
  await view.goto(url("/"));
  await view.goto(url(`/coordination/#region=${REGION}&cle=${KEY}`));
  const row = view.locator("#region-a-venir tbody tr", { hasText: "atelier proposé" });
  await row.waitFor();
  const cells = await row.locator("td").allTextContents();
  assert.equal(cells[2], "1 / 12", "one registration out of twelve seats");
  await view.screenshot({ path: path.join(ARTIFACTS, "coordination-proposition.png"), fullPage: true });
  await coordinator.close();
});

test("without JavaScript an organiser sends a proposal and gets the function's page", async () => {
  const context = await isolatedContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url("/organisation/proposer/"));
  await page.selectOption("#proposition-region", REGION);
  await page.selectOption("#proposition-belongs", "series:tiers-lieux-educatifs-occitanie");
  await page.fill("#proposition-title", "Un lieu nouveau à Albi");
  await page.fill("#proposition-place-name", "Tiers-lieu de la Madeleine");
  await page.fill("#proposition-place-town", "Albi");
  await page.fill("#proposition-place-department", "81");
  await page.fill("#proposition-start", "2027-03-03T18:00");
  await page.fill("#proposition-end", "2027-03-03T20:00");
  await page.fill("#proposition-capacity", "10");
  await page.fill("#proposition-intentions", "Faire connaissance");
  await page.fill("#proposition-name", "Noa Sansjs");
  await page.fill("#proposition-email", "noa.sansjs@exemple.org");
  await page.check("#proposition-consent");
  await Promise.all([page.waitForURL(/\/api\/proposals$/), page.click("#proposition button[type=submit]")]);
  assert.equal(await page.textContent("h1"), "Proposition envoyée");
  const html = await page.content();
  const checker = await isolatedContext(browser);
  const check = await checker.newPage();
  await check.setContent(html);
  const violations = serious(await axe(check));
  assert.equal(violations.length, 0, describeViolations(violations));
  await checker.close();
  await context.close();
});
