/* Training and scoring rows of a portfolio as of snapshot dates: what was
 * known on or before the date, and the label of the days after it. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "model/model_impl.h"

const char *const ink__feature_names[INK__FEATURE_COUNT] = {
    "amount_log",         "outstanding_log",    "paid_share",
    "case_age_days",      "debt_age_days",      "segment_b2b",
    "sector_rate",        "region_rate",        "risk_class_rate",
    "handler_rate",       "debtor_other_cases", "debtor_paid_cases",
    "debtor_paid_share",  "payment_count",      "days_since_payment",
    "paid_last_30_share", "attempts",           "responses",
    "inbound_contacts",   "days_since_contact", "days_since_response",
    "invalid_share",      "letter_attempts",    "letter_responses",
    "email_attempts",     "email_responses",    "sms_attempts",
    "sms_responses",      "phone_attempts",     "phone_responses",
    "push_attempts",      "push_responses",     "attempts_last_30"};

const size_t ink__cat_column[INK__CAT_COUNT] = {6, 7, 8, 9};

enum {
    F_AMOUNT,
    F_OUTSTANDING,
    F_PAID_SHARE,
    F_CASE_AGE,
    F_DEBT_AGE,
    F_B2B,
    F_SECTOR,
    F_REGION,
    F_RISK,
    F_HANDLER,
    F_DEBTOR_CASES,
    F_DEBTOR_PAID_CASES,
    F_DEBTOR_PAID_SHARE,
    F_PAYMENTS,
    F_SINCE_PAYMENT,
    F_PAID_30,
    F_ATTEMPTS,
    F_RESPONSES,
    F_INBOUND,
    F_SINCE_CONTACT,
    F_SINCE_RESPONSE,
    F_INVALID_SHARE,
    F_CHANNEL0, /* attempts, responses per channel */
    F_ATTEMPTS_30 = F_CHANNEL0 + 10
};

#define CHANNELS 5
static const char *const channel_names[CHANNELS] = {"letter", "email", "sms",
                                                    "phone", "push"};

/* Smoothing of the category rates: an m-estimate with m pseudo-rows at
 * the overall rate (Micci-Barreca 2001, "A preprocessing scheme for
 * high-cardinality categorical attributes", SIGKDD Explorations 3(1)). */
#define ENCODER_M 20.0

const ink_text_column *ink__cat_column_of(const ink_portfolio *p, size_t k)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    switch (k) {
    case 0:
        return &cs->sector;
    case 1:
        return &cs->region;
    case 2:
        return &cs->risk_class;
    default:
        return &cs->handler;
    }
}

static uint32_t code_at(const ink_text_column *col, size_t row)
{
    return col->codes ? col->codes[row] : 0;
}

void ink__features_cleanup(ink__features *f)
{
    ink__matrix_cleanup(&f->m);
    free(f->case_index);
    free(f->snapshot);
    free(f->outstanding);
    free(f->collected);
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        free(f->cat_code[k]);
    memset(f, 0, sizeof *f);
}

void ink__features_swap(ink__features *f, size_t i, size_t j)
{
    if (i == j)
        return;
    size_t cols = f->m.cols;
    float *a = f->m.x + i * cols, *b = f->m.x + j * cols;
    for (size_t c = 0; c < cols; c++) {
        float t = a[c];
        a[c] = b[c];
        b[c] = t;
    }
#define SWAP(arr, type)                                                        \
    do {                                                                       \
        type t_ = (arr)[i];                                                    \
        (arr)[i] = (arr)[j];                                                   \
        (arr)[j] = t_;                                                         \
    } while (0)
    if (f->m.y)
        SWAP(f->m.y, float);
    SWAP(f->case_index, uint32_t);
    SWAP(f->snapshot, uint8_t);
    SWAP(f->outstanding, int64_t);
    if (f->collected)
        SWAP(f->collected, int64_t);
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        SWAP(f->cat_code[k], uint32_t);
#undef SWAP
}

