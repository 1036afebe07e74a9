/* The data-quality summary: ranges, missing shares, rows per case. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "inkasso/quality.h"

void ink_quality_init(ink_quality *q)
{
    memset(q, 0, sizeof *q);
}

void ink_quality_cleanup(ink_quality *q)
{
    free(q->currencies);
    free(q->channels);
    ink_quality_init(q);
}

static void range_init(ink_date_range *r)
{
    r->min = r->max = INK_DATE_NONE;
    r->count = 0;
}

static void range_add(ink_date_range *r, int32_t d)
{
    if (d == INK_DATE_NONE)
        return;
    if (r->count == 0 || d < r->min)
        r->min = d;
    if (r->count == 0 || d > r->max)
        r->max = d;
    r->count++;
}

static void add_missing_text(ink_quality *q, ink_file_kind file,
                             const ink_text_column *col, size_t rows)
{
    if (q->missing_count == INK_QUALITY_MISSING_MAX)
        return;
    ink_missing_share *m = &q->missing[q->missing_count++];
    m->file = file;
    m->column = col->name;
    m->present = col->present;
    m->rows = rows;
    m->missing = 0;
    for (size_t i = 0; i < rows; i++)
        m->missing += col->codes[i] == 0;
}

static void add_missing_dates(ink_quality *q, ink_file_kind file,
                              const char *name, int present,
                              const int32_t *dates, size_t rows)
{
    if (q->missing_count == INK_QUALITY_MISSING_MAX)
        return;
    ink_missing_share *m = &q->missing[q->missing_count++];
    m->file = file;
    m->column = name;
    m->present = present;
    m->rows = rows;
    m->missing = 0;
    for (size_t i = 0; i < rows; i++)
        m->missing += dates[i] == INK_DATE_NONE;
}

/* Mean, median, max and zeros of per-case row counts from offsets. */
static ink_status per_case(const uint32_t *offset, size_t cases,
                           ink_per_case *out)
{
    memset(out, 0, sizeof *out);
    if (cases == 0)
        return INK_OK;
    uint32_t max = 0;
    for (size_t c = 0; c < cases; c++) {
        uint32_t n = offset[c + 1] - offset[c];
        if (n > max)
            max = n;
        out->cases_without += n == 0;
    }
    /* A histogram gives the median without sorting a copy. */
    uint64_t *hist = ink__calloc_array((size_t)max + 1, sizeof *hist);
    if (!hist)
        return INK_NOMEM;
    for (size_t c = 0; c < cases; c++)
        hist[offset[c + 1] - offset[c]]++;
    uint64_t seen = 0, half = (cases + 1) / 2;
    for (uint32_t v = 0; v <= max; v++) {
        seen += hist[v];
        if (seen >= half) {
            out->median = v;
            break;
        }
    }
    free(hist);
    out->max = max;
    out->mean = (double)offset[cases] / (double)cases;
    return INK_OK;
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const ink_currency_cases *)a)->code,
                  ((const ink_currency_cases *)b)->code);
}

static int by_channel(const void *a, const void *b)
{
    return strcmp(((const ink_channel_quality *)a)->channel,
                  ((const ink_channel_quality *)b)->channel);
}

