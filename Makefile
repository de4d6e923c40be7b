# Front door.  `make` builds build/assettrack; `make run` and `make test`
# install whatever Debian packages are missing first (see README).
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
DB    ?= assettrack.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all build deps test-deps run test test-normal test-asan test-fuzz fuzz bench bench-crash clean

all: build

deps:
	@scripts/install-deps.sh

# The tests also need clang (libFuzzer), Python (tools/verify_chain.py),
# Debian's chromium and playwright-core (npm, from the lock file);
# `make run` does not.
test-deps: deps
	@scripts/install-deps.sh --with-test
	@scripts/browser-deps.sh

build/Makefile: CMakeLists.txt
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: build/Makefile
	cmake --build build -j $(JOBS)

# libFuzzer targets: a clang build of everything, instrumented.
build-fuzz/Makefile: CMakeLists.txt
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DAT_FUZZ=ON >/dev/null

build-asan/Makefile: CMakeLists.txt
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAT_SANITIZE=ON >/dev/null

run: deps build
	./build/assettrack --db $(DB) init
	./build/assettrack --db $(DB) serve --listen $(LISTEN)

# Every test, twice: a normal build and an ASan+UBSan build; then each
# fuzz target for a few seconds.
test: test-deps
	$(MAKE) test-normal
	$(MAKE) test-asan
	$(MAKE) test-fuzz

test-normal: build
	cd build && ctest --output-on-failure --no-tests=error -j $(JOBS)

test-asan: build-asan/Makefile
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  AT_SANITIZED=1 ctest --output-on-failure --no-tests=error -j $(JOBS)

# Each libFuzzer target for FUZZ_SECONDS (make test: 5; make fuzz: 600),
# two at a time.  The corpora grow under build-fuzz/tests/fuzz/corpus.
FUZZ_SECONDS ?= 600
test-fuzz: build-fuzz/Makefile
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	cd build-fuzz && FUZZ_SECONDS=5 ctest --output-on-failure --no-tests=error -j $(JOBS) -L fuzz

fuzz: test-deps build-fuzz/Makefile
	cmake --build build-fuzz -j $(JOBS) --target fuzz_targets
	cd build-fuzz && FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure --no-tests=error -j $(JOBS) -L fuzz

# Not part of `make test`: generates a 1,000,000-event database (minutes).
bench:
	bash bench/run.sh

# Not part of `make test` (which kills 30 times): the crash test with
# 1,000 SIGKILLs over five write operations, per-operation counts at the
# end (bench/README.md, "Crash test"); about 2 minutes.
bench-crash: build
	cd build && AT_CRASH_ROUNDS=1000 ./tests/test_crash

clean:
	rm -rf build build-asan build-fuzz
