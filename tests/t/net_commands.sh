#!/bin/sh
# The headless commands' surface: --help, usage errors and their exit
# codes, --json on every failure, presets from standard input, pwb request
# (exact body, no network), pwb count (the count_tokens subset, the cost),
# pwb models (live or built in), pwb run --record, and local files that
# cannot be read or written (as nobody: CI runs as root).
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml claude-sonnet-4-5 "Hello {{who}}"
sed -i '1a variables:\n  who: world' p.yaml
server_start '[{"fixture": "stream_text_basic.sse"}]' || exit 1

for c in run request count models; do
	$PWB $c --help >out.txt 2>err.txt
	check_eq "$c --help: exit 0" "$?" 0
	check_contains "$c --help: usage line" "$(cat out.txt)" "usage: pwb $c"
done
check_contains "run --help lists every flag" "$($PWB run --help)" "--max-retries N"

# Usage errors: exit 2; with --json exactly one JSON object on stdout.
usage_case() { # NAME ARGS...
	_n=$1; shift
	$PWB "$@" >out.txt 2>err.txt
	_rc=$?
	check_eq "$_n: exit 2" "$_rc" 2
	check_eq "$_n: nothing sent" "$(server_count)" 0
}
usage_case "run without FILE" run
usage_case "run with two FILEs" run p.yaml p.yaml
usage_case "run with an unknown option" run --bogus p.yaml
usage_case "run --max-retries x" run --max-retries x p.yaml
usage_case "run --max-retries without a value" run p.yaml --max-retries
usage_case "run --timeout 0" run --timeout 0 p.yaml
usage_case "run -s without =" run -s who p.yaml
usage_case "run --force without --record" run --force p.yaml
usage_case "run --record on stdin" run --record -
usage_case "request without FILE" request
usage_case "count with an unknown option" count --nope p.yaml
usage_case "models with an argument" models extra
for args in "run --json" "run --json --bogus p.yaml" "run --json --max-retries -1 p.yaml" "run --json -s 1x=2 p.yaml"; do
	$PWB $args >out.txt 2>/dev/null
	rc=$?
	check_eq "$args: exit 2 with one JSON object" "$rc/$(jget out.txt '[d["outcome"], d["message"], d["error"]["type"], d["error"]["http_status"], d["error"]["request_id"]]')" \
		'2/["error",null,"usage",null,null]'
	check_eq "$args: exactly one line on stdout" "$(wc -l <out.txt | tr -d ' ')" 1
done

# Invalid presets: exit 2, file:line in the message, --json invalid_preset.
printf 'pwb: 1\nmodel: claude-sonnet-4-5\nmax_tokens: -5\nmessages:\n  - role: user\n    content: hi\n' >bad.yaml
$PWB run bad.yaml >out.txt 2>err.txt
check_eq "invalid preset: exit 2" "$?" 2
check_contains "invalid preset: file:line:col on stderr" "$(cat err.txt)" "bad.yaml:3:"
$PWB run --json bad.yaml >out.txt 2>/dev/null
check_eq "invalid preset --json" "$?/$(jget out.txt '[d["outcome"], d["message"], d["error"]["type"], d["error"]["message"].startswith("bad.yaml:3:")]')" \
	'2/["error",null,"invalid_preset",true]'
$PWB run --json missing.yaml >out.txt 2>err.txt
check_eq "missing file --json" "$?/$(jget out.txt '[d["outcome"], d["error"]["type"]]')" '2/["error","invalid_preset"]'
check_contains "missing file: named" "$(cat err.txt)" "missing.yaml"
printf 'pwb: 1\nmodel: claude-sonnet-4-5\nmax_tokens: 5\nmessages:\n  - role: user\n    content: "hi {{nobody}}"\n' >undef.yaml
$PWB run --json undef.yaml >out.txt 2>err.txt
check_eq "undefined variable: exit 2, invalid_preset" "$?/$(jget out.txt 'd["error"]["type"]')" "2/invalid_preset"
check_contains "undefined variable: named" "$(cat err.txt)" "nobody"
check_eq "invalid presets: nothing sent" "$(server_count)" 0

# pwb request: the exact body, stream or not, -s, stdin; no network.
check_eq "request: the body" "$($PWB request p.yaml)" \
	'{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Hello world"}],"stream":true}'
