#!/usr/bin/env bash
# mkdeb.sh BUILD_DIR -- pack a built nodus into BUILD_DIR/nodus_<version>_<arch>.deb
# (`make deb` builds BUILD_DIR with dpkg-buildflags first; README "Debian package").
#
# Plain dpkg-deb, no debhelper: the package is one binary, a man page, a unit
# and one conffile. What debhelper would do is done here, each step named:
# stage with cmake --install, strip, compress man page and changelog, compute
# Depends from the shared libraries the binary really links (dpkg-shlibdeps),
# md5sums, root-owned files (dpkg-deb --root-owner-group, no fakeroot).
# The node's state (/var/lib/nodus) is never in the package: systemd creates
# it, and only a purge removes it (deb/postrm).
set -euo pipefail
B=${1:?usage: packaging/mkdeb.sh BUILD_DIR}
B=$(cd "$B" && pwd)
cd "$(dirname "$0")/.."
P=packaging
MAINTAINER=${DEB_MAINTAINER:-"nodus maintainers <maintainers@users.noreply.r-seed-057df9e9.example>"}

# The package version is nodus's own (micrOS-style X.Y.Z-N, kept whole as the
# upstream part) and a Debian revision for the packaging: 0.1.0-0-1. The top
# entry of deb/changelog gives it, and must be about this nodus version.
upstream=$(sed -n 's/^#define NODUS_VERSION "\([^"]*\)".*/\1/p' include/nodus/node.h)
[ -n "$upstream" ] || { echo "mkdeb: no NODUS_VERSION in include/nodus/node.h" >&2; exit 1; }
version=$(sed -n '1s/^nodus (\([^)]*\)).*/\1/p' $P/deb/changelog)
if [ "${version%-*}" != "$upstream" ]; then
    echo "mkdeb: $P/deb/changelog starts at $version but nodus is $upstream:" \
        "add an entry for $upstream-1" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)

root=$B/deb-root
rm -rf "$root"
umask 022
DESTDIR=$root cmake --install "$B" --prefix /usr --strip >/dev/null
unit=$root/lib/systemd/system/nodus.service
[ -f "$unit" ] || { echo "mkdeb: $B is not configured with -DND_SYSTEMD_UNITDIR=/lib/systemd/system" >&2; exit 1; }
# what --strip leaves that Debian's dh_strip removes too
strip --remove-section=.comment --remove-section=.note "$root/usr/bin/nodus"

gzip -9n "$root/usr/share/man/man1/nodus.1"
doc=$root/usr/share/doc/nodus
install -d "$doc" "$root/etc/default" "$root/DEBIAN" "$root/usr/share/lintian/overrides"
install -m 0644 $P/deb/lintian-overrides "$root/usr/share/lintian/overrides/nodus"
install -m 0644 $P/deb/copyright "$doc/copyright"
gzip -9nc $P/deb/changelog >"$doc/changelog.Debian.gz"
install -m 0644 $P/default "$root/etc/default/nodus"

# Depends: the packages of the libraries the binary links, at the versions
# whose symbols it uses. dpkg-shlibdeps wants a debian/control to exist.
sh=$B/deb-shlibdeps
mkdir -p "$sh/debian"
printf 'Source: nodus\n\nPackage: nodus\nArchitecture: any\n' >"$sh/debian/control"
depends=$(cd "$sh" && dpkg-shlibdeps -O -e "$root/usr/bin/nodus" 2>"$sh/warnings") || {
    cat "$sh/warnings" >&2
    exit 1
}
depends=${depends#shlibs:Depends=}
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependency" >&2; exit 1; }

# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, and
# one per other entry (directories)
size=$(find "$root" -path "$root/DEBIAN" -prune -o -type f -printf '%s\n' |
    awk '{ k += int(($1 + 1023) / 1024) } END { print k + 0 }')
size=$((size + $(find "$root" -path "$root/DEBIAN" -prune -o ! -type f -print | wc -l)))

sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@MAINTAINER@|$MAINTAINER|" \
    -e "s|@SIZE@|$size|" -e "s|@DEPENDS@|$depends|" $P/deb/control.in >"$root/DEBIAN/control"
install -m 0644 $P/deb/conffiles "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do
    sh -n "$P/deb/$s"
    install -m 0755 "$P/deb/$s" "$root/DEBIAN/$s"
done
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z |
    xargs -0 md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums" "$root/DEBIAN/control"

rm -f "$B"/nodus_*.deb
out=$B/nodus_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$out" >/dev/null
echo "$out"
echo "Depends: $depends"
