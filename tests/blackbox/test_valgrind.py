"""A live node under valgrind memcheck: sessions, bad input, conf, shutdown.

Run by tests/valgrind.sh (make valgrind, part of make test); skipped otherwise
because memcheck makes the node ~30x slower.
"""
import os
import signal
import subprocess
import time

import pytest

from conftest import NODUS_BIN, Session, free_port

pytestmark = pytest.mark.skipif(os.environ.get("ND_VALGRIND") != "1", reason="valgrind run only")


def test_node_session_is_memcheck_clean(tmp_path):
    port = free_port()
    wport = free_port()
    log = tmp_path / "vg.log"
    proc = subprocess.Popen(
        ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
         "--suppressions=%s" % os.path.join(os.path.dirname(os.path.dirname(__file__)), "valgrind.supp"),
         "--errors-for-leak-kinds=definite", "--log-file=%s" % log,
         NODUS_BIN, "run", "--state", str(tmp_path / "st"), "--set", "bind=127.0.0.1",
         "--set", "socport=%d" % port, "--set", "webui=True", "--set", "webport=%d" % wport,
         "--set", "auth=False", "--quiet"],
        stdout=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        s = None
        while time.time() < deadline:
            try:
                s = Session(port, timeout=30)
                break
            except OSError:
                time.sleep(0.2)
        assert s, "node under valgrind did not start"
        for line in ["hello", "version", "help", "modules", "system info", "system info >json",
                     "robustness raise_error", "robustness memory_leak 100",
                     "robustness recursion_limit 50", "system clock", "nomod x",
                     "system heartbeat 1 2", "system setclock 2026 1 2 3 4 5", "conf", "dump",
                     "socport", "devfid x y", "noconf", "system f [1, {'a': (2,)}]", "task list"]:
            assert s.cmd_raw(line).endswith(b" $ "), line
        s.send(b"\xff\xfe garbage\n")
        s.read_until_prompt()
        s.send(b"x" * 9000)
        s.read_until_prompt()
        s.close()
        # the web door: REST, config, metrics, an event stream, bad requests, an upload
        import socket as _socket
        reqs = [b"GET /rest HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /rest/system/info HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /rest/system/clock/%26 HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /rest/nomod/f/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /config HTTP/1.1\r\nHost: x\r\nx-micros-auth: ADmin123\r\n\r\n",
                b"GET /dashboard HTTP/1.1\r\nHost: x\r\n\r\n",
                b"GET /../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
                b"POST /fs/files HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
                b"boundary=XX\r\nContent-Length: 93\r\n\r\n--XX\r\nContent-Disposition: form-data; "
                b"name=\"f\"; filename=\"user_data/a.txt\"\r\n\r\nhello\r\n--XX--\r\n",
                b"BREW /pot HTTP/1.1\r\n\r\n", b"\x00\xff garbage\r\n\r\n"]
        for r in reqs:
            w = _socket.create_connection(("127.0.0.1", wport), 30)
            w.settimeout(30)
            w.sendall(r)
            assert w.recv(65536).startswith(b"HTTP/1.")
            w.close()
        ev = _socket.create_connection(("127.0.0.1", wport), 30)
        ev.sendall(b"GET /events HTTP/1.1\r\nHost: x\r\n\r\n")
        ev.settimeout(30)
        assert ev.recv(4096).startswith(b"HTTP/1.1 200")
        ev.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(60)
    assert rc == 0, log.read_text()
