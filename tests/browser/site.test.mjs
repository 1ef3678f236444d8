// The demo site in a real browser: accessibility of every page type (axe-core),
// the map (markers, clusters, filters, popups, the list without JavaScript),
// keyboard access to the registration form, printing the kit, screenshots.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
  ARTIFACTS, TILE_HOST, axe, describeViolations, getJSON, isolatedContext, launch, serious, url,
} from "./lib.mjs";

const OPEN_MEETUP = "rennes-culture-s3-2026-11";
const WAITING_MEETUP = "villeurbanne-culture-s3-2026-12";
const REPORTED_MEETUP = "carto-paris-2026-11";
const CANCELLED_MEETUP = "ajaccio-culture-s3-2026-12";

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Opens a page in an isolated context; returns { page, context, errors }. */
async function open(pathname, options = {}) {
  const context = await isolatedContext(browser, options);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const response = await page.goto(url(pathname));
  return { page, context, errors, response };
}

const PAGES = [
  ["home", "/"],
  ["guide section", "/guide/"],
  ["guide page", "/guide/le-jour-j/"],
  ["FAQ", "/faq/"],
  ["kit", "/kit/"],
  ["kit chapter", "/kit/ouvrir-la-rencontre/"],
  ["printable sheet", "/kit/autorisation-photo/"],
  ["printable kit", "/kit/imprimer/"],
  ["map", "/carte/"],
  ["place", "/lieux/bibliotheque-des-tanneries-bordeaux/"],
  ["meetup, open", `/rencontres/${OPEN_MEETUP}/`],
  ["meetup, waiting list", `/rencontres/${WAITING_MEETUP}/`],
  ["meetup, report published", `/rencontres/${REPORTED_MEETUP}/`],
  ["meetup, cancelled", `/rencontres/${CANCELLED_MEETUP}/`],
  ["region", "/regions/bretagne/"],
  ["regions", "/regions/"],
  ["network figures", "/regions/chiffres/"],
  ["region figures", "/regions/bretagne/chiffres/"],
  ["meetups to come", "/rencontres/"],
  ["meetups to come, page 2", "/rencontres/page/2/"],
  ["past meetups", "/rencontres/passees/"],
  ["places", "/lieux/"],
  ["places of a type", "/lieux/types/mediatheque/"],
  ["partners", "/lieux/partenaires/"],
  ["partners of a type", "/lieux/partenaires/types/association/"],
  ["partners offering something", "/lieux/partenaires/offres/salle/"],
  ["news", "/actualites/"],
  ["news post", "/actualites/rentree-2026/"],
  ["tags", "/etiquettes/"],
  ["tag", "/etiquettes/formation/"],
  ["about", "/a-propos/"],
  ["search", "/recherche/"],
  ["registration confirmed", `/inscription/confirmee/?rencontre=${OPEN_MEETUP}#jeton=abcdefghijklmnop`],
  ["waiting list", `/inscription/liste-attente/?rencontre=${WAITING_MEETUP}&rang=3#jeton=abcdefghijklmnop`],
  ["cancellation done", `/annulation/confirmee/?rencontre=${OPEN_MEETUP}`],
  ["report form", `/bilan/#rencontre=${REPORTED_MEETUP}&cle=demo-${REPORTED_MEETUP}`],
  ["report sent", `/bilan/envoye/?rencontre=${REPORTED_MEETUP}`],
  ["404", "/cette-page-n-existe-pas/"],
];

// The kit's chapters with the most varied headings, checked for levels too.
const KIT_CHAPTERS = [["kit chapter, activities", "/kit/activite-en-petits-groupes/"], ["kit chapter, sharing", "/kit/mise-en-commun/"]];

/**
 * Every page type visited once, and what the checks below look at read
 * from that one visit: its landmarks, its heading levels, the other hosts
 * it asked for once settled, its script errors and axe-core's violations.
 * Visiting each page once for all of them keeps the suite short.
 */
let visits;
function visitAll() {
  visits ??= (async () => {
    const seen = new Map();
    const queue = [...PAGES, ...KIT_CHAPTERS];
    // Two pages at a time: axe-core keeps one core busy per page.
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await visit(...next);
    };
    const visit = async (name, pathname) => {
      const { page, context, errors } = await open(pathname);
      if (pathname === "/carte/") await page.waitForSelector(".leaflet-marker-icon");
      await page.waitForLoadState("networkidle");
      const facts = await page.evaluate(() => ({
        lang: document.documentElement.lang,
        h1: document.querySelectorAll("h1").length,
        header: document.querySelectorAll("body > header").length,
        nav: document.querySelectorAll("nav[aria-label]").length,
        main: document.querySelectorAll("main#contenu").length,
        footer: document.querySelectorAll("body > footer").length,
        skip: document.querySelector("a.skip-link")?.getAttribute("href"),
        title: document.title,
        levels: [...document.querySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6")]
          .map((h) => Number(h.tagName[1])),
      }));
      const violations = await axe(page);
      seen.set(pathname, { name, facts, violations, errors: [...errors], external: [...context.external] });
      await context.close();
    };
    await Promise.all([worker(), worker()]);
    return seen;
  })();
  return visits;
}

