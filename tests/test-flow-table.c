/* test-flow-table.c: flow tables and their difference, without a switch.
 *
 * The switch's side is simulated by encoding flow stats replies with
 * libopenvswitch, so the decoding path that ofctrl uses on a real
 * connection is fed the same bytes. */
#include <config.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "flow-table.h"
#include "gn-util.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "test-util.h"

/* A flow as the tests write it. */
struct test_flow {
    uint8_t table_id;
    uint16_t priority;
    uint64_t cookie;
    const char *match;
    const char *actions;
};

/* Adds the 'n' flows of 'flows' to 'table'; each must succeed. */
static void
test_add_flows(struct flow_table *table, const struct test_flow *flows,
               size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        char *error = flow_table_add(table, flows[i].table_id,
                                     flows[i].priority, flows[i].cookie,
                                     flows[i].match, flows[i].actions);
        if (error) {
            fprintf(stderr, "%s\n", error);
        }
        CHECK(!error);
        free(error);
    }
}

/* Adds the 'n' flows of 'flows' to 'table' with flow_table_add_ref(),
 * storing their entries in 'refs'; each must succeed. */
static void
test_add_flow_refs(struct flow_table *table, const struct test_flow *flows,
                   size_t n, const struct flow_entry **refs)
{
    for (size_t i = 0; i < n; i++) {
        char *error = flow_table_add_ref(table, flows[i].table_id,
                                         flows[i].priority, flows[i].cookie,
                                         flows[i].match, flows[i].actions,
                                         &refs[i]);

        CHECK(!error && refs[i]);
        free(error);
    }
}

/* Returns a new table for 'version' holding the 'n' flows of 'flows'. */
static struct flow_table *
test_table_of(uint8_t version, const struct test_flow *flows, size_t n)
{
    struct flow_table *t = flow_table_create(version);

    test_add_flows(t, flows, n);
    return t;
}

/* Returns the number of mods that bring 'installed' to 'desired', checking
 * that they come in an array exactly when there are some; prints the
 * first, for the log. */
static size_t
test_n_mods(const struct flow_table *desired,
            const struct flow_table *installed)
{
    size_t n = SIZE_MAX;        /* Not left so by flow_table_diff(). */
    struct flow_table_mod *mods = flow_table_diff(desired, installed, &n);

    CHECK(n ? mods != NULL : mods == NULL);
    if (n && mods) {
        char *s = flow_table_mod_to_string(&mods[0]);

        fprintf(stderr, "  first of %zu mods: %s\n", n, s);
        free(s);
    }
    free(mods);
    return n;
}

/* The installed flows the diff tests start from: one flow in table 0 for
 * each of ports 1 to 4 (whose changes the tests' desired tables make:
 * port 1's is unchanged, port 2's gets new actions, port 3's a new cookie,
 * port 4's goes). */
static const struct test_flow four_ports[] = {
    { 0, 100, 1, "in_port=1", "output:2" },
    { 0, 100, 1, "in_port=2", "output:1" },
    { 0, 100, 1, "in_port=3", "output:1" },
    { 0, 100, 1, "in_port=4", "output:1" },
};

/* The ten kinds of flow per port that test_generated_table() makes, as
 * guestnet's pipeline makes them.  In 'match' and 'actions', "$P" stands
 * for the port number, "$X" for it in hex, "$M" for the port's MAC, "$I"
 * for its IPv4 address and "$V" for its VLAN (see expand()). */
static const struct test_flow flow_kinds[] = {
    { 0, 100, 0, "in_port=$P,dl_src=$M", "resubmit(,1)" },
    { 0, 90, 0, "in_port=$P", "" },
    { 1, 100, 0, "in_port=$P,ip,nw_src=$I", "resubmit(,2)" },
    { 1, 100, 0, "arp,in_port=$P,arp_spa=$I", "resubmit(,2)" },
    { 2, 100, 0, "dl_vlan=$V,dl_dst=$M", "strip_vlan,output:$P" },
    { 2, 100, 0, "tcp,nw_dst=$I,tp_dst=80", "mod_vlan_vid:$V,output:$P" },
    { 1, 100, 0, "ipv6,in_port=$P,ipv6_src=fd00::$X", "resubmit(,2)" },
    { 2, 100, 0, "reg0=0x5,in_port=$P",
      "load:0x1->NXM_NX_REG1[],resubmit(,3)" },
    { 1, 100, 0, "udp,in_port=$P,tp_src=68,tp_dst=67",
      "controller,resubmit(,2)" },
    { 1, 50, 0, "icmp,in_port=$P,nw_dst=10.0.0.1", "output:LOCAL" },
};

/* Appends 'template' (from 'flow_kinds') to 'buf' with its "$" names
 * replaced by the values for 'port'. */
