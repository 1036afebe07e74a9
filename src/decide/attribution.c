/* Channel attribution: runs the models per group and writes the rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv_write.h"
#include "core/json.h"
#include "core/error.h"
#include "core/mem.h"
#include "decide/attr_impl.h"
#include "inkasso/units.h"

void ink_attr_options_init(ink_attr_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->models = INK_ATTR_ALL_MODELS;
    opt->order = 1;
    opt->half_life = 7;
    opt->position_first = 0.4;
    opt->position_last = 0.4;
    opt->shapley_samples = 2000;
    opt->seed = 1;
}

typedef struct group_info {
    double conversions, value;
    uint64_t journeys;
    char *currency;
    int mixed;
} group_info;

struct ink_attr_result {
    size_t dim_count, group_count, channel_count;
    char **dims;
    char **keys; /* group * dim_count + dim */
    char **channels;
    group_info *groups;
    ink_attr_row *rows;
    size_t row_count;
};

void ink_attr_result_free(ink_attr_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; r->dims && i < r->dim_count; i++)
        free(r->dims[i]);
    free(r->dims);
    for (size_t i = 0; r->keys && i < r->group_count * r->dim_count; i++)
        free(r->keys[i]);
    free(r->keys);
    for (size_t i = 0; r->channels && i < r->channel_count; i++)
        free(r->channels[i]);
    free(r->channels);
    for (size_t i = 0; r->groups && i < r->group_count; i++)
        free(r->groups[i].currency);
    free(r->groups);
    free(r->rows);
    free(r);
}

static char *dup_or_null(const char *s, int *failed)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *failed = 1;
    return d;
}

static ink_status check_options(const ink_attr_options *o, ink_error *err)
{
    if (o->models & ~INK_ATTR_ALL_MODELS)
        return ink__error_set(err, INK_USAGE, NULL, "unknown model bits");
    if (o->order < 1 || o->order > INK_ATTR_MAX_ORDER)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--order: expected 1 to %d, got %d",
                              INK_ATTR_MAX_ORDER, o->order);
    if (!(o->half_life > 0) || !isfinite(o->half_life))
        return ink__error_set(err, INK_USAGE, NULL,
                              "--half-life: expected a number above 0");
    if (!(o->position_first >= 0) || !(o->position_last >= 0) ||
        !(o->position_first + o->position_last <= 1))
        return ink__error_set(err, INK_USAGE, NULL,
                              "--position: expected two shares of at least "
                              "0 that sum to at most 1");
    if (o->shapley_samples < 1 || o->shapley_samples > 100000000)
        return ink__error_set(err, INK_USAGE, NULL,
                              "--samples: expected 1 to 100000000");
    return INK_OK;
}