/* Payments of case c on or before day. */
static int64_t paid_until(const ink_payments *ps, size_t c, int32_t day)
{
    int64_t sum = 0;
    for (uint32_t j = ps->case_offset[c]; j < ps->case_offset[c + 1]; j++)
        if (ps->paid_on[j] <= day)
            sum += ps->amount[j];
    return sum;
}

/* Fills the non-categorical features of case c at snapshot s. */
static void fill_row(const ink_portfolio *p, size_t c, int32_t s, int64_t paid,
                     const uint32_t *chan_code, float *x)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_payments *ps = ink_portfolio_payments(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    const float nan = NAN;
    int64_t amount = cs->amount[c], outstanding = amount - paid;
    x[F_AMOUNT] = (float)log(fmax((double)amount / INK_MONEY_SCALE, 0.01));
    x[F_OUTSTANDING] =
        (float)log(fmax((double)outstanding / INK_MONEY_SCALE, 0.01));
    x[F_PAID_SHARE] = (float)((double)paid / (double)amount);
    x[F_CASE_AGE] = (float)(s - cs->opened_on[c]);
    x[F_DEBT_AGE] =
        cs->due_on[c] == INK_DATE_NONE ? nan : (float)(s - cs->due_on[c]);
    x[F_B2B] = cs->segment[c] == INK_SEGMENT_B2B   ? 1.0f
               : cs->segment[c] == INK_SEGMENT_B2C ? 0.0f
                                                   : nan;

    size_t payments = 0;
    int32_t last_payment = INK_DATE_NONE;
    int64_t paid_30 = 0;
    for (uint32_t j = ps->case_offset[c]; j < ps->case_offset[c + 1]; j++) {
        int32_t d = ps->paid_on[j];
        if (d > s)
            continue;
        payments++;
        if (d > last_payment)
            last_payment = d;
        if (d > s - 30)
            paid_30 += ps->amount[j];
    }
    x[F_PAYMENTS] = (float)payments;
    x[F_SINCE_PAYMENT] =
        last_payment == INK_DATE_NONE ? nan : (float)(s - last_payment);
    x[F_PAID_30] = (float)((double)paid_30 / (double)amount);

    size_t attempts = 0, responses = 0, inbound = 0, invalid = 0,
           attempts_30 = 0;
    size_t by_channel[2 * CHANNELS] = {0};
    int32_t last_contact = INK_DATE_NONE, last_response = INK_DATE_NONE;
    for (uint32_t j = ct->case_offset[c]; j < ct->case_offset[c + 1]; j++) {
        int32_t d = ct->date[j];
        if (d > s)
            continue;
        if (d > last_contact)
            last_contact = d;
        int responded = ct->outcome[j] == INK_OUTCOME_RESPONDED;
        if (ct->direction[j] == INK_DIRECTION_IN) {
            inbound++;
        } else {
            attempts++;
            if (d > s - 30)
                attempts_30++;
            if (ct->outcome[j] == INK_OUTCOME_INVALID)
                invalid++;
            uint32_t code = code_at(&ct->channel, j);
            for (size_t k = 0; k < CHANNELS; k++)
                if (code && code == chan_code[k]) {
                    by_channel[2 * k]++;
                    by_channel[2 * k + 1] += (size_t)responded;
                }
        }
        if (responded) {
            responses++;
            if (d > last_response)
                last_response = d;
        }
    }
    x[F_ATTEMPTS] = (float)attempts;
    x[F_RESPONSES] = (float)responses;
    x[F_INBOUND] = (float)inbound;
    x[F_SINCE_CONTACT] =
        last_contact == INK_DATE_NONE ? nan : (float)(s - last_contact);
    x[F_SINCE_RESPONSE] =
        last_response == INK_DATE_NONE ? nan : (float)(s - last_response);
    x[F_INVALID_SHARE] =
        attempts ? (float)((double)invalid / (double)attempts) : nan;
    for (size_t k = 0; k < 2 * CHANNELS; k++)
        x[F_CHANNEL0 + k] = (float)by_channel[k];
    x[F_ATTEMPTS_30] = (float)attempts_30;
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        x[ink__cat_column[k]] = nan;
}

