#!/bin/sh
# pwb replay against the local test server: same and changed answers,
# --all-turns (history sent is the recorded one), --update, --check and the
# exit codes (0, 1, 3, 4 with 4 winning), --json shape, -s overrides.
. "$(dirname "$0")/../lib.sh"

# msg TEXT: a Message JSON answering TEXT (python builds it: exact escaping)
msg() {
	python3 -c 'import json,sys
print(json.dumps({"id":"msg_test","type":"message","role":"assistant","model":"claude-sonnet-4-6",
 "content":[{"type":"text","text":sys.argv[1]}],"stop_reason":"end_turn","stop_sequence":None,
 "usage":{"input_tokens":10,"output_tokens":5}}))' "$1"
}
# script MSG_JSON...: a server script answering each in turn
script() {
	python3 -c 'import json,sys
print(json.dumps({"messages":[{"json":json.loads(a)} for a in sys.argv[1:]]}))' "$@"
}

cat >"$T/chat.yaml" <<'EOF'
pwb: 1
model: claude-sonnet-4-6
max_tokens: 200
variables:
  who: the reader
messages:
  - role: user
    content: Say hello to {{who}}.
  - role: assistant
    content: Hello, reader!
  - role: user
    content: Now say goodbye.
response:
  content:
    - type: text
      text: |-
        Goodbye,
        dear reader.
  stop_reason: end_turn
  usage: {input_tokens: 20, output_tokens: 6}
  model: claude-sonnet-4-6
  at: "2026-11-28T10:00:00Z"
EOF
cp "$T/chat.yaml" "$T/chat.orig"

server_start "$(script "$(msg "Goodbye,
dear reader.")")"

# --- same ---------------------------------------------------------------
out=$($PWB replay "$T/chat.yaml" 2>"$T/err"); rc=$?
check_eq "same: exit 0" "$rc" 0
check_eq "same: text output" "$out" "response: same
replay: 1 turn: 1 same, 0 changed, 0 errors"
check_eq "same: one request" "$(server_count /v1/messages)" 1
check_eq "same: full message list sent" "$(server_req 1 'len(d["json"]["messages"])')" 3
check_eq "same: variables substituted" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "Say hello to the reader."
check_eq "same: streamed like run" "$(server_req 1 'd["json"]["stream"]')" "true"
$PWB replay --check "$T/chat.yaml" >/dev/null 2>&1
check_eq "same: --check exit 0" "$?" 0

# --- changed ------------------------------------------------------------
server_script "$(script "$(msg "Goodbye,
my dear reader.
See you.")")"
out=$($PWB replay "$T/chat.yaml" 2>"$T/err"); rc=$?
check_eq "changed: exit 0 without --check" "$rc" 0
check_eq "changed: text output with a line diff" "$out" "response: changed
    @@ -1,2 +1,3 @@
     Goodbye,
    -dear reader.
    +my dear reader.
    +See you.
replay: 1 turn: 0 same, 1 changed, 0 errors"
$PWB replay --check "$T/chat.yaml" >/dev/null 2>&1
check_eq "changed: --check exit 1" "$?" 1
check "changed: file untouched without --update" cmp -s "$T/chat.yaml" "$T/chat.orig"

# --- --json ---------------------------------------------------------------
$PWB replay --json --check "$T/chat.yaml" >"$T/out.json" 2>"$T/err"
check_eq "json: --check exit 1" "$?" 1
check_eq "json: shape" "$(jget "$T/out.json" '[sorted(d), sorted(d["summary"]), [sorted(t) for t in d["turns"]]]')" \
	'[["summary","turns"],["changed","errors","same"],[["diff","error","new","recorded","status","turn"]]]'
check_eq "json: turn" "$(jget "$T/out.json" '[d["turns"][0]["turn"], d["turns"][0]["status"], d["turns"][0]["error"]]')" \
	'["response","changed",null]'
check_eq "json: recorded and new" "$(jget "$T/out.json" '[d["turns"][0]["recorded"][0]["text"], d["turns"][0]["new"][0]["text"]]')" \
	'["Goodbye,\ndear reader.","Goodbye,\nmy dear reader.\nSee you."]'
check_eq "json: diff" "$(jget "$T/out.json" 'd["turns"][0]["diff"]')" "@@ -1,2 +1,3 @@
 Goodbye,
-dear reader.
+my dear reader.
+See you."
check_eq "json: summary" "$(jget "$T/out.json" 'd["summary"]')" '{"changed":1,"errors":0,"same":0}'

