/* Request counters and GET /metrics in the Prometheus text format. */
#include <string.h>

#include "server_impl.h"

static const unsigned status_codes[] = {
#define SRV_STATUS_CODE(code) code,
    SRV_STATUS_LIST(SRV_STATUS_CODE)
#undef SRV_STATUS_CODE
};

static size_t status_bucket(unsigned status)
{
    for (size_t i = 0; i < SRV_STATUS_OTHER; i++)
        if (status_codes[i] == status)
            return i;
    return SRV_STATUS_OTHER;
}

void srv_metrics_record(srv_metrics *m, srv_route_id route, unsigned status,
                        uint64_t nanoseconds)
{
    /* Relaxed: each counter is read on its own; no ordering between
     * counters is promised to a scraper. */
    atomic_fetch_add_explicit(&m->requests[route][status_bucket(status)], 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_ns[route], nanoseconds,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&m->latency_count[route], 1,
                              memory_order_relaxed);
}

static uint64_t load(atomic_uint_fast64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

/* Route labels are fixed ASCII paths, so they need no label escaping. */
static void put_requests(FILE *f, srv_metrics *m)
{
    fputs("# HELP inkasso_http_requests_total HTTP requests answered, by "
          "route and status.\n"
          "# TYPE inkasso_http_requests_total counter\n",
          f);
    for (int r = 0; r < SRV_ROUTE_COUNT; r++)
        for (int s = 0; s < SRV_STATUS_COUNT; s++) {
            uint64_t n = load(&m->requests[r][s]);
            if (!n)
                continue;
            fprintf(f, "inkasso_http_requests_total{route=\"%s\",",
                    srv_route_label(r));
            if (s == SRV_STATUS_OTHER)
                fputs("status=\"other\"}", f);
            else
                fprintf(f, "status=\"%u\"}", status_codes[s]);
            fprintf(f, " %llu\n", (unsigned long long)n);
        }
}

static void put_latency(FILE *f, srv_metrics *m)
{
    fputs("# HELP inkasso_http_request_duration_seconds Time from a "
          "request's headers to its answer being ready, by route.\n"
          "# TYPE inkasso_http_request_duration_seconds summary\n",
          f);
    for (int r = 0; r < SRV_ROUTE_COUNT; r++) {
        uint64_t count = load(&m->latency_count[r]);
        if (!count)
            continue;
        fprintf(f,
                "inkasso_http_request_duration_seconds_sum{route=\"%s\"} "
                "%.9f\n",
                srv_route_label(r), (double)load(&m->latency_ns[r]) * 1e-9);
        fprintf(f,
                "inkasso_http_request_duration_seconds_count{route=\"%s\"} "
                "%llu\n",
                srv_route_label(r), (unsigned long long)count);
    }
}

static void put_gauge(FILE *f, const char *name, const char *help, size_t value)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n%s %zu\n", name, help, name,
            name, value);
}

void srv_handle_metrics(const srv_context *ctx, const srv_request *req,
                        srv_reply *reply)
{
    if (req->param_count) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "unknown parameter \"%s\": this route takes none",
                        req->params[0].key);
        return;
    }
    srv_body body;
    if (!srv_body_open(&body)) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    put_requests(body.f, ctx->metrics);
    put_latency(body.f, ctx->metrics);
    fprintf(body.f,
            "# HELP inkasso_ingest_rows_total Rows sent to the ingest routes, "
            "by result.\n# TYPE inkasso_ingest_rows_total counter\n"
            "inkasso_ingest_rows_total{result=\"accepted\"} %llu\n"
            "inkasso_ingest_rows_total{result=\"rejected\"} %llu\n",
            (unsigned long long)load(&ctx->metrics->ingest_accepted),
            (unsigned long long)load(&ctx->metrics->ingest_rejected));
    put_gauge(body.f, "inkasso_portfolio_cases",
              "Cases in the portfolio held in memory.",
              ink_portfolio_cases(ctx->portfolio)->count);
    put_gauge(body.f, "inkasso_portfolio_payments",
              "Payments in the portfolio held in memory.",
              ink_portfolio_payments(ctx->portfolio)->count);
    put_gauge(body.f, "inkasso_portfolio_contacts",
              "Contacts in the portfolio held in memory.",
              ink_portfolio_contacts(ctx->portfolio)->count);
    srv_body_finish(&body, 0, 200, "text/plain; version=0.0.4; charset=utf-8",
                    reply);
}
