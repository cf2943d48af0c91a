/* guestnetctl.c: main() of the guestnet CLI.  Parses the command line,
 * sends one request to guestnetd's API socket, prints the answer as a
 * table (or as JSON with --json).  "config check" works offline.  The
 * cluster commands live in guestnetctl-cluster.c, "port add-many" in
 * guestnetctl-bulk.c; the helpers they share are declared in
 * guestnetctl-private.h.
 *
 * Exit codes: 0 done; 1 guestnetd refused the request (4xx: invalid, not
 * found, conflict, forbidden) or the config is invalid; 2 usage error;
 * 3 guestnetd unreachable; 4 guestnetd failed (5xx) or timed out. */
#include <config.h>

#include <event2/http.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gn-config.h"
#include "gn-util.h"
#include "guestnetctl-private.h"
#include "http-client.h"

#define DEFAULT_SOCKET "/run/guestnet/guestnetd.sock"

static const char *socket_path;
bool json_output;
bool cluster_option;
static int timeout_ms = 60000;

static void
usage(void)
{
    printf("%s: control guestnetd\n"
           "usage: %s [OPTIONS] COMMAND [ARGS]\n"
           "\n"
           "Commands:\n"
           "  status                     daemon, OVSDB and bridge state\n"
           "  port list                  guest ports on the bridge\n"
           "  port show NAME             one port and what its guest "
           "needs\n"
           "  port add NAME --kind kvm|lxc --network NET [PORT OPTIONS]\n"
           "  port add-many FILE [--no-wait]  add the ports FILE lists "
           "(JSON; -: stdin)\n"
           "  port del NAME              remove a port (and its devices)\n"
           "  port limit NAME LIMIT OPTIONS   change a port's limits "
           "live\n"
           "  network list               configured networks\n"
           "  network show NAME          one network\n"
           "  flows                      desired vs installed flows, "
           "packets per rule\n"
           "  trace PORT [FIELD=VALUE]...  what the bridge does with a "
           "packet from\n"
           "                             PORT; FIELDs: dl_src, dl_dst, "
           "dl_vlan, proto,\n"
           "                             nw_src, nw_dst, tp_src, tp_dst, "
           "icmp_type,\n"
           "                             icmp_code, frag (first, later),\n"
           "                             nd_target, nd_sll, nd_tll, nw_proto\n"
           "  reload                     re-read guestnetd's config file\n"
           "  config check FILE          validate a config file offline\n",
           gn_program_name(), gn_program_name());
    cluster_usage();
    printf("\n"
           "Port options:\n"
           "  --mac MAC          guest MAC (default: random 52:54:00:...)\n"
           "  --ip ADDR          guest address (repeatable)\n"
           "  --mtu N            MTU of the devices\n"
           "  --vm-id ID, --iface-id ID   external_ids as libvirt sets "
           "them\n"
           "  kvm: --owner USER, --group GROUP   who may open the tap\n"
           "  lxc: --netns NAME | --netns-pid PID | --netns-path PATH\n"
           "       --guest-ifname NAME (default eth0)\n"
           "       --mode phys   leave the guest end on the host for LXC\n"
           "       --peer NAME   its name (default NAME + \"p\")\n"
           "  --server           the network's DHCP server / router: may "
           "send DHCP\n"
           "                     replies and router advertisements\n"
           "  --no-wait          answer once committed, before ready\n"
           "\n"
           "Limit options (port add, port limit; the guest's side: egress is "
           "what it\n"
           "sends, ingress what it receives; \"none\": no limit, "
           "\"default\": the\n"
           "network's):\n"
           "  --egress RATE, --ingress RATE   bandwidth: 100mbit, 512kbit, "
           "1gbit\n"
           "  --egress-pps N, --ingress-pps N packets a second\n"
           "  --burst-ms N                    bursts of N ms at the rate "
           "(default 500)\n"
           "\n"
           "Options:\n"
           "  -s, --socket PATH  guestnetd's socket (default "
           "$GUESTNET_SOCKET or\n"
           "                     %s)\n"
           "  -j, --json         print JSON instead of tables\n"
           "      --cluster      status, port list|show and network "
           "list|show ask\n"
           "                     for the whole cluster\n"
           "  -t, --timeout SECS give up after SECS (default 60)\n"
           "  -h, --help         show this help\n"
           "  -V, --version      show the version\n"
           "\n"
           "Exit status: 0 done, 1 refused or invalid, 2 usage, 3 "
           "guestnetd\n"
           "unreachable, 4 guestnetd failed or timed out.\n",
           DEFAULT_SOCKET);
}

