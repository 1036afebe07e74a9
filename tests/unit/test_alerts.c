/* Alerts: injected anomalies found with their series, start, direction
 * and driver; a clean seasonal portfolio gives none; every option error;
 * exact amounts against the KPI engine; JSON output. The portfolios are
 * written by tests/alerts/gen_fixture.py (deterministic). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "inkasso/alerts.h"
#include "inkasso/anomaly.h"
#include "inkasso/inkasso.h"

static char tmpdir[] = "/tmp/ink_alerts_XXXXXX";

static int32_t day(const char *text)
{
    int32_t d = INK_DATE_NONE;
    ink_parse_date(text, strlen(text), &d);
    return d;
}

/* Writes fixture kind into tmpdir/kind and loads it. */
static ink_portfolio *fixture(const char *kind)
{
    const char *data = getenv("INK_TEST_DATA");
    char cmd[2048], dir[512];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, kind);
    snprintf(cmd, sizeof cmd, "%s/cases.csv", dir);
    if (access(cmd, R_OK) == 0)
        goto load; /* written by an earlier test */
    snprintf(cmd, sizeof cmd,
             "python3 '%s/../alerts/gen_fixture.py' '%s' %s >/dev/null",
             data ? data : "tests/data", dir, kind);
    if (system(cmd) != 0) {
        fprintf(stderr, "cannot run: %s\n", cmd);
        return NULL;
    }
load:;
    ink_portfolio *p = NULL;
    ink_error err;
    if (ink_portfolio_load(dir, NULL, &p, &err) != INK_OK) {
        fprintf(stderr, "load %s: %s\n", dir, err.message);
        return NULL;
    }
    return p;
}

static ink_alerts_report *compute(const ink_portfolio *p,
                                  const ink_alerts_options *opt)
{
    ink_alerts_report *r = NULL;
    ink_error err;
    ink_status st = ink_alerts_compute(p, opt, &r, &err);
    if (st != INK_OK)
        fprintf(stderr, "alerts: %s\n", err.message);
    CHECK_INT(st, INK_OK);
    return r;
}

/* The alert of a series (and currency or channel), or NULL. */
static const ink_alert *find(const ink_alerts_report *r, int series,
                             const char *sub)
{
    for (size_t i = 0; i < ink_alerts_count(r); i++) {
        const ink_alert *a = ink_alerts_get(r, i);
        const char *s = a->currency ? a->currency : a->channel;
        if ((int)a->series == series &&
            (sub ? s && strcmp(s, sub) == 0 : s == NULL))
            return a;
    }
    return NULL;
}

static const ink_alert_dimension *dimension(const ink_alert *a,
                                            const char *name)
{
    for (size_t k = 0; k < a->dimension_count; k++)
        if (strcmp(a->dimensions[k].name, name) == 0)
            return &a->dimensions[k];
    return NULL;
}

/* The first driver of a dimension is value, explaining at least min. */
static void check_driver(const ink_alert *a, const char *dim, const char *value,
                         double min)
{
    const ink_alert_dimension *d = a ? dimension(a, dim) : NULL;
    CHECK(d && d->driver_count >= 1);
    if (!d || !d->driver_count)
        return;
    CHECK_STR(d->drivers[0].value, value);
    CHECK(d->drivers[0].share >= min);
    for (size_t v = 1; v < d->driver_count; v++)
        CHECK(d->drivers[v].share <= d->drivers[v - 1].share);
}

/* collected_amount and cases of the KPI engine for payments up to as_of
 * and placements in [from, to]. */
static void kpi_totals(const ink_portfolio *p, int32_t as_of, int32_t from,
                       int32_t to, int64_t *collected, uint64_t *cases)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    opt.as_of = as_of;
    opt.from = from;
    opt.to = to;
    ink_kpi_report *r = NULL;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, NULL), INK_OK);
    *collected = r ? ink_kpi_total(r)->collected_amount : 0;
    *cases = r ? ink_kpi_total(r)->cases : 0;
    ink_kpi_report_free(r);
}

