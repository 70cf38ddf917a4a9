#include "tui/views.h"
#include "tui/view-eval.h"
#include "tui/view-history.h"
#include "tui/sidebyside.h"
#include "tui/display.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/cost.h"
#include "core/diag.h"
#include "core/export.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/session.h"
#include "core/util.h"

#include <curses.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- text views: help, export, replay --------------------------------------------- */

struct textview {
	struct textbuf *ed;
	enum export_lang lang;
	int stream; /* export: a streaming request (pwb export --stream) */
	char *text; /* export: the snippet as is */
};

static void tv_fill(struct textview *v, const char *text)
{
	if (!v->ed) {
		v->ed = textbuf_new();
		v->ed->readonly = 1;
	}
	textbuf_set_text(v->ed, "");
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int attr = 0;
		if (n && p[0] == '@' && n > 1 && p[1] == '@')
			attr = LA_META;
		else if (n && p[0] == '+')
			attr = LA_ADDED;
		else if (n && p[0] == '-')
			attr = LA_REMOVED;
		textbuf_append_line(v->ed, p, n, attr);
		if (!nl)
			break;
		p = nl + 1;
	}
	v->ed->top_line = v->ed->top_row = 0;
}

/* The export view as pwb export makes it: non-streaming unless asked
 * (ACT_EXPORT_STREAM), C, Python, JavaScript, curl in that order; the
 * first line says which, and the keys. */
static void export_fill(struct app *a, struct textview *v)
{
	static const char *const lang_title[] = {
		[EXPORT_C] = "C (libcurl + cJSON)", [EXPORT_PYTHON] = "Python (anthropic SDK)",
		[EXPORT_JS] = "JavaScript (@anthropic-ai/sdk)", [EXPORT_CURL] = "curl",
	};
	app_sync(a);
	struct diag_list d;
	diag_list_init(&d);
	int forced = 0;
	char *t = export_render(a->sess, v->lang, v->stream, &d, &forced);
	free(v->text);
	v->text = t;
	struct buf b;
	buf_init(&b, 0);
	free(a->view.title);
	a->view.title = xasprintf("Export: %s, %s", lang_title[v->lang],
				  v->stream ? "streaming" : forced ? "streaming (the SDK needs it at this max_tokens)"
								   : "not streaming");
	static const char *const lang_short[] = {
		[EXPORT_C] = "C", [EXPORT_PYTHON] = "Python", [EXPORT_JS] = "JavaScript", [EXPORT_CURL] = "curl",
	};
	buf_printf(&b, "%s: %s, %s: %s, %s: write to a file, %s: copy (OSC 52), %s: close\n\n",
		   keymap_label(ACT_EXPORT_LANG), lang_short[v->lang == EXPORT_CURL ? EXPORT_C : v->lang + 1],
		   keymap_label(ACT_EXPORT_STREAM), v->stream ? "not streaming" : "streaming",
		   keymap_label(ACT_EXPORT_WRITE), keymap_label(ACT_EXPORT_COPY), keymap_label(ACT_CLOSE));
	if (t) {
		buf_puts(&b, t);
	} else {
		buf_puts(&b, "The request cannot be built:\n");
		for (size_t i = 0; i < d.n; i++)
			buf_printf(&b, "- %s%s%s\n", d.v[i].path ? d.v[i].path : "",
				   d.v[i].path ? ": " : "", d.v[i].message);
	}
	tv_fill(v, buf_str(&b));
	v->ed->lines[0].attr = LA_META;
	buf_done(&b);
	diag_list_done(&d);
}

/* The replay runs on the main loop (core/replay.h); its report grows in
 * a->run.replay_out turn by turn and the view, when open, shows it. Closing
 * the view does not stop it: the cancel action does.
 * The view's text: the report, under a line with the keys while it runs. */
static void replay_view_fill(struct app *a, struct textview *v)
{
	struct buf b;
	buf_init(&b, 0);
	if (a->run.replay)
		buf_printf(&b, "Replaying; %s cancels, %s closes this view (the replay goes on).\n\n",
			   keymap_label(ACT_CANCEL), keymap_label(ACT_CLOSE));
	buf_puts(&b, buf_str(&a->run.replay_out));
	tv_fill(v, buf_str(&b));
	buf_done(&b);
}

static void replay_show(struct app *a)
{
	if (a->view_kind != VIEW_REPLAY)
		return;
	struct textview *v = a->view.priv;
	size_t top_line = v->ed ? v->ed->top_line : 0;
	size_t top_row = v->ed ? v->ed->top_row : 0;
	replay_view_fill(a, v);
	v->ed->top_line = top_line < v->ed->nlines ? top_line : 0;
	v->ed->top_row = top_line < v->ed->nlines ? top_row : 0;
	app_dirty(a);
}

