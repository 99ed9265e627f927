"""dashboard_be's /dashboard callback streams a web/ override into the reply
in small pieces (no static page buffer: issue 15, firmware RAM); an override
larger than the 32 KB bound is ignored and the built-in page is served."""
import urllib.request

from test_conformance import _web_node


def _get(n):
    return urllib.request.urlopen(n.url + "/dashboard", timeout=10).read()


def test_override_spanning_many_pieces_is_served_whole(make_node):
    n = _web_node(make_node)
    builtin = _get(n)
    assert n.cmd("dashboard_be load") == "Endpoint created: /dashboard\n"
    # 20 000 bytes, not a multiple of any power of two: every piece boundary
    # and the short last piece must come through byte for byte
    page = b"<!DOCTYPE html>" + bytes((i * 7 + 13) % 94 + 33 for i in range(20000 - 15))
    with open(n.path("web", "dashboard.html"), "wb") as f:
        f.write(page)
    assert _get(n) == page
    # exactly at the bound still served; one byte more: the built-in page
    page = b"x" * (32 * 1024 - 1)
    with open(n.path("web", "dashboard.html"), "wb") as f:
        f.write(page)
    assert _get(n) == page
    with open(n.path("web", "dashboard.html"), "wb") as f:
        f.write(b"y" * (32 * 1024))
    assert _get(n) == builtin
    # an empty override is a page too (as the whole-file read served it)
    open(n.path("web", "dashboard.html"), "wb").close()
    assert _get(n) == b""
