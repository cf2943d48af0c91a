/* gn-config-json.c: typed access to the fields of the config's JSON (see
 * lib/gn-config-private.h): each getter checks a member's type and each
 * error message starts with the path of the field at fault
 * ("networks[0].vlan: ..."), quoting the value it got.  Unknown keys are
 * errors.  JSON here is jansson's only. */
#include <config.h>

#include "gn-config-private.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Returns a new error message (caller frees): "PATH: " and then 'fmt'
 * formatted, or only the latter when 'path' is empty (the top level). */
char *
gn_config_error__(const char *path, const char *fmt, ...)
{
    char *msg, *error;
    va_list args;

    va_start(args, fmt);
    msg = gn_xvasprintf(fmt, args);
    va_end(args);
    if (!*path) {
        return msg;
    }
    error = gn_xasprintf("%s: %s", path, msg);
    free(msg);
    return error;
}

/* Returns a new error message (caller frees): "PATH: " and then 'detail',
 * which this function frees (typically a message from netaddr). */
char *
gn_config_wrap__(const char *path, char *detail)
{
    char *error = gn_config_error__(path, "%s", detail);

    free(detail);
    return error;
}

/* Writes into 'buf' the path of member 'key' of the object at 'parent'
 * ("key" at the top level, else "parent.key").  Returns 'buf'. */
char *
gn_config_member_path__(char buf[GN_CONFIG_PATH_SIZE], const char *parent,
                        const char *key)
{
    int n = snprintf(buf, GN_CONFIG_PATH_SIZE, "%s%s%s",
                     parent, *parent ? "." : "", key);

    assert(n < GN_CONFIG_PATH_SIZE);
    return buf;
}

/* Writes into 'buf' the path of element 'i' of the array at 'parent'
 * ("parent[i]").  Returns 'buf'. */
char *
gn_config_index_path__(char buf[GN_CONFIG_PATH_SIZE], const char *parent,
                       size_t i)
{
    int n = snprintf(buf, GN_CONFIG_PATH_SIZE, "%s[%zu]", parent, i);

    assert(n < GN_CONFIG_PATH_SIZE);
    return buf;
}

/* Returns 'value' (borrowed) as compact JSON, cut with "..." after
 * GN_CONFIG_QUOTE_MAX bytes, for an error message.  Caller frees. */
char *
gn_config_quote__(const json_t *value)
{
    char *s = json_dumps(value, JSON_ENCODE_ANY | JSON_COMPACT);
    char *quoted;

    if (!s) {
        gn_fatal("out of memory");
    }
    if (strlen(s) > GN_CONFIG_QUOTE_MAX) {
        quoted = gn_xasprintf("%.*s...", GN_CONFIG_QUOTE_MAX, s);
    } else {
        quoted = gn_xstrdup(s);
    }
    free(s);
    return quoted;
}

/* Returns the string 's' JSON-quoted (as gn_config_quote__() does) for an
 * error message.  Caller frees. */
char *
gn_config_quote_string__(const char *s)
{
    json_t *j = json_string(s);
    char *quoted;

    if (!j) {
        /* Not UTF-8: only keys and values from the parser reach here, and
         * jansson has already checked those. */
        return gn_xstrdup("(invalid UTF-8)");
    }
    quoted = gn_config_quote__(j);
    json_decref(j);
    return quoted;
}

/* Returns true if 'value' (borrowed) has JSON type 'kind'. */
bool
gn_config_is_kind__(const json_t *value, enum gn_config_kind kind)
{
    switch (kind) {
    case GN_CONFIG_STRING:
        return json_is_string(value);
    case GN_CONFIG_INTEGER:
        return json_is_integer(value);
    case GN_CONFIG_BOOLEAN:
        return json_is_boolean(value);
    case GN_CONFIG_ARRAY:
        return json_is_array(value);
    case GN_CONFIG_OBJECT:
        return json_is_object(value);
    }
    return false;
}

