"""MQTT door of the node against a real mosquitto broker (tests/blackbox/mqttbroker.py):
commands and replies, birth and last will, telemetry, events, mqttc, the broker
going away and coming back, and every bad input of issue 14."""
import json
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from mqttbroker import Broker, available, free_port

pytestmark = pytest.mark.skipif(not available(), reason="mosquitto not installed")


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path).start()
    yield b
    b.kill()


def mqtt_node(make_node, broker, *sets, dev="mq1", port=None):
    return make_node("mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % (port or broker.port),
                     "devfid=%s" % dev, "webui=False", "mdns=False", *sets)


def cmd_reply(broker, sub, line, node="mq1", timeout=10, match=None):
    broker.pub("nodus/%s/cmd" % node, line, qos=1)
    return json.loads(sub.wait(lambda m: m[1] == "nodus/%s/reply" % node
                               and (match is None or match(json.loads(m[2]))), timeout)[2])


def wait_online(sub, node="mq1", timeout=15):
    return sub.wait(lambda m: m[1] == "nodus/%s/status" % node and m[2] == "online", timeout)


def log_text(n):
    try:
        with open(n.path("stderr.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


# ---- commands and replies ------------------------------------------------------------------

def test_cmd_reply_text_and_json_ids(make_node, broker):
    sub = broker.sub("nodus/mq1/#")
    try:
        n = mqtt_node(make_node, broker)
        wait_online(sub)
        r = cmd_reply(broker, sub, "hello")
        assert r["state"] is True and r["result"].startswith("hello:mq1:")
        assert "id" not in r
        # JSON with an id: the reply carries the same id, the result as JSON
        r = cmd_reply(broker, sub, json.dumps({"cmd": "system heartbeat", "id": "abc-1"}),
                      match=lambda j: j.get("id") == "abc-1")
        assert r == {"id": "abc-1", "result": "<3 heartbeat <3", "state": True}
        # numeric ids stay numbers
        r = cmd_reply(broker, sub, json.dumps({"cmd": "version", "id": 42}),
                      match=lambda j: j.get("id") == 42)
        assert r["state"] is True and r["result"].count(".") == 2
        # errors are the dispatcher's errors, state false
        r = cmd_reply(broker, sub, json.dumps({"cmd": "nosuchmodule f", "id": "e1"}),
                      match=lambda j: j.get("id") == "e1")
        assert r["state"] is False
        assert r["result"] == n.cmd("nosuchmodule f").strip()
        # a module function's dict result is JSON, as on REST
        r = cmd_reply(broker, sub, json.dumps({"cmd": "dht22 measure", "id": "m"}),
                      match=lambda j: j.get("id") == "m")
        assert isinstance(r["result"], dict) and "temp[C]" in r["result"]
    finally:
        sub.close()


def test_auth_on_mqtt_door_is_the_brokers(make_node, broker):
    """auth=True protects the shell; the MQTT door relies on the broker (README), but
    @sudo functions still need pwd= on it, as everywhere."""
    sub = broker.sub("nodus/mq1/#")
    try:
        mqtt_node(make_node, broker, "auth=True", "appwd=S3cretpw")
        wait_online(sub)
        r = cmd_reply(broker, sub, json.dumps({"cmd": "task list", "id": 1}),
                      match=lambda j: j.get("id") == 1)
        assert r["state"] is True
        r = cmd_reply(broker, sub, json.dumps({"cmd": "robustness func_sudo", "id": 2}),
                      match=lambda j: j.get("id") == 2)
        assert "Access denied" in json.dumps(r["result"])
        r = cmd_reply(broker, sub, json.dumps({"cmd": "robustness func_sudo pwd='S3cretpw'", "id": 3}),
                      match=lambda j: j.get("id") == 3)
        assert r["result"] == "Access granted"
    finally:
        sub.close()


# ---- birth, last will, telemetry, events ---------------------------------------------------

def test_birth_retained_and_lwt_on_kill(make_node, broker):
    n = mqtt_node(make_node, broker, "mqtt_keepalive=5")
    sub = broker.sub("nodus/mq1/status")
    try:
        wait_online(sub)
        late = broker.sub("nodus/mq1/status")
        try:  # retained: a late subscriber sees it at once
            late.wait(lambda m: m[0] is True and m[2] == "online", 5)
        finally:
            late.close()
        n.proc.send_signal(signal.SIGKILL)
        n.proc.wait()
        # the broker notices the dead socket (the kernel closes it) and publishes the will
        sub.wait(lambda m: m[2] == "offline", timeout=15)
    finally:
        sub.close()
    late = broker.sub("nodus/mq1/status")
    try:
        late.wait(lambda m: m[0] and m[2] == "offline", 5)
    finally:
        late.close()


def test_hung_node_offline_within_keepalive(make_node, broker):
    """A node that stops answering (SIGSTOP: its socket stays open) is declared dead by
    the broker after 1.5 keep-alive periods, which publishes the will; 30 s by default
    gives offline within 45 s -- here 5 s, so within 7.5 s (+ slack)."""
    n = mqtt_node(make_node, broker, "mqtt_keepalive=5")
    sub = broker.sub("nodus/mq1/status")
    try:
        wait_online(sub)
        t0 = time.time()
        n.proc.send_signal(signal.SIGSTOP)
        sub.wait(lambda m: m[2] == "offline", 15)
        assert time.time() - t0 >= 5  # the will came from the keep-alive, not a closed socket
        n.proc.send_signal(signal.SIGCONT)
        sub.clear()
        wait_online(sub, timeout=30)  # it notices, reconnects, says online again
    finally:
        n.proc.send_signal(signal.SIGCONT)
        sub.close()


def test_clean_stop_says_offline(make_node, broker):
    n = mqtt_node(make_node, broker)
    sub = broker.sub("nodus/mq1/status")
    try:
        wait_online(sub)
        assert n.stop() == 0
        sub.wait(lambda m: m[2] == "offline", 10)
    finally:
        sub.close()


def test_telemetry_and_sensor_readings(make_node, broker):
    sub = broker.sub("nodus/mq1/telemetry")
    try:
        n = mqtt_node(make_node, broker, "mqtt_telemetry_s=1")
        n.cmd("dht22 measure")  # loads the module: its readings join the telemetry
        m = sub.wait(lambda m: "dht22_temperature" in m[2], 15)
        t = json.loads(m[2])
        for k in ("uptime_s", "rss_bytes", "load_pct", "mem_total_bytes"):
            assert isinstance(t[k], (int, float)), k
        assert 0 < t["rss_bytes"] < 64 << 20
        assert isinstance(t["dht22_humidity"], (int, float))
    finally:
        sub.close()


def test_events_reach_events_topics(make_node, broker):
    sub = broker.sub("nodus/mq1/events/#", "nodus/mq1/status")
    try:
        n = mqtt_node(make_node, broker, "irq1=True", "irq1_cbf=sim dht t=30.5")
        wait_online(sub)
        n.cmd("robustness create_task 2 50")
        m = sub.wait(lambda m: m[1] == "nodus/mq1/events/task" and "robustness.counter" in m[2], 10)
        assert json.loads(m[2])
        sub.wait(lambda m: m[1] == "nodus/mq1/events/state" and "module" in m[2], 10)
        # a pin interrupt (the sim board's button on irq1's pin) is an event too
        n.cmd("sim set 4 1")
        m = sub.wait(lambda m: m[1] == "nodus/mq1/events/irq", 10)
        assert json.loads(m[2]) == {"irq": "irq1", "edge": "rising", "fired": 1}
    finally:
        sub.close()


# ---- mqttc ------------------------------------------------------------------------------------

def test_mqttc_pub_sub_listen_close(make_node, broker):
    sub = broker.sub("nodus/mq1/#", "other/#")
    try:
        n = mqtt_node(make_node, broker)
        wait_online(sub)
        assert "published" in n.cmd("mqttc pub 'other/x' 'hi there' qos=1")
        sub.wait(lambda m: m[1] == "other/x" and m[2] == "hi there")
        assert "subscribed" in n.cmd("mqttc sub 'in/+/t' qos=1")
        assert "in/+/t" in n.cmd("mqttc listsub")
        assert "Starting" in n.cmd("mqttc listen 50")
        time.sleep(0.3)
        broker.pub("in/a/t", "first")
        broker.pub("in/a/b/t", "not matching")
        broker.pub("in/b/t", "second")
        deadline = time.time() + 5
        out = ""
        while time.time() < deadline:
            out = n.cmd("task show mqttc.listen")
            if "second" in out:
                break
            time.sleep(0.1)
        assert "in/a/t first" in out and "in/b/t second" in out and "not matching" not in out
        r = n.cmd("mqttc ping")
        assert "connected" in r and "libmosquitto" in r
        assert "unsubscribed" in n.cmd("mqttc unsub 'in/+/t'")
        assert "not subscribed" in n.cmd("mqttc unsub 'in/+/t'")
        n.cmd("mqttc sub 'x/#'")
        assert "1 subscriptions dropped" in n.cmd("mqttc close")
        assert n.cmd("mqttc listsub").strip() in ("", "{}")
        # works from REST/JSON as well: lastwill validates
        assert "wildcard" in n.cmd("mqttc lastwill 'a/#' 'x'")
    finally:
        sub.close()


def test_mqttc_bad_topics(make_node, broker):
    n = mqtt_node(make_node, broker)
    assert "wildcard" in n.cmd("mqttc pub 'a/+/b' 'x'")
    assert "wildcard" in n.cmd("mqttc pub 'a/#' 'x'")
    assert "NUL" in n.cmd("mqttc pub 'a\\x00b' 'x'")
    assert "misplaced" in n.cmd("mqttc sub 'a/b#'")
    assert "NUL" in n.cmd("mqttc sub 'a\\x00b'")
    assert "empty" in n.cmd("mqttc pub '' 'x'")
    assert "too long" in n.cmd("mqttc pub '%s' 'x'" % ("t" * 300))
    assert n.cmd("hello").startswith("hello:")


def test_mqttc_when_mqtt_off(node):
    assert "MQTT is off" in node.cmd("mqttc pub 'a' 'x'")
    assert "MQTT is off" in node.cmd("mqttc sub 'a'")


# ---- the broker goes away and comes back -----------------------------------------------------

def test_broker_restart_reconnects_and_delivers_queued(make_node, tmp_path):
    port = free_port()
    b = Broker(tmp_path, port=port).start()
    wp = free_port()
    n = mqtt_node(make_node, b, "webui=True", "webport=%d" % wp, port=port)
    sub = b.sub("nodus/mq1/status")
    try:
        wait_online(sub)
    finally:
        sub.close()
    b.kill()
    # the node keeps serving its shell and REST while the broker is gone, and queues
    for i in range(5):
        assert "queued" in n.cmd("mqttc pub 'q/t' 'm%d' qos=1" % i)
    assert n.cmd("hello").startswith("hello:mq1")
    import urllib.request
    r = json.loads(urllib.request.urlopen("http://127.0.0.1:%d/rest/hello" % wp, timeout=5).read())
    assert r["result"].startswith("hello:mq1")
    b2 = Broker(tmp_path, port=port).start()
    sub = b2.sub("nodus/mq1/status", "q/t", "homeassistant/#")
    try:
        wait_online(sub, timeout=30)  # backoff is at most a few seconds this early
        for i in range(5):
            sub.wait(lambda m, i=i: m[1] == "q/t" and m[2] == "m%d" % i, 10)
        # discovery is re-published on the new broker
        sub.wait(lambda m: m[1].startswith("homeassistant/binary_sensor/mq1_status"), 10)
        r = cmd_reply(b2, b2.sub("nodus/mq1/reply"), "hello")
        assert r["result"].startswith("hello:mq1")
        st = n.cmd("mqttc ping")
        assert "connected" in st
    finally:
        sub.close()
        b2.kill()


def test_queue_is_bounded_drop_oldest(make_node, tmp_path):
    import urllib.request
    port, wp = free_port(), free_port()
    n = mqtt_node(make_node, Broker(tmp_path, port=port), "mqtt_queue=3", "webui=True",
                  "webport=%d" % wp, port=port)
    for i in range(10):
        n.cmd("mqttc pub 'q/t' 'm%d' qos=1" % i)
    b = Broker(tmp_path, port=port).start()
    sub = b.sub("q/t")
    try:
        sub.wait(lambda m: m[2] == "m9", 30)
        time.sleep(0.5)
        got = [m[2] for m in sub.all()]
        assert "m0" not in got and "m6" not in got and got[-3:] == ["m7", "m8", "m9"]
    finally:
        sub.close()
        b.kill()
    m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % wp, timeout=5).read().decode()
    dropped = [l for l in m.splitlines() if l.startswith("nodus_mqtt_dropped_total ")]
    assert dropped == ["nodus_mqtt_dropped_total 7"], dropped


# ---- bad input ------------------------------------------------------------------------------

def test_broker_absent_at_start(make_node, tmp_path):
    port = free_port()  # nothing listens here
    n = mqtt_node(make_node, Broker(tmp_path, port=port), port=port)
    assert n.cmd("hello").startswith("hello:")  # the doors open whatever the broker does
    deadline = time.time() + 10
    while time.time() < deadline and "Connection refused" not in log_text(n):
        time.sleep(0.1)
    assert "cannot connect to 127.0.0.1:%d: Connection refused" % port in log_text(n)
    st = n.cmd("mqttc ping")
    assert "waiting to retry" in st or "connecting" in st or "resolving" in st, st
    b = Broker(tmp_path, port=port).start()
    sub = b.sub("nodus/mq1/status")
    try:
        wait_online(sub, timeout=30)
    finally:
        sub.close()
        b.kill()


def test_listener_that_never_sends_connack(make_node, tmp_path):
    """TCP accepted, then silence: the node must not hang (shell answers) and gives up
    the attempt after its connect time-out, then retries."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    port = srv.getsockname()[1]
    conns = []

    def accept():
        while True:
            try:
                c, _ = srv.accept()
            except OSError:
                return
            conns.append(c)

    threading.Thread(target=accept, daemon=True).start()
    try:
        n = mqtt_node(make_node, None, port=port) if False else make_node(
            "mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % port, "devfid=mq1", "webui=False",
            "mdns=False")
        assert n.cmd("hello").startswith("hello:")
        deadline = time.time() + 25
        while time.time() < deadline and "no CONNACK" not in log_text(n):
            assert n.cmd("version").strip()
            time.sleep(0.5)
        assert "no CONNACK" in log_text(n)
        # it tried again on a new connection
        deadline = time.time() + 20
        while time.time() < deadline and len(conns) < 2:
            time.sleep(0.2)
        assert len(conns) >= 2
    finally:
        srv.close()
        for c in conns:
            c.close()


def test_wrong_credentials(make_node, tmp_path):
    b = Broker(tmp_path, users={"node": "rightpw"}).start()
    try:
        n = mqtt_node(make_node, b, "mqtt_user=node", "mqtt_pwd=wrongpw")
        deadline = time.time() + 10
        while time.time() < deadline and "not authorised" not in log_text(n).lower() \
                and "not authorized" not in log_text(n).lower():
            time.sleep(0.2)
        lt = log_text(n).lower()
        assert "not authori" in lt, lt[-2000:]
        assert "wrongpw" not in log_text(n)  # the secret never reaches the log
        assert n.cmd("hello").startswith("hello:")
        # the right password gets in
        sub = b.sub("nodus/mq2/status", user="node", pwd="rightpw")
        try:
            mqtt_node(make_node, b, "mqtt_user=node", "mqtt_pwd=rightpw", dev="mq2")
            wait_online(sub, node="mq2")
        finally:
            sub.close()
    finally:
        b.kill()


def test_cmd_1mb_message(make_node, broker):
    sub = broker.sub("nodus/mq1/#")
    try:
        n = mqtt_node(make_node, broker)
        wait_online(sub)
        broker.pub("nodus/mq1/cmd", None, qos=1, stdin=b"system heartbeat " + b"x" * (1 << 20))
        m = sub.wait(lambda m: m[1] == "nodus/mq1/reply", 15)
        r = json.loads(m[2])
        assert r["state"] is False and "too large" in r["result"] and "1048593" in r["result"]
        r = cmd_reply(broker, sub, "hello", match=lambda j: j["state"])
        assert r["result"].startswith("hello:")
        assert n.cmd("hello").startswith("hello:")
    finally:
        sub.close()


def test_cmd_flood_bounded_counted_shell_answers(make_node, broker):
    sub = broker.sub("nodus/mq1/reply", "nodus/mq1/status")
    try:
        n = mqtt_node(make_node, broker, "mqtt_cmd_rate=100", "webui=True", "webport=%d" % free_port())
        wait_online(sub)
        sub.clear()
        # 10 000 commands as fast as one client can send them (mosquitto_pub -l: one per line)
        lines = b"system heartbeat\n" * 10000
        p = subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-q", "0",
                              "-t", "nodus/mq1/cmd", "-l"], stdin=subprocess.PIPE)
        feeder = threading.Thread(target=lambda: (p.stdin.write(lines), p.stdin.close()), daemon=True)
        feeder.start()
        # the shell answers during the flood
        for _ in range(5):
            assert n.cmd("hello").startswith("hello:")
        feeder.join(30)
        p.wait(30)
        sub.wait(lambda m: "Rate limited" in m[2], 10)
        time.sleep(1)
        replies = [m for m in sub.all() if m[1] == "nodus/mq1/reply"]
        ok = [m for m in replies if "heartbeat" in m[2]]
        limited = [m for m in replies if "Rate limited" in m[2]]
        # bounded: far fewer than 10 000 commands ran; refusals are answered once a second
        assert 0 < len(ok) < 5000
        assert len(limited) < 100
        import urllib.request
        port = [s.split("=")[1] for s in n.sets if s.startswith("webport=")][0]
        metrics = urllib.request.urlopen("http://127.0.0.1:%s/metrics" % port, timeout=5).read().decode()
        refused = [l for l in metrics.splitlines() if l.startswith('nodus_mqtt_refused_total{reason="rate"}')]
        assert refused and float(refused[0].split()[-1]) > 1000
        assert n.cmd("hello").startswith("hello:")
    finally:
        sub.close()


def test_malformed_json_and_nul(make_node, broker):
    sub = broker.sub("nodus/mq1/reply", "nodus/mq1/status")
    try:
        n = mqtt_node(make_node, broker)
        wait_online(sub)
        for bad, want in ((b'{"cmd": "hello"', "Malformed JSON"),
                          (b'{"cmd": 5, "id": "x"}', "without a \\\"cmd\\\" string"),
                          (b'{"id": "y"}', "without a"),
                          (b'{"cmd": "hello",}', "Malformed JSON"),
                          (b'{"cmd": "hello"} trailing', "Malformed JSON"),
                          (b'{"cmd": "hel\\u0000lo", "id": "z"}', "NUL"),
                          (b'hel\x00lo', "NUL byte"),
                          (b'   ', "Empty command")):
            sub.clear()
            broker.pub("nodus/mq1/cmd", None, qos=1, stdin=bad)
            m = sub.wait(lambda m: m[1] == "nodus/mq1/reply", 10)
            r = json.loads(m[2])
            assert r["state"] is False, bad
            assert want.replace("\\\"", "\"") in r["result"], (bad, r)
        r = cmd_reply(broker, sub, json.dumps({"cmd": "hello", "id": "ok"}),
                      match=lambda j: j.get("id") == "ok")
        assert r["state"] is True
        assert n.cmd("hello").startswith("hello:")
    finally:
        sub.close()


def test_wildcard_topic_publishes_reach_nothing(make_node, broker):
    """A foreign client cannot publish to a wildcard topic (the broker refuses), and a
    subscription with wildcards on the cmd level does not confuse the node."""
    sub = broker.sub("nodus/mq1/reply", "nodus/mq1/status")
    try:
        n = mqtt_node(make_node, broker)
        wait_online(sub)
        r = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(broker.port), "-t",
                            "nodus/+/cmd", "-m", "hello"], capture_output=True, timeout=10)
        assert r.returncode != 0
        broker.pub("nodus/mq1/cmdx", "hello")
        broker.pub("nodus/mq1/cmd/extra", "hello")
        time.sleep(0.5)
        assert not [m for m in sub.all() if m[1] == "nodus/mq1/reply"]
        assert n.cmd("hello").startswith("hello:")
    finally:
        sub.close()


def test_metrics_have_mqtt_counters(make_node, broker):
    import urllib.request
    wp = free_port()
    sub = broker.sub("nodus/mq1/status")
    try:
        mqtt_node(make_node, broker, "webui=True", "webport=%d" % wp)
        wait_online(sub)
        deadline = time.time() + 5
        while time.time() < deadline:
            m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % wp, timeout=5).read().decode()
            if "nodus_mqtt_connected 1" in m:
                break
            time.sleep(0.2)
        for name in ("nodus_mqtt_connected 1", "nodus_mqtt_published_total",
                     "nodus_mqtt_dropped_total", "nodus_mqtt_queued", "nodus_mqtt_connects_total 1",
                     'nodus_mqtt_refused_total{reason="size"}'):
            assert name in m, name
    finally:
        sub.close()
