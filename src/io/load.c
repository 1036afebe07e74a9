/* Loads the four CSV files of the data contract into column tables. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "inkasso/units.h"
#include "io/csv.h"
#include "io/loader.h"
#include "io/rejects.h"

#define MAX_THREADS 16
/* Below this size one thread parses a file: splitting costs more. */
#define PARALLEL_MIN_BYTES (4u << 20)
/* Mapped pages already parsed are dropped from RSS every this many bytes. */
#define RELEASE_STEP (8u << 20)

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------------- */
/* Chunks                                                           */

static void release_pages(chunk *ch, const char *upto, const char **released)
{
    if (!ch->release_pages)
        return;
    long page = sysconf(_SC_PAGESIZE);
    uintptr_t from = (uintptr_t)*released, to = (uintptr_t)upto;
    from = (from + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    to &= ~((uintptr_t)page - 1);
    if (to > from + RELEASE_STEP / 2) {
        /* Parsed bytes are never read again; dropping the mapping keeps
         * RSS near the size of the columns, not of the files. */
        madvise((void *)from, to - from, MADV_DONTNEED);
        *released = (const char *)to;
    }
}

void *ink__parse_chunk(void *arg)
{
    chunk *ch = arg;
    ink_csv_reader reader;
    ink_csv_record *rec = malloc(sizeof *rec);
    if (!rec) {
        ch->status = INK_NOMEM;
        return NULL;
    }
    ink__csv_init(&reader, ch->begin, ch->end, ch->first_line);
    row_fn *parse_row = ink__row_parsers[ch->fc->kind];
    const char *released = ch->begin, *next_release = ch->begin + RELEASE_STEP;
    uint32_t header_fields = ch->fc->header_fields;
    for (;;) {
        if (!ink__table_reserve(&ch->table, ch->table.rows + 1)) {
            ch->status = INK_NOMEM;
            break;
        }
        ink_csv_result res = ink__csv_next(&reader, rec);
        if (res == INK_CSV_END)
            break;
        if (res == INK_CSV_NOMEM) {
            ch->status = INK_NOMEM;
            break;
        }
        ch->read++;
        if (res < 0) {
            ch->syntax_error |= res == INK_CSV_SYNTAX;
            ink__row_fail(ch, rec, rec->error_field, NULL,
                          res == INK_CSV_SYNTAX ? INK_REASON_CSV_SYNTAX
                                                : INK_REASON_TOO_LONG,
                          "%s", rec->error);
        } else if (rec->count != header_fields) {
            uint32_t position =
                rec->count < header_fields ? rec->count + 1 : header_fields + 1;
            ink__row_fail(ch, rec, position, NULL, INK_REASON_FIELD_COUNT,
                          "expected %u fields like the header, got %u",
                          (unsigned)header_fields, (unsigned)rec->count);
        } else {
            parse_row(ch, rec);
        }
        if (ch->failed || ch->status != INK_OK)
            break;
        if (reader.pos >= next_release) {
            release_pages(ch, reader.pos, &released);
            next_release = reader.pos + RELEASE_STEP;
            if (ch->opt && ch->opt->progress)
                ch->opt->progress(ch->opt->progress_ctx, ch->fc->kind,
                                  (uint64_t)(reader.pos - ch->begin),
                                  ch->progress_total);
        }
    }
    ch->lines = reader.line - ch->first_line;
    ink__csv_cleanup(&reader);
    free(rec);
    return NULL;
}

void ink__chunk_cleanup(chunk *ch)
{
    ink__table_cleanup(&ch->table);
    free(ch->rejects);
    free(ch->text);
    ch->rejects = NULL;
    ch->text = NULL;
}

/* ---------------------------------------------------------------- */
/* Files                                                            */

typedef struct mapped {
    const char *data;
    size_t size;
    int mmapped;
} mapped;

/* Maps path; *absent is set (and INK_OK returned) when it does not exist. */
static ink_status map_file(const char *path, const char *name, mapped *m,
                           int *absent, ink_error *err)
{
    memset(m, 0, sizeof *m);
    *absent = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) {
            *absent = 1;
            return INK_OK;
        }
        ink__error_set(err, INK_IO, name, "cannot open %s: %s", path,
                       strerror(errno));
        return INK_IO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ink__error_set(err, INK_IO, name, "%s is not a regular file", path);
        close(fd);
        return INK_IO;
    }
    m->size = (size_t)st.st_size;
    if (m->size == 0) {
        close(fd);
        m->data = "";
        return INK_OK;
    }
    void *p = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED) {
        ink__error_set(err, INK_IO, name, "cannot map %s: %s", path,
                       strerror(errno));
        return INK_IO;
    }
    madvise(p, m->size, MADV_SEQUENTIAL);
    m->data = p;
    m->mmapped = 1;
    return INK_OK;
}

