/* Overflow-checked allocation helpers shared inside the library. */
#ifndef INK_CORE_MEM_H
#define INK_CORE_MEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* malloc(count * size), NULL on overflow or failure; count 0 gives 1 byte. */
static inline void *ink__alloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    return malloc(bytes ? bytes : 1);
}

/* realloc(ptr, count * size), NULL on overflow or failure (ptr then
 * stays valid). */
static inline void *ink__realloc_array(void *ptr, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    return realloc(ptr, bytes ? bytes : 1);
}

/*
 * Zeroed memory, written rather than calloc'ed: calloc maps large blocks
 * to the shared zero page, so the first read maps it and the first write
 * then takes a copy-on-write fault with a TLB shootdown across threads;
 * writing the zeros up front takes one cheap fault per page instead
 * (measured: a third of the system time of loading 1M cases).
 */
static inline void *ink__calloc_array(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (bytes == 0)
        bytes = 1;
    void *p = malloc(bytes);
    /* explicit_bzero: a plain memset after malloc is turned back into
     * calloc by the compiler. */
    if (p)
        explicit_bzero(p, bytes);
    return p;
}

/*
 * Makes *ptr hold at least need elements of size bytes, growing the
 * capacity geometrically. Returns 0 on overflow or allocation failure,
 * leaving *ptr and *cap as they were.
 */
static inline int ink__reserve(void **ptr, size_t *cap, size_t need,
                               size_t size)
{
    if (need <= *cap)
        return 1;
    size_t next = *cap ? *cap : 16;
    while (next < need) {
        if (next > SIZE_MAX / 2)
            return 0;
        next *= 2;
    }
    if (size && next > SIZE_MAX / size)
        return 0;
    void *p = realloc(*ptr, next * size);
    if (!p)
        return 0;
    *ptr = p;
    *cap = next;
    return 1;
}

#endif
