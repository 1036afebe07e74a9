/* GET /api/v1/worklist and /api/v1/contact-plan: scaffold, replaced by
 * the propensity work. */
#include "server_impl.h"

void srv_handle_worklist(const srv_context *ctx, const srv_request *req,
                         srv_reply *reply)
{
    (void)ctx;
    (void)req;
    srv_reply_error(reply, 501, "not_implemented", "worklist is not built yet");
}

void srv_handle_contact_plan(const srv_context *ctx, const srv_request *req,
                             srv_reply *reply)
{
    (void)ctx;
    (void)req;
    srv_reply_error(reply, 501, "not_implemented",
                    "contact-plan is not built yet");
}
