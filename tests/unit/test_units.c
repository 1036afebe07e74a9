/* Unit tests for dates, timestamps, money and decimals (inkasso/units.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "inkasso/portfolio.h"
#include "inkasso/units.h"

/*
 * Expected day numbers come from Python's calendar, which shares no code
 * with ours: datetime.date(y, m, d).toordinal() - 719163, and weekdays
 * from datetime.date(y, m, d).weekday() (0 = Monday).
 */

static int parse_date(const char *s, int32_t *days)
{
    return ink_parse_date(s, strlen(s), days);
}

/* 1 when s is rejected and the output was left alone. */
static int date_rejected(const char *s)
{
    int32_t days = 12345;
    return ink_parse_date(s, strlen(s), &days) == 0 && days == 12345;
}

static int money_rejected(const char *s)
{
    int64_t units = 4242;
    return ink_parse_money(s, strlen(s), &units) == 0 && units == 4242;
}

static int decimal_rejected(const char *s)
{
    int64_t units = 4242;
    int32_t scale = 77;
    return ink_parse_decimal(s, strlen(s), &units, &scale) == 0 &&
           units == 4242 && scale == 77;
}

static int timestamp_rejected(const char *s)
{
    int32_t days = 11, seconds = 22;
    int16_t offset = 33;
    return ink_parse_timestamp(s, strlen(s), &days, &seconds, &offset) == 0 &&
           days == 11 && seconds == 22 && offset == 33;
}

static int month_rejected(const char *s)
{
    int32_t months = 999;
    return ink_parse_month(s, strlen(s), &months) == 0 && months == 999;
}

static int64_t money(const char *s)
{
    int64_t units = -4242;
    if (!ink_parse_money(s, strlen(s), &units))
        fprintf(stderr, "money \"%s\" did not parse\n", s);
    return units;
}

/* Formats and checks the returned length matches the text. */
static const char *fmt_money(int64_t units)
{
    static char buf[INK_MONEY_TEXT_MAX];
    int n = ink_format_money(units, buf, sizeof buf);
    if (n < 0 || (size_t)n != strlen(buf))
        return "(bad length)";
    return buf;
}

static const char *fmt_decimal(int64_t units, int32_t scale)
{
    static char buf[64];
    int n = ink_format_decimal(units, scale, buf, sizeof buf);
    if (n < 0 || (size_t)n != strlen(buf))
        return "(bad length)";
    return buf;
}

static const char *fmt_date(int32_t days)
{
    static char buf[INK_DATE_TEXT_MAX];
    int n = ink_format_date(days, buf, sizeof buf);
    if (n < 0 || (size_t)n != strlen(buf))
        return "(bad length)";
    return buf;
}

static const char *fmt_month(int32_t months)
{
    static char buf[INK_DATE_TEXT_MAX];
    int n = ink_format_month(months, buf, sizeof buf);
    if (n < 0 || (size_t)n != strlen(buf))
        return "(bad length)";
    return buf;
}

/* An independent calendar for the walk below. */
static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_length(int y, int m)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

static void test_days_from_civil(void)
{
    CHECK_INT(ink_days_from_civil(1970, 1, 1), 0);
    CHECK_INT(ink_days_from_civil(1969, 12, 31), -1);
    CHECK_INT(ink_days_from_civil(2000, 2, 29), 11016);
    CHECK_INT(ink_days_from_civil(2000, 3, 1), 11017);
    CHECK_INT(ink_days_from_civil(2024, 2, 29), 19782);
    CHECK_INT(ink_days_from_civil(2025, 1, 1), 20089);
    CHECK_INT(ink_days_from_civil(2025, 3, 1), 20148);
    CHECK_INT(ink_days_from_civil(2025, 6, 30), 20269);
    CHECK_INT(ink_days_from_civil(1900, 3, 1), -25508);
    CHECK_INT(ink_days_from_civil(1600, 1, 1), -135140);
    CHECK_INT(ink_days_from_civil(2400, 12, 31), 157419);
    CHECK_INT(ink_days_from_civil(1, 1, 1), -719162);
    CHECK_INT(ink_days_from_civil(9999, 12, 31), 2932896);

    int32_t y = 0, m = 0, d = 0;
    ink_civil_from_days(11017, &y, &m, &d);
    CHECK(y == 2000 && m == 3 && d == 1);
    ink_civil_from_days(-1, &y, &m, &d);
    CHECK(y == 1969 && m == 12 && d == 31);
    ink_civil_from_days(-719162, &y, &m, &d);
    CHECK(y == 1 && m == 1 && d == 1);
    ink_civil_from_days(2932896, &y, &m, &d);
    CHECK(y == 9999 && m == 12 && d == 31);

    CHECK_INT(ink_weekday(0), 3);       /* 1970-01-01 Thursday */
    CHECK_INT(ink_weekday(-1), 2);      /* 1969-12-31 Wednesday */
    CHECK_INT(ink_weekday(20423), 0);   /* 2025-12-01 Monday */
    CHECK_INT(ink_weekday(20269), 0);   /* 2025-06-30 Monday */
    CHECK_INT(ink_weekday(20149), 6);   /* 2025-03-02 Sunday */
    CHECK_INT(ink_weekday(-135140), 5); /* 1600-01-01 Saturday */
    CHECK_INT(ink_weekday(-719162), 0); /* 0001-01-01 Monday */
}

