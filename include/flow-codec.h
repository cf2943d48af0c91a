/* flow-codec.h: OpenFlow messages from ovs-ofctl flow syntax.
 *
 * The only door from guestnet to libopenvswitch's OpenFlow codec.  Callers
 * hand in text, get back encoded bytes or a readable error; no OVS type
 * crosses this header, so files that include <jansson.h> can use it (OVS's
 * "openvswitch/json.h" and jansson cannot meet in one translation unit).
 *
 * Thread-safety: the functions keep no state; any thread may call them. */
#ifndef GN_FLOW_CODEC_H
#define GN_FLOW_CODEC_H 1

#include <stddef.h>
#include <stdint.h>

enum flow_codec_command {
    FLOW_CODEC_ADD,
    FLOW_CODEC_MODIFY_STRICT,
    FLOW_CODEC_DELETE_STRICT,
};

/* Encodes a flow_mod for OpenFlow version 'ofp_version' (4 = 1.3, 5 = 1.4,
 * 6 = 1.5).  'spec' is a flow in ovs-ofctl syntax ("priority=10,in_port=1
 * actions=drop").
 *
 * On success returns NULL and stores in '*msg' and '*len' a malloc'd message
 * that the caller frees with free().  On failure returns a malloc'd error
 * string (caller frees) and stores NULL and 0. */
char *flow_codec_encode_flow_mod(const char *spec,
                                 enum flow_codec_command command,
                                 uint8_t ofp_version,
                                 void **msg, size_t *len)
    __attribute__((warn_unused_result));

/* Returns a malloc'd description of the OpenFlow message in 'msg'/'len', as
 * ovs-ofctl prints it.  Caller frees. */
char *flow_codec_to_string(const void *msg, size_t len);

#endif /* flow-codec.h */
