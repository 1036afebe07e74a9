#!/usr/bin/env python3
"""Independent reference implementation of the KPI definitions v1 (kpi.md).

Written only from /work/shared/spec/kpi.md and the data contract, as a test
oracle for `inkasso kpi`. Readable over fast; standard library only.

usage: reference.py DIR [--as-of D] [--from D] [--to D] [--by d1,d2]
                        [--windows 30,60,90]

Prints the KPI report as JSON on stdout. Exit status: 0 ok, 2 usage error
(unknown dimension, a dimension or window named twice), 3 invalid data
(currencies mixed in a group or the total without `--by currency`).
The input is assumed valid per the data contract (it is not checked here).
"""

import argparse
import csv
import datetime
import decimal
import json
import os
import sys
from decimal import Decimal

# fte sums must be exact: fte may have up to 18 significant digits and 18
# decimals, so give the context far more digits than any sum can need.
decimal.getcontext().prec = 200

# Amounts are held as integers in 1/10000 of the major unit (data contract).
MINOR_PER_UNIT = 10000

# Columns of cases.csv named by the data contract. "A contract column absent
# from the header puts every case in the null group."
CASES_CONTRACT_COLUMNS = (
    "case_id", "debtor_id", "creditor_id", "segment", "sector", "region",
    "risk_class", "portfolio", "handler", "opened_on", "due_on", "amount",
    "currency", "closed_on", "close_reason",
)
DERIVED_DIMENSIONS = ("cohort_month", "cohort_quarter", "cohort_year", "age_bucket")
RESOLVED_REASONS = ("paid", "settled")

EXIT_USAGE = 2
EXIT_INVALID_DATA = 3


class UsageError(Exception):
    pass


class DataError(Exception):
    pass


# ---------------------------------------------------------------------------
# Small value helpers
# ---------------------------------------------------------------------------

def parse_date(text):
    return datetime.date.fromisoformat(text)


def contact_date(at):
    """Contract: the calendar date of a timestamp is the date as written."""
    return parse_date(at[:10])


def days(a, b):
    """Contract: days(a, b) = b - a in whole calendar days."""
    return (b - a).days


def to_minor(text):
    """An amount string -> exact integer in 1/10000 of the major unit."""
    return int(Decimal(text) * MINOR_PER_UNIT)


def minor_to_decimal(minor):
    return Decimal(minor) / MINOR_PER_UNIT


def ratio(numerator, denominator):
    """kpi.md: "Every ratio is null when its denominator is 0."
    Both sides exact (int or Decimal); the result is the correctly rounded
    double of the exact fraction."""
    if denominator == 0:
        return None
    if isinstance(numerator, int) and isinstance(denominator, int):
        return numerator / denominator  # Python rounds int/int correctly
    return float(Decimal(numerator) / Decimal(denominator))


def mean(values):
    if not values:
        return None
    return sum(values) / len(values)  # integer sum, one correctly rounded division