/* Cases per thread below which one more thread does not pay. */
#define PARALLEL_MIN_CASES 50000
#define MAX_PARTS 64

/* What every part of one snapshot's work reads and writes. */
typedef struct snapshot_ctx {
    const ink_portfolio *p;
    const uint32_t *chan_code;
    int32_t s, horizon, min_share_pct;
    uint8_t snapshot;
    int every_case;
    int64_t *paid; /* per case, up to s */
    const uint32_t *dn, *dpaid_cases;
    const int64_t *damount, *dpaid; /* per debtor */
    ink__features *out;
} snapshot_ctx;

typedef struct part {
    snapshot_ctx *ctx;
    size_t begin, end; /* cases */
    size_t rows;       /* rows of the part, then its first row */
} part;

/* A row of case c at s: open with something outstanding (every_case:
 * placed by s). */
static int has_row(const snapshot_ctx *x, size_t c)
{
    const ink_cases *cs = ink_portfolio_cases(x->p);
    if (x->every_case)
        return cs->opened_on[c] <= x->s;
    return ink__case_open(cs, c, x->s) && cs->amount[c] - x->paid[c] > 0;
}

/* Pass 1: payments up to s of the part's cases placed by then, and the
 * part's row count. */
static void *paid_part(void *arg)
{
    part *pt = arg;
    snapshot_ctx *x = pt->ctx;
    const ink_cases *cs = ink_portfolio_cases(x->p);
    const ink_payments *ps = ink_portfolio_payments(x->p);
    pt->rows = 0;
    for (size_t c = pt->begin; c < pt->end; c++) {
        if (cs->opened_on[c] > x->s)
            continue;
        x->paid[c] = paid_until(ps, c, x->s);
        pt->rows += (size_t)has_row(x, c);
    }
    return NULL;
}

/* Pass 2: the part's rows, from its first row on. */
static void *rows_part(void *arg)
{
    part *pt = arg;
    snapshot_ctx *x = pt->ctx;
    const ink_portfolio *p = x->p;
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_payments *ps = ink_portfolio_payments(p);
    ink__features *out = x->out;
    size_t rows = pt->rows;
    int32_t s = x->s;
    for (size_t c = pt->begin; c < pt->end; c++) {
        if (cs->opened_on[c] > s || !has_row(x, c))
            continue;
        int64_t outstanding = cs->amount[c] - x->paid[c];
        float *x_row = out->m.x + rows * INK__FEATURE_COUNT;
        fill_row(p, c, s, x->paid[c], x->chan_code, x_row);
        uint32_t d = code_at(&cs->debtor_id, c);
        if (d) {
            x_row[F_DEBTOR_CASES] = (float)(x->dn[d] - 1);
            x_row[F_DEBTOR_PAID_CASES] = (float)x->dpaid_cases[d];
            int64_t other = x->damount[d] - cs->amount[c];
            x_row[F_DEBTOR_PAID_SHARE] =
                other > 0 ? (float)((double)(x->dpaid[d] - x->paid[c]) /
                                    (double)other)
                          : NAN;
        } else {
            x_row[F_DEBTOR_CASES] = 0;
            x_row[F_DEBTOR_PAID_CASES] = 0;
            x_row[F_DEBTOR_PAID_SHARE] = NAN;
        }
        out->case_index[rows] = (uint32_t)c;
        out->snapshot[rows] = x->snapshot;
        out->outstanding[rows] = outstanding;
        for (size_t k = 0; k < INK__CAT_COUNT; k++)
            out->cat_code[k][rows] = code_at(ink__cat_column_of(p, k), c);
        if (out->m.y) {
            int64_t collected = 0;
            for (uint32_t j = ps->case_offset[c]; j < ps->case_offset[c + 1];
                 j++)
                if (ps->paid_on[j] > s && ps->paid_on[j] <= s + x->horizon)
                    collected += ps->amount[j];
            out->collected[rows] = collected;
            /* collected >= pct% of outstanding, without overflow. */
            out->m.y[rows] =
                (double)collected * 100.0 >=
                        (double)x->min_share_pct * (double)outstanding
                    ? 1.0f
                    : 0.0f;
        }
        rows++;
    }
    return NULL;
}

