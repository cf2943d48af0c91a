/* ovsdb-server-db.c: a database's state as its ovsdb-server reports it in
 * "_Server" (see include/ovsdb-server-db.h).
 *
 * Owns a replica of "_Server"."Database", the info of the followed
 * database's row, the readiness verdict with its reason, and the forced
 * reconnects.  The replica does the monitoring; this file reads the row,
 * applies the policy, and tells the consumer when the verdict changes. */
#include <config.h>

#include "ovsdb-server-db.h"

#include <stdlib.h>
#include <string.h>

#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "ovsdb-replica.h"

GN_LOG_MODULE(ovsdb_server_db);

struct ovsdb_server_db {
    char *db;
    ovsdb_server_db_changed_cb *cb;
    void *aux;

    struct ovsdb_replica *replica;      /* Of "_Server"."Database". */
    struct jsonrpc_session *session;
    struct ovsdb_server_db_info info;
    bool ready;
    char *error;                /* Why not ready, or NULL. */
    bool reconnect_requested;   /* On the current connection. */
    unsigned int n_reconnects;
};

static const char *const ovsdb_server_db_columns[] = {
    "name", "model", "connected", "leader", "schema", "cid", "sid", "index",
    NULL
};

/* Initialises 'info' to "no such database". */
void
ovsdb_server_db_info_init(struct ovsdb_server_db_info *info)
{
    memset(info, 0, sizeof *info);
    info->index = -1;
}

/* Frees the strings of 'info' (accepts NULL). */
void
ovsdb_server_db_info_destroy(struct ovsdb_server_db_info *info)
{
    if (info) {
        free(info->version);
        free(info->cid);
    }
}

/* Returns the name of 'model' as _Server spells it. */
const char *
ovsdb_server_db_model_name(enum ovsdb_server_db_model model)
{
    switch (model) {
    case OVSDB_SERVER_DB_STANDALONE:
        return "standalone";
    case OVSDB_SERVER_DB_CLUSTERED:
        return "clustered";
    case OVSDB_SERVER_DB_RELAY:
        return "relay";
    case OVSDB_SERVER_DB_OTHER:
    default:
        return "other";
    }
}

/* Returns the value of the boolean column 'column' of 'row' (borrowed):
 * true, false, or 'dflt' if absent or not a boolean. */
