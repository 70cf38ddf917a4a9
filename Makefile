# pwb: a terminal workbench for the Anthropic Messages API.
#
#   make          release binary ./pwb and the man pages doc/pwb.1, doc/pwb-preset.5
#   make deps     install the missing build libraries and tools (apt-get, as root)
#   make run      make deps, build, start the workbench
#   make test     make deps, build the test builds, run every test tier
#   make install  binary, presets and man pages under $(DESTDIR)$(PREFIX)
#   make bench    benchmarks against curl and the official SDK
#   make fuzz     libFuzzer targets, each run for FUZZ_SECONDS
#
# `make` never installs anything: with a library or tool missing it stops and
# prints the exact apt-get line (scripts/deps.sh). CFLAGS, CPPFLAGS and
# LDFLAGS from the command line or the environment are added after pwb's own.

VERSION := 0.1.0
.DEFAULT_GOAL := all
# B: where objects go; PWB_BIN: the release binary. Parallel work trees can
# use their own: make B=/tmp/b PWB_BIN=/tmp/b/pwb test
B       ?= build
PWB_BIN ?= pwb
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share
MANDIR  ?= $(DATADIR)/man

# What the build needs: pkg-config modules, headers without a .pc file
# (libcsv, libunistring, the cmark-gfm extensions; scripts/deps.sh maps each to its Debian package) and
# build tools.
CORE_PKGS := libcurl libcjson yaml-0.1 sqlite3 libpcre2-8 nettle libcmark-gfm
CORE_HEADERS := csv.h unicase.h cmark-gfm-core-extensions.h
CORE_NOPC_LIBS := -lcsv -lunistring -lcmark-gfm-extensions
TUI_PKGS  := ncursesw
BUILD_TOOLS := scdoc
DEPS_ARGS := $(CORE_PKGS:%=pc:%) $(TUI_PKGS:%=pc:%) $(CORE_HEADERS:%=h:%) \
	$(BUILD_TOOLS:%=bin:%)

# pkg-config is asked once, and only when a recipe needs the flags (after the
# deps check ran): the first expansion replaces the variable with its value.
lazy = $(eval $(1) := $$(shell $(2)))$($(1))
CORE_CFLAGS = $(call lazy,CORE_CFLAGS,pkg-config --cflags $(CORE_PKGS) 2>/dev/null)
CORE_PC_LIBS = $(call lazy,CORE_PC_LIBS,pkg-config --libs $(CORE_PKGS) 2>/dev/null)
CORE_LIBS   = $(CORE_PC_LIBS) $(CORE_NOPC_LIBS)
TUI_CFLAGS  = $(call lazy,TUI_CFLAGS,pkg-config --cflags $(TUI_PKGS) 2>/dev/null)
TUI_LIBS    = $(call lazy,TUI_LIBS,pkg-config --libs $(TUI_PKGS) 2>/dev/null)

