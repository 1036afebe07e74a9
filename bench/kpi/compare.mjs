#!/usr/bin/env node
// Compare two KPI reports (JSON of spec/kpi.md): groups matched by key, then
// the total. Prints one line per mismatch and a summary; exit 1 on any.
//
// usage: node bench/kpi/compare.mjs A.json B.json [--kpis k1,k2,...] [--rel 1e-9]
//   --kpis  only these KPI keys (default: every key of either side)
//   --rel   relative tolerance for non-integer numbers (default 1e-9);
//           integers and amounts (exact decimals) must match exactly
//
// Amounts are compared as decimal strings taken from the raw JSON text, so
// that no binary rounding hides a difference.

import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const files = [];
let only = null;
let rel = 1e-9;
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--kpis') only = args[++i].split(',');
    else if (args[i] === '--rel') rel = Number(args[++i]);
    else files.push(args[i]);
}
if (files.length !== 2) {
    process.stderr.write('usage: compare.mjs A.json B.json [--kpis k1,k2] [--rel 1e-9]\n');
    process.exit(2);
}

// Numbers are tagged with their source text before JSON.parse (Node 20's
// JSON.parse reviver has no access to the source).
function load(path) {
    const text = readFileSync(path, 'utf8');
    const tagged = text.replace(/("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g,
        (m, str, num) => (str !== undefined ? str : `{"$n":"${num}"}`));
    return JSON.parse(tagged);
}
const isNum = (v) => v !== null && typeof v === 'object' && '$n' in v;

function canonDecimal(s) {
    if (/[eE]/.test(s)) return String(Number(s));
    let [i, f = ''] = s.split('.');
    f = f.replace(/0+$/, '');
    const neg = i.startsWith('-');
    i = i.replace(/^-/, '').replace(/^0+(?=\d)/, '');
    const out = f ? `${i}.${f}` : i;
    return neg && out !== '0' ? `-${out}` : out;
}

const AMOUNTS = new Set(['placed_amount', 'collected_amount']);
let mismatches = 0;
let compared = 0;
function diff(where, key, a, b) {
    mismatches++;
    const show = (v) => (v === undefined ? '(missing)' : isNum(v) ? v.$n : JSON.stringify(unwrap(v)));
    console.log(`diff ${where} ${key}: ${show(a)} vs ${show(b)}`);
}
function unwrap(v) {
    if (isNum(v)) return Number(v.$n);
    if (Array.isArray(v)) return v.map(unwrap);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]));
    return v;
}
function same(key, a, b) {
    if (isNum(a) && isNum(b)) {
        const sa = canonDecimal(a.$n);
        const sb = canonDecimal(b.$n);
        if (sa === sb) return true;
        if (AMOUNTS.has(key)) return false;
        const x = Number(a.$n);
        const y = Number(b.$n);
        if (Number.isInteger(x) && Number.isInteger(y) && !/[.eE]/.test(a.$n + b.$n)) return x === y;
        return Math.abs(x - y) <= rel * Math.max(Math.abs(x), Math.abs(y));
    }
    if (a && b && typeof a === 'object' && typeof b === 'object' && !isNum(a) && !isNum(b)) {
        const ks = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const k of ks) if (!same(key, a[k], b[k])) return false;
        return true;
    }
    return JSON.stringify(a) === JSON.stringify(b);
}
function compareKpis(where, a, b) {
    const keys = only ?? [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
        compared++;
        if (!same(k, a[k], b[k])) diff(where, k, a[k], b[k]);
    }
}

const A = load(files[0]);
const B = load(files[1]);
const keyOf = (g) => JSON.stringify(unwrap(g.key));
const ga = new Map(A.groups.map((g) => [keyOf(g), g]));
const gb = new Map(B.groups.map((g) => [keyOf(g), g]));
if (JSON.stringify(unwrap(A.as_of)) !== JSON.stringify(unwrap(B.as_of))) diff('report', 'as_of', A.as_of, B.as_of);
const orderA = A.groups.map(keyOf).filter((k) => gb.has(k));
const orderB = B.groups.map(keyOf).filter((k) => ga.has(k));
if (orderA.join('\n') !== orderB.join('\n')) diff('report', 'group order', 'A', 'B');
for (const [k, g] of ga) {
    if (!gb.has(k)) diff(`group ${k}`, '(group)', 'present', undefined);
    else compareKpis(`group ${k}`, g.kpis, gb.get(k).kpis);
}
for (const k of gb.keys()) if (!ga.has(k)) diff(`group ${k}`, '(group)', undefined, 'present');
compareKpis('total', A.total.kpis, B.total.kpis);
console.log(`${mismatches ? 'MISMATCH' : 'match'}: ${A.groups.length} vs ${B.groups.length} groups, ` +
    `${compared} values compared, ${mismatches} differ`);
process.exit(mismatches ? 1 : 0);
