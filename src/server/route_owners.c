/* GET /api/v1/owners: the targets of --owners judged on the portfolio. */
#include <stdlib.h>
#include <string.h>

#include "inkasso/owners.h"
#include "server_impl.h"

/* 0 with a 400 reply when a parameter is not as_of, from or to, or is
 * given twice (as /api/v1/kpi: a misspelt one is never ignored). */
static int check_params(const srv_request *req, srv_reply *reply)
{
    static const char *const allowed[] = {"as_of", "from", "to", NULL};
    for (size_t i = 0; i < req->param_count; i++) {
        const char *key = req->params[i].key;
        size_t k = 0;
        while (allowed[k] && strcmp(allowed[k], key) != 0)
            k++;
        if (!allowed[k]) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "unknown parameter \"%s\": expected as_of, from "
                            "or to",
                            key);
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

/* An empty value is absent, as forms send fields left blank. */
static int parse_date(const srv_request *req, const char *key, int32_t *out,
                      srv_reply *reply)
{
    const char *v = srv_param_get(req, key);
    if (!v || !*v || ink_parse_date(v, strlen(v), out))
        return 1;
    srv_reply_error(reply, 400, "bad_parameter",
                    "%s: expected a date YYYY-MM-DD, got \"%s\"", key, v);
    return 0;
}

void srv_handle_owners(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    opt.threads = ctx->kpi_threads;
    if (!check_params(req, reply) ||
        !parse_date(req, "as_of", &opt.as_of, reply) ||
        !parse_date(req, "from", &opt.from, reply) ||
        !parse_date(req, "to", &opt.to, reply))
        return;
    if ((opt.from != INK_DATE_NONE) != (opt.to != INK_DATE_NONE) ||
        (opt.from != INK_DATE_NONE && opt.from > opt.to)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "from and to go together, with from on or before to");
        return;
    }
    /* The server runs this under the read lock: the cache is emptied by
     * every ingest, so a hit is an answer about this very portfolio. */
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
    ink_owners_verdicts *verdicts = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st =
        ink_owners_judge(ctx->owners, ctx->portfolio, &opt, &verdicts, &err);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        ink_owners_verdicts_free(verdicts);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    st = ink_owners_write_json(verdicts, body.f);
    ink_owners_verdicts_free(verdicts);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    if (key && reply->status == 200 && reply->body)
        srv_cache_put(ctx->cache, key, reply->body, reply->len);
    free(key);
}
