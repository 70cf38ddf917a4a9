#include "core/export.h"
#include "core/diag.h"
#include "core/buf.h"
#include "core/request.h"
#include "core/session.h"
#include "core/util.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIDTH 79     /* lines are kept under this when the content allows */
#define CHUNK 72     /* long single-line prompts are split near this */
#define LONG_TEXT 60 /* a prompt longer than this becomes a named constant */

static const char *const lang_names[] = {
	[EXPORT_C] = "c", [EXPORT_PYTHON] = "python", [EXPORT_JS] = "js", [EXPORT_CURL] = "curl",
};

int export_lang_parse(const char *name, enum export_lang *lang)
{
	for (size_t i = 0; i < sizeof lang_names / sizeof *lang_names; i++)
		if (name && strcmp(name, lang_names[i]) == 0) {
			*lang = (enum export_lang)i;
			return 0;
		}
	return -1;
}

const char *export_lang_name(enum export_lang lang)
{
	return lang_names[lang];
}

/* The SDKs' long non-stream guard (docs/api-notes.md section 8): refused when
 * 3600 s * max_tokens / 128,000 > 600 s, or above a per-model cap. The ids
 * are the union of the TS (npm 1.14.0) and Python (0.121) tables. */
static const char *const capped_models[] = {
	"claude-opus-4-20250514", "claude-opus-4-0", "claude-4-opus-20250514",
	"anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4@20250514",
	"anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1@20250805",
};
#define CAPPED_MODEL_TOKENS 8192

int export_sdk_needs_stream(const struct session *s)
{
	if (!s->max_tokens || !request_is_json_number(s->max_tokens))
		return 0;
	double max_tokens = strtod(s->max_tokens, NULL);
	if (3600.0 * max_tokens / 128000.0 > 600.0)
		return 1;
	for (size_t i = 0; i < sizeof capped_models / sizeof *capped_models; i++)
		if (str_eq(s->model, capped_models[i]) && max_tokens > CAPPED_MODEL_TOKENS)
			return 1;
	return 0;
}

/* ---- characters ---------------------------------------------------- */

/* Code points that are legal in strings but unsafe or invisible in source:
 * C1 controls, zero-width and bidirectional controls (gcc's -Wbidi-chars
 * rejects unpaired ones, and they can make code read differently from what
 * it does), U+2028/U+2029 (line terminators to JavaScript), U+FEFF (BOM).
 * Returns the UTF-8 length of such a code point at p (storing it in *cp),
 * else 0. */
static int special_utf8(const unsigned char *p, unsigned *cp)
{
	unsigned c;
	int n;
	if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
		c = p[1];
		n = 2;
	} else if ((p[0] == 0xE2 || p[0] == 0xEF) && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
		c = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
		n = 3;
		if (!((c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
		      c == 0x2060 || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF))
			return 0;
	} else
		return 0;
	*cp = c;
	return n;
}

static int is_hex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Python: inside "..." (quote '"') or """...""" (quote 0). */
static void esc_py_body(struct buf *b, const char *s, int quote)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned cp;
		int n = special_utf8(p, &cp);
		if (n) {
			buf_printf(b, cp > 0xFF ? "\\u%04X" : "\\x%02X", cp);
			p += n - 1;
		} else if (*p == '\\')
			buf_puts(b, "\\\\");
		else if (*p == '"' && (quote || p[1] == '"' || p[1] == '\0'))
			/* in """...""" only a quote that could close the string */
			buf_puts(b, "\\\"");
		else if (*p == '\n')
			buf_puts(b, quote ? "\\n" : "\n");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p < 0x20 || *p == 0x7F)
			buf_printf(b, "\\x%02X", *p);
		else
			buf_append(b, p, 1);
	}
}

static void str_py(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	esc_py_body(b, s, '"');
	buf_puts(b, "\"");
}

/* JavaScript: inside '...', "..." or a template literal (quote '`'). */
static void esc_js_body(struct buf *b, const char *s, int quote)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned cp;
		int n = special_utf8(p, &cp);
		if (n) {
			buf_printf(b, "\\u%04X", cp);
			p += n - 1;
		} else if (*p == '\\')
			buf_puts(b, "\\\\");
		else if (*p == quote)
			buf_printf(b, "\\%c", quote);
		else if (quote == '`' && *p == '$' && p[1] == '{')
			buf_puts(b, "\\$");
		else if (*p == '\n')
			buf_puts(b, quote == '`' ? "\n" : "\\n");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p == '\r')
			/* a raw CR in a template literal would be read as LF */
			buf_puts(b, "\\r");
		else if (*p < 0x20 || *p == 0x7F)
			buf_printf(b, "\\x%02X", *p);
		else
			buf_append(b, p, 1);
	}
}

/* Single quotes, or double quotes when that saves escaping (as prettier). */
static void str_js(struct buf *b, const char *s)
{
	int q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
	buf_printf(b, "%c", q);
	esc_js_body(b, s, q);
	buf_printf(b, "%c", q);
}

static void str_json(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned cp;
		int n;
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p < 0x20 || *p == 0x7F)
			buf_printf(b, "\\u%04x", *p);
		else if ((n = special_utf8(p, &cp))) {
			buf_printf(b, "\\u%04x", cp);
			p += n - 1;
		} else
			buf_append(b, p, 1);
	}
	buf_puts(b, "\"");
}

/* C: the inside of one "..." literal piece. A hex escape followed by a hex
 * digit would swallow it, so the literal is split there; "??" is written
 * "?\?" so no trigraph can form. */
static void esc_c_body(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	for (; p < end; p++) {
		unsigned cp;
		int n = special_utf8(p, &cp);
		if (n) {
			for (int i = 0; i < n; i++)
				buf_printf(b, "\\x%02X", p[i]);
			p += n - 1;
			if (p + 1 < end && is_hex(p[1]))
				buf_puts(b, "\" \"");
		} else if (*p == '\\' || *p == '"')
			buf_printf(b, "\\%c", *p);
		else if (*p == '?' && p > (const unsigned char *)s && p[-1] == '?')
			buf_puts(b, "\\?");
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p < 0x20 || *p == 0x7F) {
			buf_printf(b, "\\x%02X", *p);
			if (p + 1 < end && is_hex(p[1]))
				buf_puts(b, "\" \"");
		} else
			buf_append(b, p, 1);
	}
}

