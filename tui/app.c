#include "tui/app.h"
#include "tui/autosave.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "tui/frame.h"
#include "tui/input.h"
#include "tui/pane-params.h"
#include "tui/keymap.h"
#include "tui/run.h"
#include "tui/views.h"
#include "core/loop.h"
#include "core/preset.h"
#include "core/session.h"
#include "core/util.h"
#include "core/vars.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

long long app_now(struct app *a)
{
	return loop_now_ms(a->loop);
}

int app_busy(const struct app *a)
{
	return a->run.call != NULL || a->run.aux != NULL || a->run.replay != NULL || a->ext.pid > 0;
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

void app_changed(struct app *a)
{
	a->modified = 1;
	a->diags_stale = 1;
	a->last_change = app_now(a);
	app_dirty(a);
	autosave_schedule(a);
}

/* --- the configuration <-> editors --------------------------------------- */

static char *pretty_json(const char *json)
{
	cJSON *j = json ? cJSON_Parse(json) : NULL;
	if (!j)
		return xstrdup(json ? json : "");
	char *p = cJSON_Print(j);
	cJSON_Delete(j);
	char *out = xstrdup(p);
	cJSON_free(p);
	/* cJSON indents with tabs; two spaces read better in a pane */
	struct buf b;
	buf_init(&b, 0);
	int bol = 1;
	for (const char *s = out; *s; s++) {
		if (*s == '\t')
			buf_puts(&b, bol ? "  " : " "); /* indent, or after "key": */
		else
			buf_append(&b, s, 1);
		bol = *s == '\n' || (bol && *s == '\t');
	}
	free(out);
	return buf_take(&b);
}

static char *compact_json(const char *text, int *ok)
{
	cJSON *j = cJSON_Parse(text);
	if (!j) {
		*ok = 0;
		return NULL;
	}
	char *p = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	char *out = xstrdup(p);
	cJSON_free(p);
	*ok = 1;
	return out;
}

struct turn *app_turn_insert(struct app *a, size_t at, const char *role, const char *text,
			     int json)
{
	if (a->nturns == a->aturns) {
		a->aturns = a->aturns ? a->aturns * 2 : 8;
		a->turns = xrealloc(a->turns, a->aturns * sizeof *a->turns);
	}
	memmove(a->turns + at + 1, a->turns + at, (a->nturns - at) * sizeof *a->turns);
	a->nturns++;
	struct turn *t = &a->turns[at];
	memset(t, 0, sizeof *t);
	t->role = xstrdup(role);
	t->ed = textbuf_new();
	t->json = json;
	if (json) {
		char *p = pretty_json(text);
		textbuf_set_text(t->ed, p);
		free(p);
	} else {
		textbuf_set_text(t->ed, text);
	}
	t->synced_gen = (unsigned long)-1;
	return t;
}

void app_turn_remove(struct app *a, size_t at)
{
	free(a->turns[at].role);
	textbuf_free(a->turns[at].ed);
	memmove(a->turns + at, a->turns + at + 1, (a->nturns - at - 1) * sizeof *a->turns);
	a->nturns--;
}

void app_load_session(struct app *a)
{
	struct session *s = a->sess;
	while (a->nturns)
		app_turn_remove(a, a->nturns - 1);
	if (!a->system_ed)
		a->system_ed = textbuf_new();
	a->system_json = s->system == NULL && s->system_blocks_json != NULL;
	if (a->system_json) {
		char *p = pretty_json(s->system_blocks_json);
		textbuf_set_text(a->system_ed, p);
		free(p);
	} else {
		textbuf_set_text(a->system_ed, s->system);
	}
	a->system_synced_gen = a->system_ed->gen;
	for (size_t i = 0; i < s->nmessages; i++) {
		struct session_message *m = &s->messages[i];
		int json = m->text == NULL && m->blocks_json != NULL;
		struct turn *t = app_turn_insert(a, a->nturns, m->role ? m->role : "user",
						 json ? m->blocks_json : m->text, json);
		t->synced_gen = t->ed->gen;
	}
	if (a->nturns == 0) {
		/* an empty session starts with one user turn to type into */
		struct turn *t = app_turn_insert(a, 0, "user", "", 0);
		(void)t;
	}
	a->cur_turn = 0;
	a->diags_stale = 1;
	app_dirty(a);
}

void app_sync(struct app *a)
{
	struct session *s = a->sess;
	if (a->system_ed->gen != a->system_synced_gen) {
		char *t = textbuf_text(a->system_ed);
		if (a->system_json) {
			int ok;
			char *c = compact_json(t, &ok);
			if (ok) {
				str_set(&s->system_blocks_json, c);
				str_set(&s->system, NULL);
			} else {
				/* kept as typed; validation reports it */
				str_set(&s->system_blocks_json, t);
			}
			free(c);
		} else {
			if (*t || s->system)
				str_set(&s->system, *t ? t : NULL);
			if (!*t)
				str_set(&s->system, NULL);
			str_set(&s->system_blocks_json, NULL);
		}
		free(t);
		a->system_synced_gen = a->system_ed->gen;
	}
	/* messages: rebuild the list only when its shape changed */
	int shape = s->nmessages != a->nturns;
	for (size_t i = 0; !shape && i < a->nturns; i++)
		shape = !str_eq(s->messages[i].role, a->turns[i].role);
	if (shape) {
		while (s->nmessages)
			session_remove_message(s, s->nmessages - 1);
		for (size_t i = 0; i < a->nturns; i++) {
			session_add_message(s, a->turns[i].role, "", NULL);
			a->turns[i].synced_gen = (unsigned long)-1;
		}
	}
	for (size_t i = 0; i < a->nturns; i++) {
		struct turn *t = &a->turns[i];
		if (t->synced_gen == t->ed->gen)
			continue;
		struct session_message *m = &s->messages[i];
		char *txt = textbuf_text(t->ed);
		if (t->json) {
			int ok;
			char *c = compact_json(txt, &ok);
			str_set(&m->blocks_json, ok ? c : txt);
			str_set(&m->text, NULL);
			free(c);
		} else {
			str_set(&m->text, txt);
			str_set(&m->blocks_json, NULL);
		}
		free(txt);
		t->synced_gen = t->ed->gen;
	}
}

static void add_varname(struct app *a, const char *name, size_t len)
{
	for (size_t i = 0; i < a->nvarnames; i++)
		if (strlen(a->varnames[i]) == len && strncmp(a->varnames[i], name, len) == 0)
			return;
	a->varnames = xrealloc(a->varnames, (a->nvarnames + 1) * sizeof *a->varnames);
	a->varnames[a->nvarnames++] = xstrndup(name, len);
}

static void on_var(void *ud, const char *name, size_t len, size_t offset)
{
	(void)offset;
	add_varname(ud, name, len);
}

/* The variables the prompts use, in order of appearance, then the ones
 * only defined. */
static void collect_varnames(struct app *a)
{
	for (size_t i = 0; i < a->nvarnames; i++)
		free(a->varnames[i]);
	a->nvarnames = 0;
	struct session *s = a->sess;
	if (s->system)
		vars_scan(s->system, on_var, a);
	if (s->system_blocks_json)
		vars_scan(s->system_blocks_json, on_var, a);
	for (size_t i = 0; i < s->nmessages; i++) {
		if (s->messages[i].text)
			vars_scan(s->messages[i].text, on_var, a);
		if (s->messages[i].blocks_json)
			vars_scan(s->messages[i].blocks_json, on_var, a);
	}
	for (size_t i = 0; i < s->nvars; i++)
		add_varname(a, s->vars[i].name, strlen(s->vars[i].name));
}

void app_validate(struct app *a)
{
	if (!a->diags_stale)
		return;
	app_sync(a);
	diag_list_done(&a->diags);
	diag_list_init(&a->diags);
	session_validate(a->sess, &a->diags);
	collect_varnames(a);
	/* JSON turns that do not parse are the TUI's own check */
	for (size_t i = 0; i < a->nturns; i++) {
		if (!a->turns[i].json || !a->sess->messages[i].blocks_json)
			continue;
		cJSON *j = cJSON_Parse(a->sess->messages[i].blocks_json);
		if (!j)
			diag_add(&a->diags, DIAG_ERROR, NULL, "messages[%zu].content: not valid JSON", i);
		cJSON_Delete(j);
	}
	a->diags_stale = 0;
}

const struct diag *app_diag_for(struct app *a, const char *prefix)
{
	size_t n = strlen(prefix);
	for (size_t i = 0; i < a->diags.n; i++) {
		const struct diag *d = &a->diags.v[i];
		if (d->level != DIAG_ERROR)
			continue;
		if (d->path && strncmp(d->path, prefix, n) == 0 &&
		    (d->path[n] == 0 || d->path[n] == '.' || d->path[n] == '['))
			return d;
	}
	return NULL;
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
	a->view.ops = (k == VIEW_OPEN || k == VIEW_MODEL) ? &pane_list_ops : &pane_view_ops;
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

static struct pane *current_pane(struct app *a)
{
	return a->view_kind != VIEW_NONE ? &a->view : &a->panes[a->focus];
}

/* --- files ---------------------------------------------------------------- */

static void first_error(const struct diag_list *d, char *out, size_t n)
{
	out[0] = 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i].level == DIAG_ERROR) {
			char *m = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&m, &len);
			if (f) {
				diag_print(f, &d->v[i]);
				fclose(f);
				snprintf(out, n, "%s", m);
				free(m);
				char *nl = strchr(out, '\n');
				if (nl)
					*nl = 0;
			}
			return;
		}
}

