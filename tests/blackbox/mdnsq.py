"""The tests' own small mDNS client (standard library only); prints JSON.

  mdnsq.py query NAME TYPE [--to IP] [--qu]   one-shot query (ephemeral port:
        legacy unicast, RFC 6762 6.7) to 224.0.0.251 or to IP:5353; prints
        {"answers": [...], "id": n} from the first reply within 2 s
  mdnsq.py listen SECONDS   join 224.0.0.251 on port 5353 and print every
        response seen: [{"src": ip, "records": [...]}]
  mdnsq.py raw HEX [HEX ...] --to IP   send raw datagrams to IP:5353
  mdnsq.py flood N --to IP  N random datagrams (seeded), then nothing

A record is {"name", "type", "ttl", "flush", "data"} with data the dotted
address (A/AAAA), the target (PTR), [port, target] (SRV) or strings (TXT).
"""
import json
import random
import socket
import struct
import sys
import time

TYPES = {"A": 1, "PTR": 12, "TXT": 16, "AAAA": 28, "SRV": 33, "NSEC": 47, "ANY": 255}
NAMES = {v: k for k, v in TYPES.items()}


def enc_name(s):
    return b"".join(bytes([len(l)]) + l.encode() for l in s.split(".") if l) + b"\0"


def dec_name(p, off):
    labels, end, hops = [], None, 0
    while True:
        b = p[off]
        if b & 0xC0 == 0xC0:
            if end is None:
                end = off + 2
            off = (b & 0x3F) << 8 | p[off + 1]
            hops += 1
            assert hops < 64
            continue
        if b == 0:
            return ".".join(labels), (end if end is not None else off + 1)
        labels.append(p[off + 1: off + 1 + b].decode(errors="replace"))
        off += 1 + b


def parse(p):
    qd, an, ns, ar = struct.unpack(">4H", p[4:12])
    off, recs = 12, []
    for _ in range(qd):
        _, off = dec_name(p, off)
        off += 4
    for _ in range(an + ns + ar):
        name, off = dec_name(p, off)
        t, c, ttl, rl = struct.unpack(">HHIH", p[off: off + 10])
        off += 10
        d = p[off: off + rl]
        if t == 1:
            data = socket.inet_ntop(socket.AF_INET, d)
        elif t == 28:
            data = socket.inet_ntop(socket.AF_INET6, d)
        elif t == 12:
            data = dec_name(p, off)[0]
        elif t == 33:
            data = [struct.unpack(">H", d[4:6])[0], dec_name(p, off + 6)[0]]
        elif t == 16:
            data, i = [], 0
            while i < len(d):
                data.append(d[i + 1: i + 1 + d[i]].decode(errors="replace"))
                i += 1 + d[i]
        else:
            data = d.hex()
        recs.append({"name": name, "type": NAMES.get(t, t), "ttl": ttl, "flush": bool(c & 0x8000),
                     "data": data})
        off += rl
    return {"id": struct.unpack(">H", p[:2])[0], "flags": struct.unpack(">H", p[2:4])[0],
            "answers": recs}


def query(name, qtype, to, qu):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
    qid = random.randint(1, 65535)
    msg = struct.pack(">6H", qid, 0, 1, 0, 0, 0) + enc_name(name) + \
        struct.pack(">HH", TYPES[qtype], 0x8001 if qu else 1)
    s.sendto(msg, (to or "224.0.0.251", 5353))
    s.settimeout(2)
    try:
        p, a = s.recvfrom(9000)
    except socket.timeout:
        return {"answers": None}
    r = parse(p)
    r["src"] = a[0]
    return r


def listen(secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("", 5353))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("224.0.0.251") + socket.inet_aton("0.0.0.0"))
    out, end = [], time.time() + secs
    print("listening", file=sys.stderr, flush=True)
    while time.time() < end:
        s.settimeout(max(0.01, end - time.time()))
        try:
            p, a = s.recvfrom(9000)
        except socket.timeout:
            break
        try:
            r = parse(p)
        except Exception:
            continue
        if r["flags"] & 0x8000:
            out.append({"src": a[0], "records": r["answers"]})
    return out


def main():
    args = sys.argv[1:]
    to = None
    if "--to" in args:
        i = args.index("--to")
        to = args[i + 1]
        del args[i: i + 2]
    qu = "--qu" in args
    args = [a for a in args if a != "--qu"]
    if args[0] == "query":
        print(json.dumps(query(args[1], args[2], to, qu)))
    elif args[0] == "listen":
        print(json.dumps(listen(float(args[1]))))
    elif args[0] == "raw":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for h in args[1:]:
            s.sendto(bytes.fromhex(h), (to, 5353))
        print(json.dumps({"sent": len(args) - 1}))
    elif args[0] == "flood":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rnd = random.Random(6)
        for _ in range(int(args[1])):
            n = rnd.randint(0, 600)
            body = bytes(rnd.getrandbits(8) for _ in range(n))
            if rnd.random() < 0.5 and n > 12:  # a plausible header, so the parser goes deeper
                body = struct.pack(">6H", 0, 0, rnd.randint(0, 3), rnd.randint(0, 3), 0, 0) + body[12:]
            s.sendto(body, (to, 5353))
        print(json.dumps({"sent": int(args[1])}))


if __name__ == "__main__":
    main()
