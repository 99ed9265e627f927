"""The telnet door: nsh behind a real login (README "Where nsh runs", "Security").

Real node processes on loopback; clients are raw sockets speaking telnet
(tnclient.py), and the real `telnet` and `nc` programs driven by pexpect.
"""
import os
import shutil
import socket
import threading
import time

import pexpect
import pytest

from conftest import NODUS_BIN, Session, free_port
from tnclient import DO, IAC, IP, PASSWORD, PROMPT, SB, SE, WILL, WONT, Telnet

ECHO, SGA = 1, 3


def tnode(make_node, *sets, auth=True):
    port = free_port()
    n = make_node("telnet=True", "telnetport=%d" % port, "auth=%s" % auth, *sets)
    n.tport = port
    return n


def log_text(n):
    text = ""
    for name in sorted(os.listdir(n.path("logs"))):
        with open(n.path("logs", name), errors="replace") as f:
            text += f.read()
    return text


def test_telnet_is_off_by_default(make_node):
    n = make_node("telnetport=%d" % free_port())
    port = int([s.split("=")[1] for s in n.sets if s.startswith("telnetport")][0])
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), 1).close()


def test_login_ok_runs_nsh_and_module_calls(make_node):
    n = tnode(make_node)
    with Telnet(n.tport, answer=False) as t:  # silent on offers, as nc
        t.login()
        t.expect("nsh on node01")
        t.prompt()
        # the password was typed with the node's ECHO and SGA on, then both off
        verbs = [(v, o) for v, o in t.cmds if o in (ECHO, SGA)]
        assert verbs[:2] == [(WILL, ECHO), (WILL, SGA)] and (WONT, ECHO) in verbs, verbs
        assert t.cmd("echo hello world") == "hello world\n"
        assert t.cmd("system heartbeat") == "<3 heartbeat <3\n"
        t.line("exit")
        assert b"logout" in t.read_until_close()
    assert "telnet: admin logged in from 127.0.0.1" in log_text(n)


def test_wrong_password_is_refused_then_closed(make_node):
    n = tnode(make_node)
    with Telnet(n.tport) as t:
        for i in range(3):
            t.login(pw="wrong%d" % i)
            t0 = time.time()
            t.expect("Login incorrect")
            assert time.time() - t0 >= 0.4  # the answer is held back (ND_AUTH_FAIL_DELAY_MS)
        rest = t.read_until_close()
        assert b"nsh on" not in rest and b"$ " not in rest


def test_lockout_holds_and_other_peers_are_unaffected(make_node):
    n = tnode(make_node, "authlock_s=60")
    bad, good = "127.0.0.7", "127.0.0.8"
    fails = 0
    while fails < 5:
        with Telnet(n.tport, src=bad) as t:
            for _ in range(min(3, 5 - fails)):
                t.login(pw="nope")
                t.expect("Login incorrect")
                fails += 1
    # the right password from the locked address: refused, on every door
    with Telnet(n.tport, src=bad) as t:
        t.login()
        t.expect("Login incorrect")
        assert b"nsh on" not in t.read_until_close()
    s = socket.socket()
    s.bind((bad, 0))
    s.settimeout(5)
    s.connect(("127.0.0.1", n.port))
    s.recv(1024)
    s.sendall(PASSWORD.encode())
    assert s.recv(1024).startswith(b"AuthFailed")
    s.close()
    # another address logs in at once
    with Telnet(n.tport, src=good) as t:
        t.shell()
        assert t.cmd("echo fine") == "fine\n"
    assert log_text(n).count("auth: 127.0.0.7 locked out for 60 s") == 1


