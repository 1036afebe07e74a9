/* Loader tests: every invalid kind of the contract at its exact place,
 * the columnar result, lenient accounting, and parallel = sequential. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "helpers.h"
#include "inkasso/inkasso.h"
#include "io/csv.h"

static char tmpdir[256];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!text) {
        unlink(path);
        return;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static const char base_cases[] =
    "case_id,debtor_id,creditor_id,segment,sector,region,risk_class,"
    "portfolio,handler,opened_on,due_on,amount,currency,closed_on,"
    "close_reason\n"
    "C1,D1,K1,B2C,telecom,Nord,A,P1,inhouse,2025-01-10,2024-12-01,100.50,"
    "EUR,2025-02-01,paid\n"
    "C2,D1,K1,B2B,utilities,S\xc3\xbc"
    "d,B,P1,agency1,2025-01-15,,200,EUR,,\n"
    "C3,D2,,B2C,,,,,,2025-03-02,,50,CHF,,\n";

static const char base_payments[] =
    "payment_id,case_id,paid_on,amount,currency,method\n"
    "P1,C1,2025-01-25,50.25,EUR,card\n"
    "P2,C1,2025-01-20,50.25,EUR,\n"
    "P3,C2,2025-02-01,-10,EUR,bank_transfer\n";

static const char base_contacts[] =
    "contact_id,case_id,at,channel,direction,outcome,automated,agent_id,cost\n"
    "K1,C2,2025-01-17T09:00:00,portal,in,responded,,,\n"
    "K2,C1,2025-01-11T10:00:00+01:00,phone,out,responded,0,A7,1.50\n"
    "K3,C2,2025-01-16T10:00:00Z,email,out,invalid,1,,0.01\n"
    "K4,C3,2025-03-02T00:15:00+02:00,sms,out,delivered,1,,\n";

static const char base_costs[] = "period,segment,fte,cost,currency\n"
                                 "2025-01,B2C,2.50,1000.00,EUR\n"
                                 "2025-01,,1,50,EUR\n";

/* One portfolio folder: NULL means "the base file". */
typedef struct files {
    const char *cases, *payments, *contacts, *costs;
} files;

static void write_portfolio(const files *f, int costs)
{
    write_file(tmpdir, "cases.csv", f->cases ? f->cases : base_cases);
    write_file(tmpdir, "payments.csv",
               f->payments ? f->payments : base_payments);
    write_file(tmpdir, "contacts.csv",
               f->contacts ? f->contacts : base_contacts);
    write_file(tmpdir, "costs.csv",
               costs ? (f->costs ? f->costs : base_costs) : NULL);
}

/* Loads the folder strictly (threads: 1, or 4 with tiny chunks) and
 * returns the formatted error, or "" on success. */
static const char *load_error(int threads, ink_status *status)
{
    static char text[1024];
    ink_load_options opt;
    ink_load_options_init(&opt);
    opt.threads = threads;
    opt.parallel_min_bytes = 1;
    ink_portfolio *p = NULL;
    ink_error err;
    ink_status st = ink_portfolio_load(tmpdir, &opt, &p, &err);
    if (status)
        *status = st;
    if (st == INK_OK) {
        ink_portfolio_free(p);
        return "";
    }
    CHECK(p == NULL);
    ink_error_format(&err, text, sizeof text);
    return text;
}

typedef struct invalid_case {
    files f;
    const char *error;
} invalid_case;

#define CASES_HEADER                                                           \
    "case_id,debtor_id,creditor_id,segment,sector,region,risk_class,"          \
    "portfolio,handler,opened_on,due_on,amount,currency,closed_on,"            \
    "close_reason\n"
#define C1_ROW                                                                 \
    "C1,D1,K1,B2C,telecom,Nord,A,P1,inhouse,2025-01-10,2024-12-01,100.50,"     \
    "EUR,2025-02-01,paid\n"
#define PAY_HEADER "payment_id,case_id,paid_on,amount,currency,method\n"
#define CON_HEADER                                                             \
    "contact_id,case_id,at,channel,direction,outcome,automated,agent_id,"      \
    "cost\n"
#define COST_HEADER "period,segment,fte,cost,currency\n"

/* Each expected message is written by hand from the contract and the
 * fixture: file, physical line, column position, field, reason. */
