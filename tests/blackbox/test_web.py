"""WebCli door (issue 4): HTTP server, micrOS REST bridge, config endpoints,
web UI files, live events, /metrics, file endpoints -- against real node
processes over loopback, with raw sockets where the bytes matter, requests
where they do not, and a real Prometheus server. Nothing is mocked.
"""
import hashlib
import json
import os
import resource
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time

import pytest
import requests

from conftest import NODUS_BIN, SANITIZED, free_port

PROMETHEUS = "/usr/bin/prometheus"
AUTH = {"x-micros-auth": "ADmin123"}


# ---- helpers ------------------------------------------------------------------

def web_node(make_node, *sets, **kw):
    """A node with the web door on a free port (node.webport, node.url)."""
    wp = free_port()
    n = make_node("webui=True", "webport=%d" % wp, *sets, **kw)
    n.webport = wp
    n.url = "http://127.0.0.1:%d" % wp
    wait_port(wp)
    return n


def wait_port(port, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise AssertionError("nothing listens on %d" % port)


class Resp:
    def __init__(self, version, status, headers, body):
        self.version, self.status, self.headers, self.body = version, status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return "<%d %r %r>" % (self.status, self.headers, self.body[:200])


class Conn:
    """A raw HTTP connection that reads responses exactly (by Content-Length)."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.sock.settimeout(timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("peer closed; buffered %r" % self.buf[:200])
        self.buf += chunk

    def response(self, head_request=False):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        version, status = lines[0].split(" ", 2)[:2]
        headers = {}
        for line in lines[1:]:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
        if status == "100":
            return self.response(head_request)
        n = 0 if head_request else int(headers["content-length"])  # every response has one
        while len(self.buf) < n:
            self._fill()
        body, self.buf = self.buf[:n], self.buf[n:]
        return Resp(version, int(status), headers, body)

    def request(self, method, path, headers=None, body=b"", version="1.1"):
        h = {"Host": "node"}
        h.update(headers or {})
        if body:
            h["Content-Length"] = str(len(body))
        msg = "%s %s HTTP/%s\r\n" % (method, path, version)
        msg += "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
        self.send(msg.encode() + body)
        return self.response(head_request=method == "HEAD")

    def closed_by_peer(self, timeout=3):
        """True when the server closes the connection within timeout (no more bytes)."""
        self.sock.settimeout(timeout)
        try:
            while True:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
                self.buf += chunk
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False


def raw(port, data, timeout=5, close_wait=None):
    """Send bytes, return the one response and whether the server then closed
    (within close_wait seconds, default timeout)."""
    c = Conn(port, timeout)
    try:
        c.send(data)
        r = c.response()
        return r, c.closed_by_peer(timeout if close_wait is None else close_wait)
    finally:
        c.close()


def get(node, path, **kw):
    return requests.get(node.url + path, timeout=10, **kw)


# ---- REST bridge (docs/micros-compat.md §4.3) --------------------------------------------

def test_rest_info_exact(make_node):
    n = web_node(make_node)
    r = get(n, "/rest")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    version = n.cmd("version").strip()
    assert r.content == (
        b'{"result": {"micrOS": "%s", "node": "node01", "auth": false, "usr_endpoints": '
        b'["dashboard", "fs/dirs", "fs/list", "fs/files", "fs/usage", "fs", "config", "config/ui", '
        b'"metrics", "events"]}, "state": true}' % version.encode())
    assert get(n, "/rest/").content == r.content


def test_rest_examples_exact(make_node):
    """Every example of docs/micros-compat.md §4.3, byte for byte, in the order a client meets them."""
    n = web_node(make_node)
    hints = ("Shell: for hints type help.\\nShell: for LM exec: [1](LM)module [2]function "
             "[3...]optional params")
    cases = [
        ("/rest/modules", b'{"result": ["task"], "state": true}'),
        ("/rest/system/heartbeat", b'{"result": "<3 heartbeat <3", "state": true}'),
        ("/rest/modules", b'{"result": ["system", "task"], "state": true}'),
        ("/rest/system/clock/&", b'{"result": {"system.clock": "Starting"}, "state": true}'),
        ("/rest/nomod/func",
         b'{"result": "Core error: LM_nomod->func: No module named \'LM_nomod\'", "state": false}'),
        ("/rest/system", ('{"result": "%s", "state": false}' % hints).encode()),
        ("/rest//", b'{"result": null, "state": false}'),
        # micrOS's escapes: a quoted text with an escaped space stays one argument
        ("/rest/system/heartbeat/%22a%20b%22",
         b'{"result": "Core error: LM_system->heartbeat: heartbeat() takes 0 positional arguments '
         b'but 1 was given", "state": false}'),
        ("/rest/system/heartbeat/x=%22a%20b%22",
         b'{"result": "Core error: LM_system->heartbeat: heartbeat() got an unexpected keyword '
         b'argument \'x\'", "state": false}'),
        # typographic quotes (phones) are plain quotes
        ("/rest/system/heartbeat/%E2%80%9Ca%20b%E2%80%9D",
         b'{"result": "Core error: LM_system->heartbeat: heartbeat() takes 0 positional arguments '
         b'but 1 was given", "state": false}'),
        ("/rest/system/a%3Db",
         b'{"result": "Core error: LM_system->a=b: module \'LM_system\' has no attribute \'a=b\'", '
         b'"state": false}'),
    ]
    for path, body in cases:
        r = get(n, path)
        assert r.status_code == 200, path
        assert r.headers["content-type"] == "application/json"
        assert r.content == body, path
    # JSON outputs are embedded as JSON, other outputs stay strings
    j = get(n, "/rest/task/list").json()
    assert j["state"] is True and "system.clock" in j["result"]["active"] + j["result"]["inactive"]
    j = get(n, "/rest/system/memory_usage").json()
    assert j["state"] is True and isinstance(j["result"], dict) and "mem_used" in j["result"]
    j = get(n, "/rest/system/help").json()
    assert isinstance(j["result"], list) and "heartbeat" in j["result"]
    j = get(n, "/rest/system/help/True").json()  # the dashboard's widget list: JSON strings
    assert all(isinstance(x, str) and json.loads(x)["type"] for x in j["result"])
    j = get(n, "/rest/system/uptime").json()
    assert isinstance(j["result"], str)
    j = get(n, "/rest/hello").json()
    assert j["result"].startswith("hello:node01:micr") and j["state"] is True


def test_rest_lm_error_is_http_200_state_false(make_node):
    n = web_node(make_node)
    r = get(n, "/rest/robustness/raise_error")
    assert r.status_code == 200
    assert r.json() == {"result": "Core error: LM_robustness->raise_error: Test exception",
                        "state": False}
    r = get(n, "/rest/system/setclock/1")  # missing arguments: Python's TypeError text
    assert r.status_code == 200 and r.json()["state"] is False
    assert "missing 2 required positional arguments" in r.json()["result"]


def test_rest_task_then_show(make_node):
    n = web_node(make_node)
    assert get(n, "/rest/system/heartbeat/&").json() == {
        "result": {"system.heartbeat": "Starting"}, "state": True}
    deadline = time.time() + 5
    while time.time() < deadline:
        r = get(n, "/rest/task/show/system.heartbeat").json()
        if r["result"] == "<3 heartbeat <3":
            break
        time.sleep(0.05)
    assert r == {"result": "<3 heartbeat <3", "state": True}


def test_rest_auth_mode_protected(make_node):
    n = web_node(make_node, "auth=True")
    info = get(n, "/rest").json()
    assert info["result"]["auth"] is True and info["state"] is True  # never challenged
    assert get(n, "/rest/system/heartbeat").content == b'{"result": "Auth:Protected", "state": true}'
    assert get(n, "/rest/nomod/x").content == b'{"result": "Auth:Protected", "state": true}'
    assert get(n, "/rest/modules").json() == {"result": ["task"], "state": True}
    # no task control before authentication (micrOS allowed it; see README "Security")
    assert get(n, "/rest/task/list").content == b'{"result": "Auth:Protected", "state": true}'
    # once the module is loaded (over the authenticated shell) REST may call it
    with n.connect() as s:
        assert s.cmd("ADmin123") == "AuthOk\n"
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
    assert get(n, "/rest/system/heartbeat").json() == {"result": "<3 heartbeat <3", "state": True}


def test_rest_bad_paths(make_node):
    n = web_node(make_node)
    c = Conn(n.webport)
    try:
        r = c.request("GET", "/rest/system/%zz")  # (requests would re-escape the %)
        assert r.status == 400 and r.headers["content-type"] == "text/plain"
        assert b"bad escape" in r.body
        r = c.request("GET", "/rest/system/%22open")
        assert r.status == 400 and b"unbalanced quote" in r.body
        assert c.request("GET", "/rest/system/heartbeat").status == 200  # still usable
    finally:
        c.close()
    r = get(n, "/rest/" + "a/" * 1100)  # over ND_HTTP_URL_MAX
    assert r.status_code == 414
    r = requests.put(n.url + "/rest/system/heartbeat", timeout=5)
    assert r.status_code == 405


def test_cors_off_and_on(make_node):
    n = web_node(make_node)
    r = get(n, "/rest")
    assert "access-control-allow-origin" not in r.headers
    assert requests.options(n.url + "/rest", timeout=5).status_code == 405
    n2 = web_node(make_node, "webcors=*")
    r = get(n2, "/rest/system/heartbeat", headers={"Origin": "http://elsewhere"})
    assert r.headers["access-control-allow-origin"] == "*"
    pre = requests.options(n2.url + "/rest/system/heartbeat", timeout=5,
                           headers={"Origin": "http://x", "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
    assert "GET" in pre.headers["access-control-allow-methods"]
    n3 = web_node(make_node, "webcors=https://example.com")
    assert get(n3, "/rest").headers["access-control-allow-origin"] == "https://example.com"
    # config is not opened by CORS
    assert "access-control-allow-origin" not in get(n3, "/config").headers


# ---- HTTP framing -----------------------------------------------------------------

def test_keep_alive_many_requests_one_socket(make_node):
    n = web_node(make_node)
    c = Conn(n.webport)
    try:
        for i in range(20):
            r = c.request("GET", "/rest/system/heartbeat")
            assert r.status == 200 and r.headers["connection"] == "keep-alive"
            assert r.body == b'{"result": "<3 heartbeat <3", "state": true}'
        # pipelined: three requests in one segment, three answers in order
        c.send(b"GET /rest/modules HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /rest/system/heartbeat HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n")
        assert c.response().body == b'{"result": ["system", "task"], "state": true}'
        assert c.response().status == 200
        assert c.response().status == 404
        # a body on a kept-alive connection is consumed exactly
        r = c.request("POST", "/config", {"x-micros-auth": "ADmin123"}, b'{"utc": 120}')
        assert r.json() == {"state": True, "result": "Config updated"}
        assert c.request("GET", "/rest/system/heartbeat").status == 200
        # Connection: close is honoured
        r = c.request("GET", "/rest", {"Connection": "close"})
        assert r.status == 200 and r.headers["connection"] == "close"
        assert c.closed_by_peer()
    finally:
        c.close()


def test_http10(make_node):
    n = web_node(make_node)
    r, closed = raw(n.webport, b"GET /rest/system/heartbeat HTTP/1.0\r\n\r\n")
    assert r.status == 200 and r.headers["connection"] == "close" and closed
    assert r.body == b'{"result": "<3 heartbeat <3", "state": true}'
    c = Conn(n.webport)
    try:
        for _ in range(3):
            r = c.request("GET", "/rest", {"Connection": "keep-alive"}, version="1.0")
            assert r.status == 200 and r.headers["connection"] == "keep-alive"
        r = c.request("GET", "/rest", version="1.0")
        assert r.headers["connection"] == "close" and c.closed_by_peer()
    finally:
        c.close()


def test_head_request(make_node):
    n = web_node(make_node)
    os.makedirs(n.path("web"), exist_ok=True)
    with open(n.path("web", "h.txt"), "wb") as f:
        f.write(b"x" * 1000)
    c = Conn(n.webport)
    try:
        r = c.request("HEAD", "/h.txt")
        assert r.status == 200 and r.headers["content-length"] == "1000" and r.body == b""
        r = c.request("GET", "/h.txt")  # nothing of the HEAD body was sent
        assert r.body == b"x" * 1000
    finally:
        c.close()


BAD_REQUESTS = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64), 400),  # a TLS hello
    (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
    (b"GET\r\n\r\n", 400),
    (b"GET /\r\n\r\n", 400),
    (b"GET http://x/ HTTP/1.1\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nX: \x01\r\n\r\n", 400),
    (b"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
    (b"GET / HTTP/1.1\r\nContent-Length: abc\r\n\r\n", 400),
    (b"GET /%zz HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET /index%2 HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET /../etc/passwd HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET /a/../../x HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET //etc/passwd HTTP/1.1\r\n\r\n", 400, "path"),
    (b"GET /%2fetc%2fpasswd HTTP/1.1\r\n\r\n", 400, "path"),
    (b"BREW /pot HTTP/1.1\r\n\r\n", 405),
    (b"PROPFIND / HTTP/1.1\r\n\r\n", 405),
    (b"PUT /rest HTTP/1.1\r\n\r\n", 405),
    (b"DELETE /config HTTP/1.1\r\n\r\n", 405),
    (b"GET / HTTP/2.0\r\n\r\n", 505),
    (b"GET / HTTP/1.2\r\n\r\n", 505),
    (b"GET / HTTP/0.9\r\n\r\n", 505),
    (b"GET /" + b"a" * 3000 + b" HTTP/1.1\r\n\r\n", 414),
    (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 9000 + b"\r\n\r\n", 431),
    (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(40)) + b"\r\n", 431),
    (b"POST /config HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", 413),
    (b"POST /fs/files HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
     b"Content-Length: 99999999999\r\n\r\n", 413),
    (b"POST /config HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 501),
    (b"GET /nope.html HTTP/1.1\r\n\r\n", 404),
    (b"GET /a%20b.html HTTP/1.1\r\n\r\n", 404),
]


def test_bad_requests_get_small_bodies(make_node):
    """Malformed framing ends the connection after the reply; a bad path or
    method in a well-framed request does not need to."""
    n = web_node(make_node)
    for case in BAD_REQUESTS:
        data, status = case[:2]
        framing = status not in (404, 405) and len(case) == 2
        r, closed = raw(n.webport, data, close_wait=5 if framing else 0.3)
        assert r.status == status, (data[:60], r)
        assert r.headers["content-type"] == "text/plain", data[:60]
        assert 0 < len(r.body) < 200 and r.body.endswith(b"\n")
        if framing:  # the stream cannot be trusted after these
            assert r.headers["connection"] == "close" and closed, data[:60]
    assert n.alive()
    assert get(n, "/rest/system/heartbeat").status_code == 200
    assert n.cmd("hello").startswith("hello:node01")


def test_garbage_flood_keeps_node_alive(make_node):
    n = web_node(make_node)
    for i in range(30):
        s = socket.create_connection(("127.0.0.1", n.webport), 5)
        try:
            s.sendall(os.urandom(2000 + 300 * i))
            s.settimeout(3)
            s.recv(4096)
        except OSError:
            pass
        finally:
            s.close()
    assert get(n, "/rest/system/heartbeat").status_code == 200


# ---- slots, timeouts, floods ---------------------------------------------------------

def test_slowloris_takes_no_slot_and_gets_408(make_node):
    """Two slow clients (one silent, one dripping a head) hold no client slot:
    with both of the node's two slots free a newcomer is served at once; 10 s
    after they connected the slow ones get 408."""
    n = web_node(make_node, "aioqueue=2", "webui_max_con=2")
    t0 = time.time()
    silent = Conn(n.webport, timeout=20)       # sends nothing at all
    drip = Conn(n.webport, timeout=20)         # sends a head, a byte per second
    drip.send(b"GET /rest HTTP/1.1\r\nHost: x\r\n")
    stop = threading.Event()

    def dripper():
        while not stop.wait(1.0):
            try:
                drip.send(b"X")
            except OSError:
                return

    th = threading.Thread(target=dripper, daemon=True)
    th.start()
    try:
        time.sleep(0.5)
        t1 = time.time()
        r, closed = raw(n.webport, b"GET /rest/system/heartbeat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                        timeout=10)
        assert r.status == 200 and time.time() - t1 < 1.0
        with n.connect() as s:  # and the shell still has both slots to share
            with n.connect() as s2:
                assert s.cmd("hello").startswith("hello:") and s2.cmd("hello").startswith("hello:")
        for c in (silent, drip):
            r = c.response()
            assert r.status == 408 and r.headers["connection"] == "close"
            assert c.closed_by_peer()
        took = time.time() - t0
        assert 9.5 <= took <= 13, took
    finally:
        stop.set()
        silent.close()
        drip.close()


def test_idle_keepalive_holds_no_slot(make_node):
    """Between requests a keep-alive connection holds no slot: with one slot
    a newcomer (web or shell) is served at once, and the idle connection
    stays usable."""
    n = web_node(make_node, "aioqueue=1")
    idle = Conn(n.webport)
    try:
        assert idle.request("GET", "/rest").status == 200   # now idle, keep-alive
        t0 = time.time()
        assert get(n, "/rest/system/heartbeat").status_code == 200   # web newcomer
        assert time.time() - t0 < 1.0
        t0 = time.time()
        with n.connect() as s:                                      # shell newcomer
            assert s.cmd("hello").startswith("hello:node01")
            assert time.time() - t0 < 1.0
        assert idle.request("GET", "/rest").status == 200          # still open, still served
    finally:
        idle.close()


def test_web_waits_for_a_shell_slot(make_node):
    n = web_node(make_node, "aioqueue=1")
    s = n.connect()
    t0 = time.time()
    result = {}

    def fetch():
        result["r"] = get(n, "/rest/system/heartbeat")
        result["t"] = time.time() - t0

    th = threading.Thread(target=fetch)
    th.start()
    time.sleep(1.0)
    s.close()  # the shell's slot frees: the waiting web client is admitted
    th.join(10)
    assert result["r"].status_code == 200
    assert 0.9 <= result["t"] < 3.0, result["t"]


def flood(port, count, deadline_s=30):
    """count connections at once, each sending one request: {status or b"closed": n}."""
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), 10)
        s.sendall(b"GET /rest/system/heartbeat HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        s.setblocking(False)
        socks.append(s)
    sel = selectors.DefaultSelector()
    bufs = {}
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
        bufs[s] = b""
    done = {}
    deadline = time.time() + deadline_s
    while len(done) < len(socks) and time.time() < deadline:
        for key, _ in sel.select(0.5):
            s = key.fileobj
            try:
                chunk = s.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionResetError:
                chunk = b""
            if chunk:
                bufs[s] += chunk
                continue
            sel.unregister(s)
            done[s] = bufs[s]
    for s in socks:
        s.close()
    assert len(done) == len(socks), "%d connections never finished" % (len(socks) - len(done))
    statuses = {}
    for data in done.values():
        st = data.split(b" ", 2)[1] if data.startswith(b"HTTP/1.1 ") else b"closed"
        statuses[st] = statuses.get(st, 0) + 1
        if st == b"503":
            assert data.endswith(b"\r\n\r\nConnection is busy. Bye!\n")
    return statuses


def test_thousand_connections_beyond_the_limit(make_node):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    n = web_node(make_node)  # 5 slots, at most 3 for the web
    get(n, "/rest/system/heartbeat").close()
    time.sleep(0.3)
    base = n.fd_count()
    # 1000 at once with quick requests: the bounded waiting room serves them in turn
    statuses = flood(n.webport, 1000)
    assert set(statuses) <= {b"200", b"503", b"closed"}, statuses
    assert statuses.get(b"200", 0) >= 3, statuses
    # three event streams pin nothing: they live in their own pool
    streams = [Events(n) for _ in range(3)]
    statuses = flood(n.webport, 200)
    assert statuses.get(b"200", 0) >= 190, statuses
    # the web slots pinned by three uploads in progress: everyone else is told
    # busy (the waiting room after 5 s, the rest at once), nobody is served
    uploads = []
    for i in range(3):
        c = Conn(n.webport, timeout=20)
        c.send(b"POST /fs/files HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
               b"Content-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; "
               b"name=\"f\"; filename=\"u%d.txt\"\r\n\r\n" % i)
        uploads.append(c)
    time.sleep(0.3)
    t0 = time.time()
    statuses = flood(n.webport, 1000)
    assert set(statuses) <= {b"503", b"closed"} and statuses.get(b"503", 0) >= 900, statuses
    assert 4.5 <= time.time() - t0 < 20
    with n.connect() as s:  # the shell has its own two slots
        assert s.cmd("hello").startswith("hello:node01")
    for c in uploads:
        c.close()
    for e in streams:
        e.close()
    assert n.alive()
    deadline = time.time() + 6
    while n.fd_count() > base + 1 and time.time() < deadline:
        time.sleep(0.1)
    assert n.fd_count() <= base + 1, (n.fd_count(), base)
    assert get(n, "/rest/system/heartbeat").status_code == 200
    m = parse_metrics(get(n, "/metrics").text)
    assert m[("nodus_http_busy_total", "")] >= 900
    assert m[("nodus_connections", '{door="web"}')] == 1


# ---- config (docs/micros-compat.md §4.5, §4.6) -----------------------------------------------------

def test_config_read_hides_secrets(make_node):
    n = web_node(make_node)
    r = get(n, "/config", headers=AUTH)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    cfg = r.json()
    assert "appwd" not in cfg and "stapwd" not in cfg
    assert cfg["devfid"] == "node01" and cfg["webui"] is True and cfg["webport"] == n.webport
    assert cfg["aioqueue"] == 5 and cfg["lat"] == 0.0
    assert b"ADmin123" not in r.content and b"your_wifi_passwd" not in r.content


def test_config_auth_forms(make_node):
    n = web_node(make_node)
    want = {"cache-control": "no-store", "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}
    for headers in ({}, {"x-micros-auth": "wrong"}, {"x-micros-auth": "ADmin12"},
                    {"x-micros-auth": "ADmin1234"}):
        r = get(n, "/config", headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/json"
        assert r.content == b'{"state": false, "result": "Auth required"}'
        for k, v in want.items():
            assert r.headers[k] == v
    r = get(n, "/config", headers={"Accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 401 and r.headers["content-type"] == "text/html"
    assert b'<script src="/auth.js"></script>' in r.content
    assert "content-security-policy" in r.headers
    r = requests.post(n.url + "/config", data=b'{"utc": 1}', timeout=5,
                      headers={"Accept": "text/html"})
    assert r.status_code == 401 and r.headers["content-type"] == "application/json"
    r = requests.post(n.url + "/config/reboot", timeout=5)
    assert r.status_code == 401
    assert n.read_config()["utc"] == 60


def test_config_post_validation(make_node):
    n = web_node(make_node)
    url = n.url + "/config"
    r = requests.post(url, data=json.dumps({"utc": 120, "crontasks": "", "webcors": "*"}),
                      headers=AUTH, timeout=5)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == b'{"state": true, "result": "Config updated"}'
    saved = n.read_config()
    assert saved["utc"] == 120 and saved["crontasks"] == "n/a" and saved["webcors"] == "*"
    assert get(n, "/rest").headers["access-control-allow-origin"] == "*"  # applies at once
    r = requests.post(url, data=json.dumps({"devfid": ""}), headers=AUTH, timeout=5)
    assert r.content == (b'{"state": false, "result": "Config update failed", '
                         b'"failed": ["devfid: Device name cannot be empty"]}')
    r = requests.post(url, data=json.dumps({"nokey": 1, "auth": "maybe", "utc": 99999,
                                            "appwd": "weak", "soctout": "x", "devfid": "good-1"}),
                      headers=AUTH, timeout=5)
    j = r.json()
    assert j["state"] is False and j["result"] == "Config update failed"
    assert j["failed"][0] == "nokey: unknown key"
    assert any(f.startswith("auth") for f in j["failed"])
    assert any(f.startswith("utc") and "between" in f for f in j["failed"])
    assert ("appwd: Password must include [0-9] both [a-z][A-Z] and length between 8-9 char."
            in j["failed"])
    assert any(f.startswith("soctout") for f in j["failed"])
    assert len(j["failed"]) == 5
    assert n.read_config()["devfid"] == "good-1"  # valid keys apply, as on micrOS
    for body in (b"not json", b"[1, 2]", b"", b'{"utc": '):
        r = requests.post(url, data=body, headers=AUTH, timeout=5)
        assert r.status_code == 400
        assert r.json()["state"] is False and r.json()["result"] == "Config update failed"
    r = requests.post(url, data=json.dumps({"hwuid": "x"}), headers=AUTH, timeout=5)
    assert r.json()["state"] is False
    # a new password works at once for the next request
    r = requests.post(url, data=json.dumps({"appwd": "NEWpass12"}), headers=AUTH, timeout=5)
    assert r.json()["state"] is True
    assert get(n, "/config", headers=AUTH).status_code == 401
    assert get(n, "/config", headers={"x-micros-auth": "NEWpass12"}).status_code == 200


def test_config_reboot(make_node):
    n = web_node(make_node)
    r = requests.post(n.url + "/config/reboot", headers=AUTH, timeout=5)
    assert r.status_code == 200
    assert r.content == b'{"state": true, "result": "Soft reboot scheduled"}'
    time.sleep(1.5)
    deadline = time.time() + 10
    up = None
    while time.time() < deadline:
        try:
            m = get(n, "/metrics").text
            up = float([l for l in m.splitlines() if l.startswith("nodus_uptime_seconds ")][0].split()[1])
            break
        except (requests.ConnectionError, IndexError):
            time.sleep(0.1)
    assert up is not None and up < 5, up
    assert n.alive()


# ---- web UI files (docs/micros-compat.md §4.4) ------------------------------------------------------

def test_static_files_embedded_and_override(make_node):
    n = web_node(make_node)
    r = get(n, "/")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html"
    assert int(r.headers["content-length"]) == len(r.content) > 0
    assert r.content == get(n, "/index.html").content
    embedded = r.content
    os.makedirs(n.path("web"), exist_ok=True)
    with open(n.path("web", "index.html"), "wb") as f:
        f.write(b"<p>mine</p>")
    assert get(n, "/").content == b"<p>mine</p>"      # the user's file wins
    os.remove(n.path("web", "index.html"))
    assert get(n, "/").content == embedded             # and the built-in is back
    for page, name in (("/dashboard", "dashboard.html"), ("/config/ui", "config.html"),
                       ("/fs", "filesui.html")):
        with open(n.path("web", name), "wb") as f:
            f.write(b"<p>%s</p>" % name.encode())
        r = get(n, page)
        assert r.status_code == 200 and r.content == b"<p>%s</p>" % name.encode()
        assert r.headers["content-type"] == "text/html"
    assert get(n, "/missing.js").status_code == 404
    os.makedirs(n.path("web", "sub"), exist_ok=True)
    assert get(n, "/sub").status_code == 404            # a directory is not a file
    with open(n.path("web", "sub", "page.html"), "wb") as f:
        f.write(b"deep")
    assert get(n, "/sub/page.html").content == b"deep"
    assert get(n, "/sub/../sub/page.html").content == b"deep"  # normalised inside web/
    for hidden in (".secret", "sub/.x", "user_data/tmp/.upload-1-0"):
        p = n.path("web", *hidden.split("/"))
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(b"hidden")
        assert get(n, "/" + hidden).status_code == 404, hidden


def test_fs_page_is_served(make_node):
    """GET /fs (listed in usr_endpoints) is the file manager: the built-in
    fs.html, or micrOS's filesui.html when the user put one in web/."""
    n = web_node(make_node)
    assert "fs" in get(n, "/rest").json()["result"]["usr_endpoints"]
    r = get(n, "/fs")
    assert r.status_code == 200 and r.headers["content-type"] == "text/html"
    assert int(r.headers["content-length"]) == len(r.content)
    assert b'id="up-file"' in r.content and b"/fs.js" in r.content
    assert r.content == get(n, "/fs.html").content
    js = get(n, "/fs.js")
    assert js.status_code == 200 and js.headers["content-type"] == "application/javascript"
    assert b"/fs/list" in js.content
    r = requests.head(n.url + "/fs", timeout=10)
    assert r.status_code == 200 and r.headers["content-type"] == "text/html"


def test_content_types(make_node):
    n = web_node(make_node)
    types = {"a.html": "text/html", "a.css": "text/css", "a.js": "application/javascript",
             "a.json": "application/json", "a.ico": "image/x-icon", "a.jpeg": "image/jpeg",
             "a.jpg": "image/jpeg", "a.png": "image/png", "a.txt": "text/plain",
             "a.gif": "image/gif", "a.py": "text/plain", "a.svg": "image/svg+xml",
             "noext": "text/plain"}
    os.makedirs(n.path("web"), exist_ok=True)
    for name in types:
        with open(n.path("web", name), "wb") as f:
            f.write(name.encode())
    for name, ctype in types.items():
        r = get(n, "/" + name)
        assert r.status_code == 200 and r.headers["content-type"] == ctype, name
        assert r.content == name.encode()
        assert r.headers["x-content-type-options"] == "nosniff"


def test_large_file_streams(make_node):
    n = web_node(make_node)
    data = os.urandom(3 * 1024 * 1024 + 17)
    os.makedirs(n.path("web"), exist_ok=True)
    with open(n.path("web", "big.png"), "wb") as f:
        f.write(data)
    rss0 = n.rss_kb()
    r = get(n, "/big.png")
    assert r.status_code == 200 and r.content == data
    assert n.rss_kb() - rss0 < 1024  # streamed in chunks, never held whole


# ---- live events ------------------------------------------------------------------------------

class Events:
    """A raw /events client that parses the stream into (event, data) pairs."""

    def __init__(self, node, timeout=10):
        self.c = Conn(node.webport, timeout)
        self.c.send(b"GET /events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n")
        while b"\r\n\r\n" not in self.c.buf:
            self.c._fill()
        head, self.c.buf = self.c.buf.split(b"\r\n\r\n", 1)
        self.head = head.decode()
        self.comments = []

    def next(self, timeout=10):
        deadline = time.time() + timeout
        while True:
            while b"\n\n" in self.c.buf:
                block, self.c.buf = self.c.buf.split(b"\n\n", 1)
                ev, data = None, None
                for line in block.decode().split("\n"):
                    if line.startswith("event: "):
                        ev = line[7:]
                    elif line.startswith("data: "):
                        data = json.loads(line[6:])
                    elif line.startswith(":"):
                        self.comments.append(line)
                if ev:
                    return ev, data
            if time.time() > deadline:
                raise AssertionError("no event within %ss" % timeout)
            self.c.sock.settimeout(max(0.05, deadline - time.time()))
            try:
                self.c._fill()
            except socket.timeout:
                pass

    def until(self, pred, timeout=10):
        deadline = time.time() + timeout
        seen = []
        while True:
            ev = self.next(max(0.05, deadline - time.time()))
            seen.append(ev)
            if pred(*ev):
                return ev, seen

    def close(self):
        self.c.close()


def test_sse_task_output_from_shell_task(make_node):
    n = web_node(make_node)
    ev = Events(n)
    try:
        assert ev.head.startswith("HTTP/1.1 200 OK")
        assert "content-type: text/event-stream" in ev.head
        with n.connect() as s:
            assert s.cmd("system clock &&200") == "{'system.clock': 'Starting'}\n"
        (kind, data), seen = ev.until(lambda k, d: k == "task" and d["tag"] == "system.clock")
        assert set(data) == {"tag", "out"} and "WD:" in data["out"]
        states = [d for k, d in seen if k == "state"]
        assert {"what": "module", "module": "system"} in states
        assert {"what": "task", "tag": "system.clock", "active": True} in states
        ev.until(lambda k, d: k == "task" and d["tag"] == "system.clock")  # and again: a loop
        with n.connect() as s:
            assert s.cmd("task kill system.clock") == "Kill: system.clock|True\n"
        ev.until(lambda k, d: k == "state" and d == {"what": "task", "tag": "system.clock",
                                                     "active": False})
        # config saves and log lines
        r = requests.post(n.url + "/config", data='{"utc": 30}', headers=AUTH, timeout=5)
        assert r.json()["state"] is True
        ev.until(lambda k, d: k == "state" and d == {"what": "config", "keys": ["utc"]})
        (kind, data), _ = ev.until(lambda k, d: k == "log" and "config updated" in d["line"])
        assert set(data) == {"line"}
        with n.connect() as s:
            s.cmd("conf")
            assert s.cmd("lat 47.5") == "Saved\n"
        ev.until(lambda k, d: k == "state" and d == {"what": "config", "keys": ["lat"]})
    finally:
        ev.close()


def test_sse_keepalive_and_metrics_gauge(make_node):
    n = web_node(make_node)
    ev = Events(n)
    try:
        m = get(n, "/metrics").text
        assert "nodus_events_clients 1" in m
    finally:
        ev.close()
    deadline = time.time() + 3
    while "nodus_events_clients 0" not in get(n, "/metrics").text and time.time() < deadline:
        time.sleep(0.05)
    assert "nodus_events_clients 0" in get(n, "/metrics").text


def test_sse_slow_client_is_bounded(make_node):
    """A client that never reads: the node drops old events for it (counted),
    keeps its own memory bounded, and keeps serving everyone else."""
    n = web_node(make_node, "aioqueue=8", "webui_max_con=8")
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.connect(("127.0.0.1", n.webport))
    s.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    rss0 = n.rss_kb()
    # each one-shot task is three events (start, output, stop): ~2000 x 3 events
    sess = requests.Session()
    for i in range(2000):
        r = sess.get(n.url + "/rest/system/heartbeat/&", timeout=5)
        assert r.status_code == 200
    deadline = time.time() + 5
    dropped = 0
    while time.time() < deadline:
        m = get(n, "/metrics").text
        dropped = int([l for l in m.splitlines() if l.startswith("nodus_events_dropped_total ")][0].split()[1])
        if dropped:
            break
        time.sleep(0.1)
    assert dropped > 0
    assert n.rss_kb() - rss0 < 4096
    assert get(n, "/rest/system/heartbeat").status_code == 200
    # the slow client, when it reads at last, is told what it lost
    s.settimeout(2)
    data = b""
    try:
        while b": dropped " not in data and len(data) < 50 * 1024 * 1024:
            chunk = s.recv(1 << 20)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        pass
    s.close()
    assert b": dropped " in data


# ---- metrics ------------------------------------------------------------------------------------

def parse_metrics(text):
    """{(name, labels): value}; checks every line is valid exposition format."""
    out = {}
    types = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            assert typ in ("gauge", "counter", "histogram"), line
            types[name] = typ
            continue
        name_labels, value = line.rsplit(" ", 1)
        float(value)
        if "{" in name_labels:
            name, labels = name_labels.split("{", 1)
            labels = "{" + labels
        else:
            name, labels = name_labels, ""
        base = name
        for suf in ("_bucket", "_sum", "_count"):
            if name.endswith(suf) and name[: -len(suf)] in types:
                base = name[: -len(suf)]
        assert base in types, "sample before its TYPE: " + line
        out[(name, labels)] = float(value)
    return out


def test_metrics_exposition(make_node):
    n = web_node(make_node)
    for _ in range(3):
        get(n, "/rest/system/heartbeat")
    get(n, "/rest/robustness/raise_error")
    get(n, "/nope")
    r = get(n, "/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert int(r.headers["content-length"]) == len(r.content)
    m = parse_metrics(r.text)
    assert m[("nodus_commands_total", '{module="system"}')] == 3
    assert m[("nodus_commands_total", '{module="robustness"}')] == 1
    assert m[("nodus_command_failures_total", '{module="robustness"}')] == 1
    assert m[("nodus_command_failures_total", '{module="system"}')] == 0
    assert m[("nodus_http_requests_total", '{code="200"}')] == 4
    assert m[("nodus_http_requests_total", '{code="404"}')] == 1
    assert m[("nodus_connections", '{door="web"}')] >= 1
    assert m[("nodus_memory_rss_bytes", "")] > 100000
    assert m[("nodus_info", '{version="%s",node="node01"}' % n.cmd("version").strip())] == 1
    assert ("nodus_task_lateness_seconds_bucket", '{le="+Inf"}') in m
    # HEAD: the same length, no body
    c = Conn(n.webport)
    try:
        h = c.request("HEAD", "/metrics")
        assert h.status == 200 and int(h.headers["content-length"]) > 1000 and h.body == b""
        assert c.request("GET", "/rest").status == 200
    finally:
        c.close()


def test_prometheus_scrapes_the_node(make_node, tmp_path):
    assert os.path.exists(PROMETHEUS), "Debian package prometheus is needed (apt-get install prometheus)"
    n = web_node(make_node)
    pport = free_port()
    (tmp_path / "prom.yml").write_text(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
        "scrape_configs:\n  - job_name: nodus\n    metrics_path: /metrics\n"
        "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % n.webport)
    log = open(tmp_path / "prometheus.log", "wb")
    prom = subprocess.Popen([PROMETHEUS, "--config.file=%s" % (tmp_path / "prom.yml"),
                             "--storage.tsdb.path=%s" % (tmp_path / "data"),
                             "--web.listen-address=127.0.0.1:%d" % pport, "--log.level=warn"],
                            stdout=log, stderr=log)
    api = "http://127.0.0.1:%d/api/v1/query" % pport

    def query(q):
        try:
            r = requests.get(api, params={"query": q}, timeout=2).json()
        except (requests.ConnectionError, ValueError):
            return None
        res = r.get("data", {}).get("result", [])
        return float(res[0]["value"][1]) if res else None

    try:
        deadline = time.time() + 60
        while query('up{job="nodus"}') != 1.0:
            assert prom.poll() is None, open(tmp_path / "prometheus.log").read()
            assert time.time() < deadline, "no successful scrape; log: %s" % open(
                tmp_path / "prometheus.log").read()[-2000:]
            time.sleep(0.5)
        for _ in range(7):
            assert get(n, "/rest/system/heartbeat").status_code == 200
        q = 'nodus_commands_total{job="nodus",module="system"}'
        deadline = time.time() + 20
        while query(q) != 7.0:
            assert time.time() < deadline, query(q)
            time.sleep(0.5)
        assert query('nodus_info{job="nodus",node="node01"}') == 1.0
        assert query('nodus_http_requests_total{job="nodus",code="200"}') >= 7
    finally:
        prom.terminate()
        try:
            prom.wait(10)
        except subprocess.TimeoutExpired:
            prom.kill()
        log.close()


# ---- file endpoints (docs/micros-compat.md §4.5, §4.7) -----------------------------------------------------

def test_fs_upload_list_download_delete(make_node):
    n = web_node(make_node)
    assert get(n, "/fs/dirs").json() == [["/user_data", "rw"], ["$modules", "rw"], ["$data", "r"], ["$logs", "r"]]
    assert get(n, "/fs/files").json() == []
    assert get(n, "/fs/list").text == "USE THIS AS POST Endpoint, select dir in http body"
    data = os.urandom(5000)
    r = requests.post(n.url + "/fs/files", files={"file": ("notes.txt", data)}, timeout=10)
    assert r.status_code == 200 and r.headers["content-type"] == "text/plain" and r.text == "ok"
    with open(n.path("web", "user_data", "notes.txt"), "rb") as f:
        assert f.read() == data
    lst = get(n, "/fs/files").json()
    assert len(lst) == 1 and lst[0]["path"] == "/user_data/notes.txt" and lst[0]["size"] == 5000
    assert abs(lst[0]["created"] - time.time()) < 60
    assert requests.post(n.url + "/fs/list", data="/user_data", timeout=5).json() == lst
    assert requests.post(n.url + "/fs/list", data="user_data", timeout=5).json() == lst
    assert get(n, "/user_data/notes.txt").content == data             # served by the web door
    assert get(n, "/user_data/notes.txt").headers["content-security-policy"] == "sandbox"
    u = get(n, "/fs/usage").json()
    assert set(u) == {"used", "free"} and u["used"] >= 5000 and u["free"] > 0
    r = requests.delete(n.url + "/fs/files", data="/user_data/notes.txt", timeout=5)
    assert r.status_code == 200 and r.text == "/user_data/notes.txt deleted"
    assert get(n, "/fs/files").json() == []
    r = requests.delete(n.url + "/fs/files", data="/user_data/notes.txt", timeout=5)
    assert r.status_code == 404
    for bad in ("../x", "/etc/passwd", "a b.txt", "x.mpy", ".hidden", ""):
        assert requests.delete(n.url + "/fs/files", data=bad, timeout=5).status_code == 400, bad
    assert requests.post(n.url + "/fs/list", data="$nosuchmount", timeout=5).status_code == 400


def test_fs_upload_in_parts_and_several_files(make_node):
    """The micrOS UI splits a file into 1 KiB parts that carry the same filename."""
    n = web_node(make_node)
    data = os.urandom(4500)
    boundary = "----nodusTest7MA4YWxk"
    body = b""
    for i in range(0, len(data), 1024):
        body += (b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"user_data/big.bin\""
                 b"\r\nContent-Type: application/octet-stream\r\n\r\n" % boundary.encode())
        body += data[i:i + 1024] + b"\r\n"
    body += (b"--%s\r\nContent-Disposition: form-data; name=\"other\"; filename=\"second.txt\"\r\n\r\n"
             b"two\r\n--%s--\r\n" % (boundary.encode(), boundary.encode()))
    r = requests.post(n.url + "/fs/files", data=body, timeout=10,
                      headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    assert r.status_code == 200 and r.text == "ok"
    assert get(n, "/user_data/big.bin").content == data
    assert get(n, "/user_data/second.txt").content == b"two"
    assert os.listdir(n.path("web", "user_data", "tmp")) == []


def test_fs_upload_refusals_and_auth(make_node):
    n = web_node(make_node)
    url = n.url + "/fs/files"
    for name in ("../evil.txt", "a b.txt", "x.mpy", "sub/.x.txt", "a/b/c/d/e.txt", ".hidden"):
        r = requests.post(url, files={"file": (name, b"x")}, timeout=5)
        assert r.status_code == 400 and b"Invalid filename" in r.content, name
    assert not os.path.exists(n.path("web", "evil.txt")) and not os.path.exists(n.path("evil.txt"))
    # modules are code: a credential is needed even with auth off
    r = requests.post(url, files={"file": ("$modules/LM_x.py", b"code")}, timeout=5)
    assert r.status_code == 401
    r = requests.post(url, files={"file": ("$modules/LM_x.py", b"code")}, headers=AUTH, timeout=5)
    assert r.status_code == 200
    lst = requests.post(n.url + "/fs/list", data="$modules", timeout=5).json()
    assert [x["path"] for x in lst] == ["$modules/LM_x.py"]
    assert requests.delete(url, data="$modules/LM_x.py", timeout=5).status_code == 401
    assert requests.delete(url, data="$modules/LM_x.py", headers=AUTH, timeout=5).status_code == 200
    n2 = web_node(make_node, "auth=True")
    r = requests.post(n2.url + "/fs/files", files={"file": ("a.txt", b"x")}, timeout=5)
    assert r.status_code == 401
    r = requests.post(n2.url + "/fs/files", files={"file": ("a.txt", b"x")}, headers=AUTH, timeout=5)
    assert r.status_code == 200
    assert requests.delete(n2.url + "/fs/files", data="a.txt", timeout=5).status_code == 401
    assert requests.delete(n2.url + "/fs/files", data="a.txt", headers=AUTH, timeout=5).status_code == 200


def test_fs_broken_multipart(make_node):
    n = web_node(make_node)
    url = "/fs/files"
    b = b"XyZ"
    cases = [
        # no closing boundary
        (b"multipart/form-data; boundary=XyZ",
         b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"cut.txt\"\r\n\r\nhalf"),
        # garbage instead of a body
        (b"multipart/form-data; boundary=XyZ", b"\x00\x01garbage" * 50),
        # header line without colon
        (b"multipart/form-data; boundary=XyZ",
         b"--XyZ\r\nthis is no header\r\n\r\ndata\r\n--XyZ--\r\n"),
        # not multipart at all / no boundary
        (b"text/plain", b"hello"),
        (b"multipart/form-data", b"--XyZ--\r\n"),
    ]
    for ctype, body in cases:
        c = Conn(n.webport)
        try:
            r = c.request("POST", url, {"Content-Type": ctype.decode()}, body)
            assert r.status == 400, (ctype, body[:40], r)
            assert r.headers["connection"] == "close"
        finally:
            c.close()
    assert not os.path.exists(n.path("web", "user_data", "cut.txt"))
    assert os.listdir(n.path("web", "user_data", "tmp")) == []
    # a client that vanishes mid-upload leaves nothing behind
    s = socket.create_connection(("127.0.0.1", n.webport), 5)
    s.sendall(b"POST /fs/files HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
              b"Content-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
              b"filename=\"gone.txt\"\r\n\r\n" + b"a" * 5000)
    time.sleep(0.3)
    s.close()
    time.sleep(0.3)
    assert os.listdir(n.path("web", "user_data", "tmp")) == []
    assert not os.path.exists(n.path("web", "user_data", "gone.txt"))
    del b
    assert get(n, "/rest/system/heartbeat").status_code == 200


def test_stale_partial_uploads_are_removed_at_start(make_node):
    n = web_node(make_node)
    tmp = n.path("web", "user_data", "tmp")
    with open(os.path.join(tmp, ".upload-7-0"), "wb") as f:
        f.write(b"half a file")
    n.restart()
    wait_port(n.webport)
    assert os.listdir(tmp) == []


def test_slow_drip_upload_gets_408(make_node):
    """An upload must move 4 KiB every 10 s: a byte now and then does not keep its slot."""
    n = web_node(make_node)
    c = Conn(n.webport, timeout=20)
    try:
        c.send(b"POST /fs/files HTTP/1.1\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
               b"Content-Length: 100000\r\n\r\n--XyZ\r\nContent-Disposition: form-data; name=\"f\"; "
               b"filename=\"drip.txt\"\r\n\r\n")
        t0 = time.time()
        r = None
        while time.time() - t0 < 16:
            try:
                c.send(b"a")
            except OSError:
                break
            c.sock.settimeout(1.0)
            try:
                r = c.response()
                break
            except socket.timeout:
                continue
        assert r is not None and r.status == 408, r
        assert 9 <= time.time() - t0 <= 13
    finally:
        c.close()
    assert os.listdir(n.path("web", "user_data", "tmp")) == []
    assert not os.path.exists(n.path("web", "user_data", "drip.txt"))


def test_fs_large_upload_is_streamed(make_node):
    n = web_node(make_node)
    data = os.urandom(8 * 1024 * 1024)
    rss0 = n.rss_kb()
    r = requests.post(n.url + "/fs/files", files={"file": ("big.dat", data)}, timeout=60)
    assert r.status_code == 200
    assert n.rss_kb() - rss0 < 2048, "the upload was buffered"
    with open(n.path("web", "user_data", "big.dat"), "rb") as f:
        assert hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest()


# ---- start-up ------------------------------------------------------------------------------------

def _run_as(cmd, state, user_switch):
    log = open(os.path.join(state, "stderr.log"), "wb")
    p = subprocess.Popen(user_switch + cmd, stdout=subprocess.PIPE, stderr=log)
    return p, log


def test_privileged_port_says_how_to_fix_and_shell_runs():
    """Port 80 as an unprivileged user: a clear message, and the shell keeps running."""
    setpriv = shutil.which("setpriv")
    switch = []
    if os.geteuid() == 0:
        assert setpriv, "setpriv (util-linux) is needed to drop root for this test"
        switch = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
    with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
        assert int(f.read()) > 80, "this machine lets anyone bind port 80: cannot test the refusal"
    state = tempfile.mkdtemp(prefix="nodus-priv-")
    os.chmod(state, 0o777)
    sp = free_port()
    p, log = _run_as([NODUS_BIN, "run", "--state", state, "--set", "bind=127.0.0.1",
                      "--set", "socport=%d" % sp, "--set", "webui=True", "--set", "webport=80"],
                     state, switch)
    try:
        wait_port(sp)
        with socket.create_connection(("127.0.0.1", sp), 5) as s:
            s.settimeout(5)
            assert s.recv(100) == b"node01 $ "
            s.sendall(b"hello")
            assert s.recv(200).startswith(b"hello:node01:")
        time.sleep(0.2)
        err = open(os.path.join(state, "stderr.log")).read()
        assert "ports below 1024 need root" in err and "--set webport=8080" in err, err
    finally:
        p.terminate()
        assert p.wait(10) == 0
        log.close()
        shutil.rmtree(state, ignore_errors=True)


def test_port_in_use_says_how_to_fix(make_node):
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))
    blocker.listen(1)
    port = blocker.getsockname()[1]
    try:
        n = make_node("webui=True", "webport=%d" % port)
        assert n.cmd("hello").startswith("hello:node01")
        time.sleep(0.2)
        err = open(n.path("stderr.log")).read()
        assert "set webport" in err and str(port) in err, err
    finally:
        blocker.close()


# ---- @sudo over REST, /config hidden keys, query strings (issue 11) ----------------------------

def test_rest_sudo_header_or_pwd(make_node):
    """A REST request carrying the password (x-micros-auth) runs @sudo functions; without it
    the pwd keyword is needed, as in the shell."""
    n = web_node(make_node)
    denied = "Core error: LM_robustness->func_sudo: Access denied, wrong password (pwd)"
    assert get(n, "/rest/robustness/func_sudo").json() == {"result": denied, "state": False}
    assert get(n, "/rest/robustness/func_sudo",
               headers={"x-micros-auth": "wrong"}).json()["result"] != "Access granted"
    assert get(n, "/rest/robustness/func_sudo", headers=AUTH).json() == \
        {"result": "Access granted", "state": True}
    assert get(n, "/rest/robustness/func_sudo/pwd='ADmin123'").json() == \
        {"result": "Access granted", "state": True}
    assert get(n, "/rest/robustness/func_sudo_opt/True", headers=AUTH).json() == \
        {"result": "Access granted, opt flag: True", "state": True}


def test_config_get_hides_what_micros_hides(make_node):
    n = web_node(make_node)
    cfg = get(n, "/config", headers=AUTH).json()
    for key in ("hwuid", "guimeta", "socport", "version", "auth", "soctout", "appwd", "stapwd"):
        assert key not in cfg, key
    assert cfg["devfid"] == "node01" and "utc" in cfg and "staessid" in cfg
    with n.connect() as s:  # conf mode still shows them
        s.cmd("conf")
        assert s.cmd("socport") == "%d\n" % n.port


def test_rest_query_string_is_command_text_as_micros(make_node):
    """micrOS's WebEngine.rest() keeps the query in the command: `?x=1` sticks to the last word."""
    n = web_node(make_node)
    assert get(n, "/rest/system/heartbeat").json()["state"] is True
    j = get(n, "/rest/system/heartbeat?x=1").json()
    assert j == {"result": "Core error: LM_system->heartbeat?x=1: module 'LM_system' has no "
                           "attribute 'heartbeat?x=1'", "state": False}
    info = get(n, "/rest").content
    assert get(n, "/rest?").content == info and get(n, "/rest/").content == info
    # "/rest?modules": one word "?modules", no function: the hints, state false
    assert get(n, "/rest?modules").json()["state"] is False
    assert get(n, "/rest?modules").json()["result"].startswith("Shell: for hints type help.")
