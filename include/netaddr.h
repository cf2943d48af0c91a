/* netaddr.h: parsing and checking of the addresses and names guestnet
 * accepts from users: MACs, IPv4/IPv6 addresses and prefixes, VLAN ids,
 * interface names.  Pure functions on strings; every parser returns NULL
 * or a malloc'd error message that quotes the input and names what is
 * wrong ("\"52:54:00:zz:00:01\" is not a MAC address (expected six hex
 * pairs like 52:54:00:12:34:56)").  Quoted input is escaped C-style and cut
 * after 64 bytes, so hostile strings cannot bloat a log line.
 *
 * Thread-safety: all functions are thread-safe (netaddr_random_mac() reads
 * /dev/urandom). */
#ifndef GN_NETADDR_H
#define GN_NETADDR_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#define NETADDR_IFNAME_MAX 15    /* Linux IFNAMSIZ - 1. */
#define NETADDR_VLAN_MIN 1
#define NETADDR_VLAN_MAX 4094

struct netaddr_mac {
    uint8_t b[6];
};

/* An IPv4 or IPv6 address with a prefix length (32 or 128 when none was
 * given). */
struct netaddr_ip {
    int family;                 /* AF_INET or AF_INET6. */
    union {
        struct in_addr v4;
        struct in6_addr v6;
    } addr;
    unsigned int plen;
};

/* "52:54:00:12:34:56" (also upper case).  Rejects multicast and all-zero
 * MACs for guests when 'unicast' is true. */
char *netaddr_parse_mac(const char *, bool unicast, struct netaddr_mac *)
    __attribute__((warn_unused_result));
/* Writes "xx:xx:xx:xx:xx:xx" (18 bytes with the NUL). */
void netaddr_format_mac(const struct netaddr_mac *, char s[18]);
/* A random locally unique MAC with QEMU's 52:54:00 prefix. */
void netaddr_random_mac(struct netaddr_mac *);

/* "10.0.0.5", "10.0.0.5/24", "2001:db8::5/64".  'want_plen': 0 = no prefix
 * allowed, 1 = prefix optional, 2 = prefix required. */
char *netaddr_parse_ip(const char *, int want_plen, struct netaddr_ip *)
    __attribute__((warn_unused_result));
/* A subnet: prefix required and no host bits set ("10.0.0.0/24"). */
char *netaddr_parse_subnet(const char *, struct netaddr_ip *)
    __attribute__((warn_unused_result));
/* Writes the address (without prefix) into 's' (INET6_ADDRSTRLEN). */
void netaddr_format_ip(const struct netaddr_ip *, char *s, size_t size);
/* True if 'ip' lies inside 'subnet': same family, same first subnet->plen
 * bits, and 'ip' no wider a prefix than 'subnet'. */
bool netaddr_ip_in_subnet(const struct netaddr_ip *ip,
                          const struct netaddr_ip *subnet);

/* True if 'a' and 'b' are the same address (their prefix lengths aside). */
bool netaddr_ip_same_addr(const struct netaddr_ip *a,
                          const struct netaddr_ip *b);
/* True if subnets 'a' and 'b' share an address: same family and one
 * contains the other. */
bool netaddr_subnets_overlap(const struct netaddr_ip *a,
                             const struct netaddr_ip *b);
/* If 'ip' (inside 'subnet') is an address no host may have, returns what
 * it is ("the network address", "the broadcast address"); else NULL.  An
 * IPv4 subnet of /30 or wider reserves its first and last address; /31
 * and /32 (RFC 3021) reserve none.  An IPv6 subnet reserves its first
 * address (the subnet-router anycast address, RFC 4291) up to /126. */
const char *netaddr_reserved_in_subnet(const struct netaddr_ip *ip,
                                       const struct netaddr_ip *subnet);
/* Stores in '*ip' the EUI-64 address of 'mac' (RFC 4291, appendix A) in
 * IPv6 'subnet' (its prefix length kept): the address a guest forms by
 * SLAAC from a /64 prefix by default. */
void netaddr_eui64(const struct netaddr_ip *subnet,
                   const struct netaddr_mac *mac, struct netaddr_ip *ip);

/* VLAN id: an integer 1-4094. */
char *netaddr_check_vlan(long long vlan)
    __attribute__((warn_unused_result));
/* Interface name: 1-15 bytes, no '/', ':', whitespace or control
 * characters, not "." or "..". */
char *netaddr_check_ifname(const char *)
    __attribute__((warn_unused_result));

#endif /* netaddr.h */
