/* Markdown to styled lines (see core/mdrender.h). The parser is
 * libcmark-gfm with the table and strikethrough extensions; this file only
 * walks its tree. */
#include "core/mdrender.h"
#include "core/buf.h"
#include "core/textwrap.h"
#include "core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

static unsigned long line_ver; /* md_line.ver: unique per line made */

void md_doc_init(struct md_doc *d)
{
	memset(d, 0, sizeof *d);
}

static void line_free(struct md_line *l)
{
	free(l->text);
	free(l->spans);
	free(l->cont);
}

void md_doc_truncate(struct md_doc *d, size_t n)
{
	while (d->nlines > n)
		line_free(&d->lines[--d->nlines]);
}

void md_doc_done(struct md_doc *d)
{
	md_doc_truncate(d, 0);
	free(d->lines);
	md_doc_init(d);
}

static struct md_line *doc_push(struct md_doc *d)
{
	if (d->nlines == d->alines) {
		d->alines = d->alines ? d->alines * 2 : 64;
		d->lines = xrealloc(d->lines, d->alines * sizeof *d->lines);
	}
	struct md_line *l = &d->lines[d->nlines++];
	memset(l, 0, sizeof *l);
	l->ver = ++line_ver;
	return l;
}

void md_doc_add_plain(struct md_doc *d, const char *s, size_t n, int attr)
{
	struct md_line *l = doc_push(d);
	l->text = xmalloc(n + 1);
	memcpy(l->text, s, n);
	l->text[n] = 0;
	l->len = n;
	l->attr = attr;
	l->cont = xstrdup("");
	if (n) {
		l->spans = xmalloc(sizeof *l->spans);
		l->spans[0] = (struct md_span){ 0, n, 0 };
		l->nspans = 1;
	}
}

/* --- the line being built ------------------------------------------------------------ */

/* What an enclosing container puts before its lines: first on its first
 * line, cont on the others and on wrapped rows. */
struct prefix {
	char first[24], cont[24];
	int used;
};

enum { MAX_DEPTH = 32 };

struct render {
	struct md_doc *d;
	struct prefix stack[MAX_DEPTH];
	int depth;
	/* the line being built */
	struct buf text;
	struct md_span *spans;
	size_t nspans, aspans;
	size_t prefix_len;
	int col;
	int open;
	char *cont;
};

static void add(struct render *r, const char *s, size_t n, unsigned style);

static void add_raw(struct render *r, const char *s, size_t n, unsigned style)
{
	if (!n)
		return;
	size_t off = r->text.len;
	buf_append(&r->text, s, n);
	r->col += textwrap_width(s, n);
	if (r->nspans && r->spans[r->nspans - 1].style == style &&
	    r->spans[r->nspans - 1].off + r->spans[r->nspans - 1].len == off) {
		r->spans[r->nspans - 1].len += n;
		return;
	}
	if (r->nspans == r->aspans) {
		r->aspans = r->aspans ? r->aspans * 2 : 8;
		r->spans = xrealloc(r->spans, r->aspans * sizeof *r->spans);
	}
	r->spans[r->nspans++] = (struct md_span){ off, n, style };
}

/* Text in a style; tabs become spaces (to the next multiple of 8) so
 * widths do not depend on where a span is drawn. */
static void add(struct render *r, const char *s, size_t n, unsigned style)
{
	while (n) {
		const char *tab = memchr(s, '\t', n);
		size_t k = tab ? (size_t)(tab - s) : n;
		add_raw(r, s, k, style);
		if (!tab)
			break;
		int sp = 8 - r->col % 8;
		add_raw(r, "        ", (size_t)sp, style);
		s += k + 1;
		n -= k + 1;
	}
}

static void adds(struct render *r, const char *s, unsigned style)
{
	add(r, s, strlen(s), style);
}

