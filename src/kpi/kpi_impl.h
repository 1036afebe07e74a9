/* The KPI engine's internal types, shared by its files. */
#ifndef INK_KPI_IMPL_H
#define INK_KPI_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/kpi.h"
#include "inkasso/portfolio.h"
#include "inkasso/units.h"

/* The month of a day as year * 12 + month - 1 (cohorts, operations). */
static inline int32_t ink__kpi_month_of(int32_t days)
{
    int32_t y, m, d;
    ink_civil_from_days(days, &y, &m, &d);
    return y * 12 + m - 1;
}

/* ------------------------------------------------------------------ */
/* Dimensions (dims.c)                                                 */

typedef enum dim_kind {
    DIM_TEXT,    /* a dictionary-encoded case column (extras included) */
    DIM_CASE_ID, /* code = row + 1 */
    DIM_SEGMENT, /* ink_segment */
    DIM_REASON,  /* close_reason, null when closed after as_of */
    DIM_DATE,    /* opened_on, due_on, closed_on: days - min + 1 */
    DIM_AMOUNT,  /* index in the sorted distinct amounts + 1 */
    DIM_COHORT_MONTH,
    DIM_COHORT_QUARTER,
    DIM_COHORT_YEAR,
    DIM_AGE_BUCKET
} dim_kind;

typedef struct kpi_dim {
    const char *name;
    dim_kind kind;
    const ink_text_column *text; /* DIM_TEXT */
    const int32_t *dates;        /* DIM_DATE */
    int censor_closed;           /* closed_on: null after as_of */
    int32_t base;                /* smallest date, month, quarter, year */
    int64_t *amounts;            /* DIM_AMOUNT: sorted distinct values */
    size_t amount_count;
    /* Cohorts: the code of each placement day from day_base on (the
     * calendar once per day, not once per case). */
    uint32_t *day_codes;
    int32_t day_base;
    uint64_t cardinality; /* codes are 0 .. cardinality - 1; 0 is null */
} kpi_dim;

/* Resolves opt->by into dims (INK_USAGE with a message when a name is
 * unknown or repeated). */
ink_status ink__kpi_dims_resolve(const ink_portfolio *p,
                                 const ink_kpi_options *opt, int32_t as_of,
                                 kpi_dim *dims, ink_error *err);
void ink__kpi_dims_cleanup(kpi_dim *dims, size_t count);
/* The age bucket of a case placed on opened, due on due: 1 "0-30" to 5
 * "365+" days overdue at placement, 6 without due_on. */
static inline int ink__kpi_age_bucket(int32_t due, int32_t opened)
{
    if (due == INK_DATE_NONE)
        return 6;
    int32_t age = opened - due;
    /* A negative age (due after placement) counts as 0-30. */
    return age <= 30 ? 1 : age <= 90 ? 2 : age <= 180 ? 3 : age <= 365 ? 4 : 5;
}

/* The code of case i in a dimension (inline: once per case and
 * dimension in every report). */
