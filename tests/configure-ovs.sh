#!/bin/bash
# configure-ovs: configure refuses, with a message that says what to do,
# when --with-ovs-source/--with-ovs-build are missing, point at something
# that is not an OVS tree, or at the wrong OVS version; and accepts the
# cached build of Debian's openvswitch-source.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# A private copy of the generated configure script and what it needs, so
# this runs whether or not the source tree itself is configured.
gn_require_cmd autoreconf autoconf
gn_tmpdir dir
if [ -f "$GN_SRCDIR/configure" ]; then
    src=$GN_SRCDIR
else
    src=$GN_BUILDDIR
fi
cp "$src/configure" "$dir/" 2>/dev/null || cp "$GN_SRCDIR/configure" "$dir/"
mkdir -p "$dir/daemon" "$dir/build-aux"
cp "$GN_SRCDIR/daemon/guestnetd.c" "$dir/daemon/"
cp "$GN_SRCDIR"/build-aux/* "$dir/build-aux/" 2>/dev/null
touch "$dir/Makefile.in" "$dir/config.h.in"
cd "$dir" || exit 1

ovs=$("$GN_SRCDIR/scripts/build-ovs.sh" 2>/dev/null | tail -n 1)
ovs_src=$(sed -n 's/.*--with-ovs-source=\([^ ]*\).*/\1/p' <<<"$ovs")
ovs_build=$(sed -n 's/.*--with-ovs-build=\([^ ]*\).*/\1/p' <<<"$ovs")
gn_check "cached-ovs-build-found" test -f "$ovs_build/lib/.libs/libopenvswitch.a"

out=$(./configure 2>&1)
gn_check "missing-source-refused" test $? != 0
gn_check "missing-source-says-what-to-do" \
    grep -q 'with-ovs-source=DIR is required.*scripts/build-ovs.sh' <<<"$out"

out=$(./configure --with-ovs-source=/usr 2>&1)
gn_check "not-ovs-tree-refused" test $? != 0
gn_check "not-ovs-tree-message" \
    grep -q '/usr is not an Open vSwitch source tree' <<<"$out"

# A tree that looks like OVS 2.17.
fake=$dir/fake-ovs
mkdir -p "$fake/include/openvswitch"
touch "$fake/include/openvswitch/ofp-flow.h"
echo "PACKAGE_VERSION='2.17.9'" > "$fake/configure"
out=$(./configure --with-ovs-source="$fake" 2>&1)
gn_check "wrong-version-refused" test $? != 0
gn_check "wrong-version-message" \
    grep -q 'holds Open vSwitch "2.17.9"; guestnet needs 3.1.x' <<<"$out"

out=$(./configure --with-ovs-source="$ovs_src" --with-ovs-build="$dir" 2>&1)
gn_check "unbuilt-tree-refused" test $? != 0
gn_check "unbuilt-tree-message" \
    grep -q 'has no lib/.libs/libopenvswitch.a' <<<"$out"

out=$(./configure --with-ovs-source="$ovs_src" --with-ovs-build="$ovs_build" 2>&1)
gn_check "cached-build-accepted" \
    grep -q 'checking for a built libopenvswitch... .*libopenvswitch.a' <<<"$out"
gn_done
