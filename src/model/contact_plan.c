/* The best contact channel and time: response rates by segment x channel
 * x weekday x time slot, each shrunk towards its segment's channel rate
 * (a beta-binomial posterior mean with prior_strength pseudo-attempts at
 * that rate; Gelman et al., Bayesian Data Analysis, 3rd ed., 5.3), and
 * per open case the channel and slot with the highest shrunk rate. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_write.h"
#include "core/json.h"
#include "core/error.h"
#include "inkasso/units.h"
#include "core/mem.h"
#include "model/model_impl.h"

#define SEGMENTS 3 /* ink_segment: none, B2C, B2B */
#define WEEKDAYS 7
#define FIRST_HOUR 6 /* slots are 3 hours from 06:00 */

typedef struct cell {
    double attempts, responses;
} cell;

struct ink_contact_plan {
    int32_t as_of;
    double prior_strength;
    size_t channels; /* channel codes 1..channels */
    const ink_dict *channel_names;
    cell cells[SEGMENTS][INK_PLAN_MAX_CHANNELS][WEEKDAYS][INK_PLAN_SLOTS];
    cell totals[SEGMENTS][INK_PLAN_MAX_CHANNELS];
    int64_t cost[INK_PLAN_MAX_CHANNELS]; /* mean, INK_MONEY_NONE unknown */
    /* Per segment and channel: the best cell. */
    int best_day[SEGMENTS][INK_PLAN_MAX_CHANNELS];
    int best_slot[SEGMENTS][INK_PLAN_MAX_CHANNELS];
    double best_rate[SEGMENTS][INK_PLAN_MAX_CHANNELS];
    size_t count;
    ink_plan_entry *entries;
    uint32_t *by_case; /* cases: entry index, UINT32_MAX none */
    size_t case_count;
};

static const char *const weekday_names[WEEKDAYS] = {
    "Monday", "Tuesday",  "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday"};

void ink_plan_options_init(ink_plan_options *opt)
{
    opt->as_of = INK_DATE_NONE;
    opt->prior_strength = 50;
}

void ink_contact_plan_free(ink_contact_plan *plan)
{
    if (!plan)
        return;
    free(plan->entries);
    free(plan->by_case);
    free(plan);
}

int32_t ink_contact_plan_as_of(const ink_contact_plan *plan)
{
    return plan->as_of;
}

size_t ink_contact_plan_count(const ink_contact_plan *plan)
{
    return plan->count;
}

const ink_plan_entry *ink_contact_plan_entry(const ink_contact_plan *plan,
                                             size_t i)
{
    return i < plan->count ? &plan->entries[i] : NULL;
}

const ink_plan_entry *ink_contact_plan_find(const ink_contact_plan *plan,
                                            uint32_t case_index)
{
    if (case_index >= plan->case_count ||
        plan->by_case[case_index] == UINT32_MAX)
        return NULL;
    return &plan->entries[plan->by_case[case_index]];
}

static double segment_rate(const ink_contact_plan *plan, int seg, size_t ch)
{
    const cell *t = &plan->totals[seg][ch];
    /* Half a pseudo-response in one pseudo-attempt keeps a channel never
     * answered above zero (Jeffreys' prior, Beta(1/2, 1/2)). */
    return (t->responses + 0.5) / (t->attempts + 1.0);
}

static double shrunk(const ink_contact_plan *plan, int seg, size_t ch, int day,
                     int slot)
{
    const cell *c = &plan->cells[seg][ch][day][slot];
    double k = plan->prior_strength;
    return (c->responses + k * segment_rate(plan, seg, ch)) / (c->attempts + k);
}

