/* What the files of the HTTP server share: requests, replies, routes. */
#ifndef INKASSO_SERVER_IMPL_H
#define INKASSO_SERVER_IMPL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/types.h>

#include "../cli/cli_parse.h" /* cli_parse_u64, cli_split_list */
#include "server.h"

/* Hard limits on what a client may send (answered with 414 or 400). */
#define SRV_PATH_MAX 1024
#define SRV_QUERY_MAX 4096
#define SRV_PARAMS_MAX 16
/* The largest request body (CSV rows to ingest): 8 MiB, about 100,000
 * rows; a larger one is answered 413 without being kept. */
#define SRV_BODY_MAX (8u << 20)

/* One route per entry of the route table; SRV_ROUTE_OTHER counts the
 * requests that match no route. Also the metrics' route label. */
typedef enum srv_route_id {
    SRV_ROUTE_KPI,
    SRV_ROUTE_CURVES,
    SRV_ROUTE_CASE,
    SRV_ROUTE_HEALTHZ,
    SRV_ROUTE_METRICS,
    SRV_ROUTE_CASES,
    SRV_ROUTE_PAYMENTS,
    SRV_ROUTE_CONTACTS,
    SRV_ROUTE_COSTS,
    SRV_ROUTE_EVENTS,
    SRV_ROUTE_ALERTS,
    SRV_ROUTE_OWNERS,
    SRV_ROUTE_ATTRIBUTION,
    SRV_ROUTE_WORKLIST,
    SRV_ROUTE_CONTACT_PLAN,
    SRV_ROUTE_WEB,
    SRV_ROUTE_WEB_ASSET,
    SRV_ROUTE_OTHER,
    SRV_ROUTE_COUNT
} srv_route_id;

/* Every status the server answers with; the last bucket holds the rest. */
#define SRV_STATUS_LIST(X)                                                     \
    X(200)                                                                     \
    X(400) X(401) X(404) X(405) X(409) X(413) X(414) X(415) X(422) X(500) X(503)
enum {
#define SRV_STATUS_ENUM(code) SRV_STATUS_##code,
    SRV_STATUS_LIST(SRV_STATUS_ENUM)
#undef SRV_STATUS_ENUM
        SRV_STATUS_OTHER,
    SRV_STATUS_COUNT
};

/* Counters updated by every request thread, without a lock. */
typedef struct srv_metrics {
    atomic_uint_fast64_t requests[SRV_ROUTE_COUNT][SRV_STATUS_COUNT];
    atomic_uint_fast64_t latency_ns[SRV_ROUTE_COUNT];
    atomic_uint_fast64_t latency_count[SRV_ROUTE_COUNT];
    atomic_uint_fast64_t ingest_accepted, ingest_rejected;
} srv_metrics;

/* A decoded query parameter; value is "" for "?key" without "=". */
typedef struct srv_param {
    const char *key;
    const char *value;
} srv_param;

/* What a handler sees of a request; valid during the handler call. */
typedef struct srv_request srv_request;
struct srv_request {
    const char *path;    /* decoded, without the query */
    const char *subpath; /* the part after a prefix route's path */
    const srv_param *params;
    size_t param_count;
    const char *body; /* POST: the request body (not NUL-terminated) */
    size_t body_len;
    const char *content_type; /* the Content-Type header, or NULL */
};

/* What a handler answers: body is malloc'ed (or NULL when empty) and
 * owned by the reply until sent. */
typedef struct srv_reply {
    unsigned status;
    int events;        /* 1: answer with the server-sent event stream */
    const char *allow; /* the Allow header of a 405 */
    const char *content_type;
    const char *cache_control; /* Cache-Control header, or NULL */
    const char *csp;           /* Content-Security-Policy header, or NULL */
    char *body;
    size_t len;
} srv_reply;

/* State shared by all requests. Reads of the portfolio hold lock for
 * reading; an ingest holds it for writing while it checks, stores and
 * applies its rows, so a query sees a portfolio before or after a batch,
 * never in between. */
/* The latest ingest event, for the server-sent event streams: each
 * stream waits on ready for generation to move past the one it sent. */