static void unmap_file(mapped *m)
{
    if (m->mmapped)
        munmap((void *)m->data, m->size);
    memset(m, 0, sizeof *m);
}

void ink__file_ctx_cleanup(file_ctx *fc)
{
    if (fc->header_names) {
        for (uint32_t i = 0; i < fc->header_fields; i++)
            free(fc->header_names[i]);
        free(fc->header_names);
    }
    free(fc->extra_pos);
    free(fc->kinds);
    free(fc->col_names);
    memset(fc, 0, sizeof *fc);
}

/* Reads the header: positions of the contract's columns and extras. */
ink_status ink__read_header(file_ctx *fc, ink_csv_reader *reader,
                            ink_error *err)
{
    ink_csv_record *rec = malloc(sizeof *rec);
    if (!rec)
        return INK_NOMEM;
    ink_status st = INK_OK;
    ink_csv_result res = ink__csv_next(reader, rec);
    if (res == INK_CSV_END) {
        ink__error_set(err, INK_DATA, fc->name,
                       "empty file: expected a header line");
        st = INK_DATA;
        goto done;
    }
    if (res < 0) {
        ink__error_set(err, INK_DATA, fc->name, "header: %s",
                       res == INK_CSV_NOMEM ? "out of memory" : rec->error);
        err->line = rec->line;
        err->column = (int32_t)rec->error_field;
        st = res == INK_CSV_NOMEM ? INK_NOMEM : INK_DATA;
        goto done;
    }
    /* A BOM is only ever at the very start of the first name. */
    if (rec->len[0] >= 3 && memcmp(rec->field[0], "\xEF\xBB\xBF", 3) == 0) {
        rec->field[0] += 3;
        rec->len[0] -= 3;
    }
    const file_spec *spec = fc->spec;
    for (size_t s = 0; s < MAX_SPECS; s++)
        fc->pos[s] = -1;
    fc->header_fields = rec->count;
    fc->header_names = ink__calloc_array(rec->count, sizeof(char *));
    fc->extra_pos = ink__alloc_array(rec->count, sizeof *fc->extra_pos);
    if (!fc->header_names || !fc->extra_pos) {
        st = INK_NOMEM;
        goto done;
    }
    for (uint32_t i = 0; i < rec->count; i++) {
        fc->header_names[i] = strndup(rec->field[i], rec->len[i]);
        if (!fc->header_names[i]) {
            st = INK_NOMEM;
            goto done;
        }
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(fc->header_names[i], fc->header_names[j]) == 0) {
                char name[200];
                ink__quote_value(name, sizeof name, rec->field[i], rec->len[i]);
                ink__error_set(err, INK_DATA, fc->name,
                               "duplicate column %s (also column %u)", name,
                               (unsigned)j + 1);
                err->line = rec->line;
                err->column = (int32_t)i + 1;
                st = INK_DATA;
                goto done;
            }
        }
        int known = 0;
        for (size_t s = 0; s < spec->nfields; s++) {
            if (strcmp(fc->header_names[i], spec->fields[s].name) == 0) {
                fc->pos[s] = (int)i;
                known = 1;
            }
        }
        if (!known && fc->kind == INK_FILE_CASES)
            fc->extra_pos[fc->nextras++] = i;
    }
    for (size_t s = 0; s < spec->nfields; s++) {
        if (spec->fields[s].required && fc->pos[s] < 0) {
            ink__error_set(err, INK_DATA, fc->name,
                           "missing required column \"%s\"",
                           spec->fields[s].name);
            err->line = rec->line;
            st = INK_DATA;
            goto done;
        }
    }
done:
    free(rec);
    return st;
}

