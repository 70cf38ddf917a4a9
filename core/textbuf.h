/* The text model behind every editor of the workbench: a multi-line UTF-8
 * buffer with a cursor, readline-style editing, undo, one kill buffer,
 * soft wrap at word boundaries in wcwidth columns, and the view's first
 * visible row. Text is an array of lines, so an edit or a streamed delta
 * costs the length of one line, never the whole text. No curses: the
 * drawing is tui/editor.c. Lines may carry an attribute (a number the
 * drawing gives meaning to). */
#ifndef PWB_TEXTBUF_H
#define PWB_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>

struct textbuf_line {
	char *s;           /* NUL-terminated, len bytes */
	size_t len, alloc;
	unsigned long ver; /* new on any change but an append at the end */
	unsigned char attr;
};

struct tb_undo;

struct textbuf {
	struct textbuf_line *lines; /* never empty: at least one line */
	size_t nlines, alines;
	size_t cy, cx;     /* cursor: line, byte offset */
	int goal;          /* wanted display column for up/down, -1 none */
	int width;         /* wrap width of the last draw (0: none yet) */
	size_t top_line, top_row; /* first visible row */
	struct tb_undo *undo;
	size_t nundo, aundo;
	unsigned long gen; /* bumped by every change */
	int single_line;   /* a field: a newline op is not handled */
	int readonly;      /* edits (not moves) are ignored */
};

/* The editing operations (the workbench maps its actions onto them). */
enum textbuf_op {
	TB_NONE, TB_LEFT, TB_RIGHT, TB_UP, TB_DOWN, TB_PAGE_UP, TB_PAGE_DOWN,
	TB_LINE_START, TB_LINE_END, TB_TEXT_START, TB_TEXT_END, TB_WORD_LEFT, TB_WORD_RIGHT,
	TB_BACKSPACE, TB_DELETE, TB_KILL_LINE, TB_KILL_LINE_START, TB_KILL_WORD_BACK,
	TB_KILL_WORD, TB_YANK, TB_UNDO, TB_NEWLINE,
};

enum textbuf_result {
	TEXTBUF_UNHANDLED,
	TEXTBUF_OK,
	TEXTBUF_AT_TOP,    /* up at the first row: the caller may move to the previous item */
	TEXTBUF_AT_BOTTOM, /* down at the last row */
};

/* A new empty buffer; textbuf_free frees it (NULL is a no-op). */
struct textbuf *textbuf_new(void);
void textbuf_free(struct textbuf *e);
/* Replace the text (NULL: empty); clears undo; cursor at the start. */
void textbuf_set_text(struct textbuf *e, const char *text);
/* The text joined with '\n', malloc'd (the caller frees). */
char *textbuf_text(const struct textbuf *e);
int textbuf_is_empty(const struct textbuf *e);

/* Insert at the cursor (recorded for undo; typed runs merge into one undo). */
void textbuf_insert(struct textbuf *e, const char *s, size_t n);
/* Append at the end without undo (streaming); attr for new lines. */
void textbuf_append(struct textbuf *e, const char *s, size_t n, int attr);
/* Start a new line at the end with attr. */
void textbuf_append_line(struct textbuf *e, const char *s, size_t n, int attr);
/* Free the kill buffer and the wrap scratch shared by all buffers. */
void textbuf_killring_done(void);

/* Apply an operation. page is the visible height (for page up/down). */
enum textbuf_result textbuf_apply(struct textbuf *e, enum textbuf_op op, int page);
void textbuf_cursor_start(struct textbuf *e);
void textbuf_cursor_end(struct textbuf *e);
/* Put the cursor on the first or last visual row, at the goal column. */
void textbuf_cursor_top_row(struct textbuf *e, int col);
void textbuf_cursor_bottom_row(struct textbuf *e, int col);
/* The visual row of the cursor within its line at width w. */
size_t textbuf_cursor_row(const struct textbuf *e, int w);
/* Display column of the cursor within its row (at the last drawn width). */
int textbuf_cursor_col(struct textbuf *e);

/* Rows of line i at width w. */
size_t textbuf_line_rows(const struct textbuf *e, size_t i, int w);
/* The byte offsets where line i's rows start at width w; *starts points
 * into a scratch vector valid until the next wrap. Returns the count. */
size_t textbuf_row_starts(const struct textbuf *e, size_t i, int w, const size_t **starts);
/* The row (of nrows just computed for the cursor's line) holding the cursor. */
size_t textbuf_cursor_row_in(const struct textbuf *e, size_t nrows);

/* The view: keep the first row inside the text; scroll so the cursor is
 * visible in h rows; scroll by rows (clamped); show the end. */
void textbuf_clamp_view(struct textbuf *e, int w);
void textbuf_scroll_to_cursor(struct textbuf *e, int w, int h);
void textbuf_scroll(struct textbuf *e, long rows, int w, int h);
/* 1 when the view shows the end of the text at width w, height h. */
int textbuf_view_at_end(const struct textbuf *e, int w, int h);
/* Make the view's first row the one that shows the end at the bottom. */
void textbuf_view_end(struct textbuf *e, int w, int h);

#endif
