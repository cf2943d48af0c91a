/* ovsdb-replica.c: a monitored copy of OVSDB tables (see
 * include/ovsdb-replica.h).
 *
 * Owns the rows ({table: {uuid: row}}), the secondary indexes over them,
 * the change log of each table, the column kinds learnt from the schema,
 * and the monitor requests in flight.  Requests in flight refer to
 * the replica through a refcounted anchor, so a replica can be destroyed
 * while a reply is still on its way: the reply then finds the anchor empty
 * and is dropped.  Also owns the OVSDB datum helpers. */
#include <config.h>

#include "ovsdb-replica.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "jsonrpc.h"

GN_LOG_MODULE(ovsdb_replica);

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
    OVSDB_REPLICA_MONITOR,
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
    json_t *indexes;            /* {table: {column: {key: {uuid: true}}}}:
                                 * for each indexed column, the rows that
                                 * hold each string or UUID atom 'key'. */
    struct gn_strmap logs;      /* table -> struct ovsdb_replica_log. */

    struct jsonrpc_session *session;
    struct ovsdb_replica_anchor *anchor;
    unsigned int gen;           /* Increases on each monitor/disconnect. */
    json_t *monitor_id;         /* Of the latest monitor request, or NULL. */
    bool use_monitor_cond;      /* False once the server refused it. */
    bool synced;
    unsigned long long seqno;
    unsigned long long change_seqno;    /* Of the last update that changed
                                         * more than quiet columns. */
};

/* Creates an empty replica of 'db' that calls 'cb' with 'aux' on changes
 * ('cb' may be NULL).  Caller frees with ovsdb_replica_destroy(). */
struct ovsdb_replica *
ovsdb_replica_create(const char *db, ovsdb_replica_changed_cb *cb, void *aux)
{
    struct ovsdb_replica *r = gn_xzalloc(sizeof *r);

    r->db = gn_xstrdup(db);
    r->cb = cb;
    r->aux = aux;
    r->columns = json_object();
    r->kinds = json_object();
    r->data = json_object();
    r->row_seqnos = json_object();
    r->quiet = json_object();
    r->indexes = json_object();
    r->logs = (struct gn_strmap) GN_STRMAP_INIT;
    r->anchor = gn_xzalloc(sizeof *r->anchor);
    r->anchor->replica = r;
    r->anchor->refcnt = 1;
    r->use_monitor_cond = true;
    return r;
}

/* Change logs. */

/* Empties 'log' and sets its horizon to 'horizon': a consumer that last
 * looked before it must rescan. */
static void
ovsdb_replica_log_reset__(struct ovsdb_replica_log *log,
                          unsigned long long horizon)
{
    for (size_t i = 0; i < log->n; i++) {
        free(log->entries[i].uuid);
    }
    log->base += log->n;
    log->n = 0;
    log->horizon = horizon;
    gn_strmap_destroy(&log->latest);
    log->latest = (struct gn_strmap) GN_STRMAP_INIT;
}

/* Frees 'log' (accepts NULL). */
static void
ovsdb_replica_log_destroy__(struct ovsdb_replica_log *log)
{
    if (log) {
        ovsdb_replica_log_reset__(log, 0);
        free(log->entries);
        free(log);
    }
}

/* Appends to 'log' the change 'seqno' of row 'uuid', which 'existed'
 * before and 'exists' after it. */
static void
ovsdb_replica_log_append__(struct ovsdb_replica_log *log, const char *uuid,
                           unsigned long long seqno, bool existed,
                           bool exists)
{
    uintptr_t prev = (uintptr_t) gn_strmap_get(&log->latest, uuid);
    struct ovsdb_replica_log_entry *e;

    if (!existed && !exists) {
        return;                 /* A delete of a row never seen. */
    }
    if (prev && prev - 1 >= log->base) {
        log->entries[prev - 1 - log->base].superseded = true;
    }
    if (log->n >= log->allocated) {
        log->allocated = 2 * log->allocated + 16;
        log->entries = gn_xrealloc(log->entries,
                                   log->allocated * sizeof *log->entries);
    }
    e = &log->entries[log->n++];
    e->uuid = gn_xstrdup(uuid);
    e->seqno = seqno;
    e->prev = prev;
    e->existed = existed;
    e->exists = exists;
    e->superseded = false;
    gn_strmap_put(&log->latest, uuid,
                  (void *) (uintptr_t) (log->base + log->n));
}

/* Keeps 'log' within twice 'n_rows' (the table's size) plus a constant:
 * beyond that, drops its oldest entries down to 'n_rows' plus half the
 * constant and raises the horizon past them. */
static void
ovsdb_replica_log_trim__(struct ovsdb_replica_log *log, size_t n_rows)
{
    size_t keep = n_rows + OVSDB_REPLICA_LOG_SLACK / 2;
    size_t drop;

    if (log->n <= 2 * n_rows + OVSDB_REPLICA_LOG_SLACK) {
        return;
    }
    drop = log->n - keep;
    for (size_t i = 0; i < drop; i++) {
        struct ovsdb_replica_log_entry *e = &log->entries[i];

        if (!e->superseded) {
            gn_strmap_remove(&log->latest, e->uuid);
        }
        if (e->seqno > log->horizon) {
            log->horizon = e->seqno;
        }
        free(e->uuid);
    }
    memmove(log->entries, &log->entries[drop], keep * sizeof *log->entries);
    log->n = keep;
    log->base += drop;
}

/* Drops one reference to 'anchor', freeing it with the last. */
static void
ovsdb_replica_anchor_unref(struct ovsdb_replica_anchor *anchor)
{
    if (!--anchor->refcnt) {
        free(anchor);
    }
}

/* Frees 'r' (accepts NULL).  Replies still in flight are dropped when they
 * come.  May be called from the replica's own changed callback (nothing
 * touches the replica after that callback returns). */
