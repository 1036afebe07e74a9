/* Kept views: the sums of one grouping and placement window, kept between
 * reports and brought up to date by ingests, so that a report asks only
 * what depends on its windows and as_of. Only for reports as of the
 * latest date or after (the default), where every case's status is final.
 *
 * Per group a view keeps the additive sums of its cases (lanes, amounts,
 * channels), the median days to resolution, the distinct debtors of
 * several cases (a count of attempted and responded cases per debtor, so
 * that a change is one step), and two histograms from which any windows
 * follow: cases, amounts and paid amounts by placement day, and paid
 * amounts by days after placement. For window W and as_of A:
 *   eligible(W) = cases placed on or before A - W
 *   realized(W) = paid within W days - paid of cases placed after A - W
 * (a payment of a case that lived less than W days is within W days).
 *
 * Payments and contacts on known cases are added in place; anything else
 * (case rows, new cases, new channels, a change to a case too wide for
 * its kept fact) drops the views, and they are made again when asked for
 * twice. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "kpi/kpi_impl.h"

#define VIEW_MAX 4
#define ASKED_MAX 8
/* Histogram cells of a view, at most (8 bytes each). */
#define VIEW_CELLS_MAX ((size_t)1 << 23)
#define NO_INDEX UINT32_MAX /* no group, no position */

uint64_t ink__kpi_views_answered;

typedef struct debtor_entry {
    uint64_t key;                  /* (group << 32 | debtor) + 1; 0: empty */
    uint32_t attempted, responded; /* cases of the debtor in the group */
} debtor_entry;

typedef struct view_group {
    uint64_t key;
    kpi_acc sums; /* lanes, amounts, currencies, channels, sole debtors */
    double median;
    uint64_t attempted, reached; /* debtors of several cases */
    int32_t open_lo;             /* first placement day */
    size_t open_span;
    uint64_t *open_cases;
    int64_t *open_amount, *open_paid;
    size_t lag_span; /* lag_paid[d]: paid d days after placement (d <= 0
                        counts as 0: in every window) */
    int64_t *lag_paid;
    /* By placement day, for a report with from or to: the sums, the
     * currencies (first and other), and in days order the days to
     * resolution and the debtors of several cases. */
    int64_t (*day_lanes)[KPI_LANES];
    int64_t *day_collected;
    uint64_t *day_sole;           /* attempted, reached */
    channel_counts *day_channels; /* channels per day */
    uint32_t *day_currency;       /* first, other */
    uint32_t *resolved_at;        /* open_span + 1 offsets into resolved */
    int32_t *resolved;
    uint32_t *shared_at; /* open_span + 1 offsets into shared */
    debtor_flag *shared;
} view_group;

/* A payment, for a report with from or to: its group, its case's
 * placement day, days after placement, amount. */
typedef struct view_payment {
    uint32_t group;
    int32_t opened, lag;
    int64_t amount;
} view_payment;

typedef struct kpi_view {
    char *name;   /* the grouping, as one string */
    size_t count; /* groups; the total is groups[count] */
    view_group *groups;
    uint32_t *case_group; /* per case */
    /* Per case of a debtor with others: where it is in its group's
     * shared and in the total's. */
    uint32_t *shared_pos[2];
    view_payment *payments; /* by placement day up to sorted, then as
                               they came */
    size_t payment_count, payment_cap, sorted;
    debtor_entry *debtors;
    size_t debtor_mask, debtor_count;
    size_t cells;
    int too_large; /* past VIEW_CELLS_MAX: not a lack of memory */
    uint64_t used;
} kpi_view;

struct kpi_views {
    kpi_view *view[VIEW_MAX];
    size_t count;
    uint64_t clock;
    char *asked[ASKED_MAX]; /* names asked for without a view, newest at */
    size_t asked_next;
};

static void view_free(kpi_view *v)
{
    if (!v)
        return;
    for (size_t g = 0; g < v->count + 1 && v->groups; g++) {
        view_group *vg = &v->groups[g];
        ink__kpi_acc_cleanup(&vg->sums);
        free(vg->open_cases);
        free(vg->open_amount);
        free(vg->open_paid);
        free(vg->lag_paid);
        free(vg->day_lanes);
        free(vg->day_collected);
        free(vg->day_sole);
        free(vg->day_channels);
        free(vg->day_currency);
        free(vg->resolved_at);
        free(vg->resolved);
        free(vg->shared_at);
        free(vg->shared);
    }
    free(v->groups);
    free(v->case_group);
    free(v->shared_pos[0]);
    free(v->shared_pos[1]);
    free(v->payments);
    free(v->debtors);
    free(v->name);
    free(v);
}

kpi_views *ink__kpi_views_new(void)
{
    return calloc(1, sizeof(kpi_views));
}

void ink__kpi_views_drop(kpi_views *vs)
{
    if (!vs)
        return;
    for (size_t i = 0; i < vs->count; i++)
        view_free(vs->view[i]);
    vs->count = 0;
}

void ink__kpi_views_free(kpi_views *vs)
{
    if (!vs)
        return;
    ink__kpi_views_drop(vs);
    for (size_t i = 0; i < ASKED_MAX; i++)
        free(vs->asked[i]);
    free(vs);
}

/* ------------------------------------------------------------------ */
/* Distinct debtors of several cases, per group                        */

static int debtors_grow(kpi_view *v)
{
    size_t size = v->debtors ? (v->debtor_mask + 1) * 2 : 1024;
    debtor_entry *t = ink__calloc_array(size, sizeof *t);
    if (!t)
        return 0;
    for (size_t i = 0; v->debtors && i <= v->debtor_mask; i++) {
        if (!v->debtors[i].key)
            continue;
        size_t s = (size_t)ink__mix64(v->debtors[i].key) & (size - 1);
        while (t[s].key)
            s = (s + 1) & (size - 1);
        t[s] = v->debtors[i];
    }
    free(v->debtors);
    v->debtors = t;
    v->debtor_mask = size - 1;
    return 1;
}

