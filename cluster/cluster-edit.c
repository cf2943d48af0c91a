/* cluster-edit.c: changes of the cluster's policy through
 * /v1/cluster/networks, /rules and /import: each change is checked as a
 * whole config first (the same checks as a config file's), then written
 * in one transaction with the Address rows no port may take (gateway,
 * network and broadcast addresses) and a bump of the policy generation
 * that holds only if nobody changed the policy meanwhile. */
#include <config.h>

#include "cluster-private.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-limits.h"
#include "gn-log.h"
#include "gn-util.h"
#include "netaddr.h"
#include "ovsdb-replica.h"
#include "ovsdb-txn.h"

GN_LOG_MODULE(cluster_edit);

/* Reserved addresses. */

static void
cluster_plan_address__(struct ovsdb_txn *txn, const char *net,
                       const struct netaddr_ip *ip, const char *kind)
{
    char s[INET6_ADDRSTRLEN];

    netaddr_format_ip(ip, s, sizeof s);
    ovsdb_txn_insert(txn, "Address", json_pack("{s:s, s:s, s:s, s:s}",
                                               "network", net, "ip", s,
                                               "owner", net, "kind", kind));
}

/* Adds the Address rows no port may take in network 'net' (config JSON)
 * to 'txn'. */
static void
cluster_plan_reserved__(struct ovsdb_txn *txn, const json_t *net)
{
    const char *name = json_string_value(json_object_get(net, "name"));
    const json_t *v;
    size_t i;

    /* Those of an earlier network of this name go first (a network
     * deleted straight from the database leaves them). */
    ovsdb_txn_delete(txn, "Address", json_pack(
                         "[[s, s, s], [s, s, s]]", "network", "==", name,
                         "kind", "!=", "port"));

    json_array_foreach (json_object_get(net, "gateways"), i, v) {
        struct netaddr_ip ip;
        char *error = netaddr_parse_ip(json_string_value(v), 1, &ip);
        if (!error) {
            cluster_plan_address__(txn, name, &ip, "gateway");
        }
        free(error);
    }
    json_array_foreach (json_object_get(net, "subnets"), i, v) {
        struct netaddr_ip sub, ip;
        char *error = netaddr_parse_subnet(json_string_value(v), &sub);

        if (error) {
            free(error);
            continue;
        }
        ip = sub;
        ip.plen = sub.family == AF_INET ? 32 : 128;
        if (netaddr_reserved_in_subnet(&ip, &sub)) {
            cluster_plan_address__(txn, name, &ip, "network");
        }
        if (sub.family == AF_INET && sub.plen < 31) {
            uint32_t host = sub.plen ? 0xffffffffu >> sub.plen : 0xffffffffu;
            ip.addr.v4.s_addr = htonl(ntohl(sub.addr.v4.s_addr) | host);
            cluster_plan_address__(txn, name, &ip, "broadcast");
        }
    }
}

/* Writes. */

/* The row of network 'net' (config JSON) for the Network table (new). */
static json_t *
cluster_network_row__(const json_t *net)
{
    const json_t *mtu = json_object_get(net, "mtu");
    const json_t *dns = json_object_get(net, "dns"), *v;
    json_t *ids = json_object();
    struct gn_buf list = GN_BUF_INIT;
    size_t i;

    /* "dhcp" (if false) and "dns" live in external_ids. */
    if (json_is_false(json_object_get(net, "dhcp"))) {
        json_object_set_new(ids, CLUSTER_NET_DHCP_KEY, json_string("false"));
    }
    json_array_foreach (dns, i, v) {
        gn_buf_printf(&list, "%s%s", i ? "," : "", json_string_value(v)
                                                   ? json_string_value(v)
                                                   : "");
    }
    if (list.len) {
        json_object_set_new(ids, CLUSTER_NET_DNS_KEY,
                            json_string(gn_buf_cstr(&list)));
    }
    gn_buf_destroy(&list);
    /* The default limits too (a value the config's check refuses leaves
     * them out here; its transaction is dropped anyway). */
    const json_t *limits = json_object_get(net, "limits");
    struct gn_limits lim;
    char *error = limits ? gn_limits_from_json(limits, "limits", &lim, NULL)
                         : NULL;
    if (limits && !error && lim.set) {
        char *text = gn_limits_format(&lim);
        json_object_set_new(ids, CLUSTER_NET_LIMITS_KEY, json_string(text));
        free(text);
    }
    free(error);
    return json_pack(
        "{s:O, s:O, s:o, s:o, s:I, s:b, s:o}",
        "name", json_object_get(net, "name"),
        "vlan", json_object_get(net, "vlan"),
        "subnets", ovsdb_datum_set(json_deep_copy(
                       json_object_get(net, "subnets")
                       ? json_object_get(net, "subnets") : json_array())),
        "gateways", ovsdb_datum_set(json_deep_copy(
                       json_object_get(net, "gateways")
                       ? json_object_get(net, "gateways") : json_array())),
        "mtu", json_is_integer(mtu) ? json_integer_value(mtu) : 0,
        "private", json_is_true(json_object_get(net, "private")),
        "external_ids", ovsdb_datum_map(ids));
}

