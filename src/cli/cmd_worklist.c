/* inkasso worklist: open cases ranked by expected collection per contact
 * cost, with reasons, channel and time slot. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inkasso/model.h"

void cmd_worklist_usage(FILE *out)
{
    fputs(
        "usage: inkasso worklist DIR|--db FILE --model FILE [--capacity N]\n"
        "                        [--by handler] [--as-of D] [--format "
        "table|json|csv]\n"
        "                        [--prior-strength K] [--min-cost X] "
        "[--threads N]\n"
        "\n"
        "Scores every case open at --as-of with the model (inkasso score\n"
        "train) and ranks them by expected collected amount per unit of\n"
        "contact cost (the mean cost of an attempt on the case's recommended\n"
        "channel, at least --min-cost), with the top reasons of each score\n"
        "in words and the best channel and time slot (inkasso contact-plan).\n"
        "\n"
        "Options:\n"
        "  --model FILE        a portfolio model (required)\n"
        "  --capacity N        keep the first N cases (per handler with --by)\n"
        "  --by handler        rank and cut per handler\n"
        "  --as-of D           the scoring date (default: the latest date)\n"
        "  --format F          table (default), json or csv\n"
        "  --prior-strength K  shrinkage of the contact-plan rates (default "
        "50)\n"
        "  --min-cost X        cost floor per contact (default 0.10)\n"
        "  --threads N         worker threads (default: one per core)\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

int cmd_worklist(int argc, char **argv)
{
    static const struct option options[] = {
        {"model", required_argument, NULL, 'm'},
        {"db", required_argument, NULL, 'D'},
        {"capacity", required_argument, NULL, 'c'},
        {"by", required_argument, NULL, 'b'},
        {"as-of", required_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'F'},
        {"prior-strength", required_argument, NULL, 'k'},
        {"min-cost", required_argument, NULL, 'x'},
        {"threads", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    ink_worklist_options wopt;
    ink_worklist_options_init(&wopt);
    const char *model_path = NULL, *db = NULL, *format = "table";
    uint64_t v;
    optind = 1;
    opterr = 0;
    int c, code;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case 'D':
            db = optarg;
            break;
        case 'c':
            if (!cli_parse_u64(optarg, &v) || v < 1 || v > 100000000)
                return cli_usage_error("worklist",
                                       "--capacity: expected a number from 1 "
                                       "to 100000000, got \"%s\"",
                                       optarg);
            wopt.capacity = (size_t)v;
            break;
        case 'b':
            if (strcmp(optarg, "handler") != 0)
                return cli_usage_error(
                    "worklist", "--by: expected handler, got \"%s\"", optarg);
            wopt.by_handler = 1;
            break;
        case 'a':
            if ((code = cli_parse_date("worklist", "--as-of", optarg,
                                       &wopt.as_of)))
                return code;
            break;
        case 'F':
            if (strcmp(optarg, "table") && strcmp(optarg, "json") &&
                strcmp(optarg, "csv"))
                return cli_usage_error("worklist",
                                       "--format: expected table, json or "
                                       "csv, got \"%s\"",
                                       optarg);
            format = optarg;
            break;
        case 'k': {
            double k;
            if (!cli_parse_double(optarg, &k) || k < 0 || k > 1e9)
                return cli_usage_error("worklist",
                                       "--prior-strength: expected a number "
                                       "from 0 to 1e9, got \"%s\"",
                                       optarg);
            wopt.plan.prior_strength = k;
            break;
        }
        case 'x': {
            int64_t units;
            if (!ink_parse_money(optarg, strlen(optarg), &units) || units < 1)
                return cli_usage_error("worklist",
                                       "--min-cost: expected an amount above "
                                       "0, got \"%s\"",
                                       optarg);
            wopt.min_cost = units;
            break;
        }
        case 'T':
            if (cli_parse_threads("worklist", optarg, &wopt.threads) !=
                CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case ':':
            return cli_usage_error("worklist", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("worklist", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int operands = argc - optind;
    if (operands > 1 || (operands == 0 && !db) || (operands == 1 && db))
        return cli_usage_error("worklist",
                               "worklist needs one folder or --db FILE");
    if (!model_path)
        return cli_usage_error("worklist", "worklist needs --model FILE");
    ink_model *m = NULL;
    ink_error err;
    ink_status st = ink_model_load(model_path, &m, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(st);
    }
    if (!ink_model_is_portfolio(m)) {
        ink_model_free(m);
        return cli_usage_error("worklist",
                               "%s is a table model: the worklist needs one "
                               "trained by inkasso score train",
                               model_path);
    }
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    lopt.threads = wopt.threads;
    ink_portfolio *p = NULL;
    code = cli_load(operands ? argv[optind] : NULL, db, &lopt, &p);
    if (code != CLI_EXIT_OK) {
        ink_model_free(m);
        return code;
    }
    ink_worklist *wl = NULL;
    st = ink_worklist_build(m, p, &wopt, &wl, &err);
    if (st == INK_OK) {
        if (strcmp(format, "json") == 0) {
            st = ink_worklist_write_json(wl, p, stdout);
        } else if (strcmp(format, "csv") == 0) {
            st = ink_worklist_write_csv(wl, p, stdout);
        } else {
            const ink_cases *cs = ink_portfolio_cases(p);
            char date[INK_DATE_TEXT_MAX], a[32], b[32];
            ink_format_date(ink_worklist_as_of(wl), date, sizeof date);
            printf("Worklist as of %s: %zu cases\n", date,
                   ink_worklist_count(wl));
            printf("%5s %-12s %-14s %6s %12s %10s %8s  %-22s %s\n", "rank",
                   "case", "handler", "prob", "outstanding", "expected",
                   "per cost", "contact", "reasons");
            for (size_t i = 0; i < ink_worklist_count(wl); i++) {
                const ink_worklist_entry *e = ink_worklist_entry_at(wl, i);
                const char *h =
                    cs->handler.codes
                        ? ink_dict_get(cs->handler.values,
                                       cs->handler.codes[e->case_index], NULL)
                        : NULL;
                char contact[48] = "-";
                if (e->plan && e->plan->channel)
                    snprintf(contact, sizeof contact, "%s %.3s %02d-%02d",
                             e->plan->channel,
                             cli_weekday_abbrev(e->plan->weekday),
                             e->plan->hour_from, e->plan->hour_to);
                printf("%5zu %-12.12s %-14.14s %6.3f %12s %10s %8.1f  "
                       "%-22.22s %s%s%s\n",
                       e->rank, ink_dict_get(cs->ids, e->case_index + 1, NULL),
                       h ? h : "", e->score.probability,
                       cli_format_amount(e->score.outstanding, a, sizeof a),
                       cli_format_amount(e->score.expected, b, sizeof b),
                       e->value_per_cost, contact, e->reasons[0],
                       e->reasons[1][0] ? "; " : "", e->reasons[1]);
            }
        }
    } else {
        cli_print_error(&err);
    }
    ink_worklist_free(wl);
    ink_portfolio_free(p);
    ink_model_free(m);
    if (st != INK_OK)
        return st == INK_IO ? CLI_EXIT_RUNTIME : cli_exit_code(st);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the worklist\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
