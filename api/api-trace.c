/* api-trace.c: packet traces through ovs-vswitchd's ofproto/trace, mapped
 * to guestnet's rules (see include/api-trace.h). */
#include <config.h>

#include "api-trace.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "gn-log.h"
#include "gn-util.h"
#include "jsonrpc-session.h"
#include "netaddr.h"
#include "pipeline.h"

GN_LOG_MODULE(api_trace);

struct api_trace {
    struct jsonrpc_session *session;
    struct event *timer;
    char *bridge;
    char *flow;
    bool done;
    api_trace_cb *cb;
    void *aux;
};

static struct gn_log_rl api_trace_rl = GN_LOG_RL_INIT(10, 20);

/* The protocols a trace may name, and what they imply. */
struct api_trace_proto {
    const char *name;
    int family;                 /* AF_INET, AF_INET6 or 0 (ARP). */
    bool ports;                 /* Has tp_src and tp_dst. */
};

static const struct api_trace_proto api_trace_protos[] = {
    { "ip", AF_INET, false },
    { "tcp", AF_INET, true },
    { "udp", AF_INET, true },
    { "icmp", AF_INET, false },
    { "ipv6", AF_INET6, false },
    { "tcp6", AF_INET6, true },
    { "udp6", AF_INET6, true },
    { "icmp6", AF_INET6, false },
    { "arp", 0, false },
};

