# Shell helpers for pwb's tests: source it from a tests/t/*.sh script.
#
#   . "$PWB_ROOT/tests/lib.sh"     (or: . "$(dirname "$0")/../lib.sh")
#
# On sourcing: $T is a fresh temp dir (removed at exit, server stopped too);
# FAKE_KEY is a fake key (never a real one) exported as ANTHROPIC_API_KEY;
# XDG_DATA_HOME is $T/data (the run log goes there, never into ~/.local);
# $PWB defaults to build/asan/pwb; $FIXTURES is tests/fixtures.
#
# TAP lines (tests/run.sh counts them):
#   ok NAME | not_ok NAME [DETAIL...] | skip NAME WHY
#   check_eq NAME GOT EXPECTED        equality, prints both on failure
#   check_contains NAME TEXT NEEDLE   substring
#   check_not_contains NAME TEXT NEEDLE
#   check NAME CMD...                 ok when CMD succeeds
#   tap_relay FILE                    pass on the TAP lines another program
#                                     wrote to FILE ("#" lines too), counted
#   done_testing                      print the plan (1..N, N = the results
#                                     printed), exit 1 when anything failed;
#                                     call it last: tests/run.sh fails a
#                                     program that ends without a plan
#
# The local Messages API server (tests/server.py; its top comment documents
# the script format):
#   server_start SCRIPT       SCRIPT is a file or inline JSON ('[{"fixture":
#                             "stream_text_basic.sse"}]'); waits (bounded) for
#                             the port, sets SRV_PORT, SRV_LOG (request log,
#                             JSON lines) and exports ANTHROPIC_BASE_URL.
#   server_script SCRIPT      replace the script of the running server,
#                             reset its counters and empty its log.
#   server_stop               (also done at exit)
#   server_count [PATH]       number of requests logged (on PATH only)
#   server_req N [EXPR]       the Nth logged request (1-based) as JSON, or
#                             EXPR of it (see jget)
#   free_port                 a loopback port with nothing listening
#
# JSON without jq ($PYTHON: /usr/bin/python3 when present, else python3):
#   jget FILE EXPR            prints EXPR evaluated with d = the JSON in FILE
#                             ("-" = stdin): strings raw, None as "null",
#                             others as compact JSON. e.g. jget out.json 'd["outcome"]'
#   jeq FILE_A EXPR_A FILE_B EXPR_B   1 when both values are equal (as JSON)
#
# Other:
#   wait_for TIMEOUT_S CMD... poll CMD every 50 ms until it succeeds (1 if not)
#   as_nobody CMD...          run CMD without root (setpriv), e.g. for
#                             unwritable-file tests; HOME is left as is
#   write_preset FILE [MODEL] [TEXT]   a minimal valid preset

set -u
PWB_ROOT=${PWB_ROOT:-$(cd "$(dirname "${0}")/../.." 2>/dev/null && pwd)}
[ -f "$PWB_ROOT/tests/server.py" ] || PWB_ROOT=$(pwd)
export PWB_ROOT
PWB=${PWB:-$PWB_ROOT/build/asan/pwb}
export PWB
FIXTURES=$PWB_ROOT/tests/fixtures
# The system python starts fastest; any python3 (standard library only) works.
if [ -z "${PYTHON:-}" ]; then
	if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
fi
export PYTHON
T=$(mktemp -d "${TMPDIR:-/tmp}/pwbt.XXXXXX")
chmod 755 "$T"
FAKE_KEY="sk-ant-api03-FAKEtestKEY0123456789abcdefghijklmnopqrstuvwxyzABCDEFG-AAAA"
export FAKE_KEY
export ANTHROPIC_API_KEY="$FAKE_KEY"
unset ANTHROPIC_AUTH_TOKEN
# run, replay and the workbench record every answer in the run log: never
# in the real ~/.local/share (a test that wants its own sets PWB_LOG or this).
mkdir -p "$T/data"
export XDG_DATA_HOME="$T/data"
# libcurl honours proxy variables: loopback must never go through one.
export no_proxy="127.0.0.1,localhost" NO_PROXY="127.0.0.1,localhost"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
SRV_PID=""
SRV_PORT=""
SRV_LOG="$T/server-log.jsonl"
_lib_failed=0
_lib_results=0

