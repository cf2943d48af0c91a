/* fuzz-util.c: the config and replica the fuzz targets start from (see
 * fuzz/fuzz-util.h). */
#include <config.h>

#include "fuzz-util.h"

#include <jansson.h>
#include <stdlib.h>

#include "bridge.h"
#include "gn-config.h"
#include "ovsdb-replica.h"

const char fuzz_config_json[] =
    "{\"bridge\": \"br-int\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10,"
    "  \"subnets\": [\"10.10.0.0/24\", \"2001:db8:10::/64\"],"
    "  \"gateways\": [\"10.10.0.1\"]},"
    " {\"name\": \"db\", \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]},"
    " {\"name\": \"p2p\", \"vlan\": 30, \"subnets\": [\"10.30.0.0/31\"],"
    "  \"private\": true}]}";

struct gn_config *
fuzz_config(void)
{
    static struct gn_config *cfg;

    if (!cfg) {
        json_t *j = json_loads(fuzz_config_json, 0, NULL);

        if (!j || gn_config_from_json(j, &cfg)) {
            abort();
        }
        json_decref(j);
    }
    return cfg;
}

struct ovsdb_replica *
fuzz_replica(void)
{
    static struct ovsdb_replica *replica;

    if (!replica) {
        replica = ovsdb_replica_create("Open_vSwitch", NULL, NULL);
        bridge_replica_init(replica);
    }
    return replica;
}
