/* Row parsers of the loader: each field of the contract decoded and
 * checked, in contract order, into a chunk's columns. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/dict.h"
#include "core/hash.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "io/loader.h"

/* In contract order: fields are checked in this order. */
static const field_spec case_fields[] = {
    {"case_id", F_ID, 1},
    {"debtor_id", F_TEXT, 1},
    {"creditor_id", F_TEXT, 0},
    {"segment", F_SEGMENT, 1},
    {"sector", F_TEXT, 0},
    {"region", F_TEXT, 0},
    {"risk_class", F_TEXT, 0},
    {"portfolio", F_TEXT, 0},
    {"handler", F_TEXT, 0},
    {"opened_on", F_DATE, 1},
    {"due_on", F_DATE, 0},
    {"amount", F_MONEY, 1},
    {"currency", F_CURRENCY, 1},
    {"closed_on", F_DATE, 0},
    {"close_reason", F_CLOSE_REASON, 0},
};

static const field_spec payment_fields[] = {
    {"payment_id", F_ID, 1},     {"case_id", F_CASE_REF, 1},
    {"paid_on", F_DATE, 1},      {"amount", F_MONEY, 1},
    {"currency", F_CURRENCY, 1}, {"method", F_TEXT, 0},
};

static const field_spec contact_fields[] = {
    {"contact_id", F_ID, 1},       {"case_id", F_CASE_REF, 1},
    {"at", F_TIMESTAMP, 1},        {"channel", F_TEXT, 1},
    {"direction", F_DIRECTION, 1}, {"outcome", F_OUTCOME, 1},
    {"automated", F_FLAG, 0},      {"agent_id", F_TEXT, 0},
    {"cost", F_MONEY, 0},
};

static const field_spec cost_fields[] = {
    {"period", F_MONTH, 1}, {"segment", F_SEGMENT, 0},   {"fte", F_FTE, 1},
    {"cost", F_MONEY, 1},   {"currency", F_CURRENCY, 1},
};

const file_spec ink__file_specs[INK_FILE_COUNT] = {
    {case_fields, sizeof case_fields / sizeof case_fields[0], CASE_NCOLS},
    {payment_fields, PF_COUNT, PAY_NCOLS},
    {contact_fields, CF_COUNT, CON_NCOLS},
    {cost_fields, KF_COUNT, COST_NCOLS},
};

const ink__col_kind ink__case_kinds[CASE_NCOLS] = {
    INK_COL_ID,   INK_COL_TEXT, INK_COL_TEXT, INK_COL_U8,
    INK_COL_TEXT, INK_COL_TEXT, INK_COL_TEXT, INK_COL_TEXT,
    INK_COL_TEXT, INK_COL_I32,  INK_COL_I32,  INK_COL_I64,
    INK_COL_TEXT, INK_COL_I32,  INK_COL_U8,   INK_COL_U32};
const char *const ink__case_names[CASE_NCOLS] = {
    "case_id",    "debtor_id", "creditor_id",  "segment",   "sector", "region",
    "risk_class", "portfolio", "handler",      "opened_on", "due_on", "amount",
    "currency",   "closed_on", "close_reason", "line"};
const ink__col_kind ink__pay_kinds[PAY_NCOLS] = {INK_COL_ID,   INK_COL_U32,
                                                 INK_COL_I32,  INK_COL_I64,
                                                 INK_COL_TEXT, INK_COL_U32};
const char *const ink__pay_names[PAY_NCOLS] = {
    "payment_id", "case_id", "paid_on", "amount", "method", "line"};
const ink__col_kind ink__con_kinds[CON_NCOLS] = {
    INK_COL_ID,  INK_COL_U32,  INK_COL_I32, INK_COL_I32,
    INK_COL_I16, INK_COL_TEXT, INK_COL_U8,  INK_COL_U8,
    INK_COL_U8,  INK_COL_TEXT, INK_COL_I64, INK_COL_U32};
