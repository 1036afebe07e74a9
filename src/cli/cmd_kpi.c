/* inkasso kpi: every KPI of the spec, by any dimension, as table, JSON, CSV. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "inkasso/owners.h"

#define CLI_MAX_WINDOWS 64

void cmd_kpi_usage(FILE *out)
{
    fputs(
        "usage: inkasso kpi DIR [--as-of D] [--from D --to D] [--by "
        "DIM[,DIM...]]\n"
        "                   [--windows 30,60,90] [--format table|json|csv]\n"
        "                   [--rejects FILE] [--threads N] [--owners FILE]\n"
        "\n"
        "Computes every KPI of the spec (success, turnaround, contact, and\n"
        "operations from costs.csv) for the portfolio folder DIR, in total\n"
        "and per group. Definitions: docs/kpi.md.\n"
        "\n"
        "Options:\n"
        "  --db FILE        read the portfolio from a store (inkasso import)\n"
        "  --as-of D        the date the report describes (YYYY-MM-DD); later\n"
        "                   payments, contacts and closings are ignored\n"
        "                   (default: the latest date in the data)\n"
        "  --from D, --to D only cases placed (opened_on) in this window,\n"
        "                   inclusive\n"
        "  --by DIMS        group by columns of cases.csv (extras included) "
        "or\n"
        "                   cohort_month, cohort_quarter, cohort_year,\n"
        "                   age_bucket; comma-separated\n"
        "  --windows LIST   realization windows in days (default 30,60,90)\n"
        "  --format F       table (default, for people), json or csv\n"
        "  --rejects FILE   lenient loading: skip invalid rows, list them in "
        "FILE\n"
        "  --threads N      worker threads (default: one per core)\n"
        "  --timings        print the time of loading and of the KPIs to "
        "stderr\n"
        "  --owners FILE    judge the targets of FILE (docs/owners.md): the\n"
        "                   table lists each missed target with its owner and\n"
        "                   action; JSON gets an \"owners\" key (not with "
        "csv)\n"
        "\n"
        "Amounts of different currencies are never added: a group mixing them\n"
        "is an error unless currency is one of the --by dimensions.\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

/* ------------------------------------------------------------------ */
/* Table output                                                        */

typedef struct table_style {
    int colour;
} table_style;

static const char *green(const table_style *t)
{
    return t->colour ? "\033[32m" : "";
}

static const char *red(const table_style *t)
{
    return t->colour ? "\033[31m" : "";
}

static const char *bold(const table_style *t)
{
    return t->colour ? "\033[1m" : "";
}

static const char *reset(const table_style *t)
{
    return t->colour ? "\033[0m" : "";
}

static void fmt_count(uint64_t v, char *buf, size_t cap)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v);
    size_t o = 0;
    for (int i = 0; i < n && o + 2 < cap; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            buf[o++] = ',';
        buf[o++] = digits[i];
    }
    buf[o] = '\0';
}

static void fmt_pct(double v, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.1f%%", 100 * v);
}

static void fmt_num(double v, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else
        snprintf(buf, cap, "%.1f", v);
}

/* The group's key values joined with " / ", null shown as (null). */
static void group_label(const ink_kpi_report *r, size_t g, char *buf,
                        size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t d = 0; d < ink_kpi_dim_count(r) && n < cap; d++) {
        const char *k = ink_kpi_group_key(r, g, d);
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", d ? " / " : "",
                              k ? k : "(null)");
    }
}

typedef struct row_ref {
    char label[128];
    const ink_kpi_values *v;
} row_ref;

/* Within [lo, hi]: green; outside: red; with a marker for no colour. */
static void mark(const table_style *t, double v, double lo, double hi,
                 const char *text, int width)
{
    if (isnan(v)) {
        printf(" %*s", width, text);
        return;
    }
    int inside = v >= lo && v <= hi;
    printf(" %s%*s%s%s", inside ? green(t) : red(t), width - 1, text,
           inside ? " " : "!", reset(t));
}