void
usage_error(const char *fmt, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", gn_program_name());
    va_start(args, fmt);
    vfprintf(stderr, fmt, args);
    va_end(args);
    fprintf(stderr, " (try --help)\n");
    exit(EXIT_USAGE);
}

const char *
str(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    return json_is_string(v) ? json_string_value(v) : "-";
}

char *
scalar(const json_t *obj, const char *key)
{
    const json_t *v = json_object_get(obj, key);

    if (json_is_string(v)) {
        return gn_xstrdup(json_string_value(v));
    } else if (json_is_integer(v)) {
        return gn_xasprintf("%lld", (long long) json_integer_value(v));
    } else if (json_is_boolean(v)) {
        return gn_xstrdup(json_is_true(v) ? "yes" : "no");
    }
    return gn_xstrdup("-");
}

json_t *
request(const char *method, const char *path, const json_t *body,
        int *status)
{
    struct http_response resp;
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    int unreachable;
    json_error_t jerr;
    json_t *answer;
    char *error;

    error = http_client_request(socket_path, method, path, text, timeout_ms,
                                &resp, &unreachable);
    free(text);
    if (error) {
        fprintf(stderr, "%s: %s\n", gn_program_name(), error);
        free(error);
        exit(unreachable ? EXIT_UNREACHABLE : EXIT_FAILED);
    }
    answer = json_loadb(resp.body, resp.body_len, 0, &jerr);
    if (!answer) {
        fprintf(stderr, "%s: guestnetd answered %d with malformed JSON: "
                "%s\n", gn_program_name(), resp.status, jerr.text);
        http_response_destroy(&resp);
        exit(EXIT_FAILED);
    }
    *status = resp.status;
    http_response_destroy(&resp);
    return answer;
}

void
refuse(int status, const json_t *answer, const char *message)
{
    const json_t *err = json_object_get(answer, "error");
    char *text = NULL;

    if (json_output) {
        char *s = json_dumps(answer, JSON_INDENT(2));
        printf("%s\n", s);
        free(s);
    }
    if (!message) {
        text = json_is_object(err) ? NULL
               : json_dumps(answer, JSON_COMPACT | JSON_ENCODE_ANY);
        message = text ? text : str(err, "message");
    }
    fprintf(stderr, "%s: %s\n", gn_program_name(), message);
    free(text);
    exit(status >= 500 ? EXIT_FAILED : EXIT_REFUSED);
}

json_t *
call(const char *method, const char *path, const json_t *body)
{
    int status;
    json_t *answer = request(method, path, body, &status);

    if (status >= 400) {
        refuse(status, answer, NULL);
    }
    return answer;
}

void
print_json(const json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

    printf("%s\n", s);
    free(s);
}

