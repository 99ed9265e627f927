"""The firmware's profiles and feature switches (nodus/opts.h ND_WITH_*, set
per profile in src/port/mps2/nd_port_opts.h; MODULES= a board's module list):
a service left out of an image answers that it is not built in, and the node
keeps serving (issue 15, footprint)."""
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT
from test_firmware import FW_DIR, FwNode, build_firmware, pytestmark, reboot_and_wait  # noqa: F401 (its skip marks)



@pytest.fixture(scope="module")
def fw_min(tmp_path_factory):
    fw = FwNode(build_firmware("min"), tmp_path_factory.mktemp("fwmin"))
    yield fw
    fw.stop()


def test_min_image_leaves_out_nsh_intercon_and_keeps_serving(fw_min):
    with fw_min.connect() as s:
        assert s.cmd("sh") == "sh: not built into this node\n"
        assert s.cmd("system info >>10.0.2.2") == "InterCon is not built into this node\n"
        # the built-in help lists what this image does: no >>host line, and no web
        # file manager to point a webrepl user to
        help_text = s.cmd("help")
        assert ">>host" not in help_text and "   webrepl   - not available on nodus\n" in help_text
        assert s.cmd("webrepl") == "webrepl is not available on nodus\n"
        # no A/B updates on a board (ND_WITH_UPDATE 0): each of the three calls says so
        for fn in ("update", "update_status", "update_rollback"):
            assert s.cmd("system %s" % fn) == ("Core error: LM_system->%s: updates are not built "
                                               "into this node\n" % fn)
        assert "sun times are not built into this node" in s.cmd("system sun")
        # the session is intact: a module call still answers on it
        assert s.cmd("hello").startswith("hello:")
    assert fw_min.alive(), fw_min.uart_text()[-2000:]


def test_min_image_without_widgets_says_so_and_keeps_text_help(fw_min):
    # ND_WITH_WIDGETS 0: no web door, no dashboard: `help True` (the dashboard's
    # widget JSON) says it is not built in; the text help is unchanged
    with fw_min.connect() as s:
        assert "widgets are not built into this node" in s.cmd("system help True")
        text = s.cmd("system help")
        assert " info,\n" in text and " top,\n" in text, text
        assert "TEXTBOX" not in text and "GRAPH" not in text, text
        assert s.cmd("hello").startswith("hello:")


def test_min_image_without_a_hardware_backend_has_no_pin_map(fw_min):
    # ND_WITH_HW 0 (no sim board, no backend of the port's): no pin map either;
    # `system pinmap` and a pin interrupt answer the missing backend's reason,
    # a search finds no pin, and the node keeps serving
    reason = "hwbackend none is not usable: this image has no hardware backend"
    with fw_min.connect() as s:
        assert reason in s.cmd("system pinmap"), s.cmd("system pinmap")
        assert s.cmd("system pinmap keys='irq1 builtin' >json") == '{"irq1": null, "builtin": null}\n'
        s.cmd("conf")
        s.cmd("irq1_cbf system heartbeat")
        s.cmd("irq1 True")
        s.cmd("noconf")
    reboot_and_wait(fw_min)  # interrupts are set up at boot
    assert "[ERR] irq1: " + reason in fw_min.uart_text()
    with fw_min.connect() as s:
        s.cmd("conf")
        s.cmd("irq1 False")
        s.cmd("noconf")
        assert s.cmd("hello").startswith("hello:")


def test_min_image_without_cron_says_so_and_keeps_tasks(fw_min):
    with fw_min.connect() as s:
        s.cmd("conf")
        s.cmd("cron True")
        s.cmd("noconf")
    # the cron switch is applied at once: the missing service is logged, not silent
    assert "[ERR] cron: not built into this node" in fw_min.uart_text()
    assert fw_min.cmd("hello").startswith("hello:")


def test_min_image_20_clients_on_16_sockets(fw_min):
    # the minimal image has 16 sockets (1 listener, 4 slots, 8 waiting): 20
    # clients at once overflow lwIP's table; the excess is refused, and the
    # node serves again once they are gone
    held = [socket.create_connection(("127.0.0.1", fw_min.port), 5) for _ in range(20)]
    try:
        assert fw_min.alive(), fw_min.uart_text()[-2000:]
    finally:
        for c in held:
            c.close()
    fw_min.wait_ready()
    assert fw_min.cmd("hello").startswith("hello:")
    assert fw_min.alive(), fw_min.uart_text()[-2000:]


def test_full_image_leaves_out_nsh(tmp_path):
    fw = FwNode(build_firmware(), tmp_path)
    try:
        assert fw.cmd("sh") == "sh: not built into this node\n"
        # the full image has the widgets (its REST door serves the dashboard's calls)
        assert ' {"type": "textbox", "callback": "info ", "refresh": 10000},\n' in fw.cmd("system help True")
        # no InterCon: its keys (the peer-password policy, the timeout) are not in
        # the image's schema; the other nodus keys are
        with fw.connect() as s:
            s.cmd("conf")
            assert s.cmd("icpeers node02=pw") == "Invalid key\n"
            assert s.cmd("intercontout 100") == "Invalid key\n"
            assert s.cmd("taskbudget 60") == "Saved\n"
            s.cmd("noconf")
        assert fw.cmd("hello").startswith("hello:")
    finally:
        fw.stop()


