# tests/guests.mk: end-to-end tests with real guests: QEMU/virtio guests on
# guestnet's taps, LXC containers attached by guestnetctl and by LXC itself,
# the libvirt hook, and a private libvirtd booting guests (included from
# tests/automake.mk).  The guest image (tests/guest/) is built on first use
# into .cache/guest/.
INTEGRATION_TESTS += \
	tests/guests-qemu.sh \
	tests/guests-lxc.sh \
	tests/guests-lxc-native.sh \
	tests/guests-libvirt.sh \
	tests/guests-libvirtd.sh

EXTRA_DIST += \
	tests/guest/build-initramfs.sh \
	tests/guest/fetch-kernel.sh \
	tests/guest/init \
	tests/guest/vm.sh \
	scripts/hooks/lxc-start-host \
	scripts/hooks/libvirt-qemu \
	doc/hooks.md
