"""Discovery and fleet status in the CLI: `nodus search` (mDNS browse and
--scan), the micrOS-format device cache, `nodus status`, and `nodus exec`
with cached names and NAME.local. Nodes run in network namespaces.
"""
import json
import os
import time

import pytest

from conftest import NODUS_BIN
from nsnet import Lab

_reason = Lab.skip_reason()
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


@pytest.fixture
def lab():
    lb = Lab(3)
    yield lb
    lb.close()


@pytest.fixture
def fleet(lab, tmp_path):
    """hall (plain) and kitchen (web UI on, cron on) on the link; the CLI runs in ns 3."""
    hall = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    kitchen = lab.start_node(1, tmp_path / "kitchen", NODUS_BIN, "kitchen", "webui=True",
                             "webport=8080", "cron=True")
    time.sleep(1.5)  # probing + first announcement
    cache = str(tmp_path / "cli" / "device_conn_cache.json")
    env = {"NODUS_DEVICE_CACHE": cache}

    def cli(*args, timeout=60):
        return lab.run(2, [NODUS_BIN] + list(args), env=env, timeout=timeout)

    return {"hall": hall, "kitchen": kitchen, "cache": cache, "cli": cli}


def table(out):
    """Rows of a whitespace table, keyed by the NAME column."""
    lines = out.splitlines()
    head = lines[0].split()
    rows = {}
    for l in lines[1:]:
        f = l.split()
        if len(f) >= len(head) - 1 and not l.startswith(("saved", "nodus")) and "found" not in l \
                and "online" not in l:
            rows[f[1]] = f
    return head, rows


def test_search_finds_nodes_and_writes_micros_cache(lab, fleet):
    r = fleet["cli"]("search", "--timeout", "1.5")
    assert r.returncode == 0, r.stderr
    head, rows = table(r.stdout)
    assert head[:4] == ["UID", "NAME", "ADDRESS", "VERSION"]
    assert rows["hall"][2] == "%s:9008" % lab.ip(0)
    assert rows["kitchen"][2] == "%s:9008" % lab.ip(1)
    assert "2 device(s) found" in r.stdout
    with open(fleet["cache"]) as f:
        cache = json.load(f)
    # micrOS's devToolKit format: uid -> [ip, port, fuid], with its two placeholders
    assert cache["__devuid__"] == ["192.168.4.1", 9008, "__device_on_AP__"]
    assert cache["__localhost__"] == ["127.0.0.1", 9008, "__simulator__"]
    hello = lab.run(2, [NODUS_BIN, "exec", lab.ip(0), "hello"]).stdout.strip().split(":")
    assert cache[hello[2]] == [lab.ip(0), 9008, "hall"]
    assert rows["hall"][0] == hello[2]


def test_search_scan_finds_nodes_without_mdns(lab, tmp_path):
    lab.start_node(0, tmp_path / "a", NODUS_BIN, "quiet1", "mdns=False")
    lab.start_node(1, tmp_path / "b", NODUS_BIN, "quiet2", "mdns=False")
    env = {"NODUS_DEVICE_CACHE": str(tmp_path / "c.json")}
    r = lab.run(2, [NODUS_BIN, "search", "--timeout", "0.5"], env=env)
    assert "0 device(s) found" in r.stdout
    t0 = time.time()
    r = lab.run(2, [NODUS_BIN, "search", "--timeout", "0.5", "--scan", lab.cidr(), "--rate", "400",
                    "--conc", "32"], env=env, timeout=60)
    took = time.time() - t0
    assert r.returncode == 0, r.stderr
    _, rows = table(r.stdout)
    assert rows["quiet1"][2] == "%s:9008" % lab.ip(0) and rows["quiet2"][2] == "%s:9008" % lab.ip(1)
    assert took >= 254 / 400.0  # 254 hosts at 400 connects/s: the rate limit held
    with open(str(tmp_path / "c.json")) as f:
        cache = json.load(f)
    assert sorted(v[2] for k, v in cache.items() if not k.startswith("__")) == ["quiet1", "quiet2"]


def test_search_bad_input(lab, tmp_path):
    env = {"NODUS_DEVICE_CACHE": str(tmp_path / "c.json")}
    for args, msg in ((["--scan", "10.0.0.0/8"], "at most /16"), (["--scan", "nonsense"], "CIDR"),
                      (["--rate", "0"], "--rate"), (["--timeout", "-1"], "--timeout"),
                      (["--bogus"], "usage")):
        r = lab.run(2, [NODUS_BIN, "search"] + args, env=env)
        assert r.returncode == 1 and msg in r.stderr, (args, r.stderr)
    # a broken cache file is reported and ignored, never fatal
    with open(str(tmp_path / "c.json"), "w") as f:
        f.write("{not json")
    r = lab.run(2, [NODUS_BIN, "status"], env=env)
    assert r.returncode == 2 and "not a device cache" in r.stderr
    r = lab.run(2, [NODUS_BIN, "exec", "nosuchnode", "hello"], env=env)
    assert r.returncode == 2 and "cannot resolve" in r.stderr


def test_status_table(lab, fleet):
    assert fleet["cli"]("search", "--timeout", "1.5").returncode == 0
    r = fleet["cli"]("status")
    assert r.returncode == 0, r.stderr
    head, rows = table(r.stdout)
    assert head == ["UID", "NAME", "ADDRESS", "STATUS", "VERSION", "MODE", "HELLO", "ms", "WEBUI",
                    "CRON", "TIMIRQ", "IRQ"]
    h, k = rows["hall"], rows["kitchen"]
    assert h[3] == "ONLINE" and k[3] == "ONLINE"
    assert h[4] == k[4] and "." in h[4] and "-" in h[4]  # X.Y.Z-N
    assert float(h[6]) > 0
    assert h[7:] == ["off", "off", "off", "off"]
    assert k[7:] == ["ON", "ON", "off", "off"]
    assert "__devuid__" not in r.stdout  # placeholders only with --all
    assert "2 of 2 online" in r.stdout
    lab.stop_node(fleet["hall"])
    r = fleet["cli"]("status", "--timeout", "1")
    _, rows = table(r.stdout)
    assert rows["hall"][3] == "OFFLINE" and rows["kitchen"][3] == "ONLINE"
    assert "1 of 2 online" in r.stdout


def test_exec_and_connect_by_cached_name_and_local(lab, fleet):
    assert fleet["cli"]("search", "--timeout", "1.5").returncode == 0
    r = fleet["cli"]("exec", "hall", "hello")
    assert r.returncode == 0 and r.stdout.startswith("hello:hall:"), r.stderr
    r = fleet["cli"]("exec", "KITCHEN", "version")  # names match case-insensitively
    assert r.returncode == 0 and "-" in r.stdout
    uid = r = fleet["cli"]("exec", "hall", "hello").stdout.strip().split(":")[2]
    r = fleet["cli"]("exec", uid, "hello")  # by uid too
    assert r.stdout.startswith("hello:hall:")
    # NAME.local goes over mDNS, no cache needed
    os.remove(fleet["cache"])
    r = fleet["cli"]("exec", "kitchen.local", "hello")
    assert r.returncode == 0 and r.stdout.startswith("hello:kitchen:"), r.stderr
    r = lab.run(2, [NODUS_BIN, "connect", "hall.local"], timeout=20)
    assert r.returncode == 0  # stdin is empty: connects, then leaves politely
