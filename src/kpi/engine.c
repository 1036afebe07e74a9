/* The KPI engine: one pass over the cases, each with its payments and
 * contacts, into per-group accumulators; threads merge at the end. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/error.h"
#include "core/hash.h"
#include "core/mem.h"
#include "inkasso/units.h"
#include "core/portfolio_impl.h"
#include "kpi/kpi_impl.h"

#define MAX_THREADS 16
#define DIRECT_KEYS (1u << 18)

void ink_kpi_options_init(ink_kpi_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->as_of = INK_DATE_NONE;
    opt->from = INK_DATE_NONE;
    opt->to = INK_DATE_NONE;
}

typedef struct kpi_ctx {
    const ink_portfolio *p;
    const ink_cases *cs;
    const ink_payments *ps;
    const ink_contacts *ct;
    int32_t as_of, from, to;
    size_t dim_count;
    const kpi_dim *dims;
    uint64_t stride[INK_KPI_MAX_DIMS];
    uint64_t key_space; /* keys are 0 .. key_space - 1 */
    acc_shape shape;
    /* The windows in ascending order, and where each goes in the output. */
    int32_t sorted_windows[INK_KPI_MAX_WINDOWS];
    size_t window_at[INK_KPI_MAX_WINDOWS];
    kpi_fact_view facts; /* fact is NULL: walk the rows */
} kpi_ctx;

/* ------------------------------------------------------------------ */
/* Groups of one thread: composite key -> accumulator                  */

typedef struct group_set {
    uint64_t *slot_key; /* key + 1; 0 = empty */
    uint32_t *slot_index;
    size_t mask;
    kpi_acc *accs;
    uint64_t *keys;
    size_t count, cap;
} group_set;

static void group_set_cleanup(group_set *g)
{
    for (size_t i = 0; i < g->count; i++)
        ink__kpi_acc_cleanup(&g->accs[i]);
    free(g->slot_key);
    free(g->slot_index);
    free(g->accs);
    free(g->keys);
    memset(g, 0, sizeof *g);
}

static int group_set_rehash(group_set *g, size_t size)
{
    uint64_t *keys = ink__calloc_array(size, sizeof *keys);
    uint32_t *index = ink__alloc_array(size, sizeof *index);
    if (!keys || !index) {
        free(keys);
        free(index);
        return 0;
    }
    for (size_t i = 0; i < g->count; i++) {
        size_t s = (size_t)ink__mix64(g->keys[i]) & (size - 1);
        while (keys[s])
            s = (s + 1) & (size - 1);
        keys[s] = g->keys[i] + 1;
        index[s] = (uint32_t)i;
    }
    free(g->slot_key);
    free(g->slot_index);
    g->slot_key = keys;
    g->slot_index = index;
    g->mask = size - 1;
    return 1;
}

/* The accumulator of key, created on first use; NULL on failure. */
static kpi_acc *group_get(group_set *g, uint64_t key, const acc_shape *shape)
{
    if (!g->slot_key || g->count * 2 >= g->mask) {
        if (!group_set_rehash(g, g->slot_key ? (g->mask + 1) * 2 : 64))
            return NULL;
    }
    size_t s = (size_t)ink__mix64(key) & g->mask;
    while (g->slot_key[s]) {
        if (g->slot_key[s] == key + 1)
            return &g->accs[g->slot_index[s]];
        s = (s + 1) & g->mask;
    }
    if (g->count == UINT32_MAX)
        return NULL;
    void *p = g->accs;
    size_t cap = g->cap;
    if (!ink__reserve(&p, &cap, g->count + 1, sizeof *g->accs))
        return NULL;
    g->accs = p;
    p = g->keys;
    if (!ink__reserve(&p, &g->cap, g->count + 1, sizeof *g->keys))
        return NULL;
    g->keys = p;
    if (!ink__kpi_acc_init(&g->accs[g->count], shape))
        return NULL;
    g->keys[g->count] = key;
    g->slot_key[s] = key + 1;
    g->slot_index[s] = (uint32_t)g->count;
    return &g->accs[g->count++];
}

