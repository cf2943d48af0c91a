/* engine-dhcp6.c: guestnetd's IPv6 services, as the router of its
 * networks: router advertisements (lib/ra.c) and a DHCPv6 server
 * (lib/dhcp6.c), on each network where dhcp6_network_server() finds an
 * IPv6 gateway in an IPv6 subnet and "dhcp" is on.
 *
 * The switch sends a guest's router solicitations and DHCPv6 client
 * messages up (the port's "router-solicitation-punt" and "dhcp6-punt"
 * flows, through its DHCP meter: include/pipeline.h).  A solicitation is
 * answered with an advertisement to the guest alone; a DHCPv6 message
 * with the port's IPv6 address in the gateway's subnet, declared or
 * assigned (engine-ipam.c), which its flows already bind.  Every answer
 * leaves out of the port only.
 *
 * Router advertisements come from the gateway's link-local address (the
 * EUI-64 address of the network's gateway MAC, which the pipeline answers
 * neighbour solicitations for), with: M and O set (addresses and DNS by
 * DHCPv6), a router lifetime of ENGINE_RA_ROUTER_LIFETIME, the source
 * link-layer option, the MTU option if the network sets "mtu", and the
 * gateway's subnet as Prefix Information with on-link set and autonomous
 * clear: a guest then picks no SLAAC address, which port security would
 * drop.  Unsolicited advertisements (RFC 4861 6.2.4) reach guests that
 * missed the answer or came up before their port's flows: a timer fires
 * about once a second (0.5 to 1.5 s, random, so that hosts do not
 * synchronize); a port that came since the last tick gets one at once
 * (its guest learns its router even if it never solicits), and then the
 * ports get one each in turn, as many a tick as make every served port
 * get one per ENGINE_RA_CYCLE_SECS (within RFC 4861's 200-600 s), at most
 * ENGINE_RA_BURST a tick: the loop never sends a packet-out per port at
 * once, whatever the number of ports.
 *
 * There is no lease state: the port's address is its lease.  A RELEASE
 * or DECLINE is answered (Success) and logged; the address stays the
 * port's.  The server's DUID is the gateway MAC's DUID-LL, the same after
 * a restart. */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "dhcp6.h"
#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ip6-frame.h"
#include "ofctrl.h"
#include "pipeline.h"
#include "port-view.h"
#include "ra.h"

GN_LOG_MODULE(dhcp6);

#define ENGINE_RA_ROUTER_LIFETIME 1800  /* RFC 4861: 3 x MaxRtrAdvInterval. */
#define ENGINE_RA_CYCLE_SECS 300
#define ENGINE_RA_BURST 64
#define ENGINE_RA_VALID_SECS 2592000    /* RFC 4861 6.2.1 defaults. */
#define ENGINE_RA_PREFERRED_SECS 604800
#define ENGINE_DHCP6_PREFERRED_SECS 3600
#define ENGINE_DHCP6_VALID_SECS 7200

const struct pipeline_port *
engine_punt_port__(struct engine *e, const struct ofctrl_packet_in *pin,
                   const char **why)
{
    const struct pipeline_port *ports;
    size_t n;

    if (pipeline_cookie_object(pin->cookie) != pin->in_port) {
        *why = "not from a punt flow of its port";
        return NULL;
    }
    if (pin->truncated) {
        *why = "truncated";
        return NULL;
    }
    ports = port_view_pipeline_ports(engine_view__(e), &n);
    for (size_t i = 0; i < n; i++) {
        if (ports[i].ofport == (int) pin->in_port && !ports[i].remote) {
            return &ports[i];
        }
    }
    *why = "no port with that ofport";
    return NULL;
}

/* The network of port 'p' if guestnetd serves IPv6 to it, with its IPv6
 * gateway subnet in '*subnetp'; else NULL with a reason in '*why'. */
