/* test-ovsdb-replica-index.c: the replica's secondary indexes (insert,
 * delete, rename, set toggles, duplicates, resyncs, bad updates, indexes
 * added late), its row seqnos and its change feeds (each row once, a
 * trimmed log or a resync forces a rescan, quiet columns are no change),
 * driven with table-updates JSON and no server. */
#include <config.h>

#include "test-ovsdb-replica.h"

/* A replica with the test tables, indexes on Bridge.name, Bridge.ports and
 * Port.name, and the schema. */
static struct ovsdb_replica *
make_indexed_replica(void)
{
    struct ovsdb_replica *r = make_replica();

    ovsdb_replica_add_index(r, "Bridge", "name");
    ovsdb_replica_add_index(r, "Bridge", "ports");
    ovsdb_replica_add_index(r, "Port", "name");
    return r;
}

/* Returns true if the index of table.column maps 'key' to exactly the rows
 * a walk over the table finds holding it (as a string value or a UUID
 * member). */
static bool
index_agrees(struct ovsdb_replica *r, const char *table, const char *column,
             const char *key)
{
    struct ovsdb_replica_index_iter it;
    size_t n_walk = 0, n_index = 0;
    const char *uuid;
    const json_t *row;
    bool ok = true;

    /* Each row the index gives holds the key, once. */
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, r, table, column, key) {
        row = ovsdb_replica_get_row(r, table, uuid);
        ok &= row != NULL;
        n_index++;
    }
    ok &= ovsdb_replica_index_count(r, table, column, key) == n_index;

    OVSDB_REPLICA_FOR_EACH (uuid, row, r, table) {
        const char *s = ovsdb_datum_string(row, column);
        bool holds = s && !strcmp(s, key);
        const char *u;
        size_t pos;

        OVSDB_DATUM_FOR_EACH_UUID (u, pos, row, column) {
            holds |= !strcmp(u, key);
        }
        if (holds) {
            n_walk++;
            ok &= ovsdb_replica_index_has(r, table, column, key, uuid);
        }
    }
    ok &= n_index == n_walk;
    if (!ok) {
        fprintf(stderr, "  index %s.%s[%s]: %zu rows, walk finds %zu\n",
                table, column, key, n_index, n_walk);
    }
    return ok;
}

/* Checks the indexes against walks for every key the tests use. */
static bool
indexes_agree(struct ovsdb_replica *r)
{
    static const char *const names[] = { "br0", "br1", "br9", "p1", "p2",
                                         "p3", "x", "y" };
    static const char *const uuids[] = { P1, P2, P3, U3 };
    bool ok = true;

    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        ok &= index_agrees(r, "Bridge", "name", names[i]);
        ok &= index_agrees(r, "Port", "name", names[i]);
    }
    for (size_t i = 0; i < sizeof uuids / sizeof *uuids; i++) {
        ok &= index_agrees(r, "Bridge", "ports", uuids[i]);
    }
    return ok;
}

/* Returns the UUID the Port.name index finds for 'name', or "" if none. */
static const char *
port_named(struct ovsdb_replica *r, const char *name)
{
    const char *uuid = ovsdb_replica_index_find(r, "Port", "name", name);

    return uuid ? uuid : "";
}

