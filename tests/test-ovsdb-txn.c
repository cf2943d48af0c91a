/* test-ovsdb-txn.c: transactions built and replies decoded with no server:
 * the "transact" params, named-uuids, next_cfg, success, op errors,
 * commit-time (constraint) errors and malformed replies. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "ovsdb-replica.h"
#include "ovsdb-txn.h"
#include "gn-util.h"
#include "test-util.h"

/* Returns true if 'got' (borrowed) equals the JSON 'want'. */
static bool
json_is(const json_t *got, const char *want)
{
    json_error_t error;
    json_t *w = json_loads(want, 0, &error);
    bool ok = w && json_equal((json_t *) got, w);

    if (!w) {
        fprintf(stderr, "  bad expected JSON: %s\n", error.text);
    } else if (!ok) {
        char *s = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);

        fprintf(stderr, "  got  %s\n  want %s\n", s, want);
        free(s);
    }
    json_decref(w);
    return ok;
}

/* Returns a reply message with 'result' (JSON text). */
static json_t *
reply_of(const char *result)
{
    json_t *r = json_loads(result, JSON_DECODE_ANY, NULL);

    return json_pack("{s:o, s:n, s:i}", "result", r, "error", "id", 1);
}

static void
test_params_json(void)
{
    struct ovsdb_txn *txn = ovsdb_txn_create("Open_vSwitch");
    const char *iface, *port;
    char want[2048];

    ovsdb_txn_comment(txn, "guestnet: add br0");
    iface = ovsdb_txn_insert(txn, "Interface",
                             json_pack("{s:s, s:s}", "name", "br0",
                                       "type", "internal"));
    port = ovsdb_txn_insert(txn, "Port", json_pack(
        "{s:s, s:o}", "name", "br0",
        "interfaces", ovsdb_datum_named_uuid(iface)));
    ovsdb_txn_wait(txn, "Bridge", ovsdb_where_eq("name", json_string("br0")),
                   json_pack("[s]", "name"), "==", json_array(), 0);
    ovsdb_txn_mutate(txn, "Open_vSwitch", NULL, json_pack(
        "[[s, s, o]]", "bridges", "insert",
        ovsdb_datum_set(json_pack("[o]", ovsdb_datum_named_uuid(port)))));
    ovsdb_txn_update(txn, "Port", ovsdb_where_uuid("x-y"),
                     json_pack("{s:i}", "tag", 10));
    ovsdb_txn_delete(txn, "Port", ovsdb_where_eq("name", json_string("p")));
    CHECK(ovsdb_txn_n_ops(txn) == 7);

    snprintf(want, sizeof want,
             "[\"Open_vSwitch\","
             " {\"op\": \"comment\", \"comment\": \"guestnet: add br0\"},"
             " {\"op\": \"insert\", \"table\": \"Interface\","
             "  \"row\": {\"name\": \"br0\", \"type\": \"internal\"},"
             "  \"uuid-name\": \"%s\"},"
             " {\"op\": \"insert\", \"table\": \"Port\","
             "  \"row\": {\"name\": \"br0\","
             "   \"interfaces\": [\"named-uuid\", \"%s\"]},"
             "  \"uuid-name\": \"%s\"},"
             " {\"op\": \"wait\", \"timeout\": 0, \"table\": \"Bridge\","
             "  \"where\": [[\"name\", \"==\", \"br0\"]],"
             "  \"columns\": [\"name\"], \"until\": \"==\", \"rows\": []},"
             " {\"op\": \"mutate\", \"table\": \"Open_vSwitch\","
             "  \"where\": [],"
             "  \"mutations\": [[\"bridges\", \"insert\","
             "   [\"set\", [[\"named-uuid\", \"%s\"]]]]]},"
             " {\"op\": \"update\", \"table\": \"Port\","
             "  \"where\": [[\"_uuid\", \"==\", [\"uuid\", \"x-y\"]]],"
             "  \"row\": {\"tag\": 10}},"
             " {\"op\": \"delete\", \"table\": \"Port\","
             "  \"where\": [[\"name\", \"==\", \"p\"]]}]",
             iface, iface, port, port);
    CHECK(json_is(ovsdb_txn_params(txn), want));
    ovsdb_txn_destroy(txn);
}

