/* Ingest: batches checked against a loaded portfolio with the loader's
 * rules, applied in memory, written to the store; the result equals
 * loading the files with the rows appended. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "inkasso/inkasso.h"

static char dir[200], appended[256];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

/* The KPI report by currency as JSON text (caller frees). */
static char *kpi_json(const ink_portfolio *p)
{
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    const char *by[] = {"currency"};
    opt.by = by;
    opt.by_count = 1;
    opt.as_of = 20149; /* 2025-03-02: the same as-of on both sides */
    return test_report_json(p, &opt);
}

/* The fixture tests/data/valid, loaded (NULL when it fails: checked). */
static ink_portfolio *load_valid(const char *data)
{
    char valid[512];
    snprintf(valid, sizeof valid, "%s/valid", data);
    ink_portfolio *p = NULL;
    ink_error err;
    CHECK_INT(ink_portfolio_load(valid, NULL, &p, &err), INK_OK);
    return p;
}

/* A store file and the WAL files SQLite keeps beside it. */
static void remove_store(const char *db)
{
    char path[512];
    unlink(db);
    snprintf(path, sizeof path, "%s-wal", db);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db);
    unlink(path);
}

static const char payments_batch[] =
    "payment_id,case_id,paid_on,amount,currency,method\n"
    "P9,C2,2025-02-10,20,EUR,card\n"  /* 2: ok */
    "P1,C1,2025-01-30,5,EUR,\n"       /* 3: stored already */
    "P10,C9,2025-02-10,5,EUR,\n"      /* 4: unknown case */
    "P11,C2,2025-02-11,0,EUR,\n"      /* 5: zero */
    "P9,C2,2025-02-12,1,EUR,\n"       /* 6: repeats line 2 */
    "P12,C3,2025-03-02,7,CHF,card\n"; /* 7: ok */

static void test_payments(const char *data)
{
    char valid[512];
    snprintf(valid, sizeof valid, "%s/valid", data);
    ink_portfolio *p = load_valid(data);
    ink_error err;
    if (!p)
        return;
    ink_batch *b = NULL;
    CHECK_INT(ink_batch_check(p, INK_FILE_PAYMENTS, payments_batch,
                              strlen(payments_batch), &b, &err),
              INK_OK);
    if (!b) {
        ink_portfolio_free(p);
        return;
    }
    CHECK_INT(ink_batch_accepted(b), 2);
    CHECK_INT(ink_batch_rejected(b), 4);
    static const char *const want[][3] = {
        {"3", "duplicate_id", "duplicate payment_id \"P1\" (already stored)"},
        {"4", "unknown_case", "unknown case_id \"C9\": not in cases.csv"},
        {"5", "zero_payment", "expected a non-zero amount, got \"0\""},
        {"6", "duplicate_id", "duplicate payment_id \"P9\" (first on line 2)"},
    };
    for (size_t i = 0; i < 4 && i < ink_batch_rejected(b); i++) {
        const ink_batch_reject *r = ink_batch_reject_at(b, i);
        CHECK_INT(r->line, atoi(want[i][0]));
        CHECK_STR(ink_reason_name(r->reason), want[i][1]);
        CHECK_STR(r->message, want[i][2]);
    }
    /* Stored, then applied: equal to loading the files with the rows. */
    char db[300];
    snprintf(db, sizeof db, "%s/s.db", dir);
    ink_store *s = NULL;
    CHECK_INT(ink_store_open(db, &s, &err), INK_OK);
    CHECK_INT(ink_store_import(s, p, NULL, &err), INK_OK);
    ink_import_stats stats;
    CHECK_INT(ink_store_write_batch(s, p, b, &stats, &err), INK_OK);
    CHECK_INT(stats.inserted[INK_FILE_PAYMENTS], 2);
    CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
    CHECK_INT(ink_portfolio_payments(p)->count, 5);
    ink_batch_free(b);

    /* The same rows appended to the files, loaded from scratch. */
    const char *names[] = {"cases.csv", "contacts.csv", "costs.csv"};
    for (size_t i = 0; i < 3; i++) {
        char from[600], to[600];
        snprintf(from, sizeof from, "%s/%s", valid, names[i]);
        snprintf(to, sizeof to, "%s/%s", appended, names[i]);
        char *text = test_slurp(from, NULL);
        write_text(to, text ? text : "");
        free(text);
    }
    char from[600], to[600];
    snprintf(from, sizeof from, "%s/payments.csv", valid);
    snprintf(to, sizeof to, "%s/payments.csv", appended);
    char *text = test_slurp(from, NULL);
    size_t n = text ? strlen(text) : 0;
    char *both = malloc(n + 200);
    if (both && text) {
        memcpy(both, text, n);
        strcpy(both + n, "P9,C2,2025-02-10,20,EUR,card\n"
                         "P12,C3,2025-03-02,7,CHF,card\n");
        write_text(to, both);
    }
    free(text);
    free(both);
    ink_portfolio *q = NULL;
    CHECK_INT(ink_portfolio_load(appended, NULL, &q, &err), INK_OK);
    char *a = kpi_json(p), *c = q ? kpi_json(q) : NULL;
    CHECK(a && c && strcmp(a, c) == 0);
    CHECK(a && strstr(a, "\"collected_amount\":110.5") != NULL);
    /* And the store, read back, says the same. */
    ink_portfolio *r = NULL;
    CHECK_INT(ink_store_load(s, NULL, &r, &err), INK_OK);
    char *d = r ? kpi_json(r) : NULL;
    CHECK(a && d && strcmp(a, d) == 0);
    free(a);
    free(c);
    free(d);
    ink_portfolio_free(q);
    ink_portfolio_free(r);
    ink_store_close(s);
    remove_store(db);

    /* A second batch after an apply: the stored ids include the new. */
    static const char again[] =
        "payment_id,case_id,paid_on,amount,currency\nP9,C2,2025-02-13,1,EUR\n";
    CHECK_INT(
        ink_batch_check(p, INK_FILE_PAYMENTS, again, strlen(again), &b, &err),
        INK_OK);
    if (b) {
        CHECK_INT(ink_batch_accepted(b), 0);
        CHECK_STR(ink_batch_reject_at(b, 0)->message,
                  "duplicate payment_id \"P9\" (already stored)");
        ink_batch_free(b);
    }
    ink_portfolio_free(p);
}