static void do_save(struct app *a, const char *path, int flags)
{
	const char *own = preset_path(a->preset);
	int same_file = !path || (own && strcmp(path, own) == 0);
	if (same_file && preset_had_comments(a->preset) && !a->comments_ok) {
		/* the canonical YAML pwb writes has no comments: ask first */
		free(a->prompt.pending_path);
		a->prompt.pending_path = path ? xstrdup(path) : NULL;
		a->prompt.pending_flags = flags;
		app_prompt_yesno(a, PF_SAVE_COMMENTS,
				 "The file has comments, which saving drops. Save anyway? (y/n) ");
		return;
	}
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	enum preset_save_result r = preset_save(a->preset, path, flags, a->key, &d);
	char err[512];
	first_error(&d, err, sizeof err);
	switch (r) {
	case PRESET_SAVED:
		a->modified = 0;
		app_message(a, 0, "saved %s", preset_path(a->preset));
		autosave_write(a);
		break;
	case PRESET_SAVE_FAILED:
		app_message(a, 1, "not saved: %s", *err ? err : strerror(errno));
		break;
	case PRESET_SAVE_CHANGED:
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_SAVE_CHANGED,
				 "The file changed on disk since it was opened. Overwrite it? (y/n) ");
		break;
	case PRESET_SAVE_KEY_SHAPED:
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_SAVE_KEY,
				 "A key-shaped string is in the session. Save it anyway? (y/n) ");
		break;
	case PRESET_SAVE_INVALID:
		app_message(a, 1, "not saved: %s", *err ? err : "the session has errors");
		break;
	}
	diag_list_done(&d);
}

