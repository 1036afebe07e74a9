/* The drill-down of alerts: per dimension value, its own daily series
 * against its own baseline over the alert's days, ranked by its share of
 * the alert's deviation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "kpi/alerts_impl.h"
#include "kpi/anomaly_impl.h"

/* A value kept in the top of one alert and dimension. */
typedef struct candidate {
    uint64_t code;
    double share;
    alerts_measure m;
} candidate;

typedef struct drill_cells {
    const alerts_ctx *c;
    size_t offset[INK_ALERTS_MAX_DIMS]; /* first row of each dimension */
    int64_t *num, *den;                 /* rows x days */
    int overflow;
} drill_cells;

/* Adds an event of case i on day d to the row of each dimension value. */
static void add_event(drill_cells *x, size_t i, size_t d, int64_t num,
                      int64_t den)
{
    const alerts_ctx *c = x->c;
    for (size_t k = 0; k < c->dim_count; k++) {
        uint64_t code = ink__kpi_dim_code(&c->dims[k], c->cs, i, c->as_of);
        size_t cell = (x->offset[k] + (size_t)code) * c->days + d;
        if (__builtin_add_overflow(x->num[cell], num, &x->num[cell]))
            x->overflow = 1;
        if (x->den)
            x->den[cell] += den;
    }
}

/* One pass over the events of series s (same definitions as the totals
 * in alerts.c), restricted to its currency or channel. */
static void scan_events(drill_cells *x, const alerts_series *s)
{
    const alerts_ctx *c = x->c;
    const ink_cases *cs = c->cs;
    const int32_t first = c->first, last = c->as_of;
    switch (s->kind) {
    case INK_ALERT_COLLECTED_AMOUNT:
    case INK_ALERT_PAYMENTS: {
        const ink_payments *ps = c->ps;
        for (size_t k = 0; k < ps->count; k++) {
            int32_t paid = ps->paid_on[k];
            if (paid < first || paid > last)
                continue;
            size_t i = ps->case_index[k];
            if (s->kind == INK_ALERT_PAYMENTS) {
                if (ps->amount[k] > 0)
                    add_event(x, i, (size_t)(paid - first), 1, 0);
            } else if (cs->currency.codes[i] == s->sub) {
                add_event(x, i, (size_t)(paid - first), ps->amount[k], 0);
            }
        }
        break;
    }
    case INK_ALERT_PLACEMENTS:
    case INK_ALERT_PLACED_AMOUNT:
        for (size_t i = 0; i < cs->count; i++) {
            int32_t opened = cs->opened_on[i];
            if (opened < first || opened > last)
                continue;
            if (s->kind == INK_ALERT_PLACEMENTS)
                add_event(x, i, (size_t)(opened - first), 1, 0);
            else if (cs->currency.codes[i] == s->sub)
                add_event(x, i, (size_t)(opened - first), cs->amount[i], 0);
        }
        break;
    case INK_ALERT_RESOLVED:
        for (size_t i = 0; i < cs->count; i++) {
            int32_t closed = cs->closed_on[i];
            if (closed >= first && closed <= last &&
                ink__kpi_resolved(cs, i, closed))
                add_event(x, i, (size_t)(closed - first), 1, 0);
        }
        break;
    case INK_ALERT_OUTBOUND:
    case INK_ALERT_VALID_CONTACT_RATE:
    case INK_ALERT_RESPONSE_RATE: {
        const ink_contacts *ct = c->ct;
        for (size_t k = 0; k < ct->count; k++) {
            int32_t date = ct->date[k];
            if (date < first || date > last ||
                ct->direction[k] != INK_DIRECTION_OUT)
                continue;
            size_t i = ct->case_index[k], d = (size_t)(date - first);
            int valid = ct->outcome[k] != INK_OUTCOME_INVALID;
            if (s->kind == INK_ALERT_OUTBOUND)
                add_event(x, i, d, 1, 0);
            else if (s->kind == INK_ALERT_VALID_CONTACT_RATE)
                add_event(x, i, d, valid, 1);
            else if (valid && ct->channel.codes[k] == s->sub)
                add_event(x, i, d,
                          ct->outcome[k] == INK_OUTCOME_RESPONDED ? 1 : 0, 1);
        }
        break;
    }
    case INK_ALERT_SERIES_COUNT:
        break;
    }
}

/*
 * The detector's baseline of day d (include/inkasso/anomaly.h): the
 * median of the finite values one, two, ... cycles periods back, NAN
 * when there is none. Computed here for the run's days only: a value's
 * drill-down needs its baseline, not its scores, and running the whole
 * detector on each of up to 10000 values per dimension costs seconds.
 */
static double baseline(const double *values, size_t d, size_t period,
                       size_t cycles)
{
    double v[64];
    size_t n = 0;
    if (period == 0)
        period = 1;
    for (size_t k = 1; k <= cycles && n < 64 && k * period <= d; k++)
        if (isfinite(values[d - k * period]))
            v[n++] = values[d - k * period];
    return n ? ink__anomaly_median(v, n) : NAN;
}

/* Inserts (code, share, m) into top (sorted by share, largest first). */
static void keep_top(candidate *top, size_t *len, uint64_t code, double share,
                     const alerts_measure *m)
{
    size_t pos = *len;
    while (pos > 0 && top[pos - 1].share < share)
        pos--;
    if (pos >= INK_ALERTS_TOP)
        return;
    size_t end = *len < INK_ALERTS_TOP ? *len : INK_ALERTS_TOP - 1;
    memmove(&top[pos + 1], &top[pos], (end - pos) * sizeof *top);
    top[pos] = (candidate){code, share, *m};
    if (*len < INK_ALERTS_TOP)
        (*len)++;
}

