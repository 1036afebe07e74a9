#!/usr/bin/env bash
# inkasso attribute and GET /api/v1/attribution: exit codes, usage errors,
# table, JSON and CSV on tests/data/attribution_small (DERIVATION.md),
# the published ChannelAttribution table read in place from
# $INK_SHARED/data, the store, and the route equal to the CLI.
# usage: run.sh INKASSO_BINARY TESTS_DIR
set -u
ink=$1
tests=$2
data=$tests/data/attribution_small
shared=${INK_SHARED:-$tests/../../shared}
. "$tests/lib/suite.sh"

usage() { # NAME MESSAGE ARGS...
    local name=$1 message=$2
    shift 2
    run "$name" 2 "$ink" attribute "$@" &&
        has "$name message" "$tmp/err" "inkasso: $message" &&
        has "$name hint" "$tmp/err" "Try 'inkasso help attribute'." &&
        is_empty "$name stdout" "$tmp/out"
}
# pycheck NAME FILE PYTHON, with the rows of the JSON by group, model and
# channel (rows, row()) beside r.
pycheck() {
    if python3 -c "import json, sys
r = json.load(open(sys.argv[1]))
rows = {(tuple(sorted(x['group'].items())), x['model'], x['channel']): x for x in r['rows']}
def row(model, channel, **group):
    return rows[(tuple(sorted(group.items())), model, channel)]
$3" "$2" 2>"$tmp/pyerr"; then ok; else
        fail "$1"
        sed 's/^/  /' "$tmp/pyerr" | tail -3
    fi
}

# --- help and usage errors ---
run "help" 0 "$ink" attribute --help && has "help" "$tmp/out" "usage: inkasso attribute DIR|--db FILE|--paths FILE"
run "help command" 0 "$ink" help attribute && has "help command" "$tmp/out" "--half-life X"
usage "no source" "attribute needs a portfolio folder, --db FILE or --paths FILE"
usage "two folders" "attribute takes one folder" "$data" "$data"
usage "folder and paths" "attribute takes one of a folder, --db and --paths" "$data" --paths x.csv
usage "unknown option" "unknown option '--colour'" "$data" --colour
usage "missing value" "option '--order' needs a value" "$data" --order
usage "model" '--model: expected all, first, last, linear, time-decay, position, markov or shapley, got "ucb"' "$data" --model ucb
usage "order" '--order: expected 1 to 4, got "5"' "$data" --order 5
usage "format" '--format: expected table, json or csv, got "xml"' "$data" --format xml
usage "horizon" '--horizon: expected days from 1 to 3650, got "0"' "$data" --horizon 0
usage "lookback" '--lookback: expected days from 0 to 3650, got "-1"' "$data" --lookback -1
usage "touches" '--touches: expected outcomes among invalid, no_response, delivered, responded, got "opened"' "$data" --touches opened
usage "half-life" '--half-life: expected a number above 0, got "0"' "$data" --half-life 0
usage "position" '--position: expected F,L with shares of at least 0 summing to at most 1, got "0.6,0.6"' "$data" --position 0.6,0.6
usage "samples" '--samples: expected 1 to 100000000, got "0"' "$data" --samples 0
usage "as-of" '--as-of: expected a date YYYY-MM-DD, got "2025-13-01"' "$data" --as-of 2025-13-01
usage "by empty" "--by: expected up to 4 comma-separated dimensions" "$data" --by segment,
usage "paths with by" "--by, --as-of, --horizon, --lookback and --touches need a portfolio, not --paths" --paths x.csv --by segment
run "unknown dimension" 2 "$ink" attribute "$data" --by colour &&
    has "unknown dimension" "$tmp/err" 'inkasso: --by: unknown dimension "colour"'
run "missing folder" 1 "$ink" attribute "$tmp/nowhere" && is_empty "missing folder stdout" "$tmp/out"
run "invalid data" 3 "$ink" attribute "$tests/data/invalid_payment" && has "invalid data" "$tmp/err" "payments.csv:"
run "missing paths" 1 "$ink" attribute --paths "$tmp/nowhere.csv" && has "missing paths" "$tmp/err" "nowhere.csv: cannot open"
printf 'path;total_conversions\nA > B;1\nA;one\n' >"$tmp/bad.csv"
run "bad paths" 3 "$ink" attribute --paths "$tmp/bad.csv" &&
    has "bad paths" "$tmp/err" "inkasso: $tmp/bad.csv:3:2: total_conversions: expected a non-negative decimal number, got \"one\""

