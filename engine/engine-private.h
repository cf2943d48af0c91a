/* engine-private.h: the state of struct engine and its requests, shared by
 * engine/engine.c (the reconcile step: transactions, flows, the loop),
 * engine/engine-ops.c (each request's life: devices, commit, settle,
 * answer), engine/engine-status.c (what the engine reports),
 * engine/engine-spoof.c (which ports keep sending spoofed frames) and
 * the other engine/engine-*.c (DHCP, IPv6, addresses, DHCP snooping).
 * Nothing outside engine/engine*.c includes it. */
#ifndef GN_ENGINE_PRIVATE_H
#define GN_ENGINE_PRIVATE_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "gn-util.h"
#include "pipeline.h"
#include "ports.h"

struct ofctrl_packet_in;
struct ovsdb_txn;
struct ovsdb_txn_result;

/* How long a request may wait for ovsdb-server and ovs-vswitchd before it
 * is answered with a timeout, unless engine_set_apply_timeout() says
 * otherwise (guestnetd --apply-timeout). */
#define ENGINE_APPLY_TIMEOUT_MS 30000

/* A reconcile step longer than this counts as slow in the status. */
#define ENGINE_SLOW_STEP_US 5000

/* How often the devices a crash left behind are looked for. */
#define ENGINE_SWEEP_MS 60000

/* How often the devices of guestnet's ports are checked for (one
 * netdev_exists() each, on the device worker): a port whose device was
 * deleted behind guestnet's back shows as "device missing" this long
 * after at most. */
#define ENGINE_DEVICE_CHECK_MS 3000

/* The first sweep and check after guestnetd starts wait until the switch
 * holds the flow table, for at most this long after the replica synced:
 * listing 1000 devices keeps the device worker busy on a CPU for some
 * 50 ms that building the flow table needs more. */
#define ENGINE_FIRST_SWEEP_WAIT_MS 3000

/* Spoofing (engine-spoof.c): how often the per-port drop counters are
 * read; a port is marked spoofing when its drops reach ENGINE_SPOOF_PPS a
 * second over one poll, and the mark goes once they stayed below that for
 * ENGINE_SPOOF_QUIET_MS (both set by engine_set_spoofing()). */
#define ENGINE_SPOOF_POLL_MS 1000
#define ENGINE_SPOOF_PPS 20
#define ENGINE_SPOOF_QUIET_MS 30000

/* How long one reconcile step may spend rebuilding flow groups (one group,
 * at least; a group is started only if its last build fits).  The rebuild
 * of a batch of new ports (~27 flows each) takes 10-20 ms in one go; in
 * slices of this much, with the event loop running in between (an
 * incomplete pass goes on where it stopped), API requests and OVSDB and
 * OpenFlow input wait about that long.  Measured with bench/api-bench.sh:
 * 2 ms slices gave a status p99 of 5.7 ms, 1 ms 5.2 ms, 0.5 ms 4.1-4.7 ms,
 * with the adds as fast. */
#define ENGINE_FLOWS_BUDGET_US 500
/* The same for the first table after a start, which no request waits on
 * (nothing is answered before it is installed): larger slices take fewer
 * turns of the event loop, each of which also serves OVSDB and OpenFlow
 * input and timers, and keep the loop's lateness far below the 50 ms the
 * fault tests allow.  At 1000 ports (23,000 flows) the first table took
 * 0.55-0.6 s in 0.5 ms slices. */
#define ENGINE_FLOWS_FIRST_BUDGET_US 5000

/* A dependency that stays silent this long while it owes guestnetd an
 * answer (ovsdb-server a reply, ovs-vswitchd a barrier or an echo) counts
 * as down in the health, well before the inactivity probes (5 s of
 * silence, then 5 s more) drop the connection. */
#define ENGINE_SILENT_MS 3000

/* While ovs-vswitchd leaves cur_cfg below the next_cfg of guestnetd's last
 * transaction, ovsdb-server gets an echo this often, so that a hung one is
 * told from a slow ovs-vswitchd. */
#define ENGINE_PING_MS 1000

/* ovs-vswitchd that leaves cur_cfg this long below the next_cfg of
 * guestnetd's last transaction counts as down in the health (applying a
 * transaction takes it 0.1 s to 1 s at 1000 ports). */
#define ENGINE_UNAPPLIED_MS 5000

/* How long the next transaction waits for ovs-vswitchd to apply the
 * previous one. */
#define ENGINE_BATCH_WAIT_MS 2000

/* How long a transaction waits at most for the requests that came with
 * those in it (see engine_gather__()). */