static void on_replay_turn(void *ud, const struct replay_turn *t)
{
	struct app *a = ud;
	struct buf *out = &a->run.replay_out;
	if (t->index < 0)
		buf_printf(out, "@@ response: ");
	else
		buf_printf(out, "@@ turn %ld: ", t->index + 1);
	switch (t->status) {
	case REPLAY_SAME:
		buf_puts(out, "same\n");
		break;
	case REPLAY_CHANGED:
		buf_printf(out, "changed\n%s\n", t->diff ? t->diff : "");
		break;
	case REPLAY_ERROR:
		buf_printf(out, "error: %s\n", t->error ? t->error : "?");
		break;
	}
	replay_show(a);
}

static void on_replay_done(void *ud, struct replay *r)
{
	struct app *a = ud;
	const struct replay_result *res = replay_result_of(r);
	buf_printf(&a->run.replay_out, "\n%zu same, %zu changed, %zu errors%s\n", res->same,
		   res->changed, res->errors, res->canceled ? " (canceled)" : "");
	app_message(a, 0, "replay %s: %zu same, %zu changed, %zu errors",
		    res->canceled ? "canceled" : "done", res->same, res->changed, res->errors);
	replay_free(r); /* allowed from on_done */
	a->run.replay = NULL;
	replay_show(a);
}

void views_replay_cancel(struct app *a)
{
	replay_cancel(a->run.replay);
}

void views_replay_free(struct app *a)
{
	replay_free(a->run.replay);
	a->run.replay = NULL;
	buf_done(&a->run.replay_out);
}

/* Start a replay unless one runs (then show its progress). */
static void replay_fill(struct app *a, struct textview *v)
{
	if (a->run.replay) {
		replay_view_fill(a, v);
		return;
	}
	app_sync(a);
	struct buf *out = &a->run.replay_out;
	buf_clear(out);
	struct diag_list d;
	diag_list_init(&d);
	if (replay_check_plan(a->sess, 1, &d) != 0) {
		buf_puts(out, "Nothing to replay:\n");
		for (size_t i = 0; i < d.n; i++)
			buf_printf(out, "- %s\n", d.v[i].message);
	} else if (!a->have_key) {
		buf_puts(out, "Replay sends requests: it needs an API key (ANTHROPIC_API_KEY or .env).\n");
	} else if (a->run.call) {
		buf_printf(out, "A request is running; replay when it is done (%s cancels it).\n",
			   keymap_label(ACT_CANCEL));
	} else {
		struct replay_hooks h = { .on_turn = on_replay_turn, .on_done = on_replay_done, .ud = a };
		a->run.replay = replay_start(a->loop, &a->cfg, a->sess, 1, &h, &d);
		if (a->run.replay)
			app_message(a, 0, "replaying (%s cancels)", keymap_label(ACT_CANCEL));
	}
	diag_list_done(&d);
	replay_view_fill(a, v);
}

/* Never past the end: the view's first row is at most the one that shows
 * the end at the bottom (keys may have scrolled before the first frame
 * gave the pane its size, or the pane grew). */
static void view_not_past_end(struct textbuf *e, int w, int h)
{
	size_t tl = e->top_line, tr = e->top_row;
	textbuf_view_end(e, w, h);
	if (tl < e->top_line || (tl == e->top_line && tr < e->top_row)) {
		e->top_line = tl;
		e->top_row = tr;
	}
}

static void textview_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)a, (void)focused;
	struct textview *v = p->priv;
	if (!v->ed || r.h <= 0 || r.w <= 0)
		return;
	view_not_past_end(v->ed, r.w, r.h);
	editor_draw(v->ed, r.y, r.x, r.h, r.w, 0, 0, NULL, NULL);
}

