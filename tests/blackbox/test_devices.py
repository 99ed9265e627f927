"""Device Load Modules and pin maps against a real node on the sim board.

The device modules answer exactly what micrOS's modules of the same name
answer (docs/modules.md is the contract): each test below calls every
micrOS function of one module and compares the shell text AND the `>json`
reply byte for byte with the contract -- micrOS's Gateway turns the dict
keys into metric names, so a drifting key silently empties a dashboard.
Expected floats are computed here with micrOS's own Python arithmetic.

The node's simulated hardware is inspected with `sim state >json` (PWM
duties, strip pixels, sensor settings) and driven with `sim dht`, `sim
bme280`, `sim light` -- nothing is mocked.
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


def text_of(v):
    """micrOS's shell text of a result: a dict as ' key: str(value)' lines, else str()."""
    if isinstance(v, dict):
        return "".join(" %s: %s\n" % (k, x) for k, x in v.items())
    return "%s\n" % (v,)


def once(node, cmd, want):
    """A call that changes state: its text reply, byte for byte."""
    out = node.cmd(cmd)
    assert out == text_of(want), "%s -> %r, want %r" % (cmd, out, text_of(want))


def expect(node, cmd, want):
    """A call that does not change state: text and >json, byte for byte."""
    once(node, cmd, want)
    out = node.cmd(cmd + " >json")
    if isinstance(want, dict):
        assert out == json.dumps(want) + "\n", "%s >json -> %r" % (cmd, out)
    else:  # >json changes nothing for a non-dict
        assert out == text_of(want), "%s >json -> %r" % (cmd, out)


