/* fuzz-dhcp6: the DHCPv6 parser (lib/dhcp6.c) and the router
 * solicitation parser (lib/ra.c) on arbitrary frames: a frame either
 * accepts is answered, and the answer fits its buffer; the same frame
 * read as a server's answer (DHCP snooping) gives at most
 * DHCP6_IA_ADDRS_MAX addresses. */
#include <config.h>

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6.h"
#include "ra.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);    /* Exact size for ASan. */
    struct in6_addr dns[8];
    uint8_t reply[DHCP6_FRAME_MAX];
    struct dhcp6_lease lease;
    struct dhcp6_answer a;
    struct dhcp6_msg msg;
    struct ra_solicit rs;

    memcpy(copy, data, size);
    memset(dns, 0x20, sizeof dns);
    if (!dhcp6_parse(copy, size, &msg)) {
        memset(&lease, 0, sizeof lease);
        memcpy(lease.client_mac, msg.eth_src, 6);
        lease.has_ip = size & 1;
        lease.client_ip = msg.src;
        lease.preferred_secs = 3600;
        lease.valid_secs = 7200;
        lease.dns = dns;
        lease.n_dns = 8;
        dhcp6_answer(&msg, &lease, &a, NULL);
        if (a.type && dhcp6_build(&msg, &a, &lease, reply) > sizeof reply) {
            abort();
        }
    }
    if (!dhcp6_parse_reply(copy, size, &msg)
        && msg.n_ia_addrs > DHCP6_IA_ADDRS_MAX) {
        abort();
    }
    if (!ra_parse_solicit(copy, size, &rs)) {
        struct ra_params p = { .mtu = 1500, .prefix_len = 64 };
        uint8_t ra[RA_FRAME_MAX];

        p.dst = rs.src;
        if (ra_build(&p, ra) > sizeof ra) {
            abort();
        }
    }
    free(copy);
    return 0;
}
