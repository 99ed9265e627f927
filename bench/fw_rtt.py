#!/usr/bin/env python3
"""fw_rtt.py ELF [N] -- the firmware's shell `hello` round trip against a bare
lwIP echo built into the same image (src/port/mps2/net_lwip.c, port 7), both
through QEMU's user network on loopback, alternating so both see the same
conditions. Prints p50/p99 of each and the ratio (README "Firmware", goal
<= 1.5). A benchmark: it prints figures and asserts nothing.
"""
import os
import socket
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def read_until(sock, end):
    buf = b""
    while not buf.endswith(end):
        chunk = sock.recv(4096)
        if not chunk:
            raise RuntimeError("closed: %r" % buf)
        buf += chunk
    return buf


def main():
    elf = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    shell, web, echo = free_port(), free_port(), free_port()
    env = dict(os.environ, FW_SHELL_PORT=str(shell), FW_WEB_PORT=str(web), FW_ECHO_PORT=str(echo))
    qemu = subprocess.Popen([os.path.join(ROOT, "src/port/mps2/qemu-run.sh"), elf],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = time.time() + 30
        while True:
            try:
                sh = socket.create_connection(("127.0.0.1", shell), 2)
                sh.settimeout(5)
                prompt = read_until(sh, b" $ ")
                break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        ec = socket.create_connection(("127.0.0.1", echo), 5)
        for s in (sh, ec):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        t_sh, t_ec = [], []
        msg = b"hello\n"
        for i in range(n + 50):
            t0 = time.perf_counter()
            sh.sendall(msg)
            read_until(sh, prompt)
            t1 = time.perf_counter()
            ec.sendall(msg)
            got = b""
            while len(got) < len(msg):
                got += ec.recv(64)
            t2 = time.perf_counter()
            if i >= 50:  # warm-up left out
                t_sh.append((t1 - t0) * 1e6)
                t_ec.append((t2 - t1) * 1e6)
        q = lambda v, p: statistics.quantiles(v, n=100)[p - 1]
        print("firmware shell hello RTT: p50 %.0f us, p99 %.0f us (n=%d)" % (q(t_sh, 50), q(t_sh, 99), n))
        print("bare lwIP echo RTT:       p50 %.0f us, p99 %.0f us" % (q(t_ec, 50), q(t_ec, 99)))
        print("ratio shell / echo (p50): %.2f" % (q(t_sh, 50) / q(t_ec, 50)))
    finally:
        qemu.terminate()
        qemu.wait(10)


if __name__ == "__main__":
    main()
