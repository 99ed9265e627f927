#!/usr/bin/env python3
"""lua.py BUILD_DIR [seconds=30] -- Lua Load Module figures (README, Benchmarks):

1. shell round trip of a trivial Lua function against the same trivial C
   function (`system heartbeat`), interleaved on one connection in the same
   run (bench_lua_rtt);
2. resident memory: the idle node (no Lua module used yet), after the first
   simple module's first call, and per further module (10 modules);
3. 1000 Lua tasks, each sleeping 100 ms in a loop (nodus.sleep), while a
   client hammers the shell with `hello`: how late task runs start (the
   node's own histogram, `system timing`, as bench/task_timing.c reports).
"""
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

build = sys.argv[1] if len(sys.argv) > 1 else "build"
secs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
BIN = os.path.join(os.path.abspath(build), "nodus")

SIMPLE = "local M = {}\nfunction M.heartbeat() return '<3 heartbeat <3' end\nreturn M\n"
TASKS = r"""
local M = {}
-- phases spread over the period, as independent tasks would be: a herd
-- started in the same millisecond would measure its own burst, not the loop
local function sleeper(ms, phase)
  nodus.sleep(phase)
  while true do nodus.sleep(ms) end
end
function M.start(n, ms)
  for i = 1, n do nodus.task(sleeper, "t" .. i, ms, i % ms) end
  return n
end
return M
"""


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


class Node:
    def __init__(self, modules, *sets):
        self.state = tempfile.mkdtemp()
        os.makedirs(os.path.join(self.state, "modules"))
        for name, text in modules.items():
            with open(os.path.join(self.state, "modules", "LM_%s.lua" % name), "w") as f:
                f.write(text)
        self.port = free_port()
        args = [BIN, "run", "--quiet", "--state", self.state, "--set", "bind=127.0.0.1",
                "--set", "socport=%d" % self.port]
        for s in sets:
            args += ["--set", s]
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                break
            except OSError:
                time.sleep(0.02)
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.read()

    def read(self):
        b = b""
        while not b.endswith(b" $ "):
            b += self.sock.recv(65536)
        return b.decode()

    def cmd(self, line):
        self.sock.sendall(line.encode())
        return self.read().rsplit("\n", 1)[0]

    def stop(self):
        self.sock.close()
        self.p.terminate()
        self.p.wait()


print("== Lua vs C: trivial function round trip, same run (bench_lua_rtt) ==")
n = Node({"lbench": SIMPLE})
subprocess.run([os.path.join(build, "bench_lua_rtt"), "127.0.0.1", str(n.port), "10000",
                "system heartbeat", "lbench heartbeat"], check=True)
n.stop()

print("== resident memory (VmRSS) ==")
mods = {"m%d" % i: SIMPLE for i in range(10)}
n = Node(mods)
time.sleep(1)
idle = rss_kb(n.p.pid)
print("idle, no Lua module used:        %6d kB" % idle)
n.cmd("m0 heartbeat")
one = rss_kb(n.p.pid)
print("after the first module's call:   %6d kB  (+%d kB: Lua's code pages + the first state)" % (one, one - idle))
for i in range(1, 10):
    n.cmd("m%d heartbeat" % i)
ten = rss_kb(n.p.pid)
print("after 10 modules:                %6d kB  (+%.1f kB per further module)" % (ten, (ten - one) / 9.0))
print("Lua's own count per module:      %s bytes" % n.cmd("modules stats >json").split('"mem": ')[1].split(",")[0])
n.stop()

print("== 1000 Lua tasks sleeping 100 ms, %d s, with shell round trips ==" % secs)
n = Node({"tasks": TASKS}, "aioqueue=1100", "luamem_kb=16384")
print("started:", n.cmd("tasks start 1000 100"))
stop = False
count = [0]


def hammer():
    s = socket.create_connection(("127.0.0.1", n.port))
    b = b""
    while not b.endswith(b" $ "):
        b += s.recv(65536)
    while not stop:
        s.sendall(b"hello")
        b = b""
        while not b.endswith(b" $ "):
            b += s.recv(65536)
        count[0] += 1
    s.close()


t = threading.Thread(target=hammer)
t.start()
time.sleep(3)
n.cmd("system timing reset=True")
time.sleep(secs)
print(n.cmd("system timing"))
print("RSS with 1000 sleeping Lua tasks: %d kB; Lua memory: %s" %
      (rss_kb(n.p.pid), n.cmd("modules stats >json")))
stop = True
t.join()
print("shell round trips meanwhile: %d (%.0f/s)" % (count[0], count[0] / (secs + 3)))
n.stop()
