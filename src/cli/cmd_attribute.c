/* inkasso attribute: which channels bring the conversions and the money. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "inkasso/attribution.h"

void cmd_attribute_usage(FILE *out)
{
    fputs(
        "usage: inkasso attribute DIR|--db FILE|--paths FILE [--model M]\n"
        "                         [--order K] [--by DIM[,DIM...]]\n"
        "                         [--format table|json|csv]\n"
        "\n"
        "Attributes each case's conversion (its first payment) and its value\n"
        "(the payments of the horizon) to the outbound contacts before it,\n"
        "per channel and group, with marketing attribution models.\n"
        "Definitions: docs/attribution.md.\n"
        "\n"
        "Options:\n"
        "  --db FILE        read the portfolio from a store (inkasso import)\n"
        "  --paths FILE     read ChannelAttribution's path file instead\n"
        "                   (path;total_conversions;total_conversion_value;\n"
        "                   total_null, channels separated by '>')\n"
        "  --model M        all (default), first, last, linear, time-decay,\n"
        "                   position, markov or shapley; comma-separated\n"
        "  --order K        Markov order, 1 to 4 (default 1)\n"
        "  --by DIMS        group by columns of cases.csv (extras included),\n"
        "                   segment or close_reason; comma-separated, up to 4\n"
        "  --format F       table (default), json or csv\n"
        "  --as-of D        the date the journeys end at the latest\n"
        "                   (YYYY-MM-DD; default: the latest date in the "
        "data)\n"
        "  --horizon N      days of payments that make the value (default 30)\n"
        "  --lookback N     only touches of the N days before the journey's\n"
        "                   end (default 0: all)\n"
        "  --touches LIST   outcomes that count as a touch (default\n"
        "                   delivered,no_response,responded; also invalid)\n"
        "  --half-life X    time decay half-life in days (steps with --paths;\n"
        "                   default 7)\n"
        "  --position F,L   position-based shares of the first and last touch\n"
        "                   (default 0.4,0.4)\n"
        "  --samples N      Shapley permutations past 15 channels (default\n"
        "                   2000)\n"
        "  --seed S         Shapley sampling seed (default 1)\n"
        "  --threads N      loading threads (default: one per core)\n"
        "  --timings        print the time of loading and of the models to\n"
        "                   stderr\n"
        "\n"
        "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
        out);
}

static int parse_models(char *arg, unsigned *models)
{
    *models = 0;
    for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
        if (strcmp(tok, "all") == 0) {
            *models |= INK_ATTR_ALL_MODELS;
            continue;
        }
        int m = ink_attr_model_find(tok);
        if (m < 0)
            return 0;
        *models |= 1u << m;
    }
    return *models != 0;
}

static int parse_touches(char *arg, unsigned *outcomes)
{
    *outcomes = 0;
    for (char *tok = strtok(arg, ","); tok; tok = strtok(NULL, ",")) {
        int k = INK_OUTCOME_INVALID;
        while (k <= INK_OUTCOME_RESPONDED &&
               strcmp(ink_outcome_name(k), tok) != 0)
            k++;
        if (k > INK_OUTCOME_RESPONDED)
            return 0;
        *outcomes |= 1u << k;
    }
    return *outcomes != 0;
}

/* v with 2 decimals ("%" appended when percent), "-" for NaN. */
static void fmt(double v, int percent, char *buf, size_t cap)
{
    if (isnan(v))
        snprintf(buf, cap, "-");
    else if (percent)
        snprintf(buf, cap, "%.1f%%", 100 * v);
    else
        snprintf(buf, cap, "%.2f", v);
}

