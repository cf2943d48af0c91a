/* ports.c: a guest port's devices and OVSDB rows, and the binding of every
 * port on the bridge to a network (see include/ports.h).  A request to add
 * a port is validated in engine/port-spec.c. */
#include <config.h>

#include "ports.h"
#include "ports-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netdev.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(ports);

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

char *
port_find(const struct ovsdb_replica *r, const char *br_uuid,
          const char *name)
{
    struct ovsdb_replica_index_iter it;
    const char *uuid, *found = NULL;

    /* Usually one Port has the name; if several do, the smallest UUID of
     * those on the bridge, as ovsdb_replica_index_find() would pick. */
    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, r, "Port", "name", name) {
        if (ovsdb_replica_index_has(r, "Bridge", "ports", uuid, br_uuid)
            && (!found || strcmp(uuid, found) < 0)) {
            found = uuid;
        }
    }
    return found ? gn_xstrdup(found) : NULL;
}

/* Deletes device 'name' if it still carries 'stale' (may be NULL), the
 * owner mark it had when validation found that no port uses it: a device a
 * crash left behind, which validation let a new add replace.  A device
 * with any other mark (or none) is left alone, and the creation that
 * follows fails if it is still there.  Logs it. */
static void
ports_remove_stale__(const char *name, const char *stale)
{
    char old[256];

    if (stale && netdev_get_alias(name, old, sizeof old)
        && !strcmp(old, stale)) {
        char *error = netdev_delete(name, true);

        GN_LOG_INFO("removed device %s (%s) that a crash left without a "
                    "port%s%s", name, old, error ? ": " : "",
                    error ? error : "");
        free(error);
    }
}

static char *ports_create_devices__(const struct port_spec *,
                                    bool userspace_datapath,
                                    const char *alias);

char *
port_create_devices(const struct port_spec *spec, bool userspace_datapath)
{
    char *alias = gn_xasprintf("%s%s", PORTS_ALIAS_PREFIX, spec->token);
    char *error;

    /* A device of that name with guestnet's mark and no port (a crash
     * came between its creation and the commit) goes first, if it is
     * still the one validation saw. */
    ports_remove_stale__(spec->name, spec->stale_alias);
    if (spec->peer) {
        ports_remove_stale__(spec->peer, spec->stale_peer_alias);
    }
    error = ports_create_devices__(spec, userspace_datapath, alias);
    free(alias);
    return error;
}

/* Creates the devices of 'spec' with 'alias' as their owner mark. */
static char *
ports_create_devices__(const struct port_spec *spec, bool userspace_datapath,
                       const char *alias)
{
    if (spec->kind == PORT_KIND_KVM) {
        struct netdev_tap_options opts = {
            .mac = NULL,   /* The MAC is the guest's; the tap keeps its
                            * own. */
            .owner = spec->owner,
            .group = spec->group,
            .mtu = spec->mtu,
            .alias = alias,
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
            .alias = alias,
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
    if (spec->assigned) {
        json_object_set_new(ids, K_IPS_ASSIGNED,
                            json_string(spec->assigned));
    }
    if (spec->vm_id) {
        json_object_set_new(ids, "vm-id", json_string(spec->vm_id));
    }
    json_object_set_new(ids, K_REQUEST, json_string(spec->token));
    if (spec->request_hash) {
        json_object_set_new(ids, PORTS_REQUEST_HASH_KEY,
                            json_string(spec->request_hash));
    }
    if (spec->server) {
        json_object_set_new(ids, K_SERVER, json_string("true"));
    }
    if (spec->limits) {
        json_object_set_new(ids, GN_LIMITS_KEY, json_string(spec->limits));
    }
    if (spec->phys) {
        json_object_set_new(ids, K_PEER, json_string(spec->peer));
    }
    row = json_pack("{s:s, s:o}", "name", spec->name,
                    "external_ids", ovsdb_datum_map(ids));
    if (spec->ofport_request > 0) {
        json_object_set_new(row, "ofport_request",
                            json_integer(spec->ofport_request));
    }
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
        b->ips_assigned = ovsdb_datum_map_get_string(b->iface,
                                                     "external_ids",
                                                     K_IPS_ASSIGNED);
        b->link_locals = ovsdb_datum_map_get_string(
            b->iface, "external_ids", PORTS_LINK_LOCALS_KEY);
        b->ips_leased = ovsdb_datum_map_get_string(
            b->iface, "external_ids", PORTS_IPS_LEASED_KEY);
        b->ips_learned = ovsdb_datum_map_get_string(
            b->iface, "external_ids", PORTS_IPS_LEARNED_KEY);
        b->lease_expires = ovsdb_datum_map_get_string(
            b->iface, "external_ids", PORTS_LEASE_EXPIRES_KEY);
        const char *server = ovsdb_datum_map_get_string(b->iface,
                                                        "external_ids",
                                                        K_SERVER);
        b->server = server && !strcmp(server, "true");
        b->limits = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                               GN_LIMITS_KEY);
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
    b->net_limits = b->quarantine ? NULL : &net->limits;
}

void
port_binding_limits(const struct port_binding *b, struct gn_limits *eff,
                    enum gn_limit_source *from)
{
    struct gn_limits own;

    gn_limits_parse(b->limits, &own);
    gn_limits_effective(&own, b->net_limits, eff, from);
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

/* The comma-separated 'list' (NULL: none) as a JSON array of strings (new
 * reference). */
static json_t *
ports_split__(const char *list)
{
    json_t *a = json_array();
    char *copy = gn_xstrdup(list ? list : "");
    char *save = NULL;

    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        json_array_append_new(a, json_string(t));
    }
    free(copy);
    return a;
}

/* The effective limits of the port bound as 'b', with where each comes
 * from, as API JSON (new reference). */
static json_t *
ports_limits_to_json__(const struct port_binding *b)
{
    enum gn_limit_source from[GN_N_LIMITS];
    struct gn_limits eff;
    json_t *j = json_object();
    json_t *sources = json_object();

    port_binding_limits(b, &eff, from);
    for (int i = 0; i < GN_N_LIMITS; i++) {
        json_object_set_new(j, gn_limit_name(i),
                            json_integer(eff.value[i]));
        json_object_set_new(sources, gn_limit_name(i),
                            json_string(gn_limit_source_name(from[i])));
    }
    json_object_set_new(j, "from", sources);
    return j;
}

long long
port_lease_expiry(const char *expires, const char *addr)
{
    char *copy = gn_xstrdup(expires ? expires : ""), *save = NULL;
    long long first = 0;

    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        long long when;

        if (!eq || (when = strtoll(eq + 1, NULL, 10)) <= 0) {
            continue;
        }
        *eq = '\0';
        if (!strcmp(t, addr)) {
            first = when;
            break;
        }
    }
    free(copy);
    return first;
}

