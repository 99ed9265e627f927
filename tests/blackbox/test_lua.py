"""Lua Load Modules: loading, calling, results, errors and reload, against a real node."""
import json
import os
import re
import time

from test_tasks import wait_for
from luamods import put_module, remove_module, stats

GARDEN = r"""
local M = {}
M.help = { "BUTTON water sec=<5-600>", "STATUS status" }
local watering = false
function M.water(sec)
  sec = sec or 30
  watering = true
  nodus.gpio.write(nodus.pin("switch_1"), 1)
  nodus.sleep(sec)
  nodus.gpio.write(nodus.pin("switch_1"), 0)
  watering = false
  return { watered = sec }
end
function M.status() return { watering = watering } end
function M.add(a, b) return a + b end
function M.echo(x) return x end
function M.two() return 1, 'b' end
function M._hidden() return 'no' end
return M
"""


def test_first_class_module_listed_called_with_keywords(node):
    put_module(node, "garden", GARDEN)
    # `help lm` lists it before any use, with its functions (help order, then by name)
    out = node.cmd("help lm")
    assert "  garden\n        water\n        status\n        add\n        echo\n        two\n" in out
    assert "_hidden" not in out
    with node.connect() as s:
        assert s.cmd("modules") == "['task']\n"          # not loaded before its first call
        assert s.cmd("garden status") == " watering: False\n"
        assert s.cmd("garden status >json") == '{"watering": false}\n'
        assert s.cmd("modules") == "['garden', 'task']\n"
        assert s.cmd("garden add 2 3") == "5\n"
        assert s.cmd("garden add b=3 a=2.5") == "5.5\n"   # keywords from the Lua parameter names
        assert s.cmd("garden add 1 2 3") == \
            "Core error: LM_garden->add: add() takes from 0 to 2 positional arguments but 3 were given\n"
        assert s.cmd("garden add c=1") == \
            "Core error: LM_garden->add: add() got an unexpected keyword argument 'c'\n"
        assert s.cmd("garden two") == "(1, 'b')\n"
        assert s.cmd("garden _hidden") == "Core error: LM_garden->_hidden: module 'LM_garden' has no attribute '_hidden'\n"
        assert s.cmd("garden help") == " water sec=<5-600>,\n status,\n add a b,\n echo x,\n two,\n"
        assert s.cmd("garden help True >json").startswith('["{')


def test_literals_map_to_lua_and_back(node):
    put_module(node, "conv", GARDEN)
    with node.connect() as s:
        for lit, text in [("7", "7"), ("-2.5", "-2.5"), ("True", "True"), ("None", "None"),
                          ("'h\\u00e9'", "hé"), ("[1, 2, 3]", "[1, 2, 3]"), ("(1, 'a')", "[1, 'a']"),
                          ("{'b': 2, 'a': 1, 3: 'x', 1: 'y'}", " 1: y\n 3: x\n a: 1\n b: 2"),
                          ("[{'b': 2, 'a': 1, 3: 'x', 1: 'y'}]", "[{1: 'y', 3: 'x', 'a': 1, 'b': 2}]"),
                          ("[{}]", "[{}]"), ("[[1, [2]], {'k': [True]}]", "[[1, [2]], {'k': [True]}]")]:
            assert s.cmd("conv echo " + lit) == text + "\n", lit
        # documented key order: numbers ascending, then strings bytewise
        assert s.cmd("conv echo {'b': 1, 'B': 2, 'a': 3} >json") == '{"B": 2, "a": 3, "b": 1}\n'
        assert s.cmd("conv echo {'k': [1, 2]}") == " k: [1, 2]\n"


BAD_RESULTS = r"""
local M = {}
function M.cyclic() local t = {} t.me = t return t end
function M.deep_cycle() local a = {} local b = {a} a[1] = b return a end
function M.func() return function() end end
function M.thread() return coroutine.create(function() end) end
function M.nan() return 0/0 end
function M.inf() return {x = 1/0, y = -1/0} end
function M.badkey() return {[{}] = 1} end
function M.binary() return "\255\254" end
function M.shared() local t = {1} return {a = t, b = t} end
function M.binerr() error("bad \255 byte") end
return M
"""


