/* ovsdb-replica-intern.c: one shared copy of the strings that recur across
 * a replica's rows (see ovsdb-replica-private.h).
 *
 * Every row of a table repeats the same datum tags ("set", "map", "uuid"),
 * the same map keys (external_ids' "guestnet:..." keys) and many of the
 * same short values ("up", "web", "true"); as parsed, each occurrence is a
 * jansson string of its own, some 80 bytes with its malloc overheads.  The
 * replica's values are never changed in place (a change makes a new
 * value), so a row can hold a string that other rows hold too: a value
 * stored in the replica goes through ovsdb_replica_intern(), which returns
 * it with those strings replaced by the replica's one copy of each.  A map
 * pair whose value is short is shared whole the same way (an array and its
 * table, some 130 bytes): every guest's Interface has "guestnet:kind"=kvm,
 * "guestnet:network"=web and the like.
 *
 * Owns the tables of shared strings ({text: string}) and pairs; a string
 * or pair that no row holds any more leaves them at the next purge, which
 * runs each time the two have grown by half since the last. */
#include <config.h>

#include "ovsdb-replica-private.h"

#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

/* Strings this long or shorter are shared wherever they occur; longer
 * ones (names, UUIDs, addresses: mostly one row's own) only as tags and
 * map keys. */
#define OVSDB_REPLICA_INTERN_SHORT 12

/* Removes from shared table 'table' the values that only it holds. */
static void
ovsdb_replica_intern_purge_table__(json_t *table)
{
    const char *text;
    json_t *s;
    void *tmp;

    json_object_foreach_safe (table, tmp, text, s) {
        if (s->refcount == 1) {
            json_object_del(table, text);
        }
    }
}

/* Returns how many strings and pairs 'r' shares. */
static size_t
ovsdb_replica_intern_size__(const struct ovsdb_replica *r)
{
    return json_object_size(r->interned) + json_object_size(r->interned_pairs);
}

/* Purges 'r''s shared tables if they have grown enough since the last
 * purge. */
static void
ovsdb_replica_intern_maybe_purge__(struct ovsdb_replica *r)
{
    if (ovsdb_replica_intern_size__(r) >= r->interned_purge_at) {
        ovsdb_replica_intern_purge_table__(r->interned);
        ovsdb_replica_intern_purge_table__(r->interned_pairs);
        r->interned_purge_at = ovsdb_replica_intern_size__(r) * 3 / 2 + 256;
    }
}

/* Returns a new reference to 'r''s copy of string 's' (borrowed), making
 * 's' the copy if there is none. */
static json_t *
ovsdb_replica_intern_string__(struct ovsdb_replica *r, json_t *s)
{
    const char *text = json_string_value(s);
    json_t *shared;

    if (strlen(text) != json_string_length(s)) {
        return json_incref(s);  /* (An embedded NUL: not a key.) */
    }
    shared = json_object_get(r->interned, text);
    if (!shared) {
        ovsdb_replica_intern_maybe_purge__(r);
        json_object_set(r->interned, text, s);
        shared = s;
    }
    return json_incref(shared);
}

static void ovsdb_replica_intern_at__(struct ovsdb_replica *, json_t *a,
                                      size_t i, bool key);

/* Replaces map pair 'i' of 'pairs' (its strings already shared) by 'r''s
 * copy of an equal pair if its value is a short string, making it the
 * copy if there is none. */
