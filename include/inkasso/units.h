/* Dates, timestamps and exact money: parsing and formatting. */
#ifndef INKASSO_UNITS_H
#define INKASSO_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Days since 1970-01-01 of a proleptic Gregorian date; no range check. */
int32_t ink_days_from_civil(int32_t year, int32_t month, int32_t day);
/* The inverse of ink_days_from_civil. */
void ink_civil_from_days(int32_t days, int32_t *year, int32_t *month,
                         int32_t *day);
/* 0 = Monday ... 6 = Sunday. */
int ink_weekday(int32_t days);

/*
 * Parsers take exactly len bytes (no NUL needed) and return 1 when the
 * whole text has the contract's form, 0 otherwise (nothing is written).
 */

/* "YYYY-MM-DD", an existing date. */
int ink_parse_date(const char *s, size_t len, int32_t *days);
/* "YYYY-MM", month 01..12; *months = year * 12 + month - 1. */
int ink_parse_month(const char *s, size_t len, int32_t *months);
/* "YYYY-MM-DDTHH:MM:SS[.f+][Z|±HH:MM]"; the date and time as written,
 * *offset_min the UTC offset or INK_OFFSET_NONE (Z gives 0). */
int ink_parse_timestamp(const char *s, size_t len, int32_t *days,
                        int32_t *seconds, int16_t *offset_min);
/* -?[0-9]+(\.[0-9]{1,4})? in 1/10000 units; 0 on overflow too. */
int ink_parse_money(const char *s, size_t len, int64_t *units);
/* [0-9]+(\.[0-9]+)? with at most 18 significant digits and at most 18
 * decimals, counted after trailing zeros of the fraction are dropped
 * (a hard limit: units / 10^scale must fit in int64). */
int ink_parse_decimal(const char *s, size_t len, int64_t *units,
                      int32_t *scale);

#define INK_DATE_TEXT_MAX 16  /* "-32768-01-01" and NUL fit */
#define INK_MONEY_TEXT_MAX 32 /* "-922337203685477.5808" and NUL fit */

/* "YYYY-MM-DD"; returns the length written. */
int ink_format_date(int32_t days, char *buf, size_t cap);
/* "YYYY-MM". */
int ink_format_month(int32_t months, char *buf, size_t cap);
/* Shortest exact text: "1249.5", "-3", "0.0001". */
int ink_format_money(int64_t units, char *buf, size_t cap);
/* The same for a decimal with its own scale. */
int ink_format_decimal(int64_t units, int32_t scale, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