def test_salted_hash_on_disk_not_plain(make_node):
    a = tnode(make_node)
    b = tnode(make_node)
    recs = []
    for n in (a, b):
        with open(n.path("config", ".appwd.hash")) as f:
            rec = f.read().strip()
        algo, it, salt, key = rec.split("$")
        assert algo == "pbkdf2-sha256" and int(it) >= 1000 and len(salt) == 32 and len(key) == 64
        assert PASSWORD not in rec and PASSWORD.encode().hex() not in rec
        recs.append(rec)
    assert recs[0] != recs[1]  # same password, different salt
    # a new appwd: a new verifier; the new password opens telnet, the old one does not
    with a.connect() as s:
        s.cmd(PASSWORD)
        s.cmd("conf")
        s.cmd("appwd NEWpass42")
        s.cmd("noconf")
    with open(a.path("config", ".appwd.hash")) as f:
        rec = f.read().strip()
    assert rec != recs[0] and "NEWpass42" not in rec
    with Telnet(a.tport, src="127.0.0.20") as t:
        t.login(pw=PASSWORD)
        t.expect("Login incorrect")
    with Telnet(a.tport, src="127.0.0.21") as t:
        t.shell(pw="NEWpass42")
    # a verifier that does not match appwd (edited by hand) is derived again at start
    a.stop()
    with open(a.path("config", ".appwd.hash"), "w") as f:
        f.write("pbkdf2-sha256$2048$" + "0" * 32 + "$" + "0" * 64 + "\n")
    a.start()
    with Telnet(a.tport, src="127.0.0.22") as t:
        t.shell(pw="NEWpass42")


def test_auth_off_needs_no_login(make_node):
    n = tnode(make_node, auth=False)
    with Telnet(n.tport) as t:
        t.expect("auth is off")
        t.expect("nsh on ")
        t.prompt()
        assert t.cmd("echo open") == "open\n"


def test_100_connections_at_once_are_bounded_by_slots(make_node):
    n = tnode(make_node, "aioqueue=5")
    socks = []
    for i in range(100):
        s = socket.create_connection(("127.0.0.1", n.tport), 5)
        s.settimeout(10)
        socks.append(s)
    results = [None] * len(socks)

    def read(i):
        buf = b""
        try:
            while True:
                chunk = socks[i].recv(4096)
                if not chunk:
                    break
                buf += chunk
                if b"login: " in buf or b"busy" in buf:
                    break
        except OSError:
            pass
        results[i] = buf

    th = [threading.Thread(target=read, args=(i,)) for i in range(len(socks))]
    for t in th:
        t.start()
    for t in th:
        t.join(15)
    admitted = sum(1 for r in results if r and b"login: " in r)
    busy = sum(1 for r in results if r and b"Connection is busy" in r)
    assert admitted == 5 and busy == 95, (admitted, busy)
    for s in socks:
        s.close()
    # the slots come back: a new client logs in
    deadline = time.time() + 5
    while True:
        try:
            with Telnet(n.tport) as t:
                t.shell()
                assert t.cmd("echo back") == "back\n"
            break
        except AssertionError:
            if time.time() > deadline:
                raise
            time.sleep(0.2)
    assert n.alive()


def test_option_garbage_is_survived(make_node):
    n = tnode(make_node)
    with Telnet(n.tport, answer=False) as t:
        t.expect("login: ")
        junk = bytearray()
        for o in range(256):  # every option, every verb
            junk += bytes([IAC, DO, o, IAC, WILL, o, IAC, WONT, o, IAC, 254, o])
        junk += bytes([IAC, SB, 24]) + os.urandom(100000).replace(b"\xff", b"") + bytes([IAC, SE])
        junk += bytes([IAC, 17, IAC, 200, IAC, IAC])  # unknown commands, a data 0xff
        t.send(bytes(junk))
        time.sleep(0.5)
        t.send(b"\r\n")  # whatever the garbage typed as a login name is dropped
        t.until(lambda x: x.count(b"login: ") or b"Password: " in x)
        # the node answered each enable request once at most: no negotiation loop
        replies = [c for c in t.cmds if c[1] is not None]
        assert len(replies) <= 2 * 256 + 8, len(replies)
    # the door still works, for this client and others
    with Telnet(n.tport) as t:
        t.shell()
        t.send(bytes([IAC, DO, 200, IAC, WILL, 31, IAC, SB, 31, 0, 80, 0, 24, IAC, SE]))
        assert t.cmd("echo after garbage") == "after garbage\n"
    assert n.alive()


