// The whole loop in a real browser, against `maillage serve` with the
// function mounted under /api/ on its SQLite store: register with and without
// JavaScript, fill a meetup until its waiting list, cancel and see the next
// person promoted, report with the organiser's secret link and see the public
// part published after the rebuild, a wrong key refused, hostile Markdown shown
// as text, the organiser's registrant list with and without JavaScript,
// attendance marked from it, an attestation opened and its code checked.
// Each test uses its own meetup of the demo data (clock pinned to
// 2026-11-22 by tests/browser/run), on a copy of the site.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ARTIFACTS, axe, describeViolations, isolatedContext, launch, registerInStore, serious, url } from "./lib.mjs";

let browser;
before(async () => {
  browser = await launch();
  const probe = await fetch(url("/api/registrations"), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: "",
  });
  assert.notEqual(probe.status, 404, "the function answers under /api/ (maillage serve mounts it with its store)");
});
after(async () => { await browser?.close(); });

let people = 0;
function person(tag) {
  people += 1;
  return { name: `Camille Test ${tag} ${people}`, email: `camille.${tag}.${people}@exemple.org` };
}

/** A meetup page's figures, as rendered right now. */
async function figures(meetup) {
  const html = await (await fetch(url(`/rencontres/${meetup}/`), { cache: "no-store" })).text();
  const seats = html.match(/class="seats-figure"[^>]*>([^<]*)</);
  return { html, seats: seats ? seats[1].trim() : null };
}

