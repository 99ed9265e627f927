"""Conf mode (micros-compat.md 2.8) and node_config.json handling (section 6).

Conf-mode replies are checked byte for byte; the config file is checked on
disk after every change; broken config files must never lose data.
"""
import json
import os
import re

import pytest

P = b"node01 $ "
CP = b"[configure] node01 $ "
MICROS_KEYS = ("version auth staessid stapwd devfid appwd dbg nwmd hwuid soctout socport webui "
               "webui_max_con devip cron crontasks timirq timirqcbf timirqseq irq1 irq1_cbf "
               "irq1_trig irq2 irq2_cbf irq2_trig irq3 irq3_cbf irq3_trig irq4 irq4_cbf irq4_trig "
               "irq_prell_ms boothook aioqueue utc boostmd guimeta cstmpmap espnow ha").split()
PWD_ERR = (b"node_config write error: Password must include [0-9] both [a-z][A-Z] and length "
           b"between 8-9 char.\nFailed to save\n")


def conf_session(node):
    s = node.connect()
    assert s.greeting == P
    assert s.cmd_raw("conf") == CP
    return s


def dump_line(key, value):
    return "  %-10s:        %s" % (key, value)


# ---- conf mode ----------------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["conf", "config", "configure", "conf\n", "conf\r\n"])
def test_enter_and_leave_conf_mode(node, word):
    with node.connect() as s:
        assert s.cmd_raw(word) == CP
        assert s.cmd_raw("noconf") == P
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P


def test_dump_format_and_order(node):
    with conf_session(node) as s:
        out = s.cmd_raw("dump")
    assert out.endswith(b"\n" + CP)
    lines = out[: -len(CP)].decode().rstrip("\n").split("\n")
    keys = []
    for ln in lines:
        m = re.match(r"^  (\S+?) *:        (.*)$", ln)
        assert m, ln
        key = m.group(1)
        # key left-justified to 10 chars, no padding when longer
        assert ln.startswith("  " + key.ljust(10) + ":        "), ln
        keys.append(key)
    assert keys[: len(MICROS_KEYS)] == MICROS_KEYS  # micrOS order first, nodus keys after
    assert len(keys) == len(set(keys))
    assert dump_line("socport", node.port) in lines  # the effective (--set) value
    assert dump_line("soctout", 30) in lines
    assert "  webui_max_con:        3" in lines
    assert dump_line("webui", "False") in lines
    assert dump_line("auth", "False") in lines
    assert dump_line("devfid", "node01") in lines
    assert dump_line("crontasks", "n/a") in lines
    assert dump_line("guimeta", "...") in lines  # offloaded key
    assert dump_line("utc", 60) in lines
    assert dump_line("aioqueue", 5) in lines
    assert dump_line("appwd", "ADmin123") in lines


def test_dump_substring(node):
    with conf_session(node) as s:
        assert s.cmd_raw("dump soc") == ("%s\n%s\n" % (dump_line("soctout", 30),
                                                       dump_line("socport", node.port))).encode() + CP
        assert s.cmd_raw("dump webui") == ("%s\n%s\n" % (dump_line("webui", "False"),
                                                         dump_line("webui_max_con", 3))).encode() + CP
        out = s.cmd("dump irq")
        keys = [ln.split(":")[0].strip() for ln in out.splitlines()]
        assert all("irq" in k for k in keys), keys
        assert [k for k in keys if k in MICROS_KEYS] == [k for k in MICROS_KEYS if "irq" in k]
        # no key matches: nothing but the prompt
        assert s.cmd_raw("dump sock") == CP
        assert s.cmd_raw("dump zzzznotakey") == CP


@pytest.mark.parametrize("key,value", [
    ("soctout", "30"), ("webui", "False"), ("auth", "False"), ("devfid", "node01"),
    ("crontasks", "n/a"), ("webui_max_con", "3"), ("dbg", "True"), ("nwmd", "STA"),
    ("utc", "60"), ("aioqueue", "5"), ("timirqseq", "1000"), ("staessid", "your_wifi_name"),
    ("gmttimaaaa", "None"), ("Socport", "None"),
])
def test_get_key(node, key, value):
    with conf_session(node) as s:
        assert s.cmd_raw(key) == value.encode() + b"\n" + CP


