"""Signed over-the-air updates (README "Updates", docs/updates.md).

Real nodes, real bundles: `nodus release` signs the real nodus binary (or a
tiny script standing in for a broken build), a Python HTTP server on the
loopback serves it, the node fetches, verifies, stages, restarts on trial and
confirms or rolls back. Where a test needs "the service manager restarts the
node", it starts the same command again, as systemd's Restart= would.
"""
import hashlib
import http.server
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

from conftest import NODUS_BIN, SANITIZED, free_port

OLD = "0.1.0-0"  # NODUS_VERSION of the binary under test (a base node runs it)


# ---- helpers ---------------------------------------------------------------------------------

def cli(*args, check=True, env=None, timeout=120):
    r = subprocess.run([NODUS_BIN] + list(args), capture_output=True, text=True, env=env,
                       timeout=timeout)
    if check:
        assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    d = tmp_path_factory.mktemp("keys")
    cli("release", "--genkey", str(d / "main"))
    cli("release", "--genkey", str(d / "other"))
    return d


def release(keys, out, version, binary=NODUS_BIN, key="main", **opts):
    args = ["release", "--key", str(keys / key / "update.key"), "--version", version, "-o", str(out)]
    if binary:
        args += ["--binary", str(binary)]
    for k, v in opts.items():
        args += ["--" + k, str(v)]
    cli(*args)
    return str(out)


def script(tmp_path, name, body):
    """A tiny executable standing in for a nodus build."""
    p = tmp_path / name
    p.write_text("#!/bin/sh\n" + body + "\n")
    p.chmod(0o755)
    return p


def trust(node, keys, key="main"):
    os.makedirs(node.path("config"), exist_ok=True)
    shutil.copy(keys / key / "update.pub", node.path("config", "update.pub"))


def status(node, timeout=5):
    with node.connect(timeout) as s:
        out = s.cmd("system update_status >json")
    return json.loads(out)


def try_status(node):
    try:
        return status(node, 2)
    except (OSError, ValueError, AssertionError):
        return None


