// Accessibility test of the published site and the signed-in web app: loads pages in
// headless Debian Chromium, runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on each, checks
// that keyboard focus is visible, and saves a full-page screenshot of each page.
//
//   node axe.mjs BASE_URL [PATH...]
//
// With no PATHs it checks:
//
// * The public site, crawled from `/` by following links (same host, pages only: paths
//   ending in `/` or `.html`), one page of every kind per organisation: the home page; for
//   each organisation its home, every fixed page (/<org>/interests/, /<org>/gifts/,
//   /<org>/audit/, ...) and the first page found under each kind of item page
//   (/<org>/interests/<person>/, /<org>/committees/<slug>/meetings/<date>/, ...).
// * The web app signed out: the sign-in form, and the form again after submitting it empty.
// * The web app as each account in AXE_ACCOUNTS, signed in through the sign-in form: crawled
//   from /admin by following links within /admin, one page of every route (the GET patterns
//   of src/web/routes.rs, so /admin/orgs/{org}/declarations/{id} is one kind however many
//   declarations there are), and every form on those pages submitted with its fields
//   emptied, which must be refused with 422 and the GOV.UK error summary (whose links must
//   each lead to a field on the page). Nothing else is ever submitted: no form without a
//   field to empty (sign out, release), and no form that is not refused. At the end each
//   account signs out through the header's button and the signed-out page is checked.
//
// New page kinds are picked up as soon as something links to them.
//
// Exits 1 if any page has an axe violation, an element whose focus is not visible, a
// script, or a same-host request that failed, if an admin link is broken or an emptied
// form is not refused; 2 on a usage or start-up error.
//
// Environment: CHROMIUM (default /usr/bin/chromium), AXE_SCREENSHOTS (default
// <repo>/target/axe-screenshots), AXE_MAX_CRAWL (pages fetched while crawling, default 2000),
// AXE_ACCOUNTS (one account a line: `ROLE EMAIL PASSWORD`; run.sh passes the demo's
// governance lead and declarant), AXE_ADMIN_PER_KIND (admin pages fetched per route while
// crawling, default 3; the first is checked), AXE_ROUTES (default <repo>/src/web/routes.rs),
// AXE_PUBLIC=0 (without PATHs: skip the public site, check only the web app).

import { createRequire } from "node:module";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const started = Date.now();
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
const ADMIN_PER_KIND = Number(process.env.AXE_ADMIN_PER_KIND || 3);
const ROUTES_FILE = process.env.AXE_ROUTES || path.join(here, "..", "..", "src", "web", "routes.rs");
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

/** `ROLE EMAIL PASSWORD` lines. */
const ACCOUNTS = (process.env.AXE_ACCOUNTS || "")
  .split("\n")
  .map((line) => line.trim().split(/\s+/))
  .filter((f) => f.length >= 3)
  .map(([role, email, password]) => ({ role, email, password }));

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
  if (p.startsWith("/api/") || isAdmin(p)) return null;
  return p.endsWith("/") || p.endsWith(".html") ? p : null;
}

const isAdmin = (p) => p === "/admin" || p.startsWith("/admin/");

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
    if (!chosen.has(key)) chosen.set(key, { path: p, kind, group: "public" });
    for (const href of hrefs(await res.text())) {
      const next = pagePath(href, url);
      if (next && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  if (queue.length) console.log(`  crawl: stopped after ${fetched} pages (AXE_MAX_CRAWL)`);
  console.log(`axe: public site: crawled ${fetched} pages, ${chosen.size} to check`);
  return [...chosen.values()];
}

// --- the web app: its routes, signing in, crawling ----------------------------------------

/** The GET routes of the one routes! table, as patterns to name the kind of an admin page. */
async function adminRoutes() {
  let text;
  try {
    text = await readFile(ROUTES_FILE, "utf8");
  } catch (e) {
    usage(`cannot read the routes table ${ROUTES_FILE}: ${e.message}`);
  }
  const routes = [];
  for (const m of text.matchAll(/^\s*Get\s+"(\/admin[^"]*)"/gm)) {
    const pattern = m[1];
    const segments = pattern.split("/").filter(Boolean);
    const source = segments.map((s) => (/^\{.*\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))).join("/");
    routes.push({ pattern, re: new RegExp(`^/${source}/?$`), literals: segments.filter((s) => !s.startsWith("{")).length });
  }
  if (!routes.length) usage(`no GET /admin routes in ${ROUTES_FILE}`);
  // A literal segment beats a parameter: /declarations/new is not /declarations/{id}.
  return routes.sort((a, b) => b.literals - a.literals);
}
const ROUTES = await adminRoutes();

