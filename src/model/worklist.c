/* The worklist: open cases ranked by expected collection per unit of
 * contact cost, each with the reasons of its score in words. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_write.h"
#include "core/json.h"
#include "core/error.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "model/model_impl.h"

struct ink_worklist {
    int32_t as_of;
    int by_handler;
    size_t capacity;
    size_t count;
    ink_worklist_entry *entries;
    ink_contact_plan *plan;
};

void ink_worklist_options_init(ink_worklist_options *opt)
{
    opt->as_of = INK_DATE_NONE;
    opt->capacity = 0;
    opt->by_handler = 0;
    opt->min_cost = 1000;
    ink_plan_options_init(&opt->plan);
    opt->threads = 0;
}

void ink_worklist_free(ink_worklist *wl)
{
    if (!wl)
        return;
    free(wl->entries);
    ink_contact_plan_free(wl->plan);
    free(wl);
}

int32_t ink_worklist_as_of(const ink_worklist *wl)
{
    return wl->as_of;
}

size_t ink_worklist_count(const ink_worklist *wl)
{
    return wl->count;
}

const ink_worklist_entry *ink_worklist_entry_at(const ink_worklist *wl,
                                                size_t i)
{
    return i < wl->count ? &wl->entries[i] : NULL;
}

/* Sorting context: qsort has none, so the handler codes travel with
 * each item. */
typedef struct ranked {
    double value;
    uint32_t handler;
    uint32_t row; /* into scores and features */
    uint32_t case_index;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->value != y->value)
        return (x->value < y->value) - (x->value > y->value);
    return (x->case_index > y->case_index) - (x->case_index < y->case_index);
}

static int by_handler_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->handler != y->handler)
        return (x->handler > y->handler) - (x->handler < y->handler);
    return by_value(a, b);
}

static void days_text(char *buf, size_t cap, const char *what, double days)
{
    int d = (int)days;
    if (d == 0)
        snprintf(buf, cap, "%s today", what);
    else if (d == 1)
        snprintf(buf, cap, "%s yesterday", what);
    else if (d <= 7)
        snprintf(buf, cap, "%s this past week (%d days ago)", what, d);
    else
        snprintf(buf, cap, "%s %d days ago", what, d);
}

static const char *plural(double n)
{
    return n == 1 ? "" : "s";
}

