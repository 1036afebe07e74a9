/* Unit tests of the anomaly detector (include/inkasso/anomaly.h). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "inkasso/anomaly.h"

#define DAYS 365

/* A weekday profile of daily collected amounts: busy midweek, quiet at
 * the weekend. */
static const double WEEK[7] = {100, 120, 115, 110, 130, 40, 20};
#define NOISE_SD 5.0

/* splitmix64 (Steele, Lea, Flood 2014): a fixed-seed generator so every
 * run sees the same series. */
static uint64_t rng_state;

static double uniform01(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

/* Box-Muller: one standard normal draw. */
static double gauss(void)
{
    double u = uniform01(), v = uniform01();
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static void seasonal_series(uint64_t seed, double *v, size_t n)
{
    rng_state = seed;
    for (size_t i = 0; i < n; i++)
        v[i] = WEEK[i % 7] + NOISE_SD * gauss();
}

static double max_score(const double *s, size_t from, size_t to)
{
    double m = 0;
    for (size_t i = from; i < to; i++)
        if (s[i] > m)
            m = s[i];
    return m;
}

static void test_defaults(void)
{
    ink_anomaly_options o;
    memset(&o, 0xff, sizeof o);
    ink_anomaly_options_init(&o);
    CHECK_INT(o.period, 7);
    CHECK_INT(o.warmup, 28);
    CHECK_INT(o.cycles, 4);
    CHECK_INT(o.window, 56);
    CHECK_INT(o.smooth, 3);
    CHECK_INT(o.dead_time, 0);
    CHECK(o.threshold == INK_ANOMALY_ALERT);
    CHECK_INT(o.relative, 0);
    CHECK_INT(o.method, INK_ANOMALY_ROBUST);
    CHECK_INT(o.levels, 2);
    CHECK_INT(o.order, 3);
    ink_anomaly_free(NULL); /* a no-op */
}

/* A hand-computed case: no season, baseline = the previous sample. */
static void test_hand_computed(void)
{
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.period = 0;
    o.cycles = 1;
    o.window = 8;
    o.smooth = 1;
    o.warmup = 0;
    ink_anomaly *d = NULL;
    ink_error err;
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    double expected = 0;
    /* first sample: no baseline yet */
    CHECK(ink_anomaly_step(d, 10, &expected) == 0);
    CHECK(isnan(expected));
    /* 11, 10, 11, 10, 11, 10: residuals +1 -1 +1 -1 +1 -1; the first four
     * score 0 (fewer than 4 residuals to learn the spread from) */
    for (int i = 0; i < 6; i++) {
        double x = i % 2 ? 10 : 11;
        double s = ink_anomaly_step(d, x, &expected);
        CHECK(expected == (i % 2 ? 11 : 10));
        if (i < 4)
            CHECK(s == 0);
        else if (i == 4) {
            /* residuals +1 -1 +1 -1: median 0, MAD 1; r = +1 gives
             * z = 1 / 1.4826, score z^4 / (z^4 + 13) */
            double z = 1 / 1.4826, z4 = z * z * z * z;
            CHECK(fabs(s - z4 / (z4 + 13)) < 1e-12);
        } else {
            /* residuals +1 -1 +1 -1 +1: median 1, MAD 0, so the spread
             * is sqrt(pi / 2) * mean |r - 1| = 1.2533 * 0.8; r = -1
             * gives z = 2 / 1.00265 = 1.9947 */
            double z = 2 / (1.2533141373155003 * 0.8), z4 = z * z * z * z;
            CHECK(fabs(s - z4 / (z4 + 13)) < 1e-12);
        }
    }
    /* 20 after 10: residual 10 against median 0, MAD 1 (residuals
     * +-1): z = 10 / 1.4826 = 6.7449, score = z^4 / (z^4 + 13) */
    double s = ink_anomaly_step(d, 20, &expected);
    CHECK(expected == 10);
    double z = 10 / 1.4826, z4 = z * z * z * z;
    CHECK(fabs(s - z4 / (z4 + 13)) < 1e-12);
    CHECK(s > INK_ANOMALY_ALERT);
    ink_anomaly_free(d);
}

/* A clean weekly series with noise never reaches the alert threshold. */
static void test_clean_no_alert(void)
{
    double v[DAYS], s[DAYS];
    ink_error err;
    double worst = 0;
    for (uint64_t seed = 1; seed <= 40; seed++) {
        seasonal_series(seed, v, DAYS);
        CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, NULL, &err), INK_OK);
        double m = max_score(s, 0, DAYS);
        if (m > worst)
            worst = m;
    }
    CHECK(worst < INK_ANOMALY_ALERT);
    CHECK(worst > 0.5); /* it does score: not a detector that is off */
}

