/* Unit tests of the owners file: parsing, every error, judging, JSON. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "inkasso/inkasso.h"
#include "inkasso/owners.h"

#define CHECK_DBL(got, want)                                                   \
    do {                                                                       \
        double got_ = (got), want_ = (want);                                   \
        check_count++;                                                         \
        if (!(got_ == want_)) {                                                \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s is %.17g, expected %.17g\n", __FILE__,  \
                    __LINE__, #got, got_, want_);                              \
        }                                                                      \
    } while (0)

static const char *data_dir(void)
{
    const char *d = getenv("INK_TEST_DATA");
    return d ? d : "tests/data";
}

static ink_owners *parse_ok(const char *text)
{
    ink_owners *o = NULL;
    ink_error err;
    ink_status st = ink_owners_parse(text, strlen(text), "t.conf", &o, &err);
    if (st != INK_OK) {
        char buf[1024];
        ink_error_format(&err, buf, sizeof buf);
        fprintf(stderr, "unexpected error: %s\n", buf);
    }
    CHECK_INT(st, INK_OK);
    return o;
}

/* The formatted error of parsing text (len bytes), status in *st. */
static const char *parse_error_n(const char *text, size_t len, ink_status *st)
{
    static char buf[1024];
    ink_owners *o = (ink_owners *)1;
    ink_error err;
    *st = ink_owners_parse(text, len, "t.conf", &o, &err);
    CHECK(o == NULL);
    if (*st == INK_OK) {
        ink_owners_free(o);
        return "(no error)";
    }
    ink_error_format(&err, buf, sizeof buf);
    return buf;
}

#define CHECK_ERROR(text, want)                                                \
    do {                                                                       \
        ink_status st_;                                                        \
        CHECK_STR(parse_error_n(text, strlen(text), &st_), want);              \
        CHECK_INT(st_, INK_DATA);                                              \
    } while (0)

static const char *const full =
    "\xEF\xBB\xBF# comment\r\n"
    "  ; another comment\r\n"
    "\r\n"
    "[recovery_rate]\r\n"
    "owner=Anna Weber, Head of Collections\r\n"
    "\ttarget   =   >=   30%  \r\n"
    "action = Move placements # not a comment\r\n"
    "\n"
    "  [ valid_contact_rate   segment=B2C  region=\"Nord, \\\"Ost\\\"\" ]\n"
    "owner = Data team (Jonas)\n"
    "target = >=0.9\n"
    "action = Run enrichment\n"
    "[avg_days_to_resolution]\n"
    "owner = Ops\ntarget = <= 45\naction = Shorten\n"
    "[realization_rate_90d]\nowner = A\ntarget = >= 100%\naction = B\n"
    "[response_rate.sms]\nowner = A\ntarget = >= 0\naction = B\n"
    "[cost_per_case segment=B2B]\nowner = F\ntarget = <= 12.5\naction = R";

