#!/usr/bin/env python3
"""Compares `inkasso kpi` with the hand-computed fixtures and with reference.py.

usage: compare.py INKASSO_BINARY TESTS_DIR [--reference-only] [--seeds 1,2,3]
                  [--cases 3000] [--keep DIR]

(a) hand fixtures (tests/data/kpi_small, tests/data/kpi_currency): the
    expected files were computed by hand (see kpi_small/DERIVATION.md); both
    reference.py and `INKASSO kpi DIR --format json` are checked against them.
    `expected_*.json` are whole reports; `partial_*.json` list only some
    fields (every field they list must match; lists must match in length).
(b) generated portfolios (`INKASSO gen --cases N --seed S`): `INKASSO kpi`
    against reference.py for several option sets, on the mixed EUR+CHF
    portfolio and on an EUR-only copy of it.

--reference-only runs only reference.py against the hand fixtures.

Comparison rules: same keys and group order; counts equal as integers;
amounts (placed_amount, collected_amount, cost, fte) equal as decimals and
written without exponent; every other number equal within relative
tolerance 1e-9; nulls equal. One line per comparison, then
`kpi: N passed, M failed`; the exit status is 1 when anything failed.
"""

import argparse
import csv
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

REL_TOL = 1e-9
TIMEOUT = 300
AS_OF = ["--as-of", "2025-03-31"]

AMOUNT_KEYS = {"placed_amount", "collected_amount", "cost", "fte"}
COUNT_KEYS = {"cases", "open_cases", "resolved_cases", "active_cases", "resolved_in_period"}
STRING_KEYS = {"as_of", "period"}
AMOUNT_WITH_EXPONENT = re.compile(
    r'"(placed_amount|collected_amount|cost|fte)"\s*:\s*-?[0-9.]+[eE]')

# (folder, options, expected file or exit status, mode)
#   mode "full": the whole report must match; "partial": the listed fields;
#   an int instead of a file: the run must fail with that exit status, and
#   the message on stderr must contain each of the words given as mode.
# kpi.md: the currency error is "a message naming the currencies and
# suggesting `--by currency`".
CURRENCY_WORDS = ["CHF", "EUR", "--by currency"]
HAND_FIXTURES = [
    ("kpi_small", AS_OF, "expected_total.json", "full"),
    ("kpi_small", AS_OF + ["--by", "segment"], "expected_by_segment.json", "full"),
    ("kpi_small", [], "partial_default_as_of.json", "partial"),
    ("kpi_small", AS_OF + ["--by", "age_bucket"], "partial_by_age_bucket.json", "partial"),
    ("kpi_small", AS_OF + ["--by", "region"], "partial_by_region.json", "partial"),
    ("kpi_small", AS_OF + ["--from", "2025-02-01", "--to", "2025-03-05"],
     "partial_from_to.json", "partial"),
    ("kpi_small", AS_OF + ["--by", "segment,segment"], 2, ["segment"]),
    ("kpi_small", AS_OF + ["--by", "no_such_column"], 2, ["no_such_column"]),
    ("kpi_small", AS_OF + ["--windows", "30,30"], 2, ["30"]),
    ("kpi_currency", AS_OF + ["--by", "currency"], "expected_by_currency.json", "full"),
    ("kpi_currency", AS_OF + ["--by", "sector,currency"], "partial_by_sector_currency.json", "partial"),
    ("kpi_currency", AS_OF, 3, CURRENCY_WORDS),
    ("kpi_currency", AS_OF + ["--by", "segment"], 3, CURRENCY_WORDS),  # B2C mixes EUR and CHF
    ("kpi_currency", AS_OF + ["--by", "region"], 3, CURRENCY_WORDS),   # each group single, the total mixes
]

# Option sets for generated portfolios (gen --end defaults to 2025-06-30,
# placements over 18 months from 2024-01).
EUR_ONLY_RUNS = [
    [],
    ["--by", "segment"],
    ["--by", "segment,region,cohort_month"],
    ["--by", "age_bucket,risk_class"],
    ["--by", "cohort_quarter", "--windows", "7,30,365"],
    ["--as-of", "2024-10-15"],
    ["--as-of", "2024-10-15", "--by", "segment,close_reason"],
    ["--from", "2024-03-01", "--to", "2024-09-30"],
    ["--from", "2024-03-01", "--to", "2024-09-30", "--by", "sector", "--as-of", "2025-01-31"],
    ["--by", "product,handler", "--windows", "90,14,30"],
    ["--by", "cohort_year,closed_on", "--as-of", "2025-02-14"],
    ["--as-of", "2025-12-31", "--by", "creditor_id"],
    ["--by", "currency,risk_class"],  # one currency, currency in --by: total amounts null
]
MIXED_RUNS = [
    ["--by", "currency"],
    ["--by", "currency,segment", "--windows", "60"],
    ["--by", "portfolio,currency", "--as-of", "2024-12-31"],
]
MIXED_ERROR_RUNS = [
    [],
    ["--by", "segment"],
    ["--by", "portfolio"],   # every group single-currency, the total mixes
]


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def record(self, name, problems):
        if problems:
            self.failed += 1
            text = "; ".join(problems[:5])
            if len(problems) > 5:
                text += " (+%d more)" % (len(problems) - 5)
            print("FAIL %s: %s" % (name, " | ".join(text.splitlines())))
        else:
            self.passed += 1
            print("ok   %s" % name)
        sys.stdout.flush()


