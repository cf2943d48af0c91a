/* dev-worker.c: blocking device work on one worker thread (see
 * include/dev-worker.h).
 *
 * Owns the worker thread, its two job lists (to do, guarded by 'mutex' and
 * signalled by 'cond'; done, guarded by 'mutex' too) and the pipe through
 * which the worker wakes the event loop when a job is done.  Only the
 * loop's thread touches the statistics and runs callbacks. */
#include <config.h>

#include "dev-worker.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(dev_worker);

/* The worker's nice value relative to the process: device jobs are bulk
 * work that may wait a few ms; the loop's thread answers requests and must
 * not wait for CPU behind them (on a 2-core host busy with ovs-vswitchd's
 * reconfiguration, it did). */
#define DEV_WORKER_NICE 10

struct dev_job {
    struct gn_queue_node node;
    dev_worker_fn *fn;
    void *arg;
    dev_worker_done_cb *done;
    void *aux;
    char *error;                /* Set by the worker. */
    long long us;               /* How long 'fn' ran. */
};

struct dev_worker {
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t cond;
    struct gn_queue todo;       /* Of dev_job; guarded by 'mutex'. */
    struct gn_queue done;       /* Of dev_job; guarded by 'mutex'. */
    bool stop;                  /* Guarded by 'mutex'. */

    int wake[2];                /* Worker writes, loop reads. */
    struct event *wake_ev;

    /* Loop's thread only. */
    struct dev_worker_stats stats;
};

static struct dev_job *
dev_job_pop__(struct gn_queue *q)
{
    return GN_QUEUE_ENTRY(gn_queue_pop(q), struct dev_job, node);
}

static void *
dev_worker_main__(void *w_)
{
    struct dev_worker *w = w_;

    /* Linux: a thread has its own nice value. */
    pid_t tid = syscall(SYS_gettid);
    errno = 0;
    int nice = getpriority(PRIO_PROCESS, tid);
    if (errno || setpriority(PRIO_PROCESS, tid,
                             nice + DEV_WORKER_NICE < 19
                             ? nice + DEV_WORKER_NICE : 19)) {
        GN_LOG_WARN("could not lower the device worker's priority: %s",
                    strerror(errno));
    }

    pthread_mutex_lock(&w->mutex);
    for (;;) {
        struct dev_job *job;

        while (!w->stop && gn_queue_is_empty(&w->todo)) {
            pthread_cond_wait(&w->cond, &w->mutex);
        }
        if (w->stop) {
            break;
        }
        job = dev_job_pop__(&w->todo);
        pthread_mutex_unlock(&w->mutex);

        long long start = gn_time_usec();
        job->error = job->fn(job->arg);
        job->us = gn_time_usec() - start;

        pthread_mutex_lock(&w->mutex);
        bool was_empty = gn_queue_is_empty(&w->done);
        gn_queue_push(&w->done, &job->node);
        if (was_empty) {
            /* One byte per batch: the loop takes the whole list. */
            ssize_t n;
            do {
                n = write(w->wake[1], "", 1);
            } while (n < 0 && errno == EINTR);
        }
    }
    pthread_mutex_unlock(&w->mutex);
    return NULL;
}

/* Runs on the loop: the completion callbacks of the jobs done. */
static void
dev_worker_wake_cb__(evutil_socket_t fd, short what, void *w_)
{
    struct dev_worker *w = w_;
    struct gn_queue done;
    struct dev_job *job;
    char buf[64];

    (void) what;
    while (read(fd, buf, sizeof buf) > 0) {
        continue;
    }
    pthread_mutex_lock(&w->mutex);
    gn_queue_move(&done, &w->done);
    pthread_mutex_unlock(&w->mutex);

    while ((job = dev_job_pop__(&done))) {
        w->stats.queued--;
        w->stats.done++;
        w->stats.errors += job->error != NULL;
        if (job->us > w->stats.max_us) {
            w->stats.max_us = job->us;
        }
        if (job->done) {
            job->done(job->error, job->aux);
        } else if (job->error) {
            GN_LOG_WARN("%s", job->error);
            free(job->error);
        }
        free(job);
    }
}

struct dev_worker *
dev_worker_create(struct event_base *base)
{
    struct dev_worker *w = gn_xzalloc(sizeof *w);
    sigset_t all, old;
    int error;

    pthread_mutex_init(&w->mutex, NULL);
    pthread_cond_init(&w->cond, NULL);
    gn_queue_init(&w->todo);
    gn_queue_init(&w->done);
    if (pipe2(w->wake, O_NONBLOCK | O_CLOEXEC)) {
        gn_fatal("dev_worker: pipe: %s", strerror(errno));
    }
    w->wake_ev = event_new(base, w->wake[0], EV_READ | EV_PERSIST,
                           dev_worker_wake_cb__, w);
    event_add(w->wake_ev, NULL);

    /* Signals stay with the loop's thread. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    error = pthread_create(&w->thread, NULL, dev_worker_main__, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (error) {
        gn_fatal("dev_worker: pthread_create: %s", strerror(error));
    }
    return w;
}

void
dev_worker_destroy(struct dev_worker *w)
{
    struct dev_job *job;

    if (!w) {
        return;
    }
    pthread_mutex_lock(&w->mutex);
    w->stop = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mutex);
    pthread_join(w->thread, NULL);

    while ((job = dev_job_pop__(&w->todo))) {
        free(job);
    }
    while ((job = dev_job_pop__(&w->done))) {
        free(job->error);
        free(job);
    }
    event_free(w->wake_ev);
    close(w->wake[0]);
    close(w->wake[1]);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->mutex);
    free(w);
}

void
dev_worker_submit(struct dev_worker *w, dev_worker_fn *fn, void *arg,
                  dev_worker_done_cb *done, void *aux)
{
    struct dev_job *job = gn_xzalloc(sizeof *job);

    job->fn = fn;
    job->arg = arg;
    job->done = done;
    job->aux = aux;
    w->stats.queued++;
    pthread_mutex_lock(&w->mutex);
    gn_queue_push(&w->todo, &job->node);
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->mutex);
}

void
dev_worker_get_stats(const struct dev_worker *w,
                     struct dev_worker_stats *stats)
{
    *stats = w->stats;
}