/* Runs fn on every part, parts 1.. on threads of their own (or here when
 * a thread cannot start). */
static void run_parts(part *parts, size_t n, void *(*fn)(void *))
{
    pthread_t tids[MAX_PARTS];
    int started[MAX_PARTS] = {0};
    for (size_t t = 1; t < n; t++)
        started[t] = pthread_create(&tids[t], NULL, fn, &parts[t]) == 0;
    fn(&parts[0]);
    for (size_t t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            fn(&parts[t]);
    }
}

ink_status ink__features_build(const ink_portfolio *p, const int32_t *snapshots,
                               size_t count, int32_t horizon,
                               int32_t min_share_pct, int labels,
                               int every_case, int threads, ink__features *out,
                               ink_error *err)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    memset(out, 0, sizeof *out);
    uint32_t chan_code[CHANNELS];
    for (size_t k = 0; k < CHANNELS; k++)
        chan_code[k] = ink_dict_find(ct->channel.values, channel_names[k],
                                     strlen(channel_names[k]));
    /* Capacity: the open (every_case: placed) cases of every snapshot;
     * paid-off cases are dropped later, so this is an upper bound. */
    size_t cap = 0;
    for (size_t i = 0; i < count; i++)
        for (size_t c = 0; c < cs->count; c++)
            cap += (size_t)(every_case ? cs->opened_on[c] <= snapshots[i]
                                       : ink__case_open(cs, c, snapshots[i]));

    size_t debtors = ink_dict_count(cs->debtor_id.values);
    uint32_t *dn = ink__alloc_array(debtors, sizeof *dn);
    uint32_t *dpaid_cases = ink__alloc_array(debtors, sizeof *dpaid_cases);
    int64_t *damount = ink__alloc_array(debtors, sizeof *damount);
    int64_t *dpaid = ink__alloc_array(debtors, sizeof *dpaid);
    int64_t *paid = ink__alloc_array(cs->count, sizeof *paid);
    out->m.cols = INK__FEATURE_COUNT;
    out->m.x = ink__alloc_array(cap, INK__FEATURE_COUNT * sizeof(float));
    out->m.y = labels ? ink__alloc_array(cap, sizeof(float)) : NULL;
    out->collected = labels ? ink__alloc_array(cap, sizeof(int64_t)) : NULL;
    out->case_index = ink__alloc_array(cap, sizeof(uint32_t));
    out->snapshot = ink__alloc_array(cap, 1);
    out->outstanding = ink__alloc_array(cap, sizeof(int64_t));
    int ok = dn && dpaid_cases && damount && dpaid && paid && out->m.x &&
             (!labels || (out->m.y && out->collected)) && out->case_index &&
             out->snapshot && out->outstanding;
    for (size_t k = 0; k < INK__CAT_COUNT; k++) {
        out->cat_code[k] = ink__alloc_array(cap, sizeof(uint32_t));
        ok = ok && out->cat_code[k];
    }
    if (!ok) {
        free(dn);
        free(dpaid_cases);
        free(damount);
        free(dpaid);
        free(paid);
        ink__features_cleanup(out);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }

    /* Each snapshot in two passes over ranges of cases, one thread per
     * range: payments so far and row counts, then (after the debtors'
     * sums, one pass) the rows themselves, each range from its first
     * row on, so the rows keep case order. */
    size_t nparts =
        (size_t)ink__thread_count(threads, cs->count, PARALLEL_MIN_CASES);
    if (nparts > MAX_PARTS)
        nparts = MAX_PARTS;
    part parts[MAX_PARTS];
    size_t rows = 0;
    for (size_t i = 0; i < count; i++) {
        snapshot_ctx x = {
            p,          chan_code,  snapshots[i], horizon, min_share_pct,
            (uint8_t)i, every_case, paid,         dn,      dpaid_cases,
            damount,    dpaid,      out};
        int32_t s = snapshots[i];
        for (size_t t = 0; t < nparts; t++)
            parts[t] = (part){&x, cs->count * t / nparts,
                              cs->count * (t + 1) / nparts, 0};
        run_parts(parts, nparts, paid_part);
        memset(dn, 0, debtors * sizeof *dn);
        memset(dpaid_cases, 0, debtors * sizeof *dpaid_cases);
        memset(damount, 0, debtors * sizeof *damount);
        memset(dpaid, 0, debtors * sizeof *dpaid);
        /* The debtor's cases known at s: placed by then. */
        for (size_t c = 0; c < cs->count; c++) {
            if (cs->opened_on[c] > s)
                continue;
            uint32_t d = code_at(&cs->debtor_id, c);
            if (!d)
                continue;
            dn[d]++;
            damount[d] += cs->amount[c];
            dpaid[d] += paid[c];
            if (cs->closed_on[c] != INK_DATE_NONE && cs->closed_on[c] <= s &&
                (cs->close_reason[c] == INK_CLOSE_PAID ||
                 cs->close_reason[c] == INK_CLOSE_SETTLED))
                dpaid_cases[d]++;
        }
        for (size_t t = 0; t < nparts; t++) {
            size_t n = parts[t].rows;
            parts[t].rows = rows;
            rows += n;
        }
        run_parts(parts, nparts, rows_part);
    }
    free(dn);
    free(dpaid_cases);
    free(damount);
    free(dpaid);
    free(paid);
    out->m.rows = rows;
    return INK_OK;
}

