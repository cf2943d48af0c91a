/* api-load.c: the load-generating HTTP clients of bench/api-bench.sh, in C.
 *
 * A python client spends about 0.3 ms of CPU per request, more than
 * guestnetd takes to answer a status, and on a 2-core host that CPU comes
 * out of what is being measured; this one spends a few microseconds.  One
 * process drives every connection with poll(), one request in flight on
 * each, so that many clients cost no more than their bytes.
 *
 * Usage:
 *   api-load get SOCKET PATH C SECS [RATE] [--until FILE] [--since FILE]
 *                [--log FILE]
 *       C keep-alive connections ask GET PATH for SECS seconds, or until
 *       FILE exists (looked for every 10 ms); answers in flight then are
 *       still waited for.  If FILE holds a CLOCK_MONOTONIC time in seconds
 *       (as "post --finished" writes it), the requests due after it are
 *       left out.  Without RATE each connection asks again as
 *       soon as it has its answer.  With RATE each asks RATE times a
 *       second on a fixed schedule, as a monitoring system polls, and a
 *       latency counts from the scheduled time: a request that had to wait
 *       for a late answer before it could be sent counts that wait (no
 *       coordinated omission).  Prints
 *         requests=N errors=N rps=R p50_ms=X p99_ms=Y max_ms=Z
 *       and, with RATE, " p99_from_send_ms=S": the p99 of the time from
 *       sending each request to its answer, which leaves out the wait
 *       behind a late answer and the time this client took to get a CPU
 *       (for insight, not a limit).
 *       --since FILE counts only the requests due at or after the
 *       CLOCK_MONOTONIC time (seconds) in FILE, read at the end (as
 *       "post --started" writes it).  --log FILE writes one line per
 *       request, by due time: the CLOCK_MONOTONIC time it was due (or
 *       sent), its latency and the time from its sending, in seconds.
 *
 *   api-load post SOCKET PATH WRITERS [--started FILE] [--finished FILE]
 *                 < BODIES
 *       POSTs each line of BODIES (a JSON body) to PATH over WRITERS
 *       keep-alive connections, one request at a time on each, as an
 *       orchestrator adds ports; line i goes on connection i % WRITERS.
 *       All connect first and start together; --started writes the
 *       CLOCK_MONOTONIC time they started to FILE, --finished the time
 *       the last answer came in (each file appears whole: written aside,
 *       then renamed).  Prints "ok=N failed=N p50_ms=X p99_ms=Y
 *       max_ms=Z" (ok: a 2xx answer; the latencies are theirs).
 *
 * A request that gets no complete answer within 10 s (get) or 120 s (post),
 * or whose connection fails, counts as an error; its connection is opened
 * again.  Exit status: 0; 1 if a post failed; 2 on bad usage. */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "gn-util.h"

#define GET_TIMEOUT 10.0        /* Seconds for a whole answer. */
#define POST_TIMEOUT 120.0
#define UNTIL_CHECK 0.01        /* How often --until's file is looked for. */

/* One keep-alive connection with at most one request in flight. */
struct conn {
    int fd;                     /* -1 while not connected. */
    bool busy;                  /* A request is in flight. */
    double due;                 /* When the next request is due. */
    double start;               /* The current one's latency counts from
                                 * here (its due time, with a rate). */
    double sent;                /* When the current one was sent. */
    double retry_at;            /* No connect before (the last failed). */
    char *in;                   /* The answer so far. */
    size_t len, allocated;
    size_t need;                /* Its full size, once its head is in. */
    int status;                 /* Its status, once its head is in. */
    size_t next;                /* post: the next body to send. */
};

/* The connections of a run. */
struct load {
    struct conn *conns;
    size_t n_conns;
    double timeout;             /* For a whole answer, in seconds. */
    struct pollfd *fds;         /* Scratch for load_poll(). */
    size_t *fd_conns;
};

/* Called for each request that is answered (status: its HTTP status) or
 * failed (status 0; the connection is then closed). */
typedef void load_done_cb(struct conn *, int status, void *aux);

static double
now_sec(void)
{
    return gn_time_usec() / 1e6;
}

static GN_NORETURN void
usage(void)
{
    fprintf(stderr,
            "usage: %s get SOCKET PATH C SECS [RATE] [--until FILE] "
            "[--since FILE] [--log FILE]\n"
            "       %s post SOCKET PATH WRITERS [--started FILE] "
            "[--finished FILE] < BODIES\n",
            gn_program_name(), gn_program_name());
    exit(2);
}

