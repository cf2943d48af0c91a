/* fuzz-port-spec: the validation of POST /v1/ports bodies
 * (engine/port-spec.c) on arbitrary JSON, against a config with three
 * networks and an empty replica: an accepted body gives a spec whose
 * parts are consistent, a refused one an error and its kind. */
#include <config.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bridge.h"
#include "gn-config.h"
#include "ovsdb-replica.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char config_json[] =
    "{\"bridge\": \"br-int\", \"networks\": ["
    " {\"name\": \"web\", \"vlan\": 10,"
    "  \"subnets\": [\"10.10.0.0/24\", \"2001:db8:10::/64\"],"
    "  \"gateways\": [\"10.10.0.1\"]},"
    " {\"name\": \"db\", \"vlan\": 20, \"subnets\": [\"10.20.0.0/24\"]},"
    " {\"name\": \"p2p\", \"vlan\": 30, \"subnets\": [\"10.30.0.0/31\"],"
    "  \"private\": true}]}";

static struct gn_config *cfg;
static struct ovsdb_replica *replica;

/* The config and the (empty) replica, made once. */
static void
setup(void)
{
    json_t *j = json_loads(config_json, 0, NULL);
    char *error = gn_config_from_json(j, &cfg);

    if (error) {
        abort();
    }
    json_decref(j);
    replica = ovsdb_replica_create("Open_vSwitch", NULL, NULL);
    bridge_replica_init(replica);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *req = json_loadb((const char *) data, size,
                             JSON_REJECT_DUPLICATES, NULL);
    struct port_spec spec;
    enum port_error kind;
    char *error;

    if (!cfg) {
        setup();
    }
    if (!req) {
        return 0;
    }
    error = port_spec_from_json(req, cfg, replica, &spec, &kind);
    if (error) {
        if (kind == PORT_ERR_NONE) {
            abort();            /* A refusal always says which kind. */
        }
        free(error);
    } else {
        if (!spec.name || !spec.network || !spec.token
            || !gn_config_find_network(cfg, spec.network)) {
            abort();
        }
        free(port_request_hash(req));
        port_spec_destroy(&spec);
    }
    json_decref(req);
    return 0;
}
