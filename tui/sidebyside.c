#include "tui/sidebyside.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/buf.h"
#include "core/sidediff.h"
#include "core/textwrap.h"
#include "core/utf8.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One visual row of a wrapped text: bytes [off, off+len) of it. */
struct vrow {
	size_t off, len;
};

/* The visual rows of s[0..n) (its lines wrapped at w), appended to *v. */
static void wrap_into(const char *s, size_t n, size_t base, int w, struct vrow **v, size_t *nv,
		      size_t *cap)
{
	size_t p = 0;
	for (;;) {
		size_t len = 0;
		while (p + len < n && s[p + len] != '\n')
			len++;
		const size_t *starts;
		size_t rows = textwrap_rows(s + p, len, w, &starts);
		for (size_t r = 0; r < rows; r++) {
			size_t a = starts[r], e = r + 1 < rows ? starts[r + 1] : len;
			if (*nv == *cap)
				*v = xrealloc(*v, (*cap = *cap ? *cap * 2 : 64) * sizeof **v);
			(*v)[(*nv)++] = (struct vrow){ base + p + a, e - a };
		}
		if (p + len >= n)
			break;
		p += len + 1;
	}
}

/* Draw s[0..n) at y,x in w columns, the bytes with marks[i] set in
 * mark_attr (runs), the others in attr. */
static void draw_marked(int y, int x, int w, const char *s, size_t n, const unsigned char *marks,
			int attr, int mark_attr)
{
	text_draw(y, x, w, s, n, attr);
	if (!marks)
		return;
	int col = 0;
	size_t i = 0;
	while (i < n && col < w) {
		size_t j = i;
		while (j < n && !!marks[j] == !!marks[i])
			j++;
		if (marks[i])
			text_draw(y, x + col, w - col, s + i, j - i, mark_attr);
		col += textwrap_width(s + i, j - i);
		i = j;
	}
	/* the rest after the last run is drawn already (blanks) */
}

static void fill_blank(int y, int x, int w)
{
	text_draw(y, x, w, "", 0, 0);
}

/* --- the line diff (the improve proposal) ------------------------------ */

void sidebyside_draw_lines(struct rect r, const char *ta, const char *a, const char *tb,
			   const char *b, size_t *top)
{
	int half = (r.w - 1) / 2, wr = r.w - 1 - half;
	if (r.h < 2 || half < 4)
		return;
	char head[512];
	snprintf(head, sizeof head, "  %s", ta);
	text_draw(r.y, r.x, half, head, strlen(head), LA_BOLD);
	text_draw(r.y, r.x + half, 1, "\u2502", 3, LA_DIM);
	snprintf(head, sizeof head, "  %s", tb);
	text_draw(r.y, r.x + half + 1, wr, head, strlen(head), LA_BOLD);
	struct sidediff_row *rows;
	size_t n;
	sidediff_lines(a, b, &rows, &n);
	/* each diff row takes as many screen rows as its longer side wraps to */
	size_t cap = 0, nv = 0, shown = 0, skip = *top;
	struct vrow *va = NULL, *vb = NULL;
	size_t capb = 0, nvb = 0;
	int y = r.y + 1, ymax = r.y + r.h;
	size_t total = 0;
	for (size_t k = 0; k < n; k++) {
		size_t la = 0, lb = 0;
		const char *pa = rows[k].a >= 0 ? sidediff_line(a, rows[k].a, &la) : "";
		const char *pb = rows[k].b >= 0 ? sidediff_line(b, rows[k].b, &lb) : "";
		nv = nvb = 0;
		wrap_into(pa, la, 0, half - 2, &va, &nv, &cap);
		wrap_into(pb, lb, 0, wr - 2, &vb, &nvb, &capb);
		size_t h = nv > nvb ? nv : nvb;
		total += h;
		for (size_t i = 0; i < h; i++) {
			if (skip) {
				skip--;
				continue;
			}
			if (y >= ymax)
				continue;
			int ch = rows[k].changed;
			const char *ma = ch && rows[k].a >= 0 ? "- " : "  ";
			const char *mb = ch && rows[k].b >= 0 ? "+ " : "  ";
			text_draw(y, r.x, 2, i ? "  " : ma, 2, ch ? LA_REMOVED : 0);
			if (i < nv)
				text_draw(y, r.x + 2, half - 2, pa + va[i].off, va[i].len,
					  ch ? LA_REMOVED : 0);
			else
				fill_blank(y, r.x + 2, half - 2);
			text_draw(y, r.x + half, 1, "\u2502", 3, LA_DIM);
			text_draw(y, r.x + half + 1, 2, i ? "  " : mb, 2, ch ? LA_ADDED : 0);
			if (i < nvb)
				text_draw(y, r.x + half + 3, wr - 2, pb + vb[i].off, vb[i].len,
					  ch ? LA_ADDED : 0);
			else
				fill_blank(y, r.x + half + 3, wr - 2);
			y++;
			shown++;
		}
	}
	for (; y < ymax; y++)
		fill_blank(y, r.x, r.w);
	/* keep the scroll within the text */
	size_t page = (size_t)(r.h - 1);
	if (*top && *top + page > total)
		*top = total > page ? total - page : 0;
	free(va);
	free(vb);
	free(rows);
}