static void test_contacts_and_costs(const char *data)
{
    ink_portfolio *p = load_valid(data);
    ink_error err;
    if (!p)
        return;
    static const char contacts[] =
        "contact_id,case_id,at,channel,direction,outcome\n"
        "K9,C3,2025-03-02T09:00:00Z,phone,out,responded\n"
        "K10,C3,2025-03-02T10:00:00Z,phone,in,no_response\n"
        "K11,C3,2025-03-01T10:00:00Z,phone,out,invalid\n";
    ink_batch *b = NULL;
    CHECK_INT(ink_batch_check(p, INK_FILE_CONTACTS, contacts, strlen(contacts),
                              &b, &err),
              INK_OK);
    if (b) {
        CHECK_INT(ink_batch_accepted(b), 1);
        CHECK_INT(ink_batch_rejected(b), 2);
        CHECK_STR(ink_reason_name(ink_batch_reject_at(b, 0)->reason),
                  "inbound_not_responded");
        CHECK_STR(ink_batch_reject_at(b, 1)->message,
                  "2025-03-01 is before the case's opened_on 2025-03-02");
        CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
        ink_batch_free(b);
        /* C3 (debtor D2) is reached now: contacts of C3 in time order. */
        const ink_contacts *ct = ink_portfolio_contacts(p);
        CHECK_INT(ct->count, 5);
        CHECK_INT(ct->case_offset[3] - ct->case_offset[2], 2);
    }
    static const char costs[] = "period,segment,fte,cost,currency\n"
                                "2025-02,B2C,1,10,CHF\n"
                                "2025-02,B2B,1,10,CHF\n";
    CHECK_INT(
        ink_batch_check(p, INK_FILE_COSTS, costs, strlen(costs), &b, &err),
        INK_OK);
    if (b) {
        CHECK_INT(ink_batch_accepted(b), 1);
        CHECK_STR(ink_batch_reject_at(b, 0)->message,
                  "expected EUR like the earlier rows of segment B2C (line "
                  "2), got \"CHF\"");
        /* The B2B row is applied: costs had B2C and the whole operation. */
        CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
        CHECK_INT(ink_portfolio_costs(p)->count, 3);
        CHECK_INT(ink_portfolio_costs(p)->segment[2], INK_SEGMENT_B2B);
        ink_batch_free(b);
    }
    static const char bad[] = "payment_id,case_id\nP1,C1\n";
    CHECK_INT(ink_batch_check(p, INK_FILE_PAYMENTS, bad, strlen(bad), &b, &err),
              INK_DATA);
    CHECK_STR(err.message, "missing required column \"paid_on\"");
    ink_portfolio_free(p);
}

