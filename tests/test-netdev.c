/* test-netdev.c: netdev's devices checked against real kernel state.
 *
 * Needs root.  The program first moves itself into a private network and
 * mount namespace (with its own /sys), so every device it creates lives
 * there and dies with it; the guests' namespaces are scratch "ip netns"
 * names that include the pid, deleted at exit even after a failure.  State
 * is read from /sys/class/net, "ip -n NS", "nsenter" and "ethtool -k";
 * running those programs is fine here (only netdev.c must not). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include "gn-util.h"
#include "netdev.h"
#include "test-util.h"

/* Scratch names, unique per run. */
static char ns_a[64];           /* A named guest netns. */
static char ns_missing[64];     /* A netns name that never exists. */
static char tap_name[16];       /* "gtNNNNNt0" etc. */
static char tap2_name[16];
static char prefix[8];          /* "gtNNNNN": device name prefix. */
static pid_t pid_guest;         /* A process alone in its netns, or 0. */

static bool sh_ok(const char *format, ...) GN_PRINTF(1, 2);
static bool sh_out_has(const char *needle, const char *format, ...)
    GN_PRINTF(2, 3);

/* Runs the shell command that 'format' makes, printf-style, quietly.
 * Returns true if it exits 0. */
static bool
sh_ok(const char *format, ...)
{
    va_list args;
    char *cmd, *full;
    int status;

    va_start(args, format);
    cmd = gn_xvasprintf(format, args);
    va_end(args);
    full = gn_xasprintf("{ %s; } >/dev/null 2>&1", cmd);
    status = system(full);
    free(full);
    free(cmd);
    return status != -1 && WIFEXITED(status) && !WEXITSTATUS(status);
}

/* Runs shell command 'cmd' and returns its standard output (caller frees
 * it), or "" (malloc'd) if it could not run.  Stores in '*okp', if
 * nonnull, whether it exited 0. */
static char *
sh_out(const char *cmd, bool *okp)
{
    FILE *stream = popen(cmd, "r");
    size_t len = 0, size = 256;
    char *out = gn_xmalloc(size);
    int status;

    out[0] = '\0';
    if (!stream) {
        if (okp) {
            *okp = false;
        }
        return out;
    }
    for (;;) {
        size_t n;

        if (size - len < 128) {
            size *= 2;
            out = gn_xrealloc(out, size);
        }
        n = fread(out + len, 1, size - len - 1, stream);
        if (!n) {
            break;
        }
        len += n;
    }
    out[len] = '\0';
    status = pclose(stream);
    if (okp) {
        *okp = status != -1 && WIFEXITED(status) && !WEXITSTATUS(status);
    }
    return out;
}

/* True if the output of the shell command that 'format' makes,
 * printf-style, contains 'needle'; prints the output to stderr otherwise,
 * for the log. */
static bool
sh_out_has(const char *needle, const char *format, ...)
{
    va_list args;
    char *cmd, *out;
    bool found;

    va_start(args, format);
    cmd = gn_xvasprintf(format, args);
    va_end(args);
    out = sh_out(cmd, NULL);
    found = strstr(out, needle) != NULL;
    if (!found) {
        fprintf(stderr, "  \"%s\" not in output of %s:\n%s\n",
                needle, cmd, out);
    }
    free(out);
    free(cmd);
    return found;
}

/* Reads /sys/class/net/DEV/ATTR into 'buf' without the newline.  Returns
 * 'buf', or "" if it could not be read. */
static const char *
sys_read(const char *dev, const char *attr, char *buf, size_t size)
{
    char *path = gn_xasprintf("/sys/class/net/%s/%s", dev, attr);
    FILE *f = fopen(path, "r");

    buf[0] = '\0';
    if (f) {
        if (fgets(buf, size, f)) {
            buf[strcspn(buf, "\n")] = '\0';
        }
        fclose(f);
    }
    free(path);
    return buf;
}

/* Returns /sys/class/net/DEV/ATTR as a number (hex with 0x), or -1. */
static long
sys_read_long(const char *dev, const char *attr)
{
    char buf[64];

    sys_read(dev, attr, buf, sizeof buf);
    return buf[0] ? strtol(buf, NULL, 0) : -1;
}

/* True if 'dev' is administratively up in this namespace. */
static bool
sys_is_up(const char *dev)
{
    long flags = sys_read_long(dev, "flags");

    return flags >= 0 && (flags & IFF_UP);
}

