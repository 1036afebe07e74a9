/* Options shared by the commands that load a portfolio and report on it. */
#include <getopt.h>
#include <string.h>

#include "cli.h"

void cli_report_args_init(cli_report_args *a)
{
    memset(a, 0, sizeof *a);
    ink_kpi_options_init(&a->kpi);
    ink_load_options_init(&a->load);
    a->format = CLI_FORMAT_TABLE;
}

int cli_parse_date(const char *command, const char *option, const char *s,
                   int32_t *out)
{
    if (ink_parse_date(s, strlen(s), out))
        return CLI_EXIT_OK;
    return cli_usage_error(
        command, "%s: expected a date YYYY-MM-DD, got \"%s\"", option, s);
}

/* cli_report_option's convention: 1 handled, -code on an error. */
static int parse_date(const char *command, const char *option, const char *s,
                      int32_t *out)
{
    int code = cli_parse_date(command, option, s, out);
    return code ? -code : 1;
}

int cli_report_option(const char *command, int c, char *arg, cli_report_args *a)
{
    switch (c) {
    case 'a':
        return parse_date(command, "--as-of", arg, &a->kpi.as_of);
    case 'f':
        return parse_date(command, "--from", arg, &a->kpi.from);
    case 't':
        return parse_date(command, "--to", arg, &a->kpi.to);
    case 'b':
        if (!cli_split_list(arg, a->by_items, INK_KPI_MAX_DIMS,
                            &a->kpi.by_count))
            return -cli_usage_error(command,
                                    "--by: expected up to %d "
                                    "comma-separated dimensions",
                                    INK_KPI_MAX_DIMS);
        a->kpi.by = (const char *const *)a->by_items;
        return 1;
    case 'F':
        if (strcmp(arg, "table") == 0)
            a->format = CLI_FORMAT_TABLE;
        else if (strcmp(arg, "json") == 0)
            a->format = CLI_FORMAT_JSON;
        else if (strcmp(arg, "csv") == 0)
            a->format = CLI_FORMAT_CSV;
        else
            return -cli_usage_error(command,
                                    "--format: expected table, json or csv, "
                                    "got \"%s\"",
                                    arg);
        return 1;
    case 'r':
        a->load.lenient = 1;
        a->load.rejects_path = arg;
        return 1;
    case 'T':
        if (cli_parse_threads(command, arg, &a->kpi.threads) != CLI_EXIT_OK)
            return -CLI_EXIT_USAGE;
        a->load.threads = a->kpi.threads;
        return 1;
    case 'S':
        a->timings = 1;
        return 1;
    case 'D':
        a->db = arg;
        return 1;
    default:
        return 0;
    }
}

int cli_report_finish(const char *command, int argc, char **argv, int next,
                      cli_report_args *a)
{
    if (next != argc - (a->db ? 0 : 1)) {
        if (a->db)
            return cli_usage_error(command,
                                   "%s takes a folder or --db, not "
                                   "both",
                                   command);
        if (next == argc)
            return cli_usage_error(
                command, "%s needs a portfolio folder or --db FILE", command);
        return cli_usage_error(command, "%s takes one folder", command);
    }
    a->dir = a->db ? NULL : argv[next];
    if ((a->kpi.from != INK_DATE_NONE) != (a->kpi.to != INK_DATE_NONE) ||
        (a->kpi.from != INK_DATE_NONE && a->kpi.from > a->kpi.to))
        return cli_usage_error(command, "--from and --to go together, with "
                                        "--from on or before --to");
    return CLI_EXIT_OK;
}

int cli_report_compute(const char *command, cli_report_args *a,
                       ink_portfolio **p, ink_kpi_report **r)
{
    *r = NULL;
    double started = cli_seconds();
    int code = cli_load(a->dir, a->db, &a->load, p);
    if (code != CLI_EXIT_OK)
        return code;
    double loaded = cli_seconds();
    ink_error err;
    ink_status st = ink_kpi_compute(*p, &a->kpi, r, &err);
    if (a->timings)
        cli_print_timings(*p, loaded - started, command,
                          cli_seconds() - loaded);
    if (st != INK_OK) {
        cli_print_error(&err);
        ink_portfolio_free(*p);
        *p = NULL;
        return cli_exit_code(st);
    }
    return CLI_EXIT_OK;
}
