/* Channel attribution: which contact channels bring the money. */
#ifndef INKASSO_ATTRIBUTION_H
#define INKASSO_ATTRIBUTION_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "inkasso/portfolio.h"
#include "inkasso/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Ownership: every object made here (ink_attr_paths, ink_attr_result) is
 * owned by the caller and freed with its _free function; _free(NULL) is a
 * no-op. Objects are immutable once made: distinct threads may read one
 * object at the same time. Strings handed out stay valid until the
 * object that holds them is freed.
 */

#define INK_ATTR_MAX_CHANNELS 64        /* distinct channels of one path set */
#define INK_ATTR_MAX_DIMS 4             /* grouping dimensions */
#define INK_ATTR_MAX_GROUPS 10000       /* distinct groups */
#define INK_ATTR_MAX_ORDER 4            /* Markov order */
#define INK_ATTR_MAX_PATH_TOUCHES 10000 /* touches of one path-file row */
#define INK_ATTR_MAX_MARKOV_STATES 200000
#define INK_ATTR_SHAPLEY_EXACT_MAX 15 /* channels; sampled beyond */

/* The models, as bits of ink_attr_options.models and as row models. */
typedef enum ink_attr_model {
    INK_ATTR_FIRST = 0,
    INK_ATTR_LAST,
    INK_ATTR_LINEAR,
    INK_ATTR_TIME_DECAY,
    INK_ATTR_POSITION,
    INK_ATTR_MARKOV,
    INK_ATTR_SHAPLEY,
    INK_ATTR_MODEL_COUNT
} ink_attr_model;

#define INK_ATTR_ALL_MODELS ((1u << INK_ATTR_MODEL_COUNT) - 1)

/* The model's name as --model spells it ("time-decay"); NULL out of range. */
const char *ink_attr_model_name(int model);
/* The model of a name, or -1 when unknown. */
int ink_attr_model_find(const char *name);

/*
 * A set of journeys (paths): each an ordered list of channel touches with
 * its conversions, conversion value and null (non-converting) count, and
 * the group it belongs to. Made from a portfolio (ink_attr_journeys) or
 * from a path file (ink_attr_paths_read / _parse).
 */
typedef struct ink_attr_paths ink_attr_paths;

/* Which contacts count as touches: bits (1u << ink_outcome). */
#define INK_ATTR_TOUCH_VALID                                                   \
    ((1u << INK_OUTCOME_NO_RESPONSE) | (1u << INK_OUTCOME_DELIVERED) |         \
     (1u << INK_OUTCOME_RESPONDED))

typedef struct ink_attr_journey_options {
    int32_t as_of;         /* INK_DATE_NONE: the latest date in the data */
    int32_t horizon;       /* days of payments valued after the first; > 0 */
    int32_t lookback;      /* days before the journey's end; 0 = no limit */
    unsigned outcomes;     /* outbound outcomes that are touches */
    const char *const *by; /* case columns (extras included) */
    size_t by_count;
} ink_attr_journey_options;

/* Defaults: as-of from the data, horizon 30, no look-back, valid outbound
 * touches (delivered, no_response, responded), no grouping. */
void ink_attr_journey_options_init(ink_attr_journey_options *opt);

/*
 * The journeys of portfolio p, one per case, in one pass over its
 * contacts and payments (grouped by case). A case converts on its first
 * positive payment on or before as-of; its value is the sum of its
 * payments (reversals included, at least 0) from that day to the day
 * before day + horizon, and not after as-of. Its touches are its outbound
 * contacts whose outcome is in opt->outcomes, dated on or before the
 * conversion day, or without conversion on or before its closing day or
 * as-of, and within the look-back before that day. Cases without touches
 * are counted (ink_attr_paths_untouched) but are no journey.
 * On success *out owns a new path set. INK_USAGE for a bad option
 * (unknown or repeated dimension, horizon not in 1..3650, look-back not in
 * 0..3650, no outcome); INK_LIMIT past INK_ATTR_MAX_CHANNELS channels or
 * INK_ATTR_MAX_GROUPS groups; INK_NOMEM. err says which.
 */
ink_status ink_attr_journeys(const ink_portfolio *p,
                             const ink_attr_journey_options *opt,
                             ink_attr_paths **out, ink_error *err);

/*
 * Reads ChannelAttribution's path format: a header line naming the
 * columns path and total_conversions, optionally total_conversion_value
 * and total_null (any order, ';'-separated), then one row per path:
 * channels separated by '>' (spaces around names are trimmed), a count of
 * conversions, a value (a decimal number, may be fractional) and a count
 * of nulls. Blank lines are skipped; CRLF is accepted. name is used in
 * messages (the file name). INK_DATA with file:line:column and what was
 * expected for a malformed row; INK_LIMIT past INK_ATTR_MAX_CHANNELS
 * channels or INK_ATTR_MAX_PATH_TOUCHES touches in a row; INK_IO when
 * the file cannot be read. On success *out owns a new path set.
 */
ink_status ink_attr_paths_parse(const char *text, size_t len, const char *name,
                                ink_attr_paths **out, ink_error *err);
ink_status ink_attr_paths_read(const char *path, ink_attr_paths **out,
                               ink_error *err);

void ink_attr_paths_free(ink_attr_paths *paths);

