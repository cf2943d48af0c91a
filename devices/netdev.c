/* netdev.c: the Linux network devices guestnet creates for guests (see
 * include/netdev.h).  Owns tap creation over /dev/net/tun ioctls; veth
 * pairs, link changes, addresses and routes over rtnetlink (libnl-route-3);
 * the temporary switch of the calling thread into a guest's network
 * namespace and back; and TX checksum offload (SIOCETHTOOL).  It never runs
 * "ip" or any other program. */
#include <config.h>

#include "netdev.h"
#include "netdev-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(netdev);

/* Devices are created and deleted on requests that arrive over the
 * network (OVSDB), so their log lines are rate-limited. */
static struct gn_log_rl netdev_rl = GN_LOG_RL_INIT(60, 120);

/* Returns NULL if 'name' can name a Linux network device (1-15 bytes, no
 * '/', ':', whitespace or control characters, not "." or ".."), otherwise
 * a malloc'd reason that starts with 'what' (e.g. "veth name"). */
char *
netdev_check_name__(const char *what, const char *name)
{
    size_t len = name ? strlen(name) : 0;
    const char *p;

    if (!len) {
        return gn_xasprintf("%s is empty", what);
    }
    if (len > NETADDR_IFNAME_MAX) {
        return gn_xasprintf("%s \"%s\" is %zu bytes long (at most %d)",
                            what, name, len, NETADDR_IFNAME_MAX);
    }
    if (!strcmp(name, ".") || !strcmp(name, "..")) {
        return gn_xasprintf("%s \"%s\" is not allowed", what, name);
    }
    for (p = name; *p; p++) {
        unsigned char c = *p;
        if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) {
            return gn_xasprintf("%s \"%s\" contains a '/', ':', space or "
                                "control character", what, name);
        }
    }
    return NULL;
}

/* Writes the address of 'ip' (without prefix) into 's'.  Unknown families
 * give "?". */
static void
netdev_format_ip__(const struct netaddr_ip *ip, char s[INET6_ADDRSTRLEN])
{
    if (!inet_ntop(ip->family, &ip->addr, s, INET6_ADDRSTRLEN)) {
        snprintf(s, INET6_ADDRSTRLEN, "?");
    }
}

/* Returns NULL if 'ip' is an IPv4 or IPv6 address with a prefix length its
 * family allows, otherwise a malloc'd reason that names 'what'. */
static char *
netdev_check_ip__(const char *what, const struct netaddr_ip *ip)
{
    if (ip->family != AF_INET && ip->family != AF_INET6) {
        return gn_xasprintf("%s has address family %d (not IPv4 or IPv6)",
                            what, ip->family);
    }
    if (ip->plen > (ip->family == AF_INET ? 32 : 128)) {
        char s[INET6_ADDRSTRLEN];

        netdev_format_ip__(ip, s);
        return gn_xasprintf("%s %s has prefix length %u (too long)",
                            what, s, ip->plen);
    }
    return NULL;
}

/* Fills in 'ifr' for an ioctl on device 'name' (at most 15 bytes). */
void
netdev_ifreq_init__(struct ifreq *ifr, const char *name)
{
    memset(ifr, 0, sizeof *ifr);
    memcpy(ifr->ifr_name, name, strlen(name) + 1);
}

/* Runs ioctl 'request' with 'ifr' on a datagram socket created in the
 * calling thread's current network namespace.  Returns 0 or an errno. */
int
netdev_ioctl__(unsigned long request, struct ifreq *ifr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int error;

    if (fd < 0) {
        return errno;
    }
    error = ioctl(fd, request, ifr) ? errno : 0;
    close(fd);
    return error;
}

/* Sets the alias of link 'name' to 'alias'; on failure deletes the link
 * (a device guestnet made must carry its mark before it is used).  Returns
 * NULL or a malloc'd error. */
static char *
netdev_set_alias__(const char *name, const char *alias)
{
    struct netdev_nl nl = { .sock = NULL };
    char *error = netdev_nl_open__(&nl);
    int err;

    if (error) {
        return error;
    }
    err = netdev_link_set__(&nl, name, (struct netdev_link_attrs) {
        .netns_fd = -1, .alias = alias });
    if (err) {
        error = gn_xasprintf("setting alias: %s",
                             netdev_nl_strerror__(&nl, err));
        netdev_link_delete__(&nl, name);
    }
    netdev_nl_close__(&nl);
    return error;
}

