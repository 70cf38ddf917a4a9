#!/bin/sh
# The workbench's Evaluate view beyond its screen dumps (tests/tui/cases/
# eval_*.script): a run and its grades land in the run log (read back from
# the database), and a table of 10,000 rows with many variables (a CSV
# generated here) scrolls to its end and sideways.
. "$(dirname "$0")/../lib.sh"
cd "$T" || exit 1
export PWB_LOG="$T/log.db"
export PWB_TEST_CLOCK=1000000 TERM=xterm-256color TZ=UTC
mkdir -p "$T/state" "$T/config" "$T/dump"
export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
export PWB_SCRIPT_OUT="$T/dump"
cp "$PWB_ROOT/tests/tui/eval.yaml" e.yaml
server_start '[{"echo": "A: "}]' || done_testing

# sql QUERY: rows of the run log, as Python lists
sql() {
	"$PYTHON" -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print([list(r) for r in db.execute(sys.argv[2])])' "$T/log.db" "$1"
}

# ---- a run, graded ----------------------------------------------------------
printf '<F11>\n<C-r>\n@wait-text 3/4 75%%\nj\n4\nj\nj\n2\nk\n5\n0\n<Esc>\n<C-q>\n' >grade.script
"$PWB" --script grade.script e.yaml </dev/null >out.txt 2>err.txt
check_eq "grade: the script ran" "$?" 0
check_eq "grade: one eval run of four rows, recorded as finished" \
	"$(sql 'select passed, failed, errors, total, ended_at is not null from eval_runs')" "[[3, 1, 0, 4, 1]]"
check_eq "grade: each row's outcome, and the grades given (row 3 graded then cleared)" \
	"$(sql 'select row_index, outcome, grade from eval_results order by row_index')" \
	"[[0, 'passed', None], [1, 'passed', 4], [2, 'failed', None], [3, 'passed', 2]]"
check_eq "grade: every result has its answer, recorded by the workbench" \
	"$(sql 'select count(*) from eval_results r join answers a on a.id = r.answer_id where a.command = "tui"')" "[[4]]"
check_contains "grade: the assertions with their reasons" \
	"$(sql 'select assertions from eval_results where row_index = 2')" "expected exactly"

# ---- rows edited in the view are the preset's: saved with Ctrl-S ------------------
cp "$PWB_ROOT/tests/tui/eval.yaml" edit.yaml
printf '<F11>\nj\ne\n<C-u>\nNice\n<Enter>\na\ne\nOslo\n<Enter>\n<Right>\ne\nNorway\n<Enter>\nj\nj\nd\n<Esc>\n<C-s>\n<C-q>\n' >edit.script
"$PWB" --script edit.script edit.yaml </dev/null >out.txt 2>err.txt
check_eq "edit: the script ran" "$?" 0
check_eq "edit: the saved preset is valid" "$("$PWB" validate edit.yaml >/dev/null 2>&1; echo $?)" 0
rows=$("$PWB" eval edit.yaml --json 2>/dev/null | jget - '[r["vars"]["city"] + "/" + r["vars"]["country"] for r in sorted(d["results"], key=lambda r: r["row"])]')
check_eq "edit: the saved rows (a cell changed, a row added, one deleted)" "$rows" \
	'["Paris/France","Nice/France","Oslo/Norway","Berlin/Germany"]'
check_contains "edit: the row's own assertions kept" "$(cat edit.yaml)" "value: LYON"

# ---- import a CSV with quoted cells, export the results -------------------------
cp "$PWB_ROOT/tests/tui/eval.yaml" imp.yaml
cp "$PWB_ROOT/tests/tui/import.csv" import.csv
printf '<F11>\ni\nimport.csv\n<Enter>\n<C-r>\n@wait-text evaluation done\nG\n2\nx\n<C-u>\nres.jsonl\n<Enter>\nx\n<C-u>\nres.csv\n<Enter>\n<Esc>\n<C-s>\n<C-q>\n' >imp.script
"$PWB" --script imp.script imp.yaml </dev/null >out.txt 2>err.txt
check_eq "import: the script ran" "$?" 0
check_eq "import: the saved preset is valid" "$("$PWB" validate imp.yaml >/dev/null 2>&1; echo $?)" 0
check_contains "import: the quoted cell saved whole" "$(cat imp.yaml)" 'Saint-Denis, Réunion'
check_contains "import: the __expected cell became the row's assertion" "$(cat imp.yaml)" "value: Denis"
check_eq "export: one JSON line per row" "$(wc -l <res.jsonl | tr -d ' ')" 7
check_eq "export: eval -o's fields, then the grade" \
	"$(head -1 res.jsonl | jget - 'list(d.keys())')" \
	'["preset","version","model","row","repeat","description","vars","outcome","output","message","usage","cost_usd","latency_ms","assertions","error","cached","grade"]'
check_eq "export: a row's vars and outcome" \
	"$(sed -n 5p res.jsonl | jget - '[d["vars"]["city"], d["outcome"], d["row"]]')" '["Saint-Denis, R\u00e9union","passed",4]'
