/* Presets: YAML <-> struct session with libyaml (document API for reading,
 * event API for writing). API objects become compact JSON text with numbers
 * kept verbatim; every node's field path is remembered with its position so
 * later diagnostics can say FILE:LINE:COL. */
#include "core/preset.h"
#include "core/buf.h"
#include "core/diag.h"
#include "core/keys.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"
#include "core/validate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#define PRESET_MAX_BYTES (64u << 20)
#define PRESET_MAX_DEPTH 200
#define PRESET_MAX_VISITS 500000

struct pos {
	char *path;
	int line, col;   /* the value */
	int kline, kcol; /* its key, when it has one (else = value) */
};

struct preset {
	struct session *s;
	char *path;    /* file path; NULL for a new preset or stdin */
	char *name;    /* name in diagnostics */
	int had_comments;
	struct pos *pos;
	size_t npos, apos;
	struct session *file_vars; /* holds only the variables the file has */
	int disk_known;          /* the file existed when loaded or last saved */
	uint64_t disk_hash;      /* FNV-1a of its bytes then */
	size_t disk_size;
};

/* ---------------------------------------------------------------- */
/* small helpers */

static uint64_t fnv1a(const char *p, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void pos_add(struct preset *p, const char *path, int line, int col, int kline, int kcol)
{
	if (p->npos == p->apos) {
		p->apos = p->apos ? p->apos * 2 : 64;
		p->pos = xrealloc(p->pos, p->apos * sizeof *p->pos);
	}
	struct pos *e = &p->pos[p->npos++];
	e->path = xstrdup(path);
	e->line = line;
	e->col = col;
	e->kline = kline ? kline : line;
	e->kcol = kline ? kcol : col;
}

static void pos_clear(struct preset *p)
{
	for (size_t i = 0; i < p->npos; i++)
		free(p->pos[i].path);
	free(p->pos);
	p->pos = NULL;
	p->npos = p->apos = 0;
}

/* Position of path, or of its nearest known parent ("a.b[2].c" -> "a.b[2]"
 * -> "a.b" -> "a"); the document start when nothing matches. */
static int pos_locate(void *ud, const char *path, int key, int *line, int *col)
{
	struct preset *p = ud;
	char *q = xstrdup(path ? path : "");
	int found = 0;
	while (*q) {
		for (size_t i = 0; i < p->npos; i++)
			if (strcmp(p->pos[i].path, q) == 0) {
				*line = key ? p->pos[i].kline : p->pos[i].line;
				*col = key ? p->pos[i].kcol : p->pos[i].col;
				found = 1;
				break;
			}
		if (found)
			break;
		/* a parent reached this way is the container: its key is better */
		key = 1;
		char *dot = strrchr(q, '.'), *br = strrchr(q, '[');
		char *cut = dot > br ? dot : br;
		if (!cut)
			break;
		*cut = '\0';
	}
	free(q);
	if (!found) {
		*line = 1;
		*col = 1;
	}
	return found;
}

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
	pos_add(L->p, path, (int)v->start_mark.line + 1, (int)v->start_mark.column + 1,
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
	"variables, messages, response";

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

struct preset *preset_new(void)
{
	struct preset *p = xcalloc(1, sizeof *p);
	p->s = session_new();
	return p;
}

/* dst's variables become a copy of src's. */
static void copy_vars(struct session *dst, const struct session *src)
{
	while (dst->nvars)
		session_remove_var(dst, dst->vars[dst->nvars - 1].name);
	for (size_t i = 0; src && i < src->nvars; i++)
		session_set_var(dst, src->vars[i].name, src->vars[i].value);
}

static void remember_file_vars(struct preset *p)
{
	if (!p->file_vars)
		p->file_vars = session_new();
	copy_vars(p->file_vars, p->s);
}

void preset_restore_file_vars(struct preset *p)
{
	if (p->file_vars) /* a new preset has no file to go back to */
		copy_vars(p->s, p->file_vars);
}

void preset_free(struct preset *p)
{
	if (!p)
		return;
	session_free(p->s);
	session_free(p->file_vars);
	free(p->path);
	free(p->name);
	pos_clear(p);
	free(p);
}

struct session *preset_session(struct preset *p)
{
	return p->s;
}

const char *preset_path(const struct preset *p)
{
	return p->path;
}

int preset_had_comments(const struct preset *p)
{
	return p->had_comments;
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
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_mark_t m = parser.problem_mark;
		const char *ctx = parser.context;
		int hint = line_has_unquoted_braces(text, len, m.line) ||
			   (ctx && line_has_unquoted_braces(text, len, parser.context_mark.line));
		diag_add_at(diags, DIAG_ERROR, name, (int)m.line + 1, (int)m.column + 1,
			    "YAML syntax: %s%s%s%s", parser.problem ? parser.problem : "error",
			    ctx ? " (" : "", ctx ? ctx : "", ctx ? ")" : "");
		if (hint)
			diag_add_at(diags, DIAG_ERROR, name, (int)m.line + 1, (int)m.column + 1,
				    "a value that starts with {{ must be quoted (YAML reads {{...}} as "
				    "a mapping): write \"{{...}}\"");
		yaml_parser_delete(&parser);
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
	if (yaml_parser_load(&parser, &extra)) {
		yaml_node_t *r2 = yaml_document_get_root_node(&extra);
		if (r2)
			diag_add_at(diags, DIAG_ERROR, name, (int)extra.start_mark.line + 1,
				    (int)extra.start_mark.column + 1,
				    "a second YAML document in the file (a stray '---'?): a preset is one document");
		yaml_document_delete(&extra);
	} else {
		diag_add_at(diags, DIAG_ERROR, name, (int)parser.problem_mark.line + 1,
			    (int)parser.problem_mark.column + 1, "YAML syntax: %s",
			    parser.problem ? parser.problem : "error");
	}
	load_top(&L, root);
	remember_file_vars(p);
	p->had_comments = has_comments(&L);
	free(L.line_start);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	diag_list_done(&scratch);
	return p;
fail:
	free(L.line_start);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	preset_free(p);
	diag_list_done(&scratch);
	return NULL;
}

static int read_all(FILE *f, struct buf *b)
{
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		if (buf_append(b, tmp, n) < 0)
			return -2;
	return ferror(f) ? -1 : 0;
}

struct preset *preset_load_file(const char *path, struct diag_list *diags)
{
	int is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		if (diags)
			diag_add_at(diags, DIAG_ERROR, name, 0, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b, PRESET_MAX_BYTES);
	int rc = read_all(f, &b);
	int err = errno;
	if (!is_stdin)
		fclose(f);
	if (rc < 0) {
		if (diags)
			diag_add_at(diags, DIAG_ERROR, name, 0, 0, "%s",
				    rc == -2 ? "file too large for a preset (over 64 MiB)" : strerror(err));
		buf_done(&b);
		return NULL;
	}
	struct preset *p = preset_load_string(name, buf_str(&b), b.len, diags);
	if (p && !is_stdin) {
		p->path = xstrdup(path);
		p->disk_known = 1;
		p->disk_hash = fnv1a(buf_str(&b), b.len);
		p->disk_size = b.len;
	}
	buf_done(&b);
	return p;
}

/* ---------------------------------------------------------------- */
/* validation */

void preset_validate(struct preset *p, struct diag_list *diags)
{
	validate_run(p->s, p->name, pos_locate, p, diags);
}

void session_validate(const struct session *s, struct diag_list *diags)
{
	validate_run(s, NULL, NULL, NULL, diags);
}

/* ---------------------------------------------------------------- */
/* emitting */

struct emit {
	yaml_emitter_t em;
	struct buf *out;
	int failed;
	int dry;     /* only check the JSON: no events reach the emitter */
	int lenient; /* a field that is not valid JSON is written as a string */
};

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	struct buf *b = data;
	buf_append(b, buffer, size);
	return 1;
}

static void ev(struct emit *E, yaml_event_t *e)
{
	if (E->failed || E->dry) {
		yaml_event_delete(e);
		return;
	}
	if (!yaml_emitter_emit(&E->em, e))
		E->failed = 1;
}

static int word_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return 1;
	return 0;
}

