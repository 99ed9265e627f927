"""MQTT over TLS to a real mosquitto with a CA the test makes with openssl: the
node resolves the broker's name itself, connects to the address, and checks the
certificate against the configured NAME; a wrong CA never gets a session."""
import json
import os
import time

import pytest

from mqttbroker import Broker, available, make_tls

pytestmark = pytest.mark.skipif(not available(), reason="mosquitto not installed")


@pytest.fixture(scope="module")
def tls_dir(tmp_path_factory):
    return make_tls(str(tmp_path_factory.mktemp("tls")))


@pytest.fixture
def tls_broker(tmp_path, tls_dir):
    b = Broker(tmp_path, tls=tls_dir).start()
    yield b
    b.kill()


def log_text(n):
    with open(n.path("stderr.log"), "rb") as f:
        return f.read().decode("utf-8", "replace")


def tls_node(make_node, b, ca, host="localhost", dev="tls1"):
    return make_node("mqtt=True", "mqtt_host=%s" % host, "mqtt_port=%d" % b.port, "mqtt_tls=True",
                     "mqtt_ca=%s" % ca, "devfid=%s" % dev, "webui=False", "mdns=False")


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
def test_tls_session_and_command(make_node, tls_broker, tls_dir, host):
    sub = tls_broker.sub("nodus/tls1/#")
    try:
        tls_node(make_node, tls_broker, os.path.join(tls_dir, "ca.crt"), host)
        sub.wait(lambda m: m[1] == "nodus/tls1/status" and m[2] == "online", 15)
        tls_broker.pub("nodus/tls1/cmd", json.dumps({"cmd": "hello", "id": 7}), qos=1)
        m = sub.wait(lambda m: m[1] == "nodus/tls1/reply", 10)
        assert json.loads(m[2])["result"].startswith("hello:tls1")
    finally:
        sub.close()


def test_tls_wrong_ca_refused(make_node, tls_broker, tls_dir):
    sub = tls_broker.sub("nodus/tls1/status")
    try:
        n = tls_node(make_node, tls_broker, os.path.join(tls_dir, "other.crt"))
        deadline = time.time() + 10
        while time.time() < deadline and "TLS handshake failed" not in log_text(n):
            assert n.cmd("hello").startswith("hello:")  # the loop never waits on the handshake
            time.sleep(0.2)
        assert "TLS handshake failed" in log_text(n), log_text(n)[-1500:]
        time.sleep(1)
        assert not [m for m in sub.all() if m[2] == "online"]
        assert "connected" not in n.cmd("mqttc ping").replace("connecting", "")
    finally:
        sub.close()


def test_tls_name_mismatch_refused(make_node, tls_broker, tls_dir):
    """The certificate names localhost and 127.0.0.1; asked for another name that
    resolves to the same address (hosts key), the node refuses the broker."""
    n = make_node("mqtt=True", "mqtt_host=broker.example", "hosts=broker.example=127.0.0.1",
                  "mqtt_port=%d" % tls_broker.port, "mqtt_tls=True",
                  "mqtt_ca=%s" % os.path.join(tls_dir, "ca.crt"), "devfid=tls1", "webui=False",
                  "mdns=False")
    deadline = time.time() + 10
    while time.time() < deadline and "TLS handshake failed" not in log_text(n):
        time.sleep(0.2)
    assert "TLS handshake failed" in log_text(n), log_text(n)[-1500:]
    assert "connected" not in n.cmd("mqttc ping").replace("connecting", "")


def test_tls_missing_ca_file(make_node, tls_broker, tmp_path):
    n = tls_node(make_node, tls_broker, str(tmp_path / "nope.crt"))
    deadline = time.time() + 5
    while time.time() < deadline and "mqtt_ca" not in log_text(n):
        time.sleep(0.2)
    assert "mqtt_ca" in log_text(n)
    assert n.cmd("hello").startswith("hello:")


def test_tls_without_libmosquitto_says_so(make_node, tls_broker, tls_dir, tmp_path):
    """libmosquitto is dlopen()ed for TLS (src/port/posix/mosq_dl.c): a node that
    cannot load it keeps running and says what to install. A broken
    libmosquitto.so.1 first in LD_LIBRARY_PATH stands for a missing one."""
    (tmp_path / "libmosquitto.so.1").write_bytes(b"not a shared library\n")
    n = make_node("mqtt=True", "mqtt_host=localhost", "mqtt_port=%d" % tls_broker.port, "mqtt_tls=True",
                  "mqtt_ca=%s" % os.path.join(tls_dir, "ca.crt"), "devfid=tls1", "webui=False",
                  "mdns=False", env={"LD_LIBRARY_PATH": str(tmp_path)})
    want = "mqtt: cannot connect to localhost:%d: cannot load libmosquitto.so.1 (apt install libmosquitto1)" \
        % tls_broker.port
    deadline = time.time() + 5
    while time.time() < deadline and want not in log_text(n):
        time.sleep(0.2)
    assert want in log_text(n), log_text(n)[-1500:]
    assert n.cmd("hello").startswith("hello:")
