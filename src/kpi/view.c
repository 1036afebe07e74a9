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
#define NO_GROUP UINT32_MAX

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
} view_group;

typedef struct kpi_view {
    char *name;   /* the grouping and placement window, as one string */
    size_t count; /* groups; the total is groups[count] */
    view_group *groups;
    uint32_t *case_group; /* per case; NO_GROUP outside the window */
    size_t cases;
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
    }
    free(v->groups);
    free(v->case_group);
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

/* Adds (sign +1) or takes back (-1) the sums of case i in group g. 0 when
 * out of memory. */
static int add_case(kpi_view *v, const ink_portfolio *p, size_t channels,
                    uint32_t g, size_t i, const case_parts *c, int sign)
{
    view_group *vg = &v->groups[g];
    kpi_acc *a = &vg->sums;
    for (size_t k = 0; k < KPI_LANES; k++)
        a->lanes[k] += sign * c->lane[k];
    a->overflow |=
        sign > 0
            ? __builtin_add_overflow(a->collected, c->collected, &a->collected)
            : __builtin_sub_overflow(a->collected, c->collected, &a->collected);
    if (c->chan) {
        for (size_t k = 1; k < channels; k++) {
            const uint8_t *b = c->chan + (k - 1) * 3;
            a->channels[k].outbound += (uint64_t)(sign * b[0]);
            a->channels[k].valid += (uint64_t)(sign * b[1]);
            a->channels[k].responded += (uint64_t)(sign * b[2]);
        }
    } else {
        const ink_contacts *ct = &p->contacts;
        for (uint32_t k = ct->case_offset[i]; k < ct->case_offset[i + 1]; k++) {
            if (ct->direction[k] != INK_DIRECTION_OUT)
                continue;
            channel_counts *ch = &a->channels[ct->channel.codes[k]];
            int valid = ct->outcome[k] != INK_OUTCOME_INVALID;
            int responded = ct->outcome[k] == INK_OUTCOME_RESPONDED;
            ch->outbound += (uint64_t)sign;
            ch->valid += (uint64_t)(sign * valid);
            ch->responded += (uint64_t)(sign * responded);
        }
    }
    a->overflow |= (c->flags & FACT_OVERFLOW) != 0;
    int attempted = (c->flags & FACT_ATTEMPTED) != 0;
    int responded = (c->flags & FACT_RESPONDED) != 0;
    if (c->flags & FACT_SOLE_DEBTOR) {
        a->sole_attempted += (uint64_t)(sign * attempted);
        a->sole_reached += (uint64_t)(sign * (attempted && responded));
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
        v->count + 1 >= NO_GROUP)
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
    v->cells += g->open_span * 3 + g->lag_span;
    if (v->cells > VIEW_CELLS_MAX) {
        v->too_large = 1;
        return 0;
    }
    g->open_cases = ink__calloc_array(g->open_span, sizeof *g->open_cases);
    g->open_amount = ink__calloc_array(g->open_span, sizeof *g->open_amount);
    g->open_paid = ink__calloc_array(g->open_span, sizeof *g->open_paid);
    g->lag_paid = ink__calloc_array(g->lag_span, sizeof *g->lag_paid);
    return g->open_cases && g->open_amount && g->open_paid && g->lag_paid;
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
    v->cases = cs->count;
    v->case_group =
        ink__alloc_array(cs->count ? cs->count : 1, sizeof *v->case_group);
    ok = ok && v->case_group;
    /* Groups and their placement days. */
    for (size_t i = 0; ok && i < cs->count; i++) {
        int32_t opened = cs->opened_on[i];
        v->case_group[i] = NO_GROUP;
        if ((q->from != INK_DATE_NONE && opened < q->from) ||
            (q->to != INK_DATE_NONE && opened > q->to))
            continue;
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
        if (g == NO_GROUP)
            continue;
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
    /* The sums. */
    const size_t channels = q->shape->channels;
    uint8_t *wide_chan = ink__alloc_array(q->shape->chan_stride, 1);
    ok = ok && wide_chan;
    for (size_t i = 0; ok && i < cs->count; i++) {
        uint32_t g = v->case_group[i];
        if (g == NO_GROUP)
            continue;
        const kpi_fact *f = &q->facts.fact[i];
        case_parts parts;
        parts_of_fact(f, q->facts.chan + i * q->shape->chan_stride, &parts);
        if (parts.flags & FACT_WIDE) {
            /* Too wide for its kept fact: made from its rows. */
            kpi_case made;
            ink__kpi_fact_compute(p, channels, i, INT32_MAX, &made, wide_chan);
            for (size_t k = 0; k < KPI_LANES; k++)
                parts.lane[k] = made.lane[k];
            parts.collected = made.collected;
            parts.flags = (uint32_t)made.lane[LANE_FLAGS] |
                          (parts.flags & FACT_SOLE_DEBTOR);
            parts.chan = parts.flags & FACT_WIDE ? NULL : wide_chan;
        }
        const int32_t opened = cs->opened_on[i];
        const int64_t amount = cs->amount[i];
        uint32_t both[2] = {g, total};
        for (int k = 0; ok && k < 2; k++) {
            view_group *vg = &v->groups[both[k]];
            kpi_acc *a = &vg->sums;
            ok = add_case(v, p, channels, both[k], i, &parts, 1);
            uint32_t currency = cs->currency.codes[i];
            if (currency != a->currency) {
                if (!a->currency)
                    a->currency = currency;
                else if (!a->currency_other)
                    a->currency_other = currency;
            }
            a->overflow |= !add_checked(&a->placed, amount);
            size_t day = (size_t)(opened - vg->open_lo);
            vg->open_cases[day]++;
            a->overflow |= !add_checked(&vg->open_amount[day], amount);
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
                                 ps->amount[r]);
        }
    }
    free(wide_chan);
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
        uint32_t g = i < v->cases ? v->case_group[i] : NO_GROUP;
        if (g == NO_GROUP)
            continue;
        case_parts before, after;
        parts_of_fact(old, old_chan, &before);
        parts_of_fact(now, now_chan, &after);
        uint32_t both[2] = {g, (uint32_t)v->count};
        for (int k = 0; ok && k < 2; k++) {
            nomem = !add_case(v, p, channels, both[k], i, &before, -1) ||
                    !add_case(v, p, channels, both[k], i, &after, 1);
            ok = !nomem && !v->groups[both[k]].sums.overflow;
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
        uint32_t g = i < v->cases ? v->case_group[i] : NO_GROUP;
        if (g == NO_GROUP)
            continue;
        int32_t opened = p->cases.opened_on[i];
        ok = add_payment(v, g, opened, note->paid_on, note->amount) &&
             add_payment(v, (uint32_t)v->count, opened, note->paid_on,
                         note->amount);
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

/* How many of the ascending windows w[0..n) are <= days. */
static size_t windows_upto(const int32_t *w, size_t n, int64_t days)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w[mid] <= days)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

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
        size_t k = windows_upto(w, nw, (int64_t)q->as_of - g->open_lo - d);
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

static char *view_name(const view_query *q)
{
    size_t len = 64;
    for (size_t d = 0; d < q->dim_count; d++)
        len += strlen(q->by[d]) + 1;
    char *name = malloc(len);
    if (!name)
        return NULL;
    size_t n =
        (size_t)snprintf(name, len, "%ld %ld", (long)q->from, (long)q->to);
    for (size_t d = 0; d < q->dim_count; d++)
        n += (size_t)snprintf(name + n, len - n, "\x1f%s", q->by[d]);
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
    int ok = lagsum && excluded && out->keys && out->accs &&
             ink__kpi_acc_init(&out->total, q->shape);
    for (size_t g = 0; ok && g < v->count; g++) {
        out->keys[g] = v->groups[g].key;
        ok = ink__kpi_acc_init(&out->accs[g], q->shape);
        out->count += ok;
        ok = ok &&
             answer_group(&v->groups[g], q, &out->accs[g], lagsum, excluded);
    }
    ok = ok &&
         answer_group(&v->groups[v->count], q, &out->total, lagsum, excluded);
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
