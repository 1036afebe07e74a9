/* Filling an ink_error inside the library. */
#ifndef INK_CORE_ERROR_H
#define INK_CORE_ERROR_H

#include "inkasso/status.h"

/*
 * Clears err, then sets its status, file (may be NULL) and a printf-style
 * message; returns status so that callers can `return ink__error_set(...)`.
 * err may be NULL.
 */
ink_status ink__error_set(ink_error *err, ink_status status, const char *file,
                          const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
