/* ovsdb-txn.c: OVSDB "transact" requests (see include/ovsdb-txn.h).
 *
 * Owns a transaction's operations (the JSON params [db, op...]), the
 * named-uuids it hands out, and the decoding of the reply into a status and
 * a message. */
#include <config.h>

#include "ovsdb-txn.h"

#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "jsonrpc-session.h"
#include "jsonrpc.h"

struct ovsdb_txn {
    json_t *params;             /* [db, op...]. */
    int next_cfg_op;            /* Index of the next_cfg "select", or -1. */
    char *error;                /* Message of the last decoded error. */
    ovsdb_txn_done_cb *cb;      /* Set by ovsdb_txn_commit(). */
    void *aux;
};

/* Returns a new, empty transaction on database 'db'.  Caller frees it with
 * ovsdb_txn_destroy() or hands it to ovsdb_txn_commit(). */
struct ovsdb_txn *
ovsdb_txn_create(const char *db)
{
    struct ovsdb_txn *txn = gn_xzalloc(sizeof *txn);

    txn->params = json_pack("[s]", db);
    txn->next_cfg_op = -1;
    return txn;
}

/* Frees 'txn' (accepts NULL). */
void
ovsdb_txn_destroy(struct ovsdb_txn *txn)
{
    if (txn) {
        json_decref(txn->params);
        free(txn->error);
        free(txn);
    }
}

/* Appends the operation 'op' (stolen). */
static void
ovsdb_txn_add_op__(struct ovsdb_txn *txn, json_t *op)
{
    json_array_append_new(txn->params, op);
}

/* Appends an "insert" of 'row' (stolen) into 'table' and returns its
 * named-uuid (borrowed, lives as long as 'txn').  Names are unique within
 * the process, so ops of different transactions never clash. */
const char *
ovsdb_txn_insert(struct ovsdb_txn *txn, const char *table, json_t *row)
{
    static unsigned long long serial;
    json_t *name = json_sprintf("row%llu", ++serial);
    json_t *op = json_pack("{s:s, s:s, s:o, s:o}", "op", "insert",
                           "table", table, "row", row ? row : json_object(),
                           "uuid-name", name);

    ovsdb_txn_add_op__(txn, op);
    return json_string_value(name);
}

/* Appends an op 'op' ("update" or "mutate") of the rows of 'table'
 * matching 'where' (stolen; NULL for all rows) whose member 'key' ("row"
 * or "mutations") is 'value' (stolen). */
static void
ovsdb_txn_change__(struct ovsdb_txn *txn, const char *op, const char *table,
                   json_t *where, const char *key, json_t *value)
{
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:s, s:o, s:o}", "op", op,
                                      "table", table,
                                      "where", where ? where : json_array(),
                                      key, value));
}

/* Appends an "update" of the rows of 'table' matching 'where' (stolen; NULL
 * for all rows) with the columns in 'row' (stolen). */
void
ovsdb_txn_update(struct ovsdb_txn *txn, const char *table, json_t *where,
                 json_t *row)
{
    ovsdb_txn_change__(txn, "update", table, where, "row", row);
}

/* Appends a "mutate" of the rows of 'table' matching 'where' (stolen; NULL
 * for all) with 'mutations' (stolen: [[column, mutator, value]...]). */
void
ovsdb_txn_mutate(struct ovsdb_txn *txn, const char *table, json_t *where,
                 json_t *mutations)
{
    ovsdb_txn_change__(txn, "mutate", table, where, "mutations", mutations);
}

/* Appends a "delete" of the rows of 'table' matching 'where' (stolen; NULL
 * for all). */
void
ovsdb_txn_delete(struct ovsdb_txn *txn, const char *table, json_t *where)
{
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:s, s:o}", "op", "delete",
                                      "table", table,
                                      "where", where ? where : json_array()));
}

/* Appends a "wait" until the 'columns' (stolen array) of the rows of 'table'
 * matching 'where' (stolen; NULL for all) are ("==") or are not ("!=")
 * exactly 'rows' (stolen array), for at most 'timeout_ms'. */