static const invalid_case invalid_cases[] = {
    /* Header errors. */
    {{"case_id,debtor_id,segment,opened_on,currency\nC1,D1,B2C,2025-01-01,"
      "EUR\n",
      NULL, NULL, NULL},
     "cases.csv:1: missing required column \"amount\""},
    {{"case_id,debtor_id,case_id\n", NULL, NULL, NULL},
     "cases.csv:1:3: duplicate column \"case_id\" (also column 1)"},
    {{"", NULL, NULL, NULL}, "cases.csv: empty file: expected a header line"},
    {{NULL, "payment_id,case_id,paid_on,amount\n", NULL, NULL},
     "payments.csv:1: missing required column \"currency\""},
    {{NULL, NULL, "contact_id,case_id,at,channel,direction\n", NULL},
     "contacts.csv:1: missing required column \"outcome\""},
    {{NULL, NULL, NULL, "period,fte,cost\n"},
     "costs.csv:1: missing required column \"currency\""},
    /* cases.csv rows. */
    {{CASES_HEADER "C1,,K1,B2C,,,,,,2025-01-10,,1,EUR,,\n", NULL, NULL, NULL},
     "cases.csv:2:2: debtor_id: required field is missing"},
    {{CASES_HEADER "C1,D1,K1,B2C,,,,,,2025-02-30,,1,EUR,,\n", NULL, NULL, NULL},
     "cases.csv:2:10: opened_on: expected a date YYYY-MM-DD that exists, got "
     "\"2025-02-30\""},
    {{CASES_HEADER "C1,D1,K1,B2C,,,,,,2025-02-01,2025-13-01,1,EUR,,\n", NULL,
      NULL, NULL},
     "cases.csv:2:11: due_on: expected a date YYYY-MM-DD that exists, got "
     "\"2025-13-01\""},
    {{CASES_HEADER C1_ROW "C1,D1,K1,B2C,,,,,,2025-01-10,,1,EUR,,\n", NULL, NULL,
      NULL},
     "cases.csv:3:1: case_id: duplicate case_id \"C1\" (first on line 2)"},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,5,EUR,2025-01-09,paid\n", NULL,
      NULL, NULL},
     "cases.csv:2:14: closed_on: closed_on 2025-01-09 is before opened_on "
     "2025-01-10"},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,5,EUR,,paid\n", NULL, NULL,
      NULL},
     "cases.csv:2:14: closed_on: required when close_reason is given"},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,5,EUR,2025-01-11,\n", NULL,
      NULL, NULL},
     "cases.csv:2:15: close_reason: required when closed_on is given"},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,0,EUR,,\n", NULL, NULL, NULL},
     "cases.csv:2:12: amount: expected an amount > 0, got \"0\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,-5.5,EUR,,\n", NULL, NULL,
      NULL},
     "cases.csv:2:12: amount: expected an amount > 0, got \"-5.5\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,\"12,50\",EUR,,\n", NULL, NULL,
      NULL},
     "cases.csv:2:12: amount: expected a decimal with at most 4 decimals, "
     "got \"12,50\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,1.23456,EUR,,\n", NULL, NULL,
      NULL},
     "cases.csv:2:12: amount: expected a decimal with at most 4 decimals, "
     "got \"1.23456\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,922337203685477.5808,EUR,,\n",
      NULL, NULL, NULL},
     "cases.csv:2:12: amount: expected an amount between "
     "-922337203685477.5807 and 922337203685477.5807, got "
     "\"922337203685477.5808\""},
    {{CASES_HEADER "C1,D1,,b2c,,,,,,2025-01-10,,1,EUR,,\n", NULL, NULL, NULL},
     "cases.csv:2:4: segment: expected B2C or B2B, got \"b2c\""},
    {{CASES_HEADER "C1,D1,, B2C,,,,,,2025-01-10,,1,EUR,,\n", NULL, NULL, NULL},
     "cases.csv:2:4: segment: expected B2C or B2B, got \" B2C\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,1,EUR,2025-01-11,Paid\n", NULL,
      NULL, NULL},
     "cases.csv:2:15: close_reason: expected one of paid, settled, "
     "written_off, recalled, disputed, got \"Paid\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,1,eur,,\n", NULL, NULL, NULL},
     "cases.csv:2:13: currency: expected a currency of 3 upper-case letters "
     "(ISO 4217), got \"eur\""},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,1,EUR,\n", NULL, NULL, NULL},
     "cases.csv:2:15: expected 15 fields like the header, got 14"},
    {{CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,1,EUR,,,x\n", NULL, NULL, NULL},
     "cases.csv:2:16: expected 15 fields like the header, got 16"},
    {{CASES_HEADER C1_ROW "\"C2,D1\n", NULL, NULL, NULL},
     "cases.csv:3:1: unterminated quoted field"},
    {{CASES_HEADER C1_ROW "C2,D\"1,,B2C,,,,,,2025-01-10,,1,EUR,,\n", NULL, NULL,
      NULL},
     "cases.csv:3:2: unexpected quote in an unquoted field"},
    /* A record spanning lines is reported where it starts, and the lines
     * after it are counted physically. */
    {{CASES_HEADER "C1,\"D\n1\",,B2C,,,,,,2025-01-10,,1,EUR,,\n"
                   "\n"
                   "C2,D2,,B2C,,,,,,2025-01-10,,1,EUR,2025-01-10,\n",
      NULL, NULL, NULL},
     "cases.csv:5:15: close_reason: required when closed_on is given"},
    /* A duplicate above the first unparsable row is the first error. */
    {{CASES_HEADER C1_ROW "C1,D1,,B2C,,,,,,2025-01-10,,1,EUR,,\n"
                          "C3,D1,,B2C,,,,,,2025-01-10,,x,EUR,,\n",
      NULL, NULL, NULL},
     "cases.csv:3:1: case_id: duplicate case_id \"C1\" (first on line 2)"},
    /* payments.csv rows. */
    {{NULL, PAY_HEADER "P1,C9,2025-01-20,1,EUR,\n", NULL, NULL},
     "payments.csv:2:2: case_id: unknown case_id \"C9\": not in cases.csv"},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,1,CHF,\n", NULL, NULL},
     "payments.csv:2:5: currency: expected EUR (the currency of case "
     "\"C1\"), got \"CHF\""},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,0.00,EUR,\n", NULL, NULL},
     "payments.csv:2:4: amount: expected a non-zero amount, got \"0.00\""},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,-0,EUR,\n", NULL, NULL},
     "payments.csv:2:4: amount: expected a non-zero amount, got \"-0\""},
    {{NULL, PAY_HEADER "P1,C1,2025-01-09,1,EUR,\n", NULL, NULL},
     "payments.csv:2:3: paid_on: 2025-01-09 is before the case's opened_on "
     "2025-01-10"},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,+5,EUR,\n", NULL, NULL},
     "payments.csv:2:4: amount: expected a decimal with at most 4 decimals, "
     "got \"+5\""},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,1,EUR,\nP1,C1,2025-01-21,2,EUR,\n",
      NULL, NULL},
     "payments.csv:3:1: payment_id: duplicate payment_id \"P1\" (first on "
     "line 2)"},
    {{NULL, PAY_HEADER ",C1,2025-01-20,1,EUR,\n", NULL, NULL},
     "payments.csv:2:1: payment_id: required field is missing"},
    {{NULL, PAY_HEADER "P1,C1,2025-01-20,\"\",EUR,\n", NULL, NULL},
     "payments.csv:2:4: amount: required field is missing"},
    /* contacts.csv rows. */
    {{NULL, NULL, CON_HEADER "K1,C7,2025-03-02T10:00:00,sms,out,invalid,,,\n",
      NULL},
     "contacts.csv:2:2: case_id: unknown case_id \"C7\": not in cases.csv"},
    /* The date as written decides, not the UTC instant. */
    {{NULL, NULL,
      CON_HEADER "K1,C3,2025-03-01T23:30:00-05:00,sms,out,invalid,,,\n", NULL},
     "contacts.csv:2:3: at: 2025-03-01 is before the case's opened_on "
     "2025-03-02"},
    {{NULL, NULL, CON_HEADER "K1,C3,2025-03-02 10:00:00,sms,out,invalid,,,\n",
      NULL},
     "contacts.csv:2:3: at: expected a timestamp YYYY-MM-DDTHH:MM:SS with "
     "optional fraction and Z or +HH:MM, got \"2025-03-02 10:00:00\""},
    {{NULL, NULL, CON_HEADER "K1,C3,2025-03-02T24:00:00,sms,out,invalid,,,\n",
      NULL},
     "contacts.csv:2:3: at: expected a timestamp YYYY-MM-DDTHH:MM:SS with "
     "optional fraction and Z or +HH:MM, got \"2025-03-02T24:00:00\""},
    {{NULL, NULL, CON_HEADER "K1,C3,2025-03-02T10:00:00,,out,invalid,,,\n",
      NULL},
     "contacts.csv:2:4: channel: required field is missing"},
    {{NULL, NULL, CON_HEADER "K1,C3,2025-03-02T10:00:00,sms,OUT,invalid,,,\n",
      NULL},
     "contacts.csv:2:5: direction: expected out or in, got \"OUT\""},
    {{NULL, NULL, CON_HEADER "K1,C3,2025-03-02T10:00:00,sms,out,bounced,,,\n",
      NULL},
     "contacts.csv:2:6: outcome: expected one of invalid, no_response, "
     "delivered, responded, got \"bounced\""},
    {{NULL, NULL,
      CON_HEADER "K1,C3,2025-03-02T10:00:00,phone,in,no_response,,,\n", NULL},
     "contacts.csv:2:6: outcome: expected responded (inbound contacts are "
     "always responded), got \"no_response\""},
    {{NULL, NULL,
      CON_HEADER "K1,C3,2025-03-02T10:00:00,sms,out,invalid,yes,,\n", NULL},
     "contacts.csv:2:7: automated: expected 1, 0 or empty, got \"yes\""},
    {{NULL, NULL,
      CON_HEADER "K1,C3,2025-03-02T10:00:00,sms,out,invalid,1,,0.123456\n",
      NULL},
     "contacts.csv:2:9: cost: expected a decimal with at most 4 decimals, got "
     "\"0.123456\""},
    {{NULL, NULL,
      CON_HEADER "K1,C3,2025-03-02T10:00:00,sms,out,invalid,1,,\n"
                 "K1,C3,2025-03-02T11:00:00,sms,out,invalid,1,,\n",
      NULL},
     "contacts.csv:3:1: contact_id: duplicate contact_id \"K1\" (first on "
     "line 2)"},
    /* costs.csv rows. */
    {{NULL, NULL, NULL, COST_HEADER "2025-13,B2C,1,1,EUR\n"},
     "costs.csv:2:1: period: expected a month YYYY-MM, got \"2025-13\""},
    {{NULL, NULL, NULL, COST_HEADER "2025-01,b2b,1,1,EUR\n"},
     "costs.csv:2:2: segment: expected B2C, B2B or empty, got \"b2b\""},
    {{NULL, NULL, NULL, COST_HEADER "2025-01,B2C,-1,1,EUR\n"},
     "costs.csv:2:3: fte: expected a decimal number >= 0 (at most 18 "
     "digits), got \"-1\""},
    {{NULL, NULL, NULL, COST_HEADER "2025-01,B2C,1,-1,EUR\n"},
     "costs.csv:2:4: cost: expected an amount >= 0, got \"-1\""},
    {{NULL, NULL, NULL,
      COST_HEADER "2025-01,B2C,1,1,EUR\n2025-01,,1,1,CHF\n2025-02,B2C,1,1,"
                  "CHF\n"},
     "costs.csv:4:5: currency: expected EUR like the earlier rows of segment "
     "B2C (line 2), got \"CHF\""},
};

