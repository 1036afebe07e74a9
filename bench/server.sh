#!/usr/bin/env bash
# Server benchmark: start-up time from a store of CASES cases, KPI query
# latency (p50/p99 of sequential requests, measured by wrk) by segment and
# by segment,region,cohort_month (from a kept view, and by one pass over
# the cases), durable ingest throughput with batches of 1,000 payment rows,
# and queries interleaved with ingests (bench/server/live.py). Loopback
# only. Not part of the test suite.
# usage: bench/server.sh [CASES]  (SECONDS_PER_RUN=10: each wrk run)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
db=${BENCH_DIR:-/tmp/inkasso-bench}/store-$cases.db
tmp=$(mktemp -d)
trap '[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
. bench/common.sh
if [ ! -f "$db" ]; then
    /usr/bin/time -f "import: %e s, %M KB peak RSS" "$ink" import "$dir" --db "$db" >/dev/null
fi
cp "$db" "$tmp/s.db"
printf 'bench-token' >"$tmp/token"
chmod 600 "$tmp/token"
start=$(date +%s.%N)
"$ink" serve --db "$tmp/s.db" --listen 127.0.0.1:0 --token-file "$tmp/token" >"$tmp/out" 2>"$tmp/err" &
pid=$!
url=
while [ -z "$url" ]; do
    url=$(sed -n 's/^listening on //p' "$tmp/out")
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/err"; exit 1; }
    sleep 0.01
done
echo "start-up: $(echo "$(date +%s.%N) - $start" | bc) s for $cases cases (store $(du -h "$db" | cut -f1))"

# Latency: one connection, requests one after another, for SECONDS each
# (wrk's own percentiles). COLD=1: each asks a different third window, so
# none is answered from the answer cache; COLD=2: each a different
# placement window (from=, to=).
seconds=${SECONDS_PER_RUN:-10}
latency() {
    printf '%s: ' "$1"
    QUERY=$2 COLD=$3 wrk -t1 -c1 -d"${seconds}s" -s bench/server/query.lua "$url" |
        sed -n 's/^requests/requests/p'
}
# One request, its time in ms.
once() {
    curl -s -o /dev/null -w '%{time_total}' "$url$1" | awk '{printf "%.1f ms", $1 * 1000}'
}
for by in currency,segment currency,segment,region,cohort_month; do
    q="/api/v1/kpi?by=$by"
    echo "kpi by $by: first query (one pass over the cases) $(once "$q&windows=30,60,89"), second (the grouping's view is made) $(once "$q&windows=30,60,88")"
    latency "kpi by $by, new windows each time (from the kept view)" "$q" 1
    latency "kpi by $by, new placement window each time (from the view)" "$q" 2
    latency "kpi by $by, repeated (answer cached until the next ingest)" "$q" 0
done

# Ingest: batches of 1,000 new payments on random stored cases, one after
# another on one connection, each committed before its answer.
python3 -c '
import csv, random, sys
rows = [(r["case_id"], r["currency"]) for r in csv.DictReader(open(sys.argv[1], newline=""))]
random.seed(1)
for c in random.sample(rows, min(100000, len(rows))):
    print(",".join(c))' "$dir/cases.csv" >"$tmp/cases"
printf 'ingest: '
CASES=$tmp/cases ROWS=1000 wrk -t1 -c1 -d"${seconds}s" -s bench/server/ingest.lua "$url" |
    sed -n 's/^batches/batches/p'
# A query right after those ingests: past an eighth of the cases changed
# without a query between, the facts and views are made again.
q="/api/v1/kpi?by=currency,segment"
echo "kpi by currency,segment after the ingests: first query $(once "$q&windows=30,60,87"), second $(once "$q&windows=30,60,86")"
latency "kpi by currency,segment after the ingests, new windows each time" "$q" 1
# Live: an ingest of 1,000 payments, then a query, in turn: each query
# brings the kept facts and views up to date with the batch before it.
for by in currency,segment currency,segment,region,cohort_month; do
    for kind in payments contacts; do
        printf 'live, kpi by %s after every ingest of 1,000 %s: ' "$by" "$kind"
        python3 bench/server/live.py "$url" bench-token "$tmp/cases" "$seconds" \
            "/api/v1/kpi?by=$by" 1000 "$kind"
    done
done
