/* ovsdb-replica.h: a local copy of the OVSDB tables and columns guestnet
 * needs, kept current with "monitor_cond" (RFC 7047 + OVSDB extensions;
 * falls back to "monitor" if the server lacks monitor_cond).
 *
 * The replica registers on a jsonrpc_session: on every (re)connect it sends
 * a fresh monitor request and, when the initial reply arrives, replaces its
 * whole contents (a full resync: nothing from before the outage lingers),
 * then applies "update2"/"update" notifications.
 *
 * Resuming (off unless ovsdb_replica_set_resume() turns it on): the monitor
 * request is "monitor_cond_since" with the id of the last transaction the
 * replica saw.  If the server still has it in its history (a clustered
 * ovsdb-server does, on every member), the reply holds only the changes
 * since, applied like an update: rows, row seqnos and change feeds carry
 * on.  Otherwise the reply holds everything and replaces the contents as a
 * full resync does.  "update3" notifications carry the id of each
 * transaction.  A server that does not know the method gets monitor_cond.  Rows are jansson objects
 * {column: value} in OVSDB wire format (["set", [...]], ["map", [...]],
 * ["uuid", "..."]); the "_uuid" and "_version" members are not stored.
 *
 * Applying updates is pure: ovsdb_replica_apply_update() takes the JSON of
 * a notification's table-updates, so unit tests drive a replica without a
 * server.
 *
 * Secondary indexes: ovsdb_replica_add_index() makes the replica keep, for
 * one column, a hash map from each string or UUID in it to the rows that
 * hold it, updated with every row change, so that "the Port named X"
 * (Port.name) or "the Bridge that has Port P" (Bridge.ports) takes O(1)
 * instead of a walk over the table.  Values no row holds are not in the
 * map; several rows may hold the same value (OVSDB's schema forbids it for
 * some names, but the replica does not rely on that).
 *
 * Change feed: each table keeps a log of the rows inserted, modified and
 * deleted by recent updates, so that a consumer that remembers the
 * ovsdb_replica_seqno() it last looked at visits only the rows changed
 * since (ovsdb_replica_changes_init()), not the whole table.  The log is
 * bounded: past twice the table's size plus a constant its oldest half
 * goes, and a consumer from before what is left is told to rescan; so is
 * one from before a resync.
 *
 * Thread-safety: one thread. */
#ifndef GN_OVSDB_REPLICA_H
#define GN_OVSDB_REPLICA_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct jsonrpc_session;
struct ovsdb_replica;

/* Called after the replica changed (initial contents after a connect, or an
 * update).  'initial' is true for the first contents after a connect: then
 * ovsdb_replica_resumed() tells a resume (only the changes since the last
 * transaction seen were applied) from a full resync. */
typedef void ovsdb_replica_changed_cb(struct ovsdb_replica *, bool initial,
                                      void *aux);

/* Creates an empty replica of database 'db' ("Open_vSwitch").  Add tables
 * with ovsdb_replica_add_table() before attaching.  Free with
 * ovsdb_replica_destroy(). */
struct ovsdb_replica *ovsdb_replica_create(const char *db,
                                           ovsdb_replica_changed_cb *,
                                           void *aux);
void ovsdb_replica_destroy(struct ovsdb_replica *);

/* Monitors 'table' with the NULL-terminated list of 'columns'. */
void ovsdb_replica_add_table(struct ovsdb_replica *, const char *table,
                             const char *const columns[]);

/* Indexes the string or UUID values of 'column' of 'table': each value of
 * a string column, each member of a set of strings or UUIDs (map columns
 * index nothing).  Call after ovsdb_replica_add_table() has added 'table'
 * with 'column', before monitoring; aborts otherwise. */
void ovsdb_replica_add_index(struct ovsdb_replica *, const char *table,
                             const char *column);

