/* The embedded store: a portfolio in one SQLite file (the only user of
 * sqlite3.h), imported in one transaction and read back through the
 * loader, so stored rows obey exactly the same rules as CSV files. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/mem.h"
#include "inkasso/ingest.h"
#include "inkasso/store.h"
#include "inkasso/units.h"

struct ink_store {
    sqlite3 *db;
    int schema_found;
};

/* ------------------------------------------------------------------ */
/* Schema and migrations                                               */

/* Migration k takes the schema from version k to k + 1. */
static const char *const migrations[] = {
    /* 0 -> 1 */
    "CREATE TABLE cases ("
    " case_id TEXT PRIMARY KEY, debtor_id TEXT NOT NULL, creditor_id TEXT,"
    " segment TEXT NOT NULL, sector TEXT, region TEXT, risk_class TEXT,"
    " portfolio TEXT, handler TEXT, opened_on TEXT NOT NULL, due_on TEXT,"
    " amount TEXT NOT NULL, currency TEXT NOT NULL, closed_on TEXT,"
    " close_reason TEXT, seq INTEGER NOT NULL);"
    "CREATE TABLE extra_columns (name TEXT PRIMARY KEY,"
    " position INTEGER NOT NULL);"
    "CREATE TABLE case_extras (case_id TEXT NOT NULL, name TEXT NOT NULL,"
    " value TEXT, PRIMARY KEY (case_id, name));"
    "CREATE TABLE payments ("
    " payment_id TEXT PRIMARY KEY, case_id TEXT NOT NULL,"
    " paid_on TEXT NOT NULL, amount TEXT NOT NULL, currency TEXT NOT NULL,"
    " method TEXT, seq INTEGER NOT NULL);"
    "CREATE TABLE contacts ("
    " contact_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, at TEXT NOT NULL,"
    " channel TEXT NOT NULL, direction TEXT NOT NULL, outcome TEXT NOT NULL,"
    " automated TEXT, agent_id TEXT, cost TEXT, seq INTEGER NOT NULL);"
    "CREATE TABLE costs (period TEXT NOT NULL, segment TEXT NOT NULL,"
    " fte TEXT NOT NULL, cost TEXT NOT NULL, currency TEXT NOT NULL,"
    " seq INTEGER NOT NULL);"
    "CREATE INDEX costs_period ON costs (period, segment);",
    /* 1 -> 2: import order indexed, so that finding the next seq and
     * reading a table in import order need no scan or sort of it. */
    "CREATE INDEX cases_seq ON cases (seq);"
    "CREATE INDEX payments_seq ON payments (seq);"
    "CREATE INDEX contacts_seq ON contacts (seq);"
    "CREATE INDEX costs_seq ON costs (seq);",
};

#define MIGRATION_COUNT (sizeof migrations / sizeof migrations[0])

static ink_status db_error(sqlite3 *db, ink_error *err, const char *what)
{
    return ink__error_set(err, INK_IO, NULL, "store: %s: %s", what,
                          db ? sqlite3_errmsg(db) : "out of memory");
}

static ink_status exec(sqlite3 *db, const char *sql, ink_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return INK_OK;
    ink__error_set(err, INK_IO, NULL, "store: %s", msg ? msg : "failed");
    sqlite3_free(msg);
    return INK_IO;
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = -1;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) ==
        SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

static ink_status migrate(ink_store *s, ink_error *err)
{
    int v = user_version(s->db);
    if (v < 0)
        return db_error(s->db, err, "reading the schema version");
    s->schema_found = v;
    if (v > (int)MIGRATION_COUNT)
        return ink__error_set(err, INK_DATA, NULL,
                              "store: schema version %d is newer than this "
                              "inkasso's (%d): upgrade inkasso",
                              v, (int)MIGRATION_COUNT);
    for (; v < (int)MIGRATION_COUNT; v++) {
        /* Each step and its version number commit together. */
        char bump[64];
        snprintf(bump, sizeof bump, "PRAGMA user_version = %d;", v + 1);
        if (exec(s->db, "BEGIN IMMEDIATE", err) != INK_OK)
            return INK_IO;
        if (exec(s->db, migrations[v], err) != INK_OK ||
            exec(s->db, bump, err) != INK_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return INK_IO;
        }
        if (exec(s->db, "COMMIT", err) != INK_OK)
            return INK_IO;
    }
    return INK_OK;
}

