/* What the operations section needs of the cases, counted by placement
 * day, segment value and calendar month, so that a report with a
 * placement window adds up the days in it instead of visiting its cases
 * and their contacts. Only for reports as of the latest date or after,
 * where every closing and contact is in. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/portfolio_impl.h"
#include "inkasso/units.h"
#include "kpi/kpi_impl.h"

/* At most this many cells per counter (4 bytes each). */
#define CUBE_CELLS_MAX ((size_t)1 << 22)

void ink__kpi_ops_cube_free(kpi_ops_cube *c)
{
    free(c->ended);
    free(c->resolved);
    free(c->outbound);
    free(c->automated);
    memset(c, 0, sizeof *c);
}

int ink__kpi_ops_cube_build(const ink_portfolio *p, kpi_ops_cube *c,
                            int *too_large)
{
    const ink_cases *cs = &p->cases;
    const ink_contacts *ct = &p->contacts;
    memset(c, 0, sizeof *c);
    *too_large = 0;
    if (!cs->count)
        return 1;
    /* The days every date falls in, and a month per day of them. */
    int32_t open_lo = INT32_MAX, open_hi = INT32_MIN;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    for (size_t i = 0; i < cs->count; i++) {
        int32_t d = cs->opened_on[i];
        open_lo = d < open_lo ? d : open_lo;
        open_hi = d > open_hi ? d : open_hi;
        if (cs->closed_on[i] != INK_DATE_NONE) {
            lo = cs->closed_on[i] < lo ? cs->closed_on[i] : lo;
            hi = cs->closed_on[i] > hi ? cs->closed_on[i] : hi;
        }
    }
    for (size_t k = 0; k < ct->count; k++) {
        lo = ct->date[k] < lo ? ct->date[k] : lo;
        hi = ct->date[k] > hi ? ct->date[k] : hi;
    }
    lo = open_lo < lo ? open_lo : lo;
    hi = open_hi > hi ? open_hi : hi;
    c->day_first = open_lo;
    c->days = (size_t)((int64_t)open_hi - open_lo) + 1;
    c->month_first = ink__kpi_month_of(lo);
    c->months = (size_t)(ink__kpi_month_of(hi) - c->month_first) + 1;
    const size_t cells = c->days * CUBE_SEGMENTS * (c->months + 1);
    if (cells > CUBE_CELLS_MAX ||
        (size_t)((int64_t)hi - lo) + 1 > CUBE_CELLS_MAX) {
        *too_large = 1;
        return 0;
    }
    int32_t *month =
        ink__alloc_array((size_t)((int64_t)hi - lo) + 1, sizeof *month);
    c->ended = ink__calloc_array(cells, sizeof *c->ended);
    c->resolved = ink__calloc_array(cells, sizeof *c->resolved);
    c->outbound = ink__calloc_array(cells, sizeof *c->outbound);
    c->automated = ink__calloc_array(cells, sizeof *c->automated);
    if (!month || !c->ended || !c->resolved || !c->outbound || !c->automated) {
        free(month);
        ink__kpi_ops_cube_free(c);
        return 0;
    }
    for (int32_t d = lo, m = ink__kpi_month_of(lo); d <= hi; d++) {
        int32_t y, mo, day;
        ink_civil_from_days(d, &y, &mo, &day);
        if (day == 1)
            m = y * 12 + mo - 1;
        month[d - lo] = m - c->month_first;
    }
    for (size_t i = 0; i < cs->count; i++) {
        size_t cell = ink__kpi_ops_cube_cell(c, cs->opened_on[i] - open_lo,
                                             cs->segment[i], 0);
        int32_t closed = cs->closed_on[i];
        size_t at =
            closed == INK_DATE_NONE ? c->months : (size_t)month[closed - lo];
        c->ended[cell + at]++;
        c->resolved[cell + at] += ink__kpi_resolved(cs, i, closed);
        for (uint32_t k = ct->case_offset[i]; k < ct->case_offset[i + 1]; k++) {
            if (ct->direction[k] != INK_DIRECTION_OUT)
                continue;
            size_t m = (size_t)month[ct->date[k] - lo];
            c->outbound[cell + m]++;
            c->automated[cell + m] += ct->automated[k];
        }
    }
    free(month);
    c->built = 1;
    return 1;
}

int ink__kpi_ops_cube_contact(kpi_ops_cube *c, const ink_portfolio *p,
                              const ink__contact_note *note)
{
    if (!note->outbound)
        return 1;
    const ink_cases *cs = &p->cases;
    int64_t day = (int64_t)cs->opened_on[note->case_index] - c->day_first;
    int64_t m = (int64_t)ink__kpi_month_of(note->date) - c->month_first;
    if (day < 0 || day >= (int64_t)c->days || m < 0 || m >= (int64_t)c->months)
        return 0;
    size_t cell = ink__kpi_ops_cube_cell(c, (size_t)day,
                                         cs->segment[note->case_index], 0);
    c->outbound[cell + (size_t)m]++;
    c->automated[cell + (size_t)m] += note->automated;
    return 1;
}
