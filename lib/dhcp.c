/* dhcp.c: DHCPv4 messages for guestnetd's built-in server (see
 * include/dhcp.h): the parser of a client's frame, the server's decision
 * and the frame of its answer.  Pure: bytes in, bytes out. */
#include <config.h>

#include "dhcp.h"

#include <arpa/inet.h>
#include <string.h>

#include "gn-config.h"

#define DHCP_ETH_LEN 14
#define DHCP_IP_LEN 20              /* The header dhcp_build() writes. */
#define DHCP_UDP_LEN 8
#define DHCP_BOOTP_LEN 236          /* op ... file, before the cookie. */
#define DHCP_COOKIE 0x63825363u     /* RFC 2131 3: 99.130.83.99. */
#define DHCP_MIN_PAYLOAD 300        /* RFC 1542 2.1: the least a BOOTP
                                     * relay or client must accept. */

/* Offsets in the BOOTP message. */
enum {
    B_OP = 0, B_HTYPE = 1, B_HLEN = 2, B_XID = 4, B_FLAGS = 10,
    B_CIADDR = 12, B_YIADDR = 16, B_CHADDR = 28, B_COOKIE = 236,
    B_OPTIONS = 240,
};

/* Options. */
enum {
    O_PAD = 0, O_NETMASK = 1, O_ROUTER = 3, O_DNS = 6, O_REQUESTED = 50,
    O_LEASE = 51, O_TYPE = 53, O_SERVER_ID = 54, O_T1 = 58, O_T2 = 59,
    O_END = 255,
};

