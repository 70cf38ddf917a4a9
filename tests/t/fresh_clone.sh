#!/bin/sh
# The newcomer's first command, on a fresh clone of HEAD (committed work only):
#   - a plain `make` with a library missing stops with the exact apt-get line
#     and installs nothing (a fake pkg-config hides sqlite3; a fake apt-get
#     records any call); `make deps` is what installs;
#   - the README's `make run`, run literally in a private tmux server with no
#     API key, builds from scratch, opens the workbench and quits on Ctrl-Q
#     with status 0;
#   - the README's `make test` is the test command (`make -n test` runs
#     tests/run.sh); running it here would be the suite inside itself.
. "$(dirname "$0")/../lib.sh"
# Under `make test` the outer make's variables (B=, PWB_BIN=, -j) would reach
# the clone's make through the environment: a newcomer has none of them.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES B PWB_BIN
for tool in git tmux make; do
	command -v "$tool" >/dev/null || { not_ok "$tool is installed"; done_testing; }
done
if ! head=$(git -C "$PWB_ROOT" rev-parse HEAD 2>/dev/null); then
	skip "fresh clone" "$PWB_ROOT is not a git work tree"
	done_testing
fi
CLONE=$T/clone
git clone -q "$PWB_ROOT" "$CLONE" && git -C "$CLONE" checkout -q "$head"
check "git clone of HEAD" test -f "$CLONE/Makefile"

# The README's two commands: the sh block under "## Two commands".
readme_cmds=$(sed -n '/^## Two commands/,/^## /p' "$CLONE/README.md" |
	sed -n '/^```sh/,/^```/p' | grep -v '^```' | sed 's/[[:space:]]*#.*//')
check_eq "README: the two commands" "$(echo $readme_cmds)" "make run make test"

# --- a missing library: make stops, names the package, installs nothing ----
mkdir -p "$T/fakebin"
cat >"$T/fakebin/pkg-config" <<EOF
#!/bin/sh
# sqlite3 looks missing; everything else is the real pkg-config.
for a in "\$@"; do [ "\$a" = sqlite3 ] && exit 1; done
exec $(command -v pkg-config) "\$@"
EOF
for t in apt-get apt sudo; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/installer-called"\n' "$t" "$T" >"$T/fakebin/$t"
done
chmod +x "$T"/fakebin/*
(cd "$CLONE" && PATH="$T/fakebin:$PATH" make >"$T/make-missing.out" 2>&1)
check_eq "a library missing: make fails" "$?" 2
out=$(cat "$T/make-missing.out")
check_contains "... printing the exact apt-get line" "$out" "apt-get install libsqlite3-dev"
check_contains "... and pointing at make deps" "$out" "make deps"
check "... having installed nothing (apt-get, apt, sudo never ran)" test ! -e "$T/installer-called"
check_eq "... having compiled nothing" "$(find "$CLONE" -name '*.o' | wc -l | tr -d ' ')" 0
# A library without a .pc file (libcsv: the header is looked for with $CC).
cat >"$T/cc-without-csv" <<EOF
#!/bin/sh
in=\$(cat)
case "\$in" in *csv.h*) exit 1 ;; esac
printf '%s\\n' "\$in" | exec $(command -v cc) "\$@"
EOF
chmod +x "$T/cc-without-csv"
(cd "$CLONE" && PATH="$T/fakebin:$PATH" make CC="$T/cc-without-csv" >"$T/make-nocsv.out" 2>&1)
check_contains "libcsv missing (no .pc file): make names libcsv-dev" \
	"$(cat "$T/make-nocsv.out")" "apt-get install libsqlite3-dev libcsv-dev"
check "... and installed nothing" test ! -e "$T/installer-called"
(cd "$CLONE" && PATH="$T/fakebin:$PATH" make deps >"$T/make-deps.out" 2>&1)
if [ "$(id -u)" = 0 ]; then
	check_contains "make deps as root installs the missing package" \
		"$(cat "$T/installer-called" 2>/dev/null)" "apt-get install -y -qq libsqlite3-dev"
else
	check_contains "make deps without root prints the sudo line" \
		"$(cat "$T/make-deps.out")" "sudo apt-get install libsqlite3-dev"
fi
rm -f "$T/installer-called"

# --- make run, literally, in a terminal, without a key -----------------------
SOCK=pwb-fresh-$$
trap '_lib_cleanup_fc' EXIT
_lib_cleanup_fc() {
	tmux -L "$SOCK" kill-server 2>/dev/null
	_lib_cleanup
}
mkdir -p "$T/home"
cat >"$T/run-readme.sh" <<EOF
cd "$CLONE" || exit 1
unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL
export HOME="$T/home" XDG_STATE_HOME="$T/home/state" XDG_CONFIG_HOME="$T/home/config" XDG_DATA_HOME="$T/home/data"
$(echo "$readme_cmds" | head -1)
echo "rc=\$?" >"$T/rc"
EOF
tmux -L "$SOCK" -f /dev/null new -d -x 100 -y 30 "sh $T/run-readme.sh; sleep 600"
pane() { tmux -L "$SOCK" capture-pane -p 2>/dev/null; }
opened() { pane | grep -q 'System prompt'; }
# A build from scratch on a busy machine: bounded, generous.
if wait_for 600 opened; then
	ok "make run: builds from scratch and opens the workbench"
else
	not_ok "make run: builds from scratch and opens the workbench" "$(pane | tail -20)"
fi
tmux -L "$SOCK" send-keys C-q
if wait_for 20 test -s "$T/rc"; then
	check_eq "make run: Ctrl-Q quits with status 0" "$(cat "$T/rc")" "rc=0"
else
	not_ok "make run: Ctrl-Q quits with status 0" "$(pane | tail -20)"
fi
check "make run: the release binary is ./pwb in the clone" test -x "$CLONE/pwb"

# A plain make: the man pages too, and man -l shows them from the tree.
(cd "$CLONE" && make >"$T/make.out" 2>&1)
check_eq "make: builds the rest (the man pages)" "$?" 0
for p in pwb.1 pwb-preset.5; do
	check "make: doc/$p renders with man -l" sh -c \
		"MANWIDTH=80 man -l '$CLONE/doc/$p' 2>&1 >/dev/null | grep -q . && exit 1; MANWIDTH=80 man -l '$CLONE/doc/$p' | grep -q NAME"
done
(cd "$CLONE" && make clean >/dev/null 2>&1)
check_eq "make clean: leaves the tree as cloned" \
	"$(cd "$CLONE" && git status --porcelain --ignored)" ""

# --- make test is the suite's command -----------------------------------------
n=$(cd "$CLONE" && make -n test 2>&1)
check_contains "make -n test runs tests/run.sh" "$n" "bash tests/run.sh"
check_contains "make -n test builds the sanitizer build first" "$n" "fsanitize=address"

done_testing
