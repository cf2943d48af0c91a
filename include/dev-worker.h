/* dev-worker.h: blocking device work (netlink, ioctls, setns) on one worker
 * thread, so that guestnetd's event loop never waits for the kernel.
 *
 * Creating a veth pair or a tap waits for the kernel's RTNL lock, which
 * ovs-vswitchd holds while it reconfigures its ports: measured at up to
 * 22 ms per netlink request on a busy host.  Done on the event loop, that
 * wait delayed every API answer behind it.
 *
 * A job is a function, its argument and a completion callback.  Jobs run
 * one at a time on the worker thread, in the order they were submitted (so
 * a device deleted before it is created again is gone by then).  The
 * function returns NULL or an error message; the completion callback then
 * runs on the event loop's thread with that message, which it owns.  The
 * argument must stay valid, and must not be changed by the loop's thread,
 * until the callback runs.
 *
 * The job functions run outside the loop's thread, so they may only use
 * thread-safe code: the netdev module and logging are; the replica, the
 * config and the engine are not.
 *
 * Memory: one small record per job not yet completed; the caller bounds
 * how many it submits (guestnetd: one per request in progress). */
#ifndef GN_DEV_WORKER_H
#define GN_DEV_WORKER_H 1

#include <stddef.h>

struct event_base;
struct dev_worker;

typedef char *dev_worker_fn(void *arg);
typedef void dev_worker_done_cb(char *error, void *aux);

/* Starts the worker thread; completions are delivered through 'base'.
 * Fails only if the thread or its pipe cannot be created (fatal). */
struct dev_worker *dev_worker_create(struct event_base *base);

/* Stops the worker: waits for the job running now, if any, and drops the
 * jobs not started.  No completion callback runs after this (accepts
 * NULL). */
void dev_worker_destroy(struct dev_worker *);

/* Queues 'fn(arg)'; 'done(error, aux)' runs on the loop once it has run
 * ('done' may be NULL: the error is then logged and freed). */
void dev_worker_submit(struct dev_worker *, dev_worker_fn *fn, void *arg,
                       dev_worker_done_cb *done, void *aux);

/* Counts, for the status: jobs submitted and not yet completed, jobs
 * completed, those that returned an error, and the longest a job took on
 * the worker, in microseconds. */
struct dev_worker_stats {
    size_t queued;
    unsigned long long done;
    unsigned long long errors;
    long long max_us;
};
void dev_worker_get_stats(const struct dev_worker *, struct dev_worker_stats *);

#endif /* dev-worker.h */
