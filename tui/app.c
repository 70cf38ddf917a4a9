#include "tui/app.h"
#include "core/utf8.h"
#include "tui/autosave.h"
#include "tui/editor.h"
#include "tui/display.h"
#include "tui/frame.h"
#include "tui/pane-params.h"
#include "tui/run.h"
#include "tui/views.h"
#include "tui/view-eval.h"
#include "tui/helper.h"
#include "tui/assist.h"
#include "core/keys.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"

#include <curses.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>


long long app_now(struct app *a)
{
	return loop_now_ms(a->loop);
}

const char *app_key_source(const struct app *a)
{
	switch (a->key_source) {
	case KEY_ENV: return "ANTHROPIC_API_KEY in the environment";
	case KEY_DOTENV: return "ANTHROPIC_API_KEY in ./.env";
	default: return "nowhere";
	}
}

int app_busy(const struct app *a)
{
	return a->run.call != NULL || a->run.aux != NULL || a->run.replay != NULL || a->ext.pid > 0 ||
	       view_eval_running(a) || helper_busy(a);
}

void app_dirty(struct app *a)
{
	a->dirty = 1;
}

void app_message(struct app *a, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	free(a->msg);
	a->msg = m;
	a->msg_error = error;
	app_dirty(a);
}

void app_changed(struct app *a)
{
	a->modified = 1;
	a->diags_stale = 1;
	a->last_change = app_now(a);
	app_dirty(a);
	autosave_schedule(a);
}

/* --- views ---------------------------------------------------------------- */

struct answer *app_answer(struct app *a)
{
	return a->nanswers ? a->answers[a->shown] : NULL;
}

void app_open_view(struct app *a, enum view_kind k)
{
	app_close_view(a);
	a->view_kind = k;
	a->view.ops = (k == VIEW_OPEN || k == VIEW_MODEL) ? &pane_list_ops
		      : k == VIEW_EVAL				 ? &pane_eval_ops
		      : k == VIEW_HISTORY			 ? &pane_history_ops
		      : k == VIEW_ANSWERS			 ? &pane_answers_ops
								 : &pane_view_ops;
	a->view.priv = xcalloc(1, a->view.ops->private_size);
	views_open(a, k);
	app_dirty(a);
}

void app_close_view(struct app *a)
{
	if (a->view_kind == VIEW_NONE)
		return;
	if (a->view.ops->free)
		a->view.ops->free(a, &a->view);
	free(a->view.priv);
	a->view.priv = NULL;
	free(a->view.title);
	a->view.title = NULL;
	a->view_kind = VIEW_NONE;
	app_dirty(a);
}

void app_set_model(struct app *a, const char *model)
{
	str_set(&a->sess->model, model);
	app_changed(a);
	app_message(a, 0, "model set to %s", model);
}

void app_edit_model(struct app *a)
{
	a->focus = PANE_PARAMS;
	pane_params_edit_model(a, &a->panes[PANE_PARAMS]);
}

struct pane *app_current_pane(struct app *a)
{
	return a->view_kind != VIEW_NONE ? &a->view : &a->panes[a->focus];
}

/* --- keys and actions ------------------------------------------------------------ */

void app_paste(struct app *a, const char *s, size_t n)
{
	app_dirty(a);
	if (a->prompt.kind == PR_LINE) {
		textbuf_insert(a->prompt.ed, s, n);
		return;
	}
	if (a->prompt.kind != PR_NONE)
		return;
	struct pane *p = app_current_pane(a);
	if (p->ops->text)
		p->ops->text(a, p, s, n);
	else
		app_message(a, 1, "paste ignored: focus a text pane to paste");
}

void app_key(struct app *a, int key)
{
	app_dirty(a);
	if (a->prompt.kind != PR_NONE) {
		app_prompt_key(a, key);
		return;
	}
	struct pane *p = app_current_pane(a);
	if (a->verbatim) {
		a->verbatim = 0;
		if (p->ops->text && !(key & (K_SPECIAL | K_META))) {
			char u[4];
			uint32_t cp = key == K_ENTER ? '\n' : (uint32_t)key;
			size_t n = utf8_put(cp, u);
			p->ops->text(a, p, u, n);
		}
		return;
	}
	enum key_chain chain = p->ops->current_chain ? p->ops->current_chain(a, p) : p->ops->chain;
	enum action act = keymap_lookup(&keymap_chains[chain], key);
	if (act != ACT_NONE) {
		app_do_action(a, act);
		return;
	}
	if (!(key & (K_SPECIAL | K_META)) && key >= 32 && key != 127 && p->ops->text) {
		char u[4];
		size_t n = utf8_put((uint32_t)key, u);
		p->ops->text(a, p, u, n);
	} else if (keymap_is(ACT_CLOSE, key)) {
		/* the close key, when the chain does not bind it, leaves what is
		 * open (a field) */
		app_do_action(a, ACT_CLOSE);
	}
}

