#include "tui/assist.h"
#include "tui/app.h"
#include "tui/helper.h"
#include "tui/keymap.h"
#include "tui/view-history.h"
#include "core/diag.h"
#include "core/meta.h"
#include "core/preset.h"
#include "core/preset-emit.h"
#include "core/session.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Rows asked of the generator, as `pwb generate`'s default. */
#define ASSIST_ROWS "5"

static int blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (*s != ' ' && *s != '\n' && *s != '\t' && *s != '\r')
			return 0;
	return 1;
}

/* No prompt written yet: no system prompt, every turn empty, no rows. */
static int session_empty(const struct session *s)
{
	if (!blank(s->system) || s->system_blocks_json || s->tests_json)
		return 0;
	for (size_t i = 0; i < s->nmessages; i++)
		if (!blank(s->messages[i].text) || s->messages[i].blocks_json)
			return 0;
	return 1;
}

void assist_generate_key(struct app *a)
{
	app_sync(a);
	if (helper_busy(a)) {
		app_message(a, 1, "Claude is already writing (%s cancels)", keymap_label(ACT_CANCEL));
		return;
	}
	if (session_empty(a->sess)) {
		app_prompt_line(a, PF_GENERATE_TASK, "", "Describe the task (Claude writes the prompt and rows): ");
		return;
	}
	if (a->generate_undo) {
		app_prompt_yesno(a, PF_GENERATE_UNDO,
				 "Undo the generated prompt (back to the empty session)? (y/n) ");
		return;
	}
	app_message(a, 1, "the prompt generator starts from an empty session (%s starts one)",
		    keymap_label(ACT_NEW));
}

static void on_generated(struct app *a, const char *input, void *ud)
{
	char *model = ud;
	if (!input) {
		free(model);
		return;
	}
	app_sync(a);
	if (!session_empty(a->sess)) {
		app_message(a, 1, "the session was written meanwhile: the generated prompt is dropped");
		free(model);
		return;
	}
	struct preset *p = preset_new();
	struct session *s = preset_session(p);
	/* the session's model when it has one, else the generator's */
	str_set(&s->model, a->sess->model ? a->sess->model : model);
	free(model);
	char *err = NULL;
	if (meta_generate_apply(input, s, &err)) {
		app_message(a, 1, "unusable answer: %s", err);
		free(err);
		preset_free(p);
		return;
	}
	char *before = preset_emit(a->sess);
	char *text = preset_emit(s);
	preset_free(p);
	if (view_history_swap_in(a, text, 0) != 0) {
		app_message(a, 1, "the generated prompt cannot be read as a preset");
		free(before);
	} else {
		free(a->generate_undo);
		a->generate_undo = before;
		app_message(a, 0, "prompt generated: %zu variable%s, its rows in %s (%s undoes)",
			    a->sess->nvars, a->sess->nvars == 1 ? "" : "s", keymap_label(ACT_EVALUATE),
			    keymap_label(ACT_GENERATE_PROMPT));
	}
	free(text);
}

struct preset *assist_meta_load(struct app *a, const char *name)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *meta = meta_load(name, &d);
	if (!meta) {
		char *t = d.n ? app_diag_text(&d.v[0]) : xasprintf("no meta-prompt %s.yaml", name);
		app_message(a, 1, "%s", t);
		free(t);
	}
	diag_list_done(&d);
	return meta;
}

void assist_generate_task(struct app *a, const char *task)
{
	if (blank(task))
		return;
	struct preset *meta = assist_meta_load(a, "generate");
	if (!meta)
		return;
	struct session *ms = preset_session(meta);
	session_set_var(ms, "task", task);
	session_set_var(ms, "rows", ASSIST_ROWS);
	char *model = ms->model ? xstrdup(ms->model) : NULL;
	if (helper_start(a, meta, "a prompt", on_generated, model) != 0)
		free(model);
}

void assist_generate_undo(struct app *a)
{
	if (!a->generate_undo)
		return;
	if (view_history_swap_in(a, a->generate_undo, 0) != 0) {
		app_message(a, 1, "the session before the generated prompt cannot be read back");
		return;
	}
	free(a->generate_undo);
	a->generate_undo = NULL;
	app_message(a, 0, "generated prompt undone");
}

void assist_free(struct app *a)
{
	free(a->generate_undo);
	a->generate_undo = NULL;
}
