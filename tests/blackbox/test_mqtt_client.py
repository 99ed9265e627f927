"""The node's own MQTT client (src/core/mqtt_client.c, plain TCP) at its limits: a
message over the incoming packet limit is dropped unread, counted and -- on the cmd
topic -- answered, and the session goes on; a broker that sends malformed or
oversized packets loses the session (logged, counted), the node reconnects and keeps
answering its shell. The misbehaving brokers are tiny Python servers on loopback."""
import json
import socket
import struct
import threading
import time
import urllib.request

import pytest

from mqttbroker import Broker, available, free_port


def mqtt_node(make_node, port, *sets, dev="mc1"):
    return make_node("mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % port,
                     "devfid=%s" % dev, "mdns=False", *sets)


def log_text(n):
    try:
        with open(n.path("stderr.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def metric(wp, line_start):
    m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % wp, timeout=5).read().decode()
    for l in m.splitlines():
        if l.startswith(line_start + " "):
            return float(l.split()[-1])
    raise AssertionError("%s not in /metrics" % line_start)


def wait_for(pred, timeout=15, step=0.1):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()


@pytest.mark.skipif(not available(), reason="mosquitto not installed")
def test_1mb_publish_dropped_unread_counted_session_stays(make_node, tmp_path):
    b = Broker(tmp_path).start()
    sub = b.sub("nodus/mc1/#")
    try:
        wp = free_port()
        n = mqtt_node(make_node, b.port, "webui=True", "webport=%d" % wp)
        sub.wait(lambda m: m[1] == "nodus/mc1/status" and m[2] == "online", 15)
        assert "subscribed" in n.cmd("mqttc sub 'big/#'")
        time.sleep(0.3)
        # 1 MB on a topic mqttc listens to: dropped unread (never buffered), counted
        b.pub("big/x", None, qos=1, stdin=b"y" * (1 << 20))
        assert wait_for(lambda: metric(wp, 'nodus_mqtt_refused_total{reason="packet_size"}') >= 1)
        assert "over the incoming packet limit" in log_text(n)
        # 1 MB on the cmd topic: refused with its size, as every too-large command
        b.pub("nodus/mc1/cmd", None, qos=1, stdin=b"system heartbeat " + b"x" * (1 << 20))
        m = sub.wait(lambda m: m[1] == "nodus/mc1/reply", 15)
        r = json.loads(m[2])
        assert r["state"] is False and "1048593 bytes" in r["result"], r
        assert metric(wp, 'nodus_mqtt_refused_total{reason="packet_size"}') >= 2
        # the session went on: no reconnect, commands still answered over MQTT and the shell
        assert metric(wp, "nodus_mqtt_connects_total") == 1
        b.pub("nodus/mc1/cmd", "hello", qos=1)
        m = sub.wait(lambda m: m[1] == "nodus/mc1/reply" and "hello:" in m[2], 10)
        assert n.cmd("hello").startswith("hello:")
    finally:
        sub.close()
        b.kill()


class FakeBroker:
    """Accepts MQTT clients on loopback; answers CONNECT with CONNACK, then sends
    `evil` bytes once the client's first SUBSCRIBE arrived."""

    def __init__(self, evil):
        self.evil = evil
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connects = 0
        self.stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._client, args=(c,), daemon=True).start()

    @staticmethod
    def _packet(c):
        h = c.recv(1)
        if not h:
            return None
        rl, mul = 0, 1
        while True:
            d = c.recv(1)[0]
            rl += (d & 0x7F) * mul
            mul *= 128
            if not d & 0x80:
                break
        body = b""
        while len(body) < rl:
            k = c.recv(rl - len(body))
            if not k:
                return None
            body += k
        return h[0], body

    def _client(self, c):
        c.settimeout(20)
        try:
            p = self._packet(c)
            if not p or p[0] >> 4 != 1:
                return
            self.connects += 1
            c.sendall(b"\x20\x02\x00\x00")
            while True:
                p = self._packet(c)
                if not p:
                    return
                if p[0] >> 4 == 8 and self.evil:  # SUBSCRIBE: now the bad bytes
                    c.sendall(self.evil)
                    # keep the socket open: the node must close it
                    c.recv(1 << 16)
                    return
        except (OSError, IndexError):
            pass
        finally:
            c.close()

    def close(self):
        self.stop = True
        self.sock.close()


@pytest.mark.parametrize("evil,reason,words", [
    # a remaining length of five bytes
    (b"\x30\xff\xff\xff\xff\x01", "malformed_packet", "malformed packet from the broker"),
    # PUBLISH with qos 3
    (b"\x36\x05\x00\x01t\x00\x01", "malformed_packet", "malformed packet from the broker"),
    # a packet type a broker never sends a client
    (b"\x10\x00", "malformed_packet", "malformed packet from the broker"),
    # a SUBACK of 100 000 bytes: over the limit and not a PUBLISH to skip
    (b"\x90" + bytes([0xA0, 0x8D, 0x06]) + b"\x00\x01" + b"\x00" * 99998, "packet_size",
     "over the 8192-byte limit"),
], ids=["varint5", "qos3", "connect", "suback100k"])
def test_broker_sending_bad_packets(make_node, evil, reason, words):
    fb = FakeBroker(evil)
    try:
        wp = free_port()
        n = mqtt_node(make_node, fb.port, "webui=True", "webport=%d" % wp)
        assert wait_for(lambda: words in log_text(n)), log_text(n)[-2000:]
        assert wait_for(lambda: metric(wp, 'nodus_mqtt_refused_total{reason="%s"}' % reason) >= 1)
        assert n.cmd("hello").startswith("hello:")
        # the session was dropped, and the node comes back (backoff 1 s..)
        assert wait_for(lambda: fb.connects >= 2, 20), fb.connects
        assert n.cmd("hello").startswith("hello:")
        assert "lost 127.0.0.1:%d" % fb.port in log_text(n)
    finally:
        fb.close()


def test_broker_silent_after_connack_is_dead(make_node):
    """keep-alive 5 s: no PINGRESP and nothing else for 1.5 periods ends the session."""
    fb = FakeBroker(b"")  # answers CONNECT, then says nothing at all
    try:
        n = mqtt_node(make_node, fb.port, "mqtt_keepalive=5")
        assert wait_for(lambda: "broker silent past the keep-alive" in log_text(n), 25), \
            log_text(n)[-2000:]
        assert n.cmd("hello").startswith("hello:")
    finally:
        fb.close()
