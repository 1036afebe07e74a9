/* A synthetic, realistic portfolio generator (the built-in sample). */
#ifndef INKASSO_GEN_H
#define INKASSO_GEN_H

#include <stdint.h>

#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ink_gen_options {
    uint64_t cases;   /* number of cases, >= 1 */
    uint64_t seed;    /* same seed and options: byte-identical files */
    int32_t end_date; /* last placement day (days since 1970-01-01) */
    int32_t months;   /* placements span this many months up to end_date */
    int with_costs;   /* also write costs.csv */
    /* Optional ground truth of channel attribution: when not NULL, also
     * write this CSV file (any path; same temporary-name-then-rename
     * rule as the portfolio files), one row per converting case with
     * the channel the model credits for the conversion and its value
     * over truth_horizon days (see docs/gen.md). The portfolio files
     * are byte-identical with and without it. */
    const char *truth_path;
    int32_t truth_horizon; /* days of payments in a conversion's value,
                              1 to 3650; default 30 */
    /* Optional latent truth per case: when not NULL, also write this CSV
     * file (same rules as truth_path; a different path), one row per
     * case with the debtor's hidden traits, the case's propensity z, the
     * logged action and, with truth_draws > 0, the share of truth_draws
     * replicas of the case's collection that paid (see docs/gen.md).
     * The portfolio files and the truth file are byte-identical with and
     * without it. */
    const char *truth_cases_path;
    uint32_t truth_draws; /* replicas per case, 0 to 10000; default 100 */
    /* Optional progress: called from the calling thread. */
    void (*progress)(void *ctx, uint64_t cases_done, uint64_t cases_total);
    void *progress_ctx;
} ink_gen_options;

/* Defaults: 10000 cases, seed 1, end 2025-06-30, 18 months, with costs,
 * no truth file (truth horizon 30 days), no latent truth file (100
 * replicas per case). */
void ink_gen_options_init(ink_gen_options *opt);

/*
 * Writes cases.csv, payments.csv, contacts.csv and (optionally)
 * costs.csv into outdir (created if missing), valid per the data
 * contract, the truth file when opt->truth_path is set and the latent
 * truth file when opt->truth_cases_path is set. Files are
 * written to temporary names and renamed into place, so a kill never
 * leaves a half-written file under the final name. Deterministic per
 * (options, seed), independent of threads. opt may be NULL (defaults).
 * Errors: INK_USAGE for an invalid option (truth_horizon or truth_draws
 * out of range, an empty truth_path or truth_cases_path, both truth
 * paths the same), INK_LIMIT for too many cases or a path too
 * long, INK_IO when a file cannot be written, INK_NOMEM.
 */
ink_status ink_gen_write(const char *outdir, const ink_gen_options *opt,
                         ink_error *err);

/* Rows written by one run. */
typedef struct ink_gen_counts {
    uint64_t cases;
    uint64_t debtors; /* distinct debtor_id values */
    uint64_t payments;
    uint64_t contacts;
    uint64_t costs;       /* rows of costs.csv; 0 without costs */
    uint64_t conversions; /* rows of the truth file; 0 without it */
} ink_gen_counts;

/*
 * ink_gen_write that also reports the rows written: *counts is filled on
 * success only; counts may be NULL. ink_gen_write(d, o, e) is
 * ink_gen_write_counts(d, o, NULL, e).
 */
ink_status ink_gen_write_counts(const char *outdir, const ink_gen_options *opt,
                                ink_gen_counts *counts, ink_error *err);

#ifdef __cplusplus
}
#endif
#endif
