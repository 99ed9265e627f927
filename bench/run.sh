#!/usr/bin/env bash
# run.sh BUILD_DIR -- every benchmark, one after another, printing figures.
# The figures in the README come from this script on the development machine.
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
export NODUS_BIN="$(cd "$build" && pwd)/nodus"
secs=${BENCH_SECONDS:-60}

echo "== shell round trips (bench/shell_rtt.c) =="
state=$(mktemp -d)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$NODUS_BIN" run --state "$state" --set bind=127.0.0.1 --set socport="$port" --set aioqueue=64 --quiet >/dev/null &
pid=$!
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.05; done
"$build/bench_shell_rtt" 127.0.0.1 "$port" 10000 || true
kill $pid; wait $pid 2>/dev/null || true
rm -rf "$state"

echo "== memory and start-up (bench/mem_startup.sh) =="
"$here/mem_startup.sh" "$build"

echo "== nsh script loop vs dash and busybox (bench/nsh_loop.c) =="
"$build/bench_nsh_loop" 100000 || true

echo "== nsh doors: idle RSS with telnet, module call over telnet vs micrOS shell (bench/nsh_doors.sh) =="
"$here/nsh_doors.sh" "$build" 10000 || true

echo "== task timing (bench/task_timing.c, ${secs} s) =="
"$build/bench_task_timing" "$secs" 1000

echo "== Lua modules: call round trip vs C, memory, 1000 sleeping tasks (bench/lua.py) =="
/usr/bin/python3 "$here/lua.py" "$build" "$secs"

for extra in "$here"/web_wrk.sh; do
    [ -x "$extra" ] || continue
    echo "== $(basename "$extra") =="
    "$extra" "$build"
done

echo "== intercon round trip (bench/intercon_rtt.sh) =="
"$here/intercon_rtt.sh" "$build" 2000

echo "== mdns query-to-answer latency (bench/mdns_latency.sh, needs root for namespaces) =="
if [ "$(id -u)" -eq 0 ]; then "$here/mdns_latency.sh" "$build" 5000; else echo "skipped: not root"; fi

echo "== a well-behaved client under slot abuse (bench/slot_abuse.py) =="
taskset -c 0 /usr/bin/python3 "$here/slot_abuse.py" 200

echo "== signed update: to confirmed, and a rollback (bench/update_time.py) =="
/usr/bin/python3 "$here/update_time.py" 5