/* True if error message 'error' is nonnull and contains 'needle'; prints
 * it to stderr either way, for the log. */
static bool
error_has(const char *error, const char *needle)
{
    fprintf(stderr, "  error: %s\n", error ? error : "(none)");
    return error && strstr(error, needle);
}

/* Stores in 'name' the device name made of the run's prefix and
 * 'suffix'. */
static void
dev_name(char name[IFNAMSIZ], const char *suffix)
{
    snprintf(name, IFNAMSIZ, "%s%s", prefix, suffix);
}

/* The names of a veth pair of this run: 'host' stays here, 'peer' is the
 * guest's end. */
struct veth {
    char host[IFNAMSIZ];
    char peer[IFNAMSIZ];
};

/* Returns the names of pair 'n': the prefix, "h" or "p", and 'n'. */
static struct veth
veth_pair(int n)
{
    struct veth v;
    char suffix[8];

    snprintf(suffix, sizeof suffix, "h%d", n);
    dev_name(v.host, suffix);
    snprintf(suffix, sizeof suffix, "p%d", n);
    dev_name(v.peer, suffix);
    return v;
}

static const struct netaddr_mac mac_tap = {
    { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01 } };
static const struct netaddr_mac mac_guest = {
    { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0x02 } };

/* Fills 'ip' from 'family', 'text' and 'plen'. */
static struct netaddr_ip
ip_make(int family, const char *text, unsigned int plen)
{
    struct netaddr_ip ip = { .family = family, .plen = plen };

    if (inet_pton(family, text, &ip.addr) != 1) {
        gn_fatal("bad test address %s", text);
    }
    return ip;
}