ink_status ink_store_open(const char *path, ink_store **out, ink_error *err)
{
    *out = NULL;
    ink_store *s = calloc(1, sizeof *s);
    if (!s)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        ink_status st =
            ink__error_set(err, INK_IO, path, "cannot open: %s",
                           s->db ? sqlite3_errmsg(s->db) : "out of memory");
        ink_store_close(s);
        return st;
    }
    sqlite3_busy_timeout(s->db, 5000);
    /* WAL: readers never block the writer; FULL: a commit is on disk
     * before it returns, so an answer "stored" survives a crash. */
    ink_status st = exec(s->db,
                         "PRAGMA journal_mode=WAL;"
                         "PRAGMA synchronous=FULL;"
                         "PRAGMA foreign_keys=OFF;",
                         err);
    if (st == INK_OK)
        st = migrate(s, err);
    if (st != INK_OK) {
        ink_store_close(s);
        return st;
    }
    *out = s;
    return INK_OK;
}

void ink_store_close(ink_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

int ink_store_schema_found(const ink_store *s)
{
    return s->schema_found;
}

/* ------------------------------------------------------------------ */
/* Import                                                              */

/* Binds column i (1-based) to text, or NULL for a missing value. */
static int bind_text(sqlite3_stmt *st, int i, const char *text)
{
    return text ? sqlite3_bind_text(st, i, text, -1, SQLITE_TRANSIENT)
                : sqlite3_bind_null(st, i);
}

static const char *code_text(const ink_text_column *c, size_t row)
{
    return ink_dict_get(c->values, c->codes[row], NULL);
}

static const char *date_text(int32_t d, char *buf, size_t cap)
{
    if (d == INK_DATE_NONE)
        return NULL;
    ink_format_date(d, buf, cap);
    return buf;
}

static const char *money_text(int64_t v, char *buf, size_t cap)
{
    if (v == INK_MONEY_NONE)
        return NULL;
    ink_format_money(v, buf, cap);
    return buf;
}

/* The timestamp as it was written, less any fraction of a second. */
static const char *timestamp_text(int32_t date, int32_t seconds, int16_t offset,
                                  char *buf, size_t cap)
{
    char day[INK_DATE_TEXT_MAX];
    ink_format_date(date, day, sizeof day);
    int n = snprintf(buf, cap, "%sT%02d:%02d:%02d", day, (int)(seconds / 3600),
                     (int)(seconds / 60 % 60), (int)(seconds % 60));
    if (n > 0 && (size_t)n < cap && offset != INK_OFFSET_NONE) {
        if (offset == 0)
            snprintf(buf + n, cap - (size_t)n, "Z");
        else
            snprintf(buf + n, cap - (size_t)n, "%c%02d:%02d",
                     offset < 0 ? '-' : '+', abs(offset) / 60,
                     abs(offset) % 60);
    }
    return buf;
}

static int64_t next_seq(sqlite3 *db, const char *table)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT coalesce(max(seq), 0) + 1 FROM %s",
             table);
    sqlite3_stmt *st;
    int64_t v = 1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v;
}

/* Runs a bound insert or upsert; counts it as new, changed or as it was
 * by comparing total_changes before and after, and whether it existed. */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE;
}

