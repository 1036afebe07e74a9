/* Attribution: the published ChannelAttribution tables, hand-computed
 * fixtures (tests/data/attribution_small/DERIVATION.md), every error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "helpers.h"
#include "inkasso/attribution.h"

#define CHECK_NEAR(got, want, tol)                                             \
    do {                                                                       \
        double got_ = (got), want_ = (want);                                   \
        check_count++;                                                         \
        if (!(fabs(got_ - want_) <= (tol))) {                                  \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s is %.10f, expected %.10f\n", __FILE__,  \
                    __LINE__, #got, got_, want_);                              \
        }                                                                      \
    } while (0)

/* The row of (group, model, channel); NULL when absent. */
static const ink_attr_row *row_of(const ink_attr_result *r, size_t group,
                                  int model, const char *channel)
{
    for (size_t i = 0; i < ink_attr_row_count(r); i++) {
        const ink_attr_row *row = ink_attr_row_at(r, i);
        if (row->group == group && row->model == model &&
            strcmp(row->channel, channel) == 0)
            return row;
    }
    return NULL;
}

static double conv_of(const ink_attr_result *r, size_t g, int m, const char *ch)
{
    const ink_attr_row *row = row_of(r, g, m, ch);
    return row ? row->conversions : NAN;
}

static double value_of(const ink_attr_result *r, size_t g, int m,
                       const char *ch)
{
    const ink_attr_row *row = row_of(r, g, m, ch);
    return row ? row->value : NAN;
}

static ink_attr_result *run_text(const char *text, const ink_attr_options *o)
{
    ink_attr_paths *p = NULL;
    ink_attr_result *r = NULL;
    ink_error err;
    if (ink_attr_paths_parse(text, strlen(text), "t.csv", &p, &err) != INK_OK) {
        fprintf(stderr, "parse: %s\n", err.message);
        return NULL;
    }
    if (ink_attr_compute(p, o, &r, &err) != INK_OK)
        fprintf(stderr, "compute: %s\n", err.message);
    ink_attr_paths_free(p);
    return r;
}

/* ---- The published table of ChannelAttribution's Data.csv ---------- */

static const char *const ca_channels[12] = {
    "eta",   "iota", "alpha",   "beta",  "theta", "lambda",
    "kappa", "zeta", "epsilon", "gamma", "delta", "mi"};
static const double ca_first_conv[12] = {3164, 4606, 6308, 2831, 1606, 902,
                                         74,   27,   99,   165,  1,    2};
static const double ca_first_value[12] = {
    11909.4762, 19597.2613, 19121.2724, 12235.5917, 6652.3493, 3735.6022,
    305.7432,   103.0040,   412.3012,   718.9780,   6.1190,    5.2730};
static const double ca_last_conv[12] = {4167, 3355, 8447, 989, 653, 1207,
                                        230,  107,  531,  92,  5,   2};
/* Printed cells; the rest (epsilon..mi) from SOURCES.md's recomputation. */
static const double ca_last_value[12] = {
    16754.2038, 13487.9743, 28414.2143, 3850.0210, 2799.0920, 5249.9500,
    1069.3843,  453.2608,   2202.612,   506.014,   10.972,    5.273};
static const double ca_linear_conv[8] = {3539.951157, 3857.096221, 7574.718594,
                                         2083.500145, 1022.801394, 1035.257572,
                                         137.964078,  136.5515};
static const double ca_linear_value[12] = {
    13783.4971, 15988.9890, 24524.7096, 8954.2667, 4295.7436, 4430.3162,
    599.7478,   539.5288,   1106.2701,  569.4174,  4.4041,    6.0814};
/* Exact absorbing-chain values of SOURCES.md (2 decimals). */
static const double ca_markov_no_null[12] = {3347.77, 3899.25, 5260.07, 2585.41,
                                             1938.85, 1295.48, 276.65,  394.52,
                                             604.83,  176.03,  4.26,    1.89};
