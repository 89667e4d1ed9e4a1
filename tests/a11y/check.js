#!/usr/bin/env node
// Accessibility and layout checks for a rendered fslt-survey site.
//
// Opens every HTML page of the site in Debian's headless Chromium (driven by playwright-core,
// never Playwright's own browser download), runs axe-core with the WCAG 2.1 A/AA rules at a
// desktop and a mobile width, checks the mobile layout (no horizontal scrolling of the page,
// tables scroll in their own box, images and charts fit), and saves full-page screenshots.
//
//   node tests/a11y/check.js --site _site [--base-url http://127.0.0.1:PORT/]
//        [--screens tests/artifacts/screens] [--report tests/artifacts/a11y-report.json]
//        [--page reports/behov.html ...]
//
// Without --base-url the site is served with `python3 -m http.server` on 127.0.0.1 and a free
// port. Exit status: 0 no problems, 1 violations or layout problems, 2 the harness failed.
// The JSON report lists every problem per page; a summary is printed to stdout.

"use strict";

const fs = require("node:fs");
const net = require("node:net");
const path = require("node:path");
const http = require("node:http");
const { spawn } = require("node:child_process");

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
// axe's "best-practice" rules for headings, landmarks and tables are not WCAG success criteria
// on their own, but they are how WCAG 1.3.1 and 2.4.1 are met in practice: they fail too.
const ENFORCED_BEST_PRACTICE = new Set([
  "empty-heading",
  "empty-table-header",
  "heading-order",
  "landmark-banner-is-top-level",
  "landmark-contentinfo-is-top-level",
  "landmark-main-is-top-level",
  "landmark-no-duplicate-banner",
  "landmark-no-duplicate-contentinfo",
  "landmark-no-duplicate-main",
  "landmark-one-main",
  "landmark-unique",
  "page-has-heading-one",
  "region",
  "scope-attr-valid",
  "skip-link",
  "table-duplicate-name",
]);
// Alt texts the engine puts on an image that was given none (fslt_survey/render/i18n.py).
const FALLBACK_ALTS = new Set(["Figur uden beskrivelse", "Figure without description"]);
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false },
  mobile: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};
// Flags for a closed network and a root user (see the README: "Accessibility checks").
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--headless",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-default-apps",
  "--disable-extensions",
  "--disable-dev-shm-usage",
  "--font-render-hinting=none",
];

function usage(message) {
  if (message) console.error(`check.js: ${message}`);
  console.error(
    "usage: node check.js --site DIR [--base-url URL] [--screens DIR] [--prints DIR] " +
      "[--report FILE] " +
      "[--page REL ...] [--chromium PATH] [--lang da] [--jobs 3]",
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { pages: [], lang: "da", jobs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) usage(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === "--site") opts.site = value();
    else if (arg === "--base-url") opts.baseUrl = value();
    else if (arg === "--screens") opts.screens = value();
    else if (arg === "--prints") opts.prints = value();
    else if (arg === "--report") opts.report = value();
    else if (arg === "--page") opts.pages.push(value());
    else if (arg === "--chromium") opts.chromium = value();
    else if (arg === "--lang") opts.lang = value();
    else if (arg === "--jobs") opts.jobs = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (arg === "-h" || arg === "--help") usage();
    else usage(`unknown argument ${arg}`);
  }
  if (!opts.site) usage("--site is required");
  return opts;
}

function findChromium(explicit) {
  const candidates = [
    explicit,
    process.env.CHROMIUM_PATH,
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
  ].filter(Boolean);
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    `no Chromium found (tried ${candidates.join(", ")}); run scripts/setup-checks ` +
      "or set CHROMIUM_PATH",
  );
}

