/* Unit tests of the propensity models: metrics, calibration, the logistic
 * regression, snapshot features and labels, the table reader, model
 * files, the contact plan and the worklist (tests/data/score_small,
 * hand-computed in its DERIVATION.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "inkasso/inkasso.h"
#include "inkasso/model.h"
#include "model/model_impl.h"

#define CHECK_NEAR(got, want, tol) CHECK(fabs((got) - (want)) <= (tol))

static char data_dir[1024];

static void test_metrics(void)
{
    double p[4] = {0.9, 0.8, 0.7, 0.6};
    float y[4] = {1, 0, 1, 0};
    ink_model_metrics m;
    CHECK_INT(ink__metrics_compute(p, y, 4, &m), INK_OK);
    CHECK_NEAR(m.auc, 0.75, 1e-12);
    CHECK_NEAR(m.pr_auc, (1.0 + 2.0 / 3.0) / 2.0, 1e-12);
    CHECK_NEAR(m.brier, 0.275, 1e-12);
    CHECK_NEAR(m.log_loss, -(log(0.9) + log(0.2) + log(0.7) + log(0.4)) / 4.0,
               1e-12);
    CHECK_INT(m.positives, 2);
    /* Calibration bins: 0.6 in [0.6, 0.7), 0.7, 0.8, 0.9 one each. */
    CHECK_INT(m.bin_rows[6], 1);
    CHECK_INT(m.bin_rows[9], 1);
    CHECK_NEAR(m.bin_observed[9], 1.0, 1e-12);
    CHECK_NEAR(m.bin_observed[8], 0.0, 1e-12);
    /* Deciles of 4 rows: rows 0, 1..., decile 0 is empty (4/10 = 0). */
    size_t total = 0;
    for (int b = 0; b < INK_MODEL_BINS; b++)
        total += m.decile_rows[b];
    CHECK_INT(total, 4);
    /* Decile b holds sorted rows [b * 4 / 10, (b + 1) * 4 / 10): deciles
     * 3, 5, 8 and 10 (b = 2, 4, 7, 9) get rows 0.9 (y 1), 0.8 (y 0), 0.7
     * (y 1) and 0.6 (y 0); the rate of all rows is 1/2, so the lift is 2
     * or 0; empty deciles have no rate. */
    CHECK_INT(m.decile_rows[0], 0);
    CHECK(isnan(m.decile_rate[0]) && isnan(m.decile_lift[0]));
    CHECK_INT(m.decile_rows[2], 1);
    CHECK_NEAR(m.decile_rate[2], 1.0, 1e-12);
    CHECK_NEAR(m.decile_lift[2], 2.0, 1e-12);
    CHECK_INT(m.decile_rows[4], 1);
    CHECK_NEAR(m.decile_lift[4], 0.0, 1e-12);
    CHECK_INT(m.decile_rows[7], 1);
    CHECK_NEAR(m.decile_lift[7], 2.0, 1e-12);
    CHECK_INT(m.decile_rows[9], 1);
    CHECK_NEAR(m.decile_rate[9], 0.0, 1e-12);
    CHECK_NEAR(m.bin_predicted[6], 0.6, 1e-12);
    /* Ties count half. */
    double tie[2] = {0.5, 0.5};
    float ty[2] = {1, 0};
    int ok;
    CHECK_NEAR(ink__auc(tie, ty, 2, &ok), 0.5, 1e-12);
    CHECK(ok);
    /* One class: no AUC. */
    float ones[2] = {1, 1};
    CHECK(isnan(ink__auc(tie, ones, 2, &ok)));
}

