/* Per-case facts: what every report over all rows needs of a case's
 * payments and contacts, kept across queries. A report whose as_of is on
 * or after the latest date (the default) reads one fact per case instead
 * of walking 6 contacts and a payment; ingests recompute only the cases
 * they touched. Reports as of an earlier day see fewer rows and take the
 * full path in engine.c. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "kpi/kpi_impl.h"

int ink__kpi_facts_enabled = 1;

struct kpi_facts {
    pthread_mutex_t mu;
    uint64_t reports; /* reports asked for facts so far */
    int built;
    size_t cases, cap; /* facts of cases [0, cases); room for cap */
    size_t channels;   /* the channel dictionary's size when built */
    kpi_fact *fact;
    uint8_t *chan; /* per case, per channel: outbound, valid, responded */
    /* Cases per debtor, and the debtor each fact was made for: a case whose
     * debtor has no other case counts its debtor without deduplication. */
    uint32_t *debtor_of;
    uint32_t *debtor_cases, *debtor_first;
    size_t debtor_cap;
    /* Kept views of groupings (view.c), and the case batches they saw. */
    kpi_views *views;
    uint64_t case_batches;
    /* Cases by placement day, for the cases and case batches it was
     * made for. */
    uint32_t *day_cases, *day_at;
    int32_t day_first;
    size_t day_span, day_count;
    uint64_t day_batches;
    int day_valid;
    /* The operations cube, for the cases and case batches it was made
     * for; contact ingests are added to it, anything else makes it stale
     * (made again when next asked for). */
    kpi_ops_cube cube;
    size_t cube_cases;
    uint64_t cube_batches;
    int cube_tried, cube_stale;
    /* The operations section of the last report, for as_of, from, to, at
     * the portfolio's generation. */
    int ops_valid;
    uint64_t ops_generation;
    int32_t ops_as_of, ops_from, ops_to;
    int ops_present;
    size_t ops_count;
    ink_kpi_operation *ops;
    char (*ops_fte)[48];
};

static void facts_free(void *arg)
{
    kpi_facts *f = arg;
    if (!f)
        return;
    pthread_mutex_destroy(&f->mu);
    free(f->fact);
    free(f->chan);
    free(f->debtor_of);
    free(f->debtor_cases);
    free(f->debtor_first);
    free(f->ops);
    free(f->ops_fte);
    ink__kpi_views_free(f->views);
    free(f->day_cases);
    free(f->day_at);
    ink__kpi_ops_cube_free(&f->cube);
    free(f);
}

/* The cache of p, created on first use; NULL when out of memory. The
 * portfolio is const to readers, but the cache is not part of its value:
 * creating it is serialised by the caller's contract (one writer, or
 * readers under a shared lock that first reach here through once()). */
static pthread_mutex_t create_mu = PTHREAD_MUTEX_INITIALIZER;

static kpi_facts *facts_of(const ink_portfolio *cp)
{
    ink_portfolio *p = (ink_portfolio *)cp;
    pthread_mutex_lock(&create_mu);
    kpi_facts *f = p->kpi_cache;
    if (!f) {
        f = calloc(1, sizeof *f);
        if (f && pthread_mutex_init(&f->mu, NULL) != 0) {
            free(f);
            f = NULL;
        }
        if (f) {
            p->kpi_cache = f;
            p->kpi_cache_free = facts_free;
        }
    }
    pthread_mutex_unlock(&create_mu);
    return f;
}

