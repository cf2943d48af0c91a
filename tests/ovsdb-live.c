/* ovsdb-live.c: the ovsdb/ client against a real ovsdb-server and
 * ovs-vswitchd, driven by tests/ovsdb-client.sh.
 *
 * Usage:
 *   ovsdb-live create DB BRIDGE      create BRIDGE (netdev) with an internal
 *                                    port, wait until ovs-vswitchd applied it
 *   ovsdb-live outage DB GONE NEW    print READY once synced with a request
 *                                    pending; then expect the connection to
 *                                    drop, the request to fail, and after
 *                                    the reconnect GONE absent, NEW present
 *   ovsdb-live probe DB MS           stay idle MS ms with a 1 s probe
 *   ovsdb-live unixctl PATH          "version" on ovs-vswitchd's socket
 *
 * Prints what it sees as "key: value" lines for the script to check and
 * exits 0 if the scenario went as expected. */
#include <config.h>

#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "jsonrpc-session.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

struct live {
    struct event_base *base;
    struct jsonrpc_session *session;
    struct ovsdb_replica *replica;
    const char *mode;
    const char *arg1;           /* BRIDGE, GONE, MS or unused. */
    const char *arg2;           /* NEW or unused. */
    int status;                 /* Exit status. */

    json_int_t next_cfg;        /* create: from the txn, or -1. */
    bool pending_failed;        /* outage: the pending request failed. */
    bool disconnected;          /* outage: saw the drop. */
    struct event *idle_timer;   /* probe. */
};

static const char *const ovs_columns[] = {
    "next_cfg", "cur_cfg", "bridges", NULL
};
static const char *const bridge_columns[] = {
    "name", "ports", "datapath_type", NULL
};
static const char *const port_columns[] = {
    "name", "interfaces", "tag", NULL
};
static const char *const iface_columns[] = {
    "name", "type", "ofport", "external_ids", NULL
};

/* Prints a line and flushes, so the script sees it at once. */
static void GN_PRINTF(1, 2)
say(const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    vprintf(fmt, args);
    va_end(args);
    putchar('\n');
    fflush(stdout);
}

/* Ends the run with 'status'. */
static void
finish(struct live *live, int status)
{
    live->status = status;
    event_base_loopbreak(live->base);
}

/* Returns the uuid of the row of 'table' whose name is 'name', or NULL. */
static const char *
find_by_name(const struct ovsdb_replica *r, const char *table,
             const char *name)
{
    const char *uuid;
    const json_t *row;

    OVSDB_REPLICA_FOR_EACH (uuid, row, r, table) {
        const char *n = ovsdb_datum_string(row, "name");

        if (n && !strcmp(n, name)) {
            return uuid;
        }
    }
    return NULL;
}

/* create: the transaction's outcome. */
static void
create_done_cb(struct ovsdb_txn *txn, const struct ovsdb_txn_result *result,
               void *live_)
{
    struct live *live = live_;

    if (result->status != OVSDB_TXN_SUCCESS) {
        say("txn: error %s", result->error);
        finish(live, 1);
        return;
    }
    live->next_cfg = result->next_cfg;
    say("txn: ok next_cfg=%lld", (long long) result->next_cfg);
}

/* create: sends the transaction that adds the bridge. */
static void
create_send(struct live *live)
{
    struct ovsdb_txn *txn = ovsdb_txn_create("Open_vSwitch");
    const char *name = live->arg1;
    const char *iface, *port, *bridge;

    ovsdb_txn_comment(txn, "ovsdb-live: create bridge");
    iface = ovsdb_txn_insert(txn, "Interface", json_pack(
        "{s:s, s:s, s:o}", "name", name, "type", "internal",
        "external_ids", ovsdb_datum_map(json_pack("{s:s}", "guestnet:test",
                                                  "ovsdb-live"))));
    port = ovsdb_txn_insert(txn, "Port", json_pack(
        "{s:s, s:o}", "name", name,
        "interfaces", ovsdb_datum_named_uuid(iface)));
    bridge = ovsdb_txn_insert(txn, "Bridge", json_pack(
        "{s:s, s:s, s:o}", "name", name, "datapath_type", "netdev",
        "ports", ovsdb_datum_named_uuid(port)));
    ovsdb_txn_mutate(txn, "Open_vSwitch", NULL, json_pack(
        "[[s, s, o]]", "bridges", "insert",
        ovsdb_datum_set(json_pack("[o]", ovsdb_datum_named_uuid(bridge)))));
    ovsdb_txn_increment_next_cfg(txn);
    ovsdb_txn_commit(txn, live->session, create_done_cb, live);
}

