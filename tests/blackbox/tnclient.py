"""A minimal telnet client for the black-box tests of the telnet door.

Raw sockets (optionally from a chosen 127.0.0.x source address), telnet
commands stripped from what arrives and kept aside so tests can look at the
negotiation, every option the node offers refused (as `nc` would, by saying
nothing, or as a polite client, by DONT/WONT).
"""
import re
import socket
import time

IAC, DONT, DO, WONT, WILL, SB, SE, IP = 255, 254, 253, 252, 251, 250, 240, 244
PROMPT = re.compile(rb"[^\n]* \$ $")  # nsh's prompt: "/data $ "
PASSWORD = "ADmin123"


class Telnet:
    def __init__(self, port, src=None, timeout=5, answer=True):
        self.sock = socket.socket()
        if src:
            self.sock.bind((src, 0))
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.answer = answer  # refuse offers (a telnet client) or stay silent (nc)
        self.cmds = []  # (verb, option) received
        self.text = b""  # data received, telnet stripped, not consumed yet
        self.closed = False
        self._st = 0
        self._verb = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def line(self, text):
        self.send(text.encode().replace(b"\xff", b"\xff\xff") + b"\r\n")

    def _feed(self, raw):
        out = bytearray()
        for b in raw:
            if self._st == 0:
                if b == IAC:
                    self._st = 1
                else:
                    out.append(b)
            elif self._st == 1:
                if b == IAC:
                    out.append(b)
                    self._st = 0
                elif b in (DO, DONT, WILL, WONT):
                    self._verb, self._st = b, 2
                elif b == SB:
                    self._st = 3
                else:
                    self.cmds.append((b, None))
                    self._st = 0
            elif self._st == 2:
                self.cmds.append((self._verb, b))
                if self.answer and self._verb == WILL:
                    self.send(bytes([IAC, DONT, b]))
                elif self.answer and self._verb == DO:
                    self.send(bytes([IAC, WONT, b]))
                self._st = 0
            elif self._st == 3:
                if b == IAC:
                    self._st = 4
            elif self._st == 4:
                self._st = 0 if b == SE else 3
        self.text += bytes(out)

    def pump(self, timeout):
        self.sock.settimeout(max(timeout, 0.01))
        try:
            raw = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            raw = b""
        if not raw:
            self.closed = True
            return False
        self._feed(raw)
        return True

    def until(self, pred, timeout=5):
        """Read until pred(text) is true; returns text (not consumed)."""
        deadline = time.time() + timeout
        while not pred(self.text):
            left = deadline - time.time()
            if left <= 0 or self.closed:
                raise AssertionError("waited in vain; got %r" % self.text[-400:])
            self.pump(left)
        return self.text

    def expect(self, what, timeout=5):
        if isinstance(what, str):
            what = what.encode()
        self.until(lambda t: what in t, timeout)
        i = self.text.index(what) + len(what)
        got, self.text = self.text[:i], self.text[i:]
        return got

    def prompt(self, timeout=5):
        """Everything up to and including the next nsh prompt (consumed)."""
        self.until(lambda t: PROMPT.search(t) is not None, timeout)
        got, self.text = self.text, b""
        return got

    def read_until_close(self, timeout=5):
        deadline = time.time() + timeout
        while not self.closed:
            left = deadline - time.time()
            if left <= 0:
                raise AssertionError("still open after %ss; got %r" % (timeout, self.text[-300:]))
            self.pump(left)
        got, self.text = self.text, b""
        return got

    def login(self, pw=PASSWORD, user="admin"):
        self.expect("login: ")
        self.line(user)
        self.expect("Password: ")
        self.line(pw)

    def shell(self, pw=PASSWORD):
        """Log in and wait for the first prompt."""
        self.login(pw)
        self.expect("nsh on ")
        self.prompt()
        return self

    def cmd(self, line, timeout=5):
        """Output of one command line (prompt removed, CR LF as \\n)."""
        self.line(line)
        out = self.prompt(timeout)
        out = out.replace(b"\r\n", b"\n")
        return PROMPT.sub(b"", out).decode(errors="replace")
