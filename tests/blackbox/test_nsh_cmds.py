"""nsh's commands (src/core/nsh_cmd_*.c) through a real door: `sh` typed in
the micrOS shell of a real node process. Files: large and binary files,
symlink loops and links pointing outside, "..", absolute paths, `rm -r /`,
protected files. Network: curl/wget against a local http.server, ping on
loopback, jq, lshw. Every command answers --help.
"""
import http.server
import json
import os
import socket
import threading
import time

import pytest

from conftest import SANITIZED, Session


class Nsh:
    """`sh` inside a micrOS shell session: one nsh line at a time."""

    def __init__(self, node, timeout=30):
        self.s = Session(node.port, timeout=timeout)
        out = self.s.cmd_raw("sh\n")
        assert out.endswith(b" $ "), out

    def run(self, line):
        """Output of one line (stdout and stderr), prompt removed."""
        self.s.send(line + "\n")
        raw = self.s.read_until_prompt(max_bytes=1 << 28).decode(errors="replace")
        idx = raw.rfind("\n")
        return raw[: idx + 1] if idx >= 0 else ""

    def status(self, line):
        """(output, exit status) of one line."""
        out = self.run(line)
        st = self.run("echo $?").strip()
        return out, int(st)

    def close(self):
        self.s.close()


@pytest.fixture
def nsh(node):
    sh = Nsh(node)
    yield sh
    sh.close()


def write(node, rel, data):
    p = node.path(*rel.split("/"))
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return p


def test_cat_100mb_streams_with_bounded_memory(node, nsh):
    line = b"y" * 99 + b"\n"
    with open(write(node, "data/big.txt", b""), "wb") as f:
        for _ in range(100):
            f.write(line * 10486)  # ~1 MB per round, 104 860 000 bytes in all
    size = os.path.getsize(node.path("data", "big.txt"))
    rss0 = node.rss_kb()
    nsh.s.send("cat /data/big.txt\n")
    got, peak, t_other = 0, 0, None
    buf = b""
    while True:
        chunk = nsh.s.sock.recv(1 << 20)
        assert chunk
        got += len(chunk)
        buf = (buf + chunk)[-64:]
        if got > size // 2 and t_other is None:
            # the node keeps answering on another door while cat streams
            with Session(node.port) as other:
                t_other = other.cmd("hello\n")
            peak = max(peak, node.rss_kb())
        if buf.endswith(b"/ $ ") and got >= size:
            break
    assert got == size + len(b"/ $ ")
    assert t_other.startswith("hello:")
    # the file is streamed, never held: the node grows by far less than its size
    # (a sanitizer's quarantine keeps freed memory: only checked in a plain build)
    if not SANITIZED:
        assert peak - rss0 < 16 * 1024, (rss0, peak)


def test_binary_file_refused_clearly(node, nsh):
    write(node, "data/fw.bin", b"\x7fELF\x00\x01\x02\xff\x1b[2J" * 100)
    out, st = nsh.status("cat /data/fw.bin")
    assert st == 1
    assert "cat: /data/fw.bin: binary file (1200 bytes), not shown; use hexdump" in out
    assert "\x1b" not in out
    out, st = nsh.status("hexdump /data/fw.bin")
    assert st == 0
    assert out.startswith("00000000  7f 45 4c 46 00 01 02 ff  1b 5b 32 4a 7f 45 4c 46  |.ELF.....[2J.ELF|\n")
    out, st = nsh.status("grep -r ELF /data")
    assert st == 1 and out == ""  # binary files are skipped


def test_grep_r_survives_symlink_loop(node, nsh):
    write(node, "data/tree/a/b/note.txt", "the needle is here\n")
    os.symlink("..", node.path("data", "tree", "a", "b", "up"))
    os.symlink(node.path("data", "tree"), node.path("data", "tree", "a", "loop"))
    os.symlink("/", node.path("data", "tree", "root"))
    t0 = time.time()
    out, st = nsh.status("grep -r -n needle /")
    assert st == 0
    assert out == "/data/tree/a/b/note.txt:1:the needle is here\n"
    assert time.time() - t0 < 20
    out, st = nsh.status("find *.txt /data")
    assert out == "/data/tree/a/b/note.txt\n"