static const double ca_markov_null[12] = {3340.85, 3884.61, 5344.95, 2527.35,
                                          1971.91, 1282.85, 274.36,  381.06,
                                          599.57,  171.15,  4.61,    1.72};
static const double ca_removal[12] = {.349026, .405835, .558399, .264039,
                                      .206010, .134022, .028663, .039811,
                                      .062639, .017880, .000482, .000180};

static void test_channelattribution_data(void)
{
    const char *shared = getenv("INK_SHARED");
    char path[1024];
    snprintf(path, sizeof path, "%s/data/channelattribution_Data.csv",
             shared ? shared : "../shared");
    ink_attr_paths *p = NULL;
    ink_error err;
    ink_status st = ink_attr_paths_read(path, &p, &err);
    CHECK_INT(st, INK_OK);
    if (st != INK_OK) {
        fprintf(stderr, "%s: %s\n", path, err.message);
        return;
    }
    CHECK_INT(ink_attr_paths_count(p), 10000);
    CHECK_INT(ink_attr_paths_channel_count(p), 12);
    CHECK_STR(ink_attr_paths_channel(p, 0), "alpha");
    CHECK(ink_attr_paths_channel(p, 12) == NULL);
    ink_attr_options o;
    ink_attr_options_init(&o);
    ink_attr_result *r = NULL;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_OK);
    CHECK_INT(ink_attr_group_count(r), 1);
    CHECK_INT(ink_attr_dim_count(r), 0);
    CHECK_NEAR(ink_attr_group_conversions(r, 0), 19785, 0);
    CHECK_NEAR(ink_attr_group_value(r, 0), 74802.97158721, 1e-6);
    CHECK_INT(ink_attr_group_journeys(r, 0), 19785 + 68602);
    double sum_first = 0;
    for (int c = 0; c < 12; c++) {
        const char *ch = ca_channels[c];
        CHECK_NEAR(conv_of(r, 0, INK_ATTR_FIRST, ch), ca_first_conv[c], 1e-9);
        CHECK_NEAR(value_of(r, 0, INK_ATTR_FIRST, ch), ca_first_value[c],
                   0.00005);
        CHECK_NEAR(conv_of(r, 0, INK_ATTR_LAST, ch), ca_last_conv[c], 1e-9);
        CHECK_NEAR(value_of(r, 0, INK_ATTR_LAST, ch), ca_last_value[c],
                   c < 8 ? 0.00005 : 0.0005);
        if (c < 7)
            CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, ch), ca_linear_conv[c],
                       0.0000005);
        else if (c == 7)
            CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, ch), ca_linear_conv[c],
                       0.00005);
        CHECK_NEAR(value_of(r, 0, INK_ATTR_LINEAR, ch), ca_linear_value[c],
                   0.00005);
        CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, ch), ca_markov_null[c],
                   0.005);
        const ink_attr_row *row = row_of(r, 0, INK_ATTR_MARKOV, ch);
        CHECK(row && fabs(row->removal_effect - ca_removal[c]) <= 0.0000005);
        sum_first += value_of(r, 0, INK_ATTR_FIRST, ch);
    }
    CHECK_NEAR(sum_first, 74802.97158721, 1e-6);
    /* The published example row of the issue: alpha linear. */
    const ink_attr_row *alpha = row_of(r, 0, INK_ATTR_LINEAR, "alpha");
    CHECK(alpha && fabs(alpha->share - 7574.718594 / 19785) < 1e-9);
    /* Every model attributes all conversions. */
    for (int m = 0; m < INK_ATTR_MODEL_COUNT; m++) {
        double sum = 0;
        for (int c = 0; c < 12; c++)
            sum += conv_of(r, 0, m, ca_channels[c]);
        CHECK_NEAR(sum, 19785, 1e-6);
    }
    ink_attr_result_free(r);
    ink_attr_paths_free(p);

    /* Without var_null: the same file with its null column renamed away
     * (an unknown column is ignored). */
    size_t len;
    char *text = test_slurp(path, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    char *hit = strstr(text, "total_null");
    CHECK(hit != NULL && hit < strchr(text, '\n'));
    memcpy(hit, "xotal_null", 10);
    o.models = 1u << INK_ATTR_MARKOV;
    CHECK_INT(ink_attr_paths_parse(text, len, "Data.csv", &p, &err), INK_OK);
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_OK);
    CHECK_INT(ink_attr_row_count(r), 12);
    for (int c = 0; c < 12; c++)
        CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, ca_channels[c]),
                   ca_markov_no_null[c], 0.005);
    ink_attr_result_free(r);
    ink_attr_paths_free(p);
    free(text);
}