/* Moves the counts of (group, debtor) by the given steps (cases that
 * start or stop being attempted, responded) and the group's distinct
 * attempted and reached debtors with them. 0 when out of memory. */
static int debtor_step(kpi_view *v, uint32_t group, uint32_t debtor,
                       int attempted, int responded)
{
    if (!attempted && !responded)
        return 1;
    if ((v->debtor_count + 1) * 2 > (v->debtors ? v->debtor_mask + 1 : 0) &&
        !debtors_grow(v))
        return 0;
    uint64_t key = ((uint64_t)group << 32 | debtor) + 1;
    size_t s = (size_t)ink__mix64(key) & v->debtor_mask;
    while (v->debtors[s].key && v->debtors[s].key != key)
        s = (s + 1) & v->debtor_mask;
    debtor_entry *e = &v->debtors[s];
    if (!e->key) {
        e->key = key;
        v->debtor_count++;
    }
    view_group *g = &v->groups[group];
    int was_attempted = e->attempted > 0;
    int was_reached = was_attempted && e->responded > 0;
    e->attempted += (uint32_t)attempted;
    e->responded += (uint32_t)responded;
    int is_attempted = e->attempted > 0;
    int is_reached = is_attempted && e->responded > 0;
    g->attempted += (uint64_t)(is_attempted - was_attempted);
    g->reached += (uint64_t)(is_reached - was_reached);
    return 1;
}

/* ------------------------------------------------------------------ */
/* Adding cases and payments                                           */

static int add_checked(int64_t *sum, int64_t v)
{
    return !__builtin_add_overflow(*sum, v, sum);
}

/* A case's sums: its lanes, collected, flags and channel row (NULL: the
 * channel counts passed a byte, its contacts are counted). */
typedef struct case_parts {
    int32_t lane[KPI_LANES];
    int64_t collected;
    uint32_t flags;
    const uint8_t *chan;
} case_parts;

static void parts_of_fact(const kpi_fact *f, const uint8_t *chan,
                          case_parts *out)
{
    for (size_t k = 0; k < KPI_LANES; k++)
        out->lane[k] = f->lane[k];
    out->collected = f->collected;
    out->flags = (uint16_t)f->lane[LANE_FLAGS];
    out->chan = chan;
}

/* Adds (sign +1) or takes back (-1) the sums of case i in group g, and
 * in g's sums of the case's placement day. 0 when out of memory. */
static int add_case(kpi_view *v, const ink_portfolio *p, size_t channels,
                    uint32_t g, size_t i, const case_parts *c, int sign)
{
    view_group *vg = &v->groups[g];
    kpi_acc *a = &vg->sums;
    const size_t day = (size_t)(p->cases.opened_on[i] - vg->open_lo);
    int64_t *day_lanes = vg->day_lanes[day];
    for (size_t k = 0; k < KPI_LANES; k++) {
        a->lanes[k] += sign * c->lane[k];
        day_lanes[k] += sign * c->lane[k];
    }
    int64_t *sums[2] = {&a->collected, &vg->day_collected[day]};
    for (int k = 0; k < 2; k++)
        a->overflow |=
            sign > 0 ? __builtin_add_overflow(*sums[k], c->collected, sums[k])
                     : __builtin_sub_overflow(*sums[k], c->collected, sums[k]);
    ink__kpi_case_channels(p, channels, i, INT32_MAX, c->chan, sign,
                           a->channels);
    ink__kpi_case_channels(p, channels, i, INT32_MAX, c->chan, sign,
                           vg->day_channels + day * channels);
    a->overflow |= (c->flags & FACT_OVERFLOW) != 0;
    int attempted = (c->flags & FACT_ATTEMPTED) != 0;
    int responded = (c->flags & FACT_RESPONDED) != 0;
    if (c->flags & FACT_SOLE_DEBTOR) {
        uint64_t att = (uint64_t)(sign * attempted);
        uint64_t reach = (uint64_t)(sign * (attempted && responded));
        a->sole_attempted += att;
        a->sole_reached += reach;
        vg->day_sole[2 * day] += att;
        vg->day_sole[2 * day + 1] += reach;
        return 1;
    }
    return debtor_step(v, g, p->cases.debtor_id.codes[i], sign * attempted,
                       sign * responded);
}

/* Room in g's histogram by days after placement for day lag. */
static int lag_room(kpi_view *v, view_group *g, size_t lag)
{
    if (lag < g->lag_span)
        return 1;
    size_t span = g->lag_span * 2 > lag + 1 ? g->lag_span * 2 : lag + 1;
    if (v->cells + span - g->lag_span > VIEW_CELLS_MAX) {
        v->too_large = 1;
        return 0;
    }
    int64_t *t = ink__realloc_array(g->lag_paid, span, sizeof *t);
    if (!t)
        return 0;
    memset(t + g->lag_span, 0, (span - g->lag_span) * sizeof *t);
    v->cells += span - g->lag_span;
    g->lag_paid = t;
    g->lag_span = span;
    return 1;
}

/* A payment of amount on day paid_on of a case placed on opened. */
static int add_payment(kpi_view *v, uint32_t g, int32_t opened, int32_t paid_on,
                       int64_t amount)
{
    view_group *vg = &v->groups[g];
    int64_t lag = (int64_t)paid_on - opened;
    size_t day = lag > 0 ? (size_t)lag : 0;
    if (!lag_room(v, vg, day))
        return 0;
    vg->sums.overflow |= !add_checked(&vg->lag_paid[day], amount);
    vg->sums.overflow |=
        !add_checked(&vg->open_paid[opened - vg->open_lo], amount);
    return 1;
}

