/* Every action of the workbench, once: X(ENUM, scope, "name", "help").
 * The list gives the enum, the names used in keys.yaml and test scripts,
 * and the help screen (tig's request list). Default keys live in keymap.c.
 * Scopes: where the action is looked up (the focused pane's scopes first,
 * then GLOBAL). */
#ifndef PWB_TUI_ACTIONS_H
#define PWB_TUI_ACTIONS_H

#define SCOPES(X) \
	X(GLOBAL, "global", "Everywhere") \
	X(TEXT, "text", "Text editing (system prompt, messages, fields)") \
	X(MESSAGES, "messages", "Messages pane") \
	X(PARAMS, "params", "Parameters pane") \
	X(BROWSE, "browse", "Response pane, help, export, replay and lists") \
	X(EXPORT, "export", "Export view") \
	X(LIST, "list", "Lists (open preset, choose model)") \
	X(EVAL, "eval", "Evaluate view (the test rows and their results)") \
	X(HISTORY, "history", "History view (this preset's versions in the run log)")

enum scope {
#define SCOPE_ENUM(e, n, h) SCOPE_##e,
	SCOPES(SCOPE_ENUM)
#undef SCOPE_ENUM
	SCOPE_COUNT
};

#define ACTIONS(X) \
	X(RUN, GLOBAL, "run", "send the request; the answer streams into the response pane") \
	X(CANCEL, GLOBAL, "cancel", "stop the answer that is streaming (keeps the partial answer)") \
	X(NEXT_PANE, GLOBAL, "next-pane", "focus the next pane") \
	X(PREV_PANE, GLOBAL, "prev-pane", "focus the previous pane") \
	X(HELP, GLOBAL, "help", "show this help") \
	X(SAVE, GLOBAL, "save", "save the preset (asks for a name when new)") \
	X(SAVE_AS, GLOBAL, "save-as", "save the preset under a new name") \
	X(OPEN, GLOBAL, "open", "open a preset from the preset folders") \
	X(NEW, GLOBAL, "new", "start a new empty session") \
	X(QUIT, GLOBAL, "quit", "quit (asks when there are unsaved changes)") \
	X(SUSPEND, GLOBAL, "suspend", "suspend to the shell; redraws on return") \
	X(EXPORT, GLOBAL, "export", "show the request as C, Python, JavaScript or curl") \
	X(REPLAY, GLOBAL, "replay", "replay the recorded session and show what changed") \
	X(ESTIMATE, GLOBAL, "estimate", "estimate the cost of the next run (count_tokens)") \
	X(PREV_ANSWER, GLOBAL, "prev-answer", "show the previous answer of this session") \
	X(NEXT_ANSWER, GLOBAL, "next-answer", "show the next answer of this session") \
	X(KEEP_ANSWER, GLOBAL, "keep-answer", "append the shown answer as an assistant turn, open a user turn") \
	X(EXTERNAL_EDITOR, GLOBAL, "edit-external", "edit the focused text in $VISUAL / $EDITOR / vi") \
	X(MARKDOWN, GLOBAL, "markdown", "show answers with their Markdown rendered, or as raw text") \
	X(ZOOM, GLOBAL, "zoom", "zoom the focused pane to the whole screen (again: back)") \
	X(REDRAW, GLOBAL, "redraw", "redraw the screen") \
	X(FOCUS_SYSTEM, GLOBAL, "focus-system", "focus the system prompt") \
	X(FOCUS_MESSAGES, GLOBAL, "focus-messages", "focus the messages") \
	X(FOCUS_PARAMS, GLOBAL, "focus-params", "focus the parameters") \
	X(FOCUS_RESPONSE, GLOBAL, "focus-response", "focus the response") \
	X(RECORD_ANSWER, GLOBAL, "record-answer", "record the shown answer as the preset's response:") \
	X(COPY_ANSWER, GLOBAL, "copy-answer", "copy the shown answer's text (OSC 52)") \
	X(COPY_CODE, GLOBAL, "copy-code", "copy a code block of the answer (again: the next)") \
	X(LEFT, TEXT, "left", "cursor left") \
	X(RIGHT, TEXT, "right", "cursor right") \
	X(UP, TEXT, "up", "cursor up (previous turn at the top)") \
	X(DOWN, TEXT, "down", "cursor down (next turn at the bottom)") \
	X(LINE_START, TEXT, "line-start", "start of line") \
	X(LINE_END, TEXT, "line-end", "end of line") \
	X(WORD_LEFT, TEXT, "word-left", "previous word") \
	X(WORD_RIGHT, TEXT, "word-right", "next word") \
	X(PAGE_UP, TEXT, "page-up", "page up") \
	X(PAGE_DOWN, TEXT, "page-down", "page down") \
	X(TEXT_START, TEXT, "text-start", "start of the text") \
	X(TEXT_END, TEXT, "text-end", "end of the text") \
	X(BACKSPACE, TEXT, "backspace", "delete the character before the cursor") \
	X(DELETE, TEXT, "delete", "delete the character under the cursor") \
	X(KILL_LINE, TEXT, "kill-line", "cut to the end of the line") \
	X(KILL_LINE_START, TEXT, "kill-line-start", "cut to the start of the line") \
	X(KILL_WORD_BACK, TEXT, "kill-word-back", "cut the word before the cursor") \
	X(KILL_WORD, TEXT, "kill-word", "cut the word after the cursor") \
	X(YANK, TEXT, "yank", "paste the last cut text") \
	X(UNDO, TEXT, "undo", "undo the last edit") \
	X(VERBATIM, TEXT, "verbatim", "insert the next key literally (a Tab, a control character)") \
	X(NEWLINE, TEXT, "newline", "new line (in a one-line field: accept)") \
	X(FIELD_ACCEPT, TEXT, "field-accept", "accept the field being edited (a multi-line value or JSON)") \
	X(TURN_ADD_USER, MESSAGES, "turn-add-user", "add a user turn after this one") \
	X(TURN_ADD_ASSISTANT, MESSAGES, "turn-add-assistant", "add an assistant turn after this one (at the end: a prefill)") \
	X(TURN_DELETE, MESSAGES, "turn-delete", "delete this turn") \
	X(TURN_UP, MESSAGES, "turn-up", "move this turn up") \
	X(TURN_DOWN, MESSAGES, "turn-down", "move this turn down") \
	X(TURN_ROLE, MESSAGES, "turn-role", "switch this turn between user and assistant") \
	X(ATTACH, MESSAGES, "attach", "attach an image or a PDF file to this user turn") \
	X(FIELD_EDIT, PARAMS, "field-edit", "edit the selected parameter (model: choose from the list)") \
	X(FIELD_CLEAR, PARAMS, "field-clear", "unset the selected parameter") \
	X(HELP_ALT, BROWSE, "help-alt", "show this help (outside text)") \
	X(SCROLL_UP, BROWSE, "scroll-up", "scroll up / previous item") \
	X(SCROLL_DOWN, BROWSE, "scroll-down", "scroll down / next item") \
	X(SCROLL_PAGE_UP, BROWSE, "scroll-page-up", "scroll a page up") \
	X(SCROLL_PAGE_DOWN, BROWSE, "scroll-page-down", "scroll a page down") \
	X(SCROLL_TOP, BROWSE, "scroll-top", "go to the top") \
	X(SCROLL_BOTTOM, BROWSE, "scroll-bottom", "go to the bottom (the response follows the stream)") \
	X(CLOSE, BROWSE, "close", "close this view") \
	X(EXPORT_LANG, EXPORT, "export-lang", "next language (C, Python, JavaScript, curl)") \
	X(EXPORT_WRITE, EXPORT, "export-write", "write the snippet to a file") \
	X(EXPORT_COPY, EXPORT, "export-copy", "copy the snippet to the clipboard (OSC 52)") \
	X(EXPORT_STREAM, EXPORT, "export-stream", "switch the request between streaming and not") \
	X(LIST_CHOOSE, LIST, "choose", "take the selected item") \
	X(EVALUATE, GLOBAL, "evaluate", "the Evaluate view: the test rows, run and graded") \
	X(HISTORY, GLOBAL, "history", "the History view: this preset's versions in the run log") \
	X(GENERATE_PROMPT, GLOBAL, "generate-prompt", "from an empty session: Claude writes the prompt and rows") \
	X(COMPARE_ANSWERS, GLOBAL, "compare-answers", "two answers side by side, the differing words marked") \
	X(EVAL_RUN_ROW, EVAL, "eval-run-row", "run the selected row (the run key runs all rows)") \
	X(EVAL_RERUN_FAILING, EVAL, "eval-rerun-failing", "run again the rows that did not pass (failed, errors...)") \
	X(EVAL_OPEN_ROW, EVAL, "eval-open-row", "open the row (a proposal: accept it)") \
	X(EVAL_COMPARE, EVAL, "eval-compare", "compare with another model or a logged version") \
	X(EVAL_DIFFER_FIRST, EVAL, "eval-differ-first", "rows whose verdicts differ first (again: in order)") \
	X(EVAL_EDIT_CELL, EVAL, "eval-edit-cell", "edit the selected row's first shown variable") \
	X(EVAL_ADD_ROW, EVAL, "eval-add-row", "add a row after the selected one") \
	X(EVAL_DELETE_ROW, EVAL, "eval-delete-row", "delete the selected row") \
	X(EVAL_UNDO, EVAL, "eval-undo", "undo the last row edit (cell, add, delete)") \
	X(EVAL_COLUMN_LEFT, EVAL, "eval-column-left", "scroll the variables left") \
	X(EVAL_COLUMN_RIGHT, EVAL, "eval-column-right", "scroll the variables right") \
	X(EVAL_GRADE_CLEAR, EVAL, "eval-grade-clear", "clear the selected answer's grade") \
	X(EVAL_GRADE_1, EVAL, "eval-grade-1", "grade the selected answer 1 (poor)") \
	X(EVAL_GRADE_2, EVAL, "eval-grade-2", "grade the selected answer 2") \
	X(EVAL_GRADE_3, EVAL, "eval-grade-3", "grade the selected answer 3") \
	X(EVAL_GRADE_4, EVAL, "eval-grade-4", "grade the selected answer 4") \
	X(EVAL_GRADE_5, EVAL, "eval-grade-5", "grade the selected answer 5 (excellent)") \
	X(EVAL_IMPORT, EVAL, "eval-import", "append the rows of a .csv, .jsonl or .yaml file") \
	X(EVAL_EXPORT, EVAL, "eval-export", "export the results to a .csv or .jsonl file") \
	X(EVAL_GENERATE, EVAL, "eval-generate", "ask Claude for new rows (marked until kept)") \
	X(EVAL_KEEP_ROWS, EVAL, "eval-keep-rows", "keep the generated rows (eval-undo discards them)") \
	X(EVAL_IMPROVE, EVAL, "eval-improve", "Claude proposes a better version from the failing rows") \
	X(HISTORY_DIFF, HISTORY, "history-diff", "the selected version's diff against the working text") \
	X(HISTORY_RESTORE, HISTORY, "history-restore", "restore the selected version into the editors") \
	X(HISTORY_ANSWERS, HISTORY, "history-answers", "the selected version's answers in the run log") \
	X(HISTORY_UNDO, HISTORY, "history-undo", "undo the last restore (back to the text before it)")

enum action {
	ACT_NONE,
#define ACTION_ENUM(e, s, n, h) ACT_##e,
	ACTIONS(ACTION_ENUM)
#undef ACTION_ENUM
	ACT_COUNT
};

#endif
