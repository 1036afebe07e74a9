/* The propensity models' life cycle: options, training on portfolio
 * snapshots or a table, evaluation, scoring, saving and loading. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "model/model_impl.h"

static double clock_seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double ink__wall_seconds(void)
{
    return clock_seconds(CLOCK_MONOTONIC);
}

double ink__cpu_seconds(void)
{
    return clock_seconds(CLOCK_PROCESS_CPUTIME_ID);
}

const char *ink_model_kind_name(ink_model_kind kind)
{
    return kind == INK_MODEL_LOGISTIC ? "logistic" : "boosted";
}

void ink_model_options_init(ink_model_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->kind = INK_MODEL_BOOSTED;
    opt->horizon_days = 30;
    opt->min_share_pct = 10;
    opt->snapshot_count = 6;
    opt->test_snapshots = 2;
    opt->snapshot_step = 0;
    opt->last_snapshot = INK_DATE_NONE;
    opt->rounds = 100;
    opt->max_depth = 5;
    opt->learning_rate = 0.3;
    opt->l2 = 1.0;
    opt->seed = 1;
    opt->threads = 0;
}

uint64_t ink__split_mix(uint64_t *state)
{
    /* splitmix64 (Steele, Lea & Flood 2014). */
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

void ink__shuffle(size_t *index, size_t n, uint64_t seed)
{
    uint64_t state = seed;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(ink__split_mix(&state) % i);
        size_t t = index[i - 1];
        index[i - 1] = index[j];
        index[j] = t;
    }
}

void ink__matrix_cleanup(ink__matrix *m)
{
    free(m->x);
    free(m->y);
    memset(m, 0, sizeof *m);
}

ink_status ink__matrix_gather(const ink__matrix *src, const size_t *index,
                              size_t count, ink__matrix *dst)
{
    dst->rows = count;
    dst->cols = src->cols;
    dst->x = ink__alloc_array(count, src->cols * sizeof(float));
    dst->y = src->y ? ink__alloc_array(count, sizeof(float)) : NULL;
    if (!dst->x || (src->y && !dst->y)) {
        ink__matrix_cleanup(dst);
        return INK_NOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        memcpy(dst->x + i * src->cols, src->x + index[i] * src->cols,
               src->cols * sizeof(float));
        if (src->y)
            dst->y[i] = src->y[index[i]];
    }
    return INK_OK;
}

static ink_status check_options(const ink_model_options *o, ink_error *err)
{
    if (o->kind != INK_MODEL_BOOSTED && o->kind != INK_MODEL_LOGISTIC)
        return ink__error_set(err, INK_USAGE, NULL, "unknown model kind");
    if (o->horizon_days < 1 || o->horizon_days > 365)
        return ink__error_set(err, INK_USAGE, NULL,
                              "horizon: expected 1 to 365 days, got %d",
                              (int)o->horizon_days);
    if (o->min_share_pct < 1 || o->min_share_pct > 100)
        return ink__error_set(err, INK_USAGE, NULL,
                              "min share: expected 1 to 100 %%, got %d",
                              (int)o->min_share_pct);
    if (o->snapshot_count < 2 || o->snapshot_count > INK_MODEL_MAX_SNAPSHOTS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "snapshots: expected 2 to %d, got %zu",
                              INK_MODEL_MAX_SNAPSHOTS, o->snapshot_count);
    if (o->test_snapshots < 1 || o->test_snapshots >= o->snapshot_count)
        return ink__error_set(err, INK_USAGE, NULL,
                              "test snapshots: expected 1 to %zu, got %zu",
                              o->snapshot_count - 1, o->test_snapshots);
    if (o->snapshot_step < 0 || o->snapshot_step > 3650)
        return ink__error_set(err, INK_USAGE, NULL,
                              "snapshot step: expected 0 to 3650 days");
    /* A step shorter than the horizon lets a training label count
     * payments after the next snapshot, the first test one included. */
    if (o->snapshot_step && o->snapshot_step < o->horizon_days)
        return ink__error_set(err, INK_USAGE, NULL,
                              "snapshot step: expected at least the horizon "
                              "(%d days), got %d",
                              (int)o->horizon_days, (int)o->snapshot_step);
    if (o->rounds < 1 || o->rounds > 10000 || o->max_depth < 1 ||
        o->max_depth > 16 || !(o->learning_rate > 0) ||
        !(o->learning_rate <= 1) || !(o->l2 > 0) || !(o->l2 < 1e9))
        return ink__error_set(err, INK_USAGE, NULL,
                              "model parameters out of range (rounds 1 to "
                              "10000, depth 1 to 16, learning rate in (0, "
                              "1], l2 > 0)");
    if (o->threads < 0 || o->threads > 256)
        return ink__error_set(err, INK_USAGE, NULL,
                              "threads: expected 0 to 256");
    return INK_OK;
}

