"""A config change takes effect as README's config table says ("Reboot" column, generated from
the schema): the mDNS keys are applied by the responder at once, without a reboot.

Nodes run in network namespaces on a veth bridge (nsnet.Lab, as test_mdns.py), checked with
the tests' own mDNS client.
"""
import time

import pytest

from conftest import NODUS_BIN
from nsnet import Lab
from test_mdns import a_records, lab, wait_for  # noqa: F401 (lab is a fixture)

_reason = Lab.skip_reason()
pytestmark = pytest.mark.skipif(_reason is not None, reason=_reason or "")


def conf(lab, i, *lines):
    """Conf-mode lines on node i's shell, from namespace 2; the replies."""
    r = lab.run(2, [NODUS_BIN, "exec", lab.ip(i), "conf", *lines])
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def test_devfid_change_renames_the_mdns_host_at_once(lab, tmp_path):
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    assert wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    assert "Saved" in conf(lab, 0, "devfid porch")
    # the new name is probed and announced, the old one is gone (goodbye), no reboot
    got = wait_for(lambda: a_records(lab.mdnsq(2, "query", "porch.local", "A"), "porch.local"))
    assert got == [lab.ip(0)]
    assert wait_for(lambda: lab.mdnsq(2, "query", "hall.local", "A")["answers"] is None)
    txt = lab.mdnsq(2, "query", "porch._nodus._tcp.local", "TXT")["answers"][0]["data"]
    assert "devfid=porch" in txt
    assert lab.run(2, [NODUS_BIN, "exec", lab.ip(0), "hello"]).stdout.startswith("hello:porch:")
    assert n.poll() is None
    lab.stop_node(n)
    assert "[mdns] devfid changed: porch.local replaces hall.local" in lab.node_log(n)


def test_mdns_key_stops_and_starts_the_responder(lab, tmp_path):
    n = lab.start_node(0, tmp_path / "hall", NODUS_BIN, "hall")
    assert wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    assert "Saved" in conf(lab, 0, "mdns False")
    assert wait_for(lambda: lab.mdnsq(2, "query", "hall.local", "A")["answers"] is None)
    time.sleep(1)  # still silent a moment later: stopped, not between answers
    assert lab.mdnsq(2, "query", "hall.local", "A")["answers"] is None
    assert "Saved" in conf(lab, 0, "mdns True")
    got = wait_for(lambda: a_records(lab.mdnsq(2, "query", "hall.local", "A"), "hall.local"))
    assert got == [lab.ip(0)]
    assert n.poll() is None
