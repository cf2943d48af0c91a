/* test-netaddr.c: unit tests of netaddr (MACs, IP addresses and subnets,
 * VLAN ids, interface names): valid input parses to the right value,
 * invalid input gives a message that quotes it and says what is wrong. */
#include <config.h>

#include "netaddr.h"

#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "test-util.h"

/* A parser under test: 'arg' is its second parameter, if it has one. */
typedef char *parse_func(const char *, int arg);

static char *
parse_mac(const char *s, int unicast)
{
    struct netaddr_mac mac;

    return netaddr_parse_mac(s, unicast, &mac);
}

static char *
parse_ip(const char *s, int want_plen)
{
    struct netaddr_ip ip;

    return netaddr_parse_ip(s, want_plen, &ip);
}

static char *
parse_subnet(const char *s, int arg)
{
    struct netaddr_ip ip;

    return netaddr_parse_subnet(s, &ip);
}

static char *
check_ifname(const char *s, int arg)
{
    return netaddr_check_ifname(s);
}

/* Input that 'parse' must reject with a message that contains 'want1'
 * (NULL: the input in double quotes) and 'want2'. */
struct rejection {
    const char *input;
    const char *want1;
    const char *want2;
};

static void
check_rejections(parse_func *parse, int arg, const struct rejection *r,
                 size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char quoted[80];

        TEST_ROW("\"%s\"", r[i].input);
        snprintf(quoted, sizeof quoted, "\"%s\"", r[i].input);
        CHECK_ERROR(parse(r[i].input, arg), r[i].want1 ? r[i].want1 : quoted,
                    r[i].want2);
    }
    TEST_ROW_END();
}

/* Checks that 'parse' rejects each of the 'n' inputs 'bad' with a message
 * that quotes it and says 'why'. */
static void
check_rejects_all(parse_func *parse, int arg, const char *const *bad,
                  size_t n, const char *why)
{
    for (size_t i = 0; i < n; i++) {
        const struct rejection r = { bad[i], NULL, why };

        check_rejections(parse, arg, &r, 1);
    }
}

/* Checks that 'parse' accepts each of the 'n' inputs 'good'. */
static void
check_accepts_all(parse_func *parse, int arg, const char *const *good,
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        TEST_ROW("\"%s\"", good[i]);
        CHECK_OK(parse(good[i], arg));
    }
    TEST_ROW_END();
}

/* Returns 's' parsed by netaddr_parse_ip() with 'want_plen', formatted back
 * as "ADDR/PLEN" in a static buffer, or "error" if it does not parse. */
static const char *
ip_roundtrip(const char *s, int want_plen)
{
    static char buf[INET6_ADDRSTRLEN + 8];
    char addr[INET6_ADDRSTRLEN];
    struct netaddr_ip ip;
    char *error = netaddr_parse_ip(s, want_plen, &ip);

    if (error) {
        free(error);
        return "error";
    }
    netaddr_format_ip(&ip, addr, sizeof addr);
    snprintf(buf, sizeof buf, "%s/%u", addr, ip.plen);
    return buf;
}

/* How netaddr_parse_ip() with 'want_plen' reads addresses ("ADDR/PLEN",
 * see ip_roundtrip()). */
static const struct {
    const char *input;
    int want_plen;
    const char *want;
} ip_roundtrips[] = {
    /* No prefix. */
    { "10.0.0.5", 0, "10.0.0.5/32" },
    { "0.0.0.0", 0, "0.0.0.0/32" },
    { "255.255.255.255", 0, "255.255.255.255/32" },
    { "2001:DB8:0:0::5", 0, "2001:db8::5/128" },
    { "::", 0, "::/128" },
    { "::1", 0, "::1/128" },
    { "::ffff:10.0.0.1", 0, "::ffff:10.0.0.1/128" },
    { "fe80::1", 0, "fe80::1/128" },

    /* Optional: with or without; host bits are kept. */
    { "10.0.0.5/24", 1, "10.0.0.5/24" },
    { "10.0.0.5", 1, "10.0.0.5/32" },
    { "2001:db8::5/64", 1, "2001:db8::5/64" },
    { "2001:db8::5", 1, "2001:db8::5/128" },

    /* Required. */
    { "10.0.0.5/24", 2, "10.0.0.5/24" },
    { "0.0.0.0/0", 2, "0.0.0.0/0" },
    { "::/0", 2, "::/0" },
    { "10.0.0.5/32", 2, "10.0.0.5/32" },
    { "::1/128", 2, "::1/128" },
};

