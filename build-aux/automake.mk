# build-aux/: the copies of libopenvswitch's archives that guestnet links.
#
# libopenvswitch and jansson both export json_object(), json_array(), ...
# with different meanings; linked together, jansson's callers land in OVS's
# functions with no linker warning.  The copies below have every global name
# that libjansson.so also exports renamed to ovs_NAME, computed from the two
# libraries at build time.
OVS_ARCHIVES = \
	$(OVS_BUILDDIR)/lib/.libs/libopenvswitch.a \
	$(OVS_BUILDDIR)/lib/.libs/libopenvswitchavx512.a
OVS_LIB = ovs-lib/libopenvswitch.a ovs-lib/libopenvswitchavx512.a

ovs-lib/rename.map: $(OVS_ARCHIVES) $(srcdir)/build-aux/ovs-rename-syms.sh
	$(AM_V_GEN)$(SHELL) $(srcdir)/build-aux/ovs-rename-syms.sh \
		$(JANSSON_SO) ovs-lib $(OVS_ARCHIVES)
$(OVS_LIB) ovs-lib/ovs-renames.h: ovs-lib/rename.map

# Flags for files that include libopenvswitch headers (never <jansson.h>).
OVS_SIDE_CFLAGS = -include $(abs_builddir)/ovs-lib/ovs-renames.h $(OVS_CFLAGS)

BUILT_SOURCES = ovs-lib/rename.map
CLEANFILES += $(OVS_LIB) ovs-lib/rename.map ovs-lib/ovs-renames.h
EXTRA_DIST += build-aux/ovs-rename-syms.sh
