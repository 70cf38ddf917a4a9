#!/bin/sh
# The fault matrix (issue 6; docs/faults.md): one case per fault, against
# the local server, each asserting what the user sees, what pwb retried
# (requests counted in the server log), the exit code, and that the partial
# answer was kept.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml
server_start '[]' || exit 1

# run_case NAME SCRIPT ARGS...: runs pwb run ARGS p.yaml; sets rc, out, err
run_case() {
	_name=$1; _script=$2; shift 2
	server_script "$_script"
	$PWB run "$@" p.yaml >out.txt 2>err.txt
	rc=$?
	out=$(cat out.txt); err=$(cat err.txt)
}
jfield() { jget out.txt "$1"; }

# 429 with retry-after honoured.
run_case 429 '[{"fixture": "error_429_rate_limit", "headers": {"retry-after": "1"}}, {"fixture": "stream_text_basic.sse"}]'
check_eq "429 retry-after: exit 0 after the retry" "$rc" 0
check_eq "429 retry-after: one retry" "$(server_count)" 2
check_contains "429 retry-after: the wait shown is the header's" "$err" "retry 1 of 2 in 1.0 s"
check_eq "429 retry-after: the answer" "$out" "Hello!"
# 429 with retry-after over 60 s: backoff instead.
run_case 429-long '[{"fixture": "error_429_rate_limit", "headers": {"retry-after": "3600"}}, {"fixture": "stream_text_basic.sse"}]'
check_eq "429 retry-after 3600: backoff, not an hour (exit 0)" "$rc" 0
check_eq "429 retry-after 3600: shown wait under a second" "$(printf '%s' "$err" | grep -c 'retry 1 of 2 in [0-9]* ms$')" 1

# 529, 500, 504 retried with backoff, then given up.
for code in 529 500 504; do
	run_case $code "[{\"status\": $code, \"json\": {\"type\": \"error\", \"error\": {\"type\": \"e$code\", \"message\": \"down\"}}}]" --json
	check_eq "$code: exit 4" "$rc" 4
	check_eq "$code: retried twice (3 requests)" "$(server_count)" 3
	check_eq "$code: --json says it gave up" "$(jfield 'd["error"]["message"]')" "down (gave up after 2 retries)"
	check_eq "$code: backoff waits announced" "$(printf '%s' "$err" | grep -c "HTTP $code e$code: down (request-id req_test_[0-9]*); retry [12] of 2 in ")" 2
done

