/* test-dhcp: the DHCPv4 parser, the server's answers and the frames it
 * builds (lib/dhcp.c), from bytes, without a network. */
#include <config.h>

#include "dhcp.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "test-util.h"

static const uint8_t client_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t server_mac[6] = { 0x0a, 0, 0, 0, 0, 10 };

/* Writes a client's frame into 'buf': DHCP 'type' from 'mac' with the
 * options 'opts'/'n_opts' after the message type; returns its length. */
static size_t
client_frame(uint8_t *buf, uint8_t type, const uint8_t mac[6],
             uint32_t ciaddr, const uint8_t *opts, size_t n_opts)
{
    uint8_t *ip = buf + 14, *udp = ip + 20, *b = udp + 8;
    size_t payload = 240 + 3 + n_opts + 1, n;

    memset(buf, 0, 600);
    memset(buf, 0xff, 6);
    memcpy(buf + 6, mac, 6);
    buf[12] = 0x08;
    ip[0] = 0x45;
    n = 20 + 8 + payload;
    ip[2] = n >> 8;
    ip[3] = n & 0xff;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = (8 + payload) >> 8;
    udp[5] = (8 + payload) & 0xff;
    b[0] = 1;
    b[1] = 1;
    b[2] = 6;
    memcpy(b + 4, "\x12\x34\x56\x78", 4);
    memcpy(b + 12, &ciaddr, 4);
    memcpy(b + 28, mac, 6);
    memcpy(b + 236, "\x63\x82\x53\x63", 4);
    b[240] = 53;
    b[241] = 1;
    b[242] = type;
    if (n_opts) {
        memcpy(b + 243, opts, n_opts);
    }
    b[243 + n_opts] = 255;
    return 14 + n;
}

static void
lease_init(struct dhcp_lease *l, const uint32_t *dns, size_t n_dns)
{
    memset(l, 0, sizeof *l);
    memcpy(l->server_mac, server_mac, 6);
    memcpy(l->client_mac, client_mac, 6);
    l->server_ip = inet_addr("10.0.0.1");
    l->client_ip = inet_addr("10.0.0.2");
    l->netmask = inet_addr("255.255.255.0");
    l->lease_secs = 3600;
    l->dns = dns;
    l->n_dns = n_dns;
}

static void
test_parse_discover(void)
{
    uint8_t f[600];
    struct dhcp_msg m;
    size_t n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);

    CHECK(dhcp_parse(f, n, &m) == NULL);
    CHECK(m.type == DHCP_DISCOVER);
    CHECK(!memcmp(m.chaddr, client_mac, 6));
    CHECK(!memcmp(m.eth_src, client_mac, 6));
    CHECK(m.xid == htonl(0x12345678));
    CHECK(m.requested_ip == 0);
}

static void
test_parse_request_options(void)
{
    uint8_t f[600];
    struct dhcp_msg m;
    /* Pad, requested address, an unknown option, server identifier. */
    static const uint8_t opts[] = {
        0, 50, 4, 10, 0, 0, 2, 200, 3, 1, 2, 3, 54, 4, 10, 0, 0, 1,
    };
    size_t n = client_frame(f, DHCP_REQUEST, client_mac, 0, opts,
                            sizeof opts);

    CHECK(dhcp_parse(f, n, &m) == NULL);
    CHECK(m.type == DHCP_REQUEST);
    CHECK(m.requested_ip == inet_addr("10.0.0.2"));
    CHECK(m.server_id == inet_addr("10.0.0.1"));
}

/* Every frame cut short, and lengths that claim more than is there, are
 * refused without reading past the bytes given. */
static void
test_parse_malformed(void)
{
    uint8_t f[600];
    struct dhcp_msg m;
    static const uint8_t overlong[] = { 50, 200, 10, 0 };
    static const uint8_t bad_len[] = { 50, 3, 10, 0, 0 };
    size_t n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);

    for (size_t cut = 0; cut < n - 1; cut++) {
        TEST_ROW("cut at %zu", cut);
        CHECK(dhcp_parse(f, cut, &m) != NULL);
    }
    TEST_ROW_END();

    /* An option whose length runs past the UDP payload. */
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, overlong,
                     sizeof overlong);
    CHECK(dhcp_parse(f, n, &m) != NULL);

    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, bad_len,
                     sizeof bad_len);
    CHECK(dhcp_parse(f, n, &m) != NULL);

    /* No message type; a server's message; a fragment; UDP length over
     * the IP payload. */
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);
    f[14 + 20 + 8 + 240] = 0;
    CHECK(dhcp_parse(f, n, &m) != NULL);
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);
    f[14 + 20 + 8] = 2;
    CHECK(dhcp_parse(f, n, &m) != NULL);
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);
    f[14 + 6] = 0x20;
    CHECK(dhcp_parse(f, n, &m) != NULL);
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);
    f[14 + 20 + 4] = 0x7f;
    CHECK(dhcp_parse(f, n, &m) != NULL);
}

