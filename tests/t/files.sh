#!/bin/bash
# Files and processes: presets that are not regular files (FIFO, socket,
# device) are refused at once; a 100,000-deep preset is refused quickly;
# two concurrent `run --record` never both succeed; export -o through a
# temporary file (a full disk leaves the old file whole) and not through a
# symlink; stale temporaries of a killed save are removed by the next save,
# stale autosave locks when the workbench starts;
# a NUL in answer text is kept visibly (U+2400), not cut, and bytes that
# are not UTF-8 visibly as U+FFFD.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1

# --- not a regular file --------------------------------------------------
mkfifo fifo.yaml
timeout 10 "$PWB" validate fifo.yaml >out.txt 2>err.txt
check_eq "FIFO preset: exit 2, no hang" "$?" 2
check_contains "FIFO preset: says why" "$(cat out.txt err.txt)" "fifo.yaml: error: cannot open: is a FIFO, not a regular file"
timeout 10 "$PWB" validate /dev/zero >out.txt 2>err.txt
check_eq "device preset: exit 2" "$?" 2
check_contains "device preset: says why" "$(cat out.txt err.txt)" "is a device, not a regular file"
$PYTHON - <<'PY' &
import socket, time
s = socket.socket(socket.AF_UNIX)
s.bind("sock.yaml")
s.listen(1)
time.sleep(8)
PY
sockpid=$!
wait_for 5 test -S sock.yaml
timeout 10 "$PWB" validate sock.yaml >out.txt 2>err.txt
check_eq "socket preset: exit 2, no hang" "$?" 2
check_contains "socket preset: says why" "$(cat out.txt err.txt)" "not a regular file"
kill "$sockpid" 2>/dev/null
wait "$sockpid" 2>/dev/null

# --- deep nesting --------------------------------------------------------
$PYTHON -c 'import sys; sys.stdout.write("pwb: 1\nmodel: m\nmetadata: " + "[" * 100000 + "]" * 100000 + "\n")' >deep.yaml
start=$(date +%s%N)
timeout 20 "$PWB" validate deep.yaml >out.txt 2>err.txt
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check_eq "100,000-deep preset: exit 2" "$rc" 2
check_contains "100,000-deep preset: refused at the limit" "$(cat out.txt err.txt)" "deep.yaml:3:210: error: YAML syntax: nested too deeply"
if [ "$ms" -lt 2000 ]; then ok "100,000-deep preset: refused in ${ms} ms (ASan build)"; else not_ok "100,000-deep preset: took ${ms} ms"; fi

# --- concurrent --record -------------------------------------------------
# The answer is held back 600 ms so both writers have loaded the file before
# either saves (a writer that loads after the other's save is a sequential
# update, rightly allowed).
server_start '[{"fixture": "stream_text_basic.sse", "headers_delay_ms": 600}]'
both=0
one=0
for round in $(seq 1 20); do
	write_preset c.yaml
	"$PWB" run --record c.yaml >a.out 2>a.err &
	pa=$!
	"$PWB" run --record c.yaml >b.out 2>b.err &
	pb=$!
	wait "$pa"; ra=$?
	wait "$pb"; rb=$?
	if [ "$ra" = 0 ] && [ "$rb" = 0 ]; then
		both=$((both + 1))
	elif [ "$ra" = 0 ] || [ "$rb" = 0 ]; then
		one=$((one + 1))
		loser=$([ "$ra" = 0 ] && echo b.err || echo a.err)
		grep -q "changed on disk" "$loser" || not_ok "round $round: the losing writer did not say the file changed" "$(cat "$loser")"
	fi
done
check_eq "concurrent --record: never both succeed (20 rounds)" "$both" 0
check_eq "concurrent --record: exactly one succeeds each round" "$one" 20
check_contains "concurrent --record: the answer is in the file" "$(cat c.yaml)" "Hello!"
server_stop

# --- stale temporaries ---------------------------------------------------
write_preset s.yaml
( exec sleep 0 ) & dead=$!
wait "$dead"
printf 'partial' >".s.yaml.pwbtmp-$dead-AbCdEf"
printf 'not ours' >".s.yaml.XXXXXX-other"
server_start '[{"fixture": "stream_text_basic.sse"}]'
"$PWB" run --record s.yaml >/dev/null 2>err.txt
check_eq "stale temporary: the save works" "$?" 0
check "stale temporary: removed (its writer is gone)" test ! -e ".s.yaml.pwbtmp-$dead-AbCdEf"
check "stale temporary: a file of another form is left alone" test -e ".s.yaml.XXXXXX-other"
server_stop

