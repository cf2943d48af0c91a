/* test-config.c: unit tests of gn-config: the example config parses, the
 * defaults are filled in, gn_config_to_json() round-trips, and every kind
 * of invalid config gives a message that names the field path and the bad
 * value. */
#include <config.h>

#include "gn-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-util.h"
#include "test-util.h"

#define EXAMPLE_FILE GN_SRCDIR "/daemon/guestnet.example.json"

/* Parses 'text', JSON in which ' stands for " (to keep the C literals
 * readable), as a config.  Returns what gn_config_from_json() returns and
 * stores the config in '*cfgp'.  The text must be valid JSON. */
static char *
parse(const char *text, struct gn_config **cfgp)
{
    char *copy = gn_xstrdup(text);
    json_error_t jerror;
    json_t *json;
    char *error;
    char *p;

    for (p = copy; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    json = json_loads(copy, 0, &jerror);
    if (!json) {
        fprintf(stderr, "  bad test JSON: %s: %s\n", jerror.text, copy);
    }
    CHECK(json != NULL);
    free(copy);
    if (!json) {
        *cfgp = NULL;
        return gn_xstrdup("bad test JSON");
    }
    error = gn_config_from_json(json, cfgp);
    json_decref(json);
    return error;
}

/* Checks that config 'TEXT' (see parse()) is rejected with a message that
 * contains 'WANT1' and 'WANT2', and that no config is returned. */
#define CHECK_BAD(TEXT, WANT1, WANT2)                                   \
    do {                                                                \
        struct gn_config *c_ = (struct gn_config *) 1;                  \
                                                                        \
        CHECK_ERROR(parse(TEXT, &c_), WANT1, WANT2);                    \
        CHECK(c_ == NULL);                                              \
    } while (0)

/* Returns the config that parse() makes of 'text', checking that it is
 * accepted; NULL if it is not. */
static struct gn_config *
parse_good(const char *text)
{
    struct gn_config *cfg = NULL;

    TEST_ROW("%s", text);
    CHECK_OK(parse(text, &cfg));
    CHECK(cfg != NULL);
    TEST_ROW_END();
    return cfg;
}

/* Checks that config 'TEXT' (see parse()) is accepted. */
#define CHECK_GOOD(TEXT) gn_config_destroy(parse_good(TEXT))

/* Returns true if 'a' and 'b' are the same address with the same prefix
 * length. */
static bool
ip_equal(const struct netaddr_ip *a, const struct netaddr_ip *b)
{
    return a->family == b->family && a->plen == b->plen
           && (a->family == AF_INET
               ? a->addr.v4.s_addr == b->addr.v4.s_addr
               : !memcmp(&a->addr.v6, &b->addr.v6, sizeof a->addr.v6));
}

/* Returns true if 'a' and 'b' are equal, field by field. */
static bool
config_equal(const struct gn_config *a, const struct gn_config *b)
{
    size_t i, k;

    if (strcmp(a->bridge, b->bridge)
        || strcmp(a->datapath_type, b->datapath_type)
        || !a->uplink != !b->uplink
        || (a->uplink && strcmp(a->uplink, b->uplink))
        || a->n_networks != b->n_networks || a->n_rules != b->n_rules
        || a->broadcast_limit.pps != b->broadcast_limit.pps
        || a->broadcast_limit.burst != b->broadcast_limit.burst) {
        return false;
    }
    for (i = 0; i < a->n_networks; i++) {
        const struct gn_network *x = &a->networks[i];
        const struct gn_network *y = &b->networks[i];

        if (strcmp(x->name, y->name) || x->vlan != y->vlan
            || x->mtu != y->mtu || x->private_ != y->private_
            || x->dhcp != y->dhcp || x->n_dns != y->n_dns
            || x->limits.set != y->limits.set
            || memcmp(x->limits.value, y->limits.value,
                      sizeof x->limits.value)
            || x->n_dns6 != y->n_dns6
            || x->n_subnets != y->n_subnets
            || x->n_gateways != y->n_gateways) {
            return false;
        }
        for (k = 0; k < x->n_subnets; k++) {
            if (!ip_equal(&x->subnets[k], &y->subnets[k])) {
                return false;
            }
        }
        for (k = 0; k < x->n_dns; k++) {
            if (!ip_equal(&x->dns[k], &y->dns[k])) {
                return false;
            }
        }
        for (k = 0; k < x->n_dns6; k++) {
            if (!ip_equal(&x->dns6[k], &y->dns6[k])) {
                return false;
            }
        }
        for (k = 0; k < x->n_gateways; k++) {
            if (!ip_equal(&x->gateways[k], &y->gateways[k])) {
                return false;
            }
        }
    }
    for (i = 0; i < a->n_rules; i++) {
        const struct gn_rule *x = &a->rules[i];
        const struct gn_rule *y = &b->rules[i];

        if (strcmp(x->from, y->from) || strcmp(x->to, y->to)
            || strcmp(x->proto, y->proto) || x->port != y->port) {
            return false;
        }
    }
    return true;
}

/* Checks that gn_config_from_json(gn_config_to_json(cfg)) equals 'cfg',
 * then destroys 'cfg' (every test that builds a config ends so). */
static void
check_roundtrip_and_destroy(struct gn_config *cfg)
{
    json_t *json = gn_config_to_json(cfg);
    struct gn_config *copy;
    char *error = gn_config_from_json(json, &copy);

    if (error) {
        fprintf(stderr, "  round trip: %s\n", error);
    }
    CHECK(!error);
    CHECK(copy && config_equal(cfg, copy));
    free(error);
    gn_config_destroy(copy);
    json_decref(json);
    gn_config_destroy(cfg);
}

/* Writes 'content' to a new temporary file and stores its name in 'name'.
 * Returns true on success. */
static bool
write_temp(const char *content, char name[64])
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    size_t len = strlen(content);
    int fd;

    snprintf(name, 64, "%.40s/gn-config-XXXXXX", tmp);
    fd = mkstemp(name);
    CHECK(fd >= 0);
    if (fd < 0) {
        return false;
    }
    CHECK(write(fd, content, len) == (ssize_t) len);
    close(fd);
    return true;
}