ink_status ink__options_resolve(const ink_model_options **opt,
                                ink_model_options *defaults, ink_error *err)
{
    if (!*opt) {
        ink_model_options_init(defaults);
        *opt = defaults;
    }
    return check_options(*opt, err);
}

ink_model *ink__model_new(ink_model_kind kind, int portfolio, size_t cols)
{
    ink_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->kind = kind;
    m->portfolio = portfolio;
    m->cols = cols;
    m->names = ink__calloc_array(cols, sizeof *m->names);
    if (!m->names) {
        free(m);
        return NULL;
    }
    return m;
}

void ink_model_free(ink_model *m)
{
    if (!m)
        return;
    free(m->names);
    ink__logistic_cleanup(&m->logit);
    ink__boost_cleanup(&m->boost);
    ink__calibration_cleanup(&m->cal);
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        ink__encoder_cleanup(&m->enc[k]);
    free(m);
}

int ink_model_is_portfolio(const ink_model *m)
{
    return m->portfolio;
}

ink_model_kind ink_model_kind_of(const ink_model *m)
{
    return m->kind;
}

/* The learner's probability before calibration. */
static ink_status raw_predict(const ink_model *m, const ink__matrix *x,
                              int threads, double *prob, ink_error *err)
{
    if (m->kind == INK_MODEL_BOOSTED)
        return ink__boost_predict(&m->boost, x, threads, prob, err);
    for (size_t r = 0; r < x->rows; r++)
        prob[r] =
            1.0 /
            (1.0 + exp(-ink__logistic_margin(&m->logit, x->x + r * x->cols)));
    return INK_OK;
}

ink_status ink__model_predict(const ink_model *m, const ink__matrix *x,
                              int threads, double *prob, ink_error *err)
{
    ink_status st = raw_predict(m, x, threads, prob, err);
    if (st == INK_OK)
        for (size_t r = 0; r < x->rows; r++)
            prob[r] = ink__calibration_apply(&m->cal, prob[r]);
    return st;
}

ink_status ink__model_contributions(const ink_model *m, const ink__matrix *x,
                                    int threads, double *contrib,
                                    ink_error *err)
{
    if (m->kind == INK_MODEL_BOOSTED)
        return ink__boost_contributions(&m->boost, x, threads, contrib, err);
    for (size_t r = 0; r < x->rows; r++)
        for (size_t j = 0; j < x->cols; j++) {
            float v = x->x[r * x->cols + j];
            contrib[r * x->cols + j] =
                isnan(v) ? 0.0
                         : m->logit.weight[j] * ((double)v - m->logit.mean[j]) /
                               m->logit.scale[j];
        }
    return INK_OK;
}

/* Fits m's learner on fit (the boosted trees stop early on cal) and its
 * calibration on cal; the seconds of both into t. */