static void
print_ports_table(const json_t *ports)
{
    static const char *const cols[] = {
        "name", "kind", "network", "vlan", "mac", "ofport", "state"
    };
    size_t i;
    const json_t *p;

    printf("%-15s %-8s %-12s %-5s %-17s %-6s %s\n", "NAME", "KIND",
           "NETWORK", "VLAN", "MAC", "OFPORT", "STATE");
    json_array_foreach (ports, i, p) {
        char *v[GN_ARRAY_SIZE(cols)];
        for (size_t c = 0; c < GN_ARRAY_SIZE(cols) - 1; c++) {
            v[c] = scalar(p, cols[c]);
        }
        const json_t *leased = json_array_get(json_object_get(
                                                  p, "ips_leased"), 0);
        v[6] = json_is_true(json_object_get(p, "quarantined"))
               ? gn_xasprintf("quarantined: %s",
                              str(p, "quarantine_reason"))
               : gn_xasprintf("bound%s%s%s",
                              leased ? ", leased " : "",
                              leased ? json_string_value(leased) : "",
                              json_is_true(json_object_get(p, "spoofing"))
                              ? ", spoofing" : "");
        printf("%-15s %-8s %-12s %-5s %-17s %-6s %s\n", v[0], v[1], v[2],
               v[3], v[4], v[5], v[6]);
        for (size_t c = 0; c < GN_ARRAY_SIZE(cols); c++) {
            free(v[c]);
        }
    }
}

static void
print_port(const json_t *p)
{
    const json_t *guest = json_object_get(p, "guest");
    const json_t *v;
    size_t i;
    const char *key;

    printf("port %s\n", str(p, "name"));
    static const char *const keys[] = {
        "kind", "network", "vlan", "mac", "ofport", "link_state",
        "iface_id", "vm_id", "peer", "quarantine_reason", "error",
    };
    for (i = 0; i < GN_ARRAY_SIZE(keys); i++) {
        if (json_object_get(p, keys[i])
            && !json_is_null(json_object_get(p, keys[i]))) {
            char *s = scalar(p, keys[i]);
            printf("  %-18s %s\n", keys[i], s);
            free(s);
        }
    }
    if (json_object_get(p, "spoofing")) {
        printf("  %-18s %s (%"JSON_INTEGER_FORMAT" episodes)\n", "spoofing",
               json_is_true(json_object_get(p, "spoofing")) ? "yes" : "no",
               json_integer_value(json_object_get(p, "spoofing_episodes")));
    }
    printf("  %-18s", "ips");
    json_array_foreach (json_object_get(p, "ips"), i, v) {
        const json_t *a;
        size_t k;
        bool assigned = false, leased = false;

        json_array_foreach (json_object_get(p, "ips_assigned"), k, a) {
            assigned |= json_equal(a, v);
        }
        json_array_foreach (json_object_get(p, "ips_leased"), k, a) {
            leased |= json_equal(a, v);
        }
        printf(" %s%s", json_string_value(v),
               assigned ? " (assigned)" : leased ? " (leased)" : "");
    }
    printf("\n");
    json_object_foreach ((json_t *) json_object_get(p, "lease_expires"),
                         key, v) {
        time_t t = (time_t) json_integer_value(v);
        char when[32];

        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
        printf("  %-18s %s until %s\n", "lease", key, when);
    }
    limits_print(p);
    if (json_array_size(json_object_get(p, "link_locals"))) {
        printf("  %-18s", "link-locals");
        json_array_foreach (json_object_get(p, "link_locals"), i, v) {
            printf(" %s", json_string_value(v));
        }
        printf("\n");
    }
    json_object_foreach ((json_t *) guest, key, v) {
        if (!strcmp(key, "qemu_args")) {
            printf("QEMU arguments:\n ");
            const json_t *a;
            json_array_foreach (v, i, a) {
                printf(" %s", json_string_value(a));
            }
            printf("\n");
        } else if (!strcmp(key, "libvirt_xml")) {
            printf("libvirt <interface>:\n%s\n", json_string_value(v));
        } else if (!strcmp(key, "lxc_config") && json_array_size(v)) {
            const json_t *l;
            printf("LXC config:\n");
            json_array_foreach (v, i, l) {
                printf("  %s\n", json_string_value(l));
            }
        }
    }
}

