#!/bin/sh
# Every answer that run, replay and the workbench receive lands in a real
# run log (read back with pwb log), with the version of the preset that
# asked; run --cache answers from it without sending (the server's request
# count); --no-log and PWB_LOG=off write nothing; a log that cannot be
# opened is a warning and the run still succeeds.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"
mkdir -p "$T/data"
export XDG_DATA_HOME="$T/data"
write_preset p.yaml claude-haiku-4-5
preset=$(pwd -P)/p.yaml
server_start '[{"echo": "A: "}]' || done_testing

# last_sent: the JSON body of the last POST /v1/messages the server got
# (the workbench also asks for the model list)
last_sent() {
	"$PYTHON" -c 'import json,sys
r = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps([x for x in r if x["path"] == "/v1/messages"][-1]["json"], separators=(",", ":"), sort_keys=True))' "$SRV_LOG"
}

# log_get EXPR: EXPR of `pwb log --json` (d = the latest answers, newest first)
log_get() { "$PWB" log --json | jget - "$1"; }

# ---- run -----------------------------------------------------------------
out=$("$PWB" run p.yaml 2>"$T/err")
check_eq "run: exit 0 and the answer" "$?:$out" "0:A: Say hello."
check_eq "run: nothing on stderr" "$(cat "$T/err")" ""
check "run: the log exists" test -f "$T/log.db"
check_eq "run: the log's mode is 0600" "$(stat -c %a "$T/log.db")" 600
check_eq "run: one answer recorded" \
	"$(log_get '[(a["id"], a["command"], a["model"], a["outcome"], a["cached"], a["text"]) for a in d]')" \
	'[[1,"run","claude-haiku-4-5","complete",false,"A: Say hello."]]'
check_eq "run: under the preset's absolute path" "$(log_get 'd[0]["preset_path"]')" "$preset"
v1=$(log_get 'd[0]["version_id"]')
check "run: a version id (8 hex digits)" sh -c "printf '%s' '$v1' | grep -qxE '[0-9a-f]{8}'"
out=$("$PWB" log p.yaml)
check_contains "run: pwb log FILE lists the version" "$(echo "$out" | sed -n 2p)" "$v1  claude-haiku-4-5"
check_contains "run: the first version" "$(echo "$out" | sed -n 2p)" "first version"
"$PWB" log show 1 --json >"$T/a1.json"
check_eq "run: the request body is what the server got" \
	"$(jget "$T/a1.json" 'd["request"]["body"]')" "$(server_req 1 'd["json"]')"
check_eq "run: API version and base URL kept" \
	"$(jget "$T/a1.json" '[d["request"]["api_version"], d["request"]["base_url"]]')" \
	"[\"2023-06-01\",\"$ANTHROPIC_BASE_URL\"]"
check_eq "run: usage and cost recorded" \
	"$(jget "$T/a1.json" '[d["usage"]["input_tokens"], d["usage"]["output_tokens"], d["cost_usd"] > 0, d["latency_ms"] >= 0]')" \
	'[10,5,true,true]'
check "run: the version restores as the preset" sh -c "'$PWB' log show '$v1' --preset | grep -q 'content: Say hello.'"

# ---- run --cache ---------------------------------------------------------
out=$("$PWB" run --cache p.yaml 2>"$T/err")
check_eq "cache: exit 0 and the same answer" "$?:$out" "0:A: Say hello."
check_eq "cache: the server saw no new request" "$(server_count)" 1
check_eq "cache: stderr says it is cached, with the answer's id" "$(cat "$T/err")" \
	"(cached answer from the run log, id 1)"
check_eq "cache: nothing new recorded" "$(log_get 'len(d)')" 1
"$PWB" run --cache --json p.yaml >"$T/c.json" 2>"$T/err"
check_eq "cache --json: exit 0" "$?" 0
check_eq "cache --json: cached true, the message" \
	"$(jget "$T/c.json" '[d["outcome"], d["cached"], d["message"]["content"][0]["text"], d["error"]]')" \
	'["complete",true,"A: Say hello.",null]'
