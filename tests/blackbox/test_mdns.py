"""mDNS responder: nodes in network namespaces on a veth bridge, checked
with independent clients (avahi-daemon + avahi-resolve/avahi-browse, dig)
and with the tests' own mdnsq.py for packet-level checks (conflicts,
goodbye, malformed input).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import NODUS_BIN
from nsnet import Lab, MDNSQ

_reason = Lab.skip_reason()
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


@pytest.fixture
def lab():
    lb = Lab(3)
    yield lb
    lb.close()


def wait_for(fn, timeout=8, step=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(step)
    return last


def a_records(res, name):
    return [r["data"] for r in (res["answers"] or []) if r["type"] == "A" and r["name"] == name]


def test_answers_a_aaaa_ptr_srv_txt(lab, tmp_path):
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    ip = lab.ip(0)
    res = wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    assert res == [ip]
    # the service browse gets PTR plus SRV, TXT and the address in one answer
    r = lab.mdnsq(2, "query", "_nodus._tcp.local", "PTR")
    recs = {(x["type"], x["name"]): x for x in r["answers"]}
    assert recs[("PTR", "_nodus._tcp.local")]["data"] == "hall._nodus._tcp.local"
    assert recs[("SRV", "hall._nodus._tcp.local")]["data"] == [9008, "hall.local"]
    txt = recs[("TXT", "hall._nodus._tcp.local")]["data"]
    assert "devfid=hall" in txt and any(t.startswith("hwuid=micr") for t in txt)
    assert any(t.startswith("version=") for t in txt) and "webport=0" in txt
    # legacy unicast replies: TTL at most 10, no cache-flush bit (RFC 6762 6.7)
    assert all(x["ttl"] <= 10 and not x["flush"] for x in r["answers"])
    # DNS-SD service enumeration
    r = lab.mdnsq(2, "query", "_services._dns-sd._udp.local", "PTR")
    assert [x["data"] for x in r["answers"] if x["type"] == "PTR"] == ["_nodus._tcp.local"]
    # AAAA: the namespace's eth0 has a link-local IPv6 address; else NSEC says "none"
    r = lab.mdnsq(2, "query", "hall.local", "AAAA")
    types = {x["type"] for x in r["answers"]}
    assert "AAAA" in types or "NSEC" in types
    # a name that is not ours gets no answer at all
    assert lab.mdnsq(2, "query", "other.local", "A")["answers"] is None
    assert n.poll() is None


def test_http_service_when_webui_on(lab, tmp_path):
    lab.start_node(1, tmp_path / "k", NODUS_BIN, "kitchen", "webui=True", "webport=8080")
    r = wait_for(lambda: lab.mdnsq(2, "query", "_http._tcp.local", "PTR")["answers"])
    recs = {(x["type"], x["name"]): x for x in r}
    assert recs[("SRV", "kitchen._http._tcp.local")]["data"] == [8080, "kitchen.local"]
    assert recs[("TXT", "kitchen._http._tcp.local")]["data"] == ["path=/"]
    txt = lab.mdnsq(2, "query", "kitchen._nodus._tcp.local", "TXT")["answers"][0]["data"]
    assert "webport=8080" in txt


@pytest.mark.skipif(shutil.which("dig") is None, reason="dig not installed (bind9-dnsutils)")
def test_dig_resolves_the_node(lab, tmp_path):
    lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    time.sleep(1.5)  # probing and announcing
    # dig connects its UDP socket, so it takes unicast replies only from the address it
    # asked: ask the node's address on port 5353 (RFC 6762 5.5 direct unicast query)
    r = lab.run(2, ["dig", "+short", "+time=2", "+tries=2", "-p", "5353", "@" + lab.ip(0),
                    "hall.local", "A"])
    assert r.stdout.split() == [lab.ip(0)], r.stdout + r.stderr
    r = lab.run(2, ["dig", "+short", "+time=2", "-p", "5353", "@" + lab.ip(0), "hall._nodus._tcp.local",
                    "SRV"])
    assert r.stdout.split() == ["0", "0", "9008", "hall.local."]


@pytest.mark.skipif(shutil.which("avahi-daemon") is None or shutil.which("avahi-browse") is None,
                    reason="avahi-daemon/avahi-utils not installed")
def test_avahi_resolves_browses_and_sees_goodbye(lab, tmp_path):
    if Lab.avahi_busy():
        pytest.skip("an avahi-daemon already runs on this machine (its pid file is global)")
    hall = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    lab.start_node(1, tmp_path / "k", NODUS_BIN, "kitchen", "webui=True", "webport=8080")
    env = lab.start_avahi(2, str(tmp_path / "avahi"))
    r = lab.run(2, ["avahi-resolve", "-4", "-n", "hall.local"], env=env, timeout=15)
    assert r.stdout.split() == ["hall.local", lab.ip(0)], r.stdout + r.stderr
    r = lab.run(2, ["avahi-resolve", "-4", "-n", "kitchen.local"], env=env, timeout=15)
    assert r.stdout.split() == ["kitchen.local", lab.ip(1)], r.stdout + r.stderr
    r = lab.run(2, ["avahi-browse", "-rtp", "_nodus._tcp"], env=env, timeout=20)
    resolved = [l.split(";") for l in r.stdout.splitlines() if l.startswith("=") and ";IPv4;" in l]
    got = {f[3]: (f[6], f[7], f[8], f[9]) for f in resolved}
    assert got["hall"][:3] == ("hall.local", lab.ip(0), "9008"), r.stdout
    assert got["kitchen"][:3] == ("kitchen.local", lab.ip(1), "9008"), r.stdout
    assert '"devfid=hall"' in got["hall"][3] and '"webport=8080"' in got["kitchen"][3]
    r = lab.run(2, ["avahi-browse", "-rtp", "_http._tcp"], env=env, timeout=20)
    assert any(l.startswith("=") and ";kitchen;" in l and ";8080;" in l for l in r.stdout.splitlines()), \
        r.stdout
    # goodbye: a live browser sees hall leave as soon as it stops (TTL 0), not after 120 s
    br = lab.popen(2, ["avahi-browse", "-p", "_nodus._tcp"], env=env, stdout=subprocess.PIPE,
                   stderr=subprocess.DEVNULL, text=True)
    time.sleep(2)
    assert lab.stop_node(hall) == 0
    time.sleep(2.5)
    br.terminate()
    out = br.communicate(timeout=5)[0]
    assert any(l.startswith("-;") and ";hall;_nodus._tcp;" in l for l in out.splitlines()), out
    assert not any(l.startswith("-;") and ";kitchen;" in l for l in out.splitlines()), out


def test_name_conflict_takes_next_name(lab, tmp_path):
    first = lab.start_node(0, tmp_path / "a", NODUS_BIN, "twin")
    assert wait_for(lambda: a_records(lab.mdnsq(2, "query", "twin.local", "A"), "twin.local"))
    second = lab.start_node(1, tmp_path / "b", NODUS_BIN, "twin")
    got = wait_for(lambda: a_records(lab.mdnsq(2, "query", "twin-2.local", "A"), "twin-2.local"))
    assert got == [lab.ip(1)]
    assert a_records(lab.mdnsq(2, "query", "twin.local", "A"), "twin.local") == [lab.ip(0)]
    assert "name conflict: twin.local is taken, trying twin-2.local" in lab.node_log(second)
    assert "[mdns] name conflict" not in lab.node_log(first)
    r = lab.mdnsq(2, "query", "_nodus._tcp.local", "PTR", "--to", lab.ip(1))
    assert "twin-2._nodus._tcp.local" in [x["data"] for x in r["answers"] if x["type"] == "PTR"]


def test_simultaneous_start_same_name(lab, tmp_path):
    """Both probe at once: the tie-break lets one keep the name, the other renames."""
    a = lab.start_node(0, tmp_path / "a", NODUS_BIN, "same")
    b = lab.start_node(1, tmp_path / "b", NODUS_BIN, "same")
    time.sleep(4)
    owners = {}
    for name in ("same.local", "same-2.local"):
        owners[name] = a_records(lab.mdnsq(2, "query", name, "A"), name)
    assert sorted(owners["same.local"] + owners["same-2.local"]) == sorted([lab.ip(0), lab.ip(1)]), owners
    assert a.poll() is None and b.poll() is None


def test_goodbye_packet_on_shutdown(lab, tmp_path):
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    time.sleep(2.5)  # past the announcements
    lis = subprocess.Popen(["ip", "netns", "exec", lab.ns[2], sys.executable, MDNSQ, "listen", "4"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lis.stderr.readline()  # "listening"
    assert lab.stop_node(n) == 0
    seen = json.loads(lis.communicate(timeout=10)[0])
    bye = [p for p in seen if p["src"] == lab.ip(0)]
    assert bye, seen
    recs = bye[-1]["records"]
    assert all(r["ttl"] == 0 for r in recs)
    kinds = {(r["type"], r["name"]) for r in recs}
    assert ("A", "hall.local") in kinds and ("PTR", "_nodus._tcp.local") in kinds
    assert ("SRV", "hall._nodus._tcp.local") in kinds


def test_malformed_packets_do_not_hurt(lab, tmp_path):
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    assert wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    hdr_q = "000000000001000000000000"
    hdr_r = "000084000000000100000000"
    bad = [
        "",                                     # empty
        "00",                                   # shorter than a header
        "ffff" * 300,                           # garbage
        hdr_q + "c00c00010001",                 # pointer to itself
        hdr_q[:8] + "0002" + hdr_q[12:] + "0161c012000100010162c00c00010001",  # two-pointer loop
        hdr_q + "c02000010001" + "00" * 40,     # forward pointer
        hdr_q + ("3f" + "61" * 63) * 5 + "0000010001",  # name over 255 bytes
        hdr_q + "40" + "62" * 64 + "0000010001",        # label length 64 (reserved bits)
        hdr_q[:8] + "ffff" + hdr_q[12:] + "0468616c6c056c6f63616c0000010001",  # 65535 questions
        hdr_r + "0468616c6c056c6f63616c00000100010000007800" + "08" + "0a0a",  # rdata past end
        hdr_r + "0468616c6c056c6f63616c0000010001000000780005" + "0a0a0a0a0a",  # A of 5 bytes
    ]
    lab.mdnsq(2, "raw", *[b for b in bad if b], "--to", lab.ip(0))
    lab.mdnsq(2, "flood", 3000, "--to", lab.ip(0))
    time.sleep(0.5)
    assert n.poll() is None
    # a response claiming hall.local with a bogus (truncated) record must not rename us
    assert a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local") == [lab.ip(0)]
    r = lab.run(2, [NODUS_BIN, "exec", lab.ip(0), "hello"])
    assert r.stdout.startswith("hello:hall:")
    assert "name conflict" not in lab.node_log(n)
    lab.stop_node(n)
    m = re.search(r"(\d+) malformed", lab.node_log(n))
    assert m and int(m.group(1)) >= 100, lab.node_log(n)


def test_keeps_answering(lab, tmp_path):
    """a responder must answer for as long as it runs."""
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    assert wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    ok = 0
    for i in range(40):
        if a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local") == [lab.ip(0)]:
            ok += 1
        time.sleep(0.1)
    assert ok == 40 and n.poll() is None


def test_mdns_off_and_loopback_bind_stay_silent(lab, tmp_path):
    lab.start_node(0, tmp_path / "off", NODUS_BIN, "quiet", "mdns=False")
    time.sleep(1.5)
    assert lab.mdnsq(2, "query", "quiet.local", "A")["answers"] is None
    # bind to loopback only: the shell cannot be reached from the link, so no announcement
    st = tmp_path / "lo"
    os.makedirs(st)
    p = lab.popen(1, [NODUS_BIN, "run", "--state", str(st), "--set", "devfid=lonely", "--set",
                      "bind=127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    assert lab.mdnsq(2, "query", "lonely.local", "A")["answers"] is None
    p.send_signal(signal.SIGTERM)
    err = p.communicate(timeout=10)[1].decode()
    assert p.returncode == 0
    assert "no multicast link for bind 127.0.0.1" in err


def test_intercon_resolves_local_names_over_mdns(lab, tmp_path):
    """`hello >>kitchen.local` on hall: the resolver's .local hook asks the link (no
    nss-mdns, no avahi on the node), and the host cache remembers the answer."""
    lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    lab.start_node(1, tmp_path / "k", NODUS_BIN, "kitchen")
    time.sleep(1.5)
    r = lab.run(0, [NODUS_BIN, "exec", "127.0.0.1", "hello >>kitchen.local"])
    assert "con.kitchen.hello" in r.stdout, r.stdout + r.stderr

    def done():
        out = lab.run(0, [NODUS_BIN, "exec", "127.0.0.1", "task show con.kitchen.hello"]).stdout
        return out if "hello:kitchen:" in out else None
    assert wait_for(done, timeout=8)
    hosts = lab.run(0, [NODUS_BIN, "exec", "127.0.0.1", "system hosts"]).stdout
    assert "'kitchen.local': '%s'" % lab.ip(1) in hosts
    # an unknown .local name fails cleanly after the lookup's 2 s, the node stays up
    r = lab.run(0, [NODUS_BIN, "exec", "127.0.0.1", "hello >>nobody.local"])
    assert "con.nobody.hello" in r.stdout
    time.sleep(3)
    r = lab.run(0, [NODUS_BIN, "exec", "127.0.0.1", "task show con.nobody.hello"])
    assert r.returncode == 0 and "hello:" not in r.stdout
