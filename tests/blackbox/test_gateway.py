"""The fleet gateway (README "Fleet gateway"), with real components only.

Debian's mosquitto on a free loopback port (generated config), three nodus
nodes with MQTT on, `nodus gateway`, and a real prometheus scraping the
gateway: per-node `nodus_node_up` series through prometheus's HTTP API,
micrOS Gateway's /list/, /status, /sendcmd, /metrics/<dev>/<cmd>, the REST
proxy, a node reached over ShellCli from the device cache (with a password
from the environment that never shows in the gateway's output), a killed
node shown down, and the broker restarted.
"""
import json
import os
import shutil
import signal
import sys
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from conftest import NODUS_BIN, free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
PWD = "gwSekr3t7"

pytestmark = pytest.mark.skipif(not os.path.exists(MOSQUITTO), reason="mosquitto not installed")


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError("nothing listens on %d" % port)


def until(fn, timeout=30, what="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = fn()
            if last:
                return last
        except (OSError, ValueError, KeyError) as e:
            last = e
        time.sleep(0.2)
    raise AssertionError("%s never held (last: %r)" % (what, last))


class Broker:
    def __init__(self, tmp):
        self.port = free_port()
        self.conf = os.path.join(tmp, "mosquitto.conf")
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % self.port)
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_port(self.port)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class Gateway:
    def __init__(self, tmp, broker_port, env=None):
        self.port = free_port()
        self.errpath = os.path.join(tmp, "gateway.err")
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [NODUS_BIN, "gateway", "--broker", "127.0.0.1", "--broker-port", str(broker_port), "--bind",
             "127.0.0.1", "--port", str(self.port), "--mdns", "0", "--timeout", "5000"],
            stdout=subprocess.DEVNULL, stderr=open(self.errpath, "wb"), env=e)
        wait_port(self.port)

    def get(self, path, timeout=15):
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.port, path), timeout=timeout) as r:
                return r.status, r.headers.get("Content-Type"), r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.headers.get("Content-Type"), e.read().decode()

    def json(self, path):
        code, _, body = self.get(path)
        return code, json.loads(body)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        return self.proc.returncode

    def stderr(self):
        with open(self.errpath, "rb") as f:
            return f.read()


def up_series(metrics):
    """{node: value} of nodus_node_up lines."""
    out = {}
    for line in metrics.splitlines():
        if line.startswith("nodus_node_up{"):
            name = line.split('node="', 1)[1].split('"', 1)[0]
            out[name] = int(line.rsplit(" ", 1)[1])
    return out


@pytest.fixture
def fleet(make_node, tmp_path):
    broker = Broker(str(tmp_path))
    broker.start()
    nodes = [make_node("devfid=gwnode%d" % i, "mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % broker.port,
                       "mqtt_keepalive=5", "mqtt_telemetry_s=1", "mqtt_ha=False")
             for i in range(3)]
    cache = tmp_path / "device_conn_cache.json"
    gw = Gateway(str(tmp_path), broker.port, env={"NODUS_DEVICE_CACHE": str(cache),
                                                  "NODUS_GATEWAY_PWD": PWD})
    until(lambda: all(up_series(gw.get("/metrics")[2]).get("gwnode%d" % i) == 1 for i in range(3)),
          what="all three nodes up in /metrics")
    yield broker, nodes, gw, cache
    gw.stop()
    broker.stop()


