/* Method INK_ANOMALY_LIKELIHOOD of the anomaly detector: the surprise of
 * a quantised value after its recent context (counted n-grams), turned
 * into a tail probability of its short-term mean (anomaly likelihood). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "kpi/anomaly_impl.h"

/* Fewest samples the bin width is learnt from. */
#define MIN_LEARN 8
/* Counters of the n-gram table: 2^20 (4 MB), indexed by a hash. A
 * collision only makes an unseen n-gram look seen (count sketches,
 * Cormode & Muthukrishnan 2005, with one row). */
#define TABLE_BITS 20
/* Floor of the deviation of the raw surprises, so that a series whose
 * surprise is almost constant does not alert on its first small wobble. */
#define SIGMA_FLOOR 0.01
/* Largest bin index magnitude (values far beyond the warmup range share
 * the outermost bins; keeps the conversion to int64 defined). */
#define BIN_LIMIT 1e15
/* Weight of the seasonal context's surprise (one n-gram order = 1). */
#ifndef SEASON_WEIGHT
#define SEASON_WEIGHT 1.0
#endif
/* Smallest autocorrelation that makes a lag a season. */
#define SEASON_MIN_ACF 0.3
/* The likelihood z is scaled so that 0.99 (score z = 6) is a Gaussian tail
 * of 1e-5, the threshold of Ahmad et al. 2017 (z = 4.265). */
#ifndef LIK_Z_SCALE
#define LIK_Z_SCALE (6.0 / 4.265)
#endif
/* How many candidate bins the expected value is searched over. */
#define EXPECTED_SEARCH 4096

struct ink__anomaly_lik {
    size_t levels, order, window, smooth, learn;
    double *learned; /* the first `learn` values */
    size_t learned_len;
    int ready;         /* the bin width is known */
    double low, width; /* bin b holds [low + b width, low + (b+1) width) */
    int64_t recent[INK_ANOMALY_MAX_ORDER]; /* recent[0]: the latest bin */
    size_t recent_len;
    int64_t bin_min, bin_max; /* bins seen so far */
    size_t period;            /* detected season in samples; 0 = none */
    int64_t *history;         /* the last `period` bins (a ring) */
    size_t history_head, history_len;
    uint32_t *counts;
    size_t mask;
    double *shortr; /* the last `smooth` raw surprises (a ring) */
    size_t short_len, short_head;
    double short_sum;
    double *raw; /* the last `window` short-term means */
    size_t raw_len, raw_head;
    double raw_sum, raw_sq; /* over raw[] */
    size_t since_exact;     /* pushes since the sums were recomputed */
};

ink__anomaly_lik *ink__anomaly_lik_new(const ink_anomaly_options *opt)
{
    ink__anomaly_lik *l = malloc(sizeof *l);
    if (!l)
        return NULL;
    memset(l, 0, sizeof *l);
    l->levels = opt->levels;
    l->order = opt->order;
    l->window = opt->window;
    l->smooth = opt->smooth;
    l->learn = opt->warmup > MIN_LEARN ? opt->warmup : MIN_LEARN;
    l->mask = ((size_t)1 << TABLE_BITS) - 1;
    l->learned = ink__alloc_array(l->learn, sizeof *l->learned);
    l->counts = ink__calloc_array(l->mask + 1, sizeof *l->counts);
    l->raw = ink__alloc_array(l->window, sizeof *l->raw);
    l->shortr = ink__alloc_array(l->smooth, sizeof *l->shortr);
    l->history = ink__alloc_array(l->learn / 2 + 1, sizeof *l->history);
    if (!l->learned || !l->counts || !l->raw || !l->history || !l->shortr) {
        ink__anomaly_lik_free(l);
        return NULL;
    }
    return l;
}

void ink__anomaly_lik_free(ink__anomaly_lik *l)
{
    if (!l)
        return;
    free(l->learned);
    free(l->counts);
    free(l->raw);
    free(l->history);
    free(l->shortr);
    free(l);
}

/* splitmix64's finaliser (Steele, Lea & Flood 2014): a 64-bit mixer. */
static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

#define SALT_CONTEXT 0x243F6A8885A308D3ULL
#define SALT_NEXT 0x13198A2E03707344ULL
#define SALT_SEASON 0xA4093822299F31D0ULL

static int64_t bin_of(const ink__anomaly_lik *l, double x)
{
    double b = floor((x - l->low) / l->width);
    if (!(b > -BIN_LIMIT))
        b = -BIN_LIMIT;
    if (b > BIN_LIMIT)
        b = BIN_LIMIT;
    return (int64_t)b;
}

/* The hash of the context of the last j bins, for j = 0 .. recent_len,
 * in ctx[0 .. recent_len]. */
static void context_hashes(const ink__anomaly_lik *l, uint64_t *ctx)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    ctx[0] = h;
    for (size_t j = 1; j <= l->recent_len; j++) {
        h = mix(h + (uint64_t)l->recent[j - 1]);
        ctx[j] = h;
    }
}