void ink__kpi_fact_compute(const ink_portfolio *p, size_t channels, size_t i,
                           int32_t as_of, kpi_case *out, uint8_t *chan)
{
    const ink_cases *cs = &p->cases;
    const ink_payments *ps = &p->payments;
    const ink_contacts *ct = &p->contacts;
    kpi_case f = {0};
    uint32_t flags = 0;
    const int32_t opened = cs->opened_on[i];
    const int32_t closed = ink__kpi_closed_at(cs, i, as_of);
    const int resolved = ink__kpi_resolved(cs, i, closed);
    int32_t first_payment = INK_DATE_NONE, first_contact = INK_DATE_NONE;
    uint32_t paid = 0;
    for (uint32_t k = ps->case_offset[i]; k < ps->case_offset[i + 1]; k++) {
        if (ps->paid_on[k] > as_of)
            break;
        int64_t v = ps->amount[k];
        if (++paid > 1 || v <= 0)
            flags |= FACT_WALK_PAYMENTS;
        if (__builtin_add_overflow(f.collected, v, &f.collected))
            flags |= FACT_OVERFLOW;
        if (v > 0 && first_payment == INK_DATE_NONE)
            first_payment = ps->paid_on[k];
    }
    const size_t stride = ink__kpi_chan_stride(channels);
    memset(chan, 0, stride);
    uint32_t valid_before_close = 0;
    /* Per channel in a byte each: a case past 255 contacts of a channel
     * is marked wide and its contacts are walked by the report. */
    uint32_t wide = 0;
    for (uint32_t k = ct->case_offset[i]; k < ct->case_offset[i + 1]; k++) {
        if (ct->date[k] > as_of)
            break;
        if (ct->direction[k] != INK_DIRECTION_OUT) {
            flags |= FACT_RESPONDED; /* inbound is always a response */
            continue;
        }
        uint8_t *ch = chan + ((size_t)ct->channel.codes[k] - 1) * 3;
        f.lane[LANE_OUTBOUND]++;
        wide |= ch[0] == UINT8_MAX;
        ch[0]++;
        f.lane[LANE_AUTOMATED_OUTBOUND] += ct->automated[k];
        uint8_t outcome = ct->outcome[k];
        if (outcome == INK_OUTCOME_INVALID)
            continue;
        ch[1]++;
        f.lane[LANE_VALID_OUTBOUND]++;
        if (first_contact == INK_DATE_NONE)
            first_contact = ct->date[k];
        if (resolved && ct->date[k] <= closed)
            valid_before_close++;
        if (outcome == INK_OUTCOME_RESPONDED) {
            ch[2]++;
            flags |= FACT_RESPONDED;
        }
    }
    if (wide) {
        flags |= FACT_WIDE;
        memset(chan, 0, stride);
    }
    if (f.lane[LANE_OUTBOUND])
        flags |= FACT_ATTEMPTED;
    f.lane[LANE_CASES] = 1;
    f.lane[LANE_OPEN] = closed == INK_DATE_NONE;
    f.lane[LANE_RESOLVED] = resolved;
    f.lane[LANE_RESOLUTION_DAYS] = resolved ? closed - opened : 0;
    f.lane[LANE_FIRST_CONTACT_RESOLVED] = resolved && valid_before_close == 1;
    if (first_payment != INK_DATE_NONE) {
        f.lane[LANE_PAID] = 1;
        f.lane[LANE_PAID_DAYS] = first_payment - opened;
        if (first_contact != INK_DATE_NONE && first_payment >= first_contact) {
            f.lane[LANE_CONTACT_TO_PAYMENT] = 1;
            f.lane[LANE_CONTACT_TO_PAYMENT_DAYS] =
                first_payment - first_contact;
        }
    }
    f.lane[LANE_FLAGS] = (int32_t)flags;
    *out = f;
}

/* The kept form of c: its lanes in 16 bits, or only FACT_WIDE (with a
 * zero channel row) when one does not fit. */
static void pack(const kpi_case *c, kpi_fact *out, uint8_t *chan, size_t stride)
{
    int fits = !(c->lane[LANE_FLAGS] & FACT_WIDE);
    for (size_t k = 0; k < KPI_LANES; k++)
        fits &= c->lane[k] >= INT16_MIN && c->lane[k] <= INT16_MAX;
    memset(out, 0, sizeof *out);
    out->collected = c->collected;
    if (!fits) {
        out->lane[LANE_FLAGS] = FACT_WIDE;
        memset(chan, 0, stride);
        return;
    }
    for (size_t k = 0; k < KPI_LANES; k++)
        out->lane[k] = (int16_t)c->lane[k];
}

/* Case i's kept fact and channel row, made from all its rows. */
static void keep_case(const ink_portfolio *p, size_t channels, size_t i,
                      kpi_fact *out, uint8_t *chan)
{
    kpi_case c;
    ink__kpi_fact_compute(p, channels, i, INT32_MAX, &c, chan);
    pack(&c, out, chan, ink__kpi_chan_stride(channels));
}

