/* Ingest: rows of one file checked against a loaded portfolio with the
 * loader's own row checks, then appended and regrouped by case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/error.h"
#include "core/hash.h"
#include "core/mem.h"
#include "inkasso/ingest.h"
#include "inkasso/units.h"
#include "io/loader.h"

struct ink_batch {
    ink_file_kind kind;
    ink__table table;
    /* Cases: the stored row each batch row updates, or UINT32_MAX. */
    uint32_t *target;
    ink_cases cases;
    ink_text_column *case_extras;
    ink_batch_reject *rejects;
    size_t nrejects;
    char *text; /* the rejects' texts */
    ink_payments payments;
    ink_contacts contacts;
    ink_costs costs;
};

void ink_batch_free(ink_batch *b)
{
    if (!b)
        return;
    ink__table_cleanup(&b->table);
    free(b->target);
    free(b->case_extras);
    free(b->rejects);
    free(b->text);
    free(b);
}

ink_file_kind ink_batch_kind(const ink_batch *b)
{
    return b->kind;
}

size_t ink_batch_accepted(const ink_batch *b)
{
    return b->table.rows;
}

size_t ink_batch_rejected(const ink_batch *b)
{
    return b->nrejects;
}

const ink_batch_reject *ink_batch_reject_at(const ink_batch *b, size_t i)
{
    return i < b->nrejects ? &b->rejects[i] : NULL;
}

const ink_cases *ink_batch_cases(const ink_batch *b)
{
    return b->kind == INK_FILE_CASES ? &b->cases : NULL;
}

const ink_payments *ink_batch_payments(const ink_batch *b)
{
    return b->kind == INK_FILE_PAYMENTS ? &b->payments : NULL;
}

const ink_contacts *ink_batch_contacts(const ink_batch *b)
{
    return b->kind == INK_FILE_CONTACTS ? &b->contacts : NULL;
}

const ink_costs *ink_batch_costs(const ink_batch *b)
{
    return b->kind == INK_FILE_COSTS ? &b->costs : NULL;
}

#define DATA(t, c, type) ((const type *)(t)->cols[c].data)

static int bind_views(ink_batch *b)
{
    const ink__table *t = &b->table;
    switch (b->kind) {
    case INK_FILE_CASES:
        return ink__bind_cases(&b->cases, t, &b->case_extras);
    case INK_FILE_PAYMENTS:
        ink__bind_payments(&b->payments, t, NULL);
        return 1;
    case INK_FILE_CONTACTS:
        ink__bind_contacts(&b->contacts, t, NULL);
        return 1;
    default:
        ink__bind_costs(&b->costs, t, 1);
        return 1;
    }
}

/*
 * The ids a batch must not repeat. Case ids are the cases' own indexed
 * dictionary (their codes are the rows). Payment and contact ids get a
 * set of their own, in arrival order, built at the first check and kept
 * up to date by each apply: regrouping rows by case reorders the ids'
 * dictionary, and indexing millions of ids again per batch would cost
 * more than the batch.
 */
static ink_dict *stored_ids(ink_portfolio *p, ink_file_kind kind)
{
    ink_dict *ids = p->tables[kind].cols[0].dict;
    if (kind == INK_FILE_CASES)
        return ids->slots || (ink__dict_rehash(ids) &&
                              ink__dict_build_index(ids, 1, NULL))
                   ? ids
                   : NULL;
    if (p->id_set[kind])
        return p->id_set[kind];
    ink_dict *set = ink__dict_new();
    if (set) /* hashes are computed once, after the copy */
        ink__dict_drop_index(set);
    if (!set || !ink__dict_append_all(set, ids) || !ink__dict_rehash(set) ||
        !ink__dict_build_index(set, 1, NULL)) {
        ink__dict_free(set);
        return NULL;
    }
    p->id_set[kind] = set;
    return set;
}