static void test_cases(const char *data)
{
    ink_portfolio *p = load_valid(data);
    ink_error err;
    if (!p)
        return;
    static const char cases[] =
        "case_id,debtor_id,segment,opened_on,amount,currency,closed_on,"
        "close_reason,product\n"
        "C2,D1,B2B,2025-01-15,200,EUR,2025-02-20,settled,x\n" /* update */
        "C7,D9,B2C,2025-03-01,70,EUR,,,\n"                    /* new */
        "C3,D2,B2C,2025-03-02,50,EUR,,,\n"                    /* currency */
        "C1,D1,B2C,2025-01-11,100.50,EUR,2025-02-01,paid,\n"  /* opened_on */
        "C7,D9,B2C,2025-03-01,70,EUR,,,\n";                   /* repeated */
    ink_batch *b = NULL;
    CHECK_INT(
        ink_batch_check(p, INK_FILE_CASES, cases, strlen(cases), &b, &err),
        INK_OK);
    if (!b) {
        ink_portfolio_free(p);
        return;
    }
    CHECK_INT(ink_batch_accepted(b), 2);
    CHECK_INT(ink_batch_rejected(b), 3);
    static const char *const want[][2] = {
        {"currency_mismatch",
         "expected CHF, the stored case's currency, got \"EUR\""},
        {"bad_value", "expected 2025-01-10, the stored case's opened_on"},
        {"duplicate_id", "duplicate case_id \"C7\" (first on line 3)"},
    };
    for (size_t i = 0; i < 3 && i < ink_batch_rejected(b); i++) {
        CHECK_STR(ink_reason_name(ink_batch_reject_at(b, i)->reason),
                  want[i][0]);
        CHECK_STR(ink_batch_reject_at(b, i)->message, want[i][1]);
    }
    char db[300];
    snprintf(db, sizeof db, "%s/c.db", dir);
    ink_store *s = NULL;
    CHECK_INT(ink_store_open(db, &s, &err), INK_OK);
    CHECK_INT(ink_store_import(s, p, NULL, &err), INK_OK);
    ink_import_stats stats;
    CHECK_INT(ink_store_write_batch(s, p, b, &stats, &err), INK_OK);
    CHECK_INT(stats.inserted[INK_FILE_CASES], 1);
    CHECK_INT(stats.updated[INK_FILE_CASES], 1);
    CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
    ink_batch_free(b);
    const ink_cases *cs = ink_portfolio_cases(p);
    CHECK_INT(cs->count, 4);
    uint32_t c2 = ink_dict_find(cs->ids, "C2", 2);
    CHECK_INT(c2, 2);
    CHECK_INT(cs->close_reason[c2 - 1], INK_CLOSE_SETTLED);
    CHECK_INT(cs->region.codes[c2 - 1], 0); /* the row replaced it all */
    CHECK_INT(ink_dict_find(cs->ids, "C7", 2), 4);
    CHECK_INT(ink_portfolio_payments(p)->case_offset[4], 3);
    /* The new case takes payments now. */
    static const char pay[] = "payment_id,case_id,paid_on,amount,currency\n"
                              "P20,C7,2025-03-05,7,EUR\n";
    CHECK_INT(ink_batch_check(p, INK_FILE_PAYMENTS, pay, strlen(pay), &b, &err),
              INK_OK);
    if (b) {
        CHECK_INT(ink_batch_accepted(b), 1);
        CHECK_INT(ink_store_write_batch(s, p, b, NULL, &err), INK_OK);
        CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
        ink_batch_free(b);
    }
    /* The default as-of moved with the later payment. */
    ink_kpi_report *late = NULL;
    const char *by[] = {"currency"};
    ink_kpi_options dflt;
    ink_kpi_options_init(&dflt);
    dflt.by = by;
    dflt.by_count = 1;
    CHECK_INT(ink_kpi_compute(p, &dflt, &late, &err), INK_OK);
    CHECK_INT(late ? ink_kpi_as_of(late) : 0, 20152); /* 2025-03-05 */
    ink_kpi_report_free(late);
    /* Memory and the store read back agree. */
    ink_portfolio *r = NULL;
    CHECK_INT(ink_store_load(s, NULL, &r, &err), INK_OK);
    char *a = kpi_json(p), *d = r ? kpi_json(r) : NULL;
    CHECK(a && d && strcmp(a, d) == 0);
    CHECK(a && strstr(a, "\"resolved_cases\":2") != NULL);
    free(a);
    free(d);
    ink_portfolio_free(r);
    ink_store_close(s);
    remove_store(db);
    ink_portfolio_free(p);
}

