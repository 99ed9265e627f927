"""ShellCli byte-exactness against a real node (docs/micros-compat.md §2).

Every expectation is the exact byte stream a micrOS client sees: the prompt
"<devfid> $ " with no newline after it, reply lines ending in "\\n", errors in
micrOS's "Core error: LM_<module>-><function>: <reason>" form.
"""
import ast
import json
import os
import re
import socket
import time

import pytest

P = b"node01 $ "  # the default prompt (devfid node01)
HINTS = (b"Shell: for hints type help.\n"
         b"Shell: for LM exec: [1](LM)module [2]function [3...]optional params\n")
HELLO_RE = re.compile(rb"^hello:node01:(micr[0-9a-fA-F]{12}OS):dev\n$")
MICROS_KEYS = ("version auth staessid stapwd devfid appwd dbg nwmd hwuid soctout socport webui "
               "webui_max_con devip cron crontasks timirq timirqcbf timirqseq irq1 irq1_cbf "
               "irq1_trig irq2 irq2_cbf irq2_trig irq3 irq3_cbf irq3_trig irq4 irq4_cbf irq4_trig "
               "irq_prell_ms boothook aioqueue utc boostmd guimeta cstmpmap espnow ha").split()


def raw(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout)
    s.settimeout(timeout)
    return s


def recv_exact(sock, n, timeout=5):
    """Read exactly n bytes (or fewer if the peer closes first)."""
    buf = b""
    deadline = time.time() + timeout
    while len(buf) < n and time.time() < deadline:
        sock.settimeout(max(0.01, deadline - time.time()))
        try:
            chunk = sock.recv(n - len(buf))
        except socket.timeout:
            break
        if not chunk:
            break
        buf += chunk
    return buf


def quiet_for(sock, seconds=0.3):
    """Bytes that arrive within `seconds` (expected: none)."""
    sock.settimeout(seconds)
    try:
        return sock.recv(65536)
    except socket.timeout:
        return b""


def expect_stream(sess, data, expected, timeout=5):
    """Send data, read exactly len(expected) bytes, check nothing more follows."""
    sess.send(data)
    got = recv_exact(sess.sock, len(expected), timeout)
    assert got == expected
    assert quiet_for(sess.sock, 0.2) == b""
    sess.sock.settimeout(timeout)


def hwuid_of(node):
    with node.connect() as s:
        m = HELLO_RE.match(s.cmd("hello").encode())
    assert m, "hello reply has the wrong shape"
    return m.group(1).decode()


# ---- greeting, hello, version ---------------------------------------------------------------

def test_greeting_is_exactly_the_prompt(node):
    s = raw(node.port)
    try:
        got = recv_exact(s, len(P))
        assert got == P
        # no banner, no newline, nothing else until we speak
        assert quiet_for(s, 0.3) == b""
    finally:
        s.close()


def test_hello_exact_bytes(node):
    with node.connect() as s:
        assert s.greeting == P
        out = s.cmd_raw("hello")
        assert out.endswith(b"\n" + P)
        assert HELLO_RE.match(out[: -len(P)]), out
        # fields 1..3 of the ':' split, as discovery parses them
        fields = out[: -len(P)].decode().rstrip("\n").split(":")
        assert fields[1] == "node01" and fields[3] == "dev" and len(fields) == 4


def test_hwuid_stable_across_restarts_and_distinct_per_state(make_node):
    a = make_node()
    first = hwuid_of(a)
    assert a.read_config()["hwuid"] == first  # persisted
    a.restart()
    assert hwuid_of(a) == first
    b = make_node()
    assert hwuid_of(b) != first


def test_version_shape(node):
    with node.connect() as s:
        out = s.cmd_raw("version")
    assert re.match(rb"^\d+\.\d+\.\d+-\d+\n" + re.escape(P) + rb"$", out), out


def test_version_key_written_by_node(node):
    with node.connect() as s:
        v = s.cmd("version").strip()
    assert node.read_config()["version"] == v


# ---- framing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("term", [b"", b"\n", b"\r\n", b"  \r\n", b"\t"])
def test_command_terminators(node, term):
    """micrOS clients send no newline; telnet sends \\n or \\r\\n: same reply."""
    with node.connect() as s:
        out = s.cmd_raw(b"version" + term)
        assert re.match(rb"^\d+\.\d+\.\d+-\d+\n" + re.escape(P) + rb"$", out), out
        assert quiet_for(s.sock) == b""