static void
test_modify_set_atom_listed_twice(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    /* Listed twice, an atom toggles twice: P1 stays, P2 does not come;
     * P3, listed once, comes. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"set\", [[\"uuid\", \"" P1 "\"], [\"uuid\", \"" P2
                "\"], [\"uuid\", \"" P3 "\"], [\"uuid\", \"" P1 "\"],"
                " [\"uuid\", \"" P2 "\"]]]}}}}", true, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports",
                    "[\"" P1 "\", \"" P3 "\"]"));
    CHECK(indexes_agree(r));
    /* Three at once from a set of two: two go, one comes. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"set\", [[\"uuid\", \"" P3 "\"], [\"uuid\", \"" P2
                "\"], [\"uuid\", \"" P1 "\"]]]}}}}", true, false));
    CHECK(column_is(r, "Bridge", U2, "ports", "[\"uuid\", \"" P2 "\"]"));
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_follows_insert_and_delete(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    CHECK_STREQ(port_named(r, "p1"), P1);
    CHECK_STREQ(ovsdb_replica_index_find(r, "Bridge", "name", "br0"), U2);
    CHECK_STREQ(ovsdb_replica_index_find(r, "Bridge", "ports", P1), U2);
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(!ovsdb_replica_index_has(r, "Bridge", "ports", P1, U3));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p2") == NULL);
    CHECK(ovsdb_replica_index_count(r, "Port", "name", "p2") == 0);

    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"p2\","
                "\"interfaces\": [\"uuid\", \"" U3 "\"]}}},"
                " \"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"uuid\", \"" P2 "\"]}}}}", true, false));
    CHECK_STREQ(port_named(r, "p2"), P2);
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P2, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(indexes_agree(r));

    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"delete\": null}},"
                " \"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"uuid\", \"" P1 "\"]}}}}", true, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p1") == NULL);
    CHECK(!ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(ovsdb_replica_index_find(r, "Bridge", "ports", P1) == NULL);
    CHECK_STREQ(port_named(r, "p2"), P2);
    CHECK(indexes_agree(r));

    /* A delete of a row the replica never had changes nothing. */
    CHECK(apply(r, "{\"Port\": {\"" P3 "\": {\"delete\": null}}}",
                true, false));
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_follows_rename(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": "
                "{\"name\": \"x\"}}}}", true, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p1") == NULL);
    CHECK_STREQ(port_named(r, "x"), P1);
    /* A modify that leaves the name alone keeps the entry. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 20}}}}",
                true, false));
    CHECK_STREQ(port_named(r, "x"), P1);
    CHECK(indexes_agree(r));

    /* The "update" form: "new" carries whole values. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"old\": {\"name\": \"x\"},"
                " \"new\": {\"name\": \"y\", \"interfaces\": [\"uuid\", \""
                U3 "\"]}}}}", false, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "x") == NULL);
    CHECK_STREQ(port_named(r, "y"), P1);
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"old\": {\"ports\": "
                "[\"uuid\", \"" P1 "\"]}, \"new\": {\"name\": \"br0\","
                " \"ports\": [\"set\", [[\"uuid\", \"" P2 "\"],"
                " [\"uuid\", \"" P3 "\"]]]}}}}", false, false));
    CHECK(!ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P2, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P3, U2));
    CHECK(indexes_agree(r));
    /* The "update" form's delete. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"old\": {\"name\": \"y\"}}}}",
                false, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "y") == NULL);
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_follows_set_toggles(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    /* Add two and remove one in one diff, then empty the set. */
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"set\", [[\"uuid\", \"" P1 "\"], [\"uuid\", \"" P2
                "\"], [\"uuid\", \"" P3 "\"]]]}}}}", true, false));
    CHECK(uuids_are(r, "Bridge", U2, "ports",
                    "[\"" P2 "\", \"" P3 "\"]"));
    CHECK(!ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P2, U2));
    CHECK(indexes_agree(r));
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"modify\": {\"ports\":"
                " [\"set\", [[\"uuid\", \"" P2 "\"], [\"uuid\", \"" P3
                "\"]]]}}}}", true, false));
    CHECK(ovsdb_replica_index_find(r, "Bridge", "ports", P2) == NULL);
    CHECK(ovsdb_replica_index_find(r, "Bridge", "ports", P3) == NULL);
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_is_rebuilt_on_resync(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    /* A disconnect keeps the rows, and the index with them. */
    ovsdb_replica_disconnected(r);
    CHECK_STREQ(port_named(r, "p1"), P1);
    CHECK(indexes_agree(r));
    /* The resync replaces everything: p1 and br0 are gone, p2 on br9 is
     * new, and the old UUID of p1 now names another port. */
    CHECK(apply(r, "{\"Bridge\": {\"" U3 "\": {\"initial\": {\"name\": "
                "\"br9\", \"ports\": [\"uuid\", \"" P1 "\"]}}},"
                " \"Port\": {\"" P1 "\": {\"initial\": {\"name\": \"p2\"}}}}",
                true, true));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p1") == NULL);
    CHECK_STREQ(port_named(r, "p2"), P1);
    CHECK(ovsdb_replica_index_find(r, "Bridge", "name", "br0") == NULL);
    CHECK_STREQ(ovsdb_replica_index_find(r, "Bridge", "name", "br9"), U3);
    CHECK(!ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P1, U3));
    CHECK(indexes_agree(r));
    /* The "update" form's initial contents too. */
    CHECK(apply(r, "{\"Port\": {\"" P3 "\": {\"new\": {\"name\": \"p3\"}}}}",
                false, true));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p2") == NULL);
    CHECK(ovsdb_replica_index_find(r, "Bridge", "ports", P1) == NULL);
    CHECK_STREQ(port_named(r, "p3"), P3);
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_keeps_duplicates(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    /* P3 and P2 take the name P1 has: the smallest UUID is found, whatever
     * the order they came in. */
    CHECK(apply(r, "{\"Port\": {\"" P3 "\": {\"insert\": {\"name\": \"p1\""
                "}}}}", true, false));
    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"p1\""
                "}}}}", true, false));
    CHECK_STREQ(port_named(r, "p1"), P1);
    CHECK(ovsdb_replica_index_count(r, "Port", "name", "p1") == 3);
    CHECK(indexes_agree(r));
    /* Deleting one, or renaming one away, keeps the others. */
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}",
                true, false));
    CHECK_STREQ(port_named(r, "p1"), P2);
    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"modify\": "
                "{\"name\": \"p2\"}}}}", true, false));
    CHECK_STREQ(port_named(r, "p1"), P3);
    CHECK_STREQ(port_named(r, "p2"), P2);
    CHECK(ovsdb_replica_index_count(r, "Port", "name", "p1") == 1);
    CHECK(indexes_agree(r));
    /* One row again, then two (the entry's two forms, both ways). */
    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"modify\": "
                "{\"name\": \"p1\"}}}}", true, false));
    CHECK(ovsdb_replica_index_count(r, "Port", "name", "p1") == 2);
    CHECK(ovsdb_replica_index_count(r, "Port", "name", "p2") == 0);
    CHECK_STREQ(port_named(r, "p1"), P2);
    CHECK(indexes_agree(r));
    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"modify\": "
                "{\"name\": \"p2\"}}}}", true, false));
    CHECK_STREQ(port_named(r, "p1"), P3);
    CHECK(indexes_agree(r));
    /* Two bridges with one port (OVSDB allows it): both are found. */
    CHECK(apply(r, "{\"Bridge\": {\"" U3 "\": {\"insert\": {\"name\": "
                "\"br1\", \"ports\": [\"uuid\", \"" P1 "\"]}}}}",
                true, false));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P1, U2));
    CHECK(ovsdb_replica_index_has(r, "Bridge", "ports", P1, U3));
    CHECK_STREQ(ovsdb_replica_index_find(r, "Bridge", "ports", P1), U2);
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"delete\": null}}}",
                true, false));
    CHECK_STREQ(ovsdb_replica_index_find(r, "Bridge", "ports", P1), U3);
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_unchanged_by_bad_update(void)
{
    struct ovsdb_replica *r = make_indexed_replica();

    CHECK(apply(r, initial2, true, true));
    CHECK(!apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"x\"}},"
                 "\"" P1 "\": {\"modify\": {\"name\": \"y\"}},"
                 "\"" P3 "\": {\"modify\": {\"name\": \"y\"}}}}",
                 true, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "x") == NULL);
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "y") == NULL);
    CHECK_STREQ(port_named(r, "p1"), P1);
    CHECK(indexes_agree(r));
    ovsdb_replica_destroy(r);
}

