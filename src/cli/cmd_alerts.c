/* inkasso alerts: anomalies in the daily series, with what drives them. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inkasso/alerts.h"

void cmd_alerts_usage(FILE *out)
{
    fputs("usage: inkasso alerts DIR|--db FILE [--as-of D] [--days N] "
          "[--lookback N]\n"
          "                      [--threshold X] [--min-events N] [--by "
          "DIM[,DIM...]]\n"
          "                      [--format table|json]\n"
          "\n"
          "Builds the daily series of the portfolio (collected and placed "
          "amount per\n"
          "currency, payments, placements, outbound contacts, valid contact "
          "rate,\n"
          "response rate per channel, resolved cases), runs the anomaly "
          "detector\n"
          "(weekly seasonality) on each, and reports every anomalous run "
          "that\n"
          "reaches into the last days: since when, by how much, and which "
          "values\n"
          "of each dimension drive it. Definitions: docs/alerts.md.\n"
          "\n"
          "Options:\n"
          "  --db FILE        read the portfolio from a store (inkasso "
          "import)\n"
          "  --as-of D        the last day of the series (YYYY-MM-DD; "
          "default: the\n"
          "                   latest date in the data)\n"
          "  --days N         report alerts that reach into the last N days "
          "(default 28)\n"
          "  --lookback N     days of series the detector learns from, 28 to "
          "3660\n"
          "                   (default 180)\n"
          "  --threshold X    a day is anomalous when its score is >= X, in "
          "(0, 1]\n"
          "                   (default 0.99)\n"
          "  --min-events N   a rate needs N events on a day, else the day is "
          "missing\n"
          "                   (default 20)\n"
          "  --by DIMS        drill-down dimensions, comma-separated "
          "(default: segment,\n"
          "                   sector, region, risk_class, handler, those the "
          "data has)\n"
          "  --format F       table (default, for people) or json\n"
          "  --timings        print the time of loading and of the alerts to "
          "stderr\n"
          "\n"
          "No alert is a normal result (exit status 0).\n"
          "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
          out);
}

/* A whole-string number from lo to hi into *out. */
static int parse_count(const char *option, const char *arg, uint64_t lo,
                       uint64_t hi, uint32_t *out)
{
    uint64_t v;
    if (!cli_parse_u64(arg, &v) || v < lo || v > hi)
        return cli_usage_error("alerts",
                               "%s: expected a number from %llu to %llu, got "
                               "\"%s\"",
                               option, (unsigned long long)lo,
                               (unsigned long long)hi, arg);
    *out = (uint32_t)v;
    return CLI_EXIT_OK;
}

