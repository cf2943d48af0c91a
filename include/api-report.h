/* api-report.h: the reports of guestnetd's API that combine the engine's
 * parts: the flow counters of /v1/flows, the per-port counters of
 * /v1/ports/NAME and the Prometheus text of /metrics.
 *
 * Pure: every function formats what it is given (the engine's status, the
 * switch's per-cookie counters, OVSDB rows) and does no I/O, so the API
 * (api/api-handlers.c) decides when to fetch counters and how to answer.
 * Cookies are mapped to guestnet's rule names with pipeline_rule_name().
 *
 * Thread-safety: no state. */
#ifndef GN_API_REPORT_H
#define GN_API_REPORT_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct flow_table_cookie_stats;
struct gn_config;
struct loop_lag_stats;
struct ofctrl_status;
struct ovsdb_replica;

/* Upper bounds (seconds) of the buckets of the write latency histogram. */
#define API_REPORT_LATENCY_BUCKETS \
    { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30 }
#define API_REPORT_N_LATENCY_BUCKETS 12

/* The API's own counters, kept by api/api.c and api/api-handlers.c. */
struct api_report_counters {
    uint64_t n_requests;            /* Requests answered. */
    uint64_t n_4xx;                 /* ... with a 4xx status. */
    uint64_t n_5xx;                 /* ... with a 5xx status. */
    uint64_t n_forbidden;           /* Writes refused (403). */
    uint64_t n_connections;         /* Accepted since start. */
    uint64_t n_refused;             /* Refused: too many clients. */
    uint64_t n_timed_out;           /* Closed: request not in time. */
    unsigned int n_clients;         /* Connections open now. */

    /* Latency of answered port writes (POST /v1/ports, DELETE
     * /v1/ports/NAME) from request to answer: guestnet's reconcile
     * latency as its clients see it.  Cumulative counts per bucket of
     * API_REPORT_LATENCY_BUCKETS, then the total count and sum. */
    uint64_t write_buckets[API_REPORT_N_LATENCY_BUCKETS];
    uint64_t write_count;
    double write_sum;
};

/* Returns the /v1/flows report (new reference): desired and installed flow
 * counts and the OpenFlow counters from 'of', and, if 'stats' is nonnull,
 * the switch's packet and byte counters ('n' cookies, sorted or not) summed
 * per guestnet rule.  'age_ms' is how old 'stats' is. */
json_t *api_report_flows(const struct ofctrl_status *of,
                         const struct flow_table_cookie_stats *stats,
                         size_t n, long long age_ms);

/* Returns a new object {"RULE": packets, ...} with the packets dropped by
 * each of guestnet's drop rules made for the port with 'ofport' (the
 * per-port rules: spoofing, tagged frames, DHCP and RA from guests). */
json_t *api_report_port_drops(const struct flow_table_cookie_stats *stats,
                              size_t n, uint32_t ofport);

/* True if 'stats' shows the switch holding the ingress flow of 'ofport',
 * i.e. the port's flows are installed. */
bool api_report_port_flows_in(const struct flow_table_cookie_stats *stats,
                              size_t n, uint32_t ofport);

/* Returns a new object with the rx/tx packet, byte, drop and error
 * counters of the Interface row 'iface_row' (its "statistics" column, as
 * an OVSDB select returns it), or NULL if 'iface_row' is NULL.
 * ovs-vswitchd refreshes the column every 5 s. */
json_t *api_report_port_counters(const json_t *iface_row);

/* Returns the event loop's lateness 'lag' as the /v1/status "loop" object
 * (new reference): milliseconds, per window and since the start. */
json_t *api_report_loop(const struct loop_lag_stats *lag);

/* Returns the Prometheus text exposition (version 0.0.4) of guestnetd's
 * state, malloc'd (caller frees): 'status' is engine_status() (borrowed;
 * with "loop" from api_report_loop() if the loop is measured),
 * 'of' the OpenFlow status, 'stats' (may be NULL: no drop counters) the
 * per-cookie counters, 'api' the API's own counters. */
char *api_report_metrics(const json_t *status, const struct ofctrl_status *of,
                         const struct flow_table_cookie_stats *stats,
                         size_t n, const struct api_report_counters *api);

#endif /* api-report.h */