/* Checks that gn_config_read() of a file holding 'content' fails with a
 * message that starts with the file name and contains 'want'. */
static void
check_read_fails(const char *content, const char *want)
{
    struct gn_config *cfg = (struct gn_config *) 1;
    char name[64];
    char *error;

    if (!write_temp(content, name)) {
        return;
    }
    error = gn_config_read(name, &cfg);
    CHECK(error && !strncmp(error, name, strlen(name)));
    if (error && !strstr(error, want)) {
        fprintf(stderr, "  error was: %s\n", error);
    }
    CHECK(error && strstr(error, want));
    CHECK(cfg == NULL);
    free(error);
    unlink(name);
}

static void
test_example_file_parses(void)
{
    const struct gn_network *web, *db, *dmz;
    struct gn_config *cfg = NULL;
    char s[INET6_ADDRSTRLEN];

    CHECK_OK(gn_config_read(EXAMPLE_FILE, &cfg));
    if (!cfg) {
        return;
    }

    CHECK_STREQ(cfg->bridge, "br-int");
    CHECK_STREQ(cfg->datapath_type, "system");
    CHECK(cfg->n_networks == 3);

    web = gn_config_find_network(cfg, "web");
    CHECK(web && web->vlan == 10 && !web->private_ && web->mtu == 1500);
    CHECK(web && web->n_subnets == 2 && web->n_gateways == 2);
    if (web && web->n_subnets == 2 && web->n_gateways == 2) {
        CHECK(web->subnets[0].family == AF_INET);
        CHECK(web->subnets[0].plen == 24);
        netaddr_format_ip(&web->subnets[1], s, sizeof s);
        CHECK_STREQ(s, "2001:db8:10::");
        CHECK(web->subnets[1].plen == 64);
        netaddr_format_ip(&web->gateways[0], s, sizeof s);
        CHECK_STREQ(s, "10.10.0.1");
    }

    db = gn_config_find_network(cfg, "db");
    CHECK(db && db->vlan == 20);
    CHECK(gn_config_find_vlan(cfg, 20) == db);

    dmz = gn_config_find_vlan(cfg, 30);
    CHECK(dmz && !strcmp(dmz->name, "dmz") && dmz->private_);
    CHECK(dmz && dmz->mtu == 0);

    CHECK(!gn_config_find_network(cfg, "nope"));
    CHECK(!gn_config_find_vlan(cfg, 99));

    CHECK(cfg->n_rules == 1);
    if (cfg->n_rules == 1) {
        CHECK_STREQ(cfg->rules[0].from, "web");
        CHECK_STREQ(cfg->rules[0].to, "db");
        CHECK_STREQ(cfg->rules[0].proto, "tcp");
        CHECK(cfg->rules[0].port == 3306);
    }
    check_roundtrip_and_destroy(cfg);
}

