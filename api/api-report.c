/* api-report.c: flow, port and Prometheus reports for the API (see
 * include/api-report.h). */
#include <config.h>

#include "api-report.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "flow-table.h"
#include "gn-config.h"
#include "gn-util.h"
#include "loop-lag.h"
#include "ofctrl.h"
#include "ovsdb-replica.h"
#include "pipeline.h"
#include "ports.h"

/* Rule ids are small (see PIPELINE_RULES); larger ones count as "other". */
#define API_REPORT_MAX_RULE 64

struct api_report_sum {
    uint64_t n_flows;
    uint64_t n_packets;
    uint64_t n_bytes;
};

/* Sums 'stats' per rule id into 'rules' (API_REPORT_MAX_RULE entries) and
 * the cookies that are not guestnet's into '*other'. */
static void
api_report_sum__(const struct flow_table_cookie_stats *stats, size_t n,
                 struct api_report_sum *rules, struct api_report_sum *other)
{
    memset(rules, 0, API_REPORT_MAX_RULE * sizeof *rules);
    memset(other, 0, sizeof *other);
    for (size_t i = 0; i < n; i++) {
        uint64_t rule = stats[i].cookie >> 48;
        struct api_report_sum *s = (pipeline_rule_name(stats[i].cookie)
                                    && rule < API_REPORT_MAX_RULE
                                    ? &rules[rule] : other);
        s->n_flows += stats[i].n_flows;
        s->n_packets += stats[i].n_packets;
        s->n_bytes += stats[i].n_bytes;
    }
}

/* True if the rule of 'cookie' is made per guest port (its cookie's object
 * is an ofport), false if per table, per VLAN or once for all guest ports
 * (the shared guards of flows/pipeline-guards.c: their drops are counted
 * per rule, not per port). */
static bool
api_report_per_port__(uint64_t cookie)
{
    switch (cookie >> 48) {
    case PIPELINE_RULE_DEFAULT_DROP:
    case PIPELINE_RULE_UPLINK_IN:
    case PIPELINE_RULE_L2_UNICAST:
    case PIPELINE_RULE_L2_FLOOD:
    case PIPELINE_RULE_L2_FLOOD_CHUNK:
    case PIPELINE_RULE_L2_UNKNOWN:
    case PIPELINE_RULE_PRIVATE_DROP:
    case PIPELINE_RULE_GATEWAY_ARP:
    case PIPELINE_RULE_ROUTE_GATEWAY:
    case PIPELINE_RULE_TTL_DROP:
    case PIPELINE_RULE_ROUTE_CT:
    case PIPELINE_RULE_CT_INVALID_DROP:
    case PIPELINE_RULE_CT_ESTABLISHED:
    case PIPELINE_RULE_CT_RELATED:
    case PIPELINE_RULE_ROUTE_ALLOW:
    case PIPELINE_RULE_ROUTE_DROP:
    case PIPELINE_RULE_SOURCE_MAC_CHECK:
    case PIPELINE_RULE_DHCP_DISCOVER:
    case PIPELINE_RULE_DHCP_SERVER_DROP:
    case PIPELINE_RULE_DHCP_CLIENT_DROP:
    case PIPELINE_RULE_RA_DROP:
    case PIPELINE_RULE_REDIRECT_DROP:
    case PIPELINE_RULE_ND_OPTION_DROP:
    case PIPELINE_RULE_ND_SPOOF_DROP:
    case PIPELINE_RULE_CONTENT_ALLOW:
    case PIPELINE_RULE_FRAG_PASS:
    case PIPELINE_RULE_FRAG_DROP:
    case PIPELINE_RULE_IPV6_HEADER_DROP:
    case PIPELINE_RULE_DAD_DROP:
    case PIPELINE_RULE_GATEWAY_SPOOF_DROP:
        /* Their object is a VLAN, a rule index or nothing: not a port. */
        return false;
    case PIPELINE_RULE_ADDRESS_TAKEN_DROP:
        /* Its object is the port that holds the address, not the one
         * whose frames it refuses (those count as the sender's
         * guard-count). */
        return false;
    default:
        return pipeline_rule_name(cookie) != NULL;
    }
}

