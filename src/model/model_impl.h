/* What the files of the propensity models share: the feature matrix, the
 * two learners, calibration, metrics and the model itself. */
#ifndef INK_MODEL_IMPL_H
#define INK_MODEL_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/model.h"

/* A dense float matrix, row-major; NaN is a missing value. */
typedef struct ink__matrix {
    size_t rows, cols;
    float *x; /* rows * cols */
    float *y; /* rows labels (0 or 1), or NULL */
} ink__matrix;

void ink__matrix_cleanup(ink__matrix *m);
/* rows of src picked by index into dst (dst's own memory). */
ink_status ink__matrix_gather(const ink__matrix *src, const size_t *index,
                              size_t count, ink__matrix *dst);

/* A view of consecutive rows [begin, begin + count) of m. */
static inline ink__matrix ink__matrix_rows(const ink__matrix *m, size_t begin,
                                           size_t count)
{
    ink__matrix v = {count, m->cols, m->x + begin * m->cols,
                     m->y ? m->y + begin : NULL};
    return v;
}

/* L2-regularised logistic regression on standardised features. */
typedef struct ink__logistic {
    size_t cols;
    double *mean, *scale, *weight; /* cols each; missing -> mean */
    double bias;
} ink__logistic;

ink_status ink__logistic_fit(const ink__matrix *m, double l2,
                             ink__logistic *out, ink_error *err);
/* The log-odds of row x. */
double ink__logistic_margin(const ink__logistic *lr, const float *x);
void ink__logistic_cleanup(ink__logistic *lr);

/* The boosted trees as flat node arrays (forest.c): scoring without
 * XGBoost's per-call overhead and OpenMP pool. */
typedef struct ink__forest_node {
    float value;         /* split threshold, or the leaf's value */
    int32_t left, right; /* absolute node indices; -1 at a leaf */
    uint16_t feature;
    uint8_t default_left; /* where a missing value goes */
} ink__forest_node;

typedef struct ink__forest {
    size_t trees, cols;
    uint32_t *root; /* trees + 1 offsets into node */
    ink__forest_node *node;
    float base_margin; /* logit of XGBoost's base_score */
    /* The same trees as complete binary trees of depth `depth` (a leaf
     * above it repeated down both sides), walked without branches:
     * per tree 2^depth - 1 splits (feature, threshold, default left)
     * then 2^depth leaves. depth 0: not compiled (deeper than
     * INK__FOREST_MAX_DEPTH), the nodes are walked instead. */
    int depth;
    uint16_t *split_feature;
    float *split_value;
    uint8_t *split_default_left;
    float *leaf;
} ink__forest;

#define INK__FOREST_MAX_DEPTH 10

/* Reads the trees of XGBoost's JSON model (NUL-terminated, len bytes).
 * INK_DATA when it is not plain binary:logistic numerical trees over at
 * most cols features (the caller then keeps XGBoost's predictor). */
ink_status ink__forest_parse(const char *json, size_t len, size_t cols,
                             ink__forest *out);
/* Probabilities of the rows of m (sigmoid of the summed leaves, in float
 * as XGBoost computes them) on up to threads threads. */
ink_status ink__forest_predict(const ink__forest *f, const ink__matrix *m,
                               int threads, double *prob);
void ink__forest_cleanup(ink__forest *f);
/* Largest difference from XGBoost's own probability that the compiled
 * trees may show (float rounding of the sigmoid). */
#define INK__FOREST_TOLERANCE 1e-6
/* Worker threads for work items: threads (0 = one per core), at most
 * one per min_per_thread items, at least 1. */
int ink__thread_count(int threads, size_t work, size_t min_per_thread);

/* Gradient-boosted trees (boost.c, the only XGBoost user). */
typedef struct ink__boost {
    void *booster;      /* BoosterHandle */
    ink__forest forest; /* the same trees for scoring (trees 0: none) */
    int rounds;         /* trees kept (after early stopping) */
} ink__boost;

/* Fits on m with early stopping on stop (may be NULL): boosting ends
 * when stop's log loss has not improved for INK__EARLY_STOP rounds, and
 * the trees up to the best round are kept. */
