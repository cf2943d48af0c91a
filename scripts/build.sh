#!/bin/bash
# build.sh: set-up (scripts/setup.sh), then configure and build guestnet.
# Reconfigures only when the configure arguments change; safe to run again.
#
# Usage: scripts/build.sh [CONFIGURE_ARGS...]
#   e.g. scripts/build.sh --enable-sanitizers
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
ovs_args=$(scripts/setup.sh | tail -n 1)
args="$ovs_args --enable-Werror $*"
stamp=.cache/configure.args
mkdir -p .cache
if [ ! -f Makefile ] || [ ! -f $stamp ] || [ "$(cat $stamp)" != "$args" ]; then
    echo "build: ./configure $args" >&2
    if [ ! -f configure ]; then
        ./autogen.sh > .cache/autogen.log 2>&1 \
            || { cat .cache/autogen.log >&2; exit 1; }
    fi
    # shellcheck disable=SC2086
    ./configure $args > .cache/configure.log 2>&1 \
        || { tail -n 20 .cache/configure.log >&2; exit 1; }
    echo "$args" > $stamp
fi
make -j"$(nproc)" > .cache/make.log 2>&1 \
    || { grep -E -A3 'error|Error' .cache/make.log | head -n 40 >&2; exit 1; }
echo "build: built guestnetd and guestnetctl in $top" >&2
