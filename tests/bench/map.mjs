// The map page of a built site in headless Chromium: time until markers are
// shown, and the GeoJSON it downloads (raw and gzip).
//
//   node tests/bench/map.mjs PUBLIC_DIR [RUNS] [PORT]
//
// Serves PUBLIC_DIR on loopback PORT (the one its base_url names) (a plain static server, files as
// they are), opens /carte/ in a fresh browser context per run (empty cache,
// tile requests aborted so the figure does not depend on the network), and
// reads when the map script has put its markers in the page: the time from
// the start of navigation until `#carte-interactive[data-shown]` is set and
// a marker or cluster icon exists. Then, for every region, the bytes of the
// files the map loads when that region is chosen. Uses playwright-core from
// tests/browser/node_modules and Debian's chromium (MAILLAGE_CHROMIUM).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "../browser/package.json"));
const { chromium } = require("playwright-core");

const root = path.resolve(process.argv[2] || "public");
const runs = Number(process.argv[3] || 5);
const port = Number(process.argv[4] || 1111);

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css",
  ".geojson": "application/geo+json", ".json": "application/json", ".png": "image/png",
  ".svg": "image/svg+xml", ".xml": "application/xml", ".ics": "text/calendar",
};

function serve() {
  const server = http.createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, "http://x").pathname);
    if (p.endsWith("/")) p += "index.html";
    const file = path.join(root, path.normalize(p));
    if (!file.startsWith(root) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": TYPES[path.extname(file)] || "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

function sizes(urlPath) {
  const bytes = fs.readFileSync(path.join(root, urlPath));
  return { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 6 }).length };
}

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const kb = (n) => (n / 1000).toFixed(1);

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.MAILLAGE_CHROMIUM || "/usr/bin/chromium",
});

const times = [];
let downloaded = [];
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext({ locale: "fr-FR" });
  await context.route((u) => !u.href.startsWith(base), (route) => route.abort("blockedbyclient"));
  const page = await context.newPage();
  const geojson = [];
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (u.pathname.endsWith(".geojson")) geojson.push(u.pathname);
  });
  await page.goto(`${base}/carte/`, { waitUntil: "commit" });
  const ms = await page.waitForFunction(() => {
    const app = document.getElementById("carte-interactive");
    const shown = app && app.dataset.shown;
    return shown && document.querySelector(".leaflet-marker-icon, .marker-cluster") ? performance.now() : false;
  }, null, { timeout: 60000, polling: "raf" }).then((h) => h.jsonValue());
  times.push(ms);
  downloaded = geojson;
  console.error(`run ${run + 1}: markers shown after ${ms.toFixed(0)} ms`);
  await context.close();
}
await browser.close();
server.close();

const initial = downloaded.map((p) => ({ path: p, ...sizes(p) }));
const total = initial.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
const config = JSON.parse(
  fs.readFileSync(path.join(root, "carte/index.html"), "utf8")
    .match(/<script type="application\/json" id="map-config">([\s\S]*?)<\/script>/)[1],
);
const regions = config.regions.map((r) => {
  const files = [r.places_url, r.meetups_url].map(sizes);
  return { code: r.code, name: r.name, raw: files[0].raw + files[1].raw, gzip: files[0].gzip + files[1].gzip };
}).sort((a, b) => b.gzip - a.gzip);

console.log(`\nmap page /carte/, ${runs} runs, fresh browser context each, tiles blocked\n`);
console.log("| measure | median | min | max |");
console.log("| --- | ---: | ---: | ---: |");
console.log(`| markers shown (ms from navigation) | ${median(times).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${Math.max(...times).toFixed(0)} |`);
console.log("\nGeoJSON loaded with the page:\n");
console.log("| file | raw (KB) | gzip (KB) |");
console.log("| --- | ---: | ---: |");
for (const f of initial) console.log(`| ${f.path} | ${kb(f.raw)} | ${kb(f.gzip)} |`);
console.log(`| total | ${kb(total.raw)} | ${kb(total.gzip)} |`);
console.log("\nGeoJSON loaded when a region is chosen (places + meetups), largest first:\n");
console.log("| region | raw (KB) | gzip (KB) |");
console.log("| --- | ---: | ---: |");
for (const r of regions) console.log(`| ${r.name} (${r.code}) | ${kb(r.raw)} | ${kb(r.gzip)} |`);
const worst = regions[0];
console.log(`\ntargets: markers within 1.5 s: ${median(times) <= 1500 ? "met" : "not met"}; ` +
  `initial GeoJSON < 300 KB gzipped: ${total.gzip < 300000 ? "met" : "not met"}; ` +
  `each region < 100 KB gzipped: ${worst.gzip < 100000 ? "met" : `not met (${worst.name}: ${kb(worst.gzip)} KB)`}`);
