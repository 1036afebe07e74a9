// How the dashboard shows numbers, in one place (the browser tests apply
// the same rules to the API's values and compare the text).

export const KINDS = {
  pct: (v) => (v * 100).toFixed(1) + " %",
  days: (v) => v.toFixed(1) + " d",
  money: (v) => v.toFixed(2),
  count: (v) => String(Math.round(v)),
  ratio: (v) => v.toFixed(1),
};

export const NONE = "–";

export function formatValue(kind, v) {
  if (v === null || v === undefined || Number.isNaN(v)) return NONE;
  return KINDS[kind](v);
}

// A benchmark or target bound in the unit of its KPI ("30 %", "60 d").
export function formatBound(kind, v) {
  if (kind === "pct") return Math.round(v * 1000) / 10 + " %";
  if (kind === "days") return v + " d";
  return String(v);
}

// One CSV field (RFC 4180): quoted when it holds a comma, quote or newline.
export function csvField(v) {
  if (v === null || v === undefined) return "";
  const s = String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

export function toCsv(columns, rows) {
  const lines = [columns.map(csvField).join(",")];
  for (const r of rows) lines.push(r.map(csvField).join(","));
  return lines.join("\r\n") + "\r\n";
}
