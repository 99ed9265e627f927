#!/usr/bin/env python3
"""Fleet scale on one machine (README "Benchmarks"): N nodus nodes on one mosquitto.

Each node is its own process with its own state directory: shell on a unique
loopback port (the shell cannot be switched off), web UI, mDNS and NTP off, MQTT
on with telemetry every --telemetry seconds (Home Assistant discovery off unless
--ha). One `nodus gateway` watches the fleet through the broker.

Reports:
  - memory of the fleet: sum of VmRSS (shared library pages counted once per
    process), sum of PSS (shared pages split between their users: what the fleet
    really costs), and the drop of MemAvailable while the fleet runs;
  - broker messages/s (mosquitto's $SYS counters over --window seconds);
  - the gateway's fleet /metrics scrape: wall time of GET /metrics (median, max);
  - time for all N to be up at the gateway after start and after a broker restart.

Usage: bench/fleet_scale.py [--nodes 1000] [--bin build/nodus] [--telemetry 10]
Loopback only. Stops everything it started (by pid) on exit.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def port_free(p):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("nothing listens on %d" % port)


def meminfo(key):
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def proc_kb(pid, key, path="status"):
    try:
        with open("/proc/%d/%s" % (pid, path)) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Fleet:
    def __init__(self, a):
        self.a = a
        self.tmp = tempfile.mkdtemp(prefix="nodus-fleet-")
        self.broker_port = free_port()
        self.gw_port = free_port()
        self.broker = None
        self.gw = None
        self.nodes = []

    # ---- broker -----------------------------------------------------------------
    def broker_start(self):
        conf = os.path.join(self.tmp, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\nsys_interval 1\n"
                    "max_queued_messages 1000\n" % self.broker_port)
        self.broker = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
        wait_port(self.broker_port)

    def broker_stop(self):
        if self.broker and self.broker.poll() is None:
            self.broker.terminate()
            self.broker.wait(20)

    def sys_counter(self, topic):
        out = subprocess.run(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(self.broker_port), "-t", topic,
                              "-C", "1", "-W", "5"], capture_output=True, text=True).stdout.strip()
        return int(out) if out.isdigit() else None

    # ---- gateway ------------------------------------------------------------------
    def gw_start(self):
        self.gw = subprocess.Popen([self.a.bin, "gateway", "--broker", "127.0.0.1", "--broker-port",
                                    str(self.broker_port), "--bind", "127.0.0.1", "--port", str(self.gw_port),
                                    "--mdns", "0"], stdout=subprocess.DEVNULL,
                                   stderr=open(os.path.join(self.tmp, "gateway.err"), "wb"))
        wait_port(self.gw_port)

    def scrape(self):
        t0 = time.monotonic()
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.gw_port, timeout=30) as r:
            body = r.read().decode()
        return time.monotonic() - t0, body

    def up_count(self):
        _, body = self.scrape()
        m = re.search(r'^nodus_gateway_nodes\{state="up"\} (\d+)$', body, re.M)
        return int(m.group(1)) if m else 0

    def wait_all_up(self, n, timeout):
        t0 = time.monotonic()
        last = -1
        while time.monotonic() - t0 < timeout:
            up = self.up_count()
            if up != last:
                print("  %6.1f s: %d/%d up" % (time.monotonic() - t0, up, n), flush=True)
                last = up
            if up >= n:
                return time.monotonic() - t0
            time.sleep(0.25)
        return None

    # ---- nodes ----------------------------------------------------------------------
    def nodes_start(self):
        port = self.a.port_base
        for i in range(self.a.nodes):
            while not port_free(port):
                port += 1
            state = os.path.join(self.tmp, "n%04d" % i)
            sets = ["devfid=fleet%04d" % i, "bind=127.0.0.1", "socport=%d" % port, "webui=False", "mdns=False",
                    "ntpserver=n/a", "mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % self.broker_port,
                    "mqtt_telemetry_s=%d" % self.a.telemetry, "mqtt_ha=%s" % ("True" if self.a.ha else "False")]
            args = [self.a.bin, "run", "--quiet", "--state", state]
            for s in sets:
                args += ["--set", s]
            self.nodes.append(subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            port += 1
            if i % 50 == 49:
                time.sleep(0.2)  # let the machine breathe: the start is not what is measured
        dead = [p for p in self.nodes if p.poll() is not None]
        if dead:
            print("warning: %d node(s) exited at start" % len(dead))

    def stop_all(self):
        for p in self.nodes:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.nodes:
            try:
                p.wait(20)
            except subprocess.TimeoutExpired:
                p.kill()
        if self.gw and self.gw.poll() is None:
            self.gw.terminate()
            self.gw.wait(10)
        self.broker_stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--nodes", type=int, default=1000)
    ap.add_argument("--bin", default=os.environ.get("NODUS_BIN", os.path.join(ROOT, "build", "nodus")))
    ap.add_argument("--telemetry", type=int, default=10, help="mqtt_telemetry_s of every node")
    ap.add_argument("--window", type=int, default=30, help="seconds over which broker messages/s is measured")
    ap.add_argument("--port-base", type=int, default=31000, help="first shell port")
    ap.add_argument("--ha", action="store_true", help="Home Assistant discovery on")
    ap.add_argument("--timeout", type=int, default=300, help="longest wait for the fleet to come up")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        raise SystemExit("no nodus binary at %s (--bin)" % a.bin)

    f = Fleet(a)
    try:
        avail0 = meminfo("MemAvailable")
        f.broker_start()
        f.gw_start()
        print("fleet of %d nodes, telemetry every %d s, broker 127.0.0.1:%d, gateway :%d"
              % (a.nodes, a.telemetry, f.broker_port, f.gw_port), flush=True)
        t0 = time.monotonic()
        f.nodes_start()
        print("started %d processes in %.1f s; waiting for them at the gateway" % (a.nodes, time.monotonic() - t0))
        t_up = f.wait_all_up(a.nodes, a.timeout)
        t_up = time.monotonic() - t0 if t_up is not None else None  # from the first process started
        print("all up %.1f s after the first start" % t_up if t_up is not None else "NOT all up")
        time.sleep(max(5, a.telemetry))  # settle: every node has sent telemetry at least once

        pids = [p.pid for p in f.nodes if p.poll() is None]
        rss = sum(proc_kb(p, "VmRSS") for p in pids)
        pss = sum(proc_kb(p, "Pss", "smaps_rollup") for p in pids)
        avail1 = meminfo("MemAvailable")
        brss = proc_kb(f.broker.pid, "VmRSS")
        grss = proc_kb(f.gw.pid, "VmRSS")

        r0, s0 = f.sys_counter("$SYS/broker/messages/received"), f.sys_counter("$SYS/broker/messages/sent")
        time.sleep(a.window)
        r1, s1 = f.sys_counter("$SYS/broker/messages/received"), f.sys_counter("$SYS/broker/messages/sent")
        rx = (r1 - r0) / a.window if r0 is not None and r1 is not None else float("nan")
        tx = (s1 - s0) / a.window if s0 is not None and s1 is not None else float("nan")

        times, size = [], 0
        for _ in range(20):
            dt, body = f.scrape()
            times.append(dt)
            size = len(body)

        print("broker restart ...", flush=True)
        f.broker_stop()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and f.up_count() > 0:
            time.sleep(0.2)
        t_restart = time.monotonic()
        f.broker_start()
        t_back = f.wait_all_up(a.nodes, a.timeout)
        alive = sum(1 for p in f.nodes if p.poll() is None)

        print()
        print("| Figure | Value |")
        print("| --- | --- |")
        print("| nodes (processes alive at the end) | %d (%d) |" % (a.nodes, alive))
        print("| fleet memory: sum of RSS | %.2f GB (%.2f MB per node) |" % (rss / 1048576, rss / 1024 / len(pids)))
        print("| fleet memory: sum of PSS | %.2f GB (%.2f MB per node) |" % (pss / 1048576, pss / 1024 / len(pids)))
        print("| MemAvailable drop (fleet + broker + gateway) | %.2f GB |" % ((avail0 - avail1) / 1048576))
        print("| broker RSS / gateway RSS | %.1f MB / %.1f MB |" % (brss / 1024, grss / 1024))
        print("| broker messages/s in / out (telemetry every %d s) | %.1f / %.1f |" % (a.telemetry, rx, tx))
        print("| gateway /metrics scrape (%d bytes): median / max of 20 | %.3f s / %.3f s |"
              % (size, statistics.median(times), max(times)))
        print("| all up, from the first process started | %s |" % ("%.1f s" % t_up if t_up is not None else "timeout"))
        print("| all back after a broker restart | %s |" % ("%.1f s" % t_back if t_back is not None else "timeout"))
        _ = t_restart
    finally:
        f.stop_all()


if __name__ == "__main__":
    sys.exit(main())
