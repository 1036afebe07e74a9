// The KPI set of spec/kpi.md (v1) as DuckDB SQL, for a given --by list and
// realization windows. Used by duckdb_kpi.mjs; `node duckdb_kpi.mjs DIR
// --by ... --print-sql` prints the statement this builds.
//
// Reads the four CSVs of the data contract with read_csv and explicit column
// types (no sniffing): amounts DECIMAL(18,4), dates DATE, contact `at`
// VARCHAR with the calendar date taken as written, substr(at, 1, 10)::DATE.
//
// as_of is the default of kpi.md: the latest opened_on, closed_on, paid_on
// or contact date over all rows. Everything dated after it is ignored and a
// case closed after it is open (with the default as_of nothing is later,
// but the filters are there and cost what they cost). Each CSV is read once
// (MATERIALIZED CTEs of the columns needed); as_of is computed from those.
//
// Not in the statement: the operations section (costs.csv), and the
// --from/--to placement window. The data-contract checks (duplicate ids,
// unknown case_id, enumerations, ...) are not repeated either: read_csv only
// fails on values that do not parse as their type.

import { readFileSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';

const DERIVED = ['cohort_month', 'cohort_quarter', 'cohort_year', 'age_bucket'];

// Column types of the data contract; any other column is VARCHAR.
const TYPES = {
    cases: {
        opened_on: 'DATE', due_on: 'DATE', closed_on: 'DATE',
        amount: 'DECIMAL(18,4)',
    },
    payments: { paid_on: 'DATE', amount: 'DECIMAL(18,4)' },
    contacts: { automated: 'VARCHAR', cost: 'DECIMAL(18,4)' },
};

export function sqlString(s) {
    return `'${String(s).replaceAll("'", "''")}'`;
}

function ident(s) {
    return `"${String(s).replaceAll('"', '""')}"`;
}

// Header names of a CSV file (first record; BOM stripped). The contract's
// headers are plain names, so a split on commas is enough here.
export function readHeader(path) {
    const fd = openSync(path, 'r');
    try {
        const buf = Buffer.alloc(65536);
        const n = readSync(fd, buf, 0, buf.length, 0);
        let s = buf.subarray(0, n).toString('utf8');
        if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
        const end = s.search(/\r?\n/);
        const line = end < 0 ? s : s.slice(0, end);
        return line.split(',').map((f) => f.replace(/^"(.*)"$/, '$1').replaceAll('""', '"'));
    } finally {
        closeSync(fd);
    }
}

function readCsv(dir, file, kind) {
    const path = join(dir, file);
    const cols = readHeader(path)
        .map((c) => `${sqlString(c)}: '${TYPES[kind][c] ?? 'VARCHAR'}'`)
        .join(', ');
    return `read_csv(${sqlString(path)}, header = true, auto_detect = false, ` +
        `delim = ',', quote = '"', escape = '"', ` +
        `columns = {${cols}})`;
}

// SQL expression of one grouping dimension over the CTE `cs` (cases of the
// population, closed_on/close_reason already cut at as_of).
function dimExpr(dim, caseCols) {
    if (caseCols.includes(dim)) {
        const t = TYPES.cases[dim];
        if (t === 'DATE') return `strftime(${ident(dim)}, '%Y-%m-%d')`;
        if (t) throw new Error(`--by ${dim}: grouping on an amount is not supported here`);
        return ident(dim);
    }
    switch (dim) {
    case 'cohort_month': return `strftime(opened_on, '%Y-%m')`;
    case 'cohort_quarter': return `strftime(opened_on, '%Y') || '-Q' || quarter(opened_on)`;
    case 'cohort_year': return `strftime(opened_on, '%Y')`;
    case 'age_bucket':
        return `CASE WHEN due_on IS NULL THEN 'unknown'
                 WHEN opened_on - due_on <= 30 THEN '0-30'
                 WHEN opened_on - due_on <= 90 THEN '31-90'
                 WHEN opened_on - due_on <= 180 THEN '91-180'
                 WHEN opened_on - due_on <= 365 THEN '181-365'
                 ELSE '366+' END`;
    }
    // A contract column absent from the header: every case in the null group.
    const contract = ['case_id', 'debtor_id', 'creditor_id', 'segment', 'sector', 'region',
        'risk_class', 'portfolio', 'handler', 'opened_on', 'due_on', 'amount', 'currency',
        'closed_on', 'close_reason'];
    if (contract.includes(dim)) return 'NULL::VARCHAR';
    throw new Error(`--by ${dim}: neither a column of cases.csv nor a derived dimension`);
}

export function buildSql(dir, by, windows) {
    if (new Set(by).size !== by.length) throw new Error('--by names a dimension twice');
    if (new Set(windows).size !== windows.length) throw new Error('--windows names a window twice');
    const caseCols = readHeader(join(dir, 'cases.csv'));
    const ks = by.map((_, i) => `k${i}`);
    const keyList = ks.join(', ');
    const keyCols = ks.map((k) => `${k}, `).join('');
    const byCurrency = by.includes('currency');
    // cs columns: the dimension expressions need the raw columns they use.
    const dimCols = by.map((d, i) => {
        let e = dimExpr(d, caseCols);
        // Grouping on closed_on / close_reason uses the values cut at as_of.
        if (d === 'closed_on') e = `strftime(CASE WHEN c.closed_on <= a THEN c.closed_on END, '%Y-%m-%d')`;
        if (d === 'close_reason') e = `CASE WHEN c.closed_on <= a THEN c.close_reason END`;
        return `${e} AS k${i}`;
    });
    // Columns of cases.csv the statement uses: the KPIs' and the groups'.
    const used = ['case_id', 'debtor_id', 'currency', 'opened_on', 'amount', 'closed_on',
        'close_reason', ...by.filter((d) => caseCols.includes(d))];
    if (by.includes('age_bucket') && !caseCols.includes('age_bucket')) used.push('due_on');
    const caseSelect = [...new Set(used)].map(ident).join(', ');
    const gset = ks.length ? `GROUPING SETS ((${keyList}), ())` : 'GROUPING SETS (())';
    const gid = ks.length ? `GROUPING(${keyList})` : '0';
    const sameKey = (l, r) => ['gid', ...ks]
        .map((k) => `${l}.${k} IS NOT DISTINCT FROM ${r}.${k}`).join(' AND ');
    const win = (f) => windows.map(f).join(',\n        ');

    const amountNull = (expr) => (byCurrency ? `CASE WHEN g.gid = 0 THEN ${expr} END` : expr);
    const currencyCheck = byCurrency ? '' : `,
    CASE WHEN g.cur_min <> g.cur_max THEN error(
        'group ' || ${ks.length ? `CASE WHEN g.gid = 0 THEN 'total' ELSE concat_ws(', ', ${
            ks.map((k) => `coalesce(g.${k}, 'null')`).join(', ')}) END` : `'total'`} ||
        ' mixes currencies ' || g.cur_min || ' and ' || g.cur_max ||
        '; group by currency (--by currency,...)') END AS currency_check`;

    return `-- KPI set of spec/kpi.md v1, --by ${by.join(',') || '(none)'}, windows ${windows.join(',')}
WITH
-- One read of each file, only the columns the KPIs use.
c_raw AS MATERIALIZED (
    SELECT ${caseSelect} FROM ${readCsv(dir, 'cases.csv', 'cases')}
),
p_raw AS MATERIALIZED (
    SELECT case_id, paid_on, amount FROM ${readCsv(dir, 'payments.csv', 'payments')}
),
k_raw AS MATERIALIZED (
    SELECT case_id,
           substr("at", 1, 10)::DATE AS d,
           channel,
           direction = 'out' AS is_out,
           outcome <> 'invalid' AS is_valid,
           outcome = 'responded' OR direction = 'in' AS is_resp,
           coalesce(automated = '1', false) AS is_auto
    FROM ${readCsv(dir, 'contacts.csv', 'contacts')}
),
-- Default as_of: latest opened_on, closed_on, paid_on or contact date.
asof_date AS (
    SELECT greatest((SELECT max(greatest(opened_on, closed_on)) FROM c_raw),
                    (SELECT max(paid_on) FROM p_raw),
                    (SELECT max(d) FROM k_raw)) AS a
),
-- Population: opened on or before as_of; closings after as_of are open.
cs AS (
    SELECT c.case_id, c.debtor_id, c.currency, c.opened_on, c.amount, asof_date.a,
           CASE WHEN c.closed_on <= a THEN c.closed_on END AS closed_on,
           c.closed_on <= a AND c.close_reason IN ('paid', 'settled') AS resolved${
    dimCols.map((e) => `,\n           ${e}`).join('')}
    FROM c_raw c CROSS JOIN asof_date
    WHERE c.opened_on <= a
),
-- Per case: payments up to as_of.
pc AS (
    SELECT p.case_id,
           sum(p.amount) AS collected,
           min(p.paid_on) FILTER (WHERE p.amount > 0) AS first_pay,
        ${win((x) => `sum(p.amount) FILTER (WHERE p.paid_on <= cs.opened_on + ${x}) AS paid_${x}`)}
    FROM p_raw p JOIN cs USING (case_id)
    WHERE p.paid_on <= cs.a
    GROUP BY p.case_id
),
-- Contacts up to as_of, with their case's closing and group keys.
kj AS (
    SELECT k.*, cs.closed_on, ${keyCols}cs.case_id AS cid
    FROM k_raw k JOIN cs USING (case_id)
    WHERE k.d <= cs.a
),
-- Per case: contact counts, first contact, responded.
kc AS (
    SELECT cid AS case_id,
           count(*) FILTER (WHERE is_out) AS n_out,
           count(*) FILTER (WHERE is_out AND is_valid) AS n_vout,
           count(*) FILTER (WHERE is_out AND is_auto) AS n_auto,
           min(d) FILTER (WHERE is_out AND is_valid) AS first_contact,
           count(*) FILTER (WHERE is_out AND is_valid AND d <= closed_on) AS n_vout_to_close,
           bool_or(is_resp) AS responded
    FROM kj
    GROUP BY cid
),
-- Per group and channel (outbound only): response rate.
kch AS (
    SELECT ${gid} AS gid, ${keyCols}channel,
           count(*) FILTER (WHERE is_valid) AS vout,
           count(*) FILTER (WHERE is_valid AND is_resp) AS rout
    FROM kj
    WHERE is_out
    GROUP BY ${ks.length ? `GROUPING SETS ((${keyList}, channel), (channel))` : 'channel'}
),
rr AS (
    SELECT gid, ${keyCols}
           list({'channel': channel, 'rate': CASE WHEN vout > 0 THEN rout / vout END}
                ORDER BY channel) AS response_rate
    FROM kch
    GROUP BY ALL
),
-- Per case, everything.
pcase AS (
    SELECT cs.*, pc.collected, pc.first_pay, ${windows.map((x) => `pc.paid_${x}`).join(', ')},
           kc.n_out, kc.n_vout, kc.n_auto, kc.first_contact, kc.n_vout_to_close, kc.responded
    FROM cs LEFT JOIN pc USING (case_id) LEFT JOIN kc USING (case_id)
),
-- Reachability: distinct debtors of the group's cases.
deb AS (
    SELECT ${gid} AS gid, ${keyCols}debtor_id,
           bool_or(n_out > 0) AS attempted,
           bool_or(n_out > 0) AND bool_or(responded) AS reached
    FROM pcase
    GROUP BY ${ks.length ? `GROUPING SETS ((${keyList}, debtor_id), (debtor_id))` : 'debtor_id'}
),
debg AS (
    SELECT gid, ${keyCols}
           count(*) FILTER (WHERE attempted) AS attempted,
           count(*) FILTER (WHERE reached) AS reached
    FROM deb
    GROUP BY ALL
),
g AS (
    SELECT ${gid} AS gid, ${keyCols}
           count(*) AS cases,
           count(*) FILTER (WHERE closed_on IS NULL) AS open_cases,
           count(*) FILTER (WHERE resolved) AS resolved_cases,
           sum(amount) AS placed,
           coalesce(sum(collected), 0) AS collected,
        ${win((x) => `count(*) FILTER (WHERE opened_on + ${x} <= a) AS elig_${x},
           sum(amount) FILTER (WHERE opened_on + ${x} <= a) AS elig_amount_${x},
           coalesce(sum(paid_${x}) FILTER (WHERE opened_on + ${x} <= a), 0) AS elig_paid_${x}`)},
           avg(closed_on - opened_on) FILTER (WHERE resolved) AS avg_res,
           median(closed_on - opened_on) FILTER (WHERE resolved) AS med_res,
           avg(first_pay - opened_on) AS avg_first_pay,
           avg(first_pay - first_contact) FILTER (WHERE first_pay >= first_contact) AS avg_contact_pay,
           count(*) FILTER (WHERE resolved AND n_vout_to_close = 1) AS fcr,
           coalesce(sum(n_out), 0) AS n_out,
           coalesce(sum(n_vout), 0) AS n_vout,
           coalesce(sum(n_auto), 0) AS n_auto,
           min(currency) AS cur_min,
           max(currency) AS cur_max
    FROM pcase
    GROUP BY ${gset}
)
SELECT g.gid, ${ks.map((k) => `g.${k}, `).join('')}
    g.cases, g.open_cases, g.resolved_cases,
    ${amountNull('g.placed')}::VARCHAR AS placed_amount,
    ${amountNull('g.collected')}::VARCHAR AS collected_amount,
    ${amountNull('CASE WHEN g.placed > 0 THEN g.collected::DOUBLE / g.placed::DOUBLE END')} AS recovery_rate,
    ${win((x) => `${amountNull(`CASE WHEN g.elig_${x} > 0 THEN g.elig_paid_${x}::DOUBLE / g.elig_amount_${x}::DOUBLE END`)} AS realization_rate_${x}d,
    g.elig_${x} AS eligible_cases_${x}d`)},
    g.avg_res AS avg_days_to_resolution,
    g.med_res AS median_days_to_resolution,
    g.avg_first_pay AS avg_days_to_first_payment,
    g.avg_contact_pay AS avg_days_first_contact_to_payment,
    CASE WHEN g.resolved_cases > 0 THEN g.fcr / g.resolved_cases END AS first_contact_resolution_rate,
    CASE WHEN coalesce(d.attempted, 0) > 0 THEN d.reached / d.attempted END AS reachability_rate,
    CASE WHEN g.n_out > 0 THEN g.n_vout / g.n_out END AS valid_contact_rate,
    coalesce(r.response_rate, []) AS response_rate,
    CASE WHEN coalesce(d.reached, 0) > 0 THEN g.n_out / d.reached END AS attempts_per_reached_debtor,
    CASE WHEN g.n_out > 0 THEN g.n_auto / g.n_out END AS automation_rate,
    (SELECT a FROM asof_date)::VARCHAR AS as_of${currencyCheck}
FROM g
LEFT JOIN debg d ON ${sameKey('g', 'd')}
LEFT JOIN rr r ON ${sameKey('g', 'r')}
ORDER BY ${['g.gid DESC', ...ks.map((k) => `g.${k} NULLS FIRST`)].join(', ')}
`;
}
