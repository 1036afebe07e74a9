#!/usr/bin/env bash
# inkasso alerts and GET /api/v1/alerts: exit codes, usage errors, table
# and JSON on portfolios with a known injected anomaly (gen_fixture.py),
# the route equal to the CLI, parameter errors, and an ingest that
# changes the answer.
# usage: run.sh INKASSO_BINARY TESTS_DIR
set -u
ink=$1
tests=$2
here=$tests/alerts
. "$tests/lib/suite.sh"

# usage NAME MESSAGE ARGS...: exit 2, the message and the hint on stderr.
usage() {
    local name=$1 message=$2
    shift 2
    run "$name" 2 "$ink" alerts "$@" &&
        has "$name message" "$tmp/err" "inkasso: $message" &&
        has "$name hint" "$tmp/err" "Try 'inkasso help alerts'." &&
        is_empty "$name stdout" "$tmp/out"
}

for kind in clean payments_drop sms_drop; do
    python3 "$here/gen_fixture.py" "$tmp/$kind" "$kind" || fail "gen $kind"
done

# --- help and usage errors ---
run "help" 0 "$ink" alerts --help && has "help usage" "$tmp/out" "usage: inkasso alerts DIR|--db FILE"
run "help command" 0 "$ink" help alerts && has "help command usage" "$tmp/out" "--threshold X"
usage "no folder" "alerts needs a portfolio folder or --db FILE"
usage "two folders" "alerts takes one folder" "$tmp/clean" "$tmp/clean"
usage "folder and db" "alerts takes a folder or --db, not both" "$tmp/clean" --db x.db
usage "unknown option" "unknown option '--colour'" "$tmp/clean" --colour
usage "missing value" "option '--days' needs a value" "$tmp/clean" --days
usage "days 0" '--days: expected a number from 1 to 3660, got "0"' "$tmp/clean" --days 0
usage "days text" '--days: expected a number from 1 to 3660, got "7d"' "$tmp/clean" --days 7d
usage "days past look-back" "--days: expected at most the look-back (180 days), got 200" "$tmp/clean" --days 200
usage "lookback" '--lookback: expected a number from 28 to 3660, got "27"' "$tmp/clean" --lookback 27
usage "threshold" '--threshold: expected a number in (0, 1], got "1.5"' "$tmp/clean" --threshold 1.5
usage "threshold 0" '--threshold: expected a number in (0, 1], got "0"' "$tmp/clean" --threshold 0
usage "threshold text" '--threshold: expected a number in (0, 1], got "high"' "$tmp/clean" --threshold high
usage "min-events" '--min-events: expected a number from 1 to 1000000000, got "-1"' "$tmp/clean" --min-events -1
usage "format" '--format: expected table or json, got "csv"' "$tmp/clean" --format csv
usage "as-of" '--as-of: expected a date YYYY-MM-DD, got "2025-02-30"' "$tmp/clean" --as-of 2025-02-30
usage "empty by" "--by: expected up to 8 comma-separated dimensions" "$tmp/clean" --by segment,
run "unknown dimension" 2 "$ink" alerts "$tmp/clean" --by colour &&
    has "unknown dimension message" "$tmp/err" 'inkasso: --by: unknown dimension "colour"'
run "too many values" 1 "$ink" alerts "$tmp/clean" --by case_id,debtor_id --lookback 3660 &&
    has "too many values message" "$tmp/err" "is too large; name fewer dimensions or shorten the look-back"
run "missing folder" 1 "$ink" alerts "$tmp/nowhere" && is_empty "missing folder stdout" "$tmp/out"
run "invalid data" 3 "$ink" alerts "$tests/data/invalid_payment" &&
    has "invalid data message" "$tmp/err" "payments.csv:"

# --- a clean seasonal portfolio: no alert, exit 0 ---
run "clean" 0 "$ink" alerts "$tmp/clean" &&
    printf 'No alerts as of 2025-06-30: 9 series checked over 180 days, none anomalous since 2025-06-03 (threshold 0.99).\n' >"$tmp/want" &&
    same_file "clean table" "$tmp/out" "$tmp/want" && is_empty "clean stderr" "$tmp/err"
