/* inkasso gen: writes the synthetic sample portfolio into a folder. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define GEN_MONTHS_MAX 600
#define GEN_TRUTH_HORIZON_MAX 3650
#define GEN_TRUTH_DRAWS_MAX 10000

void cmd_gen_usage(FILE *out)
{
    fputs("usage: inkasso gen OUTDIR [--cases N] [--seed S] "
          "[--end YYYY-MM-DD]\n"
          "                    [--months M] [--no-costs]\n"
          "                    [--truth FILE [--truth-horizon N]]\n"
          "                    [--truth-cases FILE [--truth-draws K]]\n"
          "\n"
          "Writes a synthetic, realistic portfolio into OUTDIR (created if\n"
          "missing): cases.csv, payments.csv, contacts.csv and costs.csv,\n"
          "valid per the data contract. The same seed and options give\n"
          "byte-identical files. Files appear only when complete.\n"
          "\n"
          "Options:\n"
          "  --cases N          cases to write (default 10000)\n"
          "  --seed S           random seed, 0 to 2^64-1 (default 1)\n"
          "  --end YYYY-MM-DD   last placement day, also the as-of date of\n"
          "                     the data (default 2025-06-30)\n"
          "  --months M         months of placements up to --end, 1 to 600\n"
          "                     (default 18)\n"
          "  --no-costs         write no costs.csv (an old one is removed)\n"
          "  --truth FILE       also write the ground truth of channel\n"
          "                     attribution: per converting case, the\n"
          "                     channel the model credits and the value\n"
          "                     (the portfolio files do not change)\n"
          "  --truth-horizon N  days of payments in a conversion's value,\n"
          "                     1 to 3650 (default 30, as inkasso attribute)\n"
          "  --truth-cases FILE also write per case the generator's latent\n"
          "                     traits (u, e, z), its action and the share\n"
          "                     of replicas of the case that paid (the\n"
          "                     portfolio files do not change)\n"
          "  --truth-draws K    replicas per case, 0 to 10000 (default 100;\n"
          "                     0: no shares)\n"
          "\n"
          "See docs/gen.md for what the generator models.\n",
          out);
}

static void show_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    fprintf(stderr, "\rgen: %llu of %llu cases", (unsigned long long)done,
            (unsigned long long)total);
    fflush(stderr);
}

int cmd_gen(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"cases", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},
        {"end", required_argument, NULL, 'e'},
        {"months", required_argument, NULL, 'm'},
        {"no-costs", no_argument, NULL, 'C'},
        {"truth", required_argument, NULL, 't'},
        {"truth-horizon", required_argument, NULL, 'H'},
        {"truth-cases", required_argument, NULL, 'T'},
        {"truth-draws", required_argument, NULL, 'K'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    ink_gen_options opt;
    ink_gen_options_init(&opt);
    uint64_t value;
    int32_t day;
    int truth_horizon_given = 0, truth_draws_given = 0;
    int c;
    optind = 1;
    opterr = 0; /* our messages, in our format */
    while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_parse_u64(optarg, &opt.cases) || opt.cases == 0)
                return cli_usage_error(
                    "gen", "--cases: expected a whole number >= 1, got '%s'",
                    optarg);
            break;
        case 's':
            if (!cli_parse_u64(optarg, &opt.seed))
                return cli_usage_error(
                    "gen", "--seed: expected a whole number >= 0, got '%s'",
                    optarg);
            break;
        case 'e':
            if (!ink_parse_date(optarg, strlen(optarg), &day))
                return cli_usage_error(
                    "gen", "--end: expected a date YYYY-MM-DD, got '%s'",
                    optarg);
            opt.end_date = day;
            break;
        case 'm':
            if (!cli_parse_u64(optarg, &value) || value < 1 ||
                value > GEN_MONTHS_MAX)
                return cli_usage_error("gen",
                                       "--months: expected 1 to %d, got '%s'",
                                       GEN_MONTHS_MAX, optarg);
            opt.months = (int32_t)value;
            break;
        case 'C':
            opt.with_costs = 0;
            break;
        case 't':
            if (!optarg[0])
                return cli_usage_error("gen",
                                       "--truth: expected a file, got ''");
            opt.truth_path = optarg;
            break;
        case 'H':
            if (!cli_parse_u64(optarg, &value) || value < 1 ||
                value > GEN_TRUTH_HORIZON_MAX)
                return cli_usage_error(
                    "gen", "--truth-horizon: expected 1 to %d days, got '%s'",
                    GEN_TRUTH_HORIZON_MAX, optarg);
            opt.truth_horizon = (int32_t)value;
            truth_horizon_given = 1;
            break;
        case 'T':
            if (!optarg[0])
                return cli_usage_error(
                    "gen", "--truth-cases: expected a file, got ''");
            opt.truth_cases_path = optarg;
            break;
        case 'K':
            if (!cli_parse_u64(optarg, &value) || value > GEN_TRUTH_DRAWS_MAX)
                return cli_usage_error(
                    "gen", "--truth-draws: expected 0 to %d, got '%s'",
                    GEN_TRUTH_DRAWS_MAX, optarg);
            opt.truth_draws = (uint32_t)value;
            truth_draws_given = 1;
            break;
        case 'h':
            cmd_gen_usage(stdout);
            return CLI_EXIT_OK;
        case ':':
            return cli_usage_error("gen", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("gen", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return cli_usage_error("gen", "missing the output folder OUTDIR");
    if (argc - optind > 1)
        return cli_usage_error("gen", "expected one OUTDIR, got also '%s'",
                               argv[optind + 1]);
    const char *outdir = argv[optind];
    if (truth_horizon_given && !opt.truth_path)
        return cli_usage_error("gen", "--truth-horizon needs --truth FILE");
    if (truth_draws_given && !opt.truth_cases_path)
        return cli_usage_error("gen", "--truth-draws needs --truth-cases FILE");
    if (opt.truth_path && opt.truth_cases_path &&
        strcmp(opt.truth_path, opt.truth_cases_path) == 0)
        return cli_usage_error(
            "gen", "--truth and --truth-cases: expected two different files");

    const int progress = cli_progress_wanted();
    if (progress)
        opt.progress = show_progress;
    ink_gen_counts counts;
    ink_error err;
    ink_error_clear(&err);
    ink_status status = ink_gen_write_counts(outdir, &opt, &counts, &err);
    if (progress)
        fputs("\r\033[K", stderr); /* erase the progress line */
    if (status != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(status);
    }
    printf("wrote %llu cases, %llu payments, %llu contacts to %s\n",
           (unsigned long long)counts.cases,
           (unsigned long long)counts.payments,
           (unsigned long long)counts.contacts, outdir);
    if (opt.truth_path)
        printf("wrote %llu conversions to %s\n",
               (unsigned long long)counts.conversions, opt.truth_path);
    if (opt.truth_cases_path)
        printf("wrote %llu cases to %s\n", (unsigned long long)counts.cases,
               opt.truth_cases_path);
    return CLI_EXIT_OK;
}
