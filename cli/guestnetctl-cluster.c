/* guestnetctl-cluster.c: guestnetctl's cluster commands, on guestnetd's
 * /v1/cluster/ API: the cluster's state and its hosts ("cluster status",
 * "cluster hosts", "cluster host del"), every port on every host, and the
 * networks and rules all hosts share ("network add|set|del", "rule
 * add|del|list", "cluster import").  Arguments are checked here, so a bad
 * one is a usage error (exit 2) before anything is sent; a guestnetd
 * started without --cluster is named as such. */
#include <config.h>

#include <event2/http.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-config.h"
#include "gn-util.h"
#include "guestnetctl-private.h"
#include "netaddr.h"

void
cluster_usage(void)
{
    printf("\n"
           "Cluster commands (guestnetd --cluster):\n"
           "  cluster status             the cluster database and whether "
           "each host\n"
           "                             runs its newest generation\n"
           "  cluster hosts              the hosts in the cluster\n"
           "  cluster host del NAME [--force]  forget a host and its "
           "ports (--force:\n"
           "                             even while it is connected)\n"
           "  cluster ports              every port on every host (also "
           "--cluster\n"
           "                             port list; --cluster port show "
           "NAME)\n"
           "  cluster networks           the networks and rules (also "
           "--cluster\n"
           "                             network list; --cluster network "
           "show NAME)\n"
           "  cluster import FILE        add the networks and rules of a "
           "guestnetd\n"
           "                             config file\n"
           "  network add NAME --vlan N --subnet CIDR... [NETWORK OPTIONS]\n"
           "  network set NAME [--vlan N] [--subnet CIDR]... [NETWORK "
           "OPTIONS]\n"
           "  network del NAME\n"
           "  rule add FROM TO tcp|udp|icmp|any [PORT]   FROM guests may "
           "open\n"
           "                             connections to TO guests\n"
           "  rule del FROM TO tcp|udp|icmp|any [PORT]\n"
           "  rule list\n"
           "\n"
           "Network options (\"network set\": --subnet and --gateway "
           "replace the list):\n"
           "  --gateway IP       a gateway address (repeatable)\n"
           "  --mtu N            MTU of the devices\n"
           "  --private, --no-private   guests reach only the gateway and "
           "the uplink\n"
           "  LIMIT OPTIONS      the network's default limits for its "
           "ports (as for\n"
           "                     port limit; \"network set\": those given "
           "change,\n"
           "                     \"default\" drops one)\n");
}

/* Fails like call(), except that it names a guestnetd without --cluster,
 * which has no /v1/cluster/ endpoints. */
static void
cluster_check(int status, const json_t *answer)
{
    const json_t *err = json_object_get(answer, "error");

    if (status == 404 && !strncmp(str(err, "message"), "no such endpoint",
                                  strlen("no such endpoint"))) {
        refuse(status, answer, "guestnetd is not in cluster mode (start it "
               "with --cluster=REMOTES)");
    } else if (status >= 400) {
        refuse(status, answer, NULL);
    }
}

static json_t *
cluster_call(const char *method, const char *path, const json_t *body)
{
    int status;
    json_t *answer = request(method, path, body, &status);

    cluster_check(status, answer);
    return answer;
}

/* A table column: 'key' is the member of each row it shows. */
struct column {
    const char *title;
    const char *key;
    int width;                  /* 0 for the last column. */
};

/* Member 'key' of 'row' for a table: arrays as comma-separated lists. */
static char *
cell(const json_t *row, const char *key)
{
    const json_t *array = json_object_get(row, key);
    struct gn_buf buf = GN_BUF_INIT;
    const json_t *v;
    size_t i;

    if (!json_is_array(array) || !json_array_size(array)) {
        return scalar(row, key);
    }
    json_array_foreach (array, i, v) {
        gn_buf_printf(&buf, "%s%s", i ? "," : "",
                      json_is_string(v) ? json_string_value(v) : "?");
    }
    return buf.data;
}

