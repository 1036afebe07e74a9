/* Scoring benchmark: feature rows of every case of a portfolio (open or
 * not) as of its latest date, scored by a trained model, step by step;
 * best wall and CPU seconds of several runs. Uses the library's internal
 * header for the every-case rows.
 * usage: score_bench DIR MODEL [THREADS] [RUNS] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "inkasso/model.h"
#include "inkasso/portfolio.h"
#include "model/model_impl.h"

typedef struct best {
    double wall, cpu;
} best;

static void keep(best *b, double w0, double c0)
{
    double w = ink__wall_seconds() - w0, c = ink__cpu_seconds() - c0;
    if (b->wall == 0 || w < b->wall)
        b->wall = w;
    if (b->cpu == 0 || c < b->cpu)
        b->cpu = c;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: score_bench DIR MODEL [THREADS] [RUNS]\n");
        return 2;
    }
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    int runs = argc > 4 ? atoi(argv[4]) : 3;
    ink_error err;
    ink_load_options lopt;
    ink_load_options_init(&lopt);
    lopt.threads = threads;
    ink_portfolio *p = NULL;
    ink_model *m = NULL;
    double w0 = ink__wall_seconds();
    if (ink_portfolio_load(argv[1], &lopt, &p, &err) != INK_OK ||
        ink_model_load(argv[2], &m, &err) != INK_OK) {
        fprintf(stderr, "score_bench: %s\n", err.message);
        return 1;
    }
    double load = ink__wall_seconds() - w0;
    int32_t as_of = ink__portfolio_latest(p);
    best open = {0, 0}, feat = {0, 0}, pred = {0, 0}, xgb = {0, 0};
    size_t open_count = 0, rows = 0;
    double max_diff = 0;
    for (int run = 0; run < runs; run++) {
        ink_case_score *scores = NULL;
        double c0 = ink__cpu_seconds();
        w0 = ink__wall_seconds();
        if (ink_model_score(m, p, INK_DATE_NONE, threads, &scores, &open_count,
                            &err) != INK_OK) {
            fprintf(stderr, "score_bench: %s\n", err.message);
            return 1;
        }
        keep(&open, w0, c0);
        free(scores);

        ink__features f;
        c0 = ink__cpu_seconds();
        w0 = ink__wall_seconds();
        if (ink__features_build(p, &as_of, 1, m->horizon_days, m->min_share_pct,
                                0, 1, threads, &f, &err) != INK_OK ||
            ink__features_encode(p, &f, m->enc) != INK_OK) {
            fprintf(stderr, "score_bench: features failed\n");
            return 1;
        }
        keep(&feat, w0, c0);
        rows = f.m.rows;
        double *prob = malloc(rows * sizeof *prob);
        double *theirs = malloc(rows * sizeof *theirs);
        if (!prob || !theirs)
            return 1;
        c0 = ink__cpu_seconds();
        w0 = ink__wall_seconds();
        if (ink__model_predict(m, &f.m, threads, prob, &err) != INK_OK) {
            fprintf(stderr, "score_bench: %s\n", err.message);
            return 1;
        }
        keep(&pred, w0, c0);
        if (run == 0 && m->kind == INK_MODEL_BOOSTED &&
            m->boost.forest.trees > 0) {
            /* The same rows through XGBoost's own predictor. */
            ink__boost b = m->boost;
            b.forest.trees = 0;
            c0 = ink__cpu_seconds();
            w0 = ink__wall_seconds();
            if (ink__boost_predict(&b, &f.m, threads, theirs, &err) != INK_OK) {
                fprintf(stderr, "score_bench: %s\n", err.message);
                return 1;
            }
            keep(&xgb, w0, c0);
            ink__boost_predict(&m->boost, &f.m, threads, prob, &err);
            for (size_t r = 0; r < rows; r++)
                if (fabs(prob[r] - theirs[r]) > max_diff)
                    max_diff = fabs(prob[r] - theirs[r]);
        }
        free(prob);
        free(theirs);
        ink__features_cleanup(&f);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("load (portfolio and model)      %7.3f s\n", load);
    printf("score open cases (%zu)      %7.3f s wall %7.3f s cpu\n", open_count,
           open.wall, open.cpu);
    printf("every case (%zu rows):\n", rows);
    printf("  features + encoding           %7.3f s wall %7.3f s cpu\n",
           feat.wall, feat.cpu);
    printf("  predict (%zu trees, calibrated) %7.3f s wall %7.3f s cpu\n",
           m->kind == INK_MODEL_BOOSTED ? m->boost.forest.trees : 0, pred.wall,
           pred.cpu);
    printf("  scoring total                 %7.3f s wall %7.3f s cpu\n",
           feat.wall + pred.wall, feat.cpu + pred.cpu);
    if (xgb.wall > 0)
        printf("  XGBoost's predictor (raw)     %7.3f s wall %7.3f s cpu, "
               "max |difference| %.2g\n",
               xgb.wall, xgb.cpu, max_diff);
    printf("peak RSS %ld KiB (best of %d runs, %d threads)\n", ru.ru_maxrss,
           runs, threads);
    ink_model_free(m);
    ink_portfolio_free(p);
    return 0;
}
