"""A private link for network tests: network namespaces on a veth bridge.

Lab(n) creates n namespaces, each with one interface eth0 plugged into a
bridge in the root namespace, addresses 10.200.<k>.1..n/24 (private), a
multicast route, and loopback up. Names carry the test process id so
parallel runs do not collide. Everything is removed in close(), also after
a failure. Needs root (CAP_NET_ADMIN); Lab.skip_reason() says precisely why
not when it cannot work.

Nodes run inside a namespace with `ip netns exec` (which execs, so the Popen
pid is the node's pid). mdnsq.py is the test's own small mDNS client.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MDNSQ = os.path.join(HERE, "mdnsq.py")


def _run(args, check=True, **kw):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kw)


class Lab:
    _count = 0

    @staticmethod
    def skip_reason():
        if shutil.which("ip") is None:
            return "no `ip` command (iproute2)"
        if os.geteuid() != 0:
            return "network namespaces need root (CAP_NET_ADMIN); running as uid %d" % os.geteuid()
        name = "ndprobe%d" % os.getpid()
        r = _run(["ip", "netns", "add", name], check=False)
        if r.returncode != 0:
            return "`ip netns add` failed: %s" % r.stderr.strip()
        _run(["ip", "netns", "del", name], check=False)
        return None

    def __init__(self, n=3):
        Lab._count += 1
        tag = "%d%d" % (os.getpid() % 10000, Lab._count)
        self.tag = tag
        self.bridge = "ndb" + tag
        self.ns = ["nd%sn%d" % (tag, i + 1) for i in range(n)]
        self.veth = ["nd%sv%d" % (tag, i + 1) for i in range(n)]
        self.net = "10.200.%d" % ((os.getpid() + Lab._count) % 250)
        self.procs = []
        self.daemons = []
        try:
            _run(["ip", "link", "add", self.bridge, "type", "bridge"])
            _run(["ip", "link", "set", self.bridge, "up"])
            for i, ns in enumerate(self.ns):
                _run(["ip", "netns", "add", ns])
                _run(["ip", "link", "add", self.veth[i], "type", "veth", "peer", "name", "eth0",
                      "netns", ns])
                _run(["ip", "link", "set", self.veth[i], "master", self.bridge, "up"])
                _run(["ip", "-n", ns, "addr", "add", "%s/24" % self.ip(i), "dev", "eth0"])
                _run(["ip", "-n", ns, "link", "set", "eth0", "up"])
                _run(["ip", "-n", ns, "link", "set", "lo", "up"])
                _run(["ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0"])
        except Exception:
            self.close()
            raise

    def ip(self, i):
        return "%s.%d" % (self.net, i + 1)

    def cidr(self):
        return "%s.0/24" % self.net

    def run(self, i, args, timeout=30, env=None, check=False, input=""):
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run(["ip", "netns", "exec", self.ns[i]] + list(args), capture_output=True,
                              text=True, timeout=timeout, env=e, check=check, input=input)

    def popen(self, i, args, env=None, **kw):
        e = dict(os.environ)
        if env:
            e.update(env)
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[i]] + list(args), env=e, **kw)
        self.daemons.append(p)
        return p

    # ---- nodes --------------------------------------------------------------------------
    def start_node(self, i, state, nodus_bin, devfid, *sets):
        os.makedirs(state, exist_ok=True)
        args = [nodus_bin, "run", "--state", str(state), "--set", "devfid=%s" % devfid,
                "--set", "bind=0.0.0.0"]
        for s in sets:
            args += ["--set", s]
        log = open(os.path.join(str(state), "stderr.log"), "ab")
        p = subprocess.Popen(["ip", "netns", "exec", self.ns[i]] + args, stdout=subprocess.DEVNULL,
                             stderr=log)
        p.log = log
        p.state = str(state)
        self.procs.append(p)
        self.wait_port(i, 9008)
        return p

    def wait_port(self, i, port, timeout=10):
        code = ("import socket,sys,time\n"
                "d=time.time()+%f\n"
                "while time.time()<d:\n"
                "  try: socket.create_connection(('%s',%d),0.2).close(); sys.exit(0)\n"
                "  except OSError: time.sleep(0.05)\n"
                "sys.exit(1)\n" % (timeout, self.ip(i), port))
        r = self.run(i, [sys.executable, "-c", code], timeout=timeout + 5)
        assert r.returncode == 0, "node in %s did not listen on %d" % (self.ns[i], port)

    def stop_node(self, p, sig=signal.SIGTERM):
        if p.poll() is None:
            p.send_signal(sig)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        if not p.log.closed:
            p.log.close()
            if os.environ.get("ND_SANITIZED") == "1":
                # a sanitizer report fails the test, as conftest's make_node does
                err = self.node_log(p)
                for mark in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
                    assert mark not in err, "sanitizer report from %s" % p.state
        return p.returncode

    def node_log(self, p):
        with open(os.path.join(p.state, "stderr.log"), "rb") as f:
            return f.read().decode(errors="replace")

    # ---- the test's mDNS client (mdnsq.py) ------------------------------------------------
    def mdnsq(self, i, *args, timeout=20):
        r = self.run(i, [sys.executable, MDNSQ] + [str(a) for a in args], timeout=timeout)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    # ---- avahi in a namespace, with its own D-Bus -----------------------------------------
    @staticmethod
    def avahi_busy():
        """avahi-daemon's pid file is global (/run/avahi-daemon/pid): another live
        daemon blocks ours. A stale file (dead pid) is removed."""
        path = "/run/avahi-daemon/pid"
        try:
            with open(path) as f:
                pid = int(f.read().strip() or 0)
        except (OSError, ValueError):
            return False
        if pid and os.path.exists("/proc/%d" % pid):
            return True
        try:
            os.remove(path)
        except OSError:
            pass
        return False

    def start_avahi(self, i, workdir):
        """avahi-daemon in namespace i with a private system bus; returns the env
        avahi-browse/avahi-resolve need (DBUS_SYSTEM_BUS_ADDRESS)."""
        os.makedirs(workdir, exist_ok=True)
        bus = os.path.join(workdir, "bus")
        with open(os.path.join(workdir, "bus.conf"), "w") as f:
            f.write("""<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><type>system</type><listen>unix:path=%s</listen><auth>EXTERNAL</auth>