CORE_SRC := $(sort $(wildcard core/*.c))
APP_SRC  := $(sort $(wildcard cli/*.c) $(wildcard tui/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))

BASE_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	-DPWB_VERSION='"$(VERSION)"' -I. \
	-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
WERROR := -Werror

REL_CFLAGS  := $(BASE_CFLAGS) -O2 -g -DNDEBUG
ASAN_CFLAGS := $(BASE_CFLAGS) $(WERROR) -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined
DBG_CFLAGS  := $(BASE_CFLAGS) $(WERROR) -O0 -g

# The install prefix reaches only the objects whose source names PWB_PREFIX,
# and those rebuild when it changes ($(B)/prefix.stamp holds the last one).
PREFIX_SRC := $(shell grep -l PWB_PREFIX $(CORE_SRC) $(APP_SRC) 2>/dev/null)
PREFIX_STAMP := $(B)/prefix.stamp
PREFIX_OBJ := $(foreach v,release asan debug fuzz,$(PREFIX_SRC:%.c=$(B)/$(v)/%.o))
ifneq ($(PREFIX_OBJ),)
$(PREFIX_OBJ): EXTRA_CPPFLAGS = -DPWB_PREFIX='"$(PREFIX)"'
$(PREFIX_OBJ): $(PREFIX_STAMP)
endif

MAN_PAGES := doc/pwb.1 doc/pwb-preset.5
KEYS_DUMP := tests/tui/expected/keys_check/keys.txt

.PHONY: all run test test-deps deps deps-check asan debug unit clean install \
	uninstall man bench fuzz fuzz-build check-layering print-cflags FORCE

all: $(PWB_BIN) man

# `make run` and `make test` may install (the README's two commands set up a
# fresh machine); every other goal only checks.
DEPS_MODE := $(if $(filter run test deps fuzz,$(MAKECMDGOALS)),--install,--check)
deps-check:
	@CC='$(CC)' CPPFLAGS='$(CPPFLAGS)' sh scripts/deps.sh $(DEPS_MODE) $(DEPS_ARGS)

deps: deps-check

$(PREFIX_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(PREFIX)' | cmp -s - $@ || echo '$(PREFIX)' >$@

# --- release -------------------------------------------------------------
REL_CORE_OBJ := $(CORE_SRC:%.c=$(B)/release/%.o)
REL_APP_OBJ  := $(APP_SRC:%.c=$(B)/release/%.o)

# Core objects never see the curses flags; the front ends get both.
$(B)/release/core/%.o: core/%.c | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(EXTRA_CPPFLAGS) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/release/%.o: %.c | deps-check
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(EXTRA_CPPFLAGS) $(CORE_CFLAGS) $(TUI_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/release/libpwbcore.a: $(REL_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(PWB_BIN): $(REL_APP_OBJ) $(B)/release/libpwbcore.a
	$(CC) $(REL_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CORE_LIBS) $(TUI_LIBS) -lm

# PWB_BIN may be relative: a bare name would be looked up on PATH.
run: $(PWB_BIN)
	$(abspath $(PWB_BIN)) $(ARGS)

# --- man pages: scdoc sources; the key list is made from the key table dump
# (tests/t/tui_script.sh keeps that dump equal to tui/actions.h + keymap.c) --
man: $(MAN_PAGES)

# No hyphenation: an option split over two lines cannot be searched for.
NO_HYPHENS := awk '{ print } /^\.TH / { print ".nh" }'

doc/pwb.1: doc/pwb.1.scd $(KEYS_DUMP) scripts/man-keys.awk | deps-check
	awk -f scripts/man-keys.awk $(KEYS_DUMP) doc/pwb.1.scd | scdoc | $(NO_HYPHENS) >$@.tmp
	mv $@.tmp $@

doc/%.5: doc/%.5.scd | deps-check
	scdoc <$< | $(NO_HYPHENS) >$@.tmp
	mv $@.tmp $@

# --- test builds: $(B)/asan (ASan+UBSan) and $(B)/debug (valgrind) -----
define testbuild
$(1)_CORE_OBJ := $$(CORE_SRC:%.c=$(B)/$(1)/%.o)
$(1)_APP_OBJ  := $$(APP_SRC:%.c=$(B)/$(1)/%.o)
$(1)_UNIT_BIN := $$(UNIT_SRC:tests/unit/%.c=$(B)/$(1)/tests/%)

$(B)/$(1)/core/%.o: core/%.c | deps-check
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(EXTRA_CPPFLAGS) $$(CORE_CFLAGS) $$(CPPFLAGS) $$(CFLAGS) -MMD -MP -c $$< -o $$@

$(B)/$(1)/%.o: %.c | deps-check
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(EXTRA_CPPFLAGS) $$(CORE_CFLAGS) $$(TUI_CFLAGS) $$(CPPFLAGS) $$(CFLAGS) -MMD -MP -c $$< -o $$@

$(B)/$(1)/libpwbcore.a: $$($(1)_CORE_OBJ)
	@rm -f $$@
	ar rcs $$@ $$^

$(B)/$(1)/pwb: $$($(1)_APP_OBJ) $(B)/$(1)/libpwbcore.a
	$$(CC) $(2) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(CORE_LIBS) $$(TUI_LIBS) -lm

# Unit tests link the core without ncurses: the layering is proved at link time.
$(B)/$(1)/tests/%: tests/unit/%.c $(B)/$(1)/libpwbcore.a tests/unit/tap.h tests/unit/testserver.h
	@mkdir -p $$(dir $$@)
	$$(CC) $(2) $$(CORE_CFLAGS) $$(CPPFLAGS) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$< \
		$(B)/$(1)/libpwbcore.a $$(CORE_LIBS) -lm
endef

$(eval $(call testbuild,asan,$(ASAN_CFLAGS)))
$(eval $(call testbuild,debug,$(DBG_CFLAGS)))

asan: $(B)/asan/pwb $(asan_UNIT_BIN)
debug: $(B)/debug/pwb $(debug_UNIT_BIN)

# core/ never includes curses nor a tui/ header.
check-layering:
	@if grep -nE '#[[:space:]]*include[[:space:]]*[<"](n?curses|ncursesw/|tui/)' core/*.c core/*.h; then \
		echo "core/ must not include curses or tui/ headers"; exit 1; fi
	@if grep -nE '#[[:space:]]*include[[:space:]]*[<"](cli/|tui/)' core/*.c core/*.h tui/*.c tui/*.h | \
		grep -vE '^tui/[^:]*:[0-9]+:#[[:space:]]*include[[:space:]]*"tui/'; then \
		echo "core/ and tui/ must not include cli/ headers (the front ends share only core/)"; exit 1; fi

test-deps:
	@sh scripts/test-deps.sh

test: deps-check test-deps check-layering asan debug $(PWB_BIN) man
	PWB_BUILD=$(B) PWB_RELEASE=$(abspath $(PWB_BIN)) bash tests/run.sh

# make bench: figures against curl and the official SDK (tests/bench/).
$(B)/bench/preset_bench: tests/bench/preset_bench.c $(B)/release/libpwbcore.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/release/libpwbcore.a $(CORE_LIBS) -lm

$(B)/bench/stream_bench: tests/bench/stream_bench.c $(B)/release/libpwbcore.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CORE_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(B)/release/libpwbcore.a $(CORE_LIBS) -lm

$(B)/bench/measure: tests/bench/measure.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $<

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

$(B)/fuzz/core/%.o: core/%.c | deps-check
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(EXTRA_CPPFLAGS) $(CORE_CFLAGS) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(B)/fuzz/libpwbcore.a: $(FUZZ_CORE_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.h $(B)/fuzz/libpwbcore.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(CORE_CFLAGS) $(CPPFLAGS) -o $@ $< \
		$(B)/fuzz/libpwbcore.a $(CORE_LIBS) -lm

fuzz-build: $(FUZZ_BIN)

# FUZZ_SECONDS per target (default 60); FUZZ_TARGETS=name... to pick some.
fuzz: fuzz-build
	@PWB_BUILD=$(B) sh tests/fuzz/run.sh

install: $(PWB_BIN) man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/pwb/presets \
		$(DESTDIR)$(DATADIR)/pwb/presets/meta \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(PWB_BIN) $(DESTDIR)$(BINDIR)/pwb
	install -m 644 presets/*.yaml $(DESTDIR)$(DATADIR)/pwb/presets/
	install -m 644 presets/meta/*.yaml $(DESTDIR)$(DATADIR)/pwb/presets/meta/
	install -m 644 doc/pwb.1 $(DESTDIR)$(MANDIR)/man1/pwb.1
	install -m 644 doc/pwb-preset.5 $(DESTDIR)$(MANDIR)/man5/pwb-preset.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/pwb $(DESTDIR)$(MANDIR)/man1/pwb.1 \
		$(DESTDIR)$(MANDIR)/man5/pwb-preset.5
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/pwb/presets/,$(notdir $(wildcard presets/*.yaml)))
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/pwb/presets/meta/,$(notdir $(wildcard presets/meta/*.yaml)))
	-rmdir $(DESTDIR)$(DATADIR)/pwb/presets/meta $(DESTDIR)$(DATADIR)/pwb/presets \
		$(DESTDIR)$(DATADIR)/pwb 2>/dev/null

print-cflags:
	@echo $(REL_CFLAGS) $(CPPFLAGS) $(CFLAGS)

# Everything the build made, wherever B and PWB_BIN point.
clean:
	rm -rf '$(B)'
	rm -f '$(PWB_BIN)' $(MAN_PAGES) $(MAN_PAGES:%=%.tmp)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
