/* Shared helpers of the inkasso command-line tool (not part of the library). */
#ifndef INKASSO_CLI_H
#define INKASSO_CLI_H

#include <stdint.h>

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

/* Prints "inkasso: <message>" and a hint to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "inkasso: <formatted error>" to stderr. */
void cli_print_error(const ink_error *err);
/* The exit code for a failed status. */
int cli_exit_code(ink_status status);
/* Strict whole-string unsigned parse; 0 on any junk or overflow. */
int cli_parse_u64(const char *s, uint64_t *out);
/* Money for people: thousands grouped with ',', at least 2 decimals
 * ("1,249.50", "-3.00", "0.0001"). Returns buf. */
char *cli_format_amount(int64_t units, char *buf, size_t cap);

/* The loading phases of p and one more phase, to stderr (--timings). */
void cli_print_timings(const ink_portfolio *p, double load, const char *what,
                       double seconds);

/* Loads a portfolio from the folder dir, or from the store file db when
 * db is not NULL; prints the error and returns its exit code on failure. */
int cli_load(const char *dir, const char *db, const ink_load_options *opt,
             ink_portfolio **out);

/* Monotonic wall-clock seconds. */
double cli_seconds(void);

/* 1 when progress lines should be drawn (stderr is a terminal). */
int cli_progress_wanted(void);

#endif
