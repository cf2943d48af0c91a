/* ports.h: guest ports: what a request to add one must say, how it becomes
 * OVSDB rows, and which network each port on the bridge is bound to.
 *
 * Kinds:
 *   kvm      guestnetd creates a persistent tap (optionally owned by a user
 *            and group so an unprivileged QEMU can open it);
 *   lxc      guestnetd creates a veth pair; the guest end is moved into a
 *            network namespace (by PID, name or path) and configured there,
 *            or left on the host for LXC (lxc.net.N.type = phys);
 *   adopted  a port someone else attached (libvirt's ovs-vsctl, LXC's
 *            veth.vlan.id): bound to the network whose VLAN its tag names,
 *            with the MAC from external_ids:attached-mac.
 *
 * All per-port state lives in OVSDB external_ids (the "guestnet:" keys plus
 * attached-mac, iface-id, vm-id as libvirt writes them), so guestnetd holds
 * nothing a restart could lose.  A port that is not bound to a known
 * network with a MAC is quarantined; one with no tag at all is given an
 * access tag nobody uses (4095) so that it never trunks every VLAN, with a
 * "wait" op so a tag written by LXC meanwhile wins.
 *
 * Thread-safety: pure functions and plain data. */
#ifndef GN_PORTS_H
#define GN_PORTS_H 1

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

#include "gn-limits.h"
#include "netaddr.h"

struct gn_config;
struct gn_strmap;
struct ovsdb_replica;
struct ovsdb_txn;

#define PORTS_QUARANTINE_VLAN 4095

/* The Interface's external_ids key set to "true" once the port's flows are
 * installed (as ovn-controller writes ovn-installed). */
#define PORTS_INSTALLED_KEY "guestnet-installed"

/* The alias (IFLA_IFALIAS) of every device guestnet creates starts with
 * this, followed by the request's token: the owner mark by which devices
 * that a crash left without a committed port are found and removed.
 * Devices without it are never touched. */
#define PORTS_ALIAS_PREFIX "guestnet:"

/* The Interface's external_ids key that names the host-side guest end of
 * an LXC "phys" veth pair, another device guestnet made for the port. */
#define PORTS_PEER_KEY "guestnet:peer"

/* Interface external_ids key of the ports whose devices guestnet made
 * ("tap" or "veth"). */
#define PORTS_CREATED_KEY "guestnet:created"

/* Interface external_ids key: "keep" leaves the host's IP stack on the
 * port's device (see netdev_isolate_host_end()), for a device that
 * carries the host's own addresses. */
#define PORTS_HOST_STACK_KEY "guestnet:host-stack"

/* The Interface's external_ids key holding port_request_hash() of the
 * request that added the port. */
#define PORTS_REQUEST_HASH_KEY "guestnet:request-hash"

/* The Interface's external_ids key listing the addresses of
 * "guestnet:ips" that guestnet assigned (comma-separated), not the
 * request or the operator. */
#define PORTS_IPS_KEY "guestnet:ips"
#define PORTS_IPS_ASSIGNED_KEY "guestnet:ips-assigned"
/* An add request's member, in cluster mode only (engine_set_external_ipam()):
 * those of its "ips" the cluster's registry assigned, comma-separated. */
#define PORTS_ASSIGNED_FIELD "ips_assigned"

/* The Interface's external_ids keys of the addresses that a network's own
 * DHCP server (its server port) leased to the port (one IPv4, one IPv6 at
 * most), snooped from its DHCPACK or DHCPv6 REPLY (engine/engine-snoop.c):
 * the addresses, comma-separated, which "guestnet:ips" lists too, and
 * when each lease ends, "ADDRESS=SECONDS" (since the epoch),
 * comma-separated (an address not listed: an infinite lease). */
#define PORTS_IPS_LEASED_KEY "guestnet:ips-leased"
#define PORTS_LEASE_EXPIRES_KEY "guestnet:lease-expires"

/* The end of the lease of address 'addr' (as text) in 'expires' (the
 * value of PORTS_LEASE_EXPIRES_KEY, or NULL): seconds since the epoch, or
 * 0 for none.  port_lease_first_expiry(): the earliest end of the leases
 * of the addresses 'leased' lists (PORTS_IPS_LEASED_KEY's value), or 0. */
long long port_lease_expiry(const char *expires, const char *addr);
long long port_lease_first_expiry(const char *leased, const char *expires);

/* The Interface's external_ids key listing the IPv6 link-local addresses
 * bound to the port on their first use (comma-separated; its EUI-64 one
 * is not listed): see engine/engine-ll.c. */
#define PORTS_LINK_LOCALS_KEY "guestnet:link-locals"

