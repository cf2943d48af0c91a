/* flow-table.c: flow tables in memory, normalized through libopenvswitch,
 * and the difference between a desired and an installed table.
 *
 * Owns struct flow_table and struct flow_entry; the flows' shared bodies
 * are flows/flow-body.c's.  See include/flow-table.h for the design
 * (normalization, memory). */
#include <config.h>

#include "flow-table.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "flow-body.h"
#include "flow-codec.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "util.h"

struct flow_table {
    struct hmap entries;        /* Contains "struct flow_entry"s. */
    uint8_t ofp_version;        /* Normalized for this OpenFlow version. */
    bool memo_started;          /* flow_table_add() was called on it. */
    bool memo_skip;             /* This epoch is the table's first build:
                                 * its texts are not remembered. */
    bool tracking;              /* Records changed keys in 'changes'. */
    struct hmap changes;        /* Contains "struct flow_key"s. */
};

/* The key of a flow that changed, for flow_table_diff_changes(): that of
 * the body it holds a reference to (the flow's, or one of the flows', with
 * the key). */
struct flow_key {
    struct hmap_node node;      /* In 'changes', by its body's key_hash. */
    struct flow_body *body;
};

/* The normalization memo.  Normalizing a flow (parse, encode, decode,
 * find its body) costs far more than copying a normalized one, and the
 * daemon rebuilds its desired table from mostly the same flow texts on
 * every change.  So flow_table_add() remembers, per OpenFlow version, the entry
 * each flow text normalized to and copies it the next time.
 *
 * A table's first build (an empty table when its epoch starts: guestnetd's
 * start, a config reload) is not remembered: none of its texts repeats
 * in it, and a group rebuilt later is normalized once more and remembered
 * then.  At 1000 ports that spares 4 MB of texts nothing would look up
 * and a malloc per flow of the start.
 *
 * Memory stays bounded by the working set: every table built with
 * flow_table_add() starts an epoch; when the memo holds more than twice the
 * flows added in the previous epoch (plus some slack), the entries not used
 * in the current or the previous epoch are dropped.  They are dropped a few
 * at a time, by each later flow_table_add(): after a build of 30,000 flows
 * and a small update, freeing them all at once held the event loop for
 * 60 ms.  Process-wide and used by the event loop's thread only. */
struct flow_memo_entry {
    struct hmap_node node;      /* In 'flow_memo', by hash of 'spec'. */
    uint8_t ofp_version;
    struct flow_body *body;     /* What it normalized to (a reference). */
    unsigned long long epoch;   /* Last epoch it was used in. */
    char spec[];                /* The text given to flow_table_add(). */
};

static struct hmap flow_memo = HMAP_INITIALIZER(&flow_memo);
static unsigned long long flow_memo_epoch;
static size_t flow_memo_adds;           /* In the current epoch. */
static size_t flow_memo_prev_adds;      /* In the previous one. */
#define FLOW_MEMO_SLACK 4096

/* The trim in progress: it looks at FLOW_MEMO_TRIM_STEP entries per
 * flow_table_add(), from 'flow_memo_trim_pos' on, and drops those last
 * used before the epoch before 'flow_memo_trim_epoch'.  Each add puts at
 * most one entry in, so the memo shrinks while a trim runs. */
#define FLOW_MEMO_TRIM_STEP 8
static bool flow_memo_trimming;
static struct hmap_position flow_memo_trim_pos;
static unsigned long long flow_memo_trim_epoch;

static char *flow_table_normalize__(uint8_t ofp_version, const char *spec,
                                    struct flow_body **bodyp);

/* A flow in one table: its place in the table and the body it shares.
 * (The switch's counters are not kept: flow_table_sum_stats_reply() sums
 * them from a reply when they are asked for.) */
struct flow_entry {
    struct hmap_node node;      /* In 'entries', by its body's key_hash. */
    struct flow_body *body;     /* A reference. */
};

/* Returns the entry of 'table' with the key of body 'key' (an entry's
 * place in a table is its body's key_hash), or NULL. */
static struct flow_entry *
flow_table_find__(const struct flow_table *table,
                  const struct flow_body *key)
{
    struct flow_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, key->key_hash, &table->entries) {
        if (flow_body_same_key(e->body, key)) {
            return e;
        }
    }
    return NULL;
}

