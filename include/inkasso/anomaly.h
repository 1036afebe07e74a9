/* Streaming anomaly detection on one numeric series (daily KPIs and more). */
#ifndef INKASSO_ANOMALY_H
#define INKASSO_ANOMALY_H

#include <stddef.h>

#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Two methods (docs/anomaly.md has the algorithms and the NAB results).
 *
 * INK_ANOMALY_ROBUST (the default, used by the daily alerts): each sample is
 * compared with a robust seasonal baseline (the median of the samples one, two,
 * ... `cycles` periods back), its residual is scaled by the robust spread (MAD)
 * of the last `window` residuals, and the surprise is the larger of that point
 * z-score and the z-score of the mean of the last `smooth` residuals (a level
 * shift) against the spread of such means. The score maps the surprise z to [0,
 * 1) monotonically: score = z^4 / (z^4 + 13), so INK_ANOMALY_ALERT (0.99) is z
 * = 6.
 *
 * INK_ANOMALY_LIKELIHOOD (for streams with unknown structure, the NAB
 * result): the values are quantised into `levels` bins over the range of
 * the first `warmup` samples; the raw surprise of a sample is how
 * unexpected its bin is after the last 0, 1, ... `order` bins (counted
 * n-grams); the score is the Gaussian tail of the mean of the last
 * `smooth` raw surprises against the mean and deviation of the last
 * `window` ones (the anomaly likelihood of Ahmad et al. 2017), mapped to
 * [0, 1) as above (0.99 at 6 deviations).
 */

/* The methods (option `method`). */
#define INK_ANOMALY_ROBUST 0
#define INK_ANOMALY_LIKELIHOOD 1

/* The score from which a sample is an alert (z = 6 robust deviations). */
#define INK_ANOMALY_ALERT 0.99

/* Hard limits of the options (INK_USAGE beyond them). */
#define INK_ANOMALY_MAX_PERIOD 100000
#define INK_ANOMALY_MAX_CYCLES 1000
#define INK_ANOMALY_MAX_WINDOW 1000000
#define INK_ANOMALY_MAX_LEVELS 100000
#define INK_ANOMALY_MAX_ORDER 16
#define INK_ANOMALY_MAX_WARMUP 1000000

typedef struct ink_anomaly_options {
    /* INK_ANOMALY_ROBUST (default) or INK_ANOMALY_LIKELIHOOD. */
    int method;
    /* Seasonal period in samples: 7 for daily data with a weekly cycle;
     * 0 = no seasonality (the baseline is the median of the last `cycles`
     * samples). Default 7, at most INK_ANOMALY_MAX_PERIOD. */
    size_t period;
    /* The first warmup samples always score 0 (the detector is learning).
     * Default 28 (four weeks of daily data). Method likelihood: the bin
     * width is learnt from these samples (it keeps them, so at most
     * INK_ANOMALY_MAX_WARMUP; at least 8 are used even when warmup is
     * smaller). */
    size_t warmup;
    /* How many past cycles (samples when period is 0) the baseline is the
     * median of: 1 to INK_ANOMALY_MAX_CYCLES. Default 4. */
    size_t cycles;
    /* How many recent residuals the spread is learned from (method
     * likelihood: how many raw surprises their long-term distribution is
     * learnt from): 8 to INK_ANOMALY_MAX_WINDOW. Default 56. */
    size_t window;
    /* How many residuals the level-shift test averages: 1 (off) to
     * window / 2. Default 3. Method likelihood: how many raw surprises the
     * short-term mean averages. */
    size_t smooth;
    /* Dead time: after a score >= threshold, the next dead_time samples
     * score at most just below threshold (a long anomaly is reported once,
     * at its start). Default 0 (off). */
    size_t dead_time;
    /* Alert threshold the dead time uses, in (0, 1]. Default
     * INK_ANOMALY_ALERT. */
    double threshold;
    /* Nonzero: the surprise is measured against the largest surprise so
     * far (the score is 0.99 when it equals it); for series whose noise
     * is heavy-tailed and unknown. Default 0 (off). */
    int relative;
    /* Method likelihood: bins over the range of the warmup samples
     * (values beyond it get bins of their own): 2 to
     * INK_ANOMALY_MAX_LEVELS. Default 2 (tuned on NAB: coarse bins
     * generalise over noise; a value beyond the warmup range gets a new
     * bin). */
    size_t levels;
    /* Method likelihood: the longest context, in samples, a bin is
     * predicted from: 1 to INK_ANOMALY_MAX_ORDER. Default 3. */
    size_t order;
} ink_anomaly_options;

/* Fills opt with the defaults documented at each field. */
void ink_anomaly_options_init(ink_anomaly_options *opt);

/* A streaming detector over one series; not thread-safe (one per thread). */
typedef struct ink_anomaly ink_anomaly;

/*
 * Makes a detector for opt (NULL: defaults). On success *out owns it
 * (ink_anomaly_free). Fails with INK_USAGE and a message naming the option
 * when an option is out of its range, INK_NOMEM when memory runs out;
 * *out is then NULL.
 */
ink_status ink_anomaly_new(const ink_anomaly_options *opt, ink_anomaly **out,
                           ink_error *err);

/*
 * Feeds the next sample (NAN or an infinity = missing: scored 0, not
 * learned from, but it takes its place in the seasonal cycle; method
 * likelihood: it is skipped). Returns the anomaly score in [0, 1] (1 =
 * surely anomalous; >= INK_ANOMALY_ALERT is an alert). *expected (if not
 * NULL) gets the value the detector expected for this sample (its
 * baseline; method likelihood: the centre of the bin the longest known
 * context predicts most often; NAN while it has none), for "by how much"
 * in reports. Never fails; never allocates.
 */
double ink_anomaly_step(ink_anomaly *d, double value, double *expected);

/* Frees d; NULL is a no-op. */
void ink_anomaly_free(ink_anomaly *d);

/*
 * Convenience: the scores of a whole series values[0..n) with a fresh
 * detector for opt (NULL: defaults). scores has n entries; expected (n
 * entries) may be NULL. Errors as ink_anomaly_new; the arrays are then
 * untouched.
 */
ink_status ink_anomaly_scores(const ink_anomaly_options *opt,
                              const double *values, size_t n, double *scores,
                              double *expected, ink_error *err);

#ifdef __cplusplus
}
#endif
#endif