def test_fleet_metrics_and_prometheus(fleet, tmp_path):
    broker, nodes, gw, _ = fleet
    code, ctype, body = gw.get("/metrics")
    assert code == 200 and ctype.startswith("text/plain; version=0.0.4")
    assert 'nodus_node_up{node="gwnode1",source="mqtt"} 1' in body
    assert "# TYPE nodus_node_up gauge" in body
    assert 'nodus_gateway_nodes{state="up"} 3' in body and "nodus_gateway_broker_up 1" in body
    # telemetry fields per node, one family each
    until(lambda: 'nodus_telemetry_uptime_s{node="gwnode2"}' in gw.get("/metrics")[2], what="telemetry")
    body = gw.get("/metrics")[2]
    assert body.count("# TYPE nodus_telemetry_rss_bytes gauge") == 1
    fams = [l.split()[2] for l in body.splitlines() if l.startswith("# TYPE")]
    assert len(fams) == len(set(fams)), "a family written twice"

    if not os.path.exists(PROMETHEUS):
        pytest.skip("prometheus not installed")
    pport = free_port()
    conf = tmp_path / "prometheus.yml"
    conf.write_text("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
                    "scrape_configs:\n  - job_name: nodus_fleet\n    static_configs:\n"
                    "      - targets: ['127.0.0.1:%d']\n" % gw.port)
    prom = subprocess.Popen([PROMETHEUS, "--config.file", str(conf), "--storage.tsdb.path", str(tmp_path / "tsdb"),
                             "--web.listen-address", "127.0.0.1:%d" % pport],
                            stdout=subprocess.DEVNULL, stderr=open(str(tmp_path / "prom.err"), "wb"))
    try:
        wait_port(pport, 20)

        def query(q):
            url = "http://127.0.0.1:%d/api/v1/query?query=%s" % (pport, urllib.parse.quote(q))
            with urllib.request.urlopen(url, timeout=5) as r:
                d = json.loads(r.read())
            return {s["metric"].get("node"): s["value"][1] for s in d["data"]["result"]}

        got = until(lambda: (lambda r: r if len(r) == 3 else None)(query("nodus_node_up")), timeout=40,
                    what="prometheus has three nodus_node_up series")
        assert got == {"gwnode0": "1", "gwnode1": "1", "gwnode2": "1"}
        assert query('up{job="nodus_fleet"}') == {None: "1"}  # one scrape covers the fleet
        # a node killed hard: its last will makes it down (mqtt_keepalive 5 s)
        nodes[2].stop(signal.SIGKILL)
        until(lambda: up_series(gw.get("/metrics")[2]).get("gwnode2") == 0, timeout=30, what="gwnode2 down")
        until(lambda: query("nodus_node_up").get("gwnode2") == "0", timeout=20, what="prometheus sees gwnode2 down")
        assert query("nodus_node_up")["gwnode0"] == "1"
    finally:
        prom.terminate()
        prom.wait(10)


def test_list_and_sendcmd(fleet):
    _, nodes, gw, _ = fleet
    code, d = gw.json("/list/")
    assert code == 200 and set(d) == {"online", "offline", "gateway_metrics"}
    assert sorted(v[2] for v in d["online"].values()) == ["gwnode0", "gwnode1", "gwnode2"]
    assert d["offline"] == {}
    code, d = gw.json("/sendcmd/gwnode0/system+heartbeat")
    assert code == 200
    assert d["cmd"] == ["system", "heartbeat"] and d["response"] == "<3 heartbeat <3" and d["state"] is True
    assert d["device"][3] == "gwnode0" and isinstance(d["latency"], (int, float))
    code, d = gw.json("/sendcmd/gwnode1/nomod+func")
    assert d["state"] is False and "No module named" in json.dumps(d["response"])
    code, d = gw.json("/sendcmd/nosuch/hello")
    assert code == 404
    # a node stopped cleanly says offline at once
    nodes[1].stop()
    until(lambda: "gwnode1" in [v[2] for v in gw.json("/list/")[1]["offline"].values()], timeout=20,
          what="gwnode1 offline in /list/")


