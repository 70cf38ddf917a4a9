#!/bin/sh
# The API key never leaves pwb except in its header: every command (and the
# TUI's save, export and autosave) runs with a sentinel key, from the
# environment and from .env, with HOME and every XDG folder inside one work
# folder; then every file pwb wrote there and everything it printed is
# searched for the sentinel (whole, and any 12-character piece of its
# secret part). Zero hits. Where pwb shows the key, the masked form appears.
. "$(dirname "$0")/../lib.sh"

SECRET_BODY="PWBSENTINELz9Qx7Lm2Vb8Nc4Kd1Jf6Hg3Ts5Rw0Ye"
SENTINEL="sk-ant-api03-$SECRET_BODY-TaIL"
export ANTHROPIC_API_KEY="$SENTINEL"
W="$T/work"
mkdir -p "$W/home" "$W/state" "$W/config" "$W/data" "$W/cache" "$W/tmp" "$W/proj"
export HOME="$W/home" XDG_STATE_HOME="$W/state" XDG_CONFIG_HOME="$W/config" \
	XDG_DATA_HOME="$W/data" XDG_CACHE_HOME="$W/cache" TMPDIR="$W/tmp"
OUT="$T/outputs"   # stdout and stderr of every command, kept outside $W
mkdir -p "$OUT"
cd "$W/proj" || exit 1
n=0