# --- the fixture (tests/data/attribution_small/DERIVATION.md) ---
run "fixture json" 0 "$ink" attribute "$data" --format json && cp "$tmp/out" "$tmp/fixture.json" &&
    pycheck "fixture values" "$tmp/out" '
assert len(r["rows"]) == 7 * 4
assert row("first", "letter")["value"] == 100 and row("first", "phone")["value"] == 450
assert abs(row("markov", "letter")["conversions"] - 6 / 7) < 1e-6
assert abs(row("markov", "letter")["removal_effect"] - 0.75) < 1e-6
assert abs(row("shapley", "sms")["conversions"] + 2 / 9) < 1e-6
l = row("linear", "letter")
assert l["contacts"] == 3 and l["cost"] == 2.65 and l["currency"] == "EUR", l
assert abs(l["share"] - (5 / 6) / 2) < 1e-6, l
assert row("linear", "sms")["value_per_contact"] == 0
assert row("linear", "email")["removal_effect"] is None'
run "fixture by" 0 "$ink" attribute "$data" --by segment --model first --format json &&
    pycheck "fixture by" "$tmp/out" '
assert len(r["rows"]) == 2 * 4
assert row("first", "phone", segment="B2B")["value"] == 450
assert row("first", "letter", segment="B2C")["conversions"] == 1'
run "fixture csv" 0 "$ink" attribute "$data" --by segment --model markov --format csv &&
    has "csv header" "$tmp/out" "segment,model,channel,conversions,value,share,removal_effect,std_error,contacts,cost,value_per_contact,value_per_cost,currency" &&
    has "csv row" "$tmp/out" "B2B,markov,letter,0.5,225,0.5,1,0,1,0.95,225,236.842105,EUR"
run "fixture table" 0 "$ink" attribute "$data" --model first &&
    has "table head" "$tmp/out" "All journeys: 4 journeys, 2 conversions, value 550.00 EUR" &&
    has "table row" "$tmp/out" "first      letter               1.00         100.00   50.0%          3         2.65      33.33      37.74"
run "as-of" 0 "$ink" attribute "$data" --as-of 2025-01-11 --lookback 3 --model first --format json &&
    pycheck "as-of" "$tmp/out" 'assert row("first", "phone")["conversions"] == 1 and row("first", "phone")["value"] == 500'

# --- the store gives the same answer ---
run "import" 0 "$ink" import "$data" --db "$tmp/a.db"
run "db json" 0 "$ink" attribute --db "$tmp/a.db" --format json && same_file "db equals folder" "$tmp/out" "$tmp/fixture.json"

# --- ChannelAttribution's Data.csv, read in place: the published table ---
ca=$shared/data/channelattribution_Data.csv
if [ -f "$ca" ]; then
    run "published" 0 "$ink" attribute --paths "$ca" --format json &&
        pycheck "published table" "$tmp/out" '
first = {"eta": (3164, 11909.4762), "iota": (4606, 19597.2613), "alpha": (6308, 19121.2724), "beta": (2831, 12235.5917), "theta": (1606, 6652.3493), "lambda": (902, 3735.6022), "kappa": (74, 305.7432), "zeta": (27, 103.0040), "epsilon": (99, 412.3012), "gamma": (165, 718.9780), "delta": (1, 6.1190), "mi": (2, 5.2730)}
for ch, (c, v) in first.items():
    assert row("first", ch)["conversions"] == c and abs(row("first", ch)["value"] - v) <= 5.0001e-5, ch
last = {"eta": (4167, 16754.2038), "iota": (3355, 13487.9743), "alpha": (8447, 28414.2143), "beta": (989, 3850.0210), "theta": (653, 2799.0920), "lambda": (1207, 5249.9500), "kappa": (230, 1069.3843), "zeta": (107, 453.2608)}
for ch, (c, v) in last.items():
    assert row("last", ch)["conversions"] == c and abs(row("last", ch)["value"] - v) <= 5.0001e-5, ch
