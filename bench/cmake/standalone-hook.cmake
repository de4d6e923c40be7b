# Used by bench/run.sh only while the top-level CMakeLists.txt does not say
# `add_subdirectory(bench EXCLUDE_FROM_ALL)`.  Injected with
# -DCMAKE_PROJECT_assettrack_INCLUDE=<this file>, it runs right after
# project() and defers defining the bench targets to the end of the
# top-level file, when the atcore library exists.  (Deferred arguments
# are expanded when the call runs, hence the variable.)
get_filename_component(AT_BENCH_TARGETS ${CMAKE_CURRENT_LIST_DIR}/../targets.cmake ABSOLUTE)
cmake_language(DEFER CALL include ${AT_BENCH_TARGETS})
