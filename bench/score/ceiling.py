#!/usr/bin/env python3
"""The propensity model's AUC against the generator's own latent scores.

usage: ceiling.py INKASSO DIR TRUTH_CASES WORKDIR [--horizon N] [--min-share P]
                  [--seed S] [--no-combined]

DIR is a portfolio written by `inkasso gen DIR ... --truth-cases TRUTH_CASES`.
The script trains both models with `inkasso score train` (defaults as
given), rebuilds exactly the held-out rows of its report with `inkasso
score predict --as-of` at every test snapshot (the rows are the same by
construction: the cases open on that date with something outstanding),
computes the label of each row from payments.csv as the model does
(collected in the `--horizon` days after the snapshot >= `--min-share` %
of what was outstanding on it), checks that its AUC of the model's
probabilities equals the reported one, and then computes on the same
rows and labels the AUC of every latent column of the truth file.

With the combined step (default), it also writes the held-out rows as a
table (the model's log-odds and the latent columns) and runs `inkasso
score train-table` on it: 5-fold cross-validated AUC of the model's score
alone and of the model's score together with the latent columns, i.e.
what knowing the generator's hidden traits adds to what the model already
knows.

Standard library only. Prints a JSON object on the last line.
"""
import csv
import json
import math
import os
import subprocess
import sys
from datetime import date, timedelta
from decimal import Decimal

LATENT = ["propensity", "willingness", "responsiveness", "p_pay", "p_pay_30"]


def units(text):
    """Money text to exact 1/10000 units."""
    return int(Decimal(text) * 10000)


def auc(scores, labels):
    """ROC AUC, ties counted half (Mann-Whitney with average ranks)."""
    pairs = sorted(zip(scores, labels))
    n = len(pairs)
    rank_sum = 0.0
    pos = 0
    i = 0
    while i < n:
        j = i
        while j < n and pairs[j][0] == pairs[i][0]:
            j += 1
        mean_rank = (i + 1 + j) / 2.0
        for k in range(i, j):
            if pairs[k][1]:
                rank_sum += mean_rank
                pos += 1
        i = j
    neg = n - pos
    if pos == 0 or neg == 0:
        raise SystemExit("ceiling.py: the held-out rows have one class only")
    return (rank_sum - pos * (pos + 1) / 2.0) / (pos * neg)


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit("ceiling.py: failed (%d): %s" %
                         (done.returncode, " ".join(cmd)))
    return done.stdout


def parse_report(text):
    snaps, reported = [], {}
    for line in text.splitlines():
        if line.startswith("Snapshots:"):
            words = line.split()[1:]
            for k, w in enumerate(words):
                if w == "(test)":
                    snaps.append(words[k - 1])
        parts = line.split()
        if len(parts) == 7 and parts[0] in ("boosted", "logistic"):
            reported[parts[0]] = {"auc": float(parts[1]), "rows": int(parts[5]),
                                  "positive": int(parts[6])}
    if not snaps or set(reported) != {"boosted", "logistic"}:
        raise SystemExit("ceiling.py: cannot read the report of score train")
    return snaps, reported


