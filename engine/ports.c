/* ports.c: guest port requests, their devices and OVSDB rows, and the
 * binding of every port on the bridge to a network (see include/ports.h). */
#include <config.h>

#include "ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netdev.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(ports);

/* external_ids keys. */
#define K_KIND "guestnet:kind"
#define K_NETWORK "guestnet:network"
#define K_IPS "guestnet:ips"
#define K_CREATED "guestnet:created"
#define K_PEER "guestnet:peer"
#define K_QUARANTINE "guestnet:quarantine"
#define K_REQUEST "guestnet:request"
#define K_SERVER "guestnet:server"

const char *
port_kind_name(enum port_kind kind)
{
    switch (kind) {
    case PORT_KIND_KVM:
        return "kvm";
    case PORT_KIND_LXC:
        return "lxc";
    case PORT_KIND_ADOPTED:
        return "adopted";
    }
    return "?";
}

void
port_spec_destroy(struct port_spec *spec)
{
    if (!spec) {
        return;
    }
    free(spec->name);
    free(spec->network);
    free(spec->ips);
    free(spec->gateways);
    free(spec->iface_id);
    free(spec->vm_id);
    free(spec->token);
    free(spec->peer);
    free(spec->netns_name);
    free(spec->netns_path);
    free(spec->guest_ifname);
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
    "guest_ifname", "server", "wait",
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
        spec->ips[spec->n_ips++] = ip;
    }
    return NULL;
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

char *
port_find(const struct ovsdb_replica *r, const char *br_uuid,
          const char *name)
{
    const json_t *uuids = ovsdb_replica_index_lookup(r, "Port", "name",
                                                     name);
    const char *uuid, *found = NULL;
    const json_t *v;

    /* Usually one Port has the name; if several do, the smallest UUID of
     * those on the bridge, as ovsdb_replica_index_find() would pick. */
    json_object_foreach ((json_t *) uuids, uuid, v) {
        if (ovsdb_replica_index_has(r, "Bridge", "ports", uuid, br_uuid)
            && (!found || strcmp(uuid, found) < 0)) {
            found = uuid;
        }
    }
    return found ? gn_xstrdup(found) : NULL;
}

/* True if any Port or Interface in the database is named 'name'. */
static bool
ports_name_in_db__(const struct ovsdb_replica *r, const char *name)
{
    return (ovsdb_replica_index_lookup(r, "Port", "name", name)
            || ovsdb_replica_index_lookup(r, "Interface", "name", name));
}

