#include "core/keys.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_NAME "ANTHROPIC_API_KEY"
/* A .env bigger than this is not a .env. */
#define DOTENV_MAX ((size_t)1 << 20)

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_name_char(char c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

/* Parse one .env line [p, end) (no line end). Returns 1 and fills the name
 * span and a malloc'd value, 0 for a blank or comment line, -1 for a line
 * that is not KEY=value (*why says what is wrong). */
static int dotenv_line(const char *p, const char *end, const char **name, size_t *name_len,
		       char **value, const char **why)
{
	while (p < end && is_space(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	if ((size_t)(end - p) > 7 && memcmp(p, "export", 6) == 0 && is_space(p[6])) {
		p += 7;
		while (p < end && is_space(*p))
			p++;
	}
	const char *n = p;
	while (p < end && is_name_char(*p, p == n))
		p++;
	*name = n;
	*name_len = (size_t)(p - n);
	while (p < end && is_space(*p))
		p++;
	if (*name_len == 0 || p == end || *p != '=') {
		*why = "not a NAME=value line";
		return -1;
	}
	p++;
	while (p < end && is_space(*p))
		p++;
	struct buf v;
	buf_init(&v, 0);
	if (p < end && (*p == '"' || *p == '\'')) {
		char q = *p++;
		for (;;) {
			if (p == end) {
				buf_done(&v);
				*why = "an unclosed quote";
				return -1;
			}
			if (*p == q) {
				p++;
				break;
			}
			/* Double quotes take the usual escapes; single quotes are literal. */
			if (q == '"' && *p == '\\' && p + 1 < end) {
				char c = p[1];
				buf_append(&v, c == 'n' ? "\n" : c == 't' ? "\t" : &p[1], 1);
				p += 2;
				continue;
			}
			buf_append(&v, p, 1);
			p++;
		}
		while (p < end && is_space(*p))
			p++;
		if (p < end && *p != '#') {
			buf_done(&v);
			*why = "text after the closing quote";
			return -1;
		}
	} else {
		/* Unquoted: a " #" starts a comment; trailing blanks go. */
		const char *s = p;
		while (p < end && !(*p == '#' && p > s && is_space(p[-1])))
			p++;
		const char *e = p;
		while (e > s && is_space(e[-1]))
			e--;
		buf_append(&v, s, (size_t)(e - s));
	}
	*value = buf_take(&v);
	return 1;
}

/* Read the key from a .env file; NULL when absent. */
static char *dotenv_key(const char *path, struct diag_list *diags)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno != ENOENT && diags)
			diag_add_at(diags, DIAG_WARNING, path, 0, 0, "cannot read %s: %s", path,
				    strerror(errno));
		return NULL;
	}
	struct buf text;
	buf_init(&text, DOTENV_MAX);
	char chunk[4096];
	size_t n;
	int too_big = 0;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (buf_append(&text, chunk, n) < 0) {
			too_big = 1;
			break;
		}
	int failed = ferror(f);
	fclose(f);
	if (too_big || failed) {
		if (diags)
			diag_add_at(diags, DIAG_WARNING, path, 0, 0, "cannot read %s: %s", path,
				    too_big ? "larger than 1 MiB" : "read error");
		buf_done(&text);
		return NULL;
	}
	char *key = NULL;
	const char *p = buf_str(&text), *end = p + text.len;
	if (text.len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a UTF-8 BOM some editors write */
	for (int line = 1; p < end; line++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		if (le > p && le[-1] == '\r')
			le--;
		const char *name, *why = NULL;
		size_t name_len;
		char *value = NULL;
		int rc = dotenv_line(p, le, &name, &name_len, &value, &why);
		if (rc < 0 && diags) {
			diag_add_at(diags, DIAG_WARNING, path, line, 1, "line ignored: %s", why);
		} else if (rc > 0) {
			if (name_len == strlen(KEY_NAME) && memcmp(name, KEY_NAME, name_len) == 0) {
				free(key);
				key = value;
				value = NULL;
			} else if (diags) {
				diag_add_at(diags, DIAG_WARNING, path, line, 1,
					    "%.*s ignored: a .env file supplies only " KEY_NAME
					    ", so a cloned folder's .env can never redirect the key to another host",
					    (int)name_len, name);
			}
			free(value);
		}
		p = eol ? eol + 1 : end;
	}
	buf_done(&text);
	if (key && !*key) {
		free(key);
		key = NULL;
	}
	return key;
}

enum key_source keys_find(const char *dotenv_path, char **key_out, struct diag_list *diags)
{
	*key_out = NULL;
	const char *env = getenv(KEY_NAME);
	if (env && *env) {
		*key_out = xstrdup(env);
		return KEY_ENV;
	}
	if (!dotenv_path)
		return KEY_NONE;
	char *key = dotenv_key(dotenv_path, diags);
	if (!key)
		return KEY_NONE;
	*key_out = key;
	return KEY_DOTENV;
}

int keys_is_admin(const char *key)
{
	return key && strncmp(key, "sk-ant-admin", 12) == 0;
}

static int is_key_char(char c)
{
	return c == '_' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9');
}

/* Length of "sk-ant-WORD-" at p (WORD: lowercase letters, then optional
 * digits), or 0. */
static size_t key_prefix_len(const char *p, size_t n)
{
	if (n < 7 || memcmp(p, "sk-ant-", 7) != 0)
		return 0;
	size_t i = 7;
	size_t start = i;
	while (i < n && p[i] >= 'a' && p[i] <= 'z')
		i++;
	if (i == start)
		return 0;
	while (i < n && p[i] >= '0' && p[i] <= '9')
		i++;
	if (i >= n || p[i] != '-')
		return 0;
	return i + 1;
}

char *keys_mask(const char *key)
{
	static const char ellipsis[] = "\xe2\x80\xa6"; /* U+2026 */
	if (!key)
		key = "";
	size_t n = strlen(key);
	size_t pre = key_prefix_len(key, n);
	/* Show the last four only when they are a small part of a long secret. */
	if (n - pre >= 8)
		return xasprintf("%.*s%s%s", (int)pre, key, ellipsis, key + n - 4);
	return xasprintf("%.*s%s", (int)pre, key, ellipsis);
}

int keys_find_shaped(const char *text, size_t len, size_t *off, size_t *match_len)
{
	for (size_t i = 0; i + 7 <= len; i++) {
		if (text[i] != 's')
			continue;
		size_t pre = key_prefix_len(text + i, len - i);
		if (!pre)
			continue;
		size_t j = i + pre;
		while (j < len && is_key_char(text[j]))
			j++;
		if (j - (i + pre) >= 20) {
			if (off)
				*off = i;
			if (match_len)
				*match_len = j - i;
			return 1;
		}
	}
	return 0;
}

char *keys_redact(const char *text, const char *key, const char *marker)
{
	if (!text)
		return xstrdup("");
	if (!key || !*key)
		return xstrdup(text);
	if (!marker)
		marker = "";
	struct buf out;
	buf_init(&out, 0);
	size_t klen = strlen(key);
	const char *p = text, *hit;
	while ((hit = strstr(p, key)) != NULL) {
		buf_append(&out, p, (size_t)(hit - p));
		buf_puts(&out, marker);
		p = hit + klen;
	}
	buf_puts(&out, p);
	return buf_take(&out);
}
