/* ovsdb-replica-private.h: the state of struct ovsdb_replica, shared by
 * ovsdb/ovsdb-replica.c (the rows, the schema and updates),
 * ovsdb/ovsdb-replica-monitor.c (the monitor requests on a session),
 * ovsdb/ovsdb-replica-index.c (the change logs, the secondary indexes and
 * the change feeds), ovsdb/ovsdb-replica-intern.c (the strings rows
 * share) and ovsdb/ovsdb-replica-datum.c (OVSDB datum helpers).  Nothing outside those files includes it. */
#ifndef GN_OVSDB_REPLICA_PRIVATE_H
#define GN_OVSDB_REPLICA_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gn-util.h"
#include "ovsdb-replica.h"

struct jsonrpc_session;

/* How an "update2" modify changes a column (RFC 7047 extension, as
 * ovsdb-server's ovsdb_datum_diff() computes it). */
enum ovsdb_replica_kind {
    OVSDB_REPLICA_SCALAR,       /* At most one value: the new one replaces. */
    OVSDB_REPLICA_SET,          /* Listed elements are toggled. */
    OVSDB_REPLICA_MAP,          /* Listed keys are added/removed/replaced. */
};
/* What a request in flight refers to: emptied when the replica dies. */
struct ovsdb_replica_anchor {
    struct ovsdb_replica *replica;
    unsigned int refcnt;
};
enum ovsdb_replica_request_type {
    OVSDB_REPLICA_GET_SCHEMA,
    OVSDB_REPLICA_MONITOR,      /* "monitor_cond" or "monitor". */
    OVSDB_REPLICA_MONITOR_SINCE,
};
/* The aux of one request in flight. */
struct ovsdb_replica_request {
    struct ovsdb_replica_anchor *anchor;
    enum ovsdb_replica_request_type type;
    unsigned int gen;           /* replica->gen when sent. */
};
/* One change of one row in a table's change log. */
struct ovsdb_replica_log_entry {
    char *uuid;
    unsigned long long seqno;   /* The replica seqno the change gave. */
    unsigned long long prev;    /* Position of the row's previous entry + 1,
                                 * or 0 if none. */
    bool existed;               /* The row existed before the change, */
    bool exists;                /* and after it. */
    bool superseded;            /* A later entry of the row follows. */
};
/* The change log of one table (see ovsdb_replica_changes_init()): its
 * entries in seqno order.  Positions count from the first entry ever
 * logged, so they survive trimming; 'entries[0]' is at position 'base'. */
struct ovsdb_replica_log {
    struct ovsdb_replica_log_entry *entries;
    size_t n;
    size_t allocated;
    unsigned long long base;
    unsigned long long horizon; /* The log holds every change with a seqno
                                 * above this. */
    struct gn_strmap latest;    /* uuid -> position + 1 of its latest entry
                                 * (as a pointer). */
};

/* A table's log grows to twice the table's size plus this before the
 * oldest half of it goes. */
#define OVSDB_REPLICA_LOG_SLACK 64

struct ovsdb_replica {
    char *db;
    ovsdb_replica_changed_cb *cb;
    void *aux;

    json_t *columns;            /* {table: [column...]}: what to monitor. */
    json_t *kinds;              /* {table: {column: {"k": kind, "d": dflt}}}
                                 * from the schema. */
    json_t *data;               /* {table: {uuid: row}}. */
    json_t *quiet;              /* {table: {column: true}}: see
                                 * ovsdb_replica_add_quiet_column(). */
    json_t *row_seqnos;         /* {table: {uuid: seqno}}: the update that
                                 * last inserted or changed each row. */
    json_t *indexes;            /* {table: {column: {key: rows}}}: for
                                 * each indexed column, the rows that hold
                                 * each string or UUID atom 'key' (see
                                 * "Secondary indexes" below). */
    struct gn_strmap logs;      /* table -> struct ovsdb_replica_log. */
    json_t *interned;           /* {text: string}: the strings rows share
                                 * (ovsdb-replica-intern.c), */
    json_t *interned_pairs;     /* {"LEN:KEYVALUE": [key, value]}: the map
                                 * pairs with a short value they share, */
    size_t interned_purge_at;   /* and the two's size that purges them
                                 * next. */