/* One reason in words from feature j with value x of case c. */
static void reason_text(const ink_portfolio *p, size_t c, size_t j, float x,
                        char *buf, size_t cap)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    const char *name = ink__feature_names[j];
    double v = x;
    char money[32];
    if (isnan(x)) {
        snprintf(buf, cap, "no %s yet", name);
        return;
    }
    if (strcmp(name, "debtor_paid_cases") == 0)
        snprintf(buf, cap, "paid %.0f earlier case%s", v, plural(v));
    else if (strcmp(name, "debtor_other_cases") == 0)
        snprintf(buf, cap, "debtor has %.0f other case%s", v, plural(v));
    else if (strcmp(name, "debtor_paid_share") == 0)
        snprintf(buf, cap, "debtor paid %.0f%% of other cases", 100 * v);
    else if (strcmp(name, "days_since_payment") == 0)
        days_text(buf, cap, "paid", v);
    else if (strcmp(name, "days_since_response") == 0)
        days_text(buf, cap, "answered", v);
    else if (strcmp(name, "days_since_contact") == 0)
        days_text(buf, cap, "last contact", v);
    else if (strcmp(name, "paid_last_30_share") == 0)
        snprintf(buf, cap, "paid %.0f%% in the last 30 days", 100 * v);
    else if (strcmp(name, "paid_share") == 0)
        snprintf(buf, cap, "%.0f%% already paid", 100 * v);
    else if (strcmp(name, "payment_count") == 0)
        snprintf(buf, cap, "%.0f payment%s so far", v, plural(v));
    else if (strcmp(name, "responses") == 0)
        snprintf(buf, cap, "answered %.0f time%s", v, plural(v));
    else if (strcmp(name, "inbound_contacts") == 0)
        snprintf(buf, cap, "got in touch %.0f time%s", v, plural(v));
    else if (strcmp(name, "attempts") == 0)
        snprintf(buf, cap, "%.0f contact attempt%s", v, plural(v));
    else if (strcmp(name, "attempts_last_30") == 0)
        snprintf(buf, cap, "%.0f attempt%s in the last 30 days", v, plural(v));
    else if (strcmp(name, "invalid_share") == 0)
        snprintf(buf, cap, "%.0f%% of attempts reached no one", 100 * v);
    else if (strcmp(name, "case_age_days") == 0)
        snprintf(buf, cap, "placed %.0f days ago", v);
    else if (strcmp(name, "debt_age_days") == 0)
        snprintf(buf, cap, "debt %.0f days past due", v);
    else if (strcmp(name, "segment_b2b") == 0)
        snprintf(buf, cap, "%s debtor", v > 0 ? "business" : "consumer");
    else if (strcmp(name, "amount_log") == 0) {
        ink_format_money(cs->amount[c], money, sizeof money);
        snprintf(buf, cap, "amount %s", money);
    } else if (strcmp(name, "outstanding_log") == 0)
        snprintf(buf, cap, "outstanding about %.0f", exp(v));
    else if (j >= 6 && j <= 9) { /* the categorical rates */
        static const char *const what[4] = {"sector", "region", "risk class",
                                            "handler"};
        const ink_text_column *col = ink__cat_column_of(p, j - 6);
        const char *text = ink_dict_get(col->values, col->codes[c], NULL);
        snprintf(buf, cap, "%s %s (%.0f%% pay)", what[j - 6],
                 text ? text : "unknown", 100 * v);
    } else {
        /* letter_attempts, phone_responses, ...: channel and count */
        char channel[16];
        const char *us = strchr(name, '_');
        size_t n = us ? (size_t)(us - name) : 0;
        if (n >= sizeof channel)
            n = sizeof channel - 1;
        memcpy(channel, name, n);
        channel[n] = '\0';
        if (us && strcmp(us, "_responses") == 0)
            snprintf(buf, cap, "%s answered %.0f time%s", channel, v,
                     plural(v));
        else
            snprintf(buf, cap, "%.0f %s attempt%s", v, channel, plural(v));
    }
}

/* The reasons of the kept entries: the features that raise their
 * log-odds most (SHAP values of the boosted trees, weight times the
 * standardised value for the logistic regression). */
