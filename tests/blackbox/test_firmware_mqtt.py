"""The firmware's MQTT (src/port/mps2/mqtt_own.c: nodus's own client over lwIP) against a
real mosquitto on loopback, which the board in QEMU reaches as 10.0.2.100:1883 through
QEMU's guestfwd (src/port/mps2/qemu-run.sh, FW_MQTT_PORT): birth, a command and its
reply, a message over the incoming packet limit refused and counted, the board still
answering its shell."""
import json
import time

import pytest

from conftest import SANITIZED
from mqttbroker import Broker, available
from test_firmware import TOOLS, FwNode, build_firmware, reboot_and_wait

pytestmark = [
    pytest.mark.skipif(not TOOLS, reason="gcc-arm-none-eabi / qemu-system-arm not installed"),
    pytest.mark.skipif(SANITIZED, reason="the firmware is not built with sanitizers"),
    pytest.mark.skipif(not available(), reason="mosquitto not installed"),
]


def test_firmware_mqtt_session_command_and_oversize(tmp_path, monkeypatch):
    b = Broker(tmp_path).start()
    sub = b.sub("nodus/fw1/#")
    monkeypatch.setenv("FW_MQTT_PORT", str(b.port))
    fw = FwNode(build_firmware("max"), tmp_path)  # MQTT is the max profile's
    try:
        with fw.connect() as s:
            for line in ["conf", "mqtt True", "mqtt_host 10.0.2.100", "mqtt_port 1883",
                         "devfid fw1", "noconf"]:
                s.cmd(line)
        reboot_and_wait(fw)  # the prompt is now "fw1 $ "
        sub.wait(lambda m: m[1] == "nodus/fw1/status" and m[2] == "online", 30)
        assert "nodus MQTT 3.1.1 client" in fw.uart_text()
        b.pub("nodus/fw1/cmd", json.dumps({"cmd": "hello", "id": 7}), qos=1)
        r = json.loads(sub.wait(lambda m: m[1] == "nodus/fw1/reply", 15)[2])
        assert r["id"] == 7 and r["state"] is True and r["result"].startswith("hello:fw1:")
        # 20 000 bytes: over the client's 8192-byte packet limit, skipped unread on the
        # board, still answered with its size; the session and the shell go on
        b.pub("nodus/fw1/cmd", None, qos=1, stdin=b"x" * 20000)
        r = json.loads(sub.wait(lambda m: m[1] == "nodus/fw1/reply" and "too large" in m[2], 15)[2])
        assert r["state"] is False and "20000 bytes" in r["result"], r
        deadline = time.time() + 10
        while "over the incoming packet limit" not in fw.uart_text() and time.time() < deadline:
            time.sleep(0.1)
        assert "over the incoming packet limit" in fw.uart_text()
        assert fw.cmd("hello").startswith("hello:")
        b.pub("nodus/fw1/cmd", "version", qos=1)
        sub.wait(lambda m: m[1] == "nodus/fw1/reply" and m[2].count(".") >= 2, 15)
        assert fw.alive(), fw.uart_text()[-2000:]
    finally:
        sub.close()
        fw.stop()
        b.kill()
