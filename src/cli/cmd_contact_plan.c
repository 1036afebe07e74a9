/* inkasso contact-plan: the best channel and time slot for each open case,
 * from response rates shrunk towards the segment's channel rate. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inkasso/model.h"

void cmd_contact_plan_usage(FILE *out)
{
    fputs(
        "usage: inkasso contact-plan DIR|--db FILE [--as-of D]\n"
        "                            [--prior-strength K] [--format "
        "table|json|csv]\n"
        "                            [--limit N]\n"
        "\n"
        "Response rates of outbound attempts by segment x channel x weekday x\n"
        "3-hour slot (06-09 ... 21-24), each shrunk towards the segment's\n"
        "rate on that channel: (responses + K x segment rate) / (attempts +\n"
        "K). Each case open at --as-of gets the channel and slot with the\n"
        "highest shrunk rate among the channels not known invalid for it.\n"
        "\n"
        "Options:\n"
        "  --as-of D           contacts up to D, cases open at D (default:\n"
        "                      the latest date)\n"
        "  --prior-strength K  pseudo-attempts of the shrinkage (default 50)\n"
        "  --format F          table (default: the cases), json (rates and\n"
        "                      cases) or csv (the cases)\n"
        "  --limit N           json and table: the first N cases only\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

int cmd_contact_plan(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'D'},
        {"as-of", required_argument, NULL, 'a'},
        {"prior-strength", required_argument, NULL, 'k'},
        {"format", required_argument, NULL, 'F'},
        {"limit", required_argument, NULL, 'n'},
        {NULL, 0, NULL, 0}};
    ink_plan_options popt;
    ink_plan_options_init(&popt);
    const char *db = NULL, *format = "table";
    uint64_t limit = 0;
    optind = 1;
    opterr = 0;
    int c, code;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'D':
            db = optarg;
            break;
        case 'a':
            if ((code = cli_parse_date("contact-plan", "--as-of", optarg,
                                       &popt.as_of)))
                return code;
            break;
        case 'k': {
            double k;
            if (!cli_parse_double(optarg, &k) || k < 0 || k > 1e9)
                return cli_usage_error("contact-plan",
                                       "--prior-strength: expected a number "
                                       "from 0 to 1e9, got \"%s\"",
                                       optarg);
            popt.prior_strength = k;
            break;
        }
        case 'F':
            if (strcmp(optarg, "table") && strcmp(optarg, "json") &&
                strcmp(optarg, "csv"))
                return cli_usage_error("contact-plan",
                                       "--format: expected table, json or "
                                       "csv, got \"%s\"",
                                       optarg);
            format = optarg;
            break;
        case 'n':
            if (!cli_parse_u64(optarg, &limit) || limit < 1)
                return cli_usage_error("contact-plan",
                                       "--limit: expected a number from 1, "
                                       "got \"%s\"",
                                       optarg);
            break;
        case ':':
            return cli_usage_error("contact-plan", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("contact-plan", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int operands = argc - optind;
    if (operands > 1 || (operands == 0 && !db) || (operands == 1 && db))
        return cli_usage_error("contact-plan",
                               "contact-plan needs one folder or --db FILE");
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    ink_portfolio *p = NULL;
    code = cli_load(operands ? argv[optind] : NULL, db, &lopt, &p);
    if (code != CLI_EXIT_OK)
        return code;
    ink_contact_plan *plan = NULL;
    ink_error err;
    ink_status st = ink_contact_plan_build(p, &popt, &plan, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        ink_portfolio_free(p);
        return cli_exit_code(st);
    }
    if (strcmp(format, "json") == 0) {
        st = ink_contact_plan_write_json(plan, p, (size_t)limit, stdout);
    } else if (strcmp(format, "csv") == 0) {
        st = ink_contact_plan_write_csv(plan, p, stdout);
    } else {
        const ink_cases *cs = ink_portfolio_cases(p);
        char date[INK_DATE_TEXT_MAX];
        ink_format_date(ink_contact_plan_as_of(plan), date, sizeof date);
        size_t n = ink_contact_plan_count(plan);
        printf("Contact plan as of %s: %zu open cases\n", date, n);
        printf("%-12s %-10s %-4s %-6s %9s\n", "case", "channel", "day", "hours",
               "response");
        if (limit && limit < n)
            n = (size_t)limit;
        for (size_t i = 0; i < n; i++) {
            const ink_plan_entry *e = ink_contact_plan_entry(plan, i);
            const char *id = ink_dict_get(cs->ids, e->case_index + 1, NULL);
            if (!e->channel)
                printf("%-12s %-10s\n", id, "(none)");
            else
                printf("%-12s %-10s %-4s %02d-%02d %8.1f%%\n", id, e->channel,
                       cli_weekday_abbrev(e->weekday), e->hour_from, e->hour_to,
                       100 * e->response_rate);
        }
    }
    ink_contact_plan_free(plan);
    ink_portfolio_free(p);
    if (st != INK_OK || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the contact plan\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
