/* Markov-chain removal effects, solved exactly on the absorbing chain. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "decide/attr_impl.h"

/*
 * The chain of ChannelAttribution's markov_model (Altomare & Loris; the
 * conventions read in its source, src/ChannelAttribution.cpp): a path
 * starts in (start), consecutive repeats of a channel are collapsed,
 * a state is `order` consecutive channels (or the whole path when it is
 * shorter), and the path ends in (conversion) with its conversions and in
 * (null) with its nulls; every transition is weighted by conversions +
 * nulls. The removal effect of channel c is 1 - P(conv | c removed) /
 * P(conv), where removing c sends every state holding c to (null).
 * ChannelAttribution estimates the probabilities by simulation; here
 * they are the absorption probabilities x = P x + b of the chain.
 */

#define DENSE_MAX 400
#define GS_MAX_SWEEPS 1000000

/* An open-addressing map from a 64-bit key to a 32-bit value. */
typedef struct map64 {
    uint64_t *keys;
    uint32_t *vals;
    size_t cap, count;
} map64;

#define MAP_EMPTY UINT64_MAX

static int map_init(map64 *m, size_t cap)
{
    m->cap = cap;
    m->count = 0;
    m->keys = ink__alloc_array(cap, sizeof *m->keys);
    m->vals = ink__alloc_array(cap, sizeof *m->vals);
    if (!m->keys || !m->vals)
        return 0;
    memset(m->keys, 0xff, cap * sizeof *m->keys);
    return 1;
}

static void map_free(map64 *m)
{
    free(m->keys);
    free(m->vals);
}

static size_t map_hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static int map_grow(map64 *m)
{
    map64 n;
    if (!map_init(&n, m->cap * 2))
        return map_free(&n), 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (m->keys[i] == MAP_EMPTY)
            continue;
        size_t h = map_hash(m->keys[i], n.cap);
        while (n.keys[h] != MAP_EMPTY)
            h = (h + 1) & (n.cap - 1);
        n.keys[h] = m->keys[i];
        n.vals[h] = m->vals[i];
    }
    n.count = m->count;
    map_free(m);
    *m = n;
    return 1;
}

/* The value of key; inserted as next when absent (*added set). 0 when
 * memory runs out. */
static int map_get(map64 *m, uint64_t key, uint32_t next, uint32_t *val,
                   int *added)
{
    if ((m->count + 1) * 2 > m->cap && !map_grow(m))
        return 0;
    size_t h = map_hash(key, m->cap);
    while (m->keys[h] != MAP_EMPTY) {
        if (m->keys[h] == key) {
            *val = m->vals[h];
            *added = 0;
            return 1;
        }
        h = (h + 1) & (m->cap - 1);
    }
    m->keys[h] = key;
    m->vals[h] = next;
    m->count++;
    *val = next;
    *added = 1;
    return 1;
}

/* The chain being built and solved. */
typedef struct chain {
    map64 states, edges;
    size_t n, cap;  /* states, start = 0 */
    uint64_t *mask; /* channels of each state */
    double *conv_w, *val_w, *null_w, *out_w;
    double *edge_w; /* by edge index */
    uint32_t *edge_from, *edge_to;
    size_t edge_count, edge_cap;
    /* CSR of the transient transitions, and the probabilities. */
    uint32_t *row, *col;
    double *prob, *b_conv, *b_val;
} chain;

static void chain_free(chain *c)
{
    map_free(&c->states);
    map_free(&c->edges);
    free(c->mask);
    free(c->conv_w);
    free(c->val_w);
    free(c->null_w);
    free(c->out_w);
    free(c->edge_w);
    free(c->edge_from);
    free(c->edge_to);
    free(c->row);
    free(c->col);
    free(c->prob);
    free(c->b_conv);
    free(c->b_val);
}

static int state_grow(chain *c)
{
    if (c->n < c->cap)
        return 1;
    size_t cap = c->cap * 2;
    uint64_t *m = ink__realloc_array(c->mask, cap, sizeof *m);
    if (!m)
        return 0;
    c->mask = m;
    double **arrays[4] = {&c->conv_w, &c->val_w, &c->null_w, &c->out_w};
    for (int k = 0; k < 4; k++) {
        double *d = ink__realloc_array(*arrays[k], cap, sizeof *d);
        if (!d)
            return 0;
        *arrays[k] = d;
    }
    c->cap = cap;
    return 1;
}