/* Frees 'e', which must not be in a table.  Accepts NULL. */
static void
flow_table_entry_free__(struct flow_entry *e)
{
    if (e) {
        flow_body_unref(e->body);
        free(e);
    }
}

/* Returns a new entry with a reference to 'b' (taking over the caller's
 * reference) and no counters.  Caller frees with
 * flow_table_entry_free__(). */
static struct flow_entry *
flow_table_entry_create__(struct flow_body *b)
{
    struct flow_entry *e = gn_xzalloc(sizeof *e);

    e->body = b;
    return e;
}

/* Returns a copy of 'e' that shares its body.  Caller
 * frees with flow_table_entry_free__(). */
static struct flow_entry *
flow_table_entry_clone__(const struct flow_entry *e)
{
    struct flow_entry *c = gn_xmalloc(sizeof *c);

    *c = *e;
    flow_body_ref(c->body);
    return c;
}

/* Inserts 'e' into 'table'.  If an entry with the same key is there, it is
 * replaced and freed if 'replace', otherwise 'e' is not inserted and the
 * existing entry is returned.  Returns NULL when 'e' was inserted.  Takes
 * ownership of 'e' only when it returns NULL. */
static const struct flow_entry *
flow_table_insert__(struct flow_table *table, struct flow_entry *e,
                    bool replace)
{
    const struct flow_body *b = e->body;
    struct flow_entry *old = flow_table_find__(table, b);
    if (old) {
        if (!replace) {
            return old;
        }
        hmap_remove(&table->entries, &old->node);
        flow_table_entry_free__(old);
    }
    hmap_insert(&table->entries, &e->node, b->key_hash);
    return NULL;
}

/* Records that the flow with the key of 'e' changed in 'table', if
 * 'table' tracks its changes. */
static void
flow_table_note_change__(struct flow_table *table,
                         const struct flow_entry *e)
{
    const struct flow_body *b = e->body;
    uint32_t hash;
    struct flow_key *k;

    if (!table->tracking) {
        return;
    }
    hash = b->key_hash;
    HMAP_FOR_EACH_WITH_HASH (k, node, hash, &table->changes) {
        if (flow_body_same_key(k->body, b)) {
            return;
        }
    }
    k = gn_xmalloc(sizeof *k);
    k->body = flow_body_ref(e->body);
    hmap_insert(&table->changes, &k->node, hash);
}

/* Starts a memo epoch and drops stale memo entries if the memo grew past
 * its bound (see the comment on 'flow_memo'). */
static void
flow_memo_start_epoch__(void)
{
    flow_memo_epoch++;
    flow_memo_prev_adds = flow_memo_adds;
    flow_memo_adds = 0;
    if (!flow_memo_trimming
        && hmap_count(&flow_memo) > 2 * flow_memo_prev_adds
                                    + FLOW_MEMO_SLACK) {
        flow_memo_trimming = true;
        flow_memo_trim_pos = (struct hmap_position) { 0, 0 };
        flow_memo_trim_epoch = flow_memo_epoch;
    }
}

/* Goes on with the trim in progress, if any, by a few entries.  (Removing
 * the entry at a position may make the walk skip the one after it: that
 * one waits for the next trim.  A walk that outlives a rehash still ends.) */
static void
flow_memo_trim_some__(void)
{
    for (int i = 0; i < FLOW_MEMO_TRIM_STEP && flow_memo_trimming; i++) {
        struct hmap_node *node = hmap_at_position(&flow_memo,
                                                  &flow_memo_trim_pos);
        struct flow_memo_entry *m;

        if (!node) {
            flow_memo_trimming = false;
            break;
        }
        m = CONTAINER_OF(node, struct flow_memo_entry, node);
        if (m->epoch + 1 < flow_memo_trim_epoch) {
            hmap_remove(&flow_memo, &m->node);
            flow_body_unref(m->body);
            free(m);
        }
    }
}

/* Normalizes 'spec' for 'ofp_version' through the memo, and remembers it
 * there if 'remember': stores in '*entryp' a new entry (caller frees) or
 * returns a malloc'd error. */