/* The default as-of (the latest date) after each case batch: a new case
 * and a later closing move it forward, an update that moves the latest
 * closing back, or reopens the case, moves it back. */
static void test_latest_after_cases(const char *data)
{
    ink_portfolio *p = load_valid(data);
    if (!p)
        return;
    static const char *const batches[][2] = {
        {"C8,D9,B2C,2025-06-01,70,EUR,,", "2025-06-01"},
        {"C8,D9,B2C,2025-06-01,70,EUR,2025-07-01,paid", "2025-07-01"},
        {"C8,D9,B2C,2025-06-01,70,EUR,2025-06-15,paid", "2025-06-15"},
        {"C8,D9,B2C,2025-06-01,70,EUR,,", "2025-06-01"},
    };
    const char *by[] = {"currency"};
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        char csv[256];
        snprintf(csv, sizeof csv,
                 "case_id,debtor_id,segment,opened_on,amount,currency,"
                 "closed_on,close_reason\n%s\n",
                 batches[k][0]);
        ink_batch *b = NULL;
        ink_error err;
        CHECK_INT(
            ink_batch_check(p, INK_FILE_CASES, csv, strlen(csv), &b, &err),
            INK_OK);
        CHECK(b && ink_batch_accepted(b) == 1);
        if (b)
            CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
        ink_batch_free(b);
        int32_t want = 0;
        CHECK(ink_parse_date(batches[k][1], 10, &want));
        ink_kpi_options opt;
        ink_kpi_options_init(&opt);
        opt.by = by;
        opt.by_count = 1;
        ink_kpi_report *r = NULL;
        CHECK_INT(ink_kpi_compute(p, &opt, &r, &err), INK_OK);
        CHECK_INT(r ? ink_kpi_as_of(r) : 0, want);
        ink_kpi_report_free(r);
    }
    ink_portfolio_free(p);
}

/* Appends text to a growing buffer (NULL stays NULL: checked after). */
static char *append_text(char *buf, size_t *len, const char *text)
{
    if (!buf)
        return NULL;
    size_t n = strlen(text);
    char *grown = realloc(buf, *len + n + 1);
    if (!grown) {
        free(buf);
        return NULL;
    }
    memcpy(grown + *len, text, n + 1);
    *len += n;
    return grown;
}

/* The ids of a table in row order, one a line (caller frees). */
static char *ids_in_order(const ink_dict *ids, size_t count)
{
    size_t len = 0;
    char *out = calloc(1, 1);
    for (size_t i = 0; out && i < count; i++) {
        out = append_text(out, &len, ink_dict_get(ids, (uint32_t)i + 1, NULL));
        out = append_text(out, &len, "\n");
    }
    return out;
}

/* Batches put their rows where loading the files with the rows appended
 * puts them: random cases and days, ties with stored rows and inside the
 * batch, rows before, between and after a case's rows. */