static void
test_empty_config_gets_defaults(void)
{
    struct gn_config *cfg = parse_good("{}");
    json_t *json;

    if (!cfg) {
        return;
    }
    CHECK_STREQ(cfg->bridge, GN_CONFIG_DEFAULT_BRIDGE);
    CHECK_STREQ(cfg->datapath_type, "system");
    CHECK(cfg->uplink == NULL);
    CHECK(cfg->n_networks == 0 && cfg->n_rules == 0);
    CHECK(cfg->broadcast_limit.pps == 100);
    CHECK(cfg->broadcast_limit.burst == 200);

    json = gn_config_to_json(cfg);
    CHECK_STREQ(json_string_value(json_object_get(json, "bridge")),
                "br-int");
    CHECK_STREQ(json_string_value(json_object_get(json, "datapath_type")),
                "system");
    CHECK(json_array_size(json_object_get(json, "networks")) == 0);
    CHECK(!json_object_get(json, "uplink"));
    CHECK(json_integer_value(json_object_get(
              json_object_get(json, "broadcast_limit"), "pps")) == 100);
    CHECK(json_integer_value(json_object_get(
              json_object_get(json, "broadcast_limit"), "burst")) == 200);
    json_decref(json);
    check_roundtrip_and_destroy(cfg);
}

static void
test_network_and_rule_defaults(void)
{
    struct gn_config *cfg = parse_good(
        "{'datapath_type': 'netdev', 'bridge': 'br0',"
        " 'networks': [{'name': 'a', 'vlan': 5},"
        "              {'name': 'b', 'vlan': 6}],"
        " 'rules': [{'from': 'a', 'to': 'b'}]}");

    if (!cfg) {
        return;
    }
    CHECK_STREQ(cfg->bridge, "br0");
    CHECK_STREQ(cfg->datapath_type, "netdev");
    CHECK(cfg->n_networks == 2);
    CHECK(cfg->networks[0].mtu == 0 && !cfg->networks[0].private_);
    CHECK(cfg->networks[0].n_subnets == 0);
    CHECK(cfg->networks[0].n_gateways == 0);
    CHECK(cfg->n_rules == 1);
    CHECK_STREQ(cfg->rules[0].proto, "any");
    CHECK(cfg->rules[0].port == 0);
    check_roundtrip_and_destroy(cfg);
}

static void
test_roundtrip_keeps_every_field(void)
{
    struct gn_config *cfg = parse_good(
        "{'bridge': 'br-guests', 'datapath_type': 'netdev',"
        " 'uplink': 'bond0',"
        " 'networks': ["
        "  {'name': 'web', 'vlan': 10, 'mtu': 9000, 'private': false,"
        "   'subnets': ['10.10.0.0/24', '2001:db8:10::/64', '10.11.0.0/16'],"
        "   'gateways': ['10.11.255.254', '2001:db8:10::1'],"
        "   'dns': ['10.11.0.53', '2001:db8:10::53', '9.9.9.9']},"
        "  {'name': 'lonely_1', 'vlan': 4094, 'private': true, 'dhcp': false,"
        "   'subnets': ['192.0.2.0/24'], 'gateways': ['192.0.2.4']},"
        "  {'name': 'db', 'vlan': 1, 'mtu': 68}],"
        " 'rules': ["
        "  {'from': 'web', 'to': 'db', 'proto': 'tcp', 'port': 3306},"
        "  {'from': 'db', 'to': 'web', 'proto': 'udp', 'port': 65535},"
        "  {'from': 'web', 'to': 'lonely_1', 'proto': 'icmp'},"
        "  {'from': 'lonely_1', 'to': 'db', 'proto': 'any'}],"
        " 'broadcast_limit': {'pps': 1000, 'burst': 5}}");

    if (!cfg) {
        return;
    }
    CHECK_STREQ(cfg->uplink, "bond0");
    CHECK(cfg->networks[0].mtu == 9000 && cfg->networks[0].n_subnets == 3);
    CHECK(cfg->networks[1].private_);
    CHECK(cfg->networks[0].dhcp && cfg->networks[0].n_dns == 2);
    CHECK(cfg->networks[0].n_dns6 == 1
          && cfg->networks[0].dns6[0].family == AF_INET6);
    CHECK(!cfg->networks[1].dhcp && cfg->networks[2].dhcp);
    CHECK(cfg->rules[1].port == 65535);
    CHECK(cfg->broadcast_limit.pps == 1000);
    CHECK(cfg->broadcast_limit.burst == 5);
    check_roundtrip_and_destroy(cfg);
}

