/* Column tables: the in-memory form of one input file, one array a column. */
#ifndef INK_CORE_TABLE_H
#define INK_CORE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/dict.h"

typedef enum ink__col_kind {
    INK_COL_U8,
    INK_COL_I16,
    INK_COL_I32,
    INK_COL_U32,
    INK_COL_I64,
    INK_COL_DECIMAL, /* ink_decimal */
    INK_COL_TEXT,    /* uint32_t codes into dict; 0 = missing */
    INK_COL_ID       /* no array: row i is code i + 1 of dict */
} ink__col_kind;

typedef struct ink__column {
    ink__col_kind kind;
    char *name; /* owned copy */
    void *data;
    ink_dict *dict; /* TEXT and ID */
    int present;    /* the file has this column */
} ink__column;

typedef struct ink__table {
    size_t rows, cap;
    size_t ncols;
    ink__column *cols;
} ink__table;

size_t ink__col_elem_size(ink__col_kind kind);

/* An empty table with the columns' kinds and names copied from `like`
 * (or from kinds/names when like is NULL). Returns 0 on failure. */
int ink__table_init(ink__table *t, size_t ncols, const ink__col_kind *kinds,
                    const char *const *names);
int ink__table_init_like(ink__table *t, const ink__table *like);
void ink__table_cleanup(ink__table *t);

/* Room for `rows` rows in every column. */
int ink__table_reserve(ink__table *t, size_t rows);

/* Appends all rows of src (same layout) and frees src's storage. TEXT
 * codes are re-interned into dst's dictionaries; ID dicts are appended.
 * Uses up to two threads (threads > 1) for large tables. On failure both
 * tables must still be cleaned up by the caller. */
int ink__table_append(ink__table *dst, ink__table *src, int threads);

/* The scratch bytes ink__table_insert_sorted needs to move the rows of
 * batch in: the batch as it is before it is appended. */
size_t ink__table_insert_scratch(const ink__table *batch);

/*
 * Moves the rows from old_rows on (in order) in among the first old_rows,
 * in place: new row k goes before old row pos[k] (pos ascending; old_rows
 * for the end). ID dicts must not be indexed. The work is a move of the
 * rows after the first insertion, not a reorder of the whole table; it
 * cannot fail, since the scratch is allocated before anything changes.
 */
void ink__table_insert_sorted(ink__table *t, size_t old_rows,
                              const uint32_t *pos, void *scratch);

/* Keeps the rows with keep[i] != 0, in order; ID dicts are rebuilt. */
int ink__table_filter(ink__table *t, const uint8_t *keep);

/* Reorders rows so that new row i is old row perm[i]; ID dicts rebuilt
 * (unindexed). */
int ink__table_permute(ink__table *t, const uint32_t *perm);

#endif
