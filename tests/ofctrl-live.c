/* ofctrl-live.c: drives ofctrl against a real switch for tests/ofctrl.sh.
 *
 * Usage: ofctrl-live [--max-version=N] [--probe=MSEC] MODE TARGET FLOWFILE
 *   install   put the flows of FLOWFILE, wait until the switch confirms
 *             them (or a bundle fails), print the counters
 *   watch     as install, then wait for the connection to drop and come
 *             back and print how long restoring all flows took
 *   cookies   as install, then print the switch's counters per cookie
 *   held      as install, then add one flow in place (table 9, cookie
 *             0x77) under ofctrl_hold() until SIGUSR1, printing
 *             "result=held ..." at its start and end and
 *             "result=reconnected ..." when the connection comes back
 *             meanwhile, then commit it and print "result=committed ..."
 *             once the switch confirms it.  The test, not a timer, ends
 *             the hold: a slow switch restart cannot outlast it.
 *
 * FLOWFILE has one flow a line, "TABLE PRIORITY COOKIE MATCH ACTIONS" with
 * "-" for an empty match or actions; '#' starts a comment.
 *
 * Output lines (key=value) are parsed by the shell script:
 *   result=installed version=6 flow_mods=1000 bundles=1 ...
 *   error=OFPBAC_BAD_OUT_GROUP for add table=0,...
 *   restored flows=1000 after_connect_ms=12 after_disconnect_ms=840 ...
 *   cookie=0x1 flows=10 packets=3 bytes=300
 * Exit status: 0 success, 2 the bundle failed, 1 anything else. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "flow-table.h"
#include "gn-log.h"
#include "gn-util.h"
#include "ofctrl.h"

enum live_mode {
    LIVE_INSTALL,
    LIVE_WATCH,
    LIVE_COOKIES,
    LIVE_HELD,
};

struct live {
    struct event_base *base;
    struct ofctrl *ofctrl;
    enum live_mode mode;
    int exit_code;
    long long start_msec;

    /* watch: progress through drop and restore. */
    bool installed_once;
    bool was_connected;
    long long down_msec;        /* When the connection dropped, or 0. */
    long long up_msec;          /* When it came back after that, or 0. */

    /* held: the edit under way, released by SIGUSR1. */
    struct event *release_signal;
    bool holding;
    bool committed;
};

/* Prints the counters of 'l->ofctrl' after "result=RESULT". */
static void
live_print_status(const struct live *l, const char *result)
{
    struct ofctrl_status s;

    ofctrl_get_status(l->ofctrl, &s);
    printf("result=%s version=%u flow_mods=%"PRIu64" bundles=%"PRIu64
           " bundle_failures=%"PRIu64" errors=%"PRIu64" reconnects=%"PRIu64
           " desired=%zu installed=%zu elapsed_ms=%lld\n", result,
           s.ofp_version, s.n_flow_mods, s.n_bundles, s.n_bundle_failures,
           s.n_errors, s.n_reconnects, s.n_desired, s.n_installed,
           gn_time_msec() - l->start_msec);
    if (s.last_error) {
        printf("error=%s\n", s.last_error);
    }
    fflush(stdout);
}

/* Ends the event loop with 'code' as the exit status. */
static void
live_finish(struct live *l, int code)
{
    l->exit_code = code;
    event_base_loopexit(l->base, NULL);
}

/* ofctrl_cookie_stats_cb: prints the counters per cookie. */
static void
live_cookie_stats(const struct flow_table_cookie_stats *stats, size_t n,
                  int error, void *l_)
{
    struct live *l = l_;
    size_t i;

    if (error) {
        printf("cookie stats failed: %s\n", strerror(error));
        live_finish(l, 1);
        return;
    }
    for (i = 0; i < n; i++) {
        printf("cookie=%#"PRIx64" flows=%"PRIu64" packets=%"PRIu64
               " bytes=%"PRIu64"\n", stats[i].cookie, stats[i].n_flows,
               stats[i].n_packets, stats[i].n_bytes);
    }
    fflush(stdout);
    live_finish(l, 0);
}

/* held: SIGUSR1 ends the hold; the edit goes to the switch. */
static void
live_release(evutil_socket_t fd, short what, void *l_)
{
    struct live *l = l_;

    (void) fd;
    (void) what;
    if (!l->holding || l->committed) {
        return;
    }
    live_print_status(l, "held");
    l->committed = true;
    ofctrl_commit(l->ofctrl, 2);
}

/* held: adds a flow to the desired table in place and holds it until
 * SIGUSR1 (already being caught, see main()). */
static void
live_hold(struct live *l)
{
    char *error;

    ofctrl_hold(l->ofctrl);
    l->holding = true;
    error = flow_table_add(ofctrl_desired(l->ofctrl), 9, 7, 0x77,
                           "reg3=0x7", "");
    if (error) {
        gn_fatal("%s", error);
    }
    live_print_status(l, "held");
}

/* Called once the flows are confirmed the first time. */
static void
live_installed(struct live *l)
{
    int error;

    live_print_status(l, "installed");
    l->installed_once = true;
    switch (l->mode) {
    case LIVE_INSTALL:
        live_finish(l, 0);
        break;
    case LIVE_WATCH:
        break;
    case LIVE_HELD:
        live_hold(l);
        break;
    case LIVE_COOKIES:
        error = ofctrl_request_cookie_stats(l->ofctrl, live_cookie_stats, l);
        if (error) {
            printf("cookie stats request failed: %s\n", strerror(error));
            live_finish(l, 1);
        }
        break;
    }
}

