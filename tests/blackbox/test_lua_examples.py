"""The Lua examples (examples/lua/): three micrOS modules ported to Lua, run
on the sim board -- a sensor, an actuator with a fade task, and a module that
calls other modules."""
import os
import re
import shutil
import time

from test_tasks import wait_for

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "examples", "lua")


def install(node, *names):
    for n in names:
        shutil.copy(os.path.join(EXAMPLES, "LM_%s.lua" % n), node.path("modules"))


def pin_line(s, pin):
    return [l for l in s.cmd("sim pins").splitlines() if l.startswith(" %d:" % pin)][0]


def test_lux_sensor_answers_as_the_c_light_sensor(node):
    install(node, "lux")
    with node.connect() as s:
        for raw in (0, 1000, 2048, 3000, 4095):
            assert s.cmd("sim light %d" % raw) == "%d\n" % raw
            for f in ("intensity", "illuminance"):
                want = s.cmd("light_sensor " + f)
                assert s.cmd("lux " + f) == want, (raw, f)
                assert s.cmd("lux %s >json" % f) == s.cmd("light_sensor %s >json" % f)
        assert s.cmd("lux help") == " intensity,\n illuminance,\n pinmap,\n"
        assert s.cmd("lux pinmap") == " temp6000: 36\n"


def test_fader_fades_in_a_task_and_keeps_its_state(node):
    install(node, "fader")
    with node.connect() as s:
        assert s.cmd("fader set_value 1500") == "DIMMER ERROR, VALUE 0-1000 ONLY, GIVEN: 1500\n"
        assert s.cmd("fader set_value 200") == " BR: 20\n S: 1\n X: 200\n"
        assert "pwm" in pin_line(s, 19) and "duty=205" in pin_line(s, 19)
        assert s.cmd("fader transition 1000 0.4") == " fader.transition: Starting\n"
        assert s.cmd("fader transition 0") == " fader.transition: Already running\n"
        # the node answers while the fade runs; the level climbs step by step
        seen = set()
        deadline = time.time() + 5
        while time.time() < deadline and "No        fader.transition" not in s.cmd("task list"):
            seen.add(re.search(r"duty=(\d+)", pin_line(s, 19)).group(1))
            assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert len(seen) >= 3, seen
        assert s.cmd("task show fader.transition") == " BR: 100\n S: 1\n X: 1000\n"
        assert "duty=1023" in pin_line(s, 19)
        assert s.cmd("fader toggle") == " BR: 100\n S: 0\n X: 1000\n"
    with open(node.path("data", "fader.cache")) as f:
        assert f.read().strip() in ("1000,0", "1000.0,0.0", "1000,0.0")
    node.restart()
    with node.connect() as s:
        assert s.cmd("fader status") == " BR: 100\n S: 0\n X: 1000\n"   # restored from the cache


def test_daylight_calls_lua_and_c_modules(node):
    install(node, "lux", "daylight")
    with node.connect() as s:
        s.cmd("sim light 4095")
        assert s.cmd("daylight adjust") == " dimmer: 0\n light: 100.0\n"
        s.cmd("sim light 0")
        assert s.cmd("daylight adjust") == " dimmer: 1000\n light: 0.0\n"
        assert s.cmd("dimmer status").startswith(" X: 1000\n")
        assert s.cmd("modules") == "['sim', 'daylight', 'lux', 'dimmer', 'task']\n"
        assert s.cmd("daylight follow 100") == " daylight.follow: Starting\n"
        s.cmd("sim light 2048")
        assert wait_for(lambda: s.cmd("daylight status") == " dimmer: 500\n light: 50.0\n")
        assert s.cmd("daylight stop") == " running: True\n"
        assert wait_for(lambda: "No        daylight.follow" in s.cmd("task list"))
        assert s.cmd("task show daylight.follow") == "stopped\n"
