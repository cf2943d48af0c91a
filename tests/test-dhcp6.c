/* test-dhcp6: the DHCPv6 parser, the server's answers and the frames it
 * builds (lib/dhcp6.c), router solicitations and advertisements
 * (lib/ra.c) and their IPv6 frames (lib/ip6-frame.c), from bytes,
 * without a network. */
#include <config.h>

#include "dhcp6.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "ip6-frame.h"
#include "ra.h"
#include "test-util.h"

static const uint8_t client_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t server_mac[6] = { 0x0a, 0, 0, 0, 0, 10 };
static const uint8_t duid_ll[10] = { 0, 3, 0, 1, 0x0a, 0, 0, 0, 0, 10 };

/* Writes the client's frame of the DHCPv6 'body'/'n' (type, xid,
 * options) into 'buf', from its link-local address to ff02::1:2, with a
 * correct UDP checksum; returns its length. */
static size_t
client_frame(uint8_t *buf, const uint8_t *body, size_t n)
{
    struct in6_addr src, dst;
    uint8_t *udp = buf + IP6_FRAME_HDR_LEN;
    static const uint8_t mc[6] = { 0x33, 0x33, 0, 1, 0, 2 };

    memset(buf, 0, 1000);
    ip6_link_local(client_mac, &src);
    inet_pton(AF_INET6, "ff02::1:2", &dst);
    udp[0] = 546 >> 8;
    udp[1] = 546 & 0xff;
    udp[2] = 547 >> 8;
    udp[3] = 547 & 0xff;
    udp[4] = (8 + n) >> 8;
    udp[5] = (8 + n) & 0xff;
    memcpy(udp + 8, body, n);
    return ip6_frame_finish(buf, mc, client_mac, &src, &dst, IPPROTO_UDP,
                            8 + n, 6);
}

/* A message of 'type' with xid 0x010203, the client's DUID-LL, and the
 * options 'opts'/'n_opts' after it, in 'body'; returns its length. */
static size_t
body(uint8_t *b, uint8_t type, const uint8_t *opts, size_t n_opts)
{
    static const uint8_t cid[] = {
        0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0, 0, 1,
    };

    b[0] = type;
    b[1] = 1;
    b[2] = 2;
    b[3] = 3;
    memcpy(b + 4, cid, sizeof cid);
    if (n_opts) {
        memcpy(b + 4 + sizeof cid, opts, n_opts);
    }
    return 4 + sizeof cid + n_opts;
}

/* IA_NA with IAID 7 and one IAADDR of 2001:db8::5. */
static const uint8_t ia_na[] = {
    0, 3, 0, 40, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 5, 0, 24, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
    0, 0, 0, 0, 0, 0, 0, 0,
};
static const uint8_t server_id[] = {
    0, 2, 0, 10, 0, 3, 0, 1, 0x0a, 0, 0, 0, 0, 10,
};

/* Writes a client's REQUEST with the server identifier and the IA_NA
 * above into 'f' (its body built in 'b', its options in 'opts'); returns
 * the frame's length. */
static size_t
request_frame(uint8_t *f, uint8_t *b, uint8_t *opts)
{
    memcpy(opts, server_id, sizeof server_id);
    memcpy(opts + sizeof server_id, ia_na, sizeof ia_na);
    return client_frame(f, b, body(b, DHCP6_REQUEST, opts,
                                   sizeof server_id + sizeof ia_na));
}

static void
lease_init(struct dhcp6_lease *l, const struct in6_addr *dns, size_t n_dns)
{
    memset(l, 0, sizeof *l);
    memcpy(l->server_mac, server_mac, 6);
    memcpy(l->client_mac, client_mac, 6);
    l->has_ip = true;
    inet_pton(AF_INET6, "2001:db8::5", &l->client_ip);
    l->preferred_secs = 3600;
    l->valid_secs = 7200;
    l->dns = dns;
    l->n_dns = n_dns;
}

/* Parses 'type' with 'opts' and decides the answer. */
static const char *
parse_answer(uint8_t type, const uint8_t *opts, size_t n_opts,
             struct dhcp6_msg *m, struct dhcp6_answer *a)
{
    uint8_t f[1000], b[400];
    struct dhcp6_lease l;
    const char *error;