static ink_status fit_model(ink_model *m, const ink__matrix *fit,
                            const ink__matrix *cal,
                            const ink_model_options *opt, ink_model_timings *t,
                            ink_error *err)
{
    double t0 = ink__wall_seconds();
    ink_status st = m->kind == INK_MODEL_BOOSTED
                        ? ink__boost_fit(fit, cal, opt, &m->boost, err)
                        : ink__logistic_fit(fit, opt->l2, &m->logit, err);
    double t1 = ink__wall_seconds();
    *(m->kind == INK_MODEL_BOOSTED ? &t->fit_boosted : &t->fit_logistic) +=
        t1 - t0;
    if (st != INK_OK)
        return st;
    double *raw = ink__alloc_array(cal->rows, sizeof *raw);
    if (!raw)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    st = raw_predict(m, cal, opt->threads, raw, err);
    if (st == INK_OK &&
        ink__calibration_fit(raw, cal->y, cal->rows, &m->cal) != INK_OK)
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    free(raw);
    t->calibration += ink__wall_seconds() - t1;
    return st;
}

static ink_status evaluate(const ink_model *m, const ink__matrix *test,
                           int threads, ink_model_metrics *out, ink_error *err)
{
    double *prob = ink__alloc_array(test->rows, sizeof *prob);
    if (!prob)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    ink_status st = ink__model_predict(m, test, threads, prob, err);
    if (st == INK_OK &&
        ink__metrics_compute(prob, test->y, test->rows, out) != INK_OK)
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    free(prob);
    return st;
}

typedef struct importance_item {
    size_t col;
    double share;
} importance_item;

static int by_share_desc(const void *a, const void *b)
{
    const importance_item *x = a, *y = b;
    if (x->share != y->share)
        return (x->share < y->share) - (x->share > y->share);
    return (x->col > y->col) - (x->col < y->col);
}

static ink_status fill_importance(const ink_model *m, ink_model_report *r,
                                  ink_error *err)
{
    double gain[INK_MODEL_MAX_FEATURES];
    if (m->kind == INK_MODEL_BOOSTED) {
        ink_status st = ink__boost_importance(&m->boost, m->cols, gain, err);
        if (st != INK_OK)
            return st;
    } else {
        for (size_t j = 0; j < m->cols; j++)
            gain[j] = fabs(m->logit.weight[j]);
    }
    double total = 0;
    for (size_t j = 0; j < m->cols; j++)
        total += gain[j];
    importance_item items[INK_MODEL_MAX_FEATURES];
    for (size_t j = 0; j < m->cols; j++)
        items[j] = (importance_item){j, total > 0 ? gain[j] / total : 0};
    qsort(items, m->cols, sizeof items[0], by_share_desc);
    r->feature_count = m->cols;
    for (size_t j = 0; j < m->cols; j++) {
        snprintf(r->feature[j], INK_MODEL_NAME_MAX, "%s",
                 m->names[items[j].col]);
        r->importance[j] = items[j].share;
    }
    return INK_OK;
}

/* Fits both kinds on fit/cal, evaluates both on test (if any) into the
 * report, keeps opt->kind in *out. */
ink_status ink__fit_both(const ink__matrix *fit, const ink__matrix *cal,
                         const ink__matrix *test, const ink_model_options *opt,
                         int portfolio, const char (*names)[INK_MODEL_NAME_MAX],
                         ink_model **out, ink_model_report *report,
                         ink_error *err)
{
    ink_model *models[2] = {NULL, NULL};
    ink_status st = INK_OK;
    ink_model_timings local, *t = report ? &report->timings : &local;
    for (int k = 0; k < 2 && st == INK_OK; k++) {
        models[k] = ink__model_new((ink_model_kind)k, portfolio, fit->cols);
        if (!models[k]) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            break;
        }
        memcpy(models[k]->names, names, fit->cols * sizeof *names);
        st = fit_model(models[k], fit, cal, opt, t, err);
        double t0 = ink__wall_seconds();
        if (st == INK_OK && report && test)
            st = evaluate(models[k], test, opt->threads,
                          k == INK_MODEL_BOOSTED ? &report->boosted
                                                 : &report->logistic,
                          err);
        t->evaluation += ink__wall_seconds() - t0;
    }
    if (st == INK_OK && report)
        report->boosted_rounds = models[INK_MODEL_BOOSTED]->boost.rounds;
    if (st == INK_OK && report)
        st = fill_importance(models[opt->kind], report, err);
    if (st == INK_OK) {
        *out = models[opt->kind];
        models[opt->kind] = NULL;
    }
    ink_model_free(models[0]);
    ink_model_free(models[1]);
    return st;
}

