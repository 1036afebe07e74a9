/* Unit tests for the string dictionaries (src/core/dict.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "core/dict.h"
#include "core/hash.h"

static uint32_t intern(ink_dict *d, const char *s)
{
    size_t len = strlen(s);
    return ink__dict_intern(d, s, len, ink__hash(s, len));
}

static uint32_t find(const ink_dict *d, const char *s)
{
    return ink_dict_find(d, s, strlen(s));
}

/* 1 when code holds exactly the bytes s[0..len), NUL-terminated. */
static int holds(const ink_dict *d, uint32_t code, const char *s, size_t len)
{
    size_t got_len = 999;
    const char *got = ink_dict_get(d, code, &got_len);
    return got && got_len == len && memcmp(got, s, len) == 0 &&
           got[len] == '\0';
}

static int holds_str(const ink_dict *d, uint32_t code, const char *s)
{
    return holds(d, code, s, strlen(s));
}

static void test_basics(void)
{
    ink__dict_free(NULL); /* a no-op */
    CHECK_INT(ink_dict_count(NULL), 0);
    CHECK(ink_dict_get(NULL, 1, NULL) == NULL);
    CHECK_INT(ink_dict_find(NULL, "a", 1), 0);

    ink_dict *d = ink__dict_new();
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK_INT(ink_dict_count(d), 1); /* code 0 only */
    size_t len = 77;
    CHECK(ink_dict_get(d, 0, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK(ink_dict_get(d, 1, &len) == NULL);
    CHECK_INT(find(d, "alpha"), 0);

    /* New codes in order of first appearance; equal strings, equal codes. */
    CHECK_INT(intern(d, "alpha"), 1);
    CHECK_INT(intern(d, "beta"), 2);
    CHECK_INT(intern(d, "alpha"), 1);
    CHECK_INT(intern(d, "gamma"), 3);
    CHECK_INT(intern(d, "beta"), 2);
    CHECK_INT(ink_dict_count(d), 4);
    CHECK(holds_str(d, 1, "alpha"));
    CHECK(holds_str(d, 2, "beta"));
    CHECK(holds_str(d, 3, "gamma"));
    CHECK(ink_dict_get(d, 4, &len) == NULL);
    CHECK_INT(len, 0);
    CHECK(ink_dict_get(d, 0, NULL) == NULL);
    CHECK(ink_dict_get(d, UINT32_MAX, NULL) == NULL);
    CHECK_INT(find(d, "beta"), 2);
    CHECK_INT(find(d, "gamma"), 3);
    CHECK_INT(find(d, "delta"), 0);
    CHECK_INT(find(d, "alph"), 0);
    CHECK_INT(find(d, "alphaa"), 0);
    CHECK_INT(find(d, "Alpha"), 0);

    /* Prefixes, case, commas, quotes, UTF-8 and an embedded NUL are all
     * distinct strings, kept byte for byte. */
    uint32_t a = intern(d, "a");
    uint32_t ab = intern(d, "ab");
    uint32_t abc = intern(d, "abc");
    uint32_t upper = intern(d, "A");
    uint32_t comma = intern(d, "M\xc3\xbcller, Hans"); /* Müller, Hans */
    uint32_t quoted = intern(d, "say \"hi\", then,");
    uint32_t cjk = intern(d, "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    uint32_t sharp = intern(d, "Stra\xc3\x9f"
                               "e"); /* Straße */
    uint32_t nul = ink__dict_intern(d, "a\0b", 3, ink__hash("a\0b", 3));
    CHECK(a == 4 && ab == 5 && abc == 6 && upper == 7 && comma == 8 &&
          quoted == 9 && cjk == 10 && sharp == 11 && nul == 12);
    CHECK(holds(d, comma, "M\xc3\xbcller, Hans", 13));
    CHECK(holds(d, cjk, "\xe6\x97\xa5\xe6\x9c\xac", 6));
    CHECK(holds(d, nul, "a\0b", 3));
    CHECK(holds_str(d, quoted, "say \"hi\", then,"));
    CHECK_INT(intern(d, "M\xc3\xbcller, Hans"), comma);
    CHECK_INT(find(d, "Stra\xc3\x9f"
                      "e"),
              sharp);
    CHECK_INT(ink_dict_find(d, "a\0b", 3), nul);
    CHECK_INT(ink_dict_find(d, "a\0c", 3), 0);
    CHECK_INT(find(d, "ab"), ab);
    CHECK_INT(ink_dict_find(d, "abc", 2), ab); /* len, not NUL, decides */

    /* The empty string interns like any other (0 would mean failure). */
    uint32_t empty = ink__dict_intern(d, "", 0, ink__hash("", 0));
    CHECK(empty != 0);
    CHECK_INT(ink__dict_intern(d, "", 0, ink__hash("", 0)), empty);
    CHECK(holds(d, empty, "", 0));
    CHECK_INT(empty, 13);
    CHECK_INT(ink_dict_count(d), 14);
    ink__dict_free(d);
}

/* Case-like ids: "C0000000" ... */
static void make_id(char *buf, size_t cap, uint32_t n)
{
    snprintf(buf, cap, "C%07u", (unsigned)n);
}

/*
 * Appends n ids with a few planted duplicates, indexes them with the
 * given number of threads and checks dup_of and find. want_dup[code] is
 * the earlier code a duplicate must report.
 */
static void check_index(int threads, uint32_t n)
{
    ink_dict *d = ink__dict_new();
    uint32_t *want_dup = calloc((size_t)n + 1, sizeof *want_dup);
    uint32_t *dup_of = calloc((size_t)n + 1, sizeof *dup_of);
    uint32_t *source = calloc((size_t)n + 1, sizeof *source);
    CHECK(d && want_dup && dup_of && source);
    if (!d || !want_dup || !dup_of || !source)
        goto done;
    /* Row i (code i + 1) holds id i, except these rows repeat an earlier
     * row's id: {row, row whose id it repeats}. */
    static const uint32_t planted[][2] = {{50000, 10},    {99999, 0},
                                          {70000, 69999}, {80000, 10},
                                          {1, 0},         {60000, 59999}};
    for (uint32_t i = 0; i < n; i++)
        source[i] = i;
    for (size_t k = 0; k < sizeof planted / sizeof planted[0]; k++) {
        uint32_t row = planted[k][0], of = planted[k][1];
        if (row >= n)
            continue;
        source[row] = of;
        want_dup[row + 1] = of + 1;
    }
    /* {60000, 59999} repeats id 59999 whose row was not planted, and
     * {80000, 10} is a third occurrence: both point at the first code. */
    int bad = 0;
    char id[32];
    for (uint32_t i = 0; i < n; i++) {
        make_id(id, sizeof id, source[i]);
        size_t len = strlen(id);
        if (ink__dict_append(d, id, len, ink__hash(id, len)) != i + 1)
            bad++;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(ink_dict_count(d), n + 1);
    CHECK_INT(ink__dict_build_index(d, threads, dup_of), 1);
    CHECK_INT(dup_of[0], 0);
    if (n > 99999) {
        CHECK_INT(dup_of[50001], 11);
        CHECK_INT(dup_of[100000], 1);
        CHECK_INT(dup_of[70001], 70000);
        CHECK_INT(dup_of[80001], 11);
        CHECK_INT(dup_of[2], 1);
        CHECK_INT(dup_of[60001], 60000);
        CHECK_INT(dup_of[11], 0); /* the first occurrence is no duplicate */
    }
    bad = 0;
    for (uint32_t c = 1; c <= n; c++)
        bad += dup_of[c] != want_dup[c];
    CHECK_INT(bad, 0);
    /* find gives the first code of every id, and 0 for absent ones. */
    bad = 0;
    for (uint32_t i = 0; i < n; i++) {
        make_id(id, sizeof id, source[i]);
        uint32_t want = want_dup[i + 1] ? want_dup[i + 1] : i + 1;
        bad += find(d, id) != want;
        bad += !holds_str(d, i + 1, id);
    }
    CHECK_INT(bad, 0);
    make_id(id, sizeof id, 2); /* row 2 is unplanted */
    CHECK_INT(find(d, id), 3);
    make_id(id, sizeof id, 99999); /* its row was overwritten: absent */
    CHECK_INT(find(d, id), 0);
    make_id(id, sizeof id, n + 5);
    CHECK_INT(find(d, id), 0);
    CHECK_INT(find(d, "C1"), 0);
    CHECK_INT(find(d, ""), 0);

    /* Interning after indexing keeps the codes and adds new ones. */
    if (n <= 99999)
        goto done;
    make_id(id, sizeof id, 12345);
    CHECK_INT(intern(d, id), 12346);
    make_id(id, sizeof id, 10);
    CHECK_INT(intern(d, id), 11);
    CHECK_INT(intern(d, "new-id"), n + 1);
    CHECK_INT(intern(d, "new-id"), n + 1);
    CHECK_INT(find(d, "new-id"), n + 1);
    CHECK_INT(find(d, id), 11);
    make_id(id, sizeof id, 99999);
    CHECK_INT(intern(d, id), n + 2);
done:
    free(source);
    free(dup_of);
    free(want_dup);
    ink__dict_free(d);
}

/*
 * Ids whose hashes all land in the first region of a 4-way split (top
 * two bits 00), so one region overflows and the index must fall back to
 * a single table, still reporting duplicates in order.
 */
static void test_skewed_index(int threads)
{
    enum { N = 20000 };
    ink_dict *d = ink__dict_new();
    char(*ids)[24] = malloc(N * sizeof *ids);
    uint32_t *dup_of = calloc(N + 3, sizeof *dup_of);
    CHECK(d && ids && dup_of);
    if (!d || !ids || !dup_of)
        goto done;
    uint32_t found = 0;
    for (uint32_t k = 0; found < N; k++) {
        char id[24];
        snprintf(id, sizeof id, "P-%u", (unsigned)k);
        if (ink__hash(id, strlen(id)) >> 62 == 0)
            memcpy(ids[found++], id, sizeof id);
    }
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        size_t len = strlen(ids[i]);
        bad +=
            ink__dict_append(d, ids[i], len, ink__hash(ids[i], len)) != i + 1;
    }
    /* Codes N + 1 and N + 2 repeat codes 7 and N. */
    const char *again[2] = {ids[6], ids[N - 1]};
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(again[k]);
        bad += ink__dict_append(d, again[k], len, ink__hash(again[k], len)) !=
               (uint32_t)N + 1 + (uint32_t)k;
    }
    CHECK_INT(bad, 0);
    CHECK_INT(ink__dict_build_index(d, threads, dup_of), 1);
    if (threads == 4)
        CHECK_INT(d->region_bits, 0); /* the single-table fallback ran */
    CHECK_INT(dup_of[N + 1], 7);
    CHECK_INT(dup_of[N + 2], N);
    bad = 0;
    for (uint32_t c = 1; c <= N; c++)
        bad += dup_of[c] != 0;
    for (uint32_t i = 0; i < N; i++)
        bad += find(d, ids[i]) != i + 1;
    CHECK_INT(bad, 0);
    CHECK_INT(find(d, "P-absent"), 0);
done:
    free(dup_of);
    free(ids);
    ink__dict_free(d);
}

static void test_index_edges(void)
{
    /* An empty dictionary indexes fine and finds nothing. */
    ink_dict *d = ink__dict_new();
    uint32_t dup_of[4] = {0};
    CHECK(d != NULL);
    if (!d)
        return;
    CHECK_INT(ink__dict_build_index(d, 4, dup_of), 1);
    CHECK_INT(find(d, "x"), 0);
    CHECK_INT(intern(d, "x"), 1);
    CHECK_INT(find(d, "x"), 1);
    ink__dict_free(d);

    /* dup_of may be NULL when there are no duplicates; more threads than
     * codes; an odd thread count. */
    static const int thread_counts[] = {1, 2, 3, 4, 8, 64};
    for (size_t t = 0; t < sizeof thread_counts / sizeof thread_counts[0];
         t++) {
        d = ink__dict_new();
        CHECK(d != NULL);
        if (!d)
            return;
        CHECK_INT(ink__dict_append(d, "one", 3, ink__hash("one", 3)), 1);
        CHECK_INT(ink__dict_append(d, "two", 3, ink__hash("two", 3)), 2);
        CHECK_INT(ink__dict_append(d, "three", 5, ink__hash("three", 5)), 3);
        CHECK_INT(ink__dict_build_index(d, thread_counts[t], NULL), 1);
        CHECK_INT(find(d, "one"), 1);
        CHECK_INT(find(d, "two"), 2);
        CHECK_INT(find(d, "three"), 3);
        CHECK_INT(find(d, "four"), 0);
        /* Indexing twice gives the same answers. */
        CHECK_INT(ink__dict_build_index(d, thread_counts[t], NULL), 1);
        CHECK_INT(find(d, "three"), 3);
        ink__dict_free(d);
    }
}

static void test_append_all(void)
{
    ink_dict *src = ink__dict_new();
    ink_dict *dst = ink__dict_new();
    ink_dict *none = ink__dict_new();
    CHECK(src && dst && none);
    if (!src || !dst || !none)
        goto done;
    CHECK_INT(intern(src, "x"), 1);
    CHECK_INT(intern(src, "y, z"), 2);
    CHECK_INT(intern(src, "\xc3\xa9t\xc3\xa9"), 3); /* été */
    CHECK_INT(ink__dict_append(dst, "x", 1, ink__hash("x", 1)), 1);
    CHECK_INT(ink__dict_append_all(dst, src), 1);
    CHECK_INT(ink_dict_count(dst), 5);
    CHECK(holds_str(dst, 1, "x"));
    CHECK(holds_str(dst, 2, "x"));
    CHECK(holds_str(dst, 3, "y, z"));
    CHECK(holds_str(dst, 4, "\xc3\xa9t\xc3\xa9"));
    /* The source is unchanged. */
    CHECK_INT(ink_dict_count(src), 4);
    CHECK(holds_str(src, 2, "y, z"));
    /* Appending an empty dictionary adds nothing. */
    CHECK_INT(ink__dict_append_all(dst, none), 1);
    CHECK_INT(ink_dict_count(dst), 5);

    uint32_t dup_of[5] = {0};
    CHECK_INT(ink__dict_build_index(dst, 2, dup_of), 1);
    CHECK_INT(dup_of[2], 1);
    CHECK_INT(dup_of[1], 0);
    CHECK_INT(dup_of[3], 0);
    CHECK_INT(dup_of[4], 0);
    CHECK_INT(find(dst, "x"), 1);
    CHECK_INT(find(dst, "y, z"), 3);
    CHECK_INT(find(dst, "\xc3\xa9t\xc3\xa9"), 4);
done:
    ink__dict_free(none);
    ink__dict_free(dst);
    ink__dict_free(src);
}

/* 200k distinct interns, then all of them again in reverse order. */
static void test_stress(void)
{
    enum { N = 200000 };
    ink_dict *d = ink__dict_new();
    CHECK(d != NULL);
    if (!d)
        return;
    char id[32];
    int bad = 0;
    for (uint32_t i = 0; i < N; i++) {
        snprintf(id, sizeof id, "debtor-%u", (unsigned)(i * 2654435761u));
        bad += intern(d, id) != i + 1;
        /* Re-intern an earlier one now and then while the index grows. */
        if (i % 997 == 0) {
            snprintf(id, sizeof id, "debtor-%u",
                     (unsigned)((i / 2) * 2654435761u));
            bad += intern(d, id) != i / 2 + 1;
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(ink_dict_count(d), N + 1);
    bad = 0;
    for (uint32_t i = N; i-- > 0;) {
        snprintf(id, sizeof id, "debtor-%u", (unsigned)(i * 2654435761u));
        bad += intern(d, id) != i + 1;
        bad += find(d, id) != i + 1;
        bad += !holds_str(d, i + 1, id);
    }
    CHECK_INT(bad, 0);
    CHECK_INT(ink_dict_count(d), N + 1);
    CHECK_INT(find(d, "debtor-x"), 0);
    ink__dict_free(d);
}

int main(void)
{
    test_basics();
    check_index(1, 100000);
    check_index(2, 100000);
    check_index(4, 100000);
    check_index(3, 100000);
    check_index(8, 1000);
    test_skewed_index(4);
    test_skewed_index(2);
    test_index_edges();
    test_append_all();
    test_stress();
    return check_report("dict");
}
