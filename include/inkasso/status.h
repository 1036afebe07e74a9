/* Result codes and the error record every fallible inkasso call fills in. */
#ifndef INKASSO_STATUS_H
#define INKASSO_STATUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every function that can fail returns an ink_status: 0 is success.
 * The list is the single source of names and messages (libuv's
 * UV_ERRNO_MAP pattern): X(name, message).
 */
#define INK_STATUS_MAP(X)                                                      \
    X(OK, "success")                                                           \
    X(NOMEM, "out of memory")                                                  \
    X(IO, "input/output error")                                                \
    X(USAGE, "invalid argument")                                               \
    X(DATA, "invalid data")                                                    \
    X(LIMIT, "a hard limit was exceeded")                                      \
    X(INTERNAL, "internal error")

typedef enum ink_status {
#define INK_STATUS_ENUM(name, msg) INK_##name,
    INK_STATUS_MAP(INK_STATUS_ENUM)
#undef INK_STATUS_ENUM
        INK_STATUS_COUNT
} ink_status;

/* "INK_DATA" style name of a status; never NULL. */
const char *ink_status_name(ink_status status);
/* Short human message of a status; never NULL. */
const char *ink_status_message(ink_status status);

#define INK_ERROR_FILE_MAX 256
#define INK_ERROR_FIELD_MAX 64
#define INK_ERROR_MESSAGE_MAX 512

/*
 * Where and why something failed. The caller owns it (usually on the
 * stack) and passes it in; functions fill it only when they fail.
 * line and column are 1-based and 0 when unknown. column is the field
 * position in the CSV record, field the header name of that column.
 */
typedef struct ink_error {
    ink_status status;
    char file[INK_ERROR_FILE_MAX];
    int64_t line;
    int32_t column;
    char field[INK_ERROR_FIELD_MAX];
    char message[INK_ERROR_MESSAGE_MAX];
} ink_error;

/* Resets err to "no error"; err may be NULL. */
void ink_error_clear(ink_error *err);

/*
 * Formats err as "file:line:column: field: message" (parts that are
 * unknown are left out) into buf of size cap, always NUL-terminated.
 * Returns the length the full text has (snprintf semantics).
 */
int ink_error_format(const ink_error *err, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