/* ---- Published toy fixtures ---------------------------------------- */

static void test_white_paper_toy(void)
{
    /* ChannelAttribution white paper: removal effects A 1, B 0.5;
     * attribution A 2, B 1. */
    ink_attr_options o;
    ink_attr_options_init(&o);
    o.models = 1u << INK_ATTR_MARKOV;
    ink_attr_result *r =
        run_text("path;total_conversions;total_conversion_value;total_null\n"
                 "A > B > A > B > B > A;1;1;0\nA > B > B > A > A;1;1;0\n"
                 "A > A;1;1;0\n",
                 &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "A"), 2, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "B"), 1, 1e-12);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "A")->removal_effect, 1, 1e-12);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "B")->removal_effect, 0.5, 1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_MARKOV, "A"), 2, 1e-12);
    ink_attr_result_free(r);
}

static void test_dp6_heuristics(void)
{
    /* DP6 Marketing-Attribution-Models tests/test_heuristics.py. */
    ink_attr_options o;
    ink_attr_options_init(&o);
    ink_attr_result *r = run_text("path;total_conversions\nA > B > C;1\n"
                                  "A > C;1\n",
                                  &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_FIRST, "A"), 2, 0);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LAST, "C"), 2, 0);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LAST, "A"), 0, 0);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, "A"), 5.0 / 6, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, "B"), 1.0 / 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, "C"), 5.0 / 6, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "A"), 0.9, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "B"), 0.2, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "C"), 0.9, 1e-12);
    /* Without a value column every value is 0. */
    CHECK_NEAR(value_of(r, 0, INK_ATTR_LINEAR, "A"), 0, 0);
    ink_attr_result_free(r);
    /* Time decay, half-life one step: A 0.25/1.75, B 0.5/1.75, C 1/1.75. */
    o.half_life = 1;
    o.models = 1u << INK_ATTR_TIME_DECAY;
    r = run_text("path;total_conversions\nA > B > C;1\n", &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_TIME_DECAY, "A"), 0.25 / 1.75, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_TIME_DECAY, "B"), 0.5 / 1.75, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_TIME_DECAY, "C"), 1 / 1.75, 1e-12);
    ink_attr_result_free(r);
    /* Position with other shares: 30/40 first/last, one touch all. */
    o.models = 1u << INK_ATTR_POSITION;
    o.position_first = 0.3;
    o.position_last = 0.4;
    r = run_text("path;total_conversions\nA > B > C > D;1\nA > B;1\nD;2\n", &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "A"), 0.3 + 3.0 / 7, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "B"), 0.15 + 4.0 / 7, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "C"), 0.15, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "D"), 2.4, 1e-12);
    ink_attr_result_free(r);
}

