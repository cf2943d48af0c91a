/* test-ovsdb-replica.c: the replica driven with table-updates JSON and no
 * server: "update2" (initial, insert, modify of sets, maps and scalars,
 * delete), "update" (old/new), rejected updates, monitor_cond_since
 * results, the schema, datum helpers, the strings rows share. */
#include <config.h>

#include "test-ovsdb-replica.h"

static void
test_initial_fills_rows_and_defaults(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long seqno = ovsdb_replica_seqno(r);
    const json_t *row;
    json_int_t v;

    CHECK(apply(r, initial2, true, true));
    CHECK(ovsdb_replica_seqno(r) > seqno);
    CHECK(ovsdb_replica_count(r, "Open_vSwitch") == 1);
    CHECK(ovsdb_replica_count(r, "Bridge") == 1);
    row = ovsdb_replica_get_row(r, "Open_vSwitch", U1);
    CHECK(row && !json_object_get(row, "_uuid"));
    CHECK(ovsdb_datum_integer(row, "next_cfg", &v) && v == 3);
    /* Omitted columns get their schema defaults. */
    CHECK(column_is(r, "Bridge", U2, "datapath_type", "\"\""));
    CHECK(column_is(r, "Port", P1, "trunks", "[\"set\", []]"));
    CHECK(!ovsdb_datum_string(ovsdb_replica_get_row(r, "Bridge", U2),
                              "missing"));
    CHECK(ovsdb_replica_table(r, "Port") != NULL);
    CHECK(ovsdb_replica_table(r, "Nope") == NULL);
    ovsdb_replica_destroy(r);
}

static void
test_initial_replaces_contents(void)
{
    struct ovsdb_replica *r = make_replica();
    const char *uuid;
    const json_t *row;
    int n = 0;

    CHECK(apply(r, initial2, true, true));
    CHECK(apply(r, "{\"Bridge\": {\"" U3 "\": {\"initial\": "
                "{\"name\": \"br9\"}}}}", true, true));
    CHECK(ovsdb_replica_count(r, "Bridge") == 1);
    CHECK(ovsdb_replica_get_row(r, "Bridge", U2) == NULL);
    CHECK(ovsdb_replica_count(r, "Open_vSwitch") == 0);
    OVSDB_REPLICA_FOR_EACH (uuid, row, r, "Bridge") {
        CHECK(!strcmp(uuid, U3));
        CHECK_STREQ(ovsdb_datum_string(row, "name"), "br9");
        n++;
    }
    CHECK(n == 1);
    ovsdb_replica_destroy(r);
}

static void
test_insert_and_delete(void)
{
    struct ovsdb_replica *r = make_replica();

    CHECK(apply(r, initial2, true, true));
    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"p2\","
                "\"interfaces\": [\"uuid\", \"" U3 "\"]}}}}", true, false));
    CHECK(ovsdb_replica_count(r, "Port") == 2);
    CHECK(column_is(r, "Port", P2, "tag", "[\"set\", []]"));
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}",
                true, false));
    CHECK(ovsdb_replica_count(r, "Port") == 1);
    CHECK(ovsdb_replica_get_row(r, "Port", P1) == NULL);
    CHECK(ovsdb_replica_get_row(r, "Port", P2) != NULL);
    ovsdb_replica_destroy(r);
}