check_eq "cache --json: nothing on stderr" "$(cat "$T/err")" ""
check_eq "cache --json: the server saw no new request" "$(server_count)" 1
out=$("$PWB" run --json p.yaml)
check_eq "no --cache: no cached member" "$(printf '%s\n' "$out" | jget - '"cached" in d')" false
check_eq "no --cache: sent" "$(server_count)" 2
out=$("$PWB" run --cache --no-stream p.yaml 2>"$T/err")
check_eq "cache: another body is sent" "$?:$(server_count)" "0:3"
check_eq "cache: a miss says nothing" "$(cat "$T/err")" ""
# an error answer is recorded, and never answers from the cache
server_script '{"messages": [{"fixture": "error_401_authentication.json"}]}'
cp p.yaml e.yaml
printf 'temperature: 0.5\n' >>e.yaml
"$PWB" run e.yaml >/dev/null 2>&1
check_eq "error: exit 3" "$?" 3
check_eq "error: recorded with its outcome" "$(log_get '[d[0]["command"], d[0]["outcome"]]')" '["run","error"]'
eid=$(log_get 'd[0]["id"]')
check_eq "error: the error as run --json reports it" \
	"$("$PWB" log show "$eid" --json | jget - '[d["error"]["type"], d["error"]["http_status"]]')" \
	'["authentication_error",401]'
"$PWB" run --cache e.yaml >/dev/null 2>&1
check_eq "error: --cache does not answer from an error (sent again)" "$(server_count)" 2
server_script '[{"echo": "A: "}]'
out=$("$PWB" run --cache --no-log p.yaml 2>&1)
check_eq "cache with --no-log: usage error" "$?" 2
check_contains "cache with --no-log: says why" "$out" "--no-log"

# ---- --no-log, PWB_LOG=off, an unwritable log --------------------------
out=$(PWB_LOG="$T/other.db" "$PWB" run --no-log p.yaml 2>&1)
check_eq "--no-log: exit 0, no message" "$?:$out" "0:A: Say hello."
check "--no-log: no database" test ! -e "$T/other.db"
mkdir -p "$T/home"
out=$(HOME="$T/home" XDG_DATA_HOME="$T/xdg" PWB_LOG=off "$PWB" run p.yaml 2>&1)
check_eq "PWB_LOG=off: exit 0, no message" "$?:$out" "0:A: Say hello."
check_eq "PWB_LOG=off: no database anywhere" "$(find "$T/home" "$T/xdg" -name '*.db' 2>/dev/null)" ""
out=$(HOME="$T/home" XDG_DATA_HOME="$T/xdg" PWB_LOG=off "$PWB" run --cache p.yaml 2>&1)
check_eq "PWB_LOG=off --cache: exit 0, sent" "$?:$(server_count)" "0:3"
check_contains "PWB_LOG=off --cache: a warning" "$out" "warning: --cache: the run log is off"
(unset PWB_LOG; HOME="$T/home" XDG_DATA_HOME="$T/xdg" "$PWB" run p.yaml >/dev/null 2>&1)
check "default: \$XDG_DATA_HOME/pwb/log.db" test -f "$T/xdg/pwb/log.db"
: >"$T/afile"
out=$(PWB_LOG="$T/afile/log.db" "$PWB" run p.yaml 2>"$T/err")
check_eq "unwritable log: exit 0 and the answer" "$?:$out" "0:A: Say hello."
check_contains "unwritable log: a warning" "$(cat "$T/err")" "pwb run: warning: run log not written: run log $T/afile/log.db"
out=$(PWB_LOG="$T/afile/log.db" "$PWB" run --json --cache p.yaml 2>/dev/null)
check_eq "unwritable log, --json --cache: exit 0, one object, sent" \
	"$?:$(printf '%s\n' "$out" | jget - '[d["outcome"], "cached" in d]')" '0:["complete",false]'

# ---- replay ---------------------------------------------------------------
"$PWB" run --record p.yaml >/dev/null 2>&1
before=$(log_get 'len(d)')
server_script '[{"echo": "B: "}]'
"$PWB" replay p.yaml >/dev/null 2>&1
check_eq "replay: exit 0" "$?" 0
check_eq "replay: the turn's answer recorded" \
	"$(log_get '[len(d), d[0]["command"], d[0]["outcome"], d[0]["text"]]')" \
	"[$((before + 1)),\"replay\",\"complete\",\"B: Say hello.\"]"
check_eq "replay: the same version as run (response: is not part of it)" "$(log_get 'd[0]["version_id"]')" "$v1"
rid=$(log_get 'd[0]["id"]')
check_eq "replay: the body recorded is the one sent" \
	"$("$PWB" log show "$rid" --json | jget - 'd["request"]["body"]')" "$(server_req 1 'd["json"]')"
cat >turns.yaml <<'EOF'
pwb: 1
model: claude-haiku-4-5
max_tokens: 64
messages:
  - role: user
    content: one
  - role: assistant
    content: "B: one"
  - role: user
    content: two
response:
  content:
    - type: text
      text: "B: two"
EOF
"$PWB" replay --all-turns turns.yaml >/dev/null 2>&1
check_eq "replay --all-turns: exit 0" "$?" 0
check_eq "replay --all-turns: one answer per turn" \
	"$(log_get '[a["text"] for a in d[:2] if a["command"] == "replay"]')" '["B: two","B: one"]'