/* The state of channels seq[0..len) (len <= 4, channels < 64). */
static ink_status state_of(chain *c, const uint8_t *seq, size_t len,
                           uint32_t *id, ink_error *err)
{
    uint64_t key = (uint64_t)len << 32;
    uint64_t mask = 0;
    for (size_t i = 0; i < len; i++) {
        key |= (uint64_t)seq[i] << (6 * i);
        mask |= 1ULL << seq[i];
    }
    int added;
    if (!map_get(&c->states, key, (uint32_t)c->n, id, &added))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (!added)
        return INK_OK;
    if (c->n >= INK_ATTR_MAX_MARKOV_STATES)
        return ink__error_set(err, INK_LIMIT, NULL,
                              "markov: more than %d states; lower --order",
                              INK_ATTR_MAX_MARKOV_STATES);
    if (!state_grow(c))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    c->mask[c->n] = mask;
    c->conv_w[c->n] = c->val_w[c->n] = c->null_w[c->n] = c->out_w[c->n] = 0;
    c->n++;
    return INK_OK;
}

static ink_status edge_add(chain *c, uint32_t from, uint32_t to, double w,
                           ink_error *err)
{
    uint32_t e;
    int added;
    if (!map_get(&c->edges, (uint64_t)from << 32 | to, (uint32_t)c->edge_count,
                 &e, &added))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (added) {
        if (c->edge_count == c->edge_cap) {
            size_t cap = c->edge_cap * 2;
            double *ew = ink__realloc_array(c->edge_w, cap, sizeof *ew);
            if (ew)
                c->edge_w = ew;
            uint32_t *ef = ink__realloc_array(c->edge_from, cap, sizeof *ef);
            if (ef)
                c->edge_from = ef;
            uint32_t *et = ink__realloc_array(c->edge_to, cap, sizeof *et);
            if (et)
                c->edge_to = et;
            if (!ew || !ef || !et)
                return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            c->edge_cap = cap;
        }
        c->edge_w[e] = 0;
        c->edge_from[e] = from;
        c->edge_to[e] = to;
        c->edge_count++;
    }
    c->edge_w[e] += w;
    c->out_w[from] += w;
    return INK_OK;
}

/* The move of a path of weight w from *prev into the state of seq, which
 * becomes *prev. */
static ink_status step(chain *c, const uint8_t *seq, size_t len, uint32_t *prev,
                       double w, ink_error *err)
{
    uint32_t id;
    ink_status st = state_of(c, seq, len, &id, err);
    if (st == INK_OK && (st = edge_add(c, *prev, id, w, err)) == INK_OK)
        *prev = id;
    return st;
}