static void test_invalid_kinds(void)
{
    size_t n = sizeof invalid_cases / sizeof invalid_cases[0];
    for (size_t i = 0; i < n; i++) {
        write_portfolio(&invalid_cases[i].f, 1);
        for (int threads = 1; threads <= 4; threads += 3) {
            ink_status st;
            const char *got = load_error(threads, &st);
            if (strcmp(got, invalid_cases[i].error) != 0)
                fprintf(stderr, "invalid case %zu (threads %d):\n", i, threads);
            CHECK_STR(got, invalid_cases[i].error);
            CHECK_INT(st, INK_DATA);
        }
    }
}

static void test_file_order_and_missing_files(void)
{
    /* Errors in two files: cases.csv is checked first. */
    files f = {CASES_HEADER "C1,D1,,B2C,,,,,,2025-01-10,,0,EUR,,\n",
               PAY_HEADER "P1,C9,2025-01-20,1,EUR,\n", NULL, NULL};
    write_portfolio(&f, 1);
    CHECK_STR(load_error(1, NULL),
              "cases.csv:2:12: amount: expected an amount > 0, got \"0\"");

    files base = {NULL, NULL, NULL, NULL};
    write_portfolio(&base, 0);
    ink_status st;
    CHECK_STR(load_error(1, &st), "");
    CHECK_INT(st, INK_OK);
    write_file(tmpdir, "contacts.csv", NULL);
    char want[600];
    snprintf(want, sizeof want, "contacts.csv: missing file %s/contacts.csv",
             tmpdir);
    CHECK_STR(load_error(1, &st), want);
    CHECK_INT(st, INK_IO);
}

