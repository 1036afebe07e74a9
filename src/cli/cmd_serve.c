/* inkasso serve: the HTTP API over a store, until SIGINT or SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../server/server.h"
#include "cli.h"
#include "inkasso/model.h"
#include "inkasso/owners.h"

void cmd_serve_usage(FILE *out)
{
    fputs(
        "usage: inkasso serve --db FILE [--listen HOST:PORT] "
        "[--token-file F]\n"
        "                     [--auth-reads] [--threads N] [--owners FILE]\n"
        "                     [--model FILE]\n"
        "\n"
        "Answers the JSON API (KPIs, curves, cases), /healthz and /metrics\n"
        "over HTTP from the store FILE, loaded once at start. Prints\n"
        "'listening on http://HOST:PORT' when ready; stops cleanly on\n"
        "SIGINT or SIGTERM. Routes: docs/server.md.\n"
        "\n"
        "Options:\n"
        "  --db FILE        the store to serve (inkasso import)\n"
        "  --listen H:P     address and port (default 127.0.0.1:8080; port 0:\n"
        "                   any free port; IPv6 as [::1]:8080)\n"
        "  --token-file F   the bearer token, the file's first line; write\n"
        "                   routes need it\n"
        "  --auth-reads     read routes need the token too (not /healthz)\n"
        "  --threads N      worker threads per KPI query (default: one per "
        "core)\n"
        "  --owners FILE    KPI owners, targets and actions (docs/owners.md),\n"
        "                   judged by GET /api/v1/owners\n"
        "  --model FILE     a propensity model (inkasso score train) for\n"
        "                   GET /api/v1/worklist (409 without one)\n"
        "\n"
        "Exit status: 0 stopped by a signal, 1 runtime error, 2 usage,\n"
        "3 invalid data.\n",
        out);
}

/* "HOST:PORT" or "[IPV6]:PORT": the host into host (cap bytes). */
static int parse_listen(const char *s, char *host, size_t cap, uint16_t *port)
{
    const char *colon = strrchr(s, ':');
    uint64_t value;
    if (!colon || !cli_parse_u64(colon + 1, &value) || value > 65535)
        return 0;
    size_t n = (size_t)(colon - s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s++;
        n -= 2;
    } else if (memchr(s, ':', n)) {
        return 0; /* a bare IPv6 address is ambiguous with the port */
    }
    if (n == 0 || n >= cap)
        return 0;
    memcpy(host, s, n);
    host[n] = '\0';
    *port = (uint16_t)value;
    return 1;
}

/* Reads the token: the file without its trailing newline. Header values
 * cannot carry control bytes or spaces, so such a token could never be
 * sent: refused here rather than never matching. */
static int read_token(const char *path, char *token, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "inkasso: --token-file: cannot open %s: %s\n", path,
                strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    struct stat info;
    if (fstat(fileno(f), &info) == 0 && (info.st_mode & 077))
        fprintf(stderr,
                "inkasso: warning: %s can be read by other users "
                "(chmod 600 it)\n",
                path);
    size_t n = fread(token, 1, cap, f);
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "inkasso: --token-file: cannot read %s\n", path);
        return CLI_EXIT_RUNTIME;
    }
    if (n > 0 && token[n - 1] == '\n')
        n--;
    if (n > 0 && token[n - 1] == '\r')
        n--;
    if (n == 0 || n >= cap)
        return cli_usage_error("serve",
                               "--token-file: expected a token of 1 to %d "
                               "bytes in %s",
                               (int)cap - 2, path);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)token[i] <= ' ' || (unsigned char)token[i] == 0x7f)
            return cli_usage_error("serve",
                                   "--token-file: the token may not contain "
                                   "spaces or control characters");
    *len = n;
    return CLI_EXIT_OK;
}

/* Loads the whole store; a missing file is an error here, not a new
 * empty store (ink_store_open creates one), since a typo would otherwise
 * serve an empty portfolio. */
static int load_store(const char *db, int threads, ink_store **store,
                      ink_portfolio **out)
{
    struct stat info;
    if (stat(db, &info) != 0) {
        fprintf(stderr, "inkasso: --db: cannot open %s: %s\n", db,
                strerror(errno));
        return CLI_EXIT_RUNTIME;
    }
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    lopt.threads = threads;
    ink_error err;
    ink_status st = ink_store_open(db, store, &err);
    if (st == INK_OK)
        st = ink_store_load(*store, &lopt, out, &err);
    if (st != INK_OK) {
        cli_print_error(&err);
        ink_store_close(*store);
        *store = NULL;
        return cli_exit_code(st);
    }
    return CLI_EXIT_OK;
}