static char *
port_spec_from_json__(const json_t *req, const struct gn_config *cfg,
                      const struct ovsdb_replica *r, struct port_spec *spec,
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
        error = netaddr_parse_mac(mac, true, &spec->mac);
        if (error) {
            char *e = gn_xasprintf("mac: %s", error);
            free(error);
            return e;
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

    /* Conflicts: a port of that name in OVSDB, or a device on the host. */
    *kind = PORT_ERR_CONFLICT;
    if (ports_name_in_db__(r, name)) {
        return gn_xasprintf("name: a port named \"%s\" exists", name);
    }
    if (netdev_exists(name)) {
        return gn_xasprintf("name: a network device named \"%s\" exists on "
                            "this host", name);
    }
    if (spec->peer && netdev_exists(spec->peer)) {
        return gn_xasprintf("peer: a network device named \"%s\" exists on "
                            "this host", spec->peer);
    }
    *kind = PORT_ERR_NONE;
    return NULL;
}

char *
port_spec_from_json(const json_t *req, const struct gn_config *cfg,
                    const struct ovsdb_replica *r, struct port_spec *spec,
                    enum port_error *kind)
{
    char *error;

    memset(spec, 0, sizeof *spec);
    spec->owner = (uid_t) -1;
    spec->group = (gid_t) -1;
    error = port_spec_from_json__(req, cfg, r, spec, kind);
    if (!error) {
        struct netaddr_mac rnd;
        char hex[18];

        netaddr_random_mac(&rnd);
        netaddr_format_mac(&rnd, hex);
        spec->token = gn_xasprintf("%llx-%s", gn_time_wall_msec(), hex + 9);
    }
    if (error) {
        port_spec_destroy(spec);
    }
    return error;
}

char *
port_create_devices(const struct port_spec *spec, bool userspace_datapath)
{
    if (spec->kind == PORT_KIND_KVM) {
        struct netdev_tap_options opts = {
            .mac = NULL,   /* The MAC is the guest's; the tap keeps its
                            * own. */
            .owner = spec->owner,
            .group = spec->group,
            .mtu = spec->mtu,
        };
        return netdev_tap_create(spec->name, &opts);
    } else {
    struct netdev_veth_options opts = {
            .netns_pid = spec->netns_pid,
            .netns_name = spec->netns_name,
            .netns_path = spec->netns_path,
            .guest_ifname = spec->phys ? NULL : spec->guest_ifname,
            .mac = &spec->mac,
            .mtu = spec->mtu,
            .addrs = spec->phys ? NULL : spec->ips,
            .n_addrs = spec->phys ? 0 : spec->n_ips,
            .gateways = spec->phys ? NULL : spec->gateways,
            .n_gateways = spec->phys ? 0 : spec->n_gateways,
            .tx_checksum_off = userspace_datapath,
        };
        return netdev_veth_create(spec->name, spec->peer, &opts);
    }
}

void
port_rollback_devices(const struct port_spec *spec)
{
    char *error = netdev_delete(spec->name, true);
    if (error) {
        GN_LOG_WARN("rollback of %s: %s", spec->name, error);
        free(error);
    }
}

char *
port_delete_devices(const json_t *iface)
{
    const char *created = ovsdb_datum_map_get_string(iface, "external_ids",
                                                     K_CREATED);
    const char *name = ovsdb_datum_string(iface, "name");

    if (!created || !name) {
        return NULL;
    }
    return netdev_delete(name, true);
}

static json_t *
ports_ips_string__(const struct port_spec *spec)
{
    char *s = gn_xstrdup("");

    for (size_t i = 0; i < spec->n_ips; i++) {
        char buf[INET6_ADDRSTRLEN];
        char *t;

        netaddr_format_ip(&spec->ips[i], buf, sizeof buf);
        t = gn_xasprintf("%s%s%s", s, i ? "," : "", buf);
        free(s);
        s = t;
    }
    json_t *j = json_string(s);
    free(s);
    return j;
}

void
port_plan_add(const struct port_spec *spec, const char *br_uuid,
              struct ovsdb_txn *txn)
{
    char mac[18];
    json_t *ids, *row;
    const char *iface, *port;

    netaddr_format_mac(&spec->mac, mac);

    /* Fails the transaction if a port of this name appeared meanwhile. */
    ovsdb_txn_wait(txn, "Port", ovsdb_where_eq("name",
                                               json_string(spec->name)),
                   json_pack("[s]", "name"), "==", json_array(), 0);

    ids = json_pack("{s:s, s:s, s:s, s:s, s:s}",
                    "attached-mac", mac,
                    "iface-id", spec->iface_id,
                    K_KIND, port_kind_name(spec->kind),
                    K_NETWORK, spec->network,
                    K_CREATED, spec->kind == PORT_KIND_KVM ? "tap" : "veth");
    if (spec->n_ips) {
        json_object_set_new(ids, K_IPS, ports_ips_string__(spec));
    }
    if (spec->vm_id) {
        json_object_set_new(ids, "vm-id", json_string(spec->vm_id));
    }
    json_object_set_new(ids, K_REQUEST, json_string(spec->token));
    if (spec->server) {
        json_object_set_new(ids, K_SERVER, json_string("true"));
    }
    if (spec->phys) {
        json_object_set_new(ids, K_PEER, json_string(spec->peer));
    }
    row = json_pack("{s:s, s:o}", "name", spec->name,
                    "external_ids", ovsdb_datum_map(ids));
    iface = ovsdb_txn_insert(txn, "Interface", row);

    row = json_pack("{s:s, s:o, s:i, s:s, s:o}",
                    "name", spec->name,
                    "interfaces", ovsdb_datum_named_uuid(iface),
                    "tag", spec->vlan,
                    "vlan_mode", "access",
                    "external_ids",
                    ovsdb_datum_map(json_pack("{s:s}", K_NETWORK,
                                              spec->network)));
    port = ovsdb_txn_insert(txn, "Port", row);
    ovsdb_txn_mutate(txn, "Bridge", ovsdb_where_uuid(br_uuid),
                     json_pack("[[s, s, o]]", "ports", "insert",
                               ovsdb_datum_named_uuid(port)));
}

void
port_plan_delete(const char *port_uuid, const char *br_uuid,
                 struct ovsdb_txn *txn)
{
    ovsdb_txn_mutate(txn, "Bridge", ovsdb_where_uuid(br_uuid),
                     json_pack("[[s, s, o]]", "ports", "delete",
                               ovsdb_datum_uuid(port_uuid)));
}

const json_t *
port_iface(const struct ovsdb_replica *r, const json_t *port,
           const char **uuidp)
{
    const char *uuid = ovsdb_datum_first_uuid(port, "interfaces");

    if (uuidp) {
        *uuidp = uuid;
    }
    return uuid ? ovsdb_replica_get_row(r, "Interface", uuid) : NULL;
}

bool
port_is_from_spec(const struct ovsdb_replica *r, const json_t *port,
                  const struct port_spec *spec)
{
    const json_t *iface = port_iface(r, port, NULL);
    const char *token = iface ? ovsdb_datum_map_get_string(
        iface, "external_ids", K_REQUEST) : NULL;

    return token && spec->token && !strcmp(token, spec->token);
}

void
port_binding(const struct gn_config *cfg, const struct ovsdb_replica *r,
             const json_t *port, struct port_binding *b)
{
    json_int_t tag;
    const char *kind;
    const struct gn_network *net = NULL;

    memset(b, 0, sizeof *b);
    b->port = port;
    b->name = ovsdb_datum_string(port, "name");
    b->vlan = ovsdb_datum_integer(port, "tag", &tag) ? (int) tag : -1;
    b->ofport = -1;
    b->iface = port_iface(r, port, NULL);

    kind = b->iface ? ovsdb_datum_map_get_string(b->iface, "external_ids",
                                                 K_KIND) : NULL;
    b->kind = (kind && !strcmp(kind, "kvm") ? PORT_KIND_KVM
               : kind && !strcmp(kind, "lxc") ? PORT_KIND_LXC
               : PORT_KIND_ADOPTED);
    if (b->iface) {
        json_int_t ofport;
        if (ovsdb_datum_integer(b->iface, "ofport", &ofport)) {
            b->ofport = ofport;
        }
        b->mac = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                            "attached-mac");
        b->ips = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                            K_IPS);
        const char *server = ovsdb_datum_map_get_string(b->iface,
                                                        "external_ids",
                                                        K_SERVER);
        b->server = server && !strcmp(server, "true");
    }

    if (b->vlan < 0) {
        b->quarantine = "no VLAN tag";
    } else if (b->vlan == PORTS_QUARANTINE_VLAN
               && ovsdb_datum_map_get_string(port, "external_ids",
                                             K_QUARANTINE)) {
        b->quarantine = "attached without a VLAN tag";
    } else if (!(net = gn_config_find_vlan(cfg, b->vlan))) {
        b->quarantine = "VLAN is not a configured network";
    } else if (!b->mac) {
        b->quarantine = "no MAC (external_ids:attached-mac)";
    } else if (!b->iface) {
        b->quarantine = "no interface";
    }
    b->network = b->quarantine ? NULL : net->name;
}

