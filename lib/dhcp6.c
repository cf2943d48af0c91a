/* dhcp6.c: DHCPv6 messages for guestnetd's built-in server (see
 * include/dhcp6.h): the parser of a client's frame, the server's decision
 * and the frame of its answer.  Pure: bytes in, bytes out. */
#include <config.h>

#include "dhcp6.h"

#include <string.h>

#include "dhcp.h"
#include "gn-config.h"
#include "ip6-frame.h"

#define UDP_LEN 8
#define DHCP6_HDR_LEN 4

/* Options. */
enum {
    O_CLIENTID = 1, O_SERVERID = 2, O_IA_NA = 3, O_IAADDR = 5,
    O_STATUS = 13, O_RAPID_COMMIT = 14, O_DNS = 23,
};

static uint16_t
get16__(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

/* Reads the IA_NA option 'v'/'n' (its IAID, T1, T2 and options) into
 * 'msg', unless it has one already.  Returns NULL or a static reason. */
static const char *
dhcp6_parse_ia_na__(const uint8_t *v, size_t n, struct dhcp6_msg *msg)
{
    bool first = !msg->has_ia_na;

    if (n < 12) {
        return "IA_NA option too short";
    }
    if (first) {
        msg->has_ia_na = true;
        memcpy(msg->iaid, v, 4);
    }
    for (size_t i = 12; i < n; ) {
        size_t len;

        if (n - i < 4) {
            return "truncated option in IA_NA";
        }
        len = get16__(v + i + 2);
        if (len > n - i - 4) {
            return "option in IA_NA longer than the IA_NA";
        }
        if (get16__(v + i) == O_IAADDR) {
            if (len < 24) {
                return "IAADDR option too short";
            }
            if (first && msg->n_ia_addrs < DHCP6_IA_ADDRS_MAX) {
                const uint8_t *t = v + i + 4 + 20;  /* Valid lifetime. */

                msg->ia_valid[msg->n_ia_addrs] = ((uint32_t) t[0] << 24
                                                  | t[1] << 16 | t[2] << 8
                                                  | t[3]);
                memcpy(&msg->ia_addrs[msg->n_ia_addrs++], v + i + 4, 16);
            }
        }
        i += 4 + len;
    }
    return NULL;
}

/* Walks the options 'opt'/'len' of a client's message into 'msg'.
 * Returns NULL or a static reason. */
static const char *
dhcp6_parse_options__(const uint8_t *opt, size_t len, struct dhcp6_msg *msg)
{
    for (size_t i = 0; i < len; ) {
        uint16_t code;
        size_t n;
        const uint8_t *v;
        const char *error;

        if (len - i < 4) {
            return "truncated option";
        }
        code = get16__(opt + i);
        n = get16__(opt + i + 2);
        if (n > len - i - 4) {
            return "option longer than the message";
        }
        v = opt + i + 4;
        switch (code) {
        case O_CLIENTID:
        case O_SERVERID: {
            uint8_t *id = code == O_CLIENTID ? msg->client_id
                                             : msg->server_id;
            size_t *id_len = (code == O_CLIENTID ? &msg->client_id_len
                              : &msg->server_id_len);

            if (*id_len) {
                return "repeated client or server identifier";
            }
            if (n < 2 || n > DHCP6_DUID_MAX) {
                return "bad client or server identifier length";
            }
            memcpy(id, v, n);
            *id_len = n;
            break;
        }
        case O_IA_NA:
            if ((error = dhcp6_parse_ia_na__(v, n, msg))) {
                return error;
            }
            break;
        case O_RAPID_COMMIT:
            if (n) {
                return "rapid commit option with data";
            }
            msg->rapid_commit = true;
            break;
        default:
            break;
        }
        i += 4 + n;
    }
    return NULL;
}

/* Checks that 'msg' carries the identifiers RFC 8415 16 requires of its
 * type.  Returns NULL or a static reason. */
static const char *
dhcp6_check_ids__(const struct dhcp6_msg *msg)
{
    bool client = msg->client_id_len, server = msg->server_id_len;

    switch (msg->type) {
    case DHCP6_SOLICIT:
    case DHCP6_CONFIRM:
    case DHCP6_REBIND:
        return (!client ? "no client identifier"
                : server ? "a server identifier where none belongs"
                : NULL);
    case DHCP6_REQUEST:
    case DHCP6_RENEW:
    case DHCP6_RELEASE:
    case DHCP6_DECLINE:
        return (!client ? "no client identifier"
                : !server ? "no server identifier" : NULL);
    case DHCP6_INFORMATION_REQUEST:
        return msg->has_ia_na ? "an IA in an INFORMATION-REQUEST" : NULL;
    case DHCP6_ADVERTISE:
    case DHCP6_REPLY:
    case DHCP6_RECONFIGURE:
    default:
        return "not a client's message type";
    }
}

/* Parses 'frame'/'len' into 'msg': a client's message (UDP 546 to 547)
 * or, if 'reply', a server's (547 to 546).  Returns NULL or a static
 * reason. */
static const char *
dhcp6_parse__(const void *frame, size_t len, bool reply,
              struct dhcp6_msg *msg)
{
    struct ip6_frame f;
    const char *error;
    size_t udp_len;
    int src_port = reply ? 547 : 546;

    memset(msg, 0, sizeof *msg);
    if ((error = ip6_frame_parse(frame, len, &f))) {
        return error;
    }
    if (f.next != IPPROTO_UDP || f.len < UDP_LEN) {
        return "not UDP";
    }
    udp_len = get16__(f.payload + 4);
    if (udp_len < UDP_LEN || udp_len != f.len) {
        return "bad UDP length";
    }
    if (get16__(f.payload) != src_port
        || get16__(f.payload + 2) != 546 + 547 - src_port) {
        return (reply ? "not from a DHCPv6 server to a client"
                : "not from a DHCPv6 client to a server");
    }
    if (!get16__(f.payload + 6)
        || ip6_frame_csum(&f.src, &f.dst, IPPROTO_UDP, f.payload, f.len)) {
        return "bad UDP checksum";
    }
    if (udp_len < UDP_LEN + DHCP6_HDR_LEN) {
        return "truncated DHCPv6 message";
    }
    memcpy(msg->eth_dst, f.eth_dst, 6);
    memcpy(msg->eth_src, f.eth_src, 6);
    msg->src = f.src;
    msg->dst = f.dst;
    msg->type = f.payload[UDP_LEN];
    memcpy(msg->xid, f.payload + UDP_LEN + 1, 3);
    if (msg->type < DHCP6_SOLICIT
        || msg->type > DHCP6_INFORMATION_REQUEST) {
        return "unknown message type";
    }
    error = dhcp6_parse_options__(f.payload + UDP_LEN + DHCP6_HDR_LEN,
                                  udp_len - UDP_LEN - DHCP6_HDR_LEN, msg);
    if (error) {
        return error;
    }
    if (!reply) {
        return dhcp6_check_ids__(msg);
    }
    return (msg->type != DHCP6_ADVERTISE && msg->type != DHCP6_REPLY
            && msg->type != DHCP6_RECONFIGURE
            ? "not a server's message type" : NULL);
}

const char *
dhcp6_parse(const void *frame, size_t len, struct dhcp6_msg *msg)
{
    return dhcp6_parse__(frame, len, false, msg);
}

const char *
dhcp6_parse_reply(const void *frame, size_t len, struct dhcp6_msg *msg)
{
    return dhcp6_parse__(frame, len, true, msg);
}

/* Stores the server's DUID-LL for 'mac' in 'duid' (10 bytes). */
static void
dhcp6_duid__(const uint8_t mac[6], uint8_t duid[10])
{
    duid[0] = 0;
    duid[1] = 3;                /* DUID-LL. */
    duid[2] = 0;
    duid[3] = 1;                /* Ethernet. */
    memcpy(duid + 4, mac, 6);
}

/* True if 'msg' names this server, or no server. */
static bool
dhcp6_for_us__(const struct dhcp6_msg *msg, const struct dhcp6_lease *l)
{
    uint8_t duid[10];

    dhcp6_duid__(l->server_mac, duid);
    return (!msg->server_id_len
            || (msg->server_id_len == sizeof duid
                && !memcmp(msg->server_id, duid, sizeof duid)));
}

void
dhcp6_answer(const struct dhcp6_msg *msg, const struct dhcp6_lease *lease,
             struct dhcp6_answer *a, const char **why)
{
    const char *dummy;

    why = why ? why : &dummy;
    *why = NULL;
    memset(a, 0, sizeof *a);
    if (memcmp(msg->eth_src, lease->client_mac, 6)) {
        *why = "source MAC is not the port's";
        return;
    }
    if (!dhcp6_for_us__(msg, lease)) {
        *why = "for another server";
        return;
    }
    switch (msg->type) {
    case DHCP6_SOLICIT:
        a->rapid_commit = msg->rapid_commit;
        a->type = msg->rapid_commit ? DHCP6_REPLY : DHCP6_ADVERTISE;
        a->ia_na = msg->has_ia_na;
        if (!msg->has_ia_na) {
            a->has_status = true;
            a->status = DHCP6_NO_ADDRS_AVAIL;
            *why = "no IA_NA (only IA_NA is served)";
        }
        break;
    case DHCP6_REQUEST:
    case DHCP6_RENEW:
    case DHCP6_REBIND:
        a->type = DHCP6_REPLY;
        a->ia_na = msg->has_ia_na;
        break;
    case DHCP6_INFORMATION_REQUEST:
        a->type = DHCP6_REPLY;
        break;
    case DHCP6_CONFIRM:
        if (!msg->n_ia_addrs) {
            *why = "CONFIRM of no address";
            return;
        }
        a->type = DHCP6_REPLY;
        a->has_status = true;
        a->status = DHCP6_SUCCESS;
        for (size_t i = 0; i < msg->n_ia_addrs; i++) {
            if (!lease->has_ip
                || memcmp(&msg->ia_addrs[i], &lease->client_ip, 16)) {
                a->status = DHCP6_NOT_ON_LINK;
                *why = "CONFIRM of another address than the port's";
            }
        }
        break;
    case DHCP6_RELEASE:
    case DHCP6_DECLINE:
        a->type = DHCP6_REPLY;
        a->has_status = true;
        a->status = DHCP6_SUCCESS;
        break;
    case DHCP6_ADVERTISE:
    case DHCP6_REPLY:
    case DHCP6_RECONFIGURE:
    default:
        *why = "a server's message";
        return;
    }
}

static uint8_t *
put16__(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v & 0xff;
    return p + 2;
}

static uint8_t *
put32__(uint8_t *p, uint32_t v)
{
    return put16__(put16__(p, v >> 16), v & 0xffff);
}

static uint8_t *
put_opt__(uint8_t *o, uint16_t code, const void *v, size_t n)
{
    o = put16__(o, code);
    o = put16__(o, n);
    if (n) {
        memcpy(o, v, n);        /* (Rapid commit has no data: 'v' NULL.) */
    }
    return o + n;
}

/* A status code option 'status' with a short message. */
static uint8_t *
put_status__(uint8_t *o, enum dhcp6_status status)
{
    const char *text = (status == DHCP6_SUCCESS ? "ok"
                        : status == DHCP6_NOT_ON_LINK ? "not on link"
                        : "no address for this port");
    size_t n = strlen(text);

    o = put16__(o, O_STATUS);
    o = put16__(o, 2 + n);
    o = put16__(o, status);
    memcpy(o, text, n);
    return o + n;
}

/* The IA_NA of 'msg''s IAID with the port's address, or NoAddrsAvail. */
static uint8_t *
put_ia_na__(uint8_t *o, const struct dhcp6_msg *msg,
            const struct dhcp6_lease *l)
{
    uint8_t *len = o + 2, *start;

    o = put16__(o, O_IA_NA) + 2;
    start = o;
    memcpy(o, msg->iaid, 4);
    o += 4;
    if (l->has_ip) {
        o = put32__(o, l->preferred_secs / 2);
        o = put32__(o, l->preferred_secs / 5 * 4);
        o = put16__(o, O_IAADDR);
        o = put16__(o, 24);
        memcpy(o, &l->client_ip, 16);
        o = put32__(o + 16, l->preferred_secs);
        o = put32__(o, l->valid_secs);
    } else {
        o = put32__(put32__(o, 0), 0);
        o = put_status__(o, DHCP6_NO_ADDRS_AVAIL);
    }
    put16__(len, o - start);
    return o;
}

size_t
dhcp6_build(const struct dhcp6_msg *msg, const struct dhcp6_answer *a,
            const struct dhcp6_lease *lease, uint8_t *buf)
{
    uint8_t *udp = buf + IP6_FRAME_HDR_LEN, *m = udp + UDP_LEN;
    uint8_t *o = m + DHCP6_HDR_LEN;
    size_t n_dns = lease->n_dns < 8 ? lease->n_dns : 8;
    uint8_t duid[10];
    struct in6_addr src;

    memset(buf, 0, DHCP6_FRAME_MAX);
    m[0] = a->type;
    memcpy(m + 1, msg->xid, 3);
    dhcp6_duid__(lease->server_mac, duid);
    o = put_opt__(o, O_SERVERID, duid, sizeof duid);
    if (msg->client_id_len) {
        o = put_opt__(o, O_CLIENTID, msg->client_id, msg->client_id_len);
    }
    if (a->ia_na) {
        o = put_ia_na__(o, msg, lease);
    }
    if (a->has_status) {
        o = put_status__(o, a->status);
    }
    if (a->rapid_commit) {
        o = put_opt__(o, O_RAPID_COMMIT, NULL, 0);
    }
    if (n_dns) {
        o = put_opt__(o, O_DNS, lease->dns, n_dns * 16);
    }
    put16__(udp, 547);
    put16__(udp + 2, 546);
    put16__(udp + 4, o - udp);
    ip6_link_local(lease->server_mac, &src);
    return ip6_frame_finish(buf, lease->client_mac, lease->server_mac, &src,
                            &msg->src, IPPROTO_UDP, (size_t) (o - udp), 6);
}

const struct netaddr_ip *
dhcp6_network_server(const struct gn_network *net,
                     const struct netaddr_ip **subnetp)
{
    return dhcp_network_gateway(net, AF_INET6, subnetp);
}

const char *
dhcp6_type_name(enum dhcp6_type type)
{
    static const char *const names[] = {
        [DHCP6_SOLICIT] = "SOLICIT", [DHCP6_ADVERTISE] = "ADVERTISE",
        [DHCP6_REQUEST] = "REQUEST", [DHCP6_CONFIRM] = "CONFIRM",
        [DHCP6_RENEW] = "RENEW", [DHCP6_REBIND] = "REBIND",
        [DHCP6_REPLY] = "REPLY", [DHCP6_RELEASE] = "RELEASE",
        [DHCP6_DECLINE] = "DECLINE", [DHCP6_RECONFIGURE] = "RECONFIGURE",
        [DHCP6_INFORMATION_REQUEST] = "INFORMATION-REQUEST",
    };

    return (type >= DHCP6_SOLICIT && type <= DHCP6_INFORMATION_REQUEST
            ? names[type] : "DHCPV6(unknown)");
}
