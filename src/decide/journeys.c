/* Journeys: each case's ordered outbound touches up to its first payment. */
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "decide/attr_impl.h"
#include "inkasso/units.h"

void ink_attr_journey_options_init(ink_attr_journey_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->as_of = INK_DATE_NONE;
    opt->horizon = 30;
    opt->lookback = 0;
    opt->outcomes = INK_ATTR_TOUCH_VALID;
}

/* The outcomes a touch can have (bits 1u << ink_outcome). */
#define ATTR_OUTCOME_BITS ((1u << INK_OUTCOME_INVALID) | INK_ATTR_TOUCH_VALID)

/* A grouping dimension: a text column of cases.csv, segment or
 * close_reason. */
typedef struct dim {
    const char *name;
    const ink_text_column *text;
    const uint8_t *enum_codes;
    const char *(*enum_name)(int);
} dim;

static ink_status resolve(const ink_cases *cs, const char *name, dim *d,
                          ink_error *err)
{
    const ink_text_column *cols[] = {
        &cs->debtor_id,  &cs->creditor_id, &cs->sector,  &cs->region,
        &cs->risk_class, &cs->portfolio,   &cs->handler, &cs->currency};
    memset(d, 0, sizeof *d);
    d->name = name;
    for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
        if (strcmp(cols[k]->name, name) == 0) {
            d->text = cols[k];
            return INK_OK;
        }
    for (size_t x = 0; x < cs->extra_count; x++)
        if (strcmp(cs->extras[x].name, name) == 0) {
            d->text = &cs->extras[x];
            return INK_OK;
        }
    if (strcmp(name, "segment") == 0) {
        d->enum_codes = cs->segment;
        d->enum_name = ink_segment_name;
        return INK_OK;
    }
    if (strcmp(name, "close_reason") == 0) {
        d->enum_codes = cs->close_reason;
        d->enum_name = ink_close_reason_name;
        return INK_OK;
    }
    return ink__error_set(err, INK_USAGE, NULL,
                          "--by: unknown dimension \"%s\": expected a text "
                          "column of cases.csv, segment or close_reason",
                          name);
}

static uint32_t dim_code(const dim *d, size_t c)
{
    return d->text ? d->text->codes[c] : d->enum_codes[c];
}

static const char *dim_text(const dim *d, uint32_t code)
{
    if (code == 0)
        return NULL;
    return d->text ? ink_dict_get(d->text->values, code, NULL)
                   : d->enum_name((int)code);
}

/* Groups by their tuple of codes, found by hash. */
typedef struct groups {
    size_t dims;
    size_t count, cap;
    uint32_t *tuples;   /* count * dims */
    uint32_t *currency; /* first currency code; UINT32_MAX: mixed */
    uint32_t *slots;    /* group + 1, 0 empty */
    size_t slot_cap;
    uint64_t *contacts; /* group * 64 + channel */
    int64_t *cost;
    uint8_t *cost_known;
} groups;

static uint32_t tuple_hash(const uint32_t *t, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ t[i]) * 16777619u ^ (t[i] >> 16);
    return h;
}

static int groups_grow(groups *g)
{
    size_t cap = g->cap ? g->cap * 2 : 16;
    uint32_t *t =
        ink__realloc_array(g->tuples, cap * (g->dims ? g->dims : 1), sizeof *t);
    if (t)
        g->tuples = t;
    uint32_t *cu = ink__realloc_array(g->currency, cap, sizeof *cu);
    if (cu)
        g->currency = cu;
    uint64_t *co = ink__realloc_array(g->contacts, cap * 64, sizeof *co);
    if (co)
        g->contacts = co;
    int64_t *cs = ink__realloc_array(g->cost, cap * 64, sizeof *cs);
    if (cs)
        g->cost = cs;
    uint8_t *ck = ink__realloc_array(g->cost_known, cap * 64, 1);
    if (ck)
        g->cost_known = ck;
    if (!t || !cu || !co || !cs || !ck)
        return 0;
    memset(g->contacts + g->cap * 64, 0, (cap - g->cap) * 64 * sizeof *co);
    memset(g->cost + g->cap * 64, 0, (cap - g->cap) * 64 * sizeof *cs);
    memset(g->cost_known + g->cap * 64, 0, (cap - g->cap) * 64);
    g->cap = cap;
    /* Rehash into twice as many slots. */
    free(g->slots);
    g->slot_cap = cap * 2;
    g->slots = calloc(g->slot_cap, sizeof *g->slots);
    if (!g->slots)
        return 0;
    for (size_t i = 0; i < g->count; i++) {
        size_t h =
            tuple_hash(g->tuples + i * g->dims, g->dims) & (g->slot_cap - 1);
        while (g->slots[h])
            h = (h + 1) & (g->slot_cap - 1);
        g->slots[h] = (uint32_t)i + 1;
    }
    return 1;
}