check_eq "request --no-stream" "$($PWB request --no-stream p.yaml)" \
	'{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Hello world"}]}'
check_eq "request -s overrides a variable" "$($PWB request p.yaml -s who=Ada)" \
	'{"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Hello Ada"}],"stream":true}'
check_eq "request from stdin" "$($PWB request - <p.yaml)" "$($PWB request p.yaml)"
$PWB request p.yaml >out.txt 2>err.txt
check_eq "request: stdout is the body and a newline only" "$(wc -l <out.txt | tr -d ' ')/$(head -c 1 out.txt)" "1/{"
check_eq "request: nothing sent, no key needed" "$(env -u ANTHROPIC_API_KEY $PWB request p.yaml >/dev/null 2>&1; echo $?)/$(server_count)" "0/0"
$PWB request p.yaml >/dev/full 2>err.txt
check_eq "request to a full device: exit 2" "$?" 2

# pwb run from stdin.
$PWB run - <p.yaml >out.txt 2>err.txt
check_eq "run from stdin" "$?/$(cat out.txt)" "0/Hello!"
check_eq "run from stdin: the same body" "$(server_req 1 'd["body"]')" "$($PWB request p.yaml)"

# stdout closed early (pwb run | head): the request is canceled, exit 2.
server_script '[{"generate": {"deltas": 400, "size": 50}, "chunk": 300, "delay_ms": 30}]'
( $PWB run p.yaml 2>err.txt; echo $? >rc.txt ) | head -c 3 >/dev/null
check_eq "closed stdout: exit 2" "$(cat rc.txt)" 2
check_contains "closed stdout: said on stderr" "$(cat err.txt)" "cannot write to standard output"

# pwb count: only the count_tokens fields go out; tokens and cost printed.
cat >c.yaml <<'Y'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 1000
temperature: 0.5
system: "Be brief."
tools: [{"name": "get_weather", "description": "w", "input_schema": {"type": "object"}}]
messages:
  - role: user
    content: "Hi"
Y
server_script '{"count_tokens": [{"json": {"input_tokens": 1000}}]}'
$PWB count c.yaml >out.txt 2>err.txt
check_eq "count: exit 0" "$?" 0
check_eq "count: POST /v1/messages/count_tokens" "$(server_req 1 'd["method"] + " " + d["path"]')" "POST /v1/messages/count_tokens"
check_eq "count: only the allowed fields are sent" "$(server_req 1 'sorted(d["json"])')" '["messages","model","system","tools"]'
check_eq "count: headers" "$(server_req 1 '[d["headers"]["x-api-key"] == "'"$FAKE_KEY"'", d["headers"]["anthropic-version"]]')" '[true,"2023-06-01"]'
check_contains "count: input tokens" "$(cat out.txt)" "input tokens: 1000"
check_contains "count: cost estimate for input + max_tokens" "$(cat out.txt)" "estimated cost: \$0.018000 (1000 input + 1000 max_tokens output, claude-sonnet-4-5)"
server_script '{"count_tokens": [{"json": {"input_tokens": 1000}}]}'
$PWB count --json c.yaml >out.txt 2>/dev/null
check_eq "count --json" "$(cat out.txt)" '{"input_tokens":1000,"max_tokens":1000,"model":"claude-sonnet-4-5","cost_usd":0.018}'
sed 's/claude-sonnet-4-5/claude-unknown-model-x/' c.yaml >u.yaml
server_script '{"count_tokens": [{"json": {"input_tokens": 7}}]}'
$PWB count u.yaml >out.txt 2>&1
check_contains "count: unknown price says so" "$(cat out.txt)" "estimated cost: unknown"
server_script '{"count_tokens": [{"fixture": "error_400_invalid_request"}]}'
$PWB count c.yaml >out.txt 2>err.txt
check_eq "count: API error exit 3" "$?" 3
check_contains "count: API error said" "$(cat err.txt)" "HTTP 400 invalid_request_error"
env -u ANTHROPIC_API_KEY $PWB count c.yaml >/dev/null 2>err.txt
check_eq "count: missing key exit 2" "$?" 2

