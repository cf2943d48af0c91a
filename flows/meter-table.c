/* meter-table.c: sets of OpenFlow meters and their difference (see
 * include/meter-table.h).  libopenvswitch encodes and decodes the
 * messages. */
#include <config.h>

#include "meter-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "openflow/openflow.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"

/* The flags of guestnet's packet rate and bandwidth meters. */
#define METER_TABLE_FLAGS (OFPMF13_PKTPS | OFPMF13_BURST | OFPMF13_STATS)
#define METER_TABLE_KBPS_FLAGS (OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS)

struct meter_table {
    struct meter_table_meter *meters;   /* Sorted by id. */
    size_t n;
    size_t allocated;
};

struct meter_table *
meter_table_create(void)
{
    return gn_xzalloc(sizeof (struct meter_table));
}

void
meter_table_destroy(struct meter_table *t)
{
    if (t) {
        free(t->meters);
        free(t);
    }
}

struct meter_table *
meter_table_clone(const struct meter_table *t)
{
    struct meter_table *c = meter_table_create();

    if (t->n) {
        c->meters = gn_xcalloc(t->n, sizeof *c->meters);
        memcpy(c->meters, t->meters, t->n * sizeof *c->meters);
        c->n = c->allocated = t->n;
    }
    return c;
}

size_t
meter_table_count(const struct meter_table *t)
{
    return t->n;
}