static uint32_t *slot(ink__anomaly_lik *l, uint64_t key)
{
    return &l->counts[mix(key) & l->mask];
}

static uint64_t next_key(uint64_t ctx, int64_t bin)
{
    return mix(ctx ^ SALT_NEXT) + (uint64_t)bin * 0xD6E8FEB86659FD93ULL;
}

static void bump(uint32_t *c)
{
    if (*c < UINT32_MAX)
        (*c)++;
}

/*
 * The raw surprise of bin b after the current context, then learns it:
 * the mean over the context lengths j = 0 .. order of 1 - P(b | last j
 * bins), P estimated by counts (1 for a context never seen), i.e. the
 * average miss rate of variable-order Markov predictors (Begleiter,
 * El-Yaniv & Yona 2004, "On prediction using variable order Markov
 * models", JAIR 22); an n-gram never seen before scores 1 at its length
 * (Forrest et al. 1996, "A sense of self for Unix processes").
 */
static double observe(ink__anomaly_lik *l, int64_t b)
{
    uint64_t ctx[INK_ANOMALY_MAX_ORDER + 1];
    context_hashes(l, ctx);
    double surprise = 0;
    size_t terms = l->order + 1;
    for (size_t j = 0; j < terms; j++) {
        if (j > l->recent_len) {
            surprise += 1;
            continue;
        }
        uint32_t *seen = slot(l, ctx[j] ^ SALT_CONTEXT);
        uint32_t *next = slot(l, next_key(ctx[j], b));
        double p = *seen ? (double)*next / (double)*seen : 0;
        if (p > 1)
            p = 1; /* a collision */
        surprise += 1 - p;
        bump(seen);
        bump(next);
    }
    if (l->period) {
        /* the seasonal context: the bin one period back and the latest */
        terms++;
        if (l->history_len == l->period && l->recent_len > 0) {
            int64_t back = l->history[l->history_head];
            uint64_t key = mix(SALT_SEASON + (uint64_t)back) ^
                           (uint64_t)l->recent[0] * 0x9FB21C651E98DF25ULL;
            uint32_t *seen = slot(l, key ^ SALT_CONTEXT);
            uint32_t *next = slot(l, next_key(key, b));
            double p = *seen ? (double)*next / (double)*seen : 0;
            surprise += SEASON_WEIGHT * (1 - (p > 1 ? 1 : p));
            bump(seen);
            bump(next);
        } else {
            surprise += SEASON_WEIGHT;
        }
        l->history[l->history_head] = b;
        l->history_head = (l->history_head + 1) % l->period;
        if (l->history_len < l->period)
            l->history_len++;
    }
    if (l->recent_len < l->order)
        l->recent_len++;
    memmove(l->recent + 1, l->recent, (l->recent_len - 1) * sizeof *l->recent);
    l->recent[0] = b;
    if (b < l->bin_min)
        l->bin_min = b;
    if (b > l->bin_max)
        l->bin_max = b;
    return surprise /
           ((double)(l->order + 1) + (l->period ? SEASON_WEIGHT : 0.0));
}

/* The centre of the bin that most often followed the longest known
 * context; NAN when no context is known. */
static double expected_value(ink__anomaly_lik *l)
{
    uint64_t ctx[INK_ANOMALY_MAX_ORDER + 1];
    context_hashes(l, ctx);
    for (size_t j = l->recent_len + 1; j-- > 0;) {
        if (*slot(l, ctx[j] ^ SALT_CONTEXT) == 0)
            continue;
        int64_t best = 0;
        uint32_t most = 0;
        int64_t from = l->bin_min, to = l->bin_max;
        if (to - from >= EXPECTED_SEARCH) {
            /* search around the latest bin */
            from = l->recent[0] - EXPECTED_SEARCH / 2;
            to = from + EXPECTED_SEARCH - 1;
        }
        for (int64_t b = from; b <= to; b++) {
            uint32_t c = *slot(l, next_key(ctx[j], b));
            if (c > most) {
                most = c;
                best = b;
            }
        }
        if (most)
            return l->low + ((double)best + 0.5) * l->width;
    }
    return NAN;
}

/* Pushes a raw surprise into the long window, keeping its sums; they are
 * recomputed every `window` pushes so rounding does not accumulate. */
static void push_raw(ink__anomaly_lik *l, double r)
{
    if (l->raw_len == l->window) {
        double old = l->raw[l->raw_head];
        l->raw_sum -= old;
        l->raw_sq -= old * old;
    } else {
        l->raw_len++;
    }
    l->raw[l->raw_head] = r;
    l->raw_head = (l->raw_head + 1) % l->window;
    l->raw_sum += r;
    l->raw_sq += r * r;
    if (++l->since_exact >= l->window) {
        l->since_exact = 0;
        l->raw_sum = l->raw_sq = 0;
        for (size_t i = 0; i < l->raw_len; i++) {
            l->raw_sum += l->raw[i];
            l->raw_sq += l->raw[i] * l->raw[i];
        }
    }
}