static void
ovsdb_replica_intern_pair_at__(struct ovsdb_replica *r, json_t *pairs,
                               size_t i)
{
    json_t *pair = json_array_get(pairs, i);
    const json_t *k = json_array_get(pair, 0);
    const json_t *v = json_array_get(pair, 1);
    json_t *shared;
    char *id;

    if (!json_is_string(k) || !json_is_string(v)
        || json_string_length(v) > OVSDB_REPLICA_INTERN_SHORT
        || strlen(json_string_value(k)) != json_string_length(k)
        || strlen(json_string_value(v)) != json_string_length(v)) {
        return;
    }
    /* The key's length first: "1:ab" + "c" and "2:a" + "bc" differ. */
    id = gn_xasprintf("%zu:%s%s", json_string_length(k),
                      json_string_value(k), json_string_value(v));
    shared = json_object_get(r->interned_pairs, id);
    if (!shared) {
        ovsdb_replica_intern_maybe_purge__(r);
        json_object_set(r->interned_pairs, id, pair);
    } else if (shared != pair) {
        json_array_set(pairs, i, shared);
    }
    free(id);
}

/* Replaces, in 'v' (borrowed), each string that recurs across rows by
 * 'r''s copy of it: a string of at most OVSDB_REPLICA_INTERN_SHORT bytes
 * or a map key ('key') anywhere, and the tags and parts of a tagged datum
 * (["set", [...]], ["map", [[k, v], ...]], ["uuid", "..."]), and a map
 * pair with a short value.  An array changes in place: a string or pair
 * replaced by an equal one changes nothing for anyone else who holds the
 * array (the update it came in, say).  Returns
 * the string to put in place of 'v' if 'v' is one (a new reference), else
 * NULL. */
static json_t *
ovsdb_replica_intern_value__(struct ovsdb_replica *r, json_t *v, bool key)
{
    if (json_is_string(v)) {
        return (key || json_string_length(v) <= OVSDB_REPLICA_INTERN_SHORT
                ? ovsdb_replica_intern_string__(r, v) : NULL);
    }
    if (!json_is_array(v) || json_array_size(v) != 2
        || !json_is_string(json_array_get(v, 0))) {
        return NULL;
    }
    const char *tag = json_string_value(json_array_get(v, 0));
    bool map = !strcmp(tag, "map");
    json_t *payload = json_array_get(v, 1);
    json_t *e;
    size_t i;

    if ((map || !strcmp(tag, "set")) && json_is_array(payload)) {
        json_array_foreach (payload, i, e) {
            if (map && json_is_array(e) && json_array_size(e) == 2) {
                ovsdb_replica_intern_at__(r, e, 0, true);
                ovsdb_replica_intern_at__(r, e, 1, false);
                ovsdb_replica_intern_pair_at__(r, payload, i);
            } else {
                ovsdb_replica_intern_at__(r, payload, i, false);
            }
        }
    } else if (strcmp(tag, "uuid") && strcmp(tag, "named-uuid")) {
        return NULL;
    }
    ovsdb_replica_intern_at__(r, v, 0, true);
    return NULL;
}

/* Interns element 'i' of array 'a' in place. */
static void
ovsdb_replica_intern_at__(struct ovsdb_replica *r, json_t *a, size_t i,
                          bool key)
{
    json_t *e = json_array_get(a, i);
    json_t *shared = ovsdb_replica_intern_value__(r, e, key);

    if (shared && shared != e) {
        json_array_set_new(a, i, shared);
    } else {
        json_decref(shared);
    }
}

/* See ovsdb-replica.h. */
size_t
ovsdb_replica_interned_count(const struct ovsdb_replica *r)
{
    return ovsdb_replica_intern_size__(r);
}

/* See ovsdb-replica-private.h. */
json_t *
ovsdb_replica_intern(struct ovsdb_replica *r, json_t *value)
{
    json_t *shared = ovsdb_replica_intern_value__(r, value, false);

    if (shared) {
        json_decref(value);
        return shared;
    }
    return value;
}

/* See ovsdb-replica-private.h. */
void
ovsdb_replica_intern_row(struct ovsdb_replica *r, json_t *row)
{
    const char *column;
    json_t *value;

    json_object_foreach (row, column, value) {
        json_t *shared = ovsdb_replica_intern_value__(r, value, false);

        if (shared && shared != value) {
            json_object_set_new(row, column, shared);
        } else {
            json_decref(shared);
        }
    }
}