static void
print_status(const json_t *s)
{
    const json_t *ovsdb = json_object_get(s, "ovsdb");
    const json_t *bridge = json_object_get(s, "bridge");
    const json_t *counts = json_object_get(s, "counts");
    const json_t *txns = json_object_get(s, "transactions");
    char *a, *b, *c, *d;

    printf("guestnetd %s, up %.1f s, %s\n", str(s, "version"),
           json_integer_value(json_object_get(s, "uptime_ms")) / 1000.0,
           json_is_true(json_object_get(s, "healthy"))
           ? "healthy" : str(s, "health_reason"));
    a = scalar(ovsdb, "connected");
    b = scalar(ovsdb, "synced");
    c = scalar(ovsdb, "connects");
    printf("ovsdb:    %s (connected: %s, synced: %s, connects: %s)\n",
           str(ovsdb, "remote"), a, b, c);
    free(a);
    free(b);
    free(c);
    a = scalar(bridge, "exists");
    printf("bridge:   %s (datapath %s, exists: %s)\n", str(bridge, "name"),
           str(bridge, "datapath_type"), a);
    free(a);
    a = scalar(counts, "ports");
    b = scalar(counts, "quarantined");
    c = scalar(counts, "networks");
    d = scalar(counts, "pending_requests");
    printf("ports:    %s (%s quarantined), networks: %s, pending "
           "requests: %s\n", a, b, c, d);
    free(a);
    free(b);
    free(c);
    free(d);
    a = scalar(txns, "committed");
    b = scalar(txns, "failed");
    printf("ovsdb transactions: %s committed, %s failed", a, b);
    if (json_is_string(json_object_get(txns, "last_error"))) {
        printf(" (last error: %s)", str(txns, "last_error"));
    }
    printf("\n");
    free(a);
    free(b);
}

static void
print_networks(const json_t *nets)
{
    size_t i, j;
    const json_t *n, *v;

    printf("%-12s %-5s %-7s %-6s %-5s %s\n", "NAME", "VLAN", "PRIVATE",
           "MTU", "PORTS", "SUBNETS");
    json_array_foreach (nets, i, n) {
        char *vlan = scalar(n, "vlan"), *priv = scalar(n, "private");
        char *mtu = scalar(n, "mtu"), *ports = scalar(n, "ports");
        printf("%-12s %-5s %-7s %-6s %-5s", str(n, "name"), vlan, priv, mtu,
               ports);
        json_array_foreach (json_object_get(n, "subnets"), j, v) {
            printf(" %s", json_string_value(v));
        }
        printf("\n");
        free(vlan);
        free(priv);
        free(mtu);
        free(ports);
    }
}

static void
print_flows(const json_t *f)
{
    const json_t *counters = json_object_get(f, "counters");
    const json_t *r;
    char *a, *b, *c, *d;
    size_t i;

    a = scalar(f, "desired");
    b = scalar(f, "installed");
    printf("flows:    %s desired, %s installed (%s), OpenFlow %s %s\n", a, b,
           json_is_true(json_object_get(f, "in_sync")) ? "in sync"
                                                        : "NOT in sync",
           str(f, "openflow_version"),
           json_is_true(json_object_get(f, "connected")) ? "connected"
                                                         : "not connected");
    free(a);
    free(b);
    a = scalar(f, "flow_mods");
    b = scalar(f, "bundles");
    c = scalar(f, "bundle_failures");
    d = scalar(f, "errors");
    printf("switch:   %s flow_mods in %s bundles (%s failed), %s errors",
           a, b, c, d);
    if (json_is_string(json_object_get(f, "last_error"))) {
        printf(" (last: %s)", str(f, "last_error"));
    }
    printf("\n");
    free(a);
    free(b);
    free(c);
    free(d);
    if (!json_is_object(counters)) {
        printf("(no packet counters: not connected to the switch)\n");
        return;
    }
    printf("%-26s %6s %12s %14s\n", "RULE", "FLOWS", "PACKETS", "BYTES");
    json_array_foreach (json_object_get(counters, "rules"), i, r) {
        a = scalar(r, "flows");
        b = scalar(r, "packets");
        c = scalar(r, "bytes");
        printf("%-26s %6s %12s %14s%s\n", str(r, "rule"), a, b, c,
               json_is_true(json_object_get(r, "drops")) ? "  (drops)" : "");
        free(a);
        free(b);
        free(c);
    }
}

