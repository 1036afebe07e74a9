#!/usr/bin/env node
// DuckDB side of bench/kpi.sh: the KPI set of spec/kpi.md as SQL (see
// kpi_sql.mjs), run on a portfolio folder of CSV files, printed as the JSON
// of a KPI report (as_of, by, windows, groups, total; no operations) so that
// it can be compared with `inkasso kpi DIR --by ... --format json`.
// Benchmark only: never a test or CI dependency.
//
// usage: node bench/kpi/duckdb_kpi.mjs DIR [--by d1,d2,...] [--windows 30,60,90]
//            [--threads N (default 2)] [--print-sql] [--profile FILE]
//
// stdout: the report (JSON). stderr: elapsed time (query, and whole run).
// --profile FILE writes DuckDB's JSON query profile (operator timings) to FILE
// and a short summary of where the time went to stderr.

import { performance } from 'node:perf_hooks';
import { writeSync } from 'node:fs';

const t0 = performance.now();
const { DuckDBInstance } = await import('@duckdb/node-api');
const { buildSql, sqlString } = await import('./kpi_sql.mjs');

function usage(msg) {
    if (msg) process.stderr.write(`duckdb_kpi: ${msg}\n`);
    process.stderr.write('usage: node duckdb_kpi.mjs DIR [--by d1,d2,...] [--windows 30,60,90] ' +
        '[--threads N] [--print-sql] [--profile FILE]\n');
    process.exit(2);
}

let dir = null;
let by = [];
let windows = [30, 60, 90];
let threads = 2;
let printSql = false;
let profile = null;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const val = () => (i + 1 < args.length ? args[++i] : usage(`${a} needs a value`));
    if (a === '--by') by = val().split(',').filter((s) => s !== '');
    else if (a === '--windows') windows = val().split(',').map((s) => {
        if (!/^[0-9]+$/.test(s)) usage(`bad window ${s}`);
        return Number(s);
    });
    else if (a === '--threads') threads = Number(val());
    else if (a === '--print-sql') printSql = true;
    else if (a === '--profile') profile = val();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (dir === null) dir = a;
    else usage('one DIR only');
}
if (dir === null) usage();

let sql;
try {
    sql = buildSql(dir, by, windows);
} catch (e) {
    process.stderr.write(`duckdb_kpi: ${e.message}\n`);
    process.exit(2);
}
if (printSql) {
    process.stdout.write(sql);
    process.exit(0);
}

const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
const con = await instance.connect();
await con.run(`SET threads = ${threads}`);
if (profile) {
    await con.run(`PRAGMA enable_profiling = 'json'`);
    await con.run(`SET profiling_mode = 'detailed'`);
    await con.run(`SET profiling_output = ${sqlString(profile)}`);
}
const t1 = performance.now();
let rows;
try {
    const reader = await con.runAndReadAll(sql);
    rows = reader.getRowObjectsJS();
} catch (e) {
    process.stderr.write(`duckdb_kpi: ${e.message}\n`);
    process.exit(/mixes currencies/.test(e.message) ? 3 : 1);
}
const t2 = performance.now();

// JSON with amounts as exact decimals (they come as strings from the SQL)
// and counts as integers (BigInt).
const AMOUNTS = new Set(['placed_amount', 'collected_amount']);
function num(v) {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    return JSON.stringify(v);
}
function kpis(r) {
    const out = [];
    for (const [k, v] of Object.entries(r)) {
        if (k === 'gid' || k === 'as_of' || k === 'currency_check' || /^k[0-9]+$/.test(k)) continue;
        if (k === 'response_rate') {
            out.push(`"response_rate": {${v.map((e) => `${JSON.stringify(e.channel)}: ${num(e.rate)}`).join(', ')}}`);
        } else if (AMOUNTS.has(k)) {
            out.push(`"${k}": ${v === null ? 'null' : v.replace(/(\.[0-9]*?)0+$/, '$1').replace(/\.$/, '')}`);
        } else {
            out.push(`"${k}": ${num(v)}`);
        }
    }
    return `{${out.join(', ')}}`;
}

const total = rows.find((r) => Number(r.gid) !== 0 || by.length === 0);
const groups = by.length ? rows.filter((r) => Number(r.gid) === 0) : [];
const asOf = total ? total.as_of : null;
const parts = [];
parts.push(`{"as_of": ${JSON.stringify(asOf)}, "by": ${JSON.stringify(by)}, "windows": ${JSON.stringify(windows)},`);
parts.push(' "groups": [');
groups.forEach((r, i) => {
    const key = `{${by.map((d, j) => `${JSON.stringify(d)}: ${JSON.stringify(r[`k${j}`])}`).join(', ')}}`;
    parts.push(`${i ? ',' : ''}\n  {"key": ${key}, "kpis": ${kpis(r)}}`);
});
parts.push('\n ],\n');
parts.push(` "total": {"kpis": ${total ? kpis(total) : '{}'}}\n}\n`);
const text = parts.join('');
for (let off = 0, buf = Buffer.from(text); off < buf.length;) off += writeSync(1, buf, off);
const t3 = performance.now();

const s = (ms) => (ms / 1000).toFixed(3);
process.stderr.write(`duckdb: query ${s(t2 - t1)} s, start ${s(t1 - t0)} s, output ${s(t3 - t2)} s, ` +
    `total ${s(t3 - t0)} s; threads ${threads}, ${groups.length} groups\n`);

if (profile) {
    const { readFileSync } = await import('node:fs');
    const p = JSON.parse(readFileSync(profile, 'utf8'));
    // Operator timings are CPU seconds summed over threads, per operator.
    const ops = [];
    const walk = (n) => {
        const name = n.operator_name ?? n.operator_type ?? n.name;
        const t = n.operator_timing ?? n.timing ?? 0;
        const extra = n.extra_info ?? {};
        let what = extra.Function ?? extra.Table ?? extra.Groups ?? extra.Join_Type ?? '';
        if (typeof what !== 'string') what = JSON.stringify(what);
        if (name) ops.push({ name: name.trim(), t, rows: n.operator_cardinality ?? n.cardinality ?? 0, what });
        for (const c of n.children ?? []) walk(c);
    };
    walk(p);
    const sum = ops.reduce((a, o) => a + o.t, 0);
    process.stderr.write(`profile: ${sum.toFixed(3)} s of operator time (summed over threads), ` +
        `latency ${(p.latency ?? p.timing ?? 0).toFixed?.(3)} s\n`);
    ops.sort((a, b) => b.t - a.t);
    for (const o of ops.slice(0, 15)) {
        process.stderr.write(`  ${o.t.toFixed(3)} s  ${o.name.padEnd(22)} ${String(o.rows).padStart(9)} rows  ` +
            `${String(o.what).replace(/\s+/g, ' ').slice(0, 70)}\n`);
    }
}