static void str_c(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	esc_c_body(b, s, strlen(s));
	buf_puts(b, "\"");
}

/* Single-quoted for bash: ' becomes '\''. */
static void str_sh(struct buf *b, const char *s)
{
	buf_puts(b, "'");
	for (; *s; s++)
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, s, 1);
	buf_puts(b, "'");
}

/* One comment line: prefix, then text wrapped at spaces to fit WIDTH; an
 * indented line (a command, an example) is kept whole. */
static void comment_line(struct buf *b, const char *prefix, const char *text, size_t len)
{
	size_t room = WIDTH - strlen(prefix);
	while (len && text[len - 1] == ' ')
		len--;
	while (len > room && text[0] != ' ') {
		size_t cut = room;
		while (cut > room / 2 && text[cut] != ' ')
			cut--;
		if (text[cut] != ' ')
			break;
		buf_printf(b, "%s%.*s\n", prefix, (int)cut, text);
		text += cut + 1;
		len -= cut + 1;
	}
	size_t plen = strlen(prefix);
	while (!len && plen && prefix[plen - 1] == ' ')
		plen--; /* no trailing space on an empty comment line */
	buf_printf(b, "%.*s%.*s\n", (int)plen, prefix, (int)len, text);
}

/* Comment lines "PREFIX text" for each line of text: any kind of line
 * break ends a line, other controls become spaces, and in C "* /" cannot
 * close the comment early. */
static void comment(struct buf *b, const char *prefix, const char *text, int c_block)
{
	struct buf line;
	buf_init(&line, 0);
	for (const unsigned char *p = (const unsigned char *)text;; p++) {
		unsigned cp = 0;
		int n = *p ? special_utf8(p, &cp) : 0;
		if (!*p || *p == '\n' || *p == '\r' || cp == 0x2028 || cp == 0x2029) {
			comment_line(b, prefix, buf_str(&line), line.len);
			buf_clear(&line);
			if (!*p)
				break;
			if (*p == '\r' && p[1] == '\n')
				p++;
			else if (n)
				p += n - 1;
		} else if (n) {
			buf_puts(&line, " ");
			p += n - 1;
		} else if (*p < 0x20 || *p == 0x7F)
			buf_puts(&line, " ");
		else if (c_block && *p == '*' && p[1] == '/')
			buf_puts(&line, "* ");
		else if (c_block && *p == '?' && p[1] == '?' && p[2] == '/')
			buf_puts(&line, "?\\"); /* "??/" at a line end would splice lines */
		else
			buf_append(&line, p, 1);
	}
	buf_done(&line);
}

/* ---- values ------------------------------------------------------- */

/* A JSON number as source text every target reads as the same value. */
static void number(struct buf *b, double v)
{
	char tmp[40];
	if (v > -1e15 && v < 1e15 && v == (double)(long long)v) {
		buf_printf(b, "%lld", (long long)v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	buf_puts(b, tmp); /* such as 0.3 or 1e+20: a number in every target */
}

struct hoist {
	const cJSON *node; /* the string value replaced by name */
	char *name;
};

/* How a target language writes a JSON value. */
struct syntax {
	void (*string)(struct buf *b, const char *s);
	void (*key)(struct buf *b, const char *k);
	const char *t, *f, *null;
	const char *obj_open, *obj_close; /* compact form */
	int indent;
	int trailing_comma;
};

static void key_py(struct buf *b, const char *k)
{
	str_py(b, k);
}

static int is_js_ident(const char *k)
{
	if (!*k || (*k >= '0' && *k <= '9'))
		return 0;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
		      (*k >= '0' && *k <= '9') || *k == '_' || *k == '$'))
			return 0;
	return 1;
}

static void key_js(struct buf *b, const char *k)
{
	if (strcmp(k, "__proto__") == 0)
		buf_puts(b, "['__proto__']"); /* a plain key would set the prototype */
	else if (is_js_ident(k))
		buf_puts(b, k);
	else
		str_js(b, k);
}

static const struct syntax syn_py = {
	.string = str_py, .key = key_py, .t = "True", .f = "False", .null = "None",
	.obj_open = "{", .obj_close = "}", .indent = 4, .trailing_comma = 1,
};
static const struct syntax syn_js = {
	.string = str_js, .key = key_js, .t = "true", .f = "false", .null = "null",
	.obj_open = "{ ", .obj_close = " }", .indent = 2, .trailing_comma = 1,
};
static const struct syntax syn_json = {
	.string = str_json, .key = str_json, .t = "true", .f = "false", .null = "null",
	.obj_open = "{", .obj_close = "}", .indent = 2,
};

struct render {
	const struct syntax *syn;
	struct hoist *hoists;
	size_t nhoists;
};

static const char *hoisted(const struct render *r, const cJSON *v)
{
	for (size_t i = 0; i < r->nhoists; i++)
		if (r->hoists[i].node == v)
			return r->hoists[i].name;
	return NULL;
}

static void compact(const struct render *r, struct buf *b, const cJSON *v)
{
	const struct syntax *syn = r->syn;
	const char *name = hoisted(r, v);
	if (name)
		buf_puts(b, name);
	else if (cJSON_IsString(v))
		syn->string(b, v->valuestring);
	else if (cJSON_IsNumber(v))
		number(b, v->valuedouble);
	else if (cJSON_IsTrue(v))
		buf_puts(b, syn->t);
	else if (cJSON_IsFalse(v))
		buf_puts(b, syn->f);
	else if (cJSON_IsNull(v))
		buf_puts(b, syn->null);
	else {
		int obj = cJSON_IsObject(v);
		const cJSON *c;
		if (!v->child) {
			buf_puts(b, obj ? "{}" : "[]");
			return;
		}
		buf_puts(b, obj ? syn->obj_open : "[");
		cJSON_ArrayForEach(c, v) {
			if (obj) {
				syn->key(b, c->string);
				buf_puts(b, ": ");
			}
			compact(r, b, c);
			if (c->next)
				buf_puts(b, ", ");
		}
		buf_puts(b, obj ? syn->obj_close : "]");
	}
}

