/* Grouping dimensions: case columns and the derived cohort and age ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "kpi/kpi_impl.h"

static const char *const age_buckets[] = {NULL,      "0-30", "31-90",  "91-180",
                                          "181-365", "366+", "unknown"};

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The distinct case amounts, sorted: their index is the amount's code. */
static int amount_codes(kpi_dim *d, const ink_cases *cs)
{
    d->amounts = ink__alloc_array(cs->count, sizeof *d->amounts);
    if (!d->amounts)
        return 0;
    memcpy(d->amounts, cs->amount, cs->count * sizeof *d->amounts);
    qsort(d->amounts, cs->count, sizeof *d->amounts, cmp_i64);
    size_t n = 0;
    for (size_t i = 0; i < cs->count; i++)
        if (n == 0 || d->amounts[n - 1] != d->amounts[i])
            d->amounts[n++] = d->amounts[i];
    d->amount_count = n;
    d->cardinality = n + 1;
    return 1;
}

/* Smallest and largest non-missing date of a column. */
static void date_span(const int32_t *dates, size_t n, int32_t *lo, int32_t *hi)
{
    *lo = INT32_MAX;
    *hi = INT32_MIN;
    for (size_t i = 0; i < n; i++) {
        if (dates[i] == INK_DATE_NONE)
            continue;
        if (dates[i] < *lo)
            *lo = dates[i];
        if (dates[i] > *hi)
            *hi = dates[i];
    }
    if (*lo > *hi)
        *lo = *hi = 0;
}

static const ink_text_column *text_column(const ink_cases *cs, const char *name)
{
    const ink_text_column *cols[] = {
        &cs->debtor_id,  &cs->creditor_id, &cs->sector,  &cs->region,
        &cs->risk_class, &cs->portfolio,   &cs->handler, &cs->currency};
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (strcmp(cols[k]->name, name) == 0)
            return cols[k];
    for (size_t x = 0; x < cs->extra_count; x++)
        if (strcmp(cs->extras[x].name, name) == 0)
            return &cs->extras[x];
    return NULL;
}

/* opened: the first and last opened_on, when known (else found here). */
static ink_status resolve_one(const ink_cases *cs, const char *name, kpi_dim *d,
                              const int32_t *opened, ink_error *err)
{
    memset(d, 0, sizeof *d);
    d->name = name;
    int32_t lo, hi;
    /* A cases.csv column wins over a derived dimension of the same name. */
    const ink_text_column *text = text_column(cs, name);
    if (text) {
        d->kind = DIM_TEXT;
        d->text = text;
        d->cardinality = ink_dict_count(text->values);
        if (d->cardinality == 0)
            d->cardinality = 1;
        return INK_OK;
    }
    if (strcmp(name, "case_id") == 0) {
        d->kind = DIM_CASE_ID;
        d->cardinality = cs->count + 1;
    } else if (strcmp(name, "segment") == 0) {
        d->kind = DIM_SEGMENT;
        d->cardinality = 3;
    } else if (strcmp(name, "close_reason") == 0) {
        d->kind = DIM_REASON;
        d->cardinality = 6;
    } else if (strcmp(name, "opened_on") == 0 || strcmp(name, "due_on") == 0 ||
               strcmp(name, "closed_on") == 0) {
        d->kind = DIM_DATE;
        d->dates = name[0] == 'o'   ? cs->opened_on
                   : name[0] == 'd' ? cs->due_on
                                    : cs->closed_on;
        d->censor_closed = name[0] == 'c';
        date_span(d->dates, cs->count, &lo, &hi);
        d->base = lo;
        d->cardinality = (uint64_t)((int64_t)hi - lo) + 2;
    } else if (strcmp(name, "amount") == 0) {
        d->kind = DIM_AMOUNT;
        if (!amount_codes(d, cs))
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    } else if (strcmp(name, "cohort_month") == 0 ||
               strcmp(name, "cohort_quarter") == 0 ||
               strcmp(name, "cohort_year") == 0) {
        if (opened) {
            lo = opened[0];
            hi = opened[1];
        } else {
            date_span(cs->opened_on, cs->count, &lo, &hi);
        }
        int32_t a = ink__kpi_month_of(lo), b = ink__kpi_month_of(hi);
        if (name[7] == 'm') {
            d->kind = DIM_COHORT_MONTH;
        } else if (name[7] == 'q') {
            d->kind = DIM_COHORT_QUARTER;
            a /= 3;
            b /= 3;
        } else {
            d->kind = DIM_COHORT_YEAR;
            a /= 12;
            b /= 12;
        }
        d->base = a;
        d->cardinality = (uint64_t)(b - a) + 2;
        if (lo <= hi) {
            size_t days = (size_t)((int64_t)hi - lo) + 1;
            d->day_codes = ink__alloc_array(days, sizeof *d->day_codes);
            if (!d->day_codes)
                return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            d->day_base = lo;
            int div = d->kind == DIM_COHORT_MONTH     ? 1
                      : d->kind == DIM_COHORT_QUARTER ? 3
                                                      : 12;
            for (size_t k = 0; k < days; k++)
                d->day_codes[k] =
                    (uint32_t)(ink__kpi_month_of(lo + (int32_t)k) / div - a) +
                    1;
        }
    } else if (strcmp(name, "age_bucket") == 0) {
        d->kind = DIM_AGE_BUCKET;
        d->cardinality = 7;
    } else {
        return ink__error_set(
            err, INK_USAGE, NULL,
            "--by: unknown dimension \"%s\": expected a column of cases.csv "
            "or cohort_month, cohort_quarter, cohort_year, age_bucket",
            name);
    }
    return INK_OK;
}

