/* port-spec.c: a request to add a guest port, validated into a struct
 * port_spec (see include/ports.h): the fields each kind takes, names,
 * MAC, addresses inside the network's subnets, owners, namespaces (checked
 * without blocking), and the conflicts with ports and devices that
 * exist. */
#include <config.h>

#include "ports-private.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "gn-config.h"
#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netdev.h"
#include "ovsdb-replica.h"

GN_LOG_MODULE(ports);

void
port_spec_destroy(struct port_spec *spec)
{
    if (!spec) {
        return;
    }
    free(spec->name);
    free(spec->network);
    free(spec->ips);
    free(spec->assigned);
    free(spec->gateways);
    free(spec->iface_id);
    free(spec->vm_id);
    free(spec->token);
    free(spec->request_hash);
    free(spec->peer);
    free(spec->netns_name);
    free(spec->netns_path);
    free(spec->guest_ifname);
    free(spec->limits);
    free(spec->stale_alias);
    free(spec->stale_peer_alias);
    memset(spec, 0, sizeof *spec);
}

/* Field access with errors that name the field.  Each returns NULL or a
 * malloc'd error. */
static char *
ports_get_string__(const json_t *req, const char *key, bool required,
                   const char **out)
{
    const json_t *v = json_object_get(req, key);

    *out = NULL;
    if (!v || json_is_null(v)) {
        return required ? gn_xasprintf("%s: missing (required)", key) : NULL;
    }
    if (!json_is_string(v)) {
        return gn_xasprintf("%s: expected a string", key);
    }
    if (!json_string_length(v) || strlen(json_string_value(v))
                                  != json_string_length(v)) {
        return gn_xasprintf("%s: must be a non-empty string without NUL",
                            key);
    }
    *out = json_string_value(v);
    return NULL;
}

static char *
ports_get_int__(const json_t *req, const char *key, long long min,
                long long max, long long *out)
{
    const json_t *v = json_object_get(req, key);

    if (!v || json_is_null(v)) {
        return NULL;
    }
    if (!json_is_integer(v)) {
        return gn_xasprintf("%s: expected an integer", key);
    }
    if (json_integer_value(v) < min || json_integer_value(v) > max) {
        return gn_xasprintf("%s: %lld is out of range (%lld-%lld)", key,
                            (long long) json_integer_value(v), min, max);
    }
    *out = json_integer_value(v);
    return NULL;
}

/* A user or group given by number or name. */
static char *
ports_get_id__(const json_t *req, const char *key, bool group,
               unsigned int *out)
{
    const json_t *v = json_object_get(req, key);

    *out = (unsigned int) -1;
    if (!v || json_is_null(v)) {
        return NULL;
    }
    if (json_is_integer(v)) {
        if (json_integer_value(v) < 0 || json_integer_value(v) >= INT_MAX) {
            return gn_xasprintf("%s: %lld is not a valid id", key,
                                (long long) json_integer_value(v));
        }
        *out = json_integer_value(v);
        return NULL;
    }
    if (!json_is_string(v)) {
        return gn_xasprintf("%s: expected a name or a number", key);
    }
    const char *name = json_string_value(v);
    if (group) {
        struct group *gr = getgrnam(name);
        if (!gr) {
            return gn_xasprintf("%s: no group \"%s\"", key, name);
        }
        *out = gr->gr_gid;
    } else {
        struct passwd *pw = getpwnam(name);
        if (!pw) {
            return gn_xasprintf("%s: no user \"%s\"", key, name);
        }
        *out = pw->pw_uid;
    }
    return NULL;
}

static const char *const ports_fields[] = {
    "name", "kind", "network", "mac", "ips", "mtu", "iface_id", "vm_id",
    "owner", "group", "mode", "peer", "netns", "netns_pid", "netns_path",
    "guest_ifname", "server", "limits", "wait", PORTS_ASSIGNED_FIELD,
};

static char *
ports_check_fields__(const json_t *req)
{
    const char *key;
    const json_t *v;

    json_object_foreach ((json_t *) req, key, v) {
        bool known = false;
        for (size_t i = 0; i < GN_ARRAY_SIZE(ports_fields); i++) {
            if (!strcmp(key, ports_fields[i])) {
                known = true;
                break;
            }
        }
        if (!known) {
            return gn_xasprintf("unknown field \"%s\"", key);
        }
    }
    return NULL;
}