static void
test_tap_create(void)
{
    struct netdev_tap_options opts = {
        .mac = &mac_tap, .owner = 1000, .group = 1001, .mtu = 1400,
    };
    char buf[64];
    long flags;

    CHECK(!netdev_tap_create(tap_name, &opts));
    CHECK(if_nametoindex(tap_name) != 0);
    CHECK_STREQ(sys_read(tap_name, "address", buf, sizeof buf),
                "52:54:00:aa:bb:01");
    CHECK_STREQ(sys_read(tap_name, "mtu", buf, sizeof buf), "1400");
    CHECK_STREQ(sys_read(tap_name, "owner", buf, sizeof buf), "1000");
    CHECK_STREQ(sys_read(tap_name, "group", buf, sizeof buf), "1001");
    CHECK(sys_is_up(tap_name));
    flags = sys_read_long(tap_name, "tun_flags");
    CHECK(flags >= 0);
    CHECK((flags & (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
          == (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR));
    CHECK(!(flags & IFF_MULTI_QUEUE));
}

static void
test_tap_persists(void)
{
    /* netdev_tap_create() closed its fd: only persistence keeps it. */
    CHECK(netdev_exists(tap_name));
    CHECK(sys_read_long(tap_name, "tun_flags") & IFF_PERSIST);
}

static void
test_tap_duplicate(void)
{
    struct netdev_tap_options opts = {
        .mac = &mac_guest, .owner = (uid_t) -1, .group = (gid_t) -1,
        .mtu = 1300,
    };
    char *error;
    char buf[64];

    error = netdev_tap_create(tap_name, &opts);
    CHECK(error_has(error, "exists"));
    CHECK(error_has(error, tap_name));
    free(error);
    CHECK_STREQ(sys_read(tap_name, "mtu", buf, sizeof buf), "1400");
    CHECK_STREQ(sys_read(tap_name, "address", buf, sizeof buf),
                "52:54:00:aa:bb:01");
    CHECK(sys_read_long(tap_name, "tun_flags") & IFF_PERSIST);

    /* A device of another kind with the name. */
    error = netdev_tap_create("lo", NULL);
    CHECK(error_has(error, "lo exists"));
    free(error);
}

static void
test_tap_defaults(void)
{
    char buf[64];

    CHECK(!netdev_tap_create(tap2_name, NULL));
    CHECK_STREQ(sys_read(tap2_name, "owner", buf, sizeof buf), "-1");
    CHECK_STREQ(sys_read(tap2_name, "mtu", buf, sizeof buf), "1500");
    CHECK(sys_is_up(tap2_name));
    CHECK(!netdev_delete(tap2_name, false));
    CHECK(!netdev_exists(tap2_name));
}

static void
test_tap_bad_mtu(void)
{
    struct netdev_tap_options opts = {
        .owner = (uid_t) -1, .group = (gid_t) -1, .mtu = 100000,
    };
    char *error = netdev_tap_create(tap2_name, &opts);

    CHECK(error_has(error, "MTU"));
    free(error);
    CHECK(!netdev_exists(tap2_name));
}

static void
test_veth_stays_here(void)
{
    struct netdev_veth_options opts = {
        .mac = &mac_guest, .mtu = 1450, .tx_checksum_off = true,
    };
    struct veth v = veth_pair(0);
    char buf[64];

    CHECK(!netdev_veth_create(v.host, v.peer, &opts));
    CHECK(netdev_exists(v.host));
    CHECK(netdev_exists(v.peer));
    CHECK(sys_is_up(v.host));
    CHECK_STREQ(sys_read(v.peer, "address", buf, sizeof buf),
                "52:54:00:aa:bb:02");
    CHECK_STREQ(sys_read(v.host, "mtu", buf, sizeof buf), "1450");
    CHECK_STREQ(sys_read(v.peer, "mtu", buf, sizeof buf), "1450");
    CHECK(sh_out_has("tx-checksumming: off", "ethtool -k %s", v.peer));
    CHECK(!netdev_delete(v.host, false));
    CHECK(!netdev_exists(v.host));
    CHECK(!netdev_exists(v.peer));
}

/* A pair made with an alias has it on both ends under their real names;
 * a pair left under temporary names (a process killed before the mark)
 * is listed with the marked ones, and only names of that exact form
 * count as temporary. */
static void
test_veth_marked_and_temp_names(void)
{
    struct netdev_veth_options opts = { .alias = "gn-test:mark" };
    struct veth v = veth_pair(8);
    char host_tmp[IFNAMSIZ], peer_tmp[IFNAMSIZ], buf[64];
    struct netdev_aliased *links;
    bool saw_host = false, saw_tmp = false, saw_lo = false;
    size_t n;

    CHECK(netdev_is_temp_name("gnvh0123456789a"));
    CHECK(netdev_is_temp_name("gnvp00000000000"));
    CHECK(!netdev_is_temp_name("gnvx0123456789a"));
    CHECK(!netdev_is_temp_name("gnvh0123456789"));
    CHECK(!netdev_is_temp_name("gnvh0123456789A"));
    CHECK(!netdev_is_temp_name("gnvh0123456789ab"));
    CHECK(!netdev_is_temp_name("eth0"));

    CHECK(!netdev_veth_create(v.host, v.peer, &opts));
    CHECK(netdev_get_alias(v.host, buf, sizeof buf));
    CHECK_STREQ(buf, "gn-test:mark");
    CHECK(netdev_get_alias(v.peer, buf, sizeof buf));
    CHECK_STREQ(buf, "gn-test:mark");
    CHECK(sys_is_up(v.host));

    snprintf(host_tmp, sizeof host_tmp, "gnvh%011x", (unsigned) getpid());
    snprintf(peer_tmp, sizeof peer_tmp, "gnvp%011x", (unsigned) getpid());
    CHECK(sh_ok("ip link add %s type veth peer name %s", host_tmp,
                peer_tmp));
    CHECK(!netdev_list_aliased("gn-test:", &links, &n));
    for (size_t i = 0; i < n; i++) {
        saw_host = saw_host || !strcmp(links[i].name, v.host);
        saw_tmp = saw_tmp || (!strcmp(links[i].name, host_tmp)
                              && !strcmp(links[i].alias, ""));
        saw_lo = saw_lo || !strcmp(links[i].name, "lo");
    }
    netdev_aliased_free(links, n);
    CHECK(saw_host);
    CHECK(saw_tmp);
    CHECK(!saw_lo);             /* Neither marked nor a temporary name. */
    CHECK(!netdev_delete(host_tmp, false));
    CHECK(!netdev_exists(peer_tmp));
    CHECK(!netdev_delete(v.host, false));
    CHECK(!netdev_exists(v.peer));
}

/* Checks that netns command prefix 'in' ("ip -n NS" style: a command that
 * runs what follows inside the guest's netns) shows guest device 'ifname'
 * configured as test_veth_by_name() asks. */
static void
check_guest_full(const char *in, const char *ifname)
{
    static const struct {
        const char *cmd;        /* Format for 'in' and then 'ifname'. */
        const char *needle;     /* What its output contains. */
    } checks[] = {
        { "%s ip -o link show dev %s", "52:54:00:aa:bb:02" },
        { "%s ip -o link show dev %s", "mtu 1400" },
        { "%s ip -o link show dev %s", ",UP" },
        { "%s ip -o addr show dev %s", "inet 10.9.0.2/24" },
        { "%s ip -o addr show dev %s", "inet6 fd00:9::2/64" },
        { "%s ip -4 route show default", "default via 10.9.0.1 dev " },
        { "%s ip -6 route show default", "default via fd00:9::1 dev " },
        { "%s ethtool -k %s", "tx-checksumming: off" },
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(checks); i++) {
        TEST_ROW("%s", checks[i].needle);
        CHECK(sh_out_has(checks[i].needle, checks[i].cmd, in, ifname));
    }
    TEST_ROW_END();
}

/* Options for a fully configured guest end. */
static struct netdev_veth_options
full_options(struct netaddr_ip addrs[2], struct netaddr_ip gateways[2])
{
    struct netdev_veth_options opts = {
        .mac = &mac_guest, .mtu = 1400, .tx_checksum_off = true,
        .addrs = addrs, .n_addrs = 2, .gateways = gateways, .n_gateways = 2,
    };

    addrs[0] = ip_make(AF_INET, "10.9.0.2", 24);
    addrs[1] = ip_make(AF_INET6, "fd00:9::2", 64);
    gateways[0] = ip_make(AF_INET, "10.9.0.1", 32);
    gateways[1] = ip_make(AF_INET6, "fd00:9::1", 128);
    return opts;
}

/* Checks that 'v' is created with 'opts', its guest end moved into a
 * netns: the host end is here, the peer is not. */
static void
check_veth_moved(const struct veth *v, const struct netdev_veth_options *opts)
{
    char *error = netdev_veth_create(v->host, v->peer, opts);

    CHECK(!error);
    free(error);
    CHECK(netdev_exists(v->host));
    CHECK(!netdev_exists(v->peer));
}

static void
test_veth_by_name(void)
{
    struct netaddr_ip addrs[2], gateways[2];
    struct netdev_veth_options opts = full_options(addrs, gateways);
    struct veth v = veth_pair(1);
    char *in = gn_xasprintf("ip netns exec %s", ns_a);
    char buf[64];

    opts.netns_name = ns_a;
    check_veth_moved(&v, &opts);
    CHECK(sys_is_up(v.host));
    CHECK_STREQ(sys_read(v.host, "mtu", buf, sizeof buf), "1400");
    check_guest_full(in, "eth0");
    free(in);
}

static void
test_veth_by_pid(void)
{
    struct netaddr_ip addrs[2], gateways[2];
    struct netdev_veth_options opts = full_options(addrs, gateways);
    struct veth v = veth_pair(2);
    char *in = gn_xasprintf("nsenter -t %ld -n", (long) pid_guest);

    CHECK(pid_guest > 0);
    opts.netns_pid = pid_guest;
    opts.guest_ifname = "net0";
    check_veth_moved(&v, &opts);
    check_guest_full(in, "net0");
    free(in);
}

static void
test_veth_by_path(void)
{
    struct netaddr_ip addr = ip_make(AF_INET, "10.9.1.2", 24);
    struct netdev_veth_options opts = {
        .addrs = &addr, .n_addrs = 1, .guest_ifname = "eth1",
    };
    struct veth v = veth_pair(3);
    char *path = gn_xasprintf("/run/netns/%s", ns_a);

    opts.netns_path = path;
    check_veth_moved(&v, &opts);
    CHECK(sh_out_has("inet 10.9.1.2/24", "ip -n %s -o addr show dev eth1",
                     ns_a));
    CHECK(sh_out_has(",UP", "ip -n %s -o link show dev eth1", ns_a));
    free(path);
}

/* Checks that neither 'host' nor 'peer' exists here and no device whose
 * name starts with 'peer' or 'host' exists in 'ns_a'. */
static void
check_nothing_left(const char *host, const char *peer)
{
    CHECK(!netdev_exists(host));
    CHECK(!netdev_exists(peer));
    CHECK(!sh_ok("ip -n %s -o link show dev %s", ns_a, peer));
}

static void
test_veth_missing_netns(void)
{
    struct netdev_veth_options opts = { .netns_name = ns_missing };
    struct veth v = veth_pair(4);
    char *error;

    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, v.host));
    CHECK(error_has(error, ns_missing));
    CHECK(error_has(error, "No such file or directory"));
    free(error);
    check_nothing_left(v.host, v.peer);

    opts.netns_name = NULL;
    opts.netns_pid = 0x7ffffff0;
    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, "/proc/2147483632/ns/net"));
    free(error);
    check_nothing_left(v.host, v.peer);

    opts.netns_pid = 0;
    opts.netns_path = "/etc/hostname";
    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, "not a namespace file"));
    free(error);
    check_nothing_left(v.host, v.peer);
}

