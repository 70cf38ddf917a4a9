/* Assertions in CSV cells (see core/assert-cell.h). */
#include "core/assert-cell.h"
#include "core/assert.h"
#include "core/buf.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char *json_string(const char *s)
{
	cJSON *j = cJSON_CreateString(s);
	char *t = cJSON_PrintUnformatted(j);
	char *r = xstrdup(t);
	cJSON_free(t);
	cJSON_Delete(j);
	return r;
}

static char *trimmed(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

/* A threshold: digits with optional decimals, the whole of [p, p+n). */
static int parse_number(const char *p, size_t n, double *out)
{
	size_t i = 0, digits = 0;
	while (i < n && is_digit(p[i]))
		i++, digits++;
	if (i < n && p[i] == '.') {
		i++;
		size_t frac = 0;
		while (i < n && is_digit(p[i]))
			i++, frac++;
		if (!frac)
			return 0;
	}
	if (!digits || i != n)
		return 0;
	char *t = xstrndup(p, n);
	*out = strtod(t, NULL);
	free(t);
	return 1;
}

struct assertion *assertion_from_cell(const char *cell, char **error)
{
	*error = NULL;
	char *c = trimmed(cell);
	struct assertion *a = NULL;
	if (!*c)
		goto out;
	static const char *const code_prefixes[] = {
		"javascript:", "python:", "ruby:", "fn:", "eval:", "webhook:", "file://", NULL,
	};
	for (size_t i = 0; code_prefixes[i]; i++) {
		size_t n = strlen(code_prefixes[i]);
		if (strncmp(c, code_prefixes[i], n) == 0 ||
		    (strncmp(c, "not-", 4) == 0 && strncmp(c + 4, code_prefixes[i], n) == 0)) {
			*error = xasprintf("the assertion '%.*s' asks to run code; pwb never runs "
					   "code from tests", (int)(n - (code_prefixes[i][n - 1] == ':')),
					   code_prefixes[i]);
			goto out;
		}
	}
	const char *p = c;
	int negate = 0;
	if (strncmp(p, "grade:", 6) == 0) {
		char *v = trimmed(p + 6), *vj = json_string(v);
		a = assertion_new("llm-rubric", 0, vj, 0, 0);
		free(v);
		free(vj);
		goto out;
	}
	if (strncmp(p, "not-", 4) == 0) {
		negate = 1;
		p += 4;
	}
	const char *name = p;
	while (*p && (isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
		p++;
	char *tname = xstrndup(name, (size_t)(p - name));
	enum assert_value_kind kind = ASSERT_VALUE_NONE;
	int takes_thr = 0;
	int known = assert_type_shape(tname, &kind, &takes_thr) == 0;
	int has_thr = 0;
	double thr = 0;
	if (known && *p == '(') {
		const char *close = strchr(p, ')');
		if (close && parse_number(p + 1, (size_t)(close - p - 1), &thr)) {
			has_thr = 1;
			p = close + 1;
		} else {
			known = 0;
		}
	}
	if (!known || (*p && *p != ':')) {
		free(tname);
		char *vj = json_string(c);
		a = assertion_new("equals", 0, vj, 0, 0);
		free(vj);
		goto out;
	}
	char *value = *p == ':' ? trimmed(p + 1) : NULL;
	char *vj = NULL;
	double num;
	if (value && kind == ASSERT_VALUE_LIST) {
		vj = assert_list_to_json(value, error);
		if (!vj) {
			char *e = xasprintf("%s: %s", tname, *error);
			free(*error);
			*error = e;
			free(value);
			free(tname);
			goto out;
		}
	} else if (value && kind == ASSERT_VALUE_NONE && takes_thr &&
		   parse_number(value, strlen(value), &num)) {
		if (has_thr && num != thr) {
			*error = xasprintf("%s: two different thresholds, (%g) and :%s", tname,
					   thr, value);
			free(value);
			free(tname);
			goto out;
		}
		has_thr = 1;
		thr = num;
	} else if (value && kind == ASSERT_VALUE_TOOL && value[0] == '{') {
		cJSON *j = cJSON_Parse(value);
		vj = j ? xstrdup(value) : json_string(value);
		cJSON_Delete(j);
	} else if (value) {
		vj = json_string(value);
	}
	a = assertion_new(tname, negate, vj, has_thr, thr);
	free(tname);
	free(vj);
	free(value);
out:
	free(c);
	return a;
}

