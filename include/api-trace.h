/* api-trace.h: GET /v1/trace, in guestnet's own terms: what the bridge
 * does with a described packet and which of guestnet's rules allowed or
 * dropped it.
 *
 * Three steps, the first and last without I/O:
 *
 *   api_trace_flow()   query parameters -> an ofproto/trace flow string,
 *                      validated strictly;
 *   api_trace_start()  asks ovs-vswitchd's unixctl socket
 *                      (<rundir>/ovs-vswitchd.<pid>.ctl) for
 *                      "ofproto/trace" [BRIDGE, FLOW] over a one-shot
 *                      JSON-RPC session (reconnect off);
 *   api_trace_parse()  its text output -> JSON: the tables the packet
 *                      went through, each flow's cookie mapped to its rule
 *                      (pipeline_rule_name()), and the verdict ("allowed
 *                      by l2-unicast", "dropped by mac-spoof-drop").
 *
 * Thread-safety: runs on the thread of its event base. */
#ifndef GN_API_TRACE_H
#define GN_API_TRACE_H 1

#include <jansson.h>

struct event_base;
struct api_trace;

/* Builds the flow to trace from 'params' (borrowed object of query
 * parameter -> string value) and 'port' (borrowed, the in_port's JSON as
 * engine_port() returns it, with "ofport" and "mac").  Parameters:
 *
 *   in_port (required, used by the caller to find 'port'), dl_src
 *   (default: the port's MAC), dl_dst, dl_vlan, proto (ip, ipv6, tcp, udp, icmp,
 *   tcp6, udp6, icmp6, arp), nw_src, nw_dst, tp_src, tp_dst, icmp_type,
 *   icmp_code, frag (first or later: a fragment, as the switch sees it),
 *   nd_target, nd_sll, nd_tll (neighbour discovery), nw_proto (with proto
 *   ip or ipv6).
 *
 * Returns NULL and a malloc'd flow in '*flowp' (caller frees), or a
 * malloc'd error message for a 400 answer. */
char *api_trace_flow(const json_t *params, const json_t *port, char **flowp)
    __attribute__((warn_unused_result));

/* Parses the text of an ofproto/trace answer (UTF-8: the JSON string
 * ovs-vswitchd answered).  Returns a new object:
 * {"verdict": "allowed"|"dropped"|"sent to guestnetd", "rule": NAME|null,
 *  "summary": "...",
 *  "steps": [{"table", "priority", "match", "cookie", "rule", "object"}],
 *  "datapath_actions": "...", "output": TEXT}, the rule that of the last
 * step.  A packet that goes on with a copy sent up to guestnetd (DHCP
 * snooping) is "allowed", with "copied_up_by": the rule that sent the
 * copy (NAME, null if not guestnet's), named in the summary too ("allowed
 * by l2-unicast, a copy sent to guestnetd by dhcp-client-snoop"). */
json_t *api_trace_parse(const char *output);

/* Called once with an HTTP status and a new reference the callee takes:
 * the parsed trace (200), or {"error": {"message"}} (400 if ovs-vswitchd
 * refused the flow, 503 if it could not be reached, 504 if it did not
 * answer within the timeout). */
typedef void api_trace_cb(int status, json_t *body, void *aux);

/* Starts tracing 'flow' on 'bridge' through the ovs-vswitchd whose run
 * directory is 'ovs_rundir'.  'cb' runs later from the event loop, never
 * from inside this call; afterwards the trace frees itself.  Returns NULL
 * and a malloc'd error in '*errorp' if ovs-vswitchd's control socket
 * cannot be found.  The caller keeps the strings. */
struct api_trace *api_trace_start(struct event_base *,
                                  const char *ovs_rundir, const char *bridge,
                                  const char *flow, int timeout_ms,
                                  api_trace_cb *cb, void *aux, char **errorp);

/* Stops 'trace' (accepts NULL) without calling its callback and frees it.
 * Only valid before its callback ran. */
void api_trace_cancel(struct api_trace *);

#endif /* api-trace.h */
