#include "core/jsonschema.h"
#include "core/buf.h"
#include "core/jsregex.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct jsonschema {
	cJSON *root;
};

/* Nesting deeper than this is refused rather than recursed into. */
#define MAX_DEPTH 128

static const char *const annotations[] = {
	"$schema", "$id", "$comment", "title", "description", "default", "examples", NULL,
};

static const char *const type_names[] = {
	"string", "number", "integer", "boolean", "object", "array", "null", NULL,
};

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

/* Append "/token" to a JSON pointer, escaping ~ and / (RFC 6901). */
static void pointer_push(struct buf *p, const char *token)
{
	buf_puts(p, "/");
	for (const char *c = token; *c; c++) {
		if (*c == '~')
			buf_puts(p, "~0");
		else if (*c == '/')
			buf_puts(p, "~1");
		else
			buf_append(p, c, 1);
	}
}

static void pointer_push_index(struct buf *p, int i)
{
	buf_printf(p, "/%d", i);
}

/* Cut the pointer back to mark bytes. */
static void pointer_pop(struct buf *p, size_t mark)
{
	p->len = mark;
	if (p->data)
		p->data[mark] = 0;
}

static const char *pointer_str(const struct buf *p)
{
	return p->len ? buf_str(p) : "/";
}

static int is_count(const cJSON *v)
{
	return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= 1e15 &&
	       floor(v->valuedouble) == v->valuedouble;
}

static int check_schema(const cJSON *s, struct buf *ptr, int depth, char **error);

static int check_subschema(const cJSON *s, struct buf *ptr, const char *key, int depth,
			   char **error)
{
	size_t mark = ptr->len;
	pointer_push(ptr, key);
	int ok = check_schema(s, ptr, depth + 1, error);
	pointer_pop(ptr, mark);
	return ok;
}

static int check_schema(const cJSON *s, struct buf *ptr, int depth, char **error)
{
	if (depth > MAX_DEPTH) {
		*error = xasprintf("%s: schema nested too deeply", pointer_str(ptr));
		return 0;
	}
	if (cJSON_IsBool(s))
		return 1;
	if (!cJSON_IsObject(s)) {
		*error = xasprintf("%s: a schema must be an object or a boolean", pointer_str(ptr));
		return 0;
	}
	for (const cJSON *k = s->child; k; k = k->next) {
		const char *name = k->string;
		const char *bad = NULL;
		if (in_list(annotations, name))
			continue;
		if (strcmp(name, "type") == 0) {
			if (cJSON_IsString(k)) {
				if (!in_list(type_names, k->valuestring))
					bad = "a type name (string, number, integer, boolean, object, array, null)";
			} else if (cJSON_IsArray(k)) {
				for (const cJSON *t = k->child; t && !bad; t = t->next)
					if (!cJSON_IsString(t) || !in_list(type_names, t->valuestring))
						bad = "a list of type names";
			} else {
				bad = "a type name or a list of them";
			}
		} else if (strcmp(name, "properties") == 0) {
			if (!cJSON_IsObject(k)) {
				bad = "an object of schemas";
			} else {
				size_t mark = ptr->len;
				pointer_push(ptr, "properties");
				for (const cJSON *p = k->child; p; p = p->next)
					if (!check_subschema(p, ptr, p->string, depth, error))
						return 0;
				pointer_pop(ptr, mark);
			}
		} else if (strcmp(name, "required") == 0) {
			if (!cJSON_IsArray(k))
				bad = "a list of property names";
			for (const cJSON *t = k->child; t && !bad; t = t->next)
				if (!cJSON_IsString(t))
					bad = "a list of property names";
		} else if (strcmp(name, "items") == 0) {
			if (cJSON_IsArray(k))
				bad = "one schema (the list form of items is not supported)";
			else if (!check_subschema(k, ptr, "items", depth, error))
				return 0;
		} else if (strcmp(name, "additionalProperties") == 0) {
			if (!check_subschema(k, ptr, "additionalProperties", depth, error))
				return 0;
		} else if (strcmp(name, "enum") == 0) {
			if (!cJSON_IsArray(k))
				bad = "a list of values";
		} else if (strcmp(name, "const") == 0) {
			continue;
		} else if (strcmp(name, "minimum") == 0 || strcmp(name, "maximum") == 0) {
			if (!cJSON_IsNumber(k))
				bad = "a number";
		} else if (strcmp(name, "minLength") == 0 || strcmp(name, "maxLength") == 0 ||
			   strcmp(name, "minItems") == 0 || strcmp(name, "maxItems") == 0 ||
			   strcmp(name, "minProperties") == 0) {
			if (!is_count(k))
				bad = "a non-negative integer";
		} else if (strcmp(name, "pattern") == 0) {
			if (!cJSON_IsString(k)) {
				bad = "a regular expression string";
			} else {
				char *msg = NULL;
				size_t off = 0;
				struct jsregex *re = jsregex_compile(k->valuestring, &msg, &off);
				if (!re) {
					*error = xasprintf("%s: pattern does not compile at offset %zu: %s",
							   pointer_str(ptr), off, msg);
					free(msg);
					return 0;
				}
				jsregex_free(re);
			}
		} else {
			*error = xasprintf("%s: unsupported JSON Schema keyword '%s'", pointer_str(ptr),
					   name);
			return 0;
		}
		if (bad) {
			*error = xasprintf("%s: '%s' must be %s", pointer_str(ptr), name, bad);
			return 0;
		}
	}
	return 1;
}

