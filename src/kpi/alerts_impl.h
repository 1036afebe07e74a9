/* The alerts' internal types, shared by alerts.c, alerts_drill.c and
 * alerts_json.c. */
#ifndef INK_KPI_ALERTS_IMPL_H
#define INK_KPI_ALERTS_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/alerts.h"
#include "inkasso/anomaly.h"
#include "kpi/kpi_impl.h"

/* Drill-down arrays hold (sum of dimension values) x look-back cells per
 * alerted series; more than this is INK_LIMIT (16M cells, 256 MiB). */
#define ALERTS_MAX_CELLS (1u << 24)

/* What a pass over the portfolio needs. */
typedef struct alerts_ctx {
    const ink_portfolio *p;
    const ink_cases *cs;
    const ink_payments *ps;
    const ink_contacts *ct;
    int32_t as_of, first; /* the look-back is first..as_of */
    size_t days;          /* look-back length */
    uint32_t min_events;
    double threshold;
    ink_anomaly_options detector;
    size_t dim_count;
    kpi_dim dims[INK_ALERTS_MAX_DIMS];
    char *const *dim_names; /* the report's copies, for the alerts */
} alerts_ctx;

/* One daily series: num (and den, for rates) per day of the look-back,
 * in events (counts), 1/10000 (amounts) or numerator / denominator
 * events (rates). sub is the currency or channel code (0: none). */
typedef struct alerts_series {
    ink_alert_series kind;
    uint32_t sub;
    const int64_t *num, *den;
} alerts_series;

/* Where an alert sits in its series' look-back: the run's days are the
 * days in [since, until] where the series has a value. */
typedef struct alerts_run {
    size_t since, until;
    double deviation; /* observed - expected in events or 1/10000 */
    const double *values, *expected;
} alerts_run;

static inline int ink__alerts_is_rate(ink_alert_series kind)
{
    return kind == INK_ALERT_VALID_CONTACT_RATE ||
           kind == INK_ALERT_RESPONSE_RATE;
}

static inline int ink__alerts_is_amount(ink_alert_series kind)
{
    return kind == INK_ALERT_COLLECTED_AMOUNT ||
           kind == INK_ALERT_PLACED_AMOUNT;
}

/* The value the detector sees for day d: the count, the amount in major
 * units, or the rate (NAN below min_events events). */
double ink__alerts_value(ink_alert_series kind, int64_t num, int64_t den,
                         uint32_t min_events);

/* Observed and expected of a series over a run's days (those where
 * values[d] is a number and expected[d] too): counts and amounts as
 * sums, rates pooled. dev gets observed - expected in events (1/10000
 * for amounts). */
typedef struct alerts_measure {
    double observed, expected, deviation;
    int64_t observed_amount, expected_amount;
    uint32_t days;
} alerts_measure;
void ink__alerts_measure(ink_alert_series kind, const int64_t *num,
                         const int64_t *den, const double *values,
                         const double *expected, size_t since, size_t until,
                         alerts_measure *m);

/* Fills a->dimensions: the drill-down of every alert in alerts[0..n),
 * all of one series s whose runs are runs[0..n). One pass over the
 * series' events for all dimensions. */
ink_status ink__alerts_drill(const alerts_ctx *c, const alerts_series *s,
                             ink_alert **alerts, const alerts_run *runs,
                             size_t n, ink_error *err);

#endif
