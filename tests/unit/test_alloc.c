/* Allocation-failure torture (curl's practice): every allocation the
 * loader and the quality summary make is made to fail once, and each
 * run must fail cleanly with INK_NOMEM, leak nothing (ASan, valgrind)
 * and crash nowhere. Linked with -Wl,--wrap for malloc, calloc, realloc. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "inkasso/inkasso.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);

/* The allocation number that fails (1-based); 0 = none. Threads allocate
 * too, so the counter is atomic. */
static _Atomic long allocations;
static long fail_at;

static int should_fail(void)
{
    long n = ++allocations;
    return fail_at && n == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t size)
{
    return should_fail() ? NULL : __real_realloc(p, size);
}

/* Loads dir (strict or lenient) and summarises it; returns the status. */
static ink_status load_and_summarise(const char *dir, int lenient,
                                     const char *rejects, int threads)
{
    ink_load_options opt;
    ink_load_options_init(&opt);
    opt.lenient = lenient;
    opt.rejects_path = rejects;
    opt.threads = threads;
    opt.parallel_min_bytes = 1;
    ink_portfolio *p = NULL;
    ink_error err;
    ink_status st = ink_portfolio_load(dir, &opt, &p, &err);
    if (st != INK_OK) {
        CHECK(p == NULL);
        return st;
    }
    ink_quality q;
    ink_quality_init(&q);
    st = ink_quality_compute(p, &q);
    ink_quality_cleanup(&q);
    if (st == INK_OK) {
        /* The KPI engine too, with groups, operations and both outputs. */
        ink_kpi_options kopt;
        ink_kpi_options_init(&kopt);
        const char *by[] = {"currency", "segment"};
        kopt.by = by;
        kopt.by_count = 2;
        kopt.threads = threads;
        ink_kpi_report *r = NULL;
        st = ink_kpi_compute(p, &kopt, &r, &err);
        if (st == INK_OK) {
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                ink_status w = ink_kpi_write_json(r, null);
                if (w == INK_OK)
                    w = ink_kpi_write_csv(r, null);
                st = w;
                fclose(null);
            }
        }
        ink_kpi_report_free(r);
        /* The kept facts, then the same grouping twice: the second is
         * answered from a kept view, made then. */
        if (st == INK_OK)
            st = ink_kpi_prepare(p, &err);
        for (int k = 0; k < 2 && st == INK_OK; k++) {
            r = NULL;
            st = ink_kpi_compute(p, &kopt, &r, &err);
            ink_kpi_report_free(r);
        }
    }
    if (st == INK_OK) {
        /* Alerts with a threshold low enough that days alert and drill
         * down, so every path allocates. */
        ink_alerts_options aopt;
        ink_alerts_options_init(&aopt);
        aopt.threshold = 1e-9;
        aopt.min_events = 1;
        ink_alerts_report *ar = NULL;
        st = ink_alerts_compute(p, &aopt, &ar, &err);
        if (st == INK_OK) {
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                st = ink_alerts_write_json(ar, null);
                fclose(null);
            }
        }
        ink_alerts_report_free(ar);
    }
    ink_portfolio_free(p);
    return st;
}

/* Fails allocation 1, 2, ... until a run makes fewer allocations than
 * the one to fail; every failing run must report INK_NOMEM. */
static void torture(const char *dir, int lenient, const char *rejects,
                    int threads, ink_status want)
{
    fail_at = 0;
    allocations = 0;
    CHECK_INT(load_and_summarise(dir, lenient, rejects, threads), want);
    long total = allocations;
    CHECK(total > 10);
    int wrong = 0;
    for (long k = 1; k <= total; k++) {
        fail_at = k;
        allocations = 0;
        ink_status st = load_and_summarise(dir, lenient, rejects, threads);
        /* A failed allocation inside a worker thread that the loader
         * can route around does not exist: all must surface. */
        if (st != INK_NOMEM && !(st == want && allocations < k)) {
            if (!wrong)
                fprintf(stderr, "%s: failing allocation %ld gave %s\n", dir, k,
                        ink_status_name(st));
            wrong++;
        }
    }
    fail_at = 0;
    CHECK_INT(wrong, 0);
    printf("%s (lenient %d, threads %d): %ld allocations, each failed once\n",
           dir, lenient, threads, total);
}