/* Checks that 'ip', element 'i' of "ips" (as 'text'), inside 'subnet' of
 * 'net', may be a guest's: not an address no host may have (the subnet's
 * network or broadcast address), not one of the network's gateways and
 * not given twice.  Returns NULL or a malloc'd message. */
static char *
ports_check_ip__(const struct netaddr_ip *ip, const struct netaddr_ip *subnet,
                 const struct gn_network *net, const struct port_spec *spec,
                 size_t i, const char *text)
{
    const char *reserved = netaddr_reserved_in_subnet(ip, subnet);

    if (reserved) {
        return gn_xasprintf("ips[%zu]: %s is %s of its subnet, no guest's",
                            i, text, reserved);
    }
    for (size_t k = 0; k < net->n_gateways; k++) {
        if (netaddr_ip_same_addr(&net->gateways[k], ip)) {
            return gn_xasprintf("ips[%zu]: %s is a gateway of network "
                                "\"%s\"", i, text, net->name);
        }
    }
    for (size_t k = 0; k < spec->n_ips; k++) {
        if (netaddr_ip_same_addr(&spec->ips[k], ip)) {
            return gn_xasprintf("ips[%zu]: %s is given twice", i, text);
        }
    }
    return NULL;
}

/* Parses "ips" into 'spec', each inside a subnet of 'net' and taking that
 * subnet's prefix length. */
static char *
ports_get_ips__(const json_t *req, const struct gn_network *net,
                struct port_spec *spec)
{
    const json_t *ips = json_object_get(req, "ips");
    size_t i;
    const json_t *v;

    if (!ips || json_is_null(ips)) {
        return NULL;
    }
    if (!json_is_array(ips)) {
        return gn_xstrdup("ips: expected an array of addresses");
    }
    if (json_array_size(ips) > 16) {
        return gn_xstrdup("ips: at most 16 addresses");
    }
    spec->ips = gn_xcalloc(json_array_size(ips) + 1, sizeof *spec->ips);
    json_array_foreach (ips, i, v) {
        struct netaddr_ip ip;
        char *error;
        size_t j;

        if (!json_is_string(v)) {
            return gn_xasprintf("ips[%zu]: expected a string", i);
        }
        error = netaddr_parse_ip(json_string_value(v), 0, &ip);
        if (error) {
            char *e = gn_xasprintf("ips[%zu]: %s", i, error);
            free(error);
            return e;
        }
        for (j = 0; j < net->n_subnets; j++) {
            if (netaddr_ip_in_subnet(&ip, &net->subnets[j])) {
                ip.plen = net->subnets[j].plen;
                break;
            }
        }
        if (j == net->n_subnets) {
            return gn_xasprintf("ips[%zu]: %s is not in a subnet of "
                                "network \"%s\"", i, json_string_value(v),
                                net->name);
        }
        error = ports_check_ip__(&ip, &net->subnets[j], net, spec, i,
                                 json_string_value(v));
        if (error) {
            return error;
        }
        spec->ips[spec->n_ips++] = ip;
    }
    return NULL;
}

/* If device 'name' carries guestnet's owner mark (its alias starts with
 * PORTS_ALIAS_PREFIX), returns the mark, malloc'd; else NULL.  The caller
 * has checked that no port in OVSDB uses that name (ports_device_user__())
 * and the engine that no request in progress makes it: such a device is
 * one a crash left behind before its port was committed, and creating the
 * port's devices replaces it (port_create_devices()). */
static char *
ports_device_stale_mark__(const char *name)
{
    char alias[256];

    return (netdev_get_alias(name, alias, sizeof alias)
            && !strncmp(alias, PORTS_ALIAS_PREFIX,
                        strlen(PORTS_ALIAS_PREFIX))
            ? gn_xstrdup(alias) : NULL);
}

/* Derives a host-side name for the guest end of a veth: NAME + "p" when it
 * fits, else "gnp" + a hash of NAME. */
static char *
ports_peer_name__(const char *name)
{
    unsigned int h = 5381;

    if (strlen(name) < NETADDR_IFNAME_MAX) {
        return gn_xasprintf("%sp", name);
    }
    for (const char *p = name; *p; p++) {
        h = h * 33 + (unsigned char) *p;
    }
    return gn_xasprintf("gnp%08x", h);
}

