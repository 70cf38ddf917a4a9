#!/bin/sh
# The workbench in a real terminal: a private tmux server (its own socket, no
# config) runs a shell, pwb is started in it against the local test server,
# keys go in with send-keys and the screen is polled with capture-pane for a
# sentinel (bounded waits, no fixed sleeps). Covers start, typing, run and
# stream, resize mid-stream, cancel, quit with the shell usable afterwards,
# autosave and restore after kill -9, two instances at once, and a replay
# that keys, resize and the help go through and a rebound cancel key stops.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../tmux.sh"

STATE="$T/state"
mkdir -p "$STATE" "$T/work" "$T/config"
cp "$PWB_ROOT/tests/tui/hello.yaml" "$T/work/hello.yaml"
server_start '[{"generate":{"deltas":3000,"size":5},"chunk":60,"delay_ms":15}]'
ENVS="TERM=xterm-256color ANTHROPIC_API_KEY=$FAKE_KEY ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL XDG_STATE_HOME=$STATE XDG_CONFIG_HOME=$T/config HOME=$T PS1=pwbsh\$\ "
ENVS="$ENVS ASAN_OPTIONS=${ASAN_OPTIONS:-} UBSAN_OPTIONS=${UBSAN_OPTIONS:-}"

# --- start, type, run, resize mid-stream, cancel, quit ------------------------
tm new-session -d -x 100 -y 30 -s main -c "$T/work" "env -i PATH=$PATH $ENVS sh"
wait_screen main 'pwbsh$' 10 || not_ok "a shell runs in tmux"
tm send-keys -t main "$PWB hello.yaml" Enter
check_screen "start: the workbench shows its panes" main "Parameters"
check_screen "start: the preset's prompt is there" main "Say hello to {{who}}."
tm send-keys -t main F1
check_screen "F1: the help screen" main "Help: every key"
tm send-keys -t main Escape
tm send-keys -t main M-3
check_screen "Alt-3: the parameters pane has the focus" main "═ Parameters"
tm send-keys -t main M-2
check_screen "Alt-2: back to the messages" main "═ Messages"
# a real bracketed paste (tmux wraps it in the markers pwb asked for):
# a control character and a newline inside it are text, not commands
tm set-buffer -b pwbpaste "$(printf 'pasted\021 text\nsecond line')"
tm send-keys -t main End
tm paste-buffer -p -b pwbpaste -t main
check_screen "bracketed paste: inserted as text (Ctrl-Q in it did not quit)" main "pasted^Q text"
check_screen "bracketed paste: its newline is a newline" main "second line"
tm send-keys -t main C-_
tm send-keys -t main End
tm send-keys -t main -l " Please be brief."
check_screen "typing: the text appears" main "Say hello to {{who}}. Please be brief."
# export view: copy with OSC 52 lands in tmux's buffer with set-clipboard on
tm set -s set-clipboard on
tm send-keys -t main F3
check_screen "export: the view opens on the request in C, as pwb export" main "Export: C (libcurl + cJSON), not streaming"
tm send-keys -t main c
check_screen "export: copy confirmed" main "copied"
got=""
wait_for 5 sh -c "tmux -u -L '$SOCK' show-buffer 2>/dev/null | grep -q 'anthropic-version: 2023-06-01'" && got=1
check_eq "export: OSC 52 put the snippet into tmux's clipboard buffer" "$got" 1
tm send-keys -t main Escape
tm send-keys -t main C-r
check_screen "run: the answer streams in" main "aaaaabbbbbccccc"
check_screen "run: the status line says streaming" main "streaming"
tm resize-window -t main -x 140 -y 36
check_screen "resize mid-stream: side by side at 140 columns" main "│─ Parameters" 10
wait_screen main "jjjjjkkkkk" 20
check_screen "resize mid-stream: still streaming" main "streaming"
tm resize-window -t main -x 70 -y 20
check_screen "resize mid-stream: single pane below 80x24" main "[2/4]" 10
tm resize-window -t main -x 100 -y 30
check_screen "resize back: stacked" main "─ Response" 10
tm send-keys -t main C-c
check_screen "cancel: Ctrl-C stops the stream and keeps the answer" main "canceled (the partial answer is kept)"
check_screen "cancel: the program is still running" main "canceled │"
check_eq "the request went to the test server once" "$(server_count /v1/messages)" 1
tm send-keys -t main C-q
check_screen "quit: offers save, discard or cancel" main "Unsaved changes. (s)ave (d)iscard (c)ancel"
tm send-keys -t main d
check_screen "quit: back at the shell" main 'pwbsh$'
tm send-keys -t main "echo sum-\$((40+2)); stty -a | grep -o -- '-\{0,1\}icanon' | head -1; echo stty-done" Enter
check_screen "quit: the shell is usable afterwards" main "sum-42"
wait_screen main "stty-done" >/dev/null
if screen main | grep -q -- '^icanon'; then ok "quit: the terminal is back in canonical mode"; else
	not_ok "quit: the terminal is back in canonical mode" "$(screen main)"; fi