run "clean json" 0 "$ink" alerts "$tmp/clean" --format json &&
    pycheck "clean json" "$tmp/out" '
assert r["alerts"] == [], r["alerts"]
assert r["as_of"] == "2025-06-30" and r["from"] == "2025-01-02", r
assert r["report_from"] == "2025-06-03" and r["lookback"] == 180 and r["days"] == 28
assert r["threshold"] == 0.99 and r["min_events"] == 20 and r["series_checked"] == 9
assert r["by"] == ["segment", "sector", "region", "risk_class", "handler"], r["by"]'
python3 -m json.tool "$tmp/out" >/dev/null && ok || fail "clean json: json.tool"

# --- injected: 90 % of the B2C payments gone from 2025-06-24 on ---
run "drop table" 0 "$ink" alerts "$tmp/payments_drop" --by segment,region &&
    has "drop header" "$tmp/out" "2 alerts as of 2025-06-30 since 2025-06-03 (9 series checked over 180 days, threshold 0.99)" &&
    has "drop payments" "$tmp/out" " payments down since 2025-06-24 until 2025-06-30 (6 days)" &&
    has "drop collected" "$tmp/out" " collected_amount EUR down since 2025-06-24 until 2025-06-30 (6 days)" &&
    has "drop driver" "$tmp/out" "    segment      B2C 1"
run "drop json" 0 "$ink" alerts "$tmp/payments_drop" --format json &&
    cp "$tmp/out" "$tmp/drop.json" &&
    pycheck "drop json" "$tmp/out" '
a = {x["series"]: x for x in r["alerts"]}
assert set(a) == {"payments", "collected_amount"}, list(a)
for s in a.values():
    assert s["since"] == "2025-06-24" and s["until"] == "2025-06-30", s
    assert s["direction"] == "down" and s["score"] >= 0.99, s
    assert s["observed"] < s["expected"], s
    assert abs(s["change"] - (s["observed"] - s["expected"])) < 1e-6, s
    seg = [d for d in s["drilldown"] if d["dimension"] == "segment"][0]
    assert seg["drivers"][0]["value"] == "B2C", seg
    assert seg["drivers"][0]["share"] > 0.8, seg
    assert len(s["drilldown"]) == 5
    assert all(len(d["drivers"]) <= 3 for d in s["drilldown"])
c = a["collected_amount"]
assert c["currency"] == "EUR" and c["channel"] is None, c'
run "drop days 1" 0 "$ink" alerts "$tmp/payments_drop" --days 1 --format json &&
    pycheck "drop days 1" "$tmp/out" 'assert len(r["alerts"]) == 2 and r["days"] == 1'
run "before the drop" 0 "$ink" alerts "$tmp/payments_drop" --as-of 2025-06-23 &&
    has "before the drop" "$tmp/out" "No alerts as of 2025-06-23"
run "sms" 0 "$ink" alerts "$tmp/sms_drop" --by region &&
    has "sms alert" "$tmp/out" " response_rate sms down since 2025-06-2" &&
    has "sms driver" "$tmp/out" "    region       South "

# --- the store gives the same report ---
run "import" 0 "$ink" import "$tmp/payments_drop" --db "$tmp/drop.db"
run "db json" 0 "$ink" alerts --db "$tmp/drop.db" --format json &&
    same_file "db equals folder" "$tmp/out" "$tmp/drop.json"

# --- GET /api/v1/alerts ---
printf 's3cret\n' >"$tmp/token"
chmod 600 "$tmp/token"
start serve --db "$tmp/drop.db" --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
cli_same "route equals CLI" /api/v1/alerts alerts --db "$tmp/drop.db" --format json
cli_same "route with options" "/api/v1/alerts?days=7&by=segment,handler&threshold=0.999&lookback=120" alerts \
    --db "$tmp/drop.db" --days 7 --by segment,handler --threshold 0.999 --lookback 120 --format json