/* True if any Port or Interface in the database is named 'name'. */
static bool
ports_name_in_db__(const struct ovsdb_replica *r, const char *name)
{
    return (ovsdb_replica_index_count(r, "Port", "name", name)
            || ovsdb_replica_index_count(r, "Interface", "name", name));
}

/* If a port in OVSDB uses device name 'dev', as its own (a Port or an
 * Interface of that name) or as the guest end of its veth (the
 * Interface's external_ids guestnet:peer), returns that port's name
 * (borrowed) and sets '*as_peer' to tell which; else NULL.  Such a name is
 * never free for a new port, whether the device is there or not: a device
 * of ours that a live port uses is not one a crash left behind. */
void
port_peers_build(const struct ovsdb_replica *r, struct gn_strmap *peers)
{
    const char *uuid;
    const json_t *row;

    /* (external_ids is a map, which the replica does not index.) */
    OVSDB_REPLICA_FOR_EACH (uuid, row, r, "Interface") {
        const char *peer = ovsdb_datum_map_get_string(row, "external_ids",
                                                      PORTS_PEER_KEY);
        const char *name = ovsdb_datum_string(row, "name");

        if (peer) {
            gn_strmap_put(peers, peer, (void *) (name ? name : "?"));
        }
    }
}

static const char *
ports_device_user__(const struct ovsdb_replica *r,
                    const struct gn_strmap *peers, const char *dev,
                    bool *as_peer)
{
    const char *uuid;
    const json_t *row;

    *as_peer = false;
    if (ports_name_in_db__(r, dev)) {
        return dev;
    }
    if (peers) {
        const char *name = gn_strmap_get(peers, dev);

        *as_peer = name != NULL;
        return name;
    }
    OVSDB_REPLICA_FOR_EACH (uuid, row, r, "Interface") {
        const char *peer = ovsdb_datum_map_get_string(row, "external_ids",
                                                      PORTS_PEER_KEY);
        if (peer && !strcmp(peer, dev)) {
            const char *name = ovsdb_datum_string(row, "name");

            *as_peer = true;
            return name ? name : "?";
        }
    }
    return NULL;
}

/* Checks that device name 'dev', for 'field' ("name" or "peer") of a new
 * port, is free: no port in OVSDB uses it and no device of that name is
 * on the host, unless it is one a crash left with guestnet's mark, whose
 * mark goes to '*stale_markp' ('*stale_markp' is left alone otherwise).
 * 'partner' (may be NULL): a device name whose stale veth pair may hold
 * 'dev' as its unmarked other end.  Returns NULL or a malloc'd message. */
static char *
ports_check_device_free__(const struct ovsdb_replica *r,
                          const struct gn_strmap *peers, const char *field,
                          const char *dev, const char *partner,
                          char **stale_markp)
{
    bool as_peer;
    const char *user = ports_device_user__(r, peers, dev, &as_peer);
    bool exists = netdev_exists(dev);
    char *mark;

    if (user && !as_peer) {
        return gn_xasprintf("%s: a port named \"%s\" exists", field, dev);
    }
    if (user) {
        return (exists
                ? gn_xasprintf("%s: a network device named \"%s\" exists "
                               "on this host (port %s's peer)", field, dev,
                               user)
                : gn_xasprintf("%s: \"%s\" is port %s's peer", field, dev,
                               user));
    }
    if (!exists) {
        return NULL;
    }
    mark = ports_device_stale_mark__(dev);
    if (mark) {
        free(*stale_markp);
        *stale_markp = mark;
        return NULL;
    }
    /* (An unmarked guest end beside its marked host end goes with it.) */
    /* ('partner' passed this check already: no port uses it.) */
    if (partner
        && (mark = ports_device_stale_mark__(partner)) != NULL) {
        bool pair = netdev_is_veth_pair(partner, dev);

        free(mark);
        if (pair) {
            return NULL;
        }
    }
    return gn_xasprintf("%s: a network device named \"%s\" exists on "
                        "this host", field, dev);
}

static char *
port_spec_from_json__(const json_t *req, const struct gn_config *cfg,
                      const struct ovsdb_replica *r,
                      const struct gn_strmap *peers, struct port_spec *spec,
                      enum port_error *kind)
{
    const struct gn_network *net;
    const char *name, *kind_s, *network, *mac, *s;
    long long ll;
    char *error;

