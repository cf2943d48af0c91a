/* fuzz-replica: OVSDB table updates (ovsdb/ovsdb-replica*.c) on arbitrary
 * JSON, against the replica of the tables guestnetd monitors with the
 * schema of the installed ovsdb-server: "update2" or "update" form (the
 * input's first byte), initial or not, applied to a replica that keeps
 * its rows across inputs so that modifies and deletes find rows; the
 * change feeds and indexes are read after each. */
#include <config.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bridge.h"
#include "ovsdb-replica.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

static struct ovsdb_replica *replica;
static unsigned long long inputs;

/* A replica as guestnetd keeps it. */
static struct ovsdb_replica *
make_replica(void)
{
    struct ovsdb_replica *r = ovsdb_replica_create("Open_vSwitch", NULL,
                                                   NULL);
    json_t *schema = json_load_file(SCHEMA, 0, NULL);
    char *error;

    if (!schema) {
        abort();
    }
    bridge_replica_init(r);
    error = ovsdb_replica_set_schema(r, schema);
    if (error) {
        abort();
    }
    json_decref(schema);
    return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ovsdb_replica_changes it;
    enum ovsdb_replica_change change;
    unsigned long long since;
    const char *uuid, *name;
    const json_t *row;
    json_t *updates;
    char *error;

    if (!replica || ++inputs % 1000 == 0) {
        ovsdb_replica_destroy(replica);
        replica = make_replica();
    }
    if (size < 1) {
        return 0;
    }
    updates = json_loadb((const char *) data + 1, size - 1,
                         JSON_REJECT_DUPLICATES, NULL);
    if (!updates) {
        return 0;
    }
    since = ovsdb_replica_seqno(replica);
    error = ovsdb_replica_apply_update(replica, updates, data[0] & 1,
                                       data[0] & 2);
    free(error);
    json_decref(updates);
    if (!ovsdb_replica_changes_init(&it, replica, "Port", since)) {
        return 0;
    }
    while ((uuid = ovsdb_replica_changes_next(&it, &change)) != NULL) {
        row = ovsdb_replica_get_row(replica, "Port", uuid);
        if ((change == OVSDB_REPLICA_DELETED) != !row) {
            abort();            /* The feed says what the table holds. */
        }
        name = row ? ovsdb_datum_string(row, "name") : NULL;
        if (name && !ovsdb_replica_index_has(replica, "Port", "name", name,
                                             uuid)) {
            abort();            /* Every named row is in the index. */
        }
    }
    return 0;
}
