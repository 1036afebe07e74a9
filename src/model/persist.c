/* A model file: a line-based text header (kind, features, logistic
 * weights, calibration knots, category rates) and XGBoost's own bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "model/model_impl.h"

#define MODEL_MAGIC "inkasso-model 1"
#define MODEL_MAX_BYTES (1ull << 30)
#define MODEL_MAX_KNOTS 100000000u
#define MODEL_MAX_CATEGORIES 10000000u

/* Text of s with bytes <= space, '%', '-' and DEL as %XX; "-" is "". */
static void put_text(FILE *f, const char *s)
{
    if (!*s) {
        fputc('-', f);
        return;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == '%' || *p == '-' || *p == 0x7f)
            fprintf(f, "%%%02X", *p);
        else
            fputc(*p, f);
}

ink_status ink_model_save(const ink_model *m, const char *path, ink_error *err)
{
    char *boosted = NULL;
    size_t boosted_len = 0;
    if (m->kind == INK_MODEL_BOOSTED) {
        ink_status st = ink__boost_save(&m->boost, &boosted, &boosted_len, err);
        if (st != INK_OK)
            return st;
    }
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        free(boosted);
        return ink__error_set(err, INK_NOMEM, path, "out of memory");
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        ink_status st = ink__error_set(err, INK_IO, path, "cannot write: %s",
                                       strerror(errno));
        free(tmp);
        free(boosted);
        return st;
    }
    fprintf(f, "%s\nkind %s\nsource %s\nlabel ", MODEL_MAGIC,
            ink_model_kind_name(m->kind), m->portfolio ? "portfolio" : "table");
    put_text(f, m->label);
    fprintf(f, "\nhorizon_days %d\nmin_share_pct %d\npositive_share %.17g\n",
            (int)m->horizon_days, (int)m->min_share_pct, m->positive_share);
    fprintf(f, "features %zu\n", m->cols);
    for (size_t j = 0; j < m->cols; j++) {
        fputs("f ", f);
        put_text(f, m->names[j]);
        if (m->kind == INK_MODEL_LOGISTIC)
            fprintf(f, " %.17g %.17g %.17g", m->logit.mean[j],
                    m->logit.scale[j], m->logit.weight[j]);
        fputc('\n', f);
    }
    if (m->kind == INK_MODEL_LOGISTIC)
        fprintf(f, "bias %.17g\n", m->logit.bias);
    fprintf(f, "calibration %zu\n", m->cal.count);
    for (size_t i = 0; i < m->cal.count; i++)
        fprintf(f, "c %.17g %.17g\n", m->cal.score[i], m->cal.prob[i]);
    if (m->portfolio)
        for (size_t k = 0; k < INK__CAT_COUNT; k++) {
            fprintf(f, "encoder %zu %.17g\n", m->enc[k].count, m->enc[k].prior);
            for (size_t i = 0; i < m->enc[k].count; i++) {
                fprintf(f, "e %.17g ", m->enc[k].rate[i]);
                put_text(f, m->enc[k].value[i]);
                fputc('\n', f);
            }
        }
    fprintf(f, "boosted %zu\n", boosted_len);
    if (boosted_len)
        fwrite(boosted, 1, boosted_len, f);
    fputs("\nend\n", f);
    free(boosted);
    int failed = ferror(f);
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0) {
        ink_status st = ink__error_set(err, INK_IO, path, "cannot write: %s",
                                       strerror(errno));
        remove(tmp);
        free(tmp);
        return st;
    }
    free(tmp);
    return INK_OK;
}

typedef struct cursor {
    char *pos, *end;
    int64_t line;
    const char *path;
    ink_error *err;
} cursor;

static ink_status bad(cursor *c, const char *what)
{
    ink__error_set(c->err, INK_DATA, c->path, "not an inkasso model file: %s",
                   what);
    if (c->err)
        c->err->line = c->line;
    return INK_DATA;
}

/* The next line, NUL-terminated in place; NULL at the end. */
static char *next_line(cursor *c)
{
    if (c->pos >= c->end)
        return NULL;
    char *line = c->pos;
    char *nl = memchr(c->pos, '\n', (size_t)(c->end - c->pos));
    if (!nl)
        return NULL; /* every line of a model ends with a newline */
    *nl = '\0';
    c->pos = nl + 1;
    c->line++;
    return line;
}

/* Decodes the text token at *s (up to a space or the end) into out (cap
 * bytes); moves *s past it. */
static int get_text(char **s, char *out, size_t cap)
{
    char *p = *s;
    size_t n = 0;
    if (*p == '-' && (p[1] == ' ' || p[1] == '\0')) {
        out[0] = '\0';
        *s = p + 1 + (p[1] == ' ');
        return 1;
    }
    while (*p && *p != ' ') {
        int ch = (unsigned char)*p;
        if (ch == '%') {
            unsigned v;
            if (sscanf(p + 1, "%2x", &v) != 1 || v == 0)
                return 0;
            ch = (int)v;
            p += 3;
        } else {
            p++;
        }
        if (n + 1 >= cap)
            return 0;
        out[n++] = (char)ch;
    }
    if (n == 0)
        return 0;
    out[n] = '\0';
    *s = *p ? p + 1 : p;
    return 1;
}

