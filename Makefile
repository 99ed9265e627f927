# nodus -- the two commands the README promises, and a few more.
#   make run    install missing Debian packages, build, run a node on loopback
#   make test   build and run every test (unit, black-box, sanitizers, fuzz smoke)
#   make bench  run the benchmarks and print their figures
BUILD ?= build
ASAN  ?= build-asan
FUZZ  ?= build-fuzz
WEBPORT ?= 8080
STATE ?= $(or $(XDG_STATE_HOME),$(HOME)/.local/state)/nodus
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
PY    := /usr/bin/python3
FUZZ_SECONDS ?= 15

.PHONY: all build run test unit blackbox asan fuzz fuzz-long purity valgrind bench deps deps-test deps-bench clean

all: build

deps:
	@scripts/deps.sh

deps-test:
	@scripts/deps.sh --test

$(BUILD)/Makefile:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

run: deps
	@$(MAKE) --no-print-directory build
	$(BUILD)/nodus run --state "$(STATE)" --set bind=127.0.0.1 --set webui=True --set webport=$(WEBPORT)

test: deps-test
	@$(MAKE) --no-print-directory purity unit blackbox asan fuzz valgrind
	@echo "make test: all suites passed"

purity:
	@tests/check_core_purity.sh

unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

blackbox: build
	NODUS_BIN=$(abspath $(BUILD))/nodus $(PY) -m pytest -q tests/blackbox

asan:
	cmake -S . -B $(ASAN) -DND_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ctest --output-on-failure -j $(JOBS)
	NODUS_BIN=$(abspath $(ASAN))/nodus ND_SANITIZED=1 $(PY) -m pytest -q tests/blackbox

fuzz:
	CC=clang cmake -S . -B $(FUZZ) -DND_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(FUZZ) -j $(JOBS)
	@tests/fuzz/run.sh $(FUZZ) $(FUZZ_SECONDS)

fuzz-long:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=600

valgrind: build
	@tests/valgrind.sh $(BUILD)

deps-bench:
	@scripts/deps.sh --bench

bench: deps-bench
	@$(MAKE) --no-print-directory build
	@bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ)
