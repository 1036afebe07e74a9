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

/* A whole-string decimal from lo to hi into *out (absent: left as is). */
static int parse_count(const srv_request *req, const char *key, uint64_t lo,
                       uint64_t hi, uint32_t *out, srv_reply *reply)
{
    const char *v = srv_param_value(req, key);
    uint64_t n;
    if (!v)
        return 1;
    if (!cli_parse_u64(v, &n) || n < lo || n > hi) {
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
    const char *v;
    if (!srv_param_date(req, "as_of", &opt->as_of, reply) ||
        !parse_count(req, "days", 1, INK_ALERTS_MAX_DAYS, &opt->days, reply) ||
        !parse_count(req, "lookback", 28, INK_ALERTS_MAX_DAYS, &opt->lookback,
                     reply) ||
        !parse_count(req, "min_events", 1, 1000000000, &opt->min_events, reply))
        return 0;
    if ((v = srv_param_value(req, "threshold"))) {
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
    if (!srv_param_list(req, "by", INK_ALERTS_MAX_DIMS, "dimensions", by_text,
                        by_items, &opt->by_count, reply))
        return 0;
    if (*by_text)
        opt->by = (const char *const *)by_items;
    return 1;
}

static ink_status write_alerts(FILE *out, const void *r)
{
    return ink_alerts_write_json(r, out);
}

void srv_handle_alerts(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    ink_alerts_options opt;
    char *by_text = NULL;
    char *by_items[INK_ALERTS_MAX_DIMS];
    if (!srv_params_check(req, allowed, ALLOWED_TEXT, reply) ||
        !parse_query(req, &opt, &by_text, by_items, reply)) {
        free(by_text);
        return;
    }
    /* Answers are kept until the next ingest empties the cache. */
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply)) {
        free(by_text);
        return;
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
    srv_answer_json(ctx, key, write_alerts, r, reply);
    ink_alerts_report_free(r);
}
