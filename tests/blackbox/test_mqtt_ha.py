"""Home Assistant MQTT discovery from a node, checked against a field table written
from HA's MQTT integration docs (home-assistant.io/integrations/<component>.mqtt and
/integrations/mqtt#discovery), and HA's commands reaching the module functions.
Real mosquitto broker; mosquitto_pub plays Home Assistant."""
import json
import time

import pytest

from mqttbroker import Broker, available, free_port

pytestmark = pytest.mark.skipif(not available(), reason="mosquitto not installed")

# ---- HA's documented configuration, per component (default light schema) -------------------
# required: keys HA refuses a config without; types: what each key we may send must be.
COMMON_TYPES = {
    "name": str, "unique_id": str, "object_id": str, "availability_topic": str,
    "payload_available": str, "payload_not_available": str, "device": dict, "qos": int,
    "entity_category": str, "optimistic": bool, "value_template": str, "icon": str,
}
HA = {
    "button": {"required": {"command_topic"},
               "types": {"command_topic": str, "payload_press": str, "device_class": str}},
    "switch": {"required": {"command_topic"},
               "types": {"command_topic": str, "state_topic": str, "payload_on": str,
                         "payload_off": str}},
    "light": {"required": {"command_topic"},
              "types": {"command_topic": str, "state_topic": str, "brightness_command_topic": str,
                        "brightness_scale": int, "rgb_command_topic": str,
                        "supported_color_modes": list, "payload_on": str, "payload_off": str}},
    "sensor": {"required": {"state_topic"},
               "types": {"state_topic": str, "device_class": str, "unit_of_measurement": str,
                         "state_class": str}},
    "binary_sensor": {"required": {"state_topic"},
                      "types": {"state_topic": str, "device_class": str, "payload_on": str,
                                "payload_off": str}},
}
COLOR_MODES = {"onoff", "brightness", "color_temp", "hs", "xy", "rgb", "rgbw", "rgbww", "white"}
STATE_CLASSES = {"measurement", "total", "total_increasing"}
# sensor device classes we use -> units HA accepts for them (HA sensor docs)
SENSOR_UNITS = {
    "temperature": {"\u00b0C", "\u00b0F", "K"},
    "humidity": {"%"},
    "pressure": {"cbar", "bar", "hPa", "mmHg", "inHg", "kPa", "mbar", "Pa", "psi"},
    "illuminance": {"lx"},
    "duration": {"d", "h", "min", "s", "ms"},
    "data_size": {"bit", "kbit", "Mbit", "Gbit", "B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB"},
    "signal_strength": {"dB", "dBm"},
}
BINARY_CLASSES = {"connectivity", "problem", "power", "running", "plug"}
DEVICE_TYPES = {"identifiers": list, "name": str, "manufacturer": str, "model": str,
                "sw_version": str, "configuration_url": str, "connections": list}


def check_payload(component, cfg, node_status):
    spec = HA[component]
    missing = spec["required"] - set(cfg)
    assert not missing, (component, missing)
    for k, v in cfg.items():
        t = spec["types"].get(k) or COMMON_TYPES.get(k)
        assert t is not None, "%s: key %r is not in HA's %s docs" % (cfg.get("unique_id"), k, component)
        assert isinstance(v, t), (k, v)
    # one HA device per node: identifiers + model + sw_version + configuration_url
    dev = cfg["device"]
    assert dev["identifiers"] and all(isinstance(i, str) for i in dev["identifiers"])
    for k in ("model", "sw_version", "configuration_url", "name"):
        assert k in dev, k
    for k, v in dev.items():
        assert isinstance(v, DEVICE_TYPES[k]), k
    assert dev["configuration_url"].startswith("http://")
    # HA needs unique_id when a device is given
    assert cfg["unique_id"]
    assert cfg["availability_topic"] == node_status
    assert cfg["payload_available"] == "online" and cfg["payload_not_available"] == "offline"
    if component == "light":
        assert set(cfg.get("supported_color_modes", [])) <= COLOR_MODES
        assert 1 <= cfg.get("brightness_scale", 255) <= 255
    if component == "sensor":
        if "device_class" in cfg:
            assert cfg["unit_of_measurement"] in SENSOR_UNITS[cfg["device_class"]], cfg
        assert cfg.get("state_class", "measurement") in STATE_CLASSES
    if component == "binary_sensor" and "device_class" in cfg:
        assert cfg["device_class"] in BINARY_CLASSES


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path).start()
    yield b
    b.kill()