static void test_calibration(void)
{
    double s[4] = {0.4, 0.1, 0.3, 0.2};
    float y[4] = {1, 0, 0, 1};
    ink__calibration c;
    CHECK_INT(ink__calibration_fit(s, y, 4, &c), INK_OK);
    /* PAV: (0.1: 0), (0.2: 1) and (0.3: 0) pool to (0.25: 0.5), (0.4: 1). */
    CHECK_INT(c.count, 3);
    CHECK_NEAR(c.score[1], 0.25, 1e-12);
    CHECK_NEAR(c.prob[1], 0.5, 1e-12);
    CHECK_NEAR(ink__calibration_apply(&c, 0.25), 0.5, 1e-12);
    CHECK_NEAR(ink__calibration_apply(&c, 0.175), 0.25, 1e-12);
    CHECK_NEAR(ink__calibration_apply(&c, 0.0), 0.001, 1e-12);
    CHECK_NEAR(ink__calibration_apply(&c, 0.9), 0.999, 1e-12);
    ink__calibration_cleanup(&c);
}

static void test_logistic(void)
{
    /* y depends on x0 only; x1 is constant (no variance). */
    float x[8 * 2] = {0, 5, 0, 5, 1, 5, 1, 5, 2, 5, 2, 5, 3, 5, 3, 5};
    float y[8] = {0, 0, 0, 1, 0, 1, 1, 1};
    ink__matrix m = {8, 2, x, y};
    ink__logistic lr;
    ink_error err;
    CHECK_INT(ink__logistic_fit(&m, 1.0, &lr, &err), INK_OK);
    /* The intercept is not penalised: at the optimum the residuals sum
     * to zero (the score equation of the intercept). */
    double resid = 0;
    for (size_t r = 0; r < 8; r++)
        resid +=
            y[r] - 1.0 / (1.0 + exp(-ink__logistic_margin(&lr, x + r * 2)));
    CHECK_NEAR(resid, 0.0, 1e-6);
    CHECK(lr.weight[0] > 0);
    CHECK_NEAR(lr.weight[1], 0.0, 1e-12);
    CHECK_NEAR(lr.mean[0], 1.5, 1e-12);
    /* Missing values sit at the mean. */
    float missing[2] = {NAN, 5};
    float at_mean[2] = {1.5f, 5};
    CHECK_NEAR(ink__logistic_margin(&lr, missing),
               ink__logistic_margin(&lr, at_mean), 1e-12);
    ink__logistic_cleanup(&lr);
}

static ink_portfolio *load_small(void)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/score_small", data_dir);
    ink_portfolio *p = NULL;
    ink_error err;
    ink_status st = ink_portfolio_load(dir, NULL, &p, &err);
    CHECK_INT(st, INK_OK);
    return p;
}

#define X(row, name) (f.m.x[(row)*f.m.cols + feature(name)])

static size_t feature(const char *name)
{
    for (size_t j = 0; j < INK__FEATURE_COUNT; j++)
        if (strcmp(ink__feature_names[j], name) == 0)
            return j;
    fprintf(stderr, "no feature %s\n", name);
    return 0;
}

