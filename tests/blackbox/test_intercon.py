"""InterCon (docs/micros-compat.md §5): `command >>host` between real nodes.

Nodes share one shell port and listen on their own loopback address
(127.a.b.2, 127.a.b.3, ...): InterCon connects to the target on the *local*
socport, as micrOS does. Stand-in peers (busy, garbage, silent, micrOS-style)
are Python socket servers on further loopback addresses; a trap peer asks every
caller for a password and records what it gets (icpeers). The namespace test
puts nodes in network namespaces joined by a bridge and reaches the peer by
IP and by a name from the namespace's /etc/hosts (the port's resolver).
"""
import json
import os
import random
import shutil
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

from conftest import NODUS_BIN, SANITIZED, Node, Session, free_port
from test_tasks import wait_for

NET = "127.%d.%d." % (random.randint(20, 250), random.randint(1, 250))
BASE = ("ntpserver=n/a", "intercontout=1500")


class IcSession(Session):
    def __init__(self, ip, port, timeout=5):
        self.sock = socket.create_connection((ip, port), timeout)
        self.sock.settimeout(timeout)
        self.greeting = self.read_until_prompt()


class IcNode(Node):
    """A node bound to its own loopback address."""

    def __init__(self, state, ip, port, sets=()):
        super().__init__(state, port, ["bind=" + ip] + list(BASE) + list(sets))
        self.ip = ip

    def connect(self, timeout=5):
        return IcSession(self.ip, self.port, timeout)

    def show(self, tag, timeout=8):
        """task show <tag> once the task has finished (not listed as active)."""
        with self.connect() as s:
            assert wait_for(lambda: ("Yes       " + tag + "\n") not in s.cmd("task list"), timeout), tag
            return s.cmd("task show " + tag)


