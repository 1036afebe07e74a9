/* GET /api/v1/owners: the targets of --owners judged on the portfolio. */
#include <stdlib.h>
#include <string.h>

#include "inkasso/owners.h"
#include "server_impl.h"

static ink_status write_verdicts(FILE *out, const void *verdicts)
{
    return ink_owners_write_json(verdicts, out);
}

void srv_handle_owners(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    opt.threads = ctx->kpi_threads;
    /* As /api/v1/kpi: a misspelt parameter is never ignored. */
    static const char *const allowed[] = {"as_of", "from", "to", NULL};
    if (!srv_params_check(req, allowed, "as_of, from or to", reply) ||
        !srv_param_date(req, "as_of", &opt.as_of, reply) ||
        !srv_param_period(req, &opt.from, &opt.to, reply))
        return;
    /* The server runs this under the read lock: the cache is emptied by
     * every ingest, so a hit is an answer about this very portfolio. */
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply))
        return;
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
    srv_answer_json(ctx, key, write_verdicts, verdicts, reply);
    ink_owners_verdicts_free(verdicts);
}
