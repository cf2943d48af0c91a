/* netaddr.c: parsing and checking of the addresses and names users give
 * guestnet (see include/netaddr.h).  This module owns the syntax rules for
 * MACs, IPv4/IPv6 addresses and prefixes, VLAN ids and interface names, and
 * the wording of their error messages.  Pure functions on strings, no state;
 * netaddr_random_mac() reads the kernel's random pool. */
#include <config.h>

#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "gn-util.h"

/* Longest piece of user input quoted in an error message; longer input is
 * cut with "..." so that a hostile string cannot bloat a log line. */
#define NETADDR_QUOTE_MAX 64

#define NETADDR_MAC_EXAMPLE "52:54:00:12:34:56"

/* Returns 's' in double quotes for an error message (a new string, caller
 * frees): '"', '\' and bytes outside printable ASCII are escaped C-style,
 * and input longer than NETADDR_QUOTE_MAX bytes is cut with "...". */
static char *
netaddr_quote__(const char *s)
{
    /* Each input byte needs at most 4 output bytes ("\xNN"). */
    char *q = gn_xmalloc(4 * NETADDR_QUOTE_MAX + sizeof "\"\"...");
    char *p = q;
    size_t i;

    *p++ = '"';
    for (i = 0; s[i] && i < NETADDR_QUOTE_MAX; i++) {
        unsigned char c = s[i];

        if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = c;
        } else if (c < 0x20 || c >= 0x7f) {
            p += sprintf(p, "\\x%02x", c);
        } else {
            *p++ = c;
        }
    }
    *p++ = '"';
    if (s[i]) {
        strcpy(p, "...");
    } else {
        *p = '\0';
    }
    return q;
}

/* Returns a new error message (caller frees): 'before', then 's' quoted by
 * netaddr_quote__(), then 'fmt' formatted with the remaining arguments. */
static char * GN_PRINTF(3, 4)
netaddr_error__(const char *before, const char *s, const char *fmt, ...)
{
    char *quoted = netaddr_quote__(s);
    char *after, *error;
    va_list args;

    va_start(args, fmt);
    after = gn_xvasprintf(fmt, args);
    va_end(args);
    error = gn_xasprintf("%s%s%s", before, quoted, after);
    free(quoted);
    free(after);
    return error;
}

/* Returns the value of hex digit 'c', or -1 if 'c' is not one. */
static int
netaddr_hexit__(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    } else if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Parses 's', which must be exactly six pairs of hex digits separated by
 * ':' (either case), into '*mac'.  With 'unicast', also rejects multicast
 * (and so broadcast) and all-zero MACs, which a guest cannot own.  Returns
 * NULL on success, otherwise a new error message (caller frees) and leaves
 * '*mac' unspecified. */
char *
netaddr_parse_mac(const char *s, bool unicast, struct netaddr_mac *mac)
{
    size_t i;

    if (strlen(s) != 17) {
        goto bad;
    }
    for (i = 0; i < 6; i++) {
        int hi = netaddr_hexit__(s[3 * i]);
        int lo = netaddr_hexit__(s[3 * i + 1]);

        if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':')) {
            goto bad;
        }
        mac->b[i] = hi << 4 | lo;
    }

    if (unicast) {
        static const struct netaddr_mac zero;

        if (mac->b[0] & 1) {
            return netaddr_error__("", s, " is a multicast MAC address (a "
                                   "guest needs a unicast one)");
        }
        if (!memcmp(mac, &zero, sizeof zero)) {
            return netaddr_error__("", s, " is the all-zero MAC address (a "
                                   "guest needs a unicast one)");
        }
    }
    return NULL;

bad:
    return netaddr_error__("", s, " is not a MAC address (expected six hex "
                           "pairs like " NETADDR_MAC_EXAMPLE ")");
}

/* Writes 'mac' as "xx:xx:xx:xx:xx:xx" (lower case) into 's'. */
void
netaddr_format_mac(const struct netaddr_mac *mac, char s[18])
{
    snprintf(s, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac->b[0], mac->b[1], mac->b[2],
             mac->b[3], mac->b[4], mac->b[5]);
}

/* Stores in '*mac' a random MAC with QEMU's 52:54:00 prefix (a locally
 * administered unicast address).  The three random bytes come from
 * getrandom(), the kernel's /dev/urandom pool; failure to read it is
 * fatal. */
void
netaddr_random_mac(struct netaddr_mac *mac)
{
    ssize_t n;

    mac->b[0] = 0x52;
    mac->b[1] = 0x54;
    mac->b[2] = 0x00;
    do {
        n = getrandom(&mac->b[3], 3, 0);
    } while (n < 0 && errno == EINTR);
    if (n != 3) {
        gn_fatal("getrandom: %s", n < 0 ? strerror(errno) : "short read");
    }
}

/* Returns the number of address bytes of 'family' (4 or 16). */
static size_t
netaddr_len__(int family)
{
    return family == AF_INET ? 4 : 16;
}

