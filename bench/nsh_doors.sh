#!/usr/bin/env bash
# nsh_doors.sh [BUILD_DIR] [N] -- nsh's doors: idle resident memory with nsh and
# the telnet door enabled (goal <= 3 MB), and a module call from nsh over
# telnet against the same call in the micrOS shell, same run (goal <= 1.2x).
set -euo pipefail
build=${1:-build}
n=${2:-10000}
bin="$(cd "$build" && pwd)/nodus"
rtt="$(cd "$build" && pwd)/bench_nsh_rtt"
exec /usr/bin/python3 - "$bin" "$rtt" "$n" <<'PY'
import os, socket, subprocess, sys, tempfile, time
bin, rtt, n = sys.argv[1], sys.argv[2], sys.argv[3]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

sport, tport = free_port(), free_port()
state = tempfile.mkdtemp()
p = subprocess.Popen([bin, "run", "--quiet", "--no-console", "--state", state,
                      "--set", "bind=127.0.0.1", "--set", "socport=%d" % sport,
                      "--set", "telnet=True", "--set", "telnetport=%d" % tport],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", tport), 1).close()
            break
        except OSError:
            time.sleep(0.01)
    time.sleep(1)
    print("idle RSS, telnet door on: %.2f MB (goal <= 3 MB)" % (rss_kb(p.pid) / 1024))
    s = socket.create_connection(("127.0.0.1", tport), 5)
    buf = b""
    while not buf.endswith(b" $ "):
        buf += s.recv(4096)
    s.sendall(b"echo warm; system heartbeat\r\n")
    buf = b""
    while not buf.endswith(b" $ "):
        buf += s.recv(4096)
    time.sleep(0.5)
    print("RSS with one nsh session open (after a command): %.2f MB" % (rss_kb(p.pid) / 1024))
    s.close()
    sys.stdout.flush()
    subprocess.run([rtt, str(sport), str(tport), n], check=True)
finally:
    p.terminate()
    p.wait()
PY