static void
test_top_level_must_be_object(void)
{
    CHECK_BAD("[]", "expected an object at the top level", "got array");
    CHECK_BAD("[{'bridge': 'br-int'}]", "top level", "array");
}

static void
test_unknown_keys_are_errors(void)
{
    CHECK_BAD("{'brdge': 'br0'}", "unknown key \"brdge\"",
              "known keys: bridge, datapath_type, uplink, networks, rules");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlna': 10}]}",
              "networks[0]: unknown key \"vlna\"", "vlan");
    CHECK_BAD("{'networks': [{'name': 'a', 'vlan': 1},"
              "              {'name': 'b', 'vlan': 2, 'gateway': []}]}",
              "networks[1]: unknown key \"gateway\"", "gateways");
    CHECK_BAD("{'networks': [{'name': 'a', 'vlan': 1},"
              "              {'name': 'b', 'vlan': 2}],"
              " 'rules': [{'from': 'a', 'to': 'b', 'prot': 'tcp'}]}",
              "rules[0]: unknown key \"prot\"", "proto");
}

static void
test_wrong_types_are_named(void)
{
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': '10'}]}",
              "networks[0].vlan: expected an integer, got string",
              "\"10\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10.0}]}",
              "networks[0].vlan: expected an integer, got real", "10.0");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': true}]}",
              "networks[0].vlan: expected an integer", "got boolean true");
    CHECK_BAD("{'networks': [{'name': 5, 'vlan': 10}]}",
              "networks[0].name: expected a string", "got integer 5");
    CHECK_BAD("{'bridge': 5}", "bridge: expected a string", "integer 5");
    CHECK_BAD("{'uplink': null}", "uplink: expected a string", "got null");
    CHECK_BAD("{'datapath_type': ['system']}",
              "datapath_type: expected a string", "got array");
    CHECK_BAD("{'networks': {}}", "networks: expected an array",
              "got object");
    CHECK_BAD("{'networks': ['web']}", "networks[0]: expected an object",
              "got string \"web\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': '10.0.0.0/24'}]}",
              "networks[0].subnets: expected an array", "got string");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.0.0.0/24', 5]}]}",
              "networks[0].subnets[1]: expected a string",
              "got integer 5");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'gateways': [{}]}]}",
              "networks[0].gateways[0]: expected a string", "got object");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': '1500'}]}",
              "networks[0].mtu: expected an integer", "\"1500\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'private': 'yes'}]}",
              "networks[0].private: expected a boolean", "\"yes\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'dhcp': 1}]}",
              "networks[0].dhcp: expected a boolean", "integer 1");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'dns': ['10.0.0.300']}]}", "networks[0].dns[0]: ",
              "10.0.0.300");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'dns': ['1.1.1.1',"
              " '1.1.1.2', '1.1.1.3', '1.1.1.4', '1.1.1.5', '1.1.1.6',"
              " '1.1.1.7', '1.1.1.8', '1.1.1.9']}]}",
              "networks[0].dns: at most 8 DNS servers", "");
    CHECK_BAD("{'rules': 1}", "rules: expected an array", "integer 1");
    CHECK_BAD("{'networks': [{'name': 'a', 'vlan': 1},"
              "              {'name': 'b', 'vlan': 2}],"
              " 'rules': [{'from': 'a', 'to': 'b', 'proto': 'tcp',"
              "            'port': '3306'}]}",
              "rules[0].port: expected an integer", "\"3306\"");
    CHECK_BAD("{'rules': [null]}", "rules[0]: expected an object",
              "got null");
}

static void
test_missing_required_keys(void)
{
    CHECK_BAD("{'networks': [{'name': 'web'}]}",
              "networks[0]: missing required key", "\"vlan\"");
    CHECK_BAD("{'networks': [{'vlan': 10}]}",
              "networks[0]: missing required key", "\"name\"");
    CHECK_BAD("{'networks': [{'name': 'a', 'vlan': 1}],"
              " 'rules': [{'from': 'a'}]}",
              "rules[0]: missing required key", "\"to\"");
    CHECK_BAD("{'networks': [{'name': 'a', 'vlan': 1}],"
              " 'rules': [{'to': 'a'}]}",
              "rules[0]: missing required key", "\"from\"");
}

