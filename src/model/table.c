/* Numeric tables from CSV for the generic models (train-table,
 * predict-table) and their cross-validation. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "io/csv.h"
#include "model/model_impl.h"

/* The largest table file read: 4 GiB. */
#define TABLE_MAX_BYTES ((size_t)4 << 30)
#define TABLE_MAX_TEXT "4294967296 bytes"

struct ink_dataset {
    size_t cols;
    char (*names)[INK_MODEL_NAME_MAX];
    ink__matrix m; /* y NULL without a label */
    char label[INK_MODEL_NAME_MAX];
};

void ink_dataset_free(ink_dataset *d)
{
    if (!d)
        return;
    free(d->names);
    ink__matrix_cleanup(&d->m);
    free(d);
}

size_t ink_dataset_rows(const ink_dataset *d)
{
    return d->m.rows;
}

static ink_status cell_error(ink_error *err, const char *path, int64_t line,
                             size_t column, const char *field,
                             const char *expected, const char *value,
                             size_t len)
{
    ink__error_set(err, INK_DATA, path, "expected %s, got \"%.*s\"", expected,
                   (int)(len > 40 ? 40 : len), value);
    if (err) {
        err->line = line;
        err->column = (int32_t)column;
        snprintf(err->field, sizeof err->field, "%s", field);
    }
    return INK_DATA;
}

/* A decimal number: [-+]digits[.digits][e[-+]digits]. */
static int parse_number(const char *s, size_t len, double *out)
{
    char buf[64];
    if (len == 0 || len >= sizeof buf)
        return 0;
    size_t i = 0, digits = 0;
    if (s[i] == '-' || s[i] == '+')
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t exp_digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, exp_digits++;
        if (!exp_digits)
            return 0;
    }
    if (i != len)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    double v = strtod(buf, NULL);
    if (errno == ERANGE && fabs(v) > 1)
        return 0;
    if (!isfinite(v) || fabs(v) > 3.4e38)
        return 0;
    *out = v;
    return 1;
}

/* Whether header field (s, len) equals name. */
static int same(const char *s, size_t len, const char *name)
{
    return strlen(name) == len && memcmp(s, name, len) == 0;
}

