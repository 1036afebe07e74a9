/* Column tables: append, filter and reorder whole columns at once. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/table.h"
#include "inkasso/portfolio.h"

size_t ink__col_elem_size(ink__col_kind kind)
{
    switch (kind) {
    case INK_COL_U8:
        return 1;
    case INK_COL_I16:
        return 2;
    case INK_COL_I32:
    case INK_COL_U32:
    case INK_COL_TEXT:
        return 4;
    case INK_COL_I64:
        return 8;
    case INK_COL_DECIMAL:
        return sizeof(ink_decimal);
    case INK_COL_ID:
        return 0;
    }
    return 0;
}

int ink__table_init(ink__table *t, size_t ncols, const ink__col_kind *kinds,
                    const char *const *names)
{
    memset(t, 0, sizeof *t);
    t->cols = ink__calloc_array(ncols, sizeof *t->cols);
    if (!t->cols)
        return 0;
    t->ncols = ncols;
    for (size_t c = 0; c < ncols; c++) {
        ink__column *col = &t->cols[c];
        col->kind = kinds[c];
        col->name = strdup(names[c]);
        if (!col->name)
            goto fail;
        if (col->kind == INK_COL_TEXT || col->kind == INK_COL_ID) {
            col->dict = ink__dict_new();
            if (!col->dict)
                goto fail;
        }
    }
    return 1;
fail:
    ink__table_cleanup(t);
    return 0;
}

int ink__table_init_like(ink__table *t, const ink__table *like)
{
    ink__col_kind *kinds = ink__alloc_array(like->ncols, sizeof *kinds);
    const char **names = ink__alloc_array(like->ncols, sizeof *names);
    int ok = 0;
    if (kinds && names) {
        for (size_t c = 0; c < like->ncols; c++) {
            kinds[c] = like->cols[c].kind;
            names[c] = like->cols[c].name;
        }
        ok = ink__table_init(t, like->ncols, kinds, names);
        for (size_t c = 0; ok && c < like->ncols; c++)
            t->cols[c].present = like->cols[c].present;
    }
    free(kinds);
    free(names);
    return ok;
}

void ink__table_cleanup(ink__table *t)
{
    if (!t->cols)
        return;
    for (size_t c = 0; c < t->ncols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].data);
        ink__dict_free(t->cols[c].dict);
    }
    free(t->cols);
    memset(t, 0, sizeof *t);
}

int ink__table_reserve(ink__table *t, size_t rows)
{
    if (rows <= t->cap)
        return 1;
    size_t cap = t->cap ? t->cap : 1024;
    while (cap < rows) {
        if (cap > SIZE_MAX / 2)
            return 0;
        cap *= 2;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        size_t size = ink__col_elem_size(t->cols[c].kind);
        if (!size)
            continue;
        if (cap > SIZE_MAX / size)
            return 0;
        void *p = realloc(t->cols[c].data, cap * size);
        if (!p)
            return 0;
        t->cols[c].data = p;
    }
    t->cap = cap;
    return 1;
}

/* dst is empty: take src's columns instead of copying them. */
static void take_columns(ink__table *dst, ink__table *src)
{
    for (size_t c = 0; c < dst->ncols; c++) {
        ink__column *d = &dst->cols[c], *s = &src->cols[c];
        void *data = d->data;
        ink_dict *dict = d->dict;
        d->data = s->data;
        d->dict = s->dict;
        s->data = data;
        s->dict = dict;
    }
    dst->rows = src->rows;
    dst->cap = src->cap;
}

/* Appends src's column c to dst's (room for `rows` rows), then frees
 * the source column. */