# 400, 401, 403, 404, 413 not retried, each with its own message.
run_case 400 '[{"fixture": "error_400_invalid_request"}]'
check_eq "400: exit 3, not retried" "$rc/$(server_count)" "3/1"
check_contains "400: the API's message" "$err" "HTTP 400 invalid_request_error: $(jget "$FIXTURES/error_400_invalid_request.json" 'd["error"]["message"]')"
run_case 401 '[{"fixture": "error_401_authentication"}]'
check_eq "401: exit 3, not retried" "$rc/$(server_count)" "3/1"
check_contains "401: the API's message" "$err" "HTTP 401 authentication_error: invalid x-api-key"
check_contains "401: says to check the key (masked) and where it came from" "$err" "check the API key sk-ant-api03-…AAAA (ANTHROPIC_API_KEY in the environment)"
check_not_contains "401: never prints the key" "$out$err" "$FAKE_KEY"
check_not_contains "401: not even its secret part" "$out$err" "FAKEtestKEY0123456789"
run_case 401-echo "[{\"status\": 401, \"json\": {\"type\": \"error\", \"error\": {\"type\": \"authentication_error\", \"message\": \"bad key $FAKE_KEY\"}}}]" --json
check_not_contains "401 echoing the key: pwb does not repeat it" "$(cat out.txt err.txt)" "$FAKE_KEY"
for st in 403:permission_error 404:not_found_error 413:request_too_large; do
	code=${st%%:*}; type=${st#*:}
	run_case $code "[{\"status\": $code, \"json\": {\"type\": \"error\", \"error\": {\"type\": \"$type\", \"message\": \"msg $code\"}, \"request_id\": \"req_b\"}}]"
	check_eq "$code: exit 3, not retried" "$rc/$(server_count)" "3/1"
	check_contains "$code: its own message" "$err" "HTTP $code $type: msg $code"
done

# A non-JSON error body still gives a useful message from the status.
run_case html502 '[{"status": 502, "content_type": "text/html", "body": "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", "headers": {"retry-after-ms": "10"}}]' --json
check_eq "non-JSON 502: exit 4 after retries" "$rc/$(server_count)" "4/3"
check_eq "non-JSON 502: type from the status" "$(jfield 'd["error"]["type"]')" "api_error"
check_contains "non-JSON 502: message from the status and body" "$(jfield 'd["error"]["message"]')" "HTTP 502 Bad Gateway (the body is not an API error: 502 Bad Gateway nginx)"
run_case text413 '[{"status": 413, "content_type": "text/plain", "body": "Request Entity Too Large"}]'
check_eq "non-JSON 413: exit 3, not retried" "$rc/$(server_count)" "3/1"
check_contains "non-JSON 413: message" "$err" "HTTP 413 request_too_large: HTTP 413 Request Entity Too Large"

# A mid-stream error event: not retried, partial kept.
run_case midstream '[{"fixture": "stream_error_overloaded_midstream.sse", "chunk": 50, "delay_ms": 5}]' --json
check_eq "mid-stream error: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_eq "mid-stream error: --json" "$(jfield '[d["outcome"], d["error"]["type"], d["message"]["content"][0]["text"]]')" '["error","overloaded_error","Hello"]'

# The connection dropped mid-stream: not retried, truncated, partial kept.
run_case drop '[{"generate": {"deltas": 40, "size": 5}, "drop_after": 1200}]'
check_eq "dropped mid-stream: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_contains "dropped mid-stream: the partial text is printed" "$out" "aaaaabbbbbccccc"
check_contains "dropped mid-stream: said on stderr" "$err" "truncated: the stream was cut off"
server_script '[{"generate": {"deltas": 40, "size": 5}, "drop_after": 1200}]'
$PWB run --json p.yaml >out.txt 2>/dev/null
check_eq "dropped mid-stream: --json outcome truncated with the partial" \
	"$(jfield '[d["outcome"], d["error"]["type"], d["message"]["content"][0]["text"][:10]]')" '["truncated","truncated","aaaaabbbbb"]'

# The connection refused: retried, then given up.
port=$(free_port)
ANTHROPIC_BASE_URL="http://127.0.0.1:$port" $PWB run --json p.yaml >out.txt 2>err.txt
rc=$?
check_eq "connection refused: exit 4" "$rc" 4
check_eq "connection refused: retried twice" "$(grep -c 'network: .*; retry [12] of 2 in ' err.txt)" 2
check_eq "connection refused: --json" "$(jfield '[d["outcome"], d["error"]["type"], d["error"]["http_status"], d["message"]]')" '["error","network",null,null]'
check_contains "connection refused: gave up" "$(jfield 'd["error"]["message"]')" "gave up after 2 retries"
# A base URL that is not usable is bad input: refused before sending.
ANTHROPIC_BASE_URL="ftp://127.0.0.1:$port" $PWB run p.yaml >out.txt 2>err.txt
check_eq "unusable base URL: exit 2, no retry" "$?/$(grep -c 'retry' err.txt)" "2/0"
check_contains "unusable base URL: the URL is named" "$(cat err.txt)" "'ftp://127.0.0.1:$port'"
# A reset before any response byte is retried like a refused connection.
run_case reset '[{"reset": true}, {"fixture": "stream_text_basic.sse"}]'
check_eq "reset before any byte: retried and answered" "$rc/$(server_count)/$out" "0/2/Hello!"

# A server that accepts and never answers: the timeout ends each attempt.
run_case hang '[{"hang": true}]' --json --timeout 1 --max-retries 1
check_eq "never answers: exit 4" "$rc" 4
check_eq "never answers: the timeout is retried (2 requests)" "$(server_count)" 2
check_eq "never answers: --json type timeout" "$(jfield '[d["outcome"], d["error"]["type"]]')" '["error","timeout"]'

# A slow drip, one byte at a time: SIGINT ends it with 130, partial kept.
server_script '[{"generate": {"deltas": 300, "size": 3}, "drip_ms": 2}]'
$PWB run --thinking p.yaml >out.txt 2>err.txt &
pid=$!
( sleep 90; kill -9 $pid 2>/dev/null ) &
guard=$!
# wait until some text arrived: the stream is running
wait_for 30 grep -q 'aaabbb' out.txt || true
# stdout is flushed per pass, so text shows up while streaming
check_contains "slow drip: text shows while streaming" "$(cat out.txt)" "aaabbb"
kill -INT $pid
wait $pid
rc=$?
kill $guard 2>/dev/null; wait $guard 2>/dev/null
check_eq "slow drip + SIGINT: exit 130" "$rc" 130
check_contains "slow drip + SIGINT: the partial answer is printed" "$(cat out.txt)" "aaabbb"
check_contains "slow drip + SIGINT: said on stderr" "$(cat err.txt)" "interrupted"
check_eq "slow drip + SIGINT: one request" "$(server_count)" 1
server_script '[{"generate": {"deltas": 300, "size": 3}, "drip_ms": 2}]'
$PWB run --json p.yaml >out.txt 2>err.txt &
pid=$!
( sleep 90; kill -9 $pid 2>/dev/null ) &
guard=$!
wait_for 30 test -s "$SRV_LOG"   # the request arrived; the drip is running
kill -INT $pid
wait $pid
rc=$?
kill $guard 2>/dev/null; wait $guard 2>/dev/null
check_eq "slow drip + SIGINT --json: exit 130" "$rc" 130
check_eq "slow drip + SIGINT --json: outcome canceled, error null" "$(jfield '[d["outcome"], d["error"]]')" '["canceled",null]'
check_eq "slow drip + SIGINT --json: the message is null or the partial" \
	"$(jfield 'd["message"] is None or d["message"]["content"] == [] or d["message"]["content"][0]["text"].startswith("aaa")')" "true"
# SIGINT while waiting for a retry also ends at once with 130.
server_script '[{"fixture": "error_529_overloaded", "headers": {"retry-after": "50"}}]'
$PWB run p.yaml >out.txt 2>err.txt &
pid=$!
( sleep 90; kill -9 $pid 2>/dev/null ) &
guard=$!
wait_for 30 grep -q 'retry 1 of 2 in 50.0 s' err.txt
kill -INT $pid
wait $pid
rc=$?
kill $guard 2>/dev/null; wait $guard 2>/dev/null
check_eq "SIGINT during a retry wait: exit 130" "$rc" 130
check_eq "SIGINT during a retry wait: no further request" "$(server_count)" 1

# A response over the size cap (64 MiB; PWB_MAX_RESPONSE_BYTES lowers it
# here to keep the test quick): an error, not a crash; partial kept.
export PWB_MAX_RESPONSE_BYTES=1000000
run_case cap '[{"generate": {"deltas": 3000, "size": 400}}]' --json
unset PWB_MAX_RESPONSE_BYTES
check_eq "over the size cap: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_eq "over the size cap: --json" "$(jfield '[d["outcome"], d["error"]["type"], d["error"]["message"][:18], d["message"]["content"][0]["text"][:4]]')" \
	'["error","protocol","response_too_large","aaaa"]'

# Malformed JSON in a data line: protocol error, partial kept.
run_case badjson '[{"fixture": "pwb_malformed_json.sse"}]' --json
check_eq "malformed JSON in a data line: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_eq "malformed JSON in a data line: --json" "$(jfield '[d["outcome"], d["error"]["type"], d["message"]["content"][0]["text"]]')" '["error","protocol","ok so far"]'
# Malformed SSE: not an event stream at all, though labelled as one.
run_case badsse '[{"status": 200, "content_type": "text/event-stream", "body": "<html>\n<body>Service Unavailable</body>\n</html>\n\n"}]' --json
check_eq "malformed SSE: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_eq "malformed SSE: an error outcome, no message" "$(jfield '[d["outcome"] in ("error", "truncated"), d["message"]]')" '[true,null]'
run_case badsse2 '[{"status": 200, "content_type": "text/event-stream", "body": "event: content_block_delta\ndata: {\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {\"type\": \"text_delta\", \"text\": \"x\"}}\n\n"}]' --json
check_eq "SSE events before message_start: protocol error" "$rc/$(jfield 'd["error"]["type"]')" "4/protocol"

# An HTTP 200 with an unexpected content type.
run_case ctype '[{"status": 200, "content_type": "text/html", "body": "<html>login page</html>"}]' --json
check_eq "200 text/html: exit 4, not retried" "$rc/$(server_count)" "4/1"
check_eq "200 text/html: protocol error naming the type" "$(jfield '[d["error"]["type"], "text/html" in d["error"]["message"], d["message"]]')" '["protocol",true,null]'
done_testing
