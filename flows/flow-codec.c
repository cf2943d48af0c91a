/* flow-codec.c: OpenFlow encoding and printing through libopenvswitch.
 *
 * Owns every call guestnet makes into libopenvswitch's OpenFlow codec.  See
 * include/flow-codec.h. */
#include <config.h>

#include "flow-codec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gn-util.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"

static int
flow_codec_ofp_command__(enum flow_codec_command command)
{
    switch (command) {
    case FLOW_CODEC_ADD:
        return OFPFC_ADD;
    case FLOW_CODEC_MODIFY_STRICT:
        return OFPFC_MODIFY_STRICT;
    case FLOW_CODEC_DELETE_STRICT:
        return OFPFC_DELETE_STRICT;
    }
    return OFPFC_ADD;
}

char *
flow_codec_encode_flow_mod(const char *spec, enum flow_codec_command command,
                           uint8_t ofp_version, void **msg, size_t *len)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    enum ofputil_protocol protocol;
    struct ofpbuf *buf;
    char *error;

    *msg = NULL;
    *len = 0;

    protocol = ofputil_protocol_from_ofp_version(ofp_version);
    if (!protocol) {
        return gn_xasprintf("flow \"%s\": unsupported OpenFlow version %u",
                            spec, ofp_version);
    }

    error = parse_ofp_flow_mod_str(&fm, spec, NULL, NULL,
                                   flow_codec_ofp_command__(command),
                                   &usable);
    if (error) {
        char *named = gn_xasprintf("flow \"%s\": %s", spec, error);

        free(error);
        return named;
    }
    if (!(usable & protocol)) {
        minimatch_destroy(&fm.match);
        free(fm.ofpacts);
        return gn_xasprintf("flow \"%s\" cannot be expressed in OpenFlow "
                            "version %u", spec, ofp_version);
    }

    buf = ofputil_encode_flow_mod(&fm, protocol);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);

    *len = buf->size;
    *msg = ofpbuf_steal_data(buf);
    ofpbuf_delete(buf);
    return NULL;
}

char *
flow_codec_to_string(const void *msg, size_t len)
{
    return ofp_to_string(msg, len, NULL, NULL, 1);
}
