/* test-meter-table.c: meter tables and their difference, without a switch.
 *
 * The switch's side is simulated with libopenvswitch: meter config replies
 * are encoded as ovs-vswitchd encodes them, and the meter_mods that ofctrl
 * would send are decoded as ovs-vswitchd decodes them. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "gn-util.h"
#include "meter-table.h"
#include "openflow/openflow.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "test-util.h"

#define OF13 4
#define OF15 6

#define GN_FLAGS (OFPMF13_PKTPS | OFPMF13_BURST | OFPMF13_STATS)

/* Adds meter 'id' to 't'; must succeed. */
static void
add(struct meter_table *t, uint32_t id, uint32_t pps, uint32_t burst)
{
    char *error = meter_table_add(t, id, pps, burst);

    if (error) {
        fprintf(stderr, "  %s\n", error);
    }
    CHECK(!error);
    free(error);
}

/* A meter as the tests write it. */
struct test_meter {
    uint32_t id;
    uint32_t rate;
    uint32_t burst;
};

/* Returns a new table with the 'n' meters of 'meters', added in order. */
static struct meter_table *
table_of(const struct test_meter *meters, size_t n)
{
    struct meter_table *t = meter_table_create();

    for (size_t i = 0; i < n; i++) {
        add(t, meters[i].id, meters[i].rate, meters[i].burst);
    }
    return t;
}

/* True if 'desired' and 'installed' hold the same meters: no mods, no
 * array of them. */
static bool
tables_equal(const struct meter_table *desired,
             const struct meter_table *installed)
{
    size_t n = 99, before = 99;
    struct meter_table_mod *mods = meter_table_diff(desired, installed, &n,
                                                    &before);
    bool equal = !mods && n == 0 && before == 0;

    free(mods);
    return equal;
}

/* One meter as the switch reports it. */
struct switch_meter {
    uint32_t id;
    uint16_t flags;
    uint16_t band_type;
    uint32_t rate;
    uint32_t burst;
};

/* Feeds 't' the meter config reply that a switch holding the 'n' meters of
 * 'meters' sends in 'version', in parts of at most 'per_part' meters (all
 * but the last flagged OFPSF_REPLY_MORE).  Returns the number of parts. */
static size_t
feed_reply(struct meter_table *t, uint8_t version,
           const struct switch_meter *meters, size_t n, size_t per_part)
{
    size_t req_len, parts = 0, i = 0;
    void *req = meter_table_encode_config_request(version, 42, &req_len);

    do {
        size_t end = n - i > per_part ? i + per_part : n;
        struct ovs_list replies;
        struct ofpbuf *b;
        bool more = false;
        char *error;

        ofpmp_init(&replies, req);
        for (; i < end; i++) {
            struct ofputil_meter_band band = {
                .type = meters[i].band_type,
                .rate = meters[i].rate,
                .burst_size = meters[i].burst,
            };
            struct ofputil_meter_config mc = {
                .meter_id = meters[i].id,
                .flags = meters[i].flags,
                .n_bands = 1,
                .bands = &band,
            };

            ofputil_append_meter_config(&replies, &mc);
        }
        CHECK(ovs_list_size(&replies) == 1);
        b = ofpbuf_from_list(ovs_list_pop_front(&replies));
        ofpmsg_update_length(b);
        if (i < n) {
            /* A multipart reply: the OpenFlow header, then type and flags,
             * 16 bits each. */
            ovs_be16 flags = htons(OFPSF_REPLY_MORE);

            memcpy((char *) b->data + sizeof (struct ofp_header) + 2,
                   &flags, sizeof flags);
        }
        error = meter_table_add_config_reply(t, b->data, b->size, &more);
        if (error) {
            fprintf(stderr, "  %s\n", error);
        }
        CHECK(!error);
        CHECK(more == (i < n));
        free(error);
        ofpbuf_delete(b);
        parts++;
    } while (i < n);
    free(req);
    return parts;
}