static void test_merge_order(void)
{
    char gen_dir[300], both[300];
    snprintf(gen_dir, sizeof gen_dir, "%s/gen", dir);
    snprintf(both, sizeof both, "%s/both", dir);
    mkdir(both, 0700);
    ink_gen_options gen;
    ink_gen_options_init(&gen);
    gen.cases = 300;
    gen.seed = 5;
    ink_error err;
    CHECK_INT(ink_gen_write(gen_dir, &gen, &err), INK_OK);
    ink_portfolio *p = NULL;
    CHECK_INT(ink_portfolio_load(gen_dir, NULL, &p, &err), INK_OK);
    const char *names[] = {"cases.csv", "payments.csv", "contacts.csv",
                           "costs.csv"};
    char *text[4];
    size_t len[4];
    for (size_t f = 0; f < 4; f++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", gen_dir, names[f]);
        text[f] = test_slurp(path, &len[f]);
        CHECK(text[f] != NULL);
    }
    unsigned seed = 99;
    for (int round = 0; p && round < 6; round++) {
        const ink_cases *cs = ink_portfolio_cases(p);
        char pay[64 * 1024] =
            "payment_id,case_id,paid_on,amount,currency,method\n";
        char con[64 * 1024] = "contact_id,case_id,at,channel,direction,outcome,"
                              "automated,agent_id,cost\n";
        for (int i = 0; i < 40; i++) {
            seed = seed * 1103515245u + 12345u;
            size_t c = (seed >> 8) % 20; /* few cases: many ties */
            if (round % 2)
                c = (seed >> 8) % cs->count;
            char day[16];
            ink_format_date(cs->opened_on[c] + (int32_t)((seed >> 20) % 40),
                            day, sizeof day);
            const char *id = ink_dict_get(cs->ids, (uint32_t)c + 1, NULL);
            const char *cur =
                ink_dict_get(cs->currency.values, cs->currency.codes[c], NULL);
            char row[256];
            snprintf(row, sizeof row, "MP%d-%d,%s,%s,1,%s,\n", round, i, id,
                     day, cur);
            strcat(pay, row);
            snprintf(row, sizeof row,
                     "MK%d-%d,%s,%sT%02u:00:00Z,phone,out,responded,,,\n",
                     round, i, id, day, (seed >> 4) % 3 + 8);
            strcat(con, row);
        }
        const char *batches[2] = {pay, con};
        ink_file_kind kinds[2] = {INK_FILE_PAYMENTS, INK_FILE_CONTACTS};
        for (int k = 0; k < 2; k++) {
            ink_batch *b = NULL;
            CHECK_INT(ink_batch_check(p, kinds[k], batches[k],
                                      strlen(batches[k]), &b, &err),
                      INK_OK);
            if (!b)
                continue;
            CHECK_INT(ink_batch_rejected(b), 0);
            CHECK_INT(ink_portfolio_apply(p, b, &err), INK_OK);
            ink_batch_free(b);
            /* The loaded files get the same rows, header left out. */
            text[1 + k] = append_text(text[1 + k], &len[1 + k],
                                      strchr(batches[k], '\n') + 1);
        }
    }
    for (size_t f = 0; f < 4; f++) {
        char path[400];
        snprintf(path, sizeof path, "%s/%s", both, names[f]);
        write_text(path, text[f] ? text[f] : "");
        free(text[f]);
    }
    ink_portfolio *q = NULL;
    CHECK_INT(ink_portfolio_load(both, NULL, &q, &err), INK_OK);
    if (!q)
        fprintf(stderr, "both: %s\n", err.message);
    if (p && q) {
        const ink_payments *pa = ink_portfolio_payments(p),
                           *pb = ink_portfolio_payments(q);
        const ink_contacts *ca = ink_portfolio_contacts(p),
                           *cb = ink_portfolio_contacts(q);
        CHECK_INT(pa->count, pb->count);
        CHECK_INT(ca->count, cb->count);
        char *x = ids_in_order(pa->ids, pa->count);
        char *y = ids_in_order(pb->ids, pb->count);
        CHECK(x && y && strcmp(x, y) == 0);
        free(x);
        free(y);
        x = ids_in_order(ca->ids, ca->count);
        y = ids_in_order(cb->ids, cb->count);
        CHECK(x && y && strcmp(x, y) == 0);
        free(x);
        free(y);
        size_t cases = ink_portfolio_cases(p)->count, off = 0;
        for (size_t c = 0; c <= cases; c++)
            off += pa->case_offset[c] != pb->case_offset[c] ||
                   ca->case_offset[c] != cb->case_offset[c];
        CHECK_INT(off, 0);
        int cols = 0;
        for (size_t i = 0; i < pa->count && i < pb->count; i++)
            cols += pa->paid_on[i] != pb->paid_on[i] ||
                    pa->amount[i] != pb->amount[i];
        for (size_t i = 0; i < ca->count && i < cb->count; i++)
            cols += ca->date[i] != cb->date[i] ||
                    ca->seconds[i] != cb->seconds[i] ||
                    ca->outcome[i] != cb->outcome[i];
        CHECK_INT(cols, 0);
        char *a = kpi_json(p), *b = kpi_json(q);
        CHECK(a && b && strcmp(a, b) == 0);
        free(a);
        free(b);
    }
    ink_portfolio_free(p);
    ink_portfolio_free(q);
    test_remove_portfolio(gen_dir);
    test_remove_portfolio(both);
}

int main(void)
{
    const char *data = getenv("INK_TEST_DATA");
    if (!data)
        data = "tests/data";
    snprintf(dir, sizeof dir, "/tmp/inkasso-test-ingest-%ld", (long)getpid());
    snprintf(appended, sizeof appended, "%s/appended", dir);
    mkdir(dir, 0700);
    mkdir(appended, 0700);
    test_payments(data);
    test_contacts_and_costs(data);
    test_cases(data);
    test_latest_after_cases(data);
    test_merge_order();
    test_remove_portfolio(appended);
    rmdir(dir);
    return check_report("ingest");
}
