#!/bin/sh
# qemu-run.sh ELF -- boot the nodus firmware in QEMU (mps2-an385, or
# mps2-an386 for a cortex-m4 image: FW_MACHINE), the UART on stdout, QEMU's
# user network with the node's doors forwarded to loopback only:
#   127.0.0.1:${FW_SHELL_PORT:-19008} -> shell (9008)
#   127.0.0.1:${FW_WEB_PORT:-18080}   -> web door / REST (80)
#   127.0.0.1:${FW_ECHO_PORT:-0}      -> the bare lwIP echo (7), when set (bench)
#   10.0.2.100:1883 (guest) -> 127.0.0.1:${FW_MQTT_PORT} (host), when set (MQTT tests)
# A `reboot` resets the board inside QEMU (same process, config kept).
# FW_QEMU_ARGS: more QEMU options (the tests corrupt the config flash at each
# reset with -device loader,addr=...,data=...).
set -eu
elf=$1
fwd="hostfwd=tcp:127.0.0.1:${FW_SHELL_PORT:-19008}-10.0.2.15:9008"
fwd="$fwd,hostfwd=tcp:127.0.0.1:${FW_WEB_PORT:-18080}-10.0.2.15:80"
if [ "${FW_ECHO_PORT:-0}" != 0 ]; then
    fwd="$fwd,hostfwd=tcp:127.0.0.1:${FW_ECHO_PORT}-10.0.2.15:7"
fi
# an MQTT broker on the host's loopback, reached by the board as 10.0.2.100:1883
if [ "${FW_MQTT_PORT:-0}" != 0 ]; then
    fwd="$fwd,guestfwd=tcp:10.0.2.100:1883-tcp:127.0.0.1:${FW_MQTT_PORT}"
fi
command -v qemu-system-arm >/dev/null || {
    echo "nodus firmware: qemu-system-arm missing: apt-get install qemu-system-arm" >&2
    exit 1
}
# restrict=on: the guest reaches nothing but the forwarded ports
# shellcheck disable=SC2086
exec qemu-system-arm -M "${FW_MACHINE:-mps2-an385}" -display none -monitor none \
    -serial stdio -kernel "$elf" -nic "user,model=lan9118,restrict=on,$fwd" ${FW_QEMU_ARGS:-}
