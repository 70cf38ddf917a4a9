#!/bin/sh
# What the test suite needs beyond the build: Debian tools and the pinned
# npm packages of tests/package-lock.json. Installed when run as root,
# otherwise the exact commands are printed and make stops.
set -u
cd "$(dirname "$0")/.."
need=""
have() { command -v "$1" >/dev/null 2>&1; }
have tmux || need="$need tmux"
have valgrind || need="$need valgrind"
have clang || need="$need clang"
[ -n "$(ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a 2>/dev/null)" ] ||
	need="$need libclang-rt-14-dev"
have python3 || need="$need python3"
/usr/bin/python3 -c 'import yaml' 2>/dev/null || need="$need python3-yaml"
have curl || need="$need curl"
have git || need="$need git"
have man || need="$need man-db"
have groff || need="$need groff-base"
have node || need="$need nodejs"
have npm || need="$need npm"
need=$(echo $need)
if [ -n "$need" ]; then
	if [ "$(id -u)" = 0 ] && have apt-get; then
		echo "pwb: installing test tools: $need" >&2
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq >&2 && apt-get install -y -qq $need >&2 || {
			echo "pwb: apt-get install failed" >&2; exit 1; }
	else
		echo "pwb: the tests need more tools. Install them with:" >&2
		echo "    sudo apt-get install $need" >&2
		exit 1
	fi
fi
if [ -f tests/package-lock.json ] &&
   { [ ! -d tests/node_modules ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; }; then
	echo "pwb: installing the pinned npm test packages (tests/package-lock.json)" >&2
	(cd tests && npm ci --no-audit --no-fund --loglevel=error >&2) || {
		echo "pwb: npm ci failed; run: (cd tests && npm ci)" >&2; exit 1; }
fi
exit 0
