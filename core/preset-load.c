/* Reading a preset: YAML -> struct session with libyaml. The document is
 * composed from parser events here (not yaml_parser_load) so nesting is cut
 * off at PRESET_MAX_DEPTH the moment it is reached. API objects become
 * compact JSON text with numbers kept verbatim; every node's field path is
 * remembered with its position so later diagnostics can say FILE:LINE:COL. */
#include "core/preset.h"
#include "core/preset-private.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/file.h"
#include "core/keys.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define PRESET_MAX_VISITS 500000

/* ---------------------------------------------------------------- */
/* loading */

struct loader {
	struct preset *p;
	yaml_document_t *doc;
	const char *text;
	size_t len;
	const char *file;
	struct diag_list *diags;
	size_t visits;
	int too_big;
	size_t *line_start; /* byte offset of each line, built on first use */
	size_t nlines;
};

static void vdiag(struct loader *L, enum diag_level lv, const yaml_mark_t *m,
		  const char *path, const char *fmt, va_list ap)
{
	char msg[2048];
	vsnprintf(msg, sizeof msg, fmt, ap);
	struct diag *d = diag_add_at(L->diags, lv, L->file, m ? (int)m->line + 1 : 1,
				     m ? (int)m->column + 1 : 1, "%s", msg);
	d->path = xstrdup(path);
}