/* ofctrl_notify_cb. */
static void
live_notify(struct ofctrl *ofctrl, void *l_)
{
    struct live *l = l_;
    struct ofctrl_status s;
    long long now = gn_time_msec();

    bool connected = ofctrl_is_connected(ofctrl);

    ofctrl_get_status(ofctrl, &s);
    if (l->was_connected && !connected && l->installed_once) {
        l->down_msec = now;
        l->up_msec = 0;
    } else if (!l->was_connected && connected && l->down_msec) {
        l->up_msec = now;
        if (l->mode == LIVE_HELD && !l->committed) {
            live_print_status(l, "reconnected");
        }
    }
    l->was_connected = connected;

    if (l->committed && ofctrl_installed_seqno(ofctrl) == 2) {
        live_print_status(l, "committed");
        live_finish(l, 0);
    } else if (ofctrl_installed_seqno(ofctrl) == 1) {
        if (!l->installed_once) {
            live_installed(l);
        } else if (l->mode == LIVE_WATCH && l->up_msec) {
            printf("restored flows=%zu after_connect_ms=%lld "
                   "after_disconnect_ms=%lld reconnects=%"PRIu64
                   " flow_mods=%"PRIu64"\n", s.n_installed,
                   now - l->up_msec, now - l->down_msec, s.n_reconnects,
                   s.n_flow_mods);
            fflush(stdout);
            live_finish(l, 0);
        }
    } else if (s.last_error && !l->installed_once) {
        live_print_status(l, "failed");
        live_finish(l, 2);
    }
}

/* Timer callback: the test took too long. */
static void
live_timeout(evutil_socket_t fd, short what, void *l_)
{
    struct live *l = l_;

    live_print_status(l, "timeout");
    live_finish(l, 1);
}

/* Reads 'file_name' into a new table normalized for OpenFlow 1.5 (ofctrl
 * converts it if the switch speaks another version).  Exits on error. */
static struct flow_table *
live_read_flows(const char *file_name)
{
    struct flow_table *t = flow_table_create(0);
    char line[4096];
    int line_number = 0;
    FILE *f;

    f = fopen(file_name, "r");
    if (!f) {
        gn_fatal("%s: %s", file_name, strerror(errno));
    }
    while (fgets(line, sizeof line, f)) {
        char match[2048], actions[2048];
        unsigned int table_id, priority;
        unsigned long long cookie;
        char *error;
        int n;

        line_number++;
        if (line[strspn(line, " \t\n")] == '#'
            || !line[strspn(line, " \t\n")]) {
            continue;
        }
        n = sscanf(line, "%u %u %llx %2047s %2047s", &table_id, &priority,
                   &cookie, match, actions);
        if (n != 5 || table_id > 254 || priority > 65535) {
            gn_fatal("%s:%d: expected TABLE PRIORITY COOKIE MATCH ACTIONS",
                     file_name, line_number);
        }
        error = flow_table_add(t, table_id, priority, cookie,
                               strcmp(match, "-") ? match : "",
                               strcmp(actions, "-") ? actions : "");
        if (error) {
            gn_fatal("%s:%d: %s", file_name, line_number, error);
        }
    }
    fclose(f);
    return t;
}

int
main(int argc, char *argv[])
{
    struct ofctrl_options options;
    struct live l = { .exit_code = 1 };
    struct timeval limit = { 60, 0 };
    struct event *timeout;
    char *error;
    int i = 1;

    gn_set_program_name(argv[0]);
    ofctrl_options_init(&options);
    for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
        if (!strncmp(argv[i], "--max-version=", 14)) {
            options.max_ofp_version = atoi(argv[i] + 14);
        } else if (!strncmp(argv[i], "--probe=", 8)) {
            options.probe_interval_msec = atoi(argv[i] + 8);
        } else {
            gn_fatal("unknown option %s", argv[i]);
        }
    }
    if (argc - i != 3) {
        gn_fatal("usage: %s [--max-version=N] [--probe=MSEC] "
                 "install|watch|cookies|held TARGET FLOWFILE", argv[0]);
    }
    if (!strcmp(argv[i], "install")) {
        l.mode = LIVE_INSTALL;
    } else if (!strcmp(argv[i], "watch")) {
        l.mode = LIVE_WATCH;
    } else if (!strcmp(argv[i], "cookies")) {
        l.mode = LIVE_COOKIES;
    } else if (!strcmp(argv[i], "held")) {
        l.mode = LIVE_HELD;
    } else {
        gn_fatal("unknown mode %s", argv[i]);
    }

    l.base = event_base_new();
    if (!l.base) {
        gn_fatal("event_base_new failed");
    }
    l.start_msec = gn_time_msec();
    l.ofctrl = ofctrl_create(l.base, argv[i + 1], &options, live_notify, &l,
                             &error);
    if (!l.ofctrl) {
        gn_fatal("%s", error);
    }
    ofctrl_put(l.ofctrl, live_read_flows(argv[i + 2]), 1);

    if (l.mode == LIVE_HELD) {
        /* Caught from the start, so that an early SIGUSR1 does not kill
         * the program; one sent before the hold began is ignored. */
        l.release_signal = evsignal_new(l.base, SIGUSR1, live_release, &l);
        if (!l.release_signal || evsignal_add(l.release_signal, NULL)) {
            gn_fatal("cannot catch SIGUSR1");
        }
    }
    timeout = evtimer_new(l.base, live_timeout, &l);
    evtimer_add(timeout, &limit);
    event_base_dispatch(l.base);

    event_free(timeout);
    if (l.release_signal) {
        event_free(l.release_signal);
    }
    ofctrl_destroy(l.ofctrl);
    event_base_free(l.base);
    return l.exit_code;
}
