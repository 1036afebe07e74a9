/* The columnar portfolio: loading the four CSV files of the data contract. */
#ifndef INKASSO_PORTFOLIO_H
#define INKASSO_PORTFOLIO_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Units. Money is int64_t in 1/10000 of the major unit (INK_MONEY_SCALE).
 * Dates are int32_t days since 1970-01-01, proleptic Gregorian.
 * A missing date is INK_DATE_NONE, a missing amount INK_MONEY_NONE.
 */
#define INK_MONEY_SCALE 10000
#define INK_DATE_NONE INT32_MIN
#define INK_MONEY_NONE INT64_MIN
#define INK_OFFSET_NONE INT16_MIN

/* Enumerations of the contract; 0 always means "missing". */
typedef enum ink_segment {
    INK_SEGMENT_NONE = 0,
    INK_SEGMENT_B2C = 1,
    INK_SEGMENT_B2B = 2
} ink_segment;

typedef enum ink_close_reason {
    INK_CLOSE_NONE = 0,
    INK_CLOSE_PAID,
    INK_CLOSE_SETTLED,
    INK_CLOSE_WRITTEN_OFF,
    INK_CLOSE_RECALLED,
    INK_CLOSE_DISPUTED
} ink_close_reason;

typedef enum ink_direction {
    INK_DIRECTION_NONE = 0,
    INK_DIRECTION_OUT = 1,
    INK_DIRECTION_IN = 2
} ink_direction;

typedef enum ink_outcome {
    INK_OUTCOME_NONE = 0,
    INK_OUTCOME_INVALID,
    INK_OUTCOME_NO_RESPONSE,
    INK_OUTCOME_DELIVERED,
    INK_OUTCOME_RESPONDED
} ink_outcome;

/* Contract spelling of an enumeration value ("paid", "B2C", ...), or NULL. */
const char *ink_segment_name(int segment);
const char *ink_close_reason_name(int reason);
const char *ink_direction_name(int direction);
const char *ink_outcome_name(int outcome);

/*
 * A list of strings addressed by a 32-bit code. In a dictionary-encoded
 * column code 0 is the missing value and codes 1..count-1 are the distinct
 * values in order of first appearance. Strings are NUL-terminated and may
 * contain any byte but NUL.
 */
typedef struct ink_dict ink_dict;

/* Number of codes, including code 0. */
uint32_t ink_dict_count(const ink_dict *dict);
/* The string of code (NULL for code 0 or out of range); *len if len. */
const char *ink_dict_get(const ink_dict *dict, uint32_t code, size_t *len);
/* The code of a string, or 0 when absent. */
uint32_t ink_dict_find(const ink_dict *dict, const char *s, size_t len);

/* A dictionary-encoded text column: codes[row], 0 = missing. */
typedef struct ink_text_column {
    const char *name;
    const uint32_t *codes;
    const ink_dict *values;
    int present; /* 0 when the file had no such column: all codes are 0 */
} ink_text_column;

/* An exact decimal: units / 10^scale (used for fte). */
typedef struct ink_decimal {
    int64_t units;
    int32_t scale;
} ink_decimal;

/*
 * Read-only views of the columns. All pointers stay valid until the
 * portfolio is freed; arrays have `count` elements unless said otherwise.
 * line[] holds the physical line of each row in its file.
 */
typedef struct ink_cases {
    size_t count;
    const ink_dict *ids; /* case_id of row i is code i + 1 */
    ink_text_column debtor_id, creditor_id, sector, region, risk_class,
        portfolio, handler, currency;
    const uint8_t *segment;      /* ink_segment */
    const int32_t *opened_on;    /* never INK_DATE_NONE */
    const int32_t *due_on;       /* INK_DATE_NONE when missing */
    const int64_t *amount;       /* > 0 */
    const int32_t *closed_on;    /* INK_DATE_NONE while open */
    const uint8_t *close_reason; /* ink_close_reason */
    const uint32_t *line;
    size_t extra_count; /* extra columns of cases.csv, in header order */
    const ink_text_column *extras;
} ink_cases;

/*
 * Payments and contacts are grouped by case: the rows of case c are
 * [case_offset[c], case_offset[c + 1]) (case_offset has cases + 1
 * entries), in chronological order, ties in file order.
 */
typedef struct ink_payments {
    size_t count;
    const uint32_t *case_index;
    const uint32_t *case_offset;
    const int32_t *paid_on;
    const int64_t *amount; /* != 0; negative is a reversal */
    ink_text_column method;
    const ink_dict *ids; /* payment_id of row i is code i + 1; not
                            indexed: ink_dict_find gives 0 */
    const uint32_t *line;
} ink_payments;

typedef struct ink_contacts {
    size_t count;
    const uint32_t *case_index;
    const uint32_t *case_offset;
    const int32_t *date;           /* calendar date as written */
    const int32_t *seconds;        /* seconds since midnight as written */
    const int16_t *utc_offset_min; /* INK_OFFSET_NONE without offset */
    const uint8_t *direction;      /* ink_direction */
    const uint8_t *outcome;        /* ink_outcome */
    const uint8_t *automated;      /* 0 or 1 */
    const int64_t *cost;           /* INK_MONEY_NONE when missing */
    ink_text_column channel, agent_id;
    const ink_dict *ids; /* contact_id of row i is code i + 1; not
                            indexed: ink_dict_find gives 0 */
    const uint32_t *line;
} ink_contacts;

typedef struct ink_costs {
    size_t count;
    int present;            /* 0 when there is no costs.csv */
    const int32_t *period;  /* months since 0000-01: year * 12 + month - 1 */
    const uint8_t *segment; /* INK_SEGMENT_NONE: the whole operation */
    const ink_decimal *fte;
    const int64_t *cost;
    ink_text_column currency;
    const uint32_t *line;
} ink_costs;