ink_status ink__check_classes(const float *y, size_t n, const char *what,
                              ink_error *err)
{
    double pos = 0;
    for (size_t i = 0; i < n; i++)
        pos += y[i];
    if (n == 0 || pos == 0 || pos == (double)n)
        return ink__error_set(err, INK_DATA, NULL,
                              "%s: %zu rows, %.0f positive: both outcomes "
                              "are needed",
                              what, n, pos);
    return INK_OK;
}

ink_status ink_model_train(const ink_portfolio *p, const ink_model_options *opt,
                           ink_model **out, ink_model_report *report,
                           ink_error *err)
{
    ink_model_options defaults;
    *out = NULL;
    ink_status st = ink__options_resolve(&opt, &defaults, err);
    if (st != INK_OK)
        return st;
    if (p->latest_date == INK_DATE_NONE)
        return ink__error_set(err, INK_DATA, NULL, "the portfolio is empty");
    int32_t step = opt->snapshot_step ? opt->snapshot_step : opt->horizon_days;
    int32_t last = opt->last_snapshot != INK_DATE_NONE
                       ? opt->last_snapshot
                       : p->latest_date - opt->horizon_days;
    if (last + opt->horizon_days > p->latest_date)
        return ink__error_set(err, INK_USAGE, NULL,
                              "the last snapshot's %d days end after the "
                              "data's latest date",
                              (int)opt->horizon_days);
    int32_t snaps[INK_MODEL_MAX_SNAPSHOTS];
    size_t count = opt->snapshot_count, tests = opt->test_snapshots;
    for (size_t i = 0; i < count; i++)
        snaps[i] = last - (int32_t)(count - 1 - i) * step;
    ink_model_report local;
    if (!report)
        report = &local;
    memset(report, 0, sizeof *report);
    double wall0 = ink__wall_seconds(), cpu0 = ink__cpu_seconds();
    report->snapshot_count = count;
    report->test_snapshots = tests;
    memcpy(report->snapshots, snaps, count * sizeof snaps[0]);

    ink__features f;
    st = ink__features_build(p, snaps, count, opt->horizon_days,
                             opt->min_share_pct, 1, 0, opt->threads, &f, err);
    if (st != INK_OK)
        return st;
    size_t train = 0;
    while (train < f.m.rows && f.snapshot[train] < count - tests)
        train++;
    size_t test = f.m.rows - train;
    ink__encoder enc[INK__CAT_COUNT];
    memset(enc, 0, sizeof enc);
    if ((st = ink__check_classes(f.m.y, train, "training snapshots", err)) !=
            INK_OK ||
        (st = ink__check_classes(f.m.y + train, test, "test snapshots", err)) !=
            INK_OK)
        goto done;
    /* Rows of the training snapshots in random order; the last fifth
     * calibrates. */
    uint64_t state = opt->seed;
    for (size_t i = train; i > 1; i--)
        ink__features_swap(&f, i - 1, (size_t)(ink__split_mix(&state) % i));
    size_t cal_rows = train / INK__CALIBRATION_DIVISOR;
    if (cal_rows == 0)
        cal_rows = 1;
    size_t fit_rows = train - cal_rows;
    if (fit_rows == 0 || (st = ink__check_classes(
                              f.m.y, fit_rows, "training rows", err)) != INK_OK)
        goto done;
    if (ink__encoders_fit(p, &f, fit_rows, enc) != INK_OK ||
        ink__features_encode(p, &f, enc) != INK_OK ||
        ink__features_encode_fit(p, &f, fit_rows, enc) != INK_OK) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    report->timings.features = ink__wall_seconds() - wall0;
    report->train_rows = fit_rows;
    report->calibration_rows = cal_rows;
    report->test_rows = test;
    double pos = 0, share = 0;
    for (size_t r = 0; r < fit_rows; r++) {
        if (f.m.y[r] > 0) {
            double s = (double)f.collected[r] / (double)f.outstanding[r];
            share += s > 1 ? 1 : s;
            pos++;
        }
    }
    report->train_rate = pos / (double)fit_rows;
    ink__matrix fit = ink__matrix_rows(&f.m, 0, fit_rows);
    ink__matrix cal = ink__matrix_rows(&f.m, fit_rows, cal_rows);
    ink__matrix tst = ink__matrix_rows(&f.m, train, test);
    char names[INK__FEATURE_COUNT][INK_MODEL_NAME_MAX];
    for (size_t j = 0; j < INK__FEATURE_COUNT; j++)
        snprintf(names[j], INK_MODEL_NAME_MAX, "%s", ink__feature_names[j]);
    st = ink__fit_both(&fit, &cal, &tst, opt, 1,
                       (const char(*)[INK_MODEL_NAME_MAX])names, out, report,
                       err);
    if (st != INK_OK)
        goto done;
    ink_model *m = *out;
    m->horizon_days = opt->horizon_days;
    m->min_share_pct = opt->min_share_pct;
    m->positive_share = pos > 0 ? share / pos : 0;
    memcpy(m->enc, enc, sizeof enc);
    memset(enc, 0, sizeof enc);
done:
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        ink__encoder_cleanup(&enc[k]);
    ink__features_cleanup(&f);
    report->timings.total = ink__wall_seconds() - wall0;
    report->timings.cpu = ink__cpu_seconds() - cpu0;
    return st;
}

