#!/bin/sh
# Output from the network or a preset cannot drive the terminal: every
# printing path runs in a pty against a server (or a preset) whose text holds
# ESC ] 52 (clipboard), ESC ] 0 (title), ESC [ 2 J (clear), C1 0x9b and
# U+202E. The pty must see none of them raw; a pipe gets answer text exactly;
# --raw writes it exactly to a terminal too.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

# in_pty OUT CMD...: run CMD with stdin, stdout and stderr on a pty; its
# output (both streams) goes to OUT; returns CMD's exit status.
in_pty() {
	_out=$1
	shift
	$PYTHON - "$_out" "$@" <<'PY'
import os, pty, subprocess, sys
out = sys.argv[1]
master, slave = pty.openpty()
p = subprocess.Popen(sys.argv[2:], stdin=slave, stdout=slave, stderr=slave, close_fds=True)
os.close(slave)
data = b""
while True:
    try:
        chunk = os.read(master, 65536)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
rc = p.wait()
open(out, "wb").write(data)
sys.exit(rc)
PY
}

# bad FILE: prints what raw control sequences FILE holds (empty when none)
bad() {
	$PYTHON - "$1" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
found = []
for name, seq in (("ESC ]", b"\x1b]"), ("ESC [2J", b"\x1b[2J"), ("C1 9b", b"\xc2\x9b"),
                  ("raw 9b", b"\x9b"), ("U+202E", "\u202e".encode())):
    if seq in d:
        found.append(name)
print(" ".join(found))
PY
}

check_clean() {
	_b=$(bad "$2")
	if [ -z "$_b" ]; then ok "$1: nothing raw reaches the terminal"; else not_ok "$1: raw control sequences on the terminal" "$_b"; fi
}

# the SSE answer, a tool name, thinking, and a mid-stream error, all hostile
$PYTHON - "$T" <<'PY'
import json, sys
T = sys.argv[1]
h = "x\x1b]52;c;SGVsbG8=\x07 t\x1b]0;owned\x07 c\x1b[2J k\u009b2J r\u202eevil"
def ev(name, data):
    return "event: %s\ndata: %s\n\n" % (name, json.dumps(data))
start = ev("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 0}}})
think = (ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking", "thinking": ""}})
         + ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "thinking_delta", "thinking": "think " + h}})
         + ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
text_at = lambda i: (ev("content_block_start", {"type": "content_block_start", "index": i, "content_block": {"type": "text", "text": ""}})
        + ev("content_block_delta", {"type": "content_block_delta", "index": i, "delta": {"type": "text_delta", "text": h}})
        + ev("content_block_stop", {"type": "content_block_stop", "index": i}))
text = text_at(0)
tool = (ev("content_block_start", {"type": "content_block_start", "index": 2, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "t\x1b]0;x\x07ool", "input": {}}})
        + ev("content_block_delta", {"type": "content_block_delta", "index": 2, "delta": {"type": "input_json_delta", "partial_json": "{}"}})
        + ev("content_block_stop", {"type": "content_block_stop", "index": 2}))
end = (ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}})
       + ev("message_stop", {"type": "message_stop"}))
midstream = start + text + ev("error", {"type": "error", "error": {"type": "overloaded\x1b[2J", "message": h}})
err400 = {"status": 400, "headers": {"request-id": "req_\x1b]0;t\x07"},
          "json": {"type": "error", "error": {"type": "invalid_request_error\x1b]0;t\x07", "message": h}}}
models = {"data": [{"id": "claude-" + h, "type": "model"}], "has_more": False}
script = lambda m: {"messages": m, "models": [{"json": models}], "count_tokens": [err400]}
json.dump(script([{"body": start + think + text_at(1) + tool + end, "content_type": "text/event-stream"}]), open(T + "/ok.json", "w"))
json.dump(script([{"body": start + text + end, "content_type": "text/event-stream"}]), open(T + "/text.json", "w"))
json.dump(script([{"body": midstream, "content_type": "text/event-stream"}]), open(T + "/mid.json", "w"))
json.dump(script([err400]), open(T + "/err.json", "w"))
open(T + "/hostile.txt", "w").write(h)
PY
write_preset p.yaml
server_start "$T/ok.json"

in_pty run.pty $PWB run --thinking p.yaml
check_eq "run in a pty: exit 0" "$?" 0
check_clean "run text, thinking and tool name" run.pty
check_contains "run: shown escaped" "$(cat run.pty)" '^[]52;c;SGVsbG8=^G'
check_contains "run: U+202E shown as a code" "$(cat run.pty)" '<U+202E>'
check_contains "run: C1 shown as a byte" "$(cat run.pty)" '<9b>'

server_script "$T/text.json"
$PWB run p.yaml >pipe.out 2>/dev/null
check_eq "run to a pipe: the exact bytes" "$(od -An -tx1 pipe.out)" "$( (cat hostile.txt; echo) | od -An -tx1)"
in_pty raw.pty $PWB run --raw p.yaml
check_contains "run --raw: the exact bytes to a terminal" "$(bad raw.pty)" "ESC ]"

server_script "$T/mid.json"
in_pty mid.pty $PWB run p.yaml
check_eq "mid-stream error: exit 4" "$?" 4
check_clean "mid-stream error message and type" mid.pty

server_script "$T/err.json"
in_pty err.pty $PWB run p.yaml
check_eq "API error: exit 3" "$?" 3
check_clean "API error message, type and request-id" err.pty
$PWB run p.yaml >/dev/null 2>err.txt
check_clean "API error to a pipe is escaped too (a diagnostic)" err.txt
in_pty count.pty $PWB count p.yaml
check_clean "count error" count.pty
in_pty models.pty $PWB models
check_clean "models" models.pty

# replay diffs of a hostile answer
cat >r.yaml <<EOF2
pwb: 1
model: claude-sonnet-4-5
max_tokens: 256
messages:
  - role: user
    content: "Say hello."
response:
  content:
    - type: text
      text: "Hello."
  stop_reason: end_turn
  usage: {input_tokens: 20, output_tokens: 6}
  model: claude-sonnet-4-5
EOF2
server_script "$T/text.json"
in_pty replay.pty $PWB replay r.yaml
check_clean "replay diff" replay.pty
check_contains "replay: the diff is shown" "$(cat replay.pty)" "changed"

# a cloned preset whose strings hold control sequences: validate, run
# (validation), request, export diagnostics
$PYTHON - <<'PY'
h = "x\x1b]52;c;SGVsbG8=\x07 c\x1b[2J r\u202eevil"
import json
open("v.yaml", "w").write("pwb: 1\nmodel: %s\nmax_tokens: 256\ntemperature: %s\nmessages:\n  - role: user\n    content: hi\n" % (json.dumps("claude-" + h), json.dumps(h)))
PY
in_pty validate.pty $PWB validate v.yaml
check_eq "validate: exit 2" "$?" 2
check_clean "validate diagnostics" validate.pty
$PWB validate v.yaml >validate.out 2>&1
check_clean "validate diagnostics to a pipe" validate.out
check_contains "validate: the preset string is shown escaped" "$(cat validate.out)" "^[]52;c;SGVsbG8=^G"
in_pty request.pty $PWB request v.yaml
check_clean "request diagnostics" request.pty
in_pty export.pty $PWB export --lang curl v.yaml
check_clean "export diagnostics" export.pty
in_pty runv.pty $PWB run v.yaml
check_clean "run diagnostics" runv.pty

done_testing