# --- --all-turns: each assistant turn from the recorded history ---------------
server_script "$(script "$(msg "Hi, reader!")" "$(msg "Goodbye,
dear reader.")")"
$PWB replay --all-turns --json "$T/chat.yaml" >"$T/all.json" 2>"$T/err"
check_eq "all-turns: exit 0" "$?" 0
check_eq "all-turns: statuses" "$(jget "$T/all.json" '[(t["turn"], t["status"]) for t in d["turns"]]')" \
	'[[1,"changed"],["response","same"]]'
check_eq "all-turns: two requests" "$(server_count /v1/messages)" 2
check_eq "all-turns: turn 1 gets the history before it" "$(server_req 1 'len(d["json"]["messages"])')" 1
check_eq "all-turns: the response gets every message" "$(server_req 2 'len(d["json"]["messages"])')" 3
check_eq "all-turns: recorded history, not the new answer" \
	"$(server_req 2 'd["json"]["messages"][1]["content"]')" "Hello, reader!"

# --- --update -----------------------------------------------------------------
server_script "$(script "$(msg "Hi there, reader!")" "$(msg "Farewell.")")"
out=$($PWB replay --all-turns --update "$T/chat.yaml" 2>"$T/err"); rc=$?
check_eq "update: exit 0" "$rc" 0
check_contains "update: says so" "$out" "updated $T/chat.yaml: 2 turns written"
check "update: previous version kept as FILE~" cmp -s "$T/chat.yaml~" "$T/chat.orig"
check_contains "update: assistant turn written as a string" "$(cat "$T/chat.yaml")" "content: Hi there, reader!"
check_contains "update: response written" "$(cat "$T/chat.yaml")" "text: Farewell."
check_contains "update: variables kept" "$(cat "$T/chat.yaml")" "who: the reader"
$PWB validate "$T/chat.yaml" >"$T/v.out"
check_eq "update: file still valid" "$?:$(cat "$T/v.out")" "0:"
server_script "$(script "$(msg "Hi there, reader!")" "$(msg "Farewell.")")"
out=$($PWB replay --all-turns --check "$T/chat.yaml" 2>"$T/err")
check_eq "update: replaying again is the same" "$?" 0
check_contains "update: summary" "$out" "2 turns: 2 same, 0 changed, 0 errors"

# -s is for one run: --update does not write the override
cp "$T/chat.orig" "$T/chat.yaml"
server_script "$(script "$(msg "Changed again.")")"
$PWB replay --update -s who=Ada "$T/chat.yaml" >/dev/null 2>"$T/err"
check_eq "override: exit 0" "$?" 0
check_eq "override: sent" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "Say hello to Ada."
check_not_contains "override: not saved" "$(cat "$T/chat.yaml")" "Ada"
check_contains "override: new answer saved" "$(cat "$T/chat.yaml")" "Changed again."

# a failed --update save: exit 2, the file untouched, and why
mkdir "$T/ro"
cp "$T/chat.orig" "$T/ro/chat.yaml"
chmod 755 "$T/ro"
chmod 644 "$T/ro/chat.yaml"
server_script "$(script "$(msg "Something new.")")"
as_nobody $PWB replay --update "$T/ro/chat.yaml" >"$T/ro.out" 2>"$T/ro.err"
check_eq "update: unwritable folder: exit 2" "$?" 2
check_contains "update: unwritable folder: says why" "$(cat "$T/ro.err")" "Permission denied"
check_contains "update: unwritable folder: the change is still reported" "$(cat "$T/ro.out")" "response: changed"
check "update: unwritable folder: file untouched" cmp -s "$T/ro/chat.yaml" "$T/chat.orig"

# a key-shaped string in the file: --update refuses unless --force
sed 's/content: Now say goodbye./content: "Now say goodbye. sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123"/' \
	"$T/chat.orig" >"$T/keyed.yaml"
cp "$T/keyed.yaml" "$T/keyed.orig"
server_script "$(script "$(msg "Bye.")")"
$PWB replay --update "$T/keyed.yaml" >"$T/k.out" 2>"$T/k.err"
check_eq "update: key-shaped string: exit 2" "$?" 2
check_contains "update: key-shaped string: located, says --force" "$(cat "$T/k.err")" \
	"$T/keyed.yaml:12:14: error: messages[2].content: contains a key-shaped string"
check "update: key-shaped string: file untouched" cmp -s "$T/keyed.yaml" "$T/keyed.orig"
$PWB replay --update --force "$T/keyed.yaml" >/dev/null 2>"$T/k.err"
check_eq "update --force: exit 0" "$?" 0
check_contains "update --force: written" "$(cat "$T/keyed.yaml")" "text: Bye."