typedef struct build_part {
    const ink_portfolio *p;
    kpi_facts *f;
    size_t begin, end;
} build_part;

static void *build_range(void *arg)
{
    build_part *b = arg;
    size_t k = b->f->channels, stride = ink__kpi_chan_stride(k);
    for (size_t i = b->begin; i < b->end; i++)
        keep_case(b->p, k, i, &b->f->fact[i], b->f->chan + i * stride);
    return NULL;
}

/* Facts of cases [from, p's cases), on two threads when there are many. */
static int build(const ink_portfolio *p, kpi_facts *f, size_t from)
{
    size_t cases = p->cases.count, stride = ink__kpi_chan_stride(f->channels);
    if (cases > f->cap) {
        size_t cap = f->cap ? f->cap : 1024;
        while (cap < cases)
            cap *= 2;
        kpi_fact *fact = ink__realloc_array(f->fact, cap, sizeof *fact);
        if (!fact)
            return 0;
        f->fact = fact;
        uint8_t *chan = ink__realloc_array(f->chan, cap, stride * sizeof *chan);
        if (!chan)
            return 0;
        f->chan = chan;
        uint32_t *debtor_of =
            ink__realloc_array(f->debtor_of, cap, sizeof *debtor_of);
        if (!debtor_of)
            return 0;
        f->debtor_of = debtor_of;
        f->cap = cap;
    }
    build_part parts[2] = {{p, f, from, from + (cases - from) / 2},
                           {p, f, from + (cases - from) / 2, cases}};
    pthread_t helper;
    int started = cases - from >= 50000 &&
                  pthread_create(&helper, NULL, build_range, &parts[1]) == 0;
    if (!started)
        parts[0].end = cases;
    build_range(&parts[0]);
    if (started)
        pthread_join(helper, NULL);
    f->cases = cases;
    return 1;
}

/* Room for every debtor code of p in the per-debtor counts (new codes
 * start at zero). */
static int reserve_debtors(const ink_portfolio *p, kpi_facts *f)
{
    size_t need = ink_dict_count(p->cases.debtor_id.values) + 1;
    if (need <= f->debtor_cap)
        return 1;
    size_t cap = f->debtor_cap ? f->debtor_cap : 1024;
    while (cap < need)
        cap *= 2;
    uint32_t *cases = ink__realloc_array(f->debtor_cases, cap, sizeof *cases);
    if (!cases)
        return 0;
    f->debtor_cases = cases;
    uint32_t *first = ink__realloc_array(f->debtor_first, cap, sizeof *first);
    if (!first)
        return 0;
    f->debtor_first = first;
    memset(f->debtor_cases + f->debtor_cap, 0,
           (cap - f->debtor_cap) * sizeof *cases);
    f->debtor_cap = cap;
    return 1;
}

/* Counts the debtors of cases [from, count) and keeps FACT_SOLE_DEBTOR
 * right: set on a case while its debtor has no other. */
static void count_debtors(const ink_portfolio *p, kpi_facts *f, size_t from)
{
    const uint32_t *debtor = p->cases.debtor_id.codes;
    for (size_t i = from; i < p->cases.count; i++) {
        uint32_t d = debtor[i];
        f->debtor_of[i] = d;
        if (f->debtor_cases[d]++ == 0) {
            f->debtor_first[d] = (uint32_t)i;
            f->fact[i].lane[LANE_FLAGS] |= FACT_SOLE_DEBTOR;
        } else {
            f->fact[f->debtor_first[d]].lane[LANE_FLAGS] &= ~FACT_SOLE_DEBTOR;
        }
    }
}

static int build_all(const ink_portfolio *p, kpi_facts *f)
{
    f->cap = 0; /* realloc to the new per-case channel width */
    if (!build(p, f, 0) || !reserve_debtors(p, f))
        return 0;
    memset(f->debtor_cases, 0, f->debtor_cap * sizeof *f->debtor_cases);
    count_debtors(p, f, 0);
    f->built = 1;
    return 1;
}