/* Checks the rows of ip_roundtrips[] for 'want_plen'. */
static void
check_roundtrips(int want_plen)
{
    for (size_t i = 0; i < GN_ARRAY_SIZE(ip_roundtrips); i++) {
        const char *input = ip_roundtrips[i].input;

        if (ip_roundtrips[i].want_plen == want_plen) {
            TEST_ROW("\"%s\", %d", input, want_plen);
            CHECK_STREQ(ip_roundtrip(input, want_plen),
                        ip_roundtrips[i].want);
        }
    }
    TEST_ROW_END();
}

/* Returns true if address 'a' lies in subnet 's'; both must parse. */
static bool
in_subnet(const char *a, const char *s)
{
    struct netaddr_ip ip, subnet;
    char *e1 = netaddr_parse_ip(a, 1, &ip);
    char *e2 = netaddr_parse_subnet(s, &subnet);
    bool ok = !e1 && !e2;

    CHECK(ok);
    free(e1);
    free(e2);
    return ok && netaddr_ip_in_subnet(&ip, &subnet);
}

static void
test_mac_parses_lower_and_upper_case(void)
{
    static const uint8_t want[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
    struct netaddr_mac mac;
    char s[18];

    CHECK_OK(netaddr_parse_mac("52:54:00:ab:cd:ef", true, &mac));
    CHECK(!memcmp(mac.b, want, 6));
    CHECK_OK(netaddr_parse_mac("52:54:00:AB:Cd:eF", true, &mac));
    CHECK(!memcmp(mac.b, want, 6));
    netaddr_format_mac(&mac, s);
    CHECK_STREQ(s, "52:54:00:ab:cd:ef");
}

static void
test_mac_rejects_malformed(void)
{
    static const char *const bad[] = {
        "52:54:00:00:00",           /* Five pairs. */
        "52:54:00:00:00:01:02",     /* Seven pairs. */
        "52-54-00-00-00-01",        /* Wrong separator. */
        "zz:54:00:00:00:01",        /* Not hex. */
        "52:54:00:zz:00:01",
        "52:54:0:00:00:001",        /* Pairs of wrong width. */
        "52:54:00:00:00:1",
        "52:54:00:00:00:01:",
        " 52:54:00:00:00:01",
        "52:54:00:00:00:01 ",
        "5254.0000.0001",
        "525400000001",
        "",
    };

    check_rejects_all(parse_mac, false, bad, GN_ARRAY_SIZE(bad),
                      "is not a MAC address");
}

static void
test_mac_unicast_rejects_multicast_and_zero(void)
{
    static const struct rejection bad[] = {
        { "01:00:5e:00:00:01", "01:00:5e:00:00:01", "multicast" },
        { "33:33:00:00:00:01", "33:33:00:00:00:01", "multicast" },
        { "ff:ff:ff:ff:ff:ff", "ff:ff:ff:ff:ff:ff", "multicast" },
        { "00:00:00:00:00:00", "00:00:00:00:00:00", "all-zero" },
    };
    struct netaddr_mac mac;

    check_rejections(parse_mac, true, bad, GN_ARRAY_SIZE(bad));

    /* Without 'unicast' the same MACs are fine. */
    CHECK_OK(netaddr_parse_mac("01:00:5e:00:00:01", false, &mac));
    CHECK(mac.b[0] == 0x01 && mac.b[5] == 0x01);
    CHECK_OK(netaddr_parse_mac("00:00:00:00:00:00", false, &mac));
    CHECK_OK(netaddr_parse_mac("00:00:00:00:00:01", true, &mac));
}

static void
test_mac_random_has_qemu_prefix_and_varies(void)
{
    struct netaddr_mac first, mac;
    bool varied = false;
    int i;

    netaddr_random_mac(&first);
    for (i = 0; i < 100; i++) {
        char s[18];

        netaddr_random_mac(&mac);
        CHECK(mac.b[0] == 0x52 && mac.b[1] == 0x54 && mac.b[2] == 0x00);
        netaddr_format_mac(&mac, s);
        CHECK(!strncmp(s, "52:54:00:", 9));
        CHECK_OK(netaddr_parse_mac(s, true, &mac));
        if (memcmp(&mac, &first, sizeof mac)) {
            varied = true;
        }
    }
    CHECK(varied);
}

static void
test_errors_escape_and_cut_hostile_input(void)
{
    struct netaddr_mac mac;
    char *error, *big;

    CHECK_ERROR(netaddr_parse_mac("52:54\n\"x", false, &mac),
                "\"52:54\\x0a\\\"x\"", "is not a MAC address");

    big = malloc(10001);
    memset(big, 'a', 10000);
    big[10000] = '\0';
    error = netaddr_parse_mac(big, false, &mac);
    CHECK(error && strlen(error) < 200);
    CHECK(error && strstr(error, "aaaa\"... is not a MAC address"));
    free(error);
    error = netaddr_check_ifname(big);
    CHECK(error && strlen(error) < 200);
    CHECK(error && strstr(error, "10000 bytes"));
    free(error);
    free(big);
}

static void
test_ip_parses_v4_and_v6(void)
{
    struct netaddr_ip ip;

    CHECK_OK(netaddr_parse_ip("10.0.0.5", 0, &ip));
    CHECK(ip.family == AF_INET && ip.plen == 32);
    CHECK(ip.addr.v4.s_addr == htonl(0x0a000005));
    CHECK_OK(netaddr_parse_ip("2001:db8::5", 0, &ip));
    CHECK(ip.family == AF_INET6 && ip.plen == 128);
    CHECK(ip.addr.v6.s6_addr[0] == 0x20 && ip.addr.v6.s6_addr[15] == 5);
    check_roundtrips(0);
}

static void
test_ip_prefix_per_want_plen(void)
{
    check_roundtrips(1);
    check_roundtrips(2);
}

static void
test_ip_prefix_rules_give_messages(void)
{
    static const struct rejection no_prefix[] = {
        { "10.0.0.5/24", NULL, "no /prefix allowed" },
        { "2001:db8::5/64", NULL, "no /prefix allowed" },
    };
    static const struct rejection need_prefix[] = {
        { "10.0.0.5", NULL, "has no prefix length" },
        { "2001:db8::", NULL, "has no prefix length" },
    };
    static const struct rejection bad_prefix[] = {
        { "10.0.0.0/33", NULL, "33 is more than 32, the most for IPv4" },
        { "2001:db8::/129", NULL, "129 is more than 128" },
        { "2001:db8::/1000", NULL, "bad prefix length" },
    };

    check_rejections(parse_ip, 0, no_prefix, GN_ARRAY_SIZE(no_prefix));
    check_rejections(parse_ip, 2, need_prefix, GN_ARRAY_SIZE(need_prefix));
    check_rejections(parse_ip, 1, bad_prefix, GN_ARRAY_SIZE(bad_prefix));
}

static void
test_ip_rejects_bad_prefix_syntax(void)
{
    static const char *const bad[] = {
        "10.0.0.0/", "10.0.0.0/abc", "10.0.0.0/-1", "10.0.0.0/+8",
        "10.0.0.0/08", "10.0.0.0/ 8", "10.0.0.0/8 ", "10.0.0.0/8/8",
        "10.0.0.0/0x8", "10.0.0.0/99999999999999999999", "::/064",
    };

    check_rejects_all(parse_ip, 1, bad, GN_ARRAY_SIZE(bad),
                      "bad prefix length");
}

static void
test_ip_rejects_malformed(void)
{
    static const char *const bad[] = {
        "", "10.0.0", "10.0.0.256", "10.0.0.5.6", "010.0.0.1", "10.0.0.-1",
        " 10.0.0.5", "10.0.0.5 ", "0x0a.0.0.1", "localhost",
        "2001:db8:::1", "2001:db8::g", "1:2:3:4:5:6:7:8:9", "fe80::1%eth0",
        "::ffff:10.0.0.256",
        "1234567890123456789012345678901234567890123456789012345678901234",
        "/24",
    };
    struct netaddr_ip ip;

    check_rejects_all(parse_ip, 1, bad, GN_ARRAY_SIZE(bad),
                      "is not an IPv4 or IPv6 address");
    /* The address part is checked under a required prefix too. */
    CHECK_ERROR(netaddr_parse_subnet("10.0.0/24", &ip),
                "\"10.0.0/24\"", "is not an IPv4 or IPv6 address");
}

static void
test_subnet_accepts_network_addresses(void)
{
    static const char *const good[] = {
        "10.0.0.0/24", "10.0.0.128/25", "10.0.0.5/32", "0.0.0.0/0",
        "192.168.0.0/16", "10.0.0.0/8", "2001:db8:10::/64", "::/0",
        "2001:db8::1/128", "fe80::/10", "2001:db8:8000::/33",
    };

    check_accepts_all(parse_subnet, 0, good, GN_ARRAY_SIZE(good));
}

static void
test_subnet_host_bits_suggest_network(void)
{
    static const struct rejection bad[] = {
        { "10.0.0.5/24", "\"10.0.0.5/24\" has host bits set",
          "(did you mean 10.0.0.0/24?)" },
        { "10.0.0.129/25", "10.0.0.129/25", "did you mean 10.0.0.128/25?" },
        { "10.1.2.3/12", "10.1.2.3/12", "did you mean 10.0.0.0/12?" },
        { "0.0.0.1/0", "0.0.0.1/0", "did you mean 0.0.0.0/0?" },
        { "2001:db8::1/64", "2001:db8::1/64", "did you mean 2001:db8::/64?" },
        { "2001:db8:ffff::/33", "2001:db8:ffff::/33",
          "did you mean 2001:db8:8000::/33?" },
        { "10.0.0.0", NULL, "has no prefix length" },
    };

    check_rejections(parse_subnet, 0, bad, GN_ARRAY_SIZE(bad));
}

/* What netaddr_reserved_in_subnet() says of address 'a' in subnet 's'
 * (NULL: a host's), as a string for CHECK_STREQ ("-" for NULL). */
static const char *
reserved(const char *a, const char *s)
{
    struct netaddr_ip ip, subnet;
    char *e1 = netaddr_parse_ip(a, 0, &ip);
    char *e2 = netaddr_parse_subnet(s, &subnet);
    const char *what;

    CHECK(!e1 && !e2);
    free(e1);
    free(e2);
    what = netaddr_reserved_in_subnet(&ip, &subnet);
    return what ? what : "-";
}

/* True if subnets 'a' and 'b' overlap, checked both ways round. */
static bool
overlap(const char *a, const char *b)
{
    struct netaddr_ip x, y;
    char *e1 = netaddr_parse_subnet(a, &x);
    char *e2 = netaddr_parse_subnet(b, &y);
    bool result;

    CHECK(!e1 && !e2);
    free(e1);
    free(e2);
    result = netaddr_subnets_overlap(&x, &y);
    CHECK(result == netaddr_subnets_overlap(&y, &x));
    return result;
}

static void
test_reserved_in_subnet(void)
{
    CHECK_STREQ(reserved("10.0.0.0", "10.0.0.0/24"), "the network address");
    CHECK_STREQ(reserved("10.0.0.255", "10.0.0.0/24"),
                "the broadcast address");
    CHECK_STREQ(reserved("10.0.0.1", "10.0.0.0/24"), "-");
    CHECK_STREQ(reserved("10.0.0.254", "10.0.0.0/24"), "-");
    CHECK_STREQ(reserved("10.0.0.127", "10.0.0.0/25"),
                "the broadcast address");
    CHECK_STREQ(reserved("10.0.0.128", "10.0.0.0/24"), "-");
    CHECK_STREQ(reserved("10.0.0.3", "10.0.0.0/30"),
                "the broadcast address");
    /* RFC 3021: both addresses of a /31 are hosts', as is a /32's. */
    CHECK_STREQ(reserved("10.0.0.0", "10.0.0.0/31"), "-");
    CHECK_STREQ(reserved("10.0.0.1", "10.0.0.0/31"), "-");
    CHECK_STREQ(reserved("10.0.0.5", "10.0.0.5/32"), "-");
    CHECK_STREQ(reserved("2001:db8::", "2001:db8::/64"),
                "the subnet-router anycast address");
    CHECK_STREQ(reserved("2001:db8::ffff:ffff:ffff:ffff", "2001:db8::/64"),
                "-");
    CHECK_STREQ(reserved("2001:db8::1", "2001:db8::/64"), "-");
    /* Outside the subnet, nothing is said. */
    CHECK_STREQ(reserved("10.0.1.0", "10.0.0.0/24"), "-");
}

static void
test_subnets_overlap(void)
{
    CHECK(overlap("10.0.0.0/24", "10.0.0.0/24"));
    CHECK(overlap("10.0.0.0/24", "10.0.0.128/25"));
    CHECK(overlap("10.0.0.0/8", "10.200.0.0/16"));
    CHECK(overlap("0.0.0.0/0", "192.0.2.0/24"));
    CHECK(!overlap("10.0.0.0/25", "10.0.0.128/25"));
    CHECK(!overlap("10.0.0.0/24", "10.0.1.0/24"));
    CHECK(overlap("2001:db8::/32", "2001:db8:5::/48"));
    CHECK(!overlap("2001:db8:1::/48", "2001:db8:2::/48"));
    CHECK(!overlap("10.0.0.0/8", "::/0"));
}

static void
test_ip_in_subnet(void)
{
    static const struct {
        const char *addr;
        const char *subnet;
        bool in;
    } cases[] = {
        { "10.0.0.5", "10.0.0.0/24", true },
        { "10.0.0.0", "10.0.0.0/24", true },
        { "10.0.0.255", "10.0.0.0/24", true },
        { "10.0.1.5", "10.0.0.0/24", false },
        { "9.255.255.255", "10.0.0.0/8", false },
        { "10.0.0.127", "10.0.0.0/25", true },
        { "10.0.0.128", "10.0.0.0/25", false },
        { "1.2.3.4", "0.0.0.0/0", true },
        { "10.0.0.5", "10.0.0.5/32", true },
        { "10.0.0.6", "10.0.0.5/32", false },
        { "2001:db8::5", "2001:db8::/64", true },
        { "2001:db9::5", "2001:db8::/64", false },
        { "2001:db8:ffff::1", "2001:db8:8000::/33", true },
        { "2001:db8:7fff::1", "2001:db8:8000::/33", false },

        /* Families never mix, not even for ::ffff:a.b.c.d or /0. */
        { "10.0.0.5", "::/0", false },
        { "::ffff:10.0.0.5", "10.0.0.0/24", false },

        /* A prefix lies inside only if it is no wider than the subnet. */
        { "10.0.0.128/25", "10.0.0.0/24", true },
        { "10.0.0.0/16", "10.0.0.0/24", false },
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(cases); i++) {
        TEST_ROW("%s in %s", cases[i].addr, cases[i].subnet);
        CHECK(in_subnet(cases[i].addr, cases[i].subnet) == cases[i].in);
    }
}

static void
test_vlan_range_and_reserved_ids(void)
{
    static const long long good[] = { 1, 10, 4094 };
    static const struct {
        long long vlan;
        const char *want1;
        const char *want2;
    } bad[] = {
        { 0, "0 is not a VLAN id (1-4094", "0 is reserved" },
        { 4095, "4095 is not a VLAN id (1-4094", "4095 is reserved" },
        { 5000, "5000 is not a VLAN id", "(1-4094)" },
        { -1, "-1 is not a VLAN id", "(1-4094)" },
        { 4096, "4096", "(1-4094)" },
        { LLONG_MIN, "-9223372036854775808", "(1-4094)" },
        { 4294967306LL, "4294967306", "(1-4094)" },
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(good); i++) {
        TEST_ROW("%lld", good[i]);
        CHECK_OK(netaddr_check_vlan(good[i]));
    }
    for (size_t i = 0; i < GN_ARRAY_SIZE(bad); i++) {
        TEST_ROW("%lld", bad[i].vlan);
        CHECK_ERROR(netaddr_check_vlan(bad[i].vlan), bad[i].want1,
                    bad[i].want2);
    }
}

static void
test_ifname_accepts_linux_names(void)
{
    static const char *const good[] = {
        "eth0", "br-int", "a", "vnet0.10", "...",
        "abcdefghijklmno",      /* 15 bytes. */
    };

    check_accepts_all(check_ifname, 0, good, GN_ARRAY_SIZE(good));
}

static void
test_ifname_rejects_with_reason(void)
{
    static const struct rejection bad[] = {
        { "abcdefghijklmnop",   /* 16 bytes. */
          "\"abcdefghijklmnop\" is 16 bytes long",
          "names are at most 15 bytes" },
        { "", "interface name is empty", "1 to 15 bytes" },
        { "a/b", NULL, "contains '/'" },
        { "eth0:1", NULL, "contains ':'" },
        { "a b", NULL, "contains whitespace" },
        { "a\tb", "\"a\\x09b\"", "contains whitespace" },
        { "eth0\n", "\"eth0\\x0a\"", "contains whitespace" },
        { "a\x01", "\"a\\x01\"", "contains a control character" },
        { "a\x7f", "\"a\\x7f\"", "contains a control character" },
        { ".", NULL, "is reserved" },
        { "..", NULL, "is reserved" },
    };

    check_rejections(check_ifname, 0, bad, GN_ARRAY_SIZE(bad));
}

int
main(void)
{
    TEST_RUN("netaddr/mac-parses-lower-and-upper-case",
             test_mac_parses_lower_and_upper_case);
    TEST_RUN("netaddr/mac-rejects-malformed", test_mac_rejects_malformed);
    TEST_RUN("netaddr/mac-unicast-rejects-multicast-and-zero",
             test_mac_unicast_rejects_multicast_and_zero);
    TEST_RUN("netaddr/mac-random-has-qemu-prefix-and-varies",
             test_mac_random_has_qemu_prefix_and_varies);
    TEST_RUN("netaddr/errors-escape-and-cut-hostile-input",
             test_errors_escape_and_cut_hostile_input);
    TEST_RUN("netaddr/ip-parses-v4-and-v6", test_ip_parses_v4_and_v6);
    TEST_RUN("netaddr/ip-prefix-per-want-plen",
             test_ip_prefix_per_want_plen);
    TEST_RUN("netaddr/ip-prefix-rules-give-messages",
             test_ip_prefix_rules_give_messages);
    TEST_RUN("netaddr/ip-rejects-bad-prefix-syntax",
             test_ip_rejects_bad_prefix_syntax);
    TEST_RUN("netaddr/ip-rejects-malformed", test_ip_rejects_malformed);
    TEST_RUN("netaddr/subnet-accepts-network-addresses",
             test_subnet_accepts_network_addresses);
    TEST_RUN("netaddr/subnet-host-bits-suggest-network",
             test_subnet_host_bits_suggest_network);
    TEST_RUN("netaddr/ip-in-subnet", test_ip_in_subnet);
    TEST_RUN("netaddr/reserved-in-subnet", test_reserved_in_subnet);
    TEST_RUN("netaddr/subnets-overlap", test_subnets_overlap);
    TEST_RUN("netaddr/vlan-range-and-reserved-ids",
             test_vlan_range_and_reserved_ids);
    TEST_RUN("netaddr/ifname-accepts-linux-names",
             test_ifname_accepts_linux_names);
    TEST_RUN("netaddr/ifname-rejects-with-reason",
             test_ifname_rejects_with_reason);
    return test_done();
}