/** Every HTML page of the site, root-relative with "/", redirect stubs left out. */
function sitePages(site) {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "site_libs" && !entry.name.endsWith("_files")) walk(full);
      } else if (/\.html?$/.test(entry.name)) {
        const text = fs.readFileSync(full, "utf8");
        if (/<meta[^>]+http-equiv=["']?refresh/i.test(text)) continue; // Quarto `aliases`
        out.push(path.relative(site, full).split(path.sep).join("/"));
      }
    }
  };
  walk(site);
  return out.sort();
}

function screenshotName(rel) {
  return rel.replace(/\.html?$/, "").replace(/[\\/]+/g, "-");
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function waitForServer(url, deadline) {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve();
      });
      req.on("error", () => {
        if (Date.now() > deadline) reject(new Error(`the site server at ${url} did not start`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

async function serve(site) {
  const port = await freePort();
  const python = process.env.PYTHON || "python3";
  const child = spawn(
    python,
    ["-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", site],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const url = `http://127.0.0.1:${port}/`;
  try {
    await waitForServer(url, Date.now() + 10000);
  } catch (err) {
    child.kill();
    throw new Error(`${err.message}\n${stderr.slice(-2000)}`);
  }
  return { url, stop: () => child.kill() };
}

/** Runs in the page: layout problems at the emulated screen width ``width``. A mobile browser
 * widens its layout viewport (and innerWidth) to fit content that is too wide, so the
 * comparison is with the screen width, not innerWidth. */
function layoutProblems(width) {
  const problems = [];
  const root = document.scrollingElement || document.documentElement;
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += `#${el.id}`;
    const cls = typeof el.className === "string" ? el.className.trim() : "";
    if (cls) s += `.${cls.split(/\s+/).join(".")}`;
    return s;
  };
  const scrollBox = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === "auto" || ox === "scroll") return p;
    }
    return null;
  };
  if (root.scrollWidth > width) {
    // name the widest culprits (elements whose right edge passes the viewport, outside any
    // box that scrolls on its own)
    const culprits = [];
    for (const el of document.body.querySelectorAll("*")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= width + 1 || scrollBox(el)) continue;
      const parent = el.parentElement;
      if (parent && parent.getBoundingClientRect().right > width + 1 && !scrollBox(parent)) {
        if (parent !== document.body && parent !== document.documentElement) continue;
      }
      culprits.push(`${describe(el)} (right edge ${Math.round(r.right)}px)`);
      if (culprits.length >= 5) break;
    }
    problems.push({
      rule: "page-horizontal-scroll",
      message:
        `the page scrolls horizontally: scrollWidth ${root.scrollWidth}px > ${width}px ` +
        "(WCAG 1.4.10 Reflow)",
      targets: culprits,
    });
  }
  for (const table of document.querySelectorAll("main table")) {
    const box = scrollBox(table);
    if (!box) {
      problems.push({
        rule: "table-scroll-box",
        message: "table is not inside its own horizontally scrolling box",
        targets: [describe(table)],
      });
      continue;
    }
    const r = box.getBoundingClientRect();
    if (r.right > width + 1) {
      problems.push({
        rule: "table-scroll-box",
        message: `the table's scroll box is wider than the screen (${Math.round(r.right)}px)`,
        targets: [describe(box)],
      });
    }
    const scrolls = box.scrollWidth > box.clientWidth;
    if (scrolls && !box.hasAttribute("tabindex")) {
      problems.push({
        rule: "table-scroll-box",
        message: "the table's scroll box scrolls but cannot be reached with the keyboard",
        targets: [describe(box)],
      });
    }
  }
  for (const img of document.querySelectorAll("main img, main svg, main video, main canvas")) {
    if (img.parentElement && img.parentElement.closest("svg")) continue; // inside an svg
    const r = img.getBoundingClientRect();
    if (r.width === 0) continue;
    if (scrollBox(img)) continue;
    const container = img.closest("figure, p, div, section, main") || document.body;
    const c = container.getBoundingClientRect();
    if (r.right > width + 1 || r.width > c.width + 1) {
      problems.push({
        rule: "image-fits",
        message:
          `image/chart is ${Math.round(r.width)}px wide, its container ` +
          `${Math.round(c.width)}px`,
        targets: [`${describe(img)} src=${img.getAttribute("src") || ""}`],
      });
    }
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.complete || img.naturalWidth === 0) {
      problems.push({
        rule: "image-loads",
        message: "image did not load",
        targets: [`img src=${img.getAttribute("src")}`],
      });
    }
  }
  return problems;
}