/* 1 when the cube no longer counts p's cases as they are. */
static int cube_stale(const ink_portfolio *p, const kpi_facts *f)
{
    return f->cube_stale || f->cube_cases != p->cases.count ||
           f->cube_batches != p->case_batches;
}

/* Brings the facts up to date with p: everything again when the channel
 * dictionary grew, a case changed debtor or apply lost track, else the
 * changed and new cases. */
static int refresh(const ink_portfolio *cp, kpi_facts *f)
{
    ink_portfolio *p = (ink_portfolio *)cp;
    size_t channels = ink_dict_count(p->contacts.channel.values);
    const size_t stride = ink__kpi_chan_stride(channels);
    int all = !f->built || p->changed_all || channels != f->channels;
    for (size_t j = 0; !all && j < p->changed_len; j++) {
        uint32_t i = p->changed_cases[j];
        all = i < f->cases && f->debtor_of[i] != p->cases.debtor_id.codes[i];
    }
    /* Case rows may have moved cases between groups: views go. */
    if (all || p->cases.count > f->cases || p->case_batches != f->case_batches)
        ink__kpi_views_drop(f->views);
    f->cube_stale |= all;
    f->case_batches = p->case_batches;
    if (all) {
        f->channels = channels;
        if (!build_all(p, f))
            return 0;
    } else {
        size_t old = f->cases;
        if (p->cases.count > old &&
            (!build(p, f, old) || !reserve_debtors(p, f)))
            return 0;
        count_debtors(p, f, old);
        uint8_t before_chan[256];
        int follow = stride <= sizeof before_chan;
        if (!follow)
            ink__kpi_views_drop(f->views);
        for (size_t j = 0; j < p->changed_len; j++) {
            uint32_t i = p->changed_cases[j];
            if (i >= old)
                continue;
            kpi_fact before = f->fact[i];
            uint8_t *chan = f->chan + (size_t)i * stride;
            if (follow)
                memcpy(before_chan, chan, stride);
            int16_t sole = f->fact[i].lane[LANE_FLAGS] & FACT_SOLE_DEBTOR;
            keep_case(p, channels, i, &f->fact[i], chan);
            f->fact[i].lane[LANE_FLAGS] |= sole;
            if (follow &&
                !ink__kpi_views_case_changed(f->views, p, channels, i, &before,
                                             before_chan, &f->fact[i], chan))
                return 0;
        }
        for (size_t j = 0; j < p->added_len; j++)
            if (!ink__kpi_views_payment_added(f->views, p,
                                              &p->added_payments[j]))
                return 0;
        /* Contacts into the operations cube (a day past its months makes
         * it stale). */
        for (size_t j = 0; j < p->contacts_len && f->cube.built; j++)
            if (!cube_stale(p, f))
                f->cube_stale |= !ink__kpi_ops_cube_contact(
                    &f->cube, p, &p->added_contacts[j]);
    }
    p->changed_len = 0;
    p->changed_all = 0;
    p->added_len = 0;
    p->contacts_len = 0;
    return 1;
}

static int days_fresh(const ink_portfolio *p, kpi_facts *f);

/* p's facts, locked; NULL when facts are off (*st INK_OK) or cannot be
 * had (*st INK_NOMEM). */
static kpi_facts *lock_facts(const ink_portfolio *p, ink_status *st)
{
    *st = INK_OK;
    if (!ink__kpi_facts_enabled)
        return NULL;
    kpi_facts *f = facts_of(p);
    if (!f) {
        *st = INK_NOMEM;
        return NULL;
    }
    pthread_mutex_lock(&f->mu);
    return f;
}

ink_status ink__kpi_facts_get(const ink_portfolio *p, kpi_fact_view *out)
{
    memset(out, 0, sizeof *out);
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return locked;
    /* One report alone (the command line) walks the rows: building the
     * facts costs that walk and the memory of the facts. They pay from
     * the second report on, or once asked for (ink_kpi_prepare). */
    if (!f->built && f->reports++ == 0) {
        pthread_mutex_unlock(&f->mu);
        return INK_OK;
    }
    int ok = refresh(p, f) && days_fresh(p, f);
    if (ok) {
        out->fact = f->fact;
        out->chan = f->chan;
        out->channels = f->channels;
    } else {
        f->built = 0; /* try again next time */
    }
    pthread_mutex_unlock(&f->mu);
    return ok ? INK_OK : INK_NOMEM;
}