def main(argv):
    args = argv[1:]
    opts = {"--horizon": "30", "--min-share": "10", "--seed": "1"}
    combined = True
    pos = []
    i = 0
    while i < len(args):
        if args[i] in opts and i + 1 < len(args):
            opts[args[i]] = args[i + 1]
            i += 2
        elif args[i] == "--no-combined":
            combined = False
            i += 1
        else:
            pos.append(args[i])
            i += 1
    if len(pos) != 4:
        raise SystemExit(__doc__)
    ink, folder, truth_path, work = pos
    horizon, min_share = int(opts["--horizon"]), int(opts["--min-share"])
    os.makedirs(work, exist_ok=True)
    train_opts = ["--horizon", opts["--horizon"], "--min-share",
                  opts["--min-share"], "--seed", opts["--seed"]]

    # Both models; each run reports both, the file keeps --kind.
    models, snaps, reported = {}, None, None
    for kind in ("boosted", "logistic"):
        path = os.path.join(work, kind + ".model")
        out = run([ink, "score", "train", folder, "--model", path, "--kind",
                   kind] + train_opts)
        s, r = parse_report(out)
        if snaps is None:
            snaps, reported = s, r
        elif (s, r) != (snaps, reported):
            raise SystemExit("ceiling.py: two training runs disagree")
        models[kind] = path

    # Payments per case, exact.
    payments = {}
    with open(os.path.join(folder, "payments.csv"), newline="") as f:
        for r in csv.DictReader(f):
            payments.setdefault(r["case_id"], []).append(
                (r["paid_on"], units(r["amount"])))
    truth = {}
    with open(truth_path, newline="") as f:
        for r in csv.DictReader(f):
            truth[r["case_id"]] = r

    # The held-out rows: (snapshot, case) with the model's probability.
    rows = []
    for kind in ("boosted", "logistic"):
        k = 0
        for s in snaps:
            out = run([ink, "score", "predict", folder, "--model",
                       models[kind], "--as-of", s])
            end = (date.fromisoformat(s) + timedelta(days=horizon)).isoformat()
            for r in csv.DictReader(out.splitlines()):
                if kind == "boosted":
                    outstanding = units(r["outstanding"])
                    got = sum(a for d, a in payments.get(r["case_id"], [])
                              if s < d <= end)
                    rows.append({"snapshot": s, "case_id": r["case_id"],
                                 "label": int(got * 100 >=
                                              min_share * outstanding)})
                else:
                    if rows[k]["case_id"] != r["case_id"]:
                        raise SystemExit("ceiling.py: predict rows differ")
                rows[k][kind] = float(r["probability"])
                k += 1
    labels = [r["label"] for r in rows]
    result = {"rows": len(rows), "positive": sum(labels),
              "test_snapshots": snaps, "reported": reported, "auc": {}}
    if len(rows) != reported["boosted"]["rows"] or \
            sum(labels) != reported["boosted"]["positive"]:
        raise SystemExit("ceiling.py: %d rows, %d positive; the report has "
                         "%d, %d" % (len(rows), sum(labels),
                                     reported["boosted"]["rows"],
                                     reported["boosted"]["positive"]))
    for kind in ("boosted", "logistic"):
        a = auc([r[kind] for r in rows], labels)
        # The report rounds to 4 decimals, and predict prints probabilities
        # with 4: the ties that rounding makes move the AUC by up to a few
        # 1e-4 (0.000115 seen), so the rows are the same if it is within 1e-3.
        if abs(a - reported[kind]["auc"]) > 0.001:
            raise SystemExit("ceiling.py: %s AUC %.6f, reported %.4f" %
                             (kind, a, reported[kind]["auc"]))
        result["auc"][kind] = round(a, 4)
    missing = [r["case_id"] for r in rows if r["case_id"] not in truth]
    if missing:
        raise SystemExit("ceiling.py: %s not in the truth file" % missing[0])
    have = [c for c in LATENT if truth[rows[0]["case_id"]][c] != ""]
    for c in have:
        result["auc"][c] = round(
            auc([float(truth[r["case_id"]][c]) for r in rows], labels), 4)

    if combined:
        # Cross-validated on the held-out rows themselves: the model's
        # log-odds alone, then with the latent columns.
        def logit(p):
            return math.log(p / (1 - p))

        table = os.path.join(work, "heldout.csv")
        with open(table, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["model_logit"] + have + ["label"])
            for r in rows:
                t = truth[r["case_id"]]
                w.writerow(["%.6f" % logit(r["boosted"])] +
                           [t[c] for c in have] + [r["label"]])

        def cv(ignore):
            cmd = [ink, "score", "train-table", table, "--label", "label",
                   "--seed", opts["--seed"]]
            if ignore:
                cmd += ["--ignore", ",".join(ignore)]
            out = run(cmd)
            means = {}
            for line in out.splitlines():
                parts = line.split()
                if len(parts) >= 2 and parts[0] == "mean":
                    means = {"boosted": float(parts[1]),
                             "logistic": float(parts[2])}
            if not means:
                raise SystemExit("ceiling.py: cannot read train-table:\n" + out)
            return means

        result["cv_model_only"] = cv(have)
        result["cv_model_plus_latent"] = cv([])
        result["cv_latent_only"] = cv(["model_logit"])
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
