#!/bin/sh
# The workbench's export view writes what pwb export writes: the same
# default (not streaming), --stream when switched, for C, Python,
# JavaScript and curl (tests/tui/export-same.script, in script mode).
. "$(dirname "$0")/../lib.sh"
export TERM=xterm-256color
unset NO_COLOR VISUAL EDITOR
dir="$T/work"
mkdir -p "$dir/state" "$dir/config" "$dir/data"
cp "$PWB_ROOT/tests/tui/hello.yaml" "$dir/"
(
	cd "$dir" || exit 1
	XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" HOME="$dir" \
		PWB_SCRIPT_OUT="$T" "$PWB" --script "$PWB_ROOT/tests/tui/export-same.script" hello.yaml \
		</dev/null >"$T/stdout" 2>"$T/stderr"
)
rc=$?
if [ "$rc" = 0 ]; then ok "script ran"; else not_ok "script ran (exit $rc)" "$(head -20 "$T/stderr")"; fi
for pair in c:view.c python:view.py js:view.mjs curl:view.sh; do
	lang=${pair%%:*} file=${pair#*:}
	(cd "$dir" && "$PWB" export hello.yaml --lang "$lang" >"$T/cli.$lang" 2>"$T/cli.err")
	if cmp -s "$T/cli.$lang" "$dir/$file"; then ok "$lang: the view wrote what pwb export writes"; else
		not_ok "$lang: the view wrote what pwb export writes" "$(diff -u "$T/cli.$lang" "$dir/$file" | head -30)"; fi
done
(cd "$dir" && "$PWB" export hello.yaml --lang c --stream >"$T/cli.stream" 2>"$T/cli.err")
if cmp -s "$T/cli.stream" "$dir/view-stream.c"; then ok "c --stream: the same when switched to streaming"; else
	not_ok "c --stream: the same when switched to streaming" "$(diff -u "$T/cli.stream" "$dir/view-stream.c" | head -30)"; fi
check_not_contains "not streaming by default" "$(cat "$dir/view.c")" '"stream"'
check_contains "streaming when switched" "$(cat "$dir/view-stream.c")" '"stream"'
done_testing