static void indent(struct buf *b, int n)
{
	buf_printf(b, "%*s", n, "");
}

/* v at column col, nested depth levels: on one line when it fits, else one
 * member per line. */
static void value(const struct render *r, struct buf *b, const cJSON *v, int depth, int col)
{
	struct buf one;
	buf_init(&one, 0);
	compact(r, &one, v);
	int fits = col + (int)one.len + 1 <= WIDTH;
	int container = (cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child && !hoisted(r, v);
	if (fits || !container) {
		buf_append(b, buf_str(&one), one.len);
		buf_done(&one);
		return;
	}
	buf_done(&one);
	const struct syntax *syn = r->syn;
	int obj = cJSON_IsObject(v);
	int in = syn->indent * (depth + 1);
	const cJSON *c;
	buf_puts(b, obj ? "{\n" : "[\n");
	cJSON_ArrayForEach(c, v) {
		indent(b, in);
		size_t start = b->len;
		if (obj) {
			syn->key(b, c->string);
			buf_puts(b, ": ");
		}
		value(r, b, c, depth + 1, in + (int)(b->len - start));
		if (c->next || syn->trailing_comma)
			buf_puts(b, ",");
		buf_puts(b, "\n");
	}
	indent(b, syn->indent * depth);
	buf_puts(b, obj ? "}" : "]");
}

static char *render_value(const struct render *r, const cJSON *v, int depth, int col)
{
	struct buf b;
	buf_init(&b, 0);
	value(r, &b, v, depth, col);
	return buf_take(&b);
}

/* ---- prompts as named constants ------------------------------------- */

static int long_text(const char *s)
{
	return strchr(s, '\n') || strlen(s) > LONG_TEXT;
}

static void hoist_add(struct render *r, const cJSON *node, char *name)
{
	r->hoists = xrealloc(r->hoists, (r->nhoists + 1) * sizeof *r->hoists);
	r->hoists[r->nhoists].node = node;
	r->hoists[r->nhoists].name = name;
	r->nhoists++;
}

/* Text blocks of a content array: long texts become BASE_1, BASE_2... */
static void hoist_blocks(struct render *r, const cJSON *blocks, const char *base)
{
	int i = 0;
	const cJSON *blk;
	cJSON_ArrayForEach(blk, blocks) {
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(blk, "text");
		i++;
		if (cJSON_IsString(text) && long_text(text->valuestring))
			hoist_add(r, text, xasprintf("%s_%d", base, i));
	}
}

/* The long prompts of the body (system, message contents, their text
 * blocks) become constants above the call, so the call stays readable.
 * With blocks_too == 0 only plain strings. */
static void hoist_prompts(struct render *r, const cJSON *body, int blocks_too)
{
	const cJSON *system = cJSON_GetObjectItemCaseSensitive(body, "system");
	if (cJSON_IsString(system) && long_text(system->valuestring))
		hoist_add(r, system, xstrdup("SYSTEM"));
	else if (blocks_too && cJSON_IsArray(system))
		hoist_blocks(r, system, "SYSTEM");
	int i = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(body, "messages")) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		i++;
		if (cJSON_IsString(content) && long_text(content->valuestring))
			hoist_add(r, content, xasprintf("MESSAGE_%d", i));
		else if (blocks_too && cJSON_IsArray(content)) {
			char *base = xasprintf("MESSAGE_%d", i);
			hoist_blocks(r, content, base);
			free(base);
		}
	}
}

static void render_done(struct render *r)
{
	for (size_t i = 0; i < r->nhoists; i++)
		free(r->hoists[i].name);
	free(r->hoists);
}

/* The length of the next piece of a long line: about CHUNK bytes, cut
 * after a space; never inside a word, so never inside a UTF-8 sequence. A
 * line barely over CHUNK, or without a space to cut at, stays whole. */
static size_t piece_len(const char *s, size_t len)
{
	if (len <= CHUNK + CHUNK / 8)
		return len;
	for (size_t i = CHUNK; i > CHUNK / 2; i--)
		if (s[i - 1] == ' ')
			return i;
	for (size_t i = CHUNK; i < len; i++)
		if (s[i - 1] == ' ')
			return i;
	return len;
}

static void const_py(struct buf *b, const char *name, const char *text)
{
	if (strchr(text, '\n')) {
		buf_printf(b, "%s = \"\"\"\\\n", name);
		esc_py_body(b, text, 0);
		buf_puts(b, "\"\"\"\n\n");
		return;
	}
	buf_printf(b, "%s = (\n", name);
	for (size_t len = strlen(text), n; len; text += n, len -= n) {
		n = piece_len(text, len);
		char *piece = xstrndup(text, n);
		buf_puts(b, "    ");
		str_py(b, piece);
		buf_puts(b, "\n");
		free(piece);
	}
	buf_puts(b, ")\n\n");
}

static void const_js(struct buf *b, const char *name, const char *text)
{
	if (strchr(text, '\n')) {
		buf_printf(b, "const %s = `", name);
		esc_js_body(b, text, '`');
		buf_puts(b, "`;\n\n");
		return;
	}
	/* one quote style for all the pieces */
	int q = strchr(text, '\'') && !strchr(text, '"') ? '"' : '\'';
	buf_printf(b, "const %s =\n", name);
	for (size_t len = strlen(text), n; len; text += n, len -= n) {
		n = piece_len(text, len);
		char *piece = xstrndup(text, n);
		buf_printf(b, "  %c", q);
		esc_js_body(b, piece, q);
		buf_printf(b, "%c%s\n", q, n == len ? ";" : " +");
		free(piece);
	}
	buf_puts(b, "\n");
}

/* A C string constant, one literal per line of text (long lines split). */
static void const_c(struct buf *b, const char *name, const char *text)
{
	buf_printf(b, "static const char %s[] =\n", name);
	for (size_t len = strlen(text), n; len; text += n, len -= n) {
		size_t line = strcspn(text, "\n");
		n = piece_len(text, line < len ? line + 1 : len);
		buf_puts(b, "\t\"");
		esc_c_body(b, text, n);
		buf_puts(b, n == len ? "\";\n\n" : "\"\n");
	}
}

/* ---- shared by the generators --------------------------------------- */