/* --- the answers view ------------------------------------------------ */

struct answersview {
	size_t ia, ib;          /* the two answers (indices in a->answers) */
	char *ta, *tb;          /* their titles */
	char *a, *b;            /* their texts */
	unsigned char *ma, *mb; /* the differing words' bytes */
	size_t changed;
	size_t top;
};

static void av_clear(struct answersview *v)
{
	free(v->ta);
	free(v->tb);
	free(v->a);
	free(v->b);
	free(v->ma);
	free(v->mb);
	v->ta = v->tb = v->a = v->b = NULL;
	v->ma = v->mb = NULL;
}

static char *answer_text(const struct answer *an)
{
	if (an->message_json)
		return sidediff_message_text(an->message_json);
	return xstrdup(an->error ? an->error : "");
}

static char *answer_title(const struct answer *an, size_t i)
{
	if (an->cost_known)
		return xasprintf("Answer %zu: %s, $%.4f", i + 1, an->model ? an->model : "?", an->cost);
	return xasprintf("Answer %zu: %s", i + 1, an->model ? an->model : "?");
}

static void av_fill(struct app *a, struct answersview *v)
{
	av_clear(v);
	const struct answer *x = a->answers[v->ia], *y = a->answers[v->ib];
	v->a = answer_text(x);
	v->b = answer_text(y);
	v->ta = answer_title(x, v->ia);
	v->tb = answer_title(y, v->ib);
	v->changed = sidediff_words(v->a, v->b, &v->ma, &v->mb);
	v->top = 0;
	free(a->view.title);
	a->view.title = xasprintf("Answers %zu and %zu: %zu word%s differ%s (%s/%s other answers, %s closes)",
				  v->ia + 1, v->ib + 1, v->changed, v->changed == 1 ? "" : "s",
				  v->changed == 1 ? "s" : "", keymap_label(ACT_PREV_ANSWER),
				  keymap_label(ACT_NEXT_ANSWER), keymap_label(ACT_CLOSE));
}

void sidebyside_open_answers(struct app *a)
{
	struct answersview *v = a->view.priv;
	a->view.title = NULL;
	if (a->nanswers < 2) {
		a->view.title = xstrdup("Answers side by side");
		app_message(a, 1, "two answers are needed (%s runs the prompt again)",
			    keymap_label(ACT_RUN));
		return;
	}
	size_t s = a->shown < a->nanswers ? a->shown : a->nanswers - 1;
	v->ia = s ? s - 1 : 0;
	v->ib = s ? s : 1;
	av_fill(a, v);
}

/* Draw one side: its title, then its rows from top. */
static void draw_side(int y, int x, int w, int h, const char *title, const char *s,
		      const unsigned char *marks, int mark_attr, size_t top)
{
	if (h < 1 || w < 4)
		return;
	text_draw(y, x, w, title, strlen(title), LA_BOLD);
	struct vrow *v = NULL;
	size_t nv = 0, cap = 0;
	wrap_into(s, strlen(s), 0, w, &v, &nv, &cap);
	for (int i = 1; i < h; i++) {
		size_t k = top + (size_t)(i - 1);
		if (k < nv)
			draw_marked(y + i, x, w, s + v[k].off, v[k].len, marks + v[k].off, 0, mark_attr);
		else
			fill_blank(y + i, x, w);
	}
	free(v);
}