static ink_status build(chain *c, const attr_group *g, int order,
                        ink_error *err)
{
    const ink_attr_paths *p = g->paths;
    c->cap = 64;
    c->edge_cap = 256;
    if (!map_init(&c->states, 128) || !map_init(&c->edges, 512))
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    c->mask = ink__alloc_array(c->cap, sizeof *c->mask);
    c->conv_w = ink__alloc_array(c->cap, sizeof *c->conv_w);
    c->val_w = ink__alloc_array(c->cap, sizeof *c->val_w);
    c->null_w = ink__alloc_array(c->cap, sizeof *c->null_w);
    c->out_w = ink__alloc_array(c->cap, sizeof *c->out_w);
    c->edge_w = ink__alloc_array(c->edge_cap, sizeof *c->edge_w);
    c->edge_from = ink__alloc_array(c->edge_cap, sizeof *c->edge_from);
    c->edge_to = ink__alloc_array(c->edge_cap, sizeof *c->edge_to);
    if (!c->mask || !c->conv_w || !c->val_w || !c->null_w || !c->out_w ||
        !c->edge_w || !c->edge_from || !c->edge_to)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    /* (start) is state 0: the empty sequence. */
    uint32_t id;
    ink_status st = state_of(c, NULL, 0, &id, err);
    if (st != INK_OK)
        return st;
    uint8_t win[INK_ATTR_MAX_ORDER];
    for (size_t k = 0; k < g->count; k++) {
        uint32_t i = g->index[k];
        double w = p->conversions[i] + p->nulls[i];
        if (!(w > 0))
            continue;
        uint32_t prev = 0;
        size_t filled = 0;
        int last = -1;
        for (uint32_t t = p->offset[i]; t < p->offset[i + 1]; t++) {
            int ch = p->touch[t];
            if (ch == last)
                continue; /* a repeat: collapsed */
            last = ch;
            if (filled == (size_t)order) {
                memmove(win, win + 1, (size_t)order - 1);
                win[order - 1] = (uint8_t)ch;
            } else {
                win[filled++] = (uint8_t)ch;
                if (filled < (size_t)order)
                    continue;
            }
            if ((st = step(c, win, filled, &prev, w, err)) != INK_OK)
                return st;
        }
        /* Shorter than the order: one state of the whole path. */
        if (filled > 0 && filled < (size_t)order &&
            (st = step(c, win, filled, &prev, w, err)) != INK_OK)
            return st;
        if (prev == 0)
            continue;
        c->conv_w[prev] += p->conversions[i];
        c->val_w[prev] += p->value[i];
        c->null_w[prev] += p->nulls[i];
    }
    /* Row-normalised CSR. */
    size_t n = c->n, m = c->edge_count;
    c->row = ink__calloc_array(n + 1, sizeof *c->row);
    c->col = ink__alloc_array(m, sizeof *c->col);
    c->prob = ink__alloc_array(m, sizeof *c->prob);
    c->b_conv = ink__alloc_array(n, sizeof *c->b_conv);
    c->b_val = ink__alloc_array(n, sizeof *c->b_val);
    if (!c->row || !c->col || !c->prob || !c->b_conv || !c->b_val)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    for (size_t e = 0; e < m; e++)
        c->row[c->edge_from[e] + 1]++;
    for (size_t s = 0; s < n; s++)
        c->row[s + 1] += c->row[s];
    uint32_t *fill = ink__alloc_array(n, sizeof *fill);
    if (!fill)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    memcpy(fill, c->row, n * sizeof *fill);
    for (size_t s = 0; s < n; s++) {
        double total = c->out_w[s] + c->conv_w[s] + c->null_w[s];
        c->b_conv[s] = total > 0 ? c->conv_w[s] / total : 0;
        c->b_val[s] = total > 0 ? c->val_w[s] / total : 0;
        c->out_w[s] = total;
    }
    for (size_t e = 0; e < m; e++) {
        uint32_t s = c->edge_from[e];
        uint32_t at = fill[s]++;
        c->col[at] = c->edge_to[e];
        c->prob[at] = c->out_w[s] > 0 ? c->edge_w[e] / c->out_w[s] : 0;
    }
    free(fill);
    return INK_OK;
}

/*
 * Absorption into (conversion) from (start), for conversions (x[0]) and
 * for value (y[0]), with the states of channels in removed sent to
 * (null). Dense Gaussian elimination with partial pivoting on small
 * chains; Gauss-Seidel sweeps until nothing moves beyond 1e-15 on large
 * ones (the chain is absorbing, so the sweeps converge).
 */
