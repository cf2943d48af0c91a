/* test-loop-lag: the event loop's lateness is measured: a callback that
 * blocks the loop shows up as that much lateness, the percentile ignores a
 * single stall among many firings, and windows roll over. */
#include <config.h>

#include <event2/event.h>
#include <time.h>

#include "gn-util.h"
#include "loop-lag.h"
#include "test-util.h"

/* Busy-waits 'ms' milliseconds on the loop's thread, as a blocking call
 * would. */
static void
block_cb(evutil_socket_t fd, short what, void *ms_)
{
    long long end = gn_time_usec() + *(int *) ms_ * 1000LL;

    (void) fd;
    (void) what;
    while (gn_time_usec() < end) {
        continue;
    }
}

/* Runs 'base' for 'ms' milliseconds. */
static void
run_for(struct event_base *base, int ms)
{
    struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

static void
test_idle_loop_is_not_late(void)
{
    struct event_base *base = event_base_new();
    struct loop_lag *ll = loop_lag_create(base, 5, 60000);
    struct loop_lag_stats s;

    run_for(base, 200);
    loop_lag_get(ll, &s);
    CHECK(s.interval_us == 5000);
    CHECK(s.samples >= 20 && s.samples <= 41);
    CHECK(s.this_minute.samples == s.samples);
    CHECK(s.last_minute.samples == 0);
    /* An idle loop fires within a few milliseconds of the due time. */
    CHECK(s.this_minute.p99_us < 20000);
    loop_lag_destroy(ll);
    event_base_free(base);
}

static void
test_blocking_callback_is_seen(void)
{
    struct event_base *base = event_base_new();
    struct loop_lag *ll = loop_lag_create(base, 1, 60000);
    struct timeval at = { 0, 50000 };
    struct loop_lag_stats s;
    int ms = 120;
    struct event *ev = evtimer_new(base, block_cb, &ms);

    evtimer_add(ev, &at);
    run_for(base, 800);
    loop_lag_get(ll, &s);
    /* One firing was late by about the 120 ms the callback took. */
    CHECK(s.max_us >= 100000 && s.max_us < 600000);
    CHECK(s.this_minute.max_us == s.max_us);
    /* Among some 300 firings, one stall is above the 99th percentile. */
    CHECK(s.this_minute.samples >= 150);
    CHECK(s.this_minute.p99_us < s.max_us);
    event_free(ev);
    loop_lag_destroy(ll);
    event_base_free(base);
}

static void
test_windows_roll_over(void)
{
    struct event_base *base = event_base_new();
    struct loop_lag *ll = loop_lag_create(base, 5, 100);
    struct timeval at = { 0, 20000 };
    struct loop_lag_stats s;
    int ms = 60;
    struct event *ev = evtimer_new(base, block_cb, &ms);

    evtimer_add(ev, &at);
    run_for(base, 150);
    loop_lag_get(ll, &s);
    /* The stall fell in the first window, which is complete now. */
    CHECK(s.last_minute.samples > 0);
    CHECK(s.last_minute.max_us >= 50000);
    CHECK(s.max_us >= 50000);
    run_for(base, 250);
    loop_lag_get(ll, &s);
    /* Two windows later, neither holds the stall; the peak does. */
    CHECK(s.last_minute.max_us < 50000);
    CHECK(s.this_minute.max_us < 50000);
    CHECK(s.max_us >= 50000);
    event_free(ev);
    loop_lag_destroy(ll);
    event_base_free(base);
}

int
main(void)
{
    TEST_RUN("loop-lag/idle-loop-is-not-late", test_idle_loop_is_not_late);
    TEST_RUN("loop-lag/blocking-callback-is-seen",
             test_blocking_callback_is_seen);
    TEST_RUN("loop-lag/windows-roll-over", test_windows_roll_over);
    return test_done();
}
