/* Unit tests for the RFC 4180 record scanner (src/io/csv.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "io/csv.h"

/* A record holds 1024 field slots: too big to want on the stack twice. */
static ink_csv_record rec;

/* Field i of rec as a NUL-terminated string (a few rotating buffers). */
static const char *fld(uint32_t i)
{
    static char bufs[4][256];
    static int next;
    char *b = bufs[next++ % 4];
    if (i >= rec.count || !rec.field[i] || rec.len[i] >= sizeof bufs[0])
        return "(no such field)";
    memcpy(b, rec.field[i], rec.len[i]);
    b[rec.len[i]] = '\0';
    return b;
}

/* The raw span of rec as a string. */
static const char *raw(void)
{
    static char b[256];
    if (!rec.raw || !rec.raw_end || rec.raw_end < rec.raw ||
        (size_t)(rec.raw_end - rec.raw) >= sizeof b)
        return "(bad raw span)";
    memcpy(b, rec.raw, (size_t)(rec.raw_end - rec.raw));
    b[rec.raw_end - rec.raw] = '\0';
    return b;
}

static void start(ink_csv_reader *r, const char *text)
{
    ink__csv_init(r, text, text + strlen(text), 1);
}

static void test_simple(void)
{
    ink_csv_reader r;
    const char *text = "a,b,c\n1,2,3\n";
    start(&r, text);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 1);
    CHECK_INT(rec.count, 3);
    CHECK_STR(fld(0), "a");
    CHECK_STR(fld(1), "b");
    CHECK_STR(fld(2), "c");
    CHECK(rec.raw == text);
    CHECK_STR(raw(), "a,b,c");
    CHECK(rec.error == NULL);
    /* Unquoted fields point into the input. */
    CHECK(rec.field[1] == text + 2);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_INT(rec.count, 3);
    CHECK_STR(fld(0), "1");
    CHECK_STR(fld(2), "3");
    CHECK(rec.raw == text + 6);
    CHECK_STR(raw(), "1,2,3");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END); /* stays at the end */
    ink__csv_cleanup(&r);

    /* A reader may start at any physical line number. */
    start(&r, "x\ny\n");
    r.line = 41;
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 41);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 42);
    ink__csv_cleanup(&r);

    /* Empty input has no records. */
    start(&r, "");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
    ink__csv_cleanup(&r); /* twice is harmless */
}

static void test_line_ends(void)
{
    ink_csv_reader r;
    /* No line end after the last record. */
    start(&r, "a,b\n1,2");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(1), "2");
    CHECK_STR(raw(), "1,2");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* CRLF: the CR belongs to the line end, not to the field or raw. */
    start(&r, "a,b\r\n1,2\r\n\"q\"\r\nlast");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 1);
    CHECK_STR(fld(1), "b");
    CHECK_INT(rec.len[1], 1);
    CHECK_STR(raw(), "a,b");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_STR(fld(1), "2");
    CHECK_STR(raw(), "1,2");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 3);
    CHECK_STR(fld(0), "q");
    CHECK_STR(raw(), "\"q\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 4);
    CHECK_STR(fld(0), "last");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* LF and CRLF mixed in one file. */
    start(&r, "a\r\nb\nc\r\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "a");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "b");
    CHECK_INT(rec.line, 2);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "c");
    CHECK_INT(rec.line, 3);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A lone CR inside an unquoted field is data. */
    start(&r, "a\rb,c\n\rx,y\r\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(0), "a\rb");
    CHECK_INT(rec.len[0], 3);
    CHECK_STR(fld(1), "c");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(0), "\rx");
    CHECK_STR(fld(1), "y");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
}

