/* The response pane: the shown answer (thinking apart from text, tool_use
 * as formatted JSON, then the stop reason or the error), following the
 * stream unless the user scrolled away. The answer's text is shown with its
 * Markdown rendered (core/mdrender), or raw (ACT_MARKDOWN switches).
 *
 * The rendering follows the answer's raw view (run.c appends to it; lines
 * before the last never change): raw lines up to the last point where a
 * Markdown block is known to be finished are rendered once and kept; only
 * the unfinished tail (the last paragraph, list, table or code fence) is
 * rendered again, and only when the view changed since the last frame.
 * Drawing walks visible rows only, so a long answer costs nothing extra
 * per frame. */
#include "tui/app.h"
#include "tui/editor.h"
#include "tui/keymap.h"
#include "core/mdrender.h"
#include "core/textwrap.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* md_line.attr of a plain (not Markdown) line: its LA_* attribute here */
enum { PLAIN = 0x100 };

struct response {
	int raw;                  /* show the raw text */
	/* whose rendering md holds: the answer, and its first line's version
	 * (unique per line made, so a new answer at a freed address differs) */
	const struct answer *ans;
	unsigned long first_ver;
	int have;
	unsigned long seen_gen;   /* the view's gen when md was brought up to date */
	struct md_doc md;
	size_t done_raw, done_md; /* raw lines [0, done_raw) made md lines [0, done_md), for good */
	size_t region_md;         /* md line where the current text region began */
	size_t top_line, top_row; /* the first visible row */
};

/* --- keeping the rendering in step --------------------------------------------------- */

static void render_chunk(struct response *rs, const struct textbuf *v, size_t from, size_t to,
			 struct buf *src)
{
	buf_clear(src);
	for (size_t i = from; i < to; i++) {
		buf_append(src, v->lines[i].s, v->lines[i].len);
		buf_append(src, "\n", 1);
	}
	/* chunks of one text region are separated like its blocks */
	size_t n0 = rs->md.nlines;
	if (n0 > rs->region_md)
		md_doc_add_plain(&rs->md, "", 0, PLAIN | LA_NORMAL);
	size_t n1 = rs->md.nlines;
	mdrender(&rs->md, buf_str(src), src->len);
	if (rs->md.nlines == n1)
		md_doc_truncate(&rs->md, n0);
}

static void md_update(struct response *rs, const struct answer *ans)
{
	const struct textbuf *v = ans->view;
	if (rs->ans != ans || rs->first_ver != v->lines[0].ver) {
		md_doc_truncate(&rs->md, 0);
		rs->ans = ans;
		rs->first_ver = v->lines[0].ver;
		rs->done_raw = rs->done_md = rs->region_md = 0;
		rs->top_line = rs->top_row = 0;
		rs->have = 0;
	}
	if (rs->have && rs->seen_gen == v->gen)
		return;
	rs->have = 1;
	rs->seen_gen = v->gen;
	md_doc_truncate(&rs->md, rs->done_md);
	struct buf src;
	buf_init(&src, 0);
	size_t n = v->nlines;
	for (size_t i = rs->done_raw; i < n;) {
		const struct textbuf_line *ln = &v->lines[i];
		if (ln->attr != LA_TEXT) {
			md_doc_add_plain(&rs->md, ln->s, ln->len, PLAIN | ln->attr);
			if (++i < n) {
				rs->done_raw = i;
				rs->done_md = rs->md.nlines;
			}
			continue;
		}
		if (i == 0 || v->lines[i - 1].attr != LA_TEXT)
			rs->region_md = rs->md.nlines;
		/* the region [i, j): finished up to its last cut, or whole when
		 * something else follows it */
		struct md_cut c;
		memset(&c, 0, sizeof c);
		size_t j = i, cut = i;
		for (; j < n && v->lines[j].attr == LA_TEXT; j++)
			if (md_cut_line(&c, v->lines[j].s, v->lines[j].len))
				cut = j;
		if (j < n)
			cut = j;
		if (cut > i) {
			render_chunk(rs, v, i, cut, &src);
			rs->done_raw = cut;
			rs->done_md = rs->md.nlines;
		}
		if (j > cut)
			render_chunk(rs, v, cut, j, &src);
		i = j;
	}
	buf_done(&src);
}

