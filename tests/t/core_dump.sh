#!/bin/sh
# A core dump of pwb would hold the API key: pwb sets RLIMIT_CORE to 0 and
# PR_SET_DUMPABLE to 0 at start, unless PWB_CORE_DUMPS=1. With ulimit -c
# unlimited, pwb is killed by SIGABRT and SIGSEGV while streaming and no
# core appears. Dumpability is checked from outside: pwb runs as nobody,
# and /proc/PID/status of a non-dumpable process belongs to root.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
if [ "$(id -u)" != 0 ] || ! command -v setpriv >/dev/null; then
	skip "core dumps" "needs root and setpriv to run pwb as nobody"
	done_testing
fi
echo "# core_pattern: $(cat /proc/sys/kernel/core_pattern)"
mkdir c && chmod 777 c && cd c || exit 1
write_preset p.yaml
chmod 644 p.yaml
server_start '[{"generate": {"deltas": 2000, "size": 3}, "drip_ms": 5}]'
NOBODY=$(id -u nobody)
# ASan keeps its own default of no core dumps: turn it off so that only
# pwb's own protection is tested.
export ASAN_OPTIONS="disable_coredump=0:handle_segv=0:handle_abort=0:detect_leaks=0"

# start_pwb: pwb run in the background as nobody, core size unlimited;
# waits until the answer streams; sets PID
start_pwb() {
	rm -f out.txt
	(ulimit -c unlimited; exec setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		"$PWB" run p.yaml >out.txt 2>err.txt) &
	PID=$!
	wait_for 20 test -s out.txt
}

for pair in ABRT:6 SEGV:11; do
	sig=${pair%:*} num=${pair#*:}
	start_pwb
	check_eq "$sig: the answer is streaming" "$(head -c 3 out.txt)" "aaa"
	check_contains "$sig: RLIMIT_CORE is 0" "$(grep 'Max core file size' /proc/$PID/limits)" "Max core file size        0"
	check_eq "$sig: not dumpable (/proc/PID/status belongs to root)" "$(stat -c %u /proc/$PID/status)" 0
	kill -$sig $PID
	wait $PID
	rc=$?
	check_eq "$sig: killed by the signal" "$rc" "$((128 + num))"
	check_eq "$sig: no core file" "$(ls | grep -c core)" 0
	server_script '[{"generate": {"deltas": 2000, "size": 3}, "drip_ms": 5}]'
done

# PWB_CORE_DUMPS=1 leaves both alone (ended with SIGTERM: no core needed)
export PWB_CORE_DUMPS=1
start_pwb
check_contains "PWB_CORE_DUMPS=1: RLIMIT_CORE left unlimited" "$(grep 'Max core file size' /proc/$PID/limits)" "unlimited"
check_eq "PWB_CORE_DUMPS=1: dumpable" "$(stat -c %u /proc/$PID/status)" "$NOBODY"
kill -TERM $PID
wait $PID
rm -f core*

done_testing