def test_get_socport_default_9008(make_node):
    """Without a --set override the default port is reported (the node listens elsewhere only
    because the harness overrides it; the saved file keeps the default)."""
    n = make_node()
    assert n.read_config()["socport"] == 9008
    with conf_session(n) as s:
        assert s.cmd_raw("socport") == str(n.port).encode() + b"\n" + CP


def test_get_hwuid_matches_hello(node):
    with conf_session(node) as s:
        hw = s.cmd("hwuid").strip()
        assert re.match(r"^micr[0-9a-fA-F]{12}OS$", hw)
        assert s.cmd("hello") == "hello:node01:%s:dev\n" % hw


def test_set_saves_immediately(node):
    with conf_session(node) as s:
        assert s.cmd_raw("soctout 45") == b"Saved\n" + CP
        assert node.read_config()["soctout"] == 45
        assert s.cmd_raw("soctout") == b"45\n" + CP
        assert s.cmd_raw("soctout 45") == b"Saved\n" + CP  # unchanged value: still Saved
        assert s.cmd_raw("staessid my   home    wifi") == b"Saved\n" + CP
        assert s.cmd_raw("staessid") == b"my home wifi\n" + CP  # words joined by single spaces
        assert node.read_config()["staessid"] == "my home wifi"
        assert s.cmd_raw("utc -120") == b"Saved\n" + CP
        assert node.read_config()["utc"] == -120
    assert not [f for f in os.listdir(node.path("config")) if f.endswith(".tmp")]


def test_set_persists_across_restart(node):
    with conf_session(node) as s:
        assert s.cmd("soctout 77") == "Saved\n"
        assert s.cmd("crontasks *:*:*:0!system heartbeat") == "Saved\n"
    node.restart()
    with conf_session(node) as s:
        assert s.cmd("soctout") == "77\n"
        assert s.cmd("crontasks") == "*:*:*:0!system heartbeat\n"


def test_devfid_set_is_cached_per_session(node):
    with conf_session(node) as s:
        assert s.cmd_raw("devfid kitchen") == b"Saved\n" + CP  # this session keeps node01
        assert s.cmd_raw("noconf") == P
    assert node.read_config()["devfid"] == "kitchen"
    with node.connect() as s:
        assert s.greeting == b"kitchen $ "
        assert s.cmd("hello").startswith("hello:kitchen:micr")


@pytest.mark.parametrize("line", ["nosuchkey 1", "Socport 9000", "gmttimaaaa 5",
                                  "x" * 100 + " 1"])
def test_set_unknown_key(node, line):
    with conf_session(node) as s:
        before = open(node.config_path(), "rb").read()
        assert s.cmd_raw(line) == b"Invalid key\n" + CP
        assert open(node.config_path(), "rb").read() == before


@pytest.mark.parametrize("line", ["socport abc", 'utc "type"', "soctout 1.5", "soctout 12abc",
                                  "webui yes", "webui 1", "auth maybe", "lat north",
                                  "utc 99999", "socport 70000", "socport 0", "lat 91",
                                  "soctout 2", "nwmd WIFI", "devfid bad name!"])
def test_set_type_error_fails_to_save(node, line):
    """Type errors: micrOS's bare "Failed to save". Range/rule errors (nodus checks more than
    micrOS) may add one "node_config write error: <reason>" line first, like appwd does."""
    with conf_session(node) as s:
        before = open(node.config_path(), "rb").read()
        out = s.cmd_raw(line)
        assert re.match(rb"^(node_config write error: [^\n]+\n)?Failed to save\n" + re.escape(CP) + b"$",
                        out), out
        if line in ("socport abc", 'utc "type"', "webui yes", "webui 1", "soctout 1.5"):
            assert out == b"Failed to save\n" + CP
        assert open(node.config_path(), "rb").read() == before
        # the value is unchanged
        key = line.split()[0]
        assert s.cmd(key) != line.split(None, 1)[1] + "\n"


@pytest.mark.parametrize("pwd", ["abc", "abcdefg1", "ABCDEFG1", "Abcdefgh", "Abcdef1",
                                 "Abcdefgh12", "Abc de f1x", "Ab1"])
