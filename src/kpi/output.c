/* The KPI report as JSON (the spec's shape) and as CSV (for spreadsheets). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_write.h"
#include "core/json.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "kpi/kpi_impl.h"

static void put_kpis(FILE *f, const ink_kpi_report *r, const ink_kpi_values *v)
{
    fprintf(f, "{\"cases\":%llu,\"open_cases\":%llu,\"resolved_cases\":%llu",
            (unsigned long long)v->cases, (unsigned long long)v->open_cases,
            (unsigned long long)v->resolved_cases);
    fputs(",\"placed_amount\":", f);
    if (v->amounts_null)
        fputs("null", f);
    else
        ink__json_write_money(f, v->placed_amount);
    fputs(",\"collected_amount\":", f);
    if (v->amounts_null)
        fputs("null", f);
    else
        ink__json_write_money(f, v->collected_amount);
    fputs(",\"recovery_rate\":", f);
    ink__json_write_number(f, v->recovery_rate);
    for (size_t w = 0; w < r->window_count; w++) {
        fprintf(f, ",\"realization_rate_%dd\":", (int)r->windows[w]);
        ink__json_write_number(f, v->realization_rate[w]);
        fprintf(f, ",\"eligible_cases_%dd\":%llu", (int)r->windows[w],
                (unsigned long long)v->eligible_cases[w]);
    }
    static const struct {
        const char *key;
        size_t offset;
    } doubles[] = {
        {"avg_days_to_resolution",
         offsetof(ink_kpi_values, avg_days_to_resolution)},
        {"median_days_to_resolution",
         offsetof(ink_kpi_values, median_days_to_resolution)},
        {"avg_days_to_first_payment",
         offsetof(ink_kpi_values, avg_days_to_first_payment)},
        {"avg_days_first_contact_to_payment",
         offsetof(ink_kpi_values, avg_days_first_contact_to_payment)},
        {"first_contact_resolution_rate",
         offsetof(ink_kpi_values, first_contact_resolution_rate)},
        {"reachability_rate", offsetof(ink_kpi_values, reachability_rate)},
        {"valid_contact_rate", offsetof(ink_kpi_values, valid_contact_rate)},
        {"attempts_per_reached_debtor",
         offsetof(ink_kpi_values, attempts_per_reached_debtor)},
        {"automation_rate", offsetof(ink_kpi_values, automation_rate)},
    };
    for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++) {
        fprintf(f, ",\"%s\":", doubles[k].key);
        ink__json_write_number(
            f, *(const double *)(const void *)((const char *)v +
                                               doubles[k].offset));
    }
    fputs(",\"response_rate\":{", f);
    for (size_t c = 0; c < v->channel_count; c++) {
        if (c)
            putc(',', f);
        ink__json_write_string(f, v->channels[c]);
        putc(':', f);
        ink__json_write_number(f, v->response_rate[c]);
    }
    fputs("}}", f);
}

/* {"as_of":"...","by":[...] : the opening both report shapes share. */
static void put_head(FILE *f, const ink_kpi_report *r)
{
    char date[INK_DATE_TEXT_MAX];
    ink_format_date(r->as_of, date, sizeof date);
    fprintf(f, "{\"as_of\":\"%s\",\"by\":[", date);
    for (size_t d = 0; d < r->dim_count; d++) {
        if (d)
            putc(',', f);
        ink__json_write_string(f, r->dim_names[d]);
    }
    putc(']', f);
}

/* {"key":{dim: value, ...}, opening group g's object. */
static void put_key(FILE *f, const ink_kpi_report *r, size_t g)
{
    fputs(g ? ",\n{\"key\":{" : "\n{\"key\":{", f);
    for (size_t d = 0; d < r->dim_count; d++) {
        if (d)
            putc(',', f);
        ink__json_write_string(f, r->dim_names[d]);
        putc(':', f);
        ink__json_write_string(f, r->groups[g].keys[d]);
    }
    putc('}', f);
}

