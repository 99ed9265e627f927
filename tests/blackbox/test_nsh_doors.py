"""Where nsh runs, besides telnet (README "Where nsh runs"): `sh` in the micrOS
shell, `nodus sh`, the console of `nodus run`, boot and end scripts, and
recovery mode with its three triggers. Real node processes on loopback.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request

import pexpect

from conftest import NODUS_BIN, free_port
from tnclient import PASSWORD

P = b"node01 $ "


def tnode(make_node, *sets, auth=True, start=True):
    port = free_port()
    n = make_node("telnet=True", "telnetport=%d" % port, "auth=%s" % auth, *sets, start=start)
    n.tport = port
    return n


def logs(n):
    text = ""
    for name in sorted(os.listdir(n.path("logs"))):
        with open(n.path("logs", name), errors="replace") as f:
            text += f.read()
    return text


def write(n, rel, text):
    os.makedirs(os.path.dirname(n.path(rel)), exist_ok=True)
    with open(n.path(rel), "w") as f:
        f.write(text)


def read(n, rel):
    try:
        with open(n.path(rel)) as f:
            return f.read()
    except FileNotFoundError:
        return None


def wait_for(pred, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return pred()


# ---- `sh` in the micrOS shell ------------------------------------------------------------
def test_sh_in_the_micros_shell_and_back(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        assert s.cmd_raw(PASSWORD).startswith(b"AuthOk\n")
        out = s.cmd_raw("sh\n")
        assert out.endswith(b" $ ") and P not in out  # nsh's prompt
        s.send("cd /etc\n")
        assert s.read_until_prompt().endswith(b"/etc $ ")
        s.send("echo in nsh\n")
        assert s.read_until_prompt() == b"in nsh\n/etc $ "
        s.send("exit\n")
        assert s.read_until_prompt() == P  # micrOS's prompt again
        assert s.cmd_raw("system heartbeat") == b"<3 heartbeat <3\n" + P


def test_sh_before_authentication_is_the_password_attempt(make_node):
    n = make_node("auth=True")
    with n.connect() as s:
        assert s.cmd_raw("sh\n").startswith(b"AuthFailed\n")


def test_sh_with_auth_off(make_node):
    n = make_node()
    with n.connect() as s:
        assert s.cmd_raw("sh\n").endswith(b"/ $ ")
        s.send("sleep 100\n")
        time.sleep(0.3)
        s.send(b"\x03")  # Ctrl-C: the command, not the session
        assert s.read_until_prompt().endswith(b"/ $ ")
        s.send("exit\n")
        assert s.read_until_prompt() == P


# ---- nodus sh -------------------------------------------------------------------------------
def nodus_sh(n, *args, stdin=None, pwd=PASSWORD):
    cmd = [NODUS_BIN, "sh", "127.0.0.1:%d" % n.tport, "--timeout", "10"]
    if pwd:
        cmd += ["--pwd", pwd]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True, timeout=30)


def test_nodus_sh_commands_and_status(make_node):
    n = tnode(make_node)
    r = nodus_sh(n, "-c", "echo hi there", "-c", "cd /etc", "-c", "pwd")
    assert r.returncode == 0 and r.stdout == b"hi there\n/etc\n", r
    r = nodus_sh(n, "-c", "test -f /no/such")
    assert r.returncode == 1 and r.stdout == b""
    r = nodus_sh(n, stdin=b"echo from stdin\nsystem heartbeat\n")
    assert r.returncode == 0 and r.stdout == b"from stdin\n<3 heartbeat <3\n", r
    r = nodus_sh(n, "-c", "echo x", pwd="wrong")
    assert r.returncode == 77 and b"login refused" in r.stderr


def test_nodus_sh_interactive(make_node):
    n = tnode(make_node)
    p = pexpect.spawn(NODUS_BIN, ["sh", "127.0.0.1:%d" % n.tport, "--pwd", PASSWORD], timeout=5)
    try:
        p.expect(r"/ \$ ")
        p.sendline("echo interactive")
        p.expect("interactive")
        p.sendline("sleep 100")
        time.sleep(0.5)
        p.sendcontrol("c")  # sent as IAC IP: the remote command stops
        p.expect(r"/ \$ ")
        p.sendline("exit")
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)


# ---- the console ------------------------------------------------------------------------------
def test_console_ctrl_c_interrupts_the_command_not_the_node(tmp_path):
    port, wport = free_port(), free_port()
    p = pexpect.spawn(NODUS_BIN, ["run", "--state", str(tmp_path / "st"), "--quiet", "--set",
                                  "bind=127.0.0.1", "--set", "socport=%d" % port, "--set",
                                  "webui=True", "--set", "webport=%d" % wport], timeout=5)
    try:
        p.expect(r"/ \$ ")
        p.sendline("echo hello console")
        p.expect("hello console")
        p.sendline("sleep 100")
        time.sleep(0.3)
        # the node keeps answering on its other doors meanwhile
        import socket
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.recv(100)
        s.sendall(b"system heartbeat")
        assert s.recv(100).startswith(b"<3 heartbeat <3")
        s.close()
        with urllib.request.urlopen("http://127.0.0.1:%d/rest/system/heartbeat" % wport, timeout=5) as r:
            assert json.loads(r.read())["result"] == "<3 heartbeat <3"
        p.sendcontrol("c")
        p.expect(r"/ \$ ")
        p.sendline("echo still-running")
        p.expect("still-running")
        assert p.isalive()
        # Ctrl-C twice at an idle prompt: a hint, the node runs on
        p.sendcontrol("c")
        time.sleep(0.2)
        p.sendcontrol("c")
        p.expect("to stop the node")
        assert p.isalive()
        # SIGTERM still stops it
        p.kill(signal.SIGTERM)
        p.expect(pexpect.EOF)
        p.wait()
        assert p.exitstatus == 0
    finally:
        p.close(force=True)


def test_console_off_without_a_terminal_and_with_no_console(make_node):
    n = make_node()  # stdin is not a terminal here: no console, SIGINT stops the node
    with n.connect():  # the loop runs (its signal handlers are in place)
        pass
    n.proc.send_signal(signal.SIGINT)
    assert n.proc.wait(5) == 0
    p = pexpect.spawn(NODUS_BIN, ["run", "--state", n.state, "--quiet", "--no-console", "--set",
                                  "bind=127.0.0.1", "--set", "socport=%d" % free_port()], timeout=5)
    try:
        p.expect("connect with")
        time.sleep(0.3)
        p.sendcontrol("c")  # no console: Ctrl-C stops the node, as before
        p.expect(pexpect.EOF)
    finally:
        p.close(force=True)


# ---- boot and end scripts -----------------------------------------------------------------------
def scripted(make_node, *sets):
    n = make_node(*sets, start=False)
    write(n, "etc/init.sh", "echo etc >> /tmp/order\n")
    write(n, "local/init.sh", "echo local >> /tmp/order\n")
    write(n, "etc/end.sh", "echo end >> /data/ends\n")
    return n


def test_boot_scripts_order_and_end_script(make_node):
    n = scripted(make_node, "boothook=system heartbeat")
    n.start()
    assert wait_for(lambda: read(n, "tmp/order") == "etc\nlocal\n"), read(n, "tmp/order")
    text = logs(n)
    assert text.index("boothook: system heartbeat") < text.index("init: /etc/init.sh started")
    assert text.index("/etc/init.sh exited 0") < text.index("init: /local/init.sh started")
    assert read(n, "data/ends") is None
    assert n.stop() == 0
    assert read(n, "data/ends") == "end\n"  # on a clean stop
    n.start()
    with n.connect() as s:
        s.send("reboot")
        s.read_all()
    n.wait_ready()
    assert wait_for(lambda: read(n, "data/ends") == "end\nend\n")  # and on a reboot
    assert wait_for(lambda: read(n, "tmp/order") == "etc\nlocal\n" * 3)


def test_end_script_wait_is_bounded(make_node):
    n = make_node(start=False)
    write(n, "etc/end.sh", "echo start >> /data/end\nsleep 100\necho never >> /data/end\n")
    n.start()
    with n.connect():  # the loop runs (and handles SIGTERM) once a session is greeted
        pass
    t0 = time.time()
    assert n.stop(timeout=15) == 0
    assert 4 < time.time() - t0 < 12
    assert read(n, "data/end") == "start\n"
    assert "still running after 5000 ms" in logs(n)


def system_info(n):
    with n.connect() as s:
        return s.cmd("system info")


def recovered(n):
    time.sleep(0.5)  # init scripts would have run by now
    return read(n, "tmp/order") is None and "boothook:" not in logs(n)


def test_recovery_by_flag(make_node):
    n = scripted(make_node, "boothook=system heartbeat")
    args = [NODUS_BIN, "run", "--recovery", "--state", n.state, "--set", "bind=127.0.0.1",
            "--set", "socport=%d" % n.port, "--set", "boothook=system heartbeat"]
    n.log = open(n.path("stderr.log"), "ab")
    n.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=n.log)
    n.wait_ready()
    assert recovered(n)
    assert "recovery: nodus run --recovery" in system_info(n)
    assert "RECOVERY MODE (nodus run --recovery)" in logs(n)


def test_recovery_by_marker_file(make_node):
    n = scripted(make_node, "boothook=system heartbeat")
    write(n, "recovery", "")
    n.start()
    assert recovered(n)
    assert "recovery: marker file recovery" in system_info(n)
    with n.connect() as s:  # and lshw says so
        s.cmd_raw("sh\n")
        s.send("lshw\n")
        assert b"Recovery: yes" in s.read_until_prompt()
    # gone: a normal boot again
    n.stop()
    os.remove(n.path("recovery"))
    n.start()
    assert wait_for(lambda: read(n, "tmp/order") == "etc\nlocal\n")
    assert "recovery" not in system_info(n)


def test_recovery_after_three_short_boots(make_node):
    n = scripted(make_node)
    for i in range(3):  # three boots that crash before 60 s
        n.start()
        assert wait_for(lambda: read(n, "tmp/order") == "etc\nlocal\n" * (i + 1))
        n.proc.kill()
        n.proc.wait()
        n.log.close()
    n.start()
    time.sleep(0.5)
    assert read(n, "tmp/order") == "etc\nlocal\n" * 3  # the fourth boot ran no script
    assert "recovery: 3 boots in a row ended before 60 s of uptime" in system_info(n)
    # an operator's stop is not a bad boot: the next start is normal
    assert n.stop() == 0
    n.start()
    assert wait_for(lambda: read(n, "tmp/order") == "etc\nlocal\n" * 4)
    assert "recovery" not in system_info(n)