#define ENGINE_GATHER_MS 100

/* How long after answering requests the next transaction waits at most
 * for their clients' next requests (see engine_gather__()). */
#define ENGINE_RETURN_MS 30

/* The OpenFlow port numbers guestnetd asks for (engine-ofport.c): the
 * upper half of the range, which ovs-vswitchd leaves to controllers, up
 * to OFPP_MAX - 1. */
#define ENGINE_OFPORT_MIN 32768
#define ENGINE_OFPORT_MAX 65279

/* How long an add's transaction waits at most for the switch to hold its
 * flows (engine-ofport.c). */
#define ENGINE_OFPORT_WAIT_MS 1000

enum engine_op_type {
    ENGINE_OP_ADD,
    ENGINE_OP_DELETE,
};

enum engine_op_state {
    ENGINE_OP_UNSYNCED,     /* Arrived while the replica was not synced:
                             * validated once it is. */
    ENGINE_OP_QUEUED,       /* Waiting for the next transaction. */
    ENGINE_OP_IN_TXN,       /* Part of the transaction in flight. */
    ENGINE_OP_APPLYING,     /* Committed; waiting for ovs-vswitchd. */
    ENGINE_OP_DEVICES,      /* Waiting for the device worker to create,
                             * delete or roll back its devices. */
};

struct engine_op {
    struct engine *engine;
    struct engine_op *next;
    enum engine_op_type type;
    enum engine_op_state state;
    struct port_spec spec;      /* ENGINE_OP_ADD. */
    json_t *req;                /* ENGINE_OP_UNSYNCED: the request;
                                 * ENGINE_OP_DELETE of a port that lost
                                 * its device: the add that replaces it
                                 * once it is gone (engine.h). */
    bool add_wait;              /* That add's 'wait'. */
    char *name;                 /* The port's name. */
    json_t *iface;              /* ENGINE_OP_DELETE: Interface row copy. */
    bool wait;                  /* Answer when applied, not committed. */
    bool solo;                  /* Retry alone after a shared failure. */
    bool maybe_applied;         /* Connection dropped during its txn. */
    bool committed;             /* Its transaction committed. */
    bool userspace_datapath;    /* ENGINE_OP_ADD: for its devices. */
    char *refused;              /* ENGINE_OP_ADD being rolled back: why, */
    int refused_status;         /* and the HTTP status to answer. */
    json_int_t next_cfg;        /* The cur_cfg that confirms it. */
    uint64_t flows_seqno;       /* ENGINE_OP_ADD: the flow table that
                                 * carries its flows (0: not yet). */
    uint64_t preinstall_seqno;  /* ENGINE_OP_ADD: the flow table that
                                 * carries its flows for the ofport it
                                 * asks for (0: not yet). */
    long long created_msec;
    long long deadline;         /* For ENGINE_OP_APPLYING; before, for
                                 * as long as a dependency is down. */
    engine_done_cb *cb;
    void *aux;
};

/* Why DHCP snooping binds no address, or unbinds none for a client's
 * RELEASE or DECLINE (the last three) (engine-snoop.c): the reason
 * labels of the status and the metrics. */
#define ENGINE_SNOOP_REASONS                                            \
    SNOOP_REASON(OK, "ok")                                              \
    SNOOP_REASON(NOT_SERVER, "not-server")                              \
    SNOOP_REASON(MALFORMED, "malformed")                                \
    SNOOP_REASON(NO_CLIENT, "no-client-port")                           \
    SNOOP_REASON(CLIENT_IS_SERVER, "client-is-server")                  \
    SNOOP_REASON(NO_LEASE_TIME, "no-lease-time")                        \
    SNOOP_REASON(OUTSIDE, "outside-subnets")                            \
    SNOOP_REASON(RESERVED, "reserved")                                  \
    SNOOP_REASON(DECLARED, "port-has-addresses")                        \
    SNOOP_REASON(TAKEN, "taken")                                        \
    SNOOP_REASON(QUEUE_FULL, "queue-full")                              \
    SNOOP_REASON(WRONG_PORT, "wrong-port")                              \
    SNOOP_REASON(NOT_PORT_MAC, "not-port-mac")                          \
    SNOOP_REASON(NOT_LEASED, "not-leased")

enum engine_snoop_reason {
#define SNOOP_REASON(ENUM, NAME) ENGINE_SNOOP_##ENUM,
    ENGINE_SNOOP_REASONS
#undef SNOOP_REASON
    ENGINE_SNOOP_N_REASONS
};

/* What planning a transaction depends on besides the queued requests:
 * while none of it changes, a pass that planned nothing would plan nothing
 * again. */