/* The Interface's external_ids key listing the addresses of
 * "guestnet:ips" that the port's guest took on first use in a network
 * where guestnet assigns none (one IPv4, one IPv6 at most,
 * comma-separated): see engine/engine-learn.c. */
#define PORTS_IPS_LEARNED_KEY "guestnet:ips-learned"

enum port_kind {
    PORT_KIND_KVM,
    PORT_KIND_LXC,
    PORT_KIND_ADOPTED,
};
const char *port_kind_name(enum port_kind);

/* A validated request to add a port.  Strings are owned. */
struct port_spec {
    char *name;                  /* Host-side interface (tap / veth end). */
    enum port_kind kind;
    char *network;
    int vlan;
    struct netaddr_mac mac;
    struct netaddr_ip *ips;      /* Guest addresses, prefix = subnet's. */
    size_t n_ips;
    char *assigned;              /* Those of 'ips' guestnet assigned,
                                  * comma-separated, or NULL. */
    struct netaddr_ip *gateways; /* Default routes for the netns. */
    size_t n_gateways;
    int mtu;                     /* 0: network's or default. */
    char *iface_id;              /* external_ids:iface-id (default name). */
    char *vm_id;                 /* external_ids:vm-id, or NULL. */
    char *request_hash;          /* port_request_hash() of the request,
                                  * stored in the Interface's external_ids
                                  * so that a retry is recognised. */
    char *token;                 /* Unique per request, stored in the
                                  * Interface's external_ids so that an
                                  * add whose outcome was lost can be
                                  * recognised as ours. */
    /* kvm */
    uid_t owner;                 /* (uid_t) -1: none. */
    gid_t group;                 /* (gid_t) -1: none. */
    /* lxc */
    bool phys;                   /* Leave the guest end on the host. */
    char *peer;                  /* Guest end's name on the host. */
    pid_t netns_pid;
    char *netns_name;
    char *netns_path;
    char *guest_ifname;          /* Name inside the netns (eth0). */
    bool tx_checksum_off;        /* Userspace datapath needs it. */
    bool server;                 /* The network's DHCP server / router:
                                  * may send DHCP replies and RAs. */
    char *limits;                /* Its own limits (gn_limits_format()),
                                  * or NULL. */
    int ofport_request;          /* The OpenFlow port number to ask
                                  * ovs-vswitchd for, or 0. */
    /* Devices named 'name' and 'peer' that validation found with
     * guestnet's mark and no port using them (a crash left them): their
     * marks (aliases), or NULL.  port_create_devices() deletes such a
     * device only if it still carries that very mark, never another. */
    char *stale_alias;
    char *stale_peer_alias;
};

/* HTTP-like status of a failed validation. */
enum port_error {
    PORT_ERR_NONE = 0,
    PORT_ERR_INVALID = 400,
    PORT_ERR_NOT_FOUND = 404,
    PORT_ERR_CONFLICT = 409,
};

/* Validates the JSON request 'req' (borrowed) against 'cfg' and the OVSDB
 * replica (duplicate names; 'peers', from port_peers_build() on the same
 * replica, or NULL to look through every Interface) and the host (existing
 * devices, missing namespaces).  On success returns NULL and fills '*spec' (free with
 * port_spec_destroy()); on failure returns a malloc'd message naming the
 * field, and stores the kind of error in '*kind'. */
char *port_spec_from_json(const json_t *req, const struct gn_config *cfg,
                          const struct ovsdb_replica *,
                          const struct gn_strmap *peers, struct port_spec *,
                          enum port_error *kind)
    __attribute__((warn_unused_result));

/* Fills 'peers' (empty, GN_STRMAP_INIT) with the guest ends of the veths
 * of the ports in 'r': each Interface's external_ids PORTS_PEER_KEY, to
 * the Interface's name (borrowed from 'r': valid until it changes).
 * port_spec_from_json() refuses those names for a new port; given this
 * map, it looks them up in O(1) instead of walking every Interface. */
void port_peers_build(const struct ovsdb_replica *r, struct gn_strmap *peers);
void port_spec_destroy(struct port_spec *);

/* Returns a malloc'd digest of the add request 'req' (borrowed): its JSON
 * with sorted keys, hashed (FNV-1a, 64 bits, hexadecimal).  Stored with
 * the port (PORTS_REQUEST_HASH_KEY), it tells a retry of the request that
 * added a port, which gets that add's answer, from another request for
 * the same name, which gets 409. */
char *port_request_hash(const json_t *req);

/* Creates the host devices of 'spec' (tap or veth).  Returns NULL or a
 * malloc'd error; on error nothing is left behind. */
