/* libFuzzer target: the CSV scanner and every field parser on any bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "inkasso/portfolio.h"
#include "inkasso/units.h"
#include "io/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Checks the scanner's promises on every record; a broken one aborts so
 * the fuzzer keeps the input. */
static void check_record(const ink_csv_record *rec, const char *begin,
                         const char *end)
{
    if (rec->raw < begin || rec->raw_end > end || rec->raw_end < rec->raw)
        abort();
    if (rec->count == 0 || rec->count > INK_CSV_MAX_FIELDS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A private copy: the scanner must never read past its end. */
    char *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    ink_csv_record *rec = malloc(sizeof *rec);
    if (!rec) {
        free(buf);
        return 0;
    }
    ink_csv_reader r;
    ink__csv_init(&r, buf, buf + size, 1);
    int64_t last_line = 0;
    for (;;) {
        ink_csv_result res = ink__csv_next(&r, rec);
        if (res == INK_CSV_END || res == INK_CSV_NOMEM)
            break;
        if (rec->line <= last_line)
            abort(); /* lines only grow */
        last_line = rec->line;
        if (res != INK_CSV_RECORD)
            continue;
        check_record(rec, buf, buf + size);
        for (uint32_t i = 0; i < rec->count; i++) {
            const char *s = rec->field[i];
            size_t n = rec->len[i];
            int32_t days, secs, months, scale;
            int16_t off;
            int64_t units;
            if (ink_parse_date(s, n, &days)) {
                char out[INK_DATE_TEXT_MAX];
                int32_t again;
                ink_format_date(days, out, sizeof out);
                if (!ink_parse_date(out, strlen(out), &again) || again != days)
                    abort();
            }
            ink_parse_month(s, n, &months);
            ink_parse_timestamp(s, n, &days, &secs, &off);
            if (ink_parse_money(s, n, &units)) {
                char out[INK_MONEY_TEXT_MAX];
                int64_t again;
                ink_format_money(units, out, sizeof out);
                if (!ink_parse_money(out, strlen(out), &again) ||
                    again != units)
                    abort();
            }
            ink_parse_decimal(s, n, &units, &scale);
        }
    }
    ink__csv_cleanup(&r);
    free(rec);
    free(buf);
    return 0;
}