static void
test_veth_rollback(void)
{
    struct netaddr_ip addr = ip_make(AF_INET, "10.9.5.2", 24);
    struct netaddr_ip gateway = ip_make(AF_INET, "192.0.2.1", 32);
    struct netdev_veth_options opts = { .netns_name = ns_a };
    struct veth v = veth_pair(5);
    char *error;

    /* The guest name is taken in the netns: renaming fails. */
    opts.guest_ifname = "lo";
    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, "renaming guest end"));
    CHECK(error_has(error, "File exists"));
    CHECK(error_has(error, v.host));
    free(error);
    check_nothing_left(v.host, v.peer);

    /* The gateway is not on the guest's subnet: the route fails. */
    opts.guest_ifname = "eth5";
    opts.addrs = &addr;
    opts.n_addrs = 1;
    opts.gateways = &gateway;
    opts.n_gateways = 1;
    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, "adding default route via 192.0.2.1"));
    CHECK(error_has(error, "Network is unreachable"));
    free(error);
    check_nothing_left(v.host, v.peer);
    CHECK(!sh_ok("ip -n %s -o link show dev eth5", ns_a));

    /* The host end's name is taken: nothing is created. */
    opts = (struct netdev_veth_options) { .netns_name = ns_a };
    error = netdev_veth_create("lo", v.peer, &opts);
    CHECK(error_has(error, "creating pair"));
    free(error);
    check_nothing_left(v.host, v.peer);
}