_lib_cleanup() {
	server_stop
	rm -rf "$T"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT TERM

ok() { _lib_results=$((_lib_results + 1)); echo "ok - $*"; }
not_ok() {
	_n=$1; shift
	_lib_results=$((_lib_results + 1))
	echo "not ok - $_n"
	_lib_failed=1
	for _l in "$@"; do printf '%s\n' "$_l" | sed 's/^/#   /'; done
	return 0
}
skip() { _lib_results=$((_lib_results + 1)); echo "ok - $1 # SKIP $2"; }
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1" "got:      $2" "expected: $3"; fi
}
check_contains() {
	case "$2" in *"$3"*) ok "$1" ;; *) not_ok "$1" "text: $2" "does not contain: $3" ;; esac
}
check_not_contains() {
	case "$2" in *"$3"*) not_ok "$1" "text: $2" "contains: $3" ;; *) ok "$1" ;; esac
}
check() {
	_n=$1; shift
	if "$@"; then ok "$_n"; else not_ok "$_n" "command failed: $*"; fi
}
tap_relay() {
	grep '^ok\|^not ok\|^#' "$1"
	_lib_results=$((_lib_results + $(grep -c '^ok\|^not ok' "$1")))
	! grep -q '^not ok' "$1" || _lib_failed=1
}
done_testing() {
	echo "1..$_lib_results"
	exit "$_lib_failed"
}

wait_for() {
	_limit=$(( $1 * 20 )); shift
	_i=0
	while [ "$_i" -lt "$_limit" ]; do
		"$@" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	return 1
}

_script_file() {
	case "$1" in
	'['*|'{'*) _f="$T/script.$$.$(date +%s%N).json"; printf '%s' "$1" >"$_f"; echo "$_f" ;;
	*) echo "$1" ;;
	esac
}

server_start() {
	server_stop
	_sf=$(_script_file "${1:-[]}")
	rm -f "$T/server.port"
	: >"$SRV_LOG"
	"$PYTHON" "$PWB_ROOT/tests/server.py" --script "$_sf" --port-file "$T/server.port" \
		--log "$SRV_LOG" >"$T/server.out" 2>"$T/server.err" &
	SRV_PID=$!
	if ! wait_for 20 test -s "$T/server.port"; then
		echo "# server did not start:"; sed 's/^/#   /' "$T/server.err"
		not_ok "server_start"
		return 1
	fi
	SRV_PORT=$(cat "$T/server.port")
	export ANTHROPIC_BASE_URL="http://127.0.0.1:$SRV_PORT"
}

server_stop() {
	if [ -n "$SRV_PID" ]; then
		kill "$SRV_PID" 2>/dev/null
		wait "$SRV_PID" 2>/dev/null
		SRV_PID=""
	fi
}

server_script() {
	_sf=$(_script_file "$1")
	curl -s -o /dev/null --noproxy '*' --data-binary "@$_sf" \
		"http://127.0.0.1:$SRV_PORT/_control/script"
	: >"$SRV_LOG"
}

server_count() {
	if [ $# -eq 0 ]; then
		wc -l <"$SRV_LOG" | tr -d ' '
	else
		"$PYTHON" -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["path"] == sys.argv[2]))' "$SRV_LOG" "$1"
	fi
}

server_req() {
	_line=$(sed -n "${1}p" "$SRV_LOG")
	if [ $# -ge 2 ]; then printf '%s' "$_line" | jget - "$2"; else printf '%s\n' "$_line"; fi
}

free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

jget() {
	"$PYTHON" -c 'import json,sys
f = sys.argv[1]
d = json.load(sys.stdin if f == "-" else open(f))
v = eval(sys.argv[2], {"d": d, "json": json})
if v is None: print("null")
elif isinstance(v, str): print(v)
else: print(json.dumps(v, separators=(",", ":"), sort_keys=True))' "$1" "$2"
}

jeq() {
	_a=$(jget "$1" "$2") || return 2
	_b=$(jget "$3" "$4") || return 2
	[ "$_a" = "$_b" ]
}

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

write_preset() {
	cat >"$1" <<EOF
pwb: 1
model: ${2:-claude-sonnet-4-5}
max_tokens: 256
messages:
  - role: user
    content: "${3:-Say hello.}"
EOF
}