static void test_parse_valid(void)
{
    ink_owners *o = parse_ok(full);
    if (!o)
        return;
    CHECK_STR(ink_owners_name(o), "t.conf");
    CHECK_INT(ink_owners_count(o), 6);
    const ink_owners_entry *e = ink_owners_entry_at(o, 0);
    CHECK_STR(e->kpi, "recovery_rate");
    CHECK_INT(e->scope_count, 0);
    CHECK_STR(e->owner, "Anna Weber, Head of Collections");
    CHECK_INT(e->op, INK_OWNERS_AT_LEAST);
    CHECK_DBL(e->target, 0.3);
    CHECK_STR(e->target_text, ">=   30%");
    CHECK_STR(e->action, "Move placements # not a comment");
    CHECK_INT(e->line, 4);
    CHECK_INT(e->unit, INK_OWNERS_RATE);

    e = ink_owners_entry_at(o, 1);
    CHECK_STR(e->kpi, "valid_contact_rate");
    CHECK_INT(e->scope_count, 2);
    CHECK_STR(e->scope[0].dim, "region"); /* sorted by dim */
    CHECK_STR(e->scope[0].value, "Nord, \"Ost\"");
    CHECK_STR(e->scope[1].dim, "segment");
    CHECK_STR(e->scope[1].value, "B2C");
    CHECK_DBL(e->target, 0.9);
    CHECK_STR(e->owner, "Data team (Jonas)");
    CHECK_INT(e->line, 9);

    e = ink_owners_entry_at(o, 2);
    CHECK_INT(e->op, INK_OWNERS_AT_MOST);
    CHECK_DBL(e->target, 45);
    CHECK_INT(e->unit, INK_OWNERS_DAYS);
    CHECK_INT(e->line, 13);

    e = ink_owners_entry_at(o, 3);
    CHECK_STR(e->kpi, "realization_rate_90d");
    CHECK_DBL(e->target, 1.0);
    CHECK_INT(e->unit, INK_OWNERS_RATE);

    e = ink_owners_entry_at(o, 4);
    CHECK_STR(e->kpi, "response_rate.sms");
    CHECK_DBL(e->target, 0);
    CHECK_INT(e->unit, INK_OWNERS_RATE);

    e = ink_owners_entry_at(o, 5);
    CHECK_STR(e->kpi, "cost_per_case");
    CHECK_INT(e->unit, INK_OWNERS_MONEY);
    CHECK_INT(e->op, INK_OWNERS_AT_MOST);
    CHECK_DBL(e->target, 12.5);
    CHECK_STR(e->action, "R"); /* no newline at the end of the file */
    CHECK_INT(e->line, 25);
    CHECK(ink_owners_entry_at(o, 6) == NULL);
    ink_owners_free(o);

    /* Empty, and only comments: valid, no entries. */
    o = parse_ok("");
    CHECK_INT(ink_owners_count(o), 0);
    ink_owners_free(o);
    o = parse_ok("# nothing\n\n   \n");
    CHECK_INT(ink_owners_count(o), 0);
    ink_owners_free(o);

    /* Units of the other KPI forms; 7.5% is exactly 0.075. */
    o = parse_ok("[eligible_cases_30d]\nowner=a\ntarget=>=10\naction=b\n"
                 "[cases_per_fte]\nowner=a\ntarget=>=1000.25\naction=b\n"
                 "[first_contact_resolution_rate cohort_month=2025-01]\n"
                 "owner=a\ntarget=>=7.5%\naction=b\n");
    CHECK_INT(ink_owners_entry_at(o, 0)->unit, INK_OWNERS_COUNT);
    CHECK_INT(ink_owners_entry_at(o, 1)->unit, INK_OWNERS_NUMBER);
    CHECK_DBL(ink_owners_entry_at(o, 1)->target, 1000.25);
    CHECK_DBL(ink_owners_entry_at(o, 2)->target, 0.075);
    CHECK_STR(ink_owners_entry_at(o, 2)->scope[0].value, "2025-01");
    ink_owners_free(o);
    ink_owners_free(NULL);
}

#define SECTION_BODY "owner = A\ntarget = >= 0.3\naction = B\n"

