"""Security: one auth decision for every door (README "Security").

The auth matrix runs every pre-auth input class against every door of a node
with `auth` on, while trap listeners on other loopback addresses fail the
test if the node dials them at all (InterCon) or sends them the password.
Then: per-address lockout on every door, fair slots under abuse.
"""
import os
import socket
import threading
import time

import pytest
import requests

from conftest import free_port
from test_web import AUTH, Conn, Events, get, web_node

PW = "ADmin123"
AP = b"[password] node01 $ "
FAILED = b"AuthFailed\nBye!\n" + AP + b"Bye!\n"
PROTECTED = {"result": "Auth:Protected", "state": True}


class Trap:
    """A fake node on another loopback address: it asks every caller for the
    password and records connections and bytes."""

    def __init__(self, host, port):
        self.conns, self.data = 0, b""
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((host, port))
        self.ls.listen(16)
        self.ls.settimeout(0.2)
        self.stop = False
        self.th = threading.Thread(target=self.run, daemon=True)
        self.th.start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except OSError:
                continue
            self.conns += 1
            try:
                c.settimeout(1)
                c.sendall(b"[password] trap $ ")
                self.data += c.recv(999)
            except OSError:
                pass
            c.close()

    def close(self):
        self.stop = True
        self.th.join(2)
        self.ls.close()


@pytest.fixture
def trapped(make_node):
    """An auth node with web UI, and traps on 127.0.0.2/.3 at its shell port."""
    n = web_node(make_node, "auth=True", "appwd=Secr3tPw")
    traps = [Trap("127.0.0.2", n.port), Trap("127.0.0.3", n.port)]
    yield n
    time.sleep(0.5)  # a dial the node started late still reaches the trap
    for t in traps:
        t.close()
    for t in traps:
        assert t.conns == 0 and t.data == b"", "the node dialled a trap before auth: %r" % t.data
    assert b"Secr3tPw" not in b"".join(t.data for t in traps)


def shell(n, line):
    """Send one line on a fresh unauthenticated session: everything until the prompt or close."""
    with n.connect() as s:
        assert s.greeting == b"[password] node01 $ "
        s.send(line)
        out = b""
        deadline = time.time() + 5
        while time.time() < deadline:
            if out.endswith(AP) and not out.startswith(b"AuthFailed"):
                return out
            try:
                chunk = s.sock.recv(4096)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
        return out


# ---- the matrix ----------------------------------------------------------------------

SHELL_REFUSED = [
    "hello x", "hello >>127.0.0.2", "hello >json", "hello &", "hello;system info",
    "version", "modules", "help", "system info", "system heartbeat >json",
    "system heartbeat >>127.0.0.2", "system clock &&1000", "task list", "task kill system.clock",
    "conf", "reboot", "webrepl", "system heartbeat >>127.0.0.3",
]


def test_shell_before_auth_only_bare_hello(trapped):
    n = trapped
    out = shell(n, "hello")
    assert out.startswith(b"hello:node01:") and out.endswith(b"\n" + AP)
    # blanks around it are stripped, as micrOS strips a message: still the bare hello
    out = shell(n, " \thello \r")
    assert out.startswith(b"hello:node01:") and out.endswith(b"\n" + AP)
    for line in SHELL_REFUSED:
        assert shell(n, line) == FAILED, line
    # two lines in one packet: the hello is answered, the next line is the password
    with n.connect() as s:
        s.send("hello\nsystem info >>127.0.0.2\n")
        out = s.read_until_close()
        assert out.startswith(b"hello:node01:") and out.endswith(b"\n" + AP + FAILED)


def load_system(n):
    with n.connect() as s:
        assert s.cmd("Secr3tPw") == "AuthOk\n"
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


REST_REFUSED = [
    "/rest/system/heartbeat/%3Ejson", "/rest/system/heartbeat/%3E%3E127.0.0.2",
    "/rest/system/clock/%26", "/rest/system/clock/%26%26500", "/rest/task/list",
    "/rest/task/list/%3E%3E127.0.0.2", "/rest/task/kill/system.clock", "/rest/hello",
    "/rest/version", "/rest/help", "/rest/conf", "/rest/rgb/toggle",
    "/rest/system/heartbeat%3Bsystem/info", "/rest/hello/%3E%3E127.0.0.3",
]


