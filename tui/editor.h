/* Drawing a text model (core/textbuf.h) with curses: only the visible rows,
 * control characters shown escaped; and the workbench's text actions mapped
 * onto the model's operations. Used read-only for the response and views
 * (each line may carry an attribute). */
#ifndef PWB_TUI_EDITOR_H
#define PWB_TUI_EDITOR_H

#include <stddef.h>
#include <stdint.h>

#include "core/textbuf.h"
#include "core/textwrap.h"
#include "tui/actions.h"

/* LA_TEXT: an answer's text (Markdown), drawn as LA_NORMAL in raw mode. */
enum line_attr { LA_NORMAL, LA_DIM, LA_BOLD, LA_ERROR, LA_META, LA_ADDED, LA_REMOVED, LA_TEXT };

/* UTF-8: decode one code point at s[0..n) (n > 0); returns its length
 * (1 for an invalid byte, *cp = 0xFFFD). */
/* Draw s[0..n) at y,x clipped to w columns, filling the rest with blanks. */
void text_draw(int y, int x, int w, const char *s, size_t n, int attr);

/* Apply a TEXT action to e. page is the visible height (for PgUp/PgDn). */
enum textbuf_result editor_action(struct textbuf *e, enum action a, int page);

/* Draw rows of line i starting at visual row r0 into screen rows y..y+h,
 * x, width w. Returns rows drawn. If the cursor is on it and show_cursor,
 * cur_y and cur_x get the screen position. */
int editor_draw_line(const struct textbuf *e, size_t i, size_t r0, int y, int x, int w, int h,
		     int show_cursor, int *cur_y, int *cur_x);
/* Draw the whole text into a rectangle, scrolling so the cursor is
 * visible (or, with follow_end, showing the end). */
void editor_draw(struct textbuf *e, int y, int x, int h, int w, int focused, int follow_end,
		 int *cur_y, int *cur_x);

#endif
