/* Portfolio alerts: the daily series in one pass, the detector on each,
 * anomalous runs turned into alerts (the drill-down is alerts_drill.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "kpi/alerts_impl.h"

#define DEFAULT_LOOKBACK 180
#define MIN_LOOKBACK 28
#define DEFAULT_DAYS 28
#define DEFAULT_MIN_EVENTS 20

struct ink_alerts_report {
    int32_t as_of, first, report_from;
    uint32_t lookback, days, min_events;
    double threshold;
    size_t dim_count;
    char *dim_names[INK_ALERTS_MAX_DIMS];
    size_t series_checked;
    size_t count, cap;
    ink_alert **alerts; /* each owns its strings and drill-down */
};

static const char *const series_names[INK_ALERT_SERIES_COUNT] = {
    [INK_ALERT_COLLECTED_AMOUNT] = "collected_amount",
    [INK_ALERT_PAYMENTS] = "payments",
    [INK_ALERT_PLACEMENTS] = "placements",
    [INK_ALERT_PLACED_AMOUNT] = "placed_amount",
    [INK_ALERT_OUTBOUND] = "outbound_contacts",
    [INK_ALERT_VALID_CONTACT_RATE] = "valid_contact_rate",
    [INK_ALERT_RESPONSE_RATE] = "response_rate",
    [INK_ALERT_RESOLVED] = "resolved_cases",
};

const char *ink_alert_series_name(int series)
{
    return series >= 0 && series < INK_ALERT_SERIES_COUNT ? series_names[series]
                                                          : NULL;
}

void ink_alerts_options_init(ink_alerts_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->as_of = INK_DATE_NONE;
}

/* ------------------------------------------------------------------ */
/* Values and measures                                                 */

double ink__alerts_value(ink_alert_series kind, int64_t num, int64_t den,
                         uint32_t min_events)
{
    if (ink__alerts_is_rate(kind))
        return den >= (int64_t)min_events && den > 0 ? (double)num / (double)den
                                                     : NAN;
    if (ink__alerts_is_amount(kind))
        return (double)num / INK_MONEY_SCALE;
    return (double)num;
}