static void
expand(struct gn_buf *buf, const char *template, unsigned int port)
{
    unsigned int hi = port >> 8, lo = port & 0xff;

    for (const char *p = template; *p; p++) {
        if (*p != '$') {
            gn_buf_put(buf, p, 1);
            continue;
        }
        switch (*++p) {
        case 'P':
            gn_buf_printf(buf, "%u", port);
            break;
        case 'X':
            gn_buf_printf(buf, "%x", port);
            break;
        case 'M':
            gn_buf_printf(buf, "02:00:00:00:%02x:%02x", hi, lo);
            break;
        case 'I':
            gn_buf_printf(buf, "10.%u.%u.1", hi, lo);
            break;
        case 'V':
            gn_buf_printf(buf, "%u", port % 4000 + 1);
            break;
        }
    }
}

/* Returns a new table for 'version' with flow i of 'n' generated from 'i':
 * the kinds of 'flow_kinds' for ports 1, 2, ..., with cookie 'cookie_base'
 * plus the port number. */
static void test_add_generated(struct flow_table *, size_t n,
                               uint64_t cookie_base);

static struct flow_table *
test_generated_table(uint8_t version, size_t n, uint64_t cookie_base)
{
    struct flow_table *t = flow_table_create(version);

    test_add_generated(t, n, cookie_base);
    return t;
}

/* Adds to 't' the flows of test_generated_table(). */
static void
test_add_generated(struct flow_table *t, size_t n, uint64_t cookie_base)
{
    size_t n_kinds = GN_ARRAY_SIZE(flow_kinds);

    for (size_t i = 0; i < n; i++) {
        const struct test_flow *kind = &flow_kinds[i % n_kinds];
        unsigned int port = i / n_kinds + 1;
        struct gn_buf match = GN_BUF_INIT, actions = GN_BUF_INIT;
        struct test_flow flow;

        expand(&match, kind->match, port);
        expand(&actions, kind->actions, port);
        flow = (struct test_flow) {
            kind->table_id, kind->priority, cookie_base + port,
            gn_buf_cstr(&match), gn_buf_cstr(&actions),
        };
        test_add_flows(t, &flow, 1);
        gn_buf_destroy(&match);
        gn_buf_destroy(&actions);
    }
}

/* Stores in '*fm' (with its actions in 'ofpacts') flow 'spec' (ovs-ofctl
 * syntax) as a switch holds it: sent as a flow_mod of 'protocol' and
 * decoded with the switch's checks into a buffer whose bytes were not
 * zero, as a switch's may be.  Returns true on success; the caller then
 * destroys fm->match. */
static bool
test_switch_decode(const char *spec, enum ofputil_protocol protocol,
                   struct ofputil_flow_mod *fm, struct ofpbuf *ofpacts)
{
    struct ofputil_flow_mod sent;
    enum ofputil_protocol usable;
    char *error = parse_ofp_flow_mod_str(&sent, spec, NULL, NULL, OFPFC_ADD,
                                         &usable);
    struct ofpbuf *msg;
    enum ofperr err;

    CHECK(!error);
    if (error) {
        free(error);
        return false;
    }
    msg = ofputil_encode_flow_mod(&sent, protocol);
    minimatch_destroy(&sent.match);
    free(sent.ofpacts);
    memset(ofpacts->base, 0xa5, ofpacts->allocated);
    err = ofputil_decode_flow_mod(fm, msg->data, protocol, NULL, NULL,
                                  ofpacts, OFPP_MAX, UINT8_MAX);
    ofpbuf_delete(msg);
    CHECK(!err);
    return !err;
}

/* Stores in 'replies' the messages of the flow stats reply that a switch
 * holding the flows of 'flows' (ovs-ofctl syntax, one per element) would
 * send in OpenFlow 'version', with 'packets' packets and 100 bytes a packet
 * counted on each.  The caller frees them with ofpbuf_list_delete(). */
static void
test_switch_reply(struct ovs_list *replies, uint8_t version, char **flows,
                  size_t n, uint64_t packets)
{
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(version);
    struct ofputil_flow_stats_request fsr = {
        .out_port = OFPP_ANY, .out_group = OFPG_ANY, .table_id = 0xff,
    };
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    struct ofpbuf *request, *reply;
    size_t i;

    match_init_catchall(&fsr.match);
    request = ofputil_encode_flow_stats_request(&fsr, protocol);
    ofpmp_init(replies, request->data);
    for (i = 0; i < n; i++) {
        struct ofputil_flow_mod fm;

        if (!test_switch_decode(flows[i], protocol, &fm, &ofpacts)) {
            continue;
        }

        struct ofputil_flow_stats fs = {
            .cookie = fm.new_cookie,
            .table_id = fm.table_id,
            .priority = fm.priority,
            .idle_age = -1,
            .hard_age = -1,
            .packet_count = packets,
            .byte_count = packets * 100,
            .ofpacts = fm.ofpacts,
            .ofpacts_len = fm.ofpacts_len,
        };
        minimatch_expand(&fm.match, &fs.match);
        ofputil_append_flow_stats_reply(&fs, replies, NULL);
        minimatch_destroy(&fm.match);
    }
    ofpbuf_uninit(&ofpacts);
    LIST_FOR_EACH (reply, list_node, replies) {
        ofpmsg_update_length(reply);     /* As the switch does on sending. */
    }
    ofpbuf_delete(request);
}