def test_appwd_rules(node, pwd):
    with conf_session(node) as s:
        assert s.cmd_raw("appwd " + pwd) == PWD_ERR + CP
        assert s.cmd_raw("appwd") == b"ADmin123\n" + CP
    assert node.read_config()["appwd"] == "ADmin123"


@pytest.mark.parametrize("pwd", ["Abcdefg1", "Abcdefg12", "zZ9zZ9zZ9"])
def test_appwd_valid(node, pwd):
    with conf_session(node) as s:
        assert s.cmd_raw("appwd " + pwd) == b"Saved\n" + CP
    assert node.read_config()["appwd"] == pwd


def test_bool_set_any_case(node):
    with conf_session(node) as s:
        assert s.cmd_raw("webui TRUE") == b"Saved\n" + CP
        assert s.cmd_raw("webui") == b"True\n" + CP
        assert node.read_config()["webui"] is True
        assert s.cmd_raw("webui false") == b"Saved\n" + CP
        assert s.cmd_raw("webui") == b"False\n" + CP
        assert node.read_config()["webui"] is False
        assert s.cmd_raw("cron tRuE") == b"Saved\n" + CP
        assert node.read_config()["cron"] is True


def test_builtins_still_work_in_conf_mode(node):
    with conf_session(node) as s:
        out = s.cmd_raw("hello")
        assert re.match(rb"^hello:node01:micr[0-9a-fA-F]{12}OS:dev\n" + re.escape(CP) + rb"$", out)
        assert re.match(rb"^\d+\.\d+\.\d+-\d+\n" + re.escape(CP) + rb"$", s.cmd_raw("version"))
        out = s.cmd_raw("help")
        assert out.endswith(b"\n" + CP) and b"[MICROS]" in out and b"[CONF]" in out
        # Load Module calls are config operations here: `system heartbeat` is a set of key "system"
        assert s.cmd_raw("system heartbeat") == b"Invalid key\n" + CP
        assert s.cmd_raw("modules") == b"None\n" + CP
        assert s.cmd_raw("noconf") == P
        assert s.cmd_raw("modules") == b"['task']\n" + P


def test_exit_from_conf_mode(node):
    with conf_session(node) as s:
        s.send("exit")
        assert s.read_until_close() == b"Bye!\n"


def test_conf_mode_is_per_session(node):
    with conf_session(node) as a:
        with node.connect() as b:
            assert b.greeting == P
            assert b.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P
        assert a.cmd_raw("soctout") == b"30\n" + CP


def test_set_overridden_key_in_conf_mode(make_node):
    n = make_node("soctout=12")
    with conf_session(n) as s:
        assert s.cmd("soctout") == "12\n"
        assert s.cmd("soctout 40") == "Saved\n"
        assert s.cmd("soctout") == "40\n"
    assert n.read_config()["soctout"] == 40


# ---- --set overrides --------------------------------------------------------------------------

def test_set_overrides_are_not_written(make_node):
    n = make_node("devfid=override", "soctout=99", "webui=False")
    with n.connect() as s:
        assert s.greeting == b"override $ "
        assert s.cmd_raw("conf") == b"[configure] override $ "
        assert s.cmd("devfid") == "override\n"
        assert s.cmd("soctout") == "99\n"
        assert s.cmd("utc 30") == "Saved\n"  # a save must not write the overrides either
    cfg = n.read_config()
    assert cfg["devfid"] == "node01"
    assert cfg["soctout"] == 30
    assert cfg["socport"] == 9008
    assert "bind" not in cfg or cfg["bind"] == "0.0.0.0"
    assert cfg["utc"] == 30
    n.restart()
    assert n.read_config()["devfid"] == "node01"


@pytest.mark.parametrize("bad", ["nosuchkey=1", "socport=abc", "appwd=short", "webui=maybe",
                                 "devfid"])
def test_bad_set_option_refuses_to_start(make_node, bad):
    n = make_node(bad, start=False)
    n.start(wait=False)
    rc = n.proc.wait(10)
    assert rc == 2
    with open(n.path("stderr.log"), "rb") as f:
        assert f.read().startswith(b"nodus: ")


