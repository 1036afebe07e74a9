// The inkasso dashboard: KPI tiles, trends, vintage curves, comparisons,
// channels and operations, from the JSON API of `inkasso serve` or from the
// data embedded in a report made by `inkasso report`.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { formatValue, formatBound, toCsv, NONE } from "./format.js";

// The focused set: the KPIs a collection manager watches (product brief).
const TILES = [
  { kpi: "recovery_rate", label: "Recovery rate", kind: "pct", note: "collected / placed" },
  { kpi: "realization_rate_30d", label: "Realization 30 days", kind: "pct", note: "paid within 30 days of placement" },
  { kpi: "realization_rate_60d", label: "Realization 60 days", kind: "pct", note: "paid within 60 days of placement" },
  { kpi: "realization_rate_90d", label: "Realization 90 days", kind: "pct", note: "paid within 90 days of placement" },
  { kpi: "avg_days_to_resolution", label: "Days to resolution", kind: "days", note: "mean, resolved cases" },
  { kpi: "avg_days_first_contact_to_payment", label: "Contact to payment", kind: "days", note: "first contact to first payment, mean" },
  { kpi: "first_contact_resolution_rate", label: "First-contact resolution", kind: "pct", note: "resolved after one contact" },
  { kpi: "reachability_rate", label: "Reachability", kind: "pct", note: "debtors reached / attempted" },
  { kpi: "cost_per_case", segment: "B2C", label: "Cost per case, B2C", kind: "money", note: "all months, per active case", ops: true },
  { kpi: "cost_per_case", segment: "B2B", label: "Cost per case, B2B", kind: "money", note: "all months, per active case", ops: true },
];
const KPI_KIND = Object.fromEntries(TILES.map((t) => [t.kpi, t.kind]));
const GROUP_KPIS = TILES.filter((t) => !t.ops);
const DIMENSIONS = [
  ["handler", "Handler (in-house vs partners)"],
  ["region", "Region"],
  ["risk_class", "Risk class"],
  ["age_bucket", "Debt age at placement"],
  ["sector", "Sector"],
  ["segment", "Segment"],
];
const OPS_KPIS = [
  ["cost_per_case", "Cost per case", "money"],
  ["cases_per_fte", "Cases per FTE", "ratio"],
  ["resolved_per_fte", "Resolved per FTE", "ratio"],
  ["automation_rate", "Automation rate", "pct"],
];
// Industry references of the product brief, used when the server has no
// /api/v1/owners yet (that route answers the same list).
const BUILTIN_BENCHMARKS = [
  { kpi: "avg_days_to_resolution", low: 30, high: 60, better: "lower", note: "industry reference: 30–60 days handling" },
  { kpi: "avg_days_first_contact_to_payment", low: 5, high: 15, better: "lower", note: "industry reference: 5–15 days (B2B longer)" },
  { kpi: "first_contact_resolution_rate", low: 0.3, high: 0.5, better: "higher", note: "industry reference: 30–50 % at first contact" },
  { kpi: "cost_per_case", scope: { segment: "B2C" }, low: 0, high: 3, better: "lower", note: "about EUR 3 acceptable in B2C" },
  { kpi: "cost_per_case", scope: { segment: "B2B" }, low: 0, high: 15, better: "lower", note: "up to EUR 15 in B2B" },
];
// Okabe–Ito: told apart with every common colour-vision deficiency.
const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C6D31"];

// ------------------------------------------------------------------ data

function readEmbedded() {
  const el = document.getElementById("ink-data");
  if (!el) return null;
  try {
    return JSON.parse(el.textContent);
  } catch (e) {
    return null;
  }
}
const EMBEDDED = readEmbedded();

function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? "?" + s : "";
}

// {ok, status, data, message}: never throws.
async function getJson(path, params) {
  try {
    const res = await fetch(path + query(params), { headers: { Accept: "application/json" } });
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok) {
      const message = data && data.error ? data.error.message : "HTTP " + res.status;
      return { ok: false, status: res.status, data: null, message };
    }
    return { ok: true, status: res.status, data };
  } catch (e) {
    return { ok: false, status: 0, data: null, message: "the server does not answer" };
  }
}

function fromEmbedded(table, key) {
  const v = EMBEDDED[table] ? EMBEDDED[table][key] : undefined;
  if (v === undefined || v === null)
    return { ok: false, status: 404, data: null, message: "not in this report" };
  return { ok: true, status: 200, data: v };
}

const source = {
  kpi(by, f) {
    if (EMBEDDED) return Promise.resolve(fromEmbedded("kpi", by));
    return getJson("/api/v1/kpi", { by, as_of: f.as_of, from: f.from, to: f.to });
  },
  curves(by, f) {
    if (EMBEDDED) return Promise.resolve(fromEmbedded("curves", by));
    return getJson("/api/v1/curves", { by, step: "7", max: "360", as_of: f.as_of, from: f.from, to: f.to });
  },
  owners(f) {
    if (EMBEDDED) return Promise.resolve(fromEmbedded("extra", "owners"));
    return getJson("/api/v1/owners", { as_of: f.as_of, from: f.from, to: f.to });
  },
  alerts(f) {
    if (EMBEDDED) return Promise.resolve(fromEmbedded("extra", "alerts"));
    return getJson("/api/v1/alerts", { as_of: f.as_of });
  },
};