    *kind = PORT_ERR_INVALID;
    if (!json_is_object(req)) {
        return gn_xstrdup("request body must be a JSON object");
    }
    if ((error = ports_check_fields__(req))
        || (error = ports_get_string__(req, "name", true, &name))
        || (error = ports_get_string__(req, "kind", true, &kind_s))
        || (error = ports_get_string__(req, "network", true, &network))
        || (error = ports_get_string__(req, "mac", false, &mac))) {
        return error;
    }
    error = netaddr_check_ifname(name);
    if (error) {
        char *e = gn_xasprintf("name: %s", error);
        free(error);
        return e;
    }
    spec->name = gn_xstrdup(name);
    if (!strcmp(kind_s, "kvm")) {
        spec->kind = PORT_KIND_KVM;
    } else if (!strcmp(kind_s, "lxc")) {
        spec->kind = PORT_KIND_LXC;
    } else {
        return gn_xasprintf("kind: \"%s\" is not a port kind (kvm or lxc)",
                            kind_s);
    }

    net = gn_config_find_network(cfg, network);
    if (!net) {
        *kind = PORT_ERR_NOT_FOUND;
        return gn_xasprintf("network: no network named \"%s\"", network);
    }
    spec->network = gn_xstrdup(net->name);
    spec->vlan = net->vlan;
    spec->mtu = net->mtu;

    if (mac) {
        const uint8_t *b = spec->mac.b;

        error = netaddr_parse_mac(mac, true, &spec->mac);
        if (error) {
            char *e = gn_xasprintf("mac: %s", error);
            free(error);
            return e;
        }
        /* guestnet's own: the gateways' (0a:00:00:00:VV:VV) and, in a
         * cluster, the hosts' router MACs (0a:58:...). */
        if (b[0] == 0x0a && (b[1] == 0x58 || (!b[1] && !b[2] && !b[3]))) {
            return gn_xasprintf("mac: %s is reserved for guestnet's %s "
                                "MACs", mac, b[1] == 0x58 ? "router"
                                                          : "gateway");
        }
    } else {
        netaddr_random_mac(&spec->mac);
    }
    if ((error = ports_get_ips__(req, net, spec))) {
        return error;
    }
    /* Default routes through the network's gateways, for each address
     * family the guest has an address of. */
    spec->gateways = gn_xcalloc(net->n_gateways + 1,
                                sizeof *spec->gateways);
    for (size_t i = 0; i < net->n_gateways; i++) {
        for (size_t j = 0; j < spec->n_ips; j++) {
            if (spec->ips[j].family == net->gateways[i].family) {
                spec->gateways[spec->n_gateways++] = net->gateways[i];
                break;
            }
        }
    }
    ll = 0;
    if ((error = ports_get_int__(req, "mtu", 68, 65535, &ll))) {
        return error;
    }
    if (ll) {
        spec->mtu = ll;
    }
    if ((error = ports_get_string__(req, "iface_id", false, &s))) {
        return error;
    }
    spec->iface_id = gn_xstrdup(s ? s : name);
    if ((error = ports_get_string__(req, "vm_id", false, &s))) {
        return error;
    }
    spec->vm_id = s ? gn_xstrdup(s) : NULL;

    const json_t *server = json_object_get(req, "server");
    if (server && !json_is_null(server)) {
        if (!json_is_boolean(server)) {
            return gn_xstrdup("server: expected true or false");
        }
        spec->server = json_is_true(server);
    }

    const json_t *limits = json_object_get(req, "limits");
    if (limits && !json_is_null(limits)) {
        struct gn_limits own;

        if ((error = gn_limits_from_json(limits, "limits", &own, NULL))) {
            return error;
        }
        spec->limits = own.set ? gn_limits_format(&own) : NULL;
    }

    unsigned int id;
    if ((error = ports_get_id__(req, "owner", false, &id))) {
        return error;
    }
    spec->owner = id;
    if ((error = ports_get_id__(req, "group", true, &id))) {
        return error;
    }
    spec->group = id;

