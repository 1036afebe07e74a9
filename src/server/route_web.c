/* GET / and /assets/{file}: the dashboard's files, compiled into the binary. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"
#include "web_asset.h"

void srv_handle_web(const srv_context *ctx, const srv_request *req,
                    srv_reply *reply)
{
    (void)ctx;
    for (size_t i = 0; i < ink__web_asset_count; i++) {
        const ink__web_asset *a = &ink__web_assets[i];
        if (strcmp(a->path, req->path) != 0)
            continue;
        /* The reply owns a malloc'ed body; the asset is read-only data. */
        char *copy = malloc(a->len ? a->len : 1);
        if (!copy) {
            srv_reply_error(reply, 500, "out_of_memory", "out of memory");
            return;
        }
        memcpy(copy, a->data, a->len);
        reply->status = 200;
        reply->content_type = a->content_type;
        /* Revalidate: a new binary serves new files under the same names. */
        reply->cache_control = "no-cache";
        reply->csp =
            "default-src 'none'; script-src 'self'; style-src 'self'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'";
        reply->body = copy;
        reply->len = a->len;
        return;
    }
    srv_reply_error(reply, 404, "not_found", "no route %s", req->path);
}
