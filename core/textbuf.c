/* The text model of the workbench's editors: lines, cursor, undo, kill
 * buffer, soft wrap and the view's first row. No curses here. */
#include "core/textbuf.h"
#include "core/utf8.h"
#include "core/textwrap.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>

struct tb_undo {
	int insert;           /* 1: text was inserted at (l,c); 0: deleted from there */
	size_t l, c, el, ec;  /* range of the text */
	char *text;
	size_t len;
	size_t cur_l, cur_c;  /* cursor before the change */
	int mergeable;
};

static char *killbuf;
static size_t killlen;



/* The row starts of the last wrap (textwrap's scratch, valid until the
 * next wrap). */
static const size_t *rowv;
static unsigned long ver_counter; /* line versions, for textwrap's cache */

static size_t wrap(const char *s, size_t len, int w)
{
	return textwrap_rows(s, len, w, &rowv);
}

static size_t wrap_line(const struct textbuf_line *ln, int w)
{
	return textwrap_rows_cached(ln->s, ln->len, ln->ver, w, &rowv);
}

static size_t row_of(size_t nrows, size_t off)
{
	return textwrap_row_of(rowv, nrows, off);
}

/* --- buffer primitives ------------------------------------------------- */

static void line_reserve(struct textbuf_line *l, size_t n)
{
	if (n + 1 > l->alloc) {
		size_t a = l->alloc ? l->alloc : 16;
		while (a < n + 1)
			a *= 2;
		l->s = xrealloc(l->s, a);
		l->alloc = a;
	}
}

static void line_set(struct textbuf_line *l, const char *s, size_t n)
{
	l->ver = ++ver_counter;
	line_reserve(l, n);
	if (n)
		memcpy(l->s, s, n);
	l->s[n] = 0;
	l->len = n;
}

static void lines_insert(struct textbuf *e, size_t at, size_t count)
{
	if (e->nlines + count > e->alines) {
		size_t a = e->alines ? e->alines : 16;
		while (a < e->nlines + count)
			a *= 2;
		e->lines = xrealloc(e->lines, a * sizeof *e->lines);
		e->alines = a;
	}
	memmove(e->lines + at + count, e->lines + at, (e->nlines - at) * sizeof *e->lines);
	memset(e->lines + at, 0, count * sizeof *e->lines);
	e->nlines += count;
}

static void lines_remove(struct textbuf *e, size_t at, size_t count)
{
	for (size_t i = at; i < at + count; i++)
		free(e->lines[i].s);
	memmove(e->lines + at, e->lines + at + count, (e->nlines - at - count) * sizeof *e->lines);
	e->nlines -= count;
}

/* Insert s at (l,c); returns the end position. */
static void raw_insert(struct textbuf *e, size_t l, size_t c, const char *s, size_t n,
		       size_t *el, size_t *ec)
{
	struct textbuf_line *ln = &e->lines[l];
	const char *nl = memchr(s, '\n', n);
	if (c != ln->len)
		ln->ver = ++ver_counter; /* not a pure append: cached rows are stale */
	if (!nl) {
		line_reserve(ln, ln->len + n);
		memmove(ln->s + c + n, ln->s + c, ln->len - c + 1);
		memcpy(ln->s + c, s, n);
		ln->len += n;
		*el = l;
		*ec = c + n;
		e->gen++;
		return;
	}
	/* split: tail of line l goes after the inserted text */
	size_t tail_len = ln->len - c;
	char *tail = xstrndup(ln->s + c, tail_len);
	ln->ver = ++ver_counter;
	ln->len = c;
	ln->s[c] = 0;
	size_t count = 0;
	for (const char *p = s; p < s + n; p++)
		count += *p == '\n';
	lines_insert(e, l + 1, count);
	const char *p = s, *end = s + n;
	size_t cur = l;
	for (;;) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		size_t seg = q ? (size_t)(q - p) : (size_t)(end - p);
		struct textbuf_line *dl = &e->lines[cur];
		line_reserve(dl, dl->len + seg);
		memcpy(dl->s + dl->len, p, seg);
		dl->len += seg;
		dl->s[dl->len] = 0;
		if (!q)
			break;
		p = q + 1;
		cur++;
		e->lines[cur].attr = e->lines[l].attr;
		line_set(&e->lines[cur], "", 0);
	}
	*el = cur;
	*ec = e->lines[cur].len;
	struct textbuf_line *dl = &e->lines[cur];
	line_reserve(dl, dl->len + tail_len);
	memcpy(dl->s + dl->len, tail, tail_len);
	dl->len += tail_len;
	dl->s[dl->len] = 0;
	free(tail);
	e->gen++;
}

