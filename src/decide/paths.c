/* Path sets: ChannelAttribution's ';'-separated path file, and accessors. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "decide/attr_impl.h"

static const char *const model_names[INK_ATTR_MODEL_COUNT] = {
    "first", "last", "linear", "time-decay", "position", "markov", "shapley"};

const char *ink_attr_model_name(int model)
{
    return model >= 0 && model < INK_ATTR_MODEL_COUNT ? model_names[model]
                                                      : NULL;
}

int ink_attr_model_find(const char *name)
{
    for (int m = 0; m < INK_ATTR_MODEL_COUNT; m++)
        if (strcmp(model_names[m], name) == 0)
            return m;
    return -1;
}

ink_attr_paths *ink__attr_paths_new(size_t paths, size_t touches, int with_age)
{
    ink_attr_paths *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->offset = ink__alloc_array(paths + 1, sizeof *p->offset);
    p->touch = ink__alloc_array(touches, sizeof *p->touch);
    p->age = with_age ? ink__alloc_array(touches, sizeof *p->age) : NULL;
    p->conversions = ink__alloc_array(paths, sizeof *p->conversions);
    p->value = ink__alloc_array(paths, sizeof *p->value);
    p->nulls = ink__alloc_array(paths, sizeof *p->nulls);
    p->group = ink__alloc_array(paths, sizeof *p->group);
    if (!p->offset || !p->touch || (with_age && !p->age) || !p->conversions ||
        !p->value || !p->nulls || !p->group) {
        ink_attr_paths_free(p);
        return NULL;
    }
    p->offset[0] = 0;
    return p;
}

void ink_attr_paths_free(ink_attr_paths *p)
{
    if (!p)
        return;
    free(p->offset);
    free(p->touch);
    free(p->age);
    free(p->conversions);
    free(p->value);
    free(p->nulls);
    free(p->group);
    for (size_t i = 0; p->channels && i < p->channel_count; i++)
        free(p->channels[i]);
    free(p->channels);
    for (size_t i = 0; p->dims && i < p->dim_count; i++)
        free(p->dims[i]);
    free(p->dims);
    for (size_t i = 0; p->group_keys && i < p->group_count * p->dim_count; i++)
        free(p->group_keys[i]);
    free(p->group_keys);
    for (size_t i = 0; p->group_currency && i < p->group_count; i++)
        free(p->group_currency[i]);
    free(p->group_currency);
    free(p->group_mixed);
    free(p->contacts);
    free(p->cost);
    free(p->cost_known);
    free(p);
}

size_t ink_attr_paths_count(const ink_attr_paths *p)
{
    return p->count;
}

size_t ink_attr_paths_channel_count(const ink_attr_paths *p)
{
    return p->channel_count;
}

const char *ink_attr_paths_channel(const ink_attr_paths *p, size_t i)
{
    return i < p->channel_count ? p->channels[i] : NULL;
}

uint64_t ink_attr_paths_untouched(const ink_attr_paths *p)
{
    return p->untouched;
}

/* ------------------------------------------------------------------ */
/* The path file                                                       */

enum { COL_PATH, COL_CONV, COL_VALUE, COL_NULL, COL_KINDS };
static const char *const col_names[COL_KINDS] = {
    "path", "total_conversions", "total_conversion_value", "total_null"};

#define MAX_FIELDS 64

typedef struct parser {
    const char *name;
    ink_error *err;
    int64_t line;
    ink_attr_paths *p;
    size_t path_cap, touch_cap;
    /* Channels in order of first appearance, found by a small hash. */
    char *names[INK_ATTR_MAX_CHANNELS];
    size_t name_len[INK_ATTR_MAX_CHANNELS];
    size_t channel_count;
    int slot[256]; /* channel + 1, 0 empty */
} parser;