static inline uint64_t ink__kpi_dim_code(const kpi_dim *d, const ink_cases *cs,
                                         size_t i, int32_t as_of)
{
    switch (d->kind) {
    case DIM_TEXT:
        return d->text->codes[i];
    case DIM_CASE_ID:
        return i + 1;
    case DIM_SEGMENT:
        return cs->segment[i];
    case DIM_REASON:
        /* A case closed after as_of is open at as_of. */
        return cs->closed_on[i] != INK_DATE_NONE && cs->closed_on[i] <= as_of
                   ? cs->close_reason[i]
                   : 0;
    case DIM_DATE: {
        int32_t v = d->dates[i];
        if (v == INK_DATE_NONE || (d->censor_closed && v > as_of))
            return 0;
        return (uint64_t)((int64_t)v - d->base) + 1;
    }
    case DIM_AMOUNT: {
        size_t lo = 0, hi = d->amount_count;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (d->amounts[mid] < cs->amount[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        return lo + 1;
    }
    case DIM_COHORT_MONTH:
    case DIM_COHORT_QUARTER:
    case DIM_COHORT_YEAR:
        return d->day_codes[cs->opened_on[i] - d->day_base];
    case DIM_AGE_BUCKET:
        return (uint64_t)ink__kpi_age_bucket(cs->due_on[i], cs->opened_on[i]);
    }
    return 0;
}

/* The key text of a code (NULL for null) into buf. */
const char *ink__kpi_dim_text(const kpi_dim *dim, const ink_cases *cs,
                              uint64_t code, char *buf, size_t cap);

/* ------------------------------------------------------------------ */
/* Accumulators (acc.c): state, add, merge, finish                     */

/* A growable array of int32 (days to resolution, for the median). */
typedef struct i32_vec {
    int32_t *v;
    size_t len, cap;
} i32_vec;

/* (debtor, flags) of a case with contacts, for reachability: bit 1 the
 * debtor was attempted (outbound), bit 2 they responded. */
typedef struct debtor_flag {
    uint32_t debtor;
    uint32_t flags;
} debtor_flag;

typedef struct debtor_vec {
    debtor_flag *v;
    size_t len, cap;
} debtor_vec;

/* Per channel: outbound, valid outbound, responded outbound. */
typedef struct channel_counts {
    uint64_t outbound, valid, responded;
} channel_counts;

static inline void ink__kpi_channel_add(channel_counts *sum, channel_counts v)
{
    sum->outbound += v.outbound;
    sum->valid += v.valid;
    sum->responded += v.responded;
}

/* Adds sign times case i's channel counts to sum (per channel code): from
 * its channel row chan, or when chan is NULL (counts past a byte) from its
 * outbound contacts dated on or before as_of (acc.c). */
void ink__kpi_case_channels(const ink_portfolio *p, size_t channels, size_t i,
                            int32_t as_of, const uint8_t *chan, int sign,
                            channel_counts *sum);

/* Channel counts of a case as kept in the facts: per channel code c >= 1,
 * bytes 3(c-1) .. 3(c-1)+2 are outbound, valid, responded; the row is
 * padded with zeros to a multiple of 16 bytes so that a report adds it
 * 16 bytes at a time. */
static inline size_t ink__kpi_chan_stride(size_t channels)
{
    size_t bytes = channels > 1 ? (channels - 1) * 3 : 1;
    return (bytes + 15) / 16 * 16;
}

/* The counts a case adds to its group, one lane each: summed 16 lanes
 * at a time (kpi_fact), or one by one for a case made from its rows. */
enum {
    LANE_CASES,
    LANE_OPEN,
    LANE_RESOLVED,
    LANE_RESOLUTION_DAYS,    /* closed - opened when resolved */
    LANE_PAID,               /* 1 with a positive payment */
    LANE_PAID_DAYS,          /* first positive payment - opened */
    LANE_CONTACT_TO_PAYMENT, /* 1 when paid on or after a valid contact */
    LANE_CONTACT_TO_PAYMENT_DAYS,
    LANE_FIRST_CONTACT_RESOLVED,
    LANE_OUTBOUND,
    LANE_VALID_OUTBOUND,
    LANE_AUTOMATED_OUTBOUND,
    LANE_FLAGS,    /* FACT_* bits, not a count: its sum means nothing */
    KPI_LANES = 16 /* the rest are zero */
};

typedef struct kpi_acc {
    int64_t lanes[KPI_LANES];
    /* Lanes of 16-bit facts added since the last flush: 2^16 of them fit
     * 32 bits exactly; the channel bytes (chan_stride lanes) likewise. */
    int32_t lanes_pending[KPI_LANES];
    uint32_t *chan_lanes;
    uint32_t pending;
    uint32_t currency;       /* code of the first currency seen; 0: none */
    uint32_t currency_other; /* a second, different code: mixed; 0: none */
    /* Exact sums in 1/10000; a sum past int64 sets overflow (reported as
     * INK_LIMIT rather than a wrong number). */
    int overflow;
    int64_t placed, collected;
    /* Windows in ascending order (acc_shape): a case that has lived
     * through exactly k of them adds to lived_cases[k] and lived_amount[k],
     * and a payment that counts for windows lo .. k-1 adds to
     * realized_step[lo] and takes back at realized_step[k]. Finishing sums
     * them up: one add per case and payment, whatever the windows. */
    uint64_t *lived_cases;  /* windows + 1 */
    int64_t *lived_amount;  /* windows + 1 */
    int64_t *realized_step; /* windows + 1 */
    i32_vec resolution_days;
    channel_counts *channels; /* per channel code */
    debtor_vec debtors;
    /* Debtors of one case only (no deduplication needed), as counts. */
    uint64_t sole_attempted, sole_reached;
    /* From a kept view (view.c): the median and the distinct debtors of
     * the other cases, known without resolution_days and debtors. */
    int known;
    double known_median;
    uint64_t known_attempted, known_reached;
} kpi_acc;

/* Notes a currency code in (first, other): the first seen, and a second,
 * different one (then the cases mix currencies). */
static inline void ink__kpi_currency_note(uint32_t *first, uint32_t *other,
                                          uint32_t currency)
{
    if (!currency || currency == *first)
        return;
    if (!*first)
        *first = currency;
    else if (!*other)
        *other = currency;
}

/* How many of the ascending windows w[0..n) are <= days (a case placed
 * `days` ago has lived through them; a payment `d` days after placement
 * counts from the first window >= d, i.e. after upto(d - 1)). A count for
 * the usual few windows, a binary search for curves' many. */
static inline size_t ink__kpi_windows_upto(const int32_t *w, size_t n,
                                           int64_t days)
{
    if (n <= 8) {
        size_t k = 0;
        for (size_t j = 0; j < n; j++)
            k += w[j] <= days;
        return k;
    }
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

typedef struct acc_shape {
    size_t windows;
    /* window_at[j]: the output index of the j-th smallest window. */
    const size_t *window_at;
    size_t channels;       /* channel dictionary size */
    size_t chan_stride;    /* ink__kpi_chan_stride(channels) */
    uint8_t *debtor_flags; /* scratch for finishing: one zero per debtor */
} acc_shape;

/* Distinct debtors of v[0..n) attempted, and attempted and responded,
 * added to the counts; flags (one byte per debtor code) is all zero on
 * entry and on return. */
void ink__kpi_count_debtors(const debtor_flag *v, size_t n, uint8_t *flags,
                            uint64_t *attempted, uint64_t *reached);
/* The median of days (reordered), NaN when empty; the mean of the two
 * middle values for an even count. */
double ink__kpi_median(i32_vec *days);

int ink__kpi_acc_init(kpi_acc *a, const acc_shape *shape);
/* Moves the pending lanes into the sums. */
void ink__kpi_acc_flush(kpi_acc *a, const acc_shape *shape);
void ink__kpi_acc_cleanup(kpi_acc *a);
/* a += b (b is left as is). 0 on allocation failure. */
int ink__kpi_acc_merge(kpi_acc *a, const kpi_acc *b, const acc_shape *shape);

/* ------------------------------------------------------------------ */
/* The report                                                          */

typedef struct kpi_group {
    uint64_t key;      /* mixed-radix composite of the dims' codes */
    const char **keys; /* per dim, NULL = null (into the report's arena) */
    kpi_acc acc;
    ink_kpi_values values;
    double *realization; /* backing arrays of values */
    uint64_t *eligible;
    const char **channel_names;
    double *response;
} kpi_group;

struct ink_kpi_report {
    int32_t as_of;
    int32_t windows[INK_KPI_MAX_WINDOWS];
    size_t window_count;
    size_t dim_count;
    char *dim_names[INK_KPI_MAX_DIMS];
    int by_currency;
    size_t group_count;
    kpi_group *groups; /* sorted; the total is separate */
    kpi_group total;
    char *arena; /* key strings */
    size_t arena_len, arena_cap;
    int has_operations;
    size_t operation_count;
    ink_kpi_operation *operations;
    char (*fte_text)[48];
};

/* Fills g->values from g->acc (allocating its arrays). */
int ink__kpi_finish(const ink_portfolio *p, const acc_shape *shape,
                    kpi_group *g, int amounts_null);
void ink__kpi_group_cleanup(kpi_group *g);

/* ------------------------------------------------------------------ */
/* Per-case facts over all rows (facts.c)                              */

enum {
    FACT_ATTEMPTED = 1, /* an outbound contact */
    FACT_RESPONDED = 2, /* a response or an inbound contact */
    FACT_OVERFLOW = 8,  /* collected passed int64 */
    /* Made from rows: channel counts past a byte (walk the contacts).
     * Kept: that, or a lane past 16 bits (make the case from its rows). */
    FACT_WIDE = 16,
    FACT_SOLE_DEBTOR = 32, /* the debtor has no other case (kept only) */
    /* Realization must walk the payments: more than one, or one that is
     * not positive (else collected and the paid lanes say it all). */
    FACT_WALK_PAYMENTS = 64
};

/* A case's facts as made from its rows. */
typedef struct kpi_case {
    int64_t collected;
    int32_t lane[KPI_LANES];
} kpi_case;

/* As kept per case: 40 bytes, read once per case by every report. */
typedef struct kpi_fact {
    int64_t collected;
    int16_t lane[KPI_LANES];
} kpi_fact;

typedef struct kpi_facts kpi_facts;

/* closed_on as seen at as_of: INK_DATE_NONE when open then. */
static inline int32_t ink__kpi_closed_at(const ink_cases *cs, size_t i,
                                         int32_t as_of)
{
    int32_t closed = cs->closed_on[i];
    return closed != INK_DATE_NONE && closed > as_of ? INK_DATE_NONE : closed;
}

/* 1 when the case, closed on closed (as seen at the report's as_of), is
 * resolved: paid or settled. */
static inline int ink__kpi_resolved(const ink_cases *cs, size_t i,
                                    int32_t closed)
{
    return closed != INK_DATE_NONE &&
           (cs->close_reason[i] == INK_CLOSE_PAID ||
            cs->close_reason[i] == INK_CLOSE_SETTLED);
}

/* The facts of case i from its rows dated on or before as_of (INT32_MAX:
 * all), with its channel counts into chan (ink__kpi_chan_stride bytes). The
 * kept facts are this over all rows; a report as of an earlier day makes
 * them case by case. */
void ink__kpi_fact_compute(const ink_portfolio *p, size_t channels, size_t i,
                           int32_t as_of, kpi_case *out, uint8_t *chan);

/* The facts of every case, valid while the caller reads p (no apply in
 * between); fact is NULL when facts are disabled. chan holds a row of
 * channel counts per case (ink__kpi_chan_stride(channels) bytes). */
typedef struct kpi_fact_view {
    const kpi_fact *fact;
    const uint8_t *chan;
    size_t channels;
} kpi_fact_view;

/* 0 turns the facts and the operations cache off (tests compare). */
extern int ink__kpi_facts_enabled;
ink_status ink__kpi_facts_get(const ink_portfolio *p, kpi_fact_view *out);
/* 1 when r got the operations section kept for (as_of, from, to), 0
 * when none is kept, -1 when out of memory. */
int ink__kpi_operations_cached(const ink_portfolio *p, int32_t as_of,
                               int32_t from, int32_t to, ink_kpi_report *r);
/* Keeps r's operations for the next report; 0 when out of memory. */
int ink__kpi_operations_keep(const ink_portfolio *p, int32_t as_of,
                             int32_t from, int32_t to, const ink_kpi_report *r);

/* ------------------------------------------------------------------ */
/* Kept views of a grouping (view.c)                                   */

typedef struct kpi_views kpi_views;

/* What a report asks of a view: its grouping and placement window, the
 * dims resolved for it, its windows and as_of, over the kept facts. */
typedef struct view_query {
    const char *const *by;
    size_t dim_count;
    const kpi_dim *dims;
    const uint64_t *stride;
    int32_t as_of, from, to;
    const acc_shape *shape;
    const int32_t *sorted_windows;
    kpi_fact_view facts;
} view_query;

/* The groups (keys and accumulators, median and distinct debtors known)
 * and the total; answered 0: no view, the full pass answers. */
typedef struct view_answer {
    int answered;
    size_t count;
    uint64_t *keys;
    kpi_acc *accs;
    kpi_acc total;
} view_answer;

/* Reports answered from a view so far (tests see that views were used). */
extern uint64_t ink__kpi_views_answered;

kpi_views *ink__kpi_views_new(void);
void ink__kpi_views_free(kpi_views *vs);
/* Forgets every view (made again when asked for). */
void ink__kpi_views_drop(kpi_views *vs);
/* Case i's kept fact went from old to now (channel rows likewise): the
 * views follow, or are dropped when they cannot; 0 when out of memory
 * (dropped too). */
int ink__kpi_views_case_changed(kpi_views *vs, const ink_portfolio *p,
                                size_t channels, size_t i, const kpi_fact *old,
                                const uint8_t *old_chan, const kpi_fact *now,
                                const uint8_t *now_chan);
/* A payment was applied; the same return. */
struct ink__payment_note;
int ink__kpi_views_payment_added(kpi_views *vs, const ink_portfolio *p,
                                 const struct ink__payment_note *note);
/* Answers q from its view when there is one (made now when q was asked
 * for before). */
ink_status ink__kpi_views_answer(kpi_views *vs, const ink_portfolio *p,
                                 const view_query *q, view_answer *out);
void ink__kpi_view_answer_free(view_answer *a);
/* The same, under the facts' lock (facts.c). */
ink_status ink__kpi_view_answer(const ink_portfolio *p, const view_query *q,
                                view_answer *out);

/* The cases ordered by placement day: cases[at[d] .. at[d + 1]) were
 * placed on day first + d. */
typedef struct kpi_day_index {
    const uint32_t *cases; /* NULL: no index (facts disabled) */
    const uint32_t *at;
    int32_t first;
    size_t days;
} kpi_day_index;

/* The index of p's cases by placement day, kept until case rows change. */
ink_status ink__kpi_cases_by_day(const ink_portfolio *p, kpi_day_index *out);
/* The same only when it is kept and up to date (made along with the
 * facts); 0 otherwise. */
int ink__kpi_cases_by_day_kept(const ink_portfolio *p, kpi_day_index *out);
/* The positions in x->cases of the cases placed from .. to (either may be
 * INK_DATE_NONE: open). */
void ink__kpi_day_slice(const kpi_day_index *x, int32_t from, int32_t to,
                        size_t *first, size_t *count);

/* The operations section's counts by placement day, segment value and
 * calendar month (operations_cube.c): per (day, segment) a row of
 * months + 1 counts, the last slot for cases still open. */
enum { CUBE_SEGMENTS = 3 };
typedef struct kpi_ops_cube {
    int built;
    int32_t day_first, month_first;
    size_t days, months;
    uint32_t *ended;    /* cases by the month they were closed in */
    uint32_t *resolved; /* of those, resolved */
    uint32_t *outbound; /* outbound contacts by month */
    uint32_t *automated;
} kpi_ops_cube;

static inline size_t ink__kpi_ops_cube_cell(const kpi_ops_cube *c, size_t day,
                                            size_t segment, size_t month)
{
    return (day * CUBE_SEGMENTS + segment) * (c->months + 1) + month;
}

/* 0 when out of memory or too large (*too_large). */
int ink__kpi_ops_cube_build(const ink_portfolio *p, kpi_ops_cube *c,
                            int *too_large);
void ink__kpi_ops_cube_free(kpi_ops_cube *c);
/* Adds an applied contact; 0 when its month is outside the cube's. */
struct ink__contact_note;
int ink__kpi_ops_cube_contact(kpi_ops_cube *c, const ink_portfolio *p,
                              const struct ink__contact_note *note);
/* The cube kept for p along with the facts (made when first asked for,
 * updated by contact ingests, made again after case rows change); *out
 * NULL when there is none (no kept facts, or too large). */
ink_status ink__kpi_ops_cube_get(const ink_portfolio *p,
                                 const kpi_ops_cube **out);

/* The operations section (operations.c). */
ink_status ink__kpi_operations(const ink_portfolio *p, int32_t as_of,
                               int32_t from, int32_t to, ink_kpi_report *r,
                               ink_error *err);

#endif