#define INK__EARLY_STOP 10
ink_status ink__boost_fit(const ink__matrix *m, const ink__matrix *stop,
                          const ink_model_options *opt, ink__boost *out,
                          ink_error *err);
/* Probabilities of the rows of m into prob (m->rows). */
ink_status ink__boost_predict(const ink__boost *b, const ink__matrix *m,
                              int threads, double *prob, ink_error *err);
/* SHAP contributions (Lundberg & Lee 2017, XGBoost pred_contribs) of the
 * rows of m into contrib (m->rows x m->cols; the bias is dropped). */
ink_status ink__boost_contributions(const ink__boost *b, const ink__matrix *m,
                                    int threads, double *contrib,
                                    ink_error *err);
/* Total gain per feature into gain (cols, zero when unused). */
ink_status ink__boost_importance(const ink__boost *b, size_t cols, double *gain,
                                 ink_error *err);
/* The booster as bytes (*buf malloc'ed, caller frees). */
ink_status ink__boost_save(const ink__boost *b, char **buf, size_t *len,
                           ink_error *err);
ink_status ink__boost_load(const char *buf, size_t len, int threads,
                           ink__boost *out, ink_error *err);
void ink__boost_cleanup(ink__boost *b);

/* One in this many training rows calibrates instead of fitting (at
 * least one row). */
#define INK__CALIBRATION_DIVISOR 5

/* Isotonic calibration: a non-decreasing piecewise-linear map. */
typedef struct ink__calibration {
    size_t count;
    double *score, *prob; /* knots, score increasing */
} ink__calibration;

ink_status ink__calibration_fit(const double *score, const float *y, size_t n,
                                ink__calibration *out);
double ink__calibration_apply(const ink__calibration *c, double score);
void ink__calibration_cleanup(ink__calibration *c);

/* metrics.c */
double ink__auc(const double *p, const float *y, size_t n, int *ok);
ink_status ink__metrics_compute(const double *p, const float *y, size_t n,
                                ink_model_metrics *out);

/* Categorical features turned into smoothed rates of the label. */
#define INK__CAT_COUNT 4 /* sector, region, risk_class, handler */
typedef struct ink__encoder {
    size_t count;
    char **value; /* the category's text */
    double *rate;
    double prior;
} ink__encoder;

void ink__encoder_cleanup(ink__encoder *e);

/* Feature rows of a portfolio at snapshots (features.c). */
typedef struct ink__features {
    ink__matrix m;
    uint32_t *case_index; /* per row */
    uint8_t *snapshot;    /* per row: index into the snapshot list */
    int64_t *outstanding; /* per row, at the snapshot */
    int64_t *collected;   /* per row, in the label window (labels only) */
    uint32_t *cat_code[INK__CAT_COUNT]; /* per row, dictionary codes */
} ink__features;

#define INK__FEATURE_COUNT 33
extern const char *const ink__feature_names[INK__FEATURE_COUNT];
/* Column of each categorical feature. */
extern const size_t ink__cat_column[INK__CAT_COUNT];

/*
 * Rows of every case open at each snapshot with something outstanding
 * (every_case: of every case placed by then), snapshot by snapshot in
 * case order; features up to the snapshot date; with labels, the label
 * of the horizon after it. The categorical columns hold NaN until
 * ink__features_encode. Up to threads threads (0: one per core) work on
 * ranges of cases.
 */
ink_status ink__features_build(const ink_portfolio *p, const int32_t *snapshots,
                               size_t count, int32_t horizon,
                               int32_t min_share_pct, int labels,
                               int every_case, int threads, ink__features *out,
                               ink_error *err);
/* The rates of the first fit_rows rows (the rows enc was fitted on),
 * out of fold: each from the labels of the other folds, so that no fit
 * row's rate holds its own label; after ink__features_encode. */
ink_status ink__features_encode_fit(const ink_portfolio *p, ink__features *f,
                                    size_t fit_rows,
                                    const ink__encoder enc[INK__CAT_COUNT]);
/* Fits the encoders on rows [0, train_rows) (labels needed). */
ink_status ink__encoders_fit(const ink_portfolio *p, const ink__features *f,
                             size_t train_rows,
                             ink__encoder enc[INK__CAT_COUNT]);
