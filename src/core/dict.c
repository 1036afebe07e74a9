/* String dictionaries: an arena of strings with an open-addressing index. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/dict.h"
#include "core/hash.h"
#include "core/mem.h"

ink_dict *ink__dict_new(void)
{
    ink_dict *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->offset = malloc(2 * sizeof *d->offset);
    d->hashes = malloc(sizeof *d->hashes);
    d->bytes = malloc(64);
    if (!d->offset || !d->hashes || !d->bytes) {
        ink__dict_free(d);
        return NULL;
    }
    d->code_cap = 1;
    d->bytes_cap = 64;
    /* Code 0 is the empty string that stands for "missing". */
    d->bytes[0] = '\0';
    d->bytes_len = 1;
    d->offset[0] = 0;
    d->offset[1] = 1;
    d->hashes[0] = 0;
    d->count = 1;
    return d;
}

void ink__dict_free(ink_dict *d)
{
    if (!d)
        return;
    free(d->bytes);
    free(d->offset);
    free(d->hashes);
    free(d->slots);
    free(d);
}

uint32_t ink_dict_count(const ink_dict *d)
{
    return d ? d->count : 0;
}

const char *ink_dict_get(const ink_dict *d, uint32_t code, size_t *len)
{
    if (!d || code == 0 || code >= d->count) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = d->offset[code + 1] - d->offset[code] - 1;
    return d->bytes + d->offset[code];
}

static int same(const ink_dict *d, uint32_t code, const char *s, size_t len)
{
    size_t n = d->offset[code + 1] - d->offset[code] - 1;
    return n == len && ink__bytes_equal(d->bytes + d->offset[code], s, len);
}

/* The index may be split in regions by the hash's top bits (see below). */
static uint32_t *region_of(const ink_dict *d, uint64_t hash)
{
    if (d->region_bits == 0)
        return d->slots;
    return d->slots + (hash >> (64 - d->region_bits)) * (d->slot_mask + 1);
}

static uint32_t lookup(const ink_dict *d, const char *s, size_t len,
                       uint64_t hash)
{
    const uint32_t *slots = region_of(d, hash);
    size_t i = (size_t)hash & d->slot_mask;
    for (;;) {
        uint32_t code = slots[i];
        if (code == 0)
            return 0;
        if (d->hashes[code] == hash && same(d, code, s, len))
            return code;
        i = (i + 1) & d->slot_mask;
    }
}

uint32_t ink_dict_find(const ink_dict *d, const char *s, size_t len)
{
    if (!d || !d->slots)
        return 0;
    return lookup(d, s, len, ink__hash(s, len));
}

/* Makes room for cap codes in offset (cap + 1) and hashes (cap). */
static int resize_codes(ink_dict *d, size_t cap)
{
    if (cap > SIZE_MAX / sizeof(uint64_t) - 1)
        return 0;
    uint32_t *offset = realloc(d->offset, (cap + 1) * sizeof *offset);
    if (!offset)
        return 0;
    d->offset = offset;
    if (d->hashes) {
        uint64_t *hashes = realloc(d->hashes, cap * sizeof *hashes);
        if (!hashes)
            return 0;
        d->hashes = hashes;
    }
    d->code_cap = cap;
    return 1;
}

int ink__dict_reserve(ink_dict *d, size_t codes, size_t bytes)
{
    if (codes > d->code_cap && !resize_codes(d, codes))
        return 0;
    if (bytes > d->bytes_cap) {
        char *p = realloc(d->bytes, bytes);
        if (!p)
            return 0;
        d->bytes = p;
        d->bytes_cap = bytes;
    }
    return 1;
}

static uint32_t push(ink_dict *d, const char *s, size_t len, uint64_t hash)
{
    if (d->count >= INK_DICT_MAX_CODES ||
        len > INK_DICT_MAX_BYTES - d->bytes_len - 1)
        return 0;
    void *p = d->bytes;
    if (!ink__reserve(&p, &d->bytes_cap, d->bytes_len + len + 1, 1))
        return 0;
    d->bytes = p;
    if ((size_t)d->count + 1 > d->code_cap) {
        size_t cap = d->code_cap ? d->code_cap : 16;
        while (cap < (size_t)d->count + 1)
            cap *= 2;
        if (!resize_codes(d, cap))
            return 0;
    }
    memcpy(d->bytes + d->bytes_len, s, len);
    d->bytes[d->bytes_len + len] = '\0';
    d->bytes_len += len + 1;
    uint32_t code = d->count++;
    if (d->hashes)
        d->hashes[code] = hash;
    d->offset[code + 1] = (uint32_t)d->bytes_len;
    return code;
}