/* ------------------------------------------------------------------ */
/* Adding one case                                                     */

/* Room for one more element: pushes are then a store and an add of 0
 * or 1, without a branch on whether the case pushes at all. */
static int room_for_one(void **v, size_t *cap, size_t len, size_t size)
{
    return len < *cap || ink__reserve(v, cap, len + 1, size);
}

/* What a case adds beyond its lanes: amounts, the windows, the day for
 * the median and the debtor for reachability. Which of these apply is
 * data (paid or not, resolved or not, ...) that no branch predictor can
 * guess, so they are added as 0 or 1 and masks. Returns 0 on allocation
 * failure. */
static int add_rest(const kpi_ctx *c, kpi_acc *a, size_t i, int64_t collected,
                    uint32_t flags, int32_t resolved, int32_t days,
                    int32_t paid, int32_t paid_days)
{
    const ink_cases *cs = c->cs;
    const int32_t opened = cs->opened_on[i];
    const int64_t amount = cs->amount[i];
    int over = (flags & FACT_OVERFLOW) != 0;
    ink__kpi_currency_note(&a->currency, &a->currency_other,
                           cs->currency.codes[i]);
    over |= __builtin_add_overflow(a->placed, amount, &a->placed);
    over |= __builtin_add_overflow(a->collected, collected, &a->collected);

    /* Eligible for window X when opened_on + X <= as_of: the case has
     * lived through the `lived` smallest windows. */
    const size_t nw = c->shape.windows;
    const size_t lived =
        ink__kpi_windows_upto(c->sorted_windows, nw, c->as_of - opened);
    a->lived_cases[lived]++;
    over |= __builtin_add_overflow(a->lived_amount[lived], amount,
                                   &a->lived_amount[lived]);
    /* A payment on day d after placement counts in the windows >= d the
     * case lived through (so none after as_of): it steps up at the first
     * of them and back down at `lived`. */
    int64_t counted = 0;
    if (!(flags & FACT_WALK_PAYMENTS)) {
        /* No payment, or one: the lanes say when and how much. */
        size_t from = ink__kpi_windows_upto(
            c->sorted_windows, nw, paid ? (int64_t)paid_days - 1 : INT64_MAX);
        counted = from < lived ? collected : 0;
        over |= __builtin_add_overflow(a->realized_step[from], counted,
                                       &a->realized_step[from]);
    } else if (lived) {
        const ink_payments *ps = c->ps;
        for (uint32_t k = ps->case_offset[i]; k < ps->case_offset[i + 1]; k++) {
            size_t from = ink__kpi_windows_upto(
                c->sorted_windows, nw, (int64_t)ps->paid_on[k] - opened - 1);
            int64_t in = from < lived ? ps->amount[k] : 0;
            over |= __builtin_add_overflow(a->realized_step[from], in,
                                           &a->realized_step[from]);
            over |= __builtin_add_overflow(counted, in, &counted);
        }
    }
    over |= __builtin_sub_overflow(a->realized_step[lived], counted,
                                   &a->realized_step[lived]);
    a->overflow |= over;

    if (!room_for_one((void **)&a->resolution_days.v, &a->resolution_days.cap,
                      a->resolution_days.len, sizeof(int32_t)))
        return 0;
    a->resolution_days.v[a->resolution_days.len] = days;
    a->resolution_days.len += (size_t)resolved;

    /* Reachability: a debtor with no other case is counted here; one with
     * several is deduplicated when the group is finished. */
    const uint32_t attempted = (flags & FACT_ATTEMPTED) != 0;
    const uint32_t responded = (flags & FACT_RESPONDED) != 0;
    const uint32_t sole = (flags & FACT_SOLE_DEBTOR) != 0;
    a->sole_attempted += sole & attempted;
    a->sole_reached += sole & attempted & responded;
    if (!room_for_one((void **)&a->debtors.v, &a->debtors.cap, a->debtors.len,
                      sizeof(debtor_flag)))
        return 0;
    const uint32_t debtor_flags = attempted | responded << 1;
    a->debtors.v[a->debtors.len] =
        (debtor_flag){cs->debtor_id.codes[i], debtor_flags};
    a->debtors.len += !sole && debtor_flags;
    return 1;
}