static int textview_action(struct app *a, struct pane *p, enum action act)
{
	struct textview *v = p->priv;
	int w = p->r.w > 0 ? p->r.w : 80, h = p->r.h > 0 ? p->r.h : 10;
	switch (act) {
	case ACT_SCROLL_UP:
		textbuf_scroll(v->ed, -1, w, h);
		return 1;
	case ACT_SCROLL_DOWN:
		textbuf_scroll(v->ed, 1, w, h);
		return 1;
	case ACT_SCROLL_PAGE_UP:
		textbuf_scroll(v->ed, -(h - 1), w, h);
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		textbuf_scroll(v->ed, h - 1, w, h);
		return 1;
	case ACT_SCROLL_TOP:
		v->ed->top_line = v->ed->top_row = 0;
		return 1;
	case ACT_SCROLL_BOTTOM:
		textbuf_view_end(v->ed, w, h);
		return 1;
	case ACT_EXPORT_LANG:
		if (a->view_kind != VIEW_EXPORT)
			return 0;
		v->lang = v->lang == EXPORT_CURL ? EXPORT_C : (enum export_lang)(v->lang + 1);
		export_fill(a, v);
		return 1;
	case ACT_EXPORT_WRITE: {
		if (a->view_kind != VIEW_EXPORT || !v->text)
			return a->view_kind == VIEW_EXPORT;
		static const char *const ext[] = { "c", "py", "mjs", "sh" };
		char *def = xasprintf("request.%s", ext[v->lang]);
		app_prompt_line(a, PF_EXPORT_WRITE, def, "Write %s to: ", export_lang_name(v->lang));
		free(def);
		return 1;
	}
	case ACT_EXPORT_STREAM:
		if (a->view_kind != VIEW_EXPORT)
			return 0;
		v->stream = !v->stream;
		export_fill(a, v);
		return 1;
	case ACT_EXPORT_COPY:
		if (a->view_kind != VIEW_EXPORT || !v->text)
			return a->view_kind == VIEW_EXPORT;
		display_osc52(v->text, strlen(v->text));
		app_message(a, 0, "copied %zu bytes with OSC 52 (in tmux: set -s set-clipboard on)",
			    strlen(v->text));
		return 1;
	default:
		return 0;
	}
}

static enum key_chain textview_chain(struct app *a, struct pane *p)
{
	(void)p;
	return a->view_kind == VIEW_EXPORT ? CHAIN_EXPORT : CHAIN_BROWSE;
}

static void textview_free(struct app *a, struct pane *p)
{
	(void)a;
	struct textview *v = p->priv;
	textbuf_free(v->ed);
	free(v->text);
}

/* Help, export and replay; the title is set per instance (views_open). */
const struct pane_ops pane_view_ops = {
	.name = "View",
	.chain = CHAIN_BROWSE,
	.private_size = sizeof(struct textview),
	.draw = textview_draw,
	.action = textview_action,
	.current_chain = textview_chain,
	.free = textview_free,
};

void views_export_write(struct app *a, const char *path)
{
	if (a->view_kind != VIEW_EXPORT)
		return;
	struct textview *v = a->view.priv;
	if (!v->text)
		return;
	FILE *f = fopen(path, "we");
	if (!f || fputs(v->text, f) < 0) {
		app_message(a, 1, "cannot write %s: %s", path, strerror(errno));
		if (f)
			fclose(f);
		return;
	}
	if (fclose(f) != 0) {
		app_message(a, 1, "cannot write %s: %s", path, strerror(errno));
		return;
	}
	app_message(a, 0, "wrote %s", path);
}

/* --- lists: open a preset, choose a model ---------------------------------------------- */

struct listview {
	char **items;
	char **labels;
	size_t n, sel, top;
};

static void list_add(struct listview *l, const char *item, const char *label)
{
	l->items = xrealloc(l->items, (l->n + 1) * sizeof *l->items);
	l->labels = xrealloc(l->labels, (l->n + 1) * sizeof *l->labels);
	l->items[l->n] = xstrdup(item);
	l->labels[l->n] = xstrdup(label);
	l->n++;
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* "PATH  — name: description" (the description's first line), from the
 * preset itself; only regular files are read (a FIFO would block). */
static char *preset_label(const char *path, const char *shown, int recent)
{
	struct stat st;
	struct preset *p = NULL;
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
		struct diag_list d;
		diag_list_init(&d);
		p = preset_load_file(path, &d);
		diag_list_done(&d);
	}
	const struct session *s = p ? preset_session(p) : NULL;
	struct buf b;
	buf_init(&b, 0);
	buf_puts(&b, shown);
	if (recent)
		buf_puts(&b, "  (recent)");
	if (s && (s->name || s->description)) {
		buf_puts(&b, "  \u2014 ");
		if (s->name)
			buf_puts(&b, s->name);
		if (s->description) {
			size_t n = strcspn(s->description, "\n");
			if (s->name)
				buf_puts(&b, ": ");
			buf_append(&b, s->description, n);
		}
	}
	preset_free(p);
	return buf_take(&b);
}

/* 1 when path is one of the n absolute paths already listed. */
static int listed(char **abs, size_t n, const char *path)
{
	char r[PATH_MAX];
	if (!realpath(path, r))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(abs[i], r) == 0)
			return 1;
	return 0;
}

