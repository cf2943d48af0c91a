/* test-api-request.c: unit tests of api-request (a request's query
 * string, body and POST /v1/ports options, parsed without I/O) and of the
 * trace parameters (api_trace_flow()): what is accepted gives the right
 * values, what is refused gives its status and a message that says what
 * is wrong, and a refusal returns nothing; and the verdicts of traces
 * (api_trace_parse()). */
#include <config.h>

#include "api-request.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api-trace.h"
#include "test-util.h"

/* The value of 'key' in 'params', or NULL. */
static const char *
param(const json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

static void
test_query_parses_and_decodes(void)
{
    json_t *params;

    CHECK_OK(api_request_query(NULL, &params));
    CHECK(json_is_object(params) && !json_object_size(params));
    json_decref(params);
    CHECK_OK(api_request_query("", &params));
    CHECK(json_is_object(params) && !json_object_size(params));
    json_decref(params);

    CHECK_OK(api_request_query("in_port=vm%201&proto=tcp&empty=", &params));
    CHECK_STREQ(param(params, "in_port"), "vm 1");
    CHECK_STREQ(param(params, "proto"), "tcp");
    CHECK_STREQ(param(params, "empty"), "");
    CHECK(json_object_size(params) == 3);
    json_decref(params);
}

static void
test_query_refusals(void)
{
    json_t *params;

    CHECK_ERROR(api_request_query("a=1&a=2", &params), "\"a\"",
                "given twice");
    CHECK(!params);
    CHECK_ERROR(api_request_query("a=%ff%fe", &params), "UTF-8", "query");
    CHECK(!params);
    CHECK_ERROR(api_request_query("\xff=1", &params), "UTF-8", "query");
    CHECK(!params);
}

static void
test_check_params(void)
{
    json_t *params;

    CHECK_OK(api_request_query("wait=true", &params));
    CHECK_OK(api_request_check_params(params, "wait"));
    CHECK_ERROR(api_request_check_params(params, NULL), "unknown query "
                "parameter", "\"wait\"");
    CHECK_ERROR(api_request_check_params(params, "force"), "unknown",
                "\"wait\"");
    json_decref(params);
}

static void
test_body_accepts_json_objects(void)
{
    static const char text[] = "{\"name\": \"vm1\", \"kind\": \"kvm\"}";
    json_t *body;
    int status = 0;

    CHECK_OK(api_request_body(NULL, text, strlen(text), &status, &body));
    CHECK_STREQ(json_string_value(json_object_get(body, "name")), "vm1");
    json_decref(body);
    CHECK_OK(api_request_body("application/json; charset=utf-8", text,
                              strlen(text), &status, &body));
    CHECK(json_is_object(body));
    json_decref(body);
}

static void
test_body_refusals(void)
{
    static const struct {
        const char *type;
        const char *text;
        int status;
        const char *want;
    } cases[] = {
        { "text/plain", "{}", 415, "Content-Type must be application/json" },
        { NULL, "", 400, "request body is empty" },
        { NULL, "{\"a\": 1, \"a\": 2}", 400, "malformed JSON at line 1" },
        { NULL, "{\"a\": ", 400, "malformed JSON" },
        { NULL, "[1, 2]", 400, "must be a JSON object" },
        { NULL, "\"vm1\"", 400, "malformed JSON" },
        { NULL, "{} {}", 400, "malformed JSON" },
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(cases); i++) {
        json_t *body;
        int status = 0;

        TEST_ROW("%s", cases[i].text);
        CHECK_ERROR(api_request_body(cases[i].type, cases[i].text,
                                     strlen(cases[i].text), &status, &body),
                    cases[i].want, "");
        CHECK(status == cases[i].status);
        CHECK(!body);
    }
}

/* A body with a NUL byte inside is refused, not cut short at it. */
static void
test_body_nul_byte_refused(void)
{
    static const char text[] = "{\"name\": \"vm1\"}\0{\"x\": 1}";
    json_t *body;
    int status;

    CHECK_ERROR(api_request_body(NULL, text, sizeof text - 1, &status,
                                 &body), "malformed JSON", "");
    CHECK(!body);
}

static void
test_wait_options(void)
{
    static const struct {
        const char *query;
        bool want;
    } ok[] = {
        { "", true }, { "wait=true", true }, { "wait=1", true },
        { "wait=false", false }, { "wait=0", false },
    };
    json_t *params, *body;
    bool wait;

    for (size_t i = 0; i < GN_ARRAY_SIZE(ok); i++) {
        TEST_ROW("%s", ok[i].query);
        CHECK_OK(api_request_query(ok[i].query, &params));
        wait = !ok[i].want;
        CHECK_OK(api_request_wait_param(params, &wait));
        CHECK(wait == ok[i].want);
        json_decref(params);
    }
    TEST_ROW_END();
    CHECK_OK(api_request_query("wait=yes", &params));
    CHECK_ERROR(api_request_wait_param(params, &wait), "wait:",
                "true or false");
    json_decref(params);

    /* The body's boolean overrides the query's and leaves the body. */
    body = json_loads("{\"name\": \"vm1\", \"wait\": false}", 0, NULL);
    wait = true;
    CHECK_OK(api_request_wait_body(body, &wait));
    CHECK(!wait);
    CHECK(!json_object_get(body, "wait"));
    CHECK(json_object_size(body) == 1);
    json_decref(body);

    body = json_loads("{\"name\": \"vm1\", \"wait\": \"no\"}", 0, NULL);
    wait = true;
    CHECK_ERROR(api_request_wait_body(body, &wait), "wait:", "boolean");
    CHECK(wait);
    CHECK(json_object_get(body, "wait"));
    json_decref(body);
}

static void
test_known_paths(void)
{
    CHECK(api_request_known_path("/v1/status"));
    CHECK(api_request_known_path("/metrics"));
    CHECK(api_request_known_path("/v1/ports/vm1"));
    CHECK(!api_request_known_path("/v1/ports/"));
    CHECK(!api_request_known_path("/v1/ports/vm1/x"));
    CHECK(!api_request_known_path("/v1/statuses"));
    CHECK(!api_request_known_path(""));
}

/* The flow that GET /v1/trace?QUERY traces for a port with ofport 7, or
 * NULL with the error in '*errorp'. */
static char *
trace_flow(const char *query, char **errorp)
{
    json_t *port = json_loads("{\"ofport\": 7, \"mac\": "
                              "\"52:54:00:00:00:07\", \"ips\": "
                              "[\"10.10.0.7\", \"2001:db8::7\"]}", 0, NULL);
    json_t *params;
    char *flow = NULL;

    *errorp = api_request_query(query, &params);
    if (!*errorp) {
        *errorp = api_trace_flow(params, port, &flow);
        json_decref(params);
    }
    json_decref(port);
    return flow;
}

/* Trace parameters reach ovs-vswitchd's flow syntax only as validated
 * values: a port number with a space, a sign or a letter, an address or a
 * MAC with anything around it, is refused. */
static void
test_trace_values_strict(void)
{
    static const char *const bad[] = {
        "in_port=a&proto=udp&tp_src=%20%20%2053",
        "in_port=a&proto=udp&tp_dst=%0a53",
        "in_port=a&proto=udp&tp_dst=53%20",
        "in_port=a&proto=udp&tp_dst=+53",
        "in_port=a&proto=udp&tp_dst=-1",
        "in_port=a&proto=udp&tp_dst=65536",
        "in_port=a&proto=udp&tp_dst=0x35",
        "in_port=a&proto=udp&tp_dst=123456",
        "in_port=a&nw_dst=%2010.10.0.9",
        "in_port=a&nw_dst=10.10.0.9%20",
        "in_port=a&nw_dst=10.10.0.9,actions=drop",
        "in_port=a&nw_dst=fe80::1%25eth0",
        "in_port=a&dl_dst=52:54:00:00:00:09%20",
        "in_port=a&dl_dst=%2052:54:00:00:00:09",
        "in_port=a&dl_src=52:54:00:00:00:09,in_port=1",
        "in_port=a&proto=tcp%20",
        "in_port=a&frag=first",
        "in_port=a&proto=arp&frag=later",
        "in_port=a&proto=udp&frag=yes",
        "in_port=a&proto=udp&frag=later&tp_dst=53",
        "in_port=a&proto=icmp6&frag=later&icmp_type=128",
        "in_port=a&proto=icmp6&nd_target=2001:db8::9",
        "in_port=a&proto=icmp6&icmp_type=136&nd_sll=52:54:00:00:00:09",
        "in_port=a&proto=icmp6&icmp_type=135&nd_tll=52:54:00:00:00:09",
        "in_port=a&proto=icmp&icmp_type=135&nd_target=2001:db8::9",
        "in_port=a&proto=icmp6&icmp_type=135&nd_target=10.0.0.1",
        "in_port=a&proto=icmp6&icmp_type=135&nd_target=2001:db8::9,x",
        "in_port=a&proto=icmp6&icmp_type=135&nd_sll=52:54:00:00:00:0",
        "in_port=a&proto=udp&nw_proto=0",
        "in_port=a&nw_proto=0",
        "in_port=a&proto=ipv6&nw_proto=256",
        "in_port=a&proto=ipv6&frag=later&nw_proto=0",
        "in_port=a&dl_vlan=4096",
        "in_port=a&dl_vlan=1,2",
    };
    char *error, *flow;

    for (size_t i = 0; i < GN_ARRAY_SIZE(bad); i++) {
        TEST_ROW("%s", bad[i]);
        flow = trace_flow(bad[i], &error);
        CHECK(!flow);
        CHECK(error != NULL);
        free(error);
        free(flow);
    }
    TEST_ROW_END();
    flow = trace_flow("in_port=a&proto=udp6&nw_dst=2001:db8::9&tp_src=0"
                      "&tp_dst=65535", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,udp6,nw_ttl=64,"
                "ipv6_src=2001:db8::7,ipv6_dst=2001:db8::9,udp_src=0,"
                "udp_dst=65535");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&proto=icmp6&frag=first&icmp_type=134",
                      &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,icmp6,nw_frag=first,"
                "nw_ttl=64,ipv6_src=2001:db8::7,icmpv6_type=134");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&proto=icmp6&icmp_type=135&nd_target="
                      "2001:db8::9&nd_sll=00:00:00:00:00:00", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,icmp6,nw_ttl=64,"
                "ipv6_src=2001:db8::7,icmpv6_type=135,nd_target=2001:db8::9,"
                "nd_sll=00:00:00:00:00:00");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&proto=ipv6&nw_proto=0", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,ipv6,nw_proto=0,"
                "nw_ttl=64,ipv6_src=2001:db8::7");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&dl_vlan=20", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,dl_vlan=20");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&proto=udp6&frag=later", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,ipv6,nw_proto=44,"
                "nw_frag=later,nw_ttl=64,ipv6_src=2001:db8::7");
    free(error);
    free(flow);
    flow = trace_flow("in_port=a&proto=udp&frag=later", &error);
    CHECK(!error);
    CHECK_STREQ(flow, "in_port=7,dl_src=52:54:00:00:00:07,udp,nw_frag=later,"
                "nw_ttl=64,nw_src=10.10.0.7");
    free(error);
    free(flow);
}

