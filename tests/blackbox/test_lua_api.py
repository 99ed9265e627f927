"""The `nodus` API of Lua modules, each function against a real node on the sim board."""
import json
import os
import re
import time

from luamods import put_module, stats
from test_tasks import wait_for

HW = r"""
local M = {}
function M.pin(tag) return nodus.pin(tag) end
function M.pin2(tag) return {nodus.pin(tag)} end
function M.out(pin, v) nodus.gpio.mode(pin, "out") nodus.gpio.write(pin, v) return nodus.gpio.read(pin) end
function M.inp(pin) nodus.gpio.mode(pin, "in", "down") return nodus.gpio.read(pin) end
function M.pwm(pin, f, d) nodus.pwm.set(pin, f, d) return {nodus.pwm.get(pin)} end
function M.pwmstop(pin) nodus.pwm.stop(pin) return nodus.gpio.read(pin) end
function M.adc(pin) return nodus.adc.read(pin) end
function M.i2c()
  local bus = nodus.i2c.bus(21, 22)
  local id = nodus.i2c.read(bus, 0x76, 0xD0, 1)
  return { bus = bus, scan = nodus.i2c.scan(bus), id = id:byte(1) }
end
function M.i2cmissing() return nodus.i2c.read(nodus.i2c.bus(21, 22), 0x10, 0, 1) end
function M.pixels(pin) nodus.pixels.show(pin, {255, 0, 0, 0, 0, 255}) return true end
local edges = {}
function M.watch(pin)
  return nodus.gpio.watch(pin, "rising", function(p, level)
    edges[#edges + 1] = level
    -- a callback calling back into its own module, through the dispatcher
    nodus.call("hw bump")
  end)
end
local bumps = 0
function M.bump() bumps = bumps + 1 return bumps end
function M.edges() return { n = #edges, bumps = bumps } end
function M.watch_bad(pin) return nodus.gpio.watch(pin, "rising", function() error("cb boom") end) end
function M.watch_sleep(pin) return nodus.gpio.watch(pin, "rising", function() nodus.sleep(10) end) end
function M.unwatch(pin) nodus.gpio.unwatch(pin) return true end
return M
"""


def test_pins_gpio_pwm_adc(node):
    put_module(node, "hw", HW)
    with node.connect() as s:
        assert s.cmd("hw pin 'switch_1'") == "(23, False)\n"       # gpio, inverted
        assert s.cmd("hw pin2 'switch_1'") == "[23, False]\n"
        assert s.cmd("hw pin 'nosuch'").startswith("Core error: LM_hw->pin: ")
        assert s.cmd("hw out 23 1") == "1\n"
        assert re.search(r"^ 23: switch_1 led out 1$", s.cmd("sim pins"), re.M)
        assert s.cmd("hw out 23 0") == "0\n"
        assert s.cmd("hw out 99 1") == "Core error: LM_hw->out: LM_hw.lua:5: pin 99 is not on board sim (0..39)\n"
        assert s.cmd("hw inp 4") == "0\n"
        assert s.cmd("sim set 4 1").strip()
        assert s.cmd("hw inp 4") == "1\n"
        assert s.cmd("hw pwm 19 1000 512") == "[1000, 512]\n"
        assert "19: dim_1 led pwm" in s.cmd("sim pins")
        assert s.cmd("hw pwm 19 0 512") == \
            "Core error: LM_hw->pwm: LM_hw.lua:7: pwm.set: freq 1..1000000 Hz, duty 0..1023\n"
        assert s.cmd("hw pwmstop 19") == "0\n"
        s.cmd("sim light 1234")
        assert s.cmd("hw adc 36") == "1234\n"
        assert s.cmd("hw adc 23").startswith("Core error: LM_hw->adc: ")


def test_i2c_and_pixels(node):
    put_module(node, "hw", HW)
    with node.connect() as s:
        assert s.cmd("hw i2c") == " bus: 0\n id: 96\n scan: [118]\n"
        assert s.cmd("hw i2cmissing").startswith("Core error: LM_hw->i2cmissing: ")
        assert s.cmd("hw pixels 15") == "True\n"
        st = json.loads(s.cmd("sim state >json"))
        assert st["strip"]["frames"] == 1 and len(st["strip"]["pixels"]) == 2, st["strip"]