static void test_clean(void)
{
    ink_portfolio *p = fixture("clean");
    CHECK(p != NULL);
    if (!p)
        return;
    ink_alerts_report *r = compute(p, NULL);
    if (r) {
        CHECK_INT(ink_alerts_count(r), 0);
        CHECK(ink_alerts_get(r, 0) == NULL);
        CHECK_INT(ink_alerts_as_of(r), day("2025-06-30"));
        CHECK_INT(ink_alerts_first_day(r), day("2025-01-02"));
        CHECK_INT(ink_alerts_report_from(r), day("2025-06-03"));
        CHECK_INT(ink_alerts_lookback(r), 180);
        CHECK_INT(ink_alerts_days(r), 28);
        CHECK_INT(ink_alerts_min_events(r), 20);
        CHECK(ink_alerts_threshold(r) == INK_ANOMALY_ALERT);
        /* collected EUR, payments, placements, placed EUR, outbound,
         * valid contact rate, response letter and sms, resolved. */
        CHECK_INT(ink_alerts_series_checked(r), 9);
        static const char *const dims[] = {"segment", "sector", "region",
                                           "risk_class", "handler"};
        CHECK_INT(ink_alerts_dim_count(r), 5);
        for (size_t k = 0; k < 5; k++)
            CHECK_STR(ink_alerts_dim_name(r, k), dims[k]);
        CHECK(ink_alerts_dim_name(r, 5) == NULL);
    }
    ink_alerts_report_free(r);
    /* A lower threshold finds something in the same data: the test above
     * could fail. */
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    opt.threshold = 0.5;
    r = compute(p, &opt);
    CHECK(r && ink_alerts_count(r) > 0);
    ink_alerts_report_free(r);
    ink_portfolio_free(p);
}