void
ovsdb_replica_destroy(struct ovsdb_replica *r)
{
    if (!r) {
        return;
    }
    struct gn_strmap_node *node;

    GN_STRMAP_FOR_EACH (node, &r->logs) {
        ovsdb_replica_log_destroy__(node->value);
    }
    gn_strmap_destroy(&r->logs);
    r->anchor->replica = NULL;
    ovsdb_replica_anchor_unref(r->anchor);
    json_decref(r->monitor_id);
    json_decref(r->data);
    json_decref(r->indexes);
    json_decref(r->row_seqnos);
    json_decref(r->quiet);
    json_decref(r->kinds);
    json_decref(r->columns);
    free(r->db);
    free(r);
}

/* Adds 'table' with the NULL-terminated 'columns' (copied) to what 'r'
 * monitors.  Takes effect at the next ovsdb_replica_monitor(). */
void
ovsdb_replica_add_table(struct ovsdb_replica *r, const char *table,
                        const char *const columns[])
{
    json_t *array = json_array();
    size_t i;

    for (i = 0; columns[i]; i++) {
        json_array_append_new(array, json_string(columns[i]));
    }
    json_object_set_new(r->columns, table, array);
    if (!json_object_get(r->data, table)) {
        json_object_set_new(r->data, table, json_object());
    }
    if (!gn_strmap_get(&r->logs, table)) {
        struct ovsdb_replica_log *log = gn_xzalloc(sizeof *log);

        log->latest = (struct gn_strmap) GN_STRMAP_INIT;
        log->horizon = r->seqno;
        gn_strmap_put(&r->logs, table, log);
    }
}

/* Returns the default (a new reference) of an atomic type named 'type', or
 * NULL if 'type' is not an OVSDB atomic type. */
static json_t *
ovsdb_replica_atom_default(const char *type)
{
    if (!strcmp(type, "integer")) {
        return json_integer(0);
    } else if (!strcmp(type, "real")) {
        return json_real(0.0);
    } else if (!strcmp(type, "boolean")) {
        return json_false();
    } else if (!strcmp(type, "string")) {
        return json_string("");
    } else if (!strcmp(type, "uuid")) {
        return ovsdb_datum_uuid("00000000-0000-0000-0000-000000000000");
    }
    return NULL;
}

/* Returns the default (a new reference) of the atomic type 'base' (borrowed:
 * "integer" or {"type": "integer", ...}), or NULL if malformed. */
static json_t *
ovsdb_replica_base_default(const json_t *base)
{
    const char *name = json_is_object(base)
                       ? json_string_value(json_object_get(base, "type"))
                       : json_string_value(base);

    return name ? ovsdb_replica_atom_default(name) : NULL;
}

/* Parses the column type 'type' (borrowed) into {"k": kind, "d": default}
 * (a new reference), or returns NULL if 'type' is malformed. */
static json_t *
ovsdb_replica_parse_type(const json_t *type)
{
    const json_t *key, *value, *min, *max;
    json_int_t n_min = 1;
    bool unlimited = false;
    json_int_t n_max = 1;
    enum ovsdb_replica_kind kind;
    json_t *dflt, *kdef, *vdef;

    if (json_is_string(type)) {
        dflt = ovsdb_replica_base_default(type);
        return dflt ? json_pack("{s:i, s:o}", "k", OVSDB_REPLICA_SCALAR,
                                "d", dflt) : NULL;
    }
    key = json_object_get(type, "key");
    value = json_object_get(type, "value");
    min = json_object_get(type, "min");
    max = json_object_get(type, "max");
    if (json_is_integer(min)) {
        n_min = json_integer_value(min);
    }
    if (json_is_integer(max)) {
        n_max = json_integer_value(max);
    } else if (json_is_string(max)) {
        unlimited = !strcmp(json_string_value(max), "unlimited");
    }
    kind = !unlimited && n_max == 1 ? OVSDB_REPLICA_SCALAR
           : value ? OVSDB_REPLICA_MAP : OVSDB_REPLICA_SET;

    kdef = ovsdb_replica_base_default(key);
    vdef = value ? ovsdb_replica_base_default(value) : NULL;
    if (!kdef || (value && !vdef)) {
        json_decref(kdef);
        json_decref(vdef);
        return NULL;
    }
    if (n_min == 0) {
        dflt = value ? ovsdb_datum_map(json_object())
                     : ovsdb_datum_empty_set();
        json_decref(kdef);
        json_decref(vdef);
    } else if (value) {
        dflt = json_pack("[s, [[o, o]]]", "map", kdef, vdef);
    } else {
        dflt = kdef;
    }
    return json_pack("{s:i, s:o}", "k", kind, "d", dflt);
}

/* Learns column kinds and defaults from 'schema' (borrowed).  Returns NULL
 * or a malloc'd error (then 'r' keeps its previous schema). */
char *
ovsdb_replica_set_schema(struct ovsdb_replica *r, const json_t *schema)
{
    const char *name = json_string_value(json_object_get(schema, "name"));
    const json_t *tables = json_object_get(schema, "tables");
    const char *table, *column;
    const json_t *tschema, *cschema, *columns, *c;
    json_t *kinds;
    size_t i;

    if (!name || !json_is_object(tables)) {
        return gn_xstrdup("schema: expected {\"name\": ..., \"tables\": {}}");
    }
    if (strcmp(name, r->db)) {
        return gn_xasprintf("schema is for database %s, not %s", name, r->db);
    }
    kinds = json_object();
    json_object_foreach ((json_t *) tables, table, tschema) {
        json_t *tkinds = json_object();

        json_object_set_new(kinds, table, tkinds);
        json_object_foreach (json_object_get(tschema, "columns"),
                             column, cschema) {
            json_t *info = ovsdb_replica_parse_type(
                json_object_get(cschema, "type"));

            if (!info) {
                json_decref(kinds);
                return gn_xasprintf("schema: bad type for %s.%s",
                                    table, column);
            }
            json_object_set_new(tkinds, column, info);
        }
    }
    json_object_foreach (r->columns, table, columns) {
        json_array_foreach (columns, i, c) {
            if (!json_object_get(json_object_get(kinds, table),
                                 json_string_value(c))) {
                json_decref(kinds);
                return gn_xasprintf("schema has no column %s.%s", table,
                                    json_string_value(c));
            }
        }
    }
    json_decref(r->kinds);
    r->kinds = kinds;
    return NULL;
}

