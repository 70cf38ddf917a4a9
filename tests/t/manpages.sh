#!/bin/sh
# The man pages (doc/pwb.1, doc/pwb-preset.5, built by make from doc/*.scd)
# render without warnings, are current with their sources, and name what the
# code has: every command and each of its options (from the --help texts),
# every exit code (the EXIT_ constants), every environment variable read
# with getenv, and every workbench action (tui/actions.h). A command, option
# or variable added to the code fails here until the .scd text names it.
. "$(dirname "$0")/../lib.sh"
cd "$PWB_ROOT" || exit 1
PAGE1=doc/pwb.1
PAGE5=doc/pwb-preset.5

for p in $PAGE1 $PAGE5; do
	if [ ! -s "$p" ]; then
		not_ok "$p is built (make man)"
		done_testing
	fi
	w=$(MANWIDTH=80 man -l "$p" 2>&1 >/dev/null)
	check_eq "man -l $p: no warnings" "$w" ""
	w=$(groff -k -man -ww -z "$p" 2>&1)
	check_eq "groff -ww $p: no warnings" "$w" ""
done

# The built pages are what the sources give now (the date line aside).
strip_date() { grep -v '^\.TH ' "$1"; }
awk -f scripts/man-keys.awk tests/tui/expected/keys_check/keys.txt doc/pwb.1.scd |
	scdoc | awk '{ print } /^\.TH / { print ".nh" }' >"$T/pwb.1"
scdoc <doc/pwb-preset.5.scd | awk '{ print } /^\.TH / { print ".nh" }' >"$T/pwb-preset.5"
for p in pwb.1 pwb-preset.5; do
	if [ "$(strip_date "doc/$p")" = "$(strip_date "$T/$p")" ]; then
		ok "doc/$p is current with its source (make man)"
	else
		not_ok "doc/$p is current with its source (make man)"
	fi
done

# The rendered text, one paragraph per line (wide, no hyphenation).
MANWIDTH=1000 man -l $PAGE1 2>/dev/null | sed 's/[[:space:]]*$//' >"$T/pwb.1.txt"
# section NAME: the lines of one section of the rendered pwb(1).
section() {
	awk -v s="$1" '/^[A-Z]/ { on = ($0 == s); next } on' "$T/pwb.1.txt"
}
# command_block CMD: the COMMANDS entry of CMD (its heading line to the next).
command_block() {
	section COMMANDS | awk -v c="$1" '
		/^       [a-z]/ { split($0, w, " "); on = (w[1] == c) }
		on'
}
# options TEXT: every -x and --long option named in TEXT, one per line.
options() {
	printf '%s\n' "$1" | grep -oE '(^|[][ |,(])--?[a-zA-Z][a-zA-Z-]*' |
		sed 's/^[][ |,(]//' | sort -u
}

# Commands and their options, from the code's own help texts.
"$PWB" --help >"$T/help" 2>&1
commands=$(sed -n '/^commands:/,/^$/p' "$T/help" | awk 'NF && !/^commands:/ { print $1 }')
[ -n "$commands" ] || not_ok "pwb --help lists commands" "$(cat "$T/help")"
for c in $commands; do
	block=$(command_block "$c")
	if [ -z "$block" ]; then
		not_ok "pwb.1 COMMANDS: $c has an entry"
		continue
	fi
	ok "pwb.1 COMMANDS: $c has an entry"
	"$PWB" "$c" --help >"$T/help.$c" 2>&1
	for o in $(options "$(cat "$T/help.$c")"); do
		case "$block" in
		*"$o"*) ok "pwb.1: $c $o" ;;
		*) not_ok "pwb.1: $c $o is described in the $c entry" ;;
		esac
	done
done

