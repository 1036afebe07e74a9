/* Names and messages of status codes, reasons and enumerations. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "inkasso/portfolio.h"
#include "inkasso/status.h"

const char *ink_status_name(ink_status status)
{
    static const char *const names[] = {
#define INK_STATUS_NAME(name, msg) "INK_" #name,
        INK_STATUS_MAP(INK_STATUS_NAME)
#undef INK_STATUS_NAME
    };
    if ((unsigned)status >= INK_STATUS_COUNT)
        return "INK_UNKNOWN";
    return names[status];
}

const char *ink_status_message(ink_status status)
{
    static const char *const messages[] = {
#define INK_STATUS_MESSAGE(name, msg) msg,
        INK_STATUS_MAP(INK_STATUS_MESSAGE)
#undef INK_STATUS_MESSAGE
    };
    if ((unsigned)status >= INK_STATUS_COUNT)
        return "unknown status";
    return messages[status];
}

void ink_error_clear(ink_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

ink_status ink__error_set(ink_error *err, ink_status status, const char *file,
                          const char *fmt, ...)
{
    if (!err)
        return status;
    ink_error_clear(err);
    err->status = status;
    if (file)
        snprintf(err->file, sizeof err->file, "%s", file);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

int ink_error_format(const ink_error *err, char *buf, size_t cap)
{
    char where[INK_ERROR_FILE_MAX + 48] = "";
    size_t n = 0;
    if (err->file[0]) {
        if (err->line > 0 && err->column > 0)
            n = (size_t)snprintf(where, sizeof where, "%s:%lld:%d: ", err->file,
                                 (long long)err->line, (int)err->column);
        else if (err->line > 0)
            n = (size_t)snprintf(where, sizeof where, "%s:%lld: ", err->file,
                                 (long long)err->line);
        else
            n = (size_t)snprintf(where, sizeof where, "%s: ", err->file);
    }
    (void)n;
    const char *message =
        err->message[0] ? err->message : ink_status_message(err->status);
    if (err->field[0])
        return snprintf(buf, cap, "%s%s: %s", where, err->field, message);
    return snprintf(buf, cap, "%s%s", where, message);
}

const char *ink_reason_name(ink_reason reason)
{
    static const char *const names[] = {
#define INK_REASON_KEY(name, key, desc) key,
        INK_REASON_MAP(INK_REASON_KEY)
#undef INK_REASON_KEY
    };
    if ((unsigned)reason >= INK_REASON_COUNT)
        return "unknown";
    return names[reason];
}

const char *ink_reason_description(ink_reason reason)
{
    static const char *const descriptions[] = {
#define INK_REASON_DESC(name, key, desc) desc,
        INK_REASON_MAP(INK_REASON_DESC)
#undef INK_REASON_DESC
    };
    if ((unsigned)reason >= INK_REASON_COUNT)
        return "unknown reason";
    return descriptions[reason];
}

const char *ink_file_name(ink_file_kind kind)
{
    static const char *const names[INK_FILE_COUNT] = {
        "cases.csv", "payments.csv", "contacts.csv", "costs.csv"};
    if ((unsigned)kind >= INK_FILE_COUNT)
        return "?";
    return names[kind];
}

static const char *enum_name(const char *const *names, int count, int v)
{
    return v > 0 && v < count ? names[v] : NULL;
}

const char *ink_segment_name(int segment)
{
    static const char *const names[] = {NULL, "B2C", "B2B"};
    return enum_name(names, 3, segment);
}

const char *ink_close_reason_name(int reason)
{
    static const char *const names[] = {NULL,          "paid",     "settled",
                                        "written_off", "recalled", "disputed"};
    return enum_name(names, 6, reason);
}

const char *ink_direction_name(int direction)
{
    static const char *const names[] = {NULL, "out", "in"};
    return enum_name(names, 3, direction);
}

const char *ink_outcome_name(int outcome)
{
    static const char *const names[] = {NULL, "invalid", "no_response",
                                        "delivered", "responded"};
    return enum_name(names, 5, outcome);
}