const char *const ink__con_names[CON_NCOLS] = {
    "contact_id", "case_id", "date",      "seconds",  "utc_offset", "channel",
    "direction",  "outcome", "automated", "agent_id", "cost",       "line"};
const ink__col_kind ink__cost_kinds[COST_NCOLS] = {
    INK_COL_I32, INK_COL_U8,   INK_COL_DECIMAL,
    INK_COL_I64, INK_COL_TEXT, INK_COL_U32};
const char *const ink__cost_names[COST_NCOLS] = {"period", "segment",  "fte",
                                                 "cost",   "currency", "line"};

/* ---------------------------------------------------------------- */
/* Messages                                                         */

/* Appends s to buf as a quoted, escaped, shortened value. */
void ink__quote_value(char *buf, size_t cap, const char *s, size_t len)
{
    size_t n = 0;
    const size_t max_shown = 60;
    if (cap < 8)
        return;
    buf[n++] = '"';
    for (size_t i = 0; i < len && i < max_shown && n + 6 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20 || c == 0x7f) {
            n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", c);
        } else {
            buf[n++] = (char)c;
        }
    }
    if (len > max_shown && n + 4 < cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n++] = '"';
    buf[n] = '\0';
}

static int text_add(chunk *ch, const char *s, size_t len, size_t *off)
{
    void *p = ch->text;
    if (!ink__reserve(&p, &ch->text_cap, ch->text_len + len + 1, 1))
        return 0;
    ch->text = p;
    memcpy(ch->text + ch->text_len, s, len);
    ch->text[ch->text_len + len] = '\0';
    *off = ch->text_len;
    ch->text_len += len + 1;
    return 1;
}

/*
 * Records that the row of rec is invalid. Returns 0 so callers can
 * `return ink__row_fail(...)`. position is the 1-based field position in
 * the record (0 when it has none), field the column's name.
 */

int ink__row_fail(chunk *ch, const ink_csv_record *rec, uint32_t position,
                  const char *field, ink_reason reason, const char *fmt, ...)
{
    char msg[INK_ERROR_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!ch->fc->lenient) {
        ink_error *e = &ch->error;
        e->status = INK_DATA;
        snprintf(e->file, sizeof e->file, "%s", ch->fc->name);
        e->line = rec->line;
        e->column = (int32_t)position;
        snprintf(e->field, sizeof e->field, "%s", field ? field : "");
        snprintf(e->message, sizeof e->message, "%s", msg);
        ch->error_reason = reason;
        ch->failed = 1;
        return 0;
    }
    if (!ink__reserve((void **)&ch->rejects, &ch->rejects_cap, ch->nrejects + 1,
                      sizeof *ch->rejects)) {
        ch->status = INK_NOMEM;
        return 0;
    }
    reject_row *r = &ch->rejects[ch->nrejects];
    r->file = ch->fc->kind;
    r->line = rec->line;
    r->column = (int32_t)position;
    r->reason = reason;
    r->field_len = field ? strlen(field) : 0;
    r->msg_len = strlen(msg);
    r->raw_len = (size_t)(rec->raw_end - rec->raw);
    if (!text_add(ch, field ? field : "", r->field_len, &r->field_off) ||
        !text_add(ch, msg, r->msg_len, &r->msg_off) ||
        !text_add(ch, rec->raw, r->raw_len, &r->raw_off)) {
        ch->status = INK_NOMEM;
        return 0;
    }
    ch->nrejects++;
    return 0;
}

/* ---------------------------------------------------------------- */
/* Field decoding                                                   */

typedef struct field {
    const char *s;
    size_t len;
    uint32_t position; /* 1-based, 0 when the column is absent */
    const char *name;
} field;

static field get_field(const chunk *ch, const ink_csv_record *rec, int spec)
{
    const file_ctx *fc = ch->fc;
    field f = {NULL, 0, 0, fc->spec->fields[spec].name};
    int pos = fc->pos[spec];
    if (pos >= 0) {
        f.s = rec->field[pos];
        f.len = rec->len[pos];
        f.position = (uint32_t)pos + 1;
    }
    return f;
}

