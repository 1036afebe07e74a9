/* The KPI engine: every KPI of the spec, by any dimension, exactly. */
#ifndef INKASSO_KPI_H
#define INKASSO_KPI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define INK_KPI_MAX_WINDOWS 1024 /* curves use one window per point */
#define INK_KPI_MAX_DIMS 8

typedef struct ink_kpi_options {
    int32_t as_of; /* INK_DATE_NONE: the latest date in the data */
    int32_t from;  /* placement window on opened_on, inclusive; */
    int32_t to;    /* INK_DATE_NONE leaves that side open */
    /* Grouping dimensions: case columns (extras included), cohort_month,
     * cohort_quarter, cohort_year, age_bucket. */
    const char *const *by;
    size_t by_count;
    /* Realization windows in days, in output order; 0 = 30, 60, 90. */
    int32_t windows[INK_KPI_MAX_WINDOWS];
    size_t window_count;
    int threads; /* 0: one per core */
} ink_kpi_options;

/* Defaults: as_of from the data, no window on placement, no grouping,
 * windows 30, 60, 90, all cores. */
void ink_kpi_options_init(ink_kpi_options *opt);

/*
 * The KPIs of one group. Ratios, means and medians are NaN when their
 * denominator is 0 (null in the output). Amounts are in 1/10000; when
 * amounts_null is set (the total of a report grouped by currency) the
 * amount KPIs have no value.
 */
typedef struct ink_kpi_values {
    uint64_t cases, open_cases, resolved_cases;
    int amounts_null;
    const char *currency; /* the group's currency; NULL when none */
    int64_t placed_amount, collected_amount;
    double recovery_rate;
    const double *realization_rate; /* one per window */
    const uint64_t *eligible_cases; /* one per window */
    double avg_days_to_resolution, median_days_to_resolution;
    double avg_days_to_first_payment, avg_days_first_contact_to_payment;
    double first_contact_resolution_rate;
    double reachability_rate, valid_contact_rate;
    double attempts_per_reached_debtor, automation_rate;
    /* response_rate: one entry per channel with an outbound contact in
     * the group, channels in byte order. */
    size_t channel_count;
    const char *const *channels;
    const double *response_rate;
} ink_kpi_values;

/* One entry of the operations section (costs.csv). */
typedef struct ink_kpi_operation {
    int32_t period; /* months since 0000-01, or -1 for the "total" entry */
    int segment;    /* ink_segment; INK_SEGMENT_NONE: the whole operation */
    uint64_t active_cases, resolved_in_period;
    const char *fte; /* exact decimal text (a mean for "total") */
    int64_t cost;    /* 1/10000 */
    const char *currency;
    double cost_per_case, cases_per_fte, resolved_per_fte, automation_rate;
} ink_kpi_operation;

typedef struct ink_kpi_report ink_kpi_report;

/*
 * Computes the report of p for opt (NULL: defaults). On success *out owns
 * a new report (ink_kpi_report_free). Fails with INK_USAGE for a bad
 * option (unknown or repeated dimension, repeated window) and INK_DATA
 * for a group or total that mixes currencies (the message names them and
 * suggests --by currency); err says which.
 */
ink_status ink_kpi_compute(const ink_portfolio *p, const ink_kpi_options *opt,
                           ink_kpi_report **out, ink_error *err);
void ink_kpi_report_free(ink_kpi_report *r);

/*
 * Builds what the engine keeps between reports on p: per-case facts over
 * all rows (about 30 bytes and 12 per channel a case), which make every
 * later report as of the latest date or after read one fact per case
 * instead of its payments and contacts, and are brought up to date case
 * by case by ink_portfolio_apply. Without it they are built by the second
 * report. For long-running processes (the server); never needed for
 * correct results. Not concurrently with ink_portfolio_apply.
 */
ink_status ink_kpi_prepare(const ink_portfolio *p, ink_error *err);

int32_t ink_kpi_as_of(const ink_kpi_report *r);
size_t ink_kpi_window_count(const ink_kpi_report *r);
int32_t ink_kpi_window(const ink_kpi_report *r, size_t i);
size_t ink_kpi_dim_count(const ink_kpi_report *r);
const char *ink_kpi_dim_name(const ink_kpi_report *r, size_t dim);
/* Groups in output order: by key values, byte order, null first. */
size_t ink_kpi_group_count(const ink_kpi_report *r);
/* A group's value of a dimension; NULL for the null group. */
const char *ink_kpi_group_key(const ink_kpi_report *r, size_t group,
                              size_t dim);
const ink_kpi_values *ink_kpi_group(const ink_kpi_report *r, size_t group);
const ink_kpi_values *ink_kpi_total(const ink_kpi_report *r);
/* Operations entries in output order; 0 without costs.csv. */
size_t ink_kpi_operation_count(const ink_kpi_report *r);
int ink_kpi_has_operations(const ink_kpi_report *r);
const ink_kpi_operation *ink_kpi_operation_at(const ink_kpi_report *r,
                                              size_t i);

/* The report as JSON in the spec's shape, and as CSV (one row per group,
 * then the total; one column per KPI). INK_IO when writing fails. */
ink_status ink_kpi_write_json(const ink_kpi_report *r, FILE *out);
ink_status ink_kpi_write_csv(const ink_kpi_report *r, FILE *out);

/*
 * Vintage (liquidation) curves: a report computed with the windows
 * 0, step, 2 step, ... max is, per group, the cumulative realization
 * rate at each day since placement over the cases that have lived that
 * long. Written per group up to the last day with eligible cases only
 * (no zeros for days a cohort has not lived), then the total:
 *   {"as_of", "by", "step", "max", "curves": [{"key": {...},
 *    "points": [{"day", "eligible_cases", "realization_rate"}, ...]}],
 *    "total": {"points": [...]}}
 * CSV: one row per group and day: row, dims..., day, eligible_cases,
 * realization_rate.
 */
ink_status ink_kpi_write_curves_json(const ink_kpi_report *r, int32_t step,
                                     int32_t max, FILE *out);
ink_status ink_kpi_write_curves_csv(const ink_kpi_report *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