int cmd_serve(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'D'},
        {"listen", required_argument, NULL, 'l'},
        {"token-file", required_argument, NULL, 'k'},
        {"auth-reads", no_argument, NULL, 'A'},
        {"threads", required_argument, NULL, 'T'},
        {"owners", required_argument, NULL, 'o'},
        {"model", required_argument, NULL, 'M'},
        {NULL, 0, NULL, 0}};
    const char *db = NULL, *token_file = NULL, *owners_path = NULL,
               *model_path = NULL;
    char token[SERVER_TOKEN_MAX + 2], host[256];
    server_config cfg = {.host = "127.0.0.1", .port = 8080};
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case 'D':
            db = optarg;
            break;
        case 'l':
            if (!parse_listen(optarg, host, sizeof host, &cfg.port))
                return cli_usage_error("serve",
                                       "--listen: expected HOST:PORT with a "
                                       "port from 0 to 65535, got \"%s\"",
                                       optarg);
            cfg.host = host;
            break;
        case 'k':
            token_file = optarg;
            break;
        case 'A':
            cfg.auth_reads = 1;
            break;
        case 'o':
            owners_path = optarg;
            break;
        case 'M':
            model_path = optarg;
            break;
        case 'T':
            if (cli_parse_threads("serve", optarg, &cfg.kpi_threads) !=
                CLI_EXIT_OK)
                return CLI_EXIT_USAGE;
            break;
        case ':':
            return cli_usage_error("serve", "option '%s' needs a value",
                                   argv[optind - 1]);
        default:
            return cli_usage_error("serve", "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (optind != argc)
        return cli_usage_error("serve", "serve takes no folder, only --db "
                                        "FILE");
    if (!db)
        return cli_usage_error("serve", "serve needs --db FILE");
    if (cfg.auth_reads && !token_file)
        return cli_usage_error("serve", "--auth-reads needs --token-file");
    int code;
    if (token_file) {
        code = read_token(token_file, token, sizeof token, &cfg.token_len);
        if (code != CLI_EXIT_OK)
            return code;
        cfg.token = token;
    }

    /* The owners file first: a typo in it should not wait for a load. */
    ink_owners *owners = NULL;
    ink_error err;
    if (owners_path) {
        ink_status st = ink_owners_load(owners_path, &owners, &err);
        if (st != INK_OK) {
            explicit_bzero(token, sizeof token);
            cli_print_error(&err);
            return cli_exit_code(st);
        }
    }
    /* The model too: a wrong file should not wait for a load either. */
    ink_model *model = NULL;
    if (model_path) {
        ink_status st = ink_model_load(model_path, &model, &err);
        if (st == INK_OK && !ink_model_is_portfolio(model)) {
            ink_model_free(model);
            explicit_bzero(token, sizeof token);
            ink_owners_free(owners);
            return cli_usage_error("serve",
                                   "--model: %s is a table model; the "
                                   "worklist needs one trained by inkasso "
                                   "score train",
                                   model_path);
        }
        if (st != INK_OK) {
            explicit_bzero(token, sizeof token);
            cli_print_error(&err);
            ink_owners_free(owners);
            return cli_exit_code(st);
        }
    }
    ink_portfolio *p = NULL;
    ink_store *store = NULL;
    code = load_store(db, cfg.kpi_threads, &store, &p);
    if (code == CLI_EXIT_OK && owners) {
        /* Its dimensions must be columns of this portfolio's cases. */
        ink_status st = ink_owners_check(owners, p, &err);
        if (st != INK_OK) {
            cli_print_error(&err);
            ink_portfolio_free(p);
            ink_store_close(store);
            code = cli_exit_code(st);
        }
    }
    if (code != CLI_EXIT_OK) {
        explicit_bzero(token, sizeof token);
        ink_owners_free(owners);
        ink_model_free(model);
        return code;
    }
    cfg.owners = owners;
    cfg.model = model;

    /* Blocked before the server's threads exist, so they inherit the
     * mask and only sigwait below ever takes SIGINT and SIGTERM. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client gone mid-answer is not fatal */

    server *s = NULL;
    char why[512];
    ink_status st = server_start(&cfg, p, store, &s, why, sizeof why);
    explicit_bzero(token, sizeof token); /* the server keeps its own copy */
    if (st != INK_OK) {
        fprintf(stderr, "inkasso: %s\n", why);
        ink_portfolio_free(p);
        ink_store_close(store);
        ink_owners_free(owners);
        ink_model_free(model);
        return cli_exit_code(st);
    }
    printf("listening on %s\n", server_url(s));
    if (fflush(stdout) != 0)
        fprintf(stderr, "inkasso: cannot write to stdout\n");
    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    server_stop(s);
    ink_portfolio_free(p);
    ink_store_close(store);
    ink_owners_free(owners);
    ink_model_free(model);
    return CLI_EXIT_OK;
}