static void test_features(void)
{
    ink_portfolio *p = load_small();
    if (!p)
        return;
    int32_t s;
    CHECK(ink_parse_date("2025-02-01", 10, &s));
    ink__features f;
    ink_error err;
    CHECK_INT(ink__features_build(p, &s, 1, 30, 10, 1, 0, 1, &f, &err), INK_OK);
    /* S1, S2, S3 are open on 2025-02-01; S4 opens in March. */
    CHECK_INT(f.m.rows, 3);
    CHECK_INT(f.case_index[0], 0);
    CHECK_INT(f.case_index[2], 2);
    /* Labels: S1 collects 70 of 70, S2 10 of 200 (5 %), S3 200 of 900. */
    CHECK(f.m.y[0] == 1 && f.m.y[1] == 0 && f.m.y[2] == 1);
    CHECK_INT(f.outstanding[0], 700000);
    CHECK_INT(f.collected[1], 100000);
    CHECK_INT(f.outstanding[2], 9000000);
    CHECK_NEAR(X(0, "paid_share"), 0.3, 1e-6);
    CHECK_NEAR(X(0, "case_age_days"), 31, 0);
    CHECK_NEAR(X(0, "debt_age_days"), 62, 0);
    CHECK(isnan(X(1, "debt_age_days")));
    CHECK_NEAR(X(2, "debt_age_days"), 78, 0);
    CHECK_NEAR(X(0, "segment_b2b"), 0, 0);
    CHECK_NEAR(X(2, "segment_b2b"), 1, 0);
    CHECK_NEAR(X(0, "debtor_other_cases"), 1, 0);
    CHECK_NEAR(X(0, "debtor_paid_cases"), 0, 0);
    CHECK_NEAR(X(0, "debtor_paid_share"), 0, 0);
    CHECK_NEAR(X(1, "debtor_paid_share"), 0.3, 1e-6);
    CHECK(isnan(X(2, "debtor_paid_share")));
    CHECK_NEAR(X(0, "days_since_payment"), 12, 0);
    CHECK(isnan(X(1, "days_since_payment")));
    CHECK_NEAR(X(0, "paid_last_30_share"), 0.3, 1e-6);
    CHECK_NEAR(X(0, "attempts"), 2, 0);
    CHECK_NEAR(X(0, "responses"), 1, 0);
    CHECK_NEAR(X(0, "days_since_contact"), 4, 0);
    CHECK_NEAR(X(0, "days_since_response"), 4, 0);
    CHECK_NEAR(X(0, "phone_responses"), 1, 0);
    CHECK_NEAR(X(0, "letter_attempts"), 1, 0);
    CHECK_NEAR(X(0, "attempts_last_30"), 2, 0);
    /* S2: the sms of 2025-02-05 is after the snapshot: not seen. */
    CHECK_NEAR(X(1, "attempts"), 1, 0);
    CHECK_NEAR(X(1, "sms_attempts"), 0, 0);
    CHECK_NEAR(X(1, "invalid_share"), 1, 0);
    CHECK(isnan(X(1, "days_since_response")));
    CHECK_NEAR(X(2, "inbound_contacts"), 1, 0);
    CHECK_NEAR(X(2, "responses"), 1, 0);
    CHECK_NEAR(X(2, "days_since_contact"), 2, 0);
    CHECK(isnan(X(0, "sector_rate")));
    /* Encoders on all three rows: prior 2/3; telecom has rows 0 and 1
     * (1 positive): (1 + 20 x 2/3) / (2 + 20). */
    ink__encoder enc[INK__CAT_COUNT];
    CHECK_INT(ink__encoders_fit(p, &f, 3, enc), INK_OK);
    CHECK_INT(ink__features_encode(p, &f, enc), INK_OK);
    CHECK_NEAR(X(0, "sector_rate"), (1 + 20 * 2.0 / 3) / 22, 1e-6);
    CHECK_NEAR(X(2, "sector_rate"), (1 + 20 * 2.0 / 3) / 21, 1e-6);
    for (size_t k = 0; k < INK__CAT_COUNT; k++)
        ink__encoder_cleanup(&enc[k]);
    ink__features_cleanup(&f);
    /* 2025-03-01: S1 closed on 02-20 (paid off); S2, S3, S4 are open.
     * Every case: S1 too, with nothing outstanding. */
    CHECK(ink_parse_date("2025-03-01", 10, &s));
    CHECK_INT(ink__features_build(p, &s, 1, 30, 10, 0, 0, 2, &f, &err), INK_OK);
    CHECK_INT(f.m.rows, 3);
    CHECK_INT(f.case_index[0], 1);
    CHECK_INT(f.case_index[2], 3);
    CHECK(f.m.y == NULL);
    ink__features_cleanup(&f);
    CHECK_INT(ink__features_build(p, &s, 1, 30, 10, 0, 1, 2, &f, &err), INK_OK);
    CHECK_INT(f.m.rows, 4);
    CHECK_INT(f.case_index[0], 0);
    CHECK_INT(f.outstanding[0], 0);
    CHECK_INT(f.case_index[3], 3);
    ink__features_cleanup(&f);
    ink_portfolio_free(p);
}

/* Two trees as XGBoost 1.7 writes them (save_model, json), trimmed to
 * what the reader needs. Tree 0: f0 < 10 ? -0.12 : (f0 < 20 ? 0.12 :
 * -0); tree 1: f0 < 30 ? (f4 < 24 ? 0.11288972 : -0.1941234) : 0.12;
 * missing values go right everywhere but at tree 1's f4 split. */
