# nodus -- the two commands the README promises, and a few more.
#   make run    install missing Debian packages, build, run a node on loopback
#   make test   build and run every test (unit, black-box, sanitizers, fuzz smoke)
#   make bench  run the benchmarks and print their figures
#   make install  binary, man page, systemd unit under PREFIX (DESTDIR for staging)
#   make deb    a Debian package, nodus_<version>_<arch>.deb, in $(DEB)/
BUILD ?= build
ASAN  ?= build-asan
FUZZ  ?= build-fuzz
WEBPORT ?= 8080
STATE ?= $(or $(XDG_STATE_HOME),$(HOME)/.local/state)/nodus
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)
PY    := /usr/bin/python3
FUZZ_SECONDS ?= 15
PREFIX ?= /usr/local
DEB   ?= build-deb
FW    ?= build-fw
FW_SHELL_PORT ?= 19008
FW_WEB_PORT ?= 18080
FW_PROFILE ?= full

.PHONY: all build run test unit blackbox asan fuzz fuzz-long purity valgrind bench deps deps-test deps-bench clean \
	install deb firmware firmware-run footprint portcheck

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
	@$(MAKE) --no-print-directory purity unit blackbox footprint portcheck asan fuzz valgrind
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

# DESTDIR stages the install under another root (packages, tests); cmake
# --install reads it from the environment, made absolute here.
install: build
	DESTDIR="$(if $(DESTDIR),$(abspath $(DESTDIR)))" cmake --install $(BUILD) --prefix "$(PREFIX)"

# Its own build with Debian's compiler and hardening flags (dpkg-buildflags),
# then packaging/mkdeb.sh stages, strips and packs it (see README "Debian package").
deb:
	@scripts/deps.sh --deb
	DEB_BUILD_MAINT_OPTIONS=hardening=+all; export DEB_BUILD_MAINT_OPTIONS; \
	CFLAGS="$$(dpkg-buildflags --get CFLAGS) $$(dpkg-buildflags --get CPPFLAGS)" \
	LDFLAGS="$$(dpkg-buildflags --get LDFLAGS)" \
	cmake -S . -B $(DEB) -DCMAKE_BUILD_TYPE=None -DND_SYSTEMD_UNITDIR=/lib/systemd/system >/dev/null
	cmake --build $(DEB) -j $(JOBS) --target nodus
	@packaging/mkdeb.sh $(DEB)

# The firmware for ARM MPS2 boards, booted in QEMU (README "Firmware"); lwIP,
# cJSON and mbedTLS come from Debian source packages into $(FW)/src.
# FW_PROFILE: min, full (default) or max; MODULES="system sim ...": a board's
# own Load Module list (src/port/mps2/Makefile).
firmware:
	@$(MAKE) --no-print-directory -C src/port/mps2 O=$(abspath $(FW)) PROFILE=$(FW_PROFILE) -j $(JOBS) $(if $(MODULES),MODULES="$(MODULES)")

firmware-run: firmware
	FW_SHELL_PORT=$(FW_SHELL_PORT) FW_WEB_PORT=$(FW_WEB_PORT) src/port/mps2/qemu-run.sh $(FW)/$(FW_PROFILE)/nodus.elf

# Flash and static RAM per component, the three profiles; fails over budget.
footprint:
	@for p in min full max; do \
	  $(MAKE) --no-print-directory -C src/port/mps2 O=$(abspath $(FW)) PROFILE=$$p -j $(JOBS) >/dev/null || exit 1; done
	@$(PY) scripts/footprint.py --budgets src/port/mps2/footprint-budgets.txt \
		min=$(FW)/min/nodus.map full=$(FW)/full/nodus.map max=$(FW)/max/nodus.map

# The core compiles for the RP2040's and the ESP32-C3's instruction sets too.
portcheck: firmware
	@FW=$(abspath $(FW)) scripts/portcheck.sh $(FW)/portcheck

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZ) $(DEB) $(FW)