static uint16_t
get16__(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static uint32_t
get32__(const uint8_t *p)
{
    uint32_t v;

    memcpy(&v, p, 4);           /* Network byte order, unaligned. */
    return v;
}

/* Walks the options 'opt'/'len' of a client's message into 'msg'.
 * Returns NULL or a static reason. */
static const char *
dhcp_parse_options__(const uint8_t *opt, size_t len, struct dhcp_msg *msg)
{
    size_t i = 0;
    bool have_type = false;

    while (i < len) {
        uint8_t code = opt[i];
        uint8_t n;

        if (code == O_PAD) {
            i++;
            continue;
        }
        if (code == O_END) {
            break;
        }
        if (i + 2 > len) {
            return "truncated option";
        }
        n = opt[i + 1];
        if (n > len - i - 2) {
            return "option longer than the message";
        }
        const uint8_t *v = &opt[i + 2];
        switch (code) {
        case O_TYPE:
            if (n != 1 || have_type) {
                return "bad or repeated message type option";
            }
            have_type = true;
            msg->type = v[0];
            break;
        case O_REQUESTED:
            if (n != 4) {
                return "bad requested address option";
            }
            msg->requested_ip = get32__(v);
            break;
        case O_SERVER_ID:
            if (n != 4) {
                return "bad server identifier option";
            }
            msg->server_id = get32__(v);
            break;
        case O_LEASE:
            if (n != 4) {
                return "bad lease time option";
            }
            msg->lease_secs = ntohl(get32__(v));
            msg->has_lease = true;
            break;
        default:
            break;
        }
        i += 2 + n;
    }
    if (!have_type) {
        return "no message type option";
    }
    if (msg->type < DHCP_DISCOVER || msg->type > DHCP_INFORM) {
        return "unknown message type";
    }
    return NULL;
}

/* Parses 'frame'/'len' into 'msg': a client's message (UDP 68 to 67, a
 * BOOTREQUEST) or, if 'reply', a server's (UDP 67 to 68, a BOOTREPLY).
 * Returns NULL or a static reason. */
static const char *
dhcp_parse__(const void *frame, size_t len, bool reply, struct dhcp_msg *msg)
{
    const uint8_t *p = frame;
    size_t ihl, ip_len, udp_len;
    int src_port = reply ? 67 : 68;

    memset(msg, 0, sizeof *msg);
    if (len < DHCP_ETH_LEN + DHCP_IP_LEN) {
        return "frame too short";
    }
    if (get16__(p + 12) != 0x0800) {
        return "not IPv4";
    }
    memcpy(msg->eth_dst, p, 6);
    memcpy(msg->eth_src, p + 6, 6);
    p += DHCP_ETH_LEN;
    len -= DHCP_ETH_LEN;

    /* IPv4 header. */
    if ((p[0] >> 4) != 4 || (ihl = (size_t) (p[0] & 0xf) * 4) < 20) {
        return "bad IPv4 header";
    }
    ip_len = get16__(p + 2);
    if (ip_len < ihl || ip_len > len) {
        return "bad IPv4 length";
    }
    if (get16__(p + 6) & 0x3fff) {
        return "IPv4 fragment";
    }
    if (p[9] != 17) {
        return "not UDP";
    }
    msg->ip_src = get32__(p + 12);
    msg->ip_dst = get32__(p + 16);
    p += ihl;
    len = ip_len - ihl;

    /* UDP header. */
    if (len < DHCP_UDP_LEN) {
        return "truncated UDP header";
    }
    udp_len = get16__(p + 4);
    if (udp_len < DHCP_UDP_LEN || udp_len > len) {
        return "bad UDP length";
    }
    if (get16__(p) != src_port || get16__(p + 2) != 67 + 68 - src_port) {
        return (reply ? "not from a DHCP server to a client"
                : "not from a DHCP client to a server");
    }
    p += DHCP_UDP_LEN;
    len = udp_len - DHCP_UDP_LEN;

    /* BOOTP. */
    if (len < B_OPTIONS) {
        return "truncated BOOTP message";
    }
    if (p[B_OP] != (reply ? 2 : 1) || p[B_HTYPE] != 1 || p[B_HLEN] != 6) {
        return (reply ? "not a BOOTREPLY with an Ethernet address"
                : "not a BOOTREQUEST with an Ethernet address");
    }
    if (ntohl(get32__(p + B_COOKIE)) != DHCP_COOKIE) {
        return "no DHCP magic cookie";
    }
    msg->xid = get32__(p + B_XID);
    memcpy(&msg->flags, p + B_FLAGS, 2);
    msg->ciaddr = get32__(p + B_CIADDR);
    msg->yiaddr = get32__(p + B_YIADDR);
    memcpy(msg->chaddr, p + B_CHADDR, 6);
    return dhcp_parse_options__(p + B_OPTIONS, len - B_OPTIONS, msg);
}

const char *
dhcp_parse(const void *frame, size_t len, struct dhcp_msg *msg)
{
    return dhcp_parse__(frame, len, false, msg);
}

const char *
dhcp_parse_reply(const void *frame, size_t len, struct dhcp_msg *msg)
{
    return dhcp_parse__(frame, len, true, msg);
}

enum dhcp_type
dhcp_answer(const struct dhcp_msg *msg, const struct dhcp_lease *lease,
            const char **why)
{
    const char *dummy;
    uint32_t asked;

    why = why ? why : &dummy;
    *why = NULL;
    if (memcmp(msg->chaddr, lease->client_mac, 6)
        || memcmp(msg->eth_src, lease->client_mac, 6)) {
        *why = "chaddr or source MAC is not the port's";
        return 0;
    }
    switch (msg->type) {
    case DHCP_DISCOVER:
        return DHCP_OFFER;
    case DHCP_REQUEST:
        if (msg->server_id && msg->server_id != lease->server_ip) {
            *why = "the client chose another server";
            return 0;
        }
        asked = msg->requested_ip ? msg->requested_ip : msg->ciaddr;
        if (asked != lease->client_ip) {
            *why = "requested another address than the port's";
            return DHCP_NAK;
        }
        return DHCP_ACK;
    case DHCP_INFORM:
        if (msg->ciaddr != lease->client_ip) {
            *why = "INFORM from another address than the port's";
            return 0;
        }
        return DHCP_ACK;
    case DHCP_RELEASE:
        *why = "released";
        return 0;
    case DHCP_DECLINE:
        *why = "the client declined the address (in use?)";
        return 0;
    case DHCP_OFFER:
    case DHCP_ACK:
    case DHCP_NAK:
    default:
        *why = "a server's message";
        return 0;
    }
}

/* The Internet checksum of 'n' bytes at 'p', added to 'sum'. */
static uint32_t
dhcp_csum_add__(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += get16__(p + i);
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
dhcp_csum_fold__(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) ~sum;
}

static uint8_t *
put_opt__(uint8_t *o, uint8_t code, const void *v, uint8_t n)
{
    *o++ = code;
    *o++ = n;
    memcpy(o, v, n);
    return o + n;
}

static uint8_t *
put_opt32__(uint8_t *o, uint8_t code, uint32_t v_be)
{
    return put_opt__(o, code, &v_be, 4);
}

size_t
dhcp_build(const struct dhcp_msg *msg, enum dhcp_type type,
           const struct dhcp_lease *lease, uint8_t *buf)
{
    uint8_t *eth = buf, *ip = buf + DHCP_ETH_LEN;
    uint8_t *udp = ip + DHCP_IP_LEN, *b = udp + DHCP_UDP_LEN;
    uint8_t *o = b + B_OPTIONS;
    uint32_t dst = msg->ciaddr ? msg->ciaddr : htonl(INADDR_BROADCAST);
    uint8_t t = type;
    size_t n_dns = lease->n_dns < 8 ? lease->n_dns : 8;
    size_t payload, udp_len, ip_len;
    uint16_t v16;
    uint32_t sum;

    memset(buf, 0, DHCP_FRAME_MAX);

    /* BOOTP. */
    b[B_OP] = 2;
    b[B_HTYPE] = 1;
    b[B_HLEN] = 6;
    memcpy(b + B_XID, &msg->xid, 4);
    memcpy(b + B_FLAGS, &msg->flags, 2);
    memcpy(b + B_CIADDR, &msg->ciaddr, 4);
    if (type != DHCP_NAK && msg->type != DHCP_INFORM) {
        memcpy(b + B_YIADDR, &lease->client_ip, 4);
    }
    memcpy(b + B_CHADDR, msg->chaddr, 6);
    uint32_t cookie = htonl(DHCP_COOKIE);
    memcpy(b + B_COOKIE, &cookie, 4);

    o = put_opt__(o, O_TYPE, &t, 1);
    o = put_opt32__(o, O_SERVER_ID, lease->server_ip);
    if (type != DHCP_NAK) {
        if (msg->type != DHCP_INFORM) {
            o = put_opt32__(o, O_LEASE, htonl(lease->lease_secs));
            o = put_opt32__(o, O_T1, htonl(lease->lease_secs / 2));
            o = put_opt32__(o, O_T2, htonl(lease->lease_secs / 8 * 7));
        }
        o = put_opt32__(o, O_NETMASK, lease->netmask);
        o = put_opt32__(o, O_ROUTER, lease->server_ip);
        if (n_dns) {
            o = put_opt__(o, O_DNS, lease->dns, n_dns * 4);
        }
    }
    *o++ = O_END;
    payload = o - b;
    if (payload < DHCP_MIN_PAYLOAD) {
        payload = DHCP_MIN_PAYLOAD;
    }

    /* UDP, with its checksum over the pseudo-header. */
    udp_len = DHCP_UDP_LEN + payload;
    udp[0] = 0; udp[1] = 67;
    udp[2] = 0; udp[3] = 68;
    udp[4] = udp_len >> 8; udp[5] = udp_len & 0xff;
    sum = dhcp_csum_add__(0, (const uint8_t *) &lease->server_ip, 4);
    sum = dhcp_csum_add__(sum, (const uint8_t *) &dst, 4);
    sum += 17 + udp_len;
    sum = dhcp_csum_add__(sum, udp, udp_len);
    v16 = dhcp_csum_fold__(sum);
    if (!v16) {
        v16 = 0xffff;
    }
    udp[6] = v16 >> 8; udp[7] = v16 & 0xff;

    /* IPv4. */
    ip_len = DHCP_IP_LEN + udp_len;
    ip[0] = 0x45;
    ip[2] = ip_len >> 8; ip[3] = ip_len & 0xff;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, &lease->server_ip, 4);
    memcpy(ip + 16, &dst, 4);
    v16 = dhcp_csum_fold__(dhcp_csum_add__(0, ip, DHCP_IP_LEN));
    ip[10] = v16 >> 8; ip[11] = v16 & 0xff;

    /* Ethernet. */
    memcpy(eth, lease->client_mac, 6);
    memcpy(eth + 6, lease->server_mac, 6);
    eth[12] = 0x08; eth[13] = 0x00;
    return DHCP_ETH_LEN + ip_len;
}

