#!/bin/sh
# The workbench's answers survive a restart: they are in the run log, and a
# new workbench on the same preset shows its latest answers again (F6/F7
# walk them), each with the prompt version and parameters that produced
# it. Two script-mode runs (tests/tui/restart/*.script) share the state
# and data folders; the dumps are compared with tests/tui/expected-restart/
# (the log's wall-clock times replaced by DATE). PWB_UPDATE_DUMPS=1
# rewrites them (a skip, never a pass).
. "$(dirname "$0")/../lib.sh"
EXP="$PWB_ROOT/tests/tui/expected-restart"
export PWB_TEST_CLOCK=1000000 TERM=xterm-256color TZ=UTC
unset NO_COLOR VISUAL EDITOR
dir="$T/work"
out="$T/out"
mkdir -p "$dir/state" "$dir/config/pwb" "$dir/data" "$out"
cp "$PWB_ROOT/tests/tui/hello.yaml" "$dir/"
server_start '[{"fixture":"stream_text_basic.sse"},{"echo":"You said: "}]' || done_testing
for run in first second; do
	(
		cd "$dir" || exit 1
		XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" \
			HOME="$dir" PWB_SCRIPT_OUT="$out" \
			"$PWB" --script "$PWB_ROOT/tests/tui/restart/$run.script" hello.yaml \
			</dev/null >"$T/$run.stdout" 2>"$T/$run.stderr"
	)
	rc=$?
	if [ "$rc" = 0 ]; then ok "$run run"; else not_ok "$run run (exit $rc)" "$(head -20 "$T/$run.stderr")"; fi
done
check_eq "the second run sent nothing" "$(server_count /v1/messages)" 2
for f in "$out"/*; do
	sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}/DATE/g' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
done
if [ -n "${PWB_UPDATE_DUMPS:-}" ] && [ "${CI:-}" != true ]; then
	rm -rf "$EXP"
	mkdir -p "$EXP"
	for f in "$out"/*; do
		cp "$f" "$EXP/"
		skip "$(basename "$f")" "rewritten tests/tui/expected-restart/$(basename "$f"); review it in git diff"
	done
	done_testing
fi
for exp in "$EXP"/*; do
	d=$(basename "$exp")
	if diff -u "$exp" "$out/$d" >"$T/diff" 2>&1; then ok "$d"; else
		not_ok "$d differs from tests/tui/expected-restart/$d" "$(head -60 "$T/diff")"; fi
done
done_testing