void
port_plan_quarantine(const char *uuid, const char *name,
                     struct ovsdb_txn *txn)
{
    /* Untagged: a trunk of every VLAN.  Quarantine it, unless someone
     * tags it first (the wait fails then, and the next pass sees the
     * tag). */
    ovsdb_txn_wait(txn, "Port", ovsdb_where_uuid(uuid),
                   json_pack("[s]", "tag"), "==",
                   json_pack("[{s:[s, []]}]", "tag", "set"), 0);
    ovsdb_txn_update(txn, "Port", ovsdb_where_uuid(uuid),
                     json_pack("{s:i, s:s}", "tag", PORTS_QUARANTINE_VLAN,
                               "vlan_mode", "access"));
    ovsdb_txn_mutate(txn, "Port", ovsdb_where_uuid(uuid),
                     json_pack("[[s, s, o]]", "external_ids", "insert",
                               ovsdb_datum_map(json_pack(
                                   "{s:s}", K_QUARANTINE, "untagged"))));
    GN_LOG_INFO("quarantining untagged port %s (VLAN %d)", name,
                PORTS_QUARANTINE_VLAN);
}

json_t *
port_binding_to_json(const struct port_binding *b)
{
    json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:o}",
                          "name", b->name ? b->name : "",
                          "kind", port_kind_name(b->kind),
                          "network", b->network ? json_string(b->network)
                                                : json_null(),
                          "vlan", b->vlan >= 0 ? json_integer(b->vlan)
                                               : json_null(),
                          "mac", b->mac ? json_string(b->mac) : json_null(),
                          "ofport", b->ofport > 0 ? json_integer(b->ofport)
                                                  : json_null(),
                          "quarantined", b->quarantine != NULL,
                          "server", b->server,
                          "quarantine_reason",
                          b->quarantine ? json_string(b->quarantine)
                                        : json_null());
    json_t *ips = json_array();
    if (b->ips) {
        char *copy = gn_xstrdup(b->ips);
        char *save = NULL;
        for (char *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
            json_array_append_new(ips, json_string(t));
        }
        free(copy);
    }
    json_object_set_new(j, "ips", ips);
    if (b->iface) {
        const char *v;
        if ((v = ovsdb_datum_string(b->iface, "link_state"))) {
            json_object_set_new(j, "link_state", json_string(v));
        }
        if ((v = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                            "iface-id"))) {
            json_object_set_new(j, "iface_id", json_string(v));
        }
        if ((v = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                            "vm-id"))) {
            json_object_set_new(j, "vm_id", json_string(v));
        }
        if ((v = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                            K_PEER))) {
            json_object_set_new(j, "peer", json_string(v));
        }
        if ((v = ovsdb_datum_string(b->iface, "error"))) {
            json_object_set_new(j, "error", json_string(v));
        }
    }
    return j;
}

