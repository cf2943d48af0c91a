/* test-port-view.c: the port view and the planners that read it, driven
 * with a synthetic replica (no server): an incremental update gives the
 * same ports, counts and uplink as a fresh view; it binds again only the
 * ports whose rows changed, and rescans when the change feeds cannot tell;
 * the planners find untagged ports, stale uplinks and missing installed
 * marks; counts and lists follow changes; the index of MACs and IPs
 * follows the ports, and so do the ends of their leases. */
#include <config.h>

#include "test-port-view.h"

static void
test_update_binds_only_changed_ports(void)
{
    struct world *w = world_create(20);

    CHECK(update_and_compare(w) == 22);
    CHECK(update_and_compare(w) == 0);

    world_add_port(w, 30, 10);
    CHECK(update_and_compare(w) == 1);
    world_add_port(w, 31, 20);
    world_add_port(w, 32, -1);
    CHECK(update_and_compare(w) == 2);

    world_modify_iface(w, 5, "ofport", json_integer(99));
    CHECK(update_and_compare(w) == 1);
    world_modify_iface(w, 6, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "attached-mac", "02:00:00:00:00:99")));
    CHECK(update_and_compare(w) == 1);

    world_delete_port(w, 7);
    CHECK(update_and_compare(w) == 0);
    world_delete_port(w, 1);            /* The uplink. */
    CHECK(update_and_compare(w) == 0);

    w->cfg_gen++;
    CHECK(update_and_compare(w) == 23);

    world_destroy(w);
}

/* A port that moves from another bridge without its own row changing,
 * and changes past what the replica's change log keeps, are found by a
 * rescan; the rescan binds again only the ports whose rows changed. */
static void
test_update_rescans_when_feed_cannot_tell(void)
{
    struct world *w = world_create(20);
    json_t *tu = world_tu();
    char pu[37];

    CHECK(update_and_compare(w) == 22);

    /* g40 on a second bridge, then moved to br-int. */
    world_port_rows(tu, 40, "g40", 10, NULL, 40, true);
    port_uuid(40, pu);
    json_object_set_new(json_object_get(tu, "Bridge"), BR2, json_pack(
        "{s:{s:s, s:o}}", "insert", "name", "br2",
        "ports", ovsdb_datum_uuid(pu)));
    world_apply(w, tu, false);
    CHECK(update_and_compare(w) == 0);
    tu = world_tu();
    json_object_set_new(json_object_get(tu, "Bridge"), BR2, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    json_object_set_new(json_object_get(tu, "Bridge"), BR, json_pack(
        "{s:{s:o}}", "modify", "ports", ovsdb_datum_uuid(pu)));
    world_apply(w, tu, false);
    CHECK(update_and_compare(w) == 1);

    /* More changes than the Interface log keeps. */
    for (int i = 0; i < 200; i++) {
        world_modify_iface(w, 5, "ofport", json_integer(1000 + i));
    }
    CHECK(update_and_compare(w) == 1);

    world_destroy(w);
}

/* The planners see only the ports that need them: an untagged port is
 * quarantined (a wait, an update and a mutate), a port with flows and no
 * installed mark is listed until the mark comes, an uplink no longer
 * configured is removed. */
static void
test_planners_see_only_ports_needing_action(void)
{
    struct world *w = world_create(20);
    const struct port_view_port *p;
    struct ovsdb_txn *txn;
    char pu[37], iu[37];
    char *why;

    world_update(w);
    CHECK(port_view_untagged(w->v, &p) == 0);
    CHECK(port_view_unmarked(w->v, &p) == 0);
    CHECK(port_view_uplinks(w->v, &p) == 1 && !strcmp(p[0].name, "eth1"));

    world_add_port(w, 30, -1);
    world_add_port(w, 31, 10);
    world_update(w);
    port_uuid(30, pu);
    CHECK(port_view_untagged(w->v, &p) == 1 && !strcmp(p[0].uuid, pu)
          && !strcmp(p[0].name, "g30"));
    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(port_view_plan_adoption(w->v, txn) == 1);
    CHECK(ovsdb_txn_n_ops(txn) == 3);
    ovsdb_txn_destroy(txn);
    iface_uuid(31, iu);
    CHECK(port_view_unmarked(w->v, &p) == 1 && !strcmp(p[0].name, "g31")
          && !strcmp(p[0].iface_uuid, iu));

    world_modify_iface(w, 31, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "guestnet-installed", "true")));
    world_update(w);
    CHECK(port_view_unmarked(w->v, &p) == 0);

    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(bridge_plan(w->cfg, w->r, w->v, txn, NULL) == 0);
    ovsdb_txn_destroy(txn);
    free(w->cfg->uplink);
    w->cfg->uplink = NULL;
    w->cfg_gen++;
    world_update(w);
    txn = ovsdb_txn_create("Open_vSwitch");
    CHECK(bridge_plan(w->cfg, w->r, w->v, txn, &why) == 1);
    CHECK(why && strstr(why, "old uplink removed"));
    free(why);
    ovsdb_txn_destroy(txn);

    world_destroy(w);
}