/* Notes a payment of group g for reports with from or to. */
static int log_payment(kpi_view *v, uint32_t g, int32_t opened, int32_t paid_on,
                       int64_t amount)
{
    /* As many as the portfolio has: not held to the cells' limit. */
    if (v->payment_count == v->payment_cap &&
        !ink__reserve((void **)&v->payments, &v->payment_cap,
                      v->payment_count + 1, sizeof *v->payments))
        return 0;
    int64_t lag = (int64_t)paid_on - opened;
    v->payments[v->payment_count++] =
        (view_payment){g, opened, lag > 0 ? (int32_t)lag : 0, amount};
    return 1;
}

/* ------------------------------------------------------------------ */
/* Making a view                                                       */

/* The group index of every key, through a hash of keys seen. */
typedef struct key_index {
    uint64_t *slot_key; /* key + 1 */
    uint32_t *slot_group;
    size_t mask;
} key_index;

static int64_t find_group(key_index *x, kpi_view *v, size_t *cap, uint64_t key)
{
    if ((v->count + 1) * 2 > x->mask) {
        size_t size = x->slot_key ? (x->mask + 1) * 2 : 256;
        uint64_t *keys = ink__calloc_array(size, sizeof *keys);
        uint32_t *groups = ink__alloc_array(size, sizeof *groups);
        if (!keys || !groups) {
            free(keys);
            free(groups);
            return -1;
        }
        for (size_t g = 0; g < v->count; g++) {
            size_t s = (size_t)ink__mix64(v->groups[g].key) & (size - 1);
            while (keys[s])
                s = (s + 1) & (size - 1);
            keys[s] = v->groups[g].key + 1;
            groups[s] = (uint32_t)g;
        }
        free(x->slot_key);
        free(x->slot_group);
        x->slot_key = keys;
        x->slot_group = groups;
        x->mask = size - 1;
    }
    size_t s = (size_t)ink__mix64(key) & x->mask;
    while (x->slot_key[s]) {
        if (x->slot_key[s] == key + 1)
            return x->slot_group[s];
        s = (s + 1) & x->mask;
    }
    /* One spare entry stays for the total. */
    if (!ink__reserve((void **)&v->groups, cap, v->count + 2,
                      sizeof *v->groups) ||
        v->count + 1 >= NO_INDEX)
        return -1;
    /* This group and the spare (freed as the total on failure) start
     * empty. */
    memset(&v->groups[v->count], 0, 2 * sizeof *v->groups);
    v->groups[v->count].key = key;
    v->groups[v->count].open_lo = INT32_MAX;
    x->slot_key[s] = key + 1;
    x->slot_group[s] = (uint32_t)v->count;
    return (int64_t)v->count++;
}

/* Histograms sized for the group's placement days and for payments up to
 * the latest date. 0 when out of memory or past the cells a view may
 * have. */
static int alloc_histograms(kpi_view *v, view_group *g, int32_t open_hi,
                            int32_t latest, const acc_shape *shape)
{
    if (!ink__kpi_acc_init(&g->sums, shape))
        return 0;
    if (g->open_lo > open_hi) /* no case: one empty day */
        g->open_lo = open_hi = 0;
    g->open_span = (size_t)((int64_t)open_hi - g->open_lo) + 1;
    int64_t lags = (int64_t)latest - g->open_lo + 1;
    g->lag_span = lags > 1 ? (size_t)lags : 1;
    /* 8-byte cells per day: the three histograms, lanes, collected,
     * two sole counts, the currencies, two offsets, and the channels. */
    const size_t per_day = 3 + KPI_LANES + 1 + 2 + 1 + 1 + 3 * shape->channels;
    v->cells += g->open_span * per_day + g->lag_span;
    if (v->cells > VIEW_CELLS_MAX) {
        v->too_large = 1;
        return 0;
    }
    const size_t n = g->open_span;
    g->open_cases = ink__calloc_array(n, sizeof *g->open_cases);
    g->open_amount = ink__calloc_array(n, sizeof *g->open_amount);
    g->open_paid = ink__calloc_array(n, sizeof *g->open_paid);
    g->lag_paid = ink__calloc_array(g->lag_span, sizeof *g->lag_paid);
    g->day_lanes = ink__calloc_array(n, sizeof *g->day_lanes);
    g->day_collected = ink__calloc_array(n, sizeof *g->day_collected);
    g->day_sole = ink__calloc_array(n, 2 * sizeof *g->day_sole);
    g->day_channels =
        ink__calloc_array(n, shape->channels * sizeof *g->day_channels);
    g->day_currency = ink__calloc_array(n, 2 * sizeof *g->day_currency);
    g->resolved_at = ink__calloc_array(n + 1, sizeof *g->resolved_at);
    g->shared_at = ink__calloc_array(n + 1, sizeof *g->shared_at);
    return g->open_cases && g->open_amount && g->open_paid && g->lag_paid &&
           g->day_lanes && g->day_collected && g->day_sole && g->day_channels &&
           g->day_currency && g->resolved_at && g->shared_at;
}

/* The sums of case i: its kept fact, or when that is too wide, made from
 * its rows (its channel counts into chan, or counted from its contacts). */