static void test_payments_drop(void)
{
    ink_portfolio *p = fixture("payments_drop");
    CHECK(p != NULL);
    if (!p)
        return;
    ink_alerts_report *r = compute(p, NULL);
    if (!r) {
        ink_portfolio_free(p);
        return;
    }
    /* 90 % of the B2C payments removed from 2025-06-24 on. */
    const ink_alert *a = find(r, INK_ALERT_PAYMENTS, NULL);
    CHECK(a != NULL);
    if (a) {
        CHECK_INT(a->since, day("2025-06-24"));
        CHECK_INT(a->until, day("2025-06-30"));
        CHECK_INT(a->direction, -1);
        CHECK(a->score >= INK_ANOMALY_ALERT);
        CHECK(a->observed < a->expected);
        CHECK(a->change == a->observed - a->expected);
        CHECK(fabs(a->change_pct - a->change / a->expected) < 1e-12);
        CHECK_INT(a->is_amount, 0);
        CHECK(a->currency == NULL && a->channel == NULL);
        CHECK_INT(a->dimension_count, 5);
        check_driver(a, "segment", "B2C", 0.8);
    }
    a = find(r, INK_ALERT_COLLECTED_AMOUNT, "EUR");
    CHECK(a != NULL);
    if (a) {
        CHECK_INT(a->since, day("2025-06-24"));
        CHECK_INT(a->direction, -1);
        CHECK_INT(a->is_amount, 1);
        check_driver(a, "segment", "B2C", 0.8);
        /* Exact: the KPI engine's collected amount over the same days. */
        int64_t before, after;
        uint64_t cases;
        kpi_totals(p, a->since - 1, INK_DATE_NONE, INK_DATE_NONE, &before,
                   &cases);
        kpi_totals(p, a->until, INK_DATE_NONE, INK_DATE_NONE, &after, &cases);
        CHECK_INT(a->observed_amount, after - before);
        CHECK_INT(a->change_amount, a->observed_amount - a->expected_amount);
        CHECK(a->observed == (double)a->observed_amount / INK_MONEY_SCALE);
        const ink_alert_dimension *seg = dimension(a, "segment");
        if (seg && seg->driver_count)
            CHECK(seg->drivers[0].observed_amount < a->observed_amount);
    }
    /* Nothing else moved: placements, contacts and resolutions. */
    CHECK(find(r, INK_ALERT_PLACEMENTS, NULL) == NULL);
    CHECK(find(r, INK_ALERT_OUTBOUND, NULL) == NULL);
    CHECK(find(r, INK_ALERT_RESOLVED, NULL) == NULL);
    /* Sorted by score, highest first. */
    for (size_t i = 1; i < ink_alerts_count(r); i++)
        CHECK(ink_alerts_get(r, i)->score <= ink_alerts_get(r, i - 1)->score);
    ink_alerts_report_free(r);

    /* Before the drop there is nothing to report. */
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    opt.as_of = day("2025-06-23");
    r = compute(p, &opt);
    CHECK(r && ink_alerts_count(r) == 0);
    CHECK(r && ink_alerts_as_of(r) == day("2025-06-23"));
    ink_alerts_report_free(r);

    /* As of the drop's third day, it is there already, since 06-24. */
    opt.as_of = day("2025-06-26");
    opt.days = 1;
    r = compute(p, &opt);
    a = r ? find(r, INK_ALERT_PAYMENTS, NULL) : NULL;
    CHECK(a && a->since == day("2025-06-24") && a->until == day("2025-06-26"));
    ink_alerts_report_free(r);

    /* One dimension of one's own choosing. */
    static const char *const by[] = {"region"};
    ink_alerts_options_init(&opt);
    opt.by = by;
    opt.by_count = 1;
    r = compute(p, &opt);
    a = r ? find(r, INK_ALERT_PAYMENTS, NULL) : NULL;
    CHECK(a && a->dimension_count == 1 &&
          strcmp(a->dimensions[0].name, "region") == 0 &&
          a->dimensions[0].driver_count >= 1 &&
          a->dimensions[0].driver_count <= INK_ALERTS_TOP);
    CHECK(r && ink_alerts_dim_count(r) == 1);
    ink_alerts_report_free(r);
    ink_portfolio_free(p);
}

static void test_placement_spike(void)
{
    ink_portfolio *p = fixture("placement_spike");
    CHECK(p != NULL);
    if (!p)
        return;
    ink_alerts_report *r = compute(p, NULL);
    /* 60 more cases of handler partner_x placed on 2025-06-20. */
    const ink_alert *a = r ? find(r, INK_ALERT_PLACEMENTS, NULL) : NULL;
    CHECK(a != NULL);
    if (a) {
        CHECK_INT(a->since, day("2025-06-20"));
        CHECK_INT(a->direction, 1);
        CHECK(a->change > 50);
        check_driver(a, "handler", "partner_x", 0.9);
        int64_t collected;
        uint64_t cases;
        kpi_totals(p, INK_DATE_NONE, a->since, a->until, &collected, &cases);
        CHECK(a->observed == (double)cases);
    }
    a = r ? find(r, INK_ALERT_PLACED_AMOUNT, "EUR") : NULL;
    CHECK(a && a->since == day("2025-06-20") && a->direction == 1);
    if (a)
        check_driver(a, "handler", "partner_x", 0.9);
    CHECK(r && find(r, INK_ALERT_PAYMENTS, NULL) == NULL);
    ink_alerts_report_free(r);
    ink_portfolio_free(p);
}

