/* test-ovsdb-cluster.c: what a client of a clustered ovsdb-server needs,
 * without a cluster: a session's list of remotes (parsing, random start,
 * rotation, backoff after a full round), a replica resuming with
 * monitor_cond_since and "update3" against a server served here, and the
 * reading of "_Server"'s Database rows (pure, then over a session). */
#include <config.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-util.h"
#include "jsonrpc-session.h"
#include "jsonrpc.h"
#include "ovsdb-replica.h"
#include "ovsdb-server-db.h"
#include "test-jsonrpc-server.h"
#include "test-util.h"

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define ZERO_TXN "00000000-0000-0000-0000-000000000000"

/* A socket path of this process: "/tmp/gn-test-cluster-PID-TAG.sock"
 * (static storage, one per tag, up to 4). */
static const char *
sock_path(int tag)
{
    static char paths[4][64];

    snprintf(paths[tag], sizeof paths[tag], "/tmp/gn-test-cluster-%ld-%d.sock",
             (long) getpid(), tag);
    return paths[tag];
}

static void
test_remote_list_parsing(void)
{
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct event_base *base = event_base_new();
    struct jsonrpc_session *s;
    const char *remote;
    char *error;

    s = jsonrpc_session_create(NULL, "ssl:10.0.0.1:6641", NULL, NULL, NULL,
                               &error);
    CHECK(!s);
    CHECK_ERROR(error, "SSL remotes are not supported", "use tcp:");
    s = jsonrpc_session_create(NULL, "unix:/a,ssl:10.0.0.1:6641", NULL, NULL,
                               NULL, &error);
    CHECK(!s);
    CHECK_ERROR(error, "ssl:10.0.0.1:6641", "not supported");
    s = jsonrpc_session_create(NULL, "unix:/a, tcp:1.2.3.4 ,unix:/b", NULL,
                               NULL, NULL, &error);
    CHECK(!s);
    CHECK_ERROR(error, "tcp:1.2.3.4:", "expected tcp:IP:PORT");
    s = jsonrpc_session_create(NULL, "unix:/a,,unix:/b", NULL, NULL, NULL,
                               &error);
    CHECK(!s);
    CHECK_ERROR(error, "empty element", "unix:/a,,unix:/b");
    s = jsonrpc_session_create(NULL, "unix:/a,bogus", NULL, NULL, NULL,
                               &error);
    CHECK(!s);
    CHECK_ERROR(error, "bogus", "unix:PATH or tcp:IP:PORT");

    options.reconnect = false;
    s = jsonrpc_session_create(base, "unix:/nonexistent/a, unix:/nonexistent/b"
                               ",tcp:127.0.0.1:1", &options, NULL, NULL,
                               &error);
    CHECK(s && !error);
    CHECK(jsonrpc_session_n_remotes(s) == 3);
    remote = jsonrpc_session_remote(s);
    CHECK(remote && (!strcmp(remote, "unix:/nonexistent/a")
                     || !strcmp(remote, "unix:/nonexistent/b")
                     || !strcmp(remote, "tcp:127.0.0.1:1")));
    jsonrpc_session_destroy(s);
    event_base_free(base);
}

static void
test_remote_list_starts_at_random(void)
{
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct event_base *base = event_base_new();
    int seen[3] = { 0, 0, 0 };

    options.reconnect = false;
    for (int i = 0; i < 30; i++) {
        struct jsonrpc_session *s;
        char *error;

        s = jsonrpc_session_create(base, "unix:/nonexistent/0,"
                                   "unix:/nonexistent/1,unix:/nonexistent/2",
                                   &options, NULL, NULL, &error);
        CHECK(s && !error);
        seen[jsonrpc_session_remote(s)[strlen("unix:/nonexistent/")]
             - '0']++;
        jsonrpc_session_destroy(s);
    }
    /* All 30 on one remote: a chance of 3 in 3^30 with a random start. */
    CHECK((seen[0] > 0) + (seen[1] > 0) + (seen[2] > 0) >= 2);
    event_base_free(base);
}