static ink_status explain(const ink_model *m, const ink_portfolio *p,
                          const ink__features *f, ink_worklist *wl,
                          const uint32_t *rows, int threads, ink_error *err)
{
    size_t n = wl->count, cols = f->m.cols;
    if (n == 0)
        return INK_OK;
    ink__matrix x = {n, cols, NULL, NULL};
    x.x = ink__alloc_array(n, cols * sizeof(float));
    double *contrib = ink__alloc_array(n, cols * sizeof(double));
    if (!x.x || !contrib) {
        free(x.x);
        free(contrib);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        memcpy(x.x + i * cols, f->m.x + (size_t)rows[i] * cols,
               cols * sizeof(float));
    ink_status st = ink__model_contributions(m, &x, threads, contrib, err);
    for (size_t i = 0; st == INK_OK && i < n; i++) {
        ink_worklist_entry *e = &wl->entries[i];
        const double *c = contrib + i * cols;
        size_t used[INK_WORKLIST_REASONS];
        size_t k = 0;
        for (; k < INK_WORKLIST_REASONS; k++) {
            size_t best = cols;
            for (size_t j = 0; j < cols; j++) {
                int taken = 0;
                for (size_t q = 0; q < k; q++)
                    taken |= used[q] == j;
                if (!taken && c[j] > 0.05 && (best == cols || c[j] > c[best]))
                    best = j;
            }
            if (best == cols)
                break;
            used[k] = best;
            reason_text(p, e->case_index, best, x.x[i * cols + best],
                        e->reasons[k], INK_WORKLIST_REASON_MAX);
        }
        if (k == 0)
            snprintf(e->reasons[0], INK_WORKLIST_REASON_MAX,
                     "nothing stands out");
    }
    free(x.x);
    free(contrib);
    return st;
}

/* The cost of contacting case c: its planned channel's mean attempt
 * cost, at least min_cost (also when unknown). */
static int64_t contact_cost(const ink_contact_plan *plan, uint32_t c,
                            int64_t min_cost)
{
    const ink_plan_entry *e = ink_contact_plan_find(plan, c);
    int64_t cost = e && e->cost != INK_MONEY_NONE ? e->cost : 0;
    return cost < min_cost ? min_cost : cost;
}

ink_status ink_worklist_build(const ink_model *m, const ink_portfolio *p,
                              const ink_worklist_options *opt,
                              ink_worklist **out, ink_error *err)
{
    ink_worklist_options defaults;
    if (!opt) {
        ink_worklist_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    if (opt->min_cost < 1)
        return ink__error_set(err, INK_USAGE, NULL,
                              "minimum cost: expected at least 0.0001");
    ink_worklist *wl = calloc(1, sizeof *wl);
    if (!wl)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    wl->as_of =
        opt->as_of != INK_DATE_NONE ? opt->as_of : ink__portfolio_latest(p);
    wl->by_handler = opt->by_handler;
    wl->capacity = opt->capacity;
    ink_plan_options popt = opt->plan;
    popt.as_of = wl->as_of;
    ink_case_score *scores = NULL;
    size_t count = 0;
    ink__features f;
    memset(&f, 0, sizeof f);
    ranked *items = NULL;
    uint32_t *rows = NULL;
    ink_status st = ink__model_score(m, p, wl->as_of, opt->threads, &scores,
                                     &count, &f, err);
    if (st == INK_OK)
        st = ink_contact_plan_build(p, &popt, &wl->plan, err);
    if (st != INK_OK)
        goto fail;
    items = ink__alloc_array(count, sizeof *items);
    wl->entries = ink__alloc_array(count, sizeof *wl->entries);
    rows = ink__alloc_array(count, sizeof *rows);
    if (!items || !wl->entries || !rows) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    const ink_cases *cs = ink_portfolio_cases(p);
    for (size_t r = 0; r < count; r++) {
        uint32_t c = scores[r].case_index;
        int64_t cost = contact_cost(wl->plan, c, opt->min_cost);
        items[r] = (ranked){(double)scores[r].expected / (double)cost,
                            cs->handler.codes ? cs->handler.codes[c] : 0,
                            (uint32_t)r, c};
    }
    qsort(items, count, sizeof *items,
          opt->by_handler ? by_handler_value : by_value);
    size_t rank = 0;
    for (size_t i = 0; i < count; i++) {
        if (i == 0 ||
            (opt->by_handler && items[i].handler != items[i - 1].handler))
            rank = 0;
        rank++;
        if (opt->capacity && rank > opt->capacity)
            continue;
        const ranked *it = &items[i];
        ink_worklist_entry *e = &wl->entries[wl->count];
        memset(e, 0, sizeof *e);
        e->case_index = it->case_index;
        e->rank = rank;
        e->score = scores[it->row];
        e->plan = ink_contact_plan_find(wl->plan, it->case_index);
        e->cost = contact_cost(wl->plan, it->case_index, opt->min_cost);
        e->value_per_cost = it->value;
        rows[wl->count++] = it->row;
    }
    st = explain(m, p, &f, wl, rows, opt->threads, err);
    if (st != INK_OK)
        goto fail;
    free(items);
    free(rows);
    free(scores);
    ink__features_cleanup(&f);
    *out = wl;
    return INK_OK;
fail:
    free(items);
    free(rows);
    free(scores);
    ink__features_cleanup(&f);
    ink_worklist_free(wl);
    return st;
}

static const char *case_text(const ink_text_column *col, uint32_t c)
{
    return col->codes ? ink_dict_get(col->values, col->codes[c], NULL) : NULL;
}

ink_status ink_worklist_write_json(const ink_worklist *wl,
                                   const ink_portfolio *p, FILE *out)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    char date[INK_DATE_TEXT_MAX], a[32], b[32], c[32];
    ink_format_date(wl->as_of, date, sizeof date);
    fprintf(out,
            "{\"as_of\": \"%s\", \"by\": %s, \"capacity\": %zu, "
            "\"count\": %zu, \"cases\": [",
            date, wl->by_handler ? "\"handler\"" : "null", wl->capacity,
            wl->count);
    for (size_t i = 0; i < wl->count; i++) {
        const ink_worklist_entry *e = &wl->entries[i];
        fprintf(out, "%s\n  {\"rank\": %zu, \"case_id\": ", i ? "," : "",
                e->rank);
        ink__json_write_string(out,
                               ink_dict_get(cs->ids, e->case_index + 1, NULL));
        fputs(", \"handler\": ", out);
        ink__json_write_string(out, case_text(&cs->handler, e->case_index));
        ink_format_money(e->score.outstanding, a, sizeof a);
        ink_format_money(e->score.expected, b, sizeof b);
        ink_format_money(e->cost, c, sizeof c);
        fprintf(out,
                ", \"probability\": %.6f, \"outstanding\": %s, "
                "\"expected_collected\": %s, \"contact_cost\": %s, "
                "\"value_per_cost\": %.4f, \"channel\": ",
                e->score.probability, a, b, c, e->value_per_cost);
        ink__json_write_string(out, e->plan ? e->plan->channel : NULL);
        if (e->plan && e->plan->channel)
            fprintf(out, ", \"weekday\": \"%s\", \"hours\": \"%02d-%02d\"",
                    ink__weekday_name(e->plan->weekday), e->plan->hour_from,
                    e->plan->hour_to);
        else
            fputs(", \"weekday\": null, \"hours\": null", out);
        fputs(", \"reasons\": [", out);
        for (size_t k = 0; k < INK_WORKLIST_REASONS && e->reasons[k][0]; k++) {
            if (k)
                fputs(", ", out);
            ink__json_write_string(out, e->reasons[k]);
        }
        fputs("]}", out);
    }
    fprintf(out, "%s]}\n", wl->count ? "\n" : "");
    return ferror(out) ? INK_IO : INK_OK;
}

ink_status ink_worklist_write_csv(const ink_worklist *wl,
                                  const ink_portfolio *p, FILE *out)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    char a[32], b[32], c[32];
    fputs("rank,case_id,handler,probability,outstanding,expected_collected,"
          "contact_cost,value_per_cost,channel,weekday,hours,reasons\n",
          out);
    for (size_t i = 0; i < wl->count; i++) {
        const ink_worklist_entry *e = &wl->entries[i];
        fprintf(out, "%zu,", e->rank);
        ink__csv_write_field(out,
                             ink_dict_get(cs->ids, e->case_index + 1, NULL));
        fputc(',', out);
        ink__csv_write_field(out, case_text(&cs->handler, e->case_index));
        ink_format_money(e->score.outstanding, a, sizeof a);
        ink_format_money(e->score.expected, b, sizeof b);
        ink_format_money(e->cost, c, sizeof c);
        fprintf(out, ",%.6f,%s,%s,%s,%.4f,", e->score.probability, a, b, c,
                e->value_per_cost);
        const ink_plan_entry *pl = e->plan;
        if (pl && pl->channel) {
            ink__csv_write_field(out, pl->channel);
            fprintf(out, ",%s,%02d-%02d,", ink__weekday_name(pl->weekday),
                    pl->hour_from, pl->hour_to);
        } else {
            fputs(",,,", out);
        }
        char reasons[INK_WORKLIST_REASONS * (INK_WORKLIST_REASON_MAX + 2)];
        size_t n = 0;
        reasons[0] = '\0';
        for (size_t k = 0; k < INK_WORKLIST_REASONS && e->reasons[k][0]; k++)
            n += (size_t)snprintf(reasons + n, sizeof reasons - n, "%s%s",
                                  k ? "; " : "", e->reasons[k]);
        ink__csv_write_field(out, reasons);
        fputc('\n', out);
    }
    return ferror(out) ? INK_IO : INK_OK;
}
