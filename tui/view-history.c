#include "tui/view-history.h"
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/diag.h"
#include "core/evaltable.h"
#include "core/logcall.h"
#include "core/preset.h"
#include "core/replay.h"
#include "core/runlog.h"
#include "core/session.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct historyview {
	struct runlog_version_line *v;
	size_t n, sel, top;
	char *empty;             /* why there is nothing to show, or NULL */
	struct textbuf *detail;  /* the diff, shown over the list */
};

/* The working text as a version's: the canonical text without response:
 * and tests: (as logcall_version records it). malloc'd. */
static char *working_text(struct app *a)
{
	app_sync(a);
	struct session *c = session_clone(a->sess);
	str_set(&c->response_json, NULL);
	str_set(&c->tests_json, NULL);
	char *t = preset_emit(c);
	session_free(c);
	return t;
}

/* "just now", "5 min ago", "3 h ago", "2026-11-28": short, and the same
 * in a test run whatever the clock says. */
static void when(const char *created_at, char *out, size_t n)
{
	struct tm tm = { 0 };
	if (!created_at || !strptime(created_at, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, n, "?");
		return;
	}
	time_t t = timegm(&tm);
	long long ago = (long long)(time(NULL) - t);
	if (ago < 60)
		snprintf(out, n, "just now");
	else if (ago < 3600)
		snprintf(out, n, "%lld min ago", ago / 60);
	else if (ago < 86400)
		snprintf(out, n, "%lld h ago", ago / 3600);
	else
		snprintf(out, n, "%.10s", created_at);
}

void view_history_open(struct app *a)
{
	struct historyview *h = a->view.priv;
	a->view.title = xasprintf("History: %s diff, %s restore, %s undo, %s answers, %s closes",
				  keymap_label(ACT_HISTORY_DIFF), keymap_label(ACT_HISTORY_RESTORE),
				  keymap_label(ACT_HISTORY_UNDO), keymap_label(ACT_HISTORY_ANSWERS),
				  keymap_label(ACT_CLOSE));
	if (!a->log) {
		h->empty = xstrdup("The run log is off (PWB_LOG=off) or could not be opened: no history.");
		return;
	}
	char *path = logcall_preset_path(a->preset);
	if (!path) {
		h->empty = xstrdup("This session has no file yet: save it, run it, and its versions show here.");
		return;
	}
	if (runlog_versions(a->log, path, 0, &h->v, &h->n) != 0)
		h->empty = xasprintf("The run log cannot be read: %s", runlog_error(a->log));
	else if (!h->n)
		h->empty = xstrdup("No versions yet: every run (the run key, or an evaluation) records one.");
	free(path);
}

static void fill_detail(struct historyview *h, const char *text)
{
	textbuf_free(h->detail);
	h->detail = textbuf_new();
	h->detail->readonly = 1;
	const char *p = text;
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		int attr = 0;
		if (n > 1 && p[0] == '@' && p[1] == '@')
			attr = LA_META;
		else if (n && p[0] == '+')
			attr = LA_ADDED;
		else if (n && p[0] == '-')
			attr = LA_REMOVED;
		if (nl || n)
			textbuf_append_line(h->detail, p, n, attr);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static void show_diff(struct app *a, struct historyview *h)
{
	const struct runlog_version_line *v = &h->v[h->sel];
	char *old = runlog_version_text(a->log, v->id);
	if (!old) {
		app_message(a, 1, "version %s: %s", v->id, runlog_error(a->log));
		return;
	}
	char *cur = working_text(a);
	char *d = replay_diff(old, cur);
	char *text = xasprintf("@@ version %s (-) against the working text (+); %s: back to the list\n%s",
			       v->id, keymap_label(ACT_CLOSE),
			       *d ? d : "(the same text)\n");
	fill_detail(h, text);
	free(text);
	free(d);
	free(cur);
	free(old);
}

/* How far back the answers of a version are looked for: the log's
 * latest answers (a version's answers are recent ones in practice). */
enum { HISTORY_ANSWERS_SCAN = 2000 };

static void show_answers(struct app *a, struct historyview *h)
{
	const struct runlog_version_line *v = &h->v[h->sel];
	struct runlog_answer_line *l = NULL;
	size_t n = 0;
	if (runlog_latest(a->log, HISTORY_ANSWERS_SCAN, &l, &n) != 0) {
		app_message(a, 1, "the run log cannot be read: %s", runlog_error(a->log));
		return;
	}
	char *path = logcall_preset_path(a->preset);
	struct buf b;
	buf_init(&b, 0);
	buf_printf(&b, "@@ answers of version %s, newest first; %s: back to the list\n", v->id,
		   keymap_label(ACT_CLOSE));
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (!str_eq(l[i].version_id, v->id) || !str_eq(l[i].preset_path, path))
			continue;
		char t[32];
		when(l[i].created_at, t, sizeof t);
		buf_printf(&b, "#%lld  %s  %s  %s  $%.5f%s  %s\n", l[i].id, t,
			   l[i].command ? l[i].command : "-", l[i].outcome ? l[i].outcome : "-",
			   l[i].cost_usd, l[i].cached ? " cached" : "",
			   l[i].first_line ? l[i].first_line : "");
		shown++;
	}
	if (!shown)
		buf_puts(&b, "(none among the log's latest answers)\n");
	else
		buf_printf(&b, "\n%zu answer%s; pwb log show ID prints one in full\n", shown,
			   shown == 1 ? "" : "s");
	fill_detail(h, buf_str(&b));
	buf_done(&b);
	free(path);
	runlog_answer_lines_free(l, n);
}