/* Sets up the tap device attached to 'tun_fd' (named 'name', not yet
 * persistent) per 'opts': the host's stack kept off it
 * (netdev_isolate_host_end()), owner, group, MAC, MTU, up, alias, then
 * persistent.
 * Returns NULL or a malloc'd reason naming the step. */
static char *
netdev_tap_setup__(int tun_fd, const char *name,
                   const struct netdev_tap_options *opts)
{
    struct ifreq ifr;
    char *reason;
    int error;

    reason = netdev_isolate_host_end(name);
    if (reason) {
        return reason;
    }
    if (opts->owner != (uid_t) -1
        && ioctl(tun_fd, TUNSETOWNER, (unsigned long) opts->owner)) {
        return gn_xasprintf("setting owner %lu: %s",
                            (unsigned long) opts->owner, strerror(errno));
    }
    if (opts->group != (gid_t) -1
        && ioctl(tun_fd, TUNSETGROUP, (unsigned long) opts->group)) {
        return gn_xasprintf("setting group %lu: %s",
                            (unsigned long) opts->group, strerror(errno));
    }
    if (opts->mac) {
        netdev_ifreq_init__(&ifr, name);
        ifr.ifr_hwaddr.sa_family = ARPHRD_ETHER;
        memcpy(ifr.ifr_hwaddr.sa_data, opts->mac->b, sizeof opts->mac->b);
        error = netdev_ioctl__(SIOCSIFHWADDR, &ifr);
        if (error) {
            return gn_xasprintf("setting MAC: %s", strerror(error));
        }
    }
    if (opts->mtu) {
        netdev_ifreq_init__(&ifr, name);
        ifr.ifr_mtu = opts->mtu;
        error = netdev_ioctl__(SIOCSIFMTU, &ifr);
        if (error) {
            return gn_xasprintf("setting MTU %d: %s", opts->mtu,
                                strerror(error));
        }
    }
    netdev_ifreq_init__(&ifr, name);
    error = netdev_ioctl__(SIOCGIFFLAGS, &ifr);
    if (!error) {
        ifr.ifr_flags |= IFF_UP;
        error = netdev_ioctl__(SIOCSIFFLAGS, &ifr);
    }
    if (error) {
        return gn_xasprintf("bringing up: %s", strerror(error));
    }
    /* The owner mark goes on while the tap still dies with 'tun_fd': a
     * persistent tap always carries it. */
    if (opts->alias) {
        reason = netdev_set_alias__(name, opts->alias);
        if (reason) {
            return reason;
        }
    }
    if (ioctl(tun_fd, TUNSETPERSIST, 1UL)) {
        return gn_xasprintf("making persistent: %s", strerror(errno));
    }
    return NULL;
}

/* Creates persistent tap 'name' per 'opts' (NULL for defaults).  Returns
 * NULL or a malloc'd error; on error no device is left behind. */
char *
netdev_tap_create(const char *name, const struct netdev_tap_options *opts)
{
    static const struct netdev_tap_options defaults = {
        .owner = (uid_t) -1,
        .group = (gid_t) -1,
    };
    struct ifreq ifr;
    char *error;
    int fd;

    error = netdev_check_name__("tap name", name);
    if (error) {
        return error;
    }
    if (!opts) {
        opts = &defaults;
    }
    if (opts->mtu < 0) {
        return gn_xasprintf("tap %s: MTU %d is negative", name, opts->mtu);
    }
    if (if_nametoindex(name)) {
        return gn_xasprintf("tap %s: %s exists", name, name);
    }

    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return gn_xasprintf("tap %s: opening /dev/net/tun: %s",
                            name, strerror(errno));
    }
    /* IFF_TUN_EXCL: fail rather than attach if 'name' appeared meanwhile. */
    netdev_ifreq_init__(&ifr, name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_TUN_EXCL;
    if (ioctl(fd, TUNSETIFF, &ifr)) {
        error = (errno == EBUSY
                 ? gn_xasprintf("tap %s: %s exists", name, name)
                 : gn_xasprintf("tap %s: creating (TUNSETIFF): %s",
                                name, strerror(errno)));
        close(fd);
        return error;
    }

    /* Until TUNSETPERSIST, the last step, closing 'fd' deletes the tap. */
    error = netdev_tap_setup__(fd, name, opts);
    close(fd);
    if (error) {
        char *reason = error;

        error = gn_xasprintf("tap %s: %s", name, reason);
        free(reason);
        return error;
    }
    GN_LOG_INFO_RL(&netdev_rl, "created tap %s", name);
    return NULL;
}

