"""Limits and bad input on the shell (issue 2, "Bad input"): over-long lines,
invalid UTF-8 and binary garbage, silent clients, 500 clients at once,
eviction, clients that vanish mid-reply or never read, signals and reboot.
"""
import os
import selectors
import signal
import socket
import struct
import threading
import time

import pytest

from conftest import SANITIZED

P = b"node01 $ "
TOO_LONG = b"Shell: command too long (max 4095 bytes), ignored\n" + P
INVALID = b"Shell: invalid input (not UTF-8 text), ignored\n" + P
BUSY = b"Connection is busy. Bye!\n"


def recv_exact(sock, n, timeout=5):
    buf = b""
    deadline = time.time() + timeout
    while len(buf) < n and time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def quiet_for(sock, seconds=0.3):
    old = sock.gettimeout()
    sock.settimeout(seconds)
    try:
        return sock.recv(65536)
    except socket.timeout:
        return b""
    finally:
        sock.settimeout(old)


def hello_ok(node, timeout=5):
    with node.connect(timeout) as s:
        assert s.greeting == P
        assert s.cmd("hello").startswith("hello:node01:micr")


def wait_back(node, timeout=10):
    """After a reboot: wait until a fresh process answers (retrying through the restart)."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        assert node.alive()
        try:
            with node.connect(2) as s:
                if s.greeting.endswith(b" $ "):
                    return
        except OSError as e:
            last = e
        time.sleep(0.05)
    raise AssertionError("node did not come back: %r" % last)


def wait_for(fn, timeout=5.0, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


# ---- over-long lines ------------------------------------------------------------------------

@pytest.mark.parametrize("size,term", [
    (4096, b"\n"), (10000, b"\n"), (100000, b"\n"),
    pytest.param(4096, b"", id="4096-no-newline"),
    pytest.param(8192, b"", id="8192-no-newline"),
    (10000, b""), (100000, b""),
])
def test_line_over_limit_gets_one_error_and_session_continues(node, size, term):
    with node.connect(timeout=3) as s:
        s.send(b"A" * size + term)
        assert recv_exact(s.sock, len(TOO_LONG)) == TOO_LONG
        assert quiet_for(s.sock, 0.4) == b""  # exactly one error, the rest of the line dropped
        assert s.cmd("hello").startswith("hello:node01:micr")
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P


def test_line_limit_boundary(node):
    with node.connect() as s:
        # 4095 bytes + newline fits: hello padded with trailing blanks
        line = b"hello" + b" " * 4090
        assert len(line) == 4095
        out = s.cmd_raw(line + b"\n")
        assert out.startswith(b"hello:node01:micr") and out.endswith(b"\n" + P)
        # one byte more does not
        s.send(b"hello" + b" " * 4091 + b"\n")
        assert recv_exact(s.sock, len(TOO_LONG)) == TOO_LONG
        assert quiet_for(s.sock, 0.3) == b""
        assert s.cmd("version").count(".") == 2


def test_long_line_followed_by_commands_in_same_send(node):
    with node.connect() as s:
        hb = b"<3 heartbeat <3\n" + P
        s.send(b"B" * 9000 + b"\nsystem heartbeat\nsystem heartbeat\n")
        expected = TOO_LONG + hb + hb
        assert recv_exact(s.sock, len(expected)) == expected
        assert quiet_for(s.sock, 0.3) == b""


def test_many_long_lines_do_not_kill_the_session(node):
    with node.connect() as s:
        for _ in range(10):
            s.send(b"C" * 6000 + b"\n")
            assert recv_exact(s.sock, len(TOO_LONG)) == TOO_LONG
        assert s.cmd("hello").startswith("hello:")
    assert node.alive()


# ---- invalid UTF-8 and binary garbage --------------------------------------------------------

GARBAGE = {
    "ff_fe": b"\xff\xfe",
    "bad_continuation": b"hello\xc3\x28",
    "overlong_slash": b"system \xc0\xaf",
    "surrogate": b"system clock '\xed\xa0\x80'",
    "truncated_seq": b"system clock '\xe2\x82'",
    "above_max": b"\xf4\x90\x80\x80",
    "nul": b"\x00",
    "hello_nul": b"hello\x00",
    "nul_inside": b"sys\x00tem heartbeat",
    "control": b"system heartbeat\x1b[A",
    "del": b"\x7f\x7f",
    "all_bytes": bytes(b for b in range(256) if b != 10) * 4,
}


@pytest.mark.parametrize("name", list(GARBAGE), ids=list(GARBAGE))
@pytest.mark.parametrize("term", [b"", b"\n"], ids=["raw", "newline"])
def test_invalid_input_gets_error_and_session_continues(node, name, term):
    with node.connect() as s:
        s.send(GARBAGE[name] + term)
        assert recv_exact(s.sock, len(INVALID)) == INVALID
        assert quiet_for(s.sock, 0.3) == b""
        assert s.cmd("hello").startswith("hello:node01:micr")


def test_random_binary_lines(node):
    """Random binary in newline-separated lines: one error per non-blank line, in order."""
    import random
    rnd = random.Random(1234)
    lines = []
    for _ in range(50):
        ln = bytes(rnd.choice([b for b in range(256) if b not in (9, 10, 13, 32)])
                   for _ in range(rnd.randint(1, 200)))
        if b"\xff" not in ln:
            ln += b"\xff"  # guarantee invalid UTF-8
        lines.append(ln)
    with node.connect() as s:
        s.send(b"\n".join(lines) + b"\n")
        expected = INVALID * len(lines)
        assert recv_exact(s.sock, len(expected), timeout=10) == expected
        assert quiet_for(s.sock, 0.3) == b""
        assert s.cmd("hello").startswith("hello:")


def test_valid_utf8_is_not_rejected(node):
    with node.connect() as s:
        assert s.cmd("héllo wörld") == "Core error: LM_héllo->wörld: No module named 'LM_héllo'\n"
        assert s.cmd("system pinmap keys='ünïcode ✓'") is not None
        assert s.cmd("hello").startswith("hello:")


# ---- silent and slow clients ------------------------------------------------------------------

def test_silent_clients_do_not_block_others(node):
    silent = []
    try:
        # one that never reads its prompt, one that reads it and says nothing
        a = socket.create_connection(("127.0.0.1", node.port), 5)
        silent.append(a)
        b = socket.create_connection(("127.0.0.1", node.port), 5)
        silent.append(b)
        assert recv_exact(b, len(P)) == P
        # a half command, never finished
        c = socket.create_connection(("127.0.0.1", node.port), 5)
        silent.append(c)
        assert recv_exact(c, len(P)) == P
        c.sendall(b"system hea")
        time.sleep(0.3)
        t0 = time.time()
        hello_ok(node)
        hello_ok(node)
        assert time.time() - t0 < 3
    finally:
        for x in silent:
            x.close()


def test_half_command_completed_later(node):
    """A command split across two sends, the first part with a newline-framed command before it."""
    with node.connect() as s:
        s.send(b"system heartbeat\nsystem heart")
        time.sleep(0.02)
        s.send(b"beat\n")
        hb = b"<3 heartbeat <3\n" + P
        # the unterminated tail waits (nodus: 100 ms) for the rest of its line
        assert recv_exact(s.sock, 2 * len(hb)) == hb + hb
        assert quiet_for(s.sock, 0.3) == b""


# ---- connection slots -------------------------------------------------------------------------

def _open_admitted(node, n):
    out = []
    for _ in range(n):
        s = node.connect()
        assert s.greeting == P
        out.append(s)
    return out


def test_slot_freed_admits_waiting_client(node):
    held = _open_admitted(node, 5)
    try:
        w = socket.create_connection(("127.0.0.1", node.port), 5)
        assert quiet_for(w, 0.5) == b""  # waiting: no prompt yet
        w.sendall(b"hello")  # typed while waiting: answered once admitted
        t0 = time.time()
        held.pop(0).close()
        got = b""
        while not got.endswith(b"\n" + P) and time.time() - t0 < 4:
            got += w.recv(4096)
        assert time.time() - t0 < 3
        assert got.startswith(P + b"hello:node01:micr"), got
        w.close()
    finally:
        for s in held:
            s.close()


def test_busy_after_about_five_seconds(node):
    held = _open_admitted(node, 5)
    try:
        t0 = time.time()
        w = socket.create_connection(("127.0.0.1", node.port), 15)
        w.settimeout(15)
        got = b""
        while True:
            chunk = w.recv(4096)
            if not chunk:
                break
            got += chunk
        elapsed = time.time() - t0
        assert got == BUSY
        assert 4.5 <= elapsed < 10, elapsed
        # the admitted sessions were served all along
        for s in held:
            assert s.cmd("hello").startswith("hello:")
    finally:
        for s in held:
            s.close()


def test_idle_session_evicted_for_newcomer(make_node):
    n = make_node("soctout=5")
    held = _open_admitted(n, 5)
    try:
        idle = held[2]
        t0 = time.time()
        time.sleep(3)
        for i, s in enumerate(held):
            if s is not idle:
                assert s.cmd("hello").startswith("hello:")
        time.sleep(max(0, 5.6 - (time.time() - t0)))
        w = n.connect(timeout=5)  # must be admitted quickly, not after the 5 s wait
        assert w.greeting == P
        assert time.time() - t0 < 5.6 + 2.5
        assert w.cmd("hello").startswith("hello:")
        # the idle one was closed, the active ones were not
        assert idle.read_until_close(3) == b""
        for s in held:
            if s is not idle:
                assert s.cmd("hello").startswith("hello:")
        w.close()
    finally:
        for s in held:
            s.close()


def test_500_clients_at_once(node):
    """aioqueue=5: 5 sessions get the prompt, everybody else exactly the busy message, the
    admitted session keeps being served, and no descriptor leaks afterwards."""
    base_fds = node.fd_count()
    a = node.connect()
    assert a.greeting == P
    sel = selectors.DefaultSelector()
    socks = []
    data = {}
    done = {}
    t0 = time.time()
    try:
        for i in range(499):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(("127.0.0.1", node.port))
            except BlockingIOError:
                pass
            socks.append(c)
            data[c] = b""
            sel.register(c, selectors.EVENT_READ)
        next_ping = time.time()
        pings = 0
        deadline = t0 + 20
        while time.time() < deadline:
            # the admitted session is answered throughout the storm
            if time.time() >= next_ping:
                assert a.cmd("hello").startswith("hello:node01:"), "admitted session starved"
                pings += 1
                next_ping = time.time() + 0.5
            for key, _ in sel.select(0.1):
                c = key.fileobj
                try:
                    chunk = c.recv(4096)
                except BlockingIOError:
                    continue
                except ConnectionResetError:
                    chunk = b""
                if not chunk:
                    sel.unregister(c)
                    done[c] = time.time() - t0
                else:
                    data[c] += chunk
                    if data[c] == P:
                        sel.unregister(c)  # admitted: keep it open, it holds a slot
            pending = [c for c in socks if c not in done and data[c] != P]
            if not pending:
                break
        admitted = [c for c in socks if data[c] == P]
        busy = [c for c in socks if data[c] == BUSY and c in done]
        other = [(i, data[c]) for i, c in enumerate(socks) if c not in admitted and c not in busy]
        assert other == [], other[:5]
        assert len(admitted) == 4  # + the session `a`: the 5 slots
        assert admitted == socks[:4]  # first come, first served
        assert len(busy) == 495
        # the waiting ones got the message only after waiting (about 5 s)
        assert max(done.values()) >= 4.5
        assert pings >= 5
        # an admitted client from the storm is a working session
        c = admitted[0]
        c.setblocking(True)
        c.settimeout(5)
        c.sendall(b"hello")
        got = b""
        while not got.endswith(P):
            got += c.recv(4096)
        assert got.startswith(b"hello:node01:micr")
    finally:
        sel.close()
        for c in socks:
            c.close()
        a.close()
    # everything closed: the node is back to its descriptor count
    assert wait_for(lambda: node.fd_count() <= base_fds, timeout=5), (node.fd_count(), base_fds)
    hello_ok(node)
    assert node.alive()


# ---- clients that vanish or never read --------------------------------------------------------

@pytest.mark.parametrize("how", ["close", "reset"])
def test_disconnect_mid_reply(node, how):
    base_fds = node.fd_count()
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", node.port), 5)
        s.sendall(b"help lm\n" * 200)
        if how == "reset":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    time.sleep(0.3)
    assert node.alive()
    hello_ok(node)
    assert wait_for(lambda: node.fd_count() <= base_fds, timeout=5), (node.fd_count(), base_fds)


def test_disconnect_after_partial_read(node):
    s = socket.create_connection(("127.0.0.1", node.port), 5)
    s.sendall(b"help lm\n" * 300)
    recv_exact(s, 50000)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    time.sleep(0.2)
    assert node.alive()
    hello_ok(node)


def test_client_that_never_reads_is_bounded(make_node):
    env = {"ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=4"}
    n = make_node(env=env)
    hello_ok(n)
    with n.connect() as s:
        s.cmd("help lm")  # warm up: the module listing code has run once
    rss0 = n.rss_kb()
    count = 20000
    payload = b"help lm\n" * count
    f = n.connect(timeout=30)
    reply_len = len(f.cmd_raw("help lm"))  # one full reply incl. prompt
    sent = threading.Event()

    def sender():
        f.sock.sendall(payload)  # blocks while the node applies back-pressure
        sent.set()

    th = threading.Thread(target=sender, daemon=True)
    th.start()
    time.sleep(1.5)
    # the kernel's socket buffers may absorb the commands, but the node must not turn
    # them all into buffered replies (that would be ~count * reply_len bytes)
    grew = n.rss_kb() - rss0
    assert grew < 8 * 1024, "RSS grew by %d kB for a client that does not read (%d MB of replies)" % (
        grew, count * reply_len >> 20)
    # other clients are served meanwhile
    t0 = time.time()
    hello_ok(n)
    assert time.time() - t0 < 3
    # the flooder goes away without reading; the node is fine and its memory stays bounded
    f.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    f.close()
    th.join(10)
    time.sleep(0.3)
    assert n.alive()
    hello_ok(n)
    assert n.rss_kb() - rss0 < 8 * 1024


@pytest.mark.parametrize("count", [100, 2000])
def test_pipelined_replies_beyond_64k_all_arrive(node, count):
    with node.connect(timeout=10) as s:
        reply_len = len(s.cmd_raw("help lm"))
        payload = b"help lm\n" * count
        th = threading.Thread(target=s.sock.sendall, args=(payload,), daemon=True)
        th.start()
        want = count * reply_len
        total = 0
        s.sock.settimeout(5)
        while total < want:
            try:
                chunk = s.sock.recv(1 << 20)
            except socket.timeout:
                break
            if not chunk:
                break
            total += len(chunk)
        assert total == want, "got %d of %d replies" % (total // reply_len, count)
        th.join(5)


def test_slow_reader_gets_everything(node):
    """A client that reads slowly (but reads) gets every reply of a pipelined batch that
    stays under the node's output high-water mark."""
    with node.connect(timeout=10) as s:
        reply_len = len(s.cmd_raw("help lm"))
        count = 30  # ~47 KB of replies: below 64 KiB
        s.send(b"help lm\n" * count)
        total = 0
        while total < count * reply_len:
            time.sleep(0.01)
            chunk = s.sock.recv(4096)
            assert chunk
            total += len(chunk)
        assert total == count * reply_len
        assert quiet_for(s.sock, 0.3) == b""


