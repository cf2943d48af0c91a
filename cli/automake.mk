# cli/: guestnetctl and its HTTP client for the API's unix socket.
libguestnet_a_SOURCES += \
	cli/http-client.c

bin_PROGRAMS += guestnetctl
guestnetctl_SOURCES = \
	cli/guestnetctl.c \
	cli/guestnetctl-bulk.c \
	cli/guestnetctl-cluster.c \
	cli/guestnetctl-limits.c \
	cli/guestnetctl-private.h
guestnetctl_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
guestnetctl_LDADD = $(GN_LIBS)
