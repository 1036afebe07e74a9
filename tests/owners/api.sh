#!/usr/bin/env bash
# GET /api/v1/owners of inkasso serve --owners: the same verdicts as
# inkasso kpi --owners, parameters, errors, and serve's checks of the file.
# usage: api.sh INKASSO_BINARY TESTS_DIR
set -u
# Absolute paths, whatever the working folder.
ink=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tests=$(cd "$2" && pwd)
data=$tests/data
. "$tests/lib/suite.sh"

if ! command -v curl >/dev/null; then
    echo "owners api: curl not found, skipped"
    exit 0
fi

body_is() { # NAME TEXT
    if [ "$(cat "$tmp/body")" = "$2" ]; then ok; else
        fail "$1: body $(head -c 300 "$tmp/body"), expected $2"
    fi
}

conf=$data/owners_small/owners.conf
"$ink" import "$data/kpi_small" --db "$tmp/small.db" >/dev/null 2>&1 ||
    fail "import kpi_small"

start owners --db "$tmp/small.db" --listen 127.0.0.1:0 --owners "$conf" ||
    exit 1
req owners 200 "/api/v1/owners?as_of=2025-03-31"
cp "$tmp/body" "$tmp/api.json"
"$ink" kpi "$data/kpi_small" --as-of 2025-03-31 --owners "$conf" \
    --format json >"$tmp/cli.json"
if command -v python3 >/dev/null; then
    python3 - "$tmp/api.json" "$tmp/cli.json" >"$tmp/py" 2>&1 <<'PY'
import json, sys
api = json.load(open(sys.argv[1]))
cli = json.load(open(sys.argv[2]))
assert api["as_of"] == "2025-03-31", api["as_of"]
assert api["owners"] == cli["owners"], "verdicts differ from the CLI's"
assert [o["status"] for o in api["owners"]] == [
    "missed", "met", "missed", "missed", "no_value", "missed"]
kpis = [(b["kpi"], b["scope"], b["low"], b["high"], b["better"])
        for b in api["benchmarks"]]
assert kpis == [
    ("avg_days_to_resolution", None, 30, 60, "lower"),
    ("avg_days_first_contact_to_payment", None, 5, 15, "lower"),
    ("first_contact_resolution_rate", None, 0.3, 0.5, "higher"),
    ("cost_per_case", {"currency": "EUR", "segment": "B2C"}, 0, 3, "lower"),
    ("cost_per_case", {"currency": "EUR", "segment": "B2B"}, 0, 15, "lower"),
], kpis
print("ok")
PY
    [ "$(cat "$tmp/py")" = ok ] && ok || fail "owners: $(cat "$tmp/py")"
fi
# A second ask is answered from the cache with the same bytes.
req cached 200 "/api/v1/owners?as_of=2025-03-31"
cmp -s "$tmp/body" "$tmp/api.json" && ok || fail "cached: differs"
# Default as_of: the latest date in the data (C4 closed 2025-04-05).
req default 200 "/api/v1/owners"
grep -q '^{"as_of":"2025-04-05","owners":\[' "$tmp/body" && ok ||
    fail "default: $(head -c 100 "$tmp/body")"
# A placement window narrows the cases: C3, C4, C6 only.
req window 200 "/api/v1/owners?as_of=2025-03-31&from=2025-02-01&to=2025-03-05"
grep -q '"kpi":"recovery_rate","scope":null,[^}]*}[^}]*"value":0.020506' \
    "$tmp/body" && ok || fail "window: recovery 64 / 3121 not found"
req blank 200 "/api/v1/owners?as_of=&from=&to="
req unknown 400 "/api/v1/owners?by=segment"
body_is unknown '{"error":{"code":"bad_parameter","message":"unknown parameter \"by\": expected as_of, from or to"}}'
req twice 400 "/api/v1/owners?as_of=2025-03-31&as_of=2025-03-30"
body_is twice '{"error":{"code":"bad_parameter","message":"parameter \"as_of\" given twice"}}'
req bad_date 400 "/api/v1/owners?as_of=2025-02-30"
body_is bad_date '{"error":{"code":"bad_parameter","message":"as_of: expected a date YYYY-MM-DD, got \"2025-02-30\""}}'
req half_window 400 "/api/v1/owners?from=2025-01-01"
body_is half_window '{"error":{"code":"bad_parameter","message":"from and to go together, with from on or before to"}}'
req post 405 "/api/v1/owners" -X POST
stop serve "$pid" TERM

# Without --owners: no verdicts, the benchmarks all the same.
start plain --db "$tmp/small.db" --listen 127.0.0.1:0 || exit 1
req plain 200 "/api/v1/owners?as_of=2025-03-31"
grep -q '^{"as_of":"2025-03-31","owners":\[\],$' "$tmp/body" && ok ||
    fail "plain: $(head -c 100 "$tmp/body")"
grep -c '^{"kpi":' "$tmp/body" | grep -qx 5 && ok || fail "plain: not 5 benchmarks"
stop serve "$pid" TERM

# serve refuses a bad file, and dimensions this portfolio lacks.
"$ink" serve --db "$tmp/small.db" --listen 127.0.0.1:0 \
    --owners "$data/owners_small/bad_kpi.conf" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] && ok || fail "bad_kpi: exit status"
grep -q 'bad_kpi.conf:2:2: unknown KPI "recovry_rate"' "$tmp/err" && ok ||
    fail "bad_kpi: $(cat "$tmp/err")"
"$ink" serve --db "$tmp/small.db" --listen 127.0.0.1:0 \
    --owners "$data/owners_small/bad_dim.conf" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 3 ] && ok || fail "bad_dim: exit status"
grep -q 'bad_dim.conf:1:16: unknown dimension "partner"' "$tmp/err" && ok ||
    fail "bad_dim: $(cat "$tmp/err")"
"$ink" serve --db "$tmp/small.db" --owners "$tmp/none.conf" >"$tmp/out" \
    2>"$tmp/err"
[ $? -eq 1 ] && ok || fail "missing: exit status"
grep -q 'none.conf: cannot open: No such file or directory' "$tmp/err" && ok ||
    fail "missing: $(cat "$tmp/err")"

finish "owners api"