/* Feeds 'installed' the flow stats reply of test_switch_reply().  Returns
 * the number of reply messages. */
static size_t
test_feed_switch_reply(struct flow_table *installed, char **flows, size_t n,
                       uint64_t packets)
{
    struct ovs_list replies;
    struct ofpbuf *reply;
    size_t n_msgs = 0;

    test_switch_reply(&replies, flow_table_ofp_version(installed), flows, n,
                      packets);
    LIST_FOR_EACH (reply, list_node, &replies) {
        bool more = true;
        char *error;

        error = flow_table_add_stats_reply(installed, reply->data,
                                           reply->size, &more);
        if (error) {
            fprintf(stderr, "%s\n", error);
        }
        CHECK(!error);
        free(error);
        CHECK(more == (reply->list_node.next != &replies));
        n_msgs++;
    }
    ofpbuf_list_delete(&replies);
    return n_msgs;
}

/* Returns the flows of 'table' in ovs-ofctl syntax (caller frees each and
 * the array) and stores their number in '*n'.  The switch's view of a
 * table is simulated from them. */
static char **
test_table_lines(const struct flow_table *table, size_t *n)
{
    struct flow_table *empty = flow_table_create(flow_table_ofp_version(
                                                     table));
    struct flow_table_mod *mods = flow_table_diff(table, empty, n);
    char **lines = gn_xcalloc(*n ? *n : 1, sizeof *lines);
    size_t i;

    for (i = 0; i < *n; i++) {
        lines[i] = flow_table_entry_to_string(mods[i].entry);
    }
    free(mods);
    flow_table_destroy(empty);
    return lines;
}

/* Frees what test_table_lines() returned. */
static void
test_free_lines(char **lines, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(lines[i]);
    }
    free(lines);
}

/* Counts the mods of 'type' in 'mods'. */
static size_t
test_count_mods(const struct flow_table_mod *mods, size_t n,
                enum flow_table_mod_type type)
{
    size_t i, count = 0;

    for (i = 0; i < n; i++) {
        count += mods[i].type == type;
    }
    return count;
}

static void
test_spellings_compare_equal(void)
{
    static const struct test_flow a[] = {
        { 0, 100, 1, "in_port=1,ip", "output:2" },
        { 0, 90, 1, "in_port=1", "" },
        { 2, 10, 1, "dl_vlan=10", "strip_vlan,output:2" },
        { 1, 10, 1, "tcp,tp_dst=80,nw_dst=10.0.0.0/255.255.255.0",
          "resubmit(,2)" },
    };
    static const struct test_flow b[] = {
        { 0, 100, 1, "ip,in_port=1", "output:2" },
        { 0, 90, 1, "in_port=1", "drop" },
        { 2, 10, 1, "vlan_tci=0x100a/0x1fff", "pop_vlan,output:2" },
        { 1, 10, 1, "nw_dst=10.0.0.0/24,tcp,tp_dst=80", "resubmit(,2)" },
    };
    struct flow_table *ta = test_table_of(0, a, GN_ARRAY_SIZE(a));
    struct flow_table *tb = test_table_of(0, b, GN_ARRAY_SIZE(b));

    CHECK(flow_table_count(ta) == 4);
    CHECK(test_n_mods(ta, tb) == 0);
    flow_table_destroy(ta);
    flow_table_destroy(tb);
}

static void
test_duplicate_key_rejected(void)
{
    struct flow_table *t = flow_table_create(0);
    char *error;

    error = flow_table_add(t, 0, 100, 1, "in_port=1,ip", "output:2");
    CHECK(!error);
    free(error);
    error = flow_table_add(t, 0, 100, 2, "ip,in_port=1", "drop");
    CHECK(error && strstr(error, "duplicates"));
    CHECK(error && strstr(error, "in_port=1"));
    free(error);
    CHECK(flow_table_count(t) == 1);
    flow_table_destroy(t);
}

