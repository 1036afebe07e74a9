#!/usr/bin/env bash
# Load benchmark: `inkasso check` on a generated portfolio of N cases
# (default 1,000,000, about 0.64 GB of CSV). Reports wall time, CSV MB/s,
# peak RSS and the time of each loading phase. Not part of the test suite.
#
# usage: bench/load.sh [CASES] [RUNS]     (env BENCH_DIR: where the data goes)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-1000000}
runs=${2:-5}

. bench/common.sh
bytes=$(cat "$dir"/*.csv | wc -c)
echo "portfolio: $dir, $bytes bytes of CSV"
# Warm the page cache so that runs measure parsing, not the disk.
cat "$dir"/*.csv >/dev/null

best=""
for i in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o /tmp/inkasso-bench.time \
        "$ink" check --timings "$dir" >/dev/null 2>/tmp/inkasso-bench.phases
    read -r wall rss </tmp/inkasso-bench.time
    echo "run $i: ${wall} s wall, $((rss / 1024)) MB peak RSS"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then
        best=$wall
        best_rss=$rss
        cp /tmp/inkasso-bench.phases /tmp/inkasso-bench.best
    fi
done
awk -v b="$bytes" -v t="$best" -v r="$best_rss" 'BEGIN {
    printf "best: %.2f s wall, %.0f MB/s of CSV, peak RSS %.0f MB (CSV %.0f MB)\n",
           t, b / t / 1e6, r / 1024, b / 1048576 }'
echo "phases of the best run:"
sed 's/^/  /' /tmp/inkasso-bench.best
