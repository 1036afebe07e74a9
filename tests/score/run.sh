#!/usr/bin/env bash
# CLI and API tests of inkasso score, worklist and contact-plan: exit
# codes, messages, outputs, and the UCI cross-validation target.
# usage: run.sh INKASSO TESTS_DIR SHARED_DIR
set -u
bin=$1
tests=$2
shared=$3
work=$(mktemp -d)
server_pid=
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect CODE DESCRIPTION -- command...: runs it, checks the exit code.
expect() {
    local want=$1 what=$2
    shift 3
    checks=$((checks + 1))
    "$@" >"$work/out" 2>"$work/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, expected $want; stderr: $(head -c 300 "$work/err")"
    fi
}

contains() { # FILE TEXT DESCRIPTION
    checks=$((checks + 1))
    grep -qF -- "$2" "$1" || fail "$3: no '$2' in $(head -c 300 "$1")"
}

small=$tests/data/score_small
uci=$shared/data/uci_default_credit_card_taiwan.csv

# Usage errors: exit 2 with a message.
expect 2 "no subcommand" -- "$bin" score
contains "$work/err" "score needs a subcommand" "no subcommand"
expect 2 "unknown subcommand" -- "$bin" score fit x
contains "$work/err" "unknown subcommand 'fit'" "unknown subcommand"
expect 2 "train without model" -- "$bin" score train "$small"
contains "$work/err" "train needs --model FILE" "train without model"
expect 2 "bad kind" -- "$bin" score train "$small" --model m --kind forest
contains "$work/err" "--kind: expected boosted or logistic" "bad kind"
expect 2 "train-table without label" -- "$bin" score train-table x.csv
contains "$work/err" "train-table needs --label COLUMN" "no label"
expect 2 "bad --as-of" -- "$bin" score predict "$small" --model m --as-of 2025-13-01
expect 2 "unknown option" -- "$bin" score train "$small" --model m --bogus
expect 2 "worklist without model" -- "$bin" worklist "$small"
contains "$work/err" "worklist needs --model FILE" "worklist without model"
expect 2 "worklist --by" -- "$bin" worklist "$small" --model m --by region
contains "$work/err" "--by: expected handler" "worklist --by"
# --prior-strength: a number from 0 to 1e9, nothing else (a negative, too
# large, not a number, an underflow).
for k in -1 2e9 x 1e-400; do
    expect 2 "worklist --prior-strength $k" -- "$bin" worklist "$small" --model m --prior-strength "$k"
    contains "$work/err" "--prior-strength: expected a number from 0 to 1e9, got \"$k\"" "worklist --prior-strength $k"
    expect 2 "contact-plan --prior-strength $k" -- "$bin" contact-plan "$small" --prior-strength "$k"
    contains "$work/err" "--prior-strength: expected a number from 0 to 1e9, got \"$k\"" "contact-plan --prior-strength $k"
done
expect 2 "contact-plan --format" -- "$bin" contact-plan "$small" --format xml
expect 0 "help score" -- "$bin" help score
contains "$work/out" "train-table" "help score"

# Options checked by the library: exit 2; data too small: exit 3.
expect 2 "horizon 0" -- "$bin" score train "$small" --model "$work/m" --horizon 0
contains "$work/err" "horizon: expected 1 to 365 days" "horizon 0"
expect 3 "too few rows" -- "$bin" score train "$small" --model "$work/m"
contains "$work/err" "both outcomes are needed" "too few rows"
expect 1 "missing model file" -- "$bin" score predict "$small" --model "$work/none"
contains "$work/err" "cannot open" "missing model file"
printf 'not a model\n' >"$work/junk.model"
expect 3 "junk model" -- "$bin" score predict "$small" --model "$work/junk.model"
contains "$work/err" "junk.model:1: not an inkasso model file" "junk model"

