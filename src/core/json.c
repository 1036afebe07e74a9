/* JSON values written to a stream (core/json.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "inkasso/units.h"

void ink__json_write_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    putc('"', f);
    /* Runs without anything to escape go out in one write. */
    const unsigned char *run = (const unsigned char *)s, *c = run;
    for (; *c; c++) {
        if (*c != '"' && *c != '\\' && *c >= 0x20)
            continue;
        fwrite(run, 1, (size_t)(c - run), f);
        if (*c == '"' || *c == '\\')
            fprintf(f, "\\%c", *c);
        else
            fprintf(f, "\\u%04x", *c);
        run = c + 1;
    }
    fwrite(run, 1, (size_t)(c - run), f);
    putc('"', f);
}

__extension__ typedef unsigned __int128 u128;

/* The P significant digits of |v| (P is 15 or 17), rounded half to even
 * from its exact binary value as printf does, and the decimal exponent of
 * the first: |v| ~ digits * 10^(exp - P + 1). Only for 1e-5 <= |v| <
 * 1e15, where v * 10^k fits 128 bits for every k needed. 0 when it cannot
 * settle on an exponent (the caller then asks printf). */
static int decimal_digits(double v, int precision, uint64_t *digits, int *exp)
{
    static const uint64_t pow10[] = {1,
                                     10,
                                     100,
                                     1000,
                                     10000,
                                     100000,
                                     1000000,
                                     10000000,
                                     100000000,
                                     1000000000,
                                     10000000000,
                                     100000000000,
                                     1000000000000,
                                     10000000000000,
                                     100000000000000,
                                     1000000000000000,
                                     10000000000000000,
                                     100000000000000000,
                                     1000000000000000000,
                                     10000000000000000000u};
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    const uint64_t m = (bits & ((1ull << 52) - 1)) | 1ull << 52;
    const int e = (int)(bits >> 52 & 0x7ff) - 1075; /* v = m * 2^e */
    int x = (int)floor(log10(fabs(v)));
    for (int tries = 0; tries < 4; tries++) {
        int k = precision - 1 - x;
        if (k < 0 || k > 22)
            return 0;
        /* m * 10^k, with 10^k as two factors below 2^64. */
        u128 n = (u128)m * pow10[k > 19 ? 19 : k];
        if (k > 19)
            n *= pow10[k - 19];
        uint64_t q;
        if (e >= 0) {
            q = (uint64_t)(n << e);
        } else {
            const int shift = -e;
            if (shift > 120)
                return 0;
            u128 whole = n >> shift;
            u128 rest = n - (whole << shift);
            u128 half = (u128)1 << (shift - 1);
            q = (uint64_t)whole;
            if (rest > half || (rest == half && (q & 1)))
                q++;
        }
        if (q >= pow10[precision]) {
            x++;
        } else if (q < pow10[precision - 1]) {
            x--;
        } else {
            *digits = q;
            *exp = x;
            return 1;
        }
    }
    return 0;
}

/* printf's %.Pg from digits and exponent: fixed unless the exponent is
 * below -4 or at least P, trailing zeros dropped. */
static size_t format_g(int negative, uint64_t digits, int precision, int exp,
                       char *out)
{
    char d[24];
    int n = 0;
    for (int i = precision - 1; i >= 0; i--) {
        d[i] = (char)('0' + digits % 10);
        digits /= 10;
    }
    n = precision;
    while (n > 1 && d[n - 1] == '0')
        n--;
    size_t len = 0;
    if (negative)
        out[len++] = '-';
    if (exp < -4 || exp >= precision) {
        out[len++] = d[0];
        if (n > 1) {
            out[len++] = '.';
            memcpy(out + len, d + 1, (size_t)n - 1);
            len += (size_t)n - 1;
        }
        len += (size_t)sprintf(out + len, "e%c%02d", exp < 0 ? '-' : '+',
                               exp < 0 ? -exp : exp);
    } else if (exp >= 0) {
        for (int i = 0; i <= exp; i++)
            out[len++] = i < n ? d[i] : '0';
        if (n > exp + 1) {
            out[len++] = '.';
            memcpy(out + len, d + exp + 1, (size_t)(n - exp - 1));
            len += (size_t)(n - exp - 1);
        }
    } else {
        out[len++] = '0';
        out[len++] = '.';
        for (int i = 0; i < -exp - 1; i++)
            out[len++] = '0';
        memcpy(out + len, d, (size_t)n);
        len += (size_t)n;
    }
    out[len] = '\0';
    return len;
}

size_t ink__json_format_number(double v, char *out)
{
    static const double exact_pow10[] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    if (!isfinite(v)) {
        memcpy(out, "null", 5);
        return 4;
    }
    const double a = fabs(v);
    uint64_t digits;
    int exp;
    /* printf and strtod are exact but slow (a report has thousands of
     * numbers): the same digits from integer arithmetic where it fits,
     * and the read-back test by one correctly rounded division, which
     * is what strtod gives for 15 digits and a power of ten <= 10^22. */
    if (a >= 1e-5 && a < 1e15 && decimal_digits(a, 15, &digits, &exp)) {
        int scale = 14 - exp; /* 0 .. 19 */
        if ((double)digits / exact_pow10[scale] == a)
            return format_g(v < 0, digits, 15, exp, out);
        if (decimal_digits(a, 17, &digits, &exp))
            return format_g(v < 0, digits, 17, exp, out);
    }
    int n = snprintf(out, INK_JSON_NUMBER_MAX, "%.15g", v);
    if (strtod(out, NULL) != v)
        n = snprintf(out, INK_JSON_NUMBER_MAX, "%.17g", v);
    return (size_t)n;
}

void ink__json_write_number(FILE *f, double v)
{
    char buf[INK_JSON_NUMBER_MAX];
    size_t n = ink__json_format_number(v, buf);
    fwrite(buf, 1, n, f);
}

void ink__json_write_money(FILE *f, int64_t units)
{
    char buf[INK_MONEY_TEXT_MAX];
    ink_format_money(units, buf, sizeof buf);
    fputs(buf, f);
}
