#!/bin/sh
# qemu-run.sh ELF -- boot the nodus firmware in QEMU (mps2-an385, or
# mps2-an386 for a cortex-m4 image: FW_MACHINE), the UART on stdout, QEMU's
# user network with the node's doors forwarded to loopback only:
#   127.0.0.1:${FW_SHELL_PORT:-19008} -> shell (9008)
#   127.0.0.1:${FW_WEB_PORT:-18080}   -> web door / REST (80)
#   127.0.0.1:${FW_ECHO_PORT:-0}      -> the bare lwIP echo (7), when set (bench)
#   10.0.2.100:1883 (guest) -> 127.0.0.1:${FW_MQTT_PORT} (host), when set (MQTT tests)
#   FW_UDP_FWD="HOST:GUEST ...": UDP 127.0.0.1:HOST -> 10.0.2.15:GUEST, e.g.
#     "15353:5353" for the board's mDNS responder (legacy unicast queries)
#   FW_RESTRICT=off: the guest may send anywhere (QEMU maps 10.0.2.2 to the
#     host's 127.0.0.1; a UDP server there is how the board gets SNTP and DNS,
#     as guestfwd is TCP only). Default on: nothing but the forwards above --
#     not even QEMU's DNS forwarder 10.0.2.3, the board's default nameserver
#     (dns_lwip.c): its lookups time out there, as on a LAN without DNS.
#     Off is for a private network namespace holding only loopback
#     (tests/blackbox/test_firmware_udp.py): otherwise the board's mDNS
#     multicast and whatever it dials would leave the machine.
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
for f in ${FW_UDP_FWD:-}; do
    fwd="$fwd,hostfwd=udp:127.0.0.1:${f%%:*}-10.0.2.15:${f##*:}"
done
restrict=${FW_RESTRICT:-on}
case $restrict in on | off) ;; *)
    echo "nodus firmware: FW_RESTRICT must be on or off" >&2
    exit 1
    ;;
esac
command -v qemu-system-arm >/dev/null || {
    echo "nodus firmware: qemu-system-arm missing: apt-get install qemu-system-arm" >&2
    exit 1
}
# restrict=on (default): the guest reaches nothing but the forwarded ports
# shellcheck disable=SC2086
exec qemu-system-arm -M "${FW_MACHINE:-mps2-an385}" -display none -monitor none \
    -serial stdio -kernel "$elf" -nic "user,model=lan9118,restrict=$restrict,$fwd" ${FW_QEMU_ARGS:-}