static void
test_bridge_uplink_and_datapath_checked(void)
{
    CHECK_BAD("{'bridge': 'br-int-is-too-long'}",
              "bridge: interface name \"br-int-is-too-long\"",
              "names are at most 15 bytes");
    CHECK_BAD("{'bridge': ''}", "bridge: interface name is empty", "15");
    CHECK_BAD("{'uplink': 'eth/1'}", "uplink: interface name \"eth/1\"",
              "contains '/'");
    CHECK_BAD("{'uplink': 'br-int'}", "uplink: \"br-int\"",
              "is the bridge itself");
    CHECK_BAD("{'datapath_type': 'dpdk'}",
              "datapath_type: \"dpdk\" is not a datapath type",
              "system or netdev");
    CHECK_BAD("{'datapath_type': 'System'}", "\"System\"",
              "system or netdev");
    CHECK_GOOD("{'bridge': 'abcdefghijklmno', 'uplink': 'eth1'}");
    CHECK_GOOD("{'datapath_type': 'netdev'}");
}

static void
test_network_names(void)
{
    CHECK_GOOD("{'networks': [{'name': 'a-b_c-123', 'vlan': 10}]}");
    CHECK_GOOD("{'networks': [{'name': "
               "'abcdefghijklmnopqrstuvwxyz012345', 'vlan': 10}]}");
    CHECK_BAD("{'networks': [{'name': 'Web', 'vlan': 10}]}",
              "networks[0].name: \"Web\" is not a network name",
              "a-z, 0-9, _ and -");
    CHECK_BAD("{'networks': [{'name': '', 'vlan': 10}]}",
              "networks[0].name: \"\" is not a network name", "1-32");
    CHECK_BAD("{'networks': [{'name': "
              "'abcdefghijklmnopqrstuvwxyz0123456', 'vlan': 10}]}",
              "networks[0].name: \"abcdefghijklmnopqrstuvwxyz0123456\"",
              "1-32");
    CHECK_BAD("{'networks': [{'name': 'web db', 'vlan': 10}]}",
              "networks[0].name: \"web db\"", "not a network name");
    CHECK_BAD("{'networks': [{'name': 'web\\n', 'vlan': 10}]}",
              "networks[0].name: \"web\\n\"", "not a network name");
}

static void
test_vlan_ids_checked(void)
{
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 0}]}",
              "networks[0].vlan: 0 is not a VLAN id", "0 is reserved");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 4095}]}",
              "networks[0].vlan: 4095 is not a VLAN id (1-4094",
              "4095 is reserved");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 5000}]}",
              "networks[0].vlan: 5000 is not a VLAN id", "(1-4094)");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': -1}]}",
              "networks[0].vlan: -1 is not a VLAN id", "(1-4094)");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 4294967306}]}",
              "networks[0].vlan: 4294967306", "(1-4094)");
    CHECK_GOOD("{'networks': [{'name': 'a', 'vlan': 1},"
               "              {'name': 'b', 'vlan': 4094}]}");
}

static void
test_duplicates_rejected(void)
{
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10},"
              "              {'name': 'web', 'vlan': 20}]}",
              "networks[1].name: duplicate network name \"web\"",
              "also networks[0]");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10},"
              "              {'name': 'db', 'vlan': 20},"
              "              {'name': 'dmz', 'vlan': 10}]}",
              "networks[2].vlan: duplicate VLAN 10",
              "also network \"web\"");
}

