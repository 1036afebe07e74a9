// Browser tests of the dashboard in real headless Chromium:
//   node dashboard.mjs INKASSO NODE_MODULES OUT_DIR
// Generates a portfolio, imports it, starts `inkasso serve` on a free port,
// and checks in the browser: every tile equals the API's value as shown,
// a filter change changes every chart, an ingest shows up live within a
// second, the CSV download of a chart, the page's security headers, the
// anomaly alerts (panel equal to /api/v1/alerts, flags on the figures they
// concern, a new anomaly appearing live), the owner, target and action of
// a missed target (serve --owners owners.conf), and a report file made by
// `inkasso report` rendering with the network off, alerts and targets
// included.
// Writes OUT_DIR/dashboard.png and OUT_DIR/report.png for people to see.
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [inkasso, modules, outDir] = process.argv.slice(2);
if (!inkasso || !modules || !outDir) {
  console.error("usage: node dashboard.mjs INKASSO NODE_MODULES OUT_DIR");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), "x.js"));
const { chromium } = require("playwright-core");
const CHROMIUM = process.env.INK_CHROMIUM || "/usr/bin/chromium";
const OWNERS = path.join(path.dirname(fileURLToPath(import.meta.url)), "owners.conf");

let passed = 0;
let failed = 0;
function check(ok, what, detail) {
  if (ok) {
    passed++;
  } else {
    failed++;
    console.error("FAIL: " + what + (detail !== undefined ? ": " + detail : ""));
  }
}
function equal(got, want, what) {
  check(got === want, what, "got " + JSON.stringify(got) + ", want " + JSON.stringify(want));
}

// The dashboard's display rules, written again here from docs/dashboard.md
// (not imported from web/): a tile shows exactly this text.
function shown(kind, v) {
  if (v === null || v === undefined) return "–";
  if (kind === "pct") return (v * 100).toFixed(1) + " %";
  if (kind === "days") return v.toFixed(1) + " d";
  if (kind === "money") return v.toFixed(2);
  throw new Error("unknown kind " + kind);
}
const TILE_KIND = {
  recovery_rate: "pct",
  realization_rate_30d: "pct",
  realization_rate_60d: "pct",
  realization_rate_90d: "pct",
  avg_days_to_resolution: "days",
  avg_days_first_contact_to_payment: "days",
  first_contact_resolution_rate: "pct",
  reachability_rate: "pct",
  cost_per_case: "money",
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "inkasso-browser-"));
const portfolio = path.join(tmp, "portfolio");
const db = path.join(tmp, "store.db");
const tokenFile = path.join(tmp, "token");
const TOKEN = "browser-test-token-0123456789";
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(tokenFile, TOKEN + "\n", { mode: 0o600 });
execFileSync(inkasso, ["gen", portfolio, "--cases", "2000", "--seed", "11"], { stdio: "ignore" });
execFileSync(inkasso, ["import", portfolio, "--db", db], { stdio: "ignore" });

// Starts the server; resolves with its URL from "listening on URL".
function startServer() {
  const child = spawn(inkasso, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--token-file", tokenFile, "--owners", OWNERS], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error("inkasso serve exited " + code + ": " + stderr)));
    setTimeout(() => reject(new Error("inkasso serve did not start: " + stderr)), 20000);
  });
}

async function api(url, pathAndQuery) {
  const res = await fetch(url + pathAndQuery);
  if (!res.ok) throw new Error(pathAndQuery + ": HTTP " + res.status);
  return res.json();
}

// The tiles as the page shows them.
async function readTiles(page) {
  return page.$$eval(".tile", (tiles) =>
    tiles.map((t) => ({
      kpi: t.dataset.kpi,
      segment: t.dataset.segment || null,
      currency: t.dataset.currency || null,
      level: t.dataset.level,
      text: t.querySelector(".value .num").textContent,
    })));
}

