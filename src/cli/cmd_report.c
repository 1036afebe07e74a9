/* inkasso report: scaffold, replaced by the issue 5 work. */
#include <stdio.h>

#include "cli.h"

void cmd_report_usage(FILE *out)
{
    fputs("usage: inkasso report (not built yet)\n", out);
}

int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: report is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