/* 1 when a YAML reader (1.1 or 1.2) could take the plain form of s for
 * something other than a string: null, bool, number, date, .inf... */
static int looks_non_string(const char *s, size_t len)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No",
		"NO", "true", "True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off",
		"Off", "OFF", ".inf", ".Inf", ".INF", "-.inf", "-.Inf", "-.INF", "+.inf", ".nan",
		".NaN", ".NAN", "<<", "=", NULL,
	};
	if (len == 0)
		return 1;
	if (strlen(s) != len)
		return 1;
	if (word_in(s, words))
		return 1;
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (*p == '.')
		p++;
	if (!(*p >= '0' && *p <= '9'))
		return 0;
	for (p = s; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      strchr("+-._:", *p)))
			return 0;
	return 1;
}

static void emit_scalar(struct emit *E, const char *s, size_t len, yaml_scalar_style_t style,
			int plain_implicit)
{
	yaml_event_t e;
	if (!yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)s, (int)len, plain_implicit,
					  1, style)) {
		E->failed = 1; /* not UTF-8 (checked before), or out of memory */
		return;
	}
	ev(E, &e);
}

/* Length of the valid UTF-8 sequence at s (1-4), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 :
		     (c & 0xF8) == 0xF0 ? 4 : 0;
	if (!len || len > n)
		return 0;
	unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000))
		return 0;
	return len;
}

static int utf8_valid(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t l = utf8_seq((const unsigned char *)s + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

static void emit_str_n(struct emit *E, const char *s, size_t len)
{
	if (!utf8_valid(s, len)) {
		if (!E->lenient) {
			E->failed = 1;
			return;
		}
		/* preset_emit: each bad byte becomes U+FFFD rather than lose the text */
		struct buf fixed;
		buf_init(&fixed, 0);
		for (size_t i = 0; i < len;) {
			size_t l = utf8_seq((const unsigned char *)s + i, len - i);
			if (l) {
				buf_append(&fixed, s + i, l);
				i += l;
			} else {
				buf_puts(&fixed, "\xef\xbf\xbd");
				i++;
			}
		}
		emit_str_n(E, buf_str(&fixed), fixed.len);
		buf_done(&fixed);
		return;
	}
	yaml_scalar_style_t st = YAML_ANY_SCALAR_STYLE;
	if (looks_non_string(s, len))
		st = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	else if (memchr(s, '\r', len))
		st = YAML_DOUBLE_QUOTED_SCALAR_STYLE; /* a block would turn CRLF into LF */
	else if (memchr(s, '\n', len))
		st = YAML_LITERAL_SCALAR_STYLE;       /* libyaml falls back to "..." when needed */
	emit_scalar(E, s, len, st, st == YAML_ANY_SCALAR_STYLE);
}

