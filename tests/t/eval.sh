#!/bin/sh
# pwb eval end to end against the local server: rows from the preset, CSV,
# JSONL; assertions over real answers; concurrency (the server counts the
# requests in flight); 429 pacing; Ctrl-C keeps finished rows; budget;
# compare of two presets and of --models; --baseline and --filter-failing;
# exit codes; the run log (versions, --cache sends nothing, two writers).
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"

# The answer echoes the last user turn after "A: ", so each row's answer
# is known: the prompt is "Q {{x}}".
cat >p.yaml <<'EOF'
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: "Q {{x}}"
assert:
- type: starts-with
  value: "A: Q"
tests:
- description: one
  vars: {x: apple}
  assert:
  - type: contains
    value: apple
- description: two
  vars: {x: Banana}
  assert:
  - type: icontains
    value: BANANA
  - type: not-contains
    value: cherry
- description: three fails
  vars: {x: cherry}
  assert:
  - type: equals
    value: "A: Q plum"
- description: four regex
  vars: {x: "n 42"}
  assert:
  - type: regex
    value: "\\d+$"
EOF
server_start '[{"echo": "A: "}]' || exit 1

$PWB eval p.yaml -o r1.jsonl >out.txt 2>err.txt
check_eq "one row fails: exit 1" "$?" 1
check_eq "four requests" "$(server_count /v1/messages)" 4
check_eq "-o: one line per row" "$(wc -l <r1.jsonl | tr -d ' ')" 4
check_eq "row 3 failed" "$($PYTHON -c 'import json
rows=[json.loads(l) for l in open("r1.jsonl")]
print(sorted((r["row"], r["outcome"]) for r in rows))')" "[(0, 'passed'), (1, 'passed'), (2, 'failed'), (3, 'passed')]"
check_contains "table names the failing row's reason" "$(cat out.txt)" "plum"
check_contains "summary: pass rate" "$(cat out.txt)" "3/4 passed (75.0%)"
line=$($PYTHON -c 'import json
rows={json.loads(l)["row"]: json.loads(l) for l in open("r1.jsonl")}
r=rows[0]
print(r["output"], r["vars"]["x"], r["model"], r["preset"].endswith("p.yaml"), len(r["version"]), r["assertions"][0]["type"], r["assertions"][0]["pass"], r["message"]["type"], r["usage"]["output_tokens"], r["cost_usd"] > 0, r["latency_ms"] >= 0, r["error"])')
check_eq "-o row: the fields" "$line" "A: Q apple apple claude-haiku-4-5 True 8 starts-with True message 5 True True None"
check_eq "the body is the row's" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "Q apple"

# --json: one document with results and summary.
$PWB eval p.yaml --json --no-log >doc.json 2>err.txt
check_eq "--json: exit 1" "$?" 1
check_eq "--json: results and summary" "$(jget doc.json '[len(d["results"]), d["summary"][0]["passed"], d["summary"][0]["failed"]]')" "[4,3,1]"

# Rows from CSV with __expected columns, and from JSONL.
cat >rows.csv <<'EOF'
x,__expected,__expected2,__description
"a, b",contains:a,"icontains-any:""zz"",B",comma row
plain,not-contains:zzz,,second
EOF
$PWB eval p.yaml --tests rows.csv --no-log -o r2.jsonl >out.txt 2>err.txt
check_eq "CSV rows pass: exit 0" "$?" 0
check_eq "CSV: the quoted cell reached the prompt" "$(server_req $(server_count) 'd["json"]["messages"][0]["content"]' | grep -c 'a, b\|plain')" 1
printf '%s\n' '{"vars": {"x": "j1"}, "assert": [{"type": "contains", "value": "j1"}]}' \
	'{"vars": {"x": "j2"}, "assert": [{"type": "contains", "value": "nope"}]}' >rows.jsonl
$PWB eval p.yaml --tests rows.jsonl --no-log >out.txt 2>err.txt
check_eq "JSONL: one fails: exit 1" "$?" 1

# Bad input: exit 2 before anything is sent.
server_script '[{"echo": "A: "}]'
cat >bad.csv <<'EOF'
x,__expected
one,contains:o
two,contains:t,extra
EOF
$PWB eval p.yaml --tests bad.csv --no-log >out.txt 2>err.txt
check_eq "ragged CSV: exit 2" "$?" 2
check_contains "ragged CSV: names the CSV line" "$(cat err.txt)" "bad.csv:3"
printf 'y,__expected\n1,contains:1\n' >novar.csv
$PWB eval p.yaml --tests novar.csv --no-log >out.txt 2>err.txt
check_eq "a row missing a prompt variable: exit 2" "$?" 2
check_contains "names the variable" "$(cat err.txt)" "x"
printf 'x,__expected\n1,"regex:(a"\n' >badre.csv
$PWB eval p.yaml --tests badre.csv --no-log >out.txt 2>err.txt
check_eq "a bad regex: exit 2" "$?" 2
printf 'x,__expected\n1,javascript:output.length > 1\n' >code.csv
$PWB eval p.yaml --tests code.csv --no-log >out.txt 2>err.txt
check_eq "a code assertion is refused: exit 2" "$?" 2
check_eq "bad input sends nothing" "$(server_count)" 0
$PWB eval p.yaml --concurrency 0 >out.txt 2>err.txt
check_eq "--concurrency 0: exit 2" "$?" 2

# Concurrency: 12 slow rows at --concurrency 3: never more than 3 in flight.
python3 - <<'EOF'
rows = ["x,__expected"] + ["r%d,contains:r%d" % (i, i) for i in range(12)]
open("twelve.csv", "w").write("\n".join(rows) + "\n")
EOF
server_script '[{"echo": "A: ", "headers_delay_ms": 150}]'
$PWB eval p.yaml --tests twelve.csv --concurrency 3 --no-log >out.txt 2>err.txt
check_eq "12 rows pass" "$?" 0
check_eq "the server saw at most 3 at once, and 3" "$($PYTHON -c 'import json
print(max(json.loads(l)["inflight"] for l in open("'"$SRV_LOG"'")))')" 3

# The progress line: on a terminal, redrawn in place on stderr; without a
# terminal, none.
server_script '[{"echo": "A: ", "headers_delay_ms": 150}]'
check_eq "no terminal: no progress line" "$(grep -c "$(printf '\033')" err.txt)" 0
$PYTHON - "$PWB" <<'EOF' >pty.txt
import os, subprocess, sys
m, s = os.openpty()
p = subprocess.Popen([sys.argv[1], "eval", "p.yaml", "--tests", "twelve.csv", "--concurrency", "2", "--no-log"],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=s)
os.close(s)
data = b""
while True:
    try:
        chunk = os.read(m, 4096)
    except OSError:
        break
    if not chunk:
        break
    data += chunk
p.wait()
redraws = data.count(b"\r\x1b[2K")
print(p.returncode, redraws >= 2, b"rows/s" in data, b"12/12 rows" in data)
EOF
check_eq "terminal: a progress line redrawn in place (rows done, rate)" "$(cat pty.txt)" "0 True True True"

# 429: the concurrency halves and no new row starts before retry-after.
server_script '[{"status": 429, "headers": {"retry-after": "1"}, "json": {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}}, {"echo": "A: ", "headers_delay_ms": 50}]'
$PWB eval p.yaml --tests twelve.csv --concurrency 4 --no-log >out.txt 2>err.txt
check_eq "after a 429 every row still passes" "$?" 0
check_eq "pacing: no request for 1 s after the 429" "$($PYTHON -c 'import json
reqs=[json.loads(l) for l in open("'"$SRV_LOG"'")]
t429=reqs[0]["t"]
later=[r["t"]-t429 for r in reqs[1:]]
print(all(d >= 0.95 for d in later if d > 0.2) and sum(1 for d in later if d < 0.2) <= 3)')" True

# Rate-limit headers saying nothing remains: no new row before their reset.
reset=$($PYTHON -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
server_script "[{\"echo\": \"A: \", \"headers\": {\"anthropic-ratelimit-requests-limit\": \"50\", \"anthropic-ratelimit-requests-remaining\": \"0\", \"anthropic-ratelimit-requests-reset\": \"$reset\"}}, {\"echo\": \"A: \"}]"
printf 'x,__expected\nr1,contains:r1\nr2,contains:r2\n' >two.csv
$PWB eval p.yaml --tests two.csv --concurrency 1 --no-log >out.txt 2>err.txt
check_eq "requests-remaining 0: both rows pass" "$?" 0
check_eq "requests-remaining 0: the next row waits for the reset" "$($PYTHON -c 'import json
r=[json.loads(l) for l in open("'"$SRV_LOG"'")]
print(len(r) == 2 and r[1]["t"] - r[0]["t"] >= 0.9)')" True

# Ctrl-C: finished rows are written, the rest canceled, exit 130.
server_script '{"messages": [{"route": [{"match": "slow", "hang": true}, {"echo": "A: "}]}]}'
python3 - <<'EOF'
rows = ["x,__expected"] + ["fast%d,contains:fast" % i for i in range(3)] + ["slow%d,contains:slow" % i for i in range(3)]
open("cancel.csv", "w").write("\n".join(rows) + "\n")
EOF
$PWB eval p.yaml --tests cancel.csv --concurrency 6 --no-log -o r3.jsonl >out.txt 2>err.txt &
pid=$!
wait_for 10 sh -c '[ "$(grep -c passed r3.jsonl 2>/dev/null)" = 3 ]'
sleep 0.2
kill -INT $pid
wait $pid
check_eq "Ctrl-C: exit 130" "$?" 130
check_eq "Ctrl-C: finished rows kept, the others canceled" "$($PYTHON -c 'import json
rows=[json.loads(l) for l in open("r3.jsonl")]
print(sorted(r["outcome"] for r in rows))')" "['canceled', 'canceled', 'canceled', 'passed', 'passed', 'passed']"

# Budget: rows that could pass the budget are skipped; exit 1.
server_script '[{"echo": "A: "}]'
$PWB eval p.yaml --budget 0.0006 --concurrency 1 --no-log -o r4.jsonl >out.txt 2>err.txt
check_eq "budget: exit 1" "$?" 1
skipped=$($PYTHON -c 'import json
rows=[json.loads(l) for l in open("r4.jsonl")]
print(sum(1 for r in rows if r["outcome"] == "skipped" and r.get("reason") == "budget"), len(rows))')
check_eq "budget: some rows skipped, every row reported" "$(echo "$skipped" | awk '{print ($1 > 0 && $1 < 4) ":" $2}')" "1:4"
check_contains "budget: the table says skipped (budget)" "$(cat out.txt)" "skipped (budget)"

# Compare: two presets side by side, differing rows first; --models.
sed 's/max_tokens: 100/max_tokens: 101/' p.yaml >p2.yaml
sed -i 's/value: "A: Q plum"/value: "A: Q cherry"/' p2.yaml
# (the rows come from the first FILE; p4's prompt makes row 4 fail)
sed 's/content: "Q {{x}}"/content: "Q {{x}} plum"/' p.yaml >p4.yaml
$PWB eval p.yaml p4.yaml --no-log --json >cmp.json 2>err.txt
check_eq "compare: exit 1 (a row fails in one column)" "$?" 1
check_eq "compare: two columns" "$(jget cmp.json '[s["passed"] for s in d["summary"]]')" "[3,2]"
$PWB eval p.yaml p4.yaml --no-log >cmp.txt 2>err.txt
check_contains "compare: both presets in the header" "$(head -1 cmp.txt)" "p4.yaml"
check_eq "compare: the rows that differ come first" "$(sed -n 2p cmp.txt | cut -c1-6 | tr -d ' ')" "4*"
$PWB eval p.yaml --models claude-haiku-4-5,claude-sonnet-4-5 --no-log --json >models.json 2>err.txt
check_eq "--models: two columns" "$(jget models.json '[s["model"] for s in d["summary"]]')" '["claude-haiku-4-5","claude-sonnet-4-5"]'
check_eq "--models: each model sent" "$($PYTHON -c 'import json
print(sorted(set(json.loads(l)["json"]["model"] for l in open("'"$SRV_LOG"'"))))')" "['claude-haiku-4-5', 'claude-sonnet-4-5']"

# --baseline: a row that passed there and fails now is a regression (exit 1);
# --filter-failing runs only the failed rows.
$PWB eval p2.yaml --no-log -o base.jsonl >out.txt 2>err.txt
check_eq "p2 passes every row" "$?" 0
$PWB eval p.yaml --no-log --baseline base.jsonl >out.txt 2>err.txt
check_eq "--baseline: a regression fails the run" "$?" 1
check_contains "--baseline: lists it" "$(cat out.txt)" "1 regressions"
server_script '[{"echo": "A: "}]'
$PWB eval p.yaml --no-log --filter-failing r1.jsonl >out.txt 2>err.txt
check_eq "--filter-failing: one request" "$(server_count /v1/messages)" 1
check_eq "--filter-failing: the failed row" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "Q cherry"

# llm-rubric: the grader is a forced tool call with the --grader model;
# its verdict decides the check, and its cost is counted in the row's.
cat >rubric.yaml <<'EOF'
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: "Q {{x}}"
tests:
- vars: {x: good}
  assert:
  - type: llm-rubric
    value: The answer is good.
- vars: {x: bad}
  assert:
  - type: llm-rubric
    value: The answer is good.
EOF
grade() { # PASS SCORE: a grader's answer, as RESP fields without the braces
	printf '"json": {"id": "msg_g", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [{"type": "tool_use", "id": "tu_1", "name": "grade", "input": {"pass": %s, "score": %s, "reason": "graded %s"}}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 50, "output_tokens": 20}}' "$1" "$2" "$1"
}
server_script "[{\"route\": [{\"match\": \"A: Q good\", $(grade true 0.9)}, {\"match\": \"A: Q bad\", $(grade false 0.1)}, {\"echo\": \"A: \"}]}]"
$PWB eval rubric.yaml --grader claude-sonnet-4-5 --no-log -o r7.jsonl >out.txt 2>err.txt
check_eq "llm-rubric: one passes, one fails" "$?" 1
check_eq "llm-rubric: 2 answers + 2 grader calls" "$(server_count /v1/messages)" 4
check_eq "llm-rubric: verdicts from the grader" "$($PYTHON -c 'import json
rows=sorted((json.loads(l) for l in open("r7.jsonl")), key=lambda r: r["row"])
print([(r["outcome"], r["assertions"][0]["score"]) for r in rows])')" "[('passed', 0.9), ('failed', 0.1)]"
check_eq "llm-rubric: the grader used --grader and a forced tool" "$($PYTHON -c 'import json
g=[json.loads(l)["json"] for l in open("'"$SRV_LOG"'") if "tool_choice" in json.loads(l)["json"]]
print(len(g), set(x["model"] for x in g), set(x["tool_choice"]["name"] for x in g))')" "2 {'claude-sonnet-4-5'} {'grade'}"
check_eq "llm-rubric: the grader's cost is in the row's" "$($PYTHON -c 'import json
r=json.loads(open("r7.jsonl").readline())
print(r["cost_usd"] > 0.0002)')" True

# API errors: 400 is exit 3; a dropped connection exit 4.
server_script '[{"status": 400, "json": {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}}]'
$PWB eval p.yaml --no-log -o r5.jsonl >out.txt 2>err.txt
check_eq "400: exit 3" "$?" 3
check_eq "400: the error in -o" "$(head -1 r5.jsonl | jget - '[d["outcome"], d["error"]["type"], d["error"]["http_status"]]')" '["error","invalid_request_error",400]'
server_script '[{"reset": true}]'
$PWB eval p.yaml --no-log --max-retries 0 >out.txt 2>err.txt
check_eq "connection reset: exit 4" "$?" 4

# The run log: versions across edits; --cache sends nothing.
server_script '[{"echo": "A: "}]'
$PWB eval p.yaml >/dev/null 2>&1
sed -i 's/max_tokens: 100/max_tokens: 120/' p.yaml
$PWB eval p.yaml >/dev/null 2>&1
$PWB log p.yaml >log.txt 2>err.txt
check_eq "pwb log FILE: two versions" "$(grep -c 'max_tokens 100 -> 120\|first version' log.txt)" 2
server_script '[{"echo": "A: "}]'
$PWB eval p.yaml --cache -o r6.jsonl >out.txt 2>err.txt
check_eq "--cache: same verdicts" "$?" 1
check_eq "--cache: the server saw nothing" "$(server_count)" 0
check_eq "--cache: every row marked cached" "$($PYTHON -c 'import json
print(all(json.loads(l)["cached"] for l in open("r6.jsonl")))')" True

# Two evals writing one log at once.
$PWB eval p.yaml --tests twelve.csv >/dev/null 2>&1 &
a=$!
$PWB eval p.yaml --tests twelve.csv >/dev/null 2>&1 &
b=$!
wait $a; ra=$?
wait $b; rb=$?
check_eq "two writers: both complete" "$ra $rb" "0 0"
done_testing
