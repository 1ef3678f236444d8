// Shared helpers of the browser tests: the browser, the served site, axe-core.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

/** Where `run` started `maillage serve`: http://127.0.0.1:PORT */
export const BASE = (process.env.MAILLAGE_BASE_URL || "").replace(/\/$/, "");
if (!BASE) throw new Error("MAILLAGE_BASE_URL is not set: start the tests with tests/browser/run");

/** Screenshots and other files a person looks at after a run. */
export const ARTIFACTS = path.resolve(here, "../artifacts");
fs.mkdirSync(ARTIFACTS, { recursive: true });

export const url = (p) => BASE + p;

/** The tile server named in config.toml (the only third-party host the site may call). */
export const TILE_HOST = "data.geopf.fr";

export async function launch() {
  return chromium.launch({
    executablePath: process.env.MAILLAGE_CHROMIUM || "/usr/bin/chromium",
  });
}

/**
 * A browser context that never leaves the machine: requests to any other
 * host are aborted and recorded (tiles included), so tests need no network.
 */
export async function isolatedContext(browser, options = {}) {
  const context = await browser.newContext({ locale: "fr-FR", ...options });
  const external = [];
  await context.route(
    (u) => !u.href.startsWith(BASE),
    (route) => {
      external.push(route.request().url());
      return route.abort("blockedbyclient");
    },
  );
  context.external = external;
  return context;
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) and returns its violations. */
export async function axe(page, options = {}) {
  const loaded = await page.evaluate(() => typeof window.axe !== "undefined");
  if (!loaded) await page.addScriptTag({ content: axeSource });
  return page.evaluate(
    (opts) =>
      window.axe
        .run(document, {
          runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] },
          ...opts,
        })
        .then((r) => r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5),
        }))),
    options,
  );
}

export const serious = (violations) => violations.filter((v) => v.impact === "serious" || v.impact === "critical");

export function describeViolations(violations) {
  return violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.join(", ")})`).join("\n");
}

/** Reads a JSON or GeoJSON file of the served site. */
export async function getJSON(p) {
  const response = await fetch(url(p));
  if (!response.ok) throw new Error(`${p}: HTTP ${response.status}`);
  return response.json();
}
