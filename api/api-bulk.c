/* api-bulk.c: POST /v1/ports with {"ports": [PORT, ...]}, the request
 * that adds several ports at once.  Each port goes to the engine (or the
 * cluster) as its own add, so each is all or nothing on its own and gets
 * the answer one add would have had; the engine gathers adds that come
 * together into few OVSDB transactions and flow bundles.  The ports are
 * handed over API_BULK_SLICE per turn of the event loop, so that a large
 * request does not hold the loop.  The request is answered once every
 * port is: 200 if all were added, 207 if any was refused, with one entry
 * per port in the order given:
 *
 *     {"ports": [{"name": N, "status": 201, "port": {...}},
 *                {"name": N, "status": 409, "error": {...}}, ...],
 *      "added": A, "failed": F}
 *
 * At most API_BULK_PENDING_MAX ports of such requests wait for answers at
 * once; a request that would pass that is answered 503 and adds nothing.
 * A client that goes away does not stop the request (as for one port):
 * every port is still handed over and added, and the answer dropped. */
#include <config.h>

#include "api-private.h"

#include <event2/event.h>
#include <stdlib.h>

#include "api-request.h"
#include "cluster.h"
#include "engine.h"
#include "gn-util.h"

/* One port of a bulk request: what the engine's callback gets as 'aux'. */
struct api_bulk_item {
    struct api_bulk *bulk;
    json_t *name;               /* Its "name" (a reference), or NULL. */
    json_t *result;             /* Its entry of the answer, once answered. */
};

struct api_bulk {
    struct api_pending *p;      /* The HTTP request. */
    bool wait;
    size_t n;
    size_t n_submitted;         /* Ports handed to the engine. */
    size_t n_left;              /* Ports not answered yet. */
    size_t n_added;
    bool submitting;            /* Handing ports to the engine now. */
    struct event *next;         /* Hands over the next slice. */
    struct api_bulk_item items[];
};

static void
api_bulk_free__(struct api_bulk *b)
{
    struct api *api = b->p->api;

    api->bulk_pending -= b->n_left;
    for (size_t i = 0; i < b->n; i++) {
        json_decref(b->items[i].name);
        json_decref(b->items[i].result);
    }
    event_free(b->next);
    free(b);
}

static void
api_bulk_unlink__(struct api_pending *p)
{
    for (struct api_pending **pp = &p->api->bulks; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
}

/* Answers the request once every port is answered and all were handed
 * over. */
static void
api_bulk_maybe_finish__(struct api_bulk *b)
{
    struct api_pending *p = b->p;
    json_t *list;

    if (b->n_left || b->submitting || b->n_submitted < b->n) {
        return;
    }
    list = json_array();
    for (size_t i = 0; i < b->n; i++) {
        json_array_append(list, b->items[i].result);
    }
    if (p->req) {
        api_count_write__(p->api, p->start_msec);
        api_reply__(p->api, p->req, p->conn,
                    b->n_added == b->n ? 200 : 207,
                    json_pack("{s:o, s:I, s:I}", "ports", list,
                              "added", (json_int_t) b->n_added,
                              "failed", (json_int_t) (b->n - b->n_added)));
    } else {
        json_decref(list);      /* Its client went away. */
    }
    api_bulk_unlink__(p);
    api_bulk_free__(b);         /* (It reads 'p'.) */
    api_pending_free__(p);
}

/* The engine answered one port of the request. */
static void
api_bulk_item_done__(int status, json_t *body, void *item_)
{
    struct api_bulk_item *item = item_;
    struct api_bulk *b = item->bulk;
    json_t *result = json_pack("{s:O?, s:i}", "name", item->name,
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
    b->p->api->bulk_pending--;
    api_bulk_maybe_finish__(b);
}

/* Hands the next API_BULK_SLICE ports of 'b' to the engine (or the
 * cluster); schedules the rest for the next turn of the loop. */
static void
api_bulk_submit__(evutil_socket_t fd, short what, void *b_)
{
    struct api_bulk *b = b_;
    struct api *api = b->p->api;
    const json_t *ports = b->p->bulk_ports;
    size_t end = b->n_submitted + API_BULK_SLICE;

    (void) fd;
    (void) what;
    b->submitting = true;
    for (; b->n_submitted < b->n && b->n_submitted < end; b->n_submitted++) {
        size_t i = b->n_submitted;
        const json_t *port = json_array_get(ports, i);
        json_t *name = json_object_get(port, "name");

        b->items[i].bulk = b;
        b->items[i].name = json_is_string(name) ? json_incref(name) : NULL;
        if (api->cluster) {
            cluster_port_add(api->cluster, port, b->wait,
                             api_bulk_item_done__, &b->items[i]);
        } else {
            engine_port_add(api->engine, port, b->wait,
                            api_bulk_item_done__, &b->items[i]);
        }
    }
    b->submitting = false;
    if (b->n_submitted < b->n) {
        event_active(b->next, EV_TIMEOUT, 0);
    } else {
        /* Handed over: the answer needs only the names. */
        json_decref(b->p->bulk_ports);
        b->p->bulk_ports = NULL;
        api_bulk_maybe_finish__(b);
    }
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
    if (api->bulk_pending + n > API_BULK_PENDING_MAX) {
        char *msg = gn_xasprintf("%zu ports of other requests are being "
                                 "added (at most %d at once): nothing was "
                                 "added; retry later", api->bulk_pending,
                                 API_BULK_PENDING_MAX);
        api_error__(api, req, conn, 503, msg);
        free(msg);
        json_decref(body);
        return;
    }
    b = gn_xzalloc(sizeof *b + n * sizeof b->items[0]);
    p = api_pending_create__(api, req, conn, API_PENDING_BULK);
    p->bulk = b;
    p->bulk_ports = json_incref((json_t *) ports);
    json_decref(body);
    b->p = p;
    b->wait = wait;
    b->n = b->n_left = n;
    b->next = event_new(api->base, -1, 0, api_bulk_submit__, b);
    api->bulk_pending += n;
    p->next = api->bulks;
    api->bulks = p;
    api_bulk_submit__(-1, 0, b);
}

void
api_bulk_destroy_all__(struct api *api)
{
    while (api->bulks) {
        struct api_pending *p = api->bulks;
        struct api_bulk *b = p->bulk;

        api->bulks = p->next;
        for (size_t i = 0; i < b->n_submitted; i++) {
            if (!b->items[i].result) {
                if (api->cluster) {
                    cluster_forget(api->cluster, &b->items[i]);
                } else {
                    engine_forget(api->engine, &b->items[i]);
                }
            }
        }
        if (p->conn) {
            p->conn->pending = NULL;
        }
        api_bulk_free__(b);
        api_pending_free__(p);
    }
}
