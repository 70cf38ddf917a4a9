#!/bin/sh
# The Evaluate view in a real terminal (a private tmux server, as
# tui_tmux.sh): rows stream in while the window is resized, the table
# re-lays out at the new width; quitting while rows run leaves the
# terminal usable and the finished rows in the run log.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

mkdir -p "$T/state" "$T/work" "$T/config"
"$PYTHON" - "$T/work/e.yaml" <<'PY'
import sys
rows = "".join("- vars: {city: City%d, country: Land%d}\n" % (i, i) for i in range(12))
open(sys.argv[1], "w").write("""pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: "Q {{city}} in {{country}}"
assert:
- type: starts-with
  value: "A: Q"
tests:
""" + rows)
PY
# each answer drips in over about a second, so rows are still running
# when the window changes size
server_start '[{"echo": "A: ", "chunk": 40, "delay_ms": 60}]'
ENVS="TERM=xterm-256color ANTHROPIC_API_KEY=$FAKE_KEY ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL XDG_STATE_HOME=$T/state XDG_CONFIG_HOME=$T/config HOME=$T PWB_LOG=$T/log.db PS1=pwbsh\$\ "
ENVS="$ENVS ASAN_OPTIONS=${ASAN_OPTIONS:-} UBSAN_OPTIONS=${UBSAN_OPTIONS:-}"

tm new-session -d -x 100 -y 30 -s main -c "$T/work" "env -i PATH=$PATH $ENVS sh"
wait_screen main 'pwbsh$' 10 || not_ok "a shell runs in tmux"
tm send-keys -t main "$PWB e.yaml" Enter
check_screen "start: the workbench" main "Parameters"
tm send-keys -t main F11
check_screen "F11: the Evaluate view with the rows" main "12 rows  not run"
tm send-keys -t main C-r
check_screen "run: the status line counts the rows" main "eval "
tm resize-window -t main -x 150 -y 40
check_screen "resize mid-run: the table takes the new width" main "$(printf '%-95s' 'answer')checks"
check_screen "resize mid-run: the rows keep filling in" main "12/12 100%" 40
tm resize-window -t main -x 80 -y 24
check_screen "resize back: the table fits 80 columns" main "$(printf '%-25s' 'answer')checks"
# quit while a run goes on: the finished rows are in the log
tm send-keys -t main C-r
check_screen "second run: started" main "eval "
wait_screen main "eval 4/12" 20 >/dev/null
tm send-keys -t main C-q
check_screen "quit while rows run: back at the shell" main 'pwbsh$'
tm send-keys -t main "echo sum-\$((40+2)); stty -a | grep -o -- '-\{0,1\}icanon' | head -1" Enter
check_screen "quit: the shell is usable afterwards" main "sum-42"
if screen main | grep -q -- '^icanon'; then ok "quit: the terminal is back in canonical mode"; else
	not_ok "quit: the terminal is back in canonical mode" "$(screen main)"; fi
n=$("$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("select count(*) from eval_results where run_id = 2 and outcome = \"passed\"").fetchone()[0])' "$T/log.db")
check "quit: the second run's finished rows are in the log ($n)" test "$n" -ge 4
done_testing
