/* GET /api/v1/owners: scaffold, replaced by the owners work (issue 5). */
#include "server_impl.h"

void srv_handle_owners(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    (void)ctx;
    (void)req;
    srv_reply_error(reply, 501, "not_implemented", "owners are not built yet");
}