void
ovsdb_txn_wait(struct ovsdb_txn *txn, const char *table, json_t *where,
               json_t *columns, const char *until, json_t *rows,
               int timeout_ms)
{
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:i, s:s, s:o, s:o, s:s, s:o}",
                                      "op", "wait", "timeout", timeout_ms,
                                      "table", table,
                                      "where", where ? where : json_array(),
                                      "columns", columns, "until", until,
                                      "rows", rows));
}

/* Appends a "select" of the 'columns' (stolen array) of the rows of
 * 'table' matching 'where' (stolen; NULL for all). */
void
ovsdb_txn_select(struct ovsdb_txn *txn, const char *table, json_t *where,
                 json_t *columns)
{
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:s, s:o, s:o}",
                                      "op", "select", "table", table,
                                      "where", where ? where : json_array(),
                                      "columns", columns));
}

/* Appends a "comment" (shown in ovsdb-server's log); 'comment' is
 * copied. */
void
ovsdb_txn_comment(struct ovsdb_txn *txn, const char *comment)
{
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:s}", "op", "comment",
                                      "comment", comment));
}

/* Appends the ops that bump Open_vSwitch's next_cfg and read it back, as
 * ovs-vsctl does; the decoded result carries the new value. */
void
ovsdb_txn_increment_next_cfg(struct ovsdb_txn *txn)
{
    ovsdb_txn_mutate(txn, "Open_vSwitch", NULL,
                     json_pack("[[s, s, i]]", "next_cfg", "+=", 1));
    txn->next_cfg_op = ovsdb_txn_n_ops(txn);
    ovsdb_txn_add_op__(txn, json_pack("{s:s, s:s, s:[], s:[s]}",
                                      "op", "select", "table", "Open_vSwitch",
                                      "where", "columns", "next_cfg"));
}

/* Returns the number of operations in 'txn'. */
int
ovsdb_txn_n_ops(const struct ovsdb_txn *txn)
{
    return json_array_size(txn->params) - 1;
}

/* Returns the "transact" params [db, op...] (borrowed). */
const json_t *
ovsdb_txn_params(const struct ovsdb_txn *txn)
{
    return txn->params;
}

/* Fills 'result' with 'status' and an error message built from 'fmt'
 * (owned by 'txn'). */
static void GN_PRINTF(4, 5)
ovsdb_txn_fail__(struct ovsdb_txn *txn, struct ovsdb_txn_result *result,
                 enum ovsdb_txn_status status, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    free(txn->error);
    txn->error = gn_xvasprintf(fmt, args);
    va_end(args);
    result->status = status;
    result->error = txn->error;
}

/* Formats the OVSDB error object 'error' (borrowed: {"error": E,
 * "details": D}, or a bare string from the JSON-RPC layer) into 'result'
 * as "E: D" with status OP_ERROR. */
static void
ovsdb_txn_fail_with__(struct ovsdb_txn *txn, struct ovsdb_txn_result *result,
                      const json_t *error, const char *where)
{
    const char *name = json_is_string(error) ? json_string_value(error)
        : json_string_value(json_object_get(error, "error"));
    const char *details = json_string_value(json_object_get(error,
                                                            "details"));
    char *text = NULL;

    if (!name) {
        text = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);
    }
    ovsdb_txn_fail__(txn, result, OVSDB_TXN_OP_ERROR, "%s%s%s%s%s", where,
                     name ? name : text ? text : "unknown error",
                     details ? " (" : "", details ? details : "",
                     details ? ")" : "");
    free(text);
}

/* Decodes 'reply' (borrowed) for 'txn' into 'result' (see ovsdb-txn.h). */
void
ovsdb_txn_decode_reply(struct ovsdb_txn *txn, const json_t *reply,
                       struct ovsdb_txn_result *result)
{
    int n_ops = ovsdb_txn_n_ops(txn);
    const json_t *results, *r;
    size_t i;

    memset(result, 0, sizeof *result);
    result->failed_op = -1;
    result->next_cfg = -1;