static void parts_of_case(const ink_portfolio *p, const view_query *q, size_t i,
                          uint8_t *chan, case_parts *parts)
{
    const size_t stride = q->shape->chan_stride;
    parts_of_fact(&q->facts.fact[i], q->facts.chan + i * stride, parts);
    if (!(parts->flags & FACT_WIDE))
        return;
    kpi_case made;
    ink__kpi_fact_compute(p, q->shape->channels, i, INT32_MAX, &made, chan);
    for (size_t k = 0; k < KPI_LANES; k++)
        parts->lane[k] = made.lane[k];
    parts->collected = made.collected;
    parts->flags =
        (uint32_t)made.lane[LANE_FLAGS] | (parts->flags & FACT_SOLE_DEBTOR);
    parts->chan = parts->flags & FACT_WIDE ? NULL : chan;
}

/* Bits 1 attempted and 2 responded of a case, as count_debtors reads. */
static uint32_t shared_flags(uint32_t flags)
{
    return ((flags & FACT_ATTEMPTED) ? 1u : 0u) |
           ((flags & FACT_RESPONDED) ? 2u : 0u);
}

/* From counts per day (at[d + 1]) to the start of each day, and room for
 * them all; filling then moves each start to the day's end, and
 * csr_rewind moves them back. */
static int csr_alloc(view_group *g)
{
    for (size_t d = 0; d < g->open_span; d++) {
        g->resolved_at[d + 1] += g->resolved_at[d];
        g->shared_at[d + 1] += g->shared_at[d];
    }
    size_t resolved = g->resolved_at[g->open_span];
    size_t shared = g->shared_at[g->open_span];
    g->resolved =
        ink__alloc_array(resolved ? resolved : 1, sizeof *g->resolved);
    g->shared = ink__alloc_array(shared ? shared : 1, sizeof *g->shared);
    return g->resolved && g->shared;
}

static void csr_rewind(view_group *g)
{
    for (size_t d = g->open_span; d > 0; d--) {
        g->resolved_at[d] = g->resolved_at[d - 1];
        g->shared_at[d] = g->shared_at[d - 1];
    }
    g->resolved_at[0] = 0;
    g->shared_at[0] = 0;
}

/* The payment log by placement day (a counting sort over the total's
 * days), so that a placement window reads only its own payments. */
static int sort_payments(kpi_view *v)
{
    const view_group *all = &v->groups[v->count];
    uint32_t *at = ink__calloc_array(all->open_span + 1, sizeof *at);
    view_payment *out =
        ink__alloc_array(v->payment_cap ? v->payment_cap : 1, sizeof *out);
    if (!at || !out) {
        free(at);
        free(out);
        return 0;
    }
    for (size_t n = 0; n < v->payment_count; n++)
        at[v->payments[n].opened - all->open_lo + 1]++;
    for (size_t d = 0; d < all->open_span; d++)
        at[d + 1] += at[d];
    for (size_t n = 0; n < v->payment_count; n++)
        out[at[v->payments[n].opened - all->open_lo]++] = v->payments[n];
    free(at);
    free(v->payments);
    v->payments = out;
    v->sorted = v->payment_count;
    return 1;
}

/* The view of q over p's kept facts; NULL when out of memory (*nomem
 * set), too large, or a sum passes int64 (the full pass says so). */