static void
load_init(struct load *l, size_t n, double timeout)
{
    l->n_conns = n;
    l->conns = gn_xcalloc(n, sizeof *l->conns);
    for (size_t i = 0; i < n; i++) {
        l->conns[i].fd = -1;
    }
    l->timeout = timeout;
    l->fds = gn_xcalloc(n, sizeof *l->fds);
    l->fd_conns = gn_xcalloc(n, sizeof *l->fd_conns);
}

static void
load_destroy(struct load *l)
{
    for (size_t i = 0; i < l->n_conns; i++) {
        if (l->conns[i].fd >= 0) {
            close(l->conns[i].fd);
        }
        free(l->conns[i].in);
    }
    free(l->conns);
    free(l->fds);
    free(l->fd_conns);
}

static bool
load_busy(const struct load *l)
{
    for (size_t i = 0; i < l->n_conns; i++) {
        if (l->conns[i].busy) {
            return true;
        }
    }
    return false;
}

/* A blocking connect: it waits while the listen backlog is full. */
static int
connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof sun.sun_path) {
        gn_fatal("%s: socket path too long", path);
    }
    strcpy(sun.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        gn_fatal("socket: %s", strerror(errno));
    }
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
        c->fd = -1;
    }
    c->busy = false;
}

/* Sends 'req' on 'c', connecting to 'socket' first if needed; false if
 * that fails. */
static bool
conn_send(struct conn *c, const char *socket, const struct gn_buf *req)
{
    if (c->fd < 0 && (c->fd = connect_unix(socket)) < 0) {
        return false;
    }
    for (size_t done = 0; done < req->len; ) {
        ssize_t n = send(c->fd, req->data + done, req->len - done,
                         MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        } else if (n <= 0) {
            conn_close(c);
            return false;
        }
        done += n;
    }
    c->len = c->need = 0;
    c->busy = true;
    c->sent = now_sec();
    return true;
}

/* Parses the response head 'head' (null-terminated): returns its status
 * and sets '*length' to its Content-Length (0 without one), or returns 0
 * if it is no HTTP response. */
static int
parse_head(const char *head, size_t *length)
{
    int status;

    *length = 0;
    if (sscanf(head, "HTTP/1.%*d %d", &status) != 1 || status <= 0) {
        return 0;
    }
    for (const char *p = strstr(head, "\r\n"); p; p = strstr(p, "\r\n")) {
        p += 2;
        if (!strncasecmp(p, "Content-Length:", 15)) {
            *length = strtoul(p + 15, NULL, 10);
        }
    }
    return status;
}

/* Reads what 'c' has: returns the status of its answer once complete, -1
 * while more is to come, 0 if the connection failed (it is then closed). */
static int
conn_read(struct conn *c)
{
    for (;;) {
        if (c->allocated - c->len < 65536) {
            c->allocated = 2 * c->allocated + 65536;
            c->in = gn_xrealloc(c->in, c->allocated + 1);
        }
        ssize_t n = recv(c->fd, c->in + c->len, c->allocated - c->len,
                         MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            return -1;
        } else if (n <= 0) {
            conn_close(c);
            return 0;
        }
        c->len += n;
        c->in[c->len] = '\0';
        if (!c->need) {
            char *end = strstr(c->in, "\r\n\r\n");
            size_t length;

            if (!end) {
                continue;
            }
            *end = '\0';
            c->status = parse_head(c->in, &length);
            if (!c->status) {
                conn_close(c);
                return 0;
            }
            c->need = end + 4 - c->in + length;
        }
        if (c->len >= c->need) {
            c->busy = false;
            return c->status;
        }
    }
}

/* Waits until 'until' at most for the answers in flight, and calls 'done'
 * for each that came (or failed, or outlasted the timeout) meanwhile. */
