/* Messages, exit codes and argument parsing shared by all subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fputs("inkasso: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command)
        fprintf(stderr, "\nTry 'inkasso help %s'.\n", command);
    else
        fputs("\nTry 'inkasso help'.\n", stderr);
    return CLI_EXIT_USAGE;
}

void cli_print_error(const ink_error *err)
{
    char text[INK_ERROR_FILE_MAX + INK_ERROR_FIELD_MAX + INK_ERROR_MESSAGE_MAX +
              64];
    ink_error_format(err, text, sizeof text);
    fprintf(stderr, "inkasso: %s\n", text);
}

int cli_exit_code(ink_status status)
{
    switch (status) {
    case INK_OK:
        return CLI_EXIT_OK;
    case INK_USAGE:
        return CLI_EXIT_USAGE;
    case INK_DATA:
        return CLI_EXIT_DATA;
    default:
        return CLI_EXIT_RUNTIME;
    }
}

int cli_progress_wanted(void)
{
    return isatty(STDERR_FILENO);
}

char *cli_format_amount(int64_t units, char *buf, size_t cap)
{
    char exact[INK_MONEY_TEXT_MAX];
    ink_format_money(units, exact, sizeof exact);
    const char *digits = exact[0] == '-' ? exact + 1 : exact;
    const char *dot = strchr(digits, '.');
    size_t whole = dot ? (size_t)(dot - digits) : strlen(digits);
    char out[64];
    size_t n = 0;
    if (exact[0] == '-')
        out[n++] = '-';
    for (size_t i = 0; i < whole; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            out[n++] = ',';
        out[n++] = digits[i];
    }
    const char *frac = dot ? dot + 1 : "";
    size_t flen = strlen(frac);
    out[n++] = '.';
    for (size_t i = 0; i < (flen < 2 ? 2 : flen); i++)
        out[n++] = i < flen ? frac[i] : '0';
    out[n] = '\0';
    snprintf(buf, cap, "%s", out);
    return buf;
}

double cli_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_print_timings(const ink_portfolio *p, double load, const char *what,
                       double seconds)
{
    fprintf(stderr, "%-14s %9s %9s %9s %9s\n", "timings (s)", "parse", "merge",
            "ids", "group");
    for (int k = 0; k < INK_FILE_COUNT; k++) {
        const ink_file_stats *s = ink_portfolio_file_stats(p, k);
        fprintf(stderr, "%-14s %9.3f %9.3f %9.3f %9.3f\n", ink_file_name(k),
                s->parse_seconds, s->merge_seconds, s->index_seconds,
                s->group_seconds);
    }
    fprintf(stderr, "load %.3f s, %s %.3f s\n", load, what, seconds);
}

int cli_load(const char *dir, const char *db, const ink_load_options *opt,
             ink_portfolio **out)
{
    ink_error err;
    ink_status st;
    *out = NULL;
    if (db) {
        ink_store *store = NULL;
        st = ink_store_open(db, &store, &err);
        if (st == INK_OK)
            st = ink_store_load(store, opt, out, &err);
        ink_store_close(store);
    } else {
        st = ink_portfolio_load(dir, opt, out, &err);
    }
    if (st != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(st);
    }
    return CLI_EXIT_OK;
}

int cli_parse_threads(const char *command, const char *arg, int *out)
{
    uint64_t value;
    if (!cli_parse_u64(arg, &value) || value < 1 || value > 64)
        return cli_usage_error(command,
                               "--threads: expected a number from 1 to 64, "
                               "got \"%s\"",
                               arg);
    *out = (int)value;
    return CLI_EXIT_OK;
}

const char *cli_weekday_abbrev(int weekday)
{
    static const char *const days[7] = {"Mon", "Tue", "Wed", "Thu",
                                        "Fri", "Sat", "Sun"};
    return weekday >= 0 && weekday < 7 ? days[weekday] : "";
}