    /* lxc: where the guest end goes. */
    const char *mode = NULL, *netns = NULL, *netns_path = NULL, *peer = NULL;
    const char *guest_ifname = NULL;
    long long pid = 0;
    if ((error = ports_get_string__(req, "mode", false, &mode))
        || (error = ports_get_string__(req, "netns", false, &netns))
        || (error = ports_get_string__(req, "netns_path", false,
                                       &netns_path))
        || (error = ports_get_int__(req, "netns_pid", 1, INT_MAX, &pid))
        || (error = ports_get_string__(req, "peer", false, &peer))
        || (error = ports_get_string__(req, "guest_ifname", false,
                                       &guest_ifname))) {
        return error;
    }
    int n_netns = !!netns + !!netns_path + !!pid;
    if (spec->kind == PORT_KIND_KVM) {
        if (mode || n_netns || peer || guest_ifname) {
            return gn_xstrdup("mode, netns, netns_pid, netns_path, peer and "
                              "guest_ifname apply to lxc ports only");
        }
    } else {
        if (spec->owner != (uid_t) -1 || spec->group != (gid_t) -1) {
            return gn_xstrdup("owner and group apply to kvm ports only");
        }
        if (!mode) {
            mode = n_netns ? "netns" : "phys";
        }
        if (!strcmp(mode, "phys")) {
            spec->phys = true;
            if (n_netns || guest_ifname) {
                return gn_xstrdup("mode \"phys\" leaves the guest end on the "
                                  "host: netns and guest_ifname do not "
                                  "apply");
            }
        } else if (!strcmp(mode, "netns")) {
            if (n_netns != 1) {
                return gn_xstrdup("mode \"netns\" needs exactly one of netns, "
                                  "netns_pid, netns_path");
            }
        } else {
            return gn_xasprintf("mode: \"%s\" is not a mode (phys or netns)",
                                mode);
        }
        if (peer && (error = netaddr_check_ifname(peer))) {
            char *e = gn_xasprintf("peer: %s", error);
            free(error);
            return e;
        }
        if (guest_ifname && (error = netaddr_check_ifname(guest_ifname))) {
            char *e = gn_xasprintf("guest_ifname: %s", error);
            free(error);
            return e;
        }
        spec->peer = peer ? gn_xstrdup(peer) : ports_peer_name__(name);
        if (!strcmp(spec->peer, name)) {
            return gn_xstrdup("peer: must differ from name");
        }
        spec->netns_pid = pid;
        spec->netns_name = netns ? gn_xstrdup(netns) : NULL;
        spec->netns_path = netns_path ? gn_xstrdup(netns_path) : NULL;
        spec->guest_ifname = gn_xstrdup(guest_ifname ? guest_ifname
                                        : "eth0");
        int err = n_netns ? netdev_netns_check(pid, netns, netns_path,
                                               &error)
                          : 0;
        if (err) {
            char *e = gn_xasprintf("netns: %s", error);
            free(error);
            *kind = err == ENOENT ? PORT_ERR_NOT_FOUND : PORT_ERR_INVALID;
            return e;
        }
    }

    /* Conflicts: a port in OVSDB that uses either name (as its own or as
     * its peer), or a device on the host that is not one a crash left. */
    *kind = PORT_ERR_CONFLICT;
    if ((error = ports_check_device_free__(r, peers, "name", name, NULL,
                                           &spec->stale_alias))
        || (spec->peer
            && (error = ports_check_device_free__(r, peers, "peer",
                                                  spec->peer, name,
                                                  &spec->stale_peer_alias)))) {
        return error;
    }
    *kind = PORT_ERR_NONE;
    return NULL;
}

char *
port_spec_from_json(const json_t *req, const struct gn_config *cfg,
                    const struct ovsdb_replica *r,
                    const struct gn_strmap *peers, struct port_spec *spec,
                    enum port_error *kind)
{
    char *error;

    memset(spec, 0, sizeof *spec);
    spec->owner = (uid_t) -1;
    spec->group = (gid_t) -1;
    error = port_spec_from_json__(req, cfg, r, peers, spec, kind);
    if (!error) {
        struct netaddr_mac rnd;
        char hex[18];

        netaddr_random_mac(&rnd);
        netaddr_format_mac(&rnd, hex);
        spec->token = gn_xasprintf("%llx-%s", gn_time_wall_msec(), hex + 9);
        spec->request_hash = port_request_hash(req);
    }
    if (error) {
        port_spec_destroy(spec);
    }
    return error;
}

char *
port_request_hash(const json_t *req)
{
    char *text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    uint64_t h = 0xcbf29ce484222325ULL;     /* FNV-1a, 64 bits. */

    for (const char *p = text ? text : ""; *p; p++) {
        h = (h ^ (unsigned char) *p) * 0x100000001b3ULL;
    }
    free(text);
    return gn_xasprintf("%016llx", (unsigned long long) h);
}