static void test_blank_lines(void)
{
    ink_csv_reader r;
    /* Blank lines are skipped but still counted. */
    start(&r, "\n\na\n\nb\r\n\r\n\nc\n\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "a");
    CHECK_INT(rec.line, 3);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "b");
    CHECK_INT(rec.line, 5);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "c");
    CHECK_INT(rec.line, 8);
    CHECK_INT(rec.count, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A CR as the very last byte ends the last line, even after a
     * line end: no extra empty record. */
    start(&r, "a\n\r");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_STR(fld(0), "a");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* Only blank lines. */
    start(&r, "\n\r\n\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A line of spaces is not blank: it is one field. */
    start(&r, "  \n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 1);
    CHECK_STR(fld(0), "  ");
    ink__csv_cleanup(&r);
}

static void test_quoting(void)
{
    ink_csv_reader r;
    /* Quoted separators. */
    const char *text = "\"a,b\",c,\"d\"\n";
    start(&r, text);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 3);
    CHECK_STR(fld(0), "a,b");
    CHECK_INT(rec.len[0], 3);
    CHECK_STR(fld(1), "c");
    CHECK_STR(fld(2), "d");
    CHECK_STR(raw(), "\"a,b\",c,\"d\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* Doubled quotes are unescaped. */
    start(&r, "\"say \"\"hi\"\"\",x,\"\"\"\"\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 3);
    CHECK_STR(fld(0), "say \"hi\"");
    CHECK_INT(rec.len[0], 8);
    CHECK_STR(fld(1), "x");
    CHECK_STR(fld(2), "\"");
    CHECK_INT(rec.len[2], 1);
    CHECK_STR(raw(), "\"say \"\"hi\"\"\",x,\"\"\"\"");
    ink__csv_cleanup(&r);

    /* Empty quoted and unquoted fields. */
    start(&r, "\"\"\n\"\",\"\"\na,,b\na,\"\",b\na,b,\n,\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 1);
    CHECK_INT(rec.len[0], 0);
    CHECK_INT(rec.line, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 2);
    CHECK_INT(rec.len[0], 0);
    CHECK_INT(rec.len[1], 0);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 3);
    CHECK_STR(fld(0), "a");
    CHECK_INT(rec.len[1], 0);
    CHECK_STR(fld(2), "b");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 3);
    CHECK_INT(rec.len[1], 0);
    CHECK_STR(fld(2), "b");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 3); /* a trailing comma: an empty last field */
    CHECK_INT(rec.len[2], 0);
    CHECK_INT(rec.line, 5);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 2);
    CHECK_INT(rec.len[0], 0);
    CHECK_INT(rec.len[1], 0);
    CHECK_INT(rec.line, 6);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A trailing comma on a last line without line end. */
    start(&r, "a,");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 2);
    CHECK_INT(rec.len[1], 0);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A quoted field last in the input. */
    start(&r, "x,\"y\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(1), "y");
    CHECK_STR(raw(), "x,\"y\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
}

static void test_multiline(void)
{
    ink_csv_reader r;
    const char *text =
        "h\n\"a\nb\",c\nnext\n\"x\r\ny\r\nz\",\"\"\"\n\"\r\nend\n";
    start(&r, text);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(0), "a\nb");
    CHECK_STR(fld(1), "c");
    CHECK_STR(raw(), "\"a\nb\",c");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 4); /* the record above took lines 2 and 3 */
    CHECK_STR(fld(0), "next");
    /* CR LF inside quotes is data; escaped quotes next to a line break. */
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 5);
    CHECK_INT(rec.count, 2);
    CHECK_STR(fld(0), "x\r\ny\r\nz");
    CHECK_INT(rec.len[0], 7);
    CHECK_STR(fld(1), "\"\n");
    CHECK_STR(raw(), "\"x\r\ny\r\nz\",\"\"\"\n\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 9); /* lines 5 to 8 were one record */
    CHECK_STR(fld(0), "end");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
}

/* Several escaped fields in one record, the later ones long enough to
 * make the scratch buffer move after the earlier ones were written. */
