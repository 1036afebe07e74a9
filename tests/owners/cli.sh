#!/usr/bin/env bash
# inkasso kpi --owners: the targets in the table and in JSON, and the exit
# status and message of every kind of bad owners file.
# usage: cli.sh INKASSO_BINARY TESTS_DIR
set -u
# Absolute paths: cli.sh runs from the fixture folder.
ink=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
tests=$(cd "$2" && pwd)
. "$tests/lib/suite.sh"

same_text() { # NAME GOT_FILE WANT_TEXT
    if [ "$(cat "$2")" = "$3" ]; then
        passed=$((passed + 1))
    else
        fail "$1: got \"$(head -c 400 "$2")\", expected \"$3\""
    fi
}

# Paths relative to the fixture folder, as the expected output has them.
cd "$tests/data/owners_small" || exit 1
small=../kpi_small

# The table: the report, then the targets (tests/data/owners_small).
run table 0 "$ink" kpi "$small" --as-of 2025-03-31 --owners owners.conf
sed -n '/^Targets/,$p' "$tmp/out" >"$tmp/targets"
if cmp -s "$tmp/targets" expected_targets.txt; then
    passed=$((passed + 1))
else
    fail "table: targets differ from expected_targets.txt"
    diff expected_targets.txt "$tmp/targets" | head -20
fi
# The report above them is the one without --owners.
"$ink" kpi "$small" --as-of 2025-03-31 >"$tmp/plain"
head -n "$(wc -l <"$tmp/plain")" "$tmp/out" >"$tmp/head"
cmp -s "$tmp/head" "$tmp/plain" && passed=$((passed + 1)) ||
    fail "table: the report part changed with --owners"

# JSON: the report unchanged plus "owners".
run json 0 "$ink" kpi "$small" --as-of 2025-03-31 --owners owners.conf \
    --format json
cp "$tmp/out" "$tmp/with.json"
"$ink" kpi "$small" --as-of 2025-03-31 --format json >"$tmp/plain.json"
if command -v python3 >/dev/null; then
    python3 - "$tmp/with.json" "$tmp/plain.json" >"$tmp/py" 2>&1 <<'PY'
import json, math, sys
with_owners = json.load(open(sys.argv[1]))
plain = json.load(open(sys.argv[2]))
owners = with_owners.pop("owners")
assert with_owners == plain, "report changed"
got = [(o["kpi"], o["scope"], o["status"], o["value"], o["line"]) for o in owners]
want = [
    ("recovery_rate", None, "missed", 2979 / 10463, 3),
    ("recovery_rate", {"segment": "B2C"}, "met", 758 / 2123, 8),
    ("avg_days_to_resolution", None, "missed", 48.0, 13),
    ("valid_contact_rate", {"segment": "B2C"}, "missed", 0.7, 18),
    ("realization_rate_90d", None, "no_value", None, 23),
    ("cost_per_case", {"segment": "B2C"}, "missed", 77.5, 28),
]
assert got == want, got
assert owners[0]["owner"] == "Anna Weber"
assert owners[0]["target"] == {"op": ">=", "value": 0.3, "text": ">= 30%"}
assert owners[0]["action"] == "Move placements to the best partner"
assert owners[2]["benchmark"] == {"low": 30, "high": 60, "better": "lower"}
assert owners[5]["period"] == "2025-03" and owners[5]["currency"] == "EUR"
assert owners[5]["benchmark"] == {"low": 0, "high": 3, "better": "lower"}
print("ok")
PY
    [ "$(cat "$tmp/py")" = ok ] && passed=$((passed + 1)) ||
        fail "json: $(cat "$tmp/py")"
fi

# A mixed-currency portfolio: money KPIs per currency.
printf '[recovery_rate]\nowner = A\ntarget = >= 0.3\naction = B\n' \
    >"$tmp/money.conf"
run currency 0 "$ink" kpi ../kpi_currency --as-of 2025-03-31 --by currency \
    --owners "$tmp/money.conf"
grep -q '^recovery_rate  *currency=CHF  *25.02%  *>= 0.3$' "$tmp/out" &&
    passed=$((passed + 1)) || fail "currency: no CHF line in the table"

# Bad files: exit 3 and where and why.
run bad_kpi 3 "$ink" kpi "$small" --owners bad_kpi.conf
same_text bad_kpi "$tmp/err" 'inkasso: bad_kpi.conf:2:2: unknown KPI "recovry_rate": expected a KPI name (did you mean recovery_rate?)'
run bad_target 3 "$ink" kpi "$small" --owners bad_target.conf
same_text bad_target "$tmp/err" 'inkasso: bad_target.conf:3:13: target: recovery_rate is a fraction: expected a number from 0 to 1 or a percentage, got "30" (30%?)'
run bad_dim 3 "$ink" kpi "$small" --owners bad_dim.conf
same_text bad_dim "$tmp/err" 'inkasso: bad_dim.conf:1:16: unknown dimension "partner": expected a column of cases.csv (this portfolio has no such column) or cohort_month, cohort_quarter, cohort_year, age_bucket'
[ -s "$tmp/out" ] && fail "bad_dim: wrote a report" || passed=$((passed + 1))
# The file is read before the portfolio: a bad file wins over a bad folder.
run bad_first 3 "$ink" kpi no_such_folder --owners bad_kpi.conf
run missing 1 "$ink" kpi "$small" --owners no_such.conf
same_text missing "$tmp/err" 'inkasso: no_such.conf: cannot open: No such file or directory'
run csv 2 "$ink" kpi "$small" --owners owners.conf --format csv
grep -q -- "--owners works with --format table or json, not csv" "$tmp/err" &&
    passed=$((passed + 1)) || fail "csv: message"
run no_value 2 "$ink" kpi "$small" --owners
grep -q -- "option '--owners' needs a value" "$tmp/err" &&
    passed=$((passed + 1)) || fail "no_value: message"
run help 0 "$ink" kpi --help
grep -q -- "--owners FILE" "$tmp/out" && passed=$((passed + 1)) ||
    fail "help: no --owners"

# The example of the repository parses and judges the sample portfolio.
run gen 0 "$ink" gen "$tmp/sample" --cases 2000 --seed 1
run example 0 "$ink" kpi "$tmp/sample" --by currency \
    --owners "$tests/../examples/owners.conf"
grep -q '^Targets (.*owners.conf): [0-9]* missed, [0-9]* met' "$tmp/out" &&
    passed=$((passed + 1)) || fail "example: no Targets line"

finish "owners cli"