static void err_at(struct loader *L, const yaml_node_t *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void err_at(struct loader *L, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(L, DIAG_ERROR, n ? &n->start_mark : NULL, path, fmt, ap);
	va_end(ap);
}

static void warn_at(struct loader *L, const yaml_node_t *n, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void warn_at(struct loader *L, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(L, DIAG_WARNING, n ? &n->start_mark : NULL, path, fmt, ap);
	va_end(ap);
}

static yaml_node_t *node(struct loader *L, int id)
{
	return yaml_document_get_node(L->doc, id);
}

/* The byte offset of a mark (libyaml counts characters, not bytes). Line
 * starts are indexed once, so this stays cheap on big files. */
static size_t mark_byte(struct loader *L, const yaml_mark_t *m)
{
	if (!L->line_start) {
		size_t n = 1;
		for (size_t i = 0; i < L->len; i++)
			n += L->text[i] == '\n';
		L->line_start = xmalloc(n * sizeof *L->line_start);
		L->nlines = 0;
		L->line_start[L->nlines++] = 0;
		for (size_t i = 0; i < L->len; i++)
			if (L->text[i] == '\n')
				L->line_start[L->nlines++] = i + 1;
	}
	size_t i = m->line < L->nlines ? L->line_start[m->line] : L->len;
	for (size_t c = 0; i < L->len && c < m->column; c++) {
		i++;
		while (i < L->len && ((unsigned char)L->text[i] & 0xC0) == 0x80)
			i++;
	}
	return i;
}

static int starts_with_braces(struct loader *L, const yaml_node_t *n)
{
	size_t b = mark_byte(L, &n->start_mark);
	return b + 1 < L->len && L->text[b] == '{' && L->text[b + 1] == '{';
}

static const char *node_kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

/* A mapping or list where a string was expected that starts with "{{" is a
 * {{variable}} the user forgot to quote. */
static void err_type(struct loader *L, const yaml_node_t *n, const char *path, const char *expected)
{
	if (n->type != YAML_SCALAR_NODE && starts_with_braces(L, n)) {
		err_at(L, n, path,
		       "%s: a value that starts with {{ must be quoted (YAML reads {{...}} as a "
		       "mapping): write \"{{...}}\" or use a block scalar (|)", path);
		return;
	}
	err_at(L, n, path, "%s: expected %s, found %s", path, expected, node_kind_name(n));
}

enum skind { SK_STR, SK_NULL, SK_BOOL, SK_NUM };

static int is_plain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

static const char *sval(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* How a scalar resolves (YAML 1.2 core schema, numbers as JSON writes them). */
static enum skind scalar_kind(const yaml_node_t *n)
{
	if (!is_plain(n))
		return SK_STR;
	const char *t = sval(n);
	if (!*t || !strcmp(t, "~") || !strcmp(t, "null") || !strcmp(t, "Null") || !strcmp(t, "NULL"))
		return SK_NULL;
	if (!strcmp(t, "true") || !strcmp(t, "True") || !strcmp(t, "TRUE") ||
	    !strcmp(t, "false") || !strcmp(t, "False") || !strcmp(t, "FALSE"))
		return SK_BOOL;
	if (request_is_json_number(t))
		return SK_NUM;
	return SK_STR;
}

static void check_key_shaped(struct loader *L, const yaml_node_t *n, const char *path)
{
	size_t off, mlen;
	if (n->type != YAML_SCALAR_NODE)
		return;
	const char *t = sval(n);
	if (keys_find_shaped(t, n->data.scalar.length, &off, &mlen)) {
		char *k = xstrndup(t + off, mlen);
		char *m = keys_mask(k);
		warn_at(L, n, path,
			"%s: contains a key-shaped string (%s); an API key does not belong in a "
			"preset: remove it (pwb reads the key from ANTHROPIC_API_KEY or .env)",
			path, m);
		free(m);
		free(k);
	}
}

static void record(struct loader *L, const char *path, const yaml_node_t *v, const yaml_node_t *k)
{
	preset_pos_add(L->p, path, (int)v->start_mark.line + 1, (int)v->start_mark.column + 1,
		k ? (int)k->start_mark.line + 1 : 0, k ? (int)k->start_mark.column + 1 : 0);
}

/* A string field: any scalar, its text as written; NUL refused. */
static char *get_string(struct loader *L, const yaml_node_t *n, const char *path, int allow_null)
{
	if (n->type != YAML_SCALAR_NODE) {
		err_type(L, n, path, "a string");
		return NULL;
	}
	if (allow_null && scalar_kind(n) == SK_NULL)
		return NULL;
	if (strlen(sval(n)) != n->data.scalar.length) {
		err_at(L, n, path, "%s: contains a NUL character, which pwb cannot keep", path);
		return NULL;
	}
	check_key_shaped(L, n, path);
	return xstrdup(sval(n));
}

static int is_json_integer(const char *t)
{
	return request_is_json_number(t) && !strpbrk(t, ".eE");
}

/* A number field, kept as written. integer: no fraction or exponent. */
static char *get_number(struct loader *L, const yaml_node_t *n, const char *path, int integer,
			const char *range)
{
	const char *what = integer ? "an integer" : "a number";
	if (n->type != YAML_SCALAR_NODE) {
		err_at(L, n, path, "%s: expected %s (%s), found %s", path, what, range,
		       node_kind_name(n));
		return NULL;
	}
	if (scalar_kind(n) != SK_NUM || (integer && !is_json_integer(sval(n)))) {
		err_at(L, n, path, "%s: expected %s (%s), found '%s'%s", path, what, range, sval(n),
		       is_plain(n) ? "" : " (quoted: remove the quotes)");
		return NULL;
	}
	return xstrdup(sval(n));
}

static void get_strlist(struct loader *L, const yaml_node_t *n, const char *path,
			struct strlist *out)
{
	strlist_clear(out);
	if (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SK_NULL) {
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		err_type(L, n, path, "a list of strings");
		return;
	}
	out->set = 1;
	size_t i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *c = node(L, *it);
		char *p = xasprintf("%s[%zu]", path, i);
		record(L, p, c, NULL);
		char *v = get_string(L, c, p, 0);
		if (v) {
			strlist_push(out, v);
			free(v);
		}
		free(p);
	}
}

/* ---- YAML -> compact JSON, with known-field checks for API objects ---- */

enum obj {
	OBJ_ANY, OBJ_TOOL, OBJ_TOOL_CHOICE, OBJ_THINKING, OBJ_METADATA, OBJ_OUTPUT_CONFIG,
	OBJ_CACHE_CONTROL, OBJ_BLOCKS, OBJ_BLOCK, OBJ_TOOLS, OBJ_RESPONSE, OBJ_DIAGNOSTICS,
};

struct known {
	enum obj obj;
	const char *type;   /* for blocks and tools: the "type" value, NULL = none given */
	const char *fields; /* comma-separated */
};

static const struct known known_fields[] = {
	{ OBJ_TOOL, NULL, "name,description,input_schema,cache_control,strict,type,"
	  "eager_input_streaming,input_examples,defer_loading,allowed_callers" },
	{ OBJ_TOOL, "custom", "name,description,input_schema,cache_control,strict,type,"
	  "eager_input_streaming,input_examples,defer_loading,allowed_callers" },
	{ OBJ_TOOL_CHOICE, NULL, "type,name,disable_parallel_tool_use" },
	{ OBJ_THINKING, NULL, "type,budget_tokens,display" },
	{ OBJ_METADATA, NULL, "user_id" },
	{ OBJ_OUTPUT_CONFIG, NULL, "effort,format" },
	{ OBJ_CACHE_CONTROL, NULL, "type,ttl" },
	{ OBJ_DIAGNOSTICS, NULL, "previous_message_id" },
	{ OBJ_RESPONSE, NULL, "id,type,role,content,stop_reason,stop_sequence,stop_details,"
	  "usage,model,at,container,description" },
	{ OBJ_BLOCK, "text", "type,text,cache_control,citations" },
	{ OBJ_BLOCK, "image", "type,source,cache_control" },
	{ OBJ_BLOCK, "document", "type,source,title,context,citations,cache_control" },
	{ OBJ_BLOCK, "tool_use", "type,id,name,input,cache_control,caller" },
	{ OBJ_BLOCK, "tool_result", "type,tool_use_id,content,is_error,cache_control" },
	{ OBJ_BLOCK, "thinking", "type,thinking,signature" },
	{ OBJ_BLOCK, "redacted_thinking", "type,data" },
	{ OBJ_BLOCK, "search_result", "type,source,title,content,citations,cache_control" },
};

static int field_in(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *e = strchr(p, ',');
		size_t l = e ? (size_t)(e - p) : strlen(p);
		if (l == n && memcmp(p, name, n) == 0)
			return 1;
		if (!e)
			break;
		p = e + 1;
	}
	return 0;
}

/* The known-field list of a mapping, or NULL when anything goes. */
static const char *known_for(struct loader *L, enum obj obj, const yaml_node_t *map)
{
	const char *type = NULL;
	for (yaml_node_pair_t *pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		if (k->type == YAML_SCALAR_NODE && !strcmp(sval(k), "type") && v->type == YAML_SCALAR_NODE)
			type = sval(v);
	}
	for (size_t i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++) {
		const struct known *kf = &known_fields[i];
		if (kf->obj != obj)
			continue;
		if (obj == OBJ_BLOCK || obj == OBJ_TOOL) {
			if (!kf->type != !type || (type && strcmp(type, kf->type)))
				continue;
		}
		return kf->fields;
	}
	return NULL;
}

static enum obj child_obj(enum obj parent, const char *type, const char *key)
{
	if (!strcmp(key, "cache_control") &&
	    (parent == OBJ_TOOL || parent == OBJ_BLOCK))
		return OBJ_CACHE_CONTROL;
	if (parent == OBJ_RESPONSE && !strcmp(key, "content"))
		return OBJ_BLOCKS;
	if (parent == OBJ_BLOCK && type && (!strcmp(type, "tool_result") || !strcmp(type, "search_result")) &&
	    !strcmp(key, "content"))
		return OBJ_BLOCKS;
	return OBJ_ANY;
}

static void json_string(struct buf *b, const char *s, size_t n)
{
	buf_puts(b, "\"");
	for (size_t i = 0; i < n; i++) {
		/* copy a run of plain bytes at once */
		size_t j = i;
		while (j < n && (unsigned char)s[j] >= 0x20 && s[j] != '"' && s[j] != '\\')
			j++;
		if (j > i) {
			buf_append(b, s + i, j - i);
			i = j;
			if (i == n)
				break;
		}
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		case '\b': buf_puts(b, "\\b"); break;
		case '\f': buf_puts(b, "\\f"); break;
		default:
			if (c < 0x20)
				buf_printf(b, "\\u%04x", c);
			else
				buf_append(b, &s[i], 1);
		}
	}
	buf_puts(b, "\"");
}

