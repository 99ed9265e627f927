"""The device shelf's actuators against a real node on the sim board:
stepper, L298N, L9110_DCmotor, haptic, rgbcct.

The sim board observes what the modules drive (src/core/sim_shelf.c): the
stepper's rotor follows the magnetic field of the energised coils (so a
wrong coil order, a skipped entry or a 180-degree jump shows as a wrong
position), the haptic motor counts its buzzes; motor drivers are read back
from the pins' PWM duty and levels. Replies are micrOS's, byte for byte
(docs/modules.md).
"""
import json

from test_devices import expect, expect_help, once, pin, state, wait_for


def active(node, tag):
    return tag in json.loads(node.cmd("task list >json"))["active"]


def stepper_idle(node):
    return state(node)["stepper"]["coils"] == "0000" and not active(node, "stepper._move")


def test_stepper_moves_the_rotor(node):
    once(node, "stepper step 10", "Move 10 step (2 ms)")
    assert wait_for(lambda: stepper_idle(node), 10)
    # 10 passes of the 8-entry half-step table: 80 half steps
    assert state(node)["stepper"]["position"] == 80
    assert state(node)["stepper"]["reversals"] == 0   # a smooth run: no entry out of order
    # a reversal: the first entry of the reversed table is where the rotor
    # already is, so the first backward pass moves 7 half steps, then 8 each
    once(node, "stepper step -3", "Move -3 step (2 ms)")
    assert wait_for(lambda: stepper_idle(node), 10)
    assert state(node)["stepper"]["position"] == 80 - 23
    assert state(node)["stepper"]["reversals"] == 1
    # angle: round(509 * dg / 360) passes; micrOS's speed setter makes 5 ms 10 ms
    once(node, "stepper angle 9 speed=5", "Move 9 degree (10 ms)")
    assert wait_for(lambda: stepper_idle(node), 10)
    # 13 passes; the first entry is where the reversed pass left the rotor
    assert state(node)["stepper"]["position"] == 57 + round(509 * 9 / 360) * 8 - 1
    assert state(node)["stepper"]["reversals"] == 2
    once(node, "stepper standby", "Standby")
    expect(node, "stepper pinmap", {"stppr_1": 6, "stppr_2": 7, "stppr_3": 8, "stppr_4": 9})
    expect_help(node, "stepper", ["angle dg=+/-360 speed=<ms>", "step st=+/-2 speed=<ms>", "standby",
                                  'load_n_init mode=<"HALF"/"FULL">', "pinmap"])


def test_stepper_full_mode(node):
    once(node, "stepper load_n_init mode='FULL'", "None")
    once(node, "stepper step 5", "Move 5 step (10 ms)")
    assert wait_for(lambda: stepper_idle(node), 10)
    # 4 two-coil entries per pass, each a quarter turn of the field: 8 half steps
    assert state(node)["stepper"]["position"] == 40
    assert state(node)["stepper"]["reversals"] == 0


def test_l298n(node):
    once(node, "L298N load", "Motor driver loaded successfully.")
    coast = {"speed": 0, "state": "coast"}
    expect(node, "L298N state", {"motor1": coast, "motor2": coast})
    once(node, "L298N speed 1 512", {"motor1": {"speed": 512, "state": "coast"}})
    assert pin(node, 20)["duty"] == 512 and pin(node, 20)["freq"] == 50
    once(node, "L298N direction 1", {"motor1": {"speed": 512, "state": "forward"}})
    assert (pin(node, 24)["level"], pin(node, 28)["level"]) == (1, 0)
    once(node, "L298N direction 2 forward=False", {"motor2": {"speed": 0, "state": "backward"}})
    once(node, "L298N brake 2", {"motor2": {"speed": 0, "state": "brake"}})
    once(node, "L298N coast 1", {"motor1": {"speed": 512, "state": "coast"}})
    once(node, "L298N speed 2 2000", {"speed": "value range error"})
    expect(node, "L298N state motor=2", {"motor2": {"speed": 0, "state": "brake"}})
    expect(node, "L298N pinmap", {"l298n_ENA": 20, "l298n_INA": 24, "l298n_INB": 28,
                                  "l298n_ENB": 29, "l298n_INC": 30, "l298n_IND": 31})


