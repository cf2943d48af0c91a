/* ovsdb-cluster-live.c: the ovsdb/ client against a real 3-member cluster
 * of ovsdb-server, driven by tests/ovsdb-cluster.sh.
 *
 * Usage: ovsdb-cluster-live REMOTES [PROBE_MS]
 *
 * Connects to the comma-separated REMOTES, follows the "Guestnet" row of
 * "_Server", and once the member reached is ready replicates the Network
 * table with monitor_cond_since, with an inactivity probe every PROBE_MS
 * (default 1000) ms.  Runs until killed, printing one line per
 * event for the script to check, each ending with "at=MS" (the realtime
 * clock in ms):
 *   connected: REMOTE
 *   disconnected: REMOTE REASON
 *   ready: REMOTE model=M leader=yes|no version=V
 *   not-ready: REMOTE ERROR
 *   synced: REMOTE kind=full|resume resyncs=N resumes=N names=A,B,...
 *   update: REMOTE names=A,B,... */
#include <config.h>

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "gn-util.h"
#include "jsonrpc-session.h"
#include "ovsdb-replica.h"
#include "ovsdb-server-db.h"

struct live {
    struct jsonrpc_session *session;
    struct ovsdb_server_db *sdb;
    struct ovsdb_replica *replica;
    bool monitoring;            /* The replica's monitor went out on the
                                 * current connection. */
};

static const char *const network_columns[] = { "name", "vlan", NULL };

/* Prints a line ending with the realtime clock, and flushes. */
static void GN_PRINTF(1, 2)
say(const char *fmt, ...)
{
    struct timeval tv;
    va_list args;

    gettimeofday(&tv, NULL);
    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    printf(" at=%lld\n", (long long) tv.tv_sec * 1000 + tv.tv_usec / 1000);
    fflush(stdout);
}

/* Returns the sorted Network names of 'r', comma-separated (caller
 * frees). */
static char *
network_names(const struct ovsdb_replica *r)
{
    json_t *names = json_array();
    const char *uuid, *name;
    const json_t *row, *v;
    size_t i, j, n;
    char *s, *p;

    OVSDB_REPLICA_FOR_EACH (uuid, row, r, "Network") {
        name = ovsdb_datum_string(row, "name");
        json_array_append_new(names, json_string(name ? name : "?"));
    }
    n = json_array_size(names);
    /* Insertion sort: a test's handful of rows. */
    for (i = 1; i < n; i++) {
        for (j = i; j > 0 && strcmp(
                 json_string_value(json_array_get(names, j - 1)),
                 json_string_value(json_array_get(names, j))) > 0; j--) {
            json_t *a = json_incref(json_array_get(names, j - 1));

            json_array_set(names, j - 1, json_array_get(names, j));
            json_array_set_new(names, j, a);
        }
    }
    s = gn_xstrdup("");
    json_array_foreach (names, i, v) {
        p = gn_xasprintf("%s%s%s", s, i ? "," : "", json_string_value(v));
        free(s);
        s = p;
    }
    json_decref(names);
    return s;
}

static void
replica_changed_cb(struct ovsdb_replica *r, bool initial, void *live_)
{
    struct live *live = live_;
    char *names = network_names(r);

    if (initial) {
        say("synced: %s kind=%s resyncs=%llu resumes=%llu names=%s",
            jsonrpc_session_remote(live->session),
            ovsdb_replica_resumed(r) ? "resume" : "full",
            ovsdb_replica_n_full_resyncs(r), ovsdb_replica_n_resumes(r),
            names);
    } else {
        say("update: %s names=%s", jsonrpc_session_remote(live->session),
            names);
    }
    free(names);
}

static void
sdb_changed_cb(struct ovsdb_server_db *sdb, void *live_)
{
    struct live *live = live_;
    const struct ovsdb_server_db_info *info = ovsdb_server_db_info(sdb);
    const char *remote = jsonrpc_session_remote(live->session);

    if (ovsdb_server_db_is_ready(sdb)) {
        say("ready: %s model=%s leader=%s version=%s", remote,
            ovsdb_server_db_model_name(info->model),
            info->leader ? "yes" : "no", info->version);
        if (!live->monitoring) {
            live->monitoring = true;
            ovsdb_replica_monitor(live->replica, live->session);
        }
    } else if (ovsdb_server_db_error(sdb)) {
        say("not-ready: %s %s", remote, ovsdb_server_db_error(sdb));
    }
}

static void
connected_cb(struct jsonrpc_session *s, void *live_)
{
    struct live *live = live_;

    say("connected: %s", jsonrpc_session_remote(s));
    live->monitoring = false;
    ovsdb_server_db_monitor(live->sdb, s);
}

static void
disconnected_cb(struct jsonrpc_session *s, const char *reason, void *live_)
{
    struct live *live = live_;

    say("disconnected: %s %s", jsonrpc_session_remote(s), reason);
    live->monitoring = false;
    ovsdb_replica_disconnected(live->replica);
    ovsdb_server_db_disconnected(live->sdb);
}

static void
notify_cb(struct jsonrpc_session *s, const json_t *msg, void *live_)
{
    struct live *live = live_;

    if (!ovsdb_server_db_handle_notify(live->sdb, msg)) {
        ovsdb_replica_handle_notify(live->replica, msg);
    }
}

int
main(int argc, char *argv[])
{
    static const struct jsonrpc_session_cbs cbs = {
        connected_cb, disconnected_cb, notify_cb,
    };
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct event_base *base;
    struct live live = { 0 };
    char *error;

    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s REMOTES [PROBE_MS]\n", argv[0]);
        return 2;
    }
    base = event_base_new();
    live.sdb = ovsdb_server_db_create("Guestnet", sdb_changed_cb, &live);
    live.replica = ovsdb_replica_create("Guestnet", replica_changed_cb,
                                        &live);
    ovsdb_replica_add_table(live.replica, "Network", network_columns);
    ovsdb_replica_set_resume(live.replica, true);
    /* A stopped member is noticed within twice the probe interval. */
    options.probe_interval_ms = argc > 2 ? atoi(argv[2]) : 1000;
    live.session = jsonrpc_session_create(base, argv[1], &options, &cbs,
                                          &live, &error);
    if (!live.session) {
        fprintf(stderr, "%s\n", error);
        free(error);
        return 2;
    }
    event_base_dispatch(base);
    jsonrpc_session_destroy(live.session);
    ovsdb_replica_destroy(live.replica);
    ovsdb_server_db_destroy(live.sdb);
    event_base_free(base);
    return 0;
}
