/* How outside text is shown (like git's quote.c): text from the network
 * or a file may hold control sequences that would drive the terminal
 * (ESC ] 52 writes the clipboard, ESC [ 2 J clears the screen, U+202E
 * reverses what follows). For a terminal they are shown escaped: C0
 * controls but newline and tab as ^[ (DEL as ^?), C1 controls (U+0080 to
 * U+009F) as <9b>, bidi overrides (U+202A-U+202E, U+2066-U+2069) as
 * <U+202E>, and bytes that are not valid UTF-8 as <ff>. The result is
 * valid UTF-8 with no control but \n and \t. Pure: no I/O. */
#ifndef PWB_TERMOUT_H
#define PWB_TERMOUT_H

#include <stddef.h>

struct buf;

/* An escaper for text that arrives in pieces (a stream): a UTF-8 sequence
 * cut between two pieces is held until the next one. Embedded. */
struct termout {
	unsigned char pending[4];
	size_t npending;
};

void termout_init(struct termout *t);
/* Append the escaped form of text[0..len) to out, holding back an
 * incomplete UTF-8 sequence at the end. */
void termout_feed(struct termout *t, const char *text, size_t len, struct buf *out);
/* Append what is held back (escaped as the invalid bytes it now is). */
void termout_finish(struct termout *t, struct buf *out);

/* The escaped form of text[0..len), malloc'd and NUL-terminated; *out_len
 * (when not NULL) gets its length. */
char *termout_escape(const char *text, size_t len, size_t *out_len);

/* 1 when text[0..len) would be changed by escaping. */
int termout_needs_escape(const char *text, size_t len);

#endif
