/* Shapley values of channels in the game of channel-subset conversion rates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "decide/attr_impl.h"

/*
 * The game (after Shapley 1953, as applied to attribution by Dalessandro
 * et al. 2012, "Causally motivated attribution for online advertising"):
 * v(S) is the conversion rate (and the value per journey) of the
 * journeys whose channels all lie in S, 0 when there is none; v of the
 * empty set is 0. A channel's Shapley value is its marginal contribution
 * v(S + i) - v(S) averaged over all orders in which channels join.
 * The values sum to v(all channels), the group's conversion rate, so
 * multiplying them by the group's journeys gives attributed conversions
 * that sum to the group's conversions. Exact (all 2^n subsets) up to
 * INK_ATTR_SHAPLEY_EXACT_MAX channels; beyond, the mean over random
 * permutations, with the standard error of that mean.
 */

/* The group's journeys aggregated by their set of channels. */
typedef struct coalition {
    uint64_t mask;
    double journeys, conversions, value;
} coalition;

static int cmp_mask(const void *a, const void *b)
{
    uint64_t x = ((const coalition *)a)->mask, y = ((const coalition *)b)->mask;
    return (x > y) - (x < y);
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

ink_status ink__attr_shapley(const attr_group *g, const ink_attr_options *opt,
                             attr_out *out, ink_error *err)
{
    const ink_attr_paths *p = g->paths;
    size_t channels = p->channel_count;
    coalition *co = ink__alloc_array(g->count ? g->count : 1, sizeof *co);
    if (!co)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    size_t nco = 0;
    uint64_t present = 0;
    double journeys = 0;
    for (size_t k = 0; k < g->count; k++) {
        uint32_t i = g->index[k];
        uint64_t mask = 0;
        for (uint32_t t = p->offset[i]; t < p->offset[i + 1]; t++)
            mask |= 1ULL << p->touch[t];
        double j = p->conversions[i] + p->nulls[i];
        if (mask == 0 || !(j > 0))
            continue;
        co[nco++] = (coalition){mask, j, p->conversions[i], p->value[i]};
        present |= mask;
        journeys += j;
    }
    qsort(co, nco, sizeof *co, cmp_mask);
    size_t d = 0;
    for (size_t i = 0; i < nco; i++) {
        if (d > 0 && co[d - 1].mask == co[i].mask) {
            co[d - 1].journeys += co[i].journeys;
            co[d - 1].conversions += co[i].conversions;
            co[d - 1].value += co[i].value;
        } else
            co[d++] = co[i];
    }
    nco = d;
    /* The channels present, renumbered 0..n-1. */
    size_t global[INK_ATTR_MAX_CHANNELS];
    size_t n = 0;
    for (size_t ch = 0; ch < channels; ch++)
        if (present >> ch & 1)
            global[n++] = ch;
    for (size_t i = 0; i < nco; i++) {
        uint64_t m = 0;
        for (size_t b = 0; b < n; b++)
            if (co[i].mask >> global[b] & 1)
                m |= 1ULL << b;
        co[i].mask = m;
    }
    double phi_c[INK_ATTR_MAX_CHANNELS] = {0},
           phi_v[INK_ATTR_MAX_CHANNELS] = {0};
    double se[INK_ATTR_MAX_CHANNELS] = {0};
    if (n == 0) {
        /* nothing to attribute */
    } else if (n <= INK_ATTR_SHAPLEY_EXACT_MAX) {
        size_t subsets = (size_t)1 << n;
        double *sj = ink__calloc_array(3 * subsets, sizeof *sj);
        if (!sj) {
            free(co);
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        }
        double *sc = sj + subsets, *sv = sc + subsets;
        for (size_t i = 0; i < nco; i++) {
            sj[co[i].mask] += co[i].journeys;
            sc[co[i].mask] += co[i].conversions;
            sv[co[i].mask] += co[i].value;
        }
        /* Sums over subsets (the zeta transform): journeys within S. */
        for (size_t b = 0; b < n; b++)
            for (size_t s = 0; s < subsets; s++)
                if (s >> b & 1) {
                    sj[s] += sj[s ^ ((size_t)1 << b)];
                    sc[s] += sc[s ^ ((size_t)1 << b)];
                    sv[s] += sv[s ^ ((size_t)1 << b)];
                }
        /* weight[k] = k! (n - k - 1)! / n! */
        double weight[INK_ATTR_SHAPLEY_EXACT_MAX + 1];
        for (size_t k = 0; k < n; k++) {
            double w = 1.0 / (double)n;
            for (size_t q = 1; q <= k; q++)
                w *= (double)q / (double)(n - q);
            weight[k] = w;
        }
        for (size_t s = 0; s < subsets; s++) {
            double vc = sj[s] > 0 ? sc[s] / sj[s] : 0;
            double vv = sj[s] > 0 ? sv[s] / sj[s] : 0;
            size_t size = (size_t)__builtin_popcountll(s);
            for (size_t b = 0; b < n; b++) {
                if (s >> b & 1)
                    continue;
                size_t t = s | ((size_t)1 << b);
                double tc = sj[t] > 0 ? sc[t] / sj[t] : 0;
                double tv = sj[t] > 0 ? sv[t] / sj[t] : 0;
                phi_c[b] += weight[size] * (tc - vc);
                phi_v[b] += weight[size] * (tv - vv);
            }
        }
        free(sj);
    } else {
        uint64_t samples = opt->shapley_samples, seed = opt->seed;
        double sq[INK_ATTR_MAX_CHANNELS] = {0};
        uint8_t perm[INK_ATTR_MAX_CHANNELS];
        for (uint64_t r = 0; r < samples; r++) {
            for (size_t b = 0; b < n; b++)
                perm[b] = (uint8_t)b;
            for (size_t b = n - 1; b > 0; b--) {
                size_t j = (size_t)(splitmix64(&seed) % (b + 1));
                uint8_t t = perm[b];
                perm[b] = perm[j];
                perm[j] = t;
            }
            uint64_t s = 0;
            double vj = 0, vc = 0, vv = 0, prev_c = 0, prev_v = 0;
            for (size_t q = 0; q < n; q++) {
                uint64_t bit = 1ULL << perm[q];
                /* Coalitions that become subsets of S with this bit. */
                for (size_t i = 0; i < nco; i++)
                    if ((co[i].mask & bit) && (co[i].mask & ~(s | bit)) == 0) {
                        vj += co[i].journeys;
                        vc += co[i].conversions;
                        vv += co[i].value;
                    }
                s |= bit;
                double cur_c = vj > 0 ? vc / vj : 0;
                double cur_v = vj > 0 ? vv / vj : 0;
                double mc = cur_c - prev_c;
                phi_c[perm[q]] += mc;
                sq[perm[q]] += mc * mc;
                phi_v[perm[q]] += cur_v - prev_v;
                prev_c = cur_c;
                prev_v = cur_v;
            }
        }
        for (size_t b = 0; b < n; b++) {
            double mean = phi_c[b] / (double)samples;
            double var = sq[b] / (double)samples - mean * mean;
            phi_c[b] = mean;
            phi_v[b] /= (double)samples;
            se[b] = samples > 1 && var > 0
                        ? sqrt(var / (double)(samples - 1)) * journeys
                        : 0;
        }
    }
    /* out arrives zeroed: channels absent from the group keep 0. */
    for (size_t b = 0; b < n; b++) {
        out->conversions[global[b]] = phi_c[b] * journeys;
        out->value[global[b]] = phi_v[b] * journeys;
        if (out->std_error)
            out->std_error[global[b]] = se[b];
    }
    free(co);
    return INK_OK;
}
