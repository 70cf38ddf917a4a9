#!/bin/sh
# The headless commands of the plain debug build ($PWB_DEBUG, no sanitizers)
# under valgrind memcheck against the local test server: zero errors and
# zero definite or indirect leaks, one TAP line per command. Each command's
# own exit code is checked too, so a command that fails early (and so runs
# little code) cannot pass as clean.
. "$(dirname "$0")/../lib.sh"

PWB_DEBUG=${PWB_DEBUG:-$PWB_ROOT/build/debug/pwb}
VG_ERR=99
if ! command -v valgrind >/dev/null 2>&1; then
	not_ok "valgrind is installed (make test-deps installs it)"
	done_testing
fi
if [ ! -x "$PWB_DEBUG" ]; then
	not_ok "debug build exists" "$PWB_DEBUG"
	done_testing
fi

# libcurl and OpenSSL keep global state until exit by design ("still
# reachable"); only definite and indirect leaks fail, as the issue asks.
vg() {
	valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect \
		--errors-for-leak-kinds=definite,indirect --error-exitcode=$VG_ERR \
		--track-origins=yes --num-callers=30 --log-file="$T/vg.log" "$@"
}

# vg_case NAME EXPECTED_EXIT CMD...: one TAP line.
vg_case() {
	_name=$1; _want=$2; shift 2
	: >"$T/vg.log"
	vg "$@" >"$T/out" 2>"$T/err" </dev/null
	_rc=$?
	if [ "$_rc" = "$VG_ERR" ] || [ -s "$T/vg.log" ]; then
		not_ok "valgrind: $_name: no memory errors or leaks" \
			"$(head -60 "$T/vg.log")"
	elif [ "$_rc" != "$_want" ]; then
		not_ok "valgrind: $_name: no memory errors or leaks (exit $_want)" \
			"exit $_rc, expected $_want" "stdout: $(head -c 600 "$T/out")" \
			"stderr: $(head -c 600 "$T/err")"
	else
		ok "valgrind: $_name: no memory errors or leaks"
	fi
}

P="$T/chat.yaml"
cat >"$P" <<'EOF'
pwb: 1
name: valgrind
model: claude-sonnet-4-5
max_tokens: 256
system: You are terse. Answer for {{who}}.
variables:
  who: the tests
messages:
  - role: user
    content: "Say hello."
EOF
# a preset with a recorded response, for replay
R="$T/recorded.yaml"
cat >"$R" <<'EOF'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 256
messages:
  - role: user
    content: "Say hello."
response:
  content:
    - type: text
      text: "Hello!"
  stop_reason: end_turn
  usage: {input_tokens: 25, output_tokens: 15}
  model: claude-sonnet-4-5
  at: 2026-11-28T10:00:00Z
EOF

server_start '{"messages": [{"fixture": "stream_text_basic.sse"}]}' || done_testing

vg_case "run (stream)" 0 "$PWB_DEBUG" run "$P"
check_contains "run (stream) printed the answer" "$(cat "$T/out")" "Hello!"
server_script '{"messages": [{"fixture": "stream_tool_use.sse"}]}'
vg_case "run --json (tool use stream)" 0 "$PWB_DEBUG" run --json "$P"
check_contains "run --json assembled the tool input" "$(cat "$T/out")" "San Francisco, CA"
server_script '{"messages": [{"fixture": "message_text.json"}]}'
vg_case "run --no-stream" 0 "$PWB_DEBUG" run --no-stream "$P"
server_script '{"messages": [{"fixture": "stream_error_overloaded_midstream.sse"}]}'
vg_case "run (mid-stream error event)" 4 "$PWB_DEBUG" run --json "$P"
server_script '{"messages": [{"fixture": "error_401_authentication.json"}]}'
vg_case "run (401, not retried)" 3 "$PWB_DEBUG" run "$P"
server_script '{"messages": [{"status": 529, "fixture": "error_529_overloaded.json", "headers": {"retry-after-ms": "1"}}, {"fixture": "stream_text_basic.sse"}]}'
vg_case "run (529 retried, then complete)" 0 "$PWB_DEBUG" run "$P"
vg_case "request" 0 "$PWB_DEBUG" request "$P"
check_contains "request printed the body" "$(cat "$T/out")" '"stream":true'
vg_case "count" 0 "$PWB_DEBUG" count "$P"
vg_case "models" 0 "$PWB_DEBUG" models
check_contains "models listed the server's models" "$(cat "$T/out")" "claude-test-opus-9"
vg_case "validate" 0 "$PWB_DEBUG" validate "$P" "$R"
printf 'pwb: 1\nmodel: x\nmax_tokens: -1\nbogus: 1\nmessages: []\n' >"$T/bad.yaml"
vg_case "validate (invalid preset)" 2 "$PWB_DEBUG" validate "$T/bad.yaml"
server_script '{"messages": [{"fixture": "stream_text_basic.sse"}]}'
vg_case "replay" 0 "$PWB_DEBUG" replay "$R"
vg_case "replay --check --json" 0 "$PWB_DEBUG" replay --check --json "$R"
for lang in c python js curl; do
	vg_case "export --lang $lang" 0 "$PWB_DEBUG" export "$P" --lang "$lang"
done
vg_case "export --lang c --stream -o FILE" 0 "$PWB_DEBUG" export "$P" --lang c --stream -o "$T/x.c"

# pwb eval, real time (with an llm-rubric grader), and through batches; the run log.
export PWB_LOG="$T/log.db"
E="$T/eval.yaml"
cat >"$E" <<'EOF'
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
  - role: user
    content: "Q {{x}}"
tests:
  - vars: {x: one}
    assert: [{type: contains, value: one}, {type: is-json}]
  - vars: {x: two}
    assert: [{type: llm-rubric, value: good}, {type: regex, value: "t\\w+$"}]
  - vars: {x: three}
    assert: [{type: not-icontains, value: THREE}]
EOF
grade='"json": {"id": "m", "type": "message", "role": "assistant", "model": "claude-haiku-4-5", "content": [{"type": "tool_use", "id": "t", "name": "grade", "input": {"pass": true, "score": 1, "reason": "ok"}}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 5, "output_tokens": 5}}'
server_script "{\"messages\": [{\"route\": [{\"match\": \"tool_choice\", $grade}, {\"echo\": \"A: \"}]}]}"
vg_case "eval (three rows, a grader)" 1 "$PWB_DEBUG" eval "$E" --concurrency 2 -o "$T/r.jsonl"
check_eq "eval under valgrind: every row reported" "$(wc -l <"$T/r.jsonl" | tr -d ' ')" 3
vg_case "eval --json --models (two columns)" 1 "$PWB_DEBUG" eval "$E" --json --models claude-haiku-4-5,claude-sonnet-4-5
vg_case "eval --cache" 1 "$PWB_DEBUG" eval "$E" --cache
server_script "{\"batches\": {\"polls\": 1, \"outcomes\": {\"r2-k0-c0\": \"expired\"}}, \"messages\": [{$grade}]}"
vg_case "eval --batch" 1 "$PWB_DEBUG" eval "$E" --batch --poll 0.05 --no-log
vg_case "batch list" 0 "$PWB_DEBUG" batch list
vg_case "log" 0 "$PWB_DEBUG" log
vg_case "log FILE" 0 "$PWB_DEBUG" log "$E"

done_testing
