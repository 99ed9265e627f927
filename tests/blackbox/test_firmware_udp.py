"""The firmware's UDP (src/port/mps2/net_lwip.c over lwIP's raw udp API): the
SNTP client sets the board's clock from a server the test runs, the mDNS
responder answers a legacy unicast query for node01.local, and garbage or a
flood on the mDNS port is dropped (and counted) without hurting the board.
Host names (src/port/mps2/dns_lwip.c over lwIP's DNS client) against the
test's own DNS server: ntpserver and mqtt_host by name, an unknown name, a
server that never answers (the shell keeps answering meanwhile), the bound
on lookups in flight and cancelled lookups giving their slots back.

Networking: the board must reach a UDP server on the host (SNTP), but QEMU's
user network with restrict=on lets the guest start nothing but TCP guestfwd.
So QEMU runs with restrict=off -- inside a private network namespace of this
test (unshare(CLONE_NEWNET) for the test's thread, as root) that holds only
a loopback interface: the board's mDNS multicast and anything else it might
dial can reach nothing but this namespace's 127.0.0.1 (QEMU maps 10.0.2.2 to
it), so nothing leaves the machine. The test's sockets, the SNTP server and
QEMU all live in that namespace; the thread returns to its own afterwards.
The test's DNS server listens on the namespace's 127.0.0.1:53, which the
board reaches as 10.0.2.2:53 (config key nameserver).
The image is NODUS_FW_ELF when set, else the max profile (everything the
port has). Skipped without root (CAP_SYS_ADMIN) or `ip`; a test whose service
the image's link map shows it was built without (ND_WITH_SNTP / ND_WITH_MDNS
in src/port/mps2/nd_port_opts.h, LWIP_DNS in lwipopts.h, InterCon, MQTT) is
skipped and says so.
"""
import calendar
import ctypes
import os
import random
import shutil
import socket
import struct
import subprocess
import threading
import time

import pytest

from conftest import SANITIZED
from mqttbroker import Broker
from mqttbroker import available as mosquitto_available
from test_firmware import TOOLS, FwNode, build_firmware, reboot_and_wait

pytestmark = [
    pytest.mark.skipif(not TOOLS, reason="gcc-arm-none-eabi / qemu-system-arm not installed"),
    pytest.mark.skipif(SANITIZED, reason="the firmware is not built with sanitizers"),
    pytest.mark.skipif(os.geteuid() != 0 or not shutil.which("ip"),
                       reason="needs root and iproute2 for a private network namespace"),
]

CLONE_NEWNET = 0x40000000
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
# QEMU hands the board a forwarded datagram with its real source address, and
# the responder answers unicast only to queriers on its own subnet (RFC 6762
# s11; 127.0.0.1 is not): the querier sends from 10.0.2.2, an address of the
# namespace's loopback -- QEMU's own address on the board's side, the only
# one there it answers ARP for (10.0.2.99 would stay unresolved). The answer
# comes back to 127.0.0.1 (QEMU maps 10.0.2.2 to the host's loopback), hence
# a socket on 0.0.0.0.
QUERIER = "10.0.2.2"
NTP_UNIX_DELTA = 2208988800
# the time the test's SNTP server gives: 2031-05-06 07:08:09 UTC
SERVER_TIME = calendar.timegm((2031, 5, 6, 7, 8, 9))
# what the test's DNS server knows (A records); names starting with "silent"
# get no answer at all, any other name NXDOMAIN
DNS_NAMES = {"ntp.test": QUERIER, "broker.test": QUERIER}


