"""SNTP client (ntpserver) against a real NTP server: Debian's chronyd, started by
the test on a free loopback port with its own config (-x: it never touches the
machine's clock; `local stratum 8` makes it serve its own clock)."""
import os
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from test_tasks import wait_for


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@pytest.fixture
def chrony(tmp_path):
    exe = shutil.which("chronyd") or ("/usr/sbin/chronyd" if os.path.exists("/usr/sbin/chronyd") else None)
    if not exe:
        pytest.skip("chrony is not installed (apt-get install chrony)")
    port = free_udp_port()
    d = tmp_path / "chrony"
    d.mkdir()
    conf = d / "chrony.conf"
    conf.write_text("port %d\nbindaddress 127.0.0.1\nlocal stratum 8\nallow 127.0.0.1\ncmdport 0\n"
                    "pidfile %s\ndriftfile %s\n" % (port, d / "chronyd.pid", d / "drift"))
    log = open(d / "chronyd.log", "wb")
    p = subprocess.Popen([exe, "-f", str(conf), "-d", "-x", "-u", "root"], stdout=log, stderr=log)
    try:
        # wait until it answers a client request
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.2)
        for _ in range(50):
            s.sendto(b"\x23" + b"\0" * 47, ("127.0.0.1", port))
            try:
                if len(s.recvfrom(128)[0]) >= 48:
                    break
            except socket.timeout:
                pass
        s.close()
        yield port
    finally:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
        log.close()


def clock_year(s):
    return int(s.cmd("system clock").split(".")[0])


def log_text(node):
    out = b""
    for f in ("info.sys.log", "warn.sys.log"):
        try:
            with open(node.path("logs", f), "rb") as fh:
                out += fh.read()
        except OSError:
            pass
    return out.decode(errors="replace")


def test_sync_against_chrony_fixes_a_wrong_clock(make_node, chrony):
    n = make_node("utc=0", "ntpserver=127.0.0.1:%d" % chrony)
    year = time.gmtime().tm_year
    with n.connect() as s:
        # the start-up sync (watched in the log: each `system ntp` would start another sync,
        # and one still in flight would rightly undo the setclock below)
        assert wait_for(lambda: "ntp: clock synced" in log_text(n), 8)
        assert s.cmd("system setclock 2001 2 3 4 5 6") == "(2001, 2, 3, 4, 5, 6, 5, 34)\n"
        assert clock_year(s) == 2001
        s.cmd("system ntp")  # starts a sync now; the reply carries the last result
        assert wait_for(lambda: clock_year(s) == year, 8)
        t = s.cmd("system ntp")
        assert t.startswith("(True, (%d, " % year), t
    # the node clock is within a couple of seconds of the machine's
    with n.connect() as s:
        hms = s.cmd("system clock").split()[1].split(":")
    now = time.gmtime()
    node_s = int(hms[0]) * 3600 + int(hms[1]) * 60 + int(hms[2])
    diff = abs(node_s - (now.tm_hour * 3600 + now.tm_min * 60 + now.tm_sec))
    assert min(diff, 86400 - diff) <= 2
    assert "ntp: clock synced from 127.0.0.1:%d" % chrony in log_text(n)


def test_server_by_name_through_the_resolver(make_node, chrony):
    # "localhost" comes from /etc/hosts via the port's off-loop resolver
    n = make_node("utc=0", "ntpserver=localhost:%d" % chrony)
    with n.connect() as s:
        s.cmd("system setclock 2001 1 1")
        s.cmd("system ntp")
        assert wait_for(lambda: clock_year(s) == time.gmtime().tm_year, 8)


def test_no_server_backs_off_and_logs_once(make_node):
    n = make_node("utc=0", "ntpserver=127.0.0.1:%d" % free_udp_port())
    with n.connect() as s:
        s.cmd("system setclock 2001 1 1")
        assert s.cmd("system ntp").startswith("(False, (2001, ")
        time.sleep(7)  # attempts at ~0, 2, 6 s: one log line for the streak
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert clock_year(s) == 2001
    assert log_text(n).count("ntp: no answer from") == 1


class BadServer:
    """Answers NTP requests wrongly: kiss (stratum 0), stale (wrong originate), short."""

    def __init__(self, mode):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]
        self.mode, self.got = mode, 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                req, addr = self.s.recvfrom(128)
            except OSError:
                return
            self.got += 1
            t = int(time.time()) + 2208988800 + 10 * 365 * 86400  # ten years ahead
            ts = struct.pack("!II", t & 0xFFFFFFFF, 0)  # NTP era 1 wraps in 2036
            orig = req[40:48] if self.mode != "stale" else b"\1" * 8
            stratum = 0 if self.mode == "kiss" else 2
            pkt = bytes([0x24, stratum, 6, 0]) + b"\0" * 8 + b"RATE" + ts + orig + ts + ts
            if self.mode == "short":
                pkt = pkt[:40]
            self.s.sendto(pkt, addr)


@pytest.mark.parametrize("mode", ["kiss", "stale", "short"])
def test_bad_answers_never_move_the_clock(make_node, mode):
    srv = BadServer(mode)
    n = make_node("utc=0", "ntpserver=127.0.0.1:%d" % srv.port)
    with n.connect() as s:
        assert wait_for(lambda: srv.got >= 1, 5)
        time.sleep(2.5)
        assert clock_year(s) == time.gmtime().tm_year
        assert s.cmd("system ntp").startswith("(False, ")
    if mode == "kiss":
        assert "kiss-o'-death RATE" in log_text(n)
