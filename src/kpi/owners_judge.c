/* Judging the owners' targets on a portfolio, and their JSON. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "core/error.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "kpi/owners_impl.h"

/* A verdict with the text its pointers refer to. */
typedef struct verdict_slot {
    ink_owners_verdict pub;
    int currency_scope; /* index of the added currency in scope, or -1 */
    char currency[16];
    char period[16];
} verdict_slot;

struct ink_owners_verdicts {
    int32_t as_of;
    verdict_slot *items;
    size_t count, cap;
};

/* One report per distinct --by, shared by the entries that need it. */
typedef struct cached_report {
    const char *by[INK_OWNERS_SCOPE_MAX + 1];
    size_t by_count;
    ink_kpi_report *r;
} cached_report;

typedef struct judge {
    const ink_portfolio *p;
    ink_kpi_options opt;
    int mixed; /* the cases have more than one currency */
    cached_report *reports;
    size_t report_count;
    ink_owners_verdicts *v;
    ink_error *err;
} judge;

static ink_status get_report(judge *j, const char *const *by, size_t n,
                             ink_kpi_report **out)
{
    for (size_t i = 0; i < j->report_count; i++) {
        cached_report *c = &j->reports[i];
        size_t k = 0;
        while (k < n && c->by_count == n && strcmp(c->by[k], by[k]) == 0)
            k++;
        if (c->by_count == n && k == n) {
            *out = c->r;
            return INK_OK;
        }
    }
    cached_report *c = &j->reports[j->report_count];
    memcpy(c->by, by, n * sizeof *by);
    c->by_count = n;
    j->opt.by = c->by;
    j->opt.by_count = n;
    ink_status st = ink_kpi_compute(j->p, &j->opt, &c->r, j->err);
    if (st != INK_OK)
        return st;
    j->report_count++;
    *out = c->r;
    return INK_OK;
}

static double value_of(const owners_slot *s, const ink_kpi_report *r,
                       const ink_kpi_values *v)
{
    int no_amounts = v->amounts_null || !v->currency;
    switch (s->source) {
    case SRC_CASES:
        return (double)v->cases;
    case SRC_OPEN_CASES:
        return (double)v->open_cases;
    case SRC_RESOLVED_CASES:
        return (double)v->resolved_cases;
    case SRC_PLACED:
        /* One amount to compare, not a sum: exact to the cent. */
        return no_amounts ? NAN : (double)v->placed_amount / INK_MONEY_SCALE;
    case SRC_COLLECTED:
        return no_amounts ? NAN : (double)v->collected_amount / INK_MONEY_SCALE;
    case SRC_DOUBLE:
        if (s->money && v->amounts_null)
            return NAN;
        return *(const double *)(const void *)((const char *)v + s->offset);
    case SRC_REALIZATION:
    case SRC_ELIGIBLE:
        for (size_t w = 0; w < ink_kpi_window_count(r); w++)
            if (ink_kpi_window(r, w) == s->window) {
                if (s->source == SRC_ELIGIBLE)
                    return (double)v->eligible_cases[w];
                return v->amounts_null ? NAN : v->realization_rate[w];
            }
        return NAN;
    case SRC_RESPONSE:
        for (size_t k = 0; k < v->channel_count; k++)
            if (strcmp(v->channels[k], s->channel) == 0)
                return v->response_rate[k];
        return NAN;
    default:
        return NAN;
    }
}

static const ink_owners_benchmark *
find_benchmark(const char *kpi, const char *segment, const char *currency)
{
    for (size_t i = 0; i < ink_owners_benchmark_count(); i++) {
        const ink_owners_benchmark *b = ink_owners_benchmark_at(i);
        if (strcmp(b->kpi, kpi) != 0)
            continue;
        if (b->segment && (!segment || strcmp(b->segment, segment) != 0))
            continue;
        if (b->currency && (!currency || strcmp(b->currency, currency) != 0))
            continue;
        return b;
    }
    return NULL;
}

static const char *scope_value(const ink_owners_entry *e, const char *dim)
{
    for (size_t k = 0; k < e->scope_count; k++)
        if (strcmp(e->scope[k].dim, dim) == 0)
            return e->scope[k].value;
    return NULL;
}

/* Appends a verdict of s; currency (may be NULL) is added to the scope
 * when add_currency. */