void ink__encoder_cleanup(ink__encoder *e)
{
    for (size_t i = 0; i < e->count; i++)
        free(e->value[i]);
    free(e->value);
    free(e->rate);
    memset(e, 0, sizeof *e);
}

ink_status ink__encoders_fit(const ink_portfolio *p, const ink__features *f,
                             size_t train_rows,
                             ink__encoder enc[INK__CAT_COUNT])
{
    double positives = 0;
    for (size_t r = 0; r < train_rows; r++)
        positives += f->m.y[r];
    double prior = train_rows ? positives / (double)train_rows : 0.5;
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        memset(&enc[k], 0, sizeof enc[k]);
    for (size_t k = 0; k < INK__CAT_COUNT; k++) {
        const ink_text_column *col = ink__cat_column_of(p, k);
        size_t codes = ink_dict_count(col->values);
        if (codes == 0)
            codes = 1;
        double *n = ink__calloc_array(codes, sizeof *n);
        double *pos = ink__calloc_array(codes, sizeof *pos);
        if (!n || !pos) {
            free(n);
            free(pos);
            goto nomem;
        }
        for (size_t r = 0; r < train_rows; r++) {
            uint32_t code = f->cat_code[k][r];
            n[code]++;
            pos[code] += f->m.y[r];
        }
        size_t seen = 0;
        for (size_t code = 0; code < codes; code++)
            seen += n[code] > 0;
        ink__encoder *e = &enc[k];
        e->prior = prior;
        e->value = ink__calloc_array(seen, sizeof *e->value);
        e->rate = ink__alloc_array(seen, sizeof *e->rate);
        if (!e->value || !e->rate) {
            free(n);
            free(pos);
            goto nomem;
        }
        for (size_t code = 0; code < codes; code++) {
            if (n[code] == 0)
                continue;
            size_t len = 0;
            const char *s = ink_dict_get(col->values, (uint32_t)code, &len);
            char *copy = malloc(len + 1);
            if (!copy) {
                free(n);
                free(pos);
                goto nomem;
            }
            if (len)
                memcpy(copy, s, len);
            copy[len] = '\0';
            e->value[e->count] = copy;
            e->rate[e->count] =
                (pos[code] + ENCODER_M * prior) / (n[code] + ENCODER_M);
            e->count++;
        }
        free(n);
        free(pos);
    }
    return INK_OK;
nomem:
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        ink__encoder_cleanup(&enc[k]);
    return INK_NOMEM;
}