    lease_init(&l, NULL, 0);
    error = dhcp6_parse(f, client_frame(f, b, body(b, type, opts, n_opts)),
                        m);
    if (!error) {
        dhcp6_answer(m, &l, a, NULL);
    }
    return error;
}

static void
test_parse_solicit(void)
{
    struct dhcp6_msg m;
    struct dhcp6_answer a;
    uint8_t opts[sizeof ia_na + 4];

    CHECK(parse_answer(DHCP6_SOLICIT, ia_na, sizeof ia_na, &m, &a) == NULL);
    CHECK(m.type == DHCP6_SOLICIT);
    CHECK(m.client_id_len == 10);
    CHECK(m.has_ia_na && m.iaid[3] == 7 && m.n_ia_addrs == 1);
    CHECK(!m.rapid_commit);
    CHECK(a.type == DHCP6_ADVERTISE && a.ia_na && !a.has_status);

    /* Rapid commit: a REPLY that says so. */
    memcpy(opts, ia_na, sizeof ia_na);
    memcpy(opts + sizeof ia_na, "\x00\x0e\x00\x00", 4);
    CHECK(parse_answer(DHCP6_SOLICIT, opts, sizeof opts, &m, &a) == NULL);
    CHECK(m.rapid_commit);
    CHECK(a.type == DHCP6_REPLY && a.rapid_commit && a.ia_na);
}

static void
test_answers(void)
{
    struct dhcp6_msg m;
    struct dhcp6_answer a;
    uint8_t opts[200];
    static const uint8_t other_server[] = {
        0, 2, 0, 10, 0, 3, 0, 1, 0x0a, 0, 0, 0, 0, 11,
    };

    /* REQUEST and RENEW for this server; not for another. */
    memcpy(opts, server_id, sizeof server_id);
    memcpy(opts + sizeof server_id, ia_na, sizeof ia_na);
    CHECK(!parse_answer(DHCP6_REQUEST, opts, sizeof server_id + sizeof ia_na,
                        &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.ia_na);
    CHECK(!parse_answer(DHCP6_RENEW, opts, sizeof server_id + sizeof ia_na,
                        &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.ia_na);
    memcpy(opts, other_server, sizeof other_server);
    CHECK(!parse_answer(DHCP6_REQUEST, opts, sizeof server_id + sizeof ia_na,
                        &m, &a));
    CHECK(a.type == 0);

    /* REQUEST without a server identifier is malformed; REBIND with one
     * too. */
    CHECK(parse_answer(DHCP6_REQUEST, ia_na, sizeof ia_na, &m, &a) != NULL);
    CHECK(parse_answer(DHCP6_REBIND, opts, sizeof server_id + sizeof ia_na,
                       &m, &a) != NULL);
    CHECK(!parse_answer(DHCP6_REBIND, ia_na, sizeof ia_na, &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.ia_na);

    /* CONFIRM of the port's address: Success; of another: NotOnLink. */
    CHECK(!parse_answer(DHCP6_CONFIRM, ia_na, sizeof ia_na, &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.has_status
          && a.status == DHCP6_SUCCESS);
    memcpy(opts, ia_na, sizeof ia_na);
    opts[35] = 6;
    CHECK(!parse_answer(DHCP6_CONFIRM, opts, sizeof ia_na, &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.status == DHCP6_NOT_ON_LINK);

    /* INFORMATION-REQUEST: no IA; with one it is malformed. */
    CHECK(!parse_answer(DHCP6_INFORMATION_REQUEST, NULL, 0, &m, &a));
    CHECK(a.type == DHCP6_REPLY && !a.ia_na);
    CHECK(parse_answer(DHCP6_INFORMATION_REQUEST, ia_na, sizeof ia_na, &m,
                       &a) != NULL);

    /* RELEASE and DECLINE: Success. */
    CHECK(!parse_answer(DHCP6_RELEASE, server_id, sizeof server_id, &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.status == DHCP6_SUCCESS);
    CHECK(!parse_answer(DHCP6_DECLINE, server_id, sizeof server_id, &m, &a));
    CHECK(a.type == DHCP6_REPLY && a.status == DHCP6_SUCCESS);

    /* A server's message type is refused. */
    CHECK(parse_answer(DHCP6_ADVERTISE, NULL, 0, &m, &a) != NULL);
    CHECK(parse_answer(DHCP6_REPLY, NULL, 0, &m, &a) != NULL);
}

/* Every frame cut short, and lengths that claim more than is there, are
 * refused without reading past the bytes given. */
static void
test_parse_malformed(void)
{
    uint8_t f[1000], b[400], opts[64];
    struct dhcp6_msg m;
    size_t n = client_frame(f, b, body(b, DHCP6_SOLICIT, ia_na,
                                        sizeof ia_na));

    for (size_t cut = 0; cut < n; cut++) {
        TEST_ROW("cut at %zu", cut);
        CHECK(dhcp6_parse(f, cut, &m) != NULL);
    }
    TEST_ROW_END();
    CHECK(dhcp6_parse(f, n, &m) == NULL);

    /* A bad checksum. */
    f[IP6_FRAME_HDR_LEN + 7] ^= 1;
    CHECK(dhcp6_parse(f, n, &m) != NULL);

    /* An option longer than the message; an IA_NA whose IAADDR runs past
     * it; a client identifier too long; two client identifiers. */
    static const uint8_t overlong[] = { 0, 8, 0, 40, 0, 0 };
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, overlong,
                                sizeof overlong));
    CHECK(dhcp6_parse(f, n, &m) != NULL);
    memcpy(opts, ia_na, sizeof ia_na);
    opts[19] = 40;
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, opts, sizeof ia_na));
    CHECK(dhcp6_parse(f, n, &m) != NULL);
    static const uint8_t long_cid[] = { 0, 1, 0, 200, 0, 0 };
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, long_cid,
                                sizeof long_cid));
    CHECK(dhcp6_parse(f, n, &m) != NULL);
    static const uint8_t cid2[] = { 0, 1, 0, 2, 0, 0 };
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, cid2, sizeof cid2));
    CHECK(dhcp6_parse(f, n, &m) != NULL);

    /* From the server's port; not IPv6. */
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, ia_na, sizeof ia_na));
    f[IP6_FRAME_HDR_LEN + 1] = 0x23;
    CHECK(dhcp6_parse(f, n, &m) != NULL);
    n = client_frame(f, b, body(b, DHCP6_SOLICIT, ia_na, sizeof ia_na));
    f[12] = 0x08;
    f[13] = 0x00;
    CHECK(dhcp6_parse(f, n, &m) != NULL);
}

