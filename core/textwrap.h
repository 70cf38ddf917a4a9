/* Soft wrap of one line of UTF-8 text in terminal columns: rows break
 * after a space or tab when they can (a space at the edge hangs), else
 * between characters; a wide character never splits. Widths are wcwidth's
 * in the current locale, tabs to the next multiple of 8, control
 * characters as ^X, C1 controls as <xx>, bidi embeddings, overrides and
 * isolates as <U+202E>. No curses. */
#ifndef PWB_TEXTWRAP_H
#define PWB_TEXTWRAP_H

#include <stddef.h>
#include <stdint.h>

/* Display width of cp at column col; of s[0..n). */
int textwrap_char_width(uint32_t cp, int col);
int textwrap_width(const char *s, size_t n);

/* The rows of s[0..len) at width w (w <= 0: one row). *starts gets the
 * byte offsets where rows start, in a scratch vector shared by every call
 * and valid until the next one. Returns the number of rows (>= 1). */
size_t textwrap_rows(const char *s, size_t len, int w, const size_t **starts);
/* The same for a line that only grows at its end between calls with the
 * same ver (change ver on any other change; 0: never cached): wrapping
 * resumes at its last row instead of its start, so a long streamed line
 * costs its new text, not its length. */
size_t textwrap_rows_cached(const char *s, size_t len, unsigned long ver, int w,
			    const size_t **starts);
/* The row (of nrows starting at starts) that holds byte offset off. */
size_t textwrap_row_of(const size_t *starts, size_t nrows, size_t off);
/* Free the scratch and the cache. */
void textwrap_done(void);

#endif