static void
test_bad_flow_named_in_error(void)
{
    struct flow_table *t = flow_table_create(0);
    char *error;

    error = flow_table_add(t, 0, 100, 1, "in_port=1,bogus_field=3",
                           "output:2");
    CHECK(error && strstr(error, "bogus_field=3"));
    free(error);
    error = flow_table_add(t, 0, 100, 1, "in_port=1", "no_such_action:7");
    CHECK(error && strstr(error, "no_such_action"));
    free(error);
    CHECK(flow_table_count(t) == 0);
    flow_table_destroy(t);
}

static void
test_diff_adds_modifies_replaces_deletes(void)
{
    static const struct test_flow other_table[] = {
        { 1, 100, 1, "in_port=4", "output:1" },    /* Kept. */
    };
    static const struct test_flow want[] = {
        { 0, 100, 1, "in_port=1", "output:2" },
        { 0, 100, 1, "in_port=2", "output:3" },
        { 0, 100, 9, "in_port=3", "output:1" },
        { 1, 100, 1, "in_port=4", "output:1" },
        { 0, 200, 1, "in_port=1", "drop" },        /* Other priority: new. */
    };
    struct flow_table *installed = test_table_of(0, four_ports,
                                                 GN_ARRAY_SIZE(four_ports));
    struct flow_table *desired = test_table_of(0, want, GN_ARRAY_SIZE(want));
    struct flow_table_mod *mods;
    size_t i, n;

    test_add_flows(installed, other_table, GN_ARRAY_SIZE(other_table));
    mods = flow_table_diff(desired, installed, &n);
    CHECK(n == 4);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_DELETE) == 1);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_MODIFY) == 1);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_REPLACE) == 1);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_ADD) == 1);
    for (i = 1; i < n; i++) {
        /* Deletions, then changes, then additions. */
        CHECK(mods[i - 1].type <= mods[i].type
              || (mods[i - 1].type == FLOW_TABLE_MOD_REPLACE
                  && mods[i].type == FLOW_TABLE_MOD_MODIFY));
    }
    for (i = 0; i < n; i++) {
        char *s = flow_table_mod_to_string(&mods[i]);

        switch (mods[i].type) {
        case FLOW_TABLE_MOD_DELETE:
            CHECK_STREQ(s, "delete table=0,priority=100,cookie=0x1,"
                        "in_port=4 actions=output:1");
            break;
        case FLOW_TABLE_MOD_MODIFY:
            CHECK_STREQ(s, "modify table=0,priority=100,cookie=0x1,"
                        "in_port=2 actions=output:3");
            break;
        case FLOW_TABLE_MOD_REPLACE:
            CHECK_STREQ(s, "replace table=0,priority=100,cookie=0x9,"
                        "in_port=3 actions=output:1");
            break;
        case FLOW_TABLE_MOD_ADD:
            CHECK_STREQ(s, "add table=0,priority=200,cookie=0x1,"
                        "in_port=1 actions=drop");
            break;
        }
        free(s);
    }

    flow_table_apply(installed, mods, n);
    free(mods);
    CHECK(flow_table_count(installed) == 5);
    CHECK(test_n_mods(desired, installed) == 0);
    flow_table_destroy(installed);
    flow_table_destroy(desired);
}

static void
test_mods_encode_right_commands(void)
{
    static const struct test_flow want[] = {
        { 0, 100, 1, "in_port=1", "output:2" },
        { 0, 100, 1, "in_port=2", "output:3" },
        { 0, 100, 0xabc, "in_port=3", "output:1" },
        { 3, 7, 5, "in_port=5", "output:1" },
    };
    struct flow_table *installed = test_table_of(FLOW_TABLE_OF14, four_ports,
                                                 GN_ARRAY_SIZE(four_ports));
    struct flow_table *desired = test_table_of(FLOW_TABLE_OF14, want,
                                               GN_ARRAY_SIZE(want));
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(FLOW_TABLE_OF14);
    struct flow_table_mod *mods;
    size_t i, n;

    mods = flow_table_diff(desired, installed, &n);
    CHECK(n == 4);
    for (i = 0; i < n; i++) {
        uint64_t stub[128];
        struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
        struct ofputil_flow_mod fm;
        const struct ofp_header *oh;
        size_t len;
        void *msg;

        msg = flow_table_mod_encode(&mods[i], FLOW_TABLE_OF14, 1000 + i,
                                    &len);
        oh = msg;
        CHECK(oh->version == FLOW_TABLE_OF14);
        CHECK(ntohl(oh->xid) == 1000 + i);
        CHECK(ntohs(oh->length) == len);
        CHECK(!ofputil_decode_flow_mod(&fm, oh, protocol, NULL, NULL,
                                       &ofpacts, OFPP_MAX, 255));
        switch (mods[i].type) {
        case FLOW_TABLE_MOD_DELETE:
            CHECK(fm.command == OFPFC_DELETE_STRICT);
            CHECK(fm.priority == 100);
            CHECK(fm.ofpacts_len == 0);
            break;
        case FLOW_TABLE_MOD_MODIFY:
            CHECK(fm.command == OFPFC_MODIFY_STRICT);
            CHECK(fm.ofpacts_len > 0);
            break;
        case FLOW_TABLE_MOD_REPLACE:
            /* A cookie changes only through OFPFC_ADD over the flow. */
            CHECK(fm.command == OFPFC_ADD);
            CHECK(ntohll(fm.new_cookie) == 0xabc);
            break;
        case FLOW_TABLE_MOD_ADD:
            CHECK(fm.command == OFPFC_ADD);
            CHECK(fm.table_id == 3);
            CHECK(fm.priority == 7);
            CHECK(ntohll(fm.new_cookie) == 5);
            break;
        }
        minimatch_destroy(&fm.match);
        ofpbuf_uninit(&ofpacts);
        free(msg);
    }
    free(mods);
    flow_table_destroy(installed);
    flow_table_destroy(desired);
}