left=$(ls "$STATE/pwb" 2>/dev/null | grep -c 'yaml$')
check_eq "quit: the clean exit removed its autosave" "$left" 0

# --- autosave and restore after kill -9 --------------------------------------
tm send-keys -t main clear Enter
tm send-keys -t main "$PWB hello.yaml" Enter
wait_screen main "Parameters" || not_ok "second start"
tm send-keys -t main End
tm send-keys -t main -l " unsaved words 世界 $FAKE_KEY"
check_screen "autosave: typed" main "unsaved words 世界"
found=""
wait_for 10 sh -c "grep -l 'unsaved words 世界' '$STATE'/pwb/autosave-*.yaml >/dev/null 2>&1" && found=1
check_eq "autosave: written within a second of typing" "$found" 1
f=$(ls "$STATE"/pwb/autosave-*.yaml 2>/dev/null | head -1)
mode=$(stat -c %a "$f" 2>/dev/null)
check_eq "autosave: mode 0600" "$mode" 600
check_not_contains "autosave: the configured key typed into a prompt is not in it" "$(cat "$f")" "$FAKE_KEY"
check_contains "autosave: a marker stands in its place" "$(cat "$f")" "PWB-REMOVED-THE-CONFIGURED-API-KEY"
check_screen "autosave: the user is told" main "autosave wrote a marker"
pid=$(basename "$f" .yaml | sed 's/autosave-//')
kill -9 "$pid"
wait_screen main 'pwbsh$' 10 >/dev/null
tm send-keys -t main "stty sane" C-j
tm send-keys -t main "clear" C-j
tm send-keys -t main "$PWB hello.yaml" C-j
check_screen "restore: offered after kill -9, naming the file" main ", hello.yaml: (r)estore"
check_screen "restore: its answers" main "(r)estore (d)iscard (k)eep"
tm send-keys -t main r
check_screen "restore: restored" main "restored the unsaved work"
check_screen "restore: the unsaved words are back" main "unsaved words 世界"
check_screen "restore: marked modified" main "hello [+]"
test -f "$f" && not_ok "restore: the old autosave is gone" || ok "restore: the old autosave is gone"
tm send-keys -t main C-q
wait_screen main "(c)ancel" >/dev/null && tm send-keys -t main d
check_screen "restore: quit" main 'pwbsh$'

