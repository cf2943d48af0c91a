/* fuzz-dhcp: the DHCPv4 parser (lib/dhcp.c) on arbitrary frames: a frame
 * it accepts is answered, and the answer fits DHCP_FRAME_MAX; the same
 * frame read as a server's answer (DHCP snooping) gives a known message
 * type. */
#include <config.h>

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t dns[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint8_t *copy = malloc(size ? size : 1);    /* Exact size for ASan. */
    uint8_t reply[DHCP_FRAME_MAX];
    struct dhcp_lease lease;
    struct dhcp_msg msg;

    memcpy(copy, data, size);
    if (!dhcp_parse(copy, size, &msg)) {
        enum dhcp_type type;

        memset(&lease, 0, sizeof lease);
        memcpy(lease.client_mac, msg.chaddr, 6);
        lease.client_ip = msg.requested_ip;
        lease.server_ip = htonl(0x0a000001);
        lease.netmask = htonl(0xffffff00);
        lease.lease_secs = 3600;
        lease.dns = dns;
        lease.n_dns = 8;
        type = dhcp_answer(&msg, &lease, NULL);
        if (type && dhcp_build(&msg, type, &lease, reply) > sizeof reply) {
            abort();
        }
    }
    if (!dhcp_parse_reply(copy, size, &msg)
        && (msg.type < DHCP_DISCOVER || msg.type > DHCP_INFORM)) {
        abort();
    }
    free(copy);
    return 0;
}