def test_rest_before_auth_loaded_modules_only(trapped):
    n = trapped
    r = get(n, "/rest").json()
    assert r["state"] is True and r["result"]["auth"] is True
    assert get(n, "/rest/system/heartbeat").json() == PROTECTED  # not loaded yet
    assert get(n, "/rest/modules").json() == {"result": ["task"], "state": True}
    load_system(n)
    assert get(n, "/rest/system/heartbeat").json() == {"result": "<3 heartbeat <3", "state": True}
    for path in REST_REFUSED:
        r = get(n, path)
        assert r.status_code == 200 and r.json() == PROTECTED, path


def test_rest_with_password_runs_anything(trapped):
    n = trapped
    hdr = {"x-micros-auth": "Secr3tPw"}
    r = get(n, "/rest/task/list", headers=hdr).json()
    assert r["state"] is True and "active" in r["result"]
    assert get(n, "/rest/system/heartbeat", headers=hdr).json()["result"] == "<3 heartbeat <3"
    r = get(n, "/rest/version", headers={"Authorization": "Bearer Secr3tPw"}).json()
    assert r["state"] is True


HTTP_PRIVATE = [
    ("GET", "/config"), ("POST", "/config"), ("POST", "/config/reboot"), ("GET", "/events"),
    ("GET", "/metrics"), ("GET", "/fs/files"), ("GET", "/fs/list"), ("GET", "/fs/dirs"),
    ("GET", "/fs/usage"), ("POST", "/fs/files"), ("DELETE", "/fs/files"), ("POST", "/fs/list"),
    ("GET", "/user_data/notes.txt"),
]


def test_http_endpoints_before_auth(trapped):
    n = trapped
    os.makedirs(n.path("web", "user_data"), exist_ok=True)
    with open(n.path("web", "user_data", "notes.txt"), "w") as f:
        f.write("private")
    for method, path in HTTP_PRIVATE:
        r = requests.request(method, n.url + path, timeout=10, data=b"{}",
                             headers={"Accept": "application/json"})
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.json() == {"state": False, "result": "Auth required"}
    assert get(n, "/").status_code == 200  # the UI's own files carry no node data
    # a browser gets micrOS's 401 page, whose script (served to anyone) asks for the password
    page = get(n, "/config", headers={"Accept": "text/html"})
    assert page.status_code == 401 and '<script src="/auth.js"></script>' in page.text
    js = get(n, "/auth.js")
    assert js.status_code == 200 and "x-micros-auth" in js.text
    # and with the password every one of them answers
    hdr = {"x-micros-auth": "Secr3tPw"}
    assert get(n, "/config", headers=hdr).status_code == 200
    assert get(n, "/metrics", headers=hdr).status_code == 200
    assert get(n, "/metrics", headers={"Authorization": "Bearer Secr3tPw"}).status_code == 200
    assert get(n, "/fs/files", headers=hdr).status_code == 200
    assert get(n, "/user_data/notes.txt", headers=hdr).text == "private"
    e = Conn(n.webport)
    try:
        e.send(b"GET /events HTTP/1.1\r\nHost: x\r\nx-micros-auth: Secr3tPw\r\n\r\n")
        while b"\r\n\r\n" not in e.buf:
            e._fill()
        assert e.buf.startswith(b"HTTP/1.1 200")
    finally:
        e.close()


def test_events_never_reach_anonymous_clients(trapped):
    n = trapped
    r = requests.get(n.url + "/events", timeout=5, stream=True)
    assert r.status_code == 401
    assert b"Secr3tPw" not in r.content


def test_auth_off_keeps_micros_rules(make_node):
    """auth off: everything is open except micrOS's @sudo endpoints."""
    n = web_node(make_node)
    assert get(n, "/rest/task/list").json()["state"] is True
    assert get(n, "/metrics").status_code == 200
    assert get(n, "/config").status_code == 401
    assert get(n, "/config", headers=AUTH).status_code == 200
    assert n.cmd("version").strip()


