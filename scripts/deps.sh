#!/bin/sh
# What pwb builds against, found without installing anything, and installed
# only when asked.
#   deps.sh --check   ITEM...   exit 1 with the exact apt-get line when one is missing
#   deps.sh --install ITEM...   as root: apt-get install what is missing;
#                               otherwise the same as --check
# ITEM: pc:MODULE (pkg-config), h:HEADER (a header without a .pc file, found
# with $CC -E and $CPPFLAGS) or bin:TOOL (a build tool on PATH).
set -u
mode=$1
shift
CC=${CC:-cc}

debian_package() {
	case "$1" in
	pc:libcurl) echo libcurl4-openssl-dev ;;
	pc:libcjson) echo libcjson-dev ;;
	pc:yaml-0.1) echo libyaml-dev ;;
	pc:ncursesw) echo libncurses-dev ;;
	pc:sqlite3) echo libsqlite3-dev ;;
	pc:libpcre2-8) echo libpcre2-dev ;;
	pc:nettle) echo nettle-dev ;;
	pc:libcmark-gfm) echo libcmark-gfm-dev ;;
	h:csv.h) echo libcsv-dev ;;
	h:unicase.h) echo libunistring-dev ;;
	h:cmark-gfm-core-extensions.h) echo libcmark-gfm-extensions-dev ;;
	bin:*) echo "${1#bin:}" ;;
	*) echo "${1#*:}" ;;
	esac
}

have() { command -v "$1" >/dev/null 2>&1; }

present() {
	case "$1" in
	pc:*) have pkg-config && pkg-config --exists "${1#pc:}" ;;
	h:*) printf '#include <%s>\n' "${1#h:}" |
		$CC ${CPPFLAGS:-} -E -x c - >/dev/null 2>&1 ;;
	bin:*) have "${1#bin:}" ;;
	esac
}

missing=""
have pkg-config || missing="pkg-config"
have "$CC" || missing="$missing gcc"
for item in "$@"; do
	present "$item" || missing="$missing $(debian_package "$item")"
done
[ -z "$missing" ] && exit 0
missing=$(echo $missing)

if [ "$mode" = --install ] && [ "$(id -u)" = 0 ] && have apt-get; then
	echo "pwb: installing missing build dependencies: apt-get install $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 || {
		echo "pwb: apt-get install failed" >&2; exit 1; }
	exit 0
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo "
echo "pwb: missing build dependencies. Install them with:" >&2
echo "    ${sudo}apt-get install $missing" >&2
[ "$mode" = --install ] || echo "(or run: make deps)" >&2
exit 1