test("axe-core finds no serious or critical violation on any page type", async () => {
  const seen = await visitAll();
  const failures = [];
  for (const [name, pathname] of PAGES) {
    const { violations, errors } = seen.get(pathname);
    const bad = serious(violations);
    const minor = violations.filter((v) => !bad.includes(v));
    console.log(`  axe ${name}: ${bad.length} serious/critical, ${minor.length} minor${minor.length ? ` (${minor.map((v) => v.id).join(", ")})` : ""}`);
    if (bad.length) failures.push(`${name} (${pathname}):\n${describeViolations(bad)}`);
    if (errors.length) failures.push(`${name}: script errors: ${errors.join("; ")}`);
  }
  assert.equal(failures.length, 0, failures.join("\n\n"));
});

test("every page has one h1, landmarks, a skip link to main and its language", async () => {
  const seen = await visitAll();
  for (const [name, pathname] of PAGES) {
    const { facts } = seen.get(pathname);
    assert.equal(facts.lang, "fr", name);
    assert.equal(facts.h1, 1, `${name}: one h1`);
    assert.equal(facts.header, 1, `${name}: header`);
    assert.ok(facts.nav >= 2, `${name}: main and footer navigation`);
    assert.equal(facts.main, 1, `${name}: main`);
    assert.equal(facts.footer, 1, `${name}: footer`);
    assert.equal(facts.skip, "#contenu", `${name}: skip link`);
    assert.match(facts.title, /Maillage/, `${name}: title`);
  }
});

const RESULT_PAGES = [
  ["registration confirmed", `/inscription/confirmee/?rencontre=${OPEN_MEETUP}#jeton=abcdefghijklmnop`],
  ["waiting list", `/inscription/liste-attente/?rencontre=${WAITING_MEETUP}&rang=3#jeton=abcdefghijklmnop`],
  ["cancellation done", `/annulation/confirmee/?rencontre=${OPEN_MEETUP}`],
  ["report sent", `/bilan/envoye/?rencontre=${REPORTED_MEETUP}`],
];

test("every form result page links back to its meetup page, which answers 200", async () => {
  for (const [name, pathname] of RESULT_PAGES) {
    const { page, context } = await open(pathname);
    const back = page.getByRole("link", { name: "Revenir à la page de la rencontre" });
    await back.waitFor();
    const href = await back.getAttribute("href");
    assert.match(new URL(href, url("/")).pathname, /^\/rencontres\/[a-z0-9-]+\/$/, `${name}: ${href}`);
    const [response] = await Promise.all([page.waitForNavigation(), back.click()]);
    assert.equal(response.status(), 200, `${name}: ${href}`);
    await context.close();
  }
});

test("menu and breadcrumb links end with a slash: no redirect on the way", async () => {
  const { page, context } = await open(`/rencontres/${OPEN_MEETUP}/`);
  const hrefs = await page.evaluate(() => [...document.querySelectorAll(".site-nav a, .breadcrumb a, .site-footer a")]
    .map((a) => new URL(a.href).pathname).filter((p) => !/\.[a-z]+$/.test(p)));
  assert.ok(hrefs.length >= 8);
  for (const p of hrefs) assert.match(p, /\/$/, p);
  for (const p of hrefs) {
    const response = await fetch(url(p), { redirect: "manual" });
    assert.equal(response.status, 200, p);
  }
  // The icon every browser asks for.
  const icon = await fetch(url("/favicon.ico"));
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get("content-type"), /^image\//);
  await context.close();
});

test("on a phone the menu takes one row", async () => {
  const { page, context } = await open("/", { viewport: { width: 390, height: 844 } });
  const facts = await page.evaluate(() => {
    const items = [...document.querySelectorAll(".site-nav li")].map((li) => li.getBoundingClientRect().top);
    return { rows: new Set(items.map(Math.round)).size, header: document.querySelector(".site-header").getBoundingClientRect().height };
  });
  assert.equal(facts.rows, 1, "one row of menu items");
  assert.ok(facts.header < 120, `header ${facts.header} px high`);
  // Items past the edge are announced by a shadow there, drawn by the
  // list's own background (no script).
  const cue = await page.evaluate(() => {
    const list = document.querySelector(".site-nav ul");
    const style = getComputedStyle(list);
    return { overflows: list.scrollWidth > list.clientWidth, shadows: (style.backgroundImage.match(/radial-gradient/g) || []).length, attachment: style.backgroundAttachment };
  });
  assert.ok(cue.overflows, "the menu is wider than a phone");
  assert.equal(cue.shadows, 2, "a shadow for each edge");
  assert.match(cue.attachment, /local/, "covers that scroll with the items");
  await context.close();
});

