/* dhcp.h: DHCPv4 (RFC 2131, options of RFC 2132) for guestnetd's built-in
 * server: a client's message parsed out of the Ethernet frame that carries
 * it, what the server answers, and the answer built as a whole Ethernet
 * frame.
 *
 * The parser takes untrusted bytes (a guest's frame, punted by the
 * switch): every length is checked against the bytes present before it is
 * used, options are walked one at a time up to the end of the UDP payload
 * (or the first END), and a message that is not exactly what a client
 * sends (BOOTREQUEST, Ethernet hardware addresses, UDP 68 to 67, not an IP
 * fragment, a DHCP message type) is refused with a static reason.  Only
 * the options the server needs are read (message type, requested address,
 * server identifier); the others are stepped over.  The same parser reads
 * a server's message (dhcp_parse_reply(): BOOTREPLY, UDP 67 to 68), as
 * the DHCP snooping of a network's own server needs it (its lease time
 * too).
 *
 * Pure: no I/O, no allocation, no state.  Thread-safe. */
#ifndef GN_DHCP_H
#define GN_DHCP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gn_network;
struct netaddr_ip;

/* DHCP message types (option 53). */
enum dhcp_type {
    DHCP_DISCOVER = 1,
    DHCP_OFFER = 2,
    DHCP_REQUEST = 3,
    DHCP_DECLINE = 4,
    DHCP_ACK = 5,
    DHCP_NAK = 6,
    DHCP_RELEASE = 7,
    DHCP_INFORM = 8,
};

/* A client's (or a server's) message.  Addresses in network byte
 * order. */
struct dhcp_msg {
    uint8_t eth_dst[6];         /* The frame's destination MAC. */
    uint8_t eth_src[6];         /* The frame's source MAC. */
    uint32_t ip_src;            /* The IP header's source and destination. */
    uint32_t ip_dst;
    uint32_t xid;               /* As sent (network byte order). */
    uint16_t flags;             /* As sent (network byte order). */
    uint32_t ciaddr;
    uint32_t yiaddr;            /* A server's message: the client's. */
    uint8_t chaddr[6];
    enum dhcp_type type;
    uint32_t requested_ip;      /* Option 50, or 0. */
    uint32_t server_id;         /* Option 54, or 0. */
    bool has_lease;             /* Option 51 present, */
    uint32_t lease_secs;        /* and its value (host byte order). */
};

/* Parses the Ethernet frame 'frame' of 'len' bytes (caller keeps it) into
 * '*msg'.  Returns NULL on success, else a static string saying what is
 * wrong ("truncated option"), with '*msg' unspecified. */
const char *dhcp_parse(const void *frame, size_t len, struct dhcp_msg *msg);

/* The same for a server's message (BOOTREPLY, UDP 67 to 68, any message
 * type): yiaddr and the lease time option are filled as well. */
const char *dhcp_parse_reply(const void *frame, size_t len,
                             struct dhcp_msg *msg);

/* What the server knows of the client's port and network.  Addresses in
 * network byte order. */
struct dhcp_lease {
    uint8_t server_mac[6];      /* The network's gateway MAC. */
    uint32_t server_ip;         /* The network's IPv4 gateway: the server
                                 * identifier and the router option. */
    uint8_t client_mac[6];      /* The port's MAC. */
    uint32_t client_ip;         /* The port's address. */
    uint32_t netmask;           /* Of the subnet 'client_ip' is in. */
    uint32_t lease_secs;
    const uint32_t *dns;        /* DNS servers, or none. */
    size_t n_dns;
};

/* Decides the server's answer to 'msg' from a port whose lease is
 * 'lease': DHCP_OFFER for a DISCOVER; DHCP_ACK for a REQUEST of the
 * lease's address (option 50 or ciaddr) and for an INFORM from it;
 * DHCP_NAK for a REQUEST of another address; 0 (no answer) for a REQUEST
 * naming another server, for RELEASE and DECLINE, and for a message whose
 * chaddr or source MAC is not the port's.  Stores in '*why' (if nonnull)
 * a static reason when the answer is 0 or DHCP_NAK. */
enum dhcp_type dhcp_answer(const struct dhcp_msg *msg,
                           const struct dhcp_lease *lease, const char **why);

/* The longest frame dhcp_build() writes. */
#define DHCP_FRAME_MAX 400

/* Writes into 'buf' (at least DHCP_FRAME_MAX bytes) the Ethernet frame of
 * the server's 'type' (DHCP_OFFER, DHCP_ACK, DHCP_NAK) answering 'msg'
 * with 'lease': from the server's MAC and address to the client's MAC and
 * to ciaddr if the client has one, else to the broadcast address (the
 * frame is unicast on Ethernet whatever the IP destination).  An OFFER or
 * ACK of a DISCOVER or REQUEST carries the lease's address, lease time
 * (with T1 and T2), subnet mask, router and DNS servers; an ACK of an
 * INFORM the same but the address and the times; a NAK only the server
 * identifier.  Returns the frame's length. */
size_t dhcp_build(const struct dhcp_msg *msg, enum dhcp_type type,
                  const struct dhcp_lease *lease, uint8_t *buf);

/* If "dhcp" is not false on 'net', returns its first gateway of 'family'
 * (AF_INET, AF_INET6) that lies in one of its subnets (borrowed) and
 * stores that subnet (borrowed) in '*subnetp' if nonnull; else returns
 * NULL. */
const struct netaddr_ip *dhcp_network_gateway(
    const struct gn_network *net, int family,
    const struct netaddr_ip **subnetp);

/* If guestnetd assigns addresses and serves DHCPv4 on 'net' ("dhcp" not
 * false, an IPv4 subnet and an IPv4 gateway in it), returns its first
 * such gateway (borrowed) and stores the subnet it is in (borrowed) in
 * '*subnetp' if nonnull; else returns NULL. */
const struct netaddr_ip *dhcp_network_server(
    const struct gn_network *net, const struct netaddr_ip **subnetp);

/* The name of 'type' ("DHCPDISCOVER"), or "DHCP(unknown)". */
const char *dhcp_type_name(enum dhcp_type type);

#endif /* dhcp.h */