static ink_status add_verdict(judge *j, const owners_slot *s, double value,
                              const char *currency, int add_currency,
                              const char *period)
{
    ink_owners_verdicts *v = j->v;
    void *items = v->items;
    if (!ink__reserve(&items, &v->cap, v->count + 1, sizeof *v->items))
        return ink__error_set(j->err, INK_NOMEM, NULL, "out of memory");
    v->items = items;
    verdict_slot *vs = &v->items[v->count++];
    memset(vs, 0, sizeof *vs);
    vs->currency_scope = -1;
    ink_owners_verdict *pub = &vs->pub;
    const ink_owners_entry *e = &s->pub;
    pub->entry = e;
    pub->value = value;
    if (isnan(value))
        pub->status = INK_OWNERS_NO_VALUE;
    else if (e->op == INK_OWNERS_AT_LEAST)
        pub->status = value >= e->target ? INK_OWNERS_MET : INK_OWNERS_MISSED;
    else
        pub->status = value <= e->target ? INK_OWNERS_MET : INK_OWNERS_MISSED;
    if (currency)
        snprintf(vs->currency, sizeof vs->currency, "%s", currency);
    if (period)
        snprintf(vs->period, sizeof vs->period, "%s", period);
    /* The scope, with currency in its sorted place. */
    size_t n = 0;
    int placed = !(add_currency && currency);
    for (size_t k = 0; k <= e->scope_count; k++) {
        if (!placed &&
            (k == e->scope_count || strcmp("currency", e->scope[k].dim) < 0)) {
            vs->currency_scope = (int)n;
            pub->scope[n].dim = "currency";
            pub->scope[n++].value = NULL; /* set once the array is final */
            placed = 1;
        }
        if (k < e->scope_count)
            pub->scope[n++] = e->scope[k];
    }
    pub->scope_count = n;
    pub->benchmark =
        find_benchmark(e->kpi, scope_value(e, "segment"),
                       currency ? currency : scope_value(e, "currency"));
    return INK_OK;
}

/* The last day of month m (months since 0000-01). */
static int32_t month_end(int32_t m)
{
    int32_t y = m / 12, mo = m % 12 + 1;
    return ink_days_from_civil(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1) -
           1;
}

static ink_status judge_operations(judge *j, const owners_slot *s,
                                   ink_kpi_report *r)
{
    const char *seg_name = scope_value(&s->pub, "segment");
    int seg = !seg_name                      ? INK_SEGMENT_NONE
              : strcmp(seg_name, "B2C") == 0 ? INK_SEGMENT_B2C
                                             : INK_SEGMENT_B2B;
    int32_t as_of = ink_kpi_as_of(r);
    const ink_kpi_operation *best = NULL;
    for (size_t i = 0; i < ink_kpi_operation_count(r); i++) {
        const ink_kpi_operation *op = ink_kpi_operation_at(r, i);
        if (op->period >= 0 && op->segment == seg &&
            month_end(op->period) <= as_of &&
            (!best || op->period > best->period))
            best = op;
    }
    if (!best)
        return add_verdict(j, s, NAN, NULL, 0, NULL);
    double value = s->source == SRC_OP_COST_PER_CASE   ? best->cost_per_case
                   : s->source == SRC_OP_CASES_PER_FTE ? best->cases_per_fte
                                                       : best->resolved_per_fte;
    char period[INK_DATE_TEXT_MAX];
    ink_format_month(best->period, period, sizeof period);
    return add_verdict(
        j, s, value, s->source == SRC_OP_COST_PER_CASE ? best->currency : NULL,
        0, period);
}