def test_full_image_serves_rest_but_not_metrics_files_or_events(tmp_path):
    fw = FwNode(build_firmware(), tmp_path)
    try:
        base = "http://127.0.0.1:%d" % fw.web
        with urllib.request.urlopen(base + "/rest/system/info", timeout=10) as r:
            assert json.load(r)["result"]["board"] == "mps2-an385"
        for path in ("/metrics", "/events", "/fs/"):
            with pytest.raises(urllib.error.HTTPError) as e:
                urllib.request.urlopen(base + path, timeout=10)
            assert e.value.code == 404, path
        # MQTT and InterCon are the max profile's
        assert "No module named 'LM_mqttc'" in fw.cmd("mqttc ping")
        assert "not built into this node" in fw.cmd("hello >>node02")
        assert fw.cmd("hello").startswith("hello:")
    finally:
        fw.stop()


def test_a_boards_module_list_on_an_image_without_a_hardware_backend(tmp_path):
    # MODULES= picks the Load Modules; the minimal profile has no sim board
    # (ND_WITH_SIM 0), so a hardware call says why instead of a simulated success
    elf = build_firmware("min", modules=["system", "genIO"])
    fw = FwNode(elf, tmp_path)
    try:
        names = {line.strip() for line in fw.cmd("help lm").splitlines() if line.startswith("  ")
                 and not line.startswith("   ")}
        assert {"system", "genIO"} <= names and not names & {"sim", "neopixel", "bme280"}, names
        out = fw.cmd("genIO set_out 3 1")
        assert "this image has no hardware backend" in out, out
        assert "No module named 'LM_neopixel'" in fw.cmd("neopixel toggle")
        assert fw.cmd("hello").startswith("hello:")
    finally:
        fw.stop()