static void test_sms_drop(void)
{
    ink_portfolio *p = fixture("sms_drop");
    CHECK(p != NULL);
    if (!p)
        return;
    ink_alerts_report *r = compute(p, NULL);
    /* Every responded sms on a region South case is no_response from
     * 2025-06-24 on: the sms response rate halves. The detector needs up
     * to three days of a shift this size (its level-shift test averages
     * three deviations). */
    const ink_alert *a = r ? find(r, INK_ALERT_RESPONSE_RATE, "sms") : NULL;
    CHECK(a != NULL);
    if (a) {
        CHECK(a->since >= day("2025-06-24") && a->since <= day("2025-06-26"));
        CHECK_INT(a->until, day("2025-06-30"));
        CHECK_INT(a->direction, -1);
        CHECK_STR(a->channel, "sms");
        CHECK(a->currency == NULL);
        CHECK(a->observed > 0.05 && a->observed < 0.25);
        CHECK(a->expected > 0.25 && a->expected < 0.35);
        check_driver(a, "region", "South", 0.9);
    }
    CHECK(r && find(r, INK_ALERT_RESPONSE_RATE, "letter") == NULL);
    CHECK(r && find(r, INK_ALERT_VALID_CONTACT_RATE, NULL) == NULL);

    /* The JSON of the report. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f != NULL);
    if (f && r) {
        CHECK_INT(ink_alerts_write_json(r, f), INK_OK);
        fclose(f);
        /* The whole head, up to the first alert's channel. */
        static const char head[] =
            "{\"as_of\":\"2025-06-30\",\"from\":\"2025-01-02\","
            "\"report_from\":\"2025-06-03\",\"lookback\":180,"
            "\"days\":28,\"threshold\":0.99,\"min_events\":20,"
            "\"by\":[\"segment\",\"sector\",\"region\","
            "\"risk_class\",\"handler\"],\"series_checked\":9,"
            "\"alerts\":[{\"series\":\"response_rate\","
            "\"currency\":null,\"channel\":\"sms\",";
        CHECK(strncmp(text, head, sizeof head - 1) == 0);
        CHECK(strstr(text, "\"direction\":\"down\"") != NULL);
        CHECK(strstr(text, "{\"dimension\":\"region\",\"drivers\":[{"
                           "\"value\":\"South\"") != NULL);
        CHECK(len > 0 && text[len - 1] == '\n');
    } else if (f) {
        fclose(f);
    }
    free(text);
    ink_alerts_report_free(r);
    /* Rates from 100000 events a day: every rate day is missing. */
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    opt.min_events = 100000;
    r = compute(p, &opt);
    CHECK(r && find(r, INK_ALERT_RESPONSE_RATE, "sms") == NULL);
    CHECK(r && ink_alerts_series_checked(r) == 9);
    ink_alerts_report_free(r);
    ink_portfolio_free(p);
}

static void expect_error(const ink_portfolio *p, const ink_alerts_options *opt,
                         ink_status want, const char *message)
{
    ink_alerts_report *r = (ink_alerts_report *)1;
    ink_error err;
    ink_error_clear(&err);
    CHECK_INT(ink_alerts_compute(p, opt, &r, &err), want);
    CHECK(r == NULL);
    CHECK_INT(err.status, want);
    CHECK_STR(err.message, message);
}

