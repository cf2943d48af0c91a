/* ovsdb-replica-monitor.c: the requests that keep a replica current on a
 * jsonrpc_session (see include/ovsdb-replica.h).
 *
 * Owns the choice of monitor method ("monitor_cond_since" when resuming is
 * on, else "monitor_cond", else "monitor", falling back as the server
 * refuses them), the replies to "get_schema" and the monitor request, the
 * "update"/"update2"/"update3" notifications, the last transaction id and
 * the resync and resume counters.  Applying rows is ovsdb/ovsdb-replica.c's
 * ovsdb_replica_apply_update(). */
#include <config.h>

#include "ovsdb-replica.h"
#include "ovsdb-replica-private.h"

#include <stdlib.h>
#include <string.h>

#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "jsonrpc.h"

GN_LOG_MODULE(ovsdb_replica);

static void ovsdb_replica_reply_cb(struct jsonrpc_session *,
                                   const json_t *reply, const char *error,
                                   void *request_);

/* Sends a request of 'type' with 'params' (stolen) for the current
 * generation of 'r'. */
static void
ovsdb_replica_send__(struct ovsdb_replica *r,
                     enum ovsdb_replica_request_type type, const char *method,
                     json_t *params)
{
    struct ovsdb_replica_request *req = gn_xmalloc(sizeof *req);

    req->anchor = r->anchor;
    req->anchor->refcnt++;
    req->type = type;
    req->gen = r->gen;
    jsonrpc_session_request(r->session, method, params,
                            ovsdb_replica_reply_cb, req);
}

/* The transaction id that asks monitor_cond_since for everything. */
#define OVSDB_REPLICA_ZERO_TXN_ID "00000000-0000-0000-0000-000000000000"

/* Sends "monitor_cond_since" (when resuming is on and the server has not
 * refused it), "monitor_cond" or "monitor" for the tables of 'r' with a
 * fresh monitor id. */
static void
ovsdb_replica_send_monitor__(struct ovsdb_replica *r)
{
    static unsigned long long serial;
    json_t *requests = json_object();
    const char *table;
    json_t *columns;

    json_object_foreach (r->columns, table, columns) {
        json_object_set_new(requests, table,
                            json_pack("{s:O}", "columns", columns));
    }
    json_decref(r->monitor_id);
    r->monitor_id = json_sprintf("guestnet-%s-%llu", r->db, ++serial);
    if (r->resume && r->use_since && r->use_monitor_cond) {
        ovsdb_replica_send__(r, OVSDB_REPLICA_MONITOR_SINCE,
                             "monitor_cond_since",
                             json_pack("[s, O, o, s]", r->db, r->monitor_id,
                                       requests,
                                       r->last_txn_id ? r->last_txn_id
                                       : OVSDB_REPLICA_ZERO_TXN_ID));
        return;
    }
    ovsdb_replica_send__(r, OVSDB_REPLICA_MONITOR,
                         r->use_monitor_cond ? "monitor_cond" : "monitor",
                         json_pack("[s, O, o]", r->db, r->monitor_id,
                                   requests));
}

/* Sends "get_schema" and the monitor request on 'session' (see
 * ovsdb-replica.h).  'session' is kept; it must outlive 'r' or be followed
 * by another call with a new one. */
void
ovsdb_replica_monitor(struct ovsdb_replica *r,
                      struct jsonrpc_session *session)
{
    r->session = session;
    r->gen++;
    r->synced = false;
    ovsdb_replica_send__(r, OVSDB_REPLICA_GET_SCHEMA, "get_schema",
                         json_pack("[s]", r->db));
    ovsdb_replica_send_monitor__(r);
}

/* Monitors again on the same session, forgetting the last transaction id:
 * the next contents replace everything. */
static void
ovsdb_replica_resync__(struct ovsdb_replica *r)
{
    free(r->last_txn_id);
    r->last_txn_id = NULL;
    ovsdb_replica_monitor(r, r->session);
}

/* Turns resuming with "monitor_cond_since" on or off (see
 * ovsdb-replica.h).  Takes effect at the next monitor request. */