static void
test_modify_set_toggles_elements(void)
{
    struct ovsdb_replica *r = make_replica();

    CHECK(apply(r, initial2, true, true));
    /* A one-element diff arrives as a bare atom: the element is added. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"uuid\", \"" P2 "\"]}}}}", true, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports", "[\"" P1 "\", \"" P2 "\"]"));
    /* A present element is removed. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"uuid\", \"" P1 "\"]}}}}", true, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports", "[\"" P2 "\"]"));
    /* Both at once. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"set\", [[\"uuid\", \"" P2 "\"], [\"uuid\", \"" P3
                "\"]]]}}}}", true, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports", "[\"" P3 "\"]"));
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"uuid\", \"" P3 "\"]}}}}", true, false));
    CHECK(column_is(r, "Bridge", U2, "ports", "[\"set\", []]"));
    /* Integer sets too. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"trunks\":"
                " [\"set\", [1, 2]]}}}}", true, false));
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"trunks\":"
                " 1}}}}", true, false));
    CHECK(column_is(r, "Port", P1, "trunks", "2"));
    ovsdb_replica_destroy(r);
}

static void
test_modify_map_adds_removes_replaces(void)
{
    struct ovsdb_replica *r = make_replica();
    const json_t *row;

    CHECK(apply(r, initial2, true, true));
    /* a: same value -> removed; b: other value -> replaced; c: added. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"external_ids\":"
                " [\"map\", [[\"a\", \"1\"], [\"b\", \"3\"], [\"c\", \"4\"]]]"
                "}}}}", true, false));
    row = ovsdb_replica_get_row(r, "Bridge", U2);
    CHECK(ovsdb_datum_map_get(row, "external_ids", "a") == NULL);
    CHECK_STREQ(ovsdb_datum_map_get_string(row, "external_ids", "b"), "3");
    CHECK_STREQ(ovsdb_datum_map_get_string(row, "external_ids", "c"), "4");
    CHECK(json_array_size(json_array_get(json_object_get(row, "external_ids"),
                                         1)) == 2);
    ovsdb_replica_destroy(r);
}

static void
test_modify_scalar_replaces(void)
{
    struct ovsdb_replica *r = make_replica();
    const json_t *row;
    json_int_t v;

    CHECK(apply(r, initial2, true, true));
    CHECK(apply(r, "{\"Open_vSwitch\": {\"" U1 "\": {\"modify\": "
                "{\"cur_cfg\": 3}}}, \"Bridge\": {\"" U2 "\": {\"modify\": "
                "{\"name\": \"br1\"}}}}", true, false));
    row = ovsdb_replica_get_row(r, "Open_vSwitch", U1);
    CHECK(ovsdb_datum_integer(row, "cur_cfg", &v) && v == 3);
    CHECK(ovsdb_datum_integer(row, "next_cfg", &v) && v == 3);
    CHECK_STREQ(ovsdb_datum_string(ovsdb_replica_get_row(r, "Bridge", U2),
                                   "name"), "br1");
    /* An optional column (max 1) is replaced, not toggled. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 20}}}}",
                true, false));
    CHECK(column_is(r, "Port", P1, "tag", "20"));
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": "
                "{\"tag\": [\"set\", []]}}}}", true, false));
    CHECK(!ovsdb_datum_integer(ovsdb_replica_get_row(r, "Port", P1), "tag",
                               &v));
    ovsdb_replica_destroy(r);
}

static void
test_update_old_new_form(void)
{
    struct ovsdb_replica *r = make_replica();

    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"new\": {\"name\": \"br0\","
                "\"ports\": [\"set\", []], \"datapath_type\": \"netdev\","
                "\"external_ids\": [\"map\", [[\"k\", \"v\"]]]}}}}",
                false, true));
    CHECK(ovsdb_replica_count(r, "Bridge") == 1);
    /* In this form "new" carries whole values: nothing is toggled. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"old\": {\"ports\": "
                "[\"set\", []]}, \"new\": {\"name\": \"br0\", \"ports\": "
                "[\"uuid\", \"" P1 "\"], \"datapath_type\": \"netdev\", "
                "\"external_ids\": [\"map\", [[\"k\", \"v\"]]]}}}}",
                false, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports", "[\"" P1 "\"]"));
    CHECK_STREQ(ovsdb_datum_map_get_string(
                    ovsdb_replica_get_row(r, "Bridge", U2), "external_ids",
                    "k"), "v");
    CHECK(apply(r, "{\"Bridge\": {\"" U3 "\": {\"new\": {\"name\": \"br1\"}}"
                "}}", false, false));
    CHECK(ovsdb_replica_count(r, "Bridge") == 2);
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"old\": {\"name\": \"br0\"}}"
                "}}", false, false));
    CHECK(ovsdb_replica_count(r, "Bridge") == 1);
    CHECK(ovsdb_replica_get_row(r, "Bridge", U3) != NULL);
    ovsdb_replica_destroy(r);
}

static void
test_bad_update_changes_nothing(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long seqno;

    CHECK(apply(r, initial2, true, true));
    seqno = ovsdb_replica_seqno(r);
    /* A valid insert beside a modify of a missing row: all rejected. */
    CHECK(!apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"x\"}},"
                 "\"" P3 "\": {\"modify\": {\"name\": \"y\"}}}}",
                 true, false));
    CHECK(ovsdb_replica_get_row(r, "Port", P2) == NULL);
    CHECK(!apply(r, "{\"Nope\": {}}", true, false));
    CHECK(!apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {},"
                 "\"delete\": null}}}", true, false));
    CHECK(!apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": "
                 "{\"external_ids\": \"notamap\"}}}}", true, false));
    CHECK(!apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": "
                 "{\"no_such_column\": 1}}}}", true, false));
    CHECK(!apply(r, "[]", true, false));
    CHECK(ovsdb_replica_seqno(r) == seqno);
    CHECK(ovsdb_replica_count(r, "Port") == 1);
    ovsdb_replica_destroy(r);
}