static void test_options(void)
{
    ink_portfolio *p = fixture("clean");
    CHECK(p != NULL);
    if (!p)
        return;
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    CHECK_INT(opt.as_of, INK_DATE_NONE);
    CHECK(opt.lookback == 0 && opt.days == 0 && opt.threshold == 0 &&
          opt.min_events == 0 && opt.by_count == 0);
    opt.lookback = 27;
    expect_error(p, &opt, INK_USAGE,
                 "lookback: expected 28 to 3660 days, got 27");
    opt.lookback = 3661;
    expect_error(p, &opt, INK_USAGE,
                 "lookback: expected 28 to 3660 days, got 3661");
    opt.lookback = 30;
    opt.days = 31;
    expect_error(p, &opt, INK_USAGE,
                 "days: expected 1 to 30 (the look-back), got 31");
    ink_alerts_options_init(&opt);
    opt.days = 181;
    expect_error(p, &opt, INK_USAGE,
                 "days: expected 1 to 180 (the look-back), got 181");
    ink_alerts_options_init(&opt);
    opt.threshold = 1.5;
    expect_error(p, &opt, INK_USAGE,
                 "threshold: expected a number in (0, 1], got 1.5");
    opt.threshold = -0.5;
    expect_error(p, &opt, INK_USAGE,
                 "threshold: expected a number in (0, 1], got -0.5");
    opt.threshold = NAN;
    expect_error(p, &opt, INK_USAGE,
                 "threshold: expected a number in (0, 1], got nan");
    ink_alerts_options_init(&opt);
    static const char *const unknown[] = {"segment", "colour"};
    opt.by = unknown;
    opt.by_count = 2;
    expect_error(p, &opt, INK_USAGE,
                 "--by: unknown dimension \"colour\": expected a column of "
                 "cases.csv or cohort_month, cohort_quarter, cohort_year, "
                 "age_bucket");
    static const char *const twice[] = {"region", "segment", "region"};
    opt.by = twice;
    opt.by_count = 3;
    expect_error(p, &opt, INK_USAGE, "--by: dimension \"region\" named twice");
    static const char *const nine[] = {"a", "b", "c", "d", "e",
                                       "f", "g", "h", "i"};
    opt.by = nine;
    opt.by_count = 9;
    expect_error(p, &opt, INK_USAGE, "--by: at most 8 dimensions");
    /* 3,483 case ids and as many debtors over 3660 days: too many cells
     * for the drill-down arrays (16M). */
    static const char *const wide[] = {"case_id", "debtor_id", "segment"};
    opt.by = wide;
    opt.by_count = 3;
    opt.lookback = 3660;
    ink_alerts_report *r = (ink_alerts_report *)1;
    ink_error err;
    CHECK_INT(ink_alerts_compute(p, &opt, &r, &err), INK_LIMIT);
    CHECK(r == NULL);
    CHECK(strstr(err.message, "is too large; name fewer dimensions or "
                              "shorten the look-back") != NULL);
    /* The same dimensions over the default 180 days fit. */
    opt.lookback = 0;
    r = compute(p, &opt);
    CHECK(r && ink_alerts_dim_count(r) == 3 && ink_alerts_count(r) == 0);
    ink_alerts_report_free(r);
    /* err may be NULL. */
    ink_alerts_options_init(&opt);
    opt.lookback = 1;
    CHECK_INT(ink_alerts_compute(p, &opt, &r, NULL), INK_USAGE);
    ink_portfolio_free(p);

    CHECK_STR(ink_alert_series_name(INK_ALERT_COLLECTED_AMOUNT),
              "collected_amount");
    CHECK_STR(ink_alert_series_name(INK_ALERT_RESOLVED), "resolved_cases");
    CHECK(ink_alert_series_name(-1) == NULL);
    CHECK(ink_alert_series_name(INK_ALERT_SERIES_COUNT) == NULL);
    ink_alerts_report_free(NULL);
}

/* A portfolio in memory: n cases, one payment each, no contacts. */
static ink_portfolio *memory_portfolio(size_t n, const char *extra_header,
                                       int distinct_extra)
{
    size_t cap = 200 + n * 96;
    char *cases = malloc(cap), *pays = malloc(cap);
    if (!cases || !pays) {
        free(cases);
        free(pays);
        return NULL;
    }
    size_t c = (size_t)snprintf(cases, cap,
                                "case_id,debtor_id,segment,opened_on,amount,"
                                "currency%s\n",
                                extra_header);
    size_t q = (size_t)snprintf(pays, cap,
                                "payment_id,case_id,paid_on,amount,currency\n");
    for (size_t i = 0; i < n; i++) {
        c += (size_t)snprintf(cases + c, cap - c,
                              "C%zu,D%zu,B2C,2025-03-01,100,EUR", i, i);
        if (*extra_header)
            c += (size_t)snprintf(cases + c, cap - c, ",v%zu",
                                  distinct_extra ? i : 0);
        cases[c++] = '\n';
        q += (size_t)snprintf(pays + q, cap - q,
                              "P%zu,C%zu,2025-03-%02zu,5,EUR\n", i, i,
                              1 + i % 28);
    }
    static const char contacts[] =
        "contact_id,case_id,at,channel,direction,outcome\n";
    ink_source files[INK_FILE_COUNT] = {
        {cases, c}, {pays, q}, {contacts, sizeof contacts - 1}, {NULL, 0}};
    ink_portfolio *p = NULL;
    ink_error err;
    if (ink_portfolio_load_memory(files, NULL, &p, &err) != INK_OK)
        fprintf(stderr, "load: %s\n", err.message);
    free(cases);
    free(pays);
    return p;
}