class NetNs:
    """A private network namespace with only loopback, for this thread."""

    def __enter__(self):
        libc = ctypes.CDLL(None, use_errno=True)
        self.setns = libc.setns
        self.home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        if libc.unshare(CLONE_NEWNET) != 0:
            os.close(self.home)
            pytest.skip("unshare(CLONE_NEWNET): %s" % os.strerror(ctypes.get_errno()))
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        subprocess.run(["ip", "addr", "add", QUERIER + "/32", "dev", "lo"], check=True)
        return self

    def __exit__(self, *exc):
        if self.setns(self.home, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back to the test's own namespace")
        os.close(self.home)


class UdpServer:
    """A UDP server on the namespace's loopback, answering in its own thread:
    answer(data, peer) sends whatever the subclass replies."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            try:
                data, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            self.answer(data, peer)

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


class SntpServer(UdpServer):
    """Answers NTP client (mode 3) requests with mode 4 at SERVER_TIME."""

    def __init__(self):
        self.requests = 0
        super().__init__(0)

    def answer(self, data, peer):
        if len(data) < 48 or data[0] & 7 != 3:
            return
        self.requests += 1
        sec = SERVER_TIME + NTP_UNIX_DELTA
        ts = struct.pack("!II", sec, 0)
        # LI 0, version 4, mode 4; stratum 1; poll; precision; root delay/dispersion;
        # refid; reference, originate (= the client's transmit), receive, transmit
        reply = struct.pack("!BBbb", 0x24, 1, 6, -20) + b"\0" * 8 + b"TEST"
        reply += ts + data[40:48] + ts + ts
        self.sock.sendto(reply, peer)


class DnsServer(UdpServer):
    """A tiny DNS server on the namespace's 127.0.0.1:53 (UDP): A answers for
    DNS_NAMES, NOERROR without answers for their other types, NXDOMAIN for
    any other name, and silence for names starting with "silent". Keeps
    every question as (name, qtype)."""

    def __init__(self):
        self.questions = []
        super().__init__(53)

    def asked(self, name):
        return sum(1 for n, _ in self.questions if n == name)

    def answer(self, data, peer):
        try:
            qid, flags, nq = struct.unpack("!HHH", data[:6])
            i, labels = 12, []
            while data[i]:
                labels.append(data[i + 1:i + 1 + data[i]].decode())
                i += 1 + data[i]
            qtype, qclass = struct.unpack("!HH", data[i + 1:i + 5])
        except (struct.error, IndexError, UnicodeDecodeError):
            return
        if flags & 0x8000 or nq != 1:
            return
        name = ".".join(labels).lower()
        self.questions.append((name, qtype))
        if name.startswith("silent"):
            return
        question = data[12:i + 5]
        answers = b""
        rcode = 0
        if name not in DNS_NAMES:
            rcode = 3  # NXDOMAIN
        elif qtype == 1:
            # a pointer to the question's name; type A, class IN, TTL 60 s
            answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + \
                socket.inet_aton(DNS_NAMES[name])
        head = struct.pack("!HHHHHH", qid, 0x8180 | rcode, 1, 1 if answers else 0, 0, 0)
        self.sock.sendto(head + question + answers, peer)


def dns_query(name, qid, qtype=1):
    q = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", qtype, 1)


def skip_name(p, i):
    while p[i]:
        if p[i] & 0xC0 == 0xC0:
            return i + 2
        i += 1 + p[i]
    return i + 1


def a_records(p):
    """(id, [dotted IPv4 of every A answer]) of a DNS response."""
    qid, flags, nq, nan = struct.unpack("!HHHH", p[:8])
    assert flags & 0x8000, "not a response"
    i = 12
    for _ in range(nq):
        i = skip_name(p, i) + 4
    out = []
    for _ in range(nan):
        i = skip_name(p, i)
        rtype, _cls, _ttl, rdlen = struct.unpack("!HHIH", p[i:i + 10])
        i += 10
        if rtype == 1 and rdlen == 4:
            out.append(socket.inet_ntoa(p[i:i + 4]))
        i += rdlen
    return qid, out


def ask(port, name="node01.local", timeout=1.0, tries=1, src=QUERIER):
    """A legacy unicast mDNS query (from a port other than 5353, from src): the A answers."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("0.0.0.0", 0))
        s.settimeout(timeout)
        pktinfo = struct.pack("@i4s4s", 0, socket.inet_aton(src), bytes(4))
        for _ in range(tries):
            qid = random.randrange(1, 65536)
            s.sendmsg([dns_query(name, qid)], [(socket.IPPROTO_IP, IP_PKTINFO, pktinfo)],
                      0, ("127.0.0.1", port))
            try:
                while True:
                    data, _ = s.recvfrom(2048)
                    rid, addrs = a_records(data)
                    if rid == qid:  # a legacy reply carries the query's id
                        return addrs
            except socket.timeout:
                continue
    return None


# a service, and how to see it in the image: a symbol in the link map (what
# LTO keeps), else a text only its code has (LTO inlines the entry points)
SERVICES = (("SNTP", "nd_sntp_start", None), ("mDNS", "nd_mdns_start", None),
            ("DNS", None, b"lookups in flight already"),  # dns_lwip.c, LWIP_DNS 1
            ("InterCon", None, b"[intercon] NoHost: "), ("MQTT", None, b"nodus MQTT 3.1.1 client"))


def built_without(elf):
    """What of SERVICES the image lacks, per its link map and its bytes ([] when unknown)."""
    try:
        with open(os.path.join(os.path.dirname(elf), "nodus.map"), errors="replace") as f:
            m = f.read().split("Linker script and memory map", 1)[-1]  # not the discarded
        with open(elf, "rb") as f:
            image = f.read()
    except OSError:
        return []
    return [w for w, sym, text in SERVICES if (sym not in m if sym else text not in image)]


@pytest.fixture(scope="module")
def board(tmp_path_factory):
    # outside the namespace: the build may fetch lwIP's sources
    elf = os.environ.get("NODUS_FW_ELF") or build_firmware("max")
    missing = built_without(elf)
    if "SNTP" in missing and "mDNS" in missing:
        pytest.skip("image built without SNTP and mDNS (nd_port_opts.h)")
    with NetNs():
        ntp = SntpServer()
        dns = DnsServer()
        mdns_port = ntp.port  # a free UDP port number in this fresh namespace: any will do
        while mdns_port == ntp.port:
            mdns_port = random.randrange(20000, 60000)
        env = {"FW_RESTRICT": "off", "FW_UDP_FWD": "%d:5353" % mdns_port}
        old = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            fw = FwNode(elf, tmp_path_factory.mktemp("fwudp"))
        finally:
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k)
                else:
                    os.environ[k] = v
        fw.ntp, fw.dns, fw.mdns_port, fw.missing = ntp, dns, mdns_port, missing
        try:
            yield fw
        finally:
            fw.stop()
            ntp.close()
            dns.close()


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    return pred()


