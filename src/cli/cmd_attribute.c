/* inkasso attribute: scaffold, replaced by its issue's work. */
#include <stdio.h>

#include "cli.h"

void cmd_attribute_usage(FILE *out)
{
    fputs("usage: inkasso attribute (not built yet)\n", out);
}

int cmd_attribute(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: attribute is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
