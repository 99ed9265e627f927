"""micrOS conformance leftovers of issue 11 (items 6, 7, 9 and the BUTTON
widget): each test compares with what micrOS documents or does, against a
real node process."""
import json
import os
import re
import socket
import time
import urllib.error
import urllib.request

import pytest

from conftest import free_port


def _ok(reply):
    return "Core error" not in reply and "Error" not in reply


# ---- item 6: hwbackend=linux without a GPIO chip -----------------------------
def test_linux_backend_without_chip_fails_each_call(make_node):
    """No simulated success: every hardware call names the missing chip, the node
    keeps running (shell and `system info` show the reason)."""
    chip = "/nonexistent/gpiochip-nodus-test"
    n = make_node("hwbackend=linux", env={"ND_GPIOCHIP": chip})
    why = "hwbackend linux is not usable: cannot open GPIO chip %s" % chip
    for line in ("genIO set_out 17 1", "genIO get_in 23", "dht22 measure", "i2c scan",
                 "neopixel color 10 20 30", "light_sensor intensity"):
        r = n.cmd(line)
        assert "Core error" in r and why in r, (line, r)
    info = n.cmd("system info")
    assert "problems: hwbackend linux: cannot open GPIO chip %s" % chip in info
    assert "every hardware call fails until fixed" in info
    # the simulated board is not standing in
    assert "the sim board is not active (hwbackend is linux)" in n.cmd("sim set 4 1")
    assert n.alive()


# ---- item 7: small ones --------------------------------------------------------
def _readme():
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")) as f:
        return f.read()


def test_readme_conf_dump_example_prints_what_it_shows(node):
    """The README's configuration-mode example: `dump soc` lists the keys that
    contain `soc` in micrOS's layout (`  key` padded to 10, `:`, 7 spaces, value);
    micrOS's dump is a substring filter, so `dump sock` matches nothing there too."""
    block = _readme().split("### Configuration mode", 1)[1].split("```", 2)[1]
    lines = block.strip("\n").splitlines()
    i = lines.index("[configure] node01 $ dump soc")
    shown = []
    for ln in lines[i + 1:]:
        if ln.startswith("["):
            break
        shown.append(ln)
    assert shown, "README example shows no dump output"
    with node.connect() as s:
        s.cmd("conf")
        got = s.cmd("dump soc").splitlines()
        assert len(got) == len(shown)
        for g, w in zip(got, shown):
            key = w.split(":")[0]
            assert g.startswith(key + ":" + " " * 8), (g, w)
            assert re.match(r"^  \w+ *: {8}\S", g)
        assert "dump sock" not in _readme()
        assert s.cmd("dump sock") == ""
        s.cmd("noconf")


