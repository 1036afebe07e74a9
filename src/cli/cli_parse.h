/* Strict parsing of option and query values, shared by the command line
 * and the HTTP server (both are compiled into the inkasso executable), so
 * that `inkasso kpi --windows` and GET /api/v1/kpi?windows= read alike. */
#ifndef INKASSO_CLI_PARSE_H
#define INKASSO_CLI_PARSE_H

#include <stddef.h>
#include <stdint.h>

/* Strict whole-string unsigned decimal; 0 on NULL, junk, signs, spaces or
 * overflow. */
int cli_parse_u64(const char *s, uint64_t *out);
/* Strict whole-string finite decimal number; 0 on NULL, empty, junk,
 * infinity, NaN, or a value past double's range (over- or underflow). */
int cli_parse_double(const char *s, double *out);
/* Splits the comma list s in place into at most max items; 0 on an empty
 * item or too many. */
int cli_split_list(char *s, char **items, size_t max, size_t *count);

#endif