linear = {"eta": 3539.951157, "iota": 3857.096221, "alpha": 7574.718594, "beta": 2083.500145, "theta": 1022.801394, "lambda": 1035.257572, "kappa": 137.964078}
for ch, c in linear.items():
    assert abs(row("linear", ch)["conversions"] - c) < 5e-7, ch
markov = {"eta": 3340.85, "iota": 3884.61, "alpha": 5344.95, "beta": 2527.35, "theta": 1971.91, "lambda": 1282.85, "kappa": 274.36, "zeta": 381.06, "epsilon": 599.57, "gamma": 171.15, "delta": 4.61, "mi": 1.72}
for ch, c in markov.items():
    assert abs(row("markov", ch)["conversions"] - c) < 0.005, ch'
else
    fail "published: $ca not found (set INK_SHARED)"
fi

# --- GET /api/v1/attribution ---
start serve --db "$tmp/a.db" --listen 127.0.0.1:0
if [ -n "$url" ]; then
    cli_same "route equals CLI" /api/v1/attribution attribute --db "$tmp/a.db" --format json
    cli_same "route options" "/api/v1/attribution?model=markov&order=2&by=segment,region&horizon=10&lookback=20" attribute --db "$tmp/a.db" \
        --model markov --order 2 --by segment,region --horizon 10 --lookback 20 --format json
    cli_same "route cached" "/api/v1/attribution?lookback=20&horizon=10&by=segment,region&order=2&model=markov" attribute --db "$tmp/a.db" \
        --model markov --order 2 --by segment,region --horizon 10 --lookback 20 --format json
    cli_same "route decay" "/api/v1/attribution?model=time-decay&half_life=2.5&as_of=2025-01-11" attribute --db "$tmp/a.db" \
        --model time-decay --half-life 2.5 --as-of 2025-01-11 --format json
    cli_same "route position" "/api/v1/attribution?model=position&position=0.3,0.5&samples=10" attribute --db "$tmp/a.db" \
        --model position --position 0.3,0.5 --samples 10 --format json
    cli_same "blank parameters" "/api/v1/attribution?by=&as_of=" attribute --db "$tmp/a.db" --format json
    E="model, order, by, as_of, horizon, lookback, half_life, position or samples"
    error "unknown parameter" 400 bad_parameter "unknown parameter \\\"colour\\\": expected $E" "/api/v1/attribution?colour=1"
    error "twice" 400 bad_parameter 'parameter \"order\" given twice' "/api/v1/attribution?order=1&order=2"
    error "model" 400 bad_parameter 'model: expected all, first, last, linear, time-decay, position, markov or shapley, got \"ucb\"' "/api/v1/attribution?model=ucb"
    error "order" 400 bad_parameter 'order: expected 1 to 4, got \"9\"' "/api/v1/attribution?order=9"
    error "as_of" 400 bad_parameter 'as_of: expected a date YYYY-MM-DD, got \"today\"' "/api/v1/attribution?as_of=today"
    error "horizon" 400 bad_parameter 'horizon: expected days from 1 to 3650, got \"0\"' "/api/v1/attribution?horizon=0"
    error "lookback" 400 bad_parameter 'lookback: expected days from 0 to 3650, got \"x\"' "/api/v1/attribution?lookback=x"
    error "half_life" 400 bad_parameter 'half_life: expected a number above 0, got \"-1\"' "/api/v1/attribution?half_life=-1"
    error "samples" 400 bad_parameter 'samples: expected 1 to 100000000, got \"0\"' "/api/v1/attribution?samples=0"
    error "position" 400 bad_parameter 'position: expected F,L with shares of at least 0 summing to at most 1, got \"0.5\"' "/api/v1/attribution?position=0.5"
    error "by empty" 400 bad_parameter "by: expected up to 4 comma-separated dimensions" "/api/v1/attribution?by=segment,,region"
    error "by unknown" 400 bad_parameter '--by: unknown dimension \"colour\": expected a text column of cases.csv, segment or close_reason' "/api/v1/attribution?by=colour"
    req "post" 405 /api/v1/attribution -d x
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null
fi

finish attribution
