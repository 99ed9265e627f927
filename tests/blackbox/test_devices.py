"""Device Load Modules and pin maps against a real node on the sim board.

The node's simulated hardware is inspected with `sim state >json` (PWM
duties, strip pixels, sensor settings) and driven with `sim dht`, `sim
bme280` -- nothing is mocked.
"""
import json
import time

import pytest


def state(node):
    return json.loads(node.cmd("sim state >json"))


def pin(node, num):
    for p in state(node)["pins"]:
        if p["pin"] == num:
            return p
    raise AssertionError("no pin %d" % num)


def pinmap(node, keys):
    return json.loads(node.cmd("system pinmap keys='%s' >json" % keys))


# ---- pin maps -------------------------------------------------------------

def test_system_pinmap_as_micros(node):
    out = node.cmd("system pinmap")
    assert out == (" map: sim\n booked: {}\n custom: {}\n known_maps: ['esp32', 'esp32s2', "
                   "'esp32s3', 'esp32c3', 'esp32c6', 'rp2', 'tinypico', 'rpi', 'sim']\n")
    node.cmd("rgb color 1 2 3 smooth=False")
    out = node.cmd("system pinmap")
    assert " booked: {14: 'redgb', 12: 'rgreenb', 25: 'rgbue'}\n" in out
    assert pinmap(node, "builtin irq1 nope") == {"builtin": 2, "irq1": 4, "nope": None}


def test_board_key_and_cstmpmap_map_selection(make_node):
    n = make_node("board=esp32")
    assert pinmap(n, "builtin irq1 irq2 irq3 irq4 neop") == {
        "builtin": 2, "irq1": 4, "irq2": 18, "irq3": 5, "irq4": 13, "neop": 15}
    m = make_node("cstmpmap=esp32c3; dhtpin:10")
    info = json.loads(m.cmd("system pinmap >json"))
    assert info["map"] == "esp32c3" and info["custom"] == {"dhtpin": 10}
    assert pinmap(m, "builtin dhtpin") == {"builtin": -8, "dhtpin": 10}


def test_pin_conflict_micros_text(make_node):
    # neop moved onto the red channel's wire: the second user is refused
    n = make_node("cstmpmap=neop:14")
    n.cmd("rgb color 10 0 0 smooth=False")
    out = n.cmd("neopixel color 1 1 1")
    assert "[io] Pin neop is busy: redgb:14" in out
    out = n.cmd("genIO set_out 12 1")
    assert "[io-register] genio_12:12 already in use: rgreenb" in out
    assert "out of range for sim (0..39)" in n.cmd("genIO set_out 45 1")
    assert n.cmd("genIO set_out 13 1").startswith("Set pin 13 to 1")


def test_cstmpmap_garbage_reported_node_runs(make_node):
    n = make_node("cstmpmap=esp99; neop:abc; builtin:3; junk; dhtpin:99")
    info = json.loads(n.cmd("system pinmap >json"))
    assert info["map"] == "sim"
    assert info["custom"] == {"builtin": 3}
    p = info["problems"]
    assert "unknown map 'esp99', using sim" in p
    assert "neop:'abc' is not an integer pin" in p
    assert "'junk' is not name:pin" in p
    assert "dhtpin:99 out of range for sim (0..39)" in p
    assert n.cmd("system heartbeat") == "<3 heartbeat <3\n"   # garbage never stops the node


# ---- light modules --------------------------------------------------------

def test_rgb_status_shape_and_range(node):
    assert node.cmd("rgb color 10 20 30 smooth=False") == " R: 10\n G: 20\n B: 30\n S: 1\n"
    assert node.cmd("rgb status") == " R: 10\n G: 20\n B: 30\n S: 1\n"
    assert pin(node, 14)["duty"] == 10 * 1023 // 255
    assert "r=300 out of range 0..255" in node.cmd("rgb color 300 0 0")
    assert "Percent is out of range: 0-100" in node.cmd("rgb brightness 101")
    assert node.cmd("rgb toggle False smooth=False") == " R: 10\n G: 20\n B: 30\n S: 0\n"
    assert pin(node, 14)["duty"] == 0
    node.cmd("rgb toggle smooth=False")
    assert pin(node, 12)["duty"] == 20 * 1023 // 255


def test_rgb_transition_monotonic_over_stated_time(node):
    node.cmd("rgb color 10 200 5 smooth=False")
    t0 = time.monotonic()
    assert node.cmd("rgb transition 250 20 5 sec=1") == "Starting transition\n"
    reds, greens, times = [], [], []
    while time.monotonic() - t0 < 1.6:
        st = state(node)
        by = {p["pin"]: p for p in st["pins"]}
        reds.append(by[14]["duty"])
        greens.append(by[12]["duty"])
        times.append(time.monotonic() - t0)
        time.sleep(0.03)
    assert all(a <= b for a, b in zip(reds, reds[1:])), reds
    assert all(a >= b for a, b in zip(greens, greens[1:])), greens
    final_r, final_g = 250 * 1023 // 255, 20 * 1023 // 255
    assert reds[-1] == final_r and greens[-1] == final_g
    reached = times[reds.index(final_r)]
    assert 0.8 <= reached <= 1.4, reached           # over the stated time, not at once
    assert len(set(reds)) > 10                      # smooth, many intermediate values
    assert node.cmd("rgb status") == " R: 250\n G: 20\n B: 5\n S: 1\n"


