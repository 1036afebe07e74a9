/* JSON ingest bodies: an array of flat objects turned into CSV text (one
 * column per key, in order of first appearance), so that JSON rows go
 * through exactly the same checks as CSV rows. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

#define MAX_KEYS 64

typedef struct parser {
    const char *p, *end;
    const char *error;
} parser;

typedef struct token {
    const char *s; /* a string's raw text between quotes, or a literal */
    size_t len;
    int is_string, is_null;
} token;

static void skip_space(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
                               *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int expect(parser *ps, char c, const char *what)
{
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == c) {
        ps->p++;
        return 1;
    }
    ps->error = what;
    return 0;
}

/* A string token: the raw text, escapes still in it (decoded on output). */
static int string_token(parser *ps, token *t)
{
    if (!expect(ps, '"', "expected a string"))
        return 0;
    const char *start = ps->p;
    while (ps->p < ps->end && *ps->p != '"') {
        if ((unsigned char)*ps->p < 0x20) {
            ps->error = "a control character in a string";
            return 0;
        }
        if (*ps->p == '\\')
            ps->p++;
        ps->p++;
    }
    if (ps->p >= ps->end) {
        ps->error = "an unterminated string";
        return 0;
    }
    *t = (token){start, (size_t)(ps->p - start), 1, 0};
    ps->p++;
    return 1;
}

/* A value: a string, or a number, true, false or null as written. */
static int value_token(parser *ps, token *t)
{
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '"')
        return string_token(ps, t);
    const char *start = ps->p;
    while (ps->p < ps->end &&
           (strchr("+-.eE", *ps->p) || (*ps->p >= '0' && *ps->p <= '9') ||
            (*ps->p >= 'a' && *ps->p <= 'z')))
        ps->p++;
    size_t n = (size_t)(ps->p - start);
    if (n == 0) {
        ps->error = "expected a string, number, true, false or null (objects "
                    "and arrays are not row values)";
        return 0;
    }
    int is_null = n == 4 && memcmp(start, "null", 4) == 0;
    *t = (token){start, n, 0, is_null};
    return 1;
}

/* A byte of a quoted CSV field: quotes doubled. */
static void put_field_byte(FILE *f, int c)
{
    if (c == '"')
        putc('"', f);
    putc(c, f);
}

/* A string token's decoded text (\uXXXX to UTF-8) into a quoted field. */
static int decode(FILE *f, const token *t, const char **error)
{
    static const char escaped[] = "ntrbf", meant[] = "\n\t\r\b\f";
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c != '\\') {
            put_field_byte(f, c);
            continue;
        }
        if (++i >= t->len)
            break;
        const char *e = t->s[i] ? strchr(escaped, t->s[i]) : NULL;
        if (e) {
            putc(meant[e - escaped], f);
            continue;
        }
        if (t->s[i] != 'u') {
            put_field_byte(f, t->s[i]); /* \" \\ \/ */
            continue;
        }
        if (i + 4 >= t->len) {
            *error = "a bad \\u escape";
            return 0;
        }
        unsigned v = 0;
        for (int k = 1; k <= 4; k++) {
            char h = t->s[i + (size_t)k];
            v = v * 16 + (unsigned)(h >= '0' && h <= '9'   ? h - '0'
                                    : h >= 'a' && h <= 'f' ? h - 'a' + 10
                                    : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                           : 99);
            if (v > 0xffff) {
                *error = "a bad \\u escape";
                return 0;
            }
        }
        i += 4;
        if (v >= 0xd800 && v <= 0xdfff) {
            *error = "a \\u surrogate (send UTF-8 instead)";
            return 0;
        }
        if (v < 0x80) {
            put_field_byte(f, (int)v);
        } else if (v < 0x800) {
            putc((int)(0xc0 | v >> 6), f);
            putc((int)(0x80 | (v & 0x3f)), f);
        } else {
            putc((int)(0xe0 | v >> 12), f);
            putc((int)(0x80 | (v >> 6 & 0x3f)), f);
            putc((int)(0x80 | (v & 0x3f)), f);
        }
    }
    return 1;
}

