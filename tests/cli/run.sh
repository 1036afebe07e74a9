#!/usr/bin/env bash
# CLI tests: stdout, stderr and exit status of every command and error path.
# usage: run.sh INKASSO_BINARY TESTS_DIR
set -u
ink=$1
tests=$2
data=$tests/data
expected=$tests/cli/expected
. "$tests/lib/suite.sh"

equals() { # NAME FILE TEXT: FILE is exactly TEXT and a newline
    printf '%s\n' "$3" >"$tmp/want"
    same_file "$1" "$2" "$tmp/want"
}

# --- dispatch, help and usage errors ---
run "no arguments" 2 "$ink" && has "no arguments" "$tmp/err" "usage: inkasso <command>"
run "--help" 0 "$ink" --help && has "--help" "$tmp/out" "usage: inkasso <command>"
run "help check" 0 "$ink" help check && has "help check" "$tmp/out" "usage: inkasso check DIR"
run "check --help" 0 "$ink" check --help && has "check --help" "$tmp/out" "--rejects FILE"
run "help gen" 0 "$ink" help gen && has "help gen" "$tmp/out" "usage: inkasso gen"
run "version" 0 "$ink" version && has "version" "$tmp/out" "inkasso 0."
run "unknown command" 2 "$ink" frobnicate &&
    has "unknown command" "$tmp/err" "inkasso: unknown command 'frobnicate'"
run "help unknown" 2 "$ink" help frobnicate &&
    has "help unknown" "$tmp/err" "inkasso: unknown command 'frobnicate'"
run "check without folder" 2 "$ink" check &&
    has "check without folder" "$tmp/err" "inkasso: check needs a portfolio folder"
run "check two folders" 2 "$ink" check a b &&
    has "check two folders" "$tmp/err" "check takes one folder"
run "check bad format" 2 "$ink" check --format xml "$data/valid" &&
    has "check bad format" "$tmp/err" '--format: expected text or json, got "xml"'
run "check bad threads" 2 "$ink" check --threads 0 "$data/valid" &&
    has "check bad threads" "$tmp/err" "--threads: expected a number from 1 to 64"
run "check unknown option" 2 "$ink" check --frob "$data/valid" &&
    has "check unknown option" "$tmp/err" "unknown option '--frob'"
run "check missing value" 2 "$ink" check "$data/valid" --rejects &&
    has "check missing value" "$tmp/err" "option '--rejects' needs a value"

# --- check on valid data: the summary, every number checked by hand ---
run "check valid" 0 "$ink" check "$data/valid" &&
    same_file "check valid" "$tmp/out" "$expected/check_valid.txt"
is_empty "check valid stderr" "$tmp/err"
run "check valid json" 0 "$ink" check --format json --threads 2 "$data/valid" &&
    same_file "check valid json" "$tmp/out" "$expected/check_valid.json"

# --- invalid data: message with file:line:column, exit 3, no stdout ---
run "check invalid" 3 "$ink" check "$data/invalid_payment" &&
    equals "check invalid stderr" "$tmp/err" \
        'inkasso: payments.csv:3:4: amount: expected a decimal with at most 4 decimals, got "12,50"'
is_empty "check invalid stdout" "$tmp/out"
run "check missing folder" 1 "$ink" check "$tmp/nowhere" &&
    equals "check missing folder" "$tmp/err" \
        "inkasso: cases.csv: missing file $tmp/nowhere/cases.csv"

# --- lenient mode: rejects file row for row, accounting in the summary ---
run "check lenient" 0 "$ink" check "$data/lenient" --rejects "$tmp/rejects.csv" &&
    same_file "check lenient rejects" "$tmp/rejects.csv" "$expected/lenient_rejects.csv"
has "check lenient summary" "$tmp/out" "cases.csv                 4            1            3"
has "check lenient reasons" "$tmp/out" "cases.csv      closed_before_opened   1"
[ ! -e "$tmp/rejects.csv.tmp" ] && passed=$((passed + 1)) || fail "rejects temp file left"
# Strict mode writes nothing, not even an old rejects file's replacement.
run "check strict writes nothing" 3 "$ink" check "$data/lenient"
[ ! -e "$tmp/none.csv" ] && passed=$((passed + 1)) || fail "strict mode wrote a file"
run "rejects unwritable" 1 "$ink" check "$data/lenient" --rejects "$tmp/no/dir/r.csv" &&
    has "rejects unwritable" "$tmp/err" "cannot write"

