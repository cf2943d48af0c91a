/* api-bulk.c: POST /v1/ports with {"ports": [PORT, ...]}, the request
 * that adds several ports at once.  Each port goes to the engine (or the
 * cluster) as its own add, so each is all or nothing on its own and gets
 * the answer one add would have had; the engine gathers adds that come
 * together into few OVSDB transactions and flow bundles.  The request is
 * answered once every port is: 200 if all were added, 207 if any was
 * refused, with one entry per port in the order given:
 *
 *     {"ports": [{"name": N, "status": 201, "port": {...}},
 *                {"name": N, "status": 409, "error": {...}}, ...],
 *      "added": A, "failed": F}
 *
 * A client that goes away does not stop the adds (as for one port); its
 * answer is dropped. */
#include <config.h>

#include "api-private.h"

#include <stdlib.h>

#include "api-request.h"
#include "cluster.h"
#include "engine.h"
#include "gn-util.h"

/* One port of a bulk request: what the engine's callback gets as 'aux'. */
struct api_bulk_item {
    struct api_bulk *bulk;
    json_t *result;             /* Its entry of the answer, once answered. */
};

struct api_bulk {
    struct api_pending *p;      /* The HTTP request. */
    size_t n;
    size_t n_left;              /* Ports not answered yet. */
    size_t n_added;
    bool submitting;            /* Still handing ports to the engine. */
    struct api_bulk_item items[];
};

static void
api_bulk_free__(struct api_bulk *b)
{
    for (size_t i = 0; i < b->n; i++) {
        json_decref(b->items[i].result);
    }
    free(b);
}

/* Answers the request once every port is answered and all were handed
 * over. */
static void
api_bulk_maybe_finish__(struct api_bulk *b)
{
    struct api_pending *p = b->p;
    json_t *list;

    if (b->n_left || b->submitting) {
        return;
    }
    list = json_array();
    for (size_t i = 0; i < b->n; i++) {
        json_array_append(list, b->items[i].result);
    }
    api_count_write__(p->api, p->start_msec);
    api_reply__(p->api, p->req, p->conn, b->n_added == b->n ? 200 : 207,
                json_pack("{s:o, s:I, s:I}", "ports", list,
                          "added", (json_int_t) b->n_added,
                          "failed", (json_int_t) (b->n - b->n_added)));
    api_pending_free__(p);
    api_bulk_free__(b);
}

/* The engine answered one port of the request. */
static void
api_bulk_item_done__(int status, json_t *body, void *item_)
{
    struct api_bulk_item *item = item_;
    struct api_bulk *b = item->bulk;
    size_t i = item - b->items;
    const json_t *port = json_array_get(b->p->bulk_ports, i);
    const json_t *name = json_object_get(port, "name");
    json_t *result = json_pack("{s:O?, s:i}", "name",
                               json_is_string(name) ? name : NULL,
                               "status", status);

    if (status >= 200 && status < 300) {
        json_object_set_new(result, "port", body);
        b->n_added++;
    } else {
        json_t *err = json_object_get(body, "error");

        if (json_is_object(err) && !json_object_get(err, "code")) {
            json_object_set_new(err, "code", json_integer(status));
        }
        json_object_set(result, "error", err ? err : json_null());
        json_decref(body);
    }
    item->result = result;
    b->n_left--;
    api_bulk_maybe_finish__(b);
}

void
api_bulk_add__(struct api *api, struct evhttp_request *req,
               struct api_conn *conn, json_t *body, bool wait)
{
    char *error = api_request_bulk_body(body);
    const json_t *ports = json_object_get(body, "ports");
    struct api_bulk *b;
    struct api_pending *p;
    size_t n;

    if (error) {
        api_error__(api, req, conn, 400, error);
        free(error);
        json_decref(body);
        return;
    }
    n = json_array_size(ports);
    b = gn_xzalloc(sizeof *b + n * sizeof b->items[0]);
    p = api_pending_create__(api, req, conn, API_PENDING_BULK);
    p->bulk = b;
    p->bulk_ports = json_incref((json_t *) ports);
    b->p = p;
    b->n = b->n_left = n;
    b->submitting = true;
    for (size_t i = 0; i < n; i++) {
        const json_t *port = json_array_get(ports, i);

        b->items[i].bulk = b;
        if (api->cluster) {
            cluster_port_add(api->cluster, port, wait, api_bulk_item_done__,
                             &b->items[i]);
        } else {
            engine_port_add(api->engine, port, wait, api_bulk_item_done__,
                            &b->items[i]);
        }
    }
    b->submitting = false;
    json_decref(body);
    api_bulk_maybe_finish__(b);
}

void
api_bulk_forget__(struct api_pending *p)
{
    struct api_bulk *b = p->bulk;

    for (size_t i = 0; i < b->n; i++) {
        if (!b->items[i].result) {
            if (p->api->cluster) {
                cluster_forget(p->api->cluster, &b->items[i]);
            } else {
                engine_forget(p->api->engine, &b->items[i]);
            }
        }
    }
    api_bulk_free__(b);
    api_pending_free__(p);
}