/** The route pattern an admin path answers to (the path itself if none does). */
function routeKind(pathname) {
  return ROUTES.find((r) => r.re.test(pathname))?.pattern ?? pathname;
}

/** Sign in through the sign-in form, as a person would. */
async function signIn(context, account) {
  const page = await context.newPage();
  try {
    await page.goto(new URL("/admin/sign-in", base).href, { waitUntil: "load", timeout: 30000 });
    await page.type("#email", account.email);
    await page.type("#password", account.password);
    const [res] = await Promise.all([
      page.waitForNavigation({ waitUntil: "load", timeout: 30000 }),
      page.click('form[action="/admin/sign-in"] button[type="submit"]'),
    ]);
    const landed = new URL(page.url()).pathname;
    if (!res || !res.ok() || landed !== "/admin") {
      throw new Error(`signing in as ${account.email} ended on ${landed} (${res ? res.status() : "no answer"})`);
    }
    console.log(`axe: signed in as ${account.email} (${account.role}) through the sign-in form`);
  } finally {
    await page.close();
  }
}

/** Sign out through the header's button; the session must then be over. */
async function signOut(context, account) {
  const page = await context.newPage();
  try {
    await page.goto(new URL("/admin", base).href, { waitUntil: "load", timeout: 30000 });
    const [res] = await Promise.all([
      page.waitForNavigation({ waitUntil: "load", timeout: 30000 }),
      page.click('form[action="/admin/sign-out"] button[type="submit"]'),
    ]);
    const landed = new URL(page.url());
    if (!res || !res.ok() || landed.pathname !== "/admin/sign-in") {
      return `signing out as ${account.email} ended on ${landed.pathname} (${res ? res.status() : "no answer"})`;
    }
    await page.goto(new URL("/admin", base).href, { waitUntil: "load", timeout: 30000 });
    if (new URL(page.url()).pathname !== "/admin/sign-in") return `after signing out, /admin still opens as ${account.email}`;
    return { path: landed.pathname + landed.search };
  } finally {
    await page.close();
  }
}

/** The links and POST forms of the page open in `page`. */
function pageParts(page) {
  return page.evaluate(() => {
    const control = (el) =>
      el.type !== "hidden" && !["submit", "button", "reset", "image"].includes(el.type) && ["INPUT", "SELECT", "TEXTAREA"].includes(el.tagName);
    return {
      links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
      forms: [...document.forms]
        .map((f, index) => ({ index, method: f.method, action: new URL(f.action).pathname, id: f.id, fields: [...f.elements].filter(control).length }))
        .filter((f) => f.method === "post"),
    };
  });
}

/**
 * Crawl the web app from `start` in `context` (signed in as `account`, or not at all) by
 * following links within /admin. Fetches at most AXE_ADMIN_PER_KIND pages of each route and
 * checks the first; each form on it that has a field is also checked submitted empty.
 */