struct engine_plan_key {
    unsigned long long replica_seqno;
    unsigned long long cfg_gen;
    uint64_t flows_seqno;
    uint64_t installed_seqno;
};

/* The parts of a reconcile step, timed for the log of slow steps. */
enum engine_phase {
    ENGINE_PHASE_FLOWS,         /* Port view and flow groups, commit. */
    ENGINE_PHASE_APPLIED,       /* Requests ovs-vswitchd has applied. */
    ENGINE_PHASE_PLAN,          /* Planning the next transaction. */
    ENGINE_PHASE_TXN,           /* Encoding and sending it. */
    ENGINE_N_PHASES
};

/* The ports of the adds in progress, as the pipeline sees them before
 * they exist (engine-ofport.c). */
struct engine_pending {
    struct pipeline_port *ports;        /* Owned, with names and addresses. */
    size_t n;
    struct pipeline_port *kept;         /* Committed adds answered before
                                         * their port has its number (owned,
                                         * engine_ofport_keep__()). */
    long long *kept_until;              /* Their deadlines (msec). */
    size_t n_kept;
    bool built;
    unsigned long long built_gen, built_view_gen, built_cfg_gen;
    unsigned long long built_remote_gen;
    unsigned long long gen;             /* Bumped at each rebuild. */
};

/* Another host's port that the pipeline builds nothing for: without
 * addresses, link-local bindings, server flag or limits, in a network
 * that is not private.  Only its MAC's EUI-64 link-local address matters
 * (engine-ll.c): the engine keeps its name by its network's VLAN and MAC,
 * not as a pipeline port. */
struct engine_remote_mac {
    struct engine_remote_mac *next;     /* Another of the same VLAN and MAC
                                         * (the registry's index allows
                                         * one only with the MAC spelled
                                         * otherwise), in the order
                                         * engine_set_remote() gave
                                         * them. */
    int vlan;
    struct netaddr_mac mac;
    char name[];
};

/* Cluster mode: this host's router MAC and other hosts' ports
 * (engine-remote.c). */
struct engine_remote {
    unsigned long long gen;     /* Bumped whenever 'ports' or 'macs'
                                 * change. */
    bool has_router_mac;
    struct netaddr_mac router_mac;
    struct pipeline_port *ports;        /* Owned, with their names and
                                         * addresses: those the pipeline
                                         * builds flows for. */
    size_t n;
    struct gn_strmap macs;      /* The others: engine_mac_key__() ->
                                 * struct engine_remote_mac (owned). */
    uint8_t private_vlans[4096 / 8];    /* The VLANs of the private
                                         * networks 'ports' and 'macs'
                                         * were split by. */
    struct gn_strmap blocked;           /* Names of blocked ports. */
    struct pipeline_port *merged;       /* The bridge's ports, then these. */
    size_t n_merged;
    bool merged_valid;          /* 'merged' (or 'plain') is up to date. */
    bool plain;                 /* The pipeline sees the view as it is. */
    unsigned long long merged_view_gen, merged_gen, merged_pending_gen;
    struct netaddr_ip *merged_lls;      /* The link-locals of the merged
                                         * ports engine_ll_void__() cut. */
    size_t n_merged_view;       /* The bridge's ports in 'merged'. */
    size_t n_voided_local;      /* Bindings of the bridge's ports that
                                 * engine_ll_void__() cut. */
};

