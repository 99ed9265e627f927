#!/usr/bin/python3
"""update_time.py -- how long a signed update takes, and a rollback.

A real node (NODUS_BIN, default build/nodus), a realistic bundle (the real
nodus binary, signed by a key made here) served by Python's HTTP server on
the loopback. Printed, for ROUNDS updates (versions 0.1.0-1, -2 ...):

  - `system update url=...` -> confirmed: the whole update (fetch, checks,
    staging with fsync, switch, restart on trial, health check);
  - of which `system update` -> restarting: fetch + verify + stage + commit;
  - the shell's answer time to `system heartbeat` on a second session while
    the bundle downloads and stages (the node must keep answering);

and for a version that never gets healthy (the real nodus whose web door
cannot bind; updtrial_s=2):

  - trial deadline -> the old version answering again: the rollback's own
    cost, beyond the deadline it waits on purpose.

Usage: NODUS_BIN=build/nodus bench/update_time.py [ROUNDS]   (default 5)
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "blackbox"))
from conftest import NODUS_BIN, Node, free_port  # noqa: E402
import http.server  # noqa: E402


def cli(*args):
    subprocess.run([NODUS_BIN] + list(args), check=True, capture_output=True)


def serve(directory, throttle=None):
    """Files of directory over HTTP; throttle=(bytes, pause s) trickles each response."""
    class H(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=directory, **k)

        def log_message(self, *a):
            pass

        def copyfile(self, src, dst):
            if not throttle:
                return super().copyfile(src, dst)
            while True:
                b = src.read(throttle[0])
                if not b:
                    return
                dst.write(b)
                dst.flush()
                time.sleep(throttle[1])

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def status(node):
    with node.connect(2) as s:
        return json.loads(s.cmd("system update_status >json"))


def wait(node, pred, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            st = status(node)
            if pred(st):
                return st
        except (OSError, ValueError, AssertionError):
            pass
        time.sleep(0.002)
    raise SystemExit("no expected update state within %ss" % timeout)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    tmp = tempfile.mkdtemp(prefix="nd_update_bench_")
    www = os.path.join(tmp, "www")
    os.makedirs(www)
    cli("release", "--genkey", os.path.join(tmp, "key"))
    size = 0
    for i in range(1, rounds + 2):
        out = os.path.join(www, "v%d.ndu" % i)
        cli("release", "--key", os.path.join(tmp, "key", "update.key"), "--version", "0.1.0-%d" % i,
            "--binary", NODUS_BIN, "-o", out)
        size = os.path.getsize(out)
    srv = serve(www)
    st_dir = os.path.join(tmp, "state")
    os.makedirs(os.path.join(st_dir, "config"))
    shutil.copy(os.path.join(tmp, "key", "update.pub"), os.path.join(st_dir, "config", "update.pub"))
    node = Node(st_dir, free_port(), ["updtrial_s=30"]).start()
    slow = serve(www, throttle=(65536, 0.05))  # about 1.3 MB/s: a slow link
    total, stage, beats, slow_beats = [], [], [], []
    try:
        for i in range(1, rounds + 2):
            last = i == rounds + 1  # the last one over the slow link: the shell while it trickles
            url = "http://127.0.0.1:%d/v%d.ndu" % ((slow if last else srv).server_address[1], i)
            probe = node.connect()
            t0 = time.time()
            node.cmd("system update url='%s'" % url)
            t_restart = None
            while True:  # heartbeats on another session until the node goes for its restart
                b0 = time.time()
                try:
                    probe.cmd("system heartbeat")
                except (OSError, AssertionError):
                    break
                (slow_beats if last else beats).append(time.time() - b0)
                try:
                    if status(node)["state"] == "restarting":
                        t_restart = time.time()
                        break
                except (OSError, ValueError, AssertionError):
                    break
            probe.close()
            st = wait(node, lambda s: s["state"] == "confirmed" and s["id"] == i)
            t1 = time.time()
            assert st["version"] == "0.1.0-%d" % i
            if last:
                slow_total = t1 - t0
                continue
            total.append(t1 - t0)
            stage.append((t_restart or t1) - t0)
        print("bundle: the real nodus binary, %d bytes, over HTTP on the loopback; %d updates" % (size, rounds))
        print("system update -> confirmed     median %6.0f ms  min %6.0f  max %6.0f"
              % (pct(total, 0.5) * 1000, min(total) * 1000, max(total) * 1000))
        print("  of which fetch+check+stage  median %6.0f ms  min %6.0f  max %6.0f"
              % (pct(stage, 0.5) * 1000, min(stage) * 1000, max(stage) * 1000))
        print("heartbeat during download/staging: n=%d  p50 %.2f ms  p99 %.2f ms  max %.2f ms"
              % (len(beats), pct(beats, 0.5) * 1000, pct(beats, 0.99) * 1000, max(beats) * 1000))
        print("slow link (~1.3 MB/s): update -> confirmed %.1f s; heartbeat meanwhile n=%d  p50 %.2f ms  "
              "p99 %.2f ms  max %.2f ms" % (slow_total, len(slow_beats), pct(slow_beats, 0.5) * 1000,
                                             pct(slow_beats, 0.99) * 1000, max(slow_beats) * 1000))
    finally:
        node.stop()

    # a version that never gets healthy: time from its deadline to the old version answering
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    bad = os.path.join(tmp, "unhealthy")
    with open(bad, "w") as f:
        f.write('#!/bin/sh\nexec "%s" "$@" --set webui=True --set webport=%d\n'
                % (os.path.realpath(NODUS_BIN), busy.getsockname()[1]))
    os.chmod(bad, 0o755)
    lat = []
    for i in range(3):
        st2 = os.path.join(tmp, "state-rb%d" % i)
        os.makedirs(os.path.join(st2, "config"))
        shutil.copy(os.path.join(tmp, "key", "update.pub"), os.path.join(st2, "config", "update.pub"))
        os.makedirs(os.path.join(st2, "web", "user_data"))
        cli("release", "--key", os.path.join(tmp, "key", "update.key"), "--version", "0.1.0-9",
            "--binary", bad, "--arch", "x86_64", "-o", os.path.join(st2, "web", "user_data", "bad.ndu"))
        n = Node(st2, free_port(), ["updtrial_s=2"]).start()
        try:
            n.cmd("system update file='user_data/bad.ndu'")
            wait(n, lambda s: s["state"] == "trial")
            with open(os.path.join(st2, "slots", "state")) as f:
                rec = dict(line.split(" ", 1) for line in f.read().splitlines()[1:])
            deadline_at = int(rec["since"]) / 1000.0 + int(rec["deadline"])
            wait(n, lambda s: s["state"] == "rolledback")
            lat.append(time.time() - deadline_at)
        finally:
            n.stop()
    busy.close()
    print("unhealthy version (updtrial_s=2): deadline -> old version answering  "
          "median %.0f ms  min %.0f  max %.0f (3 runs)" % (pct(lat, 0.5) * 1000, min(lat) * 1000, max(lat) * 1000))
    srv.shutdown()
    slow.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