static json_t *
api_report_sum_json__(const char *rule, bool drops,
                      const struct api_report_sum *s)
{
    json_t *j = json_pack("{s:I, s:I, s:I}",
                          "flows", (json_int_t) s->n_flows,
                          "packets", (json_int_t) s->n_packets,
                          "bytes", (json_int_t) s->n_bytes);
    if (rule) {
        json_object_set_new(j, "rule", json_string(rule));
        json_object_set_new(j, "drops", json_boolean(drops));
    }
    return j;
}

json_t *
api_report_flows(const struct ofctrl_status *of,
                 const struct flow_table_cookie_stats *stats, size_t n,
                 long long age_ms)
{
    json_t *j = json_pack(
        "{s:b, s:o, s:I, s:I, s:I, s:I, s:b, s:I, s:I, s:I, s:I, s:I, s:o}",
        "connected", of->connected,
        "openflow_version", (of->ofp_version
                             ? json_sprintf("1.%d", of->ofp_version - 1)
                             : json_null()),
        "desired", (json_int_t) of->n_desired,
        "installed", (json_int_t) of->n_installed,
        "desired_seqno", (json_int_t) of->desired_seqno,
        "installed_seqno", (json_int_t) of->installed_seqno,
        "in_sync", (of->connected && of->desired_seqno
                    && of->installed_seqno == of->desired_seqno),
        "flow_mods", (json_int_t) of->n_flow_mods,
        "bundles", (json_int_t) of->n_bundles,
        "bundle_failures", (json_int_t) of->n_bundle_failures,
        "errors", (json_int_t) of->n_errors,
        "reconnects", (json_int_t) of->n_reconnects,
        "last_error", (of->last_error ? json_string(of->last_error)
                       : json_null()));

    if (!stats) {
        json_object_set_new(j, "counters", json_null());
        return j;
    }

    struct api_report_sum rules[API_REPORT_MAX_RULE], other;
    json_t *list = json_array();

    api_report_sum__(stats, n, rules, &other);
    for (unsigned int r = 0; r < API_REPORT_MAX_RULE; r++) {
        uint64_t cookie = PIPELINE_COOKIE(r, 0);
        const char *name = pipeline_rule_name(cookie);
        if (name) {
            json_array_append_new(list, api_report_sum_json__(
                                      name, pipeline_rule_drops(cookie),
                                      &rules[r]));
        }
    }
    json_object_set_new(j, "counters", json_pack(
                            "{s:I, s:o, s:o}", "age_ms", (json_int_t) age_ms,
                            "rules", list,
                            "other", api_report_sum_json__(NULL, false,
                                                           &other)));
    return j;
}

json_t *
api_report_port_drops(const struct flow_table_cookie_stats *stats, size_t n,
                      uint32_t ofport)
{
    json_t *drops = json_object();

    for (size_t i = 0; i < n; i++) {
        uint64_t c = stats[i].cookie;
        if ((!pipeline_rule_drops(c)
             && c >> 48 != PIPELINE_RULE_GUARD_COUNT)
            || !api_report_per_port__(c)
            || pipeline_cookie_object(c) != ofport) {
            continue;
        }
        const char *name = pipeline_rule_name(c);
        json_int_t sum = json_integer_value(json_object_get(drops, name));
        json_object_set_new(drops, name,
                            json_integer(sum + stats[i].n_packets));
    }
    return drops;
}

bool
api_report_port_flows_in(const struct flow_table_cookie_stats *stats,
                         size_t n, uint32_t ofport)
{
    uint64_t cookie = PIPELINE_COOKIE(PIPELINE_RULE_PORT_IN, ofport);

    for (size_t i = 0; i < n; i++) {
        if (stats[i].cookie == cookie && stats[i].n_flows) {
            return true;
        }
    }
    return false;
}