// ------------------------------------------------------------------ DOM

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function select(id, label, options, value, onchange) {
  const s = h("select", { id, onchange: (e) => onchange(e.target.value) },
    options.map(([v, text]) => h("option", { value: v, selected: v === value }, text)));
  return h("label", { class: "field", for: id }, h("span", {}, label), s);
}

function keyText(v) {
  return v === null || v === undefined ? "(none)" : v;
}

// A month "2025-03" as the Unix seconds of its first day (chart x axis).
function monthSeconds(m) {
  return Date.UTC(Number(m.slice(0, 4)), Number(m.slice(5, 7)) - 1, 1) / 1000;
}

function download(name, text) {
  const blob = new Blob([text], { type: "text/csv;charset=utf-8" });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A panel: title, note, chart area, table (in a <details>) and a CSV button
// that downloads exactly the table's rows, unformatted.
function panel(id, title) {
  const note = h("p", { class: "note" });
  const controls = h("div", { class: "controls" });
  const chart = h("div", { class: "chart", role: "img" });
  const table = h("div", { class: "table-wrap" });
  const status = h("p", { class: "empty", hidden: true });
  const csvButton = h("button", { type: "button", class: "csv", "data-csv": id }, "Download CSV");
  const flagSlot = h("span", { class: "panel-flag" });
  const el = h("section", { class: "panel", id: "panel-" + id, "aria-labelledby": "h-" + id },
    h("header", {}, h("h2", { id: "h-" + id }, title, " ", flagSlot), csvButton),
    controls, note, status, chart,
    h("details", {}, h("summary", {}, "Table"), table));
  const p = { id, el, note, controls, chart, table, status, flag: flagSlot, csv: null, plot: null };
  csvButton.addEventListener("click", () => {
    if (p.csv) download("inkasso-" + id + (state.currency ? "-" + state.currency : "") + ".csv", toCsv(p.csv.columns, p.csv.rows));
  });
  return p;
}

// Fills the panel's table from columns and rows of raw values; kinds says
// how to show each column (null: as text).
function fillTable(p, columns, rows, kinds) {
  p.csv = { columns, rows };
  const thead = h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, c))));
  const tbody = h("tbody", {}, rows.map((r) =>
    h("tr", {}, r.map((v, i) => kinds[i] ? h("td", { class: "num" }, formatValue(kinds[i], v)) : h("td", { "data-value": v === null || v === undefined ? null : String(v) }, keyText(v))))));
  p.table.replaceChildren(h("table", {}, thead, tbody));
}

function showEmpty(p, message) {
  if (p.plot) {
    p.plot.destroy();
    p.plot = null;
  }
  p.chart.replaceChildren();
  p.status.hidden = !message;
  p.status.textContent = message || "";
}

function chartWidth(p) {
  return Math.max(280, p.chart.clientWidth || p.el.clientWidth - 32);
}

