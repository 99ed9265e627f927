#!/usr/bin/env bash
# deps.sh -- install the Debian packages nodus needs, and only the missing ones.
#   scripts/deps.sh          what `make run` needs (build + run a node)
#   scripts/deps.sh --test   what `make test` needs as well
# Says what it installs; needs root or sudo only when something is missing.
set -euo pipefail

run_pkgs="gcc make cmake pkg-config libcjson-dev libedit-dev"
test_pkgs="libcmocka-dev python3 python3-pytest python3-pexpect clang libclang-rt-dev valgrind"

pkgs="$run_pkgs"
[ "${1:-}" = "--test" ] && pkgs="$run_pkgs $test_pkgs"

missing=""
for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0

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