static void emit_str(struct emit *E, const char *s)
{
	emit_str_n(E, s, strlen(s));
}

static void emit_plain(struct emit *E, const char *s)
{
	emit_scalar(E, s, strlen(s), YAML_PLAIN_SCALAR_STYLE, 1);
}

static void map_start(struct emit *E)
{
	yaml_event_t e;
	yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
	ev(E, &e);
}

static void map_end(struct emit *E)
{
	yaml_event_t e;
	yaml_mapping_end_event_initialize(&e);
	ev(E, &e);
}

static void seq_start(struct emit *E)
{
	yaml_event_t e;
	yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
	ev(E, &e);
}

static void seq_end(struct emit *E)
{
	yaml_event_t e;
	yaml_sequence_end_event_initialize(&e);
	ev(E, &e);
}

/* A tiny JSON reader that emits YAML events directly, so numbers keep the
 * exact text they have in the session. Returns 0, or -1 on bad JSON. */
static void jskip(const char **pp)
{
	while (**pp == ' ' || **pp == '\t' || **pp == '\n' || **pp == '\r')
		(*pp)++;
}

static int hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		v <<= 4;
		if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
		else return -1;
	}
	*out = v;
	return 0;
}

static void put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;
	if (cp < 0x80) { u[0] = (char)cp; n = 1; }
	else if (cp < 0x800) { u[0] = (char)(0xC0 | (cp >> 6)); u[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
	else if (cp < 0x10000) { u[0] = (char)(0xE0 | (cp >> 12)); u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F)); n = 3; }
	else { u[0] = (char)(0xF0 | (cp >> 18)); u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); u[3] = (char)(0x80 | (cp & 0x3F)); n = 4; }
	buf_append(b, u, n);
}

