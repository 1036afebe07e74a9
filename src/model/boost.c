/* Gradient-boosted trees through XGBoost's C API (Chen & Guestrin 2016,
 * "XGBoost: A Scalable Tree Boosting System", KDD): the only file that
 * includes xgboost/c_api.h. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "core/error.h"
#include "core/mem.h"
#include "model/model_impl.h"

/* XGBoost hands out buffers that live until the booster's next call, so
 * calls on one booster from several threads (server requests) take
 * turns. */
static pthread_mutex_t boost_lock = PTHREAD_MUTEX_INITIALIZER;

/* OpenMP workers spin while they wait: on small matrices they cost more
 * than they save, ten times more on a loaded two-core machine
 * (measured: 100 rounds on 12,000 rows, 0.44 s on one thread, 4.6 s on
 * two), so below this many rows one thread works. */
#define BOOST_PARALLEL_ROWS 100000

static int threads_for(size_t rows, int threads)
{
    return rows < BOOST_PARALLEL_ROWS ? 1 : threads;
}

static ink_status xgb_failed(ink_error *err, const char *what)
{
    const char *why = XGBGetLastError();
    return ink__error_set(err, INK_INTERNAL, NULL, "XGBoost %s: %s", what,
                          why && *why ? why : "unknown error");
}

static ink_status make_matrix(const ink__matrix *m, int threads,
                              DMatrixHandle *out, ink_error *err)
{
    if (XGDMatrixCreateFromMat_omp(m->x, (bst_ulong)m->rows, (bst_ulong)m->cols,
                                   NAN, out, threads) != 0)
        return xgb_failed(err, "matrix");
    if (m->y &&
        XGDMatrixSetFloatInfo(*out, "label", m->y, (bst_ulong)m->rows) != 0) {
        XGDMatrixFree(*out);
        return xgb_failed(err, "labels");
    }
    return INK_OK;
}

static ink_status set_threads(BoosterHandle h, int threads, ink_error *err)
{
    char text[32];
    snprintf(text, sizeof text, "%d", threads > 0 ? threads : 0);
    if (XGBoosterSetParam(h, "nthread", text) != 0)
        return xgb_failed(err, "nthread");
    return INK_OK;
}

ink_status ink__boost_fit(const ink__matrix *m, const ink_model_options *opt,
                          ink__boost *out, ink_error *err)
{
    out->booster = NULL;
    DMatrixHandle dm;
    int threads = threads_for(m->rows, opt->threads);
    ink_status st = make_matrix(m, threads, &dm, err);
    if (st != INK_OK)
        return st;
    BoosterHandle h = NULL;
    if (XGBoosterCreate(&dm, 1, &h) != 0) {
        XGDMatrixFree(dm);
        return xgb_failed(err, "create");
    }
    char depth[16], eta[32], seed[32];
    snprintf(depth, sizeof depth, "%d", opt->max_depth);
    snprintf(eta, sizeof eta, "%.17g", opt->learning_rate);
    snprintf(seed, sizeof seed, "%u", (unsigned)(opt->seed & 0x7fffffff));
    /* Row and column subsampling as in the XGBoost paper's experiments;
     * hist splits (Ke et al. 2017, LightGBM) keep 1M rows fast. */
    const char *params[][2] = {{"objective", "binary:logistic"},
                               {"eval_metric", "logloss"},
                               {"tree_method", "hist"},
                               {"max_depth", depth},
                               {"eta", eta},
                               {"subsample", "0.8"},
                               {"colsample_bytree", "0.8"},
                               {"min_child_weight", "5"},
                               {"seed", seed},
                               {"verbosity", "0"}};
    st = set_threads(h, threads, err);
    for (size_t i = 0; st == INK_OK && i < sizeof params / sizeof params[0];
         i++)
        if (XGBoosterSetParam(h, params[i][0], params[i][1]) != 0)
            st = xgb_failed(err, "parameter");
    for (int round = 0; st == INK_OK && round < opt->rounds; round++)
        if (XGBoosterUpdateOneIter(h, round, dm) != 0)
            st = xgb_failed(err, "training");
    XGDMatrixFree(dm);
    if (st != INK_OK) {
        XGBoosterFree(h);
        return st;
    }
    out->booster = h;
    return INK_OK;
}