def needs(board, what):
    if what in board.missing:
        pytest.skip("image built without %s (%s)" % (what, "lwipopts.h: LWIP_DNS" if what == "DNS"
                                                     else "nd_port_opts.h"))


def test_sntp_sets_the_board_clock(board):
    needs(board, "SNTP")
    with board.connect() as s:
        s.cmd("conf")
        s.cmd("utc 0")
        s.cmd("ntpserver 10.0.2.2:%d" % board.ntp.port)  # 10.0.2.2 = the namespace's loopback
        s.cmd("noconf")
        # not synced yet (the default pool.ntp.org has no address on the board);
        # the call starts a sync with the new server at once
        assert s.cmd("system ntp").startswith("(False, ")
        assert wait_for(lambda: board.ntp.requests, 10), \
            "no SNTP request reached the server (built without ND_WITH_SNTP?)\n" + \
            board.uart_text()[-1500:]
        clock = wait_for(lambda: (lambda c: c if c.startswith("2031.5.6  7:8:") else None)(
            s.cmd("system clock")), 10)
        assert clock, s.cmd("system clock")
        assert s.cmd("system ntp").startswith("(True, (2031, 5, 6, 7, 8")
    assert "ntp: clock synced from 10.0.2.2:%d" % board.ntp.port in board.uart_text()


