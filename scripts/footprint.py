#!/usr/bin/env python3
"""footprint.py -- flash and static RAM of the firmware, per component, from
GNU ld map files (make footprint; README "Firmware").

    footprint.py [--budgets FILE] PROFILE=path/nodus.map ...

For each profile: a table of text (code + read-only data), data (initialised
RAM, also stored in flash) and bss (zeroed RAM) per component, then one line
    footprint <profile> flash=<bytes> ram=<bytes> lwip_flash=<bytes> lwip_ram=<bytes>
(flash = text + data, ram = data + bss, whole image; lwIP's share named so a
budget can leave it out). With --budgets, each profile's flash and RAM
without lwIP are checked against the file; exit 1 when one is exceeded. A
budget line may name the profile's goal too (two more numbers): a line
    goal <profile> flash=<have>/<goal> (met|N KB over) ram=...
says how far it is, without failing.
Stack and heap are not static RAM and are not counted (mps2.ld: 16 KB stack).

A link-time optimised image (src/port/mps2/Makefile, LTO=1) has its code in
the map as ltrans objects, not per file. Each of their input sections is
given to the source file its symbol comes from: the image's debug info
(nodus.elf beside the map, arm-none-eabi-readelf) ties a function's or a
variable's address to its declaration in that file's compile unit; a
function's string literals (.rodata.<function>.str1.1) go with the
function; a function's code is split by the line table (each
instruction's source file), so code LTO inlined across files (every
function called once, lwIP's set-up into the reset handler) stays its
file's. Without debug info for it, the section's name decides
(-ffunction-sections/-fdata-sections keep .text.<symbol>, LTO adds
.lto_priv.N, .constprop.N, .part.N ...): the object that defines <symbol>,
from the fat objects' symbol tables (nodus.objs beside the map). A name
defined in files of two components is counted as "unattributed", never
guessed. String literals of a table (.rodata.str1.1, merged, of no
function) go to the one component whose sections point at them; the rest,
and constants without a symbol, are counted as "lto-merged". The totals stay the output sections' own sizes.
"""
import bisect
import os
import re
import struct
import subprocess
import sys

# core files grouped by the service they make up (the rest is "core")
GROUPS = {
    "shell": {"shell", "slots", "cmd", "lit", "render", "text", "exec", "call", "auth",
              "auth_hash", "life", "shcli"},
    "web": {"web", "rest", "rest_path", "http", "http_client", "multipart", "widget", "webfs",
            "webfile", "web_events", "metrics", "safepath", "events"},
    "scheduler": {"task", "sched", "cron", "sun", "tz", "timer", "irq", "caltime"},
    "config": {"cfg", "cfg_apply", "cfg_schema", "cfgstore", "json", "icpeers"},
    "hardware": {"hal", "hal_sim", "hw", "pins", "pinmap", "pinmap_boards", "sim_bme280",
                 "light", "light_lm", "fade", "debounce", "sensors", "board_desc"},
}


def component(path):
    base = os.path.basename(path)
    if "(" in base or path.endswith(".a"):  # archive member: libc, libm, libgcc
        return "libc"
    for third in ("lwip", "cjson", "mbedtls"):  # by their object directories (the Makefile)
        if "/%s/" % third in path:
            return third
    d = os.path.basename(os.path.dirname(path))
    stem = os.path.splitext(base)[0]
    if d == "core":
        for g, names in GROUPS.items():
            if stem in names:
                return g
        return "core"
    if d == "modules":
        return "module " + stem
    if d == "gen":
        return "core"
    if d == "port":
        return "port (mps2)"
    return "other"


# section names LTO gives a symbol's copies: f.lto_priv.0, f.constprop.0.isra.0, f.part.0,
# a function's static variable v.3, a function's string literals f.str1.1
SUFFIX = re.compile(r"(\.(lto_priv|constprop|isra|part|cold|localalias|str\d+|cst)(\.\d+)?|\.\d+)$")
SECPREFIX = re.compile(r"^\.(text|rodata|data|bss)\.")
LTO_FN = re.compile(r"^\.gnu\.lto_([^.].*)\.\d+\.[0-9a-f]+$")
STRINGS = re.compile(r"\.(str\d+\.\d+|cst\d+)$")
READELF = os.environ.get("READELF", "arm-none-eabi-readelf")