/* Name and description of the preset, as the first comment lines. */
static void about(struct buf *b, const struct session *s, const char *prefix, int c_block)
{
	int any = 0;
	if (s->name && *s->name) {
		comment(b, prefix, s->name, c_block);
		any = 1;
	}
	if (s->description && *s->description) {
		/* a YAML block scalar ends with a newline: no empty line for it */
		size_t n = strlen(s->description);
		while (n && (s->description[n - 1] == '\n' || s->description[n - 1] == ' '))
			n--;
		char *d = xstrndup(s->description, n);
		comment(b, prefix, d, c_block);
		free(d);
		any = 1;
	}
	if (any)
		comment(b, prefix, "", c_block);
}

static void forced_note(struct buf *b, const struct session *s, const char *prefix)
{
	char *note = xasprintf("max_tokens is %s: the SDK refuses a non-streaming call that "
			       "could outlast its 10-minute timeout, so this request streams.",
			       s->max_tokens);
	comment(b, prefix, note, 0);
	free(note);
}

/* The body's fields in the order SDK examples use: system before messages,
 * the rest as request_build emits them. Caller frees the array. */
static const cJSON **sdk_fields(const cJSON *body, size_t *n)
{
	const cJSON **v = xcalloc((size_t)cJSON_GetArraySize(body) + 1, sizeof *v);
	const cJSON *c;
	size_t k = 0, messages = (size_t)-1;
	cJSON_ArrayForEach(c, body) {
		if (strcmp(c->string, "system") == 0 && messages != (size_t)-1) {
			memmove(v + messages + 1, v + messages, (k - messages) * sizeof *v);
			v[messages++] = c;
			k++;
			continue;
		}
		if (strcmp(c->string, "messages") == 0)
			messages = k;
		v[k++] = c;
	}
	*n = k;
	return v;
}

/* ---- Python ----------------------------------------------------------- */

/* Keyword arguments of messages.create in the Python SDK; other fields go
 * through extra_body. */
static const char *const py_kwargs[] = {
	"model", "max_tokens", "messages", "system", "temperature", "top_p", "top_k",
	"stop_sequences", "metadata", "tools", "tool_choice", "thinking", "output_config",
	"service_tier", "cache_control", "container", "inference_geo", NULL,
};

static int py_kwarg(const char *name)
{
	for (const char *const *k = py_kwargs; *k; k++)
		if (strcmp(*k, name) == 0)
			return 1;
	return 0;
}

static void py_arg(const struct render *r, struct buf *b, const char *in, const char *sep,
		   const cJSON *c, int depth)
{
	size_t start = b->len;
	buf_puts(b, in);
	if (sep[0] == '=')
		buf_puts(b, c->string);
	else
		str_py(b, c->string);
	buf_puts(b, sep);
	char *v = render_value(r, c, depth, (int)(b->len - start));
	buf_printf(b, "%s,\n", v);
	free(v);
}

static void render_python(struct buf *b, const struct session *s, const cJSON *body,
			  int stream, int forced)
{
	struct render r = { .syn = &syn_py };
	hoist_prompts(&r, body, 1);
	char *betas = request_betas(s);

	about(b, s, "# ", 0);
	comment(b, "# ", "Exported by pwb. Needs the official SDK: pip install anthropic\n"
		"The key comes from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, "
		"replaces https://api.anthropic.com.", 0);
	buf_puts(b, "import os\n\nimport anthropic\n\n");
	for (size_t i = 0; i < r.nhoists; i++)
		const_py(b, r.hoists[i].name, r.hoists[i].node->valuestring);

	buf_puts(b, "client = anthropic.Anthropic(\n"
		 "    api_key=os.environ[\"ANTHROPIC_API_KEY\"],\n");
	comment(b, "    # ", "What pwb sends: newer SDKs default to another API version.", 0);
	buf_puts(b, "    default_headers={\n        \"anthropic-version\": ");
	str_py(b, session_api_version(s));
	buf_puts(b, ",\n");
	if (betas) {
		buf_puts(b, "        \"anthropic-beta\": ");
		str_py(b, betas);
		buf_puts(b, ",\n");
	}
	buf_puts(b, "    },\n)\n\n");

	if (forced)
		forced_note(b, s, "# ");
	buf_puts(b, stream ? "with client.messages.stream(\n" : "message = client.messages.create(\n");
	size_t n;
	const cJSON **fields = sdk_fields(body, &n);
	int extra = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i]->string, "stream") == 0)
			continue;
		if (py_kwarg(fields[i]->string))
			py_arg(&r, b, "    ", "=", fields[i], 1);
		else
			extra = 1;
	}
	if (extra) {
		comment(b, "    # ", "Fields this SDK has no keyword argument for.", 0);
		buf_puts(b, "    extra_body={\n");
		for (size_t i = 0; i < n; i++)
			if (strcmp(fields[i]->string, "stream") && !py_kwarg(fields[i]->string))
				py_arg(&r, b, "        ", ": ", fields[i], 2);
		buf_puts(b, "    },\n");
	}
	free(fields);
	if (stream)
		buf_puts(b, ") as stream:\n"
			 "    for text in stream.text_stream:\n"
			 "        print(text, end=\"\", flush=True)\n"
			 "print()\n");
	else
		buf_puts(b, ")\n"
			 "print(\"\".join(b.text for b in message.content if b.type == \"text\"))\n");
	free(betas);
	render_done(&r);
}

/* ---- JavaScript ------------------------------------------------------- */