static json_t *
cluster_rule_row__(const json_t *rule)
{
    const json_t *port = json_object_get(rule, "port");
    const json_t *proto = json_object_get(rule, "proto");

    return json_pack("{s:O, s:O, s:s, s:I}",
                     "from", json_object_get(rule, "from"),
                     "to", json_object_get(rule, "to"),
                     "proto", json_is_string(proto)
                              ? json_string_value(proto) : "any",
                     "port", json_is_integer(port)
                             ? json_integer_value(port) : 0);
}

/* Adds the ops that make the policy generation 'gen' + 1, provided it is
 * still 'gen' (or, without 'have_row', the Cluster row is still missing:
 * it is made). */
static void
cluster_plan_bump__(struct ovsdb_txn *txn, bool have_row, long long gen,
                    const json_t *limit)
{
    json_t *row = json_pack("{s:I}", "generation", (json_int_t) gen + 1);

    if (limit) {
        json_object_set(row, "broadcast_pps", json_object_get(limit, "pps"));
        json_object_set(row, "broadcast_burst",
                        json_object_get(limit, "burst"));
    }
    if (!have_row) {
        ovsdb_txn_insert(txn, "Cluster", row);
        return;
    }
    ovsdb_txn_wait(txn, "Cluster", json_array(), json_pack("[s]",
                                                           "generation"),
                   "==", json_pack("[{s:I}]", "generation",
                                   (json_int_t) gen), 0);
    ovsdb_txn_update(txn, "Cluster", json_array(), row);
}

static void
cluster_policy_done__(struct ovsdb_txn *txn,
                      const struct ovsdb_txn_result *r, void *op_)
{
    struct cluster_op *op = op_;

    (void) txn;
    if (r->status == OVSDB_TXN_SUCCESS) {
        json_t *info = op->info;
        int status = json_integer_value(json_object_get(info, "status"));

        GN_LOG_INFO("cluster policy changed: %s", op->name);
        cluster_op_finish__(op, status, json_incref(json_object_get(info,
                                                                    "body")));
    } else if (r->status == OVSDB_TXN_OP_ERROR) {
        cluster_op_finish__(op, 409, cluster_error_body__(
                                "the cluster refused the change (%s): the "
                                "policy changed meanwhile or the change "
                                "clashes with it; look and retry",
                                r->error ? r->error : "?"));
    } else {
        cluster_op_finish__(op, 503, cluster_error_body__(
                                "the cluster database did not answer (%s): "
                                "the change may or may not be made; look "
                                "and retry", r->error ? r->error : "?"));
    }
}

/* 'error' from checking 'policy' (both borrowed) with its leading
 * "networks[N]" or "rules[N]" said as the network's name or the rule, or
 * NULL if it has none: the operator knows names, not positions. */
static char *
cluster_name_path__(const json_t *policy, const char *error)
{
    const char *kinds[] = { "networks", "rules" };

    for (size_t k = 0; k < GN_ARRAY_SIZE(kinds); k++) {
        size_t len = strlen(kinds[k]);
        unsigned int i;
        int n = 0;

        if (strncmp(error, kinds[k], len) || error[len] != '['
            || sscanf(error + len, "[%u]%n", &i, &n) != 1 || !n) {
            continue;
        }
        const json_t *item = json_array_get(json_object_get(policy,
                                                            kinds[k]), i);
        const char *rest = error + len + n;
        rest += *rest == '.' ? 1 : 0;
        if (!k) {
            return gn_xasprintf("network \"%s\": %s", json_string_value(
                                    json_object_get(item, "name")), rest);
        }
        char *text = json_dumps(item, JSON_SORT_KEYS | JSON_COMPACT);
        char *msg = gn_xasprintf("rule %s: %s", text ? text : "?", rest);
        free(text);
        return msg;
    }
    return NULL;
}