static ink_status import_cases(sqlite3 *db, const ink_cases *cs,
                               ink_import_stats *stats, ink_error *err)
{
    /* Insert, or update only when a column differs (so that "unchanged"
     * can be told from "updated" by the change count). */
    static const char sql[] =
        "INSERT INTO cases VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,"
        "?13,?14,?15,?16) ON CONFLICT (case_id) DO UPDATE SET "
        "debtor_id=?2, creditor_id=?3, segment=?4, sector=?5, region=?6, "
        "risk_class=?7, portfolio=?8, handler=?9, opened_on=?10, due_on=?11, "
        "amount=?12, currency=?13, closed_on=?14, close_reason=?15 WHERE "
        "(debtor_id, creditor_id, segment, sector, region, risk_class, "
        "portfolio, handler, opened_on, due_on, amount, currency, closed_on, "
        "close_reason) IS NOT (?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,"
        "?15)";
    sqlite3_stmt *up = NULL, *exists = NULL, *extra = NULL, *column = NULL;
    ink_status st = INK_OK;
    if (sqlite3_prepare_v2(db, sql, -1, &up, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT 1 FROM cases WHERE case_id = ?1", -1,
                           &exists, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO case_extras VALUES (?1, ?2, ?3) ON "
                           "CONFLICT DO UPDATE SET value = ?3 WHERE value "
                           "IS NOT ?3",
                           -1, &extra, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db,
                           "INSERT INTO extra_columns VALUES (?1, (SELECT "
                           "count(*) FROM extra_columns)) ON CONFLICT DO "
                           "NOTHING",
                           -1, &column, NULL) != SQLITE_OK) {
        st = db_error(db, err, "preparing the case import");
        goto done;
    }
    for (size_t x = 0; x < cs->extra_count; x++) {
        bind_text(column, 1, cs->extras[x].name);
        if (!step_done(column)) {
            st = db_error(db, err, "storing an extra column");
            goto done;
        }
    }
    int64_t seq = next_seq(db, "cases");
    for (size_t i = 0; i < cs->count; i++) {
        char opened[INK_DATE_TEXT_MAX], due[INK_DATE_TEXT_MAX],
            closed[INK_DATE_TEXT_MAX], amount[INK_MONEY_TEXT_MAX];
        const char *id = ink_dict_get(cs->ids, (uint32_t)i + 1, NULL);
        bind_text(exists, 1, id);
        int existed = sqlite3_step(exists) == SQLITE_ROW;
        sqlite3_reset(exists);
        const char *values[15] = {
            id,
            code_text(&cs->debtor_id, i),
            code_text(&cs->creditor_id, i),
            ink_segment_name(cs->segment[i]),
            code_text(&cs->sector, i),
            code_text(&cs->region, i),
            code_text(&cs->risk_class, i),
            code_text(&cs->portfolio, i),
            code_text(&cs->handler, i),
            date_text(cs->opened_on[i], opened, sizeof opened),
            date_text(cs->due_on[i], due, sizeof due),
            money_text(cs->amount[i], amount, sizeof amount),
            code_text(&cs->currency, i),
            date_text(cs->closed_on[i], closed, sizeof closed),
            ink_close_reason_name(cs->close_reason[i])};
        for (int k = 0; k < 15; k++)
            bind_text(up, k + 1, values[k]);
        sqlite3_bind_int64(up, 16, seq);
        int before = sqlite3_total_changes(db);
        if (!step_done(up)) {
            st = db_error(db, err, "storing a case");
            goto done;
        }
        for (size_t x = 0; x < cs->extra_count; x++) {
            bind_text(extra, 1, id);
            bind_text(extra, 2, cs->extras[x].name);
            bind_text(extra, 3, code_text(&cs->extras[x], i));
            if (!step_done(extra)) {
                st = db_error(db, err, "storing an extra value");
                goto done;
            }
        }
        int changed = sqlite3_total_changes(db) != before;
        if (!existed) {
            stats->inserted[INK_FILE_CASES]++;
            seq++;
        } else if (changed) {
            stats->updated[INK_FILE_CASES]++;
        } else {
            stats->unchanged[INK_FILE_CASES]++;
        }
    }
done:
    sqlite3_finalize(up);
    sqlite3_finalize(exists);
    sqlite3_finalize(extra);
    sqlite3_finalize(column);
    return st;
}

/* Payments and contacts are events: an id already stored stays as is.
 * Rows come as column views (a portfolio's, or a batch's). */
