/* The API key: where it comes from, how it is shown, and key-shaped
 * strings found where a key must never be. The key itself is never
 * written anywhere by the core; callers show it only through keys_mask. */
#ifndef PWB_KEYS_H
#define PWB_KEYS_H

#include <stddef.h>

struct diag_list;

enum key_source { KEY_NONE, KEY_ENV, KEY_DOTENV };

/* Find the key: ANTHROPIC_API_KEY from the environment, else from dotenv_path
 * (normally ".env" in the current directory). A .env supplies only the key:
 * any other name in it is ignored with a warning in diags (which may be NULL).
 * Returns the source; *key_out gets a malloc'd copy (NULL with KEY_NONE). */
enum key_source keys_find(const char *dotenv_path, char **key_out, struct diag_list *diags);

/* 1 for an admin key (sk-ant-admin...), which pwb refuses for inference. */
int keys_is_admin(const char *key);

/* The masked form, "sk-ant-api03-…abcd" (the "sk-ant-WORD-" prefix, an
 * ellipsis, the last four characters; the last four only when at least 8
 * characters follow the prefix). malloc'd. */
char *keys_mask(const char *key);

/* Find the first key-shaped string in text[0..len): "sk-ant-", a lowercase
 * word with optional digits, "-", then at least 20 key characters
 * [A-Za-z0-9_-]. The masked form never matches. Returns 1 and the span, or 0. */
int keys_find_shaped(const char *text, size_t len, size_t *off, size_t *match_len);

/* Replace every occurrence of key in text with marker, in place growing a
 * new string: returns malloc'd text (a copy when key does not occur). */
char *keys_redact(const char *text, const char *key, const char *marker);

/* The messages users see. */
#define KEYS_MISSING_MESSAGE \
	"no API key: set ANTHROPIC_API_KEY in the environment or put ANTHROPIC_API_KEY=... in a .env file in the current directory"
#define KEYS_ADMIN_MESSAGE \
	"the key is an Admin API key (sk-ant-admin...), which manages an organization and cannot be used for inference; use a regular API key (sk-ant-api...)"

#endif
