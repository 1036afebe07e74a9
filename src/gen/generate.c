/* Writes the synthetic sample portfolio: the four CSV files of the data
 * contract, formatted by hand into large buffers and renamed into place. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "gen/model.h"
#include "gen/rng.h"
#include "core/error.h"
#include "inkasso/gen.h"
#include "inkasso/portfolio.h"
#include "inkasso/units.h"

/* Hard limits: ids stay 32-bit friendly for the loader, and the largest
 * run (about 30 GB of CSV) is still a deliberate choice. */
#define GEN_MAX_CASES UINT64_C(50000000)
#define GEN_MAX_MONTHS 600
/* Dates the model can produce: due dates reach 1800 days back. */
#define GEN_DAYS_BEFORE 1810
#define GEN_MIN_YEAR 1900
#define GEN_MAX_YEAR 9000

#define OUT_BUFFER_SIZE ((size_t)1 << 20)
#define ROW_MAX 1024 /* longest row we ever format, with margin */
#define PATH_CAP 4096
/* Days of payments a conversion's value may span in the truth file. */
#define GEN_TRUTH_HORIZON_MAX 3650
/* Replicas per case in the latent truth file. */
#define GEN_TRUTH_DRAWS_MAX 10000

/* The four portfolio files, then the optional truth files (their paths
 * are the caller's, not names in the output folder). */
enum {
    F_CASES,
    F_PAYMENTS,
    F_CONTACTS,
    F_COSTS,
    F_TRUTH,
    F_TRUTH_CASES,
    F_COUNT
};
static const char *const file_names[F_TRUTH] = {"cases.csv", "payments.csv",
                                                "contacts.csv", "costs.csv"};

void ink_gen_options_init(ink_gen_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->cases = 10000;
    opt->seed = 1;
    opt->end_date = ink_days_from_civil(2025, 6, 30);
    opt->months = 18;
    opt->with_costs = 1;
    opt->truth_path = NULL;
    opt->truth_horizon = 30;
    opt->truth_cases_path = NULL;
    opt->truth_draws = 100;
}

/* ---- Buffered output files ------------------------------------------- */

typedef struct out_file {
    FILE *fp;
    char *buf;
    size_t len;
    int write_errno; /* first write error, 0 while all is well */
    char tmp_path[PATH_CAP];
    char final_path[PATH_CAP];
} out_file;

static void out_flush(out_file *f)
{
    if (f->len > 0 && f->write_errno == 0) {
        errno = 0;
        if (fwrite(f->buf, 1, f->len, f->fp) != f->len)
            f->write_errno = errno ? errno : EIO;
    }
    f->len = 0;
}

/* Where the next row goes: at least ROW_MAX bytes of room. */
static char *out_row(out_file *f)
{
    if (f->len + ROW_MAX > OUT_BUFFER_SIZE)
        out_flush(f);
    return f->buf + f->len;
}

static void out_end_row(out_file *f, const char *end)
{
    f->len = (size_t)(end - f->buf);
}

/* Opens `path`.tmp for writing; `path` is where it is renamed to. */
static ink_status out_open_path(out_file *f, const char *path, ink_error *err)
{
    int n1 = snprintf(f->final_path, sizeof f->final_path, "%s", path);
    int n2 = snprintf(f->tmp_path, sizeof f->tmp_path, "%s.tmp", path);
    if (n1 < 0 || n2 < 0 || (size_t)n2 >= sizeof f->tmp_path) {
        f->tmp_path[0] = '\0'; /* nothing was created */
        return ink__error_set(err, INK_LIMIT, NULL, "output path is too long");
    }
    f->buf = malloc(OUT_BUFFER_SIZE);
    if (!f->buf)
        return ink__error_set(err, INK_NOMEM, f->final_path,
                              "no memory for the output buffer");
    f->fp = fopen(f->tmp_path, "wb");
    if (!f->fp) {
        ink_status status = ink__error_set(
            err, INK_IO, f->tmp_path, "cannot create: %s", strerror(errno));
        f->tmp_path[0] = '\0'; /* not ours: never remove it */
        return status;
    }
    /* Our own buffer does the batching; stdio would only copy twice. */
    setvbuf(f->fp, NULL, _IONBF, 0);
    return INK_OK;
}

static ink_status out_open(out_file *f, const char *outdir, const char *name,
                           ink_error *err)
{
    char path[PATH_CAP];
    int n = snprintf(path, sizeof path, "%s/%s", outdir, name);
    if (n < 0 || (size_t)n + sizeof ".tmp" > sizeof path)
        return ink__error_set(err, INK_LIMIT, NULL,
                              "output folder path is too long");
    return out_open_path(f, path, err);
}