# pieces of the secret part: any 12 consecutive characters
PIECES=$(python3 -c 'import sys
s = sys.argv[1]
print("\n".join(s[i:i + 12] for i in range(0, len(s) - 11, 6)))' "$SECRET_BODY")

# leaks FILE...: prints "FILE: piece" for every hit
leaks() {
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		if grep -aqF "$SENTINEL" "$_f"; then echo "$_f: the whole key"; continue; fi
		for _p in $PIECES; do
			if grep -aqF "$_p" "$_f"; then echo "$_f: contains '$_p'"; break; fi
		done
	done
}

# pwb_run NAME EXPECTED_EXIT ARGS...: runs $PWB, keeps its output, checks the exit code.
pwb_run() {
	_name=$1; _want=$2; shift 2
	n=$((n + 1))
	"$PWB" "$@" >"$OUT/$n.out" 2>"$OUT/$n.err" </dev/null
	_rc=$?
	if [ "$_rc" = "$_want" ]; then
		ok "secrets: $_name (exit $_rc)"
	else
		not_ok "secrets: $_name (exit $_rc, expected $_want)" \
			"stdout: $(head -c 500 "$OUT/$n.out")" "stderr: $(head -c 500 "$OUT/$n.err")"
	fi
	LAST_OUT="$OUT/$n.out" LAST_ERR="$OUT/$n.err"
}

cat >chat.yaml <<'EOF'
pwb: 1
name: secrets
model: claude-sonnet-4-5
max_tokens: 256
system: Answer for {{who}}.
variables:
  who: the tests
messages:
  - role: user
    content: "Say hello."
EOF
cp chat.yaml record.yaml

server_start '{"messages": [{"fixture": "stream_text_basic.sse"}]}' || done_testing

pwb_run "run" 0 run chat.yaml
pwb_run "run --json" 0 run --json chat.yaml
pwb_run "run --no-stream" 0 run --no-stream chat.yaml
pwb_run "run --record" 0 run --record record.yaml
check_contains "secrets: run --record wrote the answer" "$(cat record.yaml)" "response:"
pwb_run "replay" 0 replay record.yaml
pwb_run "replay --update" 0 replay --update record.yaml
pwb_run "request" 0 request chat.yaml
pwb_run "count" 0 count chat.yaml
pwb_run "models" 0 models
pwb_run "validate" 0 validate chat.yaml record.yaml
for lang in c python js curl; do
	pwb_run "export --lang $lang" 0 export chat.yaml --lang "$lang" -o "export.$lang"
	pwb_run "export --lang $lang --stream" 0 export chat.yaml --lang "$lang" --stream
done
# errors: the key is the likeliest thing to end up in an error message
server_script '{"messages": [{"fixture": "error_401_authentication.json"}]}'
pwb_run "run (401)" 3 run chat.yaml
pwb_run "run --json (401)" 3 run --json chat.yaml
server_script '{"messages": [{"fixture": "stream_error_overloaded_midstream.sse"}]}'
pwb_run "run (mid-stream error)" 4 run chat.yaml
server_script '{"messages": [{"fixture": "stream_text_basic.sse"}]}'

# the key from .env instead of the environment
unset ANTHROPIC_API_KEY
printf '# key for the secrets test\nANTHROPIC_API_KEY="%s"\n' "$SENTINEL" >.env
pwb_run "run (key from .env)" 0 run --json chat.yaml
pwb_run "export (key from .env)" 0 export chat.yaml --lang curl -o export-dotenv.sh
mv .env "$T/dotenv"
export ANTHROPIC_API_KEY="$SENTINEL"

# the key pasted into a preset: never written back, whatever the flags
cat >pasted.yaml <<EOF
pwb: 1
model: claude-sonnet-4-5
max_tokens: 256
system: "my key is $SENTINEL"
messages:
  - role: user
    content: "Say hello."
EOF
pwb_run "export refuses a preset holding the key" 2 export pasted.yaml --lang curl -o pasted-export.sh
check "secrets: nothing exported from a preset holding the key" test ! -e pasted-export.sh
pwb_run "request refuses a preset holding the key" 2 request pasted.yaml
check_eq "secrets: request prints nothing from a preset holding the key" "$(cat "$OUT/$n.out")" ""
before=$(cksum <pasted.yaml)
n=$((n + 1))
"$PWB" run --record --force pasted.yaml >"$OUT/$n.out" 2>"$OUT/$n.err" </dev/null
if [ "$(cksum <pasted.yaml)" = "$before" ] || [ -z "$(leaks pasted.yaml)" ]; then
	ok "secrets: run --record --force does not write back a preset holding the key"
else
	not_ok "secrets: run --record --force does not write back a preset holding the key" \
		"$(cat pasted.yaml)"
fi
# the user's own file stays as it was (it is theirs); it and its backup are
# the only files allowed to hold the key
mv pasted.yaml "$T/pasted.yaml"
rm -f pasted.yaml~

# The TUI in its script mode: run, save, write the export, then the key
# typed into the system prompt (autosave must write a marker instead, save
# must not write it), captured while pwb runs (a clean exit removes the
# autosave) during a slow second answer.
cp chat.yaml tui.yaml
tui_before=$(cksum <tui.yaml)
server_script '{"messages": [{"fixture": "stream_text_basic.sse"}, {"fixture": "stream_text_basic.sse", "chunk": 40, "delay_ms": 150}]}'
cat >"$T/tui.script" <<EOF
<C-r>
@wait-idle
<C-s>
<F3>
w
<Enter>
<Esc>
<M-1>
my key is $SENTINEL TUIMARK
<C-r>
@wait-idle
<C-s>
@dump-screen after-save.screen
<Esc>
<C-q>
y
EOF
n=$((n + 1))
PWB_SCRIPT_OUT="$T" PWB_TEST_CLOCK=1000000 TERM=xterm-256color \
	"$PWB" --script "$T/tui.script" tui.yaml >"$OUT/$n.out" 2>"$OUT/$n.err" </dev/null &
tui_pid=$!
autosave_has_edit() {
	for _a in "$W"/state/pwb/autosave-*.yaml; do
		[ -f "$_a" ] && grep -q TUIMARK "$_a" && cp "$_a" "$W/autosave-copy.yaml" && return 0
	done
	return 1
}
if wait_for 30 autosave_has_edit; then
	ok "secrets: TUI autosave written while running (captured)"
else
	not_ok "secrets: TUI autosave written while running (captured)" \
		"$(ls -la "$W/state/pwb" 2>&1)"
fi
wait "$tui_pid"
tui_rc=$?
check_eq "secrets: TUI script ran (exit code)" "$tui_rc" 0
# the typed line is there, with something else where the key was
check_contains "secrets: TUI autosave keeps the typed text, the key replaced" \
	"$(grep 'my key is' "$W/autosave-copy.yaml" 2>/dev/null | grep -v "$SECRET_BODY")" "TUIMARK"
check "secrets: TUI saved the preset (rewritten in canonical form)" \
	test "$(cksum <tui.yaml)" != "$tui_before"
check "secrets: TUI wrote the export file" test -s "$(ls request.* 2>/dev/null | head -1)"

# The run log ($XDG_DATA_HOME/pwb/log.db): run, replay and the workbench
# above wrote to it; now a server that puts the key in its answers' text,
# in the request-id header and in its error text, for run, eval, replay and
# the workbench. Redaction must keep the key (whole and base64) out of the database,
# its -wal and its -shm (copied while the workbench holds the log open,
# since a clean close folds the -wal into the database and removes it).
"$PYTHON" - "$SENTINEL" "$T" <<'PYEOF'
import base64, json, sys
key, t = sys.argv[1], sys.argv[2]
# every form redaction promises to catch: whole, and base64
text = "the key is " + key + " and in base64 " + base64.b64encode(key.encode()).decode()
msg = {"id": "msg_key", "type": "message", "role": "assistant",
       "content": [{"type": "text", "text": text}], "model": "claude-sonnet-4-5",
       "stop_reason": "end_turn", "stop_sequence": None,
       "usage": {"input_tokens": 10, "output_tokens": 5}}
start = dict(msg, content=[], stop_reason=None)
ev = [("message_start", {"type": "message_start", "message": start}),
      ("content_block_start", {"type": "content_block_start", "index": 0,
                               "content_block": {"type": "text", "text": ""}}),
      ("content_block_delta", {"type": "content_block_delta", "index": 0,
                               "delta": {"type": "text_delta", "text": text}}),
      ("content_block_stop", {"type": "content_block_stop", "index": 0}),
      ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                         "stop_sequence": None}, "usage": {"output_tokens": 5}}),
      ("message_stop", {"type": "message_stop"})]
