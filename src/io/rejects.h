/* The rejects file of lenient loading: every rejected row, unchanged. */
#ifndef INK_IO_REJECTS_H
#define INK_IO_REJECTS_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/portfolio.h"

typedef struct ink__reject_entry {
    ink_file_kind file;
    int64_t line;
    int32_t column; /* 0 when the problem is not in one field */
    ink_reason reason;
    const char *field; /* "" when none */
    const char *message;
    const char *raw; /* the record as written, without its line end */
    size_t raw_len;
} ink__reject_entry;

/*
 * Writes a CSV file with the header
 *   file,line,column,field,reason,message,record
 * one row per entry ordered by file (contract order) and line; record is
 * the rejected row's text, quoted so that reading the field back gives
 * the original bytes. Written to path.tmp and renamed over path, so a
 * crash leaves either the old file or the new one. Sorts entries.
 */
ink_status ink__rejects_write(const char *path, ink__reject_entry *entries,
                              size_t count, ink_error *err);

#endif