static const char forest_json[] =
    "{\"learner\":{\"gradient_booster\":{\"model\":{"
    "\"gbtree_model_param\":{\"num_parallel_tree\":\"1\",\"num_trees\":"
    "\"2\"},\"trees\":[{\"base_weights\":[0,0,0,0,0],\"default_left\":[0,"
    "0,0,0,0],\"id\":0,\"left_children\":[1,-1,3,-1,-1],\"right_children\":"
    "[2,-1,4,-1,-1],\"split_conditions\":[1E1,-1.20000005E-1,2E1,"
    "1.20000005E-1,-0E0],\"split_indices\":[0,0,0,0,0],\"split_type\":[0,0,"
    "0,0,0]},{\"default_left\":[0,1,0,0,0],\"id\":1,\"left_children\":[1,"
    "3,-1,-1,-1],\"right_children\":[2,4,-1,-1,-1],\"split_conditions\":["
    "3E1,2.4E1,1.20000005E-1,1.1288972E-1,-1.941234E-1],\"split_indices\":"
    "[0,4,0,0,0],\"split_type\":[0,0,0,0,0]}]},\"name\":\"gbtree\"},"
    "\"learner_model_param\":{\"base_score\":\"5E-1\"},\"objective\":{"
    "\"name\":\"binary:logistic\"}}}";

static double sigmoid_of(float a, float b)
{
    float margin = 0.0f + a + b; /* base_score 0.5: margin 0 */
    return 1.0f / (1.0f + expf(-margin));
}

/* A variant of forest_json with one substring replaced. */
static ink_status parse_variant(const char *from, const char *to, size_t cols)
{
    char text[sizeof forest_json + 64];
    const char *at = strstr(forest_json, from);
    if (!at)
        return INK_INTERNAL;
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - forest_json),
             forest_json, to, at + strlen(from));
    ink__forest f;
    ink_status st = ink__forest_parse(text, strlen(text), cols, &f);
    ink__forest_cleanup(&f);
    return st;
}

static void test_forest(void)
{
    ink__forest f;
    CHECK_INT(ink__forest_parse(forest_json, strlen(forest_json), 5, &f),
              INK_OK);
    CHECK_INT(f.trees, 2);
    CHECK_INT(f.depth, 2);
    CHECK_NEAR(f.base_margin, 0, 1e-9);
    const float nan = NAN;
    float x[5][5] = {{5, 0, 0, 0, nan}, /* -0.12, f4 missing: left */
                     {15, 0, 0, 0, 0},  /* 0.12, 0.11288972 */
                     {10, 0, 0, 0, 24}, /* 10 is not below 10; 24 not < 24 */
                     {nan, 0, 0, 0, 0}, /* right, right: -0, 0.12 */
                     {35, 0, 0, 0, 1}}; /* -0, 0.12 */
    double want[5] = {sigmoid_of(-0.120000005f, 0.11288972f),
                      sigmoid_of(0.120000005f, 0.11288972f),
                      sigmoid_of(0.120000005f, -0.1941234f),
                      sigmoid_of(-0.0f, 0.120000005f),
                      sigmoid_of(-0.0f, 0.120000005f)};
    ink__matrix m = {5, 5, &x[0][0], NULL};
    double prob[5];
    CHECK_INT(ink__forest_predict(&f, &m, 1, prob), INK_OK);
    for (int r = 0; r < 5; r++)
        CHECK_NEAR(prob[r], want[r], 1e-7);
    /* The node walk (trees too deep to compile) gives the same. */
    f.depth = 0;
    CHECK_INT(ink__forest_predict(&f, &m, 1, prob), INK_OK);
    for (int r = 0; r < 5; r++)
        CHECK_NEAR(prob[r], want[r], 1e-7);
    ink__forest_cleanup(&f);
    /* What the reader refuses: XGBoost's predictor then stays. */
    CHECK_INT(parse_variant("binary:logistic", "reg:squarederror", 5),
              INK_DATA);
    CHECK_INT(parse_variant("\"5E-1\"", "\"1E0\"", 5), INK_DATA);
    CHECK_INT(parse_variant("\"num_trees\":\"2\"", "\"num_trees\":\"3\"", 5),
              INK_DATA);
    CHECK_INT(parse_variant("\"split_type\":[0,0,0,0,0]}]",
                            "\"split_type\":[0,1,0,0,0]}]", 5),
              INK_DATA); /* a categorical split */
    CHECK_INT(
        parse_variant("\"left_children\":[1,3,", "\"left_children\":[1,0,", 5),
        INK_DATA); /* a child before its parent: a cycle */
    CHECK_INT(parse_variant("[1,-1,3,-1,-1]", "[1,-1,3,-1]", 5),
              INK_DATA); /* arrays of different lengths */
    CHECK_INT(parse_variant("[3E1,", "[x,", 5), INK_DATA);
    CHECK_INT(parse_variant("[0,4,0,0,0]", "[0,4,0,0,0]", 4),
              INK_DATA); /* feature 4 of 4 columns */
    CHECK_INT(parse_variant("[0,4,0,0,0]", "[0,4,0,0,0]", 5), INK_OK);
}