# --- gen: deterministic, valid per the contract, usage errors ---
run "gen" 0 "$ink" gen "$tmp/g1" --cases 300 --seed 5
run "gen again" 0 "$ink" gen "$tmp/g2" --cases 300 --seed 5
for f in cases.csv payments.csv contacts.csv costs.csv; do
    same_file "gen deterministic $f" "$tmp/g1/$f" "$tmp/g2/$f"
done
run "gen other seed" 0 "$ink" gen "$tmp/g3" --cases 300 --seed 6
if cmp -s "$tmp/g1/contacts.csv" "$tmp/g3/contacts.csv"; then
    fail "gen: seeds 5 and 6 gave the same contacts"
else
    passed=$((passed + 1))
fi
run "gen output is valid" 0 "$ink" check --format json "$tmp/g1" &&
    has "gen output is valid" "$tmp/out" '"file":"cases.csv","present":true' &&
    has "gen cases" "$tmp/out" '"accepted":300,"rejected":0'
run "gen output strict" 0 "$ink" check "$tmp/g3"
run "gen without folder" 2 "$ink" gen
run "gen bad cases" 2 "$ink" gen "$tmp/g4" --cases abc
run "gen zero cases" 2 "$ink" gen "$tmp/g4" --cases 0

# --- kpi and curve: usage errors, the currency rule, outputs ---
run "help kpi" 0 "$ink" help kpi && has "help kpi" "$tmp/out" "usage: inkasso kpi DIR"
run "help curve" 0 "$ink" help curve && has "help curve" "$tmp/out" "usage: inkasso curve DIR"
run "kpi without folder" 2 "$ink" kpi &&
    has "kpi without folder" "$tmp/err" "kpi needs a portfolio folder"
run "kpi bad format" 2 "$ink" kpi --format xml "$data/valid" &&
    has "kpi bad format" "$tmp/err" '--format: expected table, json or csv, got "xml"'
run "kpi bad date" 2 "$ink" kpi --as-of 2025-02-30 "$data/valid" &&
    has "kpi bad date" "$tmp/err" '--as-of: expected a date YYYY-MM-DD, got "2025-02-30"'
run "kpi from without to" 2 "$ink" kpi --from 2025-01-01 "$data/valid" &&
    has "kpi from without to" "$tmp/err" "--from and --to go together"
run "kpi bad window" 2 "$ink" kpi --windows 30,x "$data/valid" &&
    has "kpi bad window" "$tmp/err" '--windows: expected days from 0 to 36500, got "x"'
run "kpi window twice" 2 "$ink" kpi --windows 30,30 --by currency "$data/valid" &&
    equals "kpi window twice" "$tmp/err" "inkasso: --windows: 30 named twice"
run "kpi dim twice" 2 "$ink" kpi --by currency,currency "$data/valid" &&
    equals "kpi dim twice" "$tmp/err" 'inkasso: --by: dimension "currency" named twice'
run "kpi unknown dim" 2 "$ink" kpi --by colour "$data/valid" &&
    has "kpi unknown dim" "$tmp/err" 'unknown dimension "colour"'
run "kpi mixed currencies" 3 "$ink" kpi "$data/valid" &&
    equals "kpi mixed currencies" "$tmp/err" \
        "inkasso: the portfolio mixes currencies (CHF and EUR): amounts of different currencies are never added; group by currency with --by currency"
is_empty "kpi mixed currencies stdout" "$tmp/out"
run "kpi mixed group" 3 "$ink" kpi --by segment "$data/valid" &&
    has "kpi mixed group" "$tmp/err" "group {segment: B2C} mixes currencies (CHF and EUR)"
run "kpi invalid data" 3 "$ink" kpi "$data/invalid_payment" &&
    has "kpi invalid data" "$tmp/err" "payments.csv:3:4: amount:"
# Every number of this report was checked by hand against the fixture.
run "kpi json" 0 "$ink" kpi --by currency --format json "$data/valid" &&
    same_file "kpi json" "$tmp/out" "$expected/kpi_valid_by_currency.json"
run "kpi json threads" 0 "$ink" kpi --by currency --format json --threads 3 "$data/valid" &&
    same_file "kpi json threads" "$tmp/out" "$expected/kpi_valid_by_currency.json"