static char *
flow_memo_normalize__(uint8_t ofp_version, const char *spec, bool remember,
                      struct flow_entry **entryp)
{
    uint32_t hash = hash_string(spec, ofp_version);
    struct flow_memo_entry *m;
    struct flow_body *b;
    size_t spec_len;
    char *error;

    flow_memo_adds++;
    HMAP_FOR_EACH_WITH_HASH (m, node, hash, &flow_memo) {
        if (m->ofp_version == ofp_version && !strcmp(m->spec, spec)) {
            m->epoch = flow_memo_epoch;
            *entryp = flow_table_entry_create__(flow_body_ref(m->body));
            return NULL;
        }
    }
    error = flow_table_normalize__(ofp_version, spec, &b);
    if (error) {
        *entryp = NULL;
        return error;
    }
    if (!remember) {
        *entryp = flow_table_entry_create__(b);
        return NULL;
    }
    spec_len = strlen(spec);
    m = gn_xmalloc(sizeof *m + spec_len + 1);
    m->ofp_version = ofp_version;
    m->body = b;
    m->epoch = flow_memo_epoch;
    memcpy(m->spec, spec, spec_len + 1);
    hmap_insert(&flow_memo, &m->node, hash);
    *entryp = flow_table_entry_create__(flow_body_ref(b));
    return NULL;
}

struct flow_table *
flow_table_create(uint8_t ofp_version)
{
    struct flow_table *table = gn_xzalloc(sizeof *table);

    hmap_init(&table->entries);
    hmap_init(&table->changes);
    table->ofp_version = ofp_version ? ofp_version : FLOW_TABLE_OF15;
    return table;
}

void
flow_table_destroy(struct flow_table *table)
{
    if (table) {
        struct flow_entry *e;

        HMAP_FOR_EACH_POP (e, node, &table->entries) {
            flow_table_entry_free__(e);
        }
        hmap_destroy(&table->entries);
        flow_table_clear_changes(table);
        hmap_destroy(&table->changes);
        free(table);
    }
}

uint8_t
flow_table_ofp_version(const struct flow_table *table)
{
    return table->ofp_version;
}

size_t
flow_table_count(const struct flow_table *table)
{
    return hmap_count(&table->entries);
}

/* Returns the readable name of 'error', a positive errno value or an
 * enum ofperr, as libopenvswitch's decoders return. */
static const char *
flow_table_strerror__(int error)
{
    return ofperr_is_valid(error) ? ofperr_get_name(error) : strerror(error);
}

/* Parses the flow 'spec' (ovs-ofctl syntax) and puts it through a flow_mod
 * of OpenFlow 'ofp_version' and back, as the switch will see it.  On
 * success returns NULL and a reference to its body in '*bodyp' (the caller
 * drops it with flow_body_unref()); otherwise a malloc'd error naming
 * 'spec'. */
static char *
flow_table_normalize__(uint8_t ofp_version, const char *spec,
                       struct flow_body **bodyp)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(ofp_version);
    struct ofputil_flow_mod fm;
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    enum ofperr ofperr;
    struct match match;
    char *error;
    size_t len;
    void *msg;

    *bodyp = NULL;
    error = flow_codec_encode_flow_mod(spec, FLOW_CODEC_ADD, ofp_version,
                                       &msg, &len);
    if (error) {
        return error;
    }
    ofperr = ofputil_decode_flow_mod(&fm, msg, protocol, NULL, NULL,
                                     &ofpacts, OFPP_MAX, UINT8_MAX);
    free(msg);
    if (ofperr) {
        ofpbuf_uninit(&ofpacts);
        return gn_xasprintf("flow \"%s\" does not decode from its OpenFlow "
                            "version %u encoding: %s", spec, ofp_version,
                            ofperr_get_name(ofperr));
    }

    minimatch_expand(&fm.match, &match);
    *bodyp = flow_body_get(ofp_version, fm.table_id, fm.priority,
                           ntohll(fm.new_cookie), &match, ofpacts.data,
                           fm.ofpacts_len);
    minimatch_destroy(&fm.match);
    ofpbuf_uninit(&ofpacts);
    return NULL;
}

/* Returns the flow as one line of ovs-ofctl syntax.  Caller frees. */
static char *
flow_table_spec__(uint8_t table_id, uint16_t priority, uint64_t cookie,
                  const char *match, const char *actions)
{
    return gn_xasprintf("table=%u,priority=%u,cookie=%#"PRIx64"%s%s "
                        "actions=%s", table_id, priority, cookie,
                        *match ? "," : "", match, *actions ? actions : "drop");
}

