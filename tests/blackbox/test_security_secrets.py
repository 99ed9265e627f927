"""Security: no secret in logs or events.

The current value of every secret config key (appwd, stapwd ...) is masked
as **** wherever a line leaves the node: the log files under logs/, the
console (stderr) and the /events stream -- whichever way the password got
into the text: a boothook after $pwd substitution, a conf-mode change, a
line typed in the shell. The rest of each line is still there.
"""
import os
import socket
import time

from test_web import wait_port
from conftest import free_port

BOOT_PWD = "Zq7Secr3t"


def all_output(n):
    """Every log file of the node, and its console, as one byte string."""
    out = b""
    for root, dirs, files in os.walk(n.path("logs")):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                out += fh.read()
    with open(n.path("stderr.log"), "rb") as fh:
        out += fh.read()
    return out


def wait_in_logs(n, needle, timeout=10):
    deadline = time.time() + timeout
    while needle not in all_output(n):
        assert time.time() < deadline, "%r never logged: %r" % (needle, all_output(n)[-2000:])
        time.sleep(0.05)


class RawEvents:
    """The /events stream as raw bytes (every byte a client could see)."""

    def __init__(self, port, pwd, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        # the password header: harmless when /events needs no auth
        self.sock.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\nx-micros-auth: %s\r\n"
                          b"Accept: text/event-stream\r\n\r\n" % pwd.encode())
        self.raw = b""
        self.wait_for(b"\r\n\r\n")
        assert self.raw.startswith(b"HTTP/1.1 200"), self.raw[:200]

    def wait_for(self, needle, timeout=10):
        deadline = time.time() + timeout
        while needle not in self.raw:
            left = deadline - time.time()
            assert left > 0, "%r never came: %r" % (needle, self.raw[-2000:])
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            assert chunk, "stream closed: %r" % self.raw[-2000:]
            self.raw += chunk

    def close(self):
        self.sock.close()


def test_boothook_pwd_is_masked(make_node):
    n = make_node("appwd=%s" % BOOT_PWD,
                  "boothook=system nofunc $pwd;system nofunc2 %s;system clock" % BOOT_PWD)
    wait_in_logs(n, b"nofunc2")
    logs = all_output(n)
    assert BOOT_PWD.encode() not in logs
    # the rest of each line is still logged
    assert b"[WARN] exec_lm_pipe: system nofunc '****' (boothook): Core error" in logs
    assert b"[WARN] exec_lm_pipe: system nofunc2 **** (boothook): Core error" in logs
    assert b"[BOOT] boothook: system nofunc $pwd;system nofunc2 ****;system clock" in logs


def test_conf_and_shell_secrets_are_masked(make_node):
    wp = free_port()
    n = make_node("webui=True", "webport=%d" % wp, "cron=True")
    wait_port(wp)
    ev = RawEvents(wp, "ADmin123")
    try:
        with n.connect() as s:
            # typed in the shell: a function given the password
            assert "unexpected keyword" in s.cmd("system clock pwd='ADmin123'")
            assert s.cmd("system clock 'ADmin123' &") == "{'system.clock': 'Starting'}\n"
            s.cmd("conf")
            # a value holding the password: the cron error line quotes it
            assert s.cmd("crontasks bogus ADmin123 entry1") == "Saved\n"
            ev.wait_for(b"entry1")
            # a new password: from now on that one is masked
            assert s.cmd("appwd NewPass12") == "Saved\n"
            ev.wait_for(b'{"what": "config", "keys": ["appwd"]}')
            assert s.cmd("crontasks bogus NewPass12 entry2") == "Saved\n"
            assert s.cmd("stapwd MyWifiPw9") == "Saved\n"
            assert s.cmd("crontasks bogus MyWifiPw9 entry3") == "Saved\n"
            ev.wait_for(b"entry3")
        wait_in_logs(n, b"entry3")
        logs = all_output(n)
        for pwd in (b"ADmin123", b"NewPass12", b"MyWifiPw9"):
            assert pwd not in ev.raw, pwd
            assert pwd not in logs, pwd
        for i in (1, 2, 3):
            line = b"cron #0 'bogus **** entry%d': missing '!'" % i
            assert line in logs, line
            assert line in ev.raw, line
        # config events name the key, never its value
        assert b'{"what": "config", "keys": ["stapwd"]}' in ev.raw
    finally:
        ev.close()