/* Changes that move only the counts and the planners' lists (no port
 * gains or loses flows) show in them: a port without an ofport moves
 * between networks and out of them, an untagged port gets the access VLAN
 * 4095 (as adoption gives it) and leaves the untagged list, a quarantined
 * port is renamed.  The generation stays. */
static void
test_counts_and_lists_follow_changes_without_flows(void)
{
    struct world *w = world_create(10);
    const struct port_view_port *p;
    struct port_view_counts c;
    unsigned long long gen;

    world_add_port(w, 30, 10);
    world_modify_iface(w, 30, "ofport", json_integer(-1));
    world_add_port(w, 31, -1);
    update_and_compare(w);
    gen = port_view_pipeline_gen(w->v);
    CHECK(port_view_untagged(w->v, &p) == 1 && !strcmp(p[0].name, "g31"));

    world_modify_port(w, 30, "tag", json_integer(20));
    update_and_compare(w);
    port_view_counts(w->v, &c);
    CHECK(c.per_network[0] == 10 && c.per_network[1] == 1);
    world_modify_port(w, 30, "tag", json_integer(99));
    update_and_compare(w);
    port_view_counts(w->v, &c);
    CHECK(c.per_network[1] == 0 && c.quarantined == 2);

    world_modify_port(w, 31, "tag", json_integer(4095));
    update_and_compare(w);
    CHECK(port_view_untagged(w->v, &p) == 0);
    world_modify_port(w, 30, "name", json_string("renamed30"));
    update_and_compare(w);
    CHECK(port_view_pipeline_gen(w->v) == gen);

    world_destroy(w);
}

/* Parses MAC 's' or IP 's' for the owner lookups. */
static const char *
mac_owner(const struct port_view *v, int vlan, const char *s)
{
    struct netaddr_mac mac;
    char *error = netaddr_parse_mac(s, false, &mac);

    CHECK(!error);
    free(error);
    return port_view_mac_owner(v, vlan, &mac);
}

static const char *
ip_owner(const struct port_view *v, int vlan, const char *s)
{
    struct netaddr_ip ip;
    char *error = netaddr_parse_ip(s, 0, &ip);

    CHECK(!error);
    free(error);
    return port_view_ip_owner(v, vlan, &ip);
}

/* The view's index of MACs and IPs per network follows the ports: their
 * addresses, a move to another network, a quarantine and a deletion. */
static void
test_address_owners_follow_ports(void)
{
    struct world *w = world_create(3);
    const struct port_view *v;
    const char *o;

    v = w->v;

    world_modify_iface(w, 2, "external_ids", ovsdb_datum_map(json_pack(
        "{s:s, s:s}", "attached-mac", "02:00:00:00:02:02",
        "guestnet:ips", "10.10.0.5,2001:db8::5")));
    update_and_compare(w);
    o = mac_owner(v, 10, "02:00:00:00:02:02");
    CHECK(o && !strcmp(o, "g2"));
    o = mac_owner(v, 10, "02:00:00:00:00:03");
    CHECK(o && !strcmp(o, "g3"));
    o = ip_owner(v, 10, "10.10.0.5");
    CHECK(o && !strcmp(o, "g2"));
    o = ip_owner(v, 10, "2001:db8:0::5");
    CHECK(o && !strcmp(o, "g2"));
    CHECK(!ip_owner(v, 10, "10.10.0.6"));
    CHECK(!mac_owner(v, 20, "02:00:00:00:02:02"));

    /* To network db: its addresses move with it. */
    world_modify_port(w, 2, "tag", json_integer(20));
    update_and_compare(w);
    CHECK(!mac_owner(v, 10, "02:00:00:00:02:02"));
    o = mac_owner(v, 20, "02:00:00:00:02:02");
    CHECK(o && !strcmp(o, "g2"));
    o = ip_owner(v, 20, "10.10.0.5");
    CHECK(o && !strcmp(o, "g2"));

    /* Quarantined (a VLAN that is no network): no addresses. */
    world_modify_port(w, 2, "tag", json_integer(99));
    update_and_compare(w);
    CHECK(!mac_owner(v, 20, "02:00:00:00:02:02"));
    CHECK(!ip_owner(v, 20, "10.10.0.5"));

    /* Deleted: its MAC is free. */
    world_delete_port(w, 4);
    update_and_compare(w);
    CHECK(!mac_owner(v, 10, "02:00:00:00:00:04"));
    o = mac_owner(v, 10, "02:00:00:00:00:03");
    CHECK(o && !strcmp(o, "g3"));

    world_destroy(w);
}

/* The API view of port 'i' (its Port row bound with port_binding()): a
 * new reference. */
static json_t *
api_port(struct world *w, int i)
{
    char pu[37];
    struct port_binding b;

    port_uuid(i, pu);
    port_binding(w->cfg, w->r, ovsdb_replica_get_row(w->r, "Port", pu), &b);
    return port_binding_to_json(&b);
}

/* The leases a network's own DHCP server gave (engine/engine-snoop.c):
 * the view knows the earliest end of the bridge's leases, counting only
 * the leased addresses' own ends, and which ports' leases ended; the API
 * shows each end. */
