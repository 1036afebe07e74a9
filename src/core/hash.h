/* A fast non-cryptographic 64-bit string hash for the dictionaries. */
#ifndef INK_CORE_HASH_H
#define INK_CORE_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * 8 bytes at a time with a multiply-xorshift mix (the finaliser is
 * splitmix64's, Steele et al., "Fast splittable pseudorandom number
 * generators", OOPSLA 2014). Ids are short, so per-call cost dominates.
 */
static inline uint64_t ink__mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

/*
 * a[0..n) == b[0..n) for the short strings of ids and codes without a
 * call into the C library: two overlapping word loads cover 4 to 16
 * bytes, and nothing is read outside either string.
 */
static inline int ink__bytes_equal(const char *a, const char *b, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t x, y, u, v;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        memcpy(&u, a + n - 8, 8);
        memcpy(&v, b + n - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n >= 4 && n < 8) {
        uint32_t x, y, u, v;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        memcpy(&u, a + n - 4, 4);
        memcpy(&v, b + n - 4, 4);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n < 4) {
        for (size_t i = 0; i < n; i++)
            if (a[i] != b[i])
                return 0;
        return 1;
    }
    return memcmp(a, b, n) == 0;
}

static inline uint64_t ink__hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (len * 0xff51afd7ed558ccdULL);
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
        s += 8;
        len -= 8;
    }
    if (len) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = (h ^ w) * 0x9fb21c651e98df25ULL;
    }
    return ink__mix64(h);
}

#endif
