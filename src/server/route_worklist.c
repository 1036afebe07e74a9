/* GET /api/v1/worklist and /api/v1/contact-plan: the JSON of inkasso
 * worklist --format json and inkasso contact-plan --format json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inkasso/model.h"
#include "server_impl.h"

/* 0 with a 400 reply when a parameter is not in allowed (NULL-ended) or
 * is given twice. */
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

static const char *param(const srv_request *req, const char *key)
{
    const char *v = srv_param_get(req, key);
    return v && *v ? v : NULL;
}

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

static int parse_as_of(const srv_request *req, int32_t *out, srv_reply *reply)
{
    const char *v = param(req, "as_of");
    if (!v || ink_parse_date(v, strlen(v), out))
        return 1;
    srv_reply_error(reply, 400, "bad_parameter",
                    "as_of: expected a date YYYY-MM-DD, got \"%s\"", v);
    return 0;
}

static int parse_prior(const srv_request *req, double *out, srv_reply *reply)
{
    const char *v = param(req, "prior_strength");
    if (!v)
        return 1;
    char *end;
    double k = strtod(v, &end);
    if (end == v || *end || !(k >= 0) || k > 1e9) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "prior_strength: expected a number from 0 to 1e9, "
                        "got \"%s\"",
                        v);
        return 0;
    }
    *out = k;
    return 1;
}

/* A cached answer to the request, or NULL; *key gets the cache key. */
static int from_cache(const srv_context *ctx, const srv_request *req,
                      char **key, srv_reply *reply)
{
    *key = ctx->cache ? srv_cache_key(req) : NULL;
    if (!*key)
        return 0;
    size_t len;
    char *hit = srv_cache_get(ctx->cache, *key, &len);
    if (!hit)
        return 0;
    reply->status = 200;
    reply->content_type = SRV_JSON;
    reply->body = hit;
    reply->len = len;
    return 1;
}

static void to_cache(const srv_context *ctx, const char *key, srv_reply *reply)
{
    if (key && reply->status == 200 && reply->body)
        srv_cache_put(ctx->cache, key, reply->body, reply->len);
}

void srv_handle_worklist(const srv_context *ctx, const srv_request *req,
                         srv_reply *reply)
{
    static const char *const allowed[] = {"capacity", "by", "as_of",
                                          "prior_strength", NULL};
    if (!check_params(req, allowed, "capacity, by, as_of or prior_strength",
                      reply))
        return;
    if (!ctx->model) {
        srv_reply_error(reply, 409, "no_model",
                        "the server was started without --model FILE: the "
                        "worklist needs a model (inkasso score train)");
        return;
    }
    ink_worklist_options wopt;
    ink_worklist_options_init(&wopt);
    wopt.threads = ctx->kpi_threads;
    const char *v;
    uint64_t n;
    if ((v = param(req, "capacity")) &&
        (!parse_u64(v, &n) || n < 1 || n > 100000000)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "capacity: expected a number from 1 to 100000000, "
                        "got \"%s\"",
                        v);
        return;
    }
    if (v)
        wopt.capacity = (size_t)n;
    if ((v = param(req, "by"))) {
        if (strcmp(v, "handler") != 0) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "by: expected handler, got \"%s\"", v);
            return;
        }
        wopt.by_handler = 1;
    }
    if (!parse_as_of(req, &wopt.as_of, reply) ||
        !parse_prior(req, &wopt.plan.prior_strength, reply))
        return;
    char *key;
    if (from_cache(ctx, req, &key, reply))
        return;
    ink_worklist *wl = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st =
        ink_worklist_build(ctx->model, ctx->portfolio, &wopt, &wl, &err);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        ink_worklist_free(wl);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    st = ink_worklist_write_json(wl, ctx->portfolio, body.f);
    ink_worklist_free(wl);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    to_cache(ctx, key, reply);
    free(key);
}

void srv_handle_contact_plan(const srv_context *ctx, const srv_request *req,
                             srv_reply *reply)
{
    static const char *const allowed[] = {"as_of", "prior_strength", "limit",
                                          NULL};
    if (!check_params(req, allowed, "as_of, prior_strength or limit", reply))
        return;
    ink_plan_options popt;
    ink_plan_options_init(&popt);
    uint64_t limit = 0;
    const char *v;
    if (!parse_as_of(req, &popt.as_of, reply) ||
        !parse_prior(req, &popt.prior_strength, reply))
        return;
    if ((v = param(req, "limit")) && (!parse_u64(v, &limit) || limit < 1)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "limit: expected a number from 1, got \"%s\"", v);
        return;
    }
    char *key;
    if (from_cache(ctx, req, &key, reply))
        return;
    ink_contact_plan *plan = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st = ink_contact_plan_build(ctx->portfolio, &popt, &plan, &err);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        ink_contact_plan_free(plan);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    st = ink_contact_plan_write_json(plan, ctx->portfolio, (size_t)limit,
                                     body.f);
    ink_contact_plan_free(plan);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    to_cache(ctx, key, reply);
    free(key);
}