/* Returns a pointer to the address bytes of 'ip', in network order. */
static const uint8_t *
netaddr_bytes__(const struct netaddr_ip *ip)
{
    return ip->family == AF_INET
           ? (const uint8_t *) &ip->addr.v4
           : (const uint8_t *) &ip->addr.v6;
}

/* Copies the first 'len' bytes of 'in' to 'out' with all but the first
 * 'plen' bits cleared. */
static void
netaddr_mask__(const uint8_t *in, size_t len, unsigned int plen,
               uint8_t *out)
{
    size_t i;

    for (i = 0; i < len; i++) {
        if (plen >= 8 * (i + 1)) {
            out[i] = in[i];
        } else if (plen > 8 * i) {
            out[i] = in[i] & (0xff << (8 - (plen - 8 * i)));
        } else {
            out[i] = 0;
        }
    }
}

/* Parses the prefix length 'p' (the text after '/' in 'whole') for an
 * address of at most 'max' bits into '*plen'.  Accepts only plain decimal
 * without leading zeros.  Returns NULL or a new error message. */
static char *
netaddr_parse_plen__(const char *whole, const char *p, unsigned int max,
                     unsigned int *plen)
{
    unsigned long value = 0;
    size_t i;

    for (i = 0; p[i] >= '0' && p[i] <= '9' && i < 4; i++) {
        value = value * 10 + (p[i] - '0');
    }
    if (!i || p[i] || (p[0] == '0' && p[1])) {
        return netaddr_error__("", whole, " has a bad prefix length "
                               "(expected a number 0-%u after '/')", max);
    }
    if (value > max) {
        return netaddr_error__("", whole, " has a bad prefix length (%lu is "
                               "more than %u, the most for IPv%d)",
                               value, max, max == 32 ? 4 : 6);
    }
    *plen = value;
    return NULL;
}

/* Parses 's', an IPv4 or IPv6 address with an optional "/prefix", into
 * '*ip'.  'want_plen' says whether the prefix is forbidden (0), optional (1)
 * or required (2); without one, ip->plen is 32 or 128.  Host bits under the
 * prefix are kept (see netaddr_parse_subnet() to reject them).  Returns
 * NULL on success, otherwise a new error message (caller frees) and leaves
 * '*ip' unspecified. */
char *
netaddr_parse_ip(const char *s, int want_plen, struct netaddr_ip *ip)
{
    char buf[INET6_ADDRSTRLEN];
    const char *slash = strchr(s, '/');
    size_t addr_len = slash ? (size_t) (slash - s) : strlen(s);

    if (slash && want_plen == 0) {
        return netaddr_error__("", s, " is not a plain IP address (no "
                               "/prefix allowed here)");
    }
    if (!slash && want_plen == 2) {
        return netaddr_error__("", s, " has no prefix length (expected "
                               "address/prefix like 10.0.0.0/24 or "
                               "2001:db8::/64)");
    }

    memset(ip, 0, sizeof *ip);
    if (addr_len < sizeof buf) {
        memcpy(buf, s, addr_len);
        buf[addr_len] = '\0';
        if (inet_pton(AF_INET, buf, &ip->addr.v4) == 1) {
            ip->family = AF_INET;
        } else if (inet_pton(AF_INET6, buf, &ip->addr.v6) == 1) {
            ip->family = AF_INET6;
        }
    }
    if (!ip->family) {
        return netaddr_error__("", s, " is not an IPv4 or IPv6 address");
    }

    ip->plen = 8 * netaddr_len__(ip->family);
    return slash ? netaddr_parse_plen__(s, slash + 1, ip->plen, &ip->plen)
                 : NULL;
}

/* Parses 's', a subnet such as "10.0.0.0/24" or "2001:db8::/64": the prefix
 * is required and no bits after it may be set.  Returns NULL on success
 * with the subnet in '*ip', otherwise a new error message (caller frees);
 * for host bits it names the network address meant. */
char *
netaddr_parse_subnet(const char *s, struct netaddr_ip *ip)
{
    char *error = netaddr_parse_ip(s, 2, ip);
    size_t len;
    uint8_t masked[16];

    if (error) {
        return error;
    }

    len = netaddr_len__(ip->family);
    netaddr_mask__(netaddr_bytes__(ip), len, ip->plen, masked);
    if (memcmp(masked, netaddr_bytes__(ip), len)) {
        char addr[INET6_ADDRSTRLEN];

        inet_ntop(ip->family, masked, addr, sizeof addr);
        return netaddr_error__("", s, " has host bits set (did you mean "
                               "%s/%u?)", addr, ip->plen);
    }
    return NULL;
}

/* Writes the address of 'ip', without its prefix length, into 's', which
 * has 'size' bytes (INET6_ADDRSTRLEN is always enough). */
void
netaddr_format_ip(const struct netaddr_ip *ip, char *s, size_t size)
{
    if (!inet_ntop(ip->family, netaddr_bytes__(ip), s, size) && size) {
        s[0] = '\0';
    }
}

/* Returns true if the address of 'ip' lies inside 'subnet': same family,
 * equal in the first subnet->plen bits, and 'ip' itself no wider a prefix
 * than 'subnet'. */