static int missing(const field *f)
{
    return f->len == 0;
}

/* Fails the row when a required field is empty. */
static int need(chunk *ch, const ink_csv_record *rec, const field *f)
{
    if (!missing(f))
        return 1;
    return ink__row_fail(ch, rec, f->position, f->name,
                         INK_REASON_MISSING_FIELD, "required field is missing");
}

static int bad_value(chunk *ch, const ink_csv_record *rec, const field *f,
                     ink_reason reason, const char *expected)
{
    char got[200];
    ink__quote_value(got, sizeof got, f->s, f->len);
    return ink__row_fail(ch, rec, f->position, f->name, reason,
                         "expected %s, got %s", expected, got);
}

static int eq(const field *f, const char *word)
{
    size_t n = strlen(word);
    return f->len == n && ink__bytes_equal(f->s, word, n);
}

/* Looks f up among names[1..count-1]; 0 when unknown. */
static int enum_code(const field *f, const char *const *names, int count)
{
    for (int i = 1; i < count; i++)
        if (eq(f, names[i]))
            return i;
    return 0;
}

static const char *const segment_names[] = {NULL, "B2C", "B2B"};
static const char *const close_names[] = {
    NULL, "paid", "settled", "written_off", "recalled", "disputed"};
static const char *const direction_names[] = {NULL, "out", "in"};
static const char *const outcome_names[] = {NULL, "invalid", "no_response",
                                            "delivered", "responded"};

static int decode_enum(chunk *ch, const ink_csv_record *rec, const field *f,
                       const char *const *names, int count,
                       const char *expected, uint8_t *out)
{
    int v = enum_code(f, names, count);
    if (!v)
        return bad_value(ch, rec, f, INK_REASON_UNKNOWN_ENUM, expected);
    *out = (uint8_t)v;
    return 1;
}

static int decode_date(chunk *ch, const ink_csv_record *rec, const field *f,
                       int32_t *out)
{
    if (ink_parse_date(f->s, f->len, out))
        return 1;
    return bad_value(ch, rec, f, INK_REASON_BAD_VALUE,
                     "a date YYYY-MM-DD that exists");
}

/* The form -?[0-9]+(\.[0-9]{1,4})? without the range check. */
static int money_form(const char *s, size_t len)
{
    size_t i = s[0] == '-', digits = 0, decimals = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, decimals++;
        if (decimals == 0 || decimals > 4)
            return 0;
    }
    return digits > 0 && i == len;
}

static int decode_money(chunk *ch, const ink_csv_record *rec, const field *f,
                        int64_t *out)
{
    if (ink_parse_money(f->s, f->len, out))
        return 1;
    if (money_form(f->s, f->len))
        return bad_value(ch, rec, f, INK_REASON_BAD_VALUE,
                         "an amount between -922337203685477.5807 and "
                         "922337203685477.5807");
    return bad_value(ch, rec, f, INK_REASON_BAD_VALUE,
                     "a decimal with at most 4 decimals");
}

static int decode_currency(chunk *ch, const ink_csv_record *rec, const field *f,
                           ink_dict *dict, uint32_t *out)
{
    if (f->len != 3 || f->s[0] < 'A' || f->s[0] > 'Z' || f->s[1] < 'A' ||
        f->s[1] > 'Z' || f->s[2] < 'A' || f->s[2] > 'Z')
        return bad_value(ch, rec, f, INK_REASON_BAD_VALUE,
                         "a currency of 3 upper-case letters (ISO 4217)");
    *out = ink__dict_intern(dict, f->s, 3, ink__hash(f->s, 3));
    if (!*out) {
        ch->status = INK_NOMEM;
        return 0;
    }
    return 1;
}