/* Returns the schema info {"k": kind, "d": default} of table.column
 * (borrowed), or NULL if unknown. */
static const json_t *
ovsdb_replica_column_info(const struct ovsdb_replica *r, const char *table,
                          const char *column)
{
    return json_object_get(json_object_get(r->kinds, table), column);
}

/* Returns true if 'v' (borrowed) is ["TAG", [...]]. */
static bool
ovsdb_datum_is_tagged(const json_t *v, const char *tag)
{
    return json_is_array(v) && json_array_size(v) == 2
           && json_is_string(json_array_get(v, 0))
           && !strcmp(json_string_value(json_array_get(v, 0)), tag)
           && json_is_array(json_array_get(v, 1));
}

/* Returns the UUID (borrowed) of the atom ["uuid", UUID], or NULL. */
static const char *
ovsdb_datum_atom_uuid(const json_t *atom)
{
    const char *tag = json_string_value(json_array_get(atom, 0));

    return (json_array_size(atom) == 2 && tag && !strcmp(tag, "uuid")
            ? json_string_value(json_array_get(atom, 1)) : NULL);
}

/* Returns the string of a string atom or the UUID of ["uuid", UUID]
 * (borrowed), or NULL for other atoms. */
static const char *
ovsdb_datum_atom_key(const json_t *atom)
{
    return (json_is_string(atom) ? json_string_value(atom)
            : ovsdb_datum_atom_uuid(atom));
}

/* Returns the elements of the set datum 'v' (borrowed) as a new array: the
 * members of ["set", [...]], or [v] for a bare atom. */
static json_t *
ovsdb_datum_set_elements(const json_t *v)
{
    json_t *elements;

    if (ovsdb_datum_is_tagged(v, "set")) {
        return json_copy(json_array_get(v, 1));
    }
    elements = json_array();
    json_array_append(elements, (json_t *) v);
    return elements;
}

/* Returns the index of the first member of 'array' equal to 'v' (or whose
 * first member equals 'v', if 'pairs'), or -1. */
static int
ovsdb_datum_find(const json_t *array, const json_t *v, bool pairs)
{
    const json_t *e;
    size_t i;

    json_array_foreach (array, i, e) {
        if (json_equal(pairs ? json_array_get(e, 0) : e, (json_t *) v)) {
            return i;
        }
    }
    return -1;
}

/* Returns a new set datum with 'elements' (stolen): a bare atom if there is
 * exactly one element, as ovsdb-server sends it. */
static json_t *
ovsdb_datum_from_elements(json_t *elements)
{
    json_t *atom;

    if (json_array_size(elements) == 1) {
        atom = json_incref(json_array_get(elements, 0));
        json_decref(elements);
        return atom;
    }
    return ovsdb_datum_set(elements);
}

/* Toggles the atoms of the array 'diff' in the set datum 'old' (both
 * borrowed; 'old' may be NULL for empty), as a walk of 'old' for each atom
 * would, but in O(old + diff) with a hash of 'diff': atoms of 'old' listed
 * (an odd number of times) go, atoms listed that 'old' lacks are appended
 * in the order of 'diff'.  Returns the new elements as a new array, or
 * NULL if an atom of 'diff' is neither a string nor a UUID (then the
 * caller walks). */
static json_t *
ovsdb_datum_toggle_hashed(const json_t *old, const json_t *diff)
{
    json_t *listed = json_object();     /* {key: times listed} */
    json_t *single = NULL;
    const json_t *e, *elements;
    json_t *result, *n;
    const char *key;
    size_t i;

    json_array_foreach (diff, i, e) {
        key = ovsdb_datum_atom_key(e);
        if (!key) {
            json_decref(listed);
            return NULL;
        }
        n = json_object_get(listed, key);
        json_object_set_new(listed, key,
                            json_integer(json_integer_value(n) + 1));
    }

    result = json_array();
    if (ovsdb_datum_is_tagged(old, "set")) {
        elements = json_array_get(old, 1);
    } else {
        /* A bare atom (or nothing). */
        elements = single = json_array();
        if (old) {
            json_array_append(single, (json_t *) old);
        }
    }
    json_array_foreach (elements, i, e) {
        key = ovsdb_datum_atom_key(e);
        n = key ? json_object_get(listed, key) : NULL;
        if (!n || !(json_integer_value(n) & 1)) {
            json_array_append(result, (json_t *) e);
        }
        if (n) {
            json_integer_set(n, 0);     /* Settled: not appended below. */
        }
    }
    json_array_foreach (diff, i, e) {
        n = json_object_get(listed, ovsdb_datum_atom_key(e));
        if (json_integer_value(n) & 1) {
            json_array_append(result, (json_t *) e);
            json_integer_set(n, 0);
        }
    }
    json_decref(single);
    json_decref(listed);
    return result;
}

/* Applies the "update2" diff 'diff' to 'old' (both borrowed; 'old' may be
 * NULL for empty) of a column of 'kind'.  Returns a new reference. */
static json_t *
ovsdb_datum_apply_diff(enum ovsdb_replica_kind kind, const json_t *old,
                       const json_t *diff)
{
    json_t *result, *elements;
    const json_t *e;
    size_t i;

    switch (kind) {
    case OVSDB_REPLICA_SCALAR:
        return json_incref((json_t *) diff);
    case OVSDB_REPLICA_SET:
        elements = ovsdb_datum_set_elements(diff);
        /* Hashing every old atom costs about two walks: worth it from
         * three atoms on (a transaction that adds many ports). */
        result = (json_array_size(elements) > 2
                  ? ovsdb_datum_toggle_hashed(old, elements) : NULL);
        if (result) {
            json_decref(elements);
            return ovsdb_datum_from_elements(result);
        }
        result = old ? ovsdb_datum_set_elements(old) : json_array();
        json_array_foreach (elements, i, e) {
            int idx = ovsdb_datum_find(result, e, false);

            if (idx >= 0) {
                json_array_remove(result, idx);
            } else {
                json_array_append(result, (json_t *) e);
            }
        }
        json_decref(elements);
        return ovsdb_datum_from_elements(result);
    case OVSDB_REPLICA_MAP:
        result = old && ovsdb_datum_is_tagged(old, "map")
                 ? json_copy(json_array_get(old, 1)) : json_array();
        json_array_foreach (json_array_get(diff, 1), i, e) {
            int idx = ovsdb_datum_find(result, json_array_get(e, 0), true);

            if (idx < 0) {
                json_array_append(result, (json_t *) e);
            } else if (json_equal(json_array_get(json_array_get(result, idx),
                                                 1),
                                  json_array_get(e, 1))) {
                json_array_remove(result, idx);
            } else {
                json_array_set(result, idx, (json_t *) e);
            }
        }
        return json_pack("[s, o]", "map", result);
    }
    return json_incref((json_t *) diff);
}