/* The group of tuple; -1 out of memory, -2 past the group limit. */
static long group_of(groups *g, const uint32_t *tuple, uint32_t currency)
{
    size_t h = tuple_hash(tuple, g->dims) & (g->slot_cap - 1);
    while (g->slots[h]) {
        size_t i = g->slots[h] - 1;
        if (memcmp(g->tuples + i * g->dims, tuple, g->dims * sizeof *tuple) ==
            0) {
            if (g->currency[i] != currency)
                g->currency[i] = UINT32_MAX;
            return (long)i;
        }
        h = (h + 1) & (g->slot_cap - 1);
    }
    if (g->count == INK_ATTR_MAX_GROUPS)
        return -2;
    if (g->count == g->cap) {
        if (!groups_grow(g))
            return -1;
        return group_of(g, tuple, currency);
    }
    size_t i = g->count++;
    memcpy(g->tuples + i * g->dims, tuple, g->dims * sizeof *tuple);
    g->currency[i] = currency;
    g->slots[h] = (uint32_t)i + 1;
    return (long)i;
}

static void groups_free(groups *g)
{
    free(g->tuples);
    free(g->currency);
    free(g->slots);
    free(g->contacts);
    free(g->cost);
    free(g->cost_known);
}

/* Sorting groups by their key texts, null first, byte order. */
typedef struct sort_ctx {
    const groups *g;
    const dim *dims;
} sort_ctx;

static int cmp_group(const void *a, const void *b, void *ctx)
{
    const sort_ctx *s = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    for (size_t d = 0; d < s->g->dims; d++) {
        const char *p = dim_text(&s->dims[d], s->g->tuples[x * s->g->dims + d]);
        const char *q = dim_text(&s->dims[d], s->g->tuples[y * s->g->dims + d]);
        if (!p || !q) {
            if (p != q)
                return p ? 1 : -1;
            continue;
        }
        int c = strcmp(p, q);
        if (c)
            return c;
    }
    return 0;
}

static int cmp_channel(const void *a, const void *b, void *names)
{
    const char *const *n = names;
    return strcmp(n[*(const uint8_t *)a], n[*(const uint8_t *)b]);
}

static ink_status nomem(ink_error *err)
{
    return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
}

