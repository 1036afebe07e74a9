/* GET /api/v1/kpi and /api/v1/curves: the reports of inkasso kpi and curve. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

/* As many windows as inkasso kpi --windows takes. */
#define SRV_MAX_WINDOWS 64

/* The options of one query; by_items point into by_text. */
typedef struct kpi_query {
    ink_kpi_options kopt;
    char *by_text;
    char *by_items[INK_KPI_MAX_DIMS];
} kpi_query;

/* 0 with a 400 reply when a parameter is not in allowed (NULL-ended) or
 * is given twice: a misspelt parameter silently ignored would give a
 * report of something else than was asked. */
static int check_params(const srv_request *req, const char *const *allowed,
                        const char *allowed_text, srv_reply *reply)
{
    for (size_t i = 0; i < req->param_count; i++) {
        const char *key = req->params[i].key;
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k]) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "unknown parameter \"%s\": expected %s", key,
                            allowed_text);
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

/* The parameter's value, NULL when absent or empty: "?by=&as_of=" is how
 * forms send fields left blank. */
static const char *param(const srv_request *req, const char *key)
{
    const char *v = srv_param_get(req, key);
    return v && *v ? v : NULL;
}

/* Strict whole-string decimal; 0 on junk, signs, spaces or overflow. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return 0;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return 0;
    *out = v;
    return 1;
}

static int parse_date(const srv_request *req, const char *key, int32_t *out,
                      srv_reply *reply)
{
    const char *v = param(req, key);
    if (!v || ink_parse_date(v, strlen(v), out))
        return 1;
    srv_reply_error(reply, 400, "bad_parameter",
                    "%s: expected a date YYYY-MM-DD, got \"%s\"", key, v);
    return 0;
}

/* Splits a comma list in place into items (at most max), as the CLI. */
static int split_list(char *s, char **items, size_t max, size_t *count)
{
    *count = 0;
    for (char *tok = s;;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        if (*count == max || *tok == '\0')
            return 0;
        items[(*count)++] = tok;
        if (!comma)
            return 1;
        tok = comma + 1;
    }
}

/* as_of, from, to and by, shared by both routes; messages as the CLI's
 * with the parameter's name for the option's. */
static int parse_common(const srv_request *req, const srv_context *ctx,
                        kpi_query *q, srv_reply *reply)
{
    ink_kpi_options_init(&q->kopt);
    q->kopt.threads = ctx->kpi_threads;
    q->by_text = NULL;
    if (!parse_date(req, "as_of", &q->kopt.as_of, reply) ||
        !parse_date(req, "from", &q->kopt.from, reply) ||
        !parse_date(req, "to", &q->kopt.to, reply))
        return 0;
    if ((q->kopt.from != INK_DATE_NONE) != (q->kopt.to != INK_DATE_NONE) ||
        (q->kopt.from != INK_DATE_NONE && q->kopt.from > q->kopt.to)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "from and to go together, with from on or before to");
        return 0;
    }
    const char *by = param(req, "by");
    if (!by)
        return 1;
    q->by_text = strdup(by);
    if (!q->by_text) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return 0;
    }
    size_t n;
    if (!split_list(q->by_text, q->by_items, INK_KPI_MAX_DIMS, &n)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "by: expected up to %d comma-separated dimensions",
                        INK_KPI_MAX_DIMS);
        return 0;
    }
    q->kopt.by = (const char *const *)q->by_items;
    q->kopt.by_count = n;
    return 1;
}

static int parse_windows(const srv_request *req, kpi_query *q, srv_reply *reply)
{
    const char *v = param(req, "windows");
    if (!v)
        return 1;
    char *text = strdup(v);
    char *items[SRV_MAX_WINDOWS];
    size_t n;
    uint64_t days;
    int ok = 0;
    if (!text) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return 0;
    }
    if (!split_list(text, items, SRV_MAX_WINDOWS, &n)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "windows: expected up to %d comma-separated day "
                        "counts",
                        SRV_MAX_WINDOWS);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (!parse_u64(items[i], &days) || days > 36500) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "windows: expected days from 0 to 36500, got "
                            "\"%s\"",
                            items[i]);
            goto done;
        }
        q->kopt.windows[i] = (int32_t)days;
    }
    q->kopt.window_count = n;
    ok = 1;
done:
    free(text);
    return ok;
}

/* What to write once the report is computed. */
typedef enum report_kind { REPORT_KPI, REPORT_CURVES } report_kind;

static void compute_and_reply(const srv_context *ctx, const srv_request *req,
                              kpi_query *q, report_kind kind, int32_t step,
                              int32_t max, srv_reply *reply)
{
    char *key = ctx->cache ? srv_cache_key(req) : NULL;
    if (key) {
        size_t len;
        char *hit = srv_cache_get(ctx->cache, key, &len);
        if (hit) {
            free(key);
            reply->status = 200;
            reply->content_type = SRV_JSON;
            reply->body = hit;
            reply->len = len;
            return;
        }
    }
    ink_kpi_report *r = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st = ink_kpi_compute(ctx->portfolio, &q->kopt, &r, &err);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        ink_kpi_report_free(r);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    if (kind == REPORT_KPI)
        st = ink_kpi_write_json(r, body.f);
    else
        st = ink_kpi_write_curves_json(r, step, max, body.f);
    ink_kpi_report_free(r);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    if (key && reply->status == 200 && reply->body)
        srv_cache_put(ctx->cache, key, reply->body, reply->len);
    free(key);
}

void srv_handle_kpi(const srv_context *ctx, const srv_request *req,
                    srv_reply *reply)
{
    static const char *const allowed[] = {"by", "as_of",   "from",
                                          "to", "windows", NULL};
    kpi_query q;
    q.by_text = NULL;
    if (check_params(req, allowed, "by, as_of, from, to or windows", reply) &&
        parse_common(req, ctx, &q, reply) && parse_windows(req, &q, reply))
        compute_and_reply(ctx, req, &q, REPORT_KPI, 0, 0, reply);
    free(q.by_text);
}

void srv_handle_curves(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    static const char *const allowed[] = {"by",   "step", "max", "as_of",
                                          "from", "to",   NULL};
    static const char *const default_by[] = {"cohort_month"};
    kpi_query q;
    q.by_text = NULL;
    uint64_t step = 7, max = 360;
    const char *v;
    if (!check_params(req, allowed, "by, step, max, as_of, from or to",
                      reply) ||
        !parse_common(req, ctx, &q, reply))
        goto done;
    if (!q.by_text) {
        q.kopt.by = default_by;
        q.kopt.by_count = 1;
    }
    if ((v = param(req, "step")) &&
        (!parse_u64(v, &step) || step < 1 || step > 3650)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "step: expected days from 1 to 3650, got \"%s\"", v);
        goto done;
    }
    if ((v = param(req, "max")) && (!parse_u64(v, &max) || max > 36500)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "max: expected days from 0 to 36500, got \"%s\"", v);
        goto done;
    }
    if (max / step + 1 > INK_KPI_MAX_WINDOWS - 1) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "max / step: at most %d points",
                        INK_KPI_MAX_WINDOWS - 1);
        goto done;
    }
    /* The curve's points are realization windows 0, step, ..., max. */
    for (uint64_t day = 0; day <= max; day += step)
        q.kopt.windows[q.kopt.window_count++] = (int32_t)day;
    compute_and_reply(ctx, req, &q, REPORT_CURVES, (int32_t)step, (int32_t)max,
                      reply);
done:
    free(q.by_text);
}