static void
test_name_too_long(void)
{
    const char *long_name = "abcdefghijklmnop";     /* 16 bytes. */
    struct netdev_veth_options opts = { .netns_name = ns_a };
    struct veth v = veth_pair(6);
    char *error;

    CHECK(strlen(long_name) == 16);
    error = netdev_veth_create(long_name, v.peer, &opts);
    CHECK(error_has(error, long_name));
    free(error);
    check_nothing_left(long_name, v.peer);

    error = netdev_veth_create(v.host, long_name, &opts);
    CHECK(error_has(error, long_name));
    free(error);
    check_nothing_left(v.host, long_name);

    opts.guest_ifname = long_name;
    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, long_name));
    free(error);
    check_nothing_left(v.host, v.peer);

    error = netdev_tap_create(long_name, NULL);
    CHECK(error_has(error, long_name));
    free(error);
    CHECK(!netdev_exists(long_name));
}

static void
test_addresses_need_netns(void)
{
    struct netaddr_ip addr = ip_make(AF_INET, "10.9.6.2", 24);
    struct netdev_veth_options opts = { .addrs = &addr, .n_addrs = 1 };
    struct veth v = veth_pair(7);
    char *error;

    error = netdev_veth_create(v.host, v.peer, &opts);
    CHECK(error_has(error, "need a netns"));
    free(error);
    CHECK(!netdev_exists(v.host));
    CHECK(!netdev_exists(v.peer));
}

static void
test_delete_both_ends(void)
{
    struct veth v = veth_pair(1);       /* test_veth_by_name()'s. */

    CHECK(sh_ok("ip -n %s -o link show dev eth0", ns_a));
    CHECK(!netdev_delete(v.host, false));
    CHECK(!netdev_exists(v.host));
    CHECK(!sh_ok("ip -n %s -o link show dev eth0", ns_a));
    CHECK(!netdev_delete(tap_name, false));
    CHECK(!netdev_exists(tap_name));
}

static void
test_delete_missing(void)
{
    char missing[IFNAMSIZ];
    char *error;

    dev_name(missing, "zz");
    CHECK(!netdev_delete(missing, true));
    error = netdev_delete(missing, false);
    CHECK(error_has(error, missing));
    free(error);
}

