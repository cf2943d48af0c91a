/* netdev-nl.c: the primitives devices/netdev.c is built from: an
 * rtnetlink socket (libnl-route-3) that remembers the kernel's errno, link
 * lookups and changes (up, rename, move to a namespace, delete), addresses
 * and default routes, the switch of the calling thread into a network
 * namespace and back, after checking that the file is one, and the list of
 * the links guestnet marked (netdev_list_aliased()). */
#include <config.h>

#include "netdev.h"
#include "netdev-private.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/nsfs.h>

#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <netlink/route/rtnl.h>

#include "gn-log.h"
#include "gn-util.h"

GN_LOG_MODULE(netdev);

/* libnl callback for an error reply: records its errno in the 'struct
 * netdev_nl' 'nl_' and lets libnl report the error as usual. */
static int
netdev_nl_error_cb__(struct sockaddr_nl *nla, struct nlmsgerr *e, void *nl_)
{
    struct netdev_nl *nl = nl_;

    nl->kernel_errno = -e->error;
    return NL_STOP;
}

/* Opens 'nl', an rtnetlink socket in the calling thread's current network
 * namespace (a socket's namespace is fixed when it is created).  Returns
 * NULL (caller frees 'nl' with netdev_nl_close__()) or a malloc'd
 * reason. */
char *
netdev_nl_open__(struct netdev_nl *nl)
{
    int err;

    nl->kernel_errno = 0;
    nl->sock = nl_socket_alloc();
    if (!nl->sock) {
        return gn_xstrdup("allocating a netlink socket: out of memory");
    }
    nl_socket_modify_err_cb(nl->sock, NL_CB_CUSTOM, netdev_nl_error_cb__,
                            nl);
    err = nl_connect(nl->sock, NETLINK_ROUTE);
    if (err) {
        nl_socket_free(nl->sock);
        nl->sock = NULL;
        return gn_xasprintf("connecting to rtnetlink: %s", nl_geterror(err));
    }
    return NULL;
}

/* Frees the socket of 'nl', if any. */
void
netdev_nl_close__(struct netdev_nl *nl)
{
    if (nl->sock) {
        nl_socket_free(nl->sock);
        nl->sock = NULL;
    }
}

/* Returns a static description of negative libnl error 'err' from the last
 * operation on 'nl': the kernel's errno if it replied with one. */
const char *
netdev_nl_strerror__(const struct netdev_nl *nl, int err)
{
    return nl->kernel_errno ? strerror(nl->kernel_errno) : nl_geterror(err);
}

/* Stores the ifindex of link 'name' in '*ifindexp' through 'nl'.  Returns
 * 0 or a negative libnl error. */
int
netdev_link_ifindex__(struct netdev_nl *nl, const char *name, int *ifindexp)
{
    struct rtnl_link *link;
    int err;

    nl->kernel_errno = 0;
    err = rtnl_link_get_kernel(nl->sock, 0, name, &link);
    if (!err) {
        *ifindexp = rtnl_link_get_ifindex(link);
        rtnl_link_put(link);
    }
    return err;
}

/* Applies 'changes' (caller keeps it) to the link named 'name' through
 * 'nl'.  Returns 0 or a negative libnl error. */
static int
netdev_link_change__(struct netdev_nl *nl, const char *name,
                     struct rtnl_link *changes)
{
    struct rtnl_link *orig;
    int err;

    nl->kernel_errno = 0;
    err = rtnl_link_get_kernel(nl->sock, 0, name, &orig);
    if (!err) {
        err = rtnl_link_change(nl->sock, orig, changes, 0);
        rtnl_link_put(orig);
    }
    return err;
}

/* Deletes link 'name' (for a veth, both ends) through 'nl'.  Returns 0 or
 * a negative libnl error. */
int
netdev_link_delete__(struct netdev_nl *nl, const char *name)
{
    struct rtnl_link *link = rtnl_link_alloc();
    int err;

    if (!link) {
        return -NLE_NOMEM;
    }
    nl->kernel_errno = 0;
    rtnl_link_set_name(link, name);
    err = rtnl_link_delete(nl->sock, link);
    rtnl_link_put(link);
    return err;
}

