#!/usr/bin/env python3
"""The Numenta Anomaly Benchmark (NAB) scoring, standard library only.

Re-implements, from NAB's own code (github.com/numenta/NAB, nab/scorer.py,
nab/optimizer.py, nab/runner.py, nab/sweeper.py; the data is at commit
ea702d75), what `run.py --optimize --score --normalize` does:

- probationary period: the first min(floor(0.15 n), 0.15 * 5000) rows of
  a file of n rows are not scored (sweeper._getProbationaryLength);
- a row is a detection when its anomaly_score >= threshold
  (util.convertAnomalyScoresToDetections);
- each labelled window scores once: +tpWeight * S(p) / S(-1) for its
  earliest detection, p = -(last index - index + 1) / window length, or
  -fnWeight when nothing in it was detected (scorer.getScore);
- a detection outside every window costs fpWeight * S(p), p = (index -
  last index of the preceding window) / (its length - 1), or -fpWeight
  when no window precedes it; S(x) = 2 sigmoid(-5x) - 1, and -1 for x > 3;
- the threshold is optimised per profile over the whole corpus (the
  optimizer), then each file is scored at it;
- normalised score = 100 (raw - null) / (perfect - null), where perfect is
  the number of windows times tpWeight and null the raw score of a detector
  that never fires, -(windows * fnWeight) (runner.normalize).

Usage:
  score.py --nab DIR --results DIR --detector NAME [--threshold T]
           [--profile P] [--per-file OUT_DIR] [--quiet]
  score.py --nab DIR --gaussian OUT_RESULTS_DIR
      writes windowedGaussian results (the validation detector) in NAB's
      layout under OUT_RESULTS_DIR/windowedGaussian/.
  score.py --nab DIR --selftest
      validates this scorer against NAB's published windowedGaussian output.
"""
import argparse
import csv
import datetime
import json
import math
import os
import sys

PROBATION_PERCENT = 0.15


def parse_ts(text):
    text = text.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            pass
    raise ValueError("bad timestamp %r" % text)


def probation_length(n):
    # sweeper._getProbationaryLength: min(floor(p n), p 5000)
    return min(math.floor(PROBATION_PERCENT * n), PROBATION_PERCENT * 5000)


def scaled_sigmoid(x):
    if x > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


