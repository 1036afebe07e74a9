/* inkasso: the command-line tool, a user of the public library API only. */
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int cmd_help(int argc, char **argv);
static void cmd_help_usage(FILE *out);
static int cmd_version(int argc, char **argv);
static void cmd_version_usage(FILE *out);

static const cli_command commands[] = {
    {"alerts", cmd_alerts, cmd_alerts_usage,
     "anomalies in the daily series, with what drives them"},
    {"attribute", cmd_attribute, cmd_attribute_usage,
     "which channels bring the money: attribution models"},
    {"check", cmd_check, cmd_check_usage,
     "validate a portfolio folder and report its data quality"},
    {"contact-plan", cmd_contact_plan, cmd_contact_plan_usage,
     "the best channel and time slot for each open case"},
    {"curve", cmd_curve, cmd_curve_usage,
     "vintage curves: realization by days since placement"},
    {"gen", cmd_gen, cmd_gen_usage, "write a synthetic sample portfolio"},
    {"kpi", cmd_kpi, cmd_kpi_usage,
     "compute every KPI, in total and by any dimension"},
    {"help", cmd_help, cmd_help_usage, "show help for a command"},
    {"import", cmd_import, cmd_import_usage,
     "store a portfolio folder in a SQLite store, all or nothing"},
    {"report", cmd_report, cmd_report_usage,
     "one self-contained HTML report with every chart and table"},
    {"score", cmd_score, cmd_score_usage,
     "propensity to pay: train, evaluate and apply models"},
    {"serve", cmd_serve, cmd_serve_usage,
     "answer the JSON API, /healthz and /metrics over HTTP"},
    {"worklist", cmd_worklist, cmd_worklist_usage,
     "open cases ranked by expected collection per contact cost"},
    {"version", cmd_version, cmd_version_usage, "print the version"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void main_usage(FILE *out)
{
    fputs("usage: inkasso <command> [options] [args]\n\n"
          "Collection KPIs and decisions from a portfolio of CSV files.\n\n"
          "Commands:\n",
          out);
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nRun 'inkasso help <command>' for its options.\n"
          "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
          out);
}

static void cmd_help_usage(FILE *out)
{
    fputs("usage: inkasso help [command]\n", out);
}

static int cmd_help(int argc, char **argv)
{
    if (argc < 2) {
        main_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (argc > 2)
        return cli_usage_error("help", "help takes at most one command");
    const cli_command *cmd = find_command(argv[1]);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
    cmd->usage(stdout);
    return CLI_EXIT_OK;
}

static void cmd_version_usage(FILE *out)
{
    fputs("usage: inkasso version\n", out);
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return cli_usage_error("version", "version takes no arguments");
    printf("inkasso %s\n", INKASSO_VERSION);
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    /* glibc raises its mmap threshold after the first large free, after
     * which growing column arrays are copied and their pages zeroed again
     * and again on the heap; a fixed threshold keeps large arrays in their
     * own mappings, grown by mremap (measured: a third less wall time
     * loading 1M cases). */
    mallopt(M_MMAP_THRESHOLD, 1 << 20);
    if (argc < 2) {
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        main_usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0)
        return cmd_version(1, argv + 1);
    const cli_command *cmd = find_command(name);
    if (!cmd)
        return cli_usage_error(NULL, "unknown command '%s'", name);
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            cmd->usage(stdout);
            return CLI_EXIT_OK;
        }
    }
    return cmd->run(argc - 1, argv + 1);
}