/* Returns "a string", "an integer", ... for 'kind'. */
const char *
gn_config_kind_name__(enum gn_config_kind kind)
{
    switch (kind) {
    case GN_CONFIG_STRING:
        return "a string";
    case GN_CONFIG_INTEGER:
        return "an integer";
    case GN_CONFIG_BOOLEAN:
        return "a boolean";
    case GN_CONFIG_ARRAY:
        return "an array";
    case GN_CONFIG_OBJECT:
        return "an object";
    }
    return "?";
}

/* Returns the JSON type name of 'value' (borrowed): "string", "integer",
 * "real", "boolean", "null", "array" or "object". */
const char *
gn_config_type_name__(const json_t *value)
{
    switch (json_typeof(value)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Checks that 'value' (borrowed), the field at 'path', has type 'kind'.
 * Returns NULL or a new error message such as "networks[0].vlan: expected
 * an integer, got string \"10\"" (caller frees). */
char *
gn_config_check_kind__(const json_t *value, enum gn_config_kind kind,
                       const char *path)
{
    char *quoted, *error;

    if (gn_config_is_kind__(value, kind)) {
        return NULL;
    }
    if (json_is_object(value) || json_is_array(value)) {
        return gn_config_error__(path, "expected %s, got %s",
                                 gn_config_kind_name__(kind),
                                 gn_config_type_name__(value));
    }
    quoted = gn_config_quote__(value);
    error = gn_config_error__(path, "expected %s, got %s %s",
                              gn_config_kind_name__(kind),
                              gn_config_type_name__(value), quoted);
    free(quoted);
    return error;
}

/* Checks that 'obj' (borrowed), the field at 'path', is an object and that
 * each of its keys is one of the 'n_keys' names in 'keys'.  Returns NULL or
 * a new error message that names the wrong type, or the first unknown key
 * and the known ones (caller frees). */
char *
gn_config_check_keys__(const json_t *obj, const char *path,
                       const char *const keys[], size_t n_keys)
{
    /* jansson's iterators take a non-const object but do not change it. */
    json_t *o = (json_t *) obj;
    void *iter;

    if (!json_is_object(obj)) {
        return gn_config_check_kind__(obj, GN_CONFIG_OBJECT, path);
    }
    for (iter = json_object_iter(o); iter;
         iter = json_object_iter_next(o, iter)) {
        const char *key = json_object_iter_key(iter);
        char *quoted, *known, *error;
        size_t i, len;

        for (i = 0; i < n_keys; i++) {
            if (!strcmp(key, keys[i])) {
                break;
            }
        }
        if (i < n_keys) {
            continue;
        }

        len = 0;
        for (i = 0; i < n_keys; i++) {
            len += strlen(keys[i]) + 2;
        }
        known = gn_xzalloc(len + 1);
        for (i = 0; i < n_keys; i++) {
            strcat(known, keys[i]);
            if (i + 1 < n_keys) {
                strcat(known, ", ");
            }
        }
        quoted = gn_config_quote_string__(key);
        error = gn_config_error__(path, "unknown key %s (known keys: %s)",
                                  quoted, known);
        free(quoted);
        free(known);
        return error;
    }
    return NULL;
}

/* Looks up member 'key' of the object 'obj' (borrowed) at 'path' and checks
 * that it has type 'kind'.  Stores the member (borrowed from 'obj') in
 * '*valuep', or NULL if it is absent and not 'required'.  Returns NULL or a
 * new error message (caller frees). */
char *
gn_config_get__(const json_t *obj, const char *path, const char *key,
                enum gn_config_kind kind, bool required,
                const json_t **valuep)
{
    char member_path[GN_CONFIG_PATH_SIZE];
    const json_t *value = json_object_get(obj, key);

    *valuep = NULL;
    if (!value) {
        return required
               ? gn_config_error__(path, "missing required key \"%s\"", key)
               : NULL;
    }
    gn_config_member_path__(member_path, path, key);
    *valuep = value;
    return gn_config_check_kind__(value, kind, member_path);
}
