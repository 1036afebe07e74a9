/* KPI ownership: per KPI an owner, a target and the action when missed. */
#ifndef INKASSO_OWNERS_H
#define INKASSO_OWNERS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/kpi.h"
#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * An owners file (docs/owners.md) is UTF-8 text of sections, one per KPI
 * and scope, each with an owner, a target and an action:
 *
 *   [recovery_rate]
 *   owner  = Anna Weber, Head of Collections
 *   target = >= 30%
 *   action = Move the weakest partner's new placements to the best one
 *
 *   [valid_contact_rate segment=B2C]
 *   ...
 *
 * Ownership: an ink_owners owns all of its text; every pointer it hands
 * out (entries, their strings) lives until ink_owners_free. Verdicts
 * point into the owners they judged: free them first. An ink_owners is
 * read-only after parsing, so any number of threads may judge it at once.
 */

/* Hard limits, so that a hostile file cannot take all memory. */
#define INK_OWNERS_FILE_MAX (1u << 20) /* bytes */
#define INK_OWNERS_LINE_MAX 1024       /* bytes, without the newline */
#define INK_OWNERS_ENTRIES_MAX 1000    /* sections */
#define INK_OWNERS_SCOPE_MAX 4         /* dim=value pairs of a section */

typedef struct ink_owners ink_owners;

typedef enum ink_owners_op {
    INK_OWNERS_AT_LEAST, /* target ">= x": met when value >= x */
    INK_OWNERS_AT_MOST   /* target "<= x": met when value <= x */
} ink_owners_op;

/* The unit a KPI is measured in: what its target means. */
typedef enum ink_owners_unit {
    INK_OWNERS_RATE,   /* a fraction from 0 to 1 ("30%" is 0.30) */
    INK_OWNERS_DAYS,   /* calendar days */
    INK_OWNERS_MONEY,  /* major units of the value's currency (12.50) */
    INK_OWNERS_COUNT,  /* cases */
    INK_OWNERS_NUMBER, /* any other ratio (cases per FTE) */
} ink_owners_unit;

/* One dim=value of a section's scope: a group of `--by dim`. */
typedef struct ink_owners_scope {
    const char *dim;
    const char *value;
} ink_owners_scope;

/* One section of the file. scope is sorted by dim (byte order). */
typedef struct ink_owners_entry {
    const char *kpi; /* as written: "recovery_rate", "response_rate.sms" */
    size_t scope_count;
    ink_owners_scope scope[INK_OWNERS_SCOPE_MAX];
    const char *owner;
    const char *action;
    ink_owners_op op;
    double target;           /* in the KPI's unit; "30%" gives 0.3 */
    const char *target_text; /* as written: ">= 30%" */
    ink_owners_unit unit;
    int64_t line; /* line of the section header */
} ink_owners_entry;

/*
 * Parses len bytes of text (need not be NUL-terminated) as an owners
 * file; name is the file name used in error messages (may be NULL). On
 * success *out owns a new ink_owners (ink_owners_free); on failure *out
 * is NULL and err has the file, line, column and what was expected
 * against what was found. Errors: INK_DATA for any fault of the text
 * (not UTF-8, a control byte, a line longer than INK_OWNERS_LINE_MAX,
 * an unknown KPI or key, a bad scope or target, a duplicate section or
 * key, a section without owner, target or action, more than
 * INK_OWNERS_ENTRIES_MAX sections); INK_LIMIT for text longer than
 * INK_OWNERS_FILE_MAX; INK_NOMEM. An empty file (or only comments) is
 * valid and has no entries.
 */
ink_status ink_owners_parse(const char *text, size_t len, const char *name,
                            ink_owners **out, ink_error *err);

/*
 * Reads the file at path and parses it (ink_owners_parse) with the path
 * as the name in messages. INK_IO when it cannot be read, else as
 * ink_owners_parse.
 */
ink_status ink_owners_load(const char *path, ink_owners **out, ink_error *err);

/* Frees o; NULL is a no-op. */
void ink_owners_free(ink_owners *o);

/* The name given at parsing ("" when none). */
const char *ink_owners_name(const ink_owners *o);
/* Sections in file order. */
size_t ink_owners_count(const ink_owners *o);
const ink_owners_entry *ink_owners_entry_at(const ink_owners *o, size_t i);

