/* The operations section: cost and staffing per month from costs.csv,
 * with the cases active, resolved and the automation of that month. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "inkasso/units.h"
#include "kpi/kpi_impl.h"

/* An exact decimal sum; INK_LIMIT past int64 at the common scale. */
static int decimal_add(ink_decimal *sum, ink_decimal v)
{
    while (sum->scale < v.scale) {
        if (__builtin_mul_overflow(sum->units, 10, &sum->units))
            return 0;
        sum->scale++;
    }
    while (v.scale < sum->scale) {
        if (__builtin_mul_overflow(v.units, 10, &v.units))
            return 0;
        v.scale++;
    }
    return !__builtin_add_overflow(sum->units, v.units, &sum->units);
}

static double decimal_value(ink_decimal d)
{
    return (double)d.units / pow(10.0, d.scale);
}

/* units / 10^scale / count as text, exact when it terminates within 9
 * decimals, else rounded half up at the 9th (a mean of monthly fte). */
static void decimal_mean_text(ink_decimal sum, uint64_t count, char *buf,
                              size_t cap)
{
    if (count <= 1) {
        ink_format_decimal(sum.units, sum.scale, buf, cap);
        return;
    }
    /* Scale to 9 more decimals where it fits, then divide once. */
    __extension__ typedef __int128 wide;
    wide num = sum.units;
    int32_t scale = sum.scale;
    for (int k = 0; k < 9 && scale < 18; k++, scale++)
        num *= 10;
    wide q = (num + (wide)count / 2) / (wide)count;
    ink_format_decimal((int64_t)q, scale, buf, cap);
}

enum { SEGMENTS = 3 };

/* Per segment value and month of the axis. */
typedef struct month_row {
    int present;
    ink_decimal fte;
    int64_t cost;
    uint64_t active, resolved, outbound, automated;
} month_row;

/* The axis month of a day: -1 before the axis, months after it. A table
 * of the axis days: every contact asks, and there are few days. */
typedef struct month_axis {
    const int32_t *starts;
    size_t months;
    const int32_t *of_day; /* of_day[day - starts[0]] for the axis days */
} month_axis;

static int64_t axis_month(const month_axis *a, int32_t day)
{
    if (day < a->starts[0])
        return -1;
    if (day >= a->starts[a->months])
        return (int64_t)a->months;
    return a->of_day[day - a->starts[0]];
}

/* Output order of segment values: null, then "B2B" before "B2C". */
static const int segment_order[SEGMENTS] = {INK_SEGMENT_NONE, INK_SEGMENT_B2B,
                                            INK_SEGMENT_B2C};

/* What one thread counts over its range of cases. */
typedef struct case_counts {
    uint64_t resolved, outbound, automated;
} case_counts;

typedef struct ops_part {
    const ink_cases *cs;
    const ink_contacts *ct;
    int32_t as_of, from, to;
    const month_axis *axis;
    const uint64_t *prefix;
    size_t months;
    case_counts *counts; /* per segment value and month */
    int64_t *diff;       /* active-case deltas, per segment value */
    uint64_t distinct[SEGMENTS], resolved_total[SEGMENTS];
    size_t begin, end;
    const uint32_t *order; /* the cases to visit; NULL: every case */
} ops_part;

static void *count_cases(void *arg)
{
    ops_part *w = arg;
    const ink_cases *cs = w->cs;
    const ink_contacts *ct = w->ct;
    const month_axis *axis = w->axis;
    size_t months = w->months;
    for (size_t n = w->begin; n < w->end; n++) {
        size_t i = w->order ? w->order[n] : n;
        int32_t opened = cs->opened_on[i];
        if (opened > w->as_of ||
            (w->from != INK_DATE_NONE && opened < w->from) ||
            (w->to != INK_DATE_NONE && opened > w->to))
            continue;
        int32_t closed = ink__kpi_closed_at(cs, i, w->as_of);
        int resolved = ink__kpi_resolved(cs, i, closed);
        /* Active in m: opened_on <= end(m) and not closed before start(m),
         * i.e. month(opened) <= m <= month(closed). */
        int64_t first = axis_month(axis, opened);
        int64_t last = closed != INK_DATE_NONE ? axis_month(axis, closed)
                                               : (int64_t)months - 1;
        if (first < 0)
            first = 0;
        if (last > (int64_t)months - 1)
            last = (int64_t)months - 1;
        /* The case counts for the whole operation and for its segment
         * value, each only where costs.csv has rows of it. */
        case_counts *rows[2];
        size_t nrows = 0;
        int segs[2] = {INK_SEGMENT_NONE, cs->segment[i]};
        for (int k = 0; k < 2; k++) {
            int s = segs[k];
            const uint64_t *pre = w->prefix + (size_t)s * (months + 1);
            if (pre[months] == 0)
                continue; /* this segment value has no costs rows */
            case_counts *row = w->counts + (size_t)s * months;
            rows[nrows++] = row;
            if (first <= last) {
                w->diff[(size_t)s * (months + 1) + (size_t)first]++;
                w->diff[(size_t)s * (months + 1) + (size_t)last + 1]--;
                w->distinct[s] += pre[last + 1] - pre[first] > 0;
            }
            if (resolved) {
                int64_t m = axis_month(axis, closed);
                if (m >= 0 && m < (int64_t)months) {
                    row[m].resolved++;
                    /* resolved in one of the segment value's months */
                    w->resolved_total[s] += pre[m + 1] - pre[m];
                }
            }
        }
        if (!nrows)
            continue;
        for (uint32_t c = ct->case_offset[i]; c < ct->case_offset[i + 1]; c++) {
            if (ct->date[c] > w->as_of)
                break;
            if (ct->direction[c] != INK_DIRECTION_OUT)
                continue;
            int64_t m = axis_month(axis, ct->date[c]);
            if (m < 0 || m >= (int64_t)months)
                continue;
            for (size_t k = 0; k < nrows; k++) {
                rows[k][m].outbound++;
                rows[k][m].automated += ct->automated[c];
            }
        }
    }
    return NULL;
}