/* Why a row was rejected: X(NAME, "name", description). */
#define INK_REASON_MAP(X)                                                      \
    X(CSV_SYNTAX, "csv_syntax", "malformed CSV")                               \
    X(FIELD_COUNT, "field_count", "wrong number of fields")                    \
    X(MISSING_FIELD, "missing_field", "required field missing")                \
    X(BAD_VALUE, "bad_value", "value does not parse")                          \
    X(UNKNOWN_ENUM, "unknown_enum", "unknown enumeration value")               \
    X(DUPLICATE_ID, "duplicate_id", "duplicate id")                            \
    X(UNKNOWN_CASE, "unknown_case", "unknown case_id")                         \
    X(CURRENCY_MISMATCH, "currency_mismatch",                                  \
      "currency differs from the case")                                        \
    X(NONPOSITIVE_AMOUNT, "nonpositive_amount", "case amount not > 0")         \
    X(ZERO_PAYMENT, "zero_payment", "payment amount is 0")                     \
    X(CLOSED_BEFORE_OPENED, "closed_before_opened",                            \
      "closed_on before opened_on")                                            \
    X(CLOSE_MISMATCH, "close_mismatch", "close_reason and closed_on disagree") \
    X(BEFORE_OPENED, "before_opened", "dated before the case was opened")      \
    X(INBOUND_NOT_RESPONDED, "inbound_not_responded",                          \
      "inbound contact not responded")                                         \
    X(COSTS_CURRENCY, "costs_currency", "segment with several currencies")     \
    X(TOO_LONG, "too_long", "record too long")

typedef enum ink_reason {
#define INK_REASON_ENUM(name, key, desc) INK_REASON_##name,
    INK_REASON_MAP(INK_REASON_ENUM)
#undef INK_REASON_ENUM
        INK_REASON_COUNT
} ink_reason;

/* The reason's key ("csv_syntax"); never NULL. */
const char *ink_reason_name(ink_reason reason);
const char *ink_reason_description(ink_reason reason);

typedef enum ink_file_kind {
    INK_FILE_CASES,
    INK_FILE_PAYMENTS,
    INK_FILE_CONTACTS,
    INK_FILE_COSTS,
    INK_FILE_COUNT
} ink_file_kind;

/* "cases.csv" etc. */
const char *ink_file_name(ink_file_kind kind);

/* Row accounting of one file: read == accepted + rejected. */
typedef struct ink_file_stats {
    int present;
    uint64_t bytes;
    uint64_t read; /* records, without header and blank lines */
    uint64_t accepted;
    uint64_t rejected;
    uint64_t rejected_by_reason[INK_REASON_COUNT];
    /* Wall time of each loading phase, for tuning: parsing (all
     * threads), merging the threads' columns, checking and indexing
     * ids, and grouping rows by case. */
    double parse_seconds, merge_seconds, index_seconds, group_seconds;
} ink_file_stats;

/* Called from the loading thread only, at most a few times a second. */
typedef void ink_progress_fn(void *ctx, ink_file_kind file, uint64_t done,
                             uint64_t total);

typedef struct ink_load_options {
    /* 0: the first invalid row fails the load. 1: invalid rows are
     * rejected, counted, and written to rejects_path. */
    int lenient;
    /* Lenient mode: the rejects file (CSV, written atomically), or NULL. */
    const char *rejects_path;
    /* Worker threads; 0 = one per online core. */
    int threads;
    /* A file is split across threads only from this size on; 0 = 4 MiB.
     * Tests set it to 1 to run the parallel path on tiny files. */
    size_t parallel_min_bytes;
    ink_progress_fn *progress;
    void *progress_ctx;
} ink_load_options;

/* Defaults: strict, no rejects file, all cores, no progress. */
void ink_load_options_init(ink_load_options *opt);

typedef struct ink_portfolio ink_portfolio;

/*
 * Loads cases.csv, payments.csv, contacts.csv and the optional costs.csv
 * from the folder dir, checking every rule of the data contract, in that
 * file order. On success *out owns a new portfolio (free it with
 * ink_portfolio_free). On failure *out is NULL, err names the file,
 * physical line, column, field and reason, and nothing was written.
 * INK_DATA is returned for invalid data, INK_IO for unreadable files.
 * opt may be NULL for the defaults. Thread-safe on distinct portfolios.
 */
ink_status ink_portfolio_load(const char *dir, const ink_load_options *opt,
                              ink_portfolio **out, ink_error *err);

/* The text of one contract file held in memory (data NULL: absent). */
typedef struct ink_source {
    const char *data;
    size_t size;
} ink_source;

/*
 * ink_portfolio_load on files held in memory, indexed by ink_file_kind
 * (costs may be absent): the same rules, messages and row accounting.
 * The buffers are only read during the call.
 */
ink_status ink_portfolio_load_memory(const ink_source files[INK_FILE_COUNT],
                                     const ink_load_options *opt,
                                     ink_portfolio **out, ink_error *err);

/* Frees p and everything it owns; NULL is a no-op. */
void ink_portfolio_free(ink_portfolio *p);

const ink_cases *ink_portfolio_cases(const ink_portfolio *p);
const ink_payments *ink_portfolio_payments(const ink_portfolio *p);
const ink_contacts *ink_portfolio_contacts(const ink_portfolio *p);
const ink_costs *ink_portfolio_costs(const ink_portfolio *p);
const ink_file_stats *ink_portfolio_file_stats(const ink_portfolio *p,
                                               ink_file_kind file);

#ifdef __cplusplus
}
#endif
#endif
