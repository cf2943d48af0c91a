/* cluster-remote.c: what the engine needs to route to other hosts: this
 * host's router MAC, made from its system-id, and the ports of other hosts
 * with declared addresses in networks this host knows, taken from the
 * registry whenever its Port rows or the policy change. */
#include <config.h>

#include "cluster-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "pipeline.h"

GN_LOG_MODULE(cluster_remote);

void
cluster_router_mac(const char *system_id, struct netaddr_mac *mac)
{
    unsigned int b[4] = { 0, 0, 0, 0 };

    sscanf(system_id ? system_id : "", "%2x%2x%2x%2x", &b[0], &b[1], &b[2],
           &b[3]);
    mac->b[0] = 0x0a;
    mac->b[1] = 0x58;
    for (int i = 0; i < 4; i++) {
        mac->b[i + 2] = b[i];
    }
}

/* Fills 'p' from registry row 'row' of another host's port, with its
 * addresses in 'ips' (room for 'max'); false if the pipeline cannot route
 * to it (unknown network, no address, bad MAC). */
static bool
cluster_remote_port__(const struct gn_config *cfg, const json_t *row,
                      struct pipeline_port *p, struct netaddr_ip *ips,
                      size_t max)
{
    const char *net = ovsdb_datum_string(row, "network");
    const char *mac = ovsdb_datum_string(row, "mac");
    const struct gn_network *n = net ? gn_config_find_network(cfg, net)
                                     : NULL;
    json_t *list = cluster_strings__(row, "ips");
    const json_t *v;
    size_t i;
    char *error;

    memset(p, 0, sizeof *p);
    p->name = ovsdb_datum_string(row, "name");
    if (!n || !mac || !p->name
        || (error = netaddr_parse_mac(mac, true, &p->mac))) {
        json_decref(list);
        return false;
    }
    p->vlan = n->vlan;
    p->ips = ips;
    json_array_foreach (list, i, v) {
        if (p->n_ips < max
            && !(error = netaddr_parse_ip(json_string_value(v), 0,
                                          &ips[p->n_ips]))) {
            p->n_ips++;
        }
        free(error);
    }
    json_decref(list);
    return p->n_ips > 0;
}

void
cluster_remote_update__(struct cluster *c)
{
    const struct gn_config *cfg = engine_config(c->engine);
    size_t n_rows = ovsdb_replica_count(c->replica, "Port");
    struct pipeline_port *ports;
    struct netaddr_ip *ips;
    struct netaddr_mac mac;
    struct gn_buf digest = GN_BUF_INIT;
    const char *uuid;
    const json_t *row;
    size_t n = 0, n_ips = 0, max_ips = 0;

    if (!ovsdb_replica_is_synced(c->replica) || c->fatal) {
        return;
    }
    if (c->remote_seqno == ovsdb_replica_change_seqno(c->replica)
        && c->remote_cfg_gen == engine_config_gen(c->engine)) {
        return;
    }
    c->remote_seqno = ovsdb_replica_change_seqno(c->replica);
    c->remote_cfg_gen = engine_config_gen(c->engine);

    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Port") {
        max_ips += ovsdb_datum_size(row, "ips");
    }
    ports = gn_xcalloc(n_rows ? n_rows : 1, sizeof *ports);
    ips = gn_xcalloc(max_ips ? max_ips : 1, sizeof *ips);
    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Port") {
        const char *host = ovsdb_datum_string(row, "host");
        char m[18];

        if (!host || !strcmp(host, c->host)
            || !cluster_remote_port__(cfg, row, &ports[n], ips + n_ips,
                                      max_ips - n_ips)) {
            continue;
        }
        netaddr_format_mac(&ports[n].mac, m);
        gn_buf_printf(&digest, "%s %d %s", ports[n].name, ports[n].vlan, m);
        for (size_t i = 0; i < ports[n].n_ips; i++) {
            char s[64];
            netaddr_format_ip(&ports[n].ips[i], s, sizeof s);
            gn_buf_printf(&digest, " %s", s);
        }
        gn_buf_printf(&digest, "\n");
        n_ips += ports[n].n_ips;
        n++;
    }
    if (!c->remote_digest || strcmp(c->remote_digest,
                                    gn_buf_cstr(&digest))) {
        free(c->remote_digest);
        c->remote_digest = gn_xstrdup(gn_buf_cstr(&digest));
        cluster_router_mac(c->system_id, &mac);
        GN_LOG_INFO("routing to %zu ports of other hosts", n);
        engine_set_remote(c->engine, &mac, ports, n);
    }
    gn_buf_destroy(&digest);
    free(ports);
    free(ips);
}