static bool
ovsdb_server_db_bool__(const json_t *row, const char *column, bool dflt)
{
    const json_t *v = json_object_get(row, column);

    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* Fills 'info' from the "_Server"."Database" row 'row' (see
 * ovsdb-server-db.h).  On error 'info' holds "no such database". */
char *
ovsdb_server_db_parse_row(const json_t *row, struct ovsdb_server_db_info *info)
{
    const char *model = ovsdb_datum_string(row, "model");
    const char *schema = ovsdb_datum_string(row, "schema");
    const char *cid = ovsdb_datum_first_uuid(row, "cid");
    json_int_t index;

    ovsdb_server_db_info_destroy(info);
    ovsdb_server_db_info_init(info);
    if (!json_is_object(row) || !ovsdb_datum_string(row, "name")) {
        return gn_xstrdup("_Server Database row without a name");
    }
    if (!model) {
        return gn_xasprintf("_Server Database row %s without a model",
                            ovsdb_datum_string(row, "name"));
    }
    info->present = true;
    info->model = !strcmp(model, "standalone") ? OVSDB_SERVER_DB_STANDALONE
                  : !strcmp(model, "clustered") ? OVSDB_SERVER_DB_CLUSTERED
                  : !strcmp(model, "relay") ? OVSDB_SERVER_DB_RELAY
                  : OVSDB_SERVER_DB_OTHER;
    info->connected = ovsdb_server_db_bool__(row, "connected", true);
    info->leader = ovsdb_server_db_bool__(row, "leader", false);
    if (schema && *schema) {
        json_t *json = json_loads(schema, 0, NULL);
        const char *version = json_string_value(json_object_get(json,
                                                                "version"));

        if (!json) {
            ovsdb_server_db_info_init(info);
            return gn_xasprintf("_Server Database row %s: the schema is not "
                                "JSON", ovsdb_datum_string(row, "name"));
        }
        /* A schema without a version still counts as known. */
        info->version = gn_xstrdup(version ? version : "");
        json_decref(json);
    }
    info->cid = cid ? gn_xstrdup(cid) : NULL;
    if (ovsdb_datum_integer(row, "index", &index)) {
        info->index = index;
    }
    return NULL;
}

/* Applies the policy to 'info' about 'db' (see ovsdb-server-db.h). */
char *
ovsdb_server_db_check(const char *db, const struct ovsdb_server_db_info *info,
                      bool *reconnect)
{
    *reconnect = true;
    if (!info->present) {
        return gn_xasprintf("the server has no database %s: create it with "
                            "ovsdb-tool create-cluster DB.db SCHEMA "
                            "unix:RAFT.sock (or join-cluster on the other "
                            "members) and serve it with ovsdb-server", db);
    }
    if (info->model == OVSDB_SERVER_DB_CLUSTERED && !info->connected) {
        return gn_xasprintf("this member is not connected to the cluster "
                            "of %s (connected=false): trying another", db);
    }
    if (!info->version) {
        return gn_xasprintf("the server does not know the schema of %s yet "
                            "(a member still joining its cluster?)", db);
    }
    *reconnect = false;
    return NULL;
}

/* Returns true if 'a' and 'b' are both NULL or equal strings. */
static bool
ovsdb_server_db_streq__(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* Returns true if 'a' and 'b' say the same. */
static bool
ovsdb_server_db_info_equal__(const struct ovsdb_server_db_info *a,
                             const struct ovsdb_server_db_info *b)
{
    return (a->present == b->present && a->model == b->model
            && a->connected == b->connected && a->leader == b->leader
            && a->index == b->index
            && ovsdb_server_db_streq__(a->version, b->version)
            && ovsdb_server_db_streq__(a->cid, b->cid));
}

/* Sets the verdict of 'sdb' to 'info' (taken over), 'ready' and 'error'
 * (taken over, may be NULL) and calls the consumer if anything changed. */
static void
ovsdb_server_db_set__(struct ovsdb_server_db *sdb,
                      struct ovsdb_server_db_info *info, bool ready,
                      char *error)
{
    bool changed = (ready != sdb->ready
                    || !ovsdb_server_db_streq__(error, sdb->error)
                    || !ovsdb_server_db_info_equal__(info, &sdb->info));

    ovsdb_server_db_info_destroy(&sdb->info);
    sdb->info = *info;
    free(sdb->error);
    sdb->error = error;
    sdb->ready = ready;
    if (changed && sdb->cb) {
        sdb->cb(sdb, sdb->aux);
    }
}

/* Returns the row of "_Server"."Database" named 'sdb->db' (borrowed), or
 * NULL. */
static const json_t *
ovsdb_server_db_find_row__(const struct ovsdb_server_db *sdb)
{
    const char *uuid;
    const json_t *row;

    OVSDB_REPLICA_FOR_EACH (uuid, row, sdb->replica, "Database") {
        const char *name = ovsdb_datum_string(row, "name");

        if (name && !strcmp(name, sdb->db)) {
            return row;
        }
    }
    return NULL;
}

/* The replica's changed callback: reads the row, applies the policy, and
 * forces a reconnect (once per connection) if the policy says so. */
static void
ovsdb_server_db_replica_cb(struct ovsdb_replica *replica, bool initial,
                           void *sdb_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 20);
    struct ovsdb_server_db *sdb = sdb_;
    const json_t *row = ovsdb_server_db_find_row__(sdb);
    struct ovsdb_server_db_info info;
    bool reconnect = false;
    char *error = NULL;

    if (!ovsdb_replica_is_synced(replica)) {
        return;
    }
    ovsdb_server_db_info_init(&info);
    if (row) {
        error = ovsdb_server_db_parse_row(row, &info);
    }
    if (!error) {
        error = ovsdb_server_db_check(sdb->db, &info, &reconnect);
    }
    if (error) {
        GN_LOG_WARN_RL(&rl, "%s: %s", jsonrpc_session_remote(sdb->session),
                       error);
    }
    ovsdb_server_db_set__(sdb, &info, !error, error);
    if (reconnect && !sdb->reconnect_requested && sdb->session) {
        sdb->reconnect_requested = true;
        sdb->n_reconnects++;
        jsonrpc_session_force_reconnect(sdb->session);
    }
}

/* Creates a follower of 'db' (see ovsdb-server-db.h). */
struct ovsdb_server_db *
ovsdb_server_db_create(const char *db, ovsdb_server_db_changed_cb *cb,
                       void *aux)
{
    struct ovsdb_server_db *sdb = gn_xzalloc(sizeof *sdb);

    sdb->db = gn_xstrdup(db);
    sdb->cb = cb;
    sdb->aux = aux;
    sdb->replica = ovsdb_replica_create("_Server", ovsdb_server_db_replica_cb,
                                        sdb);
    ovsdb_replica_add_table(sdb->replica, "Database",
                            ovsdb_server_db_columns);
    ovsdb_server_db_info_init(&sdb->info);
    return sdb;
}

/* Frees 'sdb' (accepts NULL). */
void
ovsdb_server_db_destroy(struct ovsdb_server_db *sdb)
{
    if (sdb) {
        ovsdb_replica_destroy(sdb->replica);
        ovsdb_server_db_info_destroy(&sdb->info);
        free(sdb->error);
        free(sdb->db);
        free(sdb);
    }
}

/* Sends the "_Server" monitor on 'session' (see ovsdb-server-db.h). */
void
ovsdb_server_db_monitor(struct ovsdb_server_db *sdb,
                        struct jsonrpc_session *session)
{
    sdb->session = session;
    sdb->reconnect_requested = false;
    ovsdb_replica_monitor(sdb->replica, session);
}

/* Feeds 'msg' (borrowed) to the "_Server" replica. */
bool
ovsdb_server_db_handle_notify(struct ovsdb_server_db *sdb, const json_t *msg)
{
    return ovsdb_replica_handle_notify(sdb->replica, msg);
}

/* Marks 'sdb' not ready until the next "_Server" reply; keeps the last
 * info and error (which says why the session left, if it did so on the
 * policy's word). */
void
ovsdb_server_db_disconnected(struct ovsdb_server_db *sdb)
{
    struct ovsdb_server_db_info info = sdb->info;

    ovsdb_replica_disconnected(sdb->replica);
    info.version = info.version ? gn_xstrdup(info.version) : NULL;
    info.cid = info.cid ? gn_xstrdup(info.cid) : NULL;
    ovsdb_server_db_set__(sdb, &info, false,
                          sdb->error ? gn_xstrdup(sdb->error) : NULL);
}

bool
ovsdb_server_db_is_ready(const struct ovsdb_server_db *sdb)
{
    return sdb->ready;
}

const char *
ovsdb_server_db_error(const struct ovsdb_server_db *sdb)
{
    return sdb->error;
}

const struct ovsdb_server_db_info *
ovsdb_server_db_info(const struct ovsdb_server_db *sdb)
{
    return &sdb->info;
}

unsigned int
ovsdb_server_db_n_reconnects(const struct ovsdb_server_db *sdb)
{
    return sdb->n_reconnects;
}
