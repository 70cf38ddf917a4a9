#!/bin/bash
# Runs every test tier and ends with one line: N passed, N failed, N skipped.
# Each test program prints TAP-style lines: "ok - name", "not ok - name",
# "ok - name # SKIP reason", and one plan line "1..N" (first or last; tests/lib.sh
# done_testing and tests/unit/tap.h tap_done print it). A program fails when
#   - it exits non-zero (one failure when it printed no "not ok" line),
#   - it prints no plan, more than one, or a plan other than its result count
#     (so exiting 0 having printed nothing, or stopping half-way, fails).
# "1..0 # SKIP why" is a program skipped whole. Under CI=true a skip is a failure.
#   bash tests/run.sh [PROGRAM...]   the given programs instead of every tier
#   TESTS=pattern   run only test programs whose path matches the pattern
#   JOBS=N          programs run at once (default: the number of cores);
#                   every program uses its own temp dir, server and port
#   VERBOSE=1       print every line of every program
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
jobs_max=${JOBS:-$(nproc 2>/dev/null || echo 2)}
pass=0 fail=0 skip=0
failed_list=""

# Runs one program into $log/N.*; the report is made after it ends.
run_one() {
	n=$1; shift
	t0=$(date +%s)
	timeout -k 10 900 "$@" >"$log/$n.out" 2>"$log/$n.err" </dev/null
	echo "$? $(($(date +%s) - t0))" >"$log/$n.rc"
}

report() {
	n=$1 name=$2
	out="$log/$n.out"
	read -r rc secs <"$log/$n.rc"
	p=$(grep -c '^ok ' "$out")
	s=$(grep -c '^ok .*# SKIP' "$out")
	f=$(grep -c '^not ok ' "$out")
	p=$((p - s))
	results=$((p + s + f))
	plans=$(grep -cE '^1\.\.[0-9]+' "$out")
	planned=$(grep -E '^1\.\.[0-9]+' "$out" | head -1 | sed 's/^1\.\.\([0-9]*\).*/\1/')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$out"
	fi
	if [ "$plans" = 0 ]; then
		f=$((f + 1))
		echo "not ok - $name printed no TAP plan (1..N)" >>"$out"
	elif [ "$plans" != 1 ]; then
		f=$((f + 1))
		echo "not ok - $name printed $plans TAP plans" >>"$out"
	elif [ "$planned" = 0 ] && [ "$results" = 0 ]; then
		s=1 # 1..0: skipped whole
		grep -E "^1\.\.0" "$out" | sed -E "s/^1\.\.0 *(# *(SKIP|skip)? *)?/ok - $name # SKIP /" >>"$out"
	elif [ "$planned" != "$results" ]; then
		f=$((f + 1))
		echo "not ok - $name planned $planned results and printed $results" >>"$out"
	fi
	if [ "${CI:-}" = true ] && [ "$s" != 0 ]; then
		f=$((f + s)); s=0
		sed -i 's/^ok \(.*\)# SKIP/not ok \1# SKIP (skips fail under CI)/' "$out"
	fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
	printf '%-36s %4d passed %3d failed %3d skipped %4ss\n' "$name" "$p" "$f" "$s" "$secs"
	if [ "$f" != 0 ]; then
		grep -A20 '^not ok ' "$out" | sed 's/^/    /' | head -60
		sed 's/^/    stderr: /' "$log/$n.err" | tail -30
		failed_list="$failed_list $name"
	fi
	[ -n "${VERBOSE:-}" ] && cat "$out"
	return 0
}

# Rewriting the expected screen dumps is for a person who reviews the diff.
if [ -n "${PWB_UPDATE_DUMPS:-}" ] && [ "${CI:-}" = true ]; then
	echo "run.sh: PWB_UPDATE_DUMPS is refused under CI=true (it rewrites expected files)" >&2
	exit 1
fi

pat=${TESTS:-}
names=() cmds=()
for t in "$@"; do
	case "$t" in
	*.sh) names+=("$t"); cmds+=("sh $t") ;; # as the full run starts them
	*) names+=("$t"); cmds+=("$t") ;;
	esac
done
if [ $# = 0 ]; then
	for t in "$B"/asan/tests/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *"$pat"*) ;; *) continue ;; esac
		names+=("unit/$(basename "$t")"); cmds+=("$t")
	done
	for t in tests/t/*.sh; do
		[ -f "$t" ] || continue
		case "$t" in *"$pat"*) ;; *) continue ;; esac
		names+=("${t#tests/}"); cmds+=("sh $t")
	done
fi

# Start programs up to jobs_max at once; report in the listed order.
next=0 reported=0 total=${#names[@]}
while [ "$reported" -lt "$total" ]; do
	active=0
	for ((k = reported; k < next; k++)); do
		[ -f "$log/$k.rc" ] || active=$((active + 1))
	done
	while [ "$next" -lt "$total" ] && [ "$active" -lt "$jobs_max" ]; do
		# shellcheck disable=SC2086
		run_one "$next" ${cmds[$next]} &
		next=$((next + 1)) active=$((active + 1))
	done
	if [ -f "$log/$reported.rc" ]; then
		report "$reported" "${names[$reported]}"
		reported=$((reported + 1))
		continue
	fi
	wait -n 2>/dev/null || sleep 0.2
done
wait
[ -n "$failed_list" ] && echo "failed:$failed_list"
if [ "$skip" != 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" = 0 ]