/* create: checks whether ovs-vswitchd applied the change. */
static void
create_check(struct live *live)
{
    const json_t *row;
    const char *uuid;
    json_int_t cur_cfg = -1, ofport = -1;

    if (live->next_cfg < 0) {
        return;
    }
    OVSDB_REPLICA_FOR_EACH (uuid, row, live->replica, "Open_vSwitch") {
        ovsdb_datum_integer(row, "cur_cfg", &cur_cfg);
    }
    uuid = find_by_name(live->replica, "Interface", live->arg1);
    row = uuid ? ovsdb_replica_get_row(live->replica, "Interface", uuid)
               : NULL;
    if (row) {
        ovsdb_datum_integer(row, "ofport", &ofport);
    }
    if (cur_cfg >= live->next_cfg && ofport >= 0) {
        say("applied: cur_cfg=%lld ofport=%lld bridges=%zu",
            (long long) cur_cfg, (long long) ofport,
            ovsdb_replica_count(live->replica, "Bridge"));
        finish(live, 0);
    }
}

/* outage: the pending request's callback. */
static void
outage_pending_cb(struct ovsdb_txn *txn,
                  const struct ovsdb_txn_result *result, void *live_)
{
    struct live *live = live_;

    if (result->status == OVSDB_TXN_DISCONNECTED) {
        live->pending_failed = true;
        say("pending: failed (%s)", result->error);
    } else {
        say("pending: unexpected outcome %d (%s)", result->status,
            result->error ? result->error : "no error");
        finish(live, 1);
    }
}

/* outage: once synced the first time, leaves a transaction pending (a
 * "wait" that cannot succeed for a minute) and says READY. */
static void
outage_ready(struct live *live)
{
    struct ovsdb_txn *txn = ovsdb_txn_create("Open_vSwitch");

    say("before: %s %s", live->arg1,
        find_by_name(live->replica, "Bridge", live->arg1)
        ? "present" : "absent");
    ovsdb_txn_wait(txn, "Open_vSwitch", NULL, json_pack("[s]", "next_cfg"),
                   "==", json_pack("[{s:i}]", "next_cfg", -1), 60000);
    ovsdb_txn_commit(txn, live->session, outage_pending_cb, live);
    say("READY");
}

/* outage: after the reconnect, checks the replica caught up. */
static void
outage_check(struct live *live)
{
    bool gone = !find_by_name(live->replica, "Bridge", live->arg1);
    bool new = find_by_name(live->replica, "Bridge", live->arg2) != NULL;

    if (live->pending_failed && gone && new) {
        say("resynced: connects=%u %s absent, %s present",
            jsonrpc_session_n_connects(live->session), live->arg1,
            live->arg2);
        finish(live, 0);
    }
}

/* probe: the idle time is over. */
static void
probe_idle_cb(evutil_socket_t fd, short what, void *live_)
{
    struct live *live = live_;
    bool ok = jsonrpc_session_is_connected(live->session)
              && jsonrpc_session_n_connects(live->session) == 1;

    say("probe: connected=%s connects=%u",
        jsonrpc_session_is_connected(live->session) ? "yes" : "no",
        jsonrpc_session_n_connects(live->session));
    finish(live, ok ? 0 : 1);
}

/* The replica changed. */
static void
replica_changed_cb(struct ovsdb_replica *r, bool initial, void *live_)
{
    struct live *live = live_;
    unsigned int n = jsonrpc_session_n_connects(live->session);

    if (initial) {
        say("synced: connects=%u bridges=%zu", n,
            ovsdb_replica_count(r, "Bridge"));
    }
    if (!strcmp(live->mode, "create")) {
        if (initial && n == 1) {
            create_send(live);
        }
        create_check(live);
    } else if (!strcmp(live->mode, "outage")) {
        if (initial && n == 1) {
            outage_ready(live);
        } else if (n > 1) {
            outage_check(live);
        }
    } else if (!strcmp(live->mode, "probe") && initial && n == 1) {
        struct timeval tv;
        long ms = atol(live->arg1);

        tv.tv_sec = ms / 1000;
        tv.tv_usec = ms % 1000 * 1000;
        live->idle_timer = evtimer_new(live->base, probe_idle_cb, live);
        evtimer_add(live->idle_timer, &tv);
    }
}

