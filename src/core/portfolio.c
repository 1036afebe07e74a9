/* The portfolio object: public column views over the loaded tables. */
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"

ink_text_column ink__text_view(const ink__table *t, size_t c)
{
    const ink__column *col = &t->cols[c];
    return (ink_text_column){col->name, col->data, col->dict, col->present};
}

#define DATA(t, c, type) ((const type *)(t)->cols[c].data)

int ink__bind_cases(ink_cases *cs, const ink__table *t,
                    ink_text_column **extras)
{
    cs->count = t->rows;
    cs->ids = t->cols[CASE_ID].dict;
    cs->debtor_id = ink__text_view(t, CASE_DEBTOR);
    cs->creditor_id = ink__text_view(t, CASE_CREDITOR);
    cs->sector = ink__text_view(t, CASE_SECTOR);
    cs->region = ink__text_view(t, CASE_REGION);
    cs->risk_class = ink__text_view(t, CASE_RISK);
    cs->portfolio = ink__text_view(t, CASE_PORTFOLIO);
    cs->handler = ink__text_view(t, CASE_HANDLER);
    cs->currency = ink__text_view(t, CASE_CURRENCY);
    cs->segment = DATA(t, CASE_SEGMENT, uint8_t);
    cs->opened_on = DATA(t, CASE_OPENED, int32_t);
    cs->due_on = DATA(t, CASE_DUE, int32_t);
    cs->amount = DATA(t, CASE_AMOUNT, int64_t);
    cs->closed_on = DATA(t, CASE_CLOSED, int32_t);
    cs->close_reason = DATA(t, CASE_REASON, uint8_t);
    cs->line = DATA(t, CASE_LINE, uint32_t);
    /* Bound again after an ingest, with the same columns: the array of
     * the extras' views is kept, so that binding again cannot fail. When
     * a new one cannot be had, the views have no extras rather than old
     * ones over freed columns. */
    size_t extra_count = t->ncols - CASE_NCOLS;
    if (extra_count != cs->extra_count || (extra_count && !*extras)) {
        free(*extras);
        *extras = NULL;
        cs->extras = NULL;
        cs->extra_count = 0;
        if (extra_count) {
            *extras = calloc(extra_count, sizeof **extras);
            if (!*extras)
                return 0;
        }
    }
    cs->extra_count = extra_count;
    for (size_t x = 0; x < extra_count; x++)
        (*extras)[x] = ink__text_view(t, CASE_NCOLS + x);
    cs->extras = *extras;
    return 1;
}

void ink__bind_payments(ink_payments *ps, const ink__table *t,
                        const uint32_t *offset)
{
    ps->count = t->rows;
    ps->case_index = DATA(t, PAY_CASE, uint32_t);
    ps->case_offset = offset;
    ps->paid_on = DATA(t, PAY_DATE, int32_t);
    ps->amount = DATA(t, PAY_AMOUNT, int64_t);
    ps->method = ink__text_view(t, PAY_METHOD);
    ps->ids = t->cols[PAY_ID].dict;
    ps->line = DATA(t, PAY_LINE, uint32_t);
}

void ink__bind_contacts(ink_contacts *ct, const ink__table *t,
                        const uint32_t *offset)
{
    ct->count = t->rows;
    ct->case_index = DATA(t, CON_CASE, uint32_t);
    ct->case_offset = offset;
    ct->date = DATA(t, CON_DATE, int32_t);
    ct->seconds = DATA(t, CON_SECONDS, int32_t);
    ct->utc_offset_min = DATA(t, CON_OFFSET, int16_t);
    ct->direction = DATA(t, CON_DIRECTION, uint8_t);
    ct->outcome = DATA(t, CON_OUTCOME, uint8_t);
    ct->automated = DATA(t, CON_AUTOMATED, uint8_t);
    ct->cost = DATA(t, CON_COST, int64_t);
    ct->channel = ink__text_view(t, CON_CHANNEL);
    ct->agent_id = ink__text_view(t, CON_AGENT);
    ct->ids = t->cols[CON_ID].dict;
    ct->line = DATA(t, CON_LINE, uint32_t);
}

void ink__bind_costs(ink_costs *co, const ink__table *t, int present)
{
    co->count = t->rows;
    co->present = present;
    co->period = DATA(t, COST_PERIOD, int32_t);
    co->segment = DATA(t, COST_SEGMENT, uint8_t);
    co->fte = DATA(t, COST_FTE, ink_decimal);
    co->cost = DATA(t, COST_AMOUNT, int64_t);
    co->currency = ink__text_view(t, COST_CURRENCY);
    co->line = DATA(t, COST_LINE, uint32_t);
}

/* The latest date of every dated row (the date as written). */
int32_t ink__latest_date(const ink_portfolio *p)
{
    int32_t latest = INK_DATE_NONE;
    const ink_cases *cs = &p->cases;
    for (size_t i = 0; i < cs->count; i++) {
        if (cs->opened_on[i] > latest)
            latest = cs->opened_on[i];
        if (cs->closed_on[i] > latest)
            latest = cs->closed_on[i];
    }
    for (size_t i = 0; i < p->payments.count; i++)
        if (p->payments.paid_on[i] > latest)
            latest = p->payments.paid_on[i];
    for (size_t i = 0; i < p->contacts.count; i++)
        if (p->contacts.date[i] > latest)
            latest = p->contacts.date[i];
    return latest;
}