static ink_status solve(const chain *c, uint64_t removed, double *conv,
                        double *val, ink_error *err)
{
    size_t n = c->n;
    uint32_t *keep = ink__alloc_array(n, sizeof *keep);
    if (!keep)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    size_t k = 0;
    for (size_t s = 0; s < n; s++)
        keep[s] = (c->mask[s] & removed) ? UINT32_MAX : (uint32_t)k++;
    if (k <= DENSE_MAX) {
        size_t w = k + 2;
        double *a = ink__calloc_array(k * w, sizeof *a);
        if (!a) {
            free(keep);
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        }
        for (size_t s = 0; s < n; s++) {
            if (keep[s] == UINT32_MAX)
                continue;
            double *r = a + keep[s] * w;
            r[keep[s]] += 1;
            for (uint32_t e = c->row[s]; e < c->row[s + 1]; e++)
                if (keep[c->col[e]] != UINT32_MAX)
                    r[keep[c->col[e]]] -= c->prob[e];
            r[k] = c->b_conv[s];
            r[k + 1] = c->b_val[s];
        }
        for (size_t j = 0; j < k; j++) {
            size_t piv = j;
            for (size_t i = j + 1; i < k; i++)
                if (fabs(a[i * w + j]) > fabs(a[piv * w + j]))
                    piv = i;
            if (piv != j)
                for (size_t q = 0; q < w; q++) {
                    double t = a[j * w + q];
                    a[j * w + q] = a[piv * w + q];
                    a[piv * w + q] = t;
                }
            double d = a[j * w + j];
            if (d == 0)
                continue; /* cannot happen on an absorbing chain */
            for (size_t i = j + 1; i < k; i++) {
                double f = a[i * w + j] / d;
                if (f == 0)
                    continue;
                for (size_t q = j; q < w; q++)
                    a[i * w + q] -= f * a[j * w + q];
            }
        }
        for (size_t j = k; j-- > 0;) {
            double d = a[j * w + j];
            for (int rhs = 0; rhs < 2; rhs++) {
                double s = a[j * w + k + rhs];
                for (size_t q = j + 1; q < k; q++)
                    s -= a[j * w + q] * a[q * w + k + rhs];
                a[j * w + k + rhs] = d != 0 ? s / d : 0;
            }
        }
        *conv = a[0 * w + k];
        *val = a[0 * w + k + 1];
        free(a);
        free(keep);
        return INK_OK;
    }
    double *x = ink__calloc_array(2 * n, sizeof *x);
    if (!x) {
        free(keep);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    double *y = x + n;
    for (long sweep = 0;; sweep++) {
        double moved = 0;
        /* Later states first: most edges go forward along the paths. */
        for (size_t s = n; s-- > 0;) {
            if (keep[s] == UINT32_MAX)
                continue;
            double sx = c->b_conv[s], sy = c->b_val[s];
            for (uint32_t e = c->row[s]; e < c->row[s + 1]; e++) {
                sx += c->prob[e] * x[c->col[e]];
                sy += c->prob[e] * y[c->col[e]];
            }
            double dx = fabs(sx - x[s]), dy = fabs(sy - y[s]);
            double scale = fabs(sy) > 1 ? fabs(sy) : 1;
            moved = fmax(moved, fmax(dx, dy / scale));
            x[s] = sx;
            y[s] = sy;
        }
        if (moved <= 1e-15)
            break;
        if (sweep == GS_MAX_SWEEPS) {
            free(x);
            free(keep);
            return ink__error_set(err, INK_INTERNAL, NULL,
                                  "markov: the chain did not converge");
        }
    }
    *conv = x[0];
    *val = y[0];
    free(x);
    free(keep);
    return INK_OK;
}

ink_status ink__attr_markov(const attr_group *g, const ink_attr_options *opt,
                            attr_out *out, ink_error *err)
{
    const ink_attr_paths *p = g->paths;
    size_t channels = p->channel_count;
    chain c;
    memset(&c, 0, sizeof c);
    ink_status st = build(&c, g, opt->order, err);
    double base_conv = 0, base_val = 0;
    if (st == INK_OK)
        st = solve(&c, 0, &base_conv, &base_val, err);
    uint64_t present = 0;
    for (size_t s = 0; s < c.n; s++)
        present |= c.mask[s];
    double total_conv = 0, total_val = 0;
    for (size_t k = 0; k < g->count; k++) {
        total_conv += p->conversions[g->index[k]];
        total_val += p->value[g->index[k]];
    }
    double re_sum = 0, rv_sum = 0;
    double *rv = NULL;
    if (st == INK_OK && !(rv = calloc(channels ? channels : 1, sizeof *rv)))
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    for (size_t ch = 0; st == INK_OK && ch < channels; ch++) {
        if (!(present >> ch & 1))
            continue;
        double pc, pv;
        st = solve(&c, 1ULL << ch, &pc, &pv, err);
        if (st != INK_OK)
            break;
        double re = base_conv > 0 ? 1 - pc / base_conv : 0;
        double rev = base_val > 0 ? 1 - pv / base_val : 0;
        /* Rounding can leave -1e-17 where the effect is 0. */
        out->removal_effect[ch] = re > 0 ? re : 0;
        rv[ch] = rev > 0 ? rev : 0;
        re_sum += out->removal_effect[ch];
        rv_sum += rv[ch];
    }
    for (size_t ch = 0; st == INK_OK && ch < channels; ch++) {
        out->conversions[ch] =
            re_sum > 0 ? out->removal_effect[ch] / re_sum * total_conv : 0;
        out->value[ch] = rv_sum > 0 ? rv[ch] / rv_sum * total_val : 0;
    }
    free(rv);
    chain_free(&c);
    return st;
}