static void test_scratch_growth(void)
{
    enum { LONG = 5000 };
    size_t cap = 4 * LONG + 64;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    size_t n = 0;
    n += (size_t)snprintf(text + n, cap - n, "\"a\"\"b\",plain,\"");
    for (int i = 0; i < LONG; i++) {
        text[n++] = 'x';
        if (i % 100 == 0) {
            text[n++] = '"';
            text[n++] = '"';
        }
    }
    n += (size_t)snprintf(text + n, cap - n, "\",\"c\"\"\"\nz\n");
    ink_csv_reader r;
    ink__csv_init(&r, text, text + n, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 4);
    CHECK_STR(fld(0), "a\"b");
    CHECK_STR(fld(1), "plain");
    CHECK_INT(rec.len[2], LONG + LONG / 100);
    int bad = 0;
    for (uint32_t i = 0, k = 0; i < LONG && k < rec.len[2]; i++) {
        bad += rec.field[2][k++] != 'x';
        if (i % 100 == 0)
            bad += k < rec.len[2] && rec.field[2][k++] != '"';
    }
    CHECK_INT(bad, 0);
    CHECK_STR(fld(3), "c\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_STR(fld(0), "z");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
    free(text);
}

static void test_errors(void)
{
    ink_csv_reader r;
    /* An unterminated quote: the rest of its line is skipped. */
    start(&r, "a,\"bc\nd,e\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 1);
    CHECK(rec.error != NULL);
    CHECK_INT(rec.error_field, 2);
    CHECK_STR(raw(), "a,\"bc");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 2);
    CHECK_STR(fld(0), "d");
    CHECK_STR(fld(1), "e");
    CHECK(rec.error == NULL);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* A quote inside an unquoted field. */
    start(&r, "ok\nab\"c,d\r\nx\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 2);
    CHECK(rec.error != NULL);
    CHECK_INT(rec.error_field, 1);
    CHECK_STR(raw(), "ab\"c,d");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 3);
    CHECK_STR(fld(0), "x");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* Text after a closing quote, in the third field. */
    start(&r, "1,2,\"ab\"c\n\n3\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 1);
    CHECK_INT(rec.error_field, 3);
    CHECK_STR(raw(), "1,2,\"ab\"c");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 3); /* after the blank line 2 */
    CHECK_STR(fld(0), "3");
    ink__csv_cleanup(&r);

    /* A space after a closing quote is text too. */
    start(&r, "\"a\" ,b\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.error_field, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* An error after a multi-line quoted field: line numbers stay right. */
    start(&r, "h\n\"a\nb\"c,d\nnext\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 2);
    CHECK_STR(raw(), "\"a\nb\"c,d");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 4);
    CHECK_STR(fld(0), "next");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* An error on the last line without line end, then the end. */
    start(&r, "a\nb\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 2);
    CHECK_STR(raw(), "b\"");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* An unterminated quote at the very end of the input. */
    start(&r, "\"abc");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);

    /* Several errors in a row, each resuming on the next line. */
    start(&r, "x\"\n\"y\"z\n\r\n\"\"\"\nok\n");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX);
    CHECK_INT(rec.line, 2);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_SYNTAX); /* """ unclosed */
    CHECK_INT(rec.line, 4);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 5);
    CHECK_STR(fld(0), "ok");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
}

static void test_limits(void)
{
    /* INK_CSV_MAX_FIELDS fields are fine; one more is too many. */
    size_t cap = 2 * (INK_CSV_MAX_FIELDS + 1) * 2 + 64;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    size_t n = 0;
    for (int i = 0; i < INK_CSV_MAX_FIELDS; i++) {
        text[n++] = 'f';
        text[n++] = i + 1 < INK_CSV_MAX_FIELDS ? ',' : '\n';
    }
    for (int i = 0; i < INK_CSV_MAX_FIELDS + 1; i++) {
        text[n++] = 'g';
        text[n++] = i < INK_CSV_MAX_FIELDS ? ',' : '\n';
    }
    memcpy(text + n, "ok\n", 3);
    n += 3;
    ink_csv_reader r;
    ink__csv_init(&r, text, text + n, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, INK_CSV_MAX_FIELDS);
    CHECK_STR(fld(INK_CSV_MAX_FIELDS - 1), "f");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_TOO_MANY);
    CHECK_INT(rec.line, 2);
    CHECK(rec.error != NULL);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 3);
    CHECK_STR(fld(0), "ok");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
    free(text);

    /* A record of INK_CSV_MAX_RECORD bytes is fine; one byte more is not,
     * whether the bytes are unquoted or inside quotes. */
    size_t max = INK_CSV_MAX_RECORD;
    cap = 3 * max + 64;
    text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    n = 0;
    memset(text + n, 'a', max);
    n += max;
    text[n++] = '\n';
    memset(text + n, 'b', max + 1);
    n += max + 1;
    text[n++] = '\n';
    text[n++] = '"';
    memset(text + n, 'c', max + 1);
    n += max + 1;
    memcpy(text + n, "\"\nok", 4);
    n += 4;
    ink__csv_init(&r, text, text + n, 1);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.count, 1);
    CHECK_INT(rec.len[0], max);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_TOO_LONG);
    CHECK_INT(rec.line, 2);
    CHECK(rec.error != NULL);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_TOO_LONG);
    CHECK_INT(rec.line, 3);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_RECORD);
    CHECK_INT(rec.line, 4);
    CHECK_STR(fld(0), "ok");
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
    free(text);
}