ink_status ink__kpi_dims_resolve(const ink_portfolio *p,
                                 const ink_kpi_options *opt, int32_t as_of,
                                 kpi_dim *dims, ink_error *err)
{
    (void)as_of;
    const ink_cases *cs = ink_portfolio_cases(p);
    /* The placement days' span from the kept index when there is one: a
     * cohort dimension need not scan every case per report. */
    int32_t span[2];
    const int32_t *opened = NULL;
    kpi_day_index days;
    if (ink__kpi_cases_by_day_kept(p, &days) && days.cases && days.days) {
        span[0] = days.first;
        span[1] = days.first + (int32_t)days.days - 1;
        opened = span;
    }
    if (opt->by_count > INK_KPI_MAX_DIMS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--by: at most %d dimensions", INK_KPI_MAX_DIMS);
    for (size_t k = 0; k < opt->by_count; k++) {
        for (size_t j = 0; j < k; j++)
            if (strcmp(opt->by[j], opt->by[k]) == 0) {
                ink__kpi_dims_cleanup(dims, k);
                return ink__error_set(err, INK_USAGE, NULL,
                                      "--by: dimension \"%s\" named twice",
                                      opt->by[k]);
            }
        ink_status st = resolve_one(cs, opt->by[k], &dims[k], opened, err);
        if (st != INK_OK) {
            ink__kpi_dims_cleanup(dims, k);
            return st;
        }
    }
    return INK_OK;
}

void ink__kpi_dims_cleanup(kpi_dim *dims, size_t count)
{
    for (size_t k = 0; k < count; k++) {
        free(dims[k].amounts);
        dims[k].amounts = NULL;
        free(dims[k].day_codes);
        dims[k].day_codes = NULL;
    }
}

const char *ink__kpi_dim_text(const kpi_dim *d, const ink_cases *cs,
                              uint64_t code, char *buf, size_t cap)
{
    if (code == 0)
        return NULL;
    int32_t v;
    switch (d->kind) {
    case DIM_TEXT:
        return ink_dict_get(d->text->values, (uint32_t)code, NULL);
    case DIM_CASE_ID:
        return ink_dict_get(cs->ids, (uint32_t)code, NULL);
    case DIM_SEGMENT:
        return ink_segment_name((int)code);
    case DIM_REASON:
        return ink_close_reason_name((int)code);
    case DIM_DATE:
        ink_format_date((int32_t)(d->base + (int64_t)code - 1), buf, cap);
        return buf;
    case DIM_AMOUNT:
        ink_format_money(d->amounts[code - 1], buf, cap);
        return buf;
    case DIM_COHORT_MONTH:
        ink_format_month((int32_t)(d->base + (int64_t)code - 1), buf, cap);
        return buf;
    case DIM_COHORT_QUARTER:
        v = (int32_t)(d->base + (int64_t)code - 1);
        snprintf(buf, cap, "%04d-Q%d", (int)(v / 4), (int)(v % 4 + 1));
        return buf;
    case DIM_COHORT_YEAR:
        snprintf(buf, cap, "%04d", (int)(d->base + (int64_t)code - 1));
        return buf;
    case DIM_AGE_BUCKET:
        return age_buckets[code];
    }
    return NULL;
}