def test_results_without_a_micros_form_are_clear_errors(node):
    put_module(node, "res", BAD_RESULTS)
    with node.connect() as s:
        assert s.cmd("res cyclic") == "Core error: LM_res->cyclic: cyclic table (a table that contains itself)\n"
        assert s.cmd("res deep_cycle") == "Core error: LM_res->deep_cycle: cyclic table (a table that contains itself)\n"
        assert s.cmd("res func") == ("Core error: LM_res->func: a function has no micrOS value "
                                     "(return numbers, strings, booleans, nil or tables)\n")
        assert s.cmd("res thread").startswith("Core error: LM_res->thread: a thread has no micrOS value")
        assert s.cmd("res nan") == "nan\n"
        assert s.cmd("res nan >json") == "nan\n"
        assert s.cmd("res inf") == " x: inf\n y: -inf\n"
        assert s.cmd("res inf >json") == '{"x": Infinity, "y": -Infinity}\n'
        assert s.cmd("res badkey") == "Core error: LM_res->badkey: a dict key cannot be a table\n"
        assert s.cmd("res binary") == "Core error: LM_res->binary: a result string is not UTF-8 text\n"
        assert s.cmd("res shared") == " a: [1]\n b: [1]\n"     # shared, not cyclic
        assert s.cmd("res binerr") == "Core error: LM_res->binerr: LM_res.lua:12: bad ? byte\n"
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_syntax_and_runtime_errors_name_file_and_line(node):
    put_module(node, "bad", "local M = {}\n\nfunction M.f()\n  x y = 1\nend\nreturn M\n")
    assert node.cmd("bad f") == "Core error: LM_bad->load: LM_bad.lua:4: syntax error near 'y'\n"
    put_module(node, "rt", "local M = {}\nfunction M.f(t)\n  return t.x.y\nend\n"
                           "function M.g() error('boom') end\nreturn M\n")
    with node.connect() as s:
        assert s.cmd("rt f") == "Core error: LM_rt->f: LM_rt.lua:3: attempt to index a nil value (local 't')\n"
        assert s.cmd("rt g") == "Core error: LM_rt->g: LM_rt.lua:5: boom\n"
        assert s.cmd("rt f {'x': {'y': 4}}") == "4\n"
    put_module(node, "noret", "local M = {}\nfunction M.f() end\n")
    assert node.cmd("noret f") == \
        "Core error: LM_noret->load: LM_noret.lua: the file must end with `return M` (a table of functions)\n"


def test_not_utf8_not_lua_bytecode_and_huge_files(node):
    put_module(node, "latin", b"local M = {}\nfunction M.f() return 1 end\n\xe9t\xe9 = 1\nreturn M\n")
    out = node.cmd("latin f")
    assert out.startswith("Core error: LM_latin->load: LM_latin.lua:3: ") and "near" in out
    put_module(node, "elf", open("/bin/true", "rb").read()[:4096])
    assert node.cmd("elf f").startswith("Core error: LM_elf->load: LM_elf.lua:1: ")
    # precompiled bytecode is never loaded
    import subprocess
    src = node.path("modules", "b.lua")
    with open(src, "w") as f:
        f.write("local M = {} function M.f() return 1 end return M\n")
    subprocess.run(["luac5.4", "-o", node.path("modules", "LM_bc.lua"), src], check=True)
    assert node.cmd("bc f") == \
        "Core error: LM_bc->load: LM_bc.lua: attempt to load a binary chunk (mode is 't')\n"
    put_module(node, "huge", b"-- " + b"x" * (10 * 1024 * 1024) + b"\nreturn {}\n")
    assert node.cmd("huge f") == "Core error: LM_huge->load: LM_huge.lua is 10485774 bytes (at most 262144)\n"
    assert node.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_name_clashes_refused(node):
    put_module(node, "System", "return {f = function() return 1 end}\n")
    assert node.cmd("System f") == \
        "Core error: LM_System->load: LM_System.lua: the name clashes with the built-in module 'system': rename the file\n"
    put_module(node, "system", "return {heartbeat = function() return 'lua' end}\n")
    assert node.cmd("system heartbeat") == "<3 heartbeat <3\n"           # the built-in wins
    assert node.cmd("modules reload system") == \
        "Core error: LM_system->load: 'system' is a built-in C module\n"
    put_module(node, "garden", "return {f = function() return 1 end}\n")
    put_module(node, "Garden", "return {f = function() return 2 end}\n")
    out = node.cmd("garden f")
    assert out.startswith("Core error: LM_garden->load: LM_garden.lua and LM_Garden.lua differ only in case")
    assert node.cmd("Garden f").startswith("Core error: LM_Garden->load: LM_Garden.lua and LM_garden.lua differ")
    remove_module(node, "Garden")
    assert node.cmd("garden f") == "1\n"


V1 = "local M = {}\nfunction M.v() return 1 end\nreturn M\n"
V2 = "local M = {}\nfunction M.v() return 2 end\nfunction M.w() return 'new' end\nreturn M\n"


