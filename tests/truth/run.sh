#!/usr/bin/env bash
# The generator's latent truth file (`inkasso gen --truth-cases`): usage
# errors; the portfolio and the attribution truth file byte-identical with
# and without it; one row per case, in case order, with values in range
# and the debtor's traits the same on all their cases; the traits'
# distribution as docs/gen.md states it; the replicas' p_pay_30 calibrated
# against what the written cases did (each written case is one more draw
# of the same process); and bench/score/ceiling.py on a small portfolio:
# it reproduces the model's reported held-out rows, positives and AUC, and
# the latent scores rank the snapshot label below the model (the measured
# finding of docs/gen.md, robust over seeds 1 to 7 at 20,000 cases).
# usage: run.sh INKASSO_BINARY BENCH_SCORE_DIR
set -u
ink=$1
bench=$2
. "$(dirname "$0")/../lib/suite.sh"

usage() { # NAME MESSAGE ARGS...
    local name=$1 message=$2
    shift 2
    run "$name" 2 "$ink" gen "$@" &&
        has "$name message" "$tmp/err" "inkasso: $message" &&
        is_empty "$name stdout" "$tmp/out"
}

# --- usage ---
run "help" 0 "$ink" gen --help && has "help cases" "$tmp/out" "--truth-cases FILE" &&
    has "help draws" "$tmp/out" "--truth-draws K"
usage "empty" "--truth-cases: expected a file, got ''" "$tmp/u" --truth-cases ''
usage "no value" "option '--truth-cases' needs a value" "$tmp/u" --truth-cases
usage "draws alone" "--truth-draws needs --truth-cases FILE" "$tmp/u" --truth-draws 5
usage "draws big" "--truth-draws: expected 0 to 10000, got '10001'" "$tmp/u" --truth-cases "$tmp/c.csv" --truth-draws 10001
usage "draws negative" "--truth-draws: expected 0 to 10000, got '-1'" "$tmp/u" --truth-cases "$tmp/c.csv" --truth-draws -1
usage "draws text" "--truth-draws: expected 0 to 10000, got 'x'" "$tmp/u" --truth-cases "$tmp/c.csv" --truth-draws x
usage "same file" "--truth and --truth-cases: expected two different files" "$tmp/u" --truth "$tmp/c.csv" --truth-cases "$tmp/c.csv"
[ ! -e "$tmp/c.csv" ] && [ ! -e "$tmp/u" ] && ok || fail "usage errors wrote a file"

# A latent truth file that cannot be written fails the run and leaves no
# file behind (all files appear together or none).
run "unwritable" 1 "$ink" gen "$tmp/u" --cases 50 --truth "$tmp/t0.csv" --truth-cases "$tmp/nowhere/c.csv" &&
    has "unwritable" "$tmp/err" "inkasso: $tmp/nowhere/c.csv.tmp: cannot create"