/* The counts of the cases placed from .. to, added up from the cube's
 * days in the same way count_cases adds each case. */
static void add_cube(const kpi_ops_cube *c, int32_t from, int32_t to,
                     int32_t lo, const month_axis *axis, const uint64_t *prefix,
                     month_row *rows, int64_t *diff, uint64_t *distinct,
                     uint64_t *resolved_total)
{
    const size_t months = axis->months;
    int64_t first_day = c->day_first;
    int64_t last_day = (int64_t)c->day_first + (int64_t)c->days - 1;
    if (from != INK_DATE_NONE && from > first_day)
        first_day = from;
    if (to != INK_DATE_NONE && to < last_day)
        last_day = to;
    for (int64_t day = first_day; day <= last_day; day++) {
        int64_t first = axis_month(axis, (int32_t)day);
        if (first < 0)
            first = 0;
        for (int sc = 0; sc < CUBE_SEGMENTS; sc++) {
            size_t cell = ink__kpi_ops_cube_cell(
                c, (size_t)(day - c->day_first), (size_t)sc, 0);
            const int segs[2] = {INK_SEGMENT_NONE, sc};
            for (int k = 0; k < 2; k++) {
                const int s = segs[k];
                const uint64_t *pre = prefix + (size_t)s * (months + 1);
                if (pre[months] == 0)
                    continue; /* this segment value has no costs rows */
                month_row *row = rows + (size_t)s * months;
                int64_t *d = diff + (size_t)s * (months + 1);
                for (size_t m = 0; m <= c->months; m++) {
                    /* The axis month of cube month m (-1 before the axis,
                     * months after it); the last slot: still open. */
                    int64_t at = (int64_t)c->month_first + (int64_t)m - lo;
                    at = at < 0                 ? -1
                         : at > (int64_t)months ? (int64_t)months
                                                : at;
                    uint32_t n = c->ended[cell + m];
                    if (n) {
                        int64_t last =
                            m == c->months ? (int64_t)months - 1 : at;
                        if (last > (int64_t)months - 1)
                            last = (int64_t)months - 1;
                        if (first <= last) {
                            d[first] += n;
                            d[last + 1] -= n;
                            if (pre[last + 1] - pre[first] > 0)
                                distinct[s] += n;
                        }
                    }
                    if (m == c->months || at < 0 || at >= (int64_t)months)
                        continue;
                    uint32_t r = c->resolved[cell + m];
                    row[at].resolved += r;
                    resolved_total[s] += r * (pre[at + 1] - pre[at]);
                    row[at].outbound += c->outbound[cell + m];
                    row[at].automated += c->automated[cell + m];
                }
            }
        }
    }
}

/* The counts of cases order[begin .. begin + visit) (every case when
 * order is NULL) into rows, diff, distinct and resolved_total, in two
 * halves on two threads when there are many. 0 when out of memory. */
