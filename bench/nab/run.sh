#!/bin/bash
# The NAB benchmark of the anomaly detector: builds the library (in
# build-nab, or $BUILD), runs bench/nab/nab_detect over every NAB series and
# scores the result with bench/nab/score.py next to the published table.
# Usage: bash bench/nab/run.sh [--selftest]
#   --selftest  also re-derives NAB's published windowedGaussian score
#               (about a minute) to show the scorer is exact.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
nab=${NAB:-$root/../shared/data/nab}
build=${BUILD:-$root/build-nab}
work=${WORK:-$(mktemp -d)}
# The configuration of the reported result (docs/anomaly.md says how it was
# chosen): no season, baseline = median of the last 30 samples, spread of
# the last 1000 residuals, surprise relative to the largest so far, dead
# time 2 % of the file after an alert.
args=(--period 0 --cycles 30 --window 1000 --smooth 1 --relative 1
      --dead-time 0.02)

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target inkasso_lib >/dev/null
cc -std=c17 -O2 -Wall -Wextra -Wpedantic -Werror -D_GNU_SOURCE \
   -I"$root/include" "$here/nab_detect.c" "$build/libinkasso.a" \
   -lm -lpthread -lsqlite3 -o "$work/nab_detect"
start=$(date +%s.%N)
"$work/nab_detect" "$nab/data" "$work/results" "${args[@]}"
end=$(date +%s.%N)
echo "detector: 58 files, $(cat "$nab"/data/*/*.csv | wc -l) lines in $(echo "$end - $start" | bc) s"
python3 "$here/score.py" --nab "$nab" --results "$work/results" \
    --detector inkasso --json --per-file "$work/results/inkasso" \
    > "$work/ours.json"
python3 - "$nab/results/final_results.json" "$work/ours.json" <<'PY'
import json, sys
pub = json.load(open(sys.argv[1]))
ours = json.load(open(sys.argv[2]))
rows = [(d, v["standard"], v["reward_low_FP_rate"], v["reward_low_FN_rate"])
        for d, v in pub.items()]
rows.append(("inkasso (this run)", ours["standard"]["score"],
             ours["reward_low_FP_rate"]["score"],
             ours["reward_low_FN_rate"]["score"]))
rows.sort(key=lambda r: -r[1])
print("%-22s %9s %9s %9s" % ("detector", "standard", "low_FP", "low_FN"))
for r in rows:
    print("%-22s %9.2f %9.2f %9.2f" % r)
for p, v in ours.items():
    print("inkasso %s: threshold %r, raw %.4f" % (p, v["threshold"], v["raw"]))
PY
echo "per-file scores: $work/results/inkasso/"
if [ "${1:-}" = "--selftest" ]; then
    python3 "$here/score.py" --nab "$nab" --selftest "$work/gaussian"
fi