def ltrans(path):
    return path.endswith(".ltrans.o")


def bare(name):
    while True:
        m = SUFFIX.search(name)
        if not m or m.start() == 0:
            return name
        name = name[:m.start()]


def source_component(path):
    """The component of a source file (or header) named in the debug info."""
    for third in ("lwip", "cjson", "mbedtls"):  # Debian's trees: lwip-2.1.3+dfsg1/...
        if "/%s-" % third in path:
            return third
    d = os.path.basename(os.path.dirname(path))
    if d in ("core", "modules", "gen") or path.endswith("/src/port/mps2/" + os.path.basename(path)):
        return component(os.path.join(d if d != "mps2" else "port", os.path.basename(path)))
    return None  # a header of ours (include/nodus): its inline code is no one file's


def readelf(args):
    return subprocess.run([READELF] + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          universal_newlines=True).stdout


class Dwarf:
    """Address -> source file, from the debug info of an LTO image: a
    function's or variable's DIE in an ltrans unit points (abstract_origin)
    to its declaration in the compile unit of the file it was written in."""
    DIE = re.compile(r"^ <\d+><([0-9a-f]+)>: Abbrev Number: \d+ \((DW_TAG_\w+)\)")
    ATTR = re.compile(r"^    <[0-9a-f]+>\s+(DW_AT_\w+)\s*: (.*)$")

    def __init__(self, elf):
        self.cus, self.names = [], []  # compile units' first offsets and file names
        self.origin = {}  # DIE -> the DIE it is a copy of
        self.at = {}  # address -> DIE
        die = tag = addr = None
        for line in readelf(["--debug-dump=info", elf]).split("\n") + [" <0>"]:  # the last DIE too
            m = self.DIE.match(line)
            if m or line.startswith(" <"):
                if die is not None and addr is not None and tag in ("DW_TAG_subprogram",
                                                                    "DW_TAG_variable"):
                    self.at.setdefault(addr, die)
                die, tag, addr = (int(m.group(1), 16), m.group(2), None) if m else (None, None, None)
                if tag == "DW_TAG_compile_unit":
                    self.cus.append(die)
                    self.names.append(None)
                continue
            m = self.ATTR.match(line)
            if not m or die is None:
                continue
            at, val = m.groups()
            if at == "DW_AT_name" and tag == "DW_TAG_compile_unit" and self.names[-1] is None:
                self.names[-1] = val.split("): ", 1)[1] if val.startswith("(indirect") else val
            elif at in ("DW_AT_abstract_origin", "DW_AT_specification"):
                self.origin[die] = int(val.strip("<>"), 16)
            elif at == "DW_AT_low_pc":
                addr = int(val, 16)
            elif at == "DW_AT_location":
                m = re.search(r"\(DW_OP_addr: ([0-9a-f]+)\)$", val)
                if m:
                    addr = int(m.group(1), 16)

    def lines(self, elf):
        """The line table: [(address, end, source file)] of every row, sorted."""
        rows, seq, cur = [], [], None
        for line in readelf(["-W", "--debug-dump=decodedline", elf]).split("\n"):
            f = line.split()
            if len(f) == 1 and line.endswith(":") and not line.startswith("CU:"):
                cur = line[:-1]  # the rows that follow are this file's
            elif len(f) >= 3 and (f[2].startswith("0x") or f[2] == "0") and cur:
                seq.append((int(f[2], 16), cur))
                if f[1] == "-":  # the end of a sequence: its last address
                    # a sequence from address 0 is a function --gc-sections
                    # dropped (the linker leaves its rows at 0): address 0 of
                    # the image is the vector table, data without line rows,
                    # so such rows would hand the code there to a dropped file
                    if seq[0][0] != 0:
                        rows += [(a, b[0], fl) for (a, fl), b in zip(seq, seq[1:]) if b[0] > a]
                    seq = []
        rows.sort()
        self.rows, self.starts = rows, [r[0] for r in rows]

    def split(self, addr, size):
        """A function's bytes per the source file each instruction comes from
        (an inlined function's code is its own file's): {file: bytes}."""
        out = {}
        i = max(bisect.bisect_right(self.starts, addr) - 1, 0)
        while i < len(self.rows) and self.rows[i][0] < addr + size:
            a, b, fl = self.rows[i]
            n = min(b, addr + size) - max(a, addr)
            if n > 0:
                out[fl] = out.get(fl, 0) + n
            i += 1
        return out

    def file(self, addr):
        die = self.at.get(addr)
        for _ in range(8):  # a clone's DIE -> the function's ltrans DIE -> its declaration
            if die is None:
                return None
            i = bisect.bisect_right(self.cus, die) - 1
            name = self.names[i] if i >= 0 else None
            if name and name != "<artificial>":
                return name
            die = self.origin.get(die)
        return None


