/* The boosted trees compiled to flat node arrays for fast scoring: read
 * from XGBoost's JSON model (its documented schema, doc/model.schema in
 * the XGBoost sources) and walked with XGBoost's rule (go left when the
 * value is below the split, missing values to the default child). */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "model/model_impl.h"

/* Rows per worker below which one more thread costs more than it saves
 * (a thread start is ~50 us; 20,000 rows of 100 trees take ~20 ms). */
#define PARALLEL_MIN_ROWS 20000
#define MAX_THREADS 64
/* Rows walked together through one tree: the tree stays in L1 cache and
 * the walks of different rows overlap in the CPU. */
#define ROW_BLOCK 64

void ink__forest_cleanup(ink__forest *f)
{
    free(f->node);
    free(f->root);
    free(f->split_feature);
    free(f->split_value);
    free(f->split_default_left);
    free(f->leaf);
    memset(f, 0, sizeof *f);
}

/* Writes node n of a tree at position pos (level level) of its complete
 * tree; a leaf above the last level is repeated down both sides. */
static void place(ink__forest *f, size_t tree, uint32_t n, size_t pos,
                  int level)
{
    size_t inner = ((size_t)1 << f->depth) - 1;
    const ink__forest_node *node = &f->node[n];
    if (level == f->depth) {
        f->leaf[tree * (inner + 1) + pos - inner] = node->value;
        return;
    }
    size_t at = tree * inner + pos;
    int leaf = node->left < 0;
    f->split_feature[at] = leaf ? 0 : node->feature;
    f->split_value[at] = leaf ? 0 : node->value;
    f->split_default_left[at] = leaf ? 1 : node->default_left;
    place(f, tree, leaf ? n : (uint32_t)node->left, 2 * pos + 1, level + 1);
    place(f, tree, leaf ? n : (uint32_t)node->right, 2 * pos + 2, level + 1);
}

/* Compiles the node trees into complete ones when they are shallow
 * enough; INK_NOMEM only when memory fails. */
static ink_status compile(ink__forest *f)
{
    size_t nodes = f->root[f->trees];
    uint8_t *level = ink__alloc_array(nodes, 1);
    if (!level)
        return INK_NOMEM;
    int depth = 0;
    for (size_t t = 0; t < f->trees; t++) {
        level[f->root[t]] = 0;
        /* Children come after their parent: one pass in index order. */
        for (uint32_t i = f->root[t]; i < f->root[t + 1]; i++) {
            if (f->node[i].left < 0)
                continue;
            int next = level[i] + 1;
            if (next > INK__FOREST_MAX_DEPTH) {
                free(level);
                return INK_OK; /* too deep: walk the nodes */
            }
            level[f->node[i].left] = level[f->node[i].right] = (uint8_t)next;
            if (next > depth)
                depth = next;
        }
    }
    free(level);
    size_t inner = ((size_t)1 << depth) - 1;
    f->split_feature = ink__alloc_array(f->trees, (inner + 1) * 2);
    f->split_value = ink__alloc_array(f->trees, (inner + 1) * sizeof(float));
    f->split_default_left = ink__alloc_array(f->trees, inner + 1);
    f->leaf = ink__alloc_array(f->trees, (inner + 1) * sizeof(float));
    if (!f->split_feature || !f->split_value || !f->split_default_left ||
        !f->leaf)
        return INK_NOMEM;
    f->depth = depth;
    for (size_t t = 0; t < f->trees; t++)
        place(f, t, f->root[t], 0, 0);
    return INK_OK;
}

/* The text after "key": in buf[pos, len), or NULL. */
static const char *find_key(const char *buf, size_t len, size_t *pos,
                            const char *key)
{
    size_t klen = strlen(key);
    if (*pos >= len)
        return NULL;
    const char *hit = memmem(buf + *pos, len - *pos, key, klen);
    if (!hit)
        return NULL;
    *pos = (size_t)(hit - buf) + klen;
    return buf + *pos;
}

/* Parses a JSON number array at s ("[1,2E0,...]") into out (at most max
 * values, as doubles); returns the count, or SIZE_MAX when malformed. */
static size_t parse_array(const char *s, const char *end, double *out,
                          size_t max)
{
    if (s >= end || *s != '[')
        return SIZE_MAX;
    s++;
    size_t n = 0;
    if (s < end && *s == ']')
        return 0;
    while (s < end) {
        char *next;
        errno = 0;
        double v = strtod(s, &next);
        if (next == s || n >= max)
            return SIZE_MAX;
        out[n++] = v;
        s = next;
        if (s < end && *s == ',') {
            s++;
            continue;
        }
        if (s < end && *s == ']')
            return n;
        return SIZE_MAX;
    }
    return SIZE_MAX;
}