struct engine {
    struct event_base *base;
    struct gn_config *cfg;
    char *config_file;
    struct jsonrpc_session *session;
    struct ovsdb_replica *replica;
    struct ofctrl *ofctrl;
    struct dev_worker *devices; /* Creates and deletes guest devices. */
    char *ovs_rundir;
    struct port_view *view;     /* The bridge's ports, bound. */
    struct gn_strmap peers;     /* port_peers_build() of the replica at */
    unsigned long long peers_seqno;     /* this seqno (0: not built). */
    unsigned long long view_seqno;      /* Replica seqno and config */
    unsigned long long view_cfg_gen;    /* generation of 'view'. */
    bool view_valid;
    struct pipeline_state *pipeline;    /* Builds ofctrl's desired table. */
    bool flows_built;           /* The pipeline saw the replica once. */
    bool flows_incomplete;      /* The desired table is half rebuilt (out
                                 * of time): go on at the next step.  The
                                 * pipeline's ports are then not those of
                                 * the table of 'flows_seqno'. */
    bool flows_sliced;          /* This step stopped a rebuild at its time
                                 * budget: the next step runs at once (not
                                 * while OVSDB is away: nothing would move
                                 * then). */
    size_t flows_added;         /* Since the last ofctrl_commit(). */
    size_t flows_removed;
    unsigned long long flows_input_gen;     /* Pipeline gen and config */
    unsigned long long flows_input_cfg_gen; /* the flows were made from. */
    unsigned long long cfg_gen;             /* Bumped on every reload. */
    unsigned long long table_cfg_gen;       /* Config generation of the
                                             * table of 'flows_seqno'. */
    unsigned long long installed_cfg_gen;   /* And of the switch's. */
    engine_installed_cb *installed_cb;
    void *installed_aux;
    struct engine_remote remote;
    struct engine_pending pending;      /* engine-ofport.c */
    unsigned long long pending_gen;     /* Bumped when the adds in
                                         * progress with an ofport change. */
    uint8_t *ofport_map;                /* Numbers in use, at */
    unsigned long long ofport_map_seqno;        /* this replica seqno. */
    int ofport_next;                    /* Where the next choice starts. */
    bool ofport_started;                /* A choice was made. */
    bool held;                  /* engine_hold(): no transactions, no
                                 * flows, requests wait. */
    uint64_t flows_seqno;       /* Seqno of the last ofctrl_commit(). */
    struct event *run_ev;       /* Deferred engine_run__(). */
    struct event *timer_ev;     /* Periodic: timeouts, retries. */

    struct engine_op *ops;      /* Oldest first. */
    struct engine_limits_req *limits_reqs;  /* engine-limits.c. */
    int apply_timeout_ms;       /* See ENGINE_APPLY_TIMEOUT_MS. */
    bool txn_in_flight;
    long long retry_at;         /* After a failed bridge txn. */
    json_int_t applying_next_cfg;   /* next_cfg of our last committed
                                     * transaction. */
    bool txn_has_extra;         /* The transaction in flight also carries
                                 * ops of no request (adoption, marks). */
    bool idle_valid;            /* True once 'idle_key' is set. */
    struct engine_plan_key idle_key;    /* Inputs of the latest pass that
                                         * planned nothing. */

    /* Status. */
    unsigned long long n_steps;         /* Reconcile steps run, */
    unsigned long long n_slow_steps;    /* those over ENGINE_SLOW_STEP_US, */
    long long step_us_total;            /* and how long they took. */
    long long step_us_last;
    long long step_us_max;
    long long phase_us[ENGINE_N_PHASES];    /* Of the step running now. */
    long long phase_start_us;
    long long start_msec;
    long long last_run_msec;
    long long last_txn_msec;
    long long gather_msec;      /* When engine_gather__() began to hold
                                 * the next transaction, or 0. */
    long long answered_msec;    /* When requests were last answered, */
    int n_awaited;              /* and how many of those answers no new
                                 * request has followed yet. */
    long long unapplied_msec;   /* Since when cur_cfg has stayed below
                                 * 'applying_next_cfg' (and at
                                 * 'unapplied_cur_cfg'), or 0. */
    json_int_t unapplied_cur_cfg;
    json_int_t seen_cur_cfg;    /* cur_cfg the last step saw (the log). */
    long long ping_msec;        /* Last jsonrpc_session_ping(). */
    int last_txn_ops;
    unsigned long long n_txns;
    unsigned long long n_txn_errors;
    char *last_error;

    /* Devices a crash left behind (engine-sweep.c). */
    struct engine_sweep *sweep; /* In flight, or NULL. */
    long long next_sweep_msec;
    long long next_check_msec;  /* Of the devices of the ports. */
    long long first_sweep_msec; /* The first one's latest start, 0 until
                                 * the replica synced, -1 once begun. */
    struct gn_strmap isolated;  /* Interface UUIDs of ports guestnet did
                                 * not make whose devices the sweep
                                 * looked at (engine-sweep.c). */
    unsigned long long n_sweeps;            /* Completed. */
    unsigned long long n_orphans_removed;
    struct engine_spoof *spoof; /* Ports sending spoofed frames. */
    struct gn_strmap missing;   /* Interface UUID -> NULL for each port
                                 * whose device guestnet made was gone at
                                 * the last check. */
    size_t n_missing;

    /* The DHCPv4 server (engine-dhcp.c): answers sent, by type, and
     * client messages left unanswered. */
    unsigned long long n_dhcp_offers;
    unsigned long long n_dhcp_acks;
    unsigned long long n_dhcp_naks;
    unsigned long long n_dhcp_ignored;
    long long dhcp_max_us;      /* The longest handling of a packet-in. */