def discovered(sub, want, timeout=10):
    """{topic: payload} of the retained discovery configs, once `want` topics are there."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = {m[1]: m[2] for m in sub.all() if m[1].startswith("homeassistant/") and m[1].endswith("/config")}
        if want <= set(got):
            return got
        time.sleep(0.05)
    raise AssertionError("missing discovery: %s" % sorted(want - set(got)))


def ha_node(make_node, broker, wp):
    n = make_node("mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % broker.port,
                  "devfid=ha1", "webui=True", "webport=%d" % wp, "mdns=False",
                  "boothook=rgb load;dimmer load;switch load;buzzer load;dht22 load;bme280 load;light_sensor load")
    return n


def test_discovery_payloads_match_ha_docs(make_node, broker):
    wp = free_port()
    ha_node(make_node, broker, wp)
    time.sleep(0.5)
    sub = broker.sub("homeassistant/#")  # late subscriber: retained configs
    try:
        want = {"homeassistant/binary_sensor/ha1_status/config",
                "homeassistant/sensor/ha1_uptime/config",
                "homeassistant/light/ha1_rgb/config",
                "homeassistant/light/ha1_dimmer/config",
                "homeassistant/switch/ha1_switch_set_state/config",
                "homeassistant/switch/ha1_switch_set_state4/config",
                "homeassistant/button/ha1_buzzer_bipp/config",
                "homeassistant/button/ha1_switch_toggle/config",
                "homeassistant/sensor/ha1_dht22_temperature/config",
                "homeassistant/sensor/ha1_bme280_pressure/config",
                "homeassistant/sensor/ha1_light_sensor_illuminance/config"}
        got = discovered(sub, want)
        for topic, payload in got.items():
            comp = topic.split("/")[1]
            cfg = json.loads(payload)
            check_payload(comp, cfg, "nodus/ha1/status")
            # the topic's object id is <node>_<object> and matches unique_id
            assert topic.split("/")[2] == cfg["unique_id"]
        # one device for all entities
        ids = {json.dumps(json.loads(p)["device"], sort_keys=True) for p in got.values()}
        assert len(ids) == 1
        dev = json.loads(got["homeassistant/light/ha1_rgb/config"])["device"]
        assert dev["configuration_url"].endswith(":%d/" % wp)
        rgb = json.loads(got["homeassistant/light/ha1_rgb/config"])
        assert rgb["supported_color_modes"] == ["rgb"] and "rgb_command_topic" in rgb
        dim = json.loads(got["homeassistant/light/ha1_dimmer/config"])
        assert dim["supported_color_modes"] == ["brightness"] and "rgb_command_topic" not in dim
        st = json.loads(got["homeassistant/binary_sensor/ha1_status/config"])
        assert st["device_class"] == "connectivity" and st["state_topic"] == "nodus/ha1/status"
        t = json.loads(got["homeassistant/sensor/ha1_dht22_temperature/config"])
        assert t["device_class"] == "temperature" and t["state_topic"] == "nodus/ha1/telemetry"
        assert "dht22_temperature" in t["value_template"]
    finally:
        sub.close()


def test_ha_commands_reach_modules(make_node, broker):
    wp = free_port()
    n = ha_node(make_node, broker, wp)
    sub = broker.sub("homeassistant/#")
    try:
        got = discovered(sub, {"homeassistant/light/ha1_rgb/config",
                               "homeassistant/switch/ha1_switch_set_state2/config",
                               "homeassistant/button/ha1_buzzer_bipp/config"})
        rgb = json.loads(got["homeassistant/light/ha1_rgb/config"])
        sw = json.loads(got["homeassistant/switch/ha1_switch_set_state2/config"])
        broker.pub(sw["command_topic"], sw.get("payload_on", "ON"))
        broker.pub(rgb["rgb_command_topic"], "255,0,51")
        broker.pub(rgb["brightness_command_topic"], "40")

        def until(line, want, timeout=5):
            deadline = time.time() + timeout
            while time.time() < deadline:
                out = n.cmd(line)
                if all(w in out for w in want):
                    return out
                time.sleep(0.1)
            raise AssertionError("%s: %r" % (line, out))

        until("switch status", ["SW2: 1"])
        out = until("rgb status", ["BR: 40"])
        # 255,0,51 on the module's 0..1000 COLOR range, then scaled to 40 % brightness
        assert "G: 0" in out
        broker.pub(sw["command_topic"], sw.get("payload_off", "OFF"))
        until("switch status", ["SW2: 0"])
        broker.pub(rgb["command_topic"], "OFF")
        until("rgb status", ["S: 0"])
        # a command HA cannot mean is logged, never run
        broker.pub("nodus/ha1/ha/rgb/light/set", "MAYBE")
        time.sleep(0.3)
        with open(n.path("stderr.log"), "rb") as f:
            assert b"not understood" in f.read()
    finally:
        sub.close()


def test_republish_on_ha_birth_and_module_load(make_node, broker):
    n = make_node("mqtt=True", "mqtt_host=127.0.0.1", "mqtt_port=%d" % broker.port, "devfid=ha2",
                  "webui=False", "mdns=False")
    sub = broker.sub("homeassistant/#", "nodus/ha2/status")
    try:
        sub.wait(lambda m: m[1] == "nodus/ha2/status" and m[2] == "online", 10)
        discovered(sub, {"homeassistant/binary_sensor/ha2_status/config"})
        # loading a module adds its entities
        n.cmd("neopixel load")
        discovered(sub, {"homeassistant/light/ha2_neopixel/config"})
        # HA restarted: it says online on homeassistant/status; the node publishes again
        sub.clear()
        broker.pub("homeassistant/status", "online")
        got = discovered(sub, {"homeassistant/binary_sensor/ha2_status/config",
                               "homeassistant/light/ha2_neopixel/config"}, timeout=5)
        assert got
        # no web UI: no configuration_url (there is nothing to open)
        cfg = json.loads(got["homeassistant/binary_sensor/ha2_status/config"])
        assert "configuration_url" not in cfg["device"]
    finally:
        sub.close()