static void
test_answers(void)
{
    uint8_t f[600];
    struct dhcp_msg m;
    struct dhcp_lease l;
    const char *why;
    static const uint8_t other[] = { 50, 4, 10, 0, 0, 9 };
    static const uint8_t mine[] = { 50, 4, 10, 0, 0, 2 };
    static const uint8_t elsewhere[] = { 50, 4, 10, 0, 0, 2,
                                         54, 4, 10, 0, 0, 99 };
    static const uint8_t rogue_mac[6] = { 0x52, 0x54, 0, 0, 0, 9 };
    size_t n;

    lease_init(&l, NULL, 0);
    n = client_frame(f, DHCP_DISCOVER, client_mac, 0, NULL, 0);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == DHCP_OFFER);
    n = client_frame(f, DHCP_REQUEST, client_mac, 0, mine, sizeof mine);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == DHCP_ACK);
    n = client_frame(f, DHCP_REQUEST, client_mac, 0, other, sizeof other);
    CHECK(!dhcp_parse(f, n, &m)
          && dhcp_answer(&m, &l, &why) == DHCP_NAK && why);
    n = client_frame(f, DHCP_REQUEST, client_mac, 0, elsewhere,
                     sizeof elsewhere);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == 0);
    /* Renewal: ciaddr, no option 50. */
    n = client_frame(f, DHCP_REQUEST, client_mac, inet_addr("10.0.0.2"),
                     NULL, 0);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == DHCP_ACK);
    n = client_frame(f, DHCP_INFORM, client_mac, inet_addr("10.0.0.2"),
                     NULL, 0);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == DHCP_ACK);
    n = client_frame(f, DHCP_RELEASE, client_mac, inet_addr("10.0.0.2"),
                     NULL, 0);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, NULL) == 0);
    /* Another MAC in chaddr (and as source). */
    n = client_frame(f, DHCP_DISCOVER, rogue_mac, 0, NULL, 0);
    CHECK(!dhcp_parse(f, n, &m) && dhcp_answer(&m, &l, &why) == 0 && why);
}

/* Reads option 'code' of the reply 'f'/'n'; returns its length or -1. */
static int
reply_option(const uint8_t *f, size_t n, uint8_t code, uint8_t *out)
{
    size_t i = 14 + 20 + 8 + 240;

    while (i < n && f[i] != 255) {
        if (f[i] == 0) {
            i++;
            continue;
        }
        if (f[i] == code) {
            memcpy(out, f + i + 2, f[i + 1]);
            return f[i + 1];
        }
        i += 2 + f[i + 1];
    }
    return -1;
}

