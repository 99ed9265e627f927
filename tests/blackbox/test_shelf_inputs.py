"""The device shelf's inputs against a real node on the sim board:
rencoder (quadrature edges through the hal's edge ring), ld2410 (the radar's
UART report frames) and presence (PIR on irq1, the radar as a trigger, the
off timer). Replies are micrOS's, byte for byte (docs/modules.md).
"""
import json

from test_devices import expect, expect_help, once, state, wait_for


def test_rencoder_counts_detents_and_wraps(node):
    once(node, "rencoder load min_val=0 max_val=5", "Init RotaryEncoder with IRQs.")
    expect(node, "rencoder read_state", "RotaryState: 0")
    node.cmd("sim rotate 3")
    assert wait_for(lambda: node.cmd("rencoder read_state") == "RotaryState: 3\n")
    node.cmd("sim rotate 4")   # 3 + 4 past max 5 wraps to min: 4, 5, 0, 1
    assert wait_for(lambda: node.cmd("rencoder read_state") == "RotaryState: 1\n")
    node.cmd("sim rotate -2")  # 1, 0, 5
    assert wait_for(lambda: node.cmd("rencoder read_state") == "RotaryState: 5\n")
    once(node, "rencoder reset_state", "Reset state 5 -> 0")
    expect(node, "rencoder read_state", "RotaryState: 0")
    # a bouncing contact (edges of one pin only) is no detent
    node.cmd("sim burst 34 n=10 us=100")
    assert wait_for(lambda: json.loads(node.cmd("sim state >json"))["edges"]["depth_max"] > 0)
    expect(node, "rencoder read_state", "RotaryState: 0")
    expect(node, "rencoder pinmap", {"rot_clk": 35, "rot_dt": 34})
    expect_help(node, "rencoder", ["load min_val=0 max_val=20", "read_state", "reset_state",
                                   "color_indicator", "pinmap"])