ink_status ink_kpi_write_json(const ink_kpi_report *r, FILE *f)
{
    put_head(f, r);
    fputs(",\"windows\":[", f);
    for (size_t w = 0; w < r->window_count; w++)
        fprintf(f, "%s%d", w ? "," : "", (int)r->windows[w]);
    fputs("],\"groups\":[", f);
    for (size_t g = 0; g < r->group_count; g++) {
        put_key(f, r, g);
        fputs(",\"kpis\":", f);
        put_kpis(f, r, &r->groups[g].values);
        putc('}', f);
    }
    fputs("],\n\"total\":{\"kpis\":", f);
    put_kpis(f, r, &r->total.values);
    putc('}', f);
    if (r->has_operations) {
        fputs(",\n\"operations\":[", f);
        for (size_t i = 0; i < r->operation_count; i++) {
            const ink_kpi_operation *op = &r->operations[i];
            char period[INK_DATE_TEXT_MAX] = "total";
            if (op->period >= 0)
                ink_format_month(op->period, period, sizeof period);
            fprintf(f, "%s{\"period\":\"%s\",\"segment\":", i ? ",\n" : "\n",
                    period);
            ink__json_write_string(f, ink_segment_name(op->segment));
            fprintf(f, ",\"active_cases\":%llu,\"resolved_in_period\":%llu",
                    (unsigned long long)op->active_cases,
                    (unsigned long long)op->resolved_in_period);
            fprintf(f, ",\"fte\":%s,\"cost\":", op->fte);
            ink__json_write_money(f, op->cost);
            fputs(",\"cost_per_case\":", f);
            ink__json_write_number(f, op->cost_per_case);
            fputs(",\"cases_per_fte\":", f);
            ink__json_write_number(f, op->cases_per_fte);
            fputs(",\"resolved_per_fte\":", f);
            ink__json_write_number(f, op->resolved_per_fte);
            fputs(",\"automation_rate\":", f);
            ink__json_write_number(f, op->automation_rate);
            putc('}', f);
        }
        fputs("]", f);
    }
    fputs("}\n", f);
    return fflush(f) == 0 && !ferror(f) ? INK_OK : INK_IO;
}

/* ------------------------------------------------------------------ */
/* CSV                                                                 */