test("no page skips a heading level", async () => {
  const seen = await visitAll();
  const failures = [];
  for (const [name, pathname] of [...PAGES, ...KIT_CHAPTERS]) {
    const { levels } = seen.get(pathname).facts;
    for (let i = 1; i < levels.length; i++) {
      if (levels[i] > levels[i - 1] + 1) failures.push(`${name}: h${levels[i - 1]} then h${levels[i]}`);
    }
  }
  assert.deepEqual(failures, []);
});

test("the 404 page answers 404 in French", async () => {
  const { page, context, response } = await open("/cette-page-n-existe-pas/");
  assert.equal(response.status(), 404);
  assert.equal(await page.textContent("h1"), "Page introuvable");
  await context.close();
});

test("no page asks another host for anything, the map included", async () => {
  const seen = await visitAll();
  const requested = [];
  for (const [, pathname] of PAGES) {
    for (const u of seen.get(pathname).external) requested.push([pathname, new URL(u).host]);
  }
  assert.deepEqual(requested, []);
});

/* ---- The map ------------------------------------------------------------ */

async function openMap(options) {
  const opened = await open("/carte/", options);
  await opened.page.waitForSelector(".leaflet-marker-icon");
  await opened.page.waitForFunction(() => document.getElementById("carte-interactive").dataset.shown);
  return opened;
}

const shown = (page) => page.evaluate(() => Number(document.getElementById("carte-interactive").dataset.shown));

async function shownAfter(page, action) {
  const before = await page.evaluate(() => document.getElementById("map-status").textContent);
  await action();
  await page.waitForFunction((b) => {
    const s = document.getElementById("map-status").textContent;
    return s !== b && !/Chargement/.test(s);
  }, before);
  return shown(page);
}

test("the map shows every metropolitan place as a marker, clustered, without tiles", async () => {
  const places = await getJSON("/carte/lieux.geojson");
  const { page, context } = await openMap();
  assert.equal(await shown(page), places.features.length);
  const status = await page.textContent("#map-status");
  assert.match(status, new RegExp(`^${places.features.length} lieux affichés`));
  const clusters = await page.locator(".marker-cluster").count();
  const singles = await page.locator(".leaflet-marker-icon.map-marker").count();
  assert.ok(clusters > 0, "clusters at the national zoom");
  const clustered = await page.evaluate(() => [...document.querySelectorAll(".marker-cluster > div > span")]
    .reduce((n, s) => n + parseInt(s.textContent, 10), 0));
  // Overseas places lie outside the starting view (their buttons frame them).
  const overseas = places.features.filter((f) => ["01", "02", "03", "04", "06"].includes(f.properties.region)).length;
  assert.equal(clustered + singles, places.features.length - overseas, "clusters and single markers add up to every metropolitan place");
  assert.deepEqual(context.external, [], "no tile asked for");
  await page.screenshot({ path: path.join(ARTIFACTS, "map.png") });
  await context.close();
});

/** The outlines drawn (SVG paths) and how many cross the map's box. */
const outlinesInView = (page, kind) => page.evaluate((k) => {
  const box = document.getElementById("map").getBoundingClientRect();
  const paths = [...document.querySelectorAll(`path.map-outline--${k}`)];
  const rects = paths.map((p) => p.getBoundingClientRect()).filter((r) => r.width > 2 && r.height > 2);
  const inView = rects.filter((r) => r.right > box.left && r.left < box.right && r.bottom > box.top && r.top < box.bottom);
  // Wholly in view, and large enough to be recognised.
  const whole = inView.filter((r) => r.width > 60 && r.height > 60 && r.left >= box.left - 2 && r.right <= box.right + 2 && r.top >= box.top - 2 && r.bottom <= box.bottom + 2);
  return { drawn: paths.length, inView: inView.length, whole: whole.length };
}, kind);

test("without any third-party request, the map draws its own basemap: regions, then departments once zoomed in", async () => {
  const { page, context } = await openMap();
  // Leaflet leaves the outlines out of view as empty paths.
  await page.waitForFunction(() => [...document.querySelectorAll("path.map-outline--region")].some((p) => p.getAttribute("d").length > 20));
  const regions = await outlinesInView(page, "region");
  assert.equal(regions.drawn, 18, "the 13 metropolitan regions and the 5 overseas ones");
  assert.ok(regions.inView >= 13, `the metropolitan regions are in view (${regions.inView})`);
  // The land is painted in its own colour over the sea's, with its borders drawn.
  const colours = await page.evaluate(() => {
    const region = getComputedStyle(document.querySelector("path.map-outline--region"));
    return { land: region.fill, border: region.stroke, sea: getComputedStyle(document.getElementById("map")).backgroundColor };
  });
  assert.match(colours.land, /^rgb/);
  assert.match(colours.border, /^rgb/);
  assert.notEqual(colours.land, colours.sea);
  assert.equal(await page.locator("path.map-outline--department").count(), 0, "departments wait for the zoom");
  assert.match(await page.textContent(".leaflet-control-attribution"), /Contours\u00a0: Natural Earth, domaine public/);
  await shownAfter(page, () => page.selectOption("#map-region", "53"));
  await page.waitForFunction(() => [...document.querySelectorAll("path.map-outline--department")].some((p) => p.getAttribute("d").length > 20));
  assert.ok((await outlinesInView(page, "department")).inView >= 4, "Bretagne's four departments");
  assert.deepEqual(context.external, []);
  await context.close();
});

