#!/bin/bash
# layering: the source folders include only downward (lib < ovsdb, flows,
# devices < engine < cluster < api, cli < daemon), no modules include each
# other in a circle and no source file is longer than scripts/check-layering
# allows.
# The checker is first shown to catch each kind of violation in a copy.
. "${GN_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

gn_require_cmd python3 python3
check=$GN_SRCDIR/scripts/check-layering

# A minimal tree the checker accepts, then one violation at a time.
gn_tmpdir dir
make_tree() {
    rm -rf "$dir/t"
    mkdir -p "$dir/t/include"
    for f in lib ovsdb flows devices engine cluster api cli daemon; do
        mkdir -p "$dir/t/$f"
    done
    printf '#include "low.h"\n' > "$dir/t/engine/high.c"
    printf '#include "high.h"\n' > "$dir/t/daemon/main.c"
    : > "$dir/t/lib/low.c"
    : > "$dir/t/include/low.h"
    : > "$dir/t/include/high.h"
}
make_tree
gn_check "accepts-a-downward-tree" "$check" "$dir/t"

printf '#include "high.h"\n' >> "$dir/t/lib/low.c"
out=$("$check" "$dir/t")
gn_check "reports-an-upward-include" \
    grep -q '^lib/low.c: includes high.h of engine/' <<<"$out"

# two_modules A/NAME_A B/NAME_B: a fresh tree where module NAME_A in folder
# A and NAME_B in folder B include each other's headers; prints what the
# checker says of it.
two_modules() {
    local a=${1%/*} na=${1#*/} b=${2%/*} nb=${2#*/}
    make_tree
    printf '#include "%s.h"\n' "$nb" > "$dir/t/$a/$na.c"
    printf '#include "%s.h"\n' "$na" > "$dir/t/$b/$nb.c"
    : > "$dir/t/include/$na.h"
    : > "$dir/t/include/$nb.h"
    "$check" "$dir/t"
}
gn_check "reports-a-sideways-include" \
    grep -q '^ovsdb/peer.c: includes side.h of flows/' \
    <<<"$(two_modules ovsdb/peer flows/side)"
gn_check "reports-a-circle" grep -q '^include circle: one -> two -> one' \
    <<<"$(two_modules engine/one engine/two)"

make_tree
seq 1 900 | sed 's/^/\/\* /; s/$/ \*\//' > "$dir/t/api/long.c"
out=$("$check" "$dir/t")
gn_check "reports-a-long-file" grep -q '^api/long.c: 900 lines' <<<"$out"

# The tree itself.
out=$("$check" "$GN_SRCDIR")
rc=$?
[ -z "$out" ] || echo "$out"
gn_check "source-tree-layering" test $rc = 0
gn_done