def test_rest_proxy_envelope(fleet):
    _, _, gw, _ = fleet
    code, d = gw.json("/rest/gwnode2/system/heartbeat")
    assert code == 200 and d == {"result": "<3 heartbeat <3", "state": True}
    code, d = gw.json("/rest/gwnode2/system/info")
    assert d["state"] is True and "Mem usage [%]" in d["result"]  # a dict stays a dict
    code, d = gw.json("/rest/gwnode0/nomod/func")
    assert code == 200 and d["state"] is False and d["result"].startswith("Core error: LM_nomod->func")
    code, d = gw.json("/rest/gwnode0/system/notify/%22hi%20there%22")
    assert d == {"result": "Sent over Local (1/1) client(s) - errors: (0)", "state": True}
    code, d = gw.json("/rest/nosuch/system/heartbeat")
    assert code == 404 and d["state"] is False
    code, d = gw.json("/rest/")
    assert sorted(d["result"]) == ["gwnode0", "gwnode1", "gwnode2"]


def test_micros_metrics_endpoint(fleet):
    _, _, gw, _ = fleet
    code, ctype, body = gw.get("/metrics/gwnode0/system+top")
    assert code == 200 and ctype.startswith("text/plain")
    lines = body.splitlines()
    # micrOS Gateway's four lines per key
    i = lines.index("# HELP micrOS_gwnode0__system_top_Mem Dynamic content: Mem usage ")
    assert lines[i - 1] == "# TYPE python_info gauge"
    assert lines[i + 1] == "# TYPE micrOS_gwnode0__system_top_Mem gauge"
    name, value = lines[i + 2].split(" ")
    assert name == "micrOS_gwnode0__system_top_Mem" and 0 <= float(value) <= 100
    assert any(l.startswith("micrOS_gwnode0__system_top_CPU ") for l in lines)


def test_status_health(fleet):
    _, nodes, gw, _ = fleet
    code, d = gw.json("/status")
    assert code == 200 and d["gateway_metrics"]["status"] in ("Start", "Running", "Done")
    d = until(lambda: (lambda x: x if len(x["devices"]) == 3 else None)(gw.json("/status")[1]), timeout=30,
              what="three devices in /status")
    version = nodes[0].cmd("version").strip()
    for uid, h in d["devices"].items():
        assert h["verdict"] == "HEALTHY" and h["version"] == version and h["fuid"].startswith("gwnode")
        assert set(h) >= {"verdict", "fuid", "devip", "version", "alarms", "latency", "upython", "cpu_temp",
                          "free_fs", "free_ram"}
        assert isinstance(h["free_ram"], (int, float)) and "verdict" in h["alarms"]
    assert d["gateway_metrics"]["device_count"] == 3 and d["gateway_metrics"]["availablity[%]"] == 100


def test_shellcli_node_from_cache_with_password(fleet, make_node):
    _, _, gw, cache = fleet
    n = make_node("devfid=shellnode", "auth=True", "appwd=" + PWD)
    cache.write_text(json.dumps({"micrSHELLOS": ["127.0.0.1", n.port, "shellnode"]}))
    until(lambda: up_series(gw.get("/metrics")[2]).get("shellnode") == 1, timeout=20, what="shellnode probed up")
    assert 'nodus_node_up{node="shellnode",source="cache"} 1' in gw.get("/metrics")[2]
    code, d = gw.json("/sendcmd/shellnode/system+heartbeat")
    assert d["response"] == "<3 heartbeat <3" and d["state"] is True
    assert d["device"] == ["micrSHELLOS", "127.0.0.1", n.port, "shellnode"]
    code, d = gw.json("/rest/shellnode/system/heartbeat")
    assert d == {"result": "<3 heartbeat <3", "state": True}
    n.stop()
    until(lambda: up_series(gw.get("/metrics")[2]).get("shellnode") == 0, timeout=20, what="shellnode down")
    assert PWD.encode() not in gw.stderr()


def test_broker_restart(fleet):
    broker, nodes, gw, _ = fleet
    broker.stop()
    until(lambda: "nodus_gateway_broker_up 0" in gw.get("/metrics")[2], timeout=15, what="broker down")
    assert set(up_series(gw.get("/metrics")[2]).values()) == {0}
    assert nodes[0].cmd("system heartbeat") == "<3 heartbeat <3\n"  # the node keeps its shell
    broker.start()
    until(lambda: all(up_series(gw.get("/metrics")[2]).get("gwnode%d" % i) == 1 for i in range(3)), timeout=90,
          what="all nodes back after the broker restart")
    code, d = gw.json("/sendcmd/gwnode2/hello")
    assert d["state"] is True and d["response"].startswith("hello:gwnode2:")