test("tiles load only when the visitor turns them on, and go away when turned off", async () => {
  const { page, context } = await openMap();
  await page.waitForLoadState("networkidle");
  assert.equal(await page.isChecked("#map-tiles"), false, "off by default");
  assert.deepEqual(context.external, []);
  assert.equal(await page.locator(".leaflet-tile").count(), 0);
  await page.check("#map-tiles");
  await page.waitForFunction(() => document.querySelectorAll(".leaflet-tile").length > 0);
  await page.waitForLoadState("networkidle");
  assert.ok(context.external.length > 0 && context.external.every((u) => new URL(u).host === TILE_HOST), "tiles asked for (and blocked)");
  // The land's fill gives way to the tiles; the outlines stay.
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("path.map-outline--region")).fillOpacity), "0");
  await page.uncheck("#map-tiles");
  assert.equal(await page.locator(".leaflet-tile").count(), 0);
  assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector("path.map-outline--region")).fillOpacity), "1");
  await context.close();
});

/** Markers and clusters drawn, and whether each lies inside the map's box. */
const markersInView = (page) => page.evaluate(() => {
  const box = document.getElementById("map").getBoundingClientRect();
  return [...document.querySelectorAll(".leaflet-marker-icon")].map((m) => {
    const r = m.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    return { inside: x >= box.left && x <= box.right && y >= box.top && y <= box.bottom, width: r.width, height: r.height };
  });
});