static void
test_nothing_changed_no_mods(void)
{
    struct flow_table *a = test_generated_table(0, 1000, 0x100);
    struct flow_table *b = test_generated_table(0, 1000, 0x100);

    CHECK(flow_table_count(a) == 1000);
    CHECK(test_n_mods(a, b) == 0);
    flow_table_destroy(a);
    flow_table_destroy(b);
}

static void
test_one_port_added_only_its_flows(void)
{
    struct flow_table *installed = test_generated_table(0, 1000, 0x100);
    struct flow_table *desired = test_generated_table(0, 1010, 0x100);
    struct flow_table_mod *mods;
    size_t n;

    mods = flow_table_diff(desired, installed, &n);
    CHECK(n == 10);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_ADD) == 10);
    free(mods);

    mods = flow_table_diff(installed, desired, &n);
    CHECK(n == 10);
    CHECK(test_count_mods(mods, n, FLOW_TABLE_MOD_DELETE) == 10);
    free(mods);
    flow_table_destroy(installed);
    flow_table_destroy(desired);
}

/* The switch's flow stats reply, decoded, compares equal to the desired
 * table it was made from, for every OpenFlow version guestnet speaks. */
static void
test_switch_dump_matches_desired(void)
{
    uint8_t v;

    for (v = FLOW_TABLE_OF13; v <= FLOW_TABLE_OF15; v++) {
        struct flow_table *desired = test_generated_table(v, 2000, 0x100);
        struct flow_table *installed = flow_table_create(v);
        size_t n_lines, n_msgs;
        char **lines;

        lines = test_table_lines(desired, &n_lines);
        CHECK(n_lines == 2000);
        n_msgs = test_feed_switch_reply(installed, lines, n_lines, 3);
        CHECK(n_msgs > 1);          /* A multipart reply. */
        CHECK(flow_table_count(installed) == 2000);
        CHECK(test_n_mods(desired, installed) == 0);
        test_free_lines(lines, n_lines);
        flow_table_destroy(desired);
        flow_table_destroy(installed);
    }
}

/* A flow normalized from its text, the same flow read back from the
 * switch and the same flow copied into an installed table by
 * flow_table_apply() are one body in memory, each table counting it. */
static void
test_equal_flows_share_one_body(void)
{
    size_t before = flow_table_body_count();
    struct flow_table *desired = test_generated_table(OFP15_VERSION, 1000,
                                                      0x7700000);
    struct flow_table *from_switch = flow_table_create(OFP15_VERSION);
    struct flow_table *applied = flow_table_create(OFP15_VERSION);
    struct flow_table_cookie_stats *stats;
    struct flow_table_mod *mods;
    size_t n, n_lines, k;
    uint64_t flows;
    char **lines;

    CHECK(flow_table_body_count() == before + 1000);

    lines = test_table_lines(desired, &n_lines);
    test_feed_switch_reply(from_switch, lines, n_lines, 3);
    test_free_lines(lines, n_lines);
    CHECK(flow_table_count(from_switch) == 1000);
    CHECK(test_n_mods(desired, from_switch) == 0);
    CHECK(flow_table_body_count() == before + 1000);

    mods = flow_table_diff(desired, applied, &n);
    CHECK(n == 1000);
    flow_table_mods_own(mods, n);
    flow_table_apply(applied, mods, n);
    flow_table_mods_free(mods, n);
    CHECK(flow_table_count(applied) == 1000);
    CHECK(test_n_mods(desired, applied) == 0);
    CHECK(flow_table_body_count() == before + 1000);

    stats = flow_table_cookie_stats(from_switch, &n);
    for (flows = 0, k = 0; k < n; k++) {
        flows += stats[k].n_flows;
        CHECK(!stats[k].n_packets && !stats[k].n_bytes);
    }
    CHECK(flows == 1000);
    free(stats);
    stats = flow_table_cookie_stats(applied, &n);
    for (flows = 0, k = 0; k < n; k++) {
        flows += stats[k].n_flows;
    }
    CHECK(flows == 1000);
    free(stats);

    flow_table_destroy(desired);
    flow_table_destroy(from_switch);
    flow_table_destroy(applied);
}

