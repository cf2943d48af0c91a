/* gn-config.c: guestnetd's configuration file (see include/gn-config.h).
 *
 * This module owns the schema of the config: which keys exist at each
 * level, their types and defaults, the rules across fields (unique network
 * names and VLANs, gateways inside their network's subnets, rules between
 * two known networks), and error messages that start with the path of the
 * field at fault ("networks[0].vlan: ...").  The syntax of addresses and
 * names is netaddr's.  JSON here is jansson's only. */
#include <config.h>

#include "gn-config.h"
#include "gn-config-private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"

#define GN_CONFIG_DEFAULT_DATAPATH "system"
#define GN_CONFIG_MTU_MIN 68
#define GN_CONFIG_MTU_MAX 65535
#define GN_CONFIG_PORT_MAX 65535

static const char *const gn_config_protos[] = { "tcp", "udp", "icmp", "any" };

/* Returns true if 's' is a valid network name: 1 to GN_CONFIG_NAME_MAX of
 * a-z, 0-9, '_' and '-'. */
static bool
gn_config_is_network_name__(const char *s)
{
    size_t len = strlen(s);

    return len >= 1 && len <= GN_CONFIG_NAME_MAX
           && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len;
}

/* Parses the array member 'key' of 'obj' (borrowed), at 'path', whose
 * elements are address strings, into a new array in '*ipsp' with '*np'
 * elements (caller frees).  Subnets are parsed with netaddr_parse_subnet()
 * when 'subnets', else as plain addresses.  Returns NULL or a new error
 * message (caller frees); the array stored so far is still the caller's. */
static char *
gn_config_parse_ips__(const json_t *obj, const char *path, const char *key,
                      bool subnets, struct netaddr_ip **ipsp, size_t *np)
{
    char array_path[GN_CONFIG_PATH_SIZE], elem_path[GN_CONFIG_PATH_SIZE];
    const json_t *array;
    char *error;
    size_t i;

    error = gn_config_get__(obj, path, key, GN_CONFIG_ARRAY, false, &array);
    if (error || !array) {
        return error;
    }
    gn_config_member_path__(array_path, path, key);
    *ipsp = gn_xcalloc(json_array_size(array), sizeof **ipsp);
    for (i = 0; i < json_array_size(array); i++) {
        const json_t *elem = json_array_get(array, i);
        const char *s;

        gn_config_index_path__(elem_path, array_path, i);
        error = gn_config_check_kind__(elem, GN_CONFIG_STRING, elem_path);
        if (error) {
            return error;
        }
        s = json_string_value(elem);
        error = (subnets
                 ? netaddr_parse_subnet(s, &(*ipsp)[i])
                 : netaddr_parse_ip(s, 0, &(*ipsp)[i]));
        if (error) {
            return gn_config_wrap__(elem_path, error);
        }
        ++*np;
    }
    return NULL;
}

/* Parses the network object 'j' (borrowed) at 'path' into 'net', which
 * the caller zeroed and keeps owning: on error, what was stored in it is
 * freed by gn_config_destroy() along with the config.  Checks the fields of
 * this network only; uniqueness is the caller's.  Returns NULL or a new
 * error message (caller frees). */
static char *
gn_config_parse_network__(const json_t *j, const char *path,
                          struct gn_network *net)
{
    static const char *const keys[] = {
        "name", "vlan", "subnets", "gateways", "mtu", "private", "dhcp",
        "dns", "limits",
    };
    char field[GN_CONFIG_PATH_SIZE];
    const json_t *value;
    char *error;
    size_t i, n4;

    error = gn_config_check_keys__(j, path, keys, GN_ARRAY_SIZE(keys));
    if (error) {
        return error;
    }

    error = gn_config_get__(j, path, "name", GN_CONFIG_STRING, true, &value);
    if (error) {
        return error;
    }
    if (!gn_config_is_network_name__(json_string_value(value))) {
        char *quoted = gn_config_quote__(value);

        error = gn_config_error__(gn_config_member_path__(field, path,
                                                          "name"),
                                  "%s is not a network name (1-%d of a-z, "
                                  "0-9, _ and -)",
                                  quoted, GN_CONFIG_NAME_MAX);
        free(quoted);
        return error;
    }
    net->name = gn_xstrdup(json_string_value(value));