typedef int16_t i16x16 __attribute__((vector_size(32)));
typedef int32_t i32x16 __attribute__((vector_size(64)));
typedef uint8_t u8x16 __attribute__((vector_size(16)));
typedef uint32_t u32x16 __attribute__((vector_size(64)));

/* Adds case i by its kept fact f and channel row chan: 16 lanes and the
 * channel bytes 16 at a time. */
static int add_fact(const kpi_ctx *c, kpi_acc *a, size_t i, const kpi_fact *f,
                    const uint8_t *chan)
{
    i16x16 lane;
    i32x16 sum;
    memcpy(&lane, f->lane, sizeof lane);
    memcpy(&sum, a->lanes_pending, sizeof sum);
    sum += __builtin_convertvector(lane, i32x16);
    memcpy(a->lanes_pending, &sum, sizeof sum);
    for (size_t k = 0; k < c->shape.chan_stride; k += 16) {
        u8x16 bytes;
        u32x16 lanes;
        memcpy(&bytes, chan + k, sizeof bytes);
        memcpy(&lanes, a->chan_lanes + k, sizeof lanes);
        lanes += __builtin_convertvector(bytes, u32x16);
        memcpy(a->chan_lanes + k, &lanes, sizeof lanes);
    }
    if (++a->pending == 1u << 16)
        ink__kpi_acc_flush(a, &c->shape);
    return add_rest(c, a, i, f->collected, (uint16_t)f->lane[LANE_FLAGS],
                    f->lane[LANE_RESOLVED], f->lane[LANE_RESOLUTION_DAYS],
                    f->lane[LANE_PAID], f->lane[LANE_PAID_DAYS]);
}

/* Adds case i by facts made from its rows (channel counts in chan, or
 * its contacts walked when they do not fit a byte). */
static int add_made(const kpi_ctx *c, kpi_acc *a, size_t i, const kpi_case *f,
                    const uint8_t *chan)
{
    for (size_t k = 0; k < KPI_LANES; k++)
        a->lanes[k] += f->lane[k];
    uint32_t flags = (uint32_t)f->lane[LANE_FLAGS];
    ink__kpi_case_channels(c->p, c->shape.channels, i, c->as_of,
                           flags & FACT_WIDE ? NULL : chan, 1, a->channels);
    return add_rest(c, a, i, f->collected, flags, f->lane[LANE_RESOLVED],
                    f->lane[LANE_RESOLUTION_DAYS], f->lane[LANE_PAID],
                    f->lane[LANE_PAID_DAYS]);
}

/* ------------------------------------------------------------------ */
/* Workers                                                             */

typedef struct worker {
    const kpi_ctx *ctx;
    size_t begin, end;
    group_set groups;
    int ok;
} worker;

