/* CSV fields written to a stream (core/csv_write.h). */
#include <string.h>

#include "core/csv_write.h"

void ink__csv_write_field(FILE *f, const char *s)
{
    if (!s)
        return; /* null is an empty field */
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}
