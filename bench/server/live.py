"""Live monitoring as a dashboard sees it: a batch of payments (or of
contacts) is ingested, then the KPIs are asked for, again and again on one
connection. Prints the latency of the queries (each right after an
ingest, so the server brings its kept facts and views up to date first)
and of the ingests.

usage: live.py URL TOKEN CASES_FILE SECONDS QUERY [ROWS [payments|contacts]]
CASES_FILE has "case_id,currency" lines; every row id is new."""
import http.client
import random
import sys
import time
import urllib.parse


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))]


def main():
    url, token, cases_file, seconds, query = sys.argv[1:6]
    rows = int(sys.argv[6]) if len(sys.argv) > 6 else 1000
    kind = sys.argv[7] if len(sys.argv) > 7 else "payments"
    cases = [line.strip() for line in open(cases_file) if line.strip()]
    host = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(host.hostname, host.port)
    random.seed(11)
    ingests, queries = [], []
    end = time.time() + float(seconds)
    batch = 0
    while time.time() < end:
        batch += 1
        if kind == "payments":
            lines = ["payment_id,case_id,currency,paid_on,amount"]
        else:
            lines = ["contact_id,case_id,at,channel,direction,outcome,automated"]
        for i in range(rows):
            case_id, currency = random.choice(cases).split(",")
            if kind == "payments":
                lines.append("L%d-%d-%d,%s,%s,2025-06-30,1" %
                             (int(end), batch, i, case_id, currency))
            else:
                lines.append("L%d-%d-%d,%s,2025-06-30T10:00:00Z,email,out,"
                             "no_response,1" % (int(end), batch, i, case_id))
        body = "\n".join(lines) + "\n"
        t0 = time.perf_counter()
        conn.request("POST", "/api/v1/" + kind, body,
                     {"Authorization": "Bearer " + token,
                      "Content-Type": "text/csv"})
        answer = conn.getresponse().read()
        ingests.append(time.perf_counter() - t0)
        if b'"accepted":%d' % rows not in answer:
            sys.exit("unexpected ingest answer: %r" % answer[:200])
        t0 = time.perf_counter()
        conn.request("GET", query + "&windows=30,60,%d" % (90 + batch % 3000))
        response = conn.getresponse()
        response.read()
        queries.append(time.perf_counter() - t0)
        if response.status != 200:
            sys.exit("query answered %d" % response.status)
    ms = lambda v: v * 1000
    print("%d rounds: query after each ingest p50 %.2f ms, p99 %.2f ms, "
          "max %.2f ms; ingest p50 %.1f ms, p99 %.1f ms" %
          (len(queries), ms(pct(queries, 50)), ms(pct(queries, 99)),
           ms(max(queries)), ms(pct(ingests, 50)), ms(pct(ingests, 99))))


if __name__ == "__main__":
    main()
