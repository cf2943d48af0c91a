/* test-ovsdb-replica.h: what the replica's unit tests share: a cut-down
 * vswitch schema, a replica of it, applying table-updates JSON and
 * checking columns (tests/test-ovsdb-replica.c tests the rows and their
 * updates, tests/test-ovsdb-replica-index.c the indexes, row seqnos and
 * change feeds). */
#ifndef GN_TEST_OVSDB_REPLICA_H
#define GN_TEST_OVSDB_REPLICA_H 1

#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "ovsdb-replica.h"
#include "test-util.h"

/* A cut-down vswitch schema with each kind of column the rules cover. */
static const char schema_json[] =
    "{\"name\": \"Open_vSwitch\", \"version\": \"8.3.1\", \"tables\": {"
    " \"Open_vSwitch\": {\"columns\": {"
    "  \"next_cfg\": {\"type\": \"integer\"},"
    "  \"cur_cfg\": {\"type\": \"integer\"},"
    "  \"bridges\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "     \"refTable\": \"Bridge\"}, \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Bridge\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"ports\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "     \"refTable\": \"Port\"}, \"min\": 0, \"max\": \"unlimited\"}},"
    "  \"datapath_type\": {\"type\": \"string\"},"
    "  \"external_ids\": {\"type\": {\"key\": \"string\","
    "     \"value\": \"string\", \"min\": 0, \"max\": \"unlimited\"}}}},"
    " \"Port\": {\"columns\": {"
    "  \"name\": {\"type\": \"string\"},"
    "  \"interfaces\": {\"type\": {\"key\": {\"type\": \"uuid\","
    "     \"refTable\": \"Interface\"}, \"min\": 1, \"max\": \"unlimited\"}},"
    "  \"tag\": {\"type\": {\"key\": {\"type\": \"integer\","
    "     \"minInteger\": 0, \"maxInteger\": 4095}, \"min\": 0, \"max\": 1}},"
    "  \"trunks\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "     \"max\": 4096}}}}}}";

#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
#define U3 "33333333-3333-3333-3333-333333333333"
#define P1 "aaaaaaaa-0000-0000-0000-000000000001"
#define P2 "aaaaaaaa-0000-0000-0000-000000000002"
#define P3 "aaaaaaaa-0000-0000-0000-000000000003"

static const char *const ovs_columns[] = {
    "next_cfg", "cur_cfg", "bridges", NULL
};
static const char *const bridge_columns[] = {
    "name", "ports", "datapath_type", "external_ids", NULL
};
static const char *const port_columns[] = {
    "name", "interfaces", "tag", "trunks", NULL
};

/* Returns a replica with the test tables and schema. */
static inline struct ovsdb_replica *
make_replica(void)
{
    struct ovsdb_replica *r = ovsdb_replica_create("Open_vSwitch", NULL,
                                                   NULL);
    json_t *schema = json_loads(schema_json, 0, NULL);
    char *error;

    CHECK(schema != NULL);
    ovsdb_replica_add_table(r, "Open_vSwitch", ovs_columns);
    ovsdb_replica_add_table(r, "Bridge", bridge_columns);
    ovsdb_replica_add_table(r, "Port", port_columns);
    error = ovsdb_replica_set_schema(r, schema);
    CHECK(error == NULL);
    free(error);
    json_decref(schema);
    return r;
}

/* Applies the JSON 'text'; returns true if it applied. */
static inline bool
apply(struct ovsdb_replica *r, const char *text, bool update2, bool initial)
{
    json_t *tu = json_loads(text, 0, NULL);
    char *error;

    CHECK(tu != NULL);
    error = ovsdb_replica_apply_update(r, tu, update2, initial);
    if (error) {
        fprintf(stderr, "  apply: %s\n", error);
    }
    free(error);
    json_decref(tu);
    return !error;
}

/* Returns true if the column of the row equals the JSON 'want'. */
static inline bool
column_is(struct ovsdb_replica *r, const char *table, const char *uuid,
          const char *column, const char *want)
{
    const json_t *row = ovsdb_replica_get_row(r, table, uuid);
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);
    const json_t *got = json_object_get(row, column);
    bool ok = w && got && json_equal((json_t *) got, w);

    if (!ok) {
        char *s = got ? json_dumps(got, JSON_ENCODE_ANY) : NULL;

        fprintf(stderr, "  %s.%s: got %s, want %s\n", table, column,
                s ? s : "(none)", want);
        free(s);
    }
    json_decref(w);
    return ok;
}

/* Returns true if the set column holds exactly the UUIDs in 'want' (a JSON
 * array of strings), in any order. */
static inline bool
uuids_are(struct ovsdb_replica *r, const char *table, const char *uuid,
          const char *column, const char *want)
{
    json_t *got = ovsdb_datum_uuids(ovsdb_replica_get_row(r, table, uuid),
                                    column);
    json_t *w = json_loads(want, 0, NULL);
    bool ok = json_array_size(got) == json_array_size(w);
    const json_t *e, *g;
    size_t i, j;

    json_array_foreach (w, i, e) {
        bool found = false;

        json_array_foreach (got, j, g) {
            found |= json_equal((json_t *) e, (json_t *) g);
        }
        ok &= found;
    }
    json_decref(got);
    json_decref(w);
    return ok;
}

static const char initial2[] =
    "{\"Open_vSwitch\": {\"" U1 "\": {\"initial\": {"
    "   \"next_cfg\": 3, \"cur_cfg\": 2, \"bridges\": [\"uuid\", \"" U2 "\"],"
    "   \"_uuid\": [\"uuid\", \"" U1 "\"]}}},"
    " \"Bridge\": {\"" U2 "\": {\"initial\": {"
    "   \"name\": \"br0\", \"ports\": [\"uuid\", \"" P1 "\"],"
    "   \"external_ids\": [\"map\", [[\"a\", \"1\"], [\"b\", \"2\"]]]}}},"
    " \"Port\": {\"" P1 "\": {\"initial\": {"
    "   \"name\": \"p1\", \"interfaces\": [\"uuid\", \"" U3 "\"],"
    "   \"tag\": 10}}}}";

#endif /* test-ovsdb-replica.h */
