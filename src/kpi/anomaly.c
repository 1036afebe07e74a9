/* The streaming anomaly detector of include/inkasso/anomaly.h. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "inkasso/anomaly.h"
#include "kpi/anomaly_impl.h"

/* 1.4826 * MAD estimates the standard deviation of normal data
 * (Rousseeuw & Croux 1993, "Alternatives to the median absolute
 * deviation", JASA 88:1273). */
#define MAD_TO_SIGMA 1.4826
/* sqrt(pi / 2): mean absolute deviation to sigma for normal data, the
 * fallback when more than half the residuals are equal (MAD = 0). */
#define MEAN_AD_TO_SIGMA 1.2533141373155003
/* score = z^4 / (z^4 + SCORE_Z4_HALF): 0.99 at z = 6 (1296 / 1309). */
#define SCORE_Z4_HALF 13.0
/* Option relative: a surprise equal to the largest one so far is z = 6. */
#define RELATIVE_Z 6.0
/* Fewest residuals (or shift means) the spread is estimated from. */
#define MIN_SPREAD_SAMPLES 4

/* A ring of the last cap doubles. */
typedef struct ring {
    double *v;
    size_t cap, len, head; /* head: where the next value goes */
} ring;

struct ink_anomaly {
    ink_anomaly_options opt;
    size_t lag;            /* samples per cycle: period, or 1 without season */
    ring values;           /* the last cycles * lag samples (NAN = missing) */
    ring residuals;        /* the last window finite residuals */
    ring shifts;           /* the last window means of smooth residuals */
    double *scratch;       /* window doubles for medians */
    size_t seen;           /* samples fed so far */
    size_t dead_left;      /* samples of dead time still to go */
    double record;         /* largest surprise so far (option relative) */
    ink__anomaly_lik *lik; /* method likelihood (the rings are unused) */
};

static int ring_init(ring *r, size_t cap)
{
    r->v = ink__alloc_array(cap, sizeof *r->v);
    r->cap = cap;
    r->len = r->head = 0;
    return r->v != NULL;
}

static void ring_push(ring *r, double x)
{
    r->v[r->head] = x;
    r->head = (r->head + 1) % r->cap;
    if (r->len < r->cap)
        r->len++;
}

/* The value pushed `back` pushes ago (1 = the latest); back <= len. */
static double ring_back(const ring *r, size_t back)
{
    return r->v[(r->head + r->cap - back) % r->cap];
}

/* The k-th smallest of a[0..n), k < n, reordering a so that a[0..k) <=
 * a[k] <= a[k+1..n) (Wirth's selection, "Algorithms + Data Structures =
 * Programs", 1976, the FIND procedure of C. A. R. Hoare). */