/* A CSV field of a value: a string quoted, with quotes doubled. Written
 * straight to f: on an error the caller drops the whole text. */
static int put_cell(FILE *f, const token *t, const char **error)
{
    if (t->is_null)
        return 1;
    if (!t->is_string) {
        /* true/false are the contract's 1/0 (the automated column). */
        if (t->len == 4 && memcmp(t->s, "true", 4) == 0)
            putc('1', f);
        else if (t->len == 5 && memcmp(t->s, "false", 5) == 0)
            putc('0', f);
        else
            fwrite(t->s, 1, t->len, f);
        return 1;
    }
    putc('"', f);
    int ok = decode(f, t, error);
    putc('"', f);
    return ok;
}

static int same_key(const token *a, const token *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* One row object: keys new to keys are added (the order of first
 * appearance), and each value is kept under its key's index. */
static int parse_row(parser *ps, token *keys, size_t *nkeys, token *values,
                     int *have)
{
    if (!expect(ps, '{', "expected a row object"))
        return 0;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return 1;
    }
    for (;;) {
        token k, v;
        if (!string_token(ps, &k) ||
            !expect(ps, ':', "expected ':' after a key") ||
            !value_token(ps, &v))
            return 0;
        size_t i = 0;
        while (i < *nkeys && !same_key(&keys[i], &k))
            i++;
        if (i == *nkeys) {
            if (*nkeys == MAX_KEYS) {
                ps->error = "more than 64 keys";
                return 0;
            }
            keys[(*nkeys)++] = k;
        }
        values[i] = v;
        have[i] = 1;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        return expect(ps, '}', "expected ',' or '}' in an object");
    }
}

/* One pass over the array: every row parsed (keys collected), and with
 * csv not NULL written under the keys as one CSV line. */
static int parse_rows(const char *body, size_t len, token *keys, size_t *nkeys,
                      FILE *csv, const char **error)
{
    parser ps = {body, body + len, NULL};
    if (!expect(&ps, '[', "expected an array of row objects"))
        goto fail;
    skip_space(&ps);
    int more = !(ps.p < ps.end && *ps.p == ']');
    while (more) {
        token values[MAX_KEYS];
        int have[MAX_KEYS] = {0};
        if (!parse_row(&ps, keys, nkeys, values, have))
            goto fail;
        for (size_t i = 0; csv && i < *nkeys; i++) {
            if (i)
                putc(',', csv);
            if (have[i] && !put_cell(csv, &values[i], error))
                return 0;
        }
        if (csv)
            putc('\n', csv);
        skip_space(&ps);
        more = ps.p < ps.end && *ps.p == ',';
        ps.p += more;
    }
    if (!expect(&ps, ']', "expected ',' or ']' after a row"))
        goto fail;
    skip_space(&ps);
    if (ps.p != ps.end) {
        ps.error = "text after the array";
        goto fail;
    }
    return 1;
fail:
    *error = ps.error ? ps.error : "malformed JSON";
    return 0;
}

/*
 * Two passes over the array: the first checks it and collects the keys
 * (the CSV header), the second writes each object's values under them.
 * Returns the CSV text (caller frees) or NULL with *error set.
 */
char *srv_json_rows_to_csv(const char *body, size_t len, size_t *out_len,
                           const char **error)
{
    token keys[MAX_KEYS];
    size_t nkeys = 0;
    *error = NULL;
    if (!parse_rows(body, len, keys, &nkeys, NULL, error))
        return NULL;
    char *csv = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&csv, &n);
    if (!f) {
        *error = "out of memory";
        return NULL;
    }
    int ok = 1;
    for (size_t i = 0; ok && i < nkeys; i++) {
        if (i)
            putc(',', f);
        ok = put_cell(f, &keys[i], error);
    }
    putc('\n', f);
    /* The keys are all known: this pass adds none. */
    if (ok)
        ok = parse_rows(body, len, keys, &nkeys, f, error);
    if (fclose(f) != 0 && ok) {
        *error = "out of memory";
        ok = 0;
    }
    if (!ok) {
        free(csv);
        return NULL;
    }
    *out_len = n;
    return csv;
}