long long
port_lease_first_expiry(const char *leased, const char *expires)
{
    char *copy = gn_xstrdup(leased ? leased : ""), *save = NULL;
    long long first = 0;

    for (char *t = strtok_r(copy, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        long long when = port_lease_expiry(expires, t);

        if (when && (!first || when < first)) {
            first = when;
        }
    }
    free(copy);
    return first;
}

json_t *
port_binding_to_json(const struct port_binding *b)
{
    struct netaddr_mac parsed;
    char mac[18];
    char *error = b->mac ? netaddr_parse_mac(b->mac, true, &parsed) : NULL;

    /* The MAC in one spelling (lowercase), however attached-mac has it:
     * the cluster's registry looks it up as text. */
    bool canonical = b->mac && !error;

    if (canonical) {
        netaddr_format_mac(&parsed, mac);
    }
    free(error);
    json_t *j = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:o}",
                          "name", b->name ? b->name : "",
                          "kind", port_kind_name(b->kind),
                          "network", b->network ? json_string(b->network)
                                                : json_null(),
                          "vlan", b->vlan >= 0 ? json_integer(b->vlan)
                                               : json_null(),
                          "mac", (!b->mac ? json_null()
                                  : json_string(canonical ? mac : b->mac)),
                          "ofport", b->ofport > 0 ? json_integer(b->ofport)
                                                  : json_null(),
                          "quarantined", b->quarantine != NULL,
                          "server", b->server,
                          "quarantine_reason",
                          b->quarantine ? json_string(b->quarantine)
                                        : json_null());
    json_object_set_new(j, "ips", ports_split__(b->ips));
    json_object_set_new(j, "ips_assigned", ports_split__(b->ips_assigned));
    json_t *expires = json_object();
    json_t *leased = ports_split__(b->ips_leased);
    size_t i;
    const json_t *a;
    json_array_foreach (leased, i, a) {
        long long t = port_lease_expiry(b->lease_expires,
                                        json_string_value(a));
        if (t) {
            json_object_set_new(expires, json_string_value(a),
                                json_integer(t));
        }
    }
    json_object_set_new(j, "ips_leased", leased);
    json_object_set_new(j, "ips_learned", ports_split__(b->ips_learned));
    json_object_set_new(j, "lease_expires", expires);
    json_object_set_new(j, "limits", ports_limits_to_json__(b));
    json_object_set_new(j, "link_locals", ports_split__(b->link_locals));
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
        /* A quarantined port has no flows: not installed, whatever its
         * Interface says until guestnetd removed the mark. */
        v = ovsdb_datum_map_get_string(b->iface, "external_ids",
                                       PORTS_INSTALLED_KEY);
        json_object_set_new(j, "installed",
                            json_boolean(v && !strcmp(v, "true")
                                         && !b->quarantine));
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
        /* The userspace datapath forwards a guest's frames as QEMU hands
         * them to the tap, and with checksum offload a virtio guest's TCP
         * and UDP checksums are left for the host to fill in, which it
         * never does: receivers drop them.  On such a bridge the device
         * offers the guest no checksum offload ("csum=off", libvirt's
         * <host csum='off'/>), as guestnet's veths have TX checksum
         * offload off. */
        bool csum_off = cfg && cfg->datapath_type
                        && !strcmp(cfg->datapath_type, "netdev");
        char *netdev = gn_xasprintf("tap,id=%s,ifname=%s,script=no,"
                                    "downscript=no", name, name);
        char *device = gn_xasprintf("virtio-net-pci,netdev=%s,mac=%s%s",
                                    name, mac, csum_off ? ",csum=off" : "");
        char *xml = gn_xasprintf(
            "<interface type='ethernet'>\n"
            "  <target dev='%s' managed='no'/>\n"
            "  <mac address='%s'/>\n"
            "  <model type='virtio'/>\n"
            "%s"
            "</interface>", name, mac,
            csum_off ? "  <driver name='qemu'><host csum='off'/></driver>\n"
                     : "");
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
