# daemon/: guestnetd's main file, which only orchestrates (options, config,
# engine, API, signals), and the example config.
sbin_PROGRAMS += guestnetd
guestnetd_SOURCES = daemon/guestnetd.c
guestnetd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
guestnetd_LDADD = $(GN_LIBS)
