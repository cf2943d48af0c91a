/* engine-dhcp.c: guestnetd's DHCPv4 server.  The switch sends a guest's
 * DHCP client messages up (the port's "dhcp-punt" flow, through its DHCP
 * meter: include/pipeline.h); this answers them with the port's own
 * IPv4 address, declared or assigned (engine-ops.c, engine-ipam.c),
 * which its flows already bind, and the network's gateway as router and
 * server identifier, in a frame sent out of the port only.  There is no
 * lease state: the port's address is its lease, for as long as the port
 * exists.
 *
 * Each packet costs a parse of at most PIPELINE_PUNT_MAX_LEN bytes, a
 * walk of the port view's pipeline ports and one packet-out: nothing
 * blocks, and ofctrl bounds how many come a second. */
#include <config.h>

#include <arpa/inet.h>
#include <string.h>

#include "dhcp.h"
#include "engine-private.h"
#include "gn-config.h"
#include "gn-log.h"
#include "ofctrl.h"
#include "pipeline.h"
#include "port-view.h"

GN_LOG_MODULE(dhcp);

/* The lease time handed out: the address stays the port's, so the lease
 * only says how often the guest asks again (and picks up a new DNS
 * list). */
#define ENGINE_DHCP_LEASE_SECS 3600

/* Fills 'lease' for port 'p' of network 'net', with its DNS servers in
 * 'dns' (the caller's, for as long as it uses 'lease').  Returns NULL, or
 * a static reason why guestnetd has no address to give it. */
static const char *
engine_dhcp_lease__(const struct gn_network *net,
                    const struct pipeline_port *p, struct dhcp_lease *lease,
                    uint32_t dns[GN_CONFIG_DNS_MAX])
{
    const struct netaddr_ip *server, *subnet;
    struct netaddr_mac gw_mac;

    server = dhcp_network_server(net, &subnet);
    if (!server) {
        return "no DHCP on its network";
    }
    if (p->server) {
        return "it is its network's server";
    }
    memset(lease, 0, sizeof *lease);
    for (size_t i = 0; i < p->n_ips; i++) {
        if (netaddr_ip_in_subnet(&p->ips[i], subnet)) {
            lease->client_ip = p->ips[i].addr.v4.s_addr;
            break;
        }
    }
    if (!lease->client_ip) {
        return "the port has no address in the gateway's subnet";
    }
    pipeline_gateway_mac(net->vlan, &gw_mac);
    memcpy(lease->server_mac, gw_mac.b, 6);
    memcpy(lease->client_mac, p->mac.b, 6);
    lease->server_ip = server->addr.v4.s_addr;
    lease->netmask = htonl(subnet->plen ? UINT32_MAX << (32 - subnet->plen)
                                        : 0);
    lease->lease_secs = ENGINE_DHCP_LEASE_SECS;
    for (size_t i = 0; i < net->n_dns; i++) {
        dns[i] = net->dns[i].addr.v4.s_addr;
    }
    lease->dns = dns;
    lease->n_dns = net->n_dns;
    return NULL;
}

/* Answers the DHCP message 'frame'/'len' that port 'p' sent.  Returns the
 * answer's type, or 0 with a static reason in '*why'. */
static enum dhcp_type
engine_dhcp_answer__(struct engine *e, const struct pipeline_port *p,
                     const void *frame, size_t len, const char **why)
{
    const struct gn_network *net = gn_config_find_vlan(e->cfg, p->vlan);
    uint8_t reply[DHCP_FRAME_MAX];
    uint32_t dns[GN_CONFIG_DNS_MAX];
    struct dhcp_lease lease;
    struct dhcp_msg msg;
    enum dhcp_type type;
    char addr[INET_ADDRSTRLEN];

    if (!net) {
        *why = "no network";
        return 0;
    }
    if ((*why = dhcp_parse(frame, len, &msg))) {
        return 0;
    }
    if ((*why = engine_dhcp_lease__(net, p, &lease, dns))) {
        return 0;
    }
    type = dhcp_answer(&msg, &lease, why);
    if (!type) {
        return 0;
    }
    len = dhcp_build(&msg, type, &lease, reply);
    if (ofctrl_packet_out(e->ofctrl, p->ofport, reply, len)) {
        *why = "no OpenFlow connection";
        return 0;
    }
    inet_ntop(AF_INET, &lease.client_ip, addr, sizeof addr);
    GN_LOG_DBG("port %s: %s -> %s %s", p->name, dhcp_type_name(msg.type),
               dhcp_type_name(type), addr);
    return type;
}

void
engine_packet_in__(const struct ofctrl_packet_in *pin, void *e_)
{
    static struct gn_log_rl rl = GN_LOG_RL_INIT(5, 10);
    struct engine *e = e_;
    long long start = gn_time_usec();
    const struct pipeline_port *ports, *p = NULL;
    const char *why = NULL;
    enum dhcp_type type = 0;
    size_t n;

    if (pin->cookie >> 48 == PIPELINE_RULE_RS_PUNT
        || pin->cookie >> 48 == PIPELINE_RULE_DHCP6_PUNT) {
        engine_dhcp6_packet_in__(e, pin);
        return;
    }
    if (pin->cookie >> 48 == PIPELINE_RULE_LINK_LOCAL_PUNT) {
        engine_ll_packet_in__(e, pin);
        return;
    }
    if (pin->cookie >> 48 == PIPELINE_RULE_ADDRESS_LEARN_PUNT) {
        engine_learn_packet_in__(e, pin);
        return;
    }
    if (pin->cookie >> 48 == PIPELINE_RULE_DHCP_SNOOP) {
        engine_snoop_packet_in__(e, pin);
        return;
    }
    if (pin->cookie >> 48 == PIPELINE_RULE_DHCP_CLIENT_SNOOP) {
        engine_snoop_client_in__(e, pin);
        return;
    }
    if (pin->cookie >> 48 != PIPELINE_RULE_DHCP_PUNT
        || pipeline_cookie_object(pin->cookie) != pin->in_port) {
        why = "not from a dhcp-punt flow of its port";
    } else if (pin->truncated) {
        why = "truncated";
    } else {
        ports = port_view_pipeline_ports(engine_view__(e), &n);
        for (size_t i = 0; i < n && !p; i++) {
            if (ports[i].ofport == (int) pin->in_port && !ports[i].remote) {
                p = &ports[i];
            }
        }
        why = p ? NULL : "no port with that ofport";
    }
    if (p) {
        type = engine_dhcp_answer__(e, p, pin->packet, pin->len, &why);
    }
    switch (type) {
    case DHCP_OFFER:
        e->n_dhcp_offers++;
        break;
    case DHCP_ACK:
        e->n_dhcp_acks++;
        break;
    case DHCP_NAK:
        e->n_dhcp_naks++;
        GN_LOG_INFO_RL(&rl, "port %s: DHCPNAK: %s", p->name, why);
        break;
    default:
        e->n_dhcp_ignored++;
        GN_LOG_INFO_RL(&rl, "port %s (ofport %u): DHCP message not "
                       "answered: %s", p ? p->name : "?", pin->in_port,
                       why ? why : "?");
        break;
    }
    long long us = gn_time_usec() - start;
    if (us > e->dhcp_max_us) {
        e->dhcp_max_us = us;
    }
}