static int parse_threshold(const char *arg, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(arg, &end);
    if (!*arg || *end || errno || !(v > 0 && v <= 1))
        return cli_usage_error("alerts",
                               "--threshold: expected a number in (0, 1], got "
                               "\"%s\"",
                               arg);
    *out = v;
    return CLI_EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Table output                                                        */

/* A value of the alert's series for people: amounts with the currency,
 * rates as percentages, counts with one decimal when not whole. */
static void fmt_value(const ink_alert *a, double v, int64_t amount, char *buf,
                      size_t cap)
{
    if (a->is_amount) {
        char text[64];
        cli_format_amount(amount, text, sizeof text);
        snprintf(buf, cap, "%s %s", text, a->currency ? a->currency : "");
    } else if (isnan(v)) {
        snprintf(buf, cap, "-");
    } else if (a->series == INK_ALERT_VALID_CONTACT_RATE ||
               a->series == INK_ALERT_RESPONSE_RATE) {
        snprintf(buf, cap, "%.1f%%", 100 * v);
    } else if (v == floor(v)) {
        snprintf(buf, cap, "%.0f", v);
    } else {
        snprintf(buf, cap, "%.1f", v);
    }
}

/* The change for people: amounts with a sign, rates in points. */
static void fmt_change(const ink_alert *a, double v, int64_t amount, char *buf,
                       size_t cap)
{
    if (a->is_amount) {
        char text[64];
        cli_format_amount(amount, text, sizeof text);
        snprintf(buf, cap, "%s%s", amount > 0 ? "+" : "", text);
    } else if (a->series == INK_ALERT_VALID_CONTACT_RATE ||
               a->series == INK_ALERT_RESPONSE_RATE) {
        snprintf(buf, cap, "%+.1f points", 100 * v);
    } else {
        snprintf(buf, cap, "%+.1f", v);
    }
}

static void print_alert(size_t i, const ink_alert *a)
{
    char since[INK_DATE_TEXT_MAX], until[INK_DATE_TEXT_MAX];
    ink_format_date(a->since, since, sizeof since);
    ink_format_date(a->until, until, sizeof until);
    const char *sub = a->currency ? a->currency : a->channel;
    printf("%2zu. %s%s%s %s since %s", i + 1, ink_alert_series_name(a->series),
           sub ? " " : "", sub ? sub : "", a->direction > 0 ? "up" : "down",
           since);
    if (a->until != a->since)
        printf(" until %s", until);
    printf(" (%u day%s), score %.3f\n", (unsigned)a->days,
           a->days == 1 ? "" : "s", a->score);
    char obs[96], exp[96], chg[96], pct[32];
    fmt_value(a, a->observed, a->observed_amount, obs, sizeof obs);
    fmt_value(a, a->expected, a->expected_amount, exp, sizeof exp);
    fmt_change(a, a->change, a->change_amount, chg, sizeof chg);
    if (isnan(a->change_pct))
        pct[0] = '\0';
    else
        snprintf(pct, sizeof pct, " (%+.1f%%)", 100 * a->change_pct);
    printf("    observed %s, expected %s: %s%s\n", obs, exp, chg, pct);
    for (size_t k = 0; k < a->dimension_count; k++) {
        const ink_alert_dimension *dim = &a->dimensions[k];
        if (!dim->driver_count)
            continue;
        printf("    %-12s", dim->name);
        for (size_t v = 0; v < dim->driver_count; v++) {
            const ink_alert_driver *d = &dim->drivers[v];
            fmt_change(a, d->change, d->observed_amount - d->expected_amount,
                       chg, sizeof chg);
            printf("%s %s %.0f%% (%s)", v ? "," : "",
                   d->value ? d->value : "(null)", 100 * d->share, chg);
        }
        putchar('\n');
    }
}

static void print_table(const ink_alerts_report *r)
{
    char as_of[INK_DATE_TEXT_MAX], from[INK_DATE_TEXT_MAX];
    ink_format_date(ink_alerts_as_of(r), as_of, sizeof as_of);
    ink_format_date(ink_alerts_report_from(r), from, sizeof from);
    size_t n = ink_alerts_count(r);
    if (n == 0) {
        printf("No alerts as of %s: %zu series checked over %u days, none "
               "anomalous since %s (threshold %g).\n",
               as_of, ink_alerts_series_checked(r), ink_alerts_lookback(r),
               from, ink_alerts_threshold(r));
        return;
    }
    printf("%zu alert%s as of %s since %s (%zu series checked over %u days, "
           "threshold %g)\n\n",
           n, n == 1 ? "" : "s", as_of, from, ink_alerts_series_checked(r),
           ink_alerts_lookback(r), ink_alerts_threshold(r));
    for (size_t i = 0; i < n; i++)
        print_alert(i, ink_alerts_get(r, i));
}

/* ------------------------------------------------------------------ */

int cmd_alerts(int argc, char **argv)
{
    static const struct option longs[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"days", required_argument, NULL, 'd'},
        {"lookback", required_argument, NULL, 'l'},
        {"threshold", required_argument, NULL, 'x'},
        {"min-events", required_argument, NULL, 'm'},
        {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'F'},
        {"db", required_argument, NULL, 'D'},
        {"timings", no_argument, NULL, 'S'},
        {NULL, 0, NULL, 0},
    };
    ink_alerts_options opt;
    ink_alerts_options_init(&opt);
    ink_load_options load;
    ink_load_options_init(&load);
    const char *db = NULL;
    char *by_items[INK_ALERTS_MAX_DIMS];
    int json = 0, timings = 0, code = CLI_EXIT_OK, c;
    opterr = 0;
    optind = 1;
    while (code == CLI_EXIT_OK &&
           (c = getopt_long(argc, argv, ":", longs, NULL)) != -1) {
        switch (c) {
        case 'a':
            code = cli_parse_date("alerts", "--as-of", optarg, &opt.as_of);
            break;
        case 'd':
            code = parse_count("--days", optarg, 1, INK_ALERTS_MAX_DAYS,
                               &opt.days);
            break;
        case 'l':
            code = parse_count("--lookback", optarg, 28, INK_ALERTS_MAX_DAYS,
                               &opt.lookback);
            break;
        case 'x':
            code = parse_threshold(optarg, &opt.threshold);
            break;
        case 'm':
            code = parse_count("--min-events", optarg, 1, 1000000000,
                               &opt.min_events);
            break;
        case 'b': {
            size_t n = 0;
            if (!cli_split_list(optarg, by_items, INK_ALERTS_MAX_DIMS, &n))
                code = cli_usage_error("alerts",
                                       "--by: expected up to %d "
                                       "comma-separated dimensions",
                                       INK_ALERTS_MAX_DIMS);
            opt.by = (const char *const *)by_items;
            opt.by_count = n;
            break;
        }
        case 'F':
            if (strcmp(optarg, "table") == 0)
                json = 0;
            else if (strcmp(optarg, "json") == 0)
                json = 1;
            else
                code = cli_usage_error(
                    "alerts", "--format: expected table or json, got \"%s\"",
                    optarg);
            break;
        case 'D':
            db = optarg;
            break;
        case 'S':
            timings = 1;
            break;
        case ':':
            code = cli_usage_error("alerts", "option '%s' needs a value",
                                   argv[optind - 1]);
            break;
        default:
            code = cli_usage_error("alerts", "unknown option '%s'",
                                   argv[optind - 1]);
            break;
        }
    }
    if (code != CLI_EXIT_OK)
        return code;
    if (optind != argc - (db ? 0 : 1)) {
        if (db)
            return cli_usage_error("alerts",
                                   "alerts takes a folder or --db, not both");
        if (optind == argc)
            return cli_usage_error("alerts",
                                   "alerts needs a portfolio folder or --db "
                                   "FILE");
        return cli_usage_error("alerts", "alerts takes one folder");
    }
    /* The look-back default is 180 days: --days past it needs --lookback. */
    uint32_t lookback = opt.lookback ? opt.lookback : 180;
    if (opt.days > lookback)
        return cli_usage_error("alerts",
                               "--days: expected at most the look-back (%u "
                               "days), got %u",
                               (unsigned)lookback, (unsigned)opt.days);

    double started = cli_seconds();
    ink_portfolio *p = NULL;
    code = cli_load(db ? NULL : argv[optind], db, &load, &p);
    if (code != CLI_EXIT_OK)
        return code;
    double loaded = cli_seconds();
    ink_alerts_report *r = NULL;
    ink_error err;
    ink_status st = ink_alerts_compute(p, &opt, &r, &err);
    if (timings)
        cli_print_timings(p, loaded - started, "alerts",
                          cli_seconds() - loaded);
    if (st != INK_OK) {
        cli_print_error(&err);
        ink_portfolio_free(p);
        return cli_exit_code(st);
    }
    if (json) {
        st = ink_alerts_write_json(r, stdout);
    } else {
        print_table(r);
        st = fflush(stdout) == 0 && !ferror(stdout) ? INK_OK : INK_IO;
    }
    ink_alerts_report_free(r);
    ink_portfolio_free(p);
    if (st != INK_OK) {
        fputs("inkasso: cannot write the report to stdout\n", stderr);
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