static void
test_schema_is_checked(void)
{
    struct ovsdb_replica *r = ovsdb_replica_create("Open_vSwitch", NULL,
                                                   NULL);
    static const char *const cols[] = { "nonexistent", NULL };
    json_t *schema = json_loads(schema_json, 0, NULL);
    json_t *other = json_pack("{s:s, s:{}}", "name", "OVN", "tables");
    char *error;

    error = ovsdb_replica_set_schema(r, other);
    CHECK(error != NULL);
    free(error);
    ovsdb_replica_add_table(r, "Bridge", cols);
    error = ovsdb_replica_set_schema(r, schema);
    CHECK(error != NULL && strstr(error, "nonexistent"));
    free(error);
    json_decref(schema);
    json_decref(other);
    ovsdb_replica_destroy(r);
}

/* Applies the monitor_cond_since result 'text'; returns true if it
 * applied. */
static bool
apply_since(struct ovsdb_replica *r, const char *text)
{
    json_t *result = json_loads(text, 0, NULL);
    char *error;

    CHECK(result != NULL);
    error = ovsdb_replica_apply_since_reply(r, result);
    if (error) {
        fprintf(stderr, "  apply_since: %s\n", error);
    }
    free(error);
    json_decref(result);
    return !error;
}

static void
test_since_reply_resumes_or_replaces(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long seqno;

    /* Not found: the updates replace everything. */
    CHECK(apply(r, initial2, true, true));
    CHECK(apply_since(r, "[false, \"t1\", {\"Bridge\": {\"" U3 "\": "
                      "{\"initial\": {\"name\": \"br9\"}}}}]"));
    CHECK(!ovsdb_replica_resumed(r));
    CHECK(ovsdb_replica_count(r, "Bridge") == 1);
    CHECK(ovsdb_replica_count(r, "Port") == 0);
    CHECK(ovsdb_replica_n_full_resyncs(r) == 1);
    CHECK_STREQ(ovsdb_replica_last_txn_id(r), "t1");

    /* Found: the updates apply on top; the change feed carries on. */
    seqno = ovsdb_replica_seqno(r);
    CHECK(apply_since(r, "[true, \"t2\", {\"Bridge\": {\"" U2 "\": "
                      "{\"insert\": {\"name\": \"br0\"}}}}]"));
    CHECK(ovsdb_replica_resumed(r));
    CHECK(ovsdb_replica_count(r, "Bridge") == 2);
    CHECK(ovsdb_replica_n_resumes(r) == 1);
    CHECK(ovsdb_replica_n_full_resyncs(r) == 1);
    CHECK_STREQ(ovsdb_replica_last_txn_id(r), "t2");
    {
        struct ovsdb_replica_changes it;
        enum ovsdb_replica_change change;

        CHECK(ovsdb_replica_changes_init(&it, r, "Bridge", seqno));
        CHECK_STREQ(ovsdb_replica_changes_next(&it, &change), U2);
        CHECK(change == OVSDB_REPLICA_INSERTED);
        CHECK(ovsdb_replica_changes_next(&it, &change) == NULL);
    }

    /* Malformed results change nothing. */
    CHECK(!apply_since(r, "[true, \"t3\"]"));
    CHECK(!apply_since(r, "[1, \"t3\", {}]"));
    CHECK(!apply_since(r, "{\"found\": true}"));
    CHECK(!apply_since(r, "[true, \"t3\", {\"Bridge\": {\"" U1 "\": "
                       "{\"modify\": {\"name\": \"x\"}}}}]"));
    CHECK_STREQ(ovsdb_replica_last_txn_id(r), "t2");
    CHECK(ovsdb_replica_count(r, "Bridge") == 2);
    CHECK(ovsdb_replica_n_resumes(r) == 1);
    ovsdb_replica_destroy(r);
}

