/* POST /api/v1/{payments,contacts,costs}: rows checked with the data
 * contract's rules, stored durably in one transaction, then applied to
 * the portfolio in memory; the answer lists every refused row. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server_impl.h"

static ink_file_kind kind_of(const char *path)
{
    if (strcmp(path, "/api/v1/cases") == 0)
        return INK_FILE_CASES;
    if (strcmp(path, "/api/v1/payments") == 0)
        return INK_FILE_PAYMENTS;
    if (strcmp(path, "/api/v1/contacts") == 0)
        return INK_FILE_CONTACTS;
    return INK_FILE_COSTS;
}

/* text/csv (or no type at all) and application/json bodies. */
static int is_csv(const char *type)
{
    return !type || strncasecmp(type, "text/csv", 8) == 0;
}

static int is_json(const char *type)
{
    return type && strncasecmp(type, "application/json", 16) == 0;
}

void srv_handle_ingest(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    if (!ctx->store) {
        srv_reply_error(reply, 500, "no_store", "the server has no store");
        return;
    }
    int json = is_json(req->content_type);
    if (!json && !is_csv(req->content_type)) {
        srv_reply_error(reply, 415, "unsupported_media_type",
                        "send the rows as text/csv with their header line, "
                        "or as application/json (an array of objects)");
        return;
    }
    /* JSON rows become CSV text, so they meet exactly the same checks. */
    const char *text = req->body;
    size_t text_len = req->body_len;
    char *converted = NULL;
    if (json) {
        const char *why = NULL;
        converted =
            srv_json_rows_to_csv(req->body, req->body_len, &text_len, &why);
        if (!converted) {
            srv_reply_error(reply, 400, "bad_body", "JSON body: %s", why);
            return;
        }
        text = converted;
    }
    ink_file_kind kind = kind_of(req->path);
    ink_batch *b = NULL;
    ink_error err;
    ink_status st =
        ink_batch_check(ctx->portfolio, kind, text, text_len, &b, &err);
    free(converted);
    if (st != INK_OK) {
        /* A header error: the body as a whole is not rows of this file. */
        if (st == INK_DATA)
            srv_reply_error(reply, 400, "bad_body", "%s", err.message);
        else
            srv_reply_status(reply, st, &err);
        return;
    }
    size_t accepted = ink_batch_accepted(b);
    /* Durable first: rows reach memory only once they are on disk. */
    st = ink_store_write_batch(ctx->store, ctx->portfolio, b, NULL, &err);
    if (st != INK_OK) {
        srv_reply_status(reply, st, &err);
        ink_batch_free(b);
        return;
    }
    st = ink_portfolio_apply(ctx->portfolio, b, &err);
    if (st != INK_OK) {
        /* Stored but not in memory: the portfolio may hold part of the
         * batch. Fail closed until a restart reads the store again. */
        atomic_store(ctx->damaged, 1);
        srv_reply_error(reply, 500, "out_of_memory",
                        "the batch is stored, but could not be applied in "
                        "memory: restart the server to load the store");
        ink_batch_free(b);
        return;
    }
    atomic_fetch_add(&ctx->metrics->ingest_accepted, accepted);
    if (accepted && ctx->cache)
        srv_cache_clear(ctx->cache); /* answers of the old data */
    if (accepted)
        srv_events_publish(ctx, req->path, accepted);
    atomic_fetch_add(&ctx->metrics->ingest_rejected, ink_batch_rejected(b));
    srv_body body;
    if (!srv_body_open(&body)) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        ink_batch_free(b);
        return;
    }
    /* apply moved the rows out of the batch; the count was taken before. */
    fprintf(body.f, "{\"accepted\":%zu,\"rejected\":[", accepted);
    for (size_t i = 0; i < ink_batch_rejected(b); i++) {
        const ink_batch_reject *r = ink_batch_reject_at(b, i);
        /* JSON rows are told by their index in the array (the CSV made
         * of them has the header on line 1). */
        if (json)
            fprintf(body.f, "%s{\"index\":%lld,\"field\":", i ? "," : "",
                    (long long)r->line - 2);
        else
            fprintf(body.f,
                    "%s{\"line\":%lld,\"column\":%d,\"field\":", i ? "," : "",
                    (long long)r->line, (int)r->column);
        srv_json_string(body.f, r->field);
        fputs(",\"reason\":", body.f);
        srv_json_string(body.f, ink_reason_name(r->reason));
        fputs(",\"message\":", body.f);
        srv_json_string(body.f, r->message);
        putc('}', body.f);
    }
    fputs("]}\n", body.f);
    ink_batch_free(b);
    srv_body_finish(&body, 0, 200, SRV_JSON, reply);
}
