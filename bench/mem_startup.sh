#!/usr/bin/env bash
# mem_startup.sh [BUILD_DIR] -- start-up time and resident memory of a node.
#   start-up: from exec to the shell port accepting a connection (best of 5)
#   idle RSS: VmRSS one second after start
#   100 sessions: VmRSS with 100 idle shell sessions open (aioqueue=128)
# Targets (issue 2): start-up <= 50 ms, idle <= 3 MB, 100 sessions <= 5 MB.
set -euo pipefail
build=${1:-build}
bin="$(cd "$build" && pwd)/nodus"
exec /usr/bin/python3 - "$bin" <<'PY'
import os, socket, subprocess, sys, tempfile, time
bin = sys.argv[1]

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])

def start(port, *sets):
    state = tempfile.mkdtemp()
    args = [bin, "run", "--quiet", "--state", state, "--set", "bind=127.0.0.1",
            "--set", "socport=%d" % port]
    for s in sets:
        args += ["--set", s]
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            break
        except OSError:
            if p.poll() is not None:
                sys.exit("node exited")
            time.sleep(0.0005)
    return p, (time.perf_counter() - t0) * 1000

times = []
for _ in range(5):
    p, ms = start(free_port())
    times.append(ms)
    p.terminate(); p.wait()
print("start-up to accepting connections: best %.1f ms, median %.1f ms (target <= 50 ms)"
      % (min(times), sorted(times)[2]))

port = free_port()
p, _ = start(port, "aioqueue=128")
time.sleep(1)
idle = rss_kb(p.pid)
print("idle RSS: %.2f MB (target <= 3 MB)" % (idle / 1024))
socks = []
for _ in range(100):
    s = socket.create_connection(("127.0.0.1", port), 5)
    buf = b""
    while not buf.endswith(b" $ "):
        buf += s.recv(4096)
    socks.append(s)
s = socks[-1]; s.sendall(b"hello"); s.recv(4096)  # all admitted and served
time.sleep(0.3)
full = rss_kb(p.pid)
print("RSS with 100 idle shell sessions: %.2f MB (+%.1f kB per session; target <= 5 MB)"
      % (full / 1024, (full - idle) / 100))
for s in socks:
    s.close()
p.terminate(); p.wait()
PY