/** Runs in the page: the smallest rendered text of each visible SVG chart (issue 19: no chart
 * text under 12 px on a 390 px phone). The SVG's font sizes are in its user units; shown
 * ``r.width`` px wide for a viewBox ``vb`` units wide, a size ``s`` is drawn ``s * r.width / vb``
 * px high. */
async function chartTextProblems(minPx) {
  const problems = [];
  for (const img of document.querySelectorAll("main img")) {
    const src = img.getAttribute("src") || "";
    const r = img.getBoundingClientRect();
    if (!src.endsWith(".svg") || r.width === 0) continue; // not a chart, or not shown
    const doc = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml");
    const svg = doc.documentElement;
    const vb = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (vb.length !== 4 || !(vb[2] > 0)) continue;
    let smallest = Infinity;
    let example = "";
    // a style may be a class of the SVG's own stylesheet (fslt_survey.plots._svg.compact_svg)
    const classes = {};
    for (const sheet of doc.querySelectorAll("style")) {
      for (const rule of sheet.textContent.matchAll(/\.([\w-]+)\{([^}]*)\}/g)) classes[rule[1]] = rule[2];
    }
    for (const t of doc.querySelectorAll("text")) {
      const style = `${t.getAttribute("style") || ""};${classes[t.getAttribute("class")] || ""}`;
      const m = /font-size:\s*([\d.]+)px/.exec(style);
      const size = m ? Number(m[1]) : Number(t.getAttribute("font-size"));
      if (!(size > 0) || !t.textContent.trim()) continue;
      if (size < smallest) [smallest, example] = [size, t.textContent.trim()];
    }
    const px = (smallest * r.width) / vb[2];
    if (px < minPx) {
      problems.push({
        rule: "chart-text-size",
        message: `chart text is ${px.toFixed(1)} px high (»${example}«), under ${minPx} px`,
        targets: [`img src=${src}`],
      });
    }
  }
  return problems;
}

/** Runs in the page: a table wider than its box must show that it scrolls (the scroll
 * shadows of engine.css, a background gradient on the box). */
function scrollCueProblems() {
  const problems = [];
  for (const table of document.querySelectorAll("main table")) {
    let box = table.parentElement;
    while (box && box !== document.body && !["auto", "scroll"].includes(getComputedStyle(box).overflowX)) {
      box = box.parentElement;
    }
    if (!box || box === document.body || box.scrollWidth <= box.clientWidth) continue;
    if (!/gradient/.test(getComputedStyle(box).backgroundImage)) {
      problems.push({
        rule: "table-scroll-cue",
        message: "a column is beyond the screen and nothing shows that the table scrolls",
        targets: [box.tagName.toLowerCase() + (box.className ? `.${box.className}` : "")],
      });
    }
  }
  return problems;
}