ink_status ink_quality_compute(const ink_portfolio *p, ink_quality *q)
{
    ink_quality_cleanup(q);
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_payments *ps = ink_portfolio_payments(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    const ink_costs *co = ink_portfolio_costs(p);
    size_t n = cs->count;
    q->cases = n;
    range_init(&q->opened_on);
    range_init(&q->due_on);
    range_init(&q->closed_on);
    range_init(&q->paid_on);
    range_init(&q->contacted_on);

    /* Cases: ranges, currencies, debtors. */
    uint32_t ncur = ink_dict_count(cs->currency.values);
    uint32_t ndebtors = ink_dict_count(cs->debtor_id.values);
    q->currencies = ink__calloc_array(ncur, sizeof *q->currencies);
    uint32_t *cases_of_debtor = ink__calloc_array(ndebtors, sizeof(uint32_t));
    if (!q->currencies || !cases_of_debtor) {
        free(cases_of_debtor);
        ink_quality_cleanup(q);
        return INK_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        range_add(&q->opened_on, cs->opened_on[i]);
        range_add(&q->due_on, cs->due_on[i]);
        range_add(&q->closed_on, cs->closed_on[i]);
        q->closed_cases += cs->closed_on[i] != INK_DATE_NONE;
        ink_currency_cases *c = &q->currencies[cs->currency.codes[i]];
        c->cases++;
        /* Cannot overflow: the sum of a currency's amounts would have to
         * pass 922 trillion units. Saturate rather than wrap if it did. */
        if (__builtin_add_overflow(c->placed_amount, cs->amount[i],
                                   &c->placed_amount))
            c->placed_amount = INT64_MAX;
        cases_of_debtor[cs->debtor_id.codes[i]]++;
    }
    q->open_cases = n - q->closed_cases;
    for (uint32_t d = 1; d < ndebtors; d++) {
        q->debtors += cases_of_debtor[d] > 0;
        q->debtors_with_several_cases += cases_of_debtor[d] > 1;
    }
    free(cases_of_debtor);
    size_t used = 0;
    for (uint32_t c = 1; c < ncur; c++) {
        if (!q->currencies[c].cases)
            continue;
        q->currencies[used] = q->currencies[c];
        q->currencies[used].code = ink_dict_get(cs->currency.values, c, NULL);
        used++;
    }
    q->currency_count = used;
    qsort(q->currencies, used, sizeof *q->currencies, by_code);

    /* Optional columns. */
    const ink_text_column *optional[] = {&cs->creditor_id, &cs->sector,
                                         &cs->region,      &cs->risk_class,
                                         &cs->portfolio,   &cs->handler};
    for (size_t k = 0; k < sizeof optional / sizeof optional[0]; k++)
        add_missing_text(q, INK_FILE_CASES, optional[k], n);
    add_missing_dates(q, INK_FILE_CASES, "due_on", 1, cs->due_on, n);
    for (size_t x = 0; x < cs->extra_count; x++)
        add_missing_text(q, INK_FILE_CASES, &cs->extras[x], n);
    add_missing_text(q, INK_FILE_PAYMENTS, &ps->method, ps->count);
    add_missing_text(q, INK_FILE_CONTACTS, &ct->agent_id, ct->count);
    if (q->missing_count < INK_QUALITY_MISSING_MAX) {
        ink_missing_share *m = &q->missing[q->missing_count++];
        m->file = INK_FILE_CONTACTS;
        m->column = "cost";
        m->present = 1;
        m->rows = ct->count;
        for (size_t i = 0; i < ct->count; i++)
            m->missing += ct->cost[i] == INK_MONEY_NONE;
    }

    /* Payments and contacts. */
    for (size_t i = 0; i < ps->count; i++) {
        range_add(&q->paid_on, ps->paid_on[i]);
        q->reversals += ps->amount[i] < 0;
    }
    uint32_t nch = ink_dict_count(ct->channel.values);
    q->channels = ink__calloc_array(nch, sizeof *q->channels);
    if (!q->channels) {
        ink_quality_cleanup(q);
        return INK_NOMEM;
    }
    for (size_t i = 0; i < ct->count; i++) {
        range_add(&q->contacted_on, ct->date[i]);
        ink_channel_quality *c = &q->channels[ct->channel.codes[i]];
        if (ct->direction[i] == INK_DIRECTION_OUT) {
            c->outbound++;
            c->invalid += ct->outcome[i] == INK_OUTCOME_INVALID;
            c->responded += ct->outcome[i] == INK_OUTCOME_RESPONDED;
        } else {
            c->inbound++;
        }
    }
    used = 0;
    for (uint32_t c = 1; c < nch; c++) {
        q->outbound += q->channels[c].outbound;
        q->invalid_outbound += q->channels[c].invalid;
        q->inbound += q->channels[c].inbound;
        q->channels[used] = q->channels[c];
        q->channels[used].channel = ink_dict_get(ct->channel.values, c, NULL);
        used++;
    }
    q->channel_count = used;
    qsort(q->channels, used, sizeof *q->channels, by_channel);

    if (per_case(ps->case_offset, n, &q->payments_per_case) != INK_OK ||
        per_case(ct->case_offset, n, &q->contacts_per_case) != INK_OK) {
        ink_quality_cleanup(q);
        return INK_NOMEM;
    }

    q->cost_period_min = q->cost_period_max = -1;
    for (size_t i = 0; i < co->count; i++) {
        if (q->cost_period_min < 0 || co->period[i] < q->cost_period_min)
            q->cost_period_min = co->period[i];
        if (co->period[i] > q->cost_period_max)
            q->cost_period_max = co->period[i];
    }
    return INK_OK;
}