static void print_table(const ink_kpi_report *r, const table_style *t)
{
    size_t groups = ink_kpi_group_count(r);
    row_ref *rows = calloc(groups + 1, sizeof *rows);
    if (!rows)
        return;
    int label_width = 5;
    for (size_t g = 0; g < groups; g++) {
        group_label(r, g, rows[g].label, sizeof rows[g].label);
        rows[g].v = ink_kpi_group(r, g);
    }
    snprintf(rows[groups].label, sizeof rows[groups].label, "Total");
    rows[groups].v = ink_kpi_total(r);
    for (size_t g = 0; g <= groups; g++) {
        int n = (int)strlen(rows[g].label);
        label_width = n > label_width ? n : label_width;
    }
    /* Longer labels are cut so every section fits in 100 columns. */
    if (label_width > 22)
        label_width = 22;
    char head[64];
    snprintf(head, sizeof head, "%s", groups ? "group" : "");
    char date[INK_DATE_TEXT_MAX];
    ink_format_date(ink_kpi_as_of(r), date, sizeof date);
    printf("%sKPI report as of %s%s", bold(t), date, reset(t));
    if (ink_kpi_dim_count(r)) {
        printf(", by ");
        for (size_t d = 0; d < ink_kpi_dim_count(r); d++)
            printf("%s%s", d ? ", " : "", ink_kpi_dim_name(r, d));
    }
    printf("\n");

    char a[96], b[96], c[96], d[96], e[96], f[96];
    printf("\n%sSuccess%s\n%-*s %9s %9s %9s %3s %16s %16s %8s\n", bold(t),
           reset(t), label_width, head, "cases", "open", "resolved", "cur",
           "placed", "collected", "recovery");
    for (size_t g = 0; g <= groups; g++) {
        const ink_kpi_values *v = rows[g].v;
        fmt_count(v->cases, a, sizeof a);
        fmt_count(v->open_cases, b, sizeof b);
        fmt_count(v->resolved_cases, c, sizeof c);
        const char *cur = v->currency ? v->currency : "";
        if (v->amounts_null || !v->currency) {
            snprintf(d, sizeof d, v->amounts_null ? "(mixed)" : "-");
            snprintf(e, sizeof e, "%s", d);
        } else {
            cli_format_amount(v->placed_amount, d, sizeof d);
            cli_format_amount(v->collected_amount, e, sizeof e);
        }
        fmt_pct(v->recovery_rate, f, sizeof f);
        printf("%-*.*s %9s %9s %9s %3s %16s %16s %8s\n", label_width,
               label_width, rows[g].label, a, b, c, cur, d, e, f);
    }

    size_t nw = ink_kpi_window_count(r);
    printf("\n%sRealization within the window (eligible cases)%s\n%-*s",
           bold(t), reset(t), label_width, head);
    for (size_t w = 0; w < nw; w++) {
        char h[32];
        snprintf(h, sizeof h, "%dd", (int)ink_kpi_window(r, w));
        printf(" %19s", h);
    }
    printf("\n");
    for (size_t g = 0; g <= groups; g++) {
        printf("%-*.*s", label_width, label_width, rows[g].label);
        for (size_t w = 0; w < nw; w++) {
            char cell[200];
            fmt_pct(rows[g].v->realization_rate[w], a, sizeof a);
            fmt_count(rows[g].v->eligible_cases[w], b, sizeof b);
            snprintf(cell, sizeof cell, "%s (%s)", a, b);
            printf(" %19s", cell);
        }
        printf("\n");
    }

    printf("\n%sTurnaround%s (benchmarks: resolution 30-60 days, first "
           "contact to payment\n5-15 days, first-contact resolution "
           "30-50%%)\n",
           bold(t), reset(t));
    printf("%-*s %12s %12s %14s %14s %12s\n", label_width, head, "days to res.",
           "median res.", "days to 1st pay", "contact to pay", "first-contact");
    for (size_t g = 0; g <= groups; g++) {
        const ink_kpi_values *v = rows[g].v;
        printf("%-*.*s", label_width, label_width, rows[g].label);
        fmt_num(v->avg_days_to_resolution, a, sizeof a);
        mark(t, v->avg_days_to_resolution, 30, 60, a, 12);
        fmt_num(v->median_days_to_resolution, b, sizeof b);
        printf(" %12s", b);
        fmt_num(v->avg_days_to_first_payment, c, sizeof c);
        printf(" %14s", c);
        fmt_num(v->avg_days_first_contact_to_payment, d, sizeof d);
        mark(t, v->avg_days_first_contact_to_payment, 5, 15, d, 14);
        fmt_pct(v->first_contact_resolution_rate, e, sizeof e);
        mark(t, v->first_contact_resolution_rate, 0.30, 0.50, e, 12);
        printf("\n");
    }

    printf("\n%sContact%s\n%-*s %12s %12s %14s %12s\n", bold(t), reset(t),
           label_width, head, "reachability", "valid data", "attempts/reach",
           "automation");
    for (size_t g = 0; g <= groups; g++) {
        const ink_kpi_values *v = rows[g].v;
        fmt_pct(v->reachability_rate, a, sizeof a);
        fmt_pct(v->valid_contact_rate, b, sizeof b);
        fmt_num(v->attempts_per_reached_debtor, c, sizeof c);
        fmt_pct(v->automation_rate, d, sizeof d);
        printf("%-*.*s %12s %12s %14s %12s\n", label_width, label_width,
               rows[g].label, a, b, c, d);
    }
    const ink_kpi_values *total = ink_kpi_total(r);
    if (total->channel_count) {
        printf("\n%sResponse rate per channel%s (responded / valid outbound)\n"
               "%-*s",
               bold(t), reset(t), label_width, head);
        for (size_t k = 0; k < total->channel_count; k++)
            printf(" %9.9s", total->channels[k]);
        printf("\n");
        for (size_t g = 0; g <= groups; g++) {
            const ink_kpi_values *v = rows[g].v;
            printf("%-*.*s", label_width, label_width, rows[g].label);
            for (size_t k = 0, j = 0; k < total->channel_count; k++) {
                while (j < v->channel_count &&
                       strcmp(v->channels[j], total->channels[k]) < 0)
                    j++;
                if (j < v->channel_count &&
                    strcmp(v->channels[j], total->channels[k]) == 0)
                    fmt_pct(v->response_rate[j], a, sizeof a);
                else
                    snprintf(a, sizeof a, "-");
                printf(" %9s", a);
            }
            printf("\n");
        }
    }

    if (ink_kpi_has_operations(r)) {
        printf("\n%sOperations%s (benchmark: cost per case about 3 EUR B2C, "
               "up to 15 EUR B2B)\n",
               bold(t), reset(t));
        printf("%-7s %-3s %9s %8s %7s %17s %9s %9s %8s %8s\n", "period", "seg",
               "active", "resolved", "fte", "cost", "cost/case", "cases/fte",
               "res./fte", "automat.");
        for (size_t i = 0; i < ink_kpi_operation_count(r); i++) {
            const ink_kpi_operation *op = ink_kpi_operation_at(r, i);
            char period[16] = "total";
            if (op->period >= 0)
                ink_format_month(op->period, period, sizeof period);
            const char *seg = ink_segment_name(op->segment);
            fmt_count(op->active_cases, a, sizeof a);
            fmt_count(op->resolved_in_period, b, sizeof b);
            char amt[48];
            snprintf(c, sizeof c, "%s %s", op->currency ? op->currency : "",
                     cli_format_amount(op->cost, amt, sizeof amt));
            /* Exact in JSON and CSV; two decimals are enough to read. */
            char fte[32];
            snprintf(fte, sizeof fte, "%.2f", strtod(op->fte, NULL));
            printf("%-7s %-3s %9s %8s %7s %17s", period, seg ? seg : "all", a,
                   b, fte, c);
            snprintf(d, sizeof d, isnan(op->cost_per_case) ? "-" : "%.2f",
                     op->cost_per_case);
            int eur = op->currency && strcmp(op->currency, "EUR") == 0;
            if (eur && op->segment == INK_SEGMENT_B2C)
                mark(t, op->cost_per_case, 0, 3.0, d, 9);
            else if (eur && op->segment == INK_SEGMENT_B2B)
                mark(t, op->cost_per_case, 0, 15.0, d, 9);
            else
                printf(" %9s", d);
            fmt_num(op->cases_per_fte, e, sizeof e);
            fmt_num(op->resolved_per_fte, f, sizeof f);
            fmt_pct(op->automation_rate, a, sizeof a);
            printf(" %9s %8s %8s\n", e, f, a);
        }
    }
    if (!t->colour)
        printf("\n(a value marked ! is outside its industry benchmark)\n");
    free(rows);
}