def test_leading_whitespace_stripped(node):
    with node.connect() as s:
        assert s.cmd_raw(b"   system heartbeat") == b"<3 heartbeat <3\n" + P


@pytest.mark.parametrize("sep", [b"\n", b"\r\n"])
def test_several_commands_in_one_send_answered_in_order(node, sep):
    with node.connect() as s:
        hello = s.cmd_raw("hello")
        version = s.cmd_raw("version")
        expected = (hello + version + b"<3 heartbeat <3\n" + P + b"['system', 'task']\n" + P
                    + HINTS + P)
        expect_stream(s, sep.join([b"hello", b"version", b"system heartbeat", b"modules",
                                   b"Apple"]) + sep, expected)


def test_pipelined_commands_then_exit(node):
    with node.connect() as s:
        hello = s.cmd_raw("hello")
        s.send(b"hello\nhello\nexit\nhello\n")
        assert s.read_until_close() == hello + hello + b"Bye!\n"


@pytest.mark.parametrize("data", [b"exit", b"exit\n", b"exit\r\n", b"\n", b"\r\n", b"   \n"])
def test_exit_and_empty_line_say_bye_and_close(node, data):
    with node.connect() as s:
        s.send(data)
        assert s.read_until_close() == b"Bye!\n"


def test_exit_is_exact_word(node):
    """`exit now` / `exits` are not exit: they are ordinary (unparsable) commands."""
    with node.connect() as s:
        assert s.cmd_raw("exits") == HINTS + P
        assert s.cmd("hello").startswith("hello:node01:")


# ---- modules, help ----------------------------------------------------------------------------

def test_modules_lazy_load_in_load_order(node):
    with node.connect() as s:
        assert s.cmd_raw("modules") == b"['task']\n" + P
        assert s.cmd_raw("modules >json") == b"['task']\n" + P  # >json changes nothing
        assert s.cmd_raw("robustness raise_error").startswith(b"Core error: LM_robustness->")
        assert s.cmd_raw("modules") == b"['robustness', 'task']\n" + P
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P
        assert s.cmd_raw("modules") == b"['robustness', 'system', 'task']\n" + P
        # calling again does not reorder or duplicate
        s.cmd_raw("robustness raise_error")
        assert s.cmd_raw("modules") == b"['robustness', 'system', 'task']\n" + P
    # loaded modules are node-wide: a new session sees them
    with node.connect() as s:
        assert s.cmd_raw("modules") == b"['robustness', 'system', 'task']\n" + P


def test_unknown_module_does_not_load_anything(node):
    with node.connect() as s:
        s.cmd("Apple test")
        assert s.cmd_raw("modules") == b"['task']\n" + P


def _help_parts(text):
    lines = text.split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    blank = lines.index("")
    return lines[:blank], lines[blank + 1:]


def _listing(lines):
    """Parse the '  <name>' / '  <pad><function>' listing into {module: [functions]}."""
    mods, cur = {}, None
    for ln in lines:
        assert ln.startswith("  ") and ln[2] != " " or cur is not None, ln
        if not ln.startswith("   "):
            cur = ln[2:]
            assert re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", cur), ln
            mods[cur] = []
        else:
            pad = "  " + " " * len(cur)
            assert ln.startswith(pad) and ln[len(pad)] != " ", (cur, ln)
            mods[cur].append(ln[len(pad):])
    return mods


def test_help_block_tags_and_empty_listing(node):
    with node.connect() as s:
        out = s.cmd_raw("help")
    assert out.endswith(b"\n" + P)
    block, listing = _help_parts(out[: -len(P)].decode())
    assert len(block) == 24
    for tag in ("[MICROS]", "[CONF] Configuration mode", "[TASK] Task operations",
                "[EXEC] Command mode, syntax(...): <module> <function> <params> <postfix>"):
        assert sum(1 for ln in block if ln.startswith(tag)) == 1, tag
    order = [next(i for i, ln in enumerate(block) if ln.startswith(t))
             for t in ("[MICROS]", "[CONF]", "[TASK]", "[EXEC]")]
    assert order == sorted(order) and order[0] == 0
    text = "\n".join(block)
    for word in ("hello", "modules", "version", "exit", "reboot", "webrepl", "conf", "dump",
                 "noconf", "task list", "task stats", "task kill", "task show", "&&", ">json", ">>",
                 "help lm"):
        assert word in text, word
    assert listing == []  # nothing imported yet: plain help lists no module