static void
test_datum_helpers(void)
{
    json_t *row = json_loads(
        "{\"s\": \"x\", \"s1\": [\"set\", [\"y\"]], \"s0\": [\"set\", []],"
        " \"i\": 5, \"i1\": [\"set\", [7]],"
        " \"m\": [\"map\", [[\"k\", \"v\"], [\"n\", 1]]],"
        " \"u\": [\"uuid\", \"" U1 "\"],"
        " \"us\": [\"set\", [[\"uuid\", \"" U1 "\"], [\"uuid\", \"" U2
        "\"]]]}", 0, NULL);
    json_t *v, *want;
    json_int_t i;

    CHECK(row != NULL);
    CHECK_STREQ(ovsdb_datum_string(row, "s"), "x");
    CHECK_STREQ(ovsdb_datum_string(row, "s1"), "y");
    CHECK(ovsdb_datum_string(row, "s0") == NULL);
    CHECK(ovsdb_datum_string(row, "i") == NULL);
    CHECK(ovsdb_datum_integer(row, "i", &i) && i == 5);
    CHECK(ovsdb_datum_integer(row, "i1", &i) && i == 7);
    CHECK(!ovsdb_datum_integer(row, "s0", &i));
    CHECK(!ovsdb_datum_integer(row, "absent", &i));
    CHECK_STREQ(ovsdb_datum_map_get_string(row, "m", "k"), "v");
    CHECK(ovsdb_datum_map_get_string(row, "m", "n") == NULL);
    CHECK(json_integer_value(ovsdb_datum_map_get(row, "m", "n")) == 1);
    CHECK(ovsdb_datum_map_get(row, "m", "zz") == NULL);
    CHECK(ovsdb_datum_map_get(row, "s", "k") == NULL);

    v = ovsdb_datum_uuids(row, "u");
    CHECK(json_array_size(v) == 1);
    CHECK_STREQ(json_string_value(json_array_get(v, 0)), U1);
    json_decref(v);
    v = ovsdb_datum_uuids(row, "us");
    CHECK(json_array_size(v) == 2);
    json_decref(v);
    v = ovsdb_datum_uuids(row, "s0");
    CHECK(json_is_array(v) && json_array_size(v) == 0);
    json_decref(v);
    CHECK_STREQ(ovsdb_datum_first_uuid(row, "u"), U1);
    CHECK_STREQ(ovsdb_datum_first_uuid(row, "us"), U1);
    CHECK(ovsdb_datum_first_uuid(row, "s0") == NULL);
    CHECK(ovsdb_datum_first_uuid(row, "s") == NULL);
    CHECK(ovsdb_datum_first_uuid(row, "absent") == NULL);
    {
        const char *u;
        size_t pos, n = 0;

        OVSDB_DATUM_FOR_EACH_UUID (u, pos, row, "us") {
            CHECK_STREQ(u, n ? U2 : U1);
            n++;
        }
        CHECK(n == 2);
        OVSDB_DATUM_FOR_EACH_UUID (u, pos, row, "u") {
            CHECK_STREQ(u, U1);
            n++;
        }
        CHECK(n == 3);
    }

    v = ovsdb_datum_map(json_pack("{s:s}", "iface-id", "vm1"));
    want = json_loads("[\"map\", [[\"iface-id\", \"vm1\"]]]", 0, NULL);
    CHECK(json_equal(v, want));
    json_decref(v);
    json_decref(want);
    v = ovsdb_datum_set(json_pack("[i, i]", 1, 2));
    want = json_loads("[\"set\", [1, 2]]", 0, NULL);
    CHECK(json_equal(v, want));
    json_decref(v);
    json_decref(want);
    v = ovsdb_datum_empty_set();
    want = json_loads("[\"set\", []]", 0, NULL);
    CHECK(json_equal(v, want));
    json_decref(v);
    json_decref(want);
    v = ovsdb_datum_named_uuid("row1");
    want = json_loads("[\"named-uuid\", \"row1\"]", 0, NULL);
    CHECK(json_equal(v, want));
    json_decref(v);
    json_decref(want);
    v = ovsdb_datum_uuid(U3);
    want = json_loads("[\"uuid\", \"" U3 "\"]", 0, NULL);
    CHECK(json_equal(v, want));
    json_decref(v);
    json_decref(want);
    json_decref(row);
}

