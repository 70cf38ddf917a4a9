/* The two text panes: the system prompt (one editor) and the messages (a
 * flow of turns, each an editor under a header row). Drawing starts at a
 * remembered top position and walks forward over visible rows only. */
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- system prompt --------------------------------------------------------------- */

static void system_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)p;
	int cy = -1, cx = -1;
	if (!focused && textbuf_is_empty(a->system_ed)) {
		text_draw(r.y, r.x, r.w, "(no system prompt)", 18, LA_DIM);
		for (int i = 1; i < r.h; i++)
			text_draw(r.y + i, r.x, r.w, "", 0, 0);
		return;
	}
	editor_draw(a->system_ed, r.y, r.x, r.h, r.w, focused, 0, &cy, &cx);
	if (focused && cy >= 0)
		move(cy, cx);
}

static int system_action(struct app *a, struct pane *p, enum action act)
{
	if (action_scope(act) != SCOPE_TEXT)
		return 0;
	unsigned long g = a->system_ed->gen;
	enum textbuf_result r = editor_action(a->system_ed, act, p->r.h);
	if (r == TEXTBUF_UNHANDLED)
		return 0;
	if (a->system_ed->gen != g)
		app_changed(a);
	return 1;
}

static void system_text(struct app *a, struct pane *p, const char *s, size_t n)
{
	(void)p;
	textbuf_insert(a->system_ed, s, n);
	app_changed(a);
}

static struct textbuf *system_editor(struct app *a, struct pane *p)
{
	(void)p;
	return a->system_ed;
}

const struct pane_ops pane_system_ops = {
	.name = "System prompt",
	.chain = CHAIN_SYSTEM,
	.draw = system_draw,
	.action = system_action,
	.text = system_text,
	.editor = system_editor,
};

/* --- messages ---------------------------------------------------------------------- */

struct msgview {
	int inited;
	size_t top_turn;
	long top_line; /* -1: the header row */
	size_t top_row;
};

static size_t rows_at(struct app *a, size_t t, long l, int w)
{
	return l < 0 ? 1 : textbuf_line_rows(a->turns[t].ed, (size_t)l, w);
}

/* Step one row back from (t,l,r); returns 0 at the very top. */
static int step_back(struct app *a, size_t *t, long *l, size_t *r, int w)
{
	if (*r > 0) {
		(*r)--;
		return 1;
	}
	if (*l >= 0) {
		(*l)--;
		*r = rows_at(a, *t, *l, w) - 1;
		return 1;
	}
	if (*t == 0)
		return 0;
	(*t)--;
	*l = (long)a->turns[*t].ed->nlines - 1;
	*r = rows_at(a, *t, *l, w) - 1;
	return 1;
}

static int pos_before(size_t t1, long l1, size_t r1, size_t t2, long l2, size_t r2)
{
	if (t1 != t2)
		return t1 < t2;
	if (l1 != l2)
		return l1 < l2;
	return r1 < r2;
}

static void header_text(struct app *a, size_t i, char *out, size_t n)
{
	const struct turn *t = &a->turns[i];
	int prefill = i + 1 == a->nturns && strcmp(t->role, "assistant") == 0;
	char err[200] = "";
	const struct diag *d = NULL;
	char path[48];
	snprintf(path, sizeof path, "messages[%zu]", i);
	d = app_diag_for(a, path);
	if (d)
		snprintf(err, sizeof err, "  \u2717 %s", d->message);
	snprintf(out, n, "%s %zu %s%s%s%s", i == a->cur_turn ? "\u25b8" : " ", i + 1, t->role,
		 t->json ? " (content blocks, JSON)" : "", prefill ? " (prefill)" : "", err);
}

static void messages_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	struct msgview *v = p->priv;
	int w = r.w;
	if (a->nturns == 0) {
		text_draw(r.y, r.x, r.w, "(no turns: type to start a user turn)", 37, LA_DIM);
		for (int i = 1; i < r.h; i++)
			text_draw(r.y + i, r.x, r.w, "", 0, 0);
		return;
	}
	if (!v->inited) {
		v->inited = 1;
		v->top_line = -1;
	}
	if (a->cur_turn >= a->nturns)
		a->cur_turn = a->nturns - 1;
	if (v->top_turn >= a->nturns)
		v->top_turn = a->nturns - 1, v->top_line = -1, v->top_row = 0;
	if (v->top_line >= (long)a->turns[v->top_turn].ed->nlines)
		v->top_line = -1, v->top_row = 0;
	if (v->top_row >= rows_at(a, v->top_turn, v->top_line, w))
		v->top_row = 0;
	/* keep the cursor (and its turn's header when it fits) in view */
	struct textbuf *ce = a->turns[a->cur_turn].ed;
	ce->width = w;
	size_t crow = textbuf_cursor_row(ce, w);
	if (pos_before(a->cur_turn, (long)ce->cy, crow, v->top_turn, v->top_line, v->top_row)) {
		v->top_turn = a->cur_turn;
		v->top_line = ce->cy == 0 ? -1 : (long)ce->cy;
		v->top_row = ce->cy == 0 ? 0 : crow;
	} else {
		/* rows from top to the cursor, bounded by the pane height */
		size_t t = a->cur_turn;
		long l = (long)ce->cy;
		size_t rr = crow;
		int dist = 0;
		while (dist < r.h && !(t == v->top_turn && l == v->top_line && rr == v->top_row)) {
			if (!step_back(a, &t, &l, &rr, w))
				break;
			dist++;
		}
		if (dist >= r.h) {
			t = a->cur_turn, l = (long)ce->cy, rr = crow;
			for (int i = 0; i < r.h - 1; i++)
				if (!step_back(a, &t, &l, &rr, w))
					break;
			v->top_turn = t, v->top_line = l, v->top_row = rr;
		}
	}
	int row = 0, cur_y = -1, cur_x = -1;
	size_t t = v->top_turn;
	long l = v->top_line;
	size_t r0 = v->top_row;
	while (row < r.h && t < a->nturns) {
		if (l < 0) {
			char h[512];
			header_text(a, t, h, sizeof h);
			int cur = t == a->cur_turn;
			text_draw(r.y + row, r.x, w, h, strlen(h), cur && focused ? LA_BOLD : LA_META);
			row++;
			l = 0;
			r0 = 0;
			continue;
		}
		struct textbuf *e = a->turns[t].ed;
		e->width = w;
		row += editor_draw_line(e, (size_t)l, r0, r.y + row, r.x, w, r.h - row,
					focused && t == a->cur_turn, &cur_y, &cur_x);
		r0 = 0;
		if ((size_t)++l >= e->nlines) {
			l = -1;
			t++;
		}
	}
	for (; row < r.h; row++)
		text_draw(r.y + row, r.x, w, "", 0, 0);
	if (focused && cur_y >= 0)
		move(cur_y, cur_x);
}