static void render_js(struct buf *b, const struct session *s, const cJSON *body, int stream,
		      int forced)
{
	struct render r = { .syn = &syn_js };
	hoist_prompts(&r, body, 1);
	char *betas = request_betas(s);

	about(b, s, "// ", 0);
	comment(b, "// ", "Exported by pwb. Needs the official SDK: npm install @anthropic-ai/sdk\n"
		"An ES module: save as request.mjs and run node request.mjs. The key comes "
		"from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, replaces "
		"https://api.anthropic.com.", 0);
	buf_puts(b, "import Anthropic from '@anthropic-ai/sdk';\n\n");
	for (size_t i = 0; i < r.nhoists; i++)
		const_js(b, r.hoists[i].name, r.hoists[i].node->valuestring);

	buf_puts(b, "if (!process.env.ANTHROPIC_API_KEY) throw new Error('set ANTHROPIC_API_KEY');\n\n");
	comment(b, "// ", betas ? "Send what pwb sends: the key as x-api-key, the API version and "
		"the betas. SDK 1.x would send Authorization: Bearer and anthropic-version "
		"2026-10-21." : "Send what pwb sends: the key as x-api-key and the API version. "
		"SDK 1.x would send Authorization: Bearer and anthropic-version 2026-10-21.", 0);
	buf_puts(b, "const client = new Anthropic({\n"
		 "  defaultHeaders: {\n"
		 "    'x-api-key': process.env.ANTHROPIC_API_KEY,\n"
		 "    Authorization: null,\n"
		 "    'anthropic-version': ");
	str_js(b, session_api_version(s));
	buf_puts(b, ",\n");
	if (betas) {
		buf_puts(b, "    'anthropic-beta': ");
		str_js(b, betas);
		buf_puts(b, ",\n");
	}
	buf_puts(b, "  },\n});\n\n");

	if (forced)
		forced_note(b, s, "// ");
	buf_puts(b, stream ? "const stream = client.messages.stream({\n"
		 : "const message = await client.messages.create({\n");
	size_t n;
	const cJSON **fields = sdk_fields(body, &n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(fields[i]->string, "stream") == 0)
			continue;
		size_t start = b->len;
		buf_puts(b, "  ");
		key_js(b, fields[i]->string);
		buf_puts(b, ": ");
		char *v = render_value(&r, fields[i], 1, (int)(b->len - start));
		buf_printf(b, "%s,\n", v);
		free(v);
	}
	free(fields);
	if (stream)
		buf_puts(b, "});\n"
			 "stream.on('text', (text) => process.stdout.write(text));\n"
			 "await stream.finalMessage();\n"
			 "process.stdout.write('\\n');\n");
	else
		buf_puts(b, "});\n"
			 "for (const block of message.content) {\n"
			 "  if (block.type === 'text') process.stdout.write(block.text);\n"
			 "}\n"
			 "process.stdout.write('\\n');\n");
	free(betas);
	render_done(&r);
}

/* ---- C ------------------------------------------------------------------ */

static char *upper(const char *s)
{
	char *u = xstrdup(s);
	for (char *p = u; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			*p = '_';
	return u;
}

/* JSON text as a C constant, one literal piece per line. */
static void const_c_json(struct buf *b, const char *name, const char *json)
{
	buf_printf(b, "static const char %s[] =\n", name);
	for (const char *p = json;;) {
		size_t n = strcspn(p, "\n");
		buf_puts(b, "\t\"");
		esc_c_body(b, p, n);
		buf_puts(b, p[n] ? "\"\n" : "\";\n\n");
		if (!p[n])
			break;
		p += n + 1;
	}
}

/* A JSON value for build_body: an inline literal when short, else a
 * constant named name (appended to consts). Returns the C expression. */
static char *c_json_arg(struct buf *consts, const cJSON *v, const char *name)
{
	struct render json = { .syn = &syn_json };
	char *text = render_value(&json, v, 0, 0);
	struct buf expr;
	buf_init(&expr, 0);
	if (strchr(text, '\n') || strlen(text) > 40) {
		const_c_json(consts, name, text);
		buf_puts(&expr, name);
	} else
		str_c(&expr, text);
	free(text);
	return buf_take(&expr);
}

static char *c_text_arg(const struct render *r, const cJSON *v)
{
	const char *name = hoisted(r, v);
	if (name)
		return xstrdup(name);
	struct buf expr;
	buf_init(&expr, 0);
	str_c(&expr, v->valuestring);
	return buf_take(&expr);
}

static const char C_PARSE_JSON[] =
	"/* The request's API objects (blocks, tools...) are written as JSON. */\n"
	"static cJSON *parse_json(const char *json)\n"
	"{\n"
	"\tcJSON *value = cJSON_Parse(json);\n"
	"\tif (!value) {\n"
	"\t\tfprintf(stderr, \"invalid JSON: %s\\n\", json);\n"
	"\t\texit(1);\n"
	"\t}\n"
	"\treturn value;\n"
	"}\n\n";

static const char C_ADD_MESSAGE[] =
	"static void add_message(cJSON *messages, const char *role, cJSON *content)\n"
	"{\n"
	"\tcJSON *message = cJSON_CreateObject();\n"
	"\tcJSON_AddStringToObject(message, \"role\", role);\n"
	"\tcJSON_AddItemToObject(message, \"content\", content);\n"
	"\tcJSON_AddItemToArray(messages, message);\n"
	"}\n\n";

static const char C_TEXT_BLOCK[] =
	"/* A content block: its JSON, with the text (a constant above) put in. */\n"
	"static cJSON *text_block(const char *json, const char *text)\n"
	"{\n"
	"\tcJSON *block = parse_json(json);\n"
	"\tcJSON_ReplaceItemInObjectCaseSensitive(block, \"text\", cJSON_CreateString(text));\n"
	"\treturn block;\n"
	"}\n\n";

struct c_gen {
	struct buf *code, *consts; /* build_body's statements; the constants they use */
	const struct render *r;
	int need_parse, need_add, need_text_block;
};

/* 1 when a block of the array has its text hoisted into a constant. */
static int has_hoisted_text(const struct render *r, const cJSON *arr)
{
	const cJSON *blk;
	cJSON_ArrayForEach(blk, arr)
		if (hoisted(r, cJSON_GetObjectItemCaseSensitive(blk, "text")))
			return 1;
	return 0;
}

/* A content array whose long texts are constants: built block by block
 * into the new variable var, so no prompt hides inside a JSON string. */
static void c_blocks(struct c_gen *g, const cJSON *arr, const char *var, const char *base)
{
	buf_printf(g->code, "\tcJSON *%s = cJSON_CreateArray();\n", var);
	int i = 0;
	const cJSON *blk;
	cJSON_ArrayForEach(blk, arr) {
		const char *text = hoisted(g->r, cJSON_GetObjectItemCaseSensitive(blk, "text"));
		char *cname = xasprintf("%s_BLOCK_%d", base, ++i);
		cJSON *shape = cJSON_Duplicate(blk, 1);
		if (text)
			cJSON_ReplaceItemInObjectCaseSensitive(shape, "text", cJSON_CreateString(""));
		char *j = c_json_arg(g->consts, shape, cname);
		if (text)
			buf_printf(g->code, "\tcJSON_AddItemToArray(%s, text_block(%s, %s));\n", var, j,
				   text);
		else
			buf_printf(g->code, "\tcJSON_AddItemToArray(%s, parse_json(%s));\n", var, j);
		g->need_text_block |= text != NULL;
		g->need_parse = 1;
		free(j);
		cJSON_Delete(shape);
		free(cname);
	}
}

static void c_messages(struct c_gen *g, const cJSON *arr, const char *k)
{
	buf_printf(g->code, "\tcJSON *messages = cJSON_AddArrayToObject(body, %s);\n", k);
	int i = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, arr) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		char *mname = xasprintf("MESSAGE_%d", ++i);
		if (!cJSON_IsString(role) || !content || cJSON_GetArraySize(m) != 2) {
			char *j = c_json_arg(g->consts, m, mname);
			buf_printf(g->code, "\tcJSON_AddItemToArray(messages, parse_json(%s));\n", j);
			free(j);
			g->need_parse = 1;
			free(mname);
			continue;
		}
		char *arg;
		if (cJSON_IsString(content)) {
			char *t = c_text_arg(g->r, content);
			arg = xasprintf("cJSON_CreateString(%s)", t);
			free(t);
		} else if (cJSON_IsArray(content) && has_hoisted_text(g->r, content)) {
			arg = xasprintf("content_%d", i);
			c_blocks(g, content, arg, mname);
		} else {
			char *j = c_json_arg(g->consts, content, mname);
			arg = xasprintf("parse_json(%s)", j);
			free(j);
			g->need_parse = 1;
		}
		struct buf rl;
		buf_init(&rl, 0);
		str_c(&rl, role->valuestring);
		buf_printf(g->code, "\tadd_message(messages, %s, %s);\n", buf_str(&rl), arg);
		g->need_add = 1;
		buf_done(&rl);
		free(arg);
		free(mname);
	}
}