/* Reads every row a per-case view reaches, as a report would: after a
 * failed apply the views must still point at live memory (ASan and
 * valgrind check), even though p is then only to be freed. */
static void read_views(const ink_portfolio *p)
{
    const ink_cases *cs = ink_portfolio_cases(p);
    const ink_payments *ps = ink_portfolio_payments(p);
    const ink_contacts *ct = ink_portfolio_contacts(p);
    volatile int64_t sum = 0;
    for (size_t i = 0; i < cs->count; i++) {
        sum += cs->amount[i] + cs->opened_on[i] + cs->debtor_id.codes[i];
        for (uint32_t k = ps->case_offset[i]; k < ps->case_offset[i + 1]; k++)
            sum += ps->amount[k] + ps->paid_on[k];
        for (uint32_t k = ct->case_offset[i]; k < ct->case_offset[i + 1]; k++)
            sum += ct->date[k] + ct->outcome[k] + ct->channel.codes[k];
        for (size_t x = 0; x < cs->extra_count; x++)
            sum += cs->extras[x].codes[i];
    }
    (void)sum;
}

/* A report by currency, as of the latest date (from facts and views). */
static ink_status report_once(const ink_portfolio *p)
{
    const char *by[] = {"currency"};
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    opt.by = by;
    opt.by_count = 1;
    ink_kpi_report *r = NULL;
    ink_status st = ink_kpi_compute(p, &opt, &r, NULL);
    ink_kpi_report_free(r);
    /* And with a placement window (the view's days). */
    ink_parse_date("2025-01-01", 10, &opt.from);
    ink_parse_date("2025-02-28", 10, &opt.to);
    r = NULL;
    if (st == INK_OK)
        st = ink_kpi_compute(p, &opt, &r, NULL);
    ink_kpi_report_free(r);
    return st;
}

/* Ingest: load, check a batch of each kind, apply it (dir: a char). */
static ink_status ingest_run(const void *dir)
{
    static const char *const batches[] = {
        "case_id,debtor_id,segment,opened_on,amount,currency,closed_on,"
        "close_reason\nC2,D1,B2B,2025-01-15,200,EUR,2025-02-20,settled\n"
        "C9,D9,B2C,2025-03-01,70,EUR,,\nC9,D9,B2C,2025-03-01,70,EUR,,\n",
        "payment_id,case_id,paid_on,amount,currency\nP9,C2,2025-02-10,20,EUR\n"
        "P1,C1,2025-01-30,5,EUR\n",
        "contact_id,case_id,at,channel,direction,outcome\n"
        "K9,C3,2025-03-02T09:00:00Z,fax,out,responded\n",
        "period,segment,fte,cost,currency\n2025-02,B2C,1,10,EUR\n"};
    ink_portfolio *p = NULL;
    ink_status st = ink_portfolio_load(dir, NULL, &p, NULL);
    /* Kept facts and a kept view, which every batch then updates (payments,
     * contacts) or drops (cases). */
    if (st == INK_OK)
        st = ink_kpi_prepare(p, NULL);
    for (int k = 0; k < 2 && st == INK_OK; k++)
        st = report_once(p);
    for (int k = 0; k < 4 && st == INK_OK; k++) {
        ink_batch *b = NULL;
        st = ink_batch_check(p, (ink_file_kind)k, batches[k],
                             strlen(batches[k]), &b, NULL);
        if (st == INK_OK) {
            st = ink_portfolio_apply(p, b, NULL);
            if (st != INK_OK)
                read_views(p); /* a reader in flight must not crash */
        }
        ink_batch_free(b);
        if (st == INK_OK)
            st = report_once(p);
    }
    ink_portfolio_free(p);
    return st;
}

/* Fails allocation 1, 2, ... of run(arg), which succeeds unhindered,
 * until a run makes fewer allocations than the one to fail; every
 * failing run must report INK_NOMEM. */
