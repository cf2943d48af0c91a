/* fuzz-port-spec: the validation of POST /v1/ports bodies
 * (engine/port-spec.c) on arbitrary JSON, against a config with three
 * networks and an empty replica: an accepted body gives a spec whose
 * parts are consistent, a refused one an error and its kind. */
#include <config.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz-util.h"
#include "gn-config.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *req = json_loadb((const char *) data, size,
                             JSON_REJECT_DUPLICATES, NULL);
    struct gn_config *cfg = fuzz_config();
    struct port_spec spec;
    enum port_error kind;
    char *error;

    if (!req) {
        return 0;
    }
    error = port_spec_from_json(req, cfg, fuzz_replica(), NULL, &spec, &kind);
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
