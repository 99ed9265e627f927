"""The SSD1306 OLED (oled, oled_ui) against a real node on the sim board.

The panel's model (src/core/sim_shelf.c) decodes the I2C command stream
(addressing modes, column/page windows, on/off, contrast, inverse) and
keeps its GDDRAM; `sim state` shows it as hex (what /sim draws), so the test
reads the pixels the panel received -- not the module's buffer.
"""
import json

from test_devices import expect_help, once, state, wait_for


def fb(node):
    """The panel's pixels as a set of (x, y)."""
    o = state(node)["oled"]
    raw = bytes.fromhex(o["fb"])
    return {(x, page * 8 + bit) for page in range(8) for x in range(128)
            for bit in range(8) if raw[page * 128 + x] >> bit & 1}


def test_oled_draws_on_the_panel(node):
    assert "did not answer" in node.cmd("oled load")   # unplugged
    node.cmd("sim oled present=True")
    once(node, "oled load", "OLED 128x64 - loaded")
    o = state(node)["oled"]
    assert o["on"] and not o["inverse"] and o["contrast"] == int(255 * 50 / 100)
    assert fb(node) == set()
    once(node, "oled pixel 3 5", True)
    once(node, "oled line 0 63 127 63", True)
    assert fb(node) == set()                   # drawing is in RAM until show, as micrOS
    once(node, "oled show", None)
    assert fb(node) == {(3, 5)} | {(x, 63) for x in range(128)}
    node.cmd("oled clean")
    once(node, "oled rect 10 10 4 3", True)
    node.cmd("oled show")
    assert fb(node) == {(10, 10), (11, 10), (12, 10), (13, 10), (10, 11), (13, 11),
                        (10, 12), (11, 12), (12, 12), (13, 12)}
    node.cmd("oled clean")
    node.cmd("oled text 'I' 0 16")
    node.cmd("oled show")
    # nodus's 'I': a 3-pixel bar top and bottom, the stem in column 2
    px = fb(node)
    assert {(1, 16), (2, 16), (3, 16), (2, 19), (1, 22), (2, 22), (3, 22)} <= px
    assert all(16 <= y < 23 and x < 8 for x, y in px)
    node.cmd("oled clean 1")
    node.cmd("oled show")
    assert len(fb(node)) == 128 * 64
    once(node, "oled invert", True)
    assert state(node)["oled"]["inverse"]
    once(node, "oled poweroff", True)
    assert not state(node)["oled"]["on"]
    once(node, "oled poweron", True)
    node.cmd("oled clean")
    once(node, "oled bitmap", True)
    node.cmd("oled show")
    assert len(fb(node)) == sum(r.count("1") for r in (
        "00001100110000", "00001100110000", "11111111111111", "11111111111111", "11110000001111",
        "11110000001111", "00110011001100", "00110011001100", "11110000001111", "11110000001111",
        "11111111111111", "11111111111111", "00001100110000", "00001100110000"))
    expect_help(node, "oled", ["load width=128 height=64", 'text "text" x y', "invert", "clean state=<0/1>",
                               "line sx sy ex ey state=1", "rect x y w h state=1 fill=False",
                               "pixel x y color=1", "bitmap bmp=<str tuple> x=0 y=0", "image pbm_img x=0 y=0", "show", "poweron",
                               "poweroff", "pinmap"])


def test_oled_ui_pages(node):
    node.cmd("sim oled present=True")
    assert node.cmd("oled_ui draw").startswith("Module uninitialized, run: oled_ui load")
    once(node, "oled_ui load", "OLED: ssd1306: 128x64 initialized.")
    page0 = fb(node)
    assert any(y == 10 for x, y in page0)           # the header rule
    assert any(y >= 15 for x, y in page0)           # the system page's lines
    once(node, "oled_ui control", "page: 1 pwr: True")
    once(node, "oled_ui control cmd='next'", "page: 2 pwr: True")
    welcome = fb(node)
    once(node, "oled_ui control cmd='press'", "page: 2 pwr: True")
    assert len(fb(node)) > len(welcome)              # the bitmap and HELLO :D
    once(node, "oled_ui control cmd='prev'", "page: 1 pwr: True")
    once(node, "oled_ui msgbox 'hi'", "Show msg")
    once(node, "oled_ui control cmd='off'", "page: 1 pwr: False")
    assert not state(node)["oled"]["on"]
    once(node, "oled_ui control cmd='jump'",
         "Invalid command jump! Hint: ('next', 'prev', 'press', 'on', 'off')")
    once(node, "oled_ui draw", "refreshed...")
    assert "ssd1306 only" in node.cmd("oled_ui load oled_type='sh1106'")