def test_gpio_watch_callbacks_reenter_and_errors_are_counted(node):
    put_module(node, "hw", HW)
    with node.connect() as s:
        assert s.cmd("hw watch 4") == "True\n"
        for _ in range(3):
            s.cmd("sim pulse 4 20")
            time.sleep(0.05)
        assert wait_for(lambda: s.cmd("hw edges") == " bumps: 3\n n: 3\n")
        assert s.cmd("hw unwatch 4") == "True\n"
        assert s.cmd("hw watch_bad 5") == "True\n"
        assert s.cmd("hw watch_sleep 13") == "True\n"
        s.cmd("sim pulse 5 20")
        s.cmd("sim pulse 13 20")
        time.sleep(0.2)
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
    assert stats(node)["hw"]["errors"] == 2                   # counted with the module
    with open(node.path("logs", "err.sys.log")) as f:
        log = f.read()
    assert "[ERR] LM_hw gpio.watch callback: LM_hw.lua:28: cb boom" in log
    assert "nodus.sleep in a gpio.watch callback: start a task with nodus.task" in log


SOFT = r"""
local M = {}
function M.cfg(k) return nodus.config.get(k) end
function M.log(m) nodus.log.info(m) nodus.log.warn("w " .. m) nodus.log.err("e " .. m) print("p", m) return true end
function M.save(...) return nodus.cache.save({...}) end
function M.load() return nodus.cache.load() end
function M.time() return { t = nodus.time(), ms = nodus.ticks_ms(), lt = nodus.localtime() } end
function M.call(line) return nodus.call(line) end
function M.ic(host, cmd) return nodus.intercon(host, cmd) end
function M.note(text) return nodus.notify(text, "garden") end
return M
"""


def test_config_log_cache_time_call_intercon(node):
    put_module(node, "soft", SOFT)
    with node.connect() as s:
        assert s.cmd("soft cfg 'devfid'") == "node01\n"
        assert s.cmd("soft cfg 'socport'") == "%d\n" % node.port
        assert s.cmd("soft cfg 'nosuchkey'") == "None\n"
        for secret in ("appwd", "stapwd", "icpeers"):
            assert s.cmd("soft cfg '%s'" % secret) == \
                "Core error: LM_soft->cfg: LM_soft.lua:3: config key '%s' is secret\n" % secret
        assert s.cmd("soft log 'hello'") == "True\n"
        assert s.cmd("soft save 1 2.5 3") == "True\n"
        assert s.cmd("soft load") == "[1, 2.5, 3]\n"
        assert s.cmd("soft save 'x'").startswith("Core error: LM_soft->save: LM_soft.lua:5: cache.save: item 1")
        t = json.loads(s.cmd("soft time >json"))
        assert abs(t["t"] - time.time()) < 5 and t["lt"]["year"] >= 2024 and 0 <= t["lt"]["wday"] <= 6
        assert s.cmd("soft call 'system heartbeat'") == "<3 heartbeat <3\n"
        assert s.cmd("soft call 'system memory_usage' >json").startswith('{"mem_used": ')
        assert s.cmd("soft call 'hello'").startswith("hello:node01:")
        assert s.cmd("soft call 'nomod f'") == "Core error: LM_soft->call: LM_nomod->f: No module named 'LM_nomod'\n"
        assert s.cmd("soft note 'dry'") == "0\n"                 # no channel configured
        assert s.cmd("soft note '%s'" % ("x" * 600)) == \
            "Core error: LM_soft->note: LM_soft.lua:10: notify: title at most 63 bytes, text at most 511\n"
        assert s.cmd("soft ic 'nosuchnode' 'hello'") == "{'con.nosuchnode.hello': 'Starting'}\n"
        # the InterCon task ends on its own: the name does not resolve
        assert wait_for(lambda: "No        con.nosuchnode.hello" in s.cmd("task list"), timeout=15)
    with open(node.path("data", "soft.cache")) as f:
        assert f.read().strip().startswith("1")
    logs = {}
    for name in ("info", "warn", "err"):
        with open(node.path("logs", "%s.sys.log" % name)) as f:
            logs[name] = f.read()
    assert "[INFO] LM_soft: hello" in logs["info"] and "[INFO] LM_soft: p\thello" in logs["info"]
    assert "[WARN] LM_soft: w hello" in logs["warn"]
    assert "[ERR] LM_soft: e hello" in logs["err"]


