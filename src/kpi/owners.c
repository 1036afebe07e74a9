/* The owners file: parsing, with errors that say where, what was expected
 * and what was found; the entries and the built-in benchmarks. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "kpi/owners_impl.h"

/* ------------------------------------------------------------------ */
/* KPI names                                                           */

typedef struct kpi_name {
    const char *name;
    owners_source source;
    size_t offset;
    ink_owners_unit unit;
    int money;
    int operations;
} kpi_name;

#define VAL(field) offsetof(ink_kpi_values, field)

static const kpi_name kpi_names[] = {
    {"cases", SRC_CASES, 0, INK_OWNERS_COUNT, 0, 0},
    {"open_cases", SRC_OPEN_CASES, 0, INK_OWNERS_COUNT, 0, 0},
    {"resolved_cases", SRC_RESOLVED_CASES, 0, INK_OWNERS_COUNT, 0, 0},
    {"placed_amount", SRC_PLACED, 0, INK_OWNERS_MONEY, 1, 0},
    {"collected_amount", SRC_COLLECTED, 0, INK_OWNERS_MONEY, 1, 0},
    {"recovery_rate", SRC_DOUBLE, VAL(recovery_rate), INK_OWNERS_RATE, 1, 0},
    {"avg_days_to_resolution", SRC_DOUBLE, VAL(avg_days_to_resolution),
     INK_OWNERS_DAYS, 0, 0},
    {"median_days_to_resolution", SRC_DOUBLE, VAL(median_days_to_resolution),
     INK_OWNERS_DAYS, 0, 0},
    {"avg_days_to_first_payment", SRC_DOUBLE, VAL(avg_days_to_first_payment),
     INK_OWNERS_DAYS, 0, 0},
    {"avg_days_first_contact_to_payment", SRC_DOUBLE,
     VAL(avg_days_first_contact_to_payment), INK_OWNERS_DAYS, 0, 0},
    {"first_contact_resolution_rate", SRC_DOUBLE,
     VAL(first_contact_resolution_rate), INK_OWNERS_RATE, 0, 0},
    {"reachability_rate", SRC_DOUBLE, VAL(reachability_rate), INK_OWNERS_RATE,
     0, 0},
    {"valid_contact_rate", SRC_DOUBLE, VAL(valid_contact_rate), INK_OWNERS_RATE,
     0, 0},
    {"attempts_per_reached_debtor", SRC_DOUBLE,
     VAL(attempts_per_reached_debtor), INK_OWNERS_NUMBER, 0, 0},
    {"automation_rate", SRC_DOUBLE, VAL(automation_rate), INK_OWNERS_RATE, 0,
     0},
    {"cost_per_case", SRC_OP_COST_PER_CASE, 0, INK_OWNERS_MONEY, 0, 1},
    {"cases_per_fte", SRC_OP_CASES_PER_FTE, 0, INK_OWNERS_NUMBER, 0, 1},
    {"resolved_per_fte", SRC_OP_RESOLVED_PER_FTE, 0, INK_OWNERS_NUMBER, 0, 1},
};

#define KPI_NAME_COUNT (sizeof kpi_names / sizeof kpi_names[0])

/* "<prefix><days>d" with days 0..36500 written without leading zeros. */
static int window_name(const char *s, const char *prefix, int32_t *days)
{
    size_t n = strlen(prefix);
    if (strncmp(s, prefix, n) != 0)
        return 0;
    s += n;
    int32_t v = 0;
    size_t digits = 0;
    while (s[digits] >= '0' && s[digits] <= '9' && digits < 6)
        v = v * 10 + (s[digits++] - '0');
    if (digits == 0 || (digits > 1 && s[0] == '0') || v > 36500 ||
        strcmp(s + digits, "d") != 0)
        return 0;
    *days = v;
    return 1;
}