sse = "".join("event: %s\ndata: %s\n\n" % (n, json.dumps(d)) for n, d in ev)
hdr = {"request-id": key}
stream = {"match": '"stream":true', "body": sse,
          "content_type": "text/event-stream; charset=utf-8", "headers": hdr}
ok = {"messages": [{"route": [stream, {"json": msg, "headers": hdr}]}]}
err = {"messages": [{"status": 400, "headers": hdr, "json": {"type": "error",
    "error": {"type": "invalid_request_error", "message": "the key " + key + " is bad"},
    "request_id": key}}]}
slow = {"messages": [{"route": [dict(stream, chunk=40, delay_ms=100),
                                {"json": msg, "headers": hdr}]}]}
for name, s in (("keysrv-ok", ok), ("keysrv-err", err), ("keysrv-slow", slow)):
    json.dump(s, open("%s/%s.json" % (t, name), "w"))
PYEOF
cat >evalkey.yaml <<'YAML'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 64
messages:
  - role: user
    content: "Q {{x}}"
tests:
  - vars: {x: one}
    assert:
      - type: contains
        value: "the key is"
YAML
server_script "$T/keysrv-ok.json"
pwb_run "run (the server echoes the key)" 0 run chat.yaml
pwb_run "run --json (the server echoes the key)" 0 run --json chat.yaml
pwb_run "eval (the server echoes the key)" 0 eval evalkey.yaml
pwb_run "replay (the server echoes the key)" 0 replay record.yaml
server_script "$T/keysrv-err.json"
pwb_run "run (the key in the error)" 3 run chat.yaml
pwb_run "eval (the key in the error)" 3 eval evalkey.yaml
pwb_run "replay (the key in the error)" 3 replay record.yaml
server_script "$T/keysrv-slow.json"
printf '<C-r>\n@wait-idle\n<C-r>\n@wait-idle\n<C-q>\n' >"$T/tuikey.script"
n=$((n + 1))
PWB_TEST_CLOCK=1000000 TERM=xterm-256color \
	"$PWB" --script "$T/tuikey.script" chat.yaml >"$OUT/$n.out" 2>"$OUT/$n.err" </dev/null &
tui_pid=$!
LOGDB="$W/data/pwb/log.db"
mkdir -p "$W/logcopy"
# the first answer is in the -wal while the second one streams
wal_has_tui() {
	[ -s "$LOGDB-wal" ] && [ "$(server_count /v1/messages)" -ge 2 ] || return 1
	cp "$LOGDB" "$W/logcopy/log.db" && cp "$LOGDB-wal" "$W/logcopy/log.db-wal" &&
		cp "$LOGDB-shm" "$W/logcopy/log.db-shm"
}
if wait_for 30 wal_has_tui; then
	ok "secrets: the run log's -wal and -shm copied while the workbench runs"
else
	not_ok "secrets: the run log's -wal and -shm copied while the workbench runs" \
		"$(ls -la "$W/data/pwb" 2>&1)"
fi
wait "$tui_pid"
check_eq "secrets: the workbench script with the key-echoing server ran" "$?" 0
n=$((n + 1))
"$PWB" log -n 1000 --json >"$OUT/$n.out" 2>"$OUT/$n.err"
check_eq "secrets: the run log holds answers of run, eval, replay and the workbench" \
	"$(jget "$OUT/$n.out" 'sorted(set(a["command"] for a in d))')" '["eval","replay","run","tui"]'
check_eq "secrets: the run log holds the key-echoing answers and the errors" \
	"$(jget "$OUT/$n.out" '[len([a for a in d if a["text"].startswith("the key is")]) >= 5, len([a for a in d if a["outcome"] == "error"]) >= 3]')" \
	'[true,true]'
hits=$(leaks "$LOGDB" "$LOGDB-wal" "$LOGDB-shm" "$W"/logcopy/*)
check_eq "secrets: no trace of the key in the run log (db, -wal, -shm)" "$hits" ""
check "secrets: the copied -wal holds the workbench's first answer" \
	grep -aq 'the key is' "$W/logcopy/log.db-wal"

# Every file written under the work folder, and every output.
files=$(find "$W" -type f | sort)
nfiles=$(echo "$files" | grep -c .)
hits=$(leaks $files "$OUT"/*)
if [ -z "$hits" ]; then
	ok "secrets: no trace of the key in $nfiles files pwb wrote or $n commands' output"
else
	not_ok "secrets: no trace of the key in the files pwb wrote or its output" "$hits"
fi
check_contains "secrets: the export files were written" "$files" "export.curl"

# Where the key is shown (the warning about the key pasted into a preset,
# the TUI), it is masked: every key-like word in the output is the masked form.
last4=$(printf '%s' "$SENTINEL" | tail -c 4)
shown=$(cat "$OUT"/* | grep -ao 'sk-ant-[A-Za-z0-9_…-]*' | sort -u)
check_contains "secrets: the masked key is shown where the key is named" "$shown" "sk-ant-api03-…$last4"
unmasked=$(printf '%s\n' "$shown" | grep -v "^sk-ant-api03-…$last4\$" | grep .)
check_eq "secrets: no other form of the key is shown" "$unmasked" ""

done_testing
