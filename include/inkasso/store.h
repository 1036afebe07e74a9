/* The embedded store: a portfolio kept in one SQLite file. */
#ifndef INKASSO_STORE_H
#define INKASSO_STORE_H

#include <stdint.h>

#include "inkasso/ingest.h"
#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library writes and reads. */
#define INK_STORE_SCHEMA_VERSION 2

typedef struct ink_store ink_store;

/*
 * Opens (creating when missing) the store file at path, in WAL mode with
 * full synchronous commits, and migrates its schema to
 * INK_STORE_SCHEMA_VERSION. A file written by a newer inkasso is refused
 * (INK_DATA). A handle may move between threads but is never used by
 * two at once.
 */
ink_status ink_store_open(const char *path, ink_store **out, ink_error *err);
/* Closes s; NULL is a no-op. */
void ink_store_close(ink_store *s);
/* The schema version found in the file when it was opened (0: new). */
int ink_store_schema_found(const ink_store *s);

/* Rows an import added, changed or found as they were, per file. */
typedef struct ink_import_stats {
    uint64_t inserted[INK_FILE_COUNT];
    uint64_t updated[INK_FILE_COUNT];
    uint64_t unchanged[INK_FILE_COUNT];
} ink_import_stats;

/*
 * Imports a loaded portfolio in one transaction: new rows are added, a
 * case whose columns changed (closed_on, close_reason, ...) is updated,
 * a payment or contact id already stored is kept as it is, and the
 * costs rows of each (period, segment) in p replace the stored ones.
 * Before committing, the whole store is loaded and checked with the
 * data contract's rules; if that fails, nothing is written. stats may be
 * NULL.
 */
ink_status ink_store_import(ink_store *s, const ink_portfolio *p,
                            ink_import_stats *stats, ink_error *err);

/*
 * Stores the accepted rows of a batch checked against p (see ingest.h)
 * in one transaction: durable when it returns INK_OK. Costs rows are
 * added to those stored for their month. stats may be NULL.
 */
ink_status ink_store_write_batch(ink_store *s, const ink_portfolio *p,
                                 const ink_batch *b, ink_import_stats *stats,
                                 ink_error *err);

/* Loads the whole store as a portfolio (opt as for ink_portfolio_load). */
ink_status ink_store_load(ink_store *s, const ink_load_options *opt,
                          ink_portfolio **out, ink_error *err);

#ifdef __cplusplus
}
#endif
#endif