run "kpi csv" 0 "$ink" kpi --by currency --format csv "$data/valid" &&
    has "kpi csv header" "$tmp/out" "row,currency,cases,open_cases,resolved_cases,currency,placed_amount" &&
    has "kpi csv row" "$tmp/out" "group,EUR,2,1,1,EUR,300.5,90.5,0.30116472545757073" &&
    has "kpi csv channels" "$tmp/out" "response_rate_email,response_rate_phone,response_rate_sms"
run "kpi table" 0 "$ink" kpi --by currency "$data/valid" &&
    has "kpi table success" "$tmp/out" "Success" &&
    has "kpi table amount" "$tmp/out" "2         1         1 EUR           300.50            90.50    30.1%" &&
    has "kpi table operations" "$tmp/out" "Operations"
# Readable at 100 columns, even with a wide grouping.
"$ink" kpi "$data/kpi_small" --by region,segment,age_bucket,cohort_month >"$tmp/wide"
width=$(awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }' "$tmp/wide")
[ "$width" -le 100 ] && passed=$((passed + 1)) || fail "kpi table is $width columns wide"
run "curve json" 0 "$ink" curve --by currency --step 30 --max 60 --format json "$data/valid" &&
    has "curve json EUR" "$tmp/out" '{"key":{"currency":"EUR"},"points":[{"day":0,"eligible_cases":2,"realization_rate":0},{"day":30,"eligible_cases":2,"realization_rate":0.30116472545757073}]}'
run "curve too many points" 2 "$ink" curve --step 1 --max 5000 "$data/valid" &&
    has "curve too many points" "$tmp/err" "at most 1023 points"

# Bucket and window edges (tests/data/kpi_edges/README.md has the sums).
run "kpi edges" 0 "$ink" kpi "$data/kpi_edges" --as-of 2025-06-30 --by age_bucket --format csv &&
    cut -d, -f1-15 "$tmp/out" >"$tmp/edges" &&
    cat >"$tmp/want" <<'EDGES'
row,age_bucket,cases,open_cases,resolved_cases,currency,placed_amount,collected_amount,recovery_rate,realization_rate_30d,eligible_cases_30d,realization_rate_60d,eligible_cases_60d,realization_rate_90d,eligible_cases_90d
group,0-30,2,2,0,EUR,200,15,0.075,0.05,2,0.075,2,0.075,2
group,181-365,2,2,0,EUR,200,0,0,0,1,0,1,0,1
group,31-90,2,2,0,EUR,200,0,0,0,2,0,2,0,2
group,366+,1,1,0,EUR,100,0,0,0,1,0,1,0,1
group,91-180,2,2,0,EUR,200,0,0,0,1,0,1,,0
group,unknown,1,1,0,EUR,100,0,0,0,1,0,1,0,1
total,,10,10,0,EUR,1000,15,0.015,0.0125,8,0.01875,8,0.021428571428571429,7
EDGES
same_file "kpi edges" "$tmp/edges" "$tmp/want"

# --- import and the store ---
run "help import" 0 "$ink" help import && has "help import" "$tmp/out" "usage: inkasso import DIR --db FILE"
run "import without db" 2 "$ink" import "$data/valid" &&
    has "import without db" "$tmp/err" "import needs --db FILE"
run "kpi folder and db" 2 "$ink" kpi "$data/valid" --db "$tmp/s.db" &&
    has "kpi folder and db" "$tmp/err" "kpi takes a folder or --db, not both"
run "import" 0 "$ink" import "$data/valid" --db "$tmp/s.db" &&
    equals "import counts" "$tmp/out" "$(printf '%s\n' \
        'cases.csv     3 new, 0 updated, 0 unchanged' \
        'payments.csv  3 new, 0 updated, 0 unchanged' \
        'contacts.csv  4 new, 0 updated, 0 unchanged' \
        'costs.csv     2 rows stored')"
run "import again" 0 "$ink" import "$data/valid" --db "$tmp/s.db" &&
    has "import again" "$tmp/out" "cases.csv     0 new, 0 updated, 3 unchanged" &&
    has "import again payments" "$tmp/out" "payments.csv  0 new, 0 updated, 3 unchanged"
run "kpi from store" 0 "$ink" kpi --db "$tmp/s.db" --by currency --format json &&
    same_file "kpi from store" "$tmp/out" "$expected/kpi_valid_by_currency.json"
run "curve from store" 0 "$ink" curve --db "$tmp/s.db" --by currency --format csv
cp "$tmp/out" "$tmp/curve_db"
run "curve from folder" 0 "$ink" curve "$data/valid" --by currency --format csv &&
    same_file "curve from store" "$tmp/curve_db" "$tmp/out"