/* The table layout of a file: its fixed columns, then cases.csv extras. */
ink_status ink__table_layout(file_ctx *fc)
{
    static const ink__col_kind *const kinds[INK_FILE_COUNT] = {
        ink__case_kinds, ink__pay_kinds, ink__con_kinds, ink__cost_kinds};
    static const char *const *const names[INK_FILE_COUNT] = {
        ink__case_names, ink__pay_names, ink__con_names, ink__cost_names};
    size_t fixed = fc->spec->ncols;
    fc->ncols = fixed + fc->nextras;
    fc->kinds = ink__alloc_array(fc->ncols, sizeof *fc->kinds);
    fc->col_names = ink__alloc_array(fc->ncols, sizeof *fc->col_names);
    if (!fc->kinds || !fc->col_names)
        return INK_NOMEM;
    for (size_t c = 0; c < fixed; c++) {
        fc->kinds[c] = kinds[fc->kind][c];
        fc->col_names[c] = names[fc->kind][c];
    }
    for (size_t x = 0; x < fc->nextras; x++) {
        fc->kinds[fixed + x] = INK_COL_TEXT;
        fc->col_names[fixed + x] = fc->header_names[fc->extra_pos[x]];
    }
    return INK_OK;
}

int ink__mark_present(ink__table *t, const file_ctx *fc)
{
    /* Column c of the fixed layout is present when its field is; the
     * derived columns (line, seconds, offset) always are. */
    for (size_t c = 0; c < t->ncols; c++)
        t->cols[c].present = 1;
    if (fc->kind == INK_FILE_CASES)
        for (size_t s = 0; s < fc->spec->nfields; s++)
            t->cols[s].present = fc->pos[s] >= 0;
    if (fc->kind == INK_FILE_PAYMENTS)
        t->cols[PAY_METHOD].present = fc->pos[PF_METHOD] >= 0;
    if (fc->kind == INK_FILE_CONTACTS) {
        t->cols[CON_AGENT].present = fc->pos[CF_AGENT] >= 0;
        t->cols[CON_AUTOMATED].present = fc->pos[CF_AUTOMATED] >= 0;
        t->cols[CON_COST].present = fc->pos[CF_COST] >= 0;
    }
    if (fc->kind == INK_FILE_COSTS)
        t->cols[COST_SEGMENT].present = fc->pos[KF_SEGMENT] >= 0;
    return 1;
}

/* ---------------------------------------------------------------- */
/* Loading one file                                                 */

typedef struct load_state {
    const ink_load_options *opt;
    int threads;
    /* Every rejected row of every file, with its texts. */
    reject_row *rejects;
    size_t nrejects, rejects_cap;
    char *text;
    size_t text_len, text_cap;
} load_state;

static int keep_rejects(load_state *ls, chunk *ch, int64_t line_offset)
{
    for (size_t i = 0; i < ch->nrejects; i++) {
        reject_row r = ch->rejects[i];
        size_t base = ls->text_len;
        r.line += line_offset;
        r.field_off += base;
        r.msg_off += base;
        r.raw_off += base;
        if (!ink__reserve((void **)&ls->rejects, &ls->rejects_cap,
                          ls->nrejects + 1, sizeof *ls->rejects))
            return 0;
        ls->rejects[ls->nrejects++] = r;
    }
    if (ch->text_len) {
        if (!ink__reserve((void **)&ls->text, &ls->text_cap,
                          ls->text_len + ch->text_len, 1))
            return 0;
        memcpy(ls->text + ls->text_len, ch->text, ch->text_len);
        ls->text_len += ch->text_len;
    }
    return 1;
}

/* Splits [begin, end) into up to n chunks at record starts, using quote
 * parity, so that each can be parsed on its own. Returns the count. */
static size_t split_chunks(const char *begin, const char *end, size_t n,
                           size_t min_bytes, const char **starts)
{
    size_t size = (size_t)(end - begin);
    if (n <= 1 || size < min_bytes || size < n) {
        starts[0] = begin;
        starts[1] = end;
        return 1;
    }
    size_t parity = 0, count = 1;
    starts[0] = begin;
    const char *prev = begin;
    for (size_t k = 1; k < n; k++) {
        const char *cut = begin + size / n * k;
        if (cut <= starts[count - 1])
            continue;
        parity += ink__csv_count_quotes(prev, cut);
        prev = cut;
        const char *start = ink__csv_record_start(cut, end, (int)(parity & 1));
        if (start <= starts[count - 1] || start >= end)
            continue;
        /* Quotes between cut and start shift parity for the next cut. */
        parity += ink__csv_count_quotes(cut, start);
        prev = start;
        starts[count++] = start;
    }
    starts[count] = end;
    return count;
}