# The contact plan of the fixture (tests/data/score_small/DERIVATION.md).
expect 0 "contact-plan csv" -- "$bin" contact-plan "$small" --format csv
checks=$((checks + 1))
cat >"$work/want" <<'CSV'
case_id,channel,weekday,hours,response_rate,cost
S2,sms,Wednesday,18-21,0.754902,0.09
S3,email,Monday,09-12,0.245098,0.01
S4,sms,Wednesday,18-21,0.754902,0.09
CSV
diff -u "$work/want" "$work/out" >&2 || fail "contact-plan csv differs"
# The table: the same plan, days abbreviated (DERIVATION.md's days).
expect 0 "contact-plan table" -- "$bin" contact-plan "$small"
contains "$work/out" "S2           sms        Wed  18-21     75.5%" "contact-plan table S2"
contains "$work/out" "S3           email      Mon  09-12     24.5%" "contact-plan table S3"
expect 0 "contact-plan json" -- "$bin" contact-plan "$small" --format json
contains "$work/out" '"as_of": "2025-03-01"' "contact-plan json"
contains "$work/out" '{"segment": "B2C", "channel": "phone", "weekday": "Tuesday", "hours": "18-21", "attempts": 1, "responses": 1, "raw_rate": 1.000000, "rate": 0.754902, "segment_rate": 0.750000}' "contact-plan rate cell"

# A generated portfolio: train, predict, worklist.
"$bin" gen "$work/gen" --cases 6000 --seed 3 >/dev/null || fail "gen"
expect 0 "train" -- "$bin" score train "$work/gen" --model "$work/gen.model" --rounds 60 --threads 2
contains "$work/out" "Calibration (boosted, held out)" "train report"
contains "$work/out" "Lift by decile" "train report"
contains "$work/out" "Feature importance (boosted)" "train report"
checks=$((checks + 1))
auc=$(awk '$1 == "boosted" && NF == 7 {print $2}' "$work/out")
awk -v a="$auc" 'BEGIN {exit !(a > 0.75)}' || fail "generated AUC $auc <= 0.75"
expect 0 "predict" -- "$bin" score predict "$work/gen" --model "$work/gen.model"
checks=$((checks + 1))
[ "$(head -1 "$work/out")" = "case_id,probability,outstanding,expected_collected" ] ||
    fail "predict header"
open_cases=$(($(wc -l <"$work/out") - 1))
expect 0 "plan for counting" -- "$bin" contact-plan "$work/gen" --format csv
# Scores cover the open cases with something outstanding; the plan every
# open case (an overpaid case still open included).
checks=$((checks + 1))
plan_cases=$(($(wc -l <"$work/out") - 1))
[ "$open_cases" -gt 0 ] && [ "$open_cases" -le "$plan_cases" ] ||
    fail "predict scores $open_cases cases, the plan has $plan_cases"
expect 0 "worklist" -- "$bin" worklist "$work/gen" --model "$work/gen.model" --capacity 3 --by handler --format csv
checks=$((checks + 1))
awk -F, 'NR > 1 && $1 > 3 {bad = 1} END {exit bad}' "$work/out" || fail "rank above capacity"
expect 0 "worklist json" -- "$bin" worklist "$work/gen" --model "$work/gen.model" --capacity 2 --format json
contains "$work/out" '"count": 2' "worklist json"
contains "$work/out" '"reasons": ["' "worklist reasons"
cp "$work/out" "$work/worklist.json"

# The API: worklist and contact-plan, 409 without a model.
"$bin" import "$work/gen" --db "$work/gen.db" >/dev/null || fail "import"
"$bin" serve --db "$work/gen.db" --listen 127.0.0.1:0 --model "$work/gen.model" \
    >"$work/serve.out" 2>&1 &
