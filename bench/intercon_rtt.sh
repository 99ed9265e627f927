#!/usr/bin/env bash
# intercon_rtt.sh [BUILD_DIR] [N] -- InterCon round trip between two nodes on
# loopback: node alpha (127.0.0.2) runs `system heartbeat >>beta` against
# node beta (127.0.0.3, same shell port, named in alpha's `hosts` key), timed
# through `task show` by bench_intercon_rtt (bench/intercon_rtt.c).
set -euo pipefail
build=${1:-build}
n=${2:-2000}
bin="$(cd "$build" && pwd)/nodus"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$tmp"; }
trap cleanup EXIT
common=(--set socport="$port" --set ntpserver=n/a --quiet)
"$bin" run --state "$tmp/a" --set bind=127.0.0.2 --set devfid=alpha --set hosts=beta=127.0.0.3 "${common[@]}" >/dev/null &
pids+=($!)
"$bin" run --state "$tmp/b" --set bind=127.0.0.3 --set devfid=beta "${common[@]}" >/dev/null &
pids+=($!)
for ip in 127.0.0.2 127.0.0.3; do
    for _ in $(seq 100); do (echo >/dev/tcp/$ip/$port) 2>/dev/null && break; sleep 0.05; done
done
"$build/bench_intercon_rtt" 127.0.0.2 "$port" beta "$n"
