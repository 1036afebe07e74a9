#!/usr/bin/env bash
# The generator's attribution ground truth (`inkasso gen --truth`) and the
# models measured against it: the portfolio is byte-identical with and
# without the truth file; every truth row is a real conversion of the
# files with a real causal contact; the truth's totals equal what
# `inkasso attribute` counts; usage errors; and each model's share error
# on 100,000 cases within the bands measured over seeds 1 to 8
# (docs/attribution.md, "Measured against the generator's truth").
# usage: truth.sh INKASSO_BINARY BENCH_ATTRIBUTION_DIR
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
run "help" 0 "$ink" gen --help && has "help truth" "$tmp/out" "--truth FILE" &&
    has "help horizon" "$tmp/out" "--truth-horizon N"
usage "empty truth" "--truth: expected a file, got ''" "$tmp/u" --truth ''
usage "horizon alone" "--truth-horizon needs --truth FILE" "$tmp/u" --truth-horizon 7
usage "horizon 0" "--truth-horizon: expected 1 to 3650 days, got '0'" "$tmp/u" --truth "$tmp/t.csv" --truth-horizon 0
usage "horizon big" "--truth-horizon: expected 1 to 3650 days, got '3651'" "$tmp/u" --truth "$tmp/t.csv" --truth-horizon 3651
usage "horizon text" "--truth-horizon: expected 1 to 3650 days, got 'x'" "$tmp/u" --truth "$tmp/t.csv" --truth-horizon x
usage "truth value" "option '--truth' needs a value" "$tmp/u" --truth
[ ! -e "$tmp/t.csv" ] && ok || fail "usage errors wrote a truth file"

# A truth file that cannot be written fails the run and leaves no
# portfolio file behind (all files appear together or none).
run "truth unwritable" 1 "$ink" gen "$tmp/u" --cases 50 --truth "$tmp/nowhere/t.csv" &&
    has "truth unwritable" "$tmp/err" "inkasso: $tmp/nowhere/t.csv.tmp: cannot create"
left=$(find "$tmp/u" -type f 2>/dev/null | wc -l)
[ "$left" -eq 0 ] && ok || fail "truth unwritable: $left files left in $tmp/u"

# --- the portfolio does not change ---
run "gen plain" 0 "$ink" gen "$tmp/plain" --cases 100000 --seed 3
run "gen truth" 0 "$ink" gen "$tmp/g" --cases 100000 --seed 3 --truth "$tmp/truth.csv" &&
    has "gen truth stdout" "$tmp/out" "wrote 100000 cases," &&
    has "gen truth count" "$tmp/out" " conversions to $tmp/truth.csv"
for f in cases.csv payments.csv contacts.csv costs.csv; do
    cmp -s "$tmp/plain/$f" "$tmp/g/$f" && ok || fail "with --truth, $f differs"
done
[ ! -e "$tmp/truth.csv.tmp" ] && ok || fail "truth.csv.tmp left behind"
rows=$(($(wc -l <"$tmp/truth.csv") - 1))
grep -qF "wrote $rows conversions" "$tmp/out" && ok || fail "stdout count is not the $rows rows"

# --- every row is a real conversion with a real causal contact ---
py "truth rows" '
import csv, sys
from collections import defaultdict
g, t = sys.argv[1], sys.argv[2]
first, pays = {}, defaultdict(list)
for r in csv.DictReader(open(g + "/payments.csv")):
    d, a = r["paid_on"], float(r["amount"])
    pays[r["case_id"]].append((d, a))
    if a > 0 and (r["case_id"] not in first or d < first[r["case_id"]]):
        first[r["case_id"]] = d
out = defaultdict(list)
inbound = defaultdict(list)
for r in csv.DictReader(open(g + "/contacts.csv")):
    day = r["at"][:10]
    if r["direction"] == "out":
        out[r["case_id"]].append((day, r["channel"], r["outcome"]))
    else:
        inbound[r["case_id"]].append((day, r["channel"]))
cur = {r["case_id"]: r["currency"] for r in csv.DictReader(open(g + "/cases.csv"))}
rows = list(csv.DictReader(open(t)))
assert list(rows[0]) == ["case_id", "converted_on", "channel", "cause", "contact_on", "value", "currency"], list(rows[0])
assert len(rows) == len(first), (len(rows), len(first))
ids = [r["case_id"] for r in rows]
assert ids == sorted(ids) and len(set(ids)) == len(ids)
causes = defaultdict(int)
for r in rows:
    c = r["case_id"]
    assert r["converted_on"] == first[c], r
    assert r["currency"] == cur[c], r
    assert r["channel"] in ("letter", "email", "sms", "phone", "push"), r
    assert r["contact_on"] <= r["converted_on"], r
    causes[r["cause"]] += 1
    k = [o for o in out[c] if o[0] == r["contact_on"] and o[1] == r["channel"]]
    assert any(o[2] != "invalid" for o in k), (r, out[c])
    if r["cause"] == "responded":
        assert any(o[2] == "responded" for o in k), (r, k)
    # value: payments of the 30 days from the conversion, at least 0
    from datetime import date, timedelta
    end = (date.fromisoformat(r["converted_on"]) + timedelta(days=30)).isoformat()
    v = sum(a for d, a in pays[c] if r["converted_on"] <= d < end)
    assert abs(float(r["value"]) - max(v, 0)) < 1e-6, (r, v)
