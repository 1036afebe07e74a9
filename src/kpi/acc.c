/* KPI accumulators: the mergeable state of one group (init, merge, finish).
 * Adding a case is in engine.c, next to the loop that reads it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "kpi/kpi_impl.h"

int ink__kpi_acc_init(kpi_acc *a, const acc_shape *shape)
{
    memset(a, 0, sizeof *a);
    size_t w = shape->windows + 1;
    a->lived_cases = ink__calloc_array(w, sizeof *a->lived_cases);
    a->lived_amount = ink__calloc_array(w, sizeof *a->lived_amount);
    a->realized_step = ink__calloc_array(w, sizeof *a->realized_step);
    a->channels = ink__calloc_array(shape->channels ? shape->channels : 1,
                                    sizeof *a->channels);
    a->chan_lanes = ink__calloc_array(
        shape->chan_stride ? shape->chan_stride : 1, sizeof *a->chan_lanes);
    if (!a->lived_cases || !a->lived_amount || !a->realized_step ||
        !a->channels || !a->chan_lanes) {
        ink__kpi_acc_cleanup(a);
        return 0;
    }
    return 1;
}

void ink__kpi_acc_cleanup(kpi_acc *a)
{
    free(a->lived_cases);
    free(a->lived_amount);
    free(a->realized_step);
    free(a->channels);
    free(a->chan_lanes);
    free(a->resolution_days.v);
    free(a->debtors.v);
    memset(a, 0, sizeof *a);
}

void ink__kpi_acc_flush(kpi_acc *a, const acc_shape *shape)
{
    if (!a->pending)
        return;
    for (size_t k = 0; k < KPI_LANES; k++)
        a->lanes[k] += a->lanes_pending[k];
    memset(a->lanes_pending, 0, sizeof a->lanes_pending);
    for (size_t c = 1; c < shape->channels; c++) {
        uint32_t *lane = a->chan_lanes + (c - 1) * 3;
        a->channels[c].outbound += lane[0];
        a->channels[c].valid += lane[1];
        a->channels[c].responded += lane[2];
    }
    memset(a->chan_lanes, 0, shape->chan_stride * sizeof *a->chan_lanes);
    a->pending = 0;
}

void ink__kpi_case_channels(const ink_portfolio *p, size_t channels, size_t i,
                            int32_t as_of, const uint8_t *chan, int sign,
                            channel_counts *sum)
{
    if (chan) {
        for (size_t k = 1; k < channels; k++) {
            const uint8_t *b = chan + (k - 1) * 3;
            ink__kpi_channel_add(&sum[k],
                                 (channel_counts){(uint64_t)(sign * b[0]),
                                                  (uint64_t)(sign * b[1]),
                                                  (uint64_t)(sign * b[2])});
        }
        return;
    }
    const ink_contacts *ct = ink_portfolio_contacts(p);
    for (uint32_t k = ct->case_offset[i]; k < ct->case_offset[i + 1]; k++) {
        if (ct->date[k] > as_of)
            break;
        if (ct->direction[k] != INK_DIRECTION_OUT)
            continue;
        ink__kpi_channel_add(
            &sum[ct->channel.codes[k]],
            (channel_counts){
                (uint64_t)sign,
                (uint64_t)(sign * (ct->outcome[k] != INK_OUTCOME_INVALID)),
                (uint64_t)(sign * (ct->outcome[k] == INK_OUTCOME_RESPONDED))});
    }
}

static int add64(int64_t *sum, int64_t v)
{
    return !__builtin_add_overflow(*sum, v, sum);
}

static int append(void **v, size_t *len, size_t *cap, const void *src, size_t n,
                  size_t size)
{
    if (!n)
        return 1;
    if (!ink__reserve(v, cap, *len + n, size))
        return 0;
    memcpy((char *)*v + *len * size, src, n * size);
    *len += n;
    return 1;
}

int ink__kpi_acc_merge(kpi_acc *a, const kpi_acc *b, const acc_shape *shape)
{
    for (size_t k = 0; k < KPI_LANES; k++)
        a->lanes[k] += b->lanes[k];
    /* Two distinct codes are enough to say "mixed" and to name them. */
    ink__kpi_currency_note(&a->currency, &a->currency_other, b->currency);
    ink__kpi_currency_note(&a->currency, &a->currency_other, b->currency_other);
    a->overflow |= b->overflow;
    a->overflow |= !add64(&a->placed, b->placed);
    a->overflow |= !add64(&a->collected, b->collected);
    for (size_t w = 0; w <= shape->windows; w++) {
        a->lived_cases[w] += b->lived_cases[w];
        a->overflow |= !add64(&a->lived_amount[w], b->lived_amount[w]);
        a->overflow |= !add64(&a->realized_step[w], b->realized_step[w]);
    }
    a->sole_attempted += b->sole_attempted;
    a->sole_reached += b->sole_reached;
    for (size_t c = 0; c < shape->channels; c++) {
        ink__kpi_channel_add(&a->channels[c], b->channels[c]);
    }
    return append((void **)&a->resolution_days.v, &a->resolution_days.len,
                  &a->resolution_days.cap, b->resolution_days.v,
                  b->resolution_days.len, sizeof(int32_t)) &&
           append((void **)&a->debtors.v, &a->debtors.len, &a->debtors.cap,
                  b->debtors.v, b->debtors.len, sizeof(debtor_flag));
}