/* Fills the categorical columns of every row from the encoders. */
ink_status ink__features_encode(const ink_portfolio *p, ink__features *f,
                                const ink__encoder enc[INK__CAT_COUNT]);
/* Swaps rows i and j of every array of f. */
void ink__features_swap(ink__features *f, size_t i, size_t j);
void ink__features_cleanup(ink__features *f);

/* Whether case c of cs is open on day: placed by then, not yet closed. */
static inline int ink__case_open(const ink_cases *cs, size_t c, int32_t day)
{
    return cs->opened_on[c] <= day &&
           (cs->closed_on[c] == INK_DATE_NONE || cs->closed_on[c] > day);
}

/* The dictionary of categorical feature k of p's cases. */
const ink_text_column *ink__cat_column_of(const ink_portfolio *p, size_t k);

struct ink_model {
    ink_model_kind kind;
    int portfolio; /* 1: portfolio features, 0: a table's columns */
    size_t cols;
    char (*names)[INK_MODEL_NAME_MAX];
    ink__logistic logit;
    ink__boost boost;
    ink__calibration cal;
    /* Portfolio models. */
    int32_t horizon_days, min_share_pct;
    double positive_share; /* mean collected / outstanding of positives */
    ink__encoder enc[INK__CAT_COUNT];
    /* Table models. */
    char label[INK_MODEL_NAME_MAX];
};

/* Raw (uncalibrated) probabilities then calibrated ones of rows of x. */
ink_status ink__model_predict(const ink_model *m, const ink__matrix *x,
                              int threads, double *prob, ink_error *err);

/* Per-feature contributions to the log-odds of the rows of x
 * (rows x cols): SHAP for boosted trees, w (x - mean) / scale for the
 * logistic regression. */
ink_status ink__model_contributions(const ink_model *m, const ink__matrix *x,
                                    int threads, double *contrib,
                                    ink_error *err);

/* model.c, shared with table.c. */
/* *opt, or the defaults (written to *defaults) when *opt is NULL, checked:
 * INK_USAGE with err set when an option is out of range. */
ink_status ink__options_resolve(const ink_model_options **opt,
                                ink_model_options *defaults, ink_error *err);
/* INK_DATA unless y has both outcomes; what names the rows. */
ink_status ink__check_classes(const float *y, size_t n, const char *what,
                              ink_error *err);
/* Fits both kinds on fit, calibrates them on cal, evaluates both on test
 * (may be NULL) into report (may be NULL), keeps opt->kind in *out. */
ink_status ink__fit_both(const ink__matrix *fit, const ink__matrix *cal,
                         const ink__matrix *test, const ink_model_options *opt,
                         int portfolio, const char (*names)[INK_MODEL_NAME_MAX],
                         ink_model **out, ink_model_report *report,
                         ink_error *err);
ink_model *ink__model_new(ink_model_kind kind, int portfolio, size_t cols);

/* ink_model_score that also hands over the feature rows (keep, may be
 * NULL; row r is scores[r]). */
ink_status ink__model_score(const ink_model *m, const ink_portfolio *p,
                            int32_t as_of, int threads, ink_case_score **out,
                            size_t *count, ink__features *keep, ink_error *err);
int32_t ink__portfolio_latest(const ink_portfolio *p);

/* The whole file at path into *out (persist.c; malloc'ed, caller
 * frees) and *size, read while it fits in max bytes; else INK_IO,
 * INK_NOMEM, or INK_LIMIT "larger than <limit>" with *out NULL. */
ink_status ink__read_file(const char *path, size_t max, const char *limit,
                          char **out, size_t *size, ink_error *err);

/* Output helpers (contact_plan.c). */
const char *ink__weekday_name(int day);

/* Seconds of CLOCK_MONOTONIC and of the process's CPU time. */
double ink__wall_seconds(void);
double ink__cpu_seconds(void);

/* Seeded shuffle (splitmix64) of n indices. */
void ink__shuffle(size_t *index, size_t n, uint64_t seed);
uint64_t ink__split_mix(uint64_t *state);

#endif