/* Parses the records of one file (after its header) into dst. */
static ink_status parse_records(load_state *ls, file_ctx *fc, mapped *m,
                                const char *body, int64_t body_line,
                                ink__table *dst, ink_file_stats *stats,
                                ink_error *err)
{
    const char *end = m->data + m->size;
    const char *starts[MAX_THREADS + 1];
    size_t min_bytes = ls->opt->parallel_min_bytes ? ls->opt->parallel_min_bytes
                                                   : PARALLEL_MIN_BYTES;
    /* costs.csv checks currencies across rows in order: one chunk. */
    size_t threads = fc->kind == INK_FILE_COSTS ? 1 : (size_t)ls->threads;
    size_t nchunks = split_chunks(body, end, threads, min_bytes, starts);
    size_t nchunks_parsed = nchunks;
    chunk chunks[MAX_THREADS];
    ink_status st = INK_OK;
    int retried = 0;
again:
    memset(chunks, 0, sizeof chunks);
    for (size_t k = 0; k < nchunks; k++) {
        chunk *ch = &chunks[k];
        ch->fc = fc;
        ch->last_case_len = SIZE_MAX;
        ch->begin = starts[k];
        ch->end = starts[k + 1];
        ch->release_pages = m->mmapped;
        /* Chunk 0 counts lines from the body's; the others from 0, and
         * are shifted once the lines before them are known. */
        ch->first_line = k == 0 ? body_line : 0;
        if (k == 0) {
            ch->opt = ls->opt;
            ch->progress_total = (uint64_t)(starts[1] - starts[0]);
        }
        if (!ink__table_init(&ch->table, fc->ncols, fc->kinds, fc->col_names)) {
            nchunks = nchunks_parsed = k;
            st = INK_NOMEM;
            goto out;
        }
        if (fc->kind == INK_FILE_PAYMENTS || fc->kind == INK_FILE_CONTACTS)
            ink__dict_drop_index(ch->table.cols[0].dict);
    }
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    double t0 = now_seconds();
    for (size_t k = 1; k < nchunks; k++)
        started[k] =
            pthread_create(&tids[k], NULL, ink__parse_chunk, &chunks[k]) == 0;
    ink__parse_chunk(&chunks[0]);
    for (size_t k = 1; k < nchunks; k++) {
        if (started[k])
            pthread_join(tids[k], NULL);
        else
            ink__parse_chunk(&chunks[k]);
    }
    stats->parse_seconds += now_seconds() - t0;
    for (size_t k = 0; k < nchunks; k++) {
        if (chunks[k].status != INK_OK) {
            st = chunks[k].status;
            goto out;
        }
    }
    if (nchunks > 1) {
        /* A quoting error means the parity split may have cut inside a
         * field: parse again in one piece so every line is exact. */
        int broken = 0;
        for (size_t k = 0; k < nchunks; k++)
            broken |= chunks[k].syntax_error;
        if (broken && !retried) {
            for (size_t k = 0; k < nchunks; k++)
                ink__chunk_cleanup(&chunks[k]);
            nchunks = nchunks_parsed = 1;
            starts[1] = end;
            retried = 1;
            goto again;
        }
    }
    /* Chunks after the first counted lines from 0. */
    int64_t next_line = body_line;
    for (size_t k = 0; k < nchunks; k++) {
        chunk *ch = &chunks[k];
        int64_t line_offset = k == 0 ? 0 : next_line;
        uint32_t *line = COL(&ch->table, fc->spec->ncols - 1, uint32_t);
        if (next_line + ch->lines > (int64_t)UINT32_MAX) {
            ink__error_set(err, INK_LIMIT, fc->name, "more than %u lines",
                           (unsigned)UINT32_MAX);
            st = INK_LIMIT;
            goto out;
        }
        for (size_t i = 0; i < ch->table.rows; i++)
            line[i] += (uint32_t)line_offset;
        if (ch->failed) {
            /* Chunks are in file order: the first failed one has the
             * first invalid row. Its earlier rows are kept, so that the
             * caller can still look for an earlier duplicate id. */
            *err = ch->error;
            err->line += line_offset;
            st = INK_DATA;
            nchunks = k + 1;
            break;
        }
        if (!keep_rejects(ls, ch, line_offset)) {
            st = INK_NOMEM;
            goto out;
        }
        stats->read += ch->read;
        for (size_t i = 0; i < ch->nrejects; i++)
            stats->rejected_by_reason[ch->rejects[i].reason]++;
        stats->rejected += ch->nrejects;
        next_line += ch->lines;
    }
    t0 = now_seconds();
    for (size_t k = 0; k < nchunks; k++) {
        if (!ink__table_append(dst, &chunks[k].table, ls->threads)) {
            st = INK_NOMEM;
            goto out;
        }
    }
    stats->merge_seconds = now_seconds() - t0;
out:
    /* chunks beyond a failed one were parsed but are dropped here. */
    nchunks = nchunks_parsed;
    for (size_t k = 0; k < nchunks; k++)
        ink__chunk_cleanup(&chunks[k]);
    return st;
}