/* Applies 'attrs' to link 'name' through 'nl' in one change.  Returns 0 or
 * a negative libnl error. */
int
netdev_link_set__(struct netdev_nl *nl, const char *name,
                  struct netdev_link_attrs attrs)
{
    struct rtnl_link *changes = rtnl_link_alloc();
    int err;

    if (!changes) {
        return -NLE_NOMEM;
    }
    if (attrs.up) {
        rtnl_link_set_flags(changes, IFF_UP);
    }
    if (attrs.name) {
        rtnl_link_set_name(changes, attrs.name);
    }
    if (attrs.netns_fd >= 0) {
        rtnl_link_set_ns_fd(changes, attrs.netns_fd);
    }
    if (attrs.alias) {
        rtnl_link_set_ifalias(changes, attrs.alias);
    }
    err = netdev_link_change__(nl, name, changes);
    rtnl_link_put(changes);
    return err;
}

/* Builds a libnl address from 'ip' with prefix length 'plen'.  Returns the
 * address (caller frees it with nl_addr_put()) or NULL if out of memory. */
static struct nl_addr *
netdev_nl_addr__(const struct netaddr_ip *ip, unsigned int plen)
{
    struct nl_addr *addr;

    addr = nl_addr_build(ip->family, &ip->addr,
                         ip->family == AF_INET ? sizeof ip->addr.v4
                                               : sizeof ip->addr.v6);
    if (addr) {
        nl_addr_set_prefixlen(addr, plen);
    }
    return addr;
}

/* Adds address 'ip' with its prefix length to link 'ifindex' through
 * 'nl'.  Returns 0 or a negative libnl error. */
int
netdev_addr_add__(struct netdev_nl *nl, int ifindex,
                  const struct netaddr_ip *ip)
{
    struct nl_addr *local = netdev_nl_addr__(ip, ip->plen);
    struct rtnl_addr *addr = rtnl_addr_alloc();
    int err = -NLE_NOMEM;

    nl->kernel_errno = 0;
    if (local && addr) {
        rtnl_addr_set_ifindex(addr, ifindex);
        err = rtnl_addr_set_local(addr, local);
        if (!err) {
            err = rtnl_addr_add(nl->sock, addr, 0);
        }
    }
    rtnl_addr_put(addr);
    nl_addr_put(local);
    return err;
}

/* Adds a default route via 'gateway' out of link 'ifindex' to the main
 * table through 'nl'.  Returns 0 or a negative libnl error. */
int
netdev_route_add_default__(struct netdev_nl *nl, int ifindex,
                           const struct netaddr_ip *gateway)
{
    struct netaddr_ip any = { .family = gateway->family };
    struct nl_addr *dst = netdev_nl_addr__(&any, 0);
    struct nl_addr *via = netdev_nl_addr__(gateway,
                                           gateway->family == AF_INET
                                           ? 32 : 128);
    struct rtnl_route *route = rtnl_route_alloc();
    struct rtnl_nexthop *nh = rtnl_route_nh_alloc();
    int err = -NLE_NOMEM;

    nl->kernel_errno = 0;
    if (dst && via && route && nh) {
        rtnl_route_set_family(route, gateway->family);
        rtnl_route_set_table(route, RT_TABLE_MAIN);
        rtnl_route_set_protocol(route, RTPROT_STATIC);
        err = rtnl_route_set_dst(route, dst);
        if (!err) {
            rtnl_route_nh_set_ifindex(nh, ifindex);
            rtnl_route_nh_set_gateway(nh, via);
            rtnl_route_add_nexthop(route, nh);
            nh = NULL;          /* 'route' owns it now. */
            err = rtnl_route_add(nl->sock, route, NLM_F_EXCL);
        }
    }
    if (nh) {
        rtnl_route_nh_free(nh);
    }
    if (route) {
        rtnl_route_put(route);
    }
    nl_addr_put(via);
    nl_addr_put(dst);
    return err;
}