/* Interns an optional text value (0 when missing). */
static int decode_text(chunk *ch, const field *f, ink_dict *dict, uint32_t *out)
{
    if (missing(f)) {
        *out = 0;
        return 1;
    }
    /* Most text columns hold few distinct values (sector, region,
     * channel) or repeat the row before (a case's contacts): a small
     * direct-mapped cache per column, keyed by the length and the end
     * bytes, skips most hash computations and lookups. */
    unsigned char first = (unsigned char)f->s[0],
                  last = (unsigned char)f->s[f->len - 1];
    size_t way = (f->len * 7u ^ first ^ (size_t)last << 2) % TEXT_CACHE_WAYS;
    text_cache *cache = &ch->text_cache[f->position % TEXT_CACHE_COLUMNS][way];
    if (cache->dict == dict && cache->len == f->len &&
        ink__bytes_equal(cache->value, f->s, f->len)) {
        *out = cache->code;
        return 1;
    }
    *out = ink__dict_intern(dict, f->s, f->len, ink__hash(f->s, f->len));
    if (!*out) {
        ch->status = INK_NOMEM;
        return 0;
    }
    if (f->len <= sizeof cache->value) {
        memcpy(cache->value, f->s, f->len);
        cache->len = f->len;
        cache->code = *out;
        cache->dict = dict;
    }
    return 1;
}

/* Finds the case of a case_id field: its row, or fails the row. */
static int decode_case_ref(chunk *ch, const ink_csv_record *rec, const field *f,
                           uint32_t *row)
{
    /* Exports are usually ordered by case: the row before very often has
     * the same case, and a memcmp is far cheaper than a hash lookup that
     * misses the cache. */
    if (ch->last_case_len == f->len && f->len <= sizeof ch->last_case &&
        ink__bytes_equal(ch->last_case, f->s, f->len)) {
        *row = ch->last_case_row;
        return 1;
    }
    const ink_dict *ids = ch->fc->cases->cols[CASE_ID].dict;
    uint32_t code = 0;
    /* And exports sorted by case usually follow cases.csv's order: the
     * case after the previous one is read sequentially, from cache. */
    if (ch->last_case_len != SIZE_MAX) {
        size_t len;
        const char *next = ink_dict_get(ids, ch->last_case_row + 2, &len);
        if (next && len == f->len && ink__bytes_equal(next, f->s, len))
            code = ch->last_case_row + 2;
    }
    if (!code)
        code = ink_dict_find(ids, f->s, f->len);
    if (code && f->len <= sizeof ch->last_case) {
        memcpy(ch->last_case, f->s, f->len);
        ch->last_case_len = f->len;
        ch->last_case_row = code - 1;
    }
    if (!code) {
        char got[200];
        ink__quote_value(got, sizeof got, f->s, f->len);
        return ink__row_fail(ch, rec, f->position, f->name,
                             INK_REASON_UNKNOWN_CASE,
                             "unknown case_id %s: not in cases.csv", got);
    }
    *row = code - 1;
    return 1;
}

/* ---------------------------------------------------------------- */
/* Rows                                                             */

static int add_id(chunk *ch, ink__table *t, const field *f)
{
    ink_dict *ids = t->cols[0].dict;
    /* Payment and contact ids get hashes only if they turn out not to
     * ascend (see check_ids): most exports number their rows. */
    if (!ink__dict_append(ids, f->s, f->len,
                          ids->hashes ? ink__hash(f->s, f->len) : 0)) {
        ch->status = INK_NOMEM;
        return 0;
    }
    return 1;
}