static kpi_view *view_make(const ink_portfolio *p, const view_query *q,
                           const char *name, int *nomem)
{
    const ink_cases *cs = &p->cases;
    const ink_payments *ps = &p->payments;
    *nomem = 1;
    kpi_view *v = calloc(1, sizeof *v);
    if (!v)
        return NULL;
    int overflow = 0;
    key_index x = {0};
    size_t cap = 0;
    int32_t *open_hi = NULL;
    int ok = (v->name = strdup(name)) != NULL;
    v->case_group =
        ink__alloc_array(cs->count ? cs->count : 1, sizeof *v->case_group);
    ok = ok && v->case_group;
    /* Groups and their placement days. */
    for (size_t i = 0; ok && i < cs->count; i++) {
        int32_t opened = cs->opened_on[i];
        uint64_t key = 0;
        for (size_t d = 0; d < q->dim_count; d++)
            key +=
                ink__kpi_dim_code(&q->dims[d], cs, i, q->as_of) * q->stride[d];
        int64_t g = find_group(&x, v, &cap, key);
        if (g < 0) {
            ok = 0;
            break;
        }
        v->case_group[i] = (uint32_t)g;
        view_group *vg = &v->groups[g];
        vg->open_lo = opened < vg->open_lo ? opened : vg->open_lo;
    }
    free(x.slot_key);
    free(x.slot_group);
    if (ok && !v->groups) {
        v->groups = calloc(1, sizeof *v->groups);
        ok = v->groups != NULL;
    }
    /* The total: one more group, every case in it. */
    if (ok) {
        memset(&v->groups[v->count], 0, sizeof *v->groups);
        v->groups[v->count].open_lo = INT32_MAX;
        open_hi = ink__alloc_array(v->count + 1, sizeof *open_hi);
        ok = open_hi != NULL;
    }
    const uint32_t total = (uint32_t)v->count;
    for (size_t g = 0; ok && g <= v->count; g++)
        open_hi[g] = INT32_MIN;
    for (size_t i = 0; ok && i < cs->count; i++) {
        uint32_t g = v->case_group[i];
        int32_t opened = cs->opened_on[i];
        open_hi[g] = opened > open_hi[g] ? opened : open_hi[g];
        open_hi[total] = opened > open_hi[total] ? opened : open_hi[total];
        if (opened < v->groups[total].open_lo)
            v->groups[total].open_lo = opened;
    }
    for (size_t g = 0; ok && g <= v->count; g++)
        ok = alloc_histograms(v, &v->groups[g], open_hi[g], p->latest_date,
                              q->shape);
    free(open_hi);
    const size_t channels = q->shape->channels;
    uint8_t *wide_chan = ink__alloc_array(q->shape->chan_stride, 1);
    ok = ok && wide_chan;
    /* How many resolved cases and cases of shared debtors per day. */
    for (size_t i = 0; ok && i < cs->count; i++) {
        case_parts parts;
        parts_of_case(p, q, i, wide_chan, &parts);
        uint32_t both[2] = {v->case_group[i], total};
        for (int k = 0; k < 2; k++) {
            view_group *vg = &v->groups[both[k]];
            size_t day = (size_t)(cs->opened_on[i] - vg->open_lo);
            vg->resolved_at[day + 1] += parts.lane[LANE_RESOLVED] != 0;
            vg->shared_at[day + 1] += !(parts.flags & FACT_SOLE_DEBTOR);
        }
    }
    for (size_t g = 0; ok && g <= v->count; g++)
        ok = csr_alloc(&v->groups[g]);
    for (int k = 0; ok && k < 2; k++) {
        v->shared_pos[k] = ink__alloc_array(cs->count ? cs->count : 1,
                                            sizeof *v->shared_pos[k]);
        ok = v->shared_pos[k] != NULL;
    }
    /* The sums. */
    for (size_t i = 0; ok && i < cs->count; i++) {
        uint32_t g = v->case_group[i];
        case_parts parts;
        parts_of_case(p, q, i, wide_chan, &parts);
        const int32_t opened = cs->opened_on[i];
        const int64_t amount = cs->amount[i];
        uint32_t both[2] = {g, total};
        for (int k = 0; ok && k < 2; k++) {
            view_group *vg = &v->groups[both[k]];
            kpi_acc *a = &vg->sums;
            ok = add_case(v, p, channels, both[k], i, &parts, 1);
            const uint32_t currency = cs->currency.codes[i];
            ink__kpi_currency_note(&a->currency, &a->currency_other, currency);
            a->overflow |= !add_checked(&a->placed, amount);
            size_t day = (size_t)(opened - vg->open_lo);
            vg->open_cases[day]++;
            a->overflow |= !add_checked(&vg->open_amount[day], amount);
            uint32_t *day_currency = vg->day_currency + 2 * day;
            ink__kpi_currency_note(&day_currency[0], &day_currency[1],
                                   currency);
            if (parts.lane[LANE_RESOLVED])
                vg->resolved[vg->resolved_at[day]++] =
                    parts.lane[LANE_RESOLUTION_DAYS];
            v->shared_pos[k][i] = NO_INDEX;
            if (!(parts.flags & FACT_SOLE_DEBTOR)) {
                uint32_t at = vg->shared_at[day]++;
                vg->shared[at] = (debtor_flag){cs->debtor_id.codes[i],
                                               shared_flags(parts.flags)};
                v->shared_pos[k][i] = at;
            }
            if (ok && parts.lane[LANE_RESOLVED])
                ok = ink__reserve((void **)&a->resolution_days.v,
                                  &a->resolution_days.cap,
                                  a->resolution_days.len + 1, sizeof(int32_t));
            if (ok && parts.lane[LANE_RESOLVED])
                a->resolution_days.v[a->resolution_days.len++] =
                    parts.lane[LANE_RESOLUTION_DAYS];
            for (uint32_t r = ps->case_offset[i];
                 ok && r < ps->case_offset[i + 1]; r++)
                ok = add_payment(v, both[k], opened, ps->paid_on[r],
                                 ps->amount[r]) &&
                     (k == 1 ||
                      log_payment(v, g, opened, ps->paid_on[r], ps->amount[r]));
        }
    }
    free(wide_chan);
    for (size_t g = 0; ok && g <= v->count; g++)
        csr_rewind(&v->groups[g]);
    ok = ok && sort_payments(v);
    for (size_t g = 0; ok && g <= v->count; g++) {
        kpi_acc *a = &v->groups[g].sums;
        v->groups[g].median = ink__kpi_median(&a->resolution_days);
        free(a->resolution_days.v);
        memset(&a->resolution_days, 0, sizeof a->resolution_days);
        overflow |= a->overflow;
        ok = !a->overflow; /* the full pass reports it */
    }
    if (!ok) {
        *nomem = !v->too_large && !overflow;
        view_free(v);
        return NULL;
    }
    *nomem = 0;
    return v;
}

/* ------------------------------------------------------------------ */
/* Keeping views up to date                                            */

int ink__kpi_views_case_changed(kpi_views *vs, const ink_portfolio *p,
                                size_t channels, size_t i, const kpi_fact *old,
                                const uint8_t *old_chan, const kpi_fact *now,
                                const uint8_t *now_chan)
{
    if (!vs || !vs->count)
        return 1;
    /* Status, days and the debtor's other cases come from case rows,
     * which drop the views: a change here means they cannot follow. */
    int ok = !((old->lane[LANE_FLAGS] | now->lane[LANE_FLAGS]) & FACT_WIDE);
    static const int fixed[] = {LANE_CASES, LANE_OPEN, LANE_RESOLVED,
                                LANE_RESOLUTION_DAYS};
    for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
        ok &= old->lane[fixed[k]] == now->lane[fixed[k]];
    ok &= ((old->lane[LANE_FLAGS] ^ now->lane[LANE_FLAGS]) &
           FACT_SOLE_DEBTOR) == 0;
    int nomem = 0;
    for (size_t n = 0; ok && n < vs->count; n++) {
        kpi_view *v = vs->view[n];
        uint32_t g = v->case_group[i];
        case_parts before, after;
        parts_of_fact(old, old_chan, &before);
        parts_of_fact(now, now_chan, &after);
        uint32_t both[2] = {g, (uint32_t)v->count};
        for (int k = 0; ok && k < 2; k++) {
            nomem = !add_case(v, p, channels, both[k], i, &before, -1) ||
                    !add_case(v, p, channels, both[k], i, &after, 1);
            ok = !nomem && !v->groups[both[k]].sums.overflow;
            uint32_t at = v->shared_pos[k][i];
            if (at != NO_INDEX)
                v->groups[both[k]].shared[at].flags = shared_flags(after.flags);
        }
    }
    if (!ok)
        ink__kpi_views_drop(vs);
    return !nomem;
}