static void *run_worker(void *arg)
{
    worker *w = arg;
    const kpi_ctx *c = w->ctx;
    const ink_cases *cs = c->cs;
    uint64_t last_key = UINT64_MAX;
    kpi_acc *acc = NULL;
    /* A small key space maps keys to groups through a table: no hashing
     * per case when neighbouring cases are in different groups. */
    uint32_t *direct = NULL;
    if (c->key_space <= DIRECT_KEYS) {
        direct = ink__calloc_array((size_t)c->key_space, sizeof *direct);
        if (!direct) {
            w->ok = 0;
            return NULL;
        }
    }
    /* Without kept facts (an earlier as_of, or the first report), each
     * case's facts are made here, as of the report's day. */
    kpi_case made;
    uint8_t *chan = ink__alloc_array(c->shape.chan_stride, 1);
    if (!chan) {
        free(direct);
        w->ok = 0;
        return NULL;
    }
    for (size_t i = w->begin; i < w->end; i++) {
        int32_t opened = cs->opened_on[i];
        if (opened > c->as_of ||
            (c->from != INK_DATE_NONE && opened < c->from) ||
            (c->to != INK_DATE_NONE && opened > c->to))
            continue;
        uint64_t key = 0;
        for (size_t d = 0; d < c->dim_count; d++)
            key +=
                ink__kpi_dim_code(&c->dims[d], cs, i, c->as_of) * c->stride[d];
        /* The table (always, as neighbours are rarely in one group), or
         * the hash when the key changed (a cohort, a batch). */
        uint32_t slot = direct ? direct[key] : 0;
        if (slot) {
            acc = &w->groups.accs[slot - 1];
        } else if (direct || key != last_key) {
            acc = group_get(&w->groups, key, &c->shape);
            if (!acc) {
                w->ok = 0;
                break;
            }
            if (direct)
                direct[key] = (uint32_t)(acc - w->groups.accs) + 1;
            last_key = key;
        }
        int ok;
        if (c->facts.fact && !(c->facts.fact[i].lane[LANE_FLAGS] & FACT_WIDE)) {
            ok = add_fact(c, acc, i, &c->facts.fact[i],
                          c->facts.chan + i * c->shape.chan_stride);
        } else {
            /* An earlier as_of, or a case too wide for its kept fact. */
            ink__kpi_fact_compute(c->p, c->shape.channels, i, c->as_of, &made,
                                  chan);
            if (c->facts.fact)
                made.lane[LANE_FLAGS] |=
                    c->facts.fact[i].lane[LANE_FLAGS] & FACT_SOLE_DEBTOR;
            ok = add_made(c, acc, i, &made, chan);
        }
        if (!ok) {
            w->ok = 0;
            break;
        }
    }
    for (size_t g = 0; g < w->groups.count; g++)
        ink__kpi_acc_flush(&w->groups.accs[g], &c->shape);
    free(direct);
    free(chan);
    return NULL;
}

/* The groups and the total of one pass over the cases, a range per
 * thread, merged into workers[0] (nworkers: how many were set up, for
 * the caller to clean up). */
static ink_status pass_over_cases(const kpi_ctx *c, const ink_kpi_options *opt,
                                  worker *workers, size_t *nworkers,
                                  kpi_acc *total)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t threads = opt->threads > 0 ? (size_t)opt->threads
                                      : (size_t)(cores > 0 ? cores : 1);
    if (threads > MAX_THREADS)
        threads = MAX_THREADS;
    /* Automatic threading only where the work pays for the threads. */
    if (opt->threads <= 0 && c->cs->count < 50000)
        threads = 1;
    *nworkers = threads;
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t t = 0; t < *nworkers; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].ctx = c;
        workers[t].begin = c->cs->count * t / *nworkers;
        workers[t].end = c->cs->count * (t + 1) / *nworkers;
        workers[t].ok = 1;
    }
    for (size_t t = 1; t < *nworkers; t++)
        started[t] =
            pthread_create(&tids[t], NULL, run_worker, &workers[t]) == 0;
    run_worker(&workers[0]);
    for (size_t t = 1; t < *nworkers; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            run_worker(&workers[t]);
    }
    for (size_t t = 0; t < *nworkers; t++)
        if (!workers[t].ok)
            return INK_NOMEM;
    /* Merge every thread's groups into the first thread's. */
    group_set *all = &workers[0].groups;
    for (size_t t = 1; t < *nworkers; t++) {
        group_set *g = &workers[t].groups;
        for (size_t i = 0; i < g->count; i++) {
            kpi_acc *a = group_get(all, g->keys[i], &c->shape);
            if (!a || !ink__kpi_acc_merge(a, &g->accs[i], &c->shape))
                return INK_NOMEM;
        }
        group_set_cleanup(g);
    }

    /* The total is the merge of every group: the same accumulators. */
    if (!ink__kpi_acc_init(total, &c->shape))
        return INK_NOMEM;
    for (size_t i = 0; i < all->count; i++)
        if (!ink__kpi_acc_merge(total, &all->accs[i], &c->shape))
            return INK_NOMEM;
    return INK_OK;
}

