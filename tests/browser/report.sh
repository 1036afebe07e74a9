#!/usr/bin/env bash
# inkasso report without a browser: usage errors, failures that leave no
# file, the embedded data (equal to inkasso kpi), escaping, replacement.
#   bash report.sh INKASSO TESTS_DIR
set -uo pipefail
ink=$1
data=$2/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }
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
assert d["extra"] == {}
PY
grep -q "<title>inkasso report, as of 2025-04-05</title>" "$tmp/r.html" && ok || fail "title names the as-of"

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

echo "report: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