# ---- signals and reboot -----------------------------------------------------------------------

def test_sigterm_exit_code_zero_quickly(node):
    sessions = _open_admitted(node, 3)
    t0 = time.time()
    node.proc.send_signal(signal.SIGTERM)
    rc = node.proc.wait(10)
    elapsed = time.time() - t0
    assert rc == 0
    assert elapsed < (3.0 if SANITIZED else 1.0), elapsed
    for s in sessions:
        assert s.read_until_close(3) == b""
        s.close()
    cfg = node.read_config()
    assert cfg["devfid"] == "node01"
    with open(node.path("logs", "info.sys.log"), "rb") as f:
        assert b"stopped" in f.read()


def test_reboot_reexecs_same_pid(node):
    pid = node.pid
    with node.connect() as s:
        hw = s.cmd("hello")
        s.cmd("system heartbeat")
        assert s.cmd_raw("modules") == b"['system', 'task']\n" + P
        s.send("reboot")
        assert s.read_until_close(5) == b"Reboot micrOS system.\nBye!\n"
    wait_back(node)
    assert node.alive() and node.pid == pid
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        assert f.read().split(b"\0")[1] == b"run"  # the same command line, re-executed
    with node.connect() as s:
        assert s.greeting == P
        assert s.cmd("hello") == hw
        assert s.cmd_raw("modules") == b"['task']\n" + P  # a fresh start: nothing imported


def test_reboot_keeps_process_name(node):
    with open("/proc/%d/comm" % node.pid) as f:
        name = f.read().strip()
    with node.connect() as s:
        s.send("reboot")
        s.read_until_close(5)
    wait_back(node)
    with open("/proc/%d/comm" % node.pid) as f:
        assert f.read().strip() == name


def test_reboot_hard_and_other_sessions_closed(node):
    other = node.connect()
    with node.connect() as s:
        s.send("reboot -h")
        assert s.read_until_close(5) == b"[HARD] Reboot micrOS system.\nBye!\n"
    assert other.read_until_close(5) == b""
    other.close()
    wait_back(node)
    hello_ok(node)


def test_reboot_keeps_config_and_overrides(make_node):
    n = make_node("devfid=rebooter")
    with n.connect() as s:
        s.cmd("conf")
        assert s.cmd("soctout 55") == "Saved\n"
        s.send("reboot")
        assert s.read_until_close(5).endswith(b"Bye!\n")
    wait_back(n)
    with n.connect() as s:
        assert s.greeting == b"rebooter $ "  # --set survives the re-exec
        s.cmd("conf")
        assert s.cmd("soctout") == "55\n"