static int to_json(struct loader *L, const yaml_node_t *n, const char *path, enum obj obj,
		   struct buf *out, int depth)
{
	if (depth > PRESET_MAX_DEPTH || ++L->visits > PRESET_MAX_VISITS) {
		if (!L->too_big)
			err_at(L, n, path, "%s: nested too deeply or too large (aliases?)", path);
		L->too_big = 1;
		return -1;
	}
	int rc = 0;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		switch (scalar_kind(n)) {
		case SK_NULL: buf_puts(out, "null"); break;
		case SK_BOOL: buf_puts(out, (sval(n)[0] == 't' || sval(n)[0] == 'T') ? "true" : "false"); break;
		case SK_NUM: buf_puts(out, sval(n)); break;
		case SK_STR:
			check_key_shaped(L, n, path);
			json_string(out, sval(n), n->data.scalar.length);
			break;
		}
		break;
	case YAML_SEQUENCE_NODE: {
		buf_puts(out, "[");
		size_t i = 0;
		enum obj item = obj == OBJ_BLOCKS ? OBJ_BLOCK : obj == OBJ_TOOLS ? OBJ_TOOL : OBJ_ANY;
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++, i++) {
			yaml_node_t *c = node(L, *it);
			char *p = xasprintf("%s[%zu]", path, i);
			record(L, p, c, NULL);
			if (i)
				buf_puts(out, ",");
			if (to_json(L, c, p, item, out, depth + 1) < 0)
				rc = -1;
			free(p);
			if (rc < 0 && L->too_big)
				break;
		}
		buf_puts(out, "]");
		break;
	}
	case YAML_MAPPING_NODE: {
		if (starts_with_braces(L, n)) {
			err_at(L, n, path,
			       "%s: a value that starts with {{ must be quoted (YAML reads {{...}} as a "
			       "mapping): write \"{{...}}\"", path);
			return -1;
		}
		const char *known = obj == OBJ_ANY ? NULL : known_for(L, obj, n);
		const char *type = NULL;
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
			if (k->type == YAML_SCALAR_NODE && !strcmp(sval(k), "type") && v->type == YAML_SCALAR_NODE)
				type = sval(v);
		}
		buf_puts(out, "{");
		int first = 1;
		for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
			if (k->type != YAML_SCALAR_NODE) {
				err_at(L, k, path, "%s: a key must be a plain string, found %s", path,
				       node_kind_name(k));
				rc = -1;
				continue;
			}
			const char *key = sval(k);
			for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++) {
				yaml_node_t *k2 = node(L, q->key);
				if (k2->type == YAML_SCALAR_NODE && !strcmp(sval(k2), key)) {
					err_at(L, k, path, "%s: duplicate key '%s' (first on line %d)", path,
					       key, (int)k2->start_mark.line + 1);
					rc = -1;
				}
			}
			char *p = *path ? xasprintf("%s.%s", path, key) : xstrdup(key);
			record(L, p, v, k);
			if (known && !field_in(known, key))
				warn_at(L, k, p, "%s: unknown field '%s' (passed to the API as is; check "
					"the spelling)", p, key);
			if (!first)
				buf_puts(out, ",");
			first = 0;
			json_string(out, key, k->data.scalar.length);
			buf_puts(out, ":");
			if (to_json(L, v, p, child_obj(obj, type, key), out, depth + 1) < 0)
				rc = -1;
			free(p);
			if (rc < 0 && L->too_big)
				break;
		}
		buf_puts(out, "}");
		break;
	}
	default:
		buf_puts(out, "null");
	}
	return rc;
}

/* Convert n to a JSON field value; NULL on error (reported). expect: 'm'
 * mapping, 's' sequence, 'S' string scalar, 0 anything. */
static char *get_json(struct loader *L, const yaml_node_t *n, const char *path, enum obj obj,
		      int expect)
{
	const char *what = expect == 'm' ? "a mapping" : expect == 's' ? "a list" :
		expect == 'S' ? "a string" : NULL;
	if ((expect == 'm' && n->type != YAML_MAPPING_NODE) ||
	    (expect == 's' && n->type != YAML_SEQUENCE_NODE) ||
	    (expect == 'S' && (n->type != YAML_SCALAR_NODE || scalar_kind(n) != SK_STR))) {
		if (n->type == YAML_SCALAR_NODE && scalar_kind(n) != SK_STR)
			err_at(L, n, path, "%s: expected %s, found '%s'", path, what, sval(n));
		else
			err_type(L, n, path, what);
		return NULL;
	}
	struct buf b;
	buf_init(&b, 0);
	if (to_json(L, n, path, obj, &b, 0) < 0) {
		buf_done(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* Content: a string, or a list of blocks (JSON). */
static void get_content(struct loader *L, const yaml_node_t *n, const char *path, char **text,
			char **blocks)
{
	*text = *blocks = NULL;
	if (n->type == YAML_SEQUENCE_NODE) {
		*blocks = get_json(L, n, path, OBJ_BLOCKS, 's');
		return;
	}
	if (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SK_NULL) {
		err_at(L, n, path, "%s: is empty (null); write the text, or \"\" for an empty string",
		       path);
		return;
	}
	if (n->type != YAML_SCALAR_NODE) {
		err_type(L, n, path, "a string or a list of content blocks");
		return;
	}
	*text = get_string(L, n, path, 0);
}

/* Evaluation rows and assertions (preset "tests:" and "assert:"): only
 * their shape is checked here; what they say is the evaluation's to check.
 * They are kept as JSON text with every node's position recorded. */

/* An assertion list: a list of mappings, each kept as JSON. */
static char *get_assert_list(struct loader *L, const yaml_node_t *n, const char *path)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		err_type(L, n, path, "a list of assertions ({type: ..., value: ...})");
		return NULL;
	}
	int ok = 1;
	size_t i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *a = node(L, *it);
		if (a->type != YAML_MAPPING_NODE) {
			char *ap = xasprintf("%s[%zu]", path, i);
			err_type(L, a, ap, "an assertion mapping ({type: ..., value: ...})");
			free(ap);
			ok = 0;
		}
	}
	return ok ? get_json(L, n, path, OBJ_ANY, 's') : NULL;
}

