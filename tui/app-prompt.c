/* The question on the message line: asking, keys while it is open, and the continuation of what asked (app.h). */
#include "tui/view-eval.h"
#include "tui/app.h"
#include "core/pathcomplete.h"
#include "tui/assist.h"
#include "core/utf8.h"
#include "tui/autosave.h"
#include "tui/editor.h"
#include "tui/run.h"
#include "tui/views.h"
#include "core/preset.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void prompt_set(struct app *a, enum prompt_kind k, enum prompt_for pf, const char *fmt,
		       va_list ap)
{
	char *m = xvasprintf(fmt, ap);
	free(a->prompt.text);
	a->prompt.text = m;
	a->prompt.kind = k;
	a->prompt.pf = pf;
	a->prompt.keys_off = 0;
	app_dirty(a);
}

void app_prompt_choice(struct app *a, enum prompt_for pf, const char *choices, const char *keys,
		       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prompt_set(a, PR_CHOICE, pf, fmt, ap);
	va_end(ap);
	snprintf(a->prompt.choices, sizeof a->prompt.choices, "%s", choices);
	size_t n = strlen(a->prompt.text);
	char *t = xasprintf("%s %s ", a->prompt.text, keys);
	free(a->prompt.text);
	a->prompt.text = t;
	a->prompt.keys_off = n + 1;
}

void app_prompt_yesno(struct app *a, enum prompt_for pf, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prompt_set(a, PR_YESNO, pf, fmt, ap);
	va_end(ap);
}

void app_prompt_line(struct app *a, enum prompt_for pf, const char *initial, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	prompt_set(a, PR_LINE, pf, fmt, ap);
	va_end(ap);
	if (!a->prompt.ed) {
		a->prompt.ed = textbuf_new();
		a->prompt.ed->single_line = 1;
	}
	textbuf_set_text(a->prompt.ed, initial);
	textbuf_cursor_end(a->prompt.ed);
}

/* --- prompts ------------------------------------------------------------------- */

/* yes: the question was answered (not closed); text: a line prompt's;
 * choice: a PR_CHOICE's letter. */
static void prompt_answer(struct app *a, int yes, const char *text, int choice)
{
	enum prompt_for pf = a->prompt.pf;
	if (!yes || (choice && choice != 's'))
		a->prompt.quit_after_save = 0;
	a->prompt.kind = PR_NONE;
	a->prompt.pf = PF_NONE;
	free(a->msg);
	a->msg = NULL;
	app_dirty(a);
	char *path = a->prompt.pending_path;
	a->prompt.pending_path = NULL;
	switch (pf) {
	case PF_QUIT:
		if (choice == 'd') {
			a->quit = 1;
		} else if (choice == 's') {
			a->prompt.quit_after_save = 1;
			app_do_action(a, ACT_SAVE);
		} else {
			app_message(a, 0, "not quit");
		}
		break;
	case PF_NEW:
		if (yes)
			app_new(a);
		break;
	case PF_OPEN_FILE: {
		const char *f = text ? text : path;
		if (yes && f && *f)
			app_open_file(a, f);
		break;
	}
	case PF_SAVE_AS:
		if (yes && text && *text)
			app_save_as(a, text);
		else
			a->prompt.quit_after_save = 0;
		break;
	case PF_SAVE_MKDIR:
		if (yes)
			app_save_as_mkdir(a, path);
		else
			app_prompt_line(a, PF_SAVE_AS, path, "Save as: ");
		break;
	case PF_OVERWRITE:
		if (yes)
			app_save(a, path, 0);
		break;
	case PF_SAVE_COMMENTS:
		if (yes) {
			a->comments_ok = 1;
			app_save(a, path, a->prompt.pending_flags);
		} else {
			app_message(a, 0, "not saved");
		}
		break;
	case PF_SAVE_KEY_MARKER:
		if (yes)
			app_save_with_marker(a, path, a->prompt.pending_flags);
		else
			app_message(a, 0, "not saved");
		break;
	case PF_SAVE_KEY:
	case PF_SAVE_CHANGED:
		if (yes)
			app_save(a, path, PRESET_SAVE_FORCE);
		break;
	case PF_RESTORE:
		if (choice == 'r') {
			if (autosave_restore(a, path) == 0)
				app_message(a, 0, "restored the unsaved work");
		} else if (choice == 'd') {
			autosave_discard(path);
			app_message(a, 0, "discarded the old autosave");
		} else {
			/* nothing is lost by answering later */
			app_message(a, 0, "kept the autosave: offered again at the next start");
		}
		break;
	case PF_BUDGET_UNKNOWN:
		if (yes)
			run_send(a);
		else
			app_message(a, 0, "not sent");
		break;
	case PF_EXPORT_WRITE:
		if (yes && text && *text)
			views_export_write(a, text);
		break;
	case PF_ATTACH:
		if (yes && text && *text)
			app_turn_attach(a, text);
		break;
	case PF_EVAL_EDIT:
		if (yes)
			view_eval_edit_cell(a, text ? text : "");
		break;
	case PF_EVAL_COMPARE:
		if (yes)
			view_eval_compare(a, text ? text : "");
		break;
	case PF_EVAL_IMPORT:
		if (yes && text && *text)
			view_eval_import(a, text);
		break;
	case PF_EVAL_EXPORT:
		if (yes && text && *text)
			view_eval_export(a, text);
		break;
	case PF_EVAL_GENERATE:
		if (yes && text && *text)
			view_eval_generate(a, text);
		break;
	case PF_GENERATE_TASK:
		if (yes && text && *text)
			assist_generate_task(a, text);
		break;
	case PF_GENERATE_UNDO:
		if (yes)
			assist_generate_undo(a);
		break;
	case PF_NONE:
		break;
	}
	free(path);
}

