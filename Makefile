# hallpass: `make run` starts the server, `make test` runs the whole suite.
# Both work on a fresh Debian 12 machine: they install what is missing first.

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
CONFIG     ?= config/hallpass.default.yaml
JOBS       ?= $(shell nproc)
# ctest parallelism: at most 2 (interop tests are RUN_SERIAL anyway).
TEST_JOBS  ?= 2

.PHONY: all deps configure build run test clean

all: build

deps:
	scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j$(JOBS)

run: build
	exec $(BUILD_DIR)/relay/hallpass serve --config $(CONFIG)

test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(TEST_JOBS)

clean:
	rm -rf $(BUILD_DIR)