    struct jsonrpc_session *session;
    struct ovsdb_replica_anchor *anchor;
    unsigned int gen;           /* Increases on each monitor/disconnect. */
    json_t *monitor_id;         /* Of the latest monitor request, or NULL. */
    bool use_monitor_cond;      /* False once the server refused it. */
    bool resume;                /* Resume with monitor_cond_since. */
    bool use_since;             /* False once the server refused it. */
    char *last_txn_id;          /* Of the latest update, or NULL. */
    bool resumed;               /* The latest sync was a resume. */
    unsigned long long n_full_resyncs;
    unsigned long long n_resumes;
    bool synced;
    unsigned long long seqno;
    unsigned long long change_seqno;    /* Of the last update that changed
                                         * more than quiet columns. */
};
/* Secondary indexes.
 *
 * An index of table.column maps each string or UUID atom of the column (the
 * value of a string column, each member of a set of UUIDs) to the rows that
 * hold it: {key: "uuid"} when one row does, {key: {uuid: true, ...}} when
 * several do.  Keys with no rows left are removed, so a key is present
 * exactly when some row holds it.  Map columns index nothing. */

enum ovsdb_replica_index_op {
    OVSDB_REPLICA_INDEX_ADD,
    OVSDB_REPLICA_INDEX_REMOVE,
    OVSDB_REPLICA_INDEX_TOGGLE,     /* As an "update2" set diff does. */
};

/* ovsdb-replica.c. */

/* Drops one reference to 'anchor', freeing it with the last. */
void ovsdb_replica_anchor_unref(struct ovsdb_replica_anchor *anchor);

/* ovsdb-replica-intern.c. */

/* Returns 'value' (a column value, stolen) with the strings that recur
 * across rows (datum tags, map keys, short strings) replaced by the
 * replica's shared copy of each.  The arrays of 'value' change in place,
 * also where others hold them (the update a value came in, a schema
 * default): only a string is replaced, and by an equal one, which no
 * holder can tell.  Nothing else in the replica changes a value in
 * place, which makes the sharing safe. */
json_t *ovsdb_replica_intern(struct ovsdb_replica *, json_t *value);
/* Replaces each value of row object 'row' by ovsdb_replica_intern() of
 * it. */
void ovsdb_replica_intern_row(struct ovsdb_replica *, json_t *row);

/* ovsdb-replica-index.c. */

/* Adds ('add') or removes the entries of 'row' (borrowed), row 'uuid' of a
 * table whose indexes are 'tindexes' ({column: index}, may be NULL).  If
 * 'columns' is nonnull, only the indexed columns it has as members count. */
void ovsdb_replica_index_row(json_t *tindexes, const char *uuid,
                             const json_t *row, const json_t *columns,
                             bool add);
/* Applies 'op' to the entries of row 'uuid' for each atom of 'value' (a
 * column value or an "update2" set diff, borrowed; may be NULL). */
void ovsdb_replica_index_value(json_t *index, const char *uuid,
                               const json_t *value,
                               enum ovsdb_replica_index_op op);
/* Appends to 'log' the change 'seqno' of row 'uuid', which 'existed'
 * before and 'exists' after it. */
void ovsdb_replica_log_append__(struct ovsdb_replica_log *log,
                                const char *uuid, unsigned long long seqno,
                                bool existed, bool exists);
/* Frees 'log' (accepts NULL). */
void ovsdb_replica_log_destroy__(struct ovsdb_replica_log *log);
/* Empties 'log' and sets its horizon to 'horizon': a consumer that last
 * looked before it must rescan. */
void ovsdb_replica_log_reset__(struct ovsdb_replica_log *log,
                               unsigned long long horizon);
/* Keeps 'log' within twice 'n_rows' (the table's size) plus a constant:
 * beyond that, drops its oldest entries down to 'n_rows' plus half the
 * constant and raises the horizon past them. */
void ovsdb_replica_log_trim__(struct ovsdb_replica_log *log, size_t n_rows);

/* ovsdb-replica-datum.c. */

/* Applies the "update2" diff 'diff' to 'old' (both borrowed; 'old' may be
 * NULL for empty) of a column of 'kind'.  Returns a new reference. */
json_t *ovsdb_datum_apply_diff(enum ovsdb_replica_kind kind,
                               const json_t *old, const json_t *diff);
/* Returns the string of a string atom or the UUID of ["uuid", UUID]
 * (borrowed), or NULL for other atoms. */
const char *ovsdb_datum_atom_key(const json_t *atom);
/* Checks that 'v' (borrowed) is a well-formed value or diff for a column of
 * 'kind': maps must be ["map", [[k, v]...]], sets an atom or
 * ["set", [...]].  Returns true if so. */
bool ovsdb_datum_check(enum ovsdb_replica_kind kind, const json_t *v);
/* Returns true if 'v' (borrowed) is ["TAG", [...]]. */
bool ovsdb_datum_is_tagged(const json_t *v, const char *tag);

#endif /* ovsdb-replica-private.h */