def test_nodus_status_hello_ms_sub_millisecond(node, tmp_path):
    """`nodus status` prints the hello round trip with microsecond resolution:
    a loopback round trip is far below 0.1 ms and must not read 0.0."""
    import subprocess
    from conftest import NODUS_BIN
    cache = tmp_path / "cache.json"
    cache.write_text(json.dumps({"micrLOOPOS": ["127.0.0.1", node.port, "node01"]}))
    env = dict(os.environ, NODUS_DEVICE_CACHE=str(cache))
    r = subprocess.run([NODUS_BIN, "status"], env=env, capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    row = [ln.split() for ln in r.stdout.splitlines() if ln.startswith("micrLOOPOS")][0]
    assert row[3] == "ONLINE"
    assert re.match(r"^\d+\.\d{3}$", row[6]) and float(row[6]) > 0, row


# ---- widget BUTTON: micrOS 3.x's Types.BUTTON template ------------------------
def test_button_widget_is_micros_template(node):
    """micrOS's BUTTON = {'type': 'button', 'callback': ..., 'result': False,
    'options': ('None',)} dumped with json.dumps (docs/micros-compat.md §8.3)."""
    got = json.loads(node.cmd("robustness help True >json"))
    assert '{"type": "button", "callback": "raise_error ", "result": false, "options": ["None"]}' in got
    # an <a,b> placeholder replaces options in place: result stays before it
    rgb = [w for w in json.loads(node.cmd("rgb help True >json")) if '"toggle ' in w]
    assert rgb == ['{"type": "button", "callback": "toggle state=:options: smooth=True", '
                   '"result": false, "options": ["True", "False"]}']


# ---- item 7: `~~~` broadcast lines (micrOS Server.reply_all) -------------------
def _web_node(make_node, *sets):
    wp = free_port()
    n = make_node("webui=True", "webport=%d" % wp, *sets)
    n.webport = wp
    n.url = "http://127.0.0.1:%d" % wp
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", wp), 0.2).close()
            break
        except OSError:
            time.sleep(0.02)
    return n


def _http(method, url, data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _read_line(s, timeout=10):
    s.settimeout(timeout)
    buf = b""
    while not buf.endswith(b"\n"):
        buf += s.recv(1)
    return buf.decode()


def test_intercon_nohost_is_broadcast_to_every_shell(node):
    """micrOS: `~~~ [intercon] NoHost: <err>` to every connected shell client,
    besides the task's own output. A session idle at its prompt gets it ahead of
    its next reply, never after its prompt (a client reading up to the prompt
    would hang there)."""
    with node.connect() as a, node.connect() as b:
        assert a.cmd("system heartbeat >>nosuchhostxyz") == "{'con.nosuchhostxyz.system': 'Starting'}\n"
        deadline = time.time() + 10
        while time.time() < deadline and "Yes" in a.cmd("task list"):
            time.sleep(0.05)
        b.sock.settimeout(0.5)
        with pytest.raises(socket.timeout):
            b.sock.recv(100)  # nothing after the prompt
        b.sock.settimeout(5)
        out = b.cmd("system heartbeat")
        assert out == "~~~ [intercon] NoHost: nosuchhostxyz (name not found)\n<3 heartbeat <3\n", out
        assert b.cmd("system heartbeat") == "<3 heartbeat <3\n"  # once


def test_alarms_streams_the_logs_as_tilde_lines(node):
    """micrOS's `system alarms`: each logs/*.sys.log as `~~~ <file>` and
    `~~~ \\t<line>` lines before the verdict."""
    with node.connect() as s:
        out = s.cmd("system alarms")
    lines = out.splitlines()
    assert lines[-1] in (" OK alarm: 0",) or lines[-1].startswith(" NOK alarm: ")
    assert "~~~ boot.sys.log" in lines
    i = lines.index("~~~ boot.sys.log")
    assert lines[i + 1].startswith("~~~ \t") and "[BOOT]" in lines[i + 1]
    assert all(ln.startswith("~~~ ") for ln in lines[:-1])


# ---- item 9: data_logger, socket_stream (dht22 uses both, as micrOS's LM_dht22) --
def test_dht22_data_logger_file_and_stream(make_node):
    n = _web_node(make_node)
    for _ in range(14):
        assert "temp[C]" in n.cmd("dht22 measure log=True")
    with open(n.path("data", "dht22.dat")) as f:
        rows = f.read().splitlines()
    assert len(rows) == 12  # micrOS data_logger's default limit
    assert all(re.match(r"^\d+\.\d+\.\d+-\d+:\d+:\d+ \{'temp\[C\]': 21\.5, 'hum\[%\]': 48\.2\}$", r) for r in rows)
    out = n.cmd("dht22 logger")
    assert out == "~~~ dht22.dat\n" + "".join("~~~ \t%s\n" % r for r in rows) + "\n"
    # readable over the web: the $data mount, listed and served
    code, body = _http("POST", n.url + "/fs/list", b"$data")
    assert code == 200
    assert "$data/dht22.dat" in [x["path"] for x in json.loads(body)]
    code, body = _http("GET", n.url + "/$data/dht22.dat")
    assert code == 200 and body.decode().splitlines() == rows


# ---- item 7: /fs subfolders and micrOS's mount names --------------------------------
def _upload(url, filename, data):
    boundary = "nodusconf0123"
    body = (b"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
            b"Content-Type: application/octet-stream\r\n\r\n%s\r\n--%s--\r\n"
            % (boundary.encode(), filename.encode(), data, boundary.encode()))
    return _http("POST", url + "/fs/files", body,
                 {"Content-Type": "multipart/form-data; boundary=" + boundary})


def test_fs_subfolders_and_mounts(make_node):
    n = _web_node(make_node)
    code, body = _http("GET", n.url + "/fs/dirs")
    assert json.loads(body) == [["/user_data", "rw"], ["$modules", "rw"], ["$data", "r"], ["$logs", "r"]]
    assert _upload(n.url, "user_data/pics/2024/a.txt", b"deep") == (200, b"ok")
    assert _upload(n.url, "user_data/top.txt", b"top") == (200, b"ok")
    with open(n.path("web", "user_data", "pics", "2024", "a.txt"), "rb") as f:
        assert f.read() == b"deep"
    code, body = _http("GET", n.url + "/fs/files")
    paths = sorted(x["path"] for x in json.loads(body))
    assert paths == ["/user_data/pics/2024/a.txt", "/user_data/top.txt"]
    code, body = _http("POST", n.url + "/fs/list", b"/user_data/pics")
    assert [x["path"] for x in json.loads(body)] == ["/user_data/pics/2024/a.txt"]
    assert _http("GET", n.url + "/user_data/pics/2024/a.txt") == (200, b"deep")
    assert _http("DELETE", n.url + "/fs/files", b"/user_data/pics/2024/a.txt") == \
        (200, b"/user_data/pics/2024/a.txt deleted")
    # bounded depth, no hidden segment, no climbing out
    for bad in ("user_data/a/b/c/d/e.txt", "user_data/a/.b/c.txt", "user_data/../../x.txt"):
        code, body = _upload(n.url, bad, b"x")
        assert code == 400 and b"Invalid filename" in body, bad
    # $logs: listed, served, read-only (micrOS's text, as a 500)
    code, body = _http("POST", n.url + "/fs/list", b"$logs")
    logs = [x["path"] for x in json.loads(body)]
    assert "$logs/boot.sys.log" in logs
    code, body = _http("GET", n.url + "/$logs/boot.sys.log")
    assert code == 200 and b"[BOOT]" in body
    code, body = _upload(n.url, "$logs/x.txt", b"x")
    assert code == 500 and b"ReadOnly path: $logs/x.txt" in body
    code, body = _http("DELETE", n.url + "/fs/files", b"$logs/boot.sys.log")
    assert code == 500 and b"ReadOnly path: $logs/boot.sys.log" in body
    assert os.path.exists(n.path("logs", "boot.sys.log"))
    assert _http("GET", n.url + "/$data/../config/node_config.json")[0] in (400, 404)


# ---- item 9: web_endpoint (micrOS's LM_dashboard_be registers /dashboard) -------
def test_dashboard_be_registers_its_endpoint(make_node):
    n = _web_node(make_node)
    before = urllib.request.urlopen(n.url + "/dashboard", timeout=10)
    assert before.headers.get("cache-control") != "no-store"  # the door's own file
    assert n.cmd("dashboard_be load") == "Endpoint created: /dashboard\n"
    assert n.cmd("dashboard_be create_dashboard") == "Endpoint created: /dashboard\n"  # replaces
    r = urllib.request.urlopen(n.url + "/dashboard", timeout=10)
    body = r.read()
    assert r.headers["content-type"] == "text/html" and r.headers["cache-control"] == "no-store"
    assert body == before.read() and b"<!DOCTYPE html>" in body
    # a user's own page in <state>/web/ is what the callback reads first, as micrOS reads web_dir
    with open(n.path("web", "dashboard.html"), "w") as f:
        f.write("<!DOCTYPE html><p>mine</p>")
    assert urllib.request.urlopen(n.url + "/dashboard", timeout=10).read() == b"<!DOCTYPE html><p>mine</p>"
    # listed once in the REST info's usr_endpoints
    info = json.loads(urllib.request.urlopen(n.url + "/rest", timeout=10).read())
    assert info["result"]["usr_endpoints"].count("dashboard") == 1
    # with auth on, the endpoint needs the password
    n2 = _web_node(make_node, "auth=True", "appwd=ADmin123")
    with n2.connect() as s:
        s.cmd("ADmin123")
        assert s.cmd("dashboard_be load") == "Endpoint created: /dashboard\n"
    code, _ = _http("GET", n2.url + "/dashboard")
    assert code == 401
    code, body = _http("GET", n2.url + "/dashboard", headers={"x-micros-auth": "ADmin123"})
    assert code == 200 and b"<!DOCTYPE html>" in body


# ---- item 7: IPv6 -- the doors listen on both families, InterCon dials IPv6 ------
def _shell_hello(family, addr, port):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((addr, port))
    buf = b""
    while not buf.endswith(b"$ "):
        buf += s.recv(4096)
    s.sendall(b"hello\n")
    buf = b""
    while not buf.endswith(b"$ "):
        buf += s.recv(4096)
    s.close()
    return buf.decode()


def test_default_bind_listens_on_ipv4_and_ipv6(make_node):
    """bind=0.0.0.0 (the default) is one dual-stack socket: the address mDNS
    announces as AAAA answers too. mdns=False: no multicast leaves the test."""
    port = free_port()
    n = make_node("bind=0.0.0.0", "mdns=False", port=port)
    assert _shell_hello(socket.AF_INET, "127.0.0.1", port).startswith("hello:node01:")
    assert _shell_hello(socket.AF_INET6, "::1", port).startswith("hello:node01:")
    assert n.alive()


def test_intercon_to_an_ipv6_target(make_node):
    """`cmd >>[::1]` and `cmd >>::1`: InterCon dials IPv6 literals (the target
    listens on ::1 only, at the caller's socport as micrOS requires)."""
    port = free_port()
    target = make_node("bind=::1", "mdns=False", "devfid=six", port=port, start=False)
    target.ip = "::1"
    target.start(wait=False)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            _shell_hello(socket.AF_INET6, "::1", port)
            break
        except OSError:
            time.sleep(0.05)
    caller = make_node(port=port)
    with caller.connect() as s:
        for spec in ("[::1]", "::1"):
            assert s.cmd("system heartbeat >>" + spec) == "{'con.1.system': 'Starting'}\n"
            deadline = time.time() + 10
            out = ""
            while time.time() < deadline:
                out = s.cmd("task show con.1.system")
                if "heartbeat" in out or "intercon" in out:
                    break
                time.sleep(0.1)
            assert out == " <3 heartbeat <3 \n" or out == "<3 heartbeat <3 \n", (spec, out)


# ---- the node side of micrOS's Gateway queries -----------------------------------
def test_gateway_queries_answer_as_micros(make_node):
    """What micrOS's Gateway asks a node: `system info >json` (a JSON object),
    `modules` (a list; `>json` leaves non-dicts as they are), widgets over
    /rest/<module>/help/True, and the /rest envelope {"result", "state"}."""
    n = _web_node(make_node)
    info = json.loads(n.cmd("system info >json"))
    assert {"Mem usage [%]", "FS usage [%]", "upython", "board", "uptime"} <= set(info)
    assert n.cmd("modules >json") == "['system', 'task']\n"
    code, body = _http("GET", n.url + "/rest/system/info")
    assert code == 200 and json.loads(body) == {"result": info | {"uptime": json.loads(body)["result"]["uptime"]},
                                                "state": True}
    code, body = _http("GET", n.url + "/rest/robustness/help/True")
    r = json.loads(body)
    assert r["state"] is True and all(isinstance(w, str) and json.loads(w)["type"] for w in r["result"])
    code, body = _http("GET", n.url + "/rest/modules")
    r = json.loads(body)
    assert r["state"] is True and sorted(r["result"]) == ["robustness", "system", "task"]
    code, body = _http("GET", n.url + "/rest/system/heartbeat")
    assert json.loads(body) == {"result": "<3 heartbeat <3", "state": True}