left=$(find "$tmp/u" -type f 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && [ ! -e "$tmp/t0.csv" ] && ok || fail "unwritable: files left behind"

# --- nothing else changes ---
n=10000
args=(--cases $n --seed 3 --months 36)
run "gen plain" 0 "$ink" gen "$tmp/plain" "${args[@]}" --truth "$tmp/t_plain.csv"
run "gen latent" 0 "$ink" gen "$tmp/g" "${args[@]}" --truth "$tmp/t.csv" --truth-cases "$tmp/c.csv" &&
    has "stdout portfolio" "$tmp/out" "wrote $n cases," &&
    has "stdout latent" "$tmp/out" "wrote $n cases to $tmp/c.csv"
for f in cases.csv payments.csv contacts.csv costs.csv; do
    cmp -s "$tmp/plain/$f" "$tmp/g/$f" && ok || fail "with --truth-cases, $f differs"
done
cmp -s "$tmp/t_plain.csv" "$tmp/t.csv" && ok || fail "with --truth-cases, the truth file differs"
[ ! -e "$tmp/c.csv.tmp" ] && ok || fail "c.csv.tmp left behind"
# The same run again: the same bytes (replicas are seeded too).
run "gen again" 0 "$ink" gen "$tmp/g2" "${args[@]}" --truth-cases "$tmp/c2.csv" --truth-draws 100
cmp -s "$tmp/c.csv" "$tmp/c2.csv" && ok || fail "the latent truth file is not deterministic"
cmp -s "$tmp/plain/contacts.csv" "$tmp/g2/contacts.csv" && ok || fail "g2 contacts differ"
# Without replicas: the same traits, empty shares.
run "gen draws 0" 0 "$ink" gen "$tmp/g0" "${args[@]}" --truth-cases "$tmp/c0.csv" --truth-draws 0
cmp -s "$tmp/plain/payments.csv" "$tmp/g0/payments.csv" && ok || fail "g0 payments differ"
py "draws 0" '
import csv, sys
a = list(csv.DictReader(open(sys.argv[1])))
b = list(csv.DictReader(open(sys.argv[2])))
assert len(a) == len(b)
keys = ["case_id", "debtor_id", "willingness", "responsiveness", "digital",
        "capacity_eur", "propensity", "strategy", "timing", "offer"]
for x, y in zip(a, b):
    assert [x[k] for k in keys] == [y[k] for k in keys], (x, y)
    assert y["draws"] == "0" and y["p_pay"] == "" and y["p_pay_30"] == "", y
' "$tmp/c.csv" "$tmp/c0.csv"

# --- the rows ---
py "rows" '
import csv, sys, statistics
from collections import defaultdict
g, t = sys.argv[1], sys.argv[2]
cases = list(csv.DictReader(open(g + "/cases.csv")))
rows = list(csv.DictReader(open(t)))
assert list(rows[0]) == ["case_id", "debtor_id", "willingness",
    "responsiveness", "digital", "capacity_eur", "propensity", "strategy",
    "timing", "offer", "draws", "p_pay", "p_pay_30"], list(rows[0])
assert [r["case_id"] for r in rows] == [c["case_id"] for c in cases]
assert [r["debtor_id"] for r in rows] == [c["debtor_id"] for c in cases]
debtor = {}
for r, c in zip(rows, cases):
    for k in ("willingness", "responsiveness", "digital", "propensity"):
        v = float(r[k])
        assert -12 < v < 12, r
        assert len(r[k].split(".")[1]) == 4, r
    assert float(r["capacity_eur"]) > 0, r
    assert r["strategy"] in ("classic", "digital", "call"), r
    assert r["timing"] in ("day", "evening"), r
    assert r["offer"] in ("none", "plan", "settlement"), r
    assert r["draws"] == "100", r
    for k in ("p_pay", "p_pay_30"):
        p = float(r[k])
        assert 0 <= p <= 1 and abs(round(p * 100) - p * 100) < 1e-9, r
    assert float(r["p_pay_30"]) <= float(r["p_pay"]), r
    # The traits are the debtor'"'"'s, the same on each of their cases.
    traits = tuple(r[k] for k in ("willingness", "responsiveness", "digital", "capacity_eur"))
    assert debtor.setdefault(r["debtor_id"], traits) == traits, (r, debtor[r["debtor_id"]])
# Per debtor: u ~ N(0,1), e = 0.4u + 0.9 N(0,1) (corr 0.406).
u = [float(v[0]) for v in debtor.values()]
e = [float(v[1]) for v in debtor.values()]
assert len(u) > 6000, len(u)
assert abs(statistics.mean(u)) < 0.05 and abs(statistics.pstdev(u) - 1) < 0.05, (statistics.mean(u), statistics.pstdev(u))
corr = statistics.correlation(u, e)
assert abs(corr - 0.406) < 0.04, corr
# risk_class is a noisy view of u: the mean u falls from A to E.
by_risk = defaultdict(list)
for r, c in zip(rows, cases):
    if c["risk_class"]:
        by_risk[c["risk_class"]].append(float(r["willingness"]))
means = [statistics.mean(by_risk[k]) for k in "ABCDE"]
assert all(a > b + 0.2 for a, b in zip(means, means[1:])), means
# Offers: settlements more often on aged debt (docs/gen.md).
aged = [r["offer"] == "settlement" for r, c in zip(rows, cases) if c["portfolio"].startswith("AG-")]
fresh = [r["offer"] == "settlement" for r, c in zip(rows, cases) if c["portfolio"].startswith("FR-")]
assert statistics.mean(aged) > statistics.mean(fresh) + 0.08, (statistics.mean(aged), statistics.mean(fresh))
' "$tmp/g" "$tmp/c.csv"

# --- the replicas against what the written cases did ---
# Each written case is one more draw of the process the replicas sample:
# over the cases placed at least 31 days before --end, the observed rate
# of "collects >= 10 % of the amount in the 30 days after placement" is
# the mean p_pay_30 (standard error about 0.004 at 10,000 cases; allowed
# 0.02), also within each fifth of p_pay_30 (allowed 0.05); p_pay, the
# share of replicas paying at all, matches the cases placed at least 550
# days before --end (their collection is over). And p_pay_30 ranks the
# real 30-day outcome better than z, of which it is a function plus
# everything else the model does.
py "calibration" '
import csv, sys, statistics
from datetime import date, timedelta
from decimal import Decimal
g, t = sys.argv[1], sys.argv[2]
end = date(2025, 6, 30)
cases = list(csv.DictReader(open(g + "/cases.csv")))
latent = {r["case_id"]: r for r in csv.DictReader(open(t))}
pays = {}
for r in csv.DictReader(open(g + "/payments.csv")):
    pays.setdefault(r["case_id"], []).append((date.fromisoformat(r["paid_on"]), Decimal(r["amount"])))
def auc(s, y):
    pairs = sorted(zip(s, y)); n = len(pairs); rs = 0.0; pos = 0; i = 0
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]: j += 1
        for k in range(i, j):
            if pairs[k][1]: rs += (i + 1 + j) / 2.0; pos += 1
        i = j
    return (rs - pos * (pos + 1) / 2.0) / (pos * (n - pos))
