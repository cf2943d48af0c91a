/* netdev-host.c: keeps the host's own IP stack off the host ends of
 * guests' ports (see netdev_isolate_host_end() in include/netdev.h): the
 * per-device sysctls under /proc/sys/net, and which devices are guests'
 * (their driver, over SIOCETHTOOL). */
#include <config.h>

#include "netdev.h"
#include "netdev-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/ethtool.h>

#include "gn-util.h"

/* Writes 'value' to the sysctl file 'path' ("/proc/sys/net/...").
 * Returns 0 or an errno value. */
static int
netdev_sysctl_write__(const char *path, const char *value)
{
    size_t len = strlen(value);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    int error = 0;

    if (fd < 0) {
        return errno;
    }
    if (write(fd, value, len) != (ssize_t) len) {
        error = errno ? errno : EIO;
    }
    close(fd);
    return error;
}

char *
netdev_isolate_host_end(const char *name)
{
    static const struct {
        const char *fmt, *value;
        bool optional;          /* Absent when IPv6 is off in the kernel. */
    } settings[] = {
        { "/proc/sys/net/ipv6/conf/%s/disable_ipv6", "1", true },
        { "/proc/sys/net/ipv4/conf/%s/arp_ignore", "8", false },
        { "/proc/sys/net/ipv4/conf/%s/rp_filter", "1", false },
    };
    char *error = netdev_check_name__("device name", name);

    for (size_t i = 0; !error && i < GN_ARRAY_SIZE(settings); i++) {
        char path[128];
        int err;

        snprintf(path, sizeof path, settings[i].fmt, name);
        err = netdev_sysctl_write__(path, settings[i].value);
        if (err && !(err == ENOENT && settings[i].optional)) {
            error = gn_xasprintf("writing %s to %s: %s", settings[i].value,
                                 path, strerror(err));
        }
    }
    return error;
}

char *
netdev_isolate_guest_device(const char *name, bool *isolated)
{
    struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
    char *error;
    int err;

    *isolated = false;
    error = netdev_ethtool__(name, &info, "asking for the driver of", &err);
    if (error && err == EOPNOTSUPP) {
        free(error);            /* No driver named: not a tap or a veth. */
        return NULL;
    } else if (error) {
        return error;
    }
    if (strcmp(info.driver, "tun") && strcmp(info.driver, "veth")) {
        return NULL;            /* Not a guest's tap or veth: untouched. */
    }
    error = netdev_isolate_host_end(name);
    *isolated = !error;
    return error;
}
