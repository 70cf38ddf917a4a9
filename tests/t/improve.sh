#!/bin/sh
# pwb improve against the local server answering the forced
# propose_prompt tool call: the request carries the prompt, the rows
# read-only and the failing rows with their answers and reasons (from
# --from RESULTS or the run log); the new version is written with its
# change list and a diff; a proposal that touches the tests is refused;
# --eval compares both versions with eval's exit codes for the new one;
# the meta-prompt override from the config folder.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"
export XDG_CONFIG_HOME="$T/config"

# Answers echo the user turn after "A: ", so row 2 fails until the prompt
# asks for plum.
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
- description: apple row
  vars: {x: apple}
  assert:
  - type: contains
    value: apple
- description: plum row
  vars: {x: cherry}
  assert:
  - type: contains
    value: plum
EOF
cp p.yaml orig.yaml

# A propose_prompt answer: $1 is the tool's input (JSON).
answer() {
	printf '{"id": "msg_i", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [{"type": "tool_use", "id": "tu_1", "name": "propose_prompt", "input": %s}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 900, "output_tokens": 300}}' "$1"
}
script() { # INPUT: the improve request answers with it, every other request echoes
	printf '[{"route": [{"match": "propose_prompt", "json": %s}, {"echo": "A: "}]}]' "$(answer "$1")" >"$2"
}
GOOD='{"system": "Mention plum.", "messages": [{"role": "user", "content": "Q {{x}} plum"}],
 "temperature": 0.3,
 "changes": [{"change": "ask for plum", "reason": "the plum row wants plum"}]}'
script "$GOOD" good.json
server_start good.json || { done_testing; }

# An evaluation first: row 2 fails.
$PWB eval p.yaml -o r.jsonl >eval.txt 2>&1
check_eq "eval: one row fails" "$?" 1

# improve from the run log (the default).
server_script good.json
$PWB improve p.yaml >out.txt 2>err.txt
check_eq "improve: exit 0" "$?" 0
check_eq "improve: one request" "$(server_count /v1/messages)" 1
check_eq "improve: a forced propose_prompt call" "$(server_req 1 'd["json"]["tool_choice"]["name"]')" propose_prompt
server_req 1 'd["json"]["messages"][0]["content"]' >sent.txt
check_contains "improve: the prompt is sent" "$(cat sent.txt)" "<prompt>
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: Q {{x}}"
check_contains "improve: the rows are sent" "$(cat sent.txt)" "<tests>
assert:
- type: starts-with
  value: 'A: Q'
tests:
- description: apple row"
check_contains "improve: the failing row, its answer and the reason" "$(cat sent.txt)" "row 2 (plum row): failed
  variables:
    x:
      | cherry
  answer:
    | A: Q cherry
  failed assertions:
    - contains \"plum\": contains: plum: failed"
check_not_contains "improve: passing rows are not failures" "$(sed -n '/<failures>/,$p' sent.txt)" "apple row"
check_contains "improve: the change list" "$(cat out.txt)" "changes:
- ask for plum: the plum row wants plum"
check_contains "improve: a diff against FILE" "$(cat out.txt)" "--- p.yaml (canonical)
+++ p.improved.yaml"
check_contains "improve: the diff shows the new turn" "$(cat out.txt)" "-  content: Q {{x}}
+  content: Q {{x}} plum"
check_contains "improve: the cost" "$(cat out.txt)" 'cost: $0.0072 (claude-sonnet-4-6'
check_contains "improve: says where" "$(cat out.txt)" "wrote p.improved.yaml"
check "improve: FILE untouched" cmp -s p.yaml orig.yaml
check_contains "improve: the new version" "$(cat p.improved.yaml)" "temperature: 0.3
system: Mention plum."
$PWB validate p.improved.yaml >val.txt 2>&1
check_eq "improve: the new version is valid" "$?" 0
check_contains "improve: the rows are kept" "$(cat p.improved.yaml)" "value: plum"