def test_oled_ui_screen_saver(node):
    # micrOS's pwr_sec: the panel goes dark after pwr_sec s without a control command
    node.cmd("sim oled present=True")
    assert "pwr_sec=-2 out of range" in node.cmd("oled_ui load pwr_sec=-2")
    once(node, "oled_ui load pwr_sec=1", "OLED: ssd1306: 128x64 initialized.")
    assert state(node)["oled"]["on"]
    assert wait_for(lambda: not state(node)["oled"]["on"], 5)
    assert node.cmd("task show oled_ui._pwr") == "screen off\n"
    dark = fb(node)
    once(node, "oled_ui draw", "refreshed...")
    assert fb(node) == dark                                   # off: draw leaves the panel alone
    once(node, "oled_ui msgbox 'wake'", "Show msg")             # a message turns it on again
    assert state(node)["oled"]["on"]
    assert wait_for(lambda: not state(node)["oled"]["on"], 5)  # ... and the saver darkens it again
    once(node, "oled_ui control cmd='on'", "page: 0 pwr: True")
    assert state(node)["oled"]["on"]
    once(node, "oled_ui load pwr_sec=None", "OLED: ssd1306: 128x64 initialized.")
    assert wait_for(lambda: "oled_ui._pwr" not in json.loads(node.cmd("task list >json"))["active"], 5)
    assert state(node)["oled"]["on"]                           # None: the saver is off


def pbm(w, h, rows, comment=b"# nodus test\n"):
    """A binary PBM (P4): rows of '0'/'1' strings, 1 = black."""
    raster = b""
    for r in rows:
        bits = r.ljust((w + 7) // 8 * 8, "0")
        raster += bytes(int(bits[i:i + 8], 2) for i in range(0, len(bits), 8))
    return b"P4\n" + comment + b"%d %d\n" % (w, h) + raster


def test_oled_image_pbm(node):
    node.cmd("sim oled present=True")
    rows = ["1000000001", "0100000010", "0011111100"]              # 10x3: two diagonals and a bar
    with open(node.path("data", "smile.pbm"), "wb") as f:
        f.write(pbm(10, 3, rows))
    with open(node.path("web", "logo.pbm"), "wb") as f:
        f.write(pbm(2, 2, ["11", "11"], comment=b""))
    node.cmd("oled clean")
    once(node, "oled image 'smile.pbm' 20 5", True)
    node.cmd("oled show")
    want = {(20 + x, 5 + y) for y, r in enumerate(rows) for x, ch in enumerate(r) if ch == "1"}
    assert fb(node) == want
    assert state(node)["oled"]["inverse"]                          # micrOS's image inverts the panel
    once(node, "oled image '/web/logo.pbm'", True)                 # micrOS-style absolute path
    node.cmd("oled show")
    assert {(0, 0), (1, 0), (0, 1), (1, 1)} <= fb(node)
    assert "not found in data/ or web/" in node.cmd("oled image 'nope.pbm'")
    assert "no '..'" in node.cmd("oled image '../config/node_config.json'")
    with open(node.path("data", "p1.pbm"), "wb") as f:
        f.write(b"P1\n2 2\n1 0 0 1\n")
    assert "not a binary PBM (P4)" in node.cmd("oled image 'p1.pbm'")
    with open(node.path("data", "cut.pbm"), "wb") as f:
        f.write(pbm(16, 8, ["1" * 16] * 8)[:-3])
    assert "truncated: 13 of 16 raster bytes" in node.cmd("oled image 'cut.pbm'")
    with open(node.path("data", "big.pbm"), "wb") as f:
        f.write(b"P4\n256 8\n" + b"\0" * 256)
    assert "larger than the panel's 128x64" in node.cmd("oled image 'big.pbm'")
    with open(node.path("data", "huge.pbm"), "wb") as f:
        f.write(b"P4\n128 64\n" + b"\0" * 4096)
    assert "is larger than 1280 bytes" in node.cmd("oled image 'huge.pbm'")
    assert node.cmd("oled text 'still here'") == "True\n"
