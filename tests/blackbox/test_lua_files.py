"""Lua modules uploaded at run time: over /fs (the web file manager's
endpoints), with `nodus put` / `nodus get`, and a 10 MB file into modules/."""
import contextlib
import os
import select
import socket
import subprocess
import time

import requests

from conftest import NODUS_BIN
from test_web import AUTH, web_node

V1 = b"local M = {}\nM.help = {'BUTTON v'}\nfunction M.v() return 'one' end\nreturn M\n"
V2 = b"local M = {}\nfunction M.v() return 'two' end\nfunction M.more() return {1, 2} end\nreturn M\n"


def upload(n, name, data, headers=AUTH):
    return requests.post(n.url + "/fs/files", files={"file": ("$modules/" + name, data)},
                         headers=headers, timeout=30)


def test_upload_over_fs_then_reload_at_the_next_call(make_node):
    n = web_node(make_node)
    assert upload(n, "LM_up.lua", V1, headers={}).status_code == 401   # code needs the password
    assert n.cmd("up v") == "Core error: LM_up->v: No module named 'LM_up'\n"
    assert upload(n, "LM_up.lua", V1).text == "ok"
    assert n.cmd("up v") == "one\n"
    assert requests.get(n.url + "/rest/up/v", timeout=5).json() == {"result": "one", "state": True}
    assert upload(n, "LM_up.lua", V2).text == "ok"                  # other size: seen at once
    with n.connect() as s:
        assert s.cmd("up v") == "two\n"
        assert s.cmd("up more") == "[1, 2]\n"
    # a broken upload keeps the old version
    assert upload(n, "LM_up.lua", V2.replace(b"return M", b"return M end")).text == "ok"
    assert n.cmd("up v").startswith("Core error: LM_up->load: LM_up.lua:")
    assert n.cmd("up v") == "two\n"
    # deleted over /fs: gone at the next call
    assert requests.delete(n.url + "/fs/files", data="$modules/LM_up.lua", headers=AUTH, timeout=5).status_code == 200
    assert n.cmd("up v") == "Core error: LM_up->v: No module named 'LM_up'\n"


def test_ten_megabyte_upload_is_refused_at_load_and_loses_nothing(make_node):
    n = web_node(make_node)
    assert upload(n, "LM_ok.lua", V1).text == "ok"
    assert n.cmd("ok v") == "one\n"
    big = b"-- " + b"y" * (10 * 1024 * 1024) + b"\nreturn {}\n"
    r = upload(n, "LM_big.lua", big)
    assert r.status_code in (200, 413, 507), r.status_code
    if r.status_code == 200:
        assert n.cmd("big f") == "Core error: LM_big->load: LM_big.lua is %d bytes (at most 262144)\n" % len(big)
    assert n.cmd("ok v") == "one\n"
    assert n.cmd("system heartbeat") == "<3 heartbeat <3\n"


def run(*args, **kw):
    return subprocess.run([NODUS_BIN] + list(args), capture_output=True, timeout=30, **kw)


def test_nodus_put_and_get(make_node, tmp_path):
    n = web_node(make_node)
    src = tmp_path / "LM_cli.lua"
    src.write_bytes(V1)
    host = "127.0.0.1:%d" % n.webport
    r = run("put", host, str(src))
    assert r.returncode == 3 and b"password" in r.stderr
    r = run("put", host, str(src), "--pwd", "ADmin123")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode() == "%s -> $modules/LM_cli.lua (%d bytes): the node loads it at its next call\n" % (src, len(V1))
    assert n.cmd("cli v") == "one\n"
    src.write_bytes(V2)
    assert run("put", host, str(src), "--pwd", "ADmin123").returncode == 0
    assert n.cmd("cli v") == "two\n"
    # --as renames; other files go to /user_data
    other = tmp_path / "notes.txt"
    other.write_bytes(b"hi\n")
    assert run("put", host, str(other)).returncode == 0
    assert open(n.path("web", "user_data", "notes.txt"), "rb").read() == b"hi\n"
    assert run("put", host, str(other), "--as", "LM_x.lua", "--pwd", "ADmin123", env=dict(os.environ)).returncode == 0
    assert os.path.exists(n.path("modules", "LM_x.lua"))
    # get: a module needs the password, a user file not (auth off)
    out = tmp_path / "back.lua"
    assert run("get", host, "LM_cli.lua", "-o", str(out)).returncode == 3
    assert run("get", host, "LM_cli.lua", "-o", str(out), env=dict(os.environ, NODUS_PWD="ADmin123")).returncode == 0
    assert out.read_bytes() == V2
    r = run("get", host, "LM_cli.lua", "-o", "-", "--pwd", "ADmin123")
    assert r.returncode == 0 and r.stdout == V2
    r = run("get", host, "notes.txt", "-o", "-")
    assert r.returncode == 0 and r.stdout == b"hi\n"
    r = run("get", host, "LM_none.lua", "-o", "-", "--pwd", "ADmin123")
    assert r.returncode == 4 and b"404" in r.stderr
    assert run("get", host, "../etc/passwd", "-o", "-").returncode == 1
    r = run("put", "127.0.0.1:1", str(src))  # the text `nodus connect` prints (cli.c)
    assert r.returncode == 2 and r.stderr == b"nodus: cannot connect to 127.0.0.1:1: Connection refused\n"
    r = run("get", "127.0.0.1:x", "notes.txt")
    assert r.returncode == 2 and r.stderr == b"nodus: bad address '127.0.0.1:x' (want HOST[:WEBPORT])\n"
    assert run("put", host).returncode == 1


@contextlib.contextmanager
def blackholed_port():
    """A loopback port that drops SYNs, as a firewall would: a listener with
    backlog 0 that never accepts, its accept queue filled first -- Linux then
    drops further SYNs (tcp_abort_on_overflow is 0 by default) instead of
    refusing them, so a connect there waits for the kernel's SYN retries."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fill = []
    try:
        for _ in range(8):
            c = socket.socket()
            c.setblocking(False)
            fill.append(c)
            c.connect_ex(("127.0.0.1", port))
            if not select.select([], [c], [], 0.3)[1]:
                break  # this SYN went unanswered: the queue is full
        else:
            raise AssertionError("could not fill the accept queue of 127.0.0.1:%d" % port)
        yield port
    finally:
        for c in fill:
            c.close()
        ls.close()


def test_nodus_put_and_get_give_up_on_a_blackholed_address_in_time(tmp_path):
    """Without a bounded connect this waits ~2 minutes (SYN retries)."""
    src = tmp_path / "notes.txt"
    src.write_bytes(b"hi\n")
    with blackholed_port() as port:
        for args in (["put", "127.0.0.1:%d" % port, str(src)], ["get", "127.0.0.1:%d" % port, "notes.txt"]):
            t0 = time.monotonic()
            r = subprocess.run([NODUS_BIN] + args + ["--timeout", "1"], capture_output=True, timeout=15)
            took = time.monotonic() - t0
            assert r.returncode == 2, r.stderr
            assert r.stderr == b"nodus: cannot connect to 127.0.0.1:%d: Connection timed out\n" % port
            assert 0.9 < took < 5, took
