/* Writing a preset: struct session -> canonical YAML with libyaml's event
 * API. JSON fields are walked by a small reader of our own so numbers keep
 * the exact text they have in the session. */
#include "core/preset.h"
#include "core/preset-private.h"
#include "core/buf.h"
#include "core/request.h"
#include "core/session.h"
#include "core/utf8.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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
		utf8_append_repaired(&fixed, s, len);
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
			uint32_t cp;
			size_t used = utf8_json_escape(p - 1, strnlen(p - 1, 12), &cp);
			if (!used)
				return -1;
			p += used - 2; /* left on the escape's last byte */
			if (cp == 0) {
				buf_append(b, "", 1);
				break;
			}
			utf8_append(b, cp);
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

char *preset_emit_checked(const struct session *s, char **bad_field)
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
	if (s->assert_json && kv_json(&E, "assert", s->assert_json) < 0 && !bad)
		bad = "assert";
	if (s->tests_json && kv_json(&E, "tests", s->tests_json) < 0 && !bad)
		bad = "tests";
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
	return preset_emit_checked(s, NULL);
}