/* The shape of a request adding several ports. */
static void
test_bulk_shape(void)
{
    json_t *j;
    char *many;
    size_t len = 0;

#define BULK(TEXT) (j = json_loads(TEXT, 0, NULL))
    CHECK(!api_request_is_bulk(BULK("{\"name\": \"a\"}")));
    json_decref(j);
    CHECK(api_request_is_bulk(BULK("{\"ports\": 1}")));
    CHECK_ERROR(api_request_bulk_body(j), "ports", "non-empty array");
    json_decref(j);
    CHECK_OK(api_request_bulk_body(
                 BULK("{\"ports\": [{\"name\": \"a\"}, {\"name\": \"b\"}, "
                      "{\"kind\": \"kvm\"}, {\"name\": 5}]}")));
    json_decref(j);
    CHECK_ERROR(api_request_bulk_body(BULK("{\"ports\": []}")),
                "ports", "non-empty");
    json_decref(j);
    CHECK_ERROR(api_request_bulk_body(BULK("{\"ports\": [{}, []]}")),
                "ports[1]", "JSON object");
    json_decref(j);
    CHECK_ERROR(api_request_bulk_body(
                    BULK("{\"ports\": [{\"name\": \"a\"}, {\"name\": \"b\"}, "
                         "{\"name\": \"a\"}]}")),
                "ports[2]", "\"a\" is also ports[0]");
    json_decref(j);
    CHECK_ERROR(api_request_bulk_body(
                    BULK("{\"ports\": [{\"name\": \"a\"}], \"x\": 1}")),
                "unknown field \"x\"", "\"ports\" and \"wait\"");
    json_decref(j);
#undef BULK

    /* API_BULK_MAX ports pass, one more does not. */
    many = gn_xmalloc(16 + (API_BULK_MAX + 1) * 3);
    len = (size_t) sprintf(many, "{\"ports\": [");
    for (int i = 0; i < API_BULK_MAX; i++) {
        len += (size_t) sprintf(many + len, "%s{}", i ? "," : "");
    }
    strcpy(many + len, "]}");
    j = json_loads(many, 0, NULL);
    CHECK_OK(api_request_bulk_body(j));
    json_array_append_new(json_object_get(j, "ports"), json_object());
    CHECK_ERROR(api_request_bulk_body(j), "2049 ports", "at most 2048");
    json_decref(j);
    free(many);
}

