#include "tui/editor.h"
#include "core/utf8.h"
#include "core/util.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static attr_t attr_of(int a)
{
	switch (a) {
	case LA_DIM: return A_DIM;
	case LA_BOLD: return A_BOLD;
	case LA_ERROR: return A_BOLD | (has_colors() && !getenv("NO_COLOR") ? COLOR_PAIR(1) : 0);
	case LA_META: return A_DIM | A_BOLD;
	case LA_ADDED: return A_BOLD | (has_colors() && !getenv("NO_COLOR") ? COLOR_PAIR(2) : 0);
	case LA_REMOVED: return has_colors() && !getenv("NO_COLOR") ? COLOR_PAIR(1) : A_UNDERLINE;
	default: return A_NORMAL;
	}
}

void text_draw(int y, int x, int w, const char *s, size_t n, int attr)
{
	wchar_t wb[512];
	size_t k = 0;
	int col = 0;
	attr_t at = attr_of(attr);
	move(y, x);
	attrset(at);
	for (size_t i = 0; i < n && col < w;) {
		uint32_t cp;
		i += utf8_next(s + i, n - i, &cp);
		int cw = textwrap_char_width(cp, col);
		if (col + cw > w)
			break;
		if (k + 12 >= sizeof wb / sizeof wb[0]) {
			addnwstr(wb, (int)k);
			k = 0;
		}
		if (cp == '\t') {
			for (int j = 0; j < cw; j++)
				wb[k++] = L' ';
		} else if (cp < 32 || cp == 127) {
			wb[k++] = L'^';
			wb[k++] = cp == 127 ? L'?' : (wchar_t)('@' + cp);
		} else if (cp >= 0x80 && cp < 0xa0) {
			static const char hx[] = "0123456789abcdef";
			wb[k++] = L'<';
			wb[k++] = (wchar_t)hx[cp >> 4];
			wb[k++] = (wchar_t)hx[cp & 15];
			wb[k++] = L'>';
		} else if (utf8_is_bidi_control(cp)) {
			char u[12];
			snprintf(u, sizeof u, "<U+%04X>", (unsigned)cp);
			for (int j = 0; u[j]; j++)
				wb[k++] = (wchar_t)u[j];
		} else if (wcwidth((wchar_t)cp) < 0) {
			wb[k++] = L'?';
		} else {
			wb[k++] = (wchar_t)cp;
		}
		col += cw;
	}
	if (k)
		addnwstr(wb, (int)k);
	attrset(A_NORMAL);
	/* blank the rest so stale cells never show through */
	if (col < w) {
		move(y, x + col);
		for (int j = col; j < w; j++)
			addch(' ');
	}
}

enum textbuf_result editor_action(struct textbuf *e, enum action a, int page)
{
	static const enum textbuf_op ops[ACT_COUNT] = {
		[ACT_LEFT] = TB_LEFT, [ACT_RIGHT] = TB_RIGHT, [ACT_UP] = TB_UP, [ACT_DOWN] = TB_DOWN,
		[ACT_PAGE_UP] = TB_PAGE_UP, [ACT_PAGE_DOWN] = TB_PAGE_DOWN,
		[ACT_LINE_START] = TB_LINE_START, [ACT_LINE_END] = TB_LINE_END,
		[ACT_TEXT_START] = TB_TEXT_START, [ACT_TEXT_END] = TB_TEXT_END,
		[ACT_WORD_LEFT] = TB_WORD_LEFT, [ACT_WORD_RIGHT] = TB_WORD_RIGHT,
		[ACT_BACKSPACE] = TB_BACKSPACE, [ACT_DELETE] = TB_DELETE,
		[ACT_KILL_LINE] = TB_KILL_LINE, [ACT_KILL_LINE_START] = TB_KILL_LINE_START,
		[ACT_KILL_WORD_BACK] = TB_KILL_WORD_BACK, [ACT_KILL_WORD] = TB_KILL_WORD,
		[ACT_YANK] = TB_YANK, [ACT_UNDO] = TB_UNDO, [ACT_NEWLINE] = TB_NEWLINE,
	};
	if ((unsigned)a >= ACT_COUNT || ops[a] == TB_NONE)
		return TEXTBUF_UNHANDLED;
	return textbuf_apply(e, ops[a], page);
}

int editor_draw_line(const struct textbuf *e, size_t i, size_t r0, int y, int x, int w, int h,
		     int show_cursor, int *cur_y, int *cur_x)
{
	const struct textbuf_line *ln = &e->lines[i];
	const size_t *rowv;
	size_t nr = textbuf_row_starts(e, i, w, &rowv);
	size_t cr = (size_t)-1;
	if (show_cursor && i == e->cy)
		cr = textbuf_cursor_row_in(e, nr);
	int drawn = 0;
	for (size_t r = r0; r < nr && drawn < h; r++, drawn++) {
		size_t start = rowv[r], end = r + 1 < nr ? rowv[r + 1] : ln->len;
		if (r == cr && cur_y) {
			int col = textwrap_width(ln->s + start, e->cx - start);
			*cur_y = y + drawn;
			*cur_x = x + (col >= w ? w - 1 : col);
		}
		/* text_draw does not wrap, so rowv stays valid through the loop */
		text_draw(y + drawn, x, w, ln->s + start, end - start, ln->attr);
	}
	return drawn;
}

void editor_draw(struct textbuf *e, int y, int x, int h, int w, int focused, int follow_end,
		 int *cur_y, int *cur_x)
{
	if (h <= 0 || w <= 0)
		return;
	e->width = w;
	textbuf_clamp_view(e, w);
	if (follow_end)
		textbuf_view_end(e, w, h);
	else if (focused && !e->readonly)
		textbuf_scroll_to_cursor(e, w, h);
	int row = 0;
	size_t r0 = e->top_row;
	for (size_t i = e->top_line; i < e->nlines && row < h; i++) {
		row += editor_draw_line(e, i, r0, y + row, x, w, h - row, focused && !e->readonly,
					cur_y, cur_x);
		r0 = 0;
	}
	for (; row < h; row++)
		text_draw(y + row, x, w, "", 0, 0);
}