def test_help_lists_loaded_modules_only(node):
    with node.connect() as s:
        s.cmd("system heartbeat")
        block, listing = _help_parts(s.cmd("help"))
    mods = _listing(listing)
    assert list(mods) == ["system"]
    for f in ("info", "top", "memory_usage", "disk_usage", "gclean", "heartbeat", "clock",
              "setclock", "uptime", "ifconfig", "hosts", "pinmap"):
        assert f in mods["system"], f
    assert "        heartbeat" in listing  # "  " + len("system") spaces + name


def test_help_lm_lists_all_modules(node):
    with node.connect() as s:
        _, listing = _help_parts(s.cmd("help lm"))
        assert s.cmd_raw("modules") == b"['task']\n" + P  # help lm imports nothing
    mods = _listing(listing)
    assert "system" in mods and "robustness" in mods
    assert set(mods["robustness"]) >= {"raise_error", "memory_leak", "recursion_limit"}
    assert "  robustness\n" + "  " + " " * 10 + "raise_error" in "\n".join(listing)


def test_help_lm_lists_each_modules_help_function(node):
    with node.connect() as s:
        _, listing = _help_parts(s.cmd("help lm"))
    mods = _listing(listing)
    assert "help" in mods["system"] and "help" in mods["robustness"]


def test_module_help_function_text_and_json(node):
    with node.connect() as s:
        out = s.cmd("robustness help")
        lines = out.rstrip("\n").split("\n")
        assert all(ln.startswith(" ") and ln.endswith(",") for ln in lines), out
        assert " raise_error," in lines and " memory_leak n," in lines
        assert not any("BUTTON" in ln for ln in lines)  # widget tags removed in text mode
        js = json.loads(s.cmd("robustness help >json"))
        assert isinstance(js, list) and "raise_error" in js and "memory_leak n" in js


# ---- dispatch errors --------------------------------------------------------------------------

@pytest.mark.parametrize("line", ["Apple", "hello_there", "system", "héllo", "task_x",
                                  "'quoted'", "(", "system >json"])
def test_single_word_gives_the_two_hint_lines(node, line):
    with node.connect() as s:
        assert s.cmd_raw(line) == HINTS + P
        assert s.cmd("hello").startswith("hello:node01:")


LM_ERRORS = [
    ("Apple test", "Core error: LM_Apple->test: No module named 'LM_Apple'"),
    ("Apple test 1 2 3", "Core error: LM_Apple->test: No module named 'LM_Apple'"),
    ("system nofunc", "Core error: LM_system->nofunc: module 'LM_system' has no attribute 'nofunc'"),
    ("system heartbeat 1 2",
     "Core error: LM_system->heartbeat: heartbeat() takes 0 positional arguments but 2 were given"),
    ("system heartbeat 1",
     "Core error: LM_system->heartbeat: heartbeat() takes 0 positional arguments but 1 was given"),
    ("robustness memory_leak 1 2",
     "Core error: LM_robustness->memory_leak: memory_leak() takes 1 positional argument but 2 were given"),
    ("robustness memory_leak",
     "Core error: LM_robustness->memory_leak: memory_leak() missing 1 required positional argument: 'n'"),
    ("system setclock 2026",
     "Core error: LM_system->setclock: setclock() missing 2 required positional arguments: 'month' and 'mday'"),
    ("system heartbeat foo=1",
     "Core error: LM_system->heartbeat: heartbeat() got an unexpected keyword argument 'foo'"),
    ("robustness memory_leak 1 n=2",
     "Core error: LM_robustness->memory_leak: memory_leak() got multiple values for argument 'n'"),
    ("system pinmap keys=builtin", "Core error: LM_system->pinmap: name 'builtin' is not defined"),
    ("system heartbeat x", "Core error: LM_system->heartbeat: name 'x' is not defined"),
    ("robustness raise_error", "Core error: LM_robustness->raise_error: Test exception"),
]


@pytest.mark.parametrize("line,expected", LM_ERRORS, ids=[l for l, _ in LM_ERRORS])
def test_lm_error_exact(node, line, expected):
    with node.connect() as s:
        assert s.cmd_raw(line) == expected.encode() + b"\n" + P
        # the session stays open and usable after the error
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P