/* The statements of build_body, one or a few per field of the body. */
static void c_body(struct c_gen *g, const cJSON *body)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, body) {
		struct buf key;
		buf_init(&key, 0);
		str_c(&key, c->string);
		const char *k = buf_str(&key);
		char *name = upper(c->string);
		if (strcmp(c->string, "messages") == 0 && cJSON_IsArray(c)) {
			c_messages(g, c, k);
		} else if (cJSON_IsString(c)) {
			char *t = c_text_arg(g->r, c);
			buf_printf(g->code, "\tcJSON_AddStringToObject(body, %s, %s);\n", k, t);
			free(t);
		} else if (cJSON_IsNumber(c)) {
			buf_printf(g->code, "\tcJSON_AddNumberToObject(body, %s, ", k);
			number(g->code, c->valuedouble);
			buf_puts(g->code, ");\n");
		} else if (cJSON_IsBool(c) || cJSON_IsNull(c)) {
			buf_printf(g->code, "\tcJSON_Add%sToObject(body, %s);\n",
				   cJSON_IsTrue(c) ? "True" : cJSON_IsFalse(c) ? "False" : "Null", k);
		} else if (strcmp(c->string, "system") == 0 && cJSON_IsArray(c) &&
			   has_hoisted_text(g->r, c)) {
			c_blocks(g, c, "system", name);
			buf_printf(g->code, "\tcJSON_AddItemToObject(body, %s, system);\n", k);
		} else {
			char *j = c_json_arg(g->consts, c, name);
			buf_printf(g->code, "\tcJSON_AddItemToObject(body, %s, parse_json(%s));\n", k, j);
			free(j);
			g->need_parse = 1;
		}
		free(name);
		buf_done(&key);
	}
}

static const char C_RESPONSE[] =
	"struct response {\n"
	"\tchar *data; /* the body so far, NUL-terminated */\n"
	"\tsize_t len;\n"
	"};\n\n"
	"static size_t on_data(char *data, size_t size, size_t n, void *userdata)\n"
	"{\n"
	"\tstruct response *r = userdata;\n"
	"\tchar *grown = realloc(r->data, r->len + size * n + 1);\n"
	"\tif (!grown)\n"
	"\t\treturn 0;\n"
	"\tmemcpy(grown + r->len, data, size * n);\n"
	"\tr->data = grown;\n"
	"\tr->len += size * n;\n"
	"\tr->data[r->len] = '\\0';\n"
	"\treturn size * n;\n"
	"}\n\n"
	"/* Prints the text blocks of the Message in body; 0 when it is not one. */\n"
	"static int print_answer(const char *body)\n"
	"{\n"
	"\tcJSON *message = cJSON_Parse(body);\n"
	"\tcJSON *content = cJSON_GetObjectItemCaseSensitive(message, \"content\");\n"
	"\tcJSON *block;\n"
	"\tif (!cJSON_IsArray(content)) {\n"
	"\t\tfprintf(stderr, \"unexpected response: %s\\n\", body);\n"
	"\t\tcJSON_Delete(message);\n"
	"\t\treturn 0;\n"
	"\t}\n"
	"\tcJSON_ArrayForEach(block, content) {\n"
	"\t\tcJSON *type = cJSON_GetObjectItemCaseSensitive(block, \"type\");\n"
	"\t\tcJSON *text = cJSON_GetObjectItemCaseSensitive(block, \"text\");\n"
	"\t\tif (cJSON_IsString(type) && strcmp(type->valuestring, \"text\") == 0 &&\n"
	"\t\t    cJSON_IsString(text))\n"
	"\t\t\tfputs(text->valuestring, stdout);\n"
	"\t}\n"
	"\tputchar('\\n');\n"
	"\tcJSON_Delete(message);\n"
	"\treturn 1;\n"
	"}\n\n";