static ink_status judge_entry(judge *j, const owners_slot *s)
{
    const ink_owners_entry *e = &s->pub;
    const char *by[INK_OWNERS_SCOPE_MAX + 1];
    size_t n = 0;
    int need_currency = j->mixed && !scope_value(e, "currency");
    ink_kpi_report *r;
    ink_status st;
    if (s->operations) {
        if (need_currency)
            by[n++] = "currency";
        if ((st = get_report(j, by, n, &r)) != INK_OK)
            return st;
        return judge_operations(j, s, r);
    }
    for (size_t k = 0; k < e->scope_count; k++)
        by[n++] = e->scope[k].dim;
    if (need_currency)
        by[n++] = "currency";
    if ((st = get_report(j, by, n, &r)) != INK_OK)
        return st;
    /* Per currency: money KPIs, and scoped ones (their groups are split
     * by currency); the total of the others is a whole. */
    int per_currency = need_currency && (s->money || e->scope_count > 0);
    if (e->scope_count == 0 && !per_currency) {
        const ink_kpi_values *t = ink_kpi_total(r);
        return add_verdict(j, s, value_of(s, r, t),
                           s->money ? t->currency : NULL, 0, NULL);
    }
    size_t matched = 0;
    for (size_t g = 0; g < ink_kpi_group_count(r); g++) {
        size_t k = 0;
        while (k < e->scope_count) {
            const char *key = ink_kpi_group_key(r, g, k);
            if (!key || strcmp(key, e->scope[k].value) != 0)
                break;
            k++;
        }
        if (k < e->scope_count)
            continue;
        const ink_kpi_values *vals = ink_kpi_group(r, g);
        const char *currency =
            per_currency ? ink_kpi_group_key(r, g, n - 1) : NULL;
        if (!currency && s->money)
            currency = vals->currency;
        if ((st = add_verdict(j, s, value_of(s, r, vals), currency,
                              per_currency, NULL)) != INK_OK)
            return st;
        matched++;
    }
    if (!matched)
        return add_verdict(j, s, NAN, NULL, 0, NULL);
    return INK_OK;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

ink_status ink_owners_judge(const ink_owners *o, const ink_portfolio *p,
                            const ink_kpi_options *base,
                            ink_owners_verdicts **out, ink_error *err)
{
    *out = NULL;
    ink_status st = ink_owners_check(o, p, err);
    if (st != INK_OK)
        return st;
    size_t count = ink_owners_count(o);
    judge j = {.p = p, .err = err};
    if (base)
        j.opt = *base;
    else
        ink_kpi_options_init(&j.opt);
    /* The windows the entries name, once each, ascending. */
    j.opt.window_count = 0;
    for (size_t i = 0; i < count; i++) {
        const owners_slot *s = &o->slots[i];
        if (s->source != SRC_REALIZATION && s->source != SRC_ELIGIBLE)
            continue;
        size_t w = 0;
        while (w < j.opt.window_count && j.opt.windows[w] != s->window)
            w++;
        if (w == j.opt.window_count)
            j.opt.windows[j.opt.window_count++] = s->window;
    }
    qsort(j.opt.windows, j.opt.window_count, sizeof j.opt.windows[0], cmp_i32);
    /* The count includes code 0 (no value). */
    j.mixed = ink_dict_count(ink_portfolio_cases(p)->currency.values) > 2;
    j.v = calloc(1, sizeof *j.v);
    j.reports = calloc(count + 1, sizeof *j.reports);
    if (!j.v || !j.reports) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < count && st == INK_OK; i++)
        st = judge_entry(&j, &o->slots[i]);
    if (st != INK_OK)
        goto done;
    /* as_of of any report: they share base's (--by does not change it),
     * so a report an entry needed answers; only without entries is one
     * computed for it. */
    ink_kpi_report *r;
    const char *no_by[1] = {NULL};
    if (j.report_count)
        r = j.reports[0].r;
    else if ((st = get_report(&j, no_by, 0, &r)) != INK_OK)
        goto done;
    j.v->as_of = ink_kpi_as_of(r);
    /* The array is final: point the scopes at their own text. */
    for (size_t i = 0; i < j.v->count; i++) {
        verdict_slot *vs = &j.v->items[i];
        if (vs->currency[0])
            vs->pub.currency = vs->currency;
        if (vs->period[0])
            vs->pub.period = vs->period;
        if (vs->currency_scope >= 0)
            vs->pub.scope[vs->currency_scope].value = vs->currency;
    }
    *out = j.v;
    j.v = NULL;
done:
    for (size_t i = 0; i < j.report_count; i++)
        ink_kpi_report_free(j.reports[i].r);
    free(j.reports);
    ink_owners_verdicts_free(j.v);
    return st;
}

void ink_owners_verdicts_free(ink_owners_verdicts *v)
{
    if (!v)
        return;
    free(v->items);
    free(v);
}

int32_t ink_owners_verdicts_as_of(const ink_owners_verdicts *v)
{
    return v->as_of;
}

size_t ink_owners_verdict_count(const ink_owners_verdicts *v)
{
    return v ? v->count : 0;
}

