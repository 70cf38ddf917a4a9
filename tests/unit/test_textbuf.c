/* The editor's text model without curses: insert and delete, UTF-8 and
 * wide characters, cursor moves, undo, the kill buffer, wrap at widths,
 * long lines and the view. */
#include "core/textbuf.h"
#include "core/textwrap.h"
#include "tap.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>

/* The text, checked and freed. */
#define CHECK_TEXT(tb, want) do { char *t_ = textbuf_text(tb); CHECK_STR(t_, want); \
	free(t_); } while (0)

static void type(struct textbuf *tb, const char *s)
{
	textbuf_insert(tb, s, strlen(s));
}

static void test_insert_and_lines(void)
{
	struct textbuf *tb = textbuf_new();
	CHECK(textbuf_is_empty(tb));
	CHECK_INT(tb->nlines, 1);
	type(tb, "hello");
	type(tb, "\nworld");
	CHECK_TEXT(tb, "hello\nworld");
	CHECK_INT(tb->nlines, 2);
	CHECK_INT(tb->cy, 1);
	CHECK_INT(tb->cx, 5);
	textbuf_apply(tb, TB_LINE_START, 1);
	type(tb, ">");
	CHECK_TEXT(tb, "hello\n>world");
	CHECK(!textbuf_is_empty(tb));
	textbuf_set_text(tb, "a\nb\nc");
	CHECK_INT(tb->nlines, 3);
	CHECK_INT(tb->cy, 0);
	CHECK_INT(tb->cx, 0);
	CHECK_INT(tb->nundo, 0);
	textbuf_set_text(tb, NULL);
	CHECK(textbuf_is_empty(tb));
	textbuf_free(tb);
	textbuf_free(NULL);
}

static void test_delete(void)
{
	struct textbuf *tb = textbuf_new();
	textbuf_set_text(tb, "ab\ncd");
	textbuf_cursor_end(tb);
	textbuf_apply(tb, TB_BACKSPACE, 1);
	CHECK_TEXT(tb, "ab\nc");
	textbuf_apply(tb, TB_BACKSPACE, 1);
	textbuf_apply(tb, TB_BACKSPACE, 1); /* joins the lines */
	CHECK_TEXT(tb, "ab");
	CHECK_INT(tb->nlines, 1);
	textbuf_cursor_start(tb);
	textbuf_apply(tb, TB_DELETE, 1);
	CHECK_TEXT(tb, "b");
	textbuf_apply(tb, TB_BACKSPACE, 1); /* at the start: nothing */
	CHECK_TEXT(tb, "b");
	tb->readonly = 1;
	textbuf_apply(tb, TB_DELETE, 1);
	CHECK_TEXT(tb, "b");
	textbuf_free(tb);
}

static void test_utf8_and_wide(void)
{
	struct textbuf *tb = textbuf_new();
	type(tb, "a\xc3\xa9\xe4\xb8\x96\xf0\x9f\x98\x80"); /* a é 世 😀 */
	CHECK_INT(tb->cx, 10);
	textbuf_apply(tb, TB_LEFT, 1); /* over the 4-byte emoji */
	CHECK_INT(tb->cx, 6);
	textbuf_apply(tb, TB_LEFT, 1); /* over 世 */
	CHECK_INT(tb->cx, 3);
	textbuf_apply(tb, TB_BACKSPACE, 1); /* deletes é whole */
	CHECK_TEXT(tb, "a\xe4\xb8\x96\xf0\x9f\x98\x80");
	textbuf_apply(tb, TB_RIGHT, 1);
	CHECK_INT(tb->cx, 4);
	textbuf_apply(tb, TB_DELETE, 1);
	CHECK_TEXT(tb, "a\xe4\xb8\x96");
	/* display widths: CJK 2 columns, tab to 8, controls as ^X, C1 as <xx> */
	CHECK_INT(textwrap_width("a\xe4\xb8\x96", 4), 3);
	CHECK_INT(textwrap_char_width('\t', 3), 5);
	CHECK_INT(textwrap_char_width(1, 0), 2);
	CHECK_INT(textwrap_char_width(0x9b, 0), 4);
	/* an invalid byte counts as one replacement character */
	CHECK_INT(textwrap_width("\xff", 1), 1);
	textbuf_free(tb);
}

