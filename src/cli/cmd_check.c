/* inkasso check: validate a portfolio folder and show its data quality. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cmd_check_usage(FILE *out)
{
    fputs(
        "usage: inkasso check DIR [--rejects FILE] [--format text|json]\n"
        "                     [--threads N]\n"
        "\n"
        "Loads cases.csv, payments.csv, contacts.csv and costs.csv (optional)\n"
        "from DIR, checks every rule of the data contract, and prints a\n"
        "data-quality summary: rows per file, date ranges, currencies,\n"
        "missing optional fields, payments and contacts per case, invalid\n"
        "contact data, cases without contact, rejected rows by reason.\n"
        "\n"
        "By default the first invalid row stops the check with its file,\n"
        "line, column and reason (exit status 3).\n"
        "\n"
        "Options:\n"
        "  --rejects FILE   lenient mode: accept the valid rows and write "
        "every\n"
        "                   rejected row, unchanged, with its file, line and\n"
        "                   reason to FILE (CSV); accepted + rejected = read\n"
        "  --format F       text (default) or json\n"
        "  --threads N      worker threads (default: one per core)\n"
        "  --timings        print the time of each loading phase to stderr\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

static void progress(void *ctx, ink_file_kind file, uint64_t done,
                     uint64_t total)
{
    (void)ctx;
    unsigned pct = total ? (unsigned)(done * 100 / total) : 100;
    fprintf(stderr, "\rloading %-12s %3u%%", ink_file_name(file), pct);
    fflush(stderr);
}

static double share(uint64_t part, uint64_t whole)
{
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_range(const char *label, const ink_date_range *r)
{
    char a[INK_DATE_TEXT_MAX], b[INK_DATE_TEXT_MAX];
    if (r->count == 0) {
        printf("  %-14s none\n", label);
        return;
    }
    ink_format_date(r->min, a, sizeof a);
    ink_format_date(r->max, b, sizeof b);
    printf("  %-14s %s .. %s\n", label, a, b);
}

static void print_text(const ink_portfolio *p, const ink_quality *q,
                       int lenient)
{
    printf("%-14s %12s %12s %12s %14s\n", "file", "rows read", "accepted",
           "rejected", "bytes");
    for (int k = 0; k < INK_FILE_COUNT; k++) {
        const ink_file_stats *s = ink_portfolio_file_stats(p, k);
        if (!s->present) {
            printf("%-14s %12s\n", ink_file_name(k), "(absent)");
            continue;
        }
        printf("%-14s %12llu %12llu %12llu %14llu\n", ink_file_name(k),
               (unsigned long long)s->read, (unsigned long long)s->accepted,
               (unsigned long long)s->rejected, (unsigned long long)s->bytes);
    }
    printf("\ncases: %llu (%llu open, %llu closed); debtors: %llu, of them "
           "%llu with several cases\n",
           (unsigned long long)q->cases, (unsigned long long)q->open_cases,
           (unsigned long long)q->closed_cases, (unsigned long long)q->debtors,
           (unsigned long long)q->debtors_with_several_cases);
    printf("\ncurrencies:\n");
    for (size_t i = 0; i < q->currency_count; i++) {
        char amount[64];
        cli_format_amount(q->currencies[i].placed_amount, amount,
                          sizeof amount);
        printf("  %-14s %llu cases, placed %s\n", q->currencies[i].code,
               (unsigned long long)q->currencies[i].cases, amount);
    }
    printf("\ndate ranges:\n");
    print_range("opened_on", &q->opened_on);
    print_range("due_on", &q->due_on);
    print_range("closed_on", &q->closed_on);
    print_range("paid_on", &q->paid_on);
    print_range("contact dates", &q->contacted_on);
    if (q->cost_period_min >= 0) {
        char a[INK_DATE_TEXT_MAX], b[INK_DATE_TEXT_MAX];
        ink_format_month(q->cost_period_min, a, sizeof a);
        ink_format_month(q->cost_period_max, b, sizeof b);
        printf("  %-14s %s .. %s\n", "cost periods", a, b);
    }
    printf("\nper case:\n");
    printf("  payments       mean %.2f, median %u, max %u; %llu cases (%.1f%%) "
           "without a payment; %llu reversals\n",
           q->payments_per_case.mean, q->payments_per_case.median,
           q->payments_per_case.max,
           (unsigned long long)q->payments_per_case.cases_without,
           share(q->payments_per_case.cases_without, q->cases),
           (unsigned long long)q->reversals);
    printf("  contacts       mean %.2f, median %u, max %u; %llu cases (%.1f%%) "
           "without any contact\n",
           q->contacts_per_case.mean, q->contacts_per_case.median,
           q->contacts_per_case.max,
           (unsigned long long)q->contacts_per_case.cases_without,
           share(q->contacts_per_case.cases_without, q->cases));
    printf("\ncontacts: %llu outbound, %llu (%.1f%%) with invalid contact "
           "data; %llu inbound\n",
           (unsigned long long)q->outbound,
           (unsigned long long)q->invalid_outbound,
           share(q->invalid_outbound, q->outbound),
           (unsigned long long)q->inbound);
    if (q->channel_count) {
        printf("  %-14s %10s %9s %10s %9s\n", "channel", "outbound", "invalid",
               "responded", "inbound");
        for (size_t i = 0; i < q->channel_count; i++) {
            const ink_channel_quality *c = &q->channels[i];
            printf("  %-14s %10llu %8.1f%% %9.1f%% %9llu\n", c->channel,
                   (unsigned long long)c->outbound,
                   share(c->invalid, c->outbound),
                   share(c->responded, c->outbound),
                   (unsigned long long)c->inbound);
        }
    }
    printf("\nmissing optional fields:\n");
    for (size_t i = 0; i < q->missing_count; i++) {
        const ink_missing_share *m = &q->missing[i];
        printf("  %-14s %-14s %5.1f%%%s\n", ink_file_name(m->file), m->column,
               share(m->missing, m->rows), m->present ? "" : " (no column)");
    }
    if (lenient) {
        printf("\nrejected rows by reason:\n");
        int any = 0;
        for (int k = 0; k < INK_FILE_COUNT; k++) {
            const ink_file_stats *s = ink_portfolio_file_stats(p, k);
            for (int r = 0; r < INK_REASON_COUNT; r++) {
                if (!s->rejected_by_reason[r])
                    continue;
                any = 1;
                printf("  %-14s %-22s %llu\n", ink_file_name(k),
                       ink_reason_name(r),
                       (unsigned long long)s->rejected_by_reason[r]);
            }
        }
        if (!any)
            printf("  none\n");
    }
}

/* JSON string with the escapes RFC 8259 requires. */
static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void json_range(const char *key, const ink_date_range *r, int comma)
{
    char a[INK_DATE_TEXT_MAX], b[INK_DATE_TEXT_MAX];
    printf("\"%s\":", key);
    if (r->count == 0) {
        printf("null");
    } else {
        ink_format_date(r->min, a, sizeof a);
        ink_format_date(r->max, b, sizeof b);
        printf("{\"min\":\"%s\",\"max\":\"%s\",\"rows\":%llu}", a, b,
               (unsigned long long)r->count);
    }
    if (comma)
        putchar(',');
}

