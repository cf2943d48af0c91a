/* netdev-private.h: the netlink and namespace primitives of
 * devices/netdev-nl.c, which devices/netdev.c builds taps and veth pairs
 * from, and the name check and ioctl helpers of devices/netdev.c that
 * devices/netdev-host.c uses.  Nothing else includes it.  Every function returns 0 or a
 * negative libnl error unless it says otherwise. */
#ifndef GN_NETDEV_PRIVATE_H
#define GN_NETDEV_PRIVATE_H 1

#include <stdbool.h>

#include <sys/types.h>

#include "netaddr.h"

struct nl_sock;

/* An rtnetlink socket that keeps the errno of the kernel's last error
 * reply: libnl maps many errnos (ENETUNREACH among them) to "Unspecific
 * failure", which would make poor messages.  Each netdev_*__() helper that
 * talks to the kernel clears 'kernel_errno' first. */
struct netdev_nl {
    struct nl_sock *sock;
    int kernel_errno;           /* Errno of the last error reply, or 0. */
};

/* What netdev_link_set__() changes. */
struct netdev_link_attrs {
    bool up;                    /* Bring the link up. */
    const char *name;           /* Rename it (it must be down), or NULL. */
    int netns_fd;               /* Move it into this namespace, or -1. */
    const char *alias;          /* Set its alias (IFLA_IFALIAS), or NULL. */
};

/* Opens 'nl', an rtnetlink socket in the calling thread's current network
 * namespace (a socket's namespace is fixed when it is created).  Returns
 * NULL (caller frees 'nl' with netdev_nl_close__()) or a malloc'd
 * reason. */
char *netdev_nl_open__(struct netdev_nl *nl);

/* Frees the socket of 'nl', if any. */
void netdev_nl_close__(struct netdev_nl *nl);

/* Returns a static description of negative libnl error 'err' from the last
 * operation on 'nl': the kernel's errno if it replied with one. */
const char *netdev_nl_strerror__(const struct netdev_nl *nl, int err);

/* Stores the ifindex of link 'name' in '*ifindexp' through 'nl'.  Returns
 * 0 or a negative libnl error. */
int netdev_link_ifindex__(struct netdev_nl *nl, const char *name,
                          int *ifindexp);

/* Deletes link 'name' (for a veth, both ends) through 'nl'.  Returns 0 or
 * a negative libnl error. */
int netdev_link_delete__(struct netdev_nl *nl, const char *name);

/* Applies 'attrs' to link 'name' through 'nl' in one change.  Returns 0 or
 * a negative libnl error. */
int netdev_link_set__(struct netdev_nl *nl, const char *name,
                      struct netdev_link_attrs attrs);

/* Adds address 'ip' with its prefix length to link 'ifindex' through
 * 'nl'.  Returns 0 or a negative libnl error. */
int netdev_addr_add__(struct netdev_nl *nl, int ifindex,
                      const struct netaddr_ip *ip);

/* Adds a default route via 'gateway' out of link 'ifindex' to the main
 * table through 'nl'.  Returns 0 or a negative libnl error. */
int netdev_route_add_default__(struct netdev_nl *nl, int ifindex,
                               const struct netaddr_ip *gateway);

/* Stores in '*pathp' the file of the network namespace named by exactly one
 * of 'pid' (/proc/PID/ns/net), 'name' (/run/netns/NAME) or 'path'.  Returns
 * NULL (caller frees '*pathp') or a malloc'd reason. */
char *netdev_netns_path__(pid_t pid, const char *name, const char *path,
                          char **pathp);

/* Opens the network namespace file 'path' without blocking (O_PATH, then
 * checked on the descriptor: a regular file of nsfs).  Returns NULL and
 * stores the fd in '*fdp' (caller closes it), or returns a malloc'd reason
 * and stores in '*errp' (if nonnull) ENOENT if 'path' does not exist, else
 * EINVAL. */
char *netdev_netns_open__(const char *path, int *fdp, int *errp);

/* Switches the calling thread into the network namespace open as
 * 'target_fd' (caller keeps it), described as 'path' in errors.  Returns
 * NULL and stores in '*origp' an fd for the namespace the thread was in,
 * to pass to netdev_leave_netns__(), or returns a malloc'd reason (and the
 * thread did not move). */
char *netdev_enter_netns__(int target_fd, const char *path, int *origp);

/* Switches the calling thread back to the network namespace open as
 * 'orig_fd' and closes it.  A thread that cannot go back would configure
 * the wrong namespace from then on, so failure is fatal. */
void netdev_leave_netns__(int orig_fd);

/* netdev.c, also for netdev-host.c. */

/* Returns NULL if 'name' can name a Linux network device, otherwise a
 * malloc'd reason that starts with 'what' (e.g. "veth name"). */
char *netdev_check_name__(const char *what, const char *name);
/* Fills in 'ifr' for an ioctl on device 'name' (at most 15 bytes). */
struct ifreq;
void netdev_ifreq_init__(struct ifreq *ifr, const char *name);
/* Runs ioctl 'request' with 'ifr' on a datagram socket created in the
 * calling thread's current network namespace.  Returns 0 or an errno. */
int netdev_ioctl__(unsigned long request, struct ifreq *ifr);
/* Runs the ethtool command 'cmd' (a struct ethtool_* starting with its
 * "cmd") on device 'name'.  Returns NULL or a malloc'd error "DOING NAME:
 * REASON", and stores 0 or the errno value in '*errp' if nonnull. */
char *netdev_ethtool__(const char *name, void *cmd, const char *doing,
                       int *errp);

#endif /* netdev-private.h */
