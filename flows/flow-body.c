/* flow-body.c: the immutable, shared bodies of flows (see flows/flow-body.h).
 *
 * Owns struct flow_body and the map of every body that has a reference. */
#include <config.h>

#include "flow-body.h"

#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "util.h"

static struct hmap flow_bodies = HMAP_INITIALIZER(&flow_bodies);
static struct hmap flow_bodies_bin = HMAP_INITIALIZER(&flow_bodies_bin);

/* Returns the hash of everything that tells bodies apart. */
static uint32_t
flow_body_hash__(uint8_t ofp_version, uint8_t table_id, uint16_t priority,
                 uint64_t cookie, const char *match_s, const char *actions_s)
{
    uint32_t hash = hash_string(match_s,
                                ((uint32_t) table_id << 16) | priority);

    hash = hash_uint64_basis(cookie, hash ^ ofp_version);
    return hash_string(actions_s, hash);
}

/* Drops a reference to 'b', and frees it with the last.  Accepts NULL. */
void
flow_body_unref(struct flow_body *b)
{
    if (b && !--b->n_refs) {
        hmap_remove(&flow_bodies, &b->node);
        hmap_remove(&flow_bodies_bin, &b->bin_node);
        minimatch_destroy(&b->match);
        free(b);
    }
}

/* Returns a new reference to 'b'. */
struct flow_body *
flow_body_ref(struct flow_body *b)
{
    b->n_refs++;
    return b;
}

/* Returns the hash of the decoded form of a flow: everything but its text,
 * 'match' as minimatch_init() made it. */
static uint32_t
flow_body_hash_bin__(uint8_t ofp_version, uint8_t table_id,
                     uint16_t priority, uint64_t cookie,
                     const struct minimatch *match,
                     const struct ofpact *ofpacts, size_t ofpacts_len)
{
    uint32_t hash = hash_uint64_basis(cookie, ((uint32_t) ofp_version << 24)
                                              | ((uint32_t) table_id << 16)
                                              | priority);

    hash = minimatch_hash(match, hash);
    return hash_bytes(ofpacts, ofpacts_len, hash);
}

/* Returns the body whose decoded form is the one given, or NULL. */
static struct flow_body *
flow_body_find_bin__(uint32_t hash, uint8_t ofp_version, uint8_t table_id,
                     uint16_t priority, uint64_t cookie,
                     const struct minimatch *match,
                     const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct flow_body *b;

    HMAP_FOR_EACH_WITH_HASH (b, bin_node, hash, &flow_bodies_bin) {
        if (b->ofp_version == ofp_version && b->table_id == table_id
            && b->priority == priority && b->cookie == cookie
            && b->ofpacts_len == ofpacts_len
            && (!ofpacts_len || !memcmp(b->data, ofpacts, ofpacts_len))
            && minimatch_equal(&b->match, match)) {
            return b;
        }
    }
    return NULL;
}

/* Returns a reference to the body of the decoded flow 'match' and
 * 'ofpacts' normalized for 'ofp_version' (the caller keeps both): the body
 * of an equal flow if there is one, else a new one.  The caller drops the
 * reference with flow_body_unref(). */
struct flow_body *
flow_body_get(uint8_t ofp_version, uint8_t table_id, uint16_t priority,
              uint64_t cookie, const struct match *match,
              const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct flow_body *b;
    size_t match_len, actions_len, ofpacts_room;
    const char *actions_s;
    struct minimatch mm;
    uint32_t hash, bin_hash;
    char *text;

    minimatch_init(&mm, match);
    bin_hash = flow_body_hash_bin__(ofp_version, table_id, priority, cookie,
                                    &mm, ofpacts, ofpacts_len);
    b = flow_body_find_bin__(bin_hash, ofp_version, table_id, priority,
                             cookie, &mm, ofpacts, ofpacts_len);
    if (b) {
        minimatch_destroy(&mm);
        return flow_body_ref(b);
    }

    match_format(match, NULL, &s, OFP_DEFAULT_PRIORITY);
    match_len = s.length;
    ds_put_char(&s, '\0');
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(ofpacts, ofpacts_len, &fp);
    actions_len = s.length - match_len - 1;
    actions_s = ds_cstr(&s) + match_len + 1;

    hash = flow_body_hash__(ofp_version, table_id, priority, cookie,
                            s.string, actions_s);
    HMAP_FOR_EACH_WITH_HASH (b, node, hash, &flow_bodies) {
        if (b->ofp_version == ofp_version && b->table_id == table_id
            && b->priority == priority && b->cookie == cookie
            && !strcmp(b->match_s, s.string)
            && !strcmp(b->actions_s, actions_s)) {
            minimatch_destroy(&mm);
            ds_destroy(&s);
            return flow_body_ref(b);
        }
    }

    ofpacts_room = ROUND_UP(ofpacts_len, 8);
    b = gn_xmalloc(sizeof *b + ofpacts_room + match_len + actions_len + 2);
    b->n_refs = 1;
    b->ofp_version = ofp_version;
    b->table_id = table_id;
    b->priority = priority;
    b->cookie = cookie;
    minimatch_move(&b->match, &mm);
    b->ofpacts_len = ofpacts_len;
    if (ofpacts_len) {
        memcpy(b->data, ofpacts, ofpacts_len);
    }
    text = (char *) b->data + ofpacts_room;
    memcpy(text, s.string, match_len + actions_len + 2);
    b->match_s = text;
    b->actions_s = text + match_len + 1;
    hmap_insert(&flow_bodies, &b->node, hash);
    hmap_insert(&flow_bodies_bin, &b->bin_node, bin_hash);
    ds_destroy(&s);
    return b;
}

/* Returns the ofpacts of 'b'. */
const struct ofpact *
flow_body_ofpacts(const struct flow_body *b)
{
    return b->ofpacts_len ? (const struct ofpact *) b->data : NULL;
}

size_t
flow_body_count(void)
{
    return hmap_count(&flow_bodies);
}
