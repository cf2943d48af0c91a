#!/bin/bash
# fetch-kernel.sh: makes Debian's cloud kernel available for the QEMU test
# guests without installing it: the package linux-image-cloud-amd64 points
# at is downloaded with "apt-get download" into .cache/kernel/ (ignored by
# git) and unpacked there with "dpkg -x".  Nothing is installed on the host.
#
# Usage: tests/guest/fetch-kernel.sh      (root, or a cache already filled)
# Prints the unpacked tree's folder (it holds boot/vmlinuz-VERSION and
# lib/modules/VERSION).  Does nothing but print it when it is there already.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=$top/.cache/kernel
meta=linux-image-cloud-amd64

current=$cache/current
if [ -L "$current" ] && ls "$current"/boot/vmlinuz-* >/dev/null 2>&1; then
    readlink -f "$current"
    exit 0
fi

die() { echo "fetch-kernel: $*" >&2; exit 1; }
command -v apt-get >/dev/null || die "needs apt-get (Debian)"
[ "$(id -u)" = 0 ] || die "no kernel in $cache yet; run as root to fetch it"

# The versioned image package the meta package depends on.
image_pkg() {
    apt-cache depends "$meta" 2>/dev/null \
        | awk '/Depends: linux-image-[0-9]/ {print $2; exit}'
}
pkg=$(image_pkg)
if [ -z "$pkg" ]; then
    apt-get update -q >/dev/null 2>&1 || true
    pkg=$(image_pkg)
fi
[ -n "$pkg" ] || die "apt-cache knows no $meta (check the apt sources)"

mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt-get download writes into the current folder.
(cd "$tmp" && apt-get download -q "$pkg" >download.log 2>&1) \
    || { cat "$tmp/download.log" >&2; die "apt-get download $pkg failed"; }
deb=$(ls "$tmp"/*.deb)
dpkg -x "$deb" "$tmp/tree"
ls "$tmp"/tree/boot/vmlinuz-* >/dev/null 2>&1 \
    || die "$deb holds no boot/vmlinuz-*"
rm -rf "${cache:?}/$pkg"
mv "$tmp/tree" "$cache/$pkg"
chmod -R a+rX "$cache/$pkg"
ln -sfn "$pkg" "$current"
echo "fetch-kernel: unpacked $pkg into $cache/$pkg" >&2
readlink -f "$current"