/* Makes 'column' of 'table' quiet: a modification of quiet columns only
 * is applied to the row, and bumps the replica's seqno, but leaves the
 * row's seqno (ovsdb_replica_row_seqno()) and is not listed in the change
 * feed.  For columns that change often, that nothing is derived from and
 * that are read where they are shown.  (guestnetd has none: it does not
 * monitor Interface "statistics", which ovs-vswitchd rewrites every 5 s
 * for every interface, and asks OVSDB for one row's when it shows them.)
 * Call after ovsdb_replica_add_table() has added 'table' with 'column'. */
void ovsdb_replica_add_quiet_column(struct ovsdb_replica *,
                                    const char *table, const char *column);

/* Gives the replica the database schema ('schema' borrowed, as "get_schema"
 * returns it).  From it the replica learns which columns are sets and maps
 * (an "update2" modify toggles set elements and map keys but replaces
 * scalars, and both can look alike on the wire) and the default values it
 * fills in for columns a row update omits.  ovsdb_replica_monitor() fetches
 * the schema itself; tests call this directly.  Returns NULL or a malloc'd
 * error. */
char *ovsdb_replica_set_schema(struct ovsdb_replica *, const json_t *schema);

/* Sends "get_schema" and the monitor request on 'session' now (call from
 * the session's "connected" callback) and routes their replies to the
 * replica; update notifications reach it through
 * ovsdb_replica_handle_notify().  Marks the replica not synced until the
 * monitor reply arrives. */
void ovsdb_replica_monitor(struct ovsdb_replica *, struct jsonrpc_session *);

/* Feeds a notification from the session; returns true if it was a monitor
 * update for this replica (and applied it). 'msg' is borrowed. */
bool ovsdb_replica_handle_notify(struct ovsdb_replica *, const json_t *msg);

/* Marks the replica not synced (call when the session disconnects). */
void ovsdb_replica_disconnected(struct ovsdb_replica *);

/* Pure update application, for tests and for the monitor reply.
 * 'table_updates' is {table: {uuid: row-update}} in "update2" form if
 * 'update2' is true, else "update" (old/new) form.  If 'initial' is true
 * the replica is emptied first.  Returns NULL or a malloc'd error. */
char *ovsdb_replica_apply_update(struct ovsdb_replica *,
                                 const json_t *table_updates,
                                 bool update2, bool initial);

/* Turns resuming with "monitor_cond_since" on or off (off by default);
 * takes effect at the next monitor request. */
void ovsdb_replica_set_resume(struct ovsdb_replica *, bool resume);

/* Pure handling of a "monitor_cond_since" result (borrowed): [found,
 * last-txn-id, table-updates2].  If 'found' is true the updates apply on
 * top of the contents (a resume), else they replace them (a full resync);
 * either way the replica keeps 'last-txn-id' and counts the sync.  Does not
 * call the changed callback.  Returns NULL or a malloc'd error (then the
 * replica is unchanged). */
char *ovsdb_replica_apply_since_reply(struct ovsdb_replica *,
                                      const json_t *result);

/* Whether the latest sync was a resume; how many full resyncs (every
 * monitor reply that replaced the contents) and resumes there were; the id
 * of the last transaction seen (borrowed, NULL if none). */
bool ovsdb_replica_resumed(const struct ovsdb_replica *);
unsigned long long ovsdb_replica_n_full_resyncs(const struct ovsdb_replica *);
unsigned long long ovsdb_replica_n_resumes(const struct ovsdb_replica *);
const char *ovsdb_replica_last_txn_id(const struct ovsdb_replica *);

/* True once the monitor reply after the latest connect was applied. */
bool ovsdb_replica_is_synced(const struct ovsdb_replica *);

/* Increases on every change; lets callers skip work when nothing moved. */
unsigned long long ovsdb_replica_seqno(const struct ovsdb_replica *);

/* The ovsdb_replica_seqno() of the last update that changed more than
 * quiet columns (see ovsdb_replica_add_quiet_column()), or a resync: what
 * is derived from the rows without their quiet columns is current while
 * this is unchanged. */
unsigned long long ovsdb_replica_change_seqno(const struct ovsdb_replica *);