def median(values):
    """kpi.md: "mean of the two middle values for an even count"."""
    if not values:
        return None
    ordered = sorted(values)
    n = len(ordered)
    if n % 2 == 1:
        return float(ordered[n // 2])
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def month_of(date):
    return "%04d-%02d" % (date.year, date.month)


def month_bounds(period):
    """'YYYY-MM' -> (first day, last day)."""
    year, month = int(period[:4]), int(period[5:7])
    start = datetime.date(year, month, 1)
    if month == 12:
        next_start = datetime.date(year + 1, 1, 1)
    else:
        next_start = datetime.date(year, month + 1, 1)
    return start, next_start - datetime.timedelta(days=1)


# ---------------------------------------------------------------------------
# Loading (the input is assumed valid)
# ---------------------------------------------------------------------------

def read_csv(path):
    """Returns (header, rows as dicts). RFC 4180 via the csv module, BOM
    stripped by utf-8-sig, wholly blank lines skipped. Missing = ''."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        rows = [dict(zip(header, record)) for record in reader if record]
    return header, rows


class Case:
    def __init__(self, row):
        self.row = row  # raw strings, for grouping on any column
        self.case_id = row["case_id"]
        self.debtor_id = row["debtor_id"]
        self.segment = row["segment"]
        self.opened_on = parse_date(row["opened_on"])
        self.due_on = parse_date(row["due_on"]) if row.get("due_on") else None
        self.amount = to_minor(row["amount"])
        self.currency = row["currency"]
        self.closed_on_as_written = parse_date(row["closed_on"]) if row.get("closed_on") else None
        self.close_reason_as_written = row.get("close_reason") or None
        # Set by apply_as_of: the state of the case at A.
        self.closed_on = None
        self.close_reason = None
        self.payments = []   # (paid_on, amount_minor) dated <= A
        self.contacts = []   # Contact dated <= A


class Contact:
    def __init__(self, row):
        self.date = contact_date(row["at"])
        self.channel = row["channel"]
        self.outbound = row["direction"] == "out"   # kpi.md: outbound when direction is `out`
        self.valid = row["outcome"] != "invalid"    # kpi.md: valid when outcome is not `invalid`
        self.responded = row["outcome"] == "responded"  # kpi.md: responded when outcome is `responded`
        self.automated = row.get("automated") == "1"    # contract: `1`, `0` or empty (= 0)


class Portfolio:
    def __init__(self, folder):
        self.case_header, case_rows = read_csv(os.path.join(folder, "cases.csv"))
        self.cases = [Case(r) for r in case_rows]
        _, self.payment_rows = read_csv(os.path.join(folder, "payments.csv"))
        _, self.contact_rows = read_csv(os.path.join(folder, "contacts.csv"))
        costs_path = os.path.join(folder, "costs.csv")
        self.cost_rows = read_csv(costs_path)[1] if os.path.exists(costs_path) else None

    def latest_date(self):
        """kpi.md: default as_of takes opened_on, closed_on, paid_on and
        contact dates (as written) over all rows of the files; due_on and
        cost periods do not count."""
        dates = []
        for case in self.cases:
            dates.append(case.opened_on)
            if case.closed_on_as_written:
                dates.append(case.closed_on_as_written)
        dates += [parse_date(r["paid_on"]) for r in self.payment_rows]
        dates += [contact_date(r["at"]) for r in self.contact_rows]
        # AMBIGUOUS: a portfolio without any dated row has no default as_of;
        # we fall back to today's date.
        return max(dates) if dates else datetime.date.today()

    def apply_as_of(self, as_of):
        """kpi.md: everything dated after A is ignored: payments, contacts
        and closings (a case closed after A is open at A)."""
        by_id = {c.case_id: c for c in self.cases}
        for case in self.cases:
            closed = case.closed_on_as_written
            if closed is not None and closed <= as_of:
                case.closed_on = closed
                case.close_reason = case.close_reason_as_written
        for r in self.payment_rows:
            paid_on = parse_date(r["paid_on"])
            if paid_on <= as_of:
                by_id[r["case_id"]].payments.append((paid_on, to_minor(r["amount"])))
        for r in self.contact_rows:
            contact = Contact(r)
            if contact.date <= as_of:
                by_id[r["case_id"]].contacts.append(contact)


# ---------------------------------------------------------------------------
# Per-case facts used by several KPIs
# ---------------------------------------------------------------------------

def is_closed(case):
    return case.closed_on is not None


def is_resolved(case):
    """Contract: resolved when close_reason is `paid` or `settled`."""
    return case.close_reason in RESOLVED_REASONS


def outbound_contacts(case):
    return [k for k in case.contacts if k.outbound]


def valid_outbound_contacts(case):
    return [k for k in case.contacts if k.outbound and k.valid]


def first_contact_date(case):
    """kpi.md: the first contact of a case is its earliest valid outbound
    contact (by date as written)."""
    dates = [k.date for k in valid_outbound_contacts(case)]
    return min(dates) if dates else None


def first_positive_payment_date(case):
    """kpi.md: a payment is positive when amount > 0. A reversed positive
    payment still counts as a first payment."""
    dates = [paid_on for paid_on, amount in case.payments if amount > 0]
    return min(dates) if dates else None


def collected(case):
    """Sum of all payments (reversals included), dated <= A."""
    return sum(amount for _, amount in case.payments)


# ---------------------------------------------------------------------------
# KPIs of one set of cases
# ---------------------------------------------------------------------------

def success_kpis(cases, as_of, windows):
    kpis = {}
    # cases: "cases in the group"
    kpis["cases"] = len(cases)
    # open_cases: "cases not closed at A"
    kpis["open_cases"] = sum(1 for c in cases if not is_closed(c))
    # resolved_cases: "cases resolved (paid or settled) at A"
    kpis["resolved_cases"] = sum(1 for c in cases if is_resolved(c))
    # placed_amount: "sum of case amounts"
    placed = sum(c.amount for c in cases)
    kpis["placed_amount"] = minor_to_decimal(placed)
    # collected_amount: "sum of all payments (reversals included)"
    collected_total = sum(collected(c) for c in cases)
    kpis["collected_amount"] = minor_to_decimal(collected_total)
    # recovery_rate: "collected_amount / placed_amount"
    kpis["recovery_rate"] = ratio(collected_total, placed)
    for x in windows:
        # realization_rate_{X}d: "over the eligible cases E = {opened_on + X <= A}:
        # sum of payments with paid_on <= opened_on + X / sum of amounts of E;
        # null when E is empty"
        eligible = [c for c in cases if c.opened_on + datetime.timedelta(days=x) <= as_of]
        paid_in_window = sum(
            amount
            for c in eligible
            for paid_on, amount in c.payments
            if paid_on <= c.opened_on + datetime.timedelta(days=x)
        )
        placed_eligible = sum(c.amount for c in eligible)
        kpis["realization_rate_%dd" % x] = ratio(paid_in_window, placed_eligible) if eligible else None
        # eligible_cases_{X}d: "size of E"
        kpis["eligible_cases_%dd" % x] = len(eligible)
    return kpis


def turnaround_kpis(cases):
    kpis = {}
    resolved = [c for c in cases if is_resolved(c)]
    resolution_days = [days(c.opened_on, c.closed_on) for c in resolved]
    # avg_days_to_resolution: "mean of days(opened_on, closed_on) over resolved cases"
    kpis["avg_days_to_resolution"] = mean(resolution_days)
    # median_days_to_resolution: "median of the same (mean of the two middle
    # values for an even count)"
    kpis["median_days_to_resolution"] = median(resolution_days)
    # avg_days_to_first_payment: "mean of days(opened_on, first positive
    # paid_on) over cases with a positive payment"
    kpis["avg_days_to_first_payment"] = mean([
        days(c.opened_on, first_positive_payment_date(c))
        for c in cases if first_positive_payment_date(c) is not None
    ])
    # avg_days_first_contact_to_payment: "mean of days(first contact date,
    # first positive paid_on) over cases that have both, where the payment
    # is not before the contact" (a case whose first positive payment is
    # before its first contact is left out)
    contact_to_payment = []
    for c in cases:
        contact_on, paid_on = first_contact_date(c), first_positive_payment_date(c)
        if contact_on is not None and paid_on is not None and paid_on >= contact_on:
            contact_to_payment.append(days(contact_on, paid_on))
    kpis["avg_days_first_contact_to_payment"] = mean(contact_to_payment)
    # first_contact_resolution_rate: "share of resolved cases that had exactly
    # one valid outbound contact dated on or before closed_on"
    one_contact = sum(
        1 for c in resolved
        if sum(1 for k in valid_outbound_contacts(c) if k.date <= c.closed_on) == 1
    )
    kpis["first_contact_resolution_rate"] = ratio(one_contact, len(resolved))
    return kpis


def contact_kpis(cases):
    kpis = {}
    # reachability_rate: "debtors reached / debtors attempted, counting
    # distinct debtor_id over the group's cases: attempted = has an outbound
    # contact; reached = attempted and has a responded contact (outbound
    # responded, or any inbound)". Only the group's own cases count; the
    # outbound and the responded contact may be on different cases.
    attempted, has_response = set(), set()
    for c in cases:
        if any(k.outbound for k in c.contacts):
            attempted.add(c.debtor_id)
        # outbound responded, or any inbound (inbound rows are always responded)
        if any(k.responded or not k.outbound for k in c.contacts):
            has_response.add(c.debtor_id)
    reached = attempted & has_response
    kpis["reachability_rate"] = ratio(len(reached), len(attempted))

    outbound = [k for c in cases for k in outbound_contacts(c)]
    valid_outbound = [k for k in outbound if k.valid]
    # valid_contact_rate: "valid outbound contacts / outbound contacts"
    kpis["valid_contact_rate"] = ratio(len(valid_outbound), len(outbound))
    # response_rate: "one key per channel seen: responded outbound / valid
    # outbound on that channel"; one key per channel with at least one
    # outbound contact in the group; null when no valid outbound contact.
    response_rate = {}
    for channel in sorted({k.channel for k in outbound}):
        valid_on_channel = [k for k in valid_outbound if k.channel == channel]
        responded_on_channel = [k for k in valid_on_channel if k.responded]
        response_rate[channel] = ratio(len(responded_on_channel), len(valid_on_channel))
    kpis["response_rate"] = response_rate
    # attempts_per_reached_debtor: "outbound contacts / debtors reached"
    # (all outbound contacts, invalid ones too)
    # AMBIGUOUS: the numerator is every outbound contact on the group's
    # cases, also those on debtors who were never reached.
    kpis["attempts_per_reached_debtor"] = ratio(len(outbound), len(reached))
    # automation_rate: "outbound contacts with automated = 1 / outbound contacts"
    kpis["automation_rate"] = automation_rate(outbound)
    return kpis


def automation_rate(outbound):
    return ratio(sum(1 for k in outbound if k.automated), len(outbound))


AMOUNT_KPIS_PREFIXES = ("placed_amount", "collected_amount", "recovery_rate", "realization_rate_")


def group_kpis(cases, as_of, windows, null_amounts=False):
    kpis = {}
    kpis.update(success_kpis(cases, as_of, windows))
    kpis.update(turnaround_kpis(cases))
    kpis.update(contact_kpis(cases))
    if null_amounts:
        # kpi.md: with currency in --by, `total` reports null for its amount
        # KPIs (placed_amount, collected_amount, recovery_rate, realization_rate_Xd)
        for key in kpis:
            if key.startswith(AMOUNT_KPIS_PREFIXES):
                kpis[key] = None
    return kpis


# ---------------------------------------------------------------------------
# Population and groups
# ---------------------------------------------------------------------------

def population(portfolio, as_of, date_from, date_to):
    """kpi.md: cases with opened_on <= A, narrowed by the optional placement
    window --from D1 --to D2 (inclusive, on opened_on)."""
    chosen = []
    for c in portfolio.cases:
        if c.opened_on > as_of:
            continue
        if date_from is not None and c.opened_on < date_from:
            continue
        if date_to is not None and c.opened_on > date_to:
            continue
        chosen.append(c)
    return chosen


def age_bucket(case):
    """kpi.md: debt age at placement = days(due_on, opened_on):
    0-30, 31-90, 91-180, 181-365, 366+, unknown when due_on is missing;
    a debt age below 0 falls in 0-30."""
    if case.due_on is None:
        return "unknown"
    age = days(case.due_on, case.opened_on)
    if age <= 30:
        return "0-30"
    if age <= 90:
        return "31-90"
    if age <= 180:
        return "91-180"
    if age <= 365:
        return "181-365"
    return "366+"


def derived_value(case, dimension):
    opened = case.opened_on
    if dimension == "cohort_month":
        return "%04d-%02d" % (opened.year, opened.month)
    if dimension == "cohort_quarter":
        return "%04d-Q%d" % (opened.year, (opened.month - 1) // 3 + 1)
    if dimension == "cohort_year":
        return "%04d" % opened.year
    if dimension == "age_bucket":
        return age_bucket(case)
    raise AssertionError(dimension)


def dimension_value(case, dimension, header):
    """The group key value of one case on one dimension; None is the null group.
    kpi.md: a cases.csv column named like a derived dimension wins over it;
    closed_on / close_reason of a case closed after A give null; a contract
    column absent from the header puts every case in the null group."""
    if dimension in header:
        if dimension in ("closed_on", "close_reason") and not is_closed(case):
            return None
        value = case.row.get(dimension, "")
        return value if value != "" else None  # contract: empty field = missing
    if dimension in DERIVED_DIMENSIONS:
        return derived_value(case, dimension)
    if dimension in CASES_CONTRACT_COLUMNS:
        return None
    raise UsageError("unknown dimension %r: not a cases.csv column nor a derived dimension" % dimension)


def sort_key(values):
    """kpi.md: keys sort lexicographically in --by order, each value by
    UTF-8 bytes, null first."""
    return tuple((0, b"") if v is None else (1, v.encode("utf-8")) for v in values)


def make_groups(cases, by, header):
    groups = {}
    for c in cases:
        key = tuple(dimension_value(c, d, header) for d in by)
        groups.setdefault(key, []).append(c)
    return [(key, groups[key]) for key in sorted(groups, key=sort_key)]


def check_currencies(cases, groups, by):
    """kpi.md: a run fails when any group or the total mixes currencies,
    unless currency is in --by. (Every group is part of the total, so the
    total mixes whenever a group does.)"""
    if "currency" in by:
        return
    currencies = sorted({c.currency for c in cases})
    if len(currencies) > 1:
        mixing_groups = [key for key, members in groups if len({c.currency for c in members}) > 1]
        where = "the total" if not mixing_groups else "%d group(s) and the total" % len(mixing_groups)
        raise DataError(
            "%s mix(es) currencies %s; amounts of different currencies are never added: "
            "add currency to --by (e.g. --by currency)" % (where, ", ".join(currencies)))


# ---------------------------------------------------------------------------
# Operations (only with costs.csv)
# ---------------------------------------------------------------------------

def covered_cases(cases, segment):
    """kpi.md: a costs row with a segment covers only that segment's cases;
    with an empty segment, all cases. Operations cover the population."""
    if segment is None:
        return list(cases)
    return [c for c in cases if c.segment == segment]


def is_active_in(case, start, end):
    """active_cases: "cases with opened_on <= end(m) and not closed before start(m)"
    (closings after A are ignored: such a case is open)."""
    return case.opened_on <= end and not (is_closed(case) and case.closed_on < start)


def is_resolved_in(case, start, end):
    """resolved_in_period: "cases resolved with closed_on in m"."""
    return is_resolved(case) and start <= case.closed_on <= end


def outbound_in(cases, start, end):
    """Outbound contacts dated in m on the cases the row covers, active or not
    (contacts after A were dropped already)."""
    return [k for c in cases for k in outbound_contacts(c) if start <= k.date <= end]


def cost_months(cost_rows, as_of):
    """{segment value (None = empty): {period: (fte, cost)}}, rows of the
    same segment and month summed, months whose first day is after A dropped.
    kpi.md: a month counts when its first day is <= A."""
    months = {}
    for r in cost_rows:
        segment = r.get("segment") or None
        period = r["period"]
        if month_bounds(period)[0] > as_of:
            continue
        fte, cost = months.setdefault(segment, {}).get(period, (Decimal(0), 0))
        months[segment][period] = (fte + Decimal(r["fte"]), cost + to_minor(r["cost"]))
    return months


def month_entry(period, segment, cases, fte, cost):
    start, end = month_bounds(period)
    active = [c for c in cases if is_active_in(c, start, end)]
    resolved = [c for c in cases if is_resolved_in(c, start, end)]
    return {
        "period": period,
        "segment": segment,
        "active_cases": len(active),
        "resolved_in_period": len(resolved),
        "fte": fte,                                   # from costs.csv, summed per month
        "cost": minor_to_decimal(cost),               # from costs.csv, summed per month
        "cost_per_case": ratio(cost, len(active) * MINOR_PER_UNIT),  # cost / active_cases
        "cases_per_fte": ratio(len(active), fte),     # active_cases / fte
        "resolved_per_fte": ratio(len(resolved), fte),  # resolved_in_period / fte
        "automation_rate": automation_rate(outbound_in(cases, start, end)),
    }


def total_entry(segment, cases, months):
    """kpi.md: the `total` entry covers all the months the segment value has
    in costs.csv up to A: fte = mean monthly fte (missing months are not
    zeros), cost = total cost, active_cases = distinct cases active in any of
    those months, resolved_in_period = cases resolved in them;
    cost_per_case = total cost / distinct active cases; cases_per_fte =
    distinct active cases / mean monthly fte; resolved_per_fte = cases
    resolved in those months / mean monthly fte; automation_rate over their
    contacts (outbound contacts dated in those months)."""
    bounds = [month_bounds(p) for p in sorted(months)]
    active = {c.case_id for c in cases if any(is_active_in(c, s, e) for s, e in bounds)}
    resolved = {c.case_id for c in cases if any(is_resolved_in(c, s, e) for s, e in bounds)}
    total_fte = sum((fte for fte, _ in months.values()), Decimal(0))
    total_cost = sum(cost for _, cost in months.values())
    # AMBIGUOUS: the mean monthly fte need not be a finite decimal (e.g. 1/3);
    # we print it to 40 significant digits (exact whenever it terminates
    # within them) and compute the per-fte ratios from the exact sum:
    # x / (sum / n) = x * n / sum.
    with decimal.localcontext() as ctx:
        ctx.prec = 40
        mean_fte = total_fte / len(months)
    # AMBIGUOUS: "automation_rate over their contacts" = outbound contacts
    # on the covered cases dated in one of the segment value's months (a
    # month missing from costs.csv contributes no contacts).
    outbound = [k for s, e in bounds for k in outbound_in(cases, s, e)]
    return {
        "period": "total",
        "segment": segment,
        "active_cases": len(active),
        "resolved_in_period": len(resolved),
        "fte": mean_fte,
        "cost": minor_to_decimal(total_cost),
        "cost_per_case": ratio(total_cost, len(active) * MINOR_PER_UNIT),
        "cases_per_fte": ratio(len(active) * len(months), total_fte),
        "resolved_per_fte": ratio(len(resolved) * len(months), total_fte),
        "automation_rate": automation_rate(outbound),
    }


def operations(cost_rows, cases, as_of):
    """Entries ordered by segment (null first), months ascending, total last.
    A segment value whose months all fall after A has no entries."""
    entries = []
    months_by_segment = cost_months(cost_rows, as_of)
    for segment in sorted(months_by_segment, key=lambda s: sort_key((s,))):
        months = months_by_segment[segment]
        covered = covered_cases(cases, segment)
        for period in sorted(months):
            fte, cost = months[period]
            entries.append(month_entry(period, segment, covered, fte, cost))
        entries.append(total_entry(segment, covered, months))
    return entries


# ---------------------------------------------------------------------------
# Report and JSON
# ---------------------------------------------------------------------------

def report(portfolio, as_of, date_from, date_to, by, windows):
    portfolio.apply_as_of(as_of)
    cases = population(portfolio, as_of, date_from, date_to)
    groups = make_groups(cases, by, portfolio.case_header) if by else []
    check_currencies(cases, groups, by)
    out = {
        "as_of": as_of.isoformat(),
        "by": list(by),
        "windows": list(windows),
        "groups": [
            {"key": dict(zip(by, key)), "kpis": group_kpis(members, as_of, windows)}
            for key, members in groups
        ],
        "total": {"kpis": group_kpis(cases, as_of, windows,
                                     null_amounts=null_total_amounts(cases, by))},
    }
    if portfolio.cost_rows is not None:
        # AMBIGUOUS: with costs.csv present but every month after A,
        # "operations" is present and empty ([]).
        out["operations"] = operations(portfolio.cost_rows, cases, as_of)
    return out


def null_total_amounts(cases, by):
    """kpi.md: "a run fails ... when any group or the total mixes
    currencies, unless currency is in --by; then total reports null for
    its amount KPIs". DECIDED (docs/kpi.md, "Where the spec left a
    choice"): "then" is the case of a total that mixes currencies with
    currency in --by; a single-currency total keeps its amounts."""
    return "currency" in by and len({c.currency for c in cases}) > 1


def to_json(value):
    """JSON with Decimals written as plain numbers without exponent."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float, str)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(to_json(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + to_json(v)
                               for k, v in value.items()) + "}"
    raise TypeError(type(value))


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

def parse_by(text):
    if not text:
        return []
    by = text.split(",")
    if len(set(by)) != len(by):
        raise UsageError("a dimension is named twice in --by %s" % text)
    return by


# AMBIGUOUS: kpi.md calls an unknown dimension and a dimension or window named
# twice "an error" without a status; we use 2, the tool's usage status
# (README: 0 ok, 1 runtime error, 2 usage, 3 invalid data). A negative window
# is refused the same way; a window of 0 days is accepted.
def parse_windows(text):
    windows = [int(w) for w in text.split(",")]
    if any(w < 0 for w in windows):
        raise UsageError("windows must be >= 0 days: %s" % text)
    if len(set(windows)) != len(windows):
        raise UsageError("a window is named twice in --windows %s" % text)
    return windows


def main(argv=None):
    p = argparse.ArgumentParser(description="Reference KPI report (kpi.md v1).")
    p.add_argument("dir")
    p.add_argument("--as-of", dest="as_of")
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--by", default="")
    p.add_argument("--windows", default="30,60,90")
    args = p.parse_args(argv)
    try:
        by = parse_by(args.by)
        windows = parse_windows(args.windows)
        portfolio = Portfolio(args.dir)
        for d in by:  # validate names before computing anything
            if d not in portfolio.case_header and d not in DERIVED_DIMENSIONS \
                    and d not in CASES_CONTRACT_COLUMNS:
                raise UsageError("unknown dimension %r" % d)
        as_of = parse_date(args.as_of) if args.as_of else portfolio.latest_date()
        date_from = parse_date(args.date_from) if args.date_from else None
        date_to = parse_date(args.date_to) if args.date_to else None
        result = report(portfolio, as_of, date_from, date_to, by, windows)
    except UsageError as e:
        print("error: %s" % e, file=sys.stderr)
        return EXIT_USAGE
    except DataError as e:
        print("error: %s" % e, file=sys.stderr)
        return EXIT_INVALID_DATA
    sys.stdout.write(to_json(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
