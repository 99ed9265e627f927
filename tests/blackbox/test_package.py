"""Install, service and Debian package (README "Install as a service", "Debian package").

- `make install DESTDIR PREFIX`: exactly the expected files, the unit pointed at PREFIX;
- the unit, checked statically (CI containers run no systemd as PID 1): `systemd-analyze
  verify` and `security --offline`, and the syscalls and socket families a real node uses
  (traced with strace) stay inside its SystemCallFilter= and RestrictAddressFamilies=;
- the node side of Type=notify, for real: a unix datagram socket of this test is
  $NOTIFY_SOCKET; READY=1 once the shell accepts, WATCHDOG=1 from the loop and none while
  the process is stopped, RELOADING=1 then READY=1 again across `reboot` (same pid);
- `make deb`: dpkg-deb -I/-c, Depends against the libraries really linked, maintainer
  scripts, lintian, and install/upgrade/remove/purge into an empty root with dpkg --root.
"""
import glob
import gzip
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import NODUS_BIN, ROOT, SANITIZED, Session, free_port

PKG = os.path.join(ROOT, "packaging")
UNIT = os.path.join(PKG, "nodus.service")


def run(args, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run(args, **kw)


def node_version():
    return run([NODUS_BIN, "version"], check=True).stdout.strip()


def unit_lines(path=UNIT):
    """key=value lines of a unit file, in order (comments out)."""
    with open(path) as f:
        return [l.strip() for l in f if "=" in l and not l.lstrip().startswith(("#", ";"))]


def unit_values(key, path=UNIT):
    return [l.split("=", 1)[1] for l in unit_lines(path) if l.split("=", 1)[0] == key]


# ---- make install -----------------------------------------------------------------------------

def make_install(dest, prefix):
    build = os.path.dirname(os.path.abspath(NODUS_BIN))
    r = run(["make", "--no-print-directory", "install", "BUILD=" + build, "DESTDIR=" + str(dest),
             "PREFIX=" + prefix], cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]


def tree(root):
    out = set()
    for d, _, files in os.walk(root):
        for f in files:
            out.add(os.path.relpath(os.path.join(d, f), root))
    return out


def test_make_install_puts_binary_man_page_and_unit(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest, "/usr")
    # the web UI is inside the binary (cmake/embed.cmake), the state dir is systemd's
    assert tree(dest) == {"usr/bin/nodus", "usr/share/man/man1/nodus.1",
                          "usr/lib/systemd/system/nodus.service"}
    binary = dest / "usr/bin/nodus"
    assert os.access(binary, os.X_OK)
    assert run([str(binary), "version"]).stdout.strip() == node_version()
    with open(dest / "usr/share/man/man1/nodus.1") as f, open(os.path.join(PKG, "nodus.1")) as g:
        assert f.read() == g.read()
    with open(dest / "usr/lib/systemd/system/nodus.service") as f, open(UNIT) as g:
        assert f.read() == g.read()  # PREFIX=/usr: the unit as written


def test_man_page_covers_every_command():
    usage = run([NODUS_BIN, "help"], check=True).stdout
    commands = set(re.findall(r"^  nodus ([a-z][a-z-]*)", usage, re.M))
    assert {"run", "connect", "exec", "search", "status", "config-keys", "version"} <= commands
    with open(os.path.join(PKG, "nodus.1")) as f:
        page = f.read()
    for c in commands:
        roff = c.replace("-", "\\-")
        assert ".B nodus %s" % roff in page, "SYNOPSIS lacks nodus %s" % c  # its synopsis
        assert ".TP\n.B %s\n" % roff in page, "COMMANDS lacks %s" % c  # and its entry
    if shutil.which("man"):
        r = run(["man", "--warnings", "-l", os.path.join(PKG, "nodus.1")],
                env=dict(os.environ, MANWIDTH="80", MAN_KEEP_FORMATTING="0"))
        assert r.returncode == 0 and r.stderr == "", r.stderr


def test_make_install_points_the_unit_at_prefix(tmp_path):
    dest = tmp_path / "dest"
    make_install(dest, "/opt/nodus")
    unit = dest / "opt/nodus/lib/systemd/system/nodus.service"
    assert unit_values("ExecStart", unit) == ["/opt/nodus/bin/nodus run --state %S/nodus $NODUS_ARGS"]
    assert os.access(dest / "opt/nodus/bin/nodus", os.X_OK)
    assert not os.path.exists(dest / "usr")


# ---- the unit, statically ---------------------------------------------------------------------

needs_analyze = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze missing (scripts/deps.sh --test installs systemd)")


@pytest.fixture
def installed_unit(tmp_path):
    """The unit as `make install PREFIX=/usr` installs it, with ExecStart on the staged binary
    (verify checks that the command exists) and MANPATH on the staged man page (it checks
    Documentation=man:nodus(1) too)."""
    dest = tmp_path / "dest"
    make_install(dest, "/usr")
    with open(dest / "usr/lib/systemd/system/nodus.service") as f:
        text = f.read().replace("ExecStart=/usr/bin/nodus ", "ExecStart=%s/usr/bin/nodus " % dest)
    udir = tmp_path / "units"
    udir.mkdir()
    path = udir / "nodus.service"
    path.write_text(text)
    env = dict(os.environ, MANPATH=str(dest / "usr/share/man"), SYSTEMD_LOG_COLOR="0")
    return path, env


@needs_analyze
def test_unit_verifies_without_a_warning(installed_unit):
    path, env = installed_unit
    r = run(["systemd-analyze", "verify", str(path)], env=env, cwd=str(path.parent))
    # verify exits 0 on a misspelt key or a bad value ("ignoring"): its output must be empty
    assert r.returncode == 0 and r.stdout + r.stderr == "", r.stdout + r.stderr


@needs_analyze
def test_unit_verify_catches_a_broken_unit(installed_unit):
    """The check above can fail: a typo in the unit makes verify speak."""
    path, env = installed_unit
    path.write_text(path.read_text().replace("WatchdogSec=", "WatchdogSecs="))
    r = run(["systemd-analyze", "verify", str(path)], env=env, cwd=str(path.parent))
    assert "WatchdogSecs" in r.stdout + r.stderr


@needs_analyze
def test_unit_exposure_is_low(installed_unit):
    path, env = installed_unit
    r = run(["systemd-analyze", "security", "--offline=yes", "--threshold=20", str(path)], env=env,
            cwd=str(path.parent))
    m = re.search(r"Overall exposure level for nodus.service: ([0-9.]+)", r.stdout)
    assert m, r.stdout[-2000:] + r.stderr
    assert r.returncode == 0 and float(m.group(1)) <= 2.0, r.stdout[-3000:]


def test_unit_settings():
    """What README "Install as a service" promises, one key at a time."""
    want = {
        "Type": "notify", "Restart": "on-failure", "WatchdogSec": "20s", "DynamicUser": "yes",
        "StateDirectory": "nodus", "ProtectSystem": "strict", "ProtectHome": "yes",
        "PrivateTmp": "yes", "NoNewPrivileges": "yes", "RestartPreventExitStatus": "2",
        "EnvironmentFile": "-/etc/default/nodus", "WantedBy": "multi-user.target",
    }
    for k, v in want.items():
        assert unit_values(k) == [v], k
    assert unit_values("ExecStart") == ["/usr/bin/nodus run --state %S/nodus $NODUS_ARGS"]
    # no --quiet: log lines reach stderr, i.e. the journal, as well as logs/ in the state dir
    assert "--quiet" not in unit_values("ExecStart")[0]
    with open(UNIT) as f:
        text = f.read()
    assert "\n#SupplementaryGroups=gpio i2c\n" in text  # documented, off by default


# ---- sd_notify: the node side of Type=notify --------------------------------------------------

class Notify:
    """systemd's end of the protocol: a unix datagram socket the node sends to."""

    def __init__(self, abstract):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.dir = None
        if abstract:
            name = "nodus-test-%d-%d" % (os.getpid(), id(self))
            self.sock.bind("\0" + name)
            self.env = "@" + name
        else:  # a short path: sun_path holds 108 bytes, pytest's tmp_path can be longer
            self.dir = tempfile.mkdtemp(prefix="nd-ntfy-")
            self.env = os.path.join(self.dir, "notify")
            self.sock.bind(self.env)
        self.seen = []

    def close(self):
        self.sock.close()
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def wait_for(self, line, timeout=10):
        """Messages until one holds `line` (returned); None when none came within timeout."""
        deadline = time.time() + timeout
        while True:
            left = deadline - time.time()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                msg = self.sock.recv(4096).decode()
            except socket.timeout:
                return None
            self.seen.append(msg)
            if line in msg.split("\n"):
                return msg

    def drain(self):
        self.sock.settimeout(0)
        try:
            while True:
                self.seen.append(self.sock.recv(4096).decode())
        except BlockingIOError:
            pass


@pytest.fixture(params=["path", "abstract"])
def notify(request):
    n = Notify(request.param == "abstract")
    yield n
    n.close()


def accepts(port):
    """One connection attempt, no retry: READY=1 must mean the door is open."""
    socket.create_connection(("127.0.0.1", port), 2).close()
    return True


WD = {"WATCHDOG_USEC": "200000"}  # a keep-alive every 100 ms


def test_ready_once_the_shell_accepts(make_node, notify):
    n = make_node(start=False, env={"NOTIFY_SOCKET": notify.env})
    n.start(wait=False)
    msg = notify.wait_for("READY=1")
    assert msg is not None, "no READY=1; got %r" % notify.seen
    assert accepts(n.port)
    assert "STATUS=node 'node01', shell on 127.0.0.1:%d" % n.port in msg.split("\n")
    with n.connect() as s:
        assert s.cmd("hello").startswith("hello:node01:")
    # no WatchdogSec= (no $WATCHDOG_USEC): no keep-alives
    assert notify.wait_for("WATCHDOG=1", timeout=1) is None


def test_watchdog_fed_by_the_loop_stops_when_the_node_is_stopped(make_node, notify):
    n = make_node(env=dict(WD, NOTIFY_SOCKET=notify.env))
    assert notify.wait_for("READY=1") is not None
    for _ in range(3):
        assert notify.wait_for("WATCHDOG=1", timeout=5) is not None, notify.seen
    os.kill(n.pid, signal.SIGSTOP)  # a wedged node: its loop does not turn
    try:
        time.sleep(0.3)  # a keep-alive sent as the stop arrived may still be queued
        notify.drain()
        assert notify.wait_for("WATCHDOG=1", timeout=1.5) is None  # 15 periods without one
    finally:
        os.kill(n.pid, signal.SIGCONT)
    assert notify.wait_for("WATCHDOG=1", timeout=5) is not None  # the loop turns again
    assert n.cmd("hello").startswith("hello:node01:")


def test_watchdog_for_another_process_is_not_fed(make_node, notify):
    """$WATCHDOG_PID names the process systemd watches; a child that inherited the
    variables (here: a pid that is not the node's) must stay quiet."""
    n = make_node(env=dict(WD, NOTIFY_SOCKET=notify.env, WATCHDOG_PID=str(os.getpid())))
    assert notify.wait_for("READY=1") is not None
    assert notify.wait_for("WATCHDOG=1", timeout=1.5) is None
    assert n.alive()


def test_reboot_reloads_then_ready_again_same_pid(make_node, notify):
    n = make_node(env=dict(WD, NOTIFY_SOCKET=notify.env))
    assert notify.wait_for("READY=1") is not None
    pid = n.pid
    with n.connect() as s:
        s.send("reboot")
        assert s.read_until_close(5).endswith(b"Bye!\n")
    # systemd: RELOADING=1 puts the unit in "reloading"; READY=1 from the re-exec'd node
    # (same pid, so MAINPID holds) makes it active again
    assert notify.wait_for("RELOADING=1") is not None, notify.seen
    assert notify.wait_for("READY=1") is not None, notify.seen
    assert accepts(n.port)
    assert n.alive() and n.pid == pid
    assert notify.wait_for("WATCHDOG=1", timeout=5) is not None  # fed by the new loop


def test_unreachable_notify_socket_is_reported_once(make_node, tmp_path):
    n = make_node(env=dict(WD, NOTIFY_SOCKET=str(tmp_path / "nobody-listens")))
    deadline = time.time() + 0.6  # several failed keep-alives meanwhile
    while time.time() < deadline:
        assert n.cmd("hello").startswith("hello:node01:")
        time.sleep(0.05)
    assert n.stop() == 0
    with open(n.path("stderr.log")) as f:
        err = f.read()
    assert err.count("cannot notify systemd at %s" % (tmp_path / "nobody-listens")) == 1, err


def test_state_dir_behind_the_dynamicuser_link(make_node, tmp_path):
    """With DynamicUser= systemd makes /var/lib/nodus a link to private/nodus: the node
    must take its state root through it (--state %S/nodus)."""
    os.makedirs(tmp_path / "lib/private/nodus")
    os.symlink("private/nodus", tmp_path / "lib/nodus")
    n = make_node(state=tmp_path / "lib/nodus")
    with n.connect() as s:
        s.cmd("conf")
        assert s.cmd("soctout 44") == "Saved\n"
    assert n.stop() == 0
    with open(tmp_path / "lib/private/nodus/config/node_config.json") as f:
        assert '"soctout": 44' in f.read()


# ---- the node under the unit's syscall and socket family filters ------------------------------

def expand_filter(group, cache={}):
    """System call names of a systemd filter group, nested groups expanded."""
    if group not in cache:
        out = run(["systemd-analyze", "syscall-filter", group], check=True).stdout
        names = set()
        for line in out.splitlines()[1:]:
            w = line.strip()
            if not w or w.startswith("#"):
                continue
            names |= expand_filter(w) if w.startswith("@") else {w}
        cache[group] = names
    return cache[group]


def http_get(port, path):
    with socket.create_connection(("127.0.0.1", port), 5) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        buf = b""
        while True:
            c = s.recv(65536)
            if not c:
                return buf
            buf += c


@pytest.mark.skipif(shutil.which("strace") is None or shutil.which("systemd-analyze") is None,
                    reason="needs strace and systemd-analyze (scripts/deps.sh --test)")
@pytest.mark.skipif(SANITIZED, reason="the sanitizer runtime makes calls of its own")
def test_node_stays_inside_the_units_filters(tmp_path):
    """SystemCallFilter= answers EPERM and RestrictAddressFamilies= EAFNOSUPPORT to anything
    else: a node that needs more would fail under systemd only. Trace a node through start,
    shell, conf save, web, the watchdog and a reboot, and compare with the unit."""
    allow, deny = set(), set()
    for v in unit_values("SystemCallFilter"):
        words = v.lstrip("~").split()
        names = set().union(*(expand_filter(w) if w.startswith("@") else {w} for w in words))
        (deny if v.startswith("~") else allow).update(names)
    allowed = allow - deny
    families = set(" ".join(unit_values("RestrictAddressFamilies")).split())
    assert allowed and families

    state, trace = tmp_path / "state", tmp_path / "trace"
    state.mkdir()
    port, wport = free_port(), free_port()
    ntf = Notify(True)
    env = dict(os.environ, NOTIFY_SOCKET=ntf.env, **WD)
    p = subprocess.Popen(["strace", "-f", "-qq", "-o", str(trace), NODUS_BIN, "run", "--state",
                          str(state), "--set", "bind=127.0.0.1", "--set", "socport=%d" % port,
                          "--set", "webui=True", "--set", "webport=%d" % wport],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    node_pid = None
    try:
        assert ntf.wait_for("READY=1", timeout=20) is not None
        with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
            node_pid = int(f.read().split()[0])
        with Session(port) as s:
            assert s.cmd("hello").startswith("hello:")
            s.cmd("system info")
            s.cmd("conf")
            assert s.cmd("soctout 33") == "Saved\n"
            s.cmd("noconf")
        assert b"200 OK" in http_get(wport, "/rest/system/info").split(b"\r\n")[0]
        assert ntf.wait_for("WATCHDOG=1", timeout=5) is not None
        with Session(port) as s:
            s.send("reboot")
            s.read_until_close(10)
        assert ntf.wait_for("READY=1", timeout=20) is not None
        with Session(port) as s:
            assert s.cmd("hello").startswith("hello:")
    finally:
        if node_pid:
            os.kill(node_pid, signal.SIGTERM)
        try:
            p.wait(30)
        finally:
            if p.poll() is None:
                p.kill()
            ntf.close()
    used, fams = set(), set()
    with open(trace) as f:
        for line in f:
            m = re.match(r"\d+\s+([a-z0-9_]+)\(", line)
            if m:
                used.add(m.group(1))
            m = re.search(r"\bsocket\((AF_[A-Z0-9]+)", line)
            if m:
                fams.add(m.group(1))
    assert {"execve", "poll", "sendto"} <= used  # the trace covered the reboot and the notify
    assert used - allowed == set(), "calls the unit's SystemCallFilter= refuses"
    assert fams - families == set(), "socket families the unit's RestrictAddressFamilies= refuses"


# ---- the Debian package -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def deb(tmp_path_factory):
    if SANITIZED:
        pytest.skip("the package is built from the tree, not from the build under test: once, "
                    "in the plain run")
    d = tmp_path_factory.mktemp("deb")
    r = run(["make", "--no-print-directory", "deb", "DEB=%s" % d], cwd=ROOT, timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    debs = glob.glob(os.path.join(str(d), "nodus_*.deb"))
    assert len(debs) == 1, debs
    return debs[0]


@pytest.fixture(scope="module")
def unpacked(deb, tmp_path_factory):
    d = tmp_path_factory.mktemp("unpacked")
    run(["dpkg-deb", "-x", deb, str(d / "root")], check=True)
    run(["dpkg-deb", "-e", deb, str(d / "DEBIAN")], check=True)
    return d


def field(deb, name):
    return run(["dpkg-deb", "-f", deb, name], check=True).stdout.strip()


def test_deb_name_version_arch(deb):
    version, arch = field(deb, "Version"), field(deb, "Architecture")
    # the upstream part is nodus's own version, the revision the packaging's
    assert version.rsplit("-", 1)[0] == node_version()
    assert arch == run(["dpkg", "--print-architecture"], check=True).stdout.strip()
    assert os.path.basename(deb) == "nodus_%s_%s.deb" % (version, arch)
    info = run(["dpkg-deb", "-I", deb], check=True).stdout
    for f in ("Package: nodus", "Depends: ", "Recommends: libedit2, libmosquitto1", "Maintainer: ", "Description: "):
        assert f in info


def owning_package(path):
    """The Debian package that holds a library file (either side of the /usr merge)."""
    cands = {path, os.path.realpath(path)}
    for c in list(cands):
        cands.add(c[4:] if c.startswith("/usr/") else "/usr" + c)
    for c in cands:
        r = run(["dpkg", "-S", c])
        if r.returncode == 0:
            return r.stdout.split(":")[0].strip()
    raise AssertionError("no package holds %s" % path)


def test_deb_depends_on_the_libraries_it_links(deb, unpacked):
    depends = field(deb, "Depends")
    deps = {}
    for d in depends.split(","):
        name, _, rest = d.strip().partition(" ")
        deps[name] = rest
    binary = str(unpacked / "root/usr/bin/nodus")
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]",
                        run(["readelf", "-d", binary], check=True).stdout)
    assert "libcjson.so.1" in needed
    where = dict(re.findall(r"^\s*(\S+) => (/\S+)", run(["ldd", binary], check=True).stdout, re.M))
    for lib in needed:
        pkg = owning_package(where[lib])
        assert pkg in deps, "%s (%s) linked but %s missing from Depends: %s" % (lib, where[lib], pkg,
                                                                                depends)
        assert deps[pkg].startswith("(>= "), "%s without a version: %s" % (pkg, depends)
    assert {"libc6", "libcjson1"} <= set(deps)
    # libedit is dlopen()ed by `nodus connect` only: a recommendation, not a dependency
    assert "libedit2" not in deps


def test_deb_contents(deb, unpacked):
    listing = run(["dpkg-deb", "-c", deb], check=True).stdout.splitlines()
    files = {}
    for line in listing:
        perms, owner, _size, _date, _time, path = line.split(None, 5)
        assert owner == "root/root", line
        if not perms.startswith("d"):
            files[path] = perms
    assert files == {
        "./usr/bin/nodus": "-rwxr-xr-x",
        "./lib/systemd/system/nodus.service": "-rw-r--r--",
        "./usr/share/man/man1/nodus.1.gz": "-rw-r--r--",
        "./usr/share/doc/nodus/copyright": "-rw-r--r--",
        "./usr/share/doc/nodus/changelog.Debian.gz": "-rw-r--r--",
        "./usr/share/lintian/overrides/nodus": "-rw-r--r--",
        "./etc/default/nodus": "-rw-r--r--",
    }
    assert not any(p.startswith("./var/") for p in (l.split()[-1] for l in listing))
    with open(unpacked / "DEBIAN/conffiles") as f:
        assert f.read() == "/etc/default/nodus\n"
    root = unpacked / "root"
    with open(root / "lib/systemd/system/nodus.service") as f, open(UNIT) as g:
        assert f.read() == g.read()
    with gzip.open(root / "usr/share/man/man1/nodus.1.gz", "rt") as f, \
            open(os.path.join(PKG, "nodus.1")) as g:
        assert f.read() == g.read()
    # built with Debian's flags (dpkg-buildflags: bindnow) and stripped, as dh_strip does
    sections = run(["readelf", "-S", str(root / "usr/bin/nodus")], check=True).stdout
    assert ".debug_info" not in sections and ".symtab" not in sections
    dyn = run(["readelf", "-d", str(root / "usr/bin/nodus")], check=True).stdout
    assert re.search(r"\(FLAGS\)\s+BIND_NOW", dyn) or re.search(r"\(FLAGS_1\).*\bNOW\b", dyn)
    assert run([str(root / "usr/bin/nodus"), "version"]).stdout.strip() == node_version()


def test_deb_maintainer_scripts_are_valid_shell(unpacked):
    for s in ("postinst", "prerm", "postrm"):
        path = unpacked / "DEBIAN" / s
        assert os.stat(path).st_mode & 0o777 == 0o755, s
        with open(path) as f:
            assert f.readline() == "#!/bin/sh\n", s
        r = run(["sh", "-n", str(path)])
        assert r.returncode == 0, r.stderr
        if shutil.which("checkbashisms"):
            r = run(["checkbashisms", str(path)])
            assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.skipif(shutil.which("lintian") is None, reason="lintian missing (scripts/deps.sh --test)")
def test_deb_lintian_clean(deb, unpacked):
    r = run(["lintian", "--display-info", "--show-overrides", deb], timeout=600)
    tags = [l for l in r.stdout.splitlines() if re.match(r"[EWIPX]: ", l)]
    assert r.returncode == 0 and tags == [], r.stdout + r.stderr
    # overrides only with a reason: a comment block right above every override line
    with open(unpacked / "root/usr/share/lintian/overrides/nodus") as f:
        documented = False
        for line in f:
            if not line.strip():
                documented = False
            elif line.startswith("#"):
                documented = True
            else:
                assert documented, "override without a comment: " + line


def dpkg_root(root, *args):
    # --force-script-chrootless: run the maintainer scripts on this system with
    # DPKG_ROOT=root (an empty root has no /bin/sh to chroot into); the scripts and
    # deb-systemd-helper act inside DPKG_ROOT only and never start or stop anything then.
    # --force-depends: the empty root has no libc6 or libcjson1 installed.
    return run(["dpkg", "--root=%s" % root, "--force-depends", "--force-script-chrootless"]
               + list(args))


@pytest.mark.skipif(os.geteuid() != 0, reason="dpkg --root needs root")
def test_deb_install_upgrade_remove_purge_in_an_empty_root(deb, tmp_path):
    root = tmp_path / "root"
    for d in ("var/lib/dpkg/info", "var/lib/dpkg/updates"):
        os.makedirs(root / d)
    for f in ("status", "available"):
        (root / "var/lib/dpkg" / f).write_text("")
    host_wants = "/etc/systemd/system/multi-user.target.wants/nodus.service"
    host_had = os.path.lexists(host_wants)
    wants = root / "etc/systemd/system/multi-user.target.wants/nodus.service"

    r = dpkg_root(root, "-i", deb)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "libcjson1" in r.stderr  # dpkg saw the dependency (and was told to go on)
    st = run(["dpkg", "--root=%s" % root, "-s", "nodus"]).stdout
    assert "Status: install ok installed" in st
    assert os.access(root / "usr/bin/nodus", os.X_OK)
    assert (root / "lib/systemd/system/nodus.service").is_file()
    assert os.readlink(wants) == "/lib/systemd/system/nodus.service"  # enabled by postinst
    assert not os.path.lexists(root / "var/lib/nodus")  # the state dir is systemd's to make

    # the node ran: systemd made its state dir (DynamicUser: a link into private/)
    priv = root / "var/lib/private/nodus"
    os.makedirs(priv / "config")
    (priv / "config/node_config.json").write_text('{"devfid": "kept"}')
    os.symlink("private/nodus", root / "var/lib/nodus")
    # the admin set options and disabled the service
    conf = root / "etc/default/nodus"
    conf.write_text(conf.read_text() + 'NODUS_ARGS="--set webui=True"\n')
    mine = conf.read_text()
    os.unlink(wants)  # what `systemctl disable nodus` does

    # an upgrade (the same package again: postinst configure with the old version)
    r = dpkg_root(root, "-i", deb)
    assert r.returncode == 0, r.stdout + r.stderr
    assert conf.read_text() == mine  # a conffile: the admin's edit stays
    assert not os.path.lexists(wants)  # and so does the admin's choice to disable it
    assert (root / "var/lib/nodus/config/node_config.json").read_text() == '{"devfid": "kept"}'

    r = dpkg_root(root, "-r", "nodus")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not os.path.exists(root / "usr/bin/nodus")
    assert conf.read_text() == mine  # remove keeps configuration...
    assert (root / "var/lib/nodus/config/node_config.json").is_file()  # ...and the node's state

    r = dpkg_root(root, "-P", "nodus")
    assert r.returncode == 0, r.stdout + r.stderr
    assert not os.path.lexists(conf)
    assert not os.path.lexists(root / "var/lib/nodus") and not os.path.lexists(priv)
    assert not os.path.lexists(root / "var/lib/systemd/deb-systemd-helper-enabled/nodus.service.dsh-also")
    assert "nodus" not in run(["dpkg", "--root=%s" % root, "-l"]).stdout
    assert os.path.lexists(host_wants) == host_had  # this machine was never touched