/* The verdict and summary of a trace whose datapath actions are
 * 'actions', after a step of l2-unicast; the rule that sent a copy up, or
 * NULL. */
static const char *
trace_of(const char *actions, const char **summaryp, const char **copiedp)
{
    static char verdict[64], summary[128], copied[64];
    char *text = gn_xasprintf(
        "Flow: in_port=1\n\nbridge(\"br-int\")\n-------------\n"
        " 3. reg6=0x14,dl_dst=52:54:00:20:00:02, priority 100, cookie "
        "0xf000000000001\n\nFinal flow: unchanged\n"
        "Datapath actions: %s\n", actions);
    json_t *j = api_trace_parse(text);
    const char *c = json_string_value(json_object_get(j, "copied_up_by"));

    snprintf(verdict, sizeof verdict, "%s",
             json_string_value(json_object_get(j, "verdict")));
    snprintf(summary, sizeof summary, "%s",
             json_string_value(json_object_get(j, "summary")));
    snprintf(copied, sizeof copied, "%s", c ? c : "");
    *summaryp = summary;
    *copiedp = c ? copied : NULL;
    json_decref(j);
    free(text);
    return verdict;
}

static void
test_trace_verdicts(void)
{
    const char *summary, *copied;

    /* A copy up (DHCP snooping) with the packet itself going on. */
    CHECK_STREQ(trace_of("meter(5),userspace(pid=0,controller(reason=1,"
                         "rule_cookie=0x3a000000008001,max_len=1600)),2",
                         &summary, &copied), "allowed");
    CHECK_STREQ(summary, "allowed by l2-unicast, a copy sent to guestnetd "
                "by dhcp-client-snoop");
    CHECK_STREQ(copied, "dhcp-client-snoop");
    CHECK_STREQ(trace_of("clone(meter(4),userspace(pid=0,controller("
                         "reason=1,rule_cookie=0x37000000008002))),3",
                         &summary, &copied), "allowed");
    CHECK_STREQ(copied, "dhcp-snoop");
    /* Up only, a meter only, nothing, an output. */
    CHECK_STREQ(trace_of("meter(5),userspace(pid=0,controller(reason=1,"
                         "rule_cookie=0x30000000008001))", &summary,
                         &copied), "sent to guestnetd");
    CHECK(!copied);
    CHECK_STREQ(trace_of("meter(3)", &summary, &copied), "dropped");
    CHECK_STREQ(trace_of("drop", &summary, &copied), "dropped");
    CHECK_STREQ(trace_of("clone(meter(3)),drop", &summary, &copied),
                "dropped");
    CHECK_STREQ(trace_of("meter(3),2", &summary, &copied), "allowed");
    CHECK_STREQ(summary, "allowed by l2-unicast");
    CHECK(!copied);
}

int
main(void)
{
    TEST_RUN("api-request/query-parses-and-decodes",
             test_query_parses_and_decodes);
    TEST_RUN("api-request/query-twice-or-not-utf8-refused",
             test_query_refusals);
    TEST_RUN("api-request/unknown-parameters-refused", test_check_params);
    TEST_RUN("api-request/body-accepts-json-objects",
             test_body_accepts_json_objects);
    TEST_RUN("api-request/body-refusals-with-status", test_body_refusals);
    TEST_RUN("api-request/body-nul-byte-refused",
             test_body_nul_byte_refused);
    TEST_RUN("api-request/wait-from-query-and-body", test_wait_options);
    TEST_RUN("api-request/known-paths", test_known_paths);
    TEST_RUN("api-request/trace-values-strict", test_trace_values_strict);
    TEST_RUN("api-request/bulk-shape", test_bulk_shape);
    TEST_RUN("api-request/trace-verdicts", test_trace_verdicts);
    return test_done();
}
