/* Portfolio alerts: anomalies in the daily series, with what drives them. */
#ifndef INKASSO_ALERTS_H
#define INKASSO_ALERTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The daily series watched (definitions in docs/alerts.md). Amount
 * series are per currency, response_rate per channel; the others cover
 * the whole portfolio.
 */
typedef enum ink_alert_series {
    INK_ALERT_COLLECTED_AMOUNT,   /* sum of payments by paid_on, per currency */
    INK_ALERT_PAYMENTS,           /* positive payments by paid_on */
    INK_ALERT_PLACEMENTS,         /* cases by opened_on */
    INK_ALERT_PLACED_AMOUNT,      /* case amounts by opened_on, per currency */
    INK_ALERT_OUTBOUND,           /* outbound contacts by date */
    INK_ALERT_VALID_CONTACT_RATE, /* valid outbound / outbound */
    INK_ALERT_RESPONSE_RATE,      /* responded / valid outbound, per channel */
    INK_ALERT_RESOLVED, /* cases resolved (paid, settled) by closed_on */
    INK_ALERT_SERIES_COUNT
} ink_alert_series;

/* The series' key in the output ("collected_amount", ...); NULL when out
 * of range. */
const char *ink_alert_series_name(int series);

#define INK_ALERTS_MAX_DIMS 8
#define INK_ALERTS_MAX_DAYS 3660    /* look-back limit: about ten years */
#define INK_ALERTS_MAX_VALUES 10000 /* values of one drill-down dimension */
#define INK_ALERTS_TOP 3            /* drill-down values kept per dimension */

typedef struct ink_alerts_options {
    int32_t as_of; /* the last day of the series; INK_DATE_NONE: the latest
                      date in the data, as ink_kpi_compute */
    /* Days of series ending at as_of that the detector learns from and
     * checks; 0 = 180. At least 28 (four weeks), at most
     * INK_ALERTS_MAX_DAYS. */
    uint32_t lookback;
    /* Alerts are reported when they reach into the last `days` days;
     * 0 = 28. From 1 to lookback. */
    uint32_t days;
    /* A day is anomalous when the detector's score is >= threshold;
     * 0 = 0.99. In (0, 1]. */
    double threshold;
    /* A rate needs at least this many events in its denominator on a day
     * (fewer: the day is missing); 0 = 20. */
    uint32_t min_events;
    /* Drill-down dimensions (case columns, extras included, and the
     * derived ones of ink_kpi_options.by). by_count 0: segment, sector,
     * region, risk_class, handler, those of them the data has. */
    const char *const *by;
    size_t by_count;
} ink_alerts_options;

/* Defaults: as_of from the data, 180 days, alerts in the last 28,
 * threshold 0.99, rates from 20 events a day, the default dimensions. */
void ink_alerts_options_init(ink_alerts_options *opt);

/* One value of a drill-down dimension, measured over the alert's days
 * on its own series against its own baseline. */
typedef struct ink_alert_driver {
    const char *value; /* the dimension's value; NULL for the null group */
    /* As the alert's fields, restricted to the cases with the value. */
    double observed, expected, change;
    int64_t observed_amount, expected_amount; /* amount series (1/10000) */
    /* The value's deviation as a share of the alert's deviation: 0.83
     * means it alone moved the series by 83 % of how much it moved.
     * Deviations are in the series' units, for rates in events (the
     * responses missing or gained). */
    double share;
} ink_alert_driver;

typedef struct ink_alert_dimension {
    const char *name;
    size_t driver_count; /* up to INK_ALERTS_TOP, largest share first */
    const ink_alert_driver *drivers;
} ink_alert_dimension;

/*
 * One anomalous run of days of one series. Counts and amounts are sums
 * over the run's days (since..until, days the series has a value);
 * rates are pooled over those days (the sum of numerators over the sum
 * of denominators) and expected rates weighted by each day's
 * denominator. Amounts are in major units of the currency.
 */
typedef struct ink_alert {
    ink_alert_series series;
    const char *currency; /* amount series; NULL otherwise */
    const char *channel;  /* response_rate; NULL otherwise */
    int32_t since, until; /* first and last anomalous day */
    uint32_t days;        /* anomalous days in the run */
    double observed, expected;
    double change;     /* observed - expected */
    double change_pct; /* change / expected; NaN when expected is 0 */
    /* Amount series: the same exactly, in 1/10000 (the expected amount
     * rounded to 1/10000; the doubles above are in major units). */
    int is_amount;
    int64_t observed_amount, expected_amount, change_amount;
    double score;  /* the largest score of the run */
    int direction; /* 1: up, -1: down */
    size_t dimension_count;
    const ink_alert_dimension *dimensions;
} ink_alert;

typedef struct ink_alerts_report ink_alerts_report;

/*
 * Builds the daily series of p over the look-back ending at as_of, runs
 * the anomaly detector (period 7: weekly seasonality) on each, and
 * reports every anomalous run that reaches into the last opt->days days,
 * with a drill-down for each. opt NULL: defaults. On success *out owns a
 * new report (ink_alerts_report_free). Fails with INK_USAGE for a bad
 * option (out-of-range number, unknown or repeated dimension),
 * INK_LIMIT for a dimension with more than INK_ALERTS_MAX_VALUES values,
 * INK_NOMEM when memory runs out; err says which. Reads p only: several
 * threads may compute on one portfolio at once.
 */
ink_status ink_alerts_compute(const ink_portfolio *p,
                              const ink_alerts_options *opt,
                              ink_alerts_report **out, ink_error *err);
/* Frees r and everything it owns; NULL is a no-op. */
void ink_alerts_report_free(ink_alerts_report *r);

int32_t ink_alerts_as_of(const ink_alerts_report *r);
/* The first day of the look-back and of the reported days. */
int32_t ink_alerts_first_day(const ink_alerts_report *r);
int32_t ink_alerts_report_from(const ink_alerts_report *r);
uint32_t ink_alerts_lookback(const ink_alerts_report *r);
uint32_t ink_alerts_days(const ink_alerts_report *r);
double ink_alerts_threshold(const ink_alerts_report *r);
uint32_t ink_alerts_min_events(const ink_alerts_report *r);
/* The drill-down dimensions used, in order. */
size_t ink_alerts_dim_count(const ink_alerts_report *r);
const char *ink_alerts_dim_name(const ink_alerts_report *r, size_t i);
/* The series checked (each currency and channel counted). */
size_t ink_alerts_series_checked(const ink_alerts_report *r);
/* Alerts, highest score first; NULL when i is out of range. Pointers
 * stay valid until r is freed. */
size_t ink_alerts_count(const ink_alerts_report *r);
const ink_alert *ink_alerts_get(const ink_alerts_report *r, size_t i);

/*
 * The report as JSON (docs/alerts.md):
 *   {"as_of", "from", "until", "lookback", "days", "threshold", "by",
 *    "series_checked", "alerts": [{"series", "currency", "channel",
 *    "since", "until", "days", "observed", "expected", "change",
 *    "change_pct", "score", "direction", "drilldown": [{"dimension",
 *    "drivers": [{"value", "observed", "expected", "share"}]}]}]}
 * INK_IO when writing fails.
 */
ink_status ink_alerts_write_json(const ink_alerts_report *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