/* Costs rows must keep one currency per segment value, stored ones too. */
static int seed_cost_currencies(const ink_portfolio *p, chunk *ch)
{
    const ink__table *t = &p->tables[INK_FILE_COSTS];
    ink_dict *mine = ch->table.cols[COST_CURRENCY].dict;
    for (size_t i = 0; i < t->rows; i++) {
        uint8_t s = DATA(t, COST_SEGMENT, uint8_t)[i];
        if (ch->segment_currency[s])
            continue;
        size_t len;
        const char *cur =
            ink_dict_get(t->cols[COST_CURRENCY].dict,
                         DATA(t, COST_CURRENCY, uint32_t)[i], &len);
        ch->segment_currency[s] =
            ink__dict_intern(mine, cur, len, ink__hash(cur, len));
        if (!ch->segment_currency[s])
            return 0;
        ch->segment_currency_line[s] = DATA(t, COST_LINE, uint32_t)[i];
    }
    return 1;
}

/* Moves the chunk's rejects into the batch, their texts copied. */
static int keep_rejects(ink_batch *b, const chunk *ch, const reject_row *extra,
                        size_t nextra, const char *extra_text)
{
    size_t n = ch->nrejects + nextra;
    b->rejects = ink__calloc_array(n, sizeof *b->rejects);
    size_t bytes = ch->text_len;
    for (size_t i = 0; i < nextra; i++)
        bytes += extra[i].field_len + extra[i].msg_len + 2;
    b->text = ink__alloc_array(bytes ? bytes : 1, 1);
    if (!b->rejects || !b->text)
        return 0;
    if (ch->text_len)
        memcpy(b->text, ch->text, ch->text_len);
    for (size_t i = 0; i < ch->nrejects; i++) {
        const reject_row *r = &ch->rejects[i];
        b->rejects[i] =
            (ink_batch_reject){r->line, r->column, b->text + r->field_off,
                               r->reason, b->text + r->msg_off};
    }
    size_t off = ch->text_len;
    for (size_t i = 0; i < nextra; i++) {
        const reject_row *r = &extra[i];
        char *field = b->text + off;
        memcpy(field, extra_text + r->field_off, r->field_len + 1);
        off += r->field_len + 1;
        char *msg = b->text + off;
        memcpy(msg, extra_text + r->msg_off, r->msg_len + 1);
        off += r->msg_len + 1;
        b->rejects[ch->nrejects + i] =
            (ink_batch_reject){r->line, r->column, field, r->reason, msg};
    }
    b->nrejects = n;
    return 1;
}