/* Flows whose decoded actions hold bytes no field owns (a set_field's
 * padding, which the decoder leaves as its buffer held them: here the
 * all-ones address of the flow before) or that the flow_mod decoder
 * completes from the match (whether a VLAN header is there): read back
 * from the switch in one reply, each shares the body of the same flow
 * normalized from its text, and nothing differs. */
#define ALL_ONES "set_field:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff->ipv6_src," \
                 "set_field:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff->ipv6_dst,"
static void
test_switch_flows_canonical(void)
{
    static const struct test_flow flows[] = {
        { 3, 100, 1, "ipv6", ALL_ONES "output:1" },
        { 3, 100, 2, "arp,reg5=0x1,reg6=0xa,arp_tpa=10.10.0.1,arp_op=1",
          "set_field:2->arp_op,set_field:10.10.0.1->arp_spa,"
          "set_field:0xa->reg6,IN_PORT" },
        { 3, 110, 3, "ipv6,reg6=0xa", ALL_ONES "output:2" },
        { 3, 100, 4, "icmp6,reg5=0x1,icmp_type=135,icmp_code=0",
          "set_field:136->icmpv6_type,set_field:2->nd_options_type,"
          "goto_table:10" },
        { 4, 100, 5, "reg5=0x1,reg6=0x14",
          "push_vlan:0x8100,set_field:4116->vlan_vid,output:1" },
        { 4, 100, 6, "in_port=1,dl_vlan=20",
          "pop_vlan,set_field:0x14->reg6,goto_table:5" },
        { 5, 100, 7, "tcp,reg6=0xa",
          "ct(commit,zone=1,exec(set_field:0x1/0x1->ct_mark)),output:3" },
    };
    size_t n = GN_ARRAY_SIZE(flows), n_lines;
    size_t before = flow_table_body_count();
    struct flow_table *desired = test_table_of(OFP15_VERSION, flows, n);
    struct flow_table *from_switch = flow_table_create(OFP15_VERSION);
    char **lines;

    CHECK(flow_table_body_count() == before + n);
    lines = test_table_lines(desired, &n_lines);
    CHECK(n_lines == n);
    test_feed_switch_reply(from_switch, lines, n_lines, 1);
    test_free_lines(lines, n_lines);
    CHECK(flow_table_count(from_switch) == n);
    CHECK(test_n_mods(desired, from_switch) == 0);
    CHECK(flow_table_body_count() == before + n);
    flow_table_destroy(desired);
    flow_table_destroy(from_switch);
    CHECK(flow_table_body_count() == before);
}
#undef ALL_ONES

static void
test_cookie_stats_summed(void)
{
    char *flows[] = {
        "table=0,priority=10,cookie=0x7,in_port=1 actions=drop",
        "table=0,priority=10,cookie=0x7,in_port=2 actions=drop",
        "table=0,priority=10,cookie=0x3,in_port=3 actions=drop",
    };
    struct flow_table *installed = flow_table_create(0);
    struct flow_table_cookie_stats *s;
    size_t n;

    test_feed_switch_reply(installed, flows, GN_ARRAY_SIZE(flows), 5);
    s = flow_table_cookie_stats(installed, &n);
    CHECK(n == 2);
    CHECK(s[0].cookie == 3 && s[0].n_flows == 1);
    CHECK(s[1].cookie == 7 && s[1].n_flows == 2);
    free(s);
    flow_table_destroy(installed);

    /* The switch's counters, summed from the reply itself. */
    struct ovs_list replies;
    struct ofpbuf *reply;
    size_t allocated = 0;

    s = NULL;
    n = 0;
    test_switch_reply(&replies, FLOW_TABLE_OF15, flows, GN_ARRAY_SIZE(flows),
                      5);
    LIST_FOR_EACH (reply, list_node, &replies) {
        bool more;
        char *error = flow_table_sum_stats_reply(FLOW_TABLE_OF15, reply->data,
                                                 reply->size, &s, &n,
                                                 &allocated, &more);
        CHECK(!error);
        free(error);
    }
    ofpbuf_list_delete(&replies);
    n = flow_table_cookie_stats_merge(s, n);
    CHECK(n == 2);
    CHECK(s[0].cookie == 3 && s[0].n_flows == 1 && s[0].n_packets == 5);
    CHECK(s[1].cookie == 7 && s[1].n_flows == 2 && s[1].n_packets == 10);
    CHECK(s[1].n_bytes == 1000);
    free(s);
}