// Draws (or replaces) a uPlot line chart in the panel.
function lineChart(p, opts) {
  showEmpty(p, null);
  const kind = opts.kind;
  const plot = new uPlot({
    width: chartWidth(p),
    height: 240,
    scales: { x: { time: !!opts.time }, y: { range: (u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
    axes: [
      { label: opts.xLabel, stroke: "#52606d", grid: { stroke: "#e4e7eb" }, ticks: { stroke: "#cbd2d9" } },
      {
        stroke: "#52606d", grid: { stroke: "#e4e7eb" }, ticks: { stroke: "#cbd2d9" }, size: 64,
        values: (u, vals) => vals.map((v) => (kind === "pct" ? Math.round(v * 100) + " %" : v)),
      },
    ],
    series: [
      { label: opts.xName, value: opts.xValue },
      ...opts.series.map((s, i) => ({
        label: s.label,
        stroke: s.color || PALETTE[i % PALETTE.length],
        width: s.width || 2,
        points: { show: opts.points !== false, size: 5 },
        spanGaps: false,
        value: (u, v) => formatValue(kind, v),
      })),
    ],
    legend: { live: true },
  }, [opts.x, ...opts.series.map((s) => s.values)], p.chart);
  p.plot = plot;
  p.chart.setAttribute("aria-label", opts.aria);
  p.chart.dataset.points = String(opts.x.length);
  p.chart.dataset.signature = signature(opts.series.map((s) => s.values));
}

// Horizontal bars in HTML: one labelled row per group (readable with a
// screen reader, and exact values printed beside each bar).
function barChart(p, kind, items, aria) {
  showEmpty(p, null);
  const max = Math.max(0, ...items.map((it) => it.value || 0)) || 1;
  const list = h("ul", { class: "bars", "aria-label": aria },
    items.map((it, i) => {
      const bar = h("span", { class: "bar" });
      bar.style.width = it.value === null ? "0" : Math.max(0.5, (it.value / max) * 100) + "%";
      bar.style.background = PALETTE[0];
      return h("li", {}, h("span", { class: "bar-label", title: it.label }, it.label),
        h("span", { class: "bar-track" }, bar),
        h("span", { class: "bar-value" }, formatValue(kind, it.value)));
    }));
  p.chart.replaceChildren(list);
  p.chart.setAttribute("aria-label", aria);
  p.chart.dataset.points = String(items.length);
  p.chart.dataset.signature = signature([items.map((it) => it.value)]);
}

function signature(arrays) {
  return arrays.map((a) => a.map((v) => (v === null || v === undefined ? "n" : Number(v).toPrecision(6))).join(",")).join(";");
}

// ------------------------------------------------------------------ state

const state = {
  filters: { as_of: "", from: "", to: "" },
  currency: "",
  dim: "handler",
  trendKpi: "recovery_rate",
  compareKpi: "recovery_rate",
  opsKpi: "cost_per_case",
  renders: 0,
  data: {},
};

const els = {};

function groupsOf(report, currency) {
  if (!report) return [];
  return report.groups.filter((g) => g.key.currency === currency);
}

function benchmarkFor(tile, benchmarks) {
  return benchmarks.find((b) => b.kpi === tile.kpi &&
    (!b.scope || !tile.segment || b.scope.segment === tile.segment)) || null;
}

function scopeMatches(scope, tile, currency) {
  if (!scope) return true;
  return Object.entries(scope).every(([k, v]) =>
    (k === "currency" && v === currency) || (k === "segment" && v === tile.segment));
}

// How a tile's value stands: "bad" misses its owner's target, "warn" lies
// on the wrong side of its benchmark, "good" meets both, "none" has
// neither. Every level is also said in words, never by colour alone.
function judge(tile, value, bench, owner) {
  const parts = [];
  let level = "none";
  if (bench && value !== null && value !== undefined) {
    const lower = bench.better === "lower";
    const ok = lower ? value <= bench.high : value >= bench.low;
    level = ok ? "good" : "warn";
    const range = bench.low === 0 && lower ? "≤ " + formatBound(tile.kind, bench.high)
      : formatBound(tile.kind, bench.low) + "–" + formatBound(tile.kind, bench.high);
    parts.push((ok ? "Within benchmark " : lower ? "Above benchmark " : "Below benchmark ") + range);
  }
  if (owner && owner.target) {
    const t = (owner.target.op === "<=" ? "≤ " : "≥ ") + formatBound(tile.kind, owner.target.value);
    if (owner.status === "missed") {
      level = "bad";
      parts.unshift("Target " + t + " missed");
    } else if (owner.status === "met") {
      if (level === "none") level = "good";
      parts.unshift("Target " + t + " met");
    } else {
      parts.unshift("Target " + t);
    }
  }
  return { level, text: parts.join(" · ") };
}

const LEVEL_MARK = { good: "✓", warn: "!", bad: "✗", none: "" };

// ------------------------------------------------------------------ alerts

// What each alerted series (docs/alerts.md) concerns on the page: tiles
// and chart panels get a flag. Amount series are per currency: they flag
// only while their currency is shown.
const REALIZATION = ["recovery_rate", "realization_rate_30d", "realization_rate_60d", "realization_rate_90d"];
const ALERT_SERIES = {
  collected_amount: { label: "Collected amount", kind: "money", tiles: REALIZATION, panels: ["trend"] },
  payments: { label: "Payments", kind: "count", tiles: REALIZATION, panels: ["trend"] },
  placements: { label: "Placements", kind: "count", tiles: [], panels: ["trend", "curves"] },
  placed_amount: { label: "Placed amount", kind: "money", tiles: ["recovery_rate"], panels: ["trend", "curves"] },
  outbound_contacts: { label: "Outbound contacts", kind: "count", tiles: ["reachability_rate"], panels: ["channels"] },
  valid_contact_rate: { label: "Valid contact rate", kind: "pct", tiles: ["reachability_rate"], panels: ["channels"] },
  response_rate: { label: "Response rate", kind: "pct", tiles: [], panels: ["channels"] },
  resolved_cases: { label: "Resolved cases", kind: "count", tiles: ["avg_days_to_resolution", "first_contact_resolution_rate"], panels: ["trend"] },
};
const GROUPED = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 0 });

function alertInfo(a) {
  return ALERT_SERIES[a.series] || { label: String(a.series), kind: "count", tiles: [], panels: [] };
}

// "Collected amount, EUR", "Response rate, sms", "Payments".
function alertName(a) {
  const extra = a.currency || a.channel;
  return alertInfo(a).label + (extra ? ", " + extra : "");
}

function alertNumber(a, v) {
  if (v === null || v === undefined) return NONE;
  const kind = alertInfo(a).kind;
  if (kind === "pct") return formatValue("pct", v);
  if (kind === "money") return GROUPED.format(v) + (a.currency ? " " + a.currency : "");
  return GROUPED.format(Number.isInteger(v) ? v : Math.round(v * 10) / 10);
}

function signed(text, v) {
  return (v > 0 ? "+" : "") + text;
}

// One line for a flag's label: "Payments down since 2025-06-24 (6 days)".
function alertText(a) {
  const span = a.since === a.until ? "on " + a.since : "since " + a.since + " until " + a.until;
  return alertName(a) + " " + (a.direction === "down" ? "down" : "up") + " " + span +
    " (" + a.days + (a.days === 1 ? " day" : " days") + ")";
}

// The alerts a tile or panel shows a flag for, in the shown currency.
function alertsFor(alerts, where, id) {
  return alerts.filter((a) => alertInfo(a)[where].includes(id) && (!a.currency || a.currency === state.currency));
}

function flag(list) {
  if (!list.length) return null;
  const text = list.map(alertText).join("; ");
  return h("a", {
    class: "flag", href: "#alert-" + list[0].index, title: text,
    "aria-label": "Anomaly alert: " + text, "data-series": list.map((a) => a.series).join(" "),
  }, "⚑ alert");
}

function alertList(result) {
  if (!result || !result.ok || !result.data) return [];
  const d = result.data;
  const list = Array.isArray(d) ? d : Array.isArray(d.alerts) ? d.alerts : [];
  return list.map((a, index) => ({ ...a, index }));
}

function driverText(dim) {
  const d = dim.drivers[0];
  return dim.dimension + "=" + keyText(d.value) + " explains " + Math.round(d.share * 100) + " %";
}

function alertItem(a) {
  const up = a.direction !== "down";
  const pct = a.change_pct === null || a.change_pct === undefined ? "" : " (" + signed((a.change_pct * 100).toFixed(1) + " %", a.change_pct) + ")";
  const drivers = (a.drilldown || []).filter((d) => d.drivers && d.drivers.length);
  const all = drivers.map((dim) => dim.dimension + ": " + dim.drivers.map((d) => keyText(d.value) + " " + Math.round(d.share * 100) + " %").join(", ")).join("; ");
  return h("li", {
    class: "alert alert-" + (up ? "up" : "down"), id: "alert-" + a.index,
    "data-series": a.series, "data-currency": a.currency || null, "data-channel": a.channel || null,
  },
    h("p", { class: "alert-head" },
      h("span", { class: "dir", "aria-hidden": "true" }, up ? "▲" : "▼"), " ",
      h("strong", { class: "alert-series" }, alertName(a)), " ", up ? "up" : "down", " ",
      a.since === a.until ? "on " + a.since : "since " + a.since + " until " + a.until,
      " · " + a.days + (a.days === 1 ? " anomalous day" : " anomalous days")),
    h("p", { class: "alert-numbers" },
      "observed " + alertNumber(a, a.observed) + " vs expected " + alertNumber(a, a.expected) + ": " +
      signed(alertNumber(a, a.change), a.change) + pct),
    drivers.length ? h("p", { class: "alert-drivers", title: all }, "Drivers: " + drivers.map(driverText).join(" · ")) : null);
}

function renderAlerts(result) {
  const list = alertList(result);
  if (!result || !result.ok) {
    els.alerts.className = "alerts alerts-off";
    els.alerts.replaceChildren(h("p", {}, "Anomaly alerts: not available from this " + (EMBEDDED ? "report" : "server") + "."));
    return;
  }
  const d = result.data || {};
  const where = "the last " + (d.days || 28) + " days" + (d.as_of ? " to " + d.as_of : "") +
    (d.series_checked !== undefined ? " (" + d.series_checked + " daily series checked)" : "");
  if (!list.length) {
    els.alerts.className = "alerts alerts-none";
    els.alerts.dataset.count = "0";
    els.alerts.replaceChildren(h("p", {}, h("span", { "aria-hidden": "true" }, "✓ "), "No anomalies in " + where + "."));
    return;
  }
  els.alerts.className = "alerts alerts-on";
  els.alerts.dataset.count = String(list.length);
  const shown = 4;
  const items = list.map(alertItem);
  els.alerts.replaceChildren(
    h("h2", {}, h("span", { "aria-hidden": "true" }, "⚑ "), list.length + (list.length === 1 ? " anomaly" : " anomalies") + " in " + where),
    h("ul", {}, items.slice(0, shown)),
    items.length > shown ? h("details", {}, h("summary", {}, (items.length - shown) + " more"), h("ul", {}, items.slice(shown))) : null,
    h("p", { class: "note" }, "A day's value against the same weekday of the weeks before (docs/alerts.md). ⚑ marks the figures concerned."));
}

// ------------------------------------------------------------------ owners

const OWNER_KIND = { rate: "pct", days: "days", money: "money", count: "count", number: "ratio" };

function kpiLabel(kpi) {
  const t = TILES.find((x) => x.kpi === kpi);
  if (t && !t.segment) return t.label;
  if (kpi === "cost_per_case") return "Cost per case";
  const s = kpi.replace(/_/g, " ").replace(/\./g, ", ");
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function scopeText(v) {
  const parts = v.scope ? Object.entries(v.scope).map(([k, x]) => k + "=" + x) : [];
  if (v.period) parts.push(v.period);
  return parts.length ? parts.join(" ") : "all cases";
}

function verdictValue(v) {
  const text = formatValue(OWNER_KIND[v.unit] || "ratio", v.value);
  return v.unit === "money" && v.currency && v.value !== null ? text + " " + v.currency : text;
}

function targetText(v, kind) {
  return (v.target.op === "<=" ? "≤ " : "≥ ") + formatBound(kind, v.target.value);
}

function renderTargets(owners) {
  const list = owners && owners.owners ? owners.owners : [];
  if (!owners) {
    els.targets.replaceChildren(h("p", { class: "note" }, "KPI owners: not available; benchmarks are the product's industry references."));
    return;
  }
  if (!list.length) {
    els.targets.replaceChildren(h("p", { class: "note" }, EMBEDDED
      ? "No KPI owners in this report (inkasso report --owners FILE)."
      : "No KPI owners configured (inkasso serve --owners FILE)."));
    return;
  }
  const missed = list.filter((v) => v.status === "missed");
  const met = list.filter((v) => v.status === "met").length;
  const none = list.length - missed.length - met;
  const summary = missed.length + " of " + list.length + " targets missed · " + met + " met" + (none ? " · " + none + " without a value" : "");
  if (!missed.length) {
    els.targets.replaceChildren(h("p", { class: "targets-ok" }, h("span", { "aria-hidden": "true" }, "✓ "), "Every target is met (" + summary + ")."));
    return;
  }
  const rows = missed.map((v) => h("tr", { "data-kpi": v.kpi },
    h("th", { scope: "row" }, h("span", { class: "mark", "aria-hidden": "true" }, "✗ "), kpiLabel(v.kpi)),
    h("td", {}, scopeText(v)),
    h("td", { class: "num" }, verdictValue(v)),
    h("td", { class: "num" }, targetText(v, OWNER_KIND[v.unit] || "ratio")),
    h("td", { class: "who" }, v.owner),
    h("td", { class: "what" }, v.action)));
  els.targets.replaceChildren(
    h("h2", { id: "h-targets" }, "Missed targets"),
    h("p", { class: "note" }, summary + " (as of " + owners.as_of + ")."),
    h("div", { class: "table-wrap" }, h("table", { class: "missed", "aria-labelledby": "h-targets" },
      h("thead", {}, h("tr", {}, ["KPI", "scope", "value", "target", "owner", "action"].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows))));
}

function renderTiles(kpiReport, owners, alerts) {
  const group = groupsOf(kpiReport, state.currency)[0];
  const ops = kpiReport ? kpiReport.operations || [] : [];
  const benchmarks = owners && owners.benchmarks && owners.benchmarks.length ? owners.benchmarks : BUILTIN_BENCHMARKS;
  const ownerList = owners && owners.owners ? owners.owners : [];
  const tiles = TILES.map((t) => {
    let value = null;
    if (t.ops) {
      const entry = ops.find((o) => o.period === "total" && o.segment === t.segment);
      value = entry ? entry[t.kpi] : null;
    } else if (group) {
      value = group.kpis[t.kpi];
    }
    const owner = ownerList.find((o) => o.kpi === t.kpi && scopeMatches(o.scope, t, state.currency)) || null;
    const verdict = judge(t, value, benchmarkFor(t, benchmarks), owner);
    // A verdict judged on other cases than the tile shows (all currencies,
    // or the latest complete month of costs.csv) says on what.
    const judgedOn = owner && owner.value !== null && (owner.period || owner.value !== value)
      ? " (judged on " + scopeText(owner) + ": " + verdictValue(owner) + ")" : "";
    return h("article", {
      class: "tile tile-" + verdict.level, "data-kpi": t.kpi, "data-segment": t.segment || null,
      "data-currency": t.ops ? null : state.currency, "data-level": verdict.level,
      "data-status": owner ? owner.status : null,
    },
      h("h3", {}, t.label, flag(alertsFor(alerts, "tiles", t.kpi))),
      h("p", { class: "value" }, h("span", { class: "num" }, formatValue(t.kind, value)),
        !t.ops && t.kind === "pct" && t.kpi.startsWith("re") && t.kpi !== "reachability_rate" ? h("span", { class: "unit" }, " " + state.currency) : null),
      h("p", { class: "sub" }, t.note),
      verdict.text ? h("p", { class: "verdict" }, h("span", { class: "mark", "aria-hidden": "true" }, LEVEL_MARK[verdict.level]), " ", verdict.text + judgedOn) : null,
      owner ? h("p", { class: "owner" }, "Owner: ", h("strong", {}, owner.owner)) : null,
      owner && owner.status === "missed" && owner.action ? h("p", { class: "action" }, "Action: " + owner.action) : null);
  });
  els.tiles.replaceChildren(...tiles);
}

// Flags on the chart panels and on the channel rows the alerts concern.
function flagPanels(alerts) {
  for (const p of [els.trend, els.curves, els.compare, els.channels, els.ops]) {
    const f = flag(alertsFor(alerts, "panels", p.id));
    p.flag.replaceChildren(...(f ? [f] : []));
  }
  for (const row of els.channels.table.querySelectorAll("tbody tr")) {
    const channel = row.cells[0].dataset.value;
    const f = flag(alerts.filter((a) => a.series === "response_rate" && a.channel === channel));
    if (f) {
      row.classList.add("row-alert");
      row.cells[0].append(" ", f);
    }
  }
}

function renderTrend(p, report) {
  const groups = groupsOf(report, state.currency).filter((g) => g.key.cohort_month);
  const kind = KPI_KIND[state.trendKpi];
  fillTable(p, ["cohort_month", "cases", ...GROUP_KPIS.map((t) => t.kpi)],
    groups.map((g) => [g.key.cohort_month, g.kpis.cases, ...GROUP_KPIS.map((t) => g.kpis[t.kpi])]),
    [null, "count", ...GROUP_KPIS.map((t) => t.kind)]);
  if (!groups.length) return showEmpty(p, "No cases placed in " + state.currency + " in this window.");
  const label = TILES.find((t) => t.kpi === state.trendKpi).label;
  lineChart(p, {
    kind, time: true, xName: "placed in", xLabel: "placement month (cohort_month)",
    xValue: (u, v) => (v === null ? NONE : new Date(v * 1000).toISOString().slice(0, 7)),
    x: groups.map((g) => monthSeconds(g.key.cohort_month)),
    series: [{ label: label + " (" + state.currency + ")", values: groups.map((g) => g.kpis[state.trendKpi]) }],
    aria: label + " by placement month, " + state.currency,
  });
}

function renderCurves(p, result) {
  const curves = result && result.ok ? result.data.curves.filter((c) => c.key.currency === state.currency) : [];
  const rows = [];
  for (const c of curves) for (const pt of c.points) rows.push([c.key.cohort_month, pt.day, pt.eligible_cases, pt.realization_rate]);
  fillTable(p, ["cohort_month", "day", "eligible_cases", "realization_rate"], rows, [null, "count", "count", "pct"]);
  if (!result || !result.ok) return showEmpty(p, "Curves unavailable: " + (result ? result.message : ""));
  if (!curves.length) return showEmpty(p, "No cohorts in " + state.currency + ".");
  const shown = curves.slice(-12);
  const days = [...new Set(shown.flatMap((c) => c.points.map((pt) => pt.day)))].sort((a, b) => a - b);
  // Older cohorts lighter, the newest darkest: one hue, read in order.
  const series = shown.map((c, i) => {
    const byDay = new Map(c.points.map((pt) => [pt.day, pt.realization_rate]));
    const t = shown.length > 1 ? i / (shown.length - 1) : 1;
    return {
      label: c.key.cohort_month,
      color: "hsl(208, 70%, " + Math.round(78 - t * 52) + "%)",
      width: i === shown.length - 1 ? 2.5 : 1.5,
      values: days.map((d) => (byDay.has(d) ? byDay.get(d) : null)),
    };
  });
  lineChart(p, {
    kind: "pct", xName: "day", xLabel: "days since placement", points: false,
    xValue: (u, v) => (v === null ? NONE : "day " + v),
    x: days, series, aria: "Realization by days since placement for the latest " + shown.length + " cohorts, " + state.currency,
  });
}

function renderCompare(p, report, result) {
  const groups = groupsOf(report, state.currency);
  const dimName = state.dim;
  const kind = KPI_KIND[state.compareKpi];
  fillTable(p, [dimName, "cases", ...GROUP_KPIS.map((t) => t.kpi)],
    groups.map((g) => [g.key[dimName], g.kpis.cases, ...GROUP_KPIS.map((t) => g.kpis[t.kpi])]),
    [null, "count", ...GROUP_KPIS.map((t) => t.kind)]);
  if (!result || !result.ok) return showEmpty(p, "Comparison unavailable: " + (result ? result.message : ""));
  if (!groups.length) return showEmpty(p, "No cases in " + state.currency + ".");
  barChart(p, kind, groups.map((g) => ({ label: keyText(g.key[dimName]) + " (" + g.kpis.cases + ")", value: g.kpis[state.compareKpi] })),
    TILES.find((t) => t.kpi === state.compareKpi).label + " by " + dimName + ", " + state.currency);
}

function renderChannels(p, report) {
  const group = groupsOf(report, state.currency)[0];
  const rates = group && group.kpis.response_rate ? Object.entries(group.kpis.response_rate) : [];
  fillTable(p, ["channel", "response_rate"], rates, [null, "pct"]);
  if (!rates.length) return showEmpty(p, "No outbound contacts in " + state.currency + ".");
  barChart(p, "pct", rates.map(([c, v]) => ({ label: c, value: v })), "Response rate per channel, " + state.currency);
}

function renderOps(p, report) {
  const ops = report ? report.operations || [] : [];
  const cols = ["period", "segment", "active_cases", "resolved_in_period", "fte", "cost", "cost_per_case", "cases_per_fte", "resolved_per_fte", "automation_rate"];
  fillTable(p, cols, ops.map((o) => cols.map((c) => o[c])),
    [null, null, "count", "count", null, "money", "money", "ratio", "ratio", "pct"]);
  const monthly = ops.filter((o) => o.period !== "total");
  if (!monthly.length) return showEmpty(p, "No costs.csv in this portfolio: operations KPIs need it.");
  const months = [...new Set(monthly.map((o) => o.period))].sort();
  const segments = [...new Set(monthly.map((o) => o.segment))].sort();
  const [key, label, kind] = OPS_KPIS.find((k) => k[0] === state.opsKpi);
  lineChart(p, {
    kind, time: true, xName: "month", xLabel: "month (costs.csv)",
    xValue: (u, v) => (v === null ? NONE : new Date(v * 1000).toISOString().slice(0, 7)),
    x: months.map(monthSeconds),
    series: segments.map((s) => ({
      label: label + ", " + keyText(s),
      values: months.map((m) => {
        const o = monthly.find((e) => e.period === m && e.segment === s);
        return o ? o[key] : null;
      }),
    })),
    aria: label + " per month and segment",
  });
}

// ------------------------------------------------------------------ flow

let loading = null;
let again = false;

// Fetches everything for the current filters and draws it; a call made
// while one runs makes one more pass after it.
async function refresh() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    do {
      again = false;
      await loadAndRender();
    } while (again);
  })();
  try {
    await loading;
  } finally {
    loading = null;
  }
}

