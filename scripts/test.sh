#!/bin/bash
# test.sh: sets up, builds and runs guestnet's whole test suite.
# Ends with the line "N passed, N failed, N skipped"; exits non-zero if any
# test failed.  This is the README's test command and what CI runs.
#
# Usage: scripts/test.sh [TEST_PATTERN...]    (as root)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
scripts/build.sh
if [ $# -gt 0 ]; then
    export TESTS="$*"
fi
# make's own "Error" lines would come after the summary line; drop them.
set +e
make -s check 2>&1 | grep --line-buffered -v -E '^make(\[[0-9]+\])?: '
exit "${PIPESTATUS[0]}"
