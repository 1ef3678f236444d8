// Shared helpers of the browser tests: the browser, the served site, axe-core.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
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

/**
 * Registers `people` ({name, email, role}) for a meetup that has already
 * taken place, in the served site's store file: the function refuses
 * registrations once a meetup starts, and the clock is pinned after it.
 * Written as the store writes a confirmed registration (seat and counters
 * in one transaction).
 */
export function registerInStore(meetup, people) {
  const store = process.env.MAILLAGE_SITE_STORE;
  if (!store) throw new Error("MAILLAGE_SITE_STORE is not set: start the tests with tests/browser/run");
  const script = `
import json, secrets, sqlite3, sys
from datetime import datetime, timezone
meetup, people = sys.argv[2], json.loads(sys.argv[3])
expires = int(datetime(2027, 6, 1, tzinfo=timezone.utc).timestamp() * 1_000_000)
conn = sqlite3.connect(sys.argv[1], timeout=10)
with conn:
    arrivals, confirmed = conn.execute("SELECT arrivals, confirmed FROM meetups WHERE id = ?", (meetup,)).fetchone()
    for person in people:
        arrivals += 1
        confirmed += 1
        conn.execute(
            "INSERT INTO registrations (meetup_id, email, name, role, token, state, arrival, registered_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, 'confirmed', ?, '2026-11-01T09:00:00Z', ?)",
            (meetup, person["email"], person["name"], person["role"], secrets.token_hex(24), arrivals, expires),
        )
    conn.execute("UPDATE meetups SET arrivals = ?, confirmed = ? WHERE id = ?", (arrivals, confirmed, meetup))
`;
  execFileSync("python3", ["-c", script, store, meetup, JSON.stringify(people)]);
}