async function loadAndRender() {
  const f = { ...state.filters };
  if (!(f.from && f.to)) {
    f.from = "";
    f.to = "";
  }
  document.documentElement.dataset.state = "loading";
  const [base, trend, compare, curves, owners, alerts] = await Promise.all([
    source.kpi("currency", f),
    source.kpi("currency,cohort_month", f),
    source.kpi("currency," + state.dim, f),
    source.curves("currency,cohort_month", f),
    source.owners(f),
    source.alerts(f),
  ]);
  if (!base.ok) {
    els.error.hidden = false;
    els.error.textContent = "Cannot load the KPIs: " + base.message;
    document.documentElement.dataset.state = "error";
    return;
  }
  els.error.hidden = true;
  const report = base.data;
  const currencies = report.groups.map((g) => g.key.currency).filter(Boolean);
  if (!currencies.includes(state.currency)) {
    // The currency with the most cases: money is never added across them.
    const top = report.groups.slice().sort((a, b) => b.kpis.cases - a.kpis.cases)[0];
    state.currency = top ? top.key.currency : "";
  }
  const sel = document.getElementById("f-currency");
  sel.replaceChildren(...currencies.map((c) => h("option", { value: c, selected: c === state.currency }, c)));
  els.asOf.textContent = "Data as of " + report.as_of +
    (f.from ? " · placed " + f.from + " to " + f.to : " · all placements");
  const alertItems = alertList(alerts);
  renderTiles(report, owners.ok ? owners.data : null, alertItems);
  renderAlerts(alerts);
  renderTargets(owners.ok ? owners.data : null);
  renderTrend(els.trend, trend.ok ? trend.data : null);
  renderCurves(els.curves, curves);
  renderCompare(els.compare, compare.ok ? compare.data : null, compare);
  renderChannels(els.channels, report);
  renderOps(els.ops, report);
  flagPanels(alertItems);
  state.renders += 1;
  document.documentElement.dataset.renders = String(state.renders);
  document.documentElement.dataset.asOf = report.as_of;
  document.documentElement.dataset.state = "ready";
}

