/* Soft wrap in terminal columns (see core/textwrap.h). */
#define _XOPEN_SOURCE 700 /* wcwidth: core objects do not get the curses flags that set it */
#include "core/textwrap.h"
#include "core/utf8.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <wchar.h>


int textwrap_char_width(uint32_t cp, int col)
{
	if (cp == '\t')
		return 8 - col % 8;
	if (cp < 32 || cp == 127)
		return 2;
	if (cp >= 0x80 && cp < 0xa0)
		return 4; /* shown as <xx> */
	if (utf8_is_bidi_control(cp))
		return 8; /* shown as <U+202E>: never reorders the screen */
	int w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int textwrap_width(const char *s, size_t n)
{
	int col = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		i += utf8_next(s + i, n - i, &cp);
		col += textwrap_char_width(cp, col);
	}
	return col;
}

/* Row starts of one wrapped line, in a scratch vector reused by every call. */
static size_t *rowv;
static size_t rowa;

static void row_push(size_t *n, size_t off)
{
	if (*n >= rowa) {
		rowa = rowa ? rowa * 2 : 64;
		rowv = xrealloc(rowv, rowa * sizeof *rowv);
	}
	rowv[(*n)++] = off;
}

/* Wrap s from the start of row nrows-1 (already in rowv) to the end. */
static size_t wrap_from(const char *s, size_t len, int w, size_t nrows)
{
	int col = 0;
	size_t row_start = rowv[nrows - 1], brk = (size_t)-1;
	for (size_t i = row_start; i < len;) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		int cw = textwrap_char_width(cp, col);
		if (col + cw > w && col > 0) {
			if (cp == ' ') {
				/* a space at the edge hangs; the next row starts after it */
				i += n;
				brk = i;
				col = w;
				continue;
			}
			size_t at = (brk != (size_t)-1 && brk > row_start) ? brk : i;
			row_push(&nrows, at);
			row_start = at;
			brk = (size_t)-1;
			col = textwrap_width(s + at, i - at);
			continue;
		}
		col += cw;
		i += n;
		if (cp == ' ' || cp == '\t')
			brk = i;
	}
	return nrows;
}

size_t textwrap_rows(const char *s, size_t len, int w, const size_t **starts)
{
	size_t nrows = 0;
	row_push(&nrows, 0);
	if (w > 0)
		nrows = wrap_from(s, len, w, nrows);
	*starts = rowv;
	return nrows;
}

/* A long line that only grows at its end (a streamed answer without
 * newlines) is not re-wrapped from its start on every frame: the rows
 * found last time stand, and wrapping resumes at the start of the last one
 * (earlier breaks cannot change when text is appended after them). */
static struct {
	unsigned long ver;
	int w;
	size_t len, n, a;
	size_t *rows;
} wcache;

size_t textwrap_rows_cached(const char *s, size_t len, unsigned long ver, int w,
			    const size_t **starts)
{
	if (len < 4096 || w <= 0 || ver == 0)
		return textwrap_rows(s, len, w, starts);
	size_t nrows = 0;
	if (wcache.ver == ver && wcache.w == w && wcache.len <= len && wcache.n) {
		if (rowa < wcache.n + 1) {
			rowa = wcache.n + 64;
			rowv = xrealloc(rowv, rowa * sizeof *rowv);
		}
		memcpy(rowv, wcache.rows, wcache.n * sizeof *rowv);
		nrows = wrap_from(s, len, w, wcache.n);
	} else {
		nrows = textwrap_rows(s, len, w, starts);
	}
	if (wcache.a < nrows) {
		wcache.a = nrows + 64;
		wcache.rows = xrealloc(wcache.rows, wcache.a * sizeof *wcache.rows);
	}
	memcpy(wcache.rows, rowv, nrows * sizeof *rowv);
	wcache.n = nrows;
	wcache.ver = ver;
	wcache.w = w;
	wcache.len = len;
	*starts = rowv;
	return nrows;
}

size_t textwrap_row_of(const size_t *starts, size_t nrows, size_t off)
{
	size_t r = 0;
	while (r + 1 < nrows && starts[r + 1] <= off)
		r++;
	return r;
}

void textwrap_done(void)
{
	free(wcache.rows);
	memset(&wcache, 0, sizeof wcache);
	free(rowv);
	rowv = NULL;
	rowa = 0;
}