# The front end's own options: the top-level help and the workbench usage.
# (Their usage lines only: the prose below them names other commands' options.)
"$PWB" --budget </dev/null >"$T/tui-usage" 2>&1
usage_lines=$(sed '/^$/q' "$T/help"; grep '^usage:' "$T/tui-usage")
opt_text=$(section OPTIONS)
for o in $(options "$usage_lines"); do
	case "$opt_text" in
	*"$o"*) ok "pwb.1 OPTIONS: $o" ;;
	*) not_ok "pwb.1 OPTIONS: $o is described" ;;
	esac
done

# Exit codes: every EXIT_ constant of the code.
codes=$(grep -ohE '\bEXIT_[A-Z_]+ *= *[0-9]+' core/*.h cli/*.h cli/*.c tui/*.h 2>/dev/null |
	grep -oE '[0-9]+$' | sort -un)
[ -n "$codes" ] || not_ok "exit codes found in the code (EXIT_NAME = N)"
for n in $codes; do
	if section "EXIT STATUS" | grep -qx "       $n"; then ok "pwb.1 EXIT STATUS: $n"
	else not_ok "pwb.1 EXIT STATUS: $n has an entry"; fi
done

# Environment: getenv("NAME"), and getenv(MACRO) with #define MACRO "NAME".
vars=$(grep -ohE 'getenv\("[A-Za-z_0-9]+"\)' core/*.c cli/*.c tui/*.c | grep -oE '"[^"]+"' | tr -d '"')
for m in $(grep -ohE 'getenv\([A-Z_][A-Z_0-9]*\)' core/*.c cli/*.c tui/*.c | sed 's/getenv(\(.*\))/\1/' | sort -u); do
	vars="$vars $(grep -ohE "#define $m \"[^\"]+\"" core/* cli/* tui/* | grep -oE '"[^"]+"' | tr -d '"')"
done
env_text=$(section ENVIRONMENT)
for v in $(printf '%s\n' $vars | sort -u); do
	case "$env_text" in
	*"$v"*) ok "pwb.1 ENVIRONMENT: $v" ;;
	*) not_ok "pwb.1 ENVIRONMENT: $v (the code reads it) is described" ;;
	esac
done

# Workbench actions: every name of the action table, in KEYS.
actions=$(grep -oE '^[[:space:]]*X\([A-Z_0-9]+, *[A-Z_]+, *"[a-z0-9-]+"' tui/actions.h |
	grep -oE '"[^"]+"' | tr -d '"')
[ -n "$actions" ] || not_ok "actions found in tui/actions.h"
keys_text=$(section KEYS)
for a in $actions; do
	case "$keys_text" in
	*"($a)"*) ok "pwb.1 KEYS: $a" ;;
	*) not_ok "pwb.1 KEYS: action $a is listed (make man; PWB_UPDATE_DUMPS=1 for keys_check)" ;;
	esac
done

# pwb-preset(5) renders its sections and describes every top-level key the
# loader knows (it lists them when it meets an unknown one).
MANWIDTH=1000 man -l $PAGE5 2>/dev/null >"$T/pwb-preset.5.txt"
for s in NAME DESCRIPTION EXAMPLE KEYS VALIDATION SAVING; do
	check "pwb-preset.5: section $s" grep -qx "$s" "$T/pwb-preset.5.txt"
done
printf 'pwb: 1\nmodel: m\nmax_tokens: 5\nno_such_key_x: 1\nmessages:\n  - role: user\n    content: hi\n' >"$T/unknown.yaml"
known=$("$PWB" validate "$T/unknown.yaml" 2>&1 | grep -o 'known keys: [^)]*' | sed 's/^known keys: //; s/,/ /g')
[ -n "$known" ] || not_ok "pwb validate lists the known keys on an unknown one"
keys5=$(awk '/^[A-Z]/ { on = ($0 == "KEYS"); next } on' "$T/pwb-preset.5.txt")
for k in $known; do
	if printf '%s\n' "$keys5" | grep -qE "(^|[ ,])$k(,|$)"; then ok "pwb-preset.5 KEYS: $k"
	else not_ok "pwb-preset.5 KEYS: $k (the loader knows it) is described"; fi
done

done_testing
