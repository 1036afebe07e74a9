/* GET /api/v1/attribution: the JSON of inkasso attribute --format json. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "inkasso/attribution.h"
#include "server_impl.h"

/* The options of one query; by_items point into by_text. */
typedef struct attr_query {
    ink_attr_options ao;
    ink_attr_journey_options jo;
    char *text; /* a copy of model and by, split in place */
    char *by_items[INK_ATTR_MAX_DIMS];
} attr_query;

static int bad(srv_reply *reply, const char *key, const char *expected,
               const char *got)
{
    srv_reply_error(reply, 400, "bad_parameter", "%s: expected %s, got \"%s\"",
                    key, expected, got);
    return 0;
}

static int parse_query(const srv_request *req, attr_query *q, srv_reply *reply)
{
    static const char *const allowed[] = {
        "model",    "order",     "by",       "as_of",   "horizon",
        "lookback", "half_life", "position", "samples", NULL};
    if (!srv_params_check(req, allowed,
                          "model, order, by, as_of, horizon, lookback, "
                          "half_life, position or samples",
                          reply))
        return 0;
    const char *v;
    uint64_t n;
    double x, y;
    if ((v = srv_param_value(req, "model"))) {
        q->ao.models = 0;
        if (strcmp(v, "all") == 0)
            q->ao.models = INK_ATTR_ALL_MODELS;
        else if (ink_attr_model_find(v) >= 0)
            q->ao.models = 1u << ink_attr_model_find(v);
        else
            return bad(reply, "model",
                       "all, first, last, linear, time-decay, position, "
                       "markov or shapley",
                       v);
    }
    if ((v = srv_param_value(req, "order"))) {
        if (!cli_parse_u64(v, &n) || n < 1 || n > INK_ATTR_MAX_ORDER)
            return bad(reply, "order", "1 to 4", v);
        q->ao.order = (int)n;
    }
    if (!srv_param_date(req, "as_of", &q->jo.as_of, reply))
        return 0;
    if ((v = srv_param_value(req, "horizon"))) {
        if (!cli_parse_u64(v, &n) || n < 1 || n > 3650)
            return bad(reply, "horizon", "days from 1 to 3650", v);
        q->jo.horizon = (int32_t)n;
    }
    if ((v = srv_param_value(req, "lookback"))) {
        if (!cli_parse_u64(v, &n) || n > 3650)
            return bad(reply, "lookback", "days from 0 to 3650", v);
        q->jo.lookback = (int32_t)n;
    }
    if ((v = srv_param_value(req, "half_life"))) {
        if (!cli_parse_double(v, &x) || !(x > 0))
            return bad(reply, "half_life", "a number above 0", v);
        q->ao.half_life = x;
    }
    if ((v = srv_param_value(req, "samples"))) {
        if (!cli_parse_u64(v, &n) || n < 1 || n > 100000000)
            return bad(reply, "samples", "1 to 100000000", v);
        q->ao.shapley_samples = n;
    }
    if ((v = srv_param_value(req, "position"))) {
        const char *comma = strchr(v, ',');
        char first[64];
        if (!comma || (size_t)(comma - v) >= sizeof first)
            return bad(reply, "position",
                       "F,L with shares of at least 0 summing to at most 1", v);
        memcpy(first, v, (size_t)(comma - v));
        first[comma - v] = '\0';
        if (!cli_parse_double(first, &x) || !cli_parse_double(comma + 1, &y) ||
            x < 0 || y < 0 || x + y > 1)
            return bad(reply, "position",
                       "F,L with shares of at least 0 summing to at most 1", v);
        q->ao.position_first = x;
        q->ao.position_last = y;
    }
    if (!srv_param_list(req, "by", INK_ATTR_MAX_DIMS, "dimensions", &q->text,
                        q->by_items, &q->jo.by_count, reply))
        return 0;
    if (q->text)
        q->jo.by = (const char *const *)q->by_items;
    return 1;
}

static ink_status write_result(FILE *out, const void *r)
{
    return ink_attr_write_json(r, out);
}

void srv_handle_attribution(const srv_context *ctx, const srv_request *req,
                            srv_reply *reply)
{
    attr_query q;
    memset(&q, 0, sizeof q);
    ink_attr_options_init(&q.ao);
    ink_attr_journey_options_init(&q.jo);
    if (!parse_query(req, &q, reply)) {
        free(q.text);
        return;
    }
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply)) {
        free(q.text);
        return;
    }
    ink_error err;
    ink_error_clear(&err);
    ink_attr_paths *paths = NULL;
    ink_attr_result *r = NULL;
    ink_status st = ink_attr_journeys(ctx->portfolio, &q.jo, &paths, &err);
    if (st == INK_OK)
        st = ink_attr_compute(paths, &q.ao, &r, &err);
    ink_attr_paths_free(paths);
    free(q.text);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    srv_answer_json(ctx, key, write_result, r, reply);
    ink_attr_result_free(r);
}
