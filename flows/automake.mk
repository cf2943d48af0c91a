# flows/: the OpenFlow side.  Files that include libopenvswitch headers go
# into libguestnet-ofp.a, built with OVS_SIDE_CFLAGS, and never include
# <jansson.h> (see build-aux/automake.mk).
noinst_LIBRARIES += libguestnet-ofp.a
libguestnet_ofp_a_SOURCES = \
	flows/flow-body.c \
	flows/flow-body.h \
	flows/flow-codec.c \
	flows/flow-stats.c \
	flows/flow-table.c \
	flows/meter-table.c \
	flows/of-conn.c \
	flows/of-conn.h \
	flows/ofctrl.c \
	flows/ofctrl-pin.c \
	flows/ofctrl-private.h \
	flows/ofctrl-recv.c
libguestnet_ofp_a_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS) $(LIBEVENT_CFLAGS)

# The pipeline builds flows as text through flow-table.h and needs the
# config (jansson side), so it lives in libguestnet.a.
libguestnet_a_SOURCES += \
	flows/pipeline.c \
	flows/pipeline-private.h \
	flows/pipeline-dhcp.c \
	flows/pipeline-guards.c \
	flows/pipeline-learn.c \
	flows/pipeline-route.c \
	flows/pipeline-state.c