def test_an_unknown_module_in_the_list_fails_the_build():
    r = subprocess.run(["make", "--no-print-directory", "-C", os.path.join(ROOT, "src/port/mps2"),
                        "O=" + FW_DIR, "PROFILE=full", "MODULES=system nosuchmod"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "no such module: nosuchmod" in r.stderr


def test_min_image_without_tz_rules_says_so(fw_min):
    # ND_WITH_TZ 0: no POSIX TZ rules in the minimal image; a `tz` value is
    # ignored with one log line naming the `utc` minutes used instead (the
    # clock itself is local time, as micrOS's: `utc` applies at a clock sync)
    with fw_min.connect() as s:
        s.cmd("conf")
        s.cmd("utc 120")
        s.cmd("tz CET-1CEST,M3.5.0,M10.5.0/3")
        s.cmd("noconf")
    assert ("[ERR] tz 'CET-1CEST,M3.5.0,M10.5.0/3' ignored: time-zone rules are not built into "
            "this node; using utc=120 minutes") in fw_min.uart_text()
    with fw_min.connect() as s:
        s.cmd("conf")
        s.cmd("tz n/a")
        s.cmd("utc 60")
        s.cmd("noconf")
    assert fw_min.cmd("hello").startswith("hello:")


def test_min_image_notify_has_local_only(fw_min):
    # neither MQTT nor the HTTP client in the image: the channels that need them
    # have no keys (Invalid key, as any unknown key); a message is kept locally
    with fw_min.connect() as s:
        s.cmd("conf")
        for key in ("notify_webhook", "notify_tg_token", "notify_tg_chat", "notify_mqtt"):
            assert s.cmd("%s x" % key) == "Invalid key\n"
        assert s.cmd("notify_rate_s 5") == "Saved\n"
        s.cmd("noconf")
    assert fw_min.cmd("system notify 'door open'") == "Sent over Local (1/1) client(s) - errors: (0)\n"
    listing = fw_min.cmd("system notifications")
    assert listing.startswith("Notifications[Local]: enabled\n") and listing.endswith(" door open\n")
    assert fw_min.cmd("hello").startswith("hello:")


def test_footprint_gives_no_bytes_to_code_the_linker_dropped():
    # the minimal image has no web door and no widgets (widget.c is compiled
    # but --gc-sections drops all of it): scripts/footprint.py must not give
    # it any bytes. The line rows of a dropped function sit at address 0,
    # over the vector table and the code after it; counted, they once made a
    # 1.8 KB "web" row out of the reset handler's code.
    elf = build_firmware("min")
    r = subprocess.run([sys.executable, os.path.join(ROOT, "scripts/footprint.py"),
                        "min=" + os.path.join(os.path.dirname(elf), "nodus.map")],
                       capture_output=True, text=True, check=True)
    rows = {line.split()[0] for line in r.stdout.splitlines()[2:] if line.startswith("  ")}
    assert {"shell", "config", "scheduler", "core", "port"} <= rows, r.stdout
    assert "web" not in rows, r.stdout


def test_min_image_links_no_soft_float_arithmetic():
    # the minimal image converts numbers (libc_dconv.c) and compares them, but
    # adds, multiplies and divides none in double: percentages, milliseconds
    # and loads are integers shown through nd_decimal, floor/trunc/rint work on
    # the bits, sun.c leaves no trigonometry behind. libgcc's arithmetic
    # objects (~2 KB) must not be linked; if one is, the map names who pulled it
    elf = build_firmware("min")
    with open(os.path.join(os.path.dirname(elf), "nodus.map")) as f:
        pulled = f.read().split("Discarded input sections")[0]
    for member in ("_arm_addsubdf3.o", "_arm_muldivdf3.o", "_arm_muldf3.o", "_fixunsdfdi.o",
                   "_fixdfdi.o", "lib_a-s_rint.o", "lib_a-s_sin.o"):
        assert member not in pulled, pulled


def test_min_image_numbers_without_soft_float_arithmetic(fw_min):
    # what the conversions and nd_decimal serve, as on Linux: Python's repr of
    # floats (shortest round trip, exponents, -0.0), config ints through
    # cJSON's doubles, one-decimal percentages, milliseconds of
    # microseconds with three decimals in text and JSON
    floats = ["0.1", "1e+22", "-0.0", "123456789.25", "2.5e-05", "0.30000000000000004", "-1e-300"]
    with fw_min.connect() as s:
        for v in floats + ["9007199254740993", "-9223372036854775808"]:
            assert s.cmd("system notify %s" % v) == "Sent over Local (1/1) client(s) - errors: (0)\n"
        listed = [line.split(" ", 1)[1] for line in s.cmd("system notifications").splitlines()[1:]]
        assert listed[-4:] == floats[-2:] + ["9007199254740993", "-9223372036854775808"], listed
        s.cmd("conf")
        for key, value in (("utc", "-90"), ("aioqueue", "7"), ("utc", "60"), ("aioqueue", "5")):
            assert s.cmd("%s %s" % (key, value)) == "Saved\n"
            assert s.cmd(key) == value + "\n"
        assert s.cmd("utc 1.5") == "Failed to save\n" and s.cmd("utc") == "60\n"  # an int key
        s.cmd("noconf")
        top = s.cmd("system top")
        assert re.fullmatch(r" Mem usage \[%\]: \d+\.\d\n FS usage \[%\]: \d+\.\d\n CPU load \[%\]: "
                            r"\d+\.\d\n", top), top
        assert s.cmd("system clock &&50") == "{'system.clock': 'Starting'}\n"
        time.sleep(0.3)
        stats = s.cmd("task stats")
        assert re.search(r"system\.clock +runs:\d+ time:\d+\.\d{3}ms max:\d+\.\d{3}ms slow:0\n", stats), stats
        doc = json.loads(s.cmd("task stats >json"))["system.clock"]
        assert isinstance(doc["time_ms"], float) and doc["max_ms"] <= doc["time_ms"], doc
        timing = s.cmd("system timing")
        assert re.fullmatch(r" runs: \d+\n( late_(p50|p99|max)_ms: \d+\.\d{1,3}\n){3} run_avg_us: "
                            r"\d+\.\d{1,3}\n", timing), timing
        s.cmd("task kill system.clock")


def test_min_image_schema_leaves_out_the_keys_of_services_it_leaves_out(fw_min):
    # cfg_keys.def's ND_KEY_WITH keys: not in the image's schema where their service
    # (MQTT, telnet, nsh, InterCon, updates, Lua, mDNS, SNTP, the web door, hardware with a
    # pin map, sun times) is not built in
    # -- "Invalid key", as for any unknown key, and not in dump; micrOS's keys all stay
    with fw_min.connect() as s:
        s.cmd("conf")
        keys = [re.match(r"^  (\S+?) *:", ln).group(1) for ln in s.cmd("dump").splitlines()]
        for gone in ("mqtt", "mqtt_host", "telnet", "telnetport", "nshenv", "pfiles", "icpeers",
                     "intercontout", "updtrial_s", "luamem_kb", "mdns", "ntpserver", "webport",
                     "webevents_max", "hwbackend", "board", "irq_debounce", "lat", "lon"):
            assert gone not in keys
            assert s.cmd("%s 1" % gone) == "Invalid key\n"
        for kept in ("webui", "cron", "crontasks", "utc", "socport", "notify_rate_s", "hosts",
                     "nameserver", "irq4_trig", "irq_prell_ms", "guimeta", "cstmpmap"):
            assert kept in keys
        assert s.cmd("socport") == "9008\n"
        s.cmd("noconf")
    assert fw_min.cmd("hello").startswith("hello:")
