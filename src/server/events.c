/* Server-sent events: after every committed ingest, each open stream of
 * GET /api/v1/events gets the route, the rows accepted and the totals. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server_impl.h"

/* A stream sends a comment this often when nothing happens, so that
 * proxies and clients see the connection is alive. */
#define KEEPALIVE_SECONDS 15

int srv_events_init(srv_events *e)
{
    memset(e, 0, sizeof *e);
    if (pthread_mutex_init(&e->mu, NULL) != 0)
        return 0;
    if (pthread_cond_init(&e->ready, NULL) != 0) {
        pthread_mutex_destroy(&e->mu);
        return 0;
    }
    return 1;
}

void srv_events_stop(srv_events *e)
{
    pthread_mutex_lock(&e->mu);
    e->stopping = 1;
    pthread_cond_broadcast(&e->ready);
    pthread_mutex_unlock(&e->mu);
}

void srv_events_cleanup(srv_events *e)
{
    pthread_cond_destroy(&e->ready);
    pthread_mutex_destroy(&e->mu);
    free(e->text);
}

/* The event text: every line of the JSON gets its own "data: " prefix,
 * as SSE lines cannot hold a line break. */
static char *event_text(const char *json, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&out, &n);
    if (!f)
        return NULL;
    fputs("event: ingest\n", f);
    const char *line = json;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t k = end ? (size_t)(end - line) : strlen(line);
        if (k) {
            fputs("data: ", f);
            fwrite(line, 1, k, f);
            putc('\n', f);
        }
        line += k + (end != NULL);
    }
    putc('\n', f);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

void srv_events_publish(const srv_context *ctx, const char *route,
                        size_t accepted)
{
    /* The totals cost a report over every case: only for listeners. */
    pthread_mutex_lock(&ctx->events->mu);
    size_t listeners = ctx->events->streams;
    pthread_mutex_unlock(&ctx->events->mu);
    if (!listeners)
        return;
    /* The totals per currency: amounts are never added across them. */
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    const char *by[] = {"currency"};
    opt.by = by;
    opt.by_count = 1;
    opt.threads = ctx->kpi_threads;
    ink_kpi_report *r = NULL;
    char *json = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&json, &n);
    if (!f)
        return;
    fprintf(f, "{\"route\":\"%s\",\"accepted\":%zu,\"report\":", route,
            accepted);
    if (ink_kpi_compute(ctx->portfolio, &opt, &r, NULL) == INK_OK)
        ink_kpi_write_json(r, f);
    else
        fputs("null", f);
    fputs("}", f);
    ink_kpi_report_free(r);
    if (fclose(f) != 0) {
        free(json);
        return;
    }
    size_t len = 0;
    char *text = event_text(json, &len);
    free(json);
    if (!text)
        return; /* out of memory: the streams miss this one event */
    srv_events *e = ctx->events;
    pthread_mutex_lock(&e->mu);
    free(e->text);
    e->text = text;
    e->len = len;
    e->generation++;
    pthread_cond_broadcast(&e->ready);
    pthread_mutex_unlock(&e->mu);
}

/* One open stream: the generation it sent last, and what is left of the
 * event it is sending. */
typedef struct stream {
    srv_events *events;
    uint64_t seen;
    char *pending;
    size_t len, off;
} stream;

void *srv_events_stream_new(srv_events *e)
{
    stream *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->events = e;
    pthread_mutex_lock(&e->mu);
    s->seen = e->generation; /* only events after the stream opened */
    e->streams++;
    pthread_mutex_unlock(&e->mu);
    return s;
}

void srv_events_stream_free(void *cls)
{
    stream *s = cls;
    if (s) {
        pthread_mutex_lock(&s->events->mu);
        s->events->streams--;
        pthread_mutex_unlock(&s->events->mu);
        free(s->pending);
        free(s);
    }
}

ssize_t srv_events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    stream *s = cls;
    if (s->off == s->len) {
        free(s->pending);
        s->pending = NULL;
        s->len = s->off = 0;
        srv_events *e = s->events;
        pthread_mutex_lock(&e->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += KEEPALIVE_SECONDS;
        int rc = 0;
        while (!e->stopping && e->generation == s->seen && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&e->ready, &e->mu, &until);
        if (e->stopping) {
            pthread_mutex_unlock(&e->mu);
            return -1; /* the end of the stream: the server stops */
        }
        if (e->generation != s->seen && e->text) {
            s->pending = malloc(e->len);
            if (s->pending) {
                memcpy(s->pending, e->text, e->len);
                s->len = e->len;
            }
            s->seen = e->generation;
        }
        pthread_mutex_unlock(&e->mu);
        if (!s->pending) {
            static const char keepalive[] = ": keep-alive\n\n";
            size_t k = sizeof keepalive - 1 < max ? sizeof keepalive - 1 : max;
            memcpy(buf, keepalive, k);
            return (ssize_t)k;
        }
    }
    size_t k = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->pending + s->off, k);
    s->off += k;
    return (ssize_t)k;
}

void srv_handle_events(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    (void)ctx;
    if (req->param_count) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "unknown parameter \"%s\": this route takes none",
                        req->params[0].key);
        return;
    }
    reply->events = 1;
    reply->status = 200;
    reply->content_type = "text/event-stream";
}