static void line_start(struct render *r)
{
	buf_clear(&r->text);
	r->nspans = 0;
	r->col = 0;
	r->open = 1;
	struct buf cont;
	buf_init(&cont, 0);
	for (int i = 0; i < r->depth; i++) {
		struct prefix *p = &r->stack[i];
		adds(r, p->used ? p->cont : p->first, MD_MARK);
		p->used = 1;
		buf_puts(&cont, p->cont);
	}
	r->prefix_len = r->text.len;
	free(r->cont);
	r->cont = buf_take(&cont);
}

static void line_end(struct render *r)
{
	if (!r->open)
		return;
	r->open = 0;
	struct md_line *l = doc_push(r->d);
	l->len = r->text.len;
	l->text = xmalloc(l->len + 1);
	memcpy(l->text, buf_str(&r->text), l->len);
	l->text[l->len] = 0;
	l->nspans = r->nspans;
	l->spans = r->nspans ? xmalloc(r->nspans * sizeof *l->spans) : NULL;
	if (r->nspans)
		memcpy(l->spans, r->spans, r->nspans * sizeof *l->spans);
	l->prefix_len = r->prefix_len;
	l->cont = r->cont ? r->cont : xstrdup("");
	r->cont = NULL;
}

/* An empty line between blocks: the containers' bars stay, trailing
 * blanks go. */
static void blank_line(struct render *r)
{
	line_start(r);
	while (r->text.len && r->text.data[r->text.len - 1] == ' ') {
		r->text.data[--r->text.len] = 0;
		if (r->nspans && --r->spans[r->nspans - 1].len == 0)
			r->nspans--;
	}
	r->prefix_len = r->text.len;
	line_end(r);
}

static void push(struct render *r, const char *first, const char *cont)
{
	if (r->depth == MAX_DEPTH) {
		/* deeper nesting is drawn flat: only the prefix is lost */
		r->depth++;
		return;
	}
	struct prefix *p = &r->stack[r->depth++];
	snprintf(p->first, sizeof p->first, "%s", first);
	snprintf(p->cont, sizeof p->cont, "%s", cont);
	p->used = 0;
}

static void pop(struct render *r)
{
	r->depth--;
}

/* --- the tree ---------------------------------------------------------------------- */

static int is_type(cmark_node *n, const char *name)
{
	const char *t = cmark_node_get_type_string(n);
	return t && strcmp(t, name) == 0;
}

static void inlines(struct render *r, cmark_node *parent, unsigned style);

static void inline_node(struct render *r, cmark_node *n, unsigned style)
{
	const char *lit;
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_TEXT:
	case CMARK_NODE_HTML_INLINE:
		lit = cmark_node_get_literal(n);
		if (lit)
			adds(r, lit, style);
		break;
	case CMARK_NODE_CODE:
		lit = cmark_node_get_literal(n);
		if (lit)
			adds(r, lit, style | MD_CODE);
		break;
	case CMARK_NODE_SOFTBREAK:
		adds(r, " ", style);
		break;
	case CMARK_NODE_LINEBREAK:
		line_end(r);
		line_start(r);
		break;
	case CMARK_NODE_EMPH:
		inlines(r, n, style | MD_EMPH);
		break;
	case CMARK_NODE_STRONG:
		inlines(r, n, style | MD_STRONG);
		break;
	case CMARK_NODE_LINK: {
		size_t before = r->text.len;
		inlines(r, n, style | MD_LINK);
		const char *url = cmark_node_get_url(n);
		/* the address, unless the text already is it (an autolink) */
		size_t tl = r->text.len - before;
		if (url && *url &&
		    !(tl == strlen(url) && memcmp(buf_str(&r->text) + before, url, tl) == 0) &&
		    !(strncmp(url, "mailto:", 7) == 0 && tl == strlen(url + 7))) {
			adds(r, " (", MD_MARK);
			adds(r, url, MD_MARK);
			adds(r, ")", MD_MARK);
		}
		break;
	}
	case CMARK_NODE_IMAGE: {
		const char *url = cmark_node_get_url(n);
		adds(r, "[image: ", MD_MARK);
		inlines(r, n, style);
		adds(r, url && *url ? " " : "", MD_MARK);
		adds(r, url ? url : "", MD_MARK);
		adds(r, "]", MD_MARK);
		break;
	}
	default:
		if (is_type(n, "strikethrough")) {
			inlines(r, n, style | MD_STRIKE);
		} else {
			lit = cmark_node_get_literal(n);
			if (lit)
				adds(r, lit, style);
			else
				inlines(r, n, style);
		}
	}
}

