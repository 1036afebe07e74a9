/* How good probabilities are: ROC AUC (Mann-Whitney, ties half; Hanley &
 * McNeil 1982), average precision (scikit-learn's
 * average_precision_score), log loss, Brier score (Brier 1950), the
 * calibration table and the lift by decile. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "model/model_impl.h"

typedef struct scored {
    double p;
    float y;
} scored;

/* Descending by probability. */
static int by_p_desc(const void *a, const void *b)
{
    double x = ((const scored *)a)->p, y = ((const scored *)b)->p;
    return (x < y) - (x > y);
}

static scored *sorted_desc(const double *p, const float *y, size_t n)
{
    scored *v = ink__alloc_array(n, sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = (scored){p[i], y[i]};
    qsort(v, n, sizeof *v, by_p_desc);
    return v;
}

/* AUC and average precision from rows sorted by descending p. */
static void ranking(const scored *v, size_t n, double *auc, double *ap)
{
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++) {
        pos += v[i].y;
        neg += 1 - v[i].y;
    }
    double pairs = 0, tp = 0, fp = 0, precision_sum = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double gpos = 0, gneg = 0;
        while (j < n && v[j].p == v[i].p) {
            gpos += v[j].y;
            gneg += 1 - v[j].y;
            j++;
        }
        /* Each positive of the group beats every negative ranked below
         * it and ties with the group's negatives. */
        pairs += gpos * (neg - fp - gneg) + 0.5 * gpos * gneg;
        tp += gpos;
        fp += gneg;
        if (gpos > 0)
            precision_sum += gpos * (tp / (tp + fp));
        i = j;
    }
    *auc = pos > 0 && neg > 0 ? pairs / (pos * neg) : NAN;
    *ap = pos > 0 ? precision_sum / pos : NAN;
}

double ink__auc(const double *p, const float *y, size_t n, int *ok)
{
    scored *v = sorted_desc(p, y, n);
    *ok = v != NULL;
    if (!v)
        return NAN;
    double auc, ap;
    ranking(v, n, &auc, &ap);
    free(v);
    return auc;
}

ink_status ink__metrics_compute(const double *p, const float *y, size_t n,
                                ink_model_metrics *out)
{
    memset(out, 0, sizeof *out);
    out->rows = n;
    scored *v = sorted_desc(p, y, n);
    if (!v)
        return INK_NOMEM;
    ranking(v, n, &out->auc, &out->pr_auc);
    double loss = 0, brier = 0, positives = 0;
    double bin_p[INK_MODEL_BINS] = {0}, bin_y[INK_MODEL_BINS] = {0};
    for (size_t i = 0; i < n; i++) {
        double q = p[i], o = y[i];
        double c = q < 1e-15 ? 1e-15 : (q > 1 - 1e-15 ? 1 - 1e-15 : q);
        loss -= o * log(c) + (1 - o) * log(1 - c);
        brier += (q - o) * (q - o);
        positives += o;
        int b = (int)(q * INK_MODEL_BINS);
        b = b < 0 ? 0 : (b >= INK_MODEL_BINS ? INK_MODEL_BINS - 1 : b);
        out->bin_rows[b]++;
        bin_p[b] += q;
        bin_y[b] += o;
    }
    out->positives = (size_t)positives;
    out->log_loss = n ? loss / (double)n : NAN;
    out->brier = n ? brier / (double)n : NAN;
    double rate = n ? positives / (double)n : NAN;
    for (int b = 0; b < INK_MODEL_BINS; b++) {
        size_t k = out->bin_rows[b];
        out->bin_predicted[b] = k ? bin_p[b] / (double)k : NAN;
        out->bin_observed[b] = k ? bin_y[b] / (double)k : NAN;
        size_t lo = (size_t)b * n / INK_MODEL_BINS,
               hi = (size_t)(b + 1) * n / INK_MODEL_BINS;
        double hits = 0;
        for (size_t i = lo; i < hi; i++)
            hits += v[i].y;
        out->decile_rows[b] = hi - lo;
        out->decile_rate[b] = hi > lo ? hits / (double)(hi - lo) : NAN;
        out->decile_lift[b] =
            hi > lo && rate > 0 ? out->decile_rate[b] / rate : NAN;
    }
    free(v);
    return INK_OK;
}