static void
test_subnets_and_gateways_checked(void)
{
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.5/24']}]}",
              "networks[0].subnets[0]: \"10.10.0.5/24\" has host bits set",
              "did you mean 10.10.0.0/24?");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24', '2001:db8::']}]}",
              "networks[0].subnets[1]: \"2001:db8::\"",
              "has no prefix length");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/33']}]}",
              "networks[0].subnets[0]: \"10.10.0.0/33\"",
              "bad prefix length");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'],"
              " 'gateways': ['10.10.0.1', '10.20.0.1']}]}",
              "networks[0].gateways[1]: gateway 10.20.0.1",
              "is not in any subnet of network \"web\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'],"
              " 'gateways': ['2001:db8::1']}]}",
              "networks[0].gateways[0]: gateway 2001:db8::1",
              "is not in any subnet");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'gateways': ['10.10.0.1']}]}",
              "networks[0].gateways[0]", "is not in any subnet");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'],"
              " 'gateways': ['10.10.0.1/24']}]}",
              "networks[0].gateways[0]: \"10.10.0.1/24\"",
              "no /prefix allowed");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'],"
              " 'gateways': ['10.10.0.300']}]}",
              "networks[0].gateways[0]: \"10.10.0.300\"",
              "not an IPv4 or IPv6 address");
    /* Addresses no host may have are no gateway. */
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'], 'gateways': ['10.10.0.0']}]}",
              "networks[0].gateways[0]: gateway 10.10.0.0",
              "is the network address of its subnet");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24'], 'gateways': ['10.10.0.255']}]}",
              "networks[0].gateways[0]: gateway 10.10.0.255",
              "is the broadcast address of its subnet");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['2001:db8::/64'], 'gateways': ['2001:db8::']}]}",
              "networks[0].gateways[0]: gateway 2001:db8::",
              "is the subnet-router anycast address");
    /* ... but on a /31 (RFC 3021) both addresses are hosts'. */
    CHECK_GOOD("{'networks': [{'name': 'p2p', 'vlan': 10,"
               " 'subnets': ['10.10.0.0/31'], 'gateways': ['10.10.0.0']}]}");
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10,"
               " 'subnets': ['10.10.0.0/24'], 'gateways': ['10.10.0.254']}]}");
    /* Overlapping subnets, across networks and within one, either way
     * round; disjoint neighbours are fine. */
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24']},"
              " {'name': 'db', 'vlan': 20, 'subnets': ['10.10.0.128/25']}]}",
              "networks[1].subnets[0]: subnet 10.10.0.128/25 overlaps",
              "10.10.0.0/24 of network \"web\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/25']},"
              " {'name': 'db', 'vlan': 20, 'subnets': ['10.0.0.0/8']}]}",
              "networks[1].subnets[0]: subnet 10.0.0.0/8 overlaps",
              "10.10.0.0/25 of network \"web\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['2001:db8::/64']},"
              " {'name': 'db', 'vlan': 20,"
              "  'subnets': ['10.20.0.0/24', '2001:db8::/48']}]}",
              "networks[1].subnets[1]: subnet 2001:db8::/48 overlaps",
              "of network \"web\"");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'subnets': ['10.10.0.0/24', '10.10.0.0/24']}]}",
              "networks[0].subnets[1]: subnet 10.10.0.0/24 overlaps",
              "of network \"web\"");
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10,"
               " 'subnets': ['10.10.0.0/25', '2001:db8:1::/64']},"
               " {'name': 'db', 'vlan': 20,"
               "  'subnets': ['10.10.0.128/25', '2001:db8:2::/64']}]}");
    /* A gateway in the second subnet of the network is fine. */
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10,"
               " 'subnets': ['10.10.0.0/24', '2001:db8::/64'],"
               " 'gateways': ['2001:db8::ffff']}]}");
}

static void
test_mtu_range(void)
{
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': 67}]}",
              "networks[0].mtu: 67 is not a valid MTU", "(68-65535)");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': 65536}]}",
              "networks[0].mtu: 65536", "(68-65535)");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': 0}]}",
              "networks[0].mtu: 0", "(68-65535)");
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': 68}]}");
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10, 'mtu': 65535}]}");
}

/* Parses 'text' (see parse()), which must be valid, and checks its
 * broadcast limit and that it round-trips. */
static void
check_broadcast_limit(const char *text, unsigned int pps, unsigned int burst)
{
    struct gn_config *cfg = parse_good(text);

    if (!cfg) {
        return;
    }
    CHECK(cfg->broadcast_limit.pps == pps);
    CHECK(cfg->broadcast_limit.burst == burst);
    check_roundtrip_and_destroy(cfg);
}

static void
test_broadcast_limit(void)
{
    check_broadcast_limit("{}", 100, 200);
    check_broadcast_limit("{'broadcast_limit': {}}", 100, 200);
    check_broadcast_limit("{'broadcast_limit': {'pps': 0}}", 0, 1);
    check_broadcast_limit("{'broadcast_limit': {'pps': 30}}", 30, 60);
    check_broadcast_limit("{'broadcast_limit': {'burst': 7}}", 100, 7);
    check_broadcast_limit("{'broadcast_limit': {'pps': 10000000,"
                          " 'burst': 10000000}}", 10000000, 10000000);
    check_broadcast_limit("{'broadcast_limit': {'pps': 6000000}}",
                          6000000, 10000000);
    CHECK_BAD("{'broadcast_limit': 100}",
              "broadcast_limit: expected an object", "integer 100");
    CHECK_BAD("{'broadcast_limit': {'pps': 100, 'rate': 5}}",
              "broadcast_limit: unknown key \"rate\"", "pps, burst");
    CHECK_BAD("{'broadcast_limit': {'pps': -1}}",
              "broadcast_limit.pps: -1 is out of range", "(0-10000000)");
    CHECK_BAD("{'broadcast_limit': {'pps': 10000001}}",
              "broadcast_limit.pps: 10000001", "(0-10000000)");
    CHECK_BAD("{'broadcast_limit': {'pps': '100'}}",
              "broadcast_limit.pps: expected an integer", "string");
    CHECK_BAD("{'broadcast_limit': {'burst': 0}}",
              "broadcast_limit.burst: 0 is out of range", "(1-10000000)");
    CHECK_BAD("{'broadcast_limit': {'pps': 10, 'burst': true}}",
              "broadcast_limit.burst: expected an integer", "boolean");
}

