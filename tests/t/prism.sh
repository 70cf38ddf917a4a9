#!/bin/sh
# Every request body pwb builds for the shipped presets (and the test
# presets), streaming and not, validates against the official OpenAPI spec
# (tests/spec/anthropic-openapi.json) through the Prism mock server
# (@stoplight/prism-cli, pinned in tests/package-lock.json). Prism answers
# 200 for a valid body and 422 with the violations in the sl-violations
# header otherwise; anything but 200 fails. A deliberately invalid body must
# get 422, so the check itself is known to bite.
. "$PWB_ROOT/tests/lib.sh"
PRISM=$PWB_ROOT/tests/node_modules/.bin/prism
SPEC=$PWB_ROOT/tests/spec/anthropic-openapi.json

if [ ! -x "$PRISM" ]; then
	not_ok "prism: the pinned npm packages are installed" \
		"tests/node_modules/.bin/prism is missing: run (cd tests && npm ci)"
	done_testing
fi

PRISM_PID=""
stop_prism() {
	if [ -n "$PRISM_PID" ]; then
		kill "$PRISM_PID" 2>/dev/null
		wait "$PRISM_PID" 2>/dev/null
		PRISM_PID=""
	fi
}
trap 'stop_prism; _lib_cleanup' EXIT

port=$(free_port)
"$PRISM" mock -h 127.0.0.1 -p "$port" "$SPEC" >"$T/prism.log" 2>&1 &
PRISM_PID=$!
URL=http://127.0.0.1:$port
# Loading the 1.6 MB spec takes ~25 s; allow 90.
ready() {
	kill -0 "$PRISM_PID" 2>/dev/null || return 2
	curl -s -o /dev/null --noproxy '*' --max-time 2 "$URL/v1/models" \
		-H 'anthropic-version: 2023-06-01'
}
if ! wait_for 90 ready; then
	not_ok "prism: the mock server starts" "$(tail -20 "$T/prism.log")"
	done_testing
fi
ok "prism: the mock server loaded the spec"

# post NAME BODY_FILE VERSION: POST the body, require 200.
post() {
	code=$(curl -s --noproxy '*' -o "$T/resp" -D "$T/hdrs" -w '%{http_code}' \
		-X POST "$URL/v1/messages" -H 'content-type: application/json' \
		-H 'accept: application/json' -H "anthropic-version: $3" \
		-H "x-api-key: $FAKE_KEY" --data-binary "@$2")
	if [ "$code" = 200 ]; then
		ok "$1"
	else
		not_ok "$1" "HTTP $code" "$(grep -i '^sl-violations' "$T/hdrs")" "$(head -c 500 "$2")"
	fi
}

n=0
for preset in "$PWB_ROOT"/presets/*.yaml "$PWB_ROOT"/tests/presets/*.yaml; do
	[ -f "$preset" ] || continue
	name=$(basename "$preset" .yaml)
	case $preset in "$PWB_ROOT"/presets/*) n=$((n + 1)) ;; esac
	"$PWB" request "$preset" --no-stream >"$T/body.json" 2>"$T/err" ||
		{ not_ok "prism: $name: pwb request --no-stream" "$(cat "$T/err")"; continue; }
	# The spec predates api version 2026-10-21: it is asked as 2023-06-01,
	# whose request schema is a superset.
	post "prism: $name: the body validates" "$T/body.json" 2023-06-01
	"$PWB" request "$preset" >"$T/body.json" 2>"$T/err" ||
		{ not_ok "prism: $name: pwb request" "$(cat "$T/err")"; continue; }
	post "prism: $name: the streaming body validates" "$T/body.json" 2023-06-01
done
[ "$n" -gt 0 ] || not_ok "prism: shipped presets found in presets/"

# The check bites: an invalid body is refused with 422 and its violations.
printf '{"model":"claude-sonnet-4-5","max_tokens":"many","messages":[{"role":"robot"}]}' \
	>"$T/bad.json"
code=$(curl -s --noproxy '*' -o /dev/null -D "$T/hdrs" -w '%{http_code}' \
	-X POST "$URL/v1/messages" -H 'content-type: application/json' \
	-H 'accept: application/json' -H 'anthropic-version: 2023-06-01' \
	--data-binary "@$T/bad.json")
check_eq "prism: an invalid body gets 422" "$code" 422
check_contains "prism: ... with its violations" "$(cat "$T/hdrs")" "sl-violations"

done_testing
