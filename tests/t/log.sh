#!/bin/sh
# pwb log on a real run log: the latest answers, the versions of a preset
# with what changed and their evals, show (answer, version, --preset), diff,
# --json, and the refusals (log off, no log yet, unknown ids). The log is
# filled through the core API by test_runlog --fill (no recording command
# exists yet).
. "$(dirname "$0")/../lib.sh"

FILL="${PWB_BUILD:-$PWB_ROOT/build}/asan/tests/test_runlog"
[ -x "$FILL" ] || FILL="$(dirname "$PWB")/tests/test_runlog"
export PWB_LOG="$T/log.db"
write_preset "$T/p.yaml"
preset=$(cd "$T" && pwd -P)/p.yaml

out=$($PWB log 2>&1)
check_eq "no log yet: exit 2, says where" "$?:$out" "2:pwb log: no run log yet at $T/log.db"
check "no log yet: reading created nothing" test ! -e "$T/log.db"

ids=$("$FILL" --fill "$PWB_LOG" "$preset")
check_eq "filled" "$?" 0
v1=${ids% *}
v2=${ids#* }

out=$($PWB log)
check_eq "latest: exit 0" "$?" 0
check_contains "latest: newest first, cached marked" "$(echo "$out" | sed -n 2p)" "eval    claude-a             $v2  complete     0.0123  (cached) Second answer"
check_contains "latest: first line of the text only" "$(echo "$out" | sed -n 3p)" "run     claude-a             $v1  complete     0.0123  Hello there"
check_not_contains "latest: not the second line" "$out" "second line"
check_eq "latest: -n 1" "$($PWB log -n 1 | wc -l)" 2

out=$($PWB log --json -n 1)
check_eq "latest --json" "$(printf "%s\n" "$out" | jget - '[d[0]["id"], d[0]["command"], d[0]["cached"], d[0]["text"]]')" \
	'[2,"eval",true,"Second answer"]'

out=$(cd "$T" && $PWB log p.yaml)
check_eq "versions: exit 0" "$?" 0
check_contains "versions: newest with change and evals" "$(echo "$out" | sed -n 2p)" \
	"$v2  claude-a              temperature 0.7 -> 0.3; system +1 line; evals: 3/4 passed"
check_contains "versions: the first" "$(echo "$out" | sed -n 3p)" "$v1  claude-a              first version"
out=$($PWB log "$preset" --json)
check_eq "versions --json" "$(printf "%s\n" "$out" | jget - '[v["version_id"] for v in d]')" "[\"$v2\",\"$v1\"]"

out=$($PWB log show 1)
check_contains "show answer: fields" "$out" "version_id   $v1"
check_contains "show answer: the whole text" "$out" "Hello there
second line"
check_eq "show answer --json" "$($PWB log show 1 --json | jget - '[d["latency_ms"], d["usage"]["output_tokens"], d["request"]["api_version"]]')" \
	'[321,7,"2023-06-01"]'

$PWB log show "$v1" --preset >"$T/old.yaml"
check_eq "show --preset: the version as a preset" "$(cat "$T/old.yaml")" "pwb: 1
model: claude-a
max_tokens: 64
temperature: 0.7
system: |
  one
messages:
- role: user
  content: hi"
out=$($PWB validate "$T/old.yaml" 2>&1)
check_eq "show --preset: a valid preset" "$?" 0
check_contains "show version: a header" "$($PWB log show "$v2")" "# version $v2"

out=$($PWB log diff "$v1" "$v2")
check_eq "diff" "$out" "@@ -1,9 +1,10 @@
 pwb: 1
 model: claude-a
 max_tokens: 64
-temperature: 0.7
+temperature: 0.3
 system: |
   one
+  two
 messages:
 - role: user
   content: hi"

out=$($PWB log show 99 2>&1)
check_eq "show unknown answer: exit 2" "$?:$out" "2:pwb log: no answer 99 in the log"
out=$($PWB log diff "$v1" 0000ffff 2>&1)
check_eq "diff unknown version: exit 2" "$?:$out" "2:pwb log: no version 0000ffff in the log"
out=$($PWB log -n x 2>&1)
check_eq "bad -n: exit 2" "$?" 2
out=$(PWB_LOG=off $PWB log 2>&1)
check_eq "log off: exit 2" "$?:$out" "2:pwb log: the run log is off (PWB_LOG=off)"

done_testing
