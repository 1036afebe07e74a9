/* JSON values written to a stream: the one escaping and number form of
 * every JSON the library writes. */
#ifndef INK_CORE_JSON_H
#define INK_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* A JSON string: quotes, backslashes and control bytes escaped; other
 * bytes (UTF-8) as they are. NULL is null. */
void ink__json_write_string(FILE *f, const char *s);
/* The shortest of %.15g and %.17g that reads back as the same double;
 * null for NaN and infinities. */
void ink__json_write_number(FILE *f, double v);
/* The same text into out (INK_JSON_NUMBER_MAX bytes); its length. */
#define INK_JSON_NUMBER_MAX 40
size_t ink__json_format_number(double v, char *out);
/* An exact amount in 1/10000 as a JSON number ("12.5", "-3"). */
void ink__json_write_money(FILE *f, int64_t units);

#endif
