/* gn-config-private.h: what lib/gn-config.c (the config's fields and the
 * rules across them) and lib/gn-config-json.c (typed access to JSON fields
 * with the field's path in every error message) share.  Nothing else
 * includes it. */
#ifndef GN_CONFIG_PRIVATE_H
#define GN_CONFIG_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gn-util.h"

/* Room for the longest field path, "networks[N].gateways[N]" with
 * 20-digit indexes; the path helpers assert that it is enough. */
#define GN_CONFIG_PATH_SIZE 128

/* JSON values quoted in error messages are cut after this many bytes. */
#define GN_CONFIG_QUOTE_MAX 64

/* The JSON types a field may be required to have. */
enum gn_config_kind {
    GN_CONFIG_STRING,
    GN_CONFIG_INTEGER,
    GN_CONFIG_BOOLEAN,
    GN_CONFIG_ARRAY,
    GN_CONFIG_OBJECT,
};

/* Returns a new error message (caller frees): "PATH: " and then 'fmt'
 * formatted, or only the latter when 'path' is empty (the top level). */
char *gn_config_error__(const char *path, const char *fmt, ...)
    GN_PRINTF(2, 3);

/* Returns a new error message (caller frees): "PATH: " and then 'detail',
 * which this function frees (typically a message from netaddr). */
char *gn_config_wrap__(const char *path, char *detail);

/* Writes into 'buf' the path of member 'key' of the object at 'parent'
 * ("key" at the top level, else "parent.key").  Returns 'buf'. */
char *gn_config_member_path__(char buf[GN_CONFIG_PATH_SIZE],
                              const char *parent, const char *key);

/* Writes into 'buf' the path of element 'i' of the array at 'parent'
 * ("parent[i]").  Returns 'buf'. */
char *gn_config_index_path__(char buf[GN_CONFIG_PATH_SIZE], const char *parent,
                             size_t i);

/* Returns 'value' (borrowed) as compact JSON, cut with "..." after
 * GN_CONFIG_QUOTE_MAX bytes, for an error message.  Caller frees. */
char *gn_config_quote__(const json_t *value);

/* Returns the string 's' JSON-quoted (as gn_config_quote__() does) for an
 * error message.  Caller frees. */
char *gn_config_quote_string__(const char *s);

/* Returns true if 'value' (borrowed) has JSON type 'kind'. */
bool gn_config_is_kind__(const json_t *value, enum gn_config_kind kind);

/* Returns "a string", "an integer", ... for 'kind'. */
const char *gn_config_kind_name__(enum gn_config_kind kind);

/* Returns the JSON type name of 'value' (borrowed): "string", "integer",
 * "real", "boolean", "null", "array" or "object". */
const char *gn_config_type_name__(const json_t *value);

/* Checks that 'value' (borrowed), the field at 'path', has type 'kind'.
 * Returns NULL or a new error message such as "networks[0].vlan: expected
 * an integer, got string \"10\"" (caller frees). */
char *gn_config_check_kind__(const json_t *value, enum gn_config_kind kind,
                             const char *path);

/* Checks that 'obj' (borrowed), the field at 'path', is an object and that
 * each of its keys is one of the 'n_keys' names in 'keys'.  Returns NULL or
 * a new error message that names the wrong type, or the first unknown key
 * and the known ones (caller frees). */
char *gn_config_check_keys__(const json_t *obj, const char *path,
                             const char *const keys[], size_t n_keys);

/* Looks up member 'key' of the object 'obj' (borrowed) at 'path' and checks
 * that it has type 'kind'.  Stores the member (borrowed from 'obj') in
 * '*valuep', or NULL if it is absent and not 'required'.  Returns NULL or a
 * new error message (caller frees). */
char *gn_config_get__(const json_t *obj, const char *path, const char *key,
                      enum gn_config_kind kind, bool required,
                      const json_t **valuep);

#endif /* gn-config-private.h */