/* --- rows of the rendering ----------------------------------------------------------- */

/* md versions kept apart from the text model's in textwrap's one-line cache */
#define MD_VER(l) ((l)->ver | (1UL << (sizeof(unsigned long) * CHAR_BIT - 1)))

/* The rows of line l at width w: the prefix stays on the left and wrapped
 * rows show the continuation prefix, unless the pane is too narrow. *body
 * is where the wrapped text starts, *pw the prefix's width (0: none);
 * starts are offsets from body. */
static size_t line_rows(const struct md_line *l, int w, const size_t **starts, size_t *body, int *pw)
{
	int p = l->prefix_len ? textwrap_width(l->text, l->prefix_len) : 0;
	if (p > 0 && p <= w / 2 && textwrap_width(l->cont, strlen(l->cont)) == p) {
		*body = l->prefix_len;
		*pw = p;
		return textwrap_rows_cached(l->text + l->prefix_len, l->len - l->prefix_len,
					    MD_VER(l), w - p, starts);
	}
	*body = 0;
	*pw = 0;
	/* a prefixed line wrapped whole (narrow pane) is not cached: its
	 * version stands for its body */
	return textwrap_rows_cached(l->text, l->len, l->prefix_len ? 0 : MD_VER(l), w, starts);
}

static size_t nrows_of(const struct response *rs, size_t k, int w)
{
	const size_t *st;
	size_t body;
	int pw;
	return line_rows(&rs->md.lines[k], w, &st, &body, &pw);
}

static void md_view_end(struct response *rs, int w, int h)
{
	size_t rows = 0;
	for (size_t k = rs->md.nlines; k-- > 0;) {
		size_t r = nrows_of(rs, k, w);
		if (rows + r >= (size_t)h) {
			rs->top_line = k;
			rs->top_row = rows + r - (size_t)h;
			return;
		}
		rows += r;
	}
	rs->top_line = rs->top_row = 0;
}

static int md_at_end(const struct response *rs, int w, int h)
{
	size_t rows = 0;
	for (size_t k = rs->top_line; k < rs->md.nlines; k++) {
		rows += nrows_of(rs, k, w) - (k == rs->top_line ? rs->top_row : 0);
		if (rows > (size_t)h)
			return 0;
	}
	return 1;
}

/* Keep the first row inside the rendering and never past the end. */
static void md_clamp(struct response *rs, int w, int h)
{
	if (rs->top_line >= rs->md.nlines) {
		md_view_end(rs, w, h);
		return;
	}
	size_t r = nrows_of(rs, rs->top_line, w);
	if (rs->top_row >= r)
		rs->top_row = r - 1;
	size_t rows = 0;
	for (size_t k = rs->top_line; k < rs->md.nlines && rows < (size_t)h; k++)
		rows += nrows_of(rs, k, w) - (k == rs->top_line ? rs->top_row : 0);
	if (rows < (size_t)h && (rs->top_line || rs->top_row))
		md_view_end(rs, w, h);
}

static void md_scroll(struct response *rs, long delta, int w, int h)
{
	md_clamp(rs, w, h);
	for (; delta > 0; delta--) {
		if (md_at_end(rs, w, h))
			break;
		if (rs->top_row + 1 < nrows_of(rs, rs->top_line, w)) {
			rs->top_row++;
		} else if (rs->top_line + 1 < rs->md.nlines) {
			rs->top_line++;
			rs->top_row = 0;
		}
	}
	for (; delta < 0; delta++) {
		if (rs->top_row) {
			rs->top_row--;
		} else if (rs->top_line) {
			rs->top_line--;
			rs->top_row = nrows_of(rs, rs->top_line, w) - 1;
		} else {
			break;
		}
	}
}

/* --- drawing -------------------------------------------------------------------------- */