/* A table moved to OpenFlow 1.3 and back compares equal to itself.  (A
 * table built from the same text directly for 1.3 may differ in spelling:
 * "load:" survives a 1.3 encoding but becomes "set_field:" in 1.5; the
 * switch answers each version with what it was sent.) */
static void
test_convert_between_versions(void)
{
    struct flow_table *of15 = test_generated_table(FLOW_TABLE_OF15, 100, 1);
    struct flow_table *of13 = NULL, *back = NULL;
    char *error;

    error = flow_table_convert(of15, FLOW_TABLE_OF13, &of13);
    CHECK(!error);
    free(error);
    CHECK(of13 && flow_table_ofp_version(of13) == FLOW_TABLE_OF13);
    CHECK(of13 && flow_table_count(of13) == 100);
    if (of13) {
        error = flow_table_convert(of13, FLOW_TABLE_OF15, &back);
        CHECK(!error);
        free(error);
    }
    if (back) {
        CHECK(test_n_mods(back, of15) == 0);
    }
    flow_table_destroy(back);
    flow_table_destroy(of13);
    flow_table_destroy(of15);
}

static void
test_bad_stats_reply_rejected(void)
{
    struct flow_table *t = flow_table_create(0);
    uint8_t junk[16] = { FLOW_TABLE_OF15, 0, 0, 16 };
    bool more = true;
    char *error;

    error = flow_table_add_stats_reply(t, junk, sizeof junk, &more);
    CHECK(error != NULL);
    CHECK(!more);
    free(error);
    error = flow_table_add_stats_reply(t, junk, 4, &more);
    CHECK(error != NULL);
    free(error);
    CHECK(flow_table_count(t) == 0);
    flow_table_destroy(t);
}

/* A desired table edited in place (flow_table_add_ref(),
 * flow_table_remove()) with its changes tracked gives, through
 * flow_table_diff_changes(), the changes a full diff gives; removing and
 * adding back the same flow is no change; owned mods outlive the tables'
 * edits. */
static void
test_tracked_changes_match_full_diff(void)
{
    static const struct test_flow ip_drop[] = { { 1, 50, 1, "ip", "drop" } };
    const struct flow_entry *refs[GN_ARRAY_SIZE(four_ports)];
    struct flow_table *installed = test_table_of(0, four_ports,
                                                 GN_ARRAY_SIZE(four_ports));
    struct flow_table *desired = flow_table_create(0);
    struct flow_table_mod *mods, *full;
    const struct flow_entry *e;
    size_t i, n, n_full;
    char *error;

    test_add_flows(installed, ip_drop, 1);
    test_add_flow_refs(desired, four_ports, GN_ARRAY_SIZE(four_ports), refs);
    test_add_flow_refs(desired, ip_drop, 1, &e);
    flow_table_track_changes(desired);
    CHECK(flow_table_n_changes(desired) == 0);
    mods = flow_table_diff_changes(desired, installed, &n);
    CHECK(n == 0 && !mods);

    /* The same flow out and in again (a port's group rebuilt): no mod. */
    flow_table_remove(desired, refs[0]);
    error = flow_table_add_ref(desired, 0, 100, 1, "in_port=1", "output:2",
                               &refs[0]);
    CHECK(!error);
    CHECK(flow_table_n_changes(desired) == 1);
    mods = flow_table_diff_changes(desired, installed, &n);
    CHECK(n == 0);
    free(mods);

    /* New actions, a new cookie, a flow gone, a flow new. */
    flow_table_remove(desired, refs[1]);
    error = flow_table_add_ref(desired, 0, 100, 1, "in_port=2", "output:3",
                               &e);
    CHECK(!error);
    flow_table_remove(desired, refs[2]);
    error = flow_table_add_ref(desired, 0, 100, 7, "in_port=3", "output:1",
                               &e);
    CHECK(!error);
    flow_table_remove(desired, refs[3]);
    error = flow_table_add_ref(desired, 2, 10, 1, "arp", "drop", &e);
    CHECK(!error);
    free(error);

    mods = flow_table_diff_changes(desired, installed, &n);
    full = flow_table_diff(desired, installed, &n_full);
    CHECK(n == 4 && n_full == 4);
    for (i = 0; i < n && i < n_full; i++) {
        /* Same changes, same order (deletions, changes, additions). */
        char *a = flow_table_mod_to_string(&mods[i]);
        char *b = flow_table_mod_to_string(&full[i]);

        CHECK(mods[i].type == full[i].type);
        CHECK_STREQ(a, b);
        free(a);
        free(b);
    }
    free(full);

    /* Owned copies stay valid while the desired table changes. */
    flow_table_mods_own(mods, n);
    flow_table_clear_changes(desired);
    CHECK(flow_table_n_changes(desired) == 0);
    flow_table_remove(desired, e);
    flow_table_apply(installed, mods, n);
    flow_table_mods_free(mods, n);
    /* Only the removal of "arp" is left to send. */
    mods = flow_table_diff_changes(desired, installed, &n);
    CHECK(n == 1 && mods[0].type == FLOW_TABLE_MOD_DELETE);
    free(mods);
    CHECK(test_n_mods(desired, installed) == 1);

    flow_table_destroy(installed);
    flow_table_destroy(desired);
}

