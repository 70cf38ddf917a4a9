#!/bin/sh
# Export round trips (issue 5): for every shipped preset, the test presets
# (tests/presets: every escaping case, the long non-stream guard) and two of
# random hostile strings (tests/export/gen_escapes.py), streaming
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
MANIFEST=$T/manifest
: >"$MANIFEST"

# serve FIXTURE: the server's next answers (the log is kept: its line N is
# request N, which the manifest refers to).
serve() {
	curl -s -o /dev/null --noproxy '*' --data-binary "[{\"fixture\": \"$1\"}]" \
		"$ANTHROPIC_BASE_URL/_control/script"
}

# 1 when the SDKs refuse a non-stream call with this body (docs/api-notes.md section 8),
# from pwb request's compact JSON, whose first fields are model and max_tokens.
sdk_needs_stream() {
	_m=$(sed -n 's/^{"model":"\([^"]*\)".*/\1/p' "$1")
	_t=$(sed -n 's/^{"model":"[^"]*","max_tokens":\([0-9]*\).*/\1/p' "$1")
	[ -n "$_t" ] || { echo 0; return; }
	if [ "$_t" -gt 21333 ]; then echo 1; return; fi
	case $_m in
	claude-opus-4-20250514|claude-opus-4-0|claude-4-opus-20250514|\
	anthropic.claude-opus-4-20250514-v1:0|claude-opus-4@20250514|\
	anthropic.claude-opus-4-1-20250805-v1:0|claude-opus-4-1@20250805)
		[ "$_t" -gt 8192 ] && { echo 1; return; } ;;
	esac
	echo 0
}

# run_export NAME LANG FILE BODY FIXTURE TEXT: run the exported FILE against
# the server answering FIXTURE; its request goes to the manifest (compared
# with BODY and pwb run's headers), its printed answer must be TEXT (c, js).
run_export() {
	_name=$1 _lang=$2 _file=$3 _body=$4 _fixture=$5 _text=$6
	serve "$_fixture"
	_before=$(server_count)
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
	_n=$(server_count)
	if [ "$_n" != $((_before + 1)) ]; then
		not_ok "$_name sends one request" "$((_n - _before)) logged"
		return
	fi
	printf 'req\t%s\t%s\t%s\t%s\n' "$_name" "$_n" "$_body" "$RUN" >>"$MANIFEST"
	case $_lang in
	c|js) check_eq "$_name prints the answer" "$(cat "$T/out")" "$_text" ;;
	esac
}

# Two more presets of random strings from the characters exporters get wrong.
for seed in 1 2; do
	python3 "$EXP/gen_escapes.py" $seed "$T/random-escapes-$seed.yaml"
done