void app_prompt_key(struct app *a, int key)
{
	/* the close and cancel keys say no, whatever they are bound to (a
	 * printable one is text in a prompt) */
	int printable = !(key & (K_SPECIAL | K_META)) && key >= 32 && key != 127;
	int no = !printable && (keymap_is(ACT_CLOSE, key) || keymap_is(ACT_CANCEL, key));
	if (a->prompt.kind == PR_YESNO) {
		/* y and n are the answers' letters, not actions */
		if (key == 'y' || key == 'Y')
			prompt_answer(a, 1, NULL, 0);
		else if (key == 'n' || key == 'N' || no)
			prompt_answer(a, 0, NULL, 0);
		return;
	}
	if (a->prompt.kind == PR_CHOICE) {
		size_t nc = strlen(a->prompt.choices);
		int lower = printable && key < 128 ? (key | 0x20) : 0;
		if (lower && strchr(a->prompt.choices, lower))
			prompt_answer(a, 1, NULL, lower);
		else if (no && nc)
			prompt_answer(a, 1, NULL, a->prompt.choices[nc - 1]);
		return;
	}
	if (no) {
		prompt_answer(a, 0, NULL, 0);
		return;
	}
	if (key == K_TAB && a->prompt.pf == PF_ATTACH) {
		app_prompt_complete_path(a);
		return;
	}
	enum action act = keymap_lookup(&keymap_chains[CHAIN_FIELD], key);
	if (act == ACT_NEWLINE) {
		char *t = textbuf_text(a->prompt.ed);
		prompt_answer(a, 1, t, 0);
		free(t);
		return;
	}
	if (act == ACT_NEXT_PANE && (a->prompt.pf == PF_EVAL_IMPORT || a->prompt.pf == PF_EVAL_EXPORT)) {
		/* Tab completes the path */
		char *t = textbuf_text(a->prompt.ed);
		size_t n = 0;
		char *c = pathcomplete(t, &n);
		if (n)
			textbuf_set_text(a->prompt.ed, c);
		textbuf_cursor_end(a->prompt.ed);
		free(c);
		free(t);
		return;
	}
	if (act != ACT_NONE && action_scope(act) == SCOPE_TEXT) {
		editor_action(a->prompt.ed, act, 1);
		return;
	}
	if (printable) {
		char u[4];
		size_t n = utf8_put((uint32_t)key, u);
		textbuf_insert(a->prompt.ed, u, n);
	}
}
