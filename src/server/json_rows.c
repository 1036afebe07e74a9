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

/* Appends a string token's decoded text (\uXXXX to UTF-8). */
static int decode(FILE *f, const token *t, const char **error)
{
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (c != '\\') {
            putc(c, f);
            continue;
        }
        if (++i >= t->len)
            break;
        switch (t->s[i]) {
        case 'n':
            putc('\n', f);
            break;
        case 't':
            putc('\t', f);
            break;
        case 'r':
            putc('\r', f);
            break;
        case 'b':
            putc('\b', f);
            break;
        case 'f':
            putc('\f', f);
            break;
        case 'u': {
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
                putc((int)v, f);
            } else if (v < 0x800) {
                putc((int)(0xc0 | v >> 6), f);
                putc((int)(0x80 | (v & 0x3f)), f);
            } else {
                putc((int)(0xe0 | v >> 12), f);
                putc((int)(0x80 | (v >> 6 & 0x3f)), f);
                putc((int)(0x80 | (v & 0x3f)), f);
            }
            break;
        }
        default:
            putc(t->s[i], f); /* \" \\ \/ */
            break;
        }
    }
    return 1;
}

/* A CSV field of a value: quoted, with quotes doubled. */
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
    char *text = NULL;
    size_t n = 0;
    FILE *g = open_memstream(&text, &n);
    if (!g)
        return 0;
    int ok = decode(g, t, error);
    if (fclose(g) != 0)
        ok = 0;
    if (ok) {
        putc('"', f);
        for (size_t i = 0; i < n; i++) {
            if (text[i] == '"')
                putc('"', f);
            putc(text[i], f);
        }
        putc('"', f);
    }
    free(text);
    return ok;
}

static int same_key(const token *a, const token *b)
{
    return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/*
 * Two passes over the array: the first collects the keys (the CSV header),
 * the second writes each object's values under them. Returns the CSV text
 * (caller frees) or NULL with *error set.
 */
char *srv_json_rows_to_csv(const char *body, size_t len, size_t *out_len,
                           const char **error)
{
    token keys[MAX_KEYS];
    size_t nkeys = 0;
    parser ps = {body, body + len, NULL};
    *error = NULL;
    /* Pass 1: keys. */
    if (!expect(&ps, '[', "expected an array of row objects"))
        goto fail;
    skip_space(&ps);
    int empty = ps.p < ps.end && *ps.p == ']';
    while (!empty) {
        if (!expect(&ps, '{', "expected a row object"))
            goto fail;
        skip_space(&ps);
        if (ps.p < ps.end && *ps.p == '}') {
            ps.p++;
        } else {
            for (;;) {
                token k, v;
                if (!string_token(&ps, &k) ||
                    !expect(&ps, ':', "expected ':' after a key") ||
                    !value_token(&ps, &v))
                    goto fail;
                size_t i = 0;
                while (i < nkeys && !same_key(&keys[i], &k))
                    i++;
                if (i == nkeys) {
                    if (nkeys == MAX_KEYS) {
                        ps.error = "more than 64 keys";
                        goto fail;
                    }
                    keys[nkeys++] = k;
                }
                skip_space(&ps);
                if (ps.p < ps.end && *ps.p == ',') {
                    ps.p++;
                    continue;
                }
                if (!expect(&ps, '}', "expected ',' or '}' in an object"))
                    goto fail;
                break;
            }
        }
        skip_space(&ps);
        if (ps.p < ps.end && *ps.p == ',') {
            ps.p++;
            continue;
        }
        break;
    }
    if (!expect(&ps, ']', "expected ',' or ']' after a row"))
        goto fail;
    skip_space(&ps);
    if (ps.p != ps.end) {
        ps.error = "text after the array";
        goto fail;
    }

    /* Pass 2: the CSV. */
    char *csv = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&csv, &n);
    if (!f) {
        *error = "out of memory";
        return NULL;
    }
    for (size_t i = 0; i < nkeys; i++) {
        if (i)
            putc(',', f);
        if (!put_cell(f, &keys[i], error))
            break;
    }
    putc('\n', f);
    ps = (parser){body, body + len, NULL};
    expect(&ps, '[', "");
    skip_space(&ps);
    while (!empty && !*error) {
        token values[MAX_KEYS];
        int have[MAX_KEYS] = {0};
        expect(&ps, '{', "");
        skip_space(&ps);
        if (ps.p < ps.end && *ps.p == '}') {
            ps.p++;
        } else {
            for (;;) {
                token k, v;
                string_token(&ps, &k);
                expect(&ps, ':', "");
                value_token(&ps, &v);
                for (size_t i = 0; i < nkeys; i++)
                    if (same_key(&keys[i], &k)) {
                        values[i] = v;
                        have[i] = 1;
                    }
                skip_space(&ps);
                if (ps.p < ps.end && *ps.p == ',') {
                    ps.p++;
                    continue;
                }
                expect(&ps, '}', "");
                break;
            }
        }
        for (size_t i = 0; i < nkeys && !*error; i++) {
            if (i)
                putc(',', f);
            if (have[i])
                put_cell(f, &values[i], error);
        }
        putc('\n', f);
        skip_space(&ps);
        if (ps.p < ps.end && *ps.p == ',') {
            ps.p++;
            continue;
        }
        break;
    }
    if (fclose(f) != 0 && !*error)
        *error = "out of memory";
    if (*error) {
        free(csv);
        return NULL;
    }
    *out_len = n;
    return csv;
fail:
    *error = ps.error ? ps.error : "malformed JSON";
    return NULL;
}