static const struct gn_network *
engine_dhcp6_network__(struct engine *e, const struct pipeline_port *p,
                       const struct netaddr_ip **subnetp, const char **why)
{
    const struct gn_network *net = gn_config_find_vlan(e->cfg, p->vlan);

    if (!net || !dhcp6_network_server(net, subnetp)) {
        *why = "no IPv6 service on its network";
        return NULL;
    }
    if (p->server || p->blocked) {
        *why = "its network's server, or blocked";
        return NULL;
    }
    return net;
}

/* Sends the router advertisement of 'net' (gateway subnet 'subnet') to
 * port 'p' at 'dst' ("::" for ff02::1).  Returns 0 or an errno. */
static int
engine_ra_send__(struct engine *e, const struct gn_network *net,
                 const struct netaddr_ip *subnet,
                 const struct pipeline_port *p, const struct in6_addr *dst)
{
    struct ra_params ra = {
        .managed = true,
        .other = true,
        .router_lifetime = ENGINE_RA_ROUTER_LIFETIME,
        .mtu = net->mtu > 0 ? (uint32_t) net->mtu : 0,
        .prefix = subnet->addr.v6,
        .prefix_len = subnet->plen,
        .valid_lifetime = ENGINE_RA_VALID_SECS,
        .preferred_lifetime = ENGINE_RA_PREFERRED_SECS,
    };
    struct netaddr_mac gw;
    uint8_t frame[RA_FRAME_MAX];

    pipeline_gateway_mac(net->vlan, &gw);
    memcpy(ra.router_mac, gw.b, 6);
    if (IN6_IS_ADDR_UNSPECIFIED(dst)) {
        static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };

        inet_pton(AF_INET6, "ff02::1", &ra.dst);
        memcpy(ra.dst_mac, all_nodes_mac, 6);
    } else {
        ra.dst = *dst;
        memcpy(ra.dst_mac, p->mac.b, 6);
    }
    return ofctrl_packet_out(e->ofctrl, p->ofport, frame,
                             ra_build(&ra, frame));
}

/* Answers the router solicitation 'frame'/'len' of port 'p'.  Returns
 * true, or false with a static reason in '*why'. */
static bool
engine_rs__(struct engine *e, const struct pipeline_port *p,
            const void *frame, size_t len, const char **why)
{
    const struct netaddr_ip *subnet;
    const struct gn_network *net = engine_dhcp6_network__(e, p, &subnet,
                                                          why);
    struct ra_solicit rs;

    if (!net || (*why = ra_parse_solicit(frame, len, &rs))) {
        return false;
    }
    if (memcmp(rs.eth_src, p->mac.b, 6)
        || (rs.has_sll && memcmp(rs.sll, p->mac.b, 6))) {
        *why = "source MAC or link-layer option is not the port's";
        return false;
    }
    if (engine_ra_send__(e, net, subnet, p, &rs.src)) {
        *why = "no OpenFlow connection";
        return false;
    }
    return true;
}

/* Fills 'lease' for port 'p' of network 'net' (gateway subnet 'subnet'),
 * with its DNS servers in 'dns'. */
static void
engine_dhcp6_lease__(const struct gn_network *net,
                     const struct netaddr_ip *subnet,
                     const struct pipeline_port *p,
                     struct dhcp6_lease *lease,
                     struct in6_addr dns[GN_CONFIG_DNS_MAX])
{
    struct netaddr_mac gw;

    memset(lease, 0, sizeof *lease);
    pipeline_gateway_mac(net->vlan, &gw);
    memcpy(lease->server_mac, gw.b, 6);
    memcpy(lease->client_mac, p->mac.b, 6);
    for (size_t i = 0; i < p->n_ips && !lease->has_ip; i++) {
        if (p->ips[i].family == AF_INET6
            && netaddr_ip_in_subnet(&p->ips[i], subnet)) {
            lease->has_ip = true;
            lease->client_ip = p->ips[i].addr.v6;
        }
    }
    lease->preferred_secs = ENGINE_DHCP6_PREFERRED_SECS;
    lease->valid_secs = ENGINE_DHCP6_VALID_SECS;
    for (size_t i = 0; i < net->n_dns6; i++) {
        dns[i] = net->dns6[i].addr.v6;
    }
    lease->dns = dns;
    lease->n_dns = net->n_dns6;
}