static void
test_index_added_late_covers_rows(void)
{
    struct ovsdb_replica *r = make_replica();

    CHECK(apply(r, initial2, true, true));
    ovsdb_replica_add_index(r, "Port", "name");
    ovsdb_replica_add_index(r, "Port", "name");     /* Twice: no change. */
    CHECK_STREQ(port_named(r, "p1"), P1);
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": "
                "{\"name\": \"p2\"}}}}", true, false));
    CHECK(ovsdb_replica_index_find(r, "Port", "name", "p1") == NULL);
    CHECK_STREQ(port_named(r, "p2"), P1);
    ovsdb_replica_destroy(r);
}

static void
test_foreign_notification_is_ignored(void)
{
    struct ovsdb_replica *r = make_replica();
    json_t *msg = json_loads("{\"method\": \"update2\", \"params\": "
                             "[\"someone-else\", {}], \"id\": null}", 0,
                             NULL);

    CHECK(!ovsdb_replica_handle_notify(r, msg));
    CHECK(!ovsdb_replica_is_synced(r));
    json_decref(msg);
    ovsdb_replica_destroy(r);
}

/* Each row remembers the replica seqno of the update that last inserted
 * or changed it; other rows keep theirs; a delete forgets it; a bad update
 * changes none; a resync renews every row's. */