/* Delete (l1,c1)..(l2,c2); returns the deleted text, malloc'd. */
static char *raw_delete(struct textbuf *e, size_t l1, size_t c1, size_t l2, size_t c2, size_t *n)
{
	char *out;
	e->lines[l1].ver = ++ver_counter;
	if (l1 == l2) {
		struct textbuf_line *ln = &e->lines[l1];
		out = xstrndup(ln->s + c1, c2 - c1);
		*n = c2 - c1;
		memmove(ln->s + c1, ln->s + c2, ln->len - c2 + 1);
		ln->len -= c2 - c1;
		e->gen++;
		return out;
	}
	size_t total = e->lines[l1].len - c1 + 1;
	for (size_t i = l1 + 1; i < l2; i++)
		total += e->lines[i].len + 1;
	total += c2;
	out = xmalloc(total + 1);
	size_t k = 0;
	memcpy(out + k, e->lines[l1].s + c1, e->lines[l1].len - c1);
	k += e->lines[l1].len - c1;
	out[k++] = '\n';
	for (size_t i = l1 + 1; i < l2; i++) {
		memcpy(out + k, e->lines[i].s, e->lines[i].len);
		k += e->lines[i].len;
		out[k++] = '\n';
	}
	memcpy(out + k, e->lines[l2].s, c2);
	k += c2;
	out[k] = 0;
	*n = k;
	struct textbuf_line *a = &e->lines[l1];
	size_t rest = e->lines[l2].len - c2;
	line_reserve(a, c1 + rest);
	memcpy(a->s + c1, e->lines[l2].s + c2, rest);
	a->len = c1 + rest;
	a->s[a->len] = 0;
	lines_remove(e, l1 + 1, l2 - l1);
	e->gen++;
	return out;
}

static void undo_push(struct textbuf *e, int insert, size_t l, size_t c, size_t el, size_t ec,
		      char *text, size_t len, size_t cur_l, size_t cur_c, int mergeable)
{
	if (e->readonly) {
		free(text);
		return;
	}
	if (mergeable && insert && e->nundo) {
		struct tb_undo *u = &e->undo[e->nundo - 1];
		if (u->insert && u->mergeable && u->el == l && u->ec == c && u->len < 64 &&
		    !(u->len && u->text[u->len - 1] == ' ' && text[0] != ' ')) {
			u->text = xrealloc(u->text, u->len + len + 1);
			memcpy(u->text + u->len, text, len);
			u->len += len;
			u->text[u->len] = 0;
			u->el = el;
			u->ec = ec;
			free(text);
			return;
		}
	}
	if (e->nundo == e->aundo) {
		e->aundo = e->aundo ? e->aundo * 2 : 16;
		e->undo = xrealloc(e->undo, e->aundo * sizeof *e->undo);
	}
	e->undo[e->nundo++] = (struct tb_undo){ insert, l, c, el, ec, text, len, cur_l, cur_c,
						mergeable };
}

static void undo_seal(struct textbuf *e)
{
	if (e->nundo)
		e->undo[e->nundo - 1].mergeable = 0;
}

static void do_insert(struct textbuf *e, const char *s, size_t n, int mergeable)
{
	if (!n)
		return;
	size_t el, ec, l = e->cy, c = e->cx;
	raw_insert(e, l, c, s, n, &el, &ec);
	undo_push(e, 1, l, c, el, ec, xstrndup(s, n), n, l, c, mergeable);
	e->cy = el;
	e->cx = ec;
	e->goal = -1;
}

static void do_delete(struct textbuf *e, size_t l1, size_t c1, size_t l2, size_t c2, int kill,
		      int unused)
{
	(void)unused;
	if (l1 == l2 && c1 == c2)
		return;
	size_t n, cl = e->cy, cc = e->cx;
	char *t = raw_delete(e, l1, c1, l2, c2, &n);
	if (kill) {
		/* one kill buffer, as readline's last kill */
		free(killbuf);
		killbuf = xstrndup(t, n);
		killlen = n;
	}
	undo_push(e, 0, l1, c1, l2, c2, t, n, cl, cc, 0);
	e->cy = l1;
	e->cx = c1;
	e->goal = -1;
}

struct textbuf *textbuf_new(void)
{
	struct textbuf *e = xcalloc(1, sizeof *e);
	lines_insert(e, 0, 1);
	line_set(&e->lines[0], "", 0);
	e->goal = -1;
	return e;
}