def test_cct_and_dimmer(node):
    assert node.cmd("cct white 100 50 smooth=False") == " CW: 100\n WW: 50\n S: 1\n"
    assert node.cmd("dimmer set_value 64 smooth=False") == " X: 64\n S: 1\n"
    assert node.cmd("dimmer brightness") == "25.1 %\n"
    assert "value=256 out of range 0..255" in node.cmd("dimmer set_value 256")


# ---- neopixel -------------------------------------------------------------

def test_neopixel_buffer_colour_brightness_effects(node):
    assert node.cmd("neopixel load ledcnt=8") == "CACHE: True, LED CNT: 8\n"
    out = node.cmd("neopixel color 255 0 0 smooth=False")
    assert out == " R: 255\n G: 0\n B: 0\n S: 1\n BR: 100.0\n"
    assert state(node)["strip"]["pixels"] == ["#ff0000"] * 8
    node.cmd("neopixel brightness 50 smooth=False")
    assert state(node)["strip"]["pixels"] == ["#800000"] * 8
    node.cmd("neopixel segment 0 0 255 s=3")
    assert state(node)["strip"]["pixels"][3] == "#0000ff"
    assert "index error" in node.cmd("neopixel segment 0 0 255 s=8")
    # a smooth colour change: frames go out over time and end at the target
    f0 = state(node)["strip"]["frames"]
    node.cmd("neopixel color 0 0 200")
    time.sleep(0.6)
    st = state(node)["strip"]
    assert st["pixels"] == ["#0000c8"] * 8 and st["frames"] > f0 + 5
    # effects run as tasks and stop on user input
    assert "neopixel.effect" in node.cmd("neopixel rainbow speed_ms=20")
    time.sleep(0.3)
    px = state(node)["strip"]["pixels"]
    assert len(set(px)) > 4, px
    node.cmd("neopixel cycle speed_ms=20")
    time.sleep(0.2)
    px = state(node)["strip"]["pixels"]
    assert px.count("#000000") == 7 and px.count("#0000c8") == 1, px
    node.cmd("neopixel color 0 255 0 smooth=False")
    time.sleep(0.1)
    assert state(node)["strip"]["pixels"] == ["#00ff00"] * 8
    assert "speed_ms=1 out of range 10..10000" in node.cmd("neopixel rainbow speed_ms=1")


# ---- sensors --------------------------------------------------------------

def test_dht22_reading_and_checksum_error(node):
    node.cmd("sim dht t=-3.5 h=61.2")
    assert node.cmd("dht22 measure") == " temp [\u00baC]: -3.5\n hum [%]: 61.2\n"
    node.cmd("sim dht bad=1")
    out = node.cmd("dht22 measure")
    assert "DHT22 checksum error" in out and out.startswith("Core error")
    assert "temp" in node.cmd("dht22 measure")      # the next frame is good again
    node.cmd("sim dht bad=-1")
    assert "DHT22 read failed" in node.cmd("dht22 measure")


def test_bme280_reading_and_absent_device(node):
    node.cmd("sim bme280 t=21.5 p=1013.2 h=40.0")
    v = json.loads(node.cmd("bme280 measure >json"))
    assert abs(v["temp [\u00baC]"] - 21.5) < 0.05
    assert abs(v["press [hPa]"] - 1013.2) < 0.2
    assert abs(v["hum [%]"] - 40.0) < 0.5
    node.cmd("sim bme280 present=False")
    out = node.cmd("bme280 measure")
    assert "BME280 at 0x76 does not answer" in out
    assert node.cmd("i2c scan") == "[]\n"
    node.cmd("sim bme280 present=True")
    assert "press" in node.cmd("bme280 measure")
    assert node.cmd("i2c scan") == "[118]\n"
    assert "must be 0x76 or 0x77" in node.cmd("bme280 load addr=0x20")


def test_light_sensor_servo_switch_buzzer(node):
    node.cmd("sim light 1024")
    assert node.cmd("light_sensor intensity") == " raw: 1024\n percent: 25.0\n volt: 0.825\n"
    assert node.cmd("servo angle 45") == " S1: 45\n S2: 90\n"
    assert abs(pin(node, 27)["angle"] - 45) < 2
    assert "deg=200 out of range 0..180" in node.cmd("servo angle 200")
    assert node.cmd("switch toggle ch=2") == " S1: 0\n S2: 1\n S3: 0\n S4: 0\n"
    assert "ch=5 out of range 1..4" in node.cmd("switch toggle ch=5")
    assert "buzzer.play" in node.cmd("buzzer tune 'mario'")
    time.sleep(0.05)
    assert pin(node, 33).get("freq", 0) > 0        # a note is playing
    assert "bad RTTTL note 'x'" in node.cmd("buzzer play 'a:d=4,o=5,b=100:c,x'")
    node.cmd("buzzer stop")


# ---- persistence ----------------------------------------------------------

def test_state_restored_after_restart(node):
    node.cmd("rgb color 10 20 30 smooth=False")
    node.cmd("neopixel load ledcnt=4")
    node.cmd("neopixel color 0 0 77 smooth=False")
    node.cmd("switch set_state True ch=3")
    node.cmd("servo angle 120")
    node.restart()
    assert node.cmd("rgb status") == " R: 10\n G: 20\n B: 30\n S: 1\n"
    assert pin(node, 25)["duty"] == 30 * 1023 // 255
    assert node.cmd("neopixel status").startswith(" R: 0\n G: 0\n B: 77\n S: 1\n")
    assert node.cmd("switch status") == " S1: 0\n S2: 0\n S3: 1\n S4: 0\n"
    assert node.cmd("servo load") == " S1: 120\n S2: 90\n"
