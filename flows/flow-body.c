/* flow-body.c: the immutable, shared bodies of flows (see flows/flow-body.h).
 *
 * Owns struct flow_body and the map of every body that has a reference. */
#include <config.h>

#include "flow-body.h"

#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "gn-util.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "util.h"

static struct hmap flow_bodies = HMAP_INITIALIZER(&flow_bodies);

/* The match of a flow being looked up: its two miniflows laid out as in a
 * body, in room for the largest. */
struct flow_body_match {
    struct minimatch mm;
    size_t size;                /* Of both miniflows. */
    uint64_t room[2 * (sizeof(struct miniflow) / 8 + FLOW_U64S)];
};

/* Lays out 'match' in 'fm' as two consecutive miniflows (flow, then mask),
 * as minimatch_init() does, but in 'fm->room' instead of a block of its
 * own.  minimatch_hash() hashes the two as one block. */
static void
flow_body_match_init__(struct flow_body_match *fm, const struct match *match)
{
    struct miniflow map;
    struct miniflow *flow = (struct miniflow *) fm->room;
    struct miniflow *mask;
    size_t one;

    miniflow_map_init(&map, &match->wc.masks);
    one = sizeof map + MINIFLOW_VALUES_SIZE(miniflow_n_values(&map));
    mask = (struct miniflow *) ((uint8_t *) fm->room + one);
    *flow = map;
    *mask = map;
    miniflow_init(flow, &match->flow);
    miniflow_init(mask, &match->wc.masks);
    fm->mm.flow = flow;
    fm->mm.mask = (struct minimask *) mask;
    fm->mm.tun_md = NULL;
    fm->size = 2 * one;
}

/* Zeroes the bytes of the 'len' bytes of ofpacts 'ofpacts' that no field
 * owns: the padding after each set_field's value and after its mask
 * (ofpact_put_set_field() leaves them as the buffer held them), nested
 * actions' included. */
static void
flow_body_canonicalize__(struct ofpact *ofpacts, size_t len)
{
    struct ofpact *a;

    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, len) {
        if (a->type == OFPACT_SET_FIELD) {
            struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
            size_t n = sf->field->n_bytes;
            size_t room = ROUND_UP(n, OFPACT_ALIGNTO);

            memset((uint8_t *) sf->value + n, 0, room - n);
            memset((uint8_t *) ofpact_set_field_mask(sf) + n, 0, room - n);
        }
    }
}

/* Returns the hash of the key of a flow: 'table_id', 'priority', 'mm'. */
static uint32_t
flow_body_key_hash__(uint8_t table_id, uint16_t priority,
                     const struct minimatch *mm)
{
    return minimatch_hash(mm, ((uint32_t) table_id << 16) | priority);
}

/* Returns the hash of everything that tells bodies apart, given the
 * key's hash. */
static uint32_t
flow_body_hash__(uint32_t key_hash, uint8_t ofp_version, uint64_t cookie,
                 const struct ofpact *ofpacts, size_t ofpacts_len)
{
    uint32_t hash = hash_uint64_basis(cookie, key_hash ^ ofp_version);

    return hash_bytes(ofpacts, ofpacts_len, hash);
}

/* Drops a reference to 'b', and frees it with the last.  Accepts NULL. */
void
flow_body_unref(struct flow_body *b)
{
    if (b && !--b->n_refs) {
        hmap_remove(&flow_bodies, &b->node);
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

struct flow_body *
flow_body_get(uint8_t ofp_version, uint8_t table_id, uint16_t priority,
              uint64_t cookie, const struct match *match,
              struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct flow_body_match fm;
    struct flow_body *b;
    size_t ofpacts_room, tun_md_size;
    uint32_t key_hash, hash;

    flow_body_canonicalize__(ofpacts, ofpacts_len);
    flow_body_match_init__(&fm, match);
    key_hash = flow_body_key_hash__(table_id, priority, &fm.mm);
    hash = flow_body_hash__(key_hash, ofp_version, cookie, ofpacts,
                            ofpacts_len);
    HMAP_FOR_EACH_WITH_HASH (b, node, hash, &flow_bodies) {
        if (b->key_hash == key_hash && b->ofp_version == ofp_version
            && b->table_id == table_id && b->priority == priority
            && b->cookie == cookie && b->ofpacts_len == ofpacts_len
            && (!ofpacts_len || !memcmp(b->data, ofpacts, ofpacts_len))) {
            struct minimatch mm;

            flow_body_match(b, &mm);
            if (minimatch_equal(&mm, &fm.mm)) {
                return flow_body_ref(b);
            }
        }
    }

    ovs_assert(ofpacts_len < (1u << 31));
    tun_md_size = match->tun_md.valid ? sizeof match->tun_md : 0;
    ofpacts_room = ROUND_UP(ofpacts_len, 8);
    b = gn_xmalloc(sizeof *b + ofpacts_room + fm.size + tun_md_size);
    b->n_refs = 1;
    b->key_hash = key_hash;
    b->ofp_version = ofp_version;
    b->table_id = table_id;
    b->priority = priority;
    b->ofpacts_len = ofpacts_len;
    b->cookie = cookie;
    if (ofpacts_len) {
        memcpy(b->data, ofpacts, ofpacts_len);
    }
    /* The two miniflows, moved as one block, and the tunnel metadata. */
    memcpy((uint8_t *) b->data + ofpacts_room, fm.room, fm.size);
    b->has_tun_md = tun_md_size != 0;
    if (tun_md_size) {
        memcpy((uint8_t *) b->data + ofpacts_room + fm.size, &match->tun_md,
               tun_md_size);
    }
    hmap_insert(&flow_bodies, &b->node, hash);
    return b;
}

const struct ofpact *
flow_body_ofpacts(const struct flow_body *b)
{
    return b->ofpacts_len ? (const struct ofpact *) b->data : NULL;
}

void
flow_body_match(const struct flow_body *b, struct minimatch *mm)
{
    uint8_t *flow = (uint8_t *) b->data + ROUND_UP(b->ofpacts_len, 8);
    size_t one = sizeof(struct miniflow)
                 + MINIFLOW_VALUES_SIZE(miniflow_n_values(
                                            (struct miniflow *) flow));

    mm->flow = (struct miniflow *) flow;
    mm->mask = (struct minimask *) (flow + one);
    mm->tun_md = (b->has_tun_md
                  ? (struct tun_metadata_allocation *) (flow + 2 * one)
                  : NULL);
}

bool
flow_body_same_key(const struct flow_body *a, const struct flow_body *b)
{
    struct minimatch am, bm;

    if (a == b) {
        return true;
    } else if (a->key_hash != b->key_hash || a->table_id != b->table_id
               || a->priority != b->priority) {
        return false;
    }
    flow_body_match(a, &am);
    flow_body_match(b, &bm);
    return minimatch_equal(&am, &bm);
}

bool
flow_body_same_actions(const struct flow_body *a, const struct flow_body *b)
{
    return a == b || (a->ofpacts_len == b->ofpacts_len
                      && !memcmp(a->data, b->data, a->ofpacts_len));
}

void
flow_body_format(const struct flow_body *b, struct ds *match,
                 struct ds *actions)
{
    struct ofpact_format_params fp = { .s = actions };
    struct minimatch mm;
    struct match m;

    flow_body_match(b, &mm);
    minimatch_expand(&mm, &m);
    match_format(&m, NULL, match, OFP_DEFAULT_PRIORITY);
    ofpacts_format(flow_body_ofpacts(b), b->ofpacts_len, &fp);
}

size_t
flow_body_count(void)
{
    return hmap_count(&flow_bodies);
}
