"""Notifications (README "Notifications"): the notify service's channels against
real local endpoints.

A local http.server stands in for the webhook and for the Telegram bot API
(notify_tg_url points at it); a raw listener that accepts and never answers is
the endpoint that hangs. Payload shapes, the bearer token, the rate limit and its
suppressed counter, retries with backoff on HTTP 500, a hanging endpoint while
the node keeps answering its shell, a flood that stays bounded, and the MQTT
channel through a real mosquitto broker with mosquitto_sub.
"""
import http.server
import json
import os
import shutil
import socket
import subprocess
import threading
import time

import pytest

from conftest import free_port

TOKEN = "s3cr3t-b34r3r-t0k3n"
BOT = "123456:AAbotTOKENsecret"


class Endpoint:
    """A webhook / Telegram stand-in: records every POST; status is what it answers."""

    def __init__(self, status=200, body=None):
        self.status = status
        self.body = body
        self.posts = []  # (time, path, headers, body bytes)
        self.lock = threading.Lock()
        ep = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with ep.lock:
                    ep.posts.append((time.monotonic(), self.path, dict(self.headers), body))
                out = b'{"ok": true}' if ep.status == 200 else b'{"ok": false}'
                if ep.body is not None:
                    out = ep.body
                self.send_response(ep.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            def log_message(self, *a):
                pass

        self.srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.srv.server_address[1]
        self.t = threading.Thread(target=self.srv.serve_forever, daemon=True)
        self.t.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def wait(self, count, timeout=10):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if len(self.posts) >= count:
                    return list(self.posts)
            time.sleep(0.05)
        with self.lock:
            return list(self.posts)

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


class Hang:
    """Accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def _run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.t.join()
        for c in self.conns:
            c.close()
        self.sock.close()


@pytest.fixture
def endpoint():
    e = Endpoint()
    yield e
    e.close()


def status(node):
    return json.loads(node.cmd("notify status >json"))


def wait_status(node, ch, pred, timeout=20):
    deadline = time.time() + timeout
    st = None
    while time.time() < deadline:
        st = status(node)[ch]
        if pred(st):
            return st
        time.sleep(0.1)
    raise AssertionError("notify status %s never matched: %s" % (ch, st))


def all_logs(node):
    out = b""
    for root, _, files in os.walk(node.path("logs")):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                out += fh.read()
    with open(node.path("stderr.log"), "rb") as fh:
        out += fh.read()
    return out


def test_webhook_payload_and_bearer_token(make_node, endpoint):
    node = make_node("devfid=door1", "notify_webhook=" + endpoint.url(), "notify_webhook_token=" + TOKEN)
    out = json.loads(node.cmd("notify send 'door open' title='Door' >json"))
    assert out == {"MQTT": "off", "Webhook": "queued", "Telegram": "off"}
    posts = endpoint.wait(1)
    assert len(posts) == 1
    _, path, headers, body = posts[0]
    assert path == "/hook"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == "Bearer " + TOKEN
    msg = json.loads(body)
    assert set(msg) == {"node", "title", "text", "time", "suppressed"}
    assert msg["node"] == "door1" and msg["title"] == "Door" and msg["text"] == "door open"
    assert msg["suppressed"] == 0 and abs(msg["time"] - time.time()) < 60
    st = wait_status(node, "Webhook", lambda s: s["sent"] == 1)
    assert st["configured"] is True and st["failed"] == 0 and st["queued"] == 0
    assert node.cmd("notify channels") == "['Webhook']\n"
    # the token is a secret: never in a log, masked in the config dump
    assert TOKEN.encode() not in all_logs(node)


def test_webhook_without_token_sends_no_authorization(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url("/plain"))
    node.cmd("notify send 'x'")
    posts = endpoint.wait(1)
    assert len(posts) == 1 and "Authorization" not in posts[0][2]


def test_telegram_bot_api_shape(make_node, endpoint):
    node = make_node("devfid=garage", "notify_tg_url=" + endpoint.url(""), "notify_tg_token=" + BOT,
                     "notify_tg_chat=-100200300")
    out = json.loads(node.cmd("notify send 'motion' >json"))
    assert out["Telegram"] == "queued"
    posts = endpoint.wait(1)
    assert len(posts) == 1
    _, path, headers, body = posts[0]
    assert path == "/bot%s/sendMessage" % BOT
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"chat_id": "-100200300", "text": "garage: motion"}
    wait_status(node, "Telegram", lambda s: s["sent"] == 1)
    assert BOT.encode() not in all_logs(node)


def test_telegram_needs_token_and_chat(make_node, endpoint):
    node = make_node("notify_tg_url=" + endpoint.url(""), "notify_tg_token=" + BOT)
    assert json.loads(node.cmd("notify send 'x' >json"))["Telegram"] == "off"
    assert node.cmd("notify test channel='Telegram'").startswith("Core error: LM_notify->test: channel Telegram is not configured")


def test_rate_limit_counts_suppressed(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=3")
    with node.connect() as s:
        results = [json.loads(s.cmd("notify send 'm%d' >json" % i))["Webhook"] for i in range(5)]
    assert results == ["queued"] + ["suppressed"] * 4
    st = wait_status(node, "Webhook", lambda s: s["sent"] == 1)
    assert st["suppressed"] == 4
    time.sleep(3.2)  # the gate opens again: the next message says how many were left out
    assert json.loads(node.cmd("notify send 'after' >json"))["Webhook"] == "queued"
    posts = endpoint.wait(2)
    assert [json.loads(p[3])["text"] for p in posts] == ["m0", "after"]
    assert json.loads(posts[1][3])["suppressed"] == 4
    # notify test goes past the gate
    assert json.loads(node.cmd("notify test >json"))["Webhook"] == "queued"
    assert len(endpoint.wait(3)) == 3


def test_rate_limit_is_per_channel(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_tg_url=" + endpoint.url(""),
                     "notify_tg_token=" + BOT, "notify_tg_chat=1")
    a = json.loads(node.cmd("notify send 'a' >json"))
    b = json.loads(node.cmd("notify send 'b' >json"))
    assert a == {"MQTT": "off", "Webhook": "queued", "Telegram": "queued"}
    assert b == {"MQTT": "off", "Webhook": "suppressed", "Telegram": "suppressed"}
    assert len(endpoint.wait(2)) == 2


def test_http_500_is_retried_with_backoff(make_node):
    ep = Endpoint(status=500)
    try:
        node = make_node("notify_webhook=" + ep.url(), "notify_rate_s=0")
        node.cmd("notify send 'boom'")
        posts = ep.wait(3, timeout=15)
        assert len(posts) >= 3, "expected retries, got %d attempt(s)" % len(posts)
        t = [p[0] for p in posts]
        # backoff: at least 1 s, then at least 2 s between attempts (lower bounds only)
        assert t[1] - t[0] >= 0.9 and t[2] - t[1] >= 1.9
        assert all(json.loads(p[3])["text"] == "boom" for p in posts)
        st = status(node)["Webhook"]
        assert st["retries"] >= 2 and "HTTP 500" in st["last_error"] and st["sent"] == 0
        assert b"notify Webhook: attempt 1 failed (the endpoint answered HTTP 500)" in all_logs(node)
        # the endpoint heals: the message goes through on a later attempt
        ep.status = 200
        st = wait_status(node, "Webhook", lambda s: s["sent"] == 1, timeout=20)
        assert st["failed"] == 0 and st["queued"] == 0
    finally:
        ep.close()


def test_success_with_a_large_answer_body(make_node):
    ep = Endpoint(body=b"<html>" + b"x" * 200000 + b"</html>")
    try:
        node = make_node("notify_webhook=" + ep.url(), "notify_rate_s=0")
        node.cmd("notify send 'x'")
        st = wait_status(node, "Webhook", lambda s: s["sent"] == 1)
        assert st["retries"] == 0 and st["failed"] == 0 and len(ep.posts) == 1
    finally:
        ep.close()


def test_client_error_is_not_retried(make_node):
    ep = Endpoint(status=401)
    try:
        node = make_node("notify_webhook=" + ep.url(), "notify_rate_s=0")
        node.cmd("notify send 'x'")
        st = wait_status(node, "Webhook", lambda s: s["failed"] == 1)
        assert st["retries"] == 0 and "HTTP 401" in st["last_error"]
        assert len(ep.posts) == 1
    finally:
        ep.close()


def test_hanging_endpoint_times_out_and_node_keeps_answering(make_node):
    h = Hang()
    try:
        node = make_node("notify_webhook=http://127.0.0.1:%d/x" % h.port, "notify_rate_s=0")
        node.cmd("notify send 'stuck'")
        with node.connect() as s:  # the loop is free while the delivery waits
            for _ in range(20):
                assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        st = wait_status(node, "Webhook", lambda s: s["retries"] >= 1, timeout=15)
        assert "timeout" in st["last_error"] and st["queued"] == 1
    finally:
        h.close()


def test_notify_flood_stays_bounded(make_node):
    h = Hang()
    try:
        node = make_node("notify_webhook=http://127.0.0.1:%d/x" % h.port, "notify_rate_s=0")
        with node.connect() as s:
            for i in range(200):
                assert s.cmd("notify send 'flood %d' >json" % i).startswith("{")
            assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        st = status(node)["Webhook"]
        assert st["queued"] == 8  # ND_NOTIFY_QUEUE
        assert st["dropped"] == 200 - 8
        assert node.fd_count() < 64
    finally:
        h.close()


def test_bad_url_fails_once_without_retry(make_node):
    node = make_node("notify_webhook=https://example.org/hook")
    node.cmd("notify send 'x'")
    st = wait_status(node, "Webhook", lambda s: s["failed"] == 1)
    assert "https is not supported" in st["last_error"] and st["retries"] == 0


def test_disabled_and_too_long(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=0")
    assert node.cmd("system notifications enable=False").startswith("Notifications[Local, Webhook]: disabled")
    assert node.cmd("notify send 'x'").startswith(
        "Core error: LM_notify->send: notifications are disabled")
    assert node.cmd("system notify 'y'") == "Notifications disabled\n"
    node.cmd("system notifications enable=True")
    assert node.cmd("notify send '%s'" % ("a" * 600)).startswith(
        "Core error: LM_notify->send: text too long (max 511 bytes)")
    assert node.cmd("notify test channel='Pigeon'").startswith("Core error: LM_notify->test: no channel 'Pigeon'")
    time.sleep(0.5)
    assert endpoint.posts == []


def test_system_notify_routes_into_channels(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=0")
    assert node.cmd("system notify 'window open'") == \
        "Sent over Local, Webhook (2/2) client(s) - errors: (0)\n"
    assert json.loads(endpoint.wait(1)[0][3])["text"] == "window open"
    # micrOS's channels argument picks subscribers by name
    assert node.cmd("system notify 'only local' channels='Local'") == \
        "Sent over Local (1/1) client(s) - errors: (0)\n"
    assert node.cmd("system notify 'only hook' channels=['Webhook']") == \
        "Sent over Webhook (1/1) client(s) - errors: (0)\n"
    texts = [json.loads(p[3])["text"] for p in endpoint.wait(2)]
    assert texts == ["window open", "only hook"]
    lines = node.cmd("system notifications").splitlines()
    assert lines[0] == "Notifications[Local, Webhook]: enabled"
    assert lines[1].endswith(" window open") and lines[2].endswith(" only local")


def test_notify_from_cron_and_task(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=0", "cron=True",
                     "crontasks=*:*:*:*/2!notify send 'from cron'")
    posts = endpoint.wait(1, timeout=10)
    assert posts and json.loads(posts[0][3])["text"] == "from cron"
    node.cmd("notify send 'from task' &")
    deadline = time.time() + 10
    while time.time() < deadline:
        if any(json.loads(p[3])["text"] == "from task" for p in endpoint.posts):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the task's notification never arrived")


# ---- the MQTT channel through a real broker -------------------------------------------------
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def mqtt_available():
    return os.path.exists(MOSQUITTO) and shutil.which("mosquitto_sub") is not None


@pytest.mark.skipif(not mqtt_available(), reason="mosquitto not installed")
def test_mqtt_channel(make_node, tmp_path):
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
    broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    sub = None
    try:
        deadline = time.time() + 5
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        node = make_node("devfid=mq1", "mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % port,
                         "notify_mqtt=~/notify", "notify_rate_s=0")
        sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "nodus/mq1/notify",
                                "-C", "1", "-W", "15"], stdout=subprocess.PIPE)
        # wait for the node's session, then send until the subscriber is surely listening
        deadline = time.time() + 10
        while time.time() < deadline and sub.poll() is None:
            node.cmd("notify send 'over mqtt' title='M'")
            time.sleep(0.5)
        out, _ = sub.communicate(timeout=15)
        msg = json.loads(out)
        assert msg["node"] == "mq1" and msg["text"] == "over mqtt" and msg["title"] == "M"
        assert status(node)["MQTT"]["sent"] >= 1
    finally:
        if sub and sub.poll() is None:
            sub.kill()
        broker.terminate()
        broker.wait()
