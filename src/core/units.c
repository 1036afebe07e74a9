/* Parsing and formatting of dates, timestamps, money and decimals. */
#include <stdio.h>
#include <string.h>

#include "inkasso/portfolio.h"
#include "inkasso/units.h"

/*
 * Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * days_from_civil / civil_from_days: exact for the proleptic Gregorian
 * calendar over the whole int32 range of years we accept (0000..9999).
 */
int32_t ink_days_from_civil(int32_t y, int32_t m, int32_t d)
{
    y -= m <= 2;
    const int32_t era = (y >= 0 ? y : y - 399) / 400;
    const int32_t yoe = y - era * 400;
    const int32_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void ink_civil_from_days(int32_t z, int32_t *year, int32_t *month, int32_t *day)
{
    z += 719468;
    const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int32_t doe = z - era * 146097;
    const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int32_t mp = (5 * doy + 2) / 153;
    const int32_t d = doy - (153 * mp + 2) / 5 + 1;
    const int32_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2);
    *month = m;
    *day = d;
}

int ink_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int32_t w = (days + 3) % 7;
    return w < 0 ? w + 7 : w;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Parses exactly n digits at s. */
static int digits(const char *s, int n, int32_t *out)
{
    int32_t v = 0;
    for (int i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int days_in_month(int32_t y, int32_t m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                          31, 31, 30, 31, 30, 31};
    if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 29;
    return dim[m - 1];
}

/* The "YYYY-MM-DD" prefix of s (at least 10 bytes). */
static int date_prefix(const char *s, int32_t *days)
{
    int32_t y, m, d;
    if (!digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m) ||
        s[7] != '-' || !digits(s + 8, 2, &d))
        return 0;
    if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return 0;
    *days = ink_days_from_civil(y, m, d);
    return 1;
}

int ink_parse_date(const char *s, size_t len, int32_t *days)
{
    return len == 10 && date_prefix(s, days);
}

int ink_parse_month(const char *s, size_t len, int32_t *months)
{
    int32_t y, m;
    if (len != 7 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &m))
        return 0;
    if (m < 1 || m > 12)
        return 0;
    *months = y * 12 + m - 1;
    return 1;
}

int ink_parse_timestamp(const char *s, size_t len, int32_t *days,
                        int32_t *seconds, int16_t *offset_min)
{
    int32_t date, hh, mi, ss;
    if (len < 19 || !date_prefix(s, &date) || s[10] != 'T' ||
        !digits(s + 11, 2, &hh) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
        s[16] != ':' || !digits(s + 17, 2, &ss))
        return 0;
    if (hh > 23 || mi > 59 || ss > 59)
        return 0;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == start)
            return 0;
    }
    int16_t offset = INK_OFFSET_NONE;
    if (i < len) {
        if (s[i] == 'Z') {
            offset = 0;
            i++;
        } else if (s[i] == '+' || s[i] == '-') {
            int32_t oh, om;
            if (len - i != 6 || !digits(s + i + 1, 2, &oh) || s[i + 3] != ':' ||
                !digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
                return 0;
            offset = (int16_t)((s[i] == '-' ? -1 : 1) * (oh * 60 + om));
            i += 6;
        }
    }
    if (i != len)
        return 0;
    *days = date;
    *seconds = hh * 3600 + mi * 60 + ss;
    *offset_min = offset;
    return 1;
}

int ink_parse_money(const char *s, size_t len, int64_t *units)
{
    size_t i = 0;
    int negative = 0;
    if (i < len && s[i] == '-') {
        negative = 1;
        i++;
    }
    if (i == len || !is_digit(s[i]))
        return 0;
    /* Accumulate as a negative number so INT64_MIN itself is reachable. */
    int64_t v = 0;
    const int64_t limit = INT64_MIN / 10;
    for (; i < len && is_digit(s[i]); i++) {
        int d = s[i] - '0';
        if (v < limit || v * 10 < INT64_MIN + d)
            return 0;
        v = v * 10 - d;
    }
    int decimals = 0;
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && is_digit(s[i]); i++) {
            if (++decimals > 4)
                return 0;
            int d = s[i] - '0';
            if (v < limit || v * 10 < INT64_MIN + d)
                return 0;
            v = v * 10 - d;
        }
        if (decimals == 0)
            return 0;
    }
    if (i != len)
        return 0;
    for (; decimals < 4; decimals++) {
        if (v < limit)
            return 0;
        v *= 10;
    }
    if (!negative) {
        if (v == INT64_MIN)
            return 0;
        v = -v;
    }
    *units = v;
    return 1;
}

int ink_parse_decimal(const char *s, size_t len, int64_t *units, int32_t *scale)
{
    size_t i = 0, int_start = 0;
    while (i < len && is_digit(s[i]))
        i++;
    if (i == int_start)
        return 0;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < len && s[i] == '.') {
        frac_start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        frac_end = i;
        if (frac_end == frac_start)
            return 0;
    }
    if (i != len)
        return 0;
    while (frac_end > frac_start && s[frac_end - 1] == '0')
        frac_end--;
    while (int_start < int_end - 1 && s[int_start] == '0')
        int_start++;
    int64_t v = 0;
    int significant = 0;
    for (size_t k = int_start; k < int_end; k++) {
        if (v != 0 || s[k] != '0')
            significant++;
        if (significant > 18)
            return 0;
        v = v * 10 + (s[k] - '0');
    }
    for (size_t k = frac_start; k < frac_end; k++) {
        if (v != 0 || s[k] != '0')
            significant++;
        if (significant > 18)
            return 0;
        v = v * 10 + (s[k] - '0');
    }
    if (frac_end - frac_start > 18)
        return 0;
    *units = v;
    *scale = (int32_t)(frac_end - frac_start);
    return 1;
}

int ink_format_date(int32_t days, char *buf, size_t cap)
{
    int32_t y, m, d;
    ink_civil_from_days(days, &y, &m, &d);
    return snprintf(buf, cap, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

int ink_format_month(int32_t months, char *buf, size_t cap)
{
    int32_t y = months / 12, m = months % 12;
    if (m < 0) {
        m += 12;
        y--;
    }
    return snprintf(buf, cap, "%04d-%02d", (int)y, (int)m + 1);
}

int ink_format_decimal(int64_t units, int32_t scale, char *buf, size_t cap)
{
    /* Work on the magnitude as unsigned so INT64_MIN is exact. */
    uint64_t mag = units < 0 ? (uint64_t)0 - (uint64_t)units : (uint64_t)units;
    uint64_t pow = 1;
    for (int32_t i = 0; i < scale; i++)
        pow *= 10;
    uint64_t whole = mag / pow, frac = mag % pow;
    char fracbuf[24];
    int flen = 0;
    if (frac != 0) {
        flen = snprintf(fracbuf, sizeof fracbuf, "%0*llu", (int)scale,
                        (unsigned long long)frac);
        while (flen > 0 && fracbuf[flen - 1] == '0')
            fracbuf[--flen] = '\0';
    }
    return snprintf(buf, cap, "%s%llu%s%s", units < 0 ? "-" : "",
                    (unsigned long long)whole, flen ? "." : "",
                    flen ? fracbuf : "");
}

int ink_format_money(int64_t units, char *buf, size_t cap)
{
    return ink_format_decimal(units, 4, buf, cap);
}
