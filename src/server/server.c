/* The daemon: libmicrohttpd (included here only), routing, auth, replies. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "server_impl.h"

/* Idle keep-alive connections are closed after this, so that 64 idle
 * clients cannot hold every connection slot for ever. */
#define SRV_IDLE_SECONDS 30
/* Per connection: request line and headers must fit (MHD answers 414 or
 * 431 itself beyond that). */
#define SRV_CONNECTION_MEMORY (32 * 1024)

struct server {
    struct MHD_Daemon *daemon;
    char *token;
    size_t token_len;
    int auth_reads;
    int lock_ready;
    int events_ready;
    srv_events events;
    int cache_ready;
    srv_cache cache;
    srv_metrics metrics;
    atomic_int damaged;
    srv_context ctx;
    char url[128];
};

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((format(printf, 2, 0))) static void
log_mhd(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("inkasso: http: ", stderr);
    vfprintf(stderr, fmt, ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', stderr);
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

typedef struct param_list {
    srv_param items[SRV_PARAMS_MAX];
    size_t count;
    size_t bytes;
    int too_many;
} param_list;

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    param_list *list = cls;
    (void)kind;
    if (!value)
        value = "";
    list->bytes += strlen(key) + strlen(value) + 2;
    if (list->count == SRV_PARAMS_MAX) {
        list->too_many = 1;
        return MHD_YES; /* keep counting bytes */
    }
    list->items[list->count].key = key;
    list->items[list->count].value = value;
    list->count++;
    return MHD_YES;
}

static const srv_route *find_route(const char *path, const char **subpath)
{
    for (size_t i = 0; i < srv_route_count; i++) {
        const srv_route *r = &srv_routes[i];
        size_t n = strlen(r->path);
        if (r->prefix) {
            /* An empty id is no case: /api/v1/cases/ is not a route. */
            if (strncmp(path, r->path, n) == 0 && path[n] != '\0') {
                *subpath = path + n;
                return r;
            }
        } else if (strcmp(path, r->path) == 0) {
            *subpath = "";
            return r;
        }
    }
    return NULL;
}

/* Compares in time that depends on the expected token's length only,
 * never on how many leading bytes of a guess are right. */
static int token_matches(const server *s, const char *given, size_t given_len)
{
    volatile unsigned char diff = given_len != s->token_len;
    for (size_t i = 0; i < s->token_len; i++) {
        unsigned char g = i < given_len ? (unsigned char)given[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)s->token[i]);
    }
    return diff == 0;
}

/* 1 when the request carries "Authorization: Bearer <token>" with the
 * right token; otherwise a 401 reply. The scheme is case-insensitive
 * (RFC 7235); the token is not. */
static int authorized(const server *s, struct MHD_Connection *conn,
                      srv_reply *reply)
{
    const char *h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h) {
        srv_reply_error(reply, 401, "unauthorized",
                        "this route needs an Authorization: Bearer token");
        return 0;
    }
    if (strncasecmp(h, "Bearer ", 7) != 0) {
        srv_reply_error(reply, 401, "unauthorized",
                        "expected an Authorization: Bearer token");
        return 0;
    }
    h += 7;
    while (*h == ' ')
        h++;
    if (!token_matches(s, h, strlen(h))) {
        srv_reply_error(reply, 401, "unauthorized", "wrong bearer token");
        return 0;
    }
    return 1;
}

static int is_read_method(const char *method)
{
    return strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
           strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
}

/* What MHD keeps for a GET between its calls: only that the headers were
 * seen (its address is the marker). */
static int headers_seen;

/* What MHD keeps for a POST between its calls: the body so far. */
typedef struct request_state {
    char *body;
    size_t len, cap;
    int too_large;
} request_state;

static void request_done(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)conn;
    (void)why;
    request_state *rs = *req_cls;
    if (rs && *req_cls != (void *)&headers_seen) {
        free(rs->body);
        free(rs);
        *req_cls = NULL;
    }
}

/* The body will not be kept: the rest is read and dropped, and the
 * request answered 413. */
static void drop_body(request_state *rs)
{
    rs->too_large = 1;
    free(rs->body);
    rs->body = NULL;
    rs->len = rs->cap = 0;
}

