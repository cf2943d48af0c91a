/* fuzz-api-request: a request as the API's handlers see it once evhttp
 * parsed it, through the same validation (api/api-request.c, then
 * engine/port-spec.c for POST /v1/ports and api_trace_flow() for
 * GET /v1/trace; a body adding several ports is checked for its shape,
 * then port by port), without a daemon.  The input is
 *
 *     METHOD PATH[?QUERY]\n[Content-Type: TYPE\n]\nBODY
 *
 * or "OFTRACE\n" and the text of an ofproto/trace answer, which goes to
 * api_trace_parse().  Checked besides crashes, leaks and undefined
 * behaviour: every refusal has a message, an accepted port add has a
 * consistent spec and no "wait" left in its body, and a trace flow holds
 * only the characters of ovs-ofctl's flow syntax that the validated
 * values use (nothing from the query reaches ovs-vswitchd unchecked). */
#include <config.h>

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api-request.h"
#include "api-trace.h"
#include "fuzz-util.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The in_port of every trace, as engine_port() shows a bound port. */
static const char port_json[] =
    "{\"name\": \"vm1\", \"ofport\": 7, \"mac\": \"52:54:00:12:34:56\","
    " \"ips\": [\"10.10.0.5\", \"2001:db8:10::5\"], \"network\": \"web\"}";

/* The in_port of every trace, parsed once. */
static const json_t *
trace_port(void)
{
    static json_t *port;

    if (!port) {
        port = json_loads(port_json, 0, NULL);
        if (!port) {
            abort();
        }
    }
    return port;
}

/* Frees 'error', which must be a message. */
static void
refused(char *error)
{
    if (!*error) {
        abort();
    }
    free(error);
}

/* One port of POST /v1/ports, as the engine checks it. */
static void
port_spec_check(const json_t *req)
{
    struct port_spec spec;
    enum port_error kind;
    char *error;

    error = port_spec_from_json(req, fuzz_config(), fuzz_replica(), NULL,
                                &spec, &kind);
    if (error) {
        if (kind == PORT_ERR_NONE) {
            abort();
        }
        refused(error);
    } else {
        if (!spec.name || !spec.network || !spec.token) {
            abort();
        }
        free(port_request_hash(req));
        port_spec_destroy(&spec);
    }
}

/* POST /v1/ports with 'params' and the body. */
static void
port_add(const json_t *params, const char *type, const char *body,
         size_t len)
{
    bool wait = true;
    json_t *req;
    char *error;
    int status;

    if ((error = api_request_check_params(params, "wait"))
        || (error = api_request_wait_param(params, &wait))) {
        refused(error);
        return;
    }
    error = api_request_body(type, body, len, &status, &req);
    if (error) {
        if (req || (status != 400 && status != 415)) {
            abort();
        }
        refused(error);
        return;
    }
    error = api_request_wait_body(req, &wait);
    if (error) {
        refused(error);
    } else if (json_object_get(req, "wait")) {
        abort();
    } else if (api_request_is_bulk(req)) {
        /* Several ports: the shape, then each port as one add. */
        error = api_request_bulk_body(req);
        if (error) {
            refused(error);
        } else {
            const json_t *ports = json_object_get(req, "ports");
            const json_t *port;
            size_t i;

            if (!json_array_size(ports)
                || json_array_size(ports) > API_BULK_MAX) {
                abort();
            }
            json_array_foreach (ports, i, port) {
                if (!json_is_object(port)) {
                    abort();
                }
                port_spec_check(port);
            }
        }
    } else {
        port_spec_check(req);
    }
    json_decref(req);
}

/* GET /v1/trace with 'params'. */
static void
trace(const json_t *params)
{
    char *flow;
    char *error;

    if (!json_string_value(json_object_get(params, "in_port"))) {
        return;                 /* 400 "in_port: required". */
    }
    error = api_trace_flow(params, trace_port(), &flow);
    if (error) {
        if (flow) {
            abort();
        }
        refused(error);
        return;
    }
    if (strncmp(flow, "in_port=7,", 10)
        || strspn(flow, "abcdefghijklmnopqrstuvwxyz"
                  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=,:.")
           != strlen(flow)) {
        abort();
    }
    free(flow);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    char *line, *nl, *query, *type = NULL, *body;
    json_t *params;
    char *error;

    memcpy(text, data, size);
    text[size] = '\0';
    nl = memchr(text, '\n', size);
    if (!nl) {
        goto out;
    }
    *nl = '\0';
    line = text;
    body = nl + 1;
    if (!strcmp(line, "OFTRACE")) {
        /* ovs-vswitchd's answer is a JSON string: UTF-8. */
        json_t *s = json_string(body);
        json_t *j = s ? api_trace_parse(body) : json_object();
        if (!json_is_object(j)) {
            abort();
        }
        json_decref(j);
        json_decref(s);
        goto out;
    }
    if (!strncmp(body, "Content-Type: ", 14)) {
        type = body + 14;
        nl = strchr(type, '\n');
        if (!nl) {
            goto out;
        }
        *nl = '\0';
        body = nl + 1;
    }
    if (*body == '\n') {
        body++;
    }
    char *path = strchr(line, ' ');
    if (!path) {
        goto out;
    }
    *path++ = '\0';
    query = strchr(path, '?');
    if (query) {
        *query++ = '\0';
    }
    api_request_known_path(path);
    error = api_request_query(query, &params);
    if (error) {
        if (params) {
            abort();
        }
        refused(error);
        goto out;
    }
    if (!json_is_object(params)) {
        abort();
    }
    if (!strcmp(line, "POST") && !strcmp(path, "/v1/ports")) {
        port_add(params, type, body, size - (body - text));
    } else if (!strcmp(line, "GET") && !strcmp(path, "/v1/trace")) {
        trace(params);
    } else if ((error = api_request_check_params(params, NULL))) {
        refused(error);
    }
    json_decref(params);
out:
    free(text);
    return 0;
}