/* The string value of query parameter 'key', or NULL. */
static const char *
api_trace_param__(const json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

/* Checks that 'value' of 'key' is a number from 0 to 'max' (65535: a
 * TCP/UDP port number; 255: an ICMP type or code): 1 to 5 decimal digits
 * (no sign, no space: it goes into the flow as it is).  Returns NULL, or
 * a malloc'd error. */
static char *
api_trace_check_number__(const char *key, const char *value, long max)
{
    size_t len = strlen(value);

    if (!len || len > 5 || strspn(value, "0123456789") != len
        || strtol(value, NULL, 10) > max) {
        return gn_xasprintf("%s: \"%s\" is not %s (0-%ld)", key, value,
                            max == 65535 ? "a port number" : "a number",
                            max);
    }
    return NULL;
}

/* Parses address 'value' of 'key' into 'ip' and checks its family against
 * '*family' (0: not known yet, then set). */
static char *
api_trace_check_ip__(const char *key, const char *value, int *family)
{
    struct netaddr_ip ip;
    char *error = netaddr_parse_ip(value, 0, &ip);

    if (error) {
        char *msg = gn_xasprintf("%s: %s", key, error);
        free(error);
        return msg;
    }
    if (*family && ip.family != *family) {
        return gn_xasprintf("%s: \"%s\" is not an %s address", key, value,
                            *family == AF_INET ? "IPv4" : "IPv6");
    }
    *family = ip.family;
    return NULL;
}

/* Checks the neighbour discovery fields of 'params': nd_target (an IPv6
 * address) of a solicitation or advertisement, nd_sll (a MAC) of a
 * solicitation, nd_tll (a MAC) of an advertisement, 'proto' icmp6 and
 * 'icmp_type' 135 or 136 as they need.  Returns NULL, or a malloc'd
 * error. */
static char *
api_trace_check_nd__(const json_t *params, const struct api_trace_proto *proto,
                     const char *icmp_type)
{
    const char *target = api_trace_param__(params, "nd_target");
    const char *sll = api_trace_param__(params, "nd_sll");
    const char *tll = api_trace_param__(params, "nd_tll");
    bool icmp6 = proto && !strcmp(proto->name, "icmp6");
    bool ns = icmp6 && icmp_type && !strcmp(icmp_type, "135");
    bool na = icmp6 && icmp_type && !strcmp(icmp_type, "136");
    struct netaddr_mac mac;
    int family = AF_INET6;
    char *error;

    if ((target && !ns && !na) || (sll && !ns) || (tll && !na)) {
        return gn_xstrdup("nd_target needs proto=icmp6 and icmp_type 135 or "
                          "136, nd_sll 135, nd_tll 136");
    }
    if (target && (error = api_trace_check_ip__("nd_target", target,
                                                &family))) {
        return error;
    }
    for (int i = 0; i < 2; i++) {
        const char *value = i ? tll : sll;
        if (value && (error = netaddr_parse_mac(value, false, &mac))) {
            char *msg = gn_xasprintf("%s: %s", i ? "nd_tll" : "nd_sll",
                                     error);
            free(error);
            return msg;
        }
    }
    return NULL;
}

/* Appends ",KEY=VALUE" (or ",KEY" if 'value' is NULL) to '*flow'. */
static void
api_trace_append__(char **flow, const char *key, const char *value)
{
    char *more = gn_xasprintf("%s,%s%s%s", *flow, key, value ? "=" : "",
                              value ? value : "");
    free(*flow);
    *flow = more;
}

char *
api_trace_flow(const json_t *params, const json_t *port, char **flowp)
{
    static const char *const known[] = {
        "in_port", "dl_src", "dl_dst", "proto", "nw_src", "nw_dst",
        "tp_src", "tp_dst", "icmp_type", "icmp_code", "frag", "nd_target",
        "nd_sll", "nd_tll", "nw_proto", "dl_vlan",
    };
    const char *dl_src = api_trace_param__(params, "dl_src");
    const char *dl_dst = api_trace_param__(params, "dl_dst");
    const char *proto_s = api_trace_param__(params, "proto");
    const char *nw_src = api_trace_param__(params, "nw_src");
    const char *nw_dst = api_trace_param__(params, "nw_dst");
    const char *tp_src = api_trace_param__(params, "tp_src");
    const char *tp_dst = api_trace_param__(params, "tp_dst");
    const char *icmp_type = api_trace_param__(params, "icmp_type");
    const char *icmp_code = api_trace_param__(params, "icmp_code");
    const char *frag = api_trace_param__(params, "frag");
    const char *nw_proto = api_trace_param__(params, "nw_proto");
    const char *dl_vlan = api_trace_param__(params, "dl_vlan");
    const json_t *ofport = json_object_get(port, "ofport");
    const struct api_trace_proto *proto = NULL;
    struct netaddr_mac mac;
    const char *key;
    const json_t *v;
    char *error;
    int family = 0;

    *flowp = NULL;
    json_object_foreach ((json_t *) params, key, v) {
        bool ok = false;
        for (size_t i = 0; i < GN_ARRAY_SIZE(known); i++) {
            ok = ok || !strcmp(key, known[i]);
        }
        if (!ok) {
            return gn_xasprintf("unknown parameter \"%s\" (in_port, dl_src, "
                                "dl_dst, proto, nw_src, nw_dst, tp_src, "
                                "tp_dst, icmp_type, icmp_code, frag, "
                                "nd_target, nd_sll, nd_tll, nw_proto, "
                                "dl_vlan)", key);
        }
        if (!json_is_string(v) || !*json_string_value(v)) {
            return gn_xasprintf("%s: empty value", key);
        }
    }
    if (!json_is_integer(ofport)) {
        return gn_xasprintf("in_port: port %s has no ofport yet",
                            api_trace_param__(params, "in_port"));
    }
    if (!dl_src) {
        dl_src = json_string_value(json_object_get(port, "mac"));
        if (!dl_src) {
            return gn_xstrdup("dl_src: required (the port has no MAC)");
        }
    }
    if ((error = netaddr_parse_mac(dl_src, false, &mac))) {
        char *msg = gn_xasprintf("dl_src: %s", error);
        free(error);
        return msg;
    }
    /* A frame tagged with 'dl_vlan' (802.1Q), as no guest port may send. */
    if (dl_vlan && (error = api_trace_check_number__("dl_vlan", dl_vlan,
                                                     4095))) {
        return error;
    }
    if (dl_dst && (error = netaddr_parse_mac(dl_dst, false, &mac))) {
        char *msg = gn_xasprintf("dl_dst: %s", error);
        free(error);
        return msg;
    }
    if (proto_s) {
        for (size_t i = 0; i < GN_ARRAY_SIZE(api_trace_protos); i++) {
            if (!strcmp(proto_s, api_trace_protos[i].name)) {
                proto = &api_trace_protos[i];
            }
        }
        if (!proto) {
            return gn_xasprintf("proto: unknown protocol \"%s\" (ip, tcp, "
                                "udp, icmp, ipv6, tcp6, udp6, icmp6, arp)",
                                proto_s);
        }
        family = proto->family;
        if (!family) {
            family = AF_INET;   /* ARP carries IPv4 addresses. */
        }
    }
    if (nw_src && (error = api_trace_check_ip__("nw_src", nw_src,
                                                &family))) {
        return error;
    }
    if (nw_dst && (error = api_trace_check_ip__("nw_dst", nw_dst,
                                                &family))) {
        return error;
    }
    if (!proto && family) {
        proto = &api_trace_protos[family == AF_INET ? 0 : 4];
    }
    if ((tp_src || tp_dst) && (!proto || !proto->ports)) {
        return gn_xstrdup("tp_src and tp_dst need proto tcp, udp, tcp6 or "
                          "udp6");
    }
    if (tp_src && (error = api_trace_check_number__("tp_src", tp_src, 65535))) {
        return error;
    }
    if (tp_dst && (error = api_trace_check_number__("tp_dst", tp_dst, 65535))) {
        return error;
    }
    bool icmp = proto && (!strcmp(proto->name, "icmp")
                          || !strcmp(proto->name, "icmp6"));
    if ((icmp_type || icmp_code) && !icmp) {
        return gn_xstrdup("icmp_type and icmp_code need proto icmp or "
                          "icmp6");
    }
    if ((icmp_type && (error = api_trace_check_number__("icmp_type",
                                                        icmp_type, 255)))
        || (icmp_code && (error = api_trace_check_number__("icmp_code",
                                                           icmp_code,
                                                           255)))) {
        return error;
    }
    /* A fragment: the first shows the transport header (the switch parses
     * it), a later one none, and an IPv6 one the fragment header's
     * protocol (44) instead of its datagram's. */
    bool later = frag && !strcmp(frag, "later");
    if (frag && !later && strcmp(frag, "first")) {
        return gn_xasprintf("frag: \"%s\" is not first or later", frag);
    }
    if (frag && (!proto || !proto->family)) {
        return gn_xstrdup("frag needs an IP protocol (proto or addresses)");
    }
    if (later && (tp_src || tp_dst || icmp_type || icmp_code)) {
        return gn_xstrdup("a later fragment (frag=later) shows no ports or "
                          "ICMP type");
    }

    if ((error = api_trace_check_nd__(params, proto, icmp_type))) {
        return error;
    }
    /* The protocol number of a packet that is none of the named ones (0:
     * an IPv6 header chain the switch cannot walk). */
    if (nw_proto && (!proto || (strcmp(proto->name, "ip")
                                && strcmp(proto->name, "ipv6")) || later)) {
        return gn_xstrdup("nw_proto needs proto ip or ipv6 (not "
                          "frag=later)");
    }
    if (nw_proto && (error = api_trace_check_number__("nw_proto", nw_proto,
                                                      255))) {
        return error;
    }

    /* Like dl_src, the source address defaults to the port's own (its
     * first of the protocol's family), so that a plain trace shows what
     * happens to the guest's honest packets. */
    if (!nw_src && proto) {
        int want = proto->family ? proto->family : AF_INET;
        const json_t *ip;
        size_t i;

        json_array_foreach (json_object_get(port, "ips"), i, ip) {
            const char *a = json_string_value(ip);
            if (a && (strchr(a, ':') ? AF_INET6 : AF_INET) == want) {
                nw_src = a;
                break;
            }
        }
    }

    /* Every piece is validated: nothing from the query reaches the flow
     * unchecked. */
    bool arp = proto && !proto->family;
    bool v6 = proto && proto->family == AF_INET6;
    char *flow = gn_xasprintf("in_port=%lld,dl_src=%s",
                              (long long) json_integer_value(ofport), dl_src);
    if (dl_dst) {
        api_trace_append__(&flow, "dl_dst", dl_dst);
    }
    if (dl_vlan) {
        api_trace_append__(&flow, "dl_vlan", dl_vlan);
    }
    if (later && v6) {
        api_trace_append__(&flow, "ipv6", NULL);
        api_trace_append__(&flow, "nw_proto", "44");
    } else if (proto) {
        api_trace_append__(&flow, proto->name, NULL);
    }
    if (nw_proto) {
        api_trace_append__(&flow, "nw_proto", nw_proto);
    }
    if (frag) {
        api_trace_append__(&flow, "nw_frag", frag);
    }
    if (arp) {
        api_trace_append__(&flow, "arp_op", "1");
        api_trace_append__(&flow, "arp_sha", dl_src);
    }
    if (proto && !arp) {
        /* A packet as a guest sends it: a fresh TTL (the trace's default
         * of 0 would end in the routing table's TTL check). */
        api_trace_append__(&flow, "nw_ttl", "64");
    }
    if (nw_src) {
        api_trace_append__(&flow, arp ? "arp_spa" : v6 ? "ipv6_src"
                                  : "nw_src", nw_src);
    }
    if (nw_dst) {
        api_trace_append__(&flow, arp ? "arp_tpa" : v6 ? "ipv6_dst"
                                  : "nw_dst", nw_dst);
    }
    /* (ovs-vswitchd reads "tp_src" as tcp_src, whatever the protocol.) */
    bool udp = proto && !strncmp(proto->name, "udp", 3);
    if (tp_src) {
        api_trace_append__(&flow, udp ? "udp_src" : "tp_src", tp_src);
    }
    if (tp_dst) {
        api_trace_append__(&flow, udp ? "udp_dst" : "tp_dst", tp_dst);
    }
    if (icmp_type) {
        api_trace_append__(&flow, v6 ? "icmpv6_type" : "icmp_type",
                           icmp_type);
    }
    if (icmp_code) {
        api_trace_append__(&flow, v6 ? "icmpv6_code" : "icmp_code",
                           icmp_code);
    }
    static const char *const nd_fields[] = { "nd_target", "nd_sll",
                                             "nd_tll" };
    for (size_t i = 0; i < GN_ARRAY_SIZE(nd_fields); i++) {
        const char *value = api_trace_param__(params, nd_fields[i]);
        if (value) {
            api_trace_append__(&flow, nd_fields[i], value);
        }
    }
    *flowp = flow;
    return NULL;
}

/* Parses one table line of a trace (" 3. MATCH, priority P, cookie 0xC")
 * into a new step object, or returns NULL if 'line' is not one. */
static json_t *
api_trace_step__(const char *line)
{
    const char *p = line, *text, *prio = NULL, *q;
    unsigned long long cookie = 0;
    unsigned int priority;
    int table;
    char *match;
    json_t *step;

    while (*p == ' ') {
        p++;
    }
    if (sscanf(p, "%d. ", &table) != 1 || table < 0 || table > 255) {
        return NULL;
    }
    text = strstr(p, ". ");
    if (!text) {
        return NULL;
    }
    text += 2;
    /* A flow that matches everything has no match text: the line is
     * " 3. priority 0, cookie 0x...". */
    if (!strncmp(text, "priority ", 9)) {
        prio = text;
    } else {
        for (q = strstr(text, ", priority "); q;
             q = strstr(q + 1, ", priority ")) {
            prio = q + 2;
        }
    }
    if (!prio || sscanf(prio, "priority %u", &priority) != 1) {
        return json_pack("{s:i, s:s, s:n, s:n, s:n}", "table", table,
                         "match", text, "priority", "cookie", "rule");
    }
    q = strstr(prio, ", cookie 0x");
    if (q && sscanf(q, ", cookie 0x%llx", &cookie) != 1) {
        cookie = 0;
    }
    match = gn_xmemdup0(text, prio > text ? prio - 2 - text : 0);
    step = json_pack("{s:i, s:s, s:i}", "table", table, "match", match,
                     "priority", (int) priority);
    free(match);
    json_object_set_new(step, "cookie", json_sprintf("0x%llx", cookie));
    const char *rule = pipeline_rule_name(cookie);
    json_object_set_new(step, "rule", rule ? json_string(rule)
                                           : json_null());
    if (rule) {
        json_object_set_new(step, "object", json_integer(
                                pipeline_cookie_object(cookie)));
    }
    return step;
}

/* The first 'needle' in the 'n' bytes at 't', or NULL. */
static const char *
api_trace_find__(const char *t, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++) {
        if (!memcmp(t + i, needle, k)) {
            return t + i;
        }
    }
    return NULL;
}

