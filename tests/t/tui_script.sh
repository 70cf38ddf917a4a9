#!/bin/sh
# The workbench in script mode: keys and directives from tests/tui/cases/*.script
# on a virtual screen of pinned size with a pinned clock, against the local
# test server; every dump is compared with tests/tui/expected/CASE/DUMP.
# Header lines of a case (before the keys):
#   #! server JSON        server script (default: one stream_text_basic answer)
#   #! args ARGS...       pwb arguments (after --script)
#   #! file SRC [DEST]    copy tests/tui/SRC into the case's folder
#   #! env NAME=VALUE     extra environment
#   #! nokey              run without ANTHROPIC_API_KEY
#   #! keys FILE          use tests/tui/FILE as $XDG_CONFIG_HOME/pwb/keys.yaml
#   #! mtime DEST DATE    set the modification time of a copied file (touch -d)
# Autosaves a case puts in place are named autosave-999999.yaml (an instance
# that died); the check for a clean exit ignores them.
# PWB_UPDATE_DUMPS=1 rewrites the expected dumps (each reported as a skip,
# "rewritten", never as passed; refused under CI=true).
. "$(dirname "$0")/../lib.sh"
if [ -n "${PWB_UPDATE_DUMPS:-}" ] && [ "${CI:-}" = true ]; then
	not_ok "PWB_UPDATE_DUMPS=1 is refused under CI=true (it rewrites the expected dumps)"
	done_testing
fi
CASES="$PWB_ROOT/tests/tui/cases"
EXP="$PWB_ROOT/tests/tui/expected"
export PWB_TEST_CLOCK=1000000
export TERM=xterm-256color
export TZ=UTC
unset NO_COLOR VISUAL EDITOR

for script in "$CASES"/*.script; do
	name=$(basename "$script" .script)
	case "${TUI_CASE:-}" in "" | "$name") ;; *) continue ;; esac
	dir="$T/$name"
	out="$T/$name.out"
	mkdir -p "$dir" "$out" "$dir/state" "$dir/config/pwb" "$dir/data"
	srv='[{"fixture":"stream_text_basic.sse"}]'
	args=""
	envs=""
	key=1
	while IFS= read -r line; do
		case "$line" in
		'#! server '*) srv=${line#\#! server } ;;
		'#! args '*) args=${line#\#! args } ;;
		'#! file '*)
			set -- ${line#\#! file }
			dest="$dir/${2:-$(basename "$1")}"
			mkdir -p "$(dirname "$dest")"
			cp "$PWB_ROOT/tests/tui/$1" "$dest" ;;
		'#! env '*) envs="$envs ${line#\#! env }" ;;
		'#! nokey') key=0 ;;
		'#! keys '*) cp "$PWB_ROOT/tests/tui/${line#\#! keys }" "$dir/config/pwb/keys.yaml" ;;
		'#! mtime '*)
			set -- ${line#\#! mtime }
			f=$1
			shift
			touch -d "$*" "$dir/$f" ;;
		esac
	done <"$script"
	server_start "$srv" || continue
	(
		cd "$dir" || exit 1
		[ "$key" = 1 ] || unset ANTHROPIC_API_KEY
		# shellcheck disable=SC2086
		env $envs XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" \
			XDG_DATA_HOME="$dir/data" HOME="$dir" PWB_SCRIPT_OUT="$out" \
			"$PWB" --script "$script" $args </dev/null >"$T/$name.stdout" 2>"$T/$name.stderr"
	)
	rc=$?
	if [ "$rc" = 0 ]; then ok "$name: script ran"; else
		not_ok "$name: script ran (exit $rc)" "$(head -40 "$T/$name.stderr")"; fi
	if [ -n "${PWB_UPDATE_DUMPS:-}" ]; then
		rm -rf "${EXP:?}/$name"
		mkdir -p "$EXP/$name"
		for got in "$out"/*; do
			[ -f "$got" ] || continue
			cp "$got" "$EXP/$name/"
			skip "$name: $(basename "$got")" "rewritten tests/tui/expected/$name/$(basename "$got"); review it in git diff"
		done
	else
		found=0
		for exp in "$EXP/$name"/*; do
			[ -f "$exp" ] || continue
			found=1
			d=$(basename "$exp")
			if [ ! -f "$out/$d" ]; then
				not_ok "$name: $d was not written"
			elif diff -u "$exp" "$out/$d" >"$T/diff" 2>&1; then
				ok "$name: $d"
			else
				not_ok "$name: $d differs from tests/tui/expected/$name/$d" "$(head -60 "$T/diff")"
			fi
		done
		[ "$found" = 1 ] || not_ok "$name: no expected dumps (run with PWB_UPDATE_DUMPS=1)"
		for got in "$out"/*; do
			[ -f "$got" ] || continue
			[ -f "$EXP/$name/$(basename "$got")" ] || not_ok "$name: unexpected dump $(basename "$got")"
		done
	fi
	# a clean exit leaves no autosave behind
	left=$(ls "$dir/state/pwb" 2>/dev/null | grep -v 'autosave-999999' | grep -c 'autosave-.*yaml$')
	check_eq "$name: no autosave left after a clean exit" "$left" 0
	server_stop
done

# The key table dump (keys_check) is what doc/pwb.1's KEYS section is made
# from (make man); tests/t/manpages.sh checks the built page.

# README's captures are dumps (without their header line): the first code
# block after the line that starts with PREFIX is the dump of CASE.
readme_capture() {
	prefix=$1 name=$2
	case "${TUI_CASE:-}" in "" | "$name") ;; *) return ;; esac
	awk -v pat="$prefix" 'index($0, pat) == 1 { f = 1; next }
		f && /^```$/ { if (inb) exit; inb = 1; next }
		inb { print }' "$PWB_ROOT/README.md" >"$T/readme-$name"
	tail -n +2 "$EXP/$name/screen" >"$T/dump-$name"
	if diff -u "$T/dump-$name" "$T/readme-$name" >"$T/diff"; then
		ok "README's capture is the $name dump"
	else
		not_ok "README's capture is the $name dump" "$(head -30 "$T/diff")"
	fi
}
readme_capture "A capture of the workbench" readme_capture
readme_capture "A capture of the Evaluate view" readme_eval_capture
done_testing