/* The REPLY to a REQUEST, read back field by field. */
static void
test_build_reply(void)
{
    uint8_t f[1000], b[400], out[DHCP6_FRAME_MAX], opts[200];
    struct in6_addr dns[2], src;
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct dhcp6_msg m;
    struct ip6_frame r;
    size_t n;

    inet_pton(AF_INET6, "2001:db8::53", &dns[0]);
    inet_pton(AF_INET6, "2001:db8::54", &dns[1]);
    lease_init(&l, dns, 2);
    n = request_frame(f, b, opts);
    CHECK(dhcp6_parse(f, n, &m) == NULL);
    dhcp6_answer(&m, &l, &a, NULL);
    n = dhcp6_build(&m, &a, &l, out);
    CHECK(n > IP6_FRAME_HDR_LEN && n <= DHCP6_FRAME_MAX);
    CHECK(ip6_frame_parse(out, n, &r) == NULL);
    CHECK(!memcmp(r.eth_dst, client_mac, 6));
    CHECK(!memcmp(r.eth_src, server_mac, 6));
    ip6_link_local(server_mac, &src);
    CHECK(!memcmp(&r.src, &src, 16));
    CHECK(!memcmp(&r.dst, &m.src, 16));
    CHECK(r.next == IPPROTO_UDP);
    CHECK(!ip6_frame_csum(&r.src, &r.dst, IPPROTO_UDP, r.payload, r.len));
    CHECK(r.payload[1] == (547 & 0xff) && r.payload[3] == (546 & 0xff));
    const uint8_t *d = r.payload + 8;
    CHECK(d[0] == DHCP6_REPLY && d[1] == 1 && d[2] == 2 && d[3] == 3);
    /* Server identifier first: the gateway MAC's DUID-LL. */
    CHECK(d[4] == 0 && d[5] == 2 && d[7] == 10);
    CHECK(!memcmp(d + 8, duid_ll, 10));
    /* The client's identifier, echoed; then the IA_NA with the address. */
    CHECK(d[19] == 1 && d[21] == 10);
    const uint8_t *ia = d + 32;
    CHECK(ia[1] == 3 && ia[3] == 40 && ia[7] == 7);
    CHECK(ia[17] == 5 && !memcmp(ia + 20, &l.client_ip, 16));
    /* The DNS servers. */
    const uint8_t *o = ia + 44;
    CHECK(o[1] == 23 && o[3] == 32 && !memcmp(o + 4, dns, 32));
    CHECK(o + 36 == out + n);

    /* No address for the port: NoAddrsAvail in the IA_NA. */
    l.has_ip = false;
    n = dhcp6_build(&m, &a, &l, out);
    CHECK(ip6_frame_parse(out, n, &r) == NULL);
    CHECK(r.payload[8 + 32 + 16 + 1] == 13);
    CHECK(r.payload[8 + 32 + 16 + 5] == DHCP6_NO_ADDRS_AVAIL);
}