static const char *dict_str(const ink_dict *d, uint32_t code)
{
    const char *s = ink_dict_get(d, code, NULL);
    return s ? s : "(null)";
}

static void test_columns(int threads)
{
    files base = {NULL, NULL, NULL, NULL};
    write_portfolio(&base, 1);
    ink_load_options opt;
    ink_load_options_init(&opt);
    opt.threads = threads;
    opt.parallel_min_bytes = 1;
    ink_portfolio *p;
    ink_error err;
    CHECK_INT(ink_portfolio_load(tmpdir, &opt, &p, &err), INK_OK);
    if (!p)
        return;
    const ink_cases *c = ink_portfolio_cases(p);
    CHECK_INT(c->count, 3);
    CHECK_STR(dict_str(c->ids, 1), "C1");
    CHECK_STR(dict_str(c->ids, 3), "C3");
    CHECK_INT(ink_dict_find(c->ids, "C2", 2), 2);
    CHECK_STR(dict_str(c->debtor_id.values, c->debtor_id.codes[1]), "D1");
    CHECK_INT(c->debtor_id.codes[0], c->debtor_id.codes[1]);
    CHECK_INT(c->creditor_id.codes[2], 0);
    CHECK_STR(dict_str(c->region.values, c->region.codes[1]), "S\xc3\xbc"
                                                              "d");
    CHECK_INT(c->segment[1], INK_SEGMENT_B2B);
    CHECK_INT(c->opened_on[0], 20098); /* 2025-01-10 */
    CHECK_INT(c->due_on[0], 20058);    /* 2024-12-01 */
    CHECK_INT(c->due_on[1], INK_DATE_NONE);
    CHECK_INT(c->amount[0], 1005000);
    CHECK_INT(c->amount[1], 2000000);
    CHECK_INT(c->closed_on[0], 20120); /* 2025-02-01 */
    CHECK_INT(c->closed_on[2], INK_DATE_NONE);
    CHECK_INT(c->close_reason[0], INK_CLOSE_PAID);
    CHECK_INT(c->close_reason[1], INK_CLOSE_NONE);
    CHECK_STR(dict_str(c->currency.values, c->currency.codes[2]), "CHF");
    CHECK_INT(c->line[2], 4);
    CHECK_INT(c->extra_count, 0);

    /* Payments grouped by case, by date inside a case. */
    const ink_payments *ps = ink_portfolio_payments(p);
    CHECK_INT(ps->count, 3);
    CHECK_INT(ps->case_offset[0], 0);
    CHECK_INT(ps->case_offset[1], 2);
    CHECK_INT(ps->case_offset[2], 3);
    CHECK_INT(ps->case_offset[3], 3);
    CHECK_STR(dict_str(ps->ids, 1), "P2"); /* 2025-01-20 before P1 */
    CHECK_STR(dict_str(ps->ids, 2), "P1");
    CHECK_INT(ps->line[0], 3);
    CHECK_INT(ps->amount[2], -100000);
    CHECK_INT(ps->method.codes[0], 0);
    CHECK_STR(dict_str(ps->method.values, ps->method.codes[1]), "card");

    const ink_contacts *ct = ink_portfolio_contacts(p);
    CHECK_INT(ct->count, 4);
    /* C1: K2; C2: K3 (01-16) then K1 (01-17); C3: K4. */
    CHECK_STR(dict_str(ct->ids, 1), "K2");
    CHECK_STR(dict_str(ct->ids, 2), "K3");
    CHECK_STR(dict_str(ct->ids, 3), "K1");
    CHECK_STR(dict_str(ct->ids, 4), "K4");
    CHECK_INT(ct->case_offset[1], 1);
    CHECK_INT(ct->case_offset[2], 3);
    CHECK_INT(ct->seconds[0], 36000);
    CHECK_INT(ct->utc_offset_min[0], 60);
    CHECK_INT(ct->utc_offset_min[1], 0);
    CHECK_INT(ct->utc_offset_min[2], INK_OFFSET_NONE);
    CHECK_INT(ct->date[3], 20149); /* 2025-03-02 as written */
    CHECK_INT(ct->direction[2], INK_DIRECTION_IN);
    CHECK_INT(ct->outcome[1], INK_OUTCOME_INVALID);
    CHECK_INT(ct->automated[1], 1);
    CHECK_INT(ct->automated[2], 0); /* empty means 0 */
    CHECK_INT(ct->cost[0], 15000);
    CHECK_INT(ct->cost[3], INK_MONEY_NONE);
    CHECK_STR(dict_str(ct->agent_id.values, ct->agent_id.codes[0]), "A7");
    CHECK_INT(ct->line[2], 2);

    const ink_costs *co = ink_portfolio_costs(p);
    CHECK_INT(co->present, 1);
    CHECK_INT(co->count, 2);
    CHECK_INT(co->period[0], 2025 * 12);
    CHECK_INT(co->segment[0], INK_SEGMENT_B2C);
    CHECK_INT(co->segment[1], INK_SEGMENT_NONE);
    CHECK_INT(co->fte[0].units, 25);
    CHECK_INT(co->fte[0].scale, 1);
    CHECK_INT(co->cost[0], 10000000);

    const ink_file_stats *s = ink_portfolio_file_stats(p, INK_FILE_CONTACTS);
    CHECK_INT(s->read, 4);
    CHECK_INT(s->accepted, 4);
    CHECK_INT(s->rejected, 0);
    ink_portfolio_free(p);
}