/* vars: a mapping of name -> string; a number or true/false is kept as the
 * text written, since variables are substituted as text. */
static int row_vars(struct loader *L, const yaml_node_t *n, const char *path, struct buf *out)
{
	if (n->type != YAML_MAPPING_NODE) {
		err_type(L, n, path, "a mapping of variable names to strings");
		return -1;
	}
	int rc = 0, first = 1;
	buf_puts(out, "{");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		if (k->type != YAML_SCALAR_NODE) {
			err_at(L, k, path, "%s: a variable name must be a string, found %s", path,
			       node_kind_name(k));
			rc = -1;
			continue;
		}
		char *vp = xasprintf("%s.%s", path, sval(k));
		record(L, vp, v, k);
		char *text = NULL;
		if (v->type == YAML_SCALAR_NODE && scalar_kind(v) == SK_NULL && is_plain(v))
			text = xstrdup(""); /* name: (empty) */
		else
			text = get_string(L, v, vp, 0);
		if (text) {
			if (!first)
				buf_puts(out, ",");
			first = 0;
			json_string(out, sval(k), k->data.scalar.length);
			buf_puts(out, ":");
			json_string(out, text, strlen(text));
		} else {
			rc = -1;
		}
		free(text);
		free(vp);
	}
	buf_puts(out, "}");
	return rc;
}

static int test_row(struct loader *L, const yaml_node_t *n, const char *path, struct buf *out)
{
	if (n->type != YAML_MAPPING_NODE) {
		err_type(L, n, path, "a test row mapping ({description, vars, assert})");
		return -1;
	}
	int rc = 0, first = 1;
	buf_puts(out, "{");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		if (k->type != YAML_SCALAR_NODE) {
			err_at(L, k, path, "%s: a key must be a plain string, found %s", path,
			       node_kind_name(k));
			rc = -1;
			continue;
		}
		const char *key = sval(k);
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < pr; q++) {
			yaml_node_t *k2 = node(L, q->key);
			if (k2->type == YAML_SCALAR_NODE && !strcmp(sval(k2), key)) {
				err_at(L, k, path, "%s: duplicate key '%s' (first on line %d)", path, key,
				       (int)k2->start_mark.line + 1);
				rc = -1;
			}
		}
		char *kp = xasprintf("%s.%s", path, key);
		record(L, kp, v, k);
		struct buf val;
		buf_init(&val, 0);
		int vrc = 0;
		if (!strcmp(key, "description")) {
			char *d = get_string(L, v, kp, 0);
			if (d)
				json_string(&val, d, strlen(d));
			else
				vrc = -1;
			free(d);
		} else if (!strcmp(key, "vars")) {
			vrc = row_vars(L, v, kp, &val);
		} else if (!strcmp(key, "assert")) {
			char *j = get_assert_list(L, v, kp);
			if (j)
				buf_puts(&val, j);
			else
				vrc = -1;
			free(j);
		} else {
			/* promptfoo rows carry more (options, metadata...): kept, not used */
			warn_at(L, k, kp, "%s: not used by pwb (known in a test row: description, vars, "
				"assert); kept as is", kp);
			vrc = to_json(L, v, kp, OBJ_ANY, &val, 2);
		}
		if (vrc == 0) {
			if (!first)
				buf_puts(out, ",");
			first = 0;
			json_string(out, key, k->data.scalar.length);
			buf_puts(out, ":");
			buf_append(out, buf_str(&val), val.len);
		} else {
			rc = -1;
		}
		buf_done(&val);
		free(kp);
	}
	buf_puts(out, "}");
	return rc;
}

/* A list of test rows as JSON; paths are PREFIX[i]... */
static char *get_rows(struct loader *L, const yaml_node_t *n, const char *prefix)
{
	struct buf b;
	buf_init(&b, 0);
	int rc = 0;
	size_t i = 0;
	buf_puts(&b, "[");
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
	     it++, i++) {
		yaml_node_t *r = node(L, *it);
		char *rp = xasprintf("%s[%zu]", prefix, i);
		record(L, rp, r, NULL);
		if (i)
			buf_puts(&b, ",");
		if (test_row(L, r, rp, &b) < 0)
			rc = -1;
		free(rp);
	}
	buf_puts(&b, "]");
	if (rc < 0) {
		buf_done(&b);
		return NULL;
	}
	return buf_take(&b);
}

/* tests: a list of rows, or a string: the path of a file of rows. */
static char *get_tests(struct loader *L, const yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SK_STR) {
		char *path = get_string(L, n, "tests", 0);
		if (!path)
			return NULL;
		struct buf b;
		buf_init(&b, 0);
		json_string(&b, path, strlen(path));
		free(path);
		return buf_take(&b);
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		err_type(L, n, "tests", "a list of test rows, or the path of a .csv, .jsonl or .yaml file "
			 "of rows");
		return NULL;
	}
	return get_rows(L, n, "tests");
}