static int jstring(const char **pp, struct buf *b)
{
	const char *p = *pp;
	if (*p != '"')
		return -1;
	p++;
	while (*p != '"') {
		if (!*p)
			return -1;
		if (*p != '\\') {
			const char *q = p;
			while (*q && *q != '"' && *q != '\\')
				q++;
			buf_append(b, p, (size_t)(q - p));
			p = q;
			continue;
		}
		p++;
		switch (*p) {
		case '"': buf_puts(b, "\""); break;
		case '\\': buf_puts(b, "\\"); break;
		case '/': buf_puts(b, "/"); break;
		case 'b': buf_puts(b, "\b"); break;
		case 'f': buf_puts(b, "\f"); break;
		case 'n': buf_puts(b, "\n"); break;
		case 'r': buf_puts(b, "\r"); break;
		case 't': buf_puts(b, "\t"); break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(p + 1, &cp) < 0)
				return -1;
			p += 4;
			if (cp >= 0xD800 && cp < 0xDC00 && p[1] == '\\' && p[2] == 'u' &&
			    hex4(p + 3, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				p += 6;
			}
			if (cp == 0) {
				buf_append(b, "", 1);
				break;
			}
			put_utf8(b, cp);
			break;
		}
		default:
			return -1;
		}
		p++;
	}
	*pp = p + 1;
	return 0;
}

static int jvalue(struct emit *E, const char **pp, int depth)
{
	if (depth > PRESET_MAX_DEPTH)
		return -1;
	jskip(pp);
	const char *p = *pp;
	if (*p == '{') {
		(*pp)++;
		map_start(E);
		jskip(pp);
		if (**pp == '}') {
			(*pp)++;
			map_end(E);
			return 0;
		}
		for (;;) {
			jskip(pp);
			struct buf k;
			buf_init(&k, 0);
			if (jstring(pp, &k) < 0) {
				buf_done(&k);
				return -1;
			}
			emit_str_n(E, buf_str(&k), k.len);
			buf_done(&k);
			jskip(pp);
			if (**pp != ':')
				return -1;
			(*pp)++;
			if (jvalue(E, pp, depth + 1) < 0)
				return -1;
			jskip(pp);
			if (**pp == ',') {
				(*pp)++;
				continue;
			}
			if (**pp == '}') {
				(*pp)++;
				map_end(E);
				return 0;
			}
			return -1;
		}
	}
	if (*p == '[') {
		(*pp)++;
		seq_start(E);
		jskip(pp);
		if (**pp == ']') {
			(*pp)++;
			seq_end(E);
			return 0;
		}
		for (;;) {
			if (jvalue(E, pp, depth + 1) < 0)
				return -1;
			jskip(pp);
			if (**pp == ',') {
				(*pp)++;
				continue;
			}
			if (**pp == ']') {
				(*pp)++;
				seq_end(E);
				return 0;
			}
			return -1;
		}
	}
	if (*p == '"') {
		struct buf s;
		buf_init(&s, 0);
		if (jstring(pp, &s) < 0) {
			buf_done(&s);
			return -1;
		}
		emit_str_n(E, buf_str(&s), s.len);
		buf_done(&s);
		return 0;
	}
	static const char *const words[] = { "true", "false", "null" };
	for (int i = 0; i < 3; i++)
		if (!strncmp(p, words[i], strlen(words[i]))) {
			*pp += strlen(words[i]);
			emit_plain(E, words[i]);
			return 0;
		}
	const char *q = p;
	while (*q && strchr("+-0123456789.eE", *q))
		q++;
	if (q == p)
		return -1;
	char *num = xstrndup(p, (size_t)(q - p));
	int ok = request_is_json_number(num);
	if (ok)
		emit_plain(E, num);
	free(num);
	*pp = q;
	return ok ? 0 : -1;
}

