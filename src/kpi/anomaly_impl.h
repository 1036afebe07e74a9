/* Internal interface between the anomaly front end (anomaly.c) and its
 * likelihood method (anomaly_lik.c). */
#ifndef INK_KPI_ANOMALY_IMPL_H
#define INK_KPI_ANOMALY_IMPL_H

#include <stddef.h>

#include "inkasso/anomaly.h"

/* The state of method INK_ANOMALY_LIKELIHOOD. */
typedef struct ink__anomaly_lik ink__anomaly_lik;

/* A new state for the (already checked) options; NULL when memory runs
 * out. */
ink__anomaly_lik *ink__anomaly_lik_new(const ink_anomaly_options *opt);

/* Scores one finite value (warmup and dead time are the caller's); sets
 * *expected (if not NULL) to the predicted value or NAN. Never
 * allocates. */
double ink__anomaly_lik_step(ink__anomaly_lik *l, double value,
                             double *expected);

/* Frees l; NULL is a no-op. */
void ink__anomaly_lik_free(ink__anomaly_lik *l);

/* Median of a[0..n), n > 0, reordering a; for even n the mean of the two
 * middle values. The detector's baseline is the median of its past
 * cycles; the alerts' drill-down takes the same one (alerts_drill.c). */
double ink__anomaly_median(double *a, size_t n);

/* score = z^4 / (z^4 + 13): 0 for z <= 0, 1 for an infinite z. */
double ink__anomaly_z_to_score(double z);

#endif