static int case_row(chunk *ch, const ink_csv_record *rec)
{
    ink__table *t = &ch->table;
    size_t row = t->rows;
    field f[CASE_REASON + 1];
    for (int i = 0; i <= CASE_REASON; i++)
        f[i] = get_field(ch, rec, i);
    uint32_t codes[CASE_NCOLS] = {0};
    uint8_t segment = 0, reason = 0;
    int32_t opened = 0, due = INK_DATE_NONE, closed = INK_DATE_NONE;
    int64_t amount = 0;

    if (!need(ch, rec, &f[CASE_ID]) || !need(ch, rec, &f[CASE_DEBTOR]))
        return 0;
    if (!decode_text(ch, &f[CASE_DEBTOR], t->cols[CASE_DEBTOR].dict,
                     &codes[CASE_DEBTOR]) ||
        !decode_text(ch, &f[CASE_CREDITOR], t->cols[CASE_CREDITOR].dict,
                     &codes[CASE_CREDITOR]))
        return 0;
    if (!need(ch, rec, &f[CASE_SEGMENT]) ||
        !decode_enum(ch, rec, &f[CASE_SEGMENT], segment_names, 3, "B2C or B2B",
                     &segment))
        return 0;
    for (int c = CASE_SECTOR; c <= CASE_HANDLER; c++)
        if (!decode_text(ch, &f[c], t->cols[c].dict, &codes[c]))
            return 0;
    if (!need(ch, rec, &f[CASE_OPENED]) ||
        !decode_date(ch, rec, &f[CASE_OPENED], &opened))
        return 0;
    if (!missing(&f[CASE_DUE]) && !decode_date(ch, rec, &f[CASE_DUE], &due))
        return 0;
    if (!need(ch, rec, &f[CASE_AMOUNT]) ||
        !decode_money(ch, rec, &f[CASE_AMOUNT], &amount))
        return 0;
    if (amount <= 0)
        return bad_value(ch, rec, &f[CASE_AMOUNT],
                         INK_REASON_NONPOSITIVE_AMOUNT, "an amount > 0");
    if (!need(ch, rec, &f[CASE_CURRENCY]) ||
        !decode_currency(ch, rec, &f[CASE_CURRENCY],
                         t->cols[CASE_CURRENCY].dict, &codes[CASE_CURRENCY]))
        return 0;
    if (!missing(&f[CASE_CLOSED])) {
        if (!decode_date(ch, rec, &f[CASE_CLOSED], &closed))
            return 0;
        if (closed < opened) {
            char c[INK_DATE_TEXT_MAX], o[INK_DATE_TEXT_MAX];
            ink_format_date(closed, c, sizeof c);
            ink_format_date(opened, o, sizeof o);
            return ink__row_fail(ch, rec, f[CASE_CLOSED].position, "closed_on",
                                 INK_REASON_CLOSED_BEFORE_OPENED,
                                 "closed_on %s is before opened_on %s", c, o);
        }
    }
    if (!missing(&f[CASE_REASON]) &&
        !decode_enum(ch, rec, &f[CASE_REASON], close_names, 6,
                     "one of paid, settled, written_off, recalled, disputed",
                     &reason))
        return 0;
    if (reason && closed == INK_DATE_NONE)
        return ink__row_fail(ch, rec,
                             f[CASE_CLOSED].position ? f[CASE_CLOSED].position
                                                     : f[CASE_REASON].position,
                             "closed_on", INK_REASON_CLOSE_MISMATCH,
                             "required when close_reason is given");
    if (!reason && closed != INK_DATE_NONE)
        return ink__row_fail(ch, rec,
                             f[CASE_REASON].position ? f[CASE_REASON].position
                                                     : f[CASE_CLOSED].position,
                             "close_reason", INK_REASON_CLOSE_MISMATCH,
                             "required when closed_on is given");
    const file_ctx *fc = ch->fc;
    for (size_t x = 0; x < fc->nextras; x++) {
        /* An ingest's rows may lack an extra column the portfolio has. */
        if (fc->extra_pos[x] == UINT32_MAX) {
            COL(t, CASE_NCOLS + x, uint32_t)[row] = 0;
            continue;
        }
        field e = {rec->field[fc->extra_pos[x]], rec->len[fc->extra_pos[x]],
                   fc->extra_pos[x] + 1, NULL};
        if (!decode_text(ch, &e, t->cols[CASE_NCOLS + x].dict,
                         &COL(t, CASE_NCOLS + x, uint32_t)[row]))
            return 0;
    }
    if (!add_id(ch, t, &f[CASE_ID]))
        return 0;
    for (int c = CASE_DEBTOR; c <= CASE_HANDLER; c++)
        if (c != CASE_SEGMENT)
            COL(t, c, uint32_t)[row] = codes[c];
    COL(t, CASE_SEGMENT, uint8_t)[row] = segment;
    COL(t, CASE_OPENED, int32_t)[row] = opened;
    COL(t, CASE_DUE, int32_t)[row] = due;
    COL(t, CASE_AMOUNT, int64_t)[row] = amount;
    COL(t, CASE_CURRENCY, uint32_t)[row] = codes[CASE_CURRENCY];
    COL(t, CASE_CLOSED, int32_t)[row] = closed;
    COL(t, CASE_REASON, uint8_t)[row] = reason;
    COL(t, CASE_LINE, uint32_t)[row] = (uint32_t)rec->line;
    t->rows++;
    return 1;
}

