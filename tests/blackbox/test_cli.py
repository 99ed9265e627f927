"""`nodus exec` and `nodus connect`: the client side of ShellCli, against real nodes."""
import os
import socket
import subprocess
import threading
import time

import pexpect
import pytest

from conftest import NODUS_BIN


def run_cli(*args, stdin=None, env=None, timeout=20):
    e = dict(os.environ)
    e.pop("NODUS_PWD", None)
    if env:
        e.update(env)
    return subprocess.run([NODUS_BIN] + list(args), input=stdin, capture_output=True,
                          timeout=timeout, env=e)


def addr(node):
    return "127.0.0.1:%d" % node.port


# ---- exec -------------------------------------------------------------------------------------

def test_exec_prints_each_reply_in_order(node):
    r = run_cli("exec", addr(node), "hello", "version", "system heartbeat", "robustness raise_error")
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode().split("\n")
    assert out[0].startswith("hello:node01:micr")
    assert out[1].count(".") == 2 and "-" in out[1]
    assert out[2] == "<3 heartbeat <3"
    assert out[3] == "Core error: LM_robustness->raise_error: Test exception"
    assert out[4:] == [""]  # nothing else: no prompt in the output


def test_exec_reads_commands_from_stdin(node):
    r = run_cli("exec", addr(node), stdin=b"# a comment\nsystem heartbeat\n\nhello\n")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "<3 heartbeat <3" and lines[1].startswith("hello:node01:")
    assert len(lines) == 2


def test_exec_follows_conf_mode_prompt(node):
    r = run_cli("exec", addr(node), "conf", "devfid", "noconf", "system heartbeat")
    assert r.returncode == 0, r.stderr
    assert "node01" in r.stdout.decode()
    assert r.stdout.decode().rstrip().endswith("<3 heartbeat <3")


def test_exec_json_and_multiline_reply(node):
    r = run_cli("exec", addr(node), "help lm")
    assert r.returncode == 0
    text = r.stdout.decode()
    assert "[MICROS]" in text and "  system\n" in text and text.count("\n") > 20


def test_exec_exit_command_is_not_an_error(node):
    r = run_cli("exec", addr(node), "system heartbeat", "exit")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "<3 heartbeat <3\nBye!\n"


def test_exec_connection_refused_exits_2():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nobody listens there now
    r = run_cli("exec", "127.0.0.1:%d" % port, "hello")
    assert r.returncode == 2
    assert b"cannot connect" in r.stderr


@pytest.mark.parametrize("target", ["127.0.0.1:0", "127.0.0.1:99999", "127.0.0.1:x", ":9008",
                                    "[::1", "no-such-host.invalid"])
def test_exec_bad_address(target):
    r = run_cli("exec", target, "hello")
    assert r.returncode == 2
    assert r.stderr


def test_exec_usage_errors():
    assert run_cli("exec").returncode == 1
    assert run_cli("exec", "127.0.0.1", "--timeout", "-1", "hello").returncode == 1


def test_exec_times_out_on_a_silent_peer():
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    try:
        t0 = time.time()
        r = run_cli("exec", "127.0.0.1:%d" % port, "--timeout", "0.5", "hello")
        assert r.returncode == 2
        assert b"no prompt in time" in r.stderr
        assert time.time() - t0 < 5
    finally:
        ls.close()


