"""The firmware (src/port/mps2) booted in QEMU, tested through QEMU's user
network with the doors forwarded to loopback (README "Firmware").

The image is built with `make -C src/port/mps2` (NODUS_FW_ELF: use a built
one) and booted once per module; the shell tests of the Linux node that apply
to a board are imported from test_shell, test_limits and test_tasks and run
against it unchanged through the `node` fixture below. Skipped only when the
ARM toolchain or QEMU is missing (scripts/deps.sh --test installs both).
"""
import json
import os
import selectors
import shutil
import socket
import struct
import subprocess
import time
import urllib.request

import pytest

from conftest import ROOT, SANITIZED, Session, free_port

TOOLS = shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")
pytestmark = [
    pytest.mark.skipif(not TOOLS, reason="gcc-arm-none-eabi / qemu-system-arm not installed"),
    # the image has no sanitizer build: the plain `make blackbox` run covers it
    pytest.mark.skipif(SANITIZED, reason="the firmware is not built with sanitizers"),
]

FW_DIR = os.environ.get("NODUS_FW_DIR", os.path.join(ROOT, "build-fw"))
P = b"node01 $ "


def build_firmware(profile="full", modules=None):
    """Build one profile's image (src/port/mps2/Makefile: min, full, max), or
    MODULES= a board's own module list (then in its own build directory)."""
    elf = os.environ.get("NODUS_FW_ELF")
    if elf and profile == "full" and modules is None:
        return elf
    out = FW_DIR if modules is None else os.path.join(FW_DIR, "mods-" + "-".join(modules))
    cmd = ["make", "--no-print-directory", "-C", os.path.join(ROOT, "src/port/mps2"),
           "O=" + out, "PROFILE=" + profile, "-j2"]
    if modules is not None:
        os.makedirs(out, exist_ok=True)
        if not os.path.exists(os.path.join(out, "src")):  # the fetched sources, shared
            os.symlink(os.path.join(FW_DIR, "src"), os.path.join(out, "src"))
        cmd.append("MODULES=" + " ".join(modules))
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return os.path.join(out, profile, "nodus.elf")


