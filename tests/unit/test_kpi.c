/* KPI engine properties: the median, threads merging to the same report
 * as one pass, group sums equal to the total, and option errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "inkasso/inkasso.h"
#include "kpi/kpi_impl.h"

static int cmp_int(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Against sorting, on random arrays of every size 1..200 with many
 * duplicates (selection must handle equal keys). */
static void test_median(void)
{
    int32_t v[200], sorted[200];
    i32_vec vec = {v, 0, 200};
    CHECK(isnan(ink__kpi_median(&vec)));
    unsigned seed = 7;
    int wrong = 0;
    for (size_t n = 1; n <= 200; n++) {
        for (int round = 0; round < 5; round++) {
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                v[i] = (int32_t)((seed >> 16) % (round ? 50u : 3u));
            }
            memcpy(sorted, v, n * sizeof *v);
            qsort(sorted, n, sizeof *sorted, cmp_int);
            double want = n % 2 ? sorted[n / 2]
                                : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
            vec.len = n;
            wrong += ink__kpi_median(&vec) != want;
        }
    }
    CHECK_INT(wrong, 0);
    int32_t even[] = {10, 40, 20, 30};
    i32_vec e = {even, 4, 4};
    CHECK(ink__kpi_median(&e) == 25.0);
}

static void test_threads_and_sums(const ink_portfolio *p)
{
    static const char *const groupings[][3] = {
        {"currency", NULL, NULL},
        {"currency", "segment", NULL},
        {"currency", "region", "cohort_month"},
        {"currency", "age_bucket", "risk_class"},
        {"case_id", "currency", NULL},
    };
    for (size_t k = 0; k < sizeof groupings / sizeof groupings[0]; k++) {
        ink_kpi_options opt;
        ink_kpi_options_init(&opt);
        size_t n = 0;
        while (n < 3 && groupings[k][n])
            n++;
        opt.by = groupings[k];
        opt.by_count = n;
        opt.threads = 1;
        char *one = test_report_json(p, &opt);
        opt.threads = 4;
        char *four = test_report_json(p, &opt);
        CHECK(one && four && strcmp(one, four) == 0);
        free(one);
        free(four);

        /* Every case is in exactly one group: counts add up. */
        ink_kpi_report *r = NULL;
        CHECK_INT(ink_kpi_compute(p, &opt, &r, NULL), INK_OK);
        if (!r)
            continue;
        const ink_kpi_values *t = ink_kpi_total(r);
        uint64_t cases = 0, open = 0, resolved = 0, eligible = 0;
        for (size_t g = 0; g < ink_kpi_group_count(r); g++) {
            const ink_kpi_values *v = ink_kpi_group(r, g);
            cases += v->cases;
            open += v->open_cases;
            resolved += v->resolved_cases;
            eligible += v->eligible_cases[1];
        }
        CHECK_INT(cases, t->cases);
        CHECK_INT(open, t->open_cases);
        CHECK_INT(resolved, t->resolved_cases);
        CHECK_INT(eligible, t->eligible_cases[1]);
        CHECK_INT(t->cases, ink_portfolio_cases(p)->count);
        ink_kpi_report_free(r);
    }
}

/* Amounts per currency group add up to the portfolio's, exactly. */
static void test_amounts(const ink_portfolio *p)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    const char *by[] = {"currency"};
    opt.by = by;
    opt.by_count = 1;
    ink_kpi_report *r = NULL;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, NULL), INK_OK);
    if (!r)
        return;
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_payments *ps = ink_portfolio_payments(p);
    for (size_t g = 0; g < ink_kpi_group_count(r); g++) {
        const char *cur = ink_kpi_group_key(r, g, 0);
        int64_t placed = 0, collected = 0;
        for (size_t i = 0; i < cs->count; i++) {
            const char *c =
                ink_dict_get(cs->currency.values, cs->currency.codes[i], NULL);
            if (strcmp(c, cur) != 0)
                continue;
            placed += cs->amount[i];
            for (uint32_t k = ps->case_offset[i]; k < ps->case_offset[i + 1];
                 k++)
                collected += ps->amount[k];
        }
        CHECK_INT(ink_kpi_group(r, g)->placed_amount, placed);
        CHECK_INT(ink_kpi_group(r, g)->collected_amount, collected);
    }
    CHECK(ink_kpi_total(r)->amounts_null);
    ink_kpi_report_free(r);
}

static void test_option_errors(const ink_portfolio *p)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    ink_kpi_report *r = NULL;
    ink_error err;
    const char *twice[] = {"segment", "segment"};
    opt.by = twice;
    opt.by_count = 2;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, &err), INK_USAGE);
    CHECK_STR(err.message, "--by: dimension \"segment\" named twice");
    const char *unknown[] = {"colour"};
    opt.by = unknown;
    opt.by_count = 1;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, &err), INK_USAGE);
    CHECK(strstr(err.message, "unknown dimension \"colour\"") != NULL);
    opt.by_count = 0;
    opt.windows[0] = 30;
    opt.windows[1] = 30;
    opt.window_count = 2;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, &err), INK_USAGE);
    CHECK_STR(err.message, "--windows: 30 named twice");
    /* The generated portfolio has EUR and CHF: without --by currency the
     * total mixes them. */
    opt.window_count = 0;
    CHECK_INT(ink_kpi_compute(p, &opt, &r, &err), INK_DATA);
    CHECK(strstr(err.message, "the portfolio mixes currencies (CHF and EUR)") !=
          NULL);
    CHECK(r == NULL);
}

int main(void)
{
    test_median();
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/inkasso-test-kpi-%ld", (long)getpid());
    ink_gen_options gen;
    ink_gen_options_init(&gen);
    gen.cases = 3000;
    gen.seed = 11;
    ink_error err;
    CHECK_INT(ink_gen_write(dir, &gen, &err), INK_OK);
    ink_portfolio *p = NULL;
    CHECK_INT(ink_portfolio_load(dir, NULL, &p, &err), INK_OK);
    if (p) {
        test_threads_and_sums(p);
        test_amounts(p);
        test_option_errors(p);
        ink_portfolio_free(p);
    }
    const char *names[] = {"cases.csv", "payments.csv", "contacts.csv",
                           "costs.csv"};
    for (size_t i = 0; i < 4; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        remove(path);
    }
    rmdir(dir);
    return check_report("kpi");
}
