/* JSON values written to a stream (core/json.h). */
#include <math.h>
#include <stdlib.h>

#include "core/json.h"
#include "inkasso/units.h"

void ink__json_write_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    putc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else if (*c < 0x20)
            fprintf(f, "\\u%04x", *c);
        else
            putc(*c, f);
    }
    putc('"', f);
}

void ink__json_write_number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[40];
    snprintf(buf, sizeof buf, "%.15g", v);
    if (strtod(buf, NULL) != v)
        snprintf(buf, sizeof buf, "%.17g", v);
    fputs(buf, f);
}

void ink__json_write_money(FILE *f, int64_t units)
{
    char buf[INK_MONEY_TEXT_MAX];
    ink_format_money(units, buf, sizeof buf);
    fputs(buf, f);
}