static void test_shapley(void)
{
    /* v(A) = 1/2, v(B) = 0, v(AB) = 3/6: phi A = 1/2, B = 0; times 6
     * journeys: A 3, B 0. Values: v(A) = 5/2, v(AB) = (5 + 40) / 6 = 7.5:
     * phi A = (2.5 + 7.5) / 2 = 5, B = (0 + 5) / 2 = 2.5; times 6: 30, 15. */
    ink_attr_options o;
    ink_attr_options_init(&o);
    o.models = 1u << INK_ATTR_SHAPLEY;
    ink_attr_result *r =
        run_text("path;total_conversions;total_conversion_value;total_null\n"
                 "A;1;5;1\nB;0;0;2\nA > B;2;40;0\n",
                 &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "A"), 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "B"), 0, 1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_SHAPLEY, "A"), 30, 1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_SHAPLEY, "B"), 15, 1e-12);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_SHAPLEY, "A")->std_error, 0, 0);
    ink_attr_result_free(r);

    /* 16 symmetric channels (sampled): each path one channel, 1 of 2
     * journeys converting. v(S) = 1/2 for every non-empty S, so the
     * exact values are 1/32 each (times 32 journeys: 1); every
     * permutation sums to v(all), so the sample sums exactly to 16. */
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text,
                                "path;total_conversions;"
                                "total_null\n");
    for (int c = 0; c < 16; c++)
        n += (size_t)snprintf(text + n, sizeof text - n, "c%02d;1;1\n", c);
    o.shapley_samples = 4000;
    r = run_text(text, &o);
    CHECK(r != NULL);
    if (!r)
        return;
    double sum = 0;
    int within = 1;
    for (size_t i = 0; i < ink_attr_row_count(r); i++) {
        const ink_attr_row *row = ink_attr_row_at(r, i);
        sum += row->conversions;
        /* 5 standard errors: a false alarm once in 3 million. */
        if (!(row->std_error > 0) ||
            fabs(row->conversions - 1) > 5 * row->std_error)
            within = 0;
    }
    CHECK_INT(ink_attr_row_count(r), 16);
    CHECK_NEAR(sum, 16, 1e-9);
    CHECK(within);
    ink_attr_result_free(r);
}

static void test_higher_order(void)
{
    /* Order 2 on A>B>C (conv) and A>C (null), both weight 1. States:
     * (start), AB, BC and AC. Paths: start->AB->BC->conv;
     * start->AC->null. P(conv) = 1/2. Removing A: AB and AC go, BC is
     * unreachable: P = 0, RE 1. Removing B: AB, BC go: P = 0, RE 1.
     * Removing C: BC, AC go: P = 0, RE 1. Each gets 1/3. */
    ink_attr_options o;
    ink_attr_options_init(&o);
    o.models = 1u << INK_ATTR_MARKOV;
    o.order = 2;
    ink_attr_result *r = run_text(
        "path;total_conversions;total_null\nA > B > C;1;0\nA > C;0;1\n", &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "A"), 1.0 / 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "B"), 1.0 / 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "C"), 1.0 / 3, 1e-12);
    ink_attr_result_free(r);
    /* Order 2, conv through B only: A>B (conv), A>A>C (null, collapsed
     * to A>C), C (conv, shorter than the order: state C).
     * P(conv) = 2/3 (start->AB->conv, start->AC->null, start->C->conv).
     * Remove A: 1/3, RE 1/2. Remove B: 1/3, RE 1/2. Remove C: 1/3,
     * RE 1/2. Each gets 2/3 of the 2 conversions. */
    r = run_text("path;total_conversions;total_null\nA > B;1;0\n"
                 "A > A > C;0;1\nC;1;0\n",
                 &o);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "A")->removal_effect, 0.5, 1e-12);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "B")->removal_effect, 0.5, 1e-12);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "C")->removal_effect, 0.5, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "A"), 2.0 / 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "B"), 2.0 / 3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "C"), 2.0 / 3, 1e-12);
    ink_attr_result_free(r);
}

/* ---- Journeys of a portfolio ---------------------------------------- */