static void load_messages(struct loader *L, const yaml_node_t *n)
{
	if (n->type != YAML_SEQUENCE_NODE) {
		err_type(L, n, "messages", "a list of {role, content} mappings");
		return;
	}
	size_t i = 0;
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	     it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t *m = node(L, *it);
		char *mp = xasprintf("messages[%zu]", i);
		record(L, mp, m, NULL);
		if (m->type != YAML_MAPPING_NODE) {
			err_type(L, m, mp, "a mapping with role and content");
			free(mp);
			continue;
		}
		char *role = NULL, *text = NULL, *blocks = NULL;
		int have_content = 0;
		for (yaml_node_pair_t *pr = m->data.mapping.pairs.start; pr < m->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
			if (k->type != YAML_SCALAR_NODE) {
				err_at(L, k, mp, "%s: a key must be a string", mp);
				continue;
			}
			char *p = xasprintf("%s.%s", mp, sval(k));
			record(L, p, v, k);
			if (!strcmp(sval(k), "role")) {
				free(role);
				role = get_string(L, v, p, 0);
			} else if (!strcmp(sval(k), "content")) {
				free(text);
				free(blocks);
				have_content = 1;
				get_content(L, v, p, &text, &blocks);
			} else {
				err_at(L, k, p, "%s: unknown field '%s' in a message (a message has "
				       "role and content)", p, sval(k));
			}
			free(p);
		}
		if (!role)
			err_at(L, m, mp, "%s: missing 'role' (user or assistant)", mp);
		if (!have_content)
			err_at(L, m, mp, "%s: missing 'content'", mp);
		if (!text && !blocks)
			text = xstrdup("");
		session_add_message(L->p->s, role ? role : "", text, blocks);
		free(role);
		free(text);
		free(blocks);
		free(mp);
	}
}

static void load_variables(struct loader *L, const yaml_node_t *n)
{
	if (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SK_NULL)
		return;
	if (n->type != YAML_MAPPING_NODE) {
		err_type(L, n, "variables", "a mapping of name: value");
		return;
	}
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		if (k->type != YAML_SCALAR_NODE) {
			err_at(L, k, "variables", "variables: a name must be a string");
			continue;
		}
		const char *name = sval(k);
		char *p = xasprintf("variables.%s", name);
		record(L, p, v, k);
		int ok = (name[0] == '_' || (name[0] >= 'A' && name[0] <= 'Z') ||
			  (name[0] >= 'a' && name[0] <= 'z'));
		for (const char *c = name; ok && *c; c++)
			ok = *c == '_' || (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
			     (*c >= '0' && *c <= '9');
		if (!ok) {
			err_at(L, k, p, "%s: '%s' is not a variable name (letters, digits and _, "
			       "not starting with a digit)", p, name);
		} else if (session_get_var(L->p->s, name)) {
			err_at(L, k, p, "%s: variable '%s' is defined twice", p, name);
		} else if (v->type == YAML_SCALAR_NODE && is_plain(v) && !*sval(v)) {
			session_set_var(L->p->s, name, "");
		} else {
			char *val = get_string(L, v, p, 0);
			if (val)
				session_set_var(L->p->s, name, val);
			free(val);
		}
		free(p);
	}
}

static void load_system(struct loader *L, const yaml_node_t *n)
{
	struct session *s = L->p->s;
	if (n->type == YAML_SEQUENCE_NODE) {
		s->system_blocks_json = get_json(L, n, "system", OBJ_BLOCKS, 's');
	} else if (n->type == YAML_SCALAR_NODE && scalar_kind(n) == SK_NULL && is_plain(n)) {
		/* system: (empty) means none */
	} else if (n->type == YAML_SCALAR_NODE) {
		s->system = get_string(L, n, "system", 0);
	} else {
		err_type(L, n, "system", "a string or a list of text blocks");
	}
}

struct top_json {
	const char *name;
	enum obj obj;
	int expect;
};

static const struct top_json top_json_fields[] = {
	{ "metadata", OBJ_METADATA, 'm' },
	{ "tools", OBJ_TOOLS, 's' },
	{ "tool_choice", OBJ_TOOL_CHOICE, 'm' },
	{ "thinking", OBJ_THINKING, 'm' },
	{ "output_config", OBJ_OUTPUT_CONFIG, 'm' },
	{ "service_tier", OBJ_ANY, 'S' },
	{ "cache_control", OBJ_CACHE_CONTROL, 'm' },
	{ "container", OBJ_ANY, 0 },
	{ "inference_geo", OBJ_ANY, 'S' },
	{ "speed", OBJ_ANY, 'S' },
	{ "diagnostics", OBJ_DIAGNOSTICS, 'm' },
};

static const char *const top_keys_hint =
	"pwb, name, description, model, api_version, betas, max_tokens, temperature, top_p, "
	"top_k, stop_sequences, metadata, tools, tool_choice, thinking, output_config, "
	"service_tier, cache_control, container, inference_geo, speed, diagnostics, system, "
	"variables, messages, assert, tests, response";