static void
load_poll(struct load *l, double until, load_done_cb *done, void *aux)
{
    double now = now_sec();
    nfds_t n = 0;

    for (size_t i = 0; i < l->n_conns; i++) {
        struct conn *c = &l->conns[i];

        if (!c->busy) {
            continue;
        } else if (now >= c->sent + l->timeout) {
            conn_close(c);
            done(c, 0, aux);
            continue;
        }
        if (c->sent + l->timeout < until) {
            until = c->sent + l->timeout;
        }
        l->fds[n] = (struct pollfd) { .fd = c->fd, .events = POLLIN };
        l->fd_conns[n++] = i;
    }
    double wait = until > now ? until - now : 0;
    struct timespec ts = {
        .tv_sec = (time_t) wait,
        .tv_nsec = (long) ((wait - (time_t) wait) * 1e9),
    };
    if (ppoll(l->fds, n, &ts, NULL) < 0 && errno != EINTR) {
        gn_fatal("poll: %s", strerror(errno));
    }
    for (nfds_t i = 0; i < n; i++) {
        struct conn *c = &l->conns[l->fd_conns[i]];
        int status;

        if (l->fds[i].revents && (status = conn_read(c)) >= 0) {
            done(c, status, aux);
        }
    }
}

/* "get". */
struct sample {
    double due, latency, from_send;
};

struct get_run {
    struct sample *samples;
    size_t n, allocated;
    int errors;
};

/* Keeps the sample of the request 'c' just had answered. */
static void
get_run_add(struct get_run *run, const struct conn *c)
{
    double now = now_sec();

    if (run->n >= run->allocated) {
        run->allocated = 2 * run->allocated + 1024;
        run->samples = gn_xrealloc(run->samples,
                                   run->allocated * sizeof *run->samples);
    }
    run->samples[run->n++] = (struct sample) {
        .due = c->start,
        .latency = now - c->start,
        .from_send = now - c->sent,
    };
}

static void
get_done(struct conn *c, int status, void *run_)
{
    struct get_run *run = run_;

    if (status != 200) {
        run->errors++;
        conn_close(c);
        return;
    }
    get_run_add(run, c);
}

static int
cmp_double(const void *a_, const void *b_)
{
    double a = *(const double *) a_, b = *(const double *) b_;
    return a < b ? -1 : a > b;
}

static int
cmp_due(const void *a, const void *b)
{
    return cmp_double(&((const struct sample *) a)->due,
                      &((const struct sample *) b)->due);
}

/* The 'p'th percentile of the 'n' sorted 'v', in ms. */
static double
pct_ms(const double *v, size_t n, double p)
{
    if (!n) {
        return 0;
    }
    size_t i = p / 100.0 * n;
    return v[i < n ? i : n - 1] * 1000;
}

/* Returns the time in 'file', or -1 if it holds none. */
static double
read_time_file(const char *file)
{
    FILE *f = fopen(file, "r");
    double t = -1;

    if (f) {
        if (fscanf(f, "%lf", &t) != 1) {
            t = -1;
        }
        fclose(f);
    }
    return t;
}

/* Writes 'file' with the time 't' at once: aside, then renamed. */
static void
write_time_file(const char *file, double t)
{
    char *tmp = gn_xasprintf("%s.tmp", file);
    FILE *f = fopen(tmp, "w");

    if (!f || fprintf(f, "%.9f\n", t) < 0 || fclose(f)
        || rename(tmp, file)) {
        gn_fatal("%s: %s", file, strerror(errno));
    }
    free(tmp);
}

/* Keeps only the samples due from 'since' to 'until'. */
static void
get_keep(struct get_run *run, double since, double until)
{
    size_t k = 0;

    for (size_t i = 0; i < run->n; i++) {
        double due = run->samples[i].due;

        if (due >= since && due <= until) {
            run->samples[k++] = run->samples[i];
        }
    }
    run->n = k;
}

/* The latencies (or with 'from_send', the times from sending) of the
 * samples of 'run', sorted, in a new array of run->n + 1. */
static double *
get_sorted(const struct get_run *run, bool from_send)
{
    double *v = gn_xcalloc(run->n + 1, sizeof *v);

    for (size_t i = 0; i < run->n; i++) {
        const struct sample *s = &run->samples[i];
        v[i] = from_send ? s->from_send : s->latency;
    }
    qsort(v, run->n, sizeof *v, cmp_double);
    return v;
}

/* Prints " p50_ms=X p99_ms=Y max_ms=Z" of the 'n' sorted latencies
 * 'lat'. */