void ink__alerts_measure(ink_alert_series kind, const int64_t *num,
                         const int64_t *den, const double *values,
                         const double *expected, size_t since, size_t until,
                         alerts_measure *m)
{
    memset(m, 0, sizeof *m);
    const int rate = ink__alerts_is_rate(kind);
    const int amount = ink__alerts_is_amount(kind);
    double obs = 0, exp = 0, den_sum = 0;
    int64_t obs_amount = 0;
    for (size_t d = since; d <= until; d++) {
        if (!isfinite(values[d]) || !isfinite(expected[d]) ||
            (values[d] == 0 && expected[d] == 0))
            continue;
        m->days++;
        if (rate) {
            obs += (double)num[d];
            exp += expected[d] * (double)den[d];
            den_sum += (double)den[d];
        } else if (amount) {
            /* Day sums were checked for overflow; a run's sum is at most
             * look-back days of them, kept exact while it fits. */
            if (__builtin_add_overflow(obs_amount, num[d], &obs_amount))
                obs_amount = num[d] > 0 ? INT64_MAX : INT64_MIN;
            exp += expected[d] * INK_MONEY_SCALE;
        } else {
            obs += (double)num[d];
            exp += expected[d];
        }
    }
    if (rate) {
        m->deviation = obs - exp;
        m->observed = den_sum > 0 ? obs / den_sum : NAN;
        m->expected = den_sum > 0 ? exp / den_sum : NAN;
    } else if (amount) {
        double rounded = nearbyint(exp);
        m->expected_amount = fabs(rounded) < 9.2e18 ? (int64_t)rounded : 0;
        m->observed_amount = obs_amount;
        m->deviation = (double)obs_amount - exp;
        m->observed = (double)obs_amount / INK_MONEY_SCALE;
        m->expected = (double)m->expected_amount / INK_MONEY_SCALE;
    } else {
        m->observed = obs;
        m->expected = exp;
        m->deviation = obs - exp;
    }
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static ink_status check_options(const ink_portfolio *p,
                                const ink_alerts_options *opt, alerts_ctx *c,
                                ink_alerts_report *r, ink_error *err)
{
    uint32_t lookback = opt->lookback ? opt->lookback : DEFAULT_LOOKBACK;
    if (lookback < MIN_LOOKBACK || lookback > INK_ALERTS_MAX_DAYS)
        return ink__error_set(
            err, INK_USAGE, NULL, "lookback: expected %d to %d days, got %u",
            MIN_LOOKBACK, INK_ALERTS_MAX_DAYS, (unsigned)lookback);
    uint32_t days = opt->days ? opt->days : DEFAULT_DAYS;
    if (days > lookback)
        return ink__error_set(err, INK_USAGE, NULL,
                              "days: expected 1 to %u (the look-back), got %u",
                              (unsigned)lookback, (unsigned)days);
    double threshold = opt->threshold;
    if (threshold == 0)
        threshold = INK_ANOMALY_ALERT;
    if (!(threshold > 0 && threshold <= 1))
        return ink__error_set(err, INK_USAGE, NULL,
                              "threshold: expected a number in (0, 1], got %g",
                              threshold);
    r->lookback = lookback;
    r->days = days;
    r->threshold = threshold;
    r->min_events = opt->min_events ? opt->min_events : DEFAULT_MIN_EVENTS;
    r->as_of = opt->as_of != INK_DATE_NONE ? opt->as_of
               : p->latest_date != INK_DATE_NONE
                   ? p->latest_date
                   : (int32_t)(time(NULL) / 86400);
    r->first = r->as_of - (int32_t)lookback + 1;
    r->report_from = r->as_of - (int32_t)days + 1;

    c->p = p;
    c->cs = ink_portfolio_cases(p);
    c->ps = ink_portfolio_payments(p);
    c->ct = ink_portfolio_contacts(p);
    c->as_of = r->as_of;
    c->first = r->first;
    c->days = lookback;
    c->min_events = r->min_events;
    c->threshold = threshold;
    ink_anomaly_options_init(&c->detector);
    c->detector.period = 7;
    c->detector.threshold = threshold;
    return INK_OK;
}

/* The dimensions: as given, or the default ones the data has. */
static ink_status resolve_dims(const ink_alerts_options *opt, alerts_ctx *c,
                               ink_alerts_report *r, ink_error *err)
{
    const char *names[INK_ALERTS_MAX_DIMS];
    size_t count = 0;
    if (opt->by_count > INK_ALERTS_MAX_DIMS)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--by: at most %d dimensions",
                              INK_ALERTS_MAX_DIMS);
    if (opt->by_count) {
        for (size_t k = 0; k < opt->by_count; k++)
            names[count++] = opt->by[k];
    } else {
        const ink_cases *cs = c->cs;
        names[count++] = "segment";
        const ink_text_column *cols[] = {&cs->sector, &cs->region,
                                         &cs->risk_class, &cs->handler};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++)
            if (cols[k]->present)
                names[count++] = cols[k]->name;
    }
    ink_kpi_options kopt;
    ink_kpi_options_init(&kopt);
    kopt.by = names;
    kopt.by_count = count;
    ink_status st = ink__kpi_dims_resolve(c->p, &kopt, c->as_of, c->dims, err);
    if (st != INK_OK)
        return st;
    c->dim_count = count;
    c->dim_names = r->dim_names;
    uint64_t cells = 0;
    for (size_t k = 0; k < count; k++) {
        r->dim_names[k] = strdup(names[k]);
        if (!r->dim_names[k])
            return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        r->dim_count = k + 1;
        if (c->dims[k].cardinality > INK_ALERTS_MAX_VALUES + 1)
            return ink__error_set(
                err, INK_LIMIT, NULL,
                "--by: dimension \"%s\" has %llu values; the drill-down "
                "takes at most %d",
                names[k], (unsigned long long)(c->dims[k].cardinality - 1),
                INK_ALERTS_MAX_VALUES);
        cells += c->dims[k].cardinality;
    }
    if (cells * c->days > ALERTS_MAX_CELLS)
        return ink__error_set(err, INK_LIMIT, NULL,
                              "--by: the drill-down of %llu values over %zu "
                              "days is too large; name fewer dimensions or "
                              "shorten the look-back",
                              (unsigned long long)cells, c->days);
    return INK_OK;
}