/* Returns the meter_mod that 'mod' encodes to, decoded as ovs-vswitchd
 * does, in '*mm' with its band in '*band' (if any).  Returns the command. */
static uint16_t
decode_mod(const struct meter_table_mod *mod, uint8_t version,
           struct ofputil_meter_mod *mm, struct ofputil_meter_band *band)
{
    uint64_t stub[64 / 8];
    struct ofpbuf bands = OFPBUF_STUB_INITIALIZER(stub);
    size_t len;
    void *msg = meter_table_mod_encode(mod, version, 77, &len);
    const struct ofp_header *oh = msg;
    enum ofperr error;

    CHECK(oh->version == version && ntohl(oh->xid) == 77);
    CHECK(ntohs(oh->length) == len);
    error = ofputil_decode_meter_mod(oh, mm, &bands);
    CHECK(!error);
    memset(band, 0, sizeof *band);
    if (!error && mm->meter.n_bands) {
        *band = mm->meter.bands[0];
    }
    ofpbuf_uninit(&bands);
    free(msg);
    return error ? 0xffff : mm->command;
}

static void
test_invalid_meters_rejected(void)
{
    struct meter_table *t = meter_table_create();
    char *error;

    error = meter_table_add(t, 0, 100, 200);
    CHECK(error && strstr(error, "not a meter id"));
    free(error);
    error = meter_table_add(t, METER_TABLE_MAX_ID + 1, 100, 200);
    CHECK(error && strstr(error, "not a meter id"));
    free(error);
    error = meter_table_add(t, 5, 0, 200);
    CHECK(error && strstr(error, "must be positive"));
    free(error);
    error = meter_table_add(t, 5, 100, 0);
    CHECK(error && strstr(error, "must be positive"));
    free(error);
    add(t, 5, 100, 200);
    error = meter_table_add(t, 5, 1, 1);
    CHECK(error && strstr(error, "duplicate"));
    free(error);
    CHECK(meter_table_count(t) == 1);
    CHECK(meter_table_find(t, 5)->rate == 100);
    meter_table_destroy(t);
    meter_table_destroy(NULL);
}

static void
test_equal_tables_have_no_diff(void)
{
    /* Added in different orders: the same set. */
    static const struct test_meter dm[] = {
        { 3, 100, 200 }, { 1, 100, 200 }, { 2, 50, 60 },
    };
    static const struct test_meter im[] = {
        { 2, 50, 60 }, { 3, 100, 200 }, { 1, 100, 200 },
    };
    struct meter_table *d = meter_table_create();
    struct meter_table *i = meter_table_create();

    CHECK(tables_equal(d, i));
    meter_table_destroy(d);
    meter_table_destroy(i);
    d = table_of(dm, GN_ARRAY_SIZE(dm));
    i = table_of(im, GN_ARRAY_SIZE(im));
    CHECK(tables_equal(d, i));
    meter_table_destroy(d);
    meter_table_destroy(i);
}

/* On random tables, added in random order, the diff lists exactly the
 * meters that a lookup in the other table finds missing or different, in
 * order of id within additions-and-modifications and within deletions. */