static int by_line(const void *a, const void *b)
{
    const ink_batch_reject *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

/* A case row may update stored case row s when it keeps its currency
 * and opened_on (its payments and contacts were checked against them). */
static int update_allowed(const ink_portfolio *p, const ink_batch *b, size_t i,
                          uint32_t s, ink_reason *reason, char *msg, size_t cap)
{
    const ink__table *stored = &p->tables[INK_FILE_CASES], *t = &b->table;
    const char *have =
        ink_dict_get(stored->cols[CASE_CURRENCY].dict,
                     DATA(stored, CASE_CURRENCY, uint32_t)[s], NULL);
    const char *want = ink_dict_get(t->cols[CASE_CURRENCY].dict,
                                    DATA(t, CASE_CURRENCY, uint32_t)[i], NULL);
    if (strcmp(have, want) != 0) {
        *reason = INK_REASON_CURRENCY_MISMATCH;
        snprintf(msg, cap,
                 "expected %s, the stored case's currency, got \"%s\"", have,
                 want);
        return 0;
    }
    int32_t was = DATA(stored, CASE_OPENED, int32_t)[s];
    if (DATA(t, CASE_OPENED, int32_t)[i] != was) {
        char d[INK_DATE_TEXT_MAX];
        ink_format_date(was, d, sizeof d);
        *reason = INK_REASON_BAD_VALUE;
        snprintf(msg, cap, "expected %s, the stored case's opened_on", d);
        return 0;
    }
    return 1;
}

/*
 * Drops batch rows whose id repeats an earlier row of the batch, or is
 * stored already (for cases: an update, unless it changes the currency
 * or opened_on), and lists them as rejects.
 */
static ink_status drop_duplicates(ink_portfolio *p, ink_batch *b, chunk *ch)
{
    ink__table *t = &b->table;
    ink_dict *stored = stored_ids(p, b->kind);
    ink_dict *ids = t->cols[0].dict;
    const char *name = ink__file_specs[b->kind].fields[0].name;
    uint32_t position = (uint32_t)ch->fc->pos[0] + 1;
    const uint32_t *line =
        DATA(t, ink__file_specs[b->kind].ncols - 1, uint32_t);
    uint32_t *dup_of = ink__calloc_array(ink_dict_count(ids), sizeof *dup_of);
    uint8_t *keep = ink__alloc_array(t->rows ? t->rows : 1, 1);
    reject_row *extra = ink__calloc_array(t->rows ? t->rows : 1, sizeof *extra);
    char *text = NULL;
    size_t text_len = 0, text_cap = 0, nextra = 0;
    ink_status st = INK_NOMEM;
    if (!dup_of || !keep || !extra || !stored || !ink__dict_rehash(ids) ||
        !ink__dict_build_index(ids, 1, dup_of))
        goto done;
    if (b->kind == INK_FILE_CASES) {
        b->target = ink__alloc_array(t->rows ? t->rows : 1, sizeof *b->target);
        if (!b->target)
            goto done;
    }
    for (size_t i = 0; i < t->rows; i++) {
        size_t len;
        const char *id = ink_dict_get(ids, (uint32_t)i + 1, &len);
        char v[200], msg[512];
        ink_reason reason = INK_REASON_DUPLICATE_ID;
        uint32_t stored_code = ink_dict_find(stored, id, len);
        keep[i] = 1;
        if (b->target)
            b->target[i] = UINT32_MAX;
        ink__quote_value(v, sizeof v, id, len);
        if (dup_of[i + 1]) {
            snprintf(msg, sizeof msg, "duplicate %s %s (first on line %u)",
                     name, v, (unsigned)line[dup_of[i + 1] - 1]);
        } else if (stored_code && b->target) {
            if (update_allowed(p, b, i, stored_code - 1, &reason, msg,
                               sizeof msg)) {
                b->target[i] = stored_code - 1;
                continue;
            }
        } else if (stored_code) {
            snprintf(msg, sizeof msg, "duplicate %s %s (already stored)", name,
                     v);
        } else {
            continue;
        }
        keep[i] = 0;
        size_t nlen = strlen(name), mlen = strlen(msg);
        if (!ink__reserve((void **)&text, &text_cap, text_len + nlen + mlen + 2,
                          1))
            goto done;
        extra[nextra] = (reject_row){b->kind, line[i],  (int32_t)position,
                                     reason,  text_len, text_len + nlen + 1,
                                     0,       nlen,     mlen,
                                     0};
        memcpy(text + text_len, name, nlen + 1);
        memcpy(text + text_len + nlen + 1, msg, mlen + 1);
        text_len += nlen + mlen + 2;
        nextra++;
    }
    if (!keep_rejects(b, ch, extra, nextra, text))
        goto done;
    qsort(b->rejects, b->nrejects, sizeof *b->rejects, by_line);
    if (nextra && b->target) {
        size_t k = 0;
        for (size_t i = 0; i < t->rows; i++)
            if (keep[i])
                b->target[k++] = b->target[i];
    }
    if (nextra && !ink__table_filter(t, keep))
        goto done;
    st = INK_OK;
done:
    free(dup_of);
    free(keep);
    free(extra);
    free(text);
    return st;
}

/* Cases rows take the portfolio's columns, so that they can join its
 * table: its extra columns, found by name in the batch's header (null
 * when absent); the batch's other extra columns are ignored. */
static ink_status case_layout(const ink_portfolio *p, file_ctx *fc)
{
    const ink__table *t = &p->tables[INK_FILE_CASES];
    size_t extras = t->ncols - CASE_NCOLS;
    uint32_t *pos = ink__alloc_array(extras ? extras : 1, sizeof *pos);
    fc->ncols = t->ncols;
    fc->kinds = ink__alloc_array(t->ncols, sizeof *fc->kinds);
    fc->col_names = ink__alloc_array(t->ncols, sizeof *fc->col_names);
    if (!pos || !fc->kinds || !fc->col_names) {
        free(pos);
        return INK_NOMEM;
    }
    for (size_t c = 0; c < t->ncols; c++) {
        fc->kinds[c] = t->cols[c].kind;
        fc->col_names[c] = t->cols[c].name;
    }
    for (size_t x = 0; x < extras; x++) {
        pos[x] = UINT32_MAX;
        for (uint32_t i = 0; i < fc->header_fields; i++)
            if (strcmp(fc->header_names[i], t->cols[CASE_NCOLS + x].name) == 0)
                pos[x] = i;
    }
    free(fc->extra_pos);
    fc->extra_pos = pos;
    fc->nextras = extras;
    return INK_OK;
}

ink_status ink_batch_check(ink_portfolio *p, ink_file_kind kind,
                           const char *csv, size_t len, ink_batch **out,
                           ink_error *err)
{
    *out = NULL;
    if ((unsigned)kind >= INK_FILE_COUNT)
        return ink__error_set(err, INK_USAGE, NULL, "no such file kind");
    ink_batch *b = calloc(1, sizeof *b);
    if (!b)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    b->kind = kind;
    file_ctx fc = {0};
    fc.kind = kind;
    fc.name = ink_file_name(kind);
    fc.spec = &ink__file_specs[kind];
    fc.lenient = 1; /* every row is answered for, none stops the batch */
    fc.cases = &p->tables[INK_FILE_CASES];
    chunk ch;
    memset(&ch, 0, sizeof ch);
    ink_csv_reader reader;
    ink__csv_init(&reader, csv, csv + len, 1);
    ink_status st = ink__read_header(&fc, &reader, err);
    ink__csv_cleanup(&reader);
    if (st == INK_OK)
        st = kind == INK_FILE_CASES ? case_layout(p, &fc)
                                    : ink__table_layout(&fc);
    if (st == INK_OK &&
        (!ink__table_init(&ch.table, fc.ncols, fc.kinds, fc.col_names) ||
         !ink__table_init(&b->table, fc.ncols, fc.kinds, fc.col_names)))
        st = INK_NOMEM;
    if (st == INK_OK) {
        ink__mark_present(&ch.table, &fc);
        ch.fc = &fc;
        ch.last_case_len = SIZE_MAX;
        ch.begin = reader.pos;
        ch.end = csv + len;
        ch.first_line = reader.line;
        if (kind == INK_FILE_COSTS && !seed_cost_currencies(p, &ch))
            st = INK_NOMEM;
    }
    if (st == INK_OK) {
        ink__parse_chunk(&ch);
        st = ch.status;
    }
    if (st == INK_OK && !ink__table_append(&b->table, &ch.table, 1))
        st = INK_NOMEM;
    if (st == INK_OK && kind != INK_FILE_COSTS)
        st = drop_duplicates(p, b, &ch);
    else if (st == INK_OK && !keep_rejects(b, &ch, NULL, 0, NULL))
        st = INK_NOMEM;
    ink__chunk_cleanup(&ch);
    ink__file_ctx_cleanup(&fc);
    if (st != INK_OK) {
        if (st == INK_NOMEM)
            ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        ink_batch_free(b);
        return st;
    }
    if (!bind_views(b)) {
        ink_batch_free(b);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    *out = b;
    return INK_OK;
}

/* Copies batch row i over stored case row s (all but the id and line). */
static int update_case(ink__table *t, const ink__table *bt, size_t i,
                       uint32_t s)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c == CASE_ID || c == CASE_LINE)
            continue;
        ink__column *to = &t->cols[c];
        const ink__column *from = &bt->cols[c];
        if (to->kind == INK_COL_TEXT) {
            uint32_t code = ((const uint32_t *)from->data)[i];
            size_t len;
            const char *v = ink_dict_get(from->dict, code, &len);
            uint32_t mine =
                v ? ink__dict_intern(to->dict, v, len, ink__hash(v, len)) : 0;
            if (v && !mine)
                return 0;
            ((uint32_t *)to->data)[s] = mine;
            continue;
        }
        size_t size = ink__col_elem_size(to->kind);
        memcpy((char *)to->data + s * size, (const char *)from->data + i * size,
               size);
    }
    return 1;
}

