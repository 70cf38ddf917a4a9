# Writes doc/pwb.1.scd (the second file) with its line "@KEYS@" replaced by
# the key table in scdoc, made from the workbench's key dump (the first
# file: tests/tui/expected/keys_check/keys.txt, which tests/t/tui_script.sh
# keeps equal to what tui/actions.h and tui/keymap.c give).
#   awk -f scripts/man-keys.awk KEYS_DUMP PAGE.scd
function esc(s) {
	gsub(/\\/, "\\\\", s)
	gsub(/\*/, "\\*", s)
	gsub(/_/, "\\_", s)
	return s
}
FNR == NR {
	if (FNR <= 2 || $0 ~ /^[ \t]*$/)
		next
	if ($0 !~ /^  /) {
		keys = keys "## " esc($0) "\n\n"
		next
	}
	line = substr($0, 3)
	split_at = match(line, /  +/)
	if (!split_at)
		next
	k = substr(line, 1, split_at - 1)
	rest = substr(line, split_at + RLENGTH)
	name = rest
	sub(/ .*/, "", name)
	help = rest
	sub(/^[^ ]+ +/, "", help)
	n = split(k, each, " ")
	shown = ""
	for (i = 1; i <= n; i++)
		shown = shown (i > 1 ? ", " : "") "*" esc(each[i]) "*"
	keys = keys shown " (" esc(name) ")\n\t" esc(help) "\n\n"
	next
}
$0 == "@KEYS@" { printf "%s", keys; next }
{ print }
