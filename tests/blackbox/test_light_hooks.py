"""neopixel on the shared light calls (light_lm.c): its hook, and the
status every light module shares.

on_change: every colour, toggle, brightness, transition or random call stops
a running effect -- even one refused for a bad argument, as before the calls
were shared. Status: every reply that shows it carries micrOS 3.3.1's
integer BR key, on every light module.
"""
import time

import pytest


def wait_stopped(node, timeout=5):
    deadline = time.time() + timeout
    out = ""
    while time.time() < deadline:
        out = node.cmd("task show neopixel.effect")
        if out == "Stopped\n":
            return
        time.sleep(0.05)
    raise AssertionError("effect still running: %r" % out)


def running(node):
    return node.cmd("task show neopixel.effect").startswith(("rainbow step", "cycle step"))


@pytest.mark.parametrize("call", [
    "neopixel toggle smooth=False",
    "neopixel brightness 40 smooth=False",
    "neopixel brightness",              # a query stops it too (it always did)
    "neopixel brightness 101",          # refused, still stops
    "neopixel color 300 0 0",           # refused, still stops
    "neopixel transition 1 2 3 sec=0",
    "neopixel random smooth=False",
    "neopixel load ledcnt=8",
])
def test_shared_calls_stop_a_running_effect(node, call):
    node.cmd("neopixel load ledcnt=8")
    assert "neopixel.effect" in node.cmd("neopixel rainbow speed_ms=20")
    deadline = time.time() + 5
    while not running(node):
        assert time.time() < deadline, "effect never stepped"
        time.sleep(0.02)
    node.cmd(call)
    wait_stopped(node)


def test_a_refused_load_leaves_the_effect_running(node):
    node.cmd("neopixel load ledcnt=8")
    node.cmd("neopixel cycle speed_ms=20")
    assert "out of range" in node.cmd("neopixel load ledcnt=8 pin=999")
    time.sleep(0.2)
    assert running(node)
    node.cmd("neopixel stop")
    wait_stopped(node)


def test_status_replies_carry_micros_br_on_every_light(node):
    # BR = 0 when off, else int(max(channel) * 100 / CH_MAX + 0.5), an int
    assert node.cmd("neopixel color 255 0 0 smooth=False").endswith(" S: 1\n BR: 100\n")
    assert node.cmd("neopixel toggle smooth=False") == " R: 255\n G: 0\n B: 0\n S: 0\n BR: 0\n"
    assert node.cmd("neopixel brightness 50 smooth=False").endswith(" S: 1\n BR: 50\n")
    assert node.cmd("neopixel status").endswith(" BR: 50\n")
    assert node.cmd("rgb color 255 0 0 smooth=False") == " R: 255\n G: 0\n B: 0\n S: 1\n BR: 26\n"
    assert node.cmd("cct white 0 994 smooth=False") == " CW: 0\n WW: 994\n S: 1\n BR: 99\n"
    assert node.cmd("dimmer set_value 995 smooth=False") == " X: 995\n S: 1\n BR: 100\n"