/* Grows a by-case offset array to cases + 1 entries: new cases have no
 * rows yet. */
static int grow_offsets(uint32_t **offset, size_t old_cases, size_t cases)
{
    uint32_t *o = ink__realloc_array(*offset, cases + 1, sizeof *o);
    if (!o)
        return 0;
    for (size_t c = old_cases + 1; c <= cases; c++)
        o[c] = o[old_cases];
    *offset = o;
    return 1;
}

static ink_status apply_cases_in(ink_portfolio *p, ink_batch *b, ink_error *err)
{
    ink__table *t = &p->tables[INK_FILE_CASES], *bt = &b->table;
    size_t old_cases = t->rows, added = 0;
    for (size_t i = 0; i < bt->rows; i++)
        added += b->target[i] == UINT32_MAX;
    /* The by-case offsets take their room first: a later failure must
     * not leave more cases than offsets. */
    if (!grow_offsets(&p->payment_offset, old_cases, old_cases + added) ||
        !grow_offsets(&p->contact_offset, old_cases, old_cases + added))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    uint8_t *keep = ink__alloc_array(bt->rows ? bt->rows : 1, 1);
    if (!keep)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    p->generation++;
    p->case_batches++;
    /* The latest date follows the batch's dates, unless an update moves
     * a date that was the latest (back, perhaps): then every row again. */
    int32_t latest = p->latest_date;
    int rescan = 0;
    const int32_t *opened = DATA(bt, CASE_OPENED, int32_t);
    const int32_t *closed = DATA(bt, CASE_CLOSED, int32_t);
    for (size_t i = 0; i < bt->rows; i++) {
        keep[i] = b->target[i] == UINT32_MAX;
        if (!keep[i]) {
            uint32_t s = b->target[i];
            rescan |= DATA(t, CASE_OPENED, int32_t)[s] == p->latest_date ||
                      DATA(t, CASE_CLOSED, int32_t)[s] == p->latest_date;
        }
        if (!keep[i] && (!ink__portfolio_cases_changed(p, &b->target[i], 1) ||
                         !update_case(t, bt, i, b->target[i]))) {
            free(keep);
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        }
        latest = opened[i] > latest ? opened[i] : latest;
        latest = closed[i] > latest ? closed[i] : latest;
    }
    int ok = ink__table_filter(bt, keep);
    free(keep);
    /* New cases join the table; their ids get the index back, since
     * payments and contacts look cases up by id. */
    ink__dict_drop_index(t->cols[CASE_ID].dict);
    ok = ok && ink__table_append(t, bt, 1);
    if (ok)
        memset(bt, 0, sizeof *bt); /* its rows are the portfolio's now */
    ok = ok && ink__dict_rehash(t->cols[CASE_ID].dict) &&
         ink__dict_build_index(t->cols[CASE_ID].dict, 1, NULL) &&
         ink__portfolio_bind(p);
    if (!ok)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    p->latest_date = rescan ? ink__latest_date(p) : latest;
    return INK_OK;
}

