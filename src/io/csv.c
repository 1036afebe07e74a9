/* A strict RFC 4180 record scanner over a byte range in memory. */
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/mem.h"
#include "io/csv.h"

void ink__csv_init(ink_csv_reader *r, const char *begin, const char *end,
                   int64_t line)
{
    r->pos = begin;
    r->end = end;
    r->line = line;
    r->scratch = NULL;
    r->scratch_cap = 0;
}

void ink__csv_cleanup(ink_csv_reader *r)
{
    free(r->scratch);
    r->scratch = NULL;
    r->scratch_cap = 0;
}

/* Moves past the current physical line after an error; counts it. */
static void skip_line(ink_csv_reader *r, const char *from)
{
    const char *nl = memchr(from, '\n', (size_t)(r->end - from));
    r->pos = nl ? nl + 1 : r->end;
    r->line++;
}

static ink_csv_result fail(ink_csv_reader *r, ink_csv_record *rec,
                           const char *at, const char *what)
{
    rec->error = what;
    rec->error_field = rec->count + 1;
    /* The raw text of a broken record runs to the end of the physical
     * line where the problem is. */
    const char *nl = memchr(at, '\n', (size_t)(r->end - at));
    const char *stop = nl ? nl : r->end;
    rec->raw_end = stop > rec->raw && stop[-1] == '\r' ? stop - 1 : stop;
    if (rec->raw_end < rec->raw)
        rec->raw_end = rec->raw;
    for (const char *p = rec->raw; p < at; p++)
        r->line += *p == '\n';
    skip_line(r, at);
    return INK_CSV_SYNTAX;
}

/* Byte classes of an unquoted field: 1 ends or breaks it. */
static const unsigned char special[256] = {
    ['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1};

#define ONES UINT64_C(0x0101010101010101)

/* Bytes of w equal to zero have their high bit set in the result; the
 * lowest flagged byte is always exact (Hacker's Delight, 6-1). */
static inline uint64_t zero_bytes(uint64_t w)
{
    return (w - ONES) & ~w & (ONES * 0x80);
}

/* The first byte at or after p that may end an unquoted field (',', CR,
 * LF or '"'), or end: eight bytes per step, since most fields are short
 * runs of plain text and a byte loop costs most of the scanning time. */
static const char *skip_plain(const char *p, const char *end)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        uint64_t m =
            zero_bytes(w ^ (ONES * ',')) | zero_bytes(w ^ (ONES * '\n')) |
            zero_bytes(w ^ (ONES * '\r')) | zero_bytes(w ^ (ONES * '"'));
        if (m)
            return p + (__builtin_ctzll(m) >> 3);
        p += 8;
    }
#endif
    while (p < end && !special[(unsigned char)*p])
        p++;
    return p;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 64 at p equals c. */
static inline uint64_t match64(const char *p, char c)
{
    const __m128i needle = _mm_set1_epi8(c);
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v =
            _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, needle))
             << (16 * k);
    }
    return m;
}

/*
 * The common record, one physical line without quotes: its separators
 * are found 64 bytes at a time as bit masks (the approach of simdjson's
 * and simdcsv's structural indexing), so that no branch depends on each
 * byte. Anything unusual (a quote, a lone CR, the last 64 bytes of the
 * input, a limit) returns 0 and the byte-wise parser takes the record.
 */
static int fast_record(ink_csv_reader *r, ink_csv_record *rec)
{
    const char *start = r->pos, *end = r->end, *block = start;
    const char *field = start;
    uint32_t n = 0;
    while (end - block >= 64) {
        uint64_t comma = match64(block, ',');
        uint64_t lf = match64(block, '\n');
        uint64_t odd = match64(block, '"') | match64(block, '\r');
        uint64_t stop = comma | lf | odd;
        while (stop) {
            int i = __builtin_ctzll(stop);
            uint64_t bit = (uint64_t)1 << i;
            const char *q = block + i;
            const char *next = q + 1;
            if (odd & bit) {
                if (*q != '\r' || q + 1 >= end || q[1] != '\n')
                    return 0;
                lf |= bit; /* CRLF: the CR ends the record */
                next = q + 2;
            }
            if (n == INK_CSV_MAX_FIELDS ||
                (size_t)(q - start) > INK_CSV_MAX_RECORD)
                return 0;
            rec->field[n] = field;
            rec->len[n] = (uint32_t)(q - field);
            n++;
            field = q + 1;
            if (lf & bit) {
                rec->count = n;
                rec->raw_end = q;
                r->pos = next;
                r->line++;
                return 1;
            }
            stop &= stop - 1;
        }
        block += 64;
        if (block - start > INK_CSV_MAX_RECORD)
            return 0;
    }
    return 0;
}
#else
static int fast_record(ink_csv_reader *r, ink_csv_record *rec)
{
    (void)r;
    (void)rec;
    return 0;
}
#endif