static void
print_table(const json_t *rows, const struct column *cols, size_t n)
{
    const json_t *row;
    size_t i, c;

    for (c = 0; c < n; c++) {
        printf("%-*s%s", cols[c].width, cols[c].title,
               c + 1 < n ? " " : "\n");
    }
    json_array_foreach (rows, i, row) {
        for (c = 0; c < n; c++) {
            char *s = cell(row, cols[c].key);
            printf("%-*s%s", cols[c].width, s, c + 1 < n ? " " : "\n");
            free(s);
        }
    }
}

/* Adds to each host of 'hosts' (an array the caller owns) the members the
 * tables show: "seen" (how long ago it was last seen) and, if
 * 'generation' is not negative, "state": "live" if the host installed the
 * cluster's 'generation', else "behind". */
static void
prepare_hosts(json_t *hosts, json_int_t generation)
{
    json_t *h;
    size_t i;

    json_array_foreach (hosts, i, h) {
        const json_t *ms = json_object_get(h, "last_seen_ms_ago");
        const json_t *gen = json_object_get(h, "generation");

        if (json_is_integer(ms)) {
            json_object_set_new(h, "seen", json_sprintf(
                "%.1f s ago", json_integer_value(ms) / 1000.0));
        }
        if (generation >= 0) {
            json_object_set_new(h, "state", json_string(
                json_is_integer(gen) && json_integer_value(gen) == generation
                ? "live" : "behind"));
        }
    }
}

static void
print_status(json_t *s)
{
    static const struct column cols[] = {
        { "NAME", "name", 16 }, { "CONNECTED", "connected", 9 },
        { "VERSION", "version", 10 }, { "GENERATION", "generation", 10 },
        { "STATE", "state", 6 }, { "PORTS", "ports", 0 },
    };
    const json_t *cluster = json_object_get(s, "cluster");
    const json_t *host = json_object_get(s, "host");
    const json_t *gen = json_object_get(cluster, "generation");
    char *a = scalar(cluster, "connected"), *b = scalar(cluster, "synced");
    char *c = scalar(cluster, "generation"), *d = scalar(host, "generation");

    printf("cluster:  %s of %s (connected: %s, synced: %s, generation %s)\n",
           str(cluster, "remote"), str(cluster, "remotes"), a, b, c);
    if (json_is_string(json_object_get(cluster, "error"))) {
        printf("          error: %s\n", str(cluster, "error"));
    }
    printf("host:     %s (system-id %s, generation %s)\n", str(host, "name"),
           str(host, "system_id"), d);
    free(a);
    free(b);
    free(c);
    free(d);
    prepare_hosts(json_object_get(s, "hosts"),
                  json_is_integer(gen) ? json_integer_value(gen) : -1);
    print_table(json_object_get(s, "hosts"), cols, GN_ARRAY_SIZE(cols));
}

static void
print_hosts(json_t *answer)
{
    static const struct column cols[] = {
        { "NAME", "name", 16 }, { "CONNECTED", "connected", 9 },
        { "VERSION", "version", 10 }, { "GENERATION", "generation", 10 },
        { "PORTS", "ports", 5 }, { "UPLINK", "uplink", 10 },
        { "SEEN", "seen", 12 }, { "ADDRESSES", "addresses", 0 },
    };
    json_t *hosts = json_object_get(answer, "hosts");

    prepare_hosts(hosts, -1);
    print_table(hosts, cols, GN_ARRAY_SIZE(cols));
}

static const struct column port_cols[] = {
    { "NAME", "name", 15 }, { "HOST", "host", 16 },
    { "NETWORK", "network", 12 }, { "KIND", "kind", 7 },
    { "MAC", "mac", 17 }, { "STATE", "state", 7 }, { "IPS", "ips", 0 },
};

static void
print_ports(json_t *answer)
{
    print_table(json_object_get(answer, "ports"), port_cols,
                GN_ARRAY_SIZE(port_cols));
}

