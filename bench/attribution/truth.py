#!/usr/bin/env python3
"""Compares each attribution model's channel shares with the generator's
ground truth (`inkasso gen --truth FILE`).

usage: truth.py TRUTH_CSV ATTRIBUTION_CSV [--json OUT]

ATTRIBUTION_CSV is `inkasso attribute DIR --by currency --format csv` on
the generated folder (all models; the default horizon and touches). Per
model and channel: the share of conversions (all currencies) and of value
(EUR journeys only: values of two currencies do not add up), against the
truth's shares; per model the Spearman rank correlation of the shares
with the truth's (average ranks for ties) and the total absolute share
error, sum over channels of |model share - true share| (0 = exact,
2 = disjoint). The row `touches` is a baseline that is no model: each
channel's share of the touches.
"""
import csv
import json
import sys

CHANNELS = ["letter", "email", "sms", "phone", "push"]


def ranks(values):
    """Average ranks (1 = largest), as Spearman's rho with ties needs."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    r = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(a, b):
    """Pearson correlation of the ranks (Spearman 1904)."""
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    va = sum((x - ma) ** 2 for x in ra)
    vb = sum((y - mb) ** 2 for y in rb)
    return cov / (va * vb) ** 0.5 if va > 0 and vb > 0 else 0.0


def shares(amounts):
    total = sum(amounts.get(c, 0.0) for c in CHANNELS)
    return [amounts.get(c, 0.0) / total if total else 0.0 for c in CHANNELS]


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    truth_conv, truth_value, truth_cause = {}, {}, {}
    truth_rows = 0
    truth_eur_value = 0.0
    with open(argv[1], newline="") as f:
        for r in csv.DictReader(f):
            truth_rows += 1
            ch = r["channel"]
            truth_conv[ch] = truth_conv.get(ch, 0) + 1
            key = (ch, r["cause"])
            truth_cause[key] = truth_cause.get(key, 0) + 1
            if r["currency"] == "EUR":
                v = float(r["value"])
                truth_value[ch] = truth_value.get(ch, 0.0) + v
                truth_eur_value += v
    conv, value, touches, models = {}, {}, {}, []
    with open(argv[2], newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        col = {name: i for i, name in enumerate(header)}  # last wins
        group_currency = header.index("currency")  # the --by column
        for row in reader:
            m, ch = row[col["model"]], row[col["channel"]]
            if m not in models:
                models.append(m)
            c = float(row[col["conversions"]])
            conv.setdefault(m, {})[ch] = conv.get(m, {}).get(ch, 0.0) + c
            if m == models[0]:
                touches[ch] = touches.get(ch, 0) + int(row[col["contacts"]])
            if row[group_currency] == "EUR":
                v = float(row[col["value"]])
                value.setdefault(m, {})[ch] = value.get(m, {}).get(ch, 0.0) + v
    true_c, true_v = shares(truth_conv), shares(truth_value)
    result = {
        "truth": {
            "conversions": truth_rows,
            "eur_value": round(truth_eur_value, 4),
            "conversion_share": dict(zip(CHANNELS, true_c)),
            "value_share": dict(zip(CHANNELS, true_v)),
            "by_cause": {f"{k[0]}/{k[1]}": n for k, n in sorted(truth_cause.items())},
        },
        "attributed": {
            m: {
                "conversions": sum(conv[m].values()),
                "eur_value": round(sum(value.get(m, {}).values()), 4),
            }
            for m in models
        },
        "models": {},
    }
    rows = [(m, conv[m], value.get(m, {})) for m in models]
    rows.append(("touches", touches, touches))
    for m, c_amounts, v_amounts in rows:
        mc, mv = shares(c_amounts), shares(v_amounts)
        top = CHANNELS[max(range(len(CHANNELS)), key=lambda i: mc[i])]
        result["models"][m] = {
            "conversion_share": dict(zip(CHANNELS, mc)),
            "value_share": dict(zip(CHANNELS, mv)),
            "spearman": spearman(mc, true_c),
            "abs_error": sum(abs(x - y) for x, y in zip(mc, true_c)),
            "value_spearman": spearman(mv, true_v),
            "value_abs_error": sum(abs(x - y) for x, y in zip(mv, true_v)),
            "top": top,
        }
    true_top = CHANNELS[max(range(len(CHANNELS)), key=lambda i: true_c[i])]
    result["truth"]["top"] = true_top

    w = sys.stdout.write
    w(f"truth: {truth_rows} conversions, top channel {true_top}\n")
    w("conversion shares (%)   " + "".join(f"{c:>8}" for c in CHANNELS)
      + "   spearman abs.err    value: spearman abs.err\n")
    w(f"{'truth':22s}  " + "".join(f"{100 * x:8.1f}" for x in true_c) + "\n")
    for m, _, _ in rows:
        r = result["models"][m]
        w(f"{m:22s}  " + "".join(f"{100 * x:8.1f}" for x in r["conversion_share"].values())
          + f"   {r['spearman']:8.2f} {r['abs_error']:7.3f}"
          + f"           {r['value_spearman']:8.2f} {r['value_abs_error']:7.3f}\n")
    w("value shares, EUR (%)   " + "".join(f"{c:>8}" for c in CHANNELS) + "\n")
    w(f"{'truth':22s}  " + "".join(f"{100 * x:8.1f}" for x in true_v) + "\n")
    for m, _, _ in rows:
        r = result["models"][m]
        w(f"{m:22s}  " + "".join(f"{100 * x:8.1f}" for x in r["value_share"].values()) + "\n")
    if "--json" in argv:
        with open(argv[argv.index("--json") + 1], "w") as f:
            json.dump(result, f, indent=1)


if __name__ == "__main__":
    main(sys.argv)