static void test_journeys(void)
{
    const char *data = getenv("INK_TEST_DATA");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/attribution_small",
             data ? data : "tests/data");
    ink_portfolio *pf = NULL;
    ink_error err;
    CHECK_INT(ink_portfolio_load(dir, NULL, &pf, &err), INK_OK);
    if (!pf)
        return;
    ink_attr_paths *p = NULL;
    CHECK_INT(ink_attr_journeys(pf, NULL, &p, &err), INK_OK);
    CHECK_INT(ink_attr_paths_count(p), 4);
    CHECK_INT(ink_attr_paths_untouched(p), 1);
    CHECK_INT(ink_attr_paths_channel_count(p), 4);
    CHECK_STR(ink_attr_paths_channel(p, 0), "email");
    CHECK_STR(ink_attr_paths_channel(p, 3), "sms");
    ink_attr_options o;
    ink_attr_options_init(&o);
    ink_attr_result *r = NULL;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_OK);
    CHECK_NEAR(ink_attr_group_conversions(r, 0), 2, 0);
    CHECK_NEAR(ink_attr_group_value(r, 0), 550, 1e-9);
    CHECK_STR(ink_attr_group_currency(r, 0), "EUR");
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_FIRST, "letter"), 1, 0);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_FIRST, "letter"), 100, 1e-9);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_FIRST, "phone"), 450, 1e-9);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_LAST, "letter"), 450, 1e-9);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_LAST, "phone"), 100, 1e-9);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, "email"), 1.0 / 3, 1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_LINEAR, "letter"), 225 + 100.0 / 3,
               1e-9);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_LINEAR, "sms"), 0, 0);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_POSITION, "letter"), 0.9, 1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_POSITION, "email"), 20, 1e-9);
    /* DERIVATION.md: J1 ages relative to its phone 8, 5, 0 days; J3 (450)
     * phone 1, letter 0; weights 2^(-age / 7), normalised per path. */
    double j1 = exp2(-8.0 / 7) + exp2(-5.0 / 7) + 1, j3 = exp2(-1.0 / 7) + 1;
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_TIME_DECAY, "letter"),
               exp2(-8.0 / 7) / j1 + 1 / j3, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_TIME_DECAY, "email"), exp2(-5.0 / 7) / j1,
               1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_TIME_DECAY, "phone"),
               100 / j1 + 450 * exp2(-1.0 / 7) / j3, 1e-9);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "letter"), 6.0 / 7, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "email"), 8.0 / 21, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "phone"), 16.0 / 21, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_MARKOV, "sms"), 0, 0);
    CHECK_NEAR(row_of(r, 0, INK_ATTR_MARKOV, "letter")->removal_effect, 0.75,
               1e-12);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_MARKOV, "letter"), 550 * 20.0 / 35,
               1e-9);
    CHECK_NEAR(value_of(r, 0, INK_ATTR_MARKOV, "email"), 550 * 5.0 / 35, 1e-9);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "letter"), 1, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "phone"), 1, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "email"), 2.0 / 9, 1e-12);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_SHAPLEY, "sms"), -2.0 / 9, 1e-12);
    const ink_attr_row *letter = row_of(r, 0, INK_ATTR_LINEAR, "letter");
    CHECK_INT(letter->contacts, 3);
    CHECK_INT(letter->cost, 26500);
    CHECK_NEAR(letter->value_per_contact, (225 + 100.0 / 3) / 3, 1e-9);
    CHECK_NEAR(letter->value_per_cost, (225 + 100.0 / 3) / 2.65, 1e-9);
    const ink_attr_row *sms = row_of(r, 0, INK_ATTR_LINEAR, "sms");
    CHECK_INT(sms->contacts, 2);
    CHECK_INT(sms->cost, 900);
    CHECK_NEAR(sms->value_per_cost, 0, 0);
    CHECK(isnan(letter->removal_effect));
    ink_attr_result_free(r);
    ink_attr_paths_free(p);

    /* By segment: B2B holds C3 only, B2C C1, C2 and C5. */
    ink_attr_journey_options jo;
    ink_attr_journey_options_init(&jo);
    const char *by[] = {"segment"};
    jo.by = by;
    jo.by_count = 1;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_OK);
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_OK);
    CHECK_INT(ink_attr_group_count(r), 2);
    CHECK_STR(ink_attr_dim_name(r, 0), "segment");
    CHECK_STR(ink_attr_group_key(r, 0, 0), "B2B");
    CHECK_STR(ink_attr_group_key(r, 1, 0), "B2C");
    CHECK_NEAR(value_of(r, 0, INK_ATTR_FIRST, "phone"), 450, 1e-9);
    CHECK_NEAR(value_of(r, 1, INK_ATTR_FIRST, "letter"), 100, 1e-9);
    CHECK_INT(ink_attr_group_journeys(r, 1), 3);
    CHECK_INT(row_of(r, 1, INK_ATTR_FIRST, "letter")->contacts, 2);
    ink_attr_result_free(r);
    ink_attr_paths_free(p);

    /* As of 2025-01-11: C1 has not paid yet (null up to 01-11, touches
     * letter, email, phone); C3 paid on 01-05 (value 500: the reversal
     * is later); look-back 3 days keeps only touches from 01-09 on for
     * C1 (phone) and from 01-03 for C3 (both); C2 and C5 keep no touch
     * (their ends are 01-11, the look-back starts on 01-09). C4 paid
     * without a touch. */
    jo.by_count = 0;
    ink_parse_date("2025-01-11", 10, &jo.as_of);
    jo.lookback = 3;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_OK);
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_OK);
    CHECK_INT(ink_attr_paths_count(p), 2); /* C1 (phone) and C3 */
    CHECK_NEAR(ink_attr_group_conversions(r, 0), 1, 0);
    CHECK_NEAR(ink_attr_group_value(r, 0), 500, 1e-9);
    CHECK_NEAR(conv_of(r, 0, INK_ATTR_FIRST, "phone"), 1, 0);
    CHECK_INT(row_of(r, 0, INK_ATTR_FIRST, "phone")->contacts, 2);
    CHECK_INT(row_of(r, 0, INK_ATTR_FIRST, "letter")->contacts, 1);
    ink_attr_result_free(r);
    ink_attr_paths_free(p);

    /* Touch outcomes: responded only gives C1 phone, C3 phone. */
    ink_attr_journey_options_init(&jo);
    jo.outcomes = 1u << INK_OUTCOME_RESPONDED;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_OK);
    CHECK_INT(ink_attr_paths_count(p), 2);
    CHECK_INT(ink_attr_paths_channel_count(p), 1);
    ink_attr_paths_free(p);

    /* Option errors. */
    ink_attr_journey_options_init(&jo);
    jo.horizon = 0;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_USAGE);
    CHECK(p == NULL);
    CHECK_STR(err.message, "--horizon: expected days from 1 to 3650, got 0");
    ink_attr_journey_options_init(&jo);
    jo.lookback = -1;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_USAGE);
    ink_attr_journey_options_init(&jo);
    jo.outcomes = 0;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_USAGE);
    ink_attr_journey_options_init(&jo);
    const char *bad[] = {"colour"};
    jo.by = bad;
    jo.by_count = 1;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_USAGE);
    CHECK_STR(err.message, "--by: unknown dimension \"colour\": expected a "
                           "text column of cases.csv, segment or "
                           "close_reason");
    const char *twice[] = {"region", "region"};
    jo.by = twice;
    jo.by_count = 2;
    CHECK_INT(ink_attr_journeys(pf, &jo, &p, &err), INK_USAGE);
    ink_portfolio_free(pf);
}