static void test_counts(void)
{
    const char *t = "a,\"b\"\"c\"\n\n\"x\ny\"\r\n";
    const char *e = t + strlen(t);
    CHECK_INT(ink__csv_count_quotes(t, e), 6);
    CHECK_INT(ink__csv_count_lines(t, e), 4);
    CHECK_INT(ink__csv_count_quotes(t, t), 0);
    CHECK_INT(ink__csv_count_lines(t, t), 0);
    CHECK_INT(ink__csv_count_quotes(t, t + 3), 1);
    CHECK_INT(ink__csv_count_lines(t, t + 9), 1);
    const char *plain = "abc", *quotes = "\"\"\"";
    CHECK_INT(ink__csv_count_lines(plain, plain + 3), 0);
    CHECK_INT(ink__csv_count_quotes(plain, plain + 3), 0);
    CHECK_INT(ink__csv_count_quotes(quotes, quotes + 3), 3);
}

static void test_record_start(void)
{
    /* Records: h (line 1), "a<LF>b",c (2-3), "x""<LF>",d (4-5), a blank
     * line 6, e (7). */
    const char *t = "h\n\"a\nb\",c\n\"x\"\"\n\",d\n\ne\n";
    const char *e = t + strlen(t);
    const char *rec2 = t + 2;              /* "a... */
    const char *rec3 = strchr(t, 'c') + 2; /* "x... */
    const char *rec4 = strchr(t, 'd') + 2; /* the blank line */
    const char *rec5 = e - 2;              /* e */
    CHECK(*rec3 == '"' && rec3[1] == 'x');
    CHECK(*rec4 == '\n');
    CHECK(*rec5 == 'e');

    /* A record start is the byte after a line end outside quotes, found
     * at or after `from`; `from` itself never counts (it cannot see the
     * byte before it), so from == rec2 gives rec3. */
    CHECK(ink__csv_record_start(t, e, 0) == rec2);
    /* The newline inside "a<LF>b" is not a record start. */
    CHECK(ink__csv_record_start(rec2, e, 0) == rec3);
    CHECK(ink__csv_record_start(rec2 + 1, e, 1) == rec3);
    CHECK(ink__csv_record_start(rec2 + 2, e, 1) == rec3);
    /* Inside "x""<LF>" the doubled quote keeps us inside. */
    CHECK(ink__csv_record_start(rec3 + 1, e, 1) == rec4);
    CHECK(ink__csv_record_start(rec3 + 3, e, 0) == rec4);
    CHECK(ink__csv_record_start(rec4, e, 0) == rec5);
    CHECK(ink__csv_record_start(rec5, e, 0) == e);
    CHECK(ink__csv_record_start(e, e, 0) == e);
    CHECK(ink__csv_record_start(rec2, rec2 + 3, 0) == rec2 + 3);

    /* Every cut point, as the loader uses it: quote parity from the
     * start, a record start after the cut, then a reader from there
     * sees the same records with the same line numbers as a reader from
     * the beginning. Record starts are positions just after a newline
     * that lies outside every record's raw span. */
    size_t len = (size_t)(e - t);
    int64_t lines_of[64];
    const char *raws[64];
    int records = 0;
    int is_start[64] = {0};
    ink_csv_reader r;
    ink__csv_init(&r, t, e, 1);
    while (records < 64 && ink__csv_next(&r, &rec) == INK_CSV_RECORD) {
        raws[records] = rec.raw;
        lines_of[records] = rec.line;
        records++;
    }
    ink__csv_cleanup(&r);
    CHECK_INT(records, 4);
    CHECK_INT(lines_of[0], 1);
    CHECK_INT(lines_of[1], 2);
    CHECK_INT(lines_of[2], 4);
    CHECK_INT(lines_of[3], 7); /* after the blank line 6 */
    for (size_t i = 0; i < len; i++) {
        if (t[i] != '\n')
            continue;
        int inside = 0;
        ink__csv_init(&r, t, e, 1);
        while (ink__csv_next(&r, &rec) == INK_CSV_RECORD)
            inside |= t + i >= rec.raw && t + i < rec.raw_end;
        ink__csv_cleanup(&r);
        is_start[i + 1] = !inside;
    }
    int bad = 0;
    for (size_t cut = 0; cut <= len; cut++) {
        int parity = (int)(ink__csv_count_quotes(t, t + cut) & 1);
        const char *s = ink__csv_record_start(t + cut, e, parity);
        size_t want = len;
        for (size_t k = cut + 1; k < len; k++) {
            if (is_start[k]) {
                want = k;
                break;
            }
        }
        if (s != t + want) {
            bad++;
            fprintf(stderr, "record_start from %zu: got %td, want %zu\n", cut,
                    s - t, want);
            continue;
        }
        /* Read from s and compare with the suffix of the full read. */
        int64_t line = 1 + (int64_t)ink__csv_count_lines(t, s);
        ink__csv_init(&r, s, e, line);
        int k = 0;
        while (k < records && raws[k] < s)
            k++;
        while (ink__csv_next(&r, &rec) == INK_CSV_RECORD) {
            if (k >= records || rec.raw != raws[k] || rec.line != lines_of[k])
                bad++;
            k++;
        }
        if (k != records)
            bad++;
        ink__csv_cleanup(&r);
    }
    CHECK_INT(bad, 0);
}

