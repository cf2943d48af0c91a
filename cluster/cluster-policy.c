/* cluster-policy.c: the cluster's networks and rules: made into the
 * engine's config (merged with the host-local settings) whenever they
 * change, and kept in the policy cache for restarts without the
 * cluster.  cluster-edit.c changes them. */
#include <config.h>

#include "cluster-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gn-config.h"
#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(cluster_policy);

static struct gn_log_rl cluster_policy_rl = GN_LOG_RL_INIT(6, 10);

#define CLUSTER_CACHE_FILE "cluster-policy.json"

long long
cluster_generation__(const struct cluster *c)
{
    const char *uuid;
    const json_t *row;
    json_int_t gen = 0;

    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Cluster") {
        ovsdb_datum_integer(row, "generation", &gen);
    }
    return gen;
}

static int
cluster_by_name__(const void *a_, const void *b_)
{
    json_t *const *a = a_, *const *b = b_;

    return strcmp(json_string_value(json_object_get(*a, "key")),
                  json_string_value(json_object_get(*b, "key")));
}

/* Sorts 'array' of objects by their "key" member, then drops it. */
static void
cluster_sort__(json_t *array)
{
    size_t n = json_array_size(array);
    json_t **items = gn_xcalloc(n ? n : 1, sizeof *items);
    size_t i;

    for (i = 0; i < n; i++) {
        items[i] = json_incref(json_array_get(array, i));
    }
    qsort(items, n, sizeof *items, cluster_by_name__);
    json_array_clear(array);
    for (i = 0; i < n; i++) {
        json_object_del(items[i], "key");
        json_array_append_new(array, items[i]);
    }
    free(items);
}

json_t *
cluster_policy_json__(const struct cluster *c)
{
    json_t *nets = json_array(), *rules = json_array();
    json_t *top;
    const char *uuid;
    const json_t *row;

    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Network") {
        json_int_t vlan = 0, mtu = 0;
        const json_t *priv = json_object_get(row, "private");
        const char *name = ovsdb_datum_string(row, "name");
        json_t *n;

        ovsdb_datum_integer(row, "vlan", &vlan);
        ovsdb_datum_integer(row, "mtu", &mtu);
        n = json_pack("{s:s, s:s, s:I, s:o, s:o, s:b}", "key",
                      name ? name : "", "name", name ? name : "",
                      "vlan", vlan, "subnets",
                      cluster_strings__(row, "subnets"), "gateways",
                      cluster_strings__(row, "gateways"),
                      "private", json_is_true(priv));
        if (mtu) {
            json_object_set_new(n, "mtu", json_integer(mtu));
        }
        /* "dhcp" (only when false) and "dns" from external_ids: where
         * it is on, the registry assigns addresses (cluster-ipam.c) and
         * each host serves them by DHCP. */
        const char *dhcp = ovsdb_datum_map_get_string(
            row, "external_ids", CLUSTER_NET_DHCP_KEY);
        const char *dns = ovsdb_datum_map_get_string(
            row, "external_ids", CLUSTER_NET_DNS_KEY);
        if (dhcp && !strcmp(dhcp, "false")) {
            json_object_set_new(n, "dhcp", json_false());
        }
        if (dns && *dns) {
            json_object_set_new(n, "dns", cluster_list__(dns));
        }
        /* Its default limits: what another writer stored that is not
         * gn_limits_format()'s is left out, and said. */
        const char *limits = ovsdb_datum_map_get_string(
            row, "external_ids", CLUSTER_NET_LIMITS_KEY);
        struct gn_limits lim;
        if (limits && !gn_limits_parse(limits, &lim)) {
            GN_LOG_WARN_RL(&cluster_policy_rl, "network %s: limits \"%s\" "
                           "in the cluster database: members left out",
                           name ? name : "?", limits);
        }
        if (limits && lim.set) {
            json_object_set_new(n, "limits", gn_limits_to_json(&lim));
        }
        json_array_append_new(nets, n);
    }
    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Rule") {
        json_int_t port = 0;
        const char *from = ovsdb_datum_string(row, "from");
        const char *to = ovsdb_datum_string(row, "to");
        const char *proto = ovsdb_datum_string(row, "proto");
        char *key;
        json_t *r;

        ovsdb_datum_integer(row, "port", &port);
        key = gn_xasprintf("%s %s %s %05lld", from ? from : "",
                           to ? to : "", proto ? proto : "",
                           (long long) port);
        r = json_pack("{s:s, s:s, s:s, s:s}", "key", key,
                      "from", from ? from : "", "to", to ? to : "",
                      "proto", proto ? proto : "any");
        free(key);
        if (port) {
            json_object_set_new(r, "port", json_integer(port));
        }
        json_array_append_new(rules, r);
    }
    cluster_sort__(nets);
    cluster_sort__(rules);
    top = json_pack("{s:o, s:o}", "networks", nets, "rules", rules);
    OVSDB_REPLICA_FOR_EACH (uuid, row, c->replica, "Cluster") {
        json_int_t pps, burst;

        if (ovsdb_datum_integer(row, "broadcast_pps", &pps)
            && ovsdb_datum_integer(row, "broadcast_burst", &burst)) {
            json_object_set_new(top, "broadcast_limit",
                                json_pack("{s:I, s:I}", "pps", pps,
                                          "burst", burst ? burst : 1));
        }
    }
    return top;
}

char *
cluster_config__(const struct cluster *c, const json_t *policy,
                 struct gn_config **cfgp)
{
    json_t *j = json_deep_copy(c->local);
    char *error;

    json_object_update(j, (json_t *) policy);
    error = gn_config_from_json(j, cfgp);
    json_decref(j);
    return error;
}

static char *
cluster_cache_file__(const struct cluster *c)
{
    return gn_xasprintf("%s/%s", c->state_dir, CLUSTER_CACHE_FILE);
}