static void load_top(struct loader *L, const yaml_node_t *root)
{
	struct session *s = L->p->s;
	int have_pwb = 0;
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *k = node(L, pr->key), *v = node(L, pr->value);
		if (k->type != YAML_SCALAR_NODE) {
			err_at(L, k, NULL, "a top-level key must be a string, found %s", node_kind_name(k));
			continue;
		}
		const char *key = sval(k);
		int dup = 0;
		for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < pr; q++) {
			yaml_node_t *k2 = node(L, q->key);
			if (k2->type == YAML_SCALAR_NODE && !strcmp(sval(k2), key)) {
				err_at(L, k, key, "%s: duplicate key (first on line %d)", key,
				       (int)k2->start_mark.line + 1);
				dup = 1;
			}
		}
		if (dup)
			continue;
		record(L, key, v, k);
		if (!strcmp(key, "pwb")) {
			have_pwb = 1;
			if (v->type != YAML_SCALAR_NODE || strcmp(sval(v), "1") != 0)
				err_at(L, v, key, "pwb: unsupported format version '%s' (this pwb reads "
				       "version 1: write 'pwb: 1')",
				       v->type == YAML_SCALAR_NODE ? sval(v) : node_kind_name(v));
		} else if (!strcmp(key, "name")) {
			s->name = get_string(L, v, key, 1);
		} else if (!strcmp(key, "description")) {
			s->description = get_string(L, v, key, 1);
		} else if (!strcmp(key, "model")) {
			s->model = get_string(L, v, key, 1);
		} else if (!strcmp(key, "api_version")) {
			s->api_version = get_string(L, v, key, 1);
		} else if (!strcmp(key, "betas")) {
			get_strlist(L, v, key, &s->betas);
		} else if (!strcmp(key, "stop_sequences")) {
			get_strlist(L, v, key, &s->stop_sequences);
		} else if (!strcmp(key, "max_tokens")) {
			s->max_tokens = get_number(L, v, key, 1, "at least 1");
		} else if (!strcmp(key, "temperature")) {
			s->temperature = get_number(L, v, key, 0, "0 to 1");
		} else if (!strcmp(key, "top_p")) {
			s->top_p = get_number(L, v, key, 0, "0 to 1");
		} else if (!strcmp(key, "top_k")) {
			s->top_k = get_number(L, v, key, 1, "0 or more");
		} else if (!strcmp(key, "system")) {
			load_system(L, v);
		} else if (!strcmp(key, "variables")) {
			load_variables(L, v);
		} else if (!strcmp(key, "messages")) {
			load_messages(L, v);
		} else if (!strcmp(key, "tests")) {
			if (!(v->type == YAML_SCALAR_NODE && is_plain(v) && scalar_kind(v) == SK_NULL))
				s->tests_json = get_tests(L, v);
		} else if (!strcmp(key, "assert")) {
			if (!(v->type == YAML_SCALAR_NODE && is_plain(v) && scalar_kind(v) == SK_NULL))
				s->assert_json = get_assert_list(L, v, key);
		} else if (!strcmp(key, "response")) {
			if (v->type == YAML_SCALAR_NODE && scalar_kind(v) == SK_NULL)
				continue;
			s->response_json = get_json(L, v, key, OBJ_RESPONSE, 'm');
		} else if (!strcmp(key, "stream")) {
			err_at(L, k, key, "stream: not stored in a preset; streaming is chosen on the "
			       "command line (--no-stream) and in the TUI: remove this line");
		} else {
			size_t i;
			for (i = 0; i < sizeof top_json_fields / sizeof top_json_fields[0]; i++)
				if (!strcmp(key, top_json_fields[i].name))
					break;
			if (i == sizeof top_json_fields / sizeof top_json_fields[0]) {
				err_at(L, k, key, "unknown key '%s' (known keys: %s)", key, top_keys_hint);
				continue;
			}
			if (v->type == YAML_SCALAR_NODE && is_plain(v) && scalar_kind(v) == SK_NULL)
				continue;
			char *j = get_json(L, v, key, top_json_fields[i].obj, top_json_fields[i].expect);
			if (j)
				session_json_set(s, key, j);
			free(j);
		}
	}
	if (!have_pwb)
		diag_add_at(L->diags, DIAG_ERROR, L->file, 1, 1,
			    "missing 'pwb: 1' (the preset format version) at the top of the file")->path =
			xstrdup("pwb");
}

/* Comments: a '#' at a line start or after a blank, outside every scalar.
 * Marks count characters, so the scan tracks the character index. */
static int has_comments(struct loader *L)
{
	size_t nchars = 0;
	for (size_t i = 0; i < L->len; i++)
		nchars += ((unsigned char)L->text[i] & 0xC0) != 0x80;
	unsigned char *cover = xcalloc(nchars + 1, 1);
	for (yaml_node_t *n = L->doc->nodes.start; n < L->doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE)
			for (size_t c = n->start_mark.index; c < n->end_mark.index && c < nchars; c++)
				cover[c] = 1;
	int found = 0;
	size_t ci = 0;
	for (size_t i = 0; i < L->len && !found; i++) {
		if (((unsigned char)L->text[i] & 0xC0) == 0x80)
			continue;
		if (L->text[i] == '#' && !cover[ci] &&
		    (i == 0 || L->text[i - 1] == ' ' || L->text[i - 1] == '\t' ||
		     L->text[i - 1] == '\n' || L->text[i - 1] == '\r'))
			found = 1;
		ci++;
	}
	free(cover);
	return found;
}

/* A syntax error's hint when the line holds an unquoted {{. */
static int line_has_unquoted_braces(const char *text, size_t len, size_t line)
{
	size_t i = 0, l = 0;
	while (i < len && l < line) {
		if (text[i] == '\n')
			l++;
		i++;
	}
	for (; i < len && text[i] != '\n'; i++)
		if (text[i] == '{' && i + 1 < len && text[i + 1] == '{') {
			size_t j = i;
			while (j > 0 && text[j - 1] == ' ')
				j--;
			if (j > 0 && (text[j - 1] == ':' || text[j - 1] == '-'))
				return 1;
		}
	return 0;
}


/* Building the document from parser events. yaml_parser_load composes the
 * whole tree first, and libyaml's cost grows with the square of the depth
 * there (100,000 nested lists took 16 s); here the first node past
 * PRESET_MAX_DEPTH stops the parse, so the scanner never runs further. */
struct composer {
	yaml_parser_t parser;
	const char *problem;       /* when compose fails: why, where, and the context */
	const char *context;
	yaml_mark_t problem_mark, context_mark;
	struct anchor { char *name; int id; } *anchors;
	size_t nanchors, aanchors;
	struct frame { int id; int key; } stack[PRESET_MAX_DEPTH + 1];
	int depth;
};

static void composer_done(struct composer *C)
{
	for (size_t i = 0; i < C->nanchors; i++)
		free(C->anchors[i].name);
	free(C->anchors);
	yaml_parser_delete(&C->parser);
}