/* Fails a row dated before its case was opened. */
static int check_not_before_opened(chunk *ch, const ink_csv_record *rec,
                                   const field *f, int32_t date,
                                   uint32_t case_row_index)
{
    int32_t opened = COL(ch->fc->cases, CASE_OPENED, int32_t)[case_row_index];
    if (date >= opened)
        return 1;
    char d[INK_DATE_TEXT_MAX], o[INK_DATE_TEXT_MAX];
    ink_format_date(date, d, sizeof d);
    ink_format_date(opened, o, sizeof o);
    return ink__row_fail(ch, rec, f->position, f->name,
                         INK_REASON_BEFORE_OPENED,
                         "%s is before the case's opened_on %s", d, o);
}

static int payment_row(chunk *ch, const ink_csv_record *rec)
{
    ink__table *t = &ch->table;
    const ink__table *cases = ch->fc->cases;
    size_t row = t->rows;
    field f[PF_COUNT];
    for (int i = 0; i < PF_COUNT; i++)
        f[i] = get_field(ch, rec, i);
    uint32_t case_index = 0, method = 0;
    int32_t paid_on = 0;
    int64_t amount = 0;
    if (!need(ch, rec, &f[PF_ID]) || !need(ch, rec, &f[PF_CASE]) ||
        !decode_case_ref(ch, rec, &f[PF_CASE], &case_index))
        return 0;
    if (!need(ch, rec, &f[PF_DATE]) ||
        !decode_date(ch, rec, &f[PF_DATE], &paid_on) ||
        !check_not_before_opened(ch, rec, &f[PF_DATE], paid_on, case_index))
        return 0;
    if (!need(ch, rec, &f[PF_AMOUNT]) ||
        !decode_money(ch, rec, &f[PF_AMOUNT], &amount))
        return 0;
    if (amount == 0)
        return bad_value(ch, rec, &f[PF_AMOUNT], INK_REASON_ZERO_PAYMENT,
                         "a non-zero amount");
    if (!need(ch, rec, &f[PF_CURRENCY]))
        return 0;
    uint32_t case_currency = COL(cases, CASE_CURRENCY, uint32_t)[case_index];
    size_t cur_len;
    const char *cur =
        ink_dict_get(cases->cols[CASE_CURRENCY].dict, case_currency, &cur_len);
    if (f[PF_CURRENCY].len != cur_len ||
        memcmp(f[PF_CURRENCY].s, cur, cur_len) != 0) {
        char expected[64], id[120];
        ink__quote_value(id, sizeof id, f[PF_CASE].s, f[PF_CASE].len);
        snprintf(expected, sizeof expected, "%s", cur);
        char got[200];
        ink__quote_value(got, sizeof got, f[PF_CURRENCY].s, f[PF_CURRENCY].len);
        return ink__row_fail(ch, rec, f[PF_CURRENCY].position, "currency",
                             INK_REASON_CURRENCY_MISMATCH,
                             "expected %s (the currency of case %s), got %s",
                             expected, id, got);
    }
    if (!decode_text(ch, &f[PF_METHOD], t->cols[PAY_METHOD].dict, &method))
        return 0;
    if (!add_id(ch, t, &f[PF_ID]))
        return 0;
    COL(t, PAY_CASE, uint32_t)[row] = case_index;
    COL(t, PAY_DATE, int32_t)[row] = paid_on;
    COL(t, PAY_AMOUNT, int64_t)[row] = amount;
    COL(t, PAY_METHOD, uint32_t)[row] = method;
    COL(t, PAY_LINE, uint32_t)[row] = (uint32_t)rec->line;
    t->rows++;
    return 1;
}