def test_exec_peer_closes_mid_session(node):
    """The node dies between commands: exit code 2, what arrived is printed."""
    r = subprocess.Popen([NODUS_BIN, "exec", addr(node)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    r.stdin.write(b"system heartbeat\n")
    r.stdin.flush()
    time.sleep(0.3)
    node.stop()
    r.stdin.write(b"hello\n")
    out, err = r.communicate(timeout=10)
    assert r.returncode == 2
    assert out.startswith(b"<3 heartbeat <3\n")


# ---- auth -------------------------------------------------------------------------------------

PWD = "Secret123"


@pytest.fixture
def auth_node(make_node):
    return make_node("auth=True", "appwd=%s" % PWD)


def test_exec_with_password(auth_node):
    r = run_cli("exec", addr(auth_node), "--pwd", PWD, "system heartbeat")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "<3 heartbeat <3\n"  # AuthOk is not part of the output


def test_exec_password_from_environment(auth_node):
    r = run_cli("exec", addr(auth_node), "system heartbeat", env={"NODUS_PWD": PWD})
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "<3 heartbeat <3\n"


def test_exec_wrong_password_exits_3(auth_node):
    r = run_cli("exec", addr(auth_node), "--pwd", "Wrong1234", "system heartbeat")
    assert r.returncode == 3
    assert b"AuthFailed" in r.stderr
    assert r.stdout == b""


def test_exec_missing_password_exits_3(auth_node):
    r = run_cli("exec", addr(auth_node), "system heartbeat")
    assert r.returncode == 3
    assert b"--pwd" in r.stderr


# ---- busy -------------------------------------------------------------------------------------

def test_exec_busy_node_exits_3(make_node):
    n = make_node("aioqueue=1", "soctout=30")
    with n.connect() as s:  # holds the only slot, and is not idle long enough to be evicted
        t0 = time.time()
        r = run_cli("exec", addr(n), "hello")
        assert r.returncode == 3
        assert b"Connection is busy" in r.stderr
        assert 4.5 < time.time() - t0 < 10
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_exec_waits_for_a_slot_to_free(make_node):
    n = make_node("aioqueue=1")
    s = n.connect()
    threading.Timer(1.0, s.close).start()
    r = run_cli("exec", addr(n), "system heartbeat")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"<3 heartbeat <3\n"


# ---- connect ----------------------------------------------------------------------------------

def test_connect_with_piped_input(node):
    r = run_cli("connect", addr(node), stdin=b"system heartbeat\n\nhello\n")
    assert r.returncode == 0, r.stderr
    text = r.stdout.decode()
    assert "node01 $ <3 heartbeat <3\n" in text
    assert "hello:node01:" in text


def spawn_connect(node, tmp_path, *extra):
    env = dict(os.environ, XDG_STATE_HOME=str(tmp_path / "xdg"), TERM="xterm")
    env.pop("NODUS_PWD", None)
    return pexpect.spawn(NODUS_BIN, ["connect", addr(node)] + list(extra), env=env, timeout=10)


def test_connect_interactive_line_editing_and_history(node, tmp_path):
    p = spawn_connect(node, tmp_path)
    p.expect_exact("node01 $ ")
    p.sendline("system heartbeat")
    p.expect_exact("<3 heartbeat <3")
    p.expect_exact("node01 $ ")
    # line editing: type, erase a word's tail with backspaces, finish it
    p.send("helXX\x7f\x7flo\r")
    p.expect("hello:node01:micr")
    p.expect_exact("node01 $ ")
    # an empty line is not sent (micrOS would read it as exit)
    p.sendline("")
    p.expect_exact("node01 $ ")
    # history: up twice recalls `system heartbeat`
    p.send("\x1b[A\x1b[A\r")
    p.expect_exact("<3 heartbeat <3")
    p.expect_exact("node01 $ ")
    p.sendline("exit")
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    with open(tmp_path / "xdg" / "nodus_history") as f:
        hist = f.read().replace("\\040", " ")  # libedit's history file escapes blanks
    assert "system heartbeat" in hist and "hello" in hist


def test_connect_history_survives_sessions(node, tmp_path):
    p = spawn_connect(node, tmp_path)
    p.expect_exact("node01 $ ")
    p.sendline("system uptime")
    p.expect_exact("node01 $ ")
    p.sendeof()
    p.expect(pexpect.EOF)
    p.close()
    assert p.exitstatus == 0
    p = spawn_connect(node, tmp_path)
    p.expect_exact("node01 $ ")
    p.send("\x1b[A\r")  # last command of the previous session
    p.expect(r"\d+:\d\d:\d\d:\d\d|\d+")
    p.expect_exact("node01 $ ")
    p.sendeof()
    p.expect(pexpect.EOF)


def test_connect_asks_for_the_password_without_echo(auth_node, tmp_path):
    p = spawn_connect(auth_node, tmp_path)
    p.expect_exact("Password: ")
    p.sendline(PWD)
    p.expect_exact("node01 $ ")
    assert PWD.encode() not in p.before
    p.sendline("system heartbeat")
    p.expect_exact("<3 heartbeat <3")
    p.sendline("exit")
    p.expect(pexpect.EOF)


def test_connect_to_nothing_exits_2(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    r = run_cli("connect", "127.0.0.1:%d" % port)
    assert r.returncode == 2


# ---- against a micrOS-style peer -----------------------------------------------------------------

class MicrosPeer:
    """A socket peer that frames like micrOS's Server.py (docs/micros-compat.md §2.1-2.3, §2.9): one read is
    one command, stripped; replies end with the prompt; auth prompt `[password] `. It is a wire
    stand-in for a MicroPython node, which cannot run here."""

    def __init__(self, pwd=None):
        self.ls = socket.socket()
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(4)
        self.port = self.ls.getsockname()[1]
        self.pwd = pwd
        self.got = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        c, _ = self.ls.accept()
        authed = self.pwd is None
        prompt = lambda: (b"" if authed else b"[password] ") + b"sim $ "
        c.sendall(prompt())
        while True:
            data = c.recv(2048)
            if not data:
                return
            cmd = data.decode().strip()
            self.got.append(data)
            if cmd in ("", "exit"):
                c.sendall(b"Bye!\n")
                c.close()
                return
            if not authed:
                if cmd.split()[0] == self.pwd:
                    authed = True
                    c.sendall(b"AuthOk\n" + prompt())
                else:
                    c.sendall(b"AuthFailed\nBye!\n" + prompt() + b"Bye!\n")
                    c.close()
                    return
                continue
            if cmd == "system heartbeat":
                c.sendall(b"<3 heartbeat <3\n" + prompt())
            elif cmd == "version":
                c.sendall(b"3.3.1-0\n" + prompt())
            else:
                c.sendall(b"Shell: for hints type help.\nShell: for LM exec: [1](LM)module "
                          b"[2]function [3...]optional params\n" + prompt())


def test_exec_against_a_micros_style_peer():
    peer = MicrosPeer()
    r = run_cli("exec", "127.0.0.1:%d" % peer.port, "version", "system heartbeat", "Apple")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines() == [
        "3.3.1-0", "<3 heartbeat <3", "Shell: for hints type help.",
        "Shell: for LM exec: [1](LM)module [2]function [3...]optional params"]
    assert peer.got[:3] == [b"version\n", b"system heartbeat\n", b"Apple\n"]


def test_exec_against_a_micros_style_peer_with_auth():
    peer = MicrosPeer(pwd="Pass1234")
    r = run_cli("exec", "127.0.0.1:%d" % peer.port, "--pwd", "Pass1234", "version")
    assert r.returncode == 0, r.stderr
    assert r.stdout == b"3.3.1-0\n"
    peer = MicrosPeer(pwd="Pass1234")
    r = run_cli("exec", "127.0.0.1:%d" % peer.port, "--pwd", "Wrong999", "version")
    assert r.returncode == 3
