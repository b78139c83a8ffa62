// Accessibility test of the published site: loads pages in headless Debian Chromium, runs
// axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on each, checks that keyboard focus is visible,
// and saves a full-page screenshot of each page.
//
//   node axe.mjs BASE_URL [PATH...]
//
// With no PATHs it crawls the site from `/` by following links (same host, pages only:
// paths ending in `/` or `.html`) and checks one page of every kind per organisation: the
// home page; for each organisation its home, every fixed page (/<org>/interests/,
// /<org>/gifts/, /<org>/audit/, ...) and the first page found under each kind of item
// page (/<org>/interests/<person>/, /<org>/committees/<slug>/meetings/<date>/, ...), so new
// page kinds are picked up as soon as something links to them.
//
// Exits 1 if any page has an axe violation, an element whose focus is not visible, a
// script, or a same-host request that failed; 2 on a usage or start-up error.
//
// Environment: CHROMIUM (default /usr/bin/chromium), AXE_SCREENSHOTS (default
// <repo>/target/axe-screenshots), AXE_MAX_CRAWL (pages fetched while crawling, default 2000).

import { createRequire } from "node:module";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
// Evaluated through the DevTools protocol, which the site's Content-Security-Policy (no
// inline script) does not apply to: the pages are checked exactly as they are served.
const AXE_SOURCE = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "mobile", width: 375, height: 812, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
];
const SCREENSHOTS = path.resolve(process.env.AXE_SCREENSHOTS || path.join(here, "..", "..", "target", "axe-screenshots"));
const MAX_CRAWL = Number(process.env.AXE_MAX_CRAWL || 2000);
const MAX_TABS = 400;

function usage(message) {
  console.error(`axe: ${message}\nusage: node axe.mjs BASE_URL [PATH...]`);
  process.exit(2);
}

const [baseArg, ...pathArgs] = process.argv.slice(2);
if (!baseArg) usage("no base URL");
let base;
try {
  base = new URL(baseArg);
} catch {
  usage(`not a URL: ${baseArg}`);
}

// --- which pages ------------------------------------------------------------------------

/** A same-host page path for `href` found on `from`, or null for anything else. */
function pagePath(href, from) {
  let url;
  try {
    url = new URL(href, from);
  } catch {
    return null;
  }
  if (url.origin !== base.origin) return null;
  const p = url.pathname;
  if (p.startsWith("/api/")) return null;
  return p.endsWith("/") || p.endsWith(".html") ? p : null;
}

/**
 * The kind of page a path is: `/` is the home page; under an organisation, segments at
 * even positions name a section (interests, committees, meetings) and those at odd
 * positions name an item (a person, a committee, a date), so
 * /<org>/committees/<slug>/meetings/<date>/ is `committees/*\/meetings/*`. The key is
 * organisation plus kind: every organisation's pages are checked, one page per kind.
 */
function pageKey(p) {
  const segments = p.split("/").filter(Boolean);
  if (segments.length === 0) return { key: "home", kind: "home" };
  const [org, ...rest] = segments;
  const kind = rest.map((s, i) => (i % 2 === 0 ? s : "*")).join("/") || "org home";
  return { key: `${org} ${kind}`, kind };
}

function hrefs(html) {
  const found = [];
  const re = /<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
  for (let m; (m = re.exec(html)); ) found.push((m[1] ?? m[2] ?? m[3]).replaceAll("&amp;", "&"));
  return found;
}