# ---- node_config.json robustness ---------------------------------------------------------------

def _valid_config_text():
    return json.dumps({"version": "n/a", "auth": False, "devfid": "keepme", "soctout": 44,
                       "socport": 9008, "webui": False})


BROKEN = {
    "truncated": _valid_config_text()[:40].encode(),
    "garbage": b"\x00\xff\xfegarbage{{{[[[\n\x01",
    "empty": b"",
    "array": b'[{"devfid": "x"}, 1, 2]',
    "number": b"42",
    "string": b'"devfid"',
    "null": b"null",
    "trailing_junk": (_valid_config_text() + "}}").encode(),
    "nul_inside": b'{"devfid": "ab\x00cd"',
    "whitespace": b"   \n\t  ",
    "deep_nesting": b"[" * 100000 + b"]" * 100000,
    "huge": b'{"devfid": "x", "pad": "' + b"a" * 200000 + b'"}',
}


def _check_defaults_and_problem(n, original):
    assert open(n.path("config", "node_config.json.bad"), "rb").read() == original
    cfg = n.read_config()  # a valid JSON object again
    assert cfg["devfid"] == "node01" and cfg["soctout"] == 30 and cfg["socport"] == 9008
    with n.connect() as s:
        assert s.greeting == P
        info = s.cmd("system info")
        assert re.search(r"^ problems: .*node_config\.json", info, re.M), info
        assert s.cmd("hello").startswith("hello:node01:micr")
    with open(n.path("logs", "err.sys.log"), "rb") as f:
        log = f.read()
    assert b"node_config.json" in log and b"[ERR]" in log


@pytest.mark.parametrize("name", list(BROKEN), ids=list(BROKEN))
def test_broken_config_file_kept_as_bad(make_node, name):
    n = make_node(start=False)
    n.write_config_bytes(BROKEN[name])
    n.start()
    _check_defaults_and_problem(n, BROKEN[name])


def test_broken_config_problem_is_cleared_after_restart(make_node):
    n = make_node(start=False)
    n.write_config_bytes(b"{broken")
    n.start()
    n.restart()
    with n.connect() as s:
        assert "problems" not in s.cmd("system info")
    assert open(n.path("config", "node_config.json.bad"), "rb").read() == b"{broken"


def test_wrong_typed_value_replaced_and_original_kept(make_node):
    n = make_node(start=False)
    original = b'{"devfid": "typed", "socport": "abc", "soctout": 40}'
    n.write_config_bytes(original)
    n.start()
    assert open(n.path("config", "node_config.json.bad"), "rb").read() == original
    cfg = n.read_config()
    assert cfg["socport"] == 9008  # default replaces the unusable value
    assert cfg["devfid"] == "typed" and cfg["soctout"] == 40  # the rest is kept
    with n.connect() as s:
        assert s.greeting == b"typed $ "
        info = s.cmd("system info")
        assert re.search(r"^ problems: .*socport", info, re.M), info
    assert b"socport" in open(n.path("logs", "err.sys.log"), "rb").read()


@pytest.mark.parametrize("text,key,expected", [
    (b'{"socport": "9100"}', "socport", 9100),
    (b'{"soctout": "45"}', "soctout", 45),
    (b'{"webui": "true"}', "webui", True),
    (b'{"auth": "False"}', "auth", False),
    (b'{"utc": "-120"}', "utc", -120),
])
def test_convertible_value_converted(make_node, text, key, expected):
    n = make_node(start=False)
    n.write_config_bytes(text)
    n.start()
    cfg = n.read_config()
    assert cfg[key] == expected and type(cfg[key]) is type(expected)
    # the original is kept too
    assert open(n.path("config", "node_config.json.bad"), "rb").read() == text
    with conf_session(n) as s:
        if key != "socport":  # socport is overridden by the harness
            assert s.cmd(key) == "%s\n" % expected


def test_wrong_type_bool_and_string_keys(make_node):
    n = make_node(start=False)
    n.write_config_bytes(b'{"webui": "sometimes", "devfid": 12, "auth": [1]}')
    n.start()
    cfg = n.read_config()
    assert cfg["webui"] is False and cfg["auth"] is False
    with n.connect() as s:
        assert s.greeting in (b"12 $ ", P)  # 12 -> "12" is an unambiguous conversion, or default
        assert "problems" in s.cmd("system info")