static void
test_parse_server_reply(void)
{
    uint8_t f[1000], b[400], out[DHCP6_FRAME_MAX], opts[200];
    struct dhcp6_lease l;
    struct dhcp6_answer a;
    struct dhcp6_msg m, r;
    size_t n;

    lease_init(&l, NULL, 0);
    n = request_frame(f, b, opts);
    CHECK(dhcp6_parse(f, n, &m) == NULL);
    /* A client's message is no server's. */
    CHECK(dhcp6_parse_reply(f, n, &r) != NULL);
    dhcp6_answer(&m, &l, &a, NULL);
    n = dhcp6_build(&m, &a, &l, out);
    /* The server's REPLY is no client's, but parses as a server's: to the
     * client's MAC, with the IA_NA's address and its valid lifetime. */
    CHECK(dhcp6_parse(out, n, &r) != NULL);
    CHECK(dhcp6_parse_reply(out, n, &r) == NULL);
    CHECK(r.type == DHCP6_REPLY);
    CHECK(!memcmp(r.eth_dst, client_mac, 6));
    CHECK(r.has_ia_na && r.n_ia_addrs == 1);
    CHECK(!memcmp(&r.ia_addrs[0], &l.client_ip, 16));
    CHECK(r.ia_valid[0] == l.valid_secs);
    /* Every truncation is refused, none read past the end. */
    for (size_t k = 0; k < n; k++) {
        uint8_t cut[DHCP6_FRAME_MAX];

        memcpy(cut, out, k);
        CHECK(dhcp6_parse_reply(cut, k, &r) != NULL);
    }
}

/* A solicitation from 'src' ("::" or fe80::...) with 'opts'. */
static size_t
rs_frame(uint8_t *buf, const char *src, const uint8_t *opts, size_t n,
         uint8_t hlim)
{
    struct in6_addr s, d;
    uint8_t *m = buf + IP6_FRAME_HDR_LEN;
    static const uint8_t mc[6] = { 0x33, 0x33, 0, 0, 0, 2 };

    memset(buf, 0, 200);
    inet_pton(AF_INET6, src, &s);
    inet_pton(AF_INET6, "ff02::2", &d);
    m[0] = 133;
    if (n) {
        memcpy(m + 8, opts, n);
    }
    n = ip6_frame_finish(buf, mc, client_mac, &s, &d, IPPROTO_ICMPV6,
                         8 + n, 2);
    buf[14 + 7] = hlim;
    return n;
}