static uint16_t
fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static void
test_build_ack(void)
{
    uint8_t f[600], r[DHCP_FRAME_MAX], v[64];
    static const uint8_t mine[] = { 50, 4, 10, 0, 0, 2 };
    uint32_t dns[2] = { inet_addr("10.0.0.53"), inet_addr("9.9.9.9") };
    struct dhcp_msg m;
    struct dhcp_lease l;
    size_t n;
    uint32_t sum = 0;

    lease_init(&l, dns, 2);
    n = client_frame(f, DHCP_REQUEST, client_mac, 0, mine, sizeof mine);
    CHECK(!dhcp_parse(f, n, &m));
    n = dhcp_build(&m, DHCP_ACK, &l, r);
    CHECK(n <= DHCP_FRAME_MAX && n >= 14 + 20 + 8 + 300);
    CHECK(!memcmp(r, client_mac, 6) && !memcmp(r + 6, server_mac, 6));
    CHECK(!memcmp(r + 14 + 12, &l.server_ip, 4));
    CHECK(!memcmp(r + 14 + 20 + 8 + 16, &l.client_ip, 4));
    CHECK(!memcmp(r + 14 + 20 + 8 + 4, "\x12\x34\x56\x78", 4));
    CHECK(reply_option(r, n, 53, v) == 1 && v[0] == DHCP_ACK);
    CHECK(reply_option(r, n, 1, v) == 4 && !memcmp(v, &l.netmask, 4));
    CHECK(reply_option(r, n, 3, v) == 4 && !memcmp(v, &l.server_ip, 4));
    CHECK(reply_option(r, n, 54, v) == 4 && !memcmp(v, &l.server_ip, 4));
    CHECK(reply_option(r, n, 6, v) == 8 && !memcmp(v, dns, 8));
    CHECK(reply_option(r, n, 51, v) == 4 && !memcmp(v, "\0\0\x0e\x10", 4));
    /* The IPv4 header checksum sums to 0xffff. */
    for (int i = 0; i < 20; i += 2) {
        sum += r[14 + i] << 8 | r[14 + i + 1];
    }
    CHECK(fold(sum) == 0xffff);

    /* A NAK has no address and no lease. */
    n = dhcp_build(&m, DHCP_NAK, &l, r);
    CHECK(reply_option(r, n, 53, v) == 1 && v[0] == DHCP_NAK);
    CHECK(reply_option(r, n, 51, v) == -1);
    CHECK(!memcmp(r + 14 + 20 + 8 + 16, "\0\0\0\0", 4));
}

static void
test_parse_server_ack(void)
{
    uint8_t f[600], r[DHCP_FRAME_MAX];
    static const uint8_t mine[] = { 50, 4, 10, 0, 0, 2 };
    struct dhcp_msg m, a;
    struct dhcp_lease l;
    size_t n;

    lease_init(&l, NULL, 0);
    n = client_frame(f, DHCP_REQUEST, client_mac, 0, mine, sizeof mine);
    CHECK(!dhcp_parse(f, n, &m));
    /* A client's message is no server's, and the other way round. */
    CHECK(dhcp_parse_reply(f, n, &a) != NULL);
    n = dhcp_build(&m, DHCP_ACK, &l, r);
    CHECK(dhcp_parse(r, n, &a) != NULL);
    CHECK(dhcp_parse_reply(r, n, &a) == NULL);
    CHECK(a.type == DHCP_ACK);
    CHECK(a.yiaddr == l.client_ip);
    CHECK(!memcmp(a.chaddr, client_mac, 6));
    CHECK(!memcmp(a.eth_dst, client_mac, 6));
    CHECK(a.has_lease && a.lease_secs == 3600);
    CHECK(a.server_id == l.server_ip);
    /* Every truncation is refused, none read past the end. */
    for (size_t k = 0; k < n; k++) {
        uint8_t cut[DHCP_FRAME_MAX];

        memcpy(cut, r, k);
        CHECK(dhcp_parse_reply(cut, k, &a) != NULL);
    }
    /* A NAK parses, without address or lease. */
    n = dhcp_build(&m, DHCP_NAK, &l, r);
    CHECK(dhcp_parse_reply(r, n, &a) == NULL);
    CHECK(a.type == DHCP_NAK && !a.yiaddr && !a.has_lease);
    /* A lease time option of the wrong length is refused. */
    static const uint8_t bad_lease[] = { 51, 3, 0, 0, 1 };
    n = client_frame(f, DHCP_ACK, client_mac, 0, bad_lease,
                     sizeof bad_lease);
    f[14 + 20 + 8] = 2;                         /* BOOTREPLY, */
    f[14 + 20 + 1] = 67;                        /* UDP 67 */
    f[14 + 20 + 3] = 68;                        /* to 68. */
    CHECK(dhcp_parse_reply(f, n, &a) != NULL);
    f[14 + 20 + 8 + 241 + 3] = 4;               /* (Now 4 long.) */
    CHECK(dhcp_parse_reply(f, n, &a) == NULL);
}

int
main(void)
{
    TEST_RUN("dhcp/parse-discover", test_parse_discover);
    TEST_RUN("dhcp/parse-request-options", test_parse_request_options);
    TEST_RUN("dhcp/parse-malformed", test_parse_malformed);
    TEST_RUN("dhcp/answers", test_answers);
    TEST_RUN("dhcp/build-ack", test_build_ack);
    TEST_RUN("dhcp/parse-server-ack", test_parse_server_ack);
    return test_done();
}