/* ------------------------------------------------------------------ */
/* The series: one pass over cases, payments and contacts              */

typedef struct series_set {
    size_t currencies, channels; /* dictionary sizes (code 0 included) */
    size_t count;
    int64_t *num, *den; /* count x days each */
} series_set;

/* Slot of each series: collected and placed per currency, response per
 * channel, one each for the rest. */
static size_t slot_of(const series_set *s, ink_alert_series kind, size_t sub)
{
    switch (kind) {
    case INK_ALERT_COLLECTED_AMOUNT:
        return sub;
    case INK_ALERT_PLACED_AMOUNT:
        return s->currencies + sub;
    case INK_ALERT_RESPONSE_RATE:
        return 2 * s->currencies + sub;
    default:
        return 2 * s->currencies + s->channels + (size_t)kind;
    }
}

static int add_to(int64_t *cell, int64_t v)
{
    return !__builtin_add_overflow(*cell, v, cell);
}

static ink_status build_series(const alerts_ctx *c, series_set *s,
                               ink_error *err)
{
    const ink_cases *cs = c->cs;
    const ink_payments *ps = c->ps;
    const ink_contacts *ct = c->ct;
    s->currencies = ink_dict_count(cs->currency.values);
    s->channels = ink_dict_count(ct->channel.values);
    if (s->currencies < 1)
        s->currencies = 1;
    if (s->channels < 1)
        s->channels = 1;
    if (s->currencies > INK_ALERTS_MAX_VALUES ||
        s->channels > INK_ALERTS_MAX_VALUES)
        return ink__error_set(err, INK_LIMIT, NULL,
                              "alerts: at most %d currencies and %d channels",
                              INK_ALERTS_MAX_VALUES, INK_ALERTS_MAX_VALUES);
    s->count = 2 * s->currencies + s->channels + INK_ALERT_SERIES_COUNT;
    size_t cells = s->count * c->days;
    s->num = ink__calloc_array(cells, sizeof *s->num);
    s->den = ink__calloc_array(cells, sizeof *s->den);
    if (!s->num || !s->den)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    const size_t L = c->days;
    const int32_t first = c->first, last = c->as_of;
    int overflow = 0;
#define CELL(arr, kind, sub, d) (arr)[slot_of(s, (kind), (sub)) * L + (d)]
    for (size_t i = 0; i < cs->count; i++) {
        int32_t opened = cs->opened_on[i];
        if (opened >= first && opened <= last) {
            size_t d = (size_t)(opened - first);
            uint32_t cur = cs->currency.codes[i];
            CELL(s->num, INK_ALERT_PLACEMENTS, 0, d)++;
            overflow |= !add_to(&CELL(s->num, INK_ALERT_PLACED_AMOUNT, cur, d),
                                cs->amount[i]);
        }
        int32_t closed = cs->closed_on[i];
        if (closed >= first && closed <= last &&
            ink__kpi_resolved(cs, i, closed))
            CELL(s->num, INK_ALERT_RESOLVED, 0, (size_t)(closed - first))++;
    }
    for (size_t k = 0; k < ps->count; k++) {
        int32_t paid = ps->paid_on[k];
        if (paid < first || paid > last)
            continue;
        size_t d = (size_t)(paid - first);
        uint32_t cur = cs->currency.codes[ps->case_index[k]];
        overflow |= !add_to(&CELL(s->num, INK_ALERT_COLLECTED_AMOUNT, cur, d),
                            ps->amount[k]);
        if (ps->amount[k] > 0)
            CELL(s->num, INK_ALERT_PAYMENTS, 0, d)++;
    }
    for (size_t k = 0; k < ct->count; k++) {
        int32_t date = ct->date[k];
        if (date < first || date > last ||
            ct->direction[k] != INK_DIRECTION_OUT)
            continue;
        size_t d = (size_t)(date - first);
        uint8_t outcome = ct->outcome[k];
        uint32_t channel = ct->channel.codes[k];
        CELL(s->num, INK_ALERT_OUTBOUND, 0, d)++;
        CELL(s->den, INK_ALERT_VALID_CONTACT_RATE, 0, d)++;
        if (outcome == INK_OUTCOME_INVALID)
            continue;
        CELL(s->num, INK_ALERT_VALID_CONTACT_RATE, 0, d)++;
        CELL(s->den, INK_ALERT_RESPONSE_RATE, channel, d)++;
        if (outcome == INK_OUTCOME_RESPONDED)
            CELL(s->num, INK_ALERT_RESPONSE_RATE, channel, d)++;
    }
#undef CELL
    if (overflow)
        return ink__error_set(err, INK_LIMIT, NULL,
                              "a day's amount sum passes "
                              "922337203685477.5807");
    return INK_OK;
}