/* ------------------------------------------------------------------ */
/* The report                                                          */

static const char *arena_add(ink_kpi_report *r, const char *s, size_t *off)
{
    size_t n = strlen(s) + 1;
    void *p = r->arena;
    if (!ink__reserve(&p, &r->arena_cap, r->arena_len + n, 1))
        return NULL;
    r->arena = p;
    memcpy(r->arena + r->arena_len, s, n);
    *off = r->arena_len;
    r->arena_len += n;
    return r->arena + *off;
}

/* Key texts of every group; stored as arena offsets first because the
 * arena moves while it grows, then turned into pointers. */
static int make_keys(ink_kpi_report *r, const kpi_ctx *c)
{
    for (size_t g = 0; g < r->group_count; g++) {
        kpi_group *grp = &r->groups[g];
        grp->keys = ink__calloc_array(c->dim_count ? c->dim_count : 1,
                                      sizeof *grp->keys);
        if (!grp->keys)
            return 0;
        for (size_t d = 0; d < c->dim_count; d++) {
            uint64_t code = (grp->key / c->stride[d]) % c->dims[d].cardinality;
            char buf[64];
            const char *text =
                ink__kpi_dim_text(&c->dims[d], c->cs, code, buf, sizeof buf);
            size_t off;
            if (!text) {
                grp->keys[d] = NULL;
                continue;
            }
            if (!arena_add(r, text, &off))
                return 0;
            grp->keys[d] = (const char *)(uintptr_t)(off + 1);
        }
    }
    for (size_t g = 0; g < r->group_count; g++)
        for (size_t d = 0; d < c->dim_count; d++)
            if (r->groups[g].keys[d])
                r->groups[g].keys[d] =
                    r->arena + ((uintptr_t)r->groups[g].keys[d] - 1);
    return 1;
}

/* Byte order per value (strcmp compares as unsigned char), null first,
 * lexicographic over the dimensions in --by order. */
static int by_keys(const void *a, const void *b, void *dims)
{
    const kpi_group *x = a, *y = b;
    size_t count = *(const size_t *)dims;
    for (size_t d = 0; d < count; d++) {
        const char *u = x->keys[d], *v = y->keys[d];
        if (u == v)
            continue;
        if (!u)
            return -1;
        if (!v)
            return 1;
        int cmp = strcmp(u, v);
        if (cmp)
            return cmp;
    }
    return 0;
}

static void describe_group(const ink_kpi_report *r, const kpi_group *g,
                           char *buf, size_t cap)
{
    size_t n = (size_t)snprintf(buf, cap, "group {");
    for (size_t d = 0; d < r->dim_count && n < cap; d++)
        n +=
            (size_t)snprintf(buf + n, cap - n, "%s%s: %s", d ? ", " : "",
                             r->dim_names[d], g->keys[d] ? g->keys[d] : "null");
    if (n < cap)
        snprintf(buf + n, cap - n, "}");
}

typedef struct total_job {
    const ink_portfolio *p;
    acc_shape shape; /* with a scratch of its own */
    kpi_group *total;
    int ok;
} total_job;

static void *finish_total(void *arg)
{
    total_job *j = arg;
    j->ok = ink__kpi_finish(j->p, &j->shape, j->total,
                            j->total->acc.currency_other != 0);
    return NULL;
}

/* Finishes every group and the total: the total (as much work as all the
 * groups together: every resolved day and debtor again) on a thread of
 * its own when there are groups and threads. 0 on allocation failure. */
