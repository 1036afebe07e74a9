/* inkasso alerts: scaffold, replaced by the issue 5 work. */
#include <stdio.h>

#include "cli.h"

void cmd_alerts_usage(FILE *out)
{
    fputs("usage: inkasso alerts (not built yet)\n", out);
}

int cmd_alerts(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: alerts is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
