"""InterCon to a NAME whose only address is IPv6 (issue 11 item 7).

The name comes from the caller's `hosts` key (`six=::1`), so no /etc/hosts
edit is needed: the resolver's callers that can dial IPv6 (InterCon, the HTTP
client, MQTT) get the IPv6 address when the name has no IPv4 one; IPv4 wins
when it has both; IPv4-only callers (SNTP here) get a clear error, never a cut
address. The target listens on ::1 only, at the caller's socport (micrOS);
the MQTT broker is a real mosquitto on ::1.
"""
import os
import socket
import subprocess
import time

import pytest

from conftest import free_port
from mqttbroker import MOSQUITTO, available
from test_conformance import _shell_hello
from test_intercon import log_text
from test_tasks import wait_for


def _v6_target(make_node, devfid):
    port = free_port()
    t = make_node("bind=::1", "mdns=False", "ntpserver=n/a", "devfid=" + devfid, port=port,
                  start=False)
    t.ip = "::1"
    t.start(wait=False)
    deadline = time.time() + 10
    while True:
        try:
            _shell_hello(socket.AF_INET6, "::1", port)
            return t
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def _call(s, spec, tag):
    """Start `system heartbeat >>spec` and return the finished task's output."""
    assert s.cmd("system heartbeat >>" + spec) == "{'%s': 'Starting'}\n" % tag
    out = ""

    def done():
        nonlocal out
        out = s.cmd("task show " + tag)
        return "heartbeat" in out or "intercon" in out

    assert wait_for(done, 15), out
    return out


def test_intercon_by_a_name_with_only_an_ipv6_address(make_node):
    t = _v6_target(make_node, "six")
    caller = make_node("mdns=False", "ntpserver=n/a", "intercontout=3000", "hosts=six=::1",
                       port=t.port)
    with caller.connect() as s:
        out = _call(s, "six", "con.six.system")
        assert out.strip() == "<3 heartbeat <3", out
        # the working name is learned with its IPv6 address, uncut
        assert s.cmd("system hosts") == " urequests: {}\n intercon: {'six': '::1'}\n"
        # a second call (host cache first) reaches it again
        assert _call(s, "six", "con.six.system").strip() == "<3 heartbeat <3"
    assert "NoHost" not in log_text(caller)


def test_a_name_with_both_families_is_dialled_over_ipv4(make_node):
    """IPv4 wins (micrOS nodes are IPv4). The target "duo" listens on ::1 only;
    127.0.0.1 at that port is the caller's own dual-stack door (node01), so the
    call that prefers IPv4 meets node01's prompt instead of duo's."""
    t = _v6_target(make_node, "duo")
    caller = make_node("mdns=False", "ntpserver=n/a", "intercontout=3000",
                       "hosts=duo=::1;duo=127.0.0.1", port=t.port)
    with caller.connect() as s:
        out = _call(s, "duo", "con.duo.system")
        assert "[intercon] prompt mismatch, hostname: duo prompt: node01" in out, out


def test_ipv4_only_caller_gets_a_clear_error(make_node):
    """SNTP speaks IPv4 (16-byte addresses): `ntpserver` naming an IPv6-only
    host fails with a reason in the log, and the node goes on."""
    n = make_node("utc=0", "mdns=False", "hosts=six=::1", "ntpserver=six")
    with n.connect() as s:
        s.cmd("system setclock 2001 1 1")
        assert s.cmd("system ntp").startswith("(False, (2001, ")
        assert wait_for(lambda: "ntp: no address for six:123" in log_text(n), 10), log_text(n)
        assert s.cmd("system heartbeat") == "<3 heartbeat <3\n"
    log = log_text(n)
    assert "resolve: six has only an IPv6 address (::1 in hosts); this client needs IPv4" in log
    assert n.alive()


def test_mqtt_broker_by_a_name_with_only_an_ipv6_address(make_node, tmp_path):
    """MQTT dials through nd_net_connect too, so it takes the IPv6 answer: a
    real mosquitto listening on ::1 only, named `six` in `hosts`."""
    if not available():
        pytest.skip("mosquitto not installed")
    port = free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text("listener %d ::1\nallow_anonymous true\npersistence false\n" % port
                    + ("user root\n" if os.geteuid() == 0 else ""))
    broker = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        n = make_node("mqtt=True", "mqtt_host=six", "mqtt_port=%d" % port, "hosts=six=::1",
                      "devfid=mq6", "webui=False", "mdns=False", "ntpserver=n/a")
        assert wait_for(lambda: "mqtt: connected to six:%d (::1)" % port in log_text(n), 15), \
            log_text(n)
    finally:
        broker.kill()
        broker.wait()
