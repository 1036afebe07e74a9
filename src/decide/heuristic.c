/* Rule-based attribution: first, last, linear, time decay, position. */
#include <math.h>

#include "decide/attr_impl.h"

/* A touch's age: days before its path's end, or steps for a path file. */
static double touch_age(const ink_attr_paths *p, uint32_t t, uint32_t hi)
{
    return p->age ? p->age[t] : (double)(hi - 1 - t);
}

/*
 * First, last and linear follow ChannelAttribution's heuristic_models
 * (linear per touch: k of n touches get k/n); time decay and position
 * follow DP6's Marketing-Attribution-Models (tests/test_heuristics.py):
 * weights 2^(-age / half-life) and 40/20/40 with 50/50 for two touches.
 */
void ink__attr_heuristic(const attr_group *g, int model,
                         const ink_attr_options *opt, attr_out *out)
{
    const ink_attr_paths *p = g->paths;
    double *conv = out->conversions, *val = out->value;
    for (size_t k = 0; k < g->count; k++) {
        uint32_t i = g->index[k];
        uint32_t lo = p->offset[i], hi = p->offset[i + 1];
        size_t n = hi - lo;
        double c = p->conversions[i], v = p->value[i];
        if (n == 0 || (c == 0 && v == 0))
            continue;
        switch (model) {
        case INK_ATTR_FIRST:
            conv[p->touch[lo]] += c;
            val[p->touch[lo]] += v;
            break;
        case INK_ATTR_LAST:
            conv[p->touch[hi - 1]] += c;
            val[p->touch[hi - 1]] += v;
            break;
        case INK_ATTR_LINEAR:
            for (uint32_t t = lo; t < hi; t++) {
                conv[p->touch[t]] += c / (double)n;
                val[p->touch[t]] += v / (double)n;
            }
            break;
        case INK_ATTR_TIME_DECAY: {
            /* Ages relative to the youngest touch, so the weights stay
             * in range however old the path is. */
            double youngest = INFINITY;
            for (uint32_t t = lo; t < hi; t++)
                youngest = fmin(youngest, touch_age(p, t, hi));
            double sum = 0;
            for (uint32_t t = lo; t < hi; t++)
                sum += exp2(-(touch_age(p, t, hi) - youngest) / opt->half_life);
            for (uint32_t t = lo; t < hi; t++) {
                double w =
                    exp2(-(touch_age(p, t, hi) - youngest) / opt->half_life) /
                    sum;
                conv[p->touch[t]] += c * w;
                val[p->touch[t]] += v * w;
            }
            break;
        }
        default: { /* INK_ATTR_POSITION */
            double first = opt->position_first, last = opt->position_last;
            if (n == 1) {
                conv[p->touch[lo]] += c;
                val[p->touch[lo]] += v;
                break;
            }
            if (n == 2) {
                double sum = first + last;
                double wf = sum > 0 ? first / sum : 0.5;
                conv[p->touch[lo]] += c * wf;
                val[p->touch[lo]] += v * wf;
                conv[p->touch[lo + 1]] += c * (1 - wf);
                val[p->touch[lo + 1]] += v * (1 - wf);
                break;
            }
            double middle = (1 - first - last) / (double)(n - 2);
            for (uint32_t t = lo; t < hi; t++) {
                double w = t == lo ? first : t == hi - 1 ? last : middle;
                conv[p->touch[t]] += c * w;
                val[p->touch[t]] += v * w;
            }
            break;
        }
        }
    }
}
