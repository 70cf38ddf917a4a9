#!/bin/sh
# pwb run --json against the local server reproduces every fixture's
# expected message (tests/expect_check.py compares the core fields): SSE in
# 5-byte pieces with delays and in 1-byte pieces, JSON whole and in pieces
# (the unit test test_api also takes every fixture whole); the exit code follows
# the outcome; the request sent is exactly `pwb request`'s body with the
# right headers.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml claude-sonnet-4-5 "Hello there"

# one server, the script lists each fixture three ways, in call order
fixtures=$(cd "$FIXTURES" && ls *.expect.json | sed 's/\.expect\.json$//' | while read -r f; do
	[ -f "$FIXTURES/$f.sse" ] && echo "$f.sse"
	case "$f" in message_*|error_*) echo "$f.json" ;; esac
done)
"$PYTHON" -c 'import json,sys
out = []
for f in sys.argv[1:]:
    if not f.endswith(".sse"):
        out.append({"fixture": f})
    out.append({"fixture": f, "chunk": 5, "delay_ms": 1})
    if f.endswith(".sse"):
        out.append({"fixture": f, "chunk": 1})
print(json.dumps(out))' $fixtures >script.json
server_start script.json || exit 1

n=0
for f in $fixtures; do
	base=${f%.*}
	exp="$FIXTURES/$base.expect.json"
	mode=""
	case "$f" in *.json) mode=--no-stream ;; esac
	want_rc=$("$PYTHON" -c 'import json,sys
e = json.load(open(sys.argv[1]))
s = e.get("http_status", 200)
if e["outcome"] == "complete": print(0)
elif s != 200 and s not in (408, 409, 429) and s < 500: print(3)
else: print(4)' "$exp")
	hows="chunked bytewise"   # SSE: 5-byte pieces 1 ms apart, then 1-byte pieces
	[ -n "$mode" ] && hows="whole chunked"
	for how in $hows; do
		n=$((n + 1))
		$PWB run --json $mode --max-retries 0 p.yaml >out.json 2>err.txt
		rc=$?
		if diffs=$("$PYTHON" "$PWB_ROOT/tests/expect_check.py" out.json "$exp"); then
			ok "run --json $f ($how) matches the expectation"
		else
			not_ok "run --json $f ($how) matches the expectation" "$diffs" "$(cat err.txt)"
		fi
		check_eq "run --json $f ($how) exit code" "$rc" "$want_rc"
		check_eq "run $f ($how): one request, not retried" "$(server_count)" "$n"
	done
done

# Plain output: text as it arrives, a tool_use line, a final newline.
server_script '[{"fixture": "stream_tool_use.sse", "chunk": 9}]'
$PWB run p.yaml >out.txt 2>err.txt
check_eq "run prints text then the tool_use line" "$(cat out.txt)" "Okay, let's check the weather for San Francisco, CA:
[tool_use get_weather] {\"location\":\"San Francisco, CA\",\"unit\":\"fahrenheit\"}"
check_eq "run output ends with a newline" "$(tail -c 1 out.txt | od -An -c | tr -d ' ')" '\n'
server_script '[{"fixture": "stream_thinking.sse"}]'
$PWB run p.yaml >out.txt 2>err.txt
check_not_contains "thinking stays off stdout" "$(cat out.txt)" "Let me solve this step by step"
check_not_contains "thinking is not shown without --thinking" "$(cat err.txt)" "Let me solve this step by step"
$PWB run --thinking p.yaml >out.txt 2>err.txt
check_contains "--thinking shows thinking on stderr" "$(cat err.txt)" "$("$PYTHON" -c 'import json
e = json.load(open("'"$FIXTURES"'/stream_thinking.expect.json"))
print(e["message"]["content"][0]["thinking"][:30])')"
check_eq "--thinking still prints only the text on stdout" "$(cat out.txt)" "$("$PYTHON" -c 'import json
e = json.load(open("'"$FIXTURES"'/stream_thinking.expect.json"))
print(e["message"]["content"][1]["text"])')"

# A stop at max_tokens or a refusal is said on stderr (still complete, exit 0).
server_script '[{"fixture": "stream_tool_use_truncated_max_tokens.sse"}, {"fixture": "stream_refusal.sse"}]'
$PWB run p.yaml >out.txt 2>err.txt
check_eq "max_tokens stop: exit 0" "$?" 0
check_contains "max_tokens stop: said on stderr" "$(cat err.txt)" "stopped at max_tokens"
$PWB run p.yaml >out.txt 2>err.txt
check_contains "refusal: said on stderr" "$(cat err.txt)" "stop_reason refusal"

# The exact request: body equal to `pwb request`, headers as documented.
cat >b.yaml <<'Y'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 512
temperature: 0.3
betas: [interleaved-thinking-2025-05-14, files-api-2025-04-14]
system: "You are {{who}}."
messages:
  - role: user
    content: "Hi {{who}}"
Y
for mode in stream no-stream; do
	flag=""; fx="stream_text_basic.sse"
	[ $mode = no-stream ] && flag=--no-stream && fx="message_text.json"
	server_script "[{\"fixture\": \"$fx\"}]"
	$PWB request b.yaml $flag -s who=Ada >want.json 2>/dev/null
	$PWB run b.yaml $flag -s who=Ada >/dev/null 2>err.txt
	check_eq "run ($mode) sends exactly the body of pwb request" "$(server_req 1 'd["body"]')" "$(cat want.json)"
	check_contains "request body keeps the number as written ($mode)" "$(cat want.json)" '"temperature":0.3'
	check_eq "POST /v1/messages ($mode)" "$(server_req 1 'd["method"] + " " + d["path"]')" "POST /v1/messages"
	check_eq "x-api-key is the key ($mode)" "$(server_req 1 'd["headers"].get("x-api-key")')" "$FAKE_KEY"
	check_eq "anthropic-version ($mode)" "$(server_req 1 'd["headers"].get("anthropic-version")')" "2023-06-01"
	check_eq "anthropic-beta ($mode)" "$(server_req 1 'd["headers"].get("anthropic-beta")')" \
		"interleaved-thinking-2025-05-14,files-api-2025-04-14"
	check_eq "content-type ($mode)" "$(server_req 1 'd["headers"].get("content-type")')" "application/json"
	check_contains "user-agent names pwb and its version ($mode)" \
		"$(server_req 1 'd["headers"].get("user-agent")')" "pwb/$($PWB --version | sed 's/^pwb //')"
	check_eq "no Authorization header ($mode)" "$(server_req 1 'd["headers"].get("authorization")')" "null"
done
check_eq "stream:true only in the streaming body" "$($PWB request b.yaml -s who=Ada | grep -c '"stream":true')/$($PWB request b.yaml --no-stream -s who=Ada | grep -c '"stream"')" "1/0"
server_script '[{"fixture": "stream_text_basic.sse"}]'
$PWB run p.yaml >/dev/null 2>&1
check_eq "no anthropic-beta header without betas" "$(server_req 1 'd["headers"].get("anthropic-beta")')" "null"
# A base URL with a trailing slash and a path-less host both work.
ANTHROPIC_BASE_URL="$ANTHROPIC_BASE_URL/" $PWB run p.yaml >out.txt 2>&1
check_eq "trailing slash in ANTHROPIC_BASE_URL" "$(server_req 2 'd["path"]')" "/v1/messages"

# A generated long stream arrives whole.
server_script '[{"generate": {"deltas": 5000, "size": 4}, "chunk": 4096}]'
$PWB run p.yaml >out.txt 2>err.txt
check_eq "5000 generated deltas arrive whole" "$(wc -c <out.txt | tr -d ' ')" "20001"
check_eq "generated text starts as built" "$(head -c 12 out.txt)" "aaaabbbbcccc"
done_testing