/*
 * Finds duplicate ids (the later row is the invalid one) and indexes the
 * ids. Strict: fails unless the first duplicate comes after `first_line`
 * (no, there is no earlier error then). Lenient: rejects and drops them.
 */
/* 1 when the ids are strictly increasing in byte order, so that none can
 * repeat: exports usually number their rows, and one sequential pass is
 * far cheaper than indexing millions of ids. */
static int ids_ascending(const ink_dict *ids)
{
    uint32_t n = ink_dict_count(ids);
    for (uint32_t c = 2; c < n; c++) {
        size_t la, lb;
        const char *a = ink_dict_get(ids, c - 1, &la);
        const char *b = ink_dict_get(ids, c, &lb);
        int cmp = memcmp(a, b, la < lb ? la : lb);
        if (cmp > 0 || (cmp == 0 && la >= lb))
            return 0;
    }
    return 1;
}

static ink_status check_ids(load_state *ls, file_ctx *fc, ink__table *t,
                            ink_file_stats *stats, ink_error *err)
{
    ink_dict *ids = t->cols[0].dict;
    /* Case ids are looked up later, so they are indexed in any case. */
    if (fc->kind != INK_FILE_CASES) {
        if (ids_ascending(ids))
            return INK_OK;
        if (!ink__dict_rehash(ids))
            return INK_NOMEM;
    }
    uint32_t *dup_of = ink__calloc_array(ink_dict_count(ids), sizeof *dup_of);
    if (!dup_of)
        return INK_NOMEM;
    ink_status st = INK_OK;
    if (!ink__dict_build_index(ids, ls->threads, dup_of)) {
        st = INK_NOMEM;
        goto out;
    }
    const uint32_t *line = COL(t, fc->spec->ncols - 1, uint32_t);
    size_t dups = 0;
    for (size_t i = 0; i < t->rows; i++)
        dups += dup_of[i + 1] != 0;
    if (!dups)
        goto out;
    const char *id_name = fc->spec->fields[0].name;
    uint32_t position = (uint32_t)fc->pos[0] + 1;
    if (!fc->lenient) {
        for (size_t i = 0; i < t->rows; i++) {
            if (!dup_of[i + 1])
                continue;
            size_t len;
            const char *s = ink_dict_get(ids, (uint32_t)i + 1, &len);
            char v[200];
            ink__quote_value(v, sizeof v, s, len);
            ink__error_set(err, INK_DATA, fc->name,
                           "duplicate %s %s (first on line %u)", id_name, v,
                           (unsigned)line[dup_of[i + 1] - 1]);
            snprintf(err->field, sizeof err->field, "%s", id_name);
            err->line = line[i];
            err->column = (int32_t)position;
            stats->rejected_by_reason[INK_REASON_DUPLICATE_ID]++;
            st = INK_DATA;
            goto out;
        }
    }
    /* Lenient: the raw text of a duplicate is re-read from the file by
     * the caller; here the row is only counted and dropped. */
    uint8_t *keep = ink__alloc_array(t->rows, 1);
    if (!keep) {
        st = INK_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < t->rows; i++)
        keep[i] = dup_of[i + 1] == 0;
    for (size_t i = 0; i < t->rows; i++) {
        if (keep[i])
            continue;
        size_t len;
        const char *s = ink_dict_get(ids, (uint32_t)i + 1, &len);
        char v[200], msg[INK_ERROR_MESSAGE_MAX];
        ink__quote_value(v, sizeof v, s, len);
        int n = snprintf(msg, sizeof msg, "duplicate %s %s (first on line %u)",
                         id_name, v, (unsigned)line[dup_of[i + 1] - 1]);
        reject_row r = {fc->kind,
                        line[i],
                        (int32_t)position,
                        INK_REASON_DUPLICATE_ID,
                        0,
                        0,
                        0,
                        0,
                        0,
                        0};
        /* The row's raw text is filled in later from the file. */
        if (!ink__reserve((void **)&ls->rejects, &ls->rejects_cap,
                          ls->nrejects + 1, sizeof *ls->rejects) ||
            !ink__reserve((void **)&ls->text, &ls->text_cap,
                          ls->text_len + strlen(id_name) + (size_t)n + 2, 1)) {
            free(keep);
            st = INK_NOMEM;
            goto out;
        }
        r.field_off = ls->text_len;
        r.field_len = strlen(id_name);
        memcpy(ls->text + ls->text_len, id_name, r.field_len + 1);
        ls->text_len += r.field_len + 1;
        r.msg_off = ls->text_len;
        r.msg_len = (size_t)n;
        memcpy(ls->text + ls->text_len, msg, (size_t)n + 1);
        ls->text_len += (size_t)n + 1;
        r.raw_len = SIZE_MAX; /* marks "raw text still to be read" */
        ls->rejects[ls->nrejects++] = r;
        stats->rejected_by_reason[INK_REASON_DUPLICATE_ID]++;
        stats->rejected++;
    }
    int ok = ink__table_filter(t, keep);
    free(keep);
    if (!ok || !ink__dict_build_index(t->cols[0].dict, ls->threads, NULL))
        st = INK_NOMEM;
out:
    free(dup_of);
    return st;
}