# pwb models: live with a key, built in without (saying which).
server_script '{"models": [{"json": {"data": [{"id": "claude-live-a", "type": "model"}, {"id": "claude-live-b", "type": "model"}], "has_more": false}}]}'
$PWB models >out.txt 2>err.txt
check_eq "models: live ids" "$?/$(cat out.txt | tr '\n' ' ')" "0/claude-live-a claude-live-b "
check_contains "models: says live" "$(cat err.txt)" "live list"
check_eq "models: GET /v1/models" "$(server_req 1 'd["method"] + " " + d["path"]')" "GET /v1/models"
server_script '[]'
env -u ANTHROPIC_API_KEY $PWB models >out.txt 2>err.txt
check_eq "models without a key: exit 0" "$?" 0
check_contains "models without a key: says built-in" "$(cat err.txt)" "built-in list"
check_eq "models without a key: no request" "$(server_count)" 0
check_eq "models without a key: ids listed" "$(grep -c '^claude-' out.txt | awk '{print ($1 > 3)}')" 1
server_script '{"models": [{"fixture": "error_401_authentication"}]}'
$PWB models >/dev/null 2>err.txt
check_eq "models: a 401 is exit 3" "$?" 3

# pwb run --record: a complete answer goes into response:, atomically; an
# error leaves the file untouched; an unwritable file is exit 2.
cp p.yaml r.yaml
server_script '[{"fixture": "stream_text_basic.sse"}]'
$PWB run --record r.yaml >out.txt 2>err.txt
check_eq "--record: exit 0" "$?" 0
check_contains "--record: the response is in the file" "$(cat r.yaml)" "response:"
check_contains "--record: with the answer's text" "$(cat r.yaml)" "Hello!"
check_not_contains "--record: the key is not in the file" "$(cat r.yaml)" "$FAKE_KEY"
$PWB validate r.yaml >/dev/null 2>&1
check_eq "--record: the file still validates" "$?" 0
cp r.yaml before.yaml
server_script '[{"fixture": "stream_text_basic.sse"}]'
$PWB run --record r.yaml -s who=Temp >/dev/null 2>&1
check_not_contains "--record with -s: the override is not saved" "$(cat r.yaml)" "Temp"
cp r.yaml before.yaml
server_script '[{"fixture": "error_529_overloaded"}]'
$PWB run --record --max-retries 0 r.yaml >/dev/null 2>err.txt
check_eq "--record after an error: exit 4" "$?" 4
check "--record after an error: the file is untouched" cmp -s before.yaml r.yaml
server_script '[{"fixture": "stream_error_overloaded_midstream.sse"}]'
$PWB run --record r.yaml >/dev/null 2>&1
check "--record after a mid-stream error: untouched" cmp -s before.yaml r.yaml

# As nobody (CI runs as root): an unreadable preset, an unwritable one.
cp "$PWB" "$T/pwb-copy"
chmod 755 "$T/pwb-copy"
cp p.yaml secret.yaml
chmod 600 secret.yaml
as_nobody "$T/pwb-copy" request secret.yaml >out.txt 2>err.txt
check_eq "unreadable preset: exit 2" "$?" 2
check_contains "unreadable preset: the file is named" "$(cat err.txt)" "secret.yaml"
mkdir ro && cp p.yaml ro/p.yaml && chmod 755 ro && chmod 644 ro/p.yaml
server_script '[{"fixture": "stream_text_basic.sse"}]'
as_nobody env ANTHROPIC_API_KEY="$FAKE_KEY" ANTHROPIC_BASE_URL="$ANTHROPIC_BASE_URL" \
	"$T/pwb-copy" run --record ro/p.yaml >out.txt 2>err.txt
check_eq "--record into an unwritable file: exit 2" "$?" 2
check_eq "--record into an unwritable file: the answer was still printed" "$(cat out.txt)" "Hello!"
check "--record into an unwritable file: untouched" cmp -s p.yaml ro/p.yaml
# The workbench without a terminal: a clear message and exit 2, and the
# early cleanup holds (it once dereferenced the panes it had not set up).
$PWB </dev/null >out.txt 2>err.txt
check_eq "workbench without a terminal: exit 2" "$?" 2
check_contains "workbench without a terminal: says so" "$(cat err.txt)" "needs a terminal"
$PWB_RELEASE </dev/null >out.txt 2>err.txt
check_eq "workbench without a terminal (release build): exit 2" "$?" 2

done_testing