ink_status ink_contact_plan_build(const ink_portfolio *p,
                                  const ink_plan_options *opt,
                                  ink_contact_plan **out, ink_error *err)
{
    ink_plan_options defaults;
    if (!opt) {
        ink_plan_options_init(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    if (!(opt->prior_strength >= 0) || opt->prior_strength > 1e9)
        return ink__error_set(err, INK_USAGE, NULL,
                              "prior strength: expected 0 to 1e9");
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    ink_contact_plan *plan = calloc(1, sizeof *plan);
    if (!plan)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    plan->as_of =
        opt->as_of != INK_DATE_NONE ? opt->as_of : ink__portfolio_latest(p);
    plan->prior_strength = opt->prior_strength;
    plan->channel_names = ct->channel.values;
    size_t names = ink_dict_count(ct->channel.values);
    plan->channels = names > 1 ? names - 1 : 0;
    if (plan->channels > INK_PLAN_MAX_CHANNELS)
        plan->channels = INK_PLAN_MAX_CHANNELS; /* the rest is not planned */
    int64_t cost_sum[INK_PLAN_MAX_CHANNELS] = {0};
    int64_t cost_n[INK_PLAN_MAX_CHANNELS] = {0};
    for (size_t j = 0; j < ct->count; j++) {
        if (ct->direction[j] != INK_DIRECTION_OUT || ct->date[j] > plan->as_of)
            continue;
        uint32_t code = ct->channel.codes ? ct->channel.codes[j] : 0;
        if (code == 0 || code > plan->channels)
            continue;
        size_t ch = code - 1;
        int seg = cs->segment[ct->case_index[j]];
        if (ct->cost[j] != INK_MONEY_NONE) {
            cost_sum[ch] += ct->cost[j];
            cost_n[ch]++;
        }
        /* An invalid address says nothing about the hour. */
        if (ct->outcome[j] == INK_OUTCOME_INVALID)
            continue;
        double responded = ct->outcome[j] == INK_OUTCOME_RESPONDED;
        plan->totals[seg][ch].attempts++;
        plan->totals[seg][ch].responses += responded;
        int hour = ct->seconds[j] / 3600;
        if (hour < FIRST_HOUR)
            continue;
        int slot = (hour - FIRST_HOUR) / 3;
        int day = ink_weekday(ct->date[j]);
        plan->cells[seg][ch][day][slot].attempts++;
        plan->cells[seg][ch][day][slot].responses += responded;
    }
    for (size_t ch = 0; ch < plan->channels; ch++)
        plan->cost[ch] =
            cost_n[ch] ? cost_sum[ch] / cost_n[ch] : INK_MONEY_NONE;
    for (int seg = 0; seg < SEGMENTS; seg++)
        for (size_t ch = 0; ch < plan->channels; ch++) {
            plan->best_rate[seg][ch] = -1;
            for (int day = 0; day < WEEKDAYS; day++)
                for (int slot = 0; slot < INK_PLAN_SLOTS; slot++) {
                    if (plan->cells[seg][ch][day][slot].attempts == 0)
                        continue; /* never tried: no evidence for it */
                    double r = shrunk(plan, seg, ch, day, slot);
                    if (r > plan->best_rate[seg][ch]) {
                        plan->best_rate[seg][ch] = r;
                        plan->best_day[seg][ch] = day;
                        plan->best_slot[seg][ch] = slot;
                    }
                }
        }

    plan->case_count = cs->count;
    plan->by_case = ink__alloc_array(cs->count, sizeof *plan->by_case);
    size_t open = 0;
    for (size_t c = 0; c < cs->count; c++)
        open += ink__case_open(cs, c, plan->as_of);
    plan->entries = ink__alloc_array(open, sizeof *plan->entries);
    if (!plan->by_case || !plan->entries) {
        ink_contact_plan_free(plan);
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    }
    for (size_t c = 0; c < cs->count; c++) {
        plan->by_case[c] = UINT32_MAX;
        if (!ink__case_open(cs, c, plan->as_of))
            continue;
        /* Channels whose latest attempt on this case was invalid. */
        uint8_t invalid[INK_PLAN_MAX_CHANNELS] = {0};
        for (uint32_t j = ct->case_offset[c]; j < ct->case_offset[c + 1]; j++) {
            uint32_t code = ct->channel.codes ? ct->channel.codes[j] : 0;
            if (ct->date[j] > plan->as_of || code == 0 || code > plan->channels)
                continue;
            if (ct->direction[j] == INK_DIRECTION_OUT)
                invalid[code - 1] = ct->outcome[j] == INK_OUTCOME_INVALID;
            else
                invalid[code - 1] = 0; /* they used it to reach us */
        }
        int seg = cs->segment[c];
        ink_plan_entry e = {(uint32_t)c, NULL, 0, 0, 0, 0, INK_MONEY_NONE};
        double best = -1;
        for (size_t ch = 0; ch < plan->channels; ch++) {
            double r = plan->best_rate[seg][ch];
            if (invalid[ch] || r < 0)
                continue;
            int64_t cost = plan->cost[ch];
            if (r > best || (r == best && cost != INK_MONEY_NONE &&
                             (e.cost == INK_MONEY_NONE || cost < e.cost))) {
                best = r;
                e.channel =
                    ink_dict_get(plan->channel_names, (uint32_t)ch + 1, NULL);
                e.weekday = plan->best_day[seg][ch];
                e.hour_from = FIRST_HOUR + 3 * plan->best_slot[seg][ch];
                e.hour_to = e.hour_from + 3;
                e.response_rate = r;
                e.cost = cost;
            }
        }
        plan->by_case[c] = (uint32_t)plan->count;
        plan->entries[plan->count++] = e;
    }
    *out = plan;
    return INK_OK;
}

const char *ink__weekday_name(int day)
{
    return day >= 0 && day < WEEKDAYS ? weekday_names[day] : "";
}

ink_status ink_contact_plan_write_json(const ink_contact_plan *plan,
                                       const ink_portfolio *p, size_t limit,
                                       FILE *out)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    char date[INK_DATE_TEXT_MAX], money[32];
    ink_format_date(plan->as_of, date, sizeof date);
    fprintf(out, "{\"as_of\": \"%s\", \"prior_strength\": %.17g, \"rates\": [",
            date, plan->prior_strength);
    int first = 1;
    for (int seg = 0; seg < SEGMENTS; seg++)
        for (size_t ch = 0; ch < plan->channels; ch++)
            for (int day = 0; day < WEEKDAYS; day++)
                for (int slot = 0; slot < INK_PLAN_SLOTS; slot++) {
                    const cell *c = &plan->cells[seg][ch][day][slot];
                    if (c->attempts == 0)
                        continue;
                    fprintf(out, "%s\n  {\"segment\": ", first ? "" : ",");
                    ink__json_write_string(out, ink_segment_name(seg));
                    fputs(", \"channel\": ", out);
                    ink__json_write_string(
                        out, ink_dict_get(plan->channel_names, (uint32_t)ch + 1,
                                          NULL));
                    fprintf(out,
                            ", \"weekday\": \"%s\", \"hours\": "
                            "\"%02d-%02d\", \"attempts\": %.0f, "
                            "\"responses\": %.0f, \"raw_rate\": %.6f, "
                            "\"rate\": %.6f, \"segment_rate\": %.6f}",
                            weekday_names[day], FIRST_HOUR + 3 * slot,
                            FIRST_HOUR + 3 * slot + 3, c->attempts,
                            c->responses, c->responses / c->attempts,
                            shrunk(plan, seg, ch, day, slot),
                            segment_rate(plan, seg, ch));
                    first = 0;
                }
    fprintf(out, "%s], \"case_count\": %zu, \"cases\": [", first ? "" : "\n",
            plan->count);
    size_t n = limit && limit < plan->count ? limit : plan->count;
    for (size_t i = 0; i < n; i++) {
        const ink_plan_entry *e = &plan->entries[i];
        fprintf(out, "%s\n  {\"case_id\": ", i ? "," : "");
        ink__json_write_string(out,
                               ink_dict_get(cs->ids, e->case_index + 1, NULL));
        fputs(", \"channel\": ", out);
        ink__json_write_string(out, e->channel);
        if (e->channel) {
            fprintf(out,
                    ", \"weekday\": \"%s\", \"hours\": \"%02d-%02d\", "
                    "\"response_rate\": %.6f, \"cost\": ",
                    weekday_names[e->weekday], e->hour_from, e->hour_to,
                    e->response_rate);
            if (e->cost == INK_MONEY_NONE)
                fputs("null", out);
            else {
                ink_format_money(e->cost, money, sizeof money);
                fputs(money, out);
            }
        }
        fputc('}', out);
    }
    fprintf(out, "%s]}\n", n ? "\n" : "");
    return ferror(out) ? INK_IO : INK_OK;
}

ink_status ink_contact_plan_write_csv(const ink_contact_plan *plan,
                                      const ink_portfolio *p, FILE *out)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    char money[32];
    fputs("case_id,channel,weekday,hours,response_rate,cost\n", out);
    for (size_t i = 0; i < plan->count; i++) {
        const ink_plan_entry *e = &plan->entries[i];
        ink__csv_write_field(out,
                             ink_dict_get(cs->ids, e->case_index + 1, NULL));
        if (!e->channel) {
            fputs(",,,,,\n", out);
            continue;
        }
        fputc(',', out);
        ink__csv_write_field(out, e->channel);
        if (e->cost != INK_MONEY_NONE)
            ink_format_money(e->cost, money, sizeof money);
        else
            money[0] = '\0';
        fprintf(out, ",%s,%02d-%02d,%.6f,%s\n", weekday_names[e->weekday],
                e->hour_from, e->hour_to, e->response_rate, money);
    }
    return ferror(out) ? INK_IO : INK_OK;
}