def read_series(path):
    """[(timestamp text, value text)] of a NAB data csv."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return [(r[0], r[1]) for r in rows[1:] if r]


def data_files(nab):
    """Relative paths ("category/file.csv") of every NAB data file."""
    root = os.path.join(nab, "data")
    out = []
    for cat in sorted(os.listdir(root)):
        d = os.path.join(root, cat)
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".csv"):
                out.append(cat + "/" + name)
    return out


class FileInfo:
    """The windows and the per-row facts the scorer needs for one file."""

    def __init__(self, rel, timestamps, windows):
        self.rel = rel
        self.n = len(timestamps)
        self.probation = probation_length(self.n)
        ts = [parse_ts(t) for t in timestamps]
        # windows as index ranges [first, last], in time order
        self.windows = []
        for start, end in sorted(windows, key=lambda w: parse_ts(w[0])):
            t1, t2 = parse_ts(start), parse_ts(end)
            idx = [i for i, t in enumerate(ts) if t1 <= t <= t2]
            if idx:
                self.windows.append((idx[0], idx[-1]))
        self.label = [0] * self.n
        self.window_of = [-1] * self.n  # window index of a labelled row
        self.preceding = [-1] * self.n  # last window ending before the row
        for w, (a, b) in enumerate(self.windows):
            for i in range(a, b + 1):
                self.label[i] = 1
                self.window_of[i] = w
        last = -1
        wi = 0
        for i in range(self.n):
            while wi < len(self.windows) and self.windows[wi][1] < i:
                last = wi
                wi += 1
            self.preceding[i] = last


def fp_cost(info, i, cost):
    w = info.preceding[i]
    if w == -1:
        return -cost["fpWeight"]
    a, b = info.windows[w]
    length = b - a + 1
    return scaled_sigmoid(abs(b - i) / float(length - 1)) * cost["fpWeight"]


def tp_gain(info, w, i, cost):
    a, b = info.windows[w]
    length = b - a + 1
    pos = -(b - i + 1) / float(length)
    return scaled_sigmoid(pos) * cost["tpWeight"] / scaled_sigmoid(-1.0)


def score_file(info, scores, threshold, cost):
    """(score, tp, tn, fp, fn) of one file at threshold (scorer.py)."""
    tp = tn = fp = fn = 0
    first = [None] * len(info.windows)
    fp_total = 0.0
    for i in range(info.n):
        if i < info.probation:
            continue
        det = scores[i] >= threshold
        lab = info.label[i]
        if det and lab:
            tp += 1
            w = info.window_of[i]
            if first[w] is None:
                first[w] = i
        elif det:
            fp += 1
            fp_total += fp_cost(info, i, cost)
        elif lab:
            fn += 1
        else:
            tn += 1
    total = fp_total
    for w, i in enumerate(first):
        if i is None:
            total -= cost["fnWeight"]
        else:
            total += tp_gain(info, w, i, cost)
    return total, tp, tn, fp, fn


def optimize(infos, all_scores, cost):
    """(best raw score, threshold) over every threshold, the whole corpus.

    Lowering the threshold past each distinct score, in descending order,
    adds the rows with that score as detections; the raw score is kept
    exactly: FP rows add their cost, a window gains when its earliest
    detection moves earlier (optimizer._computeScoreChange)."""
    rows = []
    windows = 0
    for f, (info, scores) in enumerate(zip(infos, all_scores)):
        windows += len(info.windows)
        for i in range(info.n):
            if i >= info.probation:
                rows.append((scores[i], f, i))
    rows.sort(key=lambda r: -r[0])
    earliest = [[None] * len(info.windows) for info in infos]
    score = -windows * cost["fnWeight"]
    best = (score, 2.0)
    k = 0
    while k < len(rows):
        level = rows[k][0]
        while k < len(rows) and rows[k][0] == level:
            _, f, i = rows[k]
            info = infos[f]
            w = info.window_of[i]
            if w == -1:
                score += fp_cost(info, i, cost)
            else:
                prev = earliest[f][w]
                if prev is None:
                    score += cost["fnWeight"] + tp_gain(info, w, i, cost)
                    earliest[f][w] = i
                elif i < prev:
                    score += tp_gain(info, w, i, cost) - tp_gain(
                        info, w, prev, cost)
                    earliest[f][w] = i
            k += 1
        if score > best[0]:
            best = (score, level)
    return best


def load_corpus(nab):
    with open(os.path.join(nab, "labels", "combined_windows.json")) as f:
        windows = json.load(f)
    with open(os.path.join(nab, "config", "profiles.json")) as f:
        profiles = json.load(f)
    return windows, profiles


def load_results(nab, results, detector, files, windows):
    infos, all_scores = [], []
    for rel in files:
        cat, name = rel.split("/")
        path = os.path.join(results, detector, cat, detector + "_" + name)
        with open(path, newline="") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
        timestamps = [r["timestamp"] for r in rows]
        scores = [float(r["anomaly_score"]) for r in rows]
        infos.append(FileInfo(rel, timestamps, windows[rel]))
        all_scores.append(scores)
    return infos, all_scores


def evaluate(nab, results, detector, profile_names=None, threshold=None,
             per_file_dir=None):
    """{profile: (normalised, raw, threshold, rows)}."""
    windows, profiles = load_corpus(nab)
    files = [rel for rel in data_files(nab) if rel in windows]
    infos, all_scores = load_results(nab, results, detector, files, windows)
    count = sum(len(w) for w in windows.values())
    out = {}
    for name in profile_names or ["standard", "reward_low_FP_rate",
                                  "reward_low_FN_rate"]:
        cost = profiles[name]["CostMatrix"]
        if threshold is None:
            _, thr = optimize(infos, all_scores, cost)
        else:
            thr = threshold
        rows = []
        raw = 0.0
        for info, scores in zip(infos, all_scores):
            s, tp, tn, fp, fn = score_file(info, scores, thr, cost)
            raw += s
            rows.append((info.rel, s, tp, tn, fp, fn, info.n))
        perfect = count * cost["tpWeight"]
        null = -count * cost["fnWeight"]
        norm = 100.0 * (raw - null) / (perfect - null)
        out[name] = (norm, raw, thr, rows)
        if per_file_dir:
            os.makedirs(per_file_dir, exist_ok=True)
            path = os.path.join(per_file_dir,
                                "%s_%s_scores.csv" % (detector, name))
            with open(path, "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(["Detector", "Profile", "File", "Threshold",
                            "Score", "TP", "TN", "FP", "FN", "Total_Count"])
                for r in rows:
                    w.writerow([detector, name, r[0], thr] + list(r[1:]))
    return out


def q_function(z):
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def windowed_gaussian(values, window=6400, step=100):
    """NAB's windowedGaussian as SOURCES.md describes the published run:
    score = 1 - Q(|x - mean| / std) over a window of the last `window`
    values that slides by `step`, population std, std 0 -> 1e-6; the first
    row (empty window) scores 0."""
    data, buf = [], []
    mean, std = 0.0, 1.0
    out = []

    def update():
        nonlocal mean, std
        m = sum(data) / len(data)
        var = sum((x - m) ** 2 for x in data) / len(data)
        mean, std = m, math.sqrt(var)
        if std == 0.0:
            std = 0.000001

    for x in values:
        score = 0.0
        if data:
            score = 1.0 - q_function(abs(x - mean) / std)
        out.append(score)
        if len(data) < window:
            data.append(x)
            update()
        else:
            buf.append(x)
            if len(buf) == step:
                data = data[step:] + buf
                buf = []
                update()
    return out


def write_gaussian(nab, out_root):
    windows, _ = load_corpus(nab)
    for rel in data_files(nab):
        if rel not in windows:
            continue
        cat, name = rel.split("/")
        rows = read_series(os.path.join(nab, "data", rel))
        scores = windowed_gaussian([float(v) for _, v in rows])
        d = os.path.join(out_root, "windowedGaussian", cat)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "windowedGaussian_" + name), "w",
                  newline="") as f:
            w = csv.writer(f)
            w.writerow(["timestamp", "value", "anomaly_score"])
            # NAB ran under Python 2, whose str(float) keeps 12 significant
            # digits: the published scores (and the detections the scorer
            # saw, e.g. 0.9999999999999962 -> 1.0) are those rounded values.
            for (t, v), s in zip(rows, scores):
                w.writerow([t, v, "%.12g" % s])


def selftest(nab, tmp):
    """Checks the scorer and windowedGaussian against NAB's published
    results; returns the number of failures."""
    failures = 0
    pub = os.path.join(nab, "results", "windowedGaussian")
    # 1. per-row scores of the published nyc_taxi run
    with open(os.path.join(pub, "realKnownCause",
                           "windowedGaussian_nyc_taxi.csv")) as f:
        rows = list(csv.DictReader(f))
    ours = windowed_gaussian([float(r["value"]) for r in rows])
    worst = max(abs(a - float(r["anomaly_score"])) for a, r in zip(ours, rows))
    # the published values have 12 significant digits: half a unit of the
    # last digit, plus rounding, is the tolerance
    ok = worst <= 5.1e-13
    failures += not ok
    print("windowedGaussian nyc_taxi: %d rows, max |diff| %.3g %s"
          % (len(rows), worst, "ok" if ok else "FAILED"))
    # 2. the whole corpus, scored at the published threshold and optimised
    write_gaussian(nab, tmp)
    final = json.load(open(os.path.join(nab, "results", "final_results.json")))
    fixed = evaluate(nab, tmp, "windowedGaussian", threshold=1.0)
    for profile, (norm, raw, thr, files) in fixed.items():
        with open(os.path.join(pub, "windowedGaussian_%s_scores.csv"
                               % profile)) as f:
            published = {r["File"]: r for r in csv.DictReader(f)}
        bad = 0
        for rel, s, tp, tn, fp, fn, n in files:
            p = published[rel]
            if (abs(s - float(p["Score"])) > 1e-9 or
                    (tp, tn, fp, fn, n) != tuple(int(p[k]) for k in
                                                 ("TP", "TN", "FP", "FN",
                                                  "Total_Count"))):
                bad += 1
                print("  %s %s: ours %r %s, published %s %s" % (
                    profile, rel, s, (tp, tn, fp, fn, n), p["Score"],
                    [p[k] for k in ("TP", "TN", "FP", "FN", "Total_Count")]))
        want = final["windowedGaussian"][profile]
        ok = bad == 0 and abs(norm - want) < 1e-9
        failures += not ok
        print("windowedGaussian %-18s at threshold 1.0: %.10f (published "
              "%.10f), per-file rows differing: %d %s"
              % (profile, norm, want, bad, "ok" if ok else "FAILED"))
    best = evaluate(nab, tmp, "windowedGaussian")
    for profile, (norm, raw, thr, _) in best.items():
        want = final["windowedGaussian"][profile]
        ok = norm >= want - 1e-9
        failures += not ok
        print("windowedGaussian %-18s optimised: %.4f at threshold %r "
              "(published %.4f) %s" % (profile, norm, thr, want,
                                       "ok" if ok else "FAILED"))
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nab", required=True, help="the NAB folder")
    ap.add_argument("--results", help="results root (RESULTS/DETECTOR/...)")
    ap.add_argument("--detector", help="detector name")
    ap.add_argument("--threshold", type=float, help="fixed threshold")
    ap.add_argument("--profile", action="append", help="profile(s)")
    ap.add_argument("--per-file", help="write per-file score csvs here")
    ap.add_argument("--gaussian", help="write windowedGaussian results here")
    ap.add_argument("--selftest", metavar="TMPDIR",
                    help="validate against the published results")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args()
    if args.selftest:
        n = selftest(args.nab, args.selftest)
        print("selftest: %s" % ("ok" if n == 0 else "%d FAILED" % n))
        return 1 if n else 0
    if args.gaussian:
        write_gaussian(args.nab, args.gaussian)
        return 0
    if not args.results or not args.detector:
        ap.error("--results and --detector are required")
    res = evaluate(args.nab, args.results, args.detector, args.profile,
                   args.threshold, args.per_file)
    if args.json:
        print(json.dumps({p: {"score": v[0], "raw": v[1], "threshold": v[2]}
                          for p, v in res.items()}, indent=1))
    else:
        for p, (norm, raw, thr, _) in res.items():
            print("%-20s %7.2f  (raw %.4f, threshold %r)" % (p, norm, raw,
                                                               thr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
