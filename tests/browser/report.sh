#!/usr/bin/env bash
# inkasso report without a browser: usage errors, failures that leave no
# file, the embedded data (equal to inkasso kpi), escaping, replacement.
#   bash report.sh INKASSO TESTS_DIR
set -uo pipefail
ink=$1
data=$2/data
. "$2/lib/suite.sh"
# expect STATUS STDERR_SUBSTRING -- ARGS...
expect() {
    local want=$1 msg=$2
    shift 3
    "$ink" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "inkasso $*: exit $got, want $want ($(cat "$tmp/err"))"
    elif [ -z "$msg" ] && [ -s "$tmp/err" ]; then
        fail "inkasso $*: unexpected stderr: $(cat "$tmp/err")"
    elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$tmp/err"; then
        fail "inkasso $*: stderr lacks '$msg': $(cat "$tmp/err")"
    else
        ok
    fi
}
# The embedded data of an HTML report as JSON on stdout.
embedded() {
    python3 - "$1" <<'PY'
import json, re, sys
html = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<script type="application/json" id="ink-data">(.*?)</script>', html, re.S)
print(json.dumps(json.loads(m.group(1)), sort_keys=True))
PY
}

small=$data/kpi_small
expect 2 "needs a portfolio folder or --db" -- report -o "$tmp/r.html"
expect 2 "report needs -o FILE" -- report "$small"
expect 2 "takes a folder or --db, not both" -- report "$small" --db x.db -o "$tmp/r.html"
expect 2 "unknown option '--by'" -- report "$small" --by region -o "$tmp/r.html"
expect 2 "option '-o' needs a value" -- report "$small" -o
expect 2 "--from and --to go together" -- report "$small" --from 2025-01-01 -o "$tmp/r.html"
expect 2 "--as-of: expected a date" -- report "$small" --as-of 2025-02-30 -o "$tmp/r.html"
expect 1 "cannot create $tmp/missing/r.html." -- report "$small" -o "$tmp/missing/r.html"
[ ! -e "$tmp/r.html" ] && ok || fail "a failed report left a file"
expect 0 "" -- "help" report
grep -q "usage: inkasso report" "$tmp/out" && ok || fail "help report prints the usage"

# A directory in the way: the rename fails, the temporary file is removed.
mkdir "$tmp/dir.html"
expect 1 "cannot write $tmp/dir.html" -- report "$small" -o "$tmp/dir.html"
[ -z "$(ls "$tmp" | grep '^dir.html\.')" ] && ok || fail "a temporary file was left: $(ls "$tmp")"

# The data embedded equals inkasso kpi, one report per view of the page
# (kpi_small has no handler column: one null group).
expect 0 "" -- report "$small" -o "$tmp/r.html"
embedded "$tmp/r.html" >"$tmp/data.json" || fail "no embedded data"
python3 - "$tmp/data.json" "$ink" "$small" <<'PY' && ok || fail "embedded data differs from inkasso kpi"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
ink, small = sys.argv[2], sys.argv[3]
def kpi(*by):
    out = subprocess.run([ink, "kpi", small, "--by", ",".join(by), "--format", "json"],
                         check=True, capture_output=True).stdout
    return json.loads(out)
assert sorted(d["kpi"]) == ["currency", "currency,age_bucket", "currency,cohort_month",
                            "currency,handler", "currency,region", "currency,risk_class",
                            "currency,sector", "currency,segment"], sorted(d["kpi"])
assert d["kpi"]["currency,handler"] == kpi("currency", "handler")
assert d["kpi"]["currency"] == kpi("currency")
assert d["kpi"]["currency,region"] == kpi("currency", "region")
assert d["params"] == {"as_of": "2025-04-05"}, d["params"]
curves = json.loads(subprocess.run([ink, "curve", small, "--by", "currency,cohort_month",
                                    "--format", "json"], check=True, capture_output=True).stdout)
assert d["curves"]["currency,cohort_month"] == curves
assert sorted(d["extra"]) == ["alerts", "owners"], sorted(d["extra"])
# The alerts panel's data: exactly inkasso alerts --format json (the
# answer of GET /api/v1/alerts) at the report's as-of.
alerts = json.loads(subprocess.run([ink, "alerts", small, "--format", "json"], check=True,
                                   capture_output=True).stdout)
assert d["extra"]["alerts"] == alerts
assert len(alerts["alerts"]) == 7, len(alerts["alerts"])
# Without --owners: no verdicts, the built-in benchmarks.
assert d["extra"]["owners"]["owners"] == [], d["extra"]["owners"]
assert d["extra"]["owners"]["as_of"] == "2025-04-05"
assert len(d["extra"]["owners"]["benchmarks"]) == 5
PY
grep -q "<title>inkasso report, as of 2025-04-05</title>" "$tmp/r.html" && ok || fail "title names the as-of"

