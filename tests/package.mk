# tests/package.mk: guestnet as operators get it (included from
# tests/automake.mk): what guestnetd tells systemd, the systemd unit (checked
# offline, and run by a real systemd in a container), the Debian package
# and the Prometheus metrics as promtool sees them.
INTEGRATION_TESTS += \
	tests/guestnetd-notify.sh \
	tests/systemd-unit.sh \
	tests/systemd-boot.sh \
	tests/metrics-promtool.sh \
	tests/package.sh

EXTRA_DIST += \
	tests/notify-listener.py \
	tests/fetch-promtool.sh \
	debian/changelog \
	debian/control \
	debian/copyright \
	debian/libvirt-qemu-hook \
	debian/rules \
	debian/source/format
