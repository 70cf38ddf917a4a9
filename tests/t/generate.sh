#!/bin/sh
# pwb generate against the local server answering the forced write_prompt
# tool call: the preset it writes is valid and its variables match its
# rows (pwb eval runs it); the request (meta-prompt, task, rows, model);
# an existing FILE needs --force; unusable answers write nothing; the
# meta-prompt override from the config folder; the shipped meta-prompts.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"
export XDG_CONFIG_HOME="$T/config"

# A write_prompt answer: $1 is the tool's input (JSON).
answer() {
	printf '{"id": "msg_g", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [{"type": "tool_use", "id": "tu_1", "name": "write_prompt", "input": %s}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 500, "output_tokens": 400}}' "$1"
}
GOOD='{"name": "Ticket summary", "description": "Summarise a support ticket.",
 "system": "You summarise {{product}} support tickets.",
 "user": "<ticket>\n{{ticket}}\n</ticket>\nSummarise it in one sentence.",
 "variables": ["ticket", "product"], "max_tokens": 300, "temperature": 0.2,
 "tests": [
  {"description": "refund", "vars": {"ticket": "I want my money back", "product": "Acme"},
   "assert": [{"type": "icontains", "value": "money"}]},
  {"description": "crash", "vars": {"ticket": "The app crashes", "product": "Acme"}},
  {"vars": {"ticket": "How do I log in?", "product": "Acme"}}],
 "assert": [{"type": "not-contains", "value": "Sorry"}]}'
# The generate request answers with the tool call; rows of the generated
# preset (pwb eval) get an echo of their user turn.
printf '[{"route": [{"match": "write_prompt", "json": %s}, {"echo": "A: "}]}]' "$(answer "$GOOD")" >good.json
server_start good.json || { done_testing; }

$PWB generate "Summarise support tickets" -o gen.yaml --rows 3 >out.txt 2>err.txt
check_eq "generate: exit 0" "$?" 0
check_eq "generate: one request" "$(server_count /v1/messages)" 1
check_eq "generate: a forced write_prompt call" "$(server_req 1 '[d["json"]["tool_choice"], d["json"]["tools"][0]["name"]]')" '[{"name":"write_prompt","type":"tool"},"write_prompt"]'
check_eq "generate: the meta-prompt's model" "$(server_req 1 'd["json"]["model"]')" claude-sonnet-4-6
check_contains "generate: the task in the user turn" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "<task>
Summarise support tickets
</task>"
check_contains "generate: --rows in the user turn" "$(server_req 1 'd["json"]["messages"][0]["content"]')" "Give it 3 test rows."
check_contains "generate: the shipped system prompt, braces literal" "$(server_req 1 'd["json"]["system"]')" "such as {{document}}"
check_contains "generate: the cost is printed" "$(cat out.txt)" 'cost: $0.0075 (claude-sonnet-4-6, 500 input and 400 output tokens)'
check_contains "generate: what was written" "$(cat out.txt)" "wrote gen.yaml: 2 variables (product, ticket), 3 test rows"
$PWB validate gen.yaml >val.txt 2>&1
check_eq "generate: the preset is valid" "$?" 0
check_contains "generate: the template" "$(cat gen.yaml)" "{{ticket}}"
check_contains "generate: the parameters" "$(cat gen.yaml)" "max_tokens: 300
temperature: 0.2"
check_contains "generate: the first row's values are the defaults" "$(cat gen.yaml)" "variables:
  product: Acme
  ticket: I want my money back"
check_contains "generate: the common assertion" "$(cat gen.yaml)" "assert:
- type: not-contains
  value: Sorry"
# The rows give every variable: eval runs all three with their values.
server_script good.json
$PWB eval gen.yaml --no-log -o r.jsonl >eval.txt 2>&1
check_eq "generate: eval of the new preset passes" "$?" 0
check_eq "generate: eval sent each row's values" "$($PYTHON -c 'import json
rows=[json.loads(l)["json"] for l in open("'"$SRV_LOG"'")]
print(sorted(r["messages"][0]["content"].split("\n")[1] for r in rows))')" "['How do I log in?', 'I want my money back', 'The app crashes']"
$PWB log -n 5 --json >log.txt 2>&1
check_eq "generate: the request is in the run log" "$(jget log.txt '[a["command"] for a in d if a["command"] == "generate"]')" '["generate"]'

