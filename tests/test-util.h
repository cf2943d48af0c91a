/* test-util.h: the tiny harness of guestnet's C unit tests.
 *
 * A test program runs named cases; each prints one line that
 * tests/run-tests.sh counts:
 *     PASS: jsonrpc/split-at-every-byte
 *     FAIL: jsonrpc/split-at-every-byte: tests/test-jsonrpc.c:42: n == 3
 * CHECK() records a failure and goes on; a failed case makes main() exit 1.
 *
 *     static void test_foo(void) { CHECK(1 + 1 == 2); }
 *     int main(void) { TEST_RUN("area/foo", test_foo); return test_done(); }
 *
 * A table-driven case names the row it checks with TEST_ROW(), so that a
 * failure says which row it was:
 *     FAIL: netaddr/ip-in-subnet: tests/test-netaddr.c:80: ... [10.0.0.5]
 */
#ifndef GN_TEST_UTIL_H
#define GN_TEST_UTIL_H 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_case_failed;
static int test_cases_failed;
static char test_first_failure[512];
static char test_row__[128];    /* " [ROW]" while a row is checked. */

#define CHECK(COND)                                                     \
    do {                                                                \
        if (!(COND)) {                                                  \
            if (!test_case_failed) {                                    \
                snprintf(test_first_failure, sizeof test_first_failure, \
                         "%s:%d: %s%s", __FILE__, __LINE__, #COND,      \
                         test_row__);                                   \
            }                                                           \
            fprintf(stderr, "%s:%d: check failed: %s%s\n",              \
                    __FILE__, __LINE__, #COND, test_row__);             \
            test_case_failed = 1;                                       \
        }                                                               \
    } while (0)

/* Names the table row that the checks after it are about, printf-style,
 * until the next TEST_ROW() or TEST_ROW_END() (or the end of the case). */
#define TEST_ROW(...)                                                   \
    do {                                                                \
        char row_[sizeof test_row__ - 3];                               \
                                                                        \
        snprintf(row_, sizeof row_, __VA_ARGS__);                       \
        snprintf(test_row__, sizeof test_row__, " [%s]", row_);         \
    } while (0)
#define TEST_ROW_END() (test_row__[0] = '\0')

#define CHECK_STREQ(A, B)                                               \
    do {                                                                \
        const char *a_ = (A), *b_ = (B);                                \
        if (!a_ || !b_ || strcmp(a_, b_)) {                             \
            fprintf(stderr, "  \"%s\" != \"%s\"\n",                     \
                    a_ ? a_ : "(null)", b_ ? b_ : "(null)");            \
        }                                                               \
        CHECK(a_ && b_ && !strcmp(a_, b_));                             \
    } while (0)

/* Checks that 'EXPR', a call that returns an error message (malloc'd) or
 * NULL for success, fails with a message that contains both 'WANT1' and
 * 'WANT2'; frees the message. */
#define CHECK_ERROR(EXPR, WANT1, WANT2)                                 \
    do {                                                                \
        char *e_ = (EXPR);                                              \
        CHECK(e_ != NULL);                                              \
        if (e_ && (!strstr(e_, WANT1) || !strstr(e_, WANT2))) {         \
            fprintf(stderr, "  error was: %s\n", e_);                   \
        }                                                               \
        CHECK(e_ && strstr(e_, WANT1));                                 \
        CHECK(e_ && strstr(e_, WANT2));                                 \
        free(e_);                                                       \
    } while (0)

/* Checks that 'EXPR', a call like those of CHECK_ERROR(), succeeds. */
#define CHECK_OK(EXPR)                                                  \
    do {                                                                \
        char *e_ = (EXPR);                                              \
        if (e_) {                                                       \
            fprintf(stderr, "  unexpected error: %s\n", e_);            \
        }                                                               \
        CHECK(e_ == NULL);                                              \
        free(e_);                                                       \
    } while (0)

static inline void
test_run__(const char *name, void (*fn)(void))
{
    test_case_failed = 0;
    TEST_ROW_END();
    fn();
    TEST_ROW_END();
    if (test_case_failed) {
        test_cases_failed++;
        printf("FAIL: %s: %s\n", name, test_first_failure);
    } else {
        printf("PASS: %s\n", name);
    }
    fflush(stdout);
}
#define TEST_RUN(NAME, FN) test_run__(NAME, FN)

static inline int
test_done(void)
{
    return test_cases_failed ? 1 : 0;
}

#endif /* test-util.h */