static void save_as_path(struct app *a, const char *path)
{
	struct stat st;
	const char *cur = preset_path(a->preset);
	if (stat(path, &st) == 0 && !(cur && strcmp(cur, path) == 0)) {
		free(a->prompt.pending_path);
		a->prompt.pending_path = xstrdup(path);
		app_prompt_yesno(a, PF_OVERWRITE, "%s exists. Overwrite it? (y/n) ", path);
		return;
	}
	do_save(a, path, 0);
}

static void clear_answers(struct app *a)
{
	run_cancel(a);
	for (size_t i = 0; i < a->nanswers; i++)
		answer_free(a->answers[i]);
	a->nanswers = a->shown = 0;
	a->run.last_failed = 0;
}

void app_set_preset(struct app *a, struct preset *p)
{
	if (a->preset)
		preset_free(a->preset);
	a->preset = p;
	a->sess = preset_session(p);
	a->comments_ok = 0;
	app_load_session(a);
	a->modified = 0;
}

int app_open_file(struct app *a, const char *path)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_file(path, &d);
	char err[512];
	first_error(&d, err, sizeof err);
	if (!p) {
		app_message(a, 1, "cannot open %s: %s", path, *err ? err : strerror(errno));
		diag_list_done(&d);
		return -1;
	}
	clear_answers(a);
	app_set_preset(a, p);
	if (*err)
		app_message(a, 1, "opened %s with errors: %s", path, err);
	else
		app_message(a, 0, "opened %s", path);
	diag_list_done(&d);
	run_load_recorded(a);
	autosave_write(a);
	return 0;
}