# An existing FILE: refused without --force, nothing sent.
cp gen.yaml before.yaml
server_script good.json
$PWB generate "Other task" -o gen.yaml >out.txt 2>err.txt
check_eq "existing FILE: exit 2" "$?" 2
check_contains "existing FILE: says so" "$(cat err.txt)" "gen.yaml exists (--force overwrites it)"
check_eq "existing FILE: nothing sent" "$(server_count)" 0
check "existing FILE: untouched" cmp -s gen.yaml before.yaml
echo "# edited" >>gen.yaml
$PWB generate "Other task" -o gen.yaml --force --model claude-haiku-4-5 >out.txt 2>err.txt
check_eq "--force: exit 0" "$?" 0
check_eq "--model: sent" "$(server_req 1 'd["json"]["model"]')" claude-haiku-4-5
check_contains "--model: the preset's model" "$(cat gen.yaml)" "model: claude-haiku-4-5"
check_not_contains "--force: replaced" "$(cat gen.yaml)" "# edited"
check "--force: the previous file kept as FILE~" grep -q "# edited" gen.yaml~

# Unusable answers write nothing and exit 1.
BAD='{"system": "s", "user": "Q {{x}} {{y}}", "variables": ["x", "y"],
 "tests": [{"vars": {"x": "1", "y": "2"}}, {"vars": {"x": "3"}}]}'
printf '[{"json": %s}]' "$(answer "$BAD")" >bad.json
server_script bad.json
$PWB generate "t" -o bad.yaml >out.txt 2>err.txt
check_eq "row without a variable: exit 1" "$?" 1
check_contains "row without a variable: names it" "$(cat err.txt)" "test row 2 has no value for {{y}}"
check "row without a variable: nothing written" test ! -e bad.yaml
server_script '[{"echo": "A: "}]'
$PWB generate "t" -o bad.yaml >out.txt 2>err.txt
check_eq "no tool call: exit 1" "$?" 1
check_contains "no tool call: says so" "$(cat err.txt)" "does not call the write_prompt tool"
check "no tool call: nothing written" test ! -e bad.yaml
INVALID='{"system": "s", "user": "Q {{x}}", "variables": ["x"], "max_tokens": 100,
 "tests": [{"vars": {"x": "1"}, "assert": [{"type": "no-such-check", "value": "v"}]}]}'
printf '[{"json": %s}]' "$(answer "$INVALID")" >invalid.json
server_script invalid.json
$PWB generate "t" -o bad.yaml >out.txt 2>err.txt
check_eq "unknown assertion type: exit 1" "$?" 1
check_contains "unknown assertion type: the validation error" "$(cat err.txt)" "no-such-check"
check "unknown assertion type: nothing written" test ! -e bad.yaml
server_script '[{"status": 400, "json": {"type": "error", "error": {"type": "invalid_request_error", "message": "bad"}}}]'
$PWB generate "t" -o bad.yaml >out.txt 2>err.txt
check_eq "API error: exit 3" "$?" 3

# An answer without a name or description: the task describes the preset.
MIN='{"user": "Q {{x}}", "variables": ["x"], "max_tokens": 100, "tests": [{"vars": {"x": "1"}}]}'
printf '[{"json": %s}]' "$(answer "$MIN")" >min.json
server_script min.json
$PWB generate "Answer questions" -o min.yaml >out.txt 2>err.txt
check_eq "minimal answer: exit 0" "$?" 0
check_contains "minimal answer: the task as description" "$(cat min.yaml)" "description: Answer questions"