/* Checks that 'v' (borrowed) is a well-formed value or diff for a column of
 * 'kind': maps must be ["map", [[k, v]...]], sets an atom or
 * ["set", [...]].  Returns true if so. */
static bool
ovsdb_datum_check(enum ovsdb_replica_kind kind, const json_t *v)
{
    const json_t *e;
    size_t i;

    switch (kind) {
    case OVSDB_REPLICA_SCALAR:
        return true;
    case OVSDB_REPLICA_SET:
        return !ovsdb_datum_is_tagged(v, "map");
    case OVSDB_REPLICA_MAP:
        if (!ovsdb_datum_is_tagged(v, "map")) {
            return false;
        }
        json_array_foreach (json_array_get(v, 1), i, e) {
            if (!json_is_array(e) || json_array_size(e) != 2) {
                return false;
            }
        }
        return true;
    }
    return false;
}

/* Checks the values in 'row' (borrowed) of 'table' against the schema
 * kinds; 'diff' says whether they are "update2" diffs.  Returns NULL or a
 * malloc'd error.  Columns the schema does not know are allowed in full
 * rows (they are stored as given) but not in diffs. */
static char *
ovsdb_replica_check_row(const struct ovsdb_replica *r, const char *table,
                        const char *uuid, const json_t *row, bool diff)
{
    const char *column;
    const json_t *value;

    if (!json_is_object(row)) {
        return gn_xasprintf("%s %s: row is not an object", table, uuid);
    }
    json_object_foreach ((json_t *) row, column, value) {
        const json_t *info = ovsdb_replica_column_info(r, table, column);

        if (!info) {
            if (diff) {
                return gn_xasprintf("%s %s: no schema for column %s",
                                    table, uuid, column);
            }
            continue;
        }
        if (!ovsdb_datum_check(json_integer_value(json_object_get(info, "k")),
                               value)) {
            return gn_xasprintf("%s %s: bad value for column %s",
                                table, uuid, column);
        }
    }
    return NULL;
}

/* Secondary indexes.
 *
 * An index of table.column maps each string or UUID atom of the column (the
 * value of a string column, each member of a set of UUIDs) to the rows that
 * hold it: {key: {uuid: true}}.  Keys with no rows left are removed, so a
 * key is present exactly when some row holds it.  Map columns index
 * nothing. */

enum ovsdb_replica_index_op {
    OVSDB_REPLICA_INDEX_ADD,
    OVSDB_REPLICA_INDEX_REMOVE,
    OVSDB_REPLICA_INDEX_TOGGLE,     /* As an "update2" set diff does. */
};

/* Applies 'op' to the entry of row 'uuid' under 'key' in 'index'. */
static void
ovsdb_replica_index_entry(json_t *index, const char *key, const char *uuid,
                          enum ovsdb_replica_index_op op)
{
    json_t *uuids = json_object_get(index, key);
    bool present = json_object_get(uuids, uuid) != NULL;

    if (op == OVSDB_REPLICA_INDEX_TOGGLE) {
        op = present ? OVSDB_REPLICA_INDEX_REMOVE : OVSDB_REPLICA_INDEX_ADD;
    }
    if (op == OVSDB_REPLICA_INDEX_ADD && !present) {
        if (!uuids) {
            uuids = json_object();
            json_object_set_new(index, key, uuids);
        }
        json_object_set_new(uuids, uuid, json_true());
    } else if (op == OVSDB_REPLICA_INDEX_REMOVE && present) {
        json_object_del(uuids, uuid);
        if (!json_object_size(uuids)) {
            json_object_del(index, key);
        }
    }
}

/* Applies 'op' to the entries of row 'uuid' for each atom of 'value' (a
 * column value or an "update2" set diff, borrowed; may be NULL). */
static void
ovsdb_replica_index_value(json_t *index, const char *uuid,
                          const json_t *value,
                          enum ovsdb_replica_index_op op)
{
    const json_t *atom;
    const char *key;
    size_t i;

    if (ovsdb_datum_is_tagged(value, "set")) {
        json_array_foreach (json_array_get(value, 1), i, atom) {
            key = ovsdb_datum_atom_key(atom);
            if (key) {
                ovsdb_replica_index_entry(index, key, uuid, op);
            }
        }
    } else if ((key = ovsdb_datum_atom_key(value))) {
        ovsdb_replica_index_entry(index, key, uuid, op);
    }
}

/* Adds ('add') or removes the entries of 'row' (borrowed), row 'uuid' of a
 * table whose indexes are 'tindexes' ({column: index}, may be NULL).  If
 * 'columns' is nonnull, only the indexed columns it has as members count. */
static void
ovsdb_replica_index_row(json_t *tindexes, const char *uuid,
                        const json_t *row, const json_t *columns, bool add)
{
    const char *column;
    json_t *index;

    json_object_foreach (tindexes, column, index) {
        if (!columns || json_object_get(columns, column)) {
            ovsdb_replica_index_value(index, uuid,
                                      json_object_get(row, column),
                                      add ? OVSDB_REPLICA_INDEX_ADD
                                          : OVSDB_REPLICA_INDEX_REMOVE);
        }
    }
}

