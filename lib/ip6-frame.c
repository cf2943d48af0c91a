/* ip6-frame.c: IPv6 frames between guests and guestnetd's IPv6 services
 * (see include/ip6-frame.h).  Pure: bytes in, bytes out. */
#include <config.h>

#include "ip6-frame.h"

#include <string.h>

static uint16_t
get16__(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

const char *
ip6_frame_parse(const void *frame, size_t len, struct ip6_frame *f)
{
    const uint8_t *p = frame;
    size_t plen;

    memset(f, 0, sizeof *f);
    if (len < IP6_FRAME_HDR_LEN) {
        return "frame too short";
    }
    if (get16__(p + 12) != 0x86dd) {
        return "not IPv6";
    }
    memcpy(f->eth_dst, p, 6);
    memcpy(f->eth_src, p + 6, 6);
    p += 14;
    if ((p[0] >> 4) != 6) {
        return "bad IPv6 version";
    }
    plen = get16__(p + 4);
    if (plen > len - IP6_FRAME_HDR_LEN) {
        return "IPv6 payload longer than the frame";
    }
    f->next = p[6];
    if (f->next != IPPROTO_ICMPV6 && f->next != IPPROTO_UDP) {
        return "not ICMPv6 or UDP right after the IPv6 header";
    }
    f->hop_limit = p[7];
    memcpy(&f->src, p + 8, 16);
    memcpy(&f->dst, p + 24, 16);
    f->payload = p + 40;
    f->len = plen;
    return NULL;
}

static uint32_t
ip6_csum_add__(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += get16__(p + i);
    }
    if (n & 1) {
        sum += (uint32_t) p[n - 1] << 8;
    }
    return sum;
}

uint16_t
ip6_frame_csum(const struct in6_addr *src, const struct in6_addr *dst,
               uint8_t next, const uint8_t *l4, size_t len)
{
    uint32_t sum = 0;

    sum = ip6_csum_add__(sum, src->s6_addr, 16);
    sum = ip6_csum_add__(sum, dst->s6_addr, 16);
    sum += (uint32_t) (len >> 16) + (uint32_t) (len & 0xffff) + next;
    sum = ip6_csum_add__(sum, l4, len);
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

size_t
ip6_frame_finish(uint8_t *buf, const uint8_t dst_mac[6],
                 const uint8_t src_mac[6], const struct in6_addr *src,
                 const struct in6_addr *dst, uint8_t next, size_t len,
                 size_t csum_off)
{
    uint8_t *ip = buf + 14, *l4 = buf + IP6_FRAME_HDR_LEN;
    uint16_t csum;

    memcpy(buf, dst_mac, 6);
    memcpy(buf + 6, src_mac, 6);
    buf[12] = 0x86;
    buf[13] = 0xdd;
    memset(ip, 0, 40);
    ip[0] = 0x60;
    ip[4] = (len >> 8) & 0xff;
    ip[5] = len & 0xff;
    ip[6] = next;
    ip[7] = 255;
    memcpy(ip + 8, src, 16);
    memcpy(ip + 24, dst, 16);
    l4[csum_off] = l4[csum_off + 1] = 0;
    csum = ip6_frame_csum(src, dst, next, l4, len);
    if (!csum && next == IPPROTO_UDP) {
        csum = 0xffff;
    }
    l4[csum_off] = csum >> 8;
    l4[csum_off + 1] = csum & 0xff;
    return IP6_FRAME_HDR_LEN + len;
}

void
ip6_link_local(const uint8_t mac[6], struct in6_addr *a)
{
    memset(a, 0, sizeof *a);
    a->s6_addr[0] = 0xfe;
    a->s6_addr[1] = 0x80;
    a->s6_addr[8] = mac[0] ^ 0x02;
    a->s6_addr[9] = mac[1];
    a->s6_addr[10] = mac[2];
    a->s6_addr[11] = 0xff;
    a->s6_addr[12] = 0xfe;
    a->s6_addr[13] = mac[3];
    a->s6_addr[14] = mac[4];
    a->s6_addr[15] = mac[5];
}

bool
ip6_link_local_mac(const struct in6_addr *a, uint8_t mac[6])
{
    const uint8_t *b = a->s6_addr;
    struct in6_addr back;

    mac[0] = b[8] ^ 0x02;
    mac[1] = b[9];
    mac[2] = b[10];
    mac[3] = b[13];
    mac[4] = b[14];
    mac[5] = b[15];
    ip6_link_local(mac, &back);
    return !memcmp(&back, a, sizeof back);
}

bool
ip6_is_link_local64(const struct in6_addr *a)
{
    static const uint8_t prefix[8] = { 0xfe, 0x80 };

    return !memcmp(a->s6_addr, prefix, 8);
}