static void focus(struct app *a, int id)
{
	app_close_view(a);
	a->focus = id;
	app_dirty(a);
}

void app_do_action(struct app *a, enum action act)
{
	struct pane *p = app_current_pane(a);
	if (act == ACT_VERBATIM && p->ops->text) {
		a->verbatim = 1;
		app_message(a, 0, "verbatim: the next key is inserted as it is");
		return;
	}
	if (p->ops->action && p->ops->action(a, p, act))
		return;
	switch (act) {
	case ACT_RUN:
		run_start(a);
		/* one pane at a time: show the answer coming */
		if (display_layout() == LAYOUT_SINGLE && a->view_kind == VIEW_NONE && !a->zoom &&
		    a->focus != PANE_RESPONSE && (a->run.call || a->run.aux)) {
			a->run_left_pane = a->focus + 1;
			a->focus = PANE_RESPONSE;
		}
		break;
	case ACT_CANCEL:
		/* cancel a stream or a replay; otherwise nothing (never kills
		 * the program) */
		if (a->run.call || a->run.aux)
			run_cancel(a);
		if (a->run.replay)
			views_replay_cancel(a);
		helper_cancel(a);
		break;
	case ACT_NEXT_PANE:
	case ACT_PREV_PANE:
		if (a->run_left_pane && a->focus == PANE_RESPONSE && a->view_kind == VIEW_NONE) {
			/* back to where Ctrl-R was pressed */
			int back = a->run_left_pane - 1;
			a->run_left_pane = 0;
			focus(a, back);
			break;
		}
		a->run_left_pane = 0;
		focus(a, act == ACT_NEXT_PANE ? (a->focus + 1) % NPANES : (a->focus + NPANES - 1) % NPANES);
		break;
	case ACT_HELP:
	case ACT_HELP_ALT:
		if (a->view_kind == VIEW_HELP)
			app_close_view(a);
		else
			app_open_view(a, VIEW_HELP);
		break;
	case ACT_CLOSE:
		app_close_view(a);
		break;
	case ACT_SAVE:
		if (preset_path(a->preset))
			app_save(a, NULL, 0);
		else
			app_prompt_line(a, PF_SAVE_AS, a->default_path ? a->default_path : "",
					"Save as: ");
		break;
	case ACT_SAVE_AS:
		app_prompt_line(a, PF_SAVE_AS, preset_path(a->preset) ? preset_path(a->preset) : "",
				"Save as: ");
		break;
	case ACT_OPEN:
		app_open_view(a, VIEW_OPEN);
		break;
	case ACT_NEW:
		if (a->modified)
			app_prompt_yesno(a, PF_NEW, "Discard the unsaved changes and start anew? (y/n) ");
		else
			app_new(a);
		break;
	case ACT_QUIT:
		if (a->modified)
			app_prompt_choice(a, PF_QUIT, "sdc", "(s)ave (d)iscard (c)ancel",
					  "Unsaved changes.");
		else
			a->quit = 1;
		break;
	case ACT_SUSPEND:
		app_suspend(a);
		break;
	case ACT_EXPORT:
		app_open_view(a, VIEW_EXPORT);
		break;
	case ACT_EVALUATE:
		app_open_view(a, VIEW_EVAL);
		break;
	case ACT_HISTORY:
		app_open_view(a, VIEW_HISTORY);
		break;
	case ACT_COMPARE_ANSWERS:
		app_open_view(a, VIEW_ANSWERS);
		break;
	case ACT_GENERATE_PROMPT:
		assist_generate_key(a);
		break;
	case ACT_REPLAY:
		app_open_view(a, VIEW_REPLAY);
		break;
	case ACT_ESTIMATE:
		run_estimate(a, 0);
		break;
	case ACT_PREV_ANSWER:
		if (a->shown > 0)
			a->shown--;
		else
			app_message(a, 0, a->nanswers ? "this is the first answer" : "no answers yet");
		break;
	case ACT_NEXT_ANSWER:
		if (a->shown + 1 < a->nanswers)
			a->shown++;
		else
			app_message(a, 0, a->nanswers ? "this is the last answer" : "no answers yet");
		break;
	case ACT_KEEP_ANSWER:
		run_keep_answer(a);
		break;
	case ACT_RECORD_ANSWER:
		run_record_answer(a);
		break;
	case ACT_ATTACH:
		app_prompt_line(a, PF_ATTACH, "", "%s", ATTACH_QUESTION);
		break;
	case ACT_COPY_ANSWER:
		run_copy_answer(a, 0);
		break;
	case ACT_COPY_CODE:
		run_copy_answer(a, 1);
		break;
	case ACT_EXTERNAL_EDITOR:
		app_external_edit(a);
		break;
	case ACT_ZOOM:
		a->zoom = !a->zoom;
		break;
	case ACT_REDRAW:
		if (!a->script_mode)
			clearok(curscr, TRUE);
		break;
	case ACT_FOCUS_SYSTEM:
		focus(a, PANE_SYSTEM);
		break;
	case ACT_FOCUS_MESSAGES:
		focus(a, PANE_MESSAGES);
		break;
	case ACT_FOCUS_PARAMS:
		focus(a, PANE_PARAMS);
		break;
	case ACT_FOCUS_RESPONSE:
		focus(a, PANE_RESPONSE);
		break;
	case ACT_MARKDOWN: /* from any pane: the response pane keeps the mode */
		a->panes[PANE_RESPONSE].ops->action(a, &a->panes[PANE_RESPONSE], act);
		break;
	default:
		break;
	}
	app_dirty(a);
}