p30, y30, z30, pany, yany = [], [], [], [], []
for c in cases:
    o = date.fromisoformat(c["opened_on"])
    l = latent[c["case_id"]]
    ps = pays.get(c["case_id"], [])
    if o + timedelta(days=31) <= end:
        got = sum((a for d, a in ps if o < d <= o + timedelta(days=30)), Decimal(0))
        p30.append(float(l["p_pay_30"])); z30.append(float(l["propensity"]))
        y30.append(int(got * 10 >= Decimal(c["amount"])))
    if o + timedelta(days=550) <= end:
        pany.append(float(l["p_pay"])); yany.append(int(any(a > 0 for d, a in ps)))
assert len(p30) > 9000 and len(pany) > 1000, (len(p30), len(pany))
d = statistics.mean(p30) - statistics.mean(y30)
assert abs(d) < 0.02, ("p_pay_30", statistics.mean(p30), statistics.mean(y30))
order = sorted(range(len(p30)), key=lambda i: p30[i])
for q in range(5):
    part = order[q * len(order) // 5:(q + 1) * len(order) // 5]
    mp = statistics.mean(p30[i] for i in part); my = statistics.mean(y30[i] for i in part)
    assert abs(mp - my) < 0.05, ("fifth", q, mp, my)
d = statistics.mean(pany) - statistics.mean(yany)
assert abs(d) < 0.04, ("p_pay", statistics.mean(pany), statistics.mean(yany), len(pany))
a_p, a_z = auc(p30, y30), auc(z30, y30)
assert a_p > a_z + 0.02, (a_p, a_z)
' "$tmp/g" "$tmp/c.csv"

# --- the ceiling measurement (bench/score/ceiling.py) ---
# It checks itself that its held-out rows, positives and model AUCs are
# those `inkasso score train` reports; here the finding on the snapshot
# label: every latent score ranks below both models (seeds 1 to 7).
run "gen 20000" 0 "$ink" gen "$tmp/s" --cases 20000 --seed 5 --truth-cases "$tmp/s.csv" --truth-draws 50
run "ceiling" 0 python3 "$bench/ceiling.py" "$ink" "$tmp/s" "$tmp/s.csv" "$tmp/w" --no-combined &&
    tail -1 "$tmp/out" >"$tmp/ceiling.json"
py "ceiling finding" '
import json, sys
r = json.load(open(sys.argv[1]))
a = r["auc"]
assert r["rows"] == r["reported"]["boosted"]["rows"] > 8000, r
# predict prints probabilities with 4 decimals: its ties move the AUC a little
assert abs(a["boosted"] - r["reported"]["boosted"]["auc"]) <= 0.001, r
assert abs(a["logistic"] - r["reported"]["logistic"]["auc"]) <= 0.001, r
best_latent = max(a[k] for k in ("propensity", "willingness", "responsiveness", "p_pay", "p_pay_30"))
assert 0.6 < best_latent < min(a["boosted"], a["logistic"]) - 0.03, a
' "$tmp/ceiling.json"

finish truth
