/* test-dev-worker.c: unit tests of the device worker (dev-worker.h): jobs
 * run in order off the loop's thread, their completions run on the loop's
 * thread in the same order with the jobs' errors, the counts add up, and a
 * worker stopped with jobs queued runs no callback and frees everything. */
#include <config.h>

#include "dev-worker.h"

#include <event2/event.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-util.h"
#include "test-util.h"

#define N_JOBS 50

struct job_log {
    pthread_t loop_thread;
    int ran[N_JOBS];            /* Order in which the jobs ran. */
    int n_ran;                  /* Written by the worker only. */
    bool ran_off_loop;
    int done[N_JOBS];           /* Order of the completions. */
    int n_done;
    bool done_on_loop;
    int errors_seen;
    bool errors_right;
    struct event_base *base;
};

struct job {
    struct job_log *log;
    int id;
    int sleep_us;
};

static char *
job_fn(void *job_)
{
    struct job *job = job_;

    if (job->sleep_us) {
        usleep(job->sleep_us);
    }
    job->log->ran[job->log->n_ran++] = job->id;
    if (pthread_equal(pthread_self(), job->log->loop_thread)) {
        job->log->ran_off_loop = false;
    }
    /* Every third job fails. */
    return job->id % 3 ? NULL : gn_xasprintf("job %d failed", job->id);
}

static void
job_done(char *error, void *job_)
{
    struct job *job = job_;
    struct job_log *log = job->log;
    char want[32];

    log->done[log->n_done++] = job->id;
    if (!pthread_equal(pthread_self(), log->loop_thread)) {
        log->done_on_loop = false;
    }
    snprintf(want, sizeof want, "job %d failed", job->id);
    if (job->id % 3 ? error != NULL : !error || strcmp(error, want)) {
        log->errors_right = false;
    }
    log->errors_seen += error != NULL;
    free(error);
    if (log->n_done == N_JOBS) {
        event_base_loopbreak(log->base);
    }
}

static void
timeout_cb(evutil_socket_t fd, short what, void *base)
{
    (void) fd;
    (void) what;
    event_base_loopbreak(base);
}

static void
test_order_and_threads(void)
{
    struct event_base *base = event_base_new();
    struct dev_worker *w = dev_worker_create(base);
    struct job_log log = {
        .loop_thread = pthread_self(), .ran_off_loop = true,
        .done_on_loop = true, .errors_right = true, .base = base,
    };
    struct job jobs[N_JOBS];
    struct dev_worker_stats st;

    for (int i = 0; i < N_JOBS; i++) {
        jobs[i] = (struct job) { &log, i, i % 7 ? 0 : 2000 };
        dev_worker_submit(w, job_fn, &jobs[i], job_done, &jobs[i]);
    }
    dev_worker_get_stats(w, &st);
    CHECK(st.queued == N_JOBS);

    /* Nothing completes before the loop runs. */
    usleep(50000);
    CHECK(log.n_done == 0);

    struct event *t = evtimer_new(base, timeout_cb, base);
    struct timeval ten_secs = { 10, 0 };
    evtimer_add(t, &ten_secs);
    event_base_dispatch(base);
    event_free(t);

    CHECK(log.n_ran == N_JOBS);
    CHECK(log.n_done == N_JOBS);
    for (int i = 0; i < N_JOBS; i++) {
        CHECK(log.ran[i] == i);
        CHECK(log.done[i] == i);
    }
    CHECK(log.ran_off_loop);
    CHECK(log.done_on_loop);
    CHECK(log.errors_right);
    CHECK(log.errors_seen == (N_JOBS + 2) / 3);

    dev_worker_get_stats(w, &st);
    CHECK(st.queued == 0);
    CHECK(st.done == N_JOBS);
    CHECK(st.errors == (N_JOBS + 2) / 3);
    CHECK(st.max_us >= 2000);

    dev_worker_destroy(w);
    event_base_free(base);
}

static void
never_done(char *error, void *aux)
{
    int *n = aux;

    free(error);
    (*n)++;
}

static void
test_destroy_with_jobs_queued(void)
{
    struct event_base *base = event_base_new();
    struct dev_worker *w = dev_worker_create(base);
    struct job_log log = { .loop_thread = pthread_self() };
    struct job jobs[4];
    int n_callbacks = 0;

    for (int i = 0; i < 4; i++) {
        /* Job 0 takes 100 ms: the others are still queued below. */
        jobs[i] = (struct job) { &log, i, i ? 0 : 100000 };
        dev_worker_submit(w, job_fn, &jobs[i], never_done, &n_callbacks);
    }
    usleep(20000);
    dev_worker_destroy(w);          /* Waits for job 0, drops the rest. */
    CHECK(log.n_ran == 1);
    CHECK(log.ran[0] == 0);

    /* Job 0's completion was pending on the loop: it never runs. */
    event_base_loop(base, EVLOOP_NONBLOCK);
    CHECK(n_callbacks == 0);
    event_base_free(base);

    dev_worker_destroy(NULL);
}

int
main(void)
{
    TEST_RUN("dev-worker/order-and-threads", test_order_and_threads);
    TEST_RUN("dev-worker/destroy-with-jobs-queued",
             test_destroy_with_jobs_queued);
    return test_done();
}