/* Fills in the raw text of duplicate-id rejects of one file by reading
 * their lines again (they are rare, so a scan per file is fine). */
static ink_status fill_duplicate_raw(load_state *ls, ink_file_kind kind,
                                     const mapped *m)
{
    size_t wanted = 0;
    for (size_t i = 0; i < ls->nrejects; i++)
        wanted +=
            ls->rejects[i].file == kind && ls->rejects[i].raw_len == SIZE_MAX;
    if (!wanted)
        return INK_OK;
    ink_csv_reader reader;
    ink_csv_record *rec = malloc(sizeof *rec);
    if (!rec)
        return INK_NOMEM;
    ink__csv_init(&reader, m->data, m->data + m->size, 1);
    ink_status st = INK_OK;
    for (;;) {
        ink_csv_result res = ink__csv_next(&reader, rec);
        if (res == INK_CSV_END)
            break;
        if (res == INK_CSV_NOMEM) {
            st = INK_NOMEM;
            break;
        }
        for (size_t i = 0; i < ls->nrejects; i++) {
            reject_row *r = &ls->rejects[i];
            if (r->file != kind || r->raw_len != SIZE_MAX ||
                r->line != rec->line)
                continue;
            size_t len = (size_t)(rec->raw_end - rec->raw);
            if (!ink__reserve((void **)&ls->text, &ls->text_cap,
                              ls->text_len + len + 1, 1)) {
                st = INK_NOMEM;
                goto done;
            }
            memcpy(ls->text + ls->text_len, rec->raw, len);
            ls->text[ls->text_len + len] = '\0';
            r->raw_off = ls->text_len;
            r->raw_len = len;
            ls->text_len += len + 1;
            if (--wanted == 0)
                goto done;
        }
    }
done:
    ink__csv_cleanup(&reader);
    free(rec);
    return st;
}