def test_mdns_answers_a_legacy_unicast_query(board):
    needs(board, "mDNS")
    # probing and announcing take about 2 s after boot
    addrs = wait_for(lambda: ask(board.mdns_port), 15)
    assert addrs == ["10.0.2.15"], board.uart_text()[-1500:]
    # a name that is not the board's gets no answer (no check of an off-link querier:
    # once the board has answered, QEMU shows 127.0.0.1 to it as 10.0.2.2 too)
    assert ask(board.mdns_port, "someoneelse.local", timeout=0.5) is None
    assert ask(board.mdns_port) == ["10.0.2.15"]


def test_garbage_and_a_flood_are_dropped_and_counted(board):
    needs(board, "mDNS")
    assert wait_for(lambda: ask(board.mdns_port), 15) == ["10.0.2.15"]
    rnd = random.Random(7)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        # garbage: random bytes, empty, a truncated header, a label running off the end
        junk = [b"", b"\x00", b"\x12\x34\x00\x00\x00\x01", dns_query("node01.local", 5)[:-3],
                b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x3fabc"]
        junk += [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600))) for _ in range(40)]
        # over one frame: QEMU sends it in IP fragments, which the board drops
        junk += [b"\0" * 12 + bytes(3000), bytes(1473)]
        for j in junk:
            s.sendto(j, ("127.0.0.1", board.mdns_port))
            time.sleep(0.002)
        assert board.cmd("hello").startswith("hello:")
        assert ask(board.mdns_port, tries=3) == ["10.0.2.15"]
        # a flood: more datagrams at once than the socket's ring (4) holds; the
        # board drops the rest, says so on the UART, and goes on answering (the
        # LAN9118's receive FIFO drops some before: QEMU's "Failed to send packet")
        flood = dns_query("nobody.local", 9)
        for _ in range(600):
            s.sendto(flood, ("127.0.0.1", board.mdns_port))
    line = wait_for(lambda: [ln for ln in board.uart_text().splitlines()
                             if "[WARN] udp: port 5353:" in ln], 12)
    assert line, board.uart_text()[-1500:]
    full = int(line[-1].split(" in all ")[1].split()[0])
    assert full > 0, line
    assert board.cmd("hello").startswith("hello:")
    assert ask(board.mdns_port, tries=3) == ["10.0.2.15"]
    assert board.alive(), board.uart_text()[-2000:]


# ---- host names (dns_lwip.c) -------------------------------------------------
def conf(board, *lines):
    """Set config keys in conf mode; every one must be saved."""
    with board.connect() as s:
        assert s.cmd("conf") == ""
        for line in lines:
            r = s.cmd(line)
            assert "Saved" in r, (line, r)
        assert s.cmd("noconf") == ""


def show(board, tag, timeout):
    """task show <tag> once the InterCon task has finished (as test_intercon.py)."""
    with board.connect() as s:
        assert wait_for(lambda: ("Yes       " + tag + "\n") not in s.cmd("task list"), timeout), \
            s.cmd("task list")
        return s.cmd("task show " + tag)


def dns_server_field(board):
    """The dns field of `system ifconfig`: ('STA', (ip, mask, gw, dns))."""
    return board.cmd("system ifconfig").rstrip().rstrip(")").rsplit(", ", 1)[1].strip("'")


def test_ntpserver_by_name(board):
    needs(board, "SNTP")
    needs(board, "DNS")
    # n/a: QEMU's own resolver, which ifconfig shows; the key moves it
    conf(board, "nameserver n/a")
    assert dns_server_field(board) == "10.0.2.3"
    conf(board, "nameserver " + QUERIER)
    assert dns_server_field(board) == QUERIER
    with board.connect() as s:
        # away from the server's time: the sync below must move it back (and log it)
        s.cmd("system setclock 2029 1 2 3 4 5")
        assert s.cmd("system clock").startswith("2029.1.2")
    conf(board, "utc 0", "ntpserver ntp.test:%d" % board.ntp.port)
    requests = board.ntp.requests
    board.cmd("system ntp")  # starts a sync with the new server now
    assert wait_for(lambda: board.ntp.requests > requests, 10), \
        "no SNTP request after the lookup\n" + board.uart_text()[-1500:]
    assert board.dns.asked("ntp.test") >= 1 and ("ntp.test", 1) in board.dns.questions
    assert wait_for(lambda: board.cmd("system clock").startswith("2031.5.6  7:8:"), 10), \
        board.cmd("system clock")
    assert "ntp: clock synced from ntp.test:%d" % board.ntp.port in board.uart_text()