static void test_contact_plan(void)
{
    ink_portfolio *p = load_small();
    if (!p)
        return;
    ink_contact_plan *plan = NULL;
    ink_error err;
    ink_plan_options bad;
    ink_plan_options_init(&bad);
    bad.prior_strength = -1;
    CHECK_INT(ink_contact_plan_build(p, &bad, &plan, &err), INK_USAGE);
    CHECK(plan == NULL);
    CHECK_INT(ink_contact_plan_build(p, NULL, &plan, &err), INK_OK);
    if (!plan) {
        ink_portfolio_free(p);
        return;
    }
    /* Open on 2025-03-01: S2, S3, S4. */
    CHECK_INT(ink_contact_plan_count(plan), 3);
    CHECK(ink_contact_plan_find(plan, 0) == NULL);
    const ink_plan_entry *s2 = ink_contact_plan_find(plan, 1);
    const ink_plan_entry *s3 = ink_contact_plan_find(plan, 2);
    const ink_plan_entry *s4 = ink_contact_plan_find(plan, 3);
    double shrunk = (1 + 50 * 0.75) / 51.0;
    /* S2: phone is invalid for it; sms Wednesday 18-21. */
    CHECK_STR(s2->channel, "sms");
    CHECK_INT(s2->weekday, 2);
    CHECK_INT(s2->hour_from, 18);
    CHECK_NEAR(s2->response_rate, shrunk, 1e-12);
    CHECK_INT(s2->cost, 900);
    /* S3 (B2B): only email was tried on businesses: Monday 09-12. */
    CHECK_STR(s3->channel, "email");
    CHECK_INT(s3->weekday, 0);
    CHECK_INT(s3->hour_from, 9);
    CHECK_NEAR(s3->response_rate, (0 + 50 * 0.25) / 51.0, 1e-12);
    /* S4: phone and sms tie; sms is cheaper. */
    CHECK_STR(s4->channel, "sms");
    CHECK_NEAR(s4->response_rate, shrunk, 1e-12);
    ink_contact_plan_free(plan);
    ink_portfolio_free(p);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fputs(text, f);
    fclose(f);
}

