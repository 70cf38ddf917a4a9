#!/bin/sh
# Runs every test tier and ends with one line: N passed, N failed, N skipped.
# Each test program prints TAP-style lines: "ok - name", "not ok - name",
# "ok - name # SKIP reason". A program that exits non-zero without a
# "not ok" line counts as one failure. Under CI=true a skip is a failure.
#   TESTS=pattern   run only test programs whose path matches the pattern
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export PWB_ROOT="$ROOT"
B=${PWB_BUILD:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
export PWB_BUILD="$B"
export PWB="$B/asan/pwb"
export PWB_DEBUG="$B/debug/pwb"
export PWB_RELEASE="${PWB_RELEASE:-$ROOT/pwb}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:exitcode=86"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# Tests never see a real key or endpoint from the caller's environment.
unset ANTHROPIC_API_KEY ANTHROPIC_BASE_URL ANTHROPIC_AUTH_TOKEN
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
pass=0 fail=0 skip=0
failed_list=""

run_one() {
	name=$1; shift
	out="$log/out"
	t0=$(date +%s)
	timeout -k 10 900 "$@" >"$out" 2>"$log/err" </dev/null
	rc=$?
	p=$(grep -c '^ok ' "$out" | tr -d ' ')
	s=$(grep -c '^ok .*# SKIP' "$out" | tr -d ' ')
	f=$(grep -c '^not ok ' "$out" | tr -d ' ')
	p=$((p - s))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$out"
	fi
	if [ "${CI:-}" = true ] && [ "$s" != 0 ]; then
		f=$((f + s)); s=0
		sed -i 's/^ok \(.*\)# SKIP/not ok \1# SKIP (skips fail under CI)/' "$out"
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	printf '%-36s %4d passed %3d failed %3d skipped %4ss\n' "$name" "$p" "$f" "$s" $(($(date +%s) - t0))
	if [ "$f" != 0 ]; then
		grep -A20 '^not ok ' "$out" | sed 's/^/    /' | head -60
		sed 's/^/    stderr: /' "$log/err" | tail -30
		failed_list="$failed_list $name"
	fi
	[ -n "${VERBOSE:-}" ] && cat "$out"
	return 0
}

pat=${TESTS:-}
for t in "$B"/asan/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *"$pat"*) ;; *) continue ;; esac
	run_one "unit/$(basename "$t")" "$t"
done
for t in tests/t/*.sh; do
	[ -f "$t" ] || continue
	case "$t" in *"$pat"*) ;; *) continue ;; esac
	run_one "${t#tests/}" sh "$t"
done
[ -n "$failed_list" ] && echo "failed:$failed_list"
if [ "$skip" != 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
