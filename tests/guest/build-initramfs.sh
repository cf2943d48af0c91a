#!/bin/bash
# build-initramfs.sh: the QEMU test guest: Debian's cloud kernel (fetched by
# fetch-kernel.sh, never installed) and an initramfs made of busybox-static,
# the virtio network modules of that kernel and tests/guest/init.
#
# The result is cached in .cache/guest/KERNEL_VERSION-HASH/, HASH covering
# this script, the init and busybox, so a change to any of them rebuilds.
# Modules compressed as .ko.xz or .ko.zst are decompressed here: busybox's
# insmod cannot.
#
# Usage: tests/guest/build-initramfs.sh
# Prints two lines to eval: GN_VM_KERNEL=PATH and GN_VM_INITRD=PATH.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
die() { echo "build-initramfs: $*" >&2; exit 1; }

busybox=/bin/busybox
file "$busybox" 2>/dev/null | grep -q 'statically linked' \
    || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' \
    || die "$busybox is not static (apt-get install busybox-static)"
command -v cpio >/dev/null || die "needs cpio (apt-get install cpio)"

tree=$("$here/fetch-kernel.sh")
kernel=$(ls "$tree"/boot/vmlinuz-* | head -n 1)
kver=${kernel##*/vmlinuz-}
moddir=$tree/lib/modules/$kver

hash=$(cat "$0" "$here/init" "$busybox" | sha256sum | cut -c1-12)
out=$top/.cache/guest/$kver-$hash
if [ ! -f "$out/initramfs.cpio.gz" ]; then
    mkdir -p "$top/.cache/guest"
    work=$(mktemp -d "$top/.cache/guest/.build.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    root=$work/root
    mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,run,etc,lib/modules}
    cp "$busybox" "$root/bin/busybox"
    for applet in $("$busybox" --list); do
        [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
    done
    cp "$here/init" "$root/init"
    chmod 755 "$root/init"
    for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
             virtio_pci failover net_failover virtio_net; do
        f=$(find "$moddir" -name "$m.ko" -o -name "$m.ko.xz" \
                 -o -name "$m.ko.zst" -o -name "$m.ko.gz" | head -n 1)
        if [ -z "$f" ]; then
            # Built into the kernel: nothing to load.
            grep -q "/$m.ko" "$moddir/modules.builtin" 2>/dev/null \
                || echo "build-initramfs: no module $m in $moddir" >&2
            continue
        fi
        case $f in
            *.xz) xz -dc "$f" > "$root/lib/modules/$m.ko" ;;
            *.zst) zstd -qdc "$f" > "$root/lib/modules/$m.ko" ;;
            *.gz) gzip -dc "$f" > "$root/lib/modules/$m.ko" ;;
            *) cp "$f" "$root/lib/modules/$m.ko" ;;
        esac
    done
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
        | gzip -1 > "$work/initramfs.cpio.gz"
    cp "$kernel" "$work/vmlinuz"
    rm -rf "$out"
    mkdir -p "$out"
    mv "$work/initramfs.cpio.gz" "$work/vmlinuz" "$out/"
    echo "build-initramfs: built $out" >&2
fi
echo "GN_VM_KERNEL=$out/vmlinuz"
echo "GN_VM_INITRD=$out/initramfs.cpio.gz"
