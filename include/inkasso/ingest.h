/* Ingest: new payments, contacts and costs rows into a loaded portfolio. */
#ifndef INKASSO_INGEST_H
#define INKASSO_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Rows of one file checked against a portfolio, ready to store and apply. */
typedef struct ink_batch ink_batch;

/* One row of a batch that was refused, and why. */
typedef struct ink_batch_reject {
    int64_t line;      /* physical line in the batch's text (header = 1) */
    int32_t column;    /* field position, 0 when none */
    const char *field; /* column name, "" when none */
    ink_reason reason;
    const char *message;
} ink_batch_reject;

/*
 * Checks csv (the text of cases.csv, payments.csv, contacts.csv or
 * costs.csv rows, header line first) against p with every rule of the
 * data contract, the same messages as loading, and ids not repeated in
 * the batch. A payment or contact id stored in p already is refused; a
 * case id stored already makes its row an update of that case (closing
 * it, say), which must keep its currency and opened_on. Cases rows take
 * the portfolio's extra columns (missing ones are null, others ignored).
 * Invalid rows are listed in the batch, not fatal; a header error is
 * (INK_DATA). p is not changed, except that the first check builds an index of
 * its ids (so checks and applies on one portfolio must not run concurrently
 * with each other).
 */
ink_status ink_batch_check(ink_portfolio *p, ink_file_kind kind,
                           const char *csv, size_t len, ink_batch **out,
                           ink_error *err);
void ink_batch_free(ink_batch *b);

ink_file_kind ink_batch_kind(const ink_batch *b);
size_t ink_batch_accepted(const ink_batch *b);
size_t ink_batch_rejected(const ink_batch *b);
const ink_batch_reject *ink_batch_reject_at(const ink_batch *b, size_t i);
/* The accepted rows as column views (case_offset is NULL: rows are in
 * batch order; case_index refers to the portfolio's cases). */
const ink_cases *ink_batch_cases(const ink_batch *b);
const ink_payments *ink_batch_payments(const ink_batch *b);
const ink_contacts *ink_batch_contacts(const ink_batch *b);
const ink_costs *ink_batch_costs(const ink_batch *b);

/*
 * Adds the accepted rows of b to p, which must be the portfolio b was
 * checked against, unchanged since. Views obtained from p before are
 * invalid afterwards. b keeps its rejects but no rows. On failure
 * (INK_NOMEM) p may hold part of the batch: it may only be freed (load it
 * again); its views stay readable, so a reader in flight does not crash.
 */
ink_status ink_portfolio_apply(ink_portfolio *p, ink_batch *b, ink_error *err);

#ifdef __cplusplus
}
#endif
#endif