void
ovsdb_replica_set_resume(struct ovsdb_replica *r, bool resume)
{
    r->resume = resume;
}

/* Stores 'txn_id' (borrowed; NULL or not a string keeps nothing) as the
 * last transaction id of 'r'. */
static void
ovsdb_replica_set_txn_id__(struct ovsdb_replica *r, const json_t *txn_id)
{
    free(r->last_txn_id);
    r->last_txn_id = json_is_string(txn_id)
                     ? gn_xstrdup(json_string_value(txn_id)) : NULL;
}

/* Applies 'result' (borrowed), the result of "monitor_cond_since" (see
 * ovsdb-replica.h).  On error 'r' is left as it was. */
char *
ovsdb_replica_apply_since_reply(struct ovsdb_replica *r,
                                const json_t *result)
{
    const json_t *found = json_array_get(result, 0);
    const json_t *txn_id = json_array_get(result, 1);
    bool resumed;
    char *error;

    if (json_array_size(result) != 3 || !json_is_boolean(found)
        || !json_is_string(txn_id)) {
        return gn_xstrdup("monitor_cond_since: expected a result "
                          "[found, last-txn-id, table-updates2]");
    }
    resumed = json_is_true(found);
    error = ovsdb_replica_apply_update(r, json_array_get(result, 2), true,
                                       !resumed);
    if (error) {
        return error;
    }
    ovsdb_replica_set_txn_id__(r, txn_id);
    r->resumed = resumed;
    if (resumed) {
        r->n_resumes++;
    } else {
        r->n_full_resyncs++;
    }
    return NULL;
}

/* Returns true if the error reply 'reply' (borrowed) says the server does
 * not know the method: "unknown method" as a string or an error object. */
static bool
ovsdb_replica_is_unknown_method(const json_t *reply)
{
    const json_t *error = json_object_get(reply, "error");
    const char *s = json_is_object(error)
                    ? json_string_value(json_object_get(error, "error"))
                    : json_string_value(error);

    return s && !strcmp(s, "unknown method");
}

/* Handles the reply to a "get_schema" or monitor request. */
static void
ovsdb_replica_reply_cb(struct jsonrpc_session *session, const json_t *reply,
                       const char *error, void *request_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    struct ovsdb_replica_request *req = request_;
    struct ovsdb_replica *r = req->anchor->replica;
    enum ovsdb_replica_request_type type = req->type;
    bool current = r && req->gen == r->gen;
    char *apply_error;

    ovsdb_replica_anchor_unref(req->anchor);
    free(req);
    if (!current || !reply) {
        /* Stale, or the connection dropped: the next connect resends. */
        return;
    }
    if (jsonrpc_msg_type(reply) == JSONRPC_ERROR) {
        if (type == OVSDB_REPLICA_MONITOR_SINCE
            && ovsdb_replica_is_unknown_method(reply)) {
            GN_LOG_INFO("%s: server lacks monitor_cond_since, using "
                        "monitor_cond", jsonrpc_session_remote(session));
            r->use_since = false;
            ovsdb_replica_send_monitor__(r);
            return;
        }
        if (type == OVSDB_REPLICA_MONITOR && r->use_monitor_cond
            && ovsdb_replica_is_unknown_method(reply)) {
            GN_LOG_INFO("%s: server lacks monitor_cond, using monitor",
                        jsonrpc_session_remote(session));
            r->use_monitor_cond = false;
            ovsdb_replica_send_monitor__(r);
            return;
        }
        apply_error = json_dumps(json_object_get(reply, "error"),
                                 JSON_COMPACT | JSON_ENCODE_ANY);
        GN_LOG_WARN_RL(&rl, "%s: %s failed: %s (reconnecting)",
                       jsonrpc_session_remote(session),
                       type == OVSDB_REPLICA_GET_SCHEMA ? "get_schema"
                       : "monitor", apply_error);
        free(apply_error);
        /* Without a replica nothing can proceed: start over (the session
         * backs off, so a server that keeps refusing is not hammered). */
        jsonrpc_session_force_reconnect(session);
        return;
    }
    if (type == OVSDB_REPLICA_GET_SCHEMA) {
        apply_error = ovsdb_replica_set_schema(
            r, json_object_get(reply, "result"));
    } else if (type == OVSDB_REPLICA_MONITOR_SINCE) {
        apply_error = ovsdb_replica_apply_since_reply(
            r, json_object_get(reply, "result"));
    } else {
        apply_error = ovsdb_replica_apply_update(
            r, json_object_get(reply, "result"), r->use_monitor_cond, true);
        if (!apply_error) {
            r->resumed = false;
            r->n_full_resyncs++;
        }
    }
    if (apply_error) {
        GN_LOG_WARN_RL(&rl, "%s: %s (reconnecting)",
                       jsonrpc_session_remote(session), apply_error);
        free(apply_error);
        jsonrpc_session_force_reconnect(session);
        return;
    }
    if (type != OVSDB_REPLICA_GET_SCHEMA) {
        r->synced = true;
        GN_LOG_INFO("%s: replica of %s %s (seqno %llu)",
                    jsonrpc_session_remote(session), r->db,
                    r->resumed ? "resumed" : "synced", r->seqno);
        if (r->cb) {
            r->cb(r, true, r->aux);
        }
    }
}