def test_too_many_args_with_defaults_python_wording(node):
    with node.connect() as s:
        assert s.cmd("system setclock 1 2 3 4 5 6 7") == (
            "Core error: LM_system->setclock: setclock() takes from 3 to 6 positional "
            "arguments but 7 were given\n")


SYNTAX_ERRORS = [
    ("system clock (", "'(' was never closed"),
    ("system clock [1", "'[' was never closed"),
    ("system clock {'a': 1", "'{' was never closed"),
    ("system clock 'abc", "unterminated string literal"),
    ('system clock "abc', "unterminated string literal"),
    ("system clock ]", "unmatched ']'"),
    ("system clock )", "unmatched ')'"),
]


@pytest.mark.parametrize("line,reason", SYNTAX_ERRORS, ids=[l for l, _ in SYNTAX_ERRORS])
def test_unbalanced_quotes_and_brackets(node, line, reason):
    with node.connect() as s:
        out = s.cmd(line)
        assert out.startswith("Core error: LM_system->clock: " + reason), out
        assert out.count("\n") == 1
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


@pytest.mark.parametrize("line", [
    "system setclock 'a' 1 1",
    "system setclock 2026 [1] 1",
    "system setclock 2026 1.5 1",
    "system setclock None 1 1",
    "robustness memory_leak 'ten'",
    "robustness recursion_limit {'a': 1}",
    "system pinmap keys=5",
])
def test_wrong_argument_types(node, line):
    mod, fn = line.split()[:2]
    with node.connect() as s:
        out = s.cmd(line)
        assert out.startswith("Core error: LM_%s->%s: " % (mod, fn)), out
        assert out.count("\n") == 1
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


def test_argument_type_error_text(node):
    with node.connect() as s:
        assert s.cmd("system setclock 'a' 1 1") == (
            "Core error: LM_system->setclock: argument 'year' must be int, not 'str'\n")


def test_setclock_out_of_range(node):
    with node.connect() as s:
        out = s.cmd("system setclock 2026 13 1")
        assert out.startswith("Core error: LM_system->setclock: "), out
        out = s.cmd("system setclock 2026 2 30")
        assert out.startswith("Core error: LM_system->setclock: "), out


def test_session_survives_a_long_error_series(node):
    with node.connect() as s:
        for line, expected in LM_ERRORS * 5:
            assert s.cmd(line) == expected + "\n"
        for line, _ in SYNTAX_ERRORS * 5:
            assert s.cmd(line).startswith("Core error: LM_system->clock: ")
        assert s.cmd("hello").startswith("hello:node01:")
    assert node.alive()


def test_unclosed_paren_exact_micros_text(node):
    with node.connect() as s:
        assert s.cmd("system clock (") == (
            "Core error: LM_system->clock: '(' was never closed (<string>, line 1)\n")


def test_robustness_memory_leak_micros_text(node):
    """micrOS's lines: '[k] gen: micrOS memory usage: <p> %' per item, then
    '[n] RAM Alloc.: <kB> kB <byte> byte' (SystemTest looks for '[12] RAM Alloc')."""
    with node.connect() as s:
        out = s.cmd("robustness memory_leak 12")
        lines = out.rstrip("\n").split("\n")
        assert len(lines) == 13, out
        for k, ln in enumerate(lines[:12]):
            assert re.fullmatch(r"\[%d\] gen: micrOS memory usage: \d+\.\d %%" % k, ln), ln
        assert re.fullmatch(r"\[12\] RAM Alloc\.: \d+ kB \d+ byte", lines[12]), lines[12]
        kb, byte = map(int, re.findall(r"\d+", lines[12])[1:])
        assert 0 < kb * 1024 + byte < 64 * 1024 and byte < 1024
        assert s.cmd_raw("robustness memory_leak 0") == b"[0] RAM Alloc.: 0 kB 0 byte\n" + P
        assert s.cmd_raw("robustness memory_leak -1") == (
            b"Core error: LM_robustness->memory_leak: n must be >= 0\n" + P)
    assert node.alive()


