# hallpass: `make run` starts the server, `make test` runs the whole suite.
# Both work on a fresh Debian 12 machine: they install what is missing first.

BUILD_DIR    ?= build
BUILD_TYPE   ?= RelWithDebInfo
CONFIG       ?= config/hallpass.default.yaml
JOBS         ?= $(shell nproc)
# ctest parallelism: at most 2 (interop tests are RUN_SERIAL anyway).
TEST_JOBS    ?= 2
# The same unit and integration suites again, built with ASan and UBSan.
SANITIZE_DIR ?= build-sanitize
# libFuzzer targets (clang); `make fuzz FUZZ_SECONDS=3600` runs each for that long.
FUZZ_DIR     ?= build-fuzz
FUZZ_SECONDS ?= 600
# What `make test` gives each fuzz target: a short run that keeps the targets working.
FUZZ_TEST_SECONDS ?= 10
# `make deb` leaves hallpass_<version>_amd64.deb here. nocheck: `make test` runs the suites.
DEB_DIR      ?= build-deb
DEB_BUILD_OPTIONS ?= nocheck

.PHONY: all deps configure build run test test-main test-sanitize test-fuzz test-package test-container test-installs debian-root \
        sanitize-build fuzz-build fuzz deb clean

all: build

deps:
	scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	exec $(BUILD_DIR)/relay/hallpass serve --config $(CONFIG)

# Every test, scheduled by scripts/test-all.sh for CI's two cores: the main build, then
# its suite while the sanitizer and fuzz builds, the Debian package and a Debian 12 root are
# made beside it at low priority; the benchmarks' tests; the unit and integration suites
# under the sanitizers; each fuzz target briefly; the package installed into that root and
# started there, and the container image built on it and run.
test: deps
	MAKE="$(MAKE)" BUILD_DIR=$(BUILD_DIR) SANITIZE_DIR=$(SANITIZE_DIR) DEB_DIR=$(DEB_DIR) \
	  TEST_JOBS=$(TEST_JOBS) scripts/test-all.sh

test-main: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(TEST_JOBS)

sanitize-build: deps
	cmake -S . -B $(SANITIZE_DIR) -DCMAKE_BUILD_TYPE=Debug -DHALLPASS_SANITIZE=ON
	cmake --build $(SANITIZE_DIR) -j$(JOBS)

test-sanitize: sanitize-build
	ctest --test-dir $(SANITIZE_DIR) --output-on-failure -j$(TEST_JOBS) -L 'unit|integration'

fuzz-build: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHALLPASS_FUZZ=ON
	cmake --build $(FUZZ_DIR) -j$(JOBS)

test-fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_TEST_SECONDS)

fuzz: fuzz-build
	scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The Debian package (debhelper), linted; see the README's "Install" section.
deb: deps
	DEB_BUILD_OPTIONS="$(DEB_BUILD_OPTIONS)" scripts/build-deb.sh $(DEB_DIR)

DEB_FILE     = $(DEB_DIR)/hallpass_$$(dpkg-parsechangelog -S Version)_$$(dpkg-architecture -qDEB_HOST_ARCH).deb
DEBIAN_ROOT  = $(DEB_DIR)/debian-root.tar
PACKAGE_TEST   = tests/package/debian_package.sh $(DEB_FILE) $(DEBIAN_ROOT)
CONTAINER_TEST = tests/deploy/container.sh $(DEB_FILE) $(DEBIAN_ROOT)

# A Debian 12 minbase root (mmdebstrap) for the package and container tests.
debian-root: deps
	mkdir -p $(DEB_DIR)
	tests/deploy/debian_root.sh $(DEBIAN_ROOT)

# The package and container tests on what `deb` and `debian-root` made, without remaking them.
test-installs:
	$(PACKAGE_TEST)
	$(CONTAINER_TEST)

test-package: deb debian-root
	$(PACKAGE_TEST)

test-container: deb debian-root
	$(CONTAINER_TEST)

clean:
	rm -rf $(BUILD_DIR) $(SANITIZE_DIR) $(FUZZ_DIR) $(DEB_DIR)