/* ---- Path file errors and options ----------------------------------- */

static void expect_parse_error(const char *text, ink_status want,
                               long long line, int column, const char *field,
                               const char *message)
{
    ink_attr_paths *p = (ink_attr_paths *)1;
    ink_error err;
    CHECK_INT(ink_attr_paths_parse(text, strlen(text), "p.csv", &p, &err),
              want);
    CHECK(p == NULL);
    CHECK_STR(err.file, "p.csv");
    CHECK_INT(err.line, line);
    CHECK_INT(err.column, column);
    CHECK_STR(err.field, field);
    CHECK_STR(err.message, message);
}

static void test_path_errors(void)
{
    expect_parse_error("", INK_DATA, 1, 0, "",
                       "expected a header line with path and "
                       "total_conversions, got an empty file");
    expect_parse_error("path;conv\nA;1\n", INK_DATA, 1, 0, "total_conversions",
                       "expected a header with the columns path and "
                       "total_conversions (';'-separated), got \"path;conv\"");
    expect_parse_error("path;total_conversions;path\n", INK_DATA, 1, 3, "path",
                       "column named twice in the header "
                       "\"path;total_conversions;path\"");
    expect_parse_error("path;total_conversions\nA > B;1\n\nA;x\n", INK_DATA, 4,
                       2, "total_conversions",
                       "expected a non-negative decimal number, got \"x\"");
    expect_parse_error("path;total_conversions\nA;-1\n", INK_DATA, 2, 2,
                       "total_conversions",
                       "expected a non-negative decimal number, got \"-1\"");
    expect_parse_error("path;total_conversions\nA;99999999999999999999999\n",
                       INK_DATA, 2, 2, "total_conversions",
                       "expected a number at most 9007199254740992, got "
                       "\"99999999999999999999999\"");
    expect_parse_error("total_conversions;path\r\n1;A >  > B\r\n", INK_DATA, 2,
                       2, "path",
                       "expected channels separated by '>', got an empty "
                       "channel name in \"A >  > B\"");
    expect_parse_error("path;total_conversions\nA;1;2\n", INK_DATA, 2, 3, "",
                       "expected as many fields as the header, got more in "
                       "\"A;1;2\"");
    expect_parse_error("path;total_conversions;total_null\nA;1\n", INK_DATA, 2,
                       2, "",
                       "expected as many fields as the header, got fewer in "
                       "\"A;1\"");
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "path;total_conversions\n");
    for (int c = 0; c < 65; c++)
        n += (size_t)snprintf(text + n, sizeof text - n, "ch%d;1\n", c);
    expect_parse_error(text, INK_LIMIT, 66, 1, "path",
                       "more than 64 distinct channels, at \"ch64\"");
    ink_attr_paths *p = NULL;
    ink_error err;
    CHECK_INT(ink_attr_paths_read("/nonexistent/p.csv", &p, &err), INK_IO);
    CHECK(p == NULL);

    /* Options. */
    const char *one = "path;total_conversions\nA;1\n";
    CHECK_INT(ink_attr_paths_parse(one, strlen(one), "x", &p, &err), INK_OK);
    if (!p)
        return;
    ink_attr_options o;
    ink_attr_result *r = NULL;
    ink_attr_options_init(&o);
    o.order = 5;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_USAGE);
    CHECK_STR(err.message, "--order: expected 1 to 4, got 5");
    ink_attr_options_init(&o);
    o.half_life = 0;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_USAGE);
    ink_attr_options_init(&o);
    o.position_first = 0.7;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_USAGE);
    ink_attr_options_init(&o);
    o.shapley_samples = 0;
    CHECK_INT(ink_attr_compute(p, &o, &r, &err), INK_USAGE);
    CHECK(r == NULL);
    CHECK_INT(ink_attr_compute(p, NULL, &r, &err), INK_OK);
    CHECK_INT(ink_attr_row_count(r), INK_ATTR_MODEL_COUNT);
    CHECK(ink_attr_row_at(r, INK_ATTR_MODEL_COUNT) == NULL);
    ink_attr_result_free(r);
    ink_attr_paths_free(p);
    ink_attr_paths_free(NULL);
    ink_attr_result_free(NULL);
    CHECK_STR(ink_attr_model_name(INK_ATTR_TIME_DECAY), "time-decay");
    CHECK(ink_attr_model_name(INK_ATTR_MODEL_COUNT) == NULL);
    CHECK_INT(ink_attr_model_find("position"), INK_ATTR_POSITION);
    CHECK_INT(ink_attr_model_find("random"), -1);
}

int main(void)
{
    test_channelattribution_data();
    test_white_paper_toy();
    test_dp6_heuristics();
    test_shapley();
    test_higher_order();
    test_journeys();
    test_path_errors();
    return check_report("attribution");
}