static const char C_STREAM[] =
	"/* Server-sent events arrive in pieces of any size: whole lines are\n"
	" * handled as they complete, the rest waits in data. */\n"
	"struct response {\n"
	"\tCURL *curl;\n"
	"\tchar *data;\n"
	"\tsize_t len;\n"
	"\tint failed; /* an error event arrived */\n"
	"};\n\n"
	"/* One event's JSON: print text deltas, report an error event. */\n"
	"static void on_event(struct response *r, const char *json)\n"
	"{\n"
	"\tcJSON *event = cJSON_Parse(json);\n"
	"\tcJSON *type = cJSON_GetObjectItemCaseSensitive(event, \"type\");\n"
	"\tcJSON *delta = cJSON_GetObjectItemCaseSensitive(event, \"delta\");\n"
	"\tcJSON *text = cJSON_GetObjectItemCaseSensitive(delta, \"text\");\n"
	"\tif (!cJSON_IsString(type)) {\n"
	"\t\tcJSON_Delete(event);\n"
	"\t\treturn;\n"
	"\t}\n"
	"\tif (strcmp(type->valuestring, \"content_block_delta\") == 0 && cJSON_IsString(text)) {\n"
	"\t\tfputs(text->valuestring, stdout);\n"
	"\t\tfflush(stdout);\n"
	"\t} else if (strcmp(type->valuestring, \"error\") == 0) {\n"
	"\t\tfprintf(stderr, \"\\nerror event: %s\\n\", json);\n"
	"\t\tr->failed = 1;\n"
	"\t}\n"
	"\tcJSON_Delete(event);\n"
	"}\n\n"
	"static size_t on_data(char *data, size_t size, size_t n, void *userdata)\n"
	"{\n"
	"\tstruct response *r = userdata;\n"
	"\tchar *grown = realloc(r->data, r->len + size * n + 1);\n"
	"\tlong status = 0;\n"
	"\tif (!grown)\n"
	"\t\treturn 0;\n"
	"\tmemcpy(grown + r->len, data, size * n);\n"
	"\tr->data = grown;\n"
	"\tr->len += size * n;\n"
	"\tr->data[r->len] = '\\0';\n"
	"\tcurl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &status);\n"
	"\tif (status != 200)\n"
	"\t\treturn size * n; /* an error body: main prints it whole */\n"
	"\tchar *line = r->data, *end;\n"
	"\twhile ((end = memchr(line, '\\n', r->len - (size_t)(line - r->data)))) {\n"
	"\t\t*end = '\\0';\n"
	"\t\tif (end > line && end[-1] == '\\r')\n"
	"\t\t\tend[-1] = '\\0';\n"
	"\t\tif (strncmp(line, \"data:\", 5) == 0)\n"
	"\t\t\ton_event(r, line + 5 + (line[5] == ' '));\n"
	"\t\tline = end + 1;\n"
	"\t}\n"
	"\tr->len -= (size_t)(line - r->data);\n"
	"\tmemmove(r->data, line, r->len + 1);\n"
	"\treturn size * n;\n"
	"}\n\n";

static const char C_MAIN_START[] =
	"int main(void)\n"
	"{\n"
	"\tconst char *key = getenv(\"ANTHROPIC_API_KEY\");\n"
	"\tconst char *base = getenv(\"ANTHROPIC_BASE_URL\");\n"
	"\tchar url[2048], key_header[512];\n"
	"\n"
	"\tif (!key || !*key) {\n"
	"\t\tfputs(\"set ANTHROPIC_API_KEY\\n\", stderr);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\tif (!base || !*base)\n"
	"\t\tbase = \"https://api.anthropic.com\";\n"
	"\tint base_len = (int)strlen(base);\n"
	"\tif (base[base_len - 1] == '/')\n"
	"\t\tbase_len--;\n"
	"\tif (snprintf(url, sizeof url, \"%.*s/v1/messages\", base_len, base) >= (int)sizeof url ||\n"
	"\t    snprintf(key_header, sizeof key_header, \"x-api-key: %s\", key) >=\n"
	"\t\t    (int)sizeof key_header) {\n"
	"\t\tfputs(\"ANTHROPIC_BASE_URL or ANTHROPIC_API_KEY is too long\\n\", stderr);\n"
	"\t\treturn 1;\n"
	"\t}\n"
	"\n"
	"\tcJSON *body = build_body();\n"
	"\tchar *json = cJSON_PrintUnformatted(body);\n"
	"\tstruct curl_slist *headers = NULL;\n"
	"\theaders = curl_slist_append(headers, \"content-type: application/json\");\n";

static const char C_MAIN_END[] =
	"\theaders = curl_slist_append(headers, key_header);\n"
	"\n"
	"\tcurl_global_init(CURL_GLOBAL_DEFAULT);\n"
	"\tCURL *curl = curl_easy_init();\n"
	"\tstruct response response = { 0 };\n"
	"%s"
	"\tcurl_easy_setopt(curl, CURLOPT_URL, url);\n"
	"\tcurl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);\n"
	"\tcurl_easy_setopt(curl, CURLOPT_POSTFIELDS, json);\n"
	"\tcurl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);\n"
	"\tcurl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);\n"
	"\tCURLcode rc = curl_easy_perform(curl);\n"
	"\tlong status = 0;\n"
	"\tcurl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);\n"
	"\n"
	"\tint ok = 0;\n"
	"\tif (rc != CURLE_OK)\n"
	"\t\tfprintf(stderr, \"request failed: %%s\\n\", curl_easy_strerror(rc));\n"
	"\telse if (status != 200)\n"
	"\t\tfprintf(stderr, \"HTTP %%ld: %%s\\n\", status, response.data ? response.data : \"\");\n"
	"%s"
	"\n"
	"\tfree(response.data);\n"
	"\tcurl_easy_cleanup(curl);\n"
	"\tcurl_slist_free_all(headers);\n"
	"\tcurl_global_cleanup();\n"
	"\tcJSON_free(json);\n"
	"\tcJSON_Delete(body);\n"
	"\treturn ok ? 0 : 1;\n"
	"}\n";