/* The node count of an array at s: its commas + 1 (0 for "[]"). */
static size_t array_length(const char *s, const char *end)
{
    if (s >= end || *s != '[')
        return SIZE_MAX;
    if (s + 1 < end && s[1] == ']')
        return 0;
    size_t n = 1;
    for (s++; s < end && *s != ']'; s++)
        n += *s == ',';
    return s < end ? n : SIZE_MAX;
}

ink_status ink__forest_parse(const char *json, size_t len, size_t cols,
                             ink__forest *out)
{
    memset(out, 0, sizeof *out);
    size_t pos = 0;
    /* Only plain binary:logistic trees: anything else keeps XGBoost's
     * own predictor. */
    if (!memmem(json, len, "\"name\":\"binary:logistic\"", 24) ||
        !memmem(json, len, "\"name\":\"gbtree\"", 15))
        return INK_DATA;
    size_t p0 = 0;
    const char *bs = find_key(json, len, &p0, "\"base_score\":\"");
    if (!bs)
        return INK_DATA;
    char *bend;
    double base = strtod(bs, &bend);
    if (bend == bs || *bend != '"' || !(base > 0) || !(base < 1))
        return INK_DATA;
    out->base_margin = (float)log(base / (1 - base));
    p0 = 0;
    const char *nt = find_key(json, len, &p0, "\"num_trees\":\"");
    if (!nt)
        return INK_DATA;
    unsigned long trees = strtoul(nt, &bend, 10);
    if (bend == nt || *bend != '"' || trees > 100000)
        return INK_DATA;
    if (!find_key(json, len, &pos, "\"trees\":["))
        return INK_DATA;
    const char *end = json + len;
    size_t cap = 0, count = 0;
    double *arr[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    out->root = ink__alloc_array(trees + 1, sizeof *out->root);
    if (!out->root)
        return INK_NOMEM;
    ink_status st = INK_DATA;
    /* The arrays of one tree, in the schema's (alphabetical) key order. */
    static const char *const keys[6] = {
        "\"default_left\":[",     "\"left_children\":[", "\"right_children\":[",
        "\"split_conditions\":[", "\"split_indices\":[", "\"split_type\":["};
    for (size_t t = 0; t < trees; t++) {
        const char *at[6];
        for (size_t k = 0; k < 6; k++) {
            if (!(at[k] = find_key(json, len, &pos, keys[k])))
                goto fail;
            at[k]--; /* at the '[' */
        }
        size_t n = array_length(at[1], end);
        if (n == SIZE_MAX || n == 0 || n > (1u << 24) || count + n > INT32_MAX)
            goto fail;
        if (count + n > cap) {
            size_t want = (count + n) * 2;
            ink__forest_node *grown =
                ink__realloc_array(out->node, want, sizeof *grown);
            if (!grown) {
                st = INK_NOMEM;
                goto fail;
            }
            out->node = grown;
            cap = want;
        }
        for (size_t k = 0; k < 6; k++)
            if (!(arr[k] = ink__alloc_array(n, sizeof(double)))) {
                st = INK_NOMEM;
                goto fail;
            }
        int ok = 1;
        for (size_t k = 0; k < 6 && ok; k++)
            ok = parse_array(at[k], end, arr[k], n) == n;
        for (size_t i = 0; ok && i < n; i++) {
            ink__forest_node *node = &out->node[count + i];
            double left = arr[1][i], right = arr[2][i], feature = arr[4][i];
            if (arr[5][i] != 0) {
                ok = 0; /* a categorical split is not walked here */
            } else if (left == -1) {
                node->left = node->right = -1;
                node->feature = 0;
                node->default_left = 0;
            } else if (left > (double)i && left < (double)n &&
                       right > (double)i && right < (double)n && feature >= 0 &&
                       feature < (double)cols) {
                /* Children come after their parent: every walk ends. */
                node->left = (int32_t)(count + (size_t)left);
                node->right = (int32_t)(count + (size_t)right);
                node->feature = (uint16_t)feature;
                node->default_left = arr[0][i] != 0;
            } else {
                ok = 0;
            }
            node->value = (float)arr[3][i];
        }
        for (size_t k = 0; k < 6; k++) {
            free(arr[k]);
            arr[k] = NULL;
        }
        if (!ok)
            goto fail;
        out->root[t] = (uint32_t)count;
        count += n;
    }
    out->trees = trees;
    out->cols = cols;
    out->root[trees] = (uint32_t)count;
    if (trees > 0 && (st = compile(out)) != INK_OK)
        goto fail;
    return INK_OK;
fail:
    for (size_t k = 0; k < 6; k++)
        free(arr[k]);
    ink__forest_cleanup(out);
    return st;
}

/* Margins of rows [begin, end) of x into margin. */
static void walk_rows(const ink__forest *f, const float *x, size_t cols,
                      size_t begin, size_t end, float *margin)
{
    for (size_t r0 = begin; r0 < end; r0 += ROW_BLOCK) {
        size_t r1 = r0 + ROW_BLOCK < end ? r0 + ROW_BLOCK : end;
        for (size_t r = r0; r < r1; r++)
            margin[r] = f->base_margin;
        /* Leaves are added in tree order in float, as XGBoost does. */
        for (size_t t = 0; t < f->trees; t++) {
            const ink__forest_node *node = f->node;
            uint32_t root = f->root[t];
            for (size_t r = r0; r < r1; r++) {
                const float *row = x + r * cols;
                uint32_t i = root;
                while (node[i].left >= 0) {
                    float v = row[node[i].feature];
                    int go_left =
                        isnan(v) ? node[i].default_left : v < node[i].value;
                    i = (uint32_t)(go_left ? node[i].left : node[i].right);
                }
                margin[r] += node[i].value;
            }
        }
    }
}

/* The same on the complete trees: depth steps per tree and row, each a
 * comparison and an index computation, the rows of a block in step so
 * their walks overlap. */
static void walk_complete(const ink__forest *f, const float *x, size_t cols,
                          size_t begin, size_t end, float *margin)
{
    size_t inner = ((size_t)1 << f->depth) - 1;
    uint32_t pos[ROW_BLOCK];
    for (size_t r0 = begin; r0 < end; r0 += ROW_BLOCK) {
        size_t n = r0 + ROW_BLOCK < end ? ROW_BLOCK : end - r0;
        const float *rows = x + r0 * cols;
        float sum[ROW_BLOCK];
        for (size_t r = 0; r < n; r++)
            sum[r] = f->base_margin;
        for (size_t t = 0; t < f->trees; t++) {
            const uint16_t *feature = f->split_feature + t * inner;
            const float *value = f->split_value + t * inner;
            const uint8_t *dleft = f->split_default_left + t * inner;
            const float *leaf = f->leaf + t * (inner + 1);
            for (size_t r = 0; r < n; r++)
                pos[r] = 0;
            for (int level = 0; level < f->depth; level++)
                for (size_t r = 0; r < n; r++) {
                    uint32_t i = pos[r];
                    float v = rows[r * cols + feature[i]];
                    /* Left when below the split, or missing and the
                     * default is left (v != v: NaN). */
                    uint32_t left = (uint32_t)(v < value[i]) |
                                    ((uint32_t)(v != v) & dleft[i]);
                    pos[r] = 2 * i + 2 - left;
                }
            for (size_t r = 0; r < n; r++)
                sum[r] += leaf[pos[r] - inner];
        }
        for (size_t r = 0; r < n; r++)
            margin[r0 + r] = sum[r];
    }
}

typedef struct forest_job {
    const ink__forest *f;
    const float *x;
    size_t cols, begin, end;
    double *prob;
    float *margin;
} forest_job;

static void *forest_worker(void *arg)
{
    forest_job *j = arg;
    if (j->f->depth > 0)
        walk_complete(j->f, j->x, j->cols, j->begin, j->end, j->margin);
    else
        walk_rows(j->f, j->x, j->cols, j->begin, j->end, j->margin);
    for (size_t r = j->begin; r < j->end; r++)
        j->prob[r] = 1.0f / (1.0f + expf(-j->margin[r]));
    return NULL;
}

int ink__thread_count(int threads, size_t work, size_t min_per_thread)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n = threads > 0 ? (size_t)threads : (size_t)(cores > 0 ? cores : 1);
    if (n > MAX_THREADS)
        n = MAX_THREADS;
    size_t useful = min_per_thread ? work / min_per_thread : n;
    if (n > useful)
        n = useful;
    return n ? (int)n : 1;
}

ink_status ink__forest_predict(const ink__forest *f, const ink__matrix *m,
                               int threads, double *prob)
{
    if (m->rows == 0)
        return INK_OK;
    float *margin = ink__alloc_array(m->rows, sizeof *margin);
    if (!margin)
        return INK_NOMEM;
    size_t n = (size_t)ink__thread_count(threads, m->rows, PARALLEL_MIN_ROWS);
    forest_job jobs[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    int started[MAX_THREADS] = {0};
    for (size_t t = 0; t < n; t++)
        jobs[t] = (forest_job){
            f,    m->x,  m->cols, m->rows * t / n, m->rows * (t + 1) / n,
            prob, margin};
    for (size_t t = 1; t < n; t++)
        started[t] =
            pthread_create(&tids[t], NULL, forest_worker, &jobs[t]) == 0;
    forest_worker(&jobs[0]);
    for (size_t t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            forest_worker(&jobs[t]);
    }
    free(margin);
    return INK_OK;
}