def test_unknown_name_says_so(board):
    needs(board, "DNS")
    conf(board, "nameserver " + QUERIER)
    if "SNTP" not in board.missing:
        # sntp.c says it once per failure streak: end any streak with a sync first
        conf(board, "ntpserver ntp.test:%d" % board.ntp.port)
        board.cmd("system ntp")
        assert wait_for(lambda: board.cmd("system ntp").startswith("(True, "), 10)
        conf(board, "ntpserver nosuch.test:123")
        board.cmd("system ntp")
        # the Linux node's words (sntp.c)
        line = "[WARN] ntp: no address for nosuch.test:123"
        assert wait_for(lambda: line in board.uart_text(), 10), board.uart_text()[-1500:]
        assert board.dns.asked("nosuch.test") >= 1
        conf(board, "ntpserver n/a")  # no more retries in the tests below
    if "InterCon" not in board.missing:
        with board.connect() as s:
            assert s.cmd("hello >>nosuchnode") == "{'con.nosuchnode.hello': 'Starting'}\n"
        # as test_intercon.py's Linux node: an answer (NXDOMAIN), not a timeout
        assert show(board, "con.nosuchnode.hello", 8) == \
            "[intercon] NoHost: nosuchnode (name not found)\n"
        assert board.dns.asked("nosuchnode") >= 1
    assert "dns: nosuch" not in board.uart_text()  # no timeout, no limit


def test_a_nameserver_that_is_not_an_address_says_so(board):
    # bad input in the key: lookups fail with the reason, nothing is asked, the shell goes on
    needs(board, "SNTP")
    needs(board, "DNS")
    asked = board.dns.asked("ntp.test")
    conf(board, "nameserver not-an-ip", "ntpserver ntp.test:%d" % board.ntp.port)
    board.cmd("system ntp")
    line = "[WARN] dns: nameserver not-an-ip is not an IPv4 address"
    assert wait_for(lambda: line in board.uart_text(), 10), board.uart_text()[-1500:]
    assert board.dns.asked("ntp.test") == asked
    assert board.cmd("hello").startswith("hello:")
    conf(board, "nameserver " + QUERIER, "ntpserver n/a")


def test_silent_server_times_out_and_the_shell_keeps_answering(board):
    needs(board, "DNS")
    needs(board, "InterCon")
    # InterCon waits longer than the lookup: the lookup's own timeout ends it
    conf(board, "nameserver " + QUERIER, "ntpserver n/a", "intercontout 20000")
    try:
        with board.connect() as s:
            t0 = time.time()
            # the task's tag is the host's first label
            assert s.cmd("hello >>silent.test") == "{'con.silent.hello': 'Starting'}\n"
            # the loop never waits for the lookup: the shell answers at once meanwhile
            slowest = 0.0
            while time.time() - t0 < 4.0:
                t = time.time()
                assert s.cmd("hello").startswith("hello:node01:")
                slowest = max(slowest, time.time() - t)
                time.sleep(0.2)
            assert slowest < 0.5, slowest
            # lwIP asks four times (at 0, 1, 2 and 4 s) and gives up after 6-7 s
            line = "[WARN] dns: silent.test: no answer from %s in " % QUERIER
            assert wait_for(lambda: line in board.uart_text(), 5), board.uart_text()[-1500:]
            assert 5.9 < time.time() - t0 < 9
            assert " ms (4 queries)" in board.uart_text().split(line, 1)[1].split("\n", 1)[0]
        assert board.dns.asked("silent.test") >= 4
        # InterCon retries once (ND_IC_ATTEMPTS), with a fresh lookup: two timeouts
        assert show(board, "con.silent.hello", 15) == \
            "[intercon] NoHost: silent.test (timed out)\n"
        assert board.uart_text().count(line) == 2
    finally:
        conf(board, "intercontout 6000")
    assert board.alive(), board.uart_text()[-2000:]


