#!/usr/bin/env python3
"""MQTT benchmarks of one node (issue 14), through a real mosquitto on loopback:

1. command round trip: PUBLISH nodus/<dev>/cmd "hello" -> PUBLISH nodus/<dev>/reply,
   p50/p99 over N sequential commands (QoS 0), against the floor: the same measuring
   client through the same broker to a foreign echo (mosquitto_sub | mosquitto_pub -l,
   Debian's own clients) -- what any MQTT round trip through this broker costs;
2. idle memory of a node with MQTT on (VmRSS, and PSS: its share of shared pages).

The measuring client is a minimal MQTT 3.1.1 client on a raw socket (below), the same
for both paths. Usage: bench/mqtt_rtt.py [N] (NODUS_BIN, default build/nodus)."""
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NODUS = os.environ.get("NODUS_BIN", os.path.join(ROOT, "build", "nodus"))
MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rl(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def s16(b):
    return struct.pack(">H", len(b)) + b


class Client:
    def __init__(self, port, cid):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        body = s16(b"MQTT") + bytes([4, 2]) + struct.pack(">H", 60) + s16(cid.encode())
        self.s.sendall(bytes([0x10]) + rl(len(body)) + body)
        assert self.packet()[0] >> 4 == 2  # CONNACK

    def packet(self):
        while True:
            if len(self.buf) >= 2:
                mult, n, i = 1, 0, 1
                while i < len(self.buf):
                    b = self.buf[i]
                    n += (b & 0x7F) * mult
                    mult *= 128
                    i += 1
                    if not b & 0x80:
                        if len(self.buf) >= i + n:
                            p = self.buf[:i + n]
                            self.buf = self.buf[i + n:]
                            return p[0], p[i:]
                        break
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d

    def sub(self, topic):
        body = struct.pack(">H", 1) + s16(topic.encode()) + bytes([0])
        self.s.sendall(bytes([0x82]) + rl(len(body)) + body)
        assert self.packet()[0] >> 4 == 9  # SUBACK

    def pub(self, topic, msg):
        body = s16(topic.encode()) + msg
        self.s.sendall(bytes([0x30]) + rl(len(body)) + body)

    def recv(self, topic):
        while True:
            h, body = self.packet()
            if h >> 4 == 3:
                tl = struct.unpack(">H", body[:2])[0]
                if body[2:2 + tl].decode() == topic:
                    return body[2 + tl:]


def rtt(c, req, rep, msg, n):
    for _ in range(20):  # warm-up
        c.pub(req, msg)
        c.recv(rep)
    t = []
    for _ in range(n):
        t0 = time.perf_counter()
        c.pub(req, msg)
        c.recv(rep)
        t.append((time.perf_counter() - t0) * 1e6)
    t.sort()
    return t[len(t) // 2], t[min(len(t) - 1, int(len(t) * 0.99))]


def mem(pid):
    out = {}
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            k = line.split(":")[0]
            if k in ("Rss", "Pss", "Private_Dirty"):
                out[k] = int(line.split()[1])
    return out


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tmp = tempfile.mkdtemp(prefix="mqtt-bench-")
    port = free_port()
    conf = os.path.join(tmp, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n" % port)
        if os.geteuid() == 0:
            f.write("user root\n")
    broker = subprocess.Popen([MOSQUITTO, "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs = [broker]
    try:
        time.sleep(0.5)
        # the floor: Debian's clients as an echo
        echo_sub = subprocess.Popen(["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench/req"],
                                    stdout=subprocess.PIPE)
        echo_pub = subprocess.Popen(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", "bench/rep", "-l"],
                                    stdin=echo_sub.stdout)
        procs += [echo_sub, echo_pub]
        state = os.path.join(tmp, "node")
        node = subprocess.Popen([NODUS, "run", "--state", state, "--set", "bind=127.0.0.1",
                                 "--set", "socport=%d" % free_port(), "--set", "webui=False",
                                 "--set", "mdns=False", "--set", "mqtt=True", "--set", "mqtt_host=127.0.0.1",
                                 "--set", "mqtt_port=%d" % port, "--set", "devfid=b1",
                                 "--set", "mqtt_cmd_rate=100000"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(node)
        time.sleep(1.5)
        c = Client(port, "bench")
        c.sub("bench/rep")
        c.sub("nodus/b1/reply")
        fp50, fp99 = rtt(c, "bench/req", "bench/rep", b"hello", n)
        np50, np99 = rtt(c, "nodus/b1/cmd", "nodus/b1/reply", b"hello", n)
        print("MQTT round trip over %d sequential messages, QoS 0, loopback mosquitto" % n)
        print("  floor (mosquitto_sub | mosquitto_pub -l echo): p50 %6.0f us  p99 %6.0f us" % (fp50, fp99))
        print("  node   cmd 'hello' -> reply                  : p50 %6.0f us  p99 %6.0f us" % (np50, np99))
        print("  ratio node/floor                             : p50 %.2fx   p99 %.2fx" % (np50 / fp50, np99 / fp99))
        time.sleep(5)  # idle
        m = mem(node.pid)
        print("idle node, MQTT on: RSS %.2f MB, PSS %.2f MB, private dirty %.2f MB"
              % (m["Rss"] / 1024, m["Pss"] / 1024, m["Private_Dirty"] / 1024))
    finally:
        for p in reversed(procs):
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
