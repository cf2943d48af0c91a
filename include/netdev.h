/* netdev.h: the Linux network devices guestnet creates for guests, made
 * over netlink (libnl-route-3) and /dev/net/tun, never by running "ip".
 *
 * - tap devices for KVM/QEMU guests: persistent (TUNSETPERSIST), with an
 *   optional owner uid/gid so an unprivileged QEMU can open them;
 * - veth pairs for LXC containers: the host end stays here; the guest end
 *   either stays here too (to be handed to LXC as lxc.net.N.type = phys)
 *   or moves into a network namespace given by PID, name (/run/netns/NAME)
 *   or path, where it is renamed (default eth0) and gets its MAC, MTU,
 *   addresses and default route, as a CNI plugin does;
 * - deletion and existence checks, and TX checksum offload off (needed on
 *   veth ends for TCP through the userspace datapath).
 *
 * Every function returns NULL on success or a malloc'd error message that
 * names the device and the failing step.  Functions that fail half-way
 * undo what they did (a veth pair whose guest end could not be moved is
 * deleted).
 *
 * Thread-safety: the namespace functions switch the calling thread's
 * network namespace temporarily (setns) and switch back before returning;
 * call them from one thread. */
#ifndef GN_NETDEV_H
#define GN_NETDEV_H 1

#include <stdbool.h>
#include <sys/types.h>

#include "netaddr.h"

struct netdev_tap_options {
    const struct netaddr_mac *mac;   /* NULL: kernel's random MAC. */
    uid_t owner;                     /* (uid_t) -1: none. */
    gid_t group;                     /* (gid_t) -1: none. */
    int mtu;                         /* 0: default. */
    const char *alias;               /* The tap's alias (the owner mark),
                                      * or NULL. */
};

/* Creates persistent tap 'name' (multi-queue off, IFF_VNET_HDR on, as
 * libvirt does) and brings it up.  Fails with "exists" if 'name' exists. */
char *netdev_tap_create(const char *name, const struct netdev_tap_options *)
    __attribute__((warn_unused_result));

struct netdev_veth_options {
    /* Where the guest end goes: all NULL/0 to leave it in the current
     * namespace (for LXC's "phys" type). */
    pid_t netns_pid;             /* A process whose netns to use, or 0. */
    const char *netns_name;      /* /run/netns/NAME, or NULL. */
    const char *netns_path;      /* Any netns file, or NULL. */
    const char *guest_ifname;    /* Name inside the netns; default "eth0". */
    const struct netaddr_mac *mac;   /* Guest end's MAC; NULL: random. */
    int mtu;                     /* Both ends; 0: default. */
    const struct netaddr_ip *addrs;  /* With prefix lengths. */
    size_t n_addrs;
    const struct netaddr_ip *gateways;   /* Default routes (v4 and/or v6). */
    size_t n_gateways;
    bool tx_checksum_off;        /* Turn TX checksum offload off on the
                                  * guest end (userspace datapath). */
    const char *alias;           /* The host end's alias (the owner mark),
                                  * also the guest end's while it stays
                                  * here; or NULL. */
};

/* Creates veth pair 'host_ifname' <-> 'peer_ifname' (the peer's name in
 * this namespace before it moves), brings the host end up, and configures
 * the guest end per 'opts'.  The pair is made under temporary names
 * (netdev_is_temp_name()), gets 'opts->alias', and only then its names:
 * a process killed meanwhile leaves a pair that is marked or temporarily
 * named, never one under its real names without the mark. */
char *netdev_veth_create(const char *host_ifname, const char *peer_ifname,
                         const struct netdev_veth_options *opts)
    __attribute__((warn_unused_result));

/* Deletes link 'name' in the current namespace (for a veth, both ends go).
 * Deleting a device that does not exist is not an error when 'missing_ok'
 * is true. */
char *netdev_delete(const char *name, bool missing_ok)
    __attribute__((warn_unused_result));

/* True if link 'name' exists in the current namespace. */
bool netdev_exists(const char *name);

/* Reads the alias of link 'name' of the current namespace into 'buf' (of
 * 'size' bytes; "" if it has none) from sysfs, which neither blocks nor
 * takes the kernel's RTNL lock: safe on the event loop.  Returns false if
 * the link does not exist. */
bool netdev_get_alias(const char *name, char *buf, size_t size);

/* True if links 'a' and 'b' of the current namespace are the two ends of
 * one veth pair (from sysfs: loop-safe, as netdev_get_alias()). */
bool netdev_is_veth_pair(const char *a, const char *b);

/* The first letters of the temporary names of a veth pair being made. */
#define NETDEV_TEMP_PREFIX "gnv"

/* True if 'name' is the temporary name of an end of a veth pair that
 * netdev_veth_create() was making: NETDEV_TEMP_PREFIX, 'h' or 'p', then
 * 11 lowercase hex digits. */
bool netdev_is_temp_name(const char *name);

/* A link and its alias, as netdev_list_aliased() gives them. */
struct netdev_aliased {
    char *name;
    char *alias;
};

/* Stores in '*linksp' a new array of the '*np' links of the current
 * namespace whose alias starts with 'prefix', and of those with a
 * temporary name (netdev_is_temp_name(); alias "" if none yet), free with
 * netdev_aliased_free().  Netlink: run it on the device worker.  Returns
 * NULL or a malloc'd error. */
char *netdev_list_aliased(const char *prefix, struct netdev_aliased **linksp,
                          size_t *np)
    __attribute__((warn_unused_result));
void netdev_aliased_free(struct netdev_aliased *, size_t n);

/* Returns 0 if the netns named by 'pid', 'name' or 'path' (one of them
 * set) exists; otherwise ENOENT (nothing there) or EINVAL (a FIFO, device,
 * directory, other file or a namespace of another type: nothing is opened
 * that could block or act), with a malloc'd reason in '*errorp' (if
 * nonnull).  Safe to call on the event loop. */
int netdev_netns_check(pid_t pid, const char *name, const char *path,
                       char **errorp);

/* Keeps the host's own IP stack off 'name', the host end of a guest's
 * port.  The userspace datapath reads frames from the device beside the
 * host's stack, which would otherwise take a guest's router advertisement
 * (a default route and an address for the host), answer its neighbour
 * solicitations and its ARP requests for the host's addresses, and take
 * its IPv4 packets to them.  Disables IPv6 on the device (if the kernel
 * has IPv6), answers no ARP on it (arp_ignore 8) and takes only IPv4 whose
 * source the host routes back through it (rp_filter 1, which applies when
 * net.ipv4.conf.all.rp_filter is 0 or 1: the higher of the two counts).
 * Returns NULL or a malloc'd error. */
char *netdev_isolate_host_end(const char *name);

/* netdev_isolate_host_end() for a device guestnet did not make (a port
 * libvirt or LXC attached): only if it is a tap or a veth (its driver is
 * "tun" or "veth"), so that a physical or VLAN device attached by mistake
 * keeps the host's addresses.  Sets '*isolated' if it changed anything
 * (a device that is isolated already, as guestnet makes its own, is
 * left).  Returns NULL or a malloc'd error. */
char *netdev_isolate_guest_device(const char *name, bool *isolated);

/* Turns TX checksum offload off on 'name' (SIOCETHTOOL). */
char *netdev_set_tx_checksum_off(const char *name)
    __attribute__((warn_unused_result));

#endif /* netdev.h */
