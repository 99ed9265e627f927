"""Real MQTT peers for the black-box tests: Debian's mosquitto broker on a free
loopback port (plain, with a password file, or TLS with a CA the test makes
with openssl), and mosquitto_sub / mosquitto_pub as the foreign client.
Nothing is mocked."""
import os
import shutil
import signal
import socket
import subprocess
import threading
import time

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def available():
    return os.path.exists(MOSQUITTO) and shutil.which("mosquitto_sub") and shutil.which("mosquitto_pub")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Broker:
    """mosquitto on 127.0.0.1:<port>; users={name: pwd} turns anonymous off;
    tls=dir with ca.crt/srv.crt/srv.key from make_ca()."""

    def __init__(self, tmp, port=None, users=None, tls=None):
        self.dir = str(tmp)
        self.port = port or free_port()
        self.users = users
        self.tls = tls
        self.proc = None

    def start(self):
        conf = os.path.join(self.dir, "mosquitto-%d.conf" % self.port)
        lines = ["listener %d 127.0.0.1" % self.port, "persistence false",
                 "log_dest file %s" % os.path.join(self.dir, "mosquitto-%d.log" % self.port),
                 "log_type all", "max_queued_messages 10000", "max_inflight_messages 0"]
        if os.geteuid() == 0:
            # as root, mosquitto would switch to user mosquitto, who cannot read
            # the password file and keys in the test's private tmp directory
            lines.append("user root")
        if self.users:
            pw = os.path.join(self.dir, "passwd-%d" % self.port)
            open(pw, "w").close()
            for u, p in self.users.items():
                subprocess.run(["mosquitto_passwd", "-b", pw, u, p], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            os.chmod(pw, 0o644)  # mosquitto started as root reads it as user mosquitto
            lines += ["allow_anonymous false", "password_file %s" % pw]
        else:
            lines += ["allow_anonymous true"]
        if self.tls:
            lines += ["cafile %s" % os.path.join(self.tls, "ca.crt"),
                      "certfile %s" % os.path.join(self.tls, "srv.crt"),
                      "keyfile %s" % os.path.join(self.tls, "srv.key")]
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def client_args(self, user=None, pwd=None, ca=None):
        a = ["-h", "127.0.0.1", "-p", str(self.port)]
        if user:
            a += ["-u", user, "-P", pwd]
        if self.tls:
            a += ["--cafile", ca or os.path.join(self.tls, "ca.crt")]
        return a

    def pub(self, topic, msg, qos=0, retain=False, user=None, pwd=None, stdin=None):
        a = ["mosquitto_pub"] + self.client_args(user, pwd) + ["-t", topic, "-q", str(qos)]
        if retain:
            a += ["-r"]
        if stdin is not None:
            a += ["-s"]
            subprocess.run(a, input=stdin, check=True, timeout=10)
        else:
            a += ["-m", msg]
            subprocess.run(a, check=True, timeout=10)

    def sub(self, *topics, user=None, pwd=None):
        return Sub(self, topics, user, pwd)


class Sub:
    """A running mosquitto_sub collecting (retain, topic, payload) tuples."""

    def __init__(self, broker, topics, user=None, pwd=None):
        a = ["mosquitto_sub"] + broker.client_args(user, pwd) + ["-q", "1", "-F", "%r\t%t\t%p", "-N"]
        # -N: no newline after the payload; we add a record separator ourselves via %p? No:
        # keep the newline form, payloads of the node are one line (JSON)
        a.remove("-N")
        for t in topics:
            a += ["-t", t]
        self.msgs = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(a, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()
        time.sleep(0.3)  # the subscription is in place before the test publishes

    def _read(self):
        for line in self.proc.stdout:
            line = line.decode("utf-8", "replace").rstrip("\n")
            parts = line.split("\t", 2)
            if len(parts) == 3:
                with self.lock:
                    self.msgs.append((parts[0] == "1", parts[1], parts[2]))

    def wait(self, pred, timeout=10):
        """The first message (retain, topic, payload) matching pred, else AssertionError."""
        deadline = time.time() + timeout
        seen = 0
        while time.time() < deadline:
            with self.lock:
                cur = list(self.msgs)
            for m in cur[seen:]:
                if pred(m):
                    return m
            seen = len(cur)
            time.sleep(0.02)
        with self.lock:
            tail = self.msgs[-10:]
        raise AssertionError("no matching message within %ss; last: %r" % (timeout, tail))

    def all(self):
        with self.lock:
            return list(self.msgs)

    def clear(self):
        with self.lock:
            self.msgs = []

    def close(self):
        self.proc.kill()
        self.proc.wait()


def make_ca(d, name="ca", cn="nodus test CA"):
    """A CA key + certificate in d/<name>.key, d/<name>.crt."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                    os.path.join(d, name + ".key"), "-out", os.path.join(d, name + ".crt"),
                    "-days", "2", "-subj", "/CN=" + cn], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_tls(d):
    """ca.crt + srv.crt/srv.key (localhost, 127.0.0.1) signed by it, and a
    second, unrelated CA (other.crt) for the wrong-CA test."""
    os.makedirs(d, exist_ok=True)
    make_ca(d, "ca")
    make_ca(d, "other", "some other CA")
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    subprocess.run(["openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", os.path.join(d, "srv.key"), "-out",
                    os.path.join(d, "srv.csr"), "-subj", "/CN=localhost"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["openssl", "x509", "-req", "-in", os.path.join(d, "srv.csr"), "-CA",
                    os.path.join(d, "ca.crt"), "-CAkey", os.path.join(d, "ca.key"),
                    "-CAcreateserial", "-out", os.path.join(d, "srv.crt"), "-days", "2",
                    "-extfile", ext], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    os.chmod(os.path.join(d, "srv.key"), 0o644)
    return d
