/* inkasso import: a portfolio folder into the store, in one transaction. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

void cmd_import_usage(FILE *out)
{
    fputs("usage: inkasso import DIR --db FILE [--rejects FILE] [--threads N]\n"
          "\n"
          "Checks the portfolio folder DIR with the data contract's rules and\n"
          "stores it in the SQLite file FILE (created when missing), all or\n"
          "nothing. New rows are added; a case whose columns changed (closed,\n"
          "close_reason, ...) is updated; a payment or contact id already\n"
          "stored is kept as it is; costs rows replace the stored rows of the\n"
          "same month and segment. Importing the same folder again changes\n"
          "nothing. The store as a whole is checked before it commits.\n"
          "\n"
          "Options:\n"
          "  --db FILE        the store file (required)\n"
          "  --rejects FILE   lenient: import the valid rows, list the others\n"
          "  --threads N      worker threads for loading (default: all cores)\n"
          "\n"
          "Exit status: 0 ok, 1 runtime error, 2 usage, 3 invalid data.\n",
          out);
}

int cmd_import(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'D'},
        {"rejects", required_argument, NULL, 'r'},
        {"threads", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL;
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'D':
            db = optarg;
            break;
        case 'r':
            lopt.lenient = 1;
            lopt.rejects_path = optarg;
            break;
        case 'T':
            if (cli_parse_threads("import", optarg, &lopt.threads) !=
                CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case ':':
            return cli_usage_error("import", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("import", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return cli_usage_error("import", optind == argc
                                             ? "import needs a portfolio folder"
                                             : "import takes one folder");
    if (!db)
        return cli_usage_error("import", "import needs --db FILE");
    ink_portfolio *p = NULL;
    int code = cli_load(argv[optind], NULL, &lopt, &p);
    if (code != CLI_EXIT_OK)
        return code;
    ink_error err;
    ink_store *store = NULL;
    ink_import_stats stats;
    ink_status st = ink_store_open(db, &store, &err);
    if (st == INK_OK)
        st = ink_store_import(store, p, &stats, &err);
    ink_store_close(store);
    ink_portfolio_free(p);
    if (st != INK_OK) {
        cli_print_error(&err);
        return cli_exit_code(st);
    }
    for (int k = 0; k < INK_FILE_COUNT; k++) {
        if (k == INK_FILE_COSTS)
            printf("%-13s %llu rows stored\n", ink_file_name(k),
                   (unsigned long long)stats.inserted[k]);
        else
            printf("%-13s %llu new, %llu updated, %llu unchanged\n",
                   ink_file_name(k), (unsigned long long)stats.inserted[k],
                   (unsigned long long)stats.updated[k],
                   (unsigned long long)stats.unchanged[k]);
    }
    return CLI_EXIT_OK;
}
