/* readiness.h: decides when guestnetd is ready and tells systemd
 * (notify.h), from the engine's public status (engine_status()).
 *
 * Ready means that guests can be attached and the ones there are
 * isolated: guestnetd is connected to ovsdb-server and its replica is
 * synced, the bridge exists, the OpenFlow connection to ovs-vswitchd is
 * up, the switch confirmed that it holds the desired flow table (every
 * bundle committed, barrier answered), and the engine has settled (no
 * reconcile step ran during the last poll period, so no flow rebuild is
 * half done).  The API answers from the moment api_create() returned (its
 * socket listens and the event loop serves it), which is before
 * readiness_create() is called.
 *
 * Until ready, the status is polled every READINESS_POLL_MS and each
 * change of what guestnetd waits for is sent as a STATUS= line ("waiting
 * for ovsdb-server (unix:/run/openvswitch/db.sock)", "... for the bridge",
 * "... for ovs-vswitchd", "... for the flows"); then READY=1, once.  After
 * that the poll slows down to keep STATUS current ("ready: N ports, M
 * flows", or what is missing now).
 *
 * Thread-safety: runs on the thread of its event base. */
#ifndef GN_READINESS_H
#define GN_READINESS_H 1

struct engine;
struct event_base;

/* How often the status is looked at until ready, and after. */
#define READINESS_POLL_MS 50
#define READINESS_WATCH_MS 1000

/* Starts watching 'engine' (borrowed: it must outlive the result) on
 * 'base'.  Free with readiness_destroy(). */
struct readiness *readiness_create(struct event_base *base,
                                   struct engine *engine);
void readiness_destroy(struct readiness *);

/* Starts over after a reload (the caller sent RELOADING=1 with
 * notify_reloading() and ran engine_reload()): READY=1 goes out again once
 * the engine is ready under the new config.  'error' (borrowed, may be
 * NULL) is the reload's error: the old config stays in force and STATUS
 * says so. */
void readiness_restart(struct readiness *, const char *error);

#endif /* readiness.h */