static void test_small_portfolios(void)
{
    /* One case placed and paid 5 EUR on the last day after 179 days of
     * nothing: each of its series jumps from a constant 0, as surprising
     * as it gets (score 1), with nothing expected. */
    ink_portfolio *p = memory_portfolio(1, "", 0);
    CHECK(p != NULL);
    if (p) {
        ink_alerts_report *r = compute(p, NULL);
        /* collected EUR, payments, placements, placed EUR. */
        CHECK(r && ink_alerts_count(r) == 4);
        CHECK(r && ink_alerts_series_checked(r) == 4);
        const ink_alert *a =
            r ? find(r, INK_ALERT_COLLECTED_AMOUNT, "EUR") : NULL;
        CHECK(a != NULL);
        if (a) {
            CHECK_INT(a->since, day("2025-03-01"));
            CHECK_INT(a->until, day("2025-03-01"));
            CHECK_INT(a->days, 1);
            CHECK_INT(a->direction, 1);
            CHECK(a->score == 1);
            CHECK_INT(a->observed_amount, 5 * INK_MONEY_SCALE);
            CHECK_INT(a->expected_amount, 0);
            CHECK_INT(a->change_amount, 5 * INK_MONEY_SCALE);
            CHECK(a->observed == 5 && a->expected == 0 && a->change == 5);
            CHECK(isnan(a->change_pct));
            check_driver(a, "segment", "B2C", 1.0);
            CHECK(a->dimensions[0].drivers[0].share == 1.0);
            CHECK(a->dimensions[0].drivers[0].observed_amount ==
                  5 * INK_MONEY_SCALE);
        }
        a = r ? find(r, INK_ALERT_PLACEMENTS, NULL) : NULL;
        CHECK(a && a->observed == 1 && a->expected == 0 && a->direction == 1);
        CHECK(r && ink_alerts_as_of(r) == day("2025-03-01"));
        /* Only segment: the data has no sector, region, risk_class or
         * handler column. */
        CHECK(r && ink_alerts_dim_count(r) == 1);
        CHECK(r && strcmp(ink_alerts_dim_name(r, 0), "segment") == 0);
        ink_alerts_report_free(r);
        ink_portfolio_free(p);
    }
    /* A drill-down dimension with more than 10000 values. */
    p = memory_portfolio(10001, ",zone", 1);
    CHECK(p != NULL);
    if (p) {
        static const char *const by[] = {"zone"};
        ink_alerts_options opt;
        ink_alerts_options_init(&opt);
        opt.by = by;
        opt.by_count = 1;
        expect_error(p, &opt, INK_LIMIT,
                     "--by: dimension \"zone\" has 10001 values; the "
                     "drill-down takes at most 10000");
        ink_portfolio_free(p);
    }
    /* 10000 values are fine. */
    p = memory_portfolio(10000, ",zone", 1);
    if (p) {
        static const char *const by[] = {"zone"};
        ink_alerts_options opt;
        ink_alerts_options_init(&opt);
        opt.by = by;
        opt.by_count = 1;
        ink_alerts_report *r = compute(p, &opt);
        CHECK(r != NULL);
        ink_alerts_report_free(r);
        ink_portfolio_free(p);
    }
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_clean();
    test_payments_drop();
    test_placement_spike();
    test_sms_drop();
    test_options();
    test_small_portfolios();
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", tmpdir);
    return check_report("alerts");
}