/* ------------------------------------------------------------------ */
/* Alerts                                                              */

static void alert_free(ink_alert *a)
{
    if (!a)
        return;
    for (size_t k = 0; k < a->dimension_count; k++) {
        const ink_alert_dimension *dim = &a->dimensions[k];
        for (size_t v = 0; v < dim->driver_count; v++)
            free((char *)dim->drivers[v].value);
        free((ink_alert_driver *)dim->drivers);
    }
    free((ink_alert_dimension *)a->dimensions);
    free((char *)a->currency);
    free((char *)a->channel);
    free(a);
}

static int report_add(ink_alerts_report *r, ink_alert *a)
{
    void *p = r->alerts;
    if (!ink__reserve(&p, &r->cap, r->count + 1, sizeof *r->alerts))
        return 0;
    r->alerts = p;
    r->alerts[r->count++] = a;
    return 1;
}

/* A new alert of series s for run [since, until] (look-back indexes). */
static ink_alert *make_alert(const alerts_ctx *c, const alerts_series *s,
                             const double *values, const double *expected,
                             const double *scores, size_t since, size_t until,
                             alerts_run *run)
{
    ink_alert *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->series = s->kind;
    const char *sub = NULL;
    if (ink__alerts_is_amount(s->kind))
        sub = ink_dict_get(c->cs->currency.values, s->sub, NULL);
    else if (s->kind == INK_ALERT_RESPONSE_RATE)
        sub = ink_dict_get(c->ct->channel.values, s->sub, NULL);
    if (sub) {
        char *copy = strdup(sub);
        if (!copy) {
            free(a);
            return NULL;
        }
        if (s->kind == INK_ALERT_RESPONSE_RATE)
            a->channel = copy;
        else
            a->currency = copy;
    }
    a->since = c->first + (int32_t)since;
    a->until = c->first + (int32_t)until;
    alerts_measure m;
    ink__alerts_measure(s->kind, s->num, s->den, values, expected, since, until,
                        &m);
    a->days = m.days;
    a->observed = m.observed;
    a->expected = m.expected;
    a->change = m.observed - m.expected;
    a->change_pct = m.expected != 0 ? a->change / m.expected : NAN;
    a->is_amount = ink__alerts_is_amount(s->kind);
    a->observed_amount = m.observed_amount;
    a->expected_amount = m.expected_amount;
    a->change_amount = m.observed_amount - m.expected_amount;
    a->direction = m.deviation >= 0 ? 1 : -1;
    for (size_t d = since; d <= until; d++)
        if (isfinite(values[d]) && scores[d] > a->score)
            a->score = scores[d];
    run->since = since;
    run->until = until;
    run->deviation = m.deviation;
    run->values = values;
    run->expected = expected;
    return a;
}

/* Scratch of one series' detection. */
typedef struct detect_buf {
    double *values, *scores, *expected;
    signed char *flags; /* per day: DAY_* or the direction, 1 or -1 */
    ink_alert **found;
    alerts_run *runs;
    size_t found_cap;
} detect_buf;

enum { DAY_NORMAL = 0, DAY_NEUTRAL = 2 };

/*
 * Classifies each day of the scored series: anomalous up (1) or down
 * (-1), normal, or neutral: missing, or quiet (nothing expected and
 * nothing happened, a Sunday), which neither breaks nor extends a run.
 * A day is anomalous when its score reaches the threshold and its own
 * deviation has the sign of the mean of the detector's last `smooth`
 * deviations: the detector's level-shift test keeps a one-day spike in
 * that mean for the next smooth - 1 days, and a day that itself moved
 * the other way is not part of it.
 */
