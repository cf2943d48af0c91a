/* ra.c: router solicitations read and router advertisements built (see
 * include/ra.h).  Pure: bytes in, bytes out. */
#include <config.h>

#include "ra.h"

#include <string.h>

#include "ip6-frame.h"

#define ND_RS 133
#define ND_RA 134
#define OPT_SLL 1
#define OPT_PREFIX 3
#define OPT_MTU 5

const char *
ra_parse_solicit(const void *frame, size_t len, struct ra_solicit *rs)
{
    struct ip6_frame f;
    const char *error;
    size_t i;

    memset(rs, 0, sizeof *rs);
    if ((error = ip6_frame_parse(frame, len, &f))) {
        return error;
    }
    if (f.next != IPPROTO_ICMPV6 || f.len < 8) {
        return "not an ICMPv6 message of 8 bytes or more";
    }
    if (f.payload[0] != ND_RS || f.payload[1] != 0) {
        return "not a router solicitation of code 0";
    }
    if (f.hop_limit != 255) {
        return "hop limit is not 255";
    }
    if (ip6_frame_csum(&f.src, &f.dst, IPPROTO_ICMPV6, f.payload, f.len)) {
        return "bad checksum";
    }
    memcpy(rs->eth_src, f.eth_src, 6);
    rs->src = f.src;
    for (i = 8; i < f.len; ) {
        const uint8_t *o = f.payload + i;
        size_t n;

        if (f.len - i < 2 || !o[1]) {
            return "option of length 0 or truncated";
        }
        n = (size_t) o[1] * 8;
        if (n > f.len - i) {
            return "option longer than the message";
        }
        if (o[0] == OPT_SLL) {
            if (n != 8 || rs->has_sll) {
                return "bad or repeated source link-layer option";
            }
            rs->has_sll = true;
            memcpy(rs->sll, o + 2, 6);
        }
        i += n;
    }
    if (rs->has_sll && IN6_IS_ADDR_UNSPECIFIED(&rs->src)) {
        return "source link-layer option from the unspecified address";
    }
    return NULL;
}

static void
put32__(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = (v >> 16) & 0xff;
    p[2] = (v >> 8) & 0xff;
    p[3] = v & 0xff;
}

size_t
ra_build(const struct ra_params *p, uint8_t *buf)
{
    uint8_t *m = buf + IP6_FRAME_HDR_LEN, *o = m + 16;
    struct in6_addr src;

    memset(buf, 0, RA_FRAME_MAX);
    m[0] = ND_RA;
    m[4] = 64;                          /* Cur hop limit. */
    m[5] = (p->managed ? 0x80 : 0) | (p->other ? 0x40 : 0);
    m[6] = p->router_lifetime >> 8;
    m[7] = p->router_lifetime & 0xff;
    /* Reachable time and retrans timer 0: unspecified. */

    o[0] = OPT_SLL;
    o[1] = 1;
    memcpy(o + 2, p->router_mac, 6);
    o += 8;
    if (p->mtu) {
        o[0] = OPT_MTU;
        o[1] = 1;
        put32__(o + 4, p->mtu);
        o += 8;
    }
    o[0] = OPT_PREFIX;
    o[1] = 4;
    o[2] = p->prefix_len;
    o[3] = 0x80;                        /* On-link; not autonomous. */
    put32__(o + 4, p->valid_lifetime);
    put32__(o + 8, p->preferred_lifetime);
    memcpy(o + 16, &p->prefix, 16);
    o += 32;

    ip6_link_local(p->router_mac, &src);
    return ip6_frame_finish(buf, p->dst_mac, p->router_mac, &src, &p->dst,
                            IPPROTO_ICMPV6, (size_t) (o - m), 2);
}