/* Checks 'candidate' (taken) as the whole policy; on success commits
 * 'txn' with the generation bump, answering 'status' and 'body' (taken). */
static void
cluster_policy_commit__(struct cluster *c, const char *what,
                        json_t *candidate, struct ovsdb_txn *txn,
                        int status, json_t *body, engine_done_cb *cb,
                        void *aux)
{
    struct gn_config *cfg;
    char *error = cluster_config__(c, candidate, &cfg);
    struct cluster_op *op;

    if (error) {
        char *named = cluster_name_path__(candidate, error);

        cluster_answer__(cb, aux, 400, named ? named : error);
        free(named);
        free(error);
        json_decref(candidate);
        json_decref(body);
        ovsdb_txn_destroy(txn);
        return;
    }
    gn_config_destroy(cfg);
    cluster_plan_bump__(txn, ovsdb_replica_count(c->replica, "Cluster") > 0,
                        cluster_generation__(c),
                        json_object_get(candidate, "broadcast_limit"));
    json_decref(candidate);
    op = cluster_op_create__(c, what, cb, aux);
    op->info = json_pack("{s:i, s:o}", "status", status, "body", body);
    ovsdb_txn_commit(txn, c->session, cluster_policy_done__, op);
}

static json_t *
cluster_find_net__(const json_t *policy, const char *name, size_t *idx)
{
    const json_t *v;
    size_t i;

    json_array_foreach (json_object_get(policy, "networks"), i, v) {
        if (!strcmp(json_string_value(json_object_get(v, "name")), name)) {
            *idx = i;
            return (json_t *) v;
        }
    }
    return NULL;
}

/* Ports of network 'name', as "p1, p2" (at most 5 named), or NULL. */
static char *
cluster_net_ports__(const struct cluster *c, const char *name)
{
    struct ovsdb_replica_index_iter it;
    struct gn_buf b = GN_BUF_INIT;
    const char *uuid;
    int n = 0;
    char *s;

    OVSDB_REPLICA_INDEX_FOR_EACH (uuid, it, c->replica, "Port", "network",
                                  name) {
        const json_t *row = ovsdb_replica_get_row(c->replica, "Port", uuid);
        if (n++ < 5) {
            gn_buf_printf(&b, "%s%s", n > 1 ? ", " : "",
                          ovsdb_datum_string(row, "name"));
        }
    }
    if (!n) {
        return NULL;
    }
    if (n > 5) {
        gn_buf_printf(&b, " and %d more", n - 5);
    }
    s = gn_xstrdup(gn_buf_cstr(&b));
    gn_buf_destroy(&b);
    return s;
}

/* The default limits of a network that had 'old' (may be NULL) after a
 * change that gives 'change' (may be NULL), as a port's own limits change
 * (POST /v1/ports/NAME/limits): the members 'change' gives replace
 * those of 'old', a member set to null is dropped (the default applies),
 * and "limits": null drops them all.  Returns the result (new), or NULL
 * for none.  What is not an object passes as it is, for the config's
 * check to refuse. */
static json_t *
cluster_merge_limits__(const json_t *old, const json_t *change)
{
    json_t *merged;
    const char *key;
    json_t *v;

    if (!change) {
        return old ? json_deep_copy(old) : NULL;
    } else if (json_is_null(change)) {
        return NULL;
    } else if (!json_is_object(change) || !json_is_object(old)) {
        merged = json_deep_copy(change);
    } else {
        merged = json_deep_copy(old);
        json_object_foreach ((json_t *) change, key, v) {
            json_object_set(merged, key, v);
        }
    }
    if (json_is_object(merged)) {
        void *tmp;
        json_object_foreach_safe (merged, tmp, key, v) {
            if (json_is_null(v)) {
                json_object_del(merged, key);
            }
        }
        if (!json_object_size(merged)) {
            json_decref(merged);
            return NULL;
        }
    }
    return merged;
}