/** Runs in the page: what axe does not check but the house rules require. */
function semanticProblems([lang, fallbackAlts]) {
  const problems = [];
  const pageLang = document.documentElement.getAttribute("lang") || "";
  if (lang && pageLang.split("-")[0].toLowerCase() !== lang) {
    problems.push({
      rule: "page-language",
      message: `<html lang="${pageLang}">, expected "${lang}" (WCAG 3.1.1)`,
      targets: ["html"],
    });
  }
  const h1 = document.querySelectorAll("h1");
  if (h1.length !== 1) {
    problems.push({
      rule: "one-h1",
      message: `${h1.length} <h1> elements; a page has exactly one (its title) (WCAG 1.3.1)`,
      targets: [...h1].map((h) => `h1: ${h.textContent.trim().slice(0, 80)}`),
    });
  }
  const tables = document.querySelectorAll("main table");
  tables.forEach((table, i) => {
    const where = `table ${i + 1}${table.id ? ` #${table.id}` : ""}: ${table.textContent
      .trim()
      .replace(/\s+/g, " ")
      .slice(0, 60)}`;
    const caption = table.querySelector(":scope > caption");
    const named =
      (caption && caption.textContent.trim()) ||
      table.getAttribute("aria-label") ||
      table.getAttribute("aria-labelledby");
    if (!named) {
      problems.push({
        rule: "table-caption",
        message: "data table without a <caption> (give the cell `#| tbl-cap:`) (WCAG 1.3.1)",
        targets: [where],
      });
    }
    if (!table.querySelector("th")) {
      problems.push({
        rule: "table-headers",
        message: "data table without header cells <th> (WCAG 1.3.1)",
        targets: [where],
      });
    }
  });
  for (const img of document.querySelectorAll("main img")) {
    const alt = (img.getAttribute("alt") || "").trim();
    const src = img.getAttribute("src") || "";
    const file = decodeURIComponent(src.split("/").pop() || "");
    const fileName = alt && (alt === file || alt === file.replace(/\.\w+$/, ""));
    if (fallbackAlts.includes(alt) || fileName) {
      problems.push({
        rule: "image-alt-text",
        message:
          `image without a real text alternative (alt="${alt}"): give it fig-alt ` +
          "(WCAG 1.1.1)",
        targets: [`img src=${src}`],
      });
    }
  }
  return problems;
}

/** The first Tab reaches a visible "skip to content" link whose target exists (WCAG 2.4.1). */
async function skipLinkProblems(page) {
  await page.keyboard.press("Tab");
  const state = await page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el.tagName !== "A") return { ok: false, what: el ? el.tagName : "nothing" };
    const href = el.getAttribute("href") || "";
    const r = el.getBoundingClientRect();
    const target = href.startsWith("#") ? document.getElementById(href.slice(1)) : null;
    const visible = r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight;
    return {
      ok: Boolean(target) && visible,
      what:
        `<a href="${href}"> ${el.textContent.trim()} ` +
        `(visible: ${visible}, target exists: ${Boolean(target)})`,
    };
  });
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  if (state.ok) return [];
  return [
    {
      rule: "skip-link",
      message: "the first Tab does not reach a visible link that skips to the main content",
      targets: [state.what],
    },
  ];
}

function simplifyViolation(v) {
  return {
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    tags: v.tags.filter((t) => t.startsWith("wcag")),
    nodes: v.nodes.slice(0, 20).map((n) => ({
      target: n.target.join(" "),
      html: n.html.length > 300 ? `${n.html.slice(0, 300)}…` : n.html,
      summary: n.failureSummary,
    })),
    count: v.nodes.length,
  };
}