class Image:
    """The bytes of an ELF file's allocated sections, by address."""

    def __init__(self, elf):
        self.parts = []  # (address, bytes)
        with open(elf, "rb") as f:
            d = f.read()
        if d[:4] != b"\x7fELF" or d[4] != 1:  # 32-bit little-endian: the Cortex-M image
            return
        shoff, = struct.unpack_from("<I", d, 0x20)
        shentsize, shnum = struct.unpack_from("<HH", d, 0x2e)
        for i in range(shnum):
            _, typ, flags, addr, off, size = struct.unpack_from("<IIIIII", d, shoff + i * shentsize)
            if typ == 1 and flags & 2 and size:  # PROGBITS, SHF_ALLOC
                self.parts.append((addr, d[off:off + size]))

    def get(self, addr, size):
        for a, b in self.parts:
            if a <= addr and addr + size <= a + len(b):
                return b[addr - a:addr - a + size]
        return b""


def share_strings(merged, owned, image):
    """Give each string of the merged literal sections to the component
    whose sections hold pointers to it (a table of names, a help text);
    merged: [(addr, size)], owned: [(addr, size, component)]. Returns
    {component: bytes} and the bytes left to no single component."""
    starts = {}  # string address -> (length, section) for every string in the merged sections
    for addr, size in merged:
        b, off = image.get(addr, size), 0
        for piece in b.split(b"\0")[:-1] if b else []:
            starts[addr + off] = len(piece) + 1
            off += len(piece) + 1
    users = {}
    for addr, size, comp in owned:
        b = image.get(addr, size)
        for i in range(-addr % 4, len(b) - 3, 4):  # pointers are word-aligned (literal pools too)
            p, = struct.unpack_from("<I", b, i)
            if p in starts:
                users.setdefault(p, set()).add(comp)
    shares, left = {}, 0
    for p, n in starts.items():
        u = users.get(p, ())
        if len(u) == 1:
            c = next(iter(u))
            shares[c] = shares.get(c, 0) + n
        else:
            left += n
    # a section's padding or a string no pointer names (merged tails): left
    left += sum(size for _, size in merged) - sum(starts.values())
    return shares, left