# --from RESULTS and -o NEW.
server_script good.json
$PWB improve p.yaml --from r.jsonl -o new.yaml --model claude-opus-4-1 >out.txt 2>err.txt
check_eq "--from: exit 0" "$?" 0
check_contains "--from: the failing row from the file" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "    | A: Q cherry"
check_eq "--model: sent" "$(server_req 1 'd["json"]["model"]')" claude-opus-4-1
check "-o: written" test -s new.yaml
server_script good.json
sed 's/"outcome": *"failed"/"outcome":"passed"/' r.jsonl >allpass.jsonl
$PWB improve p.yaml --from allpass.jsonl -o new.yaml >out.txt 2>err.txt
check_contains "--from: nothing failed, says so" "$(cat err.txt)" "no row failed in allpass.jsonl"
PWB_LOG=off $PWB improve p.yaml -o new.yaml >out.txt 2>err.txt
check_contains "PWB_LOG=off: says the log is off" "$(cat err.txt)" "the run log is off"

# tests: naming a rows file relative to FILE still finds it from NEW's
# folder.
printf 'x,__expected\napple,contains:apple\n' >rows.csv
sed '/^tests:/,$d' p.yaml >csv.yaml
echo "tests: rows.csv" >>csv.yaml
mkdir -p sub
server_script good.json
$PWB improve csv.yaml -o sub/csv.yaml >out.txt 2>err.txt
check_eq "rows file: exit 0" "$?" 0
$PWB validate sub/csv.yaml >val.txt 2>&1
check_eq "rows file: NEW in another folder is valid" "$?" 0
check_contains "rows file: by its absolute path" "$(cat sub/csv.yaml)" "tests: $T/rows.csv"
$PWB improve csv.yaml -o csv2.yaml >out.txt 2>err.txt
check_contains "rows file: the same folder keeps it relative" "$(cat csv2.yaml)" "tests: rows.csv"

# No evaluation of this version: improves without failing rows, says so.
sed 's/max_tokens: 100/max_tokens: 110/' p.yaml >fresh.yaml
server_script good.json
$PWB improve fresh.yaml >out.txt 2>err.txt
check_eq "no eval yet: exit 0" "$?" 0
check_contains "no eval yet: says so" "$(cat err.txt)" "no evaluation of this version"
check_contains "no eval yet: no failures sent" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "<failures>
(none)"

# A proposal that edits the tests or the assertions is refused.
TOUCH='{"system": "", "messages": [{"role": "user", "content": "Q {{x}}"}],
 "tests": [{"description": "apple row", "vars": {"x": "apple"}}],
 "changes": [{"change": "dropped a check", "reason": "it failed"}]}'
script "$TOUCH" touch.json
server_script touch.json
rm -f touched.yaml
$PWB improve p.yaml -o touched.yaml >out.txt 2>err.txt
check_eq "edits tests: exit 1" "$?" 1
check_contains "edits tests: refused" "$(cat err.txt)" "changes the test rows (tests: or assert:)"
check "edits tests: nothing written" test ! -e touched.yaml
ASSERT='{"system": "", "messages": [{"role": "user", "content": "Q {{x}}"}],
 "assert": [{"type": "contains", "value": "Q"}], "changes": []}'
