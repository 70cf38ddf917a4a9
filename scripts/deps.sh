#!/bin/sh
# Finds the libraries pwb builds against with pkg-config. Missing ones are
# installed with apt-get when run as root; otherwise the exact command is
# printed and the build stops.
set -u
pkg_for() {
	case "$1" in
	libcurl) echo libcurl4-openssl-dev ;;
	libcjson) echo libcjson-dev ;;
	yaml-0.1) echo libyaml-dev ;;
	sqlite3) echo libsqlite3-dev ;;
	nettle) echo nettle-dev ;;
	ncursesw) echo libncurses-dev ;;
	*) echo "$1" ;;
	esac
}
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing gcc"
for lib in "$@"; do
	if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "$lib"; then
		missing="$missing $(pkg_for "$lib")"
	fi
done
[ -z "$missing" ] && exit 0
missing=$(echo $missing)
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "pwb: installing missing build dependencies: $missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq $missing >&2 || {
		echo "pwb: apt-get install failed" >&2; exit 1; }
	exit 0
fi
echo "pwb: missing build dependencies. Install them with:" >&2
echo "    sudo apt-get install $missing" >&2
exit 1