static double select_kth(double *a, size_t n, size_t k)
{
    ptrdiff_t l = 0, m = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (l < m) {
        double x = a[kk];
        ptrdiff_t i = l, j = m;
        do {
            while (a[i] < x)
                i++;
            while (x < a[j])
                j--;
            if (i <= j) {
                double t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        } while (i <= j);
        if (j < kk)
            l = i;
        if (kk < i)
            m = j;
    }
    return a[kk];
}

/* Median by selection (anomaly_impl.h). */
double ink__anomaly_median(double *a, size_t n)
{
    double upper = select_kth(a, n, n / 2);
    if (n % 2)
        return upper;
    /* after the select, a[0..n/2) holds the lower half */
    double lower = a[0];
    for (size_t i = 1; i < n / 2; i++)
        if (a[i] > lower)
            lower = a[i];
    return 0.5 * (lower + upper);
}

/*
 * Robust center and spread (sigma estimate) of the ring's values, using
 * scratch. The spread is 1.4826 MAD, or the scaled mean absolute
 * deviation when MAD is 0, or 0 for constant data.
 */
static void robust_spread(const ring *r, double *scratch, double *center,
                          double *sigma)
{
    size_t n = r->len;
    memcpy(scratch, r->v, n * sizeof *scratch);
    double c = ink__anomaly_median(scratch, n);
    double mean_ad = 0;
    for (size_t i = 0; i < n; i++) {
        scratch[i] = fabs(r->v[i] - c);
        mean_ad += scratch[i];
    }
    mean_ad /= (double)n;
    double mad = ink__anomaly_median(scratch, n);
    *center = c;
    *sigma = mad > 0 ? MAD_TO_SIGMA * mad : MEAN_AD_TO_SIGMA * mean_ad;
}

void ink_anomaly_options_init(ink_anomaly_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->period = 7;
    opt->warmup = 28;
    opt->cycles = 4;
    opt->window = 56;
    opt->smooth = 3;
    opt->dead_time = 0;
    opt->threshold = INK_ANOMALY_ALERT;
    opt->method = INK_ANOMALY_ROBUST;
    opt->levels = 2;
    opt->order = 3;
}

static ink_status check_options(const ink_anomaly_options *o, ink_error *err)
{
    if (o->method != INK_ANOMALY_ROBUST && o->method != INK_ANOMALY_LIKELIHOOD)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly method: expected %d (robust) or %d "
                              "(likelihood), got %d",
                              INK_ANOMALY_ROBUST, INK_ANOMALY_LIKELIHOOD,
                              o->method);
    if (o->period > INK_ANOMALY_MAX_PERIOD)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly period: expected 0 to %d, got %zu",
                              INK_ANOMALY_MAX_PERIOD, o->period);
    if (o->cycles < 1 || o->cycles > INK_ANOMALY_MAX_CYCLES)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly cycles: expected 1 to %d, got %zu",
                              INK_ANOMALY_MAX_CYCLES, o->cycles);
    if (o->window < 8 || o->window > INK_ANOMALY_MAX_WINDOW)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly window: expected 8 to %d, got %zu",
                              INK_ANOMALY_MAX_WINDOW, o->window);
    if (o->smooth < 1 || o->smooth > o->window / 2)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly smooth: expected 1 to %zu (window / "
                              "2), got %zu",
                              o->window / 2, o->smooth);
    if (!(o->threshold > 0 && o->threshold <= 1))
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly threshold: expected a number in (0, "
                              "1], got %g",
                              o->threshold);
    if (o->method != INK_ANOMALY_LIKELIHOOD)
        return INK_OK;
    if (o->levels < 2 || o->levels > INK_ANOMALY_MAX_LEVELS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly levels: expected 2 to %d, got %zu",
                              INK_ANOMALY_MAX_LEVELS, o->levels);
    if (o->order < 1 || o->order > INK_ANOMALY_MAX_ORDER)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly order: expected 1 to %d, got %zu",
                              INK_ANOMALY_MAX_ORDER, o->order);
    if (o->warmup > INK_ANOMALY_MAX_WARMUP)
        return ink__error_set(err, INK_USAGE, NULL,
                              "anomaly warmup: expected 0 to %d with method "
                              "likelihood, got %zu",
                              INK_ANOMALY_MAX_WARMUP, o->warmup);
    return INK_OK;
}