/* Flushes and closes the temporary file; the rename comes later. */
static ink_status out_close(out_file *f, ink_error *err)
{
    out_flush(f);
    int close_failed = fclose(f->fp) != 0;
    int close_errno = errno;
    f->fp = NULL;
    if (f->write_errno)
        return ink__error_set(err, INK_IO, f->tmp_path, "cannot write: %s",
                              strerror(f->write_errno));
    if (close_failed)
        return ink__error_set(err, INK_IO, f->tmp_path, "cannot write: %s",
                              strerror(close_errno));
    return INK_OK;
}

/* Releases everything; removes the temporary file unless it was renamed. */
static void out_discard(out_file *f)
{
    if (f->fp) {
        fclose(f->fp);
        f->fp = NULL;
    }
    if (f->tmp_path[0])
        remove(f->tmp_path);
    free(f->buf);
    f->buf = NULL;
}

/* ---- Text ------------------------------------------------------------ */

/* A CSV field ready to copy: quoted per RFC 4180 when it needs to be. */
typedef struct field {
    char text[128];
    size_t len;
} field;

static void field_set(field *f, const char *raw)
{
    int quote = strpbrk(raw, ",\"\r\n") != NULL;
    size_t n = 0;
    if (quote)
        f->text[n++] = '"';
    for (const char *p = raw; *p && n + 4 < sizeof f->text; p++) {
        if (*p == '"')
            f->text[n++] = '"';
        f->text[n++] = *p;
    }
    if (quote)
        f->text[n++] = '"';
    f->text[n] = '\0';
    f->len = n;
}

static char *put(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}

static char *put_field(char *p, const field *f)
{
    return put(p, f->text, f->len);
}

#define PUT_LIT(p, lit) put((p), (lit), sizeof(lit) - 1)

/* Decimal, zero-padded to at least `width` digits. */
static char *put_uint(char *p, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        *p++ = tmp[--n];
    return p;
}