static void test_parse_errors(void)
{
    CHECK_ERROR("owner = x\n", "t.conf:1:1: expected a section [kpi] before "
                               "the first key, got owner");
    CHECK_ERROR("[recovry_rate]\n",
                "t.conf:1:2: unknown KPI \"recovry_rate\": expected a KPI "
                "name (did you mean recovery_rate?)");
    CHECK_ERROR("[realization_rate_030d]\n",
                "t.conf:1:2: unknown KPI \"realization_rate_030d\": expected "
                "a KPI name (did you mean realization_rate_30d?)");
    CHECK_ERROR("[bogus_thing_xyz]\n",
                "t.conf:1:2: unknown KPI \"bogus_thing_xyz\": expected a key "
                "of \"kpis\" of inkasso kpi --format json, or cost_per_case, "
                "cases_per_fte, resolved_per_fte");
    CHECK_ERROR("[]\n", "t.conf:1:2: expected a KPI name after '[', got "
                        "\"]\"");
    CHECK_ERROR("[recovery_rate segment=B2X]\n",
                "t.conf:1:24: segment: expected B2C or B2B, got \"B2X\"");
    CHECK_ERROR("[recovery_rate currency=eur]\n",
                "t.conf:1:25: currency: expected a currency code of 3 "
                "upper-case letters, got \"eur\"");
    CHECK_ERROR("[recovery_rate cohort_month=2025-13]\n",
                "t.conf:1:29: cohort_month: expected a month YYYY-MM, got "
                "\"2025-13\"");
    CHECK_ERROR("[recovery_rate age_bucket=0-31]\n",
                "t.conf:1:27: age_bucket: expected 0-30, 31-90, 91-180, "
                "181-365, 366+ or unknown, got \"0-31\"");
    CHECK_ERROR("[recovery_rate segment=B2C segment=B2B]\n",
                "t.conf:1:28: dimension segment given twice");
    CHECK_ERROR("[recovery_rate a=1 b=2 c=3 d=4 e=5]\n",
                "t.conf:1:32: expected at most 4 dim=value pairs, got more");
    CHECK_ERROR("[recovery_rate seg/ment=B2C]\n",
                "t.conf:1:19: expected '=' after the dimension seg, got "
                "\"/ment=B2C]\"");
    CHECK_ERROR("[recovery_rate region=]\n",
                "t.conf:1:23: region: expected a value after '=', got \"]\"");
    CHECK_ERROR("[recovery_rate region=\"Nord]\n",
                "t.conf:1:29: region: expected '\"' to close the value, got "
                "end of line");
    CHECK_ERROR("[recovery_rate\n", "t.conf:1:15: expected ']' to close the "
                                    "section, got end of line");
    CHECK_ERROR("[recovery_rate] x\n",
                "t.conf:1:17: expected end of line after ']', got \"x\"");
    CHECK_ERROR("[cost_per_case region=Nord]\n",
                "t.conf:1:16: cost_per_case comes from costs.csv: expected "
                "segment as its only dimension, got region");
    CHECK_ERROR("[recovery_rate]\n" SECTION_BODY "\n [recovery_rate]\n",
                "t.conf:6:2: duplicate section [recovery_rate]: the same KPI "
                "and scope are already at line 1");
    CHECK_ERROR("[recovery_rate segment=B2C region=Nord]\n" SECTION_BODY
                "[recovery_rate region=Nord segment=B2C]\n",
                "t.conf:5:1: duplicate section [recovery_rate]: the same KPI "
                "and scope are already at line 1");
    CHECK_ERROR("[recovery_rate]\nowner = A\naction = B\n",
                "t.conf:1:1: section [recovery_rate] has no target: expected "
                "a line target = >= or <= and a number");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 1%\naction = B\n",
                "t.conf:1:1: section [recovery_rate] has no owner: expected a "
                "line owner = <who answers for it>");
    CHECK_ERROR("[recovery_rate]\nowner = A\ntarget = >= 1%\n"
                "[reachability_rate]\n",
                "t.conf:1:1: section [recovery_rate] has no action: expected "
                "a line action = <what to do when the target is missed>");
    CHECK_ERROR("[recovery_rate]\nownr = A\n",
                "t.conf:2:1: unknown key \"ownr\": expected owner, target or "
                "action");
    CHECK_ERROR("[recovery_rate]\nowner = A\n  owner = B\n",
                "t.conf:3:3: owner given twice in section [recovery_rate] "
                "(first at line 2)");
    CHECK_ERROR("[recovery_rate]\nowner A\n",
                "t.conf:2:7: expected '=' after owner, got \"A\"");
    CHECK_ERROR("[recovery_rate]\nowner =   \n",
                "t.conf:2:11: owner: expected a value after '=', got end of "
                "line");
    CHECK_ERROR("[recovery_rate]\n= A\n",
                "t.conf:2:1: expected a section [kpi] or a key (owner, "
                "target, action), got \"= A\"");
    CHECK_ERROR("[recovery_rate]\ntarget = 30%\n",
                "t.conf:2:10: target: expected >= or <= and a number, got "
                "\"30%\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= abc\n",
                "t.conf:2:13: target: expected a number (at most 15 digits) "
                "after >=, got \"abc\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 1.\n",
                "t.conf:2:13: target: expected a number (at most 15 digits) "
                "after >=, got \"1.\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= -1\n",
                "t.conf:2:13: target: expected a number (at most 15 digits) "
                "after >=, got \"-1\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 1234567890123456\n",
                "t.conf:2:13: target: expected a number (at most 15 digits) "
                "after >=, got \"1234567890123456\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 30\n",
                "t.conf:2:13: target: recovery_rate is a fraction: expected a "
                "number from 0 to 1 or a percentage, got \"30\" (30%?)");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 130%\n",
                "t.conf:2:13: target: expected a percentage from 0% to 100%, "
                "got \"130%\"");
    CHECK_ERROR("[avg_days_to_resolution]\ntarget = <= 40%\n",
                "t.conf:2:15: target: avg_days_to_resolution is not a share: "
                "expected a number without %, got \"40%\"");
    CHECK_ERROR("[recovery_rate]\ntarget = >= 0.3 x\n",
                "t.conf:2:17: target: expected end of value after the number, "
                "got \"x\"");
    /* Bytes: not UTF-8, control bytes; columns count characters. */
    CHECK_ERROR("[recovery_rate]\nowner = M\xfcller\n",
                "t.conf:2:10: expected UTF-8 text, got byte 0xfc");
    CHECK_ERROR("[recovery_rate]\nowner = \xc3\xa4\xc0\x80\n",
                "t.conf:2:10: expected UTF-8 text, got byte 0xc0");
    CHECK_ERROR("[recovery_rate]\nowner = \xed\xa0\x80\n",
                "t.conf:2:9: expected UTF-8 text, got byte 0xed");
    CHECK_ERROR("[recovery_rate]\nowner = a\x01"
                "b\n",
                "t.conf:2:10: expected text, got control byte 0x01");
    {
        ink_status st;
        const char nul[] = "[recovery_rate]\nowner = a\0b\n";
        CHECK_STR(parse_error_n(nul, sizeof nul - 1, &st),
                  "t.conf:2:10: expected text, got control byte 0x00");
        CHECK_INT(st, INK_DATA);
    }

    /* Lines: 1024 bytes is the limit, the newline not counted. */
    char line[1100];
    memset(line, 'x', sizeof line);
    line[0] = '#';
    line[1024] = '\n';
    line[1025] = '\0';
    ink_owners *o = parse_ok(line);
    ink_owners_free(o);
    line[1024] = 'x';
    line[1025] = '\n';
    line[1026] = '\0';
    CHECK_ERROR(line, "t.conf:1:1: expected a line of at most 1024 bytes, got "
                      "1025");

    /* Sections: at most 1000. */
    size_t cap = 1001 * 128;
    char *many = malloc(cap);
    size_t n = 0;
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(many + n, cap - n,
                              "[recovery_rate region=R%d]\n" SECTION_BODY, i);
    CHECK_ERROR(many, "t.conf:4001:1: expected at most 1000 sections, got "
                      "more");
    /* 1000 of them are fine. */
    char *cut = strstr(many, "[recovery_rate region=R1000]");
    *cut = '\0';
    o = parse_ok(many);
    CHECK_INT(ink_owners_count(o), 1000);
    ink_owners_free(o);
    free(many);

    /* The size limit is checked before anything is read. */
    ink_status st;
    CHECK_STR(parse_error_n("", INK_OWNERS_FILE_MAX + 1, &st),
              "t.conf: expected an owners file of at most 1048576 bytes, got "
              "1048577");
    CHECK_INT(st, INK_LIMIT);
}