/* Folds of the out-of-fold rates: each fit row's rate comes from the
 * other folds' labels. (Leaving out only the row itself is not enough:
 * within a category positives would get a slightly lower rate than
 * negatives, a split trees find at once.) */
#define ENCODER_FOLDS 5

ink_status ink__features_encode_fit(const ink_portfolio *p, ink__features *f,
                                    size_t fit_rows,
                                    const ink__encoder enc[INK__CAT_COUNT])
{
    for (size_t k = 0; k < INK__CAT_COUNT; k++) {
        const ink_text_column *col = ink__cat_column_of(p, k);
        size_t codes = ink_dict_count(col->values);
        if (codes == 0)
            codes = 1;
        /* Per code: counts of all fit rows and of each fold. */
        double *n = ink__calloc_array(codes * (ENCODER_FOLDS + 1), sizeof *n);
        double *pos =
            ink__calloc_array(codes * (ENCODER_FOLDS + 1), sizeof *pos);
        if (!n || !pos) {
            free(n);
            free(pos);
            return INK_NOMEM;
        }
        for (size_t r = 0; r < fit_rows; r++) {
            size_t code = f->cat_code[k][r], fold = 1 + r % ENCODER_FOLDS;
            n[code * (ENCODER_FOLDS + 1)]++;
            pos[code * (ENCODER_FOLDS + 1)] += f->m.y[r];
            n[code * (ENCODER_FOLDS + 1) + fold]++;
            pos[code * (ENCODER_FOLDS + 1) + fold] += f->m.y[r];
        }
        const double prior = enc[k].prior;
        size_t column = ink__cat_column[k];
        for (size_t r = 0; r < fit_rows; r++) {
            size_t at = f->cat_code[k][r] * (ENCODER_FOLDS + 1);
            size_t fold = 1 + r % ENCODER_FOLDS;
            double rows = n[at] - n[at + fold];
            double positives = pos[at] - pos[at + fold];
            f->m.x[r * f->m.cols + column] =
                (float)((positives + ENCODER_M * prior) / (rows + ENCODER_M));
        }
        free(n);
        free(pos);
    }
    return INK_OK;
}

ink_status ink__features_encode(const ink_portfolio *p, ink__features *f,
                                const ink__encoder enc[INK__CAT_COUNT])
{
    for (size_t k = 0; k < INK__CAT_COUNT; k++) {
        const ink_text_column *col = ink__cat_column_of(p, k);
        size_t codes = ink_dict_count(col->values);
        if (codes == 0)
            codes = 1;
        double *rate = ink__alloc_array(codes, sizeof *rate);
        if (!rate)
            return INK_NOMEM;
        for (size_t code = 0; code < codes; code++)
            rate[code] = enc[k].prior;
        for (size_t i = 0; i < enc[k].count; i++) {
            const char *v = enc[k].value[i];
            /* Missing is the empty text: the contract's missing value. */
            uint32_t code = v[0] ? ink_dict_find(col->values, v, strlen(v)) : 0;
            if (code || !v[0])
                rate[code] = enc[k].rate[i];
        }
        size_t column = ink__cat_column[k];
        for (size_t r = 0; r < f->m.rows; r++)
            f->m.x[r * f->m.cols + column] = (float)rate[f->cat_code[k][r]];
        free(rate);
    }
    return INK_OK;
}