/* Returns the ovsdb_replica_seqno() of the update that last inserted or
 * changed row 'uuid' of 'table' (a full resync counts as changing every
 * row), or 0 if there is no such row: a cache of something derived from a
 * row is current while this is unchanged. */
unsigned long long ovsdb_replica_row_seqno(const struct ovsdb_replica *,
                                           const char *table,
                                           const char *uuid);

/* The change feed of a table.
 *
 *     struct ovsdb_replica_changes it;
 *     enum ovsdb_replica_change change;
 *     const char *uuid;
 *
 *     if (!ovsdb_replica_changes_init(&it, r, "Port", since)) {
 *         ...rescan the whole table...
 *     } else {
 *         while ((uuid = ovsdb_replica_changes_next(&it, &change))) {
 *             ...
 *         }
 *     }
 *     since = ovsdb_replica_seqno(r);
 *
 * ovsdb_replica_changes_init() starts '*it' on the rows of 'table' that
 * changed after seqno 'since' (a value ovsdb_replica_seqno() returned), or
 * returns false if the replica cannot tell them: 'since' is older than
 * the table's log (trimmed, or from before the latest resync: reconnect,
 * new monitor, any "initial" update) or newer than the replica.
 * ovsdb_replica_changes_next() returns each such row once, as its UUID
 * (borrowed, valid until the replica changes), with how it differs from
 * what it was at 'since' in '*change'; a row inserted and deleted since is
 * not reported.  The replica must not change during the iteration. */
enum ovsdb_replica_change {
    OVSDB_REPLICA_INSERTED,     /* Did not exist at 'since', exists now. */
    OVSDB_REPLICA_MODIFIED,     /* Existed then and exists now. */
    OVSDB_REPLICA_DELETED,      /* Existed then, not now. */
};
struct ovsdb_replica_changes {
    /* Private. */
    const void *log;
    unsigned long long since;
    size_t pos;
};
bool ovsdb_replica_changes_init(struct ovsdb_replica_changes *,
                                const struct ovsdb_replica *,
                                const char *table, unsigned long long since)
    __attribute__((warn_unused_result));
const char *ovsdb_replica_changes_next(struct ovsdb_replica_changes *,
                                       enum ovsdb_replica_change *);

/* Row access.  Returned rows are borrowed (valid until the next change). */
const json_t *ovsdb_replica_get_row(const struct ovsdb_replica *,
                                    const char *table, const char *uuid);
size_t ovsdb_replica_count(const struct ovsdb_replica *, const char *table);

/* Returns how many strings and map pairs the rows of 'r' share one copy of
 * (datum tags, map keys, short values, pairs with a short value; see
 * ovsdb/ovsdb-replica-intern.c), counting those no row holds any more until
 * they are purged. */
size_t ovsdb_replica_interned_count(const struct ovsdb_replica *r);

/* Index lookups, in O(1).  All abort if 'table'.'column' is not indexed.
 * Results are borrowed and valid until the next change of the replica
 * (any change: a UUID given for a key may be freed when another row takes
 * or leaves the key).
 *
 * ovsdb_replica_index_find(): the UUID of the row of 'table' whose
 * 'column' holds 'key' (equals it, or has it as a member); if several rows
 * do, the smallest UUID; NULL if none does.
 * OVSDB_REPLICA_INDEX_FOR_EACH: every such row's UUID, in no particular
 * order:
 *     struct ovsdb_replica_index_iter it; const char *uuid;
 *     OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, r, "Port", "name", name) {...}
 * ovsdb_replica_index_count(): how many such rows there are.
 * ovsdb_replica_index_has(): true if row 'uuid' of 'table' holds 'key' in
 * 'column'. */
const char *ovsdb_replica_index_find(const struct ovsdb_replica *,
                                     const char *table, const char *column,
                                     const char *key);
size_t ovsdb_replica_index_count(const struct ovsdb_replica *,
                                 const char *table, const char *column,
                                 const char *key);
bool ovsdb_replica_index_has(const struct ovsdb_replica *,
                             const char *table, const char *column,
                             const char *key, const char *uuid);