/* A spike, a dip and a level shift are found, on their day. */
static void test_injected(void)
{
    double v[DAYS], s[DAYS], e[DAYS];
    ink_error err;
    seasonal_series(7, v, DAYS);
    v[100] += 60; /* a spike on a Wednesday (100 % 7 = 2) */
    v[200] -= 60; /* a dip */
    for (size_t i = 280; i < DAYS; i++)
        v[i] += 40; /* a level shift from day 280 */
    CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, e, &err), INK_OK);
    CHECK(s[100] >= INK_ANOMALY_ALERT);
    CHECK(s[200] >= INK_ANOMALY_ALERT);
    /* the shift alerts within its first three days, and not before */
    CHECK(max_score(s, 280, 283) >= INK_ANOMALY_ALERT);
    CHECK(max_score(s, 201, 280) < INK_ANOMALY_ALERT);
    CHECK(max_score(s, 0, 100) < INK_ANOMALY_ALERT);
    /* by how much: the baseline is the seasonal truth, not the anomaly */
    CHECK(fabs(e[100] - WEEK[100 % 7]) < 8);
    CHECK(fabs(e[200] - WEEK[200 % 7]) < 8);
    CHECK(v[100] - e[100] > 45);
    CHECK(v[200] - e[200] < -45);
    /* after four weeks the baseline has learnt the new level */
    double err_sum = 0;
    for (size_t i = 330; i < DAYS; i++)
        err_sum += e[i] - (WEEK[i % 7] + 40);
    CHECK(fabs(err_sum / (DAYS - 330)) < 4);
}

/* The baseline follows the weekly cycle closely. */
static void test_expected_values(void)
{
    double v[DAYS], s[DAYS], e[DAYS];
    ink_error err;
    seasonal_series(11, v, DAYS);
    CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, e, &err), INK_OK);
    /* the first week has no same weekday before it */
    for (size_t i = 0; i < 7; i++)
        CHECK(isnan(e[i]));
    double abs_sum = 0;
    for (size_t i = 28; i < DAYS; i++)
        abs_sum += fabs(e[i] - WEEK[i % 7]);
    /* the median of 4 normal draws has sd about 0.55 * 5; mean |error|
     * about 2.2 */
    CHECK(abs_sum / (DAYS - 28) < 3.5);
}

static void test_warmup(void)
{
    double v[DAYS], s[DAYS];
    ink_error err;
    seasonal_series(3, v, DAYS);
    v[20] += 200; /* inside the warmup: not reported */
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    CHECK_INT(ink_anomaly_scores(&o, v, DAYS, s, NULL, &err), INK_OK);
    for (size_t i = 0; i < o.warmup; i++)
        CHECK(s[i] == 0);
    CHECK(max_score(s, o.warmup, DAYS) > 0);
    /* a longer warmup covers more */
    o.warmup = 100;
    CHECK_INT(ink_anomaly_scores(&o, v, DAYS, s, NULL, &err), INK_OK);
    CHECK(max_score(s, 0, 100) == 0);
}

/* Missing samples score 0, are not learnt from, and keep the cycle. */
static void test_missing(void)
{
    double v[DAYS], s[DAYS], e[DAYS];
    ink_error err;
    seasonal_series(5, v, DAYS);
    for (size_t i = 50; i < DAYS; i += 9)
        v[i] = NAN;
    v[120] = INFINITY;
    CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, e, &err), INK_OK);
    CHECK(s[50] == 0);
    CHECK(s[59] == 0);
    CHECK(s[120] == 0);
    /* the expected value of a missing day is still the weekday's */
    CHECK(fabs(e[50] - WEEK[50 % 7]) < 8);
    CHECK(max_score(s, 0, DAYS) < INK_ANOMALY_ALERT);
    /* a spike after missing days is still found */
    v[200] += 80;
    CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, e, &err), INK_OK);
    CHECK(s[200] >= INK_ANOMALY_ALERT);
}

/* A fresh detector for o, stepped over v[0..n), gives the scores s and
 * the expected values e of ink_anomaly_scores, each score in [0, 1]. */