/* The differing words of one side, for the footer: "only in 1: a b c". */
static void words_of(struct buf *b, const char *s, const unsigned char *m)
{
	size_t n = strlen(s), shown = 0;
	for (size_t i = 0; i < n && shown < 40;) {
		if (!m[i]) {
			i++;
			continue;
		}
		size_t j = i;
		while (j < n && m[j])
			j++;
		buf_puts(b, " ");
		buf_append(b, s + i, j - i);
		shown++;
		i = j;
	}
}

static void answers_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)a, (void)focused;
	struct answersview *v = p->priv;
	if (!v->a) {
		for (int i = 0; i < r.h; i++)
			fill_blank(r.y + i, r.x, r.w);
		return;
	}
	/* the footer: each side's differing words, so they show without colour */
	int fh = r.h > 6 ? 2 : 0;
	struct buf b;
	buf_init(&b, 0);
	for (int side = 0; side < fh; side++) {
		buf_clear(&b);
		buf_printf(&b, "only in %zu:", (side ? v->ib : v->ia) + 1);
		size_t before = b.len;
		words_of(&b, side ? v->b : v->a, side ? v->mb : v->ma);
		if (b.len == before)
			buf_puts(&b, " (nothing)");
		for (char *c = b.data; *c; c++)
			if (*c == '\n' || *c == '\t')
				*c = ' ';
		text_draw(r.y + r.h - fh + side, r.x, r.w, buf_str(&b), b.len,
			  side ? LA_ADDED : LA_REMOVED);
	}
	buf_done(&b);
	int h = r.h - fh;
	if (r.w >= SIDEBYSIDE_MIN_COLS) {
		int half = (r.w - 1) / 2;
		draw_side(r.y, r.x, half, h, v->ta, v->a, v->ma, LA_REMOVED, v->top);
		for (int i = 0; i < h; i++)
			text_draw(r.y + i, r.x + half, 1, "\u2502", 3, LA_DIM);
		draw_side(r.y, r.x + half + 1, r.w - half - 1, h, v->tb, v->b, v->mb, LA_ADDED, v->top);
	} else {
		/* stacked: each half the height */
		int h1 = h / 2;
		draw_side(r.y, r.x, r.w, h1, v->ta, v->a, v->ma, LA_REMOVED, v->top);
		draw_side(r.y + h1, r.x, r.w, h - h1, v->tb, v->b, v->mb, LA_ADDED, v->top);
	}
}

static int answers_action(struct app *a, struct pane *p, enum action act)
{
	struct answersview *v = p->priv;
	size_t page = p->r.h > 4 ? (size_t)(p->r.h / 2 - 2) : 1;
	switch (act) {
	case ACT_SCROLL_UP:
		if (v->top)
			v->top--;
		return 1;
	case ACT_SCROLL_DOWN:
		v->top++;
		return 1;
	case ACT_SCROLL_PAGE_UP:
		v->top = v->top > page ? v->top - page : 0;
		return 1;
	case ACT_SCROLL_PAGE_DOWN:
		v->top += page;
		return 1;
	case ACT_SCROLL_TOP:
		v->top = 0;
		return 1;
	case ACT_PREV_ANSWER:
		/* the pair moves one answer back */
		if (v->ia == 0 || !v->a) {
			app_message(a, 0, "these are the first answers");
			return 1;
		}
		v->ia--;
		v->ib--;
		av_fill(a, v);
		return 1;
	case ACT_NEXT_ANSWER:
		if (v->ib + 1 >= a->nanswers || !v->a) {
			app_message(a, 0, "these are the last answers");
			return 1;
		}
		v->ia++;
		v->ib++;
		av_fill(a, v);
		return 1;
	default:
		return 0;
	}
}

static void answers_free(struct app *a, struct pane *p)
{
	(void)a;
	av_clear(p->priv);
}

const struct pane_ops pane_answers_ops = {
	.name = "Answers",
	.chain = CHAIN_BROWSE,
	.private_size = sizeof(struct answersview),
	.draw = answers_draw,
	.action = answers_action,
	.free = answers_free,
};