/* Appends to 'lines' the LXC lines that give a "phys" guest its addresses
 * (with their subnets' prefix lengths) and default routes. */
static void
ports_lxc_address_lines__(const struct gn_config *cfg,
                          const struct port_binding *b, json_t *lines)
{
    const struct gn_network *net = b->network
        ? gn_config_find_network(cfg, b->network) : NULL;
    bool gw4 = false, gw6 = false;
    char *copy, *save = NULL;

    if (!net || !b->ips) {
        return;
    }
    copy = gn_xstrdup(b->ips);
    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        struct netaddr_ip ip;
        char *error = netaddr_parse_ip(t, 0, &ip);
        if (error) {
            free(error);
            continue;
        }
        bool v6 = ip.family == AF_INET6;
        for (size_t i = 0; i < net->n_subnets; i++) {
            if (netaddr_ip_in_subnet(&ip, &net->subnets[i])) {
                char *l = gn_xasprintf("lxc.net.0.%s.address = %s/%u",
                                       v6 ? "ipv6" : "ipv4", t,
                                       net->subnets[i].plen);
                json_array_append_new(lines, json_string(l));
                free(l);
                break;
            }
        }
        gw4 |= !v6;
        gw6 |= v6;
    }
    free(copy);
    for (size_t i = 0; i < net->n_gateways; i++) {
        const struct netaddr_ip *gw = &net->gateways[i];
        bool v6 = gw->family == AF_INET6;
        char addr[INET6_ADDRSTRLEN];

        if (v6 ? !gw6 : !gw4) {
            continue;
        }
        netaddr_format_ip(gw, addr, sizeof addr);
        char *l = gn_xasprintf("lxc.net.0.%s.gateway = %s",
                               v6 ? "ipv6" : "ipv4", addr);
        json_array_append_new(lines, json_string(l));
        free(l);
        if (v6) {
            gw6 = false;
        } else {
            gw4 = false;
        }
    }
}

json_t *
port_guest_config(const struct gn_config *cfg, const struct port_binding *b)
{
    const char *mac = b->mac ? b->mac : "";
    const char *name = b->name ? b->name : "";
    const char *peer = b->iface ? ovsdb_datum_map_get_string(
        b->iface, "external_ids", K_PEER) : NULL;

    switch (b->kind) {
    case PORT_KIND_KVM: {
        char *netdev = gn_xasprintf("tap,id=%s,ifname=%s,script=no,"
                                    "downscript=no", name, name);
        char *device = gn_xasprintf("virtio-net-pci,netdev=%s,mac=%s",
                                    name, mac);
        char *xml = gn_xasprintf(
            "<interface type='ethernet'>\n"
            "  <target dev='%s' managed='no'/>\n"
            "  <mac address='%s'/>\n"
            "  <model type='virtio'/>\n"
            "</interface>", name, mac);
        json_t *j = json_pack("{s:[s, s, s, s], s:s}",
                              "qemu_args", "-netdev", netdev, "-device",
                              device, "libvirt_xml", xml);
        free(netdev);
        free(device);
        free(xml);
        return j;
    }
    case PORT_KIND_LXC: {
        json_t *lines = json_array();
        if (peer) {
            char *l;
            json_array_append_new(lines, json_string("lxc.net.0.type = "
                                                     "phys"));
            l = gn_xasprintf("lxc.net.0.link = %s", peer);
            json_array_append_new(lines, json_string(l));
            free(l);
            l = gn_xasprintf("lxc.net.0.hwaddr = %s", mac);
            json_array_append_new(lines, json_string(l));
            free(l);
            json_array_append_new(lines, json_string("lxc.net.0.flags = "
                                                     "up"));
            json_array_append_new(lines, json_string("lxc.net.0.name = "
                                                     "eth0"));
            ports_lxc_address_lines__(cfg, b, lines);
        }
        return json_pack("{s:o}", "lxc_config", lines);
    }
    case PORT_KIND_ADOPTED:
        break;
    }
    return json_object();
}
