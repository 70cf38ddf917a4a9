# Helpers for tests that drive pwb in a real terminal: a private tmux
# server (its own socket, no config). Source after tests/lib.sh:
#   . "$PWB_ROOT/tests/tmux.sh"
#   tm ARGS...                   tmux on the private socket (UTF-8 forced)
#   screen TARGET                the pane's text
#   wait_screen TARGET TEXT [S]  poll until the pane shows TEXT (bounded)
#   check_screen NAME TARGET TEXT [S]   the same as one TAP line
# The server is killed at exit.
command -v tmux >/dev/null || { not_ok "tmux is installed"; done_testing; }
SOCK="pwbtest$$"
export TERM=xterm-256color
tm() { tmux -u -L "$SOCK" "$@"; }  # -u: UTF-8 even when the locale does not say so
cleanup_tmux() { tm kill-server 2>/dev/null; }
trap 'cleanup_tmux; _lib_cleanup' EXIT

screen() { tm capture-pane -p -t "$1" 2>/dev/null; }
wait_screen() {
	_i=0 _n=$(( ${3:-15} * 20 ))
	while [ "$_i" -lt "$_n" ]; do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "# waited for '$2' in $1; the screen was:"
	screen "$1" | sed 's/^/#   | /'
	return 1
}
check_screen() { if wait_screen "$2" "$3" "${4:-15}"; then ok "$1"; else not_ok "$1"; fi; }
