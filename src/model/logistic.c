/* The baseline model: L2-regularised logistic regression fitted by
 * Newton-Raphson (iteratively reweighted least squares; Hastie,
 * Tibshirani & Friedman, The Elements of Statistical Learning, 2nd ed.,
 * section 4.4.1), on standardised features, the intercept unpenalised. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "model/model_impl.h"

#define NEWTON_MAX_STEPS 30
#define NEWTON_TOLERANCE 1e-7

void ink__logistic_cleanup(ink__logistic *lr)
{
    free(lr->mean);
    free(lr->scale);
    free(lr->weight);
    memset(lr, 0, sizeof *lr);
}

/* z of column j of row x: standardised, missing at the mean (0). */
static double standard(const ink__logistic *lr, const float *x, size_t j)
{
    float v = x[j];
    if (isnan(v))
        return 0.0;
    return ((double)v - lr->mean[j]) / lr->scale[j];
}

double ink__logistic_margin(const ink__logistic *lr, const float *x)
{
    double z = lr->bias;
    for (size_t j = 0; j < lr->cols; j++)
        z += lr->weight[j] * standard(lr, x, j);
    return z;
}

/* Solves A x = b in place (b becomes x) for symmetric positive definite A
 * of size n by Cholesky; 0 when A is not positive definite. */
static int cholesky_solve(double *a, double *b, size_t n)
{
    for (size_t j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (size_t k = 0; k < j; k++)
            d -= a[j * n + k] * a[j * n + k];
        if (!(d > 0))
            return 0;
        d = sqrt(d);
        a[j * n + j] = d;
        for (size_t i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (size_t k = 0; k < j; k++)
                s -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = s / d;
        }
    }
    for (size_t i = 0; i < n; i++) { /* L y = b */
        double s = b[i];
        for (size_t k = 0; k < i; k++)
            s -= a[i * n + k] * b[k];
        b[i] = s / a[i * n + i];
    }
    for (size_t i = n; i-- > 0;) { /* L^T x = y */
        double s = b[i];
        for (size_t k = i + 1; k < n; k++)
            s -= a[k * n + i] * b[k];
        b[i] = s / a[i * n + i];
    }
    return 1;
}

ink_status ink__logistic_fit(const ink__matrix *m, double l2,
                             ink__logistic *out, ink_error *err)
{
    size_t d = m->cols, n = d + 1; /* parameter 0 is the intercept */
    memset(out, 0, sizeof *out);
    out->cols = d;
    out->mean = ink__calloc_array(d, sizeof(double));
    out->scale = ink__calloc_array(d, sizeof(double));
    out->weight = ink__calloc_array(d, sizeof(double));
    double *hess = ink__alloc_array(n * n, sizeof(double));
    double *grad = ink__alloc_array(n, sizeof(double));
    double *z = ink__alloc_array(n, sizeof(double));
    double *count = ink__calloc_array(d, sizeof(double));
    if (!out->mean || !out->scale || !out->weight || !hess || !grad || !z ||
        !count) {
        free(hess);
        free(grad);
        free(z);
        free(count);
        ink__logistic_cleanup(out);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    /* Means and standard deviations of the present values (two passes
     * for accuracy). */
    for (size_t r = 0; r < m->rows; r++)
        for (size_t j = 0; j < d; j++) {
            float v = m->x[r * d + j];
            if (!isnan(v)) {
                out->mean[j] += v;
                count[j]++;
            }
        }
    for (size_t j = 0; j < d; j++)
        out->mean[j] = count[j] ? out->mean[j] / count[j] : 0.0;
    for (size_t r = 0; r < m->rows; r++)
        for (size_t j = 0; j < d; j++) {
            float v = m->x[r * d + j];
            if (!isnan(v))
                out->scale[j] +=
                    ((double)v - out->mean[j]) * ((double)v - out->mean[j]);
        }
    for (size_t j = 0; j < d; j++) {
        double sd = count[j] > 1 ? sqrt(out->scale[j] / count[j]) : 0.0;
        out->scale[j] = sd > 1e-12 ? sd : 1.0;
    }
    free(count);
    double positives = 0;
    for (size_t r = 0; r < m->rows; r++)
        positives += m->y[r];
    double rate = (positives + 0.5) / ((double)m->rows + 1.0);
    out->bias = log(rate / (1 - rate));

    ink_status st = INK_OK;
    for (int step = 0; step < NEWTON_MAX_STEPS; step++) {
        memset(hess, 0, n * n * sizeof(double));
        memset(grad, 0, n * sizeof(double));
        for (size_t r = 0; r < m->rows; r++) {
            const float *x = m->x + r * d;
            z[0] = 1.0;
            double margin = out->bias;
            for (size_t j = 0; j < d; j++) {
                z[j + 1] = standard(out, x, j);
                margin += out->weight[j] * z[j + 1];
            }
            double prob = 1.0 / (1.0 + exp(-margin));
            double resid = m->y[r] - prob, w = prob * (1.0 - prob);
            for (size_t i = 0; i < n; i++) {
                grad[i] += resid * z[i];
                double wz = w * z[i];
                for (size_t k = 0; k <= i; k++)
                    hess[i * n + k] += wz * z[k];
            }
        }
        for (size_t i = 0; i < n; i++)
            for (size_t k = 0; k < i; k++)
                hess[k * n + i] = hess[i * n + k];
        for (size_t j = 1; j < n; j++) {
            grad[j] -= l2 * out->weight[j - 1];
            hess[j * n + j] += l2;
        }
        hess[0] += 1e-9; /* keeps a one-class column solvable */
        if (!cholesky_solve(hess, grad, n)) {
            st = ink__error_set(err, INK_DATA, NULL,
                                "logistic regression: the features are "
                                "degenerate (no positive definite Hessian)");
            break;
        }
        double largest = 0;
        out->bias += grad[0];
        for (size_t j = 0; j < d; j++) {
            out->weight[j] += grad[j + 1];
            if (fabs(grad[j + 1]) > largest)
                largest = fabs(grad[j + 1]);
        }
        if (fabs(grad[0]) > largest)
            largest = fabs(grad[0]);
        if (largest < NEWTON_TOLERANCE)
            break;
    }
    free(hess);
    free(grad);
    free(z);
    if (st != INK_OK)
        ink__logistic_cleanup(out);
    return st;
}