json_t *
api_report_port_counters(const json_t *iface_row)
{
    static const char *const keys[] = {
        "rx_packets", "rx_bytes", "rx_dropped", "rx_errors",
        "tx_packets", "tx_bytes", "tx_dropped", "tx_errors",
    };
    json_t *j;

    if (!iface_row) {
        return NULL;
    }
    j = json_object();
    for (size_t i = 0; i < GN_ARRAY_SIZE(keys); i++) {
        const json_t *v = ovsdb_datum_map_get(iface_row, "statistics",
                                              keys[i]);
        if (json_is_integer(v)) {
            json_object_set_new(j, keys[i], json_copy((json_t *) v));
        }
    }
    return j;
}

/* Prints one metric family header and an unlabelled sample. */
static void
api_report_metric__(FILE *f, const char *name, const char *type,
                    const char *help, double value)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.15g\n", name, help, name,
            type, name, value);
}

/* Prints 's' as a Prometheus label value: backslash, double quote and
 * newline escaped. */
static void
api_report_label__(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"') {
            fprintf(f, "\\%c", *s);
        } else if (*s == '\n') {
            fputs("\\n", f);
        } else {
            fputc(*s, f);
        }
    }
}

/* The integer at 'path' ("counts.ports") in 'status', or 0. */
static double
api_report_int__(const json_t *status, const char *object, const char *key)
{
    const json_t *o = object ? json_object_get(status, object) : status;
    const json_t *v = json_object_get(o, key);

    return json_is_integer(v) ? (double) json_integer_value(v)
           : json_is_true(v) ? 1 : 0;
}

/* The DHCPACKs and DHCPv6 REPLYs of networks' own DHCP servers that
 * bound nothing, by reason, from the status's "dhcp_snoop" object. */
static void
api_report_snoop_refused__(FILE *f, const json_t *status)
{
    const json_t *refused = json_object_get(json_object_get(
                                                status, "dhcp_snoop"),
                                            "refused");
    const char *reason;
    const json_t *v;

    fprintf(f, "# HELP guestnet_dhcp_snoop_refused_total DHCPACKs and "
            "DHCPv6 REPLYs of networks' own DHCP servers (and copies not "
            "from a server port) that bound no address, and their clients' "
            "RELEASEs and DECLINEs that unbound none, by reason.\n"
            "# TYPE guestnet_dhcp_snoop_refused_total counter\n");
    json_object_foreach ((json_t *) refused, reason, v) {
        fprintf(f, "guestnet_dhcp_snoop_refused_total{reason=\"%s\"} "
                "%.15g\n", reason, (double) json_integer_value(v));
    }
}

/* The spoofing families from the status's "spoofing" object: how many
 * ports are marked, each of them with its network, and the episodes. */
static void
api_report_spoofing__(FILE *f, const json_t *status)
{
    const json_t *spoof = json_object_get(status, "spoofing");
    const json_t *ports = json_object_get(spoof, "ports");
    const json_t *p;
    size_t i;

    fprintf(f, "# HELP guestnet_port_spoofing 1 while the guest port is "
            "marked spoofing (its spoofed frames reach the threshold).\n"
            "# TYPE guestnet_port_spoofing gauge\n");
    json_array_foreach (ports, i, p) {
        fputs("guestnet_port_spoofing{network=\"", f);
        api_report_label__(f, json_string_value(json_object_get(
                                                    p, "network")));
        fputs("\",port=\"", f);
        api_report_label__(f, json_string_value(json_object_get(p, "port")));
        fputs("\"} 1\n", f);
    }
    api_report_metric__(f, "guestnet_ports_spoofing", "gauge",
                        "Guest ports marked spoofing.",
                        (double) json_array_size(ports));
    api_report_metric__(f, "guestnet_spoofing_episodes_total", "counter",
                        "Times a guest port was marked spoofing.",
                        api_report_int__(status, "spoofing", "episodes"));
}