/* "key value" with value a whole number in [lo, hi]. */
static int get_count(cursor *c, const char *key, unsigned long long lo,
                     unsigned long long hi, unsigned long long *out)
{
    char *line = next_line(c);
    size_t klen = strlen(key);
    if (!line || strncmp(line, key, klen) != 0 || line[klen] != ' ')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(line + klen + 1, &end, 10);
    if (errno || *end || end == line + klen + 1 || v < lo || v > hi)
        return 0;
    *out = v;
    return 1;
}

/* Reads count doubles after a prefix on one line. */
static int get_doubles(char **s, double *out, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        char *end;
        errno = 0;
        out[i] = strtod(*s, &end);
        if (end == *s || errno)
            return 0;
        *s = end;
        if (**s == ' ')
            (*s)++;
        else if (i + 1 < count)
            return 0;
    }
    return 1;
}

static ink_status parse(cursor *c, ink_model **out)
{
    char *line = next_line(c);
    if (!line || strcmp(line, MODEL_MAGIC) != 0)
        return bad(c, "expected the first line \"" MODEL_MAGIC "\"");
    line = next_line(c);
    ink_model_kind kind;
    if (line && strcmp(line, "kind boosted") == 0)
        kind = INK_MODEL_BOOSTED;
    else if (line && strcmp(line, "kind logistic") == 0)
        kind = INK_MODEL_LOGISTIC;
    else
        return bad(c, "expected kind boosted or kind logistic");
    line = next_line(c);
    int portfolio;
    if (line && strcmp(line, "source portfolio") == 0)
        portfolio = 1;
    else if (line && strcmp(line, "source table") == 0)
        portfolio = 0;
    else
        return bad(c, "expected source portfolio or source table");
    char label[INK_MODEL_NAME_MAX];
    line = next_line(c);
    if (!line || strncmp(line, "label ", 6) != 0)
        return bad(c, "expected label");
    char *s = line + 6;
    if (!get_text(&s, label, sizeof label) || *s)
        return bad(c, "expected label NAME");
    unsigned long long horizon, share_pct, cols;
    double positive_share;
    if (!get_count(c, "horizon_days", 0, 365, &horizon) ||
        !get_count(c, "min_share_pct", 0, 100, &share_pct))
        return bad(c, "expected horizon_days and min_share_pct");
    line = next_line(c);
    s = line ? line + 15 : NULL;
    if (!line || strncmp(line, "positive_share ", 15) != 0 ||
        !get_doubles(&s, &positive_share, 1) || *s)
        return bad(c, "expected positive_share");
    if (!get_count(c, "features", 1, INK_MODEL_MAX_FEATURES, &cols))
        return bad(c, "expected features 1 to 256");
    if (portfolio && cols != INK__FEATURE_COUNT)
        return bad(c, "a portfolio model with other features than this "
                      "version's");
    ink_model *m = ink__model_new(kind, portfolio, (size_t)cols);
    if (!m)
        return ink__error_set(c->err, INK_NOMEM, c->path, "out of memory");
    ink_status st = INK_DATA;
    snprintf(m->label, sizeof m->label, "%s", label);
    m->horizon_days = (int32_t)horizon;
    m->min_share_pct = (int32_t)share_pct;
    m->positive_share = positive_share;
    if (kind == INK_MODEL_LOGISTIC) {
        m->logit.cols = (size_t)cols;
        m->logit.mean = ink__calloc_array(cols, sizeof(double));
        m->logit.scale = ink__calloc_array(cols, sizeof(double));
        m->logit.weight = ink__calloc_array(cols, sizeof(double));
        if (!m->logit.mean || !m->logit.scale || !m->logit.weight) {
            st = ink__error_set(c->err, INK_NOMEM, c->path, "out of memory");
            goto fail;
        }
    }
    for (size_t j = 0; j < cols; j++) {
        line = next_line(c);
        if (!line || strncmp(line, "f ", 2) != 0) {
            st = bad(c, "expected a feature line");
            goto fail;
        }
        s = line + 2;
        if (!get_text(&s, m->names[j], INK_MODEL_NAME_MAX)) {
            st = bad(c, "expected a feature name");
            goto fail;
        }
        if (kind == INK_MODEL_LOGISTIC) {
            double v[3];
            if (!get_doubles(&s, v, 3) || *s || !(v[1] > 0)) {
                st = bad(c, "expected a feature's mean, scale and weight");
                goto fail;
            }
            m->logit.mean[j] = v[0];
            m->logit.scale[j] = v[1];
            m->logit.weight[j] = v[2];
        } else if (*s) {
            st = bad(c, "unexpected text after the feature name");
            goto fail;
        }
    }
    if (kind == INK_MODEL_LOGISTIC) {
        line = next_line(c);
        s = line ? line + 5 : NULL;
        if (!line || strncmp(line, "bias ", 5) != 0 ||
            !get_doubles(&s, &m->logit.bias, 1) || *s) {
            st = bad(c, "expected bias");
            goto fail;
        }
    }
    unsigned long long knots;
    if (!get_count(c, "calibration", 0, MODEL_MAX_KNOTS, &knots)) {
        st = bad(c, "expected calibration");
        goto fail;
    }
    m->cal.score = ink__alloc_array(knots, sizeof(double));
    m->cal.prob = ink__alloc_array(knots, sizeof(double));
    if (!m->cal.score || !m->cal.prob) {
        st = ink__error_set(c->err, INK_NOMEM, c->path, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < knots; i++) {
        line = next_line(c);
        double v[2];
        s = line ? line + 2 : NULL;
        if (!line || strncmp(line, "c ", 2) != 0 || !get_doubles(&s, v, 2) ||
            *s || (i && !(v[0] > m->cal.score[i - 1]))) {
            st = bad(c, "expected a calibration knot");
            goto fail;
        }
        m->cal.score[i] = v[0];
        m->cal.prob[i] = v[1];
        m->cal.count = i + 1;
    }
    for (size_t k = 0; portfolio && k < INK__CAT_COUNT; k++) {
        line = next_line(c);
        unsigned long long n;
        char *end;
        if (!line || strncmp(line, "encoder ", 8) != 0) {
            st = bad(c, "expected encoder");
            goto fail;
        }
        errno = 0;
        n = strtoull(line + 8, &end, 10);
        s = end + 1;
        if (errno || *end != ' ' || n > MODEL_MAX_CATEGORIES ||
            !get_doubles(&s, &m->enc[k].prior, 1) || *s) {
            st = bad(c, "expected encoder COUNT PRIOR");
            goto fail;
        }
        ink__encoder *e = &m->enc[k];
        e->value = ink__calloc_array(n, sizeof *e->value);
        e->rate = ink__alloc_array(n, sizeof *e->rate);
        if (!e->value || !e->rate) {
            st = ink__error_set(c->err, INK_NOMEM, c->path, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < n; i++) {
            line = next_line(c);
            s = line ? line + 2 : NULL;
            if (!line || strncmp(line, "e ", 2) != 0 ||
                !get_doubles(&s, &e->rate[i], 1)) {
                st = bad(c, "expected a category rate");
                goto fail;
            }
            /* The value is the rest of the line, escaped. */
            size_t cap = strlen(s) + 1;
            char *v = malloc(cap);
            if (!v) {
                st =
                    ink__error_set(c->err, INK_NOMEM, c->path, "out of memory");
                goto fail;
            }
            if (*s == ' ' || !get_text(&s, v, cap) || *s) {
                free(v);
                st = bad(c, "expected a category rate and value");
                goto fail;
            }
            e->value[i] = v;
            e->count = i + 1;
        }
    }
    unsigned long long blen;
    if (!get_count(c, "boosted", 0, MODEL_MAX_BYTES, &blen) ||
        (kind == INK_MODEL_BOOSTED) != (blen > 0) ||
        blen + 5 > (unsigned long long)(c->end - c->pos)) {
        st = bad(c, "expected boosted BYTES and as many bytes");
        goto fail;
    }
    if (blen) {
        st = ink__boost_load(c->pos, (size_t)blen, 0, &m->boost, c->err);
        if (st != INK_OK)
            goto fail;
    }
    c->pos += blen;
    if ((size_t)(c->end - c->pos) != 5 || memcmp(c->pos, "\nend\n", 5) != 0) {
        st = bad(c, "expected the model to end with \"end\"");
        goto fail;
    }
    *out = m;
    return INK_OK;
fail:
    ink_model_free(m);
    return st;
}

ink_status ink__read_file(const char *path, size_t max, const char *limit,
                          char **out, size_t *size, ink_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ink__error_set(err, INK_IO, path, "cannot open: %s",
                              strerror(errno));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len == cap) {
            char *grown = cap < max ? realloc(buf, cap * 2) : NULL;
            if (!grown) {
                free(buf);
                fclose(f);
                return cap < max ? ink__error_set(err, INK_NOMEM, path,
                                                  "out of memory")
                                 : ink__error_set(err, INK_LIMIT, path,
                                                  "larger than %s", limit);
            }
            buf = grown;
            cap *= 2;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf)
        return ink__error_set(err, INK_NOMEM, path, "out of memory");
    if (failed) {
        free(buf);
        return ink__error_set(err, INK_IO, path, "cannot read");
    }
    *out = buf;
    *size = len;
    return INK_OK;
}

ink_status ink_model_load(const char *path, ink_model **out, ink_error *err)
{
    *out = NULL;
    char *buf;
    size_t len = 0;
    ink_status st =
        ink__read_file(path, MODEL_MAX_BYTES, "1 GiB", &buf, &len, err);
    if (st != INK_OK)
        return st;
    cursor c = {buf, buf + len, 0, path, err};
    st = parse(&c, out);
    free(buf);
    return st;
}