static void json_per_case(const char *key, const ink_per_case *c)
{
    printf("\"%s\":{\"mean\":%.6g,\"median\":%u,\"max\":%u,"
           "\"cases_without\":%llu}",
           key, c->mean, c->median, c->max,
           (unsigned long long)c->cases_without);
}

static void print_json(const ink_portfolio *p, const ink_quality *q)
{
    printf("{\"files\":[");
    for (int k = 0; k < INK_FILE_COUNT; k++) {
        const ink_file_stats *s = ink_portfolio_file_stats(p, k);
        printf("%s{\"file\":\"%s\",\"present\":%s", k ? "," : "",
               ink_file_name(k), s->present ? "true" : "false");
        printf(",\"bytes\":%llu,\"read\":%llu,\"accepted\":%llu,"
               "\"rejected\":%llu,\"rejected_by_reason\":{",
               (unsigned long long)s->bytes, (unsigned long long)s->read,
               (unsigned long long)s->accepted,
               (unsigned long long)s->rejected);
        int first = 1;
        for (int r = 0; r < INK_REASON_COUNT; r++) {
            if (!s->rejected_by_reason[r])
                continue;
            printf("%s\"%s\":%llu", first ? "" : ",", ink_reason_name(r),
                   (unsigned long long)s->rejected_by_reason[r]);
            first = 0;
        }
        printf("}}");
    }
    printf("],\"cases\":%llu,\"open_cases\":%llu,\"closed_cases\":%llu,"
           "\"debtors\":%llu,\"debtors_with_several_cases\":%llu,",
           (unsigned long long)q->cases, (unsigned long long)q->open_cases,
           (unsigned long long)q->closed_cases, (unsigned long long)q->debtors,
           (unsigned long long)q->debtors_with_several_cases);
    printf("\"currencies\":[");
    for (size_t i = 0; i < q->currency_count; i++) {
        char amount[INK_MONEY_TEXT_MAX];
        ink_format_money(q->currencies[i].placed_amount, amount, sizeof amount);
        printf("%s{\"currency\":", i ? "," : "");
        json_string(q->currencies[i].code);
        printf(",\"cases\":%llu,\"placed_amount\":%s}",
               (unsigned long long)q->currencies[i].cases, amount);
    }
    printf("],\"dates\":{");
    json_range("opened_on", &q->opened_on, 1);
    json_range("due_on", &q->due_on, 1);
    json_range("closed_on", &q->closed_on, 1);
    json_range("paid_on", &q->paid_on, 1);
    json_range("contact_date", &q->contacted_on, 0);
    printf("},");
    json_per_case("payments_per_case", &q->payments_per_case);
    putchar(',');
    json_per_case("contacts_per_case", &q->contacts_per_case);
    printf(",\"reversals\":%llu,\"outbound_contacts\":%llu,"
           "\"invalid_outbound_contacts\":%llu,\"inbound_contacts\":%llu,"
           "\"channels\":[",
           (unsigned long long)q->reversals, (unsigned long long)q->outbound,
           (unsigned long long)q->invalid_outbound,
           (unsigned long long)q->inbound);
    for (size_t i = 0; i < q->channel_count; i++) {
        const ink_channel_quality *c = &q->channels[i];
        printf("%s{\"channel\":", i ? "," : "");
        json_string(c->channel);
        printf(",\"outbound\":%llu,\"invalid\":%llu,\"responded\":%llu,"
               "\"inbound\":%llu}",
               (unsigned long long)c->outbound, (unsigned long long)c->invalid,
               (unsigned long long)c->responded,
               (unsigned long long)c->inbound);
    }
    printf("],\"missing\":[");
    for (size_t i = 0; i < q->missing_count; i++) {
        const ink_missing_share *m = &q->missing[i];
        printf("%s{\"file\":\"%s\",\"column\":", i ? "," : "",
               ink_file_name(m->file));
        json_string(m->column);
        printf(",\"present\":%s,\"missing\":%llu,\"rows\":%llu}",
               m->present ? "true" : "false", (unsigned long long)m->missing,
               (unsigned long long)m->rows);
    }
    printf("]}\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option options[] = {
        {"rejects", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"threads", required_argument, NULL, 't'},
        {"timings", no_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    ink_load_options opt;
    ink_load_options_init(&opt);
    int json = 0, timings = 0;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'r':
            opt.lenient = 1;
            opt.rejects_path = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "json") == 0)
                json = 1;
            else if (strcmp(optarg, "text") != 0)
                return cli_usage_error("check",
                                       "--format: expected text or json, "
                                       "got \"%s\"",
                                       optarg);
            break;
        case 't':
            if (cli_parse_threads("check", optarg, &opt.threads) != CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case 'T':
            timings = 1;
            break;
        case ':':
            return cli_usage_error("check", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("check", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("check", optind == argc
                                            ? "check needs a portfolio folder"
                                            : "check takes one folder");
    if (cli_progress_wanted())
        opt.progress = progress;
    ink_portfolio *p = NULL;
    ink_error err;
    double started = cli_seconds();
    ink_status st = ink_portfolio_load(argv[optind], &opt, &p, &err);
    double loaded = cli_seconds();
    if (opt.progress)
        fputs("\r\033[K", stderr);
    if (st != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(st);
    }
    ink_quality q;
    ink_quality_init(&q);
    st = ink_quality_compute(p, &q);
    if (st != INK_OK) {
        fprintf(stderr, "inkasso: %s\n", ink_status_message(st));
        ink_portfolio_free(p);
        return cli_exit_code(st);
    }
    if (timings)
        cli_print_timings(p, loaded - started, "summary",
                          cli_seconds() - loaded);
    if (json)
        print_json(p, &q);
    else
        print_text(p, &q, opt.lenient);
    ink_quality_cleanup(&q);
    ink_portfolio_free(p);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the report\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
