"""The web UI in a real browser, and the widget data it is built from.

The browser checks live in tests/browser/test_dashboard.mjs (Debian's
chromium driven by playwright-core); these tests start a real node with the
web door on a free port and run that script against it. They fail -- not
skip -- when chromium, node or playwright-core is missing: CI must install
them (apt-get install chromium nodejs npm; npm ci at the repo root).
"""
import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request

from conftest import ROOT, free_port

SCRIPT = os.path.join(ROOT, "tests", "browser", "test_dashboard.mjs")
NODE_JS = shutil.which("node") or "node"

ROBUSTNESS_WIDGETS = [
    '{"type": "button", "callback": "raise_error ", "result": false, "options": ["None"]}',
    '{"type": "button", "callback": "create_task count=:options: period=:options:", "result": false, "options": ["None"]}',
    '{"type": "slider", "callback": "level value=:range:", "range": [0, 100, 5]}',
]


def web_node(make_node, *sets):
    port = free_port()
    n = make_node("webui=True", "webport=%d" % port, *sets)
    n.web = "http://127.0.0.1:%d" % port
    deadline = time.time() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return n
        except OSError:
            if time.time() > deadline:
                raise AssertionError("web door not listening on %d; see %s" % (port, n.path("stderr.log")))
            time.sleep(0.05)


def run_browser(url, *args, timeout=180):
    env = dict(os.environ)
    env.setdefault("ND_ARTIFACTS", os.path.join(ROOT, "build", "artifacts"))
    p = subprocess.run([NODE_JS, SCRIPT, url] + list(args), cwd=ROOT, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    out = p.stdout.decode(errors="replace")
    print(out)
    assert p.returncode == 0, "browser test failed (exit %d):\n%s" % (p.returncode, out)
    assert "not ok" not in out
    return out


def get_json(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read().decode())


# ---- the data the dashboard is built from ------------------------------------------------

def test_help_true_gives_widget_json_in_the_shell(node):
    """`<module> help True`: one widget JSON string per tagged help line."""
    with node.connect() as s:
        assert s.cmd("robustness help True") == "".join(" %s,\n" % w for w in ROBUSTNESS_WIDGETS)
        # text mode is unchanged: tags removed, untagged lines kept
        text = s.cmd("robustness help")
        assert " level value=<0-100-5>,\n" in text and " memory_leak n,\n" in text
        assert "BUTTON" not in text and "SLIDER" not in text
        assert json.loads(s.cmd("robustness help widgets=True >json")) == ROBUSTNESS_WIDGETS
        # the demo slider echoes its value
        assert s.cmd("robustness level 35 >json") == '{"level": 35}\n'


def test_rest_help_true_serves_the_dashboard(make_node):
    n = web_node(make_node)
    r = get_json(n.web + "/rest/robustness/help/True")
    assert r == {"result": ROBUSTNESS_WIDGETS, "state": True}
    r = get_json(n.web + "/rest/system/help/True")
    assert r["state"] is True
    widgets = [json.loads(w) for w in r["result"]]
    assert {"type": "graph", "callback": "top ", "refresh": 5000, "limit": 30} in widgets
    assert all(w["type"] in ("button", "textbox", "graph") for w in widgets)
    assert get_json(n.web + "/rest/robustness/level/value%3D70") == {"result": {"level": 70}, "state": True}


def test_web_ui_files_are_served(make_node):
    n = web_node(make_node)
    for path, marker in (("/", b'id="con-in"'), ("/dashboard", b'id="modules"'),
                         ("/config/ui", b'id="cfg-form"'), ("/fs", b'id="up-file"'),
                         ("/fs.js", b"/fs/files"), ("/api.js", b"restPath"),
                         ("/widgets.js", b"widget"), ("/nodus.css", b":root")):
        with urllib.request.urlopen(n.web + path, timeout=5) as r:
            assert r.status == 200
            assert marker in r.read(), path


# ---- the browser ----------------------------------------------------------------------------

def test_dashboard_console_and_config_in_chromium(make_node):
    n = web_node(make_node)
    out = run_browser(n.web)
    assert "ok - dashboard: a SLIDER sends the value it was moved to" in out
    assert "ok - files: delete asks to confirm, then the file is gone" in out
    assert os.path.getsize(os.path.join(ROOT, "build", "artifacts", "dashboard.png")) > 10000


def test_config_page_with_auth_and_another_password(make_node):
    n = web_node(make_node, "auth=True", "appwd=Brows3rX1")
    run_browser(n.web, "--only", "config", "--password", "Brows3rX1")


def test_files_page_with_auth(make_node):
    """auth on: reading and writing want the password, asked once; a wrong one is refused."""
    n = web_node(make_node, "auth=True", "appwd=Brows3rX1")
    out = run_browser(n.web, "--only", "files", "--password", "Brows3rX1")
    assert "ok - files: a file chosen in the page is uploaded and listed" in out
    assert os.listdir(n.path("web", "user_data", "tmp")) == []
