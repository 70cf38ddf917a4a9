#include "core/vars.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/session.h"
#include "core/util.h"

#include <string.h>

static int name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static int name_char(char c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* At p (pointing at "{{"), match a variable reference. On success returns the
 * length of the whole reference and sets the name span. */
static size_t match_ref(const char *p, const char **name, size_t *name_len)
{
	const char *q = p + 2;
	while (*q == ' ')
		q++;
	if (!name_start(*q))
		return 0;
	const char *n = q;
	while (name_char(*q))
		q++;
	size_t nl = (size_t)(q - n);
	while (*q == ' ')
		q++;
	if (q[0] != '}' || q[1] != '}')
		return 0;
	*name = n;
	*name_len = nl;
	return (size_t)(q + 2 - p);
}

size_t vars_scan(const char *text, void (*fn)(void *ud, const char *name, size_t len,
					      size_t offset), void *ud)
{
	size_t count = 0;
	for (const char *p = text; *p; p++) {
		if (p[0] == '\\' && p[1] == '{' && p[2] == '{') {
			p += 2;
			continue;
		}
		if (p[0] != '{' || p[1] != '{')
			continue;
		const char *name;
		size_t nl, len = match_ref(p, &name, &nl);
		if (!len)
			continue;
		count++;
		if (fn)
			fn(ud, name, nl, (size_t)(p - text));
		p += len - 1;
	}
	return count;
}

int vars_present(const char *text)
{
	if (!text)
		return 0;
	if (strstr(text, "\\{{"))
		return 1;
	return vars_scan(text, NULL, NULL) > 0;
}

char *vars_expand(const struct session *s, const char *text, const char *path,
		  struct diag_list *diags, unsigned char *used)
{
	struct buf out;
	buf_init(&out, 0);
	const char *p = text, *lit = text;
	while (*p) {
		if (p[0] == '\\' && p[1] == '{' && p[2] == '{') {
			buf_append(&out, lit, (size_t)(p - lit));
			buf_puts(&out, "{{");
			p += 3;
			lit = p;
			continue;
		}
		const char *name;
		size_t nl, len;
		if (p[0] == '{' && p[1] == '{' && (len = match_ref(p, &name, &nl))) {
			buf_append(&out, lit, (size_t)(p - lit));
			size_t i;
			for (i = 0; i < s->nvars; i++)
				if (strlen(s->vars[i].name) == nl &&
				    memcmp(s->vars[i].name, name, nl) == 0)
					break;
			if (i < s->nvars) {
				buf_puts(&out, s->vars[i].value);
				if (used)
					used[i] = 1;
			} else {
				if (diags)
					diag_add(diags, DIAG_ERROR, path,
						 "undefined variable '%.*s' used in %s; define it under "
						 "'variables:' or pass -s %.*s=VALUE",
						 (int)nl, name, path ? path : "text", (int)nl, name);
				buf_append(&out, p, len);
			}
			p += len;
			lit = p;
			continue;
		}
		p++;
	}
	buf_append(&out, lit, (size_t)(p - lit));
	return buf_take(&out);
}