static void test_load(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/no_such_owners.conf", data_dir());
    ink_owners *o = (ink_owners *)1;
    ink_error err;
    CHECK_INT(ink_owners_load(path, &o, &err), INK_IO);
    CHECK(o == NULL);
    CHECK_STR(err.message, "cannot open: No such file or directory");
    CHECK_STR(err.file, path);

    /* A real file: its path is the name in messages. */
    char tmp[] = "/tmp/test_owners_XXXXXX";
    int fd = mkstemp(tmp);
    CHECK(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[recovery_rate]\nowner = A\ntarget = >= 2\n", f);
    fclose(f);
    CHECK_INT(ink_owners_load(tmp, &o, &err), INK_DATA);
    CHECK_STR(err.file, tmp);
    CHECK_INT(err.line, 3);
    CHECK_INT(err.column, 13);
    f = fopen(tmp, "w");
    fputs("[recovery_rate]\nowner = A\ntarget = >= 0.2\naction = B\n", f);
    fclose(f);
    CHECK_INT(ink_owners_load(tmp, &o, &err), INK_OK);
    CHECK_INT(ink_owners_count(o), 1);
    CHECK_STR(ink_owners_name(o), tmp);
    ink_owners_free(o);
    remove(tmp);
}

static ink_portfolio *load_fixture(const char *name)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", data_dir(), name);
    ink_portfolio *p = NULL;
    ink_error err;
    if (ink_portfolio_load(dir, NULL, &p, &err) != INK_OK)
        fprintf(stderr, "load %s: %s\n", dir, err.message);
    CHECK(p != NULL);
    return p;
}