def test_dotdot_and_absolute_paths_stay_inside(node, nsh):
    write(node, "data/x.txt", "inside\n")
    out, st = nsh.status("cat /../../../../etc/passwd")
    assert st == 1 and "no such file" in out and "root:" not in out
    out = nsh.run("cd /data")
    out, st = nsh.status("cat ../../../data/x.txt")
    assert (out, st) == ("inside\n", 0)
    out, st = nsh.status("cat /data/x.txt")
    assert (out, st) == ("inside\n", 0)
    out, st = nsh.status("ls /..")
    assert st == 0 and "data/\n" in out and "etc/\n" in out and "bin/" not in out.split("etc/")[0]


def test_links_pointing_outside_are_not_followed(node, nsh, tmp_path):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("TOPSECRET\n")
    os.symlink(str(secret), node.path("data", "evil"))
    os.symlink(str(secret.parent), node.path("data", "evildir"))
    for line in ("cat /data/evil", "cat /data/evildir/secret.txt", "head /data/evil",
                 "hexdump /data/evil", "cp /data/evil /data/copy", "grep -r TOPSECRET /data",
                 "jq . /data/evil", "cat /etc/../data/evildir/secret.txt"):
        out, st = nsh.status(line)
        assert st != 0, line
        assert "TOPSECRET" not in out, line
    # nothing written through a link either
    for line in ("touch /data/evildir/new", "cp /etc/init.sh /data/evildir/x", "mkdir -p /data/evildir/d",
                 "rm /data/evildir/secret.txt", "mv /data/evildir/secret.txt /data/s"):
        nsh.run(line)
    assert sorted(os.listdir(secret.parent)) == ["secret.txt"]
    assert secret.read_text() == "TOPSECRET\n"
    out = nsh.run("ls /data")
    assert "evil" not in out


def test_rm_r_root_refused(node, nsh):
    write(node, "data/keep.txt", "k")
    for line in ("rm -r /", "rm -rf /", "rm -r /data/..", "rm -rf ../../.."):
        out, st = nsh.status(line)
        assert st == 1, line
        assert "refusing to remove '/'" in out, line
    assert os.path.exists(node.path("data", "keep.txt"))
    assert os.path.exists(node.config_path())