/* Loads one file: from dir, or from memory when sources is given. */
static ink_status load_file(load_state *ls, const char *dir,
                            const ink_source *sources, ink_file_kind kind,
                            ink_portfolio *p, ink_error *err)
{
    const char *name = ink_file_name(kind);
    char path[4096] = "";
    if (!sources && (size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >=
                        sizeof path) {
        ink__error_set(err, INK_USAGE, name, "path too long");
        return INK_USAGE;
    }
    ink_file_stats *stats = &p->stats[kind];
    file_ctx fc = {0};
    fc.kind = kind;
    fc.name = name;
    fc.spec = &ink__file_specs[kind];
    fc.lenient = ls->opt->lenient;
    fc.cases = &p->tables[INK_FILE_CASES];
    mapped m = {NULL, 0, 0};
    int absent = 0;
    ink_status st = INK_OK;
    if (sources) {
        absent = sources[kind].data == NULL;
        m.data = absent ? "" : sources[kind].data;
        m.size = absent ? 0 : sources[kind].size;
    } else {
        st = map_file(path, name, &m, &absent, err);
    }
    if (st != INK_OK)
        return st;
    if (absent) {
        if (kind != INK_FILE_COSTS) {
            if (sources)
                ink__error_set(err, INK_USAGE, name, "no %s given", name);
            else
                ink__error_set(err, INK_IO, name, "missing file %s", path);
            return sources ? INK_USAGE : INK_IO;
        }
        /* No costs.csv: an empty table, marked absent. */
        if (!ink__table_init(&p->tables[kind], COST_NCOLS, ink__cost_kinds,
                             ink__cost_names))
            return INK_NOMEM;
        return INK_OK;
    }
    stats->present = 1;
    stats->bytes = m.size;
    ink_csv_reader reader;
    ink__csv_init(&reader, m.data, m.data + m.size, 1);
    st = ink__read_header(&fc, &reader, err);
    ink__csv_cleanup(&reader);
    if (st == INK_OK)
        st = ink__table_layout(&fc);
    if (st == INK_OK &&
        !ink__table_init(&p->tables[kind], fc.ncols, fc.kinds, fc.col_names))
        st = INK_NOMEM;
    int parsed = 0;
    if (st == INK_OK) {
        ink__mark_present(&p->tables[kind], &fc);
        st = parse_records(ls, &fc, &m, reader.pos, reader.line,
                           &p->tables[kind], stats, err);
        parsed = 1;
    }
    if (parsed && st == INK_DATA && !fc.lenient && kind != INK_FILE_COSTS) {
        /* A duplicate id above the first invalid row comes first. */
        ink_error dup;
        ink_error_clear(&dup);
        ink_status dst = check_ids(ls, &fc, &p->tables[kind], stats, &dup);
        if (dst == INK_DATA && dup.line < err->line)
            *err = dup;
        else if (dst != INK_OK && dst != INK_DATA)
            st = dst;
    } else if (st == INK_OK && kind != INK_FILE_COSTS) {
        double t0 = now_seconds();
        st = check_ids(ls, &fc, &p->tables[kind], stats, err);
        /* Only case ids are looked up later; the others are listed. */
        if (kind != INK_FILE_CASES)
            ink__dict_drop_index(p->tables[kind].cols[0].dict);
        stats->index_seconds = now_seconds() - t0;
    }
    if (st == INK_OK)
        st = fill_duplicate_raw(ls, kind, &m);
    if (st == INK_OK) {
        stats->accepted = p->tables[kind].rows;
        if (stats->accepted + stats->rejected != stats->read) {
            ink__error_set(
                err, INK_INTERNAL, name,
                "row accounting is off: %llu read, %llu accepted, %llu "
                "rejected",
                (unsigned long long)stats->read,
                (unsigned long long)stats->accepted,
                (unsigned long long)stats->rejected);
            st = INK_INTERNAL;
        }
    }
    if (st == INK_NOMEM)
        ink__error_set(err, INK_NOMEM, name, "out of memory");
    unmap_file(&m);
    ink__file_ctx_cleanup(&fc);
    return st;
}

/* ---------------------------------------------------------------- */
/* Grouping payments and contacts by case                           */

/*
 * Orders rows by (case, date, seconds), ties in file order: a stable
 * counting sort by case, then an insertion sort inside each case (a
 * case has few rows). Fills offset[cases + 1].
 */
/* 1 when row a sorts after row b: by case, then date, then time. */
static int row_after(const uint32_t *case_index, const int32_t *date,
                     const int32_t *seconds, uint32_t a, uint32_t b)
{
    if (case_index[a] != case_index[b])
        return case_index[a] > case_index[b];
    if (date[a] != date[b])
        return date[a] > date[b];
    return seconds && seconds[a] > seconds[b];
}

ink_status ink__group_by_case(ink__table *t, size_t cases, int case_col,
                              int date_col, int seconds_col,
                              uint32_t **offset_out)
{
    uint32_t *offset = ink__calloc_array(cases + 1, sizeof *offset);
    if (!offset)
        return INK_NOMEM;
    const uint32_t *case_index = t->cols[case_col].data;
    const int32_t *date = t->cols[date_col].data;
    const int32_t *seconds =
        seconds_col >= 0 ? t->cols[seconds_col].data : NULL;
    int sorted = 1;
    for (size_t i = 0; i < t->rows; i++) {
        offset[case_index[i] + 1]++;
        if (i > 0 && sorted)
            sorted = !row_after(case_index, date, seconds, (uint32_t)i - 1,
                                (uint32_t)i);
    }
    for (size_t c = 0; c < cases; c++)
        offset[c + 1] += offset[c];
    *offset_out = offset;
    /* Exports are usually in this order already: then nothing moves. */
    if (sorted)
        return INK_OK;
    uint32_t *perm = ink__alloc_array(t->rows, sizeof *perm);
    uint32_t *next = ink__alloc_array(cases + 1, sizeof *next);
    if (!perm || !next) {
        free(perm);
        free(next);
        free(offset);
        *offset_out = NULL;
        return INK_NOMEM;
    }
    memcpy(next, offset, (cases + 1) * sizeof *next);
    for (size_t i = 0; i < t->rows; i++)
        perm[next[case_index[i]]++] = (uint32_t)i;
    free(next);
    /* Stable by case; now by date and time inside each case (few rows). */
    for (size_t c = 0; c < cases; c++) {
        for (uint32_t i = offset[c] + 1; i < offset[c + 1]; i++) {
            uint32_t v = perm[i], j = i;
            while (j > offset[c] &&
                   row_after(case_index, date, seconds, perm[j - 1], v)) {
                perm[j] = perm[j - 1];
                j--;
            }
            perm[j] = v;
        }
    }
    ink_status st = ink__table_permute(t, perm) ? INK_OK : INK_NOMEM;
    free(perm);
    if (st != INK_OK) {
        free(offset);
        *offset_out = NULL;
    }
    return st;
}

/* ---------------------------------------------------------------- */
/* Public entry points                                              */

void ink_load_options_init(ink_load_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

static int online_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
}

static ink_status load_portfolio(const char *dir, const ink_source *sources,
                                 const ink_load_options *opt,
                                 ink_portfolio **out, ink_error *err)
{
    ink_load_options defaults;
    if (!opt) {
        ink_load_options_init(&defaults);
        opt = &defaults;
    }
    ink_error scratch_err;
    if (!err)
        err = &scratch_err;
    ink_error_clear(err);
    *out = NULL;
    if (!dir && !sources) {
        ink__error_set(err, INK_USAGE, NULL, "no portfolio folder given");
        return INK_USAGE;
    }
    ink_portfolio *p = calloc(1, sizeof *p);
    if (!p) {
        ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        return INK_NOMEM;
    }
    load_state ls = {0};
    ls.opt = opt;
    ls.threads = opt->threads > 0 ? opt->threads : online_cores();
    if (ls.threads > MAX_THREADS)
        ls.threads = MAX_THREADS;
    ink_status st = INK_OK;
    for (int kind = 0; kind < INK_FILE_COUNT && st == INK_OK; kind++)
        st = load_file(&ls, dir, sources, (ink_file_kind)kind, p, err);
    size_t cases = p->tables[INK_FILE_CASES].rows;
    double t0 = now_seconds();
    if (st == INK_OK)
        st = ink__group_by_case(&p->tables[INK_FILE_PAYMENTS], cases, PAY_CASE,
                                PAY_DATE, -1, &p->payment_offset);
    p->stats[INK_FILE_PAYMENTS].group_seconds = now_seconds() - t0;
    t0 = now_seconds();
    if (st == INK_OK)
        st = ink__group_by_case(&p->tables[INK_FILE_CONTACTS], cases, CON_CASE,
                                CON_DATE, CON_SECONDS, &p->contact_offset);
    p->stats[INK_FILE_CONTACTS].group_seconds = now_seconds() - t0;
    if (st == INK_NOMEM)
        ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (st == INK_OK && !ink__portfolio_bind(p)) {
        ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        st = INK_NOMEM;
    }
    if (st == INK_OK)
        p->latest_date = ink__latest_date(p);
    if (st == INK_OK && opt->lenient && opt->rejects_path) {
        ink__reject_entry *entries =
            ink__alloc_array(ls.nrejects, sizeof *entries);
        if (!entries) {
            st = INK_NOMEM;
        } else {
            for (size_t i = 0; i < ls.nrejects; i++) {
                const reject_row *r = &ls.rejects[i];
                entries[i] = (ink__reject_entry){
                    r->file,
                    r->line,
                    r->column,
                    r->reason,
                    ls.text + r->field_off,
                    ls.text + r->msg_off,
                    ls.text + r->raw_off,
                    r->raw_len == SIZE_MAX ? 0 : r->raw_len};
            }
            st = ink__rejects_write(opt->rejects_path, entries, ls.nrejects,
                                    err);
            free(entries);
        }
    }
    free(ls.rejects);
    free(ls.text);
    if (st != INK_OK) {
        ink_portfolio_free(p);
        return st;
    }
    *out = p;
    return INK_OK;
}

ink_status ink_portfolio_load(const char *dir, const ink_load_options *opt,
                              ink_portfolio **out, ink_error *err)
{
    return load_portfolio(dir, NULL, opt, out, err);
}

ink_status ink_portfolio_load_memory(const ink_source files[INK_FILE_COUNT],
                                     const ink_load_options *opt,
                                     ink_portfolio **out, ink_error *err)
{
    if (!files) {
        *out = NULL;
        return ink__error_set(err, INK_USAGE, NULL, "no files given");
    }
    return load_portfolio(NULL, files, opt, out, err);
}
