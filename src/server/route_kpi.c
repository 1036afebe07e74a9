/* GET /api/v1/kpi and /api/v1/curves: the reports of inkasso kpi and curve. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

/* As many windows as inkasso kpi --windows takes. */
#define SRV_MAX_WINDOWS 64

/* The options of one query; by_items point into by_text. */
typedef struct kpi_query {
    ink_kpi_options kopt;
    char *by_text;
    char *by_items[INK_KPI_MAX_DIMS];
} kpi_query;

/* as_of, from, to and by, shared by both routes; messages as the CLI's
 * with the parameter's name for the option's. */
static int parse_common(const srv_request *req, const srv_context *ctx,
                        kpi_query *q, srv_reply *reply)
{
    ink_kpi_options_init(&q->kopt);
    q->kopt.threads = ctx->kpi_threads;
    q->by_text = NULL;
    if (!srv_param_date(req, "as_of", &q->kopt.as_of, reply) ||
        !srv_param_period(req, &q->kopt.from, &q->kopt.to, reply))
        return 0;
    if (!srv_param_list(req, "by", INK_KPI_MAX_DIMS, "dimensions", &q->by_text,
                        q->by_items, &q->kopt.by_count, reply))
        return 0;
    if (q->by_text)
        q->kopt.by = (const char *const *)q->by_items;
    return 1;
}

static int parse_windows(const srv_request *req, kpi_query *q, srv_reply *reply)
{
    char *text, *items[SRV_MAX_WINDOWS];
    size_t n;
    uint64_t days;
    int ok = srv_param_list(req, "windows", SRV_MAX_WINDOWS, "day counts",
                            &text, items, &n, reply);
    for (size_t i = 0; ok && i < n; i++) {
        if (cli_parse_u64(items[i], &days) && days <= 36500) {
            q->kopt.windows[i] = (int32_t)days;
            continue;
        }
        srv_reply_error(reply, 400, "bad_parameter",
                        "windows: expected days from 0 to 36500, got \"%s\"",
                        items[i]);
        ok = 0;
    }
    if (ok && n) /* absent: the default windows */
        q->kopt.window_count = n;
    free(text);
    return ok;
}

/* What to write once the report is computed. */
typedef enum report_kind { REPORT_KPI, REPORT_CURVES } report_kind;

typedef struct report_answer {
    const ink_kpi_report *r;
    report_kind kind;
    int32_t step, max;
} report_answer;

static ink_status write_report(FILE *out, const void *arg)
{
    const report_answer *a = arg;
    return a->kind == REPORT_KPI
               ? ink_kpi_write_json(a->r, out)
               : ink_kpi_write_curves_json(a->r, a->step, a->max, out);
}

static void compute_and_reply(const srv_context *ctx, const srv_request *req,
                              kpi_query *q, report_kind kind, int32_t step,
                              int32_t max, srv_reply *reply)
{
    char *key;
    if (srv_cached_answer(ctx, req, &key, reply))
        return;
    ink_kpi_report *r = NULL;
    ink_error err;
    ink_error_clear(&err);
    ink_status st = ink_kpi_compute(ctx->portfolio, &q->kopt, &r, &err);
    if (st != INK_OK) {
        free(key);
        srv_reply_status(reply, st, &err);
        return;
    }
    report_answer a = {r, kind, step, max};
    srv_answer_json(ctx, key, write_report, &a, reply);
    ink_kpi_report_free(r);
}

void srv_handle_kpi(const srv_context *ctx, const srv_request *req,
                    srv_reply *reply)
{
    static const char *const allowed[] = {"by", "as_of",   "from",
                                          "to", "windows", NULL};
    kpi_query q;
    q.by_text = NULL;
    if (srv_params_check(req, allowed, "by, as_of, from, to or windows",
                         reply) &&
        parse_common(req, ctx, &q, reply) && parse_windows(req, &q, reply))
        compute_and_reply(ctx, req, &q, REPORT_KPI, 0, 0, reply);
    free(q.by_text);
}

void srv_handle_curves(const srv_context *ctx, const srv_request *req,
                       srv_reply *reply)
{
    static const char *const allowed[] = {"by",   "step", "max", "as_of",
                                          "from", "to",   NULL};
    static const char *const default_by[] = {"cohort_month"};
    kpi_query q;
    q.by_text = NULL;
    uint64_t step = 7, max = 360;
    const char *v;
    if (!srv_params_check(req, allowed, "by, step, max, as_of, from or to",
                          reply) ||
        !parse_common(req, ctx, &q, reply))
        goto done;
    if (!q.by_text) {
        q.kopt.by = default_by;
        q.kopt.by_count = 1;
    }
    if ((v = srv_param_value(req, "step")) &&
        (!cli_parse_u64(v, &step) || step < 1 || step > 3650)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "step: expected days from 1 to 3650, got \"%s\"", v);
        goto done;
    }
    if ((v = srv_param_value(req, "max")) &&
        (!cli_parse_u64(v, &max) || max > 36500)) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "max: expected days from 0 to 36500, got \"%s\"", v);
        goto done;
    }
    if (max / step + 1 > INK_KPI_MAX_WINDOWS - 1) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "max / step: at most %d points",
                        INK_KPI_MAX_WINDOWS - 1);
        goto done;
    }
    /* The curve's points are realization windows 0, step, ..., max. */
    for (uint64_t day = 0; day <= max; day += step)
        q.kopt.windows[q.kopt.window_count++] = (int32_t)day;
    compute_and_reply(ctx, req, &q, REPORT_CURVES, (int32_t)step, (int32_t)max,
                      reply);
done:
    free(q.by_text);
}