static void
test_diff_matches_lookups_on_random_tables(void)
{
    srand(7);
    for (int round = 0; round < 20; round++) {
        struct meter_table *d = meter_table_create();
        struct meter_table *i = meter_table_create();
        struct meter_table_mod *mods;
        size_t n, before, expect_before = 0, expect_after = 0;

        for (int k = 0; k < 300; k++) {
            uint32_t id = 1 + rand() % 400;
            struct meter_table *t = rand() % 2 ? d : i;

            if (!meter_table_find(t, id)) {
                add(t, id, 100 + rand() % 2, 200);
            }
        }
        for (uint32_t id = 1; id <= 400; id++) {
            const struct meter_table_meter *dm = meter_table_find(d, id);
            const struct meter_table_meter *im = meter_table_find(i, id);

            expect_before += dm && (!im || im->rate != dm->rate);
            expect_after += im && !dm;
        }
        mods = meter_table_diff(d, i, &n, &before);
        CHECK(before == expect_before && n == expect_before + expect_after);
        for (size_t k = 0; k < n; k++) {
            const struct meter_table_meter *dm = meter_table_find(
                d, mods[k].meter.id);
            const struct meter_table_meter *im = meter_table_find(
                i, mods[k].meter.id);

            CHECK(k == 0 || k == before
                  || mods[k - 1].meter.id < mods[k].meter.id);
            CHECK(mods[k].type == (k >= before ? METER_TABLE_MOD_DELETE
                                   : im ? METER_TABLE_MOD_MODIFY
                                   : METER_TABLE_MOD_ADD));
            CHECK(k >= before ? im && !dm
                  : dm && dm->rate == mods[k].meter.rate);
        }
        meter_table_apply(i, mods, n);
        free(mods);
        CHECK(tables_equal(d, i));
        meter_table_destroy(d);
        meter_table_destroy(i);
    }
}

static void
test_diff_adds_and_modifies_before_deleting(void)
{
    static const struct test_meter dm[] = {
        { 10, 100, 200 },       /* New. */
        { 20, 100, 200 },       /* Unchanged. */
        { 30, 50, 200 },        /* New rate. */
        { 40, 100, 7 },         /* New burst. */
    };
    static const struct test_meter im[] = {
        { 20, 100, 200 },
        { 30, 100, 200 },
        { 40, 100, 200 },
        { 5, 100, 200 },        /* Gone. */
        { 50, 100, 200 },       /* Gone. */
    };
    struct meter_table *d = table_of(dm, GN_ARRAY_SIZE(dm));
    struct meter_table *i = table_of(im, GN_ARRAY_SIZE(im));
    struct meter_table_mod *mods;
    size_t n, before;

    mods = meter_table_diff(d, i, &n, &before);
    CHECK(n == 5 && before == 3);
    if (n == 5) {
        CHECK(mods[0].type == METER_TABLE_MOD_ADD && mods[0].meter.id == 10);
        CHECK(mods[1].type == METER_TABLE_MOD_MODIFY
              && mods[1].meter.id == 30 && mods[1].meter.rate == 50);
        CHECK(mods[2].type == METER_TABLE_MOD_MODIFY
              && mods[2].meter.id == 40 && mods[2].meter.burst == 7);
        CHECK(mods[3].type == METER_TABLE_MOD_DELETE && mods[3].meter.id == 5);
        CHECK(mods[4].type == METER_TABLE_MOD_DELETE
              && mods[4].meter.id == 50);
    }

    /* Once the switch took them, the tables are equal. */
    meter_table_apply(i, mods, n);
    free(mods);
    CHECK(tables_equal(d, i));
    CHECK(meter_table_count(i) == 4);
    CHECK(meter_table_find(i, 30)->rate == 50);
    CHECK(!meter_table_find(i, 5) && !meter_table_find(i, 50));
    meter_table_destroy(d);
    meter_table_destroy(i);
}