int ink__portfolio_bind(ink_portfolio *p)
{
    if (!ink__bind_cases(&p->cases, &p->tables[INK_FILE_CASES],
                         &p->case_extras))
        return 0;
    ink__bind_payments(&p->payments, &p->tables[INK_FILE_PAYMENTS],
                       p->payment_offset);
    ink__bind_contacts(&p->contacts, &p->tables[INK_FILE_CONTACTS],
                       p->contact_offset);
    ink__bind_costs(&p->costs, &p->tables[INK_FILE_COSTS],
                    p->stats[INK_FILE_COSTS].present);
    return 1;
}

void ink_portfolio_free(ink_portfolio *p)
{
    if (!p)
        return;
    for (int k = 0; k < INK_FILE_COUNT; k++)
        ink__table_cleanup(&p->tables[k]);
    free(p->payment_offset);
    free(p->contact_offset);
    for (int k = 0; k < INK_FILE_COUNT; k++)
        ink__dict_free(p->id_set[k]);
    free(p->case_extras);
    if (p->kpi_cache_free)
        p->kpi_cache_free(p->kpi_cache);
    free(p->changed_cases);
    free(p->added_payments);
    free(p->added_contacts);
    free(p);
}

/* What note_room found: room for the notes, no need of them (p does
 * not track changes case by case, from now on perhaps), or no memory. */
enum { NOTE_ROOM, NOTE_UNTRACKED, NOTE_NOMEM };

/* Room for count notes after the len in *notes (of size bytes each),
 * unless tracking stops: past an eighth of the cases a rebuild is as
 * cheap as the list. */
static int note_room(ink_portfolio *p, void **notes, size_t *cap, size_t len,
                     size_t count, size_t size)
{
    if (p->changed_all)
        return NOTE_UNTRACKED;
    if (len + count > p->cases.count / 8 + 64) {
        ink__portfolio_all_changed(p);
        return NOTE_UNTRACKED;
    }
    return ink__reserve(notes, cap, len + count, size) ? NOTE_ROOM : NOTE_NOMEM;
}

int ink__portfolio_cases_changed(ink_portfolio *p, const uint32_t *cases,
                                 size_t count)
{
    int room = note_room(p, (void **)&p->changed_cases, &p->changed_cap,
                         p->changed_len, count, sizeof *p->changed_cases);
    if (room != NOTE_ROOM)
        return room == NOTE_UNTRACKED;
    memcpy(p->changed_cases + p->changed_len, cases, count * sizeof *cases);
    p->changed_len += count;
    return 1;
}

void ink__portfolio_all_changed(ink_portfolio *p)
{
    p->changed_all = 1;
    p->changed_len = 0;
    p->added_len = 0;
    p->contacts_len = 0;
}

int ink__portfolio_contacts_added(ink_portfolio *p, const uint32_t *case_of,
                                  const int32_t *date, const uint8_t *direction,
                                  const uint8_t *automated, size_t count)
{
    int room = note_room(p, (void **)&p->added_contacts, &p->contacts_cap,
                         p->contacts_len, count, sizeof *p->added_contacts);
    if (room != NOTE_ROOM)
        return room == NOTE_UNTRACKED;
    for (size_t i = 0; i < count; i++)
        p->added_contacts[p->contacts_len + i] = (ink__contact_note){
            case_of[i], date[i], direction[i] == INK_DIRECTION_OUT,
            automated[i]};
    p->contacts_len += count;
    return 1;
}

int ink__portfolio_payments_added(ink_portfolio *p, const uint32_t *case_of,
                                  const int32_t *paid_on, const int64_t *amount,
                                  size_t count)
{
    int room = note_room(p, (void **)&p->added_payments, &p->added_cap,
                         p->added_len, count, sizeof *p->added_payments);
    if (room != NOTE_ROOM)
        return room == NOTE_UNTRACKED;
    for (size_t i = 0; i < count; i++)
        p->added_payments[p->added_len + i] =
            (ink__payment_note){case_of[i], paid_on[i], amount[i]};
    p->added_len += count;
    return 1;
}

const ink_cases *ink_portfolio_cases(const ink_portfolio *p)
{
    return &p->cases;
}

const ink_payments *ink_portfolio_payments(const ink_portfolio *p)
{
    return &p->payments;
}

const ink_contacts *ink_portfolio_contacts(const ink_portfolio *p)
{
    return &p->contacts;
}

const ink_costs *ink_portfolio_costs(const ink_portfolio *p)
{
    return &p->costs;
}

const ink_file_stats *ink_portfolio_file_stats(const ink_portfolio *p,
                                               ink_file_kind file)
{
    if ((unsigned)file >= INK_FILE_COUNT)
        return NULL;
    return &p->stats[file];
}
