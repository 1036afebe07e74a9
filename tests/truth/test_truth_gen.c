/* ink_gen_write with the latent truth file (truth_cases_path): option
 * errors of the library, each allocation made to fail once (INK_NOMEM or
 * INK_IO, never a file left under a final or temporary name), and the
 * file's rows. Linked with -Wl,--wrap for malloc and calloc. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "inkasso/gen.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);

static long allocations;
static long fail_at;

static int should_fail(void)
{
    return fail_at && ++allocations == fail_at;
}

void *__wrap_malloc(size_t size)
{
    return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : __real_calloc(count, size);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static long lines_of(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long n = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

int main(void)
{
    char dir[] = "/tmp/ink_truth_gen_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char out[256], latent[256], latent_tmp[256], truth[256], cases[256];
    snprintf(out, sizeof out, "%s/p", dir);
    snprintf(latent, sizeof latent, "%s/latent.csv", dir);
    snprintf(latent_tmp, sizeof latent_tmp, "%s/latent.csv.tmp", dir);
    snprintf(truth, sizeof truth, "%s/truth.csv", dir);
    snprintf(cases, sizeof cases, "%s/p/cases.csv", dir);
    ink_gen_options opt;
    ink_error err;

    /* Defaults: no latent file, 100 replicas. */
    ink_gen_options_init(&opt);
    CHECK(opt.truth_cases_path == NULL);
    CHECK_INT(opt.truth_draws, 100);

    /* Option errors, before anything is created. */
    opt.cases = 40;
    opt.truth_cases_path = "";
    CHECK_INT(ink_gen_write(out, &opt, &err), INK_USAGE);
    CHECK_STR(err.message, "latent truth file: expected a path, got \"\"");
    opt.truth_cases_path = latent;
    opt.truth_draws = 10001;
    CHECK_INT(ink_gen_write(out, &opt, &err), INK_USAGE);
    CHECK_STR(err.message, "truth draws: expected 0 to 10000, got 10001");
    opt.truth_draws = 3;
    opt.truth_path = latent;
    CHECK_INT(ink_gen_write(out, &opt, &err), INK_USAGE);
    CHECK_STR(err.message, "the truth file and the latent truth file must "
                           "be different files");
    CHECK(!exists(out) && !exists(latent));

    /* Every allocation failing in turn: an error, and no file. */
    opt.truth_path = truth;
    int failures = 0, succeeded = 0;
    for (long k = 1; k < 200 && !succeeded; k++) {
        allocations = 0;
        fail_at = k;
        ink_error_clear(&err);
        ink_status st = ink_gen_write(out, &opt, &err);
        fail_at = 0;
        if (st == INK_OK) {
            succeeded = 1;
            break;
        }
        failures++;
        CHECK(st == INK_NOMEM || st == INK_IO);
        CHECK(!exists(latent) && !exists(latent_tmp) && !exists(truth) &&
              !exists(cases));
    }
    CHECK(succeeded);
    CHECK(failures >= 5); /* buffers, case, scratch, tables */

    /* The rows: a header and one per case. */
    CHECK_INT(lines_of(latent), 41);
    CHECK_INT(lines_of(cases), 41);
    FILE *f = fopen(latent, "r");
    char line[512] = "";
    CHECK(f && fgets(line, sizeof line, f));
    CHECK_STR(line, "case_id,debtor_id,willingness,responsiveness,digital,"
                    "capacity_eur,propensity,strategy,timing,offer,draws,"
                    "p_pay,p_pay_30\n");
    CHECK(f && fgets(line, sizeof line, f));
    CHECK(strncmp(line, "C0000001,D", 10) == 0);
    /* draws 3: shares are k/3 with 4 decimals. */
    const char *draws = strstr(line, ",3,");
    CHECK(draws != NULL);
    if (draws) {
        const char *p = draws + 3;
        CHECK(strncmp(p, "0.0000,", 7) == 0 || strncmp(p, "0.3333,", 7) == 0 ||
              strncmp(p, "0.6667,", 7) == 0 || strncmp(p, "1.0000,", 7) == 0);
    }
    if (f)
        fclose(f);

    /* Cleanup. */
    remove(latent);
    remove(truth);
    const char *names[] = {"cases.csv", "payments.csv", "contacts.csv",
                           "costs.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[300];
        snprintf(path, sizeof path, "%s/%s", out, names[i]);
        remove(path);
    }
    rmdir(out);
    rmdir(dir);
    return check_report("truth_gen");
}
