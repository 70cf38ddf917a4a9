/* Keeping the API key out of everything pwb shows or stores. Any string
 * that came from the network or a file goes through redact_key before it
 * reaches an output: a server (or a preset) can echo the key exactly, cut
 * to its recognisable prefix, or base64-encoded, and each form counts. */
#ifndef PWB_REDACT_H
#define PWB_REDACT_H

#include <stddef.h>

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

/* "sk-ant-api03-" and 12 characters: a prefix this long names the key. */
#define REDACT_PREFIX_LEN 25

#endif
