#!/usr/bin/env bash
# Times every attribution model on a generated portfolio (default 1M
# cases, about 6M contacts) and measures how well each model's channel
# ranking agrees with the generator's true channel effects.
# usage: bench/attribution/run.sh INKASSO_BINARY [CASES] [WORKDIR]
set -eu
ink=$1
cases=${2:-1000000}
dir=${3:-/tmp/inkasso-bench-attribution-$cases}
[ -f "$dir/cases.csv" ] || "$ink" gen "$dir" --cases "$cases" >/dev/null
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

# Ranking against the generator's truth (docs/attribution.md derives it
# from src/gen/model.c): per valid touch, phone > letter > sms > push >
# email. Each model's ranking is by attributed conversions per contact.
"$ink" attribute "$dir" --format csv >"$dir/attribution.csv"
python3 - "$dir/attribution.csv" <<'PY'
import csv, sys
truth = ["phone", "letter", "sms", "push", "email"]
rows = list(csv.DictReader(open(sys.argv[1])))
models = []
for r in rows:
    if r["model"] not in models:
        models.append(r["model"])
def ranks(order):
    return {ch: i for i, ch in enumerate(order)}
t = ranks(truth)
print("model        Spearman  ranking (conversions per contact)")
for m in models:
    rate = {r["channel"]: float(r["conversions"]) / int(r["contacts"])
            for r in rows if r["model"] == m and int(r["contacts"]) > 0}
    order = sorted(rate, key=lambda c: -rate[c])
    got = ranks(order)
    n = len(truth)
    d2 = sum((t[c] - got[c]) ** 2 for c in truth)
    rho = 1 - 6 * d2 / (n * (n * n - 1))
    print(f"{m:12s} {rho:8.2f}  {' > '.join(order)}")
PY