/* Put the session of text into the app's preset (its file stays), keeping
 * tests: and response: when keep_tests (a version has neither). */
int view_history_swap_in(struct app *a, const char *text, int keep_tests)
{
	struct diag_list d;
	diag_list_init(&d);
	struct preset *p = preset_load_string("version", text, strlen(text), &d);
	diag_list_done(&d);
	if (!p)
		return -1;
	struct session *dst = a->sess, *src = preset_session(p);
	if (keep_tests) {
		str_set(&src->tests_json, dst->tests_json);
		str_set(&src->response_json, dst->response_json);
	}
	struct session t = *dst;
	*dst = *src;
	*src = t;
	preset_free(p); /* with the old session */
	app_load_session(a);
	app_changed(a);
	return 0;
}

static void restore(struct app *a, struct historyview *h)
{
	const struct runlog_version_line *v = &h->v[h->sel];
	char *text = runlog_version_text(a->log, v->id);
	if (!text) {
		app_message(a, 1, "version %s: %s", v->id, runlog_error(a->log));
		return;
	}
	app_sync(a);
	char *before = preset_emit(a->sess);
	if (view_history_swap_in(a, text, 1) != 0) {
		app_message(a, 1, "version %s cannot be read as a preset", v->id);
		free(before);
	} else {
		free(a->restore_undo);
		a->restore_undo = before;
		app_message(a, 0, "restored version %s (%s undoes it; Ctrl-S saves)", v->id,
			    keymap_label(ACT_HISTORY_UNDO));
	}
	free(text);
}

static void undo_restore(struct app *a)
{
	if (!a->restore_undo) {
		app_message(a, 0, "no restore to undo");
		return;
	}
	if (view_history_swap_in(a, a->restore_undo, 0) != 0) {
		app_message(a, 1, "the text before the restore cannot be read back");
		return;
	}
	free(a->restore_undo);
	a->restore_undo = NULL;
	app_message(a, 0, "restore undone: the text is as before it");
}

void view_history_free(struct app *a)
{
	free(a->restore_undo);
	a->restore_undo = NULL;
}

