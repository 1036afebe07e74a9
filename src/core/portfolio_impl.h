/* The portfolio's internal layout, shared by the loader and the views. */
#ifndef INK_CORE_PORTFOLIO_IMPL_H
#define INK_CORE_PORTFOLIO_IMPL_H

#include "core/table.h"
#include "inkasso/portfolio.h"

/* Column positions of each table; they are also the order of the
 * contract's columns, which is the order fields are checked in. */
enum {
    CASE_ID,
    CASE_DEBTOR,
    CASE_CREDITOR,
    CASE_SEGMENT,
    CASE_SECTOR,
    CASE_REGION,
    CASE_RISK,
    CASE_PORTFOLIO,
    CASE_HANDLER,
    CASE_OPENED,
    CASE_DUE,
    CASE_AMOUNT,
    CASE_CURRENCY,
    CASE_CLOSED,
    CASE_REASON,
    CASE_LINE,
    CASE_NCOLS /* extra columns follow */
};

enum {
    PAY_ID,
    PAY_CASE,
    PAY_DATE,
    PAY_AMOUNT,
    PAY_METHOD,
    PAY_LINE,
    PAY_NCOLS
};

enum {
    CON_ID,
    CON_CASE,
    CON_DATE,
    CON_SECONDS,
    CON_OFFSET,
    CON_CHANNEL,
    CON_DIRECTION,
    CON_OUTCOME,
    CON_AUTOMATED,
    CON_AGENT,
    CON_COST,
    CON_LINE,
    CON_NCOLS
};

enum {
    COST_PERIOD,
    COST_SEGMENT,
    COST_FTE,
    COST_AMOUNT,
    COST_CURRENCY,
    COST_LINE,
    COST_NCOLS
};

/* A contact applied: its case, day, and whether it was outbound and
 * automated. */
typedef struct ink__contact_note {
    uint32_t case_index;
    int32_t date;
    uint8_t outbound, automated;
} ink__contact_note;

/* A payment applied: its case, day and amount. */
typedef struct ink__payment_note {
    uint32_t case_index;
    int32_t paid_on;
    int64_t amount;
} ink__payment_note;

struct ink_portfolio {
    ink__table tables[INK_FILE_COUNT];
    uint32_t *payment_offset; /* cases + 1 */
    uint32_t *contact_offset; /* cases + 1 */
    /* The latest opened_on, closed_on, paid_on or contact date: the
     * default as_of of reports (INK_DATE_NONE without any). */
    int32_t latest_date;
    /* Ingest: the payment and contact ids stored, indexed (ingest.c);
     * NULL until the first batch is checked. */
    ink_dict *id_set[INK_FILE_COUNT];
    ink_text_column *case_extras;
    ink_cases cases;
    ink_payments payments;
    ink_contacts contacts;
    ink_costs costs;
    ink_file_stats stats[INK_FILE_COUNT];
    /* What the KPI engine keeps between reports (kpi/facts.c), freed
     * with the portfolio. apply() lists the cases whose rows it changed
     * (changed_all when it lost track) and counts its generations, so
     * the cache is brought up to date rather than rebuilt. */
    void *kpi_cache;
    void (*kpi_cache_free)(void *);
    uint32_t *changed_cases;
    size_t changed_len, changed_cap;
    int changed_all;
    uint64_t generation;
    /* Payments applied since the cache last looked (it keeps sums by
     * payment, which the changed cases alone cannot give), and a count
     * of applied case batches (they may regroup cases). */
    ink__payment_note *added_payments;
    size_t added_len, added_cap;
    ink__contact_note *added_contacts;
    size_t contacts_len, contacts_cap;
    uint64_t case_batches;
    /* Generations that only added payments (which the KPI operations
     * section does not read). */
    uint64_t payment_batches;
};

/* Notes payments applied (for the KPI cache): count rows of a payments
 * table's case, date and amount columns; 0 when out of memory, with p as
 * it was. */
int ink__portfolio_payments_added(ink_portfolio *p, const uint32_t *case_of,
                                  const int32_t *paid_on, const int64_t *amount,
                                  size_t count);
/* The same for contacts: case, date, direction and automated columns. */
int ink__portfolio_contacts_added(ink_portfolio *p, const uint32_t *case_of,
                                  const int32_t *date, const uint8_t *direction,
                                  const uint8_t *automated, size_t count);
/* Notes that the rows of these cases changed (for the KPI cache); 0 when
 * out of memory, with p as it was. */
int ink__portfolio_cases_changed(ink_portfolio *p, const uint32_t *cases,
                                 size_t count);
/* Notes that rows changed in ways not tracked case by case. */
void ink__portfolio_all_changed(ink_portfolio *p);

/* The public view of a text column of a table. */
ink_text_column ink__text_view(const ink__table *t, size_t c);

/* The public views of one table (offset: the by-case offsets, or NULL
 * for rows not grouped by case; extras: the array of extra columns'
 * views, replaced). Shared with the batches of ingest.c. */
int ink__bind_cases(ink_cases *cs, const ink__table *t,
                    ink_text_column **extras);
void ink__bind_payments(ink_payments *ps, const ink__table *t,
                        const uint32_t *offset);
void ink__bind_contacts(ink_contacts *ct, const ink__table *t,
                        const uint32_t *offset);
void ink__bind_costs(ink_costs *co, const ink__table *t, int present);

/* The latest opened_on, closed_on, paid_on or contact date of the bound
 * views (a scan of every row); INK_DATE_NONE without any. */
int32_t ink__latest_date(const ink_portfolio *p);

/* Fills the public views from the tables (after loading). */
int ink__portfolio_bind(ink_portfolio *p);

#endif