static void test_cursor_moves(void)
{
	struct textbuf *tb = textbuf_new();
	textbuf_set_text(tb, "one two  three\nfour");
	textbuf_apply(tb, TB_WORD_RIGHT, 1);
	CHECK_INT(tb->cx, 3);
	textbuf_apply(tb, TB_WORD_RIGHT, 1);
	CHECK_INT(tb->cx, 7);
	textbuf_apply(tb, TB_WORD_LEFT, 1);
	CHECK_INT(tb->cx, 4);
	textbuf_apply(tb, TB_LINE_END, 1);
	CHECK_INT(tb->cx, 14);
	textbuf_apply(tb, TB_RIGHT, 1); /* to the next line */
	CHECK_INT(tb->cy, 1);
	CHECK_INT(tb->cx, 0);
	textbuf_apply(tb, TB_LEFT, 1); /* and back to the end of the first */
	CHECK_INT(tb->cy, 0);
	CHECK_INT(tb->cx, 14);
	textbuf_apply(tb, TB_TEXT_START, 1);
	CHECK_INT(textbuf_apply(tb, TB_UP, 1), TEXTBUF_AT_TOP);
	textbuf_apply(tb, TB_TEXT_END, 1);
	CHECK_INT(tb->cy, 1);
	CHECK_INT(tb->cx, 4);
	CHECK_INT(textbuf_apply(tb, TB_DOWN, 1), TEXTBUF_AT_BOTTOM);
	textbuf_free(tb);
}

static void test_undo(void)
{
	struct textbuf *tb = textbuf_new();
	type(tb, "a");
	type(tb, "b");
	type(tb, "c"); /* typed runs merge into one undo step */
	textbuf_apply(tb, TB_LEFT, 1);
	type(tb, "X");
	CHECK_TEXT(tb, "abXc");
	textbuf_apply(tb, TB_UNDO, 1);
	CHECK_TEXT(tb, "abc");
	CHECK_INT(tb->cx, 2);
	textbuf_apply(tb, TB_UNDO, 1);
	CHECK_TEXT(tb, "");
	textbuf_apply(tb, TB_UNDO, 1); /* nothing left: no change */
	CHECK_TEXT(tb, "");
	textbuf_set_text(tb, "line one\nline two");
	textbuf_cursor_end(tb);
	textbuf_apply(tb, TB_KILL_LINE_START, 1);
	CHECK_TEXT(tb, "line one\n");
	textbuf_apply(tb, TB_UNDO, 1);
	CHECK_TEXT(tb, "line one\nline two");
	textbuf_apply(tb, TB_BACKSPACE, 1);
	textbuf_apply(tb, TB_UNDO, 1);
	CHECK_TEXT(tb, "line one\nline two");
	textbuf_free(tb);
}

static void test_kill_and_yank(void)
{
	struct textbuf *tb = textbuf_new();
	textbuf_set_text(tb, "keep cut this");
	textbuf_apply(tb, TB_WORD_RIGHT, 1);
	textbuf_apply(tb, TB_KILL_LINE, 1);
	CHECK_TEXT(tb, "keep");
	textbuf_apply(tb, TB_LINE_START, 1);
	textbuf_apply(tb, TB_YANK, 1);
	CHECK_TEXT(tb, " cut thiskeep");
	textbuf_set_text(tb, "alpha beta  ");
	textbuf_cursor_end(tb);
	textbuf_apply(tb, TB_KILL_WORD_BACK, 1);
	CHECK_TEXT(tb, "alpha ");
	textbuf_free(tb);
	textbuf_killring_done();
}

static void test_single_line_and_readonly(void)
{
	struct textbuf *tb = textbuf_new();
	tb->single_line = 1;
	CHECK_INT(textbuf_apply(tb, TB_NEWLINE, 1), TEXTBUF_UNHANDLED);
	CHECK_TEXT(tb, "");
	CHECK_INT(textbuf_apply(tb, TB_NONE, 1), TEXTBUF_UNHANDLED);
	textbuf_free(tb);
	tb = textbuf_new();
	tb->readonly = 1;
	textbuf_append(tb, "streamed", 8, 0);
	textbuf_append(tb, " on\nnext", 8, 0);
	textbuf_append_line(tb, "meta", 4, 3);
	CHECK_TEXT(tb, "streamed on\nnext\nmeta");
	CHECK_INT(tb->lines[2].attr, 3);
	CHECK_INT(tb->nundo, 0);
	textbuf_free(tb);
}