/* Returns the index of the first meter of 't' whose id is 'id' or more. */
static size_t
meter_table_lower_bound__(const struct meter_table *t, uint32_t id)
{
    size_t lo = 0, hi = t->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->meters[mid].id < id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

const struct meter_table_meter *
meter_table_find(const struct meter_table *t, uint32_t id)
{
    size_t i = meter_table_lower_bound__(t, id);

    return i < t->n && t->meters[i].id == id ? &t->meters[i] : NULL;
}

/* Inserts 'm' into 't', replacing a meter with its id. */
static void
meter_table_insert__(struct meter_table *t, const struct meter_table_meter *m)
{
    /* Meters added in order of id go at the end, without a search. */
    size_t i = (!t->n || t->meters[t->n - 1].id < m->id ? t->n
                : meter_table_lower_bound__(t, m->id));

    if (i < t->n && t->meters[i].id == m->id) {
        t->meters[i] = *m;
        return;
    }
    if (t->n == t->allocated) {
        t->allocated = t->allocated ? 2 * t->allocated : 16;
        t->meters = gn_xrealloc(t->meters,
                                t->allocated * sizeof *t->meters);
    }
    memmove(&t->meters[i + 1], &t->meters[i],
            (t->n - i) * sizeof *t->meters);
    t->meters[i] = *m;
    t->n++;
}

void
meter_table_remove(struct meter_table *t, uint32_t id)
{
    size_t i = meter_table_lower_bound__(t, id);

    if (i < t->n && t->meters[i].id == id) {
        memmove(&t->meters[i], &t->meters[i + 1],
                (t->n - i - 1) * sizeof *t->meters);
        t->n--;
    }
}

/* Adds the meter 'id' of 'rate' and 'burst', in kbit if 'kbps', else in
 * packets, to 't' (see meter_table_add()). */
static char *
meter_table_add__(struct meter_table *t, uint32_t id, bool kbps,
                  uint32_t rate, uint32_t burst)
{
    struct meter_table_meter m = {
        .id = id, .rate = rate, .burst = burst, .kbps = kbps,
        .foreign = false,
    };

    if (!id || id > METER_TABLE_MAX_ID) {
        return gn_xasprintf("meter %u: not a meter id (1-%u)", id,
                            METER_TABLE_MAX_ID);
    }
    if (!rate || !burst) {
        return gn_xasprintf("meter %u: rate %u %s, burst %u: both must "
                            "be positive", id, rate, kbps ? "kbps" : "pktps",
                            burst);
    }
    if (meter_table_find(t, id)) {
        return gn_xasprintf("meter %u: duplicate meter id", id);
    }
    meter_table_insert__(t, &m);
    return NULL;
}

char *
meter_table_add(struct meter_table *t, uint32_t id, uint32_t pps,
                uint32_t burst)
{
    return meter_table_add__(t, id, false, pps, burst);
}

char *
meter_table_add_kbps(struct meter_table *t, uint32_t id, uint32_t kbps,
                     uint32_t burst)
{
    return meter_table_add__(t, id, true, kbps, burst);
}

void *
meter_table_encode_config_request(uint8_t ofp_version, uint32_t xid,
                                  size_t *len)
{
    struct ofpbuf *b = ofputil_encode_meter_request(ofp_version,
                                                    OFPUTIL_METER_CONFIG,
                                                    OFPM13_ALL);
    void *msg;

    ((struct ofp_header *) b->data)->xid = htonl(xid);
    ofpmsg_update_length(b);
    *len = b->size;
    msg = ofpbuf_steal_data(b);
    ofpbuf_delete(b);
    return msg;
}

bool
meter_table_is_config_reply(const void *msg, size_t len)
{
    const struct ofp_header *oh = msg;
    enum ofptype type;

    return (len >= sizeof *oh && ntohs(oh->length) == len
            && !ofptype_decode(&type, oh)
            && type == OFPTYPE_METER_CONFIG_STATS_REPLY);
}

char *
meter_table_add_config_reply(struct meter_table *t, const void *msg,
                             size_t len, bool *more)
{
    struct ofpbuf b = ofpbuf_const_initializer(msg, len);
    uint64_t stub[256 / 8];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(stub);
    char *error = NULL;

    *more = false;
    if (!meter_table_is_config_reply(msg, len)) {
        return gn_xstrdup("not a meter config reply");
    }
    *more = ofpmp_more(msg);

    for (;;) {
        struct ofputil_meter_config mc;
        struct meter_table_meter m;
        int retval;

        retval = ofputil_decode_meter_config(&b, &mc, &bands);
        if (retval == EOF) {
            break;
        } else if (retval) {
            error = gn_xasprintf("bad meter config reply: %s",
                                 ofperr_is_valid(retval)
                                 ? ofperr_get_name(retval)
                                 : strerror(retval));
            break;
        }
        m.id = mc.meter_id;
        if ((mc.flags == METER_TABLE_FLAGS
             || mc.flags == METER_TABLE_KBPS_FLAGS) && mc.n_bands == 1
            && mc.bands[0].type == OFPMBT13_DROP
            && mc.bands[0].rate && mc.bands[0].burst_size) {
            m.rate = mc.bands[0].rate;
            m.burst = mc.bands[0].burst_size;
            m.kbps = mc.flags == METER_TABLE_KBPS_FLAGS;
            m.foreign = false;
        } else {
            m.rate = m.burst = 0;
            m.kbps = false;
            m.foreign = true;
        }
        meter_table_insert__(t, &m);
    }
    ofpbuf_uninit(&bands);
    return error;
}

/* Returns true if the installed meter 'i' is the desired meter 'd'. */
static bool
meter_table_same__(const struct meter_table_meter *d,
                   const struct meter_table_meter *i)
{
    return (!i->foreign && !d->foreign && d->rate == i->rate
            && d->burst == i->burst && d->kbps == i->kbps);
}

struct meter_table_mod *
meter_table_diff(const struct meter_table *desired,
                 const struct meter_table *installed, size_t *n,
                 size_t *n_before)
{
    struct meter_table_mod *mods = NULL;
    size_t n_mods = 0;
    size_t d, i;

    /* Every meter can be one change at most. */
    if (desired->n + installed->n) {
        mods = gn_xcalloc(desired->n + installed->n, sizeof *mods);
    }
    /* Both are sorted by id: one walk through them side by side. */
    for (d = i = 0; d < desired->n; d++) {
        const struct meter_table_meter *dm = &desired->meters[d];

        while (i < installed->n && installed->meters[i].id < dm->id) {
            i++;
        }
        if (i == installed->n || installed->meters[i].id != dm->id) {
            mods[n_mods++] = (struct meter_table_mod) {
                METER_TABLE_MOD_ADD, *dm,
            };
        } else if (!meter_table_same__(dm, &installed->meters[i])) {
            mods[n_mods++] = (struct meter_table_mod) {
                METER_TABLE_MOD_MODIFY, *dm,
            };
        }
    }
    *n_before = n_mods;
    for (i = d = 0; i < installed->n; i++) {
        const struct meter_table_meter *im = &installed->meters[i];

        while (d < desired->n && desired->meters[d].id < im->id) {
            d++;
        }
        if (d == desired->n || desired->meters[d].id != im->id) {
            mods[n_mods++] = (struct meter_table_mod) {
                METER_TABLE_MOD_DELETE, *im,
            };
        }
    }
    *n = n_mods;
    if (!n_mods) {
        free(mods);
        mods = NULL;
    }
    return mods;
}

void *
meter_table_mod_encode(const struct meter_table_mod *mod,
                       uint8_t ofp_version, uint32_t xid, size_t *len)
{
    struct ofputil_meter_band band = {
        .type = OFPMBT13_DROP,
        .rate = mod->meter.rate,
        .burst_size = mod->meter.burst,
    };
    struct ofputil_meter_mod mm = {
        .meter = {
            .meter_id = mod->meter.id,
            .flags = (mod->meter.kbps ? METER_TABLE_KBPS_FLAGS
                      : METER_TABLE_FLAGS),
            .n_bands = 1,
            .bands = &band,
        },
    };
    struct ofpbuf *b;
    void *msg;

    switch (mod->type) {
    case METER_TABLE_MOD_ADD:
        mm.command = OFPMC13_ADD;
        break;
    case METER_TABLE_MOD_MODIFY:
        mm.command = OFPMC13_MODIFY;
        break;
    case METER_TABLE_MOD_DELETE:
    default:
        mm.command = OFPMC13_DELETE;
        mm.meter.flags = 0;
        mm.meter.n_bands = 0;
        mm.meter.bands = NULL;
        break;
    }
    b = ofputil_encode_meter_mod(ofp_version, &mm);
    ((struct ofp_header *) b->data)->xid = htonl(xid);
    ofpmsg_update_length(b);
    *len = b->size;
    msg = ofpbuf_steal_data(b);
    ofpbuf_delete(b);
    return msg;
}

char *
meter_table_mod_to_string(const struct meter_table_mod *mod)
{
    const struct meter_table_meter *m = &mod->meter;

    switch (mod->type) {
    case METER_TABLE_MOD_ADD:
    case METER_TABLE_MOD_MODIFY:
        return gn_xasprintf("%s meter=%u %s rate=%u burst_size=%u",
                            mod->type == METER_TABLE_MOD_ADD ? "add"
                                                             : "modify",
                            m->id, m->kbps ? "kbps" : "pktps", m->rate,
                            m->burst);
    case METER_TABLE_MOD_DELETE:
    default:
        return gn_xasprintf("delete meter=%u", m->id);
    }
}

void
meter_table_apply(struct meter_table *installed,
                  const struct meter_table_mod *mods, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if (mods[i].type == METER_TABLE_MOD_DELETE) {
            meter_table_remove(installed, mods[i].meter.id);
        } else {
            meter_table_insert__(installed, &mods[i].meter);
        }
    }
}
