# pwb: a terminal workbench for the Anthropic Messages API.
#
#   make          release binary ./pwb (optimised, no sanitizers)
#   make run      build and start the workbench
#   make test     build the test builds and run every test tier
#   make bench    benchmarks against curl and the official SDK
#   make fuzz     libFuzzer targets, each run for FUZZ_SECONDS
#
# Missing system libraries are found with pkg-config and installed
# (scripts/deps.sh): with apt-get when run as root, otherwise the exact
# command is printed and make stops.

VERSION := 0.1.0
# B: where objects go; PWB_BIN: the release binary. Parallel work trees can
# use their own: make B=/tmp/b PWB_BIN=/tmp/b/pwb test
B       ?= build
PWB_BIN ?= pwb
PREFIX  ?= /usr/local
CC      ?= cc

CORE_PKGS := libcurl libcjson yaml-0.1 libpcre2-8 sqlite3 nettle
TUI_PKGS  := ncursesw

# pkg-config is only asked once the deps check passed (deferred with =).
CORE_CFLAGS = $(shell pkg-config --cflags $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   = $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lcsv -lunistring
TUI_CFLAGS  = $(shell pkg-config --cflags $(TUI_PKGS) 2>/dev/null)
TUI_LIBS    = $(shell pkg-config --libs $(TUI_PKGS) 2>/dev/null)

CORE_SRC := $(sort $(wildcard core/*.c))
APP_SRC  := $(sort $(wildcard cli/*.c) $(wildcard tui/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DPWB_VERSION='"$(VERSION)"' -DPWB_PREFIX='"$(PREFIX)"' -I. \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
WERROR := -Werror

REL_CFLAGS  := $(BASE_CFLAGS) -O2 -g -DNDEBUG
ASAN_CFLAGS := $(BASE_CFLAGS) $(WERROR) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
DBG_CFLAGS  := $(BASE_CFLAGS) $(WERROR) -O0 -g

.PHONY: all run test test-deps deps asan debug unit clean install bench fuzz fuzz-build \
	check-layering print-cflags

all: $(PWB_BIN)

deps:
	@sh scripts/deps.sh $(CORE_PKGS) $(TUI_PKGS)

# --- release -------------------------------------------------------------
REL_CORE_OBJ := $(CORE_SRC:%.c=$(B)/release/%.o)
REL_APP_OBJ  := $(APP_SRC:%.c=$(B)/release/%.o)

$(B)/release/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CORE_CFLAGS) $(TUI_CFLAGS) -MMD -MP -c $< -o $@

$(B)/release/libpwbcore.a: $(REL_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PWB_BIN): $(REL_APP_OBJ) $(B)/release/libpwbcore.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(CORE_LIBS) $(TUI_LIBS) -lm

run: $(PWB_BIN)
	$(PWB_BIN) $(ARGS)

# --- test builds: $(B)/asan (ASan+UBSan) and $(B)/debug (valgrind) -----
define testbuild
$(1)_CORE_OBJ := $$(CORE_SRC:%.c=$(B)/$(1)/%.o)
$(1)_APP_OBJ  := $$(APP_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_BIN := $$(UNIT_SRC:tests/unit/%.c=$(B)/$(1)/tests/%)

$(B)/$(1)/%.o: %.c | deps
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(CORE_CFLAGS) $$(TUI_CFLAGS) -MMD -MP -c $$< -o $$@

$(B)/$(1)/libpwbcore.a: $$($(1)_CORE_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^

$(B)/$(1)/pwb: $$($(1)_APP_OBJ) $(B)/$(1)/libpwbcore.a
	$$(CC) $(2) -o $$@ $$^ $$(CORE_LIBS) $$(TUI_LIBS) -lm

# Unit tests link the core without ncurses: the layering is proved at link time.
$(B)/$(1)/tests/%: tests/unit/%.c $(B)/$(1)/libpwbcore.a tests/unit/tap.h
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(CORE_CFLAGS) -o $$@ $$< $(B)/$(1)/libpwbcore.a $$(CORE_LIBS) -lm
endef

$(eval $(call testbuild,asan,$(ASAN_CFLAGS)))
$(eval $(call testbuild,debug,$(DBG_CFLAGS)))

asan: $(B)/asan/pwb $(asan_UNIT_BIN)
debug: $(B)/debug/pwb $(debug_UNIT_BIN)

check-layering:
	@if grep -nE '#include *[<"](n?curses|ncursesw/)' core/*.c core/*.h; then \
		echo "core/ must not include curses"; exit 1; fi

test-deps:
	@sh scripts/test-deps.sh

test: deps test-deps check-layering asan debug $(PWB_BIN)
	@PWB_BUILD=$(B) PWB_RELEASE=$(abspath $(PWB_BIN)) bash tests/run.sh

# make bench: figures against curl and the official SDK (tests/bench/).
$(B)/bench/preset_bench: tests/bench/preset_bench.c $(B)/release/libpwbcore.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CORE_CFLAGS) -o $@ $< $(B)/release/libpwbcore.a $(CORE_LIBS) -lm

$(B)/bench/stream_bench: tests/bench/stream_bench.c $(B)/release/libpwbcore.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CORE_CFLAGS) -o $@ $< $(B)/release/libpwbcore.a $(CORE_LIBS) -lm

$(B)/bench/measure: tests/bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -o $@ $<

bench: $(PWB_BIN) $(B)/bench/preset_bench $(B)/bench/stream_bench $(B)/bench/measure
	@PWB_BUILD=$(B) PWB_RELEASE=$(abspath $(PWB_BIN)) sh tests/bench/run.sh

# --- fuzzing: libFuzzer targets tests/fuzz/fuzz_*.c, with the core built
# apart for them in $(B)/fuzz (clang, coverage + ASan + UBSan) ------------
FUZZ_CC := $(firstword $(shell command -v clang-14 clang 2>/dev/null) clang)
FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
FUZZ_CORE_OBJ := $(CORE_SRC:%.c=$(B)/fuzz/%.o)

$(B)/fuzz/core/%.o: core/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CORE_CFLAGS) -MMD -MP -c $< -o $@

$(B)/fuzz/libpwbcore.a: $(FUZZ_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(B)/fuzz/libpwbcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CORE_CFLAGS) -o $@ $< \
		$(B)/fuzz/libpwbcore.a $(CORE_LIBS) -lm

fuzz-build: $(FUZZ_BIN)

# FUZZ_SECONDS per target (default 60); FUZZ_TARGETS=name... to pick some.
fuzz: deps fuzz-build
	@PWB_BUILD=$(B) sh tests/fuzz/run.sh

-include $(wildcard $(B)/fuzz/core/*.d)

install: $(PWB_BIN)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/pwb/presets
	install -m 755 $(PWB_BIN) $(DESTDIR)$(PREFIX)/bin/pwb
	install -m 644 presets/*.yaml $(DESTDIR)$(PREFIX)/share/pwb/presets/

print-cflags:
	@echo $(REL_CFLAGS)

clean:
	rm -rf build pwb

-include $(shell find $(B) -name '*.d' 2>/dev/null)