static ink_status insert_payments(sqlite3 *db, const ink_cases *cs,
                                  const ink_payments *ps,
                                  ink_import_stats *stats, ink_error *err)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO payments VALUES (?1,?2,?3,?4,?5,?6,?7) "
                           "ON CONFLICT DO NOTHING",
                           -1, &ins, NULL) != SQLITE_OK)
        return db_error(db, err, "preparing the import");
    int64_t seq = next_seq(db, "payments");
    ink_status st = INK_OK;
    for (size_t i = 0; i < ps->count; i++) {
        char day[INK_DATE_TEXT_MAX], amount[INK_MONEY_TEXT_MAX];
        uint32_t c = ps->case_index[i];
        bind_text(ins, 1, ink_dict_get(ps->ids, (uint32_t)i + 1, NULL));
        bind_text(ins, 2, ink_dict_get(cs->ids, c + 1, NULL));
        bind_text(ins, 3, date_text(ps->paid_on[i], day, sizeof day));
        bind_text(ins, 4, money_text(ps->amount[i], amount, sizeof amount));
        bind_text(ins, 5, code_text(&cs->currency, c));
        bind_text(ins, 6, code_text(&ps->method, i));
        sqlite3_bind_int64(ins, 7, seq);
        int before = sqlite3_total_changes(db);
        if (!step_done(ins)) {
            st = db_error(db, err, "storing a payment");
            break;
        }
        int added = sqlite3_total_changes(db) != before;
        stats->inserted[INK_FILE_PAYMENTS] += added;
        stats->unchanged[INK_FILE_PAYMENTS] += !added;
        seq += added;
    }
    sqlite3_finalize(ins);
    return st;
}

static ink_status insert_contacts(sqlite3 *db, const ink_cases *cs,
                                  const ink_contacts *ct,
                                  ink_import_stats *stats, ink_error *err)
{
    sqlite3_stmt *ins = NULL;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO contacts VALUES "
                           "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10) ON CONFLICT DO "
                           "NOTHING",
                           -1, &ins, NULL) != SQLITE_OK)
        return db_error(db, err, "preparing the import");
    int64_t seq = next_seq(db, "contacts");
    ink_status st = INK_OK;
    for (size_t i = 0; i < ct->count; i++) {
        char at[48], cost[INK_MONEY_TEXT_MAX];
        bind_text(ins, 1, ink_dict_get(ct->ids, (uint32_t)i + 1, NULL));
        bind_text(ins, 2, ink_dict_get(cs->ids, ct->case_index[i] + 1, NULL));
        bind_text(ins, 3,
                  timestamp_text(ct->date[i], ct->seconds[i],
                                 ct->utc_offset_min[i], at, sizeof at));
        bind_text(ins, 4, code_text(&ct->channel, i));
        bind_text(ins, 5, ink_direction_name(ct->direction[i]));
        bind_text(ins, 6, ink_outcome_name(ct->outcome[i]));
        bind_text(ins, 7, ct->automated[i] ? "1" : "0");
        bind_text(ins, 8, code_text(&ct->agent_id, i));
        bind_text(ins, 9, money_text(ct->cost[i], cost, sizeof cost));
        sqlite3_bind_int64(ins, 10, seq);
        int before = sqlite3_total_changes(db);
        if (!step_done(ins)) {
            st = db_error(db, err, "storing a contact");
            break;
        }
        int added = sqlite3_total_changes(db) != before;
        stats->inserted[INK_FILE_CONTACTS] += added;
        stats->unchanged[INK_FILE_CONTACTS] += !added;
        seq += added;
    }
    sqlite3_finalize(ins);
    return st;
}

/* The costs rows of each (period, segment) imported replace the stored
 * ones: costs rows have no id, and a month's figures are restated whole. */
static ink_status insert_costs(sqlite3 *db, const ink_costs *co, int replace,
                               ink_import_stats *stats, ink_error *err)
{
    if (!co->present || co->count == 0)
        return INK_OK;
    sqlite3_stmt *del = NULL, *ins = NULL;
    ink_status st = INK_OK;
    if (sqlite3_prepare_v2(db,
                           "DELETE FROM costs WHERE period = ?1 AND "
                           "segment = ?2",
                           -1, &del, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "INSERT INTO costs VALUES (?1,?2,?3,?4,?5,?6)",
                           -1, &ins, NULL) != SQLITE_OK) {
        st = db_error(db, err, "preparing the costs import");
        goto done;
    }
    int64_t seq = next_seq(db, "costs");
    for (size_t i = 0; replace && i < co->count; i++) {
        char period[INK_DATE_TEXT_MAX];
        ink_format_month(co->period[i], period, sizeof period);
        const char *segment = ink_segment_name(co->segment[i]);
        bind_text(del, 1, period);
        bind_text(del, 2, segment ? segment : "");
        if (!step_done(del)) {
            st = db_error(db, err, "replacing costs");
            goto done;
        }
    }
    for (size_t i = 0; i < co->count; i++) {
        char period[INK_DATE_TEXT_MAX], fte[48], cost[INK_MONEY_TEXT_MAX];
        ink_format_month(co->period[i], period, sizeof period);
        ink_format_decimal(co->fte[i].units, co->fte[i].scale, fte, sizeof fte);
        const char *segment = ink_segment_name(co->segment[i]);
        bind_text(ins, 1, period);
        bind_text(ins, 2, segment ? segment : "");
        bind_text(ins, 3, fte);
        bind_text(ins, 4, money_text(co->cost[i], cost, sizeof cost));
        bind_text(ins, 5, code_text(&co->currency, i));
        sqlite3_bind_int64(ins, 6, seq++);
        if (!step_done(ins)) {
            st = db_error(db, err, "storing costs");
            goto done;
        }
        stats->inserted[INK_FILE_COSTS]++;
    }
done:
    sqlite3_finalize(del);
    sqlite3_finalize(ins);
    return st;
}