ink_status ink_dataset_load(const char *path, const char *label,
                            const char *const *ignore, size_t ignore_count,
                            ink_dataset **out, ink_error *err)
{
    *out = NULL;
    size_t size = 0;
    char *text;
    ink_status st = ink__read_file(path, TABLE_MAX_BYTES, TABLE_MAX_TEXT, &text,
                                   &size, err);
    if (st != INK_OK)
        return st;
    ink_csv_reader reader;
    ink__csv_init(&reader, text, text + size, 1);
    ink_csv_record *rec = malloc(sizeof *rec);
    ink_dataset *d = calloc(1, sizeof *d);
    /* role of each CSV field: column index, or -1 label, -2 ignored */
    int32_t *role = ink__alloc_array(INK_CSV_MAX_FIELDS, sizeof *role);
    size_t cap = 0, rows = 0;
    if (!rec || !d || !role) {
        st = ink__error_set(err, INK_NOMEM, path, "out of memory");
        goto fail;
    }
    ink_csv_result rr = ink__csv_next(&reader, rec);
    if (rr != INK_CSV_RECORD) {
        st = rr == INK_CSV_NOMEM
                 ? ink__error_set(err, INK_NOMEM, path, "out of memory")
                 : ink__error_set(err, INK_DATA, path,
                                  "expected a header line of column names");
        goto fail;
    }
    uint32_t fields = rec->count;
    d->names = ink__calloc_array(fields, sizeof *d->names);
    if (!d->names) {
        st = ink__error_set(err, INK_NOMEM, path, "out of memory");
        goto fail;
    }
    int label_seen = 0;
    for (uint32_t i = 0; i < fields; i++) {
        const char *s = rec->field[i];
        size_t len = rec->len[i];
        int skip = 0;
        for (size_t k = 0; k < ignore_count; k++)
            skip |= same(s, len, ignore[k]);
        if (label && same(s, len, label)) {
            role[i] = -1;
            label_seen = 1;
        } else if (skip) {
            role[i] = -2;
        } else {
            if (len == 0 || len >= INK_MODEL_NAME_MAX) {
                st = ink__error_set(err, INK_DATA, path,
                                    "column %u: expected a name of 1 to %d "
                                    "bytes",
                                    i + 1, INK_MODEL_NAME_MAX - 1);
                goto fail;
            }
            if (d->cols == INK_MODEL_MAX_FEATURES) {
                st = ink__error_set(err, INK_LIMIT, path,
                                    "more than %d feature columns",
                                    INK_MODEL_MAX_FEATURES);
                goto fail;
            }
            memcpy(d->names[d->cols], s, len);
            d->names[d->cols][len] = '\0';
            role[i] = (int32_t)d->cols++;
        }
    }
    for (size_t k = 0; k < ignore_count; k++) {
        int found = 0;
        for (uint32_t i = 0; i < fields; i++)
            found |= same(rec->field[i], rec->len[i], ignore[k]);
        if (!found) {
            st = ink__error_set(err, INK_DATA, path,
                                "no column \"%s\" to ignore", ignore[k]);
            goto fail;
        }
    }
    if (label)
        snprintf(d->label, sizeof d->label, "%s", label);
    if (label && !label_seen) {
        st = ink__error_set(err, INK_DATA, path, "no label column \"%s\"",
                            label);
        goto fail;
    }
    if (d->cols == 0) {
        st = ink__error_set(err, INK_DATA, path, "no feature column");
        goto fail;
    }
    d->m.cols = d->cols;
    while ((rr = ink__csv_next(&reader, rec)) == INK_CSV_RECORD) {
        if (rec->count != fields) {
            st = ink__error_set(err, INK_DATA, path,
                                "expected %u fields, got %u", fields,
                                rec->count);
            if (err)
                err->line = rec->line;
            goto fail;
        }
        if (rows == INK_DATASET_MAX_ROWS) {
            st = ink__error_set(err, INK_LIMIT, path, "more than %u rows",
                                INK_DATASET_MAX_ROWS);
            goto fail;
        }
        if (rows == cap) {
            size_t grown = cap ? cap * 2 : 1024;
            if (grown > INK_DATASET_MAX_ROWS)
                grown = INK_DATASET_MAX_ROWS;
            float *x =
                ink__realloc_array(d->m.x, grown, d->cols * sizeof(float));
            if (!x) {
                st = ink__error_set(err, INK_NOMEM, path, "out of memory");
                goto fail;
            }
            d->m.x = x;
            if (label) {
                float *y = ink__realloc_array(d->m.y, grown, sizeof(float));
                if (!y) {
                    st = ink__error_set(err, INK_NOMEM, path, "out of memory");
                    goto fail;
                }
                d->m.y = y;
            }
            cap = grown;
        }
        for (uint32_t i = 0; i < fields; i++) {
            if (role[i] == -2)
                continue;
            const char *s = rec->field[i];
            size_t len = rec->len[i];
            double v = NAN;
            char name[INK_MODEL_NAME_MAX];
            if (role[i] >= 0)
                snprintf(name, sizeof name, "%s", d->names[role[i]]);
            else
                snprintf(name, sizeof name, "%s", label);
            if (len && !parse_number(s, len, &v)) {
                st = cell_error(err, path, rec->line, i + 1, name,
                                "a decimal number", s, len);
                goto fail;
            }
            if (role[i] == -1) {
                if (len == 0 || (v != 0 && v != 1)) {
                    st = cell_error(err, path, rec->line, i + 1, name,
                                    "the label 0 or 1", s, len);
                    goto fail;
                }
                d->m.y[rows] = (float)v;
            } else {
                d->m.x[rows * d->cols + (size_t)role[i]] = (float)v;
            }
        }
        rows++;
    }
    if (rr != INK_CSV_END) {
        st = rr == INK_CSV_NOMEM
                 ? ink__error_set(err, INK_NOMEM, path, "out of memory")
                 : ink__error_set(err, INK_DATA, path, "%s",
                                  rec->error ? rec->error
                                             : "malformed CSV record");
        if (err && rr != INK_CSV_NOMEM) {
            err->line = rec->line;
            err->column = (int32_t)rec->error_field;
        }
        goto fail;
    }
    if (rows == 0) {
        st = ink__error_set(err, INK_DATA, path, "no data rows");
        goto fail;
    }
    d->m.rows = rows;
    ink__csv_cleanup(&reader);
    free(rec);
    free(role);
    free(text);
    *out = d;
    return INK_OK;
fail:
    ink__csv_cleanup(&reader);
    free(rec);
    free(role);
    free(text);
    ink_dataset_free(d);
    return st;
}