static void classify(const alerts_ctx *c, detect_buf *b)
{
    const size_t smooth = c->detector.smooth;
    double recent[16];
    size_t kept = 0, next = 0;
    const size_t cap = smooth < 16 ? smooth : 16;
    for (size_t d = 0; d < c->days; d++) {
        double v = b->values[d], e = b->expected[d];
        if (!isfinite(v)) {
            b->flags[d] = DAY_NEUTRAL;
            continue;
        }
        if (!isfinite(e)) { /* no baseline yet: the detector learns */
            b->flags[d] = DAY_NORMAL;
            continue;
        }
        /* The detector keeps this deviation too (0 on a quiet day). */
        recent[next] = v - e;
        next = (next + 1) % cap;
        kept += kept < cap;
        if (v == 0 && e == 0) {
            b->flags[d] = DAY_NEUTRAL;
            continue;
        }
        double mean = 0;
        for (size_t i = 0; i < kept; i++)
            mean += recent[i];
        int own = v > e ? 1 : v < e ? -1 : 0;
        int shift = mean > 0 ? 1 : mean < 0 ? -1 : 0;
        b->flags[d] = b->scores[d] >= c->threshold && own != 0 && own == shift
                          ? (signed char)own
                          : DAY_NORMAL;
    }
}

/*
 * Runs the detector on series s and adds an alert per anomalous run that
 * reaches into the reported days. A run is a sequence of flagged days
 * (score >= threshold) deviating in one direction; missing days inside
 * it do not break it, a day with a value that is not flagged does.
 */
static ink_status detect(const alerts_ctx *c, const alerts_series *s,
                         detect_buf *b, ink_alerts_report *r, ink_error *err)
{
    const size_t L = c->days;
    int any = 0;
    for (size_t d = 0; d < L; d++) {
        b->values[d] = ink__alerts_value(s->kind, s->num[d],
                                         s->den ? s->den[d] : 0, c->min_events);
        any |= s->num[d] != 0 || (s->den && s->den[d] != 0);
    }
    if (!any)
        return INK_OK; /* nothing happened in this series: not checked */
    r->series_checked++;
    ink_status st = ink_anomaly_scores(&c->detector, b->values, L, b->scores,
                                       b->expected, err);
    if (st != INK_OK)
        return st;
    const size_t report_from = (size_t)(r->report_from - c->first);
    classify(c, b);
    size_t found = 0;
    size_t d = 0;
    while (d < L) {
        if (b->flags[d] != 1 && b->flags[d] != -1) {
            d++;
            continue;
        }
        int dir = b->flags[d];
        size_t since = d, until = d;
        for (d++; d < L; d++) {
            if (b->flags[d] == DAY_NEUTRAL)
                continue;
            if (b->flags[d] != dir)
                break;
            until = d;
        }
        if (until < report_from)
            continue;
        void *p = b->found;
        size_t cap = b->found_cap;
        if (!ink__reserve(&p, &cap, found + 1, sizeof *b->found))
            goto nomem;
        b->found = p;
        p = b->runs;
        if (!ink__reserve(&p, &b->found_cap, found + 1, sizeof *b->runs))
            goto nomem;
        b->runs = p;
        ink_alert *a = make_alert(c, s, b->values, b->expected, b->scores,
                                  since, until, &b->runs[found]);
        if (!a)
            goto nomem;
        if (!report_add(r, a)) {
            alert_free(a);
            goto nomem;
        }
        b->found[found++] = a;
    }
    if (found && c->dim_count)
        return ink__alerts_drill(c, s, b->found, b->runs, found, err);
    return INK_OK;
nomem:
    return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
}

/* Highest score first; then series, currency or channel, since. */
static int by_score(const void *x, const void *y)
{
    const ink_alert *a = *(ink_alert *const *)x, *b = *(ink_alert *const *)y;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->series != b->series)
        return a->series < b->series ? -1 : 1;
    const char *u = a->currency ? a->currency : a->channel;
    const char *v = b->currency ? b->currency : b->channel;
    int cmp = strcmp(u ? u : "", v ? v : "");
    if (cmp)
        return cmp;
    return (a->since > b->since) - (a->since < b->since);
}