# An answer that holds the configured key: never written, never shown.
KEYED=$(printf '{"system": "Use %s", "user": "Q {{x}}", "variables": ["x"], "max_tokens": 100, "tests": [{"vars": {"x": "1"}}]}' "$FAKE_KEY")
printf '[{"json": %s}]' "$(answer "$KEYED")" >keyed.json
server_script keyed.json
$PWB generate "t" -o keyed.yaml >out.txt 2>err.txt
check_eq "the key in the answer: exit 0 (the core redacts answers)" "$?" 0
check_not_contains "the key in the answer: not written" "$(cat keyed.yaml)" "FAKEtestKEY0123456789"
check_contains "the key in the answer: redacted" "$(cat keyed.yaml)" "system: Use [REDACTED]"
check_not_contains "the key in the answer: not printed" "$(cat out.txt err.txt)" "FAKEtestKEY0123456789"

# Usage errors.
$PWB generate --help >out.txt 2>err.txt
check_eq "--help: exit 0" "$?" 0
check_contains "--help: usage" "$(cat out.txt)" 'usage: pwb generate "TASK DESCRIPTION" -o FILE'
$PWB generate "t" -o x.yaml --bogus >out.txt 2>err.txt
check_eq "unknown option: exit 2" "$?" 2
$PWB generate -o x.yaml >out.txt 2>err.txt
check_eq "no task: exit 2" "$?" 2
$PWB generate "t" >out.txt 2>err.txt
check_eq "no -o: exit 2" "$?" 2
$PWB generate "t" -o x.yaml --rows 0 >out.txt 2>err.txt
check_eq "--rows 0: exit 2" "$?" 2

# The meta-prompt override in $XDG_CONFIG_HOME/pwb/meta.
mkdir -p config/pwb/meta
sed 's/^system: |$/system: |\n  OVERRIDDEN META-PROMPT./' "$PWB_ROOT/presets/meta/generate.yaml" >config/pwb/meta/generate.yaml
server_script good.json
$PWB generate "t" -o over.yaml >out.txt 2>err.txt
check_eq "override: exit 0" "$?" 0
check_contains "override: its system prompt was sent" "$(server_req 1 'd["json"]["system"]')" "OVERRIDDEN META-PROMPT."
# ~/.config/pwb/meta when XDG_CONFIG_HOME is unset.
mkdir -p home/.config/pwb/meta
sed 's/^system: |$/system: |\n  HOME META-PROMPT./' "$PWB_ROOT/presets/meta/generate.yaml" >home/.config/pwb/meta/generate.yaml
server_script good.json
env -u XDG_CONFIG_HOME HOME="$T/home" XDG_DATA_HOME="$T/data" $PWB generate "t" -o home.yaml >out.txt 2>err.txt
check_contains "override in ~/.config: its system prompt was sent" "$(server_req 1 'd["json"]["system"]')" "HOME META-PROMPT."
# A broken override is an error naming the file, not a silent fallback.
echo "pwb: 1" >config/pwb/meta/generate.yaml
server_script good.json
$PWB generate "t" -o broken.yaml >out.txt 2>err.txt
check_eq "override without a forced tool: exit 2" "$?" 2
check_contains "override without a forced tool: says why" "$(cat err.txt)" "must force one tool"
check_eq "override without a forced tool: nothing sent" "$(server_count)" 0
rm -r config/pwb/meta

# Outside the source tree pwb reads the installed meta-prompts
# (PREFIX/share/pwb/presets/meta): a copy of the binary elsewhere, with
# nothing installed there, says where it looked.
mkdir -p bin
cp "$PWB" bin/pwb
server_script good.json
bin/pwb generate "t" -o elsewhere.yaml >out.txt 2>err.txt
rc=$?
if grep -q "share/pwb/presets/meta" err.txt; then
	check_eq "outside the tree: exit 2" "$rc" 2
	check_contains "outside the tree: where it looked" "$(cat err.txt)" "no meta-prompt generate.yaml"
	check_eq "outside the tree: nothing sent" "$(server_count)" 0
else
	skip "outside the tree: the installed meta-prompts" "pwb is installed here"
fi

# The shipped meta-prompts are valid presets.
$PWB validate "$PWB_ROOT"/presets/meta/*.yaml >val.txt 2>&1
check_eq "presets/meta: valid" "$?" 0

done_testing