static void test_wrap(void)
{
	struct textbuf *tb = textbuf_new();
	textbuf_set_text(tb, "aaaa bbbb cccc");
	CHECK_INT(textbuf_line_rows(tb, 0, 100), 1);
	CHECK_INT(textbuf_line_rows(tb, 0, 10), 2); /* breaks at a space */
	CHECK_INT(textbuf_line_rows(tb, 0, 5), 3);
	const size_t *starts;
	size_t n = textbuf_row_starts(tb, 0, 10, &starts);
	CHECK_INT(n, 2);
	CHECK_INT(starts[0], 0);
	CHECK_INT(starts[1], 10);
	/* no space: a hard break; wide characters never split */
	textbuf_set_text(tb, "abcdefghij");
	CHECK_INT(textbuf_line_rows(tb, 0, 4), 3);
	textbuf_set_text(tb, "\xe4\xb8\x96\xe4\xb8\x96\xe4\xb8\x96"); /* 世世世: 6 columns */
	CHECK_INT(textbuf_line_rows(tb, 0, 3), 3);
	CHECK_INT(textbuf_line_rows(tb, 0, 4), 2);
	/* the cursor's row and column follow the wrap */
	textbuf_set_text(tb, "aaaa bbbb");
	textbuf_cursor_end(tb);
	CHECK_INT(textbuf_cursor_row(tb, 6), 1);
	textbuf_free(tb);
}

static void test_long_line(void)
{
	/* a streamed line that only grows: its rows are the same as a fresh wrap */
	struct textbuf *tb = textbuf_new();
	char chunk[101];
	memset(chunk, 'x', 99);
	chunk[99] = ' ';
	chunk[100] = 0;
	for (int i = 0; i < 200; i++) {
		textbuf_append(tb, chunk, 100, 0);
		if (i % 50 == 0)
			(void)textbuf_line_rows(tb, 0, 80);
	}
	CHECK_INT(tb->lines[0].len, 20000);
	size_t grown = textbuf_line_rows(tb, 0, 80);
	char *t = textbuf_text(tb);
	struct textbuf *fresh = textbuf_new();
	textbuf_set_text(fresh, t);
	free(t);
	CHECK_INT(textbuf_line_rows(fresh, 0, 80), grown);
	CHECK_INT(grown, 400); /* 99 x's do not fit 80 columns: two rows each */
	textbuf_free(fresh);
	textbuf_free(tb);
}

static void test_view(void)
{
	struct textbuf *tb = textbuf_new();
	tb->readonly = 1;
	for (int i = 0; i < 30; i++) {
		char l[16];
		int n = snprintf(l, sizeof l, "line %d", i);
		if (i)
			textbuf_append_line(tb, l, (size_t)n, 0);
		else
			textbuf_append(tb, l, (size_t)n, 0);
	}
	CHECK_INT(tb->nlines, 30);
	CHECK(!textbuf_view_at_end(tb, 20, 10));
	textbuf_view_end(tb, 20, 10);
	CHECK_INT(tb->top_line, 20);
	CHECK(textbuf_view_at_end(tb, 20, 10));
	textbuf_scroll(tb, -5, 20, 10);
	CHECK_INT(tb->top_line, 15);
	textbuf_scroll(tb, 100, 20, 10); /* clamped at the end */
	CHECK_INT(tb->top_line, 20);
	textbuf_scroll(tb, -100, 20, 10);
	CHECK_INT(tb->top_line, 0);
	/* the cursor at the end scrolls the view to it */
	tb->readonly = 0;
	textbuf_cursor_end(tb);
	textbuf_scroll_to_cursor(tb, 20, 10);
	CHECK_INT(tb->top_line, 20);
	textbuf_free(tb);
	textbuf_killring_done();
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8"); /* wcwidth of wide characters */
	RUN(test_insert_and_lines);
	RUN(test_delete);
	RUN(test_utf8_and_wide);
	RUN(test_cursor_moves);
	RUN(test_undo);
	RUN(test_kill_and_yank);
	RUN(test_single_line_and_readonly);
	RUN(test_wrap);
	RUN(test_long_line);
	RUN(test_view);
	return tap_done();
}