ink_status ink__model_score(const ink_model *m, const ink_portfolio *p,
                            int32_t as_of, int threads, ink_case_score **out,
                            size_t *count, ink__features *keep, ink_error *err)
{
    *out = NULL;
    *count = 0;
    if (keep)
        memset(keep, 0, sizeof *keep);
    if (!m->portfolio)
        return ink__error_set(err, INK_USAGE, NULL,
                              "the model was trained on a table, not on a "
                              "portfolio");
    if (as_of == INK_DATE_NONE)
        as_of = p->latest_date;
    if (as_of == INK_DATE_NONE)
        return INK_OK; /* an empty portfolio has no open case */
    ink__features f;
    ink_status st =
        ink__features_build(p, &as_of, 1, m->horizon_days, m->min_share_pct, 0,
                            0, threads, &f, err);
    if (st != INK_OK)
        return st;
    double *prob = ink__alloc_array(f.m.rows, sizeof *prob);
    ink_case_score *scores = ink__alloc_array(f.m.rows, sizeof *scores);
    if (!prob || !scores || ink__features_encode(p, &f, m->enc) != INK_OK) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    st = ink__model_predict(m, &f.m, threads, prob, err);
    if (st != INK_OK)
        goto fail;
    for (size_t r = 0; r < f.m.rows; r++) {
        /* Rounded to cents: an estimate, not a booked amount. */
        double expected =
            prob[r] * m->positive_share * (double)f.outstanding[r] / 100.0;
        scores[r] = (ink_case_score){f.case_index[r], prob[r], f.outstanding[r],
                                     (int64_t)llround(expected) * 100};
    }
    *out = scores;
    *count = f.m.rows;
    free(prob);
    if (keep)
        *keep = f;
    else
        ink__features_cleanup(&f);
    return INK_OK;
fail:
    free(prob);
    free(scores);
    ink__features_cleanup(&f);
    return st;
}

ink_status ink_model_score(const ink_model *m, const ink_portfolio *p,
                           int32_t as_of, int threads, ink_case_score **out,
                           size_t *count, ink_error *err)
{
    return ink__model_score(m, p, as_of, threads, out, count, NULL, err);
}

int32_t ink__portfolio_latest(const ink_portfolio *p)
{
    return p->latest_date;
}