async function discoverAdmin(context, account, starts, follow = true) {
  const who = account ? account.role : "signed out";
  const page = await context.newPage();
  const chosen = [];
  const broken = [];
  const kinds = new Set();
  const fetchedOfKind = new Map();
  const seen = new Set(starts);
  const queue = [...starts];
  let fetched = 0;
  try {
    while (queue.length && fetched < MAX_CRAWL) {
      const p = queue.shift();
      const asked = routeKind(new URL(p, base).pathname);
      const n = fetchedOfKind.get(asked) || 0;
      if (follow && n >= ADMIN_PER_KIND) continue;
      fetchedOfKind.set(asked, n + 1);
      const res = await page.goto(new URL(p, base).href, { waitUntil: "load", timeout: 30000 });
      fetched += 1;
      if (!res || !res.ok()) {
        broken.push(`${p} answered ${res ? res.status() : "nothing"}`);
        continue;
      }
      const landed = new URL(page.url());
      if (landed.origin !== base.origin || !isAdmin(landed.pathname)) continue;
      const here = landed.pathname + landed.search;
      const kind = routeKind(landed.pathname);
      const parts = await pageParts(page);
      if (!kinds.has(kind) || !follow) {
        kinds.add(kind);
        chosen.push({ path: here, kind, account, group: who });
        for (const form of parts.forms) {
          if (form.fields === 0 || form.action === "/admin/sign-out") continue; // nothing to leave empty
          chosen.push({ path: here, kind: `${kind}, its form to ${form.action.split("/").pop() || form.action} submitted empty`, account, group: who, submit: form });
        }
      }
      for (const href of follow ? parts.links : []) {
        const u = new URL(href);
        if (u.origin !== base.origin || !isAdmin(u.pathname)) continue;
        const next = u.pathname + u.search;
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
  } finally {
    await page.close();
  }
  if (queue.length && fetched >= MAX_CRAWL) console.log(`  crawl: stopped after ${fetched} pages (AXE_MAX_CRAWL)`);
  console.log(`axe: web app (${who}): crawled ${fetched} pages, ${kinds.size} kinds, ${chosen.length} pages to check`);
  return { chosen, broken };
}

/** Load `url`, empty the fields of the form at `form.index`, and submit it with its button. */
async function submitEmpty(page, url, form) {
  const first = await page.goto(url, { waitUntil: "load", timeout: 30000 });
  if (!first || !first.ok()) return { res: first, problem: `the page with the form answered ${first ? first.status() : "nothing"}` };
  const button = await page.evaluateHandle(
    ({ index, action }) => {
      const f = document.forms[index];
      if (!f || new URL(f.action).pathname !== action) return null;
      for (const el of f.elements) {
        if (el.type === "hidden" || ["submit", "button", "reset", "image"].includes(el.type)) continue;
        if (el.type === "radio" || el.type === "checkbox") el.checked = false;
        else if (el.tagName === "SELECT") el.selectedIndex = [...el.options].findIndex((o) => o.value === "");
        else if ("value" in el) el.value = "";
      }
      return f.querySelector('button[type="submit"], button:not([type]), input[type="submit"]');
    },
    { index: form.index, action: form.action },
  );
  const element = button.asElement();
  if (!element) return { res: first, problem: `no form to ${form.action} with a submit button on the page` };
  const [res] = await Promise.all([page.waitForNavigation({ waitUntil: "load", timeout: 30000 }), element.click()]);
  return { res };
}

// --- checks on one page -------------------------------------------------------------------

/** Tab through the page; every element that takes focus must look different when focused. */
async function focusCheck(page) {
  await page.evaluate(() => {
    const look = (el) => {
      const s = getComputedStyle(el);
      // nhsuk radios and checkboxes hide the input and draw it, and its focus ring, as the
      // ::before of the label beside it.
      const label = el.matches(".nhsuk-radios__input, .nhsuk-checkboxes__input") ? el.labels?.[0] : null;
      const drawn = label ? getComputedStyle(label, "::before") : null;
      return {
        outline: [s.outlineStyle, s.outlineWidth, s.outlineColor],
        shadow: s.boxShadow,
        background: s.backgroundColor,
        drawn: drawn ? `${drawn.boxShadow} ${drawn.borderWidth} ${drawn.borderColor}` : null,
      };
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
        (now.drawn !== null && before !== undefined && now.drawn !== before.drawn) ||
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

/** The GOV.UK error pattern: a summary whose every link leads to a field of the page. */
async function errorSummaryCheck(page) {
  return page.evaluate(() => {
    const problems = [];
    const summary = document.querySelector(".nhsuk-error-summary");
    if (!summary) return ["no error summary (.nhsuk-error-summary) on the refused form"];
    const links = [...summary.querySelectorAll("a")];
    if (!links.length) problems.push("the error summary lists no problem");
    for (const a of links) {
      const href = a.getAttribute("href") || "";
      const target = href.startsWith("#") ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
      const field = target && (target.matches("input, select, textarea, button") ? target : target.querySelector("input, select, textarea"));
      if (!field) problems.push(`the error summary's link "${a.textContent.trim()}" (${href}) does not lead to a field of the page`);
    }
    if (!document.title.startsWith("Error: ")) problems.push(`the title does not start with "Error: ": ${document.title}`);
    return problems;
  });
}

function shotName(target, viewport) {
  const url = new URL(target.path, base);
  let name = url.pathname.split("/").filter(Boolean).join("_") || "home";
  if (url.search) name += `_${url.search.slice(1)}`;
  if (target.account) name += `-${target.account.role}`;
  if (target.submit) name += `-empty-${target.submit.action.split("/").filter(Boolean).pop()}-form${target.submit.index}`;
  if (viewport.name !== "desktop") name += `-${viewport.name}`;
  return path.join(SCREENSHOTS, `${name.replace(/[^A-Za-z0-9._-]/g, "-")}.png`);
}

async function check(context, target) {
  const url = new URL(target.path, base).href;
  const failures = [];
  const review = [];
  const notes = [];
  const pages = [];
  try {
    for (const viewport of VIEWPORTS) {
      const page = await context.newPage();
      pages.push(page);
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
        // The refused form itself answers 422, as it must; every other request must succeed.
        if (target.submit && res.request().isNavigationRequest() && res.status() === 422) return;
        if (u.origin === base.origin && res.status() >= 400 && u.pathname !== "/favicon.ico") failed.push(`${res.status()} ${u.pathname}`);
      });
      if (target.submit) {
        const { res, problem } = await submitEmpty(page, url, target.submit);
        if (problem) failures.push(`${viewport.name}: ${problem}`);
        else if (!res || res.status() !== 422) {
          failures.push(`${viewport.name}: the form to ${target.submit.action} submitted empty answered ${res ? res.status() : "nothing"}, not 422`);
        } else {
          for (const p of await errorSummaryCheck(page)) failures.push(`${viewport.name}: ${p}`);
        }
      } else {
        const res = await page.goto(url, { waitUntil: "load", timeout: 30000 });
        if (!res || !res.ok()) failures.push(`${viewport.name}: ${target.path} answered ${res ? res.status() : "nothing"}`);
      }
      const scripts = await page.evaluate(() => document.scripts.length);
      if (scripts) failures.push(`${viewport.name}: the page has ${scripts} <script> element(s); the site ships no JavaScript`);
      for (const f of failed) failures.push(`${viewport.name}: request failed: ${f}`);
      if (blocked.size) notes.push(`${viewport.name}: blocked requests to ${[...blocked].join(", ")}`);

      // WCAG 1.4.10 Reflow: the page never scrolls sideways (a wide table scrolls in its own box).
      const wide = await page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        if (document.documentElement.scrollWidth <= width) return null;
        const culprits = [...document.querySelectorAll("body *")]
          .filter((el) => el.getBoundingClientRect().right > width + 1 && el.getBoundingClientRect().width > 0)
          .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 1)
          .slice(0, 3)
          .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).trim().split(/\s+/).join(".")}` : ""}`);
        return `${document.documentElement.scrollWidth}px wide in a ${width}px window, because of ${culprits.join(", ") || "?"}`;
      });
      if (wide) failures.push(`${viewport.name}: the page scrolls sideways (WCAG 1.4.10 Reflow): ${wide}`);

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
      const file = shotName(target, viewport);
      await page.screenshot({ path: file, fullPage: true });
      notes.push(`${viewport.name}: ${focus.count} focusable elements tabbed through; screenshot ${path.relative(process.cwd(), file)}`);
      await page.close();
    }
  } finally {
    for (const page of pages) if (!page.isClosed()) await page.close();
  }
  return { failures, review, notes };
}

