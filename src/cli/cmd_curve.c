/* inkasso curve: vintage (liquidation) curves per placement cohort. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cmd_curve_usage(FILE *out)
{
    fputs(
        "usage: inkasso curve DIR|--db FILE [--by DIM[,DIM...]] [--step 7]\n"
        "                     [--max 360]\n"
        "                     [--as-of D] [--from D --to D]\n"
        "                     [--format table|json|csv] [--rejects FILE]\n"
        "                     [--threads N]\n"
        "\n"
        "Vintage curves: per placement cohort (cohort_month unless --by says\n"
        "otherwise), the cumulative realization rate at each day since\n"
        "placement: payments up to that day over the amounts of the cases\n"
        "that have lived that long at as-of. A cohort's curve stops at the\n"
        "age it has reached: no zeros for days not yet lived.\n"
        "\n"
        "Options:\n"
        "  --by DIMS        grouping, as for inkasso kpi (default "
        "cohort_month)\n"
        "  --step N         days between points (default 7)\n"
        "  --max N          last day (default 360; at most 1023 points)\n"
        "  --as-of D, --from D, --to D, --format F, --rejects FILE,\n"
        "  --threads N      as for inkasso kpi\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

static void print_curves(const ink_kpi_report *r)
{
    size_t points = ink_kpi_window_count(r);
    /* At most 9 columns fit in 100: evenly spaced days, last included. */
    size_t shown[9], ncols = points < 9 ? points : 9;
    for (size_t k = 0; k < ncols; k++)
        shown[k] = ncols == 1 ? 0 : k * (points - 1) / (ncols - 1);
    char date[INK_DATE_TEXT_MAX];
    ink_format_date(ink_kpi_as_of(r), date, sizeof date);
    printf("Realization by days since placement, as of %s\n", date);
    printf("%-20s", "cohort");
    for (size_t k = 0; k < ncols; k++) {
        char day[16];
        snprintf(day, sizeof day, "day %d", (int)ink_kpi_window(r, shown[k]));
        printf(" %8s", day);
    }
    printf("\n");
    size_t groups = ink_kpi_group_count(r);
    for (size_t g = 0; g <= groups; g++) {
        const ink_kpi_values *v =
            g < groups ? ink_kpi_group(r, g) : ink_kpi_total(r);
        char label[128] = "Total";
        if (g < groups) {
            size_t n = 0;
            label[0] = '\0';
            for (size_t d = 0; d < ink_kpi_dim_count(r) && n < sizeof label;
                 d++) {
                const char *k = ink_kpi_group_key(r, g, d);
                n += (size_t)snprintf(label + n, sizeof label - n, "%s%s",
                                      d ? " / " : "", k ? k : "(null)");
            }
        }
        printf("%-20.20s", label);
        for (size_t k = 0; k < ncols; k++) {
            size_t w = shown[k];
            if (!v->eligible_cases[w] || isnan(v->realization_rate[w]))
                printf(" %8s", ""); /* not lived yet */
            else
                printf(" %7.1f%%", 100 * v->realization_rate[w]);
        }
        printf("\n");
    }
}