static int count_parts(const ink_cases *cs, const ink_contacts *ct,
                       int32_t as_of, int32_t from, int32_t to,
                       const month_axis *axis, const uint64_t *prefix,
                       const uint32_t *order, size_t visit_from, size_t visit,
                       month_row *rows, int64_t *diff, uint64_t *distinct,
                       uint64_t *resolved_total)
{
    const size_t months = axis->months;
    ops_part parts[2];
    size_t nparts = visit >= 2000 ? 2 : 1;
    for (size_t k = 0; k < nparts; k++) {
        parts[k] = (ops_part){cs,
                              ct,
                              as_of,
                              from,
                              to,
                              axis,
                              prefix,
                              months,
                              NULL,
                              NULL,
                              {0},
                              {0},
                              visit_from + visit * k / nparts,
                              visit_from + visit * (k + 1) / nparts,
                              order};
        parts[k].counts =
            ink__calloc_array(SEGMENTS * months, sizeof *parts[k].counts);
        parts[k].diff =
            ink__calloc_array(SEGMENTS * (months + 1), sizeof *parts[k].diff);
        if (!parts[k].counts || !parts[k].diff) {
            for (size_t j = 0; j <= k; j++) {
                free(parts[j].counts);
                free(parts[j].diff);
            }
            return 0;
        }
    }
    pthread_t helper;
    int started = nparts == 2 &&
                  pthread_create(&helper, NULL, count_cases, &parts[1]) == 0;
    count_cases(&parts[0]);
    if (nparts == 2) {
        if (started)
            pthread_join(helper, NULL);
        else
            count_cases(&parts[1]);
    }
    for (size_t k = 0; k < nparts; k++) {
        for (size_t i = 0; i < SEGMENTS * months; i++) {
            rows[i].resolved += parts[k].counts[i].resolved;
            rows[i].outbound += parts[k].counts[i].outbound;
            rows[i].automated += parts[k].counts[i].automated;
        }
        for (size_t i = 0; i < SEGMENTS * (months + 1); i++)
            diff[i] += parts[k].diff[i];
        for (int g = 0; g < SEGMENTS; g++) {
            distinct[g] += parts[k].distinct[g];
            resolved_total[g] += parts[k].resolved_total[g];
        }
        free(parts[k].counts);
        free(parts[k].diff);
    }

    return 1;
}

ink_status ink__kpi_operations(const ink_portfolio *p, int32_t as_of,
                               int32_t from, int32_t to, ink_kpi_report *r,
                               ink_error *err)
{
    const ink_costs *co = ink_portfolio_costs(p);
    r->has_operations = co->present;
    if (!co->present)
        return INK_OK;
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    int32_t as_of_month = ink__kpi_month_of(as_of);

    /* The month axis: every costs.csv month whose first day is <= as_of. */
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < co->count; i++) {
        if (co->period[i] > as_of_month)
            continue;
        lo = co->period[i] < lo ? co->period[i] : lo;
        hi = co->period[i] > hi ? co->period[i] : hi;
    }
    if (lo > hi)
        return INK_OK; /* every month is after as_of: no entries */
    size_t months = (size_t)(hi - lo) + 1;
    month_row *rows = ink__calloc_array(SEGMENTS * months, sizeof *rows);
    int64_t *diff = ink__calloc_array(SEGMENTS * (months + 1), sizeof *diff);
    uint64_t *prefix =
        ink__calloc_array(SEGMENTS * (months + 1), sizeof *prefix);
    int32_t *starts = ink__alloc_array(months + 1, sizeof *starts);
    int32_t *of_day = NULL;
    uint64_t distinct[SEGMENTS] = {0}, resolved_total[SEGMENTS] = {0};
    const char *currency[SEGMENTS] = {NULL, NULL, NULL};
    ink_status st = INK_OK;
    if (!rows || !diff || !prefix || !starts) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