/** Waits until the meetup page satisfies `check`; returns the time it took. */
async function pageUpdates(meetup, check, timeout = 5000) {
  const start = Date.now();
  for (;;) {
    const f = await figures(meetup);
    if (check(f)) return Date.now() - start;
    if (Date.now() - start > timeout) assert.fail(`/rencontres/${meetup}/ did not update within ${timeout} ms (seats: ${f.seats})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seatsLeft = (f) => {
  const m = f.seats && f.seats.match(/^(\d+) place/);
  return m ? Number(m[1]) : 0;
};

/** Registers through the browser form. */
async function registerInBrowser(meetup, who, { javaScript }) {
  const context = await isolatedContext(browser, { javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await page.goto(url(`/rencontres/${meetup}/`));
  await page.fill("#inscription-name", who.name);
  await page.fill("#inscription-email", who.email);
  await page.check("#inscription-consent");
  return { context, page };
}

/** Registers with a plain HTTP post, as a script would (to fill a meetup). */
async function registerByPost(meetup, who) {
  const response = await fetch(url("/api/registrations"), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ meetup, ...who, role: "participant", consent: "oui", website: "" }),
  });
  const data = await response.json();
  assert.ok(response.status === 200 || response.status === 201, `registration answered ${response.status}: ${JSON.stringify(data)}`);
  return data;
}

test("registering without JavaScript: a plain post, the answer with a working cancellation link, the seat taken", async () => {
  const meetup = "strasbourg-culture-s3-2026-11";
  const before = seatsLeft(await figures(meetup));
  const { context, page } = await registerInBrowser(meetup, person("nojs"), { javaScript: false });
  const [response] = await Promise.all([page.waitForNavigation(), page.click("#inscription button[type=submit]")]);
  assert.equal(response.status(), 201);
  assert.equal(await page.textContent("h1"), "Inscription confirmée");
  assert.doesNotMatch(await page.textContent("main"), /rappel/, "no promise of a reminder nothing sends");
  const took = await pageUpdates(meetup, (f) => seatsLeft(f) === before - 1);
  console.log(`  seat count updated ${took} ms after the answer`);
  await page.screenshot({ path: path.join(ARTIFACTS, "registered-no-js.png"), fullPage: true });
  // The way back to the meetup, and the private link, both work without JavaScript.
  const back = await page.getByRole("link", { name: "Revenir à la page de la rencontre" }).getAttribute("href");
  assert.equal((await fetch(url(new URL(back, url("/")).pathname))).status, 200, back);
  await Promise.all([page.waitForNavigation(), page.click("a.cancel-link")]);
  assert.equal(await page.textContent("h1"), "Annuler votre inscription ?");
  await Promise.all([page.waitForURL(/\/annulation\/confirmee\//), page.click("form button[type=submit]")]);
  assert.equal(await page.textContent("h1"), "Inscription annulée");
  await pageUpdates(meetup, (f) => seatsLeft(f) === before);
  await context.close();
});

test("without JavaScript, an incomplete form gets French messages, never the browser's own", async () => {
  const meetup = "strasbourg-culture-s3-2026-11";
  const context = await isolatedContext(browser, { javaScriptEnabled: false, locale: "en-US" });
  const page = await context.newPage();
  await page.goto(url(`/rencontres/${meetup}/`));
  await page.fill("#inscription-email", "pas-une-adresse");
  const [response] = await Promise.all([page.waitForNavigation(), page.click("#inscription button[type=submit]")]);
  assert.equal(response.status(), 422);
  assert.equal(await page.textContent("h1"), "Votre envoi n'a pas abouti");
  const problems = await page.textContent(".problems");
  assert.match(problems, /Prénom ou pseudonyme/);
  assert.match(problems, /Adresse électronique/);
  await context.close();
});

test("registering with JavaScript: the answer shows in place, with the cancellation link", async () => {
  const meetup = "marseille-culture-s3-2026-12";
  const before = seatsLeft(await figures(meetup));
  const { context, page } = await registerInBrowser(meetup, person("js"), { javaScript: true });
  const requests = [];
  page.on("request", (r) => requests.push([r.method(), new URL(r.url()).pathname, r.headers().accept]));
  await page.click("#inscription button[type=submit]");
  const result = page.locator("#inscription-resultat");
  await result.locator(".outcome__title").waitFor();
  assert.equal(new URL(page.url()).pathname, `/rencontres/${meetup}/`, "the page stays");
  assert.equal(await result.locator(".outcome__title").textContent(), "Votre inscription est confirmée");
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("outcome__title")), true, "focus on the answer");
  assert.equal(await page.locator("#inscription").isVisible(), false, "the form gives way to the answer");
  const cancel = await result.locator("a.cancel-link").getAttribute("href");
  assert.match(cancel, /\/registrations\/cancel\?jeton=/);
  // The seats figures follow at once, before the page is rebuilt.
  const shown = await page.locator("[data-seats]").allTextContents();
  assert.ok(shown.length >= 2);
  for (const text of shown) assert.match(text, new RegExp(`^${before - 1} places? restantes? sur `), text);
  assert.ok(requests.some(([m, p, a]) => m === "POST" && p === "/api/registrations" && /application\/json/.test(a)));
  assert.deepEqual(serious(await axe(page)), []);
  await page.screenshot({ path: path.join(ARTIFACTS, "meetup-registered.png"), fullPage: true });
  await pageUpdates(meetup, (f) => seatsLeft(f) === before - 1);
  await context.close();
});

test("with JavaScript, the function's field errors are tied to their fields", async () => {
  const meetup = "marseille-culture-s3-2026-12";
  const context = await isolatedContext(browser);
  const page = await context.newPage();
  await page.goto(url(`/rencontres/${meetup}/`));
  // Pass the browser's checks, fail the function's: a name far too long.
  await page.evaluate(() => { document.getElementById("inscription-name").maxLength = 5000; });
  await page.fill("#inscription-name", "x".repeat(3000));
  await page.fill("#inscription-email", "quelqu.un@exemple.org");
  await page.check("#inscription-consent");
  await page.click("#inscription button[type=submit]");
  await page.locator("#inscription-erreurs li").first().waitFor();
  assert.equal(await page.getAttribute("#inscription-name", "aria-invalid"), "true");
  assert.match(await page.getAttribute("#inscription-name", "aria-describedby"), /inscription-name-erreur/);
  assert.ok((await page.textContent("#inscription-name-erreur")).length > 5, "a message a person understands");
  await context.close();
});

test("a full meetup puts the next person on the waiting list; a cancellation promotes them", async () => {
  const meetup = "caen-culture-s3-2026-11";
  let left = seatsLeft(await figures(meetup));
  const tokens = [];
  while (left > 0) {
    const answer = await registerByPost(meetup, person("full"));
    assert.equal(answer.status, "confirmed");
    tokens.push(answer.cancel_url);
    left -= 1;
  }
  await pageUpdates(meetup, (f) => /liste d'attente/.test(f.html) && seatsLeft(f) === 0);

  // The next person, in the browser without JavaScript, lands on the waiting list.
  const { context, page } = await registerInBrowser(meetup, person("waiting"), { javaScript: false });
  assert.match(await page.textContent("#inscription button[type=submit]"), /liste d'attente/);
  await Promise.all([page.waitForNavigation(), page.click("#inscription button[type=submit]")]);
  assert.equal(await page.textContent("h1"), "Vous êtes sur la liste d'attente");
  assert.match(await page.textContent(".outcome"), /no\s1 sur la liste d'attente/);
  assert.ok(await page.locator("a.cancel-link").count());
  await context.close();
  const js = await isolatedContext(browser);
  await pageUpdates(meetup, (f) => /1 personne en liste d'attente/.test(f.seats));

  // A confirmed person cancels with their link: the function's page, then its form.
  const cancelPage = await js.newPage();
  await cancelPage.goto(new URL(tokens[0], url("/")).href);
  await Promise.all([
    cancelPage.waitForURL(/\/annulation\/confirmee\//),
    cancelPage.locator("form button[type=submit], form input[type=submit]").first().click(),
  ]);
  assert.equal(new URL(cancelPage.url()).searchParams.get("rencontre"), meetup);
  assert.equal(await cancelPage.textContent("h1"), "Inscription annulée");
  // The waiting person takes the seat: still full, nobody waiting.
  await pageUpdates(meetup, (f) => !/en liste d'attente/.test(f.seats) && seatsLeft(f) === 0);
  await js.close();
});

/** Opens the organiser's secret link and fills the report. */
async function openReport(meetup, key, { javaScript = true } = {}) {
  const context = await isolatedContext(browser, { javaScriptEnabled: javaScript });
  const page = await context.newPage();
  await page.goto(url(`/bilan/#rencontre=${meetup}&cle=${encodeURIComponent(key)}`));
  return { context, page };
}

test("the organiser's secret link fills the report form; the public part is published after the rebuild", async () => {
  const meetup = "bordeaux-info-s3-2026-10";
  const { context, page } = await openReport(meetup, `demo-${meetup}`);
  assert.equal(await page.inputValue("#bilan-meetup"), meetup, "the fragment fills the meetup");
  assert.equal(await page.inputValue("#bilan-key"), `demo-${meetup}`, "and the key");
  await page.fill("#bilan-attendance", "17");
  await page.fill("#bilan-outcome", "- Les algorithmes de tri ont été **manipulés avec des cartes**.");
  await page.fill("#bilan-went_well", "- Le binôme salle et visio a tenu toute la soirée.");
  await page.fill("#bilan-problems", "- Un souci de micro, réglé en dix minutes.");
  await page.fill("#bilan-improvements", "- Tester le micro la veille.");
  await page.fill("#bilan-links", "Notes de la soirée | https://pad.example.org/p/bordeaux-tri");
  await page.fill("#bilan-private", "Une personne a demandé une attestation.");
  await Promise.all([page.waitForURL(/\/bilan\/envoye\//), page.click("#bilan button[type=submit]")]);
  assert.equal(new URL(page.url()).searchParams.get("rencontre"), meetup);
  const took = await pageUpdates(meetup, (f) => /manipulés avec des cartes/.test(f.html));
  console.log(`  report published ${took} ms after the answer`);
  const published = await context.newPage();
  await published.goto(url(`/rencontres/${meetup}/`));
  const report = published.locator("#bilan").locator("xpath=..");
  assert.match(await report.textContent(), /Tester le micro la veille/);
  assert.doesNotMatch(await report.textContent(), /souci de micro/, "problems were not ticked for publication");
  assert.doesNotMatch(await published.content(), /attestation\./, "private notes stay private");
  assert.equal(await report.locator('a[href="https://pad.example.org/p/bordeaux-tri"]').count(), 1);
  await context.close();
});

test("from the organiser's page, the report starts with the meetup's intentions to complete", async () => {
  const meetup = "club-code-brest-2026-11";
  const context = await isolatedContext(browser);
  const page = await context.newPage();
  await page.goto(url(`/organisation/#rencontre=${meetup}&cle=demo-${meetup}`));
  await page.locator("#inscrits").waitFor({ state: "visible" });
  await page.click("#inscrits-bilan");
  await page.waitForFunction(() => document.querySelector("#bilan-outcome").value !== "");
  assert.equal(
    await page.inputValue("#bilan-outcome"),
    "- Programmer une animation lumineuse sur une carte micro:bit : \n- Un adulte bénévole pour trois enfants au plus : ",
  );
  assert.equal(await page.inputValue("#bilan-meetup"), meetup);
  await context.close();
});

test("without JavaScript the organiser types the meetup and key, and the report is accepted", async () => {
  const meetup = "lille-info-s3-2026-10";
  const { context, page } = await openReport(meetup, `demo-${meetup}`, { javaScript: false });
  assert.equal(await page.inputValue("#bilan-meetup"), "", "nothing reads the fragment without JavaScript");
  await page.fill("#bilan-meetup", meetup);
  await page.fill("#bilan-key", `demo-${meetup}`);
  await page.fill("#bilan-outcome", "- Rencontre tenue, douze personnes en salle.");
  await Promise.all([page.waitForURL(/\/bilan\/envoye\//), page.click("#bilan button[type=submit]")]);
  await pageUpdates(meetup, (f) => /douze personnes en salle/.test(f.html));
  await context.close();
});

test("a wrong key is refused and nothing is published", async () => {
  const meetup = "nantes-info-s3-2026-10";
  const { context, page } = await openReport(meetup, "demo-pas-la-bonne-cle");
  await page.fill("#bilan-outcome", "- Ce texte ne doit jamais paraître.");
  await page.click("#bilan button[type=submit]");
  await page.locator("#bilan-erreurs li").first().waitFor();
  assert.equal(new URL(page.url()).pathname, "/bilan/", "the form stays, with the error");
  assert.ok((await page.textContent("#bilan-erreurs")).length > 20);
  assert.deepEqual(serious(await axe(page)), [], describeViolations(serious(await axe(page))));
  await context.close();
  // Without JavaScript, the function answers with an error status.
  const response = await fetch(url("/api/reports"), {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ meetup, key: "demo-pas-la-bonne-cle", outcome: "non" }),
  });
  assert.ok(response.status === 401 || response.status === 403, `status ${response.status}`);
  await new Promise((r) => setTimeout(r, 1000));
  assert.doesNotMatch((await figures(meetup)).html, /jamais paraître/);
});

test("a report with <script> and javascript: links is shown as text and runs nothing", async () => {
  const meetup = "lyon-info-s3-2026-10";
  const { context, page } = await openReport(meetup, `demo-${meetup}`);
  await page.fill("#bilan-outcome", "Avant <script>window.__pwned = 1</script> après <img src=x onerror=\"window.__pwned = 2\">");
  await page.fill("#bilan-went_well", "[cliquez ici](javascript:window.__pwned=3) et <a href=\"javascript:window.__pwned=4\">là</a>");
  await page.fill("#bilan-links", "Piège | javascript:window.__pwned=5\nVrai lien | https://exemple.org/fiche");
  await Promise.all([page.waitForURL(/\/bilan\/envoye\//), page.click("#bilan button[type=submit]")]);
  // The page's HTML escapes the slashes of attributes (`&#x2F;`).
  await pageUpdates(meetup, (f) => /exemple\.org(\/|&#x2F;)fiche/.test(f.html));
  const shown = await context.newPage();
  const dialogs = [];
  shown.on("dialog", (d) => { dialogs.push(d.message()); d.dismiss(); });
  await shown.goto(url(`/rencontres/${meetup}/`));
  const report = shown.locator("section.report");
  assert.match(await report.textContent(), /<script>window\.__pwned = 1<\/script>/, "the script shows as text");
  assert.equal(await report.locator("script, img[onerror], [onerror]").count(), 0);
  assert.equal(await shown.locator('a[href^="javascript:"]').count(), 0, "no javascript: link anywhere");
  assert.equal(await shown.evaluate(() => window.__pwned), undefined, "nothing ran");
  assert.deepEqual(dialogs, []);
  await context.close();
});

test("the organiser's secret link opens the registrant list in place, with roles and needs", async () => {
  const meetup = "montpellier-culture-s3-2026-12";
  const who = person("organisation");
  const response = await fetch(url("/api/registrations"), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ meetup, ...who, role: "facilitator", need: "Une boucle magnétique", consent: "oui", website: "" }),
  });
  assert.ok(response.ok, `registration answered ${response.status}`);
  const context = await isolatedContext(browser);
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url(`/organisation/#rencontre=${meetup}&cle=demo-${meetup}`));
  await page.locator("#inscrits").waitFor({ state: "visible" });
  const row = page.locator("#inscrits-table tbody tr", { hasText: who.name });
  assert.equal(await row.count(), 1, "the registrant is listed");
  const cells = await row.locator("td").allTextContents();
  assert.deepEqual(cells, [`${who.name} est venu·e`, who.name, who.email, "animation", "", "Une boucle magnétique", "confirmée", ""]);
  assert.equal(await page.textContent("#inscrits-places"), "20");
  const report = await page.getAttribute("#inscrits-bilan", "href");
  assert.match(report, new RegExp(`/bilan/#rencontre=${meetup}&cle=demo-${meetup}$`), "the report link carries the key in its fragment");
  assert.ok(requests.every((u) => !u.includes("demo-")), `the key never reaches a URL sent to a server: ${requests.join(", ")}`);
  await page.screenshot({ path: path.join(ARTIFACTS, "organisation.png"), fullPage: true });
  const violations = serious(await axe(page));
  assert.equal(violations.length, 0, describeViolations(violations));
  // The CSV button posts the form itself: the file downloads, the page stays.
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#organisation button[name=format]")]);
  assert.equal(download.suggestedFilename(), `inscriptions-${meetup}.csv`);
  const csv = fs.readFileSync(await download.path(), "utf8");
  assert.ok(csv.includes(`${who.name};${who.email};animation;;Une boucle magnétique;confirmée`), csv);
  assert.equal(new URL(page.url()).pathname, "/organisation/");
  await context.close();
});

test("the organiser's page with a wrong key or another meetup's key lists nobody", async () => {
  const meetup = "montpellier-culture-s3-2026-12";
  const context = await isolatedContext(browser);
  const page = await context.newPage();
  for (const key of ["pas-la-bonne-cle", "demo-carto-paris-2026-12"]) {
    await page.goto(url("/"));
    await page.goto(url(`/organisation/#rencontre=${meetup}&cle=${key}`));
    await page.locator("#organisation-erreurs li").first().waitFor();
    assert.ok(await page.locator("#inscrits").isHidden(), `${key}: no list shown`);
    assert.equal(await page.locator("#inscrits-table tbody tr").count(), 0);
  }
  const violations = serious(await axe(page));
  assert.equal(violations.length, 0, describeViolations(violations));
  await context.close();
});

test("without JavaScript the organiser types the meetup and key and gets the list as a page", async () => {
  const meetup = "carto-paris-2026-12";
  const who = person("sans-js");
  await registerByPost(meetup, who);
  const context = await isolatedContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url(`/organisation/#rencontre=${meetup}&cle=demo-${meetup}`));
  assert.equal(await page.inputValue("#organisation-meetup"), "", "nothing reads the fragment without JavaScript");
  await page.fill("#organisation-meetup", meetup);
  await page.fill("#organisation-key", `demo-${meetup}`);
  await Promise.all([page.waitForURL(/\/api\/registrants$/), page.click("#organisation button:not([name])")]);
  assert.equal(await page.textContent("h1"), "Personnes inscrites");
  const cells = await page.locator("tr", { hasText: who.name }).locator("td").allTextContents();
  assert.deepEqual(cells, [`${who.name} est venu·e`, who.name, who.email, "participation", "", "", "confirmée", ""]);
  // axe-core needs scripts: it checks the function's page, and the form
  // page as it stands before any script, in a context that runs them.
  const html = await page.content();
  const checker = await isolatedContext(browser);
  const view = await checker.newPage();
  await view.route(url("/organisation/"), async (route) => {
    const original = await route.fetch();
    const text = (await original.text()).replace(/<script[\s\S]*?<\/script>/g, "");
    await route.fulfill({ response: original, body: text });
  });
  for (const load of [() => view.setContent(html), () => view.goto(url("/organisation/"))]) {
    await load();
    const violations = serious(await axe(view));
    assert.equal(violations.length, 0, `${view.url()}: ${describeViolations(violations)}`);
  }
  await checker.close();
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Télécharger la liste (CSV)" }).click()]);
  assert.equal(download.suggestedFilename(), `inscriptions-${meetup}.csv`);
  await context.close();
});

/** axe-core on a page whose policy forbids scripts: its HTML, checked in a page that runs them. */
async function axeOnContent(html) {
  const checker = await isolatedContext(browser);
  const view = await checker.newPage();
  await view.setContent(html);
  const violations = serious(await axe(view));
  await checker.close();
  return violations;
}

test("the organiser marks who came, a participant opens their attestation, a third person checks its code", async () => {
  const meetup = "club-code-brest-2026-11";
  const key = `demo-${meetup}`;
  const came = { name: "Maëlle Présente", email: "maelle.presente@exemple.org", role: "participant" };
  const absent = { name: "Yanis Absent", email: "yanis.absent@exemple.org", role: "speaker" };
  registerInStore(meetup, [came, absent]);

  // The organiser, from the secret link.
  const organiser = await isolatedContext(browser);
  const page = await organiser.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url(`/organisation/#rencontre=${meetup}&cle=${key}`));
  await page.locator("#inscrits").waitFor({ state: "visible" });
  await page.getByLabel(`${came.name} est venu·e`).check();
  await page.fill("#presences-organisateur", "Théo Organisateur");
  await page.getByRole("button", { name: "Enregistrer les présences" }).click();
  await page.locator("#presences-resultat").waitFor({ state: "visible" });
  assert.match(await page.textContent("#presences-resultat"), /Présences enregistrées/);
  const row = page.locator("#inscrits-table tbody tr", { hasText: came.name });
  assert.ok(await page.getByLabel(`${came.name} est venu·e`).isChecked());
  assert.ok(!(await page.getByLabel(`${absent.name} est venu·e`).isChecked()));
  assert.equal(await page.locator("#inscrits-table tbody tr", { hasText: absent.name }).getByRole("link").count(), 0);
  const link = await row.getByRole("link", { name: "attestation" }).getAttribute("href");
  assert.match(await page.textContent("#presences-organisateur-lien"), /Votre attestation d'organisation/);
  assert.ok(requests.every((u) => !u.includes(key)), `the key never reaches a URL: ${requests.join(", ")}`);
  let violations = serious(await axe(page));
  assert.equal(violations.length, 0, describeViolations(violations));
  await page.screenshot({ path: path.join(ARTIFACTS, "presences.png"), fullPage: true });
  await organiser.close();

  // The participant, with the link the organiser passed on.
  const participant = await isolatedContext(browser);
  const own = await participant.newPage();
  await own.goto(link);
  assert.equal(await own.textContent("h1"), "Attestation de participation");
  const text = await own.textContent("main");
  for (const words of [came.name, "Club de code de Brest", "samedi 14 novembre 2026", "participant·e", "Code de vérification"]) {
    assert.ok(text.includes(words), `${words} in ${text}`);
  }
  assert.ok(!text.includes(came.email));
  const code = (await own.textContent("code")).trim();
  assert.match(code, /^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}-[0-9A-Z]{6}$/);
  violations = await axeOnContent(await own.content());
  assert.equal(violations.length, 0, describeViolations(violations));
  await own.screenshot({ path: path.join(ARTIFACTS, "attestation.png"), fullPage: true });
  await participant.close();

  // A third person checks the code on the site, with JavaScript…
  const third = await isolatedContext(browser);
  const check = await third.newPage();
  await check.goto(url("/attestation/verifier/"));
  await check.fill("#verification-code", code.toLowerCase());
  await check.getByRole("button", { name: "Vérifier" }).click();
  await check.locator("#verification-resultat").waitFor({ state: "visible" });
  const stated = await check.locator("#verification-resultat dd").allTextContents();
  assert.deepEqual(stated, [came.name, "Club de code de Brest : jeux de lumière avec micro:bit", "samedi 14 novembre 2026", "participant·e", "Maillage"]);
  violations = serious(await axe(check));
  assert.equal(violations.length, 0, describeViolations(violations));
  // …and a forged code is refused, what was shown before hidden.
  const forged = code.slice(0, -1) + (code.endsWith("0") ? "1" : "0");
  await check.fill("#verification-code", forged);
  await check.getByRole("button", { name: "Vérifier" }).click();
  await check.locator("#verification-erreurs li").first().waitFor();
  assert.match(await check.textContent("#verification-erreurs"), /ne correspond à aucune attestation/);
  assert.ok(await check.locator("#verification-resultat").isHidden());
  violations = serious(await axe(check));
  assert.equal(violations.length, 0, describeViolations(violations));
  await third.close();

  // Without JavaScript: the check answers a page, stating the same.
  const plain = await isolatedContext(browser, { javaScriptEnabled: false });
  const form = await plain.newPage();
  await form.goto(url("/attestation/verifier/"));
  await form.fill("#verification-code", code);
  await Promise.all([form.waitForURL(/\/api\/attestation\/verification$/), form.getByRole("button", { name: "Vérifier" }).click()]);
  assert.equal(await form.textContent("h1"), "Attestation valide");
  assert.ok((await form.textContent("main")).includes(came.name));
  violations = await axeOnContent(await form.content());
  assert.equal(violations.length, 0, describeViolations(violations));
  await plain.close();
});

test("without JavaScript the organiser marks who came from the list's page", async () => {
  const meetup = "club-code-brest-2026-11";
  const late = { name: "Inès Retardataire", email: "ines.retard@exemple.org", role: "facilitator" };
  registerInStore(meetup, [late]);
  const context = await isolatedContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url("/organisation/"));
  await page.fill("#organisation-meetup", meetup);
  await page.fill("#organisation-key", `demo-${meetup}`);
  await Promise.all([page.waitForURL(/\/api\/registrants$/), page.click("#organisation button:not([name])")]);
  await page.getByLabel(`${late.name} est venu·e`).check();
  await Promise.all([page.waitForURL(/\/api\/attendance$/), page.getByRole("button", { name: "Enregistrer les présences" }).click()]);
  assert.match(await page.textContent("main"), /Présences enregistrées/);
  assert.ok(await page.getByLabel(`${late.name} est venu·e`).isChecked());
  const link = await page.locator("tr", { hasText: late.name }).getByRole("link", { name: "attestation" }).getAttribute("href");
  const violations = await axeOnContent(await page.content());
  assert.equal(violations.length, 0, describeViolations(violations));
  await page.goto(link);
  assert.ok((await page.textContent("main")).includes("animateur·rice"));
  await context.close();
});

/** How many emails the function sent to `email` (aiosmtpd's files, see tests/browser/run). */
function emailsTo(email) {
  const dir = process.env.MAILLAGE_TEST_MAILDIR;
  assert.ok(dir, "tests/browser/run gives the function an SMTP server");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).filter((f) => {
    const raw = fs.readFileSync(path.join(dir, f), "utf8");
    const headers = raw.slice(0, raw.search(/\r?\n\r?\n/));
    return /^To:.*$/m.test(headers) && headers.match(/^To:.*$/m)[0].includes(email);
  }).length;
}

/** Waits until `email` has had `count` emails. */
async function emailsReach(email, count, timeout = 5000) {
  const start = Date.now();
  while (emailsTo(email) < count) {
    if (Date.now() - start > timeout) assert.fail(`${email}: ${emailsTo(email)} emails, expected ${count}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(emailsTo(email), count, `${email} gets each email once`);
}

test("from the private page with JavaScript, the organiser writes to every registrant; each gets it once", async () => {
  const meetup = "club-code-pointe-a-pitre-2026-12";
  const registrants = [person("message"), person("message")];
  for (const who of registrants) await registerByPost(meetup, who);
  for (const who of registrants) await emailsReach(who.email, 1);
  const context = await isolatedContext(browser);
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url(`/organisation/#rencontre=${meetup}&cle=demo-${meetup}`));
  await page.locator("#inscrits").waitFor({ state: "visible" });
  // An empty form gets French messages tied to its fields.
  await page.getByRole("button", { name: "Envoyer le message" }).click();
  await page.locator("#message-erreurs li").first().waitFor();
  assert.deepEqual(await page.locator("#message-erreurs li").allTextContents(), ["Choisissez ce que le message annonce.", "Écrivez le message."]);
  await page.check("#message-kind-change");
  await page.fill("#message-texte", "La séance commence à 17 h au lieu de 16 h 30.");
  await page.getByRole("button", { name: "Envoyer le message" }).click();
  await page.locator("#message-resultat").waitFor({ state: "visible" });
  assert.match(await page.textContent("#message-resultat"), /aux 2 personnes inscrites/);
  assert.equal(await page.inputValue("#message-texte"), "", "ready for another message");
  for (const who of registrants) await emailsReach(who.email, 2);
  assert.ok(requests.every((u) => !u.includes("demo-")), `the key never reaches a URL sent to a server: ${requests.join(", ")}`);
  await page.screenshot({ path: path.join(ARTIFACTS, "organisation-message.png"), fullPage: true });
  const violations = serious(await axe(page));
  assert.equal(violations.length, 0, describeViolations(violations));
  await context.close();
});

test("without JavaScript the organiser cancels the meetup from the list's page: everyone is told once, the site shows it cancelled", async () => {
  const meetup = "apero-pedago-grenoble-2026-12";
  const who = person("annulation");
  await registerByPost(meetup, who);
  await emailsReach(who.email, 1);
  const context = await isolatedContext(browser, { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(url("/organisation/"));
  await page.fill("#organisation-meetup", meetup);
  await page.fill("#organisation-key", `demo-${meetup}`);
  await Promise.all([page.waitForURL(/\/api\/registrants$/), page.click("#organisation button:not([name])")]);
  await page.check("#kind-cancellation");
  const text = "La salle n'est plus disponible : la rencontre est annulée. Toutes nos excuses.";
  await page.fill("#message-text", text);
  const request = await page.inputValue("input[name=request]");
  await Promise.all([page.waitForURL(/\/api\/messages$/), page.getByRole("button", { name: "Envoyer le message" }).click()]);
  assert.match(await page.textContent("[role=status]"), /Rencontre annulée : les inscriptions sont fermées\. Le message part par courriel à la personne inscrite\./);
  const answer = await page.content();
  // The same form posted again (a retry after a lost answer): nothing more is sent.
  const again = await fetch(url("/api/messages"), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ meetup, key: `demo-${meetup}`, kind: "cancellation", text, request }),
  });
  assert.equal(again.status, 200);
  assert.match(await again.text(), /déjà annulée/);
  await emailsReach(who.email, 2);
  const violations = await axeOnContent(answer);
  assert.equal(violations.length, 0, describeViolations(violations));
  await pageUpdates(meetup, (f) => f.html.includes("Rencontre annulée"));
  const refused = await fetch(url("/api/registrations"), {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ meetup, ...person("apres"), role: "participant", consent: "oui", website: "" }),
  });
  assert.equal(refused.status, 409);
  assert.equal((await refused.json()).error.code, "meetup_cancelled");
  await context.close();
});