static int finish_all(const ink_portfolio *p, ink_kpi_report *r,
                      const acc_shape *shape, int threaded)
{
    total_job job = {p, *shape, &r->total, 0};
    uint8_t *scratch = NULL;
    pthread_t tid;
    int started = 0;
    if (threaded && r->group_count > 0) {
        size_t debtors =
            ink_dict_count(ink_portfolio_cases(p)->debtor_id.values);
        scratch = ink__calloc_array(debtors + 1, 1);
        if (!scratch)
            return 0;
        job.shape.debtor_flags = scratch;
        started = pthread_create(&tid, NULL, finish_total, &job) == 0;
    }
    int ok = 1;
    for (size_t g = 0; ok && g < r->group_count; g++)
        ok = ink__kpi_finish(p, shape, &r->groups[g], 0);
    if (started) {
        pthread_join(tid, NULL);
    } else {
        job.shape.debtor_flags = shape->debtor_flags;
        finish_total(&job);
    }
    free(scratch);
    return ok && job.ok;
}

static ink_status mixed_currency(const ink_portfolio *p, const kpi_acc *a,
                                 const char *what, ink_error *err)
{
    const ink_dict *cur = ink_portfolio_cases(p)->currency.values;
    const char *x = ink_dict_get(cur, a->currency, NULL);
    const char *y = ink_dict_get(cur, a->currency_other, NULL);
    if (x && y && strcmp(x, y) > 0) {
        const char *t = x;
        x = y;
        y = t;
    }
    return ink__error_set(
        err, INK_DATA, NULL,
        "%s mixes currencies (%s and %s): amounts of different currencies "
        "are never added; group by currency with --by currency",
        what, x ? x : "?", y ? y : "?");
}

