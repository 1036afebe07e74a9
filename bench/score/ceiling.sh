#!/usr/bin/env bash
# The propensity model against the generator's own latent scores (issue 6):
# on generated portfolios, the held-out AUC of `inkasso score train`
# (boosted, logistic) next to the AUC of the generator's latent columns
# (`inkasso gen --truth-cases`: z, u, e and the replicas' p_pay, p_pay_30)
# on exactly the same held-out rows and labels, and the 5-fold
# cross-validated AUC of the model's score alone and with the latent
# columns added. See docs/gen.md, "The latent truth file".
# usage: bench/score/ceiling.sh [BUILD_DIR] [SEED] [CASES...]
#        (default: build-bench, seed 7, 20000 and 200000 cases)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build-bench}
seed=${2:-7}
shift $(($# > 2 ? 2 : $#))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(20000 200000)
work=${TMPDIR:-/tmp}/inkasso-bench-ceiling
mkdir -p "$work"
[ -x "$build/inkasso" ] || {
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" >/dev/null
}
bin=$build/inkasso
for cases in "${sizes[@]}"; do
    dir=$work/p$cases-s$seed
    if [ ! -f "$dir/truth_cases.csv" ]; then
        "$bin" gen "$dir" --cases "$cases" --seed "$seed" \
            --truth-cases "$dir/truth_cases.csv" >/dev/null
    fi
    json=$(python3 bench/score/ceiling.py "$bin" "$dir" "$dir/truth_cases.csv" \
        "$work/w$cases-s$seed" | tail -1)
    python3 - "$cases" "$seed" "$json" <<'EOF'
import json, sys
cases, seed, r = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
a = r["auc"]
print("== %s cases, seed %s: %d held-out rows (%d positive), snapshots %s"
      % (cases, seed, r["rows"], r["positive"], " ".join(r["test_snapshots"])))
print("%-34s %7s" % ("score on the held-out rows", "AUC"))
for k, name in [("boosted", "model: boosted"), ("logistic", "model: logistic"),
                ("p_pay_30", "latent: p_pay_30 (replicas)"),
                ("p_pay", "latent: p_pay (replicas)"),
                ("propensity", "latent: z"), ("willingness", "latent: u"),
                ("responsiveness", "latent: e")]:
    if k in a:
        print("%-34s %7.4f" % (name, a[k]))
print("%-34s %7s %8s" % ("5-fold CV on the held-out rows", "boosted", "logistic"))
for k, name in [("cv_model_only", "model score alone"),
                ("cv_latent_only", "latent columns alone"),
                ("cv_model_plus_latent", "model score + latent columns")]:
    print("%-34s %7.4f %8.4f" % (name, r[k]["boosted"], r[k]["logistic"]))
EOF
done