/* Reads the datapath actions 'a' (its first 'len' bytes; the inside of a
 * clone() too, 'depth' levels down at most): sets '*up' if one sends the
 * packet up to guestnetd (with the cookie of the flow that did in
 * '*cookie'), '*out' if one does anything else but a meter or a drop (an
 * output, conntrack, ...). */
static void
api_trace_actions__(const char *a, size_t len, int depth, bool *up,
                    bool *out, uint64_t *cookie)
{
    for (size_t i = 0; i < len; ) {
        size_t end = i;
        int nest = 0;

        while (end < len && (nest || a[end] != ',')) {
            nest += (a[end] == '(') - (a[end] == ')');
            end++;
        }
        const char *t = a + i, *rc;
        size_t n = end - i;

        if (!n) {
            /* Nothing between two commas. */
        } else if (depth && n > 7 && !strncmp(t, "clone(", 6)
                   && t[n - 1] == ')') {
            api_trace_actions__(t + 6, n - 7, depth - 1, up, out, cookie);
        } else if (n > 10 && !strncmp(t, "userspace(", 10)
                   && api_trace_find__(t, n, "controller(")) {
            *up = true;
            rc = api_trace_find__(t, n, "rule_cookie=0x");
            *cookie = rc ? strtoull(rc + 14, NULL, 16) : 0;
        } else if ((n < 6 || strncmp(t, "meter(", 6))
                   && (n != 4 || strncmp(t, "drop", 4))) {
            *out = true;
        }
        i = end + 1;
    }
}

