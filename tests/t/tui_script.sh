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
# PWB_UPDATE_DUMPS=1 rewrites the expected dumps.
. "$(dirname "$0")/../lib.sh"
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
		cp "$out"/* "$EXP/$name/" 2>/dev/null
	fi
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
	# a clean exit leaves no autosave behind
	left=$(ls "$dir/state/pwb" 2>/dev/null | grep -v 'autosave-999999' | grep -c 'autosave-.*yaml$')
	check_eq "$name: no autosave left after a clean exit" "$left" 0
	server_stop
done

# README's key table is the generated one
if [ -z "${TUI_CASE:-}" ] || [ "$TUI_CASE" = keys_check ]; then
	sed -n '/<!-- tui-keys:begin -->/,/<!-- tui-keys:end -->/p' "$PWB_ROOT/README.md" |
		grep -v '^<!--' | grep -v '^```' >"$T/readme-keys"
	tail -n +3 "$EXP/keys_check/keys.txt" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$T/gen-keys"
	if diff -u "$T/gen-keys" "$T/readme-keys" >"$T/diff"; then ok "README's key table is the generated one"; else
		not_ok "README's key table is the generated one" "$(head -30 "$T/diff")"; fi
fi
done_testing