/* The lateness of 'w' as {"samples", "max_ms", "p99_ms"} (new reference). */
static json_t *
api_report_loop_window__(const struct loop_lag_window *w)
{
    return json_pack("{s:I, s:f, s:f}", "samples", (json_int_t) w->samples,
                     "max_ms", w->max_us / 1000.0,
                     "p99_ms", w->p99_us / 1000.0);
}

json_t *
api_report_loop(const struct loop_lag_stats *lag)
{
    return json_pack("{s:f, s:f, s:o, s:I, s:o, s:o}",
                     "interval_ms", lag->interval_us / 1000.0,
                     "max_ms", lag->max_us / 1000.0,
                     "blocked_max_ms", (lag->blocked_max_us >= 0
                                        ? json_real(lag->blocked_max_us
                                                    / 1000.0)
                                        : json_null()),
                     "samples", (json_int_t) lag->samples,
                     "last_minute",
                     api_report_loop_window__(&lag->last_minute),
                     "this_minute",
                     api_report_loop_window__(&lag->this_minute));
}

/* The number at 'key' of 'status''s 'object' member's 'window' member
 * ("loop", "last_minute", "max_ms"), or 0. */
static double
api_report_real__(const json_t *status, const char *object,
                  const char *window, const char *key)
{
    const json_t *o = json_object_get(status, object);
    const json_t *v;

    o = window ? json_object_get(o, window) : o;
    v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* A gauge that is the integer (or boolean) 'key' of the status's member
 * 'object' (of the status itself if NULL), divided by 'divisor'. */
struct api_report_status_metric {
    const char *name;
    const char *help;
    const char *object;
    const char *key;
    int divisor;
};

char *
api_report_metrics(const json_t *status, const struct ofctrl_status *of,
                   const struct flow_table_cookie_stats *stats, size_t n,
                   const struct api_report_counters *api)
{
    static const struct api_report_status_metric status_metrics[] = {
        { "guestnet_up", "1 if guestnetd is healthy (see /v1/health).",
          NULL, "healthy", 1 },
        { "guestnet_uptime_seconds", "Seconds since guestnetd started.",
          NULL, "uptime_ms", 1000 },
        { "guestnet_ports", "Guest ports on the bridge.",
          "counts", "ports", 1 },
        { "guestnet_ports_quarantined",
          "Guest ports quarantined (no traffic passes).",
          "counts", "quarantined", 1 },
        { "guestnet_ports_device_missing",
          "Guest ports whose device guestnet made is gone "
          "(deleted behind its back).", "counts", "device_missing", 1 },
        { "guestnet_networks", "Configured networks.",
          "counts", "networks", 1 },
        { "guestnet_pending_requests", "Port requests not answered yet.",
          "counts", "pending_requests", 1 },
        { "guestnet_ovsdb_connected", "1 if connected to ovsdb-server.",
          "ovsdb", "connected", 1 },
    };
    static const double bounds[] = API_REPORT_LATENCY_BUCKETS;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    if (!f) {
        gn_fatal("open_memstream: out of memory");
    }
    for (size_t i = 0; i < GN_ARRAY_SIZE(status_metrics); i++) {
        const struct api_report_status_metric *m = &status_metrics[i];

        api_report_metric__(f, m->name, "gauge", m->help,
                            api_report_int__(status, m->object, m->key)
                            / m->divisor);
    }
    api_report_spoofing__(f, status);
    double connects = api_report_int__(status, "ovsdb", "connects");
    api_report_metric__(f, "guestnet_ovsdb_reconnects_total", "counter",
                        "Connections to ovsdb-server after the first.",
                        connects > 1 ? connects - 1 : 0);
    api_report_metric__(f, "guestnet_ovsdb_transactions_total", "counter",
                        "OVSDB transactions committed.",
                        api_report_int__(status, "transactions",
                                         "committed"));
    api_report_metric__(f, "guestnet_ovsdb_transaction_errors_total",
                        "counter", "OVSDB transactions that failed.",
                        api_report_int__(status, "transactions", "failed"));
    if (json_is_integer(json_object_get(status, "last_reconcile_ms_ago"))) {
        api_report_metric__(f, "guestnet_last_reconcile_age_seconds",
                            "gauge", "Seconds since the last reconcile.",
                            api_report_int__(status, NULL,
                                             "last_reconcile_ms_ago")
                            / 1000);
    }

    const json_t *rc = json_object_get(status, "reconcile");
    api_report_metric__(f, "guestnet_reconcile_steps_total", "counter",
                        "Reconcile steps run.",
                        json_integer_value(json_object_get(rc, "steps")));
    api_report_metric__(f, "guestnet_reconcile_seconds_total", "counter",
                        "Time spent in reconcile steps (the event loop "
                        "serves nothing else meanwhile).",
                        json_real_value(json_object_get(rc, "total_ms"))
                        / 1000);
    api_report_metric__(f, "guestnet_reconcile_max_seconds", "gauge",
                        "The longest reconcile step.",
                        json_real_value(json_object_get(rc, "max_ms"))
                        / 1000);
    api_report_metric__(f, "guestnet_reconcile_slow_steps_total", "counter",
                        "Reconcile steps longer than 5 ms.",
                        json_integer_value(json_object_get(rc,
                                                           "slow_steps")));

    if (json_object_get(status, "loop")) {
        api_report_metric__(f, "guestnet_event_loop_lag_max_seconds",
                            "gauge", "The event loop's largest delay in the "
                            "last complete minute (a timer's lateness).",
                            api_report_real__(status, "loop", "last_minute",
                                              "max_ms") / 1000);
        api_report_metric__(f, "guestnet_event_loop_lag_p99_seconds",
                            "gauge", "The 99th percentile of the event "
                            "loop's delay in the last complete minute.",
                            api_report_real__(status, "loop", "last_minute",
                                              "p99_ms") / 1000);
        api_report_metric__(f, "guestnet_event_loop_lag_peak_seconds",
                            "gauge", "The event loop's largest delay since "
                            "guestnetd started.",
                            api_report_real__(status, "loop", NULL,
                                              "max_ms") / 1000);
        if (json_is_real(json_object_get(json_object_get(status, "loop"),
                                         "blocked_max_ms"))) {
            api_report_metric__(
                f, "guestnet_event_loop_blocked_peak_seconds", "gauge",
                "The event loop's largest delay since guestnetd started, "
                "less the time it waited for a CPU meanwhile.",
                api_report_real__(status, "loop", NULL, "blocked_max_ms")
                / 1000);
        }
    }

    api_report_metric__(f, "guestnet_orphan_devices_removed_total",
                        "counter", "Devices guestnet made that no port used "
                        "(left by a crash) and that it removed.",
                        api_report_int__(status, "devices",
                                         "orphans_removed"));
    api_report_metric__(f, "guestnet_openflow_connected", "gauge",
                        "1 if connected to the bridge's OpenFlow socket.",
                        of->connected);
    fprintf(f, "# HELP guestnet_flows Flows in guestnet's tables.\n"
            "# TYPE guestnet_flows gauge\n"
            "guestnet_flows{table=\"desired\"} %zu\n"
            "guestnet_flows{table=\"installed\"} %zu\n",
            of->n_desired, of->n_installed);
    api_report_metric__(f, "guestnet_flows_in_sync", "gauge",
                        "1 if the switch holds the desired flow table.",
                        of->connected && of->desired_seqno
                        && of->installed_seqno == of->desired_seqno);
    /* ofctrl's counters (include/ofctrl.h). */
    static const struct {
        const char *name, *help;
        size_t offset;          /* Of a uint64_t in struct ofctrl_status. */
    } counters[] = {
        { "guestnet_openflow_reconnects_total",
          "OpenFlow connections after the first.",
          offsetof(struct ofctrl_status, n_reconnects) },
        { "guestnet_flow_mods_total", "flow_mods sent to the switch.",
          offsetof(struct ofctrl_status, n_flow_mods) },
        { "guestnet_bundles_total", "OpenFlow bundles committed.",
          offsetof(struct ofctrl_status, n_bundles) },
        { "guestnet_bundle_failures_total",
          "OpenFlow bundles discarded or failed to commit.",
          offsetof(struct ofctrl_status, n_bundle_failures) },
        { "guestnet_openflow_errors_total",
          "OpenFlow errors received from the switch.",
          offsetof(struct ofctrl_status, n_errors) },
        { "guestnet_packet_ins_total",
          "Packets the switch sent up (guests' DHCP and DHCPv6 messages, "
          "router solicitations, first uses of link-local addresses, "
          "copies of server ports' DHCP answers) that guestnetd handled.",
          offsetof(struct ofctrl_status, n_packet_in) },
        { "guestnet_packet_ins_dropped_total",
          "Packets the switch sent up that guestnetd dropped unread (over "
          "its budget, or undecodable).",
          offsetof(struct ofctrl_status, n_packet_in_dropped) },
    };
    for (size_t i = 0; i < GN_ARRAY_SIZE(counters); i++) {
        const uint64_t *count = (const uint64_t *) ((const char *) of
                                                    + counters[i].offset);

        api_report_metric__(f, counters[i].name, "counter",
                            counters[i].help, *count);
    }
    fprintf(f, "# HELP guestnet_dhcp_messages_total DHCP messages from "
            "guests, by guestnetd's answer.\n"
            "# TYPE guestnet_dhcp_messages_total counter\n");
    static const char *const answers[][2] = {
        { "offers", "offer" }, { "acks", "ack" }, { "naks", "nak" },
        { "ignored", "none" },
    };
    for (size_t i = 0; i < GN_ARRAY_SIZE(answers); i++) {
        fprintf(f, "guestnet_dhcp_messages_total{answer=\"%s\"} %.15g\n",
                answers[i][1],
                api_report_int__(status, "dhcp", answers[i][0]));
    }
    /* The IPv6 services (engine/engine-dhcp6.c, engine/engine-ll.c): a
     * family's help, then its samples (label, status object and key). */
    static const struct {
        const char *family, *help, *label, *object, *key;
    } v6[] = {
        { "guestnet_router_advertisements_total", "Router advertisements "
          "guestnetd sent, in answer and unsolicited.",
          "kind=\"solicited\"", "dhcp6", "ra_solicited" },
        { NULL, NULL, "kind=\"periodic\"", "dhcp6", "ra_periodic" },
        { "guestnet_dhcp6_messages_total", "DHCPv6 messages from guests, "
          "by guestnetd's answer (ADVERTISE or REPLY, or none).",
          "answer=\"reply\"", "dhcp6", "replies" },
        { NULL, NULL, "answer=\"none\"", "dhcp6", "ignored" },
        { "guestnet_link_locals_total", "IPv6 link-local addresses guests "
          "used first, bound to their port or refused, and bindings "
          "taken back (another port's own EUI-64 address, or held for "
          "another port in the cluster).",
          "result=\"bound\"", "link_locals", "bound" },
        { NULL, NULL, "result=\"refused\"", "link_locals", "refused" },
        { NULL, NULL, "result=\"unbound\"", "link_locals", "unbound" },
        { "guestnet_addresses_learned_total", "Addresses guests took on "
          "first use in networks where nothing assigns them, bound to "
          "their port or refused.",
          "result=\"bound\"", "learned", "bound" },
        { NULL, NULL, "result=\"refused\"", "learned", "refused" },
        { "guestnet_dhcp_snoop_leases_total", "Leases of networks' own "
          "DHCP servers (their server ports' DHCPACKs and DHCPv6 REPLYs) "
          "bound to their clients' ports, and bindings taken away when a "
          "lease ended or its client gave it up (RELEASE, DECLINE).",
          "event=\"bound\"", "dhcp_snoop", "bound" },
        { NULL, NULL, "event=\"expired\"", "dhcp_snoop", "expired" },
        { NULL, NULL, "event=\"released\"", "dhcp_snoop", "released" },
    };
    const char *family = NULL;
    for (size_t i = 0; i < GN_ARRAY_SIZE(v6); i++) {
        if (v6[i].family) {
            family = v6[i].family;
            fprintf(f, "# HELP %s %s\n# TYPE %s counter\n", family,
                    v6[i].help, family);
        }
        fprintf(f, "%s{%s} %.15g\n", family, v6[i].label,
                api_report_int__(status, v6[i].object, v6[i].key));
    }
    api_report_snoop_refused__(f, status);

    if (stats) {
        struct api_report_sum rules[API_REPORT_MAX_RULE], other;

        api_report_sum__(stats, n, rules, &other);
        fprintf(f, "# HELP guestnet_dropped_packets_total Packets dropped "
                "by guestnet's rules, by reason.\n"
                "# TYPE guestnet_dropped_packets_total counter\n");
        for (unsigned int r = 0; r < API_REPORT_MAX_RULE; r++) {
            uint64_t cookie = PIPELINE_COOKIE(r, 0);
            if (pipeline_rule_drops(cookie)) {
                fprintf(f, "guestnet_dropped_packets_total{reason=\"%s\"} "
                        "%llu\n", pipeline_rule_name(cookie),
                        (unsigned long long) rules[r].n_packets);
            }
        }
        fprintf(f, "# HELP guestnet_rule_packets_total Packets matched by "
                "each of guestnet's rules.\n"
                "# TYPE guestnet_rule_packets_total counter\n");
        for (unsigned int r = 0; r < API_REPORT_MAX_RULE; r++) {
            const char *name = pipeline_rule_name(PIPELINE_COOKIE(r, 0));
            if (name) {
                fprintf(f, "guestnet_rule_packets_total{rule=\"%s\"} "
                        "%llu\n", name,
                        (unsigned long long) rules[r].n_packets);
            }
        }
    }

    api_report_metric__(f, "guestnet_api_requests_total", "counter",
                        "API requests answered.", api->n_requests);
    fprintf(f, "# HELP guestnet_api_errors_total API requests answered "
            "with an error, by class.\n"
            "# TYPE guestnet_api_errors_total counter\n"
            "guestnet_api_errors_total{class=\"4xx\"} %llu\n"
            "guestnet_api_errors_total{class=\"5xx\"} %llu\n",
            (unsigned long long) api->n_4xx,
            (unsigned long long) api->n_5xx);
    api_report_metric__(f, "guestnet_api_forbidden_total", "counter",
                        "API writes refused to unprivileged peers.",
                        api->n_forbidden);
    api_report_metric__(f, "guestnet_api_connections_total", "counter",
                        "API connections accepted.", api->n_connections);
    api_report_metric__(f, "guestnet_api_connections_refused_total",
                        "counter", "API connections refused: too many "
                        "clients.", api->n_refused);
    api_report_metric__(f, "guestnet_api_connections_timed_out_total",
                        "counter", "API connections closed because a "
                        "request did not arrive in time.", api->n_timed_out);
    api_report_metric__(f, "guestnet_api_clients", "gauge",
                        "API connections open now.", api->n_clients);

    fprintf(f, "# HELP guestnet_port_write_duration_seconds Time from a "
            "port add or delete request to its answer.\n"
            "# TYPE guestnet_port_write_duration_seconds histogram\n");
    for (size_t i = 0; i < API_REPORT_N_LATENCY_BUCKETS; i++) {
        fprintf(f, "guestnet_port_write_duration_seconds_bucket"
                "{le=\"%g\"} %llu\n", bounds[i],
                (unsigned long long) api->write_buckets[i]);
    }
    fprintf(f, "guestnet_port_write_duration_seconds_bucket{le=\"+Inf\"} "
            "%llu\n"
            "guestnet_port_write_duration_seconds_sum %.6f\n"
            "guestnet_port_write_duration_seconds_count %llu\n",
            (unsigned long long) api->write_count, api->write_sum,
            (unsigned long long) api->write_count);

    if (fclose(f)) {
        gn_fatal("open_memstream: out of memory");
    }
    return text;
}