static void undo_clear(struct textbuf *e)
{
	for (size_t i = 0; i < e->nundo; i++)
		free(e->undo[i].text);
	e->nundo = 0;
}

void textbuf_free(struct textbuf *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nlines; i++)
		free(e->lines[i].s);
	free(e->lines);
	undo_clear(e);
	free(e->undo);
	free(e);
}

void textbuf_set_text(struct textbuf *e, const char *text)
{
	lines_remove(e, 0, e->nlines);
	lines_insert(e, 0, 1);
	line_set(&e->lines[0], "", 0);
	e->cy = e->cx = 0;
	e->top_line = e->top_row = 0;
	if (text && *text) {
		size_t el, ec;
		raw_insert(e, 0, 0, text, strlen(text), &el, &ec);
	}
	undo_clear(e);
	e->goal = -1;
	e->gen++;
}

char *textbuf_text(const struct textbuf *e)
{
	size_t total = 0;
	for (size_t i = 0; i < e->nlines; i++)
		total += e->lines[i].len + 1;
	char *out = xmalloc(total + 1);
	size_t k = 0;
	for (size_t i = 0; i < e->nlines; i++) {
		memcpy(out + k, e->lines[i].s, e->lines[i].len);
		k += e->lines[i].len;
		if (i + 1 < e->nlines)
			out[k++] = '\n';
	}
	out[k] = 0;
	return out;
}

int textbuf_is_empty(const struct textbuf *e)
{
	return e->nlines == 1 && e->lines[0].len == 0;
}

void textbuf_insert(struct textbuf *e, const char *s, size_t n)
{
	if (e->single_line) {
		/* a field holds one line: newlines become spaces */
		char *t = xstrndup(s, n);
		for (size_t i = 0; i < n; i++)
			if (t[i] == '\n' || t[i] == '\r')
				t[i] = ' ';
		do_insert(e, t, n, n == 1);
		free(t);
		return;
	}
	do_insert(e, s, n, n <= 4 && !memchr(s, '\n', n));
}

void textbuf_append(struct textbuf *e, const char *s, size_t n, int attr)
{
	size_t l = e->nlines - 1, el, ec;
	if (e->lines[l].len == 0)
		e->lines[l].attr = (unsigned char)attr;
	raw_insert(e, l, e->lines[l].len, s, n, &el, &ec);
	for (size_t i = l + 1; i <= el; i++)
		e->lines[i].attr = (unsigned char)attr;
}

void textbuf_append_line(struct textbuf *e, const char *s, size_t n, int attr)
{
	size_t l = e->nlines - 1;
	if (!(l == 0 && e->lines[0].len == 0)) {
		lines_insert(e, e->nlines, 1);
		line_set(&e->lines[e->nlines - 1], "", 0);
		l = e->nlines - 1;
	}
	e->lines[l].attr = (unsigned char)attr;
	textbuf_append(e, s, n, attr);
	e->gen++;
}

/* --- movement ---------------------------------------------------------- */

static size_t prev_char(const char *s, size_t off)
{
	if (off == 0)
		return 0;
	off--;
	while (off > 0 && ((unsigned char)s[off] & 0xc0) == 0x80)
		off--;
	return off;
}

static size_t next_char(const char *s, size_t len, size_t off)
{
	if (off >= len)
		return len;
	uint32_t cp;
	return off + utf8_next(s + off, len - off, &cp);
}