static void
test_remote_list_backs_off_after_full_round(void)
{
    struct event_base *base = event_base_new();
    struct jsonrpc_session *s;
    bool never = false;
    char *error;

    s = jsonrpc_session_create(base, "unix:/nonexistent/0,"
                               "unix:/nonexistent/1,unix:/nonexistent/2",
                               NULL, NULL, NULL, &error);
    CHECK(s && !error);
    /* One attempt on each remote at once, then the 1 s backoff. */
    run_until(base, &never, 500);
    CHECK(jsonrpc_session_n_attempts(s) == 3);
    /* After it, another round of three. */
    run_until(base, &never, 1000);
    CHECK(jsonrpc_session_n_attempts(s) == 6);
    jsonrpc_session_destroy(s);
    event_base_free(base);
}

static void
test_remote_list_skips_dead_members(void)
{
    struct conn_log log = { 0 };
    struct jsonrpc_session *s;
    struct server server;
    unsigned int attempts;
    bool never = false;
    char *list, *live, *error;

    server_start(&server, sock_path(0));
    live = gn_xasprintf("unix:%s", sock_path(0));
    list = gn_xasprintf("unix:/nonexistent/0,%s,unix:/nonexistent/2", live);
    s = jsonrpc_session_create(server.base, list, NULL, &conn_log_cbs, &log,
                               &error);
    CHECK(s && !error);
    /* Whichever remote comes first, the live one is reached before any
     * backoff. */
    run_until(server.base, &log.connected, 500);
    CHECK(log.connected);
    CHECK_STREQ(jsonrpc_session_remote(s), live);

    /* A connection that lasted more than 1 s drops: the next remotes are
     * tried at once, in order, round to the live one. */
    run_until(server.base, &never, 1100);
    attempts = jsonrpc_session_n_attempts(s);
    log.connected = false;
    server_drop(&server);
    run_until(server.base, &log.connected, 500);
    CHECK(log.connected && log.n_connected == 2);
    CHECK(jsonrpc_session_n_attempts(s) == attempts + 3);
    CHECK_STREQ(jsonrpc_session_remote(s), live);

    jsonrpc_session_destroy(s);
    server_stop(&server);
    free(list);
    free(live);
}

/* A server with monitor_cond_since: the history it keeps is "T1" then
 * "T2"; "T3" is the transaction made while the client was away. */
static bool since_refused;      /* Answer "unknown method" instead. */

static json_t *
since_server_respond(const char *method, const json_t *params)
{
    const char *since;

    if (!strcmp(method, "get_schema")) {
        return name_schema("Guestnet", "Network");
    } else if (!strcmp(method, "monitor_cond_since") && !since_refused) {
        since = json_string_value(json_array_get(params, 3));
        if (since && !strcmp(since, "T2")) {
            return json_loads(
                "[true, \"T3\", {\"Network\": {\"" U2 "\": "
                "{\"insert\": {\"name\": \"c\"}}}}]", 0, NULL);
        }
        return json_loads(
            "[false, \"T1\", {\"Network\": {\"" U1 "\": "
            "{\"initial\": {\"name\": \"a\"}}}}]", 0, NULL);
    } else if (!strcmp(method, "monitor_cond")) {
        return json_loads(
            "{\"Network\": {\"" U1 "\": {\"initial\": {\"name\": \"a\"}}}}",
            0, NULL);
    }
    return NULL;
}

/* Returns the "name" of row 'uuid' of Network in 'r', or NULL. */
static const char *
network_name(const struct ovsdb_replica *r, const char *uuid)
{
    return ovsdb_datum_string(ovsdb_replica_get_row(r, "Network", uuid),
                              "name");
}

/* Starts a resuming replica of Guestnet.Network on a session to 'server'. */
static struct jsonrpc_session *
start_resuming_replica(struct server *server, struct replica_log *log)
{
    static const char *const columns[] = { "name", NULL };

    memset(log, 0, sizeof *log);
    log->replica = ovsdb_replica_create("Guestnet", replica_log_changed_cb,
                                        log);
    ovsdb_replica_add_table(log->replica, "Network", columns);
    ovsdb_replica_set_resume(log->replica, true);
    return server_connect(server, NULL, &replica_log_cbs, log);
}

