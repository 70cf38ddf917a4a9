/* UTF-8: the one place that decodes, encodes, checks and repairs it, for
 * the stream (JSON \u escapes), the preset loader/emitter and the editor. */
#ifndef PWB_UTF8_H
#define PWB_UTF8_H

#include <stddef.h>

struct buf;

#define UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, shown where bytes were not UTF-8 */

/* Length (1-4) of the valid UTF-8 sequence at the start of s (n bytes),
 * or 0 when it is not one (overlong, surrogate, past U+10FFFF, cut short). */
size_t utf8_seq_len(const char *s, size_t n);
/* Decode the sequence at s: its length (as utf8_seq_len), *cp the code point;
 * 0 (and *cp = U+FFFD) when invalid. */
size_t utf8_decode(const char *s, size_t n, unsigned *cp);
/* Encode cp (<= U+10FFFF, not a surrogate) into out (4 bytes at least);
 * returns the length, or 0 for a value that has no encoding. */
size_t utf8_encode(unsigned cp, char *out);
/* Append cp's encoding to b (U+FFFD for a value that has none). */
void utf8_append(struct buf *b, unsigned cp);
/* 1 when all n bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t n);
/* Append s to b with every byte that is not part of a valid sequence
 * replaced by U+FFFD; returns how many bytes were replaced. */
size_t utf8_append_repaired(struct buf *b, const char *s, size_t n);
/* A malloc'd repaired copy of s (n bytes, NUL-terminated); *replaced, when
 * not NULL, gets the count of replaced bytes. */
char *utf8_repair(const char *s, size_t n, size_t *replaced);

#endif
