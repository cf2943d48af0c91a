/* cluster-remote.c: what the engine needs to route to other hosts: this
 * host's router MAC, made from its system-id, and the ports of other hosts
 * in networks this host knows (routed to by their addresses; their MACs
 * name their EUI-64 link-local addresses), with the link-local addresses
 * the registry binds to them (cluster-ll.c), taken from the registry
 * whenever its rows or the policy change.  Those ports are
 * also kept in STATE_DIR/cluster-remote.json (written at most once a
 * heartbeat), so that a guestnetd that restarts while the cluster is away
 * routes to them as before, without a flow change. */
#include <config.h>

#include "cluster-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
 * addresses in 'ips' (room for 'max') and its link-local bindings in
 * 'lls' (room for PIPELINE_LL_MAX); false if the pipeline cannot know it
 * (unknown network, bad MAC). */
static bool
cluster_remote_port__(const struct gn_config *cfg, const json_t *row,
                      struct pipeline_port *p, struct netaddr_ip *ips,
                      size_t max, struct netaddr_ip *lls)
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
    p->lls = lls;
    json_array_foreach (json_object_get(row, "lls"), i, v) {
        if (p->n_lls >= PIPELINE_LL_MAX || !json_is_string(v)) {
            continue;
        }
        error = netaddr_parse_ip(json_string_value(v), 0, &lls[p->n_lls]);
        if (!error && lls[p->n_lls].family == AF_INET6) {
            p->n_lls++;
        }
        free(error);
    }
    /* Routed to by its addresses; in a private network, kept out by its
     * MAC too; its link-local addresses, bound and EUI-64 (whether or not
     * it has other addresses), kept from the guests here. */
    return true;
}

/* Gives the engine the ports of 'rows' (JSON objects with "name",
 * "host", "network", "mac", "ips" as in the registry) that are other
 * hosts' in networks this host knows; returns a digest of what it gave
 * (malloc'd). */
static char *
cluster_remote_apply__(struct cluster *c, const json_t *rows)
{
    const struct gn_config *cfg = engine_config(c->engine);
    size_t n_rows = json_array_size(rows), n = 0, n_ips = 0, max_ips = 0;
    struct gn_buf digest = GN_BUF_INIT;
    struct pipeline_port *ports;
    struct netaddr_ip *ips, *lls;
    struct netaddr_mac mac;
    const json_t *row;
    size_t i;
    char *d;

    json_array_foreach (rows, i, row) {
        max_ips += json_array_size(json_object_get(row, "ips"));
    }
    ports = gn_xcalloc(n_rows ? n_rows : 1, sizeof *ports);
    ips = gn_xcalloc(max_ips ? max_ips : 1, sizeof *ips);
    lls = gn_xcalloc(n_rows * PIPELINE_LL_MAX + 1, sizeof *lls);
    json_array_foreach (rows, i, row) {
        const char *host = json_string_value(json_object_get(row, "host"));
        char m[18];

        if (!host || !strcmp(host, c->host)
            || !cluster_remote_port__(cfg, row, &ports[n], ips + n_ips,
                                      max_ips - n_ips,
                                      lls + n * PIPELINE_LL_MAX)) {
            continue;
        }
        netaddr_format_mac(&ports[n].mac, m);
        gn_buf_printf(&digest, "%s %d %s", ports[n].name, ports[n].vlan, m);
        for (size_t j = 0; j < ports[n].n_ips; j++) {
            char s[64];
            netaddr_format_ip(&ports[n].ips[j], s, sizeof s);
            gn_buf_printf(&digest, " %s", s);
        }
        for (size_t j = 0; j < ports[n].n_lls; j++) {
            char s[64];
            netaddr_format_ip(&ports[n].lls[j], s, sizeof s);
            gn_buf_printf(&digest, " ll %s", s);
        }
        gn_buf_printf(&digest, "\n");
        n_ips += ports[n].n_ips;
        n++;
    }
    d = gn_xstrdup(gn_buf_cstr(&digest));
    if (!c->remote_digest || strcmp(c->remote_digest, d)) {
        cluster_router_mac(c->system_id, &mac);
        GN_LOG_INFO("%zu ports of other hosts known", n);
        engine_set_remote(c->engine, &mac, ports, n);
    }
    gn_buf_destroy(&digest);
    free(ports);
    free(ips);
    free(lls);
    return d;
}

static char *
cluster_remote_file__(const struct cluster *c)
{
    return gn_xasprintf("%s/cluster-remote.json", c->state_dir);
}

void
cluster_remote_load__(struct cluster *c)
{
    char *file = cluster_remote_file__(c);
    json_t *rows = json_load_file(file, 0, NULL);

    if (json_is_array(rows)) {
        free(c->remote_digest);
        c->remote_digest = cluster_remote_apply__(c, rows);
        GN_LOG_INFO("%s: other hosts' ports, until the cluster answers",
                    file);
    } else {
        struct netaddr_mac mac;

        cluster_router_mac(c->system_id, &mac);
        engine_set_remote(c->engine, &mac, NULL, 0);
    }
    json_decref(rows);
    free(file);
}

void
cluster_remote_save__(struct cluster *c)
{
    char *file, *tmp, *text;
    int fd;

    if (!c->remote_rows) {
        return;
    }
    file = cluster_remote_file__(c);
    tmp = gn_xasprintf("%s.tmp", file);
    text = json_dumps(c->remote_rows, JSON_COMPACT);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)
        || fsync(fd) || rename(tmp, file)) {
        GN_LOG_WARN("%s: %s", file, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    json_decref(c->remote_rows);
    c->remote_rows = NULL;
    free(text);
    free(tmp);
    free(file);
}

void
cluster_remote_update__(struct cluster *c)
{
    json_t *rows, *lls;
    const char *uuid;
    const json_t *row;
    char *digest;

    if (!ovsdb_replica_is_synced(c->replica) || c->fatal) {
        return;
    }
    if (c->remote_seqno == ovsdb_replica_change_seqno(c->replica)
        && c->remote_cfg_gen == engine_config_gen(c->engine)) {
        return;
    }
    c->remote_seqno = ovsdb_replica_change_seqno(c->replica);
    c->remote_cfg_gen = engine_config_gen(c->engine);

    rows = json_array();
    lls = cluster_ll_owners__(c);
    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Port") {
        const char *host = ovsdb_datum_string(row, "host");
        const char *name = ovsdb_datum_string(row, "name");
        json_t *bound = name ? json_object_get(lls, name) : NULL;

        if (host && strcmp(host, c->host)) {
            json_array_append_new(rows, json_pack(
                "{s:s, s:s, s:s?, s:s?, s:o, s:o}",
                "name", name, "host", host,
                "network", ovsdb_datum_string(row, "network"),
                "mac", ovsdb_datum_string(row, "mac"),
                "ips", cluster_strings__(row, "ips"),
                "lls", bound ? json_incref(bound) : json_array()));
        }
    }
    json_decref(lls);
    digest = cluster_remote_apply__(c, rows);
    if (!c->remote_digest || strcmp(c->remote_digest, digest)) {
        /* Saved at the next heartbeat. */
        json_decref(c->remote_rows);
        c->remote_rows = json_incref(rows);
    }
    free(c->remote_digest);
    c->remote_digest = digest;
    json_decref(rows);
}