/* Journeys (path rows) held, and channels in byte order of their names. */
size_t ink_attr_paths_count(const ink_attr_paths *paths);
size_t ink_attr_paths_channel_count(const ink_attr_paths *paths);
const char *ink_attr_paths_channel(const ink_attr_paths *paths, size_t i);
/* Conversions of cases without any touch (not attributed; 0 for files). */
uint64_t ink_attr_paths_untouched(const ink_attr_paths *paths);

typedef struct ink_attr_options {
    unsigned models;          /* bits (1u << ink_attr_model); 0 = all */
    int order;                /* Markov order, 1..INK_ATTR_MAX_ORDER */
    double half_life;         /* time decay: days (portfolio) or steps (file) */
    double position_first;    /* position-based share of the first touch */
    double position_last;     /* and of the last; the middle shares the rest */
    uint64_t shapley_samples; /* permutations past 15 channels */
    uint64_t seed;            /* of the Shapley sampling */
} ink_attr_options;

/* Defaults: all models, order 1, half-life 7, position 0.4 / 0.4, 2,000
 * Shapley permutations, seed 1. */
void ink_attr_options_init(ink_attr_options *opt);

/* One attributed channel of one group and model. */
typedef struct ink_attr_row {
    size_t group; /* index for ink_attr_group_key */
    int model;    /* ink_attr_model */
    const char *channel;
    double conversions;       /* attributed conversions */
    double value;             /* attributed value, major units; NaN: mixed
                                 currencies in the group */
    double share;             /* conversions / the group's total conversions */
    double removal_effect;    /* Markov; NaN for the other models */
    double std_error;         /* sampled Shapley: of conversions; else 0 */
    uint64_t contacts;        /* touches of the channel in the group */
    int64_t cost;             /* their known cost, 1/10000; INK_MONEY_NONE when
                                 none is known or currencies are mixed */
    double value_per_contact; /* NaN when undefined */
    double value_per_cost;    /* value per unit of cost; NaN when undefined */
} ink_attr_row;

typedef struct ink_attr_result ink_attr_result;

/*
 * Runs the models of opt (NULL: defaults) on every group of paths.
 *  - first / last: the group's conversions and value of each path go to
 *    its first / last touch;
 *  - linear: a channel with k of a path's n touches gets k/n;
 *  - time-decay: touch weight 2^(-age / half_life), normalised per path
 *    (age in days before the path's end, or in steps for a path file);
 *  - position: first and last touch position_first / position_last, the
 *    middle touches the rest in equal parts; one touch gets all, two
 *    split in the ratio first : last;
 *  - markov: ChannelAttribution's removal effect (Altomare & Loris),
 *    consecutive repeats collapsed, states of `order` consecutive
 *    channels, (start), (conversion) and (null), transitions weighted by
 *    conversions + nulls; the absorbing chain is solved exactly (dense LU
 *    up to 400 states, Gauss-Seidel to 1e-15 beyond), never simulated;
 *    conversions and value attributed in proportion to the removal
 *    effects of the conversion chain and the value chain;
 *  - shapley: Shapley value of each channel in the game v(S) = conversion
 *    rate (value per journey) of the journeys that use only channels of
 *    S, exact up to 15 channels, else by shapley_samples random
 *    permutations with the standard error in std_error; scaled so that
 *    the channels sum to the group's conversions (value).
 * INK_USAGE for a bad option (order, half-life <= 0, position shares
 * negative or summing above 1, no samples); INK_LIMIT past
 * INK_ATTR_MAX_MARKOV_STATES; INK_NOMEM. On success *out owns the result.
 */
ink_status ink_attr_compute(const ink_attr_paths *paths,
                            const ink_attr_options *opt, ink_attr_result **out,
                            ink_error *err);
void ink_attr_result_free(ink_attr_result *r);

/* Rows in output order: by group, model, then channel name. */
size_t ink_attr_row_count(const ink_attr_result *r);
const ink_attr_row *ink_attr_row_at(const ink_attr_result *r, size_t i);
/* Grouping dimensions, groups, and a group's value of a dimension (NULL:
 * the null group). */
size_t ink_attr_dim_count(const ink_attr_result *r);
const char *ink_attr_dim_name(const ink_attr_result *r, size_t dim);
size_t ink_attr_group_count(const ink_attr_result *r);
const char *ink_attr_group_key(const ink_attr_result *r, size_t group,
                               size_t dim);
/* A group's totals: conversions, value (NaN when its currencies are
 * mixed), journeys, and its currency (NULL when mixed or a path file). */
double ink_attr_group_conversions(const ink_attr_result *r, size_t group);
double ink_attr_group_value(const ink_attr_result *r, size_t group);
uint64_t ink_attr_group_journeys(const ink_attr_result *r, size_t group);
const char *ink_attr_group_currency(const ink_attr_result *r, size_t group);

/*
 * {"rows": [{"group": {dim: value, ...}, "model", "channel",
 * "conversions", "value", "share", "removal_effect", "std_error",
 * "contacts", "cost", "value_per_contact", "value_per_cost",
 * "currency"}, ...]} (undefined numbers are null), and CSV with one line
 * per row (dimension columns first). INK_IO when writing fails.
 */
ink_status ink_attr_write_json(const ink_attr_result *r, FILE *out);
ink_status ink_attr_write_csv(const ink_attr_result *r, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