class Symbols:
    """Which linked object defines a symbol: from the fat objects' symbol
    tables (functions and variables, static ones too) and their LTO function
    sections (functions the ordinary code inlined away)."""

    def __init__(self, mapfile):
        self.defs = {}  # bare name -> set of components
        listfile = os.path.join(os.path.dirname(mapfile), "nodus.objs")
        try:
            with open(listfile) as f:
                objs = f.read().split()
        except OSError:
            objs = []
            print("footprint: %s missing: only the debug info attributes the LTO image"
                  % listfile, file=sys.stderr)
        obj = None
        for line in readelf(["-SsW"] + objs).split("\n") if objs else []:
            if line.startswith("File: "):
                obj = line[6:].strip()
                continue
            f = line.split()
            name = None
            if len(f) >= 8 and f[0].endswith(":") and f[3] in ("FUNC", "OBJECT") and f[6] != "UND":
                name = f[7]
            elif len(f) >= 2 and f[0].startswith("[") and "gnu.lto_" in line:
                m = LTO_FN.match(f[1] if f[0].endswith("]") else f[2])  # "[ 9]" is two fields
                name = m and m.group(1)
            if name and obj:
                self.defs.setdefault(bare(name), set()).add(component(obj))
        elf = os.path.join(os.path.dirname(mapfile), "nodus.elf")
        self.dwarf = None
        if os.path.exists(elf):
            self.dwarf = Dwarf(elf)
            self.dwarf.lines(elf)

    def code(self, addr, size, owner):
        """A function's bytes by component: each instruction's source file,
        so a function inlined into another file's function (LTO inlines
        every function called once: lwIP's init into the reset handler)
        still counts as its own; a header's inline code and the literal
        pool count as the function's (owner's)."""
        shares, left = {}, size
        for f, n in (self.dwarf.split(addr, size) if self.dwarf else {}).items():
            c = source_component(f)
            if c:
                shares[c] = shares.get(c, 0) + n
                left -= n
        shares[owner] = shares.get(owner, 0) + left
        return shares

    def component(self, section, addr, functions):
        """The component of an ltrans input section at addr; functions: the
        components of the image's functions by section name, for their strings."""
        if section == ".vectors":
            return "port (mps2)"
        m = SECPREFIX.match(section)
        if not m:
            return "lto-merged"
        name = section[m.end():]
        if STRINGS.match("." + name):  # literals of several functions, merged
            return "lto-merged"
        if STRINGS.search(name):  # a function's literals
            return functions.get(STRINGS.sub("", name), "unattributed")
        f = self.dwarf and self.dwarf.file(addr)
        c = f and source_component(f)
        if c:
            return c
        comps = self.defs.get(bare(name))
        if not comps or len(comps) > 1:
            return "unattributed"
        return next(iter(comps))


def kind(section):
    if section.startswith((".text", ".rodata", ".ARM.exidx", ".vectors", ".init", ".fini",
                           ".glue", ".vfp11", ".v4_bx", ".iplt", ".preinit_array",
                           ".init_array", ".fini_array")):
        return "text"
    if section.startswith(".data"):
        return "data"
    if section.startswith((".bss", "COMMON")):
        return "bss"
    return None