/* ------------------------------------------------------------------ */
/* Owners: the targets of --owners FILE                                */

/* A verdict's value in its unit: "27.3%", "41.2 d", "2.82 EUR". */
static void fmt_value(const ink_owners_verdict *v, char *buf, size_t cap)
{
    if (isnan(v->value)) {
        snprintf(buf, cap, "-");
        return;
    }
    switch (v->entry->unit) {
    case INK_OWNERS_RATE:
        snprintf(buf, cap, "%.2f%%", 100 * v->value);
        break;
    case INK_OWNERS_DAYS:
        snprintf(buf, cap, "%.1f d", v->value);
        break;
    case INK_OWNERS_MONEY:
        snprintf(buf, cap, "%.2f%s%s", v->value, v->currency ? " " : "",
                 v->currency ? v->currency : "");
        break;
    case INK_OWNERS_COUNT:
        snprintf(buf, cap, "%.0f", v->value);
        break;
    default:
        snprintf(buf, cap, "%.2f", v->value);
        break;
    }
}

/* "segment=B2C currency=EUR", then the month of an operations KPI. */
static void fmt_scope(const ink_owners_verdict *v, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < v->scope_count && n < cap; k++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%s=%s", k ? " " : "",
                              v->scope[k].dim, v->scope[k].value);
    if (v->period && n < cap)
        snprintf(buf + n, cap - n, "%s%s", n ? " " : "", v->period);
    if (!buf[0])
        snprintf(buf, cap, "all");
}