/* Answers the DHCPv6 message 'frame'/'len' of port 'p'.  Returns the
 * answer's type, or 0 with a static reason in '*why'. */
static enum dhcp6_type
engine_dhcp6__(struct engine *e, const struct pipeline_port *p,
               const void *frame, size_t len, const char **why)
{
    const struct netaddr_ip *subnet;
    const struct gn_network *net = engine_dhcp6_network__(e, p, &subnet,
                                                          why);
    struct in6_addr dns[GN_CONFIG_DNS_MAX];
    uint8_t reply[DHCP6_FRAME_MAX];
    struct dhcp6_lease lease;
    struct dhcp6_answer a;
    struct dhcp6_msg msg;
    char addr[INET6_ADDRSTRLEN];

    if (!net || (*why = dhcp6_parse(frame, len, &msg))) {
        return 0;
    }
    engine_dhcp6_lease__(net, subnet, p, &lease, dns);
    dhcp6_answer(&msg, &lease, &a, why);
    if (!a.type) {
        return 0;
    }
    len = dhcp6_build(&msg, &a, &lease, reply);
    if (ofctrl_packet_out(e->ofctrl, p->ofport, reply, len)) {
        *why = "no OpenFlow connection";
        return 0;
    }
    inet_ntop(AF_INET6, &lease.client_ip, addr, sizeof addr);
    if (msg.type == DHCP6_DECLINE) {
        static struct gn_log_rl rl = GN_LOG_RL_INIT(1, 5);

        GN_LOG_WARN_RL(&rl, "port %s: DECLINE of %s: something else on its "
                       "link claims the port's address", p->name, addr);
    }
    GN_LOG_DBG("port %s: %s -> %s %s%s", p->name,
               dhcp6_type_name(msg.type), dhcp6_type_name(a.type),
               lease.has_ip ? addr : "(no address)",
               *why ? *why : "");
    return a.type;
}

void
engine_dhcp6_packet_in__(struct engine *e,
                         const struct ofctrl_packet_in *pin)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    long long start = gn_time_usec();
    bool rs = pin->cookie >> 48 == PIPELINE_RULE_RS_PUNT;
    const char *why = NULL;
    const struct pipeline_port *p = engine_punt_port__(e, pin, &why);
    bool answered = false;

    if (p && rs) {
        answered = engine_rs__(e, p, pin->packet, pin->len, &why);
    } else if (p) {
        answered = engine_dhcp6__(e, p, pin->packet, pin->len, &why) != 0;
    }
    if (answered) {
        (*(rs ? &e->n_ra_solicited : &e->n_dhcp6_replies))++;
    } else {
        (*(rs ? &e->n_rs_ignored : &e->n_dhcp6_ignored))++;
        GN_LOG_INFO_RL(&rl, "port %s (ofport %u): %s not answered: %s",
                       p ? p->name : "?", pin->in_port,
                       rs ? "router solicitation" : "DHCPv6 message",
                       why ? why : "?");
    }
    long long us = gn_time_usec() - start;
    if (us > e->dhcp_max_us) {
        e->dhcp_max_us = us;
    }
}

/* A pseudo-random number (xorshift), for the timer's jitter. */
static uint32_t
engine_ra_random__(struct engine *e)
{
    uint32_t x = e->ra_random;

    if (!x) {
        x = (uint32_t) gn_time_usec() ^ (uint32_t) getpid() ^ 0x9e3779b9u;
    }
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return e->ra_random = x ? x : 1;
}

/* Sends the periodic advertisement to port 'p' if guestnetd serves IPv6
 * to it.  Returns true if it does. */