ink_status ink_store_import(ink_store *s, const ink_portfolio *p,
                            ink_import_stats *stats, ink_error *err)
{
    ink_import_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (exec(s->db, "BEGIN IMMEDIATE", err) != INK_OK)
        return INK_IO;
    ink_status st = import_cases(s->db, ink_portfolio_cases(p), stats, err);
    const ink_cases *cs = ink_portfolio_cases(p);
    if (st == INK_OK)
        st = insert_payments(s->db, cs, ink_portfolio_payments(p), stats, err);
    if (st == INK_OK)
        st = insert_contacts(s->db, cs, ink_portfolio_contacts(p), stats, err);
    if (st == INK_OK)
        st = insert_costs(s->db, ink_portfolio_costs(p), 1, stats, err);
    if (st == INK_OK) {
        /* The store as a whole must still obey the contract (a changed
         * case currency against stored payments, say) before it commits. */
        ink_portfolio *all = NULL;
        st = ink_store_load(s, NULL, &all, err);
        ink_portfolio_free(all);
    }
    if (st != INK_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return exec(s->db, "COMMIT", err);
}

/* ------------------------------------------------------------------ */
/* Load: the stored rows as CSV text, through the loader               */

typedef struct text_buf {
    char *data;
    size_t len, cap;
    int failed;
} text_buf;

static void put(text_buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (!ink__reserve((void **)&b->data, &b->cap, b->len + n + 1, 1)) {
        b->failed = 1;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

/* One CSV field: quoted when it holds a separator, quote or line break. */
static void put_field(text_buf *b, const unsigned char *s, int first)
{
    if (!first)
        put(b, ",", 1);
    if (!s)
        return;
    const char *t = (const char *)s;
    if (!strpbrk(t, ",\"\r\n")) {
        put(b, t, strlen(t));
        return;
    }
    put(b, "\"", 1);
    for (; *t; t++) {
        if (*t == '"')
            put(b, "\"", 1);
        put(b, t, 1);
    }
    put(b, "\"", 1);
}

/* Appends the header and every row of a query as CSV. */
static ink_status dump(sqlite3 *db, const char *sql, const char *header,
                       text_buf *b, ink_error *err)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_error(db, err, "reading the store");
    put(b, header, strlen(header));
    put(b, "\n", 1);
    int cols = sqlite3_column_count(st), rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; c < cols; c++)
            put_field(b, sqlite3_column_text(st, c), c == 0);
        put(b, "\n", 1);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_error(db, err, "reading the store");
    return b->failed ? ink__error_set(err, INK_NOMEM, NULL, "out of memory")
                     : INK_OK;
}

/* The cases query and header, with one column per extra column. */
static ink_status cases_query(sqlite3 *db, text_buf *sql, text_buf *header,
                              ink_error *err)
{
    static const char base[] =
        "case_id,debtor_id,creditor_id,segment,sector,region,risk_class,"
        "portfolio,handler,opened_on,due_on,amount,currency,closed_on,"
        "close_reason";
    put(header, base, strlen(base));
    static const char select[] =
        "SELECT case_id, debtor_id, creditor_id, segment, sector, region, "
        "risk_class, portfolio, handler, opened_on, due_on, amount, currency, "
        "closed_on, close_reason";
    put(sql, select, strlen(select));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT name FROM extra_columns ORDER BY position",
                           -1, &st, NULL) != SQLITE_OK)
        return db_error(db, err, "reading the store");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        put_field(header, (const unsigned char *)name, 0);
        char *part = sqlite3_mprintf(", (SELECT value FROM case_extras e "
                                     "WHERE e.case_id = c.case_id AND "
                                     "e.name = %Q)",
                                     name);
        if (!part) {
            sql->failed = 1;
            break;
        }
        put(sql, part, strlen(part));
        sqlite3_free(part);
    }
    sqlite3_finalize(st);
    static const char from[] = " FROM cases c ORDER BY seq";
    put(sql, from, sizeof from);
    put(header, "", 1);
    if (sql->failed || header->failed)
        return ink__error_set(err, INK_NOMEM, NULL, "out of memory");
    return rc == SQLITE_DONE ? INK_OK : db_error(db, err, "reading the store");
}