static void check_steps(const ink_anomaly_options *o, const double *v, size_t n,
                        const double *s, const double *e)
{
    ink_anomaly *d = NULL;
    ink_error err;
    CHECK_INT(ink_anomaly_new(o, &d, &err), INK_OK);
    if (!d)
        return;
    int same = 1;
    for (size_t i = 0; i < n; i++) {
        double ex;
        double sc = ink_anomaly_step(d, v[i], &ex);
        if (sc != s[i] || !(ex == e[i] || (isnan(ex) && isnan(e[i]))))
            same = 0;
        if (sc < 0 || sc > 1)
            same = 0;
    }
    CHECK(same);
    ink_anomaly_free(d);
}

/* ink_anomaly_scores is ink_anomaly_step over the series. */
static void test_scores_equals_steps(void)
{
    double v[DAYS], s[DAYS], e[DAYS];
    ink_error err;
    seasonal_series(9, v, DAYS);
    v[150] -= 70;
    CHECK_INT(ink_anomaly_scores(NULL, v, DAYS, s, e, &err), INK_OK);
    check_steps(NULL, v, DAYS, s, e);
}

/* Dead time: a long anomaly is reported once. */
static void test_dead_time(void)
{
    double v[DAYS], s[DAYS];
    ink_error err;
    seasonal_series(7, v, DAYS);
    for (size_t i = 280; i < DAYS; i++)
        v[i] += 40;
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.dead_time = 30;
    CHECK_INT(ink_anomaly_scores(&o, v, DAYS, s, NULL, &err), INK_OK);
    size_t first = DAYS, alerts = 0;
    for (size_t i = 0; i < DAYS; i++)
        if (s[i] >= o.threshold) {
            alerts++;
            if (first == DAYS)
                first = i;
        }
    CHECK(first >= 280 && first < 283);
    CHECK_INT(alerts, 1);
    /* capped just below the threshold, not zeroed */
    CHECK(max_score(s, first + 1, first + 31) > 0.9);
    CHECK(max_score(s, first + 1, first + 31) < o.threshold);
}

/* Relative mode: the surprise is measured against the largest so far. */
static void test_relative(void)
{
    double v[DAYS], s[DAYS];
    ink_error err;
    seasonal_series(13, v, DAYS);
    v[200] += 100;
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.relative = 1;
    CHECK_INT(ink_anomaly_scores(&o, v, DAYS, s, NULL, &err), INK_OK);
    CHECK(s[200] >= INK_ANOMALY_ALERT);
    CHECK(max_score(s, 201, DAYS) < INK_ANOMALY_ALERT);
}

static void expect_usage(const ink_anomaly_options *o, const char *word)
{
    ink_anomaly *d = (ink_anomaly *)&d; /* not NULL: must be reset */
    ink_error err;
    CHECK_INT(ink_anomaly_new(o, &d, &err), INK_USAGE);
    CHECK(d == NULL);
    CHECK_INT(err.status, INK_USAGE);
    CHECK(strstr(err.message, word) != NULL);
    double v[3] = {1, 2, 3}, s[3] = {-1, -1, -1};
    CHECK_INT(ink_anomaly_scores(o, v, 3, s, NULL, &err), INK_USAGE);
    CHECK(s[0] == -1); /* untouched */
}

static void test_bad_options(void)
{
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.period = INK_ANOMALY_MAX_PERIOD + 1;
    expect_usage(&o, "anomaly period: expected 0 to 100000, got 100001");
    ink_anomaly_options_init(&o);
    o.cycles = 0;
    expect_usage(&o, "anomaly cycles: expected 1 to 1000, got 0");
    ink_anomaly_options_init(&o);
    o.window = 7;
    expect_usage(&o, "anomaly window: expected 8 to 1000000, got 7");
    ink_anomaly_options_init(&o);
    o.smooth = 29;
    expect_usage(&o, "anomaly smooth: expected 1 to 28 (window / 2), got 29");
    ink_anomaly_options_init(&o);
    o.smooth = 0;
    expect_usage(&o, "anomaly smooth");
    ink_anomaly_options_init(&o);
    o.threshold = 0;
    expect_usage(&o, "anomaly threshold: expected a number in (0, 1], got 0");
    o.threshold = 1.5;
    expect_usage(&o, "got 1.5");
    o.threshold = NAN;
    expect_usage(&o, "anomaly threshold");
    /* the limits themselves are accepted */
    ink_anomaly_options_init(&o);
    o.period = 0;
    o.cycles = 1;
    o.window = 8;
    o.smooth = 4;
    o.threshold = 1;
    ink_anomaly *d = NULL;
    ink_error err;
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    CHECK(d != NULL);
    ink_anomaly_free(d);
}

