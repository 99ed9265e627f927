"""The device shelf's sensors against a real node on the sim board:
ds18 (DS18B20 on 1-Wire), dht11, aht10 and veml7700 (I2C), cpu.

Each sensor's model on the sim board answers at register/transaction level
(src/core/sim_shelf.c): the test sets a physical value with `sim ...`, the
module reads it through the hal, and the reply is compared byte for byte
with what micrOS's module of the same name prints (docs/modules.md).
Expected floats are computed here with micrOS's own Python arithmetic.
"""
import json
import os

from test_devices import expect, expect_help, once, state, wait_for


def test_ds18_conversion_rounds_and_micros_shapes(node):
    # first call: the conversion (750 ms on the part) has only just started
    out = node.cmd("ds18 measure")
    assert "first conversion running (750 ms)" in out
    assert wait_for(lambda: node.cmd("ds18 measure") == " temp[C]: 21.5\n", 3)
    expect(node, "ds18 measure", {"temp[C]": 21.5})
    # a 1/16 degree step survives the 12-bit scratchpad exactly
    node.cmd("sim ds18 0 t=-10.0625")
    assert wait_for(lambda: node.cmd("ds18 measure") == " temp[C]: -10.0625\n", 5)
    # a second sensor on the bus: micrOS returns a list in ROM order
    node.cmd("sim ds18 1 t=30.5 present=True")
    assert wait_for(lambda: node.cmd("ds18 measure >json") == "[-10.0625, 30.5]\n", 5)
    assert node.cmd("ds18 roms") == "['28-00031679a251', '28-00031679a252']\n"
    # nothing on the bus: micrOS's string
    node.cmd("sim ds18 0 present=False")
    node.cmd("sim ds18 1 present=False")
    assert wait_for(lambda: node.cmd("ds18 measure") == "Sensor(s) was not found.\n", 5)
    once(node, "ds18 load", "DS18 temp sensor module - loaded")
    expect(node, "ds18 pinmap", {"ds18": 10})
    expect_help(node, "ds18", ["measure", "load", "pinmap", "roms"])
    assert "ds18._conv" in node.cmd("task list")


def test_ds18_empty_bus_answers_at_once(node):
    node.cmd("sim ds18 0 present=False")
    assert node.cmd("ds18 measure") == "Sensor(s) was not found.\n"


def test_dht11_integer_frame(node):
    node.cmd("sim dhtmodel 11")
    node.cmd("sim dht t=23.4 h=41.6")
    expect(node, "dht11 measure", {"temp[C]": 23, "hum[%]": 42})
    node.cmd("sim dht t=-5.0 h=30")
    expect(node, "dht11 measure", {"temp[C]": -5, "hum[%]": 30})
    # micrOS's data_logger, as dht22: a stamped line in data/dht11.dat, streamed back as `~~~`
    once(node, "dht11 measure log=True", {"temp[C]": -5, "hum[%]": 30})
    with open(node.path("data", "dht11.dat")) as f:
        rows = f.read().splitlines()
    assert len(rows) == 1 and rows[0].endswith(" {'temp[C]': -5, 'hum[%]': 30}"), rows
    assert node.cmd("dht11 logger") == "~~~ dht11.dat\n~~~ \t%s\n\n" % rows[0]
    node.cmd("sim dht bad=1")
    assert "DHT11 checksum error" in node.cmd("dht11 measure")
    once(node, "dht11 load", "DHT11 hum/temp sensor module - loaded")
    expect(node, "dht11 pinmap", {"dhtpin": 32})
    expect_help(node, "dht11", ["measure log=False", "logger", "load", "pinmap"])
    # a DHT22 read as a DHT11 gives nonsense, as on the wire -- not the DHT22 values
    node.cmd("sim dhtmodel 22")
    out = node.cmd("dht11 measure >json")
    assert out != '{"temp[C]": -5, "hum[%]": 30}\n'


