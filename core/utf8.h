/* UTF-8: the one place that decodes, encodes, checks and repairs it, for
 * the stream (JSON \u escapes), the preset loader/emitter and the editor. */
#ifndef PWB_UTF8_H
#define PWB_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

#define UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, shown where bytes were not UTF-8 */

/* Length (1-4) of the valid UTF-8 sequence at the start of s (n bytes),
 * or 0 when it is not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t utf8_seq_len(const char *s, size_t n);
/* Strict decoding for text that arrives in pieces: the length (1-4) of the
 * sequence at s[0..n) with its code point in *cp; 0 when the bytes are not
 * a valid sequence (overlong, surrogate, past U+10FFFF); -1 when they are
 * a valid start cut short by the end of the input. */
int utf8_decode_strict(const char *s, size_t n, uint32_t *cp);
/* 1 for the bidi overrides and isolates (U+202A-U+202E, U+2066-U+2069),
 * which reorder what follows them on a terminal. */
int utf8_is_bidi_control(uint32_t cp);
/* Decode the next character of s (n > 0 bytes) into *cp and return how
 * many bytes it took: a byte that does not start a valid sequence is taken
 * alone as U+FFFD, so a loop always advances. 0 only when n is 0. */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);
/* Encode cp into out (room for 4 bytes); returns the length (1-4). A value
 * with no encoding (a surrogate, past U+10FFFF) is written as U+FFFD. */
size_t utf8_put(uint32_t cp, char *out);
/* Append cp's encoding to b (as utf8_put). */
void utf8_append(struct buf *b, uint32_t cp);
/* A JSON \u escape at s (n bytes, s[0] the backslash): "\uXXXX", or a
 * surrogate pair "\uD83D\uDE00" taken as one. Returns the bytes used (6 or
 * 12) with the code point in *cp, or 0 when the hex digits are malformed. A
 * lone surrogate comes back as itself (0xD800-0xDFFF): the caller decides
 * (utf8_append writes U+FFFD for it). */
size_t utf8_json_escape(const char *s, size_t n, uint32_t *cp);
/* 1 when all n bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t n);
/* Append s to b with every byte that is not part of a valid sequence
 * replaced by U+FFFD; returns how many bytes were replaced. */
size_t utf8_append_repaired(struct buf *b, const char *s, size_t n);
/* A malloc'd repaired copy of s (n bytes, NUL-terminated); *replaced, when
 * not NULL, gets the count of replaced bytes. */
char *utf8_repair(const char *s, size_t n, size_t *replaced);

#endif