ink_status ink_alerts_compute(const ink_portfolio *p,
                              const ink_alerts_options *opt,
                              ink_alerts_report **out, ink_error *err)
{
    ink_alerts_options defaults;
    if (!opt) {
        ink_alerts_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    alerts_ctx c;
    memset(&c, 0, sizeof c);
    series_set set;
    memset(&set, 0, sizeof set);
    detect_buf b;
    memset(&b, 0, sizeof b);
    ink_alerts_report *r = calloc(1, sizeof *r);
    if (!r)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    ink_status st = check_options(p, opt, &c, r, err);
    if (st == INK_OK)
        st = resolve_dims(opt, &c, r, err);
    if (st == INK_OK)
        st = build_series(&c, &set, err);
    if (st != INK_OK)
        goto done;
    b.values = ink__alloc_array(c.days, sizeof *b.values);
    b.scores = ink__alloc_array(c.days, sizeof *b.scores);
    b.expected = ink__alloc_array(c.days, sizeof *b.expected);
    b.flags = ink__alloc_array(c.days, sizeof *b.flags);
    if (!b.values || !b.scores || !b.expected || !b.flags) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (int kind = 0; kind < INK_ALERT_SERIES_COUNT && st == INK_OK; kind++) {
        size_t subs = ink__alerts_is_amount(kind)       ? set.currencies
                      : kind == INK_ALERT_RESPONSE_RATE ? set.channels
                                                        : 1;
        for (size_t sub = 0; sub < subs && st == INK_OK; sub++) {
            size_t slot = slot_of(&set, kind, sub);
            alerts_series s = {
                kind, (uint32_t)sub, set.num + slot * c.days,
                ink__alerts_is_rate(kind) ? set.den + slot * c.days : NULL};
            st = detect(&c, &s, &b, r, err);
        }
    }
    if (st == INK_OK && r->count > 1)
        qsort(r->alerts, r->count, sizeof *r->alerts, by_score);
done:
    free(b.values);
    free(b.scores);
    free(b.expected);
    free(b.flags);
    free(b.found);
    free(b.runs);
    free(set.num);
    free(set.den);
    ink__kpi_dims_cleanup(c.dims, c.dim_count);
    if (st != INK_OK) {
        ink_alerts_report_free(r);
        return st;
    }
    *out = r;
    return INK_OK;
}

void ink_alerts_report_free(ink_alerts_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        alert_free(r->alerts[i]);
    free(r->alerts);
    for (size_t k = 0; k < r->dim_count; k++)
        free(r->dim_names[k]);
    free(r);
}

/* ------------------------------------------------------------------ */
/* Accessors                                                           */

int32_t ink_alerts_as_of(const ink_alerts_report *r)
{
    return r->as_of;
}

int32_t ink_alerts_first_day(const ink_alerts_report *r)
{
    return r->first;
}

int32_t ink_alerts_report_from(const ink_alerts_report *r)
{
    return r->report_from;
}

uint32_t ink_alerts_lookback(const ink_alerts_report *r)
{
    return r->lookback;
}

uint32_t ink_alerts_days(const ink_alerts_report *r)
{
    return r->days;
}

double ink_alerts_threshold(const ink_alerts_report *r)
{
    return r->threshold;
}

uint32_t ink_alerts_min_events(const ink_alerts_report *r)
{
    return r->min_events;
}

size_t ink_alerts_dim_count(const ink_alerts_report *r)
{
    return r->dim_count;
}

const char *ink_alerts_dim_name(const ink_alerts_report *r, size_t i)
{
    return i < r->dim_count ? r->dim_names[i] : NULL;
}

size_t ink_alerts_series_checked(const ink_alerts_report *r)
{
    return r->series_checked;
}

size_t ink_alerts_count(const ink_alerts_report *r)
{
    return r->count;
}

const ink_alert *ink_alerts_get(const ink_alerts_report *r, size_t i)
{
    return i < r->count ? r->alerts[i] : NULL;
}