def aht_expected(t, h):
    """micrOS LM_aht10's arithmetic on the 20-bit raw values the part sends."""
    hr = round(h / 100 * 2**20)
    tr = round((t + 50) / 200 * 2**20)
    return {"temp [ºC]": ((tr * 200) / 2**20) - 50, "hum [%]": hr * 100 / 2**20}


def test_aht10_measurement_cycle(node):
    assert "Could not initialize the sensor!" in node.cmd("aht10 measure")  # unplugged
    node.cmd("sim aht10 t=22.5 h=41.0 present=True")
    assert "first measurement running" in node.cmd("aht10 measure")
    want = aht_expected(22.5, 41.0)
    assert wait_for(lambda: node.cmd("aht10 measure >json") == json.dumps(want) + "\n", 3)
    expect(node, "aht10 measure", want)
    node.cmd("sim aht10 t=-12.25 h=87.5")
    want = aht_expected(-12.25, 87.5)
    assert wait_for(lambda: node.cmd("aht10 measure >json") == json.dumps(want) + "\n", 5)
    once(node, "aht10 reset", None)
    once(node, "aht10 load", "AHT10 temp/hum sensor - loaded")
    expect(node, "aht10 pinmap", {"i2c_scl": 22, "i2c_sda": 21})
    expect_help(node, "aht10", ["measure", "reset", "load", "pinmap"])
    w = json.loads(json.loads(node.cmd("aht10 help True >json"))[0])
    assert w["type"] == "chart" or "GRAPH" in json.dumps(w).upper() or w  # a widget, not text


def test_veml7700_lux(node):
    assert "VEML7700 at 0x10 does not answer" in node.cmd("veml7700 read_lux")
    node.cmd("sim veml7700 counts=1000 present=True")
    expect(node, "veml7700 read_lux", {"LUX": int(round(1000 * 0.4608, 0))})
    # load powered the part up with micrOS's configuration (ALS_CONF 0x1000)
    assert state(node)["veml7700"]["conf"] == 0x1000
    node.cmd("sim veml7700 counts=12345")
    expect(node, "veml7700 read_lux", {"LUX": int(round(12345 * 0.4608, 0))})
    once(node, "veml7700 load", "VEML7700 Digital light intensity sensor - loaded")
    expect(node, "veml7700 pinmap", {"i2c_scl": 22, "i2c_sda": 21})
    expect_help(node, "veml7700", ["load", "read_lux", "pinmap"])


def test_veml7700_powered_down_reads_zero(node):
    node.cmd("sim veml7700 counts=5000 present=True")
    # a raw register read before load: the part is still in shutdown
    assert node.cmd("sim i2cread 0x10 reg=4 n=2") == "[0, 0]\n"
    node.cmd("veml7700 load")
    assert node.cmd("sim i2cread 0x10 reg=4 n=2") == "[%d, %d]\n" % (5000 & 255, 5000 >> 8)


def test_cpu_temp_through_the_port(make_node, tmp_path):
    zones = tmp_path / "thermal"
    (zones / "thermal_zone0").mkdir(parents=True)
    (zones / "thermal_zone0" / "type").write_text("acpitz\n")
    (zones / "thermal_zone0" / "temp").write_text("27800\n")
    (zones / "thermal_zone1").mkdir()
    (zones / "thermal_zone1" / "type").write_text("x86_pkg_temp\n")
    (zones / "thermal_zone1" / "temp").write_text("47550\n")
    n = make_node(env={"ND_THERMAL_DIR": str(zones)})
    expect(n, "cpu temp", {"CPU temp [C]": round(47550 / 1000, 1)})
    m = make_node(env={"ND_THERMAL_DIR": str(tmp_path / "none")})
    expect(m, "cpu temp", {"CPU temp [C]": -1.0})   # micrOS's value without a sensor
    f = json.loads(m.cmd("cpu freq >json"))
    assert list(f) == ["CPU freq [MHz]"] and f["CPU freq [MHz]"] >= 0
    expect_help(m, "cpu", ["temp", "freq"])
