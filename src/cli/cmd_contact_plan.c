/* inkasso contact-plan: scaffold, replaced by its issue's work. */
#include <stdio.h>

#include "cli.h"

void cmd_contact_plan_usage(FILE *out)
{
    fputs("usage: inkasso contact-plan (not built yet)\n", out);
}

int cmd_contact_plan(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs("inkasso: contact-plan is not built yet\n", stderr);
    return CLI_EXIT_RUNTIME;
}