/* The verdicts of text on p at as_of (NULL on failure). */
static ink_owners_verdicts *judge(const char *text, const ink_portfolio *p,
                                  const char *as_of, ink_owners **o)
{
    *o = parse_ok(text);
    if (!*o)
        return NULL;
    ink_kpi_options opt;
    ink_kpi_options_init(&opt);
    if (as_of)
        ink_parse_date(as_of, strlen(as_of), &opt.as_of);
    ink_owners_verdicts *v = NULL;
    ink_error err;
    ink_status st = ink_owners_judge(*o, p, &opt, &v, &err);
    if (st != INK_OK)
        fprintf(stderr, "judge: %s\n", err.message);
    CHECK_INT(st, INK_OK);
    return v;
}

#define ENTRY(kpi, target)                                                     \
    "[" kpi "]\nowner = O\ntarget = " target "\naction = A\n"

/* Values of tests/data/kpi_small/DERIVATION.md at A = 2025-03-31. */
static void test_judge_small(void)
{
    ink_portfolio *p = load_fixture("kpi_small");
    if (!p)
        return;
    ink_owners *o;
    ink_owners_verdicts *v = judge(
        ENTRY("recovery_rate", ">= 30%")                             /* 0 */
        ENTRY("recovery_rate segment=B2C", ">= 0.35")                /* 1 */
        ENTRY("realization_rate_60d", ">= 0.46")                     /* 2 */
        ENTRY("realization_rate_90d", ">= 0.1")                      /* 3 */
        ENTRY("avg_days_to_resolution", "<= 45")                     /* 4 */
        ENTRY("first_contact_resolution_rate segment=B2B", ">= 30%") /* 5 */
        ENTRY("valid_contact_rate segment=B2C", ">= 0.7")            /* 6 */
        ENTRY("response_rate.email", ">= 50%")                       /* 7 */
        ENTRY("response_rate.portal", ">= 50%")                      /* 8 */
        ENTRY("reachability_rate region=Nord", ">= 100%")            /* 9 */
        ENTRY("cost_per_case segment=B2C", "<= 80")                  /* 10 */
        ENTRY("cost_per_case", "<= 7.99")                            /* 11 */
        ENTRY("cases_per_fte segment=B2B", ">= 3")                   /* 12 */
        ENTRY("recovery_rate region=West", ">= 0.1")                 /* 13 */
        ENTRY("collected_amount segment=B2B", ">= 1300")             /* 14 */
        ENTRY("eligible_cases_30d", ">= 6")                          /* 15 */
        ENTRY("avg_days_first_contact_to_payment", "<= 15")          /* 16 */
        ENTRY("resolved_per_fte segment=B2C", ">= 1.5"),             /* 17 */
        p, "2025-03-31", &o);
    if (!v) {
        ink_owners_free(o);
        ink_portfolio_free(p);
        return;
    }
    CHECK_INT(ink_owners_verdicts_as_of(v), ink_days_from_civil(2025, 3, 31));
    CHECK_INT(ink_owners_verdict_count(v), 18);
    const ink_owners_verdict *x;
#define V(i) (x = ink_owners_verdict_at(v, i))
    /* 1489.50 / 5231.50 */
    CHECK_DBL(V(0)->value, 2979.0 / 10463.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_INT(x->scope_count, 0);
    CHECK_STR(x->currency, "EUR");
    CHECK(x->benchmark == NULL);
    CHECK(x->period == NULL);
    CHECK(x->entry == ink_owners_entry_at(o, 0));
    /* 189.5 / 530.75 */
    CHECK_DBL(V(1)->value, 758.0 / 2123.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_INT(x->scope_count, 1);
    CHECK_STR(x->scope[0].value, "B2C");
    CHECK_DBL(V(2)->value, 1451.0 / 3101.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    /* No case has lived 90 days at A. */
    CHECK(isnan(V(3)->value));
    CHECK_INT(x->status, INK_OWNERS_NO_VALUE);
    /* (35 + 40 + 69) / 3 */
    CHECK_DBL(V(4)->value, 48.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK(x->benchmark != NULL);
    CHECK_DBL(x->benchmark->low, 30);
    CHECK_DBL(x->benchmark->high, 60);
    CHECK_INT(x->benchmark->lower_is_better, 1);
    CHECK(x->currency == NULL);
    /* C5 had two contacts: 0 / 1 */
    CHECK_DBL(V(5)->value, 0.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_DBL(x->benchmark->low, 0.30);
    /* 7 / 10 is 0.7 exactly as the target: met. */
    CHECK_DBL(V(6)->value, 0.7);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_DBL(V(7)->value, 0.5);
    CHECK_INT(x->status, INK_OWNERS_MET);
    /* portal is inbound only: not a channel of response_rate. */
    CHECK(isnan(V(8)->value));
    CHECK_INT(x->status, INK_OWNERS_NO_VALUE);
    /* Nord: D2 and D5 reached of D2, D5 attempted. */
    CHECK_DBL(V(9)->value, 1.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_STR(x->scope[0].dim, "region");
    /* March is complete at 03-31: B2C 310 / 4 cases. */
    CHECK_DBL(V(10)->value, 77.5);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_STR(x->period, "2025-03");
    CHECK_STR(x->currency, "EUR");
    CHECK(x->benchmark != NULL);
    CHECK_STR(x->benchmark->segment, "B2C");
    CHECK_DBL(x->benchmark->high, 3);
    /* The whole operation has only 2025-02: 40 / 5. */
    CHECK_DBL(V(11)->value, 8.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_STR(x->period, "2025-02");
    CHECK(x->benchmark == NULL); /* no segment: no cost benchmark */
    /* B2B March: 3 active / 1.0 fte. */
    CHECK_DBL(V(12)->value, 3.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK(x->currency == NULL);
    CHECK(isnan(V(13)->value));
    CHECK_INT(x->status, INK_OWNERS_NO_VALUE);
    CHECK_INT(x->scope_count, 1);
    CHECK_DBL(V(14)->value, 1300.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_DBL(V(15)->value, 5.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    /* 73 / 4 */
    CHECK_DBL(V(16)->value, 18.25);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_DBL(x->benchmark->high, 15);
    /* B2C March: 1 resolved (C3) / 0.6 fte. */
    CHECK_DBL(V(17)->value, 1.0 / 0.6);
    CHECK_INT(x->status, INK_OWNERS_MET);
    ink_owners_verdicts_free(v);
    ink_owners_free(o);

    /* At 03-20 March is not complete: February's B2C 250.50 / 3 cases. */
    v = judge(ENTRY("cost_per_case segment=B2C", "<= 80"), p, "2025-03-20", &o);
    CHECK_DBL(V(0)->value, 83.5);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_STR(x->period, "2025-02");
    ink_owners_verdicts_free(v);
    ink_owners_free(o);
    /* At 2025-01-30 no month is complete: no value. */
    v = judge(ENTRY("cost_per_case segment=B2C", "<= 80"), p, "2025-01-30", &o);
    CHECK(isnan(V(0)->value));
    CHECK_INT(x->status, INK_OWNERS_NO_VALUE);
    CHECK(x->period == NULL);
    ink_owners_verdicts_free(v);
    ink_owners_free(o);

    /* No owners: no verdicts, as_of from the data (C4 closed 04-05). */
    ink_owners_verdicts *none = NULL;
    ink_error err;
    CHECK_INT(ink_owners_judge(NULL, p, NULL, &none, &err), INK_OK);
    CHECK_INT(ink_owners_verdict_count(none), 0);
    CHECK_INT(ink_owners_verdicts_as_of(none), ink_days_from_civil(2025, 4, 5));
    ink_owners_verdicts_free(none);

    /* A dimension that is not a column of this portfolio. */
    o = parse_ok(ENTRY("recovery_rate partner=X", ">= 0.1"));
    none = (ink_owners_verdicts *)1;
    CHECK_INT(ink_owners_judge(o, p, NULL, &none, &err), INK_DATA);
    CHECK(none == NULL);
    char buf[1024];
    ink_error_format(&err, buf, sizeof buf);
    CHECK_STR(buf, "t.conf:1:16: unknown dimension \"partner\": expected a "
                   "column of cases.csv (this portfolio has no such column) "
                   "or cohort_month, cohort_quarter, cohort_year, "
                   "age_bucket");
    CHECK_INT(ink_owners_check(o, p, &err), INK_DATA);
    ink_owners_free(o);
    CHECK_INT(ink_owners_check(NULL, p, &err), INK_OK);
    ink_portfolio_free(p);
#undef V
}

/* tests/data/kpi_currency at 2025-03-31: EUR and CHF. */
static void test_judge_currency(void)
{
    ink_portfolio *p = load_fixture("kpi_currency");
    if (!p)
        return;
    ink_owners *o;
    ink_owners_verdicts *v = judge(
        ENTRY("recovery_rate", ">= 0.3") ENTRY("reachability_rate", ">= 0.9")
            ENTRY("valid_contact_rate segment=B2B", ">= 0.5")
                ENTRY("recovery_rate currency=CHF", ">= 0.25"),
        p, "2025-03-31", &o);
    if (!v) {
        ink_owners_free(o);
        ink_portfolio_free(p);
        return;
    }
    const ink_owners_verdict *x;
#define V(i) (x = ink_owners_verdict_at(v, i))
    CHECK_INT(ink_owners_verdict_count(v), 5);
    /* Money: one verdict per currency, CHF first. 50.05 / 200.05 */
    CHECK_DBL(V(0)->value, 1001.0 / 4001.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_INT(x->scope_count, 1);
    CHECK_STR(x->scope[0].dim, "currency");
    CHECK_STR(x->scope[0].value, "CHF");
    CHECK_STR(x->currency, "CHF");
    /* 750.50 / 1600.50 */
    CHECK_DBL(V(1)->value, 1501.0 / 3201.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_STR(x->scope[0].value, "EUR");
    /* Not money, no scope: the whole portfolio, E2 and E3 of 3. */
    CHECK_DBL(V(2)->value, 2.0 / 3.0);
    CHECK_INT(x->status, INK_OWNERS_MISSED);
    CHECK_INT(x->scope_count, 0);
    /* Scoped: split by currency; B2B is EUR only: R3 invalid, R4 valid. */
    CHECK_DBL(V(3)->value, 0.5);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_INT(x->scope_count, 2);
    CHECK_STR(x->scope[0].dim, "currency");
    CHECK_STR(x->scope[0].value, "EUR");
    CHECK_STR(x->scope[1].dim, "segment");
    CHECK_STR(x->scope[1].value, "B2B");
    /* Currency in the scope: judged once. */
    CHECK_DBL(V(4)->value, 1001.0 / 4001.0);
    CHECK_INT(x->status, INK_OWNERS_MET);
    CHECK_INT(x->scope_count, 1);
    ink_owners_verdicts_free(v);
    ink_owners_free(o);
    ink_portfolio_free(p);
#undef V
}

static char *json_of(const ink_owners_verdicts *v, int whole)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    CHECK_INT(whole ? ink_owners_write_json(v, f)
                    : ink_owners_write_verdicts_json(v, f),
              INK_OK);
    fclose(f);
    return text;
}

static void test_json(void)
{
    ink_portfolio *p = load_fixture("kpi_small");
    if (!p)
        return;
    ink_owners *o;
    ink_owners_verdicts *v = judge(
        "[avg_days_to_resolution]\nowner = Ops \"A\"\\B\ntarget = <= "
        "45\naction = Shorten\n" ENTRY("cost_per_case segment=B2C", "<= 80"),
        p, "2025-03-31", &o);
    char *text = json_of(v, 0);
    CHECK_STR(text,
              "[\n{\"kpi\":\"avg_days_to_resolution\",\"scope\":null,"
              "\"owner\":\"Ops \\\"A\\\"\\\\B\",\"target\":{\"op\":\"<=\","
              "\"value\":45,\"text\":\"<= 45\"},\"action\":\"Shorten\","
              "\"value\":48,\"status\":\"missed\",\"benchmark\":{\"low\":30,"
              "\"high\":60,\"better\":\"lower\"},\"unit\":\"days\","
              "\"currency\":null,\"period\":null,\"line\":1},\n"
              "{\"kpi\":\"cost_per_case\",\"scope\":{\"segment\":\"B2C\"},"
              "\"owner\":\"O\",\"target\":{\"op\":\"<=\",\"value\":80,"
              "\"text\":\"<= 80\"},\"action\":\"A\",\"value\":77.5,"
              "\"status\":\"met\",\"benchmark\":{\"low\":0,\"high\":3,"
              "\"better\":\"lower\"},\"unit\":\"money\",\"currency\":\"EUR\","
              "\"period\":\"2025-03\",\"line\":5}]");
    free(text);
    text = json_of(v, 1);
    const char *head = "{\"as_of\":\"2025-03-31\",\"owners\":[\n{\"kpi\":"
                       "\"avg_days_to_resolution\"";
    CHECK(text && strncmp(text, head, strlen(head)) == 0);
    CHECK(text && strstr(text, "\n\"benchmarks\":[\n{\"kpi\":"
                               "\"avg_days_to_resolution\",\"scope\":null,"
                               "\"low\":30,\"high\":60,\"better\":\"lower\","
                               "\"note\":\"industry reference: 30-60 days "
                               "handling\"},\n"));
    CHECK(text && strstr(text, "{\"kpi\":\"first_contact_resolution_rate\","
                               "\"scope\":null,\"low\":0.3,\"high\":0.5,"
                               "\"better\":\"higher\","));
    CHECK(text && strstr(text, "\n{\"kpi\":\"cost_per_case\",\"scope\":{"
                               "\"currency\":\"EUR\",\"segment\":\"B2B\"},"
                               "\"low\":0,\"high\":15,\"better\":\"lower\","
                               "\"note\":\"industry reference: up to EUR 15 "
                               "per case in B2B\"}]}\n"));
    free(text);
    ink_owners_verdicts_free(v);
    ink_owners_free(o);

    /* Without owners: an empty list and the benchmarks. */
    ink_error err;
    CHECK_INT(ink_owners_judge(NULL, p, NULL, &v, &err), INK_OK);
    text = json_of(v, 1);
    head = "{\"as_of\":\"2025-04-05\",\"owners\":[],\n\"benchmarks\":[\n";
    CHECK(text && strncmp(text, head, strlen(head)) == 0);
    free(text);
    ink_owners_verdicts_free(v);
    ink_portfolio_free(p);
}

static void test_benchmarks(void)
{
    CHECK_INT(ink_owners_benchmark_count(), 5);
    const ink_owners_benchmark *b = ink_owners_benchmark_at(1);
    CHECK_STR(b->kpi, "avg_days_first_contact_to_payment");
    CHECK_DBL(b->low, 5);
    CHECK_DBL(b->high, 15);
    b = ink_owners_benchmark_at(3);
    CHECK_STR(b->kpi, "cost_per_case");
    CHECK_STR(b->segment, "B2C");
    CHECK_STR(b->currency, "EUR");
    CHECK(ink_owners_benchmark_at(5) == NULL);
    CHECK_STR(ink_owners_status_name(INK_OWNERS_MET), "met");
    CHECK_STR(ink_owners_status_name(INK_OWNERS_MISSED), "missed");
    CHECK_STR(ink_owners_status_name(INK_OWNERS_NO_VALUE), "no_value");
}

int main(void)
{
    test_parse_valid();
    test_parse_errors();
    test_load();
    test_judge_small();
    test_judge_currency();
    test_json();
    test_benchmarks();
    return check_report("owners");
}