static void
print_trace(const json_t *t)
{
    const json_t *step;
    size_t i;

    printf("%s\n", str(t, "summary"));
    printf("flow: %s\n", str(t, "flow"));
    json_array_foreach (json_object_get(t, "steps"), i, step) {
        char *prio = scalar(step, "priority");
        printf("  table %-3lld priority %-5s %-26s %s\n",
               (long long) json_integer_value(json_object_get(step,
                                                              "table")),
               prio, json_is_string(json_object_get(step, "rule"))
                     ? str(step, "rule") : "(not guestnet's)",
               str(step, "match"));
        free(prio);
    }
    printf("datapath actions: %s\n", str(t, "datapath_actions"));
}

/* "trace PORT FIELD=VALUE...": GET /v1/trace with the fields as query
 * parameters (percent-encoded). */
static int
cmd_trace(int argc, char *argv[])
{
    char *enc = evhttp_uriencode(argv[1], -1, 0);
    char *path = gn_xasprintf("/v1/trace?in_port=%s", enc);
    json_t *answer;

    free(enc);
    for (int i = 2; i < argc; i++) {
        const char *eq = strchr(argv[i], '=');
        char *key, *value, *more;

        if (!eq || eq == argv[i] || !eq[1]) {
            usage_error("trace: \"%s\" is not FIELD=VALUE", argv[i]);
        }
        key = evhttp_uriencode(argv[i], eq - argv[i], 0);
        value = evhttp_uriencode(eq + 1, -1, 0);
        more = gn_xasprintf("%s&%s=%s", path, key, value);
        free(key);
        free(value);
        free(path);
        path = more;
    }
    answer = call("GET", path, NULL);
    free(path);
    json_output ? print_json(answer) : print_trace(answer);
    json_decref(answer);
    return 0;
}

