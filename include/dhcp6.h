/* dhcp6.h: DHCPv6 (RFC 8415) for guestnetd's built-in server: a client's
 * message parsed out of the Ethernet frame that carries it, what the
 * server answers, and the answer built as a whole Ethernet frame.
 *
 * The parser takes untrusted bytes (a guest's frame, punted by the
 * switch): every length is checked against the bytes present before it is
 * used, options (and the options inside an IA_NA) are walked one at a
 * time up to the end of the UDP payload, and a message that is not what a
 * client sends (UDP 546 to 547 with a correct checksum, a client's message
 * type, the identifiers RFC 8415 16 requires of its type, none repeated)
 * is refused with a static reason.  Only the options the server needs are
 * read (client and server identifiers, the first IA_NA and its addresses,
 * rapid commit); the others are stepped over.  The same parser reads a
 * server's message (dhcp6_parse_reply(): UDP 547 to 546, a server's type)
 * with the valid lifetimes of its IA_NA's addresses, as the DHCP snooping
 * of a network's own server needs it.
 *
 * The server's DUID is a DUID-LL (RFC 8415 11.4) of the network's gateway
 * MAC: stable across restarts and the same on every host of a cluster.
 *
 * Pure: no I/O, no allocation, no state.  Thread-safe. */
#ifndef GN_DHCP6_H
#define GN_DHCP6_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gn_network;
struct netaddr_ip;

/* Message types. */
enum dhcp6_type {
    DHCP6_SOLICIT = 1,
    DHCP6_ADVERTISE = 2,
    DHCP6_REQUEST = 3,
    DHCP6_CONFIRM = 4,
    DHCP6_RENEW = 5,
    DHCP6_REBIND = 6,
    DHCP6_REPLY = 7,
    DHCP6_RELEASE = 8,
    DHCP6_DECLINE = 9,
    DHCP6_RECONFIGURE = 10,
    DHCP6_INFORMATION_REQUEST = 11,
};

/* Status codes (RFC 8415 21.13). */
enum dhcp6_status {
    DHCP6_SUCCESS = 0,
    DHCP6_NO_ADDRS_AVAIL = 2,
    DHCP6_NOT_ON_LINK = 4,
};

#define DHCP6_DUID_MAX 128      /* RFC 8415 11.1. */
#define DHCP6_IA_ADDRS_MAX 4    /* Addresses of an IA_NA kept. */

/* A client's (or a server's) message. */
struct dhcp6_msg {
    uint8_t eth_dst[6];
    uint8_t eth_src[6];
    struct in6_addr src;        /* The IPv6 source: where answers go. */
    struct in6_addr dst;
    enum dhcp6_type type;
    uint8_t xid[3];
    uint8_t client_id[DHCP6_DUID_MAX];
    size_t client_id_len;       /* 0: none. */
    uint8_t server_id[DHCP6_DUID_MAX];
    size_t server_id_len;       /* 0: none. */
    bool has_ia_na;             /* The first IA_NA: */
    uint8_t iaid[4];
    struct in6_addr ia_addrs[DHCP6_IA_ADDRS_MAX];   /* its addresses */
    size_t n_ia_addrs;          /* (the first DHCP6_IA_ADDRS_MAX), */
    uint32_t ia_valid[DHCP6_IA_ADDRS_MAX];  /* and their valid lifetimes
                                             * (host byte order). */
    bool rapid_commit;
};

/* Parses the Ethernet frame 'frame' of 'len' bytes (caller keeps it) into
 * '*msg'.  Returns NULL on success, else a static string saying what is
 * wrong, with '*msg' unspecified. */
const char *dhcp6_parse(const void *frame, size_t len, struct dhcp6_msg *msg);

/* The same for a server's message (UDP 547 to 546; ADVERTISE, REPLY or
 * RECONFIGURE), without the client's checks of identifiers. */
const char *dhcp6_parse_reply(const void *frame, size_t len,
                              struct dhcp6_msg *msg);

/* What the server knows of the client's port and network. */
struct dhcp6_lease {
    uint8_t server_mac[6];      /* The network's gateway MAC: the source
                                 * MAC, the DUID, and the source address
                                 * is its EUI-64 link-local address. */
    uint8_t client_mac[6];      /* The port's MAC. */
    bool has_ip;                /* The port has an address... */
    struct in6_addr client_ip;  /* ...in the network's prefix. */
    uint32_t preferred_secs;    /* Lifetimes; T1 and T2 are half and */
    uint32_t valid_secs;        /* 0.8 of the preferred lifetime. */
    const struct in6_addr *dns; /* DNS servers, or none. */
    size_t n_dns;
};

/* The server's answer to 'msg' from a port whose lease is 'lease'. */
struct dhcp6_answer {
    enum dhcp6_type type;       /* DHCP6_ADVERTISE, DHCP6_REPLY, or 0: no
                                 * answer. */
    bool ia_na;                 /* With the IA_NA and the port's address,
                                 * or NoAddrsAvail in it if it has none. */
    bool has_status;            /* With a top-level status... */
    enum dhcp6_status status;   /* ...this one. */
    bool rapid_commit;          /* A REPLY to a SOLICIT: rapid commit. */
};

/* Decides the answer to 'msg' from a port whose lease is 'lease' into
 * '*a': ADVERTISE to a SOLICIT (REPLY if it asks for rapid commit); REPLY
 * to a REQUEST and a RENEW for this server, a REBIND, an
 * INFORMATION-REQUEST (no IA), a CONFIRM of the port's address (Success;
 * NotOnLink for another address; no answer if it names none), a RELEASE
 * and a DECLINE for this server (Success: the address stays the port's).
 * No answer to a message from another MAC than the port's, for another
 * server, or of a server's type.  Stores in '*why' (if nonnull) a static
 * reason when there is no answer or a status other than Success. */
void dhcp6_answer(const struct dhcp6_msg *msg,
                  const struct dhcp6_lease *lease, struct dhcp6_answer *a,
                  const char **why);

/* The longest frame dhcp6_build() writes. */
#define DHCP6_FRAME_MAX 640

/* Writes into 'buf' (at least DHCP6_FRAME_MAX bytes) the Ethernet frame
 * of the answer 'a' (type not 0) to 'msg' with 'lease', from the server's
 * MAC and link-local address to the client's MAC and source address, UDP
 * 547 to 546.  Returns the frame's length. */
size_t dhcp6_build(const struct dhcp6_msg *msg, const struct dhcp6_answer *a,
                   const struct dhcp6_lease *lease, uint8_t *buf);

/* If guestnetd serves IPv6 on 'net' ("dhcp" not false, an IPv6 gateway in
 * an IPv6 subnet of 'net'), returns that gateway (borrowed) and stores the
 * subnet (borrowed) in '*subnetp' if nonnull; else returns NULL. */
const struct netaddr_ip *dhcp6_network_server(
    const struct gn_network *net, const struct netaddr_ip **subnetp);

/* The name of 'type' ("SOLICIT"), or "DHCPV6(unknown)". */
const char *dhcp6_type_name(enum dhcp6_type type);

#endif /* dhcp6.h */