/* See ovsdb-replica.h. */
void
ovsdb_replica_add_quiet_column(struct ovsdb_replica *r, const char *table,
                               const char *column)
{
    json_t *tquiet = json_object_get(r->quiet, table);

    if (!tquiet) {
        tquiet = json_object();
        json_object_set_new(r->quiet, table, tquiet);
    }
    json_object_set_new(tquiet, column, json_true());
}

/* Indexes 'column' of 'table' (see ovsdb-replica.h).  Rows already in the
 * replica are indexed now.  Aborts if 'table' has not been added or does
 * not monitor 'column' (a programming error). */
void
ovsdb_replica_add_index(struct ovsdb_replica *r, const char *table,
                        const char *column)
{
    const json_t *columns = json_object_get(r->columns, table);
    json_t *tindexes, *index;
    const json_t *c, *row;
    const char *uuid;
    bool monitored = false;
    size_t i;

    json_array_foreach (columns, i, c) {
        monitored |= !strcmp(json_string_value(c), column);
    }
    if (!monitored) {
        gn_fatal("ovsdb_replica: cannot index %s.%s: not monitored",
                 table, column);
    }
    tindexes = json_object_get(r->indexes, table);
    if (!tindexes) {
        tindexes = json_object();
        json_object_set_new(r->indexes, table, tindexes);
    }
    if (json_object_get(tindexes, column)) {
        return;
    }
    index = json_object();
    json_object_set_new(tindexes, column, index);
    json_object_foreach (json_object_get(r->data, table), uuid, row) {
        ovsdb_replica_index_value(index, uuid, json_object_get(row, column),
                                  OVSDB_REPLICA_INDEX_ADD);
    }
}

/* Update operations, after checking. */
enum ovsdb_replica_op {
    OVSDB_REPLICA_OP_INSERT,    /* Row is the full new row. */
    OVSDB_REPLICA_OP_MODIFY2,   /* Row holds "update2" diffs. */
    OVSDB_REPLICA_OP_MERGE,     /* Row holds new values ("update" form). */
    OVSDB_REPLICA_OP_DELETE,
};

/* Classifies the row update 'ru' (borrowed) of 'table'/'uuid' and checks
 * it.  On success stores the operation in '*op' and the row it carries
 * (borrowed, NULL for delete) in '*row' and returns NULL; else returns a
 * malloc'd error.  'initial' says the replica is being refilled. */
static char *
ovsdb_replica_parse_row_update(const struct ovsdb_replica *r,
                               const char *table, const char *uuid,
                               const json_t *ru, bool update2, bool initial,
                               enum ovsdb_replica_op *op, const json_t **row)
{
    bool exists = !initial && json_object_get(
        json_object_get(r->data, table), uuid);

    if (!json_is_object(ru)) {
        return gn_xasprintf("%s %s: row update is not an object",
                            table, uuid);
    }
    if (update2) {
        const char *key;
        const json_t *value;

        if (json_object_size(ru) != 1) {
            return gn_xasprintf("%s %s: row update2 needs exactly one of "
                                "initial, insert, modify, delete",
                                table, uuid);
        }
        json_object_foreach ((json_t *) ru, key, value) {
            if (!strcmp(key, "initial") || !strcmp(key, "insert")) {
                *op = OVSDB_REPLICA_OP_INSERT;
                *row = value;
                return ovsdb_replica_check_row(r, table, uuid, value, false);
            } else if (!strcmp(key, "modify")) {
                if (!exists) {
                    return gn_xasprintf("%s %s: modify of a row not in the "
                                        "replica", table, uuid);
                }
                *op = OVSDB_REPLICA_OP_MODIFY2;
                *row = value;
                return ovsdb_replica_check_row(r, table, uuid, value, true);
            } else if (!strcmp(key, "delete")) {
                *op = OVSDB_REPLICA_OP_DELETE;
                *row = NULL;
                return NULL;
            }
            return gn_xasprintf("%s %s: unknown row update2 \"%s\"",
                                table, uuid, key);
        }
    } else {
        const json_t *old = json_object_get(ru, "old");
        const json_t *new = json_object_get(ru, "new");

        if ((old && !json_is_object(old)) || (!old && !new)) {
            return gn_xasprintf("%s %s: bad row update", table, uuid);
        }
        *row = new;
        if (!new) {
            *op = OVSDB_REPLICA_OP_DELETE;
            return NULL;
        }
        *op = exists ? OVSDB_REPLICA_OP_MERGE : OVSDB_REPLICA_OP_INSERT;
        return ovsdb_replica_check_row(r, table, uuid, new, false);
    }
    return NULL;
}

/* True if the "update2" modify 'update' of a row of 'table' changes quiet
 * columns only. */
static bool
ovsdb_replica_only_quiet__(const struct ovsdb_replica *r, const char *table,
                           const json_t *update)
{
    const json_t *tquiet = json_object_get(r->quiet, table);
    const char *column;
    const json_t *value;

    if (!tquiet || !json_object_size(update)) {
        return false;
    }
    json_object_foreach ((json_t *) update, column, value) {
        if (!json_object_get(tquiet, column)) {
            return false;
        }
    }
    return true;
}

/* Applies one checked row update (see ovsdb_replica_parse_row_update()) to
 * 'rows', the {uuid: row} of 'table', and to the table's indexes.  Returns
 * true unless it changed quiet columns only. */
static bool
ovsdb_replica_apply_row(struct ovsdb_replica *r, const char *table,
                        json_t *rows, const char *uuid,
                        enum ovsdb_replica_op op, const json_t *update)
{
    json_t *row = json_object_get(rows, uuid);
    const json_t *tkinds = json_object_get(r->kinds, table);
    json_t *tindexes = json_object_get(r->indexes, table);
    json_t *tseqnos = json_object_get(r->row_seqnos, table);
    const char *column;
    const json_t *value, *c;
    size_t i;

    if (!tseqnos) {
        tseqnos = json_object();
        json_object_set_new(r->row_seqnos, table, tseqnos);
    }
    bool quiet = (op == OVSDB_REPLICA_OP_MODIFY2 && row
                  && ovsdb_replica_only_quiet__(r, table, update));