int ink__kpi_views_payment_added(kpi_views *vs, const ink_portfolio *p,
                                 const ink__payment_note *note)
{
    int ok = 1, nomem = 0;
    for (size_t n = 0; vs && ok && n < vs->count; n++) {
        kpi_view *v = vs->view[n];
        size_t i = note->case_index;
        uint32_t g = v->case_group[i];
        int32_t opened = p->cases.opened_on[i];
        ok = add_payment(v, g, opened, note->paid_on, note->amount) &&
             add_payment(v, (uint32_t)v->count, opened, note->paid_on,
                         note->amount) &&
             log_payment(v, g, opened, note->paid_on, note->amount);
        nomem = !ok && !v->too_large;
        ok = ok && !v->groups[g].sums.overflow &&
             !v->groups[v->count].sums.overflow;
    }
    if (!ok)
        ink__kpi_views_drop(vs);
    return !nomem;
}

/* ------------------------------------------------------------------ */
/* Answering from a view                                               */

/* a: g's sums with the windows of q (acc initialised for q's shape). */
static int answer_group(const view_group *g, const view_query *q, kpi_acc *a,
                        int64_t *lagsum, int64_t *excluded)
{
    const size_t nw = q->shape->windows;
    const int32_t *w = q->sorted_windows;
    memcpy(a->lanes, g->sums.lanes, sizeof a->lanes);
    a->currency = g->sums.currency;
    a->currency_other = g->sums.currency_other;
    a->overflow = g->sums.overflow;
    a->placed = g->sums.placed;
    a->collected = g->sums.collected;
    memcpy(a->channels, g->sums.channels,
           q->shape->channels * sizeof *a->channels);
    a->sole_attempted = g->sums.sole_attempted;
    a->sole_reached = g->sums.sole_reached;
    a->known = 1;
    a->known_median = g->median;
    a->known_attempted = g->attempted;
    a->known_reached = g->reached;
    int over = 0;
    memset(excluded, 0, (nw + 1) * sizeof *excluded);
    for (size_t d = 0; d < g->open_span; d++) {
        size_t k = ink__kpi_windows_upto(
            w, nw, (int64_t)q->as_of - g->open_lo - (int64_t)d);
        a->lived_cases[k] += g->open_cases[d];
        over |= __builtin_add_overflow(a->lived_amount[k], g->open_amount[d],
                                       &a->lived_amount[k]);
        over |=
            __builtin_add_overflow(excluded[k], g->open_paid[d], &excluded[k]);
    }
    /* Paid within W days, for each window in turn. */
    int64_t sum = 0;
    size_t j = 0;
    for (size_t d = 0; d < g->lag_span && j < nw; d++) {
        while (j < nw && (size_t)w[j] < d)
            lagsum[j++] = sum;
        over |= __builtin_add_overflow(sum, g->lag_paid[d], &sum);
    }
    while (j < nw)
        lagsum[j++] = sum;
    int64_t out = 0, before = 0;
    for (j = 0; j < nw; j++) {
        int64_t realized;
        over |= __builtin_add_overflow(out, excluded[j], &out);
        over |= __builtin_sub_overflow(lagsum[j], out, &realized);
        over |= __builtin_sub_overflow(realized, before, &a->realized_step[j]);
        before = realized;
    }
    a->overflow |= over;
    return 1;
}

/* A group's sums over placement days lo .. hi into a (initialised for
 * q's shape): the median and debtors of those days' cases, and their
 * eligibility; their payments come from the log. flags: the debtor
 * scratch (one zero byte per debtor). */
static int answer_days(const view_group *g, const view_query *q, size_t lo,
                       size_t hi, kpi_acc *a, uint8_t *flags)
{
    const size_t channels = q->shape->channels;
    int over = 0;
    for (size_t d = lo; d <= hi; d++) {
        for (size_t k = 0; k < KPI_LANES; k++)
            a->lanes[k] += g->day_lanes[d][k];
        over |= !add_checked(&a->collected, g->day_collected[d]);
        over |= !add_checked(&a->placed, g->open_amount[d]);
        for (size_t c = 0; c < channels; c++)
            ink__kpi_channel_add(&a->channels[c],
                                 g->day_channels[d * channels + c]);
        a->sole_attempted += g->day_sole[2 * d];
        a->sole_reached += g->day_sole[2 * d + 1];
        for (size_t k = 0; k < 2; k++)
            ink__kpi_currency_note(&a->currency, &a->currency_other,
                                   g->day_currency[2 * d + k]);
        size_t k =
            ink__kpi_windows_upto(q->sorted_windows, q->shape->windows,
                                  (int64_t)q->as_of - g->open_lo - (int64_t)d);
        a->lived_cases[k] += g->open_cases[d];
        over |= !add_checked(&a->lived_amount[k], g->open_amount[d]);
    }
    a->overflow |= over;
    uint32_t r0 = g->resolved_at[lo], r1 = g->resolved_at[hi + 1];
    i32_vec days = {NULL, r1 - r0, r1 - r0};
    if (days.len) {
        days.v = ink__alloc_array(days.len, sizeof *days.v);
        if (!days.v)
            return 0;
        memcpy(days.v, g->resolved + r0, days.len * sizeof *days.v);
    }
    a->known = 1;
    a->known_median = ink__kpi_median(&days);
    free(days.v);
    uint32_t s0 = g->shared_at[lo], s1 = g->shared_at[hi + 1];
    ink__kpi_count_debtors(g->shared + s0, s1 - s0, flags, &a->known_attempted,
                           &a->known_reached);
    return 1;
}