/* The alerts' dimensions from the kept candidates. */
static int fill_alerts(const alerts_ctx *c, ink_alert **alerts, size_t n,
                       const candidate *tops, const size_t *lens)
{
    const size_t dims = c->dim_count;
    for (size_t j = 0; j < n; j++) {
        ink_alert_dimension *out = calloc(dims, sizeof *out);
        if (!out)
            return 0;
        alerts[j]->dimensions = out;
        alerts[j]->dimension_count = dims;
        for (size_t k = 0; k < dims; k++) {
            out[k].name = c->dim_names[k];
            size_t len = lens[j * dims + k];
            if (!len)
                continue;
            ink_alert_driver *drivers = calloc(len, sizeof *drivers);
            if (!drivers)
                return 0;
            out[k].drivers = drivers;
            const candidate *top = &tops[(j * dims + k) * INK_ALERTS_TOP];
            for (size_t v = 0; v < len; v++) {
                char buf[64];
                const char *text = ink__kpi_dim_text(
                    &c->dims[k], c->cs, top[v].code, buf, sizeof buf);
                if (text && !(drivers[v].value = strdup(text)))
                    return 0;
                out[k].driver_count = v + 1;
                const alerts_measure *m = &top[v].m;
                drivers[v].observed = m->observed;
                drivers[v].expected = m->expected;
                drivers[v].change = m->observed - m->expected;
                drivers[v].observed_amount = m->observed_amount;
                drivers[v].expected_amount = m->expected_amount;
                drivers[v].share = top[v].share;
            }
        }
    }
    return 1;
}

ink_status ink__alerts_drill(const alerts_ctx *c, const alerts_series *s,
                             ink_alert **alerts, const alerts_run *runs,
                             size_t n, ink_error *err)
{
    const size_t L = c->days, dims = c->dim_count;
    const int rate = ink__alerts_is_rate(s->kind);
    drill_cells x;
    memset(&x, 0, sizeof x);
    x.c = c;
    size_t rows = 0;
    for (size_t k = 0; k < dims; k++) {
        x.offset[k] = rows;
        rows += (size_t)c->dims[k].cardinality;
    }
    ink_status st = INK_OK;
    double *values = ink__alloc_array(L, sizeof *values);
    double *expected = ink__alloc_array(L, sizeof *expected);
    candidate *tops = ink__alloc_array(n * dims * INK_ALERTS_TOP, sizeof *tops);
    size_t *lens = ink__calloc_array(n * dims, sizeof *lens);
    /* rows * L was bounded by ALERTS_MAX_CELLS when the dimensions were
     * resolved. */
    x.num = ink__calloc_array(rows * L, sizeof *x.num);
    x.den = rate ? ink__calloc_array(rows * L, sizeof *x.den) : NULL;
    if (!values || !expected || !tops || !lens || !x.num || (rate && !x.den)) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    scan_events(&x, s);
    if (x.overflow) {
        st = ink__error_set(err, INK_LIMIT, NULL,
                            "a day's amount sum passes 922337203685477.5807");
        goto done;
    }
    for (size_t k = 0; k < dims; k++) {
        for (uint64_t code = 0; code < c->dims[k].cardinality; code++) {
            const int64_t *num = x.num + (x.offset[k] + code) * L;
            const int64_t *den = rate ? x.den + (x.offset[k] + code) * L : NULL;
            int any = 0;
            for (size_t d = 0; d < L; d++) {
                values[d] = ink__alerts_value(s->kind, num[d], den ? den[d] : 0,
                                              c->min_events);
                any |= num[d] != 0 || (den && den[d] != 0);
            }
            if (!any)
                continue;
            for (size_t j = 0; j < n; j++)
                for (size_t d = runs[j].since; d <= runs[j].until; d++)
                    expected[d] = baseline(values, d, c->detector.period,
                                           c->detector.cycles);
            for (size_t j = 0; j < n; j++) {
                alerts_measure m;
                /* The value's days are the alert's days (where the total
                 * has a value) on which the value has a baseline; for a
                 * rate, its events count even on days with too few of
                 * them for a rate of its own. */
                for (size_t d = runs[j].since; d <= runs[j].until; d++)
                    if (rate && !isfinite(values[d]) &&
                        isfinite(runs[j].values[d]) && den[d] > 0)
                        values[d] = (double)num[d] / (double)den[d];
                    else if (!isfinite(runs[j].values[d]))
                        values[d] = NAN;
                ink__alerts_measure(s->kind, num, den, values, expected,
                                    runs[j].since, runs[j].until, &m);
                if (m.days == 0 || runs[j].deviation == 0)
                    continue;
                double share = m.deviation / runs[j].deviation;
                if (!(share > 0) || !isfinite(share))
                    continue;
                keep_top(&tops[(j * dims + k) * INK_ALERTS_TOP],
                         &lens[j * dims + k], code, share, &m);
            }
        }
    }
    if (!fill_alerts(c, alerts, n, tops, lens))
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
done:
    free(values);
    free(expected);
    free(tops);
    free(lens);
    free(x.num);
    free(x.den);
    return st;
}