static attr_t style_attr(unsigned st, short *pair)
{
	int color = has_colors() && !getenv("NO_COLOR");
	attr_t a = A_NORMAL;
	*pair = 0;
	if (st & (MD_STRONG | MD_HEADING))
		a |= A_BOLD;
	if (st & MD_EMPH)
		a |= A_ITALIC;
	if (st & MD_LINK)
		a |= A_UNDERLINE;
	if (st & (MD_MARK | MD_STRIKE))
		a |= A_DIM;
	if (st & (MD_CODE | MD_CODE_BLOCK)) {
		if (color)
			*pair = 3;
		else
			a |= st & MD_CODE ? A_REVERSE : A_BOLD;
	}
	return a;
}

/* Draw text[s..e) of l at y, x + *col (w columns in all), span by span. */
static void draw_spans(const struct md_line *l, size_t s, size_t e, int y, int x, int w, int *col)
{
	for (size_t k = 0; k < l->nspans && *col < w; k++) {
		const struct md_span *sp = &l->spans[k];
		size_t a = sp->off > s ? sp->off : s, b = sp->off + sp->len < e ? sp->off + sp->len : e;
		if (a >= b)
			continue;
		int cw = textwrap_width(l->text + a, b - a);
		text_draw(y, x + *col, w - *col, l->text + a, b - a, l->attr ? l->attr & 0xff : 0);
		if (!l->attr && sp->style) {
			short pair;
			attr_t at = style_attr(sp->style, &pair);
			mvchgat(y, x + *col, cw < w - *col ? cw : w - *col, at, pair, NULL);
		}
		*col += cw;
	}
}

static void draw_row(const struct md_line *l, const size_t *starts, size_t nrows, size_t r,
		     size_t body, int pw, int y, int x, int w)
{
	int col = 0;
	if (pw) {
		if (r == 0) {
			draw_spans(l, 0, body, y, x, w, &col);
		} else {
			size_t n = strlen(l->cont);
			text_draw(y, x, w, l->cont, n, 0);
			mvchgat(y, x, pw, A_DIM, 0, NULL);
			col = pw;
		}
	}
	size_t s = body + starts[r], e = r + 1 < nrows ? body + starts[r + 1] : l->len;
	draw_spans(l, s, e, y, x, w, &col);
	if (col < w)
		text_draw(y, x + col, w - col, "", 0, 0);
}

static void md_draw(struct response *rs, const struct answer *ans, struct rect r)
{
	if (ans->follow)
		md_view_end(rs, r.w, r.h);
	else
		md_clamp(rs, r.w, r.h);
	int row = 0;
	size_t r0 = rs->top_row;
	for (size_t k = rs->top_line; k < rs->md.nlines && row < r.h; k++, r0 = 0) {
		const struct md_line *l = &rs->md.lines[k];
		const size_t *starts;
		size_t body;
		int pw;
		size_t nr = line_rows(l, r.w, &starts, &body, &pw);
		/* draw_row does not wrap: starts stays valid through the loop */
		for (size_t i = r0; i < nr && row < r.h; i++, row++)
			draw_row(l, starts, nr, i, body, pw, r.y + row, r.x, r.w);
	}
	for (; row < r.h; row++)
		text_draw(r.y + row, r.x, r.w, "", 0, 0);
}

/* The raw view's first row is at most the one that shows the end at the
 * bottom (the pane may have grown since it scrolled). */
static void raw_not_past_end(struct textbuf *e, int w, int h)
{
	size_t tl = e->top_line, tr = e->top_row;
	textbuf_view_end(e, w, h);
	if (tl < e->top_line || (tl == e->top_line && tr < e->top_row)) {
		e->top_line = tl;
		e->top_row = tr;
	}
}

