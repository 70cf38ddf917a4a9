/* Markdown (CommonMark with GitHub tables and strikethrough, parsed by
 * libcmark-gfm) turned into lines of styled spans for a terminal: headings,
 * emphasis, lists, block quotes, tables and fenced code blocks (code kept
 * verbatim, its language shown). No curses: the drawing gives the styles
 * their attributes. Lines are logical (a paragraph is one line); the
 * drawing soft-wraps them, showing a line's continuation prefix (quote bars,
 * list indentation) on its wrapped rows.
 *
 * Streaming: md_cut tells, line by line, where the source can be cut so
 * that what comes before renders the same alone as with what follows, so a
 * caller re-renders only its last unfinished block per change. */
#ifndef PWB_MDRENDER_H
#define PWB_MDRENDER_H

#include <stddef.h>

enum md_style {
	MD_STRONG = 1 << 0,
	MD_EMPH = 1 << 1,
	MD_CODE = 1 << 2,       /* inline code */
	MD_CODE_BLOCK = 1 << 3, /* a line of a code block (verbatim) */
	MD_HEADING = 1 << 4,
	MD_LINK = 1 << 5,
	MD_STRIKE = 1 << 6,
	MD_MARK = 1 << 7,       /* what the rendering adds: bullets, quote bars, rules, a code block's language */
};

/* A run of text[off..off+len) in one style. */
struct md_span {
	size_t off, len;
	unsigned style;
};

struct md_line {
	char *text;             /* NUL-terminated, len bytes, no newline, tabs expanded */
	size_t len;
	struct md_span *spans;  /* in order, covering text exactly */
	size_t nspans;
	size_t prefix_len;      /* text[0..prefix_len) is the prefix (bars, bullet) */
	char *cont;             /* the prefix of wrapped rows (bullets blanked), NUL-terminated */
	unsigned long ver;      /* unique per line made, for wrap caches */
	int attr;               /* 0: rendered Markdown; else a caller's plain line (md_doc_add_plain) */
};

struct md_doc {
	struct md_line *lines;
	size_t nlines, alines;
};

void md_doc_init(struct md_doc *d);
/* Free every line (the doc itself is the caller's). */
void md_doc_done(struct md_doc *d);
/* Keep the first n lines, free the rest. */
void md_doc_truncate(struct md_doc *d, size_t n);

/* Append a line of plain text that the caller marks with attr (not 0):
 * the parts of an answer that are not Markdown. */
void md_doc_add_plain(struct md_doc *d, const char *s, size_t n, int attr);

/* Append the rendering of the Markdown src[0..len) to d. Top-level blocks
 * are separated by one empty line; nothing is appended for blank src. */
void mdrender(struct md_doc *d, const char *src, size_t len);

/* The streaming cut: feed the source's lines in order (without the
 * newline); md_cut_line returns 1 when the source may be cut before this
 * line (the line starts a new top-level block after a blank line, outside
 * any fence, list or indented code). Zero-initialise to start. */
struct md_cut {
	int in_fence;
	char fence_ch;
	size_t fence_len;
	int prev_blank;
	int started;
};
int md_cut_line(struct md_cut *c, const char *s, size_t n);

#endif