static void csv_number(FILE *f, double v)
{
    putc(',', f);
    if (!isnan(v) && !isinf(v))
        ink__json_write_number(f, v);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Every channel with a response rate in any group, in byte order. */
static const char **all_channels(const ink_kpi_report *r, size_t *count)
{
    size_t n = r->total.values.channel_count;
    const char **names = ink__alloc_array(n ? n : 1, sizeof *names);
    if (!names)
        return NULL;
    for (size_t c = 0; c < n; c++)
        names[c] = r->total.values.channels[c];
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names;
}

static void csv_row(FILE *f, const ink_kpi_report *r, const char *row,
                    const char *const *keys, const ink_kpi_values *v,
                    const char **channels, size_t nch)
{
    fputs(row, f);
    for (size_t d = 0; d < r->dim_count; d++) {
        putc(',', f);
        ink__csv_write_field(f, keys ? keys[d] : NULL);
    }
    fprintf(f, ",%llu,%llu,%llu", (unsigned long long)v->cases,
            (unsigned long long)v->open_cases,
            (unsigned long long)v->resolved_cases);
    putc(',', f);
    ink__csv_write_field(f, v->currency);
    putc(',', f);
    if (!v->amounts_null)
        ink__json_write_money(f, v->placed_amount);
    putc(',', f);
    if (!v->amounts_null)
        ink__json_write_money(f, v->collected_amount);
    csv_number(f, v->recovery_rate);
    for (size_t w = 0; w < r->window_count; w++) {
        csv_number(f, v->realization_rate[w]);
        fprintf(f, ",%llu", (unsigned long long)v->eligible_cases[w]);
    }
    csv_number(f, v->avg_days_to_resolution);
    csv_number(f, v->median_days_to_resolution);
    csv_number(f, v->avg_days_to_first_payment);
    csv_number(f, v->avg_days_first_contact_to_payment);
    csv_number(f, v->first_contact_resolution_rate);
    csv_number(f, v->reachability_rate);
    csv_number(f, v->valid_contact_rate);
    csv_number(f, v->attempts_per_reached_debtor);
    csv_number(f, v->automation_rate);
    /* Channels the group never used stay empty, like a null rate. */
    for (size_t c = 0, k = 0; c < nch; c++) {
        while (k < v->channel_count && strcmp(v->channels[k], channels[c]) < 0)
            k++;
        if (k < v->channel_count && strcmp(v->channels[k], channels[c]) == 0)
            csv_number(f, v->response_rate[k]);
        else
            putc(',', f);
    }
    putc('\n', f);
}

ink_status ink_kpi_write_csv(const ink_kpi_report *r, FILE *f)
{
    size_t nch = 0;
    const char **channels = all_channels(r, &nch);
    if (!channels)
        return INK_NOMEM;
    fputs("row", f);
    for (size_t d = 0; d < r->dim_count; d++) {
        putc(',', f);
        ink__csv_write_field(f, r->dim_names[d]);
    }
    fputs(",cases,open_cases,resolved_cases,currency,placed_amount,"
          "collected_amount,recovery_rate",
          f);
    for (size_t w = 0; w < r->window_count; w++)
        fprintf(f, ",realization_rate_%dd,eligible_cases_%dd",
                (int)r->windows[w], (int)r->windows[w]);
    fputs(",avg_days_to_resolution,median_days_to_resolution,"
          "avg_days_to_first_payment,avg_days_first_contact_to_payment,"
          "first_contact_resolution_rate,reachability_rate,"
          "valid_contact_rate,attempts_per_reached_debtor,automation_rate",
          f);
    for (size_t c = 0; c < nch; c++) {
        fputs(",", f);
        char name[256];
        snprintf(name, sizeof name, "response_rate_%s", channels[c]);
        ink__csv_write_field(f, name);
    }
    putc('\n', f);
    for (size_t g = 0; g < r->group_count; g++)
        csv_row(f, r, "group", r->groups[g].keys, &r->groups[g].values,
                channels, nch);
    csv_row(f, r, "total", NULL, &r->total.values, channels, nch);
    free(channels);
    return fflush(f) == 0 && !ferror(f) ? INK_OK : INK_IO;
}

/* ------------------------------------------------------------------ */
/* Vintage curves                                                      */

static void put_points(FILE *f, const ink_kpi_report *r,
                       const ink_kpi_values *v)
{
    putc('[', f);
    for (size_t w = 0; w < r->window_count && v->eligible_cases[w]; w++) {
        fprintf(f,
                "%s{\"day\":%d,\"eligible_cases\":%llu,"
                "\"realization_rate\":",
                w ? "," : "", (int)r->windows[w],
                (unsigned long long)v->eligible_cases[w]);
        ink__json_write_number(f, v->realization_rate[w]);
        putc('}', f);
    }
    putc(']', f);
}

ink_status ink_kpi_write_curves_json(const ink_kpi_report *r, int32_t step,
                                     int32_t max, FILE *f)
{
    put_head(f, r);
    fprintf(f, ",\"step\":%d,\"max\":%d,\"curves\":[", (int)step, (int)max);
    for (size_t g = 0; g < r->group_count; g++) {
        put_key(f, r, g);
        fputs(",\"points\":", f);
        put_points(f, r, &r->groups[g].values);
        putc('}', f);
    }
    fputs("],\n\"total\":{\"points\":", f);
    put_points(f, r, &r->total.values);
    fputs("}}\n", f);
    return fflush(f) == 0 && !ferror(f) ? INK_OK : INK_IO;
}

static void curve_rows(FILE *f, const ink_kpi_report *r, const char *row,
                       const char *const *keys, const ink_kpi_values *v)
{
    for (size_t w = 0; w < r->window_count && v->eligible_cases[w]; w++) {
        fputs(row, f);
        for (size_t d = 0; d < r->dim_count; d++) {
            putc(',', f);
            ink__csv_write_field(f, keys ? keys[d] : NULL);
        }
        fprintf(f, ",%d,%llu", (int)r->windows[w],
                (unsigned long long)v->eligible_cases[w]);
        csv_number(f, v->realization_rate[w]);
        putc('\n', f);
    }
}

ink_status ink_kpi_write_curves_csv(const ink_kpi_report *r, FILE *f)
{
    fputs("row", f);
    for (size_t d = 0; d < r->dim_count; d++) {
        putc(',', f);
        ink__csv_write_field(f, r->dim_names[d]);
    }
    fputs(",day,eligible_cases,realization_rate\n", f);
    for (size_t g = 0; g < r->group_count; g++)
        curve_rows(f, r, "group", r->groups[g].keys, &r->groups[g].values);
    curve_rows(f, r, "total", NULL, &r->total.values);
    return fflush(f) == 0 && !ferror(f) ? INK_OK : INK_IO;
}