    if (quiet) {
        /* Not a change of the row for its consumers. */
    } else if (op == OVSDB_REPLICA_OP_DELETE) {
        ovsdb_replica_log_append__(gn_strmap_get(&r->logs, table), uuid,
                                   r->seqno + 1, row != NULL, false);
        json_object_del(tseqnos, uuid);
    } else {
        ovsdb_replica_log_append__(gn_strmap_get(&r->logs, table), uuid,
                                   r->seqno + 1, row != NULL, true);
        /* The seqno this update gives the replica. */
        json_object_set_new(tseqnos, uuid, json_integer(r->seqno + 1));
    }

    switch (op) {
    case OVSDB_REPLICA_OP_INSERT:
        if (row) {
            /* Replaces the row (an "initial" or "insert" of a known
             * UUID). */
            ovsdb_replica_index_row(tindexes, uuid, row, NULL, false);
        }
        /* A shallow copy: values are shared and never changed in place. */
        row = json_copy((json_t *) update);
        json_object_del(row, "_uuid");
        json_object_del(row, "_version");
        json_array_foreach (json_object_get(r->columns, table), i, c) {
            const json_t *info = json_object_get(tkinds,
                                                 json_string_value(c));

            if (info && !json_object_get(row, json_string_value(c))) {
                json_object_set(row, json_string_value(c),
                                json_object_get(info, "d"));
            }
        }
        json_object_set_new(rows, uuid, row);
        ovsdb_replica_index_row(tindexes, uuid, row, NULL, true);
        break;
    case OVSDB_REPLICA_OP_MODIFY2:
        json_object_foreach ((json_t *) update, column, value) {
            const json_t *info = json_object_get(tkinds, column);
            enum ovsdb_replica_kind kind = json_integer_value(
                json_object_get(info, "k"));
            json_t *index = json_object_get(tindexes, column);

            if (index && kind == OVSDB_REPLICA_SET) {
                /* The diff lists the atoms that come or go. */
                ovsdb_replica_index_value(index, uuid, value,
                                          OVSDB_REPLICA_INDEX_TOGGLE);
                index = NULL;
            } else if (index) {
                ovsdb_replica_index_value(index, uuid,
                                          json_object_get(row, column),
                                          OVSDB_REPLICA_INDEX_REMOVE);
            }
            json_object_set_new(row, column, ovsdb_datum_apply_diff(
                kind, json_object_get(row, column), value));
            if (index) {
                ovsdb_replica_index_value(index, uuid,
                                          json_object_get(row, column),
                                          OVSDB_REPLICA_INDEX_ADD);
            }
        }
        break;
    case OVSDB_REPLICA_OP_MERGE:
        ovsdb_replica_index_row(tindexes, uuid, row, update, false);
        json_object_update(row, (json_t *) update);
        json_object_del(row, "_uuid");
        json_object_del(row, "_version");
        ovsdb_replica_index_row(tindexes, uuid, row, update, true);
        break;
    case OVSDB_REPLICA_OP_DELETE:
        if (row) {
            ovsdb_replica_index_row(tindexes, uuid, row, NULL, false);
        }
        json_object_del(rows, uuid);
        break;
    }
    return !quiet;
}

/* Applies 'table_updates' (borrowed) to 'r' (see ovsdb-replica.h).  The
 * whole update is checked before anything changes: on error 'r' is left as
 * it was.  Does not call the changed callback. */
char *
ovsdb_replica_apply_update(struct ovsdb_replica *r,
                           const json_t *table_updates, bool update2,
                           bool initial)
{
    const char *table, *uuid;
    const json_t *tu, *ru;
    enum ovsdb_replica_op op;
    const json_t *row;
    json_t *rows;
    char *error;
    bool changed = initial;     /* A resync changes every row. */

    if (!json_is_object(table_updates)) {
        return gn_xstrdup("table updates are not an object");
    }
    json_object_foreach ((json_t *) table_updates, table, tu) {
        if (!json_object_get(r->data, table)) {
            return gn_xasprintf("update for unmonitored table %s", table);
        }
        if (!json_is_object(tu)) {
            return gn_xasprintf("%s: table update is not an object", table);
        }
        json_object_foreach ((json_t *) tu, uuid, ru) {
            error = ovsdb_replica_parse_row_update(r, table, uuid, ru,
                                                   update2, initial,
                                                   &op, &row);
            if (error) {
                return error;
            }
        }
    }

    if (initial) {
        json_t *tindexes, *index;
        const char *column;

        json_object_foreach (r->data, table, rows) {
            json_object_clear(rows);
        }
        json_object_clear(r->row_seqnos);
        json_object_foreach (r->indexes, table, tindexes) {
            json_object_foreach (tindexes, column, index) {
                json_object_clear(index);
            }
        }
    }
    json_object_foreach ((json_t *) table_updates, table, tu) {
        rows = json_object_get(r->data, table);
        json_object_foreach ((json_t *) tu, uuid, ru) {
            error = ovsdb_replica_parse_row_update(r, table, uuid, ru,
                                                   update2, false,
                                                   &op, &row);
            free(error);    /* Checked above: always NULL. */
            changed |= ovsdb_replica_apply_row(r, table, rows, uuid, op,
                                               row);
        }
    }
    r->seqno++;
    if (changed) {
        r->change_seqno = r->seqno;
    }

    struct gn_strmap_node *node;
    GN_STRMAP_FOR_EACH (node, &r->logs) {
        if (initial) {
            /* Nothing from before the resync can be told apart. */
            ovsdb_replica_log_reset__(node->value, r->seqno);
        } else if (json_object_get(table_updates, node->key)) {
            ovsdb_replica_log_trim__(node->value,
                                     ovsdb_replica_count(r, node->key));
        }
    }
    return NULL;
}

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

