#!/bin/sh
# A hostile server echoes the configured key back: whole in request-id, in
# the error message, cut to its recognisable prefix, base64-encoded (both
# alphabets, every byte alignment), in rate-limit headers, stream text and
# model ids. run, run --json, replay --json, count and models never print
# any of it (stdout and stderr are scanned for every form).
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

PREFIX=$(printf %s "$FAKE_KEY" | cut -c1-25)
# the base64 forms, each at 3 alignments, both alphabets, and every
# 24-character piece of each (at 8-character steps) to look for
FORMS=$($PYTHON -c 'import base64, sys
k = sys.argv[1].encode()
for pad in (b"", b"x", b"xy"):
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        print(enc(pad + k).decode())' "$FAKE_KEY")
PIECES=$($PYTHON -c 'import base64, sys
k = sys.argv[1].encode()
for pad in (b"", b"x", b"xy"):
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        e = enc(pad + k).decode()
        for i in range(4, len(e) - 28, 8):
            print(e[i:i + 24])' "$FAKE_KEY")
B64_1=$(echo "$FORMS" | sed -n 2p)
B64_2=$(echo "$FORMS" | sed -n 3p)

# scan NAME FILE...: no form of the key in the files
scan() {
	_name=$1
	shift
	_hits=""
	for _f in "$@"; do
		grep -qF "$FAKE_KEY" "$_f" && _hits="$_hits key:$_f"
		grep -qF "$PREFIX" "$_f" && _hits="$_hits prefix:$_f"
		for _p in $PIECES; do
			grep -qF -- "$_p" "$_f" && _hits="$_hits base64:$_f"
		done
	done
	if [ -z "$_hits" ]; then ok "$_name: no form of the key"; else not_ok "$_name: the key leaked" "$_hits"; fi
}

write_preset p.yaml
ERRMSG="bad key $FAKE_KEY, prefix ${PREFIX}zz, b64 $B64_1 and $B64_2"
SCRIPT=$($PYTHON -c 'import json, sys
key, msg = sys.argv[1], sys.argv[2]
err = {"status": 400,
       "headers": {"request-id": key, "anthropic-ratelimit-requests-reset": key},
       "json": {"type": "error", "error": {"type": "invalid_request_error " + key[:30], "message": msg}}}
print(json.dumps({"messages": [err], "count_tokens": [err], "models": [err]}))' "$FAKE_KEY" "$ERRMSG")
server_start "$SCRIPT"

$PWB run p.yaml >run.out 2>run.err
check_eq "run: a 400 exits 3" "$?" 3
check_contains "run: the error is still shown" "$(cat run.err)" "HTTP 400"
check_contains "run: redacted where the key was" "$(cat run.err)" "[REDACTED]"
scan "run" run.out run.err

$PWB run --json p.yaml >json.out 2>json.err
check_eq "run --json: exit 3" "$?" 3
check_eq "run --json: request_id redacted" "$(jget json.out 'd["error"]["request_id"]')" "[REDACTED]"
scan "run --json" json.out json.err

$PWB count p.yaml >count.out 2>count.err
check_eq "count: exit 3" "$?" 3
scan "count" count.out count.err

$PWB models >models.out 2>models.err
check_eq "models: exit 3" "$?" 3
scan "models" models.out models.err

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
$PWB replay --json r.yaml >replay.out 2>replay.err
check_eq "replay --json: exit 3" "$?" 3
scan "replay --json" replay.out replay.err
$PWB replay r.yaml >replay2.out 2>replay2.err
scan "replay" replay2.out replay2.err

# A 200 whose text and model ids carry the key.
SCRIPT=$($PYTHON -c 'import json, sys
key, b64 = sys.argv[1], sys.argv[2]
def ev(name, data):
    return "event: %s\ndata: %s\n\n" % (name, json.dumps(data))
sse = (ev("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": key, "content": [], "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 0}}})
       + ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
       + ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "the key is " + key + " or " + b64 + "."}})
       + ev("content_block_stop", {"type": "content_block_stop", "index": 0})
       + ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}})
       + ev("message_stop", {"type": "message_stop"}))
models = {"data": [{"id": key, "type": "model"}, {"id": "claude-x-" + b64, "type": "model"}], "has_more": False}
print(json.dumps({"messages": [{"body": sse, "content_type": "text/event-stream"}],
                  "models": [{"json": models}]}))' "$FAKE_KEY" "$B64_1")
server_script "$SCRIPT"
$PWB run p.yaml >text.out 2>text.err
check_eq "stream text: exit 0" "$?" 0
check_contains "stream text: the rest of the answer is kept" "$(cat text.out)" "the key is [REDACTED] or [REDACTED]."
scan "stream text" text.out text.err
$PWB run --json p.yaml >tj.out 2>tj.err
scan "stream text --json" tj.out tj.err
$PWB models >m2.out 2>m2.err
check_eq "model ids: exit 0" "$?" 0
scan "model ids" m2.out m2.err

# The key cut between deltas, at many points (a needle split in two, the
# prefix whole in one delta and the rest of the key in the next).
SCRIPT=$($PYTHON -c 'import json, sys
key, b64 = sys.argv[1], sys.argv[2]
def ev(name, data):
    return "event: %s\ndata: %s\n\n" % (name, json.dumps(data))
def answer(pieces):
    body = ev("message_start", {"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "stop_reason": None, "usage": {"input_tokens": 1, "output_tokens": 0}}})
    body += ev("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
    for p in pieces:
        body += ev("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}})
    body += ev("content_block_stop", {"type": "content_block_stop", "index": 0})
    body += ev("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 5}})
    body += ev("message_stop", {"type": "message_stop"})
    return {"body": body, "content_type": "text/event-stream"}
cases = []
for text in ("k: " + key + ".", "b: " + b64 + "."):
    for cut in (3, 10, 20, 26, 27, 30, 40, 60):
        cases.append(answer([text[:cut], text[cut:]]))
    cases.append(answer(list(text)))
print(json.dumps({"messages": cases}))' "$FAKE_KEY" "$B64_1")
server_script "$SCRIPT"
i=0
while [ $i -lt 18 ]; do
	$PWB run p.yaml >>split.out 2>>split.err
	i=$((i + 1))
done
check_eq "split deltas: every answer redacted" "$(grep -c "^[kb]: \\[REDACTED\\]\\.$" split.out)" 18
scan "key cut between deltas" split.out split.err

# A non-stream Message (--no-stream) carrying the key in its text and model.
SCRIPT=$($PYTHON -c 'import json, sys
key = sys.argv[1]
msg = {"id": "msg_1", "type": "message", "role": "assistant", "model": key,
       "content": [{"type": "text", "text": "k=" + key + "."}], "stop_reason": "end_turn",
       "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 2}}
print(json.dumps({"messages": [{"json": msg}]}))' "$FAKE_KEY")
server_script "$SCRIPT"
$PWB run --no-stream p.yaml >ns.out 2>ns.err
check_eq "non-stream: exit 0, redacted text" "$?/$(cat ns.out)" "0/k=[REDACTED]."
scan "non-stream" ns.out ns.err
$PWB run --no-stream --json p.yaml >nsj.out 2>nsj.err
check_eq "non-stream --json: model redacted" "$(jget nsj.out 'd["message"]["model"]')" "[REDACTED]"
scan "non-stream --json" nsj.out nsj.err

done_testing
