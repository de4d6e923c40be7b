# package.cmake — the man page, what `make install` puts where, and the
# Debian package `make deb` builds with CPack (issue #10):
#
#   /usr/bin/assettrack                       the program (stripped)
#   /usr/share/man/man1/assettrack.1.gz       man/assettrack.1.scd via scdoc
#   /usr/share/bash-completion/completions/assettrack
#   /lib/systemd/system/assettrack.service    DynamicUser, StateDirectory, hardened
#   /lib/systemd/system/assettrack-backup.{service,timer}   (shipped disabled)
#   /usr/libexec/assettrack/nightly-backup    the backup timer's job
#   /etc/assettrack/assettrack.conf           a conffile
#   /usr/share/doc/assettrack/                copyright, changelog.gz, README.md,
#                                             openapi.json
#
# The package's library dependencies are the ones Debian declares for
# them (dpkg-shlibdeps over the binary: CPACK_DEBIAN_PACKAGE_SHLIBDEPS).

# ---- the man page ------------------------------------------------------

find_program(AT_SCDOC scdoc)
if(NOT AT_SCDOC)
  message(FATAL_ERROR "scdoc (the man page's formatter) is missing: it comes with the "
    "Debian package scdoc; ${AT_DEPS_HINT} scdoc")
endif()
find_program(AT_GZIP gzip REQUIRED)
set(AT_MAN ${CMAKE_BINARY_DIR}/assettrack.1)
add_custom_command(OUTPUT ${AT_MAN} ${AT_MAN}.gz
  COMMAND sh ${CMAKE_SOURCE_DIR}/packaging/scdoc-man.sh
          ${CMAKE_SOURCE_DIR}/man/assettrack.1.scd ${AT_MAN}
  # -n: no name or time stamp inside, so the same page packs the same.
  COMMAND ${AT_GZIP} -9n -c ${AT_MAN} > ${AT_MAN}.gz
  DEPENDS ${CMAKE_SOURCE_DIR}/man/assettrack.1.scd ${CMAKE_SOURCE_DIR}/packaging/scdoc-man.sh
  COMMENT "Man page assettrack(1)")
set(AT_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${AT_CHANGELOG_GZ}
  COMMAND ${AT_GZIP} -9n -c ${CMAKE_SOURCE_DIR}/packaging/debian/changelog > ${AT_CHANGELOG_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/packaging/debian/changelog)
add_custom_target(man ALL DEPENDS ${AT_MAN} ${AT_MAN}.gz ${AT_CHANGELOG_GZ})

# ---- install rules -----------------------------------------------------

set(AT_PKG ${CMAKE_SOURCE_DIR}/packaging)
install(TARGETS assettrack RUNTIME DESTINATION bin)
install(FILES ${AT_MAN}.gz DESTINATION share/man/man1)
install(FILES ${AT_PKG}/assettrack.bash-completion
  DESTINATION share/bash-completion/completions RENAME assettrack)
# Debian 12's place for units of packages (dh_installsystemd's).
install(FILES ${AT_PKG}/systemd/assettrack.service ${AT_PKG}/systemd/assettrack-backup.service
  ${AT_PKG}/systemd/assettrack-backup.timer DESTINATION /lib/systemd/system)
install(PROGRAMS ${AT_PKG}/nightly-backup DESTINATION libexec/assettrack)
install(FILES ${AT_PKG}/assettrack.conf DESTINATION /etc/assettrack)
install(FILES ${AT_PKG}/debian/copyright ${AT_CHANGELOG_GZ} ${CMAKE_SOURCE_DIR}/README.md
  ${CMAKE_SOURCE_DIR}/docs/openapi.json DESTINATION share/doc/assettrack)

# ---- the Debian package (CPack) -----------------------------------------

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME assettrack)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR})
# assettrack_VERSION_ARCH.deb
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_STRIP_FILES TRUE)
set(AT_MAINTAINER "AssetTrack maintainers <assettrack@example.org>" CACHE STRING
  "The Debian package's Maintainer")
set(CPACK_PACKAGE_CONTACT "${AT_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${AT_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "custody tracking of equipment in cases with numbered slots")
# The synopsis is CPACK_PACKAGE_DESCRIPTION_SUMMARY; CPack indents these
# lines and turns the empty one into " .".
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "AssetTrack tracks equipment that lives in rugged cases with numbered foam
slots and is issued to people: Stock-Out to a custodian, Stock-In back into
slots, corrections, replacements, physical audits, labels and reports.
Every change is validated, atomic and written to an append-only,
hash-chained event log that assettrack verify replays.

One program serves a web UI and a JSON API (with an OpenAPI document) from
one SQLite database, and works on it from the command line. The package
runs it as a hardened systemd service under a user of its own, with its
database in /var/lib/assettrack and a nightly backup timer (disabled).")
# The libraries' own Debian dependencies, from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# deb-systemd-helper and deb-systemd-invoke in the maintainer scripts.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "init-system-helpers (>= 1.52)")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${AT_PKG}/debian/conffiles ${AT_PKG}/debian/postinst ${AT_PKG}/debian/prerm
  ${AT_PKG}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