server_script '{"messages": [{"fixture": "error_401_authentication.json"}]}'
"$PWB" replay p.yaml >/dev/null 2>&1
check_eq "replay error: exit 3" "$?" 3
check_eq "replay error: recorded" "$(log_get '[d[0]["command"], d[0]["outcome"]]')" '["replay","error"]'
server_script '[{"echo": "A: "}]'

# ---- a new version ---------------------------------------------------------
sed -i 's/max_tokens: 256/max_tokens: 300/' p.yaml
"$PWB" run p.yaml >/dev/null 2>&1
v2=$(log_get 'd[0]["version_id"]')
check "edit: a new version id" test "$v2" != "$v1"
out=$("$PWB" log p.yaml)
check_contains "edit: pwb log FILE, newest first, what changed" "$(echo "$out" | sed -n 2p)" "$v2  claude-haiku-4-5      max_tokens 256 -> 300"
check_contains "edit: then the first" "$(echo "$out" | sed -n 3p)" "$v1  claude-haiku-4-5      first version"

# ---- the workbench ---------------------------------------------------------
mkdir -p "$T/tui/state" "$T/tui/config"
printf '<C-r>\n@wait-idle\n<C-r>\n@wait-idle\n<C-q>\n' >"$T/tui.script"
before=$(log_get 'len(d)')
(cd "$T" && XDG_STATE_HOME="$T/tui/state" XDG_CONFIG_HOME="$T/tui/config" PWB_TEST_CLOCK=1000000 \
	TERM=xterm-256color "$PWB" --script "$T/tui.script" p.yaml </dev/null >"$T/tui.out" 2>&1)
check_eq "workbench: the script ran" "$?" 0
check_eq "workbench: both answers recorded" \
	"$(log_get "[(a['command'], a['outcome'], a['text'], a['version_id'], a['preset_path']) for a in d[:2]]")" \
	"[[\"tui\",\"complete\",\"A: Say hello.\",\"$v2\",\"$preset\"],[\"tui\",\"complete\",\"A: Say hello.\",\"$v2\",\"$preset\"]]"
check_eq "workbench: nothing else" "$(log_get 'len(d)')" "$((before + 2))"
check_eq "workbench: the body recorded is the one sent" \
	"$("$PWB" log show "$(log_get 'd[0]["id"]')" --json | jget - 'd["request"]["body"]')" \
	"$(last_sent)"
# edited in the workbench (a system prompt typed), not saved: a new version
printf '<M-1>\nBe brief.\n<C-r>\n@wait-idle\n@dump-screen s\n<C-q>\ny\n' >"$T/tui2.script"
mkdir -p "$T/tui.dump"
(cd "$T" && XDG_STATE_HOME="$T/tui/state" XDG_CONFIG_HOME="$T/tui/config" PWB_TEST_CLOCK=1000000 \
	PWB_SCRIPT_OUT="$T/tui.dump" TERM=xterm-256color "$PWB" --script "$T/tui2.script" p.yaml \
	</dev/null >"$T/tui.out" 2>&1)
check_eq "workbench edit: the script ran" "$?" 0
v3=$(log_get 'd[0]["version_id"]')
check_eq "workbench edit: the request had the edit" "$(last_sent | jget - 'd["system"]')" "Be brief."
check_contains "workbench edit: a new version, listed for the file" "$("$PWB" log p.yaml | sed -n 2p)" \
	"$v3  claude-haiku-4-5      system"
# a log that cannot be opened: one message, the run still works
: >"$T/bfile"
printf '@dump-screen start\n<C-r>\n@wait-idle\n<C-q>\n' >"$T/tui3.script"
rm -rf "$T/tui.dump" && mkdir -p "$T/tui.dump"
n=$(server_count /v1/messages)
(cd "$T" && PWB_LOG="$T/bfile/log.db" XDG_STATE_HOME="$T/tui/state" XDG_CONFIG_HOME="$T/tui/config" \
	PWB_TEST_CLOCK=1000000 PWB_SCRIPT_OUT="$T/tui.dump" TERM=xterm-256color \
	"$PWB" --script "$T/tui3.script" p.yaml </dev/null >"$T/tui.out" 2>&1)
check_eq "workbench, unwritable log: the script ran" "$?" 0
check_contains "workbench, unwritable log: one message line" "$(cat "$T/tui.dump/start")" "run log not written"
check_eq "workbench, unwritable log: the run was sent" "$(server_count /v1/messages)" "$((n + 1))"

done_testing
