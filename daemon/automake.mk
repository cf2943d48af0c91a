# daemon/: guestnetd's main file, which only orchestrates (options, config,
# engine, API, signals), what it tells systemd (readiness, notify), its
# systemd unit and the example config.
sbin_PROGRAMS += guestnetd
guestnetd_SOURCES = \
	daemon/guestnetd.c \
	daemon/notify.c \
	daemon/readiness.c
guestnetd_CFLAGS = $(AM_CFLAGS) $(LIBEVENT_CFLAGS) $(JANSSON_CFLAGS)
guestnetd_LDADD = $(GN_LIBS)
noinst_HEADERS += include/notify.h include/readiness.h

# The systemd unit, with this installation's paths.  Built by "make" in
# any case (tests/systemd-unit.sh checks it), installed into
# --with-systemdsystemunitdir.
if INSTALL_UNIT
systemdsystemunit_DATA = daemon/guestnetd.service
else
noinst_DATA = daemon/guestnetd.service
endif
daemon/guestnetd.service: $(srcdir)/daemon/guestnetd.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) daemon && sed \
		-e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@bindir[@]|$(bindir)|g' \
		-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/daemon/guestnetd.service.in > $@.tmp && mv $@.tmp $@
CLEANFILES += daemon/guestnetd.service
EXTRA_DIST += daemon/guestnetd.service.in

# The config file: "make install" puts the example in place only where no
# config is, never over an operator's (a package ships it as a conffile,
# which dpkg treats the same way).  The example also goes to the docs.
guestnet_configdir = $(sysconfdir)/guestnet
GN_CONFIG_EXAMPLE = $(srcdir)/daemon/guestnet.example.json
install-data-local: install-guestnet-config
install-guestnet-config:
	@if test -f "$(DESTDIR)$(guestnet_configdir)/guestnet.json"; then \
	  echo "keeping $(DESTDIR)$(guestnet_configdir)/guestnet.json"; \
	else \
	  $(MKDIR_P) "$(DESTDIR)$(guestnet_configdir)" && \
	  echo " $(INSTALL_DATA) $(GN_CONFIG_EXAMPLE) $(DESTDIR)$(guestnet_configdir)/guestnet.json" && \
	  $(INSTALL_DATA) $(GN_CONFIG_EXAMPLE) \
	    "$(DESTDIR)$(guestnet_configdir)/guestnet.json"; \
	fi
# Removed only if nobody changed it.
uninstall-local: uninstall-guestnet-config
uninstall-guestnet-config:
	@if cmp -s $(GN_CONFIG_EXAMPLE) \
	    "$(DESTDIR)$(guestnet_configdir)/guestnet.json"; then \
	  rm -f "$(DESTDIR)$(guestnet_configdir)/guestnet.json"; \
	fi
.PHONY: install-guestnet-config uninstall-guestnet-config
example_DATA = daemon/guestnet.example.json
exampledir = $(docdir)/examples