ink_status ink_anomaly_new(const ink_anomaly_options *opt, ink_anomaly **out,
                           ink_error *err)
{
    ink_anomaly_options defaults;
    if (!opt) {
        ink_anomaly_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    ink_status st = check_options(opt, err);
    if (st != INK_OK)
        return st;
    ink_anomaly *d = malloc(sizeof *d);
    if (!d)
        return ink__error_set(err, INK_NOMEM, NULL, "anomaly detector");
    memset(d, 0, sizeof *d);
    d->opt = *opt;
    if (opt->method == INK_ANOMALY_LIKELIHOOD) {
        d->lik = ink__anomaly_lik_new(opt);
        if (!d->lik) {
            free(d);
            return ink__error_set(err, INK_NOMEM, NULL, "anomaly detector");
        }
        *out = d;
        return INK_OK;
    }
    d->lag = opt->period ? opt->period : 1;
    /* lag <= 1e5 and cycles <= 1e3: the product fits in size_t */
    size_t scratch_len = opt->window;
    if (opt->cycles > scratch_len)
        scratch_len = opt->cycles;
    if (!ring_init(&d->values, opt->cycles * d->lag) ||
        !ring_init(&d->residuals, opt->window) ||
        !ring_init(&d->shifts, opt->window) ||
        !(d->scratch = ink__alloc_array(scratch_len, sizeof *d->scratch))) {
        ink_anomaly_free(d);
        return ink__error_set(err, INK_NOMEM, NULL, "anomaly detector");
    }
    *out = d;
    return INK_OK;
}

void ink_anomaly_free(ink_anomaly *d)
{
    if (!d)
        return;
    free(d->values.v);
    free(d->residuals.v);
    free(d->shifts.v);
    free(d->scratch);
    ink__anomaly_lik_free(d->lik);
    free(d);
}

/* The median of the finite samples 1, 2, ... cycles lags back; NAN when
 * there is none. */
static double baseline(ink_anomaly *d)
{
    size_t n = 0;
    for (size_t k = 1; k <= d->opt.cycles; k++) {
        size_t back = k * d->lag;
        if (back > d->values.len)
            break;
        double x = ring_back(&d->values, back);
        if (isfinite(x))
            d->scratch[n++] = x;
    }
    return n ? ink__anomaly_median(d->scratch, n) : NAN;
}

/* The z-score of x against the ring's robust center and spread; 0 while
 * the ring is too short, 0 or a huge z for constant history. */
static double robust_z(const ring *r, double *scratch, double x)
{
    if (r->len < MIN_SPREAD_SAMPLES)
        return 0;
    double center, sigma;
    robust_spread(r, scratch, &center, &sigma);
    double dev = fabs(x - center);
    if (sigma > 0)
        return dev / sigma;
    /* constant history: any change is as surprising as it gets */
    return dev > 0 ? HUGE_VAL : 0;
}

double ink__anomaly_z_to_score(double z)
{
    if (!(z > 0))
        return 0;
    if (isinf(z))
        return 1;
    double z2 = z * z, z4 = z2 * z2;
    if (isinf(z4))
        return 1;
    return z4 / (z4 + SCORE_Z4_HALF);
}

/* Applies the warmup and the dead time to the score of sample t. */
static double finish(ink_anomaly *d, size_t t, double score)
{
    if (t < d->opt.warmup)
        return 0;
    if (d->dead_left > 0) {
        d->dead_left--;
        double cap = nextafter(d->opt.threshold, 0);
        return score < cap ? score : cap;
    }
    if (score >= d->opt.threshold && d->opt.dead_time > 0)
        d->dead_left = d->opt.dead_time;
    return score;
}

double ink_anomaly_step(ink_anomaly *d, double value, double *expected)
{
    if (d->lik) {
        size_t t = d->seen++;
        if (!isfinite(value)) {
            if (expected)
                *expected = NAN;
            return 0;
        }
        return finish(d, t, ink__anomaly_lik_step(d->lik, value, expected));
    }
    double base = baseline(d);
    if (expected)
        *expected = base;
    size_t t = d->seen++;
    if (!isfinite(value)) {
        ring_push(&d->values, NAN);
        return 0;
    }
    double score = 0;
    if (isfinite(base)) {
        double r = value - base;
        double z = robust_z(&d->residuals, d->scratch, r);
        ring_push(&d->residuals, r);
        size_t k = d->opt.smooth;
        if (k > 1 && d->residuals.len >= k) {
            double sum = 0;
            for (size_t i = 1; i <= k; i++)
                sum += ring_back(&d->residuals, i);
            double mean = sum / (double)k;
            double zs = robust_z(&d->shifts, d->scratch, mean);
            ring_push(&d->shifts, mean);
            if (zs > z)
                z = zs;
        }
        if (d->opt.relative) {
            double past = d->record;
            if (z > d->record)
                d->record = z;
            z = past > 0 ? RELATIVE_Z * z / past : 0;
        }
        score = ink__anomaly_z_to_score(z);
    }
    ring_push(&d->values, value);
    return finish(d, t, score);
}

ink_status ink_anomaly_scores(const ink_anomaly_options *opt,
                              const double *values, size_t n, double *scores,
                              double *expected, ink_error *err)
{
    ink_anomaly *d;
    ink_status st = ink_anomaly_new(opt, &d, err);
    if (st != INK_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        scores[i] =
            ink_anomaly_step(d, values[i], expected ? &expected[i] : NULL);
    ink_anomaly_free(d);
    return INK_OK;
}