ink_status ink_attr_journeys(const ink_portfolio *pf,
                             const ink_attr_journey_options *opt,
                             ink_attr_paths **out, ink_error *err)
{
    *out = NULL;
    ink_attr_journey_options defaults;
    if (!opt) {
        ink_attr_journey_options_init(&defaults);
        opt = &defaults;
    }
    if (opt->horizon < 1 || opt->horizon > 3650)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--horizon: expected days from 1 to 3650, got "
                              "%d",
                              (int)opt->horizon);
    if (opt->lookback < 0 || opt->lookback > 3650)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--lookback: expected days from 0 to 3650, got "
                              "%d",
                              (int)opt->lookback);
    if ((opt->outcomes & ATTR_OUTCOME_BITS) == 0 ||
        (opt->outcomes & ~ATTR_OUTCOME_BITS) != 0)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--touches: expected one or more of invalid, "
                              "no_response, delivered, responded");
    if (opt->by_count > INK_ATTR_MAX_DIMS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--by: expected at most %d dimensions",
                              INK_ATTR_MAX_DIMS);
    const ink_cases *cs = ink_portfolio_cases(pf);
    const ink_payments *ps = ink_portfolio_payments(pf);
    const ink_contacts *ks = ink_portfolio_contacts(pf);
    dim dims[INK_ATTR_MAX_DIMS];
    for (size_t d = 0; d < opt->by_count; d++) {
        ink_status st = resolve(cs, opt->by[d], &dims[d], err);
        if (st != INK_OK)
            return st;
        for (size_t e = 0; e < d; e++)
            if (strcmp(opt->by[e], opt->by[d]) == 0)
                return ink__error_set(err, INK_USAGE, NULL,
                                      "--by: dimension \"%s\" named twice",
                                      opt->by[d]);
    }
    /* The portfolio keeps its latest date up to date on load and ingest. */
    int32_t as_of = opt->as_of != INK_DATE_NONE ? opt->as_of : pf->latest_date;

    ink_status st = INK_OK;
    groups g;
    memset(&g, 0, sizeof g);
    g.dims = opt->by_count;
    uint32_t dict_channels = ink_dict_count(ks->channel.values);
    uint8_t *chan_map = malloc(dict_channels ? dict_channels : 1);
    uint32_t chan_code[INK_ATTR_MAX_CHANNELS];
    size_t channel_count = 0;
    ink_attr_paths *p = ink__attr_paths_new(cs->count, ks->count, 1);
    if (!chan_map || !p || !groups_grow(&g)) {
        st = nomem(err);
        goto fail;
    }
    memset(chan_map, 0xff, dict_channels ? dict_channels : 1);

    size_t t = 0;
    for (size_t c = 0; c < cs->count; c++) {
        if (cs->opened_on[c] > as_of)
            continue;
        /* The conversion: the first positive payment, and the payments
         * of the horizon that starts with it. */
        int32_t conv_day = INK_DATE_NONE;
        int64_t value = 0;
        for (uint32_t r = ps->case_offset[c]; r < ps->case_offset[c + 1]; r++) {
            int32_t day = ps->paid_on[r];
            if (day > as_of)
                break;
            if (conv_day == INK_DATE_NONE) {
                if (ps->amount[r] <= 0)
                    continue;
                conv_day = day;
            }
            if (day - conv_day >= opt->horizon)
                break;
            value += ps->amount[r];
        }
        int32_t end = conv_day;
        if (end == INK_DATE_NONE)
            end = cs->closed_on[c] != INK_DATE_NONE && cs->closed_on[c] <= as_of
                      ? cs->closed_on[c]
                      : as_of;
        int32_t from = opt->lookback ? end - opt->lookback + 1 : INT32_MIN;
        uint32_t tuple[INK_ATTR_MAX_DIMS];
        for (size_t d = 0; d < g.dims; d++)
            tuple[d] = dim_code(&dims[d], c);
        long gi = group_of(&g, tuple, cs->currency.codes[c]);
        if (gi < 0) {
            st = gi == -1 ? nomem(err)
                          : ink__error_set(err, INK_LIMIT, NULL,
                                           "--by: more than %d groups",
                                           INK_ATTR_MAX_GROUPS);
            goto fail;
        }
        size_t first = t;
        for (uint32_t r = ks->case_offset[c]; r < ks->case_offset[c + 1]; r++) {
            int32_t day = ks->date[r];
            if (day > end || day < from ||
                ks->direction[r] != INK_DIRECTION_OUT ||
                !(opt->outcomes >> ks->outcome[r] & 1))
                continue;
            uint32_t code = ks->channel.codes[r];
            if (code == 0)
                continue;
            if (chan_map[code] == 0xff) {
                if (channel_count == INK_ATTR_MAX_CHANNELS) {
                    st = ink__error_set(err, INK_LIMIT, NULL,
                                        "more than %d distinct channels",
                                        INK_ATTR_MAX_CHANNELS);
                    goto fail;
                }
                chan_code[channel_count] = code;
                chan_map[code] = (uint8_t)channel_count++;
            }
            uint8_t ch = chan_map[code];
            p->touch[t] = ch;
            p->age[t] = (float)(end - day) - (float)ks->seconds[r] / 86400.0f;
            t++;
            size_t at = (size_t)gi * 64 + ch;
            g.contacts[at]++;
            if (ks->cost[r] != INK_MONEY_NONE) {
                g.cost[at] += ks->cost[r];
                g.cost_known[at] = 1;
            }
        }
        if (t == first) {
            if (conv_day != INK_DATE_NONE)
                p->untouched++;
            continue;
        }
        size_t i = p->count++;
        p->offset[i + 1] = (uint32_t)t;
        p->conversions[i] = conv_day != INK_DATE_NONE;
        p->nulls[i] = conv_day == INK_DATE_NONE;
        p->value[i] = conv_day != INK_DATE_NONE && value > 0
                          ? (double)value / INK_MONEY_SCALE
                          : 0;
        p->group[i] = (uint32_t)gi;
    }

    /* Channels by name, groups by key: renumber both. */
    const char *names[INK_ATTR_MAX_CHANNELS];
    uint8_t order[INK_ATTR_MAX_CHANNELS], rank[INK_ATTR_MAX_CHANNELS];
    for (size_t k = 0; k < channel_count; k++) {
        names[k] = ink_dict_get(ks->channel.values, chan_code[k], NULL);
        order[k] = (uint8_t)k;
    }
    qsort_r(order, channel_count, 1, cmp_channel, (void *)names);
    p->channels = calloc(channel_count ? channel_count : 1, sizeof(char *));
    if (!p->channels) {
        st = nomem(err);
        goto fail;
    }
    p->channel_count = channel_count;
    for (size_t k = 0; k < channel_count; k++) {
        rank[order[k]] = (uint8_t)k;
        if (!(p->channels[k] = strdup(names[order[k]]))) {
            st = nomem(err);
            goto fail;
        }
    }
    for (size_t k = 0; k < t; k++)
        p->touch[k] = rank[p->touch[k]];

    size_t ng = g.count;
    uint32_t *gorder = ink__alloc_array(ng, sizeof *gorder);
    uint32_t *grank = ink__alloc_array(ng, sizeof *grank);
    p->dims = calloc(g.dims ? g.dims : 1, sizeof *p->dims);
    p->group_keys = calloc(ng * (g.dims ? g.dims : 1), sizeof(char *));
    p->group_currency = calloc(ng, sizeof(char *));
    p->group_mixed = calloc(ng, 1);
    p->contacts = ink__calloc_array(ng * (channel_count ? channel_count : 1),
                                    sizeof *p->contacts);
    p->cost = ink__calloc_array(ng * (channel_count ? channel_count : 1),
                                sizeof *p->cost);
    p->cost_known =
        ink__calloc_array(ng * (channel_count ? channel_count : 1), 1);
    if (!gorder || !grank || !p->dims || !p->group_keys || !p->group_currency ||
        !p->group_mixed || !p->contacts || !p->cost || !p->cost_known) {
        free(gorder);
        free(grank);
        st = nomem(err);
        goto fail;
    }
    p->group_count = ng;
    p->dim_count = g.dims;
    for (size_t k = 0; k < ng; k++)
        gorder[k] = (uint32_t)k;
    sort_ctx sc = {&g, dims};
    qsort_r(gorder, ng, sizeof *gorder, cmp_group, &sc);
    for (size_t k = 0; k < ng && st == INK_OK; k++) {
        uint32_t old = gorder[k];
        grank[old] = (uint32_t)k;
        for (size_t d = 0; d < g.dims; d++) {
            const char *s = dim_text(&dims[d], g.tuples[old * g.dims + d]);
            if (s && !(p->group_keys[k * g.dims + d] = strdup(s)))
                st = nomem(err);
        }
        if (g.currency[old] == UINT32_MAX)
            p->group_mixed[k] = 1;
        else {
            const char *cur =
                ink_dict_get(cs->currency.values, g.currency[old], NULL);
            if (cur && !(p->group_currency[k] = strdup(cur)))
                st = nomem(err);
        }
        for (size_t ch = 0; ch < channel_count; ch++) {
            size_t from = (size_t)old * 64 + order[ch];
            size_t to = k * channel_count + ch;
            p->contacts[to] = g.contacts[from];
            p->cost[to] = g.cost[from];
            p->cost_known[to] = g.cost_known[from];
        }
    }
    for (size_t d = 0; d < g.dims && st == INK_OK; d++)
        if (!(p->dims[d] = strdup(opt->by[d])))
            st = nomem(err);
    for (size_t i = 0; i < p->count; i++)
        p->group[i] = grank[p->group[i]];
    free(gorder);
    free(grank);
    if (st != INK_OK)
        goto fail;
    groups_free(&g);
    free(chan_map);
    *out = p;
    return INK_OK;
fail:
    groups_free(&g);
    free(chan_map);
    ink_attr_paths_free(p);
    return st;
}
