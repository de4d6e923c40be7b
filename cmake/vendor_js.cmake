# vendor_js.cmake — a vendored browser script with its licences on top.
#
# Run at build time:
#   cmake -DOUT=zxing.min.js -DJS=bundle.min.js -P vendor_js.cmake PKGDIR...
#
# OUT is JS behind one comment that names each npm package in PKGDIR...
# (name, version and licence from its package.json) and holds its LICENSE
# file, so the binary that embeds OUT (cmake/embed.cmake) carries the
# licences of the code it serves.  The first PKGDIR is the one whose build
# JS is; the others are what that build bundles.
cmake_minimum_required(VERSION 3.19)   # string(JSON)

if(NOT OUT OR NOT JS)
  message(FATAL_ERROR "vendor_js.cmake: give -DOUT=FILE.js -DJS=BUNDLE.js")
endif()

# The arguments after "-P SCRIPT" are the package directories.
set(dirs "")
set(state "")
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  set(arg "${CMAKE_ARGV${i}}")
  if(state STREQUAL "dirs")
    list(APPEND dirs "${arg}")
  elseif(state STREQUAL "script")
    set(state "dirs")
  elseif(arg STREQUAL "-P")
    set(state "script")
  endif()
endforeach()
if(NOT dirs)
  message(FATAL_ERROR "vendor_js.cmake: no package directories")
endif()

set(names "")
set(texts "")
foreach(dir IN LISTS dirs)
  file(READ "${dir}/package.json" pkg)
  string(JSON name GET "${pkg}" name)
  string(JSON version GET "${pkg}" version)
  string(JSON license GET "${pkg}" license)
  list(APPEND names "${name} ${version} (${license})")
  file(GLOB lic LIST_DIRECTORIES false "${dir}/LICENSE*")
  if(NOT lic)
    message(FATAL_ERROR "vendor_js.cmake: ${dir} has no LICENSE file")
  endif()
  list(GET lic 0 lic)
  file(READ "${lic}" text)
  # The licence goes inside a /* */ comment: it must not close it.
  if(text MATCHES "\\*/")
    message(FATAL_ERROR "vendor_js.cmake: ${lic} contains */")
  endif()
  string(APPEND texts "\n==== ${name} ${version}: ${license} ====\n\n${text}")
endforeach()

list(GET names 0 first)
list(REMOVE_AT names 0)
list(JOIN names ", " bundled)
file(READ "${JS}" body)
# Text mode: a CR or NUL byte would not survive, and the script must be
# served as it was built.
file(SIZE "${JS}" size)
string(LENGTH "${body}" len)
if(NOT size EQUAL len)
  message(FATAL_ERROR "vendor_js.cmake: ${JS} holds bytes a text read changes")
endif()
file(WRITE "${OUT}.tmp"
  "/*! ${first}, bundling ${bundled}.\n"
  " * Embedded in AssetTrack by cmake/vendor_js.cmake; the licences follow.\n"
  "${texts}*/\n"
  "${body}")
# Replace in one step, so an interrupted run never leaves half a file.
file(RENAME "${OUT}.tmp" "${OUT}")
