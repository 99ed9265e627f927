"""bme280 `measure ntfy=True` and buzzer `load check_notify=True` use the node's
notify service (include/nodus/notify.h) as micrOS's LM_bme280 / LM_buzzer use
Common.notify: a real local webhook receives the measurement text."""
import json

import pytest

from test_notify import Endpoint


@pytest.fixture
def endpoint():
    e = Endpoint()
    yield e
    e.close()


def test_bme280_measure_ntfy_sends_the_reading(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=0")
    plain = node.cmd("bme280 measure >json")
    assert endpoint.wait(1, timeout=1) == []                   # ntfy=False: nothing sent
    d = json.loads(node.cmd("bme280 measure ntfy=True >json"))  # the reply is the same dict
    assert list(d) == list(json.loads(plain))
    posts = endpoint.wait(1)
    assert len(posts) == 1
    text = json.loads(posts[0][3])["text"]
    assert text == "temp[C]: %r\nhum[%%]: %r\npressure[hPa]: %r" % (
        d["temp[C]"], d["hum[%]"], d["pressure[hPa]"])
    node.cmd("system notifications enable=False")             # off: measure still answers
    assert json.loads(node.cmd("bme280 measure ntfy=True >json")).keys() == d.keys()


def test_buzzer_check_notify_follows_the_switch(make_node):
    node = make_node()
    assert node.cmd("buzzer load check_notify=True") == "CACHE: True, check notify: True\n"
    assert node.cmd("buzzer bipp") == "Bip on 600 Hz\n"
    node.cmd("system notifications enable=False")
    assert node.cmd("buzzer bipp") == "NoBipp - notify off\n"
    node.cmd("system notifications enable=True")
    assert node.cmd("buzzer bipp") == "Bip on 600 Hz\n"


def test_presence_enable_notify_sends_motion_detected(make_node, endpoint):
    node = make_node("notify_webhook=" + endpoint.url(), "notify_rate_s=0")
    node.cmd("presence load timer=1")
    node.cmd("presence motion_trig")
    assert endpoint.wait(1, timeout=1) == []                          # enable_notify=False: silent
    assert node.cmd("presence load timer=1 enable_notify=True") == \
        "Init presence module: th: 3 timer: 1 mic: 0 notify: True\n"
    node.cmd("presence motion_trig")
    posts = endpoint.wait(1)
    assert [json.loads(p[3])["text"] for p in posts] == ["Motion detected"]