// Every tile against the report of /api/v1/kpi?by=currency (same filters).
function checkTiles(tiles, report, label) {
  equal(tiles.length, 10, label + ": ten tiles");
  for (const t of tiles) {
    let want;
    if (t.segment) {
      const entry = report.operations.find((o) => o.period === "total" && o.segment === t.segment);
      want = shown(TILE_KIND[t.kpi], entry ? entry[t.kpi] : null);
    } else {
      const group = report.groups.find((g) => g.key.currency === t.currency);
      want = shown(TILE_KIND[t.kpi], group ? group.kpis[t.kpi] : null);
    }
    equal(t.text, want, label + ": tile " + t.kpi + (t.segment ? " " + t.segment : " " + t.currency));
  }
}

// docs/dashboard.md: which tiles an alert of each series flags (amount
// series only in their own currency).
const REALIZATION = ["recovery_rate", "realization_rate_30d", "realization_rate_60d", "realization_rate_90d"];
const FLAGGED_TILES = {
  collected_amount: REALIZATION,
  payments: REALIZATION,
  placements: [],
  placed_amount: ["recovery_rate"],
  outbound_contacts: ["reachability_rate"],
  valid_contact_rate: ["reachability_rate"],
  response_rate: [],
  resolved_cases: ["avg_days_to_resolution", "first_contact_resolution_rate"],
};

// The alerts panel and the flags against an answer of /api/v1/alerts.
async function checkAlerts(page, answer, currency, label) {
  const want = answer.alerts;
  const count = await page.getAttribute("#alerts", "data-count");
  equal(Number(count), want.length, label + ": alert count");
  const items = await page.$$eval("#alerts li.alert", (lis) => lis.map((li) => ({
    series: li.dataset.series, currency: li.dataset.currency || null, channel: li.dataset.channel || null, text: li.textContent,
  })));
  equal(JSON.stringify(items.map((a) => [a.series, a.currency, a.channel])),
    JSON.stringify(want.map((a) => [a.series, a.currency, a.channel])), label + ": alerts listed in the API's order");
  for (let i = 0; i < Math.min(items.length, want.length); i++) {
    const a = want[i];
    const span = a.since === a.until ? "on " + a.since : "since " + a.since + " until " + a.until;
    check(items[i].text.includes((a.direction === "down" ? " down " : " up ") + span), label + ": alert " + i + " says direction and days", items[i].text);
    check(items[i].text.includes("observed ") && items[i].text.includes(" vs expected "), label + ": alert " + i + " says observed vs expected", items[i].text);
    const top = a.drilldown.find((d) => d.drivers.length);
    if (top) {
      const d = top.drivers[0];
      const text = top.dimension + "=" + (d.value === null ? "(none)" : d.value) + " explains " + Math.round(d.share * 100) + " %";
      check(items[i].text.includes(text), label + ": alert " + i + " names its top driver", text + " in " + items[i].text);
    }
  }
  const wantTiles = new Set();
  for (const a of want) if (!a.currency || a.currency === currency) for (const k of FLAGGED_TILES[a.series] || []) wantTiles.add(k);
  const gotTiles = await page.$$eval(".tile", (ts) => ts.filter((t) => t.querySelector(".flag")).map((t) => t.dataset.kpi));
  equal([...new Set(gotTiles)].sort().join(","), [...wantTiles].sort().join(","), label + ": flagged tiles");
  const trendFlag = await page.$("#panel-trend .panel-flag .flag");
  const wantTrend = want.some((a) => ["collected_amount", "payments", "placements", "placed_amount", "resolved_cases"].includes(a.series) && (!a.currency || a.currency === currency));
  equal(!!trendFlag, wantTrend, label + ": the trend chart is flagged when an alert concerns it");
}

async function renders(page) {
  return Number(await page.getAttribute("html", "data-renders"));
}

async function waitRendered(page, after) {
  await page.waitForFunction(
    (n) => document.documentElement.dataset.state === "ready" && Number(document.documentElement.dataset.renders) > n,
    after, { timeout: 10000 });
}

