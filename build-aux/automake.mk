# build-aux/: the copies of libopenvswitch's archives that guestnet links.
#
# libopenvswitch and jansson both export json_object(), json_array(), ...
# with different meanings; linked together, jansson's callers land in OVS's
# functions with no linker warning.  OVS also defines names that guestnet's
# own modules use (jsonrpc_session_*, netdev_*, ...).  The copies below have
# every global name that libjansson.so or libguestnet.a also defines renamed
# to ovs_NAME, computed from the libraries at build time.
OVS_ARCHIVES = \
	$(OVS_BUILDDIR)/lib/.libs/libopenvswitch.a \
	$(OVS_BUILDDIR)/lib/.libs/libopenvswitchavx512.a
OVS_LIB = ovs-lib/libopenvswitch.a ovs-lib/libopenvswitchavx512.a

ovs-lib/rename.map: $(OVS_ARCHIVES) libguestnet.a \
		$(srcdir)/build-aux/ovs-rename-syms.sh
	$(AM_V_GEN)$(SHELL) $(srcdir)/build-aux/ovs-rename-syms.sh ovs-lib \
		"$(JANSSON_SO) libguestnet.a" $(OVS_ARCHIVES)
$(OVS_LIB) ovs-lib/ovs-renames.h: ovs-lib/rename.map

# Flags for files that include libopenvswitch headers (never <jansson.h>).
OVS_SIDE_CFLAGS = -include $(abs_builddir)/ovs-lib/ovs-renames.h $(OVS_CFLAGS)

# Not in BUILT_SOURCES: the map needs libguestnet.a, which is built with
# the rest.  Everything that includes the generated header depends on it
# (see the end of Makefile.am).
CLEANFILES += $(OVS_LIB) ovs-lib/rename.map ovs-lib/ovs-renames.h
EXTRA_DIST += build-aux/ovs-rename-syms.sh
