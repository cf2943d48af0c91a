/* fuzz-http: bytes from a client of the API socket, read by the daemon's
 * own API: evhttp (request line, headers, Content-Length and chunked
 * bodies, URIs), then guestnet's routing, access check, query strings,
 * bodies and handlers (api/), on a real engine whose ovsdb-server and
 * switch are absent (writes wait for them, reads answer from what it
 * has).  Each input is written on a new connection to the unix socket;
 * the loop runs until no more answer comes, then the client closes.
 * Checked besides crashes, leaks and undefined behaviour: whatever comes
 * back starts with an HTTP status line of a known status, never a 500.
 * Leaks are checked when the fuzzer exits (scripts/fuzz.sh runs it with
 * -detect_leaks=0): the daemon's state outlives each input.
 *
 * libevent itself is not instrumented: its parser is exercised here and
 * checked by the sanitizers' interceptors only; the coverage that guides
 * the fuzzer is guestnet's. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <event2/event.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "api.h"
#include "engine.h"
#include "fuzz-util.h"
#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct event_base *base;
static struct sockaddr_un api_addr;

/* A daemon without OVS: config file, engine and API in a new folder. */
static void
setup(void)
{
    char dir[] = "/tmp/fuzz-http.XXXXXX";
    struct api_options opts;
    struct gn_config *cfg;
    struct engine *engine;
    char *path, *error;
    FILE *f;

    gn_log_set_level(GN_LOG_ERR);
    signal(SIGPIPE, SIG_IGN);   /* As guestnetd does. */
    if (!mkdtemp(dir)) {
        abort();
    }
    path = gn_xasprintf("%s/guestnet.json", dir);
    f = fopen(path, "w");
    if (!f || fputs(fuzz_config_json, f) < 0 || fclose(f)) {
        abort();
    }
    if ((error = gn_config_read(path, &cfg))) {
        fprintf(stderr, "%s\n", error);
        abort();
    }
    base = event_base_new();
    char *remote = gn_xasprintf("unix:%s/db.sock", dir);
    engine = engine_create(base, remote, dir, cfg, path);
    free(remote);
    free(path);

    memset(&opts, 0, sizeof opts);
    path = gn_xasprintf("%s/api.sock", dir);
    opts.socket_path = path;
    opts.socket_group = (gid_t) -1;
    opts.admin_group = (gid_t) -1;
    opts.request_timeout_s = 1;
    if (!api_create(base, engine, &opts, &error)) {
        fprintf(stderr, "%s\n", error);
        abort();
    }
    memset(&api_addr, 0, sizeof api_addr);
    api_addr.sun_family = AF_UNIX;
    snprintf(api_addr.sun_path, sizeof api_addr.sun_path, "%s", path);
    free(path);
}

/* Checks 'answer' ('len' bytes, NUL-terminated): it starts with a status
 * line whose status a client can be given. */
static void
check_answer(const char *answer, size_t len)
{
    static const int statuses[] = {
        200, 201, 202, 400, 403, 404, 405, 408, 409, 411, 413, 415, 417,
        431, 501, 503, 504, 505,
    };
    int major, minor, status = 0;
    bool known = false;

    if (!len) {
        return;
    }
    /* evhttp answers in the request's version, whatever its digits. */
    if (sscanf(answer, "HTTP/%d.%d %d ", &major, &minor, &status) != 3) {
        status = 0;
    }
    for (size_t i = 0; i < GN_ARRAY_SIZE(statuses); i++) {
        known = known || statuses[i] == status;
    }
    if (!known) {
        fprintf(stderr, "unexpected answer:\n%.*s\n", (int) len, answer);
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char answer[1 << 20];
    size_t len = 0, sent = 0;
    int fd, quiet = 0;

    if (!base) {
        setup();
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &api_addr,
                          sizeof api_addr)) {
        abort();
    }
    /* Until nothing moves for a few turns of the loop. */
    while (quiet < 4) {
        bool moved = false;
        ssize_t n;

        if (sent < size) {
            n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
            if (n > 0) {
                sent += n;
                moved = true;
            } else if (n < 0 && errno != EAGAIN) {
                sent = size;    /* The daemon closed: the rest is lost. */
            }
        }
        event_base_loop(base, EVLOOP_NONBLOCK);
        n = recv(fd, answer + len, sizeof answer - len - 1, 0);
        if (n > 0) {
            len += n;
            moved = true;
        }
        quiet = moved ? 0 : quiet + 1;
    }
    close(fd);
    /* The daemon sees the end of the connection and frees it. */
    for (int i = 0; i < 4; i++) {
        event_base_loop(base, EVLOOP_NONBLOCK);
    }
    answer[len] = '\0';
    check_answer(answer, len);
    return 0;
}