/* A network's limits: the defaults of its ports, parsed member by member,
 * each checked and named in errors, round-tripped. */
static void
test_network_limits(void)
{
    struct gn_config *cfg = parse_good(
        "{'networks': [{'name': 'web', 'vlan': 10,"
        "  'limits': {'egress_kbps': 100000, 'ingress_pps': 0,"
        "             'burst_ms': 500}},"
        " {'name': 'db', 'vlan': 20}]}");

    if (cfg) {
        const struct gn_limits *l = &cfg->networks[0].limits;

        CHECK(l->set == ((1u << GN_LIMIT_EGRESS_KBPS)
                         | (1u << GN_LIMIT_INGRESS_PPS)
                         | (1u << GN_LIMIT_BURST_MS)));
        CHECK(l->value[GN_LIMIT_EGRESS_KBPS] == 100000);
        CHECK(l->value[GN_LIMIT_BURST_MS] == 500);
        CHECK(!cfg->networks[1].limits.set);
        check_roundtrip_and_destroy(cfg);
    }
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10, 'limits': {}}]}");
    CHECK_GOOD("{'networks': [{'name': 'web', 'vlan': 10,"
               " 'limits': {'ingress_kbps': 100000000}}]}");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'egress_kbps': -1}}]}",
              "networks[0].limits.egress_kbps: -1 is not a rate in kbit/s",
              "0-100000000");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'egress_pps': 100000001}}]}",
              "networks[0].limits.egress_pps: 100000001", "packets a second");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'ingress_kbps': '1mbit'}}]}",
              "networks[0].limits.ingress_kbps: \"1mbit\"", "an integer");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'burst_ms': 0}}]}",
              "networks[0].limits.burst_ms: 0 is not a burst", "1-10000");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'egress_kbps': null}}]}",
              "networks[0].limits.egress_kbps: null", "an integer");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10,"
              " 'limits': {'egress': 5}}]}",
              "networks[0].limits.egress: unknown limit", "egress_kbps");
    CHECK_BAD("{'networks': [{'name': 'web', 'vlan': 10, 'limits': 5}]}",
              "networks[0].limits: expected an object", "integer");
}

#define TWO_NETS "{'networks': [{'name': 'web', 'vlan': 10}," \
                 "              {'name': 'db', 'vlan': 20}], "

static void
test_rules_checked(void)
{
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'dbx'}]}",
              "rules[0].to: unknown network", "\"dbx\"");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db'},"
              "                      {'from': 'nope', 'to': 'db'}]}",
              "rules[1].from: unknown network", "\"nope\"");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'web'}]}",
              "rules[0]: \"from\" and \"to\" are both \"web\"",
              "two different networks");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'sctp'}]}",
              "rules[0].proto: \"sctp\" is not a protocol",
              "tcp, udp, icmp or any");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'TCP'}]}",
              "rules[0].proto: \"TCP\"", "not a protocol");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'icmp', 'port': 80}]}",
              "rules[0].port: a port needs proto tcp or udp", "\"icmp\"");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'port': 80}]}",
              "rules[0].port: a port needs proto tcp or udp", "\"any\"");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'tcp', 'port': 0}]}",
              "rules[0].port: 0 is not a port number", "(1-65535)");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'udp', 'port': 65536}]}",
              "rules[0].port: 65536", "(1-65535)");
    CHECK_BAD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
              " 'proto': 'udp', 'port': -3306}]}",
              "rules[0].port: -3306", "(1-65535)");
    CHECK_GOOD(TWO_NETS "'rules': [{'from': 'web', 'to': 'db',"
               " 'proto': 'udp', 'port': 1},"
               " {'from': 'db', 'to': 'web', 'proto': 'tcp',"
               "  'port': 65535}]}");
    /* Rules need networks: none are known in an otherwise empty config. */
    CHECK_BAD("{'rules': [{'from': 'web', 'to': 'db'}]}",
              "rules[0].from: unknown network", "\"web\"");
}