# A case closed since: updated, and the KPIs follow.
mkdir -p "$tmp/v2" && cp "$data"/valid/*.csv "$tmp/v2/"
sed -i 's/^C2,D1,K1,B2B,utilities,"S\(.*\)",B,P1,agency1,2025-01-15,,200,EUR,,,$/C2,D1,K1,B2B,utilities,"S\1",B,P1,agency1,2025-01-15,,200,EUR,2025-02-20,settled,/' "$tmp/v2/cases.csv"
run "import update" 0 "$ink" import "$tmp/v2" --db "$tmp/s.db" &&
    has "import update" "$tmp/out" "cases.csv     0 new, 1 updated, 2 unchanged"
run "kpi after update" 0 "$ink" kpi --db "$tmp/s.db" --by currency --format csv &&
    has "kpi after update" "$tmp/out" "group,EUR,2,0,2,EUR,300.5,90.5"
# An invalid folder writes nothing.
cp "$tmp/s.db" "$tmp/before.db"
run "import invalid" 3 "$ink" import "$data/invalid_payment" --db "$tmp/s.db" &&
    has "import invalid" "$tmp/err" "payments.csv:3:4: amount:"
run "kpi after invalid import" 0 "$ink" kpi --db "$tmp/s.db" --by currency --format csv &&
    has "kpi after invalid import" "$tmp/out" "group,EUR,2,0,2,EUR,300.5,90.5"
# A folder valid alone that breaks the stored data: C1 in CHF while its
# stored payments are in EUR. Checked as a whole, rolled back.
mkdir -p "$tmp/v3"
printf 'case_id,debtor_id,segment,opened_on,amount,currency\nC1,D1,B2C,2025-01-10,100.50,CHF\n' >"$tmp/v3/cases.csv"
printf 'payment_id,case_id,paid_on,amount,currency\n' >"$tmp/v3/payments.csv"
printf 'contact_id,case_id,at,channel,direction,outcome\n' >"$tmp/v3/contacts.csv"
run "import conflicting" 3 "$ink" import "$tmp/v3" --db "$tmp/s.db" &&
    has "import conflicting" "$tmp/err" 'currency: expected CHF (the currency of case "C1"), got "EUR"'
run "kpi after conflicting import" 0 "$ink" kpi --db "$tmp/s.db" --by currency --format csv &&
    has "kpi after conflicting import" "$tmp/out" "group,EUR,2,0,2,EUR,300.5,90.5"
# A store from a newer inkasso is refused, not misread.
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('PRAGMA user_version=99'); c.commit()" "$tmp/new.db"
run "newer store" 3 "$ink" kpi --db "$tmp/new.db" &&
    has "newer store" "$tmp/err" "schema version 99 is newer than this inkasso's (2)"
# A store of schema 1 (no seq indexes) is migrated when opened.
cp "$tmp/s.db" "$tmp/v1.db"
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for t in ('cases', 'payments', 'contacts', 'costs'):
    c.execute('DROP INDEX %s_seq' % t)
c.execute('PRAGMA user_version=1')
c.commit()" "$tmp/v1.db"
run "migrate 1 to 2" 0 "$ink" kpi --db "$tmp/v1.db" --by currency --format csv &&
    has "migrated store reads" "$tmp/out" "group,EUR,2,0,2,EUR,300.5,90.5"
version=$(python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute('PRAGMA user_version').fetchone()[0],
      c.execute(\"SELECT count(*) FROM sqlite_master WHERE name LIKE '%_seq'\").fetchone()[0])" "$tmp/v1.db")
[ "$version" = "2 4" ] && passed=$((passed + 1)) || fail "migrated store: version and indexes \"$version\""
# Killed in the middle of an import: the store has all of it or none.
"$ink" gen "$tmp/big" --cases 20000 --seed 2 >/dev/null
"$ink" import "$tmp/big" --db "$tmp/k.db" >/dev/null 2>&1 &
pid=$!
sleep 0.3
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
run "store after kill" 0 "$ink" kpi --db "$tmp/k.db" --by currency --format csv &&
    total=$(awk -F, '$1 == "group" { n += $3 } END { print n + 0 }' "$tmp/out") &&
    { [ "$total" -eq 0 ] || [ "$total" -eq 20000 ]; } && passed=$((passed + 1)) ||
    fail "store after kill: $total cases, expected 0 or 20000"

finish cli
