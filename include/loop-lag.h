/* loop-lag.h: how late the event loop runs, measured from inside it.
 *
 * A timer due every 'interval' fires late by as much as whatever ran on
 * the loop thread when it fell due (a callback that blocked, a long
 * reconcile step, a CPU the thread waited for).  loop_lag records each
 * firing's lateness and keeps, per minute, the largest and the 99th
 * percentile, so that guestnetd can export them (/v1/status "loop", the
 * guestnet_event_loop_lag_* metrics) and tests can assert that the loop
 * never blocked.  A stall shorter than 'interval' is seen when it covers
 * a firing; a longer one always is.
 *
 * Lateness also counts the time the thread waited for a CPU that other
 * processes held, which the loop cannot help.  Where Linux tells that
 * time (/proc/thread-self/schedstat, the run-queue wait), loop_lag also
 * keeps the largest lateness less what the thread waited for a CPU since
 * the previous firing: what the loop itself held the timer up by (a busy
 * callback, a blocking call), at most.
 *
 * Memory: one 32-bit sample per firing of the current minute (1,200 at
 * 50 ms, as guestnetd uses it).  Thread-safety: the loop's thread only. */
#ifndef GN_LOOP_LAG_H
#define GN_LOOP_LAG_H 1

#include <stddef.h>

struct event_base;
struct loop_lag;

/* Figures of one window, in microseconds. */
struct loop_lag_window {
    size_t samples;             /* Firings seen. */
    long long max_us;           /* Largest lateness; 0 without samples. */
    long long p99_us;           /* 99th percentile; 0 without samples. */
};

struct loop_lag_stats {
    long long interval_us;      /* The timer's period. */
    struct loop_lag_window last_minute;  /* The last complete minute. */
    struct loop_lag_window this_minute;  /* So far in the current one. */
    long long max_us;           /* Largest lateness since the start. */
    long long blocked_max_us;   /* Largest lateness less the CPU wait
                                 * (see above) since the start, or -1 if
                                 * the system does not tell the wait. */
    unsigned long long samples; /* Firings since the start. */
};

/* Starts measuring the loop of 'base' with a timer every 'interval_ms'
 * (1...1000) and windows of 'window_ms' (at least 10 x 'interval_ms'; 60000
 * for a minute).  Free with loop_lag_destroy(). */
struct loop_lag *loop_lag_create(struct event_base *base, int interval_ms,
                                 int window_ms);
void loop_lag_destroy(struct loop_lag *);

/* Fills '*s' with the figures so far.  The current window's percentile is
 * computed on demand (O(samples)). */
void loop_lag_get(const struct loop_lag *, struct loop_lag_stats *s);

#endif /* loop-lag.h */