/*
 * Checks that every scope dimension of o exists in p: a contract column
 * of cases.csv, a derived dimension (cohort_month, cohort_quarter,
 * cohort_year, age_bucket) or an extra column of p's cases.csv (those
 * cannot be known before the portfolio is). INK_DATA with the file, line
 * and column of the first unknown one. o may be NULL (nothing to check).
 */
ink_status ink_owners_check(const ink_owners *o, const ink_portfolio *p,
                            ink_error *err);

/* A built-in industry benchmark (the product brief; docs/owners.md). */
typedef struct ink_owners_benchmark {
    const char *kpi;
    const char *segment;  /* applies only to this segment; NULL: any */
    const char *currency; /* applies only to this currency; NULL: any */
    double low, high;     /* the good range, inclusive, in the KPI's unit */
    int lower_is_better;
    const char *note;
} ink_owners_benchmark;

size_t ink_owners_benchmark_count(void);
const ink_owners_benchmark *ink_owners_benchmark_at(size_t i);

typedef enum ink_owners_status {
    INK_OWNERS_MET,
    INK_OWNERS_MISSED,
    INK_OWNERS_NO_VALUE /* no such group, or the KPI is null there */
} ink_owners_status;

/* "met", "missed" or "no_value". */
const char *ink_owners_status_name(ink_owners_status status);

/* One entry judged on one group. */
typedef struct ink_owners_verdict {
    const ink_owners_entry *entry;
    /* The entry's scope, plus currency when the entry was judged per
     * currency (a portfolio of several currencies), sorted by dim. */
    size_t scope_count;
    ink_owners_scope scope[INK_OWNERS_SCOPE_MAX + 1];
    double value; /* NaN when status is INK_OWNERS_NO_VALUE */
    ink_owners_status status;
    const char *currency; /* money KPIs: the value's currency; else NULL */
    const char *period;   /* operations KPIs: the month judged, "YYYY-MM" */
    const ink_owners_benchmark *benchmark; /* the one that applies, or NULL */
} ink_owners_verdict;

typedef struct ink_owners_verdicts ink_owners_verdicts;

/*
 * Judges every entry of o on p. base gives as_of, from, to and threads
 * (NULL: defaults); its by and windows are ignored: each entry is
 * computed with its scope's dimensions as --by and the windows its KPIs
 * name. How (docs/owners.md):
 * - An entry without scope is judged on the total; with a scope on the
 *   group whose keys equal the scope's values (none: no_value).
 * - When p's cases have more than one currency, the engine never forms
 *   a group that mixes them: a money KPI (amounts, recovery, realization)
 *   or any scoped entry without currency in its scope gives one verdict
 *   per currency (currency added to its scope); other unscoped KPIs are
 *   judged on the total.
 * - cost_per_case, cases_per_fte, resolved_per_fte are judged on the
 *   costs.csv entries of the scope's segment (the whole operation without
 *   one), in the latest month that is complete at as_of (its last day on
 *   or before as_of); no_value without such a month.
 * o may be NULL: no verdicts, but as_of is still computed. On success
 * *out owns the verdicts (ink_owners_verdicts_free), which point into o.
 * Errors: as ink_owners_check, and as ink_kpi_compute (INK_LIMIT,
 * INK_NOMEM).
 */
ink_status ink_owners_judge(const ink_owners *o, const ink_portfolio *p,
                            const ink_kpi_options *base,
                            ink_owners_verdicts **out, ink_error *err);
void ink_owners_verdicts_free(ink_owners_verdicts *v);

int32_t ink_owners_verdicts_as_of(const ink_owners_verdicts *v);
/* Verdicts in file order of their entries, then by currency. */
size_t ink_owners_verdict_count(const ink_owners_verdicts *v);
const ink_owners_verdict *ink_owners_verdict_at(const ink_owners_verdicts *v,
                                                size_t i);

/*
 * The JSON array of the verdicts: [{"kpi", "scope": {dim: value} or
 * null, "owner", "target": {"op", "value", "text"}, "action", "value"
 * (null when none), "status", "benchmark": {"low", "high", "better"} or
 * null, "currency", "period", "line"}, ...]. INK_IO when writing fails.
 */
ink_status ink_owners_write_verdicts_json(const ink_owners_verdicts *v,
                                          FILE *out);

/*
 * The whole answer of GET /api/v1/owners: {"as_of", "owners": [the
 * verdicts], "benchmarks": [{"kpi", "scope", "low", "high", "better",
 * "note"}, ...]} and a newline. INK_IO when writing fails.
 */
ink_status ink_owners_write_json(const ink_owners_verdicts *v, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