/* Configures the guest end of a veth pair inside the calling thread's
 * current network namespace (the caller has switched into it): renames
 * 'peer' to 'guest_ifname' while it is down, adds the addresses, brings it
 * up, adds the default routes and, if asked, turns TX checksum offload
 * off, per 'opts'.  Returns NULL or a malloc'd reason naming the step. */
static char *
netdev_veth_guest_setup__(const char *peer, const char *guest_ifname,
                          const struct netdev_veth_options *opts)
{
    struct netdev_nl nl;
    char *error;
    int ifindex;
    int err;
    size_t i;

    error = netdev_nl_open__(&nl);
    if (error) {
        return error;
    }
    err = netdev_link_ifindex__(&nl, peer, &ifindex);
    if (err) {
        error = gn_xasprintf("finding guest end %s in the netns: %s",
                             peer, netdev_nl_strerror__(&nl, err));
        goto out;
    }
    if (strcmp(peer, guest_ifname)) {
        err = netdev_link_set__(&nl, peer, (struct netdev_link_attrs) {
            .name = guest_ifname, .netns_fd = -1 });
        if (err) {
            error = gn_xasprintf("renaming guest end %s to %s: %s",
                                 peer, guest_ifname,
                                 netdev_nl_strerror__(&nl, err));
            goto out;
        }
    }
    for (i = 0; i < opts->n_addrs; i++) {
        err = netdev_addr_add__(&nl, ifindex, &opts->addrs[i]);
        if (err) {
            char s[INET6_ADDRSTRLEN];

            netdev_format_ip__(&opts->addrs[i], s);
            error = gn_xasprintf("adding address %s/%u to %s: %s",
                                 s, opts->addrs[i].plen, guest_ifname,
                                 netdev_nl_strerror__(&nl, err));
            goto out;
        }
    }
    err = netdev_link_set__(&nl, guest_ifname, (struct netdev_link_attrs) {
        .up = true, .netns_fd = -1 });
    if (err) {
        error = gn_xasprintf("bringing guest end %s up: %s",
                             guest_ifname, netdev_nl_strerror__(&nl, err));
        goto out;
    }
    for (i = 0; i < opts->n_gateways; i++) {
        err = netdev_route_add_default__(&nl, ifindex, &opts->gateways[i]);
        if (err) {
            char s[INET6_ADDRSTRLEN];

            netdev_format_ip__(&opts->gateways[i], s);
            error = gn_xasprintf("adding default route via %s on %s: %s",
                                 s, guest_ifname,
                                 netdev_nl_strerror__(&nl, err));
            goto out;
        }
    }
    if (opts->tx_checksum_off) {
        error = netdev_set_tx_checksum_off(guest_ifname);
    }

out:
    netdev_nl_close__(&nl);
    return error;
}

/* Checks 'opts' for netdev_veth_create() before anything is created.
 * Returns NULL or a malloc'd reason. */
static char *
netdev_veth_check_options__(const char *host_ifname, const char *peer_ifname,
                            const struct netdev_veth_options *opts,
                            bool in_netns)
{
    char *error;
    size_t i;

    error = netdev_check_name__("veth name", host_ifname);
    if (!error) {
        error = netdev_check_name__("veth peer name", peer_ifname);
    }
    if (!error && opts->guest_ifname) {
        error = netdev_check_name__("guest interface name",
                                    opts->guest_ifname);
    }
    if (error) {
        return error;
    }
    if (!strcmp(host_ifname, peer_ifname)) {
        return gn_xasprintf("veth %s: host end and peer have the same name",
                            host_ifname);
    }
    if (opts->mtu < 0) {
        return gn_xasprintf("veth %s: MTU %d is negative",
                            host_ifname, opts->mtu);
    }
    if (!in_netns && (opts->n_addrs || opts->n_gateways)) {
        return gn_xasprintf("veth %s: addresses and default routes need a "
                            "netns for the guest end", host_ifname);
    }
    for (i = 0; !error && i < opts->n_addrs; i++) {
        error = netdev_check_ip__("address", &opts->addrs[i]);
    }
    for (i = 0; !error && i < opts->n_gateways; i++) {
        error = netdev_check_ip__("gateway", &opts->gateways[i]);
    }
    if (error) {
        char *reason = error;

        error = gn_xasprintf("veth %s: %s", host_ifname, reason);
        free(reason);
    }
    return error;
}