def test_lookups_are_bounded_and_cancelled_ones_come_back(board):
    needs(board, "DNS")
    needs(board, "InterCon")
    needs(board, "SNTP")
    # five InterCon tasks at once: room for them in the task queue
    conf(board, "nameserver " + QUERIER, "ntpserver n/a", "intercontout 20000", "aioqueue 8")
    time.sleep(8)  # lwIP lets go of the lookups of the tests before (6-7 s)
    try:
        # four lookups in flight at most: the fifth is refused at once, clearly
        with board.connect() as s:
            for i in range(1, 6):
                assert s.cmd("hello >>silent%d.test" % i).endswith("'Starting'}\n")
        assert show(board, "con.silent5.hello", 3) == \
            "[intercon] NoHost: silent5.test (limit exceeded)\n"
        assert "[WARN] dns: silent5.test: 4 lookups in flight already" in board.uart_text()
        assert board.cmd("hello").startswith("hello:node01:")
        for i in range(1, 5):  # timeouts end the four (each tried twice)
            assert show(board, "con.silent%d.hello" % i, 25) == \
                "[intercon] NoHost: silent%d.test (timed out)\n" % i
    finally:
        conf(board, "intercontout 6000", "aioqueue 5")
    # SNTP gives up on a lookup after 2 s (its deadline) and cancels it: no
    # timeout is reported for it, lwIP's late answer (its give-up) is dropped
    conf(board, "ntpserver silentntp.test:%d" % board.ntp.port)
    board.cmd("system ntp")
    # (sntp.c logs "no address for" once per failure streak: maybe before)
    assert board.cmd("system ntp").startswith("(False, ")
    time.sleep(5)  # two syncs, both cancelled at 2 s
    conf(board, "ntpserver n/a")
    assert wait_for(lambda: board.dns.asked("silentntp.test") >= 2, 3)
    time.sleep(8)  # lwIP lets go of every one of them
    assert "dns: silentntp.test" not in board.uart_text()  # no timeout, no limit
    # every slot came back: a name resolves again, and the clock syncs with it
    with board.connect() as s:
        s.cmd("system setclock 2029 1 2 3 4 5")
    requests = board.ntp.requests
    conf(board, "ntpserver ntp.test:%d" % board.ntp.port)
    board.cmd("system ntp")
    assert wait_for(lambda: board.ntp.requests > requests, 10), board.uart_text()[-1500:]
    assert wait_for(lambda: board.cmd("system clock").startswith("2031.5.6"), 10)
    conf(board, "ntpserver n/a")
    assert board.alive(), board.uart_text()[-2000:]


@pytest.mark.skipif(not mosquitto_available(), reason="mosquitto not installed")
def test_mqtt_broker_by_name(board, tmp_path):
    """Last: it reboots the board (mqtt_host is read at start)."""
    needs(board, "DNS")
    needs(board, "MQTT")
    b = Broker(tmp_path).start()  # on this namespace's loopback: 10.0.2.2 for the board
    sub = b.sub("nodus/node01/#")
    try:
        conf(board, "nameserver " + QUERIER, "ntpserver n/a", "mqtt True", "mqtt_host broker.test",
             "mqtt_port %d" % b.port)
        reboot_and_wait(board)
        sub.wait(lambda m: m[1] == "nodus/node01/status" and m[2] == "online", 30)
        assert board.dns.asked("broker.test") >= 1
        assert board.cmd("hello").startswith("hello:node01:")
    finally:
        sub.close()
        b.kill()
        try:
            conf(board, "mqtt False")
        except (OSError, AssertionError):
            pass
