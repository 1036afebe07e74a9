/* Building reply bodies: memory streams, escaped JSON strings, errors. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server_impl.h"

/* Answered when even the error body cannot be allocated; the reply then
 * carries no malloc'ed body and server.c sends this static text. */
static const char oom_body[] =
    "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}\n";

int srv_body_open(srv_body *body)
{
    body->buf = NULL;
    body->len = 0;
    body->f = open_memstream(&body->buf, &body->len);
    return body->f != NULL;
}

static void reply_oom(srv_reply *reply)
{
    free(reply->body);
    reply->status = 500;
    reply->content_type = SRV_JSON;
    reply->body = NULL;
    reply->len = 0;
}

void srv_body_finish(srv_body *body, int write_failed, unsigned status,
                     const char *content_type, srv_reply *reply)
{
    int failed = write_failed || ferror(body->f);
    /* fclose can fail when the stream's last growth finds no memory. */
    if (fclose(body->f) != 0)
        failed = 1;
    body->f = NULL;
    if (failed) {
        free(body->buf);
        srv_reply_error(reply, 500, "internal", "cannot build the answer");
        return;
    }
    free(reply->body);
    reply->status = status;
    reply->content_type = content_type;
    reply->body = body->buf;
    reply->len = body->len;
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0 when invalid
 * (overlong forms, surrogates and code points over U+10FFFF included). */
static size_t utf8_length(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned long cp;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0; /* also stops at the NUL */
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
        return 0;
    return n;
}

void srv_json_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    putc('"', f);
    while (*p) {
        if (*p == '"' || *p == '\\') {
            putc('\\', f);
            putc(*p++, f);
        } else if (*p < 0x20 || *p == 0x7f) {
            fprintf(f, "\\u%04x", *p++);
        } else {
            size_t n = utf8_length(p);
            if (n == 0) {
                fputs("\\ufffd", f);
                p++;
            } else {
                fwrite(p, 1, n, f);
                p += n;
            }
        }
    }
    putc('"', f);
}

void srv_reply_error(srv_reply *reply, unsigned status, const char *code,
                     const char *fmt, ...)
{
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    srv_body body;
    if (!srv_body_open(&body)) {
        reply_oom(reply);
        return;
    }
    fputs("{\"error\":{\"code\":", body.f);
    srv_json_string(body.f, code);
    fputs(",\"message\":", body.f);
    srv_json_string(body.f, message);
    fputs("}}\n", body.f);
    int failed = ferror(body.f);
    if (fclose(body.f) != 0 || failed) {
        free(body.buf);
        reply_oom(reply);
        return;
    }
    free(reply->body);
    reply->status = status;
    reply->content_type = SRV_JSON;
    reply->body = body.buf;
    reply->len = body.len;
}

void srv_reply_status(srv_reply *reply, ink_status st, const ink_error *err)
{
    const char *message =
        err->message[0] ? err->message : ink_status_message(st);
    switch (st) {
    case INK_USAGE:
        srv_reply_error(reply, 400, "bad_parameter", "%s", message);
        break;
    case INK_DATA:
        /* The KPI engine's only INK_DATA is a total or group that would
         * add amounts of different currencies (kpi.h). */
        srv_reply_error(reply, 422, "mixed_currencies", "%s", message);
        break;
    case INK_NOMEM:
        srv_reply_error(reply, 500, "out_of_memory", "%s", message);
        break;
    default:
        srv_reply_error(reply, 500, "internal", "%s", message);
        break;
    }
}

const char *srv_param_get(const srv_request *req, const char *key)
{
    for (size_t i = 0; i < req->param_count; i++)
        if (strcmp(req->params[i].key, key) == 0)
            return req->params[i].value;
    return NULL;
}

const char *srv_oom_body(size_t *len)
{
    *len = sizeof oom_body - 1;
    return oom_body;
}
