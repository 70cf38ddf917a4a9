#!/bin/sh
# Where the key comes from (environment, else ./.env), what a .env may not
# do (redirect the endpoint), masking, the admin key refusal and the missing
# key message; each checked on what reaches the server and what pwb prints.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
write_preset p.yaml
server_start '[{"fixture": "stream_text_basic.sse"}]' || exit 1
DOTKEY="sk-ant-api03-FAKEdotenvKEY9876543210zyxwvutsrqponmlkjihgfedcba-BBBB"

# From the environment.
$PWB run p.yaml >out.txt 2>err.txt
check_eq "env key: answer" "$?/$(cat out.txt)" "0/Hello!"
check_eq "env key: sent as x-api-key" "$(server_req 1 'd["headers"]["x-api-key"]')" "$FAKE_KEY"
check_not_contains "env key: never printed" "$(cat out.txt err.txt)" "$FAKE_KEY"

# From .env when the environment has none: quotes, comments, export, and
# other names ignored with a warning (a .env cannot redirect the endpoint).
cat >.env <<E
# a comment line
OTHER_THING=1
ANTHROPIC_BASE_URL=http://127.0.0.1:9
export ANTHROPIC_API_KEY="$DOTKEY"   # trailing comment
E
server_script '[{"fixture": "stream_text_basic.sse"}]'
env -u ANTHROPIC_API_KEY $PWB run p.yaml >out.txt 2>err.txt
check_eq ".env key: answer from the test server, not the .env's URL" "$?/$(cat out.txt)" "0/Hello!"
check_eq ".env key: sent as x-api-key" "$(server_req 1 'd["headers"]["x-api-key"]')" "$DOTKEY"
check_contains ".env: ANTHROPIC_BASE_URL ignored with a warning" "$(cat err.txt)" "ANTHROPIC_BASE_URL"
check_contains ".env: other names warned about" "$(cat err.txt)" "OTHER_THING"
check_not_contains ".env key: never printed" "$(cat out.txt err.txt)" "$DOTKEY"
printf "ANTHROPIC_API_KEY='%s'\n" "$DOTKEY" >.env
server_script '[{"fixture": "stream_text_basic.sse"}]'
env -u ANTHROPIC_API_KEY $PWB run p.yaml >/dev/null 2>&1
check_eq ".env single-quoted key" "$(server_req 1 'd["headers"]["x-api-key"]')" "$DOTKEY"
# The environment wins over .env.
server_script '[{"fixture": "stream_text_basic.sse"}]'
$PWB run p.yaml >/dev/null 2>&1
check_eq "environment wins over .env" "$(server_req 1 'd["headers"]["x-api-key"]')" "$FAKE_KEY"

# 401: the masked key and where it came from, never the key.
server_script '[{"fixture": "error_401_authentication"}]'
env -u ANTHROPIC_API_KEY $PWB run p.yaml >out.txt 2>err.txt
check_eq "401 from a .env key: exit 3" "$?" 3
check_contains "401: masked key shown" "$(cat err.txt)" "sk-ant-api03-…BBBB"
check_contains "401: the key's source named" "$(cat err.txt)" ".env"
check_not_contains "401: the key itself is not printed" "$(cat out.txt err.txt)" "$DOTKEY"
rm -f .env

# Missing key: exit 2, both places named, nothing sent.
server_script '[{"fixture": "stream_text_basic.sse"}]'
env -u ANTHROPIC_API_KEY $PWB run p.yaml >out.txt 2>err.txt
check_eq "missing key: exit 2" "$?" 2
check_contains "missing key: names the environment variable" "$(cat err.txt)" "set ANTHROPIC_API_KEY in the environment"
check_contains "missing key: names the .env file" "$(cat err.txt)" ".env file in the current directory"
check_eq "missing key: nothing sent" "$(server_count)" 0
ANTHROPIC_API_KEY= $PWB run --json p.yaml >out.txt 2>/dev/null
check_eq "empty key counts as missing (--json)" "$?/$(jget out.txt '[d["outcome"], d["message"], d["error"]["type"], "ANTHROPIC_API_KEY" in d["error"]["message"], d["error"]["http_status"]]')" \
	'2/["error",null,"missing_key",true,null]'

# Admin key: refused with the reason, exit 2, nothing sent; from .env too.
ADMIN="sk-ant-admin01-FAKEadminKEY0123456789abcdefghijklmnopqrstu-CCCC"
ANTHROPIC_API_KEY=$ADMIN $PWB run p.yaml >out.txt 2>err.txt
check_eq "admin key: exit 2" "$?" 2
check_contains "admin key: says why" "$(cat err.txt)" "Admin API key"
check_not_contains "admin key: not printed" "$(cat out.txt err.txt)" "$ADMIN"
printf 'ANTHROPIC_API_KEY=%s\n' "$ADMIN" >.env
env -u ANTHROPIC_API_KEY $PWB run --json p.yaml >out.txt 2>/dev/null
check_eq "admin key from .env: --json" "$?/$(jget out.txt '[d["outcome"], d["error"]["type"]]')" '2/["error","invalid_key"]'
env -u ANTHROPIC_API_KEY $PWB count p.yaml >/dev/null 2>err.txt
check_eq "admin key: count refuses too" "$?" 2
check_eq "admin key: nothing sent" "$(server_count)" 0
rm -f .env

done_testing