def test_protected_file_refused(node, nsh):
    before = open(node.config_path(), "rb").read()
    write(node, "data/x.json", "{}")
    for line in ("rm /config/node_config.json", "rm -rf /config", "cp /data/x.json /config/node_config.json",
                 "mv /data/x.json /config/node_config.json", "mv /config/node_config.json /data/y",
                 "mv /config /data/c", "cp -r /data /config/.."):
        out, st = nsh.status(line)
        assert st == 1, line
        assert "protected" in out or "refused" in out or "into itself" in out, (line, out)
    out, st = nsh.status("echo {} > /config/node_config.json")
    assert st != 0
    assert open(node.config_path(), "rb").read() == before
    out, st = nsh.status("ls -l /config")
    assert "-r-" in out


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def _send(self, code, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/hello.txt":
            self._send(200, b"hello from http.server\n", [("X-Test", "yes")])
        elif self.path == "/data.json":
            self._send(200, json.dumps({"a": {"b": [10, 20]}, "n": "x"}).encode())
        elif self.path == "/moved":
            self._send(302, b"", [("Location", "/hello.txt")])
        elif self.path == "/big":
            self._send(200, b"z" * 3_000_000)
        else:
            self._send(404, b"not here\n")

    def _echo(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        self._send(200, ("%s %s %s %s\n" % (self.command, self.path, self.headers.get("X-Key"),
                                             body.decode())).encode())

    do_POST = do_PUT = do_DELETE = _echo


@pytest.fixture
def web():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield "127.0.0.1:%d" % srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def test_curl_and_wget_against_local_server(node, nsh, web):
    out, st = nsh.status("curl http://%s/hello.txt" % web)
    assert (out, st) == ("hello from http.server\n", 0)
    out, st = nsh.status("curl -i %s/hello.txt" % web)
    assert out.startswith("HTTP/1.0 200 OK\r\n") and "X-Test: yes\r\n" in out
    assert out.endswith("\r\n\r\nhello from http.server\n")
    out, st = nsh.status("curl -X PUT -H 'X-Key: k1' -d 'a=1&b=2' http://%s/thing" % web)
    assert (out, st) == ("PUT /thing k1 a=1&b=2\n", 0)
    out, st = nsh.status("curl -d v=3 http://%s/form" % web)
    assert out == "POST /form None v=3\n"
    out, st = nsh.status("curl -X DELETE http://%s/thing/1" % web)
    assert out == "DELETE /thing/1 None \n"
    out, st = nsh.status("curl -L http://%s/moved" % web)
    assert (out, st) == ("hello from http.server\n", 0)
    out, st = nsh.status("curl http://%s/nope" % web)
    assert (out, st) == ("not here\n", 0)
    out, st = nsh.status("curl -f http://%s/nope" % web)
    assert st == 1 and "HTTP 404" in out
    out, st = nsh.status("curl -o /data/page.txt http://%s/hello.txt" % web)
    assert st == 0
    assert open(node.path("data", "page.txt")).read() == "hello from http.server\n"
    out, st = nsh.status("curl -o /data/big.bin http://%s/big" % web)
    assert st == 0 and os.path.getsize(node.path("data", "big.bin")) == 3_000_000
    out, st = nsh.status("curl -o /config/node_config.json http://%s/hello.txt" % web)
    assert st == 1 and "protected" in out
    out, st = nsh.status("curl http://127.0.0.1:%d/" % _closed_port())
    assert st == 1 and "curl:" in out
    out, st = nsh.status("curl https://example.invalid/")
    assert st == 1 and "http://" in out
    nsh.run("cd /data")
    out, st = nsh.status("wget http://%s/data.json" % web)
    assert st == 0
    out, st = nsh.status("jq -c .a.b /data/data.json")
    assert (out, st) == ("[10,20]\n", 0)
    out, st = nsh.status("wget http://%s/nope -O /data/n" % web)
    assert st == 1 and not os.path.exists(node.path("data", "n"))


def _closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def test_jq_filters(node, nsh):
    write(node, "data/d.json", json.dumps({"a": {"b": [1, {"c": "x"}]}, "k": [3, 4], "s": "str"}))
    cases = [
        ("jq .a.b[0] /data/d.json", "1\n", 0),
        ("jq -r .a.b[1].c /data/d.json", "x\n", 0),
        ("jq .k[] /data/d.json", "3\n4\n", 0),
        ("jq -c keys /data/d.json", '["a","k","s"]\n', 0),
        ("jq -c '.. | .c?' /data/d.json", "null\n\"x\"\n", None),
        ("jq '.a.b | length' /data/d.json", "2\n", 0),
        ("jq .s.x /data/d.json", "jq: error: Cannot index string with \"x\"\n", 5),
        ("jq '.[' /data/d.json", None, 3),
        ("jq . /data/none.json", "jq: /data/none.json: no such file or variable\n", 2),
    ]
    for line, want, st in cases:
        out, got = nsh.status(line)
        if want is not None and line.startswith("jq -c '..") is False:
            assert out == want, line
        if st is not None:
            assert got == st, (line, out)
    out, st = nsh.status("jq . /data/d.json")
    assert out.startswith('{\n  "a": {\n    "b": [\n      1,\n')
    nsh.run("export J '{\"v\": [7]}'")
    out, st = nsh.status("jq .v[0] J")
    assert (out, st) == ("7\n", 0)


def test_ping_loopback(node, nsh):
    out, st = nsh.status("ping -c 2 127.0.0.1")
    if "not allowed" in out:
        pytest.skip("the kernel forbids ICMP sockets here (net.ipv4.ping_group_range, no CAP_NET_RAW)")
    assert st == 0, out
    assert out.startswith("PING 127.0.0.1 (127.0.0.1): 56 data bytes\n")
    assert "icmp_seq=0" in out and "icmp_seq=1" in out
    assert "2 packets transmitted, 2 packets received, 0% packet loss" in out
    out, st = nsh.status("ping -c 0 127.0.0.1")
    assert st == 2
    out, st = nsh.status("ping -c 1 no-such-host.invalid")
    assert st == 1 and "unknown host" in out


def test_lshw_and_board_files(make_node):
    node = make_node("board=esp32")
    sh = Nsh(node)
    try:
        out, st = sh.status("lshw")
        assert st == 0
        assert "Board: esp32 -- ESP32-DevKitC (WROOM-32), Espressif\n" in out
        assert "CPU: ESP32 (Xtensa LX6), xtensa\n" in out
        assert "Recovery: no\n" in out
        out, st = sh.status("lshw -f buses")
        assert out == ("[buses]\n  i2c0: sda_gpio=21 scl_gpio=22\n"
                       "  spi0: mosi_gpio=23 miso_gpio=19 sck_gpio=18 cs_gpio=5\n"
                       "  uart0: tx_gpio=1 rx_gpio=3\n  uart1: tx_gpio=17 rx_gpio=16\n")
        out, st = sh.status("lshw -f leds")
        assert out == "[leds]\n  led_gpio: 2\n  rgb_gpio: -\n"
        out, st = sh.status("lshw -f pins")
        assert "  builtin_gpio: 2\n" in out and "  i2c_sda_gpio: 21\n" in out
        out, st = sh.status("lshw -f")
        for sec in ("identity", "mcu", "capabilities", "buses", "leds", "pins"):
            assert "[%s]\n" % sec in out
        assert "  clock_mhz: 240\n" in out and "  ram_kib: 520\n" in out and "  wifi: yes\n" in out
        out, st = sh.status("lshw -f nope")
        assert st == 1 and "no section 'nope'" in out
        # on a real board `sensors` reads only the sensor modules in use (reading loads a
        # module and books its pins); -a reads them all
        out, st = sh.status("sensors")
        assert st == 1 and "no sensor module loaded yet" in out
        sh.run("light_sensor illuminance")
        out, st = sh.status("sensors")
        assert out.startswith("light_sensor") and "bme280" not in out, out
        out, st = sh.status("sensors -a")
        assert "bme280" in out and "light_sensor" in out
    finally:
        sh.close()


def test_lshw_shows_recovery(make_node):
    node = make_node(start=False)
    open(node.path("recovery"), "w").close()
    node.start()
    sh = Nsh(node)
    try:
        out, st = sh.status("lshw")
        assert "Recovery: yes" in out
    finally:
        sh.close()


def test_every_command_answers_help_and_bad_options(nsh):
    out = nsh.run("help")
    names = [l.split()[0] for l in out.split("Commands:\n")[1].split("Load Module")[0].splitlines()]
    assert {"ls", "cat", "grep", "curl", "jq", "lshw", "wdt", "ping"} <= set(names)
    for name in names:
        out, st = nsh.status("%s --help" % name)
        assert st == 0 and out.startswith("usage: %s" % name), name
    for line in ("ls -Z", "cat -Z /x", "df -Z", "ping -Z x", "lshw -Z"):
        out, st = nsh.status(line)
        assert st == 2 and "unknown option" in out and "usage:" in out, line


def test_system_commands(node, nsh):
    out, st = nsh.status("date -u")
    assert st == 0 and out.endswith(" +0000 UTC\n")
    out, st = nsh.status("uptime")
    assert st == 0 and " up 0 days, " in out
    out, st = nsh.status("free -h")
    assert st == 0 and out.startswith("Total:")
    out, st = nsh.status("df")
    assert st == 0 and "Free:" in out
    out, st = nsh.status("sensors")
    assert "bme280" in out and "temp[C]" in out
    out, st = nsh.status("wdt")
    assert st == 0 and "Watchdog: none armed" in out
    out, st = nsh.status("wdt -t 3")
    assert st == 0 and "Watchdog started (node) with timeout = 3 seconds" in out
    time.sleep(4)  # the loop turns, so it is fed: the node lives on
    out, st = nsh.status("wdt")
    assert "Watchdog: node, timeout 3 s" in out
    out, st = nsh.status("wdt -s")
    assert st == 0
    assert node.alive()


class _Sntp:
    """A minimal SNTP server on loopback that says the time is `shift` s ahead."""

    def __init__(self, shift):
        self.shift = shift
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = False
        self.th = threading.Thread(target=self.serve, daemon=True)
        self.th.start()

    def serve(self):
        import struct
        while not self.stop:
            try:
                req, peer = self.sock.recvfrom(512)
            except socket.timeout:
                continue
            if len(req) < 48:
                continue
            t = time.time() + self.shift + 2208988800
            ts = struct.pack("!II", int(t), int((t % 1) * (1 << 32)))
            resp = bytes([0x24, 1, 0, 0xEC]) + bytes(8) + b"GPS\0" + ts + req[40:48] + ts + ts
            self.sock.sendto(resp, peer)

    def close(self):
        self.stop = True
        self.th.join()
        self.sock.close()


def test_ntpupdate_uses_the_node_sntp(make_node):
    srv = _Sntp(shift=3600)
    try:
        node = make_node("utc=0", "ntpserver=127.0.0.1:%d" % srv.port)
        sh = Nsh(node)
        try:
            time.sleep(1)  # the start-up sync; ntpupdate asks for another one
            out, st = sh.status("ntpupdate")
            assert st == 0, out
            assert out.startswith("clock set from 127.0.0.1:%d, offset " % srv.port)
            out, st = sh.status("date -u")
            y, m, d = time.strftime("%Y %m %d", time.gmtime(time.time() + 3600)).split()
            assert "%s-%s-%s" % (y, m, d) in out
        finally:
            sh.close()
    finally:
        srv.close()
    dead = make_node("utc=0", "ntpserver=127.0.0.1:%d" % _closed_port())
    sh = Nsh(dead)
    try:
        out, st = sh.status("ntpupdate")
        assert st == 1 and "ntpupdate:" in out
    finally:
        sh.close()


def test_intercon_command(node, nsh):
    # InterCon dials the target on the node's own socport: the node calls itself
    out, st = nsh.status("intercon 127.0.0.1 'system clock'")
    assert st == 0, out
    assert out.startswith(time.strftime("%Y.", time.gmtime()))
    out, st = nsh.status("intercon 127.0.0.1 nosuchmodule func")
    assert st == 1 and "No module named 'LM_nosuchmodule'" in out  # the remote's error
    out, st = nsh.status("intercon 127.0.0.9 'system clock'")
    assert st == 1 and "intercon" in out.lower()
    out, st = nsh.status("intercon 127.0.0.1")
    assert st == 2 and "usage: intercon" in out


def test_over_the_telnet_door_with_a_slow_reader(make_node):
    from conftest import free_port
    tport = free_port()
    node = make_node("telnet=True", "telnetport=%d" % tport)
    line = b"t" * 63 + b"\n"
    with open(write(node, "data/t.txt", b""), "wb") as f:
        f.write(line * (20 * 16384))  # 20 MB
    s = socket.create_connection(("127.0.0.1", tport), 10)
    s.settimeout(30)
    buf = b""
    while not buf.endswith(b"/ $ "):
        buf += s.recv(4096)
    rss0 = node.rss_kb()
    s.sendall(b"cat /data/t.txt\r\n")
    got = b""
    lines = 0
    slow = 0
    while True:
        chunk = s.recv(65536)
        assert chunk
        if slow < 40:  # a slow reader first: the door stops nsh, nothing piles up
            slow += 1
            time.sleep(0.02)
        lines += chunk.count(b"\n")
        got = (got + chunk)[-16:]
        if got.endswith(b"/ $ ") and lines >= 20 * 16384:
            break
    assert lines == 20 * 16384
    if not SANITIZED:
        assert node.rss_kb() - rss0 < 16 * 1024
    # the reader goes away in the middle of a cat: the node carries on
    s.sendall(b"cat /data/t.txt\r\n")
    s.recv(1024)
    s.close()
    write(node, "data/b.bin", b"\x00\x01binary")
    s = socket.create_connection(("127.0.0.1", tport), 10)
    s.settimeout(10)
    buf = b""
    while not buf.endswith(b"/ $ "):
        buf += s.recv(4096)
    s.sendall(b"cat /data/b.bin\r\n")
    buf = b""
    while not buf.endswith(b"/ $ "):
        buf += s.recv(4096)
    assert b"binary file (8 bytes), not shown; use hexdump" in buf
    s.close()
    assert node.alive()


def test_date_follows_the_zone(make_node):
    node = make_node("tz=CET-1CEST,M3.5.0,M10.5.0/3")
    sh = Nsh(node)
    try:
        out, st = sh.status("date")
        assert st == 0
        assert out.endswith(" +0100 CET\n") or out.endswith(" +0200 CEST\n"), out
        local = time.gmtime(time.time() + (3600 if out.endswith("CET\n") else 7200))
        assert time.strftime("%Y-%m-", local) in out
        out, st = sh.status("date -x")
        assert st == 2 and "usage: date [-u]" in out
    finally:
        sh.close()


def test_interpreter_file_access_does_not_follow_links_out(node, nsh, tmp_path):
    secret = tmp_path / "outside" / "s.txt"
    secret.parent.mkdir()
    secret.write_text("SECRET\n")
    os.symlink(str(secret), node.path("data", "evil"))
    os.symlink(str(secret.parent), node.path("data", "evdir"))
    nsh.run("echo pwned >> /data/evil")
    out, st = nsh.status("cd /data/evdir")
    assert secret.read_text() == "SECRET\n"
    assert st != 0
