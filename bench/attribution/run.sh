#!/usr/bin/env bash
# Times every attribution model on a generated portfolio (default 1M
# cases, about 6M contacts) and measures how well each model's channel
# shares agree with the generator's ground truth (gen --truth).
# usage: bench/attribution/run.sh INKASSO_BINARY [CASES] [WORKDIR]
set -eu
ink=$1
cases=${2:-1000000}
dir=${3:-/tmp/inkasso-bench-attribution-$cases}
[ -f "$dir/cases.csv" ] && [ -f "$dir/truth.csv" ] ||
    "$ink" gen "$dir" --cases "$cases" --truth "$dir/truth.csv" >/dev/null
echo "portfolio: $dir ($cases cases)"
printf '%-11s %9s %9s %9s\n' model load journeys model
for m in first last linear time-decay position markov shapley; do
    t=$("$ink" attribute "$dir" --model "$m" --format csv --timings 2>&1 >/dev/null | tail -1)
    printf '%-11s %9s %9s %9s\n' "$m" \
        "$(sed -E 's/^load ([0-9.]+) s.*/\1/' <<<"$t")" \
        "$(sed -E 's/.*journeys ([0-9.]+) s.*/\1/' <<<"$t")" \
        "$(sed -E 's/.*models ([0-9.]+) s.*/\1/' <<<"$t")"
done
t=$("$ink" attribute "$dir" --model markov --order 3 --format csv --timings 2>&1 >/dev/null | tail -1)
echo "markov order 3: $t"

# Against the generator's ground truth (docs/gen.md, "The truth file"):
# per channel, the true share of conversions and of value against each
# model's, with Spearman's rho and the total absolute share error.
"$ink" attribute "$dir" --by currency --format csv >"$dir/attribution.csv"
python3 "$(dirname "$0")/truth.py" "$dir/truth.csv" "$dir/attribution.csv" \
    --json "$dir/truth-comparison.json"