static void
test_leases_follow_ports(void)
{
    struct world *w = world_create(3);
    const char **names;
    json_t *j;

    world_update(w);
    CHECK(port_view_next_lease_expiry(w->v) == 0);
    world_modify_iface(w, 2, "external_ids", ovsdb_datum_map(json_pack(
        "{s:s, s:s, s:s}", "guestnet:ips", "10.10.0.7,2001:db8::7",
        "guestnet:ips-leased", "10.10.0.7,2001:db8::7",
        "guestnet:lease-expires", "10.10.0.7=1000,2001:db8::7=500,"
        "10.10.0.99=10")));
    world_modify_iface(w, 3, "external_ids", ovsdb_datum_map(json_pack(
        "{s:s, s:s}", "guestnet:ips", "10.10.0.8",
        "guestnet:ips-leased", "10.10.0.8")));    /* Infinite. */
    world_update(w);
    CHECK(port_view_next_lease_expiry(w->v) == 500);
    CHECK(port_view_expired_leases(w->v, 499, &names) == 0);
    free(names);
    CHECK(port_view_expired_leases(w->v, 500, &names) == 1
          && !strcmp(names[0], "g2"));
    free(names);
    j = api_port(w, 2);
    CHECK(json_array_size(json_object_get(j, "ips_leased")) == 2);
    CHECK(json_integer_value(json_object_get(json_object_get(
        j, "lease_expires"), "2001:db8::7")) == 500);
    CHECK(json_object_size(json_object_get(j, "lease_expires")) == 2);
    json_decref(j);
    j = api_port(w, 3);
    CHECK(json_object_size(json_object_get(j, "lease_expires")) == 0);
    json_decref(j);

    /* Renewed: the next end moves. */
    world_modify_iface(w, 2, "external_ids", ovsdb_datum_map(json_pack(
        "{s:s}", "guestnet:lease-expires", "10.10.0.7=2000")));
    world_update(w);
    CHECK(port_view_next_lease_expiry(w->v) == 2000);
    CHECK(port_view_expired_leases(w->v, 1999, &names) == 0);
    free(names);
    world_destroy(w);
}

/* The installed mark in the API view of port 'i' (its Port row bound with
 * port_binding()); 'quarantined' gets whether it is quarantined. */
static bool
api_installed(struct world *w, int i, bool *quarantined)
{
    json_t *j = api_port(w, i);
    bool installed;

    installed = json_is_true(json_object_get(j, "installed"));
    *quarantined = json_is_true(json_object_get(j, "quarantined"));
    json_decref(j);
    return installed;
}

/* A quarantined port never shows as installed, even while its Interface
 * still has the mark it got when it was bound: the API view says so at
 * once, and the planner lists the mark for removal; the mark of a bound
 * port stays. */
static void
test_quarantined_port_is_never_installed(void)
{
    struct world *w = world_create(2);
    const struct port_view_port *p;
    char iu[37];
    bool q;

    world_update(w);
    CHECK(api_installed(w, 2, &q) && !q);
    CHECK(port_view_wrongly_marked(w->v, &p) == 0);

    world_modify_port(w, 2, "tag", json_integer(99));   /* No network. */
    world_update(w);
    iface_uuid(2, iu);
    CHECK(!api_installed(w, 2, &q) && q);
    CHECK(port_view_wrongly_marked(w->v, &p) == 1
          && !strcmp(p[0].iface_uuid, iu));
    CHECK(api_installed(w, 3, &q) && !q);

    /* Bound again, then its MAC gone (an "update2" modify of a map
     * deletes a pair given with its value; the mark stays): quarantined
     * again. */
    world_modify_port(w, 2, "tag", json_integer(10));
    world_update(w);
    CHECK(api_installed(w, 2, &q) && !q);
    CHECK(port_view_wrongly_marked(w->v, &p) == 0);
    world_modify_iface(w, 2, "external_ids", ovsdb_datum_map(json_pack(
                           "{s:s}", "attached-mac", "02:00:00:00:00:02")));
    world_update(w);
    CHECK(!api_installed(w, 2, &q) && q);
    CHECK(port_view_wrongly_marked(w->v, &p) == 1);

    world_destroy(w);
}

int
main(void)
{
    TEST_RUN("port-view/update-binds-only-changed-ports",
             test_update_binds_only_changed_ports);
    TEST_RUN("port-view/update-rescans-when-feed-cannot-tell",
             test_update_rescans_when_feed_cannot_tell);
    TEST_RUN("port-view/planners-see-only-ports-needing-action",
             test_planners_see_only_ports_needing_action);
    TEST_RUN("port-view/counts-and-lists-follow-changes-without-flows",
             test_counts_and_lists_follow_changes_without_flows);
    TEST_RUN("port-view/leases-follow-ports", test_leases_follow_ports);
    TEST_RUN("port-view/address-owners-follow-ports",
             test_address_owners_follow_ports);
    TEST_RUN("port-view/quarantined-port-is-never-installed",
             test_quarantined_port_is_never_installed);
    return test_done();
}
