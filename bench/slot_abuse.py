#!/usr/bin/python3
"""slot_abuse.py -- a well-behaved client's service while the node is abused.

The scenario of README "Security": 300 slowloris sockets on the web door, 3
event streams that never read, 5 chatty authenticated shell sessions; a
well-behaved client meanwhile runs ROUNDS shell commands over its one session
and ROUNDS REST requests (a new connection each). Printed: the share answered
within 1 s, p50/p99 latency, and the same client on the same node with no
abuse first (the floor, same run). Usage: NODUS_BIN=build/nodus slot_abuse.py [ROUNDS]
"""
import os
import resource
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "blackbox"))
from conftest import Node, free_port  # noqa: E402
from test_security import run_abuse, PW  # noqa: E402
import requests  # noqa: E402


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))] * 1000


def quiet(n, rounds):
    lat_s, lat_r = [], []
    s = n.connect()
    s.cmd(PW)
    for _ in range(rounds):
        t0 = time.time()
        s.cmd("system heartbeat")
        lat_s.append(time.time() - t0)
        t0 = time.time()
        requests.get(n.url + "/rest/system/heartbeat", timeout=10,
                     headers={"x-micros-auth": PW, "Connection": "close"})
        lat_r.append(time.time() - t0)
    s.close()
    return lat_s, lat_r


def show(name, lat, failures=0):
    within = sum(1 for x in lat if x <= 1.0)
    print("%-28s n=%d  within 1 s: %5.1f %%  p50 %7.2f ms  p99 %7.2f ms  failed %d"
          % (name, len(lat), 100.0 * within / len(lat), pct(lat, 0.5), pct(lat, 0.99), failures))


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    state = tempfile.mkdtemp()
    n = Node(state, free_port(), ["auth=True", "appwd=" + PW, "aioqueue=8", "webui=True",
                                 "webport=%d" % free_port()])
    n.webport = int(n.sets[-1].split("=")[1])
    n.url = "http://127.0.0.1:%d" % n.webport
    n.start()
    try:
        s0, r0 = quiet(n, rounds)
        show("shell, no abuse (floor)", s0)
        show("REST, no abuse (floor)", r0)
        s1, r1, failures = run_abuse(n, rounds)
        show("shell, under abuse", s1, sum(1 for f in failures if f[0] == "shell"))
        show("REST, under abuse", r1, sum(1 for f in failures if f[0] == "rest"))
    finally:
        n.stop()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
