/* A multi-line UTF-8 text buffer with a cursor: readline-style editing,
 * undo, soft wrap at word boundaries with wcwidth columns, and drawing of
 * only the visible rows. Also used read-only for the response and views
 * (each line may carry an attribute). Text is an array of lines, so an
 * edit or a streamed delta costs the length of one line, never the whole
 * text. */
#ifndef PWB_TUI_EDITOR_H
#define PWB_TUI_EDITOR_H

#include <stddef.h>
#include <stdint.h>

#include "tui/actions.h"

struct buf;

enum line_attr { LA_NORMAL, LA_DIM, LA_BOLD, LA_ERROR, LA_META, LA_ADDED, LA_REMOVED };

struct ed_line {
	char *s;
	size_t len, alloc;
	unsigned long ver; /* new on any change but an append at the end */
	unsigned char attr;
};

struct ed_undo;

struct editor {
	struct ed_line *lines;
	size_t nlines, alines;
	size_t cy, cx;     /* cursor: line, byte offset */
	int goal;          /* wanted display column for up/down, -1 none */
	int width;         /* wrap width of the last draw (0: none yet) */
	size_t top_line, top_row; /* first visible row */
	struct ed_undo *undo;
	size_t nundo, aundo;
	unsigned long gen; /* bumped by every change */
	int single_line;   /* a field: Enter is not a newline */
	int readonly;
};

/* UTF-8: decode one code point at s[0..n) (n > 0); returns its length
 * (1 for an invalid byte, *cp = 0xFFFD). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
size_t utf8_encode(uint32_t cp, char *out);
/* Display width of cp at column col (tabs to the next multiple of 8;
 * control characters as ^X). */
int text_char_width(uint32_t cp, int col);
/* Display width of s[0..n). */
int text_width(const char *s, size_t n);
/* Draw s[0..n) at y,x clipped to w columns, filling the rest with blanks. */
void text_draw(int y, int x, int w, const char *s, size_t n, int attr);

struct editor *editor_new(void);
void editor_free(struct editor *e);
/* Replace the text (NULL: empty); clears undo; cursor at the start. */
void editor_set_text(struct editor *e, const char *text);
/* The text joined with '\n', malloc'd. */
char *editor_text(const struct editor *e);
int editor_is_empty(const struct editor *e);

/* Insert at the cursor (recorded for undo). */
void editor_insert(struct editor *e, const char *s, size_t n);
/* Append at the end without undo (streaming); attr for new lines. */
void editor_append(struct editor *e, const char *s, size_t n, int attr);
/* Start a new line at the end with attr. */
void editor_append_line(struct editor *e, const char *s, size_t n, int attr);

/* Kill ring shared by all editors. */
void editor_killring_done(void);

enum editor_result {
	ED_UNHANDLED,
	ED_OK,
	ED_AT_TOP,    /* up at the first row: the caller may move to the previous item */
	ED_AT_BOTTOM, /* down at the last row */
};
/* Apply a TEXT action. page is the visible height (for PgUp/PgDn). */
enum editor_result editor_action(struct editor *e, enum action a, int page);
void editor_cursor_start(struct editor *e);
void editor_cursor_end(struct editor *e);
/* Put the cursor on the first or last visual row, at the goal column. */
void editor_cursor_top_row(struct editor *e, int col);
void editor_cursor_bottom_row(struct editor *e, int col);
/* The visual row of the cursor within its line at width w. */
size_t editor_cursor_row(const struct editor *e, int w);
/* Display column of the cursor within its row. */
int editor_cursor_col(struct editor *e);

/* Rows of line i at width w. */
size_t editor_line_rows(const struct editor *e, size_t i, int w);
/* Draw rows of line i starting at visual row r0 into screen rows y..y+h,
 * x, width w. Returns rows drawn. If the cursor is on it and show_cursor,
 * cur_y and cur_x get the screen position. */
int editor_draw_line(const struct editor *e, size_t i, size_t r0, int y, int x, int w, int h,
		     int show_cursor, int *cur_y, int *cur_x);
/* Draw the whole editor into a rectangle, scrolling so the cursor is
 * visible (or, with follow_end, showing the end). */
void editor_draw(struct editor *e, int y, int x, int h, int w, int focused, int follow_end,
		 int *cur_y, int *cur_x);
/* Scroll the view (read-only use) by rows; clamps. */
void editor_scroll(struct editor *e, long rows, int w, int h);
/* 1 when the view shows the end of the text at width w, height h. */
int editor_view_at_end(const struct editor *e, int w, int h);
/* Make the view's first row the one that shows the end at the bottom. */
void editor_view_end(struct editor *e, int w, int h);

#endif