@pytest.fixture
def net(tmp_path):
    """make(host_octet, *sets) -> a running IcNode on NET<octet>, all on one port."""
    port = free_port()
    nodes = []

    def make(octet, *sets, start=True):
        st = tmp_path / ("n%d" % octet)
        os.makedirs(st, exist_ok=True)
        n = IcNode(st, NET + str(octet), port, sets)
        nodes.append(n)
        if start:
            n.start()
        return n

    make.port = port
    yield make
    for n in nodes:
        try:
            n.stop()
        except Exception:
            pass
        if SANITIZED:
            with open(n.path("stderr.log"), "rb") as f:
                err = f.read()
            for mark in (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:"):
                assert mark not in err, "sanitizer report, see " + n.path("stderr.log")


class Peer:
    """A stand-in ShellCli on (ip, port). mode: micros (prompt framing as micrOS's
    Server.py, one read = one command), busy, garbage, silent, drop (prompt, then
    closes on the command), trap (prompts "[password] <name> $ ", takes any
    password, records everything), gate (says nothing; closes once `gate` is set)."""

    def __init__(self, ip, port, mode="micros", name="sim", pwd=None):
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind((ip, port))
        self.ls.listen(64)
        self.mode, self.name, self.pwd = mode, name.encode(), pwd
        self.got, self.conns, self.held = [], 0, []
        self.done, self.lock, self.gate = 0, threading.Lock(), threading.Event()
        self.stop = False
        threading.Thread(target=self.serve, daemon=True).start()

    def close(self):
        self.stop = True
        self.gate.set()
        self.ls.close()
        for c in self.held:
            c.close()

    def serve(self):
        while not self.stop:
            try:
                c, _ = self.ls.accept()
            except OSError:
                return
            self.conns += 1
            threading.Thread(target=self.session, args=(c,), daemon=True).start()

    def session(self, c):
        try:
            self._session(c)
        except OSError:
            pass
        finally:
            with self.lock:
                self.done += 1

    def wait_idle(self, timeout=8):
        """Every session so far has ended: `got` holds all the caller sent."""
        assert wait_for(lambda: self.done == self.conns, timeout), (self.done, self.conns)

    def _session(self, c):
        m = self.mode
        if m == "busy":
            c.sendall(b"Connection is busy. Bye!\n")
            c.close()
            return
        if m == "garbage":
            c.sendall(os.urandom(300).replace(b"$", b"x"))
            time.sleep(0.2)
            c.close()
            return
        if m == "flood":
            try:
                while not self.stop:
                    c.sendall(b"garbage without a prompt " * 64)
                    time.sleep(0.01)
            except OSError:
                return
        if m == "silent":
            self.held.append(c)
            return
        if m == "gate":
            self.gate.wait(20)
            c.close()
            return
        authed = self.pwd is None and m != "trap"
        prompt = lambda: (b"" if authed else b"[password] ") + self.name + b" $ "
        c.sendall(prompt())
        while True:
            data = c.recv(2048)
            if not data:
                return
            self.got.append(data)
            cmd = data.decode().strip()
            if m == "drop":
                c.close()
                return
            if not authed:
                if m == "trap" or (cmd.split() or [""])[0] == self.pwd:
                    authed = True
                    c.sendall(b"AuthOk\n" + prompt())
                else:
                    c.sendall(b"AuthFailed\nBye!\n" + prompt() + b"Bye!\n")
                    c.close()
                    return
                continue
            if cmd == "system heartbeat":
                c.sendall(b"<3 heartbeat <3\n" + prompt())
            elif cmd == "hello":
                c.sendall(b"hello:" + self.name + b":micr0000OS:rel\n" + prompt())
            else:
                c.sendall(b"Shell: for hints type help.\n" + prompt())


@pytest.fixture
def peers():
    made = []

    def make(*a, **kw):
        p = Peer(*a, **kw)
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()


# ---- node to node -----------------------------------------------------------

def test_hello_by_ip_and_by_name_returns_the_peers_identity(net):
    a = net(2, "devfid=alpha", "hosts=beta=%s3" % NET)
    net(3, "devfid=beta")
    with a.connect() as s:
        assert s.cmd("hello >>beta") == "{'con.beta.hello': 'Starting'}\n"
        oct3 = NET.split(".")[2]
        assert s.cmd("system heartbeat >>%s3" % NET) == "{'con.%s.3.system': 'Starting'}\n" % oct3
    assert a.show("con.beta.hello").startswith("hello:beta:micr")
    assert a.show("con.%s.3.system" % oct3) == "<3 heartbeat <3 \n"
    # remote >json, and the learned host cache
    with a.connect() as s:
        s.cmd("system info >json >>beta")
    info = a.show("con.beta.system")
    assert json.loads(info)["upython"].startswith("nodus")
    with a.connect() as s:
        assert s.cmd("system hosts") == " urequests: {}\n intercon: {'beta': '%s3'}\n" % NET


def test_illegal_and_unknown_hosts_and_refused_connections(net):
    a = net(2)
    with a.connect() as s:
        assert s.cmd("hello >>bad!host") == "Invalid InterCon host: bad!host\n"
        assert s.cmd("hello >>a/b") == "Invalid InterCon host: a/b\n"
        assert s.cmd("hello >>nosuchnode") == "{'con.nosuchnode.hello': 'Starting'}\n"
        assert s.cmd("hello >>%s9" % NET).endswith("'Starting'}\n")
    assert a.show("con.nosuchnode.hello") == "[intercon] NoHost: nosuchnode (name not found)\n"
    out = a.show("con.%s.9.hello" % NET.split(".")[2])
    assert out == "[intercon] %s9 (%s9:%d): Connection refused\n" % (NET, NET, a.port)
    with a.connect() as s:
        lst = s.cmd("task stats")
    assert "err:[intercon] NoHost: nosuchnode" in lst


def test_auth_on_the_target_sends_the_password_icpeers_names(net):
    """Real auth nodes: listed peers get the local appwd (beta shares it, gamma
    does not) or their own secret (eps); an unlisted one (delta) gets nothing."""
    a = net(2, "devfid=alpha", "appwd=Same1234", "icpeers=beta;gamma;eps=Other123",
            "hosts=beta=%s3;gamma=%s4;delta=%s5;eps=%s6" % (NET, NET, NET, NET))
    net(3, "devfid=beta", "auth=True", "appwd=Same1234")
    net(4, "devfid=gamma", "auth=True", "appwd=Other123")
    d = net(5, "devfid=delta", "auth=True", "appwd=Same1234")
    net(6, "devfid=eps", "auth=True", "appwd=Other123")
    with a.connect() as s:
        for h in ("beta", "gamma", "delta", "eps"):
            s.cmd("system heartbeat >>" + h)
    assert a.show("con.beta.system") == "<3 heartbeat <3 \n"
    assert a.show("con.gamma.system") == \
        "[intercon] gamma: AuthFailed (the local appwd is not the target's)\n"
    assert a.show("con.delta.system") == \
        "[intercon] delta: asks for a password; not sent (delta is not in icpeers)\n"
    assert a.show("con.eps.system") == "<3 heartbeat <3 \n"
    # delta never saw a password attempt at all
    assert "authentication failed" not in log_text(d)


def test_prompt_must_match_the_host_name(net):
    a = net(2, "hosts=wrongname=%s3" % NET)
    net(3, "devfid=beta")
    with a.connect() as s:
        s.cmd("hello >>wrongname")
    assert a.show("con.wrongname.hello") == \
        "[intercon] prompt mismatch, hostname: wrongname prompt: beta $\n"


def test_cron_on_one_node_drives_a_module_on_another(net):
    net(2, "devfid=alpha", "cron=True", "hosts=beta=%s3" % NET,
        "crontasks=*:*:*:*!robustness create_task 3 10 >>beta")
    b = net(3, "devfid=beta")
    with b.connect() as s:
        assert wait_for(lambda: s.cmd("task show robustness.counter") == "step 3/3\n", 15)
        assert "robustness" in s.cmd("modules")


def test_rest_door_runs_intercon(net):
    wp = free_port()
    a = net(2, "webui=True", "webport=%d" % wp, "hosts=beta=%s3" % NET)
    net(3, "devfid=beta")

    def get(path):
        with urllib.request.urlopen("http://%s:%d%s" % (a.ip, wp, path), timeout=5) as r:
            return json.loads(r.read().decode())

    assert get("/rest/system/heartbeat/>>beta") == {"result": {"con.beta.system": "Starting"}, "state": True}
    assert wait_for(lambda: get("/rest/task/show/con.beta.system")["result"] == "<3 heartbeat <3 ", 8)
    assert get("/rest/system/clock/%3E%3Ebeta")["result"] == {"con.beta.system": "Starting"}


def test_target_busy_answer_is_retried_once_then_reported(net, peers):
    a = net(2)
    p = peers(NET + "5", net.port, mode="busy")
    with a.connect() as s:
        s.cmd("hello >>%s5" % NET)
    assert a.show("con.%s.5.hello" % NET.split(".")[2]) == \
        "[intercon] %s5: Connection is busy\n" % NET
    assert p.conns == 2  # one retry


def test_real_busy_node(net):
    a = net(2, "intercontout=8000", "hosts=beta=%s3" % NET)
    b = net(3, "devfid=beta", "aioqueue=1")
    hold = b.connect()  # takes beta's only client slot
    try:
        with a.connect() as s:
            s.cmd("hello >>beta")
        assert a.show("con.beta.hello", timeout=20) == "[intercon] beta: Connection is busy\n"
    finally:
        hold.close()


def test_garbage_silent_and_dropping_targets(net, peers):
    a = net(2, "intercontout=700")
    o = NET.split(".")[2]
    g = peers(NET + "5", net.port, mode="garbage")
    f = peers(NET + "6", net.port, mode="flood")
    z = peers(NET + "7", net.port, mode="silent")
    d = peers(NET + "8", net.port, mode="drop")
    with a.connect() as s:
        for k in (5, 6, 7, 8):
            assert s.cmd("hello >>%s%d" % (NET, k)).endswith("'Starting'}\n")
    assert a.show("con.%s.5.hello" % o) == \
        "[intercon] %s5: closed without a ShellCli prompt (garbage answer)\n" % NET
    assert a.show("con.%s.6.hello" % o) == \
        "[intercon] %s6: no ShellCli prompt (garbage answer)\n" % NET
    assert a.show("con.%s.7.hello" % o) == \
        "[intercon] %s7: timeout waiting for the prompt (700 ms)\n" % NET
    assert a.show("con.%s.8.hello" % o) == \
        "[intercon] %s8: connection closed before the reply ended\n" % NET
    assert (g.conns, f.conns, z.conns, d.conns) == (2, 1, 2, 2)
    with a.connect() as s:  # the node kept serving through all of it
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_target_down_mid_call(net, peers):
    """The target dies after the prompt, while the command runs: the retry finds it
    gone and the task says so; a real node stopped between calls is refused."""
    a = net(2, "hosts=beta=%s3" % NET)
    b = net(3, "devfid=beta")
    with a.connect() as s:
        s.cmd("hello >>beta")
        assert a.show("con.beta.hello").startswith("hello:beta:")
        b.stop()
        s.cmd("hello >>beta")
    assert a.show("con.beta.hello") == "[intercon] beta (%s3:%d): Connection refused\n" % (NET, a.port)


def test_micros_style_peer_framing_and_auth(net, peers):
    a = net(2, "appwd=Peer1234", "hosts=sim=%s5;sim2=%s6" % (NET, NET), "icpeers=sim;sim2=Wrong123")
    p = peers(NET + "5", net.port, name="sim", pwd="Peer1234")
    q = peers(NET + "6", net.port, name="sim2", pwd="Peer1234")
    with a.connect() as s:
        s.cmd("system heartbeat >>sim")
        s.cmd("system heartbeat >>sim2")
    assert a.show("con.sim.system") == "<3 heartbeat <3 \n"
    # micrOS framing: password and command each in one write, no newline
    assert p.got == [b"Peer1234", b"system heartbeat"]
    assert a.show("con.sim2.system") == \
        "[intercon] sim2: AuthFailed (the icpeers secret is not the target's)\n"
    q.wait_idle()
    assert q.got == [b"Wrong123"] and q.conns == 1  # no retry


def test_1000_calls_queued_at_once_respect_the_task_queue(net, peers):
    a = net(2, "aioqueue=5", "intercontout=5000")
    peers(NET + "7", net.port, mode="silent")
    lines = "".join("m%d f >>%s7\n" % (i, NET) for i in range(1000))
    with a.connect(timeout=30) as s:
        s.send(lines)
        buf = b""
        while buf.count(b" $ ") < 1001:  # greeting already read; 1000 prompts
            chunk = s.sock.recv(1 << 16)
            assert chunk
            buf += chunk
            if buf.count(b" $ ") >= 1000:
                break
        text = buf.decode()
        assert text.count("'Starting'}") == 5
        assert text.count("'[aio] Task queue full: 5'}") == 995
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert s.cmd("task list").count("Yes       con.") == 5
        assert s.cmd("task kill con.*").startswith("Kill: con.")
        assert "con." not in s.cmd("task list")


# ---- icpeers: who gets a password ---------------------------------------------

def log_text(node):
    """Everything the node logged: its log files and its console (stderr)."""
    out = b""
    for root, _, files in os.walk(node.state):
        for f in files:
            if f.endswith(".log") or ".log." in f:
                with open(os.path.join(root, f), "rb") as fh:
                    out += fh.read()
    return out.decode(errors="replace")


def ic_tag(host, cmd):
    """The task tag micrOS gives `cmd >>host` (IP: its last two octets)."""
    who = ".".join(host.split(".")[2:]) if host[0].isdigit() else host.split(".")[0]
    return "con.%s.%s" % (who, cmd.split()[0])


def ic_call(node, host, cmd="hello"):
    with node.connect() as s:
        assert s.cmd("%s >>%s" % (cmd, host)) == "{'%s': 'Starting'}\n" % ic_tag(host, cmd)
    return node.show(ic_tag(host, cmd))


def not_sent(host):
    return "[intercon] %s: asks for a password; not sent (%s is not in icpeers)\n" % (host, host)


MINE = "Mine1234"  # the calling node's appwd in these tests


def test_default_icpeers_sends_no_password_to_a_peer_that_asks(net, peers):
    a = net(2, "appwd=" + MINE)
    trap = peers(NET + "5", net.port, mode="trap", name="x")
    assert ic_call(a, NET + "5") == not_sent(NET + "5")
    trap.wait_idle()
    assert trap.got == [] and trap.conns == 1  # nothing sent, no retry
    logs = log_text(a)
    warn = "[WARN] [intercon] %s: asks for a password; not sent" % (NET + "5")
    assert logs.count(warn) == 2, logs  # one record, in its log file and on the console
    assert MINE not in logs
    with a.connect() as s:
        assert "err:[intercon] %s: asks for a password" % (NET + "5") in s.cmd("task stats")


@pytest.mark.parametrize("policy, sent", [
    ("{trap}=Other123x", b"Other123x"),     # the per-peer secret, not appwd
    ("{trap}", MINE.encode()),               # listed by IP: appwd
    (" beta ; {trap} ;", MINE.encode()),     # in a list, spaces ignored
    ("*", MINE.encode()),                    # micrOS behaviour: anyone asking
    ("beta=Other123x;*", MINE.encode()),     # * for the rest
    ("beta;{other}=Other123x", None),        # a list naming other hosts only
])
def test_icpeers_decides_what_a_peer_gets(net, peers, policy, sent):
    policy = policy.format(trap=NET + "5", other=NET + "6")
    a = net(2, "appwd=" + MINE, "icpeers=" + policy)
    trap = peers(NET + "5", net.port, mode="trap", name="x")
    out = ic_call(a, NET + "5")
    trap.wait_idle()
    if sent is None:
        assert out == not_sent(NET + "5")
        assert trap.got == []
    else:
        assert out.startswith("hello:x:micr"), out
        assert trap.got == [sent, b"hello"]
    assert "Other123x" not in log_text(a)


def test_icpeers_matches_the_host_as_the_caller_wrote_it(net, peers):
    a = net(2, "appwd=" + MINE, "hosts=trap=%s5" % NET, "icpeers=TRAP=Other123x")
    trap = peers(NET + "5", net.port, mode="trap", name="trap")
    assert ic_call(a, "trap").startswith("hello:trap:micr")  # any case
    trap.wait_idle()
    assert trap.got == [b"Other123x", b"hello"]
    # the same peer by its address is another host as written: not listed
    assert ic_call(a, NET + "5") == not_sent(NET + "5")
    trap.wait_idle()
    assert trap.got == [b"Other123x", b"hello"] and trap.conns == 2


def test_retry_does_not_follow_a_changed_address(net, peers):
    """The name is re-pointed (hosts) while the first attempt waits; the retry
    dials the address resolved first, so the trap at the new address gets no
    connection and no password. The next call resolves afresh."""
    a = net(2, "appwd=" + MINE, "hosts=trap=%s5" % NET, "icpeers=trap", "intercontout=8000")
    gate = peers(NET + "5", net.port, mode="gate")
    trap = peers(NET + "6", net.port, mode="trap", name="trap")
    with a.connect() as s:
        assert s.cmd("hello >>trap") == "{'con.trap.hello': 'Starting'}\n"
        assert wait_for(lambda: gate.conns == 1, 8)
        s.cmd("conf")
        assert s.cmd("hosts trap=%s6" % NET) == "Saved\n"
        s.cmd("noconf")
    gate.gate.set()  # the first attempt ends without a prompt: retried
    assert a.show("con.trap.hello", timeout=20) == \
        "[intercon] trap: connection closed before the prompt\n"
    assert gate.conns == 2 and trap.conns == 0
    assert ic_call(a, "trap").startswith("hello:trap:micr")
    trap.wait_idle()
    assert trap.got == [MINE.encode(), b"hello"]


def test_icpeers_is_a_checked_secret(net):
    wp = free_port()
    a = net(2, "webui=True", "webport=%d" % wp, "appwd=" + MINE, "icpeers=beta=Other123x")
    req = urllib.request.Request("http://%s:%d/config" % (a.ip, wp), headers={"x-micros-auth": MINE})
    with urllib.request.urlopen(req, timeout=5) as r:
        body = r.read().decode()
    assert "devfid" in body and "icpeers" not in body and "Other123x" not in body
    with a.connect() as s:
        s.cmd("conf")
        for bad, why in (("beta=", "icpeers entry 1: empty secret after ="),
                         ("*=Other123x", "icpeers entry 1: * takes no secret"),
                         ("beta;bad!name", "icpeers entry 2: a name may only contain"),
                         ("beta=two words", "icpeers entry 1: a secret may only hold printable"),
                         ("beta;BETA", "icpeers entry 2: BETA is listed twice"),
                         ("x" * 1100, "icpeers may be at most 1024 characters")):
            out = s.cmd("icpeers " + bad)
            assert why in out and out.endswith("Failed to save\n"), out
            assert "Other123x" not in out
        assert s.cmd("icpeers gamma;delta=Zz12345") == "Saved\n"
        s.cmd("noconf")
    assert "Zz12345" not in log_text(a) and "Other123x" not in log_text(a)


# ---- network namespaces -------------------------------------------------------

def sh(*args, check=True):
    return subprocess.run(args, capture_output=True, text=True, check=check)


@pytest.fixture
def netns(tmp_path):
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2")
    tag = "ic%d" % (os.getpid() % 100000)
    br, names = tag + "br", [tag + "a", tag + "b"]
    procs = []
    try:
        sh("ip", "netns", "add", br)
        sh("ip", "-n", br, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", br, "link", "set", "br0", "up")
        for i, ns in enumerate(names):
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
            sh("ip", "link", "add", "v%d%s" % (i, tag), "netns", ns, "type", "veth",
               "peer", "name", "p%d" % i, "netns", br)
            sh("ip", "-n", ns, "link", "set", "v%d%s" % (i, tag), "name", "eth0")
            sh("ip", "-n", ns, "addr", "add", "10.77.0.%d/24" % (i + 1), "dev", "eth0")
            sh("ip", "-n", ns, "link", "set", "eth0", "up")
            sh("ip", "-n", br, "link", "set", "p%d" % i, "master", "br0")
            sh("ip", "-n", br, "link", "set", "p%d" % i, "up")
            # `ip netns exec` bind-mounts /etc/netns/<ns>/hosts over /etc/hosts
            os.makedirs("/etc/netns/" + ns, exist_ok=True)
            with open("/etc/netns/%s/hosts" % ns, "w") as f:
                f.write("127.0.0.1 localhost\n10.77.0.1 alpha\n10.77.0.2 beta\n")

        def run(i, *sets):
            st = tmp_path / ("ns%d" % i)
            os.makedirs(st, exist_ok=True)
            args = ["ip", "netns", "exec", names[i], NODUS_BIN, "run", "--state", str(st),
                    "--set", "socport=9008"] + sum((["--set", x] for x in BASE + sets), [])
            log = open(st / "stderr.log", "ab")
            p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
            procs.append((p, log, st))
            return p

        def cli(i, *cmds):
            r = subprocess.run(["ip", "netns", "exec", names[i], NODUS_BIN, "exec", "127.0.0.1:9008"]
                               + list(cmds), capture_output=True, text=True, timeout=20)
            assert r.returncode == 0, r.stderr
            return r.stdout

        run.cli = cli
        yield run
    finally:
        for p, log, st in procs:
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
            log.close()
            if SANITIZED:
                with open(st / "stderr.log", "rb") as f:
                    assert b"Sanitizer" not in f.read()
        for ns in names + [br]:
            sh("ip", "netns", "del", ns, check=False)
            shutil.rmtree("/etc/netns/" + ns, ignore_errors=True)


def test_nodes_in_network_namespaces(netns):
    netns(0, "devfid=alpha", "cron=True", "crontasks=*:*:*:*!robustness create_task 2 10 >>beta",
          "icpeers=10.77.0.2")
    netns(1, "devfid=beta", "auth=True", "appwd=Same1234")
    for _ in range(100):
        try:
            netns.cli(0, "version")
            netns.cli(1, "hello")
            break
        except AssertionError:
            time.sleep(0.1)
    # the name resolves (/etc/hosts of the namespace, through the port's
    # resolver) and beta answers with its prompt, but "beta" as written is not
    # in alpha's icpeers: no password goes (nor from the cron's calls)
    assert netns.cli(0, "system heartbeat >>beta") == "{'con.beta.system': 'Starting'}\n"
    assert wait_for(lambda: "beta: asks for a password; not sent"
                    in netns.cli(0, "task show con.beta.system"), 8)
    # by address beta is listed, and alpha's appwd is not beta's yet
    assert netns.cli(0, "hello >>10.77.0.2") == "{'con.0.2.hello': 'Starting'}\n"
    assert wait_for(lambda: "AuthFailed" in netns.cli(0, "task show con.0.2.hello"), 8)
    assert netns.cli(0, "conf", "appwd Same1234", "icpeers beta;10.77.0.2") == "Saved\nSaved\n"
    assert netns.cli(0, "hello >>10.77.0.2") == "{'con.0.2.hello': 'Starting'}\n"
    ok = wait_for(lambda: netns.cli(0, "task show con.0.2.hello").startswith("hello:beta:micr"), 8)
    assert ok, netns.cli(0, "task list")
    netns.cli(0, "system heartbeat >>beta")
    assert wait_for(lambda: netns.cli(0, "task show con.beta.system") == "<3 heartbeat <3 \n", 8)
    assert "'beta': '10.77.0.2'" in netns.cli(0, "system hosts")
    # alpha's cron drives a module on beta, across the bridge
    assert wait_for(lambda: netns.cli(1, "--pwd", "Same1234", "task show robustness.counter")
                    == "step 2/2\n", 15)
