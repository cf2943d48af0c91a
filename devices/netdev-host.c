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

/* The sysctls that keep the host's stack off a device. */
static const struct {
    const char *fmt, *value;
    bool optional;              /* Absent when IPv6 is off in the kernel. */
} netdev_host_settings[] = {
    { "/proc/sys/net/ipv6/conf/%s/disable_ipv6", "1", true },
    { "/proc/sys/net/ipv4/conf/%s/arp_ignore", "8", false },
    { "/proc/sys/net/ipv4/conf/%s/rp_filter", "1", false },
};

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

/* True if the sysctl file 'path' holds 'value' (or is absent and
 * 'optional'). */
static bool
netdev_sysctl_is__(const char *path, const char *value, bool optional)
{
    char buf[16];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        return optional && errno == ENOENT;
    }
    n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) {
        return false;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\n")] = '\0';
    return !strcmp(buf, value);
}

/* True if device 'name' already keeps the host's stack off. */
static bool
netdev_host_end_isolated__(const char *name)
{
    for (size_t i = 0; i < GN_ARRAY_SIZE(netdev_host_settings); i++) {
        char path[128];

        snprintf(path, sizeof path, netdev_host_settings[i].fmt, name);
        if (!netdev_sysctl_is__(path, netdev_host_settings[i].value,
                                netdev_host_settings[i].optional)) {
            return false;
        }
    }
    return true;
}

char *
netdev_isolate_host_end(const char *name)
{
    char *error = netdev_check_name__("device name", name);

    for (size_t i = 0; !error && i < GN_ARRAY_SIZE(netdev_host_settings);
         i++) {
        char path[128];
        int err;

        snprintf(path, sizeof path, netdev_host_settings[i].fmt, name);
        err = netdev_sysctl_write__(path, netdev_host_settings[i].value);
        if (err && !(err == ENOENT && netdev_host_settings[i].optional)) {
            error = gn_xasprintf("writing %s to %s: %s",
                                 netdev_host_settings[i].value, path,
                                 strerror(err));
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
    if ((strcmp(info.driver, "tun") && strcmp(info.driver, "veth"))
        || netdev_host_end_isolated__(name)) {
        return NULL;            /* Not a guest's tap or veth, or already
                                 * isolated (guestnet made it): as it is. */
    }
    error = netdev_isolate_host_end(name);
    *isolated = !error;
    return error;
}