/* The temporary names of a veth pair being made: NETDEV_TEMP_PREFIX, 'h'
 * or 'p' (host or peer end), then 11 hex digits unique to this call. */
static void
netdev_temp_names__(const char *host_ifname, char host[IFNAMSIZ],
                    char peer[IFNAMSIZ])
{
    static unsigned int counter;
    unsigned long long h = 14695981039346656037ULL;
    char seed[128];

    snprintf(seed, sizeof seed, "%s %d %u %lld", host_ifname, (int) getpid(),
             __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED),
             gn_time_usec());
    for (const char *c = seed; *c; c++) {
        h = (h ^ (unsigned char) *c) * 1099511628211ULL;
    }
    h &= (1ULL << 44) - 1;
    snprintf(host, IFNAMSIZ, NETDEV_TEMP_PREFIX "h%011llx", h);
    snprintf(peer, IFNAMSIZ, NETDEV_TEMP_PREFIX "p%011llx", h);
}

bool
netdev_is_temp_name(const char *name)
{
    size_t n = strlen(NETDEV_TEMP_PREFIX);

    return (!strncmp(name, NETDEV_TEMP_PREFIX, n)
            && (name[n] == 'h' || name[n] == 'p')
            && strlen(name + n + 1) == 11
            && strspn(name + n + 1, "0123456789abcdef") == 11);
}

/* Creates the pair 'host_ifname' <-> 'peer_ifname' through 'nl', with
 * 'opts->mtu' on both ends and 'opts->mac' on the peer.  Returns 0 or a
 * negative libnl error. */
static int
netdev_veth_add__(struct netdev_nl *nl, const char *host_ifname,
                  const char *peer_ifname,
                  const struct netdev_veth_options *opts)
{
    struct rtnl_link *link = rtnl_link_veth_alloc();
    struct rtnl_link *peer;
    int err = 0;

    if (!link) {
        return -NLE_NOMEM;
    }
    peer = rtnl_link_veth_get_peer(link);
    rtnl_link_set_name(link, host_ifname);
    rtnl_link_set_name(peer, peer_ifname);
    if (opts->mtu) {
        rtnl_link_set_mtu(link, opts->mtu);
        rtnl_link_set_mtu(peer, opts->mtu);
    }
    if (opts->mac) {
        struct nl_addr *mac = nl_addr_build(AF_LLC, opts->mac->b,
                                            sizeof opts->mac->b);
        if (mac) {
            rtnl_link_set_addr(peer, mac);
            nl_addr_put(mac);
        } else {
            err = -NLE_NOMEM;
        }
    }
    if (!err) {
        nl->kernel_errno = 0;
        err = rtnl_link_add(nl->sock, link, NLM_F_CREATE | NLM_F_EXCL);
    }
    rtnl_link_put(peer);
    rtnl_link_put(link);
    return err;
}

/* Creates veth pair 'host_ifname' <-> 'peer_ifname' and configures it per
 * 'opts' (NULL: guest end stays here, defaults).  Returns NULL or a
 * malloc'd error; on error the pair no longer exists. */