static void print_verdicts(const ink_owners_verdicts *vs,
                           ink_owners_status want, const table_style *t)
{
    for (size_t i = 0; i < ink_owners_verdict_count(vs); i++) {
        const ink_owners_verdict *v = ink_owners_verdict_at(vs, i);
        if (v->status != want)
            continue;
        char value[64], scope[160];
        fmt_value(v, value, sizeof value);
        fmt_scope(v, scope, sizeof scope);
        const char *on = want == INK_OWNERS_MISSED ? red(t) : "";
        printf("%s%-34s %-24s %12s %10s%s\n", on, v->entry->kpi, scope, value,
               v->entry->target_text,
               want == INK_OWNERS_MISSED ? reset(t) : "");
        printf("    owner:  %s\n", v->entry->owner);
        if (want == INK_OWNERS_MISSED)
            printf("    action: %s\n", v->entry->action);
    }
}

static void print_owners(const ink_owners *o, const ink_owners_verdicts *vs,
                         const table_style *t)
{
    size_t counts[3] = {0, 0, 0};
    for (size_t i = 0; i < ink_owners_verdict_count(vs); i++)
        counts[ink_owners_verdict_at(vs, i)->status]++;
    printf("\n%sTargets%s (%s): %zu missed, %zu met, %zu without a value\n",
           bold(t), reset(t), ink_owners_name(o), counts[INK_OWNERS_MISSED],
           counts[INK_OWNERS_MET], counts[INK_OWNERS_NO_VALUE]);
    static const struct {
        ink_owners_status status;
        const char *title;
    } blocks[] = {{INK_OWNERS_MISSED, "Missed targets"},
                  {INK_OWNERS_MET, "Targets met"},
                  {INK_OWNERS_NO_VALUE, "Without a value (no such group, or "
                                        "no data for the KPI)"}};
    for (size_t b = 0; b < 3; b++) {
        if (!counts[blocks[b].status])
            continue;
        printf("\n%s%s%s\n%-34s %-24s %12s %10s\n", bold(t), blocks[b].title,
               reset(t), "KPI", "scope", "value", "target");
        print_verdicts(vs, blocks[b].status, t);
    }
}