/* Sends "monitor_cond" (or "monitor") for the tables of 'r' with a fresh
 * monitor id. */
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
                       type == OVSDB_REPLICA_MONITOR ? "monitor"
                       : "get_schema", apply_error);
        free(apply_error);
        /* Without a replica nothing can proceed: start over (the session
         * backs off, so a server that keeps refusing is not hammered). */
        jsonrpc_session_force_reconnect(session);
        return;
    }
    if (type == OVSDB_REPLICA_GET_SCHEMA) {
        apply_error = ovsdb_replica_set_schema(
            r, json_object_get(reply, "result"));
    } else {
        apply_error = ovsdb_replica_apply_update(
            r, json_object_get(reply, "result"), r->use_monitor_cond, true);
    }
    if (apply_error) {
        GN_LOG_WARN_RL(&rl, "%s: %s (reconnecting)",
                       jsonrpc_session_remote(session), apply_error);
        free(apply_error);
        jsonrpc_session_force_reconnect(session);
        return;
    }
    if (type == OVSDB_REPLICA_MONITOR) {
        r->synced = true;
        GN_LOG_INFO("%s: replica of %s synced (seqno %llu)",
                    jsonrpc_session_remote(session), r->db, r->seqno);
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
    bool update2;
    char *error;

    if (!method || !r->monitor_id || !r->session
        || !json_equal(json_array_get(params, 0), r->monitor_id)) {
        return false;
    }
    if (!strcmp(method, "monitor_canceled")) {
        GN_LOG_INFO("%s: monitor canceled by the server, resyncing",
                    jsonrpc_session_remote(r->session));
        ovsdb_replica_monitor(r, r->session);
        return true;
    }
    update2 = !strcmp(method, "update2");
    if (!update2 && strcmp(method, "update")) {
        return false;
    }
    error = ovsdb_replica_apply_update(r, json_array_get(params, 1), update2,
                                       false);
    if (error) {
        GN_LOG_WARN_RL(&rl, "%s: bad %s, resyncing: %s",
                       jsonrpc_session_remote(r->session), method, error);
        free(error);
        ovsdb_replica_monitor(r, r->session);
        return true;
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

/* Returns true once the latest monitor reply was applied. */
bool
ovsdb_replica_is_synced(const struct ovsdb_replica *r)
{
    return r->synced;
}

/* Returns a number that increases on every change of 'r'. */
unsigned long long
ovsdb_replica_seqno(const struct ovsdb_replica *r)
{
    return r->seqno;
}

unsigned long long
ovsdb_replica_change_seqno(const struct ovsdb_replica *r)
{
    return r->change_seqno;
}

/* Returns the row 'uuid' of 'table' (borrowed), or NULL. */
const json_t *
ovsdb_replica_get_row(const struct ovsdb_replica *r, const char *table,
                      const char *uuid)
{
    return json_object_get(json_object_get(r->data, table), uuid);
}

/* Returns the number of rows in 'table'. */
size_t
ovsdb_replica_count(const struct ovsdb_replica *r, const char *table)
{
    return json_object_size(json_object_get(r->data, table));
}

/* Returns the rows of 'table' as {uuid: row} (borrowed), or NULL if 'table'
 * is not monitored. */
const json_t *
ovsdb_replica_table(const struct ovsdb_replica *r, const char *table)
{
    return json_object_get(r->data, table);
}

/* Returns the index of 'table'.'column' (borrowed).  Aborts if there is
 * none: a lookup without an index is a programming error, not a miss. */
static const json_t *
ovsdb_replica_get_index(const struct ovsdb_replica *r, const char *table,
                        const char *column)
{
    const json_t *index = json_object_get(
        json_object_get(r->indexes, table), column);

    if (!index) {
        gn_fatal("ovsdb_replica: %s.%s is not indexed", table, column);
    }
    return index;
}

/* Returns the rows of 'table' whose indexed 'column' holds 'key', as
 * {uuid: true} (borrowed, valid until the next change), or NULL if
 * none. */
const json_t *
ovsdb_replica_index_lookup(const struct ovsdb_replica *r, const char *table,
                           const char *column, const char *key)
{
    return json_object_get(ovsdb_replica_get_index(r, table, column), key);
}

/* Returns the UUID (borrowed, valid until the next change) of the row of
 * 'table' whose indexed 'column' holds 'key', the smallest UUID if several
 * do, or NULL if none does. */
const char *
ovsdb_replica_index_find(const struct ovsdb_replica *r, const char *table,
                         const char *column, const char *key)
{
    const json_t *uuids = ovsdb_replica_index_lookup(r, table, column, key);
    const char *uuid, *found = NULL;
    const json_t *v;

    json_object_foreach ((json_t *) uuids, uuid, v) {
        if (!found || strcmp(uuid, found) < 0) {
            found = uuid;
        }
    }
    return found;
}

/* Returns true if row 'uuid' of 'table' holds 'key' in indexed
 * 'column'. */
bool
ovsdb_replica_index_has(const struct ovsdb_replica *r, const char *table,
                        const char *column, const char *key,
                        const char *uuid)
{
    return json_object_get(ovsdb_replica_index_lookup(r, table, column, key),
                           uuid) != NULL;
}

/* Returns the single atom of 'row'[column] (borrowed): the value itself, or
 * the element of a one-element ["set", [x]]; NULL otherwise. */
static const json_t *
ovsdb_datum_single(const json_t *row, const char *column)
{
    const json_t *v = json_object_get(row, column);

    if (ovsdb_datum_is_tagged(v, "set")) {
        v = json_array_size(json_array_get(v, 1)) == 1
            ? json_array_get(json_array_get(v, 1), 0) : NULL;
    }
    return v;
}

/* Returns the string in 'row'[column] (borrowed), or NULL. */
const char *
ovsdb_datum_string(const json_t *row, const char *column)
{
    return json_string_value(ovsdb_datum_single(row, column));
}

/* Stores the integer in 'row'[column] in '*value' and returns true, or
 * returns false if there is none. */
bool
ovsdb_datum_integer(const json_t *row, const char *column, json_int_t *value)
{
    const json_t *v = ovsdb_datum_single(row, column);

    if (!json_is_integer(v)) {
        return false;
    }
    *value = json_integer_value(v);
    return true;
}

/* Returns the value under string key 'key' in the map 'row'[column]
 * (borrowed), or NULL. */
const json_t *
ovsdb_datum_map_get(const json_t *row, const char *column, const char *key)
{
    const json_t *v = json_object_get(row, column);
    const json_t *pair;
    size_t i;

    if (!ovsdb_datum_is_tagged(v, "map")) {
        return NULL;
    }
    json_array_foreach (json_array_get(v, 1), i, pair) {
        const char *k = json_string_value(json_array_get(pair, 0));

        if (k && !strcmp(k, key)) {
            return json_array_get(pair, 1);
        }
    }
    return NULL;
}

/* As ovsdb_datum_map_get() for a string value; NULL if not a string. */
const char *
ovsdb_datum_map_get_string(const json_t *row, const char *column,
                           const char *key)
{
    return json_string_value(ovsdb_datum_map_get(row, column, key));
}

/* Returns the UUID (borrowed) of the first UUID atom in 'row'[column] at
 * position '*pos' or later, and sets '*pos' to its position; returns NULL
 * if there is none. */
const char *
ovsdb_datum_uuid_next(const json_t *row, const char *column, size_t *pos)
{
    const json_t *v = json_object_get(row, column);
    const json_t *elements;
    const char *uuid;

    if (!ovsdb_datum_is_tagged(v, "set")) {
        return *pos ? NULL : ovsdb_datum_atom_uuid(v);
    }
    elements = json_array_get(v, 1);
    for (; *pos < json_array_size(elements); (*pos)++) {
        uuid = ovsdb_datum_atom_uuid(json_array_get(elements, *pos));
        if (uuid) {
            return uuid;
        }
    }
    return NULL;
}

/* Returns the first UUID in 'row'[column] (borrowed), or NULL. */
const char *
ovsdb_datum_first_uuid(const json_t *row, const char *column)
{
    size_t pos = 0;

    return ovsdb_datum_uuid_next(row, column, &pos);
}

/* Returns the number of elements of the set 'row'[column]: those of
 * ["set", [...]], 1 for a bare atom, 0 if 'row' or the column is
 * missing. */
size_t
ovsdb_datum_size(const json_t *row, const char *column)
{
    const json_t *v = json_object_get(row, column);

    return (ovsdb_datum_is_tagged(v, "set")
            ? json_array_size(json_array_get(v, 1)) : v != NULL);
}

/* Returns the UUIDs in 'row'[column] as a new array of strings. */
json_t *
ovsdb_datum_uuids(const json_t *row, const char *column)
{
    json_t *uuids = json_array();
    const char *uuid;
    size_t pos;

    OVSDB_DATUM_FOR_EACH_UUID (uuid, pos, row, column) {
        json_array_append_new(uuids, json_string(uuid));
    }
    return uuids;
}

/* Returns ["uuid", 'uuid'] (new reference). */
json_t *
ovsdb_datum_uuid(const char *uuid)
{
    return json_pack("[s, s]", "uuid", uuid);
}

/* Returns ["named-uuid", 'name'] (new reference). */
json_t *
ovsdb_datum_named_uuid(const char *name)
{
    return json_pack("[s, s]", "named-uuid", name);
}

/* Returns ["set", 'elements'] (new reference; steals the array). */
json_t *
ovsdb_datum_set(json_t *elements)
{
    return json_pack("[s, o]", "set", elements);
}

/* Returns ["map", [[k, v]...]] from the object 'object' (stolen) with
 * string keys (new reference). */
json_t *
ovsdb_datum_map(json_t *object)
{
    json_t *pairs = json_array();
    const char *key;
    json_t *value;

    json_object_foreach (object, key, value) {
        json_array_append_new(pairs, json_pack("[s, O]", key, value));
    }
    json_decref(object);
    return json_pack("[s, o]", "map", pairs);
}

/* Returns ["set", []] (new reference). */
json_t *
ovsdb_datum_empty_set(void)
{
    return ovsdb_datum_set(json_array());
}

unsigned long long
ovsdb_replica_row_seqno(const struct ovsdb_replica *r, const char *table,
                        const char *uuid)
{
    return json_integer_value(json_object_get(
        json_object_get(r->row_seqnos, table), uuid));
}

/* Starts '*it' on the changes of 'table' since seqno 'since' (see
 * ovsdb-replica.h).  Returns false if the log no longer reaches back that
 * far. */
bool
ovsdb_replica_changes_init(struct ovsdb_replica_changes *it,
                           const struct ovsdb_replica *r, const char *table,
                           unsigned long long since)
{
    const struct ovsdb_replica_log *log = gn_strmap_get(&r->logs, table);
    size_t lo = 0, hi;

    memset(it, 0, sizeof *it);
    if (!log || since < log->horizon || since > r->seqno) {
        return false;
    }
    /* The first entry after 'since'. */
    hi = log->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (log->entries[mid].seqno <= since) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    it->log = log;
    it->since = since;
    it->pos = lo;
    return true;
}

/* Returns the UUID (borrowed, valid until the replica changes) of the next
 * row changed since the seqno '*it' started from, and stores how in
 * '*change'; NULL when there are no more. */
const char *
ovsdb_replica_changes_next(struct ovsdb_replica_changes *it,
                           enum ovsdb_replica_change *change)
{
    const struct ovsdb_replica_log *log = it->log;

    while (log && it->pos < log->n) {
        const struct ovsdb_replica_log_entry *e = &log->entries[it->pos++];
        const struct ovsdb_replica_log_entry *first = e;
        bool existed;

        if (e->superseded) {
            continue;           /* Its latest entry comes later. */
        }
        /* Whether the row existed at 'since': before its first change
         * after it. */
        while (first->prev && first->prev - 1 >= log->base
               && log->entries[first->prev - 1 - log->base].seqno
                  > it->since) {
            first = &log->entries[first->prev - 1 - log->base];
        }
        existed = first->existed;
        if (!existed && !e->exists) {
            continue;           /* Came and went. */
        }
        *change = (!existed ? OVSDB_REPLICA_INSERTED
                   : e->exists ? OVSDB_REPLICA_MODIFIED
                   : OVSDB_REPLICA_DELETED);
        return e->uuid;
    }
    return NULL;
}
