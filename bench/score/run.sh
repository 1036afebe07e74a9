#!/usr/bin/env bash
# Propensity benchmark: train on a generated 1M-case portfolio (target:
# within 60 s on 2 cores) and score its open cases (target: 1M cases under
# 2 s). usage: bench/score/run.sh [BUILD_DIR] [CASES]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
cases=${2:-1000000}
work=${TMPDIR:-/tmp}/inkasso-bench-score
mkdir -p "$work"
[ -x "$build/inkasso" ] || {
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" >/dev/null
}
bin=$build/inkasso
[ -f "$work/p$cases/cases.csv" ] || "$bin" gen "$work/p$cases" --cases "$cases" --seed 1
echo "== train ($cases cases, 2 threads)"
/usr/bin/time -f "train: %e s wall, %M KiB peak" \
    "$bin" score train "$work/p$cases" --model "$work/p$cases.model" --threads 2 --timings \
    | sed -n '1,6p'
echo "== predict (2 threads)"
/usr/bin/time -f "predict: %e s wall, %M KiB peak" \
    "$bin" score predict "$work/p$cases" --model "$work/p$cases.model" --threads 2 --timings \
    >"$work/scores.csv"
echo "scored $(($(wc -l <"$work/scores.csv") - 1)) open cases"