# ---- lockout ------------------------------------------------------------------------------

def from_addr(src, port, data, timeout=5):
    """One connection from source address src; every byte until close or the prompt."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    out = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except socket.timeout:
        pass
    finally:
        s.close()
    return out


def shell_try(n, src, pw):
    """Log in from src with pw: the bytes after the greeting."""
    s = socket.socket()
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", n.port))
    try:
        greet = b""
        while not greet.endswith(b" $ "):
            greet += s.recv(999)
        s.sendall(pw.encode())
        out = b""
        t0 = time.time()
        while True:
            chunk = s.recv(999)
            if not chunk:
                break
            out += chunk
            if out.endswith(b"node01 $ ") and not out.startswith(b"AuthFailed"):
                break
        return out, time.time() - t0
    finally:
        s.close()


def http_status(n, src, headers):
    req = "GET /rest/system/info HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    for k, v in headers.items():
        req += "%s: %s\r\n" % (k, v)
    out = from_addr(src, n.webport, (req + "\r\n").encode())
    return int(out.split(b" ", 2)[1]), out


def test_lockout_per_address_on_every_door(make_node):
    n = web_node(make_node, "auth=True", "authlock_s=3")
    bad = "127.0.0.7"
    out, took = shell_try(n, bad, "wrong1")
    assert out == FAILED and took >= 0.4  # a failed login's reply is held back
    for _ in range(3):
        assert shell_try(n, bad, "wrong2")[0] == FAILED
    st, body = http_status(n, bad, {"x-micros-auth": "nope"})  # the fifth failure
    assert st == 401
    # locked now: the right password is refused on every door, from this address only
    assert shell_try(n, bad, PW)[0] == FAILED
    st, body = http_status(n, bad, {"x-micros-auth": PW})
    assert st == 429 and b"locked out" in body and b"retry-after: " in body
    st, _ = http_status(n, bad, {"Authorization": "Bearer " + PW})
    assert st == 429
    assert shell_try(n, "127.0.0.8", PW)[0].startswith(b"AuthOk\n")  # others unaffected
    assert http_status(n, "127.0.0.8", {"x-micros-auth": PW})[0] == 200
    m = get(n, "/metrics", headers=AUTH).text
    assert "nodus_auth_failures_total 5" in m
    assert "nodus_auth_lockouts_total 1" in m
    assert "nodus_auth_locked_refusals_total 3" in m
    assert "nodus_auth_locked_addresses 1" in m
    log = read_logs(n)
    assert log.count("auth: 127.0.0.7 locked out for 3 s after 5 failed logins") == 1
    time.sleep(3.2)  # the lockout expires
    assert shell_try(n, bad, PW)[0].startswith(b"AuthOk\n")
    assert http_status(n, bad, {"x-micros-auth": PW})[0] == 200


def read_logs(n):
    import glob
    text = ""
    for p in glob.glob(n.path("logs", "*")):
        with open(p, errors="replace") as f:
            text += f.read()
    return text


def test_failures_outside_the_window_do_not_add_up(make_node):
    """Four failures, then the right password: no lockout; the count is per
    address and per minute."""
    n = make_node("auth=True")
    for _ in range(4):
        assert shell_try(n, "127.0.0.9", "wrong")[0] == FAILED
    assert shell_try(n, "127.0.0.9", PW)[0].startswith(b"AuthOk\n")
    assert shell_try(n, "127.0.0.10", "wrong")[0] == FAILED
    assert shell_try(n, "127.0.0.9", PW)[0].startswith(b"AuthOk\n")


# ---- slots under abuse ----------------------------------------------------------------------

def test_hello_only_session_is_idle_for_eviction(make_node):
    """With auth on, a session that only says hello does not keep its slot
    against micrOS's idle rule: a newcomer evicts it after soctout."""
    n = make_node("auth=True", "aioqueue=1", "soctout=5")
    a = n.connect()
    t0 = time.time()
    try:
        while time.time() - t0 < 5.5:
            assert a.cmd("hello").startswith("hello:")
            time.sleep(0.5)
        t1 = time.time()
        b = n.connect(timeout=8)
        assert b.greeting == AP and time.time() - t1 < 2.0
        assert a.read_until_close(3) == b""
        b.close()
    finally:
        a.close()