static int contact_row(chunk *ch, const ink_csv_record *rec)
{
    ink__table *t = &ch->table;
    size_t row = t->rows;
    field f[CF_COUNT];
    for (int i = 0; i < CF_COUNT; i++)
        f[i] = get_field(ch, rec, i);
    uint32_t case_index = 0, channel = 0, agent = 0;
    int32_t date = 0, seconds = 0;
    int16_t offset = 0;
    uint8_t direction = 0, outcome = 0, automated = 0;
    int64_t cost = INK_MONEY_NONE;
    if (!need(ch, rec, &f[CF_ID]) || !need(ch, rec, &f[CF_CASE]) ||
        !decode_case_ref(ch, rec, &f[CF_CASE], &case_index))
        return 0;
    if (!need(ch, rec, &f[CF_AT]))
        return 0;
    if (!ink_parse_timestamp(f[CF_AT].s, f[CF_AT].len, &date, &seconds,
                             &offset))
        return bad_value(ch, rec, &f[CF_AT], INK_REASON_BAD_VALUE,
                         "a timestamp YYYY-MM-DDTHH:MM:SS with optional "
                         "fraction and Z or +HH:MM");
    if (!check_not_before_opened(ch, rec, &f[CF_AT], date, case_index))
        return 0;
    if (!need(ch, rec, &f[CF_CHANNEL]) ||
        !decode_text(ch, &f[CF_CHANNEL], t->cols[CON_CHANNEL].dict, &channel))
        return 0;
    if (!need(ch, rec, &f[CF_DIRECTION]) ||
        !decode_enum(ch, rec, &f[CF_DIRECTION], direction_names, 3, "out or in",
                     &direction))
        return 0;
    if (!need(ch, rec, &f[CF_OUTCOME]) ||
        !decode_enum(ch, rec, &f[CF_OUTCOME], outcome_names, 5,
                     "one of invalid, no_response, delivered, responded",
                     &outcome))
        return 0;
    if (direction == INK_DIRECTION_IN && outcome != INK_OUTCOME_RESPONDED)
        return bad_value(ch, rec, &f[CF_OUTCOME],
                         INK_REASON_INBOUND_NOT_RESPONDED,
                         "responded (inbound contacts are always responded)");
    if (!missing(&f[CF_AUTOMATED])) {
        if (eq(&f[CF_AUTOMATED], "1"))
            automated = 1;
        else if (!eq(&f[CF_AUTOMATED], "0"))
            return bad_value(ch, rec, &f[CF_AUTOMATED], INK_REASON_BAD_VALUE,
                             "1, 0 or empty");
    }
    if (!decode_text(ch, &f[CF_AGENT], t->cols[CON_AGENT].dict, &agent))
        return 0;
    if (!missing(&f[CF_COST]) && !decode_money(ch, rec, &f[CF_COST], &cost))
        return 0;
    if (!add_id(ch, t, &f[CF_ID]))
        return 0;
    COL(t, CON_CASE, uint32_t)[row] = case_index;
    COL(t, CON_DATE, int32_t)[row] = date;
    COL(t, CON_SECONDS, int32_t)[row] = seconds;
    COL(t, CON_OFFSET, int16_t)[row] = offset;
    COL(t, CON_CHANNEL, uint32_t)[row] = channel;
    COL(t, CON_DIRECTION, uint8_t)[row] = direction;
    COL(t, CON_OUTCOME, uint8_t)[row] = outcome;
    COL(t, CON_AUTOMATED, uint8_t)[row] = automated;
    COL(t, CON_AGENT, uint32_t)[row] = agent;
    COL(t, CON_COST, int64_t)[row] = cost;
    COL(t, CON_LINE, uint32_t)[row] = (uint32_t)rec->line;
    t->rows++;
    return 1;
}