ink_status ink__kpi_view_answer(const ink_portfolio *p, const view_query *q,
                                view_answer *out)
{
    memset(out, 0, sizeof *out);
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return locked;
    if (!f->views)
        f->views = ink__kpi_views_new();
    ink_status st =
        f->views ? ink__kpi_views_answer(f->views, p, q, out) : INK_NOMEM;
    pthread_mutex_unlock(&f->mu);
    return st;
}

/* Counting sort of p's cases by opened_on into f. 0 when out of memory. */
static int index_days(const ink_portfolio *p, kpi_facts *f)
{
    const ink_cases *cs = &p->cases;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < cs->count; i++) {
        lo = cs->opened_on[i] < lo ? cs->opened_on[i] : lo;
        hi = cs->opened_on[i] > hi ? cs->opened_on[i] : hi;
    }
    size_t span = cs->count ? (size_t)((int64_t)hi - lo) + 1 : 0;
    uint32_t *at = ink__calloc_array(span + 1, sizeof *at);
    uint32_t *cases =
        ink__alloc_array(cs->count ? cs->count : 1, sizeof *cases);
    if (!at || !cases) {
        free(at);
        free(cases);
        return 0;
    }
    for (size_t i = 0; i < cs->count; i++)
        at[cs->opened_on[i] - lo + 1]++;
    for (size_t d = 0; d < span; d++)
        at[d + 1] += at[d];
    for (size_t i = 0; i < cs->count; i++)
        cases[at[cs->opened_on[i] - lo]++] = (uint32_t)i;
    for (size_t d = span; d > 0; d--)
        at[d] = at[d - 1];
    at[0] = 0;
    free(f->day_cases);
    free(f->day_at);
    f->day_cases = cases;
    f->day_at = at;
    f->day_first = lo;
    f->day_span = span;
    f->day_count = cs->count;
    f->day_batches = p->case_batches;
    f->day_valid = 1;
    return 1;
}

/* The index of cases by day brought up to date (made again when case rows
 * changed). 0 when out of memory. */
static int days_current(const ink_portfolio *p, const kpi_facts *f)
{
    return f->day_valid && f->day_count == p->cases.count &&
           f->day_batches == p->case_batches;
}

static int days_fresh(const ink_portfolio *p, kpi_facts *f)
{
    return days_current(p, f) || index_days(p, f);
}

ink_status ink__kpi_cases_by_day(const ink_portfolio *p, kpi_day_index *out)
{
    memset(out, 0, sizeof *out);
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return locked;
    int ok = days_fresh(p, f);
    if (ok)
        *out =
            (kpi_day_index){f->day_cases, f->day_at, f->day_first, f->day_span};
    pthread_mutex_unlock(&f->mu);
    return ok ? INK_OK : INK_NOMEM;
}

int ink__kpi_cases_by_day_kept(const ink_portfolio *p, kpi_day_index *out)
{
    memset(out, 0, sizeof *out);
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return 0;
    int kept = days_current(p, f);
    if (kept)
        *out =
            (kpi_day_index){f->day_cases, f->day_at, f->day_first, f->day_span};
    pthread_mutex_unlock(&f->mu);
    return kept;
}

void ink__kpi_day_slice(const kpi_day_index *x, int32_t from, int32_t to,
                        size_t *first, size_t *count)
{
    int64_t lo = from == INK_DATE_NONE ? x->first : from;
    int64_t hi =
        to == INK_DATE_NONE ? (int64_t)x->first + (int64_t)x->days - 1 : to;
    lo = lo < x->first ? x->first : lo;
    hi = hi > (int64_t)x->first + (int64_t)x->days - 1
             ? (int64_t)x->first + (int64_t)x->days - 1
             : hi;
    if (lo > hi) {
        *first = *count = 0;
        return;
    }
    *first = x->at[lo - x->first];
    *count = x->at[hi - x->first + 1] - *first;
}

/* The generation of what the operations section reads: all but payments. */
static uint64_t ops_generation(const ink_portfolio *p)
{
    return p->generation - p->payment_batches;
}