struct jsonschema *jsonschema_parse(const char *schema_json, char **error)
{
	char *msg = NULL;
	cJSON *root = cJSON_Parse(schema_json);
	if (!root) {
		msg = xstrdup("the schema is not valid JSON");
	} else {
		struct buf ptr;
		buf_init(&ptr, 0);
		check_schema(root, &ptr, 0, &msg);
		buf_done(&ptr);
	}
	if (msg) {
		cJSON_Delete(root);
		if (error)
			*error = msg;
		else
			free(msg);
		return NULL;
	}
	struct jsonschema *s = xmalloc(sizeof *s);
	s->root = root;
	return s;
}

static const char *type_of(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsArray(v))
		return "array";
	return "null";
}

static int has_type(const cJSON *v, const char *t)
{
	if (strcmp(t, "integer") == 0)
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
		       floor(v->valuedouble) == v->valuedouble;
	return strcmp(t, type_of(v)) == 0;
}

static size_t code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static long count(const cJSON *k)
{
	return (long)k->valuedouble;
}

/* Validation failures go to *error as "POINTER: message". */
static int fail(char **error, const struct buf *ptr, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(char **error, const struct buf *ptr, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *m = xvasprintf(fmt, ap);
	va_end(ap);
	*error = xasprintf("%s: %s", pointer_str(ptr), m);
	free(m);
	return 0;
}

static int validate(const cJSON *s, const cJSON *v, struct buf *ptr, int depth, char **error);

static int validate_child(const cJSON *s, const cJSON *v, struct buf *ptr, const char *key,
			  int index, int depth, char **error)
{
	size_t mark = ptr->len;
	if (key)
		pointer_push(ptr, key);
	else
		pointer_push_index(ptr, index);
	int ok = validate(s, v, ptr, depth + 1, error);
	if (ok)
		pointer_pop(ptr, mark);
	return ok;
}

static int validate(const cJSON *s, const cJSON *v, struct buf *ptr, int depth, char **error)
{
	if (depth > MAX_DEPTH)
		return fail(error, ptr, "value nested too deeply");
	if (cJSON_IsBool(s)) {
		if (cJSON_IsTrue(s))
			return 1;
		return fail(error, ptr, "no value is allowed here (the schema is false)");
	}
	const cJSON *k;
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "type"))) {
		int ok = 0;
		if (cJSON_IsString(k))
			ok = has_type(v, k->valuestring);
		for (const cJSON *t = cJSON_IsArray(k) ? k->child : NULL; t && !ok; t = t->next)
			ok = has_type(v, t->valuestring);
		if (!ok) {
			char *want = cJSON_IsString(k) ? xstrdup(k->valuestring)
						       : cJSON_PrintUnformatted(k);
			char *m = xasprintf("expected type %s, found %s", want, type_of(v));
			*error = xasprintf("%s: %s", pointer_str(ptr), m);
			free(m);
			free(want);
			return 0;
		}
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
		int ok = 0;
		for (const cJSON *e = k->child; e && !ok; e = e->next)
			ok = cJSON_Compare(e, v, 1);
		if (!ok) {
			char *want = cJSON_PrintUnformatted(k);
			fail(error, ptr, "expected one of %s, found %s", want, type_of(v));
			free(want);
			return 0;
		}
	}
	if ((k = cJSON_GetObjectItemCaseSensitive(s, "const")) && !cJSON_Compare(k, v, 1)) {
		char *want = cJSON_PrintUnformatted(k);
		fail(error, ptr, "expected the constant %s", want);
		free(want);
		return 0;
	}
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minimum")) && d < k->valuedouble) {
			return fail(error, ptr, "%g is less than the minimum %g", d, k->valuedouble);
		}
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "maximum")) && d > k->valuedouble) {
			return fail(error, ptr, "%g is more than the maximum %g", d, k->valuedouble);
		}
	}
	if (cJSON_IsString(v)) {
		long n = (long)code_points(v->valuestring);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minLength")) && n < count(k))
			return fail(error, ptr, "string of %ld code points is shorter than minLength %ld", n, count(k));
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxLength")) && n > count(k))
			return fail(error, ptr, "string of %ld code points is longer than maxLength %ld", n, count(k));
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "pattern"))) {
			struct jsregex *re = jsregex_compile(k->valuestring, NULL, NULL);
			int m = re ? jsregex_search(re, v->valuestring, strlen(v->valuestring), NULL)
				   : 0;
			jsregex_free(re);
			if (m != 1)
				return fail(error, ptr, "string does not match the pattern %s",
					    k->valuestring);
		}
	}
	if (cJSON_IsArray(v)) {
		long n = (long)cJSON_GetArraySize(v);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minItems")) && n < count(k))
			return fail(error, ptr, "array of %ld items has fewer than minItems %ld", n,
				    count(k));
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "maxItems")) && n > count(k))
			return fail(error, ptr, "array of %ld items has more than maxItems %ld", n,
				    count(k));
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "items"))) {
			int i = 0;
			for (const cJSON *e = v->child; e; e = e->next, i++)
				if (!validate_child(k, e, ptr, NULL, i, depth, error))
					return 0;
		}
	}
	if (cJSON_IsObject(v)) {
		long n = (long)cJSON_GetArraySize(v);
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "minProperties")) && n < count(k))
			return fail(error, ptr, "object of %ld properties has fewer than minProperties %ld",
				    n, count(k));
		if ((k = cJSON_GetObjectItemCaseSensitive(s, "required"))) {
			for (const cJSON *r = k->child; r; r = r->next)
				if (!cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
					return fail(error, ptr, "missing required property '%s'",
						    r->valuestring);
		}
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
		const cJSON *extra = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
		for (const cJSON *m = v->child; m; m = m->next) {
			const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string)
						: NULL;
			if (ps) {
				if (!validate_child(ps, m, ptr, m->string, 0, depth, error))
					return 0;
			} else if (cJSON_IsFalse(extra)) {
				return fail(error, ptr, "property '%s' is not allowed "
					    "(additionalProperties is false)", m->string);
			} else if (extra && !cJSON_IsBool(extra)) {
				if (!validate_child(extra, m, ptr, m->string, 0, depth, error))
					return 0;
			}
		}
	}
	return 1;
}

int jsonschema_validate(const struct jsonschema *s, const char *json, size_t len, char **error)
{
	char *msg = NULL;
	cJSON *v = cJSON_ParseWithLength(json, len);
	int ok = 0;
	if (!v) {
		msg = xstrdup("not valid JSON");
	} else {
		struct buf ptr;
		buf_init(&ptr, 0);
		ok = validate(s->root, v, &ptr, 0, &msg);
		buf_done(&ptr);
		cJSON_Delete(v);
	}
	if (error)
		*error = msg;
	else
		free(msg);
	return ok;
}

void jsonschema_free(struct jsonschema *s)
{
	if (!s)
		return;
	cJSON_Delete(s->root);
	free(s);
}