static void ensure_turn(struct app *a)
{
	if (a->nturns == 0) {
		app_turn_insert(a, 0, "user", "", 0);
		a->cur_turn = 0;
		app_changed(a);
	}
}

static int messages_action(struct app *a, struct pane *p, enum action act)
{
	(void)p;
	switch (act) {
	case ACT_TURN_ADD_USER:
	case ACT_TURN_ADD_ASSISTANT: {
		size_t at = a->nturns ? a->cur_turn + 1 : 0;
		struct turn *t = app_turn_insert(a, at, act == ACT_TURN_ADD_USER ? "user" : "assistant",
						 "", 0);
		(void)t;
		a->cur_turn = at;
		app_changed(a);
		return 1;
	}
	case ACT_TURN_DELETE:
		if (!a->nturns)
			return 1;
		app_turn_delete(a, a->cur_turn);
		app_message(a, 0, "turn deleted (%s brings it back)", keymap_label(ACT_UNDO));
		return 1;
	case ACT_TURN_UP:
	case ACT_TURN_DOWN: {
		if (a->nturns < 2)
			return 1;
		size_t i = a->cur_turn;
		size_t j = act == ACT_TURN_UP ? (i ? i - 1 : i) : (i + 1 < a->nturns ? i + 1 : i);
		app_turn_move(a, i, j);
		return 1;
	}
	case ACT_TURN_ROLE:
		if (a->nturns)
			app_turn_switch_role(a, a->cur_turn);
		return 1;
	case ACT_UNDO:
		/* a turn operation newer than any text edit is undone first */
		if (app_turn_undo(a, 1))
			return 1;
		break;
	default:
		break;
	}
	if (action_scope(act) != SCOPE_TEXT)
		return 0;
	if (!a->nturns) {
		if (act == ACT_NEWLINE || act == ACT_YANK)
			ensure_turn(a);
		else
			return 1;
	}
	struct textbuf *e = a->turns[a->cur_turn].ed;
	unsigned long g = e->gen;
	int col = e->goal >= 0 ? e->goal : textbuf_cursor_col(e);
	enum textbuf_result r = editor_action(e, act, p->r.h);
	if (r == TEXTBUF_UNHANDLED)
		return 0;
	if (r == TEXTBUF_AT_TOP && a->cur_turn > 0) {
		a->cur_turn--;
		struct textbuf *pe = a->turns[a->cur_turn].ed;
		if (!pe->width)
			pe->width = e->width;
		textbuf_cursor_bottom_row(pe, col);
	} else if (r == TEXTBUF_AT_BOTTOM && a->cur_turn + 1 < a->nturns) {
		a->cur_turn++;
		struct textbuf *ne = a->turns[a->cur_turn].ed;
		if (!ne->width)
			ne->width = e->width;
		textbuf_cursor_top_row(ne, col);
	} else if (act == ACT_TEXT_START && a->cur_turn > 0) {
		a->cur_turn = 0;
		textbuf_cursor_start(a->turns[0].ed);
	} else if (act == ACT_TEXT_END && a->cur_turn + 1 < a->nturns) {
		a->cur_turn = a->nturns - 1;
		textbuf_cursor_end(a->turns[a->cur_turn].ed);
	}
	if (e->gen != g)
		app_changed(a);
	else if (act == ACT_UNDO)
		app_turn_undo(a, 0); /* the text has nothing left to undo */
	return 1;
}

static void messages_text(struct app *a, struct pane *p, const char *s, size_t n)
{
	(void)p;
	ensure_turn(a);
	textbuf_insert(a->turns[a->cur_turn].ed, s, n);
	app_changed(a);
}

static struct textbuf *messages_editor(struct app *a, struct pane *p)
{
	(void)p;
	ensure_turn(a);
	return a->turns[a->cur_turn].ed;
}

const struct pane_ops pane_messages_ops = {
	.name = "Messages",
	.chain = CHAIN_MESSAGES,
	.private_size = sizeof(struct msgview),
	.draw = messages_draw,
	.action = messages_action,
	.text = messages_text,
	.editor = messages_editor,
};