/* Fills slot's source for the KPI name; 0 when it is not one. */
static int resolve_kpi(const char *name, owners_slot *slot)
{
    for (size_t k = 0; k < KPI_NAME_COUNT; k++)
        if (strcmp(kpi_names[k].name, name) == 0) {
            slot->source = kpi_names[k].source;
            slot->offset = kpi_names[k].offset;
            slot->pub.unit = kpi_names[k].unit;
            slot->money = kpi_names[k].money;
            slot->operations = kpi_names[k].operations;
            return 1;
        }
    if (window_name(name, "realization_rate_", &slot->window)) {
        slot->source = SRC_REALIZATION;
        slot->pub.unit = INK_OWNERS_RATE;
        slot->money = 1;
        return 1;
    }
    if (window_name(name, "eligible_cases_", &slot->window)) {
        slot->source = SRC_ELIGIBLE;
        slot->pub.unit = INK_OWNERS_COUNT;
        return 1;
    }
    if (strncmp(name, "response_rate.", 14) == 0 && name[14]) {
        slot->source = SRC_RESPONSE;
        slot->channel = name + 14;
        slot->pub.unit = INK_OWNERS_RATE;
        return 1;
    }
    return 0;
}

/* Edit distance of a and b, capped: enough to suggest a near name. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 48 || lb > 48)
        return 99;
    size_t row[49];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *suggest_kpi(const char *name)
{
    static const char *const extra[] = {
        "realization_rate_30d", "eligible_cases_30d", "response_rate.phone"};
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t k = 0; k < KPI_NAME_COUNT + 3; k++) {
        const char *cand =
            k < KPI_NAME_COUNT ? kpi_names[k].name : extra[k - KPI_NAME_COUNT];
        size_t d = distance(name, cand);
        if (d < best_d) {
            best_d = d;
            best = cand;
        }
    }
    return best;
}

/* ------------------------------------------------------------------ */
/* Dimensions                                                          */

static const char *const builtin_dims[] = {
    "case_id",        "debtor_id",   "creditor_id",  "segment",
    "sector",         "region",      "risk_class",   "portfolio",
    "handler",        "opened_on",   "due_on",       "amount",
    "currency",       "closed_on",   "close_reason", "cohort_month",
    "cohort_quarter", "cohort_year", "age_bucket",
};

int ink__owners_builtin_dim(const char *name)
{
    for (size_t k = 0; k < sizeof builtin_dims / sizeof builtin_dims[0]; k++)
        if (strcmp(builtin_dims[k], name) == 0)
            return 1;
    return 0;
}

