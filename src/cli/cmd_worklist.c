/* inkasso worklist: scaffold, replaced by its issue's work. */
#include <stdio.h>

#include "cli.h"

void cmd_worklist_usage(FILE *out)
{
    fputs("usage: inkasso worklist (not built yet)\n", out);
}

int cmd_worklist(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: worklist is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