json_t *
api_trace_parse(const char *output)
{
    json_t *steps = json_array();
    const char *rule = NULL;
    char *copy = gn_xstrdup(output);
    char *save = NULL, *actions = NULL;
    bool dropped;

    for (char *line = strtok_r(copy, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *step;

        if (!strncmp(line, "Datapath actions: ", 18)) {
            free(actions);
            actions = gn_xstrdup(line + 18);
        } else if (line[0] == ' ' && (step = api_trace_step__(line))) {
            const json_t *r = json_object_get(step, "rule");
            /* A shared guard's drop is counted for its port in table 15:
             * the guard is what dropped it. */
            if (json_is_string(r)
                && strcmp(json_string_value(r), pipeline_rule_name(
                              PIPELINE_COOKIE(PIPELINE_RULE_GUARD_COUNT,
                                              0)))) {
                rule = json_string_value(r);
            }
            json_array_append_new(steps, step);
        }
    }
    /* A frame that only went through meters (a port's broadcast limit)
     * and was then dropped shows as "meter(N)" alone.  One sent up to
     * guestnetd ("dhcp-punt"), which answers it, shows the controller
     * action alone; one that goes on with a copy up ("dhcp-snoop",
     * "dhcp-client-snoop") both. */
    bool up = false, out = false;
    uint64_t up_cookie = 0;
    if (actions) {
        api_trace_actions__(actions, strlen(actions), 4, &up, &out,
                            &up_cookie);
    }
    dropped = !up && !out;
    const char *verdict = (up && !out ? "sent to guestnetd"
                           : dropped ? "dropped" : "allowed");
    const char *copied = up && out ? pipeline_rule_name(up_cookie) : NULL;

    json_t *j = json_pack("{s:s, s:s?, s:o, s:o, s:s}",
                          "verdict", verdict,
                          "rule", rule,
                          "steps", steps,
                          "datapath_actions",
                          actions ? json_string(actions) : json_null(),
                          "output", output);
    if (up && out) {
        json_object_set_new(j, "copied_up_by", copied ? json_string(copied)
                                                      : json_null());
    }
    char *summary = (!rule
                     ? gn_xasprintf("%s (no guestnet rule matched)",
                                    verdict)
                     : up && out
                     ? gn_xasprintf("%s by %s, a copy sent to guestnetd by "
                                    "%s", verdict, rule,
                                    copied ? copied : "?")
                     : gn_xasprintf("%s by %s", verdict, rule));
    json_object_set_new(j, "summary", json_string(summary));
    free(summary);
    free(actions);
    free(copy);
    return j;
}

/* Ends 'trace': calls its callback with 'status' and 'body' (stolen), then
 * destroys the session (deferred if called from inside one of its
 * callbacks) and frees the trace. */
static void
api_trace_finish__(struct api_trace *t, int status, json_t *body)
{
    if (t->done) {
        json_decref(body);
        return;
    }
    t->done = true;
    t->cb(status, body, t->aux);
    api_trace_cancel(t);
}

static void
api_trace_error__(struct api_trace *t, int status, const char *message)
{
    api_trace_finish__(t, status, json_pack("{s:{s:s}}", "error",
                                            "message", message));
}

static void
api_trace_reply__(struct jsonrpc_session *s, const json_t *reply,
                  const char *error, void *t_)
{
    struct api_trace *t = t_;
    const json_t *err = json_object_get(reply, "error");
    const json_t *result = json_object_get(reply, "result");

    (void) s;
    if (t->done) {
        return;
    }
    if (!reply) {
        char *msg = gn_xasprintf("ovs-vswitchd: %s", error);
        api_trace_error__(t, 503, msg);
        free(msg);
    } else if (err && !json_is_null(err)) {
        /* ovs-vswitchd refused the flow or the bridge. */
        char *msg = gn_xasprintf("ovs-vswitchd: %s", json_is_string(err)
                                 ? json_string_value(err) : "error");
        size_t len = strlen(msg);
        while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' ')) {
            msg[--len] = '\0';
        }
        GN_LOG_INFO_RL(&api_trace_rl, "trace %s refused: %s", t->flow, msg);
        api_trace_error__(t, 400, msg);
        free(msg);
    } else if (!json_is_string(result)) {
        api_trace_error__(t, 502, "ovs-vswitchd: ofproto/trace answered "
                          "without text");
    } else {
        json_t *j = api_trace_parse(json_string_value(result));
        json_object_set_new(j, "flow", json_string(t->flow));
        json_object_set_new(j, "bridge", json_string(t->bridge));
        api_trace_finish__(t, 200, j);
    }
}

