/* Isotonic calibration: pool-adjacent-violators on (score, outcome)
 * pairs (Zadrozny & Elkan 2002, "Transforming classifier scores into
 * accurate multiclass probability estimates", KDD), applied as a
 * piecewise-linear map through the pooled blocks' centres, so that the
 * map is strictly increasing between them and keeps the ranking. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "model/model_impl.h"

/* Probabilities are kept off 0 and 1: a calibration set of a few
 * thousand rows cannot show that something never happens. */
#define PROB_FLOOR 1e-3

typedef struct pair {
    double score;
    float y;
} pair;

static int by_score(const void *a, const void *b)
{
    double x = ((const pair *)a)->score, y = ((const pair *)b)->score;
    return (x > y) - (x < y);
}

void ink__calibration_cleanup(ink__calibration *c)
{
    free(c->score);
    free(c->prob);
    memset(c, 0, sizeof *c);
}

ink_status ink__calibration_fit(const double *score, const float *y, size_t n,
                                ink__calibration *out)
{
    memset(out, 0, sizeof *out);
    pair *v = ink__alloc_array(n, sizeof *v);
    double *bs = ink__alloc_array(n, sizeof *bs); /* block score sums */
    double *by = ink__alloc_array(n, sizeof *by); /* block outcome sums */
    double *bw = ink__alloc_array(n, sizeof *bw); /* block weights */
    if (!v || !bs || !by || !bw) {
        free(v);
        free(bs);
        free(by);
        free(bw);
        return INK_NOMEM;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (pair){score[i], y[i]};
    qsort(v, n, sizeof *v, by_score);
    size_t blocks = 0;
    for (size_t i = 0; i < n; i++) {
        /* Equal scores form one block first: they must map alike. */
        if (blocks && bs[blocks - 1] / bw[blocks - 1] == v[i].score) {
            bs[blocks - 1] += v[i].score;
            by[blocks - 1] += v[i].y;
            bw[blocks - 1] += 1;
        } else {
            bs[blocks] = v[i].score;
            by[blocks] = v[i].y;
            bw[blocks] = 1;
            blocks++;
        }
        while (blocks > 1 && by[blocks - 2] / bw[blocks - 2] >=
                                 by[blocks - 1] / bw[blocks - 1]) {
            bs[blocks - 2] += bs[blocks - 1];
            by[blocks - 2] += by[blocks - 1];
            bw[blocks - 2] += bw[blocks - 1];
            blocks--;
        }
    }
    free(v);
    out->score = ink__alloc_array(blocks, sizeof(double));
    out->prob = ink__alloc_array(blocks, sizeof(double));
    if (!out->score || !out->prob) {
        free(bs);
        free(by);
        free(bw);
        ink__calibration_cleanup(out);
        return INK_NOMEM;
    }
    for (size_t b = 0; b < blocks; b++) {
        out->score[b] = bs[b] / bw[b];
        out->prob[b] = by[b] / bw[b];
    }
    out->count = blocks;
    free(bs);
    free(by);
    free(bw);
    return INK_OK;
}

double ink__calibration_apply(const ink__calibration *c, double score)
{
    double p;
    if (c->count == 0) {
        p = score;
    } else if (score <= c->score[0]) {
        p = c->prob[0];
    } else if (score >= c->score[c->count - 1]) {
        p = c->prob[c->count - 1];
    } else {
        size_t lo = 0, hi = c->count - 1; /* score[lo] < score < score[hi] */
        while (hi - lo > 1) {
            size_t mid = lo + (hi - lo) / 2;
            if (c->score[mid] <= score)
                lo = mid;
            else
                hi = mid;
        }
        double t = (score - c->score[lo]) / (c->score[hi] - c->score[lo]);
        p = c->prob[lo] + t * (c->prob[hi] - c->prob[lo]);
    }
    if (!(p >= PROB_FLOOR))
        p = PROB_FLOOR;
    if (p > 1 - PROB_FLOOR)
        p = 1 - PROB_FLOOR;
    return p;
}