/* The report's JSON with an "owners" key added at its end. */
static ink_status write_json_with_owners(const ink_kpi_report *r,
                                         const ink_owners_verdicts *vs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return INK_NOMEM;
    ink_status st = ink_kpi_write_json(r, mem);
    if (fclose(mem) != 0 && st == INK_OK)
        st = INK_NOMEM;
    /* The report ends with "}\n": the key goes before that brace. */
    if (st == INK_OK && (len < 2 || text[len - 2] != '}'))
        st = INK_INTERNAL;
    if (st == INK_OK) {
        fwrite(text, 1, len - 2, stdout);
        fputs(",\n\"owners\":", stdout);
        st = ink_owners_write_verdicts_json(vs, stdout);
        fputs("}\n", stdout);
    }
    free(text);
    return st;
}

/* ------------------------------------------------------------------ */

int cmd_kpi(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_REPORT_LONG_OPTIONS,
        {"windows", required_argument, NULL, 'w'},
        {"owners", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0}};
    const char *owners_path = NULL;
    cli_report_args a;
    cli_report_args_init(&a);
    char *window_items[CLI_MAX_WINDOWS + 1];
    size_t n;
    uint64_t value;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        int handled = cli_report_option("kpi", c, optarg, &a);
        if (handled < 0)
            return -handled;
        if (handled)
            continue;
        switch (c) {
        case 'w':
            if (!cli_split_list(optarg, window_items, CLI_MAX_WINDOWS, &n))
                return cli_usage_error("kpi",
                                       "--windows: expected up to %d "
                                       "comma-separated day counts",
                                       CLI_MAX_WINDOWS);
            for (size_t i = 0; i < n; i++) {
                if (!cli_parse_u64(window_items[i], &value) || value > 36500)
                    return cli_usage_error("kpi",
                                           "--windows: expected days from 0 "
                                           "to 36500, got \"%s\"",
                                           window_items[i]);
                a.kpi.windows[i] = (int32_t)value;
            }
            a.kpi.window_count = n;
            break;
        case 'o':
            owners_path = optarg;
            break;
        case ':':
            return cli_usage_error("kpi", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("kpi", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int code = cli_report_finish("kpi", argc, argv, optind, &a);
    if (code != CLI_EXIT_OK)
        return code;
    if (owners_path && a.format == CLI_FORMAT_CSV)
        return cli_usage_error("kpi", "--owners works with --format table or "
                                      "json, not csv");
    ink_error err;
    ink_owners *owners = NULL;
    ink_owners_verdicts *verdicts = NULL;
    /* The file first: a typo in it should not wait for a large load. */
    if (owners_path) {
        ink_status st = ink_owners_load(owners_path, &owners, &err);
        if (st != INK_OK) {
            cli_print_error(&err);
            return cli_exit_code(st);
        }
    }
    ink_portfolio *p = NULL;
    ink_kpi_report *r = NULL;
    code = cli_report_compute("kpi", &a, &p, &r);
    if (code != CLI_EXIT_OK) {
        ink_owners_free(owners);
        return code;
    }
    ink_status st = INK_OK;
    if (owners) {
        st = ink_owners_judge(owners, p, &a.kpi, &verdicts, &err);
        if (st != INK_OK) {
            cli_print_error(&err);
            ink_kpi_report_free(r);
            ink_portfolio_free(p);
            ink_owners_free(owners);
            return cli_exit_code(st);
        }
    }
    table_style style = {isatty(STDOUT_FILENO) && !getenv("NO_COLOR")};
    if (a.format == CLI_FORMAT_JSON && verdicts)
        st = write_json_with_owners(r, verdicts);
    else if (a.format == CLI_FORMAT_JSON)
        st = ink_kpi_write_json(r, stdout);
    else if (a.format == CLI_FORMAT_CSV)
        st = ink_kpi_write_csv(r, stdout);
    else {
        print_table(r, &style);
        if (verdicts)
            print_owners(owners, verdicts, &style);
    }
    ink_owners_verdicts_free(verdicts);
    ink_owners_free(owners);
    ink_kpi_report_free(r);
    ink_portfolio_free(p);
    if (st != INK_OK || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the report\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
