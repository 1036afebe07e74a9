/* What the attribution files share: the path set and the model kernels. */
#ifndef INK_DECIDE_ATTR_IMPL_H
#define INK_DECIDE_ATTR_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/attribution.h"

/*
 * A path set. Path i has touches [offset[i], offset[i + 1]) of touch[]
 * (channel indexes, channels sorted by name) and age[] (days before the
 * path's end; NULL for a path file, where the age is the step count).
 * contacts and cost are per group and channel (group * channel_count +
 * channel); cost_known says whether any cost was seen.
 */
struct ink_attr_paths {
    size_t count;
    uint32_t *offset;
    uint8_t *touch;
    float *age;
    double *conversions, *value, *nulls;
    uint32_t *group;
    size_t channel_count;
    char **channels;
    size_t dim_count;
    char **dims;
    size_t group_count;
    char **group_keys;     /* group * dim_count + dim; NULL: null value */
    char **group_currency; /* per group; NULL: mixed or none */
    uint8_t *group_mixed;  /* per group: values of several currencies */
    uint64_t *contacts;
    int64_t *cost;
    uint8_t *cost_known;
    uint64_t untouched;
};

/* An empty path set with its arrays for up to paths and touches rows
 * (ages when with_age); NULL when memory runs out. */
ink_attr_paths *ink__attr_paths_new(size_t paths, size_t touches, int with_age);

/* The per-channel attribution of one group for one model: conversions
 * and value per channel (channel_count each), plus the removal effect
 * (Markov) and the standard error (sampled Shapley) when not NULL. The
 * caller hands the arrays over zeroed; the kernels add into them. */
typedef struct attr_out {
    double *conversions, *value, *removal_effect, *std_error;
} attr_out;

/* The paths of one group: indexes into the path set. */
typedef struct attr_group {
    const ink_attr_paths *paths;
    const uint32_t *index;
    size_t count;
} attr_group;

void ink__attr_heuristic(const attr_group *g, int model,
                         const ink_attr_options *opt, attr_out *out);
ink_status ink__attr_markov(const attr_group *g, const ink_attr_options *opt,
                            attr_out *out, ink_error *err);
ink_status ink__attr_shapley(const attr_group *g, const ink_attr_options *opt,
                             attr_out *out, ink_error *err);

#endif