    /* The IPv6 services (engine-dhcp6.c): router advertisements sent in
     * answer and periodically, DHCPv6 replies and advertisements sent,
     * messages left unanswered; the periodic advertisements' timer, the
     * next port's index, the advertisements earned (in 1/300ths), the
     * sorted ofports known at the last tick (and the view's generation
     * then), and the jitter's random state. */
    unsigned long long n_ra_solicited;
    unsigned long long n_ra_periodic;
    unsigned long long n_rs_ignored;
    unsigned long long n_dhcp6_replies;
    unsigned long long n_dhcp6_ignored;
    struct event *ra_ev;
    size_t ra_cursor;
    size_t ra_credit;
    int *ra_known;
    size_t n_ra_known;
    unsigned long long ra_known_gen;
    uint32_t ra_random;

    /* Link-local addresses to bind to ports (engine-ll.c), waiting for a
     * transaction or in the one in flight; bindings written, refused. */
    struct engine_ll *ll_queue;
    size_t n_ll_queue;
    unsigned long long n_ll_bound;
    unsigned long long n_ll_refused;
    unsigned long long n_ll_unbound;
    engine_ll_register_cb *ll_register;     /* engine_set_ll_registrar(). */
    void *ll_register_aux;

    /* Addresses guests took on first use (engine-learn.c), waiting for a
     * transaction or in the one in flight; bindings written, refused. */
    struct engine_learn *learn_queue;
    size_t n_learn_queue;
    unsigned long long n_learn_bound;
    unsigned long long n_learn_refused;
    engine_learn_register_cb *learn_register;
    void *learn_register_aux;   /* engine_set_learn_registrar(). */

    /* DHCP snooping (engine-snoop.c): leases to bind or unbind, waiting
     * for a transaction or in the one in flight; the server ACKs that
     * bound (or renewed), the server's other messages, the bindings
     * written, the leases that ended, the ACKs refused by reason; the
     * clients' RELEASEs and DECLINEs that unbind, their other messages,
     * and the leases unbound so. */
    struct engine_lease *snoop_queue;
    size_t n_snoop_queue;
    unsigned long long n_snoop_acks;
    unsigned long long n_snoop_other;
    unsigned long long n_snoop_bound;
    unsigned long long n_snoop_expired;
    unsigned long long n_snoop_releases;
    unsigned long long n_snoop_client_other;
    unsigned long long n_snoop_released;
    unsigned long long n_snoop_refused[ENGINE_SNOOP_N_REASONS];

    /* Addresses assigned to adopted ports by the transaction in flight
     * (engine-ipam.c), which the port view does not show yet: "VLAN/IP"
     * -> the port's name (owned). */
    struct gn_strmap ipam_pending;
    bool ipam_external;         /* engine_set_external_ipam(). */
    /* engine_give_addresses(): port name -> its addresses (owned). */
    struct gn_strmap ipam_given;
};

/* engine-ops.c */

/* The name of the port of the network of 'vlan' that has address 'ip' (on
 * the bridge, asked for by an add in progress, or being taken on first
 * use: engine-learn.c), or NULL. */
const char *engine_ip_owner__(struct engine *e, int vlan,
                              const struct netaddr_ip *ip);

/* engine-ipam.c */

/* If guestnet assigns addresses in the network of 'spec' and 'spec' (not
 * its server) declares no IPv4 address, adds to 'spec' the first free
 * IPv4 address of the network's DHCP subnet (and, if it declares no
 * address at all, the EUI-64 address of its MAC in each IPv6 subnet of
 * /64 or wider), records them in spec->assigned and adds default routes
 * for their families.  Returns NULL, or a malloc'd message (409: the
 * subnet is full) and leaves 'spec' as it was. */
char *engine_ipam_assign__(struct engine *e, struct port_spec *spec);

/* Adds to 'txn' the ops that give the bound ports without addresses
 * (adopted ports, and ports added while their network had no DHCP)
 * assigned ones, as engine_ipam_assign__() picks them, in their
 * Interface's external_ids, and keeps them in 'e->ipam_pending' until the
 * transaction is done.  Returns the number of ops added. */
int engine_ipam_plan_adopted__(struct engine *e, struct ovsdb_txn *txn);
/* The transaction in flight is done: forgets 'e->ipam_pending' (the
 * replica shows the addresses now, or they were not taken). */
void engine_ipam_txn_done__(struct engine *e);

/* engine-dhcp.c */

/* ofctrl callback: a packet a flow sent up (see include/ofctrl.h). */
void engine_packet_in__(const struct ofctrl_packet_in *pin, void *e);

/* engine-dhcp6.c */

