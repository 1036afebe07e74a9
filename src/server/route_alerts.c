/* GET /api/v1/alerts: the report of inkasso alerts --format json. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inkasso/alerts.h"
#include "server_impl.h"

static const char *const allowed[] = {
    "as_of", "days", "lookback", "threshold", "min_events", "by", NULL};
#define ALLOWED_TEXT "as_of, days, lookback, threshold, min_events or by"

/* 0 with a 400 reply when a parameter is unknown or given twice: a
 * misspelt parameter silently ignored would answer another question. */
static int check_params(const srv_request *req, srv_reply *reply)
{
    for (size_t i = 0; i < req->param_count; i++) {
        const char *key = req->params[i].key;
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k]) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "unknown parameter \"%s\": expected %s", key,
                            ALLOWED_TEXT);
            return 0;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(req->params[j].key, key) == 0) {
                srv_reply_error(reply, 400, "bad_parameter",
                                "parameter \"%s\" given twice", key);
                return 0;
            }
    }
    return 1;
}

/* The parameter's value, NULL when absent or empty (a blank form field). */
static const char *param(const srv_request *req, const char *key)
{
    const char *v = srv_param_get(req, key);
    return v && *v ? v : NULL;
}

/* A whole-string decimal from lo to hi into *out (absent: left as is). */
static int parse_count(const srv_request *req, const char *key, uint64_t lo,
                       uint64_t hi, uint32_t *out, srv_reply *reply)
{
    const char *v = param(req, key);
    if (!v)
        return 1;
    char *end;
    errno = 0;
    unsigned long long n = *v >= '0' && *v <= '9' ? strtoull(v, &end, 10) : 0;
    if (*v < '0' || *v > '9' || errno || *end || n < lo || n > hi) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "%s: expected a number from %llu to %llu, got \"%s\"",
                        key, (unsigned long long)lo, (unsigned long long)hi, v);
        return 0;
    }
    *out = (uint32_t)n;
    return 1;
}

/* The options of the query; by_items point into *by_text (caller frees). */
static int parse_query(const srv_request *req, ink_alerts_options *opt,
                       char **by_text, char **by_items, srv_reply *reply)
{
    ink_alerts_options_init(opt);
    const char *v = param(req, "as_of");
    if (v && !ink_parse_date(v, strlen(v), &opt->as_of)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "as_of: expected a date YYYY-MM-DD, got \"%s\"", v);
        return 0;
    }
    if (!parse_count(req, "days", 1, INK_ALERTS_MAX_DAYS, &opt->days, reply) ||
        !parse_count(req, "lookback", 28, INK_ALERTS_MAX_DAYS, &opt->lookback,
                     reply) ||
        !parse_count(req, "min_events", 1, 1000000000, &opt->min_events, reply))
        return 0;
    if ((v = param(req, "threshold"))) {
        char *end;
        errno = 0;
        double x = strtod(v, &end);
        if (*end || errno || !(x > 0 && x <= 1)) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "threshold: expected a number in (0, 1], got "
                            "\"%s\"",
                            v);
            return 0;
        }
        opt->threshold = x;
    }
    if (!(v = param(req, "by")))
        return 1;
    if (!(*by_text = strdup(v))) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return 0;
    }
    size_t n = 0;
    for (char *tok = *by_text;;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        if (n == INK_ALERTS_MAX_DIMS || !*tok) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "by: expected up to %d comma-separated "
                            "dimensions",
                            INK_ALERTS_MAX_DIMS);
            return 0;
        }
        by_items[n++] = tok;
        if (!comma)
            break;
        tok = comma + 1;
    }
    opt->by = (const char *const *)by_items;
    opt->by_count = n;
    return 1;
}

void srv_handle_alerts(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    ink_alerts_options opt;
    char *by_text = NULL;
    char *by_items[INK_ALERTS_MAX_DIMS];
    if (!check_params(req, reply) ||
        !parse_query(req, &opt, &by_text, by_items, reply)) {
        free(by_text);
        return;
    }
    /* Answers are kept until the next ingest empties the cache. */
    char *key = ctx->cache ? srv_cache_key(req) : NULL;
    if (key) {
        size_t len;
        char *hit = srv_cache_get(ctx->cache, key, &len);
        if (hit) {
            free(key);
            free(by_text);
            reply->status = 200;
            reply->content_type = SRV_JSON;
            reply->body = hit;
            reply->len = len;
            return;
        }
    }
    ink_alerts_report *r = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st = ink_alerts_compute(ctx->portfolio, &opt, &r, &err);
    free(by_text);
    if (st != INK_OK) {
        free(key);
        /* A limit is hit by what was asked (a dimension with too many
         * values for a drill-down): the client's to change. */
        if (st == INK_LIMIT)
            srv_reply_error(reply, 400, "limit_exceeded", "%s", err.message);
        else
            srv_reply_status(reply, st, &err);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        ink_alerts_report_free(r);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    st = ink_alerts_write_json(r, body.f);
    ink_alerts_report_free(r);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    if (key && reply->status == 200 && reply->body)
        srv_cache_put(ctx->cache, key, reply->body, reply->len);
    free(key);
}