static void print_table(const ink_attr_result *r, int file)
{
    size_t nd = ink_attr_dim_count(r);
    /* Rows come by group: one pass over them across all groups. */
    size_t i = 0, rows = ink_attr_row_count(r);
    for (size_t g = 0; g < ink_attr_group_count(r); g++) {
        if (g)
            printf("\n");
        if (nd) {
            printf("Group");
            for (size_t d = 0; d < nd; d++) {
                const char *k = ink_attr_group_key(r, g, d);
                printf("%s %s=%s", d ? "," : "", ink_attr_dim_name(r, d),
                       k ? k : "(null)");
            }
            printf(": ");
        } else
            printf("All journeys: ");
        const char *cur = ink_attr_group_currency(r, g);
        char value[64];
        fmt(ink_attr_group_value(r, g), 0, value, sizeof value);
        printf("%llu journeys, %.0f conversions, value %s%s%s\n",
               (unsigned long long)ink_attr_group_journeys(r, g),
               ink_attr_group_conversions(r, g),
               isnan(ink_attr_group_value(r, g)) ? "- (mixed currencies)"
                                                 : value,
               cur ? " " : "", cur ? cur : "");
        printf("%-10s %-12s %12s %14s %7s %10s %12s %10s %10s\n", "model",
               "channel", "conversions", "value", "share", "contacts",
               file ? "journeys" : "cost", "value/ct", "value/cost");
        for (; i < rows && ink_attr_row_at(r, i)->group == g; i++) {
            const ink_attr_row *row = ink_attr_row_at(r, i);
            char conv[32], val[32], share[32], cost[48], vpc[32], vpu[32];
            fmt(row->conversions, 0, conv, sizeof conv);
            fmt(row->value, 0, val, sizeof val);
            fmt(row->share, 1, share, sizeof share);
            if (row->cost == INK_MONEY_NONE)
                snprintf(cost, sizeof cost, "-");
            else
                cli_format_amount(row->cost, cost, sizeof cost);
            fmt(row->value_per_contact, 0, vpc, sizeof vpc);
            fmt(row->value_per_cost, 0, vpu, sizeof vpu);
            printf("%-10s %-12.12s %12s %14s %7s %10llu %12s %10s %10s\n",
                   ink_attr_model_name(row->model), row->channel, conv, val,
                   share, (unsigned long long)row->contacts, cost, vpc, vpu);
        }
    }
    printf("\n(share: of the group's conversions; markov and shapley: "
           "docs/attribution.md)\n");
}

