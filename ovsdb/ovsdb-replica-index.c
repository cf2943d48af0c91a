/* ovsdb-replica-index.c: the parts of a replica (see
 * include/ovsdb-replica.h) that answer "what changed" and "which rows hold
 * this": each table's change log and the change feeds read from it, the
 * rows' change seqnos, and the secondary indexes over string and UUID
 * columns, kept up to date as rows change. */
#include <config.h>

#include "ovsdb-replica-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

/* Change logs. */

/* Empties 'log' and sets its horizon to 'horizon': a consumer that last
 * looked before it must rescan. */
void
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
void
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
void
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
void
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

/* An index maps each key to the rows that hold it: to the row's UUID, a
 * jansson string, when one row does (the usual case: names, a port's
 * interfaces), and to an object {uuid: true} when several do.  A string
 * costs a fifth of an object's memory. */

/* True if the entry 'rows' of an index holds row 'uuid'. */
static bool
ovsdb_replica_index_holds__(const json_t *rows, const char *uuid)
{
    return (json_is_string(rows) ? !strcmp(json_string_value(rows), uuid)
            : json_object_get(rows, uuid) != NULL);
}

/* Applies 'op' to the entry of row 'uuid' under 'key' in 'index'. */
static void
ovsdb_replica_index_entry(json_t *index, const char *key, const char *uuid,
                          enum ovsdb_replica_index_op op)
{
    json_t *rows = json_object_get(index, key);
    bool present = ovsdb_replica_index_holds__(rows, uuid);

    if (op == OVSDB_REPLICA_INDEX_TOGGLE) {
        op = present ? OVSDB_REPLICA_INDEX_REMOVE : OVSDB_REPLICA_INDEX_ADD;
    }
    if (op == OVSDB_REPLICA_INDEX_ADD && !present) {
        if (!rows) {
            json_object_set_new(index, key, json_string(uuid));
        } else {
            if (json_is_string(rows)) {
                json_t *several = json_object();

                json_object_set_new(several, json_string_value(rows),
                                    json_true());
                json_object_set_new(index, key, several);
                rows = several;
            }
            json_object_set_new(rows, uuid, json_true());
        }
    } else if (op == OVSDB_REPLICA_INDEX_REMOVE && present) {
        if (json_is_string(rows)) {
            json_object_del(index, key);
            return;
        }
        json_object_del(rows, uuid);
        if (json_object_size(rows) == 1) {
            void *it = json_object_iter(rows);

            json_object_set_new(index, key,
                                json_string(json_object_iter_key(it)));
        }
    }
}

/* Applies 'op' to the entries of row 'uuid' for each atom of 'value' (a
 * column value or an "update2" set diff, borrowed; may be NULL). */
void
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
void
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

/* Returns the entry of 'key' in the index of 'table'.'column' (a UUID
 * string or an object {uuid: true}; borrowed), or NULL. */
static const json_t *
ovsdb_replica_index_rows__(const struct ovsdb_replica *r, const char *table,
                           const char *column, const char *key)
{
    return json_object_get(ovsdb_replica_get_index(r, table, column), key);
}

const char *
ovsdb_replica_index_first(struct ovsdb_replica_index_iter *it,
                          const struct ovsdb_replica *r, const char *table,
                          const char *column, const char *key)
{
    it->rows = ovsdb_replica_index_rows__(r, table, column, key);
    if (json_is_string(it->rows)) {
        it->pos = NULL;
        return json_string_value(it->rows);
    }
    it->pos = json_object_iter((json_t *) it->rows);
    return it->pos ? json_object_iter_key(it->pos) : NULL;
}

const char *
ovsdb_replica_index_next(struct ovsdb_replica_index_iter *it)
{
    if (!it->pos) {
        return NULL;
    }
    it->pos = json_object_iter_next((json_t *) it->rows, it->pos);
    return it->pos ? json_object_iter_key(it->pos) : NULL;
}

size_t
ovsdb_replica_index_count(const struct ovsdb_replica *r, const char *table,
                          const char *column, const char *key)
{
    const json_t *rows = ovsdb_replica_index_rows__(r, table, column, key);

    return json_is_string(rows) ? 1 : json_object_size(rows);
}

/* Returns the UUID (borrowed, valid until the next change) of the row of
 * 'table' whose indexed 'column' holds 'key', the smallest UUID if several
 * do, or NULL if none does. */
const char *
ovsdb_replica_index_find(const struct ovsdb_replica *r, const char *table,
                         const char *column, const char *key)
{
    struct ovsdb_replica_index_iter it;
    const char *uuid, *found = NULL;

    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, r, table, column, key) {
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
    return ovsdb_replica_index_holds__(
        ovsdb_replica_index_rows__(r, table, column, key), uuid);
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