def test_gateway_bad_requests(fleet):
    _, _, gw, _ = fleet
    code, _, _ = gw.get("/nope")
    assert code == 404
    s = socket.create_connection(("127.0.0.1", gw.port), 5)
    s.sendall(b"POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    assert s.recv(100).startswith(b"HTTP/1.1 405")
    s.close()
    s = socket.create_connection(("127.0.0.1", gw.port), 5)
    s.sendall(b"GET /" + b"a" * 9000)
    assert s.recv(100).startswith(b"HTTP/1.1 400")
    s.close()
    code, d = gw.json("/sendcmd/gwnode0/%zz")
    assert code == 400
    assert gw.proc.poll() is None


# ---- mDNS discovery: nodes and gateway in network namespaces on one link --------------------
def test_gateway_learns_nodes_over_mdns(tmp_path):
    from nsnet import Lab
    reason = Lab.skip_reason()
    if reason:
        pytest.skip(reason)
    lab = Lab(2)
    try:
        lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall", "ntpserver=n/a")
        lab.popen(1, [NODUS_BIN, "gateway", "--bind", "127.0.0.1", "--port", "5005", "--mdns", "1"],
                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        fetch = ("import sys,urllib.request\n"
                 "print(urllib.request.urlopen('http://127.0.0.1:5005' + sys.argv[1], timeout=10).read().decode())\n")

        def get(path):
            r = lab.run(1, [sys.executable, "-c", fetch, path], timeout=20)
            return r.stdout if r.returncode == 0 else ""

        d = until(lambda: (lambda t: json.loads(t) if t and "hall" in t and '"online":{}' not in t else None)(
            get("/list/")), timeout=20, what="hall learned over mDNS and probed up")
        (uid, entry), = d["online"].items()
        assert uid.startswith("micr") and entry == [lab.ip(0), 9008, "hall"]
        until(lambda: 'nodus_node_up{node="hall",source="mdns"} 1' in get("/metrics"), timeout=15,
              what="hall up in /metrics")
        d = json.loads(get("/sendcmd/hall/system+heartbeat"))
        assert d["response"] == "<3 heartbeat <3" and d["device"][1] == lab.ip(0)
    finally:
        lab.close()


@pytest.mark.parametrize("lib", ["missing", "incomplete"])
def test_gateway_without_libmosquitto_says_so(tmp_path, lib):
    """libmosquitto is dlopen()ed (src/port/posix/mosq_dl.c): without it, or
    with one lacking a function, the gateway stops at once and says why. The
    stand-in libmosquitto.so.1 comes first in LD_LIBRARY_PATH: a text file
    (cannot be loaded) or an empty shared library (loads, has no functions)."""
    so = tmp_path / "libmosquitto.so.1"
    if lib == "missing":
        so.write_bytes(b"not a shared library\n")
        want = b"gateway: cannot load libmosquitto.so.1 (apt install libmosquitto1)\n"
    else:
        cc = shutil.which("cc") or pytest.skip("no C compiler")
        (tmp_path / "empty.c").write_text("int nd_not_mosquitto;\n")
        subprocess.run([cc, "-shared", "-fPIC", "-o", str(so), str(tmp_path / "empty.c")], check=True)
        want = b"gateway: libmosquitto has no mosquitto_connack_string\n"
    r = subprocess.run([NODUS_BIN, "gateway", "--broker", "127.0.0.1", "--broker-port", str(free_port()),
                        "--bind", "127.0.0.1", "--port", str(free_port()), "--mdns", "0"],
                       capture_output=True, timeout=15,
                       env=dict(os.environ, LD_LIBRARY_PATH=str(tmp_path)))
    assert r.returncode == 2
    assert r.stderr == want + b"gateway: cannot start the MQTT client\n"
