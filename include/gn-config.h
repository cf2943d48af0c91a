/* gn-config.h: guestnetd's configuration file (JSON): the bridge and the
 * networks, parsed and validated strictly.
 *
 *   {
 *     "bridge": "br-int",                 default "br-int"
 *     "datapath_type": "system",          "system" (default) or "netdev"
 *     "uplink": "eth1",                   optional: trunk of all networks
 *     "host": "hv1",                      this host's name in a cluster
 *     "networks": [
 *       {"name": "web", "vlan": 10,
 *        "subnets": ["10.10.0.0/24", "2001:db8:10::/64"],
 *        "gateways": ["10.10.0.1", "2001:db8:10::1"],
 *        "mtu": 1500, "private": false,
 *        "dhcp": true, "dns": ["10.10.0.53"],
 *        "limits": {"egress_kbps": 100000, "ingress_kbps": 100000,
 *                   "egress_pps": 0, "ingress_pps": 0, "burst_ms": 100}}
 *     ],
 *     "rules": [{"from": "web", "to": "db", "proto": "tcp", "port": 3306}],
 *     "broadcast_limit": {"pps": 100, "burst": 200}
 *   }
 *
 * "broadcast_limit": broadcast and multicast frames each guest port may
 * send, in packets a second ("pps", 0 disables the limit; default 100) with
 * bursts of "burst" packets (default twice "pps", at least 1), enforced
 * with one OpenFlow meter per port.
 *
 * "dhcp" (default true): guestnetd assigns each port of the network that
 * declares no IPv4 address one of its IPv4 subnet and serves it by DHCP
 * (see include/pipeline.h, engine/engine-dhcp.c); it needs an IPv4 subnet
 * and an IPv4 gateway (dhcp_network_server()).  Where the network also
 * has an IPv6 gateway in an IPv6 subnet, guestnetd sends router
 * advertisements and serves DHCPv6 (dhcp6_network_server(),
 * engine/engine-dhcp6.c).  "dns": up to 8 addresses handed out as DNS
 * servers, the IPv4 ones by DHCP, the IPv6 ones by DHCPv6.
 *
 * A network's "limits" are the defaults of its guest ports (each
 * member optional; see include/gn-limits.h): the bandwidth in kbit/s and
 * packets a second each guest may send ("egress") and receive
 * ("ingress"), enforced with OpenFlow meters.
 *
 * Errors name the field and what is wrong: "networks[1].vlan: 4095 is not a
 * VLAN id (1-4094)".  Unknown keys are errors (typos must not pass
 * silently).  Network names and VLANs are unique; gateways lie in a subnet
 * of their network; rules name known networks.
 *
 * Thread-safety: plain data; no shared state. */
#ifndef GN_CONFIG_H
#define GN_CONFIG_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gn-limits.h"
#include "netaddr.h"

#define GN_CONFIG_DEFAULT_BRIDGE "br-int"
#define GN_CONFIG_NAME_MAX 32     /* Network names: [a-z0-9_-], 1-32. */
#define GN_CONFIG_HOST_MAX 63     /* Host names: [a-z0-9.-], 1-63. */

struct gn_network {
    char *name;
    int vlan;
    struct netaddr_ip *subnets;
    size_t n_subnets;
    struct netaddr_ip *gateways;
    size_t n_gateways;
    int mtu;                    /* 0: not set (leave devices' default). */
    bool private_;              /* "private": guests reach only gateway
                                 * and uplink. */
    bool dhcp;                  /* "dhcp" (default true). */
    struct netaddr_ip *dns;     /* "dns": IPv4 DNS servers for DHCP. */
    size_t n_dns;
    struct gn_limits limits;    /* Its ports' default limits. */
    struct netaddr_ip *dns6;    /* "dns": IPv6 DNS servers for DHCPv6. */
    size_t n_dns6;
};

#define GN_CONFIG_DNS_MAX 8

struct gn_rule {
    char *from;
    char *to;
    char *proto;                /* "tcp", "udp", "icmp" or "any". */
    int port;                   /* 0: any port. */
};

#define GN_CONFIG_BCAST_PPS_DEFAULT 100
#define GN_CONFIG_BCAST_MAX 10000000  /* For both "pps" and "burst". */

struct gn_broadcast_limit {
    unsigned int pps;           /* 0: no limit. */
    unsigned int burst;         /* Packets; at least 1. */
};

struct gn_config {
    char *bridge;
    char *datapath_type;
    char *uplink;               /* NULL if none. */
    char *host;                 /* Name in a cluster, or NULL. */
    struct gn_network *networks;
    size_t n_networks;
    struct gn_rule *rules;
    size_t n_rules;
    struct gn_broadcast_limit broadcast_limit;
};

/* Parses 'json' (borrowed).  On success returns NULL and a new config in
 * '*cfgp' (free with gn_config_destroy()); on failure returns a malloc'd
 * error message and stores NULL. */
char *gn_config_from_json(const json_t *json, struct gn_config **cfgp)
    __attribute__((warn_unused_result));
/* Reads and parses the file 'file_name'.  Errors name the file (and the
 * line and column for malformed JSON). */
char *gn_config_read(const char *file_name, struct gn_config **cfgp)
    __attribute__((warn_unused_result));
void gn_config_destroy(struct gn_config *);

/* Returns NULL if 'name' is a valid host name, else a malloc'd reason. */
char *gn_config_check_host_name(const char *name);

/* Returns the network named 'name' or with VLAN 'vlan', or NULL. */
const struct gn_network *gn_config_find_network(const struct gn_config *,
                                                const char *name);
const struct gn_network *gn_config_find_vlan(const struct gn_config *,
                                             int vlan);

/* Returns the config as JSON (new reference), for the API. */
json_t *gn_config_to_json(const struct gn_config *);

#endif /* gn-config.h */