static int emit_json(struct emit *E, const char *json)
{
	const char *p = json;
	if (jvalue(E, &p, 0) < 0)
		return -1;
	jskip(&p);
	return *p ? -1 : 0;
}

static void kv_str(struct emit *E, const char *key, const char *val)
{
	if (!val)
		return;
	emit_plain(E, key);
	emit_str(E, val);
}

static void kv_num(struct emit *E, const char *key, const char *val)
{
	if (!val)
		return;
	emit_plain(E, key);
	if (request_is_json_number(val))
		emit_plain(E, val);
	else
		emit_str(E, val); /* not a number: kept as text so nothing is lost */
}

static void kv_list(struct emit *E, const char *key, const struct strlist *l)
{
	if (!l->set)
		return;
	emit_plain(E, key);
	seq_start(E);
	for (size_t i = 0; i < l->n; i++)
		emit_str(E, l->v[i]);
	seq_end(E);
}

/* Checked before anything is emitted, so a bad field never leaves the
 * emitter half-way through a mapping. */
static int json_ok(const char *json)
{
	struct emit dry = { .dry = 1 };
	return emit_json(&dry, json) == 0;
}

static int kv_json(struct emit *E, const char *key, const char *json)
{
	if (!json)
		return 0;
	if (!json_ok(json)) {
		if (E->lenient)
			kv_str(E, key, json); /* keep the text rather than lose it */
		return -1;
	}
	emit_plain(E, key);
	return emit_json(E, json);
}

/* Canonical order of the top-level keys. */
static const char *const json_order[] = {
	"thinking", "output_config", "service_tier", "speed", "inference_geo", "container",
	"metadata", "diagnostics", "cache_control", "tools", "tool_choice", NULL,
};

static char *emit_session(const struct session *s, char **bad_field)
{
	struct buf out;
	buf_init(&out, 0);
	struct emit E = { .out = &out, .lenient = !bad_field };
	yaml_event_t e;
	yaml_emitter_initialize(&E.em);
	yaml_emitter_set_output(&E.em, write_handler, &out);
	yaml_emitter_set_unicode(&E.em, 1);
	yaml_emitter_set_width(&E.em, -1);
	yaml_emitter_set_indent(&E.em, 2);
	yaml_emitter_set_break(&E.em, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
	ev(&E, &e);
	yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1);
	ev(&E, &e);
	map_start(&E);
	const char *bad = NULL;

	emit_plain(&E, "pwb");
	emit_plain(&E, "1");
	kv_str(&E, "name", s->name);
	kv_str(&E, "description", s->description);
	kv_str(&E, "model", s->model);
	kv_str(&E, "api_version", s->api_version);
	kv_list(&E, "betas", &s->betas);
	kv_num(&E, "max_tokens", s->max_tokens);
	kv_num(&E, "temperature", s->temperature);
	kv_num(&E, "top_p", s->top_p);
	kv_num(&E, "top_k", s->top_k);
	kv_list(&E, "stop_sequences", &s->stop_sequences);
	for (const char *const *f = json_order; *f; f++)
		if (kv_json(&E, *f, session_json_get(s, *f)) < 0 && !bad)
			bad = *f;
	if (s->system_blocks_json) {
		if (kv_json(&E, "system", s->system_blocks_json) < 0 && !bad)
			bad = "system";
	} else {
		kv_str(&E, "system", s->system);
	}
	if (s->nvars) {
		emit_plain(&E, "variables");
		map_start(&E);
		for (size_t i = 0; i < s->nvars; i++) {
			emit_str(&E, s->vars[i].name);
			emit_str(&E, s->vars[i].value);
		}
		map_end(&E);
	}
	if (s->nmessages) {
		emit_plain(&E, "messages");
		seq_start(&E);
		for (size_t i = 0; i < s->nmessages; i++) {
			const struct session_message *m = &s->messages[i];
			map_start(&E);
			kv_str(&E, "role", m->role ? m->role : "");
			if (m->blocks_json) {
				if (kv_json(&E, "content", m->blocks_json) < 0 && !bad)
					bad = "messages";
			} else {
				kv_str(&E, "content", m->text ? m->text : "");
			}
			map_end(&E);
		}
		seq_end(&E);
	}
	if (s->response_json && kv_json(&E, "response", s->response_json) < 0 && !bad)
		bad = "response";
	map_end(&E);
	yaml_document_end_event_initialize(&e, 1);
	ev(&E, &e);
	yaml_stream_end_event_initialize(&e);
	ev(&E, &e);
	yaml_emitter_flush(&E.em);
	int failed = E.failed;
	yaml_emitter_delete(&E.em);
	if (failed || (bad && bad_field)) {
		if (bad_field)
			*bad_field = xstrdup(bad ? bad : "(emitter)");
		buf_done(&out);
		return NULL;
	}
	return buf_take(&out);
}