bool
netaddr_ip_in_subnet(const struct netaddr_ip *ip,
                     const struct netaddr_ip *subnet)
{
    uint8_t a[16], b[16];
    size_t len;

    if (ip->family != subnet->family || ip->plen < subnet->plen) {
        return false;
    }
    len = netaddr_len__(ip->family);
    netaddr_mask__(netaddr_bytes__(ip), len, subnet->plen, a);
    netaddr_mask__(netaddr_bytes__(subnet), len, subnet->plen, b);
    return !memcmp(a, b, len);
}

bool
netaddr_ip_same_addr(const struct netaddr_ip *a, const struct netaddr_ip *b)
{
    return (a->family == b->family
            && !memcmp(netaddr_bytes__(a), netaddr_bytes__(b),
                       netaddr_len__(a->family)));
}

bool
netaddr_subnets_overlap(const struct netaddr_ip *a, const struct netaddr_ip *b)
{
    const struct netaddr_ip *wide = a->plen <= b->plen ? a : b;
    const struct netaddr_ip *narrow = wide == a ? b : a;

    return netaddr_ip_in_subnet(narrow, wide);
}

const char *
netaddr_reserved_in_subnet(const struct netaddr_ip *ip,
                           const struct netaddr_ip *subnet)
{
    size_t len = netaddr_len__(ip->family);
    const uint8_t *bytes = netaddr_bytes__(ip);
    unsigned int max = ip->family == AF_INET ? 30 : 126;
    bool zeros = true, ones = true;

    if (!netaddr_ip_in_subnet(ip, subnet) || subnet->plen > max) {
        return NULL;
    }
    for (unsigned int bit = subnet->plen; bit < 8 * len; bit++) {
        bool set = bytes[bit / 8] & (0x80 >> (bit % 8));

        zeros &= !set;
        ones &= set;
    }
    if (zeros) {
        return ip->family == AF_INET ? "the network address"
                                     : "the subnet-router anycast address";
    }
    return ones && ip->family == AF_INET ? "the broadcast address" : NULL;
}

void
netaddr_eui64(const struct netaddr_ip *subnet, const struct netaddr_mac *mac,
              struct netaddr_ip *ip)
{
    uint8_t *a;

    *ip = *subnet;
    a = ip->addr.v6.s6_addr;
    a[8] = mac->b[0] ^ 0x02;
    a[9] = mac->b[1];
    a[10] = mac->b[2];
    a[11] = 0xff;
    a[12] = 0xfe;
    a[13] = mac->b[3];
    a[14] = mac->b[4];
    a[15] = mac->b[5];
}

/* Checks that 'vlan' is a usable VLAN id, 1-4094.  Returns NULL or a new
 * error message (caller frees) that says why 0 and 4095 are not. */
char *
netaddr_check_vlan(long long vlan)
{
    if (vlan == 0) {
        return gn_xasprintf("0 is not a VLAN id (%d-%d; 0 is reserved for "
                            "priority-tagged frames)",
                            NETADDR_VLAN_MIN, NETADDR_VLAN_MAX);
    } else if (vlan == 4095) {
        return gn_xasprintf("4095 is not a VLAN id (%d-%d; 4095 is "
                            "reserved)", NETADDR_VLAN_MIN, NETADDR_VLAN_MAX);
    } else if (vlan < NETADDR_VLAN_MIN || vlan > NETADDR_VLAN_MAX) {
        return gn_xasprintf("%lld is not a VLAN id (%d-%d)",
                            vlan, NETADDR_VLAN_MIN, NETADDR_VLAN_MAX);
    }
    return NULL;
}

/* Checks that 's' can name a Linux network interface: 1 to
 * NETADDR_IFNAME_MAX bytes, no '/', ':', whitespace or control characters,
 * and not "." or "..".  Returns NULL or a new error message (caller
 * frees). */
char *
netaddr_check_ifname(const char *s)
{
    size_t len = strlen(s);
    size_t i;

    if (!len) {
        return gn_xasprintf("interface name is empty (names are 1 to %d "
                            "bytes)", NETADDR_IFNAME_MAX);
    }
    if (len > NETADDR_IFNAME_MAX) {
        return netaddr_error__("interface name ", s, " is %zu bytes long "
                               "(names are at most %d bytes)",
                               len, NETADDR_IFNAME_MAX);
    }
    if (!strcmp(s, ".") || !strcmp(s, "..")) {
        return netaddr_error__("interface name ", s, " is reserved");
    }
    for (i = 0; i < len; i++) {
        unsigned char c = s[i];

        if (c == '/' || c == ':') {
            return netaddr_error__("interface name ", s, " contains '%c'",
                                   c);
        } else if (c == ' ' || (c >= '\t' && c <= '\r')) {
            return netaddr_error__("interface name ", s, " contains "
                                   "whitespace");
        } else if (c < 0x20 || c == 0x7f) {
            return netaddr_error__("interface name ", s, " contains a "
                                   "control character");
        }
    }
    return NULL;
}