static int append_column(ink__table *dst, ink__table *src, size_t c,
                         size_t rows)
{
    ink__column *d = &dst->cols[c], *s = &src->cols[c];
    size_t size = ink__col_elem_size(d->kind);
    if (d->kind == INK_COL_ID) {
        if (!ink__dict_append_all(d->dict, s->dict))
            return 0;
        ink__dict_free(s->dict);
        s->dict = NULL;
        return 1;
    }
    if (rows > dst->cap) {
        if (rows > SIZE_MAX / size)
            return 0;
        void *p = realloc(d->data, rows * size);
        if (!p)
            return 0;
        d->data = p;
    }
    if (d->kind == INK_COL_TEXT) {
        /* Map the chunk's codes to the merged dictionary's. */
        uint32_t n = ink_dict_count(s->dict);
        uint32_t *map = ink__alloc_array(n, sizeof *map);
        if (!map)
            return 0;
        map[0] = 0;
        for (uint32_t k = 1; k < n; k++) {
            size_t len;
            const char *str = ink_dict_get(s->dict, k, &len);
            map[k] = ink__dict_intern(d->dict, str, len, s->dict->hashes[k]);
            if (!map[k]) {
                free(map);
                return 0;
            }
        }
        const uint32_t *from = s->data;
        uint32_t *to = (uint32_t *)d->data + dst->rows;
        for (size_t i = 0; i < src->rows; i++)
            to[i] = map[from[i]];
        free(map);
    } else if (src->rows) {
        memcpy((char *)d->data + dst->rows * size, s->data, src->rows * size);
    }
    free(s->data);
    s->data = NULL;
    return 1;
}

typedef struct append_job {
    ink__table *dst, *src;
    size_t rows;
    atomic_size_t *next_column; /* shared: the next column to take */
    int ok;
} append_job;

static void *append_columns(void *arg)
{
    append_job *job = arg;
    for (;;) {
        size_t c = atomic_fetch_add(job->next_column, 1);
        if (c >= job->dst->ncols)
            break;
        if (!append_column(job->dst, job->src, c, job->rows))
            job->ok = 0;
    }
    return NULL;
}

int ink__table_append(ink__table *dst, ink__table *src, int threads)
{
    if (dst->rows == 0 && dst->cap == 0) {
        take_columns(dst, src);
        ink__table_cleanup(src);
        return 1;
    }
    size_t rows = dst->rows + src->rows;
    /* Columns are independent: threads take them one at a time. Each
     * source column is freed once copied, so the peak is about one
     * column more than the result, not a second table. */
    atomic_size_t next_column = 0;
    append_job main_job = {dst, src, rows, &next_column, 1};
    append_job helper_job = main_job;
    pthread_t helper;
    int started =
        threads > 1 && src->rows > 4096 &&
        pthread_create(&helper, NULL, append_columns, &helper_job) == 0;
    append_columns(&main_job);
    if (started)
        pthread_join(helper, NULL);
    if (!main_job.ok || !helper_job.ok)
        return 0;
    if (rows > dst->cap)
        dst->cap = rows;
    dst->rows = rows;
    ink__table_cleanup(src);
    return 1;
}

/* Rebuilds an ID dict so that row i is code i + 1 again. */
static int rebuild_ids(ink__column *col, size_t rows, const uint8_t *keep,
                       const uint32_t *perm)
{
    ink_dict *old = col->dict, *fresh = ink__dict_new();
    if (!fresh)
        return 0;
    /* Only an indexed dict needs its hashes again. */
    if (!old->hashes)
        ink__dict_drop_index(fresh);
    if (!ink__dict_reserve(fresh, rows + 1, old->bytes_len)) {
        ink__dict_free(fresh);
        return 0;
    }
    for (size_t i = 0; i < rows; i++) {
        uint32_t code;
        if (perm) {
            code = perm[i] + 1;
        } else {
            if (!keep[i])
                continue;
            code = (uint32_t)i + 1;
        }
        size_t len;
        const char *s = ink_dict_get(old, code, &len);
        if (!ink__dict_append(fresh, s, len,
                              old->hashes ? old->hashes[code] : 0)) {
            ink__dict_free(fresh);
            return 0;
        }
    }
    ink__dict_free(old);
    col->dict = fresh;
    return 1;
}