static void
print_port(json_t *port)
{
    printf("port %s\n", str(port, "name"));
    for (size_t c = 1; c < GN_ARRAY_SIZE(port_cols); c++) {
        char *s = cell(port, port_cols[c].key);
        printf("  %-10s %s\n", port_cols[c].key, s);
        free(s);
    }
}

static const struct column network_cols[] = {
    { "NAME", "name", 12 }, { "VLAN", "vlan", 5 },
    { "PRIVATE", "private", 7 }, { "MTU", "mtu", 6 },
    { "SUBNETS", "subnets", 32 }, { "GATEWAYS", "gateways", 0 },
};

static const struct column rule_cols[] = {
    { "FROM", "from", 12 }, { "TO", "to", 12 }, { "PROTO", "proto", 5 },
    { "PORT", "port", 0 },
};

/* One network (as "network add|set" answer it) as a one-row table. */
static void
print_network(json_t *net)
{
    json_t *rows = json_pack("[O]", net);

    print_table(rows, network_cols, GN_ARRAY_SIZE(network_cols));
    json_decref(rows);
}

static void
print_networks(json_t *answer)
{
    const json_t *limit = json_object_get(answer, "broadcast_limit");
    const json_t *rules = json_object_get(answer, "rules");
    char *gen = scalar(answer, "generation");
    char *pps = scalar(limit, "pps"), *burst = scalar(limit, "burst");

    printf("generation %s, broadcast limit %s pps (burst %s)\n\n", gen, pps,
           burst);
    free(gen);
    free(pps);
    free(burst);
    print_table(json_object_get(answer, "networks"), network_cols,
                GN_ARRAY_SIZE(network_cols));
    if (json_array_size(rules)) {
        printf("\n");
        print_table(rules, rule_cols, GN_ARRAY_SIZE(rule_cols));
    }
}

static void
print_rules(json_t *answer)
{
    print_table(json_object_get(answer, "rules"), rule_cols,
                GN_ARRAY_SIZE(rule_cols));
}

/* GETs 'path' and prints the answer with 'print' (or as JSON). */
static int
show(const char *path, void (*print)(json_t *))
{
    json_t *answer = cluster_call("GET", path, NULL);

    json_output ? print_json(answer) : print(answer);
    json_decref(answer);
    return 0;
}

/* "--cluster port show NAME": GET /v1/cluster/ports/NAME. */
static int
show_port(const char *name)
{
    char *path = gn_xasprintf("/v1/cluster/ports/%s",
                              url_safe_name("port", name));
    int rc = show(path, print_port);

    free(path);
    return rc;
}

/* "--cluster network show NAME": one network of /v1/cluster/networks,
 * as JSON (as "network show" prints a local one). */
static int
show_network(const char *name)
{
    json_t *answer = cluster_call("GET", "/v1/cluster/networks", NULL);
    const json_t *n, *found = NULL;
    size_t i;

    json_array_foreach (json_object_get(answer, "networks"), i, n) {
        if (!strcmp(str(n, "name"), name)) {
            found = n;
        }
    }
    if (found) {
        print_json(found);
    } else {
        fprintf(stderr, "%s: no network named \"%s\" in the cluster\n",
                gn_program_name(), name);
    }
    json_decref(answer);
    return found ? 0 : EXIT_REFUSED;
}

/* "cluster host del NAME [--force]"; 'argv' follows "del". */
static int
host_del(int argc, char *argv[])
{
    const char *name = NULL;
    bool force = false;
    json_t *answer;
    char *path;
    int status;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--force")) {
            force = true;
        } else if (argv[i][0] == '-' || name) {
            usage_error("cluster host del: unexpected \"%s\" (expected one "
                        "host NAME and --force)", argv[i]);
        } else {
            name = url_safe_name("host", argv[i]);
        }
    }
    if (!name) {
        usage_error("cluster host del: expected one host NAME");
    }
    path = gn_xasprintf("/v1/cluster/hosts/%s%s", name,
                        force ? "?force=true" : "");
    answer = request("DELETE", path, NULL, &status);
    free(path);
    if (status == 409 && !force) {
        const json_t *err = json_object_get(answer, "error");
        char *msg = gn_xasprintf("%s (--force removes it anyway)",
                                 str(err, "message"));
        refuse(status, answer, msg);
    }
    cluster_check(status, answer);
    if (json_output) {
        print_json(answer);
    } else {
        char *n = scalar(answer, "ports_removed");
        printf("host %s deleted (%s ports removed)\n", name, n);
        free(n);
    }
    json_decref(answer);
    return 0;
}

