#!/usr/bin/env bash
# KPI benchmark: `inkasso kpi DIR --by ... --format json` end to end from CSV,
# against the same KPI set written as SQL in DuckDB (bench/kpi/, run with 2
# threads through the npm package @duckdb/node-api, installed into
# bench/kpi/node_modules for this benchmark only). Reports, per grouping, the
# best wall time and peak RSS of both, the ratios, where the time goes, and a
# cross-check of a few KPIs between the two outputs. Not part of the test
# suite.
#
# usage: bench/kpi.sh [CASES] [RUNS]    (default 1000000 cases, 5 runs each)
# env:   BENCH_DIR   where the data goes (default /tmp/inkasso-bench)
#        BYS         the --by lists to run, space-separated (default
#                    "currency,segment currency,segment,region,cohort_month";
#                    the generated data has EUR and CHF cases in both
#                    segments, and kpi.md makes a group that mixes currencies
#                    an error unless currency is a grouping column)
#        PROFILE=0   skip the extra profiling run of each side
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1000000}
runs=${2:-5}
bys=${BYS:-currency,segment currency,segment,region,cohort_month}
check_kpis=cases,placed_amount,collected_amount,recovery_rate,reachability_rate
command -v node >/dev/null || { echo "kpi.sh: node is needed for the DuckDB side" >&2; exit 1; }

if [ ! -d bench/kpi/node_modules/@duckdb/node-api ]; then
    echo "installing @duckdb/node-api into bench/kpi/node_modules"
    (cd bench/kpi && npm ci --no-audit --no-fund --loglevel=error)
fi
duck_version=$(node -e "console.log(require('./bench/kpi/node_modules/@duckdb/node-api/package.json').version)")

. bench/common.sh
bytes=$(cat "$dir"/*.csv | wc -c)
echo "portfolio: $dir, $bytes bytes of CSV"
echo "duckdb: @duckdb/node-api $duck_version, node $(node --version), 2 threads"
have_kpi=1
if ! "$ink" help kpi >/dev/null 2>&1; then
    have_kpi=0
    echo "inkasso kpi: MISSING in $ink (unknown command); running the DuckDB side only"
fi
# Warm the page cache so that runs measure the work, not the disk.
cat "$dir"/*.csv >/dev/null

tmp=$(mktemp -d /tmp/inkasso-kpi-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# run NAME OUT -- command...: one timed run; appends "wall rss cpu" to
# $tmp/NAME.runs (nothing on failure, with the error shown once).
run() {
    local name=$1 out=$2
    shift 3
    if /usr/bin/time -f "%e %M %U %S" -o "$tmp/time" "$@" >"$out" 2>"$tmp/err"; then
        read -r wall rss usr sys <"$tmp/time"
        echo "$wall $rss $(awk "BEGIN{print $usr + $sys}")" >>"$tmp/$name.runs"
        printf "  %-8s %6.2f s wall, %6.2f s CPU, %5d MB peak RSS\n" \
            "$name" "$wall" "$(awk "BEGIN{print $usr + $sys}")" $((rss / 1024))
    else
        echo "  $name FAILED: $(grep -v '^Command exited' "$tmp/err" | head -3)"
        return 1
    fi
}

# best NAME: "wall rss cpu" of the fastest run.
best() { sort -n "$tmp/$1.runs" | head -1; }

summary=()
for by in $bys; do
    echo
    echo "== --by $by"
    rm -f "$tmp"/*.runs
    tag=${by//,/_}
    ink_ok=$have_kpi duck_ok=1
    for i in $(seq "$runs"); do
        echo "run $i:"
        if [ "$ink_ok" = 1 ]; then
            run inkasso "$tmp/ink-$tag.json" -- \
                "$ink" kpi "$dir" --by "$by" --format json || ink_ok=0
        fi
        if [ "$duck_ok" = 1 ]; then
            run duckdb "$tmp/duck-$tag.json" -- \
                node bench/kpi/duckdb_kpi.mjs "$dir" --by "$by" --threads 2 || duck_ok=0
        fi
    done
    line="--by $by:"
    if [ "$duck_ok" = 1 ]; then
        read -r dw dr dc < <(best duckdb)
        printf "best duckdb:  %6.2f s wall, %6.2f s CPU, %5d MB peak RSS\n" "$dw" "$dc" $((dr / 1024))
        line+=$(printf " duckdb %.2f s %d MB" "$dw" $((dr / 1024)))
    fi
    if [ "$ink_ok" = 1 ]; then
        read -r iw ir ic < <(best inkasso)
        printf "best inkasso: %6.2f s wall, %6.2f s CPU, %5d MB peak RSS\n" "$iw" "$ic" $((ir / 1024))
        line+=$(printf ", inkasso %.2f s %d MB" "$iw" $((ir / 1024)))
    fi
    if [ "$duck_ok" = 1 ] && [ "$ink_ok" = 1 ]; then
        ratios=$(awk -v dw="$dw" -v dr="$dr" -v iw="$iw" -v ir="$ir" 'BEGIN {
            s = iw > 0 ? dw / iw : 0; m = ir / dr
            printf "inkasso %.1fx faster than duckdb (target >= 10x: %s), RSS %.2f of duckdb'"'"'s (target <= 0.5: %s)",
                   s, (s >= 10 ? "met" : "NOT met"), m, (m <= 0.5 ? "met" : "NOT met") }')
        echo "$ratios"
        line+=": $ratios"
        echo "cross-check ($check_kpis):"
        node bench/kpi/compare.mjs "$tmp/ink-$tag.json" "$tmp/duck-$tag.json" \
            --kpis "$check_kpis" | sed 's/^/  /' || true
        printf "  all KPIs: "
        node bench/kpi/compare.mjs "$tmp/ink-$tag.json" "$tmp/duck-$tag.json" | tail -1 || true
    fi
    summary+=("$line")

    if [ "${PROFILE:-1}" = 1 ]; then
        echo "where the time goes:"
        if [ "$duck_ok" = 1 ]; then
            node bench/kpi/duckdb_kpi.mjs "$dir" --by "$by" --threads 2 \
                --profile "$tmp/profile.json" 2>&1 >/dev/null | sed 's/^/  /'
        fi
        if [ "$ink_ok" = 1 ] && "$ink" help kpi 2>&1 | grep -q -- --timings; then
            echo "  inkasso kpi --timings:"
            "$ink" kpi "$dir" --by "$by" --format json --timings 2>&1 >/dev/null | sed 's/^/    /'
        fi
    fi
done

echo
echo "summary ($cases cases, $bytes bytes of CSV, best of $runs):"
printf '  %s\n' "${summary[@]}"
[ "$have_kpi" = 1 ] || echo "  inkasso kpi: missing (not built into $ink yet)"
echo "reproduce: BYS='$bys' bench/kpi.sh $cases $runs"
