/* Keeping the API key out of everything pwb shows or stores. Any string
 * that came from the network or a file goes through redact_key before it
 * reaches an output: a server (or a preset) can echo the key exactly, cut
 * to its recognisable prefix, or base64-encoded, and each form counts. */
#ifndef PWB_REDACT_H
#define PWB_REDACT_H

#include <stddef.h>

struct buf;

/* What replaces every form of the key. */
#define REDACT_MARKER "[REDACTED]"

/* A copy of text[0..len) (NUL bytes allowed) with every form of key
 * replaced by REDACT_MARKER: the key itself, any string holding its first
 * REDACT_PREFIX_LEN characters (with the key characters that follow), and
 * its base64 (standard or URL-safe alphabet, at any of the 3 byte
 * alignments, a run of at least 24 base64 characters of it). malloc'd,
 * NUL-terminated; *out_len (when not NULL) gets its length. A NULL or
 * empty key gives a plain copy. */
char *redact_key_n(const char *text, size_t len, const char *key, size_t *out_len);

/* redact_key_n for a C string; NULL text gives NULL. malloc'd. */
char *redact_key(const char *text, const char *key);

/* Replace *slot (malloc'd or NULL) by its redacted copy. */
void redact_in_place(char **slot, const char *key);

/* 1 when text[0..len) holds any form of key that redact_key_n replaces. */
int redact_holds_key(const char *text, size_t len, const char *key);

/* Redaction of text that arrives in pieces (a stream): a key cut between
 * two pieces is still found. The last few characters that could begin a
 * match are held back until the next piece or redact_stream_finish, and a
 * match that reaches the end of a piece goes on eating key characters in
 * the next. Embedded: redact_stream_init / redact_stream_done. */
struct redact_stream {
	char *key;          /* owned copy, or NULL: pieces pass through */
	char hold[32];      /* characters not yet released */
	size_t nhold;
	int in_match;       /* 1: key characters, 2: base64 characters go on being redacted */
};

void redact_stream_init(struct redact_stream *rs, const char *key);
/* Append the redacted piece text[0..len) to out (a struct buf), less
 * what is held back. */
void redact_stream_feed(struct redact_stream *rs, const char *text, size_t len, struct buf *out);
/* Append what is held back; the stream can be fed again afterwards. */
void redact_stream_finish(struct redact_stream *rs, struct buf *out);
/* Append what is held back, but a match cut at the end still goes on
 * into the next piece: for callers that cannot hold text back. */
void redact_stream_flush(struct redact_stream *rs, struct buf *out);
void redact_stream_done(struct redact_stream *rs);

/* "sk-ant-api03-" and 12 characters: a prefix this long names the key. */
#define REDACT_PREFIX_LEN 25

#endif