static void
test_mods_decode_as_the_switch_sees_them(void)
{
    struct meter_table_mod mod = {
        METER_TABLE_MOD_ADD, { .id = 65537, .rate = 100, .burst = 200 },
    };
    struct ofputil_meter_band band;
    struct ofputil_meter_mod mm;
    uint8_t version;
    char *s;

    for (version = OF13; version <= OF15; version++) {
        mod.type = METER_TABLE_MOD_ADD;
        CHECK(decode_mod(&mod, version, &mm, &band) == OFPMC13_ADD);
        CHECK(mm.meter.meter_id == 65537 && mm.meter.flags == GN_FLAGS);
        CHECK(mm.meter.n_bands == 1 && band.type == OFPMBT13_DROP);
        CHECK(band.rate == 100 && band.burst_size == 200);

        mod.type = METER_TABLE_MOD_MODIFY;
        CHECK(decode_mod(&mod, version, &mm, &band) == OFPMC13_MODIFY);
        CHECK(mm.meter.meter_id == 65537 && band.rate == 100);

        mod.type = METER_TABLE_MOD_DELETE;
        CHECK(decode_mod(&mod, version, &mm, &band) == OFPMC13_DELETE);
        CHECK(mm.meter.meter_id == 65537 && mm.meter.n_bands == 0);
    }

    mod.type = METER_TABLE_MOD_ADD;
    s = meter_table_mod_to_string(&mod);
    CHECK_STREQ(s, "add meter=65537 pktps rate=100 burst_size=200");
    free(s);
    mod.type = METER_TABLE_MOD_DELETE;
    s = meter_table_mod_to_string(&mod);
    CHECK_STREQ(s, "delete meter=65537");
    free(s);
}

static void
test_switch_meters_read_back(void)
{
    static const struct switch_meter sw[] = {
        { 65537, GN_FLAGS, OFPMBT13_DROP, 100, 200 },
        { 65538, GN_FLAGS, OFPMBT13_DROP, 100, 200 },
        /* Someone else's: kbps, and a remark band. */
        { 65539, OFPMF13_KBPS | OFPMF13_BURST, OFPMBT13_DROP, 100, 200 },
        { 65540, GN_FLAGS, OFPMBT13_DSCP_REMARK, 100, 200 },
        { 7, GN_FLAGS, OFPMBT13_DROP, 1, 1 },
    };
    /* The same four meters with guestnet's shape: the two foreign ones are
     * modified, meter 7 deleted. */
    static const struct test_meter want[] = {
        { 65537, 100, 200 }, { 65538, 100, 200 },
        { 65539, 100, 200 }, { 65540, 100, 200 },
    };
    uint8_t version;

    for (version = OF13; version <= OF15; version++) {
        struct meter_table *installed = meter_table_create();
        struct meter_table *desired = table_of(want, GN_ARRAY_SIZE(want));
        struct meter_table_mod *mods;
        size_t n, before;

        CHECK(feed_reply(installed, version, sw, GN_ARRAY_SIZE(sw), 2) == 3);
        CHECK(meter_table_count(installed) == 5);
        CHECK(!meter_table_find(installed, 65537)->foreign);
        CHECK(meter_table_find(installed, 65537)->burst == 200);
        CHECK(meter_table_find(installed, 65539)->foreign);
        CHECK(meter_table_find(installed, 65540)->foreign);

        mods = meter_table_diff(desired, installed, &n, &before);
        CHECK(n == 3 && before == 2);
        if (n == 3) {
            CHECK(mods[0].type == METER_TABLE_MOD_MODIFY
                  && mods[0].meter.id == 65539);
            CHECK(mods[1].type == METER_TABLE_MOD_MODIFY
                  && mods[1].meter.id == 65540);
            CHECK(mods[2].type == METER_TABLE_MOD_DELETE
                  && mods[2].meter.id == 7);
        }
        free(mods);
        meter_table_destroy(installed);
        meter_table_destroy(desired);
    }
}

/* Bandwidth meters: encoded with kbps, read back as guestnet's own, and
 * told apart from a packet rate meter of the same numbers (a change of
 * unit is a modification of the meter in place). */