/* The local port that sent 'pin' up, if the flow that did is one of the
 * port's own (the cookie's object its ofport) and the packet is whole;
 * else NULL with a static reason in '*why'. */
const struct pipeline_port *engine_punt_port__(
    struct engine *e, const struct ofctrl_packet_in *pin, const char **why);

/* A packet-in of a "router-solicitation-punt" or "dhcp6-punt" flow. */
void engine_dhcp6_packet_in__(struct engine *e,
                              const struct ofctrl_packet_in *pin);
/* Starts and stops the periodic router advertisements. */
void engine_dhcp6_init__(struct engine *e);
void engine_dhcp6_destroy__(struct engine *e);

/* engine-snoop.c */

/* A lease of a network's own DHCP server to bind to a port. */
struct engine_lease {
    char *port;                 /* The client port's name. */
    int vlan;
    struct netaddr_ip addr;     /* Family 0: unbind its ended leases. */
    long long expires;          /* s since the epoch; 0: never. */
    bool release;               /* Unbind 'addr' (its client gave it
                                 * up). */
    bool in_txn;                /* In the transaction in flight. */
};

/* A packet-in of a "dhcp-snoop" flow (DHCP or DHCPv6). */
void engine_snoop_packet_in__(struct engine *e,
                              const struct ofctrl_packet_in *pin);
/* A packet-in of a "dhcp-client-snoop" flow (DHCP or DHCPv6). */
void engine_snoop_client_in__(struct engine *e,
                              const struct ofctrl_packet_in *pin);
/* Adds to 'txn' the ops that write the queued leases and take away those
 * that ended; returns how many (none that ovs-vswitchd reads). */
int engine_snoop_plan__(struct engine *e, struct ovsdb_txn *txn);
/* True if leases wait for a transaction, or one has ended. */
bool engine_snoop_queued__(const struct engine *e);
/* The transaction in flight is done: forgets its leases (the replica
 * shows them now, or the client's renewal binds it). */
void engine_snoop_txn_done__(struct engine *e);
void engine_snoop_destroy__(struct engine *e);
/* The "dhcp_snoop" object of the status (new reference). */
json_t *engine_snoop_status__(const struct engine *e);
const char *engine_snoop_reason_name__(enum engine_snoop_reason r);

/* engine-learn.c */

/* An address a guest took on first use, to bind to its port. */
struct engine_learn {
    char *port;                 /* The port's name. */
    int vlan;
    struct netaddr_mac mac;     /* The port's MAC when it asked. */
    struct netaddr_ip addr;
    bool in_txn;                /* In the transaction in flight. */
    bool registering;           /* Cluster mode: waiting for the
                                 * registry (engine_learn_registered()). */
};

/* A packet-in of an "address-learn-punt" flow. */
void engine_learn_packet_in__(struct engine *e,
                              const struct ofctrl_packet_in *pin);
/* Adds to 'txn' the ops that write the queued bindings; returns how many
 * (none that ovs-vswitchd reads). */
int engine_learn_plan__(struct engine *e, struct ovsdb_txn *txn);
/* True if bindings wait for a transaction. */
bool engine_learn_queued__(const struct engine *e);
/* The transaction in flight is done: forgets its bindings (the replica
 * shows them now, or the guest's next packet asks again). */
void engine_learn_txn_done__(struct engine *e);
void engine_learn_destroy__(struct engine *e);

/* engine-ll.c */

/* A link-local address to bind to a port. */
struct engine_ll {
    char *port;                 /* The port's name. */
    int vlan;
    struct in6_addr addr;
    bool in_txn;                /* In the transaction in flight. */
    bool registering;           /* Cluster mode: waiting for the
                                 * registry (engine_ll_registered()). */
};

/* The name of the port (of the bridge, or another host's: merged or in
 * 'remote.macs') of the network of 'vlan' other than 'name' with 'mac',
 * or NULL. */
const char *engine_mac_owner__(struct engine *e, int vlan,
                               const struct netaddr_mac *mac,
                               const char *name);
/* A packet-in of a "link-local-punt" flow. */
void engine_ll_packet_in__(struct engine *e,
                           const struct ofctrl_packet_in *pin);
/* Adds to 'txn' the ops that write the queued bindings; returns how many
 * (none that ovs-vswitchd reads). */