check_eq "export: the grade given (row 7)" "$(sed -n 7p res.jsonl | jget - 'd["grade"]')" 2
csv=$("$PYTHON" -c 'import csv, json, sys
rows = list(csv.DictReader(open("res.csv", newline="")))
print(json.dumps([len(rows), rows[4]["city"], rows[6]["city"], rows[6]["grade"], rows[2]["outcome"], rows[0]["answer"]]))')
check_eq "export: the CSV reads back (quoted cells, the grade, the outcome, the answer)" "$csv" \
	'[7, "Saint-Denis, R\u00e9union", "Line\nBreak", "2", "failed", "A: Q Paris in France"]'

# ---- 10,000 rows, eight variables ---------------------------------------------
"$PYTHON" - <<'PY'
with open("rows.csv", "w") as f:
    f.write("alpha,bravo,charlie,delta,echo,foxtrot,golf,hotel,__expected\n")
    for i in range(10000):
        f.write(",".join("%s%d" % (c, i) for c in "abcdefgh") + ",contains:a\n")
PY
cat >big.yaml <<'EOF2'
pwb: 1
model: claude-haiku-4-5
max_tokens: 100
messages:
- role: user
  content: "{{alpha}} {{bravo}} {{charlie}} {{delta}} {{echo}} {{foxtrot}} {{golf}} {{hotel}}"
tests: rows.csv
EOF2
printf '<F11>\n@dump-screen top\n<End>\n@dump-screen end\n<PgUp>\n<Right>\n<Right>\n<Right>\n@dump-screen sideways\n<Home>\n<Left>\n<Left>\n<Left>\n@dump-screen back\n<Esc>\n<C-q>\n' >big.script
"$PWB" --script big.script big.yaml </dev/null >out.txt 2>err.txt
check_eq "10,000 rows: the script ran" "$?" 0
check_contains "10,000 rows: the header counts them" "$(sed -n 3p dump/top)" "10000 rows  not run"
check_contains "10,000 rows: the first row at the top" "$(sed -n 5p dump/top)" "▸ 1     a0"
check_contains "10,000 rows: the variables' header" "$(sed -n 4p dump/top)" "#     alpha bravo"
check_contains "10,000 rows: End selects the last row" "$(sed -n 23p dump/end)" "▸ 10000 a9999"
check_contains "10,000 rows: PgUp a page back" "$(sed -n 5p dump/sideways)" "▸ 9982"
check_contains "10,000 rows: sideways, the fourth variable first" "$(sed -n 4p dump/sideways)" "#     delta echo"
check_not_contains "10,000 rows: sideways, alpha scrolled out" "$(sed -n 4p dump/sideways)" "alpha"
check_contains "10,000 rows: back to the first variable" "$(sed -n 4p dump/back)" "#     alpha bravo"
check_contains "10,000 rows: Home selects the first row again" "$(sed -n 5p dump/back)" "▸ 1     a0"

# ---- generate rows: the forced write_rows request, recorded in the log ------------
ROWS='{"rows": [{"description": "a port", "city": "Marseille", "country": "France"}, {"city": "Kyoto"}]}'
printf '[{"route": [{"match": "write_rows", "json": {"id": "msg_r", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [{"type": "tool_use", "id": "tu_1", "name": "write_rows", "input": %s}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 900, "output_tokens": 120}}}, {"echo": "A: "}]}]' "$ROWS" >rows-server.json
server_script rows-server.json
cp "$PWB_ROOT/tests/tui/eval.yaml" gen.yaml
printf '<F11>\nn\n<C-u>\n2\n<Enter>\n@wait-text rows generated\ny\n<Esc>\n<C-s>\n<C-q>\n' >gen.script
"$PWB" --script gen.script gen.yaml </dev/null >out.txt 2>err.txt
check_eq "generate rows: the script ran" "$?" 0
check_eq "generate rows: one request" "$(server_count /v1/messages)" 1
# the request (the workbench also asks for the model list)
genreq() { grep '"path": "/v1/messages"' "$SRV_LOG" | head -1 | jget - "$1"; }
check_eq "generate rows: a forced write_rows call with a string property per variable" \
	"$(genreq '[d["json"]["tool_choice"]["name"], d["json"]["tools"][0]["input_schema"]["properties"]["rows"]["items"]["required"], d["json"]["tools"][0]["input_schema"]["properties"]["rows"]["items"]["properties"]["city"]]')" \
	'["write_rows",["city","country"],{"type":"string"}]'
check_contains "generate rows: the request shows the prompt" "$(genreq 'd["json"]["messages"][0]["content"]')" 'Q {{city}} in {{country}}'
check_contains "generate rows: the request shows the existing rows" "$(genreq 'd["json"]["messages"][0]["content"]')" 'Berlin'
check_contains "generate rows: and how many to write" "$(genreq 'd["json"]["messages"][0]["content"]')" 'Write 2 new test rows.'
check_eq "generate rows: recorded in the run log" \
	"$(sql "select command, model, outcome from answers where message like '%write_rows%'")" "[['tui', 'claude-sonnet-4-6', 'complete']]"
check_eq "generate rows: the saved preset is valid" "$("$PWB" validate gen.yaml >/dev/null 2>&1; echo $?)" 0
check_contains "generate rows: the rows saved, a variable left out as empty" "$(cat gen.yaml)" "city: Kyoto"
check_contains "generate rows: the description kept" "$(cat gen.yaml)" "description: a port"

# ---- improve: the failing rows and their reasons sent; accepted, both run -----------
PROPOSAL='{"system": "Answer in one line. Be exact.", "messages": [{"role": "user", "content": "Q {{city}} in {{country}}"}], "changes": [{"change": "system: be exact", "reason": "row 3"}]}'
printf '[{"route": [{"match": "propose_prompt", "json": {"id": "msg_i", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6", "content": [{"type": "tool_use", "id": "tu_1", "name": "propose_prompt", "input": %s}], "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 900, "output_tokens": 120}}}, {"echo": "A: "}]}]' "$PROPOSAL" >improve-server.json
server_script improve-server.json
cp "$PWB_ROOT/tests/tui/eval.yaml" imp2.yaml
printf '<F11>\n<C-r>\n@wait-text evaluation done\np\n@wait-text is proposed\n<Enter>\n@wait-text evaluation done\n<Esc>\n<C-s>\n<C-q>\n' >imp2.script
"$PWB" --script imp2.script imp2.yaml </dev/null >out.txt 2>err.txt
check_eq "improve: the script ran" "$?" 0
impreq() { grep '"path": "/v1/messages"' "$SRV_LOG" | grep propose_prompt | head -1 | jget - "$1"; }
check_eq "improve: a forced propose_prompt call" "$(impreq 'd["json"]["tool_choice"]["name"]')" propose_prompt
check_contains "improve: the failing row sent with its answer" "$(impreq 'd["json"]["messages"][0]["content"]')" 'A: Q Berlin in Germany'
check_contains "improve: and the failed assertion's reason" "$(impreq 'd["json"]["messages"][0]["content"]')" 'A: Q plum'
check_not_contains "improve: a passing row is not among the failures" \
	"$(impreq 'd["json"]["messages"][0]["content"].split("<failures>")[1]')" 'Paris'
check_eq "improve: four rows before, then four for each side" "$(grep -c '"path": "/v1/messages"' "$SRV_LOG")" 13
check_contains "improve: the accepted version saved" "$(cat imp2.yaml)" "Be exact."
check_eq "improve: the proposal request in the run log" \
	"$(sql "select command, outcome from answers where message like '%propose_prompt%'")" "[['tui', 'complete']]"

# ---- rows of a CSV file: edited in the view, written back on Ctrl-S ----------------
cp "$PWB_ROOT/tests/tui/csvrows.yaml" "$PWB_ROOT/tests/tui/csvrows.csv" .
printf '<F11>\nj\ne\n<C-u>\nNice\n<Enter>\na\ne\nOslo\n<Enter>\nG\nd\nu\n<C-s>\n<C-q>\n' >csv.script
"$PWB" --script csv.script csvrows.yaml </dev/null >out.txt 2>err.txt
check_eq "csv rows: the script ran" "$?" 0
check_eq "csv rows: the file written back, every column kept, its CRLF line ends" \
	"$("$PYTHON" -c 'd = open("csvrows.csv", "rb").read(); print(d.count(b"\r\n"), d.count(b"\n"))') $("$PYTHON" -c 'import csv, json
print(json.dumps(list(csv.reader(open("csvrows.csv", newline="")))))')" \
	'5 5 [["city", "__description", "country", "__expected"], ["Paris, the capital", "one", "France", "contains:Paris"], ["Nice", "two", "France", "icontains:LYON"], ["Oslo", "", "", ""], ["Berlin", "three", "Germany", ""]]'
check_eq "csv rows: tests: still names the file" "$(grep '^tests:' csvrows.yaml)" "tests: csvrows.csv"
check_eq "csv rows: pwb eval reads the rows written" \
	"$("$PWB" eval csvrows.yaml --json 2>/dev/null | jget - '[r["vars"]["city"] for r in sorted(d["results"], key=lambda r: r["row"])]')" \
	'["Paris, the capital","Nice","Oslo","Berlin"]'

# The configured key typed into a CSV cell is never written to the file.
cp "$PWB_ROOT/tests/tui/csvrows.yaml" "$PWB_ROOT/tests/tui/csvrows.csv" .
before=$(cat csvrows.csv)
printf '<F11>\nj\ne\n<C-u>\n%s\n<Enter>\n<C-s>\n<C-q>\nd\n' "$FAKE_KEY" >csvkey.script
"$PWB" --script csvkey.script csvrows.yaml </dev/null >out.txt 2>err.txt
check_eq "csv rows: the key is never written to the rows file" "$(grep -c "${FAKE_KEY%????????????????????????????????????????}" csvrows.csv)" 0
check_eq "csv rows: the file is unchanged" "$(cat csvrows.csv)" "$before"

done_testing