ink_status ink_attr_compute(const ink_attr_paths *p,
                            const ink_attr_options *opt, ink_attr_result **out,
                            ink_error *err)
{
    *out = NULL;
    ink_attr_options defaults;
    if (!opt) {
        ink_attr_options_init(&defaults);
        opt = &defaults;
    }
    ink_status st = check_options(opt, err);
    if (st != INK_OK)
        return st;
    unsigned models = opt->models ? opt->models : INK_ATTR_ALL_MODELS;
    size_t model_count = (size_t)__builtin_popcount(models);
    size_t nc = p->channel_count, ng = p->group_count, nd = p->dim_count;

    ink_attr_result *r = calloc(1, sizeof *r);
    uint32_t *index = ink__alloc_array(p->count, sizeof *index);
    size_t *start = ink__calloc_array(ng + 1, sizeof *start);
    double *work = ink__alloc_array(4 * (nc ? nc : 1), sizeof *work);
    if (!r || !index || !start || !work) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    r->dims = calloc(nd ? nd : 1, sizeof *r->dims);
    r->keys = calloc(ng * nd > 0 ? ng * nd : 1, sizeof *r->keys);
    r->channels = calloc(nc ? nc : 1, sizeof *r->channels);
    r->groups = calloc(ng ? ng : 1, sizeof *r->groups);
    r->rows = ink__calloc_array(ng * model_count * nc, sizeof *r->rows);
    if (!r->dims || !r->keys || !r->channels || !r->groups || !r->rows) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }
    r->dim_count = nd;
    r->group_count = ng;
    r->channel_count = nc;
    int failed = 0;
    for (size_t d = 0; d < nd; d++)
        r->dims[d] = dup_or_null(p->dims[d], &failed);
    for (size_t k = 0; k < ng * nd; k++)
        r->keys[k] = dup_or_null(p->group_keys[k], &failed);
    for (size_t c = 0; c < nc; c++)
        r->channels[c] = dup_or_null(p->channels[c], &failed);
    for (size_t g = 0; g < ng; g++) {
        r->groups[g].currency = dup_or_null(p->group_currency[g], &failed);
        r->groups[g].mixed = p->group_mixed[g];
    }
    if (failed) {
        st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
        goto fail;
    }

    /* The paths of each group, in path order (a counting sort). */
    for (size_t i = 0; i < p->count; i++)
        start[p->group[i] + 1]++;
    for (size_t g = 0; g < ng; g++)
        start[g + 1] += start[g];
    {
        size_t *fill = ink__alloc_array(ng ? ng : 1, sizeof *fill);
        if (!fill) {
            st = ink__error_set(err, INK_NOMEM, NULL, "out of memory");
            goto fail;
        }
        memcpy(fill, start, ng * sizeof *fill);
        for (size_t i = 0; i < p->count; i++)
            index[fill[p->group[i]]++] = (uint32_t)i;
        free(fill);
    }

    attr_out o = {work, work + nc, work + 2 * nc, work + 3 * nc};
    for (size_t g = 0; g < ng; g++) {
        attr_group grp = {p, index + start[g], start[g + 1] - start[g]};
        group_info *gi = &r->groups[g];
        double journeys = 0;
        for (size_t k = 0; k < grp.count; k++) {
            gi->conversions += p->conversions[grp.index[k]];
            gi->value += p->value[grp.index[k]];
            journeys += p->conversions[grp.index[k]] + p->nulls[grp.index[k]];
        }
        gi->journeys = (uint64_t)journeys;
        for (int m = 0; m < INK_ATTR_MODEL_COUNT; m++) {
            if (!(models >> m & 1))
                continue;
            memset(work, 0, 4 * nc * sizeof *work);
            if (m == INK_ATTR_MARKOV)
                st = ink__attr_markov(&grp, opt, &o, err);
            else if (m == INK_ATTR_SHAPLEY)
                st = ink__attr_shapley(&grp, opt, &o, err);
            else
                ink__attr_heuristic(&grp, m, opt, &o);
            if (st != INK_OK)
                goto fail;
            for (size_t c = 0; c < nc; c++) {
                ink_attr_row *row = &r->rows[r->row_count++];
                size_t at = g * nc + c;
                row->group = g;
                row->model = m;
                row->channel = r->channels[c];
                row->conversions = o.conversions[c];
                row->value = gi->mixed ? NAN : o.value[c];
                row->share = gi->conversions > 0
                                 ? o.conversions[c] / gi->conversions
                                 : NAN;
                row->removal_effect =
                    m == INK_ATTR_MARKOV ? o.removal_effect[c] : NAN;
                row->std_error = o.std_error[c];
                row->contacts = p->contacts[at];
                row->cost = p->cost_known[at] && !gi->mixed ? p->cost[at]
                                                            : INK_MONEY_NONE;
                row->value_per_contact =
                    row->contacts ? row->value / (double)row->contacts : NAN;
                row->value_per_cost =
                    row->cost != INK_MONEY_NONE && row->cost > 0
                        ? row->value / ((double)row->cost / INK_MONEY_SCALE)
                        : NAN;
            }
        }
        if (gi->mixed)
            gi->value = NAN;
    }
    free(index);
    free(start);
    free(work);
    *out = r;
    return INK_OK;
fail:
    free(index);
    free(start);
    free(work);
    ink_attr_result_free(r);
    return st;
}

size_t ink_attr_row_count(const ink_attr_result *r)
{
    return r->row_count;
}

const ink_attr_row *ink_attr_row_at(const ink_attr_result *r, size_t i)
{
    return i < r->row_count ? &r->rows[i] : NULL;
}

size_t ink_attr_dim_count(const ink_attr_result *r)
{
    return r->dim_count;
}

const char *ink_attr_dim_name(const ink_attr_result *r, size_t dim)
{
    return dim < r->dim_count ? r->dims[dim] : NULL;
}

size_t ink_attr_group_count(const ink_attr_result *r)
{
    return r->group_count;
}

const char *ink_attr_group_key(const ink_attr_result *r, size_t group,
                               size_t dim)
{
    if (group >= r->group_count || dim >= r->dim_count)
        return NULL;
    return r->keys[group * r->dim_count + dim];
}

double ink_attr_group_conversions(const ink_attr_result *r, size_t group)
{
    return group < r->group_count ? r->groups[group].conversions : NAN;
}