def test_changed_file_reloads_and_a_broken_one_keeps_the_old_version(node):
    put_module(node, "rl", V1)
    with node.connect() as s:
        assert s.cmd("rl v") == "1\n"
        put_module(node, "rl", V2)
        assert s.cmd("rl v") == "2\n"
        assert s.cmd("rl w") == "new\n"
        put_module(node, "rl", "local M = {}\nfunction M.v() return 3 end\nlocal x = = 1\nreturn M\n")
        assert s.cmd("rl v") == "Core error: LM_rl->load: LM_rl.lua:3: unexpected symbol near '='\n"
        assert s.cmd("rl v") == "2\n"                      # reported once; the old version goes on
        assert s.cmd("modules reload rl") == \
            "Core error: LM_rl->load: LM_rl.lua:3: unexpected symbol near '='\n"
        assert s.cmd("rl v") == "2\n"
        put_module(node, "rl", V1)
        assert s.cmd("modules reload rl") == "LM_rl reloaded\n"
        assert s.cmd("rl v") == "1\n"
        assert s.cmd("rl w") == "Core error: LM_rl->w: module 'LM_rl' has no attribute 'w'\n"
    with open(node.path("logs", "err.sys.log")) as f:
        assert "LM_rl->load: LM_rl.lua:3: unexpected symbol" in f.read()


def test_deleted_file_hides_the_module(node):
    put_module(node, "gone", V1)
    assert node.cmd("gone v") == "1\n"
    remove_module(node, "gone")
    assert node.cmd("gone v") == "Core error: LM_gone->v: No module named 'LM_gone'\n"
    assert node.cmd("modules") == "['task']\n"
    assert "gone" not in node.cmd("help lm")
    put_module(node, "gone", V2)
    assert node.cmd("gone v") == "2\n"


def test_unload_returns_the_memory(node):
    put_module(node, "mem", "local M = {}\nlocal big = {}\nfor i = 1, 2000 do big[i] = 'x' .. i end\n"
                            "function M.n() return #big end\nreturn M\n")
    assert node.cmd("mem n") == "2000\n"
    st = stats(node)["mem"]
    assert st["loaded"] is True and st["mem"] > 50000 and st["budget"] == 256 * 1024
    assert node.cmd("modules unload mem") == "LM_mem unloaded\n"
    st = stats(node)["mem"]
    assert st["loaded"] is False and st["mem"] == 0
    assert node.cmd("modules") == "['task']\n"
    assert node.cmd("mem n") == "2000\n"                  # loads again on the next call


def test_each_module_has_its_own_globals(node):
    put_module(node, "a", "counter = 0\nreturn {inc = function() counter = counter + 1 return counter end}\n")
    put_module(node, "b", "return {peek = function() return counter end, "
                          "io = function() return type(io) .. type(os) .. type(debug) .. type(require) end}\n")
    with node.connect() as s:
        assert s.cmd("a inc") == "1\n"
        assert s.cmd("a inc") == "2\n"
        assert s.cmd("b peek") == "None\n"
        assert s.cmd("b io") == "nilnilnilnil\n"


def test_rest_and_task_doors(make_node):
    import requests
    from test_web import web_node
    n = web_node(make_node)
    put_module(n, "garden", GARDEN)
    r = requests.get(n.url + "/rest/garden/status", timeout=5)
    assert r.json() == {"result": {"watering": False}, "state": True}
    with n.connect() as s:
        assert s.cmd("garden add 1 2 &") == "{'garden.add': 'Starting'}\n"
        time.sleep(0.2)
        assert s.cmd("task show garden.add") == "3\n"


def readme_lua_example():
    readme = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "README.md")
    text = open(readme).read()
    sec = text[text.index("## Writing a Lua module"):]
    return sec[sec.index("```lua\n") + 7:sec.index("```\n", sec.index("```lua\n"))]


def test_readme_example_runs_as_documented(node):
    src = readme_lua_example().replace("nodus.sleep(sec * 1000)", "nodus.sleep(sec * 10)")  # 30 s -> 0.3 s
    put_module(node, "garden", src)
    with node.connect() as s:
        assert s.cmd("garden status >json") == '{"watering": false}\n'
        assert s.cmd("garden water 30 &") == "{'garden.water': 'Starting'}\n"
        assert s.cmd("garden water sec=60") == " garden.water: Already running\n"
        assert s.cmd("garden status >json") == '{"watering": true}\n'
        assert re.search(r"^ 23: switch_1 led out 1$", s.cmd("sim pins"), re.M)
        assert wait_for(lambda: s.cmd("garden status >json") == '{"watering": false}\n')
        assert s.cmd("task show garden.water") == " watered: 30\n"
        assert re.search(r"^ 23: switch_1 led out 0$", s.cmd("sim pins"), re.M)
        assert s.cmd("garden water 5") == " garden.water: Starting\n"    # a button: never blocks
        widgets = [json.loads(w) for w in json.loads(s.cmd("garden help True >json"))]
        assert widgets == [{"type": "button", "callback": "water sec=:range:", "result": False, "options": ["None"],
                            "range": [5, 600, 5]},
                           {"type": "status", "callback": "status ", "wtype": "auto"}]