def test_unknown_keys_kept_after_save(make_node):
    n = make_node(start=False)
    n.write_config_bytes(json.dumps({"devfid": "keeper", "myextra": {"a": [1, 2, None]},
                                     "zzz": "keep me", "num": 1.5}).encode())
    n.start()
    with n.connect() as s:
        assert s.cmd_raw("conf") == b"[configure] keeper $ "
        assert s.cmd("soctout 41") == "Saved\n"
        assert s.cmd("zzz") == "keep me\n"  # kept keys read back in conf mode
    cfg = n.read_config()
    assert cfg["myextra"] == {"a": [1, 2, None]}
    assert cfg["zzz"] == "keep me" and cfg["num"] == 1.5
    assert cfg["soctout"] == 41 and cfg["devfid"] == "keeper"
    n.restart()
    assert n.read_config()["myextra"] == {"a": [1, 2, None]}


def test_missing_keys_added_on_load(make_node):
    n = make_node(start=False)
    n.write_config_bytes(b'{"devfid": "partial"}')
    n.start()
    cfg = n.read_config()
    for k in MICROS_KEYS:
        assert k in cfg, k
    assert cfg["devfid"] == "partial" and cfg["appwd"] == "ADmin123"
    # a merge is not a problem: no .bad, no problems entry
    assert not os.path.exists(n.path("config", "node_config.json.bad"))
    with n.connect() as s:
        assert "problems" not in s.cmd("system info")


def test_no_config_file_writes_defaults(node):
    cfg = node.read_config()
    assert cfg["devfid"] == "node01" and cfg["socport"] == 9008 and cfg["auth"] is False
    assert re.match(r"^micr[0-9a-fA-F]{12}OS$", cfg["hwuid"])
    assert not os.path.exists(node.path("config", "node_config.json.bad"))


def test_stale_tmp_removed_and_no_tmp_after_saves(make_node):
    n = make_node(start=False)
    n.write_config_bytes(b'{"devfid": "tmpcheck"}')
    with open(n.path("config", "node_config.json.tmp"), "wb") as f:
        f.write(b'{"devfid": "half-writ')
    n.start()
    assert not os.path.exists(n.path("config", "node_config.json.tmp"))
    assert n.read_config()["devfid"] == "tmpcheck"
    with n.connect() as s:
        s.cmd("conf")
        for i in range(20):
            assert s.cmd("soctout %d" % (10 + i)) == "Saved\n"
    leftovers = [f for f in os.listdir(n.path("config")) if "tmp" in f]
    assert leftovers == []
    assert n.read_config()["soctout"] == 29


def test_guimeta_offloaded(node):
    with conf_session(node) as s:
        assert s.cmd("guimeta") == "n/a\n"
        assert s.cmd('guimeta {"a": 1}') == "Saved\n"
        assert s.cmd("guimeta") == '{"a": 1}\n'
        assert dump_line("guimeta", "...") in s.cmd("dump guimeta")
    assert node.read_config()["guimeta"] == "..."
    assert open(node.path("config", ".guimeta.key"), "rb").read() == b'{"a": 1}'


def test_sigterm_exits_zero_and_config_intact(node):
    import signal
    import time
    with conf_session(node) as s:
        assert s.cmd("soctout 33") == "Saved\n"
        t0 = time.time()
        node.proc.send_signal(signal.SIGTERM)
        assert node.proc.wait(10) == 0
        elapsed = time.time() - t0
        # the open session is closed by the shutdown
        assert s.read_until_close(3) == b""
    from conftest import SANITIZED
    assert elapsed < (3.0 if SANITIZED else 1.0), elapsed
    cfg = node.read_config()
    assert cfg["soctout"] == 33
    assert not [f for f in os.listdir(node.path("config")) if f.endswith(".tmp")]


def test_sigint_exits_zero(node):
    import signal
    node.proc.send_signal(signal.SIGINT)
    assert node.proc.wait(10) == 0
    assert node.read_config()["devfid"] == "node01"