/** Crawl from `/` and keep the first page found of each organisation and kind. */
async function discover() {
  const chosen = new Map(); // key -> { path, kind }
  const seen = new Set(["/"]);
  const queue = ["/"];
  let fetched = 0;
  while (queue.length && fetched < MAX_CRAWL) {
    const p = queue.shift();
    const url = new URL(p, base);
    const res = await fetch(url, { redirect: "follow" });
    fetched += 1;
    const type = res.headers.get("content-type") || "";
    if (!res.ok || !type.includes("text/html")) {
      if (!res.ok) console.log(`  crawl: ${p} answered ${res.status} (linked, not checked)`);
      continue;
    }
    const { key, kind } = pageKey(p);
    if (!chosen.has(key)) chosen.set(key, { path: p, kind });
    for (const href of hrefs(await res.text())) {
      const next = pagePath(href, url);
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  if (queue.length) console.log(`  crawl: stopped after ${fetched} pages (AXE_MAX_CRAWL)`);
  console.log(`axe: crawled ${fetched} pages, ${chosen.size} to check`);
  return [...chosen.values()];
}

// --- checks on one page -------------------------------------------------------------------

/** Tab through the page; every element that takes focus must look different when focused. */
async function focusCheck(page) {
  await page.evaluate(() => {
    const look = (el) => {
      const s = getComputedStyle(el);
      return { outline: [s.outlineStyle, s.outlineWidth, s.outlineColor], shadow: s.boxShadow, background: s.backgroundColor };
    };
    window.__coiLook = look;
    window.__coiBefore = new Map();
    window.__coiSeen = new Set();
    for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary, [tabindex]")) {
      window.__coiBefore.set(el, look(el));
    }
    document.activeElement?.blur();
    window.scrollTo(0, 0);
  });
  const problems = [];
  let count = 0;
  let skipLink = null;
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press("Tab");
    const r = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body || window.__coiSeen.has(el)) return null; // wrapped round
      window.__coiSeen.add(el);
      const before = window.__coiBefore.get(el);
      const now = window.__coiLook(el);
      const box = el.getBoundingClientRect();
      // nhsuk focus: a yellow background and a dark underline shadow (its outline is transparent).
      const [style, width, colour] = now.outline;
      const visibleOutline = style !== "none" && parseFloat(width) >= 2 && !/^rgba\(.*,\s*0\)$|^transparent$/.test(colour);
      const changed =
        (now.shadow !== "none" && now.shadow !== before?.shadow) ||
        (before !== undefined && now.background !== before.background) ||
        (visibleOutline && now.outline.join(" ") !== before?.outline.join(" "));
      const id = el.id ? `#${el.id}` : "";
      const cls = el.classList.length ? `.${[...el.classList].join(".")}` : "";
      const label = `${el.tagName.toLowerCase()}${id}${cls} "${(el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 50)}" ${el.getAttribute("href") || ""}`;
      return { label, changed, visible: box.width > 0 && box.height > 0, skip: el.classList.contains("nhsuk-skip-link") };
    });
    if (!r) break;
    count += 1;
    if (i === 0) skipLink = r;
    if (!r.changed) problems.push(`no visible focus style: ${r.label}`);
    if (!r.visible) problems.push(`focused but not on screen: ${r.label}`);
  }
  if (!skipLink || !skipLink.skip) problems.push(`the first Tab does not reach the skip link (it reached ${skipLink ? skipLink.label : "nothing"})`);
  return { problems, count };
}

function shotName(p, viewport) {
  const name = p.split("/").filter(Boolean).join("_") || "home";
  return path.join(SCREENSHOTS, `${name.replace(/[^A-Za-z0-9._-]/g, "-")}${viewport.name === "desktop" ? "" : `-${viewport.name}`}.png`);
}

