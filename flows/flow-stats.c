/* flow-stats.c: flow counters as cookie stats requests read them: flow
 * stats replies decoded into counters only, summed per cookie (see
 * include/flow-table.h).  No flow is kept, so a request costs the
 * decoding of its reply and nothing more. */
#include <config.h>

#include "flow-table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "gn-util.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"

/* qsort() comparison of two "struct flow_table_cookie_stats"s by cookie. */
static int
flow_table_cookie_cmp__(const void *a_, const void *b_)
{
    const struct flow_table_cookie_stats *a = a_;
    const struct flow_table_cookie_stats *b = b_;

    return a->cookie < b->cookie ? -1 : a->cookie > b->cookie;
}

size_t
flow_table_cookie_stats_merge(struct flow_table_cookie_stats *s, size_t n)
{
    size_t i, j;

    if (n < 2) {
        return n;           /* (Then 's' may be NULL.) */
    }
    qsort(s, n, sizeof *s, flow_table_cookie_cmp__);

    /* Sum runs of equal cookies into their first element. */
    for (i = j = 0; i < n; i++) {
        if (j && s[j - 1].cookie == s[i].cookie) {
            s[j - 1].n_flows += s[i].n_flows;
            s[j - 1].n_packets += s[i].n_packets;
            s[j - 1].n_bytes += s[i].n_bytes;
        } else {
            s[j++] = s[i];
        }
    }
    return j;
}

char *
flow_table_check_stats_reply(uint8_t ofp_version, const void *msg,
                             size_t len, bool *more)
{
    const struct ofp_header *oh = msg;
    enum ofptype type;

    *more = false;
    if (len < sizeof *oh || ntohs(oh->length) != len
        || ofptype_decode(&type, oh) || type != OFPTYPE_FLOW_STATS_REPLY) {
        return gn_xstrdup("not a flow stats reply");
    }
    if (oh->version != ofp_version) {
        return gn_xasprintf("flow stats reply in OpenFlow version %u, "
                            "expected %u", oh->version, ofp_version);
    }
    *more = ofpmp_more(oh);
    return NULL;
}

char *
flow_table_sum_stats_reply(uint8_t ofp_version, const void *msg, size_t len,
                           struct flow_table_cookie_stats **sums, size_t *n,
                           size_t *allocated, bool *more)
{
    struct ofpbuf b = ofpbuf_const_initializer(msg, len);
    uint64_t stub[1024 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    char *error = flow_table_check_stats_reply(ofp_version, msg, len, more);

    if (error) {
        return error;
    }
    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval == EOF) {
            break;
        } else if (retval) {
            error = gn_xasprintf("bad flow stats reply: %s",
                                 (ofperr_is_valid(retval)
                                  ? ofperr_get_name(retval)
                                  : strerror(retval)));
            break;
        }
        if (*n >= *allocated) {
            *allocated = 2 * *allocated + 64;
            *sums = gn_xrealloc(*sums, *allocated * sizeof **sums);
        }
        (*sums)[(*n)++] = (struct flow_table_cookie_stats) {
            .cookie = ntohll(fs.cookie),
            .n_flows = 1,
            .n_packets = fs.packet_count == UINT64_MAX ? 0 : fs.packet_count,
            .n_bytes = fs.byte_count == UINT64_MAX ? 0 : fs.byte_count,
        };
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}