/* Batch rows in the order grouping gives: by case, date and time, and
 * batch order among equals. */
typedef struct row_order {
    const uint32_t *case_index;
    const int32_t *date, *seconds;
} row_order;

static int by_case_and_time(const void *x, const void *y, void *arg)
{
    const row_order *o = arg;
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    if (o->case_index[a] != o->case_index[b])
        return o->case_index[a] < o->case_index[b] ? -1 : 1;
    if (o->date[a] != o->date[b])
        return o->date[a] < o->date[b] ? -1 : 1;
    if (o->seconds && o->seconds[a] != o->seconds[b])
        return o->seconds[a] < o->seconds[b] ? -1 : 1;
    return (a > b) - (a < b);
}

/*
 * Appends the batch bt to t, which is grouped by case (offset), and puts
 * each new row after the case's rows that are not later, as loading the
 * files with the rows appended would: the same order as regrouping the
 * whole table, for the cost of moving the rows after the first insertion
 * instead of reordering every row. The offsets are moved along.
 */
static ink_status merge_by_case(ink__table *t, ink__table *bt, uint32_t *offset,
                                size_t cases, int case_col, int date_col,
                                int seconds_col)
{
    size_t added = bt->rows, old_rows = t->rows;
    uint32_t *order = ink__alloc_array(added, sizeof *order);
    uint32_t *pos = ink__alloc_array(added, sizeof *pos);
    uint32_t *new_case = ink__alloc_array(added, sizeof *new_case);
    void *scratch = ink__alloc_array(ink__table_insert_scratch(bt), 1);
    ink_status st = INK_NOMEM;
    if (!order || !pos || !new_case || !scratch)
        goto done;
    row_order o = {bt->cols[case_col].data, bt->cols[date_col].data,
                   seconds_col >= 0 ? bt->cols[seconds_col].data : NULL};
    for (size_t i = 0; i < added; i++)
        order[i] = (uint32_t)i;
    qsort_r(order, added, sizeof *order, by_case_and_time, &o);
    if (!ink__table_permute(bt, order) || !ink__table_append(t, bt, 1))
        goto done;
    memset(bt, 0, sizeof *bt); /* its rows are the portfolio's now */
    const uint32_t *case_index = t->cols[case_col].data;
    const int32_t *date = t->cols[date_col].data;
    const int32_t *seconds =
        seconds_col >= 0 ? t->cols[seconds_col].data : NULL;
    for (size_t k = 0; k < added; k++) {
        size_t r = old_rows + k;
        uint32_t c = case_index[r];
        new_case[k] = c;
        /* After the case's last row that is not later than this one. */
        uint32_t j = offset[c + 1];
        while (j > offset[c] &&
               (date[j - 1] > date[r] || (date[j - 1] == date[r] && seconds &&
                                          seconds[j - 1] > seconds[r])))
            j--;
        pos[k] = j;
    }
    ink__table_insert_sorted(t, old_rows, pos, scratch);
    size_t before = 0, k = 0;
    for (size_t c = 0; c <= cases; c++) {
        while (k < added && new_case[k] < c) {
            before++;
            k++;
        }
        offset[c] += (uint32_t)before;
    }
    st = INK_OK;
done:
    free(order);
    free(pos);
    free(new_case);
    free(scratch);
    return st;
}