static void fail_at(struct composer *C, const char *problem, yaml_mark_t m)
{
	C->problem = problem;
	C->problem_mark = m;
	C->context = NULL;
}

static void anchor_add(struct composer *C, const yaml_char_t *name, int id)
{
	if (!name)
		return;
	if (C->nanchors == C->aanchors) {
		C->aanchors = C->aanchors ? C->aanchors * 2 : 8;
		C->anchors = xrealloc(C->anchors, C->aanchors * sizeof *C->anchors);
	}
	C->anchors[C->nanchors].name = xstrdup((const char *)name);
	C->anchors[C->nanchors++].id = id;
}

/* The node just made (or aliased) goes into the open list or mapping. */
static int attach(struct composer *C, yaml_document_t *doc, int id)
{
	if (C->depth == 0)
		return 1; /* the root: node 1 */
	struct frame *f = &C->stack[C->depth - 1];
	yaml_node_t *parent = yaml_document_get_node(doc, f->id);
	if (parent->type == YAML_SEQUENCE_NODE)
		return yaml_document_append_sequence_item(doc, f->id, id);
	if (!f->key) {
		f->key = id;
		return 1;
	}
	int ok = yaml_document_append_mapping_pair(doc, f->id, f->key, id);
	f->key = 0;
	return ok;
}

static void set_marks(yaml_document_t *doc, int id, const yaml_event_t *e)
{
	yaml_node_t *n = yaml_document_get_node(doc, id);
	n->start_mark = e->start_mark;
	n->end_mark = e->end_mark;
}

/* Compose the next document of the stream into doc, as yaml_parser_load
 * does (an empty document, no root, at the end of the stream). Returns 1,
 * or 0 with C->problem set (doc then needs no delete). */
static int compose(struct composer *C, yaml_document_t *doc)
{
	yaml_event_t e;
	int in_doc = 0, ok = 1;
	C->depth = 0;
	for (;;) {
		if (!yaml_parser_parse(&C->parser, &e)) {
			C->problem = C->parser.problem ? C->parser.problem : "error";
			C->problem_mark = C->parser.problem_mark;
			C->context = C->parser.context;
			C->context_mark = C->parser.context_mark;
			ok = 0;
			break;
		}
		int id = 0, done = 0;
		switch (e.type) {
		case YAML_STREAM_START_EVENT:
			/* nothing to build */
			break;
		case YAML_STREAM_END_EVENT:
			yaml_document_initialize(doc, NULL, NULL, NULL, 1, 1);
			doc->start_mark = doc->end_mark = e.start_mark;
			in_doc = 1;
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			yaml_document_initialize(doc, NULL, NULL, NULL, e.data.document_start.implicit, 1);
			doc->start_mark = e.start_mark;
			in_doc = 1;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc->end_mark = e.end_mark;
			done = 1;
			break;
		case YAML_SCALAR_EVENT:
			id = yaml_document_add_scalar(doc, e.data.scalar.tag, e.data.scalar.value,
						      (int)e.data.scalar.length, e.data.scalar.style);
			if (id) {
				set_marks(doc, id, &e);
				anchor_add(C, e.data.scalar.anchor, id);
				ok = attach(C, doc, id);
			}
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (C->depth >= PRESET_MAX_DEPTH) {
				fail_at(C, "nested too deeply (over " PRESET_MAX_DEPTH_TEXT " levels)",
					e.start_mark);
				ok = 0;
				break;
			}
			if (e.type == YAML_SEQUENCE_START_EVENT)
				id = yaml_document_add_sequence(doc, e.data.sequence_start.tag,
								e.data.sequence_start.style);
			else
				id = yaml_document_add_mapping(doc, e.data.mapping_start.tag,
							       e.data.mapping_start.style);
			if (id) {
				set_marks(doc, id, &e);
				anchor_add(C, e.type == YAML_SEQUENCE_START_EVENT ?
					   e.data.sequence_start.anchor : e.data.mapping_start.anchor, id);
				ok = attach(C, doc, id);
				C->stack[C->depth].id = id;
				C->stack[C->depth++].key = 0;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (C->depth > 0)
				yaml_document_get_node(doc, C->stack[--C->depth].id)->end_mark = e.end_mark;
			break;
		case YAML_ALIAS_EVENT: {
			const char *name = (const char *)e.data.alias.anchor;
			for (size_t i = C->nanchors; i-- > 0;)
				if (!strcmp(C->anchors[i].name, name)) {
					id = C->anchors[i].id;
					break;
				}
			if (!id) {
				fail_at(C, "found undefined alias", e.start_mark);
				ok = 0;
			} else {
				ok = attach(C, doc, id);
			}
			break;
		}
		default:
			break;
		}
		if (ok && (e.type == YAML_SCALAR_EVENT || e.type == YAML_SEQUENCE_START_EVENT ||
			   e.type == YAML_MAPPING_START_EVENT) && !id) {
			fail_at(C, "out of memory", e.start_mark);
			ok = 0;
		}
		if (!ok && !C->problem)
			fail_at(C, "cannot build the document", e.start_mark);
		yaml_event_delete(&e);
		if (!ok || done)
			break;
	}
	if (!ok && in_doc)
		yaml_document_delete(doc);
	return ok;
}

struct preset *preset_load_string(const char *name, const char *text, size_t len,
				  struct diag_list *diags)
{
	struct diag_list scratch;
	diag_list_init(&scratch);
	if (!diags)
		diags = &scratch;
	if (!name)
		name = "<string>";
	struct preset *p = preset_new();
	p->name = xstrdup(name);
	struct composer C = { 0 };
	yaml_document_t doc;
	yaml_parser_initialize(&C.parser);
	yaml_parser_set_input_string(&C.parser, (const unsigned char *)text, len);
	if (!compose(&C, &doc)) {
		yaml_mark_t m = C.problem_mark;
		const char *ctx = C.context;
		int hint = line_has_unquoted_braces(text, len, m.line) ||
			   (ctx && line_has_unquoted_braces(text, len, C.context_mark.line));
		diag_add_at(diags, DIAG_ERROR, name, (int)m.line + 1, (int)m.column + 1,
			    "YAML syntax: %s%s%s%s", C.problem,
			    ctx ? " (" : "", ctx ? ctx : "", ctx ? ")" : "");
		if (hint)
			diag_add_at(diags, DIAG_ERROR, name, (int)m.line + 1, (int)m.column + 1,
				    "a value that starts with {{ must be quoted (YAML reads {{...}} as "
				    "a mapping): write \"{{...}}\"");
		composer_done(&C);
		preset_free(p);
		diag_list_done(&scratch);
		return NULL;
	}
	struct loader L = { .p = p, .doc = &doc, .text = text, .len = len, .file = name,
			    .diags = diags };
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root) {
		diag_add_at(diags, DIAG_ERROR, name, 1, 1, "the file is empty; a preset starts with 'pwb: 1'");
		goto fail;
	}
	if (root->type != YAML_MAPPING_NODE) {
		diag_add_at(diags, DIAG_ERROR, name, (int)root->start_mark.line + 1,
			    (int)root->start_mark.column + 1,
			    "a preset is a mapping of keys (pwb: 1, model: ..., messages: ...), found %s",
			    node_kind_name(root));
		goto fail;
	}
	/* a second document is a mistake (a stray ---) */
	yaml_document_t extra;
	if (compose(&C, &extra)) {
		yaml_node_t *r2 = yaml_document_get_root_node(&extra);
		if (r2)
			diag_add_at(diags, DIAG_ERROR, name, (int)extra.start_mark.line + 1,
				    (int)extra.start_mark.column + 1,
				    "a second YAML document in the file (a stray '---'?): a preset is one document");
		yaml_document_delete(&extra);
	} else {
		diag_add_at(diags, DIAG_ERROR, name, (int)C.problem_mark.line + 1,
			    (int)C.problem_mark.column + 1, "YAML syntax: %s", C.problem);
	}
	load_top(&L, root);
	preset_remember_file_vars(p);
	p->had_comments = has_comments(&L);
	free(L.line_start);
	yaml_document_delete(&doc);
	composer_done(&C);
	diag_list_done(&scratch);
	return p;
fail:
	free(L.line_start);
	yaml_document_delete(&doc);
	composer_done(&C);
	preset_free(p);
	diag_list_done(&scratch);
	return NULL;
}