/* Feeds the notification 'msg' (borrowed); see ovsdb-replica.h.  An update
 * that does not apply makes the replica resync with a new monitor. */
bool
ovsdb_replica_handle_notify(struct ovsdb_replica *r, const json_t *msg)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    const char *method = json_string_value(json_object_get(msg, "method"));
    const json_t *params = json_object_get(msg, "params");
    bool update2, update3;
    char *error;

    if (!method || !r->monitor_id || !r->session
        || !json_equal(json_array_get(params, 0), r->monitor_id)) {
        return false;
    }
    if (!strcmp(method, "monitor_canceled")) {
        GN_LOG_INFO("%s: monitor canceled by the server, resyncing",
                    jsonrpc_session_remote(r->session));
        ovsdb_replica_resync__(r);
        return true;
    }
    update3 = !strcmp(method, "update3");
    update2 = update3 || !strcmp(method, "update2");
    if (!update2 && strcmp(method, "update")) {
        return false;
    }
    /* update3: [monitor-id, last-txn-id, table-updates2]. */
    error = ovsdb_replica_apply_update(r, json_array_get(params,
                                                         update3 ? 2 : 1),
                                       update2, false);
    if (!error && update3 && !json_is_string(json_array_get(params, 1))) {
        error = gn_xstrdup("last-txn-id is not a string");
    }
    if (error) {
        GN_LOG_WARN_RL(&rl, "%s: bad %s, resyncing: %s",
                       jsonrpc_session_remote(r->session), method, error);
        free(error);
        ovsdb_replica_resync__(r);
        return true;
    }
    if (update3) {
        ovsdb_replica_set_txn_id__(r, json_array_get(params, 1));
    }
    if (r->cb) {
        r->cb(r, false, r->aux);
    }
    return true;
}

/* Marks 'r' not synced; replies still in flight are ignored. */
void
ovsdb_replica_disconnected(struct ovsdb_replica *r)
{
    r->synced = false;
    r->gen++;
    json_decref(r->monitor_id);
    r->monitor_id = NULL;
}

/* Returns true if the latest sync of 'r' resumed from its last
 * transaction id instead of replacing everything. */
bool
ovsdb_replica_resumed(const struct ovsdb_replica *r)
{
    return r->resumed;
}

/* Returns how many times 'r' replaced its whole contents with a monitor
 * reply. */
unsigned long long
ovsdb_replica_n_full_resyncs(const struct ovsdb_replica *r)
{
    return r->n_full_resyncs;
}

/* Returns how many monitor_cond_since replies 'r' applied as a resume. */
unsigned long long
ovsdb_replica_n_resumes(const struct ovsdb_replica *r)
{
    return r->n_resumes;
}

/* Returns the id of the last transaction 'r' saw (borrowed, valid until
 * the next update), or NULL if none is known. */
const char *
ovsdb_replica_last_txn_id(const struct ovsdb_replica *r)
{
    return r->last_txn_id;
}