static void
cluster_network_write__(struct cluster *c, const char *method,
                        const char *name, const json_t *body,
                        engine_done_cb *cb, void *aux)
{
    json_t *policy = cluster_policy_json__(c);
    json_t *nets = json_object_get(policy, "networks");
    struct ovsdb_txn *txn;
    size_t idx = 0;
    json_t *old = name ? cluster_find_net__(policy, name, &idx) : NULL;
    char *ports = name ? cluster_net_ports__(c, name) : NULL;
    char *msg = NULL;

    if (name && !old) {
        msg = gn_xasprintf("no network \"%s\" in the cluster", name);
        cluster_answer__(cb, aux, 404, msg);
    } else if (!strcmp(method, "DELETE") && body) {
        cluster_answer__(cb, aux, 400, "a DELETE takes no body");
    } else if (strcmp(method, "DELETE") && !body) {
        cluster_answer__(cb, aux, 400, "expected a JSON object");
    } else if (!strcmp(method, "DELETE") && ports) {
        msg = gn_xasprintf("network \"%s\" still has ports: %s", name,
                           ports);
        cluster_answer__(cb, aux, 409, msg);
    } else if (old && json_object_get(body, "name")) {
        cluster_answer__(cb, aux, 400, "name: a network cannot be renamed");
    } else if (old && ports && (json_object_get(body, "vlan")
                                || json_object_get(body, "subnets"))) {
        msg = gn_xasprintf("network \"%s\" has ports (%s): its VLAN and "
                           "subnets cannot change under them", name, ports);
        cluster_answer__(cb, aux, 409, msg);
    } else if (!old && !json_is_string(json_object_get(body, "name"))) {
        cluster_answer__(cb, aux, 400, "name: expected a string");
    } else if (!old && cluster_find_net__(policy, json_string_value(
                           json_object_get(body, "name")), &idx)) {
        msg = gn_xasprintf("network \"%s\" exists already",
                           json_string_value(json_object_get(body, "name")));
        cluster_answer__(cb, aux, 409, msg);
    } else {
        json_t *net;
        int status = 200;

        txn = cluster_txn__(c);
        if (!strcmp(method, "DELETE") || (old && (json_object_get(body, "vlan")
                                                  || json_object_get(
                                                      body, "subnets")))) {
            /* Provided no host registers a port in it meanwhile. */
            ovsdb_txn_wait(txn, "Port", cluster_where__("network", name),
                           json_pack("[s]", "name"), "==", json_array(), 0);
        }
        if (!strcmp(method, "DELETE")) {
            json_array_remove(nets, idx);
            ovsdb_txn_delete(txn, "Network", cluster_where__("name", name));
            ovsdb_txn_delete(txn, "Address", cluster_where__("network",
                                                             name));
            cluster_policy_commit__(c, name, policy, txn, 200,
                                    json_pack("{s:s}", "deleted", name),
                                    cb, aux);
            goto out;
        }
        if (old) {
            json_t *limits = cluster_merge_limits__(
                json_object_get(old, "limits"),
                json_object_get(body, "limits"));

            net = json_deep_copy(old);
            json_object_update(net, (json_t *) body);
            if (limits) {
                json_object_set_new(net, "limits", limits);
            } else {
                json_object_del(net, "limits");
            }
            json_array_set(nets, idx, net);
            ovsdb_txn_update(txn, "Network", cluster_where__("name", name),
                             cluster_network_row__(net));
        } else {
            net = json_deep_copy(body);
            json_array_append(nets, net);
            ovsdb_txn_insert(txn, "Network", cluster_network_row__(net));
            status = 201;
        }
        cluster_plan_reserved__(txn, net);
        cluster_policy_commit__(c, json_string_value(json_object_get(net,
                                                                     "name")),
                                policy, txn, status, net, cb, aux);
        goto out;
    }
    json_decref(policy);
out:
    free(ports);
    free(msg);
}

static bool
cluster_same_rule__(const json_t *a, const json_t *b)
{
    static const char *const keys[] = { "from", "to", "proto", "port" };

    for (size_t i = 0; i < GN_ARRAY_SIZE(keys); i++) {
        const json_t *x = json_object_get(a, keys[i]);
        const json_t *y = json_object_get(b, keys[i]);
        if (!x || !y ? x != y : !json_equal((json_t *) x, (json_t *) y)) {
            return false;
        }
    }
    return true;
}