static void
test_router_solicitation(void)
{
    static const uint8_t sll[] = { 1, 1, 0x52, 0x54, 0, 0, 0, 1 };
    static const uint8_t two[] = {
        1, 1, 0x52, 0x54, 0, 0, 0, 1, 1, 1, 0x52, 0x54, 0, 0, 0, 2,
    };
    static const uint8_t zero_len[] = { 1, 0, 0, 0, 0, 0, 0, 0 };
    static const uint8_t too_long[] = { 1, 2, 0, 0, 0, 0, 0, 0 };
    struct ra_solicit rs;
    uint8_t f[200];
    size_t n;

    n = rs_frame(f, "fe80::1", sll, sizeof sll, 255);
    CHECK(ra_parse_solicit(f, n, &rs) == NULL);
    CHECK(rs.has_sll && !memcmp(rs.sll, client_mac, 6));
    for (size_t cut = 0; cut < n; cut++) {
        TEST_ROW("cut at %zu", cut);
        CHECK(ra_parse_solicit(f, cut, &rs) != NULL);
    }
    TEST_ROW_END();
    n = rs_frame(f, "::", NULL, 0, 255);
    CHECK(ra_parse_solicit(f, n, &rs) == NULL);
    CHECK(!rs.has_sll);
    n = rs_frame(f, "::", sll, sizeof sll, 255);
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
    n = rs_frame(f, "fe80::1", sll, sizeof sll, 64);
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
    n = rs_frame(f, "fe80::1", two, sizeof two, 255);
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
    n = rs_frame(f, "fe80::1", zero_len, sizeof zero_len, 255);
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
    n = rs_frame(f, "fe80::1", too_long, sizeof too_long, 255);
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
    n = rs_frame(f, "fe80::1", sll, sizeof sll, 255);
    f[IP6_FRAME_HDR_LEN + 2] ^= 1;      /* Checksum. */
    CHECK(ra_parse_solicit(f, n, &rs) != NULL);
}

static void
test_router_advertisement(void)
{
    struct ra_params p = {
        .managed = true, .other = true, .router_lifetime = 1800,
        .mtu = 1400, .prefix_len = 64, .valid_lifetime = 100,
        .preferred_lifetime = 50,
    };
    uint8_t f[RA_FRAME_MAX];
    struct ip6_frame r;
    struct in6_addr src;
    size_t n;

    memcpy(p.router_mac, server_mac, 6);
    memcpy(p.dst_mac, client_mac, 6);
    inet_pton(AF_INET6, "fe80::1", &p.dst);
    inet_pton(AF_INET6, "2001:db8::", &p.prefix);
    n = ra_build(&p, f);
    CHECK(n <= RA_FRAME_MAX);
    CHECK(ip6_frame_parse(f, n, &r) == NULL);
    ip6_link_local(server_mac, &src);
    CHECK(!memcmp(&r.src, &src, 16) && r.hop_limit == 255);
    CHECK(!ip6_frame_csum(&r.src, &r.dst, IPPROTO_ICMPV6, r.payload, r.len));
    const uint8_t *m = r.payload;
    CHECK(m[0] == 134 && m[1] == 0 && m[5] == 0xc0);
    CHECK(m[6] == 1800 >> 8 && m[7] == (1800 & 0xff));
    CHECK(m[16] == 1 && !memcmp(m + 18, server_mac, 6));    /* SLL. */
    CHECK(m[24] == 5 && m[30] == 1400 >> 8);                /* MTU. */
    CHECK(m[32] == 3 && m[33] == 4 && m[34] == 64);         /* Prefix: */
    CHECK(m[35] == 0x80);                       /* on-link, not autonomous */
    CHECK(!memcmp(m + 48, &p.prefix, 16));
    CHECK(r.len == 64);

    /* Without MTU. */
    p.mtu = 0;
    n = ra_build(&p, f);
    CHECK(ip6_frame_parse(f, n, &r) == NULL && r.len == 56);
}

int
main(void)
{
    TEST_RUN("dhcp6/parse-solicit", test_parse_solicit);
    TEST_RUN("dhcp6/answers", test_answers);
    TEST_RUN("dhcp6/parse-malformed", test_parse_malformed);
    TEST_RUN("dhcp6/build-reply", test_build_reply);
    TEST_RUN("dhcp6/parse-server-reply", test_parse_server_reply);
    TEST_RUN("dhcp6/router-solicitation", test_router_solicitation);
    TEST_RUN("dhcp6/router-advertisement", test_router_advertisement);
    return test_done();
}