for preset in "$PWB_ROOT"/presets/*.yaml "$PWB_ROOT"/tests/presets/*.yaml \
	"$T"/random-escapes-*.yaml; do
	[ -f "$preset" ] || continue
	pname=$(basename "$preset" .yaml)
	case $preset in "$PWB_ROOT"/presets/*) nshipped=$((${nshipped:-0} + 1)) ;; esac

	# pwb's own headers: the request `pwb run` sends (line RUN of the log).
	serve "$STREAM_FIXTURE"
	before=$(server_count)
	"$PWB" run "$preset" >"$T/run.out" 2>"$T/run.err" </dev/null
	RUN=$(server_count)
	if [ "$RUN" != $((before + 1)) ]; then
		not_ok "$pname: pwb run sends its request" "$(cat "$T/run.err")"
		continue
	fi

	b_stream=$T/$pname.body.stream.json b_nostream=$T/$pname.body.nostream.json
	if ! "$PWB" request "$preset" >"$b_stream" 2>"$T/err" ||
	   ! "$PWB" request "$preset" --no-stream >"$b_nostream" 2>>"$T/err"; then
		not_ok "$pname: pwb request" "$(cat "$T/err")"
		continue
	fi
	forced=$(sdk_needs_stream "$b_nostream")

	for mode in nostream stream; do
		flag=
		[ $mode = stream ] && flag=--stream
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
			body=$b_nostream fixture=$NONSTREAM_FIXTURE text=$NONSTREAM_TEXT
			[ $mode = stream ] && body=$b_stream fixture=$STREAM_FIXTURE text=$STREAM_TEXT
			if [ $mode = nostream ] && [ "$forced" = 1 ] &&
			   { [ $lang = js ] || [ $lang = python ]; }; then
				# The SDKs refuse this non-stream call: the export streams.
				body=$b_stream fixture=$STREAM_FIXTURE text=$STREAM_TEXT
				check_contains "$name: a note says the export streams" \
					"$(cat "$T/export.err")" "streams"
			fi
			if [ $lang = python ]; then
				s=0
				[ "$body" = "$b_stream" ] && s=1
				printf 'py\t%s\t%s\t%s\t%s\t%s\n' "$name" "$file" "$body" "$RUN" $s \
					>>"$MANIFEST"
			else
				run_export "$name" $lang "$file" "$body" "$fixture" "$text"
			fi
		done
	done
done
[ "${nshipped:-0}" -gt 0 ] || not_ok "export: shipped presets found in presets/"

# Every recorded request and Python export, checked in one process.
if ! python3 "$EXP/verify.py" "$SRV_LOG" "$MANIFEST" "$FAKE_KEY" >"$T/verify.out" 2>&1; then
	grep -q '^not ok' "$T/verify.out" || not_ok "export: verify.py" "$(cat "$T/verify.out")"
	_lib_failed=1
fi
tap_relay "$T/verify.out"

# The TUI's view and -o write the same text as standard output.
p=$PWB_ROOT/tests/presets/hostile.yaml
"$PWB" export "$p" --lang c >"$T/stdout.c" 2>/dev/null
"$PWB" export "$p" --lang c -o "$T/file.c" 2>/dev/null
check "export: -o writes what stdout shows" cmp -s "$T/stdout.c" "$T/file.c"
"$PWB" export "$p" --lang curl -o "$T/x.sh" 2>/dev/null
check "export: the curl script is executable" test -x "$T/x.sh"

# docs/examples/ shows real output: each example equals what pwb export writes.
for ext in python:py js:mjs c:c curl:sh; do
	lang=${ext%%:*}
	ex=docs/examples/chat-system-prompt.${ext#*:}
	"$PWB" export "$PWB_ROOT/presets/chat-system-prompt.yaml" --lang "$lang" >"$T/example.want" 2>/dev/null
	if cmp -s "$PWB_ROOT/$ex" "$T/example.want"; then
		ok "export: $ex is current"
	else
		not_ok "export: $ex is current (pwb export presets/chat-system-prompt.yaml --lang $lang >$ex)" \
			"$(diff "$PWB_ROOT/$ex" "$T/example.want" | head -20)"
	fi
done

# The C program reports failures: an HTTP error, an error event mid-stream.
"$PWB" export "$PWB_ROOT/tests/presets/hostile.yaml" --lang c --stream -o "$T/err.c" 2>/dev/null
cc -Wall -Wextra -Werror -o "$T/errprog" "$T/err.c" $CJSON_CURL
serve error_429_rate_limit
"$T/errprog" >"$T/out" 2>"$T/err"
check_eq "export c: an HTTP error exits 1" "$?" 1
check_contains "export c: ... and prints the error body" "$(cat "$T/err")" "HTTP 429: {"
serve stream_error_overloaded_midstream.sse
"$T/errprog" >"$T/out" 2>"$T/err"
check_eq "export c: an error event exits 1" "$?" 1
check_contains "export c: ... after the partial answer" "$(cat "$T/out")" "Hello"
check_contains "export c: ... naming the error" "$(cat "$T/err")" \
	'error event: {"type": "error", "error": {"type": "overloaded_error"'

# Usage errors exit 2.
"$PWB" export "$p" --lang cobol >/dev/null 2>"$T/err"
check_eq "export: unknown language exits 2" "$?" 2
"$PWB" export "$p" >/dev/null 2>"$T/err"
check_eq "export: --lang is required" "$?" 2

# -s sets a variable; an undefined one is refused.
"$PWB" export "$PWB_ROOT/tests/presets/hostile.yaml" --lang curl -s who=Zed >"$T/set.sh" 2>/dev/null
check_contains "export: -s NAME=VALUE is substituted" "$(cat "$T/set.sh")" \
	"You are a careful assistant for Zed."
write_preset "$T/undef.yaml" claude-sonnet-4-5 "Hello {{nobody}}"
"$PWB" export "$T/undef.yaml" --lang python >"$T/undef.out" 2>"$T/err"
check_eq "export: an undefined variable exits 2" "$?" 2
check_contains "export: ... naming it" "$(cat "$T/err")" "nobody"

# The key never reaches the output, even when a prompt holds one.
write_preset "$T/leak.yaml" claude-sonnet-4-5 "my key is $FAKE_KEY"
"$PWB" export "$T/leak.yaml" --lang curl >"$T/leak.out" 2>"$T/err"
rc=$?
check_not_contains "export: a key in the prompt is never written" "$(cat "$T/leak.out")" "sk-ant-"
check_eq "export: ... and the export fails" "$rc" 2
"$PWB" export "$PWB_ROOT/tests/presets/hostile.yaml" --lang js -s "who=$FAKE_KEY" \
	>"$T/leak.out" 2>"$T/err"
rc=$?
check_not_contains "export: a key given with -s is never written" "$(cat "$T/leak.out")" "sk-ant-"
check_eq "export: ... and that export fails too" "$rc" 2

done_testing
