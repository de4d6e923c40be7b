# Front door.  `make` builds build/assettrack; `make run` and `make test`
# install whatever Debian packages are missing first (see README).
#
# Each step prints one line (plus any warnings, and a test run's summary);
# its whole output goes to build/STEP.log and is printed if it fails
# (scripts/step.sh).  `make V=1 ...` shows everything as it happens.
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
DB    ?= assettrack.db
LISTEN ?= 127.0.0.1:8080
MAKEFLAGS += --no-print-directory

STEP = V=$(V) scripts/step.sh
# What a ctest run leaves on screen: its closing summary.
SUMMARY = --show '% tests passed|tests failed out of|Total Test time'
# A plain `make` on a machine without the build tools says what to do.
NEED_CMAKE = @command -v cmake >/dev/null 2>&1 || { echo "cmake is not installed: run 'make deps'" \
  "(or: apt-get install build-essential cmake pkg-config)"; exit 1; }

.PHONY: all build deps test-deps run test test-normal test-asan test-fuzz fuzz bench bench-large bench-crash \
  clean deb

all: build

deps:
	@$(STEP) "packages (install-deps.sh)" build/deps.log scripts/install-deps.sh
	@$(STEP) "web packages (web-deps.sh)" build/web-deps.log scripts/web-deps.sh

# The tests also need clang (libFuzzer), Python (tools/verify_chain.py),
# Debian's chromium and playwright-core (npm, from the lock file), and the
# OpenAPI validator and ajv (npm, tests/api's lock file); `make run` does not.
test-deps: deps
	@$(STEP) "test packages" build/test-deps.log scripts/install-deps.sh --with-test
	@$(STEP) "browser test packages" build/browser-deps.log scripts/browser-deps.sh
	@$(STEP) "API test packages" build/api-deps.log scripts/api-deps.sh

build/Makefile: CMakeLists.txt
	$(NEED_CMAKE)
	@$(STEP) "configure build/" build/configure.log \
	  cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: build/Makefile
	@$(STEP) "compile build/" build/build.log cmake --build build -j $(JOBS)

# libFuzzer targets: a clang build of everything, instrumented.
build-fuzz/Makefile: CMakeLists.txt
	$(NEED_CMAKE)
	@$(STEP) "configure build-fuzz/" build/fuzz-configure.log \
	  env CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DAT_FUZZ=ON

build-asan/Makefile: CMakeLists.txt
	$(NEED_CMAKE)
	@$(STEP) "configure build-asan/" build/asan-configure.log \
	  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAT_SANITIZE=ON

run: deps build
	@./build/assettrack --db $(DB) init
	./build/assettrack --db $(DB) serve --listen $(LISTEN)

# Every test, twice: a normal build and an ASan+UBSan build; then each
# fuzz target for a few seconds.
test: test-deps
	@$(MAKE) test-normal
	@$(MAKE) test-asan
	@$(MAKE) test-fuzz

test-normal: build
	@$(STEP) $(SUMMARY) "test build/" build/test.log \
	  sh -c 'cd build && ctest --output-on-failure --no-tests=error -j $(JOBS)'

test-asan: build-asan/Makefile
	@$(STEP) "compile build-asan/" build/asan-build.log cmake --build build-asan -j $(JOBS)
	@$(STEP) $(SUMMARY) "test build-asan/" build/asan-test.log \
	  sh -c 'cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  AT_SANITIZED=1 ctest --output-on-failure --no-tests=error -j $(JOBS)'

# Each libFuzzer target for FUZZ_SECONDS (make test: 5; make fuzz: 600),
# two at a time.  The corpora grow under build-fuzz/tests/fuzz/corpus.
FUZZ_SECONDS ?= 600
test-fuzz: build-fuzz/Makefile
	@$(STEP) "compile build-fuzz/" build/fuzz-build.log \
	  cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	@$(STEP) $(SUMMARY) "fuzz 5 s per target" build/fuzz-test.log \
	  sh -c 'cd build-fuzz && FUZZ_SECONDS=5 ctest --output-on-failure --no-tests=error -j $(JOBS) -L fuzz'

fuzz: test-deps build-fuzz/Makefile
	@$(STEP) "compile build-fuzz/" build/fuzz-build.log \
	  cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	@$(STEP) $(SUMMARY) "fuzz $(FUZZ_SECONDS) s per target" build/fuzz-test.log \
	  sh -c 'cd build-fuzz && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure --no-tests=error -j $(JOBS) -L fuzz'

# The Debian package: build/assettrack_VERSION_amd64.deb (CPack, with the
# library dependencies dpkg-shlibdeps finds; packaging/package.cmake).
deb: build
	@$(STEP) --show '\.deb$$' "package build/*.deb" build/deb.log \
	  sh -c 'cd build && cpack -G DEB && ls "$$PWD"/assettrack_*.deb'

# Not part of `make test`: generates a 1,000,000-event database (minutes).
bench:
	bash bench/run.sh

# Not part of `make test`: the read and write figures at 1,000,000 assets
# and 10,000,000 events (bench/README.md, "Scale"): 12 minutes to generate
# the 4.7 GiB database once (cached in bench/out/scale-1000000/), then 13
# minutes to measure (4 of them `verify`); needs 10 GB of disk.
bench-large:
	ASSETS=1000000 bash bench/scale.sh

# Not part of `make test` (which kills 30 times): the crash test with
# 1,000 SIGKILLs over five write operations, per-operation counts at the
# end (bench/README.md, "Crash test"); about 2 minutes.
bench-crash: build
	cd build && AT_CRASH_ROUNDS=1000 ./tests/test_crash

clean:
	rm -rf build build-asan build-fuzz