def test_robustness_recursion_limit_micros_text(node):
    with node.connect() as s:
        assert s.cmd("robustness recursion_limit 8") == (
            "".join("recalled %d\n" % d for d in range(1, 9)) + "Recursion limit: 8\n")
        assert s.cmd("robustness recursion_limit 0") == "Recursion limit: 0\n"
        # past the bound it answers as micrOS does when Python's limit is hit
        out = s.cmd("robustness recursion_limit 100000")
        lines = out.rstrip("\n").split("\n")
        assert lines[-3:] == ["recalled 2000", "ok error: maximum recursion depth exceeded",
                              "Recursion limit: 2001"]
        assert len(lines) == 2002
    assert node.alive()


@pytest.mark.parametrize("n", [2000, 100000])
def test_robustness_memory_leak_large_reports_what_it_did(node, n):
    with node.connect() as s:
        out = s.cmd("robustness memory_leak %d" % n)
        lines = out.rstrip("\n").split("\n")
        made = len(lines) - 2
        assert 100 < made < n
        assert re.fullmatch(r"stopped early \((command arena full|item limit 4096)\): %d of %d items"
                            % (made, n), lines[-2]), lines[-2]
        assert re.fullmatch(r"\[%d\] RAM Alloc\.: \d+ kB \d+ byte" % made, lines[-1]), lines[-1]
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"


# ---- system: micrOS functions added for clients (rssi, alarms, notifications ...) ------------

RSSI_CASES = [(-40, "Amazing"), (-66, "Amazing"), (-67, "VeryGood"), (-69, "VeryGood"),
              (-70, "Okay"), (-79, "Okay"), (-80, "NotGood"), (-89, "NotGood"), (-90, "Unusable"),
              (-95, "Unusable")]


def wireless_file(path, level):
    with open(path, "w") as f:
        f.write("Inter-| sta-|   Quality        |   Discarded packets               | Missed | WE\n"
                " face | tus | link level noise |  nwid  crypt   frag  retry   misc | beacon | 22\n")
        if level is not None:
            f.write(" wlan0: 0000   50.  %d.  -256        0      0      0      0      0        0\n"
                    % level)


@pytest.mark.parametrize("level,word", RSSI_CASES)
def test_rssi_thresholds_from_the_station_link(make_node, tmp_path, level, word):
    path = str(tmp_path / "wireless")
    wireless_file(path, level)
    n = make_node(env={"ND_WIRELESS": path})
    with n.connect() as s:
        assert s.cmd("system rssi") == " %s: %d\n" % (word, level)
        assert s.cmd("system rssi >json") == '{"%s": %d}\n' % (word, level)


@pytest.mark.parametrize("content", ["missing", "header only", "relative level"])
def test_rssi_unavailable_without_a_station_link(make_node, tmp_path, content):
    path = str(tmp_path / "wireless")
    if content == "header only":
        wireless_file(path, None)
    elif content == "relative level":
        wireless_file(path, 60)  # a driver's own scale, not dBm
    n = make_node(env={"ND_WIRELESS": path})
    with n.connect() as s:
        assert s.cmd_raw("system rssi") == b" Unavailable: -90\n" + P
        assert s.cmd("system rssi >json") == '{"Unavailable": -90}\n'


def test_list_stations_not_an_access_point(node):
    with node.connect() as s:
        assert s.cmd_raw("system list_stations") == b"[('NoAP', '')]\n" + P
        assert s.cmd("system list_stations >json") == "[('NoAP', '')]\n"  # not a dict: repr


def test_alarms_count_err_lines_and_clean(make_node):
    n = make_node(start=False)
    n.write_config_bytes(b"{not json")  # logged as [ERR] at start
    n.start()
    with open(n.path("logs", "user.sys.log"), "a") as f:
        f.write("2026.1.1-0:0:0 user text mentioning [ERR] counts too\n2026.1.1-0:0:1 plain\n")
    with open(n.path("logs", "err.sys.log"), "a") as f:
        f.write("2026.1.1-0:0:2 [ERR] last line without newline")
    with open(n.path("logs", "notes.txt"), "w") as f:
        f.write("[ERR] not a log file\n")
    errs = sum(sum(1 for ln in open(n.path("logs", f)).read().splitlines() if "[ERR]" in ln)
               for f in os.listdir(n.path("logs")) if f.endswith(".sys.log"))
    assert errs >= 3
    def verdict(out):  # micrOS streams the logs as `~~~` lines before the verdict
        return "".join(ln for ln in out.splitlines(True) if not ln.startswith("~~~ "))
    with n.connect() as s:
        out = s.cmd("system alarms")
        assert verdict(out) == " NOK alarm: %d\n" % errs
        assert "~~~ err.sys.log\n" in out and "~~~ \t2026.1.1-0:0:2 [ERR] last line without newline\n" in out
        assert verdict(s.cmd("system alarms >json")) == '{"NOK alarm": %d}\n' % errs
        assert verdict(s.cmd("system alarms True")) == " OK alarm: 0\n"  # micrOS's SystemTest cleans so
        assert verdict(s.cmd("system alarms clean=True >json")) == '{"OK alarm": 0}\n'
        assert verdict(s.cmd("system alarms")) == " OK alarm: 0\n"
    assert not os.path.exists(n.path("logs", "err.sys.log"))
    assert os.path.exists(n.path("logs", "notes.txt"))  # only logs go


