/* The data-quality summary of a loaded portfolio (what `inkasso check` shows).
 */
#ifndef INKASSO_QUALITY_H
#define INKASSO_QUALITY_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest and largest date of a column; min = max = INK_DATE_NONE when
 * no row has one. count is the rows that have a date. */
typedef struct ink_date_range {
    int32_t min, max;
    uint64_t count;
} ink_date_range;

/* Rows of a file whose optional column is empty (or that lack it). */
typedef struct ink_missing_share {
    ink_file_kind file;
    const char *column;
    int present; /* 0: the header has no such column */
    uint64_t missing;
    uint64_t rows;
} ink_missing_share;

typedef struct ink_currency_cases {
    const char *code;
    uint64_t cases;
    int64_t placed_amount; /* sum of case amounts, 1/10000 units */
} ink_currency_cases;

typedef struct ink_channel_quality {
    const char *channel;
    uint64_t outbound;
    uint64_t invalid;   /* outbound with outcome invalid */
    uint64_t responded; /* outbound responded */
    uint64_t inbound;
} ink_channel_quality;

/* How many rows per case: mean, median, max, and cases with none. */
typedef struct ink_per_case {
    double mean;
    uint32_t median;
    uint32_t max;
    uint64_t cases_without;
} ink_per_case;

#define INK_QUALITY_MISSING_MAX 16

typedef struct ink_quality {
    uint64_t cases, debtors, debtors_with_several_cases;
    uint64_t open_cases, closed_cases;
    ink_date_range opened_on, due_on, closed_on, paid_on, contacted_on;
    int32_t cost_period_min, cost_period_max; /* months; -1 without costs */
    size_t currency_count;
    ink_currency_cases *currencies; /* by code, byte order */
    size_t missing_count;
    ink_missing_share missing[INK_QUALITY_MISSING_MAX];
    ink_per_case payments_per_case, contacts_per_case;
    uint64_t reversals; /* payments with amount < 0 */
    uint64_t outbound, invalid_outbound, inbound;
    size_t channel_count;
    ink_channel_quality *channels; /* by name, byte order */
} ink_quality;

/* Zeroes q so that ink_quality_cleanup is always safe. */
void ink_quality_init(ink_quality *q);
/* Computes the summary of p into q (initialised). INK_NOMEM on failure. */
ink_status ink_quality_compute(const ink_portfolio *p, ink_quality *q);
/* Frees what compute allocated; q can be computed again after. */
void ink_quality_cleanup(ink_quality *q);

#ifdef __cplusplus
}
#endif
#endif