static void scan_dir(struct listview *l, const char *dir, char **recent, size_t nrecent)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		if ((len > 5 && strcmp(de->d_name + len - 5, ".yaml") == 0) ||
		    (len > 4 && strcmp(de->d_name + len - 4, ".yml") == 0)) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		if (!listed(recent, nrecent, path)) {
			char *label = preset_label(path, path, 0);
			list_add(l, path, label);
			free(label);
		}
		free(path);
		free(names[i]);
	}
	free(names);
}

static void open_fill(struct listview *l)
{
	list_add(l, "", "[type a path...]");
	/* the recent ones first (opened or saved, wherever they are), shown
	 * relative to here when they are below it */
	char **recent;
	size_t nrecent = app_recent_load(&recent);
	char cwd[PATH_MAX];
	size_t cl = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
	for (size_t i = 0; i < nrecent; i++) {
		const char *shown = recent[i];
		if (cl && strncmp(shown, cwd, cl) == 0 && shown[cl] == '/')
			shown += cl + 1;
		char *label = preset_label(recent[i], shown, 1);
		list_add(l, recent[i], label);
		free(label);
	}
	scan_dir(l, "presets", recent, nrecent);
	const char *xd = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;
	if (xd && *xd)
		dir = xasprintf("%s/pwb/presets", xd);
	else if (home)
		dir = xasprintf("%s/.local/share/pwb/presets", home);
	if (dir)
		scan_dir(l, dir, recent, nrecent);
	free(dir);
	scan_dir(l, PWB_PREFIX "/share/pwb/presets", recent, nrecent);
	for (size_t i = 0; i < nrecent; i++)
		free(recent[i]);
	free(recent);
}

static void tokens_text(char *out, size_t n, long v)
{
	if (v % 1000000 == 0)
		snprintf(out, n, "%ldM", v / 1000000);
	else if (v % 1000 == 0)
		snprintf(out, n, "%ldK", v / 1000);
	else
		snprintf(out, n, "%ld", v);
}

/* "id  display name  context  max output  $in / $out" in aligned columns;
 * models pwb has no facts about show their id alone. */
static char *model_label(const char *id, const char *note)
{
	const struct cost_model *m = cost_model_info(id);
	struct price p;
	char ctx[24] = "", out[24] = "", price[48] = "";
	if (m) {
		tokens_text(ctx, sizeof ctx, m->context);
		tokens_text(out, sizeof out, m->max_output);
	}
	if (cost_price(id, 0, &p))
		snprintf(price, sizeof price, "$%g/$%g", p.input, p.output);
	else
		snprintf(price, sizeof price, "price unknown");
	if (!m)
		return xasprintf("%-22s %-21s %s %s", id, "", price, note);
	return xasprintf("%-22s %-21s %4s ctx %4s out  %s %s", id, m->display_name, ctx, out,
			 price, note);
}

static void model_fill(struct app *a, struct listview *l)
{
	list_add(l, "", "[type a model id...]");
	size_t first = l->n;
	if (a->run.nmodels) {
		for (size_t i = 0; i < a->run.nmodels; i++) {
			char *lab = model_label(a->run.models[i], "");
			list_add(l, a->run.models[i], lab);
			free(lab);
		}
	} else {
		for (size_t i = 0; cost_builtin_models[i]; i++) {
			char *lab = model_label(cost_builtin_models[i], "");
			list_add(l, cost_builtin_models[i], lab);
			free(lab);
		}
	}
	const char *cur = a->sess->model;
	if (!cur || !*cur)
		return;
	/* the cursor on the current model: its exact id, else its family (a
	 * dated id or an alias), else the model is added as the first entry */
	for (size_t i = first; i < l->n; i++)
		if (strcmp(l->items[i], cur) == 0) {
			l->sel = i;
			return;
		}
	const struct cost_model *cm = cost_model_info(cur);
	for (size_t i = first; cm && i < l->n; i++)
		if (cost_model_info(l->items[i]) == cm) {
			l->sel = i;
			return;
		}
	char *lab = model_label(cur, "(current)");
	list_add(l, cur, lab);
	free(lab);
	/* move it to the top of the models */
	char *it = l->items[l->n - 1], *lb = l->labels[l->n - 1];
	memmove(l->items + first + 1, l->items + first, (l->n - 1 - first) * sizeof *l->items);
	memmove(l->labels + first + 1, l->labels + first, (l->n - 1 - first) * sizeof *l->labels);
	l->items[first] = it;
	l->labels[first] = lb;
	l->sel = first;
}