SLEEPY = r"""
local M = {}
M.help = { "BUTTON water sec=<5-600>" }
local log = {}
function M.water(ms)
  log[#log + 1] = "on"
  nodus.sleep(ms or 50)
  log[#log + 1] = "off"
  return { watered = ms }
end
function M.log() return log end
function M.spawn(n)
  return nodus.task(function(count)
    for i = 1, count do nodus.sleep(10) end
    return "counted " .. count
  end, "counter", n)
end
function M.running() return nodus.running("counter") end
function M.badname() return nodus.task(function() end, "bad name") end
function M.crash() return nodus.task(function() nodus.sleep(5) error("task boom") end, "crash") end
function M.yield() coroutine.yield(1) end
function M.sorted() table.sort({3, 2, 1}, function(a, b) nodus.sleep(1) return a < b end) end
function M.suicide()
  nodus.sleep(10)
  log[#log + 1] = nodus.call("task kill sl.suicide")
  nodus.sleep(10)
  log[#log + 1] = "never"
end
return M
"""


def test_sleep_makes_a_synchronous_call_a_task(node):
    put_module(node, "sl", SLEEPY)
    with node.connect() as s:
        assert s.cmd("sl water 100") == " sl.water: Starting\n"
        assert s.cmd("sl water 100") == " sl.water: Already running\n"
        assert s.cmd("sl log") == "['on']\n"
        assert wait_for(lambda: "No        sl.water" in s.cmd("task list"))
        assert s.cmd("task show sl.water") == " watered: 100\n"
        assert s.cmd("sl log") == "['on', 'off']\n"
        # with & the call's own task goes on
        assert s.cmd("sl water 60 &") == "{'sl.water': 'Starting'}\n"
        assert wait_for(lambda: "No        sl.water" in s.cmd("task list"))
        assert s.cmd("task show sl.water") == " watered: 60\n"
        # a loop task: each run sleeps, then the period starts again
        assert s.cmd("sl water 20 &&100") == "{'sl.water': 'Starting'}\n"
        assert wait_for(lambda: s.cmd("sl log").count("off") >= 5)
        assert "Yes       sl.water" in s.cmd("task list")
        assert s.cmd("task kill sl.water") == "Kill: sl.water|True\n"


def test_task_spawn_running_and_errors(node):
    put_module(node, "sl", SLEEPY)
    with node.connect() as s:
        assert s.cmd("sl spawn 5") == "Starting\n"
        assert s.cmd("sl running") == "True\n"
        assert wait_for(lambda: s.cmd("sl running") == "False\n")
        assert s.cmd("task show sl.counter") == "counted 5\n"
        assert s.cmd("sl badname") == \
            "Core error: LM_sl->badname: LM_sl.lua:19: task name 'bad name': letters, digits and _ only\n"
        assert s.cmd("sl crash") == "Starting\n"
        assert wait_for(lambda: "No        sl.crash" in s.cmd("task list"))
        assert s.cmd("task show sl.crash") == "Core error: LM_sl->crash: LM_sl.lua:20: task boom\n"
        assert "err:Core error: LM_sl->crash: LM_sl.lua:20: task boom" in s.cmd("task stats")
        assert stats(node)["sl"]["errors"] == 2                   # badname's call and crash's task
        assert s.cmd("sl yield") == "Core error: LM_sl->yield: coroutine.yield outside a coroutine (use nodus.sleep)\n"
        assert s.cmd("sl sorted").startswith("Core error: LM_sl->sorted: ")
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_a_task_that_kills_itself(node):
    put_module(node, "sl", SLEEPY)
    with node.connect() as s:
        for line, reply in (("sl suicide", " sl.suicide: Starting\n"), ("sl suicide &", "{'sl.suicide': 'Starting'}\n")):
            assert s.cmd(line) == reply
            assert wait_for(lambda: "sl.suicide" not in s.cmd("task list"))
            assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert s.cmd("sl log") == "['Kill: sl.suicide|True', 'Kill: sl.suicide|True']\n"


def test_killing_a_sleeping_task_frees_its_coroutine(node):
    put_module(node, "sl", SLEEPY)
    with node.connect() as s:
        assert s.cmd("sl spawn 100000") == "Starting\n"
        time.sleep(0.1)
        assert s.cmd("task kill sl.counter") == "Kill: sl.counter|True\n"
        assert s.cmd("sl running") == "False\n"
        assert s.cmd("modules unload sl") == "LM_sl unloaded\n"
        assert stats(node)["sl"]["mem"] == 0
