/* Helpers shared by the unit tests: files and report text. */
#ifndef INK_TEST_HELPERS_H
#define INK_TEST_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "inkasso/inkasso.h"

/* A whole file, NUL-terminated (caller frees); *len if len; NULL when
 * it cannot be read. */
static inline char *test_slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    if (len)
        *len = n >= 0 ? (size_t)n : 0;
    return buf;
}

/* Removes the portfolio files ink_file_name names from dir, then dir
 * (it must hold nothing else to go). */
static inline void test_remove_portfolio(const char *dir)
{
    for (int k = 0; k < INK_FILE_COUNT; k++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir,
                 ink_file_name((ink_file_kind)k));
        remove(path);
    }
    rmdir(dir);
}

/* The KPI report of p for opt as JSON text (caller frees), NULL when it
 * cannot be computed (the message goes to stderr). */
static inline char *test_report_json(const ink_portfolio *p,
                                     const ink_kpi_options *opt)
{
    ink_kpi_report *r = NULL;
    ink_error err;
    if (ink_kpi_compute(p, opt, &r, &err) != INK_OK) {
        fprintf(stderr, "compute: %s\n", err.message);
        return NULL;
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (f) {
        ink_kpi_write_json(r, f);
        fclose(f);
    }
    ink_kpi_report_free(r);
    return text;
}

#endif