/* The rule a DELETE names in its query: {from, to, proto[, port]}. */
static json_t *
cluster_rule_from_params__(const json_t *params, char **errorp)
{
    const char *port = json_string_value(json_object_get(params, "port"));
    json_t *rule = json_object();
    const char *key;
    json_t *v;

    *errorp = NULL;
    json_object_foreach ((json_t *) params, key, v) {
        if (strcmp(key, "from") && strcmp(key, "to") && strcmp(key, "proto")
            && strcmp(key, "port")) {
            *errorp = gn_xasprintf("%s: unknown parameter (from, to, proto, "
                                   "port)", key);
        } else if (strcmp(key, "port")) {
            json_object_set(rule, key, v);
        }
    }
    if (!*errorp && (!json_object_get(rule, "from")
                     || !json_object_get(rule, "to"))) {
        *errorp = gn_xstrdup("from and to are needed");
    }
    if (!*errorp && !json_object_get(rule, "proto")) {
        json_object_set_new(rule, "proto", json_string("any"));
    }
    if (!*errorp && port && strcmp(port, "0")) {
        char *end;
        long n = strtol(port, &end, 10);
        if (*end || n < 1 || n > 65535) {
            *errorp = gn_xasprintf("port: \"%s\" is not a port (1-65535)",
                                   port);
        } else {
            json_object_set_new(rule, "port", json_integer(n));
        }
    }
    if (*errorp) {
        json_decref(rule);
        return NULL;
    }
    return rule;
}

static void
cluster_rule_write__(struct cluster *c, const char *method,
                     const json_t *params, const json_t *body,
                     engine_done_cb *cb, void *aux)
{
    json_t *policy = cluster_policy_json__(c);
    json_t *rules = json_object_get(policy, "rules");
    bool del = !strcmp(method, "DELETE");
    json_t *rule;
    const json_t *v;
    char *error = NULL;
    size_t i, found = SIZE_MAX;

    rule = del ? cluster_rule_from_params__(params, &error)
               : json_deep_copy(body);
    if (!rule || (!del && json_object_size(params))) {
        cluster_answer__(cb, aux, 400, error ? error
                         : "expected a JSON rule and no parameters");
        goto out;
    }
    if (!del && !json_object_get(rule, "proto")) {
        json_object_set_new(rule, "proto", json_string("any"));
    }
    json_array_foreach (rules, i, v) {
        if (cluster_same_rule__(v, rule)) {
            found = i;
        }
    }
    if (del && found == SIZE_MAX) {
        cluster_answer__(cb, aux, 404, "no such rule in the cluster");
    } else if (!del && found != SIZE_MAX) {
        cluster_answer__(cb, aux, 409, "the cluster has this rule already");
    } else {
        struct ovsdb_txn *txn = cluster_txn__(c);
        json_t *row = cluster_rule_row__(rule);

        if (del) {
            json_t *where = json_array();
            const char *k;
            json_t *x;

            json_object_foreach (row, k, x) {
                json_array_append_new(where, json_pack("[s, s, O]", k, "==",
                                                       x));
            }
            json_decref(row);
            json_array_remove(rules, found);
            ovsdb_txn_delete(txn, "Rule", where);
            cluster_policy_commit__(c, "rule deleted", policy, txn, 200,
                                    json_pack("{s:O}", "deleted", rule),
                                    cb, aux);
        } else {
            json_array_append(rules, rule);
            ovsdb_txn_insert(txn, "Rule", row);
            cluster_policy_commit__(c, "rule added", policy, txn, 201,
                                    json_incref(rule), cb, aux);
        }
        policy = NULL;
    }
out:
    free(error);
    json_decref(rule);
    json_decref(policy);
}

/* POST /v1/cluster/import: the networks, rules and broadcast limit of a
 * single-host config file; those the cluster has already, the same, are
 * left; a network of the same name but different is a conflict. */