char *
flow_table_add(struct flow_table *table, uint8_t table_id, uint16_t priority,
               uint64_t cookie, const char *match, const char *actions)
{
    return flow_table_add_ref(table, table_id, priority, cookie, match,
                              actions, NULL);
}

char *
flow_table_add_ref(struct flow_table *table, uint8_t table_id,
                   uint16_t priority, uint64_t cookie, const char *match,
                   const char *actions, const struct flow_entry **entryp)
{
    char *spec = flow_table_spec__(table_id, priority, cookie, match,
                                   actions);
    const struct flow_entry *old;
    struct flow_entry *e;
    char *error;

    if (entryp) {
        *entryp = NULL;
    }

    if (!table->memo_started) {
        table->memo_started = true;
        table->memo_skip = !hmap_count(&table->entries);
        flow_memo_start_epoch__();
    }
    flow_memo_trim_some__();
    error = flow_memo_normalize__(table->ofp_version, spec,
                                  !table->memo_skip, &e);
    if (!error) {
        old = flow_table_insert__(table, e, false);
        if (old) {
            char *old_s = flow_table_entry_to_string(old);

            error = gn_xasprintf("flow \"%s\" duplicates \"%s\"", spec,
                                 old_s);
            free(old_s);
            flow_table_entry_free__(e);
        } else {
            flow_table_note_change__(table, e);
            if (entryp) {
                *entryp = e;
            }
        }
    }
    free(spec);
    return error;
}

void
flow_table_remove(struct flow_table *table, const struct flow_entry *entry)
{
    struct flow_entry *e = CONST_CAST(struct flow_entry *, entry);

    flow_table_note_change__(table, e);
    hmap_remove(&table->entries, &e->node);
    flow_table_entry_free__(e);
}

void
flow_table_new_epoch(struct flow_table *table)
{
    table->memo_started = false;
}

size_t
flow_table_memo_count(void)
{
    return hmap_count(&flow_memo);
}

size_t
flow_table_body_count(void)
{
    return flow_body_count();
}

void
flow_table_track_changes(struct flow_table *table)
{
    table->tracking = true;
}

size_t
flow_table_n_changes(const struct flow_table *table)
{
    return hmap_count(&table->changes);
}

void
flow_table_clear_changes(struct flow_table *table)
{
    struct flow_key *k;

    HMAP_FOR_EACH_POP (k, node, &table->changes) {
        flow_body_unref(k->body);
        free(k);
    }
}

char *
flow_table_convert(const struct flow_table *table, uint8_t ofp_version,
                   struct flow_table **out)
{
    struct flow_table *new = flow_table_create(ofp_version);
    const struct flow_entry *e;

    HMAP_FOR_EACH (e, node, &table->entries) {
        const struct flow_body *b = e->body;
        struct ds match = DS_EMPTY_INITIALIZER;
        struct ds actions = DS_EMPTY_INITIALIZER;
        char *error;

        flow_body_format(b, &match, &actions);
        error = flow_table_add(new, b->table_id, b->priority, b->cookie,
                               ds_cstr(&match), ds_cstr(&actions));
        ds_destroy(&match);
        ds_destroy(&actions);
        if (error) {
            flow_table_destroy(new);
            *out = NULL;
            return error;
        }
    }
    *out = new;
    return NULL;
}