static void do_new(struct app *a)
{
	clear_answers(a);
	app_set_preset(a, preset_new());
	a->focus = PANE_SYSTEM;
	app_message(a, 0, "new session");
	autosave_write(a);
}

/* --- external editor --------------------------------------------------------- */

static void external_editor(struct app *a)
{
	struct pane *p = current_pane(a);
	struct textbuf *e = p->ops->editor ? p->ops->editor(a, p) : NULL;
	if (!e || e->readonly) {
		app_message(a, 1, "nothing to edit here: focus the system prompt, a message or a field");
		return;
	}
	if (a->ext.pid > 0)
		return;
	const char *tmp = getenv("TMPDIR");
	char *path = xasprintf("%s/pwb-edit-XXXXXX.txt", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemps(path, 4);
	if (fd < 0) {
		app_message(a, 1, "cannot create a temporary file: %s", strerror(errno));
		free(path);
		return;
	}
	char *text = textbuf_text(e);
	size_t n = strlen(text), off = 0;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	if (n && text[n - 1] != '\n' && write(fd, "\n", 1) < 0) {
		/* a missing final newline is harmless */
	}
	close(fd);
	free(text);
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	if (!ed || !*ed)
		ed = "vi";
	display_suspend();
	a->suspended = 1;
	pid_t pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTSTP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGWINCH, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		/* as git does: the editor value is a shell command */
		char *cmd = xasprintf("%s \"$1\"", ed);
		execl("/bin/sh", "sh", "-c", cmd, ed, path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		display_resume();
		a->suspended = 0;
		app_message(a, 1, "cannot start the editor: %s", strerror(errno));
		unlink(path);
		free(path);
		return;
	}
	/* the loop keeps running (the network too) while the editor owns the
	 * terminal; SIGCHLD through the signal pipe ends it */
	app_stdin_watch(a, 0);
	a->ext.pid = pid;
	a->ext.path = path;
	a->ext.ed = e;
	a->ext.pane = a->focus;
}

void app_child_exited(struct app *a)
{
	if (a->ext.pid <= 0)
		return;
	int status;
	pid_t r = waitpid(a->ext.pid, &status, WNOHANG);
	if (r != a->ext.pid)
		return;
	a->ext.pid = 0;
	display_resume();
	app_stdin_watch(a, 1);
	a->suspended = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		FILE *f = fopen(a->ext.path, "r");
		struct buf b;
		buf_init(&b, 0);
		if (f) {
			char tmp[8192];
			size_t n;
			while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
				buf_append(&b, tmp, n);
			fclose(f);
			/* the final newline editors add is not part of the text */
			if (b.len && b.data[b.len - 1] == '\n')
				b.data[--b.len] = 0;
			struct textbuf *e = a->ext.ed;
			char *old = textbuf_text(e);
			if (strcmp(old, buf_str(&b)) != 0) {
				textbuf_set_text(e, buf_str(&b));
				textbuf_cursor_end(e);
				app_changed(a);
				app_message(a, 0, "text taken from the editor");
			} else {
				app_message(a, 0, "unchanged");
			}
			free(old);
		}
		buf_done(&b);
	} else {
		app_message(a, 1, "the editor failed; the text is unchanged");
	}
	unlink(a->ext.path);
	free(a->ext.path);
	a->ext.path = NULL;
	a->ext.ed = NULL;
	app_dirty(a);
}