for (const [device, viewport] of [["desktop", { width: 1280, height: 800 }], ["phone", { width: 390, height: 844 }]]) {
  test(`on a ${device}, the map starts framing every metropolitan place, overseas ones a button away, without jumping`, async () => {
    const places = (await getJSON("/carte/lieux.geojson")).features;
    const overseas = places.filter((f) => ["01", "02", "03", "04", "06"].includes(f.properties.region));
    assert.ok(overseas.length >= 2, "the demo has overseas places");
    const context = await isolatedContext(browser, { viewport });
    await context.addInitScript(() => {
      window.__cls = 0;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    const page = await context.newPage();
    await page.goto(url("/carte/"));
    await page.waitForFunction(() => document.getElementById("carte-interactive").dataset.shown);
    await page.waitForTimeout(1000); // the view's move, clusters settling
    const cls = await page.evaluate(() => window.__cls);
    console.log(`  ${device}: cumulative layout shift ${cls.toFixed(3)}`);
    assert.ok(cls < 0.1, `layout shift ${cls}`);
    const top = await page.evaluate(() => document.getElementById("map").getBoundingClientRect().top);
    assert.ok(top < viewport.height / 2, `the map starts in the first half of the screen (${top} px)`);
    const drawn = await markersInView(page);
    assert.ok(drawn.length > 0);
    assert.deepEqual(drawn.filter((m) => !m.inside), [], "every marker or cluster drawn is inside the view");
    // Clusters and markers in view count every metropolitan place.
    const counted = await page.evaluate(() => {
      const box = document.getElementById("map").getBoundingClientRect();
      const inside = (el) => { const r = el.getBoundingClientRect(); return getComputedStyle(el).opacity > 0.5 && r.left >= box.left - 20 && r.right <= box.right + 20 && r.top >= box.top - 20 && r.bottom <= box.bottom + 20; };
      return [...document.querySelectorAll(".marker-cluster")].filter(inside).reduce((n, c) => n + parseInt(c.textContent, 10), 0)
        + [...document.querySelectorAll(".leaflet-marker-icon.map-marker")].filter(inside).length;
    });
    assert.equal(counted, places.length - overseas.length, "every metropolitan place in view");
    await page.screenshot({ path: path.join(ARTIFACTS, `map-${device}.png`) });
    // Each overseas region: its button frames its markers, 24 px at least.
    for (const code of [...new Set(overseas.map((f) => f.properties.region))]) {
      await page.click(`button.map-inset[data-region="${code}"]`);
      await page.waitForFunction((c) => document.getElementById("map-region").value === c
        && !/Chargement/.test(document.getElementById("map-status").textContent), code);
      await page.waitForTimeout(600); // the view's move
      const inRegion = await markersInView(page);
      assert.equal(inRegion.length, overseas.filter((f) => f.properties.region === code).length, code);
      assert.ok((await outlinesInView(page, "region")).whole >= 1, `${code}: its outline, whole, under its markers`);
      for (const m of inRegion) {
        assert.ok(m.inside, `${code}: marker inside the view`);
        assert.ok(m.width >= 24 && m.height >= 24, `${code}: a 24 px touch target (${m.width} × ${m.height})`);
      }
    }
    await context.close();
  });
}

// Bretagne's INSEE code: features carry region codes, the map page names them.
const BRETAGNE = "53";

test("the map's filters narrow the markers (type, meetups to come, region loaded on demand)", async () => {
  const places = (await getJSON("/carte/lieux.geojson")).features.map((f) => f.properties);
  const { page, context } = await openMap();
  const requests = [];
  page.on("request", (r) => requests.push(new URL(r.url()).pathname));

  const upcoming = places.filter((p) => p.has_upcoming).length;
  assert.ok(upcoming > 0 && upcoming < places.length);
  assert.equal(await shownAfter(page, () => page.check("#map-upcoming")), upcoming);
  assert.equal(await shownAfter(page, () => page.uncheck("#map-upcoming")), places.length);

  // Only médiathèques: uncheck every other type.
  const types = [...new Set(places.map((p) => p.type))];
  for (const t of types.filter((t) => t !== "mediatheque")) {
    await shownAfter(page, () => page.uncheck(`#map-type-${t}`));
  }
  assert.equal(await shown(page), places.filter((p) => p.type === "mediatheque").length);
  assert.match(page.url(), /type=mediatheque/, "the filters are kept in the address");
  await shownAfter(page, () => page.click("button[type=reset]"));
  assert.equal(await shown(page), places.length);

  // A region: its own files are fetched when it is chosen, not before.
  assert.ok(!requests.some((p) => p.startsWith("/carte/regions/")));
  const region = BRETAGNE;
  assert.equal(await page.textContent(`#map-region option[value="${region}"]`), `Bretagne (${places.filter((p) => p.region === region).length})`);
  const inRegion = places.filter((p) => p.region === region).length;
  assert.equal(await shownAfter(page, () => page.selectOption("#map-region", region)), inRegion);
  assert.ok(requests.includes(`/carte/regions/${region}/lieux.geojson`));
  assert.ok(requests.includes(`/carte/regions/${region}/rencontres.geojson`));
  const both = places.filter((p) => p.region === region && p.has_upcoming).length;
  assert.equal(await shownAfter(page, () => page.check("#map-upcoming")), both);
  await context.close();
});

test("the map's filters work with the keyboard alone", async () => {
  const places = (await getJSON("/carte/lieux.geojson")).features.map((f) => f.properties);
  const { page, context } = await openMap();
  await page.focus("#map-region");
  for (let i = 0; i < 40; i++) {
    const id = await page.evaluate(() => document.activeElement.id);
    if (id === "map-upcoming") break;
    await page.keyboard.press("Tab");
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), "map-upcoming");
  const n = await shownAfter(page, () => page.keyboard.press("Space"));
  assert.equal(n, places.filter((p) => p.has_upcoming).length);
  await context.close();
});

test("a marker's popup links to its place page", async () => {
  const places = (await getJSON("/carte/lieux.geojson")).features.map((f) => f.properties);
  const { page, context } = await openMap();
  await shownAfter(page, () => page.selectOption("#map-region", BRETAGNE));
  // Open clusters like a person would, until single markers show.
  for (let i = 0; i < 8 && !(await page.locator(".leaflet-marker-icon.map-marker").count()); i++) {
    await page.locator(".marker-cluster").first().click();
    await page.waitForTimeout(600);
  }
  const marker = page.locator(".leaflet-marker-icon.map-marker").first();
  const name = await marker.getAttribute("title");
  const place = places.find((p) => p.name === name);
  assert.ok(place, `a marker titled with a place's name (${name})`);
  await marker.click();
  const link = page.locator(".leaflet-popup-content h3 a");
  await link.waitFor();
  assert.equal(await link.textContent(), place.name);
  assert.equal(await link.getAttribute("href"), place.url);
  // The type's label comes from the page's configuration, as on the filter.
  const typeLabel = (await page.textContent(`label[for="map-type-${place.type}"]`)).replace(/ \(\d+\)$/, "");
  assert.equal(await page.textContent(".leaflet-popup-content p"), `${typeLabel} · ${place.commune}`);
  if (place.next_meetup_url) {
    assert.ok(await page.locator(`.leaflet-popup-content a[href="${place.next_meetup_url}"]`).count(), "the popup links to the next meetup");
  }
  await Promise.all([page.waitForURL(url(place.url)), link.click()]);
  assert.equal(await page.textContent("h1"), place.name);
  await context.close();
});

test("without JavaScript, the map page lists the same places as the GeoJSON, by region", async () => {
  const features = (await getJSON("/carte/lieux.geojson")).features;
  const { page, context } = await open("/carte/", { javaScriptEnabled: false });
  assert.equal(await page.locator("#carte-interactive").isVisible(), false, "no empty map without JavaScript");
  const listed = await page.evaluate(() => [...document.querySelectorAll("[data-region] [data-place]")].map((li) => ({
    id: li.dataset.place,
    region: li.closest("[data-region]").dataset.region,
    href: li.querySelector("a").getAttribute("href"),
  })));
  const byId = (a, b) => a.id.localeCompare(b.id);
  assert.deepEqual(
    listed.sort(byId),
    features.map((f) => ({ id: f.properties.id, region: f.properties.region, href: f.properties.url })).sort(byId),
  );
  // Download links for the data and the calendars answer.
  const downloads = await page.evaluate(() => [...document.querySelectorAll("#liste a[download]")].map((a) => a.getAttribute("href")));
  assert.ok(downloads.some((h) => h.endsWith("/carte/lieux.geojson")));
  assert.ok(downloads.some((h) => h.endsWith("/calendrier.ics")));
  for (const href of downloads) {
    const r = await fetch(new URL(href, url("/")));
    assert.equal(r.status, 200, href);
  }
  await context.close();
});

test("the map sends no Referrer-Policy that would strip the Referer tile servers ask for", async () => {
  const { page, context, response } = await open("/carte/");
  const header = response.headers()["referrer-policy"] || "";
  assert.ok(!/no-referrer(?!-)/.test(header), `Referrer-Policy: ${header}`);
  assert.equal(await page.locator('meta[name="referrer"]').count(), 0);
  await context.close();
});

test("clustering stays usable with 20,000 places (measured, not timed)", async () => {
  // The demo has about a hundred places; the national plan has about 1,300
  // places and 20,000 meetups. Serve the map 20,000 synthetic points.
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const types = ["epn", "mediatheque", "bibliotheque", "centre_social", "college", "tiers_lieu"];
  const features = Array.from({ length: 20000 }, (_, i) => ({
    type: "Feature",
    id: `lieu-${i}`,
    geometry: { type: "Point", coordinates: [-4.5 + random() * 12.5, 42.5 + random() * 8.5] },
    properties: {
      type: types[i % types.length], region: "53", has_upcoming: i % 3 === 0, url: `/lieux/lieu-${i}/`,
      id: `lieu-${i}`, name: `Lieu ${i}`, commune: "Commune", next_meetup_url: null, next_meetup_label: null,
      next_meetup: null,
    },
  }));
  const context = await isolatedContext(browser);
  await context.route(url("/carte/lieux.geojson"), (route) => route.fulfill({
    contentType: "application/geo+json", body: JSON.stringify({ type: "FeatureCollection", features }),
  }));
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push(e.duration)))
      .observe({ type: "longtask", buffered: true });
  });
  const start = Date.now();
  await page.goto(url("/carte/"));
  await page.waitForFunction(() => document.getElementById("carte-interactive").dataset.shown === "20000", null, { timeout: 60000 });
  await page.waitForFunction(() => document.querySelectorAll(".marker-cluster").length > 0);
  const loaded = Date.now() - start;
  const drawn = await page.locator(".leaflet-marker-icon").count();
  assert.ok(drawn < 500, `clusters keep the DOM small (${drawn} icons for 20,000 points)`);
  const filtered = await shownAfter(page, () => page.check("#map-upcoming"));
  assert.equal(filtered, features.filter((f) => f.properties.has_upcoming).length);
  const longTasks = await page.evaluate(() => window.__longTasks);
  console.log(`  20,000 points: shown in ${loaded} ms, ${drawn} icons in the page, ` +
    `longest main-thread task ${Math.round(Math.max(0, ...longTasks))} ms (${longTasks.length} over 50 ms)`);
  await context.close();
});