static void
test_replica_resumes_with_since(void)
{
    struct replica_log log;
    struct jsonrpc_session *s;
    struct server server;
    const json_t *req;
    json_t *params;

    since_refused = false;
    server_start(&server, sock_path(1));
    server.respond = since_server_respond;
    s = start_resuming_replica(&server, &log);

    /* First connect: asks from the zero id, gets everything. */
    run_until(server.base, &log.synced, 3000);
    req = server_last_request(&server, "monitor_cond_since");
    CHECK_STREQ(json_string_value(json_array_get(
                    json_object_get(req, "params"), 3)), ZERO_TXN);
    CHECK(log.synced && !log.resumed);
    CHECK(ovsdb_replica_n_full_resyncs(log.replica) == 1);
    CHECK(ovsdb_replica_n_resumes(log.replica) == 0);
    CHECK_STREQ(ovsdb_replica_last_txn_id(log.replica), "T1");
    CHECK_STREQ(network_name(log.replica, U1), "a");

    /* "update3" applies and moves the last transaction id. */
    log.changed = false;
    params = json_pack("[O, s, {s: {s: {s: {s: s}}}}]",
                       json_array_get(json_object_get(req, "params"), 1),
                       "T2", "Network", U1, "modify", "name", "b");
    server_send(&server, jsonrpc_notify("update3", params));
    run_until(server.base, &log.changed, 2000);
    CHECK_STREQ(ovsdb_replica_last_txn_id(log.replica), "T2");
    CHECK_STREQ(network_name(log.replica, U1), "b");

    /* Reconnect: asks from T2, gets only T3, keeps the rest. */
    log.synced = false;
    server_drop(&server);
    run_until(server.base, &log.synced, 3000);
    req = server_last_request(&server, "monitor_cond_since");
    CHECK_STREQ(json_string_value(json_array_get(
                    json_object_get(req, "params"), 3)), "T2");
    CHECK(log.synced && log.resumed && log.n_initial == 2);
    CHECK(ovsdb_replica_n_full_resyncs(log.replica) == 1);
    CHECK(ovsdb_replica_n_resumes(log.replica) == 1);
    CHECK_STREQ(ovsdb_replica_last_txn_id(log.replica), "T3");
    CHECK_STREQ(network_name(log.replica, U1), "b");
    CHECK_STREQ(network_name(log.replica, U2), "c");
    CHECK(server_n_received(&server, "monitor_cond") == 0);

    jsonrpc_session_destroy(s);
    ovsdb_replica_destroy(log.replica);
    server_stop(&server);
}

static void
test_replica_since_falls_back_to_monitor_cond(void)
{
    struct replica_log log;
    struct jsonrpc_session *s;
    struct server server;

    since_refused = true;
    server_start(&server, sock_path(2));
    server.respond = since_server_respond;
    s = start_resuming_replica(&server, &log);
    run_until(server.base, &log.synced, 3000);
    CHECK(log.synced && !log.resumed);
    CHECK(server_n_received(&server, "monitor_cond_since") == 1
          && server_n_received(&server, "monitor_cond") == 1);
    CHECK(ovsdb_replica_n_full_resyncs(log.replica) == 1);
    CHECK_STREQ(network_name(log.replica, U1), "a");
    jsonrpc_session_destroy(s);
    ovsdb_replica_destroy(log.replica);
    server_stop(&server);
}

/* "_Server"."Database" rows. */

/* Returns a Database row (new reference) with the given columns. */
static json_t *
db_row(const char *name, const char *model, bool connected, bool leader,
       const char *schema)
{
    return json_pack("{s:s, s:s, s:b, s:b, s:o, s:[s, s], s:[s, [[s, s]]],"
                     " s:i}",
                     "name", name, "model", model, "connected", connected,
                     "leader", leader,
                     "schema", schema ? json_string(schema)
                                      : json_loads("[\"set\", []]", 0, NULL),
                     "cid", "uuid", U1, "sid", "set", "uuid", U2,
                     "index", 42);
}

static const char guestnet_schema[] =
    "{\"name\": \"Guestnet\", \"version\": \"1.0.0\", \"tables\": {}}";