class FwNode:
    """The firmware in QEMU, with the Node interface the shell tests use."""

    def __init__(self, elf, logdir, qemu_args=""):
        self.elf = elf
        self.port = free_port()
        self.web = free_port()
        self.echo = free_port()
        self.uart_path = os.path.join(str(logdir), "uart.log")
        env = dict(os.environ, FW_SHELL_PORT=str(self.port), FW_WEB_PORT=str(self.web),
                   FW_ECHO_PORT=str(self.echo), FW_QEMU_ARGS=qemu_args)
        self.uart = open(self.uart_path, "wb")
        self.proc = subprocess.Popen([os.path.join(ROOT, "src/port/mps2/qemu-run.sh"), elf],
                                     stdout=self.uart, stderr=subprocess.STDOUT, env=env)
        self.wait_ready()

    def uart_text(self):
        with open(self.uart_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def boots(self):
        return self.uart_text().count("firmware on mps2")

    def wait_ready(self, timeout=30):
        # QEMU accepts on the forwarded port at once; only a prompt says the node is up
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            assert self.proc.poll() is None, "QEMU exited:\n" + self.uart_text()
            try:
                with Session(self.port, 2) as s:
                    if s.greeting == P:
                        return
            except (OSError, AssertionError) as e:
                last = e
            time.sleep(0.1)
        raise RuntimeError("firmware did not answer: %r\n%s" % (last, self.uart_text()))

    def connect(self, timeout=5):
        return Session(self.port, timeout)

    def cmd(self, line, timeout=5):
        with self.connect(timeout) as s:
            return s.cmd(line)

    def alive(self):
        t = self.uart_text()
        return self.proc.poll() is None and "[FAULT]" not in t and "[PANIC]" not in t

    def fd_count(self):
        return 0  # no descriptors on a board; test_sockets_do_not_leak checks the table

    def rest(self, path, data=None, timeout=10):
        req = urllib.request.Request("http://127.0.0.1:%d%s" % (self.web, path), data=data)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.uart.close()


@pytest.fixture(scope="module")
def firmware(tmp_path_factory):
    fw = FwNode(build_firmware(), tmp_path_factory.mktemp("fw"))
    yield fw
    fw.stop()


@pytest.fixture
def node(firmware):
    """The imported Linux shell tests get the firmware as their node."""
    yield firmware
    assert firmware.alive(), firmware.uart_text()[-2000:]


# ---- the Linux node's shell tests, unchanged, against the firmware --------------------------
# (not imported: tests that need a fresh node -- the firmware is booted once per module and
# keeps the modules and tasks earlier tests loaded -- or the node's files on disk)
from test_shell import (  # noqa: E402,F401
    test_greeting_is_exactly_the_prompt, test_hello_exact_bytes, test_version_shape,
    test_command_terminators, test_leading_whitespace_stripped,
    test_several_commands_in_one_send_answered_in_order, test_pipelined_commands_then_exit,
    test_exit_and_empty_line_say_bye_and_close, test_exit_is_exact_word,
    test_single_word_gives_the_two_hint_lines, test_lm_error_exact,
    test_too_many_args_with_defaults_python_wording, test_unbalanced_quotes_and_brackets,
    test_wrong_argument_types, test_argument_type_error_text, test_setclock_out_of_range,
    test_session_survives_a_long_error_series, test_unclosed_paren_exact_micros_text,
)
from test_limits import (  # noqa: E402,F401
    test_line_over_limit_gets_one_error_and_session_continues, test_line_limit_boundary,
    test_long_line_followed_by_commands_in_same_send, test_many_long_lines_do_not_kill_the_session,
    test_invalid_input_gets_error_and_session_continues, test_random_binary_lines,
    test_valid_utf8_is_not_rejected, test_half_command_completed_later,
    test_disconnect_mid_reply, test_disconnect_after_partial_read,
    test_pipelined_replies_beyond_64k_all_arrive, test_slow_reader_gets_everything,
)
from test_tasks import (  # noqa: E402,F401
    test_one_shot_runs_at_once_and_then_a_loop_starts, test_delayed_one_shot_waits,
    test_task_list_text_format, test_unknown_module_task_errors_at_once,
    test_wildcard_show_and_invalid_task_commands,
)


# ---- the firmware's own ---------------------------------------------------------------------

def test_boot_banner_and_board(firmware):
    assert "nodus" in firmware.uart_text() and "firmware on mps2-an385" in firmware.uart_text()
    with firmware.connect() as s:
        info = s.cmd("system info")
        assert " board: mps2-an385" in info
        assert " mac: 52:54:00:12:34:56" in info


def test_conf_mode_and_module_calls_with_literals(firmware):
    with firmware.connect() as s:
        assert s.cmd("conf") == ""  # the prompt becomes "[configure] node01 $ "
        assert s.cmd("socport") == "9008\n"
        assert s.cmd("noconf") == ""
        # int, float and keyword literals reach the module as typed values
        assert s.cmd("sim dht t=21.5 h=40") == " temp: 21.5\n hum: 40.0\n bad: 0\n reads: 0\n"
        assert s.cmd("sim set 3 1") == " pin: 3\n level: 1\n"
        assert s.cmd("sim dht t='x'").startswith("Core error")


def test_json_postfix(firmware):
    with firmware.connect() as s:
        out = json.loads(s.cmd("sim dht t=20.25 >json"))
        assert out["temp"] == 20.25 and out["hum"] == 40.0


def test_rest_envelope(firmware):
    status, body = firmware.rest("/rest/system/info")
    assert status == 200
    doc = json.loads(body)
    assert doc["state"] is True and doc["result"]["board"] == "mps2-an385"
    status, body = firmware.rest("/rest")
    assert json.loads(body)["result"]["node"] == "node01"


def test_rest_with_curl(firmware):
    curl = shutil.which("curl")
    if not curl:
        pytest.skip("curl not installed")
    out = subprocess.run([curl, "-s", "-m", "10", "http://127.0.0.1:%d/rest/sim/set/5/1" % firmware.web],
                         capture_output=True, check=True).stdout
    assert json.loads(out) == {"result": {"pin": 5, "level": 1}, "state": True}
    out = subprocess.run([curl, "-s", "-m", "10", "http://127.0.0.1:%d/rest/nosuchmodule/x" % firmware.web],
                         capture_output=True, check=True).stdout
    assert json.loads(out)["state"] is False


@pytest.mark.parametrize("clients", [20, 40])
def test_many_connections_four_slots(firmware, clients):
    """A 4-slot build (nd_port_opts.h): 4 sessions get the prompt, 12 wait and then get
    exactly the busy message, the rest get it at once -- nobody hangs -- and the admitted
    sessions are served afterwards. The clients connect one after the other (each connect
    completes before the next starts) and are then all open at once: QEMU's port forwarding
    listens with a backlog of 1, so a burst of SYNs would wait in the host kernel's SYN
    retries (1 s, 3 s, 7 s ...) before the board ever sees them."""
    socks, data, done = [], {}, {}
    sel = selectors.DefaultSelector()
    t0 = time.time()
    try:
        for _ in range(clients):
            c = socket.create_connection(("127.0.0.1", firmware.port), 10)
            c.setblocking(False)
            socks.append(c)
            data[c] = b""
            sel.register(c, selectors.EVENT_READ)
        # past the socket table and lwIP's PCBs a SYN may be dropped (lwIP drops, it does
        # not refuse): the client's own SYN retry then gets in. Linux retries at 1, 3, 7,
        # 15 and 31 s: on a loaded machine the one at 31 s is needed now and then
        while time.time() - t0 < 45:
            for key, _ in sel.select(0.1):
                c = key.fileobj
                try:
                    chunk = c.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    chunk = b""
                if not chunk:
                    sel.unregister(c)
                    done[c] = True
                else:
                    data[c] += chunk
                    if data[c] == P:
                        sel.unregister(c)
            if all(c in done or data[c] == P for c in socks):
                break
        admitted = [c for c in socks if data[c] == P]
        refused = [c for c in socks if c in done and data[c] in (b"", b"Connection is busy. Bye!\n")]
        assert len(admitted) == 4, [data[c] for c in socks]
        assert len(admitted) + len(refused) == clients, [data[c] for c in socks]
        for c in admitted:
            c.setblocking(True)
            c.settimeout(5)
            c.sendall(b"hello\n")
            got = b""
            while not got.endswith(P):
                got += c.recv(4096)
            assert got.startswith(b"hello:node01:micr")
    finally:
        sel.close()
        for c in socks:
            c.close()
    time.sleep(0.5)
    with firmware.connect() as s:
        assert s.cmd("hello").startswith("hello:node01:")


def test_sockets_do_not_leak(firmware):
    """After storms of clients that vanish, 4 sessions can still be open at once: a leaked
    socket would have filled the firmware's table (24) long ago."""
    for _ in range(30):
        s = socket.create_connection(("127.0.0.1", firmware.port), 5)
        s.sendall(b"help lm\n" * 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    time.sleep(1)
    sessions = [firmware.connect() for _ in range(4)]
    try:
        for s in sessions:
            assert s.cmd("hello").startswith("hello:node01:")
    finally:
        for s in sessions:
            s.close()


def test_reboot_comes_back_with_its_config(firmware):
    boots = firmware.boots()
    with firmware.connect() as s:
        s.cmd("conf")
        assert s.cmd("devfid fwnode") == "Saved\n"
        s.cmd("noconf")
    with firmware.connect() as s:
        s.send(b"reboot\n")
        try:
            s.read_until_close(timeout=5)
        except OSError:
            pass
    deadline = time.time() + 30
    while firmware.boots() == boots and time.time() < deadline:
        time.sleep(0.1)
    assert firmware.boots() == boots + 1, firmware.uart_text()[-1500:]
    # back with the config it had: the prompt carries the new name
    deadline = time.time() + 30
    greeting = b""
    while time.time() < deadline:
        try:
            with Session(firmware.port, 2) as s:
                greeting = s.greeting
                if greeting == b"fwnode $ ":
                    break
        except (OSError, AssertionError):
            pass
        time.sleep(0.2)
    assert greeting == b"fwnode $ ", firmware.uart_text()[-1500:]
    # put the name back for the other tests of the module
    sock = socket.create_connection(("127.0.0.1", firmware.port), 5)
    sock.sendall(b"conf\ndevfid node01\nnoconf\nreboot\n")
    time.sleep(0.5)
    sock.close()
    deadline = time.time() + 30
    while firmware.boots() == boots + 1 and time.time() < deadline:
        time.sleep(0.1)
    firmware.wait_ready()


def test_cron_and_sun_on_the_board(firmware):
    """The scheduler runs on the board as on Linux: a cron entry fires at its second of the
    node's clock (moved with setclock), sun times come from the configured place."""
    with firmware.connect() as s:
        s.cmd("conf")
        old_utc = s.cmd("utc").strip()
        for kv in ("utc 0", "cron True", "crontasks *:9:0:0!system clock &",
                   "lat 47.4979", "lon 19.0402"):
            assert s.cmd(kv) == "Saved\n", kv
        s.cmd("noconf")
        try:
            s.cmd("system setclock 2026 6 21 8 59 58")
            deadline = time.time() + 8
            out = ""
            while time.time() < deadline and not out.startswith("2026.6.21  9:0:"):
                time.sleep(0.2)
                out = s.cmd("task show system.clock")
            assert out.startswith("2026.6.21  9:0:"), out
            assert "fired 1, last 2026.06.21 09:00:00" in s.cmd("system cron")
            # Budapest, summer solstice, in UTC: sunrise ~02:46, sunset ~18:45
            sun = s.cmd("system sun")
            assert sun.startswith(" sunrise: (2, 4") and "\n sunset: (18, 4" in sun, sun
        finally:
            s.cmd("conf")
            s.cmd("cron False")
            s.cmd("utc " + old_utc)
            s.cmd("noconf")


# The config "flash" (mps2.ld): copy A at 0x203F8000, copy B at 0x203FC000, 16 KB each, data
# after a 16-byte header. QEMU's generic loader writes these bytes at every reset -- as if
# the flash had rotted while the board was off.
CORRUPT_A = "-device loader,addr=0x203F8018,data=0x5a5a5a5a,data-len=4"
CORRUPT_B = "-device loader,addr=0x203FC018,data=0x5a5a5a5a,data-len=4"


def reboot_and_wait(fw):
    boots = fw.boots()
    with fw.connect() as s:
        s.send(b"reboot\n")
        try:
            s.read_until_close(timeout=5)
        except OSError:
            pass
    deadline = time.time() + 30
    while fw.boots() == boots and time.time() < deadline:
        time.sleep(0.1)
    assert fw.boots() == boots + 1, fw.uart_text()[-1500:]
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with Session(fw.port, 2) as s:
                if s.greeting.endswith(b" $ "):
                    return s.greeting
        except (OSError, AssertionError):
            pass
        time.sleep(0.2)
    raise AssertionError("no prompt after reboot:\n" + fw.uart_text()[-1500:])


def test_one_corrupt_flash_copy_loses_to_the_other(tmp_path):
    fw = FwNode(build_firmware(), tmp_path, CORRUPT_B)
    try:
        with fw.connect() as s:
            s.cmd("conf")
            assert s.cmd("devfid fwa") == "Saved\n"
            assert s.cmd("devfid fwb") == "Saved\n"  # the two copies: fwa and fwb
            s.cmd("noconf")
        greeting = reboot_and_wait(fw)
        # copy B was corrupted at the reset: whichever name it held, the other copy's is back
        assert greeting in (b"fwa $ ", b"fwb $ "), greeting
        assert "flash copies are corrupt" not in fw.uart_text()
        assert fw.alive()
    finally:
        fw.stop()


def test_both_flash_copies_corrupt_give_defaults_and_an_error(tmp_path):
    fw = FwNode(build_firmware(), tmp_path, CORRUPT_A + " " + CORRUPT_B)
    try:
        with fw.connect() as s:
            s.cmd("conf")
            assert s.cmd("devfid fwc") == "Saved\n"
            assert s.cmd("devfid fwd") == "Saved\n"
            s.cmd("noconf")
        assert reboot_and_wait(fw) == P  # defaults: node01
        assert "[ERR] config store: both flash copies are corrupt" in fw.uart_text()
        with fw.connect() as s:  # and the node works on, saving anew
            assert s.cmd("hello").startswith("hello:node01:")
            assert " NOK alarm: " in s.cmd("system alarms")  # the [ERR] line counts
        assert fw.alive()
    finally:
        fw.stop()
