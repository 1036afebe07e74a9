/* GET /api/v1/worklist and /api/v1/contact-plan: the JSON of inkasso
 * worklist --format json and inkasso contact-plan --format json. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inkasso/model.h"
#include "server_impl.h"

static int parse_prior(const srv_request *req, double *out, srv_reply *reply)
{
    const char *v = srv_param_value(req, "prior_strength");
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

typedef struct worklist_answer {
    const ink_worklist *wl;
    const ink_portfolio *p;
} worklist_answer;

static ink_status write_worklist(FILE *out, const void *arg)
{
    const worklist_answer *a = arg;
    return ink_worklist_write_json(a->wl, a->p, out);
}

typedef struct plan_answer {
    const ink_contact_plan *plan;
    const ink_portfolio *p;
    size_t limit;
} plan_answer;

static ink_status write_plan(FILE *out, const void *arg)
{
    const plan_answer *a = arg;
    return ink_contact_plan_write_json(a->plan, a->p, a->limit, out);
}

void srv_handle_worklist(const srv_context *ctx, const srv_request *req,
                         srv_reply *reply)
{
    static const char *const allowed[] = {"capacity", "by", "as_of",
                                          "prior_strength", NULL};
    if (!srv_params_check(req, allowed, "capacity, by, as_of or prior_strength",
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
    if ((v = srv_param_value(req, "capacity")) &&
        (!cli_parse_u64(v, &n) || n < 1 || n > 100000000)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "capacity: expected a number from 1 to 100000000, "
                        "got \"%s\"",
                        v);
        return;
    }
    if (v)
        wopt.capacity = (size_t)n;
    if ((v = srv_param_value(req, "by"))) {
        if (strcmp(v, "handler") != 0) {
            srv_reply_error(reply, 400, "bad_parameter",
                            "by: expected handler, got \"%s\"", v);
            return;
        }
        wopt.by_handler = 1;
    }
    if (!srv_param_date(req, "as_of", &wopt.as_of, reply) ||
        !parse_prior(req, &wopt.plan.prior_strength, reply))
        return;
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply))
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
    worklist_answer a = {wl, ctx->portfolio};
    srv_answer_json(ctx, key, write_worklist, &a, reply);
    ink_worklist_free(wl);
}

void srv_handle_contact_plan(const srv_context *ctx, const srv_request *req,
                             srv_reply *reply)
{
    static const char *const allowed[] = {"as_of", "prior_strength", "limit",
                                          NULL};
    if (!srv_params_check(req, allowed, "as_of, prior_strength or limit",
                          reply))
        return;
    ink_plan_options popt;
    ink_plan_options_init(&popt);
    uint64_t limit = 0;
    const char *v;
    if (!srv_param_date(req, "as_of", &popt.as_of, reply) ||
        !parse_prior(req, &popt.prior_strength, reply))
        return;
    if ((v = srv_param_value(req, "limit")) &&
        (!cli_parse_u64(v, &limit) || limit < 1)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "limit: expected a number from 1, got \"%s\"", v);
        return;
    }
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply))
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
    plan_answer a = {plan, ctx->portfolio, (size_t)limit};
    srv_answer_json(ctx, key, write_plan, &a, reply);
    ink_contact_plan_free(plan);
}