char *preset_emit(const struct session *s)
{
	return emit_session(s, NULL);
}

/* ---------------------------------------------------------------- */
/* saving */

/* Call fn(path, text) for every string the session holds; stops when fn
 * returns nonzero and returns that. */
static int session_walk(const struct session *s, int (*fn)(void *ud, const char *path,
							   const char *text), void *ud)
{
	int r;
#define W(path, text) do { if ((text) && (r = fn(ud, (path), (text))) != 0) return r; } while (0)
	W("name", s->name);
	W("description", s->description);
	W("model", s->model);
	W("api_version", s->api_version);
	char tmp[64];
	for (size_t i = 0; i < s->betas.n; i++) {
		snprintf(tmp, sizeof tmp, "betas[%zu]", i);
		W(tmp, s->betas.v[i]);
	}
	for (size_t i = 0; i < s->stop_sequences.n; i++) {
		snprintf(tmp, sizeof tmp, "stop_sequences[%zu]", i);
		W(tmp, s->stop_sequences.v[i]);
	}
	W("system", s->system);
	W("system", s->system_blocks_json);
	for (const char *const *f = session_json_field_names; *f; f++)
		W(*f, session_json_get(s, *f));
	for (size_t i = 0; i < s->nvars; i++) {
		char *p = xasprintf("variables.%s", s->vars[i].name);
		r = fn(ud, p, s->vars[i].value);
		free(p);
		if (r)
			return r;
	}
	for (size_t i = 0; i < s->nmessages; i++) {
		snprintf(tmp, sizeof tmp, "messages[%zu].content", i);
		W(tmp, s->messages[i].text);
		W(tmp, s->messages[i].blocks_json);
	}
	W("response", s->response_json);
#undef W
	return 0;
}

struct found {
	const char *secret;
	char *path;
	char *masked;
};