static void inlines(struct render *r, cmark_node *parent, unsigned style)
{
	for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c))
		inline_node(r, c, style);
}

/* Each line of s as its own line in style (code, HTML). */
static void literal_lines(struct render *r, const char *s, unsigned style)
{
	size_t n = strlen(s);
	if (n && s[n - 1] == '\n')
		n--;
	for (size_t i = 0; i <= n;) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t k = nl ? (size_t)(nl - (s + i)) : n - i;
		line_start(r);
		add(r, s + i, k, style);
		line_end(r);
		i += k + 1;
		if (!nl)
			break;
	}
}

static void rule(struct render *r, const char *ch, int width)
{
	for (int i = 0; i < width; i++)
		adds(r, ch, MD_MARK);
}

static void blocks(struct render *r, cmark_node *parent, int tight);

/* A cell rendered alone: its text and spans, taken from the builder. */
struct cell {
	char *text;
	size_t len;
	struct md_span *spans;
	size_t nspans;
	int width;
};

static void table(struct render *r, cmark_node *t)
{
	uint16_t ncols = cmark_gfm_extensions_get_table_columns(t);
	uint8_t *align = cmark_gfm_extensions_get_table_alignments(t);
	size_t nrows = 0;
	for (cmark_node *row = cmark_node_first_child(t); row; row = cmark_node_next(row))
		nrows++;
	if (!ncols || !nrows)
		return;
	struct cell *cells = xcalloc(nrows * ncols, sizeof *cells);
	int *width = xcalloc(ncols, sizeof *width);
	int *header = xcalloc(nrows, sizeof *header);
	/* render the cells with the builder, then lay the rows out */
	int saved_depth = r->depth;
	r->depth = 0;
	size_t ri = 0;
	for (cmark_node *row = cmark_node_first_child(t); row; row = cmark_node_next(row), ri++) {
		header[ri] = cmark_gfm_extensions_get_table_row_is_header(row);
		size_t ci = 0;
		for (cmark_node *c = cmark_node_first_child(row); c && ci < ncols;
		     c = cmark_node_next(c), ci++) {
			line_start(r);
			inlines(r, c, header[ri] ? MD_STRONG : 0);
			struct cell *cl = &cells[ri * ncols + ci];
			cl->len = r->text.len;
			cl->text = xmalloc(cl->len + 1);
			memcpy(cl->text, buf_str(&r->text), cl->len + 1);
			cl->nspans = r->nspans;
			cl->spans = xmalloc((r->nspans + 1) * sizeof *cl->spans);
			memcpy(cl->spans, r->spans, r->nspans * sizeof *cl->spans);
			cl->width = r->col;
			if (cl->width > width[ci])
				width[ci] = cl->width;
			r->open = 0;
		}
	}
	r->depth = saved_depth;
	for (ri = 0; ri < nrows; ri++) {
		line_start(r);
		for (size_t ci = 0; ci < ncols; ci++) {
			struct cell *cl = &cells[ri * ncols + ci];
			if (ci)
				adds(r, " \u2502 ", MD_MARK);
			int pad = width[ci] - cl->width, left = 0;
			if (align && align[ci] == 'r')
				left = pad;
			else if (align && align[ci] == 'c')
				left = pad / 2;
			for (int k = 0; k < left; k++)
				adds(r, " ", 0);
			for (size_t k = 0; k < cl->nspans; k++)
				add(r, cl->text + cl->spans[k].off, cl->spans[k].len, cl->spans[k].style);
			/* no trailing blanks after the last column */
			for (int k = left; k < pad && ci + 1 < ncols; k++)
				adds(r, " ", 0);
		}
		line_end(r);
		if (header[ri]) {
			line_start(r);
			for (size_t ci = 0; ci < ncols; ci++) {
				if (ci)
					adds(r, "\u2500\u253c\u2500", MD_MARK);
				rule(r, "\u2500", width[ci]);
			}
			line_end(r);
		}
	}
	for (size_t i = 0; i < nrows * ncols; i++) {
		free(cells[i].text);
		free(cells[i].spans);
	}
	free(cells);
	free(width);
	free(header);
}