    switch (jsonrpc_msg_type(reply)) {
    case JSONRPC_ERROR:
        ovsdb_txn_fail_with__(txn, result, json_object_get(reply, "error"),
                              "transaction rejected: ");
        return;
    case JSONRPC_REPLY:
        break;
    case JSONRPC_REQUEST:
    case JSONRPC_NOTIFY:
    case JSONRPC_INVALID:
        ovsdb_txn_fail__(txn, result, OVSDB_TXN_BAD_REPLY,
                         "not a JSON-RPC reply");
        return;
    }

    results = json_object_get(reply, "result");
    if (!json_is_array(results) || json_array_size(results) < n_ops
        || json_array_size(results) > n_ops + 1) {
        ovsdb_txn_fail__(txn, result, OVSDB_TXN_BAD_REPLY,
                         "result is not an array of %d or %d elements",
                         n_ops, n_ops + 1);
        return;
    }
    result->results = results;

    /* RFC 7047 4.1.3: one result per op; an op error stops the ops after
     * it (their results are null); an error in committing the whole
     * transaction (a constraint) comes as one more element. */
    json_array_foreach (results, i, r) {
        if (json_object_get(r, "error")) {
            char where[64];

            if (i < n_ops) {
                snprintf(where, sizeof where, "operation %zu: ", i);
            } else {
                where[0] = '\0';
            }
            ovsdb_txn_fail_with__(txn, result, r, where);
            result->failed_op = i < n_ops ? (int) i : -1;
            return;
        }
        if (i >= n_ops || !json_is_object(r)) {
            ovsdb_txn_fail__(txn, result, OVSDB_TXN_BAD_REPLY,
                             "bad result for operation %zu", i);
            return;
        }
    }

    if (txn->next_cfg_op >= 0) {
        const json_t *rows = json_object_get(
            json_array_get(results, txn->next_cfg_op), "rows");
        const json_t *v = json_object_get(json_array_get(rows, 0),
                                          "next_cfg");

        if (!json_is_integer(v)) {
            ovsdb_txn_fail__(txn, result, OVSDB_TXN_BAD_REPLY,
                             "no next_cfg in the reply");
            return;
        }
        result->next_cfg = json_integer_value(v);
    }
    result->status = OVSDB_TXN_SUCCESS;
}

/* Called with the reply to "transact": decodes it, calls the user back and
 * frees the txn. */
static void
ovsdb_txn_reply_cb(struct jsonrpc_session *session, const json_t *reply,
                   const char *error, void *txn_)
{
    struct ovsdb_txn *txn = txn_;
    struct ovsdb_txn_result result;

    if (reply) {
        ovsdb_txn_decode_reply(txn, reply, &result);
    } else {
        memset(&result, 0, sizeof result);
        result.failed_op = -1;
        result.next_cfg = -1;
        ovsdb_txn_fail__(txn, &result, OVSDB_TXN_DISCONNECTED, "%s", error);
    }
    txn->cb(txn, &result, txn->aux);
    ovsdb_txn_destroy(txn);
}

/* Sends 'txn' on 'session' and takes ownership of it; 'cb' runs once, from
 * the event loop, with the outcome, and then 'txn' is freed. */
void
ovsdb_txn_commit(struct ovsdb_txn *txn, struct jsonrpc_session *session,
                 ovsdb_txn_done_cb *cb, void *aux)
{
    txn->cb = cb;
    txn->aux = aux;
    jsonrpc_session_request(session, "transact", json_incref(txn->params),
                            ovsdb_txn_reply_cb, txn);
}

/* Returns [["_uuid", "==", ["uuid", 'uuid']]] (new reference). */
json_t *
ovsdb_where_uuid(const char *uuid)
{
    return ovsdb_where_eq("_uuid", json_pack("[s, s]", "uuid", uuid));
}

/* Returns [['column', "==", 'value']] (new reference; steals 'value'). */
json_t *
ovsdb_where_eq(const char *column, json_t *value)
{
    return json_pack("[[s, s, o]]", column, "==", value);
}
