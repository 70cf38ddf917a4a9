#!/bin/sh
# Every shipped preset validates, runs and replays against the local test
# server: changed against another answer, same against its own recorded
# response, and same again after run --record.
. "$(dirname "$0")/../lib.sh"

server_start '[{"fixture":"stream_text_basic.sse"}]'
n=0
for f in "$PWB_ROOT"/presets/*.yaml; do
	n=$((n + 1))
	b=$(basename "$f" .yaml)
	cp "$f" "$T/$b.yaml"
	p="$T/$b.yaml"

	out=$($PWB validate "$p" 2>&1)
	check_eq "$b: validates cleanly" "$?:$out" "0:"

	server_script '[{"fixture":"stream_text_basic.sse"}]'
	out=$($PWB run "$p" 2>"$T/err")
	rc=$?
	check_eq "$b: runs" "$rc" 0
	check_eq "$b: request model is the preset's" "$(server_req 1 'd["json"]["model"]')" \
		"$(sed -n 's/^model: //p' "$p")"

	out=$($PWB replay "$p" 2>"$T/err")
	check_eq "$b: replay of another answer exits 0" "$?" 0
	check_contains "$b: reported as changed" "$out" "response: changed"
	$PWB replay --check --json "$p" >"$T/r.json" 2>"$T/err"
	check_eq "$b: --check exits 1 on a change" "$?" 1

	# the server answers exactly the recorded content: same
	python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
m = {"id": "msg_x", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
     "content": d["turns"][-1]["recorded"], "stop_reason": "end_turn", "stop_sequence": None,
     "usage": {"input_tokens": 1, "output_tokens": 1}}
print(json.dumps({"messages": [{"json": m}]}))' "$T/r.json" >"$T/same.json"
	server_script "$T/same.json"
	out=$($PWB replay --check "$p" 2>"$T/err")
	check_eq "$b: replay of the recorded answer: --check exits 0" "$?" 0
	check_contains "$b: reported as same" "$out" "response: same"
	check "$b: replay leaves the file untouched" cmp -s "$p" "$f"

	# record a new answer, then replay it: same
	server_script '[{"fixture":"stream_text_basic.sse"}]'
	$PWB run --record "$p" >/dev/null 2>"$T/err"
	check_eq "$b: run --record" "$?" 0
	out=$($PWB replay --check "$p" 2>"$T/err")
	check_eq "$b: replay after --record is the same" "$?:$out" "0:response: same
replay: 1 turn: 1 same, 0 changed, 0 errors"
	out=$($PWB validate "$p" 2>&1)
	check_eq "$b: still valid after --record" "$?:$out" "0:"
done
[ "$n" -ge 6 ] && ok "at least six shipped presets ($n)" || not_ok "at least six shipped presets ($n)"
done_testing
