/* CSV fields written to a stream: the one quoting of every CSV the
 * library writes. */
#ifndef INK_CORE_CSV_WRITE_H
#define INK_CORE_CSV_WRITE_H

#include <stdio.h>

/* s as one field, quoted (quotes doubled) when it holds a comma, quote or
 * line break; NULL is an empty field. */
void ink__csv_write_field(FILE *f, const char *s);

#endif
