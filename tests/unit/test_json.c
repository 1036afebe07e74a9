/* JSON numbers: the fast formatter writes exactly what printf's shortest
 * of %.15g and %.17g writes (the reference below), for the numbers KPI
 * reports are made of and for random bit patterns. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/json.h"

static void reference(double v, char *out)
{
    if (!isfinite(v)) {
        strcpy(out, "null");
        return;
    }
    snprintf(out, INK_JSON_NUMBER_MAX, "%.15g", v);
    if (strtod(out, NULL) != v)
        snprintf(out, INK_JSON_NUMBER_MAX, "%.17g", v);
}

static size_t mismatches;

static void same(double v)
{
    char want[INK_JSON_NUMBER_MAX], got[INK_JSON_NUMBER_MAX];
    reference(v, want);
    size_t n = ink__json_format_number(v, got);
    if (strcmp(want, got) != 0 || n != strlen(want)) {
        if (mismatches++ < 10)
            fprintf(stderr, "%a: want %s, got %s\n", v, want, got);
    }
}

/* xorshift64*: the same numbers on every run. */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

int main(void)
{
    char buf[INK_JSON_NUMBER_MAX];
    CHECK_INT(ink__json_format_number(NAN, buf), 4);
    CHECK_STR(buf, "null");
    ink__json_format_number(-INFINITY, buf);
    CHECK_STR(buf, "null");
    ink__json_format_number(0.1, buf);
    CHECK_STR(buf, "0.1");
    ink__json_format_number(1.0 / 3.0, buf);
    CHECK_STR(buf, "0.33333333333333331");
    ink__json_format_number(-2.5e-5, buf);
    CHECK_STR(buf, "-2.5e-05");
    ink__json_format_number(123456789012345.0, buf);
    CHECK_STR(buf, "123456789012345");
    ink__json_format_number(1e15, buf);
    CHECK_STR(buf, "1e+15");
    ink__json_format_number(-0.0, buf);
    CHECK_STR(buf, "-0");

    /* Strings: quotes, backslashes and control bytes escaped, the rest
     * (UTF-8 too) as is, runs between them kept whole. */
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    CHECK(f != NULL);
    if (f) {
        ink__json_write_string(f, "plain");
        ink__json_write_string(f, "a\"b\\c\nd\x01\xc3\xa4");
        ink__json_write_string(f, "\"");
        ink__json_write_string(f, "");
        ink__json_write_string(f, NULL);
        fclose(f);
        CHECK_STR(text, "\"plain\"\"a\\\"b\\\\c\\u000ad\\u0001\xc3\xa4\""
                        "\"\\\"\"\"\"null");
        free(text);
    }

    static const double fixed[] = {
        0,       1,      -1,     10,        0.5,  1e-5,    1e-4,
        9.99e-5, 0.0001, 0.001,  99999,     1e14, 1e15,    9.999999999999999e14,
        1e-6,    1e300,  5e-324, 2.0 / 3.0, 0.3,  123.456, 7.0 / 9.0};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        same(fixed[i]);
        same(-fixed[i]);
    }
    /* Ratios of counts and of amounts, as KPIs are. */
    uint64_t s = 88172645463325252ull;
    for (int i = 0; i < 60000; i++) {
        uint64_t a = next(&s) % 1000000, b = next(&s) % 1000000 + 1;
        same((double)a / (double)b);
        same((double)(a % 1000) / (double)(b % 977 + 1));
    }
    /* Values right below and above powers of ten, and at halves. */
    for (int e = -6; e <= 16; e++) {
        double p = pow(10, e);
        same(p);
        same(nextafter(p, 0));
        same(nextafter(p, INFINITY));
        for (int k = 1; k < 200; k++)
            same(p * (1 + k * 1e-16));
        same(p * 0.5);
        same(p * 1.5);
    }
    /* Any bits (every exponent): the slow path must agree too. */
    for (int i = 0; i < 60000; i++) {
        uint64_t bits = next(&s);
        double v;
        memcpy(&v, &bits, sizeof v);
        same(v);
    }
    /* And doubles between 1e-5 and 1e15 with random mantissas. */
    for (int i = 0; i < 60000; i++) {
        double v = ldexp((double)(next(&s) >> 11), -53) *
                   pow(10, (int)(next(&s) % 20) - 5);
        same(v);
    }
    CHECK_INT(mismatches, 0);
    return check_report("json");
}