/* Rows share the strings that recur across them (map keys, datum tags,
 * short values) and the map pairs with a short value, and a change makes
 * no row see another's value. */
static void
test_rows_share_recurring_strings(void)
{
    struct ovsdb_replica *r = make_replica();
    const json_t *a, *b, *ea, *eb;

    const char *inserts =
        "{\"Bridge\": {"
        "\"" P2 "\": {\"insert\": {\"name\": \"long-port-name-2\","
        " \"external_ids\": [\"map\", [[\"guestnet:network\", \"web\"],"
        " [\"guestnet:mac\", \"52:54:00:00:00:02\"]]]}},"
        "\"" P3 "\": {\"insert\": {\"name\": \"long-port-name-3\","
        " \"external_ids\": [\"map\", [[\"guestnet:network\", \"web\"],"
        " [\"guestnet:mac\", \"52:54:00:00:00:03\"]]]}}}}";
    const char *modify =
        "{\"Bridge\": {\"" P2 "\": {\"modify\": {\"external_ids\":"
        " [\"map\", [[\"guestnet:network\", \"db\"]]]}}}}";
    const char *modify_back =
        "{\"Bridge\": {\"" P2 "\": {\"modify\": {\"external_ids\":"
        " [\"map\", [[\"guestnet:network\", \"web\"]]]}}}}";
    const char *p3_ids =
        "[\"map\", [[\"guestnet:network\", \"web\"],"
        " [\"guestnet:mac\", \"52:54:00:00:00:03\"]]]";

    CHECK(apply(r, initial2, true, true));
    CHECK(apply(r, inserts, true, false));
    a = ovsdb_replica_get_row(r, "Bridge", P2);
    b = ovsdb_replica_get_row(r, "Bridge", P3);
    ea = json_array_get(json_object_get(a, "external_ids"), 1);
    eb = json_array_get(json_object_get(b, "external_ids"), 1);
    /* One copy of the tag, of each key and of the short value ... */
    CHECK(json_array_get(json_object_get(a, "external_ids"), 0)
          == json_array_get(json_object_get(b, "external_ids"), 0));
    CHECK(json_array_get(json_array_get(ea, 0), 0)
          == json_array_get(json_array_get(eb, 0), 0));
    CHECK(json_array_get(json_array_get(ea, 1), 0)
          == json_array_get(json_array_get(eb, 1), 0));
    CHECK(json_array_get(json_array_get(ea, 0), 1)
          == json_array_get(json_array_get(eb, 0), 1));
    /* ... of the pair with the short value, not of the others ... */
    CHECK(json_array_get(ea, 0) == json_array_get(eb, 0));
    CHECK(json_array_get(ea, 1) != json_array_get(eb, 1));
    /* ... and each row keeps its own values. */
    CHECK_STREQ(ovsdb_datum_map_get_string(a, "external_ids", "guestnet:mac"),
                "52:54:00:00:00:02");
    CHECK_STREQ(ovsdb_datum_map_get_string(b, "external_ids", "guestnet:mac"),
                "52:54:00:00:00:03");
    CHECK_STREQ(ovsdb_datum_string(a, "name"), "long-port-name-2");
    /* A modify of one row's shared value leaves the other's as it was. */
    CHECK(apply(r, modify, true, false));
    CHECK_STREQ(ovsdb_datum_map_get_string(ovsdb_replica_get_row(r, "Bridge",
                                                                 P2),
                                           "external_ids", "guestnet:network"),
                "db");
    CHECK_STREQ(ovsdb_datum_map_get_string(ovsdb_replica_get_row(r, "Bridge",
                                                                 P3),
                                           "external_ids", "guestnet:network"),
                "web");
    CHECK(column_is(r, "Bridge", P3, "external_ids", p3_ids));
    /* Back to the value P3 has: the pair is P3's again. */
    CHECK(apply(r, modify_back, true, false));
    a = ovsdb_replica_get_row(r, "Bridge", P2);
    ea = json_array_get(json_object_get(a, "external_ids"), 1);
    CHECK(ovsdb_datum_map_get_string(a, "external_ids", "guestnet:mac")
          && json_array_size(ea) == 2);
    for (size_t i = 0; i < json_array_size(ea); i++) {
        const json_t *pair = json_array_get(ea, i);

        if (!strcmp(json_string_value(json_array_get(pair, 0)),
                    "guestnet:network")) {
            CHECK(pair == json_array_get(eb, 0));
        }
    }
    CHECK(column_is(r, "Bridge", P3, "external_ids", p3_ids));
    ovsdb_replica_destroy(r);
}