function dateField(id, label, key) {
  const input = h("input", { type: "date", id, value: state.filters[key] || null, disabled: !!EMBEDDED });
  input.addEventListener("change", () => {
    state.filters[key] = input.value;
    if ((key === "from" || key === "to") && !!state.filters.from !== !!state.filters.to) {
      els.hint.textContent = "Set both ends of the placement window.";
      return;
    }
    els.hint.textContent = "";
    refresh();
  });
  return h("label", { class: "field", for: id }, h("span", {}, label), input);
}

function connectLive() {
  if (EMBEDDED) {
    els.live.className = "live live-off";
    els.live.textContent = "Report · generated " + (EMBEDDED.generated || "");
    return;
  }
  if (!window.EventSource) return;
  const es = new EventSource("/api/v1/events");
  es.addEventListener("open", () => {
    els.live.className = "live live-on";
    els.live.textContent = "● Live";
  });
  es.addEventListener("error", () => {
    els.live.className = "live live-off";
    els.live.textContent = "○ Reconnecting…";
  });
  es.addEventListener("ingest", () => {
    els.updated.textContent = "updated " + new Date().toLocaleTimeString();
    refresh();
  });
}

function build() {
  const app = document.getElementById("app");
  if (EMBEDDED && EMBEDDED.params) Object.assign(state.filters, EMBEDDED.params);
  els.asOf = h("span", { class: "as-of" });
  els.live = h("span", { class: "live live-off", role: "status" }, "○ Connecting…");
  els.updated = h("span", { class: "updated" });
  els.error = h("p", { class: "error", role: "alert", hidden: true });
  els.hint = h("span", { class: "hint", role: "status" });
  els.tiles = h("div", { class: "tiles", "aria-label": "Key figures" });
  els.alerts = h("section", { class: "alerts", id: "alerts", "aria-label": "Anomaly alerts", "aria-live": "polite" });
  els.targets = h("section", { class: "targets", id: "targets", "aria-label": "Missed targets" });
  els.trend = panel("trend", "Monthly trend by placement month");
  els.curves = panel("curves", "Vintage curves");
  els.compare = panel("compare", "Comparison");
  els.channels = panel("channels", "Response rate per channel");
  els.ops = panel("operations", "Operations");

  const kpiOptions = GROUP_KPIS.map((t) => [t.kpi, t.label]);
  els.trend.controls.append(select("f-trend-kpi", "KPI", kpiOptions, state.trendKpi, (v) => { state.trendKpi = v; rerender(); }));
  els.trend.note.textContent = "Cases grouped by the month they were placed (cohort_month), measured as of the report date: recent cohorts have had less time to pay.";
  els.curves.note.textContent = "Cumulative realization by days since placement, per placement month (latest 12 drawn, darker is newer; all in the table).";
  els.compare.controls.append(
    select("f-dim", "Compare by", DIMENSIONS, state.dim, (v) => { state.dim = v; refresh(); }),
    select("f-compare-kpi", "KPI", kpiOptions, state.compareKpi, (v) => { state.compareKpi = v; rerender(); }));
  els.compare.note.textContent = "Number of cases in brackets.";
  els.channels.note.textContent = "Responded / valid outbound contacts per channel. Phone answers most but costs most.";
  els.ops.controls.append(select("f-ops-kpi", "KPI", OPS_KPIS.map((k) => [k[0], k[1]]), state.opsKpi, (v) => { state.opsKpi = v; rerender(); }));
  els.ops.note.textContent = "Per month of costs.csv and segment; judge cost together with recovery.";

  const filters = h("form", { class: "filters", "aria-label": "Filters", onsubmit: (e) => e.preventDefault() },
    dateField("f-as-of", "As of", "as_of"),
    dateField("f-from", "Placed from", "from"),
    dateField("f-to", "Placed to", "to"),
    h("label", { class: "field", for: "f-currency" }, h("span", {}, "Currency"),
      h("select", { id: "f-currency", onchange: (e) => { state.currency = e.target.value; rerender(); } })),
    els.hint);
  const reportNote = EMBEDDED
    ? h("p", { class: "report-note" }, "This is a report file: as-of and placement window are fixed at what it was made with, and so are its alerts and targets; currency, comparison and KPI choices work. Open the dashboard of inkasso serve for other dates.")
    : null;

  app.replaceChildren(
    h("header", { class: "top" },
      h("div", { class: "brand" }, h("h1", {}, "inkasso"), h("span", { class: "subtitle" }, "Collections dashboard")),
      h("div", { class: "meta" }, els.asOf, els.updated, els.live)),
    h("main", {},
      filters, reportNote, els.error, els.alerts,
      h("h2", { class: "section" }, "Key figures"), els.tiles, els.targets,
      h("div", { class: "grid" }, els.trend.el, els.curves.el, els.compare.el, els.channels.el),
      els.ops.el),
    h("footer", {}, "Definitions: docs/kpi.md, docs/alerts.md, docs/owners.md · Marks: ✓ meets target and benchmark, ! outside benchmark, ✗ target missed, ⚑ anomaly alert."));
  new ResizeObserver(() => {
    for (const p of [els.trend, els.curves, els.ops])
      if (p.plot) p.plot.setSize({ width: chartWidth(p), height: 240 });
  }).observe(document.querySelector("main"));
}

// Redraws from the data already fetched when only a view choice changed
// (currency, KPI selectors): re-fetching is not needed, but cheap.
function rerender() {
  refresh();
}

build();
connectLive();
refresh();