static int find_secret(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	if (strstr(text, f->secret)) {
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static int find_shaped(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	size_t off, len;
	if (keys_find_shaped(text, strlen(text), &off, &len)) {
		char *k = xstrndup(text + off, len);
		f->masked = keys_mask(k);
		free(k);
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static int find_bad_utf8(void *ud, const char *path, const char *text)
{
	struct found *f = ud;
	if (!utf8_valid(text, strlen(text))) {
		f->path = xstrdup(path);
		return 1;
	}
	return 0;
}

static struct diag *save_diag(struct preset *p, struct diag_list *diags, enum diag_level lv,
			      const char *file, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct diag *save_diag(struct preset *p, struct diag_list *diags, enum diag_level lv,
			      const char *file, const char *field, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!diags)
		return NULL;
	int line = 0, col = 0;
	if (field && p->npos)
		pos_locate(p, field, 0, &line, &col);
	struct diag *d = diag_add_at(diags, lv, file, line, col, "%s", msg);
	d->path = xstrdup(field);
	return d;
}

/* The real file behind path: symlinks followed (a dangling link gives
 * its target path). malloc'd. */
static char *resolve_target(const char *path)
{
	char *cur = xstrdup(path);
	for (int hops = 0; hops < 40; hops++) {
		struct stat st;
		if (lstat(cur, &st) < 0 || !S_ISLNK(st.st_mode))
			return cur;
		char link[PATH_MAX];
		ssize_t n = readlink(cur, link, sizeof link - 1);
		if (n < 0)
			return cur;
		link[n] = '\0';
		char *next;
		if (link[0] == '/') {
			next = xstrdup(link);
		} else {
			const char *slash = strrchr(cur, '/');
			next = slash ? xasprintf("%.*s/%s", (int)(slash - cur), cur, link) : xstrdup(link);
		}
		free(cur);
		cur = next;
	}
	return cur;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read the whole file at path; -1 with errno when it cannot be read. */
static int file_hash(const char *path, uint64_t *hash, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	struct buf b;
	buf_init(&b, PRESET_MAX_BYTES);
	int rc = read_all(f, &b);
	fclose(f);
	if (rc == 0) {
		*hash = fnv1a(buf_str(&b), b.len);
		*size = b.len;
	}
	buf_done(&b);
	return rc < 0 ? -1 : 0;
}

/* Keep the current target as target~ (a hard link when possible, else a copy). */
static int make_backup(const char *target, const char *backup)
{
	char *tmp = xasprintf("%s.pwb-bak-%ld", backup, (long)getpid());
	unlink(tmp);
	int rc = link(target, tmp);
	if (rc < 0) {
		FILE *in = fopen(target, "rb");
		if (!in) {
			free(tmp);
			return -1;
		}
		struct buf b;
		buf_init(&b, 0);
		rc = read_all(in, &b);
		fclose(in);
		int fd = rc == 0 ? open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600) : -1;
		rc = -1;
		if (fd >= 0) {
			struct stat st;
			if (write_all(fd, buf_str(&b), b.len) == 0 && stat(target, &st) == 0 &&
			    fchmod(fd, st.st_mode & 07777) == 0)
				rc = 0;
			close(fd);
		}
		buf_done(&b);
	}
	if (rc == 0 && rename(tmp, backup) < 0)
		rc = -1;
	if (rc < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
	}
	free(tmp);
	return rc;
}

enum preset_save_result preset_save(struct preset *p, const char *path, int flags,
				    const char *secret, struct diag_list *diags)
{
	if (!path)
		path = p->path;
	if (!path) {
		if (diags)
			diag_add(diags, DIAG_ERROR, NULL, "save: no file name given");
		return PRESET_SAVE_FAILED;
	}
	const char *shown = path;
	int own = p->path && !strcmp(path, p->path);

	/* 1. the configured key is never written, whatever the flags */
	if (secret && *secret) {
		struct found f = { .secret = secret };
		if (session_walk(p->s, find_secret, &f)) {
			save_diag(p, diags, DIAG_ERROR, shown, f.path,
				  "%s: holds the configured API key; pwb never writes it to a file: "
				  "remove it and save again", f.path);
			free(f.path);
			return PRESET_SAVE_KEY_SHAPED; /* even with FORCE */
		}
	}
	/* 2. other key-shaped strings, unless forced */
	if (!(flags & PRESET_SAVE_FORCE)) {
		struct found f = { 0 };
		if (session_walk(p->s, find_shaped, &f)) {
			save_diag(p, diags, DIAG_ERROR, shown, f.path,
				  "%s: contains a key-shaped string (%s); remove it, or save with "
				  "--force if it is not a key", f.path, f.masked);
			free(f.path);
			free(f.masked);
			return PRESET_SAVE_KEY_SHAPED;
		}
	}
	struct found bu = { 0 };
	if (session_walk(p->s, find_bad_utf8, &bu)) {
		save_diag(p, diags, DIAG_ERROR, shown, bu.path, "%s: not valid UTF-8 text, cannot be "
			  "saved; fix it first", bu.path);
		free(bu.path);
		return PRESET_SAVE_INVALID;
	}
	char *bad = NULL;
	char *text = emit_session(p->s, &bad);
	if (!text) {
		save_diag(p, diags, DIAG_ERROR, shown, bad, "%s: not valid JSON, cannot be saved; fix it first",
			  bad);
		free(bad);
		return PRESET_SAVE_INVALID;
	}
	size_t len = strlen(text);

	char *target = resolve_target(path);
	char *dir = dir_of(target);
	const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	char *tmp = NULL;
	char *backup = NULL;
	enum preset_save_result res = PRESET_SAVE_FAILED;
	int fd = -1;
	struct stat st;
	int exists = stat(target, &st) == 0;
	if (exists && !S_ISREG(st.st_mode)) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: %s is not a regular file", target);
		goto out;
	}

	/* 3. changed on disk since loaded? */
	if (own && p->disk_known && exists && !(flags & PRESET_SAVE_FORCE)) {
		uint64_t h = 0;
		size_t sz = 0;
		if (file_hash(target, &h, &sz) == 0 && (h != p->disk_hash || sz != p->disk_size)) {
			save_diag(p, diags, DIAG_ERROR, shown, NULL,
				  "the file changed on disk since it was loaded; not overwritten (use "
				  "--force to overwrite it)");
			res = PRESET_SAVE_CHANGED;
			goto out;
		}
	}
	if (own && p->had_comments && exists && diags)
		diag_add_at(diags, DIAG_WARNING, shown, 0, 0,
			    "the file had comments; saving writes the canonical form without them");

	tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	fd = mkstemp(tmp);
	if (fd < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL,
			  "cannot save: cannot create a temporary file in %s: %s (the old file is "
			  "untouched)", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	mode_t mode;
	if (exists) {
		mode = st.st_mode & 07777;
	} else {
		mode_t um = umask(0);
		umask(um);
		mode = 0666 & ~um;
	}
	if (write_all(fd, text, len) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: writing %s: %s (the old file "
			  "is untouched)", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: closing %s: %s (the old file "
			  "is untouched)", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	/* For tests: die right after the temporary file is complete. */
	if (getenv("PWB_TEST_SAVE_CRASH"))
		raise(SIGKILL);
	if (exists) {
		backup = xasprintf("%s~", target);
		if (make_backup(target, backup) < 0) {
			save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: keeping the previous "
				  "version as %s: %s (the old file is untouched)", backup, strerror(errno));
			goto out;
		}
	}
	if (rename(tmp, target) < 0) {
		save_diag(p, diags, DIAG_ERROR, shown, NULL, "cannot save: renaming the temporary file "
			  "to %s: %s (the old file is untouched)", target, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	res = PRESET_SAVED;
	if (!p->path || !own) {
		free(p->path);
		p->path = xstrdup(path);
		free(p->name);
		p->name = xstrdup(path);
	}
	/* positions now refer to the canonical text just written */
	struct preset *fresh = preset_load_string(p->name, text, len, NULL);
	pos_clear(p);
	if (fresh) {
		p->pos = fresh->pos;
		p->npos = fresh->npos;
		p->apos = fresh->apos;
		fresh->pos = NULL;
		fresh->npos = fresh->apos = 0;
		preset_free(fresh);
	}
	p->disk_known = 1;
	p->disk_hash = fnv1a(text, len);
	p->disk_size = len;
	p->had_comments = 0;
	remember_file_vars(p);
out:
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(backup);
	free(dir);
	free(target);
	free(text);
	return res;
}
