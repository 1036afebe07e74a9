/* GET /api/v1/alerts: scaffold, replaced by the alerts work (issue 5). */
#include "server_impl.h"

void srv_handle_alerts(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    (void)ctx;
    (void)req;
    srv_reply_error(reply, 501, "not_implemented", "alerts are not built yet");
}