/* Slots for an index of `codes` codes at load <= 1/2; 0 on overflow. */
static size_t index_size(size_t codes)
{
    size_t size = 16;
    while (size < codes * 2) {
        if (size > SIZE_MAX / 4)
            return 0;
        size *= 2;
    }
    return size;
}

static int grow_index(ink_dict *d, size_t want_codes)
{
    size_t size = index_size(want_codes);
    if (!size)
        return 0;
    uint32_t *slots = ink__calloc_array(size, sizeof *slots);
    if (!slots)
        return 0;
    size_t mask = size - 1;
    for (uint32_t c = 1; c < d->count; c++) {
        size_t i = (size_t)d->hashes[c] & mask;
        while (slots[i])
            i = (i + 1) & mask;
        slots[i] = c;
    }
    free(d->slots);
    d->slots = slots;
    d->slot_mask = mask;
    d->region_bits = 0;
    return 1;
}

uint32_t ink__dict_intern(ink_dict *d, const char *s, size_t len, uint64_t hash)
{
    if (!d->hashes)
        return 0;
    /* A split index is rebuilt whole before it takes new codes. */
    if (!d->slots || d->region_bits || (size_t)d->count * 2 > d->slot_mask) {
        if (!grow_index(d, (size_t)d->count * 2))
            return 0;
    }
    uint32_t code = lookup(d, s, len, hash);
    if (code)
        return code;
    code = push(d, s, len, hash);
    if (!code)
        return 0;
    size_t i = (size_t)hash & d->slot_mask;
    while (d->slots[i])
        i = (i + 1) & d->slot_mask;
    d->slots[i] = code;
    return code;
}

uint32_t ink__dict_append(ink_dict *d, const char *s, size_t len, uint64_t hash)
{
    return push(d, s, len, hash);
}

int ink__dict_append_all(ink_dict *dst, const ink_dict *src)
{
    /* Bulk copy: src's strings after its code 0 follow dst's, so each
     * offset moves by the same amount. */
    size_t n = src->count - 1;
    size_t src_bytes = src->bytes_len - src->offset[1];
    if (dst->slots || (size_t)dst->count + n > INK_DICT_MAX_CODES ||
        dst->bytes_len + src_bytes > INK_DICT_MAX_BYTES)
        return 0;
    if (!ink__dict_reserve(dst, (size_t)dst->count + n,
                           dst->bytes_len + src_bytes))
        return 0;
    memcpy(dst->bytes + dst->bytes_len, src->bytes + src->offset[1], src_bytes);
    uint32_t shift = (uint32_t)dst->bytes_len - src->offset[1];
    for (size_t c = 1; c <= n; c++)
        dst->offset[dst->count + c] = src->offset[c + 1] + shift;
    if (dst->hashes) {
        if (!src->hashes)
            return 0;
        memcpy(dst->hashes + dst->count, src->hashes + 1,
               n * sizeof *dst->hashes);
    }
    dst->count += (uint32_t)n;
    dst->bytes_len += src_bytes;
    return 1;
}

int ink__dict_rehash(ink_dict *d)
{
    if (d->hashes)
        return 1;
    uint64_t *h = ink__alloc_array(d->code_cap ? d->code_cap : 1, sizeof *h);
    if (!h)
        return 0;
    h[0] = 0;
    for (uint32_t c = 1; c < d->count; c++)
        h[c] = ink__hash(d->bytes + d->offset[c],
                         d->offset[c + 1] - d->offset[c] - 1);
    d->hashes = h;
    return 1;
}

void ink__dict_drop_index(ink_dict *d)
{
    free(d->slots);
    free(d->hashes);
    d->slots = NULL;
    d->hashes = NULL;
    d->region_bits = 0;
    d->slot_mask = 0;
}

/*
 * The index is split by the hash's top bits into one region per thread;
 * each thread scans all codes in order and inserts only those of its
 * region. Codes are visited in increasing order, so the first of equal
 * strings is the one indexed and later ones are the duplicates.
 */
typedef struct index_job {
    ink_dict *d;
    uint32_t *dup_of;
    size_t region;      /* which region this thread fills */
    size_t region_bits; /* log2 of the number of regions */
    size_t region_mask; /* slots per region - 1 */
    int overflow;       /* the region passed 3/4 full: hashes are skewed */
} index_job;

