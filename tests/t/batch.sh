#!/bin/sh
# pwb batch end to end on the local test server: list paging (newest first,
# has_more/last_id), status (plain and --json), cancel (canceling, then
# ended with the requests canceled), results streamed to stdout and to -o
# FILE (temp + rename; untouched on failure), out-of-order results, usage
# errors and exit codes, the admin key refused, the key never printed.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

server_start '{"batches": {"existing": 5, "polls": 1, "cancel_polls": 1, "results_chunk": 3,
  "outcomes": {"r1-k0-c0": {"type": "errored", "error_type": "overloaded_error", "message": "busy"},
               "r2-k0-c0": "expired"}}}' || exit 1

# A batch made straight through the API (as pwb eval --batch would).
cat >body.json <<'EOF'
{"requests": [
 {"custom_id": "r0-k0-c0", "params": {"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "zero"}]}},
 {"custom_id": "r1-k0-c0", "params": {"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "one"}]}},
 {"custom_id": "r2-k0-c0", "params": {"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "two"}]}},
 {"custom_id": "r3-k0-c0", "params": {"model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [{"role": "user", "content": "three"}]}}]}
EOF
create() { # BODYFILE -> the new batch's id
	curl -s --noproxy '*' -H "x-api-key: $FAKE_KEY" --data-binary "@$1" \
		"$ANTHROPIC_BASE_URL/v1/messages/batches" | jget - 'd["id"]'
}
ID=$(create body.json)
check_eq "created through the API" "$ID" msgbatch_test0006

# --help, usage errors: exit 2, nothing sent.
$PWB batch --help >out.txt 2>err.txt
check_eq "--help: exit 0" "$?" 0
check_contains "--help: usage" "$(cat out.txt)" "usage: pwb batch list"
: >"$SRV_LOG"
usage_case() { # NAME ARGS...
	_n=$1; shift
	$PWB batch "$@" >out.txt 2>err.txt
	check_eq "$_n: exit 2" "$?" 2
	check_eq "$_n: nothing sent" "$(server_count)" 0
}
usage_case "no subcommand"
usage_case "unknown subcommand" frobnicate
usage_case "status without ID" status
usage_case "status with two IDs" status a b
usage_case "an id that is not one" status "../x"
usage_case "unknown option" list --bogus
usage_case "--page-size 0" list --page-size 0
usage_case "--page-size x" list --page-size x
usage_case "-o on status" status "$ID" -o f
usage_case "results -o without FILE" results "$ID" -o
check_contains "unknown subcommand named" "$($PWB batch frobnicate 2>&1)" "'frobnicate'"

# list: every page, newest first; the pages chained by after_id.
$PWB batch list --page-size 2 >out.txt 2>err.txt
check_eq "list: exit 0" "$?" 0
check_eq "list: newest first, all six" "$(cut -d' ' -f1 out.txt | tr '\n' ' ')" \
	"msgbatch_test0006 msgbatch_old_004 msgbatch_old_003 msgbatch_old_002 msgbatch_old_001 msgbatch_old_000 "
check_eq "list: a line has status, time and counts" "$(head -1 out.txt)" \
	"msgbatch_test0006  in_progress  2026-11-01T00:06:00.000000Z  processing=4 succeeded=0 errored=0 canceled=0 expired=0"
check_eq "list: three pages" "$(server_count /v1/messages/batches)" 3
check_eq "list: page queries" "$(server_req 1 'd["query"]')|$(server_req 2 'd["query"]')|$(server_req 3 'd["query"]')" \
	"limit=2|limit=2&after_id=msgbatch_old_004|limit=2&after_id=msgbatch_old_002"
check_eq "list: the key sent" "$(server_req 1 'd["headers"]["x-api-key"] == "'"$FAKE_KEY"'"')" true
$PWB batch list --json >out.json 2>err.txt
check_eq "list --json: one array of six" "$?/$(jget out.json '[len(d), d[0]["id"], d[-1]["id"]]')" \
	'0/[6,"msgbatch_test0006","msgbatch_old_000"]'

# results before the end: the API's 404, exit 3.
$PWB batch results "$ID" >out.txt 2>err.txt
check_eq "results too early: exit 3" "$?" 3
check_contains "results too early: says why" "$(cat err.txt)" "not_found_error"

# status: the one poll the server scripts, then ended.
$PWB batch status "$ID" >out.txt 2>err.txt
check_eq "status: exit 0" "$?" 0
check_contains "status: in progress" "$(cat out.txt)" "processing_status    in_progress"
$PWB batch status "$ID" --json >out.json 2>err.txt
check_eq "status --json: ended with the counts" \
	"$?/$(jget out.json '[d["processing_status"], d["request_counts"]]')" \
	'0/["ended",{"canceled":0,"errored":1,"expired":1,"processing":0,"succeeded":2}]'
$PWB batch status "$ID" >out.txt
check_contains "status: counts line" "$(cat out.txt)" \
	"request_counts       processing=0 succeeded=2 errored=1 canceled=0 expired=1"
check_contains "status: results url" "$(cat out.txt)" "/v1/messages/batches/$ID/results"

# results to stdout: the raw JSON Lines, in the server's shuffled order.
$PWB batch results "$ID" >out.jsonl 2>err.txt
check_eq "results: exit 0" "$?" 0
check_eq "results: four lines" "$(wc -l <out.jsonl | tr -d ' ')" 4
check_eq "results: asked as the SDKs do" "$(server_req "$(server_count)" 'd["headers"]["accept"]')" "application/binary"
"$PYTHON" - out.jsonl >parsed.txt <<'EOF'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(" ".join(r["custom_id"] for r in rows))
for r in sorted(rows, key=lambda r: r["custom_id"]):
    res = r["result"]
    extra = ""
    if res["type"] == "succeeded":
        extra = res["message"]["content"][0]["text"]
    elif res["type"] == "errored":
        extra = res["error"]["error"]["type"]
    print(r["custom_id"], res["type"], extra)
EOF
check_eq "results: matched by custom_id" "$(sed 1d parsed.txt)" "r0-k0-c0 succeeded batch: zero
r1-k0-c0 errored overloaded_error
r2-k0-c0 expired 
r3-k0-c0 succeeded batch: three"
check_not_contains "results: not in request order" "$(head -1 parsed.txt)" "r0-k0-c0 r1-k0-c0 r2-k0-c0 r3-k0-c0"

# results -o FILE: the same bytes, through a temp file.
$PWB batch results "$ID" -o res.jsonl >out.txt 2>err.txt
check_eq "results -o: exit 0, nothing on stdout" "$?/$(wc -c <out.txt | tr -d ' ')" "0/0"
check "results -o: same bytes as stdout" cmp -s res.jsonl out.jsonl
check_eq "results -o: no temp file left" "$(ls | grep -c 'res.jsonl.tmp')" 0
# a failing download leaves FILE untouched
echo keep >kept.jsonl
$PWB batch results msgbatch_nope -o kept.jsonl >out.txt 2>err.txt
check_eq "results -o on a 404: exit 3" "$?" 3
check_eq "results -o on a 404: FILE untouched" "$(cat kept.jsonl)" keep
check_eq "results -o on a 404: no temp file" "$(ls | grep -c 'kept.jsonl.tmp')" 0
mkdir ro && chmod 555 ro
as_nobody $PWB batch results "$ID" -o ro/x.jsonl >out.txt 2>err.txt
check_eq "results -o in an unwritable dir: exit 2" "$?" 2

# cancel: canceling now, then ended with every unfinished request canceled.
ID2=$(create body.json)
$PWB batch cancel "$ID2" >out.txt 2>err.txt
check_eq "cancel: exit 0, status canceling" "$?/$(cat out.txt)" "0/$ID2  canceling"
$PWB batch status "$ID2" --json >out.json
check_eq "after cancel: canceling" "$(jget out.json 'd["processing_status"]')" canceling
$PWB batch status "$ID2" --json >out.json
check_eq "after cancel: ended, counts" "$(jget out.json '[d["processing_status"], d["request_counts"]["canceled"], d["request_counts"]["errored"]]')" \
	'["ended",2,1]'
check_eq "cancel: a POST to .../cancel" "$(server_count "/v1/messages/batches/$ID2/cancel")" 1
$PWB batch cancel msgbatch_nope >out.txt 2>err.txt
check_eq "cancel an unknown batch: exit 3" "$?" 3
check_contains "cancel an unknown batch: named" "$(cat err.txt)" "msgbatch_nope"

# Faults: a 529 on status is retried by the core and then reported (exit 4).
server_script '{"/v1/messages/batches/msgbatch_x": [{"fixture": "error_529_overloaded", "headers": {"retry-after-ms": "10"}}]}'
$PWB batch status msgbatch_x >out.txt 2>err.txt
check_eq "status on 529 after retries: exit 4" "$?" 4
check_eq "status on 529: three attempts" "$(server_count /v1/messages/batches/msgbatch_x)" 3
# A results body cut off mid-way is a network error (exit 4), the FILE untouched.
server_script '{"/v1/messages/batches/msgbatch_x/results": [{"body": "{\"custom_id\": \"a\"}\n{\"cus", "content_type": "application/x-jsonl", "framing": "length", "drop_after": 20}]}'
$PWB batch results msgbatch_x -o kept.jsonl >out.txt 2>err.txt
check_eq "results cut off: exit 4" "$?" 4
check_eq "results cut off: FILE untouched" "$(cat kept.jsonl)" keep
# Ctrl-C during a download: exit 130, FILE untouched, no temp file left.
server_script '{"/v1/messages/batches/msgbatch_h/results": [{"hang": true}]}'
$PWB batch results msgbatch_h -o kept.jsonl >out.txt 2>err.txt &
pid=$!
wait_for 20 test -s "$SRV_LOG"
kill -INT "$pid"
wait "$pid"
check_eq "interrupted: exit 130" "$?" 130
check_contains "interrupted: says so" "$(cat err.txt)" "interrupted"
check_eq "interrupted: FILE untouched, no temp" "$(cat kept.jsonl)/$(ls | grep -c 'kept.jsonl.tmp')" "keep/0"
# An unreachable API: exit 4.
ANTHROPIC_BASE_URL="http://127.0.0.1:$(free_port)" $PWB batch list >out.txt 2>err.txt
check_eq "no server: exit 4" "$?" 4

# Keys: an admin key is refused before anything is sent; a missing key
# is exit 2; the key is never printed, even when an error echoes it.
: >"$SRV_LOG"
ADMIN="sk-ant-admin01-FAKEadminKEY0123456789abcdefghijklmnopqrstu-CCCC"
ANTHROPIC_API_KEY=$ADMIN $PWB batch list >out.txt 2>err.txt
check_eq "admin key: exit 2" "$?" 2
check_contains "admin key: says why" "$(cat err.txt)" "Admin API key"
check_not_contains "admin key: not printed" "$(cat out.txt err.txt)" "$ADMIN"
check_eq "admin key: nothing sent" "$(server_count)" 0
(unset ANTHROPIC_API_KEY; $PWB batch list >out.txt 2>err.txt)
check_eq "no key: exit 2" "$?" 2
server_script '{"/v1/messages/batches/msgbatch_k": [{"status": 400, "json": {"type": "error", "error": {"type": "invalid_request_error", "message": "bad key '"$FAKE_KEY"'"}}}]}'
$PWB batch status msgbatch_k >out.txt 2>err.txt
check_eq "an error echoing the key: exit 3" "$?" 3
check_not_contains "an error echoing the key: redacted" "$(cat out.txt err.txt)" "$FAKE_KEY"
server_script '{"/v1/messages/batches/msgbatch_k/results": [{"body": "{\"custom_id\": \"a\", \"echo\": \"'"$FAKE_KEY"'\"}\n", "content_type": "application/x-jsonl", "chunk": 7}]}'
$PWB batch results msgbatch_k >out.txt 2>err.txt
check_eq "results holding the key: exit 4" "$?" 4
check_not_contains "results holding the key: never written" "$(cat out.txt err.txt)" "$FAKE_KEY"
check_contains "results holding the key: says why" "$(cat err.txt)" "contain the configured API key"

done_testing