/* Method likelihood with order 1, smooth 1, window 8 on 0, 10, 0, 10...:
 * levels 2 over the warmup range [0, 10] make bins of width 5 (0 is bin
 * 0, 10 is bin 2). */
static void lik_alternating(ink_anomaly_options *o)
{
    ink_anomaly_options_init(o);
    o->method = INK_ANOMALY_LIKELIHOOD;
    o->order = 1;
    o->smooth = 1;
    o->window = 8;
    o->warmup = 8;
}

static void test_lik_hand_computed(void)
{
    ink_anomaly_options o;
    lik_alternating(&o);
    ink_anomaly *d = NULL;
    ink_error err;
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    double e = 0;
    /* learning: score 0, nothing expected */
    for (int i = 0; i < 8; i++) {
        CHECK(ink_anomaly_step(d, i % 2 ? 10 : 0, &e) == 0);
        CHECK(isnan(e));
    }
    /*
     * Sample i (0-based) of bin b: the raw surprise is the mean over the
     * context lengths 0 and 1 of 1 - count(context, b) / count(context).
     * After one bin the other always followed (1 - 1 = 0); with no
     * context, bin 0 had i / 2 of i samples (0.5) and bin 2 (i - 1) / 2
     * (1 - (i - 1) / 2i). So raw(even i) = 0.25, raw(odd i) = (i + 1) /
     * 4i; their deviation over 8 samples is below the 0.01 floor.
     */
    const int n = 200;
    int quiet = 1;
    for (int i = 8; i < n; i++) {
        double s = ink_anomaly_step(d, i % 2 ? 10 : 0, &e);
        /* after 0 came 10 (bin 2, centre 12.5), after 10 came 0 (2.5) */
        if (e != (i % 2 ? 12.5 : 2.5))
            quiet = 0;
        if (s >= INK_ANOMALY_ALERT)
            quiet = 0;
    }
    CHECK(quiet);
    /* 100 (bin 20) after 10: never seen, with or without context: raw 1.
     * z = (1 - mean of the last 8 raws) / 0.01, scaled by 6 / 4.265 */
    double mean = 0;
    for (int i = n - 8; i < n; i++)
        mean += i % 2 ? (double)(i + 1) / (4.0 * i) : 0.25;
    mean /= 8;
    double z = (1 - mean) / 0.01 * 6 / 4.265, z4 = z * z * z * z;
    double s = ink_anomaly_step(d, 100, &e);
    CHECK(e == 2.5);
    CHECK(fabs(s - z4 / (z4 + 13)) < 1e-12);
    CHECK(s >= INK_ANOMALY_ALERT);
    ink_anomaly_free(d);
}

/* Method likelihood: a constant warmup makes any other value new. */
static void test_lik_constant(void)
{
    ink_anomaly_options o;
    lik_alternating(&o);
    double v[300], s[300];
    for (int i = 0; i < 300; i++)
        v[i] = 5;
    v[250] = 5.001;
    ink_error err;
    CHECK_INT(ink_anomaly_scores(&o, v, 300, s, NULL, &err), INK_OK);
    CHECK(max_score(s, 0, 250) == 0);
    CHECK(s[250] >= INK_ANOMALY_ALERT);
}

/* The NAB configuration of method likelihood on a noisy weekly series
 * (docs/anomaly.md): rarely alerting when clean, an outage found; with
 * smooth 1, a spike found on its day. */
static void lik_nab(ink_anomaly_options *o)
{
    ink_anomaly_options_init(o);
    o->method = INK_ANOMALY_LIKELIHOOD;
    o->warmup = 90;
    o->window = 200;
    o->smooth = 10;
    o->dead_time = 14;
}

#define LONG_DAYS 730