typedef struct srv_events {
    pthread_mutex_t mu;
    pthread_cond_t ready;
    uint64_t generation;
    int stopping;
    size_t streams; /* open streams: no report is made for nobody */
    char *text;     /* "event: ingest\ndata: ...\n\n" */
    size_t len;
} srv_events;

/* Report answers by query (cache.c); emptied by every ingest. */
#define SRV_CACHE_ENTRIES 32
typedef struct srv_cache_entry {
    char *key, *body;
    size_t len;
    uint64_t used;
} srv_cache_entry;

typedef struct srv_cache {
    pthread_mutex_t mu;
    srv_cache_entry entries[SRV_CACHE_ENTRIES];
    uint64_t tick;
} srv_cache;

int srv_cache_init(srv_cache *c);
void srv_cache_cleanup(srv_cache *c);
void srv_cache_clear(srv_cache *c);
/* A copy of the answer to key (caller frees), or NULL. */
char *srv_cache_get(srv_cache *c, const char *key, size_t *len);
void srv_cache_put(srv_cache *c, const char *key, const char *body, size_t len);
/* The request's path and parameters, sorted (caller frees; NULL: no
 * memory). */
char *srv_cache_key(const srv_request *req);

typedef struct srv_context {
    ink_portfolio *portfolio;
    srv_cache *cache;
    ink_store *store; /* NULL: no writes */
    pthread_rwlock_t lock;
    srv_events *events;
    int kpi_threads;
    srv_metrics *metrics;
    const struct ink_owners *owners; /* --owners FILE, or NULL */
    const struct ink_model *model;   /* --model FILE, or NULL */
    /* Set when a stored batch could not be applied in memory: the
     * portfolio may hold part of it, so nothing reads it again and every
     * route that would answers 503 until a restart loads the store. */
    atomic_int *damaged;
} srv_context;

typedef void srv_handler(const srv_context *ctx, const srv_request *req,
                         srv_reply *reply);

typedef struct srv_route {
    const char *path;
    int prefix; /* 1: path is a prefix and the rest is req->subpath */
    srv_route_id id;
    int post;    /* 1: takes POST (a write: always needs the token) */
    int is_read; /* 1: a read that needs the token under --auth-reads */
    srv_handler *handler;
    /* 1: answers without reading the portfolio (health, metrics, the
     * dashboard's files), so also while it is damaged. */
    int no_portfolio;
} srv_route;

/* The route table (routes.c): the single list of what the server answers. */
extern const srv_route srv_routes[];
extern const size_t srv_route_count;
/* The route's path as the metrics label ("other" for SRV_ROUTE_OTHER). */
const char *srv_route_label(srv_route_id id);

/* Handlers, one file per family. */
void srv_handle_kpi(const srv_context *ctx, const srv_request *req,
                    srv_reply *reply);
void srv_handle_curves(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply);
void srv_handle_case(const srv_context *ctx, const srv_request *req,
                     srv_reply *reply);
/* Query parameters shared by the read routes (params.c). Each returns 0
 * with a 400 reply in *reply when the request is not as the route takes. */
/* Every parameter is in allowed (NULL-ended) and given once: a misspelt
 * parameter silently ignored would answer another question. */
int srv_params_check(const srv_request *req, const char *const *allowed,
                     const char *allowed_text, srv_reply *reply);
/* The value of key, NULL when absent or empty ("?by=&as_of=" is how forms
 * send fields left blank). */
const char *srv_param_value(const srv_request *req, const char *key);
/* key as YYYY-MM-DD into *out (absent: *out as it was). */
int srv_param_date(const srv_request *req, const char *key, int32_t *out,
                   srv_reply *reply);
/* from and to: both or neither, from on or before to. */
int srv_param_period(const srv_request *req, int32_t *from, int32_t *to,
                     srv_reply *reply);
/* key as a comma list of at most max items, named what in the message
 * ("by: expected up to 4 comma-separated dimensions"): the items point
 * into *text, a copy the caller frees. Absent: *text NULL, *count 0. */
int srv_param_list(const srv_request *req, const char *key, size_t max,
                   const char *what, char **text, char **items, size_t *count,
                   srv_reply *reply);
/* 1 when the answer to req was kept (reply filled); otherwise *key is the
 * request's cache key (or NULL) for srv_keep_answer. */
int srv_cached_answer(const srv_context *ctx, const srv_request *req,
                      char **key, srv_reply *reply);
