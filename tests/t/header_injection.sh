#!/bin/sh
# A line break in a value that becomes a header (api_version, a beta, the
# model) is a validation error with its position: validate, run, request
# and every export language refuse it alike, with exit 2, and nothing is
# sent or written.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

cat >ver.yaml <<'EOF2'
pwb: 1
model: claude-sonnet-4-5
api_version: "2023-06-01\r\nX-Injected: 1"
max_tokens: 256
messages:
  - role: user
    content: hi
EOF2
cat >beta.yaml <<'EOF2'
pwb: 1
model: claude-sonnet-4-5
betas:
  - ok-beta
  - "b1\r\nX-Inj2: 2"
max_tokens: 256
messages:
  - role: user
    content: hi
EOF2
cat >model.yaml <<'EOF2'
pwb: 1
model: "claude-sonnet-4-5\nX-Inj3: 3"
max_tokens: 256
messages:
  - role: user
    content: hi
EOF2

server_start '[{"fixture": "stream_text_basic.sse"}]'

$PWB validate ver.yaml >v.out 2>&1
check_eq "validate api_version: exit 2" "$?" 2
check_contains "validate api_version: an error at its position" "$(cat v.out)" "ver.yaml:3:14: error: api_version: holds a control character (0x0d)"
$PWB validate beta.yaml >b.out 2>&1
check_eq "validate beta: exit 2" "$?" 2
check_contains "validate beta: an error at its position" "$(cat b.out)" "beta.yaml:5:5: error: betas[1]: holds a control character (0x0d)"
$PWB validate model.yaml >m.out 2>&1
check_eq "validate model: exit 2" "$?" 2
check_contains "validate model: an error" "$(cat m.out)" "error: model: holds a control character (0x0a)"

for f in ver beta model; do
	$PWB run $f.yaml >run.out 2>run.err
	check_eq "run $f: exit 2 through validation" "$?" 2
	$PWB request $f.yaml >req.out 2>req.err
	check_eq "request $f: exit 2" "$?" 2
	check_eq "request $f: nothing on stdout" "$(cat req.out)" ""
	for lang in c python js curl; do
		rm -f out.x
		$PWB export $f.yaml --lang $lang >exp.out 2>exp.err
		check_eq "export $f $lang: exit 2" "$?" 2
		check_not_contains "export $f $lang: no injected header" "$(cat exp.out)" "X-Inj"
		$PWB export $f.yaml --lang $lang -o out.x >/dev/null 2>&1
		check_eq "export $f $lang -o: nothing written" "$?/$([ -e out.x ] && echo written)" "2/"
	done
done
check_eq "nothing was sent" "$(server_count)" 0

done_testing