/* Pushes a raw surprise into the short ring; returns the mean of the
 * last `smooth` ones (fewer at the start). */
static double push_short(ink__anomaly_lik *l, double r)
{
    if (l->short_len == l->smooth)
        l->short_sum -= l->shortr[l->short_head];
    else
        l->short_len++;
    l->shortr[l->short_head] = r;
    l->short_head = (l->short_head + 1) % l->smooth;
    l->short_sum += r;
    if (l->short_head == 0) {
        /* once per round, exactly: no drift of the running sum */
        l->short_sum = 0;
        for (size_t i = 0; i < l->short_len; i++)
            l->short_sum += l->shortr[i];
    }
    return l->short_sum / (double)l->short_len;
}

/*
 * The anomaly likelihood (Ahmad, Lavin, Purdy & Agha 2017,
 * "Unsupervised real-time anomaly detection for streaming data",
 * Neurocomputing 262, section 4.3): the mean of the last `smooth` raw
 * surprises as a z-score against the mean and standard deviation of the
 * last `window` such means (the paper takes the deviation of the raw
 * values themselves, which for a raw surprise as noisy as ours is
 * sqrt(smooth) times too wide).
 */
static double likelihood_z(ink__anomaly_lik *l, double r)
{
    double z = 0;
    double recent = push_short(l, r);
    size_t n = l->raw_len;
    if (n >= MIN_LEARN && n >= 2 * l->smooth) {
        double mean = l->raw_sum / (double)n;
        double var = l->raw_sq / (double)n - mean * mean;
        double sigma = var > 0 ? sqrt(var) : 0;
        if (sigma < SIGMA_FLOOR)
            sigma = SIGMA_FLOOR;
        z = (recent - mean) / sigma;
    }
    push_raw(l, recent);
    return z;
}

/*
 * The season of the learnt values: the lag in 2 .. n/2 of the highest
 * sample autocorrelation (Box & Jenkins, "Time Series Analysis", ch. 2)
 * past its first dip below zero, if it is at least SEASON_MIN_ACF;
 * 0 = none. O(n^2 / 2) once.
 */
static size_t detect_period(const double *x, size_t n)
{
    if (n < 16)
        return 0;
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++)
        mean += x[i];
    mean /= (double)n;
    for (size_t i = 0; i < n; i++)
        var += (x[i] - mean) * (x[i] - mean);
    if (!(var > 0))
        return 0;
    size_t best = 0;
    double best_acf = SEASON_MIN_ACF;
    int dipped = 0;
    for (size_t lag = 2; lag <= n / 2; lag++) {
        double c = 0;
        for (size_t i = lag; i < n; i++)
            c += (x[i] - mean) * (x[i - lag] - mean);
        double acf = c / var;
        if (acf < 0)
            dipped = 1;
        if (dipped && acf > best_acf) {
            best_acf = acf;
            best = lag;
        }
    }
    return best;
}

/* Fixes the bin width from the learnt values and learns them. */
static void calibrate(ink__anomaly_lik *l)
{
    double lo = l->learned[0], hi = l->learned[0];
    for (size_t i = 1; i < l->learned_len; i++) {
        if (l->learned[i] < lo)
            lo = l->learned[i];
        if (l->learned[i] > hi)
            hi = l->learned[i];
    }
    double width = (hi - lo) / (double)l->levels;
    if (!(width > 0) || !isfinite(width)) {
        /* a constant warmup: any other value is new */
        width = fabs(lo) > 0 ? 1e-6 * fabs(lo) : 1e-6;
    }
    l->low = lo;
    l->width = width;
    l->ready = 1;
    l->period =
        SEASON_WEIGHT > 0 ? detect_period(l->learned, l->learned_len) : 0;
    l->bin_min = l->bin_max = bin_of(l, l->learned[0]);
    /* everything is new at first: only the second half's surprises
     * seed the long-term distribution */
    for (size_t i = 0; i < l->learned_len; i++) {
        double r = observe(l, bin_of(l, l->learned[i]));
        double m = push_short(l, r);
        if (2 * i >= l->learned_len)
            push_raw(l, m);
    }
}

double ink__anomaly_lik_step(ink__anomaly_lik *l, double value,
                             double *expected)
{
    if (!l->ready) {
        if (expected)
            *expected = NAN;
        l->learned[l->learned_len++] = value;
        if (l->learned_len == l->learn)
            calibrate(l);
        return 0;
    }
    if (expected)
        *expected = expected_value(l);
    double r = observe(l, bin_of(l, value));
    return ink__anomaly_z_to_score(LIK_Z_SCALE * likelihood_z(l, r));
}