ink_status ink_store_load(ink_store *s, const ink_load_options *opt,
                          ink_portfolio **out, ink_error *err)
{
    *out = NULL;
    text_buf files[INK_FILE_COUNT] = {{0}}, sql = {0}, header = {0};
    ink_status st = cases_query(s->db, &sql, &header, err);
    if (st == INK_OK)
        st = dump(s->db, sql.data, header.data, &files[INK_FILE_CASES], err);
    if (st == INK_OK)
        st = dump(s->db,
                  "SELECT payment_id, case_id, paid_on, amount, currency, "
                  "method FROM payments ORDER BY seq",
                  "payment_id,case_id,paid_on,amount,currency,method",
                  &files[INK_FILE_PAYMENTS], err);
    if (st == INK_OK)
        st = dump(s->db,
                  "SELECT contact_id, case_id, at, channel, direction, "
                  "outcome, automated, agent_id, cost FROM contacts ORDER BY "
                  "seq",
                  "contact_id,case_id,at,channel,direction,outcome,automated,"
                  "agent_id,cost",
                  &files[INK_FILE_CONTACTS], err);
    if (st == INK_OK)
        st = dump(s->db,
                  "SELECT period, segment, fte, cost, currency FROM costs "
                  "ORDER BY seq",
                  "period,segment,fte,cost,currency", &files[INK_FILE_COSTS],
                  err);
    if (st == INK_OK) {
        ink_source sources[INK_FILE_COUNT];
        for (int k = 0; k < INK_FILE_COUNT; k++) {
            sources[k].data = files[k].data ? files[k].data : "";
            sources[k].size = files[k].len;
        }
        /* A store without costs rows is a portfolio without costs.csv. */
        if (!memchr(files[INK_FILE_COSTS].data, '\n',
                    files[INK_FILE_COSTS].len) ||
            memchr(files[INK_FILE_COSTS].data, '\n',
                   files[INK_FILE_COSTS].len) ==
                files[INK_FILE_COSTS].data + files[INK_FILE_COSTS].len - 1)
            sources[INK_FILE_COSTS].data = NULL;
        st = ink_portfolio_load_memory(sources, opt, out, err);
    }
    for (int k = 0; k < INK_FILE_COUNT; k++)
        free(files[k].data);
    free(sql.data);
    free(header.data);
    return st;
}

ink_status ink_store_write_batch(ink_store *s, const ink_portfolio *p,
                                 const ink_batch *b, ink_import_stats *stats,
                                 ink_error *err)
{
    ink_import_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (ink_batch_accepted(b) == 0)
        return INK_OK;
    if (exec(s->db, "BEGIN IMMEDIATE", err) != INK_OK)
        return INK_IO;
    const ink_cases *cs = ink_portfolio_cases(p);
    ink_status st;
    switch (ink_batch_kind(b)) {
    case INK_FILE_PAYMENTS:
        st = insert_payments(s->db, cs, ink_batch_payments(b), stats, err);
        break;
    case INK_FILE_CONTACTS:
        st = insert_contacts(s->db, cs, ink_batch_contacts(b), stats, err);
        break;
    case INK_FILE_CASES:
        st = import_cases(s->db, ink_batch_cases(b), stats, err);
        break;
    default:
        st = insert_costs(s->db, ink_batch_costs(b), 0, stats, err);
        break;
    }
    if (st != INK_OK) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
    return exec(s->db, "COMMIT", err);
}