static char *put_2digits(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

static char *put_money(char *p, int64_t units)
{
    return p + ink_format_money(units, p, INK_MONEY_TEXT_MAX);
}

/* Every date the run can write, formatted once. */
typedef struct day_info {
    char text[10]; /* YYYY-MM-DD */
    char dst;      /* 1: +02:00 (CEST), 0: +01:00 (CET) */
    char quarter;  /* 1..4 */
    int32_t year;
    int32_t month_key; /* year * 12 + month - 1 */
} day_info;

typedef struct gen_run {
    const ink_gen_options *opt;
    ink__gen_world world;
    int32_t first_day;   /* first placement day */
    int32_t table_first; /* first day of the date table */
    int32_t table_count;
    day_info *days;
    int32_t first_month_key;
    int id_width; /* case ids */
    field creditor[INK__GEN_CREDITOR_COUNT];
    field product[INK__GEN_PRODUCT_COUNT];
    field region[INK__GEN_REGION_COUNT];
    field handler[INK__GEN_HANDLER_COUNT];
    /* Cost text per cost kind, EUR then CHF. */
    char cost_text[2][INK__GEN_COST_COUNT][INK_MONEY_TEXT_MAX];
    size_t cost_len[2][INK__GEN_COST_COUNT];
    /* costs.csv inputs, per placement month and segment (0 B2C, 1 B2B). */
    int64_t *active_delta; /* months + 1 entries per segment */
    int64_t *manual_minutes;
    int64_t *direct_cost; /* EUR, 1/10000 units */
    ink_gen_counts counts;
} gen_run;

static const day_info *day_of(const gen_run *run, int32_t day)
{
    return &run->days[day - run->table_first];
}

/* Last Sunday of a month: the European summer-time switch days. */
static int32_t last_sunday(int32_t year, int32_t month)
{
    int32_t last = ink_days_from_civil(year, month + 1, 1) - 1;
    return last - (ink_weekday(last) + 1) % 7;
}

static ink_status build_day_table(gen_run *run, ink_error *err)
{
    run->table_first = run->first_day - GEN_DAYS_BEFORE;
    run->table_count = run->opt->end_date - run->table_first + 2;
    run->days = calloc((size_t)run->table_count, sizeof *run->days);
    if (!run->days)
        return ink__error_set(err, INK_NOMEM, NULL,
                              "no memory for the date table");
    int32_t dst_year = INT32_MIN, dst_start = 0, dst_end = 0;
    for (int32_t i = 0; i < run->table_count; i++) {
        int32_t day = run->table_first + i, y, m, d;
        ink_civil_from_days(day, &y, &m, &d);
        day_info *info = &run->days[i];
        char text[INK_DATE_TEXT_MAX];
        ink_format_date(day, text, sizeof text);
        memcpy(info->text, text, 10);
        if (y != dst_year) {
            dst_year = y;
            dst_start = last_sunday(y, 3);
            dst_end = last_sunday(y, 10);
        }
        /* Local times are 06:00 or later, after the 02:00/03:00 switch. */
        info->dst = (char)(day >= dst_start && day < dst_end);
        info->quarter = (char)((m - 1) / 3 + 1);
        info->year = y;
        info->month_key = y * 12 + m - 1;
    }
    return INK_OK;
}

static void build_texts(gen_run *run)
{
    for (int i = 0; i < INK__GEN_CREDITOR_COUNT; i++)
        field_set(&run->creditor[i], ink__gen_creditor_names[i]);
    for (int i = 0; i < INK__GEN_PRODUCT_COUNT; i++)
        field_set(&run->product[i], ink__gen_product_names[i]);
    for (int i = 0; i < INK__GEN_REGION_COUNT; i++)
        field_set(&run->region[i], ink__gen_region_names[i]);
    for (int i = 0; i < INK__GEN_HANDLER_COUNT; i++)
        field_set(&run->handler[i], ink__gen_handler_names[i]);
    for (int k = 0; k < INK__GEN_COST_COUNT; k++) {
        run->cost_len[0][k] = (size_t)ink_format_money(
            ink__gen_cost_eur[k], run->cost_text[0][k], INK_MONEY_TEXT_MAX);
        run->cost_len[1][k] = (size_t)ink_format_money(
            ink__gen_cost_chf[k], run->cost_text[1][k], INK_MONEY_TEXT_MAX);
    }
}

/* ---- Placement volume ------------------------------------------------ */

/*
 * Cases per placement day: a rising trend, January catch-up and summer
 * lull, creditors placing on working days (Mondays most), and batch noise.
 * Counts are differences of the rounded cumulative weights, so they add up
 * to the requested number exactly and a tiny run lands mid-window.
 */
static ink_status placement_counts(gen_run *run, uint64_t **out, ink_error *err)
{
    const int32_t n_days = run->opt->end_date - run->first_day + 1;
    double *weight = malloc((size_t)n_days * sizeof *weight);
    uint64_t *count = malloc((size_t)n_days * sizeof *count);
    if (!weight || !count) {
        free(weight);
        free(count);
        return ink__error_set(err, INK_NOMEM, NULL,
                              "no memory for placement days");
    }
    static const double season[12] = {1.20, 1.05, 1.00, 1.00, 0.95, 0.95,
                                      0.90, 0.85, 1.00, 1.05, 1.05, 0.95};
    static const double by_weekday[7] = {1.35, 1.05, 1.0, 1.0,
                                         0.95, 0.08, 0.02};
    ink__rng r;
    ink__rng_seed(&r, run->opt->seed, UINT64_C(0x504c414345) << 24);
    double total = 0.0;
    for (int32_t i = 0; i < n_days; i++) {
        const day_info *info = day_of(run, run->first_day + i);
        int32_t month = info->month_key - run->first_month_key;
        double w = (1.0 + 0.015 * month) * season[info->month_key % 12] *
                   by_weekday[ink_weekday(run->first_day + i)] *
                   ink__rng_lognormal(&r, 1.0, 0.25);
        total += w;
        weight[i] = total;
    }
    const uint64_t cases = run->opt->cases;
    uint64_t assigned = 0;
    for (int32_t i = 0; i < n_days; i++) {
        uint64_t upto =
            i == n_days - 1
                ? cases
                : (uint64_t)((double)cases * (weight[i] / total) + 0.5);
        if (upto > cases)
            upto = cases;
        if (upto < assigned)
            upto = assigned;
        count[i] = upto - assigned;
        assigned = upto;
    }
    free(weight);
    *out = count;
    return INK_OK;
}

/* ---- Rows ------------------------------------------------------------ */

static const char *const channel_names[INK__GEN_CHANNEL_COUNT] = {
    "letter", "email", "sms", "phone", "push", "portal"};
static const char *const method_names[INK__GEN_METHOD_COUNT] = {
    "bank_transfer", "card", "direct_debit", "portal"};
static const char risk_letters[6] = {0, 'A', 'B', 'C', 'D', 'E'};

static void write_case(gen_run *run, out_file *f, uint64_t case_no,
                       const ink__gen_case *c)
{
    char *p = out_row(f);
    *p++ = 'C';
    p = put_uint(p, case_no, run->id_width);
    p = PUT_LIT(p, ",D");
    p = put_uint(p, c->debtor, 7);
    *p++ = ',';
    if (c->creditor)
        p = put_field(p, &run->creditor[c->creditor - 1]);
    p = c->segment == INK_SEGMENT_B2B ? PUT_LIT(p, ",B2B,")
                                      : PUT_LIT(p, ",B2C,");
    const char *sector = ink__gen_sector_names[c->sector];
    p = put(p, sector, strlen(sector));
    *p++ = ',';
    if (c->region)
        p = put_field(p, &run->region[c->region - 1]);
    *p++ = ',';
    if (c->risk)
        *p++ = risk_letters[c->risk];
    *p++ = ',';
    const day_info *opened = day_of(run, c->opened_on);
    if (c->portfolio == INK__GEN_SWISS) {
        p = PUT_LIT(p, "CH-01");
    } else {
        p = c->portfolio == INK__GEN_AGED ? PUT_LIT(p, "AG-")
                                          : PUT_LIT(p, "FR-");
        p = put_uint(p, (uint64_t)opened->year, 4);
        *p++ = 'Q';
        *p++ = (char)('0' + opened->quarter);
    }
    *p++ = ',';
    p = put_field(p, &run->handler[c->handler]);
    *p++ = ',';
    p = put(p, opened->text, 10);
    *p++ = ',';
    if (c->due_on != INK_DATE_NONE)
        p = put(p, day_of(run, c->due_on)->text, 10);
    *p++ = ',';
    p = put_money(p, c->amount);
    p = c->swiss ? PUT_LIT(p, ",CHF,") : PUT_LIT(p, ",EUR,");
    if (c->closed_on != INK_DATE_NONE) {
        p = put(p, day_of(run, c->closed_on)->text, 10);
        *p++ = ',';
        const char *reason = ink_close_reason_name(c->close_reason);
        p = put(p, reason, strlen(reason));
    } else {
        *p++ = ',';
    }
    *p++ = ',';
    p = put_field(p, &run->product[c->product]);
    *p++ = '\n';
    out_end_row(f, p);
}

static void write_payments(gen_run *run, out_file *f, uint64_t case_no,
                           const ink__gen_case *c)
{
    for (uint32_t i = 0; i < c->payment_count; i++) {
        const ink__gen_payment *pay = &c->payments[i];
        char *p = out_row(f);
        *p++ = 'P';
        p = put_uint(p, ++run->counts.payments, 8);
        p = PUT_LIT(p, ",C");
        p = put_uint(p, case_no, run->id_width);
        *p++ = ',';
        p = put(p, day_of(run, pay->day)->text, 10);
        *p++ = ',';
        p = put_money(p, pay->amount);
        p = c->swiss ? PUT_LIT(p, ",CHF,") : PUT_LIT(p, ",EUR,");
        const char *method = method_names[pay->method];
        p = put(p, method, strlen(method));
        *p++ = '\n';
        out_end_row(f, p);
    }
}

/* YYYY-MM-DDTHH:MM:SS[.mmm][Z|+01:00|+02:00] as the handler's system
 * writes it; UTC conversion can move the date as written. */
static char *put_timestamp(const gen_run *run, char *p, int style,
                           const ink__gen_contact *k)
{
    int32_t day = k->day, seconds = k->seconds;
    const day_info *info = day_of(run, day);
    const int offset_hours = info->dst ? 2 : 1;
    if (style == INK__GEN_TS_UTC) {
        seconds -= offset_hours * 3600;
        if (seconds < 0) {
            seconds += 86400;
            day--;
            info = day_of(run, day);
        }
    }
    p = put(p, info->text, 10);
    *p++ = 'T';
    p = put_2digits(p, seconds / 3600);
    *p++ = ':';
    p = put_2digits(p, seconds / 60 % 60);
    *p++ = ':';
    p = put_2digits(p, seconds % 60);
    if (k->fraction) {
        *p++ = '.';
        p = put_uint(p, k->millis, 3);
    }
    if (style == INK__GEN_TS_UTC)
        *p++ = 'Z';
    else if (style == INK__GEN_TS_OFFSET)
        p = offset_hours == 2 ? PUT_LIT(p, "+02:00") : PUT_LIT(p, "+01:00");
    return p;
}

static void write_contacts(gen_run *run, out_file *f, uint64_t case_no,
                           const ink__gen_case *c)
{
    static const char *const outcome_text[5] = {
        "", ",invalid,", ",no_response,", ",delivered,", ",responded,"};
    const int style = ink__gen_handler_ts_style[c->handler];
    const char *agent_prefix = ink__gen_agent_prefixes[c->handler];
    const size_t prefix_len = strlen(agent_prefix);
    for (uint32_t i = 0; i < c->contact_count; i++) {
        const ink__gen_contact *k = &c->contacts[i];
        char *p = out_row(f);
        *p++ = 'K';
        p = put_uint(p, ++run->counts.contacts, 9);
        p = PUT_LIT(p, ",C");
        p = put_uint(p, case_no, run->id_width);
        *p++ = ',';
        p = put_timestamp(run, p, style, k);
        *p++ = ',';
        const char *channel = channel_names[k->channel];
        p = put(p, channel, strlen(channel));
        p = k->direction == INK_DIRECTION_IN ? PUT_LIT(p, ",in")
                                             : PUT_LIT(p, ",out");
        const char *outcome = outcome_text[k->outcome];
        p = put(p, outcome, strlen(outcome));
        if (k->automated == INK__GEN_AUTOMATED)
            *p++ = '1';
        else if (k->automated == INK__GEN_MANUAL)
            *p++ = '0';
        *p++ = ',';
        if (k->agent) {
            p = put(p, agent_prefix, prefix_len);
            p = put_uint(p, k->agent, 2);
        }
        *p++ = ',';
        if (k->cost != INK__GEN_COST_NONE) {
            const int chf = c->swiss;
            p = put(p, run->cost_text[chf][k->cost],
                    run->cost_len[chf][k->cost]);
        }
        *p++ = '\n';
        out_end_row(f, p);
    }
}

/* ---- The truth file -------------------------------------------------- */

static const char *const cause_names[3] = {"responded", "inbound", "silent"};

/*
 * One row per case with a positive payment written: the conversion day
 * (the earliest positive payment, as `inkasso attribute` defines it), the
 * channel and day of the outbound contact the model credits, how it led
 * to the payment, and the value: the case's payments (reversals included)
 * from the conversion day to the day before day + horizon, at least 0.
 * Payments after the as-of date are never written, so none count.
 */
static void write_truth(gen_run *run, out_file *f, uint64_t case_no,
                        const ink__gen_case *c)
{
    if (c->converted_on == INK_DATE_NONE)
        return;
    const int32_t until = c->converted_on + run->opt->truth_horizon;
    int64_t value = 0;
    for (uint32_t i = 0; i < c->payment_count; i++)
        if (c->payments[i].day >= c->converted_on && c->payments[i].day < until)
            value += c->payments[i].amount;
    if (value < 0)
        value = 0;
    char *p = out_row(f);
    *p++ = 'C';
    p = put_uint(p, case_no, run->id_width);
    *p++ = ',';
    p = put(p, day_of(run, c->converted_on)->text, 10);
    *p++ = ',';
    if (c->cause_channel < INK__GEN_PORTAL) {
        const char *channel = channel_names[c->cause_channel];
        p = put(p, channel, strlen(channel));
        *p++ = ',';
        const char *cause = cause_names[c->cause_kind];
        p = put(p, cause, strlen(cause));
        *p++ = ',';
        p = put(p, day_of(run, c->cause_on)->text, 10);
    } else {
        /* Not reached by the model: every payment follows a contact. */
        p = PUT_LIT(p, ",,");
    }
    *p++ = ',';
    p = put_money(p, value);
    p = c->swiss ? PUT_LIT(p, ",CHF\n") : PUT_LIT(p, ",EUR\n");
    out_end_row(f, p);
    run->counts.conversions++;
}

/* ---- The latent truth file ------------------------------------------ */

/* A count of 1/10000 with all 4 decimals ("0.0500"). */
static char *put_scaled4(char *p, uint64_t scaled)
{
    p = put_uint(p, scaled / 10000, 1);
    *p++ = '.';
    return put_uint(p, scaled % 10000, 4);
}

/* A double with 4 decimals (the values are far below 1e15). */
static char *put_fixed4(char *p, double v)
{
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    return put_scaled4(p, (uint64_t)(v * 10000.0 + 0.5));
}

/* A share k / n with 4 decimals, exact rounding in integers. */
static char *put_share(char *p, uint32_t k, uint32_t n)
{
    return put_scaled4(p, ((uint64_t)k * 20000 + n) / (2 * (uint64_t)n));
}

/*
 * One row per case: the debtor's hidden traits, the case's propensity z,
 * the logged action, and the shares of the replicas that paid at all and
 * that collected 10 % of the amount in the 30 days after placement
 * (empty without replicas).
 */
static void write_truth_case(gen_run *run, out_file *f, uint64_t case_no,
                             const ink__gen_case *c, const ink__gen_latent *l)
{
    char *p = out_row(f);
    *p++ = 'C';
    p = put_uint(p, case_no, run->id_width);
    p = PUT_LIT(p, ",D");
    p = put_uint(p, c->debtor, 7);
    *p++ = ',';
    p = put_fixed4(p, l->willingness);
    *p++ = ',';
    p = put_fixed4(p, l->responsiveness);
    *p++ = ',';
    p = put_fixed4(p, l->digital);
    *p++ = ',';
    p = put_fixed4(p, l->capacity_eur);
    *p++ = ',';
    p = put_fixed4(p, l->propensity);
    *p++ = ',';
    const char *strategy = ink__gen_strategy_names[l->strategy];
    p = put(p, strategy, strlen(strategy));
    p = l->evening ? PUT_LIT(p, ",evening,") : PUT_LIT(p, ",day,");
    const char *offer = ink__gen_offer_names[l->offer];
    p = put(p, offer, strlen(offer));
    *p++ = ',';
    p = put_uint(p, l->draws, 1);
    *p++ = ',';
    if (l->draws) {
        p = put_share(p, l->paid_any, l->draws);
        *p++ = ',';
        p = put_share(p, l->paid_30, l->draws);
    } else {
        *p++ = ',';
    }
    *p++ = '\n';
    out_end_row(f, p);
}

/* ---- costs.csv ------------------------------------------------------- */

/* Handling minutes a contact takes an agent; automated work takes none. */
static int manual_minutes(const ink__gen_contact *k)
{
    if (k->agent == 0)
        return 0;
    if (k->direction == INK_DIRECTION_IN)
        return k->channel == INK__GEN_PHONE ? 8 : 5;
    if (k->channel == INK__GEN_PHONE)
        return k->outcome == INK_OUTCOME_RESPONDED ? 9 : 2;
    return 6;
}

static void account_case(gen_run *run, const ink__gen_case *c)
{
    const int32_t months = run->opt->months;
    const int seg = c->segment == INK_SEGMENT_B2B;
    int64_t *delta = run->active_delta + seg * (months + 1);
    int32_t open_month =
        day_of(run, c->opened_on)->month_key - run->first_month_key;
    int32_t last_month = months - 1;
    if (c->closed_on != INK_DATE_NONE)
        last_month =
            day_of(run, c->closed_on)->month_key - run->first_month_key;
    delta[open_month]++;
    delta[last_month + 1]--;
    for (uint32_t i = 0; i < c->contact_count; i++) {
        const ink__gen_contact *k = &c->contacts[i];
        int32_t m = day_of(run, k->day)->month_key - run->first_month_key;
        if (m < 0 || m >= months)
            continue;
        run->manual_minutes[seg * months + m] += manual_minutes(k);
        int64_t cost = c->swiss ? ink__gen_cost_chf[k->cost] * 104 / 100
                                : ink__gen_cost_eur[k->cost];
        run->direct_cost[seg * months + m] += cost;
    }
}

/*
 * One row per month and segment, in EUR: agents' time (handling minutes
 * plus case administration, 130 productive hours per FTE-month) at a
 * monthly cost per FTE, plus postage and fees (CHF at 1.04), plus IT per
 * active case. Written after all cases, from what they did.
 */
static void write_costs(gen_run *run, out_file *f)
{
    static const double admin_minutes[2] = {1.5, 9.0};
    static const double fte_cost[2] = {4300.0, 6100.0};
    static const double it_per_case[2] = {0.35, 1.2};
    static const char *const seg_text[2] = {",B2C,", ",B2B,"};
    const int32_t months = run->opt->months;
    ink__rng r;
    ink__rng_seed(&r, run->opt->seed, UINT64_C(0x434f535453) << 24);
    int64_t active[2] = {0, 0};
    for (int32_t m = 0; m < months; m++) {
        for (int seg = 0; seg < 2; seg++) {
            active[seg] += run->active_delta[seg * (months + 1) + m];
            const double minutes =
                (double)run->manual_minutes[seg * months + m] +
                admin_minutes[seg] * (double)active[seg];
            const double fte =
                minutes / 60.0 / 130.0 * ink__rng_lognormal(&r, 1.0, 0.04);
            const int64_t fte_hundredths = (int64_t)(fte * 100.0 + 0.5);
            const double cost_eur =
                (double)fte_hundredths / 100.0 * fte_cost[seg] +
                it_per_case[seg] * (double)active[seg];
            const int64_t cost = (int64_t)(cost_eur * 100.0 + 0.5) * 100 +
                                 run->direct_cost[seg * months + m] / 100 * 100;
            char *p = out_row(f);
            char month[16];
            int n =
                ink_format_month(run->first_month_key + m, month, sizeof month);
            p = put(p, month, (size_t)n);
            p = put(p, seg_text[seg], 5);
            p += ink_format_decimal(fte_hundredths, 2, p, INK_MONEY_TEXT_MAX);
            *p++ = ',';
            p = put_money(p, cost);
            p = PUT_LIT(p, ",EUR\n");
            out_end_row(f, p);
            run->counts.costs++;
        }
    }
}

/* ---- The run --------------------------------------------------------- */

static ink_status make_outdir(const char *outdir, ink_error *err)
{
    struct stat st;
    if (mkdir(outdir, 0777) == 0)
        return INK_OK;
    int mkdir_errno = errno;
    if (stat(outdir, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return INK_OK;
        return ink__error_set(err, INK_IO, outdir,
                              "exists and is not a folder");
    }
    return ink__error_set(err, INK_IO, outdir, "cannot create folder: %s",
                          strerror(mkdir_errno));
}

static ink_status check_options(const char *outdir, const ink_gen_options *opt,
                                ink_error *err)
{
    if (!outdir || !outdir[0])
        return ink__error_set(err, INK_USAGE, NULL, "no output folder given");
    if (opt->cases < 1)
        return ink__error_set(err, INK_USAGE, NULL,
                              "cases: expected at least 1, got 0");
    if (opt->cases > GEN_MAX_CASES)
        return ink__error_set(
            err, INK_LIMIT, NULL, "cases: expected at most %llu, got %llu",
            (unsigned long long)GEN_MAX_CASES, (unsigned long long)opt->cases);
    if (opt->months < 1 || opt->months > GEN_MAX_MONTHS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "months: expected 1 to %d, got %ld",
                              GEN_MAX_MONTHS, (long)opt->months);
    if (opt->truth_path && !opt->truth_path[0])
        return ink__error_set(err, INK_USAGE, NULL,
                              "truth file: expected a path, got \"\"");
    if (opt->truth_cases_path && !opt->truth_cases_path[0])
        return ink__error_set(err, INK_USAGE, NULL,
                              "latent truth file: expected a path, got \"\"");
    if (opt->truth_cases_path && opt->truth_draws > GEN_TRUTH_DRAWS_MAX)
        return ink__error_set(
            err, INK_USAGE, NULL, "truth draws: expected 0 to %d, got %lu",
            GEN_TRUTH_DRAWS_MAX, (unsigned long)opt->truth_draws);
    if (opt->truth_path && opt->truth_cases_path &&
        strcmp(opt->truth_path, opt->truth_cases_path) == 0)
        return ink__error_set(err, INK_USAGE, opt->truth_path,
                              "the truth file and the latent truth file "
                              "must be different files");
    if (opt->truth_path &&
        (opt->truth_horizon < 1 || opt->truth_horizon > GEN_TRUTH_HORIZON_MAX))
        return ink__error_set(err, INK_USAGE, NULL,
                              "truth horizon: expected 1 to %d days, got %ld",
                              GEN_TRUTH_HORIZON_MAX, (long)opt->truth_horizon);
    if (opt->end_date < ink_days_from_civil(GEN_MIN_YEAR + 60, 1, 1) ||
        opt->end_date > ink_days_from_civil(GEN_MAX_YEAR, 12, 31))
        return ink__error_set(err, INK_USAGE, NULL,
                              "end date: expected a year from %d to %d",
                              GEN_MIN_YEAR + 60, GEN_MAX_YEAR);
    return INK_OK;
}

static ink_status generate(gen_run *run, out_file *files,
                           ink_gen_counts *counts, ink_error *err)
{
    const ink_gen_options *opt = run->opt;
    ink_status status;
    uint64_t *per_day = NULL;
    ink__gen_case *c = malloc(sizeof *c);
    const uint32_t draws = opt->truth_cases_path ? opt->truth_draws : 0;
    ink__gen_case *scratch = draws ? malloc(sizeof *scratch) : NULL;
    const size_t months = (size_t)opt->months;
    run->active_delta = calloc(2 * (months + 1), sizeof *run->active_delta);
    run->manual_minutes = calloc(2 * months, sizeof *run->manual_minutes);
    run->direct_cost = calloc(2 * months, sizeof *run->direct_cost);
    if (!c || (draws && !scratch) || !run->active_delta ||
        !run->manual_minutes || !run->direct_cost) {
        status =
            ink__error_set(err, INK_NOMEM, NULL, "no memory for the generator");
        goto done;
    }
    status = build_day_table(run, err);
    if (status)
        goto done;
    build_texts(run);
    run->first_month_key = day_of(run, run->first_day)->month_key;
    status = placement_counts(run, &per_day, err);
    if (status)
        goto done;

    char *p = out_row(&files[F_CASES]);
    p = PUT_LIT(p, "case_id,debtor_id,creditor_id,segment,sector,region,"
                   "risk_class,portfolio,handler,opened_on,due_on,amount,"
                   "currency,closed_on,close_reason,product\n");
    out_end_row(&files[F_CASES], p);
    p = out_row(&files[F_PAYMENTS]);
    p = PUT_LIT(p, "payment_id,case_id,paid_on,amount,currency,method\n");
    out_end_row(&files[F_PAYMENTS], p);
    p = out_row(&files[F_CONTACTS]);
    p = PUT_LIT(p, "contact_id,case_id,at,channel,direction,outcome,"
                   "automated,agent_id,cost\n");
    out_end_row(&files[F_CONTACTS], p);
    if (opt->truth_path) {
        p = out_row(&files[F_TRUTH]);
        p = PUT_LIT(p, "case_id,converted_on,channel,cause,contact_on,value,"
                       "currency\n");
        out_end_row(&files[F_TRUTH], p);
    }
    if (opt->truth_cases_path) {
        p = out_row(&files[F_TRUTH_CASES]);
        p = PUT_LIT(p, "case_id,debtor_id,willingness,responsiveness,digital,"
                       "capacity_eur,propensity,strategy,timing,offer,draws,"
                       "p_pay,p_pay_30\n");
        out_end_row(&files[F_TRUTH_CASES], p);
    }

    uint64_t index = 0;
    const int32_t n_days = opt->end_date - run->first_day + 1;
    for (int32_t d = 0; d < n_days; d++) {
        for (uint64_t k = 0; k < per_day[d]; k++, index++) {
            ink__gen_latent latent;
            ink__gen_case_make_latent(&run->world, index, run->first_day + d, c,
                                      opt->truth_cases_path ? &latent : NULL,
                                      draws, scratch);
            write_case(run, &files[F_CASES], index + 1, c);
            write_payments(run, &files[F_PAYMENTS], index + 1, c);
            write_contacts(run, &files[F_CONTACTS], index + 1, c);
            account_case(run, c);
            if (opt->truth_path)
                write_truth(run, &files[F_TRUTH], index + 1, c);
            if (opt->truth_cases_path)
                write_truth_case(run, &files[F_TRUTH_CASES], index + 1, c,
                                 &latent);
            if (opt->progress && (index + 1) % 65536 == 0)
                opt->progress(opt->progress_ctx, index + 1, opt->cases);
        }
    }
    run->counts.cases = index;
    run->counts.debtors = ink__gen_debtor_count(index);
    if (opt->with_costs) {
        p = out_row(&files[F_COSTS]);
        p = PUT_LIT(p, "period,segment,fte,cost,currency\n");
        out_end_row(&files[F_COSTS], p);
        write_costs(run, &files[F_COSTS]);
    }
    if (opt->progress)
        opt->progress(opt->progress_ctx, index, opt->cases);
    if (counts)
        *counts = run->counts;
done:
    free(per_day);
    free(c);
    free(scratch);
    free(run->active_delta);
    free(run->manual_minutes);
    free(run->direct_cost);
    free(run->days);
    return status;
}

ink_status ink_gen_write_counts(const char *outdir, const ink_gen_options *opt,
                                ink_gen_counts *counts, ink_error *err)
{
    ink_gen_options defaults;
    if (!opt) {
        ink_gen_options_init(&defaults);
        opt = &defaults;
    }
    ink_status status = check_options(outdir, opt, err);
    if (status)
        return status;
    status = make_outdir(outdir, err);
    if (status)
        return status;

    gen_run *run = calloc(1, sizeof *run);
    out_file files[F_COUNT];
    memset(files, 0, sizeof files);
    if (!run)
        return ink__error_set(err, INK_NOMEM, NULL,
                              "no memory for the generator");
    run->opt = opt;
    int32_t end_y, end_m, end_d;
    ink_civil_from_days(opt->end_date, &end_y, &end_m, &end_d);
    int32_t first_key = end_y * 12 + end_m - 1 - (opt->months - 1);
    run->first_day = ink_days_from_civil(first_key / 12, first_key % 12 + 1, 1);
    run->id_width = 7;
    for (uint64_t v = opt->cases; v >= 10000000; v /= 10)
        run->id_width++;
    ink__gen_world_init(&run->world, opt->seed, opt->cases, opt->end_date);

    /* The files of this run, in order of F_*. */
    int active[F_COUNT], n_files = 0;
    for (int i = 0; i < F_COUNT; i++)
        if ((i != F_COSTS || opt->with_costs) &&
            (i != F_TRUTH || opt->truth_path) &&
            (i != F_TRUTH_CASES || opt->truth_cases_path))
            active[n_files++] = i;
    for (int k = 0; k < n_files; k++) {
        const int i = active[k];
        if (i == F_TRUTH)
            status = out_open_path(&files[i], opt->truth_path, err);
        else if (i == F_TRUTH_CASES)
            status = out_open_path(&files[i], opt->truth_cases_path, err);
        else
            status = out_open(&files[i], outdir, file_names[i], err);
        if (status)
            goto fail;
    }
    ink_gen_counts written = {0, 0, 0, 0, 0, 0};
    status = generate(run, files, &written, err);
    if (status)
        goto fail;
    for (int k = 0; k < n_files; k++) {
        status = out_close(&files[active[k]], err);
        if (status)
            goto fail;
    }
    /* Only now, with every file complete, do they take the real names. */
    for (int k = 0; k < n_files; k++) {
        const int i = active[k];
        if (rename(files[i].tmp_path, files[i].final_path) != 0) {
            status = ink__error_set(
                err, INK_IO, files[i].final_path,
                "cannot rename the temporary file into place: %s",
                strerror(errno));
            goto fail;
        }
        files[i].tmp_path[0] = '\0';
    }
    if (!opt->with_costs) {
        /* A costs.csv left from an earlier run would describe another
         * portfolio. */
        char path[PATH_CAP];
        snprintf(path, sizeof path, "%s/%s", outdir, file_names[F_COSTS]);
        if (remove(path) != 0 && errno != ENOENT) {
            status = ink__error_set(err, INK_IO, path,
                                    "cannot remove the old file: %s",
                                    strerror(errno));
            goto fail;
        }
    }
    for (int i = 0; i < F_COUNT; i++)
        out_discard(&files[i]);
    free(run);
    if (counts)
        *counts = written;
    return INK_OK;
fail:
    for (int i = 0; i < F_COUNT; i++)
        out_discard(&files[i]);
    free(run);
    return status;
}

ink_status ink_gen_write(const char *outdir, const ink_gen_options *opt,
                         ink_error *err)
{
    return ink_gen_write_counts(outdir, opt, NULL, err);
}
