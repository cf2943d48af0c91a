/* ovsdb-server-db.h: what an ovsdb-server says about one of its databases,
 * read from its "_Server" database, and whether a session to it is usable.
 *
 * An ovsdb_server_db monitors the "Database" table of "_Server" (one row
 * per database the server holds: name, model, connected, leader, schema,
 * cid, sid, index) on a jsonrpc_session and follows the row of one
 * database.  The session is usable when the server has the database, knows
 * its schema and, for a clustered database, the member reached is connected
 * to the cluster.  When it is not, the consumer is told "not ready" with
 * the reason, and the session is forced to reconnect, which takes it to
 * the next remote of its list (a member cut off from the others keeps
 * serving its stale copy, so a client must go elsewhere).
 *
 * The consumer wires it to the session as it does a replica, and starts
 * its data monitor only once the server is ready:
 *
 *     connected:     ovsdb_server_db_monitor(sdb, session);
 *     notify:        ovsdb_server_db_handle_notify(sdb, msg) || ...
 *     disconnected:  ovsdb_server_db_disconnected(sdb);
 *     sdb changed:   if (ovsdb_server_db_is_ready(sdb) && !monitoring)
 *                        ovsdb_replica_monitor(data, session);
 *
 * Interpreting a row and the policy are pure (ovsdb_server_db_parse_row(),
 * ovsdb_server_db_check()), so unit tests feed rows without a server.
 *
 * Thread-safety: one thread. */
#ifndef GN_OVSDB_SERVER_DB_H
#define GN_OVSDB_SERVER_DB_H 1

#include <jansson.h>
#include <stdbool.h>

struct jsonrpc_session;
struct ovsdb_server_db;

enum ovsdb_server_db_model {
    OVSDB_SERVER_DB_OTHER,      /* Unknown to this client (or "system"). */
    OVSDB_SERVER_DB_STANDALONE,
    OVSDB_SERVER_DB_CLUSTERED,
    OVSDB_SERVER_DB_RELAY,
};

/* What the server says about the database. */
struct ovsdb_server_db_info {
    bool present;               /* The server has the database. */
    enum ovsdb_server_db_model model;
    bool connected;             /* Clustered: the member is in the cluster;
                                 * always true for other models. */
    bool leader;                /* Clustered: the member is the leader. */
    char *version;              /* Of the schema, or NULL if unknown. */
    char *cid;                  /* Clustered: the cluster id, or NULL. */
    json_int_t index;           /* Clustered: the Raft log index, or -1. */
};

/* Called when the readiness, the error or the info changed. */
typedef void ovsdb_server_db_changed_cb(struct ovsdb_server_db *,
                                        void *aux);

/* Creates a follower of database 'db' ("Guestnet") that calls 'cb' (may be
 * NULL) with 'aux' on changes.  Free with ovsdb_server_db_destroy(). */
struct ovsdb_server_db *ovsdb_server_db_create(
    const char *db, ovsdb_server_db_changed_cb *cb, void *aux);
void ovsdb_server_db_destroy(struct ovsdb_server_db *);

/* Sends the "_Server" monitor on 'session' (call from the session's
 * "connected" callback).  'session' is kept. */
void ovsdb_server_db_monitor(struct ovsdb_server_db *,
                             struct jsonrpc_session *);
/* Feeds a notification from the session ('msg' borrowed); returns true if
 * it was for the "_Server" monitor. */
bool ovsdb_server_db_handle_notify(struct ovsdb_server_db *,
                                   const json_t *msg);
/* Marks the follower not ready (call when the session disconnects). */
void ovsdb_server_db_disconnected(struct ovsdb_server_db *);

/* True when the server reached has the database and, if it is clustered,
 * the member is connected to the cluster. */
bool ovsdb_server_db_is_ready(const struct ovsdb_server_db *);
/* Why it is not ready (borrowed, valid until the next change), or NULL if
 * it is ready or the "_Server" reply has not come yet. */
const char *ovsdb_server_db_error(const struct ovsdb_server_db *);
/* The latest info (borrowed, valid until the next change). */
const struct ovsdb_server_db_info *ovsdb_server_db_info(
    const struct ovsdb_server_db *);
/* How many times the follower forced the session to reconnect. */
unsigned int ovsdb_server_db_n_reconnects(const struct ovsdb_server_db *);

/* Pure parts.
 *
 * ovsdb_server_db_parse_row(): fills 'info' (which must be initialised;
 * its previous strings are freed) from 'row' (borrowed), a row of
 * "_Server"."Database" in wire form.  Returns NULL or a malloc'd error.
 * ovsdb_server_db_check(): applies the policy to 'info' about database
 * 'db': returns NULL if a session to it is usable, else a malloc'd reason,
 * with '*reconnect' set if the session should go to another remote. */
void ovsdb_server_db_info_init(struct ovsdb_server_db_info *);
void ovsdb_server_db_info_destroy(struct ovsdb_server_db_info *);
char *ovsdb_server_db_parse_row(const json_t *row,
                                struct ovsdb_server_db_info *info)
    __attribute__((warn_unused_result));
char *ovsdb_server_db_check(const char *db,
                            const struct ovsdb_server_db_info *info,
                            bool *reconnect)
    __attribute__((warn_unused_result));
const char *ovsdb_server_db_model_name(enum ovsdb_server_db_model);

#endif /* ovsdb-server-db.h */