static void response_draw(struct app *a, struct pane *p, struct rect r, int focused)
{
	(void)focused;
	struct response *rs = p->priv;
	struct answer *ans = app_answer(a);
	if (!ans) {
		char hint[2][160];
		snprintf(hint[0], sizeof hint[0],
			 "No answer yet. %s sends the request; the answer streams here.",
			 keymap_label(ACT_RUN));
		snprintf(hint[1], sizeof hint[1], "%s (or %s outside text) lists every key.",
			 keymap_label(ACT_HELP), keymap_label(ACT_HELP_ALT));
		for (int i = 0; i < r.h; i++) {
			const char *t = i < 2 ? hint[i] : "";
			text_draw(r.y + i, r.x, r.w, t, strlen(t), LA_DIM);
		}
		if (!a->have_key && r.h > 3) {
			const char *t = "No API key: set ANTHROPIC_API_KEY or put it in .env here.";
			text_draw(r.y + 3, r.x, r.w, t, strlen(t), LA_ERROR);
		}
		return;
	}
	if (r.h <= 0 || r.w <= 0)
		return;
	if (rs->raw) {
		if (!ans->follow)
			raw_not_past_end(ans->view, r.w, r.h);
		editor_draw(ans->view, r.y, r.x, r.h, r.w, 0, ans->follow, NULL, NULL);
		return;
	}
	md_update(rs, ans);
	md_draw(rs, ans, r);
}

static int raw_action(struct answer *ans, enum action act, int w, int h)
{
	if (ans->follow)
		textbuf_view_end(ans->view, w, h);
	switch (act) {
	case ACT_SCROLL_UP:
		textbuf_scroll(ans->view, -1, w, h);
		break;
	case ACT_SCROLL_DOWN:
		textbuf_scroll(ans->view, 1, w, h);
		break;
	case ACT_SCROLL_PAGE_UP:
		textbuf_scroll(ans->view, -(h > 1 ? h - 1 : 1), w, h);
		break;
	case ACT_SCROLL_PAGE_DOWN:
		textbuf_scroll(ans->view, h > 1 ? h - 1 : 1, w, h);
		break;
	case ACT_SCROLL_TOP:
		ans->view->top_line = ans->view->top_row = 0;
		break;
	case ACT_SCROLL_BOTTOM:
		ans->follow = 1;
		return 1;
	default:
		return 0;
	}
	/* scrolled back to the end: follow the stream again */
	ans->follow = textbuf_view_at_end(ans->view, w, h);
	return 1;
}

static int md_action(struct response *rs, struct answer *ans, enum action act, int w, int h)
{
	md_update(rs, ans);
	if (ans->follow)
		md_view_end(rs, w, h);
	switch (act) {
	case ACT_SCROLL_UP:
		md_scroll(rs, -1, w, h);
		break;
	case ACT_SCROLL_DOWN:
		md_scroll(rs, 1, w, h);
		break;
	case ACT_SCROLL_PAGE_UP:
		md_scroll(rs, -(h > 1 ? h - 1 : 1), w, h);
		break;
	case ACT_SCROLL_PAGE_DOWN:
		md_scroll(rs, h > 1 ? h - 1 : 1, w, h);
		break;
	case ACT_SCROLL_TOP:
		rs->top_line = rs->top_row = 0;
		break;
	case ACT_SCROLL_BOTTOM:
		ans->follow = 1;
		return 1;
	default:
		return 0;
	}
	ans->follow = md_at_end(rs, w, h);
	return 1;
}

static int response_action(struct app *a, struct pane *p, enum action act)
{
	struct response *rs = p->priv;
	if (act == ACT_MARKDOWN) {
		rs->raw = !rs->raw;
		app_message(a, 0, rs->raw ? "answers as raw text (%s renders the Markdown)"
					  : "answers with the Markdown rendered (%s shows the raw text)",
			    keymap_label(ACT_MARKDOWN));
		app_dirty(a);
		return 1;
	}
	struct answer *ans = app_answer(a);
	if (!ans)
		return 0;
	int w = p->r.w > 0 ? p->r.w : 80, h = p->r.h > 0 ? p->r.h : 10;
	return rs->raw ? raw_action(ans, act, w, h) : md_action(rs, ans, act, w, h);
}

static void response_free(struct app *a, struct pane *p)
{
	(void)a;
	struct response *rs = p->priv;
	if (rs)
		md_doc_done(&rs->md);
}

const struct pane_ops pane_response_ops = {
	.name = "Response",
	.chain = CHAIN_BROWSE,
	.private_size = sizeof(struct response),
	.draw = response_draw,
	.action = response_action,
	.free = response_free,
};