char *
netdev_veth_create(const char *host_ifname, const char *peer_ifname,
                   const struct netdev_veth_options *opts)
{
    static const struct netdev_veth_options defaults;
    struct netdev_nl nl = { .sock = NULL };
    const char *guest_ifname;
    char host_tmp[IFNAMSIZ], peer_tmp[IFNAMSIZ];
    const char *host_now = host_tmp, *peer_now = peer_tmp;
    char *netns_path = NULL;
    int netns_fd = -1;
    bool in_netns;
    char *error;
    char *reason = NULL;
    int err;

    if (!opts) {
        opts = &defaults;
    }
    in_netns = opts->netns_pid || opts->netns_name || opts->netns_path;
    guest_ifname = in_netns && opts->guest_ifname ? opts->guest_ifname
                   : in_netns ? "eth0" : peer_ifname;
    error = netdev_veth_check_options__(host_ifname, peer_ifname, opts,
                                        in_netns);
    if (error) {
        return error;
    }

    /* The netns must exist before anything is created; keeping it open
     * also keeps it alive until the guest end is in. */
    if (in_netns) {
        reason = netdev_netns_path__(opts->netns_pid, opts->netns_name,
                                     opts->netns_path, &netns_path);
        if (!reason) {
            reason = netdev_netns_open__(netns_path, &netns_fd, NULL);
        }
        if (reason) {
            goto out;
        }
    }

    reason = netdev_nl_open__(&nl);
    if (reason) {
        goto out;
    }
    /* Made under temporary names, marked, then renamed: killed at any
     * point, this leaves no link that is neither marked nor named as
     * guestnet's (netdev_is_temp_name()), so the sweep can tell it. */
    netdev_temp_names__(host_ifname, host_tmp, peer_tmp);
    err = netdev_veth_add__(&nl, host_tmp, peer_tmp, opts);
    if (err) {
        reason = gn_xasprintf("creating pair %s/%s: %s", host_ifname,
                              peer_ifname, netdev_nl_strerror__(&nl, err));
        goto out;
    }

    /* From here on, a failure deletes the pair. */
    reason = netdev_isolate_host_end(host_tmp);
    if (!reason && opts->alias) {
        err = netdev_link_set__(&nl, host_tmp, (struct netdev_link_attrs) {
            .netns_fd = -1, .alias = opts->alias });
        if (!err && !in_netns) {
            err = netdev_link_set__(&nl, peer_tmp, (struct netdev_link_attrs) {
                .netns_fd = -1, .alias = opts->alias });
        }
        if (err) {
            reason = gn_xasprintf("marking the pair: %s",
                                  netdev_nl_strerror__(&nl, err));
        }
    }
    if (!reason) {
        err = netdev_link_set__(&nl, host_tmp, (struct netdev_link_attrs) {
            .up = true, .name = host_ifname, .netns_fd = -1 });
        host_now = err ? host_tmp : host_ifname;
    }
    if (!reason && !err && !in_netns) {
        err = netdev_link_set__(&nl, peer_tmp, (struct netdev_link_attrs) {
            .name = peer_ifname, .netns_fd = -1 });
        peer_now = err ? peer_tmp : peer_ifname;
    }
    if (!reason && err) {
        reason = gn_xasprintf("creating pair %s/%s: %s", host_ifname,
                              peer_ifname, netdev_nl_strerror__(&nl, err));
    } else if (!reason && in_netns) {
        err = netdev_link_set__(&nl, peer_now, (struct netdev_link_attrs) {
            .netns_fd = netns_fd });
        if (err) {
            reason = gn_xasprintf("moving guest end %s to netns %s: %s",
                                  peer_ifname, netns_path,
                                  netdev_nl_strerror__(&nl, err));
        } else {
            int orig_fd = -1;

            reason = netdev_enter_netns__(netns_fd, netns_path, &orig_fd);
            if (!reason) {
                reason = netdev_veth_guest_setup__(peer_now, guest_ifname,
                                                   opts);
                netdev_leave_netns__(orig_fd);
            }
        }
    } else if (!reason && opts->tx_checksum_off) {
        reason = netdev_set_tx_checksum_off(peer_ifname);
    }
    if (reason) {
        /* The kernel deletes the peer too, wherever it is. */
        err = netdev_link_delete__(&nl, host_now);
        if (err) {
            GN_LOG_WARN_RL(&netdev_rl, "veth %s: deleting after a failed "
                           "setup: %s", host_ifname,
                           netdev_nl_strerror__(&nl, err));
        }
    }

out:
    netdev_nl_close__(&nl);
    if (netns_fd >= 0) {
        close(netns_fd);
    }
    if (reason) {
        error = gn_xasprintf("veth %s: %s", host_ifname, reason);
        free(reason);
    } else {
        GN_LOG_INFO_RL(&netdev_rl, "created veth %s, guest end %s%s%s",
                       host_ifname, guest_ifname,
                       in_netns ? " in netns " : "",
                       in_netns ? netns_path : "");
    }
    free(netns_path);
    return error;
}

/* Deletes link 'name' in the calling thread's network namespace; a missing
 * link is fine if 'missing_ok'.  Returns NULL or a malloc'd error. */
