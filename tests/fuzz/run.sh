#!/usr/bin/env bash
# run.sh BUILD_DIR SECONDS -- run every fuzz target for SECONDS each on its
# seed corpus (copied, so the repository corpus is not modified). Any crash,
# leak or timeout fails the run and leaves the reproducer in BUILD_DIR/fuzz-out.
set -euo pipefail
build=$1
secs=${2:-15}
here=$(cd "$(dirname "$0")" && pwd)
out="$build/fuzz-out"
mkdir -p "$out"
status=0
for bin in "$build"/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    short=${name#fuzz_}
    work="$out/corpus-$short"
    rm -rf "$work"
    mkdir -p "$work"
    [ -d "$here/corpus/$short" ] && cp -r "$here/corpus/$short/." "$work/"
    echo "fuzz: $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
        -artifact_prefix="$out/$name-" -print_final_stats=1 "$work" >"$out/$name.log" 2>&1; then
        echo "fuzz: $name FAILED (see $out/$name.log)" >&2
        tail -40 "$out/$name.log" >&2
        status=1
    else
        grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$name.log" | sed "s/^/  /"
    fi
done
exit $status