/* ---- The meetup page and its form ---------------------------------------- */

test("the keyboard alone reaches every field of the registration form and its button, with a visible focus", async () => {
  const { page, context } = await open(`/rencontres/${OPEN_MEETUP}/`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.className), "skip-link");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "contenu");
  const expected = ["inscription-name", "inscription-email", "inscription-role-participant", "inscription-structure",
    "inscription-need", "inscription-consent"];
  const reached = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { id: el.id, tag: el.tagName, type: el.type, visible: style.outlineStyle !== "none" || style.boxShadow !== "none" };
    });
    if (focused.tag === "BUTTON" && focused.type === "submit") { reached.push("submit"); assert.ok(focused.visible, "visible focus on submit"); break; }
    if (focused.id.startsWith("inscription-")) {
      reached.push(focused.id);
      assert.ok(focused.visible, `visible focus on ${focused.id}`);
    }
  }
  assert.deepEqual(reached, [...expected, "submit"]);
  // The honeypot is never reached.
  assert.ok(!reached.includes("inscription-website"));
  await page.keyboard.press("Shift+Tab"); // the privacy link in the consent's label
  await page.keyboard.press("Shift+Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "inscription-consent");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#inscription-consent"), true, "Space ticks the consent box");
  await context.close();
});

test("with JavaScript, missing fields are reported in a summary and tied to their fields", async () => {
  const { page, context } = await open(`/rencontres/${OPEN_MEETUP}/`);
  await page.fill("#inscription-email", "pas-une-adresse");
  await page.click("#inscription button[type=submit]");
  const summary = page.locator("#inscription-erreurs");
  await summary.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), "inscription-erreurs", "focus moves to the summary");
  const items = await summary.locator("li").allTextContents();
  assert.deepEqual(items, [
    "Indiquez votre nom et votre prénom.",
    "Indiquez une adresse email valide, par exemple prenom@exemple.fr.",
    "Cochez la case pour accepter que l'organisateur reçoive vos informations.",
  ]);
  for (const id of ["inscription-name", "inscription-email", "inscription-consent"]) {
    const field = page.locator(`#${id}`);
    assert.equal(await field.getAttribute("aria-invalid"), "true", id);
    const described = (await field.getAttribute("aria-describedby")).split(" ");
    const errorId = described.find((d) => d.endsWith("-erreur"));
    assert.ok(errorId, `${id} is described by its error`);
    assert.ok((await page.locator(`#${errorId}`).textContent()).length > 10);
  }
  // The email keeps its hint next to its error.
  assert.ok((await page.getAttribute("#inscription-email", "aria-describedby")).includes("inscription-email-hint"));
  // A summary link takes the focus to its field.
  await summary.locator("li a").first().click();
  assert.equal(await page.evaluate(() => document.activeElement.id), "inscription-name");
  assert.deepEqual(serious(await axe(page)), [], "the page with errors stays accessible");
  await page.screenshot({ path: path.join(ARTIFACTS, "meetup-errors.png"), fullPage: true });
  await context.close();
});

