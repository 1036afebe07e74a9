/* Seeded random numbers and the few transcendental functions the generator
 * needs, written out so that every C library produces the same bits. */
#ifndef INKASSO_GEN_RNG_H
#define INKASSO_GEN_RNG_H

#include <math.h> /* frexp, ldexp, sqrt: exact under IEEE 754 */
#include <stdint.h>

/*
 * splitmix64: Steele, Lea and Flood, "Fast Splittable Pseudorandom Number
 * Generators", OOPSLA 2014; constants of Vigna's reference splitmix64.c
 * (https://prng.di.unimi.it/splitmix64.c). Used to seed and to hash.
 */
static inline uint64_t ink__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* A well-mixed 64-bit hash of x (one splitmix64 step). */
static inline uint64_t ink__mix64(uint64_t x)
{
    uint64_t state = x;
    return ink__splitmix64(&state);
}

/*
 * xoshiro256**: Blackman and Vigna, "Scrambled Linear Pseudorandom Number
 * Generators", ACM TOMS 47(4), 2021; reference xoshiro256starstar.c
 * (https://prng.di.unimi.it/). One generator per stream (a case, a
 * debtor), so a case's data does not depend on the cases before it.
 */
typedef struct ink__rng {
    uint64_t s[4];
} ink__rng;

static inline uint64_t ink__rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t ink__rng_next(ink__rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = ink__rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ink__rotl(s[3], 45);
    return result;
}

/* Stream `stream` of `seed`: distinct (seed, stream) pairs give unrelated
 * sequences; the state is filled by splitmix64 as Vigna recommends. */
static inline void ink__rng_seed(ink__rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t sm =
        ink__mix64(seed) ^ ink__mix64(stream ^ UINT64_C(0x5851f42d4c957f2d));
    for (int i = 0; i < 4; i++)
        r->s[i] = ink__splitmix64(&sm);
}

/* Uniform in [0, 1) with 53 random bits. */
static inline double ink__rng_unit(ink__rng *r)
{
    return (double)(ink__rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n < 2^32 (multiply-shift on 32 bits; the
 * bias is below n / 2^32, far under anything the model can show). */
static inline uint32_t ink__rng_below(ink__rng *r, uint32_t n)
{
    return (uint32_t)(((ink__rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* 1 with probability p. */
static inline int ink__rng_chance(ink__rng *r, double p)
{
    return ink__rng_unit(r) < p;
}

/*
 * exp and log from + - * / and the exact frexp/ldexp, so results do not
 * depend on the C library's libm. Relative error below 1e-15 on the
 * ranges used; argument reduction as in Cody and Waite, "Software Manual
 * for the Elementary Functions" (1980).
 */
static inline double ink__exp(double x)
{
    if (x > 700.0)
        x = 700.0;
    if (x < -700.0)
        return 0.0;
    const double ln2 = 0.69314718055994530942;
    const double k =
        x >= 0 ? (double)(long)(x / ln2 + 0.5) : (double)(long)(x / ln2 - 0.5);
    const double r = x - k * ln2; /* |r| <= ln2 / 2 */
    /* Taylor series to r^13 / 13!: the tail is below 2e-17. */
    double term = 1.0, sum = 1.0;
    for (int i = 1; i <= 13; i++) {
        term = term * r / i;
        sum = sum + term;
    }
    return ldexp(sum, (int)k);
}

static inline double ink__log(double x)
{
    if (!(x > 0.0))
        return -745.0; /* only reached for x == 0: log of the tiniest */
    int e;
    double m = frexp(x, &e); /* x = m * 2^e, m in [0.5, 1) */
    if (m < 0.70710678118654752440) {
        m = m * 2.0;
        e = e - 1;
    }
    /* log(m) = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716. */
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double term = s, sum = 0.0;
    for (int i = 1; i <= 21; i += 2) {
        sum = sum + term / i;
        term = term * s2;
    }
    return 2.0 * sum + e * 0.69314718055994530942;
}

/* The logistic function 1 / (1 + e^-x). */
static inline double ink__sigmoid(double x)
{
    return 1.0 / (1.0 + ink__exp(-x));
}

/* Standard normal: Marsaglia's polar method (Marsaglia and Bray, "A
 * Convenient Method for Generating Normal Variables", SIAM Review 1964);
 * the second variate is dropped to keep streams stateless. */
static inline double ink__rng_normal(ink__rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * ink__rng_unit(r) - 1.0;
        v = 2.0 * ink__rng_unit(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * ink__log(s) / s);
}

/* Exponential with the given mean (inversion). */
static inline double ink__rng_exponential(ink__rng *r, double mean)
{
    return -mean * ink__log(1.0 - ink__rng_unit(r));
}

/* Log-normal with the given median and log-scale sigma. */
static inline double ink__rng_lognormal(ink__rng *r, double median,
                                        double sigma)
{
    return median * ink__exp(sigma * ink__rng_normal(r));
}

#endif