ink_status ink_kpi_compute(const ink_portfolio *p, const ink_kpi_options *opt,
                           ink_kpi_report **out, ink_error *err)
{
    ink_kpi_options defaults;
    if (!opt) {
        ink_kpi_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    ink_kpi_report *r = calloc(1, sizeof *r);
    if (!r)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    kpi_dim dims[INK_KPI_MAX_DIMS];
    size_t dims_ready = 0;
    worker workers[MAX_THREADS];
    size_t nworkers = 0;
    ink_status st = INK_OK;

    kpi_ctx c = {0};
    c.p = p;
    c.cs = ink_portfolio_cases(p);
    c.ps = ink_portfolio_payments(p);
    c.ct = ink_portfolio_contacts(p);
    /* The latest date is kept by the portfolio (found when it is bound):
     * a report per query need not scan every row for it. */
    c.as_of = opt->as_of != INK_DATE_NONE       ? opt->as_of
              : p->latest_date != INK_DATE_NONE ? p->latest_date
                                                : (int32_t)(time(NULL) / 86400);
    c.from = opt->from;
    c.to = opt->to;
    r->as_of = c.as_of;

    /* Windows: the default, or as given (in that order, no repeats). */
    if (opt->window_count == 0) {
        static const int32_t standard[] = {30, 60, 90};
        memcpy(r->windows, standard, sizeof standard);
        r->window_count = 3;
    } else {
        if (opt->window_count > INK_KPI_MAX_WINDOWS) {
            st = ink__error_set(err, INK_USAGE, NULL,
                                "--windows: at most %d windows",
                                INK_KPI_MAX_WINDOWS);
            goto fail;
        }
        for (size_t w = 0; w < opt->window_count; w++) {
            for (size_t v = 0; v < w; v++)
                if (opt->windows[v] == opt->windows[w]) {
                    st = ink__error_set(err, INK_USAGE, NULL,
                                        "--windows: %d named twice",
                                        (int)opt->windows[w]);
                    goto fail;
                }
            if (opt->windows[w] < 0) {
                st = ink__error_set(err, INK_USAGE, NULL,
                                    "--windows: expected days >= 0, got %d",
                                    (int)opt->windows[w]);
                goto fail;
            }
            r->windows[w] = opt->windows[w];
        }
        r->window_count = opt->window_count;
    }
    c.shape.windows = r->window_count;
    /* Insertion sort: a few windows, or curves' already ascending ones. */
    for (size_t w = 0; w < r->window_count; w++) {
        size_t j = w;
        for (; j > 0 && c.sorted_windows[j - 1] > r->windows[w]; j--) {
            c.sorted_windows[j] = c.sorted_windows[j - 1];
            c.window_at[j] = c.window_at[j - 1];
        }
        c.sorted_windows[j] = r->windows[w];
        c.window_at[j] = w;
    }
    c.shape.window_at = c.window_at;
    /* Every row counts: the kept per-case facts give the same sums. */
    if (p->latest_date == INK_DATE_NONE || c.as_of >= p->latest_date) {
        st = ink__kpi_facts_get(p, &c.facts);
        if (st != INK_OK) {
            ink__error_set(err, st, NULL, "out of memory");
            goto fail;
        }
        if (c.facts.fact &&
            c.facts.channels != ink_dict_count(c.ct->channel.values))
            memset(&c.facts, 0, sizeof c.facts);
    }
    c.shape.channels = ink_dict_count(c.ct->channel.values);
    c.shape.chan_stride = ink__kpi_chan_stride(c.shape.channels);
    c.shape.debtor_flags =
        ink__calloc_array(ink_dict_count(c.cs->debtor_id.values) + 1, 1);
    if (!c.shape.debtor_flags) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }

    st = ink__kpi_dims_resolve(p, opt, c.as_of, dims, err);
    if (st != INK_OK)
        goto fail;
    dims_ready = opt->by_count;
    c.dims = dims;
    c.dim_count = opt->by_count;
    r->dim_count = opt->by_count;
    uint64_t stride = 1;
    for (size_t d = 0; d < c.dim_count; d++) {
        c.stride[d] = stride;
        if (__builtin_mul_overflow(stride, dims[d].cardinality, &stride) ||
            stride > (UINT64_MAX >> 1)) {
            st = ink__error_set(err, INK_LIMIT, NULL,
                                "--by: too many combinations of values");
            goto fail;
        }
        r->dim_names[d] = strdup(opt->by[d]);
        if (!r->dim_names[d]) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            goto fail;
        }
        r->by_currency |= strcmp(opt->by[d], "currency") == 0;
    }
    c.key_space = stride;

    /* From the kept view of this grouping when there is one, else one
     * pass over the cases. */
    view_answer view = {0};
    if (c.facts.fact) {
        view_query q = {opt->by,          c.dim_count, dims, c.stride,
                        c.as_of,          c.from,      c.to, &c.shape,
                        c.sorted_windows, c.facts};
        st = ink__kpi_view_answer(p, &q, &view);
        if (st != INK_OK) {
            ink__error_set(err, st, NULL, "out of memory");
            goto fail;
        }
    }
    if (view.answered) {
        nworkers = 1;
        memset(&workers[0], 0, sizeof workers[0]);
        workers[0].groups.keys = view.keys;
        workers[0].groups.accs = view.accs;
        workers[0].groups.count = workers[0].groups.cap = view.count;
        r->total.acc = view.total;
    } else {
        st = pass_over_cases(&c, opt, workers, &nworkers, &r->total.acc);
        if (st != INK_OK) {
            ink__error_set(err, st, NULL, "out of memory");
            goto fail;
        }
    }
    group_set *all = &workers[0].groups;
    if (c.dim_count > 0) {
        r->groups = ink__calloc_array(all->count, sizeof *r->groups);
        if (!r->groups) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            goto fail;
        }
        for (size_t i = 0; i < all->count; i++) {
            r->groups[i].key = all->keys[i];
            r->groups[i].acc = all->accs[i];
            memset(&all->accs[i], 0, sizeof all->accs[i]);
        }
        r->group_count = all->count;
        if (!make_keys(r, &c)) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            goto fail;
        }
        qsort_r(r->groups, r->group_count, sizeof *r->groups, by_keys,
                &c.dim_count);
    }

    /* Currencies are never added: a mixed group fails the run. */
    for (size_t g = 0; g < r->group_count; g++) {
        if (r->groups[g].acc.currency_other && !r->by_currency) {
            char what[512];
            describe_group(r, &r->groups[g], what, sizeof what);
            st = mixed_currency(p, &r->groups[g].acc, what, err);
            goto fail;
        }
    }
    if (r->total.acc.currency_other && !r->by_currency) {
        st = mixed_currency(p, &r->total.acc, "the portfolio", err);
        goto fail;
    }
    if (!finish_all(p, r, &c.shape, nworkers > 1)) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    int overflow = r->total.acc.overflow;
    for (size_t g = 0; g < r->group_count; g++)
        overflow |= r->groups[g].acc.overflow;
    if (overflow) {
        st = ink__error_set(err, INK_LIMIT, NULL,
                            "an amount sum passes 922337203685477.5807");
        goto fail;
    }
    /* Operations depend on as_of, from and to only: a report with other
     * windows or groups reuses them until the next apply. */
    int kept = ink__kpi_operations_cached(p, c.as_of, c.from, c.to, r);
    if (kept < 0) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    if (!kept) {
        st = ink__kpi_operations(p, c.as_of, c.from, c.to, r, err);
        if (st != INK_OK)
            goto fail;
        if (!ink__kpi_operations_keep(p, c.as_of, c.from, c.to, r)) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            goto fail;
        }
    }
    for (size_t t = 0; t < nworkers; t++)
        group_set_cleanup(&workers[t].groups);
    ink__kpi_dims_cleanup(dims, dims_ready);
    free(c.shape.debtor_flags);
    *out = r;
    return INK_OK;
