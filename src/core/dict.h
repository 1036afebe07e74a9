/* String dictionaries: interned values of text columns and row ids. */
#ifndef INK_CORE_DICT_H
#define INK_CORE_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "inkasso/portfolio.h"

/*
 * Strings live NUL-terminated in one arena; code c spans
 * bytes[offset[c] .. offset[c + 1] - 1). Code 0 is the empty slot for
 * "missing". hashes[c] keeps each string's hash so that indexing and
 * resizing never re-read the strings. The index (slots) is optional:
 * id lists are appended without it and indexed once, in parallel.
 */
struct ink_dict {
    char *bytes;
    size_t bytes_len, bytes_cap;
    uint32_t *offset; /* count + 1 entries */
    uint64_t *hashes; /* count entries; NULL once the index is dropped */
    uint32_t count;   /* codes including 0 */
    size_t code_cap;
    uint32_t *slots;    /* code per slot, 0 = empty; NULL = not indexed */
    size_t slot_mask;   /* slots per region - 1 */
    size_t region_bits; /* the index has 2^region_bits regions */
};

#define INK_DICT_MAX_CODES (UINT32_MAX - 1u)
#define INK_DICT_MAX_BYTES ((size_t)UINT32_MAX)

ink_dict *ink__dict_new(void);
void ink__dict_free(ink_dict *d);

/* Code of s, adding it if new. 0 on allocation failure or limit. */
uint32_t ink__dict_intern(ink_dict *d, const char *s, size_t len,
                          uint64_t hash);
/* Appends s as a new code without looking it up (the dict must not be
 * indexed). 0 on failure. */
uint32_t ink__dict_append(ink_dict *d, const char *s, size_t len,
                          uint64_t hash);
/* Room for `codes` codes and `bytes` bytes of strings in total. */
int ink__dict_reserve(ink_dict *d, size_t codes, size_t bytes);
/* Frees the index and the hashes: the strings stay, but the dict can no
 * longer be searched or interned into (for ids that are only listed). */
void ink__dict_drop_index(ink_dict *d);
/* Computes the hashes of a dict whose index was dropped (or that was
 * filled without them), so that it can be indexed again. */
int ink__dict_rehash(ink_dict *d);
/*
 * Moves the last `added` codes (an id list: row i is code i + 1) in
 * among the first old_rows, in place: new code k goes before old row
 * pos[k] (pos ascending; old_rows for the end). The dict must not be
 * indexed. scratch holds added * 4 bytes and the added strings' bytes.
 */
void ink__dict_insert_sorted(ink_dict *d, size_t old_rows, const uint32_t *pos,
                             size_t added, void *scratch);
/* Appends all codes 1.. of src in order (dst not indexed). */
int ink__dict_append_all(ink_dict *dst, const ink_dict *src);

/*
 * Indexes every code, using up to `threads` threads. When a string
 * occurs more than once, the later code is not indexed and is reported
 * in dup_of[code] = the earlier code (dup_of has count entries, zeroed
 * by the caller); dup_of may be NULL when duplicates are impossible.
 * Returns 0 on allocation failure.
 */
int ink__dict_build_index(ink_dict *d, int threads, uint32_t *dup_of);

#endif