static void
session_connected_cb(struct jsonrpc_session *s, void *live_)
{
    struct live *live = live_;

    say("connected: %u", jsonrpc_session_n_connects(s));
    ovsdb_replica_monitor(live->replica, s);
}

static void
session_disconnected_cb(struct jsonrpc_session *s, const char *reason,
                        void *live_)
{
    struct live *live = live_;

    say("disconnected: %s", reason);
    live->disconnected = true;
    ovsdb_replica_disconnected(live->replica);
    if (!strcmp(live->mode, "probe")) {
        finish(live, 1);
    }
}

static void
session_notify_cb(struct jsonrpc_session *s, const json_t *msg, void *live_)
{
    struct live *live = live_;

    ovsdb_replica_handle_notify(live->replica, msg);
}

/* unixctl: the reply to "version". */
static void
version_reply_cb(struct jsonrpc_session *s, const json_t *reply,
                 const char *error, void *live_)
{
    struct live *live = live_;
    const char *version = json_string_value(json_object_get(reply,
                                                            "result"));

    if (!version) {
        say("version: error %s", error ? error : "no string result");
        finish(live, 1);
        return;
    }
    say("version: %.*s", (int) strcspn(version, "\n"), version);
    finish(live, 0);
}

static void
unixctl_connected_cb(struct jsonrpc_session *s, void *live_)
{
    jsonrpc_session_request(s, "version", NULL, version_reply_cb, live_);
}

static void
deadline_cb(evutil_socket_t fd, short what, void *live_)
{
    say("timeout");
    finish(live_, 1);
}

int
main(int argc, char *argv[])
{
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct jsonrpc_session_cbs cbs = {
        session_connected_cb, session_disconnected_cb, session_notify_cb,
    };
    struct timeval deadline = { 60, 0 };
    struct live live;
    struct event *deadline_ev;
    const char *remote;
    char *error;

    gn_set_program_name(argv[0]);
    memset(&live, 0, sizeof live);
    live.next_cfg = -1;
    live.status = 1;
    if (argc < 3) {
        gn_fatal("usage: %s create|outage|probe|unixctl REMOTE [ARG...]",
                 argv[0]);
    }
    live.mode = argv[1];
    live.arg1 = argc > 3 ? argv[3] : "";
    live.arg2 = argc > 4 ? argv[4] : "";
    if (!strcmp(live.mode, "unixctl")) {
        remote = gn_xasprintf("unix:%s", argv[2]);
        options.reconnect = false;
        options.probe_interval_ms = 0;
        cbs.connected = unixctl_connected_cb;
        cbs.disconnected = NULL;
        cbs.notify = NULL;
        deadline.tv_sec = 10;
    } else {
        remote = argv[2];
        if (!strcmp(live.mode, "probe")) {
            options.probe_interval_ms = 1000;
        }
        options.max_backoff_ms = 2000;
        live.replica = ovsdb_replica_create("Open_vSwitch",
                                            replica_changed_cb, &live);
        ovsdb_replica_add_table(live.replica, "Open_vSwitch", ovs_columns);
        ovsdb_replica_add_table(live.replica, "Bridge", bridge_columns);
        ovsdb_replica_add_table(live.replica, "Port", port_columns);
        ovsdb_replica_add_table(live.replica, "Interface", iface_columns);
    }

    live.base = event_base_new();
    live.session = jsonrpc_session_create(live.base, remote, &options, &cbs,
                                          &live, &error);
    if (!live.session) {
        gn_fatal("%s", error);
    }
    deadline_ev = evtimer_new(live.base, deadline_cb, &live);
    evtimer_add(deadline_ev, &deadline);
    event_base_dispatch(live.base);

    jsonrpc_session_destroy(live.session);
    ovsdb_replica_destroy(live.replica);
    if (live.idle_timer) {
        event_free(live.idle_timer);
    }
    event_free(deadline_ev);
    event_base_free(live.base);
    if (remote != argv[2]) {
        free((char *) remote);
    }
    return live.status;
}