/*
 * Random round trip: records of random fields (plain, or quoted holding
 * separators, quotes, CR and LF), with LF or CRLF line ends, written by
 * the rules of RFC 4180 and read back. Long inputs send most records
 * through the 64-byte fast path and the quoted ones through the byte-wise
 * parser; both must give the fields and lines that were written.
 */
static uint64_t rng_state = 88172645463325252u;
static uint32_t rnd(uint32_t n)
{
    /* xorshift64 (Marsaglia 2003): deterministic test data. */
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

static void test_random_round_trip(void)
{
    enum { RECORDS = 4000, MAXF = 12, MAXLEN = 40 };
    static char want[RECORDS][MAXF][MAXLEN + 1];
    static uint32_t want_count[RECORDS];
    static int64_t want_line[RECORDS];
    size_t cap = (size_t)RECORDS * MAXF * (2 * MAXLEN + 4) + 16, n = 0;
    char *text = malloc(cap);
    CHECK(text != NULL);
    if (!text)
        return;
    static const char plain[] = "abcxyz0129 .-_";
    static const char any[] = "ab,\"\r\n ";
    int64_t line = 1;
    for (int i = 0; i < RECORDS; i++) {
        uint32_t count = 1 + rnd(MAXF);
        want_count[i] = count;
        want_line[i] = line;
        for (uint32_t f = 0; f < count; f++) {
            uint32_t len = rnd(MAXLEN + 1);
            int quoted = rnd(10) == 0;
            for (uint32_t k = 0; k < len; k++)
                want[i][f][k] = quoted ? any[rnd(sizeof any - 1)]
                                       : plain[rnd(sizeof plain - 1)];
            want[i][f][len] = '\0';
            if (len == 0 && count == 1)
                quoted = 1; /* an empty line would be blank, not a record */
            if (f)
                text[n++] = ',';
            if (quoted)
                text[n++] = '"';
            for (uint32_t k = 0; k < len; k++) {
                char c = want[i][f][k];
                if (c == '"')
                    text[n++] = '"';
                if (c == '\n')
                    line++;
                text[n++] = c;
            }
            if (quoted)
                text[n++] = '"';
        }
        if (rnd(3) == 0)
            text[n++] = '\r';
        text[n++] = '\n';
        line++;
    }
    ink_csv_reader r;
    ink__csv_init(&r, text, text + n, 1);
    int same = 1;
    for (int i = 0; i < RECORDS && same; i++) {
        if (ink__csv_next(&r, &rec) != INK_CSV_RECORD) {
            same = 0;
            break;
        }
        same = rec.count == want_count[i] && rec.line == want_line[i];
        for (uint32_t f = 0; same && f < rec.count; f++)
            same = rec.len[f] == strlen(want[i][f]) &&
                   memcmp(rec.field[f], want[i][f], rec.len[f]) == 0;
        if (!same)
            fprintf(stderr, "random record %d differs (line %lld)\n", i,
                    (long long)want_line[i]);
    }
    CHECK(same);
    CHECK_INT(ink__csv_next(&r, &rec), INK_CSV_END);
    ink__csv_cleanup(&r);
    free(text);
}

int main(void)
{
    test_simple();
    test_line_ends();
    test_blank_lines();
    test_quoting();
    test_multiline();
    test_scratch_growth();
    test_errors();
    test_limits();
    test_counts();
    test_record_start();
    test_random_round_trip();
    return check_report("csv");
}