static void suspend(struct app *a)
{
	if (a->script_mode)
		return;
	display_suspend();
	kill(getpid(), SIGSTOP);
	display_resume();
	app_dirty(a);
}

void app_suspend(struct app *a)
{
	suspend(a);
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
			do_new(a);
		break;
	case PF_OPEN_FILE: {
		const char *f = text ? text : path;
		if (yes && f && *f)
			app_open_file(a, f);
		break;
	}
	case PF_SAVE_AS:
		if (yes && text && *text)
			save_as_path(a, text);
		break;
	case PF_OVERWRITE:
		if (yes)
			do_save(a, path, 0);
		break;
	case PF_SAVE_COMMENTS:
		if (yes) {
			a->comments_ok = 1;
			do_save(a, path, a->prompt.pending_flags);
		} else {
			app_message(a, 0, "not saved");
		}
		break;
	case PF_SAVE_KEY:
	case PF_SAVE_CHANGED:
		if (yes)
			do_save(a, path, PRESET_SAVE_FORCE);
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

static void prompt_key(struct app *a, int key)
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
	struct pane *p = current_pane(a);
	if (p->ops->text)
		p->ops->text(a, p, s, n);
	else
		app_message(a, 1, "paste ignored: focus a text pane to paste");
}

void app_key(struct app *a, int key)
{
	app_dirty(a);
	if (a->prompt.kind != PR_NONE) {
		prompt_key(a, key);
		return;
	}
	struct pane *p = current_pane(a);
	if (a->verbatim) {
		a->verbatim = 0;
		if (p->ops->text && !(key & (K_SPECIAL | K_META))) {
			char u[4];
			uint32_t cp = key == K_ENTER ? '\n' : (uint32_t)key;
			size_t n = utf8_encode(cp, u);
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
		size_t n = utf8_encode((uint32_t)key, u);
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
	struct pane *p = current_pane(a);
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
		break;
	case ACT_CANCEL:
		/* cancel a stream or a replay; otherwise nothing (never kills
		 * the program) */
		if (a->run.call || a->run.aux)
			run_cancel(a);
		if (a->run.replay)
			views_replay_cancel(a);
		break;
	case ACT_NEXT_PANE:
		focus(a, (a->focus + 1) % NPANES);
		break;
	case ACT_PREV_PANE:
		focus(a, (a->focus + NPANES - 1) % NPANES);
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
			do_save(a, NULL, 0);
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
			do_new(a);
		break;
	case ACT_QUIT:
		if (a->modified)
			app_prompt_yesno(a, PF_QUIT, "Quit without saving the changes? (y/n) ");
		else
			a->quit = 1;
		break;
	case ACT_SUSPEND:
		suspend(a);
		break;
	case ACT_EXPORT:
		app_open_view(a, VIEW_EXPORT);
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
	case ACT_EXTERNAL_EDITOR:
		external_editor(a);
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
	default:
		break;
	}
	app_dirty(a);
}

/* --- the loop pass and state dumps --------------------------------------------- */

void app_pass(struct app *a)
{
	run_pass(a);
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