/* Writes the policy applied to the cache (a temporary file, synced, then
 * renamed over the old one). */
static void
cluster_policy_save__(const struct cluster *c, const json_t *policy)
{
    char *file = cluster_cache_file__(c);
    char *tmp = gn_xasprintf("%s.tmp", file);
    json_t *j = json_pack("{s:I, s:O}", "generation",
                          (json_int_t) c->policy_generation,
                          "policy", policy);
    char *text = json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(1));
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);

    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t) strlen(text)
        || fsync(fd) || rename(tmp, file)) {
        GN_LOG_WARN("%s: %s (a restart without the cluster would wait "
                    "for it)", file, strerror(errno));
    }
    if (fd >= 0) {
        close(fd);
    }
    free(text);
    json_decref(j);
    free(tmp);
    free(file);
}

/* Gives the engine 'cfg' for the policy of 'text' and 'generation' (both
 * taken); false if the engine refused it (then 'policy_error' says why). */
static bool
cluster_apply__(struct cluster *c, struct gn_config *cfg, char *text,
                long long generation)
{
    char *error = engine_set_config(c->engine, cfg, "the cluster's policy");

    if (error) {
        GN_LOG_ERR("%s", error);
        free(c->policy_error);
        c->policy_error = error;
        free(text);
        return false;
    }
    free(c->policy_text);
    c->policy_text = text;
    c->policy_generation = generation;
    c->policy_cfg_gen = engine_config_gen(c->engine);
    engine_hold(c->engine, false);
    return true;
}

bool
cluster_policy_load_cache__(struct cluster *c)
{
    char *file = cluster_cache_file__(c);
    json_t *j = json_load_file(file, 0, NULL);
    const json_t *policy = json_object_get(j, "policy");
    json_int_t gen = json_integer_value(json_object_get(j, "generation"));
    struct gn_config *cfg;
    char *error;

    if (!json_is_object(policy)) {
        json_decref(j);
        free(file);
        return false;
    }
    error = cluster_config__(c, policy, &cfg);
    if (error) {
        GN_LOG_WARN("%s: %s (waiting for the cluster)", file, error);
        free(error);
        json_decref(j);
        free(file);
        return false;
    }
    GN_LOG_INFO("%s: policy generation %lld, until the cluster answers",
                file, (long long) gen);
    cluster_apply__(c, cfg, json_dumps(policy, JSON_SORT_KEYS
                                       | JSON_COMPACT), gen);
    json_decref(j);
    free(file);
    return true;
}

/* Why 'cfg' must not replace the engine's config, or NULL: it takes
 * away, or changes the VLAN or subnets of, a network that ports of this
 * host are in (they would lose their traffic, or move into another
 * network's rules).  The cluster refuses such changes; a policy written
 * around it (directly into the database, or restored) is not followed. */
static char *
cluster_policy_unfit__(const struct cluster *c, const struct gn_config *cfg)
{
    const struct gn_config *old = engine_config(c->engine);
    json_t *ports = engine_ports(c->engine);
    char *why = NULL;
    const json_t *p;
    size_t i;

    json_array_foreach (ports, i, p) {
        const char *net = json_string_value(json_object_get(p, "network"));
        const struct gn_network *a = net ? gn_config_find_network(old, net)
                                         : NULL;
        const struct gn_network *b = net ? gn_config_find_network(cfg, net)
                                         : NULL;

        if (!a) {
            continue;
        }
        bool same = b && a->vlan == b->vlan && a->n_subnets == b->n_subnets;
        for (size_t j = 0; same && j < a->n_subnets; j++) {
            same = (netaddr_ip_same_addr(&a->subnets[j], &b->subnets[j])
                    && a->subnets[j].plen == b->subnets[j].plen);
        }
        if (!same) {
            why = gn_xasprintf("it %s network \"%s\", which port %s of "
                               "this host is in (delete the network's "
                               "ports first)", b ? "changes the VLAN or "
                               "subnets of" : "removes", net,
                               json_string_value(json_object_get(p,
                                                                 "name")));
            break;
        }
    }
    json_decref(ports);
    return why;
}

void
cluster_policy_changed__(struct cluster *c)
{
    long long gen = cluster_generation__(c);
    struct gn_config *cfg;
    json_t *policy;
    char *error, *text;

    if (!ovsdb_replica_is_synced(c->replica) || c->fatal) {
        return;
    }
    policy = cluster_policy_json__(c);
    text = json_dumps(policy, JSON_SORT_KEYS | JSON_COMPACT);
    if (c->policy_text && !strcmp(text, c->policy_text)) {
        /* The cluster's policy is (again) the one this host runs. */
        free(c->policy_error);
        c->policy_error = NULL;
        free(text);
        if (gen != c->policy_generation) {
            c->policy_generation = gen;
            cluster_policy_save__(c, policy);
        }
        json_decref(policy);
        return;
    }
    error = cluster_config__(c, policy, &cfg);
    if (!error && c->policy_text) {
        error = cluster_policy_unfit__(c, cfg);
        if (error) {
            gn_config_destroy(cfg);
        }
    }
    if (error) {
        if (!c->policy_error || strcmp(error, c->policy_error)) {
            GN_LOG_ERR("the cluster's policy (generation %lld) is unfit, "
                       "this host keeps the one it has: %s", gen, error);
        }
        free(c->policy_error);
        c->policy_error = error;
        free(text);
        json_decref(policy);
        return;
    }
    free(c->policy_error);
    c->policy_error = NULL;
    GN_LOG_INFO("applying the cluster's policy, generation %lld", gen);
    if (cluster_apply__(c, cfg, text, gen)) {
        cluster_policy_save__(c, policy);
    }
    json_decref(policy);
}

