/* Writes the rejects file of lenient loading, atomically. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/rejects.h"

static int by_file_and_line(const void *a, const void *b)
{
    const ink__reject_entry *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Writes s as one CSV field, quoted when it holds a separator, quote or
 * line break (RFC 4180). */
static void put_field(FILE *f, const char *s, size_t len)
{
    int quote = len == 0 ? 0
                         : memchr(s, ',', len) || memchr(s, '"', len) ||
                               memchr(s, '\n', len) || memchr(s, '\r', len);
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    putc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', f);
        putc(s[i], f);
    }
    putc('"', f);
}

ink_status ink__rejects_write(const char *path, ink__reject_entry *entries,
                              size_t count, ink_error *err)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        ink_error_clear(err);
        err->status = INK_USAGE;
        snprintf(err->message, sizeof err->message, "rejects path too long");
        return INK_USAGE;
    }
    qsort(entries, count, sizeof *entries, by_file_and_line);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        goto io_error;
    fputs("file,line,column,field,reason,message,record\n", f);
    for (size_t i = 0; i < count; i++) {
        const ink__reject_entry *e = &entries[i];
        fprintf(f, "%s,%lld,", ink_file_name(e->file), (long long)e->line);
        if (e->column > 0)
            fprintf(f, "%d", (int)e->column);
        putc(',', f);
        put_field(f, e->field, strlen(e->field));
        fprintf(f, ",%s,", ink_reason_name(e->reason));
        put_field(f, e->message, strlen(e->message));
        putc(',', f);
        /* An empty record would read back as missing: quote it. */
        if (e->raw_len == 0)
            fputs("\"\"", f);
        else
            put_field(f, e->raw, e->raw_len);
        putc('\n', f);
    }
    if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
        int saved = errno;
        fclose(f);
        unlink(tmp);
        errno = saved;
        goto io_error;
    }
    if (fclose(f) != 0) {
        unlink(tmp);
        goto io_error;
    }
    if (rename(tmp, path) != 0) {
        unlink(tmp);
        goto io_error;
    }
    return INK_OK;
io_error:
    ink_error_clear(err);
    err->status = INK_IO;
    snprintf(err->file, sizeof err->file, "%s", path);
    snprintf(err->message, sizeof err->message, "cannot write: %s",
             strerror(errno));
    return INK_IO;
}
