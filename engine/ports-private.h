/* ports-private.h: what engine/ports.c (a port's devices, OVSDB rows and
 * binding) and engine/port-spec.c (validating a request to add one) share:
 * the external_ids keys guestnet writes.  Nothing else includes it. */
#ifndef GN_PORTS_PRIVATE_H
#define GN_PORTS_PRIVATE_H 1

#include "ports.h"

/* external_ids keys. */
#define K_KIND "guestnet:kind"
#define K_NETWORK "guestnet:network"
#define K_IPS PORTS_IPS_KEY
#define K_IPS_ASSIGNED PORTS_IPS_ASSIGNED_KEY
#define K_CREATED PORTS_CREATED_KEY
#define K_PEER PORTS_PEER_KEY
#define K_QUARANTINE "guestnet:quarantine"
#define K_REQUEST "guestnet:request"
#define K_SERVER "guestnet:server"

#endif /* ports-private.h */
