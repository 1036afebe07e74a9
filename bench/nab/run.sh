#!/bin/bash
# The NAB benchmark of the anomaly detector: builds the library (in
# build-nab, or $BUILD), runs bench/nab/nab_detect over every NAB series and
# scores both methods (robust, likelihood) with bench/nab/score.py next to
# the published table.
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
robust=(--period 0 --cycles 30 --window 1000 --smooth 1 --relative 1
        --dead-time 0.02)
# Method likelihood (docs/anomaly.md): two levels, contexts up to 3,
# short mean of 10 raw surprises against the last 1000 such means, the
# same dead time.
likelihood=(--method likelihood --levels 2 --order 3 --smooth 10
            --window 1000 --dead-time 0.02)

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target inkasso_lib >/dev/null
cc -std=c17 -O2 -Wall -Wextra -Wpedantic -Werror -D_GNU_SOURCE \
   -I"$root/include" "$here/nab_detect.c" "$build/libinkasso.a" \
   -lm -lpthread -lsqlite3 -o "$work/nab_detect"
for method in robust likelihood; do
    declare -n args=$method
    start=$(date +%s.%N)
    "$work/nab_detect" "$nab/data" "$work/$method" "${args[@]}"
    end=$(date +%s.%N)
    echo "$method: 58 files, $(cat "$nab"/data/*/*.csv | wc -l) lines in" \
         "$(echo "$end - $start" | bc) s"
    python3 "$here/score.py" --nab "$nab" --results "$work/$method" \
        --detector inkasso --json --per-file "$work/$method/inkasso" \
        > "$work/$method.json"
done
python3 - "$nab/results/final_results.json" "$work/robust.json" \
    "$work/likelihood.json" <<'PY'
import json, sys
pub = json.load(open(sys.argv[1]))
rows = [(d, v["standard"], v["reward_low_FP_rate"], v["reward_low_FN_rate"])
        for d, v in pub.items()]
ours = {}
for name, path in (("inkasso robust", sys.argv[2]),
                   ("inkasso likelihood", sys.argv[3])):
    o = ours[name] = json.load(open(path))
    rows.append((name + " *", o["standard"]["score"],
                 o["reward_low_FP_rate"]["score"],
                 o["reward_low_FN_rate"]["score"]))
rows.sort(key=lambda r: -r[1])
print("%-22s %9s %9s %9s" % ("detector", "standard", "low_FP", "low_FN"))
for r in rows:
    print("%-22s %9.2f %9.2f %9.2f" % r)
print("* this run")
for name, o in ours.items():
    for p, v in o.items():
        print("%s %s: threshold %r, raw %.4f" % (name, p, v["threshold"],
                                                 v["raw"]))
PY
echo "per-file scores: $work/{robust,likelihood}/inkasso/"
if [ "${1:-}" = "--selftest" ]; then
    python3 "$here/score.py" --nab "$nab" --selftest "$work/gaussian"
fi