static void
test_row_seqnos_follow_changes(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long s0, p1;

    CHECK(apply(r, initial2, true, true));
    s0 = ovsdb_replica_seqno(r);
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == s0);
    CHECK(ovsdb_replica_row_seqno(r, "Bridge", U2) == s0);
    CHECK(ovsdb_replica_row_seqno(r, "Port", P2) == 0);

    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": \"p2\","
                "\"interfaces\": [\"uuid\", \"" U3 "\"]}}}}", true, false));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P2) == s0 + 1);
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == s0);

    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 20}}}}",
                true, false));
    p1 = ovsdb_replica_row_seqno(r, "Port", P1);
    CHECK(p1 == s0 + 2);
    CHECK(ovsdb_replica_row_seqno(r, "Port", P2) == s0 + 1);

    CHECK(!apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": 7}}}", true,
                 false));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == p1);

    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"delete\": null}}}",
                true, false));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P2) == 0);

    CHECK(apply(r, initial2, true, true));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == ovsdb_replica_seqno(r));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) > p1);
    ovsdb_replica_destroy(r);
}

/* Returns the changes of 'table' since 'since' as "U:KIND ...", sorted (U
 * is the last character of the row's UUID, KIND is I, M or D), or
 * "rescan" (caller frees). */
static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

static char *
changes(struct ovsdb_replica *r, const char *table, unsigned long long since)
{
    struct ovsdb_replica_changes it;
    enum ovsdb_replica_change change;
    const char *uuid;
    char *items[64];
    size_t n = 0;
    char *s = gn_xstrdup("");

    if (!ovsdb_replica_changes_init(&it, r, table, since)) {
        free(s);
        return gn_xstrdup("rescan");
    }
    while ((uuid = ovsdb_replica_changes_next(&it, &change)) && n < 64) {
        items[n++] = gn_xasprintf("%c:%c", uuid[strlen(uuid) - 1],
                                  "IMD"[change]);
    }
    qsort(items, n, sizeof *items, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char *t = gn_xasprintf("%s%s%s", s, i ? " " : "", items[i]);

        free(s);
        free(items[i]);
        s = t;
    }
    return s;
}

static bool
changes_are(struct ovsdb_replica *r, const char *table,
            unsigned long long since, const char *want)
{
    char *got = changes(r, table, since);
    bool ok = !strcmp(got, want);

    if (!ok) {
        fprintf(stderr, "  changes of %s since %llu: got \"%s\", want "
                "\"%s\"\n", table, since, got, want);
    }
    free(got);
    return ok;
}

