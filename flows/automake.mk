# flows/: the OpenFlow side.  Files that include libopenvswitch headers go
# into libguestnet-ofp.a, built with OVS_SIDE_CFLAGS, and never include
# <jansson.h> (see build-aux/automake.mk).
noinst_LIBRARIES += libguestnet-ofp.a
libguestnet_ofp_a_SOURCES = \
	flows/flow-codec.c
libguestnet_ofp_a_CFLAGS = $(AM_CFLAGS) $(OVS_SIDE_CFLAGS)
