/* api-request.c: a request's query string, body and options, parsed
 * without I/O (see include/api-request.h). */
#include <config.h>

#include "api-request.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdlib.h>
#include <string.h>

char *
api_request_query(const char *query, json_t **paramsp)
{
    struct evkeyvalq params;
    struct evkeyval *kv;
    char *error = NULL;
    json_t *j = json_object();

    *paramsp = NULL;
    if (!query || !*query) {
        *paramsp = j;
        return NULL;
    }
    if (evhttp_parse_query_str(query, &params)) {
        json_decref(j);
        return gn_xstrdup("malformed query string");
    }
    for (kv = params.tqh_first; kv && !error; kv = kv->next.tqe_next) {
        if (json_object_get(j, kv->key)) {
            error = gn_xasprintf("parameter \"%s\" given twice", kv->key);
        } else {
            json_object_set_new(j, kv->key, json_string(kv->value));
            if (!json_object_get(j, kv->key)) {
                error = gn_xstrdup("query parameters must be UTF-8");
            }
        }
    }
    evhttp_clear_headers(&params);
    if (error) {
        json_decref(j);
        return error;
    }
    *paramsp = j;
    return NULL;
}

char *
api_request_check_params(const json_t *params, const char *allowed)
{
    const char *key;
    json_t *v;

    json_object_foreach ((json_t *) params, key, v) {
        if (!allowed || strcmp(key, allowed)) {
            return gn_xasprintf("unknown query parameter \"%s\"", key);
        }
    }
    return NULL;
}

char *
api_request_body(const char *content_type, const char *data, size_t len,
                 int *statusp, json_t **bodyp)
{
    json_error_t jerr;
    json_t *json;

    *bodyp = NULL;
    *statusp = 400;
    if (content_type && strncmp(content_type, "application/json", 16)) {
        *statusp = 415;
        return gn_xstrdup("Content-Type must be application/json");
    }
    if (!len) {
        return gn_xstrdup("request body is empty (expected a JSON object)");
    }
    json = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        return gn_xasprintf("malformed JSON at line %d column %d: %s",
                            jerr.line, jerr.column, jerr.text);
    }
    if (!json_is_object(json)) {
        json_decref(json);
        return gn_xstrdup("request body must be a JSON object");
    }
    *bodyp = json;
    return NULL;
}

char *
api_request_wait_param(const json_t *params, bool *waitp)
{
    const char *w = json_string_value(json_object_get(params, "wait"));

    if (w && strcmp(w, "true") && strcmp(w, "false") && strcmp(w, "1")
        && strcmp(w, "0")) {
        return gn_xstrdup("wait: expected true or false");
    }
    *waitp = !w || !strcmp(w, "true") || !strcmp(w, "1");
    return NULL;
}

char *
api_request_wait_body(json_t *body, bool *waitp)
{
    const json_t *bw = json_object_get(body, "wait");

    if (bw && !json_is_boolean(bw)) {
        return gn_xstrdup("wait: expected a boolean");
    }
    if (bw) {
        *waitp = json_is_true(bw);
        json_object_del(body, "wait");
    }
    return NULL;
}

bool
api_request_is_bulk(const json_t *body)
{
    return (json_object_get(body, "ports") != NULL
            && !json_object_get(body, "name"));
}

char *
api_request_bulk_body(const json_t *body)
{
    const json_t *ports = json_object_get(body, "ports");
    const char *key;
    const json_t *v;
    json_t *names;
    size_t i;

    json_object_foreach ((json_t *) body, key, v) {
        if (strcmp(key, "ports")) {
            return gn_xasprintf("unknown field \"%s\" (a request adding "
                                "several ports holds only \"ports\" and "
                                "\"wait\")", key);
        }
    }
    if (!json_is_array(ports) || !json_array_size(ports)) {
        return gn_xstrdup("ports: expected a non-empty array of ports");
    }
    if (json_array_size(ports) > API_BULK_MAX) {
        return gn_xasprintf("ports: %zu ports in one request, at most %d",
                            json_array_size(ports), API_BULK_MAX);
    }
    names = json_object();
    json_array_foreach (ports, i, v) {
        const char *name = json_string_value(json_object_get(v, "name"));

        if (!json_is_object(v)) {
            json_decref(names);
            return gn_xasprintf("ports[%zu]: expected a JSON object", i);
        }
        if (name && json_object_get(names, name)) {
            char *error = gn_xasprintf(
                "ports[%zu]: port \"%s\" is also ports[%lld]", i, name,
                (long long) json_integer_value(json_object_get(names,
                                                               name)));
            json_decref(names);
            return error;
        }
        if (name) {
            json_object_set_new(names, name, json_integer(i));
        }
    }
    json_decref(names);
    return NULL;
}

bool
api_request_known_path(const char *path)
{
    static const char *const paths[] = {
        "/v1/status", "/v1/health", "/v1/ports", "/v1/networks",
        "/v1/flows", "/v1/trace", "/v1/reload", "/metrics",
    };

    for (size_t i = 0; i < GN_ARRAY_SIZE(paths); i++) {
        if (!strcmp(path, paths[i])) {
            return true;
        }
    }
    const char *slash = (!strncmp(path, "/v1/ports/", 10) && path[10]
                         ? strchr(path + 10, '/') : NULL);

    return (!strncmp(path, "/v1/ports/", 10) && path[10]
            && (!slash || (slash > path + 10 && !strcmp(slash, "/limits"))));
}