#define ROW(s, m) rows[(size_t)(s)*months + (size_t)(m)]
    for (size_t m = 0; m <= months; m++) {
        int32_t month = lo + (int32_t)m;
        starts[m] = ink_days_from_civil(month / 12, month % 12 + 1, 1);
    }
    of_day =
        ink__alloc_array((size_t)(starts[months] - starts[0]), sizeof *of_day);
    if (!of_day) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (size_t m = 0; m < months; m++)
        for (int32_t d = starts[m]; d < starts[m + 1]; d++)
            of_day[d - starts[0]] = (int32_t)m;
    month_axis axis = {starts, months, of_day};
    for (size_t i = 0; i < co->count; i++) {
        if (co->period[i] > as_of_month)
            continue;
        month_row *row = &ROW(co->segment[i], co->period[i] - lo);
        row->present = 1;
        if (!decimal_add(&row->fte, co->fte[i]) ||
            __builtin_add_overflow(row->cost, co->cost[i], &row->cost)) {
            st = ink__error_set(err, INK_LIMIT, "costs.csv",
                                "a monthly fte or cost sum is too large");
            goto done;
        }
        currency[co->segment[i]] =
            ink_dict_get(co->currency.values, co->currency.codes[i], NULL);
    }
    /* prefix[s][m + 1]: how many of the first m + 1 axis months the
     * segment value has, to test "active in any of its months". */
    for (int s = 0; s < SEGMENTS; s++)
        for (size_t m = 0; m < months; m++)
            prefix[(size_t)s * (months + 1) + m + 1] =
                prefix[(size_t)s * (months + 1) + m] + ROW(s, m).present;

    /* The cases in two halves on two threads, each with its own counts,
     * added up after: a case touches only its own counts. With a
     * placement window, only the cases placed in it (by the kept index
     * of cases by placement day, when there is one). */
    kpi_day_index days = {0};
    size_t visit_from = 0, visit = cs->count;
    /* As of the latest date, the kept cube has it all by day. */
    const kpi_ops_cube *cube = NULL;
    if (p->latest_date == INK_DATE_NONE || as_of >= p->latest_date) {
        st = ink__kpi_ops_cube_get(p, &cube);
        if (st != INK_OK) {
            ink__error_set(err, st, NULL, "out of memory");
            goto done;
        }
    }
    if (cube) {
        add_cube(cube, from, to, lo, &axis, prefix, rows, diff, distinct,
                 resolved_total);
    } else if (from != INK_DATE_NONE || to != INK_DATE_NONE) {
        st = ink__kpi_cases_by_day(p, &days);
        if (st != INK_OK) {
            ink__error_set(err, st, NULL, "out of memory");
            goto done;
        }
        if (days.cases)
            ink__kpi_day_slice(&days, from, to, &visit_from, &visit);
    }
    if (!cube &&
        !count_parts(cs, ct, as_of, from, to, &axis, prefix, days.cases,
                     visit_from, visit, rows, diff, distinct, resolved_total)) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }

    /* Entries: per segment value, its months ascending, then "total". */
    size_t entries = 0;
    for (int s = 0; s < SEGMENTS; s++) {
        size_t n = prefix[(size_t)s * (months + 1) + months];
        entries += n ? n + 1 : 0;
    }
    r->operations = ink__calloc_array(entries, sizeof *r->operations);
    r->fte_text = ink__calloc_array(entries, sizeof *r->fte_text);
    if (!r->operations || !r->fte_text) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    size_t e = 0;
    for (int k = 0; k < SEGMENTS; k++) {
        int s = segment_order[k];
        uint64_t count = prefix[(size_t)s * (months + 1) + months];
        if (!count)
            continue;
        int64_t active = 0;
        ink_decimal fte_sum = {0, 0};
        int64_t cost_sum = 0;
        uint64_t outbound = 0, automated = 0;
        for (size_t m = 0; m < months; m++) {
            active += diff[(size_t)s * (months + 1) + m];
            month_row *row = &ROW(s, m);
            if (!row->present)
                continue;
            ink_kpi_operation *op = &r->operations[e];
            op->period = lo + (int32_t)m;
            op->segment = s;
            op->active_cases = (uint64_t)active;
            op->resolved_in_period = row->resolved;
            ink_format_decimal(row->fte.units, row->fte.scale, r->fte_text[e],
                               sizeof r->fte_text[e]);
            op->fte = r->fte_text[e];
            op->cost = row->cost;
            op->currency = currency[s];
            double fte = decimal_value(row->fte);
            op->cost_per_case =
                active > 0 ? (double)row->cost / INK_MONEY_SCALE / active : NAN;
            op->cases_per_fte = fte > 0 ? (double)active / fte : NAN;
            op->resolved_per_fte = fte > 0 ? (double)row->resolved / fte : NAN;
            op->automation_rate =
                row->outbound ? (double)row->automated / row->outbound : NAN;
            if (!decimal_add(&fte_sum, row->fte) ||
                __builtin_add_overflow(cost_sum, row->cost, &cost_sum)) {
                st = ink__error_set(err, INK_LIMIT, "costs.csv",
                                    "the total fte or cost is too large");
                goto done;
            }
            outbound += row->outbound;
            automated += row->automated;
            e++;
        }
        ink_kpi_operation *op = &r->operations[e];
        op->period = -1;
        op->segment = s;
        op->active_cases = distinct[s];
        op->resolved_in_period = resolved_total[s];
        decimal_mean_text(fte_sum, count, r->fte_text[e],
                          sizeof r->fte_text[e]);
        op->fte = r->fte_text[e];
        op->cost = cost_sum;
        op->currency = currency[s];
        double mean_fte = decimal_value(fte_sum) / (double)count;
        op->cost_per_case =
            distinct[s] ? (double)cost_sum / INK_MONEY_SCALE / distinct[s]
                        : NAN;
        op->cases_per_fte = mean_fte > 0 ? distinct[s] / mean_fte : NAN;
        op->resolved_per_fte =
            mean_fte > 0 ? resolved_total[s] / mean_fte : NAN;
        op->automation_rate =
            outbound ? (double)automated / (double)outbound : NAN;
        e++;
    }
    r->operation_count = e;
#undef ROW
done:
    free(rows);
    free(diff);
    free(prefix);
    free(starts);
    free(of_day);
    return st;
}