static int is_word(uint32_t cp)
{
	return cp >= 0x80 || (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
	       (cp >= 'A' && cp <= 'Z') || cp == '_';
}

static uint32_t char_at(const struct textbuf_line *l, size_t off)
{
	uint32_t cp = 0;
	if (off < l->len)
		utf8_next(l->s + off, l->len - off, &cp);
	return cp;
}

static void word_left(const struct textbuf *e, size_t *l, size_t *c)
{
	/* skip non-word characters backwards (crossing lines), then the word */
	for (;;) {
		if (*c == 0) {
			if (*l == 0)
				return;
			(*l)--;
			*c = e->lines[*l].len;
			continue;
		}
		size_t p = prev_char(e->lines[*l].s, *c);
		if (is_word(char_at(&e->lines[*l], p)))
			break;
		*c = p;
	}
	while (*c > 0) {
		size_t p = prev_char(e->lines[*l].s, *c);
		if (!is_word(char_at(&e->lines[*l], p)))
			break;
		*c = p;
	}
}

static void word_right(const struct textbuf *e, size_t *l, size_t *c)
{
	for (;;) {
		const struct textbuf_line *ln = &e->lines[*l];
		if (*c >= ln->len) {
			if (*l + 1 >= e->nlines)
				return;
			(*l)++;
			*c = 0;
			continue;
		}
		if (is_word(char_at(ln, *c)))
			break;
		*c = next_char(ln->s, ln->len, *c);
	}
	const struct textbuf_line *ln = &e->lines[*l];
	while (*c < ln->len && is_word(char_at(ln, *c)))
		*c = next_char(ln->s, ln->len, *c);
}

static int wrap_width(const struct textbuf *e)
{
	return e->width > 0 ? e->width : 1 << 20;
}

size_t textbuf_cursor_row(const struct textbuf *e, int w)
{
	const struct textbuf_line *ln = &e->lines[e->cy];
	size_t nr = wrap(ln->s, ln->len, w);
	return row_of(nr, e->cx);
}

int textbuf_cursor_col(struct textbuf *e)
{
	const struct textbuf_line *ln = &e->lines[e->cy];
	size_t nr = wrap(ln->s, ln->len, wrap_width(e));
	size_t r = row_of(nr, e->cx);
	int col = textwrap_width(ln->s + rowv[r], e->cx - rowv[r]);
	int w = wrap_width(e);
	return col >= w ? w - 1 : col;
}

/* The offset in row r of line l closest to display column col. */
static size_t offset_at(const struct textbuf *e, size_t l, size_t r, int col)
{
	const struct textbuf_line *ln = &e->lines[l];
	size_t nr = wrap(ln->s, ln->len, wrap_width(e));
	if (r >= nr)
		r = nr - 1;
	size_t start = rowv[r], end = r + 1 < nr ? rowv[r + 1] : ln->len;
	int c = 0;
	size_t off = start;
	while (off < end) {
		uint32_t cp;
		size_t n = utf8_next(ln->s + off, ln->len - off, &cp);
		int cw = textwrap_char_width(cp, c);
		if (c + cw > col)
			break;
		if (r + 1 < nr && off + n >= end)
			break; /* the row's end belongs to the next row */
		c += cw;
		off += n;
	}
	return off;
}

void textbuf_cursor_start(struct textbuf *e)
{
	e->cy = e->cx = 0;
	e->goal = -1;
}

void textbuf_cursor_end(struct textbuf *e)
{
	e->cy = e->nlines - 1;
	e->cx = e->lines[e->cy].len;
	e->goal = -1;
}

void textbuf_cursor_top_row(struct textbuf *e, int col)
{
	e->cy = 0;
	e->cx = offset_at(e, 0, 0, col);
	e->goal = col;
}

void textbuf_cursor_bottom_row(struct textbuf *e, int col)
{
	e->cy = e->nlines - 1;
	const struct textbuf_line *ln = &e->lines[e->cy];
	size_t nr = wrap(ln->s, ln->len, wrap_width(e));
	e->cx = offset_at(e, e->cy, nr - 1, col);
	e->goal = col;
}

static enum textbuf_result move_vert(struct textbuf *e, int dir)
{
	int col = e->goal >= 0 ? e->goal : textbuf_cursor_col(e);
	const struct textbuf_line *ln = &e->lines[e->cy];
	size_t nr = wrap(ln->s, ln->len, wrap_width(e));
	size_t r = row_of(nr, e->cx);
	if (dir < 0) {
		if (r > 0) {
			e->cx = offset_at(e, e->cy, r - 1, col);
		} else if (e->cy > 0) {
			e->cy--;
			const struct textbuf_line *pl = &e->lines[e->cy];
			size_t pr = wrap(pl->s, pl->len, wrap_width(e));
			e->cx = offset_at(e, e->cy, pr - 1, col);
		} else {
			return TEXTBUF_AT_TOP;
		}
	} else {
		if (r + 1 < nr) {
			e->cx = offset_at(e, e->cy, r + 1, col);
		} else if (e->cy + 1 < e->nlines) {
			e->cy++;
			e->cx = offset_at(e, e->cy, 0, col);
		} else {
			return TEXTBUF_AT_BOTTOM;
		}
	}
	e->goal = col;
	return TEXTBUF_OK;
}

enum textbuf_result textbuf_apply(struct textbuf *e, enum textbuf_op a, int page)
{
	struct textbuf_line *ln = &e->lines[e->cy];
	size_t l, c;
	enum textbuf_result res = TEXTBUF_OK;
	if (a != TB_BACKSPACE && a != TB_DELETE)
		undo_seal(e);
	switch (a) {
	case TB_LEFT:
		if (e->cx > 0)
			e->cx = prev_char(ln->s, e->cx);
		else if (e->cy > 0)
			e->cy--, e->cx = e->lines[e->cy].len;
		e->goal = -1;
		break;
	case TB_RIGHT:
		if (e->cx < ln->len)
			e->cx = next_char(ln->s, ln->len, e->cx);
		else if (e->cy + 1 < e->nlines)
			e->cy++, e->cx = 0;
		e->goal = -1;
		break;
	case TB_UP:
		return move_vert(e, -1);
	case TB_DOWN:
		return move_vert(e, 1);
	case TB_PAGE_UP:
	case TB_PAGE_DOWN:
		for (int i = 0; i < (page > 1 ? page - 1 : 1); i++)
			if (move_vert(e, a == TB_PAGE_UP ? -1 : 1) != TEXTBUF_OK)
				break;
		break;
	case TB_LINE_START:
		e->cx = 0;
		e->goal = -1;
		break;
	case TB_LINE_END:
		e->cx = ln->len;
		e->goal = -1;
		break;
	case TB_TEXT_START:
		textbuf_cursor_start(e);
		break;
	case TB_TEXT_END:
		textbuf_cursor_end(e);
		break;
	case TB_WORD_LEFT:
		l = e->cy, c = e->cx;
		word_left(e, &l, &c);
		e->cy = l, e->cx = c, e->goal = -1;
		break;
	case TB_WORD_RIGHT:
		l = e->cy, c = e->cx;
		word_right(e, &l, &c);
		e->cy = l, e->cx = c, e->goal = -1;
		break;
	case TB_BACKSPACE:
		if (e->readonly)
			break;
		if (e->cx > 0)
			do_delete(e, e->cy, prev_char(ln->s, e->cx), e->cy, e->cx, 0, 0);
		else if (e->cy > 0)
			do_delete(e, e->cy - 1, e->lines[e->cy - 1].len, e->cy, 0, 0, 0);
		break;
	case TB_DELETE:
		if (e->readonly)
			break;
		if (e->cx < ln->len)
			do_delete(e, e->cy, e->cx, e->cy, next_char(ln->s, ln->len, e->cx), 0, 0);
		else if (e->cy + 1 < e->nlines)
			do_delete(e, e->cy, e->cx, e->cy + 1, 0, 0, 0);
		break;
	case TB_KILL_LINE:
		if (e->readonly)
			break;
		if (e->cx < ln->len)
			do_delete(e, e->cy, e->cx, e->cy, ln->len, 1, 0);
		else if (e->cy + 1 < e->nlines)
			do_delete(e, e->cy, e->cx, e->cy + 1, 0, 1, 0);
		break;
	case TB_KILL_LINE_START:
		if (!e->readonly)
			do_delete(e, e->cy, 0, e->cy, e->cx, 1, 0);
		break;
	case TB_KILL_WORD_BACK:
		if (e->readonly)
			break;
		/* readline's unix-word-rubout: back over blanks, then non-blanks */
		c = e->cx;
		while (c > 0 && (ln->s[c - 1] == ' ' || ln->s[c - 1] == '\t'))
			c--;
		while (c > 0 && ln->s[c - 1] != ' ' && ln->s[c - 1] != '\t')
			c--;
		if (c == e->cx && e->cx == 0 && e->cy > 0)
			do_delete(e, e->cy - 1, e->lines[e->cy - 1].len, e->cy, 0, 1, 0);
		else
			do_delete(e, e->cy, c, e->cy, e->cx, 1, 0);
		break;
	case TB_KILL_WORD:
		if (e->readonly)
			break;
		l = e->cy, c = e->cx;
		word_right(e, &l, &c);
		do_delete(e, e->cy, e->cx, l, c, 1, 0);
		break;
	case TB_YANK:
		if (!e->readonly && killbuf)
			textbuf_insert(e, killbuf, killlen);
		undo_seal(e);
		break;
	case TB_UNDO:
		if (e->readonly || !e->nundo)
			break;
		{
			struct tb_undo *u = &e->undo[--e->nundo];
			if (u->insert) {
				size_t n;
				free(raw_delete(e, u->l, u->c, u->el, u->ec, &n));
			} else {
				size_t el, ec;
				raw_insert(e, u->l, u->c, u->text, u->len, &el, &ec);
			}
			e->cy = u->cur_l < e->nlines ? u->cur_l : e->nlines - 1;
			e->cx = u->cur_c <= e->lines[e->cy].len ? u->cur_c : e->lines[e->cy].len;
			free(u->text);
			e->goal = -1;
		}
		break;
	case TB_NEWLINE:
		if (e->readonly || e->single_line)
			return TEXTBUF_UNHANDLED;
		do_insert(e, "\n", 1, 0);
		break;
	case TB_NONE:
		res = TEXTBUF_UNHANDLED;
		break;
	}
	return res;
}


size_t textbuf_line_rows(const struct textbuf *e, size_t i, int w)
{
	return wrap_line(&e->lines[i], w);
}

static void back_rows(const struct textbuf *e, size_t *l, size_t *r, size_t k, int w)
{
	while (k > 0) {
		if (*r >= k) {
			*r -= k;
			return;
		}
		k -= *r + 1;
		if (*l == 0) {
			*r = 0;
			return;
		}
		(*l)--;
		*r = textbuf_line_rows(e, *l, w) - 1;
	}
}

void textbuf_view_end(struct textbuf *e, int w, int h)
{
	size_t l = e->nlines - 1;
	size_t r = textbuf_line_rows(e, l, w) - 1;
	back_rows(e, &l, &r, h > 0 ? (size_t)h - 1 : 0, w);
	e->top_line = l;
	e->top_row = r;
}

int textbuf_view_at_end(const struct textbuf *e, int w, int h)
{
	size_t l = e->nlines - 1;
	size_t r = textbuf_line_rows(e, l, w) - 1;
	back_rows(e, &l, &r, h > 0 ? (size_t)h - 1 : 0, w);
	return e->top_line > l || (e->top_line == l && e->top_row >= r);
}

void textbuf_scroll(struct textbuf *e, long rows, int w, int h)
{
	if (rows < 0) {
		back_rows(e, &e->top_line, &e->top_row, (size_t)-rows, w);
		return;
	}
	size_t el = e->nlines - 1, er = textbuf_line_rows(e, el, w) - 1;
	back_rows(e, &el, &er, h > 0 ? (size_t)h - 1 : 0, w);
	while (rows-- > 0) {
		if (e->top_line > el || (e->top_line == el && e->top_row >= er))
			break;
		if (e->top_row + 1 < textbuf_line_rows(e, e->top_line, w))
			e->top_row++;
		else if (e->top_line + 1 < e->nlines)
			e->top_line++, e->top_row = 0;
		else
			break;
	}
}

void textbuf_scroll_to_cursor(struct textbuf *e, int w, int h)
{
	if (h <= 0 || w <= 0)
		return;
	e->width = w;
	textbuf_clamp_view(e, w);
	const struct textbuf_line *ln = &e->lines[e->cy];
	size_t nr = wrap(ln->s, ln->len, w);
	size_t cr = row_of(nr, e->cx);
	if (e->cy < e->top_line || (e->cy == e->top_line && cr < e->top_row)) {
		e->top_line = e->cy;
		e->top_row = cr;
		return;
	}
	size_t rows = 0;
	int far = e->cy - e->top_line >= (size_t)h;
	if (!far) {
		for (size_t i = e->top_line; i < e->cy; i++)
			rows += textbuf_line_rows(e, i, w);
		rows = rows - e->top_row + cr;
	}
	if (far || rows >= (size_t)h) {
		size_t l = e->cy, r = cr;
		back_rows(e, &l, &r, (size_t)h - 1, w);
		e->top_line = l;
		e->top_row = r;
	}
}

void textbuf_clamp_view(struct textbuf *e, int w)
{
	if (e->top_line >= e->nlines)
		e->top_line = e->nlines - 1, e->top_row = 0;
	size_t tr = textbuf_line_rows(e, e->top_line, w);
	if (e->top_row >= tr)
		e->top_row = tr - 1;
}

size_t textbuf_row_starts(const struct textbuf *e, size_t i, int w, const size_t **starts)
{
	size_t n = wrap_line(&e->lines[i], w);
	*starts = rowv;
	return n;
}

size_t textbuf_cursor_row_in(const struct textbuf *e, size_t nrows)
{
	return row_of(nrows, e->cx);
}

void textbuf_killring_done(void)
{
	textwrap_done();
	rowv = NULL;
	free(killbuf);
	killbuf = NULL;
	killlen = 0;
}

