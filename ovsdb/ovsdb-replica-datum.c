/* ovsdb-replica-datum.c: OVSDB datums (RFC 7047 <value>s: atoms, tagged
 * "uuid", "set" and "map" arrays) as jansson values: reading a column of
 * a row, building values for transactions, and applying the diffs of
 * "update2" modifies. */
#include <config.h>

#include "ovsdb-replica-private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

/* Returns true if 'v' (borrowed) is ["TAG", [...]]. */
bool
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
const char *
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
json_t *
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
bool
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
