#!/bin/sh
# Export round trips (issue 5): for every shipped preset and the test presets
# (tests/presets: every escaping case, the long non-stream guard), streaming
# and not, each exported program runs against the local test server and the
# request it sent is compared with pwb's own: the body with `pwb request FILE
# [--no-stream]`, anthropic-version and anthropic-beta with the request
# `pwb run FILE` sent, x-api-key with the key in the environment.
#   js:     node with the real @anthropic-ai/sdk (tests/node_modules)
#   c:      cc -Wall -Wextra -Werror, run, its answer equals the fixture's
#   curl:   bash
#   python: tests/export/check_python.py (the SDK is not installable here)
. "$PWB_ROOT/tests/lib.sh"
EXP=$PWB_ROOT/tests/export
NM=$PWB_ROOT/tests/node_modules
CJSON_CURL=$(pkg-config --cflags --libs libcurl libcjson)

if [ ! -f "$NM/@anthropic-ai/sdk/package.json" ]; then
	not_ok "export: the pinned npm packages are installed" \
		"tests/node_modules is missing: run (cd tests && npm ci)"
	done_testing
fi
# ES modules resolve packages from the file's folder upwards.
ln -s "$NM" "$T/node_modules"

NONSTREAM_FIXTURE=message_text.json
NONSTREAM_TEXT=$(jget "$FIXTURES/message_text.expect.json" 'd["text"]')
STREAM_FIXTURE=stream_text_basic.sse
STREAM_TEXT=$(jget "$FIXTURES/stream_text_basic.expect.json" \
	'"".join(b["text"] for b in d["message"]["content"] if b["type"] == "text")')

server_start "[{\"fixture\": \"$STREAM_FIXTURE\"}]" || done_testing

# 1 when the SDKs refuse a non-stream call with this body (api.md section 8).
sdk_needs_stream() {
	python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
capped = {"claude-opus-4-20250514", "claude-opus-4-0", "claude-4-opus-20250514",
          "anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4@20250514",
          "anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1@20250805"}
m = b["max_tokens"]
print(1 if 3600 * m / 128000 > 600 or (b["model"] in capped and m > 8192) else 0)' "$1"
}

# run_export NAME LANG FILE BODY FIXTURE TEXT: run the exported FILE against
# the server answering FIXTURE, compare the request with BODY, the printed
# answer with TEXT (c and js).
run_export() {
	_name=$1 _lang=$2 _file=$3 _body=$4 _fixture=$5 _text=$6
	server_script "[{\"fixture\": \"$_fixture\"}]"
	case $_lang in
	js) node "$_file" >"$T/out" 2>"$T/err" ;;
	curl) bash "$_file" >"$T/out" 2>"$T/err" ;;
	c)
		if ! cc -Wall -Wextra -Werror -o "$T/prog" "$_file" $CJSON_CURL 2>"$T/err"; then
			not_ok "$_name compiles with -Wall -Wextra -Werror" "$(cat "$T/err")"
			return
		fi
		"$T/prog" >"$T/out" 2>"$T/err" ;;
	esac
	_rc=$?
	if [ $_rc != 0 ]; then
		not_ok "$_name runs" "exit $_rc" "$(head -c 2000 "$T/err")"
		return
	fi
	if _diff=$(python3 "$EXP/compare_request.py" "$SRV_LOG" "$_body" "$VERSION" "$BETA" \
		"$FAKE_KEY" 2>&1); then
		ok "$_name sends pwb's request"
	else
		not_ok "$_name sends pwb's request" "$_diff"
	fi
	case $_lang in
	c|js) check_eq "$_name prints the answer" "$(cat "$T/out")" "$_text" ;;
	esac
}