static void
api_trace_connected__(struct jsonrpc_session *s, void *t_)
{
    struct api_trace *t = t_;

    jsonrpc_session_request(s, "ofproto/trace",
                            json_pack("[s, s]", t->bridge, t->flow),
                            api_trace_reply__, t);
}

static void
api_trace_timeout__(evutil_socket_t fd, short what, void *t_)
{
    (void) fd;
    (void) what;
    api_trace_error__(t_, 504, "ovs-vswitchd did not answer the trace in "
                      "time");
}

/* Returns the "unix:" remote of the control socket of the ovs-vswitchd of
 * 'rundir', or NULL and a malloc'd error in '*errorp'. */
static char *
api_trace_remote__(const char *rundir, char **errorp)
{
    char *pidfile = gn_xasprintf("%s/ovs-vswitchd.pid", rundir);
    FILE *f = fopen(pidfile, "r");
    struct stat st;
    long pid = 0;
    char *path;

    if (!f || fscanf(f, "%ld", &pid) != 1 || pid <= 0) {
        *errorp = gn_xasprintf("ovs-vswitchd is not running (%s: %s)",
                               pidfile, f ? "no process id" :
                               strerror(errno));
        if (f) {
            fclose(f);
        }
        free(pidfile);
        return NULL;
    }
    fclose(f);
    free(pidfile);
    path = gn_xasprintf("%s/ovs-vswitchd.%ld.ctl", rundir, pid);
    if (stat(path, &st) || !S_ISSOCK(st.st_mode)) {
        *errorp = gn_xasprintf("ovs-vswitchd's control socket %s is "
                               "missing", path);
        free(path);
        return NULL;
    }
    char *remote = gn_xasprintf("unix:%s", path);
    free(path);
    return remote;
}