static void test_lik_clean_and_injected(void)
{
    double v[LONG_DAYS], s[LONG_DAYS], e[LONG_DAYS];
    ink_anomaly_options o;
    lik_nab(&o);
    ink_error err;
    double worst = 0;
    size_t alerts = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        seasonal_series(seed, v, LONG_DAYS);
        CHECK_INT(ink_anomaly_scores(&o, v, LONG_DAYS, s, NULL, &err), INK_OK);
        double m = max_score(s, 0, LONG_DAYS);
        if (m > worst)
            worst = m;
        for (size_t i = 0; i < LONG_DAYS; i++)
            alerts += s[i] >= INK_ANOMALY_ALERT;
    }
    /* 40 clean years: 14 false alerts (about one in three years; this is
     * why the daily alerts use the robust method) */
    CHECK(alerts <= 20);
    CHECK(worst > 0.9); /* it does score */
    /* a two-week outage (every day near 0) from day 400 */
    seasonal_series(21, v, LONG_DAYS);
    for (size_t i = 400; i < 414; i++)
        v[i] = 2;
    CHECK_INT(ink_anomaly_scores(&o, v, LONG_DAYS, s, e, &err), INK_OK);
    CHECK(max_score(s, 0, 400) < INK_ANOMALY_ALERT);
    CHECK(max_score(s, 400, 410) >= INK_ANOMALY_ALERT);
    /* a spike far beyond anything seen: the raw surprise is 1 for it at
     * every context length, but one sample moves the mean of 10 too
     * little; method likelihood finds lasting changes, not single
     * points */
    seasonal_series(22, v, LONG_DAYS);
    v[500] = 1000;
    CHECK_INT(ink_anomaly_scores(&o, v, LONG_DAYS, s, e, &err), INK_OK);
    /* expected values are inside the series' range */
    CHECK(e[500] > 0 && e[500] < 160);
    CHECK(isnan(e[0]));
}

/* Method likelihood: scores equal steps, missing samples score 0. */
static void test_lik_steps_and_missing(void)
{
    double v[LONG_DAYS], s[LONG_DAYS], e[LONG_DAYS];
    ink_anomaly_options o;
    lik_nab(&o);
    ink_error err;
    seasonal_series(23, v, LONG_DAYS);
    for (size_t i = 100; i < LONG_DAYS; i += 13)
        v[i] = NAN;
    v[300] = -INFINITY;
    CHECK_INT(ink_anomaly_scores(&o, v, LONG_DAYS, s, e, &err), INK_OK);
    CHECK(s[100] == 0 && isnan(e[100]));
    CHECK(s[300] == 0);
    for (size_t i = 0; i < o.warmup; i++)
        CHECK(s[i] == 0);
    check_steps(&o, v, LONG_DAYS, s, e);
}

static void test_lik_bad_options(void)
{
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.method = 2;
    expect_usage(&o, "anomaly method: expected 0 (robust) or 1 "
                     "(likelihood), got 2");
    o.method = -1;
    expect_usage(&o, "got -1");
    lik_nab(&o);
    o.levels = 1;
    expect_usage(&o, "anomaly levels: expected 2 to 100000, got 1");
    o.levels = INK_ANOMALY_MAX_LEVELS + 1;
    expect_usage(&o, "got 100001");
    lik_nab(&o);
    o.order = 0;
    expect_usage(&o, "anomaly order: expected 1 to 16, got 0");
    o.order = INK_ANOMALY_MAX_ORDER + 1;
    expect_usage(&o, "got 17");
    lik_nab(&o);
    o.warmup = INK_ANOMALY_MAX_WARMUP + 1;
    expect_usage(&o, "anomaly warmup: expected 0 to 1000000 with method "
                     "likelihood, got 1000001");
    lik_nab(&o);
    o.smooth = 101;
    expect_usage(&o, "anomaly smooth: expected 1 to 100");
    /* the robust method ignores levels and order */
    ink_anomaly_options_init(&o);
    o.levels = 0;
    o.order = 0;
    ink_anomaly *d = NULL;
    ink_error err;
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    ink_anomaly_free(d);
    /* the limits are accepted */
    lik_nab(&o);
    o.levels = INK_ANOMALY_MAX_LEVELS;
    o.order = INK_ANOMALY_MAX_ORDER;
    o.warmup = 0; /* 8 samples are still learnt from */
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    for (int i = 0; i < 8; i++)
        CHECK(ink_anomaly_step(d, i, NULL) == 0);
    CHECK(ink_anomaly_step(d, 3, NULL) >= 0);
    ink_anomaly_free(d);
    o.levels = 2;
    o.order = 1;
    CHECK_INT(ink_anomaly_new(&o, &d, &err), INK_OK);
    ink_anomaly_free(d);
}

int main(void)
{
    test_defaults();
    test_hand_computed();
    test_clean_no_alert();
    test_injected();
    test_expected_values();
    test_warmup();
    test_missing();
    test_scores_equals_steps();
    test_dead_time();
    test_relative();
    test_bad_options();
    test_lik_hand_computed();
    test_lik_constant();
    test_lik_clean_and_injected();
    test_lik_steps_and_missing();
    test_lik_bad_options();
    return check_report("anomaly");
}