double ink_attr_group_value(const ink_attr_result *r, size_t group)
{
    return group < r->group_count ? r->groups[group].value : NAN;
}

uint64_t ink_attr_group_journeys(const ink_attr_result *r, size_t group)
{
    return group < r->group_count ? r->groups[group].journeys : 0;
}

const char *ink_attr_group_currency(const ink_attr_result *r, size_t group)
{
    return group < r->group_count ? r->groups[group].currency : NULL;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */

/* A number with up to 6 decimals, trailing zeros dropped; null for NaN. */
static void number(FILE *f, double v)
{
    if (!isfinite(v)) {
        fputs("null", f);
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.6f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf) - 1;
        while (e > dot && *e == '0')
            *e-- = '\0';
        if (e == dot)
            *e = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        strcpy(buf, "0");
    fputs(buf, f);
}

ink_status ink_attr_write_json(const ink_attr_result *r, FILE *f)
{
    fputs("{\"rows\": [", f);
    for (size_t i = 0; i < r->row_count; i++) {
        const ink_attr_row *row = &r->rows[i];
        fputs(i ? ",\n  {\"group\": {" : "\n  {\"group\": {", f);
        for (size_t d = 0; d < r->dim_count; d++) {
            if (d)
                fputs(", ", f);
            ink__json_write_string(f, r->dims[d]);
            fputs(": ", f);
            ink__json_write_string(f, ink_attr_group_key(r, row->group, d));
        }
        fputs("}, \"model\": ", f);
        ink__json_write_string(f, ink_attr_model_name(row->model));
        fputs(", \"channel\": ", f);
        ink__json_write_string(f, row->channel);
        fputs(", \"conversions\": ", f);
        number(f, row->conversions);
        fputs(", \"value\": ", f);
        number(f, row->value);
        fputs(", \"share\": ", f);
        number(f, row->share);
        fputs(", \"removal_effect\": ", f);
        number(f, row->removal_effect);
        fputs(", \"std_error\": ", f);
        number(f, row->std_error);
        fprintf(f, ", \"contacts\": %llu, \"cost\": ",
                (unsigned long long)row->contacts);
        if (row->cost == INK_MONEY_NONE)
            fputs("null", f);
        else
            ink__json_write_money(f, row->cost);
        fputs(", \"value_per_contact\": ", f);
        number(f, row->value_per_contact);
        fputs(", \"value_per_cost\": ", f);
        number(f, row->value_per_cost);
        fputs(", \"currency\": ", f);
        ink__json_write_string(f, r->groups[row->group].currency);
        fputc('}', f);
    }
    fputs(r->row_count ? "\n]}\n" : "]}\n", f);
    return ferror(f) ? INK_IO : INK_OK;
}

static void csv_number(FILE *f, double v)
{
    if (isfinite(v))
        number(f, v);
}

ink_status ink_attr_write_csv(const ink_attr_result *r, FILE *f)
{
    for (size_t d = 0; d < r->dim_count; d++) {
        ink__csv_write_field(f, r->dims[d]);
        fputc(',', f);
    }
    fputs("model,channel,conversions,value,share,removal_effect,std_error,"
          "contacts,cost,value_per_contact,value_per_cost,currency\n",
          f);
    for (size_t i = 0; i < r->row_count; i++) {
        const ink_attr_row *row = &r->rows[i];
        for (size_t d = 0; d < r->dim_count; d++) {
            ink__csv_write_field(f, ink_attr_group_key(r, row->group, d));
            fputc(',', f);
        }
        fprintf(f, "%s,", ink_attr_model_name(row->model));
        ink__csv_write_field(f, row->channel);
        fputc(',', f);
        csv_number(f, row->conversions);
        fputc(',', f);
        csv_number(f, row->value);
        fputc(',', f);
        csv_number(f, row->share);
        fputc(',', f);
        csv_number(f, row->removal_effect);
        fputc(',', f);
        csv_number(f, row->std_error);
        fprintf(f, ",%llu,", (unsigned long long)row->contacts);
        if (row->cost != INK_MONEY_NONE)
            ink__json_write_money(f, row->cost);
        fputc(',', f);
        csv_number(f, row->value_per_contact);
        fputc(',', f);
        csv_number(f, row->value_per_cost);
        fputc(',', f);
        ink__csv_write_field(f, r->groups[row->group].currency);
        fputc('\n', f);
    }
    return ferror(f) ? INK_IO : INK_OK;
}