static ink_status fail_at(parser *ps, ink_status st, int column,
                          const char *field, const char *what, const char *got,
                          size_t got_len)
{
    char shown[64] = "";
    size_t n = got_len < 40 ? got_len : 40;
    if (got)
        memcpy(shown, got, n);
    snprintf(shown + n, sizeof shown - n, "%s", got_len > 40 ? "..." : "");
    if (got)
        ink__error_set(ps->err, st, ps->name, "%s \"%s\"", what, shown);
    else
        ink__error_set(ps->err, st, ps->name, "%s", what);
    if (ps->err) {
        ps->err->line = ps->line;
        ps->err->column = column;
        snprintf(ps->err->field, sizeof ps->err->field, "%s", field);
    }
    return st;
}

static uint32_t hash_bytes(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

/* The channel index of name, added when new; -1 past the limit or out
 * of memory (*st says which). */
static int channel_of(parser *ps, const char *s, size_t n, ink_status *st)
{
    uint32_t h = hash_bytes(s, n) & 255;
    while (ps->slot[h]) {
        int c = ps->slot[h] - 1;
        if (ps->name_len[c] == n && memcmp(ps->names[c], s, n) == 0)
            return c;
        h = (h + 1) & 255;
    }
    if (ps->channel_count == INK_ATTR_MAX_CHANNELS) {
        *st = INK_LIMIT;
        return -1;
    }
    char *copy = malloc(n + 1);
    if (!copy) {
        *st = INK_NOMEM;
        return -1;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    int c = (int)ps->channel_count++;
    ps->names[c] = copy;
    ps->name_len[c] = n;
    ps->slot[h] = c + 1;
    return c;
}

/* A non-negative decimal number [0-9]+(.[0-9]+)?; 0 when malformed. */
static int parse_number(const char *s, size_t n, double *out)
{
    size_t i = 0, digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (digits == 0)
        return 0;
    if (i < n && s[i] == '.') {
        size_t frac = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            frac++;
        if (frac == 0)
            return 0;
    }
    if (i != n || n > 64)
        return 0;
    char buf[72];
    memcpy(buf, s, n);
    buf[n] = '\0';
    errno = 0;
    *out = strtod(buf, NULL);
    return errno == 0 && isfinite(*out);
}

static int grow_paths(parser *ps)
{
    ink_attr_paths *p = ps->p;
    if (p->count + 1 < ps->path_cap)
        return 1;
    size_t cap = ps->path_cap * 2;
    uint32_t *o = ink__realloc_array(p->offset, cap + 1, sizeof *o);
    if (!o)
        return 0;
    p->offset = o;
    double **arrays[3] = {&p->conversions, &p->value, &p->nulls};
    for (int k = 0; k < 3; k++) {
        double *d = ink__realloc_array(*arrays[k], cap, sizeof *d);
        if (!d)
            return 0;
        *arrays[k] = d;
    }
    uint32_t *g = ink__realloc_array(p->group, cap, sizeof *g);
    if (!g)
        return 0;
    p->group = g;
    ps->path_cap = cap;
    return 1;
}

/* The touches of one path field into the set. */
static ink_status add_path(parser *ps, const char *s, size_t n, int column)
{
    ink_attr_paths *p = ps->p;
    size_t start = p->offset[p->count];
    size_t touches = 0;
    for (size_t i = 0; i <= n;) {
        size_t j = i;
        while (j < n && s[j] != '>')
            j++;
        size_t a = i, b = j;
        while (a < b && (s[a] == ' ' || s[a] == '\t'))
            a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
            b--;
        if (a == b)
            return fail_at(ps, INK_DATA, column, "path",
                           "expected channels separated by '>', got an empty "
                           "channel name in",
                           s, n);
        if (touches == INK_ATTR_MAX_PATH_TOUCHES)
            return fail_at(ps, INK_LIMIT, column, "path",
                           "more than 10000 touches in", s, n);
        ink_status st = INK_OK;
        int c = channel_of(ps, s + a, b - a, &st);
        if (c < 0)
            return st == INK_NOMEM
                       ? ink__error_set(ps->err, INK_NOMEM, ps->name,
                                        "out of memory")
                       : fail_at(ps, INK_LIMIT, column, "path",
                                 "more than 64 distinct channels, at", s + a,
                                 b - a);
        if (start + touches + 1 > ps->touch_cap) {
            size_t cap = ps->touch_cap * 2;
            uint8_t *t = ink__realloc_array(p->touch, cap, 1);
            if (!t)
                return ink__error_set(ps->err, INK_NOMEM, ps->name,
                                      "out of memory");
            p->touch = t;
            ps->touch_cap = cap;
        }
        p->touch[start + touches++] = (uint8_t)c;
        i = j + 1;
    }
    p->offset[p->count + 1] = (uint32_t)(start + touches);
    return INK_OK;
}

static ink_status parse_header(parser *ps, const char *s, size_t n,
                               int cols[COL_KINDS], size_t *field_count)
{
    for (int k = 0; k < COL_KINDS; k++)
        cols[k] = -1;
    size_t f = 0;
    for (size_t i = 0; i <= n; f++) {
        size_t j = i;
        while (j < n && s[j] != ';')
            j++;
        if (f == MAX_FIELDS)
            return fail_at(ps, INK_DATA, (int)f + 1, "",
                           "expected at most 64 columns, got more in", s, n);
        for (int k = 0; k < COL_KINDS; k++)
            if (strlen(col_names[k]) == j - i &&
                memcmp(col_names[k], s + i, j - i) == 0) {
                if (cols[k] >= 0)
                    return fail_at(ps, INK_DATA, (int)f + 1, col_names[k],
                                   "column named twice in the header", s, n);
                cols[k] = (int)f;
            }
        i = j + 1;
    }
    *field_count = f;
    for (int k = 0; k < 2; k++)
        if (cols[k] < 0)
            return fail_at(ps, INK_DATA, 0, col_names[k],
                           "expected a header with the columns path and "
                           "total_conversions (';'-separated), got",
                           s, n);
    return INK_OK;
}

static ink_status parse_row(parser *ps, const char *s, size_t n,
                            const int cols[COL_KINDS], size_t field_count)
{
    const char *field[MAX_FIELDS];
    size_t flen[MAX_FIELDS];
    size_t f = 0;
    for (size_t i = 0; i <= n; f++) {
        size_t j = i;
        while (j < n && s[j] != ';')
            j++;
        if (f == field_count)
            return fail_at(ps, INK_DATA, (int)f + 1, "",
                           "expected as many fields as the header, got more "
                           "in",
                           s, n);
        field[f] = s + i;
        flen[f] = j - i;
        i = j + 1;
    }
    if (f != field_count)
        return fail_at(ps, INK_DATA, (int)f, "",
                       "expected as many fields as the header, got fewer in", s,
                       n);
    if (!grow_paths(ps))
        return ink__error_set(ps->err, INK_NOMEM, ps->name, "out of memory");
    ink_attr_paths *p = ps->p;
    double v[COL_KINDS] = {0, 0, 0, 0};
    for (int k = COL_CONV; k < COL_KINDS; k++) {
        if (cols[k] < 0)
            continue;
        int c = cols[k];
        if (!parse_number(field[c], flen[c], &v[k]))
            return fail_at(ps, INK_DATA, c + 1, col_names[k],
                           "expected a non-negative decimal number, got",
                           field[c], flen[c]);
        /* Counts become integers of contacts: past 2^53 a double no
         * longer holds every integer (nor does the count make sense). */
        if (v[k] > 9007199254740992.0)
            return fail_at(ps, INK_DATA, c + 1, col_names[k],
                           "expected a number at most 9007199254740992, got",
                           field[c], flen[c]);
    }
    ink_status st = add_path(ps, field[cols[COL_PATH]], flen[cols[COL_PATH]],
                             cols[COL_PATH] + 1);
    if (st != INK_OK)
        return st;
    p->conversions[p->count] = v[COL_CONV];
    p->value[p->count] = v[COL_VALUE];
    p->nulls[p->count] = v[COL_NULL];
    p->group[p->count] = 0;
    p->count++;
    return INK_OK;
}

static int cmp_name(const void *a, const void *b, void *names)
{
    char **n = names;
    return strcmp(n[*(const uint8_t *)a], n[*(const uint8_t *)b]);
}

/* Sorts the channels by name and renumbers the touches; per-group
 * contact counts (one group) from the paths. */
static ink_status finish(parser *ps)
{
    ink_attr_paths *p = ps->p;
    size_t n = ps->channel_count;
    uint8_t order[INK_ATTR_MAX_CHANNELS], rank[INK_ATTR_MAX_CHANNELS];
    for (size_t i = 0; i < n; i++)
        order[i] = (uint8_t)i;
    qsort_r(order, n, 1, cmp_name, ps->names);
    p->channels = calloc(n ? n : 1, sizeof *p->channels);
    p->group_keys = calloc(1, sizeof *p->group_keys);
    p->group_currency = calloc(1, sizeof *p->group_currency);
    p->group_mixed = calloc(1, 1);
    p->contacts = calloc(n ? n : 1, sizeof *p->contacts);
    p->cost = calloc(n ? n : 1, sizeof *p->cost);
    p->cost_known = calloc(n ? n : 1, 1);
    if (!p->channels || !p->group_keys || !p->group_currency ||
        !p->group_mixed || !p->contacts || !p->cost || !p->cost_known)
        return ink__error_set(ps->err, INK_NOMEM, ps->name, "out of memory");
    for (size_t i = 0; i < n; i++) {
        rank[order[i]] = (uint8_t)i;
        p->channels[i] = ps->names[order[i]];
        ps->names[order[i]] = NULL;
    }
    p->channel_count = n;
    p->group_count = 1;
    for (size_t i = 0; i < p->count; i++) {
        double journeys = p->conversions[i] + p->nulls[i];
        for (uint32_t t = p->offset[i]; t < p->offset[i + 1]; t++) {
            p->touch[t] = rank[p->touch[t]];
            p->contacts[p->touch[t]] += (uint64_t)journeys;
        }
    }
    return INK_OK;
}

ink_status ink_attr_paths_parse(const char *text, size_t len, const char *name,
                                ink_attr_paths **out, ink_error *err)
{
    *out = NULL;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.name = name ? name : "paths";
    ps.err = err;
    ps.path_cap = 1024;
    ps.touch_cap = 4096;
    ps.p = ink__attr_paths_new(ps.path_cap, ps.touch_cap, 0);
    if (!ps.p)
        return ink__error_set(err, INK_NOMEM, ps.name, "out of memory");
    ink_status st = INK_OK;
    int cols[COL_KINDS];
    size_t field_count = 0;
    int have_header = 0;
    for (size_t i = 0; i < len && st == INK_OK;) {
        size_t j = i;
        while (j < len && text[j] != '\n')
            j++;
        size_t end = j;
        if (end > i && text[end - 1] == '\r')
            end--;
        ps.line++;
        if (end > i) {
            if (memchr(text + i, '\0', end - i))
                st = fail_at(&ps, INK_DATA, 0, "",
                             "expected text, got a NUL byte", NULL, 0);
            else if (!have_header) {
                st = parse_header(&ps, text + i, end - i, cols, &field_count);
                have_header = 1;
            } else
                st = parse_row(&ps, text + i, end - i, cols, field_count);
        }
        i = j + 1;
    }
    if (st == INK_OK && !have_header) {
        ps.line = 1;
        st = fail_at(&ps, INK_DATA, 0, "",
                     "expected a header line with path and "
                     "total_conversions, got an empty file",
                     NULL, 0);
    }
    if (st == INK_OK)
        st = finish(&ps);
    for (size_t c = 0; c < ps.channel_count; c++)
        free(ps.names[c]);
    if (st != INK_OK) {
        ink_attr_paths_free(ps.p);
        return st;
    }
    *out = ps.p;
    return INK_OK;
}

ink_status ink_attr_paths_read(const char *path, ink_attr_paths **out,
                               ink_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ink__error_set(err, INK_IO, path, "cannot open: %s",
                              strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    ink_status st = INK_OK;
    for (;;) {
        if (!ink__reserve((void **)&buf, &cap, len + 65536, 1)) {
            st = ink__error_set(err, INK_NOMEM, path, "out of memory");
            break;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = ink__error_set(err, INK_IO, path, "cannot read: %s",
                                    strerror(errno));
            break;
        }
    }
    fclose(f);
    if (st == INK_OK)
        st = ink_attr_paths_parse(buf, len, path, out, err);
    free(buf);
    return st;
}