fail:
    free(c.shape.debtor_flags);
    for (size_t t = 0; t < nworkers; t++)
        group_set_cleanup(&workers[t].groups);
    ink__kpi_dims_cleanup(dims, dims_ready);
    ink_kpi_report_free(r);
    return st;
}

void ink__kpi_group_cleanup(kpi_group *g)
{
    ink__kpi_acc_cleanup(&g->acc);
    free(g->keys);
    free(g->realization);
    free(g->eligible);
    free(g->channel_names);
    free(g->response);
}

void ink_kpi_report_free(ink_kpi_report *r)
{
    if (!r)
        return;
    for (size_t g = 0; g < r->group_count; g++)
        ink__kpi_group_cleanup(&r->groups[g]);
    free(r->groups);
    ink__kpi_group_cleanup(&r->total);
    for (size_t d = 0; d < INK_KPI_MAX_DIMS; d++)
        free(r->dim_names[d]);
    free(r->arena);
    free(r->operations);
    free(r->fte_text);
    free(r);
}

int32_t ink_kpi_as_of(const ink_kpi_report *r)
{
    return r->as_of;
}

size_t ink_kpi_window_count(const ink_kpi_report *r)
{
    return r->window_count;
}

int32_t ink_kpi_window(const ink_kpi_report *r, size_t i)
{
    return i < r->window_count ? r->windows[i] : 0;
}

size_t ink_kpi_dim_count(const ink_kpi_report *r)
{
    return r->dim_count;
}

const char *ink_kpi_dim_name(const ink_kpi_report *r, size_t dim)
{
    return dim < r->dim_count ? r->dim_names[dim] : NULL;
}

size_t ink_kpi_group_count(const ink_kpi_report *r)
{
    return r->group_count;
}

const char *ink_kpi_group_key(const ink_kpi_report *r, size_t group, size_t dim)
{
    if (group >= r->group_count || dim >= r->dim_count)
        return NULL;
    return r->groups[group].keys[dim];
}

const ink_kpi_values *ink_kpi_group(const ink_kpi_report *r, size_t group)
{
    return group < r->group_count ? &r->groups[group].values : NULL;
}

const ink_kpi_values *ink_kpi_total(const ink_kpi_report *r)
{
    return &r->total.values;
}

size_t ink_kpi_operation_count(const ink_kpi_report *r)
{
    return r->operation_count;
}

int ink_kpi_has_operations(const ink_kpi_report *r)
{
    return r->has_operations;
}

const ink_kpi_operation *ink_kpi_operation_at(const ink_kpi_report *r, size_t i)
{
    return i < r->operation_count ? &r->operations[i] : NULL;
}