/* The feed reports each row changed since a seqno once, as inserted,
 * modified or deleted relative to that seqno; rows that came and went are
 * left out; other tables' changes are not mixed in. */
static void
test_changes_report_each_row_once(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long s0, s1;

    CHECK(apply(r, initial2, true, true));
    s0 = ovsdb_replica_seqno(r);
    CHECK(changes_are(r, "Port", s0, ""));

    CHECK(apply(r, "{\"Port\": {\"" P2 "\": {\"insert\": {\"name\": "
                "\"p2\", \"interfaces\": [\"uuid\", \"" U3 "\"]}},"
                " \"" P1 "\": {\"modify\": {\"tag\": 20}}}}", true, false));
    s1 = ovsdb_replica_seqno(r);
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 30}},"
                " \"" P2 "\": {\"modify\": {\"tag\": 5}},"
                " \"" P3 "\": {\"insert\": {\"name\": \"p3\","
                "  \"interfaces\": [\"uuid\", \"" U3 "\"]}}}}",
                true, false));
    CHECK(apply(r, "{\"Port\": {\"" P3 "\": {\"delete\": null}}}",
                true, false));
    CHECK(changes_are(r, "Port", s0, "1:M 2:I"));
    CHECK(changes_are(r, "Port", s1, "1:M 2:M"));
    CHECK(changes_are(r, "Bridge", s0, ""));
    CHECK(changes_are(r, "Port", ovsdb_replica_seqno(r), ""));

    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}",
                true, false));
    CHECK(changes_are(r, "Port", s0, "1:D 2:I"));
    CHECK(changes_are(r, "Port", s1, "1:D 2:M"));

    /* "update" (old/new) form too; a bad update logs nothing. */
    s1 = ovsdb_replica_seqno(r);
    CHECK(apply(r, "{\"Bridge\": {\"" U2 "\": {\"old\": {},"
                " \"new\": {\"name\": \"br1\"}}}}", false, false));
    CHECK(!apply(r, "{\"Port\": {\"" P2 "\": {\"modify\": 7}}}", true,
                 false));
    CHECK(changes_are(r, "Bridge", s1, "2:M"));
    CHECK(changes_are(r, "Port", s1, ""));
    /* Not a seqno the replica had yet. */
    CHECK(changes_are(r, "Port", ovsdb_replica_seqno(r) + 1, "rescan"));
    ovsdb_replica_destroy(r);
}

/* A log that outgrows twice its table (plus a constant) forgets its oldest
 * changes: a consumer from before them must rescan, a recent one still
 * gets its changes. */
static void
test_changes_trimmed_log_forces_rescan(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long s0, recent = 0;

    CHECK(apply(r, initial2, true, true));
    s0 = ovsdb_replica_seqno(r);
    for (int i = 0; i < 200; i++) {
        char *u = gn_xasprintf("{\"Port\": {\"" P1 "\": {\"modify\": "
                               "{\"tag\": %d}}}}", i % 2 ? 1 : 2);

        CHECK(apply(r, u, true, false));
        free(u);
        if (i == 190) {
            recent = ovsdb_replica_seqno(r);
        }
    }
    CHECK(changes_are(r, "Port", s0, "rescan"));
    CHECK(changes_are(r, "Port", recent, "1:M"));
    /* Other tables' logs keep their reach. */
    CHECK(changes_are(r, "Bridge", s0, ""));
    ovsdb_replica_destroy(r);
}

/* After a resync (an "initial" update: reconnect, new monitor) every
 * consumer from before must rescan; one from after it need not. */