static void
test_kbps_meters_round_trip(void)
{
    static const struct switch_meter sw[] = {
        { 131073, OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS,
          OFPMBT13_DROP, 50000, 5000 },
        { 131074, GN_FLAGS, OFPMBT13_DROP, 50000, 5000 },
    };
    struct meter_table_mod mod = { METER_TABLE_MOD_ADD, { 0 } };
    struct ofputil_meter_band band;
    struct ofputil_meter_mod mm;
    struct meter_table *installed, *desired;
    struct meter_table_mod *mods;
    size_t n, before;
    char *error, *s;

    desired = meter_table_create();
    error = meter_table_add_kbps(desired, 131073, 0, 5000);
    CHECK(error && strstr(error, "kbps"));
    free(error);
    error = meter_table_add_kbps(desired, 131073, 50000, 5000);
    CHECK(!error);
    error = meter_table_add_kbps(desired, 131074, 50000, 5000);
    CHECK(!error);
    CHECK(meter_table_find(desired, 131073)->kbps);

    mod.meter = *meter_table_find(desired, 131073);
    for (uint8_t version = OF13; version <= OF15; version++) {
        CHECK(decode_mod(&mod, version, &mm, &band) == OFPMC13_ADD);
        CHECK(mm.meter.flags
              == (OFPMF13_KBPS | OFPMF13_BURST | OFPMF13_STATS));
        CHECK(band.rate == 50000 && band.burst_size == 5000);
    }
    s = meter_table_mod_to_string(&mod);
    CHECK_STREQ(s, "add meter=131073 kbps rate=50000 burst_size=5000");
    free(s);

    installed = meter_table_create();
    CHECK(feed_reply(installed, OF15, sw, GN_ARRAY_SIZE(sw), 8) == 1);
    CHECK(!meter_table_find(installed, 131073)->foreign);
    CHECK(meter_table_find(installed, 131073)->kbps);
    CHECK(!meter_table_find(installed, 131074)->kbps);
    mods = meter_table_diff(desired, installed, &n, &before);
    CHECK(n == 1 && before == 1);
    if (n == 1) {
        CHECK(mods[0].type == METER_TABLE_MOD_MODIFY
              && mods[0].meter.id == 131074 && mods[0].meter.kbps);
    }
    free(mods);
    meter_table_destroy(installed);
    meter_table_destroy(desired);
}

static void
test_empty_switch_and_bad_replies(void)
{
    struct meter_table *t = meter_table_create();
    struct meter_table *c;
    size_t len;
    void *req = meter_table_encode_config_request(OF15, 1, &len);
    bool more = true;
    char *error;

    CHECK(feed_reply(t, OF15, NULL, 0, 1) == 1);
    CHECK(meter_table_count(t) == 0);

    /* The request itself is no reply. */
    CHECK(!meter_table_is_config_reply(req, len));
    error = meter_table_add_config_reply(t, req, len, &more);
    CHECK(error && strstr(error, "not a meter config reply") && !more);
    free(error);
    error = meter_table_add_config_reply(t, req, 3, &more);
    CHECK(error != NULL);
    free(error);
    free(req);

    add(t, 9, 1, 2);
    c = meter_table_clone(t);
    CHECK(meter_table_count(c) == 1 && meter_table_find(c, 9)->burst == 2);
    meter_table_destroy(c);
    meter_table_destroy(t);
}

int
main(void)
{
    TEST_RUN("meter-table/invalid-meters-rejected",
             test_invalid_meters_rejected);
    TEST_RUN("meter-table/equal-tables-have-no-diff",
             test_equal_tables_have_no_diff);
    TEST_RUN("meter-table/diff-matches-lookups-on-random-tables",
             test_diff_matches_lookups_on_random_tables);
    TEST_RUN("meter-table/diff-adds-and-modifies-before-deleting",
             test_diff_adds_and_modifies_before_deleting);
    TEST_RUN("meter-table/mods-decode-as-the-switch-sees-them",
             test_mods_decode_as_the_switch_sees_them);
    TEST_RUN("meter-table/switch-meters-read-back",
             test_switch_meters_read_back);
    TEST_RUN("meter-table/kbps-meters-round-trip",
             test_kbps_meters_round_trip);
    TEST_RUN("meter-table/empty-switch-and-bad-replies",
             test_empty_switch_and_bad_replies);
    return test_done();
}
