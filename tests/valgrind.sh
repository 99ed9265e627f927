#!/usr/bin/env bash
# valgrind.sh BUILD_DIR -- run the unit tests and a short live node session
# under valgrind's memcheck; any error or definite leak fails.
set -euo pipefail
build=$1
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --suppressions=$(cd "$(dirname "$0")" && pwd)/valgrind.supp"
status=0
for t in "$build"/test_*; do
    [ -x "$t" ] || continue
    if ! $vg "$t" >/dev/null 2>"$build/valgrind-$(basename "$t").log"; then
        echo "valgrind: $(basename "$t") FAILED" >&2; cat "$build/valgrind-$(basename "$t").log" >&2; status=1
    fi
done
NODUS_BIN="$(cd "$build" && pwd)/nodus" ND_VALGRIND=1 /usr/bin/python3 -m pytest -q \
    "$(dirname "$0")/blackbox/test_valgrind.py" || status=1
[ $status -eq 0 ] && echo "valgrind: unit tests and a live node session are clean"
exit $status