script "$ASSERT" assert.json
server_script assert.json
$PWB improve p.yaml -o touched.yaml >out.txt 2>err.txt
check_eq "adds assert: exit 1" "$?" 1
check "adds assert: nothing written" test ! -e touched.yaml
# The same tests sent back unchanged are not an edit.
SAME=$($PYTHON -c 'import json,sys
print(json.dumps({"messages": [{"role": "user", "content": "Q {{x}} plum"}], "changes": [],
 "tests": [{"description": "apple row", "vars": {"x": "apple"}, "assert": [{"type": "contains", "value": "apple"}]},
           {"description": "plum row", "vars": {"x": "cherry"}, "assert": [{"type": "contains", "value": "plum"}]}]}))')
script "$SAME" same.json
server_script same.json
$PWB improve p.yaml -o same.yaml >out.txt 2>err.txt
check_eq "unchanged tests: accepted" "$?" 0
# A new variable the rows do not fill is refused too.
NEWVAR='{"messages": [{"role": "user", "content": "Q {{x}} {{lang}}"}], "changes": []}'
script "$NEWVAR" newvar.json
server_script newvar.json
$PWB improve p.yaml -o touched.yaml >out.txt 2>err.txt
check_eq "new variable: exit 1" "$?" 1
check_contains "new variable: names it" "$(cat err.txt)" "lang"
check "new variable: nothing written" test ! -e touched.yaml

# A proposal that holds the configured key: never written, never shown.
KEYED=$(printf '{"messages": [{"role": "user", "content": "Q {{x}} %s"}], "changes": [{"change": "%s", "reason": "r"}]}' "$FAKE_KEY" "$FAKE_KEY")
script "$KEYED" keyed.json
server_script keyed.json
$PWB improve p.yaml -o keyed.yaml >out.txt 2>err.txt
check_eq "the key in the proposal: exit 0 (the core redacts answers)" "$?" 0
check_not_contains "the key in the proposal: not written" "$(cat keyed.yaml)" "FAKEtestKEY0123456789"
check_not_contains "the key in the proposal: not printed" "$(cat out.txt err.txt)" "FAKEtestKEY0123456789"

# --eval: both versions over the same rows at once; the exit code is the
# new version's.
server_script good.json
$PWB improve p.yaml --eval -o e.yaml >out.txt 2>err.txt
check_eq "--eval: exit 0 (the new version passes)" "$?" 0
check_eq "--eval: 1 improve + 2 rows x 2 versions" "$(server_count /v1/messages)" 5
check_contains "--eval: both columns" "$(cat out.txt)" "p.yaml: 1/2 passed (50.0%)"
check_contains "--eval: the new column" "$(cat out.txt)" "e.yaml: 2/2 passed (100.0%)"
check_contains "--eval: rows better" "$(cat out.txt)" "better: row 2 (plum row)"
check_contains "--eval: rows worse" "$(cat out.txt)" "worse: none"
WORSE='{"messages": [{"role": "user", "content": "Z {{x}}"}], "changes": []}'
script "$WORSE" worse.json
server_script worse.json
$PWB improve p.yaml --eval -o w.yaml >out.txt 2>err.txt
check_eq "--eval: exit 1 when the new version fails a row" "$?" 1
check_contains "--eval: rows worse listed" "$(cat out.txt)" "worse: row 1 (apple row)"
# The comparison is in the run log: improving e.yaml now finds its eval.
server_script good.json
$PWB improve e.yaml -o e2.yaml >out.txt 2>err.txt
check_not_contains "--eval: recorded in the run log" "$(cat err.txt)" "no evaluation"

# Errors.
$PWB improve --help >out.txt 2>err.txt
check_eq "--help: exit 0" "$?" 0
check_contains "--help: usage" "$(cat out.txt)" "usage: pwb improve FILE"
$PWB improve p.yaml --bogus >out.txt 2>err.txt
check_eq "unknown option: exit 2" "$?" 2
$PWB improve orig.yaml --eval -o x.yaml --from >out.txt 2>err.txt
check_eq "--from without a value: exit 2" "$?" 2
$PWB improve >out.txt 2>err.txt
check_eq "no FILE: exit 2" "$?" 2
$PWB improve p.yaml -o p.yaml >out.txt 2>err.txt
check_eq "-o FILE itself: exit 2" "$?" 2
$PWB improve p.yaml -o ./p.yaml >out.txt 2>err.txt
check_eq "-o FILE by another name: exit 2" "$?" 2
$PWB improve p.yaml --from nowhere.jsonl >out.txt 2>err.txt
check_eq "--from a missing file: exit 2" "$?" 2
server_script '[{"reset": true}]'
$PWB improve p.yaml -o x.yaml >out.txt 2>err.txt
check_eq "connection reset: exit 4" "$?" 4

# The meta-prompt override in $XDG_CONFIG_HOME/pwb/meta.
mkdir -p config/pwb/meta
sed 's/^system: |$/system: |\n  OVERRIDDEN IMPROVER./' "$PWB_ROOT/presets/meta/improve.yaml" >config/pwb/meta/improve.yaml
server_script good.json
$PWB improve p.yaml -o o.yaml >out.txt 2>err.txt
check_eq "override: exit 0" "$?" 0
check_contains "override: its system prompt was sent" "$(server_req 1 'd["json"]["system"]')" "OVERRIDDEN IMPROVER."

done_testing