/* Stores in '*pathp' the file of the network namespace named by exactly one
 * of 'pid' (/proc/PID/ns/net), 'name' (/run/netns/NAME) or 'path'.  Returns
 * NULL (caller frees '*pathp') or a malloc'd reason. */
char *
netdev_netns_path__(pid_t pid, const char *name, const char *path,
                    char **pathp)
{
    int n = (pid != 0) + (name != NULL) + (path != NULL);

    if (n != 1) {
        return gn_xasprintf("give exactly one of a netns pid, name or path "
                            "(%d given)", n);
    }
    if (pid) {
        if (pid < 0) {
            return gn_xasprintf("netns pid %ld is not a process id",
                                (long) pid);
        }
        *pathp = gn_xasprintf("/proc/%ld/ns/net", (long) pid);
    } else if (name) {
        if (!*name || strchr(name, '/') || !strcmp(name, ".")
            || !strcmp(name, "..")) {
            return gn_xasprintf("netns name \"%s\" is not a valid name",
                                name);
        }
        *pathp = gn_xasprintf("/run/netns/%s", name);
    } else {
        if (!*path) {
            return gn_xstrdup("netns path is empty");
        }
        *pathp = gn_xstrdup(path);
    }
    return NULL;
}

/* Opens the network namespace file 'path' without blocking and without
 * side effects, whatever the path names: it is first opened with O_PATH
 * (which opens nothing: a FIFO does not wait for a writer, a device's
 * driver is not called), then checked on that descriptor (a regular file
 * of nsfs, the namespace file system) and only then opened for reading
 * through the descriptor itself, so a file swapped in meanwhile is not
 * the one opened.  Symlinks are followed ("/proc/PID/ns/net" is one); it is
 * where they lead that must be a namespace.  Returns NULL and stores the
 * fd in '*fdp' (caller closes it), or returns a malloc'd reason and stores
 * in '*errp' (if nonnull) ENOENT if 'path' does not exist or EINVAL if it
 * is no network namespace. */
