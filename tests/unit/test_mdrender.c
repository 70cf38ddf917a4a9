/* Markdown to styled lines without curses: each block kind, the styles of
 * inline spans, prefixes of quotes and lists, tables, code kept verbatim,
 * and the streaming cut (rendering the source in pieces cut where md_cut
 * allows gives the same lines as rendering it whole). */
#include "core/mdrender.h"
#include "core/textwrap.h"
#include "tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

static void render(struct md_doc *d, const char *src)
{
	md_doc_init(d);
	mdrender(d, src, strlen(src));
}

/* The lines joined with '\n', malloc'd. */
static char *joined(const struct md_doc *d)
{
	size_t n = 1;
	for (size_t i = 0; i < d->nlines; i++)
		n += d->lines[i].len + 1;
	char *s = malloc(n), *p = s;
	for (size_t i = 0; i < d->nlines; i++) {
		memcpy(p, d->lines[i].text, d->lines[i].len);
		p += d->lines[i].len;
		if (i + 1 < d->nlines)
			*p++ = '\n';
	}
	*p = 0;
	return s;
}

#define CHECK_RENDER(src, want) do { struct md_doc d_; render(&d_, src); char *t_ = joined(&d_); \
	CHECK_STR(t_, want); free(t_); md_doc_done(&d_); } while (0)

/* The style of the span holding the first byte of needle in line i. */
static unsigned style_at(const struct md_doc *d, size_t i, const char *needle)
{
	if (i >= d->nlines)
		return 0xffff;
	const char *at = strstr(d->lines[i].text, needle);
	if (!at)
		return 0xffff;
	size_t off = (size_t)(at - d->lines[i].text);
	for (size_t k = 0; k < d->lines[i].nspans; k++)
		if (off >= d->lines[i].spans[k].off &&
		    off < d->lines[i].spans[k].off + d->lines[i].spans[k].len)
			return d->lines[i].spans[k].style;
	return 0xfffe;
}

/* Spans cover every line exactly, in order. */
static int spans_cover(const struct md_doc *d)
{
	for (size_t i = 0; i < d->nlines; i++) {
		size_t off = 0;
		for (size_t k = 0; k < d->lines[i].nspans; k++) {
			if (d->lines[i].spans[k].off != off || !d->lines[i].spans[k].len)
				return 0;
			off += d->lines[i].spans[k].len;
		}
		if (off != d->lines[i].len)
			return 0;
	}
	return 1;
}

static void test_paragraphs_and_emphasis(void)
{
	CHECK_RENDER("one\ntwo\n\nthree", "one two\n\nthree");
	struct md_doc d;
	render(&d, "plain **bold** *em* `code` ~~gone~~ [site](https://x.org) <https://y.org>");
	CHECK_INT(d.nlines, 1);
	CHECK_STR(d.lines[0].text, "plain bold em code gone site (https://x.org) https://y.org");
	CHECK_INT(style_at(&d, 0, "plain"), 0);
	CHECK_INT(style_at(&d, 0, "bold"), MD_STRONG);
	CHECK_INT(style_at(&d, 0, "em "), MD_EMPH);
	CHECK_INT(style_at(&d, 0, "code"), MD_CODE);
	CHECK_INT(style_at(&d, 0, "gone"), MD_STRIKE);
	CHECK_INT(style_at(&d, 0, "site"), MD_LINK);
	CHECK_INT(style_at(&d, 0, "(https://x.org)"), MD_MARK);
	CHECK_INT(style_at(&d, 0, "https://y.org"), MD_LINK);
	CHECK(spans_cover(&d));
	md_doc_done(&d);
	render(&d, "***both***");
	CHECK_INT(style_at(&d, 0, "both"), MD_STRONG | MD_EMPH);
	md_doc_done(&d);
	/* a hard break starts a new line */
	CHECK_RENDER("a  \nb", "a\nb");
	CHECK_RENDER("", "");
	CHECK_RENDER("\n\n  \n", "");
}