async function check(browser, target) {
  const url = new URL(target.path, base).href;
  const failures = [];
  const review = [];
  const notes = [];
  for (const viewport of VIEWPORTS) {
    const page = await browser.newPage();
    const blocked = new Set();
    const failed = [];
    await page.setViewport(viewport);
    await page.setCacheEnabled(false);
    await page.setRequestInterception(true);
    page.on("request", (req) => {
      const u = new URL(req.url());
      if (u.protocol === "data:" || u.origin === base.origin) return req.continue();
      blocked.add(u.host); // nothing may depend on another host; the NHS web font falls back to Arial
      return req.abort("blockedbyclient");
    });
    page.on("response", (res) => {
      const u = new URL(res.url());
      if (u.origin === base.origin && res.status() >= 400 && u.pathname !== "/favicon.ico") failed.push(`${res.status()} ${u.pathname}`);
    });
    const res = await page.goto(url, { waitUntil: "load", timeout: 30000 });
    if (!res || !res.ok()) failures.push(`${viewport.name}: ${target.path} answered ${res ? res.status() : "nothing"}`);
    const scripts = await page.evaluate(() => document.scripts.length);
    if (scripts) failures.push(`${viewport.name}: the page has ${scripts} <script> element(s); the site ships no JavaScript`);
    for (const f of failed) failures.push(`${viewport.name}: request failed: ${f}`);
    if (blocked.size) notes.push(`${viewport.name}: blocked requests to ${[...blocked].join(", ")}`);

    const focus = await focusCheck(page);
    for (const p of focus.problems) failures.push(`${viewport.name}: ${p}`);

    await page.evaluate(AXE_SOURCE);
    const results = await page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations", "incomplete"] }),
      AXE_TAGS,
    );
    for (const v of results.violations) {
      failures.push(
        `${viewport.name}: [${v.id}] (${v.impact}) ${v.help}\n        ${v.helpUrl}\n` +
          v.nodes.map((n) => `        at ${n.target.join(" ")}${n.failureSummary ? `\n          ${n.failureSummary.replace(/\n/g, "\n          ")}` : ""}`).join("\n"),
      );
    }
    for (const v of results.incomplete) {
      const why = [...new Set(v.nodes.map((n) => n.any.concat(n.all, n.none).map((c) => c.message).join("; ")))];
      review.push(`${viewport.name}: axe could not decide [${v.id}] on ${v.nodes.length} element(s): ${why.slice(0, 3).join(" | ")}`);
      if (process.env.AXE_VERBOSE) for (const n of v.nodes) review.push(`  at ${n.target.join(" ")}`);
    }

    await page.evaluate(() => document.activeElement?.blur());
    const file = shotName(target.path, viewport);
    await page.screenshot({ path: file, fullPage: true });
    notes.push(`${viewport.name}: ${focus.count} focusable elements tabbed through; screenshot ${path.relative(process.cwd(), file)}`);
    await page.close();
  }
  return { failures, review, notes };
}

// --- main ---------------------------------------------------------------------------------

const targets = pathArgs.length ? pathArgs.map((p) => ({ path: p, kind: pageKey(p).kind })) : await discover();
if (!targets.length) usage("no pages to check");
await mkdir(SCREENSHOTS, { recursive: true });

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: false, // the flags below say how: Chromium's own new headless mode
  args: ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run", "--disable-extensions"],
});
let failedPages = 0;
try {
  const version = await browser.version();
  const axeVersion = require("axe-core/package.json").version;
  console.log(`axe: axe-core ${axeVersion} (${AXE_TAGS.join(", ")}) in ${version}, ${targets.length} pages at ${base.origin}, ${VIEWPORTS.map((v) => `${v.name} ${v.width}px`).join(" and ")}`);
  for (const target of targets) {
    const { failures, review, notes } = await check(browser, target);
    if (failures.length) failedPages += 1;
    console.log(`${failures.length ? "FAIL" : "ok  "} ${target.path}  (${target.kind})`);
    for (const f of failures) console.log(`      ${f}`);
    for (const r of review) console.log(`      to review by hand: ${r}`);
    if (process.env.AXE_VERBOSE || failures.length) for (const n of notes) console.log(`      note: ${n}`);
  }
} finally {
  await browser.close();
}
console.log(`axe: screenshots in ${SCREENSHOTS}`);
console.log(`axe: ${targets.length - failedPages} passed, ${failedPages} failed`);
process.exit(failedPages ? 1 : 0);
