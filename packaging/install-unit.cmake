# install-unit.cmake -- installs nodus.service; run by `cmake --install`
# (CMakeLists.txt, install(SCRIPT)), so it sees the prefix given at install
# time (`make install PREFIX=...`, `cmake --install --prefix ...`), not the
# configure-time one: the unit must name the binary where it was installed.
# ND_UNITDIR (empty: PREFIX/lib/systemd/system), ND_PKGDIR (this folder) and
# ND_GENDIR (a folder of the build tree) come from an install(CODE) line.
if(NOT ND_UNITDIR)
  set(ND_UNITDIR "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
endif()
file(READ "${ND_PKGDIR}/nodus.service" unit)
string(REPLACE "ExecStart=/usr/bin/nodus " "ExecStart=${CMAKE_INSTALL_PREFIX}/bin/nodus " unit "${unit}")
string(FIND "${unit}" "ExecStart=${CMAKE_INSTALL_PREFIX}/bin/nodus " at)
if(at EQUAL -1)
  message(FATAL_ERROR "packaging/nodus.service: no 'ExecStart=/usr/bin/nodus ' line to point at the install")
endif()
# file(INSTALL) adds $DESTDIR and lists the file in install_manifest.txt
set(gen "${ND_GENDIR}/nodus.service")
file(WRITE "${gen}" "${unit}")
file(INSTALL "${gen}" DESTINATION "${ND_UNITDIR}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