static void list_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)a, (void)focused;
	struct listview *l = p->priv;
	if (l->sel < l->top)
		l->top = l->sel;
	if (l->sel >= l->top + (size_t)r.h)
		l->top = l->sel - (size_t)r.h + 1;
	for (int i = 0; i < r.h; i++) {
		size_t k = l->top + (size_t)i;
		if (k >= l->n) {
			text_draw(r.y + i, r.x, r.w, "", 0, 0);
			continue;
		}
		char line[1024];
		snprintf(line, sizeof line, "%s %s", k == l->sel ? "\u25b8" : " ", l->labels[k]);
		text_draw(r.y + i, r.x, r.w, line, strlen(line), k == l->sel ? LA_BOLD : 0);
		if (k == l->sel)
			mvchgat(r.y + i, r.x, r.w, A_REVERSE, 0, NULL);
	}
}

static int list_action(struct app *a, struct pane *p, enum action act)
{
	struct listview *l = p->priv;
	switch (act) {
	case ACT_SCROLL_UP:
		if (l->sel)
			l->sel--;
		return 1;
	case ACT_SCROLL_DOWN:
		if (l->sel + 1 < l->n)
			l->sel++;
		return 1;
	case ACT_SCROLL_PAGE_UP:
		l->sel = l->sel > (size_t)p->r.h ? l->sel - (size_t)p->r.h : 0;
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		l->sel = l->sel + (size_t)p->r.h < l->n ? l->sel + (size_t)p->r.h : l->n - 1;
		return 1;
	case ACT_SCROLL_TOP:
		l->sel = 0;
		return 1;
	case ACT_SCROLL_BOTTOM:
		l->sel = l->n ? l->n - 1 : 0;
		return 1;
	case ACT_LIST_CHOOSE: {
		if (!l->n)
			return 1;
		char *item = xstrdup(l->items[l->sel]);
		enum view_kind k = a->view_kind;
		app_close_view(a);
		if (k == VIEW_MODEL && !*item) {
			app_edit_model(a);
		} else if (k == VIEW_MODEL) {
			app_set_model(a, item);
		} else if (!*item) {
			app_prompt_line(a, PF_OPEN_FILE, "", "Open: ");
		} else if (a->modified) {
			free(a->prompt.pending_path);
			a->prompt.pending_path = xstrdup(item);
			app_prompt_yesno(a, PF_OPEN_FILE, "Discard the unsaved changes and open %s? (y/n) ",
					 item);
		} else {
			app_open_file(a, item);
		}
		free(item);
		return 1;
	}
	default:
		return 0;
	}
}

static void list_free(struct app *a, struct pane *p)
{
	(void)a;
	struct listview *l = p->priv;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i]);
		free(l->labels[i]);
	}
	free(l->items);
	free(l->labels);
}

/* Open a preset, choose a model; the title is set per instance. */
const struct pane_ops pane_list_ops = {
	.name = "List",
	.chain = CHAIN_LIST,
	.private_size = sizeof(struct listview),
	.draw = list_draw,
	.action = list_action,
	.free = list_free,
};

void views_open(struct app *a, enum view_kind k)
{
	switch (k) {
	case VIEW_HELP: {
		a->view.title = xasprintf("Help: every key (%s closes)", keymap_label(ACT_CLOSE));
		struct buf b;
		buf_init(&b, 0);
		keymap_help(&b);
		tv_fill(a->view.priv, buf_str(&b));
		buf_done(&b);
		break;
	}
	case VIEW_EXPORT:
		((struct textview *)a->view.priv)->lang = EXPORT_C;
		export_fill(a, a->view.priv);
		break;
	case VIEW_REPLAY:
		a->view.title = xstrdup("Replay: recorded vs new");
		replay_fill(a, a->view.priv);
		break;
	case VIEW_OPEN:
		a->view.title = xasprintf("Open a preset (%s opens, %s closes)",
					  keymap_label(ACT_LIST_CHOOSE), keymap_label(ACT_CLOSE));
		open_fill(a->view.priv);
		break;
	case VIEW_MODEL:
		a->view.title = xasprintf("Choose a model: limits, USD/MTok in/out (%s takes it, %s closes)",
					  keymap_label(ACT_LIST_CHOOSE), keymap_label(ACT_CLOSE));
		model_fill(a, a->view.priv);
		break;
	case VIEW_EVAL:
		view_eval_open(a);
		break;
	case VIEW_HISTORY:
		view_history_open(a);
		break;
	case VIEW_ANSWERS:
		sidebyside_open_answers(a);
		break;
	case VIEW_NONE:
		break;
	}
}
