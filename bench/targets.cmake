# The benchmark tools, included by bench/CMakeLists.txt.  EXCLUDE_FROM_ALL: `make` and
# `make test` never build them; bench/run.sh asks for `bench_tools`.
#
#   gen           bench/gen.c           database generator over the engine (atcore)
#   floor_sqlite  bench/floor_sqlite.c  the same Stock-Out writes through raw SQLite
#   latency       bench/latency.c       sequential HTTP latency client
#   gen_snipeit   bench/gen_snipeit.c   a Snipe-IT-like export for bench/import.sh
#   walpages      bench/walpages.c      pages a Stock-Out / Stock-In writes, per b-tree
#   drv_overhead  bench/drv_overhead.c  the SQLite driver against raw sqlite3 (not in run.sh)
set(AT_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR})

# The generator simulates months of use with a clock it moves itself.
add_executable(at_bench_gen EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/gen.c $<TARGET_OBJECTS:at_fakeclock>)
target_link_libraries(at_bench_gen PRIVATE atcore PkgConfig::SQLITE)

# A floor, not product code: it may use SQLite and libsodium directly.
add_executable(at_bench_floor EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/floor_sqlite.c)
target_link_libraries(at_bench_floor PRIVATE PkgConfig::SQLITE PkgConfig::SODIUM)

add_executable(at_bench_latency EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/latency.c)

# What each operation writes, through a counting VFS (bench/walshim.c); the
# floor links the same shim for its --pages mode.
add_executable(at_bench_walpages EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/walpages.c
  ${AT_BENCH_DIR}/walshim.c)
target_link_libraries(at_bench_walpages PRIVATE atcore PkgConfig::SQLITE)
target_sources(at_bench_floor PRIVATE ${AT_BENCH_DIR}/walshim.c)

# The SQLite driver's cost against raw sqlite3 on the lookup path (issue #11).
add_executable(at_bench_drv_overhead EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/drv_overhead.c)
target_link_libraries(at_bench_drv_overhead PRIVATE atcore PkgConfig::SQLITE)
set_target_properties(at_bench_drv_overhead PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench OUTPUT_NAME drv_overhead)

# A Snipe-IT-like asset export for the import benchmark (bench/import.sh).
add_executable(at_bench_gen_snipeit EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/gen_snipeit.c)
set_target_properties(at_bench_gen_snipeit PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench OUTPUT_NAME gen_snipeit)

set_target_properties(at_bench_gen at_bench_floor at_bench_latency at_bench_walpages PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
set_target_properties(at_bench_gen PROPERTIES OUTPUT_NAME gen)
set_target_properties(at_bench_floor PROPERTIES OUTPUT_NAME floor_sqlite)
set_target_properties(at_bench_latency PROPERTIES OUTPUT_NAME latency)
set_target_properties(at_bench_walpages PROPERTIES OUTPUT_NAME walpages)

add_custom_target(bench_tools DEPENDS at_bench_gen at_bench_floor at_bench_latency
  at_bench_gen_snipeit at_bench_walpages assettrack)
