/* The alerts report as JSON (docs/alerts.md), for the CLI and the API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/json.h"
#include "inkasso/alerts.h"
#include "inkasso/units.h"

static void put_date(FILE *f, int32_t days)
{
    char buf[INK_DATE_TEXT_MAX];
    ink_format_date(days, buf, sizeof buf);
    fprintf(f, "\"%s\"", buf);
}

/* "observed", "expected" and "change": exact decimals for amounts. */
static void put_values(FILE *f, int is_amount, double observed, double expected,
                       int64_t observed_amount, int64_t expected_amount)
{
    fputs("\"observed\":", f);
    if (is_amount)
        ink__json_write_money(f, observed_amount);
    else
        ink__json_write_number(f, observed);
    fputs(",\"expected\":", f);
    if (is_amount)
        ink__json_write_money(f, expected_amount);
    else
        ink__json_write_number(f, expected);
    fputs(",\"change\":", f);
    if (is_amount)
        ink__json_write_money(f, observed_amount - expected_amount);
    else
        ink__json_write_number(f, observed - expected);
}

static void put_alert(FILE *f, const ink_alert *a)
{
    fputs("{\"series\":", f);
    ink__json_write_string(f, ink_alert_series_name(a->series));
    fputs(",\"currency\":", f);
    ink__json_write_string(f, a->currency);
    fputs(",\"channel\":", f);
    ink__json_write_string(f, a->channel);
    fputs(",\"since\":", f);
    put_date(f, a->since);
    fputs(",\"until\":", f);
    put_date(f, a->until);
    fprintf(f, ",\"days\":%u,\"direction\":\"%s\",", (unsigned)a->days,
            a->direction > 0 ? "up" : "down");
    put_values(f, a->is_amount, a->observed, a->expected, a->observed_amount,
               a->expected_amount);
    fputs(",\"change_pct\":", f);
    ink__json_write_number(f, a->change_pct);
    fputs(",\"score\":", f);
    ink__json_write_number(f, a->score);
    fputs(",\"drilldown\":[", f);
    for (size_t k = 0; k < a->dimension_count; k++) {
        const ink_alert_dimension *dim = &a->dimensions[k];
        fputs(k ? ",{\"dimension\":" : "{\"dimension\":", f);
        ink__json_write_string(f, dim->name);
        fputs(",\"drivers\":[", f);
        for (size_t v = 0; v < dim->driver_count; v++) {
            const ink_alert_driver *d = &dim->drivers[v];
            fputs(v ? ",{\"value\":" : "{\"value\":", f);
            ink__json_write_string(f, d->value);
            putc(',', f);
            put_values(f, a->is_amount, d->observed, d->expected,
                       d->observed_amount, d->expected_amount);
            fputs(",\"share\":", f);
            ink__json_write_number(f, d->share);
            putc('}', f);
        }
        fputs("]}", f);
    }
    fputs("]}", f);
}

ink_status ink_alerts_write_json(const ink_alerts_report *r, FILE *f)
{
    fputs("{\"as_of\":", f);
    put_date(f, ink_alerts_as_of(r));
    fputs(",\"from\":", f);
    put_date(f, ink_alerts_first_day(r));
    fputs(",\"report_from\":", f);
    put_date(f, ink_alerts_report_from(r));
    fprintf(f, ",\"lookback\":%u,\"days\":%u,\"threshold\":",
            (unsigned)ink_alerts_lookback(r), (unsigned)ink_alerts_days(r));
    ink__json_write_number(f, ink_alerts_threshold(r));
    fprintf(f, ",\"min_events\":%u,\"by\":[",
            (unsigned)ink_alerts_min_events(r));
    for (size_t k = 0; k < ink_alerts_dim_count(r); k++) {
        if (k)
            putc(',', f);
        ink__json_write_string(f, ink_alerts_dim_name(r, k));
    }
    fprintf(f, "],\"series_checked\":%zu,\"alerts\":[",
            ink_alerts_series_checked(r));
    for (size_t i = 0; i < ink_alerts_count(r); i++) {
        if (i)
            putc(',', f);
        put_alert(f, ink_alerts_get(r, i));
    }
    fputs("]}\n", f);
    return fflush(f) == 0 && !ferror(f) ? INK_OK : INK_IO;
}
