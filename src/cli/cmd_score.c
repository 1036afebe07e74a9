/* inkasso score: scaffold, replaced by its issue's work. */
#include <stdio.h>

#include "cli.h"

void cmd_score_usage(FILE *out)
{
    fputs("usage: inkasso score (not built yet)\n", out);
}

int cmd_score(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: score is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