static void
print_latencies(const double *lat, size_t n)
{
    printf(" p50_ms=%.2f p99_ms=%.2f max_ms=%.2f", pct_ms(lat, n, 50),
           pct_ms(lat, n, 99), n ? lat[n - 1] * 1000 : 0);
}

static void
get_report(struct get_run *run, double elapsed, bool rate,
           const char *log)
{
    size_t n = run->n;

    if (n) {
        qsort(run->samples, n, sizeof *run->samples, cmp_due);
    }
    if (log) {
        FILE *f = fopen(log, "w");

        if (!f) {
            gn_fatal("%s: %s", log, strerror(errno));
        }
        for (size_t i = 0; i < n; i++) {
            const struct sample *s = &run->samples[i];
            fprintf(f, "%.6f %.6f %.6f\n", s->due, s->latency, s->from_send);
        }
        if (fclose(f)) {
            gn_fatal("%s: %s", log, strerror(errno));
        }
    }
    double *lat = get_sorted(run, false);
    printf("requests=%zu errors=%d rps=%.0f", n, run->errors,
           elapsed > 0 ? n / elapsed : 0);
    print_latencies(lat, n);
    free(lat);
    if (rate) {
        double *from_send = get_sorted(run, true);
        printf(" p99_from_send_ms=%.2f", pct_ms(from_send, n, 99));
        free(from_send);
    }
    printf("\n");
}

static int
do_get(const char *socket, const char *path, size_t clients, double secs,
       double rate, const char *until, const char *since, const char *log)
{
    struct gn_buf req = GN_BUF_INIT;
    struct get_run run = { .samples = NULL };
    struct load l;
    double start = now_sec();
    double deadline = start + secs;
    double next_check = start;
    bool stop = false;

    gn_buf_printf(&req, "GET %s HTTP/1.1\r\nHost: localhost\r\n"
                  "Connection: keep-alive\r\n\r\n", path);
    load_init(&l, clients, GET_TIMEOUT);
    for (size_t i = 0; i < clients; i++) {
        l.conns[i].due = start;
    }
    for (;;) {
        double now = now_sec();
        double wake = deadline;

        if (!stop && now >= deadline) {
            stop = true;
        } else if (!stop && until && now >= next_check) {
            next_check = now + UNTIL_CHECK;
            stop = !access(until, F_OK);
        }
        if (stop) {
            /* The answers in flight still count. */
            if (!load_busy(&l)) {
                break;
            }
            load_poll(&l, now + l.timeout, get_done, &run);
            continue;
        }
        if (until && next_check < wake) {
            wake = next_check;
        }
        for (size_t i = 0; i < clients; i++) {
            struct conn *c = &l.conns[i];
            double at = c->due > c->retry_at ? c->due : c->retry_at;

            if (c->busy) {
                continue;
            } else if (at > now) {
                wake = at < wake ? at : wake;
                continue;
            }
            /* With a rate, the next is due 1/RATE after this one was,
             * whether or not its answer comes in time. */
            c->start = rate ? c->due : now;
            if (!conn_send(c, socket, &req)) {
                run.errors++;
                c->retry_at = now + 0.01;
                wake = c->retry_at < wake ? c->retry_at : wake;
                continue;
            }
            c->due = rate ? c->due + 1.0 / rate : now;
        }
        load_poll(&l, wake, get_done, &run);
    }

    /* The window: from --since's time (or the start) to --until's (or
     * the end). */
    double first = since ? read_time_file(since) : start;
    double last = until ? read_time_file(until) : -1;
    if (since && first < 0) {
        gn_fatal("%s: no time in it", since);
    }
    if (last < 0) {
        last = now_sec();
    }
    get_keep(&run, first, last);
    get_report(&run, last - first, rate > 0, log);
    free(run.samples);
    load_destroy(&l);
    gn_buf_destroy(&req);
    return 0;
}

/* "post". */
struct post_run {
    int ok, failed;
    struct get_run answered;    /* The latencies of the 2xx answers. */
};

static void
post_done(struct conn *c, int status, void *run_)
{
    struct post_run *run = run_;

    if (status >= 200 && status < 300) {
        run->ok++;
        get_run_add(&run->answered, c);
    } else {
        run->failed++;
        conn_close(c);
    }
}

