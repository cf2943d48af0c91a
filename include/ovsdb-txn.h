/* ovsdb-txn.h: OVSDB transactions (RFC 7047 "transact"), built from
 * operations, sent on a jsonrpc_session, and their results decoded.
 *
 *     struct ovsdb_txn *txn = ovsdb_txn_create("Open_vSwitch");
 *     const char *port = ovsdb_txn_insert(txn, "Port", row);   // named uuid
 *     ovsdb_txn_mutate(txn, "Bridge", where, mutations);
 *     ovsdb_txn_wait(txn, "Port", where, columns, "==", rows, 0);
 *     ovsdb_txn_increment_next_cfg(txn);   // to wait for ovs-vswitchd
 *     ovsdb_txn_commit(txn, session, done_cb, aux);   // takes ownership
 *
 * Building is pure (ovsdb_txn_params() gives the JSON), so tests check
 * transactions without a server.  Results: the callback gets a decoded
 * status: OK, or the first operation error ("constraint violation",
 * "timed out" for a failed wait, ...) with the op index, or a connection
 * error.  A transaction whose connection dropped before the reply came may
 * or may not have been applied: callers re-read the replica and retry only
 * what is missing (guestnet makes every transaction idempotent with "wait"
 * ops or by checking the replica), so nothing is applied twice.
 *
 * Thread-safety: one thread. */
#ifndef GN_OVSDB_TXN_H
#define GN_OVSDB_TXN_H 1

#include <jansson.h>
#include <stdbool.h>

struct jsonrpc_session;
struct ovsdb_txn;

enum ovsdb_txn_status {
    OVSDB_TXN_SUCCESS,
    OVSDB_TXN_OP_ERROR,       /* An operation failed; see 'error'. */
    OVSDB_TXN_DISCONNECTED,   /* Outcome unknown: connection dropped. */
    OVSDB_TXN_BAD_REPLY,
};

struct ovsdb_txn_result {
    enum ovsdb_txn_status status;
    const char *error;         /* Human-readable; NULL on success. */
    int failed_op;             /* Index of the failing op, or -1. */
    const json_t *results;     /* The reply's result array (borrowed). */
    json_int_t next_cfg;       /* After ovsdb_txn_increment_next_cfg(),
                                * the new value, else -1. */
};

typedef void ovsdb_txn_done_cb(struct ovsdb_txn *,
                               const struct ovsdb_txn_result *, void *aux);

struct ovsdb_txn *ovsdb_txn_create(const char *db);
void ovsdb_txn_destroy(struct ovsdb_txn *);

/* Operations.  JSON arguments are stolen.  'where' is an array of
 * conditions ([["_uuid", "==", ["uuid", U]]]) or NULL for all rows. */
/* Inserts 'row' and returns the named-uuid (borrowed, valid for the life
 * of the txn) that other ops use as ["named-uuid", NAME]. */
const char *ovsdb_txn_insert(struct ovsdb_txn *, const char *table,
                             json_t *row);
void ovsdb_txn_update(struct ovsdb_txn *, const char *table, json_t *where,
                      json_t *row);
void ovsdb_txn_mutate(struct ovsdb_txn *, const char *table, json_t *where,
                      json_t *mutations);
void ovsdb_txn_delete(struct ovsdb_txn *, const char *table, json_t *where);
/* "wait": 'until' is "==" or "!="; 'timeout_ms' 0 fails at once. */
void ovsdb_txn_wait(struct ovsdb_txn *, const char *table, json_t *where,
                    json_t *columns, const char *until, json_t *rows,
                    int timeout_ms);
/* "select" of 'columns' (an array); the rows are in the op's result. */
void ovsdb_txn_select(struct ovsdb_txn *, const char *table, json_t *where,
                      json_t *columns);
void ovsdb_txn_comment(struct ovsdb_txn *, const char *comment);
/* Adds the ops ovs-vsctl uses to make ovs-vswitchd report back: mutate
 * Open_vSwitch next_cfg += 1 and select it. */
void ovsdb_txn_increment_next_cfg(struct ovsdb_txn *);
/* Number of operations so far (callers need not commit a txn with 0). */
int ovsdb_txn_n_ops(const struct ovsdb_txn *);

/* The "transact" params: [db, op...] (borrowed). */
const json_t *ovsdb_txn_params(const struct ovsdb_txn *);

/* Sends the transaction and takes ownership of 'txn': it is freed after
 * 'cb' returns. */
void ovsdb_txn_commit(struct ovsdb_txn *, struct jsonrpc_session *,
                      ovsdb_txn_done_cb *cb, void *aux);

/* Decodes a transact reply (borrowed) for 'txn' into 'result'; pure, for
 * tests.  'result->error' (the error and its "details") is owned by 'txn':
 * valid until the txn is destroyed or decodes another reply. */
void ovsdb_txn_decode_reply(struct ovsdb_txn *, const json_t *reply,
                            struct ovsdb_txn_result *result);

/* Condition helper: [["_uuid", "==", ["uuid", UUID]]] (new reference). */
json_t *ovsdb_where_uuid(const char *uuid);
/* [[COLUMN, "==", VALUE]] with VALUE stolen (new reference). */
json_t *ovsdb_where_eq(const char *column, json_t *value);

#endif /* ovsdb-txn.h */