for preset in "$PWB_ROOT"/presets/*.yaml "$PWB_ROOT"/tests/presets/*.yaml; do
	[ -f "$preset" ] || continue
	pname=$(basename "$preset" .yaml)
	nshipped=$((${nshipped:-0} + 1))

	# pwb's own headers, from the request `pwb run` sends.
	server_script "[{\"fixture\": \"$STREAM_FIXTURE\"}]"
	"$PWB" run "$preset" >"$T/run.out" 2>"$T/run.err" </dev/null
	if [ "$(server_count /v1/messages)" != 1 ]; then
		not_ok "$pname: pwb run sends its request" "$(cat "$T/run.err")"
		continue
	fi
	VERSION=$(server_req 1 'd["headers"].get("anthropic-version")')
	BETA=$(server_req 1 'd["headers"].get("anthropic-beta") or "-"')

	for mode in nostream stream; do
		if [ $mode = stream ]; then
			"$PWB" request "$preset" >"$T/body.stream.json" 2>"$T/err"
			flag=--stream
		else
			"$PWB" request "$preset" --no-stream >"$T/body.nostream.json" 2>"$T/err"
			flag=
		fi || { not_ok "$pname: pwb request ($mode)" "$(cat "$T/err")"; continue; }
		[ $mode = stream ] || "$PWB" request "$preset" >"$T/body.stream.json" 2>/dev/null
		forced=0
		[ $mode = nostream ] && forced=$(sdk_needs_stream "$T/body.nostream.json")

		for lang in js c curl python; do
			name="$pname $lang $mode"
			case $lang in js) ext=mjs ;; c) ext=c ;; curl) ext=sh ;; python) ext=py ;; esac
			file="$T/$pname.$mode.$ext"
			if ! "$PWB" export "$preset" --lang $lang $flag -o "$file" 2>"$T/export.err"; then
				not_ok "$name: pwb export" "$(cat "$T/export.err")"
				continue
			fi
			if grep -q 'sk-ant-' "$file"; then
				not_ok "$name: no key in the output" "$(grep -n 'sk-ant-' "$file")"
			fi
			body=$T/body.$mode.json fixture=$NONSTREAM_FIXTURE text=$NONSTREAM_TEXT
			[ $mode = stream ] && fixture=$STREAM_FIXTURE text=$STREAM_TEXT
			if [ "$forced" = 1 ] && { [ $lang = js ] || [ $lang = python ]; }; then
				# The SDKs refuse this non-stream call: the export streams.
				body=$T/body.stream.json fixture=$STREAM_FIXTURE text=$STREAM_TEXT
				check_contains "$name: a note says the export streams" \
					"$(cat "$T/export.err")" "streams"
			fi
			if [ $lang = python ]; then
				pflag=
				[ "$body" = "$T/body.stream.json" ] && pflag=--stream
				if d=$(python3 "$EXP/check_python.py" "$file" "$body" "$VERSION" "$BETA" \
					$pflag 2>&1); then
					ok "$name: the SDK call carries pwb's request"
				else
					not_ok "$name: the SDK call carries pwb's request" "$d"
				fi
			else
				run_export "$name" $lang "$file" "$body" "$fixture" "$text"
			fi
		done
	done
done
[ "${nshipped:-0}" -gt 2 ] || not_ok "export: shipped presets found in presets/"

# The TUI's view and -o write the same text as standard output.
p=$PWB_ROOT/tests/presets/hostile.yaml
"$PWB" export "$p" --lang c >"$T/stdout.c" 2>/dev/null
"$PWB" export "$p" --lang c -o "$T/file.c" 2>/dev/null
check "export: -o writes what stdout shows" cmp -s "$T/stdout.c" "$T/file.c"
"$PWB" export "$p" --lang curl -o "$T/x.sh" 2>/dev/null
check "export: the curl script is executable" test -x "$T/x.sh"

# Usage errors exit 2.
"$PWB" export "$p" --lang cobol >/dev/null 2>"$T/err"
check_eq "export: unknown language exits 2" "$?" 2
"$PWB" export "$p" >/dev/null 2>"$T/err"
check_eq "export: --lang is required" "$?" 2

# -s sets a variable; an undefined one is refused.
"$PWB" export "$PWB_ROOT/tests/presets/hostile.yaml" --lang curl -s who=Zed >"$T/set.sh" 2>/dev/null
check_contains "export: -s NAME=VALUE is substituted" "$(cat "$T/set.sh")" \
	"You are a careful assistant for Zed."

# The key never reaches the output, even when a prompt holds one.
write_preset "$T/leak.yaml" claude-sonnet-4-5 "my key is $FAKE_KEY"
"$PWB" export "$T/leak.yaml" --lang curl >"$T/leak.out" 2>"$T/err"
rc=$?
check_not_contains "export: a key in the prompt is never written" "$(cat "$T/leak.out")" "sk-ant-"
check_eq "export: ... and the export fails" "$rc" 2

done_testing