static void
cluster_import__(struct cluster *c, const json_t *body, engine_done_cb *cb,
                 void *aux)
{
    json_t *policy = cluster_policy_json__(c);
    struct gn_config *file_cfg;
    struct ovsdb_txn *txn;
    json_t *file, *v;
    int n_nets = 0, n_rules = 0, n_same = 0;
    bool changed = false;
    char *error;
    size_t i, idx;

    error = gn_config_from_json(body, &file_cfg);
    if (error) {
        char *msg = gn_xasprintf("the imported config: %s", error);
        cluster_answer__(cb, aux, 400, msg);
        free(msg);
        free(error);
        json_decref(policy);
        return;
    }
    file = gn_config_to_json(file_cfg);
    gn_config_destroy(file_cfg);
    txn = cluster_txn__(c);
    json_array_foreach (json_object_get(file, "networks"), i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));
        json_t *old = cluster_find_net__(policy, name, &idx);

        /* The policy lists "dhcp" only when false (cluster-policy.c). */
        if (json_is_true(json_object_get(v, "dhcp"))) {
            json_object_del(v, "dhcp");
        }

        if (old && json_equal(old, v)) {
            n_same++;
        } else if (old) {
            char *msg = gn_xasprintf("network \"%s\" exists in the cluster "
                                     "with other settings: change it with "
                                     "\"guestnetctl network set\"", name);
            cluster_answer__(cb, aux, 409, msg);
            free(msg);
            ovsdb_txn_destroy(txn);
            goto out;
        } else {
            json_array_append(json_object_get(policy, "networks"), v);
            ovsdb_txn_insert(txn, "Network", cluster_network_row__(v));
            cluster_plan_reserved__(txn, v);
            n_nets++;
        }
    }
    json_array_foreach (json_object_get(file, "rules"), i, v) {
        const json_t *r;
        size_t j;
        bool have = false;

        json_array_foreach (json_object_get(policy, "rules"), j, r) {
            have |= cluster_same_rule__(r, v);
        }
        if (have) {
            n_same++;
        } else {
            json_array_append(json_object_get(policy, "rules"), v);
            ovsdb_txn_insert(txn, "Rule", cluster_rule_row__(v));
            n_rules++;
        }
    }
    if (json_object_get(body, "broadcast_limit")
        && !json_equal(json_object_get(policy, "broadcast_limit"),
                       json_object_get(file, "broadcast_limit"))) {
        json_object_set(policy, "broadcast_limit",
                        json_object_get(file, "broadcast_limit"));
        changed = true;
    }
    if (!n_nets && !n_rules && !changed) {
        cb(200, json_pack("{s:i, s:i, s:i}", "networks_added", 0,
                          "rules_added", 0, "unchanged", n_same), aux);
        ovsdb_txn_destroy(txn);
        goto out;
    }
    cluster_policy_commit__(c, "import", policy, txn, 200,
                            json_pack("{s:i, s:i, s:i}", "networks_added",
                                      n_nets, "rules_added", n_rules,
                                      "unchanged", n_same), cb, aux);
    policy = NULL;
out:
    json_decref(file);
    json_decref(policy);
}

void
cluster_policy_handle__(struct cluster *c, const char *method,
                        const char *path, const json_t *params,
                        const json_t *body, engine_done_cb *cb, void *aux)
{
    const char *why;

    if (!strcmp(method, "GET")) {
        if (!strcmp(path, "/networks")) {
            json_t *p = cluster_policy_json__(c);
            json_object_set_new(p, "generation",
                                json_integer(cluster_generation__(c)));
            cb(200, p, aux);
        } else {
            cluster_answer__(cb, aux, strncmp(path, "/networks/", 10)
                             ? 405 : 404, "no such endpoint");
        }
        return;
    }
    why = cluster_unwritable__(c);
    if (why) {
        cluster_answer__(cb, aux, 503, why);
    } else if (!strcmp(path, "/networks") && !strcmp(method, "POST")) {
        cluster_network_write__(c, method, NULL, body, cb, aux);
    } else if (!strncmp(path, "/networks/", 10) && path[10]
               && !strchr(path + 10, '/')) {
        cluster_network_write__(c, method, path + 10, body, cb, aux);
    } else if (!strcmp(path, "/rules")) {
        cluster_rule_write__(c, method, params, body, cb, aux);
    } else if (!strcmp(path, "/import") && !strcmp(method, "POST")) {
        cluster_import__(c, body, cb, aux);
    } else {
        cluster_answer__(cb, aux, 405, "method not allowed for this "
                         "endpoint");
    }
}
