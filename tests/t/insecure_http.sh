#!/bin/sh
# ANTHROPIC_BASE_URL: plain http:// to a host that is not loopback would send
# the key in clear: refused (exit 2, with the reason) unless
# PWB_ALLOW_INSECURE=1. A malformed URL is bad input (exit 2), shown without
# its userinfo and with control characters escaped. Nothing leaves the
# machine: refused URLs are never connected to.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml
server_start '[{"fixture": "stream_text_basic.sse"}]'
LOCAL=$ANTHROPIC_BASE_URL

for url in http://api.example.com http://10.1.2.3:8080 "http://[2001:db8::1]/"; do
	ANTHROPIC_BASE_URL=$url $PWB run p.yaml >out.txt 2>err.txt
	check_eq "$url: exit 2" "$?" 2
	check_contains "$url: the reason" "$(cat err.txt)" "plain http:// to a host that is not loopback"
	check_contains "$url: the way out" "$(cat err.txt)" "PWB_ALLOW_INSECURE=1"
	ANTHROPIC_BASE_URL=$url $PWB run --json p.yaml >out.json 2>/dev/null
	check_eq "$url --json: exit 2" "$?" 2
	check_eq "$url --json: one object" "$(jget out.json 'd["outcome"]')" "error"
	for cmd in count models; do
		ANTHROPIC_BASE_URL=$url $PWB $cmd $([ $cmd = count ] && echo p.yaml) >/dev/null 2>err.txt
		check_eq "$url $cmd: exit 2" "$?" 2
	done
done

# loopback is fine in every spelling
for host in 127.0.0.1 localhost; do
	ANTHROPIC_BASE_URL=$(echo "$LOCAL" | sed "s/127.0.0.1/$host/") $PWB run p.yaml >out.txt 2>err.txt
	check_eq "loopback $host: answered" "$?/$(cat out.txt)" "0/Hello!"
done
# all of 127.0.0.0/8 (the server listens on 127.0.0.1 only: refused, exit 4)
ANTHROPIC_BASE_URL=$(echo "$LOCAL" | sed "s/127.0.0.1/127.8.9.10/") $PWB run --max-retries 0 p.yaml >out.txt 2>err.txt
check_eq "loopback 127.8.9.10: allowed (exit 4, connection refused)" "$?" 4
check_not_contains "loopback 127.8.9.10: not refused as insecure" "$(cat err.txt)" "not loopback"

# PWB_ALLOW_INSECURE=1: allowed (this machine's own address; the server
# listens on loopback only, so the connection is refused: exit 4, not 2)
ADDR=$(hostname -I 2>/dev/null | awk '{print $1}')
case $ADDR in
'' | 127.* | *:*) skip "PWB_ALLOW_INSECURE=1" "no non-loopback IPv4 address here" ;;
*)
	PWB_ALLOW_INSECURE=1 ANTHROPIC_BASE_URL="http://$ADDR:$(free_port)" $PWB run --max-retries 0 p.yaml >out.txt 2>err.txt
	check_eq "PWB_ALLOW_INSECURE=1: sent (connection refused, exit 4)" "$?" 4
	check_not_contains "PWB_ALLOW_INSECURE=1: no refusal" "$(cat err.txt)" "not loopback"
	;;
esac

# malformed URLs
for url in "not a url" "http://" "ftp://127.0.0.1/" "127.0.0.1:8080"; do
	ANTHROPIC_BASE_URL=$url $PWB run p.yaml >out.txt 2>err.txt
	check_eq "malformed '$url': exit 2" "$?" 2
	check_contains "malformed '$url': said so" "$(cat err.txt)" "is not a valid http:// or https:// URL"
done
ANTHROPIC_BASE_URL="$(printf 'https://user:s3cretpw@exa\033]0;x\007mple.com/')" $PWB run p.yaml >out.txt 2>err.txt
check_eq "userinfo and a control character: exit 2" "$?" 2
check_not_contains "userinfo removed" "$(cat err.txt)" "s3cretpw"
check_contains "control character escaped" "$(cat err.txt)" "exa^[]0;x^Gmple.com"
check_eq "nothing else was sent" "$(server_count)" 2

done_testing