/* The k-th smallest of v[0..n) (Hoare's selection; v is reordered). */
static int32_t select_kth(int32_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        int32_t pivot = v[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                int32_t t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Mean of the two middle values for an even count; NaN when empty. */
double ink__kpi_median(i32_vec *days)
{
    size_t n = days->len;
    if (n == 0)
        return NAN;
    /* Days to resolution span a few thousand values at most: counting
     * them is one sequential pass, where selection moves every value. */
    if (n >= 1024) {
        int32_t lo = days->v[0], hi = days->v[0];
        for (size_t i = 1; i < n; i++) {
            lo = days->v[i] < lo ? days->v[i] : lo;
            hi = days->v[i] > hi ? days->v[i] : hi;
        }
        uint32_t *count =
            (int64_t)hi - lo < 65536
                ? ink__calloc_array((size_t)(hi - lo) + 1, sizeof *count)
                : NULL;
        if (count) {
            for (size_t i = 0; i < n; i++)
                count[days->v[i] - lo]++;
            /* The values of rank n/2 - 1 and n/2 (0-based). */
            size_t seen = 0, want = (n - 1) / 2;
            int32_t lower = lo, upper = lo;
            int32_t v = 0;
            for (; seen + count[v] <= want; v++)
                seen += count[v];
            lower = lo + v;
            if (n % 2 || seen + count[v] > n / 2) {
                upper = lower;
            } else {
                for (v++; !count[v]; v++)
                    ;
                upper = lo + v;
            }
            free(count);
            return n % 2 ? lower : ((double)lower + (double)upper) / 2;
        }
    }
    int32_t upper = select_kth(days->v, n, n / 2);
    if (n % 2)
        return upper;
    /* The lower middle is the largest value left of the upper one. */
    int32_t lower = days->v[0];
    for (size_t i = 1; i < n / 2; i++)
        if (days->v[i] > lower)
            lower = days->v[i];
    return ((double)lower + (double)upper) / 2;
}

/* Distinct debtors attempted and reached, without sorting: each debtor's
 * flags are OR-ed in a table indexed by debtor code (all zero on entry
 * and on return), then read once. */
void ink__kpi_count_debtors(const debtor_flag *v, size_t n, uint8_t *flags,
                            uint64_t *attempted, uint64_t *reached)
{
    for (size_t i = 0; i < n; i++)
        flags[v[i].debtor] |= (uint8_t)v[i].flags;
    for (size_t i = 0; i < n; i++) {
        uint8_t f = flags[v[i].debtor];
        if (f == 0)
            continue; /* counted already */
        *attempted += (f & 1) != 0;
        *reached += (f & 3) == 3;
        flags[v[i].debtor] = 0;
    }
}

static double ratio(double num, double den)
{
    return den > 0 ? num / den : NAN;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int ink__kpi_finish(const ink_portfolio *p, const acc_shape *shape,
                    kpi_group *g, int amounts_null)
{
    kpi_acc *a = &g->acc;
    ink_kpi_values *v = &g->values;
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    size_t nw = shape->windows ? shape->windows : 1;
    g->realization = ink__alloc_array(nw, sizeof *g->realization);
    g->eligible = ink__alloc_array(nw, sizeof *g->eligible);
    size_t nch = 0;
    for (size_t c = 1; c < shape->channels; c++)
        nch += a->channels[c].outbound > 0;
    g->channel_names = ink__alloc_array(nch ? nch : 1, sizeof(char *));
    g->response = ink__alloc_array(nch ? nch : 1, sizeof *g->response);
    if (!g->realization || !g->eligible || !g->channel_names || !g->response)
        return 0;

    const int64_t *n = a->lanes;
    v->cases = (uint64_t)n[LANE_CASES];
    v->open_cases = (uint64_t)n[LANE_OPEN];
    v->resolved_cases = (uint64_t)n[LANE_RESOLVED];
    v->amounts_null = amounts_null;
    v->currency = a->currency && !a->currency_other
                      ? ink_dict_get(cs->currency.values, a->currency, NULL)
                      : NULL;
    v->placed_amount = a->placed;
    v->collected_amount = a->collected;
    v->recovery_rate =
        amounts_null ? NAN : ratio((double)a->collected, (double)a->placed);
    /* Eligible for the j-th smallest window: the cases that lived
     * through more than j windows; realized in it: the steps up to j. */
    uint64_t eligible = 0;
    int64_t eligible_amount = 0, realized = 0;
    for (size_t j = shape->windows; j-- > 0;) {
        eligible += a->lived_cases[j + 1];
        a->overflow |= !add64(&eligible_amount, a->lived_amount[j + 1]);
        size_t w = shape->window_at[j];
        g->eligible[w] = eligible;
        g->realization[w] = (double)eligible_amount; /* until the pass below */
    }
    for (size_t j = 0; j < shape->windows; j++) {
        a->overflow |= !add64(&realized, a->realized_step[j]);
        size_t w = shape->window_at[j];
        /* null when no case is old enough for the window */
        g->realization[w] = amounts_null || g->eligible[w] == 0
                                ? NAN
                                : (double)realized / g->realization[w];
    }
    v->realization_rate = g->realization;
    v->eligible_cases = g->eligible;

    v->avg_days_to_resolution =
        ratio((double)n[LANE_RESOLUTION_DAYS], (double)n[LANE_RESOLVED]);
    v->median_days_to_resolution =
        a->known ? a->known_median : ink__kpi_median(&a->resolution_days);
    v->avg_days_to_first_payment =
        ratio((double)n[LANE_PAID_DAYS], (double)n[LANE_PAID]);
    v->avg_days_first_contact_to_payment =
        ratio((double)n[LANE_CONTACT_TO_PAYMENT_DAYS],
              (double)n[LANE_CONTACT_TO_PAYMENT]);
    v->first_contact_resolution_rate =
        ratio((double)n[LANE_FIRST_CONTACT_RESOLVED], (double)n[LANE_RESOLVED]);

    /* Distinct debtors over the group's cases: attempted when any of
     * their cases has an outbound contact, reached when attempted and
     * any has a responded one. */
    uint64_t attempted = a->known_attempted, reached = a->known_reached;
    if (!a->known)
        ink__kpi_count_debtors(a->debtors.v, a->debtors.len,
                               shape->debtor_flags, &attempted, &reached);
    attempted += a->sole_attempted;
    reached += a->sole_reached;
    v->reachability_rate = ratio((double)reached, (double)attempted);
    v->valid_contact_rate =
        ratio((double)n[LANE_VALID_OUTBOUND], (double)n[LANE_OUTBOUND]);
    v->attempts_per_reached_debtor =
        ratio((double)n[LANE_OUTBOUND], (double)reached);
    v->automation_rate =
        ratio((double)n[LANE_AUTOMATED_OUTBOUND], (double)n[LANE_OUTBOUND]);

    /* response_rate: channels with an outbound contact, in byte order. */
    size_t k = 0;
    for (size_t c = 1; c < shape->channels; c++)
        if (a->channels[c].outbound > 0)
            g->channel_names[k++] =
                ink_dict_get(ct->channel.values, (uint32_t)c, NULL);
    qsort(g->channel_names, k, sizeof(char *), by_name);
    for (size_t i = 0; i < k; i++) {
        uint32_t c = ink_dict_find(ct->channel.values, g->channel_names[i],
                                   strlen(g->channel_names[i]));
        g->response[i] = ratio((double)a->channels[c].responded,
                               (double)a->channels[c].valid);
    }
    v->channel_count = k;
    v->channels = g->channel_names;
    v->response_rate = g->response;
    return 1;
}