/* Reads the non-empty lines of stdin, without their white space. */
static char **
read_bodies(size_t *n)
{
    char **bodies = NULL;
    size_t allocated = 0;
    char *line = NULL;
    size_t size = 0;
    ssize_t len;

    *n = 0;
    while ((len = getline(&line, &size, stdin)) >= 0) {
        char *p = line;

        while (len > 0 && strchr(" \t\r\n", line[len - 1])) {
            line[--len] = '\0';
        }
        p += strspn(p, " \t");
        if (!*p) {
            continue;
        }
        if (*n >= allocated) {
            allocated = 2 * allocated + 64;
            bodies = gn_xrealloc(bodies, allocated * sizeof *bodies);
        }
        bodies[(*n)++] = gn_xstrdup(p);
    }
    free(line);
    return bodies;
}

static int
do_post(const char *socket, const char *path, size_t writers,
        const char *started, const char *finished)
{
    struct post_run run = { .ok = 0 };
    struct gn_buf req = GN_BUF_INIT;
    size_t n_bodies;
    char **bodies = read_bodies(&n_bodies);
    struct load l;

    load_init(&l, writers, POST_TIMEOUT);
    for (size_t i = 0; i < writers; i++) {
        l.conns[i].fd = connect_unix(socket);
        l.conns[i].next = i;
    }
    if (started) {
        write_time_file(started, now_sec());
    }
    for (;;) {
        for (size_t i = 0; i < writers; i++) {
            struct conn *c = &l.conns[i];

            while (!c->busy && c->next < n_bodies) {
                const char *body = bodies[c->next];

                c->next += writers;
                gn_buf_clear(&req);
                gn_buf_printf(&req, "POST %s HTTP/1.1\r\nHost: localhost\r\n"
                              "Connection: keep-alive\r\n"
                              "Content-Type: application/json\r\n"
                              "Content-Length: %zu\r\n\r\n%s",
                              path, strlen(body), body);
                if (!conn_send(c, socket, &req)) {
                    run.failed++;
                }
                c->start = c->sent;
            }
        }
        if (!load_busy(&l)) {
            break;
        }
        load_poll(&l, now_sec() + l.timeout, post_done, &run);
    }
    if (finished) {
        write_time_file(finished, now_sec());
    }
    double *lat = get_sorted(&run.answered, false);
    printf("ok=%d failed=%d", run.ok, run.failed);
    print_latencies(lat, run.answered.n);
    printf("\n");
    free(lat);
    free(run.answered.samples);
    for (size_t i = 0; i < n_bodies; i++) {
        free(bodies[i]);
    }
    free(bodies);
    load_destroy(&l);
    gn_buf_destroy(&req);
    return run.failed ? 1 : 0;
}

/* Takes the options named in 'names' (each followed by a value) out of
 * 'argv', setting 'values' in the same order; returns the new argc. */
static int
take_options(int argc, char *argv[], const char *const names[],
             const char *values[], size_t n_names)
{
    int k = 0;

    for (int i = 0; i < argc; i++) {
        size_t j;

        for (j = 0; j < n_names; j++) {
            if (!strcmp(argv[i], names[j])) {
                break;
            }
        }
        if (j == n_names) {
            argv[k++] = argv[i];
        } else if (i + 1 < argc) {
            values[j] = argv[++i];
        } else {
            usage();
        }
    }
    return k;
}

static double
parse_number(const char *s, double min)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || *end || v < min) {
        usage();
    }
    return v;
}

int
main(int argc, char *argv[])
{
    gn_set_program_name(argv[0]);
    if (argc < 2) {
        usage();
    }
    if (!strcmp(argv[1], "get")) {
        static const char *const names[] = { "--until", "--since", "--log" };
        const char *v[3] = { NULL, NULL, NULL };

        argc = take_options(argc, argv, names, v, 3);
        if (argc != 6 && argc != 7) {
            usage();
        }
        return do_get(argv[2], argv[3], parse_number(argv[4], 1),
                      parse_number(argv[5], 0),
                      argc == 7 ? parse_number(argv[6], 0) : 0,
                      v[0], v[1], v[2]);
    } else if (!strcmp(argv[1], "post")) {
        static const char *const names[] = { "--started", "--finished" };
        const char *v[2] = { NULL, NULL };

        argc = take_options(argc, argv, names, v, 2);
        if (argc != 5) {
            usage();
        }
        return do_post(argv[2], argv[3], parse_number(argv[4], 1), v[0],
                       v[1]);
    }
    usage();
}