/* Adds the flow "in_port=PORT" (resubmit) to 'table'. */
static void
test_add_port_flow(struct flow_table *table, unsigned int port)
{
    char match[64];
    struct test_flow flow = { 0, 100, 0, match, "resubmit(,1)" };

    snprintf(match, sizeof match, "in_port=%u", port);
    test_add_flows(table, &flow, 1);
}

/* After a big build and small updates, the memo drops the flows it no
 * longer needs a few per add, never many in one call (freeing 30,000 at
 * once held guestnetd's loop for 60 ms), and still ends up bounded. */
static void
test_memo_trimmed_a_few_per_add(void)
{
    struct flow_table *big, *t = flow_table_create(OFP15_VERSION);
    size_t before, min_seen;
    unsigned int port = 30000;

    /* A table's first build is not remembered... */
    before = flow_table_memo_count();
    big = test_generated_table(OFP15_VERSION, 20000, 0);
    CHECK(flow_table_memo_count() == before);
    CHECK(flow_table_count(big) == 20000);
    flow_table_destroy(big);
    /* ...a big build into a table that has flows is. */
    big = flow_table_create(OFP15_VERSION);
    test_add_port_flow(big, port++);
    flow_table_new_epoch(big);
    test_add_generated(big, 20000, 0);
    before = flow_table_memo_count();
    CHECK(before >= 20000);
    /* Two small epochs: the second starts a trim. */
    for (int epoch = 0; epoch < 2; epoch++) {
        flow_table_new_epoch(t);
        test_add_port_flow(t, port++);
    }
    min_seen = flow_table_memo_count();
    CHECK(min_seen + 8 >= before);
    /* Each later add drops at most 8 old entries and adds 1. */
    for (int i = 0; i < 5000 && flow_table_memo_count() > 4200; i++) {
        size_t n = flow_table_memo_count();

        if (i % 50 == 0) {
            flow_table_new_epoch(t);
        }
        test_add_port_flow(t, port++);
        CHECK(flow_table_memo_count() + 8 >= n);
    }
    CHECK(flow_table_memo_count() <= 4200);
    flow_table_destroy(big);
    flow_table_destroy(t);
}

int
main(void)
{
    TEST_RUN("flow-table/spellings-compare-equal",
             test_spellings_compare_equal);
    TEST_RUN("flow-table/duplicate-key-rejected",
             test_duplicate_key_rejected);
    TEST_RUN("flow-table/bad-flow-named-in-error",
             test_bad_flow_named_in_error);
    TEST_RUN("flow-table/diff-adds-modifies-replaces-deletes",
             test_diff_adds_modifies_replaces_deletes);
    TEST_RUN("flow-table/mods-encode-right-commands",
             test_mods_encode_right_commands);
    TEST_RUN("flow-table/nothing-changed-no-mods",
             test_nothing_changed_no_mods);
    TEST_RUN("flow-table/one-port-added-only-its-flows",
             test_one_port_added_only_its_flows);
    TEST_RUN("flow-table/switch-dump-matches-desired",
             test_switch_dump_matches_desired);
    TEST_RUN("flow-table/equal-flows-share-one-body",
             test_equal_flows_share_one_body);
    TEST_RUN("flow-table/switch-flows-canonical",
             test_switch_flows_canonical);
    TEST_RUN("flow-table/cookie-stats-summed", test_cookie_stats_summed);
    TEST_RUN("flow-table/tracked-changes-match-full-diff",
             test_tracked_changes_match_full_diff);
    TEST_RUN("flow-table/convert-between-versions",
             test_convert_between_versions);
    TEST_RUN("flow-table/memo-trimmed-a-few-per-add",
             test_memo_trimmed_a_few_per_add);
    TEST_RUN("flow-table/bad-stats-reply-rejected",
             test_bad_stats_reply_rejected);
    return test_done();
}