int engine_ll_plan__(struct engine *e, struct ovsdb_txn *txn);
/* True if bindings wait for a transaction. */
bool engine_ll_queued__(const struct engine *e);
/* Cuts from the 'n' ports of 'ports' the bound link-local addresses that
 * are the EUI-64 link-local address of another port of their network
 * (that port's own, whenever it came): one of 'ports' or of 'macs'
 * (other hosts' ports outside 'ports', by engine_mac_key__()); the cut
 * ports' 'lls' point into '*bufp' (reallocated).  The 'n_pending' ports
 * from 'pending' on are adds in progress, and those before them the
 * bridge's: returns the number of addresses cut from the bridge's ports
 * for a port that is not an add in progress (those the Interfaces lose;
 * the others only the flows, until the add is done). */
size_t engine_ll_void__(struct pipeline_port *ports, size_t n,
                        size_t pending, size_t n_pending,
                        const struct gn_strmap *macs,
                        struct netaddr_ip **bufp);
/* True if port 'p' has a bound link-local address that is the EUI-64 one
 * of another MAC (only such a binding can be void). */
bool engine_ll_foreign__(const struct pipeline_port *p);
/* The transaction in flight is done: forgets its bindings (the replica
 * shows them now, or the guest's next packet asks again). */
void engine_ll_txn_done__(struct engine *e);
void engine_ll_destroy__(struct engine *e);

/* engine.c */

/* Records 'error' (copied; NULL clears it) as the status's last error. */
void engine_set_error__(struct engine *e, const char *error);

/* Returns {"error": {"message": 'message'}} (new reference). */
json_t *engine_error_body__(const char *message);

/* The UUID of the integration bridge's row (borrowed), or NULL. */
const char *engine_bridge_uuid__(const struct engine *e);

/* Brings the port view up to date with the replica and the config. */
struct port_view *engine_view__(struct engine *e);

/* Runs a reconcile step soon, from the event loop. */
void engine_schedule__(struct engine *e);

/* Returns the ofport that the port named 'name' has its flows for in the
 * table of 'e->flows_seqno', or 0 if it has none there (a port whose flows
 * could not be built, its MAC clashing with another port's, has none) or
 * -1 while that is not known (the table is half rebuilt). */
int engine_flows_ofport__(const struct engine *e, const char *name);

/* engine-ops.c */

/* Frees 'op', which is on no queue. */
void engine_op_free__(struct engine_op *op);

/* Unlinks 'op' from the queue, calls its callback with 'status' and 'body'
 * (stolen) and frees it. */
void engine_op_finish__(struct engine *e, struct engine_op *op, int status,
                        json_t *body);

/* On the device worker: the devices of a deleted port go. */
char *engine_delete_devices__(void *op_);

/* ovsdb_txn callback of the engine's transactions: settles each request
 * that took part ('res' borrowed) and schedules the next step. */
void engine_txn_done__(struct ovsdb_txn *txn,
                       const struct ovsdb_txn_result *res, void *e_);

/* For ops whose transaction's outcome is unknown: settles those the
 * replica shows as applied. */
void engine_settle_maybe_applied__(struct engine *e);

/* Validates the requests that arrived while OVSDB was away. */
void engine_drain_unsynced__(struct engine *e);

/* Completes the APPLYING ops that ovs-vswitchd has applied, and answers
 * those that waited past their deadlines. */
void engine_check_applied__(struct engine *e);

/* engine-sweep.c */

/* Starts a sweep if one is due and none is in flight: it checks that the
 * devices of guestnet's ports exist (every ENGINE_DEVICE_CHECK_MS, filling
 * 'e->missing') and removes the devices a crash left behind (the first
 * time once the replica is synced and the switch holds the flow table, or
 * ENGINE_FIRST_SWEEP_WAIT_MS after the sync, then every
 * ENGINE_SWEEP_MS). */
void engine_sweep_maybe__(struct engine *e);

/* True if the port whose Interface is 'iface_uuid' lost the device
 * guestnet made for it (as of the last check). */
bool engine_device_missing__(const struct engine *e, const char *iface_uuid);

/* Frees a sweep whose completion will not run (accepts NULL). */
void engine_sweep_free__(struct engine_sweep *s);

/* engine-status.c */

/* Follows whether ovs-vswitchd applies guestnetd's transactions (for
 * engine_health()); call at every step while the replica is synced. */
void engine_track_applied__(struct engine *e);

/* The root row's integer 'column', or -1. */
json_int_t engine_root_int__(const struct engine *e, const char *column);

/* Returns the Port row named 'name' on the bridge, or NULL. */
const json_t *engine_find_port__(const struct engine *e, const char *name);
/* The (first) Interface row of the bridge's port named 'name', with its
 * UUID in '*uuidp' (if nonnull; NULL if none), or NULL (both borrowed). */
