# Front door.  `make` builds build/assettrack; `make run` and `make test`
# install whatever Debian packages are missing first (see README).
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
DB    ?= assettrack.db
LISTEN ?= 127.0.0.1:8080

.PHONY: all build deps test-deps run test test-normal test-asan bench clean

all: build

deps:
	@scripts/install-deps.sh

# The browser tests also need Debian's chromium and playwright-core (npm,
# from the lock file); `make run` does not.
test-deps: deps
	@scripts/browser-deps.sh

build/Makefile: CMakeLists.txt
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: build/Makefile
	cmake --build build -j $(JOBS)

build-asan/Makefile: CMakeLists.txt
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DAT_SANITIZE=ON >/dev/null

run: deps build
	./build/assettrack --db $(DB) init
	./build/assettrack --db $(DB) serve --listen $(LISTEN)

# Every test, twice: a normal build and an ASan+UBSan build.
test: test-deps
	$(MAKE) test-normal
	$(MAKE) test-asan

test-normal: build
	cd build && ctest --output-on-failure -j $(JOBS)

test-asan: build-asan/Makefile
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  AT_SANITIZED=1 ctest --output-on-failure -j $(JOBS)

# Not part of `make test`: generates a 1,000,000-event database (minutes).
bench:
	bash bench/run.sh

clean:
	rm -rf build build-asan
