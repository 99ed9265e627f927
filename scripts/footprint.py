#!/usr/bin/env python3
"""footprint.py -- flash and static RAM of the firmware, per component, from
GNU ld map files (make footprint; README "Firmware").

    footprint.py [--budgets FILE] PROFILE=path/nodus.map ...

For each profile: a table of text (code + read-only data), data (initialised
RAM, also stored in flash) and bss (zeroed RAM) per component, then one line
    footprint <profile> flash=<bytes> ram=<bytes> lwip_flash=<bytes> lwip_ram=<bytes>
(flash = text + data, ram = data + bss, whole image; lwIP's share named so a
budget can leave it out). With --budgets, each profile's flash and RAM
without lwIP are checked against the file; exit 1 when one is exceeded.
Stack and heap are not static RAM and are not counted (mps2.ld: 16 KB stack).
"""
import os
import re
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
        c = component(path)
        sizes.setdefault(c, {"text": 0, "data": 0, "bss": 0})[k] += size
    return sizes, totals


def report(profile, parsed):
    sizes, totals = parsed
    print("footprint of profile '%s' (bytes)" % profile)
    print("  %-22s %8s %8s %8s" % ("component", "text", "data", "bss"))
    order = sorted(sizes, key=lambda c: (c.startswith("module "),
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
            if len(line) == 3:
                b[line[0]] = (int(line[1]), int(line[2]))
    return b


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
            bf, br = bud[profile]
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