static void test_dataset(void)
{
    const char *path = "test_score_table.csv";
    ink_dataset *d = NULL;
    ink_error err;
    write_file(path, "id,a,b,y\n1,1.5,,0\n2,-2,3e2,1\n");
    const char *ignore[1] = {"id"};
    CHECK_INT(ink_dataset_load(path, "y", ignore, 1, &d, &err), INK_OK);
    if (d) {
        CHECK_INT(ink_dataset_rows(d), 2);
        ink_dataset_free(d);
        d = NULL;
    }
    write_file(path, "a,b,y\n1,2,0\n1,x2,1\n");
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_DATA);
    CHECK(d == NULL);
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 2);
    CHECK_STR(err.field, "b");
    CHECK(strstr(err.message, "expected a decimal number, got \"x2\"") != NULL);
    write_file(path, "a,y\n1,2\n");
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_DATA);
    CHECK_INT(err.line, 2);
    CHECK_STR(err.field, "y");
    CHECK_INT(ink_dataset_load(path, "label", NULL, 0, &d, &err), INK_DATA);
    CHECK(strstr(err.message, "no label column \"label\"") != NULL);
    CHECK_INT(ink_dataset_load(path, "y", ignore, 1, &d, &err), INK_DATA);
    write_file(path, "a,y\n1,0,3\n");
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_DATA);
    CHECK_INT(err.line, 2);
    write_file(path, "a,y\n");
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_DATA);
    write_file(path, "a,y\n1,0\n\"x,1\n");
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_DATA);
    CHECK_INT(ink_dataset_load("no/such/file.csv", "y", NULL, 0, &d, &err),
              INK_IO);
    remove(path);
}

static void test_table_model(void)
{
    const char *path = "test_score_train.csv", *model = "test_score.model";
    /* 200 rows: y = 1 when a + noise > 0.5, b is noise. */
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    fputs("a,b,y\n", f);
    uint64_t state = 7;
    for (int i = 0; i < 200; i++) {
        double a = (double)(ink__split_mix(&state) % 1000) / 1000.0;
        double b = (double)(ink__split_mix(&state) % 1000) / 1000.0;
        double noise = (double)(ink__split_mix(&state) % 400) / 1000.0 - 0.2;
        fprintf(f, "%.3f,%.3f,%d\n", a, b, a + noise > 0.5);
    }
    fclose(f);
    ink_dataset *d = NULL;
    ink_error err;
    CHECK_INT(ink_dataset_load(path, "y", NULL, 0, &d, &err), INK_OK);
    if (!d)
        return;
    ink_model_options opt;
    ink_model_options_init(&opt);
    opt.rounds = 20;
    opt.threads = 1;
    ink_model_cv cv;
    CHECK_INT(ink_model_cross_validate(d, &opt, 1, &cv, &err), INK_USAGE);
    CHECK_INT(ink_model_cross_validate(d, &opt, 5, &cv, &err), INK_OK);
    CHECK(cv.boosted_mean > 0.85);
    CHECK(cv.logistic_mean > 0.9);
    double prob[200], again[200];
    for (int kind = 0; kind < 2; kind++) {
        opt.kind = (ink_model_kind)kind;
        ink_model *m = NULL, *loaded = NULL;
        ink_model_report r;
        CHECK_INT(ink_model_train_table(d, &opt, &m, &r, &err), INK_OK);
        if (!m)
            continue;
        CHECK_STR(r.feature[0], "a"); /* a decides */
        if (kind == INK_MODEL_BOOSTED) {
            CHECK(r.boosted_rounds >= 1 && r.boosted_rounds <= opt.rounds);
            CHECK(m->boost.forest.trees == (size_t)r.boosted_rounds);
            /* The compiled trees score exactly as XGBoost, missing
             * values included. */
            float x[300][2];
            uint64_t st = 11;
            for (int i = 0; i < 300; i++)
                for (int j = 0; j < 2; j++)
                    x[i][j] =
                        ink__split_mix(&st) % 5 == 0
                            ? NAN
                            : (float)(ink__split_mix(&st) % 1000) / 1000.0f;
            ink__matrix xm = {300, 2, &x[0][0], NULL};
            double mine[300], theirs[300];
            ink__boost xgb = m->boost;
            xgb.forest.trees = 0;
            CHECK_INT(ink__boost_predict(&m->boost, &xm, 1, mine, &err),
                      INK_OK);
            CHECK_INT(ink__boost_predict(&xgb, &xm, 1, theirs, &err), INK_OK);
            double diff = 0;
            for (int i = 0; i < 300; i++)
                diff = fmax(diff, fabs(mine[i] - theirs[i]));
            CHECK(diff <= INK__FOREST_TOLERANCE);
        }
        CHECK_INT(ink_model_predict_table(m, d, 1, prob, &err), INK_OK);
        CHECK_INT(ink_model_save(m, model, &err), INK_OK);
        CHECK_INT(ink_model_load(model, &loaded, &err), INK_OK);
        if (loaded) {
            CHECK_INT(ink_model_kind_of(loaded), kind);
            CHECK(!ink_model_is_portfolio(loaded));
            CHECK_INT(ink_model_predict_table(loaded, d, 1, again, &err),
                      INK_OK);
            int same = 1;
            for (int i = 0; i < 200; i++)
                same &= fabs(prob[i] - again[i]) < 1e-6;
            CHECK(same);
        }
        ink_model_free(loaded);
        ink_model_free(m);
    }
    /* Early stopping: 200 rounds at the full learning rate overfit 160
     * rows; boosting stops 10 rounds after the calibration rows' best. */
    opt.kind = INK_MODEL_BOOSTED;
    opt.rounds = 200;
    opt.learning_rate = 1;
    {
        ink_model *m = NULL;
        ink_model_report r;
        CHECK_INT(ink_model_train_table(d, &opt, &m, &r, &err), INK_OK);
        CHECK(r.boosted_rounds >= 1 && r.boosted_rounds < 190);
        CHECK(r.timings.fit_boosted > 0 && r.timings.fit_logistic > 0);
        if (m)
            CHECK(m->boost.forest.trees == (size_t)r.boosted_rounds);
        ink_model_free(m);
    }
    ink_dataset_free(d);
    /* A table without the model's column b. */
    write_file(path, "a\n0.5\n");
    ink_model *m = NULL;
    CHECK_INT(ink_model_load(model, &m, &err), INK_OK);
    CHECK_INT(ink_dataset_load(path, NULL, NULL, 0, &d, &err), INK_OK);
    if (m && d) {
        CHECK_INT(ink_model_predict_table(m, d, 1, prob, &err), INK_DATA);
        CHECK(strstr(err.message, "no column \"b\"") != NULL);
    }
    ink_dataset_free(d);
    ink_model_free(m);
    /* Damaged files. */
    write_file(model, "inkasso-model 2\n");
    CHECK_INT(ink_model_load(model, &m, &err), INK_DATA);
    CHECK_INT(err.line, 1);
    write_file(model, "inkasso-model 1\nkind forest\n");
    CHECK_INT(ink_model_load(model, &m, &err), INK_DATA);
    CHECK_INT(err.line, 2);
    CHECK_INT(ink_model_load("no/such.model", &m, &err), INK_IO);
    remove(path);
    remove(model);
}

