#!/bin/sh
# fetch-src.sh DIR PKG... -- third-party sources for the firmware (lwIP,
# cJSON) from Debian's source packages, unpacked under DIR at build time.
# Nothing fetched here is ever committed. When apt knows no deb-src entry for
# the suite the machine runs, one is added (as root, and said so) in
# /etc/apt/sources.list.d/nodus-deb-src.sources, mirroring the deb entries;
# without root the script stops with the exact commands to run.
set -eu
dir=$1
shift
mkdir -p "$dir"
cd "$dir"
need=""
for p in "$@"; do
    # already unpacked (a directory PKG-VERSION): nothing to do
    if ! ls -d "$p"-*/ >/dev/null 2>&1; then need="$need $p"; fi
done
[ -n "$need" ] || exit 0
command -v dpkg-source >/dev/null 2>&1 || {
    echo "nodus firmware: dpkg-source is missing: apt-get install dpkg-dev" >&2
    exit 1
}
list=/etc/apt/sources.list.d/nodus-deb-src.sources
if ! apt-get source --print-uris $need >/dev/null 2>&1; then
    . /etc/os-release
    suite=${VERSION_CODENAME:-bookworm}
    entry="Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $suite
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
    if [ "$(id -u)" -ne 0 ]; then
        echo "nodus firmware: apt has no deb-src entry for$need; as root run:" >&2
        echo "  printf '%s\\n' '$(echo "$entry" | sed ':a;N;$!ba;s/\n/'"' '"'/g')' > $list && apt-get update" >&2
        exit 1
    fi
    echo "nodus firmware: adding a deb-src entry ($list) and running apt-get update"
    printf '%s\n' "$entry" >"$list"
    apt-get update -qq
fi
echo "nodus firmware: apt-get source$need (into $dir)"
# shellcheck disable=SC2086
apt-get source -qq $need