static void
test_changes_resync_forces_rescan(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long s0, s1;

    CHECK(changes_are(r, "Port", 0, ""));
    CHECK(apply(r, initial2, true, true));
    CHECK(changes_are(r, "Port", 0, "rescan"));
    s0 = ovsdb_replica_seqno(r);
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": {\"tag\": 20}}}}",
                true, false));
    CHECK(changes_are(r, "Port", s0, "1:M"));

    CHECK(apply(r, initial2, true, true));
    s1 = ovsdb_replica_seqno(r);
    CHECK(changes_are(r, "Port", s0, "rescan"));
    CHECK(changes_are(r, "Bridge", s0, "rescan"));
    CHECK(changes_are(r, "Port", s1, ""));
    ovsdb_replica_destroy(r);
}

/* A modification of quiet columns only (here Port "trunks") is applied
 * and bumps the replica's
 * seqno, but is not a change of the row: same row seqno, not in the feed,
 * same change seqno.  One that also changes another column is. */
static void
test_quiet_columns_are_not_changes(void)
{
    struct ovsdb_replica *r = make_replica();
    unsigned long long s0, p1;

    ovsdb_replica_add_quiet_column(r, "Port", "trunks");
    CHECK(apply(r, initial2, true, true));
    s0 = ovsdb_replica_seqno(r);
    p1 = ovsdb_replica_row_seqno(r, "Port", P1);
    CHECK(ovsdb_replica_change_seqno(r) == s0);     /* The initial one. */

    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": "
                "{\"trunks\": 7}}}}", true, false));
    CHECK(ovsdb_replica_seqno(r) == s0 + 1);
    CHECK(ovsdb_replica_change_seqno(r) == s0);
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == p1);
    CHECK(changes_are(r, "Port", s0, ""));
    CHECK(json_integer_value(json_object_get(ovsdb_replica_get_row(
        r, "Port", P1), "trunks")) == 7);

    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"modify\": "
                "{\"trunks\": 8, \"tag\": 20}}}}", true, false));
    CHECK(ovsdb_replica_row_seqno(r, "Port", P1) == s0 + 2);
    CHECK(ovsdb_replica_change_seqno(r) == s0 + 2);
    CHECK(changes_are(r, "Port", s0, "1:M"));
    CHECK(apply(r, "{\"Port\": {\"" P1 "\": {\"delete\": null}}}",
                true, false));
    CHECK(ovsdb_replica_change_seqno(r) == s0 + 3);
    ovsdb_replica_destroy(r);
}

int
main(void)
{
    TEST_RUN("ovsdb-replica/row-seqnos-follow-changes",
             test_row_seqnos_follow_changes);
    TEST_RUN("ovsdb-replica/modify-set-atom-listed-twice",
             test_modify_set_atom_listed_twice);
    TEST_RUN("ovsdb-replica/index-follows-insert-and-delete",
             test_index_follows_insert_and_delete);
    TEST_RUN("ovsdb-replica/index-follows-rename", test_index_follows_rename);
    TEST_RUN("ovsdb-replica/index-follows-set-toggles",
             test_index_follows_set_toggles);
    TEST_RUN("ovsdb-replica/index-is-rebuilt-on-resync",
             test_index_is_rebuilt_on_resync);
    TEST_RUN("ovsdb-replica/index-keeps-duplicates",
             test_index_keeps_duplicates);
    TEST_RUN("ovsdb-replica/index-unchanged-by-bad-update",
             test_index_unchanged_by_bad_update);
    TEST_RUN("ovsdb-replica/index-added-late-covers-rows",
             test_index_added_late_covers_rows);
    TEST_RUN("ovsdb-replica/changes-report-each-row-once",
             test_changes_report_each_row_once);
    TEST_RUN("ovsdb-replica/changes-trimmed-log-forces-rescan",
             test_changes_trimmed_log_forces_rescan);
    TEST_RUN("ovsdb-replica/changes-resync-forces-rescan",
             test_changes_resync_forces_rescan);
    TEST_RUN("ovsdb-replica/quiet-columns-are-not-changes",
             test_quiet_columns_are_not_changes);
    TEST_RUN("ovsdb-replica/foreign-notification-is-ignored",
             test_foreign_notification_is_ignored);
    return test_done();
}
