/* fuzz-ofp: OpenFlow replies as ofctrl decodes them (flows/flow-table.c
 * flow stats, as flows or as counters only, flows/meter-table.c meter
 * config), arbitrary bytes after a
 * valid OpenFlow header of the version and type the first byte picks.
 * The OVS side: libopenvswitch's headers, never <jansson.h>. */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow-table.h"
#include "meter-table.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t versions[] = { 4, 5, 6 };   /* OF 1.3-1.5. */
    uint8_t *msg;
    bool more = false;
    char *error;

    if (size < 2 || size > 65535) {
        return 0;
    }
    /* The OpenFlow header: version, type OFPT_MULTIPART_REPLY (19), the
     * real length, xid 0; then the input's bytes after the first. */
    msg = malloc(size - 1 + 8);
    msg[0] = versions[data[0] % 3];
    msg[1] = 19;
    msg[2] = (size - 1 + 8) >> 8;
    msg[3] = (size - 1 + 8) & 0xff;
    memset(msg + 4, 0, 4);
    memcpy(msg + 8, data + 1, size - 1);
    if (data[0] & 0x80) {
        struct meter_table *t = meter_table_create();

        error = meter_table_add_config_reply(t, msg, size - 1 + 8, &more);
        meter_table_destroy(t);
    } else if (data[0] & 0x40) {
        /* As a cookie stats request reads it: counters only. */
        struct flow_table_cookie_stats *sums = NULL;
        size_t n = 0, allocated = 0;

        error = flow_table_sum_stats_reply(msg[0], msg, size - 1 + 8, &sums,
                                           &n, &allocated, &more);
        flow_table_cookie_stats_merge(sums, n);
        free(sums);
    } else {
        struct flow_table *t = flow_table_create(msg[0]);

        error = flow_table_add_stats_reply(t, msg, size - 1 + 8, &more);
        flow_table_destroy(t);
    }
    free(error);
    free(msg);
    return 0;
}