/* BOM, CRLF, columns in any order, extra columns, quoted line breaks. */
static void test_format_variants(void)
{
    files f = {
        "\xEF\xBB\xBF"
        "amount,product,case_id,currency,segment,opened_on,debtor_id\r\n"
        "10.5,\"phone, \"\"pro\"\"\nline two\",C1,EUR,B2C,2025-01-10,D1\r\n"
        "\r\n"
        "7,,C2,EUR,B2B,2025-01-11,D2",
        "case_id,amount,paid_on,payment_id,currency,note\r\n"
        "C2,7,2025-01-12,P1,EUR,ignored extra\r\n",
        CON_HEADER, NULL};
    write_portfolio(&f, 0);
    ink_portfolio *p;
    ink_error err;
    CHECK_INT(ink_portfolio_load(tmpdir, NULL, &p, &err), INK_OK);
    if (!p)
        return;
    const ink_cases *c = ink_portfolio_cases(p);
    CHECK_INT(c->count, 2);
    CHECK_INT(c->amount[0], 105000);
    CHECK_INT(c->extra_count, 1);
    CHECK_STR(c->extras[0].name, "product");
    CHECK_STR(dict_str(c->extras[0].values, c->extras[0].codes[0]),
              "phone, \"pro\"\nline two");
    CHECK_INT(c->extras[0].codes[1], 0);
    CHECK_INT(c->line[1], 5); /* header 1, record 2-3, blank 4 */
    CHECK_INT(c->sector.present, 0);
    CHECK_INT(c->segment[1], INK_SEGMENT_B2B);
    const ink_payments *ps = ink_portfolio_payments(p);
    CHECK_INT(ps->count, 1);
    CHECK_INT(ps->case_index[0], 1);
    CHECK_INT(ink_portfolio_costs(p)->present, 0);
    CHECK_INT(ink_portfolio_contacts(p)->count, 0);
    ink_portfolio_free(p);
}

