# tests/package.mk: guestnet as operators get it (included from
# tests/automake.mk): what guestnetd tells systemd, the systemd unit, the
# Debian package and the Prometheus metrics as promtool sees them.
INTEGRATION_TESTS += \
	tests/guestnetd-notify.sh

EXTRA_DIST += tests/notify-listener.py