def test_rencoder_color_indicator(node):
    node.cmd("rencoder load")
    tpl = ((20, 0, 0), (10, 10, 0), (0, 20, 0), (0, 10, 10), (0, 0, 20))
    once(node, "rencoder color_indicator", tpl * (20 // 5 + 1))   # micrOS's palette
    node.cmd("sim rotate 2")
    def rgb():
        st = json.loads(node.cmd("neopixel status >json"))
        return (st["R"], st["G"], st["B"])
    assert wait_for(lambda: rgb() == (0, 20, 0), 3)   # value 2: the palette's third colour


def test_ld2410_reads_report_frames(node):
    want = {"state": 0, "moving_distance": 0, "moving_energy": 0, "stationary_distance": 0,
            "stationary_energy": 0, "detection_distance": 0}
    expect(node, "ld2410 read", {"state": "n/a", "measure": want})
    node.cmd("sim radar state=1 move=120 menergy=60 still=0 senergy=0 detect=130")
    want = {"state": 1, "moving_distance": 120, "moving_energy": 60, "stationary_distance": 0,
            "stationary_energy": 0, "detection_distance": 130}
    assert wait_for(lambda: json.loads(node.cmd("ld2410 read >json")) == {"state": "moving", "measure": want})
    node.cmd("sim radar state=3 move=80 menergy=20 still=75 senergy=100 detect=90")
    assert wait_for(lambda: json.loads(node.cmd("ld2410 read >json"))["state"] == "combined")
    node.cmd("sim radar state=2 move=0 menergy=0 still=75 senergy=100 detect=90")
    assert wait_for(lambda: json.loads(node.cmd("ld2410 read >json"))["measure"]["state"] == 2)
    assert json.loads(node.cmd("ld2410 read >json"))["state"] == "n/a"   # micrOS: stationary is n/a
    # the radar acknowledges the firmware-version command
    assert node.cmd("ld2410 firmware_version") == (
        "hex: fd fc fb fa 0c 00 a0 01 00 00 00 01 02 01 16 24 06 22 04 03 02 01\n")
    out = node.cmd("ld2410 serial_flush")
    assert out.startswith("b'") and out.endswith("'\n")
    expect(node, "ld2410 pinmap", {"tx": 1, "rx": 38})
    expect_help(node, "ld2410", ["read", "firmware_version", "serial_flush", "pinmap"])


def test_ld2410_pins_are_booked(node):
    # the sim's tx shares GPIO 1 with switch_3, as an ESP32's U0TXD would
    node.cmd("ld2410 read")
    assert "[io] Pin switch_3 is busy: tx:1" in node.cmd("switch set_state3 1")


def active(node, tag):
    return tag in json.loads(node.cmd("task list >json"))["active"]


def test_presence_pir_on_irq1(make_node):
    n = make_node("irq1=True", "irq1_cbf=presence motion_trig")
    once(n, "presence load timer=1", "Init presence module: th: 3 timer: 1 mic: 0 notify: False")
    once(n, "presence load threshold=0 timer=1", "Init presence module: th: 1 timer: 1 mic: 0 notify: False")
    n.cmd("sim set 4 1")   # the PIR's output goes high
    assert wait_for(lambda: active(n, "presence._capture"), 3)
    assert wait_for(lambda: not active(n, "presence._capture"), 5)   # 1 s later: the off event
    assert "off event" in n.cmd("task show presence._capture")
    once(n, "presence motion_trig", "Starting")
    once(n, "presence motion_trig", "Already running")
    expect(n, "presence get_samples", [])
    assert wait_for(lambda: not active(n, "presence._capture"), 5)
    # the callbacks are InterCon pipelines: ON at the trigger, OFF when the timer ran out
    once(n, "presence subscribe_intercon on='127.0.0.1 system heartbeat' off='127.0.0.1 rgb status'",
         {"on": "127.0.0.1 system heartbeat", "off": "127.0.0.1 rgb status"})
    n.cmd("presence load timer=2")
    once(n, "presence motion_trig", "Starting")
    assert "con.0.1.system" in n.cmd("task list") and "con.0.1.rgb" not in n.cmd("task list")
    assert wait_for(lambda: not active(n, "presence._capture"), 5)
    assert "con.0.1.rgb" in n.cmd("task list")
    assert "mic=2: I2S microphones are not in nodus" in n.cmd("presence load mic=2")
    assert "mic=7: 0 (none) or 1 (ADC)" in n.cmd("presence load mic=7")
    expect(n, "presence pinmap", {"mic": 39, "irq1": 4})


def test_presence_mic_noise_restarts_the_timer(node):
    # micrOS's mic=1: each capture step averages 15 SmartADC readings of `mic`;
    # a level further than threshold % from the buffer's mean is a trigger
    once(node, "presence load timer=3 mic=1", "Init presence module: th: 3 timer: 3 mic: 1 notify: False")
    assert "buff_size=500 out of range 1..100" in node.cmd("presence motion_trig buff_size=500")
    once(node, "presence motion_trig sample_ms=100 buff_size=5", "Starting")
    samples = lambda: json.loads(node.cmd("presence get_samples >json"))
    assert wait_for(lambda: len(samples()) >= 3, 5)
    quiet = samples()
    assert all(s[1] == 50.0 and s[2] == 0 for s in quiet), quiet     # mid scale: 2048 of 4095
    assert node.cmd("task show presence._capture").startswith("th: 3 last: [")
    node.cmd("sim mic 4095")                                          # a loud noise
    assert wait_for(lambda: any(s[1] == 100.0 and s[2] == 1 for s in samples()), 5)
    assert len(samples()) <= 5                                        # the ring keeps buff_size
    # the noise restarted the 3 s timer; once the level is steady, the off event comes
    assert wait_for(lambda: not active(node, "presence._capture"), 10)
    assert "mic level must be 0..4095" in node.cmd("sim mic 99999")


def test_presence_radar_trigger(node):
    node.cmd("presence load timer=1 radar=True")
    assert active(node, "presence._radar")
    assert not active(node, "presence._capture")
    node.cmd("sim radar state=1 move=100 menergy=50 still=0 senergy=0 detect=100")
    assert wait_for(lambda: active(node, "presence._capture"), 3)
    node.cmd("sim radar state=0 move=0 menergy=0 still=0 senergy=0 detect=0")
    assert wait_for(lambda: not active(node, "presence._capture"), 5)