char *port_create_devices(const struct port_spec *, bool userspace_datapath)
    __attribute__((warn_unused_result));
/* Deletes the devices guestnet created for the port whose Interface row is
 * 'iface' (borrowed).  Devices guestnet did not create are left alone. */
char *port_delete_devices(const json_t *iface)
    __attribute__((warn_unused_result));
/* Deletes the devices of 'spec' (rollback of port_create_devices()). */
void port_rollback_devices(const struct port_spec *);

/* Adds to 'txn' the ops that attach 'spec' to bridge 'br_uuid': a wait that
 * no Port of that name exists, Interface and Port inserts, and the Bridge
 * ports mutation. */
void port_plan_add(const struct port_spec *, const char *br_uuid,
                   struct ovsdb_txn *);
/* Adds the ops that detach Port 'port_uuid' from bridge 'br_uuid' (OVSDB
 * garbage-collects the Port and Interface rows). */
void port_plan_delete(const char *port_uuid, const char *br_uuid,
                      struct ovsdb_txn *);

/* Returns the Port row UUID named 'name' on bridge 'br_uuid' as a malloc'd
 * string, or NULL.  O(1): needs the replica's indexes on Port.name and
 * Bridge.ports (ovsdb_replica_add_index()), as port_spec_from_json() needs
 * those on Port.name and Interface.name. */
char *port_find(const struct ovsdb_replica *, const char *br_uuid,
                const char *name);

/* Returns the (first) Interface row of Port row 'port' (both borrowed), or
 * NULL; stores its UUID (borrowed, NULL if none) in '*uuidp' if 'uuidp' is
 * nonnull. */
const json_t *port_iface(const struct ovsdb_replica *, const json_t *port,
                         const char **uuidp);

/* How a port on the bridge is bound. */
struct port_binding {
    enum port_kind kind;
    const char *name;            /* All strings borrowed from the replica
                                  * or the config. */
    const char *network;         /* NULL if quarantined. */
    int vlan;                    /* Port tag, or -1 if none. */
    const char *mac;             /* NULL if unknown. */
    const char *ips;             /* Comma-separated, or NULL. */
    const char *ips_assigned;    /* Those of 'ips' guestnet assigned. */
    const char *ips_leased;      /* Those of 'ips' the network's server
                                  * leased, or NULL. */
    const char *lease_expires;   /* When they end, or NULL. */
    const char *link_locals;     /* Bound link-local addresses, or NULL. */
    const char *ips_learned;     /* Those of 'ips' its guest took on
                                  * first use, or NULL. */
    long long ofport;            /* -1 until ovs-vswitchd assigns one. */
    const char *quarantine;      /* Why the port is quarantined, or NULL. */
    bool server;                 /* external_ids:guestnet:server=true. */
    const char *limits;          /* The port's own limits (Interface
                                  * external_ids GN_LIMITS_KEY), or NULL. */
    const struct gn_limits *net_limits;     /* Its network's, or NULL. */
    const json_t *port;          /* The Port row. */
    const json_t *iface;         /* Its (first) Interface row, or NULL. */
};

/* True if Port row 'port' was created by the request of 'spec'. */
bool port_is_from_spec(const struct ovsdb_replica *, const json_t *port,
                       const struct port_spec *);

/* Computes the binding of Port row 'port' (borrowed). */
void port_binding(const struct gn_config *, const struct ovsdb_replica *,
                  const json_t *port, struct port_binding *);

/* Adds ops that quarantine the untagged Port row 'uuid' named 'name' (both
 * borrowed): tag 4095 in access mode, guarded by a wait that the tag is
 * still empty, so that a tag someone writes meanwhile wins. */
void port_plan_quarantine(const char *uuid, const char *name,
                          struct ovsdb_txn *);

/* The port as API JSON (new reference), with its effective limits
 * ("limits": every member, 0 for none) and where each comes from
 * ("limits_from": "port", "network" or "default"). */
json_t *port_binding_to_json(const struct port_binding *);

/* Stores in '*eff' the effective limits of the port bound as 'b' (see
 * gn_limits_effective()), and where each comes from in 'from' if
 * nonnull. */
void port_binding_limits(const struct port_binding *b, struct gn_limits *eff,
                         enum gn_limit_source *from);

/* What the guest needs: QEMU arguments and a libvirt <interface> snippet for
 * kvm (without checksum offload on a bridge of 'cfg''s userspace datapath),
 * LXC config lines for lxc "phys" ports (with the guest's addresses and the
 * network's gateways from 'cfg') (new reference). */
json_t *port_guest_config(const struct gn_config *,
                          const struct port_binding *);

#endif /* ports.h */