const ink_owners_verdict *ink_owners_verdict_at(const ink_owners_verdicts *v,
                                                size_t i)
{
    return v && i < v->count ? &v->items[i].pub : NULL;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */

static void json_scope(FILE *f, const ink_owners_scope *scope, size_t n)
{
    if (!n) {
        fputs("null", f);
        return;
    }
    putc('{', f);
    for (size_t k = 0; k < n; k++) {
        if (k)
            putc(',', f);
        ink__json_write_string(f, scope[k].dim);
        putc(':', f);
        ink__json_write_string(f, scope[k].value);
    }
    putc('}', f);
}

static const char *unit_name(ink_owners_unit unit)
{
    switch (unit) {
    case INK_OWNERS_RATE:
        return "rate";
    case INK_OWNERS_DAYS:
        return "days";
    case INK_OWNERS_MONEY:
        return "money";
    case INK_OWNERS_COUNT:
        return "count";
    case INK_OWNERS_NUMBER:
        return "number";
    }
    return "number";
}

static void write_verdict(FILE *f, const ink_owners_verdict *v)
{
    const ink_owners_entry *e = v->entry;
    fputs("{\"kpi\":", f);
    ink__json_write_string(f, e->kpi);
    fputs(",\"scope\":", f);
    json_scope(f, v->scope, v->scope_count);
    fputs(",\"owner\":", f);
    ink__json_write_string(f, e->owner);
    fprintf(f, ",\"target\":{\"op\":\"%s\",\"value\":",
            e->op == INK_OWNERS_AT_LEAST ? ">=" : "<=");
    ink__json_write_number(f, e->target);
    fputs(",\"text\":", f);
    ink__json_write_string(f, e->target_text);
    fputs("},\"action\":", f);
    ink__json_write_string(f, e->action);
    fputs(",\"value\":", f);
    ink__json_write_number(f, v->value);
    fprintf(f, ",\"status\":\"%s\",\"benchmark\":",
            ink_owners_status_name(v->status));
    if (v->benchmark) {
        fputs("{\"low\":", f);
        ink__json_write_number(f, v->benchmark->low);
        fputs(",\"high\":", f);
        ink__json_write_number(f, v->benchmark->high);
        fprintf(f, ",\"better\":\"%s\"}",
                v->benchmark->lower_is_better ? "lower" : "higher");
    } else {
        fputs("null", f);
    }
    fprintf(f, ",\"unit\":\"%s\",\"currency\":", unit_name(e->unit));
    ink__json_write_string(f, v->currency);
    fputs(",\"period\":", f);
    ink__json_write_string(f, v->period);
    fprintf(f, ",\"line\":%lld}", (long long)e->line);
}

ink_status ink_owners_write_verdicts_json(const ink_owners_verdicts *v,
                                          FILE *out)
{
    putc('[', out);
    for (size_t i = 0; i < ink_owners_verdict_count(v); i++) {
        fputs(i ? ",\n" : "\n", out);
        write_verdict(out, &v->items[i].pub);
    }
    putc(']', out);
    return ferror(out) ? INK_IO : INK_OK;
}

ink_status ink_owners_write_json(const ink_owners_verdicts *v, FILE *out)
{
    char date[INK_DATE_TEXT_MAX];
    ink_format_date(v->as_of, date, sizeof date);
    fprintf(out, "{\"as_of\":\"%s\",\"owners\":", date);
    ink_owners_write_verdicts_json(v, out);
    fputs(",\n\"benchmarks\":[", out);
    for (size_t i = 0; i < ink_owners_benchmark_count(); i++) {
        const ink_owners_benchmark *b = ink_owners_benchmark_at(i);
        fputs(i ? ",\n{\"kpi\":" : "\n{\"kpi\":", out);
        ink__json_write_string(out, b->kpi);
        fputs(",\"scope\":", out);
        ink_owners_scope scope[2];
        size_t n = 0;
        if (b->currency)
            scope[n++] = (ink_owners_scope){"currency", b->currency};
        if (b->segment)
            scope[n++] = (ink_owners_scope){"segment", b->segment};
        json_scope(out, scope, n);
        fputs(",\"low\":", out);
        ink__json_write_number(out, b->low);
        fputs(",\"high\":", out);
        ink__json_write_number(out, b->high);
        fprintf(out, ",\"better\":\"%s\",\"note\":",
                b->lower_is_better ? "lower" : "higher");
        ink__json_write_string(out, b->note);
        putc('}', out);
    }
    fputs("]}\n", out);
    return ferror(out) ? INK_IO : INK_OK;
}