async function signatures(page) {
  return page.$$eval(".panel .chart", (charts) =>
    Object.fromEntries(charts.map((c) => [c.closest(".panel").id, c.dataset.signature || ""])));
}

const { child: server, url } = await startServer();
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
const started = Date.now();
try {
  // ---------------------------------------------------------- the files
  {
    const res = await fetch(url + "/");
    equal(res.status, 200, "GET / status");
    equal(res.headers.get("content-type"), "text/html; charset=utf-8", "GET / content type");
    const html = await res.text();
    check(html.includes("Content-Security-Policy") && html.includes("default-src 'none'"), "index.html carries a CSP that forbids anything external");
    check(!/https?:\/\//.test(html), "index.html names no external URL");
    const js = await fetch(url + "/assets/app.js");
    equal(js.status, 200, "GET /assets/app.js status");
    equal(js.headers.get("content-type"), "text/javascript; charset=utf-8", "app.js content type");
    const css = await fetch(url + "/assets/app.css");
    equal(css.headers.get("content-type"), "text/css; charset=utf-8", "app.css content type");
    const missing = await fetch(url + "/assets/nope.js");
    equal(missing.status, 404, "an unknown asset is a 404");
    equal((await missing.json()).error.code, "not_found", "404 body");
    const post = await fetch(url + "/", { method: "POST" });
    equal(post.status, 405, "POST / is a 405");
    const head = await fetch(url + "/assets/app.js", { method: "HEAD" });
    equal(head.status, 200, "HEAD /assets/app.js");
  }

  // ---------------------------------------------------------- first load
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const external = [];
  const consoleErrors = [];
  page.on("request", (r) => {
    if (!r.url().startsWith(url) && !r.url().startsWith("blob:") && !r.url().startsWith("data:")) external.push(r.url());
  });
  const badResponses = [];
  page.on("console", (m) => {
    // Failed requests are checked by their responses below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text());
  });
  page.on("response", (r) => {
    // Alerts and owners are built in parallel: 501 until they are.
    const pending = /\/api\/v1\/(alerts|owners)/.test(r.url()) && r.status() === 501;
    if (r.status() >= 400 && !pending) badResponses.push(r.status() + " " + r.url());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(url + "/");
  await page.waitForFunction(() => document.documentElement.dataset.state === "ready", null, { timeout: 15000 });
  const base = await api(url, "/api/v1/kpi?by=currency");
  checkTiles(await readTiles(page), base, "first load");
  equal(await page.inputValue("#f-currency"), "EUR", "the currency with the most cases is selected");
  const panels = await page.$$eval(".panel", (ps) => ps.map((p) => p.id));
  equal(panels.join(","), "panel-trend,panel-curves,panel-compare,panel-channels,panel-operations", "every chart panel is there");
  for (const id of ["trend", "curves", "operations"]) {
    check(await page.$("#panel-" + id + " canvas"), "a drawn chart in " + id);
  }
  const months = base.groups.length ? (await api(url, "/api/v1/kpi?by=currency,cohort_month")).groups.filter((g) => g.key.currency === "EUR") : [];
  equal(Number(await page.getAttribute("#panel-trend .chart", "data-points")), months.length, "one trend point per EUR placement month");
  const eur = base.groups.find((g) => g.key.currency === "EUR");
  const channelRows = await page.$$eval("#panel-channels .table-wrap tbody tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.dataset.value || c.textContent)));
  equal(JSON.stringify(channelRows), JSON.stringify(Object.entries(eur.kpis.response_rate).map(([c, v]) => [c, shown("pct", v)])), "response rate per channel table");
  const alertsAnswer = await api(url, "/api/v1/alerts");
  check(alertsAnswer.alerts.length > 0, "the generated portfolio has alerts to show", alertsAnswer.alerts.length);
  await checkAlerts(page, alertsAnswer, "EUR", "first load");
  {
    // Owners: every missed target listed with its owner and action; the
    // tile of a missed KPI says target, owner and action.
    const owners = await api(url, "/api/v1/owners");
    const missed = owners.owners.filter((v) => v.status === "missed");
    equal(missed.length, 4, "owners.conf: four missed targets on this portfolio");
    const rows = await page.$$eval("#targets table.missed tbody tr", (trs) => trs.map((tr) => ({
      kpi: tr.dataset.kpi, owner: tr.querySelector(".who").textContent, action: tr.querySelector(".what").textContent,
    })));
    equal(JSON.stringify(rows), JSON.stringify(missed.map((v) => ({ kpi: v.kpi, owner: v.owner, action: v.action }))), "the missed targets list equals the API's missed verdicts");
    const summary = await page.textContent("#targets .note");
    check(summary.startsWith(missed.length + " of " + owners.owners.length + " targets missed"), "the targets summary counts them", summary);
    const tile = '.tile[data-kpi="avg_days_first_contact_to_payment"]';
    equal(await page.getAttribute(tile, "data-status"), "missed", "contact-to-payment tile: target missed");
    equal(await page.getAttribute(tile, "data-level"), "bad", "contact-to-payment tile: shown as missed");
    check((await page.textContent(tile + " .verdict")).includes("Target ≤ 15 d missed"), "the missed tile says its target", await page.textContent(tile + " .verdict"));
    equal(await page.textContent(tile + " .owner"), "Owner: Sabine Roth, Operations", "the missed tile names its owner");
    equal(await page.textContent(tile + " .action"), "Action: Put the payment link and a plan offer in the first message", "the missed tile says the action");
    const met = '.tile[data-kpi="recovery_rate"]';
    equal(await page.getAttribute(met, "data-status"), "met", "recovery tile: target met (EUR)");
    check(!(await page.$(met + " .action")), "a met target shows no action");
    const cost = '.tile[data-kpi="cost_per_case"][data-segment="B2C"] .verdict';
    check(/judged on segment=B2C 2025-06: 3\.01 EUR/.test(await page.textContent(cost)), "cost per case says the month its target is judged on", await page.textContent(cost));
  }
  const levels = new Set((await readTiles(page)).map((t) => t.level));
  check(levels.has("good") || levels.has("warn") || levels.has("bad"), "tiles are judged against benchmarks");
  const verdict = await page.textContent('.tile[data-kpi="avg_days_to_resolution"] .verdict');
  check(/benchmark 30 d–60 d/.test(verdict), "days to resolution says its benchmark in words", verdict);

  // ---------------------------------------------------------- CSV download
  {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click('#panel-trend button.csv')]);
    equal(download.suggestedFilename(), "inkasso-trend-EUR.csv", "CSV file name");
    const text = fs.readFileSync(await download.path(), "utf8");
    const lines = text.trimEnd().split("\r\n");
    equal(lines[0], "cohort_month,cases,recovery_rate,realization_rate_30d,realization_rate_60d,realization_rate_90d,avg_days_to_resolution,avg_days_first_contact_to_payment,first_contact_resolution_rate,reachability_rate", "CSV header");
    equal(lines.length - 1, months.length, "one CSV row per placement month");
    const first = months[0];
    equal(lines[1], [first.key.cohort_month, first.kpis.cases, first.kpis.recovery_rate, first.kpis.realization_rate_30d, first.kpis.realization_rate_60d,
      first.kpis.realization_rate_90d, first.kpis.avg_days_to_resolution, first.kpis.avg_days_first_contact_to_payment,
      first.kpis.first_contact_resolution_rate, first.kpis.reachability_rate].map((v) => (v === null ? "" : String(v))).join(","), "CSV first row holds the API's exact values");
  }

  // ---------------------------------------------------------- filters
  {
    const before = await signatures(page);
    const n = await renders(page);
    await page.fill("#f-from", "2024-07-01");
    await page.fill("#f-to", "2024-12-31");
    await waitRendered(page, n + 0);
    // Both ends set: the last render used the window.
    await page.waitForFunction(() => /placed 2024-07-01 to 2024-12-31/.test(document.querySelector(".as-of").textContent), null, { timeout: 10000 });
    const after = await signatures(page);
    for (const id of Object.keys(before)) check(before[id] !== after[id], "the placement window changes chart " + id);
    const windowed = await api(url, "/api/v1/kpi?by=currency&from=2024-07-01&to=2024-12-31");
    checkTiles(await readTiles(page), windowed, "placement window");
    const trendRows = await page.$$eval("#panel-trend .table-wrap tbody tr", (rows) => rows.map((r) => r.cells[0].textContent));
    equal(trendRows.join(","), "2024-07,2024-08,2024-09,2024-10,2024-11,2024-12", "trend limited to the window's months");

    const m = await renders(page);
    await page.selectOption("#f-dim", "region");
    await waitRendered(page, m);
    const head = await page.textContent("#panel-compare .table-wrap thead th");
    equal(head, "region", "the comparison follows the dimension filter");
    const byRegion = await api(url, "/api/v1/kpi?by=currency,region&from=2024-07-01&to=2024-12-31");
    const regionRows = await page.$$eval("#panel-compare .table-wrap tbody tr", (rows) => rows.length);
    equal(regionRows, byRegion.groups.filter((g) => g.key.currency === "EUR").length, "one comparison row per EUR region");

    const k = await renders(page);
    await page.fill("#f-as-of", "2025-01-31");
    await waitRendered(page, k);
    const asOf = await api(url, "/api/v1/kpi?by=currency&as_of=2025-01-31&from=2024-07-01&to=2024-12-31");
    checkTiles(await readTiles(page), asOf, "as-of filter");

    const c = await renders(page);
    await page.selectOption("#f-currency", "CHF");
    await waitRendered(page, c);
    checkTiles(await readTiles(page), asOf, "currency CHF");
    equal((await readTiles(page))[0].currency, "CHF", "tiles follow the currency selector");
  }

  // ---------------------------------------------------------- live
  {
    await page.goto(url + "/");
    await page.waitForFunction(() => document.documentElement.dataset.state === "ready", null, { timeout: 15000 });
    await page.waitForSelector(".live-on", { timeout: 5000 });
    const cases = fs.readFileSync(path.join(portfolio, "cases.csv"), "utf8").trim().split("\n");
    const header = cases[0].split(",");
    const ci = (name) => header.indexOf(name);
    // An open EUR case (lines with quoted commas are skipped).
    const row = cases.slice(1).map((l) => l.split(",")).find((r) => r.length === header.length && r[ci("currency")] === "EUR" && !r[ci("closed_on")]);
    const before = await page.textContent('.tile[data-kpi="recovery_rate"] .num');
    const n = await renders(page);
    // One large payment on the tile's case and 80 more of 100.00 on the
    // latest day: a spike of the daily payments series (an anomaly).
    const open = cases.slice(1).map((l) => l.split(",")).filter((r) => r.length === header.length && r[ci("currency")] === "EUR" && !r[ci("closed_on")]);
    let body = "payment_id,case_id,paid_on,amount,currency,method\nPBROWSER1," + row[ci("case_id")] + ",2025-06-30,25000.00,EUR,transfer\n";
    for (let i = 0; i < 80; i++) body += "PSPIKE" + i + "," + open[(i + 1) % open.length][ci("case_id")] + ",2025-06-30,100.00,EUR,transfer\n";
    const alertsBefore = await api(url, "/api/v1/alerts");
    check(!alertsBefore.alerts.some((a) => a.series === "payments" && a.until === "2025-06-30"), "no payments alert on the last day before the ingest");
    const t0 = Date.now();
    const res = await fetch(url + "/api/v1/payments", {
      method: "POST",
      headers: { Authorization: "Bearer " + TOKEN, "Content-Type": "text/csv" },
      body,
    });
    equal(res.status, 200, "the ingest is accepted");
    equal((await res.json()).accepted, 81, "81 payments accepted");
    const want = shown("pct", (await api(url, "/api/v1/kpi?by=currency")).groups.find((g) => g.key.currency === "EUR").kpis.recovery_rate);
    check(want !== before, "the payment changes the recovery rate", before + " " + row);
    let seen = true;
    try {
      await page.waitForFunction((w) => document.querySelector('.tile[data-kpi="recovery_rate"] .num').textContent === w, want, { timeout: 1000 });
    } catch (e) {
      seen = false;
    }
    const ms = Date.now() - t0;
    check(seen, "the ingest shows on the tile within a second, without reload", ms + " ms");
    check((await renders(page)) > n, "the page re-rendered from the event");
    console.log("live update: " + ms + " ms from POST to tile");
    checkTiles(await readTiles(page), await api(url, "/api/v1/kpi?by=currency"), "after the ingest");
    const alertsAfter = await api(url, "/api/v1/alerts");
    check(alertsAfter.alerts.some((a) => a.series === "payments" && a.until === "2025-06-30" && a.direction === "up"), "the spike is an alert of the API");
    let alertSeen = true;
    try {
      await page.waitForSelector('#alerts li.alert[data-series="payments"]', { timeout: 1000 });
    } catch (e) {
      alertSeen = false;
    }
    check(alertSeen, "the new alert shows in the panel live, without reload");
    await checkAlerts(page, alertsAfter, "EUR", "after the ingest");
    await page.screenshot({ path: path.join(outDir, "dashboard.png"), fullPage: true });
  }
  check(external.length === 0, "the dashboard requests nothing outside the server", external.join(" "));
  check(badResponses.length === 0, "every request of the page succeeds", badResponses.join(" "));
  check(consoleErrors.length === 0, "no console errors", consoleErrors.slice(0, 3).join(" | "));
  await context.close();

  // ---------------------------------------------------------- report
  {
    const report = path.join(outDir, "report.html");
    fs.rmSync(report, { force: true });
    execFileSync(inkasso, ["report", "--db", db, "--owners", OWNERS, "-o", report]);
    const html = fs.readFileSync(report, "utf8");
    check(!/<script[^>]*\ssrc=/.test(html), "the report loads no script file");
    const links = [...html.matchAll(/<link[^>]*href="([^"]*)"/g)].map((m) => m[1]);
    check(links.every((h) => h.startsWith("data:")), "the report links no file", links.join(" "));
    check(html.includes("default-src 'none'"), "the report carries a CSP that forbids loading anything");
    const rctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, offline: true });
    const rpage = await rctx.newPage();
    const requests = [];
    const errors = [];
    rpage.on("request", (r) => requests.push(r.url()));
    rpage.on("pageerror", (e) => errors.push(String(e)));
    await rpage.goto("file://" + path.resolve(report));
    await rpage.waitForFunction(() => document.documentElement.dataset.state === "ready", null, { timeout: 15000 });
    const want = JSON.parse(execFileSync(inkasso, ["kpi", "--db", db, "--by", "currency", "--format", "json"]).toString());
    checkTiles(await readTiles(rpage), want, "report");
    const cliAlerts = JSON.parse(execFileSync(inkasso, ["alerts", "--db", db, "--format", "json"]).toString());
    await checkAlerts(rpage, cliAlerts, "EUR", "report");
    const cliOwners = JSON.parse(execFileSync(inkasso, ["kpi", "--db", db, "--by", "currency", "--owners", OWNERS, "--format", "json"]).toString()).owners;
    const reportMissed = await rpage.$$eval("#targets table.missed tbody tr", (trs) => trs.map((tr) => tr.dataset.kpi + ": " + tr.querySelector(".who").textContent));
    equal(reportMissed.join("; "), cliOwners.filter((v) => v.status === "missed").map((v) => v.kpi + ": " + v.owner).join("; "), "the report lists the missed targets with their owners");
    check(!(await rpage.textContent("main")).includes("not available from this report"), "the report has no 'not available' note");
    const fetched = requests.filter((u) => !u.startsWith("file://") && !u.startsWith("blob:") && !u.startsWith("data:"));
    check(fetched.length === 0, "the report fetches nothing", fetched.join(" "));
    check(errors.length === 0, "the report runs without errors", errors.join(" | "));
    check(await rpage.$("#panel-curves canvas"), "the report draws the vintage curves");
    check(await rpage.isDisabled("#f-as-of"), "the report says its dates are fixed (as-of disabled)");
    const r = await renders(rpage);
    await rpage.selectOption("#f-dim", "risk_class");
    await waitRendered(rpage, r);
    equal(await rpage.textContent("#panel-compare .table-wrap thead th"), "risk_class", "the report compares by every embedded dimension");
    await rpage.screenshot({ path: path.join(outDir, "report.png"), fullPage: true });
    await rctx.close();
  }

  // ---------------------------------------------------------- no alert; a channel's alert
  // The fixtures of tests/alerts: "clean" has no anomaly, "sms_drop" one
  // of the sms response rate (docs/alerts.md), each as a report file.
  {
    const gen = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "alerts", "gen_fixture.py");
    const rctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, offline: true });
    for (const kind of ["clean", "sms_drop"]) {
      const dir = path.join(tmp, kind);
      const file = path.join(tmp, kind + ".html");
      execFileSync("python3", [gen, dir, kind]);
      execFileSync(inkasso, ["report", dir, "-o", file]);
      const want = JSON.parse(execFileSync(inkasso, ["alerts", dir, "--format", "json"]).toString());
      const rpage = await rctx.newPage();
      await rpage.goto("file://" + file);
      await rpage.waitForFunction(() => document.documentElement.dataset.state === "ready", null, { timeout: 15000 });
      const currency = await rpage.inputValue("#f-currency");
      await checkAlerts(rpage, want, currency, kind);
      const flagged = await rpage.$$eval("#panel-channels tbody tr.row-alert", (trs) => trs.map((tr) => tr.cells[0].dataset.value));
      if (kind === "clean") {
        equal(want.alerts.length, 0, "the clean fixture has no alert");
        equal(await rpage.textContent("#alerts"), "✓ No anomalies in the last 28 days to 2025-06-30 (9 daily series checked).", "no alert: said in one line");
        equal(flagged.length, 0, "no alert: no channel row flagged");
        equal((await rpage.$$(".flag")).length, 0, "no alert: no flag anywhere");
        equal(await rpage.textContent("#targets"), "No KPI owners in this report (inkasso report --owners FILE).", "a report without --owners says so");
      } else {
        equal(JSON.stringify(want.alerts.map((a) => [a.series, a.channel])), JSON.stringify([["response_rate", "sms"]]), "sms_drop: one alert, response rate of sms");
        equal(flagged.join(","), "sms", "the sms row of the channel table is flagged");
        check(await rpage.$("#panel-channels .panel-flag .flag"), "the channel chart is flagged");
        const label = await rpage.getAttribute("#panel-channels tbody tr.row-alert .flag", "aria-label");
        equal(label, "Anomaly alert: Response rate, sms down since 2025-06-26 until 2025-06-30 (3 days)", "the flag says the alert in words");
      }
      await rpage.close();
    }
    await rctx.close();
  }
} catch (e) {
  failed++;
  console.error("FAIL: " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
  server.kill("SIGTERM");
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log("browser tests took " + ((Date.now() - started) / 1000).toFixed(1) + " s; screenshot: " + path.join(outDir, "dashboard.png"));
console.log(passed + " passed, " + failed + " failed");
process.exit(failed ? 1 : 0);