static void block(struct render *r, cmark_node *n, int tight)
{
	switch (cmark_node_get_type(n)) {
	case CMARK_NODE_PARAGRAPH:
		line_start(r);
		inlines(r, n, 0);
		line_end(r);
		break;
	case CMARK_NODE_HEADING: {
		int level = cmark_node_get_heading_level(n);
		line_start(r);
		if (level >= 3) {
			for (int i = 0; i < level; i++)
				adds(r, "#", MD_MARK);
			adds(r, " ", MD_MARK);
		}
		int c0 = r->col;
		inlines(r, n, MD_HEADING | MD_STRONG);
		int w = r->col - c0;
		line_end(r);
		if (level <= 2) {
			line_start(r);
			rule(r, level == 1 ? "\u2550" : "\u2500", w > 3 ? w : 3);
			line_end(r);
		}
		break;
	}
	case CMARK_NODE_BLOCK_QUOTE:
		push(r, "\u2502 ", "\u2502 ");
		blocks(r, n, 0);
		pop(r);
		break;
	case CMARK_NODE_LIST: {
		int ordered = cmark_node_get_list_type(n) == CMARK_ORDERED_LIST;
		int num = cmark_node_get_list_start(n);
		int delim_paren = cmark_node_get_list_delim(n) == CMARK_PAREN_DELIM;
		int list_tight = cmark_node_get_list_tight(n);
		int level = 0;
		for (cmark_node *p = cmark_node_parent(n); p; p = cmark_node_parent(p))
			level += cmark_node_get_type(p) == CMARK_NODE_LIST;
		static const char *const bullets[] = { "\u2022", "\u25e6", "\u25aa" };
		int first = 1;
		for (cmark_node *it = cmark_node_first_child(n); it; it = cmark_node_next(it), num++) {
			if (!first && !list_tight)
				blank_line(r);
			first = 0;
			char marker[24], pad[24];
			if (ordered)
				snprintf(marker, sizeof marker, "%d%c ", num, delim_paren ? ')' : '.');
			else
				snprintf(marker, sizeof marker, "%s ", bullets[level % 3]);
			int mw = textwrap_width(marker, strlen(marker));
			snprintf(pad, sizeof pad, "%*s", mw, "");
			push(r, marker, pad);
			if (cmark_node_first_child(it)) {
				blocks(r, it, list_tight);
			} else {
				line_start(r);
				line_end(r);
			}
			pop(r);
		}
		break;
	}
	case CMARK_NODE_CODE_BLOCK: {
		const char *info = cmark_node_get_fence_info(n);
		const char *lit = cmark_node_get_literal(n);
		size_t ll = info ? strcspn(info, " \t") : 0;
		line_start(r);
		adds(r, "\u2500\u2500", MD_MARK);
		if (ll) {
			adds(r, " ", MD_MARK);
			add(r, info, ll, MD_MARK);
			adds(r, " ", MD_MARK);
		}
		adds(r, "\u2500\u2500", MD_MARK);
		line_end(r);
		if (lit && *lit)
			literal_lines(r, lit, MD_CODE_BLOCK);
		break;
	}
	case CMARK_NODE_HTML_BLOCK: {
		const char *lit = cmark_node_get_literal(n);
		if (lit)
			literal_lines(r, lit, 0);
		break;
	}
	case CMARK_NODE_THEMATIC_BREAK:
		line_start(r);
		rule(r, "\u2500", 24);
		line_end(r);
		break;
	default:
		if (is_type(n, "table"))
			table(r, n);
		else
			blocks(r, n, tight);
	}
}

