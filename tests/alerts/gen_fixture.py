#!/usr/bin/env python3
"""Writes a small portfolio with weekly seasonality and, on request, one
injected anomaly whose series, start, direction and driver are known by
construction (tests/alerts/README.md lists them).

usage: gen_fixture.py OUTDIR KIND
KIND: clean, payments_drop, placement_spike, sms_drop

The data is deterministic (fixed seeds) and the same for every KIND
except the injection, which is applied to the clean rows with its own
random stream, so the clean history is identical in every fixture.
Noise is bounded (uniform), so the clean series give no alert.
"""
import csv
import datetime
import os
import random
import sys

AS_OF = datetime.date(2025, 6, 30)  # a Monday, the latest date in the data
START = AS_OF - datetime.timedelta(days=7 * 30 - 1)  # 30 weeks of history
# Per weekday (Monday first): placements, payments, outbound contacts.
PLACEMENTS = [30, 20, 20, 20, 20, 6, 0]
PAYMENTS = [50, 40, 40, 40, 40, 10, 0]
CONTACTS = [600, 500, 500, 500, 500, 15, 0]
# The injections: payments_drop removes 90 % of the B2C payments of the
# last 7 days; placement_spike adds 60 cases of handler partner_x on
# AS_OF - 10; sms_drop turns every responded sms on a region South case
# into no_response from AS_OF - 6 on.
DROP_SINCE = AS_OF - datetime.timedelta(days=6)
SPIKE_DAY = AS_OF - datetime.timedelta(days=10)
SMS_SINCE = AS_OF - datetime.timedelta(days=6)
KINDS = ("clean", "payments_drop", "placement_spike", "sms_drop")


def days():
    d = START
    while d <= AS_OF:
        yield d
        d += datetime.timedelta(days=1)


def money(rng, lo, hi):
    return "%d.%02d" % (rng.randint(lo, hi - 1), rng.randint(0, 99))


def new_case(rng, n, day, handler=None):
    segment = "B2C" if rng.random() < 0.7 else "B2B"
    amount = money(rng, 50, 500) if segment == "B2C" else money(rng, 500, 5000)
    closed = reason = ""
    if rng.random() < 0.3:
        close = day + datetime.timedelta(days=rng.randint(10, 60))
        if close <= AS_OF:
            closed, reason = close.isoformat(), "paid"
    return {
        "case_id": "C%05d" % n,
        "debtor_id": "D%05d" % n,
        "segment": segment,
        "sector": rng.choice(["telecom", "utilities"]),
        "region": rng.choice(["North", "South"]),
        "risk_class": rng.choice(["A", "B", "C"]),
        "handler": handler or ("inhouse" if rng.random() < 0.8 else "partner_x"),
        "opened_on": day.isoformat(),
        "amount": amount,
        "currency": "EUR",
        "closed_on": closed,
        "close_reason": reason,
    }


def generate(kind):
    rng = random.Random(5)
    inject = random.Random(11)
    cases, payments, contacts = [], [], []
    open_until = []  # cases placed so far, for payments and contacts
    for day in days():
        wd = day.weekday()
        n = PLACEMENTS[wd] + (rng.randint(-4, 4) if PLACEMENTS[wd] else 0)
        for _ in range(n):
            c = new_case(rng, len(cases) + 1, day)
            cases.append(c)
            open_until.append(c)
        if kind == "placement_spike" and day == SPIKE_DAY:
            for _ in range(60):
                c = new_case(inject, len(cases) + 1, day, "partner_x")
                cases.append(c)
                open_until.append(c)
        n = PAYMENTS[wd] + (rng.randint(-3, 3) if PAYMENTS[wd] else 0)
        for _ in range(n):
            c = rng.choice(open_until)
            row = {
                "payment_id": "P%06d" % (len(payments) + 1),
                "case_id": c["case_id"],
                "paid_on": day.isoformat(),
                "amount": money(rng, 20, 200),
                "currency": "EUR",
                "method": "bank_transfer",
            }
            if (kind == "payments_drop" and day >= DROP_SINCE
                    and c["segment"] == "B2C" and inject.random() < 0.9):
                continue
            payments.append(row)
        n = CONTACTS[wd] + (rng.randint(-5, 5) if CONTACTS[wd] else 0)
        for k in range(n):
            c = rng.choice(open_until)
            channel = "sms" if rng.random() < 0.5 else "letter"
            u = rng.random()
            if u < 0.1:
                outcome = "invalid"
            elif u < 0.1 + 0.9 * (0.3 if channel == "sms" else 0.15):
                outcome = "responded"
            else:
                outcome = "no_response" if rng.random() < 0.5 else "delivered"
            if (kind == "sms_drop" and day >= SMS_SINCE and channel == "sms"
                    and c["region"] == "South" and outcome == "responded"):
                outcome = "no_response"
            contacts.append({
                "contact_id": "K%06d" % (len(contacts) + 1),
                "case_id": c["case_id"],
                "at": "%sT%02d:%02d:00" % (day.isoformat(), 8 + k % 10, k % 60),
                "channel": channel,
                "direction": "out",
                "outcome": outcome,
                "automated": "1" if channel == "letter" else "0",
            })
        for k in range(3 if wd < 5 else 0):
            c = rng.choice(open_until)
            contacts.append({
                "contact_id": "K%06d" % (len(contacts) + 1),
                "case_id": c["case_id"],
                "at": "%sT15:%02d:00" % (day.isoformat(), k),
                "channel": "phone",
                "direction": "in",
                "outcome": "responded",
                "automated": "0",
            })
    return cases, payments, contacts


def write(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()),
                           lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in KINDS:
        sys.exit("usage: gen_fixture.py OUTDIR %s" % "|".join(KINDS))
    out, kind = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    cases, payments, contacts = generate(kind)
    write(os.path.join(out, "cases.csv"), cases)
    write(os.path.join(out, "payments.csv"), payments)
    write(os.path.join(out, "contacts.csv"), contacts)


if __name__ == "__main__":
    main()
