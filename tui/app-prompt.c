/* The question on the message line: asking, keys while it is open, and the continuation of what asked (app.h). */
#include "tui/app.h"
#include "tui/autosave.h"
#include "tui/editor.h"
#include "tui/run.h"
#include "tui/views.h"
#include "core/preset.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdlib.h>


static void prompt_set(struct app *a, enum prompt_kind k, enum prompt_for pf, const char *fmt,
		       va_list ap)
{
	char *m = xvasprintf(fmt, ap);
	free(a->prompt.text);
	a->prompt.text = m;
	a->prompt.kind = k;
	a->prompt.pf = pf;
	app_dirty(a);
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

static void prompt_answer(struct app *a, int yes, const char *text)
{
	enum prompt_for pf = a->prompt.pf;
	a->prompt.kind = PR_NONE;
	a->prompt.pf = PF_NONE;
	free(a->msg);
	a->msg = NULL;
	app_dirty(a);
	char *path = a->prompt.pending_path;
	a->prompt.pending_path = NULL;
	switch (pf) {
	case PF_QUIT:
		if (yes)
			a->quit = 1;
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
		if (yes) {
			if (autosave_restore(a, path) == 0)
				app_message(a, 0, "restored the unsaved work");
		} else {
			autosave_discard(path);
			app_message(a, 0, "discarded the old autosave");
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
			prompt_answer(a, 1, NULL);
		else if (key == 'n' || key == 'N' || no)
			prompt_answer(a, 0, NULL);
		return;
	}
	if (no) {
		prompt_answer(a, 0, NULL);
		return;
	}
	enum action act = keymap_lookup(&keymap_chains[CHAIN_FIELD], key);
	if (act == ACT_NEWLINE) {
		char *t = textbuf_text(a->prompt.ed);
		prompt_answer(a, 1, t);
		free(t);
		return;
	}
	if (act != ACT_NONE && action_scope(act) == SCOPE_TEXT) {
		editor_action(a->prompt.ed, act, 1);
		return;
	}
	if (printable) {
		char u[4];
		size_t n = utf8_encode((uint32_t)key, u);
		textbuf_insert(a->prompt.ed, u, n);
	}
}
