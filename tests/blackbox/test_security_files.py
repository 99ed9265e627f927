"""Security: the web door never follows a symbolic link under web/ or
modules/ -- not for static files, not for the /fs endpoints (list, upload,
delete) -- whether the link is the file itself or a directory on the way.
A refused path answers 404 (never 403: that would confirm it exists), and
nothing outside the state directory is read, written or removed.
"""
import os
import shutil
import socket
import time

import requests

from test_web import wait_port
from conftest import free_port

AUTH = {"x-micros-auth": "ADmin123"}
SECRET = b"TOPSECRET-outside-the-state-dir"


def web_node(make_node, *sets, **kw):
    wp = free_port()
    n = make_node("webui=True", "webport=%d" % wp, *sets, **kw)
    n.url = "http://127.0.0.1:%d" % wp
    wait_port(wp)
    return n


def outside(tmp_path):
    """A directory beside the state dirs: a secret file and a page in a subdir."""
    d = tmp_path / "outside"
    (d / "sub").mkdir(parents=True)
    (d / "secret.txt").write_bytes(SECRET)
    (d / "sub" / "page.html").write_bytes(SECRET)
    return d


def snapshot(d):
    """Every file under d with its content (to prove nothing changed)."""
    out = {}
    for root, dirs, files in os.walk(d):
        for f in files:
            p = os.path.join(root, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, d)] = fh.read()
    return out


def assert_refused(n, path):
    for method in ("GET", "HEAD"):
        r = requests.request(method, n.url + path, timeout=5)
        assert r.status_code == 404, (method, path, r.status_code)
        assert SECRET not in r.content, path


def upload(n, name, data=b"pwned", headers=None):
    return requests.post(n.url + "/fs/files", files={"file": (name, data)}, headers=headers,
                         timeout=5)


def delete(n, name, headers=None):
    return requests.delete(n.url + "/fs/files", data=name, headers=headers, timeout=5)


def test_static_files_never_follow_links(make_node, tmp_path):
    out = outside(tmp_path)
    n = web_node(make_node)
    web = n.path("web")
    with open(os.path.join(web, "ok.txt"), "wb") as f:
        f.write(b"plain file")
    os.makedirs(os.path.join(web, "real"))
    with open(os.path.join(web, "real", "page.html"), "wb") as f:
        f.write(b"real page")
    os.symlink(str(out / "secret.txt"), os.path.join(web, "leak.txt"))
    os.symlink("/etc/passwd", os.path.join(web, "passwd.txt"))
    os.symlink(os.path.relpath(str(out / "secret.txt"), web), os.path.join(web, "rel.txt"))
    os.symlink("ok.txt", os.path.join(web, "inner.txt"))  # even inside: never followed
    os.symlink(str(out / "sub"), os.path.join(web, "ldir"))
    os.symlink(str(out / "secret.txt"), os.path.join(web, "user_data", "leak.txt"))
    # normal files are still served
    r = requests.get(n.url + "/ok.txt", timeout=5)
    assert r.status_code == 200 and r.content == b"plain file"
    assert requests.get(n.url + "/real/page.html", timeout=5).content == b"real page"
    for p in ("/leak.txt", "/passwd.txt", "/rel.txt", "/inner.txt", "/ldir/page.html",
              "/ldir/", "/user_data/leak.txt", "/ldir%2fpage.html"):
        assert_refused(n, p)
    # a link over a built-in page: the built-in one is served, not the link's target
    os.symlink(str(out / "secret.txt"), os.path.join(web, "index.html"))
    r = requests.get(n.url + "/", timeout=5)
    assert r.status_code == 200 and SECRET not in r.content and b"<html" in r.content.lower()
    # a file replaced by a link after it was served once
    os.unlink(os.path.join(web, "ok.txt"))
    os.symlink(str(out / "secret.txt"), os.path.join(web, "ok.txt"))
    assert_refused(n, "/ok.txt")


def test_fs_endpoints_never_follow_linked_files(make_node, tmp_path):
    out = outside(tmp_path)
    before = snapshot(out)
    n = web_node(make_node)
    ud, mods = n.path("web", "user_data"), n.path("modules")
    os.symlink(str(out / "secret.txt"), os.path.join(ud, "leak.txt"))
    os.symlink(str(out / "secret.txt"), os.path.join(mods, "LM_leak.py"))
    assert upload(n, "real.txt", b"ok").status_code == 200
    # not listed
    assert [x["path"] for x in requests.get(n.url + "/fs/files", timeout=5).json()] == \
        ["/user_data/real.txt"]
    assert requests.post(n.url + "/fs/list", data="$modules", timeout=5).json() == []
    # not deleted (404: the link is as if absent), not written through
    for name, h in (("leak.txt", None), ("$modules/LM_leak.py", AUTH)):
        r = delete(n, name, h)
        assert r.status_code == 404 and SECRET not in r.content, name
        r = upload(n, name, headers=h)
        assert r.status_code == 400, (name, r.status_code)
    assert os.path.islink(os.path.join(ud, "leak.txt"))
    assert os.path.islink(os.path.join(mods, "LM_leak.py"))
    assert snapshot(out) == before
    assert os.listdir(os.path.join(ud, "tmp")) == []  # no partial upload left behind
    assert requests.get(n.url + "/user_data/real.txt", timeout=5).content == b"ok"


def test_fs_endpoints_never_follow_linked_directories(make_node, tmp_path):
    out = outside(tmp_path)
    for d in ("ud", "mods", "tmpd"):
        (out / d).mkdir()
    (out / "ud" / "victim.txt").write_bytes(SECRET)
    (out / "mods" / "LM_victim.py").write_bytes(SECRET)
    before = snapshot(out)
    n = web_node(make_node)
    ud, mods = n.path("web", "user_data"), n.path("modules")

    # web/user_data/tmp (where uploads are written first) is a link
    os.rmdir(os.path.join(ud, "tmp"))
    os.symlink(str(out / "tmpd"), os.path.join(ud, "tmp"))
    assert upload(n, "new.txt").status_code == 400
    assert not os.path.exists(os.path.join(ud, "new.txt"))

    # web/user_data itself is a link
    shutil.rmtree(ud)
    os.symlink(str(out / "ud"), ud)
    r = requests.get(n.url + "/fs/files", timeout=5)
    assert r.status_code == 200 and r.json() == []
    assert requests.post(n.url + "/fs/list", data="/user_data", timeout=5).json() == []
    assert_refused(n, "/user_data/victim.txt")
    assert delete(n, "victim.txt").status_code == 404
    assert upload(n, "new.txt").status_code == 400

    # modules/ itself is a link
    shutil.rmtree(mods)
    os.symlink(str(out / "mods"), mods)
    assert requests.post(n.url + "/fs/list", data="$modules", timeout=5).json() == []
    assert delete(n, "$modules/LM_victim.py", AUTH).status_code == 404
    assert upload(n, "$modules/LM_new.py", headers=AUTH).status_code == 400

    assert snapshot(out) == before


def test_node_starts_with_linked_web_dir(make_node, tmp_path):
    """An operator's web/ link does not stop the node: it is just not served."""
    out = outside(tmp_path)
    n = make_node(start=False)
    os.symlink(str(out / "sub"), n.path("web"))
    wp = free_port()
    n.sets += ["webui=True", "webport=%d" % wp]
    n.start()
    n.url = "http://127.0.0.1:%d" % wp
    wait_port(wp)
    assert_refused(n, "/page.html")
    r = requests.get(n.url + "/", timeout=5)  # the built-in pages still work
    assert r.status_code == 200 and SECRET not in r.content
    assert "WD:" in n.cmd("system clock")
