#!/bin/sh
# The retry matrix (docs/api-notes.md section 8, the Python SDK's rules): each retried
# status is retried, each non-retried status is not; retry-after honoured
# (and one over 60 s falling back to backoff); --max-retries changes the
# count; give-up after the limit says so; a mid-stream error is never
# retried. Requests are counted in the server's log.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml
server_start '[]' || exit 1

err_json() { # STATUS TYPE
	printf '{"status": %s, "json": {"type": "error", "error": {"type": "%s", "message": "test %s"}, "request_id": "req_body_%s"}' "$1" "$2" "$1" "$1"
}

# Each retried status: one failure, then the answer; two requests, exit 0.
for st in 408:request_timeout 409:conflict_error 429:rate_limit_error 500:api_error 504:timeout_error 529:overloaded_error; do
	code=${st%%:*}; type=${st#*:}
	server_script "[$(err_json "$code" "$type")}, {\"fixture\": \"stream_text_basic.sse\"}]"
	$PWB run p.yaml >out.txt 2>err.txt
	rc=$?
	check_eq "$code is retried and the retry succeeds (exit)" "$rc" 0
	check_eq "$code is retried once (requests)" "$(server_count)" 2
	check_eq "$code: the answer after the retry" "$(cat out.txt)" "Hello!"
	check_contains "$code: the retry is announced on stderr" "$(cat err.txt)" "HTTP $code $type: test $code"
	check_contains "$code: the announcement says which retry" "$(cat err.txt)" "retry 1 of 2 in "
done

# Each non-retried status: one request, exit 3, the API's type and message.
for st in 400:invalid_request_error 401:authentication_error 402:billing_error 403:permission_error 404:not_found_error 413:request_too_large 422:invalid_request_error; do
	code=${st%%:*}; type=${st#*:}
	server_script "[$(err_json "$code" "$type")}, {\"fixture\": \"stream_text_basic.sse\"}]"
	$PWB run p.yaml >out.txt 2>err.txt
	rc=$?
	check_eq "$code is not retried (exit)" "$rc" 3
	check_eq "$code is not retried (requests)" "$(server_count)" 1
	check_contains "$code: clear message" "$(cat err.txt)" "HTTP $code $type: test $code (request-id req_test_"
	server_script "[$(err_json "$code" "$type")}]"
	$PWB run --json p.yaml >out.json 2>/dev/null
	check_eq "$code: --json error" "$(jget out.json '[d["outcome"], d["message"], d["error"]["type"], d["error"]["http_status"], d["error"]["request_id"][:9]]')" \
		"[\"error\",null,\"$type\",$code,\"req_test_\"]"
done

# x-should-retry wins over the status.
server_script "[$(err_json 529 overloaded_error), \"headers\": {\"x-should-retry\": \"false\"}}]"
$PWB run p.yaml >/dev/null 2>&1
check_eq "x-should-retry: false stops a 529 (exit 4)" "$?" 4
check_eq "x-should-retry: false stops a 529 (requests)" "$(server_count)" 1
server_script "[$(err_json 400 invalid_request_error), \"headers\": {\"x-should-retry\": \"true\", \"retry-after-ms\": \"10\"}}, {\"fixture\": \"stream_text_basic.sse\"}]"
$PWB run p.yaml >/dev/null 2>&1
check_eq "x-should-retry: true retries a 400 (exit)" "$?" 0
check_eq "x-should-retry: true retries a 400 (requests)" "$(server_count)" 2

# retry-after: 1 is honoured: by default exactly 2 retries, then give up.
server_script "[$(err_json 429 rate_limit_error), \"headers\": {\"retry-after\": \"1\"}}]"
$PWB run p.yaml >out.txt 2>err.txt
rc=$?
check_eq "429 retry-after 1: gives up with exit 4" "$rc" 4
check_eq "429 retry-after 1: exactly 2 retries by default" "$(server_count)" 3
check_eq "429 retry-after 1: the delay used is the header's" \
	"$(grep -c 'in 1.0 s$' err.txt)" 2
check_contains "give-up message" "$(cat err.txt)" "gave up after 2 retries"
gap=$("$PYTHON" -c 'import json,sys
t = [json.loads(l)["t"] for l in open(sys.argv[1])]
print(min(b - a for a, b in zip(t, t[1:])) >= 0.99)' "$SRV_LOG")
check_eq "429 retry-after 1: requests at least 1 s apart" "$gap" "True"
for n in 0 1 4; do
	server_script "[$(err_json 429 rate_limit_error), \"headers\": {\"retry-after-ms\": \"20\"}}]"
	$PWB run --max-retries $n p.yaml >/dev/null 2>err.txt
	check_eq "--max-retries $n: $((n + 1)) requests" "$(server_count)" $((n + 1))
done
check_contains "--max-retries 4: gave up after 4 retries" "$(cat err.txt)" "gave up after 4 retries"
server_script "[$(err_json 429 rate_limit_error), \"headers\": {\"retry-after-ms\": \"20\"}}]"
$PWB run --json --max-retries 0 p.yaml >out.json 2>err.txt
check_eq "--max-retries 0: no retry, no give-up wording" "$(server_count)/$(grep -c 'gave up' err.txt)" "1/0"

# retry-after over 60 s falls back to backoff (0.375 s to 0.5 s first).
server_script "[$(err_json 529 overloaded_error), \"headers\": {\"retry-after\": \"120\"}}, {\"fixture\": \"stream_text_basic.sse\"}]"
$PWB run p.yaml >/dev/null 2>err.txt
check_eq "retry-after 120: retried (exit 0)" "$?" 0
delay=$(sed -n 's/.*retry 1 of 2 in \([0-9]*\) ms$/\1/p' err.txt)
check_eq "retry-after 120: backoff delay of 375-500 ms used instead ($delay)" \
	"$([ -n "$delay" ] && [ "$delay" -ge 375 ] && [ "$delay" -le 500 ] && echo yes)" yes
# An HTTP-date retry-after in the past also falls back to backoff.
server_script "[$(err_json 503 api_error), \"headers\": {\"retry-after\": \"Wed, 21 Oct 2015 07:28:00 GMT\"}}, {\"fixture\": \"stream_text_basic.sse\"}]"
$PWB run p.yaml >/dev/null 2>err.txt
delay=$(sed -n 's/.*retry 1 of 2 in \([0-9]*\) ms$/\1/p' err.txt)
check_eq "retry-after date in the past: backoff ($delay ms)" \
	"$([ -n "$delay" ] && [ "$delay" -ge 375 ] && [ "$delay" -le 500 ] && echo yes)" yes

# Give-up after the limit of a 5xx, with backoff.
server_script "[$(err_json 500 api_error)}]"
$PWB run --json p.yaml >out.json 2>err.txt
check_eq "500 three times: exit 4" "$?" 4
check_eq "500 three times: 3 requests" "$(server_count)" 3
check_eq "500 give-up --json" "$(jget out.json '[d["outcome"], d["error"]["type"], d["error"]["message"], d["error"]["http_status"]]')" \
	'["error","api_error","test 500 (gave up after 2 retries)",500]'

# A mid-stream error event is never retried, even when retryable by type.
server_script '[{"fixture": "stream_error_overloaded_midstream.sse"}, {"fixture": "stream_text_basic.sse"}]'
$PWB run p.yaml >out.txt 2>err.txt
check_eq "mid-stream error: exit 4" "$?" 4
check_eq "mid-stream error: not retried" "$(server_count)" 1
check_eq "mid-stream error: the partial text is printed" "$(cat out.txt)" "Hello"
check_contains "mid-stream error: the error is said" "$(cat err.txt)" "overloaded_error: Overloaded"
server_script '[{"fixture": "stream_error_overloaded_first_event.sse"}, {"fixture": "stream_text_basic.sse"}]'
$PWB run --json p.yaml >out.json 2>err.txt
check_eq "error as the first event of a 200 stream: not retried" "$(server_count)" 1
done_testing
