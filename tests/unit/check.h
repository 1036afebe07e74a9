/* A minimal test harness: CHECK macros that count and report failures. */
#ifndef INK_TEST_CHECK_H
#define INK_TEST_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                            \
    do {                                                                       \
        check_count++;                                                         \
        if (!(cond)) {                                                         \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                    \
        }                                                                      \
    } while (0)

#define CHECK_INT(got, want)                                                   \
    do {                                                                       \
        long long got_ = (long long)(got), want_ = (long long)(want);          \
        check_count++;                                                         \
        if (got_ != want_) {                                                   \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s is %lld, expected %lld\n", __FILE__,    \
                    __LINE__, #got, got_, want_);                              \
        }                                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                   \
    do {                                                                       \
        const char *got_ = (got), *want_ = (want);                             \
        check_count++;                                                         \
        if (!got_ || strcmp(got_, want_) != 0) {                               \
            check_failures++;                                                  \
            fprintf(stderr, "%s:%d: %s is \"%s\", expected \"%s\"\n",          \
                    __FILE__, __LINE__, #got, got_ ? got_ : "(null)", want_);  \
        }                                                                      \
    } while (0)

/* Ends main(): prints the tally and returns the exit status. */
static inline int check_report(const char *suite)
{
    printf("%s: %d checks, %d failed\n", suite, check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
