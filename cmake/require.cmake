# require.cmake — find a library or say which Debian package brings it.
#
# A bare `pkg_check_modules(... REQUIRED)` stops with "A required package
# was not found", naming neither the package nor the fix; these stop with
# the Debian package and the command that installs it.

set(AT_DEPS_HINT "run 'make deps' (scripts/install-deps.sh), or: sudo apt-get install")

find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config is missing: ${AT_DEPS_HINT} pkg-config")
endif()

# at_require_pc(PREFIX MODULE DEBIAN_PACKAGE): PkgConfig::PREFIX from MODULE.
macro(at_require_pc prefix module deb)
  pkg_check_modules(${prefix} QUIET IMPORTED_TARGET ${module})
  if(NOT ${prefix}_FOUND)
    message(FATAL_ERROR "the library ${module} was not found (pkg-config ${module}): "
      "it comes with the Debian package ${deb}; ${AT_DEPS_HINT} ${deb}")
  endif()
endmacro()

# at_require_lib(VAR NAME DEBIAN_PACKAGE): a library without a .pc file.
macro(at_require_lib var name deb)
  find_library(${var} ${name})
  if(NOT ${var})
    message(FATAL_ERROR "the library lib${name} was not found: it comes with the Debian "
      "package ${deb}; ${AT_DEPS_HINT} ${deb}")
  endif()
endmacro()

# at_require_header(VAR HEADER DEBIAN_PACKAGE)
macro(at_require_header var header deb)
  find_path(${var} ${header})
  if(NOT ${var})
    message(FATAL_ERROR "${header} was not found: it comes with the Debian package ${deb}; "
      "${AT_DEPS_HINT} ${deb}")
  endif()
endmacro()
