/* ovsdb-replica.c: a monitored copy of OVSDB tables (see
 * include/ovsdb-replica.h).
 *
 * Owns the rows ({table: {uuid: row}}), the secondary indexes over them,
 * the change log of each table, the column kinds learnt from the schema,
 * and the monitor requests in flight.  Requests in flight refer to
 * the replica through a refcounted anchor, so a replica can be destroyed
 * while a reply is still on its way: the reply then finds the anchor empty
 * and is dropped.  The monitor requests and their replies are
 * ovsdb/ovsdb-replica-monitor.c; the change logs, indexes and change feeds
 * ovsdb/ovsdb-replica-index.c; the datum helpers
 * ovsdb/ovsdb-replica-datum.c. */
#include <config.h>

#include "ovsdb-replica.h"
#include "ovsdb-replica-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

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
    r->interned = json_object();
    r->interned_pairs = json_object();
    r->logs = (struct gn_strmap) GN_STRMAP_INIT;
    r->anchor = gn_xzalloc(sizeof *r->anchor);
    r->anchor->replica = r;
    r->anchor->refcnt = 1;
    r->use_monitor_cond = true;
    r->use_since = true;
    return r;
}

/* Drops one reference to 'anchor', freeing it with the last. */
void
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
    free(r->last_txn_id);
    json_decref(r->data);
    json_decref(r->indexes);
    json_decref(r->interned);
    json_decref(r->interned_pairs);
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
        ovsdb_replica_intern_row(r, row);
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
            json_object_set_new(row, column, ovsdb_replica_intern(
                r, ovsdb_datum_apply_diff(kind, json_object_get(row, column),
                                          value)));
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
        ovsdb_replica_intern_row(r, row);
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