static void
test_netns_check(void)
{
    char *error = NULL;
    char *path = gn_xasprintf("/run/netns/%s", ns_a);

    CHECK(netdev_netns_check(0, ns_a, NULL, &error) == 0);
    CHECK(!error);
    CHECK(netdev_netns_check(0, NULL, path, NULL) == 0);
    CHECK(netdev_netns_check(getpid(), NULL, NULL, NULL) == 0);
    CHECK(netdev_netns_check(0, ns_missing, NULL, &error) == ENOENT);
    CHECK(error_has(error, ns_missing));
    free(error);
    CHECK(netdev_netns_check(0, "../etc", NULL, &error) == EINVAL);
    CHECK(error_has(error, "not a valid name"));
    free(error);
    CHECK(netdev_netns_check(0, NULL, NULL, &error) == EINVAL);
    CHECK(error_has(error, "exactly one"));
    free(error);
    free(path);
}

/* Paths that are no network namespace are refused at once, whatever they
 * are: a FIFO without a writer (whose plain open() would wait forever), a
 * symlink to it, a character device, a directory, a regular file, a
 * namespace of another type.  An alarm turns a hang into a failure. */
static void
test_netns_check_refuses_other_files(void)
{
    char dir[] = "/tmp/gn-netns-XXXXXX";
    const char *const cases[][2] = {
        { "fifo", "FIFO" },
        { "link-to-fifo", "FIFO" },
        { "/dev/null", "character device" },
        { "/tmp", "directory" },
        { "file", "another file system" },
        { "/proc/self/ns/uts", "not a network namespace" },
    };
    long long start = gn_time_msec();

    CHECK(mkdtemp(dir) != NULL);
    char *fifo = gn_xasprintf("%s/fifo", dir);
    char *link = gn_xasprintf("%s/link-to-fifo", dir);
    char *file = gn_xasprintf("%s/file", dir);
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(symlink(fifo, link) == 0);
    FILE *f = fopen(file, "w");
    CHECK(f && fclose(f) == 0);

    alarm(10);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *path = (cases[i][0][0] == '/'
                      ? gn_xstrdup(cases[i][0])
                      : gn_xasprintf("%s/%s", dir, cases[i][0]));
        char *error = NULL;

        CHECK(netdev_netns_check(0, NULL, path, &error) == EINVAL);
        if (!error_has(error, cases[i][1])) {
            fprintf(stderr, "  %s: %s\n", path, error ? error : "(none)");
        }
        CHECK(error_has(error, cases[i][1]));
        free(error);
        free(path);
    }
    alarm(0);
    CHECK(gn_time_msec() - start < 1000);

    unlink(link);
    unlink(fifo);
    unlink(file);
    rmdir(dir);
    free(fifo);
    free(link);
    free(file);
}

static void
test_tx_checksum_off(void)
{
    struct veth v = veth_pair(8);
    char *error;

    CHECK(!netdev_veth_create(v.host, v.peer, NULL));
    CHECK(sh_out_has("tx-checksumming: on", "ethtool -k %s", v.host));
    CHECK(!netdev_set_tx_checksum_off(v.host));
    CHECK(sh_out_has("tx-checksumming: off", "ethtool -k %s", v.host));
    CHECK(!netdev_delete(v.host, false));
    error = netdev_set_tx_checksum_off(v.host);
    CHECK(error_has(error, v.host));
    free(error);
}

/* Kills the guest process and deletes the scratch namespaces. */
static void
cleanup(void)
{
    if (pid_guest > 0) {
        kill(pid_guest, SIGKILL);
        waitpid(pid_guest, NULL, 0);
        pid_guest = 0;
    }
    if (ns_a[0]) {
        sh_ok("ip netns delete %s", ns_a);
        ns_a[0] = '\0';
    }
}

/* Starts a process alone in a new, unnamed netns (killed if this process
 * dies) and stores its pid in 'pid_guest' once it is there.  Returns true
 * if successful. */
static bool
start_guest_process(void)
{
    int fds[2];
    char c;
    pid_t pid;

    if (pipe(fds)) {
        return false;
    }
    pid = fork();
    if (pid < 0) {
        return false;
    } else if (!pid) {
        close(fds[0]);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) || unshare(CLONE_NEWNET)) {
            _exit(1);
        }
        if (write(fds[1], "x", 1) != 1) {
            _exit(1);
        }
        close(fds[1]);
        for (;;) {
            pause();
        }
    }
    close(fds[1]);
    pid_guest = pid;
    if (read(fds[0], &c, 1) != 1) {
        close(fds[0]);
        return false;
    }
    close(fds[0]);
    return true;
}