# output sections that take flash or RAM (mps2.ld); .cfgflash is the config
# store's reserved area, not the program's RAM
OUTPUTS = {".text", ".ARM.exidx", ".preinit_array", ".init_array", ".fini_array", ".data", ".bss"}
LINE = re.compile(r"^ (\S+)?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


def parse(mapfile):
    sizes, totals = {}, {}
    with open(mapfile) as f:
        lines = f.read().split("\n")
    try:
        start = lines.index("Linker script and memory map")
    except ValueError:
        sys.exit("footprint: %s is not a GNU ld map" % mapfile)
    pending = None
    out = None  # the output section the lines belong to (column 0 in the map)
    lto = []  # an LTO map's ltrans sections: attributed once all are read
    for line in lines[start:]:
        if line.startswith("."):
            f = line.split()
            out = f[0]
            if out in OUTPUTS:
                # the output section's own size (on this line or the next): exact
                # totals, where the inputs over-count merged strings a little
                nxt = f[1:] if len(f) >= 3 else lines[lines.index(line, start) + 1].split()
                if len(nxt) >= 2 and nxt[1].startswith("0x"):
                    totals[out] = int(nxt[1], 16)
            continue
        if out not in OUTPUTS:
            continue
        if line.startswith(" ") and not line.startswith("  ") and len(line.split()) == 1:
            pending = line.split()[0]  # a long section name; its numbers follow
            continue
        m = LINE.match(line)
        if not m:
            pending = None
            continue
        sec = m.group(1) or pending
        pending = None
        if not sec or sec.startswith("*fill*"):
            continue
        k = kind(sec)
        size = int(m.group(3), 16)
        path = m.group(4).strip()
        if not k or not size or not path.startswith(("/", ".")) and "(" not in path:
            continue
        if ltrans(path):
            lto.append((sec, int(m.group(2), 16), k, size))
            continue
        c = component(path)
        sizes.setdefault(c, {"text": 0, "data": 0, "bss": 0})[k] += size
    if lto:
        syms = Symbols(mapfile)
        functions, owned, merged = {}, [], []
        # functions first: their string literals follow them
        for sec, addr, k, size in sorted(lto, key=lambda x: not x[0].startswith(".text.")):
            c = syms.component(sec, addr, functions)
            if sec.startswith(".text."):
                functions[sec[6:]] = c
            if c == "lto-merged" and STRINGS.match(sec[7:]) and sec.startswith(".rodata.str"):
                merged.append((addr, size))
                continue
            owned.append((addr, size, c))
            for c2, n in (syms.code(addr, size, c) if sec.startswith(".text.") else {c: size}).items():
                sizes.setdefault(c2, {"text": 0, "data": 0, "bss": 0})[k] += n
        elf = os.path.join(os.path.dirname(mapfile), "nodus.elf")
        if merged:
            if os.path.exists(elf):
                shares, left = share_strings(merged, owned, Image(elf))
            else:
                shares, left = {}, sum(n for _, n in merged)
            for c, n in list(shares.items()) + [("lto-merged", left)]:
                if n:
                    sizes.setdefault(c, {"text": 0, "data": 0, "bss": 0})["text"] += n
    return sizes, totals


def report(profile, parsed):
    sizes, totals = parsed
    print("footprint of profile '%s' (bytes)" % profile)
    print("  %-22s %8s %8s %8s" % ("component", "text", "data", "bss"))
    order = sorted(sizes, key=lambda c: (c in ("lto-merged", "unattributed"), c.startswith("module "),
                                         c in ("lwip", "libc", "cjson", "mbedtls"), c))
    tot = {"text": 0, "data": 0, "bss": 0}
    for c in order:
        s = sizes[c]
        print("  %-22s %8d %8d %8d" % (c, s["text"], s["data"], s["bss"]))
        for k in tot:
            tot[k] += s[k]
    print("  %-22s %8d %8d %8d" % ("total", tot["text"], tot["data"], tot["bss"]))
    lw = sizes.get("lwip", {"text": 0, "data": 0, "bss": 0})
    data = totals.get(".data", tot["data"])
    flash = sum(v for k, v in totals.items() if k not in (".data", ".bss")) + data
    ram = data + totals.get(".bss", tot["bss"])
    lflash, lram = lw["text"] + lw["data"], lw["data"] + lw["bss"]
    return flash, ram, lflash, lram


def budgets(path):
    b = {}
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split()
            if len(line) in (3, 5):  # profile flash ram [goal_flash goal_ram]
                b[line[0]] = tuple(int(x) for x in line[1:])
    return b


def distance(have, goal):
    return "met" if have <= goal else "%.1f KB over" % ((have - goal) / 1024.0)


def main(argv):
    bud = None
    if argv[:1] == ["--budgets"]:
        bud = budgets(argv[1])
        argv = argv[2:]
    failed = []
    lines = []
    for arg in argv:
        profile, mapfile = arg.split("=", 1)
        flash, ram, lflash, lram = report(profile, parse(mapfile))
        lines.append("footprint %s flash=%d ram=%d lwip_flash=%d lwip_ram=%d"
                     % (profile, flash, ram, lflash, lram))
        if bud is not None:
            if profile not in bud:
                failed.append("%s: no budget in the budgets file" % profile)
                continue
            bf, br = bud[profile][:2]
            if len(bud[profile]) == 4:  # how far the goal is: said, not enforced
                gf, gr = bud[profile][2:]
                lines.append("goal %s flash=%d/%d (%s) ram=%d/%d (%s)" % (
                    profile, flash - lflash, gf, distance(flash - lflash, gf),
                    ram - lram, gr, distance(ram - lram, gr)))
            if flash - lflash > bf:
                failed.append("%s: flash without lwIP %d > budget %d" % (profile, flash - lflash, bf))
            if ram - lram > br:
                failed.append("%s: static RAM without lwIP %d > budget %d" % (profile, ram - lram, br))
    for f in failed:
        print("footprint: OVER BUDGET: " + f, file=sys.stderr)
    for line in lines:
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