ink_status ink__kpi_ops_cube_get(const ink_portfolio *p,
                                 const kpi_ops_cube **out)
{
    *out = NULL;
    ink_status st;
    kpi_facts *f = lock_facts(p, &st);
    if (!f)
        return st;
    /* Kept with the facts only: a single report (the command line)
     * counts its cases directly. */
    if (f->built && (!f->cube_tried || cube_stale(p, f))) {
        int too_large = 0;
        ink__kpi_ops_cube_free(&f->cube);
        if (ink__kpi_ops_cube_build(p, &f->cube, &too_large) || too_large) {
            f->cube_tried = 1;
            f->cube_stale = 0;
            f->cube_cases = p->cases.count;
            f->cube_batches = p->case_batches;
        } else {
            st = INK_NOMEM;
        }
    }
    if (f->built && f->cube.built)
        *out = &f->cube;
    pthread_mutex_unlock(&f->mu);
    return st;
}

int ink__kpi_operations_cached(const ink_portfolio *p, int32_t as_of,
                               int32_t from, int32_t to, ink_kpi_report *r)
{
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return locked == INK_OK ? 0 : -1;
    int hit = 0;
    if (f->ops_valid && f->ops_generation == ops_generation(p) &&
        f->ops_as_of == as_of && f->ops_from == from && f->ops_to == to) {
        r->has_operations = f->ops_present;
        if (f->ops_count) {
            r->operations =
                ink__alloc_array(f->ops_count, sizeof *r->operations);
            r->fte_text = ink__alloc_array(f->ops_count, sizeof *r->fte_text);
        }
        if (!f->ops_count || (r->operations && r->fte_text)) {
            if (f->ops_count) {
                memcpy(r->operations, f->ops,
                       f->ops_count * sizeof *r->operations);
                memcpy(r->fte_text, f->ops_fte,
                       f->ops_count * sizeof *r->fte_text);
            }
            for (size_t e = 0; e < f->ops_count; e++)
                r->operations[e].fte = r->fte_text[e];
            r->operation_count = f->ops_count;
            hit = 1;
        } else {
            free(r->operations);
            free(r->fte_text);
            r->operations = NULL;
            r->fte_text = NULL;
            hit = -1;
        }
    }
    pthread_mutex_unlock(&f->mu);
    return hit;
}

int ink__kpi_operations_keep(const ink_portfolio *p, int32_t as_of,
                             int32_t from, int32_t to, const ink_kpi_report *r)
{
    if (!ink__kpi_facts_enabled)
        return 1;
    kpi_facts *f = facts_of(p);
    if (!f)
        return 0;
    ink_kpi_operation *ops = NULL;
    char(*fte)[48] = NULL;
    if (r->operation_count) {
        ops = ink__alloc_array(r->operation_count, sizeof *ops);
        fte = ink__alloc_array(r->operation_count, sizeof *fte);
        if (!ops || !fte) {
            free(ops);
            free(fte);
            return 0;
        }
        memcpy(ops, r->operations, r->operation_count * sizeof *ops);
        memcpy(fte, r->fte_text, r->operation_count * sizeof *fte);
    }
    pthread_mutex_lock(&f->mu);
    free(f->ops);
    free(f->ops_fte);
    f->ops = ops;
    f->ops_fte = fte;
    f->ops_count = r->operation_count;
    f->ops_present = r->has_operations;
    f->ops_as_of = as_of;
    f->ops_from = from;
    f->ops_to = to;
    f->ops_generation = ops_generation(p);
    f->ops_valid = 1;
    pthread_mutex_unlock(&f->mu);
    return 1;
}

ink_status ink_kpi_prepare(const ink_portfolio *p, ink_error *err)
{
    ink_status locked;
    kpi_facts *f = lock_facts(p, &locked);
    if (!f)
        return locked == INK_OK
                   ? INK_OK
                   : ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    f->reports++;
    int ok = refresh(p, f) && days_fresh(p, f);
    if (!ok)
        f->built = 0;
    pthread_mutex_unlock(&f->mu);
    return ok ? INK_OK : ink__error_set(err, INK_NOMEM, NULL, "out of memory");
}
