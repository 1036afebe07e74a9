/* A strict RFC 4180 record scanner over a byte range in memory. */
#ifndef INK_IO_CSV_H
#define INK_IO_CSV_H

#include <stddef.h>
#include <stdint.h>

#define INK_CSV_MAX_FIELDS 1024
#define INK_CSV_MAX_RECORD (1u << 20) /* bytes of one record */

typedef enum ink_csv_result {
    INK_CSV_RECORD = 1,
    INK_CSV_END = 0,
    INK_CSV_SYNTAX = -1,   /* malformed quoting: see error */
    INK_CSV_TOO_MANY = -2, /* more than INK_CSV_MAX_FIELDS fields */
    INK_CSV_TOO_LONG = -3, /* more than INK_CSV_MAX_RECORD bytes */
    INK_CSV_NOMEM = -4
} ink_csv_result;

/*
 * One record. Fields point into the input, or into the reader's scratch
 * for quoted fields with doubled quotes; valid until the next call.
 * raw..raw_end is the record as written, without its line end.
 */
typedef struct ink_csv_record {
    const char *raw, *raw_end;
    int64_t line; /* physical line where the record starts */
    uint32_t count;
    const char *field[INK_CSV_MAX_FIELDS];
    uint32_t len[INK_CSV_MAX_FIELDS];
    uint32_t error_field; /* 1-based field of a syntax error */
    const char *error;    /* what is wrong, for syntax errors */
} ink_csv_record;

typedef struct ink_csv_reader {
    const char *pos, *end;
    int64_t line; /* physical line of pos */
    char *scratch;
    size_t scratch_cap;
} ink_csv_reader;

/* Starts reading [begin, end) whose first byte is on physical line `line`. */
void ink__csv_init(ink_csv_reader *r, const char *begin, const char *end,
                   int64_t line);
void ink__csv_cleanup(ink_csv_reader *r);

/*
 * Reads the next record, skipping wholly blank lines. On an error the
 * record's raw span, line and error are set, and the reader has moved to
 * the start of the next physical line, so reading can go on.
 */
ink_csv_result ink__csv_next(ink_csv_reader *r, ink_csv_record *rec);

/*
 * Where a reader for the part of [begin, end) from `from` on should
 * start: the first record start at or after `from`, given that `from`
 * lies outside quotes when `in_quotes` is 0 (quote parity). Returns end
 * when there is none.
 */
const char *ink__csv_record_start(const char *from, const char *end,
                                  int in_quotes);

/* Number of '"' bytes in [begin, end). */
size_t ink__csv_count_quotes(const char *begin, const char *end);
/* Number of '\n' bytes in [begin, end). */
size_t ink__csv_count_lines(const char *begin, const char *end);

#endif