struct ovsdb_replica_index_iter {
    const json_t *rows;         /* The key's entry (see the index's file). */
    void *pos;                  /* In 'rows' if it is an object, or NULL. */
};
const char *ovsdb_replica_index_first(struct ovsdb_replica_index_iter *,
                                      const struct ovsdb_replica *,
                                      const char *table, const char *column,
                                      const char *key);
const char *ovsdb_replica_index_next(struct ovsdb_replica_index_iter *);
#define OVSDB_REPLICA_INDEX_FOR_EACH(UUID, IT, R, TABLE, COLUMN, KEY)     \
    for ((UUID) = ovsdb_replica_index_first(&(IT), R, TABLE, COLUMN, KEY); \
         (UUID); (UUID) = ovsdb_replica_index_next(&(IT)))

/* Iterates over the rows of 'table':
 *     const char *uuid; const json_t *row;
 *     OVSDB_REPLICA_FOR_EACH (uuid, row, replica, "Port") { ... }
 * The table's rows are a jansson object {uuid: row}. */
const json_t *ovsdb_replica_table(const struct ovsdb_replica *,
                                  const char *table);
#define OVSDB_REPLICA_FOR_EACH(UUID, ROW, REPLICA, TABLE)                   \
    json_object_foreach ((json_t *) ovsdb_replica_table(REPLICA, TABLE),   \
                         UUID, ROW)

/* OVSDB datum helpers for rows (all arguments borrowed).
 *
 * ovsdb_datum_string(): the string value of a column that holds a string or
 * a set of at most one string; NULL if empty or not a string.
 * ovsdb_datum_integer(): likewise for integers; returns false if empty.
 * ovsdb_datum_map_get(): the value (borrowed) under 'key' in a ["map", ...]
 * column, or NULL.
 * ovsdb_datum_uuids(): the UUID strings of a uuid or set-of-uuid column,
 * as a new jansson array of strings (caller decrefs).
 * ovsdb_datum_first_uuid(): the first of them (borrowed), or NULL.
 * ovsdb_datum_size(): the number of elements of a set column (1 for a
 * bare atom; 0 if the row or column is missing).
 * ovsdb_datum_uuid_next(): the first of them (borrowed) at position '*pos'
 * or after, setting '*pos' to its position, or NULL; for
 * OVSDB_DATUM_FOR_EACH_UUID, which visits them without copying:
 *     const char *uuid; size_t pos;
 *     OVSDB_DATUM_FOR_EACH_UUID (uuid, pos, bridge_row, "ports") { ... }
 * The row must not change during the loop. */
const char *ovsdb_datum_string(const json_t *row, const char *column);
bool ovsdb_datum_integer(const json_t *row, const char *column,
                         json_int_t *value);
const json_t *ovsdb_datum_map_get(const json_t *row, const char *column,
                                  const char *key);
const char *ovsdb_datum_map_get_string(const json_t *row, const char *column,
                                       const char *key);
json_t *ovsdb_datum_uuids(const json_t *row, const char *column);
const char *ovsdb_datum_first_uuid(const json_t *row, const char *column);
size_t ovsdb_datum_size(const json_t *row, const char *column);
const char *ovsdb_datum_uuid_next(const json_t *row, const char *column,
                                  size_t *pos);
#define OVSDB_DATUM_FOR_EACH_UUID(UUID, POS, ROW, COLUMN)                 \
    for ((POS) = 0;                                                       \
         ((UUID) = ovsdb_datum_uuid_next(ROW, COLUMN, &(POS))) != NULL;   \
         (POS)++)

/* Builders of wire values (new references). */
json_t *ovsdb_datum_uuid(const char *uuid);
json_t *ovsdb_datum_named_uuid(const char *name);
json_t *ovsdb_datum_set(json_t *elements);   /* Steals an array. */
json_t *ovsdb_datum_map(json_t *object);     /* Steals {k: v} -> map. */
json_t *ovsdb_datum_empty_set(void);

#endif /* ovsdb-replica.h */