# ---------------------------------------------------------------------------
# Running the two implementations
# ---------------------------------------------------------------------------

class Result:
    def __init__(self, status, stdout, stderr):
        self.status, self.stdout, self.stderr = status, stdout, stderr


def run(command):
    try:
        p = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return Result(None, "", str(e))
    return Result(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"))


def run_reference(reference, folder, options):
    return run([sys.executable, reference, folder] + options)


def run_inkasso(inkasso, folder, options):
    return run([inkasso, "kpi", folder, "--format", "json"] + options)


def parse_report(result):
    """-> (report, problems)."""
    if result.status != 0:
        return None, ["exit status %s, stderr: %s" % (result.status, result.stderr.strip()[:300])]
    try:
        report = json.loads(result.stdout, parse_float=Decimal)
    except ValueError as e:
        return None, ["output is not JSON: %s" % e]
    problems = []
    m = AMOUNT_WITH_EXPONENT.search(result.stdout)
    if m:
        problems.append("amount written with an exponent: %s" % m.group(0))
    return report, problems


# ---------------------------------------------------------------------------
# Comparing reports
# ---------------------------------------------------------------------------

def is_number(v):
    return isinstance(v, (int, Decimal)) and not isinstance(v, bool)


def compare_leaf(key, expected, actual, path, tolerant_amount=False):
    if expected is None or actual is None:
        return [] if expected is None and actual is None else \
            ["%s: expected %s, got %s" % (path, dump(expected), dump(actual))]
    if isinstance(expected, str) or isinstance(actual, str):
        return [] if expected == actual else ["%s: expected %r, got %r" % (path, expected, actual)]
    if not is_number(expected) or not is_number(actual):
        return ["%s: expected %s, got %s" % (path, dump(expected), dump(actual))]
    if key in COUNT_KEYS or key.startswith("eligible_cases_") or path.startswith("windows"):
        if not isinstance(actual, int) or actual != expected:
            return ["%s: expected integer %s, got %s" % (path, expected, actual)]
        return []
    if key in AMOUNT_KEYS and not tolerant_amount:
        return [] if Decimal(expected) == Decimal(actual) else \
            ["%s: expected amount %s, got %s" % (path, expected, actual)]
    if math.isclose(float(expected), float(actual), rel_tol=REL_TOL, abs_tol=1e-300):
        return []
    return ["%s: expected %s, got %s" % (path, expected, actual)]


def compare(expected, actual, partial, path="", key=""):
    """Differences between two parsed reports, as readable strings."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return ["%s: expected an object, got %s" % (path or "report", dump(actual))]
        problems = []
        missing = [k for k in expected if k not in actual]
        extra = [] if partial else [k for k in actual if k not in expected]
        if missing:
            problems.append("%s: missing keys %s" % (path or "report", missing))
        if extra:
            problems.append("%s: unexpected keys %s" % (path or "report", extra))
        # The mean monthly fte of an operations `total` entry need not be a
        # finite decimal (kpi.md does not say how to round it): tolerance.
        tolerant = expected.get("period") == "total"
        for k, v in expected.items():
            if k in actual:
                sub = "%s.%s" % (path, k) if path else k
                if k == "response_rate" or k == "key":
                    problems += compare_map(v, actual[k], sub, exact_keys=True)
                elif isinstance(v, (dict, list)):
                    problems += compare(v, actual[k], partial, sub, k)
                else:
                    problems += compare_leaf(k, v, actual[k], sub, tolerant_amount=tolerant and k == "fte")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return ["%s: expected a list, got %s" % (path, dump(actual))]
        if len(expected) != len(actual):
            return ["%s: expected %d entries, got %d (expected %s, got %s)" % (
                path, len(expected), len(actual), short(expected), short(actual))]
        problems = []
        for i, (e, a) in enumerate(zip(expected, actual)):
            sub = "%s[%d]" % (path, i)
            if isinstance(e, (dict, list)):
                problems += compare(e, a, partial, sub, key)
            else:
                problems += compare_leaf(key, e, a, sub)
        return problems
    return compare_leaf(key, expected, actual, path)


def compare_map(expected, actual, path, exact_keys):
    """Group keys and response_rate: the same key set, each value compared."""
    if not isinstance(actual, dict):
        return ["%s: expected an object, got %s" % (path, dump(actual))]
    if set(expected) != set(actual):
        return ["%s: expected keys %s, got %s" % (path, sorted(expected), sorted(actual))]
    problems = []
    for k in expected:
        problems += compare_leaf("", expected[k], actual[k], "%s.%s" % (path, k))
    return problems


def dump(v):
    if isinstance(v, Decimal):
        return str(v)
    return json.dumps(v, default=str, ensure_ascii=False)


def short(v):
    text = dump(v)
    return text if len(text) < 200 else text[:200] + "..."


def check_error(result, status, words):
    """An expected failure: the exit status, nothing on stdout, a message
    on stderr that contains every one of `words`."""
    problems = []
    if result.status != status:
        problems.append("expected exit status %d, got %s (stderr: %s)" % (
            status, result.status, result.stderr.strip()[:200]))
    if result.stdout.strip():
        problems.append("expected nothing on stdout, got %r" % result.stdout[:100])
    if not result.stderr.strip():
        problems.append("expected a message on stderr")
    for word in words:
        if word not in result.stderr:
            problems.append("message does not mention %r: %s" % (word, result.stderr.strip()[:200]))
    return problems


# ---------------------------------------------------------------------------
# (a) hand fixtures
# ---------------------------------------------------------------------------

def check_fixtures(tally, data_dir, label, runner):
    for folder, options, expected, mode in HAND_FIXTURES:
        path = os.path.join(data_dir, folder)
        name = "hand %s %s [%s] %s" % (folder, " ".join(options) or "(no options)", label,
                                       expected if isinstance(expected, str) else "-> exit %d" % expected)
        result = runner(path, options)
        if isinstance(expected, int):
            tally.record(name, check_error(result, expected, mode))
            continue
        with open(os.path.join(path, expected), encoding="utf-8") as f:
            want = json.load(f, parse_float=Decimal)
        got, problems = parse_report(result)
        if got is not None:
            problems += compare(want, got, partial=(mode == "partial"))
        tally.record(name, problems)


# ---------------------------------------------------------------------------
# (b) generated portfolios
# ---------------------------------------------------------------------------

def eur_only_copy(source, target):
    """The portfolio without its non-EUR cases (and their payments and
    contacts), rewritten with the csv module (quoting may change)."""
    os.makedirs(target, exist_ok=True)
    with open(os.path.join(source, "cases.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
        header = list(rows[0].keys()) if rows else []
    kept = {r["case_id"] for r in rows if r["currency"] == "EUR"}
    write_rows(os.path.join(target, "cases.csv"), header, [r for r in rows if r["case_id"] in kept])
    for name in ("payments.csv", "contacts.csv"):
        with open(os.path.join(source, name), newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            write_rows(os.path.join(target, name), reader.fieldnames,
                       [r for r in reader if r["case_id"] in kept])
    if os.path.exists(os.path.join(source, "costs.csv")):
        shutil.copy(os.path.join(source, "costs.csv"), os.path.join(target, "costs.csv"))


def write_rows(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def check_generated(tally, inkasso, reference, seeds, n_cases, work):
    for seed in seeds:
        mixed = os.path.join(work, "gen%d" % seed)
        eur = os.path.join(work, "gen%d_eur" % seed)
        made = run([inkasso, "gen", mixed, "--cases", str(n_cases), "--seed", str(seed)])
        if made.status != 0:
            tally.record("gen seed %d" % seed, ["inkasso gen failed: %s" % made.stderr.strip()[:200]])
            continue
        eur_only_copy(mixed, eur)
        for folder, label, runs in ((eur, "eur", EUR_ONLY_RUNS), (mixed, "mixed", MIXED_RUNS)):
            for options in runs:
                name = "gen seed %d %s %s" % (seed, label, " ".join(options) or "(no options)")
                want, problems = parse_report(run_reference(reference, folder, options))
                if want is None:
                    tally.record(name, ["reference: " + p for p in problems])
                    continue
                got, problems = parse_report(run_inkasso(inkasso, folder, options))
                if got is not None:
                    problems += compare(want, got, partial=False)
                tally.record(name, problems)
        for options in MIXED_ERROR_RUNS:
            name = "gen seed %d mixed %s -> exit 3" % (seed, " ".join(options) or "(no options)")
            problems = ["reference: " + p for p in
                        check_error(run_reference(reference, mixed, options), 3, CURRENCY_WORDS)]
            problems += check_error(run_inkasso(inkasso, mixed, options), 3, CURRENCY_WORDS)
            tally.record(name, problems)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("inkasso")
    p.add_argument("tests_dir")
    p.add_argument("--reference-only", action="store_true",
                   help="check reference.py against the hand-computed fixtures only")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--cases", type=int, default=3000)
    p.add_argument("--keep", help="generate portfolios into this folder and keep them")
    args = p.parse_args()

    reference = os.path.join(args.tests_dir, "kpi", "reference.py")
    data_dir = os.path.join(args.tests_dir, "data")
    tally = Tally()
    check_fixtures(tally, data_dir, "reference",
                   lambda folder, options: run_reference(reference, folder, options))
    if not args.reference_only:
        inkasso = os.path.abspath(args.inkasso)
        check_fixtures(tally, data_dir, "inkasso",
                       lambda folder, options: run_inkasso(inkasso, folder, options))
        seeds = [int(s) for s in args.seeds.split(",")]
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            check_generated(tally, inkasso, reference, seeds, args.cases, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="inkasso-kpi-") as work:
                check_generated(tally, inkasso, reference, seeds, args.cases, work)
    print("kpi: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
