#!/bin/sh
# portcheck.sh OUTDIR -- the core and the built-in modules compile, warnings
# as errors, for the instruction sets of the next boards (README "Firmware"):
#   cortex-m0plus  RP2040 (Pico W)        arm-none-eabi-gcc + newlib
#   cortex-m3      the QEMU MPS2 image    arm-none-eabi-gcc + newlib
#   rv32imac       ESP32-C3/C6            riscv64-unknown-elf-gcc + picolibc
# with the firmware's limits (src/port/mps2/nd_port_opts.h), and prints the
# code/data/bss of the objects (before linking: the linker's garbage
# collection makes an image smaller, see `make footprint`). The A/B update
# machine (mbedTLS's ECDSA) and Lua are left out, as in the firmware.
# Needs the fetched cJSON/mbedTLS headers: run `make firmware` first.
set -eu
out=$1
root=$(cd "$(dirname "$0")/.." && pwd)
fw=${FW:-$root/build-fw}
cj=$(ls -d "$fw"/full/inc 2>/dev/null || true)
mb=$(ls -d "$fw"/src/mbedtls-*/include 2>/dev/null | head -1)
if [ -z "$cj" ] || [ -z "$mb" ]; then
    echo "portcheck: no fetched sources in $fw: run make firmware first" >&2
    exit 1
fi
common="-std=c11 -Os -ffunction-sections -fdata-sections -Wall -Wextra -Werror -Wshadow
-Wno-unused-parameter -DND_PORT_OPTS -I$root/src/port/mps2 -I$root/include -I$root/src/core
-I$cj -I$mb"
rc=0
check() { # name compiler size flags...
    name=$1 cc=$2 size=$3
    shift 3
    if ! command -v "$cc" >/dev/null; then
        echo "portcheck $name: $cc not installed (scripts/deps.sh --test)" >&2
        rc=1
        return
    fi
    mkdir -p "$out/$name"
    fails=0
    for f in "$root"/src/core/*.c "$root"/modules/*.c; do
        case $f in */lua_*.c | */update.c | */update_fetch.c) continue ;; esac
        # shellcheck disable=SC2086
        if ! "$cc" "$@" $common -c "$f" -o "$out/$name/$(basename "$f" .c).o" 2>"$out/$name.err"; then
            echo "portcheck $name: $f does not compile:" >&2
            head -5 "$out/$name.err" >&2
            fails=$((fails + 1))
        fi
    done
    [ "$fails" -eq 0 ] || rc=1
    "$size" -t "$out/$name"/*.o | tail -1 |
        awk -v n="$name" '{printf "portcheck %s text=%d data=%d bss=%d\n", n, $1, $2, $3}'
}
check cortex-m0plus arm-none-eabi-gcc arm-none-eabi-size -mcpu=cortex-m0plus -mthumb
check cortex-m3 arm-none-eabi-gcc arm-none-eabi-size -mcpu=cortex-m3 -mthumb
check rv32imac riscv64-unknown-elf-gcc riscv64-unknown-elf-size --specs=picolibc.specs \
    -march=rv32imac -mabi=ilp32 -misa-spec=2.2
exit $rc