/* Keeps a 200 answer under key until the next ingest; frees key. */
void srv_keep_answer(const srv_context *ctx, char *key, const srv_reply *reply);
/* Writes a computed result as JSON to a stream. */
typedef ink_status srv_json_writer(FILE *out, const void *arg);
/* The 200 JSON answer write(out, arg) gives, kept under key (freed). */
void srv_answer_json(const srv_context *ctx, char *key, srv_json_writer *write,
                     const void *arg, srv_reply *reply);

/* GET /api/v1/owners (route_owners.c). */
void srv_handle_owners(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply);
/* GET /api/v1/attribution (route_attribution.c). */
void srv_handle_attribution(const srv_context *ctx, const srv_request *req,
                            srv_reply *reply);
/* GET /api/v1/worklist and /api/v1/contact-plan (route_worklist.c). */
void srv_handle_worklist(const srv_context *ctx, const srv_request *req,
                         srv_reply *reply);
void srv_handle_contact_plan(const srv_context *ctx, const srv_request *req,
                             srv_reply *reply);
/* GET /api/v1/alerts (route_alerts.c). */
void srv_handle_alerts(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply);
/* GET / and /assets/{file}: the dashboard compiled into the binary
 * (route_web.c). */
void srv_handle_web(const srv_context *ctx, const srv_request *req,
                    srv_reply *reply);
void srv_handle_metrics(const srv_context *ctx, const srv_request *req,
                        srv_reply *reply);
/* GET /api/v1/events: marks the reply as the event stream (events.c). */
void srv_handle_events(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply);
/* Publishes an ingest to the event streams: the route, the rows
 * accepted, and the totals by currency after it (called under the write
 * lock, after the batch was applied). */
void srv_events_publish(const srv_context *ctx, const char *route,
                        size_t accepted);
int srv_events_init(srv_events *e);
/* Wakes every stream so that it ends (before the daemon stops). */
void srv_events_stop(srv_events *e);
void srv_events_cleanup(srv_events *e);
/* The next bytes of a stream into buf, blocking until there are some;
 * -1 when the stream ends (MHD's content reader, wrapped in server.c). */
ssize_t srv_events_read(void *cls, uint64_t pos, char *buf, size_t max);
void *srv_events_stream_new(srv_events *e);
void srv_events_stream_free(void *stream);

/* A JSON body (an array of flat row objects) as CSV text with one column
 * per key (json_rows.c); NULL with *error set when it is not one. */
char *srv_json_rows_to_csv(const char *body, size_t len, size_t *out_len,
                           const char **error);

/* POST /api/v1/{cases,payments,contacts,costs} (route_ingest.c); called with
 * the lock held for writing. */
void srv_handle_ingest(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply);

/* Metrics (metrics.c). */
void srv_metrics_record(srv_metrics *m, srv_route_id route, unsigned status,
                        uint64_t nanoseconds);

/* Replies (reply.c). */

/* A JSON error {"error": {"code", "message"}} with every value escaped.
 * Falls back to a fixed body when memory runs out. */
void srv_reply_error(srv_reply *reply, unsigned status, const char *code,
                     const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The error reply for a failed library call: 400 for INK_USAGE, 422 for
 * INK_DATA, 500 otherwise, with the library's message. */
void srv_reply_status(srv_reply *reply, ink_status st, const ink_error *err);

/* A body written to a memory stream: srv_body_open, write to body->f,
 * srv_body_finish hands the text to reply (a 500 when writing failed). */
typedef struct srv_body {
    FILE *f;
    char *buf;
    size_t len;
} srv_body;
int srv_body_open(srv_body *body);
void srv_body_finish(srv_body *body, int write_failed, unsigned status,
                     const char *content_type, srv_reply *reply);

/* A JSON string of s with its quotes; NULL writes null. Invalid UTF-8
 * bytes become U+FFFD so the output is always valid JSON. */
void srv_json_string(FILE *f, const char *s);

/* The static body of a 500 reply left without a body when memory ran
 * out (reply->body NULL and reply->status 500). */
const char *srv_oom_body(size_t *len);

/* The value of query parameter key, or NULL when absent. */
const char *srv_param_get(const srv_request *req, const char *key);

#define SRV_JSON "application/json"

#endif