// --- main ---------------------------------------------------------------------------------

await mkdir(SCREENSHOTS, { recursive: true });
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: false, // the flags below say how: Chromium's own new headless mode
  args: ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars", "--no-first-run", "--disable-extensions"],
});
let checked = 0;
let failedPages = 0;
const counts = new Map(); // group -> pages checked

function report(target, failures, review = [], notes = []) {
  checked += 1;
  counts.set(target.group, (counts.get(target.group) || 0) + 1);
  if (failures.length) failedPages += 1;
  const who = target.account ? ` as ${target.account.role}` : "";
  console.log(`${failures.length ? "FAIL" : "ok  "} ${target.path}${who}  (${target.kind})`);
  for (const f of failures) console.log(`      ${f}`);
  for (const r of review) console.log(`      to review by hand: ${r}`);
  if (process.env.AXE_VERBOSE || failures.length) for (const n of notes) console.log(`      note: ${n}`);
}

async function checkAll(context, targets) {
  for (const target of targets) {
    let result;
    try {
      result = await check(context, target);
    } catch (e) {
      result = { failures: [`could not check the page: ${e.message}`] };
    }
    report(target, result.failures, result.review, result.notes);
  }
}

try {
  const version = await browser.version();
  const axeVersion = require("axe-core/package.json").version;
  console.log(`axe: axe-core ${axeVersion} (${AXE_TAGS.join(", ")}) in ${version} at ${base.origin}, ${VIEWPORTS.map((v) => `${v.name} ${v.width}px`).join(" and ")}`);
  const publicPaths = pathArgs.filter((p) => !isAdmin(new URL(p, base).pathname));
  const adminPaths = pathArgs.filter((p) => isAdmin(new URL(p, base).pathname));

  // The published site, read by anyone.
  const publicTargets = pathArgs.length
    ? publicPaths.map((p) => ({ path: p, kind: pageKey(p).kind, group: "public" }))
    : process.env.AXE_PUBLIC === "0"
      ? []
      : await discover();
  await checkAll(browser.defaultBrowserContext(), publicTargets);

  // The web app signed out: the sign-in form, and refused empty.
  if (!pathArgs.length) {
    const context = await browser.createBrowserContext();
    const { chosen, broken } = await discoverAdmin(context, null, ["/admin/sign-in"]);
    await checkAll(context, chosen);
    for (const b of broken) report({ path: b.split(" ")[0], kind: "linked from the web app", group: "signed out" }, [b]);
    await context.close();
  }

  // The web app as each account, signed in through the form and signed out at the end.
  if (!ACCOUNTS.length && (!pathArgs.length || adminPaths.length)) {
    console.log("axe: no AXE_ACCOUNTS given: the signed-in web app is not checked");
  }
  for (const account of (pathArgs.length && !adminPaths.length) ? [] : ACCOUNTS) {
    const context = await browser.createBrowserContext();
    try {
      try {
        await signIn(context, account);
      } catch (e) {
        report({ path: "/admin/sign-in", kind: "sign in", account, group: account.role }, [e.message]);
        continue;
      }
      const { chosen, broken } = adminPaths.length
        ? await discoverAdmin(context, account, adminPaths, false)
        : await discoverAdmin(context, account, ["/admin"]);
      await checkAll(context, chosen);
      for (const b of broken) report({ path: b.split(" ")[0], kind: "linked from the web app", account, group: account.role }, [b]);
      const out = await signOut(context, account);
      if (typeof out === "string") report({ path: "/admin/sign-out", kind: "sign out", account, group: account.role }, [out]);
      else await checkAll(context, [{ path: out.path, kind: "signed out", account, group: account.role }]);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (!checked) usage("no pages to check");
const seconds = ((Date.now() - started) / 1000).toFixed(0);
console.log(`axe: screenshots in ${SCREENSHOTS}`);
console.log(`axe: ${checked} pages checked in ${seconds}s (${[...counts].map(([g, n]) => `${n} ${g}`).join(", ")}), each at ${VIEWPORTS.length} widths`);
console.log(`axe: ${checked - failedPages} passed, ${failedPages} failed`);
process.exit(failedPages ? 1 : 0);