# --- SIGTERM goes through the loop: work saved, terminal restored ---------------
tm send-keys -t main clear Enter
tm send-keys -t main "$PWB hello.yaml" Enter
wait_screen main "Parameters" >/dev/null
tm send-keys -t main End
tm send-keys -t main -l " before sigterm"
wait_screen main "before sigterm" >/dev/null
wait_for 10 sh -c "grep -l 'before sigterm' '$STATE'/pwb/autosave-*.yaml >/dev/null 2>&1"
f=$(ls "$STATE"/pwb/autosave-*.yaml 2>/dev/null | head -1)
pid=$(basename "$f" .yaml | sed 's/autosave-//')
kill -TERM "$pid"
check_screen "SIGTERM: pwb exits to the shell" main 'pwbsh$'
tm send-keys -t main "echo term-\$((6*7))" Enter
check_screen "SIGTERM: the shell is usable (terminal restored)" main "term-42"
check "SIGTERM: the autosave is kept for a restore" grep -q 'before sigterm' "$f"
rm -f "$STATE"/pwb/*

# --- Ctrl-Z suspends to the shell, fg redraws; a crash signal resets the terminal ---
tm send-keys -t main clear Enter
tm send-keys -t main "$PWB hello.yaml" Enter
wait_screen main "Parameters" >/dev/null
tm send-keys -t main C-z
check_screen "Ctrl-Z: back at the shell" main 'Stopped'
tm send-keys -t main "fg" Enter
check_screen "fg: the workbench is redrawn" main "Say hello to {{who}}."
tm send-keys -t main End
tm send-keys -t main -l " after fg"
check_screen "fg: keys work again" main "{{who}}. after fg"
wait_for 10 sh -c "grep -l 'after fg' '$STATE'/pwb/autosave-*.yaml >/dev/null 2>&1"
f=$(ls "$STATE"/pwb/autosave-*.yaml 2>/dev/null | head -1)
pid=$(basename "$f" .yaml | sed 's/autosave-//')
kill -SEGV "$pid"
wait_screen main 'pwbsh$' 10 >/dev/null
tm send-keys -t main "echo crash-\$((2+3))" Enter
check_screen "crash signal: the handler restored the terminal (Enter works)" main "crash-5"
check "crash signal: the last autosave holds the work" grep -q 'after fg' "$f"
rm -f "$STATE"/pwb/*

# --- two instances at once -----------------------------------------------------
tm new-window -t main -n two -c "$T/work" "env -i PATH=$PATH $ENVS sh"
wait_screen main:two 'pwbsh$' 10 >/dev/null
tm send-keys -t main:0 clear Enter
tm send-keys -t main:0 "$PWB" Enter
tm send-keys -t main:two "$PWB" Enter
wait_screen main:0 "Parameters" >/dev/null
wait_screen main:two "Parameters" >/dev/null
tm send-keys -t main:0 -l "first instance text"
tm send-keys -t main:two -l "second instance text"
check_screen "two instances: the first one edits" main:0 "first instance text"
check_screen "two instances: the second one edits" main:two "second instance text"
wait_for 10 sh -c "grep -l 'first instance text' '$STATE'/pwb/autosave-*.yaml >/dev/null 2>&1 && grep -l 'second instance text' '$STATE'/pwb/autosave-*.yaml >/dev/null 2>&1"
n=$(ls "$STATE"/pwb/autosave-*.yaml 2>/dev/null | wc -l | tr -d ' ')
check_eq "two instances: one autosave each" "$n" 2
if screen main:0 | grep -q "Unsaved work (" || screen main:two | grep -q "Unsaved work ("; then
	not_ok "two instances: neither offers the other's live work"
else
	ok "two instances: neither offers the other's live work"
fi
for w in main:0 main:two; do
	tm send-keys -t "$w" C-q
	wait_screen "$w" "(c)ancel" >/dev/null && tm send-keys -t "$w" d
	wait_screen "$w" 'pwbsh$' >/dev/null
done
n=$(ls "$STATE"/pwb/ 2>/dev/null | grep -c 'yaml$')
check_eq "two instances: both exits removed their autosaves" "$n" 0

# --- a replay runs on the main loop: keys, resize, help, scrolling go on; a
# rebound cancel key stops it ---------------------------------------------------
cat >"$T/work/replay.yaml" <<'YAML'
pwb: 1
name: replayed
model: claude-sonnet-4-5
max_tokens: 64
messages:
  - role: user
    content: first question
  - role: assistant
    content: the old first answer
  - role: user
    content: second question
response:
  content:
    - type: text
      text: the old second answer
  stop_reason: end_turn
YAML
mkdir -p "$T/config/pwb"
printf 'cancel: <C-g>\n' >"$T/config/pwb/keys.yaml"
# turn 2 answers after a pause; the response's turn never answers
server_script '[{"fixture":"stream_text_basic.sse","headers_delay_ms":1500},{"hang":true}]'
tm send-keys -t main clear Enter
tm send-keys -t main "$PWB replay.yaml" Enter
wait_screen main "Parameters" >/dev/null
check_screen "rebound cancel: the start hint is built from the keymap" main "F1 help"
tm send-keys -t main F4
check_screen "replay: started, the hint names the rebound cancel key" main "Ctrl-G cancels"
check_screen "replay: the status line says replaying" main "replaying"
tm send-keys -t main F1
check_screen "replay: F1 opens the help while the first turn waits" main "Help: every key"
tm send-keys -t main j j
tm resize-window -t main -x 120 -y 34
check_screen "replay: resized while replaying" main "Help: every key" 10
tm send-keys -t main Escape
tm send-keys -t main F4
check_screen "replay: the first turn's result arrives" main "@@ turn 2: changed" 20
check_screen "replay: the second turn is running" main "replaying"
tm send-keys -t main C-c
tm send-keys -t main F1
check_screen "replay: keys still work while the second turn hangs" main "Help: every key"
check_screen "replay: Ctrl-C (no longer the cancel key) did not stop it" main "replaying"
tm send-keys -t main Escape
tm send-keys -t main F4
wait_screen main "@@ turn 2" >/dev/null
tm send-keys -t main C-g
check_screen "replay: the rebound cancel key stops it" main "(canceled)"
check_screen "replay: the message line says canceled" main "replay canceled"
check_screen "replay: not replaying any more (the shown answer is done)" main " done │"
check_eq "replay: one request per started turn (the canceled one included)" "$(server_count /v1/messages)" 2
tm send-keys -t main Escape
tm send-keys -t main M-2
tm send-keys -t main -l "typed after the replay"
check_screen "replay: the interface is live afterwards" main "typed after the replay"
tm resize-window -t main -x 100 -y 30
tm send-keys -t main C-q
wait_screen main "(c)ancel" >/dev/null && tm send-keys -t main d
check_screen "replay: quit" main 'pwbsh$'
rm -f "$T/config/pwb/keys.yaml"
# --- Markdown rendered while the answer streams; Alt-m shows the raw text;
# a variable's multi-line editor takes Ctrl-X from a real terminal ----------
server_script '[{"fixture":"../tui/markdown.sse","chunk":200,"delay_ms":40}]'
tm send-keys -t main clear Enter
tm send-keys -t main "$PWB hello.yaml" Enter
wait_screen main "Parameters" >/dev/null
tm send-keys -t main M-4 F10 C-r
both=""
_i=0
while [ "$_i" -lt 300 ]; do
	_s=$(screen main)
	if printf '%s' "$_s" | grep -q "streaming" && printf '%s' "$_s" | grep -q "^═════════════"; then
		both=1
		break
	fi
	sleep 0.02
	_i=$((_i + 1))
done
check_eq "markdown: the heading is rendered while the answer streams" "$both" 1
check_screen "markdown: the code block shows its language" main "── python ──" 20
check_screen "markdown: the answer ends" main "stop_reason: end_turn" 20
if screen main | grep -q '```'; then not_ok "markdown: no fence marks when rendered"; else
	ok "markdown: no fence marks when rendered"; fi
tm send-keys -t main M-m
check_screen "markdown: Alt-m shows the raw text" main '```python'
tm send-keys -t main M-m
check_screen "markdown: Alt-m again renders it" main "answers with the Markdown rendered"
# the answer's code block, then its whole text, copied with OSC 52
tm send-keys -t main M-C
check_screen "copy-code: confirmed" main "copied code block 1/1 (python)"
got=""
wait_for 5 sh -c "tmux -u -L '$SOCK' show-buffer 2>/dev/null | head -1 | grep -qx 'def greet(name):'" && got=1
check_eq "copy-code: the code block's body, without its fences, is in tmux's buffer" "$got" 1
tm send-keys -t main M-c
check_screen "copy-answer: confirmed" main "copied the answer's text"
got=""
wait_for 5 sh -c "tmux -u -L '$SOCK' show-buffer 2>/dev/null | head -1 | grep -qx '# Release notes'" && got=1
check_eq "copy-answer: the answer's raw text is in tmux's buffer" "$got" 1
tm send-keys -t main F10 M-3 Home Down Down Down Down Enter
check_screen "variables: Enter opens the multi-line editor" main "Ctrl-X accepts"
tm send-keys -t main C-u
tm send-keys -t main -l "first"
tm send-keys -t main Enter
tm send-keys -t main -l "second"
tm send-keys -t main C-x
check_screen "variables: Ctrl-X accepts the two lines" main "first  … +1 line"
tm send-keys -t main C-q
wait_screen main "(c)ancel" >/dev/null && tm send-keys -t main d
check_screen "markdown: quit" main 'pwbsh$'
done_testing