static int is_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* NULL when value is a possible key of dim, else what was expected. */
static const char *check_dim_value(const char *dim, const char *v)
{
    size_t n = strlen(v);
    int32_t x;
    char canon[INK_DATE_TEXT_MAX];
    if (strcmp(dim, "segment") == 0)
        return strcmp(v, "B2C") == 0 || strcmp(v, "B2B") == 0 ? NULL
                                                              : "B2C or B2B";
    if (strcmp(dim, "currency") == 0) {
        for (size_t i = 0; i < n; i++)
            if (v[i] < 'A' || v[i] > 'Z')
                n = 0;
        return n == 3 ? NULL : "a currency code of 3 upper-case letters";
    }
    if (strcmp(dim, "age_bucket") == 0) {
        static const char *const buckets[] = {"0-30",    "31-90", "91-180",
                                              "181-365", "366+",  "unknown"};
        for (size_t k = 0; k < 6; k++)
            if (strcmp(v, buckets[k]) == 0)
                return NULL;
        return "0-30, 31-90, 91-180, 181-365, 366+ or unknown";
    }
    if (strcmp(dim, "close_reason") == 0) {
        for (int k = INK_CLOSE_PAID; k <= INK_CLOSE_DISPUTED; k++)
            if (strcmp(v, ink_close_reason_name(k)) == 0)
                return NULL;
        return "paid, settled, written_off, recalled or disputed";
    }
    if (strcmp(dim, "cohort_month") == 0)
        return ink_parse_month(v, n, &x) ? NULL : "a month YYYY-MM";
    if (strcmp(dim, "cohort_quarter") == 0)
        return n == 7 && is_digits(v, 4) && v[4] == '-' && v[5] == 'Q' &&
                       v[6] >= '1' && v[6] <= '4'
                   ? NULL
                   : "a quarter YYYY-Qn";
    if (strcmp(dim, "cohort_year") == 0)
        return n == 4 && is_digits(v, 4) ? NULL : "a year YYYY";
    if (strcmp(dim, "opened_on") == 0 || strcmp(dim, "due_on") == 0 ||
        strcmp(dim, "closed_on") == 0) {
        if (!ink_parse_date(v, n, &x))
            return "a date YYYY-MM-DD";
        ink_format_date(x, canon, sizeof canon);
        return strcmp(canon, v) == 0 ? NULL : "a date YYYY-MM-DD";
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Benchmarks (product brief; spec/kpi.md "Benchmarks")                */

static const ink_owners_benchmark benchmarks[] = {
    {"avg_days_to_resolution", NULL, NULL, 30, 60, 1,
     "industry reference: 30-60 days handling"},
    {"avg_days_first_contact_to_payment", NULL, NULL, 5, 15, 1,
     "industry reference: 5-15 days from first contact to first payment "
     "(B2B longer)"},
    {"first_contact_resolution_rate", NULL, NULL, 0.30, 0.50, 0,
     "industry reference: 30-50 % resolved at first contact"},
    {"cost_per_case", "B2C", "EUR", 0, 3, 1,
     "industry reference: about EUR 3 per case acceptable in B2C"},
    {"cost_per_case", "B2B", "EUR", 0, 15, 1,
     "industry reference: up to EUR 15 per case in B2B"},
};

size_t ink_owners_benchmark_count(void)
{
    return sizeof benchmarks / sizeof benchmarks[0];
}

const ink_owners_benchmark *ink_owners_benchmark_at(size_t i)
{
    return i < ink_owners_benchmark_count() ? &benchmarks[i] : NULL;
}

const char *ink_owners_status_name(ink_owners_status status)
{
    switch (status) {
    case INK_OWNERS_MET:
        return "met";
    case INK_OWNERS_MISSED:
        return "missed";
    case INK_OWNERS_NO_VALUE:
        return "no_value";
    }
    return "no_value";
}

/* ------------------------------------------------------------------ */
/* The parser                                                          */

typedef struct parser {
    const char *name;
    ink_error *err;
    int64_t line;
    const char *line_start;
    ink_owners *o;
    size_t cap;
    owners_slot *cur;    /* the open section, or NULL */
    int64_t key_line[3]; /* owner, target, action of cur */
} parser;

/* 1-based column of p in the current line, in characters. */
static int32_t column_of(const parser *ps, const char *p)
{
    int32_t col = 1;
    for (const char *q = ps->line_start; q < p; q++)
        if (((unsigned char)*q & 0xC0) != 0x80)
            col++;
    return col;
}

static ink_status fail_at(parser *ps, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static ink_status fail_at(parser *ps, const char *at, const char *fmt, ...)
{
    ink_error *err = ps->err;
    if (!err)
        return INK_DATA;
    ink_error_clear(err);
    err->status = INK_DATA;
    snprintf(err->file, sizeof err->file, "%s", ps->name);
    err->line = ps->line;
    err->column = at ? column_of(ps, at) : 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return INK_DATA;
}

/* What was found at p, for messages: "end of line" or the rest of the
 * line in quotes, cut at 40 bytes on a character boundary. */
static const char *found(const char *p, char *buf, size_t cap)
{
    if (!*p) {
        snprintf(buf, cap, "end of line");
        return buf;
    }
    size_t n = strlen(p);
    if (n > 40) {
        n = 40;
        while (n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
            n--;
        snprintf(buf, cap, "\"%.*s...\"", (int)n, p);
    } else {
        snprintf(buf, cap, "\"%s\"", p);
    }
    return buf;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static char *skip_space(char *p)
{
    while (is_space(*p))
        p++;
    return p;
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_length(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    /* Overlong forms, surrogates and past U+10FFFF are not UTF-8. */
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return 0;
    return len;
}

/* The line [s, s + n) is UTF-8 without control bytes (tabs allowed). */
static ink_status check_text(parser *ps, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t')
            return fail_at(ps, s + i, "expected text, got control byte 0x%02x",
                           c);
        if (c == 0x7f)
            return fail_at(ps, s + i, "expected text, got control byte 0x7f");
        size_t len = utf8_length((const unsigned char *)s + i, n - i);
        if (len == 0)
            return fail_at(ps, s + i, "expected UTF-8 text, got byte 0x%02x",
                           c);
        i += len;
    }
    return INK_OK;
}

static const char *const key_names[3] = {"owner", "target", "action"};

/* The open section has its three keys. */
static ink_status finish_section(parser *ps)
{
    owners_slot *s = ps->cur;
    if (!s)
        return INK_OK;
    static const char *const want[3] = {
        "owner = <who answers for it>", "target = >= or <= and a number",
        "action = <what to do when the target is missed>"};
    for (int k = 0; k < 3; k++)
        if (!ps->key_line[k]) {
            int64_t line = ps->line;
            ps->line = s->pub.line;
            ps->line_start = NULL;
            fail_at(ps, NULL, "section [%s] has no %s: expected a line %s",
                    s->pub.kpi, key_names[k], want[k]);
            ps->line = line;
            return INK_DATA;
        }
    return INK_OK;
}

static int same_scope(const ink_owners_entry *a, const ink_owners_entry *b)
{
    if (strcmp(a->kpi, b->kpi) != 0 || a->scope_count != b->scope_count)
        return 0;
    for (size_t k = 0; k < a->scope_count; k++)
        if (strcmp(a->scope[k].dim, b->scope[k].dim) != 0 ||
            strcmp(a->scope[k].value, b->scope[k].value) != 0)
            return 0;
    return 1;
}

static int dim_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
}

/* A scope value at p: "quoted" (with \" and \\) or a bare word. Ends it
 * with NUL in place; *next is where parsing goes on. */
static ink_status scope_value(parser *ps, char *p, const char *dim,
                              char **value, char **next)
{
    char buf[64];
    if (*p == '"') {
        char *w = p, *r = p + 1;
        *value = p;
        for (;; r++) {
            if (!*r)
                return fail_at(ps, r,
                               "%s: expected '\"' to close the value, got "
                               "end of line",
                               dim);
            if (*r == '"')
                break;
            if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
                r++;
            *w++ = *r;
        }
        *w = '\0';
        *next = r + 1;
        if (w == p)
            return fail_at(ps, p, "%s: expected a value, got \"\"", dim);
        return INK_OK;
    }
    char *e = p;
    while (*e && !is_space(*e) && *e != ']' && *e != '"')
        e++;
    if (e == p)
        return fail_at(ps, p, "%s: expected a value after '=', got %s", dim,
                       found(p, buf, sizeof buf));
    if (*e == '"')
        return fail_at(ps, e,
                       "%s: expected a value without '\"' (quote the whole "
                       "value), got %s",
                       dim, found(p, buf, sizeof buf));
    *value = p;
    *next = e;
    return INK_OK;
}

static ink_status new_slot(parser *ps, owners_slot **out)
{
    ink_owners *o = ps->o;
    if (o->count == INK_OWNERS_ENTRIES_MAX)
        return fail_at(ps, ps->line_start,
                       "expected at most %d sections, got more",
                       INK_OWNERS_ENTRIES_MAX);
    void *slots = o->slots;
    if (!ink__reserve(&slots, &ps->cap, o->count + 1, sizeof *o->slots))
        return ink__error_set(ps->err, INK_NOMEM, NULL, "out of memory");
    o->slots = slots;
    *out = &o->slots[o->count];
    memset(*out, 0, sizeof **out);
    return INK_OK;
}

/* "[kpi dim=value ...]" at p (the '['). Names and values are ended
 * with NUL in place once the whole header is read, since a ']' may
 * follow them directly. */
static ink_status section(parser *ps, char *p)
{
    char buf[64];
    ink_status st = finish_section(ps);
    if (st != INK_OK)
        return st;
    ps->cur = NULL;
    owners_slot *s = NULL;
    if ((st = new_slot(ps, &s)) != INK_OK)
        return st;
    char *open = p;
    char *name = skip_space(p + 1);
    char *name_end = name;
    while (*name_end && !is_space(*name_end) && *name_end != ']')
        name_end++;
    if (name_end == name)
        return fail_at(ps, name, "expected a KPI name after '[', got %s",
                       found(name, buf, sizeof buf));
    int name_len = (int)(name_end - name);
    char saved = *name_end;
    *name_end = '\0';
    if (!resolve_kpi(name, s)) {
        const char *near = suggest_kpi(name);
        if (near)
            return fail_at(ps, name,
                           "unknown KPI \"%s\": expected a KPI name (did you "
                           "mean %s?)",
                           name, near);
        return fail_at(ps, name,
                       "unknown KPI \"%s\": expected a key of \"kpis\" of "
                       "inkasso kpi --format json, or cost_per_case, "
                       "cases_per_fte, resolved_per_fte",
                       name);
    }
    *name_end = saved;
    char *value_raw[INK_OWNERS_SCOPE_MAX], *value_end[INK_OWNERS_SCOPE_MAX];
    size_t n = 0;
    p = name_end;
    for (;;) {
        p = skip_space(p);
        if (*p == ']')
            break;
        if (!*p)
            return fail_at(ps, p,
                           "expected ']' to close the section, got end of "
                           "line");
        char *dim = p;
        while (dim_char(*p))
            p++;
        if (p == dim)
            return fail_at(ps, dim, "expected dim=value or ']', got %s",
                           found(dim, buf, sizeof buf));
        if (*p != '=')
            return fail_at(ps, p,
                           "expected '=' after the dimension %.*s, got %s",
                           (int)(p - dim), dim, found(p, buf, sizeof buf));
        *p = '\0';
        if (n == INK_OWNERS_SCOPE_MAX)
            return fail_at(ps, dim,
                           "expected at most %d dim=value pairs, got more",
                           INK_OWNERS_SCOPE_MAX);
        for (size_t k = 0; k < n; k++)
            if (strcmp(s->pub.scope[k].dim, dim) == 0)
                return fail_at(ps, dim, "dimension %s given twice", dim);
        if (s->operations && strcmp(dim, "segment") != 0)
            return fail_at(ps, dim,
                           "%.*s comes from costs.csv: expected segment as "
                           "its only dimension, got %s",
                           name_len, name, dim);
        char *value = NULL, *next = NULL;
        int quoted = p[1] == '"';
        if ((st = scope_value(ps, p + 1, dim, &value, &next)) != INK_OK)
            return st;
        if (*next && !is_space(*next) && *next != ']')
            return fail_at(ps, next,
                           "expected a space or ']' after the value of %s, "
                           "got %s",
                           dim, found(next, buf, sizeof buf));
        s->pub.scope[n].dim = dim;
        s->pub.scope[n].value = value;
        s->dim_column[n] = column_of(ps, dim);
        value_raw[n] = p + 1;
        /* A quoted value is already ended (it shrank while unescaping). */
        value_end[n] = quoted ? NULL : next;
        n++;
        p = next;
    }
    /* p is at ']': nothing but blanks may follow. */
    char *rest = skip_space(p + 1);
    if (*rest)
        return fail_at(ps, rest, "expected end of line after ']', got %s",
                       found(rest, buf, sizeof buf));
    *name_end = '\0';
    for (size_t k = 0; k < n; k++)
        if (value_end[k])
            *value_end[k] = '\0';
    s->pub.kpi = name;
    s->pub.line = ps->line;
    s->pub.scope_count = n;
    for (size_t k = 0; k < n; k++) {
        const char *want =
            check_dim_value(s->pub.scope[k].dim, s->pub.scope[k].value);
        if (want)
            return fail_at(ps, value_raw[k], "%s: expected %s, got \"%s\"",
                           s->pub.scope[k].dim, want, s->pub.scope[k].value);
    }
    /* Scope sorted by dim, so that equal scopes compare equal. */
    ink_owners_entry *pub = &s->pub;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i;
             j > 0 && strcmp(pub->scope[j - 1].dim, pub->scope[j].dim) > 0;
             j--) {
            ink_owners_scope t = pub->scope[j];
            pub->scope[j] = pub->scope[j - 1];
            pub->scope[j - 1] = t;
            int32_t c = s->dim_column[j];
            s->dim_column[j] = s->dim_column[j - 1];
            s->dim_column[j - 1] = c;
        }
    for (size_t i = 0; i < ps->o->count; i++)
        if (same_scope(&ps->o->slots[i].pub, pub))
            return fail_at(ps, open,
                           "duplicate section [%s]: the same KPI and scope "
                           "are already at line %lld",
                           pub->kpi, (long long)ps->o->slots[i].pub.line);
    ps->o->count++;
    ps->cur = s;
    memset(ps->key_line, 0, sizeof ps->key_line);
    return INK_OK;
}

static const double pow10_table[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,
                                     1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                     1e12, 1e13, 1e14, 1e15, 1e16, 1e17};

/* "target = >= 0.3" / "<= 45" / ">= 30%" at v. */
static ink_status target(parser *ps, owners_slot *s, char *v)
{
    char buf[64];
    const char *kpi = s->pub.kpi;
    if ((v[0] != '>' && v[0] != '<') || v[1] != '=')
        return fail_at(ps, v, "target: expected >= or <= and a number, got %s",
                       found(v, buf, sizeof buf));
    s->pub.op = v[0] == '>' ? INK_OWNERS_AT_LEAST : INK_OWNERS_AT_MOST;
    char *num = skip_space(v + 2);
    char *p = num;
    uint64_t mantissa = 0;
    int digits = 0, scale = 0;
    while (*p >= '0' && *p <= '9' && digits < 16) {
        mantissa = mantissa * 10 + (uint64_t)(*p++ - '0');
        digits++;
    }
    if (digits && *p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && digits < 16) {
            mantissa = mantissa * 10 + (uint64_t)(*p++ - '0');
            digits++;
            scale++;
        }
        if (scale == 0)
            digits = 0;
    }
    if (digits == 0 || digits > 15 || (*p >= '0' && *p <= '9'))
        return fail_at(ps, num,
                       "target: expected a number (at most 15 digits) after "
                       "%.2s, got %s",
                       v, found(num, buf, sizeof buf));
    int percent = *p == '%';
    char *end = skip_space(p + percent);
    if (*end)
        return fail_at(ps, end,
                       "target: expected end of value after the number, got "
                       "%s",
                       found(end, buf, sizeof buf));
    int rate = s->pub.unit == INK_OWNERS_RATE;
    if (percent && !rate)
        return fail_at(ps, p,
                       "target: %s is not a share: expected a number without "
                       "%%, got \"%.*s\"",
                       kpi, (int)(p + 1 - num), num);
    if (percent)
        scale += 2;
    s->pub.target = (double)mantissa / pow10_table[scale];
    if (rate && s->pub.target > 1.0) {
        if (percent)
            return fail_at(ps, num,
                           "target: expected a percentage from 0%% to 100%%, "
                           "got \"%.*s\"",
                           (int)(p + 1 - num), num);
        return fail_at(ps, num,
                       "target: %s is a fraction: expected a number from 0 "
                       "to 1 or a percentage, got \"%.*s\" (%.*s%%?)",
                       kpi, (int)(p - num), num, (int)(p - num), num);
    }
    s->pub.target_text = v;
    return INK_OK;
}

/* "key = value" at p. */
static ink_status key_value(parser *ps, char *p)
{
    char buf[64];
    char *key = p;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_')
        p++;
    if (p == key)
        return fail_at(ps, key,
                       "expected a section [kpi] or a key (owner, target, "
                       "action), got %s",
                       found(key, buf, sizeof buf));
    int k = 0;
    while (k < 3 && ((size_t)(p - key) != strlen(key_names[k]) ||
                     strncmp(key, key_names[k], (size_t)(p - key)) != 0))
        k++;
    if (k == 3)
        return fail_at(ps, key,
                       "unknown key \"%.*s\": expected owner, target or "
                       "action",
                       (int)(p - key), key);
    if (!ps->cur)
        return fail_at(ps, key,
                       "expected a section [kpi] before the first key, got "
                       "%s",
                       key_names[k]);
    char *eq = skip_space(p);
    if (*eq != '=')
        return fail_at(ps, eq, "expected '=' after %s, got %s", key_names[k],
                       found(eq, buf, sizeof buf));
    if (ps->key_line[k])
        return fail_at(ps, key,
                       "%s given twice in section [%s] (first at "
                       "line %lld)",
                       key_names[k], ps->cur->pub.kpi,
                       (long long)ps->key_line[k]);
    char *v = skip_space(eq + 1);
    char *e = v + strlen(v);
    while (e > v && is_space(e[-1]))
        e--;
    *e = '\0';
    if (!*v)
        return fail_at(ps, v,
                       "%s: expected a value after '=', got end of "
                       "line",
                       key_names[k]);
    ps->key_line[k] = ps->line;
    if (k == 0)
        ps->cur->pub.owner = v;
    else if (k == 2)
        ps->cur->pub.action = v;
    else
        return target(ps, ps->cur, v);
    return INK_OK;
}

static ink_status parse_lines(parser *ps, char *text, size_t len)
{
    char *p = text, *end = text + len;
    ink_status st;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end) {
        ps->line++;
        char *nl = memchr(p, '\n', (size_t)(end - p));
        char *e = nl ? nl : end;
        char *next = nl ? nl + 1 : end;
        if (e > p && e[-1] == '\r')
            e--;
        ps->line_start = p;
        if (e - p > INK_OWNERS_LINE_MAX)
            return fail_at(ps, NULL,
                           "expected a line of at most %d bytes, got %lld",
                           INK_OWNERS_LINE_MAX, (long long)(e - p));
        if ((st = check_text(ps, p, (size_t)(e - p))) != INK_OK)
            return st;
        *e = '\0';
        char *s = skip_space(p);
        if (*s == '[')
            st = section(ps, s);
        else if (*s && *s != '#' && *s != ';')
            st = key_value(ps, s);
        if (st != INK_OK)
            return st;
        p = next;
    }
    return finish_section(ps);
}

ink_status ink_owners_parse(const char *text, size_t len, const char *name,
                            ink_owners **out, ink_error *err)
{
    *out = NULL;
    if (!name)
        name = "";
    if (len > INK_OWNERS_FILE_MAX)
        return ink__error_set(err, INK_LIMIT, name,
                              "expected an owners file of at most %u bytes, "
                              "got %zu",
                              INK_OWNERS_FILE_MAX, len);
    ink_owners *o = calloc(1, sizeof *o);
    if (!o)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    o->text = malloc(len + 1);
    o->name = strdup(name);
    if (!o->text || !o->name) {
        ink_owners_free(o);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    if (len)
        memcpy(o->text, text, len);
    o->text[len] = '\0';
    parser ps = {.name = name, .err = err, .o = o};
    ink_status st = parse_lines(&ps, o->text, len);
    if (st != INK_OK) {
        ink_owners_free(o);
        return st;
    }
    *out = o;
    return INK_OK;
}

ink_status ink_owners_load(const char *path, ink_owners **out, ink_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ink__error_set(err, INK_IO, path, "cannot open: %s",
                              strerror(errno));
    /* One byte more than the limit tells a file that is too long. */
    size_t cap = INK_OWNERS_FILE_MAX + 1;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(f);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    size_t n = fread(buf, 1, cap, f);
    int failed = ferror(f);
    fclose(f);
    ink_status st;
    if (failed)
        st = ink__error_set(err, INK_IO, path, "cannot read: %s",
                            strerror(errno));
    else
        st = ink_owners_parse(buf, n, path, out, err);
    free(buf);
    return st;
}

void ink_owners_free(ink_owners *o)
{
    if (!o)
        return;
    free(o->text);
    free(o->name);
    free(o->slots);
    free(o);
}

const char *ink_owners_name(const ink_owners *o)
{
    return o->name;
}

size_t ink_owners_count(const ink_owners *o)
{
    return o ? o->count : 0;
}

const ink_owners_entry *ink_owners_entry_at(const ink_owners *o, size_t i)
{
    return o && i < o->count ? &o->slots[i].pub : NULL;
}

ink_status ink_owners_check(const ink_owners *o, const ink_portfolio *p,
                            ink_error *err)
{
    if (!o)
        return INK_OK;
    const ink_cases *cs = ink_portfolio_cases(p);
    for (size_t i = 0; i < o->count; i++) {
        const owners_slot *s = &o->slots[i];
        for (size_t k = 0; k < s->pub.scope_count; k++) {
            const char *dim = s->pub.scope[k].dim;
            int known = ink__owners_builtin_dim(dim);
            for (size_t x = 0; !known && x < cs->extra_count; x++)
                known = strcmp(cs->extras[x].name, dim) == 0;
            if (known)
                continue;
            ink__error_set(err, INK_DATA, o->name,
                           "unknown dimension \"%s\": expected a column of "
                           "cases.csv (this portfolio has no such column) or "
                           "cohort_month, cohort_quarter, cohort_year, "
                           "age_bucket",
                           dim);
            if (err) {
                err->line = s->pub.line;
                err->column = s->dim_column[k];
            }
            return INK_DATA;
        }
    }
    return INK_OK;
}