/* "cluster import FILE": checks FILE offline as "config check" does, then
 * sends it whole. */
static int
import(const char *file)
{
    struct gn_config *cfg;
    char *error = gn_config_read(file, &cfg);
    json_error_t jerr;
    json_t *body, *answer;

    if (error) {
        fprintf(stderr, "%s: %s\n", gn_program_name(), error);
        free(error);
        return EXIT_REFUSED;
    }
    gn_config_destroy(cfg);
    body = json_load_file(file, 0, &jerr);
    if (!body) {
        fprintf(stderr, "%s: %s: %s\n", gn_program_name(), file, jerr.text);
        return EXIT_REFUSED;
    }
    answer = cluster_call("POST", "/v1/cluster/import", body);
    json_decref(body);
    if (json_output) {
        print_json(answer);
    } else {
        char *n = scalar(answer, "networks_added");
        char *r = scalar(answer, "rules_added");
        char *u = scalar(answer, "unchanged");
        printf("%s: %s networks added, %s rules added, %s unchanged\n",
               file, n, r, u);
        free(n);
        free(r);
        free(u);
    }
    json_decref(answer);
    return 0;
}

/* Parses 's', the value of 'what' (an option or argument), as an integer
 * from 'min' to 'max'. */
static json_t *
number(const char *what, const char *s, long min, long max)
{
    char *end;
    long n = strtol(s, &end, 10);

    if (!*s || *end || n < min || n > max) {
        usage_error("%s: \"%s\" is not a number from %ld to %ld", what, s,
                    min, max);
    }
    return json_integer(n);
}

/* "network add|set NAME [OPTIONS]" ('argv' starts at "add" or "set"):
 * returns the request's body ("add": with the name) and stores NAME in
 * '*namep'. */
static json_t *
network_options(int argc, char *argv[], const char **namep)
{
    enum { O_VLAN = 256, O_SUBNET, O_GATEWAY, O_MTU, O_PRIVATE,
           O_NO_PRIVATE };
    static const struct option opts[] = {
        { "vlan", required_argument, NULL, O_VLAN },
        { "subnet", required_argument, NULL, O_SUBNET },
        { "gateway", required_argument, NULL, O_GATEWAY },
        { "mtu", required_argument, NULL, O_MTU },
        { "private", no_argument, NULL, O_PRIVATE },
        { "no-private", no_argument, NULL, O_NO_PRIVATE },
        LIMITS_OPTIONS
        { NULL, 0, NULL, 0 },
    };
    bool add = !strcmp(argv[0], "add");
    json_t *subnets = json_array(), *gateways = json_array();
    json_t *limits = json_object();
    json_t *req = json_object();
    struct netaddr_ip ip;
    char *error = NULL;
    int c;

    optind = 0;         /* Reinitialise getopt (permute again). */
    opterr = 0;         /* Its messages would name "add" or "set". */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_VLAN:
            json_object_set_new(req, "vlan", number("--vlan", optarg, 1,
                                                    4094));
            break;
        case O_SUBNET:
            error = netaddr_parse_subnet(optarg, &ip);
            json_array_append_new(subnets, json_string(optarg));
            break;
        case O_GATEWAY:
            error = netaddr_parse_ip(optarg, 0, &ip);
            json_array_append_new(gateways, json_string(optarg));
            break;
        case O_MTU:
            json_object_set_new(req, "mtu", number("--mtu", optarg, 68,
                                                   65535));
            break;
        case O_PRIVATE: case O_NO_PRIVATE:
            json_object_set_new(req, "private",
                                json_boolean(c == O_PRIVATE));
            break;
        LIMITS_CASES:
            limits_option(limits, c, optarg);
            break;
        default:
            usage_error("network %s: \"%s\" is not an option or lacks its "
                        "value", argv[0], argv[optind - 1]);
        }
        if (error) {
            usage_error("--%s: %s", c == O_SUBNET ? "subnet" : "gateway",
                        error);
        }
    }
    if (optind != argc - 1) {
        usage_error("network %s: expected one network NAME", argv[0]);
    }
    *namep = url_safe_name("network", argv[optind]);
    if (json_array_size(subnets)) {
        json_object_set(req, "subnets", subnets);
    }
    if (json_array_size(gateways)) {
        json_object_set(req, "gateways", gateways);
    }
    limits_put(req, limits);
    json_decref(subnets);
    json_decref(gateways);
    if (add && (!json_object_get(req, "vlan")
                || !json_object_get(req, "subnets"))) {
        usage_error("network add: --vlan and --subnet are required");
    } else if (add) {
        json_object_set_new(req, "name", json_string(*namep));
    } else if (!json_object_size(req)) {
        usage_error("network set: nothing to change (give --vlan, "
                    "--subnet, --gateway, --mtu, --[no-]private or a "
                    "limit)");
    }
    return req;
}

