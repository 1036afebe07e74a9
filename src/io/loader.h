/* Shared by the loader's files: the contract's columns, per-file and
 * per-chunk parsing state, and the row parsers (src/io/rows.c). */
#ifndef INK_IO_LOADER_H
#define INK_IO_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "core/portfolio_impl.h"
#include "core/table.h"
#include "inkasso/portfolio.h"
#include "io/csv.h"

typedef enum field_type {
    F_ID,
    F_CASE_REF,
    F_TEXT,
    F_SEGMENT,
    F_DATE,
    F_TIMESTAMP,
    F_MONEY,
    F_CURRENCY,
    F_CLOSE_REASON,
    F_DIRECTION,
    F_OUTCOME,
    F_FLAG,
    F_MONTH,
    F_FTE
} field_type;

typedef struct field_spec {
    const char *name;
    field_type type;
    int required;
} field_spec;

enum { PF_ID, PF_CASE, PF_DATE, PF_AMOUNT, PF_CURRENCY, PF_METHOD, PF_COUNT };

enum {
    CF_ID,
    CF_CASE,
    CF_AT,
    CF_CHANNEL,
    CF_DIRECTION,
    CF_OUTCOME,
    CF_AUTOMATED,
    CF_AGENT,
    CF_COST,
    CF_COUNT
};

enum { KF_PERIOD, KF_SEGMENT, KF_FTE, KF_COST, KF_CURRENCY, KF_COUNT };

#define MAX_SPECS 16

typedef struct file_spec {
    const field_spec *fields;
    size_t nfields;
    size_t ncols; /* table columns before extras */
} file_spec;

/* The columns of each file, in contract order (rows.c). */
extern const file_spec ink__file_specs[INK_FILE_COUNT];
extern const ink__col_kind ink__case_kinds[CASE_NCOLS];
extern const char *const ink__case_names[CASE_NCOLS];
extern const ink__col_kind ink__pay_kinds[PAY_NCOLS];
extern const char *const ink__pay_names[PAY_NCOLS];
extern const ink__col_kind ink__con_kinds[CON_NCOLS];
extern const char *const ink__con_names[CON_NCOLS];
extern const ink__col_kind ink__cost_kinds[COST_NCOLS];
extern const char *const ink__cost_names[COST_NCOLS];

/* Per-file state shared (read-only) by the chunk parsers. */

typedef struct file_ctx {
    ink_file_kind kind;
    const char *name;
    const file_spec *spec;
    int lenient;
    /* Position in the record of each contract field, -1 when absent. */
    int pos[MAX_SPECS];
    uint32_t header_fields;
    /* cases.csv: extra columns, by record position. */
    size_t nextras;
    uint32_t *extra_pos;
    char **header_names; /* header_fields names, for messages */
    /* payments and contacts: the loaded cases. */
    const ink__table *cases;
    /* Table layout of this file. */
    size_t ncols;
    ink__col_kind *kinds;
    const char **col_names;
} file_ctx;

/* One rejected row, kept until the rejects file is written. */
typedef struct reject_row {
    ink_file_kind file;
    int64_t line;
    int32_t column;
    ink_reason reason;
    size_t field_off, msg_off, raw_off;
    size_t field_len, msg_len, raw_len;
} reject_row;

#define TEXT_CACHE_COLUMNS 32
#define TEXT_CACHE_WAYS 16 /* values remembered per column */
typedef struct text_cache {
    const ink_dict *dict; /* NULL: empty */
    size_t len;
    uint32_t code;
    char value[48];
} text_cache;

typedef struct chunk {
    const file_ctx *fc;
    const char *begin, *end;
    const char *map_base; /* page-aligned base for releasing pages */
    int release_pages;
    ink__table table;
    /* Rejected rows (lenient) with their texts in one arena. */
    reject_row *rejects;
    size_t nrejects, rejects_cap;
    char *text;
    size_t text_len, text_cap;
    /* Strict mode: the first invalid row stops the chunk. */
    int failed;
    ink_error error;
    ink_reason error_reason;
    ink_status status; /* INK_NOMEM etc. */
    int syntax_error;  /* quoting broke: parity split may be wrong */
    uint64_t read;
    int64_t first_line; /* line of begin as the reader counts it */
    int64_t lines;      /* physical lines consumed */
    /* costs.csv: currency of each segment value seen so far. */
    uint32_t segment_currency[3];
    int64_t segment_currency_line[3];
    /* The last text value per column position. */
    text_cache text_cache[TEXT_CACHE_COLUMNS][TEXT_CACHE_WAYS];
    /* The case of the previous row (payments and contacts). */
    char last_case[64];
    size_t last_case_len; /* SIZE_MAX: none yet */
    uint32_t last_case_row;
    /* Progress (chunk 0 only). */
    const ink_load_options *opt;
    uint64_t progress_total;
} chunk;

#define COL(t, c, type) ((type *)(t)->cols[c].data)

/* Writes s as a quoted, escaped value shortened to 60 bytes into buf. */
void ink__quote_value(char *buf, size_t cap, const char *s, size_t len);

/*
 * Records that the row of rec is invalid: the chunk's error in strict
 * mode, a reject in lenient mode. position is the 1-based field position
 * (0: none), field the column's name or NULL. Returns 0.
 */
int ink__row_fail(chunk *ch, const ink_csv_record *rec, uint32_t position,
                  const char *field, ink_reason reason, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Checks one record (with the header's field count) of a file and appends
 * it to ch->table, or fails it with ink__row_fail. Returns 1 if kept. */
typedef int row_fn(chunk *ch, const ink_csv_record *rec);
extern row_fn *const ink__row_parsers[INK_FILE_COUNT];

/* Loader steps shared with the batch check (ingest.c); load.c. */
void *ink__parse_chunk(void *chunk_arg);
void ink__chunk_cleanup(chunk *ch);
void ink__file_ctx_cleanup(file_ctx *fc);
ink_status ink__read_header(file_ctx *fc, ink_csv_reader *reader,
                            ink_error *err);
ink_status ink__table_layout(file_ctx *fc);
int ink__mark_present(ink__table *t, const file_ctx *fc);
ink_status ink__group_by_case(ink__table *t, size_t cases, int case_col,
                              int date_col, int seconds_col,
                              uint32_t **offset_out);

#endif
