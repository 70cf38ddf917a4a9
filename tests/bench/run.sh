#!/bin/sh
# make bench: the release ./pwb against curl, the official TypeScript SDK
# and promptfoo on the local test server (tests/bench/bench.py does the
# measuring).
# Figures only, never pass/fail on a time. Results also go to
# $PWB_BUILD/bench/results.{md,json}; docs/benchmarks.md holds a committed run.
#   BENCH_RUNS=15 make bench        more measured runs per tool (default 7)
#   BENCH_ONLY=ttfb,cancel make bench   some cases only
#   BENCH_EVAL_RUNS=5 make bench    measured runs of the eval case (default 3)
set -u
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
B=${PWB_BUILD:-build}
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
PWB_BIN=${PWB_RELEASE:-$ROOT/pwb}
root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
need=""
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null || need="$need python3 python3-yaml"
command -v curl >/dev/null 2>&1 || need="$need curl"
command -v node >/dev/null 2>&1 || need="$need nodejs"
command -v npm >/dev/null 2>&1 || need="$need npm"
need=$(echo $need)
if [ -n "$need" ]; then
	if root; then
		echo "bench: installing $need" >&2
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >&2 || exit 1
	else
		echo "bench: needs: sudo apt-get install $need" >&2
		exit 1
	fi
fi
# The SDK anchor: the version pinned by the committed lockfile (for the
# stream, first byte and cancel cases).
sdk_cases=1
case ",${BENCH_ONLY:-all}," in
*all* | *throughput* | *ttfb* | *cancel*) ;;
*) sdk_cases=0 ;;
esac
if [ $sdk_cases = 1 ] && [ -f tests/package-lock.json ] &&
	[ ! -d tests/node_modules/@anthropic-ai/sdk ]; then
	echo "bench: installing the pinned npm packages (cd tests && npm ci)" >&2
	(cd tests && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 1
fi
# The eval case's anchor: promptfoo, pinned by its own lockfile (only make
# bench installs it, never make test).
case ",${BENCH_ONLY:-eval}," in
*eval*)
	pf=tests/bench/promptfoo
	if [ ! -f $pf/node_modules/promptfoo/package.json ]; then
		echo "bench: installing the pinned promptfoo (cd $pf && npm ci)" >&2
		(cd $pf && npm ci --no-audit --no-fund --loglevel=error >&2) || exit 1
	fi
	;;
esac
mkdir -p "$B/bench"
cflags=$(make -s --no-print-directory print-cflags)
exec /usr/bin/python3 tests/bench/bench.py --pwb "$PWB_BIN" \
	--preset-bench "$B/bench/preset_bench" --stream-bench "$B/bench/stream_bench" \
	--measure "$B/bench/measure" --cflags "$cflags" \
	--json "$B/bench/results.json" --markdown "$B/bench/results.md"