const struct netaddr_ip *
dhcp_network_gateway(const struct gn_network *net, int family,
                     const struct netaddr_ip **subnetp)
{
    if (!net->dhcp) {
        return NULL;
    }
    for (size_t i = 0; i < net->n_gateways; i++) {
        for (size_t k = 0; k < net->n_subnets; k++) {
            if (net->gateways[i].family == family
                && netaddr_ip_in_subnet(&net->gateways[i],
                                        &net->subnets[k])) {
                if (subnetp) {
                    *subnetp = &net->subnets[k];
                }
                return &net->gateways[i];
            }
        }
    }
    return NULL;
}

const struct netaddr_ip *
dhcp_network_server(const struct gn_network *net,
                    const struct netaddr_ip **subnetp)
{
    return dhcp_network_gateway(net, AF_INET, subnetp);
}

const char *
dhcp_type_name(enum dhcp_type type)
{
    static const char *const names[] = {
        [DHCP_DISCOVER] = "DHCPDISCOVER", [DHCP_OFFER] = "DHCPOFFER",
        [DHCP_REQUEST] = "DHCPREQUEST", [DHCP_DECLINE] = "DHCPDECLINE",
        [DHCP_ACK] = "DHCPACK", [DHCP_NAK] = "DHCPNAK",
        [DHCP_RELEASE] = "DHCPRELEASE", [DHCP_INFORM] = "DHCPINFORM",
    };

    return (type >= DHCP_DISCOVER && type <= DHCP_INFORM ? names[type]
            : "DHCP(unknown)");
}
