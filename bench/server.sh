#!/usr/bin/env bash
# Server benchmark: start-up time from a store of CASES cases, KPI query
# latency (p50/p99 of sequential requests) by segment and by
# segment,region,cohort_month, and durable ingest throughput with batches of
# 1,000 payment rows. Loopback only. Not part of the test suite.
# usage: bench/server.sh [CASES] [QUERIES] [BATCHES]
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-100000}
queries=${2:-200}
batches=${3:-20}
db=${BENCH_DIR:-/tmp/inkasso-bench}/store-$cases.db
tmp=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null; rm -rf "$tmp"' EXIT
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

# NAME PATH COLD: p50 and p99 of QUERIES sequential requests; with COLD=1
# each asks a different window, so none is answered from the cache.
latency() {
    for i in $(seq "$queries"); do
        local path=$2
        [ "$3" = 1 ] && path="$path&windows=30,60,$((90 + i))"
        curl -s -o /dev/null -w '%{time_total}\n' "$url$path"
    done | sort -n >"$tmp/lat"
    local n p50 p99
    n=$(wc -l <"$tmp/lat")
    p50=$(sed -n "$(( (n + 1) / 2 ))p" "$tmp/lat")
    p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" "$tmp/lat")
    echo "$1: p50 $(echo "$p50 * 1000" | bc) ms, p99 $(echo "$p99 * 1000" | bc) ms ($n requests)"
}
latency "kpi by currency,segment, computed" "/api/v1/kpi?by=currency,segment" 1
latency "kpi by currency,segment,region,cohort_month, computed" \
    "/api/v1/kpi?by=currency,segment,region,cohort_month" 1
latency "kpi by currency,segment, repeated (cached until the next ingest)" \
    "/api/v1/kpi?by=currency,segment" 0
latency "kpi by currency,segment,region,cohort_month, repeated" \
    "/api/v1/kpi?by=currency,segment,region,cohort_month" 0

# Ingest: BATCHES batches of 1,000 new payments on existing EUR cases.
case_id=$(sed -n '2p' "$dir/cases.csv" | cut -d, -f1)
currency=$(sed -n '2p' "$dir/cases.csv" | awk -F, '{ print $13 }')
for b in $(seq "$batches"); do
    {
        echo "payment_id,case_id,paid_on,amount,currency"
        for i in $(seq 1000); do echo "BENCH-$b-$i,$case_id,2025-06-30,1,$currency"; done
    } >"$tmp/batch$b.csv"
done
t0=$(date +%s.%N)
for b in $(seq "$batches"); do
    curl -s -o "$tmp/answer" -H "Authorization: Bearer bench-token" \
        -H "Content-Type: text/csv" --data-binary @"$tmp/batch$b.csv" \
        "$url/api/v1/payments"
    grep -q '"accepted":1000' "$tmp/answer" || { echo "batch $b: $(head -c 200 "$tmp/answer")"; exit 1; }
done
t1=$(date +%s.%N)
secs=$(echo "$t1 - $t0" | bc)
echo "ingest: $((batches * 1000)) rows in $batches batches of 1000 in $secs s: $(echo "$batches * 1000 / $secs" | bc) rows/s (durable: committed before each answer)"