/* Splits the rows idx[0..n) (shuffled by the caller) into fit and
 * calibration matrices. */
static ink_status split_fit(const ink__matrix *src, const size_t *idx, size_t n,
                            ink__matrix *fit, ink__matrix *cal)
{
    size_t cal_rows = n / INK__CALIBRATION_DIVISOR;
    if (cal_rows == 0)
        cal_rows = 1;
    memset(fit, 0, sizeof *fit);
    memset(cal, 0, sizeof *cal);
    if (ink__matrix_gather(src, idx, n - cal_rows, fit) != INK_OK ||
        ink__matrix_gather(src, idx + n - cal_rows, cal_rows, cal) != INK_OK) {
        ink__matrix_cleanup(fit);
        return INK_NOMEM;
    }
    return INK_OK;
}

ink_status ink_model_cross_validate(const ink_dataset *d,
                                    const ink_model_options *opt, size_t folds,
                                    ink_model_cv *out, ink_error *err)
{
    ink_model_options defaults;
    memset(out, 0, sizeof *out);
    ink_status st = ink__options_resolve(&opt, &defaults, err);
    if (st != INK_OK)
        return st;
    if (!d->m.y)
        return ink__error_set(err, INK_USAGE, NULL,
                              "cross-validation needs a label column");
    if (folds < 2 || folds > INK_MODEL_MAX_FOLDS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "folds: expected 2 to %d, got %zu",
                              INK_MODEL_MAX_FOLDS, folds);
    size_t n = d->m.rows;
    if ((st = ink__check_classes(d->m.y, n, "the table", err)) != INK_OK)
        return st;
    if (n < folds * 10)
        return ink__error_set(err, INK_DATA, NULL,
                              "%zu rows are too few for %zu folds", n, folds);
    size_t *order = ink__alloc_array(n, sizeof *order);
    uint8_t *fold = ink__alloc_array(n, 1);
    size_t *train = ink__alloc_array(n, sizeof *train);
    size_t *test = ink__alloc_array(n, sizeof *test);
    if (!order || !fold || !train || !test) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    /* Stratified: positives then negatives, each shuffled, dealt to the
     * folds in turn, so every fold has the table's share of both. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (d->m.y[i] > 0)
            order[k++] = i;
    size_t positives = k;
    for (size_t i = 0; i < n; i++)
        if (!(d->m.y[i] > 0))
            order[k++] = i;
    ink__shuffle(order, positives, opt->seed);
    ink__shuffle(order + positives, n - positives, opt->seed + 1);
    for (size_t i = 0; i < n; i++)
        fold[order[i]] = (uint8_t)(i % folds);
    out->folds = folds;
    double sum[2] = {0, 0};
    for (size_t f = 0; f < folds && st == INK_OK; f++) {
        size_t ntrain = 0, ntest = 0;
        for (size_t i = 0; i < n; i++) {
            if (fold[i] == f)
                test[ntest++] = i;
            else
                train[ntrain++] = i;
        }
        ink__shuffle(train, ntrain, opt->seed + 2 + f);
        ink__matrix fit, cal, tst;
        memset(&tst, 0, sizeof tst);
        if (split_fit(&d->m, train, ntrain, &fit, &cal) != INK_OK ||
            ink__matrix_gather(&d->m, test, ntest, &tst) != INK_OK) {
            ink__matrix_cleanup(&fit);
            ink__matrix_cleanup(&cal);
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            break;
        }
        ink_model_report *report = calloc(1, sizeof *report);
        ink_model *keep = NULL;
        if (!report)
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        else
            st = ink__fit_both(&fit, &cal, &tst, opt, 0,
                               (const char(*)[INK_MODEL_NAME_MAX])d->names,
                               &keep, report, err);
        if (st == INK_OK) {
            out->boosted_auc[f] = report->boosted.auc;
            out->logistic_auc[f] = report->logistic.auc;
            sum[0] += report->boosted.auc;
            sum[1] += report->logistic.auc;
        }
        ink_model_free(keep);
        free(report);
        ink__matrix_cleanup(&fit);
        ink__matrix_cleanup(&cal);
        ink__matrix_cleanup(&tst);
    }
    out->boosted_mean = sum[0] / (double)folds;
    out->logistic_mean = sum[1] / (double)folds;
done:
    free(order);
    free(fold);
    free(train);
    free(test);
    return st;
}

ink_status ink_model_train_table(const ink_dataset *d,
                                 const ink_model_options *opt, ink_model **out,
                                 ink_model_report *report, ink_error *err)
{
    ink_model_options defaults;
    *out = NULL;
    ink_status st = ink__options_resolve(&opt, &defaults, err);
    if (st != INK_OK)
        return st;
    if (!d->m.y)
        return ink__error_set(err, INK_USAGE, NULL,
                              "training needs a label column");
    size_t n = d->m.rows;
    if ((st = ink__check_classes(d->m.y, n, "the table", err)) != INK_OK)
        return st;
    if (n < 10)
        return ink__error_set(err, INK_DATA, NULL,
                              "%zu rows are too few to train on", n);
    size_t *order = ink__alloc_array(n, sizeof *order);
    if (!order)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    ink__shuffle(order, n, opt->seed);
    ink__matrix fit, cal;
    if (split_fit(&d->m, order, n, &fit, &cal) != INK_OK) {
        free(order);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    free(order);
    ink_model_report local;
    if (report) {
        memset(report, 0, sizeof *report);
        report->train_rows = fit.rows;
        report->calibration_rows = cal.rows;
    }
    st = ink__check_classes(fit.y, fit.rows, "training rows", err);
    if (st == INK_OK)
        st = ink__fit_both(&fit, &cal, &cal, opt, 0,
                           (const char(*)[INK_MODEL_NAME_MAX])d->names, out,
                           report ? report : &local, err);
    if (st == INK_OK)
        snprintf((*out)->label, sizeof(*out)->label, "%s", d->label);
    ink__matrix_cleanup(&fit);
    ink__matrix_cleanup(&cal);
    return st;
}

ink_status ink_model_predict_table(const ink_model *m, const ink_dataset *d,
                                   int threads, double *prob, ink_error *err)
{
    if (m->portfolio)
        return ink__error_set(err, INK_USAGE, NULL,
                              "the model was trained on a portfolio, not on "
                              "a table");
    size_t map[INK_MODEL_MAX_FEATURES];
    for (size_t j = 0; j < m->cols; j++) {
        size_t k = 0;
        while (k < d->cols && strcmp(d->names[k], m->names[j]) != 0)
            k++;
        if (k == d->cols)
            return ink__error_set(err, INK_DATA, NULL,
                                  "the table has no column \"%s\", which "
                                  "the model needs",
                                  m->names[j]);
        map[j] = k;
    }
    ink__matrix x = {d->m.rows, m->cols, NULL, NULL};
    x.x = ink__alloc_array(d->m.rows, m->cols * sizeof(float));
    if (!x.x)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    for (size_t r = 0; r < d->m.rows; r++)
        for (size_t j = 0; j < m->cols; j++)
            x.x[r * m->cols + j] = d->m.x[r * d->cols + map[j]];
    ink_status st = ink__model_predict(m, &x, threads, prob, err);
    free(x.x);
    return st;
}
