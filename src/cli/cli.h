/* Shared helpers of the inkasso command-line tool (not part of the library). */
#ifndef INKASSO_CLI_H
#define INKASSO_CLI_H

#include <stdint.h>

#include "cli_parse.h" /* cli_parse_u64, cli_split_list */
#include "inkasso/inkasso.h"

/* Documented exit codes. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_DATA = 3
};

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    void (*usage)(FILE *out);
    const char *summary;
} cli_command;

/* Subcommands: one file each, src/cli/cmd_<name>.c. */
int cmd_check(int argc, char **argv);
void cmd_check_usage(FILE *out);
int cmd_gen(int argc, char **argv);
void cmd_gen_usage(FILE *out);
int cmd_kpi(int argc, char **argv);
void cmd_kpi_usage(FILE *out);
int cmd_curve(int argc, char **argv);
void cmd_curve_usage(FILE *out);
int cmd_import(int argc, char **argv);
void cmd_import_usage(FILE *out);
int cmd_serve(int argc, char **argv);
void cmd_serve_usage(FILE *out);
int cmd_alerts(int argc, char **argv);
void cmd_alerts_usage(FILE *out);
int cmd_report(int argc, char **argv);
void cmd_report_usage(FILE *out);
int cmd_attribute(int argc, char **argv);
void cmd_attribute_usage(FILE *out);
int cmd_score(int argc, char **argv);
void cmd_score_usage(FILE *out);
int cmd_worklist(int argc, char **argv);
void cmd_worklist_usage(FILE *out);
int cmd_contact_plan(int argc, char **argv);
void cmd_contact_plan_usage(FILE *out);

/* Prints "inkasso: <message>" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "inkasso: <formatted error>" to stderr. */
void cli_print_error(const ink_error *err);
/* The exit code for a failed status. */
int cli_exit_code(ink_status status);
/* option's value s as YYYY-MM-DD into *out: CLI_EXIT_OK, or the usage
 * error printed and its exit code. */
int cli_parse_date(const char *command, const char *option, const char *s,
                   int32_t *out);
/* Money for people: thousands grouped with ',', at least 2 decimals
 * ("1,249.50", "-3.00", "0.0001"). Returns buf. */
char *cli_format_amount(int64_t units, char *buf, size_t cap);
/* "Mon" .. "Sun" for weekday 0 (Monday) .. 6; "" outside. */
const char *cli_weekday_abbrev(int weekday);

/* The loading phases of p and one more phase, to stderr (--timings). */
void cli_print_timings(const ink_portfolio *p, double load, const char *what,
                       double seconds);

/* The options of the commands that load a portfolio and report on it
 * (kpi, curve): their long options are CLI_REPORT_LONG_OPTIONS. */
enum { CLI_FORMAT_TABLE, CLI_FORMAT_JSON, CLI_FORMAT_CSV };
typedef struct cli_report_args {
    ink_kpi_options kpi;
    ink_load_options load;
    const char *db;  /* --db FILE, or NULL */
    const char *dir; /* the folder argument, or NULL with --db */
    int format;
    int timings;
    char *by_items[INK_KPI_MAX_DIMS];
} cli_report_args;

#define CLI_REPORT_LONG_OPTIONS                                                \
    {"as-of", required_argument, NULL, 'a'},                                   \
        {"from", required_argument, NULL, 'f'},                                \
        {"to", required_argument, NULL, 't'},                                  \
        {"by", required_argument, NULL, 'b'},                                  \
        {"format", required_argument, NULL, 'F'},                              \
        {"rejects", required_argument, NULL, 'r'},                             \
        {"threads", required_argument, NULL, 'T'},                             \
        {"timings", no_argument, NULL, 'S'},                                   \
    {                                                                          \
        "db", required_argument, NULL, 'D'                                     \
    }

void cli_report_args_init(cli_report_args *a);
/* Handles getopt result c if it is a shared option: 1 when handled, 0
 * when it is not one of them, minus the exit code on misuse. */
int cli_report_option(const char *command, int c, char *arg,
                      cli_report_args *a);
/* Checks the operands from argv[next] on (one folder, or none with --db)
 * and --from/--to; returns CLI_EXIT_OK or the usage exit code. */
int cli_report_finish(const char *command, int argc, char **argv, int next,
                      cli_report_args *a);

/* Loads the portfolio of a (folder or --db) and computes its report;
 * prints timings (--timings) and any error. On failure returns the exit
 * code with *p and *r NULL. */
int cli_report_compute(const char *command, cli_report_args *a,
                       ink_portfolio **p, ink_kpi_report **r);

/* Loads a portfolio from the folder dir, or from the store file db when
 * db is not NULL; prints the error and returns its exit code on failure. */
int cli_load(const char *dir, const char *db, const ink_load_options *opt,
             ink_portfolio **out);

/* Monotonic wall-clock seconds. */
double cli_seconds(void);

/* --threads N (1 to 64) into *out; CLI_EXIT_OK, or the usage exit code
 * after the message. */
int cli_parse_threads(const char *command, const char *arg, int *out);

/* 1 when progress lines should be drawn (stderr is a terminal). */
int cli_progress_wanted(void);

#endif