# --- stale autosave locks and temporaries of workbenches that are gone ---
mkdir -p ws/state/pwb
true & gone1=$!
wait "$gone1"
true & gone2=$!
wait "$gone2"
: >"ws/state/pwb/autosave-$gone1.lock"
printf 'x' >"ws/state/pwb/.autosave-$gone1.yaml.pwbtmp-$gone1-abcdef"
: >"ws/state/pwb/autosave-$gone2.lock"
printf '%s\n' '# pwb autosave' 'pwb: 1' >"ws/state/pwb/autosave-$gone2.yaml"
printf '<C-q>\n' >quit.script
XDG_STATE_HOME="$T/ws/state" XDG_CONFIG_HOME="$T/ws" HOME="$T/ws" TERM=xterm-256color \
	PWB_SCRIPT_OUT="$T/ws" "$PWB" --script quit.script </dev/null >out.txt 2>err.txt
check_eq "workbench start: exit 0" "$?" 0
check "stale autosave lock: removed (its instance is gone, nothing to restore)" \
	test ! -e "ws/state/pwb/autosave-$gone1.lock"
check "stale autosave temporary: removed" test ! -e "ws/state/pwb/.autosave-$gone1.yaml.pwbtmp-$gone1-abcdef"
check "an orphan autosave keeps its lock (it is offered for restore)" \
	test -e "ws/state/pwb/autosave-$gone2.lock" -a -e "ws/state/pwb/autosave-$gone2.yaml"

# --- export -o: symlink, full disk ---------------------------------------
write_preset e.yaml
echo "precious" >target.c
ln -s target.c link.c
"$PWB" export e.yaml --lang c -o link.c >/dev/null 2>err.txt
check_eq "export -o symlink: exit 2" "$?" 2
check_contains "export -o symlink: says why" "$(cat err.txt)" "is a symbolic link"
check_eq "export -o symlink: the target is untouched" "$(cat target.c)" "precious"
"$PWB" export e.yaml --lang c -o link.c --force >/dev/null 2>err.txt
check_eq "export -o symlink --force: exit 0" "$?" 0
check "export -o symlink --force: the link became the file" test -f link.c -a ! -L link.c
check_eq "export -o symlink --force: the old target is untouched" "$(cat target.c)" "precious"

mkdir full
if mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
	printf 'old export\n' >full/out.c
	dd if=/dev/zero of=full/filler bs=4k 2>/dev/null
	"$PWB" export e.yaml --lang c -o full/out.c >/dev/null 2>err.txt
	rc=$?
	check_eq "export -o on a full disk: exit 2" "$rc" 2
	check_contains "export -o on a full disk: says why" "$(cat err.txt)" "No space left on device"
	check_eq "export -o on a full disk: the old file is whole" "$(cat full/out.c)" "old export"
	check_eq "export -o on a full disk: no temporary left" "$(ls -A full | grep -c pwbtmp)" 0
	umount full
else
	skip "export -o on a full disk" "cannot mount a tmpfs here (not root, or no mount namespace)"
fi

# --- NUL in answer text --------------------------------------------------
cat >nul.sse <<'SSE'
event: message_start
data: {"type":"message_start","message":{"id":"msg_nul","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"before\u0000after"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " slow\u0000path"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":3}}

event: message_stop
data: {"type":"message_stop"}

SSE
server_start "[{\"fixture\": \"$T/nul.sse\"}]"
write_preset n.yaml
"$PWB" run n.yaml >out.txt 2>err.txt
check_eq "NUL in text: exit 0" "$?" 0
check_contains "NUL in text: nothing after it is lost (fast path)" "$(cat out.txt)" "before␀after"
check_contains "NUL in text: nothing after it is lost (cJSON path)" "$(cat out.txt)" "slow␀path"
"$PWB" run --record n.yaml >/dev/null 2>err.txt
check_contains "NUL in text: recorded whole" "$(cat n.yaml)" "before␀after slow␀path"
server_stop

# --- bytes that are not UTF-8: kept visibly as U+FFFD, and saved the same ---
sed 's/before\\u0000after/bad \xff\xfe byte/' nul.sse >bad.sse
server_start "[{\"fixture\": \"$T/bad.sse\"}]"
write_preset u.yaml
"$PWB" run u.yaml >out.txt 2>err.txt
check_eq "bad UTF-8: exit 0" "$?" 0
check_contains "bad UTF-8: shown as U+FFFD, the rest kept" "$(cat out.txt)" "bad �� byte slow␀path"
"$PWB" run --record u.yaml >/dev/null 2>err.txt
check_eq "bad UTF-8: the answer can be recorded (not refused)" "$?" 0
check_contains "bad UTF-8: recorded as shown" "$(cat u.yaml)" "bad �� byte"
server_stop

done_testing
