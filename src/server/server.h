/* The HTTP API of inkasso serve: a JSON view of a portfolio, and ingest. */
#ifndef INKASSO_SERVER_H
#define INKASSO_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/inkasso.h"

#define SERVER_MAX_CONNECTIONS 64
#define SERVER_TOKEN_MAX 4096

typedef struct server_config {
    const char *host; /* numeric address or name; "127.0.0.1" by default */
    uint16_t port;    /* 0: any free port (server_port says which) */
    /* Bearer token (not NUL-terminated; token_len bytes) or NULL. The
     * bytes are copied: the caller may wipe its own copy afterwards. */
    const char *token;
    size_t token_len;
    int auth_reads;  /* 1: read routes need the token too */
    int kpi_threads; /* threads per KPI query; 0 = one per core */
    /* KPI owners, targets and actions (--owners FILE), or NULL; must
     * outlive the server. */
    const struct ink_owners *owners;
    /* A propensity model (--model FILE) for the worklist, or NULL; must
     * outlive the server. */
    const struct ink_model *model;
} server_config;

typedef struct server server;

/*
 * Starts answering on cfg's address in background threads. p is read by
 * many threads at once, and changed by ingests (POST) when store is not
 * NULL: each batch is stored (durably) in store, then applied to p. Both
 * must outlive the server. Writes need the token: without one they are
 * refused. On success
 * *out owns the server (server_stop). On failure *out is NULL, why is
 * written to errbuf (always NUL-terminated), and the status is INK_USAGE
 * for an address that does not resolve, INK_IO when it cannot be bound,
 * INK_NOMEM or INK_INTERNAL otherwise.
 * Signals: the threads inherit the caller's signal mask, so a caller
 * that waits for SIGINT/SIGTERM with sigwait blocks them first.
 */
ink_status server_start(const server_config *cfg, ink_portfolio *p,
                        ink_store *store, server **out, char *errbuf,
                        size_t errcap);

/* The address actually bound, as a URL ("http://127.0.0.1:8080"). */
const char *server_url(const server *s);

/* Stops accepting, waits for the requests under way, frees s.
 * NULL is a no-op. */
void server_stop(server *s);

#endif
