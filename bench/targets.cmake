# The benchmark tools, included by bench/CMakeLists.txt.  EXCLUDE_FROM_ALL: `make` and
# `make test` never build them; bench/run.sh asks for `bench_tools`.
#
#   gen           bench/gen.c           database generator over the engine (atcore)
#   floor_sqlite  bench/floor_sqlite.c  the same Stock-Out writes through raw SQLite
#   latency       bench/latency.c       sequential HTTP latency client
#   gen_snipeit   bench/gen_snipeit.c   a Snipe-IT-like export for bench/import.sh
set(AT_BENCH_DIR ${CMAKE_CURRENT_LIST_DIR})

# The generator simulates months of use with a clock it moves itself.
add_executable(at_bench_gen EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/gen.c $<TARGET_OBJECTS:at_fakeclock>)
target_link_libraries(at_bench_gen PRIVATE atcore PkgConfig::SQLITE)

# A floor, not product code: it may use SQLite and libsodium directly.
add_executable(at_bench_floor EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/floor_sqlite.c)
target_link_libraries(at_bench_floor PRIVATE PkgConfig::SQLITE PkgConfig::SODIUM)

add_executable(at_bench_latency EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/latency.c)

# A Snipe-IT-like asset export for the import benchmark (bench/import.sh).
add_executable(at_bench_gen_snipeit EXCLUDE_FROM_ALL ${AT_BENCH_DIR}/gen_snipeit.c)
set_target_properties(at_bench_gen_snipeit PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench OUTPUT_NAME gen_snipeit)

set_target_properties(at_bench_gen at_bench_floor at_bench_latency PROPERTIES
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
set_target_properties(at_bench_gen PROPERTIES OUTPUT_NAME gen)
set_target_properties(at_bench_floor PROPERTIES OUTPUT_NAME floor_sqlite)
set_target_properties(at_bench_latency PROPERTIES OUTPUT_NAME latency)

add_custom_target(bench_tools DEPENDS at_bench_gen at_bench_floor at_bench_latency
  at_bench_gen_snipeit assettrack)
