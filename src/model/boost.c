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

/* The log loss in XGBoost's evaluation text "[3]\tstop-logloss:0.41". */
static int eval_loss(const char *text, double *loss)
{
    const char *colon = text ? strrchr(text, ':') : NULL;
    if (!colon)
        return 0;
    char *end;
    *loss = strtod(colon + 1, &end);
    return end != colon + 1;
}

static ink_status build_forest(ink__boost *b, size_t cols, ink_error *err);

ink_status ink__boost_fit(const ink__matrix *m, const ink__matrix *stop,
                          const ink_model_options *opt, ink__boost *out,
                          ink_error *err)
{
    memset(out, 0, sizeof *out);
    DMatrixHandle dm[2] = {NULL, NULL};
    int threads = threads_for(m->rows, opt->threads);
    ink_status st = make_matrix(m, threads, &dm[0], err);
    if (st != INK_OK)
        return st;
    if (stop && stop->rows > 0 &&
        (st = make_matrix(stop, threads, &dm[1], err)) != INK_OK) {
        XGDMatrixFree(dm[0]);
        return st;
    }
    BoosterHandle h = NULL;
    if (XGBoosterCreate(dm, dm[1] ? 2 : 1, &h) != 0) {
        st = xgb_failed(err, "create");
        goto done;
    }
    char depth[16], eta[32], seed[32];
    snprintf(depth, sizeof depth, "%d", opt->max_depth);
    snprintf(eta, sizeof eta, "%.17g", opt->learning_rate);
    snprintf(seed, sizeof seed, "%u", (unsigned)(opt->seed & 0x7fffffff));
    /* Row and column subsampling as in the XGBoost paper's experiments;
     * hist splits (Ke et al. 2017, LightGBM) with XGBoost's 256 bins
     * keep 1M rows fast (64 bins: no faster, AUC 0.001 lower). */
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
    /* Early stopping (as XGBoost's early_stopping_rounds): the round with
     * the lowest log loss on the held-back rows; boosting stops
     * INK__EARLY_STOP rounds after it. */
    double best_loss = HUGE_VAL;
    int best = 0, round = 0;
    const char *stop_name[1] = {"stop"};
    for (; st == INK_OK && round < opt->rounds; round++) {
        if (XGBoosterUpdateOneIter(h, round, dm[0]) != 0) {
            st = xgb_failed(err, "training");
            break;
        }
        if (!dm[1]) {
            best = round + 1;
            continue;
        }
        const char *text = NULL;
        double loss;
        if (XGBoosterEvalOneIter(h, round, &dm[1], stop_name, 1, &text) != 0 ||
            !eval_loss(text, &loss)) {
            st = xgb_failed(err, "evaluation");
            break;
        }
        if (loss < best_loss) {
            best_loss = loss;
            best = round + 1;
        } else if (round + 1 - best >= INK__EARLY_STOP) {
            round++;
            break;
        }
    }
    if (st == INK_OK && best < round) {
        BoosterHandle kept = NULL;
        if (XGBoosterSlice(h, 0, best, 1, &kept) != 0) {
            st = xgb_failed(err, "slice");
        } else {
            XGBoosterFree(h);
            h = kept;
            st = set_threads(h, opt->threads, err);
        }
    }
    if (st == INK_OK) {
        out->booster = h;
        out->rounds = best;
        h = NULL;
        st = build_forest(out, m->cols, err);
        if (st != INK_OK)
            ink__boost_cleanup(out);
    }
done:
    if (h)
        XGBoosterFree(h);
    XGDMatrixFree(dm[0]);
    if (dm[1])
        XGDMatrixFree(dm[1]);
    return st;
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
    if (b->forest.trees > 0) {
        if (ink__forest_predict(&b->forest, m, threads, prob) != INK_OK)
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        return INK_OK;
    }
    return predict(b, m, threads, 0, prob, 1, err);
}

/* Rows that take every branch: per column NaN, a split value of that
 * column, the float just below it, or 0 (seeded, so a check repeats). */