def test_authenticated_chatty_session_keeps_its_slot(make_node):
    n = make_node("auth=True", "aioqueue=1", "soctout=5")
    a = n.connect()
    try:
        assert a.cmd(PW) == "AuthOk\n"
        t0 = time.time()
        stop = threading.Event()

        def chat():
            while not stop.is_set():
                a.cmd("system heartbeat")
                time.sleep(0.3)

        th = threading.Thread(target=chat, daemon=True)
        th.start()
        time.sleep(5.5)
        b = n.connect(timeout=10)  # waits up to 5 s, then is told busy
        assert b.greeting == b"Connection is busy. Bye!\n"
        stop.set()
        th.join(3)
        assert time.time() - t0 > 9
    finally:
        stop.set()
        a.close()


def run_abuse(n, rounds=40):
    """300 slowloris sockets, 3 never-reading event streams, 5 chatty shell
    sessions; meanwhile a well-behaved client runs `rounds` shell commands and
    `rounds` REST requests. Returns (shell latencies, rest latencies, failures)."""
    stop = threading.Event()
    slow = []
    for i in range(300):
        c = socket.create_connection(("127.0.0.1", n.webport), 10)
        c.sendall(b"GET /rest/system/info HTTP/1.1\r\nHost: x\r\n")
        slow.append(c)

    def drip():
        while not stop.wait(2.0):
            for c in slow:
                try:
                    c.sendall(b"X-a: b\r\n")
                except OSError:
                    pass

    streams = []
    for _ in range(3):
        c = socket.create_connection(("127.0.0.1", n.webport), 10)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\nx-micros-auth: " + PW.encode() + b"\r\n\r\n")
        streams.append(c)  # never read

    chatty = []
    for _ in range(5):
        s = n.connect()
        assert s.cmd(PW) == "AuthOk\n"
        chatty.append(s)

    def chat(s):
        while not stop.is_set():
            try:
                s.cmd("system heartbeat")
                s.cmd("system clock &")  # task output feeds the event streams
            except OSError:
                return

    threads = [threading.Thread(target=drip, daemon=True)]
    threads += [threading.Thread(target=chat, args=(s,), daemon=True) for s in chatty]
    for t in threads:
        t.start()
    time.sleep(1.0)
    shell_lat, rest_lat, failures = [], [], []
    try:
        good = n.connect(timeout=10)
        assert good.cmd(PW) == "AuthOk\n"
        for i in range(rounds):
            t0 = time.time()
            try:
                out = good.cmd("system heartbeat")
                if out != "<3 heartbeat <3\n":
                    failures.append(("shell", out))
            except OSError as e:
                failures.append(("shell", repr(e)))
            shell_lat.append(time.time() - t0)
            t0 = time.time()
            try:
                r = requests.get(n.url + "/rest/system/heartbeat", timeout=10,
                                 headers={"x-micros-auth": PW, "Connection": "close"})
                if r.status_code != 200 or r.json()["result"] != "<3 heartbeat <3":
                    failures.append(("rest", r.status_code, r.text))
            except requests.RequestException as e:
                failures.append(("rest", repr(e)))
            rest_lat.append(time.time() - t0)
            time.sleep(0.05)
        good.close()
    finally:
        stop.set()
        for t in threads:
            t.join(5)
        for c in slow + streams:
            c.close()
        for s in chatty:
            s.close()
    return shell_lat, rest_lat, failures


def test_well_behaved_client_served_under_abuse(make_node):
    """Correctness under the abuse of README "Security" (the 1 s figures are
    bench/slot_abuse.py's): every request of the good client is answered, and
    answered right."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    n = web_node(make_node, "auth=True", "aioqueue=8")
    shell_lat, rest_lat, failures = run_abuse(n, rounds=30)
    assert failures == []
    assert len(shell_lat) == 30 and len(rest_lat) == 30
    assert n.alive()
    m = get(n, "/metrics", headers=AUTH).text
    assert 'nodus_http_busy_total 0' in m
