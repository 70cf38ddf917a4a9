#!/bin/sh
# The test runner itself (tests/run.sh): a program passes only with a TAP plan
# that matches what it printed; skips fail under CI=true; PWB_UPDATE_DUMPS is
# refused under CI=true. Each case runs the runner on small fake programs.
. "$(dirname "$0")/../lib.sh"
unset CI PWB_UPDATE_DUMPS TESTS VERBOSE

# fake NAME BODY: an executable shell program $T/NAME.
fake() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1"
	chmod +x "$T/$1"
}

# runner PROGRAM...: runs tests/run.sh on them; sets rc and out.
runner() {
	out=$(JOBS=1 bash "$PWB_ROOT/tests/run.sh" "$@" 2>&1)
	rc=$?
}

fake noplan 'echo "ok - one"; echo "ok - two"'
runner "$T/noplan"
check_eq "no plan: the runner fails" "$rc" 1
check_contains "no plan: ... and says why" "$out" "printed no TAP plan"

fake silent 'exit 0'
runner "$T/silent"
check_eq "exit 0 printing nothing: the runner fails" "$rc" 1
check_contains "exit 0 printing nothing: ... and says why" "$out" "printed no TAP plan"

fake short 'echo "1..3"; echo "ok - one"; echo "ok - two"'
runner "$T/short"
check_eq "fewer results than planned: the runner fails" "$rc" 1
check_contains "fewer results than planned: ... and says why" "$out" "planned 3 results and printed 2"

fake long 'echo "ok - one"; echo "ok - two"; echo "1..1"'
runner "$T/long"
check_eq "more results than planned: the runner fails" "$rc" 1

fake twoplans 'echo "1..1"; echo "ok - one"; echo "1..1"'
runner "$T/twoplans"
check_eq "two plans: the runner fails" "$rc" 1

fake crash 'echo "1..1"; echo "ok - one"; exit 3'
runner "$T/crash"
check_eq "a non-zero exit with every result ok: the runner fails" "$rc" 1

fake good_end 'echo "ok - one"; echo "ok - two # SKIP not here"; echo "1..2"'
fake good_start 'echo "1..1"; echo "ok - one"'
runner "$T/good_end" "$T/good_start"
check_eq "plans that match (first or last): the runner passes" "$rc" 0
check_contains "... and counts the skip" "$out" "2 passed, 0 failed, 1 skipped"

fake whole_skip 'echo "1..0 # SKIP no such tool"'
runner "$T/whole_skip"
check_eq "a plan 1..0 with a skip reason: the program passes" "$rc" 0
check_contains "... counted as one skip" "$out" "0 passed, 0 failed, 1 skipped"
out=$(CI=true JOBS=1 bash "$PWB_ROOT/tests/run.sh" "$T/whole_skip" "$T/good_end" 2>&1)
check_eq "under CI=true a skip fails" "$?" 1

out=$(CI=true PWB_UPDATE_DUMPS=1 JOBS=1 bash "$PWB_ROOT/tests/run.sh" "$T/good_start" 2>&1)
check_eq "PWB_UPDATE_DUMPS=1 under CI=true: refused" "$?" 1
check_contains "... saying why" "$out" "refused under CI=true"

# tests/lib.sh's done_testing prints the plan of what the helpers printed.
fake uses_lib ". '$PWB_ROOT/tests/lib.sh'
ok first
check_eq second 1 1
skip third 'not here'
printf 'ok - relayed\n# a note\n' >\"\$T/other.out\"
tap_relay \"\$T/other.out\"
done_testing"
"$T/uses_lib" >"$T/uses_lib.out" 2>&1
check_eq "lib.sh: done_testing prints the plan last" "$(tail -1 "$T/uses_lib.out")" "1..4"
runner "$T/uses_lib"
check_eq "lib.sh: a script using it passes the runner" "$rc" 0

fake lib_fails ". '$PWB_ROOT/tests/lib.sh'
printf 'not ok - relayed\n' >\"\$T/other.out\"
tap_relay \"\$T/other.out\"
done_testing"
"$T/lib_fails" >/dev/null 2>&1
check_eq "lib.sh: a relayed failure fails the script" "$?" 1

done_testing
