/* symbol-clash-ovs.c: calls libopenvswitch's JSON functions by their OVS
 * names (json_object() here is OVS's accessor, reached through
 * ovs-lib/ovs-renames.h). */
#include <config.h>

#include "symbol-clash-ovs.h"

#include "openvswitch/json.h"
#include "openvswitch/shash.h"

int
symbol_clash_ovs_object_size(const char *text)
{
    struct json *json = json_from_string(text);
    int n = -1;

    if (json->type == JSON_OBJECT) {
        n = shash_count(json_object(json));
    }
    json_destroy(json);
    return n;
}