/* "network add|set|del ..."; 'argv' starts at "add", "set" or "del". */
static int
network_cmd(int argc, char *argv[])
{
    const char *name;
    json_t *answer;
    char *path;

    if (!strcmp(argv[0], "del") || !strcmp(argv[0], "delete")) {
        if (argc != 2) {
            usage_error("network del: expected one network NAME");
        }
        name = url_safe_name("network", argv[1]);
        path = gn_xasprintf("/v1/cluster/networks/%s", name);
        answer = cluster_call("DELETE", path, NULL);
    } else {
        json_t *req = network_options(argc, argv, &name);
        path = gn_xasprintf(!strcmp(argv[0], "add") ? "/v1/cluster/networks"
                            : "/v1/cluster/networks/%s", name);
        answer = cluster_call("POST", path, req);
        json_decref(req);
    }
    free(path);
    if (json_output) {
        print_json(answer);
    } else if (json_object_get(answer, "deleted")) {
        printf("network %s deleted\n", name);
    } else {
        print_network(answer);
    }
    json_decref(answer);
    return 0;
}

/* "rule add|del FROM TO PROTO [PORT]" ('argv' starts at "add" or "del"):
 * returns the rule. */
static json_t *
rule_args(int argc, char *argv[])
{
    static const char *const protos[] = { "tcp", "udp", "icmp", "any" };
    const char *proto = argc > 3 ? argv[3] : "";
    size_t i;

    if (argc != 4 && argc != 5) {
        usage_error("rule %s: expected FROM TO PROTO [PORT]", argv[0]);
    } else if (!*argv[1] || !*argv[2]) {
        usage_error("rule %s: FROM and TO are network names", argv[0]);
    }
    for (i = 0; i < GN_ARRAY_SIZE(protos); i++) {
        if (!strcmp(proto, protos[i])) {
            break;
        }
    }
    if (i == GN_ARRAY_SIZE(protos)) {
        usage_error("rule %s: PROTO \"%s\" is not tcp, udp, icmp or any",
                    argv[0], proto);
    }
    json_t *rule = json_pack("{s:s, s:s, s:s}", "from", argv[1], "to",
                             argv[2], "proto", proto);
    if (argc == 5) {
        if (strcmp(proto, "tcp") && strcmp(proto, "udp")) {
            usage_error("rule %s: PORT goes with tcp or udp, not %s",
                        argv[0], proto);
        }
        json_object_set_new(rule, "port", number("PORT", argv[4], 1,
                                                 65535));
    }
    return rule;
}

