#!/bin/sh
# pwb validate: FILE:LINE:COL: error|warning: message on stdout, exit 0
# without errors (warnings allowed), 2 otherwise.
. "$(dirname "$0")/../lib.sh"

out=$($PWB validate "$PWB_ROOT"/presets/*.yaml 2>&1)
check_eq "shipped presets: exit 0, nothing printed" "$?:$out" "0:"

cat >"$T/bad.yaml" <<'EOF2'
pwb: 1
model: claude-sonnet-4-6
max_tokens: 2048
temperature: 1.5
thinking:
  type: enabled
  budget_tokens: 4096
tools:
  - name: get weather
    input_schema: {type: object}
variables:
  spare: x
messages:
  - role: assistant
    content: "{{missing}}"
EOF2
$PWB validate "$T/bad.yaml" >"$T/out" 2>"$T/err"
check_eq "errors: exit 2" "$?" 2
check_eq "errors: nothing on stderr" "$(cat "$T/err")" ""
check_eq "errors: every problem, in file order" "$(cat "$T/out")" \
"$T/bad.yaml:4:14: error: temperature: 1.5 is out of range; use a number from 0 to 1
$T/bad.yaml:4:14: error: temperature: 1.5 cannot be used with thinking; remove temperature (or set it to 1), or turn thinking off
$T/bad.yaml:7:18: error: thinking.budget_tokens: 4096 must be less than max_tokens (2048); lower the budget or raise max_tokens
$T/bad.yaml:9:11: error: tools[0].name: 'get weather' is not a valid tool name; use 1 to 128 letters, digits, _ or - (^[a-zA-Z0-9_-]{1,128}\$)
$T/bad.yaml:12:3: warning: variables.spare: variable 'spare' is defined but not used; use {{spare}} in system or message text, or remove it
$T/bad.yaml:14:11: error: messages[0].role: the first message must be from the user; add a user turn before it
$T/bad.yaml:15:14: error: messages[0].content: undefined variable 'missing'; define it under 'variables:' or pass -s missing=VALUE"

cat >"$T/warn.yaml" <<'EOF2'
pwb: 1
model: claude-future-9
max_tokens: 100
thinking: {type: adaptive, shiny: true}
messages:
  - role: user
    content: hi
EOF2
out=$($PWB validate "$T/warn.yaml")
check_eq "warnings only: exit 0" "$?" 0
check_eq "warnings only: printed" "$out" \
"$T/warn.yaml:2:8: warning: model: 'claude-future-9' is not a model pwb knows; check the id with 'pwb models' (it is sent as written)
$T/warn.yaml:4:28: warning: thinking.shiny: unknown field 'shiny' (passed to the API as is; check the spelling)"

out=$($PWB validate "$T/warn.yaml" "$T/bad.yaml" "$PWB_ROOT/presets/thinking-math.yaml")
check_eq "several files: exit 2 when one has errors" "$?" 2
check_eq "several files: all reported" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 9

printf 'pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nmessages:\n  - role: user\n    content: {{city}}\n' >"$T/braces.yaml"
out=$($PWB validate "$T/braces.yaml")
check_eq "unquoted {{: exit 2" "$?" 2
check_contains "unquoted {{: says to quote" "$out" "$T/braces.yaml:6:14: error: messages[0].content: a value that starts with {{ must be quoted"

printf 'pwb: 1\nmodel: claude-sonnet-4-6\n  max_tokens: 10\n' >"$T/syntax.yaml"
out=$($PWB validate "$T/syntax.yaml")
check_eq "syntax error: exit 2" "$?" 2
check_contains "syntax error: position" "$out" "$T/syntax.yaml:3:13: error: YAML syntax: mapping values are not allowed in this context"

out=$(printf 'pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nstream: true\nmessages: [{role: user, content: hi}]\n' | $PWB validate -)
check_eq "stdin: exit 2" "$?" 2
check_contains "stdin: named <stdin>, stream refused with a hint" "$out" "<stdin>:4:1: error: stream: not stored in a preset; streaming is chosen on the command line (--no-stream)"

printf 'pwb: 1\nmodel: claude-sonnet-4-6\nmax_tokens: 10\nmessages:\n  - role: user\n    content: sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345\n' >"$T/key.yaml"
out=$($PWB validate "$T/key.yaml")
check_eq "key-shaped: a warning, exit 0" "$?" 0
check_contains "key-shaped: located and masked" "$out" "$T/key.yaml:6:14: warning: messages[0].content: contains a key-shaped string (sk-ant-api03-"
check_not_contains "key-shaped: never printed in full" "$out" "abcdefghijklmnopqrstuvwxyz012345"

# every built-in model has its output limit: one over is an error, the limit is not
for m in claude-fable-5-2:128000 claude-mythos-5-2:128000 claude-haiku-5-5:128000 \
	claude-sonnet-5-5:128000 claude-fable-5-1:128000 claude-opus-5-5:128000 \
	claude-mythos-5-1:128000 claude-sonnet-5:128000 claude-fable-5:128000 \
	claude-mythos-5:128000 claude-opus-5:128000 claude-opus-4-8:128000 \
	claude-opus-4-7:128000 claude-mythos-preview:128000 claude-opus-4-6:128000 \
	claude-sonnet-4-6:128000 claude-haiku-4-5:64000 claude-opus-4-5:64000 \
	claude-sonnet-4-5:64000 claude-opus-4-1:32000; do
	id=${m%%:*} lim=${m#*:}
	printf 'pwb: 1\nmodel: %s\nmax_tokens: %s\nmessages: [{role: user, content: hi}]\n' "$id" $((lim + 1)) >"$T/lim.yaml"
	out=$($PWB validate "$T/lim.yaml")
	check_eq "$id: max_tokens $((lim + 1)): exit 2" "$?" 2
	check_contains "$id: over the limit named" "$out" "error: max_tokens: $((lim + 1)) is more than $id allows"
	printf 'pwb: 1\nmodel: %s\nmax_tokens: %s\nmessages: [{role: user, content: hi}]\n' "$id" "$lim" >"$T/lim.yaml"
	$PWB validate "$T/lim.yaml" >/dev/null
	check_eq "$id: max_tokens $lim: valid" "$?" 0
done

out=$($PWB validate "$T/nope.yaml")
check_eq "missing file: exit 2" "$?" 2
check_eq "missing file: message" "$out" "$T/nope.yaml: error: cannot open: No such file or directory"
$PWB validate >/dev/null 2>&1
check_eq "no FILE: exit 2" "$?" 2
$PWB validate --help >"$T/help"
check_eq "--help: exit 0" "$?" 0
check_contains "--help: usage" "$(cat "$T/help")" "usage: pwb validate FILE..."
done_testing