const json_t *engine_find_iface__(const struct engine *e, const char *name,
                                  const char **uuidp);

/* Port row 'port' (borrowed) as API JSON (new reference), with what its
 * guest needs if 'with_guest_config'. */
json_t *engine_port_json__(const struct engine *e, const json_t *port,
                           bool with_guest_config);

/* engine-limits.c */

/* Forgets 'aux' of the limit requests in flight (see engine_forget()). */
void engine_limits_forget__(struct engine *e, void *aux);
/* Frees every limit request in flight, unanswered. */
void engine_limits_destroy__(struct engine *e);
/* engine-spoof.c */

/* Starts and stops watching the ports' spoofing drops (stop after
 * ofctrl_destroy(): no answer comes after it). */
void engine_spoof_start__(struct engine *e);
void engine_spoof_destroy__(struct engine *e);
/* Bumped whenever a port's spoofing mark comes or goes. */
unsigned long long engine_spoof_gen__(const struct engine *e);
/* Adds the spoofing mark of the port named 'name' to its API JSON
 * 'port': "spoofing", "spoofing_since" (s since the epoch, or null),
 * "spoofing_episodes". */
void engine_spoof_port_json__(const struct engine *e, const char *name,
                              json_t *port);
/* The "spoofing" object of the status (new reference): the threshold,
 * the quiet interval, the episodes so far and the ports marked now. */
json_t *engine_spoof_status__(const struct engine *e);

/* engine-remote.c */

/* The pipeline's ports: the bridge's (blocked ones flagged), the adds in
 * progress (engine_ofport_pending__()), then other hosts' (not those of
 * 'remote.macs'). */
const struct pipeline_port *engine_remote_merge__(struct engine *,
                                                  size_t *n);
/* The key of a VLAN and MAC in 'remote.macs' and engine_ll_void__()'s
 * map: "VLAN/MAC". */
#define ENGINE_MAC_KEY_SIZE 32
void engine_mac_key__(int vlan, const struct netaddr_mac *mac,
                      char key[ENGINE_MAC_KEY_SIZE]);
/* The name of the first port of 'remote.macs' (another host's, outside
 * the merged ports) with 'vlan' and 'mac' that is not named 'other_than'
 * (NULL: any), or NULL. */
const char *engine_remote_mac_owner__(const struct engine *, int vlan,
                                      const struct netaddr_mac *mac,
                                      const char *other_than);
/* After a config change: moves other hosts' ports between 'remote.ports'
 * and 'remote.macs' if a network became private or stopped being. */
void engine_remote_config__(struct engine *);
void engine_remote_destroy__(struct engine *);
/* Makes 'dst' a copy of 'src' that owns its name, addresses and
 * link-local addresses; engine_port_clear__() frees those. */
void engine_port_copy__(struct pipeline_port *dst,
                        const struct pipeline_port *src);
void engine_port_clear__(struct pipeline_port *);
/* Frees 'ports' (n of them) with the names, addresses and link-local
 * addresses they own. */
void engine_ports_free__(struct pipeline_port *ports, size_t n);

/* engine-ofport.c */

/* Gives add 'op' an OpenFlow port number to ask for (in its spec's
 * ofport_request; 0 if none is free). */
void engine_ofport_pick__(struct engine *, struct engine_op *op);
/* Call when 'op' ends or is rolled back: its pending port goes. */
void engine_ofport_forget__(struct engine *, const struct engine_op *op);
/* Call when 'op' ends: if it is an add whose transaction committed, its
 * pending port stays until the view has the port with its number (or
 * ENGINE_OFPORT_KEEP_MS has passed), so that an add answered before
 * (?wait=false, 504) keeps the flows installed ahead. */
void engine_ofport_keep__(struct engine *, const struct engine_op *op);
/* The pending ports of the adds in progress that the view's ports
 * 'view' (n_view of them) do not hold yet; stays the same array while
 * nothing it depends on changes. */
const struct pipeline_port *engine_ofport_pending__(
    struct engine *, const struct pipeline_port *view, size_t n_view,
    size_t *n);
/* After a flows step: notes the table that carries each add's flows. */
void engine_ofport_note__(struct engine *);
/* True if add 'op' may go into a transaction: its flows are in the
 * switch, or it cannot or need not wait for them any longer. */
bool engine_ofport_may_plan__(const struct engine *,
                              const struct engine_op *op);
void engine_ofport_destroy__(struct engine *);

/* What the flows are built from besides the config: changes whenever the
 * pipeline's ports may have. */
unsigned long long engine_flows_input_gen__(const struct engine *);

#endif /* engine-private.h */