# --owners: the verdicts of inkasso kpi --owners, embedded for the
# missed-targets list; a bad file fails before anything is written.
printf '%s\n' '[recovery_rate]' 'owner  = Anna' 'target = >= 99%' 'action = Call every debtor' '' \
    '[avg_days_to_resolution]' 'owner  = Ops' 'target = <= 1000' 'action = Nothing' >"$tmp/owners.conf"
expect 0 "" -- report "$small" --owners "$tmp/owners.conf" -o "$tmp/o.html"
embedded "$tmp/o.html" >"$tmp/data.json" || fail "no embedded data"
python3 - "$tmp/data.json" "$ink" "$small" "$tmp/owners.conf" <<'PY' && ok || fail "embedded owners differ from inkasso kpi --owners"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
out = subprocess.run([sys.argv[2], "kpi", sys.argv[3], "--by", "currency", "--owners", sys.argv[4],
                      "--format", "json"], capture_output=True).stdout
want = json.loads(out)["owners"]
got = d["extra"]["owners"]["owners"]
assert got == want, (got, want)
assert [(v["kpi"], v["status"]) for v in got] == [("recovery_rate", "missed"),
                                                  ("avg_days_to_resolution", "met")], got
assert got[0]["owner"] == "Anna" and got[0]["action"] == "Call every debtor"
PY
printf '%s\n' '[recovry_rate]' 'owner = A' 'target = >= 1%' 'action = B' >"$tmp/bad.conf"
expect 3 'unknown KPI "recovry_rate"' -- report "$small" --owners "$tmp/bad.conf" -o "$tmp/bad.html"
[ ! -e "$tmp/bad.html" ] && ok || fail "a bad owners file left a report"
expect 1 "cannot open" -- report "$small" --owners "$tmp/none.conf" -o "$tmp/bad.html"
expect 2 "option '--owners' needs a value" -- report "$small" -o "$tmp/bad.html" --owners
printf '%s\n' '[recovery_rate partner=x]' 'owner = A' 'target = >= 1%' 'action = B' >"$tmp/dim.conf"
expect 3 'unknown dimension "partner"' -- report "$small" --owners "$tmp/dim.conf" -o "$tmp/bad.html"
[ ! -e "$tmp/bad.html" ] && ok || fail "an owners file naming an unknown dimension left a report"

# --as-of, --from and --to are the report's fixed filters.
expect 0 "" -- report "$small" --as-of 2025-02-28 --from 2025-01-01 --to 2025-01-31 -o "$tmp/r.html"
embedded "$tmp/r.html" >"$tmp/data.json"
python3 - "$tmp/data.json" "$ink" "$small" <<'PY' && ok || fail "the filters are not those of inkasso kpi"
import json, subprocess, sys
d = json.load(open(sys.argv[1]))
out = subprocess.run([sys.argv[2], "kpi", sys.argv[3], "--by", "currency", "--as-of", "2025-02-28",
                      "--from", "2025-01-01", "--to", "2025-01-31", "--format", "json"],
                     check=True, capture_output=True).stdout
assert d["kpi"]["currency"] == json.loads(out)
assert d["params"] == {"as_of": "2025-02-28", "from": "2025-01-01", "to": "2025-01-31"}, d["params"]
PY

# A value that tries to close the data element: the file keeps exactly its
# own two closing script tags and the value comes back unchanged.
cp -r "$small" "$tmp/evil"
sed -i 's/^C2,D1,B2C,Süd,/C2,D1,B2C,"<\/script><script>alert(1)<\/script><!--",/' "$tmp/evil/cases.csv"
grep -q 'alert(1)' "$tmp/evil/cases.csv" && ok || fail "the fixture was not changed"
expect 0 "" -- report "$tmp/evil" -o "$tmp/evil.html"
n=$(grep -oi '</script' "$tmp/evil.html" | wc -l)
[ "$n" -eq 2 ] && ok || fail "the report has $n closing script tags, want 2"
grep -q '<!--' "$tmp/evil.html" && fail "a comment opener got through" || ok
embedded "$tmp/evil.html" | grep -qF '"region": "</script><script>alert(1)</script><!--"' && ok ||
    fail "the escaped value does not read back unchanged"

# Replacing an existing report.
echo old >"$tmp/r.html"
expect 0 "" -- report "$small" -o "$tmp/r.html"
grep -q "<!doctype html>" "$tmp/r.html" && ok || fail "the old file was not replaced"

finish report
