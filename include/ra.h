/* ra.h: router solicitations and advertisements (RFC 4861) for guestnetd,
 * the router of its networks: a guest's solicitation read out of its
 * frame, and the advertisement built as a whole Ethernet frame.
 *
 * The reader takes untrusted bytes (a guest's frame, punted by the
 * switch): it accepts only what RFC 4861 6.1.1 lets a router accept (hop
 * limit 255, ICMPv6 code 0, a correct checksum, at least 8 bytes, options
 * of nonzero length within the message, no source link-layer option from
 * "::") and, beyond it, at most one source link-layer option, of 8 bytes.
 *
 * Pure: no I/O, no allocation, no state.  Thread-safe. */
#ifndef GN_RA_H
#define GN_RA_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A guest's router solicitation. */
struct ra_solicit {
    uint8_t eth_src[6];
    struct in6_addr src;        /* "::" or the guest's address. */
    bool has_sll;               /* A source link-layer option... */
    uint8_t sll[6];             /* ...with this MAC. */
};

/* Reads the Ethernet frame 'frame'/'len' (caller keeps it) into '*rs'.
 * Returns NULL, or a static reason ("bad checksum"). */
const char *ra_parse_solicit(const void *frame, size_t len,
                             struct ra_solicit *rs);

/* What a router advertisement says (RFC 4861 4.2, 4.6). */
struct ra_params {
    uint8_t router_mac[6];      /* Source MAC and link-layer option; the
                                 * source address is its EUI-64
                                 * link-local address. */
    uint8_t dst_mac[6];
    struct in6_addr dst;        /* The soliciting guest, or ff02::1. */
    bool managed;               /* M: addresses by DHCPv6. */
    bool other;                 /* O: other configuration by DHCPv6. */
    uint16_t router_lifetime;   /* Seconds; 0: not a default router. */
    uint32_t mtu;               /* 0: no MTU option. */
    struct in6_addr prefix;     /* The on-link prefix (L set, A clear). */
    uint8_t prefix_len;
    uint32_t valid_lifetime;
    uint32_t preferred_lifetime;
};

/* The longest frame ra_build() writes. */
#define RA_FRAME_MAX 160

/* Writes into 'buf' (at least RA_FRAME_MAX bytes) the Ethernet frame of
 * the advertisement 'p' and returns its length. */
size_t ra_build(const struct ra_params *p, uint8_t *buf);

#endif /* ra.h */