static void test_portfolio_model(void)
{
    ink_portfolio *p = load_small();
    if (!p)
        return;
    ink_model_options opt;
    ink_model_options_init(&opt);
    ink_model *m = NULL;
    ink_error err;
    opt.horizon_days = 0;
    CHECK_INT(ink_model_train(p, &opt, &m, NULL, &err), INK_USAGE);
    ink_model_options_init(&opt);
    opt.test_snapshots = 6;
    CHECK_INT(ink_model_train(p, &opt, &m, NULL, &err), INK_USAGE);
    /* Snapshots closer than the horizon would let labels see the next. */
    ink_model_options_init(&opt);
    opt.snapshot_step = 29;
    CHECK_INT(ink_model_train(p, &opt, &m, NULL, &err), INK_USAGE);
    CHECK_STR(err.message, "snapshot step: expected at least the horizon "
                           "(30 days), got 29");
    /* Four cases are too few for both outcomes in every part. */
    ink_model_options_init(&opt);
    CHECK_INT(ink_model_train(p, &opt, &m, NULL, &err), INK_DATA);
    CHECK(m == NULL);
    ink_portfolio_free(p);
}

int main(void)
{
    const char *env = getenv("INK_TEST_DATA");
    snprintf(data_dir, sizeof data_dir, "%s", env ? env : "tests/data");
    test_metrics();
    test_calibration();
    test_logistic();
    test_features();
    test_forest();
    test_contact_plan();
    test_dataset();
    test_table_model();
    test_portfolio_model();
    return check_report("score");
}