int cmd_attribute(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'D'},
        {"paths", required_argument, NULL, 'P'},
        {"model", required_argument, NULL, 'm'},
        {"order", required_argument, NULL, 'o'},
        {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'F'},
        {"as-of", required_argument, NULL, 'a'},
        {"horizon", required_argument, NULL, 'H'},
        {"lookback", required_argument, NULL, 'L'},
        {"touches", required_argument, NULL, 'u'},
        {"half-life", required_argument, NULL, 'h'},
        {"position", required_argument, NULL, 'p'},
        {"samples", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'},
        {"threads", required_argument, NULL, 'T'},
        {"timings", no_argument, NULL, 't'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *paths_file = NULL;
    int format = CLI_FORMAT_TABLE, timings = 0;
    ink_attr_options ao;
    ink_attr_options_init(&ao);
    ink_attr_journey_options jo;
    ink_attr_journey_options_init(&jo);
    ink_load_options lo;
    ink_load_options_init(&lo);
    char *by_items[INK_ATTR_MAX_DIMS];
    uint64_t n;
    double x, y;
    optind = 1;
    opterr = 0;
    int c, code;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'D':
            db = optarg;
            break;
        case 'P':
            paths_file = optarg;
            break;
        case 'm':
            if (!parse_models(optarg, &ao.models))
                return cli_usage_error(
                    "attribute",
                    "--model: expected all, first, last, linear, "
                    "time-decay, position, markov or shapley, got \"%s\"",
                    optarg);
            break;
        case 'o':
            if (!cli_parse_u64(optarg, &n) || n < 1 || n > INK_ATTR_MAX_ORDER)
                return cli_usage_error("attribute",
                                       "--order: expected 1 to %d, got \"%s\"",
                                       INK_ATTR_MAX_ORDER, optarg);
            ao.order = (int)n;
            break;
        case 'b': {
            size_t k = 0;
            if (!cli_split_list(optarg, by_items, INK_ATTR_MAX_DIMS, &k))
                return cli_usage_error("attribute",
                                       "--by: expected up to %d "
                                       "comma-separated dimensions",
                                       INK_ATTR_MAX_DIMS);
            jo.by = (const char *const *)by_items;
            jo.by_count = k;
            break;
        }
        case 'F':
            if (strcmp(optarg, "table") == 0)
                format = CLI_FORMAT_TABLE;
            else if (strcmp(optarg, "json") == 0)
                format = CLI_FORMAT_JSON;
            else if (strcmp(optarg, "csv") == 0)
                format = CLI_FORMAT_CSV;
            else
                return cli_usage_error("attribute",
                                       "--format: expected table, json or "
                                       "csv, got \"%s\"",
                                       optarg);
            break;
        case 'a':
            if ((code =
                     cli_parse_date("attribute", "--as-of", optarg, &jo.as_of)))
                return code;
            break;
        case 'H':
            if (!cli_parse_u64(optarg, &n) || n < 1 || n > 3650)
                return cli_usage_error("attribute",
                                       "--horizon: expected days from 1 to "
                                       "3650, got \"%s\"",
                                       optarg);
            jo.horizon = (int32_t)n;
            break;
        case 'L':
            if (!cli_parse_u64(optarg, &n) || n > 3650)
                return cli_usage_error("attribute",
                                       "--lookback: expected days from 0 to "
                                       "3650, got \"%s\"",
                                       optarg);
            jo.lookback = (int32_t)n;
            break;
        case 'u':
            if (!parse_touches(optarg, &jo.outcomes))
                return cli_usage_error("attribute",
                                       "--touches: expected outcomes among "
                                       "invalid, no_response, delivered, "
                                       "responded, got \"%s\"",
                                       optarg);
            break;
        case 'h':
            if (!cli_parse_double(optarg, &x) || !(x > 0))
                return cli_usage_error("attribute",
                                       "--half-life: expected a number above "
                                       "0, got \"%s\"",
                                       optarg);
            ao.half_life = x;
            break;
        case 'p': {
            char *comma = strchr(optarg, ',');
            if (comma)
                *comma = '\0';
            if (!comma || !cli_parse_double(optarg, &x) ||
                !cli_parse_double(comma + 1, &y) || x < 0 || y < 0 ||
                x + y > 1) {
                if (comma)
                    *comma = ',';
                return cli_usage_error("attribute",
                                       "--position: expected F,L with shares "
                                       "of at least 0 summing to at most 1, "
                                       "got \"%s\"",
                                       optarg);
            }
            ao.position_first = x;
            ao.position_last = y;
            break;
        }
        case 's':
            if (!cli_parse_u64(optarg, &n) || n < 1 || n > 100000000)
                return cli_usage_error("attribute",
                                       "--samples: expected 1 to 100000000, "
                                       "got \"%s\"",
                                       optarg);
            ao.shapley_samples = n;
            break;
        case 'S':
            if (!cli_parse_u64(optarg, &n))
                return cli_usage_error("attribute",
                                       "--seed: expected an unsigned number, "
                                       "got \"%s\"",
                                       optarg);
            ao.seed = n;
            break;
        case 'T':
            if (cli_parse_threads("attribute", optarg, &lo.threads) !=
                CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case 't':
            timings = 1;
            break;
        case ':':
            return cli_usage_error("attribute", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("attribute", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    int sources = (db != NULL) + (paths_file != NULL) + (optind < argc);
    if (optind + 1 < argc)
        return cli_usage_error("attribute", "attribute takes one folder");
    if (sources == 0)
        return cli_usage_error("attribute", "attribute needs a portfolio "
                                            "folder, --db FILE or --paths "
                                            "FILE");
    if (sources > 1)
        return cli_usage_error("attribute", "attribute takes one of a folder, "
                                            "--db and --paths");
    if (paths_file &&
        (jo.by_count || jo.as_of != INK_DATE_NONE || jo.horizon != 30 ||
         jo.lookback || jo.outcomes != INK_ATTR_TOUCH_VALID))
        return cli_usage_error("attribute",
                               "--by, --as-of, --horizon, --lookback and "
                               "--touches need a portfolio, not --paths");

    ink_error err;
    ink_status st;
    ink_attr_paths *paths = NULL;
    ink_portfolio *pf = NULL;
    double started = cli_seconds(), loaded;
    if (paths_file) {
        st = ink_attr_paths_read(paths_file, &paths, &err);
        loaded = cli_seconds();
        if (st != INK_OK) {
            cli_print_error(&err);
            return cli_exit_code(st);
        }
    } else {
        code = cli_load(db ? NULL : argv[optind], db, &lo, &pf);
        if (code != CLI_EXIT_OK)
            return code;
        loaded = cli_seconds();
        st = ink_attr_journeys(pf, &jo, &paths, &err);
        if (st != INK_OK) {
            cli_print_error(&err);
            ink_portfolio_free(pf);
            return cli_exit_code(st);
        }
    }
    double journeys_done = cli_seconds();
    ink_attr_result *r = NULL;
    st = ink_attr_compute(paths, &ao, &r, &err);
    double computed = cli_seconds();
    if (timings)
        fprintf(stderr,
                "load %.3f s, journeys %.3f s, models %.3f s (%zu journeys, "
                "%zu channels)\n",
                loaded - started, journeys_done - loaded,
                computed - journeys_done, ink_attr_paths_count(paths),
                ink_attr_paths_channel_count(paths));
    int file = paths_file != NULL;
    ink_attr_paths_free(paths);
    ink_portfolio_free(pf);
    if (st != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(st);
    }
    if (format == CLI_FORMAT_JSON)
        st = ink_attr_write_json(r, stdout);
    else if (format == CLI_FORMAT_CSV)
        st = ink_attr_write_csv(r, stdout);
    else
        print_table(r, file);
    ink_attr_result_free(r);
    if (st != INK_OK || fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "inkasso: cannot write the report\n");
        return CLI_EXIT_RUNTIME;
    }
    return CLI_EXIT_OK;
}