<policy context="default"><allow user="*"/><allow own="*"/><allow send_destination="*"/>
<allow receive_sender="*"/></policy></busconfig>
""" % bus)
        with open(os.path.join(workdir, "avahi.conf"), "w") as f:
            f.write("[server]\nhost-name=avahi%s\nuse-ipv4=yes\nuse-ipv6=yes\nallow-interfaces=eth0\n"
                    "enable-dbus=yes\nratelimit-burst=1000\n[wide-area]\nenable-wide-area=no\n"
                    "[publish]\npublish-hinfo=no\npublish-workstation=no\n" % self.tag)
        self.popen(i, ["dbus-daemon", "--nofork", "--config-file=%s" % os.path.join(workdir, "bus.conf")],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 5
        while not os.path.exists(bus) and time.time() < deadline:
            time.sleep(0.05)
        env = {"DBUS_SYSTEM_BUS_ADDRESS": "unix:path=%s" % bus}
        log = open(os.path.join(workdir, "avahi.log"), "wb")
        self.popen(i, ["avahi-daemon", "-f", os.path.join(workdir, "avahi.conf"), "--no-drop-root",
                       "--no-chroot", "--no-rlimits"], env=env, stdout=log, stderr=log)
        deadline = time.time() + 10
        while time.time() < deadline:
            with open(os.path.join(workdir, "avahi.log")) as f:
                text = f.read()
            if "Server startup complete" in text:
                return env
            if "already running" in text or "failed" in text.lower():
                break
            time.sleep(0.1)
        raise RuntimeError("avahi-daemon did not start: %s" % text)

    def close(self):
        for p in self.procs:
            try:
                self.stop_node(p)
            except Exception:
                pass
        for p in reversed(self.daemons):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for i, ns in enumerate(self.ns):
            _run(["ip", "netns", "del", ns], check=False)
            _run(["ip", "link", "del", self.veth[i]], check=False)
        _run(["ip", "link", "del", self.bridge], check=False)