/* Applies an update of 'n' Bridge rows, row i with UUID ...-<base + i> and
 * name "<prefix><i>" ('insert'), or deleting those rows. */
static bool
apply_bridges(struct ovsdb_replica *r, int base, int n, const char *prefix,
              bool insert)
{
    json_t *rows = json_object();
    json_t *update;
    char *text;
    bool ok;

    for (int i = 0; i < n; i++) {
        char uuid[40], name[16];

        snprintf(uuid, sizeof uuid, "bbbbbbbb-0000-0000-0000-%012d",
                 base + i);
        snprintf(name, sizeof name, "%s%d", prefix, i);
        json_object_set_new(rows, uuid,
                            insert ? json_pack("{s:{s:s}}", "insert",
                                               "name", name)
                                   : json_pack("{s:n}", "delete"));
    }
    update = json_pack("{s:o}", "Bridge", rows);
    text = json_dumps(update, 0);
    json_decref(update);
    ok = apply(r, text, true, false);
    free(text);
    return ok;
}

/* Strings no row holds any more leave the shared table (past 256 of
 * them), and the rows inserted after that keep their own values. */
static void
test_shared_strings_purged(void)
{
    struct ovsdb_replica *r = make_replica();
    const json_t *row;
    bool all_right = true;

    CHECK(apply(r, initial2, true, true));
    CHECK(apply_bridges(r, 0, 300, "a", true));
    CHECK(apply_bridges(r, 0, 300, "a", false));
    CHECK(apply_bridges(r, 1000, 300, "z", true));
    CHECK(apply_bridges(r, 2000, 300, "y", true));
    CHECK(ovsdb_replica_count(r, "Bridge") == 601);
    for (int i = 0; i < 300; i++) {
        char uuid[40], name[16];

        snprintf(uuid, sizeof uuid, "bbbbbbbb-0000-0000-0000-%012d",
                 1000 + i);
        snprintf(name, sizeof name, "z%d", i);
        row = ovsdb_replica_get_row(r, "Bridge", uuid);
        all_right = all_right && row
                    && !strcmp(ovsdb_datum_string(row, "name"), name);
    }
    CHECK(all_right);
    /* The table holds the 601 rows' names and the tags, not the 300
     * names no row holds. */
    CHECK(ovsdb_replica_interned_count(r) < 700);
    ovsdb_replica_destroy(r);
}

int
main(void)
{
    TEST_RUN("ovsdb-replica/initial-fills-rows-and-defaults",
             test_initial_fills_rows_and_defaults);
    TEST_RUN("ovsdb-replica/initial-replaces-contents",
             test_initial_replaces_contents);
    TEST_RUN("ovsdb-replica/insert-and-delete", test_insert_and_delete);
    TEST_RUN("ovsdb-replica/modify-set-toggles-elements",
             test_modify_set_toggles_elements);
    TEST_RUN("ovsdb-replica/modify-map-adds-removes-replaces",
             test_modify_map_adds_removes_replaces);
    TEST_RUN("ovsdb-replica/modify-scalar-replaces",
             test_modify_scalar_replaces);
    TEST_RUN("ovsdb-replica/update-old-new-form", test_update_old_new_form);
    TEST_RUN("ovsdb-replica/bad-update-changes-nothing",
             test_bad_update_changes_nothing);
    TEST_RUN("ovsdb-replica/schema-is-checked", test_schema_is_checked);
    TEST_RUN("ovsdb-replica/since-reply-resumes-or-replaces",
             test_since_reply_resumes_or_replaces);
    TEST_RUN("ovsdb-replica/datum-helpers", test_datum_helpers);
    TEST_RUN("ovsdb-replica/rows-share-recurring-strings",
             test_rows_share_recurring_strings);
    TEST_RUN("ovsdb-replica/shared-strings-purged",
             test_shared_strings_purged);
    return test_done();
}
