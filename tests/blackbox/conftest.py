"""Black-box test harness: real node processes on loopback.

Every test gets its own state directory and free ports, starts `nodus run`
as a child process (NODUS_BIN, default build/nodus) and talks to it over TCP
exactly as micrOS clients do. Nothing is mocked.
"""
import json
import os
import signal
import socket
import subprocess
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NODUS_BIN = os.environ.get("NODUS_BIN", os.path.join(ROOT, "build", "nodus"))
SANITIZED = os.environ.get("ND_SANITIZED") == "1"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Node:
    """A running node: its process, state dir and shell port."""

    def __init__(self, state, port, sets=(), env=None):
        self.state = str(state)
        self.port = port
        self.sets = list(sets)
        self.env = env
        self.proc = None

    def start(self, wait=True):
        args = [NODUS_BIN, "run", "--state", self.state, "--set", "bind=127.0.0.1",
                "--set", "socport=%d" % self.port]
        for s in self.sets:
            args += ["--set", s]
        env = dict(os.environ)
        if self.env:
            env.update(self.env)
        self.log = open(os.path.join(self.state, "stderr.log"), "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("node exited with %s" % self.proc.returncode)
            try:  # subclasses bound elsewhere on loopback set self.ip
                socket.create_connection((getattr(self, "ip", "127.0.0.1"), self.port), 0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("node did not accept connections within %ss" % timeout)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise
        if self.proc and getattr(self, "log", None):
            self.log.close()
        return self.proc.returncode if self.proc else None

    def connect(self, timeout=5):
        return Session(self.port, timeout)

    def cmd(self, line, timeout=5):
        with self.connect(timeout) as s:
            return s.cmd(line)

    def path(self, *parts):
        return os.path.join(self.state, *parts)

    # ---- helpers for process-level checks (added for the shell/config/limits suites) ----
    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def fd_count(self):
        """Open file descriptors of the node process (Linux /proc)."""
        return len(os.listdir("/proc/%d/fd" % self.proc.pid))

    def rss_kb(self):
        """Resident set size of the node process in kB (VmRSS)."""
        with open("/proc/%d/status" % self.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def config_path(self):
        return self.path("config", "node_config.json")

    def read_config(self):
        """The saved node_config.json as a dict."""
        with open(self.config_path(), "rb") as f:
            return json.loads(f.read().decode())

    def write_config_bytes(self, data):
        """Put raw bytes in config/node_config.json (before start)."""
        os.makedirs(self.path("config"), exist_ok=True)
        if isinstance(data, str):
            data = data.encode()
        with open(self.config_path(), "wb") as f:
            f.write(data)

    def restart(self):
        """Stop with SIGTERM (asserting a clean exit) and start again on the same state."""
        rc = self.stop()
        assert rc == 0, "node exited with %s on SIGTERM" % rc
        return self.start()


class Session:
    """A raw ShellCli session: read until the prompt, like micrOSClient."""

    def __init__(self, port, timeout=5):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout)
        self.sock.settimeout(timeout)
        self.greeting = self.read_until_prompt()

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def read_until_prompt(self, max_bytes=1 << 20):
        buf = b""
        while True:
            if buf.endswith(b" $ ") or b"Bye!" in buf:
                # a prompt may be followed by nothing; Bye! may be followed by close
                if buf.endswith(b" $ ") or buf.endswith(b"Bye!\n"):
                    return buf
            chunk = self.sock.recv(65536)
            if not chunk:
                return buf
            buf += chunk
            assert len(buf) < max_bytes

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def cmd_raw(self, line):
        """Send a command the micrOS way (no newline); return raw bytes up to the prompt."""
        self.send(line)
        return self.read_until_prompt()

    def cmd(self, line):
        """Reply text without the trailing prompt."""
        raw = self.cmd_raw(line).decode()
        idx = raw.rfind("\n")
        return raw[: idx + 1] if raw.endswith(" $ ") else raw

    def read_until_close(self, timeout=5, max_bytes=1 << 20):
        """Every byte until the peer closes; fails if it stays open past timeout."""
        old = self.sock.gettimeout()
        try:
            return self._read_until_close(timeout, max_bytes)
        finally:
            self.sock.settimeout(old)

    def _read_until_close(self, timeout, max_bytes):
        buf = b""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("connection still open after %ss; got %r" % (timeout, buf[-300:]))
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                return buf
            if not chunk:
                return buf
            buf += chunk
            assert len(buf) < max_bytes

    def read_for(self, seconds):
        """Whatever arrives within `seconds` (b"" if nothing); does not require a close."""
        old = self.sock.gettimeout()
        try:
            return self._read_for(seconds)
        finally:
            self.sock.settimeout(old)

    def _read_for(self, seconds):
        buf = b""
        deadline = time.time() + seconds
        while True:
            left = deadline - time.time()
            if left <= 0:
                return buf
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return buf
            if not chunk:
                return buf
            buf += chunk

    def read_all(self):
        buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            buf += chunk
        return buf


@pytest.fixture
def make_node(tmp_path):
    nodes = []

    def make(*sets, state=None, start=True, port=None, env=None):
        st = state or (tmp_path / ("state%d" % len(nodes)))
        os.makedirs(st, exist_ok=True)
        n = Node(st, port or free_port(), sets, env)
        nodes.append(n)
        if start:
            n.start()
        return n

    yield make
    for n in nodes:
        try:
            rc = n.stop()
        except Exception:
            rc = None
        if SANITIZED:
            # a sanitizer report fails the test, whatever exit code the test expected
            try:
                with open(n.path("stderr.log"), "rb") as f:
                    err = f.read()
            except OSError:
                err = b""
            for mark in (b"ERROR: AddressSanitizer", b"ERROR: LeakSanitizer", b"runtime error:"):
                if mark in err:
                    raise AssertionError("sanitizer report from the node (rc %s), see %s"
                                         % (rc, n.path("stderr.log")))


@pytest.fixture
def node(make_node):
    return make_node()
