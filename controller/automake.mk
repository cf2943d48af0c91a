# controller/: guestnetd (the daemon) and guestnetctl (the CLI).  Their
# main files only orchestrate; the modules live in libguestnet.a.
libguestnet_a_SOURCES += \
	controller/api.c \
	controller/api-report.c \
	controller/api-trace.c \
	controller/bridge.c \
	controller/dev-worker.c \
	controller/engine.c \
	controller/gn-config.c \
	controller/gn-log.c \
	controller/gn-util.c \
	controller/http-client.c \
	controller/netaddr.c \
	controller/netdev.c \
	controller/ports.c \
	controller/port-view.c

sbin_PROGRAMS += guestnetd
guestnetd_SOURCES = controller/guestnetd.c
guestnetd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
guestnetd_LDADD = $(GN_LIBS)

bin_PROGRAMS += guestnetctl
guestnetctl_SOURCES = controller/guestnetctl.c
guestnetctl_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
guestnetctl_LDADD = $(GN_LIBS)