/* The total's days, on a thread of its own (as much work as all groups). */
typedef struct days_job {
    const view_group *g;
    const view_query *q;
    size_t lo, hi;
    kpi_acc *a;
    uint8_t *flags;
    int ok;
} days_job;

static void *run_days(void *arg)
{
    days_job *j = arg;
    j->ok = answer_days(j->g, j->q, j->lo, j->hi, j->a, j->flags);
    return NULL;
}

/* The days of g within [from, to] as indexes lo .. hi; 0 when none. */
static int days_within(const view_group *g, int64_t from, int64_t to,
                       size_t *lo, size_t *hi)
{
    int64_t first = from > g->open_lo ? from : g->open_lo;
    int64_t last = (int64_t)g->open_lo + (int64_t)g->open_span - 1;
    last = to < last ? to : last;
    if (first > last)
        return 0;
    *lo = (size_t)(first - g->open_lo);
    *hi = (size_t)(last - g->open_lo);
    return 1;
}

/* Realization steps of the payments at [begin, end) and [tail_begin,
 * tail_end) of the log placed from .. to, per group (the total last)
 * into steps. */
typedef struct scan_job {
    const kpi_view *v;
    const view_query *q;
    int64_t from, to;
    size_t begin, end, tail_begin, tail_end;
    int64_t *steps;
    int overflow;
} scan_job;

static void scan_range(scan_job *j, size_t begin, size_t end)
{
    const size_t nw = j->q->shape->windows;
    const int32_t *w = j->q->sorted_windows;
    const size_t total = j->v->count;
    int32_t lived_day = INT32_MIN;
    size_t lived = 0;
    int over = 0;
    for (size_t n = begin; n < end; n++) {
        const view_payment *e = &j->v->payments[n];
        if (e->opened < j->from || e->opened > j->to)
            continue;
        /* Sorted by day: the windows lived through change rarely. */
        if (e->opened != lived_day) {
            lived_day = e->opened;
            lived =
                ink__kpi_windows_upto(w, nw, (int64_t)j->q->as_of - e->opened);
        }
        size_t first = ink__kpi_windows_upto(w, nw, (int64_t)e->lag - 1);
        if (first >= lived)
            continue;
        int64_t *both[2] = {j->steps + e->group * (nw + 1),
                            j->steps + total * (nw + 1)};
        for (int k = 0; k < 2; k++) {
            over |= __builtin_add_overflow(both[k][first], e->amount,
                                           &both[k][first]);
            over |= __builtin_sub_overflow(both[k][lived], e->amount,
                                           &both[k][lived]);
        }
    }
    j->overflow |= over;
}

static void *run_scan(void *arg)
{
    scan_job *j = arg;
    scan_range(j, j->begin, j->end);
    scan_range(j, j->tail_begin, j->tail_end);
    return NULL;
}

/* A report with from or to, from v into out (its arrays allocated for
 * every group). */
static int answer_range(const kpi_view *v, const ink_portfolio *p,
                        const view_query *q, view_answer *out)
{
    const int64_t from = q->from == INK_DATE_NONE ? INT64_MIN : q->from;
    const int64_t to = q->to == INK_DATE_NONE ? INT64_MAX : q->to;
    /* Where each group's sums go: NULL when it has no case placed then. */
    kpi_acc **acc_of = ink__calloc_array(v->count + 1, sizeof *acc_of);
    if (!acc_of)
        return 0;
    /* The total first, on a helper thread with a debtor scratch of its
     * own, the groups meanwhile. */
    int ok = ink__kpi_acc_init(&out->total, q->shape);
    days_job total = {&v->groups[v->count], q, 0, 0, &out->total, NULL, 1};
    acc_of[v->count] = &out->total;
    out->total.known = 1;
    out->total.known_median = NAN;
    pthread_t helper;
    int started = 0;
    if (ok && days_within(total.g, from, to, &total.lo, &total.hi)) {
        size_t debtors =
            ink_dict_count(ink_portfolio_cases(p)->debtor_id.values) + 1;
        total.flags = ink__calloc_array(debtors, 1);
        ok = total.flags != NULL;
        started = ok && v->count > 1 &&
                  pthread_create(&helper, NULL, run_days, &total) == 0;
        if (ok && !started)
            run_days(&total);
    }
    for (size_t g = 0; ok && g < v->count; g++) {
        const view_group *vg = &v->groups[g];
        size_t lo, hi;
        uint64_t cases = 0;
        int any = days_within(vg, from, to, &lo, &hi);
        for (size_t d = lo; any && d <= hi; d++)
            cases += vg->open_cases[d];
        if (!cases)
            continue;
        kpi_acc *a = &out->accs[out->count];
        ok = ink__kpi_acc_init(a, q->shape);
        if (!ok)
            break;
        out->keys[out->count++] = vg->key;
        acc_of[g] = a;
        ok = answer_days(vg, q, lo, hi, a, q->shape->debtor_flags);
    }
    if (started)
        pthread_join(helper, NULL);
    free(total.flags);
    ok = ok && total.ok;
    /* The sorted payments placed in the window, then those since, in two
     * halves on two threads, each into steps of its own. */
    size_t lo = 0, hi = v->sorted;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->payments[mid].opened < from)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo, top = v->sorted;
    while (end < top) {
        size_t mid = end + (top - end) / 2;
        if (v->payments[mid].opened <= to)
            end = mid + 1;
        else
            top = mid;
    }
    const size_t nw = q->shape->windows;
    const size_t cells = (v->count + 1) * (nw + 1);
    scan_job jobs[2] = {
        {v, q, from, to, lo, lo + (end - lo) / 2, 0, 0, NULL, 0},
        {v, q, from, to, lo + (end - lo) / 2, end, v->sorted, v->payment_count,
         NULL, 0}};
    int two = ok && cells <= ((size_t)1 << 20) && end - lo >= 50000;
    if (!two) {
        jobs[0].end = end;
        jobs[0].tail_begin = v->sorted;
        jobs[0].tail_end = v->payment_count;
    }
    for (int k = 0; ok && k < 1 + two; k++) {
        jobs[k].steps = ink__calloc_array(cells, sizeof *jobs[k].steps);
        ok = jobs[k].steps != NULL;
    }
    started = 0;
    if (ok && two)
        started = pthread_create(&helper, NULL, run_scan, &jobs[1]) == 0;
    if (ok)
        run_scan(&jobs[0]);
    if (ok && two && !started)
        run_scan(&jobs[1]);
    if (started)
        pthread_join(helper, NULL);
    for (int k = 0; ok && k < 1 + two; k++) {
        for (size_t g = 0; g <= v->count; g++) {
            kpi_acc *a = acc_of[g];
            const int64_t *step = jobs[k].steps + g * (nw + 1);
            for (size_t j = 0; a && j <= nw; j++)
                a->overflow |= !add_checked(&a->realized_step[j], step[j]);
        }
        if (jobs[k].overflow)
            out->total.overflow = 1;
    }
    free(jobs[0].steps);
    free(jobs[1].steps);
    free(acc_of);
    return ok;
}