static void history_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)a, (void)focused;
	struct historyview *h = p->priv;
	if (h->detail) {
		editor_draw(h->detail, r.y, r.x, r.h, r.w, 0, 0, NULL, NULL);
		return;
	}
	if (h->empty) {
		text_draw(r.y, r.x, r.w, h->empty, strlen(h->empty), 0);
		for (int i = 1; i < r.h; i++)
			text_draw(r.y + i, r.x, r.w, "", 0, 0);
		return;
	}
	enum { W_MARK = 1, W_WHEN = 10, W_ID = 8, W_MODEL = 16, W_ANS = 7, W_EVAL = 12, W_GRADE = 5 };
	int w_sum = r.w - (W_MARK + W_WHEN + W_ID + W_MODEL + W_ANS + W_EVAL + W_GRADE + 7) - 1;
	if (w_sum < 10)
		w_sum = 10;
	struct buf b;
	buf_init(&b, 0);
	evaltable_pad(&b, "", W_MARK);
	evaltable_pad(&b, "when", W_WHEN);
	evaltable_pad(&b, "version", W_ID);
	evaltable_pad(&b, "model", W_MODEL);
	evaltable_pad(&b, "answers", W_ANS);
	evaltable_pad(&b, "last eval", W_EVAL);
	evaltable_pad(&b, "grade", W_GRADE);
	evaltable_pad(&b, "what changed", w_sum);
	text_draw(r.y, r.x, r.w, buf_str(&b), b.len, LA_META);
	size_t rows = r.h > 1 ? (size_t)(r.h - 1) : 0;
	if (h->sel < h->top)
		h->top = h->sel;
	if (rows && h->sel >= h->top + rows)
		h->top = h->sel - rows + 1;
	for (size_t i = 0; i < rows; i++) {
		size_t k = h->top + i;
		int y = r.y + 1 + (int)i;
		if (k >= h->n) {
			text_draw(y, r.x, r.w, "", 0, 0);
			continue;
		}
		const struct runlog_version_line *v = &h->v[k];
		char t[32], ev[64];
		when(v->created_at, t, sizeof t);
		/* the newest eval's pass rate ("3/4 passed") */
		const char *evals = v->evals && *v->evals ? v->evals : "-";
		snprintf(ev, sizeof ev, "%.*s", (int)strcspn(evals, ","), evals);
		buf_clear(&b);
		evaltable_pad(&b, k == h->sel ? "\u25b8" : "", W_MARK);
		evaltable_pad(&b, t, W_WHEN);
		evaltable_pad(&b, v->id, W_ID);
		evaltable_pad(&b, v->model && *v->model ? v->model : "-", W_MODEL);
		char na[24], gr[16];
		snprintf(na, sizeof na, "%ld", v->answers);
		if (v->graded)
			snprintf(gr, sizeof gr, "%.1f", v->mean_grade);
		else
			snprintf(gr, sizeof gr, "-");
		evaltable_pad(&b, na, W_ANS);
		evaltable_pad(&b, ev, W_EVAL);
		evaltable_pad(&b, gr, W_GRADE);
		evaltable_pad(&b, v->summary ? v->summary : "", w_sum);
		text_draw(y, r.x, r.w, buf_str(&b), b.len, 0);
		if (k == h->sel)
			mvchgat(y, r.x, r.w, A_REVERSE, 0, NULL);
	}
	buf_done(&b);
}

static int history_action(struct app *a, struct pane *p, enum action act)
{
	struct historyview *h = p->priv;
	int w = p->r.w > 0 ? p->r.w : 80, ht = p->r.h > 0 ? p->r.h : 10;
	if (h->detail) {
		switch (act) {
		case ACT_CLOSE:
			textbuf_free(h->detail);
			h->detail = NULL;
			return 1;
		case ACT_SCROLL_UP: textbuf_scroll(h->detail, -1, w, ht); return 1;
		case ACT_SCROLL_DOWN: textbuf_scroll(h->detail, 1, w, ht); return 1;
		case ACT_SCROLL_PAGE_UP: textbuf_scroll(h->detail, -(ht - 1), w, ht); return 1;
		case ACT_SCROLL_PAGE_DOWN: textbuf_scroll(h->detail, ht - 1, w, ht); return 1;
		case ACT_SCROLL_TOP: h->detail->top_line = h->detail->top_row = 0; return 1;
		case ACT_SCROLL_BOTTOM: textbuf_view_end(h->detail, w, ht); return 1;
		default: break;
		}
	}
	size_t page = ht > 2 ? (size_t)(ht - 2) : 1;
	switch (act) {
	case ACT_HISTORY_DIFF:
		if (h->n)
			show_diff(a, h);
		return 1;
	case ACT_HISTORY_RESTORE:
		if (h->n)
			restore(a, h);
		return 1;
	case ACT_HISTORY_ANSWERS:
		if (h->n)
			show_answers(a, h);
		return 1;
	case ACT_HISTORY_UNDO:
		undo_restore(a);
		return 1;
	case ACT_SCROLL_UP:
		if (h->sel)
			h->sel--;
		return 1;
	case ACT_SCROLL_DOWN:
		if (h->sel + 1 < h->n)
			h->sel++;
		return 1;
	case ACT_SCROLL_PAGE_UP:
		h->sel = h->sel > page ? h->sel - page : 0;
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		h->sel = h->sel + page < h->n ? h->sel + page : (h->n ? h->n - 1 : 0);
		return 1;
	case ACT_SCROLL_TOP:
		h->sel = 0;
		return 1;
	case ACT_SCROLL_BOTTOM:
		h->sel = h->n ? h->n - 1 : 0;
		return 1;
	default:
		return 0;
	}
}

static void history_free(struct app *a, struct pane *p)
{
	(void)a;
	struct historyview *h = p->priv;
	runlog_version_lines_free(h->v, h->n);
	free(h->empty);
	textbuf_free(h->detail);
}

const struct pane_ops pane_history_ops = {
	.name = "History",
	.chain = CHAIN_HISTORY,
	.private_size = sizeof(struct historyview),
	.draw = history_draw,
	.action = history_action,
	.free = history_free,
};