static void
test_named_uuids_are_unique_and_valid(void)
{
    struct ovsdb_txn *a = ovsdb_txn_create("Open_vSwitch");
    struct ovsdb_txn *b = ovsdb_txn_create("Open_vSwitch");
    const char *names[4];
    int i, j;

    names[0] = ovsdb_txn_insert(a, "Port", json_object());
    names[1] = ovsdb_txn_insert(a, "Port", json_object());
    names[2] = ovsdb_txn_insert(b, "Port", json_object());
    names[3] = ovsdb_txn_insert(b, "Port", NULL);
    for (i = 0; i < 4; i++) {
        /* RFC 7047 <id>: [a-zA-Z_][a-zA-Z0-9_]*. */
        CHECK(names[i] && (names[i][0] == '_' || (names[i][0] | 0x20) >= 'a'));
        CHECK(strspn(names[i], "abcdefghijklmnopqrstuvwxyz"
                     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
              == strlen(names[i]));
        for (j = 0; j < i; j++) {
            CHECK(strcmp(names[i], names[j]));
        }
    }
    ovsdb_txn_destroy(a);
    ovsdb_txn_destroy(b);
}

/* A transaction and the reply last decoded for it. */
struct decoded {
    struct ovsdb_txn *txn;
    json_t *reply;
    struct ovsdb_txn_result result;
};

/* Decodes 'reply' (stolen) for d->txn into d->result; the reply decoded
 * before goes. */
static void
decode(struct decoded *d, json_t *reply)
{
    json_decref(d->reply);
    d->reply = reply;
    ovsdb_txn_decode_reply(d->txn, reply, &d->result);
}

static void
decoded_destroy(struct decoded *d)
{
    json_decref(d->reply);
    ovsdb_txn_destroy(d->txn);
}

static void
test_increment_next_cfg(void)
{
    struct decoded d = { .txn = ovsdb_txn_create("Open_vSwitch") };

    ovsdb_txn_insert(d.txn, "Bridge", json_pack("{s:s}", "name", "br0"));
    ovsdb_txn_increment_next_cfg(d.txn);
    CHECK(ovsdb_txn_n_ops(d.txn) == 3);
    CHECK(json_is(json_array_get(ovsdb_txn_params(d.txn), 2),
                  "{\"op\": \"mutate\", \"table\": \"Open_vSwitch\","
                  " \"where\": [],"
                  " \"mutations\": [[\"next_cfg\", \"+=\", 1]]}"));
    CHECK(json_is(json_array_get(ovsdb_txn_params(d.txn), 3),
                  "{\"op\": \"select\", \"table\": \"Open_vSwitch\","
                  " \"where\": [], \"columns\": [\"next_cfg\"]}"));

    decode(&d, reply_of("[{\"uuid\": [\"uuid\", \"u\"]}, {\"count\": 1},"
                        " {\"rows\": [{\"next_cfg\": 42}]}]"));
    CHECK(d.result.status == OVSDB_TXN_SUCCESS);
    CHECK(d.result.error == NULL && d.result.failed_op == -1);
    CHECK(d.result.next_cfg == 42);
    CHECK(json_array_size(d.result.results) == 3);

    /* Success claimed but the select has no row: a bad reply. */
    decode(&d, reply_of("[{\"uuid\": [\"uuid\", \"u\"]}, {\"count\": 1},"
                        " {\"rows\": []}]"));
    CHECK(d.result.status == OVSDB_TXN_BAD_REPLY);
    decoded_destroy(&d);
}

/* Returns a txn with two ops and no next_cfg. */
static struct ovsdb_txn *
two_op_txn(void)
{
    struct ovsdb_txn *txn = ovsdb_txn_create("Open_vSwitch");

    ovsdb_txn_insert(txn, "Port", json_pack("{s:s}", "name", "p1"));
    ovsdb_txn_delete(txn, "Port", ovsdb_where_uuid("u"));
    return txn;
}

static void
test_decode_success(void)
{
    struct decoded d = { .txn = two_op_txn() };

    decode(&d, reply_of("[{\"uuid\": [\"uuid\", \"u1\"]}, {\"count\": 1}]"));
    CHECK(d.result.status == OVSDB_TXN_SUCCESS);
    CHECK(d.result.error == NULL);
    CHECK(d.result.next_cfg == -1);
    CHECK(d.result.results == json_object_get(d.reply, "result"));
    decoded_destroy(&d);
}

static void
test_decode_op_error(void)
{
    struct decoded d = { .txn = two_op_txn() };

    decode(&d, reply_of("[{\"uuid\": [\"uuid\", \"u1\"]},"
                        " {\"error\": \"timed out\","
                        "  \"details\": \"\\\"wait\\\" timed out\"}]"));
    CHECK(d.result.status == OVSDB_TXN_OP_ERROR);
    CHECK(d.result.failed_op == 1);
    CHECK(d.result.error && strstr(d.result.error, "timed out")
          && strstr(d.result.error, "\"wait\" timed out"));

    /* Ops after a failed one get null results. */
    decode(&d, reply_of("[{\"error\": \"constraint violation\"}, null]"));
    CHECK(d.result.status == OVSDB_TXN_OP_ERROR && d.result.failed_op == 0);
    CHECK(d.result.error
          && strstr(d.result.error, "constraint violation"));
    decoded_destroy(&d);
}

static void
test_decode_commit_error_in_extra_element(void)
{
    struct decoded d = { .txn = two_op_txn() };

    decode(&d, reply_of(
               "[{\"uuid\": [\"uuid\", \"u1\"]}, {\"count\": 0},"
               " {\"error\": \"referential integrity violation\","
               "  \"details\": \"cannot delete Port row u because of 1 "
               "remaining reference(s)\"}]"));
    CHECK(d.result.status == OVSDB_TXN_OP_ERROR);
    CHECK(d.result.failed_op == -1);
    CHECK(d.result.error
          && strstr(d.result.error, "referential integrity violation")
          && strstr(d.result.error, "remaining reference"));
    decoded_destroy(&d);
}

static void
test_decode_malformed(void)
{
    static const char *const bad[] = {
        "{}",                               /* Not an array. */
        "[{\"count\": 1}]",                 /* Too short. */
        "[{}, {}, {}, {}]",                 /* Too long. */
        "[{}, {}, {\"count\": 1}]",         /* Extra element, no error. */
        "[{}, 7]",                          /* Not an object. */
        "[null, null]",                     /* Null with no error. */
    };
    struct decoded d = { .txn = two_op_txn() };

    for (size_t i = 0; i < GN_ARRAY_SIZE(bad); i++) {
        TEST_ROW("%s", bad[i]);
        decode(&d, reply_of(bad[i]));
        CHECK(d.result.status == OVSDB_TXN_BAD_REPLY);
        CHECK(d.result.error != NULL);
    }
    TEST_ROW_END();

    /* Not a reply at all. */
    decode(&d, json_loads("{\"method\": \"x\", \"params\": [], \"id\": null}",
                          0, NULL));
    CHECK(d.result.status == OVSDB_TXN_BAD_REPLY);

    /* A JSON-RPC error (say, an unknown database). */
    decode(&d, json_loads("{\"result\": null, \"id\": 1, \"error\": "
                          "{\"error\": \"unknown database\", "
                          "\"details\": \"Nope\"}}", 0, NULL));
    CHECK(d.result.status == OVSDB_TXN_OP_ERROR);
    CHECK(d.result.error && strstr(d.result.error, "unknown database")
          && strstr(d.result.error, "Nope"));
    decoded_destroy(&d);
}

int
main(void)
{
    TEST_RUN("ovsdb-txn/params-json", test_params_json);
    TEST_RUN("ovsdb-txn/named-uuids-are-unique-and-valid",
             test_named_uuids_are_unique_and_valid);
    TEST_RUN("ovsdb-txn/increment-next-cfg", test_increment_next_cfg);
    TEST_RUN("ovsdb-txn/decode-success", test_decode_success);
    TEST_RUN("ovsdb-txn/decode-op-error", test_decode_op_error);
    TEST_RUN("ovsdb-txn/decode-commit-error-in-extra-element",
             test_decode_commit_error_in_extra_element);
    TEST_RUN("ovsdb-txn/decode-malformed", test_decode_malformed);
    return test_done();
}
