/* GET /api/v1/attribution: scaffold, replaced by the attribution work. */
#include "server_impl.h"

void srv_handle_attribution(const srv_context *ctx, const srv_request *req,
                            srv_reply *reply)
{
    (void)ctx;
    (void)req;
    srv_reply_error(reply, 501, "not_implemented",
                    "attribution is not built yet");
}