cli_same "route as_of" "/api/v1/alerts?as_of=2025-06-23&min_events=30" alerts \
    --db "$tmp/drop.db" --as-of 2025-06-23 --min-events 30 --format json
cli_same "route cached" "/api/v1/alerts?by=handler,segment&days=7&threshold=0.999&lookback=120" alerts \
    --db "$tmp/drop.db" --days 7 --by handler,segment --threshold 0.999 --lookback 120 --format json
cli_same "blank parameters" "/api/v1/alerts?by=&as_of=" alerts --db "$tmp/drop.db" --format json
E="as_of, days, lookback, threshold, min_events or by"
error "unknown parameter" 400 bad_parameter "unknown parameter \\\"window\\\": expected $E" "/api/v1/alerts?window=3"
error "parameter twice" 400 bad_parameter 'parameter \"days\" given twice' "/api/v1/alerts?days=3&days=4"
error "days 0" 400 bad_parameter 'days: expected a number from 1 to 3660, got \"0\"' "/api/v1/alerts?days=0"
error "days sign" 400 bad_parameter 'days: expected a number from 1 to 3660, got \"+3\"' "/api/v1/alerts?days=%2B3"
error "days past look-back" 400 bad_parameter "days: expected 1 to 180 (the look-back), got 181" "/api/v1/alerts?days=181"
error "lookback" 400 bad_parameter 'lookback: expected a number from 28 to 3660, got \"5\"' "/api/v1/alerts?lookback=5"
error "min_events" 400 bad_parameter 'min_events: expected a number from 1 to 1000000000, got \"x\"' "/api/v1/alerts?min_events=x"
error "threshold" 400 bad_parameter 'threshold: expected a number in (0, 1], got \"1.01\"' "/api/v1/alerts?threshold=1.01"
error "as_of" 400 bad_parameter 'as_of: expected a date YYYY-MM-DD, got \"yesterday\"' "/api/v1/alerts?as_of=yesterday"
error "by empty item" 400 bad_parameter "by: expected up to 8 comma-separated dimensions" "/api/v1/alerts?by=segment,,region"
error "by unknown" 400 bad_parameter '--by: unknown dimension \"colour\": expected a column of cases.csv or cohort_month, cohort_quarter, cohort_year, age_bucket' "/api/v1/alerts?by=colour"
error "by too large" 400 limit_exceeded '--by: the drill-down of 6946 values over 3660 days is too large; name fewer dimensions or shorten the look-back' "/api/v1/alerts?by=case_id,debtor_id&lookback=3660"
req "post is not allowed" 405 /api/v1/alerts --data-binary x
kill -TERM "$pid"
wait "$pid" 2>/dev/null

# --- an ingest changes the answer ---
run "import clean" 0 "$ink" import "$tmp/clean" --db "$tmp/clean.db"
start serve --db "$tmp/clean.db" --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
req "before ingest" 200 /api/v1/alerts &&
    pycheck "before ingest: no alert" "$tmp/body" 'assert r["alerts"] == [], r["alerts"]'
auth=(-H "Authorization: Bearer s3cret")
req "post payments" 200 /api/v1/payments -H "Content-Type: text/csv" \
    --data-binary $'payment_id,case_id,paid_on,amount,currency\nX1,C00001,2025-06-30,250000,EUR\n' &&
    has "post accepted" "$tmp/body" '{"accepted":1,"rejected":[]}'
auth=()
req "after ingest" 200 /api/v1/alerts && cp "$tmp/body" "$tmp/after.json" &&
    pycheck "after ingest: collected up" "$tmp/body" '
a = [x for x in r["alerts"] if x["series"] == "collected_amount"]
assert len(a) == 1, r["alerts"]
a = a[0]
assert a["since"] == "2025-06-30" and a["until"] == "2025-06-30", a
assert a["direction"] == "up" and a["currency"] == "EUR", a
assert a["observed"] > 250000, a'
kill -TERM "$pid"
wait "$pid" 2>/dev/null
"$ink" alerts --db "$tmp/clean.db" --format json >"$tmp/cli" &&
    same_file "after ingest equals the store" "$tmp/after.json" "$tmp/cli"

finish alerts
