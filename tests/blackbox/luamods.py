"""Helpers of the Lua module tests: put a module file into a node's modules/."""
import os
import re
import time


def put_module(node, name, text, mtime_bump=True):
    """Write modules/LM_<name>.lua as an editor would; bump its mtime so a
    same-second edit is seen, and wait out the node's 50 ms between two
    checks of one module file (ND_LUA_CHECK_MS): the next call sees it."""
    path = node.path("modules", "LM_%s.lua" % name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = os.stat(path).st_mtime if os.path.exists(path) else None
    data = text.encode() if isinstance(text, str) else text
    with open(path, "wb") as f:
        f.write(data)
    if mtime_bump and old is not None:
        t = max(time.time(), old + 1)
        os.utime(path, (t, t))
    time.sleep(0.06)
    return path


def stats(node):
    """`modules stats` as a dict (JSON over the shell)."""
    import json
    out = node.cmd("modules stats >json")
    return json.loads(out)


def core_error(text):
    return re.match(r"Core error: LM_\w+->\w+: ", text) is not None


def remove_module(node, name):
    """Delete modules/LM_<name>.lua as a shell user would (seen 50 ms later)."""
    os.remove(node.path("modules", "LM_%s.lua" % name))
    time.sleep(0.06)