assert set(causes) == {"responded", "inbound", "silent"}, causes
# an inbound cause has the debtor get in touch within 4 days
for r in rows:
    if r["cause"] == "inbound":
        from datetime import date, timedelta
        lo = r["contact_on"]
        hi = (date.fromisoformat(lo) + timedelta(days=4)).isoformat()
        assert any(lo <= d <= hi for d, ch in inbound[r["case_id"]]), r
' "$tmp/g" "$tmp/truth.csv"

# --- the truth counts what `inkasso attribute` counts ---
run "attribute" 0 "$ink" attribute "$tmp/g" --by currency --format csv
cp "$tmp/out" "$tmp/attr.csv"
run "compare" 0 python3 "$bench/truth.py" "$tmp/truth.csv" "$tmp/attr.csv" --json "$tmp/cmp.json" &&
    has "compare table" "$tmp/out" "conversion shares (%)"
py "totals" '
import json, sys
r = json.load(open(sys.argv[1]))
t = r["truth"]
assert len(r["attributed"]) == 7, r["attributed"]
for m, a in r["attributed"].items():
    assert abs(a["conversions"] - t["conversions"]) < 1e-3, (m, a, t["conversions"])
    assert abs(a["eur_value"] - t["eur_value"]) < 0.01, (m, a, t["eur_value"])
' "$tmp/cmp.json"
run "gen horizon 7" 0 "$ink" gen "$tmp/g7" --cases 2000 --seed 4 --truth "$tmp/t7.csv" --truth-horizon 7
run "attribute horizon 7" 0 "$ink" attribute "$tmp/g7" --by currency --horizon 7 --model last --format csv
cp "$tmp/out" "$tmp/a7.csv"
py "horizon 7 value" '
import csv, sys
t = sum(float(r["value"]) for r in csv.DictReader(open(sys.argv[1])) if r["currency"] == "EUR")
rows = list(csv.reader(open(sys.argv[2])))
h = rows[0]
a = sum(float(x[h.index("value")]) for x in rows[1:] if x[0] == "EUR")
assert t > 0 and abs(t - a) < 0.01, (t, a)
' "$tmp/t7.csv" "$tmp/a7.csv"
run "gen horizon 30" 0 "$ink" gen "$tmp/g30" --cases 2000 --seed 4 --truth "$tmp/t30.csv"
py "horizon changes value" '
import csv, sys
v = [sum(float(r["value"]) for r in csv.DictReader(open(f))) for f in sys.argv[1:]]
assert v[0] < v[1], v
' "$tmp/t7.csv" "$tmp/t30.csv"

# --- the models against the truth: bands measured on seeds 1 to 8 ---
py "model bands" '
import json, sys
r = json.load(open(sys.argv[1]))
t, m = r["truth"], r["models"]
assert t["top"] == "phone", t
# measured (seeds 1-8, 100k cases): total absolute share error of the
# conversions; the band is the measured range widened by 0.05
bands = {"last": (0.032, 0.033), "time-decay": (0.098, 0.102),
         "position": (0.201, 0.209), "linear": (0.216, 0.225),
         "markov": (0.254, 0.262), "first": (0.391, 0.403),
         "shapley": (0.795, 0.842), "touches": (0.272, 0.289)}
for name, (lo, hi) in bands.items():
    e = m[name]["abs_error"]
    assert lo - 0.05 <= e <= hi + 0.05, (name, e, lo, hi)
# the order of the errors held on every seed
e = {k: v["abs_error"] for k, v in m.items()}
assert e["last"] < e["time-decay"] < min(e["position"], e["linear"]), e
assert max(e["position"], e["linear"], e["markov"]) < e["first"] < e["shapley"], e
# last touch names the top channel and ranks the shares nearly right;
# markov does not (letter first): the documented limitation
assert m["last"]["top"] == "phone" and m["last"]["spearman"] >= 0.9, m["last"]
assert m["markov"]["top"] == "letter", m["markov"]
assert m["last"]["value_abs_error"] < 0.05, m["last"]
for k in ("first", "last", "linear", "time-decay", "position", "markov"):
    assert m[k]["spearman"] >= 0.85, (k, m[k]["spearman"])
' "$tmp/cmp.json"

finish truth