/* Appends upload data to the body, up to SRV_BODY_MAX. */
static void keep_body(request_state *rs, const char *data, size_t n)
{
    if (rs->too_large || n == 0)
        return;
    if (rs->len + n > SRV_BODY_MAX) {
        drop_body(rs);
        return;
    }
    if (rs->len + n > rs->cap) {
        size_t cap = rs->cap ? rs->cap : 4096;
        while (cap < rs->len + n)
            cap *= 2;
        char *p = realloc(rs->body, cap);
        if (!p) {
            drop_body(rs); /* answered as 413: it did not fit */
            return;
        }
        rs->body = p;
        rs->cap = cap;
    }
    memcpy(rs->body + rs->len, data, n);
    rs->len += n;
}

/* Fills reply for one request and says which route it went to. */
static srv_route_id answer(server *s, struct MHD_Connection *conn,
                           const char *path, const char *method,
                           const request_state *rs, srv_reply *reply)
{
    param_list params = {.count = 0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param,
                              &params);
    const char *subpath = "";
    const srv_route *route = find_route(path, &subpath);
    srv_route_id id = route ? route->id : SRV_ROUTE_OTHER;
    if (strlen(path) > SRV_PATH_MAX || params.bytes > SRV_QUERY_MAX) {
        srv_reply_error(reply, 414, "uri_too_long",
                        "the path may have at most %d bytes and the query "
                        "%d",
                        SRV_PATH_MAX, SRV_QUERY_MAX);
        return id;
    }
    if (!route) {
        srv_reply_error(reply, 404, "not_found", "no route %s", path);
        return id;
    }
    if (route->post ? strcmp(method, MHD_HTTP_METHOD_POST) != 0
                    : !is_read_method(method)) {
        reply->allow = route->post ? "POST" : "GET, HEAD";
        srv_reply_error(reply, 405, "method_not_allowed", "%s takes %s, not %s",
                        srv_route_label(id), route->post ? "POST" : "GET",
                        method);
        return id;
    }
    if (route->is_read && s->auth_reads && !authorized(s, conn, reply))
        return id;
    if (route->post) {
        /* Writes always need the token: a server without one is read-only. */
        if (!s->token) {
            srv_reply_error(reply, 401, "unauthorized",
                            "writes need a server started with --token-file");
            return id;
        }
        if (!authorized(s, conn, reply))
            return id;
        if (rs && rs->too_large) {
            srv_reply_error(reply, 413, "payload_too_large",
                            "the body may have at most %u bytes",
                            (unsigned)SRV_BODY_MAX);
            return id;
        }
    }
    if (params.too_many) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "at most %d query parameters", SRV_PARAMS_MAX);
        return id;
    }
    srv_request req = {
        .path = path,
        .subpath = subpath,
        .params = params.items,
        .param_count = params.count,
        .body = rs && rs->body ? rs->body : "",
        .body_len = rs ? rs->len : 0,
        .content_type = MHD_lookup_connection_value(
            conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE)};
    /* Queries share the portfolio; an ingest has it to itself. */
    if (route->post)
        pthread_rwlock_wrlock(&s->ctx.lock);
    else
        pthread_rwlock_rdlock(&s->ctx.lock);
    if (!route->no_portfolio && atomic_load(&s->damaged))
        srv_reply_error(reply, 503, "unavailable",
                        "a stored batch could not be applied in memory (out "
                        "of memory); restart the server to load the store");
    else
        route->handler(&s->ctx, &req, reply);
    pthread_rwlock_unlock(&s->ctx.lock);
    return id;
}

static ssize_t events_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    ssize_t n = srv_events_read(cls, pos, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : n;
}

static void events_free(void *cls)
{
    srv_events_stream_free(cls);
}

