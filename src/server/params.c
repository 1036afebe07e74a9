/* Query parameters and cached answers: what every read route does the
 * same way, so that each route file says only what is its own. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

int srv_params_check(const srv_request *req, const char *const *allowed,
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

const char *srv_param_value(const srv_request *req, const char *key)
{
    const char *v = srv_param_get(req, key);
    return v && *v ? v : NULL;
}

int srv_param_date(const srv_request *req, const char *key, int32_t *out,
                   srv_reply *reply)
{
    const char *v = srv_param_value(req, key);
    if (!v || ink_parse_date(v, strlen(v), out))
        return 1;
    srv_reply_error(reply, 400, "bad_parameter",
                    "%s: expected a date YYYY-MM-DD, got \"%s\"", key, v);
    return 0;
}

int srv_param_period(const srv_request *req, int32_t *from, int32_t *to,
                     srv_reply *reply)
{
    if (!srv_param_date(req, "from", from, reply) ||
        !srv_param_date(req, "to", to, reply))
        return 0;
    if ((*from != INK_DATE_NONE) != (*to != INK_DATE_NONE) ||
        (*from != INK_DATE_NONE && *from > *to)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "from and to go together, with from on or before to");
        return 0;
    }
    return 1;
}

int srv_param_list(const srv_request *req, const char *key, size_t max,
                   const char *what, char **text, char **items, size_t *count,
                   srv_reply *reply)
{
    *text = NULL;
    *count = 0;
    const char *v = srv_param_value(req, key);
    if (!v)
        return 1;
    if (!(*text = strdup(v))) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return 0;
    }
    if (cli_split_list(*text, items, max, count))
        return 1;
    srv_reply_error(reply, 400, "bad_parameter",
                    "%s: expected up to %zu comma-separated %s", key, max,
                    what);
    return 0;
}

int srv_cached_answer(const srv_context *ctx, const srv_request *req,
                      char **key, srv_reply *reply)
{
    *key = ctx->cache ? srv_cache_key(req) : NULL;
    if (!*key)
        return 0;
    size_t len;
    char *hit = srv_cache_get(ctx->cache, *key, &len);
    if (!hit)
        return 0;
    free(*key);
    *key = NULL;
    reply->status = 200;
    reply->content_type = SRV_JSON;
    reply->body = hit;
    reply->len = len;
    return 1;
}

void srv_keep_answer(const srv_context *ctx, char *key, const srv_reply *reply)
{
    if (key && reply->status == 200 && reply->body)
        srv_cache_put(ctx->cache, key, reply->body, reply->len);
    free(key);
}

void srv_answer_json(const srv_context *ctx, char *key, srv_json_writer *write,
                     const void *arg, srv_reply *reply)
{
    srv_body body;
    if (!srv_body_open(&body)) {
        free(key);
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    ink_status st = write(body.f, arg);
    srv_body_finish(&body, st != INK_OK, 200, SRV_JSON, reply);
    srv_keep_answer(ctx, key, reply);
}