static void
test_server_db_reads_rows(void)
{
    struct ovsdb_server_db_info info;
    bool reconnect;
    json_t *row;

    ovsdb_server_db_info_init(&info);
    CHECK_ERROR(ovsdb_server_db_check("Guestnet", &info, &reconnect),
                "the server has no database Guestnet",
                "ovsdb-tool create-cluster");
    CHECK(reconnect);

    /* A clustered member connected to its cluster, a follower. */
    row = db_row("Guestnet", "clustered", true, false, guestnet_schema);
    CHECK_OK(ovsdb_server_db_parse_row(row, &info));
    CHECK(info.present && info.model == OVSDB_SERVER_DB_CLUSTERED);
    CHECK(info.connected && !info.leader && info.index == 42);
    CHECK_STREQ(info.version, "1.0.0");
    CHECK_STREQ(info.cid, U1);
    CHECK_OK(ovsdb_server_db_check("Guestnet", &info, &reconnect));
    CHECK(!reconnect);
    json_decref(row);

    /* Cut off from the cluster: not usable, go elsewhere. */
    row = db_row("Guestnet", "clustered", false, false, guestnet_schema);
    CHECK_OK(ovsdb_server_db_parse_row(row, &info));
    CHECK(!info.connected);
    CHECK_ERROR(ovsdb_server_db_check("Guestnet", &info, &reconnect),
                "not connected to the cluster", "connected=false");
    CHECK(reconnect);
    json_decref(row);

    /* A leader; standalone databases are always connected. */
    row = db_row("Guestnet", "clustered", true, true, guestnet_schema);
    CHECK_OK(ovsdb_server_db_parse_row(row, &info));
    CHECK(info.leader);
    json_decref(row);
    row = db_row("Guestnet", "standalone", false, false, guestnet_schema);
    CHECK_OK(ovsdb_server_db_parse_row(row, &info));
    CHECK(info.model == OVSDB_SERVER_DB_STANDALONE);
    CHECK_OK(ovsdb_server_db_check("Guestnet", &info, &reconnect));
    json_decref(row);

    /* A member still joining has no schema yet. */
    row = db_row("Guestnet", "clustered", true, false, NULL);
    CHECK_OK(ovsdb_server_db_parse_row(row, &info));
    CHECK(info.version == NULL);
    CHECK_ERROR(ovsdb_server_db_check("Guestnet", &info, &reconnect),
                "schema of Guestnet", "joining");
    json_decref(row);

    /* Malformed rows. */
    row = db_row("Guestnet", "clustered", true, false, "{not json");
    CHECK_ERROR(ovsdb_server_db_parse_row(row, &info), "Guestnet",
                "not JSON");
    CHECK(!info.present);
    json_decref(row);
    row = json_pack("{s:i}", "name", 3);
    CHECK_ERROR(ovsdb_server_db_parse_row(row, &info), "without a name", "");
    json_decref(row);
    ovsdb_server_db_info_destroy(&info);
}

/* A server whose "_Server" says Guestnet is clustered and connected. */
static json_t *
server_db_respond(const char *method, const json_t *params)
{
    (void) params;
    if (!strcmp(method, "get_schema")) {
        return json_loads(
            "{\"name\": \"_Server\", \"tables\": {\"Database\": {\"columns\":"
            " {\"name\": {\"type\": \"string\"},"
            " \"model\": {\"type\": \"string\"},"
            " \"connected\": {\"type\": \"boolean\"},"
            " \"leader\": {\"type\": \"boolean\"},"
            " \"schema\": {\"type\": {\"key\": \"string\", \"min\": 0}},"
            " \"cid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
            " \"sid\": {\"type\": {\"key\": \"uuid\", \"min\": 0}},"
            " \"index\": {\"type\": {\"key\": \"integer\", \"min\": 0}}}}}}",
            0, NULL);
    } else if (!strcmp(method, "monitor_cond")) {
        json_t *row = db_row("Guestnet", "clustered", true, true,
                             guestnet_schema);

        return json_pack("{s:{s:{s:o}}}", "Database", U1, "initial", row);
    }
    return NULL;
}

struct sdb_log {
    struct ovsdb_server_db *sdb;
    int n_changes;
    bool ready;
    bool changed;
};