/*
 * Walks every day from 1600-01-01 to 2400-12-31 with the calendar above
 * and a weekday counter, comparing each day with the library both ways.
 * Failures are counted, so one CHECK covers the whole walk.
 */
static void test_calendar_walk(void)
{
    int32_t n = -135140; /* 1600-01-01 */
    int wd = 5;          /* a Saturday */
    int y = 1600, m = 1, d = 1;
    long bad = 0, walked = 0;
    for (;;) {
        int32_t cy, cm, cd, parsed = INT32_MIN;
        char want[40];
        snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
        ink_civil_from_days(n, &cy, &cm, &cd);
        if (ink_days_from_civil(y, m, d) != n || cy != y || cm != m ||
            cd != d || ink_weekday(n) != wd || strcmp(fmt_date(n), want) != 0 ||
            !parse_date(want, &parsed) || parsed != n) {
            if (bad++ < 5)
                fprintf(stderr, "calendar walk: %s (%ld) disagrees\n", want,
                        (long)n);
        }
        walked++;
        if (y == 2400 && m == 12 && d == 31)
            break;
        n++;
        wd = (wd + 1) % 7;
        if (++d > month_length(y, m)) {
            d = 1;
            if (++m > 12) {
                m = 1;
                y++;
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(n, 157419);      /* 2400-12-31 */
    CHECK_INT(walked, 292560); /* 801 years: 801 * 365 + 195 leap days */
    /* The leap day 2400-02-29 and the missing 2100-02-29 in the walk's
     * calendar (independent of ours). */
    CHECK(is_leap(2400) && !is_leap(2100) && !is_leap(1900) && is_leap(2000));
}

static void test_parse_date(void)
{
    int32_t days = 0;
    CHECK(parse_date("1970-01-01", &days) && days == 0);
    CHECK(parse_date("1969-12-31", &days) && days == -1);
    CHECK(parse_date("2024-02-29", &days) && days == 19782);
    CHECK(parse_date("2000-02-29", &days) && days == 11016);
    CHECK(parse_date("2000-03-01", &days) && days == 11017);
    CHECK(parse_date("2025-06-30", &days) && days == 20269);
    CHECK(parse_date("2025-04-30", &days) && days == 20208);
    CHECK(parse_date("2025-12-31", &days) && days == 20453);
    CHECK(parse_date("0001-01-01", &days) && days == -719162);
    CHECK(parse_date("9999-12-31", &days) && days == 2932896);
    /* Exactly len bytes are read: a longer buffer is fine. */
    CHECK(ink_parse_date("2025-06-30T10:00:00", 10, &days) && days == 20269);
    CHECK(ink_parse_date("2025-06-30,x", 10, &days) && days == 20269);

    /* Leap years: every 4th, not every 100th, but every 400th. */
    CHECK(date_rejected("2025-02-29"));
    CHECK(date_rejected("1900-02-29"));
    CHECK(date_rejected("2100-02-29"));
    CHECK(date_rejected("2024-02-30"));
    CHECK(date_rejected("2025-02-30"));
    CHECK(date_rejected("2025-04-31"));
    CHECK(date_rejected("2025-00-10"));
    CHECK(date_rejected("2025-13-01"));
    CHECK(date_rejected("2025-01-00"));
    CHECK(date_rejected("2025-01-32"));
    CHECK(date_rejected("2025-12-32"));
    CHECK(date_rejected("2025-1-01"));
    CHECK(date_rejected("2025-01-1"));
    CHECK(date_rejected("25-01-01"));
    CHECK(date_rejected("02025-01-01"));
    CHECK(date_rejected("2025-01-011"));
    CHECK(date_rejected("2025-01-01 "));
    CHECK(date_rejected(" 2025-01-01"));
    CHECK(date_rejected("2025/01/01"));
    CHECK(date_rejected("2025-01/01"));
    CHECK(date_rejected("20250101"));
    CHECK(date_rejected("abcd-ef-gh"));
    CHECK(date_rejected("2025-0a-01"));
    CHECK(date_rejected("2025-01-0x"));
    CHECK(date_rejected("2O25-01-01")); /* letter O */
    CHECK(date_rejected("-025-01-01"));
    CHECK(date_rejected("+025-01-01"));
    CHECK(date_rejected("2025-01-01T00:00:00"));
    CHECK(date_rejected(""));
    /* A length shorter than the text cuts it. */
    days = 12345;
    CHECK(ink_parse_date("2025-01-01", 9, &days) == 0 && days == 12345);

    CHECK_STR(fmt_date(0), "1970-01-01");
    CHECK_STR(fmt_date(-1), "1969-12-31");
    CHECK_STR(fmt_date(11016), "2000-02-29");
    CHECK_STR(fmt_date(11017), "2000-03-01");
    CHECK_STR(fmt_date(20269), "2025-06-30");
    CHECK_STR(fmt_date(-719162), "0001-01-01");
    CHECK_STR(fmt_date(2932896), "9999-12-31");
    char small[6];
    int n = ink_format_date(0, small, sizeof small);
    CHECK_INT(n, 10); /* snprintf semantics: the full length */
    CHECK_STR(small, "1970-");
}

static void test_months(void)
{
    int32_t months = 0;
    /* year * 12 + month - 1, by hand. */
    CHECK(ink_parse_month("2025-03", 7, &months) && months == 24302);
    CHECK(ink_parse_month("2025-01", 7, &months) && months == 24300);
    CHECK(ink_parse_month("2024-12", 7, &months) && months == 24299);
    CHECK(ink_parse_month("0000-01", 7, &months) && months == 0);
    CHECK(ink_parse_month("9999-12", 7, &months) && months == 119999);
    CHECK(ink_parse_month("2025-03-01", 7, &months) && months == 24302);
    CHECK(month_rejected("2025-00"));
    CHECK(month_rejected("2025-13"));
    CHECK(month_rejected("2025-3"));
    CHECK(month_rejected("2025-003"));
    CHECK(month_rejected("2025-03-01"));
    CHECK(month_rejected("2025/03"));
    CHECK(month_rejected("202503"));
    CHECK(month_rejected("2025-03 "));
    CHECK(month_rejected(" 2025-03"));
    CHECK(month_rejected("2025-a3"));
    CHECK(month_rejected(""));

    CHECK_STR(fmt_month(24302), "2025-03");
    CHECK_STR(fmt_month(24299), "2024-12");
    CHECK_STR(fmt_month(0), "0000-01");
    CHECK_STR(fmt_month(11), "0000-12");
    CHECK_STR(fmt_month(12), "0001-01");
    CHECK_STR(fmt_month(119999), "9999-12");

    long bad = 0;
    for (int y = 0; y <= 9999; y++) {
        for (int m = 1; m <= 12; m++) {
            char want[40];
            snprintf(want, sizeof want, "%04d-%02d", y, m);
            int32_t got = -1;
            if (!ink_parse_month(want, 7, &got) || got != y * 12 + m - 1 ||
                strcmp(fmt_month(got), want) != 0)
                bad++;
        }
    }
    CHECK_INT(bad, 0);
}

static void test_timestamps(void)
{
    int32_t days = 0, seconds = 0;
    int16_t offset = 0;
#define TS(s) ink_parse_timestamp(s, strlen(s), &days, &seconds, &offset)

    /* The date is the date as written, not converted to UTC. */
    CHECK(TS("2025-03-01T23:30:00-05:00"));
    CHECK_INT(days, 20148); /* 2025-03-01 */
    CHECK_INT(seconds, 84600);
    CHECK_INT(offset, -300);

    CHECK(TS("2025-03-02T00:15:00+02:00"));
    CHECK_INT(days, 20149); /* 2025-03-02 */
    CHECK_INT(seconds, 900);
    CHECK_INT(offset, 120);

    CHECK(TS("2025-03-01T12:00:00Z"));
    CHECK_INT(days, 20148);
    CHECK_INT(seconds, 43200);
    CHECK_INT(offset, 0);

    CHECK(TS("2025-03-01T12:00:00"));
    CHECK_INT(seconds, 43200);
    CHECK_INT(offset, INK_OFFSET_NONE);

    CHECK(TS("2025-03-01T00:00:00+00:00"));
    CHECK_INT(seconds, 0);
    CHECK_INT(offset, 0);
    CHECK(TS("2025-03-01T00:00:00-00:30"));
    CHECK_INT(offset, -30);
    CHECK(TS("2025-03-01T00:00:00+05:45"));
    CHECK_INT(offset, 345);
    CHECK(TS("2025-03-01T23:59:59"));
    CHECK_INT(seconds, 86399);
    CHECK(TS("2024-02-29T08:09:10Z"));
    CHECK_INT(days, 19782);
    CHECK_INT(seconds, 8 * 3600 + 9 * 60 + 10);

    /* Fractions are allowed and do not change the whole seconds. */
    CHECK(TS("2025-03-01T12:00:00.5"));
    CHECK_INT(seconds, 43200);
    CHECK_INT(offset, INK_OFFSET_NONE);
    CHECK(TS("2025-03-01T12:00:01.123456789Z"));
    CHECK_INT(seconds, 43201);
    CHECK_INT(offset, 0);
    CHECK(TS("2025-03-01T12:00:00.999+01:30"));
    CHECK_INT(seconds, 43200);
    CHECK_INT(offset, 90);
    /* Exactly len bytes are read. */
    CHECK(ink_parse_timestamp("2025-03-01T12:00:00Zjunk", 20, &days, &seconds,
                              &offset) &&
          offset == 0);
#undef TS

    CHECK(timestamp_rejected("2025-03-01t12:00:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00z"));
    CHECK(timestamp_rejected("2025-03-01T24:00:00"));
    CHECK(timestamp_rejected("2025-03-01T12:60:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:60"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00."));
    CHECK(timestamp_rejected("2025-03-01T12:00:00.Z"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00.+01:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00,5"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00.5.5"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+2:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+0200"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+02"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+02:0"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+02:000"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+02:60"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00 +02:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00-05:00Z"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00ZZ"));
    CHECK(timestamp_rejected("2025-03-01 12:00:00"));
    CHECK(timestamp_rejected("2025-02-30T12:00:00"));
    CHECK(timestamp_rejected("2025-02-29T12:00:00Z"));
    CHECK(timestamp_rejected("2025-13-01T12:00:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00x"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00Zx"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00+02:00x"));
    CHECK(timestamp_rejected("2025-03-01T12:00:00 "));
    CHECK(timestamp_rejected(" 2025-03-01T12:00:00"));
    CHECK(timestamp_rejected("2025-03-01T12:00"));
    CHECK(timestamp_rejected("2025-03-01T1:00:00"));
    CHECK(timestamp_rejected("2025-03-01T12:0:00"));
    CHECK(timestamp_rejected("2025-03-01T12-00-00"));
    CHECK(timestamp_rejected("2025-03-01T"));
    CHECK(timestamp_rejected("2025-03-01"));
    CHECK(timestamp_rejected(""));
}

static void test_parse_money(void)
{
    CHECK_INT(money("1249.50"), 12495000);
    CHECK_INT(money("1249.5"), 12495000);
    CHECK_INT(money("0.0001"), 1);
    CHECK_INT(money("7"), 70000);
    CHECK_INT(money("0"), 0);
    CHECK_INT(money("12.3456"), 123456);
    CHECK_INT(money("12.345"), 123450);
    CHECK_INT(money("-7"), -70000);
    CHECK_INT(money("-1249.5"), -12495000);
    CHECK_INT(money("-0.0001"), -1);
    CHECK_INT(money("-0"), 0);
    CHECK_INT(money("-0.0000"), 0);
    CHECK_INT(money("007.5"), 75000);
    CHECK_INT(money("-007.5"), -75000);
    CHECK_INT(money("000000000000000000000000000001"), 10000);
    /* Exactly len bytes are read. */
    int64_t units = 0;
    CHECK(ink_parse_money("12.5,EUR", 4, &units) && units == 125000);

    CHECK(money_rejected("+5"));
    CHECK(money_rejected(".5"));
    CHECK(money_rejected("-.5"));
    CHECK(money_rejected("5."));
    CHECK(money_rejected("-5."));
    CHECK(money_rejected("1e3"));
    CHECK(money_rejected("1E3"));
    CHECK(money_rejected("1,5"));
    CHECK(money_rejected("1.000,50"));
    CHECK(money_rejected("12.34567"));
    CHECK(money_rejected("0.00001"));
    CHECK(money_rejected(""));
    CHECK(money_rejected("-"));
    CHECK(money_rejected("--1"));
    CHECK(money_rejected("-+1"));
    CHECK(money_rejected(" 1"));
    CHECK(money_rejected("1 "));
    CHECK(money_rejected("1.2.3"));
    CHECK(money_rejected("0x10"));
    CHECK(money_rejected("1-"));
    CHECK(money_rejected("EUR5"));
    CHECK(money_rejected("5EUR"));
    CHECK(money_rejected("1_000"));

    /* The int64 range in 1/10000 units: 2^63 - 1 and -2^63. */
    CHECK_INT(money("922337203685477.5807"), INT64_MAX);
    CHECK_INT(money("-922337203685477.5808"), INT64_MIN);
    CHECK_INT(money("922337203685477.58"), INT64_C(9223372036854775800));
    CHECK_INT(money("922337203685477"), INT64_C(9223372036854770000));
    CHECK_INT(money("-922337203685477"), INT64_C(-9223372036854770000));
    CHECK(money_rejected("922337203685477.5808"));
    CHECK(money_rejected("922337203685477.5810"));
    CHECK(money_rejected("-922337203685477.5809"));
    CHECK(money_rejected("922337203685478"));
    CHECK(money_rejected("-922337203685478"));
    CHECK(money_rejected("922337203685477.59"));
    CHECK(money_rejected("99999999999999999999"));
    CHECK(money_rejected("-99999999999999999999"));
    CHECK(money_rejected("9223372036854775807"));
    CHECK(money_rejected("18446744073709551616"));
}

static void test_format_money(void)
{
    CHECK_STR(fmt_money(12495000), "1249.5");
    CHECK_STR(fmt_money(-30000), "-3");
    CHECK_STR(fmt_money(1), "0.0001");
    CHECK_STR(fmt_money(-1), "-0.0001");
    CHECK_STR(fmt_money(0), "0");
    CHECK_STR(fmt_money(10000), "1");
    CHECK_STR(fmt_money(123400), "12.34");
    CHECK_STR(fmt_money(123456), "12.3456");
    CHECK_STR(fmt_money(1000), "0.1");
    CHECK_STR(fmt_money(-5), "-0.0005");
    CHECK_STR(fmt_money(INT64_MAX), "922337203685477.5807");
    CHECK_STR(fmt_money(INT64_MIN), "-922337203685477.5808");

    /* Round trips text -> units -> the same text. */
    static const char *const texts[] = {"1249.5",
                                        "-3",
                                        "0.0001",
                                        "-0.0001",
                                        "0",
                                        "7",
                                        "12.3456",
                                        "-12.345",
                                        "922337203685477.5807",
                                        "-922337203685477.5808",
                                        "100000",
                                        "0.01"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        CHECK_STR(fmt_money(money(texts[i])), texts[i]);

    /* And units -> text -> the same units, over a spread of values. */
    static const int64_t values[] = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     99,
                                     100,
                                     9999,
                                     10000,
                                     10001,
                                     -10001,
                                     12495000,
                                     INT64_MAX,
                                     INT64_MIN,
                                     INT64_MAX - 1,
                                     INT64_MIN + 1,
                                     INT64_C(1234567890123),
                                     INT64_C(-987654321098765)};
    long bad = 0;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char buf[INK_MONEY_TEXT_MAX];
        int64_t back = 0;
        int n = ink_format_money(values[i], buf, sizeof buf);
        if (n <= 0 || !ink_parse_money(buf, (size_t)n, &back) ||
            back != values[i])
            bad++;
    }
    CHECK_INT(bad, 0);
}

static void test_decimal(void)
{
    int64_t units = -1;
    int32_t scale = -1;
#define DEC(s) ink_parse_decimal(s, strlen(s), &units, &scale)
    CHECK(DEC("0") && units == 0 && scale == 0);
    CHECK(DEC("1") && units == 1 && scale == 0);
    CHECK(DEC("1.5") && units == 15 && scale == 1);
    CHECK(DEC("0.333333") && units == 333333 && scale == 6);
    CHECK(DEC("0.33333333333333") && units == INT64_C(33333333333333) &&
          scale == 14);
    CHECK(DEC("2.50") && units == 25 && scale == 1);
    CHECK(DEC("2.5000000") && units == 25 && scale == 1);
    CHECK(DEC("1.0") && units == 1 && scale == 0);
    CHECK(DEC("0.000") && units == 0 && scale == 0);
    CHECK(DEC("007") && units == 7 && scale == 0);
    CHECK(DEC("0012.50") && units == 125 && scale == 1);
    CHECK(DEC("0.05") && units == 5 && scale == 2);
    CHECK(DEC("12.75") && units == 1275 && scale == 2);
    /* 18 significant digits are the most; leading zeros and dropped
     * trailing zeros do not count. */
    CHECK(DEC("123456789012345678") && units == INT64_C(123456789012345678) &&
          scale == 0);
    CHECK(DEC("0.123456789012345678") && units == INT64_C(123456789012345678) &&
          scale == 18);
    CHECK(DEC("12345678901234567.8") && units == INT64_C(123456789012345678) &&
          scale == 1);
    CHECK(DEC("999999999999999999") && units == INT64_C(999999999999999999) &&
          scale == 0);
    CHECK(DEC("0.000000000000000001") && units == 1 && scale == 18);
    CHECK(DEC("0000000000000000000000000000001") && units == 1 && scale == 0);
    CHECK(DEC("1.50000000000000000000000000") && units == 15 && scale == 1);
    CHECK(DEC("0.000000000000000000") && units == 0 && scale == 0);
    /* The documented hard limit: at most 18 decimals after trailing zeros
     * are dropped, so that units / 10^scale fits int64. */
    CHECK(!DEC("0.0000000000000000001"));
    /* Exactly len bytes are read. */
    CHECK(ink_parse_decimal("1.25,EUR", 4, &units, &scale) && units == 125 &&
          scale == 2);
#undef DEC

    CHECK(decimal_rejected("1234567890123456789"));
    CHECK(decimal_rejected("1000000000000000000"));
    CHECK(decimal_rejected("0.1234567890123456789"));
    CHECK(decimal_rejected("12345678901234567.89"));
    /* 19 digits in the whole part: rejected before int64 could overflow
     * (UBSan would stop here otherwise). */
    CHECK(decimal_rejected("9999999999999999999"));
    CHECK(decimal_rejected("99999999999999999999"));
    CHECK(decimal_rejected("-1"));
    CHECK(decimal_rejected("-0"));
    CHECK(decimal_rejected("+1"));
    CHECK(decimal_rejected("1."));
    CHECK(decimal_rejected(".5"));
    CHECK(decimal_rejected("1e2"));
    CHECK(decimal_rejected("1,5"));
    CHECK(decimal_rejected("1.2.3"));
    CHECK(decimal_rejected(" 1"));
    CHECK(decimal_rejected("1 "));
    CHECK(decimal_rejected("."));
    CHECK(decimal_rejected(""));

    CHECK_STR(fmt_decimal(0, 0), "0");
    CHECK_STR(fmt_decimal(25, 1), "2.5");
    CHECK_STR(fmt_decimal(15, 1), "1.5");
    CHECK_STR(fmt_decimal(333333, 6), "0.333333");
    CHECK_STR(fmt_decimal(5, 2), "0.05");
    CHECK_STR(fmt_decimal(100, 2), "1");
    CHECK_STR(fmt_decimal(120, 2), "1.2");
    CHECK_STR(fmt_decimal(-15, 1), "-1.5");
    CHECK_STR(fmt_decimal(7, 0), "7");
    CHECK_STR(fmt_decimal(1, 18), "0.000000000000000001");
    CHECK_STR(fmt_decimal(INT64_C(123456789012345678), 18),
              "0.123456789012345678");
    CHECK_STR(fmt_decimal(INT64_C(123456789012345678), 0),
              "123456789012345678");
    CHECK_STR(fmt_decimal(INT64_MIN, 0), "-9223372036854775808");

    /* Text in canonical form survives parse -> format unchanged. */
    static const char *const texts[] = {"0",
                                        "1.5",
                                        "0.333333",
                                        "12.75",
                                        "0.05",
                                        "123456789012345678",
                                        "0.123456789012345678",
                                        "0.000000000000000001",
                                        "40"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        int64_t u = -1;
        int32_t sc = -1;
        CHECK(ink_parse_decimal(texts[i], strlen(texts[i]), &u, &sc));
        CHECK_STR(fmt_decimal(u, sc), texts[i]);
    }
}

int main(void)
{
    test_days_from_civil();
    test_calendar_walk();
    test_parse_date();
    test_months();
    test_timestamps();
    test_parse_money();
    test_format_money();
    test_decimal();
    return check_report("units");
}