/* "rule list|add|del ..."; 'argv' starts after "rule". */
static int
rule_cmd(int argc, char *argv[])
{
    const char *sub = argc ? argv[0] : "";
    json_t *rule, *answer;

    if (!strcmp(sub, "list") && argc == 1) {
        return show("/v1/cluster/networks", print_rules);
    } else if (!strcmp(sub, "add")) {
        rule = rule_args(argc, argv);
        answer = cluster_call("POST", "/v1/cluster/rules", rule);
    } else if (!strcmp(sub, "del") || !strcmp(sub, "delete")) {
        static const char *const keys[] = { "from", "to", "proto", "port" };
        struct gn_buf path = GN_BUF_INIT;

        rule = rule_args(argc, argv);
        gn_buf_printf(&path, "/v1/cluster/rules");
        for (size_t i = 0; i < GN_ARRAY_SIZE(keys); i++) {
            if (json_object_get(rule, keys[i])) {
                char *value = scalar(rule, keys[i]);
                char *enc = evhttp_uriencode(value, -1, 0);
                gn_buf_printf(&path, "%c%s=%s", i ? '&' : '?', keys[i], enc);
                free(enc);
                free(value);
            }
        }
        answer = cluster_call("DELETE", gn_buf_cstr(&path), NULL);
        gn_buf_destroy(&path);
    } else {
        usage_error("rule: expected list, add or del");
    }
    if (json_output) {
        print_json(answer);
    } else {
        char *port = scalar(rule, "port");
        printf("rule %s -> %s %s%s%s %s\n", str(rule, "from"),
               str(rule, "to"), str(rule, "proto"),
               json_object_get(rule, "port") ? "/" : "",
               json_object_get(rule, "port") ? port : "",
               !strcmp(sub, "add") ? "added" : "deleted");
        free(port);
    }
    json_decref(rule);
    json_decref(answer);
    return 0;
}

/* "cluster ..."; 'argv' starts after "cluster". */
static int
cluster_cmd(int argc, char *argv[])
{
    const char *sub = argc ? argv[0] : "";

    if (!strcmp(sub, "status") && argc == 1) {
        return show("/v1/cluster/status", print_status);
    } else if (!strcmp(sub, "hosts") && argc == 1) {
        return show("/v1/cluster/hosts", print_hosts);
    } else if (!strcmp(sub, "host") && argc >= 2
               && (!strcmp(argv[1], "del") || !strcmp(argv[1], "delete"))) {
        return host_del(argc - 2, argv + 2);
    } else if (!strcmp(sub, "ports") && argc == 1) {
        return show("/v1/cluster/ports", print_ports);
    } else if (!strcmp(sub, "networks") && argc == 1) {
        return show("/v1/cluster/networks", print_networks);
    } else if (!strcmp(sub, "import") && argc == 2) {
        return import(argv[1]);
    }
    usage_error("cluster: unknown command or wrong arguments: \"%s\" "
                "(expected status, hosts, host del NAME, ports, networks "
                "or import FILE)", sub);
}

int
cluster_command(int argc, char *argv[])
{
    const char *cmd = argv[0];
    const char *sub = argc > 1 ? argv[1] : "";

    if (!strcmp(cmd, "cluster")) {
        return cluster_cmd(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "rule")) {
        return rule_cmd(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "network")
               && (!strcmp(sub, "add") || !strcmp(sub, "set")
                   || !strcmp(sub, "del") || !strcmp(sub, "delete"))) {
        return network_cmd(argc - 1, argv + 1);
    } else if (!cluster_option) {
        return -1;
    } else if (!strcmp(cmd, "status") && argc == 1) {
        return show("/v1/cluster/status", print_status);
    } else if (!strcmp(cmd, "port") && !strcmp(sub, "list") && argc == 2) {
        return show("/v1/cluster/ports", print_ports);
    } else if (!strcmp(cmd, "port") && !strcmp(sub, "show") && argc == 3) {
        return show_port(argv[2]);
    } else if (!strcmp(cmd, "network") && !strcmp(sub, "list")
               && argc == 2) {
        return show("/v1/cluster/networks", print_networks);
    } else if (!strcmp(cmd, "network") && !strcmp(sub, "show")
               && argc == 3) {
        return show_network(argv[2]);
    }
    return -1;
}