server_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$work/serve.out")
if command -v curl >/dev/null && [ -n "$url" ]; then
    checks=$((checks + 1))
    curl -s "$url/api/v1/worklist?capacity=2" >"$work/api.json"
    cmp -s "$work/api.json" "$work/worklist.json" || fail "API worklist differs from the CLI's"
    checks=$((checks + 1))
    code=$(curl -s -o "$work/api.json" -w '%{http_code}' "$url/api/v1/worklist?capacity=x")
    [ "$code" = 400 ] || fail "capacity=x: $code"
    checks=$((checks + 1))
    code=$(curl -s -o "$work/api.json" -w '%{http_code}' "$url/api/v1/contact-plan?limit=1&bogus=1")
    [ "$code" = 400 ] || fail "bogus parameter: $code"
    checks=$((checks + 1))
    code=$(curl -s -o "$work/api.json" -w '%{http_code}' "$url/api/v1/contact-plan?limit=1")
    [ "$code" = 200 ] || fail "contact-plan: $code"
    contains "$work/api.json" '"cases": [' "contact-plan API"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null
    "$bin" serve --db "$work/gen.db" --listen 127.0.0.1:0 >"$work/serve.out" 2>&1 &
    server_pid=$!
    for _ in $(seq 50); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
    url=$(sed -n 's/^listening on //p' "$work/serve.out")
    checks=$((checks + 1))
    code=$(curl -s -o "$work/api.json" -w '%{http_code}' "$url/api/v1/worklist")
    [ "$code" = 409 ] || fail "worklist without a model: $code"
    contains "$work/api.json" '"no_model"' "409 body"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null
    server_pid=
else
    fail "no curl or the server did not start"
fi

# The UCI credit-card data, read in place: boosted mean AUC >= 0.78.
if [ -f "$uci" ]; then
    label=default.payment.next.month
    expect 0 "train-table UCI" -- "$bin" score train-table "$uci" --label "$label" --ignore ID --folds 5 --seed 1
    cat "$work/out"
    checks=$((checks + 1))
    read -r boosted logistic < <(awk '$1 == "mean" {print $2, $3}' "$work/out")
    awk -v b="$boosted" 'BEGIN {exit !(b >= 0.78)}' || fail "UCI boosted AUC $boosted < 0.78"
    awk -v l="$logistic" 'BEGIN {exit !(l >= 0.70 && l <= 0.75)}' || fail "UCI logistic AUC $logistic"
    # A split of our own: train on the first 24,000 rows, score the rest.
    head -24001 "$uci" >"$work/train.csv"
    { head -1 "$uci"; tail -n +24002 "$uci"; } >"$work/test.csv"
    expect 0 "train-table --model" -- "$bin" score train-table "$work/train.csv" --label "$label" --ignore ID --folds 2 --rounds 50 --model "$work/uci.model"
    expect 0 "predict-table" -- "$bin" score predict-table "$work/test.csv" --model "$work/uci.model"
    checks=$((checks + 1))
    [ "$(head -1 "$work/out")" = "row,probability" ] || fail "predict-table header"
    checks=$((checks + 1))
    [ "$(sed -n 2p "$work/out" | cut -d, -f1)" = 1 ] && [ "$(wc -l <"$work/out")" = 6001 ] ||
        fail "predict-table rows"
    expect 2 "predict with a table model" -- "$bin" score predict "$small" --model "$work/uci.model"
    contains "$work/err" "uci.model is a table model: use predict-table" "table model message"
    expect 2 "predict-table with a portfolio model" -- "$bin" score predict-table "$work/test.csv" --model "$work/gen.model"
    contains "$work/err" "gen.model is a portfolio model: use predict" "portfolio model message"
    printf 'LIMIT_BAL\n1\n' >"$work/one.csv"
    expect 3 "predict-table missing column" -- "$bin" score predict-table "$work/one.csv" --model "$work/uci.model"
    contains "$work/err" 'the table has no column "SEX"' "missing column"
    printf 'a,y\n1,0\n2,x\n' >"$work/bad.csv"
    expect 3 "bad cell" -- "$bin" score train-table "$work/bad.csv" --label y
    contains "$work/err" 'bad.csv:3:2: y: expected a decimal number, got "x"' "bad cell message"
else
    fail "no UCI data at $uci"
fi

echo "score: $checks checks, $failures failed"
[ "$failures" = 0 ]
