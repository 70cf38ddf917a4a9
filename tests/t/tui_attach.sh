#!/bin/sh
# Images and PDFs: the workbench's attach key puts {type: image|document,
# path} into the user turn; what is sent is a base64 source with the media
# type from the file's first bytes (the server checks the body); a file over
# the API's limit, or of another kind, is refused naming it. pwb request
# reads the same blocks relative to the preset's folder.
. "$(dirname "$0")/../lib.sh"
export TERM=xterm-256color
unset NO_COLOR VISUAL EDITOR
dir="$T/work"
mkdir -p "$dir/state" "$dir/config" "$dir/data" "$T/out"
cp "$PWB_ROOT/tests/tui/hello.yaml" "$dir/"
printf '\211PNG\r\n\032\n\000\000\000\rIHDRtiny' >"$dir/cat.png"
printf '%%PDF-1.4\n%%tiny\n' >"$dir/spec.pdf"
printf 'just text\n' >"$dir/notes.txt"
{ printf '\211PNG\r\n\032\n'; head -c $((5 * 1024 * 1024)) /dev/zero; } >"$dir/big.png"
server_start '[{"fixture":"stream_text_basic.sse"}]' || done_testing
(
	cd "$dir" || exit 1
	XDG_STATE_HOME="$dir/state" XDG_CONFIG_HOME="$dir/config" XDG_DATA_HOME="$dir/data" HOME="$dir" \
		PWB_SCRIPT_OUT="$T/out" "$PWB" --script "$PWB_ROOT/tests/tui/attach.script" hello.yaml \
		</dev/null >"$T/stdout" 2>"$T/stderr"
)
rc=$?
if [ "$rc" = 0 ]; then ok "script ran"; else not_ok "script ran (exit $rc)" "$(head -20 "$T/stderr")"; fi
check_contains "Tab completes the one name that matches" "$(tail -n 1 "$T/out/completed.screen")" \
	"(path, Tab completes): cat.png"
check_contains "Tab shows the names when several match" "$(tail -n 1 "$T/out/choices.screen")" \
	"Attach (2 match: spec.pdf  state): s"
st=$(cat "$T/out/attached.state" 2>/dev/null)
check_contains "the turn holds the image by path" "$st" '"type":"image","path":"cat.png"'
check_contains "and the PDF as a document" "$st" '"type":"document","path":"spec.pdf"'
check_contains "the text stays as a text block" "$st" '"type":"text","text":"Say hello to {{who}}."'
check_eq "one request was sent" "$(server_count /v1/messages)" 1
grep '"path": *"/v1/messages"' "$SRV_LOG" | head -1 | jget - 'd["json"]' >"$T/body.json"
b64png=$(base64 -w0 "$dir/cat.png")
b64pdf=$(base64 -w0 "$dir/spec.pdf")
check_eq "sent: the image as a base64 PNG source" \
	"$(jget "$T/body.json" 'd["messages"][0]["content"][1]["source"]')" \
	"{\"data\":\"$b64png\",\"media_type\":\"image/png\",\"type\":\"base64\"}"
check_eq "sent: the PDF as a base64 application/pdf source" \
	"$(jget "$T/body.json" 'd["messages"][0]["content"][2]["source"]')" \
	"{\"data\":\"$b64pdf\",\"media_type\":\"application/pdf\",\"type\":\"base64\"}"
check_eq "sent: no path goes to the API" "$(jget "$T/body.json" '"path" in d["messages"][0]["content"][1]')" false
check_contains "a text file is not attached, named" "$(grep 'message line' "$T/out/text.state")" \
	"not attached: notes.txt is not a PNG, JPEG, GIF or WebP image, nor a PDF"
check_contains "a too-large image is refused, named" "$(grep 'message line' "$T/out/big.state")" \
	"big.png is larger than the API takes (an image up to 5 MB)"
check_eq "and nothing more was sent" "$(server_count /v1/messages)" 1

# pwb request: the same blocks, relative to the preset's folder, from elsewhere
mkdir -p "$dir/p"
cp "$dir/cat.png" "$dir/p/"
cat >"$dir/p/img.yaml" <<'YAML'
pwb: 1
model: claude-sonnet-4-5
max_tokens: 64
messages:
  - role: user
    content:
      - {type: text, text: What is this?}
      - {type: image, path: cat.png}
YAML
out=$(cd "$T" && "$PWB" request "$dir/p/img.yaml" 2>&1)
check_contains "pwb request: the image read relative to the preset" "$out" "\"data\":\"$b64png\""
check_contains "pwb request: its media type from its content" "$out" '"media_type":"image/png"'
out=$(cd "$T" && "$PWB" export "$dir/p/img.yaml" --lang curl 2>&1)
check_contains "pwb export: the same base64 source" "$out" "$b64png"
rm "$dir/p/cat.png"
out=$(cd "$T" && "$PWB" request "$dir/p/img.yaml" 2>&1)
rc=$?
check "pwb request: a missing file fails" [ "$rc" != 0 ]
check_contains "pwb request: the error names the file" "$out" "cat.png cannot be read"
done_testing