def test_idle_timeout_but_not_while_a_command_runs(make_node):
    n = tnode(make_node, "telnetidle_s=2")
    with Telnet(n.tport) as t:
        t.shell()
        t0 = time.time()
        out = t.read_until_close(8)
        assert b"idle timeout" in out and time.time() - t0 >= 1.5
    with Telnet(n.tport) as t:
        t.shell()
        assert t.cmd("sleep 3.5; echo woke", timeout=8) == "woke\n"  # running is not idle


def test_each_session_has_its_own_cwd_env_and_status(make_node):
    n = tnode(make_node)
    with Telnet(n.tport) as a, Telnet(n.tport) as b:
        a.shell()
        b.shell()
        a.cmd("cd /etc")
        a.cmd("export ONLY_A=1")
        a.cmd("test -f /no/such/file")
        assert a.cmd("pwd") == "/etc\n"
        assert b.cmd("pwd") == "/\n"
        assert "ONLY_A" in a.cmd("env") and "ONLY_A" not in b.cmd("env")
        a.cmd("test -f /no/such/file")
        assert a.cmd("echo $?") == "1\n"
        assert b.cmd("echo $?") == "0\n"


def test_ctrl_c_interrupts_the_foreground_command(make_node):
    n = tnode(make_node)
    with Telnet(n.tport) as t:
        t.shell()
        t.line("sleep 100")
        time.sleep(0.3)
        t0 = time.time()
        t.send(bytes([IAC, IP]))
        t.prompt(5)
        assert time.time() - t0 < 5
        t.line("sleep 100")
        time.sleep(0.3)
        t.send(b"\x03")  # a raw ^C byte (character-mode clients, nc)
        t.prompt(5)
        assert t.cmd("echo alive") == "alive\n"


def test_output_is_bounded_when_the_client_does_not_read(make_node):
    n = tnode(make_node)
    os.makedirs(n.path("data"), exist_ok=True)
    with open(n.path("data", "big.txt"), "wb") as f:
        f.write((b"x" * 99 + b"\n") * 200000)  # 20 MB
    rss0 = n.rss_kb()
    with Telnet(n.tport) as t:
        t.shell()
        t.line("cat /data/big.txt")
        time.sleep(2)  # not reading
        with n.connect() as s:  # the node answers meanwhile
            s.cmd(PASSWORD)
            assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert n.rss_kb() - rss0 < 4096, (rss0, n.rss_kb())
        got, tail = 0, b""
        while t.pump(10):
            data, t.text = t.text, b""
            got += data.count(b"\n")
            tail = (tail + data)[-200:]
            if PROMPT.search(tail):
                break
        assert got >= 199000, got


@pytest.mark.skipif(not shutil.which("nc"), reason="nc (netcat-openbsd) not installed")
def test_nc_client(make_node):
    n = tnode(make_node)
    p = pexpect.spawn("nc", ["127.0.0.1", str(n.tport)], timeout=5)
    try:
        p.expect("login: ")
        p.sendline("admin")
        p.expect("Password: ")
        p.sendline(PASSWORD)
        p.expect("nsh on ")
        p.expect(r" \$ ")
        p.sendline("echo via-nc")
        p.expect("via-nc")
        p.expect(r"\$ ")
        p.sendline("exit")
        p.expect("logout")  # the node closed; nc itself waits for its stdin
    finally:
        p.close(force=True)


@pytest.mark.skipif(not shutil.which("telnet"), reason="telnet not installed")
def test_telnet_client(make_node):
    n = tnode(make_node)
    p = pexpect.spawn("telnet", ["127.0.0.1", str(n.tport)], timeout=5)
    try:
        p.expect("login: ")
        p.sendline("admin")
        p.expect("Password: ")
        p.sendline(PASSWORD)
        p.expect("nsh on ")
        # the terminal never showed the password: ECHO was the node's, and it echoed nothing
        assert PASSWORD.encode() not in p.before
        p.expect(r" \$ ")
        p.sendline("echo via-telnet")
        p.expect("via-telnet")
        p.expect(r" \$ ")
        p.sendline("sleep 100")
        time.sleep(0.5)
        p.sendcontrol("c")  # telnet sends IAC IP: the command stops, not the session
        p.expect(r" \$ ", timeout=5)
        p.sendline("echo still-here")
        p.expect("still-here")
        p.sendline("exit")
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)