ink_csv_result ink__csv_next(ink_csv_reader *r, ink_csv_record *rec)
{
    const char *p = r->pos, *end = r->end;
    /* Skip wholly blank lines: "\n" or "\r\n". */
    for (;;) {
        if (p >= end) {
            r->pos = end;
            return INK_CSV_END;
        }
        if (*p == '\n') {
            p++;
            r->line++;
        } else if (*p == '\r' && p + 1 == end) {
            p++; /* a CR as the very last byte ends the last line */
        } else if (*p == '\r' && p + 1 < end && p[1] == '\n') {
            p += 2;
            r->line++;
        } else {
            break;
        }
    }
    rec->raw = p;
    rec->line = r->line;
    rec->count = 0;
    rec->error = NULL;
    rec->error_field = 0;
    r->pos = p;
    if (fast_record(r, rec))
        return INK_CSV_RECORD;
    rec->count = 0;
    int64_t inner_lines = 0;
    size_t scratch_len = 0;
    /* Scratch offsets of unescaped fields, resolved once scratch is final:
     * field[i] == NULL marks "offset in len_off[i]". */
    size_t scratch_off[INK_CSV_MAX_FIELDS];
    for (;;) {
        if (rec->count == INK_CSV_MAX_FIELDS) {
            rec->error = "too many fields";
            rec->error_field = rec->count;
            fail(r, rec, p, rec->error);
            return INK_CSV_TOO_MANY;
        }
        if ((size_t)(p - rec->raw) > INK_CSV_MAX_RECORD) {
            rec->error = "record too long";
            rec->error_field = rec->count + 1;
            fail(r, rec, p, rec->error);
            return INK_CSV_TOO_LONG;
        }
        uint32_t f = rec->count;
        if (p < end && *p == '"') {
            const char *q = p + 1, *start = q;
            int escaped = 0;
            for (;;) {
                const char *quote = memchr(q, '"', (size_t)(end - q));
                if (!quote) {
                    return fail(r, rec, p, "unterminated quoted field");
                }
                for (const char *k = q; k < quote; k++)
                    inner_lines += *k == '\n';
                if (quote + 1 < end && quote[1] == '"') {
                    escaped = 1;
                    q = quote + 2;
                    continue;
                }
                q = quote;
                break;
            }
            size_t raw_len = (size_t)(q - start);
            if (raw_len > INK_CSV_MAX_RECORD) {
                rec->error_field = f + 1;
                rec->error = "record too long";
                fail(r, rec, q, rec->error);
                return INK_CSV_TOO_LONG;
            }
            if (!escaped) {
                rec->field[f] = start;
                rec->len[f] = (uint32_t)raw_len;
            } else {
                void *s = r->scratch;
                if (!ink__reserve(&s, &r->scratch_cap, scratch_len + raw_len,
                                  1))
                    return INK_CSV_NOMEM;
                r->scratch = s;
                size_t n = 0;
                for (const char *k = start; k < q; k++) {
                    r->scratch[scratch_len + n++] = *k;
                    if (*k == '"')
                        k++; /* the second of a doubled quote */
                }
                rec->field[f] = NULL;
                scratch_off[f] = scratch_len;
                rec->len[f] = (uint32_t)n;
                scratch_len += n;
            }
            rec->count++;
            p = q + 1;
            if (p < end && *p != ',' && *p != '\n' &&
                !(*p == '\r' && p + 1 < end && p[1] == '\n') &&
                !(*p == '\r' && p + 1 == end)) {
                rec->count--;
                return fail(r, rec, p, "unexpected text after a closing quote");
            }
        } else {
            const char *start = p;
            for (;;) {
                p = skip_plain(p, end);
                /* A lone CR is data; only CRLF (or CR at the very end)
                 * ends a line. */
                if (p + 1 < end && *p == '\r' && p[1] != '\n') {
                    p++;
                    continue;
                }
                break;
            }
            if (p < end && *p == '"')
                return fail(r, rec, p, "unexpected quote in an unquoted field");
            rec->field[f] = start;
            rec->len[f] = (uint32_t)(p - start);
            rec->count++;
        }
        /* p is at ',', a line end, or the end of input. */
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if ((size_t)(p - rec->raw) > INK_CSV_MAX_RECORD) {
            rec->error = "record too long";
            rec->error_field = rec->count;
            fail(r, rec, p, rec->error);
            return INK_CSV_TOO_LONG;
        }
        rec->raw_end = p;
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        break;
    }
    for (uint32_t i = 0; i < rec->count; i++)
        if (!rec->field[i])
            rec->field[i] = r->scratch + scratch_off[i];
    r->pos = p;
    r->line += inner_lines + 1;
    return INK_CSV_RECORD;
}

size_t ink__csv_count_quotes(const char *begin, const char *end)
{
    size_t n = 0;
    const char *p = begin;
    while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

size_t ink__csv_count_lines(const char *begin, const char *end)
{
    size_t n = 0;
    const char *p = begin;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

const char *ink__csv_record_start(const char *from, const char *end,
                                  int in_quotes)
{
    for (const char *p = from; p < end; p++) {
        if (*p == '"')
            in_quotes = !in_quotes;
        else if (*p == '\n' && !in_quotes)
            return p + 1;
    }
    return end;
}