test("the meetup page shows its facts, schema.org Event and a published report", async () => {
  const { page, context } = await open(`/rencontres/${REPORTED_MEETUP}/`);
  const jsonld = JSON.parse(await page.textContent('script[type="application/ld+json"]'));
  assert.equal(jsonld["@type"], "Event");
  assert.equal(jsonld.url, url(`/rencontres/${REPORTED_MEETUP}/`));
  assert.ok(await page.locator("#bilan").count(), "the report section");
  assert.ok(await page.locator('a[href^="https://www.openstreetmap.org/"]').count(), "a link to OpenStreetMap");
  assert.ok(await page.locator(`a[href="/rencontres/${REPORTED_MEETUP}/calendrier.ics"]`).count(), "the calendar file");
  await context.close();
});

test("meetup pages carry the form script only when they show the registration form", async () => {
  for (const [id, hasForm] of [[OPEN_MEETUP, true], [WAITING_MEETUP, true], [REPORTED_MEETUP, false], [CANCELLED_MEETUP, false]]) {
    const { page, context } = await open(`/rencontres/${id}/`);
    const forms = await page.locator("form[data-form]").count();
    const scripts = await page.locator('script[src*="js/forms.js"]').count();
    const strings = await page.locator("#maillage-strings").count();
    assert.deepEqual([forms, scripts, strings], hasForm ? [1, 1, 1] : [0, 0, 0], id);
    await context.close();
  }
});

test("screenshots of the meetup page (desktop and phone)", async () => {
  for (const [name, viewport] of [["meetup.png", { width: 1280, height: 900 }], ["meetup-phone.png", { width: 390, height: 844 }]]) {
    const { page, context } = await open(`/rencontres/${OPEN_MEETUP}/`, { viewport });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name}: no horizontal scrolling (${overflow}px)`);
    await page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
    await context.close();
  }
});

/* ---- FAQ, kit and printing ---------------------------------------------- */

test("each FAQ question has its anchor and a link to itself, and FAQPage JSON-LD lists them all", async () => {
  const { page, context } = await open("/faq/");
  const items = await page.evaluate(() => [...document.querySelectorAll(".faq-item")].map((item) => ({
    id: item.id,
    self: item.querySelector("a.faq-item__self").getAttribute("href"),
    question: item.querySelector("h3").firstChild.textContent.trim(),
  })));
  assert.ok(items.length >= 20);
  for (const item of items) assert.equal(item.self, `#${item.id}`);
  assert.equal(new Set(items.map((i) => i.id)).size, items.length, "anchors are unique");
  const jsonld = JSON.parse(await page.textContent('script[type="application/ld+json"]'));
  assert.equal(jsonld["@type"], "FAQPage");
  assert.deepEqual(jsonld.mainEntity.map((q) => q.name), items.map((i) => i.question));
  await context.close();
});