struct preset *preset_load_file(const char *path, struct diag_list *diags)
{
	int is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	struct buf b;
	buf_init(&b, PRESET_MAX_BYTES);
	const char *why = NULL;
	int rc = is_stdin ? file_read_fd(STDIN_FILENO, &b) : file_read_regular(path, &b, &why);
	if (rc < 0) {
		int err = errno;
		if (diags) {
			if (why)
				diag_add_at(diags, DIAG_ERROR, name, 0, 0, "cannot open: %s (a preset "
					    "is read from a regular file)", why);
			else if (err == EFBIG)
				diag_add_at(diags, DIAG_ERROR, name, 0, 0,
					    "file too large for a preset (over 64 MiB)");
			else
				diag_add_at(diags, DIAG_ERROR, name, 0, 0, "cannot open: %s",
					    strerror(err));
		}
		buf_done(&b);
		return NULL;
	}
	struct preset *p = preset_load_string(name, buf_str(&b), b.len, diags);
	if (p && !is_stdin) {
		p->path = xstrdup(path);
		free(p->s->base_dir);
		p->s->base_dir = file_dir_of(path); /* attachments are relative to it */
		p->disk_known = 1;
		p->disk_hash = preset_hash(buf_str(&b), b.len);
		p->disk_size = b.len;
	}
	buf_done(&b);
	return p;
}

struct preset *preset_load_rows(const char *path, char **rows_json, struct diag_list *diags)
{
	*rows_json = NULL;
	struct diag_list scratch;
	diag_list_init(&scratch);
	if (!diags)
		diags = &scratch;
	struct buf b;
	buf_init(&b, PRESET_MAX_BYTES);
	const char *why = NULL;
	if (file_read_regular(path, &b, &why) < 0) {
		int err = errno;
		diag_add_at(diags, DIAG_ERROR, path, 0, 0, "cannot open: %s", why ? why :
			    err == EFBIG ? "file too large (over 64 MiB)" : strerror(err));
		buf_done(&b);
		diag_list_done(&scratch);
		return NULL;
	}
	struct preset *p = preset_new();
	p->name = xstrdup(path);
	struct composer C = { 0 };
	yaml_document_t doc;
	yaml_parser_initialize(&C.parser);
	yaml_parser_set_input_string(&C.parser, (const unsigned char *)buf_str(&b), b.len);
	int ok = compose(&C, &doc);
	if (!ok) {
		diag_add_at(diags, DIAG_ERROR, path, (int)C.problem_mark.line + 1,
			    (int)C.problem_mark.column + 1, "YAML syntax: %s", C.problem);
	} else {
		struct loader L = { .p = p, .doc = &doc, .text = buf_str(&b), .len = b.len, .file = path,
				    .diags = diags };
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root || root->type != YAML_SEQUENCE_NODE) {
			diag_add_at(diags, DIAG_ERROR, path, root ? (int)root->start_mark.line + 1 : 1,
				    root ? (int)root->start_mark.column + 1 : 1,
				    "a rows file is a list of test rows ({description, vars, assert})");
			ok = 0;
		} else {
			*rows_json = get_rows(&L, root, "");
			ok = *rows_json != NULL;
		}
		free(L.line_start);
		yaml_document_delete(&doc);
	}
	composer_done(&C);
	buf_done(&b);
	diag_list_done(&scratch);
	if (!ok) {
		preset_free(p);
		return NULL;
	}
	return p;
}