static const char lenient_cases[] = CASES_HEADER C1_ROW
    "C2,D1,,B2C,,,,,,2025-01-10,,0,EUR,,\n"        /* 3: amount 0 */
    "C3,D2,,B2C,,,,,,2025-01-10,,7,EUR,,\n"        /* 4: ok */
    "C1,D3,,B2C,,,,,,2025-01-10,,7,EUR,,\n"        /* 5: duplicate */
    "C4,\"D,4\",,B2B,,,,,,2025-01-10,,7,EUR,,,\n"; /* 6: 16 fields */

static const char lenient_payments[] =
    PAY_HEADER "P1,C1,2025-01-20,5,EUR,\n"  /* ok */
               "P2,C2,2025-01-20,5,EUR,\n"  /* 3: C2 was rejected */
               "P3,C3,2025-01-20,5,EUR,\n"  /* ok */
               "P1,C3,2025-01-21,5,EUR,\n"  /* 5: duplicate */
               "P5,C3,2025-01-21,0,EUR,\n"; /* 6: zero */

static void test_lenient(int threads)
{
    files f = {lenient_cases, lenient_payments, NULL, NULL};
    write_portfolio(&f, 0);
    char rejects[512];
    snprintf(rejects, sizeof rejects, "%s/rejects.csv", tmpdir);
    ink_load_options opt;
    ink_load_options_init(&opt);
    opt.lenient = 1;
    opt.rejects_path = rejects;
    opt.threads = threads;
    opt.parallel_min_bytes = 1;
    ink_portfolio *p;
    ink_error err;
    /* contacts.csv of the base refers to C2 (rejected) and C3, C1. */
    CHECK_INT(ink_portfolio_load(tmpdir, &opt, &p, &err), INK_OK);
    if (!p)
        return;
    const ink_file_stats *cs = ink_portfolio_file_stats(p, INK_FILE_CASES);
    CHECK_INT(cs->read, 5);
    CHECK_INT(cs->accepted, 2);
    CHECK_INT(cs->rejected, 3);
    CHECK_INT(cs->rejected_by_reason[INK_REASON_NONPOSITIVE_AMOUNT], 1);
    CHECK_INT(cs->rejected_by_reason[INK_REASON_DUPLICATE_ID], 1);
    CHECK_INT(cs->rejected_by_reason[INK_REASON_FIELD_COUNT], 1);
    const ink_file_stats *ps = ink_portfolio_file_stats(p, INK_FILE_PAYMENTS);
    CHECK_INT(ps->read, 5);
    CHECK_INT(ps->accepted, 2);
    CHECK_INT(ps->rejected_by_reason[INK_REASON_UNKNOWN_CASE], 1);
    CHECK_INT(ps->rejected_by_reason[INK_REASON_DUPLICATE_ID], 1);
    CHECK_INT(ps->rejected_by_reason[INK_REASON_ZERO_PAYMENT], 1);
    /* Base contacts: K1 and K3 on C2 (rejected), K2 on C1 ok, K4 on C3
     * opened 2025-01-10 here: ok. */
    const ink_file_stats *ks = ink_portfolio_file_stats(p, INK_FILE_CONTACTS);
    CHECK_INT(ks->read, 4);
    CHECK_INT(ks->accepted, 2);
    CHECK_INT(ks->rejected_by_reason[INK_REASON_UNKNOWN_CASE], 2);
    CHECK_INT(ink_portfolio_cases(p)->count, 2);
    ink_portfolio_free(p);

    /* The rejects file, read back with the CSV reader: one row per
     * rejected row, its text unchanged. */
    size_t len;
    char *text = test_slurp(rejects, &len);
    CHECK(text != NULL);
    if (!text)
        return;
    static const char *const want[][7] = {
        {"cases.csv", "3", "12", "amount", "nonpositive_amount",
         "expected an amount > 0, got \"0\"",
         "C2,D1,,B2C,,,,,,2025-01-10,,0,EUR,,"},
        {"cases.csv", "5", "1", "case_id", "duplicate_id",
         "duplicate case_id \"C1\" (first on line 2)",
         "C1,D3,,B2C,,,,,,2025-01-10,,7,EUR,,"},
        {"cases.csv", "6", "16", "", "field_count",
         "expected 15 fields like the header, got 16",
         "C4,\"D,4\",,B2B,,,,,,2025-01-10,,7,EUR,,,"},
        {"payments.csv", "3", "2", "case_id", "unknown_case",
         "unknown case_id \"C2\": not in cases.csv", "P2,C2,2025-01-20,5,EUR,"},
        {"payments.csv", "5", "1", "payment_id", "duplicate_id",
         "duplicate payment_id \"P1\" (first on line 2)",
         "P1,C3,2025-01-21,5,EUR,"},
        {"payments.csv", "6", "4", "amount", "zero_payment",
         "expected a non-zero amount, got \"0\"", "P5,C3,2025-01-21,0,EUR,"},
        {"contacts.csv", "2", "2", "case_id", "unknown_case",
         "unknown case_id \"C2\": not in cases.csv",
         "K1,C2,2025-01-17T09:00:00,portal,in,responded,,,"},
        {"contacts.csv", "4", "2", "case_id", "unknown_case",
         "unknown case_id \"C2\": not in cases.csv",
         "K3,C2,2025-01-16T10:00:00Z,email,out,invalid,1,,0.01"},
    };
    ink_csv_reader r;
    ink_csv_record *rec = malloc(sizeof *rec);
    ink__csv_init(&r, text, text + len, 1);
    CHECK_INT(ink__csv_next(&r, rec), INK_CSV_RECORD);
    CHECK_INT(rec->count, 7);
    size_t rows = 0;
    while (ink__csv_next(&r, rec) == INK_CSV_RECORD) {
        CHECK_INT(rec->count, 7);
        if (rows < sizeof want / sizeof want[0] && rec->count == 7) {
            for (int k = 0; k < 7; k++) {
                char field[256];
                snprintf(field, sizeof field, "%.*s", (int)rec->len[k],
                         rec->field[k]);
                CHECK_STR(field, want[rows][k]);
            }
        }
        rows++;
    }
    CHECK_INT(rows, sizeof want / sizeof want[0]);
    ink__csv_cleanup(&r);
    free(rec);
    free(text);
}

