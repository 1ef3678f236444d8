// Lighthouse on every page type of the served demo (base URL as argument),
// phone and desktop, requests to other hosts blocked. Prints the scores and
// the cumulative layout shift; exits 1 under the thresholds.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const lighthouse = path.join(path.dirname(require.resolve("lighthouse/package.json")), "cli/index.js");
const base = process.argv[2];
const PAGES = [
  ["home", "/"], ["guide page", "/guide/le-jour-j/"], ["FAQ", "/faq/"], ["kit chapter", "/kit/ouvrir-la-rencontre/"],
  ["map", "/carte/"], ["place", "/lieux/bibliotheque-des-tanneries-bordeaux/"], ["meetup", "/rencontres/rennes-culture-s3-2026-11/"],
  ["meetups", "/rencontres/"], ["region", "/regions/bretagne/"], ["result page", "/inscription/confirmee/"],
  ["search", "/recherche/"],
];
let failed = false;
for (const form of ["mobile", "desktop"]) {
  for (const [name, p] of PAGES) {
    const args = [lighthouse, base + p, "--quiet", "--output=json", "--output-path=stdout",
      "--only-categories=performance,accessibility,best-practices,seo",
      `--chrome-path=${process.env.MAILLAGE_CHROMIUM || "/usr/bin/chromium"}`,
      "--chrome-flags=--headless=new --no-sandbox",
      // Third-party requests (the map's tiles) left out.
      "--blocked-url-patterns=*://data.geopf.fr/*"];
    if (form === "desktop") args.push("--preset=desktop");
    const report = JSON.parse(execFileSync("node", args, { maxBuffer: 64 << 20 }).toString());
    const score = (c) => Math.round(report.categories[c].score * 100);
    const s = { perf: score("performance"), a11y: score("accessibility"), bp: score("best-practices"), seo: score("seo") };
    const cls = report.audits["cumulative-layout-shift"].numericValue;
    // Result pages are kept out of search engines on purpose (noindex):
    // that one SEO audit does not count against them.
    const seoMissed = report.categories.seo.auditRefs
      .filter((r) => r.weight > 0 && report.audits[r.id].score !== null && report.audits[r.id].score < 1).map((r) => r.id);
    const seoOk = s.seo === 100 || (p.startsWith("/inscription/") && seoMissed.every((id) => id === "is-crawlable"));
    const ok = s.perf >= 95 && s.a11y === 100 && s.bp === 100 && seoOk && cls < 0.1;
    if (!ok) failed = true;
    console.log(`${ok ? "ok  " : "FAIL"} ${form.padEnd(7)} ${name.padEnd(12)} performance ${s.perf} accessibility ${s.a11y} best-practices ${s.bp} SEO ${s.seo} CLS ${cls.toFixed(3)}`);
    if (!ok) {
      for (const [id, a] of Object.entries(report.audits)) {
        if (a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary") console.log(`       ${id}: ${a.title}`);
      }
    }
  }
}
process.exit(failed ? 1 : 0);
