/* The route table: every path the server answers, in one place. */
#include <string.h>

#include "server_impl.h"

static void handle_healthz(const srv_context *ctx, const srv_request *req,
                           srv_reply *reply)
{
    (void)req;
    srv_body body;
    if (!srv_body_open(&body)) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    /* A damaged portfolio (a stored batch not applied) needs a restart. */
    int damaged = ctx->damaged && atomic_load(ctx->damaged);
    fputs(damaged ? "{\"status\":\"damaged\"}\n" : "{\"status\":\"ok\"}\n",
          body.f);
    srv_body_finish(&body, 0, damaged ? 503 : 200, SRV_JSON, reply);
}

/* Health checks stay open under --auth-reads: probes carry no token and
 * learn nothing but that the process answers. */
const srv_route srv_routes[] = {
    {"/api/v1/kpi", 0, SRV_ROUTE_KPI, 0, 1, srv_handle_kpi, 0},
    {"/api/v1/curves", 0, SRV_ROUTE_CURVES, 0, 1, srv_handle_curves, 0},
    {"/api/v1/cases/", 1, SRV_ROUTE_CASE, 0, 1, srv_handle_case, 0},
    {"/healthz", 0, SRV_ROUTE_HEALTHZ, 0, 0, handle_healthz, 1},
    {"/metrics", 0, SRV_ROUTE_METRICS, 0, 1, srv_handle_metrics, 1},
    {"/api/v1/cases", 0, SRV_ROUTE_CASES, 1, 0, srv_handle_ingest, 0},
    {"/api/v1/payments", 0, SRV_ROUTE_PAYMENTS, 1, 0, srv_handle_ingest, 0},
    {"/api/v1/contacts", 0, SRV_ROUTE_CONTACTS, 1, 0, srv_handle_ingest, 0},
    {"/api/v1/costs", 0, SRV_ROUTE_COSTS, 1, 0, srv_handle_ingest, 0},
    {"/api/v1/events", 0, SRV_ROUTE_EVENTS, 0, 1, srv_handle_events, 0},
    {"/api/v1/alerts", 0, SRV_ROUTE_ALERTS, 0, 1, srv_handle_alerts, 0},
    {"/api/v1/owners", 0, SRV_ROUTE_OWNERS, 0, 1, srv_handle_owners, 0},
    {"/api/v1/attribution", 0, SRV_ROUTE_ATTRIBUTION, 0, 1,
     srv_handle_attribution, 0},
    {"/api/v1/worklist", 0, SRV_ROUTE_WORKLIST, 0, 1, srv_handle_worklist, 0},
    {"/api/v1/contact-plan", 0, SRV_ROUTE_CONTACT_PLAN, 0, 1,
     srv_handle_contact_plan, 0},
    /* The dashboard's files hold no data (it fetches the API), so they
     * stay open under --auth-reads like /healthz. */
    {"/", 0, SRV_ROUTE_WEB, 0, 0, srv_handle_web, 1},
    {"/assets/", 1, SRV_ROUTE_WEB_ASSET, 0, 0, srv_handle_web, 1},
};
const size_t srv_route_count = sizeof srv_routes / sizeof srv_routes[0];

const char *srv_route_label(srv_route_id id)
{
    static const char *const labels[SRV_ROUTE_COUNT] = {
        [SRV_ROUTE_KPI] = "/api/v1/kpi",
        [SRV_ROUTE_CURVES] = "/api/v1/curves",
        [SRV_ROUTE_CASE] = "/api/v1/cases/{case_id}",
        [SRV_ROUTE_HEALTHZ] = "/healthz",
        [SRV_ROUTE_METRICS] = "/metrics",
        [SRV_ROUTE_CASES] = "/api/v1/cases",
        [SRV_ROUTE_PAYMENTS] = "/api/v1/payments",
        [SRV_ROUTE_CONTACTS] = "/api/v1/contacts",
        [SRV_ROUTE_COSTS] = "/api/v1/costs",
        [SRV_ROUTE_EVENTS] = "/api/v1/events",
        [SRV_ROUTE_ALERTS] = "/api/v1/alerts",
        [SRV_ROUTE_OWNERS] = "/api/v1/owners",
        [SRV_ROUTE_ATTRIBUTION] = "/api/v1/attribution",
        [SRV_ROUTE_WORKLIST] = "/api/v1/worklist",
        [SRV_ROUTE_CONTACT_PLAN] = "/api/v1/contact-plan",
        [SRV_ROUTE_WEB] = "/",
        [SRV_ROUTE_WEB_ASSET] = "/assets/{file}",
        [SRV_ROUTE_OTHER] = "other",
    };
    return (unsigned)id < SRV_ROUTE_COUNT ? labels[id] : "other";
}
