/* GET /api/v1/cases/{case_id}: one case with its payments and contacts. */
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

static const char *text_at(const ink_text_column *col, size_t row)
{
    return col->present ? ink_dict_get(col->values, col->codes[row], NULL)
                        : NULL;
}

static void put_text(FILE *f, const char *key, const char *value)
{
    fprintf(f, ",\"%s\":", key);
    srv_json_string(f, value);
}

static void put_date(FILE *f, const char *key, int32_t days)
{
    char text[INK_DATE_TEXT_MAX];
    fprintf(f, ",\"%s\":", key);
    if (days == INK_DATE_NONE) {
        fputs("null", f);
        return;
    }
    ink_format_date(days, text, sizeof text);
    srv_json_string(f, text);
}

/* Amounts as JSON numbers in their shortest exact form, as in the KPI
 * report, so no binary rounding happens on our side. */
static void put_money(FILE *f, const char *key, int64_t units)
{
    char text[INK_MONEY_TEXT_MAX];
    fprintf(f, ",\"%s\":", key);
    if (units == INK_MONEY_NONE) {
        fputs("null", f);
        return;
    }
    ink_format_money(units, text, sizeof text);
    fputs(text, f);
}

/* The contact's timestamp as it was written (less any fraction of a
 * second), in the same form the store keeps. */
static void put_timestamp(FILE *f, const char *key, int32_t date,
                          int32_t seconds, int16_t offset)
{
    char day[INK_DATE_TEXT_MAX], text[64];
    ink_format_date(date, day, sizeof day);
    int n = snprintf(text, sizeof text, "%sT%02d:%02d:%02d", day,
                     (int)(seconds / 3600), (int)(seconds / 60 % 60),
                     (int)(seconds % 60));
    if (n > 0 && (size_t)n < sizeof text && offset != INK_OFFSET_NONE) {
        int minutes = offset < 0 ? -offset : offset;
        if (offset == 0)
            snprintf(text + n, sizeof text - (size_t)n, "Z");
        else
            snprintf(text + n, sizeof text - (size_t)n, "%c%02d:%02d",
                     offset < 0 ? '-' : '+', minutes / 60, minutes % 60);
    }
    fprintf(f, ",\"%s\":", key);
    srv_json_string(f, text);
}

static void put_case(FILE *f, const ink_cases *cs, size_t c)
{
    fputs("{\"case_id\":", f);
    srv_json_string(f, ink_dict_get(cs->ids, (uint32_t)c + 1, NULL));
    put_text(f, "debtor_id", text_at(&cs->debtor_id, c));
    put_text(f, "creditor_id", text_at(&cs->creditor_id, c));
    put_text(f, "segment", ink_segment_name(cs->segment[c]));
    put_text(f, "sector", text_at(&cs->sector, c));
    put_text(f, "region", text_at(&cs->region, c));
    put_text(f, "risk_class", text_at(&cs->risk_class, c));
    put_text(f, "portfolio", text_at(&cs->portfolio, c));
    put_text(f, "handler", text_at(&cs->handler, c));
    put_date(f, "opened_on", cs->opened_on[c]);
    put_date(f, "due_on", cs->due_on[c]);
    put_money(f, "amount", cs->amount[c]);
    put_text(f, "currency", text_at(&cs->currency, c));
    put_date(f, "closed_on", cs->closed_on[c]);
    put_text(f, "close_reason", ink_close_reason_name(cs->close_reason[c]));
    fputs(",\"extras\":{", f);
    for (size_t e = 0; e < cs->extra_count; e++) {
        if (e)
            putc(',', f);
        srv_json_string(f, cs->extras[e].name);
        putc(':', f);
        srv_json_string(f, text_at(&cs->extras[e], c));
    }
    putc('}', f);
}

static void put_payments(FILE *f, const ink_payments *ps, size_t c)
{
    fputs(",\"payments\":[", f);
    for (uint32_t i = ps->case_offset[c]; i < ps->case_offset[c + 1]; i++) {
        fputs(i > ps->case_offset[c] ? ",\n{\"payment_id\":"
                                     : "\n{\"payment_id\":",
              f);
        srv_json_string(f, ink_dict_get(ps->ids, i + 1, NULL));
        put_date(f, "paid_on", ps->paid_on[i]);
        put_money(f, "amount", ps->amount[i]);
        put_text(f, "method", text_at(&ps->method, i));
        putc('}', f);
    }
    putc(']', f);
}

static void put_contacts(FILE *f, const ink_contacts *ks, size_t c)
{
    fputs(",\"contacts\":[", f);
    for (uint32_t i = ks->case_offset[c]; i < ks->case_offset[c + 1]; i++) {
        fputs(i > ks->case_offset[c] ? ",\n{\"contact_id\":"
                                     : "\n{\"contact_id\":",
              f);
        srv_json_string(f, ink_dict_get(ks->ids, i + 1, NULL));
        put_timestamp(f, "at", ks->date[i], ks->seconds[i],
                      ks->utc_offset_min[i]);
        put_text(f, "channel", text_at(&ks->channel, i));
        put_text(f, "direction", ink_direction_name(ks->direction[i]));
        put_text(f, "outcome", ink_outcome_name(ks->outcome[i]));
        fprintf(f, ",\"automated\":%s", ks->automated[i] ? "true" : "false");
        put_text(f, "agent_id", text_at(&ks->agent_id, i));
        put_money(f, "cost", ks->cost[i]);
        putc('}', f);
    }
    putc(']', f);
}

void srv_handle_case(const srv_context *ctx, const srv_request *req,
                     srv_reply *reply)
{
    if (req->param_count) {
        srv_reply_error(reply, 400, "bad_parameter",
                        "unknown parameter \"%s\": this route takes none",
                        req->params[0].key);
        return;
    }
    const ink_cases *cs = ink_portfolio_cases(ctx->portfolio);
    const char *id = req->subpath;
    uint32_t code = ink_dict_find(cs->ids, id, strlen(id));
    if (code == 0) {
        srv_reply_error(reply, 404, "not_found", "unknown case_id \"%s\"", id);
        return;
    }
    size_t c = code - 1;
    srv_body body;
    if (!srv_body_open(&body)) {
        srv_reply_error(reply, 500, "out_of_memory", "out of memory");
        return;
    }
    put_case(body.f, cs, c);
    put_payments(body.f, ink_portfolio_payments(ctx->portfolio), c);
    put_contacts(body.f, ink_portfolio_contacts(ctx->portfolio), c);
    fputs("}\n", body.f);
    srv_body_finish(&body, 0, 200, SRV_JSON, reply);
}