static int cost_row(chunk *ch, const ink_csv_record *rec)
{
    ink__table *t = &ch->table;
    size_t row = t->rows;
    field f[KF_COUNT];
    for (int i = 0; i < KF_COUNT; i++)
        f[i] = get_field(ch, rec, i);
    int32_t period = 0;
    uint8_t segment = 0;
    ink_decimal fte = {0, 0};
    int64_t cost = 0;
    uint32_t currency = 0;
    if (!need(ch, rec, &f[KF_PERIOD]))
        return 0;
    if (!ink_parse_month(f[KF_PERIOD].s, f[KF_PERIOD].len, &period))
        return bad_value(ch, rec, &f[KF_PERIOD], INK_REASON_BAD_VALUE,
                         "a month YYYY-MM");
    if (!missing(&f[KF_SEGMENT]) &&
        !decode_enum(ch, rec, &f[KF_SEGMENT], segment_names, 3,
                     "B2C, B2B or empty", &segment))
        return 0;
    if (!need(ch, rec, &f[KF_FTE]))
        return 0;
    if (!ink_parse_decimal(f[KF_FTE].s, f[KF_FTE].len, &fte.units, &fte.scale))
        return bad_value(ch, rec, &f[KF_FTE], INK_REASON_BAD_VALUE,
                         "a decimal number >= 0 (at most 18 digits)");
    if (!need(ch, rec, &f[KF_COST]) ||
        !decode_money(ch, rec, &f[KF_COST], &cost))
        return 0;
    if (cost < 0)
        return bad_value(ch, rec, &f[KF_COST], INK_REASON_BAD_VALUE,
                         "an amount >= 0");
    if (!need(ch, rec, &f[KF_CURRENCY]) ||
        !decode_currency(ch, rec, &f[KF_CURRENCY], t->cols[COST_CURRENCY].dict,
                         &currency))
        return 0;
    if (ch->segment_currency[segment] &&
        ch->segment_currency[segment] != currency) {
        const char *want = ink_dict_get(t->cols[COST_CURRENCY].dict,
                                        ch->segment_currency[segment], NULL);
        char got[64];
        ink__quote_value(got, sizeof got, f[KF_CURRENCY].s, f[KF_CURRENCY].len);
        return ink__row_fail(ch, rec, f[KF_CURRENCY].position, "currency",
                             INK_REASON_COSTS_CURRENCY,
                             "expected %s like the earlier rows of segment %s "
                             "(line %lld), got %s",
                             want, segment ? segment_names[segment] : "(empty)",
                             (long long)ch->segment_currency_line[segment],
                             got);
    }
    ch->segment_currency[segment] = currency;
    if (!ch->segment_currency_line[segment])
        ch->segment_currency_line[segment] = rec->line;
    COL(t, COST_PERIOD, int32_t)[row] = period;
    COL(t, COST_SEGMENT, uint8_t)[row] = segment;
    COL(t, COST_FTE, ink_decimal)[row] = fte;
    COL(t, COST_AMOUNT, int64_t)[row] = cost;
    COL(t, COST_CURRENCY, uint32_t)[row] = currency;
    COL(t, COST_LINE, uint32_t)[row] = (uint32_t)rec->line;
    t->rows++;
    return 1;
}

row_fn *const ink__row_parsers[INK_FILE_COUNT] = {case_row, payment_row,
                                                  contact_row, cost_row};