def test_notify_keeps_a_bounded_record(node):
    with node.connect() as s:
        assert s.cmd("system notifications") == "Notifications[Local]: enabled\n"
        assert s.cmd("system notify 'door open'") == "Sent over Local (1/1) client(s) - errors: (0)\n"
        assert s.cmd("system notify 42") == "Sent over Local (1/1) client(s) - errors: (0)\n"
        out = s.cmd("system notifications").split("\n")
        assert out[0] == "Notifications[Local]: enabled"
        assert re.fullmatch(r"\d+\.\d+\.\d+-\d+:\d+:\d+ door open", out[1]), out[1]
        assert re.fullmatch(r"\d+\.\d+\.\d+-\d+:\d+:\d+ 42", out[2]), out[2]
        # channels pick subscribers by name, as micrOS's
        assert s.cmd("system notify 'x' channels='Telegram'") == "Sent over  (0/1) client(s) - errors: (0)\n"
        assert s.cmd("system notify 'y' channels=['Local']") == "Sent over Local (1/1) client(s) - errors: (0)\n"
        assert s.cmd("system notify 'z' channels=''") == "Sent over  (0/1) client(s) - errors: (0)\n"
        assert s.cmd("system notify 'w' channels=[]") == "Sent over Local (1/1) client(s) - errors: (0)\n"
        assert s.cmd("system notifications enable=False").startswith("Notifications[Local]: disabled\n")
        assert s.cmd("system notify 'lost'") == "Notifications disabled\n"
        assert s.cmd("system notifications True").startswith("Notifications[Local]: enabled\n")
        listed = s.cmd("system notifications")
        assert "lost" not in listed and " x\n" not in listed and " z\n" not in listed and " w\n" in listed
        assert s.cmd("system notify '%s'" % ("a" * 256)) == \
            "Core error: LM_system->notify: msg too long: 256 bytes (max 255)\n"
        assert s.cmd("system notifications 1").startswith("Core error: LM_system->notifications: enable must be")
        for i in range(40):
            s.cmd("system notify 'n%d'" % i)
        out = s.cmd("system notifications").rstrip("\n").split("\n")
        assert len(out) == 1 + 32  # the last 32
        assert out[1].endswith(" n8") and out[-1].endswith(" n39")


# ---- reply rendering --------------------------------------------------------------------------

def test_dict_reply_is_key_value_lines(node):
    with node.connect() as s:
        assert s.cmd_raw("system hosts") == b" urequests: {}\n intercon: {}\n" + P
        out = s.cmd("system memory_usage")
        assert re.match(r"^ percent: \d+\.\d\n mem_used: \d+\n$", out), out
        out = s.cmd("system disk_usage")
        assert re.match(r"^ percent: \d+\.\d\n fs_used: \d+\n$", out), out
        out = s.cmd("system gclean")
        assert re.match(r"^ GC MemFree\[byte\]: \d+\n$", out), out
        out = s.cmd("system top")
        assert re.match(r"^ Mem usage \[%\]: [\d.]+\n FS usage \[%\]: [\d.]+\n CPU load \[%\]: [\d.]+\n$",
                        out), out


def test_system_info_text(node):
    with node.connect() as s:
        out = s.cmd("system info")
    keys = [ln.split(":")[0] for ln in out.rstrip("\n").split("\n")]
    assert keys[:8] == [" Mem usage [%]", " FS usage [%]", " CPU load [%]", " CPU clock [MHz]",
                        " upython", " board", " uptime", " mac"]
    assert re.search(r"^ uptime: \d+ \d+:\d+:\d+$", out, re.M), out
    assert re.search(r"^ mac: ([0-9a-f]{2}:){5}[0-9a-f]{2}$", out, re.M), out
    assert "problems" not in out  # a fresh node has none