static void torture_run(const char *what, ink_status (*run)(const void *),
                        const void *arg)
{
    fail_at = 0;
    allocations = 0;
    CHECK_INT(run(arg), INK_OK);
    long total = allocations;
    CHECK(total > 0);
    int wrong = 0;
    for (long k = 1; k <= total; k++) {
        fail_at = k;
        allocations = 0;
        ink_status st = run(arg);
        wrong += st != INK_NOMEM && !(st == INK_OK && allocations < k);
    }
    fail_at = 0;
    CHECK_INT(wrong, 0);
    printf("%s: %ld allocations, each failed once\n", what, total);
}

/* The generator under the same torture: a failed allocation fails the
 * run with INK_NOMEM and leaves no file, final or temporary, behind. */
static void torture_gen(void)
{
    char dir[128];
    snprintf(dir, sizeof dir, "/tmp/inkasso-test-alloc-gen-%ld",
             (long)getpid());
    ink_gen_options opt;
    ink_gen_options_init(&opt);
    opt.cases = 50;
    char truth[160];
    snprintf(truth, sizeof truth, "%s-truth.csv", dir);
    opt.truth_path = truth;
    fail_at = 0;
    allocations = 0;
    ink_error err;
    CHECK_INT(ink_gen_write(dir, &opt, &err), INK_OK);
    long total = allocations;
    const char *names[] = {"cases.csv", "payments.csv", "contacts.csv",
                           "costs.csv"};
    int wrong = 0, left = 0;
    for (long k = 1; k <= total; k++) {
        char path[256];
        for (size_t i = 0; i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            remove(path);
        }
        remove(truth);
        fail_at = k;
        allocations = 0;
        ink_status st = ink_gen_write(dir, &opt, &err);
        fail_at = 0;
        wrong += st != INK_NOMEM && !(st == INK_OK && allocations < k);
        for (size_t i = 0; st != INK_OK && i < 4; i++) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            left += access(path, F_OK) == 0;
            snprintf(path, sizeof path, "%s/%s.tmp", dir, names[i]);
            left += access(path, F_OK) == 0;
        }
        if (st != INK_OK) {
            /* The truth file goes with the portfolio, or not at all. */
            snprintf(path, sizeof path, "%s.tmp", truth);
            left += access(truth, F_OK) == 0 || access(path, F_OK) == 0;
        }
    }
    CHECK_INT(wrong, 0);
    CHECK_INT(left, 0);
    printf("gen: %ld allocations, each failed once\n", total);
    remove(truth);
    test_remove_portfolio(dir);
}

/* Both anomaly methods, made and fed a series with a gap and a jump:
 * every allocation is made by ink_anomaly_new (steps allocate nothing),
 * so a failed one is INK_NOMEM from it, never a crash later. */
static ink_status anomaly_run(const void *method)
{
    ink_anomaly_options o;
    ink_anomaly_options_init(&o);
    o.method = *(const int *)method;
    ink_anomaly *d = NULL;
    ink_error err;
    ink_status st = ink_anomaly_new(&o, &d, &err);
    if (st != INK_OK)
        return st;
    for (int i = 0; i < 400; i++) {
        double v = i == 200 ? NAN : (i % 7) * 10.0 + (i > 300 ? 500 : 0);
        ink_anomaly_step(d, v, NULL);
    }
    ink_anomaly_free(d);
    return INK_OK;
}

static void torture_anomaly(void)
{
    for (int method = 0; method < 2; method++) {
        char what[32];
        snprintf(what, sizeof what, "anomaly method %d", method);
        torture_run(what, anomaly_run, &method);
    }
}

int main(void)
{
    const char *data = getenv("INK_TEST_DATA");
    if (!data)
        data = "tests/data";
    char valid[512], lenient[512], rejects[512];
    snprintf(valid, sizeof valid, "%s/valid", data);
    snprintf(lenient, sizeof lenient, "%s/lenient", data);
    snprintf(rejects, sizeof rejects, "/tmp/inkasso-test-alloc-%ld.csv",
             (long)getpid());
    torture(valid, 0, NULL, 1, INK_OK);
    torture(valid, 0, NULL, 4, INK_OK);
    torture(lenient, 1, rejects, 2, INK_OK);
    torture(lenient, 0, NULL, 1, INK_DATA);
    remove(rejects);
    torture_gen();
    torture_anomaly();
    torture_run("ingest", ingest_run, valid);
    return check_report("alloc");
}
