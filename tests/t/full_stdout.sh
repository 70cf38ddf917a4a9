#!/bin/sh
# Output that cannot be written is a failure: every command with stdout on
# /dev/full exits 2 and says so on stderr.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
[ -w /dev/full ] || { skip "full stdout" "no /dev/full"; done_testing; }

write_preset p.yaml
cat >r.yaml <<'EOF2'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 256
messages:
  - role: user
    content: "Say hello."
response:
  content:
    - type: text
      text: "Hello!"
  stop_reason: end_turn
  usage: {input_tokens: 20, output_tokens: 6}
  model: claude-sonnet-4-5
EOF2
server_start '[{"fixture": "stream_text_basic.sse"}]'

full() {
	_name=$1
	shift
	"$@" >/dev/full 2>err.txt
	_rc=$?
	check_eq "$_name to /dev/full: exit 2" "$_rc" 2
	check_contains "$_name to /dev/full: said on stderr" "$(cat err.txt)" "standard output"
}

full "run" $PWB run p.yaml
full "run --json" $PWB run --json p.yaml
full "request" $PWB request p.yaml
full "count" $PWB count p.yaml
full "count --json" $PWB count --json p.yaml
full "models" $PWB models
full "export" $PWB export p.yaml --lang curl
full "replay" $PWB replay r.yaml
full "replay --json" $PWB replay --json r.yaml
full "--help" $PWB --help
full "--version" $PWB --version
full "run --help" $PWB run --help

# validate with findings: the lines go to stdout too
printf 'pwb: 1\nmodel: claude-sonnet-4-5\nmax_tokens: 256\ntemperature: 7\nmessages:\n  - role: user\n    content: hi\n' >bad.yaml
$PWB validate bad.yaml >/dev/full 2>err.txt
check_eq "validate with an error to /dev/full: exit 2" "$?" 2
check_contains "validate with an error: said on stderr" "$(cat err.txt)" "standard output"

done_testing
