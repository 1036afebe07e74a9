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
        "  --threads N, --timings   as for inkasso kpi\n"
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
        CLI_REPORT_LONG_OPTIONS,
        {"step", required_argument, NULL, 's'},
        {"max", required_argument, NULL, 'm'},
        {NULL, 0, NULL, 0}};
    static const char *const default_by[] = {"cohort_month"};
    cli_report_args a;
    cli_report_args_init(&a);
    a.kpi.by = default_by;
    a.kpi.by_count = 1;
    uint64_t step = 7, max = 360;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        int handled = cli_report_option("curve", c, optarg, &a);
        if (handled < 0)
            return -handled;
        if (handled)
            continue;
        switch (c) {
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
        case ':':
            return cli_usage_error("curve", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("curve", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int code = cli_report_finish("curve", argc, argv, optind, &a);
    if (code != CLI_EXIT_OK)
        return code;
    if (max / step + 1 > INK_KPI_MAX_WINDOWS - 1)
        return cli_usage_error("curve", "--max / --step: at most %d points",
                               INK_KPI_MAX_WINDOWS - 1);
    /* The curve's points are realization windows 0, step, ..., max. */
    for (uint64_t day = 0; day <= max; day += step)
        a.kpi.windows[a.kpi.window_count++] = (int32_t)day;

    ink_portfolio *p = NULL;
    ink_kpi_report *r = NULL;
    code = cli_report_compute("curve", &a, &p, &r);
    if (code != CLI_EXIT_OK)
        return code;
    ink_status st = INK_OK;
    if (a.format == CLI_FORMAT_JSON)
        st = ink_kpi_write_curves_json(r, (int32_t)step, (int32_t)max, stdout);
    else if (a.format == CLI_FORMAT_CSV)
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