test("the printable kit prints every chapter on its own sheets, without navigation, with boxes to tick", async () => {
  const { page, context } = await open("/kit/imprimer/", { viewport: { width: 794, height: 1123 } });
  await page.emulateMedia({ media: "print" });
  const facts = await page.evaluate(() => ({
    header: getComputedStyle(document.querySelector(".site-header")).display,
    footer: getComputedStyle(document.querySelector(".site-footer")).display,
    chapters: [...document.querySelectorAll(".kit-chapter")].map((c) => getComputedStyle(c).breakBefore),
    boxes: document.querySelectorAll(".checklist input[type=checkbox]").length,
    boxVisible: (() => {
      const b = document.querySelector(".checklist input[type=checkbox]");
      const s = getComputedStyle(b);
      return s.display !== "none" && s.borderTopStyle !== "none";
    })(),
  }));
  assert.equal(facts.header, "none");
  assert.equal(facts.footer, "none");
  assert.ok(facts.chapters.length >= 7, "every chapter");
  assert.deepEqual(facts.chapters.slice(1), facts.chapters.slice(1).map(() => "page"), "a new sheet for each chapter");
  assert.ok(facts.boxes > 30 && facts.boxVisible, "checkboxes that print");
  await page.screenshot({ path: path.join(ARTIFACTS, "kit-print.png"), clip: { x: 0, y: 0, width: 794, height: 2400 } });
  const pdf = await page.pdf({ path: path.join(ARTIFACTS, "kit-print.pdf"), format: "A4", printBackground: false });
  assert.ok(pdf.length > 10000);
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  console.log(`  printable kit: ${facts.chapters.length} chapters on ${pages} A4 pages`);
  assert.ok(pages >= facts.chapters.length, "at least one sheet per chapter");
  await context.close();
});

test("the theme's CSS and JavaScript are served minified, smaller than their source", async () => {
  const theme = path.resolve(ARTIFACTS, "../../themes/maillage/static");
  for (const file of ["css/maillage.css", "js/forms.js", "js/map.js", "js/print.js", "js/search.js"]) {
    const served = await (await fetch(url(`/${file}`))).text();
    const source = fs.readFileSync(path.join(theme, file), "utf8");
    assert.ok(!served.includes("/*") && !served.includes("\n  "), `${file} has no comment nor indentation`);
    assert.ok(served.length < source.length * 0.9, `${file}: ${served.length} bytes served for ${source.length} of source`);
  }
});

/**
 * Where the lines of `selector`'s text break, at the current width: for
 * each line after the first, the last character of the line before, the
 * first of the new one (white space left out, no-break spaces kept), and
 * whether white space stood between them.
 */
function lineBreaks(page, selector) {
  return page.evaluate((sel) => {
    const breaks = [];
    for (const root of document.querySelectorAll(sel)) {
      const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let previous = null;
      let space = false;
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest("pre, code, script, style, .visually-hidden")) continue;
        const text = node.textContent;
        for (let i = 0; i < text.length; i++) {
          const c = text[i];
          if (/\s/.test(c) && c !== "\u202f" && c !== "\u00a0") {
            space = true;
            continue;
          }
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const rect = range.getClientRects()[0];
          if (!rect) continue;
          if (previous && rect.top > previous.bottom - 2) {
            breaks.push({ end: previous.c, start: c, space, line: text.slice(i, i + 30) });
          }
          previous = { c, bottom: rect.bottom };
          space = false;
        }
      }
      previous = null;
    }
    return breaks;
  }, selector);
}

test("on a phone no line starts with : ; ! ? » nor ends with «", async () => {
  const pages = [
    "/", "/guide/apres-la-rencontre/", "/actualites/inscriptions-activites-debranchees/",
    "/actualites/rentree-2026/", "/faq/", "/kit/ouvrir-la-rencontre/", "/guide/le-jour-j/",
    "/a-propos/", "/recherche/", `/rencontres/${OPEN_MEETUP}/`,
    "/regions/chiffres/", "/lieux/partenaires/", "/lieux/partenaires/types/association/",
  ];
  const failures = [];
  for (const pathname of pages) {
    const { page, context } = await open(pathname, { viewport: { width: 390, height: 844 } });
    for (const b of await lineBreaks(page, "main")) {
      if (/[:;!?»]/.test(b.start) || b.end === "«") failures.push(`${pathname}: …${b.end}⏎${b.line}`);
    }
    await context.close();
  }
  assert.deepEqual(failures, []);
});

test("on a phone the cancellation link breaks between words only", async () => {
  const { page, context } = await open(
    `/inscription/confirmee/?rencontre=${OPEN_MEETUP}#jeton=abcdefghijklmnop`,
    { viewport: { width: 390, height: 844 } },
  );
  await page.waitForSelector(".cancel-link");
  // Every phone width, down to the narrowest (320 px): wherever the line ends.
  for (let width = 440; width >= 320; width -= 6) {
    await page.setViewportSize({ width, height: 844 });
    const inWords = (await lineBreaks(page, ".cancel-link")).filter((b) => !b.space && /\p{L}/u.test(b.end) && /\p{L}/u.test(b.start));
    assert.deepEqual(inWords, [], `at ${width} px`);
  }
  await context.close();
});