/* "port add NAME ...": builds the request from the options. */
static int
cmd_port_add(int argc, char *argv[])
{
    enum {
        O_KIND = 256, O_NETWORK, O_MAC, O_IP, O_MTU, O_VM_ID, O_IFACE_ID,
        O_OWNER, O_GROUP, O_NETNS, O_NETNS_PID, O_NETNS_PATH,
        O_GUEST_IFNAME, O_MODE, O_PEER, O_NO_WAIT, O_SERVER,
    };
    static const struct option opts[] = {
        { "kind", required_argument, NULL, O_KIND },
        { "network", required_argument, NULL, O_NETWORK },
        { "mac", required_argument, NULL, O_MAC },
        { "ip", required_argument, NULL, O_IP },
        { "mtu", required_argument, NULL, O_MTU },
        { "vm-id", required_argument, NULL, O_VM_ID },
        { "iface-id", required_argument, NULL, O_IFACE_ID },
        { "owner", required_argument, NULL, O_OWNER },
        { "group", required_argument, NULL, O_GROUP },
        { "netns", required_argument, NULL, O_NETNS },
        { "netns-pid", required_argument, NULL, O_NETNS_PID },
        { "netns-path", required_argument, NULL, O_NETNS_PATH },
        { "guest-ifname", required_argument, NULL, O_GUEST_IFNAME },
        { "mode", required_argument, NULL, O_MODE },
        { "peer", required_argument, NULL, O_PEER },
        { "no-wait", no_argument, NULL, O_NO_WAIT },
        { "server", no_argument, NULL, O_SERVER },
        LIMITS_OPTIONS
        { NULL, 0, NULL, 0 },
    };
    json_t *req = json_object();
    json_t *limits = json_object();
    json_t *ips = json_array();
    const char *path = "/v1/ports";
    char *end;
    int c;

    optind = 0;         /* Reinitialise getopt (permute again). */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        const char *key = NULL;
        switch (c) {
        case O_KIND: key = "kind"; break;
        case O_NETWORK: key = "network"; break;
        case O_MAC: key = "mac"; break;
        case O_VM_ID: key = "vm_id"; break;
        case O_IFACE_ID: key = "iface_id"; break;
        case O_NETNS: key = "netns"; break;
        case O_NETNS_PATH: key = "netns_path"; break;
        case O_GUEST_IFNAME: key = "guest_ifname"; break;
        case O_MODE: key = "mode"; break;
        case O_PEER: key = "peer"; break;
        case O_OWNER: case O_GROUP: {
            long n = strtol(optarg, &end, 10);
            json_object_set_new(req, c == O_OWNER ? "owner" : "group",
                                *optarg && !*end ? json_integer(n)
                                                 : json_string(optarg));
            break;
        }
        case O_MTU: case O_NETNS_PID: {
            long n = strtol(optarg, &end, 10);
            if (!*optarg || *end) {
                usage_error("--%s: \"%s\" is not a number",
                            c == O_MTU ? "mtu" : "netns-pid", optarg);
            }
            json_object_set_new(req, c == O_MTU ? "mtu" : "netns_pid",
                                json_integer(n));
            break;
        }
        case O_IP:
            json_array_append_new(ips, json_string(optarg));
            break;
        case O_NO_WAIT:
            path = "/v1/ports?wait=false";
            break;
        case O_SERVER:
            json_object_set_new(req, "server", json_true());
            break;
        LIMITS_CASES:
            limits_option(limits, c, optarg);
            break;
        default:
            exit(EXIT_USAGE);
        }
        if (key) {
            json_object_set_new(req, key, json_string(optarg));
        }
    }
    if (optind != argc - 1) {
        usage_error("port add: expected one port NAME");
    }
    json_object_set_new(req, "name", json_string(argv[optind]));
    if (json_array_size(ips)) {
        json_object_set(req, "ips", ips);
    }
    json_decref(ips);
    limits_put(req, limits);

    json_t *answer = call("POST", path, req);
    json_decref(req);
    if (json_output) {
        print_json(answer);
    } else {
        print_port(answer);
    }
    json_decref(answer);
    return 0;
}

const char *
url_safe_name(const char *what, const char *name)
{
    if (!*name || strpbrk(name, "/?#% \t\r\n")) {
        usage_error("\"%s\" is not a valid %s name", name, what);
    }
    return name;
}

static int
cmd_config_check(const char *file)
{
    struct gn_config *cfg;
    char *error = gn_config_read(file, &cfg);

    if (error) {
        fprintf(stderr, "%s: %s\n", gn_program_name(), error);
        free(error);
        return EXIT_REFUSED;
    }
    if (json_output) {
        json_t *j = gn_config_to_json(cfg);
        print_json(j);
        json_decref(j);
    } else {
        printf("%s: valid (bridge %s, %zu networks, %zu rules)\n", file,
               cfg->bridge, cfg->n_networks, cfg->n_rules);
    }
    gn_config_destroy(cfg);
    return 0;
}

/* GET 'path' and prints the answer with 'print', or as JSON under
 * --json. */
static void
show(const char *path, void (*print)(const json_t *))
{
    json_t *answer = call("GET", path, NULL);

    json_output ? print_json(answer) : print(answer);
    json_decref(answer);
}

