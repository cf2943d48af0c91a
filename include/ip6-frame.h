/* ip6-frame.h: the IPv6 frames between a guest and guestnetd's IPv6
 * services (router advertisements, lib/ra.c; DHCPv6, lib/dhcp6.c): a
 * guest's frame read up to its upper layer, the Ethernet and IPv6 headers
 * of an answer written, the upper-layer checksum, and the EUI-64
 * link-local address of a MAC.
 *
 * The reader takes untrusted bytes: every length is checked before use;
 * a frame with a VLAN tag or IPv6 extension headers is refused (guestnetd
 * answers only what a guest sends whole and plain: the pipeline hands up
 * nothing else, and ND and DHCPv6 never need them).
 *
 * Pure: no I/O, no allocation, no state.  Thread-safe. */
#ifndef GN_IP6_FRAME_H
#define GN_IP6_FRAME_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ethernet (14) and IPv6 (40) headers. */
#define IP6_FRAME_HDR_LEN 54

/* A guest's IPv6 frame, read. */
struct ip6_frame {
    uint8_t eth_dst[6];
    uint8_t eth_src[6];
    struct in6_addr src;
    struct in6_addr dst;
    uint8_t next;               /* The upper layer's protocol. */
    uint8_t hop_limit;
    const uint8_t *payload;     /* The upper layer, in the caller's frame. */
    size_t len;                 /* Its length (the IPv6 payload length). */
};

/* Reads the Ethernet frame 'frame'/'len' (caller keeps it) into '*f'.
 * Returns NULL, or a static reason ("not IPv6"). */
const char *ip6_frame_parse(const void *frame, size_t len,
                            struct ip6_frame *f);

/* The upper-layer checksum (RFC 8200 8.1) of 'len' bytes at 'l4' of
 * protocol 'next' from 'src' to 'dst': 0 if the bytes hold a correct
 * checksum, else the checksum to store where they hold 0. */
uint16_t ip6_frame_csum(const struct in6_addr *src,
                        const struct in6_addr *dst, uint8_t next,
                        const uint8_t *l4, size_t len);

/* Writes the Ethernet and IPv6 headers (hop limit 255) in front of the
 * 'len' bytes of protocol 'next' at 'buf' + IP6_FRAME_HDR_LEN and stores
 * the upper layer's checksum at offset 'csum_off' in them.  Returns the
 * frame's length. */
size_t ip6_frame_finish(uint8_t *buf, const uint8_t dst_mac[6],
                        const uint8_t src_mac[6], const struct in6_addr *src,
                        const struct in6_addr *dst, uint8_t next, size_t len,
                        size_t csum_off);

/* Stores in '*a' the EUI-64 link-local address of 'mac' (RFC 4291 2.5.1,
 * fe80::/64 with the universal/local bit inverted). */
void ip6_link_local(const uint8_t mac[6], struct in6_addr *a);
/* If 'a' is the EUI-64 link-local address of a MAC, stores that MAC in
 * 'mac' and returns true. */
bool ip6_link_local_mac(const struct in6_addr *a, uint8_t mac[6]);

/* True if 'a' is in fe80::/64. */
bool ip6_is_link_local64(const struct in6_addr *a);

#endif /* ip6-frame.h */
