#!/usr/bin/env bash
# deps.sh -- install the Debian packages nodus needs, and only the missing ones.
#   scripts/deps.sh          what `make run` needs (build + run a node)
#   scripts/deps.sh --test   what `make test` needs as well (browser, Prometheus, npm packages)
#   scripts/deps.sh --bench  what `make bench` needs as well (wrk, nginx)
#   scripts/deps.sh --deb    what `make deb` needs as well (dpkg-dev)
# Says what it installs; needs root or sudo only when something is missing.
set -euo pipefail

run_pkgs="gcc make cmake pkg-config libcjson-dev libedit2 libmbedtls-dev liblua5.4-dev libmosquitto-dev libssl-dev"
test_pkgs="libcmocka-dev python3 python3-pytest python3-pexpect python3-requests clang libclang-rt-dev lua5.4
valgrind chromium prometheus chrony avahi-daemon avahi-utils bind9-dnsutils dbus iproute2
dpkg-dev lintian systemd strace telnet netcat-openbsd
gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm curl mosquitto mosquitto-clients openssl
gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf"
bench_pkgs="wrk nginx"
deb_pkgs="dpkg-dev"

pkgs="$run_pkgs"
case "${1:-}" in
--test) pkgs="$run_pkgs $test_pkgs" ;;
--bench) pkgs="$run_pkgs $bench_pkgs" ;;
--deb) pkgs="$run_pkgs $deb_pkgs" ;;
esac
# Node.js for the browser tests: any node + npm will do (Debian's, or NodeSource's
# if the machine has it already -- installing Debian's over it would conflict).
if [ "${1:-}" = "--test" ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
    pkgs="$pkgs nodejs npm"
fi

npm_deps() {
    # playwright-core drives Debian's chromium; no browser download
    [ "${1:-}" = "--test" ] || return 0
    [ -d node_modules/playwright-core ] && return 0
    echo "nodus: installing npm packages (package-lock.json) into node_modules/"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
}

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
cd "$(dirname "$0")/.."
if [ -z "$missing" ]; then
    npm_deps "${1:-}"
    exit 0
fi

echo "nodus: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
    echo "nodus: this needs root; using sudo"
else
    echo "nodus: please install as root: apt-get install$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
npm_deps "${1:-}"
