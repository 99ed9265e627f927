"""neoeffects (micrOS LM_neoeffects) on the sim board's WS2812 strip: the
frames the strip received are compared with micrOS's formulas."""
import json
import re

from test_devices import expect_help, once, state, wait_for


def pixels(node):
    return state(node)["strip"]["pixels"]


def test_neoeffects_frames(node):
    once(node, "neoeffects load", "neoeffects: 24 pixels")
    st = json.loads(node.cmd("neoeffects color 100 0 0 >json"))
    assert st == json.loads(node.cmd("neopixel status >json"))   # micrOS answers neopixel's status
    once(node, "neoeffects shader 0 6", "Shader was set.")
    px = pixels(node)
    assert px[:6] == ["#000000"] * 6 and px[6:] == ["#640000"] * 18
    once(node, "neoeffects meteor 20 shift=False", {"neoeffects._play": "Starting"})
    want = ["#%02x0000" % int(100 * 0.6 * (p / 24) ** 0.9) for p in range(24)]
    assert wait_for(lambda: pixels(node) == want, 3)
    once(node, "neoeffects stop", "Stopped: neoeffects._play")
    assert wait_for(lambda: "neoeffects._play" not in json.loads(node.cmd("task list >json"))["active"])
    # cycle: one bright pixel with 10 % wings, walking
    node.cmd("neoeffects cycle 20 shift=False")
    assert wait_for(lambda: pixels(node)[:3] == ["#0a0000", "#640000", "#0a0000"], 3)
    node.cmd("neoeffects stop")
    out = node.cmd("neoeffects random max_val=50")
    assert re.fullmatch(r"Set random: R:\d+ G: B:\d+\n", out), out
    expect_help(node, "neoeffects", ["load pixel_cnt=24", "meteor speed_ms=60", "cycle speed_ms=60", "rainbow",
                                     "fire speed_ms=150", "stop", "shader offset=0 size=6",
                                     "control speed_ms=None batch=None", "random max_val=255", "pinmap", "color r=<0-255-10> g b"])


def test_neoeffects_control(node):
    # micrOS's AnimationPlayer.control, reply byte for byte (its "(speed: Nonems)" included)
    st = "Control state: {'realtime': %s, 'batched': %s, 'size': %d, 'speed_ms': %d, 'loop': True} (speed: Nonems)"
    once(node, "neoeffects control", st % ("True", "False", 8, 10))          # the player's defaults
    node.cmd("neoeffects color 100 0 0")
    node.cmd("neoeffects cycle 5000 shift=True")                             # one step per 5 s
    once(node, "neoeffects control", st % ("False", "True", 4, 5000))
    first = pixels(node)
    # speed it up while it runs: the strip starts walking
    once(node, "neoeffects control speed_ms=20 batch=False", st % ("True", "False", 4, 20))
    assert wait_for(lambda: pixels(node) != first, 5)
    once(node, "neoeffects control 99999", st % ("True", "False", 4, 10000))  # clamped as micrOS
    once(node, "neoeffects control -5 True", st % ("False", "True", 4, 0))
    assert "Core error" in node.cmd("neoeffects control 'fast'")
    node.cmd("neoeffects stop")
    node.cmd("neoeffects meteor")
    once(node, "neoeffects control", st % ("False", "True", 24, 60))
    node.cmd("neoeffects stop")