int ink__table_filter(ink__table *t, const uint8_t *keep)
{
    size_t kept = 0;
    for (size_t i = 0; i < t->rows; i++)
        kept += keep[i] != 0;
    for (size_t c = 0; c < t->ncols; c++) {
        ink__column *col = &t->cols[c];
        size_t size = ink__col_elem_size(col->kind);
        if (col->kind == INK_COL_ID) {
            if (!rebuild_ids(col, t->rows, keep, NULL))
                return 0;
            continue;
        }
        char *data = col->data;
        size_t out = 0;
        for (size_t i = 0; i < t->rows; i++) {
            if (!keep[i])
                continue;
            if (out != i)
                memcpy(data + out * size, data + i * size, size);
            out++;
        }
    }
    t->rows = kept;
    return 1;
}

int ink__table_permute(ink__table *t, const uint32_t *perm)
{
    size_t max = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t size = ink__col_elem_size(t->cols[c].kind);
        if (size > max)
            max = size;
    }
    char *tmp = ink__alloc_array(t->rows ? t->rows : 1, max ? max : 1);
    if (!tmp)
        return 0;
    for (size_t c = 0; c < t->ncols; c++) {
        ink__column *col = &t->cols[c];
        size_t size = ink__col_elem_size(col->kind);
        if (col->kind == INK_COL_ID) {
            if (!rebuild_ids(col, t->rows, NULL, perm)) {
                free(tmp);
                return 0;
            }
            continue;
        }
        const char *data = col->data;
        switch (size) {
        case 1:
            for (size_t i = 0; i < t->rows; i++)
                tmp[i] = data[perm[i]];
            break;
        case 2:
            for (size_t i = 0; i < t->rows; i++)
                ((int16_t *)(void *)tmp)[i] =
                    ((const int16_t *)(const void *)data)[perm[i]];
            break;
        case 4:
            for (size_t i = 0; i < t->rows; i++)
                ((uint32_t *)(void *)tmp)[i] =
                    ((const uint32_t *)(const void *)data)[perm[i]];
            break;
        case 8:
            for (size_t i = 0; i < t->rows; i++)
                ((int64_t *)(void *)tmp)[i] =
                    ((const int64_t *)(const void *)data)[perm[i]];
            break;
        default:
            for (size_t i = 0; i < t->rows; i++)
                memcpy(tmp + i * size, data + (size_t)perm[i] * size, size);
            break;
        }
        memcpy(col->data, tmp, t->rows * size);
    }
    free(tmp);
    return 1;
}

size_t ink__table_insert_scratch(const ink__table *batch)
{
    size_t max = 1, ids = 0;
    for (size_t c = 0; c < batch->ncols; c++) {
        const ink__column *col = &batch->cols[c];
        size_t size = ink__col_elem_size(col->kind);
        max = size > max ? size : max;
        if (col->kind == INK_COL_ID && col->dict) {
            size_t bytes = col->dict->offset[col->dict->count] -
                           col->dict->offset[col->dict->count > 1 ? 1 : 0];
            size_t need = batch->rows * sizeof(uint32_t) + bytes;
            ids = need > ids ? need : ids;
        }
    }
    size_t fixed = batch->rows * max;
    return (fixed > ids ? fixed : ids) + 1;
}

void ink__table_insert_sorted(ink__table *t, size_t old_rows,
                              const uint32_t *pos, void *scratch)
{
    size_t added = t->rows - old_rows;
    if (added == 0)
        return;
    char *tmp = scratch;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t size = ink__col_elem_size(t->cols[c].kind);
        if (t->cols[c].kind == INK_COL_ID) {
            ink__dict_insert_sorted(t->cols[c].dict, old_rows, pos, added,
                                    scratch);
            continue;
        }
        if (size == 0)
            continue;
        char *data = t->cols[c].data;
        memcpy(tmp, data + old_rows * size, added * size);
        size_t src_end = old_rows;
        for (size_t k = added; k-- > 0;) {
            size_t p = pos[k];
            memmove(data + (p + k + 1) * size, data + p * size,
                    (src_end - p) * size);
            memcpy(data + (p + k) * size, tmp + k * size, size);
            src_end = p;
        }
    }
}