char *
flow_table_add_stats_reply(struct flow_table *table, const void *msg,
                           size_t len, bool *more)
{
    struct ofpbuf b = ofpbuf_const_initializer(msg, len);
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    char *error = flow_table_check_stats_reply(table->ofp_version, msg, len,
                                               more);

    if (error) {
        return error;
    }

    for (;;) {
        struct ofputil_flow_stats fs;
        int retval;

        retval = ofputil_decode_flow_stats_reply(&fs, &b, false, &ofpacts);
        if (retval == EOF) {
            break;
        } else if (retval) {
            error = gn_xasprintf("bad flow stats reply: %s",
                                 flow_table_strerror__(retval));
            break;
        }

        /* Complete the actions from the match as the switch's flow_mod
         * decoder did (see flows/flow-body.h, "Canonical form"). */
        struct ofpact_check_params cp = {
            .match = &fs.match,
            .max_ports = OFPP_MAX,
            .table_id = fs.table_id,
            .n_tables = UINT8_MAX,
        };
        struct flow_entry *e;

        /* A failure leaves the rest uncompleted: such a flow differs from
         * every desired one and is replaced, as any foreign flow is.  The
         * switch accepted it, so it checked then. */
        ignore(ofpacts_check(ofpacts.data, fs.ofpacts_len, &cp));
        e = flow_table_entry_create__(
            flow_body_get(table->ofp_version, fs.table_id, fs.priority,
                          ntohll(fs.cookie), &fs.match, ofpacts.data,
                          fs.ofpacts_len));
        flow_table_insert__(table, e, true);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

char *
flow_table_entry_to_string(const struct flow_entry *entry)
{
    const struct flow_body *b = entry->body;
    struct ds match = DS_EMPTY_INITIALIZER;
    struct ds actions = DS_EMPTY_INITIALIZER;
    char *s;

    flow_body_format(b, &match, &actions);
    s = flow_table_spec__(b->table_id, b->priority, b->cookie,
                          ds_cstr(&match), ds_cstr(&actions));
    ds_destroy(&match);
    ds_destroy(&actions);
    return s;
}

struct flow_table_cookie_stats *
flow_table_cookie_stats(const struct flow_table *table, size_t *n)
{
    size_t n_entries = hmap_count(&table->entries);
    struct flow_table_cookie_stats *s;
    const struct flow_entry *e;
    size_t i = 0;

    s = gn_xcalloc(n_entries ? n_entries : 1, sizeof *s);
    HMAP_FOR_EACH (e, node, &table->entries) {
        s[i].cookie = e->body->cookie;
        s[i].n_flows = 1;
        i++;
    }
    *n = flow_table_cookie_stats_merge(s, n_entries);
    return s;
}

struct flow_table_mod *
flow_table_diff(const struct flow_table *desired,
                const struct flow_table *installed, size_t *n)
{
    size_t max = hmap_count(&desired->entries)
                 + hmap_count(&installed->entries);
    struct flow_table_mod *mods;
    const struct flow_entry *d, *i;
    size_t k = 0;

    mods = max ? gn_xcalloc(max, sizeof *mods) : NULL;
    HMAP_FOR_EACH (i, node, &installed->entries) {
        if (!flow_table_find__(desired, i->body)) {
            mods[k++] = (struct flow_table_mod) { FLOW_TABLE_MOD_DELETE, i };
        }
    }
    HMAP_FOR_EACH (d, node, &desired->entries) {
        i = flow_table_find__(installed, d->body);
        if (!i || i->body == d->body) {
            continue;
        } else if (i->body->cookie != d->body->cookie) {
            mods[k++] = (struct flow_table_mod) { FLOW_TABLE_MOD_REPLACE, d };
        } else if (!flow_body_same_actions(i->body, d->body)) {
            mods[k++] = (struct flow_table_mod) { FLOW_TABLE_MOD_MODIFY, d };
        }
    }
    HMAP_FOR_EACH (d, node, &desired->entries) {
        if (!flow_table_find__(installed, d->body)) {
            mods[k++] = (struct flow_table_mod) { FLOW_TABLE_MOD_ADD, d };
        }
    }

    if (!k) {
        free(mods);
        mods = NULL;
    }
    *n = k;
    return mods;
}

struct flow_table_mod *
flow_table_diff_changes(const struct flow_table *desired,
                        const struct flow_table *installed, size_t *n)
{
    size_t max = hmap_count(&desired->changes);
    struct flow_table_mod *mods;
    const struct flow_key *k;
    size_t n_del = 0, n_mod = 0, n_add = 0, j;

    /* Three passes over the changed keys, so that the order is the one
     * flow_table_diff() gives: deletions, modifications, additions. */
    mods = max ? gn_xcalloc(3 * max, sizeof *mods) : NULL;
    HMAP_FOR_EACH (k, node, &desired->changes) {
        const struct flow_entry *d = flow_table_find__(desired, k->body);
        const struct flow_entry *i = flow_table_find__(installed, k->body);
        if (i && !d) {
            mods[n_del++] = (struct flow_table_mod) {
                FLOW_TABLE_MOD_DELETE, i };
        } else if (i && d && i->body == d->body) {
            continue;
        } else if (i && i->body->cookie != d->body->cookie) {
            mods[max + n_mod++] = (struct flow_table_mod) {
                FLOW_TABLE_MOD_REPLACE, d };
        } else if (i && !flow_body_same_actions(i->body, d->body)) {
            mods[max + n_mod++] = (struct flow_table_mod) {
                FLOW_TABLE_MOD_MODIFY, d };
        } else if (!i && d) {
            mods[2 * max + n_add++] = (struct flow_table_mod) {
                FLOW_TABLE_MOD_ADD, d };
        }
    }
    for (j = 0; j < n_mod; j++) {
        mods[n_del + j] = mods[max + j];
    }
    for (j = 0; j < n_add; j++) {
        mods[n_del + n_mod + j] = mods[2 * max + j];
    }
    *n = n_del + n_mod + n_add;
    if (!*n) {
        free(mods);
        return NULL;
    }
    return mods;
}

void
flow_table_mods_own(struct flow_table_mod *mods, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        mods[k].entry = flow_table_entry_clone__(mods[k].entry);
    }
}

void
flow_table_mods_free(struct flow_table_mod *mods, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        flow_table_entry_free__(CONST_CAST(struct flow_entry *,
                                           mods[k].entry));
    }
    free(mods);
}