static void blocks(struct render *r, cmark_node *parent, int tight)
{
	int first = 1;
	for (cmark_node *c = cmark_node_first_child(parent); c; c = cmark_node_next(c)) {
		if (!first && !tight)
			blank_line(r);
		first = 0;
		block(r, c, tight);
	}
}

static cmark_syntax_extension *ext_table, *ext_strike;

void mdrender(struct md_doc *d, const char *src, size_t len)
{
	if (!ext_table) {
		cmark_gfm_core_extensions_ensure_registered();
		ext_table = cmark_find_syntax_extension("table");
		ext_strike = cmark_find_syntax_extension("strikethrough");
	}
	cmark_parser *p = cmark_parser_new(CMARK_OPT_DEFAULT);
	if (ext_table)
		cmark_parser_attach_syntax_extension(p, ext_table);
	if (ext_strike)
		cmark_parser_attach_syntax_extension(p, ext_strike);
	cmark_parser_feed(p, src, len);
	cmark_node *doc = cmark_parser_finish(p);
	struct render r;
	memset(&r, 0, sizeof r);
	r.d = d;
	buf_init(&r.text, 0);
	blocks(&r, doc, 0);
	buf_done(&r.text);
	free(r.spans);
	free(r.cont);
	cmark_node_free(doc);
	cmark_parser_free(p);
}

/* --- the streaming cut ----------------------------------------------------------------- */

static int is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* A fence opening or closing at s (up to 3 spaces first): its character,
 * where it starts and its length, or 0. */
static size_t fence_at(const char *s, size_t n, char *ch, size_t *at)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	if (i >= n || (s[i] != '`' && s[i] != '~'))
		return 0;
	char c = s[i];
	size_t k = i;
	while (k < n && s[k] == c)
		k++;
	if (k - i < 3)
		return 0;
	*ch = c;
	*at = i;
	return k - i;
}

static int is_list_marker(const char *s, size_t n)
{
	size_t i = 0;
	if (n && (s[0] == '-' || s[0] == '+' || s[0] == '*'))
		return n == 1 || s[1] == ' ' || s[1] == '\t';
	while (i < n && i < 9 && s[i] >= '0' && s[i] <= '9')
		i++;
	if (!i || i >= n || (s[i] != '.' && s[i] != ')'))
		return 0;
	return i + 1 == n || s[i + 1] == ' ' || s[i + 1] == '\t';
}

int md_cut_line(struct md_cut *c, const char *s, size_t n)
{
	char ch;
	size_t fl, at;
	if (c->in_fence) {
		fl = fence_at(s, n, &ch, &at);
		if (fl && ch == c->fence_ch && fl >= c->fence_len && is_blank(s + at + fl, n - at - fl))
			c->in_fence = 0;
		c->prev_blank = 0;
		return 0;
	}
	if (is_blank(s, n)) {
		c->prev_blank = 1;
		return 0;
	}
	/* a new block at the margin after a blank line: what came before is
	 * finished (a list item or an indented line could still continue it) */
	int cut = c->started && c->prev_blank && s[0] != ' ' && s[0] != '\t' &&
		  !is_list_marker(s, n);
	c->started = 1;
	c->prev_blank = 0;
	fl = fence_at(s, n, &ch, &at);
	/* a backtick fence's info string has no backtick (else it is inline code) */
	if (fl && !(ch == '`' && memchr(s + at + fl, '`', n - at - fl))) {
		c->in_fence = 1;
		c->fence_ch = ch;
		c->fence_len = fl;
	}
	return cut;
}