def wait_state(node, states, timeout=30, want_id=None):
    """Poll until the update status is one of states (the node may restart meanwhile)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        st = try_status(node)
        if st:
            last = st
            if st["state"] in states and (want_id is None or st["id"] == want_id):
                return st
        time.sleep(0.1)
    raise AssertionError("update state not in %s within %ss; last %s\n%s" %
                         (states, timeout, last, log_tail(node)))


def log_tail(node, n=40):
    try:
        with open(node.path("stderr.log"), "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
    except OSError:
        return ""


def read_logs(node):
    out = b""
    for name in ("err.sys.log", "info.sys.log", "boot.sys.log", "warn.sys.log"):
        try:
            with open(node.path("logs", name), "rb") as f:
                out += f.read()
        except OSError:
            pass
    return out.decode(errors="replace")


def put(node, src, name):
    """Place a bundle where an /fs upload puts it (web/user_data/)."""
    os.makedirs(node.path("web", "user_data"), exist_ok=True)
    shutil.copy(src, node.path("web", "user_data", name))


def update(node, arg, **kw):
    extra = "".join(" %s=%s" % (k, v) for k, v in kw.items())
    return node.cmd("system update %s%s" % (arg, extra))


def exe(node):
    return os.path.realpath("/proc/%d/exe" % node.pid)


def tree(path):
    """Every file under path with its size and content hash (None when path is absent)."""
    if not os.path.exists(path):
        return None
    out = {}
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            p = os.path.join(root, name)
            rel = os.path.relpath(p, path)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            elif os.path.isfile(p):
                with open(p, "rb") as f:
                    out[rel] = hashlib.sha256(f.read()).hexdigest()
            else:
                out[rel] = "dir"
    return out


def disk(node):
    return {"slots": tree(node.path("slots")), "config": tree(node.path("config"))}


class Server:
    """An HTTP server on the loopback. handler(req) gets a BaseHTTPRequestHandler."""

    def __init__(self, handler):
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                outer.hits += 1
                handler(self)

            def log_message(self, *a):
                pass

        self.hits = 0
        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.srv.daemon_threads = True
        self.port = self.srv.server_address[1]
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def url(self, path="/b.ndu"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


@pytest.fixture
def serve():
    servers = []

    def make(handler):
        s = Server(handler)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.close()


def file_handler(path, rate=None, cut=None, length=None):
    """Serve a file: rate = (chunk bytes, pause s) trickles it; cut sends only the first bytes."""
    def h(req):
        with open(path, "rb") as f:
            data = f.read()
        body = data[:cut] if cut is not None else data
        req.send_response(200)
        req.send_header("Content-Type", "application/octet-stream")
        req.send_header("Content-Length", str(length if length is not None else len(body)))
        req.end_headers()
        try:
            if rate:
                for i in range(0, len(body), rate[0]):
                    req.wfile.write(body[i:i + rate[0]])
                    req.wfile.flush()
                    time.sleep(rate[1])
            else:
                req.wfile.write(body)
        except OSError:
            pass
        req.close_connection = True
    return h


def updatable(make_node, keys, *sets, **kw):
    n = make_node("updtrial_s=10", *sets, start=False, **kw)
    trust(n, keys)
    n.start()
    return n


# ---- the happy paths -------------------------------------------------------------------------

def test_update_from_url_is_confirmed_and_keeps_config(make_node, keys, serve, tmp_path):
    n = updatable(make_node, keys)
    assert n.cmd("conf\ndevfid hall\nnoconf").count("Saved") == 1
    st = status(n)
    assert st["state"] == "idle" and st["version"] == OLD and st["slot"] == "base"
    b = release(keys, tmp_path / "b.ndu", "0.1.0-1")
    srv = serve(file_handler(b))
    pid = n.pid
    reply = update(n, "url='%s'" % srv.url())
    assert " state: fetching\n" in reply and " id: 1\n" in reply
    st = wait_state(n, {"confirmed"}, want_id=1)
    assert st["version"] == "0.1.0-1" and st["slot"] == "a" and st["error"] == ""
    assert st["previous"] == "%s (slot base)" % OLD
    assert n.pid == pid and n.alive()  # one process: exec, no fork (systemd keeps its main pid)
    assert exe(n) == os.path.realpath(n.path("slots", "a", "nodus"))
    assert os.readlink(n.path("slots", "current")) == "a"
    with n.connect() as s:
        assert s.greeting.endswith(b"hall $ ")  # its config came along
    logs = read_logs(n)
    assert "update 1: bundle 0.1.0-1 (1 file" in logs and "on trial in slot a" in logs
    assert "version 0.1.0-1 confirmed in slot a" in logs
    # the next update goes to the other slot; the one running stays the way back
    b2 = release(keys, tmp_path / "b2.ndu", "0.1.0-2")
    srv2 = serve(file_handler(b2))
    update(n, "url='%s'" % srv2.url())
    st = wait_state(n, {"confirmed"}, want_id=2)
    assert st["version"] == "0.1.0-2" and st["slot"] == "b"
    assert st["previous"] == "0.1.0-1 (slot a)"
    assert exe(n) == os.path.realpath(n.path("slots", "b", "nodus"))
    # ... and a rollback by request goes back to it
    assert " state: restarting\n" in n.cmd("system update_rollback")
    st = wait_state(n, {"rolledback"})
    assert st["version"] == "0.1.0-1" and st["slot"] == "a" and "by request" in st["error"]
    assert exe(n) == os.path.realpath(n.path("slots", "a", "nodus"))
    assert "nothing to roll back" in n.cmd("system update_rollback")


def test_a_new_base_binary_wins_over_an_older_update(make_node, keys, tmp_path):
    """A package upgrade replaces the base binary (/usr/bin/nodus) under the slots: the next
    start runs it, not the version an earlier update left in a slot."""
    n = updatable(make_node, keys)
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    wait_state(n, {"confirmed"})
    with open(n.path("slots", "state")) as f:
        rec = f.read()
    assert "\nbase %s\n" % OLD in rec
    n.stop()
    with open(n.path("slots", "state"), "w") as f:  # as if the base had been 0.0.1-0 back then
        f.write(rec.replace("\nbase %s\n" % OLD, "\nbase 0.0.1-0\n"))
    n.start()
    st = status(n)
    assert st["slot"] == "base" and st["version"] == OLD and exe(n) == os.path.realpath(NODUS_BIN)
    assert "the installed nodus changed from 0.0.1-0 to %s" % OLD in st["error"]
    assert not os.path.lexists(n.path("slots", "current"))
    assert "[WARN] update 1: the installed nodus changed" in read_logs(n)
    n.restart()  # settled: nothing more to say
    assert status(n)["slot"] == "base" and read_logs(n).count("the installed nodus changed") == 1


def test_update_uploaded_over_fs_with_events(make_node, keys, tmp_path):
    import requests
    wp = free_port()
    n = updatable(make_node, keys, "webui=True", "webport=%d" % wp)
    b = release(keys, tmp_path / "b.ndu", "0.1.0-1")
    with open(b, "rb") as f:
        r = requests.post("http://127.0.0.1:%d/fs/files" % wp,
                          files={"file": ("b.ndu", f, "application/octet-stream")}, timeout=30)
    assert r.status_code == 200, r.text
    ev = socket.create_connection(("127.0.0.1", wp), 5)
    ev.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
    time.sleep(0.3)
    assert " state: fetching\n" in update(n, "file='user_data/b.ndu'")
    ev.settimeout(10)
    got = b""
    try:
        while b'"state": "restarting"' not in got:
            chunk = ev.recv(65536)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    ev.close()
    states = [json.loads(line[6:])["state"] for line in got.decode().splitlines()
              if line.startswith("data: ") and '"what": "update"' in line]
    assert states == ["fetching", "staging", "restarting"], got[-500:]
    st = wait_state(n, {"confirmed"})
    assert st["version"] == "0.1.0-1"
    # over REST too (the module's functions are URLs)
    j = requests.get("http://127.0.0.1:%d/rest/system/update_status" % wp, timeout=5).json()
    assert j["state"] is True and j["result"]["state"] == "confirmed"


def test_auth_guards_update_on_rest(make_node, keys, tmp_path):
    import requests
    wp = free_port()
    n = updatable(make_node, keys, "webui=True", "webport=%d" % wp, "auth=True")
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1"), "b.ndu")
    base = "http://127.0.0.1:%d/rest/system/" % wp
    requests.get(base + "heartbeat", headers={"x-micros-auth": "ADmin123"}, timeout=5)  # loads system
    assert requests.get(base + "heartbeat", timeout=5).json()["result"] == "<3 heartbeat <3"
    # micrOS lets a loaded module's functions run over REST before authentication; not these
    for path in ("update/file=%22user_data%2Fb.ndu%22", "update_rollback", "update"):
        j = requests.get(base + path, timeout=5).json()
        assert j == {"result": "Auth:Protected", "state": True}, (path, j)
    j = requests.get(base + "update_status", timeout=5).json()
    assert j["state"] is True and j["result"]["state"] == "idle", j
    assert not os.path.exists(n.path("slots"))
    j = requests.get(base + "update/file=%22user_data%2Fb.ndu%22", timeout=5,
                     headers={"x-micros-auth": "ADmin123"}).json()
    assert j["state"] is True and j["result"]["state"] == "fetching", j
    with n.connect() as s:
        assert s.cmd("ADmin123") == "AuthOk\n"
    st = wait_state_auth(n, "confirmed")
    assert st["version"] == "0.1.0-1"


def wait_state_auth(node, state, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with node.connect(2) as s:
                s.cmd("ADmin123")
                st = json.loads(s.cmd("system update_status >json"))
            if st["state"] == state:
                return st
        except (OSError, ValueError, AssertionError):
            pass
        time.sleep(0.1)
    raise AssertionError("not %s within %ss" % (state, timeout))


def test_web_and_module_files_ship_in_the_slot(make_node, keys, tmp_path):
    import requests
    web = tmp_path / "web"
    (web / "css").mkdir(parents=True)
    (web / "hello.html").write_text("<p>from the bundle</p>")
    (web / "css" / "x.css").write_text("p{}")
    (web / ".swp").write_text("editor litter")
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "LM_x.lua").write_text("-- a module")
    wp = free_port()
    n = updatable(make_node, keys, "webui=True", "webport=%d" % wp)
    b = release(keys, tmp_path / "b.ndu", "0.1.0-1", web=web, modules=mods)
    put(n, b, "b.ndu")
    update(n, "file='user_data/b.ndu'")
    wait_state(n, {"confirmed"})
    slot = n.path("slots", "a")
    assert sorted(os.listdir(slot)) == ["manifest", "manifest.sig", "modules", "nodus", "web"]
    assert not os.path.exists(os.path.join(slot, "web", ".swp"))
    with open(os.path.join(slot, "modules", "LM_x.lua")) as f:
        assert f.read() == "-- a module"
    r = requests.get("http://127.0.0.1:%d/hello.html" % wp, timeout=5)
    assert r.status_code == 200 and r.text == "<p>from the bundle</p>"
    # the user's own pages still win over the bundle's
    with open(n.path("web", "hello.html"), "w") as f:
        f.write("mine")
    assert requests.get("http://127.0.0.1:%d/hello.html" % wp, timeout=5).text == "mine"


# ---- bad bundles: refused before anything is written -------------------------------------------

def mutate(src, dst, fn):
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data = fn(data)
    with open(dst, "wb") as f:
        f.write(data)
    return str(dst)


def header(data):
    mlen = int.from_bytes(data[4:8], "little")
    slen = int.from_bytes(data[8:10], "little")
    return 20, 20 + mlen, 20 + mlen + slen  # manifest, signature, payload offsets


def flip(data, at):
    data[at] ^= 0x01
    return data


BAD = {
    # name: (how to make the bundle, expected words in the error)
    "bad signature": (lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                                          lambda d: flip(d, header(d)[1] + 10)),
                      "bad signature"),
    "manifest changed after signing": (
        lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                            lambda d: d.replace(b"version 0.1.0-1", b"version 0.1.0-9")),
        "bad signature"),
    "wrong key": (lambda k, t: release(k, t / "x.ndu", "0.1.0-1", key="other"),
                  "which this node does not trust"),
    "truncated": (lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                                      lambda d: d[: len(d) // 2]),
                  "bundle truncated"),
    "truncated header": (lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                                             lambda d: d[:12]),
                         "bundle truncated"),
    "extra data": (lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                                       lambda d: d + b"tail"),
                   "extra data"),
    "file hash mismatch": (lambda k, t: mutate(release(k, t / "g.ndu", "0.1.0-1"), t / "x.ndu",
                                               lambda d: flip(d, len(d) - 100)),
                           "SHA-256 does not match the manifest"),
    "other arch": (lambda k, t: release(k, t / "x.ndu", "0.1.0-1",
                                        binary=script(t, "arm-build", "exit 0"), arch="aarch64"),
                   "is for arch aarch64; this node runs on x86_64"),
    "other board": (lambda k, t: release(k, t / "x.ndu", "0.1.0-1", board="rpi"),
                    "is for board rpi; this node's board is sim"),
    "older version": (lambda k, t: release(k, t / "x.ndu", "0.0.9-5"),
                      "older than the running 0.1.0-0: a downgrade needs force=True"),
    "same version": (lambda k, t: release(k, t / "x.ndu", OLD), "already running"),
    "not a bundle": (lambda k, t: mutate(NODUS_BIN, t / "x.ndu", lambda d: d[:5000]),
                     "not a nodus update bundle"),
}


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("via", ["file", "url"])
def test_bad_bundle_is_refused_and_nothing_changes(make_node, keys, serve, tmp_path, case, via):
    make, words = BAD[case]
    n = updatable(make_node, keys)
    b = make(keys, tmp_path)
    before = disk(n)
    if via == "file":
        put(n, b, "x.ndu")
        update(n, "file='user_data/x.ndu'")
    else:
        update(n, "url='%s'" % serve(file_handler(b)).url())
    st = wait_state(n, {"failed"}, timeout=20)
    assert words in st["error"], st
    assert st["version"] == OLD and st["slot"] == "base" and st["id"] == 1
    if via == "file":
        os.remove(n.path("web", "user_data", "x.ndu"))
    assert disk(n) == before  # nothing staged, switched or left behind
    assert n.cmd("system heartbeat") == "<3 heartbeat <3\n" and exe(n) == os.path.realpath(NODUS_BIN)
    logs = read_logs(n)
    assert "[ERR] update 1 failed: " in logs and words in logs


def test_bundle_larger_than_free_space(make_node, keys, tmp_path):
    n = updatable(make_node, keys, "updfree_kb=2000000000")  # keep 2 TB free: more than any disk
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1"), "b.ndu")
    before = disk(n)
    update(n, "file='user_data/b.ndu'")
    st = wait_state(n, {"failed"})
    assert "not enough space: the bundle's files need" in st["error"]
    assert "updfree_kb keeps 2000000000 KiB free" in st["error"]
    assert disk(n) == before
    # room again: the same bundle goes through
    assert "Saved" in n.cmd("conf\nupdfree_kb 1024\nnoconf")
    update(n, "file='user_data/b.ndu'")
    assert wait_state(n, {"confirmed"})["version"] == "0.1.0-1"


def test_downgrade_needs_force(make_node, keys, tmp_path):
    n = updatable(make_node, keys)
    put(n, release(keys, tmp_path / "old.ndu", "0.0.9-0"), "o.ndu")
    update(n, "file='user_data/o.ndu'")
    assert "downgrade needs force=True" in wait_state(n, {"failed"})["error"]
    update(n, "file='user_data/o.ndu'", force="True")
    st = wait_state(n, {"confirmed"}, want_id=2)
    assert st["version"] == "0.0.9-0"


def test_refusals_before_any_download(make_node, keys, serve, tmp_path):
    srv = serve(file_handler(release(keys, tmp_path / "b.ndu", "0.1.0-1")))
    n = make_node("updtrial_s=10")  # no config/update.pub
    assert "no trusted update key" in update(n, "url='%s'" % srv.url())
    trust(n, keys)
    assert "give url='http://host:port/bundle.ndu' or file=" in update(
        n, "url='%s' file='user_data/b.ndu'" % srv.url())
    assert " state: idle\n" in n.cmd("system update")  # no source: the status
    assert "https is not supported" in update(n, "url='https://127.0.0.1/b.ndu'")
    assert "must name an upload under user_data/" in update(n, "file='../config/node_config.json'")
    assert "no such file: user_data/none.ndu" in update(n, "file='user_data/none.ndu'")
    assert "timeout=0 out of range" in update(n, "url='%s'" % srv.url(), timeout=0)
    assert srv.hits == 0
    update(n, "url='%s'" % srv.url())
    assert "is still running" in update(n, "url='%s'" % srv.url())


# ---- a misbehaving update server --------------------------------------------------------------

def raw_server(behaviour):
    """A TCP server on the loopback doing `behaviour(conn)` for each connection."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    conns = []

    def loop():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            conns.append(c)
            threading.Thread(target=behaviour, args=(c,), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return ls, conns


def read_request(c):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = c.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf


SERVERS = {
    "hangs before answering": (lambda c: (read_request(c), time.sleep(30)),
                               "timeout: nothing from 127.0.0.1:%d for 2 s while waiting for the response"),
    "hangs in the body": (lambda c: (read_request(c), c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 5000000\r\n\r\nNDU1"), time.sleep(30)),
                          "timeout: nothing from 127.0.0.1:%d for 2 s while receiving"),
    "sends garbage": (lambda c: (read_request(c), c.sendall(b"\x00\xffgarbage\r\n\r\nmore"), c.close()),
                      "garbage from the server: the server's answer is not an HTTP response"),
    "endless head": (lambda c: (read_request(c), c.sendall(b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 3000)),
                     "no HTTP response head within 8192 bytes"),
    "answers 404": (lambda c: (read_request(c), c.sendall(
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), c.close()),
                    "the server answered HTTP 404 Not Found"),
    "closes at once": (lambda c: c.close(), "closed the connection without an answer"),
    "200 with random bytes": (lambda c: (read_request(c), c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + os.urandom(3000)), c.close()),
                              "not a nodus update bundle"),
    "bad chunked framing": (lambda c: (read_request(c), c.sendall(
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"), c.close()),
                            "garbage from the server: malformed chunk size line"),
    "offers too much": (lambda c: (read_request(c), c.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n"), time.sleep(5)),
                        "more than"),
}


@pytest.mark.parametrize("case", sorted(SERVERS))
def test_update_server_misbehaves(make_node, keys, case):
    behaviour, words = SERVERS[case]
    ls, conns = raw_server(behaviour)
    port = ls.getsockname()[1]
    try:
        n = updatable(make_node, keys)
        before = disk(n)
        update(n, "url='http://127.0.0.1:%d/b.ndu'" % port, timeout=2)
        assert n.cmd("system heartbeat") == "<3 heartbeat <3\n"  # the shell answers meanwhile
        st = wait_state(n, {"failed"}, timeout=15)
        assert (words % port if "%d" in words else words) in st["error"], st
        assert disk(n) == before and st["version"] == OLD
    finally:
        ls.close()
        for c in conns:
            c.close()


def test_chunked_download_works(make_node, keys, serve, tmp_path):
    b = release(keys, tmp_path / "b.ndu", "0.1.0-1")

    def chunked(req):
        with open(b, "rb") as f:
            data = f.read()
        req.send_response(200)
        req.send_header("Transfer-Encoding", "chunked")
        req.end_headers()
        for i in range(0, len(data), 50000):
            part = data[i:i + 50000]
            req.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
        req.wfile.write(b"0\r\nX-Trailer: 1\r\n\r\n")
        req.close_connection = True

    n = updatable(make_node, keys)
    update(n, "url='%s'" % serve(chunked).url())
    assert wait_state(n, {"confirmed"})["version"] == "0.1.0-1"


def test_shell_answers_during_a_slow_download(make_node, keys, serve, tmp_path):
    b = release(keys, tmp_path / "b.ndu", "0.1.0-1")
    size = os.path.getsize(b)
    srv = serve(file_handler(b, rate=(65536, 0.05)))  # about 1.3 MB/s: ~1.6 s for the binary
    n = updatable(make_node, keys)
    update(n, "url='%s'" % srv.url())
    seen = set()
    with n.connect() as s:
        for _ in range(400):
            assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
            st = json.loads(s.cmd("system update_status >json"))
            seen.add(st["state"])
            if st["state"] == "staging":
                assert 0 < st["received"] < size and st["total"] == size
            if st["state"] in ("restarting",):
                break
            time.sleep(0.01)
    assert "staging" in seen  # answered while the bundle was still arriving
    assert wait_state(n, {"confirmed"})["version"] == "0.1.0-1"


# ---- power cuts: kill -9 at every step ------------------------------------------------------------

# step -> what the node runs once it is started again (a service restart)
STEPS = {
    "staging": (OLD, "idle"),      # in the middle of the binary
    "staged": (OLD, "idle"),       # every file staged, nothing committed
    "commit": (OLD, "idle"),       # the slot's old content moved aside, the stage not yet in
    "committed": (OLD, "idle"),    # slot a holds it, nothing points at it
    "record": (OLD, "failed"),     # the record says trial, current not switched
    "switched": ("0.1.0-1", "confirmed"),  # switched, not yet restarted: the restart runs it on trial
    "trial": ("0.1.0-1", "confirmed"),     # the new version killed at its first start
    "confirm": ("0.1.0-1", "confirmed"),   # killed right after confirming
}


@pytest.mark.parametrize("step", list(STEPS))
def test_kill_at_every_step(make_node, keys, tmp_path, step):
    version, state = STEPS[step]
    n = make_node("updtrial_s=10", start=False, env={"NODUS_UPDATE_CRASH_AT": step})
    trust(n, keys)
    n.start()
    assert "Saved" in n.cmd("conf\ndevfid cellar\nnoconf")
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    n.proc.wait(20)
    assert n.proc.returncode == -signal.SIGKILL, log_tail(n)
    n.log.close()
    n.env = None  # the service manager starts it again
    n.start()
    st = wait_state(n, {state}, timeout=30)
    assert st["version"] == version, st
    if step == "record":
        assert "interrupted before the switch" in st["error"]
    with n.connect() as s:
        assert s.greeting.endswith(b"cellar $ ")  # the config is intact
    assert not os.path.exists(n.path("slots", "stage"))  # litter cleared
    assert not os.path.exists(n.path("slots", "a.old"))
    # and it still updates afterwards
    if version == OLD:
        update(n, "file='user_data/b.ndu'")
        assert wait_state(n, {"confirmed"}, want_id=st["id"] + 1)["version"] == "0.1.0-1"


# ---- a bad new version -------------------------------------------------------------------------

def supervise(n, until, restarts=8):
    """Start the node again each time it exits, as systemd's Restart= would; stop when until()."""
    for _ in range(restarts):
        n.proc.wait(30)
        n.log.close()
        n.start(wait=False)
        deadline = time.time() + 10
        while time.time() < deadline and n.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", n.port), 0.2).close()
                if until():
                    return
            except OSError:
                pass
            time.sleep(0.05)
    raise AssertionError("no stable node after %d restarts\n%s" % (restarts, log_tail(n)))


def test_version_that_crashes_at_start_is_rolled_back(make_node, keys, tmp_path):
    n = updatable(make_node, keys)
    bad = script(tmp_path, "crasher", "echo 'broken build' >&2; exit 1")
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1", binary=bad, arch="x86_64"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    n.proc.wait(20)
    assert n.proc.returncode == 1  # the new "version" started and died
    supervise(n, lambda: try_status(n) is not None)
    st = wait_state(n, {"rolledback"})
    assert st["version"] == OLD and st["slot"] == "base"
    assert "started 3 times without passing its health check (crash loop)" in st["error"]
    assert "crash loop" in read_logs(n)
    with open(n.path("stderr.log"), "rb") as f:
        assert f.read().count(b"broken build") == 3


def test_version_that_never_gets_healthy_is_rolled_back_within_the_deadline(make_node, keys, tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    # the real nodus, but its web door cannot open: alive, answering its shell, never healthy
    bad = script(tmp_path, "unhealthy", 'exec "%s" "$@" --set webui=True --set webport=%d'
                 % (os.path.realpath(NODUS_BIN), port))
    n = updatable(make_node, keys, "updtrial_s=3")
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1", binary=bad, arch="x86_64"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    st = wait_state(n, {"trial"}, timeout=15)
    assert st["version"] == "0.1.0-1" and st["trial_left_s"] <= 3
    while st["state"] == "trial" and st["health"] == "starting":  # before its first check
        st = status(n)
    assert "web door not listening" in st["health"]
    st = wait_state(n, {"rolledback"}, timeout=20)
    busy.close()
    assert st["version"] == OLD and n.alive()
    assert "version 0.1.0-1 failed its health check within 3 s (web door not listening" in st["error"]
    logs = read_logs(n)
    assert "[ERR] update 1: version 0.1.0-1 failed its health check within 3 s" in logs


def test_rollback_survives_a_kill_during_it(make_node, keys, tmp_path):
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    bad = script(tmp_path, "unhealthy", 'exec "%s" "$@" --set webui=True --set webport=%d'
                 % (os.path.realpath(NODUS_BIN), busy.getsockname()[1]))
    n = make_node("updtrial_s=2", start=False, env={"NODUS_UPDATE_CRASH_AT": "rollback"})
    trust(n, keys)
    n.start()
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1", binary=bad, arch="x86_64"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    n.proc.wait(30)
    assert n.proc.returncode == -signal.SIGKILL  # killed between the record and the switch back
    assert os.readlink(n.path("slots", "current")) == "a"
    n.log.close()
    n.env = None
    n.start()
    st = wait_state(n, {"rolledback"})
    busy.close()
    assert st["version"] == OLD and not os.path.lexists(n.path("slots", "current"))


def test_version_that_cannot_be_executed_is_rolled_back_at_once(make_node, keys, tmp_path):
    junk = tmp_path / "junk"
    junk.write_bytes(b"\x00not a program\xff" * 100)
    junk.chmod(0o755)
    n = updatable(make_node, keys)
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1", binary=junk, arch="x86_64"), "b.ndu")
    pid = n.pid
    update(n, "file='user_data/b.ndu'")
    st = wait_state(n, {"rolledback"})
    assert n.pid == pid and n.alive()  # the launcher went on with the base binary itself
    assert st["version"] == OLD and "version 0.1.0-1 could not be started (Exec format error)" in st["error"]


def test_hanging_version_is_ended_by_the_watchdog(make_node, keys, tmp_path):
    n = updatable(make_node, keys, "updtrial_s=2")
    hang = script(tmp_path, "hang", "exec sleep 300")  # never opens a door, never confirms
    put(n, release(keys, tmp_path / "b.ndu", "0.1.0-1", binary=hang, arch="x86_64"), "b.ndu")
    update(n, "file='user_data/b.ndu'")
    n.proc.wait(30)
    assert n.proc.returncode == -signal.SIGALRM  # the trial's alarm, armed by the launcher
    supervise(n, lambda: try_status(n) is not None)
    st = wait_state(n, {"rolledback"})
    assert st["version"] == OLD and "did not pass its health check within 2 s" in st["error"]


# ---- the host side --------------------------------------------------------------------------------

def test_release_command(keys, tmp_path):
    k = keys / "main"
    assert stat.S_IMODE(os.stat(k / "update.key").st_mode) == 0o600
    r = cli("release", "--genkey", str(k), check=False)
    assert r.returncode == 1 and "not overwritten" in r.stderr
    out = tmp_path / "b.ndu"
    r = cli("release", "--key", str(k / "update.key"), "--version", "1.2", "--binary", NODUS_BIN,
            "-o", str(out), check=False)
    assert r.returncode == 1 and "is not X.Y.Z-N" in r.stderr
    r = cli("release", "--key", str(k / "update.key"), "--version", "1.2.3-4", "--binary", NODUS_BIN,
            "--arch", "aarch64", "-o", str(out), check=False)
    assert r.returncode == 1 and "is an x86_64 binary, not aarch64" in r.stderr
    s = script(tmp_path, "s", "exit 0")
    r = cli("release", "--key", str(k / "update.key"), "--version", "1.2.3-4", "--binary", str(s),
            "-o", str(out), check=False)
    assert r.returncode == 1 and "say which arch it runs on" in r.stderr
    r = cli("release", "--key", str(keys / "main" / "update.pub"), "--version", "1.2.3-4",
            "--binary", NODUS_BIN, "-o", str(out), check=False)
    assert r.returncode == 1 and "not a readable private key" in r.stderr
    assert not out.exists()
    r = cli("release", "--key", str(k / "update.key"), "--version", "1.2.3-4", "--binary", NODUS_BIN,
            "--board", "rpi", "-o", str(out))
    assert "nodus 1.2.3-4 for x86_64/rpi, 1 file" in r.stdout
    data = out.read_bytes()
    assert data[:4] == b"NDU1"
    m0, s0, p0 = header(data)
    manifest = data[m0:s0].decode()
    with open(NODUS_BIN, "rb") as f:
        binary = f.read()
    assert manifest == ("nodus-bundle 1\nname nodus\nversion 1.2.3-4\narch x86_64\nboard rpi\n"
                        "file nodus %d %s\n" % (len(binary), hashlib.sha256(binary).hexdigest()))
    assert data[p0:] == binary


def cache_file(tmp_path, nodes):
    path = tmp_path / "device_conn_cache.json"
    path.write_text(json.dumps({"micr%012xOS" % i: ["127.0.0.1", n.port, "node%d" % i]
                                for i, n in enumerate(nodes)}))
    return str(path)


def test_fleet_rollout_with_canary(make_node, keys, serve, tmp_path):
    nodes = [updatable(make_node, keys, "updtrial_s=3") for _ in range(3)]
    env = dict(os.environ, NODUS_DEVICE_CACHE=cache_file(tmp_path, nodes))
    # a broken version: the canary rolls it back, the others are never touched
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen(1)
    bad = script(tmp_path, "unhealthy", 'exec "%s" "$@" --set webui=True --set webport=%d'
                 % (os.path.realpath(NODUS_BIN), busy.getsockname()[1]))
    srv_bad = serve(file_handler(release(keys, tmp_path / "bad.ndu", "0.1.0-1", binary=bad, arch="x86_64")))
    r = cli("update", "--all", "--canary", "1", "--url", srv_bad.url(), "--timeout", "60",
            env=env, check=False)
    assert r.returncode == 4, r.stdout + r.stderr
    assert "rolledback" in r.stdout and "rollout stopped" in r.stdout and "2 node(s) left untouched" in r.stdout
    assert srv_bad.hits == 1
    assert status(nodes[0])["state"] == "rolledback"
    assert [status(x)["state"] for x in nodes[1:]] == ["idle", "idle"]
    busy.close()
    # a good one: the canary confirms, then the rest
    srv = serve(file_handler(release(keys, tmp_path / "good.ndu", "0.1.0-2")))
    r = cli("update", "--all", "--canary", "1", "--url", srv.url(), env=env, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "canary: 1 of 3 node(s)" in r.stdout and "rollout done: 3 node(s) confirmed" in r.stdout
    assert srv.hits == 3
    assert [status(x)["version"] for x in nodes] == ["0.1.0-2"] * 3
    # named nodes, and a refusal is a failure
    r = cli("update", "127.0.0.1:%d" % nodes[1].port, "--url", srv.url(), env=env, check=False)
    assert r.returncode == 4 and "already running" in r.stdout