def wait_for(fn, timeout=5.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if fn():
            return True
        time.sleep(0.02)
    return fn()


def expect_help(node, module, lines):
    """`<module> help`: micrOS's help lines, widget tags removed; >json a list."""
    once(node, "%s help" % module, "\n".join(" %s," % l for l in lines))
    assert node.cmd("%s help >json" % module) == json.dumps(lines) + "\n"


def widgets(node, module):
    """`<module> help True` as dicts, without micrOS's BUTTON 'result' key
    (the widget renderer is another file's contract)."""
    out = []
    for w in json.loads(node.cmd("%s help True >json" % module)):
        d = json.loads(w)
        d.pop("result", None)
        out.append(d)
    return out


def light_status(keys, vals, s, ch_max):
    """micrOS 3.3.1's status of rgb/cct/dimmer/neopixel."""
    d = dict(zip(keys, vals))
    d["S"] = s
    d["BR"] = 0 if s == 0 else int(max(vals) * 100 / ch_max + 0.5)
    return d


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
    # genIO books micrOS's tags: OUT<n>, IN<n>, PWM<n>, ADC<n>
    out = n.cmd("genIO set_out 12 1")
    assert "[io-register] OUT12:12 already in use: rgreenb" in out
    assert "out of range for sim (0..39)" in n.cmd("genIO set_out 45 1")
    once(n, "genIO set_out 13 1", {"pin": 13, "state": 1})
    assert "[io-register] IN13:13 already in use: OUT13" in n.cmd("genIO get_in 13")


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


# ---- the micrOS contract, module by module (docs/modules.md) ----------------

RGB_KEYS = ("R", "G", "B")


def test_rgb_contract(node):
    # micrOS's power-on colour is floats, off
    expect(node, "rgb status", {"R": 197.0, "G": 35.0, "B": 10.0, "S": 0, "BR": 0})
    expect(node, "rgb brightness", "0 %")
    st = light_status(RGB_KEYS, (10, 20, 30), 1, 1000)
    assert st["BR"] == 3
    once(node, "rgb color 10 20 30 smooth=False", st)
    expect(node, "rgb status", st)
    assert pin(node, 14)["duty"] == 10 * 1023 // 1000          # channels are 0..1000
    expect(node, "rgb brightness", "{} %".format(30 / 1000 * 100))
    # brightness: round(1000 * (p / 100) * (c / max), 3), floats from now on
    tb = 1000 * (50 / 100)
    vals = tuple(round(tb * float(c / 30), 3) for c in (10, 20, 30))
    st = light_status(RGB_KEYS, vals, 1, 1000)
    once(node, "rgb brightness 50 smooth=False", st)
    expect(node, "rgb status", st)
    expect(node, "rgb brightness 50", st)                         # unchanged: just the status
    expect(node, "rgb brightness 101", "Percent is out of range: 0-100")   # a string, as micrOS
    off = dict(st, S=0, BR=0)
    once(node, "rgb toggle smooth=False", off)
    assert pin(node, 14)["duty"] == 0
    once(node, "rgb toggle False", off)                           # already off: no change
    once(node, "rgb toggle True smooth=False", st)
    # off, no wake: only the stored colour moves
    once(node, "rgb toggle smooth=False", off)
    tb = 1000 * (20 / 100)
    dim = tuple(round(tb * float(c / max(vals)), 3) for c in vals)
    once(node, "rgb brightness 20 wake=False", light_status(RGB_KEYS, dim, 0, 1000))
    assert pin(node, 14)["duty"] == 0
    # transition: micrOS's task reply; it ends on round()ed ints
    once(node, "rgb transition 100 200 300.4 sec=0 wake=True", {"rgb._tran": "Starting"})
    st = light_status(RGB_KEYS, (100, 200, 300), 1, 1000)
    assert wait_for(lambda: node.cmd("rgb status") == text_of(st))
    assert wait_for(lambda: pin(node, 25)["duty"] == 300 * 1023 // 1000)
    r = json.loads(node.cmd("rgb random max_val=40 smooth=False >json"))
    assert list(r) == ["R", "G", "B", "S", "BR"] and all(type(r[k]) is int and 0 <= r[k] <= 40 for k in RGB_KEYS)
    expect(node, "rgb pinmap", {"redgb": 14, "rgreenb": 12, "rgbue": 25})
    # load restores micrOS's cache: the values come back as floats
    once(node, "rgb color 1 2 3 smooth=False", light_status(RGB_KEYS, (1, 2, 3), 1, 1000))
    once(node, "rgb load", "CACHE: True")
    expect(node, "rgb status", light_status(RGB_KEYS, (1.0, 2.0, 3.0), 1, 1000))
    once(node, "rgb load cache=False", "CACHE: False")
    expect_help(node, "rgb", [
        "color r=<0-1000-10> g b smooth=True force=True", "toggle state=<True,False> smooth=True", "load",
        "brightness percent=<0-100> smooth=True wake=True", "transition r=None g=None b=None sec=1.0 wake=False",
        "random smooth=True max_val=1000", "status", "pinmap"])
    assert widgets(node, "rgb") == [
        {"type": "color", "callback": "color r=:range: g=:range: b=:range: smooth=True force=True",
         "range": [0, 1000, 10]},
        {"type": "button", "callback": "toggle state=:options: smooth=True", "options": ["True", "False"]},
        {"type": "slider", "callback": "brightness percent=:range: smooth=True wake=True", "range": [0, 100, 2]},
        {"type": "button", "callback": "random smooth=True max_val=1000", "options": ["None"]},
        {"type": "status", "callback": "status ", "wtype": "auto"}]
    # values micrOS would crash on are refused, the state untouched
    assert "r=1001 out of range 0..1000" in node.cmd("rgb color 1001 0 0")
    assert "max_val=2000 out of range 0..1000" in node.cmd("rgb random max_val=2000")


def test_rgb_transition_monotonic_over_stated_time(node):
    node.cmd("rgb color 40 800 20 smooth=False")
    t0 = time.monotonic()
    once(node, "rgb transition 980 80 20 sec=1", {"rgb._tran": "Starting"})
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
    final_r, final_g = 980 * 1023 // 1000, 80 * 1023 // 1000
    assert reds[-1] == final_r and greens[-1] == final_g
    reached = times[reds.index(final_r)]
    assert 0.8 <= reached <= 1.4, reached           # over the stated time, not at once
    assert len(set(reds)) > 10                      # smooth, many intermediate values
    assert node.cmd("task show rgb._tran") == "Dimming DONE: R:980 G:80 B:20\n"
    expect(node, "rgb status", light_status(RGB_KEYS, (980, 80, 20), 1, 1000))


def test_cct_contract(node):
    keys = ("CW", "WW")
    expect(node, "cct status", {"CW": 500, "WW": 500, "S": 0, "BR": 0})
    st = light_status(keys, (100, 50), 1, 1000)
    once(node, "cct white 100 50 smooth=False", st)
    expect(node, "cct status", st)
    assert pin(node, 17)["duty"] == 100 * 1023 // 1000 and pin(node, 16)["duty"] == 50 * 1023 // 1000
    expect(node, "cct brightness", "{} %".format(100 / 1000 * 100))
    tb = 1000 * (80 / 100)
    st = light_status(keys, (int(tb * float(100 / 100)), int(tb * float(50 / 100))), 1, 1000)   # int() on cct
    once(node, "cct brightness 80 smooth=False", st)
    once(node, "cct toggle smooth=False", dict(st, S=0, BR=0))
    once(node, "cct toggle smooth=False", st)
    once(node, "cct transition 300 600 sec=0", {"cct._tran": "Starting"})
    st = light_status(keys, (300, 600), 1, 1000)
    assert wait_for(lambda: node.cmd("cct status") == text_of(st))
    # hue_transition: the warm share moves, the total stays
    once(node, "cct hue_transition 101", "Invalid range, percent=<0-100>")
    once(node, "cct hue_transition 20 sec=0", {"cct._hue": "Starting"})
    st = light_status(keys, (900 - 900 * 200 // 1000, 900 * 200 // 1000), 1, 1000)
    assert wait_for(lambda: node.cmd("cct status") == text_of(st))
    assert node.cmd("task show cct._hue") == "HUE DONE 20%w - CW:720 WW:180\n"
    r = json.loads(node.cmd("cct random max_val=10 smooth=False >json"))
    assert list(r) == ["CW", "WW", "S", "BR"] and all(0 <= r[k] <= 10 for k in keys)
    expect(node, "cct pinmap", {"cwhite": 17, "wwhite": 16})
    once(node, "cct load", "CACHE: True")
    expect_help(node, "cct", [
        "white cw=<0-800-5> ww smooth=True force=True", "toggle state=<True,False> smooth=True", "load",
        "brightness percent=<0-100> smooth=True wake=True", "transition cw=None ww=None sec=1.0 wake=False",
        "hue_transition percent=<0-100> sec=1.0 wake=False", "random smooth=True max_val=1000", "status",
        "pinmap"])
    assert widgets(node, "cct")[0] == {"type": "white", "callback": "white cw=:range: ww=:range: smooth=True force=True",
                                       "range": [0, 800, 5]}


def test_cct_load_pin_order_is_micros(make_node):
    # load(pin_warm=None, pin_cold=None, cache=True): warm first
    n = make_node()
    once(n, "cct load pin_warm=5 pin_cold=6", "CACHE: True")
    assert " booked: {6: 'cwhite', 5: 'wwhite'}\n" in n.cmd("system pinmap")


def test_dimmer_contract(node):
    keys = ("X",)
    expect(node, "dimmer status", {"X": 500, "S": 0, "BR": 0})
    st = light_status(keys, (300,), 1, 1000)
    once(node, "dimmer set_value 300 smooth=False", st)
    expect(node, "dimmer status", st)
    assert pin(node, 19)["duty"] == 300 * 1023 // 1000
    once(node, "dimmer set_value 3 smooth=False", light_status(keys, (5,), 1, 1000))   # kept >= 5
    once(node, "dimmer set_value 1500", "DIMMER ERROR, VALUE 0-1000 ONLY, GIVEN: 1500")
    once(node, "dimmer set_value 0 smooth=False", {"X": 5, "S": 0, "BR": 0})
    once(node, "dimmer toggle smooth=False", light_status(keys, (5,), 1, 1000))
    once(node, "dimmer transition 800 sec=0", {"dimmer._tran": "Starting"})
    assert wait_for(lambda: node.cmd("dimmer status") == text_of(light_status(keys, (800,), 1, 1000)))
    assert node.cmd("task show dimmer._tran") == "Dimming DONE: 800\n"
    assert "missing 1 required positional argument: 'value'" in node.cmd("dimmer transition")
    expect(node, "dimmer pinmap", {"dim_1": 19})
    once(node, "dimmer load", "CACHE: True")
    expect(node, "dimmer status", light_status(keys, (800,), 1, 1000))   # micrOS restores ints
    expect_help(node, "dimmer", [
        "set_value value=<0-1000> smooth=True force=True", "toggle state=<True,False> smooth=True",
        "transition value=<0-1000> sec wake=False", "status", "load", "pinmap",
        "brightness percent=<0-100> smooth=True wake=True"])


def test_neopixel_contract(node):
    once(node, "neopixel load ledcnt=8", "CACHE: True, LED CNT: 8")
    expect(node, "neopixel status", {"R": 100, "G": 100, "B": 100, "S": 0, "BR": 0})
    st = light_status(RGB_KEYS, (255, 0, 0), 1, 255)
    once(node, "neopixel color 255 0 0 smooth=False", st)
    assert state(node)["strip"]["pixels"] == ["#ff0000"] * 8
    expect(node, "neopixel brightness", "{} %".format(255 / 255 * 100))
    # lit: round(x, 3) floats (blue computed as target * float(b) / max)
    tb = 255 * (50 / 100)
    vals = (round(tb * float(255 / 255), 3), round(tb * float(0 / 255), 3), round(tb * float(0) / 255, 3))
    st = light_status(RGB_KEYS, vals, 1, 255)
    once(node, "neopixel brightness 50 smooth=False", st)
    assert state(node)["strip"]["pixels"] == ["#800000"] * 8
    # off and no wake: int(x)
    once(node, "neopixel toggle smooth=False", dict(st, S=0, BR=0))
    tb = 255 * (30 / 100)
    ints = (int(tb * float(127.5 / 127.5)), int(tb * float(0.0 / 127.5)), int(tb * float(0.0) / 127.5))
    once(node, "neopixel brightness 30 wake=False", light_status(RGB_KEYS, ints, 0, 255))
    once(node, "neopixel toggle True smooth=False", light_status(RGB_KEYS, ints, 1, 255))
    # segment: one pixel, Python indexing; past the end a string, at the end an error
    st = light_status(RGB_KEYS, ints, 1, 255)
    once(node, "neopixel segment 0 0 255 s=3", st)
    assert state(node)["strip"]["pixels"][3] == "#0000ff"
    once(node, "neopixel segment 0 255 0 s=-1", st)
    assert state(node)["strip"]["pixels"][7] == "#00ff00"
    once(node, "neopixel segment 0 0 255 s=9", "NEOPIXEL index error: 9 > 8")
    assert node.cmd("neopixel segment 0 0 255 s=8").startswith("Core error: LM_neopixel->segment:")
    once(node, "neopixel segment 1 2 3 s=0 cache=True", light_status(RGB_KEYS, (1, 2, 3), 1, 255))
    once(node, "neopixel transition 10 20 30 sec=0", {"neopixel._tran": "Starting"})
    assert wait_for(lambda: node.cmd("neopixel status") == text_of(light_status(RGB_KEYS, (10, 20, 30), 1, 255)))
    r = json.loads(node.cmd("neopixel random smooth=False >json"))
    assert list(r) == ["R", "G", "B", "S", "BR"] and all(0 <= r[k] <= 255 for k in RGB_KEYS)
    once(node, "neopixel color 64 0 0 smooth=False", light_status(RGB_KEYS, (64, 0, 0), 1, 255))
    expect(node, "neopixel brightness", "{} %".format(64 / 255 * 100))   # Python's float repr
    expect(node, "neopixel pinmap", {"neop": 15})
    expect_help(node, "neopixel", [
        "color r=<0-255-5> g b smooth=True force=True", "toggle state=<True,False> smooth=True", "load ledcnt=24",
        "brightness percent=<0-100> smooth=True wake=True", "segment r g b s=<0-n>",
        "transition r g b sec=1.0 wake=False", "random smooth=True max_val=254", "status", "pinmap",
        "rainbow speed_ms=50", "cycle speed_ms=100", "breathe speed_ms=30", "stop"])


def test_neopixel_effects_run_as_tasks_and_stop_on_input(node):
    node.cmd("neopixel load ledcnt=8")
    node.cmd("neopixel color 0 0 200")
    time.sleep(0.6)
    assert state(node)["strip"]["pixels"] == ["#0000c8"] * 8
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


def test_switch_contract(node):
    expect(node, "switch status", {"SW1": 0, "SW2": 0, "SW3": 0, "SW4": 0})
    once(node, "switch set_state 1", "SET STATE: 1")
    assert pin(node, 23)["level"] == 1
    once(node, "switch set_state2 True", "SET STATE(2): 1")
    once(node, "switch set_state3 2", "[ERROR] switch input have to 0 or 1")
    once(node, "switch set_state4 1", "SET STATE(4): 1")
    once(node, "switch toggle", "SET STATE: 0")
    assert pin(node, 23)["level"] == 0
    once(node, "switch toggle3", "SET STATE(3): 1")
    once(node, "switch toggle2", "SET STATE(2): 0")
    once(node, "switch toggle4", "SET STATE(4): 0")
    expect(node, "switch status", {"SW1": 0, "SW2": 0, "SW3": 1, "SW4": 0})
    expect(node, "switch status lmf='toggle3'", {"S": 1})
    expect(node, "switch status lmf='set_state'", {"S": 0})
    once(node, "switch set_state state=1 ch=2", "SET STATE(2): 1")      # nodus's ch keyword
    once(node, "switch load ch_init=[2]", "CACHE: True")                 # SW1 off: channels listed go to 0
    expect(node, "switch status", {"SW1": 0, "SW2": 0, "SW3": 1, "SW4": 0})
    expect(node, "switch pinmap", {"switch_1": 23, "switch_2": 0, "switch_3": 1, "switch_4": 3})
    expect_help(node, "switch", [
        "set_state state=<0,1>", "toggle", "set_state2 state=<0,1>", "toggle2", "set_state3 state=<0,1>",
        "toggle3", "set_state4 state=<0,1>", "toggle4", "load cache=None<True/False> ch_init=[1,2,3,4]",
        "status", "pinmap"])


def test_servo_contract(node):
    expect(node, "servo status", {"S1": 75, "S2": 75})
    once(node, "servo sduty 200", "SET SERVO1: duty: 115")      # micrOS clamps to 40..115
    assert pin(node, 27)["duty"] == 115
    once(node, "servo sduty 10", "SET SERVO1: duty: 40")
    once(node, "servo s2duty", "SET SERVO2: duty: 75")
    expect(node, "servo status", {"S1": 40, "S2": 75})
    expect(node, "servo status lmf='s2duty'", {"X": 75})
    expect(node, "servo status lmf='sduty'", {"X": 40})
    once(node, "servo deinit", "Deinit servo 1 and 2")
    once(node, "servo sdemo", "sduty DEMO")                      # 40, 115, then 75 as a task
    assert wait_for(lambda: pin(node, 27).get("duty") == 115)
    assert wait_for(lambda: pin(node, 27).get("duty") == 75)
    expect(node, "servo pinmap", {"servo_1": 27, "servo_2": 26})
    once(node, "servo angle 45", {"S1": 52, "S2": 75})          # nodus: degrees, 0.5..2.5 ms
    assert abs(pin(node, 27)["angle"] - 45) < 2
    assert "deg=200 out of range 0..180" in node.cmd("servo angle 200")
    expect_help(node, "servo", ["sduty duty=<int>40-115", "sdemo", "s2duty", "deinit", "status",
                                          "pinmap", "angle deg=<0-180-5> ch=1", "center ch=1", "load"])


def test_buzzer_contract(node):
    once(node, "buzzer bipp", "Bip on 600 Hz")
    once(node, "buzzer bipp 3 freq=800", "Bippp on 800 Hz")
    once(node, "buzzer bipp", "Bip on 800 Hz")                 # freq=None: the last one
    expect(node, "buzzer list_tones", "Indiana\nTakeOnMe\nStarWars\nMissionImp\nMario")
    node.cmd("buzzer stop")
    once(node, "buzzer play 'takeon'", {"buzzer._play": "Starting"})   # a part of the title
    assert wait_for(lambda: pin(node, 33).get("freq", 0) > 0)        # a note is playing
    assert node.cmd("task show buzzer._play") == "Play song...\n"
    once(node, "buzzer play 'Indiana'", {"buzzer._play": "Already running"})
    once(node, "buzzer stop", "Stopped")
    assert wait_for(lambda: node.cmd("task show buzzer._play") == "Stopped\n")
    assert "bad RTTTL note 'x'" in node.cmd("buzzer play 'd=4,o=5,b=100:c,x'")
    once(node, "buzzer load", "CACHE: True, check notify: False")
    once(node, "buzzer load check_notify=True", "CACHE: True, check notify: True")
    once(node, "buzzer bipp", "Bip on 800 Hz")                  # notifications are on: it bipps
    node.cmd("system notifications enable=False")
    once(node, "buzzer bipp", "NoBipp - notify off")            # micrOS: noise only while notify is on
    once(node, "buzzer play", "NoBipp - notify off")
    node.cmd("system notifications enable=True")
    expect(node, "buzzer pinmap", {"buzzer": 33})
    expect_help(node, "buzzer", [
        "bipp repeat=3 freq=600", "play rtttlstr=<Indiana,TakeOnMe,StarWars,MissionImp>", "list_tones",
        "load check_notify=False", "pinmap", "tune name=<Indiana,TakeOnMe,StarWars,MissionImp,Mario>", "stop"])


def test_dht22_contract(node):
    node.cmd("sim dht t=-3.5 h=61.2")
    want = {"temp[C]": -3.5, "hum[%]": 61.2}
    expect(node, "dht22 measure", want)
    assert node.cmd("dht22 measure >json") == '{"temp[C]": -3.5, "hum[%]": 61.2}\n'
    node.cmd("sim dht bad=1")
    out = node.cmd("dht22 measure")
    assert "DHT22 checksum error" in out and out.startswith("Core error")
    expect(node, "dht22 measure", want)                         # the next frame is good again
    once(node, "dht22 measure log=True", want)
    out = node.cmd("dht22 logger")  # micrOS: `~~~` stream lines, then an empty reply
    assert out.startswith("~~~ dht22.dat\n~~~ \t") and out.endswith(" {'temp[C]': -3.5, 'hum[%]': 61.2}\n\n")
    node.cmd("sim dht bad=-1")
    assert "DHT22 read failed" in node.cmd("dht22 measure")
    once(node, "dht22 load", "DHT22 hum/temp sensor module - loaded")
    expect(node, "dht22 pinmap", {"dhtpin": 32})
    expect_help(node, "dht22", ["measure log=False", "logger", "load", "pinmap"])


def test_bme280_contract(node):
    node.cmd("sim bme280 t=21.5 p=1013.2 h=40.0")
    v = json.loads(node.cmd("bme280 measure >json"))
    assert list(v) == ["temp[C]", "hum[%]", "pressure[hPa]"]
    assert abs(v["temp[C]"] - 21.5) < 0.05
    assert abs(v["hum[%]"] - 40.0) < 0.5
    assert abs(v["pressure[hPa]"] - 1013.2) < 0.2
    assert all(round(x, 2) == x for x in v.values())          # micrOS's two decimals
    expect(node, "bme280 measure", v)
    node.cmd("sim bme280 present=False")
    assert "BME280 at 0x76 does not answer" in node.cmd("bme280 measure")
    node.cmd("sim bme280 present=True")
    expect(node, "bme280 measure ntfy=False", v)
    once(node, "bme280 load", "BME280 temp/hum/pressure sensor - loaded")
    assert "must be 0x76 or 0x77" in node.cmd("bme280 load addr=0x20")
    expect(node, "bme280 pinmap", {"i2c_scl": 22, "i2c_sda": 21})
    expect_help(node, "bme280", ["measure ntfy=False", "load", "pinmap"])
    assert widgets(node, "bme280") == [{"type": "textbox", "callback": "measure ntfy=False", "refresh": 2000}]


def smart_adc(raw12):
    """micrOS SmartADC.get() for a 12-bit sample widened to read_u16()."""
    u16 = (raw12 << 4) | (raw12 >> 8)
    raw = int((u16 + u16) / 2)
    percent = raw / 65535
    return {"raw": raw, "percent": round(percent * 100, 1), "volt": round(percent * 2450 / 1000, 2)}


def test_light_sensor_contract(node):
    node.cmd("sim light 1024")
    a = smart_adc(1024)
    percent = 0
    volts = 0
    for _ in range(20):
        percent += a["percent"]
        volts += a["volt"]
    expect(node, "light_sensor intensity", {"light intensity [%]": round(percent / 20, 1)})
    volts = round(volts / 20, 1)
    lux = "{:.2f}".format(volts / 10000.0 * 1000000 * 2.0)
    expect(node, "light_sensor illuminance", {"illuminance [lux]": lux})
    assert node.cmd("light_sensor illuminance >json") == '{"illuminance [lux]": "%s"}\n' % lux   # a string
    expect(node, "light_sensor adc", a)
    once(node, "light_sensor load", "TEMPT6000 light sensor module - loaded")
    expect(node, "light_sensor pinmap", {"temp6000": 36})
    expect_help(node, "light_sensor", ["intensity", "illuminance", "pinmap", "load", "adc"])


def test_i2c_contract(node):
    expect(node, "i2c scan", [118])
    expect(node, "i2c discover", {"0x76": "BME280/BMP280"})
    node.cmd("sim bme280 present=False")
    expect(node, "i2c scan", [])
    expect(node, "i2c pinmap", {"i2c_scl": 22, "i2c_sda": 21})
    expect_help(node, "i2c", ["scan", "pinmap", "discover"])


def test_genio_contract(node):
    once(node, "genIO set_out 13 1", {"pin": 13, "state": 1})
    assert pin(node, 13)["level"] == 1
    once(node, "genIO set_out 13", {"pin": 13, "state": False})     # None flips: not value()
    once(node, "genIO set_out 13", {"pin": 13, "state": True})
    r = json.loads(node.cmd("genIO get_in 4 >json"))
    assert list(r) == ["pin", "state"] and r["pin"] == 4 and r["state"] in (0, 1)
    node.cmd("sim light 1024")
    expect(node, "genIO get_adc 36", dict(smart_adc(1024), pin=36))
    expect(node, "genIO get_adc 36 key='volt'", smart_adc(1024)["volt"])
    expect(node, "genIO get_adc 36 key='nope'", None)
    once(node, "genIO set_pwm 5 duty=100", {"pin": 5, "freq": 20480, "duty": 100})
    assert pin(node, 5)["duty"] == 100
    r = json.loads(node.cmd("genIO set_random_pwm 5 10 20 >json"))
    assert list(r) == ["pin", "freq", "duty"] and 10 <= r["duty"] <= 20
    assert "pin must be integer not <class 'str'>: neop" in node.cmd("genIO set_out 'neop' 1")
    once(node, "genIO load allow_tags=True", "[WARNING] allow_tag=True can be dangerous, use it consciously!!!")
    once(node, "genIO set_out 'builtin' 1", {"pin": "builtin", "state": 1})
    assert pin(node, 2)["level"] == 1
    once(node, "genIO load", "Loaded")
    expect_help(node, "genIO", [
        "set_pwm pin=<int> duty=<0-1000> freq=<int>", "set_random_pwm pin min_duty max_duty freq=20480)",
        "set_out pin=<int> state=<None/True/False>", "get_adc pin key=None", "get_in pin",
        "load allow_tags=False"])


# ---- persistence ----------------------------------------------------------

def test_state_restored_after_restart(node):
    node.cmd("rgb color 10 20 30 smooth=False")
    node.cmd("neopixel load ledcnt=4")
    node.cmd("neopixel color 0 0 77 smooth=False")
    node.cmd("dimmer set_value 300 smooth=False")
    node.cmd("switch set_state3 True")
    node.cmd("servo angle 120")
    node.restart()
    # micrOS reads its cache back with float(): rgb and neopixel values are floats
    expect(node, "rgb status", light_status(RGB_KEYS, (10.0, 20.0, 30.0), 1, 1000))
    assert pin(node, 25)["duty"] == 30 * 1023 // 1000
    expect(node, "neopixel status", light_status(RGB_KEYS, (0.0, 0.0, 77.0), 1, 255))
    expect(node, "dimmer status", {"X": 300, "S": 1, "BR": 30})          # int() for the dimmer
    expect(node, "switch status", {"SW1": 0, "SW2": 0, "SW3": 1, "SW4": 0})
    once(node, "servo load", {"S1": 26 + (120 * 102 + 90) // 180, "S2": 75})


def test_neopixel_restored_while_off_keeps_micros_float_state(node):
    node.cmd("neopixel color 1 2 3 smooth=False")
    node.cmd("neopixel toggle False smooth=False")
    node.restart()
    # micrOS's load leaves an off strip's cache as read: S is the float 0.0
    once(node, "neopixel load", "CACHE: True, LED CNT: 24")
    expect(node, "neopixel status", {"R": 1.0, "G": 2.0, "B": 3.0, "S": 0.0, "BR": 0})
