/* What the owners parser (owners.c) and judge (owners_judge.c) share. */
#ifndef INK_KPI_OWNERS_IMPL_H
#define INK_KPI_OWNERS_IMPL_H

#include "inkasso/owners.h"

/* Where a KPI's value comes from. */
typedef enum owners_source {
    SRC_CASES,
    SRC_OPEN_CASES,
    SRC_RESOLVED_CASES,
    SRC_PLACED,
    SRC_COLLECTED,
    SRC_DOUBLE,      /* a double of ink_kpi_values at offset */
    SRC_REALIZATION, /* realization_rate_<window>d */
    SRC_ELIGIBLE,    /* eligible_cases_<window>d */
    SRC_RESPONSE,    /* response_rate.<channel> */
    SRC_OP_COST_PER_CASE,
    SRC_OP_CASES_PER_FTE,
    SRC_OP_RESOLVED_PER_FTE
} owners_source;

/* An entry with what the judge needs; pub first, so that a pointer to
 * pub is a pointer to the slot. */
typedef struct owners_slot {
    ink_owners_entry pub;
    owners_source source;
    size_t offset;       /* SRC_DOUBLE */
    int32_t window;      /* SRC_REALIZATION, SRC_ELIGIBLE */
    const char *channel; /* SRC_RESPONSE */
    int money;           /* judged per currency in a mixed portfolio */
    int operations;      /* from the operations section (costs.csv) */
    int32_t dim_column[INK_OWNERS_SCOPE_MAX]; /* where each dim was */
} owners_slot;

struct ink_owners {
    char *text; /* the parsed copy: every string points into it */
    char *name;
    owners_slot *slots;
    size_t count;
};

/* 1 when name is a dimension every portfolio has (contract columns of
 * cases.csv and the derived ones). */
int ink__owners_builtin_dim(const char *name);

#endif