async function checkPage(browser, contexts, baseUrl, rel, opts, axeSource) {
  const result = {
    page: rel,
    violations: [],
    layout: [],
    incomplete: [],
    advice: [],
    screenshots: {},
    seconds: {},
  };
  const seen = new Map();
  for (const [name, context] of Object.entries(contexts)) {
    const t0 = Date.now();
    const page = await context.newPage();
    const consoleErrors = [];
    page.on("pageerror", (err) => consoleErrors.push(String(err)));
    page.on("requestfailed", (req) => {
      consoleErrors.push(`request failed: ${req.url()} (${req.failure()?.errorText})`);
    });
    try {
      const response = await page.goto(new URL(rel, baseUrl).href, {
        waitUntil: "load",
        timeout: 30000,
      });
      if (!response || !response.ok()) {
        throw new Error(`HTTP ${response ? response.status() : "no response"} for ${rel}`);
      }
      await page.evaluate(() => document.fonts.ready);
      await page.addScriptTag({ content: axeSource });
      const axe = await page.evaluate(async (tags) => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
          runOnly: { type: "tag", values: [...tags, "best-practice"] },
          resultTypes: ["violations", "incomplete"],
        });
        return { violations: r.violations, incomplete: r.incomplete };
      }, AXE_TAGS);
      const enforced = (v) =>
        v.tags.some((t) => AXE_TAGS.includes(t)) || ENFORCED_BEST_PRACTICE.has(v.id);
      for (const v of axe.violations) {
        if (!enforced(v)) {
          if (!result.advice.some((a) => a.id === v.id)) {
            result.advice.push({ id: v.id, help: v.help, count: v.nodes.length });
          }
          continue;
        }
        const s = simplifyViolation(v);
        const key = `${s.id}|${s.nodes.map((n) => n.target).join(",")}`;
        if (seen.has(key)) {
          seen.get(key).widths.push(name);
          continue;
        }
        s.widths = [name];
        seen.set(key, s);
        result.violations.push(s);
      }
      for (const v of axe.incomplete) {
        if (!result.incomplete.some((i) => i.id === v.id)) {
          result.incomplete.push({ id: v.id, help: v.help, count: v.nodes.length });
        }
      }
      if (name === "desktop") {
        const semantic = await page.evaluate(semanticProblems, [opts.lang, [...FALLBACK_ALTS]]);
        for (const p of semantic) result.layout.push({ ...p, width: name });
        for (const p of await skipLinkProblems(page)) result.layout.push({ ...p, width: name });
        if (opts.prints) {
          // the page as a reader prints it (A4, the print stylesheet), with the texts of its
          // headings and captions, so the test can look for one left at the foot of a page
          fs.mkdirSync(opts.prints, { recursive: true });
          const file = path.join(opts.prints, `${screenshotName(rel)}.pdf`);
          await page.emulateMedia({ media: "print" });
          result.print = {
            pdf: file,
            headings: await page.evaluate(() =>
              [...document.querySelectorAll("main h2, main h3, main h4, main caption, main figcaption")]
                .filter((el) => el.getClientRects().length > 0)
                .map((el) => el.textContent.replace(/\s+/g, " ").trim())
                .filter(Boolean),
            ),
          };
          await page.pdf({ path: file, format: "A4", margin: { top: "15mm", bottom: "15mm", left: "15mm", right: "15mm" } });
          await page.emulateMedia({ media: "screen" });
        }
      }
      if (name === "mobile") {
        const width = VIEWPORTS[name].viewport.width;
        for (const p of await page.evaluate(layoutProblems, width)) {
          result.layout.push({ ...p, width: name });
        }
        for (const p of await page.evaluate(chartTextProblems, 12)) {
          result.layout.push({ ...p, width: name });
        }
        for (const p of await page.evaluate(scrollCueProblems)) {
          result.layout.push({ ...p, width: name });
        }
      }
      if (opts.screens) {
        const file = path.join(opts.screens, `${screenshotName(rel)}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        result.screenshots[name] = file;
      }
      for (const e of consoleErrors) {
        result.layout.push({ rule: "page-errors", message: e, targets: [], width: name });
      }
    } finally {
      await page.close();
      result.seconds[name] = (Date.now() - t0) / 1000;
    }
  }
  return result;
}

function printSummary(results, elapsed) {
  let bad = 0;
  for (const r of results) {
    const problems = r.violations.length + r.layout.length + (r.error ? 1 : 0);
    const advice = r.advice && r.advice.length
      ? `  (advice: ${r.advice.map((a) => a.id).join(", ")})`
      : "";
    if (!problems) {
      console.log(`ok    ${r.page}${advice}`);
      continue;
    }
    bad++;
    console.log(`FAIL  ${r.page}${advice}`);
    if (r.error) console.log(`      harness error: ${r.error}`);
    for (const v of r.violations) {
      console.log(
        `      axe ${v.id} [${v.impact}] (${v.tags.join(", ")}; ${v.widths.join("+")}): ` +
          `${v.help} – ${v.count} element(s)`,
      );
      for (const n of v.nodes.slice(0, 5)) {
        console.log(`        ${n.target}  ${n.html.replace(/\s+/g, " ").slice(0, 160)}`);
        if (v.id === "color-contrast" && n.summary) {
          console.log(`          ${n.summary.replace(/\s+/g, " ").slice(0, 200)}`);
        }
      }
    }
    for (const l of r.layout) {
      console.log(`      layout ${l.rule} (${l.width}): ${l.message}`);
      for (const t of l.targets.slice(0, 5)) console.log(`        ${t}`);
    }
  }
  console.log(
    `${results.length} page(s) checked with axe-core (${AXE_TAGS.join(", ")}) at ` +
      `${Object.keys(VIEWPORTS).join(" and ")} widths in ${(elapsed / 1000).toFixed(1)} s; ` +
      `${bad} with problems.`,
  );
  return bad;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const site = path.resolve(opts.site);
  if (!fs.existsSync(site)) usage(`no site at ${site}`);
  const pages = opts.pages.length ? opts.pages : sitePages(site);
  if (!pages.length) usage(`no HTML pages in ${site}`);
  if (opts.screens) fs.mkdirSync(opts.screens, { recursive: true });

  let chromium;
  let axeSource;
  try {
    ({ chromium } = require("playwright-core"));
    axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  } catch (err) {
    throw new Error(
      `${err.message}\nthe npm packages are missing: run \`npm ci --prefix tests/a11y\` ` +
        "(or scripts/setup-checks)",
    );
  }

  const server = opts.baseUrl ? null : await serve(site);
  const baseUrl = opts.baseUrl || server.url;
  const browser = await chromium.launch({
    executablePath: findChromium(opts.chromium),
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60000,
  });
  const chromiumVersion = browser.version();
  const results = [];
  try {
    const contexts = {};
    for (const [name, v] of Object.entries(VIEWPORTS)) {
      contexts[name] = await browser.newContext({
        ...v,
        deviceScaleFactor: 1,
        locale: "da-DK",
        reducedMotion: "reduce",
        serviceWorkers: "block",
      });
      // only the local site: nothing may leave the machine
      await contexts[name].route(
        (url) => !url.href.startsWith(baseUrl),
        (route) => route.abort("blockedbyclient"),
      );
    }
    const queue = pages.map((rel, index) => ({ rel, index }));
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        results[job.index] = await checkOne(job.rel);
      }
    };
    const checkOne = async (rel) => {
      try {
        return await checkPage(browser, contexts, baseUrl, rel, opts, axeSource);
      } catch (err) {
        return {
          page: rel,
          violations: [],
          layout: [],
          incomplete: [],
          advice: [],
          error: String(err),
        };
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.jobs, pages.length) }, worker));
  } finally {
    await browser.close();
    if (server) server.stop();
  }
  const elapsed = Date.now() - started;
  const bad = printSummary(results, elapsed);
  if (opts.report) {
    fs.mkdirSync(path.dirname(path.resolve(opts.report)), { recursive: true });
    const report = {
      axe: require("axe-core/package.json").version,
      chromium: chromiumVersion,
      tags: AXE_TAGS,
      enforcedBestPractice: [...ENFORCED_BEST_PRACTICE],
      viewports: VIEWPORTS,
      seconds: elapsed / 1000,
      pages: results,
    };
    fs.writeFileSync(opts.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  const harnessErrors = results.filter((r) => r.error).length;
  process.exit(harnessErrors ? 2 : bad ? 1 : 0);
}

main().catch((err) => {
  console.error(`check.js: ${err && err.stack ? err.stack : err}`);
  process.exit(2);
});