static void render_c(struct buf *b, const struct session *s, const cJSON *body, int stream)
{
	struct render r = { .syn = &syn_json };
	hoist_prompts(&r, body, 1);
	char *betas = request_betas(s);
	struct buf consts, code;
	buf_init(&consts, 0);
	buf_init(&code, 0);
	struct c_gen g = { .code = &code, .consts = &consts, .r = &r };
	for (size_t i = 0; i < r.nhoists; i++)
		const_c(&consts, r.hoists[i].name, r.hoists[i].node->valuestring);
	c_body(&g, body);

	buf_puts(b, "/*\n");
	about(b, s, " * ", 1);
	comment(b, " * ", "Exported by pwb: sends the same request with libcurl and cJSON, "
		"and prints the answer's text. Save as request.c and build with\n"
		"    cc request.c -o request $(pkg-config --cflags --libs libcurl libcjson)\n"
		"The key comes from ANTHROPIC_API_KEY; ANTHROPIC_BASE_URL, when set, replaces "
		"https://api.anthropic.com.", 1);
	buf_puts(b, " */\n"
		 "#include <cjson/cJSON.h>\n"
		 "#include <curl/curl.h>\n"
		 "#include <stdio.h>\n"
		 "#include <stdlib.h>\n"
		 "#include <string.h>\n\n");
	buf_append(b, buf_str(&consts), consts.len);
	if (g.need_parse)
		buf_puts(b, C_PARSE_JSON);
	if (g.need_text_block)
		buf_puts(b, C_TEXT_BLOCK);
	if (g.need_add)
		buf_puts(b, C_ADD_MESSAGE);
	buf_puts(b, "static cJSON *build_body(void)\n{\n\tcJSON *body = cJSON_CreateObject();\n");
	buf_append(b, buf_str(&code), code.len);
	buf_puts(b, "\treturn body;\n}\n\n");
	buf_puts(b, stream ? C_STREAM : C_RESPONSE);

	buf_puts(b, C_MAIN_START);
	struct buf h;
	buf_init(&h, 0);
	char *line = xasprintf("anthropic-version: %s", session_api_version(s));
	str_c(&h, line);
	free(line);
	buf_printf(b, "\theaders = curl_slist_append(headers, %s);\n", buf_str(&h));
	if (betas) {
		buf_clear(&h);
		line = xasprintf("anthropic-beta: %s", betas);
		str_c(&h, line);
		free(line);
		buf_printf(b, "\theaders = curl_slist_append(headers, %s);\n", buf_str(&h));
	}
	buf_done(&h);
	if (stream)
		buf_printf(b, C_MAIN_END, "\tresponse.curl = curl;\n",
			   "\telse if (!response.failed) {\n"
			   "\t\tputchar('\\n');\n"
			   "\t\tok = 1;\n"
			   "\t}\n");
	else
		buf_printf(b, C_MAIN_END, "", "\telse\n\t\tok = print_answer(response.data);\n");

	buf_done(&consts);
	buf_done(&code);
	free(betas);
	render_done(&r);
}

/* ---- curl ----------------------------------------------------------------- */

static void render_curl(struct buf *b, const struct session *s, const cJSON *body, int stream)
{
	struct render r = { .syn = &syn_json };
	char *betas = request_betas(s);
	char *json = render_value(&r, body, 0, 0);

	buf_puts(b, "#!/bin/bash\n");
	about(b, s, "# ", 0);
	comment(b, "# ", "Exported by pwb: sends the same request with curl. The key comes from "
		"ANTHROPIC_API_KEY and stays off the command line; ANTHROPIC_BASE_URL, when set, "
		"replaces https://api.anthropic.com.", 0);
	buf_puts(b, "set -euo pipefail\n"
		 ": \"${ANTHROPIC_API_KEY:?set ANTHROPIC_API_KEY}\"\n"
		 "base_url=${ANTHROPIC_BASE_URL:-https://api.anthropic.com}\n\n");
	buf_printf(b, "curl -sS%s --fail-with-body \"${base_url%%/}/v1/messages\" \\\n",
		   stream ? "N" : "");
	buf_puts(b, "\t-H @<(printf 'x-api-key: %s\\n' \"$ANTHROPIC_API_KEY\") \\\n");
	char *line = xasprintf("anthropic-version: %s", session_api_version(s));
	buf_puts(b, "\t-H ");
	str_sh(b, line);
	buf_puts(b, " \\\n");
	free(line);
	if (betas) {
		line = xasprintf("anthropic-beta: %s", betas);
		buf_puts(b, "\t-H ");
		str_sh(b, line);
		buf_puts(b, " \\\n");
		free(line);
	}
	buf_puts(b, "\t-H 'content-type: application/json' \\\n"
		 "\t--data-binary @- <<'JSON'\n");
	buf_printf(b, "%s\nJSON\n", json);
	free(json);
	free(betas);
}

/* 1 when a value that becomes a header line holds a control character. */
static int header_value_unsafe(const struct session *s)
{
	const char *v = session_api_version(s);
	for (size_t i = 0; v && v[i]; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return 1;
	for (size_t k = 0; k < s->betas.n; k++)
		for (const char *p = s->betas.v[k]; p && *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				return 1;
	return 0;
}

char *export_render(const struct session *s, enum export_lang lang, int stream,
		    struct diag_list *diags, int *forced_stream)
{
	int forced = !stream && (lang == EXPORT_PYTHON || lang == EXPORT_JS) &&
		     export_sdk_needs_stream(s);
	if (forced_stream)
		*forced_stream = forced;
	/* Validation refuses these first; never emit a header line with a
	 * line break in it, whoever calls. */
	if (header_value_unsafe(s)) {
		if (diags)
			diag_add(diags, DIAG_ERROR, "api_version",
				 "api_version or betas hold a control character: no header line is "
				 "exported with one");
		return NULL;
	}
	if (forced)
		stream = 1;
	char *json = request_build(s, REQUEST_MESSAGES, stream, diags);
	if (!json)
		return NULL;
	cJSON *body = cJSON_Parse(json);
	free(json);
	if (!body)
		return NULL;

	struct buf b;
	buf_init(&b, 0);
	switch (lang) {
	case EXPORT_C:
		render_c(&b, s, body, stream);
		break;
	case EXPORT_PYTHON:
		render_python(&b, s, body, stream, forced);
		break;
	case EXPORT_JS:
		render_js(&b, s, body, stream, forced);
		break;
	case EXPORT_CURL:
		render_curl(&b, s, body, stream);
		break;
	}
	cJSON_Delete(body);
	return buf_take(&b);
}