static float probe_value(const ink__forest *f, size_t col, uint64_t *state)
{
    uint64_t r = ink__split_mix(state);
    if (r % 4 == 0)
        return NAN;
    if (r % 4 == 1)
        return 0;
    size_t nodes = f->root[f->trees];
    for (size_t tries = 0; tries < 8; tries++) {
        const ink__forest_node *n = &f->node[ink__split_mix(state) % nodes];
        if (n->left >= 0 && n->feature == col)
            return r % 4 == 2 ? n->value : nextafterf(n->value, -INFINITY);
    }
    return (float)((double)(ink__split_mix(state) % 2001) - 1000.0);
}

#define PROBE_ROWS 512

/* Compiles b's trees into b->forest and checks it against XGBoost on
 * probe rows; on any difference the forest is dropped and XGBoost keeps
 * scoring (a newer XGBoost's model that this reader does not know). */
static ink_status build_forest(ink__boost *b, size_t cols, ink_error *err)
{
    ink__forest_cleanup(&b->forest);
    bst_ulong n = 0;
    const char *data = NULL;
    char *json = NULL;
    pthread_mutex_lock(&boost_lock);
    int rc = XGBoosterSaveModelToBuffer(b->booster, "{\"format\": \"json\"}",
                                        &n, &data);
    if (rc == 0 && (json = malloc((size_t)n + 1)) != NULL) {
        memcpy(json, data, n);
        json[n] = '\0';
    }
    pthread_mutex_unlock(&boost_lock);
    if (rc != 0)
        return xgb_failed(err, "save");
    if (!json)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    ink__forest f;
    ink_status st = ink__forest_parse(json, (size_t)n, cols, &f);
    free(json);
    if (st == INK_NOMEM)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (st != INK_OK || f.trees == 0)
        return INK_OK; /* XGBoost's predictor stays */
    ink__matrix probe = {PROBE_ROWS, cols, NULL, NULL};
    probe.x = ink__alloc_array(PROBE_ROWS, cols * sizeof(float));
    double *mine = ink__alloc_array(PROBE_ROWS, sizeof(double));
    double *theirs = ink__alloc_array(PROBE_ROWS, sizeof(double));
    if (!probe.x || !mine || !theirs) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    uint64_t state = 20240601;
    for (size_t r = 0; r < PROBE_ROWS; r++)
        for (size_t j = 0; j < cols; j++)
            probe.x[r * cols + j] = probe_value(&f, j, &state);
    st = predict(b, &probe, 1, 0, theirs, 1, err);
    if (st == INK_OK &&
        (st = ink__forest_predict(&f, &probe, 1, mine)) != INK_OK)
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (st != INK_OK)
        goto done;
    for (size_t r = 0; r < PROBE_ROWS; r++)
        if (!(fabs(mine[r] - theirs[r]) <= INK__FOREST_TOLERANCE))
            goto done; /* keep XGBoost's predictor */
    b->forest = f;
    memset(&f, 0, sizeof f);
done:
    ink__forest_cleanup(&f);
    free(probe.x);
    free(mine);
    free(theirs);
    return st;
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
    memset(out, 0, sizeof *out);
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
    int rounds = 0;
    if (XGBoosterBoostedRounds(h, &rounds) == 0)
        out->rounds = rounds;
    bst_ulong features = 0;
    if (XGBoosterGetNumFeature(h, &features) != 0 ||
        features > INK_MODEL_MAX_FEATURES) {
        ink__boost_cleanup(out);
        return ink__error_set(err, INK_DATA, NULL,
                              "the boosted trees do not load: bad feature "
                              "count");
    }
    st = build_forest(out, (size_t)features, err);
    if (st != INK_OK)
        ink__boost_cleanup(out);
    return st;
}

void ink__boost_cleanup(ink__boost *b)
{
    if (b->booster)
        XGBoosterFree(b->booster);
    b->booster = NULL;
    ink__forest_cleanup(&b->forest);
    b->rounds = 0;
}
