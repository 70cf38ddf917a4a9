#!/bin/sh
# pwb eval --batch end to end on the local test server: the bodies are the
# real-time ones, results matched out of order with errored / canceled /
# expired rows, batch prices in the cost, resume after SIGINT (one create
# only), resume after a kill between create and the log write, --new,
# splitting at a lowered limit, the budget refused before create, an
# unknown custom_id in the results.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"

cat >p.yaml <<'EOF'
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: "Q {{x}}"
assert:
- type: starts-with
  value: "batch: Q"
tests:
- vars: {x: zero}
  assert: [{type: contains, value: zero}]
- vars: {x: one}
  assert: [{type: contains, value: one}]
- vars: {x: two}
  assert: [{type: contains, value: two}]
- vars: {x: three}
  assert: [{type: contains, value: nope}]
- vars: {x: four}
  assert: [{type: contains, value: four}]
EOF
creates() { server_count /v1/messages/batches | tr -d ' '; }
create_count() {
	"$PYTHON" -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST" and json.loads(l)["path"] == "/v1/messages/batches"))' "$SRV_LOG"
}

server_start '{"batches": {"polls": 1, "seed": 3, "outcomes": {"r1-k0-c0": {"type": "errored", "error_type": "overloaded_error", "message": "busy"}, "r2-k0-c0": "expired"}}}' || exit 1
$PWB eval p.yaml --batch --poll 0.05 -o r1.jsonl >out.txt 2>err.txt
check_eq "mixed outcomes: exit 3 (an errored row)" "$?" 3
check_eq "one create" "$(create_count)" 1
check_eq "outcomes matched by custom_id" "$($PYTHON -c 'import json
rows=sorted((json.loads(l) for l in open("r1.jsonl")), key=lambda r: r["row"])
print([r["outcome"] for r in rows])')" "['passed', 'error', 'expired', 'failed', 'passed']"
check_eq "the errored row carries the API's error" "$($PYTHON -c 'import json
r=[json.loads(l) for l in open("r1.jsonl") if json.loads(l)["row"] == 1][0]
print(r["error"]["type"], r["error"]["message"])')" "overloaded_error busy"
check_eq "params are the real-time bodies (pwb request --no-stream)" "$($PYTHON -c 'import json,sys
reqs=[json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["method"] == "POST"]
p=reqs[0]["json"]["requests"][0]
print(p["custom_id"], json.dumps(p["params"], sort_keys=True))' "$SRV_LOG")" "r0-k0-c0 $($PWB request p.yaml --no-stream -s x=zero | $PYTHON -c 'import json,sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))')"
check_eq "cost at batch prices: half of the real-time price" "$($PYTHON -c 'import json
r=[json.loads(l) for l in open("r1.jsonl") if json.loads(l)["row"] == 0][0]
print(round(r["cost_usd"] * 1e6, 3))')" "$($PYTHON -c 'print(round((10 * 1.0 + 5 * 5.0) / 2, 3))')"
check_contains "the table says batch prices" "$(cat out.txt)" "batch prices"

# Resume after SIGINT during polling: the second run creates nothing. (The
# first run polls rarely, so the batch is still in progress when stopped.)
export PWB_LOG="$T/log2.db"
server_script '{"batches": {"polls": 2}}'
$PWB eval p.yaml --batch --poll 60 >out.txt 2>err.txt &
pid=$!
wait_for 10 sh -c "grep -q 'created msgbatch' err.txt"
kill -INT $pid
wait $pid
check_eq "SIGINT while polling: exit 130" "$?" 130
check_contains "SIGINT: says how to resume" "$(cat err.txt)" "Run the same command again to resume"
check_eq "SIGINT: the batch is not canceled" "$(grep -c '/cancel' "$SRV_LOG")" 0
: >"$SRV_LOG"
$PWB eval p.yaml --batch --poll 0.05 -o r2.jsonl >out.txt 2>err.txt
check_contains "resumed from the run log" "$(cat err.txt)" "resuming msgbatch"
check_eq "resume: no second create" "$(create_count)" 0
check_eq "resume: every row reported" "$(wc -l <r2.jsonl | tr -d ' ')" 5

# --new: a new batch even with an unfinished one in the log.
export PWB_LOG="$T/log3.db"
server_script '{"batches": {"polls": 2}}'
$PWB eval p.yaml --batch --poll 60 >/dev/null 2>err.txt &
pid=$!
wait_for 10 sh -c "grep -q 'created msgbatch' err.txt"
kill -INT $pid; wait $pid
: >"$SRV_LOG"
$PWB eval p.yaml --batch --new --poll 0.05 >out.txt 2>err.txt
check_eq "--new: one create" "$(create_count)" 1
check_not_contains "--new: nothing resumed" "$(cat err.txt)" "resuming"

# Splitting at a lowered limit: 5 requests at 2 per batch is 3 batches.
server_script '{"batches": {"polls": 0}}'
PWB_BATCH_MAX_REQUESTS=2 $PWB eval p.yaml --batch --new --no-log --poll 0.05 -o r3.jsonl >out.txt 2>err.txt
check_eq "split: three creates" "$(create_count)" 3
check_eq "split: every row" "$(wc -l <r3.jsonl | tr -d ' ')" 5

# The budget is checked against the estimate at batch prices before create.
server_script '{"batches": {"polls": 0}}'
$PWB eval p.yaml --batch --new --no-log --budget 0.0000001 -o r4.jsonl >out.txt 2>err.txt
check_eq "budget: exit 1" "$?" 1
check_eq "budget: nothing created" "$(create_count)" 0
check_contains "budget: says so" "$(cat err.txt)" "no batch created"
check_eq "budget: rows skipped" "$(grep -c '"skipped"' r4.jsonl)" 5

# An unknown custom_id in the results is a protocol error naming it.
server_script '{"batches": {"polls": 0, "extra_lines": [{"custom_id": "r99-k0-c0", "result": {"type": "expired"}}]}}'
$PWB eval p.yaml --batch --new --no-log --poll 0.05 >out.txt 2>err.txt
check_eq "unknown custom_id: exit 4" "$?" 4
check_contains "unknown custom_id: named" "$(cat err.txt out.txt)" "r99-k0-c0"

# A kill between create and the log write: the pending record is found
# again through the list by its time and request count.
export PWB_LOG="$T/log4.db"
server_script '{"batches": {"polls": 2}}'
$PWB eval p.yaml --batch --poll 60 >/dev/null 2>err.txt &
pid=$!
wait_for 10 sh -c "grep -q 'created msgbatch' err.txt"
kill -INT $pid; wait $pid
id=$(sed -n 's/.*created \(msgbatch_[A-Za-z0-9_]*\).*/\1/p' err.txt | head -1)
# make the log look as if the create answer never got recorded
"$PYTHON" - "$PWB_LOG" "$id" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE batches SET batch_id = 'pending-crash-1', state = 'creating' WHERE batch_id = ?", (sys.argv[2],))
db.commit()
EOF
: >"$SRV_LOG"
$PWB eval p.yaml --batch --poll 0.05 -o r5.jsonl >out.txt 2>err.txt
check_contains "crash: the unrecorded batch is found" "$(cat err.txt)" "never recorded"
check_eq "crash: no second create" "$(create_count)" 0
check_eq "crash: every row" "$(wc -l <r5.jsonl | tr -d ' ')" 5
done_testing