/* A larger portfolio with quoted line breaks, parsed on 1 and on 4
 * threads with tiny chunks: identical columns and line numbers. */
static void test_parallel_equals_sequential(void)
{
    size_t cap = 1 << 22, n = 0;
    char *cases = malloc(cap), *contacts = malloc(cap);
    n = (size_t)snprintf(cases, cap, CASES_HEADER);
    for (int i = 0; i < 3000; i++)
        n += (size_t)snprintf(cases + n, cap - n,
                              "C%d,D%d,\"cred, %d\nsecond line\",%s,s%d,,,,,"
                              "2025-01-%02d,,%d.%02d,EUR,,\n",
                              i, i / 3, i % 7, i % 2 ? "B2B" : "B2C", i % 5,
                              1 + i % 28, 1 + i, i % 100);
    size_t m = (size_t)snprintf(contacts, cap, CON_HEADER);
    for (int i = 0; i < 12000; i++)
        m += (size_t)snprintf(contacts + m, cap - m,
                              "K%d,C%d,2025-02-%02dT%02d:00:00Z,%s,out,%s,1,"
                              "\"a\"\"%d\",\n",
                              i, (i * 7) % 3000, 1 + i % 28, i % 24,
                              i % 3 ? "sms" : "email",
                              i % 4 ? "delivered" : "invalid", i % 9);
    files f = {cases, PAY_HEADER, contacts, NULL};
    write_portfolio(&f, 0);
    ink_portfolio *one = NULL, *four = NULL;
    ink_load_options opt;
    ink_load_options_init(&opt);
    opt.threads = 1;
    CHECK_INT(ink_portfolio_load(tmpdir, &opt, &one, NULL), INK_OK);
    opt.threads = 4;
    opt.parallel_min_bytes = 1;
    CHECK_INT(ink_portfolio_load(tmpdir, &opt, &four, NULL), INK_OK);
    if (one && four) {
        const ink_cases *a = ink_portfolio_cases(one),
                        *b = ink_portfolio_cases(four);
        CHECK_INT(a->count, 3000);
        CHECK_INT(b->count, 3000);
        int same = 1;
        for (size_t i = 0; i < a->count && i < b->count; i++) {
            same &= a->line[i] == b->line[i];
            same &= a->amount[i] == b->amount[i];
            same &= strcmp(dict_str(a->ids, (uint32_t)i + 1),
                           dict_str(b->ids, (uint32_t)i + 1)) == 0;
            same &=
                strcmp(dict_str(a->creditor_id.values, a->creditor_id.codes[i]),
                       dict_str(b->creditor_id.values,
                                b->creditor_id.codes[i])) == 0;
        }
        CHECK(same);
        CHECK_INT(a->line[2999], 2 + 2 * 2999);
        const ink_contacts *x = ink_portfolio_contacts(one),
                           *y = ink_portfolio_contacts(four);
        CHECK_INT(x->count, 12000);
        CHECK_INT(y->count, 12000);
        same = 1;
        for (size_t i = 0; i < x->count && i < y->count; i++) {
            same &= x->line[i] == y->line[i];
            same &= x->case_index[i] == y->case_index[i];
            same &=
                strcmp(dict_str(x->channel.values, x->channel.codes[i]),
                       dict_str(y->channel.values, y->channel.codes[i])) == 0;
            same &=
                strcmp(dict_str(x->agent_id.values, x->agent_id.codes[i]),
                       dict_str(y->agent_id.values, y->agent_id.codes[i])) == 0;
        }
        CHECK(same);
        /* Every case has 4 contacts: 12000 * 7 mod 3000 covers all. */
        CHECK_INT(x->case_offset[1] - x->case_offset[0], 4);
        CHECK_STR(dict_str(x->agent_id.values, x->agent_id.codes[0]), "a\"0");
    }
    ink_portfolio_free(one);
    ink_portfolio_free(four);

    /* An error deep in the file is found at the same line either way. */
    n += (size_t)snprintf(cases + n, cap - n,
                          "X1,D1,,B2C,,,,,,2025-01-01,,1,EUR,,paid\n");
    write_file(tmpdir, "cases.csv", cases);
    CHECK_STR(load_error(1, NULL),
              "cases.csv:6002:14: closed_on: required when close_reason is "
              "given");
    CHECK_STR(load_error(4, NULL),
              "cases.csv:6002:14: closed_on: required when close_reason is "
              "given");
    free(cases);
    free(contacts);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/inkasso-test-load-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    test_invalid_kinds();
    test_file_order_and_missing_files();
    test_columns(1);
    test_columns(4);
    test_format_variants();
    test_lenient(1);
    test_lenient(4);
    test_parallel_equals_sequential();
    const char *names[] = {"cases.csv", "payments.csv", "contacts.csv",
                           "costs.csv", "rejects.csv"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        write_file(tmpdir, names[i], NULL);
    rmdir(tmpdir);
    return check_report("load");
}