def test_json_replies_parse(node):
    with node.connect() as s:
        assert s.cmd_raw("system hosts >json") == b'{"urequests": {}, "intercon": {}}\n' + P
        mu = json.loads(s.cmd("system memory_usage >json"))
        assert set(mu) == {"percent", "mem_used"} and isinstance(mu["mem_used"], int)
        top = json.loads(s.cmd("system top >json"))
        assert set(top) == {"Mem usage [%]", "FS usage [%]", "CPU load [%]"}
        # >json has no effect on non-dict results
        assert s.cmd_raw("system heartbeat >json") == b"<3 heartbeat <3\n" + P


def test_system_info_json_is_a_python_literal(node):
    """micrOS clients parse `system info >json` with ast.literal_eval."""
    with node.connect() as s:
        text = s.cmd("system info >json")
    assert text.endswith("\n") and text.count("\n") == 1
    as_json = json.loads(text)
    as_literal = ast.literal_eval(text.strip())  # must not raise (no true/false/null)
    assert as_literal == as_json
    for word in ("true", "false", "null"):
        assert not re.search(r"\b%s\b" % word, text), word
    assert {"Mem usage [%]", "FS usage [%]", "CPU load [%]", "CPU clock [MHz]", "upython",
            "board", "uptime", "mac"} <= set(as_json)


def test_system_info_json_literal_with_problems(make_node):
    """Still a Python literal when the node has config problems to report."""
    n = make_node(start=False)
    n.write_config_bytes(b'{"devfid": "x", "dbg": nul')
    n.start()
    with n.connect() as s:
        text = s.cmd("system info >json")
    d = ast.literal_eval(text.strip())
    assert d == json.loads(text) and "problems" in d


def test_tuple_and_list_reprs(node):
    with node.connect() as s:
        out = s.cmd("system ifconfig")
        assert re.match(r"^\('(STA|AP|)', \('[\d.]+', '[\d.]+', '[\d.]+', '[\d.]+'\)\)\n$", out), out


def test_setclock_then_clock(node):
    with node.connect() as s:
        # 2026-01-02 is a Friday: weekday 4 (Monday = 0), day of year 2
        assert s.cmd_raw("system setclock 2026 1 2 3 4 5") == b"(2026, 1, 2, 3, 4, 5, 4, 2)\n" + P
        out = s.cmd("system clock")
        assert re.match(r"^2026\.1\.2  3:4:\d\d?\nWD: 4 YD: 2\n$", out), out
        sec = int(out.split(":")[2].split("\n")[0])
        assert 5 <= sec <= 9
    # the clock stays set for other sessions
    with node.connect() as s:
        assert s.cmd("system clock").startswith("2026.1.2  3:")


def test_setclock_keyword_and_default_args(node):
    with node.connect() as s:
        assert s.cmd("system setclock 2030 12 31") == "(2030, 12, 31, 0, 0, 0, 1, 365)\n"
        assert s.cmd("system setclock year=2024 month=2 mday=29 sec=7") == \
            "(2024, 2, 29, 0, 0, 7, 3, 60)\n"


def test_pinmap_shape(node):
    with node.connect() as s:
        out = s.cmd("system pinmap")
        assert re.match(r"^ map: \S+\n booked: \{.*\}\n custom: \{.*\}\n known_maps: \[.*\]\n$", out), out
        # a quoted string argument is accepted (keys must be a str)
        assert s.cmd("system pinmap keys='builtin irq1'").startswith("Core error") is False


# ---- auth -------------------------------------------------------------------------------------

AP = b"[password] node01 $ "