/* --- the loop pass and state dumps --------------------------------------------- */

void app_pass(struct app *a)
{
	run_pass(a);
	view_eval_pass(a);
	helper_pass(a);
	/* validation walks the whole session: once typing pauses, not per key */
	if (a->diags_stale && (a->script_mode || app_now(a) - a->last_change >= FRAME_VALIDATE_DEBOUNCE_MS ||
			       app_now(a) < a->last_change)) {
		app_validate(a);
		app_dirty(a);
	}
}

static void dump_text(FILE *out, const char *label, const char *s)
{
	fprintf(out, "%s:", label);
	if (!s) {
		fprintf(out, " (unset)\n");
		return;
	}
	fprintf(out, "\n");
	const char *p = s;
	for (;;) {
		const char *nl = strchr(p, '\n');
		fprintf(out, "  | %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
		if (!nl)
			break;
		p = nl + 1;
	}
}

void app_dump_state(struct app *a, FILE *out)
{
	static const char *const pn[] = { "system", "messages", "params", "response" };
	app_sync(a);
	a->diags_stale = 1;
	app_validate(a);
	struct session *s = a->sess;
	fprintf(out, "focus: %s%s\n", pn[a->focus], a->zoom ? " (zoomed)" : "");
	fprintf(out, "file: %s\n", preset_path(a->preset) ? preset_path(a->preset) : "(none)");
	fprintf(out, "modified: %s\n", a->modified ? "yes" : "no");
	fprintf(out, "model: %s\n", s->model ? s->model : "(unset)");
	fprintf(out, "max_tokens: %s\n", s->max_tokens ? s->max_tokens : "(unset)");
	fprintf(out, "temperature: %s\n", s->temperature ? s->temperature : "(unset)");
	dump_text(out, "system", s->system ? s->system : s->system_blocks_json);
	fprintf(out, "system cursor: %zu,%zu\n", a->system_ed->cy, a->system_ed->cx);
	for (size_t i = 0; i < s->nmessages; i++) {
		char label[64];
		snprintf(label, sizeof label, "message %zu %s%s", i + 1, s->messages[i].role,
			 i == a->cur_turn ? " (current)" : "");
		dump_text(out, label,
			  s->messages[i].text ? s->messages[i].text : s->messages[i].blocks_json);
	}
	if (a->nturns)
		fprintf(out, "turn cursor: %zu,%zu\n", a->turns[a->cur_turn].ed->cy,
			a->turns[a->cur_turn].ed->cx);
	for (size_t i = 0; i < s->nvars; i++)
		fprintf(out, "var %s = %s\n", s->vars[i].name, s->vars[i].value ? s->vars[i].value : "");
	if (a->sess->response_json)
		fprintf(out, "response: recorded%s\n", run_response_stale(a) ? " (for a different prompt)" : "");
	fprintf(out, "answers: %zu (shown %zu)\n", a->nanswers, a->nanswers ? a->shown + 1 : 0);
	for (size_t i = 0; i < a->nanswers; i++) {
		struct answer *ans = a->answers[i];
		char *t = textbuf_text(ans->view);
		char label[64];
		snprintf(label, sizeof label, "answer %zu%s%s", i + 1, ans->canceled ? " (canceled)" : "",
			 ans->error ? " (error)" : "");
		dump_text(out, label, t);
		free(t);
	}
	for (size_t i = 0; i < a->diags.n; i++) {
		fprintf(out, "%s: %s%s%s\n", a->diags.v[i].level == DIAG_ERROR ? "error" : "warning",
			a->diags.v[i].path ? a->diags.v[i].path : "", a->diags.v[i].path ? ": " : "",
			a->diags.v[i].message);
	}
	fprintf(out, "message line: %s\n", a->msg ? a->msg : "");
}