static ink_status predict(const ink__boost *b, const ink__matrix *m,
                          int threads, int type, double *out, size_t per_row,
                          ink_error *err)
{
    if (m->rows == 0)
        return INK_OK;
    ink__matrix view = *m;
    view.y = NULL;
    threads = threads_for(m->rows, threads);
    DMatrixHandle dm;
    ink_status st = make_matrix(&view, threads, &dm, err);
    if (st != INK_OK)
        return st;
    char config[160];
    snprintf(config, sizeof config,
             "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, "
             "\"iteration_end\": 0, \"strict_shape\": false}",
             type);
    pthread_mutex_lock(&boost_lock);
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *result = NULL;
    st = set_threads(b->booster, threads, err);
    if (st == INK_OK && XGBoosterPredictFromDMatrix(b->booster, dm, config,
                                                    &shape, &dim, &result) != 0)
        st = xgb_failed(err, "prediction");
    if (st == INK_OK) {
        bst_ulong total = 1;
        for (bst_ulong i = 0; i < dim; i++)
            total *= shape[i];
        if (total != (bst_ulong)(m->rows * per_row))
            st = ink__error_set(err, INK_INTERNAL, NULL,
                                "XGBoost prediction: %llu values for %zu "
                                "rows",
                                (unsigned long long)total, m->rows);
        else
            for (size_t i = 0; i < m->rows * per_row; i++)
                out[i] = result[i];
    }
    pthread_mutex_unlock(&boost_lock);
    XGDMatrixFree(dm);
    return st;
}

ink_status ink__boost_predict(const ink__boost *b, const ink__matrix *m,
                              int threads, double *prob, ink_error *err)
{
    return predict(b, m, threads, 0, prob, 1, err);
}

ink_status ink__boost_contributions(const ink__boost *b, const ink__matrix *m,
                                    int threads, double *contrib,
                                    ink_error *err)
{
    size_t per_row = m->cols + 1; /* the last column is the bias */
    double *all = ink__alloc_array(m->rows, per_row * sizeof(double));
    if (!all)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    ink_status st = predict(b, m, threads, 2, all, per_row, err);
    if (st == INK_OK)
        for (size_t r = 0; r < m->rows; r++)
            memcpy(contrib + r * m->cols, all + r * per_row,
                   m->cols * sizeof(double));
    free(all);
    return st;
}

ink_status ink__boost_importance(const ink__boost *b, size_t cols, double *gain,
                                 ink_error *err)
{
    for (size_t j = 0; j < cols; j++)
        gain[j] = 0;
    bst_ulong count = 0, dim = 0;
    const char **names = NULL;
    const bst_ulong *shape = NULL;
    const float *scores = NULL;
    pthread_mutex_lock(&boost_lock);
    int rc = XGBoosterFeatureScore(b->booster,
                                   "{\"importance_type\": \"total_gain\"}",
                                   &count, &names, &dim, &shape, &scores);
    if (rc == 0)
        for (bst_ulong i = 0; i < count; i++) {
            /* Without feature names XGBoost calls them f0, f1, ... */
            char *end;
            unsigned long j = names[i][0] == 'f'
                                  ? strtoul(names[i] + 1, &end, 10)
                                  : (unsigned long)cols;
            if (j < cols)
                gain[j] = scores[i];
        }
    pthread_mutex_unlock(&boost_lock);
    return rc == 0 ? INK_OK : xgb_failed(err, "feature importance");
}

ink_status ink__boost_save(const ink__boost *b, char **buf, size_t *len,
                           ink_error *err)
{
    bst_ulong n = 0;
    const char *data = NULL;
    pthread_mutex_lock(&boost_lock);
    int rc = XGBoosterSaveModelToBuffer(b->booster, "{\"format\": \"ubj\"}", &n,
                                        &data);
    *buf = rc == 0 ? malloc(n ? n : 1) : NULL;
    if (*buf)
        memcpy(*buf, data, n);
    pthread_mutex_unlock(&boost_lock);
    if (rc != 0)
        return xgb_failed(err, "save");
    if (!*buf)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    *len = n;
    return INK_OK;
}

ink_status ink__boost_load(const char *buf, size_t len, int threads,
                           ink__boost *out, ink_error *err)
{
    out->booster = NULL;
    BoosterHandle h = NULL;
    if (XGBoosterCreate(NULL, 0, &h) != 0)
        return xgb_failed(err, "create");
    if (XGBoosterLoadModelFromBuffer(h, buf, (bst_ulong)len) != 0) {
        ink_status st = ink__error_set(err, INK_DATA, NULL,
                                       "the boosted trees do not load: %s",
                                       XGBGetLastError());
        XGBoosterFree(h);
        return st;
    }
    ink_status st = set_threads(h, threads, err);
    if (st != INK_OK) {
        XGBoosterFree(h);
        return st;
    }
    out->booster = h;
    return INK_OK;
}

void ink__boost_cleanup(ink__boost *b)
{
    if (b->booster)
        XGBoosterFree(b->booster);
    b->booster = NULL;
}