void *
flow_table_mod_encode(const struct flow_table_mod *mod, uint8_t ofp_version,
                      uint32_t xid, size_t *len)
{
    const struct flow_body *b = mod->entry->body;
    bool delete = mod->type == FLOW_TABLE_MOD_DELETE;
    struct ofputil_flow_mod fm = {
        .priority = b->priority,
        .new_cookie = OVS_BE64_MAX,
        .table_id = b->table_id,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .ofpacts = delete ? NULL : CONST_CAST(struct ofpact *,
                                              flow_body_ofpacts(b)),
        .ofpacts_len = delete ? 0 : b->ofpacts_len,
    };
    struct ofp_header *oh;
    struct ofpbuf *buf;
    void *data;

    flow_body_match(b, &fm.match);
    switch (mod->type) {
    case FLOW_TABLE_MOD_DELETE:
        fm.command = OFPFC_DELETE_STRICT;
        break;
    case FLOW_TABLE_MOD_MODIFY:
        fm.command = OFPFC_MODIFY_STRICT;
        break;
    case FLOW_TABLE_MOD_REPLACE:
    case FLOW_TABLE_MOD_ADD:
        fm.command = OFPFC_ADD;
        fm.new_cookie = htonll(b->cookie);
        break;
    }

    buf = ofputil_encode_flow_mod(&fm,
                                  ofputil_protocol_from_ofp_version(
                                      ofp_version));
    ofpmsg_update_length(buf);
    oh = buf->data;
    oh->xid = htonl(xid);
    *len = buf->size;
    data = ofpbuf_steal_data(buf);
    ofpbuf_delete(buf);
    return data;
}

char *
flow_table_mod_to_string(const struct flow_table_mod *mod)
{
    static const char *const names[] = {
        [FLOW_TABLE_MOD_DELETE] = "delete",
        [FLOW_TABLE_MOD_MODIFY] = "modify",
        [FLOW_TABLE_MOD_REPLACE] = "replace",
        [FLOW_TABLE_MOD_ADD] = "add",
    };
    char *flow = flow_table_entry_to_string(mod->entry);
    char *s = gn_xasprintf("%s %s", names[mod->type], flow);

    free(flow);
    return s;
}

void
flow_table_apply(struct flow_table *installed,
                 const struct flow_table_mod *mods, size_t n)
{
    size_t k;

    for (k = 0; k < n; k++) {
        const struct flow_entry *e = mods[k].entry;

        if (mods[k].type == FLOW_TABLE_MOD_DELETE) {
            struct flow_entry *old = flow_table_find__(installed, e->body);
            if (old) {
                hmap_remove(&installed->entries, &old->node);
                flow_table_entry_free__(old);
            }
        } else {
            flow_table_insert__(installed, flow_table_entry_clone__(e), true);
        }
    }
}