static void
sdb_log_changed_cb(struct ovsdb_server_db *sdb, void *log_)
{
    struct sdb_log *log = log_;

    log->n_changes++;
    log->changed = true;
    log->ready = ovsdb_server_db_is_ready(sdb);
}

static void
sdb_log_connected_cb(struct jsonrpc_session *s, void *log_)
{
    struct sdb_log *log = log_;

    ovsdb_server_db_monitor(log->sdb, s);
}

static void
sdb_log_notify_cb(struct jsonrpc_session *s, const json_t *msg, void *log_)
{
    struct sdb_log *log = log_;

    ovsdb_server_db_handle_notify(log->sdb, msg);
}

static void
sdb_log_disconnected_cb(struct jsonrpc_session *s, const char *reason,
                        void *log_)
{
    struct sdb_log *log = log_;

    ovsdb_server_db_disconnected(log->sdb);
}

static void
test_server_db_reconnects_when_cut_off(void)
{
    static const struct jsonrpc_session_cbs cbs = {
        sdb_log_connected_cb, sdb_log_disconnected_cb, sdb_log_notify_cb,
    };
    struct sdb_log log = { 0 };
    const struct ovsdb_server_db_info *info;
    struct jsonrpc_session *s;
    struct server server;
    const json_t *req;

    server_start(&server, sock_path(3));
    server.respond = server_db_respond;
    log.sdb = ovsdb_server_db_create("Guestnet", sdb_log_changed_cb, &log);
    s = server_connect(&server, NULL, &cbs, &log);
    run_until(server.base, &log.ready, 3000);
    CHECK(log.ready && ovsdb_server_db_is_ready(log.sdb));
    CHECK(ovsdb_server_db_error(log.sdb) == NULL);
    info = ovsdb_server_db_info(log.sdb);
    CHECK(info->model == OVSDB_SERVER_DB_CLUSTERED && info->leader);
    CHECK_STREQ(info->version, "1.0.0");

    /* The member loses the cluster: not ready, and the session goes. */
    req = server_last_request(&server, "monitor_cond");
    log.changed = false;
    server_send(&server, jsonrpc_notify("update2", json_pack(
        "[O, {s:{s:{s:{s:b}}}}]",
        json_array_get(json_object_get(req, "params"), 1),
        "Database", U1, "modify", "connected", false)));
    run_until(server.base, &log.changed, 2000);
    CHECK(!log.ready && !ovsdb_server_db_is_ready(log.sdb));
    CHECK(ovsdb_server_db_error(log.sdb)
          && strstr(ovsdb_server_db_error(log.sdb), "connected=false"));
    CHECK(ovsdb_server_db_n_reconnects(log.sdb) == 1);
    CHECK(!jsonrpc_session_is_connected(s));

    /* Back on a connected member (the same server here): ready again. */
    run_until(server.base, &log.ready, 3000);
    CHECK(log.ready && jsonrpc_session_n_connects(s) == 2);

    jsonrpc_session_destroy(s);
    ovsdb_server_db_destroy(log.sdb);
    server_stop(&server);
}

int
main(void)
{
    TEST_RUN("jsonrpc-session/remote-list-parsing",
             test_remote_list_parsing);
    TEST_RUN("jsonrpc-session/remote-list-starts-at-random",
             test_remote_list_starts_at_random);
    TEST_RUN("jsonrpc-session/remote-list-backs-off-after-full-round",
             test_remote_list_backs_off_after_full_round);
    TEST_RUN("jsonrpc-session/remote-list-skips-dead-members",
             test_remote_list_skips_dead_members);
    TEST_RUN("ovsdb-replica/resumes-with-monitor-cond-since",
             test_replica_resumes_with_since);
    TEST_RUN("ovsdb-replica/since-falls-back-to-monitor-cond",
             test_replica_since_falls_back_to_monitor_cond);
    TEST_RUN("ovsdb-server-db/reads-database-rows",
             test_server_db_reads_rows);
    TEST_RUN("ovsdb-server-db/reconnects-when-cut-off",
             test_server_db_reconnects_when_cut_off);
    return test_done();
}