static char *view_name(const view_query *q)
{
    size_t len = 1;
    for (size_t d = 0; d < q->dim_count; d++)
        len += strlen(q->by[d]) + 1;
    char *name = malloc(len);
    if (!name)
        return NULL;
    size_t n = 0;
    name[0] = '\0';
    for (size_t d = 0; d < q->dim_count; d++)
        n += (size_t)snprintf(name + n, len - n, "%s\x1f", q->by[d]);
    return name;
}

/* The view named name: kept, or made when asked for before; NULL with
 * *nomem 0 when there is none to be had. */
static kpi_view *view_for(kpi_views *vs, const ink_portfolio *p,
                          const view_query *q, const char *name, int *nomem)
{
    *nomem = 0;
    for (size_t n = 0; n < vs->count; n++)
        if (strcmp(vs->view[n]->name, name) == 0)
            return vs->view[n];
    int asked = 0;
    for (size_t k = 0; k < ASKED_MAX; k++)
        asked |= vs->asked[k] && strcmp(vs->asked[k], name) == 0;
    if (!asked) {
        char *copy = strdup(name);
        *nomem = copy == NULL;
        if (copy) {
            free(vs->asked[vs->asked_next]);
            vs->asked[vs->asked_next] = copy;
            vs->asked_next = (vs->asked_next + 1) % ASKED_MAX;
        }
        return NULL;
    }
    kpi_view *v = view_make(p, q, name, nomem);
    if (!v)
        return NULL;
    if (vs->count == VIEW_MAX) {
        size_t oldest = 0;
        for (size_t n = 1; n < vs->count; n++)
            if (vs->view[n]->used < vs->view[oldest]->used)
                oldest = n;
        view_free(vs->view[oldest]);
        vs->view[oldest] = vs->view[--vs->count];
    }
    vs->view[vs->count++] = v;
    return v;
}

ink_status ink__kpi_views_answer(kpi_views *vs, const ink_portfolio *p,
                                 const view_query *q, view_answer *out)
{
    memset(out, 0, sizeof *out);
    if (!vs)
        return INK_OK;
    char *name = view_name(q);
    if (!name)
        return INK_NOMEM;
    int nomem;
    kpi_view *v = view_for(vs, p, q, name, &nomem);
    free(name);
    if (!v)
        return nomem ? INK_NOMEM : INK_OK; /* else the full pass answers */
    v->used = ++vs->clock;
    const size_t nw = q->shape->windows;
    int64_t *lagsum = ink__alloc_array(nw + 1, sizeof *lagsum);
    int64_t *excluded = ink__alloc_array(nw + 1, sizeof *excluded);
    out->keys = ink__alloc_array(v->count ? v->count : 1, sizeof *out->keys);
    out->accs = ink__calloc_array(v->count ? v->count : 1, sizeof *out->accs);
    int ok = lagsum && excluded && out->keys && out->accs;
    if (ok && (q->from != INK_DATE_NONE || q->to != INK_DATE_NONE)) {
        ok = answer_range(v, p, q, out);
        goto done;
    }
    ok = ok && ink__kpi_acc_init(&out->total, q->shape);
    for (size_t g = 0; ok && g < v->count; g++) {
        out->keys[g] = v->groups[g].key;
        ok = ink__kpi_acc_init(&out->accs[g], q->shape);
        out->count += ok;
        ok = ok &&
             answer_group(&v->groups[g], q, &out->accs[g], lagsum, excluded);
    }
    ok = ok &&
         answer_group(&v->groups[v->count], q, &out->total, lagsum, excluded);
done:
    free(lagsum);
    free(excluded);
    if (!ok) {
        ink__kpi_view_answer_free(out);
        return INK_NOMEM;
    }
    out->answered = 1;
    __atomic_fetch_add(&ink__kpi_views_answered, 1, __ATOMIC_RELAXED);
    return INK_OK;
}

void ink__kpi_view_answer_free(view_answer *a)
{
    for (size_t g = 0; g < a->count; g++)
        ink__kpi_acc_cleanup(&a->accs[g]);
    free(a->accs);
    free(a->keys);
    ink__kpi_acc_cleanup(&a->total);
    memset(a, 0, sizeof *a);
}