def test_auth_prompt_and_hello_before_auth(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        assert s.greeting == AP
        out = s.cmd_raw("hello")
        assert out.endswith(b"\n" + AP) and HELLO_RE.match(out[: -len(AP)]), out
        assert s.cmd_raw("ADmin123") == b"AuthOk\n" + P
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P


@pytest.mark.parametrize("guess", ["wrong", "ADmin1234", "ADmin12", "admin123", "version",
                                   "system heartbeat", "conf"])
def test_auth_failure_exact_stream(make_node, guess):
    n = make_node("auth=True")
    with n.connect() as s:
        s.send(guess)
        assert s.read_until_close() == b"AuthFailed\nBye!\n" + AP + b"Bye!\n"
    assert n.alive()


def test_auth_first_word_only_and_per_session(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        assert s.cmd_raw("ADmin123 anything else") == b"AuthOk\n" + P
        assert s.cmd_raw("version").endswith(b"\n" + P)
    with n.connect() as s:  # a new session must authenticate again
        assert s.greeting == AP
        s.send("system heartbeat")
        assert s.read_until_close() == b"AuthFailed\nBye!\n" + AP + b"Bye!\n"


def test_auth_exit_before_auth(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        s.send("exit")
        assert s.read_until_close() == b"Bye!\n"


def test_auth_with_changed_password(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        s.cmd("ADmin123")
        s.cmd("conf")
        assert s.cmd("appwd Secret99") == "Saved\n"
    with n.connect() as s:
        assert s.cmd_raw("Secret99") == b"AuthOk\n" + P
    with n.connect() as s:
        s.send("ADmin123")
        assert s.read_until_close() == b"AuthFailed\nBye!\n" + AP + b"Bye!\n"


def test_auth_conf_mode_prompt_after_auth(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        s.cmd("ADmin123")
        assert s.cmd_raw("conf") == b"[configure] node01 $ "
        assert s.cmd_raw("noconf") == P


# ---- devfid -----------------------------------------------------------------------------------

def test_custom_devfid_prompt_and_hello(make_node):
    n = make_node("devfid=kitchen-1")
    with n.connect() as s:
        assert s.greeting == b"kitchen-1 $ "
        assert s.cmd_raw("hello").startswith(b"hello:kitchen-1:micr")
        assert s.cmd_raw("modules") == b"['task']\nkitchen-1 $ "


# ---- @sudo functions (micrOS Auth.py; docs/micros-compat.md §2.9) ------------------------------

DENIED = b"Access denied, wrong password (pwd)"


def test_sudo_functions_need_pwd_keyword(node):
    """micrOS's robustness func_sudo / func_sudo_opt: pwd='<appwd>' is checked, consumed, and
    a login (auth) does not stand for it; a wrong or missing pwd is micrOS's text."""
    with node.connect() as s:
        assert s.cmd_raw("robustness func_sudo") == \
            b"Core error: LM_robustness->func_sudo: " + DENIED + b"\n" + P
        assert s.cmd_raw("robustness func_sudo pwd='wrong'") == \
            b"Core error: LM_robustness->func_sudo: " + DENIED + b"\n" + P
        assert s.cmd_raw("robustness func_sudo pwd=123") == \
            b"Core error: LM_robustness->func_sudo: " + DENIED + b"\n" + P
        assert s.cmd_raw("robustness func_sudo pwd='ADmin123'") == b"Access granted\n" + P
        # _when_true=("opt", 0): only a truthy opt needs the password; pwd is taken anyway
        assert s.cmd_raw("robustness func_sudo_opt") == b"Access granted, opt flag: False\n" + P
        assert s.cmd_raw("robustness func_sudo_opt pwd='wrong'") == \
            b"Access granted, opt flag: False\n" + P
        assert s.cmd_raw("robustness func_sudo_opt True") == \
            b"Core error: LM_robustness->func_sudo_opt: " + DENIED + b"\n" + P
        assert s.cmd_raw("robustness func_sudo_opt opt=True pwd='nope'") == \
            b"Core error: LM_robustness->func_sudo_opt: " + DENIED + b"\n" + P
        assert s.cmd_raw("robustness func_sudo_opt opt=True pwd='ADmin123'") == \
            b"Access granted, opt flag: True\n" + P
        # an ordinary function does not take pwd
        assert s.cmd_raw("robustness level pwd='ADmin123'") == (
            b"Core error: LM_robustness->level: level() got an unexpected keyword argument "
            b"'pwd'\n" + P)
        assert b"func_sudo_opt opt=False" in s.cmd_raw("robustness help")


def test_sudo_login_does_not_satisfy_pwd(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        s.cmd_raw("ADmin123")  # the session login
        assert DENIED in s.cmd_raw("robustness func_sudo")
        assert s.cmd_raw("robustness func_sudo pwd='ADmin123'").startswith(b"Access granted\n")
