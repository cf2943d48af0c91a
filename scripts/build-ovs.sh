#!/bin/sh
# build-ovs.sh: builds libopenvswitch from Debian's openvswitch-source.
#
# Debian 12 ships no libopenvswitch-dev, but openvswitch-source carries the
# exact source of the installed OVS.  This script unpacks it and builds only
# lib/libopenvswitch.la into a cache folder keyed by the package version, so
# a second run with the same package version reuses the build.
#
# Usage: scripts/build-ovs.sh [CACHE_DIR]
# Prints, as its last line, the configure arguments that use the build.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:-${GUESTNET_CACHE:-$top/.cache}}
tarball=/usr/src/openvswitch/openvswitch.tar.gz

if ! version=$(dpkg-query -W -f='${Version}' openvswitch-source 2>/dev/null) \
   || [ ! -f "$tarball" ]; then
    echo "build-ovs: openvswitch-source is not installed" \
         "(apt-get install openvswitch-source)" >&2
    exit 1
fi

dir=$cache/ovs-$version
stamp=$dir/.built
if [ -f "$stamp" ]; then
    echo "build-ovs: reusing cached libopenvswitch $version in $dir" >&2
else
    echo "build-ovs: building libopenvswitch $version in $dir" \
         "(once; about a minute)" >&2
    rm -rf "$dir"
    mkdir -p "$dir/build"
    tar -C "$dir" -xzf "$tarball"
    mv "$dir/openvswitch" "$dir/src"
    (
        cd "$dir/build"
        ../src/configure --quiet --enable-static --disable-shared \
            --disable-ssl --disable-libcapng CFLAGS="-O2 -g -fPIC" \
            > configure.log 2>&1 || { tail -n 30 configure.log >&2; exit 1; }
        # Generated headers (BUILT_SOURCES) first: "make all" would build
        # them, but a single library target does not.
        built=$(printf 'gn-built:\n\t@echo $(BUILT_SOURCES)\n' \
                | make -s -f Makefile -f - gn-built)
        { make -j"$(nproc)" $built \
          && make -j"$(nproc)" lib/libopenvswitch.la; } > make.log 2>&1 \
            || { tail -n 30 make.log >&2; exit 1; }
    )
    echo "$version" > "$stamp"
fi
ln -sfn "ovs-$version" "$cache/ovs"
echo "--with-ovs-source=$dir/src --with-ovs-build=$dir/build"