static void test_headings(void)
{
	CHECK_RENDER("# Title\n\n## Part\n\n### Small", "Title\n\u2550\u2550\u2550\u2550\u2550\n\n"
		     "Part\n\u2500\u2500\u2500\u2500\n\n### Small");
	struct md_doc d;
	render(&d, "# Title *x*");
	CHECK_INT(style_at(&d, 0, "Title"), MD_HEADING | MD_STRONG);
	CHECK_INT(style_at(&d, 0, "x"), MD_HEADING | MD_STRONG | MD_EMPH);
	CHECK_INT(style_at(&d, 1, "\u2550"), MD_MARK);
	md_doc_done(&d);
}

static void test_lists(void)
{
	CHECK_RENDER("- a\n- b\n  - c\n- d", "\u2022 a\n\u2022 b\n  \u25e6 c\n\u2022 d");
	CHECK_RENDER("3. x\n4. y", "3. x\n4. y");
	CHECK_RENDER("1) x\n2) y", "1) x\n2) y");
	/* loose: a blank line between the items */
	CHECK_RENDER("- a\n\n- b", "\u2022 a\n\n\u2022 b");
	/* a second paragraph of an item is indented under its text */
	CHECK_RENDER("1. first\n\n   more\n2. second", "1. first\n\n   more\n\n2. second");
	struct md_doc d;
	render(&d, "- item text");
	CHECK_INT(d.lines[0].prefix_len, strlen("\u2022 "));
	CHECK_STR(d.lines[0].cont, "  ");
	CHECK_INT(style_at(&d, 0, "\u2022"), MD_MARK);
	CHECK_INT(style_at(&d, 0, "item"), 0);
	md_doc_done(&d);
}

static void test_quotes(void)
{
	CHECK_RENDER("> quoted\n> more\n>\n> next", "\u2502 quoted more\n\u2502\n\u2502 next");
	CHECK_RENDER("> - in a list", "\u2502 \u2022 in a list");
	struct md_doc d;
	render(&d, "> a long quoted line");
	CHECK_STR(d.lines[0].cont, "\u2502 ");
	CHECK_INT(d.lines[0].prefix_len, strlen("\u2502 "));
	md_doc_done(&d);
}

static void test_code_blocks(void)
{
	/* verbatim: markup, blank lines and indentation kept; tabs as spaces */
	CHECK_RENDER("```python\ndef f():\n    return **1**\n\n\tx\n```",
		     "\u2500\u2500 python \u2500\u2500\ndef f():\n    return **1**\n\n        x");
	CHECK_RENDER("~~~\nplain\n~~~", "\u2500\u2500\u2500\u2500\nplain");
	CHECK_RENDER("    indented", "\u2500\u2500\u2500\u2500\nindented");
	struct md_doc d;
	render(&d, "```c\nint x;\n```");
	CHECK_INT(style_at(&d, 0, "c"), MD_MARK);
	CHECK_INT(style_at(&d, 1, "int"), MD_CODE_BLOCK);
	md_doc_done(&d);
	/* in a list item: under the item's text */
	CHECK_RENDER("- x\n\n  ```\n  y\n  ```", "\u2022 x\n\n  \u2500\u2500\u2500\u2500\n  y");
}

static void test_tables(void)
{
	CHECK_RENDER("| a | long head | n |\n|---|:---:|--:|\n| xx | y | 1 |\n| z | | 22 |",
		     "a  \u2502 long head \u2502  n\n"
		     "\u2500\u2500\u2500\u253c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u253c\u2500\u2500\u2500\n"
		     "xx \u2502     y     \u2502  1\n"
		     "z  \u2502           \u2502 22");
	struct md_doc d;
	render(&d, "| h | **b** |\n|---|---|\n| `c` | d |");
	CHECK_INT(style_at(&d, 0, "h"), MD_STRONG);
	CHECK_INT(style_at(&d, 0, "\u2502"), MD_MARK);
	CHECK_INT(style_at(&d, 2, "c"), MD_CODE);
	CHECK(spans_cover(&d));
	md_doc_done(&d);
	/* wide characters count as two columns */
	CHECK_RENDER("| 世界 | b |\n|---|---|\n| x | y |",
		     "世界 \u2502 b\n\u2500\u2500\u2500\u2500\u2500\u253c\u2500\u2500\nx    \u2502 y");
}