def test_l298n_default_pins_on_a_board_without_them(make_node):
    n = make_node("board=esp32s3")
    expect(n, "L298N pinmap", {"l298n_ENA": None, "l298n_INA": None, "l298n_INB": None,
                               "l298n_ENB": None, "l298n_INC": None, "l298n_IND": None})
    n.cmd("L298N load")
    booked = json.loads(n.cmd("system pinmap >json"))["booked"]
    # micrOS's PIN_BINDINGS defaults
    assert booked == {"10": "l298n_ENA", "12": "l298n_INA", "11": "l298n_INB", "3": "l298n_ENB",
                      "9": "l298n_INC", "40": "l298n_IND"}


def test_l9110(node):
    once(node, "L9110_DCmotor motor_control 0 500", {"speed": 500, "direc": "forward"})
    assert pin(node, 0)["duty"] == 500 and pin(node, 3)["duty"] == 0 and pin(node, 0)["freq"] == 1024
    once(node, "L9110_DCmotor motor_control direc=1 speed=300", {"speed": 300, "direc": "backward"})
    assert pin(node, 0)["duty"] == 0 and pin(node, 3)["duty"] == 300
    once(node, "L9110_DCmotor motor_control 2 100", "invalid parameters")
    assert "out of range 0..1023" in node.cmd("L9110_DCmotor motor_control 0 5000")
    expect(node, "L9110_DCmotor pinmap", {"l9110dir_1": 0, "l9110dir_2": 3})
    expect_help(node, "L9110_DCmotor", ["motor_control direc=<0/1> speed=<0-1000>", "pinmap"])


def haptic_idle(node):
    return not active(node, "haptic._fx")


def test_haptic(node):
    once(node, "haptic load", "PWM(Pin(11), freq=20480, duty=0)")
    once(node, "haptic tap", "Tap: low")
    assert wait_for(lambda: haptic_idle(node), 5)
    h = state(node)["haptic"]
    assert (h["buzzes"], h["peak"], h["duty"]) == (1, 700, 0)
    once(node, "haptic effect1", "finished: 350ms")   # high, low, high: one buzz
    assert wait_for(lambda: haptic_idle(node), 5)
    h = state(node)["haptic"]
    assert (h["buzzes"], h["peak"], h["duty"]) == (2, 1000, 0)
    once(node, "haptic gen 800 wait=40 stop_wait=40 repeat=3", "finished: 240ms:800:40:3")
    assert wait_for(lambda: haptic_idle(node), 5)
    assert state(node)["haptic"]["buzzes"] == 5
    once(node, "haptic load intensity='high'", "PWM(Pin(11), freq=20480, duty=0)")
    once(node, "haptic tap", "Tap: high")
    once(node, "haptic deinit", "Deinited")
    expect_help(node, "haptic", ["load intensity='low/high'/None", "tap", "effect1", "effect2",
                                 "gen max=<600-1000> wait=200 stop_wait=100 repeat=2", "deinit", "pinmap"])
    kinds = [json.loads(w)["type"] for w in json.loads(node.cmd("haptic help True >json"))]
    assert kinds.count("button") == 3, kinds


def merged(node, fn):
    rgb = json.loads(node.cmd("rgb %s >json" % fn))
    rgb.update(json.loads(node.cmd("cct %s >json" % fn)))
    return rgb


def test_rgbcct_is_rgb_and_cct(node):
    once(node, "rgbcct load", "RGB: CACHE: True, CCT: CACHE: True")
    want = merged(node, "status")
    assert list(want) == ["R", "G", "B", "S", "BR", "CW", "WW"]
    expect(node, "rgbcct status", want)
    out = json.loads(node.cmd("rgbcct toggle True smooth=False >json"))
    assert out["S"] == 1 and out == merged(node, "status")
    assert json.loads(node.cmd("cct status >json"))["S"] == 1   # cct followed rgb
    out = json.loads(node.cmd("rgbcct brightness 50 smooth=False >json"))
    assert out == merged(node, "status") and out["BR"] == 50
    out = json.loads(node.cmd("rgbcct toggle smooth=False >json"))
    assert out["S"] == 0 and json.loads(node.cmd("cct status >json"))["S"] == 0
    expect(node, "rgbcct pinmap", merged(node, "pinmap"))
    assert list(merged(node, "pinmap")) == ["redgb", "rgreenb", "rgbue", "cwhite", "wwhite"]
    expect_help(node, "rgbcct", ["load", "toggle state=<True,False> smooth=True",
                                 "brightness percent smooth=True wake=True", "status", "pinmap"])
