/* loop-lag.c: the event loop's lateness, from a periodic timer (see
 * include/loop-lag.h). */
#include <config.h>

#include "loop-lag.h"

#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-util.h"

struct loop_lag {
    struct event *timer;
    long long interval_us;
    long long window_us;
    long long due_us;           /* When the timer should fire next. */
    long long window_start_us;

    unsigned int *samples;      /* This window's lateness, microseconds. */
    size_t n_samples;
    size_t allocated;

    struct loop_lag_window last;    /* The last complete window. */
    long long max_us;
    unsigned long long total;

    int schedstat_fd;           /* /proc/thread-self/schedstat, or -1. */
    long long cpu_wait_us;      /* Its run-queue wait at the last firing. */
    long long blocked_max_us;
};

/* Returns how long (us) the loop's thread has waited for a CPU in all, or
 * -1 if 'll' cannot tell. */
static long long
loop_lag_cpu_wait__(const struct loop_lag *ll)
{
    unsigned long long run_ns, wait_ns;
    char buf[128];
    ssize_t n;

    if (ll->schedstat_fd < 0) {
        return -1;
    }
    n = pread(ll->schedstat_fd, buf, sizeof buf - 1, 0);
    if (n <= 0) {
        return -1;
    }
    buf[n] = '\0';
    if (sscanf(buf, "%llu %llu", &run_ns, &wait_ns) != 2) {
        return -1;
    }
    return wait_ns / 1000;
}

/* Swaps 'v[i]' and 'v[j]'. */
static void
loop_lag_swap__(unsigned int *v, size_t i, size_t j)
{
    unsigned int t = v[i];

    v[i] = v[j];
    v[j] = t;
}

/* Returns the value that would be at index 'k' of 'v' (of 'n' > 'k') if
 * it were sorted; reorders 'v'.  Quickselect with a three-way partition
 * (lateness values repeat), O(n) on average. */
static unsigned int
loop_lag_select__(unsigned int *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n;

    for (;;) {
        unsigned int pivot = v[lo + (hi - lo) / 2];
        size_t lt = lo, i = lo, gt = hi;

        /* [lo, lt) < pivot, [lt, i) == pivot, [gt, hi) > pivot. */
        while (i < gt) {
            if (v[i] < pivot) {
                loop_lag_swap__(v, lt++, i++);
            } else if (v[i] > pivot) {
                loop_lag_swap__(v, i, --gt);
            } else {
                i++;
            }
        }
        if (k < lt) {
            hi = lt;
        } else if (k >= gt) {
            lo = gt;
        } else {
            return pivot;
        }
    }
}

/* Figures of the 'n' samples 'v' (reordered). */
static void
loop_lag_window__(unsigned int *v, size_t n, struct loop_lag_window *w)
{
    memset(w, 0, sizeof *w);
    w->samples = n;
    if (n) {
        unsigned int max = 0;

        for (size_t i = 0; i < n; i++) {
            max = v[i] > max ? v[i] : max;
        }
        w->max_us = max;
        w->p99_us = loop_lag_select__(v, n, (n * 99 - 1) / 100);
    }
}

static void
loop_lag_fire__(evutil_socket_t fd, short what, void *ll_)
{
    struct loop_lag *ll = ll_;
    long long now = gn_time_usec();
    long long late = now - ll->due_us;
    struct timeval tv;
    long long next;

    (void) fd;
    (void) what;
    late = late < 0 ? 0 : late > 0xffffffffLL ? 0xffffffffLL : late;
    if (now - ll->window_start_us >= ll->window_us) {
        loop_lag_window__(ll->samples, ll->n_samples, &ll->last);
        ll->n_samples = 0;
        ll->window_start_us = now;
    }
    if (ll->n_samples >= ll->allocated) {
        ll->allocated = 2 * ll->allocated + 64;
        ll->samples = gn_xrealloc(ll->samples,
                                  ll->allocated * sizeof *ll->samples);
    }
    ll->samples[ll->n_samples++] = late;
    ll->max_us = late > ll->max_us ? late : ll->max_us;
    ll->total++;

    long long wait = loop_lag_cpu_wait__(ll);
    if (wait >= 0 && ll->cpu_wait_us >= 0) {
        long long waited = wait - ll->cpu_wait_us;
        long long blocked = late - (waited < late ? waited : late);

        if (blocked > ll->blocked_max_us) {
            ll->blocked_max_us = blocked;
        }
    }
    ll->cpu_wait_us = wait;

    /* The next firing is due one interval after this one ran, so that a
     * stall counts once, not once per interval it covered. */
    next = ll->interval_us;
    ll->due_us = now + next;
    tv.tv_sec = next / 1000000;
    tv.tv_usec = next % 1000000;
    evtimer_add(ll->timer, &tv);
}

struct loop_lag *
loop_lag_create(struct event_base *base, int interval_ms, int window_ms)
{
    struct loop_lag *ll = gn_xzalloc(sizeof *ll);
    struct timeval tv;

    interval_ms = interval_ms < 1 ? 1 : interval_ms > 1000 ? 1000
                                                           : interval_ms;
    if (window_ms < 10 * interval_ms) {
        window_ms = 10 * interval_ms;
    }
    ll->interval_us = interval_ms * 1000LL;
    ll->window_us = window_ms * 1000LL;
    /* (Opened by the loop's thread: "thread-self" is that thread.) */
    ll->schedstat_fd = open("/proc/thread-self/schedstat",
                            O_RDONLY | O_CLOEXEC);
    ll->cpu_wait_us = loop_lag_cpu_wait__(ll);
    ll->timer = evtimer_new(base, loop_lag_fire__, ll);
    ll->window_start_us = gn_time_usec();
    ll->due_us = ll->window_start_us + ll->interval_us;
    tv.tv_sec = interval_ms / 1000;
    tv.tv_usec = (interval_ms % 1000) * 1000;
    evtimer_add(ll->timer, &tv);
    return ll;
}

void
loop_lag_destroy(struct loop_lag *ll)
{
    if (ll) {
        event_free(ll->timer);
        if (ll->schedstat_fd >= 0) {
            close(ll->schedstat_fd);
        }
        free(ll->samples);
        free(ll);
    }
}

void
loop_lag_get(const struct loop_lag *ll, struct loop_lag_stats *s)
{
    unsigned int *copy = NULL;

    memset(s, 0, sizeof *s);
    s->interval_us = ll->interval_us;
    s->last_minute = ll->last;
    if (ll->n_samples) {
        copy = gn_xmalloc(ll->n_samples * sizeof *copy);
        memcpy(copy, ll->samples, ll->n_samples * sizeof *copy);
    }
    loop_lag_window__(copy, ll->n_samples, &s->this_minute);
    free(copy);
    s->max_us = ll->max_us;
    s->blocked_max_us = ll->schedstat_fd >= 0 ? ll->blocked_max_us : -1;
    s->samples = ll->total;
}