static void
test_hostile_values_are_cut(void)
{
    char text[2200];
    struct gn_config *cfg;
    char *error;

    snprintf(text, sizeof text, "{'networks': [{'name': '%01000d', "
             "'vlan': 10}]}", 0);
    error = parse(text, &cfg);
    CHECK(error && strlen(error) < 200);
    CHECK(error && strstr(error, "networks[0].name: \"0000"));
    CHECK(error && strstr(error, "0..."));
    free(error);
}

static void
test_read_missing_file(void)
{
    struct gn_config *cfg = (struct gn_config *) 1;
    char *error = gn_config_read("/nonexistent/guestnet.json", &cfg);

    CHECK(cfg == NULL);
    CHECK(error && strstr(error, "/nonexistent/guestnet.json: "));
    CHECK(error && strstr(error, strerror(ENOENT)));
    free(error);
    gn_config_destroy(cfg);     /* NULL, which destroy accepts. */

    error = gn_config_read("/", &cfg);
    CHECK(cfg == NULL);
    CHECK(error && strstr(error, "/: "));
    CHECK(error && strstr(error, strerror(EISDIR)));
    free(error);
}

static void
test_read_malformed_json_gives_line(void)
{
    check_read_fails("{\n  \"bridge\": \"br-int\",\n  \"networks\": [,]\n}\n",
                     ":3:");
    check_read_fails("{\n  \"bridge\": \"br-int\"\n", ":3:");
    check_read_fails("", "end of file");
    check_read_fails("\"just a string\"", "'[' or '{' expected");
    check_read_fails("{\"bridge\": \"a\",\n \"bridge\": \"b\"}",
                     "duplicate object key");
}

static void
test_read_invalid_config_names_file_and_field(void)
{
    check_read_fails("{\"networks\": [{\"name\": \"web\", \"vlan\": 4095}]}",
                     ": networks[0].vlan: 4095 is not a VLAN id");
}

static void
test_read_valid_file(void)
{
    struct gn_config *cfg;
    char name[64];
    char *error;

    if (!write_temp("{\"bridge\": \"br-test\"}\n", name)) {
        return;
    }
    error = gn_config_read(name, &cfg);
    CHECK(!error);
    CHECK(cfg && !strcmp(cfg->bridge, "br-test"));
    free(error);
    gn_config_destroy(cfg);
    unlink(name);
}

int
main(void)
{
TEST_RUN("config/network-limits", test_network_limits);
        TEST_RUN("config/example-file-parses", test_example_file_parses);
    TEST_RUN("config/empty-config-gets-defaults",
             test_empty_config_gets_defaults);
    TEST_RUN("config/network-and-rule-defaults",
             test_network_and_rule_defaults);
    TEST_RUN("config/roundtrip-keeps-every-field",
             test_roundtrip_keeps_every_field);
    TEST_RUN("config/top-level-must-be-object",
             test_top_level_must_be_object);
    TEST_RUN("config/unknown-keys-are-errors", test_unknown_keys_are_errors);
    TEST_RUN("config/wrong-types-are-named", test_wrong_types_are_named);
    TEST_RUN("config/missing-required-keys", test_missing_required_keys);
    TEST_RUN("config/bridge-uplink-and-datapath-checked",
             test_bridge_uplink_and_datapath_checked);
    TEST_RUN("config/network-names", test_network_names);
    TEST_RUN("config/vlan-ids-checked", test_vlan_ids_checked);
    TEST_RUN("config/duplicates-rejected", test_duplicates_rejected);
    TEST_RUN("config/subnets-and-gateways-checked",
             test_subnets_and_gateways_checked);
    TEST_RUN("config/mtu-range", test_mtu_range);
    TEST_RUN("config/rules-checked", test_rules_checked);
    TEST_RUN("config/broadcast-limit", test_broadcast_limit);
    TEST_RUN("config/hostile-values-are-cut", test_hostile_values_are_cut);
    TEST_RUN("config/read-missing-file", test_read_missing_file);
    TEST_RUN("config/read-malformed-json-gives-line",
             test_read_malformed_json_gives_line);
    TEST_RUN("config/read-invalid-config-names-file-and-field",
             test_read_invalid_config_names_file_and_field);
    TEST_RUN("config/read-valid-file", test_read_valid_file);
    return test_done();
}