static bool
engine_ra_periodic__(struct engine *e, const struct pipeline_port *p)
{
    const struct gn_network *net;
    const struct netaddr_ip *subnet;
    const char *why;

    if (p->remote || p->ofport <= 0
        || !(net = engine_dhcp6_network__(e, p, &subnet, &why))) {
        return false;
    }
    if (!engine_ra_send__(e, net, subnet, p, &in6addr_any)) {
        e->n_ra_periodic++;
    }
    return true;
}

static int
engine_ra_cmp__(const void *a_, const void *b_)
{
    int a = *(const int *) a_, b = *(const int *) b_;

    return a < b ? -1 : a > b;
}

/* The ports that came since the last tick (ofports not in the sorted
 * 'e->ra_known') get their first advertisement now, up to 'budget' of
 * them (the others at the next tick); 'e->ra_known' becomes the ofports
 * of 'ports' once all are done.  Returns the number sent. */
static size_t
engine_ra_new_ports__(struct engine *e, const struct pipeline_port *ports,
                      size_t n, size_t budget)
{
    size_t sent = 0, i;
    int *now = gn_xmalloc((n + 1) * sizeof *now);

    for (i = 0; i < n; i++) {
        now[i] = ports[i].ofport;
        if (!e->n_ra_known
            || !bsearch(&now[i], e->ra_known, e->n_ra_known, sizeof *now,
                        engine_ra_cmp__)) {
            if (sent >= budget) {
                break;
            }
            sent += engine_ra_periodic__(e, &ports[i]);
        }
    }
    if (i < n) {
        free(now);              /* Not all done: again at the next tick. */
        return sent;
    }
    qsort(now, n, sizeof *now, engine_ra_cmp__);
    free(e->ra_known);
    e->ra_known = now;
    e->n_ra_known = n;
    e->ra_known_gen = port_view_pipeline_gen(e->view);
    return sent;
}

/* The periodic advertisements (see above): the new ports' first, then the
 * next ports in turn, as many as the credit of this tick allows. */
static void
engine_ra_tick__(evutil_socket_t fd, short what, void *e_)
{
    struct engine *e = e_;
    const struct pipeline_port *ports;
    size_t n, sent = 0;
    struct timeval tv;

    (void) fd;
    (void) what;
    ports = port_view_pipeline_ports(engine_view__(e), &n);
    if (port_view_pipeline_gen(e->view) != e->ra_known_gen
        || e->n_ra_known != n) {
        sent = engine_ra_new_ports__(e, ports, n, ENGINE_RA_BURST);
    }
    /* Each tick earns n / ENGINE_RA_CYCLE_SECS advertisements. */
    e->ra_credit += n;
    if (e->ra_credit > (size_t) ENGINE_RA_CYCLE_SECS * ENGINE_RA_BURST) {
        e->ra_credit = (size_t) ENGINE_RA_CYCLE_SECS * ENGINE_RA_BURST;
    }
    /* Every port visited costs its share, served or not, so that each
     * is visited once a cycle whatever the share of served ones. */
    for (size_t i = 0; i < n && sent < ENGINE_RA_BURST
                       && e->ra_credit >= ENGINE_RA_CYCLE_SECS; i++) {
        e->ra_cursor = e->ra_cursor < n ? e->ra_cursor : 0;
        e->ra_credit -= ENGINE_RA_CYCLE_SECS;
        sent += engine_ra_periodic__(e, &ports[e->ra_cursor++]);
    }
    tv.tv_sec = 0;
    tv.tv_usec = 500000 + engine_ra_random__(e) % 1000000;
    if (tv.tv_usec >= 1000000) {
        tv.tv_sec = 1;
        tv.tv_usec -= 1000000;
    }
    event_add(e->ra_ev, &tv);
}

void
engine_dhcp6_init__(struct engine *e)
{
    struct timeval tv = { 1, 0 };

    e->ra_ev = event_new(e->base, -1, 0, engine_ra_tick__, e);
    event_add(e->ra_ev, &tv);
}

void
engine_dhcp6_destroy__(struct engine *e)
{
    if (e->ra_ev) {
        event_free(e->ra_ev);
    }
    free(e->ra_known);
}