struct api_trace *
api_trace_start(struct event_base *base, const char *ovs_rundir,
                const char *bridge, const char *flow, int timeout_ms,
                api_trace_cb *cb, void *aux, char **errorp)
{
    static const struct jsonrpc_session_cbs cbs = {
        .connected = api_trace_connected__,
    };
    struct jsonrpc_session_options options = JSONRPC_SESSION_OPTIONS_DEFAULT;
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    char *remote = api_trace_remote__(ovs_rundir, errorp);
    struct api_trace *t;

    if (!remote) {
        return NULL;
    }
    t = gn_xzalloc(sizeof *t);
    t->bridge = gn_xstrdup(bridge);
    t->flow = gn_xstrdup(flow);
    t->cb = cb;
    t->aux = aux;
    t->timer = evtimer_new(base, api_trace_timeout__, t);
    evtimer_add(t->timer, &tv);

    options.probe_interval_ms = 0;
    options.reconnect = false;
    t->session = jsonrpc_session_create(base, remote, &options, &cbs, t,
                                        errorp);
    free(remote);
    if (!t->session) {
        t->done = true;
        api_trace_cancel(t);
        return NULL;
    }
    return t;
}

void
api_trace_cancel(struct api_trace *t)
{
    if (!t) {
        return;
    }
    /* Destroying the session fails a pending request through
     * api_trace_reply__(), which 'done' makes a no-op. */
    t->done = true;
    jsonrpc_session_destroy(t->session);
    event_free(t->timer);
    free(t->bridge);
    free(t->flow);
    free(t);
}