    error = gn_config_get__(j, path, "vlan", GN_CONFIG_INTEGER, true, &value);
    if (error) {
        return error;
    }
    error = netaddr_check_vlan(json_integer_value(value));
    if (error) {
        return gn_config_wrap__(gn_config_member_path__(field, path, "vlan"),
                                error);
    }
    net->vlan = json_integer_value(value);

    error = gn_config_parse_ips__(j, path, "subnets", true,
                                  &net->subnets, &net->n_subnets);
    if (!error) {
        error = gn_config_parse_ips__(j, path, "gateways", false,
                                      &net->gateways, &net->n_gateways);
    }
    if (error) {
        return error;
    }
    for (i = 0; i < net->n_gateways; i++) {
        const struct netaddr_ip *gw = &net->gateways[i];
        char addr[INET6_ADDRSTRLEN];
        size_t k;

        for (k = 0; k < net->n_subnets; k++) {
            if (netaddr_ip_in_subnet(gw, &net->subnets[k])) {
                break;
            }
        }
        if (k == net->n_subnets
            || netaddr_reserved_in_subnet(gw, &net->subnets[k])) {
            char array_path[GN_CONFIG_PATH_SIZE];

            gn_config_member_path__(array_path, path, "gateways");
            gn_config_index_path__(field, array_path, i);
            netaddr_format_ip(gw, addr, sizeof addr);
            if (k == net->n_subnets) {
                return gn_config_error__(field, "gateway %s is not in any "
                                         "subnet of network \"%s\"", addr,
                                         net->name);
            }
            return gn_config_error__(field, "gateway %s is %s of its "
                                     "subnet, no host's", addr,
                                     netaddr_reserved_in_subnet(
                                         gw, &net->subnets[k]));
        }
    }

    error = gn_config_get__(j, path, "mtu", GN_CONFIG_INTEGER, false, &value);
    if (error) {
        return error;
    }
    if (value) {
        json_int_t mtu = json_integer_value(value);

        if (mtu < GN_CONFIG_MTU_MIN || mtu > GN_CONFIG_MTU_MAX) {
            return gn_config_error__(gn_config_member_path__(field, path,
                                                             "mtu"),
                                     "%" JSON_INTEGER_FORMAT " is not a "
                                     "valid MTU (%d-%d)", mtu,
                                     GN_CONFIG_MTU_MIN, GN_CONFIG_MTU_MAX);
        }
        net->mtu = mtu;
    }

    error = gn_config_get__(j, path, "private", GN_CONFIG_BOOLEAN, false,
                            &value);
    if (error) {
        return error;
    }
    net->private_ = value && json_is_true(value);

    error = gn_config_get__(j, path, "dhcp", GN_CONFIG_BOOLEAN, false,
                            &value);
    if (error) {
        return error;
    }
    net->dhcp = !value || json_is_true(value);
    error = gn_config_parse_ips__(j, path, "dns", false, &net->dns,
                                 &net->n_dns);
    if (error) {
        return error;
    }
    gn_config_member_path__(field, path, "dns");
    if (net->n_dns > GN_CONFIG_DNS_MAX) {
        return gn_config_error__(field, "at most %d DNS servers",
                                 GN_CONFIG_DNS_MAX);
    }
    /* IPv4 servers for DHCP, IPv6 ones for DHCPv6. */
    net->dns6 = gn_xmalloc((net->n_dns + 1) * sizeof *net->dns6);
    for (i = n4 = 0; i < net->n_dns; i++) {
        if (net->dns[i].family == AF_INET) {
            net->dns[n4++] = net->dns[i];
        } else {
            net->dns6[net->n_dns6++] = net->dns[i];
        }
    }
    net->n_dns = n4;

    error = gn_config_get__(j, path, "limits", GN_CONFIG_OBJECT, false,
                            &value);
    if (!error && value) {
        error = gn_limits_from_json(value, gn_config_member_path__(
                                        field, path, "limits"),
                                    &net->limits, NULL);
    }
    return error;
}

/* Parses one element of a top-level array: the object 'j' (borrowed) at
 * 'path' into 'elem', a zeroed element that 'cfg' already counts and owns
 * (the elements before it are parsed).  Returns NULL or a new error message
 * (caller frees). */
typedef char *gn_config_element_parser(const json_t *j, const char *path,
                                       struct gn_config *cfg, void *elem);

