#!/bin/sh
# make fuzz: run each libFuzzer target (built by `make fuzz-build` into
# $PWB_BUILD/fuzz) for FUZZ_SECONDS (default 60) on a scratch copy of its
# committed seed corpus, after replaying the committed regression inputs.
# New crashes are copied to tests/fuzz/regress/NAME/ for the smoke test.
#   FUZZ_SECONDS=600 make fuzz          longer runs
#   FUZZ_TARGETS="sse json" make fuzz   some targets only
#   FUZZ_JOBS=2                         parallel workers per target (-fork)
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
B=${PWB_BUILD:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
secs=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
work=$(mktemp -d /tmp/pwb-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
summary=""
for t in $targets; do
	bin="$B/fuzz/fuzz_$t"
	[ -x "$bin" ] || { echo "fuzz: $bin missing (make fuzz-build)" >&2; exit 2; }
	seeds="tests/fuzz/corpus/$t"
	regress="tests/fuzz/regress/$t"
	dict=""
	[ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
		echo "== $t: replaying $(ls "$regress" | wc -l) regression inputs"
		if ! "$bin" $dict "$regress"/* >"$work/$t.regress.log" 2>&1; then
			echo "fuzz: $t fails on a committed regression input:" >&2
			tail -40 "$work/$t.regress.log" >&2
			status=1
		fi
	fi
	mkdir -p "$work/$t/corpus" "$work/$t/crashes"
	[ -d "$seeds" ] && cp "$seeds"/* "$work/$t/corpus/" 2>/dev/null
	nseed=$(ls "$work/$t/corpus" | wc -l)
	echo "== $t: fuzzing for ${secs}s from $nseed seeds"
	start=$(date +%s)
	jobs=""
	[ -n "${FUZZ_JOBS:-}" ] && jobs="-fork=$FUZZ_JOBS -ignore_crashes=1"
	"$bin" $dict $jobs -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$work/$t/crashes/" "$work/$t/corpus" >"$work/$t.log" 2>&1
	rc=$?
	end=$(date +%s)
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | tail -1 | grep -o '[0-9]*$')
	# -fork mode prints no final stats: its last "#N:" status line counts the runs
	[ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$work/$t.log" | tail -1 | tr -d '#')
	cov=$(grep -oE 'cov: [0-9]+' "$work/$t.log" | tail -1 | grep -oE '[0-9]+')
	ncorp=$(ls "$work/$t/corpus" | wc -l)
	crashes=$(ls "$work/$t/crashes" 2>/dev/null | wc -l)
	line="$t: $((end - start))s, ${runs:-?} runs, coverage ${cov:-?} edges, corpus $nseed -> $ncorp, $crashes crash(es), exit $rc"
	echo "   $line"
	summary="$summary
$line"
	if [ "$crashes" != 0 ] || [ "$rc" != 0 ]; then
		status=1
		mkdir -p "$regress"
		for c in "$work/$t/crashes"/*; do
			[ -f "$c" ] || continue
			name=$(basename "$c")
			cp "$c" "$regress/$name"
			echo "   new regression input: $regress/$name" >&2
		done
		grep -E -A30 'ERROR: (AddressSanitizer|libFuzzer|UndefinedBehavior)|fuzz property failed|runtime error' \
			"$work/$t.log" | head -60 >&2
	fi
done
echo "== fuzz summary ($(date -u +%Y-%m-%dT%H:%MZ), FUZZ_SECONDS=$secs)$summary"
exit $status