char *
netdev_netns_open__(const char *path, int *fdp, int *errp)
{
    char proc[64];
    struct statfs sfs;
    struct stat st;
    int pfd, fd, type;
    char *error;

    if (errp) {
        *errp = EINVAL;
    }
    pfd = open(path, O_PATH | O_CLOEXEC);
    if (pfd < 0) {
        if (errp && (errno == ENOENT || errno == ENOTDIR)) {
            *errp = ENOENT;
        }
        return gn_xasprintf("netns %s: %s", path, strerror(errno));
    }
    if (fstat(pfd, &st) || fstatfs(pfd, &sfs)) {
        error = gn_xasprintf("netns %s: %s", path, strerror(errno));
        close(pfd);
        return error;
    }
    if (!S_ISREG(st.st_mode) || sfs.f_type != NSFS_MAGIC) {
        close(pfd);
        return gn_xasprintf("netns %s: not a namespace file (a %s)", path,
                            S_ISFIFO(st.st_mode) ? "FIFO"
                            : S_ISCHR(st.st_mode) ? "character device"
                            : S_ISBLK(st.st_mode) ? "block device"
                            : S_ISSOCK(st.st_mode) ? "socket"
                            : S_ISDIR(st.st_mode) ? "directory"
                            : "file of another file system");
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", pfd);
    fd = open(proc, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    close(pfd);
    if (fd < 0) {
        return gn_xasprintf("netns %s: %s", path, strerror(errno));
    }
    type = ioctl(fd, NS_GET_NSTYPE);
    if (type != CLONE_NEWNET) {
        error = (type < 0
                 ? gn_xasprintf("netns %s: not a namespace file (%s)",
                                path, strerror(errno))
                 : gn_xasprintf("netns %s: not a network namespace",
                                path));
        close(fd);
        return error;
    }
    *fdp = fd;
    if (errp) {
        *errp = 0;
    }
    return NULL;
}

/* Switches the calling thread into the network namespace open as
 * 'target_fd' (caller keeps it), described as 'path' in errors.  Returns
 * NULL and stores in '*origp' an fd for the namespace the thread was in,
 * to pass to netdev_leave_netns__(), or returns a malloc'd reason (and the
 * thread did not move). */
char *
netdev_enter_netns__(int target_fd, const char *path, int *origp)
{
    int orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

    if (orig < 0) {
        return gn_xasprintf("opening /proc/thread-self/ns/net: %s",
                            strerror(errno));
    }
    if (setns(target_fd, CLONE_NEWNET)) {
        char *error = gn_xasprintf("entering netns %s: %s",
                                   path, strerror(errno));
        close(orig);
        return error;
    }
    *origp = orig;
    return NULL;
}

/* Switches the calling thread back to the network namespace open as
 * 'orig_fd' and closes it.  A thread that cannot go back would configure
 * the wrong namespace from then on, so failure is fatal. */
void
netdev_leave_netns__(int orig_fd)
{
    if (setns(orig_fd, CLONE_NEWNET)) {
        GN_LOG_ERR("returning to the original netns: %s", strerror(errno));
        gn_fatal("returning to the original netns: %s", strerror(errno));
    }
    close(orig_fd);
}

/* What netdev_list_aliased() collects. */
struct netdev_list_ctx {
    const char *prefix;
    struct netdev_aliased *links;
    size_t n, allocated;
};

/* Adds link 'o' to the list 'ctx_' if its alias starts with the prefix or
 * it has a temporary name. */
static void
netdev_list_link__(struct nl_object *o, void *ctx_)
{
    struct netdev_list_ctx *ctx = ctx_;
    struct rtnl_link *link = (struct rtnl_link *) o;
    const char *alias = rtnl_link_get_ifalias(link);
    const char *name = rtnl_link_get_name(link);
    bool temp = name && netdev_is_temp_name(name);

    if (!name || (!temp && (!alias || strncmp(alias, ctx->prefix,
                                              strlen(ctx->prefix))))) {
        return;
    }
    if (ctx->n >= ctx->allocated) {
        ctx->allocated = 2 * ctx->allocated + 8;
        ctx->links = gn_xrealloc(ctx->links,
                                 ctx->allocated * sizeof *ctx->links);
    }
    ctx->links[ctx->n].name = gn_xstrdup(name);
    ctx->links[ctx->n].alias = gn_xstrdup(alias ? alias : "");
    ctx->n++;
}

/* Parses one message of the link dump into a link object, which
 * netdev_list_link__() looks at and libnl frees. */
static int
netdev_list_msg__(struct nl_msg *msg, void *ctx)
{
    nl_msg_parse(msg, netdev_list_link__, ctx);
    return NL_OK;
}

/* The host's links are read one dump message at a time, each parsed and
 * freed before the next, not gathered into a libnl cache first: with a
 * thousand ports the cache held some 1.7 MB at once, on the device
 * worker's thread but in the daemon's one malloc arena. */
char *
netdev_list_aliased(const char *prefix, struct netdev_aliased **linksp,
                    size_t *np)
{
    struct netdev_list_ctx ctx = { .prefix = prefix };
    struct netdev_nl nl = { .sock = NULL };
    char *error;
    int err;

    *linksp = NULL;
    *np = 0;
    error = netdev_nl_open__(&nl);
    if (error) {
        return error;
    }
    err = nl_rtgen_request(nl.sock, RTM_GETLINK, AF_UNSPEC, NLM_F_DUMP);
    if (!err) {
        nl_socket_modify_cb(nl.sock, NL_CB_VALID, NL_CB_CUSTOM,
                            netdev_list_msg__, &ctx);
        err = nl_recvmsgs_default(nl.sock);
    }
    if (err < 0) {
        error = gn_xasprintf("listing links: %s",
                             netdev_nl_strerror__(&nl, err));
        netdev_nl_close__(&nl);
        netdev_aliased_free(ctx.links, ctx.n);
        return error;
    }
    netdev_nl_close__(&nl);
    *linksp = ctx.links;
    *np = ctx.n;
    return NULL;
}

void
netdev_aliased_free(struct netdev_aliased *links, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(links[i].name);
        free(links[i].alias);
    }
    free(links);
}