char *
netdev_delete(const char *name, bool missing_ok)
{
    struct netdev_nl nl;
    char *error;
    int err;

    error = netdev_check_name__("device name", name);
    if (error) {
        return error;
    }
    error = netdev_nl_open__(&nl);
    if (error) {
        char *reason = error;

        error = gn_xasprintf("deleting %s: %s", name, reason);
        free(reason);
        return error;
    }
    err = netdev_link_delete__(&nl, name);
    if (!err) {
        GN_LOG_INFO_RL(&netdev_rl, "deleted %s", name);
    } else if (!missing_ok || nl.kernel_errno != ENODEV) {
        error = gn_xasprintf("deleting %s: %s", name,
                             netdev_nl_strerror__(&nl, err));
    }
    netdev_nl_close__(&nl);
    return error;
}

/* Returns true if link 'name' exists in the calling thread's network
 * namespace. */
bool
netdev_exists(const char *name)
{
    char *error = netdev_check_name__("device name", name);

    if (error) {
        free(error);
        return false;
    }
    return if_nametoindex(name) != 0;
}

bool
netdev_get_alias(const char *name, char *buf, size_t size)
{
    char path[64];
    ssize_t n;
    int fd;

    buf[0] = '\0';
    if (netdev_check_name__("device name", name)) {
        return false;
    }
    snprintf(path, sizeof path, "/sys/class/net/%s/ifalias", name);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return false;
    }
    n = read(fd, buf, size - 1);
    close(fd);
    n = n < 0 ? 0 : n;
    buf[n] = '\0';
    if (n && buf[n - 1] == '\n') {
        buf[n - 1] = '\0';
    }
    return true;
}

/* Reads the integer in /sys/class/net/'name'/'attr', or returns -1. */
static long long
netdev_sysfs_int__(const char *name, const char *attr)
{
    char path[96], buf[32];
    ssize_t n;
    int fd;

    if (netdev_check_name__("device name", name)) {
        return -1;
    }
    snprintf(path, sizeof path, "/sys/class/net/%s/%s", name, attr);
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        return -1;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return -1;
    }
    buf[n] = '\0';
    return strtoll(buf, NULL, 10);
}

bool
netdev_is_veth_pair(const char *a, const char *b)
{
    long long peer = netdev_sysfs_int__(a, "iflink");

    return peer > 0 && peer == netdev_sysfs_int__(b, "ifindex")
           && netdev_sysfs_int__(b, "iflink") == netdev_sysfs_int__(a,
                                                                  "ifindex");
}

/* Checks that the network namespace named by 'pid', 'name' or 'path'
 * (exactly one set) exists, without blocking (see netdev_netns_open__()).
 * Returns 0 if it does; otherwise ENOENT (no such file) or EINVAL (not a
 * network namespace, or not exactly one given), and stores a malloc'd
 * reason in '*errorp' (if 'errorp' is nonnull; caller frees it). */
int
netdev_netns_check(pid_t pid, const char *name, const char *path,
                   char **errorp)
{
    char *netns_path = NULL;
    int err = EINVAL;
    char *error;
    int fd;

    error = netdev_netns_path__(pid, name, path, &netns_path);
    if (!error) {
        error = netdev_netns_open__(netns_path, &fd, &err);
        if (!error) {
            close(fd);
        }
    }
    free(netns_path);
    if (errorp) {
        *errorp = error;
    } else {
        free(error);
    }
    return error ? err : 0;
}

/* Turns TX checksum offload off on link 'name' in the calling thread's
 * network namespace (SIOCETHTOOL, ETHTOOL_STXCSUM; the kernel then also
 * turns off the offloads that depend on it, such as TSO).  Returns NULL or
 * a malloc'd error. */
char *
netdev_ethtool__(const char *name, void *cmd, const char *doing, int *errp)
{
    char *error = netdev_check_name__("device name", name);
    struct ifreq ifr;
    int err = EINVAL;

    if (!error) {
        netdev_ifreq_init__(&ifr, name);
        ifr.ifr_data = cmd;
        err = netdev_ioctl__(SIOCETHTOOL, &ifr);
        if (err) {
            error = gn_xasprintf("%s %s: %s", doing, name, strerror(err));
        }
    }
    if (errp) {
        *errp = err;
    }
    return error;
}

char *
netdev_set_tx_checksum_off(const char *name)
{
    struct ethtool_value ev = { .cmd = ETHTOOL_STXCSUM, .data = 0 };

    return netdev_ethtool__(name, &ev, "turning TX checksum offload off on",
                            NULL);
}
