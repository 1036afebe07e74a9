/* Propensity to pay: training, evaluating and applying models, the
 * prioritised worklist and the best contact channel and time. */
#ifndef INKASSO_MODEL_H
#define INKASSO_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Ownership: every object returned through an `out` pointer is owned by
 * the caller and freed with its own ink_<thing>_free (NULL is a no-op).
 * Objects are immutable once built: a model, dataset, worklist or contact
 * plan may be read by many threads at once. Training and scoring use up
 * to `threads` worker threads of their own (XGBoost's OpenMP pool).
 */

/* Hard limits: a hostile file cannot take all memory. */
#define INK_MODEL_MAX_FEATURES 256
#define INK_MODEL_NAME_MAX 64
#define INK_MODEL_MAX_SNAPSHOTS 24
#define INK_MODEL_BINS 10
#define INK_MODEL_MAX_FOLDS 20
#define INK_DATASET_MAX_ROWS 50000000u

typedef struct ink_model ink_model;

typedef enum ink_model_kind {
    INK_MODEL_BOOSTED = 0, /* gradient-boosted trees (XGBoost) */
    INK_MODEL_LOGISTIC = 1 /* L2-regularised logistic regression */
} ink_model_kind;

/* "boosted" or "logistic"; never NULL. */
const char *ink_model_kind_name(ink_model_kind kind);

typedef struct ink_model_options {
    ink_model_kind kind; /* the model kept (both are evaluated) */
    /* Label: the case collects at least min_share_pct % of what is
     * outstanding at the snapshot within horizon_days after it. */
    int32_t horizon_days;  /* 1..365, default 30 */
    int32_t min_share_pct; /* 1..100, default 10 */
    /* Snapshots: snapshot_count dates, snapshot_step days apart (0 =
     * horizon_days), the last one last_snapshot (INK_DATE_NONE: the
     * portfolio's latest date minus horizon_days). The last
     * test_snapshots are held out for evaluation; the others train. */
    size_t snapshot_count; /* 2..INK_MODEL_MAX_SNAPSHOTS, default 6 */
    size_t test_snapshots; /* 1..snapshot_count - 1, default 2 */
    int32_t snapshot_step;
    int32_t last_snapshot;
    /* Boosted trees: at most rounds trees (boosting stops earlier when
     * the calibration rows' log loss has not improved for 10 rounds),
     * depth, learning rate. */
    int rounds;           /* default 100 */
    int max_depth;        /* default 5 */
    double learning_rate; /* default 0.3 */
    /* Logistic regression: the L2 penalty on standardised weights. */
    double l2;     /* default 1.0 */
    uint64_t seed; /* folds, calibration split, subsampling; default 1 */
    int threads;   /* 0 = one per core */
} ink_model_options;

/* The defaults above. */
void ink_model_options_init(ink_model_options *opt);

/* Quality of calibrated probabilities on held-out rows. */
typedef struct ink_model_metrics {
    size_t rows, positives;
    double auc;      /* ROC AUC, ties counted half */
    double pr_auc;   /* average precision */
    double log_loss; /* mean -ln p of the outcome, p clipped to 1e-15 */
    double brier;    /* mean (p - y)^2 */
    /* Calibration table: rows by predicted probability in tenths
     * [0, 0.1), ..., [0.9, 1]: count, mean predicted, observed rate. */
    size_t bin_rows[INK_MODEL_BINS];
    double bin_predicted[INK_MODEL_BINS];
    double bin_observed[INK_MODEL_BINS];
    /* Lift by decile of the ranking (decile 0 = the top 10 %): the
     * decile's observed rate over the overall rate. */
    size_t decile_rows[INK_MODEL_BINS];
    double decile_rate[INK_MODEL_BINS];
    double decile_lift[INK_MODEL_BINS];
} ink_model_metrics;

/* Seconds spent by ink_model_train (wall clock, CLOCK_MONOTONIC), step
 * by step, and the CPU seconds of the whole process during the call. */
typedef struct ink_model_timings {
    double features;     /* feature rows of every snapshot, encoding */
    double fit_boosted;  /* boosting, early stopping included */
    double fit_logistic; /* Newton-Raphson */
    double calibration;  /* both models: scores of the calibration rows,
                            isotonic regression */
    double evaluation;   /* both models on the held-out rows, metrics */
    double total;        /* the whole call */
    double cpu;          /* process CPU time (all threads) */
} ink_model_timings;

/* What training saw and how both models did on the held-out rows. */
typedef struct ink_model_report {
    ink_model_timings timings;
    int boosted_rounds; /* trees kept after early stopping */
    size_t snapshot_count, test_snapshots;
    int32_t snapshots[INK_MODEL_MAX_SNAPSHOTS]; /* portfolio training */
    size_t train_rows, calibration_rows, test_rows;
    double train_rate; /* share of positive training rows */
    ink_model_metrics boosted, logistic;
    /* Feature importance of the kept model, largest first: XGBoost's
     * total gain share, or |weight| share of the standardised logistic
     * regression; they sum to 1. */
    size_t feature_count;
    char feature[INK_MODEL_MAX_FEATURES][INK_MODEL_NAME_MAX];
    double importance[INK_MODEL_MAX_FEATURES];
} ink_model_report;

/*
 * Builds training rows from p at every snapshot (features from what was
 * known on or before the snapshot date only, the label from the
 * horizon_days after it), trains both models on the earlier snapshots
 * (a fifth of their rows calibrates: isotonic regression), evaluates
 * both on the later snapshots, and keeps opt->kind in *out. report may
 * be NULL. INK_USAGE for bad options, INK_DATA when a snapshot has no
 * open case or the training rows have a single class, INK_NOMEM,
 * INK_INTERNAL when XGBoost fails (its message in err). opt may be NULL.
 */
ink_status ink_model_train(const ink_portfolio *p, const ink_model_options *opt,
                           ink_model **out, ink_model_report *report,
                           ink_error *err);

void ink_model_free(ink_model *m);

/* Whether m was trained on a portfolio (1) or a table (0). */
int ink_model_is_portfolio(const ink_model *m);
ink_model_kind ink_model_kind_of(const ink_model *m);

/*
 * Writes m to path (atomically: path.tmp, then renamed). INK_IO when the
 * file cannot be written.
 */
ink_status ink_model_save(const ink_model *m, const char *path, ink_error *err);

/*
 * Reads a model written by ink_model_save. INK_IO when unreadable,
 * INK_DATA with the line when the file is not a model (or is damaged).
 */
ink_status ink_model_load(const char *path, ink_model **out, ink_error *err);

/* One open case scored as of a date. */
typedef struct ink_case_score {
    uint32_t case_index; /* row in ink_portfolio_cases */
    double probability;  /* calibrated, of the label */
    int64_t outstanding; /* amount minus payments up to as_of */
    int64_t expected;    /* probability x the mean share collected by
                            paying training cases x outstanding */
} ink_case_score;

/*
 * Scores every case open at as_of (INK_DATE_NONE: the portfolio's latest
 * date) with a portfolio model, in case order. *out is an array of
 * *count scores, freed with free(). INK_USAGE when m is a table model.
 */
ink_status ink_model_score(const ink_model *m, const ink_portfolio *p,
                           int32_t as_of, int threads, ink_case_score **out,
                           size_t *count, ink_error *err);

/* A numeric table read from CSV (train-table, predict-table). */
typedef struct ink_dataset ink_dataset;

/*
 * Reads a CSV file with a header: every cell a decimal number or empty
 * (missing). label (may be NULL) names the 0/1 outcome column; columns
 * named in ignore (ignore_count of them) are skipped unread. INK_IO when
 * unreadable, INK_DATA with file:line:column for a bad cell, an unknown
 * label or ignore column, or a label that is not 0 or 1; INK_LIMIT past
 * INK_DATASET_MAX_ROWS rows or INK_MODEL_MAX_FEATURES columns.
 */
ink_status ink_dataset_load(const char *path, const char *label,
                            const char *const *ignore, size_t ignore_count,
                            ink_dataset **out, ink_error *err);
void ink_dataset_free(ink_dataset *d);
size_t ink_dataset_rows(const ink_dataset *d);

/* Mean ROC AUC of both models over stratified folds. */
typedef struct ink_model_cv {
    size_t folds;
    double boosted_auc[INK_MODEL_MAX_FOLDS];
    double logistic_auc[INK_MODEL_MAX_FOLDS];
    double boosted_mean, logistic_mean;
} ink_model_cv;

/*
 * Stratified k-fold cross-validation (folds 2..INK_MODEL_MAX_FOLDS, rows
 * shuffled with opt->seed) of both models on d, which needs a label.
 * INK_USAGE without a label or with bad options, INK_DATA with one class.
 */
ink_status ink_model_cross_validate(const ink_dataset *d,
                                    const ink_model_options *opt, size_t folds,
                                    ink_model_cv *out, ink_error *err);

/*
 * Trains opt->kind on every row of d (a fifth calibrates); report (may be
 * NULL) gets the importance and the metrics on the calibration rows.
 */
ink_status ink_model_train_table(const ink_dataset *d,
                                 const ink_model_options *opt, ink_model **out,
                                 ink_model_report *report, ink_error *err);

/*
 * Probabilities of a table model for every row of d, in row order, into
 * prob (ink_dataset_rows(d) doubles). d's columns are matched by name;
 * INK_DATA when one of the model's is missing, INK_USAGE for a portfolio
 * model.
 */
ink_status ink_model_predict_table(const ink_model *m, const ink_dataset *d,
                                   int threads, double *prob, ink_error *err);

/* Best contact channel and time: response rates by segment x channel x
 * weekday x time slot, shrunk towards the segment's channel rate. */
#define INK_PLAN_SLOTS 6 /* 06-09, 09-12, 12-15, 15-18, 18-21, 21-24 */
#define INK_PLAN_MAX_CHANNELS 16

typedef struct ink_contact_plan ink_contact_plan;

typedef struct ink_plan_options {
    int32_t as_of; /* INK_DATE_NONE: the latest date; attempts after it
                      are not counted */
    /* Bayesian shrinkage: a cell's rate is (responses + prior_strength x
     * segment-channel rate) / (attempts + prior_strength). */
    double prior_strength; /* default 50 */
} ink_plan_options;

void ink_plan_options_init(ink_plan_options *opt);

/* The recommendation of one open case. */
typedef struct ink_plan_entry {
    uint32_t case_index;
    const char *channel; /* NULL when no channel can reach the case */
    int weekday;         /* 0 = Monday */
    int hour_from, hour_to;
    double response_rate; /* shrunk rate of that cell */
    int64_t cost;         /* mean cost of an attempt on the channel,
                             INK_MONEY_NONE when none is known */
} ink_plan_entry;

/*
 * Counts outbound attempts and responses (outcome responded) per cell
 * from every contact on or before as_of, and recommends to each case open
 * at as_of the channel and slot with the highest shrunk rate among the
 * channels not known invalid for it. INK_USAGE for bad options.
 */
ink_status ink_contact_plan_build(const ink_portfolio *p,
                                  const ink_plan_options *opt,
                                  ink_contact_plan **out, ink_error *err);
void ink_contact_plan_free(ink_contact_plan *plan);
int32_t ink_contact_plan_as_of(const ink_contact_plan *plan);
size_t ink_contact_plan_count(const ink_contact_plan *plan);
const ink_plan_entry *ink_contact_plan_entry(const ink_contact_plan *plan,
                                             size_t i);
/* The plan of one case (index in ink_portfolio_cases), NULL when the case
 * is not open at as_of. */
const ink_plan_entry *ink_contact_plan_find(const ink_contact_plan *plan,
                                            uint32_t case_index);
/* The rate table and the recommendations as JSON or CSV (one row per
 * case). INK_IO when writing fails. */
ink_status ink_contact_plan_write_json(const ink_contact_plan *plan,
                                       const ink_portfolio *p, size_t limit,
                                       FILE *out);
ink_status ink_contact_plan_write_csv(const ink_contact_plan *plan,
                                      const ink_portfolio *p, FILE *out);

/* The worklist: open cases ranked by expected collection per contact
 * cost, with the reasons in words. */
typedef struct ink_worklist ink_worklist;

#define INK_WORKLIST_REASONS 2
#define INK_WORKLIST_REASON_MAX 96

typedef struct ink_worklist_options {
    int32_t as_of;   /* INK_DATE_NONE: the latest date */
    size_t capacity; /* cases kept (per handler with by_handler); 0 = all */
    int by_handler;  /* 1: ranked and cut per handler */
    /* Contact cost when the channel's is unknown or below it: 0.10 in
     * 1/10000 units (1000), so a free channel does not rank infinite. */
    int64_t min_cost;
    ink_plan_options plan;
    int threads;
} ink_worklist_options;

void ink_worklist_options_init(ink_worklist_options *opt);

typedef struct ink_worklist_entry {
    uint32_t case_index;
    size_t rank; /* 1-based, within the handler with by_handler */
    ink_case_score score;
    int64_t cost;          /* contact cost used */
    double value_per_cost; /* expected / cost */
    const ink_plan_entry *plan;
    char reasons[INK_WORKLIST_REASONS][INK_WORKLIST_REASON_MAX];
} ink_worklist_entry;

/*
 * Scores the open cases with m (a portfolio model), plans their contact,
 * ranks them by expected / cost (ties: case order) and keeps the first
 * capacity (per handler). INK_USAGE for a table model or bad options.
 */
ink_status ink_worklist_build(const ink_model *m, const ink_portfolio *p,
                              const ink_worklist_options *opt,
                              ink_worklist **out, ink_error *err);
void ink_worklist_free(ink_worklist *wl);
int32_t ink_worklist_as_of(const ink_worklist *wl);
size_t ink_worklist_count(const ink_worklist *wl);
const ink_worklist_entry *ink_worklist_entry_at(const ink_worklist *wl,
                                                size_t i);
ink_status ink_worklist_write_json(const ink_worklist *wl,
                                   const ink_portfolio *p, FILE *out);
ink_status ink_worklist_write_csv(const ink_worklist *wl,
                                  const ink_portfolio *p, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