# --- errors and exit codes ----------------------------------------------------
cp "$T/chat.orig" "$T/chat.yaml"
server_script '[{"fixture":"error_400_invalid_request.json","status":400}]'
out=$($PWB replay "$T/chat.yaml" 2>"$T/err"); rc=$?
check_eq "400: exit 3" "$rc" 3
check_contains "400: reported on the turn" "$out" "response: error: HTTP 400 invalid_request_error"
check_contains "400: summary" "$out" "0 same, 0 changed, 1 error"

server_script '[{"fixture":"error_529_overloaded"}]'
$PWB replay --max-retries 0 "$T/chat.yaml" >/dev/null 2>&1
check_eq "529: exit 4" "$?" 4

# turn 1 -> 400, response -> 529: the rest continue, and 4 wins over 3
server_script '[{"fixture":"error_400_invalid_request.json","status":400},{"fixture":"error_529_overloaded"}]'
$PWB replay --all-turns --check --max-retries 0 --json "$T/chat.yaml" >"$T/e.json" 2>/dev/null
check_eq "4 wins over 3" "$?" 4
check_eq "errors: every turn ran" "$(server_count /v1/messages)" 2
check_eq "errors: json statuses" "$(jget "$T/e.json" '[t["status"] for t in d["turns"]]')" '["error","error"]'
check_contains "errors: json error text" "$(jget "$T/e.json" 'd["turns"][1]["error"]')" "529"

# a change and an API error with --check: the error (3) wins over 1
server_script "$(python3 -c 'import json,sys
print(json.dumps({"messages":[{"json":json.loads(sys.argv[1])},{"fixture":"error_400_invalid_request.json","status":400}]}))' "$(msg "Different.")")"
$PWB replay --all-turns --check "$T/chat.yaml" >/dev/null 2>&1
check_eq "3 wins over 1" "$?" 3

# --- Ctrl-C: the running turn is canceled, the rest do not run, exit 130 ---
cp "$T/chat.orig" "$T/chat.yaml"
server_script '[{"hang": true}]'
$PWB replay --all-turns --update "$T/chat.yaml" >"$T/int.out" 2>"$T/int.err" &
pid=$!
got_request() { [ "$(server_count /v1/messages)" -ge 1 ]; }
if wait_for 20 got_request; then
	kill -INT "$pid"
	wait "$pid"
	check_eq "SIGINT: exit 130" "$?" 130
	check_contains "SIGINT: summary says interrupted" "$(cat "$T/int.out")" "(interrupted)"
	check_eq "SIGINT: the second turn never ran" "$(server_count /v1/messages)" 1
	check "SIGINT: --update wrote nothing" cmp -s "$T/chat.yaml" "$T/chat.orig"
else
	kill "$pid" 2>/dev/null
	wait "$pid"
	not_ok "SIGINT: the request never arrived"
fi

# --- bad input ------------------------------------------------------------
cat >"$T/noresp.yaml" <<'EOF'
pwb: 1
model: claude-sonnet-4-6
max_tokens: 100
messages:
  - role: user
    content: hi
EOF
server_script '[{"fixture":"message_text.json"}]'
out=$($PWB replay "$T/noresp.yaml" 2>&1); rc=$?
check_eq "no response: exit 2" "$rc" 2
check_contains "no response: suggests --record" "$out" "pwb run FILE --record"
check_eq "no response: nothing sent" "$(server_count)" 0
$PWB replay "$T/noresp.yaml" --json >"$T/nr.json" 2>/dev/null
check_eq "no response: --json error" "$(jget "$T/nr.json" 'd["error"]["type"]')" "no_response"
printf 'pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 100\nbogus: 1\n' >"$T/bad.yaml"
out=$($PWB replay "$T/bad.yaml" 2>&1); rc=$?
check_eq "invalid preset: exit 2" "$rc" 2
check_contains "invalid preset: position" "$out" "$T/bad.yaml:4:1: error: unknown key 'bogus'"
$PWB replay >/dev/null 2>&1
check_eq "no FILE: exit 2" "$?" 2
$PWB replay --frobnicate "$T/chat.yaml" >/dev/null 2>&1
check_eq "unknown option: exit 2" "$?" 2
$PWB replay --force "$T/chat.yaml" >/dev/null 2>&1
check_eq "--force without --update: exit 2" "$?" 2
( unset ANTHROPIC_API_KEY; cd "$T" && $PWB replay "$T/chat.yaml" >/dev/null 2>&1 )
check_eq "no key: exit 2" "$?" 2

done_testing