static void *index_region(void *arg)
{
    index_job *job = arg;
    ink_dict *d = job->d;
    uint32_t *base = d->slots + job->region * (job->region_mask + 1);
    size_t filled = 0, limit = (job->region_mask + 1) / 4 * 3;
    const uint32_t ahead = 16;
    for (uint32_t c = 1; c < d->count; c++) {
        /* The slot a few codes ahead is fetched now, so that its cache
         * miss overlaps with this code's work. */
        if (c + ahead < d->count) {
            uint64_t next = d->hashes[c + ahead];
            __builtin_prefetch(base + ((size_t)next & job->region_mask), 1);
        }
        uint64_t h = d->hashes[c];
        if (job->region_bits && (h >> (64 - job->region_bits)) != job->region)
            continue;
        size_t i = (size_t)h & job->region_mask;
        const char *s = d->bytes + d->offset[c];
        size_t len = d->offset[c + 1] - d->offset[c] - 1;
        for (;;) {
            uint32_t other = base[i];
            if (other == 0) {
                base[i] = c;
                if (++filled >= limit) {
                    job->overflow = 1;
                    return NULL;
                }
                break;
            }
            if (d->hashes[other] == h && same(d, other, s, len)) {
                if (job->dup_of)
                    job->dup_of[c] = other;
                break;
            }
            i = (i + 1) & job->region_mask;
        }
    }
    return NULL;
}

/* One table, codes in order, reporting duplicates (the slow path). */
static int grow_index_checked(ink_dict *d, uint32_t *dup_of)
{
    size_t size = index_size(d->count);
    if (!size)
        return 0;
    uint32_t *slots = ink__calloc_array(size, sizeof *slots);
    if (!slots)
        return 0;
    d->slots = slots;
    d->slot_mask = size - 1;
    index_job job = {d, dup_of, 0, 0, size - 1, 0};
    index_region(&job);
    return 1;
}

int ink__dict_build_index(ink_dict *d, int threads, uint32_t *dup_of)
{
    if (!d->hashes)
        return 0;
    size_t regions = 1, bits = 0;
    while ((int)regions * 2 <= threads && regions < 8) {
        regions *= 2;
        bits++;
    }
    /* Each region is sized for the whole count over regions, with slack
     * for uneven hashing: load stays under 1/2 in expectation. */
    size_t per = 16;
    while (per < ((size_t)d->count * 2) / regions + 64) {
        if (per > SIZE_MAX / 4)
            return 0;
        per *= 2;
    }
    if (per > SIZE_MAX / regions)
        return 0;
    uint32_t *slots = ink__calloc_array(per * regions, sizeof *slots);
    if (!slots)
        return 0;
    free(d->slots);
    d->slots = slots;
    index_job jobs[8];
    pthread_t tids[8];
    int started[8] = {0};
    for (size_t r = 0; r < regions; r++) {
        jobs[r] = (index_job){d, dup_of, r, bits, per - 1, 0};
        if (r > 0 &&
            pthread_create(&tids[r], NULL, index_region, &jobs[r]) == 0)
            started[r] = 1;
    }
    index_region(&jobs[0]);
    for (size_t r = 1; r < regions; r++) {
        if (started[r])
            pthread_join(tids[r], NULL);
        else
            index_region(&jobs[r]); /* no thread: do it here */
    }
    d->slot_mask = per - 1;
    d->region_bits = bits;
    int overflow = 0;
    for (size_t r = 0; r < regions; r++)
        overflow |= jobs[r].overflow;
    if (!overflow)
        return 1;
    /* Skewed hashes filled a region: do it again in one table, in order. */
    free(d->slots);
    d->slots = NULL;
    d->region_bits = 0;
    if (!grow_index_checked(d, dup_of))
        return 0;
    return 1;
}

void ink__dict_insert_sorted(ink_dict *d, size_t old_rows, const uint32_t *pos,
                             size_t added, void *scratch)
{
    if (added == 0)
        return;
    uint32_t *off = d->offset;
    size_t first_new = off[old_rows + 1];
    size_t new_bytes = off[old_rows + added + 1] - first_new;
    uint32_t *len = scratch;
    char *tmp = (char *)(len + added);
    memcpy(tmp, d->bytes + first_new, new_bytes);
    for (size_t k = 0; k < added; k++)
        len[k] = off[old_rows + k + 2] - off[old_rows + k + 1];
    /* From the back: the old rows after new row k move right by the
     * bytes of new rows k.. and by k + 1 codes; new row k lands before
     * them. Nothing moved is read again. */
    size_t dst_end = off[old_rows + added + 1], src_end = old_rows;
    size_t tmp_end = new_bytes;
    for (size_t k = added; k-- > 0;) {
        size_t p = pos[k];
        size_t b0 = off[p + 1], b1 = off[src_end + 1];
        size_t delta = dst_end - b1;
        memmove(d->bytes + b0 + delta, d->bytes + b0, b1 - b0);
        for (size_t c = src_end; c > p; c--)
            off[c + k + 1] = off[c] + (uint32_t)delta;
        dst_end = b0 + delta - len[k];
        tmp_end -= len[k];
        memcpy(d->bytes + dst_end, tmp + tmp_end, len[k]);
        off[p + k + 1] = (uint32_t)dst_end;
        src_end = p;
    }
}