static void test_rules_and_html(void)
{
	CHECK_RENDER("a\n\n---\n\nb", "a\n\n\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
		     "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500"
		     "\u2500\u2500\u2500\u2500\n\nb");
	CHECK_RENDER("<div>\nhi\n</div>", "<div>\nhi\n</div>");
	CHECK_RENDER("![cat](cat.png)", "[image: cat cat.png]");
}

static void test_plain_lines(void)
{
	struct md_doc d;
	md_doc_init(&d);
	md_doc_add_plain(&d, "stop_reason: end_turn", 21, 4);
	mdrender(&d, "*x*", 3);
	CHECK_INT(d.nlines, 2);
	CHECK_INT(d.lines[0].attr, 4);
	CHECK_INT(d.lines[1].attr, 0);
	CHECK(d.lines[0].ver != d.lines[1].ver);
	md_doc_truncate(&d, 1);
	CHECK_INT(d.nlines, 1);
	md_doc_done(&d);
	CHECK_INT(d.nlines, 0);
}

/* Render src cut where md_cut allows (a blank line between pieces) and
 * compare with the whole. */
static void check_cut_same(const char *src, size_t want_cuts)
{
	struct md_doc whole, parts;
	render(&whole, src);
	md_doc_init(&parts);
	struct md_cut c;
	memset(&c, 0, sizeof c);
	size_t start = 0, cuts = 0;
	for (size_t i = 0;; ) {
		const char *nl = strchr(src + i, '\n');
		size_t n = nl ? (size_t)(nl - (src + i)) : strlen(src + i);
		if (md_cut_line(&c, src + i, n)) {
			size_t n0 = parts.nlines;
			if (n0)
				md_doc_add_plain(&parts, "", 0, 0);
			size_t n1 = parts.nlines;
			mdrender(&parts, src + start, i - start);
			if (parts.nlines == n1)
				md_doc_truncate(&parts, n0);
			start = i;
			cuts++;
		}
		if (!nl)
			break;
		i += n + 1;
	}
	if (parts.nlines)
		md_doc_add_plain(&parts, "", 0, 0);
	mdrender(&parts, src + start, strlen(src + start));
	char *a = joined(&whole), *b = joined(&parts);
	CHECK_STR(b, a);
	CHECK_INT(cuts, want_cuts);
	free(a);
	free(b);
	md_doc_done(&whole);
	md_doc_done(&parts);
}

static void test_streaming_cut(void)
{
	check_cut_same("# Head\n\npara one\nstill one\n\n- a\n- b\n\n  more of b\n- c\n\n"
		       "| x | y |\n|---|---|\n| 1 | 2 |\n\n```sh\necho a\n\necho b\n\n```\n\nend", 4);
	/* no cut inside a fence, before an indented line or a list item */
	check_cut_same("```\na\n\nb\n```", 0);
	check_cut_same("~~~~\n\nx\n~~~\n\ny\n~~~~\n\nz", 1);
	check_cut_same("    code\n\n    more", 0);
	check_cut_same("1. a\n\n2. b", 0);
	check_cut_same("> q\n\n> r", 1);
	/* ``` with a backtick in the info string is inline code, not a fence */
	check_cut_same("``` a ` b\n\nnext", 1);
}

int main(void)
{
	setlocale(LC_ALL, "C.UTF-8");
	RUN(test_paragraphs_and_emphasis);
	RUN(test_headings);
	RUN(test_lists);
	RUN(test_quotes);
	RUN(test_code_blocks);
	RUN(test_tables);
	RUN(test_rules_and_html);
	RUN(test_plain_lines);
	RUN(test_streaming_cut);
	textwrap_done();
	return tap_done();
}