/* Moves this process into a new network and mount namespace with its own
 * /sys, so devices it creates stay out of the host's namespace.  Returns
 * true if successful. */
static bool
enter_private_namespaces(void)
{
    if (unshare(CLONE_NEWNET | CLONE_NEWNS)) {
        perror("unshare");
        return false;
    }
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL)
        || umount2("/sys", MNT_DETACH)
        || mount("sysfs", "/sys", "sysfs", 0, NULL)) {
        perror("remounting /sys");
        return false;
    }
    return true;
}

/* On SIGTERM (a test timeout) or SIGINT, exits through the atexit()
 * cleanup, so the scratch namespaces go too.  exit() is not
 * async-signal-safe; for a test that is being killed anyway, removing
 * its namespaces is worth the risk. */
static void
on_signal(int signo)
{
    exit(128 + signo);
}

/* Reports a missing requirement: a skip, or a failure under CI=true. */
static int
missing(const char *why)
{
    const char *ci = getenv("CI");

    if (ci && !strcmp(ci, "true")) {
        printf("FAIL: netdev/requirements: %s (required under CI=true)\n",
               why);
        return 1;
    }
    printf("SKIP: netdev/requirements: %s\n", why);
    return 0;
}

int
main(int argc, char *argv[])
{
    unsigned long id = (unsigned long) getpid();
    int status;

    gn_set_program_name(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (geteuid()) {
        return missing("needs root");
    }
    if (!sh_ok("command -v ip && command -v ethtool && command -v nsenter")) {
        return missing("needs ip, ethtool, nsenter "
                       "(apt-get install iproute2 ethtool util-linux)");
    }
    if (!enter_private_namespaces()) {
        printf("FAIL: netdev/setup: cannot enter private namespaces\n");
        return 1;
    }

    snprintf(prefix, sizeof prefix, "gt%lu", id % 100000);
    snprintf(tap_name, sizeof tap_name, "%st0", prefix);
    snprintf(tap2_name, sizeof tap2_name, "%st1", prefix);
    snprintf(ns_a, sizeof ns_a, "gn-netdev-%lu-a", id);
    snprintf(ns_missing, sizeof ns_missing, "gn-netdev-%lu-missing", id);
    atexit(cleanup);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    if (!sh_ok("ip netns add %s", ns_a) || !start_guest_process()) {
        printf("FAIL: netdev/setup: cannot create scratch namespaces\n");
        return 1;
    }

    TEST_RUN("netdev/tap-create-with-mac-mtu-owner", test_tap_create);
    TEST_RUN("netdev/tap-persists-after-fd-closed", test_tap_persists);
    TEST_RUN("netdev/tap-duplicate-fails-and-changes-nothing",
             test_tap_duplicate);
    TEST_RUN("netdev/tap-defaults-without-options", test_tap_defaults);
    TEST_RUN("netdev/tap-bad-mtu-leaves-nothing", test_tap_bad_mtu);
    TEST_RUN("netdev/veth-guest-end-stays-here", test_veth_stays_here);
    TEST_RUN("netdev/veth-marked-before-named-temp-names-listed",
             test_veth_marked_and_temp_names);
    TEST_RUN("netdev/veth-into-netns-by-name", test_veth_by_name);
    TEST_RUN("netdev/veth-into-netns-by-pid", test_veth_by_pid);
    TEST_RUN("netdev/veth-into-netns-by-path", test_veth_by_path);
    TEST_RUN("netdev/veth-missing-netns-creates-nothing",
             test_veth_missing_netns);
    TEST_RUN("netdev/veth-failed-step-deletes-pair", test_veth_rollback);
    TEST_RUN("netdev/name-of-16-bytes-rejected", test_name_too_long);
    TEST_RUN("netdev/veth-addresses-need-netns", test_addresses_need_netns);
    TEST_RUN("netdev/delete-removes-both-ends", test_delete_both_ends);
    TEST_RUN("netdev/delete-missing", test_delete_missing);
    TEST_RUN("netdev/netns-check", test_netns_check);
    TEST_RUN("netdev/netns-check-refuses-other-files",
             test_netns_check_refuses_other_files);
    TEST_RUN("netdev/tx-checksum-off", test_tx_checksum_off);

    status = test_done();
    cleanup();
    return status;
}