int cmd_curve(int argc, char **argv)
{
    static const struct option options[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {"by", required_argument, NULL, 'b'},
        {"step", required_argument, NULL, 's'},
        {"max", required_argument, NULL, 'm'},
        {"format", required_argument, NULL, 'F'},
        {"rejects", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 'T'},
        {"db", required_argument, NULL, 'D'},
        {NULL, 0, NULL, 0}};
    static const char *const default_by[] = {"cohort_month"};
    const char *db = NULL;
    ink_kpi_options kopt;
    ink_kpi_options_init(&kopt);
    kopt.by = default_by;
    kopt.by_count = 1;
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    char *by_items[INK_KPI_MAX_DIMS];
    uint64_t step = 7, max = 360, value;
    enum { TABLE, JSON, CSV } format = TABLE;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'a':
        case 'f':
        case 't': {
            int32_t *date = c == 'a'   ? &kopt.as_of
                            : c == 'f' ? &kopt.from
                                       : &kopt.to;
            if (!ink_parse_date(optarg, strlen(optarg), date))
                return cli_usage_error("curve",
                                       "%s: expected a date YYYY-MM-DD, got "
                                       "\"%s\"",
                                       argv[optind - 1], optarg);
            break;
        }
        case 'b': {
            size_t n = 0;
            for (char *tok = optarg;;) {
                char *comma = strchr(tok, ',');
                if (comma)
                    *comma = '\0';
                if (n == INK_KPI_MAX_DIMS || !*tok)
                    return cli_usage_error("curve",
                                           "--by: expected up to %d "
                                           "comma-separated dimensions",
                                           INK_KPI_MAX_DIMS);
                by_items[n++] = tok;
                if (!comma)
                    break;
                tok = comma + 1;
            }
            kopt.by = (const char *const *)by_items;
            kopt.by_count = n;
            break;
        }
        case 's':
            if (!cli_parse_u64(optarg, &step) || step < 1 || step > 3650)
                return cli_usage_error("curve",
                                       "--step: expected days from 1 to "
                                       "3650, got \"%s\"",
                                       optarg);
            break;
        case 'm':
            if (!cli_parse_u64(optarg, &max) || max > 36500)
                return cli_usage_error("curve",
                                       "--max: expected days from 0 to "
                                       "36500, got \"%s\"",
                                       optarg);
            break;
        case 'F':
            if (strcmp(optarg, "table") == 0)
                format = TABLE;
            else if (strcmp(optarg, "json") == 0)
                format = JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = CSV;
            else
                return cli_usage_error("curve",
                                       "--format: expected table, json or "
                                       "csv, got \"%s\"",
                                       optarg);
            break;
        case 'r':
            lopt.lenient = 1;
            lopt.rejects_path = optarg;
            break;
        case 'T':
            if (!cli_parse_u64(optarg, &value) || value < 1 || value > 64)
                return cli_usage_error("curve",
                                       "--threads: expected a number from 1 "
                                       "to 64, got \"%s\"",
                                       optarg);
            kopt.threads = lopt.threads = (int)value;
            break;
        case 'D':
            db = optarg;
            break;
        case ':':
            return cli_usage_error("curve", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("curve", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - (db ? 0 : 1))
        return cli_usage_error("curve",
                               db ? "curve takes a folder or --db, not both"
                               : optind == argc
                                   ? "curve needs a portfolio folder or --db "
                                     "FILE"
                                   : "curve takes one folder");
    if (max / step + 1 > INK_KPI_MAX_WINDOWS - 1)
        return cli_usage_error("curve", "--max / --step: at most %d points",
                               INK_KPI_MAX_WINDOWS - 1);
    if ((kopt.from != INK_DATE_NONE) != (kopt.to != INK_DATE_NONE) ||
        (kopt.from != INK_DATE_NONE && kopt.from > kopt.to))
        return cli_usage_error("curve", "--from and --to go together, with "
                                        "--from on or before --to");
    /* The curve's points are realization windows 0, step, ..., max. */
    for (uint64_t day = 0; day <= max; day += step)
        kopt.windows[kopt.window_count++] = (int32_t)day;

    ink_portfolio *p = NULL;
    ink_error err;
    int code = cli_load(db ? NULL : argv[optind], db, &lopt, &p);
    if (code != CLI_EXIT_OK)
        return code;
    ink_status st;
    ink_kpi_report *r = NULL;
    st = ink_kpi_compute(p, &kopt, &r, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        ink_portfolio_free(p);
        return cli_exit_code(st);
    }
    if (format == JSON)
        st = ink_kpi_write_curves_json(r, (int32_t)step, (int32_t)max, stdout);
    else if (format == CSV)
        st = ink_kpi_write_curves_csv(r, stdout);
    else
        print_curves(r);
    ink_kpi_report_free(r);
    ink_portfolio_free(p);
    if (st != INK_OK || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the curves\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
