"""The node binary's cold-code layout (cmake/cold.ld.in, README "Benchmarks").

Idle RSS (issue 12, <= 3 MB) depends on the code an idle node runs staying in
one run of pages: pages come in by 64 kB fault-around windows. RSS itself
varies with the machine (shared libc pages), so these tests check the layout
that keeps it low: what an idle node runs is in .text, whole files it never
runs are in .text.nd_cold, and the layout costs no hardening (no writable and
executable segment, constants not executable, still PIE).
"""
import re
import shutil
import subprocess

import pytest

from conftest import NODUS_BIN

pytestmark = pytest.mark.skipif(not shutil.which("readelf") or not shutil.which("nm"),
                                reason="needs binutils (readelf, nm)")


def sections():
    out = subprocess.run(["readelf", "-SW", NODUS_BIN], capture_output=True, text=True,
                         check=True).stdout
    secs = {}
    for m in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", out):
        secs[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    return secs


def symbols():
    out = subprocess.run(["nm", "--defined-only", NODUS_BIN], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3:
            syms.setdefault(p[2], int(p[0], 16))
    return syms


def section_of(secs, addr):
    for name, (start, size) in secs.items():
        if start <= addr < start + size:
            return name
    return None


def test_start_path_is_hot_and_idle_free_code_is_cold():
    secs, syms = sections(), symbols()
    assert ".text.nd_cold" in secs and ".rodata.nd_cold" in secs, "cold.ld not linked in"
    # run by every idle node with nsh and telnet on: start-up, loop, doors, config, auth hash
    for f in ["main", "nd_node_start", "nd_loop_run", "nd_shell_start", "nd_telnet_start",
              "nd_cfg_load", "nd_pbkdf2_sha256", "mbedtls_internal_sha256_process",
              "nd_nsh_env_seed", "nd_timers_run"]:
        assert section_of(secs, syms[f]) == ".text", f
    # never run by an idle node: Lua, the rest of mbedTLS, nsh commands, MQTT client, CLI
    for f in ["luaV_execute", "mbedtls_ecdsa_verify", "nd_nsh_run_line", "nd_nsh_lex",
              "nd_cli_connect"]:
        assert section_of(secs, syms[f]) == ".text.nd_cold", f
    # the embedded web UI's files are constants an idle node does not read
    assert section_of(secs, syms["nd_webassets_count"]) == ".rodata.nd_cold"


def test_layout_keeps_hardening():
    out = subprocess.run(["readelf", "-lWd", NODUS_BIN], capture_output=True, text=True,
                         check=True).stdout
    assert "DYN (Position-Independent Executable file)" in out
    # program headers in order with their flags, then which sections each one maps
    phdrs = re.findall(r"^\s+(\w+)\s+(?:0x[0-9a-f]+\s+){5}(.{3})\s+0x[0-9a-f]+$", out, re.M)
    assert not any("W" in fl and "E" in fl for _, fl in phdrs), phdrs
    seen = set()
    for idx, names in re.findall(r"^\s+(\d\d)\s+(\S.*)$", out, re.M):
        kind, fl = phdrs[int(idx)]
        if kind != "LOAD":
            continue
        names = names.split()
        seen.update(names)
        if ".rodata.nd_cold" in names or ".dynsym" in names or ".rodata" in names:
            assert "E" not in fl, (names, fl)
        if ".text.nd_cold" in names:
            assert "E" in fl and ".dynsym" not in names and ".rodata" not in names, (names, fl)
    assert {".text.nd_cold", ".rodata.nd_cold", ".text", ".rodata"} <= seen
    # packed relative relocations where the linker has them (ld >= 2.38, glibc >= 2.36)
    ld_help = subprocess.run(["ld", "--help"], capture_output=True, text=True).stdout
    assert "(RELR)" in out or "pack-relative-relocs" not in ld_help