static int
run_command(int argc, char *argv[])
{
    const char *cmd = argv[0];
    const char *sub = argc > 1 ? argv[1] : NULL;
    json_t *answer = NULL;
    char *path;
    int rc;

    rc = cluster_command(argc, argv);
    if (rc >= 0) {
        return rc;
    } else if (cluster_option) {
        usage_error("--cluster goes with status, port list|show and "
                    "network list|show, not \"%s%s%s\"", cmd,
                    sub ? " " : "", sub ? sub : "");
    }
    if (!strcmp(cmd, "status") && argc == 1) {
        show("/v1/status", print_status);
    } else if (!strcmp(cmd, "port") && sub && !strcmp(sub, "list")
               && argc == 2) {
        show("/v1/ports", print_ports_table);
    } else if (!strcmp(cmd, "port") && sub && !strcmp(sub, "show")
               && argc == 3) {
        path = gn_xasprintf("/v1/ports/%s", url_safe_name("port", argv[2]));
        show(path, print_port);
        free(path);
    } else if (!strcmp(cmd, "port") && sub && !strcmp(sub, "add-many")) {
        return cmd_port_add_many(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "port") && sub && !strcmp(sub, "add")) {
        return cmd_port_add(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "port") && sub && !strcmp(sub, "limit")) {
        return cmd_port_limit(argc - 1, argv + 1);
    } else if (!strcmp(cmd, "port") && sub
               && (!strcmp(sub, "del") || !strcmp(sub, "delete"))
               && argc == 3) {
        path = gn_xasprintf("/v1/ports/%s", url_safe_name("port", argv[2]));
        answer = call("DELETE", path, NULL);
        free(path);
        json_output ? print_json(answer)
                    : (void) printf("port %s deleted\n", argv[2]);
    } else if (!strcmp(cmd, "network") && sub && !strcmp(sub, "list")
               && argc == 2) {
        show("/v1/networks", print_networks);
    } else if (!strcmp(cmd, "network") && sub && !strcmp(sub, "show")
               && argc == 3) {
        json_t *nets = call("GET", "/v1/networks", NULL);
        size_t i;
        json_t *n;
        json_array_foreach (nets, i, n) {
            if (!strcmp(str(n, "name"), argv[2])) {
                answer = json_incref(n);
            }
        }
        json_decref(nets);
        if (!answer) {
            fprintf(stderr, "%s: no network named \"%s\"\n",
                    gn_program_name(), argv[2]);
            return EXIT_REFUSED;
        }
        print_json(answer);
    } else if (!strcmp(cmd, "flows") && argc == 1) {
        show("/v1/flows", print_flows);
    } else if (!strcmp(cmd, "trace") && argc >= 2) {
        return cmd_trace(argc, argv);
    } else if (!strcmp(cmd, "reload") && argc == 1) {
        answer = call("POST", "/v1/reload", NULL);
        json_output ? print_json(answer) : (void) printf("reloaded\n");
    } else if (!strcmp(cmd, "config") && sub && !strcmp(sub, "check")
               && argc == 3) {
        return cmd_config_check(argv[2]);
    } else {
        usage_error("unknown command or wrong arguments: \"%s%s%s\"", cmd,
                    sub ? " " : "", sub ? sub : "");
    }
    json_decref(answer);
    return 0;
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        { "socket", required_argument, NULL, 's' },
        { "json", no_argument, NULL, 'j' },
        { "cluster", no_argument, NULL, 'C' },
        { "timeout", required_argument, NULL, 't' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    char *end;
    int c;

    gn_set_program_name(argv[0]);
    socket_path = getenv("GUESTNET_SOCKET");
    if (!socket_path || !*socket_path) {
        socket_path = DEFAULT_SOCKET;
    }
    while ((c = getopt_long(argc, argv, "+s:jt:hV", long_options,
                            NULL)) != -1) {
        switch (c) {
        case 's':
            socket_path = optarg;
            break;
        case 'j':
            json_output = true;
            break;
        case 'C':
            cluster_option = true;
            break;
        case 't':
            timeout_ms = strtol(optarg, &end, 10) * 1000;
            if (!*optarg || *end || timeout_ms <= 0) {
                usage_error("--timeout: \"%s\" is not a number of seconds",
                            optarg);
            }
            break;
        case 'h':
            usage();
            return 0;
        case 'V':
            printf("guestnetctl (guestnet) %s\n", PACKAGE_VERSION);
            return 0;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage_error("missing command");
    }
    return run_command(argc - optind, argv + optind);
}