static enum MHD_Result send_reply(server *s, struct MHD_Connection *conn,
                                  srv_reply *reply)
{
    struct MHD_Response *resp;
    if (reply->events) {
        /* Blocking in the reader is fine: one thread per connection. */
        void *stream = srv_events_stream_new(&s->events);
        if (!stream)
            return MHD_NO;
        resp = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 4096, events_reader, stream, events_free);
        if (!resp) {
            srv_events_stream_free(stream);
            return MHD_NO;
        }
        enum MHD_Result ok = MHD_YES;
        if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "text/event-stream") != MHD_YES ||
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                                    "no-cache") != MHD_YES)
            ok = MHD_NO;
        if (ok == MHD_YES)
            ok = MHD_queue_response(conn, 200, resp);
        MHD_destroy_response(resp);
        return ok;
    }
    if (reply->body) {
        resp = MHD_create_response_from_buffer(reply->len, reply->body,
                                               MHD_RESPMEM_MUST_FREE);
        if (!resp) {
            free(reply->body);
            return MHD_NO; /* no memory left even to answer: drop it */
        }
    } else {
        size_t len;
        const char *text = srv_oom_body(&len);
        reply->status = 500;
        reply->content_type = SRV_JSON;
        resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)text,
                                               MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
    }
    reply->body = NULL; /* the response owns it now */
    enum MHD_Result ok = MHD_YES;
    if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                reply->content_type) != MHD_YES)
        ok = MHD_NO;
    if (reply->status == 405 &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
                                reply->allow ? reply->allow : "GET, HEAD") !=
            MHD_YES)
        ok = MHD_NO;
    if (reply->status == 401 &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
                                "Bearer") != MHD_YES)
        ok = MHD_NO;
    if (reply->cache_control &&
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                                reply->cache_control) != MHD_YES)
        ok = MHD_NO;
    if (reply->csp && MHD_add_response_header(resp, "Content-Security-Policy",
                                              reply->csp) != MHD_YES)
        ok = MHD_NO;
    if (ok == MHD_YES)
        ok = MHD_queue_response(conn, reply->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

/* A request that announces a body (none of our routes takes one). */
static int has_body(struct MHD_Connection *conn)
{
    const char *length = MHD_lookup_connection_value(
        conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return (length && strcmp(length, "0") != 0) ||
           MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **req_cls)
{
    server *s = cls;
    (void)version;
    int post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    /* A plain GET is answered on MHD's second call, once the request is
     * complete, so the connection stays open for the next request. A POST
     * body is gathered over the calls that follow, then answered. Any
     * other request with a body is answered at once: MHD then closes the
     * connection without reading the body. */
    if (!*req_cls) {
        if (post) {
            request_state *rs = calloc(1, sizeof *rs);
            if (!rs)
                return MHD_NO;
            *req_cls = rs;
            return MHD_YES;
        }
        *req_cls = &headers_seen;
        if (is_read_method(method) && !has_body(conn))
            return MHD_YES;
    } else if (*upload_data_size) {
        if (post)
            keep_body(*req_cls, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    uint64_t started = now_ns();
    srv_reply reply = {.status = 500, .content_type = SRV_JSON};
    srv_route_id id =
        answer(s, conn, url, method, post ? *req_cls : NULL, &reply);
    unsigned status = reply.events ? 200 : reply.body ? reply.status : 500;
    enum MHD_Result ok = send_reply(s, conn, &reply);
    srv_metrics_record(&s->metrics, id, status, now_ns() - started);
    return ok;
}

/* ------------------------------------------------------------------ */
/* Start and stop                                                      */

/* Binds and listens on host:port itself (rather than through MHD) so a
 * failure says why, and so port 0 can be read back with getsockname. */
static ink_status open_listener(const server_config *cfg, int *out, char *url,
                                size_t urlcap, char *errbuf, size_t errcap)
{
    const char *host = cfg->host ? cfg->host : "127.0.0.1";
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)cfg->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, port, &hints, &found);
    if (rc != 0) {
        snprintf(errbuf, errcap, "--listen: cannot resolve \"%s\": %s", host,
                 gai_strerror(rc));
        return INK_USAGE;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = found; a && fd < 0; a = a->ai_next) {
        fd =
            socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            saved = errno;
            continue;
        }
        int on = 1;
        /* A restart must not wait for the old connections' TIME_WAIT. */
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (a->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 ||
            listen(fd, SOMAXCONN) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(found);
    if (fd < 0) {
        snprintf(errbuf, errcap, "cannot listen on %s:%s: %s", host, port,
                 strerror(saved));
        return INK_IO;
    }
    struct sockaddr_storage bound;
    socklen_t len = sizeof bound;
    char addr[NI_MAXHOST], serv[NI_MAXSERV];
    if (getsockname(fd, (struct sockaddr *)&bound, &len) != 0 ||
        getnameinfo((struct sockaddr *)&bound, len, addr, sizeof addr, serv,
                    sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(errbuf, errcap, "cannot read the address bound: %s",
                 strerror(errno));
        close(fd);
        return INK_IO;
    }
    snprintf(url, urlcap, strchr(addr, ':') ? "http://[%s]:%s" : "http://%s:%s",
             addr, serv);
    *out = fd;
    return INK_OK;
}

ink_status server_start(const server_config *cfg, ink_portfolio *p,
                        ink_store *store, server **out, char *errbuf,
                        size_t errcap)
{
    *out = NULL;
    errbuf[0] = '\0';
    int fd = -1;
    server *s = calloc(1, sizeof *s);
    if (!s)
        goto nomem;
    s->auth_reads = cfg->auth_reads;
    if (cfg->token) {
        s->token = malloc(cfg->token_len + 1);
        if (!s->token)
            goto nomem;
        memcpy(s->token, cfg->token, cfg->token_len);
        s->token[cfg->token_len] = '\0';
        s->token_len = cfg->token_len;
    }
    for (int r = 0; r < SRV_ROUTE_COUNT; r++) {
        for (int st = 0; st < SRV_STATUS_COUNT; st++)
            atomic_init(&s->metrics.requests[r][st], 0);
        atomic_init(&s->metrics.latency_ns[r], 0);
        atomic_init(&s->metrics.latency_count[r], 0);
    }
    s->ctx.portfolio = p;
    s->ctx.store = store;
    /* Every query reads the per-case facts: build them before the first. */
    if (ink_kpi_prepare(p, NULL) != INK_OK)
        goto nomem;
    if (pthread_rwlock_init(&s->ctx.lock, NULL) != 0)
        goto nomem;
    s->lock_ready = 1;
    if (!srv_events_init(&s->events))
        goto nomem;
    s->events_ready = 1;
    s->ctx.events = &s->events;
    if (!srv_cache_init(&s->cache))
        goto nomem;
    s->cache_ready = 1;
    s->ctx.cache = &s->cache;
    atomic_init(&s->metrics.ingest_accepted, 0);
    atomic_init(&s->metrics.ingest_rejected, 0);
    s->ctx.kpi_threads = cfg->kpi_threads;
    s->ctx.owners = cfg->owners;
    atomic_init(&s->damaged, 0);
    s->ctx.damaged = &s->damaged;
    s->ctx.model = cfg->model;
    s->ctx.metrics = &s->metrics;
    ink_status st =
        open_listener(cfg, &fd, s->url, sizeof s->url, errbuf, errcap);
    if (st != INK_OK) {
        server_stop(s);
        return st;
    }
    /* A thread per connection: a slow KPI query never holds up a health
     * check behind it; the connection limit bounds the threads. */
    s->daemon = MHD_start_daemon(
        MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
            MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
        MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_NOTIFY_COMPLETED, request_done,
        NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SRV_IDLE_SECONDS,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)SRV_CONNECTION_MEMORY,
        MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(errbuf, errcap, "cannot start the HTTP server");
        close(fd);
        server_stop(s);
        return INK_INTERNAL;
    }
    *out = s;
    return INK_OK;
nomem:
    snprintf(errbuf, errcap, "out of memory");
    server_stop(s);
    return INK_NOMEM;
}

const char *server_url(const server *s)
{
    return s->url;
}

void server_stop(server *s)
{
    if (!s)
        return;
    /* Streams waiting for an event end first, so that stopping the
     * daemon does not wait for them. Also closes the listening socket. */
    if (s->events_ready)
        srv_events_stop(&s->events);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    if (s->events_ready)
        srv_events_cleanup(&s->events);
    if (s->cache_ready)
        srv_cache_cleanup(&s->cache);
    if (s->token) {
        explicit_bzero(s->token, s->token_len);
        free(s->token);
    }
    if (s->lock_ready)
        pthread_rwlock_destroy(&s->ctx.lock);
    free(s);
}