/* Cases in, and on any failure views that follow the tables and offsets
 * as they are now (an array may have moved), with the facts to rebuild. */
static ink_status apply_cases(ink_portfolio *p, ink_batch *b, ink_error *err)
{
    ink_status st = apply_cases_in(p, b, err);
    if (st != INK_OK) {
        ink__portfolio_bind(p);
        ink__portfolio_all_changed(p);
    }
    return st;
}

ink_status ink_portfolio_apply(ink_portfolio *p, ink_batch *b, ink_error *err)
{
    if (b->table.rows == 0)
        return INK_OK; /* nothing accepted: nothing to regroup */
    if (b->kind == INK_FILE_CASES)
        return apply_cases(p, b, err);
    ink__table *t = &p->tables[b->kind];
    size_t cases = p->tables[INK_FILE_CASES].rows;
    /* New events can only move the latest date forward. */
    int32_t latest = INK_DATE_NONE;
    const int32_t *dates =
        b->kind == INK_FILE_PAYMENTS   ? DATA(&b->table, PAY_DATE, int32_t)
        : b->kind == INK_FILE_CONTACTS ? DATA(&b->table, CON_DATE, int32_t)
                                       : NULL;
    for (size_t i = 0; dates && i < b->table.rows; i++)
        latest = dates[i] > latest ? dates[i] : latest;
    /* The cases whose facts the KPI engine keeps must be looked at again. */
    p->generation++;
    const uint32_t *case_of =
        b->kind == INK_FILE_PAYMENTS   ? DATA(&b->table, PAY_CASE, uint32_t)
        : b->kind == INK_FILE_CONTACTS ? DATA(&b->table, CON_CASE, uint32_t)
                                       : NULL;
    if (case_of && !ink__portfolio_cases_changed(p, case_of, b->table.rows))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    p->payment_batches += b->kind == INK_FILE_PAYMENTS;
    if (b->kind == INK_FILE_CONTACTS &&
        !ink__portfolio_contacts_added(
            p, case_of, dates, DATA(&b->table, CON_DIRECTION, uint8_t),
            DATA(&b->table, CON_AUTOMATED, uint8_t), b->table.rows))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (b->kind == INK_FILE_PAYMENTS &&
        !ink__portfolio_payments_added(p, case_of, dates,
                                       DATA(&b->table, PAY_AMOUNT, int64_t),
                                       b->table.rows))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    /* The batch's ids join the set of stored ids (when it exists). */
    ink_dict *set = p->id_set[b->kind];
    for (size_t i = 0; set && i < b->table.rows; i++) {
        size_t len;
        const char *id =
            ink_dict_get(b->table.cols[0].dict, (uint32_t)i + 1, &len);
        if (!ink__dict_intern(set, id, len, ink__hash(id, len))) {
            /* p is unchanged so far; the partial set is built again. */
            ink__dict_free(set);
            p->id_set[b->kind] = NULL;
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        }
    }
    /* The stored ids' index goes: the rows are about to move. (Costs
     * rows have no id.) */
    if (b->kind != INK_FILE_COSTS) {
        ink__dict_drop_index(t->cols[0].dict);
        ink__dict_drop_index(b->table.cols[0].dict);
    }
    ink_status st = INK_OK;
    if (b->kind == INK_FILE_COSTS) {
        if (!ink__table_append(t, &b->table, 1))
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        memset(&b->table, 0, sizeof b->table);
        p->stats[INK_FILE_COSTS].present = 1;
        for (size_t c = 0; c < t->ncols; c++)
            t->cols[c].present = 1;
    } else if (b->kind == INK_FILE_PAYMENTS) {
        st = merge_by_case(t, &b->table, p->payment_offset, cases, PAY_CASE,
                           PAY_DATE, -1);
    } else {
        st = merge_by_case(t, &b->table, p->contact_offset, cases, CON_CASE,
                           CON_DATE, CON_SECONDS);
    }
    if (st == INK_OK && b->kind != INK_FILE_COSTS)
        p->latest_date = latest > p->latest_date ? latest : p->latest_date;
    /* Views follow the tables whatever happened: columns may have moved. */
    if (!ink__portfolio_bind(p))
        st = INK_NOMEM;
    if (st != INK_OK) {
        /* The set may name ids whose rows did not go in: build it again
         * from the stored rows when next needed. */
        if (b->kind != INK_FILE_COSTS) {
            ink__dict_free(p->id_set[b->kind]);
            p->id_set[b->kind] = NULL;
        }
        ink__portfolio_all_changed(p);
        return ink__error_set(err, st, NULL, "out of memory");
    }
    return INK_OK;
}