/* Parses the optional array member 'key' of the top-level object 'top'
 * (borrowed), if it is there: stores a zeroed array of as many elements of
 * 'size' bytes in '*elemsp' and parses each element into it with 'parse',
 * counting it in '*np' first.  Returns NULL or the first new error message
 * (caller frees); what was stored in 'cfg' is the caller's to free either
 * way. */
static char *
gn_config_parse_array__(const json_t *top, const char *key, size_t size,
                        void **elemsp, size_t *np, struct gn_config *cfg,
                        gn_config_element_parser *parse)
{
    char path[GN_CONFIG_PATH_SIZE];
    const json_t *array;
    char *error;

    error = gn_config_get__(top, "", key, GN_CONFIG_ARRAY, false, &array);
    if (error || !array) {
        return error;
    }
    *elemsp = gn_xcalloc(json_array_size(array), size);
    for (size_t i = 0; i < json_array_size(array); i++) {
        void *elem = (char *) *elemsp + size * (*np)++;

        gn_config_index_path__(path, key, i);
        error = parse(json_array_get(array, i), path, cfg, elem);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Checks that no subnet of 'net', the network at 'path' and the last of
 * 'cfg''s networks so far, overlaps another subnet of it or of an earlier
 * network: the router and the anti-spoofing flows take an address to
 * belong to exactly one network.  Returns NULL or a new error message
 * (caller frees). */
static char *
gn_config_check_overlap__(const struct gn_config *cfg,
                          const struct gn_network *net, const char *path)
{
    for (size_t i = 0; i < net->n_subnets; i++) {
        const struct netaddr_ip *a = &net->subnets[i];

        for (const struct gn_network *o = cfg->networks; o <= net; o++) {
            size_t n = o == net ? i : o->n_subnets;

            for (size_t k = 0; k < n; k++) {
                char array_path[GN_CONFIG_PATH_SIZE];
                char field[GN_CONFIG_PATH_SIZE];
                char sa[INET6_ADDRSTRLEN], sb[INET6_ADDRSTRLEN];
                const struct netaddr_ip *b = &o->subnets[k];

                if (!netaddr_subnets_overlap(a, b)) {
                    continue;
                }
                gn_config_member_path__(array_path, path, "subnets");
                gn_config_index_path__(field, array_path, i);
                netaddr_format_ip(a, sa, sizeof sa);
                netaddr_format_ip(b, sb, sizeof sb);
                return gn_config_error__(field, "subnet %s/%u overlaps "
                                         "%s/%u of network \"%s\"", sa,
                                         a->plen, sb, b->plen, o->name);
            }
        }
    }
    return NULL;
}

/* Parses the network 'j' (borrowed) at 'path' of member "networks" into
 * 'elem' (a gn_config_element_parser) and checks that its name, VLAN and
 * subnets are not those of an earlier network. */
static char *
gn_config_parse_networks_element__(const json_t *j, const char *path,
                                   struct gn_config *cfg, void *elem)
{
    struct gn_network *net = elem;
    const struct gn_network *other;
    char *error;

    error = gn_config_parse_network__(j, path, net);
    if (error) {
        return error;
    }
    for (other = cfg->networks; other < net; other++) {
        char field[GN_CONFIG_PATH_SIZE];

        if (!strcmp(other->name, net->name)) {
            return gn_config_error__(
                gn_config_member_path__(field, path, "name"),
                "duplicate network name \"%s\" (also networks[%zu])",
                net->name, (size_t) (other - cfg->networks));
        }
        if (other->vlan == net->vlan) {
            return gn_config_error__(
                gn_config_member_path__(field, path, "vlan"),
                "duplicate VLAN %d (also network \"%s\")",
                net->vlan, other->name);
        }
    }
    return gn_config_check_overlap__(cfg, net, path);
}

/* Parses member 'key' ("from" or "to") of the rule 'j' (borrowed) at
 * 'path', which must name a network of 'cfg', into a new string in
 * '*namep' (freed with the config).  Returns NULL or a new error message
 * (caller frees). */
static char *
gn_config_parse_rule_end__(const json_t *j, const char *path,
                           const char *key, const struct gn_config *cfg,
                           char **namep)
{
    const json_t *value;
    char *error;

    error = gn_config_get__(j, path, key, GN_CONFIG_STRING, true, &value);
    if (error) {
        return error;
    }
    if (!gn_config_find_network(cfg, json_string_value(value))) {
        char field[GN_CONFIG_PATH_SIZE];
        char *quoted = gn_config_quote__(value);

        error = gn_config_error__(gn_config_member_path__(field, path, key),
                                  "unknown network %s", quoted);
        free(quoted);
        return error;
    }
    *namep = gn_xstrdup(json_string_value(value));
    return NULL;
}

/* Parses the rule object 'j' (borrowed) at 'path' of member "rules" into
 * 'elem', a struct gn_rule (a gn_config_element_parser).  The networks of
 * 'cfg' must already be parsed. */
static char *
gn_config_parse_rule__(const json_t *j, const char *path,
                       struct gn_config *cfg, void *elem)
{
    static const char *const keys[] = { "from", "to", "proto", "port" };
    struct gn_rule *rule = elem;
    char field[GN_CONFIG_PATH_SIZE];
    const json_t *value;
    char *error;
    size_t i;

    error = gn_config_check_keys__(j, path, keys, GN_ARRAY_SIZE(keys));
    if (!error) {
        error = gn_config_parse_rule_end__(j, path, "from", cfg,
                                           &rule->from);
    }
    if (!error) {
        error = gn_config_parse_rule_end__(j, path, "to", cfg, &rule->to);
    }
    if (error) {
        return error;
    }
    if (!strcmp(rule->from, rule->to)) {
        return gn_config_error__(path, "\"from\" and \"to\" are both \"%s\" "
                                 "(a rule joins two different networks)",
                                 rule->from);
    }

    error = gn_config_get__(j, path, "proto", GN_CONFIG_STRING, false,
                            &value);
    if (error) {
        return error;
    }
    rule->proto = gn_xstrdup(value ? json_string_value(value) : "any");
    for (i = 0; i < GN_ARRAY_SIZE(gn_config_protos); i++) {
        if (!strcmp(rule->proto, gn_config_protos[i])) {
            break;
        }
    }
    if (i == GN_ARRAY_SIZE(gn_config_protos)) {
        char *quoted = gn_config_quote__(value);

        error = gn_config_error__(gn_config_member_path__(field, path,
                                                          "proto"),
                                  "%s is not a protocol (tcp, udp, icmp or "
                                  "any)", quoted);
        free(quoted);
        return error;
    }

    error = gn_config_get__(j, path, "port", GN_CONFIG_INTEGER, false,
                            &value);
    if (error || !value) {
        return error;
    }
    gn_config_member_path__(field, path, "port");
    if (strcmp(rule->proto, "tcp") && strcmp(rule->proto, "udp")) {
        return gn_config_error__(field, "a port needs proto tcp or udp, not "
                                 "\"%s\"", rule->proto);
    }
    if (json_integer_value(value) < 1
        || json_integer_value(value) > GN_CONFIG_PORT_MAX) {
        return gn_config_error__(field, "%" JSON_INTEGER_FORMAT " is not a "
                                 "port number (1-%d)",
                                 json_integer_value(value),
                                 GN_CONFIG_PORT_MAX);
    }
    rule->port = json_integer_value(value);
    return NULL;
}

/* Parses the optional string member 'key' of the top-level object 'top'
 * (borrowed) into a new string in '*namep' (freed with the config): its
 * value or, if it is absent, 'dflt' (none if NULL: '*namep' stays NULL),
 * checked with 'check', which returns NULL or a new error message.  Returns
 * NULL or a new error message (caller frees). */
static char *
gn_config_parse_name__(const json_t *top, const char *key, const char *dflt,
                       char *(*check)(const char *), char **namep)
{
    const json_t *value;
    char *error;

    error = gn_config_get__(top, "", key, GN_CONFIG_STRING, false, &value);
    if (error || (!value && !dflt)) {
        return error;
    }
    *namep = gn_xstrdup(value ? json_string_value(value) : dflt);
    error = check(*namep);
    return error ? gn_config_wrap__(key, error) : NULL;
}

/* Parses the bridge-level members of the top-level object 'top' (borrowed)
 * into 'cfg': "bridge", "datapath_type" and "uplink", with their defaults.
 * Returns NULL or a new error message (caller frees). */
static char *
gn_config_parse_bridge__(const json_t *top, struct gn_config *cfg)
{
    const json_t *value;
    char *error;

    error = gn_config_parse_name__(top, "bridge", GN_CONFIG_DEFAULT_BRIDGE,
                                   netaddr_check_ifname, &cfg->bridge);
    if (error) {
        return error;
    }

    error = gn_config_get__(top, "", "datapath_type", GN_CONFIG_STRING,
                            false, &value);
    if (error) {
        return error;
    }
    cfg->datapath_type = gn_xstrdup(value ? json_string_value(value)
                                    : GN_CONFIG_DEFAULT_DATAPATH);
    if (strcmp(cfg->datapath_type, "system")
        && strcmp(cfg->datapath_type, "netdev")) {
        char *quoted = gn_config_quote__(value);

        error = gn_config_error__("datapath_type", "%s is not a datapath "
                                  "type (system or netdev)", quoted);
        free(quoted);
        return error;
    }

    error = gn_config_parse_name__(top, "uplink", NULL, netaddr_check_ifname,
                                   &cfg->uplink);
    if (error || !cfg->uplink) {
        return error;
    }
    if (!strcmp(cfg->uplink, cfg->bridge)) {
        return gn_config_error__("uplink", "\"%s\" is the bridge itself",
                                 cfg->uplink);
    }
    return NULL;
}

/* Parses the member "pps" or "burst" (named 'key') of the
 * "broadcast_limit" object 'j' (borrowed) into '*valuep', which keeps its
 * value if the member is absent.  Returns NULL or a new error message
 * (caller frees). */
static char *
gn_config_parse_limit_member__(const json_t *j, const char *key,
                               unsigned int min, unsigned int *valuep)
{
    char field[GN_CONFIG_PATH_SIZE];
    const json_t *value;
    json_int_t n;
    char *error;

    error = gn_config_get__(j, "broadcast_limit", key, GN_CONFIG_INTEGER,
                            false, &value);
    if (error || !value) {
        return error;
    }
    n = json_integer_value(value);
    if (n < min || n > GN_CONFIG_BCAST_MAX) {
        return gn_config_error__(gn_config_member_path__(field,
                                                         "broadcast_limit",
                                                         key),
                                 "%" JSON_INTEGER_FORMAT " is out of range "
                                 "(%u-%d)", n, min, GN_CONFIG_BCAST_MAX);
    }
    *valuep = n;
    return NULL;
}

/* Parses the member "broadcast_limit" of the top-level object 'top'
 * (borrowed) into 'cfg', with its defaults.  Returns NULL or a new error
 * message (caller frees). */
static char *
gn_config_parse_broadcast_limit__(const json_t *top, struct gn_config *cfg)
{
    static const char *const keys[] = { "pps", "burst" };
    struct gn_broadcast_limit *bl = &cfg->broadcast_limit;
    const json_t *j;
    char *error;

    bl->pps = GN_CONFIG_BCAST_PPS_DEFAULT;
    bl->burst = 0;
    error = gn_config_get__(top, "", "broadcast_limit", GN_CONFIG_OBJECT,
                            false, &j);
    if (!error && j) {
        error = gn_config_check_keys__(j, "broadcast_limit", keys,
                                       GN_ARRAY_SIZE(keys));
        if (!error) {
            error = gn_config_parse_limit_member__(j, "pps", 0, &bl->pps);
        }
        if (!error) {
            error = gn_config_parse_limit_member__(j, "burst", 1,
                                                   &bl->burst);
        }
    }
    if (!error && !bl->burst) {
        bl->burst = bl->pps ? 2 * bl->pps : 1;
        if (bl->burst > GN_CONFIG_BCAST_MAX) {
            bl->burst = GN_CONFIG_BCAST_MAX;
        }
    }
    return error;
}

/* Parses member "host" of 'top' (borrowed) into 'cfg': the host's name in
 * a cluster, 1-63 of [a-z0-9.-] starting with a letter or digit. */
static char *
gn_config_parse_host__(const json_t *top, struct gn_config *cfg)
{
    return gn_config_parse_name__(top, "host", NULL,
                                  gn_config_check_host_name, &cfg->host);
}

char *
gn_config_check_host_name(const char *name)
{
    size_t len = strlen(name);

    if (!len || len > GN_CONFIG_HOST_MAX
        || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789.-") != len
        || name[0] == '-' || name[0] == '.') {
        return gn_xasprintf("\"%s\" is not a host name (1-%d of a-z, "
                            "0-9, \".\" and \"-\", starting with a letter "
                            "or digit)", name, GN_CONFIG_HOST_MAX);
    }
    return NULL;
}

/* Parses and checks the config 'json' (borrowed).  On success returns NULL
 * and stores a new config in '*cfgp' (caller frees with
 * gn_config_destroy()); on failure returns a new error message that starts
 * with the path of the field at fault (caller frees) and stores NULL. */
char *
gn_config_from_json(const json_t *json, struct gn_config **cfgp)
{
    static const char *const keys[] = {
        "bridge", "datapath_type", "uplink", "networks", "rules",
        "broadcast_limit", "host",
    };
    struct gn_config *cfg;
    char *error;

    *cfgp = NULL;
    if (!json_is_object(json)) {
        return gn_xasprintf("expected an object at the top level, got %s",
                            gn_config_type_name__(json));
    }

    cfg = gn_xzalloc(sizeof *cfg);
    error = gn_config_check_keys__(json, "", keys, GN_ARRAY_SIZE(keys));
    if (!error) {
        error = gn_config_parse_bridge__(json, cfg);
    }
    if (!error) {
        error = gn_config_parse_host__(json, cfg);
    }
    if (!error) {
        error = gn_config_parse_array__(json, "networks",
                                        sizeof *cfg->networks,
                                        (void **) &cfg->networks,
                                        &cfg->n_networks, cfg,
                                        gn_config_parse_networks_element__);
    }
    if (!error) {
        error = gn_config_parse_array__(json, "rules", sizeof *cfg->rules,
                                        (void **) &cfg->rules, &cfg->n_rules,
                                        cfg, gn_config_parse_rule__);
    }
    if (!error) {
        error = gn_config_parse_broadcast_limit__(json, cfg);
    }
    if (error) {
        gn_config_destroy(cfg);
        return error;
    }
    *cfgp = cfg;
    return NULL;
}

/* Reads the file 'file_name' and parses it as gn_config_from_json() does.
 * On success returns NULL and stores a new config in '*cfgp' (caller frees
 * with gn_config_destroy()).  On failure stores NULL and returns a new error
 * message (caller frees) that starts with 'file_name': then strerror() for
 * a file that cannot be read, "LINE:COLUMN: " and jansson's text for
 * malformed JSON, or the field path for an invalid config. */
char *
gn_config_read(const char *file_name, struct gn_config **cfgp)
{
    json_error_t jerror;
    char *error;
    json_t *json;
    FILE *file;

    *cfgp = NULL;
    file = fopen(file_name, "r");
    if (!file) {
        return gn_xasprintf("%s: %s", file_name, strerror(errno));
    }
    json = json_loadf(file, JSON_REJECT_DUPLICATES, &jerror);
    if (ferror(file)) {
        error = gn_xasprintf("%s: %s", file_name, strerror(errno));
        json_decref(json);
        fclose(file);
        return error;
    }
    fclose(file);
    if (!json) {
        return gn_xasprintf("%s:%d:%d: %s", file_name,
                            jerror.line, jerror.column, jerror.text);
    }

    error = gn_config_from_json(json, cfgp);
    json_decref(json);
    if (error) {
        char *full = gn_xasprintf("%s: %s", file_name, error);

        free(error);
        return full;
    }
    return NULL;
}

/* Frees 'cfg' and everything it owns.  Accepts NULL. */
void
gn_config_destroy(struct gn_config *cfg)
{
    size_t i;

    if (!cfg) {
        return;
    }
    for (i = 0; i < cfg->n_networks; i++) {
        struct gn_network *net = &cfg->networks[i];

        free(net->name);
        free(net->subnets);
        free(net->gateways);
        free(net->dns);
        free(net->dns6);
    }
    free(cfg->networks);
    for (i = 0; i < cfg->n_rules; i++) {
        free(cfg->rules[i].from);
        free(cfg->rules[i].to);
        free(cfg->rules[i].proto);
    }
    free(cfg->rules);
    free(cfg->bridge);
    free(cfg->datapath_type);
    free(cfg->uplink);
    free(cfg->host);
    free(cfg);
}

/* Returns the network of 'cfg' named 'name' (owned by 'cfg'), or NULL. */
const struct gn_network *
gn_config_find_network(const struct gn_config *cfg, const char *name)
{
    size_t i;

    for (i = 0; i < cfg->n_networks; i++) {
        if (!strcmp(cfg->networks[i].name, name)) {
            return &cfg->networks[i];
        }
    }
    return NULL;
}

/* Returns the network of 'cfg' on VLAN 'vlan' (owned by 'cfg'), or NULL. */
const struct gn_network *
gn_config_find_vlan(const struct gn_config *cfg, int vlan)
{
    size_t i;

    for (i = 0; i < cfg->n_networks; i++) {
        if (cfg->networks[i].vlan == vlan) {
            return &cfg->networks[i];
        }
    }
    return NULL;
}

/* Returns a new JSON array of the 'n' addresses 'ips' as strings, with
 * "/plen" when 'with_plen'. */
static json_t *
gn_config_ips_to_json__(const struct netaddr_ip *ips, size_t n,
                        bool with_plen)
{
    json_t *array = json_array();
    size_t i;

    for (i = 0; i < n; i++) {
        char addr[INET6_ADDRSTRLEN];
        char s[INET6_ADDRSTRLEN + sizeof "/128"];

        netaddr_format_ip(&ips[i], addr, sizeof addr);
        if (with_plen) {
            snprintf(s, sizeof s, "%s/%u", addr, ips[i].plen);
        } else {
            snprintf(s, sizeof s, "%s", addr);
        }
        json_array_append_new(array, json_string(s));
    }
    return array;
}

/* Returns 'cfg' as JSON in the file's format, with every default spelled
 * out ("mtu", "uplink" and "port" are left out when not set), so that
 * gn_config_from_json() gives back an equal config.  Returns a new
 * reference. */
json_t *
gn_config_to_json(const struct gn_config *cfg)
{
    json_t *networks = json_array();
    json_t *rules = json_array();
    json_t *top;
    size_t i;

    for (i = 0; i < cfg->n_networks; i++) {
        const struct gn_network *net = &cfg->networks[i];
        json_t *j = json_pack("{s:s, s:i, s:o, s:o, s:b}",
                              "name", net->name,
                              "vlan", net->vlan,
                              "subnets",
                              gn_config_ips_to_json__(net->subnets,
                                                      net->n_subnets, true),
                              "gateways",
                              gn_config_ips_to_json__(net->gateways,
                                                      net->n_gateways,
                                                      false),
                              "private", net->private_);

        json_object_set_new(j, "dhcp", json_boolean(net->dhcp));
        if (net->n_dns || net->n_dns6) {
            json_t *dns = gn_config_ips_to_json__(net->dns, net->n_dns,
                                                  false);
            json_t *dns6 = gn_config_ips_to_json__(net->dns6, net->n_dns6,
                                                   false);

            json_array_extend(dns, dns6);
            json_decref(dns6);
            json_object_set_new(j, "dns", dns);
        }
        if (net->mtu) {
            json_object_set_new(j, "mtu", json_integer(net->mtu));
        }
        if (net->limits.set) {
            json_object_set_new(j, "limits", gn_limits_to_json(&net->limits));
        }
        json_array_append_new(networks, j);
    }
    for (i = 0; i < cfg->n_rules; i++) {
        const struct gn_rule *rule = &cfg->rules[i];
        json_t *j = json_pack("{s:s, s:s, s:s}", "from", rule->from,
                              "to", rule->to, "proto", rule->proto);

        if (rule->port) {
            json_object_set_new(j, "port", json_integer(rule->port));
        }
        json_array_append_new(rules, j);
    }

    top = json_pack("{s:s, s:s, s:o, s:o, s:{s:I, s:I}}",
                    "bridge", cfg->bridge,
                    "datapath_type", cfg->datapath_type,
                    "networks", networks,
                    "rules", rules,
                    "broadcast_limit",
                    "pps", (json_int_t) cfg->broadcast_limit.pps,
                    "burst", (json_int_t) cfg->broadcast_limit.burst);
    if (cfg->host) {
        json_object_set_new(top, "host", json_string(cfg->host));
    }
    if (cfg->uplink) {
        json_object_set_new(top, "uplink", json_string(cfg->uplink));
    }
    return top;
}
